// SPDX-License-Identifier: GPL-2.0
/*
 * A filesystem's budgets in force (see rates.h): its configuration, its
 * stored bytes S and, for a cluster filesystem, its lease, turned into
 * the rates and bursts of its buckets. A change keeps every bucket's
 * balance (limiter.h): live reconfiguration neither forgives debt nor
 * refills.
 */
#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/statfs.h>
#include "efs.h"
#include "credit.h"
#include "rates.h"

/* maxIO: each CPU takes 1 ms of budget from the shared bucket at a time. */
#define EFS_PCPU_BATCH_DIV	1000

/* S: the bytes used on the export root's filesystem (statfs). */
u64 efs_fs_sample_size(struct efs_fs *fs)
{
	struct kstatfs st;

	if (vfs_statfs(&fs->path, &st) || st.f_blocks < st.f_bfree)
		return fs->size_bytes;
	return (st.f_blocks - st.f_bfree) * st.f_bsize;
}

bool efs_fs_cluster(const struct efs_fs *fs)
{
	return READ_ONCE(fs->cfg.scope) == EFS_SCOPE_CLUSTER;
}

/* A cluster filesystem's credits are the cluster's: the last one known. */
u64 efs_fs_credit_balance(struct efs_fs *fs, u64 now)
{
	if (efs_fs_cluster(fs))
		return READ_ONCE(fs->cluster_credit);
	return efs_bucket_balance(&fs->credit, now);
}

/*
 * Byte budgets follow S and the throughput mode; the balance is kept.
 * A cluster filesystem's credit bucket is unlimited (rate 0): the cluster
 * keeps one credit balance for every head, decides whether the filesystem
 * bursts, and grants each head its part of the permitted throughput,
 * which the peak bucket enforces (efs_lease_bps(): the grant while the
 * lease holds, else a safe share of the baseline, or of the provisioned
 * rate). charge.c charges both buckets as before.
 */
static void efs_fs_apply_bytes(struct efs_fs *fs, u64 now)
{
	const struct efs_config *cfg = &fs->cfg;
	u64 s = fs->size_bytes;
	u64 baseline = efs_baseline_bps(s);
	u64 peak = 0, safe = 0;

	efs_bucket_set_rate(&fs->credit,
			    cfg->scope == EFS_SCOPE_CLUSTER ? 0 : baseline,
			    efs_credit_max(s), now);
	switch (cfg->tp_mode) {
	case EFS_TP_BURSTING:
		peak = efs_burst_bps(s);
		safe = baseline;
		break;
	case EFS_TP_PROVISIONED:
		peak = efs_provisioned_permitted_bps(cfg->provisioned_bps, s);
		safe = peak;
		break;
	default:		/* elastic: metering only */
		break;
	}
	if (cfg->scope == EFS_SCOPE_CLUSTER)
		peak = efs_lease_bps(&fs->lease, safe, peak, now);
	efs_bucket_set_rate(&fs->peak, peak, efs_bytes_burst(peak), now);
	WRITE_ONCE(fs->permitted_bps, peak);
}

/* A cluster head's part of a read or write budget: its grant's share. */
static u64 efs_fs_rw_share(u64 rw, u64 granted, u64 budget)
{
	if (!rw || !budget || granted >= budget)
		return rw;
	return max(mul_u64_u64_div_u64(rw, granted, budget), 1ULL);
}

/*
 * The ops budgets in force. A cluster filesystem's combined budget
 * follows its lease, and its read and write budgets are cut in the same
 * proportion, so the heads together stay within each.
 */
static void efs_fs_apply_ops(struct efs_fs *fs, u64 now)
{
	const struct efs_config *cfg = &fs->cfg;
	u64 budget = efs_config_ops_rate(cfg), rate = budget;
	u64 rd = efs_config_read_iops(cfg), wr = efs_config_write_iops(cfg);

	if (cfg->scope == EFS_SCOPE_CLUSTER && budget) {
		rate = efs_lease_ops_rate(&fs->lease, budget, now);
		rd = efs_fs_rw_share(rd, rate, budget);
		wr = efs_fs_rw_share(wr, rate, budget);
	}
	efs_bucket_set_rate(&fs->ops, rate, efs_ops_burst(cfg, rate), now);
	efs_pcpu_bucket_set_rate(&fs->ops_pcpu, rate, efs_ops_burst(cfg, rate),
				 rate / EFS_PCPU_BATCH_DIV, now);
	WRITE_ONCE(fs->ops_rate, rate);
	efs_bucket_set_rate(&fs->read_ops, rd, efs_rw_burst(rd), now);
	WRITE_ONCE(fs->read_rate, rd);
	efs_bucket_set_rate(&fs->write_ops, wr, efs_rw_burst(wr), now);
	WRITE_ONCE(fs->write_rate, wr);
}

/*
 * The scope changes: a new cluster filesystem starts at the safe share
 * (no grant yet) with the balance it had; a filesystem going back to
 * local keeps its grant no longer, and takes the cluster's last balance.
 */
static void efs_fs_scope_change(struct efs_fs *fs, const struct efs_config *cfg,
				u64 now)
{
	u64 balance;

	if (cfg->scope == fs->cfg.scope) {
		/* The hint counts until a grant tells the membership. */
		if (!fs->lease.expires_ns)
			fs->lease.heads = cfg->cluster_heads;
		return;
	}
	efs_lease_init(&fs->lease, cfg->cluster_heads);
	if (cfg->scope == EFS_SCOPE_CLUSTER) {
		WRITE_ONCE(fs->cluster_credit,
			   efs_bucket_balance(&fs->credit, now));
	} else {
		balance = READ_ONCE(fs->cluster_credit);
		/* Unlimited until now: back to its rate, then the balance. */
		efs_bucket_set_rate(&fs->credit, efs_baseline_bps(fs->size_bytes),
				    efs_credit_max(fs->size_bytes), now);
		efs_bucket_set_balance(&fs->credit, balance, now);
	}
}

void efs_fs_set_size_locked(struct efs_fs *fs, u64 size, u64 now)
{
	if (size == fs->size_bytes)
		return;
	fs->size_bytes = size;
	efs_fs_apply_bytes(fs, now);
}

void efs_fs_apply_locked(struct efs_fs *fs, const struct efs_config *cfg,
			 const u64 *credit_balance, u64 now)
{
	bool size_changed = cfg->metered_size != fs->cfg.metered_size;
	bool perf_changed = cfg->perf_mode != fs->cfg.perf_mode;
	u64 bps;

	efs_fs_scope_change(fs, cfg, now);
	fs->cfg = *cfg;		/* hot paths READ_ONCE() single fields */

	efs_fs_apply_ops(fs, now);
	/* The ops budget carries over between the two modes' buckets. */
	if (perf_changed && cfg->perf_mode == EFS_PERF_MAX_IO)
		efs_bucket_set_balance(&fs->ops_pcpu.shared,
				       efs_bucket_balance(&fs->ops, now), now);
	else if (perf_changed)
		efs_bucket_set_balance(&fs->ops,
				       efs_bucket_balance(&fs->ops_pcpu.shared,
							  now), now);

	if (cfg->metered_size != EFS_METERED_SIZE_AUTO)
		fs->size_bytes = cfg->metered_size;
	else if (size_changed)
		fs->size_bytes = efs_fs_sample_size(fs);
	efs_fs_apply_bytes(fs, now);
	if (credit_balance && cfg->scope == EFS_SCOPE_CLUSTER)
		WRITE_ONCE(fs->cluster_credit,
			   min(*credit_balance, efs_credit_max(fs->size_bytes)));
	else if (credit_balance)
		efs_bucket_set_balance(&fs->credit, *credit_balance, now);

	/* Clients pick their new ceilings up at their next request. */
	bps = efs_config_client_bps(cfg);
	efs_clients_set_ceilings(&fs->clients, cfg->per_client_iops,
				 efs_ops_burst(cfg, cfg->per_client_iops),
				 bps, efs_bytes_burst(bps));
}

/* A new filesystem's budgets: its buckets start full, as a new EFS one. */
void efs_fs_rates_init(struct efs_fs *fs, const struct efs_config *cfg,
		       const u64 *credit_balance, u64 now)
{
	efs_bucket_init(&fs->ops, 0, 1, now);
	efs_bucket_init(&fs->read_ops, 0, 1, now);
	efs_bucket_init(&fs->write_ops, 0, 1, now);
	efs_bucket_init(&fs->credit, 0, 1, now);
	efs_bucket_init(&fs->peak, 0, 1, now);
	efs_lease_init(&fs->lease, cfg->cluster_heads);
	fs->cfg = *cfg;
	fs->size_bytes = cfg->metered_size != EFS_METERED_SIZE_AUTO ?
			 cfg->metered_size : efs_fs_sample_size(fs);
	fs->cfg.metered_size = cfg->metered_size;
	efs_fs_apply_locked(fs, cfg, NULL, now);
	efs_bucket_set_balance(&fs->ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->ops_pcpu.shared, U64_MAX, now);
	efs_bucket_set_balance(&fs->read_ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->write_ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->peak, U64_MAX, now);
	efs_bucket_set_balance(&fs->credit, credit_balance ? *credit_balance :
			       U64_MAX, now);
	fs->cluster_credit = min(credit_balance ? *credit_balance : U64_MAX,
				 efs_credit_max(fs->size_bytes));
}

/* The rates a cluster filesystem's lease sets, at its stage at now. */
void efs_fs_apply_lease_locked(struct efs_fs *fs, u64 now)
{
	efs_fs_apply_ops(fs, now);
	efs_fs_apply_bytes(fs, now);
}

/* EFS_CMD_FS_GRANT: this head's lease on a cluster filesystem's budget. */
int efs_fs_grant_locked(struct efs_fs *fs, struct efs_grant *g, u64 now,
			const char **why)
{
	int err;

	if (fs->cfg.scope != EFS_SCOPE_CLUSTER) {
		*why = "not a cluster filesystem: grants are for scope cluster (fs set --scope cluster)";
		return -EINVAL;
	}
	err = efs_lease_check(g->iops, g->bps, g->lease_ms, g->forget_ms,
			      g->heads, why);
	if (err)
		return err;
	g->news = efs_lease_grant_news(&fs->lease, g->iops, g->bps,
				       g->lease_ms, g->forget_ms, g->heads,
				       efs_config_ops_rate(&fs->cfg), now);
	if (g->credit_balance)
		WRITE_ONCE(fs->cluster_credit,
			   min(*g->credit_balance,
			       efs_credit_max(fs->size_bytes)));
	efs_fs_apply_lease_locked(fs, now);
	return 0;
}

/*
 * PermittedThroughput as EFS reports it: the burst rate while bursting
 * credits last, then the baseline (credits count as spent when less than
 * a second of baseline is left, as for the CreditsExhausted event); the
 * provisioned rate; 0 for elastic (no byte budget).
 */
u64 efs_fs_permitted_bps(struct efs_fs *fs, u64 now)
{
	u64 baseline = efs_baseline_bps(fs->size_bytes);

	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		/* A cluster head's: what its lease gives (the cluster's). */
		if (efs_fs_cluster(fs))
			return READ_ONCE(fs->permitted_bps);
		if (efs_fs_credit_balance(fs, now) < baseline)
			return baseline;
		return READ_ONCE(fs->permitted_bps);
	case EFS_TP_PROVISIONED:
		return READ_ONCE(fs->permitted_bps);
	default:
		return 0;
	}
}
