// SPDX-License-Identifier: GPL-2.0
/*
 * EFS bursting throughput rules (see credit.h), integer arithmetic only.
 * Rates are bytes per second, sizes and credits bytes.
 */
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>

#include "credit.h"

/* 50 KiB/s per GiB = 50 / 2^20 of S; 100 MiB/s per TiB = 100 / 2^20. */
#define EFS_BASELINE_PER_MIB	50ULL
#define EFS_BURST_PER_MIB	100ULL

#define EFS_BASELINE_MIN	EFS_MIB
#define EFS_BURST_MIN		(100 * EFS_MIB)
/* 2.1 TiB, rounded down: 21 * TiB / 10. */
#define EFS_CREDIT_MAX_MIN	(21 * EFS_TIB / 10)

/*
 * floor(size * per_mib / 2^20) without overflow: with size = hi * 2^20 + lo,
 * hi * per_mib < 2^44 * 100 and lo * per_mib < 2^20 * 100 both fit.
 */
static u64 efs_per_mib(u64 size, u64 per_mib)
{
	return (size >> 20) * per_mib + (((size & (EFS_MIB - 1)) * per_mib) >> 20);
}

u64 efs_baseline_bps(u64 size_bytes)
{
	return max(EFS_BASELINE_MIN,
		   efs_per_mib(size_bytes, EFS_BASELINE_PER_MIB));
}

u64 efs_burst_bps(u64 size_bytes)
{
	return max(EFS_BURST_MIN, efs_per_mib(size_bytes, EFS_BURST_PER_MIB));
}

/* floor(size * 21 / 10), saturating at U64_MAX. */
u64 efs_credit_max(u64 size_bytes)
{
	u64 q, whole;
	u32 r;

	if (size_bytes < EFS_TIB)
		return EFS_CREDIT_MAX_MIN;

	q = div_u64_rem(size_bytes, 10, &r);
	if (check_mul_overflow(q, 21ULL, &whole))
		return U64_MAX;
	if (check_add_overflow(whole, (u64)r * 21 / 10, &whole))
		return U64_MAX;
	return whole;
}

u64 efs_provisioned_permitted_bps(u64 provisioned_bps, u64 size_bytes)
{
	return max(provisioned_bps, efs_baseline_bps(size_bytes));
}
