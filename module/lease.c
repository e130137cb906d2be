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
	l->heads = max(heads, 1U);
	l->fell_back = false;
}

int efs_lease_check(u64 iops, u64 bps, u32 lease_ms, u32 heads,
		    const char **why)
{
	if (iops > EFS_IOPS_LIMIT_MAX) {
		*why = "granted iops must be at most 100000000 units/s";
		return -ERANGE;
	}
	if (bps > EFS_PROVISIONED_BPS_MAX) {
		*why = "granted throughput must be at most 1 TiB/s";
		return -ERANGE;
	}
	if (!lease_ms || lease_ms > EFS_GRANT_LEASE_MS_MAX) {
		*why = "lease must be 1..600000 ms";
		return -ERANGE;
	}
	if (!heads || heads > EFS_CLUSTER_HEADS_MAX) {
		*why = "heads must be 1..1024";
		return -ERANGE;
	}
	return 0;
}

void efs_lease_grant(struct efs_lease *l, u64 iops, u64 bps, u32 lease_ms,
		     u32 heads, u64 now)
{
	l->iops = iops;
	l->bps = bps;
	l->expires_ns = now + (u64)lease_ms * NSEC_PER_MSEC;
	l->heads = max(heads, 1U);
	l->fell_back = false;
}

bool efs_lease_active(const struct efs_lease *l, u64 now)
{
	return l->expires_ns && now < l->expires_ns;
}

u32 efs_lease_left_ms(const struct efs_lease *l, u64 now)
{
	if (!efs_lease_active(l, now))
		return 0;
	return (u32)div_u64(l->expires_ns - now + NSEC_PER_MSEC - 1,
			    NSEC_PER_MSEC);
}

u64 efs_lease_safe_share(const struct efs_lease *l, u64 budget)
{
	return max(div_u64(budget, max(l->heads, 1U)), 1ULL);
}

u64 efs_lease_ops_rate(const struct efs_lease *l, u64 budget, u64 now)
{
	if (efs_lease_active(l, now))
		return max(min(budget, l->iops), 1ULL);
	return efs_lease_safe_share(l, budget);
}

u64 efs_lease_bps(const struct efs_lease *l, u64 safe_bps, u64 ceiling,
		  u64 now)
{
	if (!ceiling)
		return 0;
	if (efs_lease_active(l, now))
		return clamp(l->bps, 1ULL, ceiling);
	return efs_lease_safe_share(l, min(safe_bps, ceiling));
}

bool efs_lease_expire(struct efs_lease *l, u64 now)
{
	if (!l->expires_ns || l->fell_back || now < l->expires_ns)
		return false;
	l->fell_back = true;
	return true;
}
