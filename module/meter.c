// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of one NFS request (see meter.h): ops-budget units and EFS metered
 * bytes.
 */
#include <linux/math64.h>
#include <linux/minmax.h>

#include "meter.h"

/*
 * Data reads are metered at bytes / read_ratio (EFS: 1/3); a read_ratio of
 * 0 is taken as 1.  Every request counts at least EFS_METER_MIN_BYTES after
 * that discount, metadata operations exactly that.
 */
u64 efs_metered_bytes(enum efs_op_kind kind, u64 bytes, u32 read_ratio)
{
	switch (kind) {
	case EFS_OP_DATA_READ:
		bytes = div_u64(bytes, read_ratio ? read_ratio : 1);
		return max(bytes, EFS_METER_MIN_BYTES);
	case EFS_OP_DATA_WRITE:
		return max(bytes, EFS_METER_MIN_BYTES);
	case EFS_OP_META_READ:
	case EFS_OP_META_WRITE:
	default:
		return EFS_METER_MIN_BYTES;
	}
}

/*
 * Reads cost 1 unit, writes write_weight units (EFS: 5).  A write_weight
 * of 0 is taken as 1: every operation uses some of the ops budget.
 */
u32 efs_op_units(enum efs_op_kind kind, u32 write_weight)
{
	if (efs_op_is_write(kind))
		return write_weight ? write_weight : 1;
	return 1;
}
