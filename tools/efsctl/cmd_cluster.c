// SPDX-License-Identifier: GPL-2.0
/*
 * cluster status [--json] [--status-file FILE] [-c CONF]: efs-clusterd's
 * view of the cluster (membership, quorum, each cluster filesystem's
 * budget and every head's use, demand and grant), read from the status
 * file the daemon rewrites every second. No netlink, no privilege.
 */
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "cluster_status.h"
#include "efsctl.h"
#include "opts.h"

/* exit statuses besides 0 and 1 */
#define EXIT_CLUSTER_NO_STATUS	2
#define EXIT_CLUSTER_STALE	3

enum { CL_OPT_JSON = 1, CL_OPT_STATUS_FILE, CL_OPT_CONFIG };

const char cmd_cluster_status_usage[] =
"Usage: efsctl cluster status [--json] [--status-file FILE] [-c CONF]\n"
"\n"
"efs-clusterd's view of the cluster: its name, whether this head's side is\n"
"quorate, this head's node id, the members, and per cluster filesystem\n"
"its IOPS limit, permitted throughput and burst credit balance, with\n"
"every head's used, demanded and granted IOPS and throughput. Read from\n"
"the status file efs-clusterd rewrites every second; needs no privilege.\n"
"\n"
"Options:\n"
"  --json         the status as one JSON document: Cluster, Quorate,\n"
"                 LocalNodeId, Members [NodeId, Name], FileSystems [Name,\n"
"                 IopsLimit, PermittedThroughput, BurstCreditBalance,\n"
"                 Heads [NodeId, UsedIops, DemandIops, GrantedIops,\n"
"                 UsedThroughput, DemandThroughput, GrantedThroughput]]\n"
"                 and the daemon's other keys (Synced, Reservations, ...);\n"
"                 throughputs in bytes/s, null when unlimited\n"
"  --status-file FILE\n"
"                 read FILE (default: status-file in [daemon] of CONF,\n"
"                 else " EFS_CLUSTER_STATUS ")\n"
"  -c, --config CONF\n"
"                 efs-clusterd's configuration (default " EFS_CLUSTER_CONF ")\n"
"  -h, --help\n"
"\n"
"In the text, '*' marks this head and '!' a head whose settings of the\n"
"filesystem differ from the others' (it gets no grant until they agree).\n"
"\n"
"Exit status: 0 the status was printed; 1 an error (usage, an unreadable\n"
"or malformed file); 2 no status file (efs-clusterd is not running or\n"
"writes none); 3 the file is older than 5 s (efs-clusterd stopped\n"
"writing it).\n";

static const struct opt_def status_opts[] = {
	{ "json", 0, false, CL_OPT_JSON },
	{ "status-file", 0, true, CL_OPT_STATUS_FILE },
	{ "config", 'c', true, CL_OPT_CONFIG },
	{ NULL, 0, false, 0 },
};

int cmd_cluster_status(int argc, char **argv)
{
	const char *status_file = NULL, *conf = EFS_CLUSTER_CONF;
	struct efs_cl_status st;
	char path[PATH_MAX], err[PATH_MAX + 256];
	bool json = false;
	struct opts o;
	int i, rc;

	if (opts_parse(status_opts, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++) {
		switch (o.hits[i].def->id) {
		case CL_OPT_JSON:
			json = true;
			break;
		case CL_OPT_STATUS_FILE:
			status_file = o.hits[i].value;
			if (!*status_file) {
				efs_err("--status-file: empty file name");
				return EXIT_FAIL;
			}
			break;
		case CL_OPT_CONFIG:
			conf = o.hits[i].value;
			break;
		}
	}

	rc = efs_cl_status_path(status_file, conf, path, sizeof(path), err,
				sizeof(err));
	if (rc < 0) {
		efs_err("%s", err);
		return EXIT_FAIL;
	}
	if (rc > 0) {
		efs_err("efs-clusterd writes no status file (status-file is off in %s; give --status-file FILE)",
			conf);
		return EXIT_CLUSTER_NO_STATUS;
	}
	switch (efs_cl_status_read(path, time(NULL),
				   EFS_CLUSTER_STATUS_MAX_AGE_S, &st, err,
				   sizeof(err))) {
	case EFS_CL_OK:
		break;
	case EFS_CL_MISSING:
		efs_err("%s", err);
		return EXIT_CLUSTER_NO_STATUS;
	case EFS_CL_STALE:
		efs_err("%s", err);
		return EXIT_CLUSTER_STALE;
	default:
		efs_err("%s", err);
		return EXIT_FAIL;
	}
	if (json)
		efs_cl_status_print_json(stdout, &st);
	else
		efs_cl_status_print_text(stdout, &st);
	efs_cl_status_free(&st);
	if (fflush(stdout) || ferror(stdout)) {
		efs_err("cannot write the output");
		return EXIT_FAIL;
	}
	return EXIT_OK;
}
