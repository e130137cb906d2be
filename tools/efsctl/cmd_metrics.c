// SPDX-License-Identifier: GPL-2.0
/*
 * metrics: every filesystem in Prometheus text format.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <libmnl/libmnl.h>

#include "clientinfo.h"
#include "efsctl.h"
#include "nl.h"
#include "units.h"
#include "opts.h"
#include "fs_get.h"
#include "print.h"

const char cmd_metrics_usage[] =
"Usage: efsctl metrics [--per-client-top N]\n"
"\n"
"Print the counters and gauges of every filesystem in the Prometheus text\n"
"exposition format (0.0.4), e.g. for node_exporter's textfile collector:\n"
"  efsctl metrics > efs.prom.$$ && mv efs.prom.$$ /var/lib/node_exporter/efs.prom\n"
"Metrics are named efs_*, labelled fs, mode and throughput_mode; the\n"
"histogram efs_throttle_wait_seconds holds how long throttled requests\n"
"waited.\n"
"\n"
"Options:\n"
"  --per-client-top N\n"
"        also efs_client_* series (ops/s, metered bytes/s, throttled,\n"
"        DELAYs) labelled fs and client, for the N busiest clients of\n"
"        each filesystem (1..1000: the series count stays bounded).\n"
"        Listing clients needs CAP_NET_ADMIN: without it they are left\n"
"        out, said once on stderr, and the rest printed (exit status 0)\n"
"  -h, --help\n";

/*
 * The top clients of each filesystem, printed after the fs metrics. A
 * caller without CAP_NET_ADMIN may not list clients (EPERM): their series
 * are left out, said once, and that is not a failure, so an unprivileged
 * exporter keeps its filesystem series.
 */
static int print_clients(const struct efs_fs_list *l, uint32_t top)
{
	struct efs_client_list *cl = calloc(l->n ? l->n : 1, sizeof(*cl));
	struct efs_prom_clients *pc = calloc(l->n ? l->n : 1, sizeof(*pc));
	struct efs_nl nl;
	size_t i;
	int err = 0;

	if (!cl || !pc || efs_connect(&nl)) {
		free(cl);
		free(pc);
		return -1;
	}
	for (i = 0; i < l->n && !err; i++) {
		struct nlmsghdr *req = efs_nl_request(&nl, EFS_CMD_CLIENT_GET, true);

		mnl_attr_put_strz(req, EFS_A_FS_NAME, l->v[i].name);
		err = efs_nl_talk(&nl, req, efs_client_collect, &cl[i]);
		if (err == -EPERM) {
			efs_err("per-client series left out: " EFS_CLIENTS_NEED_ADMIN);
			break;
		}
		if (err) {
			efs_report_nl_error(&nl, err, l->v[i].name);
			break;
		}
		efs_client_sort(cl[i].v, cl[i].n);
		pc[i].fs = l->v[i].name;
		pc[i].v = cl[i].v;
		pc[i].n = cl[i].n < top ? cl[i].n : top;
	}
	efs_nl_close(&nl);
	if (!err)
		efs_prom_print_clients(stdout, pc, l->n);
	for (i = 0; i < l->n; i++)
		efs_client_list_free(&cl[i]);
	free(cl);
	free(pc);
	return err && err != -EPERM ? -1 : 0;
}

int cmd_metrics(int argc, char **argv)
{
	static const struct opt_def defs[] = {
		{ "per-client-top", 0, true, 1 },
		{ NULL, 0, false, 0 },
	};
	struct efs_fs_list l = { 0 };
	uint32_t top = 0;
	struct opts o;
	int rc = EXIT_OK;

	if (opts_parse(defs, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	if (o.nhits && efs_parse_u32_range(o.hits[0].value, 1, 1000, &top)) {
		efs_err("--per-client-top: invalid value '%s' (expected 1..1000)",
			o.hits[0].value);
		return EXIT_FAIL;
	}
	if (efs_fs_fetch_sorted(NULL, &l))
		return EXIT_FAIL;
	efs_prom_print(stdout, l.v, l.n);
	if (top && print_clients(&l, top))
		rc = EXIT_FAIL;
	efs_fs_list_free(&l);
	return rc;
}
