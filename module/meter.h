/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one NFS request costs: ops-budget units, one read or one write op,
 * and EFS metered bytes. Pure code.
 *
 *	data read:	metered = max(bytes / read_ratio, 4 KiB), 1 unit, 1 read
 *	data write:	metered = max(bytes, 4 KiB), write_weight units, 1 write
 *	metadata read:	metered = 4 KiB, 1 unit, 1 read
 *	metadata write:	metered = 4 KiB, write_weight units, 1 write
 *
 * Units are the combined budget's (the older model, --iops-limit and
 * --write-op-weight); reads and writes the read and write budgets' (EFS's
 * read and write IOPS limits).
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

/*
 * What a charge asks of a filesystem's budgets (charge.c): the whole
 * request, or what a later step of it adds. reads and writes are 0 or 1.
 */
struct efs_cost {
	u32 units;		/* the combined budget */
	u16 reads;		/* the read budget */
	u16 writes;		/* the write budget */
	u64 metered;		/* the byte budgets */
};

/* One request of kind: its units and its read or write op. */
static inline void efs_op_cost(struct efs_cost *cost, enum efs_op_kind kind,
			       u32 write_weight, u64 metered)
{
	bool write = efs_op_is_write(kind);

	cost->units = efs_op_units(kind, write_weight);
	cost->reads = !write;
	cost->writes = write;
	cost->metered = metered;
}

#endif /* EFS_METER_H */
