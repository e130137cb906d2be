/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Printers: each takes decoded records (struct efs_fs_info), never netlink
 * messages, and writes text or JSON through struct out (or Prometheus text).
 */
#ifndef EFSCTL_PRINT_H
#define EFSCTL_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fsinfo.h"
#include "output.h"

/* fs show: {"FileSystems":[...]} or text blocks ("no filesystems"). */
void efs_print_fs_list(struct out *o, const struct efs_fs_info *fs, size_t n);
void efs_print_fs(struct out *o, const struct efs_fs_info *fs);

/*
 * fs stats: totals of cur; with prev (elapsed_ns > 0) also per-second rates
 * of the counters. wall_ns (ns since the epoch) labels text blocks when
 * watching; 0 leaves it out.
 */
void efs_print_stats(struct out *o, const struct efs_fs_info *cur,
		     const struct efs_fs_info *prev, uint64_t elapsed_ns,
		     uint64_t wall_ns);

/* metrics: Prometheus text exposition format 0.0.4. */
void efs_prom_print(FILE *f, const struct efs_fs_info *fs, size_t n);
/* The busiest clients of one filesystem, for efs_prom_print_clients(). */
struct efs_client_info;
struct efs_prom_clients {
	const char *fs;
	const struct efs_client_info *v;
	size_t n;
};
void efs_prom_print_clients(FILE *f, const struct efs_prom_clients *pc,
			    size_t nfs);
/* Label value escaping: backslash, double quote, newline. */
void efs_prom_escape(FILE *f, const char *s);

/* Sort records by name (stable output). */
void efs_fs_sort(struct efs_fs_info *fs, size_t n);

#endif
