/* SPDX-License-Identifier: GPL-2.0 */
/*
 * efs-clusterd's view of the cluster, read from its status file (JSON,
 * rewritten every second, mode 0644: tools/efs-clusterd/status.c):
 * finding the file, reading and checking it, and printing it as text or
 * as Prometheus gauges. `efsctl cluster status` and `efsctl metrics` use
 * it; nothing here talks to the kernel.
 */
#ifndef EFSCTL_CLUSTER_STATUS_H
#define EFSCTL_CLUSTER_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "jsonparse.h"

#ifndef EFS_SYSCONFDIR
#define EFS_SYSCONFDIR "/etc"
#endif
#define EFS_CLUSTER_CONF	EFS_SYSCONFDIR "/efs/cluster.conf"
#define EFS_CLUSTER_STATUS	"/run/efs/cluster.json"
/* The daemon rewrites the file every second: older than this, it stopped. */
#define EFS_CLUSTER_STATUS_MAX_AGE_S	5

/* A value the status file gives as null: unlimited (no byte budget). */
#define EFS_CL_NULL	UINT64_MAX

struct efs_cl_member {
	uint32_t node_id;
	const char *name;
};

struct efs_cl_head {
	uint32_t node_id;
	int settings_agree;	/* 1, 0, or -1 when the file does not say */
	uint64_t used_iops, demand_iops, granted_iops;
	uint64_t used_bps, demand_bps, granted_bps;
};

struct efs_cl_fs {
	const char *name;
	uint64_t iops_limit, permitted_bps, burst_credit_balance;
	struct efs_cl_head *heads;
	size_t nheads;
};

struct efs_cl_status {
	struct jv *doc;		/* the whole file; the strings point into it */
	const char *cluster;
	bool quorate;
	int synced;		/* 1, 0, or -1 when the file does not say */
	uint32_t local_node_id;
	struct efs_cl_member *members;
	size_t nmembers;
	struct efs_cl_fs *fs;
	size_t nfs;
};

/*
 * Which status file: opt (--status-file) if given; else the status-file
 * key of [daemon] in the cluster.conf at conf (a missing file: the
 * default); else EFS_CLUSTER_STATUS. Returns 0 with the path, 1 when the
 * configuration turns the status file off (empty or "none"), -1 with a
 * message in err (an unreadable or malformed cluster.conf).
 */
int efs_cl_status_path(const char *opt, const char *conf, char *path,
		       size_t len, char *err, size_t errlen);

enum efs_cl_read {
	EFS_CL_OK = 0,
	EFS_CL_MISSING,		/* no such file */
	EFS_CL_STALE,		/* not rewritten within max_age_s */
	EFS_CL_MALFORMED,	/* not JSON, or not the daemon's shape */
	EFS_CL_ERROR,		/* unreadable */
};

/*
 * Read and check path; now is the wall clock. On EFS_CL_OK st holds it
 * (efs_cl_status_free); otherwise err says what is wrong, with the path,
 * in one line (EFS_CL_STALE: how old it is).
 */
enum efs_cl_read efs_cl_status_read(const char *path, time_t now,
				    unsigned int max_age_s,
				    struct efs_cl_status *st,
				    char *err, size_t errlen);
/* The checks alone, on text already read (tests, fuzzing). */
int efs_cl_status_parse(const char *text, size_t len,
			struct efs_cl_status *st, char *err, size_t errlen);
void efs_cl_status_free(struct efs_cl_status *st);

/* cluster status: the readable view. */
void efs_cl_status_print_text(FILE *f, const struct efs_cl_status *st);
/* cluster status --json: the file's document, every key kept, indented. */
void efs_cl_status_print_json(FILE *f, const struct efs_cl_status *st);
/* metrics: efs_cluster_* gauges (Prometheus text format 0.0.4). */
void efs_cl_status_print_prom(FILE *f, const struct efs_cl_status *st);

#endif
