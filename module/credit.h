/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EFS bursting throughput rules, pure arithmetic (DESIGN.md section 1).
 * S is the filesystem's stored bytes. All results saturate at U64_MAX.
 *
 *	baseline  = max(1 MiB/s, 50 KiB/s per GiB of S)
 *	burst     = max(100 MiB/s, 100 MiB/s per TiB of S)
 *	max credit = 2.1 TiB if S < 1 TiB, else 2.1 TiB per TiB of S
 *	provisioned permitted = max(provisioned, baseline(S))
 *
 * "per GiB/TiB" is proportional (S need not be a whole GiB).
 */
#ifndef EFS_CREDIT_H
#define EFS_CREDIT_H

#include <linux/types.h>

#define EFS_MIB		(1ULL << 20)
#define EFS_GIB		(1ULL << 30)
#define EFS_TIB		(1ULL << 40)

u64 efs_baseline_bps(u64 size_bytes);
u64 efs_burst_bps(u64 size_bytes);
u64 efs_credit_max(u64 size_bytes);
u64 efs_provisioned_permitted_bps(u64 provisioned_bps, u64 size_bytes);

#endif /* EFS_CREDIT_H */
