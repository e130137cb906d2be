// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for charge.c: the charge sequences throttle.c runs for one
 * request leave each budget exactly one charge further on, in every
 * performance mode x throughput mode, with an injected clock.
 *
 *  unthrottled: the fast path's charge, which passes;
 *  throttled:   the fast path's probe and the slow path's probe (each
 *               charged and refunded), then the fair queue's booking;
 *  refused:     a probe, then the booking refused at its deadline.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <linux/time64.h>
#include "efs.h"
#include "charge.h"
#include "credit.h"

#define T0	(100000ULL * NSEC_PER_SEC)
#define MS	((u64)NSEC_PER_MSEC)
#define UNITS	5			/* a write in generalPurpose */
#define METERED	(64ULL << 10)

struct charge_case {
	const char *name;
	u32 perf_mode, tp_mode;
};

static const struct charge_case charge_cases[] = {
	{ "gp_bursting", EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING },
	{ "gp_provisioned", EFS_PERF_GENERAL_PURPOSE, EFS_TP_PROVISIONED },
	{ "gp_elastic", EFS_PERF_GENERAL_PURPOSE, EFS_TP_ELASTIC },
	{ "maxio_bursting", EFS_PERF_MAX_IO, EFS_TP_BURSTING },
	{ "maxio_provisioned", EFS_PERF_MAX_IO, EFS_TP_PROVISIONED },
	{ "maxio_elastic", EFS_PERF_MAX_IO, EFS_TP_ELASTIC },
};

static void charge_case_desc(const struct charge_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(charge, charge_cases, charge_case_desc);

/* 1000 ops units/s, 1 MiB/s of bytes: 1 ms a unit. */
static struct efs_fs *charge_fs(struct kunit *test, const struct charge_case *t)
{
	struct efs_fs *fs = kunit_kzalloc(test, sizeof(*fs), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fs);
	efs_config_defaults(&fs->cfg);
	fs->cfg.perf_mode = t->perf_mode;
	fs->cfg.tp_mode = t->tp_mode;
	fs->ops_rate = 1000;
	efs_bucket_init(&fs->ops, 1000, 50, T0);
	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&fs->ops_pcpu, 1000, 50, 1,
						   T0), 0);
	fs->size_bytes = EFS_GIB;
	efs_bucket_init(&fs->credit, efs_baseline_bps(fs->size_bytes),
			efs_credit_max(fs->size_bytes), T0);
	if (t->tp_mode != EFS_TP_ELASTIC) {
		efs_bucket_init(&fs->peak, EFS_MIB, 256 << 10, T0);
		fs->permitted_bps = EFS_MIB;
	}
	return fs;
}

/* Each bucket's tat, the per-CPU bucket's less its prepaid units. */
struct levels {
	u64 ops, credit, peak;
};

static void read_levels(struct efs_fs *fs, struct levels *l)
{
	l->ops = fs->cfg.perf_mode == EFS_PERF_MAX_IO ?
		 atomic64_read(&fs->ops_pcpu.shared.tat) -
		 *this_cpu_ptr(fs->ops_pcpu.prepaid) * MS :
		 atomic64_read(&fs->ops.tat);
	l->credit = atomic64_read(&fs->credit.tat);
	l->peak = atomic64_read(&fs->peak.tat);
}

/* Where one charge of UNITS and METERED puts the buckets from before. */
static void expect_one_charge(struct kunit *test, struct efs_fs *fs,
			      const struct levels *before)
{
	struct levels now;

	read_levels(fs, &now);
	KUNIT_EXPECT_EQ(test, now.ops, max(before->ops, T0) + UNITS * MS);
	if (fs->cfg.tp_mode == EFS_TP_BURSTING)
		KUNIT_EXPECT_EQ(test, now.credit, max(before->credit, T0) +
				efs_cost_to_ns(METERED, fs->credit.rate));
	else
		KUNIT_EXPECT_EQ(test, now.credit, before->credit);
	if (fs->cfg.tp_mode == EFS_TP_ELASTIC)
		KUNIT_EXPECT_EQ(test, now.peak, before->peak);
	else
		KUNIT_EXPECT_EQ(test, now.peak, max(before->peak, T0) +
				efs_cost_to_ns(METERED, EFS_MIB));
}

/* Charge one request: its wait. */
static u64 charge(struct efs_fs *fs)
{
	struct efs_wait w;

	efs_charge_fs(fs, UNITS, METERED, T0, &w);
	return w.total_ns;
}

static void unthrottled_test(struct kunit *test)
{
	const struct charge_case *t = test->param_value;
	struct efs_fs *fs = charge_fs(test, t);
	struct levels before;

	read_levels(fs, &before);
	KUNIT_EXPECT_EQ(test, charge(fs), 0ULL);
	expect_one_charge(test, fs, &before);
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/* Empty every bucket so the next request must wait. */
static void drain(struct efs_fs *fs)
{
	efs_bucket_set_balance(&fs->ops, 0, T0);
	efs_bucket_set_balance(&fs->ops_pcpu.shared, 0, T0);
	efs_bucket_set_balance(&fs->credit, 0, T0);
	efs_bucket_set_balance(&fs->peak, 0, T0);
}

static void throttled_test(struct kunit *test)
{
	const struct charge_case *t = test->param_value;
	struct efs_fs *fs = charge_fs(test, t);
	struct levels before;
	int probe;

	drain(fs);
	read_levels(fs, &before);
	for (probe = 0; probe < 2; probe++) {
		KUNIT_EXPECT_NE(test, charge(fs), 0ULL);
		efs_refund_fs(fs, UNITS, METERED);
	}
	KUNIT_EXPECT_NE(test, charge(fs), 0ULL);
	expect_one_charge(test, fs, &before);
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

static void refused_test(struct kunit *test)
{
	const struct charge_case *t = test->param_value;
	struct efs_fs *fs = charge_fs(test, t);
	struct levels before, after;

	drain(fs);
	read_levels(fs, &before);
	charge(fs);
	efs_refund_fs(fs, UNITS, METERED);
	charge(fs);
	efs_refund_fs(fs, UNITS, METERED);
	read_levels(fs, &after);
	KUNIT_EXPECT_EQ(test, after.ops, before.ops);
	KUNIT_EXPECT_EQ(test, after.credit, before.credit);
	KUNIT_EXPECT_EQ(test, after.peak, before.peak);
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/*
 * A request larger than its byte bucket's burst (1 MiB at 1 MiB/s, burst
 * 256 KiB): behind an empty bucket it waits the refill of the burst and
 * its own 750 ms beyond it, all its own (the byte rate's burst window is
 * not debt of others that max-wait bounds); behind it, the next one
 * waits for the whole second as debt.
 */
static void large_request_test(struct kunit *test)
{
	const struct charge_case *t = test->param_value;
	struct efs_fs *fs = charge_fs(test, t);
	struct efs_wait w;

	if (t->tp_mode == EFS_TP_ELASTIC)
		goto out;
	efs_bucket_set_balance(&fs->peak, 0, T0);
	efs_charge_fs(fs, 0, EFS_MIB, T0, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, (u64)NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 0ULL);
	efs_charge_fs(fs, 0, 4096, T0, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns,
			(u64)NSEC_PER_SEC + efs_cost_to_ns(4096, EFS_MIB));
	KUNIT_EXPECT_EQ(test, w.debt_ns, (u64)NSEC_PER_SEC);
out:
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/* The fair queue's cost follows the baseline once credits are spent. */
static void cost_at_baseline_test(struct kunit *test)
{
	const struct charge_case *t = test->param_value;
	struct efs_fs *fs = charge_fs(test, t);
	u64 baseline = efs_baseline_bps(fs->size_bytes);

	if (t->tp_mode != EFS_TP_BURSTING)
		goto out;
	efs_bucket_init(&fs->peak, 100 * EFS_MIB, 5 * EFS_MIB, T0);
	fs->permitted_bps = 100 * EFS_MIB;
	KUNIT_EXPECT_EQ(test, efs_charge_cost_ns(fs, 0, EFS_MIB, T0),
			efs_cost_to_ns(EFS_MIB, 100 * EFS_MIB));
	efs_bucket_set_balance(&fs->credit, 0, T0);
	KUNIT_EXPECT_EQ(test, efs_charge_cost_ns(fs, 0, EFS_MIB, T0),
			efs_cost_to_ns(EFS_MIB, baseline));
out:
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

static struct kunit_case efs_charge_cases[] = {
	KUNIT_CASE_PARAM(unthrottled_test, charge_gen_params),
	KUNIT_CASE_PARAM(throttled_test, charge_gen_params),
	KUNIT_CASE_PARAM(refused_test, charge_gen_params),
	KUNIT_CASE_PARAM(large_request_test, charge_gen_params),
	KUNIT_CASE_PARAM(cost_at_baseline_test, charge_gen_params),
	{}
};

static struct kunit_suite efs_charge_suite = {
	.name = "efs_charge",
	.test_cases = efs_charge_cases,
};

kunit_test_suite(efs_charge_suite);
