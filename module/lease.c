// SPDX-License-Identifier: GPL-2.0
/*
 * Leases on a cluster filesystem's budget (see lease.h).
 */
#include <linux/errno.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/time64.h>

#include "../uapi/linux/efs.h"
#include "lease.h"

void efs_lease_init(struct efs_lease *l, u32 heads)
{
	l->iops = 0;
	l->bps = 0;
	l->expires_ns = 0;
	l->forget_ns = 0;
	l->heads = max(heads, 1U);
	l->acted = EFS_GRANT_STATE_PRE;
	l->told_iops = 0;
}

int efs_lease_check(u64 iops, u64 bps, u32 lease_ms, u32 forget_ms,
		    u32 heads, const char **why)
{
	if (iops > EFS_IOPS_LIMIT_MAX) {
		*why = "granted iops must be at most 100000000 units/s";
		return -ERANGE;
	}
	if (bps > EFS_PROVISIONED_BPS_MAX && bps != EFS_GRANT_BPS_NONE) {
		*why = "granted throughput must be at most 1 TiB/s (or ~0: none)";
		return -ERANGE;
	}
	if (!lease_ms || lease_ms > EFS_GRANT_LEASE_MS_MAX) {
		*why = "lease must be 1..600000 ms";
		return -ERANGE;
	}
	if (forget_ms && (forget_ms < lease_ms ||
			  forget_ms > EFS_GRANT_FORGET_MS_MAX)) {
		*why = "forget time must be at least the lease and at most 3600000 ms (0: never)";
		return -ERANGE;
	}
	if (!heads || heads > EFS_CLUSTER_HEADS_MAX) {
		*why = "heads must be 1..1024";
		return -ERANGE;
	}
	return 0;
}

void efs_lease_grant(struct efs_lease *l, u64 iops, u64 bps, u32 lease_ms,
		     u32 forget_ms, u32 heads, u64 now)
{
	l->iops = iops;
	l->bps = bps;
	l->expires_ns = now + (u64)lease_ms * NSEC_PER_MSEC;
	l->forget_ns = forget_ms ? now + (u64)forget_ms * NSEC_PER_MSEC : 0;
	l->heads = max(heads, 1U);
	l->acted = EFS_GRANT_STATE_GRANTED;
}

unsigned int efs_lease_grant_news(struct efs_lease *l, u64 iops, u64 bps,
				  u32 lease_ms, u32 forget_ms, u32 heads,
				  u64 budget, u64 now)
{
	bool held = efs_lease_active(l, now);
	u32 heads_before = l->heads;
	unsigned int news = 0;
	u64 moved, step;

	efs_lease_grant(l, iops, bps, lease_ms, forget_ms, heads, now);
	if (l->heads != heads_before)
		news |= EFS_LEASE_NEWS_HEADS;
	moved = iops > l->told_iops ? iops - l->told_iops : l->told_iops - iops;
	step = budget ? budget : l->told_iops;
	if (!held || !l->told_iops || moved * 10 > step) {
		l->told_iops = iops;
		news |= EFS_LEASE_NEWS_GRANT;
	}
	return news;
}

u8 efs_lease_stage(const struct efs_lease *l, u64 now)
{
	if (!l->expires_ns)
		return EFS_GRANT_STATE_PRE;
	if (now < l->expires_ns)
		return EFS_GRANT_STATE_GRANTED;
	if (!l->forget_ns || now < l->forget_ns)
		return EFS_GRANT_STATE_SAFE;
	return EFS_GRANT_STATE_ZERO;
}

bool efs_lease_active(const struct efs_lease *l, u64 now)
{
	return efs_lease_stage(l, now) == EFS_GRANT_STATE_GRANTED;
}

u32 efs_lease_left_ms(const struct efs_lease *l, u64 now)
{
	if (!efs_lease_active(l, now))
		return 0;
	return (u32)div_u64(l->expires_ns - now + NSEC_PER_MSEC - 1,
			    NSEC_PER_MSEC);
}

u64 efs_lease_next_ns(const struct efs_lease *l, u64 now)
{
	switch (efs_lease_stage(l, now)) {
	case EFS_GRANT_STATE_GRANTED:
		return l->expires_ns;
	case EFS_GRANT_STATE_SAFE:
		return l->forget_ns;
	default:
		return 0;
	}
}

u64 efs_lease_safe_share(const struct efs_lease *l, u64 budget)
{
	return max(div_u64(budget, max(l->heads, 1U)), 1ULL);
}

u64 efs_lease_ops_rate(const struct efs_lease *l, u64 budget, u64 now)
{
	u64 granted = max(min(budget, l->iops), 1ULL);

	switch (efs_lease_stage(l, now)) {
	case EFS_GRANT_STATE_GRANTED:
		return granted;
	case EFS_GRANT_STATE_SAFE:
		return min(granted, efs_lease_safe_share(l, budget));
	case EFS_GRANT_STATE_ZERO:
		return 1;
	default:
		return efs_lease_safe_share(l, budget);
	}
}

u64 efs_lease_bps(const struct efs_lease *l, u64 safe_bps, u64 ceiling,
		  u64 now)
{
	u64 granted, safe;

	if (!ceiling)
		return 0;
	granted = clamp(l->bps, 1ULL, ceiling);
	safe = efs_lease_safe_share(l, min(safe_bps, ceiling));
	switch (efs_lease_stage(l, now)) {
	case EFS_GRANT_STATE_GRANTED:
		return granted;
	case EFS_GRANT_STATE_SAFE:
		return min(granted, safe);
	case EFS_GRANT_STATE_ZERO:
		return 1;
	default:
		return safe;
	}
}

u8 efs_lease_advance(struct efs_lease *l, u64 now)
{
	u8 stage = efs_lease_stage(l, now);

	if (stage == l->acted)
		return EFS_GRANT_STATE_PRE;
	l->acted = stage;
	return stage;
}
