/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A cluster-scope filesystem's lease: this head's grant of the shared
 * budget (EFS_CMD_FS_GRANT, from efs-clusterd), pure code with the clock
 * passed in (ns, any monotonic clock: efs_now_ns() in the module).
 *
 * While the lease holds (now < expires_ns), the head may admit
 *	ops:   min(the filesystem's ops budget, granted iops)
 *	bytes: the granted bps (the cluster decides bursting and grants
 *	       the permitted throughput)
 * Before the first grant, and once the lease runs out without renewal,
 * it falls to the safe share: budget / heads, heads being the membership
 * size the last grant reported (before any grant: the configured hint,
 * EFS_A_FS_CLUSTER_HEADS). Rounded down, so heads safe shares never sum
 * above the budget. A rate is never 0, which a bucket reads as
 * "unlimited": a grant of 0 (a head that must admit nothing) and a safe
 * share below 1 give 1 unit (byte) per second.
 */
#ifndef EFS_LEASE_H
#define EFS_LEASE_H

#include <linux/types.h>

struct efs_lease {
	u64 iops;		/* units/s granted */
	u64 bps;		/* metered bytes/s granted */
	u64 expires_ns;		/* 0 = never granted */
	u32 heads;		/* membership size last told (>= 1) */
	bool fell_back;		/* the expiry was acted on (event sent) */
};

/* No grant yet: the safe share for heads (0 reads as 1). */
void efs_lease_init(struct efs_lease *l, u32 heads);
/*
 * Check a grant's values against the uapi ranges; 0, or -EINVAL/-ERANGE
 * with the reason in *why.
 */
int efs_lease_check(u64 iops, u64 bps, u32 lease_ms, u32 heads,
		    const char **why);
/* Record a checked grant received at now. */
void efs_lease_grant(struct efs_lease *l, u64 iops, u64 bps, u32 lease_ms,
		     u32 heads, u64 now);
bool efs_lease_active(const struct efs_lease *l, u64 now);
/* ms left on the lease (rounded up), 0 when expired or never granted. */
u32 efs_lease_left_ms(const struct efs_lease *l, u64 now);
/* budget / heads, at least 1. */
u64 efs_lease_safe_share(const struct efs_lease *l, u64 budget);
/* The ops rate in force for a budget of budget units/s (>= 1). */
u64 efs_lease_ops_rate(const struct efs_lease *l, u64 budget, u64 now);
/*
 * The byte rate in force: the grant, at most ceiling (the filesystem's
 * highest rate: burst or provisioned), while the lease holds; else the
 * safe share of safe_bps (what all heads together may always admit: the
 * baseline in bursting mode, whose credits the cluster keeps). A ceiling
 * of 0 means no byte budget (elastic), and then 0 (unlimited) it is.
 */
u64 efs_lease_bps(const struct efs_lease *l, u64 safe_bps, u64 ceiling,
		  u64 now);
/*
 * True once per lease, the first time it is seen expired at now: the
 * caller re-applies the rates and raises the lease-fallback event.
 */
bool efs_lease_expire(struct efs_lease *l, u64 now);

#endif /* EFS_LEASE_H */
