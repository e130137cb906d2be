/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one NFS request costs: ops-budget units and EFS metered bytes.
 * Pure code.
 *
 *	data read:	metered = max(bytes / read_ratio, 4 KiB), 1 unit
 *	data write:	metered = max(bytes, 4 KiB), write_weight units
 *	metadata read:	metered = 4 KiB, 1 unit
 *	metadata write:	metered = 4 KiB, write_weight units
 */
#ifndef EFS_METER_H
#define EFS_METER_H

#include <linux/types.h>

#define EFS_METER_MIN_BYTES	4096ULL

enum efs_op_kind {
	EFS_OP_DATA_READ,
	EFS_OP_DATA_WRITE,
	EFS_OP_META_READ,
	EFS_OP_META_WRITE,
};

static inline bool efs_op_is_write(enum efs_op_kind kind)
{
	return kind == EFS_OP_DATA_WRITE || kind == EFS_OP_META_WRITE;
}

u64 efs_metered_bytes(enum efs_op_kind kind, u64 bytes, u32 read_ratio);
u32 efs_op_units(enum efs_op_kind kind, u32 write_weight);

#endif /* EFS_METER_H */
