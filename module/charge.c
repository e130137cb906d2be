// SPDX-License-Identifier: GPL-2.0
/*
 * A request's charge against its filesystem's budgets (see charge.h).
 */
#include <linux/minmax.h>
#include "efs.h"
#include "charge.h"

static u64 efs_charge_ops(struct efs_fs *fs, u32 units, u64 now, u64 cap_ns)
{
	if (!units)
		return 0;
	if (READ_ONCE(fs->cfg.perf_mode) == EFS_PERF_MAX_IO)
		return efs_pcpu_bucket_charge(&fs->ops_pcpu, units, now,
					      cap_ns);
	return efs_bucket_charge_capped(&fs->ops, units, now, cap_ns);
}

static void efs_refund_ops(struct efs_fs *fs, u32 units)
{
	if (!units)
		return;
	if (READ_ONCE(fs->cfg.perf_mode) == EFS_PERF_MAX_IO)
		efs_pcpu_bucket_refund(&fs->ops_pcpu, units);
	else
		efs_bucket_refund(&fs->ops, units);
}

static u64 efs_charge_bytes_capped(struct efs_fs *fs, u64 metered, u64 now,
				   u64 cap_ns)
{
	u64 wait = 0;

	if (!metered)
		return 0;
	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		wait = efs_bucket_charge_capped(&fs->credit, metered, now,
						cap_ns);
		fallthrough;
	case EFS_TP_PROVISIONED:
		wait = max(wait, efs_bucket_charge_capped(&fs->peak, metered,
							  now, cap_ns));
		break;
	default:
		break;
	}
	return wait;
}

u64 efs_fs_charge_bytes(struct efs_fs *fs, u64 metered, u64 now)
{
	return efs_charge_bytes_capped(fs, metered, now, U64_MAX);
}

void efs_fs_refund_bytes(struct efs_fs *fs, u64 metered)
{
	if (!metered)
		return;
	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		efs_bucket_refund(&fs->credit, metered);
		fallthrough;
	case EFS_TP_PROVISIONED:
		efs_bucket_refund(&fs->peak, metered);
		break;
	default:
		break;
	}
}

u64 efs_charge_fs(struct efs_fs *fs, u32 units, u64 metered, u64 now,
		  u64 cap_ns)
{
	return max(efs_charge_ops(fs, units, now, cap_ns),
		   efs_charge_bytes_capped(fs, metered, now, cap_ns));
}

void efs_refund_fs(struct efs_fs *fs, u32 units, u64 metered)
{
	efs_refund_ops(fs, units);
	efs_fs_refund_bytes(fs, metered);
}

u64 efs_charge_cost_ns(struct efs_fs *fs, u32 units, u64 metered, u64 now)
{
	return max(efs_cost_to_ns(units, READ_ONCE(fs->ops_rate)),
		   efs_cost_to_ns(metered, efs_fs_permitted_bps(fs, now)));
}
