// SPDX-License-Identifier: GPL-2.0
/*
 * A request's charge against its filesystem's budgets (see charge.h).
 */
#include <linux/minmax.h>
#include "efs.h"
#include "charge.h"
#include "rates.h"

/* The read and write budgets, then the combined one. */
static void efs_charge_ops(struct efs_fs *fs, const struct efs_cost *cost,
			   u64 now, struct efs_wait *w)
{
	struct efs_wait one;

	if (cost->reads) {
		efs_bucket_charge_wait(&fs->read_ops, cost->reads, now, false,
				       &one);
		efs_wait_merge(w, &one);
	}
	if (cost->writes) {
		efs_bucket_charge_wait(&fs->write_ops, cost->writes, now, false,
				       &one);
		efs_wait_merge(w, &one);
	}
	if (!cost->units)
		return;
	if (READ_ONCE(fs->cfg.perf_mode) == EFS_PERF_MAX_IO)
		efs_pcpu_bucket_charge_wait(&fs->ops_pcpu, cost->units, now,
					    &one);
	else
		efs_bucket_charge_wait(&fs->ops, cost->units, now, false, &one);
	efs_wait_merge(w, &one);
}

static void efs_refund_ops(struct efs_fs *fs, const struct efs_cost *cost)
{
	if (cost->reads)
		efs_bucket_refund(&fs->read_ops, cost->reads);
	if (cost->writes)
		efs_bucket_refund(&fs->write_ops, cost->writes);
	if (!cost->units)
		return;
	if (READ_ONCE(fs->cfg.perf_mode) == EFS_PERF_MAX_IO)
		efs_pcpu_bucket_refund(&fs->ops_pcpu, cost->units);
	else
		efs_bucket_refund(&fs->ops, cost->units);
}

static void efs_charge_bytes(struct efs_fs *fs, u64 metered, u64 now,
			     struct efs_wait *w)
{
	struct efs_wait one;

	if (!metered)
		return;
	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		efs_bucket_charge_wait(&fs->credit, metered, now, false,
				       &one);
		efs_wait_merge(w, &one);
		fallthrough;
	case EFS_TP_PROVISIONED:
		efs_bucket_charge_wait(&fs->peak, metered, now, true, &one);
		efs_wait_merge(w, &one);
		break;
	default:
		break;
	}
}

u64 efs_fs_charge_bytes(struct efs_fs *fs, u64 metered, u64 now)
{
	struct efs_wait w = {};

	efs_charge_bytes(fs, metered, now, &w);
	return w.total_ns;
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

void efs_charge_fs(struct efs_fs *fs, const struct efs_cost *cost, u64 now,
		   struct efs_wait *w)
{
	w->total_ns = 0;
	w->debt_ns = 0;
	efs_charge_ops(fs, cost, now, w);
	efs_charge_bytes(fs, cost->metered, now, w);
}

void efs_refund_fs(struct efs_fs *fs, const struct efs_cost *cost)
{
	efs_refund_ops(fs, cost);
	efs_fs_refund_bytes(fs, cost->metered);
}

/* The budget that binds: the longest of the request's times. */
u64 efs_charge_cost_ns(struct efs_fs *fs, const struct efs_cost *cost,
		       u64 now)
{
	u64 ns = efs_cost_to_ns(cost->units, READ_ONCE(fs->ops_rate));

	ns = max(ns, efs_cost_to_ns(cost->reads, READ_ONCE(fs->read_rate)));
	ns = max(ns, efs_cost_to_ns(cost->writes, READ_ONCE(fs->write_rate)));
	return max(ns, efs_cost_to_ns(cost->metered,
				      efs_fs_permitted_bps(fs, now)));
}
