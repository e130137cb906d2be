/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cluster-scope filesystem's lease: this head's grant of the shared
 * budget (EFS_CMD_FS_GRANT, from efs-clusterd), pure code with the clock
 * passed in (ns, any monotonic clock: efs_now_ns() in the module).
 *
 * Stages, by the clock (enum efs_grant_state):
 *  pre-grant  no grant yet: the safe share, budget / heads, heads being
 *             the configured hint (EFS_A_FS_CLUSTER_HEADS);
 *  granted    until the lease's end: ops min(budget, granted iops), bytes
 *             the granted bps (the cluster decides bursting and grants
 *             the permitted throughput), at most the filesystem's ceiling;
 *  safe       the lease ran out without renewal: min(grant, safe share),
 *             heads now the membership size the last grant told (a lapse
 *             never raises what the head admits, so the cluster's
 *             accounting of a silent head holds);
 *  zero       past the grant's forget time, if it had one: 1 unit (byte)
 *             a second, so the cluster's majority may reclaim everything.
 * Shares are rounded down, so heads safe shares never sum above the
 * budget. A rate is never 0, which a bucket reads as "unlimited": a grant
 * of 0 and a share below 1 give 1 unit (byte) per second.
 */
#ifndef EFS_LEASE_H
#define EFS_LEASE_H

#include <linux/types.h>

struct efs_lease {
	u64 iops;		/* units/s granted */
	u64 bps;		/* metered bytes/s granted */
	u64 expires_ns;		/* 0 = never granted */
	u64 forget_ns;		/* 0 = never: the safe share for good */
	u32 heads;		/* membership size last told (>= 1) */
	u8 acted;		/* the stage the rates were last set for */
	u64 told_iops;		/* the grant last announced (an event) */
};

/* No grant yet: the safe share for heads (0 reads as 1). */
void efs_lease_init(struct efs_lease *l, u32 heads);
/*
 * Check a grant's values against the uapi ranges (forget_ms 0: none);
 * 0, or -ERANGE with the reason in *why.
 */
int efs_lease_check(u64 iops, u64 bps, u32 lease_ms, u32 forget_ms,
		    u32 heads, const char **why);
/* Record a checked grant received at now. */
void efs_lease_grant(struct efs_lease *l, u64 iops, u64 bps, u32 lease_ms,
		     u32 forget_ms, u32 heads, u64 now);
/*
 * efs_lease_grant(), and what of it is news for the operator (events):
 * EFS_LEASE_NEWS_HEADS, the membership size changed; EFS_LEASE_NEWS_GRANT,
 * a reallocation: the first grant, one after a lapse, or one that moved
 * by more than a tenth of budget (of the last grant told, budget 0) since
 * the last told, so a grant that wobbles every tick says nothing.
 */
#define EFS_LEASE_NEWS_HEADS	(1U << 0)
#define EFS_LEASE_NEWS_GRANT	(1U << 1)
unsigned int efs_lease_grant_news(struct efs_lease *l, u64 iops, u64 bps,
				  u32 lease_ms, u32 forget_ms, u32 heads,
				  u64 budget, u64 now);
/* enum efs_grant_state at now */
u8 efs_lease_stage(const struct efs_lease *l, u64 now);
bool efs_lease_active(const struct efs_lease *l, u64 now);
/* ms left on the lease (rounded up), 0 when expired or never granted. */
u32 efs_lease_left_ms(const struct efs_lease *l, u64 now);
/* When the stage changes next (ns), 0 if it never does. */
u64 efs_lease_next_ns(const struct efs_lease *l, u64 now);
/* budget / heads, at least 1. */
u64 efs_lease_safe_share(const struct efs_lease *l, u64 budget);
/* The ops rate in force for a budget of budget units/s (>= 1). */
u64 efs_lease_ops_rate(const struct efs_lease *l, u64 budget, u64 now);
/*
 * The byte rate in force. ceiling: the filesystem's highest rate (burst
 * or provisioned), 0 when it has no byte budget (elastic), and then 0
 * (unlimited) it is. safe_bps: what all heads together may always admit
 * (the baseline in bursting mode, whose credits the cluster keeps; the
 * provisioned rate).
 */
u64 efs_lease_bps(const struct efs_lease *l, u64 safe_bps, u64 ceiling,
		  u64 now);
/*
 * The stage at now if the rates were not yet set for it (the caller
 * re-applies them and raises an event for a fall), else
 * EFS_GRANT_STATE_PRE (which is never reached by a change).
 */
u8 efs_lease_advance(struct efs_lease *l, u64 now);

#endif /* EFS_LEASE_H */
