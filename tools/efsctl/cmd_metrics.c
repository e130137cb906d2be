// SPDX-License-Identifier: GPL-2.0
/*
 * metrics: every filesystem in Prometheus text format, and the cluster's
 * gauges from efs-clusterd's status file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "clientinfo.h"
#include "cluster_status.h"
#include "efsctl.h"
#include "nl.h"
#include "units.h"
#include "opts.h"
#include "fs_get.h"
#include "print.h"

const char cmd_metrics_usage[] =
"Usage: efsctl metrics [--per-client-top N] [--cluster-status FILE]\n"
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
"  --cluster-status FILE\n"
"        efs-clusterd's status file (default: status-file in [daemon] of\n"
"        " EFS_CLUSTER_CONF ", else " EFS_CLUSTER_STATUS ";\n"
"        none: leave the cluster out). While it is fresh (rewritten\n"
"        within 5 s) the efs_cluster_* gauges follow: quorate, members,\n"
"        and per cluster filesystem (labels cluster, fs) its budget and\n"
"        per head (labels node, node_name) used, demanded and granted\n"
"        IOPS and throughput. No file: nothing more, no error; a stale or\n"
"        malformed one is said once on stderr (exit status 0)\n"
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

/*
 * The cluster's gauges when efs-clusterd's status file is there and fresh.
 * A head without the daemon has no file: nothing, quietly. A stale or
 * malformed file is said once on stderr and is not a failure, so the
 * filesystem series keep flowing.
 */
static void print_cluster(const char *opt)
{
	char path[PATH_MAX], err[PATH_MAX + 256];
	struct efs_cl_status st;

	if (opt && !strcmp(opt, "none"))
		return;
	switch (efs_cl_status_path(opt, EFS_CLUSTER_CONF, path, sizeof(path),
				   err, sizeof(err))) {
	case 0:
		break;
	case 1:
		return;		/* status-file = none */
	default:
		efs_err("cluster series left out: %s", err);
		return;
	}
	switch (efs_cl_status_read(path, time(NULL),
				   EFS_CLUSTER_STATUS_MAX_AGE_S, &st, err,
				   sizeof(err))) {
	case EFS_CL_OK:
		efs_cl_status_print_prom(stdout, &st);
		efs_cl_status_free(&st);
		return;
	case EFS_CL_MISSING:
		return;
	default:
		efs_err("cluster series left out: %s", err);
		return;
	}
}

int cmd_metrics(int argc, char **argv)
{
	enum { MET_TOP = 1, MET_CLUSTER };
	static const struct opt_def defs[] = {
		{ "per-client-top", 0, true, MET_TOP },
		{ "cluster-status", 0, true, MET_CLUSTER },
		{ NULL, 0, false, 0 },
	};
	struct efs_fs_list l = { 0 };
	const char *cluster = NULL;
	uint32_t top = 0;
	struct opts o;
	int i, rc = EXIT_OK;

	if (opts_parse(defs, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++) {
		if (o.hits[i].def->id == MET_CLUSTER) {
			cluster = o.hits[i].value;
			if (!*cluster) {
				efs_err("--cluster-status: empty file name");
				return EXIT_FAIL;
			}
		} else if (efs_parse_u32_range(o.hits[i].value, 1, 1000, &top)) {
			efs_err("--per-client-top: invalid value '%s' (expected 1..1000)",
				o.hits[i].value);
			return EXIT_FAIL;
		}
	}
	if (efs_fs_fetch_sorted(NULL, &l))
		return EXIT_FAIL;
	efs_prom_print(stdout, l.v, l.n);
	if (top && print_clients(&l, top))
		rc = EXIT_FAIL;
	efs_fs_list_free(&l);
	print_cluster(cluster);
	return rc;
}
