// SPDX-License-Identifier: GPL-2.0
/*
 * fs clients: the active clients of one filesystem, by use.
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

enum { CL_JSON = 1, CL_TOP };

const char cmd_fs_clients_usage[] =
"Usage: efsctl fs clients NAME [--json] [--top N]\n"
"\n"
"List the clients of filesystem NAME seen within its client idle time\n"
"(--client-idle-seconds), busiest first (metered bytes/s, then ops/s):\n"
"address, ops/s and metered bytes/s over the last second, requests that\n"
"waited, DELAY/JUKEBOX replies, the NFSv4.1 session slots its replies ask\n"
"it to use while efs holds it back after a DELAY (HELD; \"-\": not held),\n"
"whether its last request came over TLS, its requests refused for not\n"
"coming over TLS (transit-encryption = required), and when each was last\n"
"seen. A client is its source address.\n"
"\"other\" stands for the clients past the server's client table bound,\n"
"counted together.\n"
"Needs CAP_NET_ADMIN (knfsd's own client list is root's too); without it\n"
"efsctl says so and exits 1. How many clients there are (ClientConnections\n"
"in 'fs show') is open to all.\n"
"\n"
"Options:\n"
"  --json      {\"FileSystem\":NAME,\"ClientCount\":N,\"Clients\":[{\"Address\",\n"
"              \"OpsPerSecond\",\"MeteredBytesPerSecond\",\"ThrottledOperations\",\n"
"              \"DelayReplies\",\"LastSeenMsAgo\",\"Operations\",\"MeteredIOBytes\",\n"
"              \"Overflow\",\"Tls\",\"TlsRequests\",\n"
"              \"PlaintextRequestsRefused\",\"BackpressureSlots\"}]}\n"
"  --top N     only the N busiest (default 0: all)\n"
"  -h, --help\n";

int cmd_fs_clients(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ "json", 0, false, CL_JSON },
		{ "top", 0, true, CL_TOP },
		{ NULL, 0, false, 0 },
	};
	struct efs_client_list l = { 0 };
	bool json = false;
	uint32_t top = 0;
	struct nlmsghdr *req;
	struct efs_nl nl;
	struct out out;
	struct opts o;
	int i, err;

	if (opts_parse(defs, argc, argv, &o))
		return EXIT_FAIL;
	if (!o.npos) {
		efs_err("missing NAME");
		return EXIT_FAIL;
	}
	if (o.npos > 1) {
		efs_err("unexpected argument '%s'", o.pos[1]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++) {
		if (o.hits[i].def->id == CL_JSON) {
			json = true;
		} else if (efs_parse_u32_range(o.hits[i].value, 0, UINT32_MAX,
					       &top)) {
			efs_err("--top: invalid value '%s' (expected a count, 0 = all)",
				o.hits[i].value);
			return EXIT_FAIL;
		}
	}
	if (efs_connect(&nl))
		return EXIT_FAIL;
	req = efs_nl_request(&nl, EFS_CMD_CLIENT_GET, true);
	mnl_attr_put_strz(req, EFS_A_FS_NAME, o.pos[0]);
	err = efs_nl_talk(&nl, req, efs_client_collect, &l);
	if (err == -EPERM) {
		efs_err(EFS_CLIENTS_NEED_ADMIN);
	} else if (err) {
		efs_report_nl_error(&nl, err, o.pos[0]);
	}
	if (err) {
		efs_nl_close(&nl);
		efs_client_list_free(&l);
		return EXIT_FAIL;
	}
	efs_nl_close(&nl);
	efs_client_sort(l.v, l.n);
	out_init(&out, stdout, json, true);
	efs_print_clients(&out, o.pos[0], l.v, l.n, top);
	efs_client_list_free(&l);
	return EXIT_OK;
}
