/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What one request costs a filesystem's budgets (struct efs_cost, meter.h):
 * its read or write budget (one op, exact buckets), the combined ops
 * budget of the older model (units; generalPurpose exact, maxIO per-CPU
 * batches) and its byte buckets (bursting: the credit account and the
 * burst-rate peak; provisioned: the peak; elastic: none). A budget not in
 * force (rate 0) costs one read of its rate. Every charge can be refunded
 * exactly, so a caller that asks the budgets by charging and gives the
 * charge back when it does not go has charged the request once against
 * each, whatever path it took.
 *
 * Pure: the clock is an argument, nothing sleeps, no nfsd.
 */
#ifndef EFS_CHARGE_H
#define EFS_CHARGE_H

#include <linux/types.h>
#include "limiter.h"
#include "meter.h"

struct efs_fs;

/*
 * Charge cost against every budget in force; *w says how long to wait
 * and how much of that is debt before the request (limiter.h), for the
 * budget that binds. total_ns 0: go now.
 */
void efs_charge_fs(struct efs_fs *fs, const struct efs_cost *cost, u64 now,
		   struct efs_wait *w);
void efs_refund_fs(struct efs_fs *fs, const struct efs_cost *cost);
/* The byte budget alone (COPY's chunks): the whole wait. */
u64 efs_fs_charge_bytes(struct efs_fs *fs, u64 metered, u64 now);
void efs_fs_refund_bytes(struct efs_fs *fs, u64 metered);
/*
 * The budget time a request takes at the rates in force now (the baseline
 * once a bursting filesystem's credits are spent): its fair-queue cost.
 */
u64 efs_charge_cost_ns(struct efs_fs *fs, const struct efs_cost *cost,
		       u64 now);

#endif /* EFS_CHARGE_H */
