/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one request costs a filesystem's budgets: its ops bucket
 * (generalPurpose exact, maxIO per-CPU batches) and its byte buckets
 * (bursting: the credit account and the burst-rate peak; provisioned: the
 * peak; elastic: none). Every charge can be refunded exactly, so a caller
 * that asks a budget by charging and gives the charge back when it does
 * not go has charged the request once, whatever path it took.
 *
 * Pure: the clock is an argument, nothing sleeps, no nfsd.
 */
#ifndef EFS_CHARGE_H
#define EFS_CHARGE_H

#include <linux/types.h>

struct efs_fs;

/*
 * Charge units and metered bytes; the ns to wait (0 = go now), counting
 * at most cap_ns of the request's own cost (limiter.h).
 */
u64 efs_charge_fs(struct efs_fs *fs, u32 units, u64 metered, u64 now,
		  u64 cap_ns);
void efs_refund_fs(struct efs_fs *fs, u32 units, u64 metered);
/* The byte budget alone (COPY's chunks), uncapped. */
u64 efs_fs_charge_bytes(struct efs_fs *fs, u64 metered, u64 now);
void efs_fs_refund_bytes(struct efs_fs *fs, u64 metered);
/*
 * The budget time a request takes at the rates in force now (the baseline
 * once a bursting filesystem's credits are spent): its fair-queue cost.
 */
u64 efs_charge_cost_ns(struct efs_fs *fs, u32 units, u64 metered, u64 now);

#endif /* EFS_CHARGE_H */
