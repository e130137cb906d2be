/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CloudWatch-style counters per filesystem (stats.c): the hot path adds
 * to this CPU's copy; readers sum every CPU's. And the client counts
 * reported beside them.
 */
#ifndef EFS_STATS_H
#define EFS_STATS_H

#include <linux/types.h>
#include "../uapi/linux/efs.h"
#include "meter.h"

struct efs_fs;

/* Per-CPU counters; summed on read. */
struct efs_counters {
	u64 data_read_bytes, data_read_ops;
	u64 data_write_bytes, data_write_ops;
	u64 metadata_bytes, metadata_ops;
	u64 metered_bytes;
	u64 io_units;
	u64 read_class_ops, write_class_ops;	/* PercentIOLimit's */
	u64 throttled_ops, throttle_delay_ns, delay_replies;
	u64 displaced;		/* waits given up for a lighter client */
	u64 tls_ops;		/* requests that came over TLS */
	u64 plaintext_refused;	/* refused by transit-encryption required */
	u64 wait_hist[EFS_WAIT_HIST_BUCKETS];
};

/* Every CPU's counters summed, and TotalIOBytes. */
struct efs_totals {
	struct efs_counters c;
	u64 total_bytes;
};

void efs_stats_add_op(struct efs_fs *fs, enum efs_op_kind kind, u64 bytes,
		      u64 metered);
/* A request: its op, units, read or write op (write), over TLS (tls). */
void efs_stats_add_request(struct efs_fs *fs, enum efs_op_kind kind,
			   u64 bytes, u64 metered, u32 units, bool write,
			   bool tls);
void efs_stats_add_wait(struct efs_fs *fs, u64 waited_ns);
void efs_stats_add_delay_reply(struct efs_fs *fs);
void efs_stats_add_displaced(struct efs_fs *fs);
void efs_stats_add_plaintext_refused(struct efs_fs *fs);
void efs_stats_sum(struct efs_fs *fs, struct efs_totals *t);
/* Counters saved before a module reload, continued (EFS_A_FS_COUNTER_BASE). */
void efs_stats_add_base(struct efs_fs *fs, const struct efs_counters *base);

/* ClientConnections; *lower_bound when some share the overflow entry. */
u32 efs_fs_client_count(struct efs_fs *fs, bool *lower_bound);
/* TlsClientConnections. */
u32 efs_fs_tls_client_count(struct efs_fs *fs);

#endif /* EFS_STATS_H */
