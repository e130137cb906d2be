// SPDX-License-Identifier: GPL-2.0
/*
 * server show, server set: the server-wide waiting-thread budget.
 */
#include <errno.h>
#include <stdio.h>

#include <libmnl/libmnl.h>
#include <linux/efs.h>

#include "clientinfo.h"
#include "efsctl.h"
#include "nl.h"
#include "opts.h"
#include "units.h"

enum { SRV_JSON = 1, SRV_MAX_WAITING, SRV_VERBOSE };

const char cmd_server_show_usage[] =
"Usage: efsctl server show [--json]\n"
"\n"
"Show the server-wide settings and state of efs: how many nfsd threads\n"
"efs lets wait for budget at once (summed over all filesystems), how many\n"
"wait now, how many waiting requests were displaced for a lighter client,\n"
"the client table, and whether the kernel has server-side RPC-with-TLS.\n"
"\n"
"Options:\n"
"  --json      one JSON object: MaxWaitingThreads (in force),\n"
"              MaxWaitingThreadsConfigured (0 = default), NfsdThreads,\n"
"              WaitingThreads, WaitingThreadsPeak (the most waiting\n"
"              at once since MaxWaitingThreads last changed or efs\n"
"              was loaded), DisplacedRequests, ClientEntries,\n"
"              ClientEntriesMax, ClientEntryBytes, BackpressureReplies\n"
"              (NFSv4.1 SEQUENCE replies that asked a client refused\n"
"              DELAY to use fewer session slots: BackpressureSlots at\n"
"              first, more while its budget has room) and\n"
"              BackpressureWithheld (replies left alone because that\n"
"              client's session also carries traffic efs does not hold\n"
"              back: an unclaimed export, a filesystem within its share),\n"
"              TlsSupported (the kernel has server-side RPC-with-TLS,\n"
"              Linux 6.4+: transit-encryption = required is possible)\n"
"  -h, --help\n";

const char cmd_server_set_usage[] =
"Usage: efsctl server set --max-waiting-threads N [-v]\n"
"\n"
"Change the server-wide settings, live.\n"
"\n"
"Options:\n"
"  --max-waiting-threads N\n"
"        nfsd threads that may wait for budget at once, summed over every\n"
"        filesystem, 0..65536 (0 = the default: half of nfsd's threads,\n"
"        followed as 'rpc.nfsd N' changes them). Each filesystem that\n"
"        waits has a fair share of them; beyond, requests get\n"
"        NFS4ERR_DELAY / NFS3ERR_JUKEBOX.\n"
"  -v, --verbose  print the settings afterwards\n"
"  -h, --help\n";

struct server_reply {
	struct efs_server_info s;
	bool got;
};

static int server_cb(const struct nlmsghdr *nlh, void *data)
{
	struct server_reply *r = data;

	if (efs_server_decode(nlh, &r->s))
		return -EBADMSG;
	r->got = true;
	return 0;
}

static int server_talk(uint8_t cmd, const uint32_t *max_waiting,
		       struct server_reply *r)
{
	struct nlmsghdr *req;
	struct efs_nl nl;
	int err;

	if (efs_connect(&nl))
		return -1;
	req = efs_nl_request(&nl, cmd, false);
	if (max_waiting)
		mnl_attr_put_u32(req, EFS_A_SERVER_MAX_WAITING_THREADS,
				 *max_waiting);
	err = efs_nl_talk(&nl, req, server_cb, r);
	if (err)
		efs_report_nl_error(&nl, err, NULL);
	else if (!r->got)
		efs_err("the module sent no reply");
	efs_nl_close(&nl);
	return err || !r->got ? -1 : 0;
}

int cmd_server_show(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ "json", 0, false, SRV_JSON },
		{ NULL, 0, false, 0 },
	};
	struct server_reply r = { 0 };
	struct out out;
	struct opts o;

	if (opts_parse(defs, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	if (server_talk(EFS_CMD_SERVER_GET, NULL, &r))
		return EXIT_FAIL;
	out_init(&out, stdout, o.nhits > 0, true);
	efs_print_server(&out, &r.s);
	return EXIT_OK;
}

int cmd_server_set(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ "max-waiting-threads", 0, true, SRV_MAX_WAITING },
		{ "verbose", 'v', false, SRV_VERBOSE },
		{ NULL, 0, false, 0 },
	};
	struct server_reply r = { 0 };
	bool have = false, verbose = false;
	uint32_t max = 0;
	struct out out;
	struct opts o;
	int i;

	if (opts_parse(defs, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++) {
		if (o.hits[i].def->id == SRV_VERBOSE) {
			verbose = true;
			continue;
		}
		if (efs_parse_u32_range(o.hits[i].value, 0,
					EFS_MAX_WAITING_THREADS_MAX, &max)) {
			efs_err("--max-waiting-threads: invalid value '%s' (expected 0..%u)",
				o.hits[i].value, EFS_MAX_WAITING_THREADS_MAX);
			return EXIT_FAIL;
		}
		have = true;
	}
	if (!have) {
		efs_err("nothing to change (see efsctl server set --help)");
		return EXIT_FAIL;
	}
	if (server_talk(EFS_CMD_SERVER_SET, &max, &r))
		return EXIT_FAIL;
	if (verbose) {
		out_init(&out, stdout, false, true);
		efs_print_server(&out, &r.s);
	}
	return EXIT_OK;
}
