// SPDX-License-Identifier: GPL-2.0
/*
 * metrics: every filesystem in Prometheus text format.
 */
#include <stdio.h>

#include "efsctl.h"
#include "opts.h"
#include "fs_get.h"
#include "print.h"

const char cmd_metrics_usage[] =
"Usage: efsctl metrics\n"
"\n"
"Print the counters and gauges of every filesystem in the Prometheus text\n"
"exposition format (0.0.4), e.g. for node_exporter's textfile collector:\n"
"  efsctl metrics > efs.prom.$$ && mv efs.prom.$$ /var/lib/node_exporter/efs.prom\n"
"Metrics are named efs_*, labelled fs, mode and throughput_mode; the\n"
"histogram efs_throttle_wait_seconds holds how long throttled requests\n"
"waited.\n"
"\n"
"Options:\n"
"  -h, --help\n";

int cmd_metrics(int argc, char **argv)
{
	struct efs_fs_list l = { 0 };
	struct opts o;

	if (opts_parse(NULL, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	if (efs_fs_fetch_sorted(NULL, &l))
		return EXIT_FAIL;
	efs_prom_print(stdout, l.v, l.n);
	efs_fs_list_free(&l);
	return EXIT_OK;
}
