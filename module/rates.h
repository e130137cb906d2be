/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A filesystem's budgets in force (rates.c): its configuration (config.h),
 * its stored bytes S and, for a cluster filesystem, its lease (lease.h)
 * turned into its buckets' rates and bursts, with their balances kept
 * across every change; the credit balance and PermittedThroughput as EFS
 * reports them. The time is an argument; the _locked functions are
 * called under efs_registry_lock, or before the filesystem is published.
 */
#ifndef EFS_RATES_H
#define EFS_RATES_H

#include <linux/types.h>

struct efs_config;
struct efs_fs;

/*
 * A new filesystem's budgets (before it is published): its buckets start
 * full, with credit_balance (NULL: the maximum) of burst credits.
 */
void efs_fs_rates_init(struct efs_fs *fs, const struct efs_config *cfg,
		       const u64 *credit_balance, u64 now);
/*
 * Make cfg the filesystem's configuration; bucket state is carried over,
 * and credit_balance (if not NULL) replaces the balance. S is sampled
 * when the metered size becomes automatic.
 */
void efs_fs_apply_locked(struct efs_fs *fs, const struct efs_config *cfg,
			 const u64 *credit_balance, u64 now);
/* S has changed (the sampler): the byte budgets follow it. */
void efs_fs_set_size_locked(struct efs_fs *fs, u64 size, u64 now);
/* S now: the bytes used on the export root's filesystem (statfs). */
u64 efs_fs_sample_size(struct efs_fs *fs);

bool efs_fs_cluster(const struct efs_fs *fs);
/* EFS_CMD_FS_GRANT (see uapi/linux/efs.h) */
struct efs_grant {
	u64 iops, bps;
	u32 lease_ms, forget_ms, heads;
	const u64 *credit_balance;	/* the cluster's, or NULL */
	unsigned int news;		/* out: EFS_LEASE_NEWS_* */
};
/*
 * A cluster filesystem's grant: 0, or an error with the reason in *why.
 * Its expiry is cluster.c's to arm.
 */
int efs_fs_grant_locked(struct efs_fs *fs, struct efs_grant *g, u64 now,
			const char **why);
/* The rates the lease gives at its stage at now (after it advanced). */
void efs_fs_apply_lease_locked(struct efs_fs *fs, u64 now);

/* BurstCreditBalance; a cluster filesystem's is the cluster's. */
u64 efs_fs_credit_balance(struct efs_fs *fs, u64 now);
/* PermittedThroughput (bytes/s, 0: no byte budget). */
u64 efs_fs_permitted_bps(struct efs_fs *fs, u64 now);

#endif /* EFS_RATES_H */
