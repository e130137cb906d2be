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
 *
 * The efs_charge_rw cases do the same for the read and write budgets
 * (EFS's read and write IOPS limits): a read-class request moves the
 * read bucket by one op and leaves the write bucket, and the other way
 * round, with and without the combined budget of the older model.
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
/* The write request of the efs_charge cases: all but the read budget. */
static const struct efs_cost write_cost = {
	.units = UNITS, .writes = 1, .metered = METERED,
};

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
	/* The read and write budgets: 10 ms a read, 25 ms a write. */
	fs->read_rate = 100;
	fs->write_rate = 40;
	efs_bucket_init(&fs->read_ops, 100, efs_rw_burst(100), T0);
	efs_bucket_init(&fs->write_ops, 40, efs_rw_burst(40), T0);
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
	u64 ops, credit, peak, reads, writes;
};

static void read_levels(struct efs_fs *fs, struct levels *l)
{
	l->ops = fs->cfg.perf_mode == EFS_PERF_MAX_IO ?
		 atomic64_read(&fs->ops_pcpu.shared.tat) -
		 *this_cpu_ptr(fs->ops_pcpu.prepaid) * MS :
		 atomic64_read(&fs->ops.tat);
	l->credit = atomic64_read(&fs->credit.tat);
	l->peak = atomic64_read(&fs->peak.tat);
	l->reads = atomic64_read(&fs->read_ops.tat);
	l->writes = atomic64_read(&fs->write_ops.tat);
}

/* Where one charge of UNITS and METERED puts the buckets from before. */
static void expect_one_charge(struct kunit *test, struct efs_fs *fs,
			      const struct levels *before)
{
	struct levels now;

	read_levels(fs, &now);
	KUNIT_EXPECT_EQ(test, now.ops, max(before->ops, T0) + UNITS * MS);
	KUNIT_EXPECT_EQ(test, now.reads, before->reads);
	KUNIT_EXPECT_EQ(test, now.writes, max(before->writes, T0) + 25 * MS);
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

	efs_charge_fs(fs, &write_cost, T0, &w);
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
	efs_bucket_set_balance(&fs->read_ops, 0, T0);
	efs_bucket_set_balance(&fs->write_ops, 0, T0);
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
		efs_refund_fs(fs, &write_cost);
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
	efs_refund_fs(fs, &write_cost);
	charge(fs);
	efs_refund_fs(fs, &write_cost);
	read_levels(fs, &after);
	KUNIT_EXPECT_EQ(test, after.ops, before.ops);
	KUNIT_EXPECT_EQ(test, after.credit, before.credit);
	KUNIT_EXPECT_EQ(test, after.peak, before.peak);
	KUNIT_EXPECT_EQ(test, after.reads, before.reads);
	KUNIT_EXPECT_EQ(test, after.writes, before.writes);
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
	struct efs_cost cost = { .metered = EFS_MIB };
	struct efs_wait w;

	if (t->tp_mode == EFS_TP_ELASTIC)
		goto out;
	efs_bucket_set_balance(&fs->peak, 0, T0);
	efs_charge_fs(fs, &cost, T0, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, (u64)NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 0ULL);
	cost.metered = 4096;
	efs_charge_fs(fs, &cost, T0, &w);
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
	struct efs_cost cost = { .metered = EFS_MIB };

	if (t->tp_mode != EFS_TP_BURSTING)
		goto out;
	efs_bucket_init(&fs->peak, 100 * EFS_MIB, 5 * EFS_MIB, T0);
	fs->permitted_bps = 100 * EFS_MIB;
	KUNIT_EXPECT_EQ(test, efs_charge_cost_ns(fs, &cost, T0),
			efs_cost_to_ns(EFS_MIB, 100 * EFS_MIB));
	efs_bucket_set_balance(&fs->credit, 0, T0);
	KUNIT_EXPECT_EQ(test, efs_charge_cost_ns(fs, &cost, T0),
			efs_cost_to_ns(EFS_MIB, baseline));
out:
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/*
 * The read and write budgets. Each case is one request class in one
 * mode, with the combined budget of the older model in force (1000
 * units/s) or not (rate 0, a local generalPurpose filesystem without
 * --iops-limit). The read bucket runs at 100 ops/s, the write bucket at
 * 40; a request meters 4 KiB, so the ops budgets bind.
 */
struct rw_case {
	const char *name;
	u32 perf_mode, tp_mode;
	bool write, combined;
};

static const struct rw_case rw_cases[] = {
	{ "gp_bursting_read", EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING,
	  false, false },
	{ "gp_bursting_write", EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING,
	  true, false },
	{ "gp_elastic_read", EFS_PERF_GENERAL_PURPOSE, EFS_TP_ELASTIC,
	  false, false },
	{ "gp_elastic_write", EFS_PERF_GENERAL_PURPOSE, EFS_TP_ELASTIC,
	  true, false },
	{ "gp_provisioned_read_combined", EFS_PERF_GENERAL_PURPOSE,
	  EFS_TP_PROVISIONED, false, true },
	{ "gp_provisioned_write_combined", EFS_PERF_GENERAL_PURPOSE,
	  EFS_TP_PROVISIONED, true, true },
	{ "maxio_bursting_read", EFS_PERF_MAX_IO, EFS_TP_BURSTING,
	  false, true },
	{ "maxio_bursting_write", EFS_PERF_MAX_IO, EFS_TP_BURSTING,
	  true, true },
};

static void rw_case_desc(const struct rw_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rw, rw_cases, rw_case_desc);

#define RW_METERED	4096ULL
#define READ_OP_NS	(10 * MS)	/* at 100 ops/s */
#define WRITE_OP_NS	(25 * MS)	/* at 40 ops/s */

static struct efs_fs *rw_fs(struct kunit *test, const struct rw_case *t,
			    struct efs_cost *cost)
{
	const struct charge_case c = { t->name, t->perf_mode, t->tp_mode };
	struct efs_fs *fs = charge_fs(test, &c);

	if (!t->combined) {
		fs->ops_rate = 0;
		efs_bucket_init(&fs->ops, 0, 1, T0);
		efs_pcpu_bucket_set_rate(&fs->ops_pcpu, 0, 1, 1, T0);
	}
	efs_op_cost(cost, t->write ? EFS_OP_DATA_WRITE : EFS_OP_DATA_READ,
		    UNITS, RW_METERED);
	return fs;
}

/* One charge of cost from before: its class's bucket one op on, only. */
static void expect_one_op(struct kunit *test, struct efs_fs *fs,
			  const struct rw_case *t, const struct efs_cost *cost,
			  const struct levels *before)
{
	struct levels now;

	read_levels(fs, &now);
	if (t->write) {
		KUNIT_EXPECT_EQ(test, now.writes,
				max(before->writes, T0) + WRITE_OP_NS);
		KUNIT_EXPECT_EQ(test, now.reads, before->reads);
	} else {
		KUNIT_EXPECT_EQ(test, now.reads,
				max(before->reads, T0) + READ_OP_NS);
		KUNIT_EXPECT_EQ(test, now.writes, before->writes);
	}
	if (t->combined)
		KUNIT_EXPECT_EQ(test, now.ops,
				max(before->ops, T0) + cost->units * MS);
	else
		KUNIT_EXPECT_EQ(test, now.ops, before->ops);
	if (t->tp_mode == EFS_TP_ELASTIC)
		KUNIT_EXPECT_EQ(test, now.peak, before->peak);
	else
		KUNIT_EXPECT_EQ(test, now.peak, max(before->peak, T0) +
				efs_cost_to_ns(RW_METERED, EFS_MIB));
}

/* A request within its class's budget: it goes at once, charged once. */
static void rw_unthrottled_test(struct kunit *test)
{
	const struct rw_case *t = test->param_value;
	struct efs_cost cost;
	struct efs_fs *fs = rw_fs(test, t, &cost);
	struct levels before;
	struct efs_wait w;

	read_levels(fs, &before);
	efs_charge_fs(fs, &cost, T0, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, 0ULL);
	expect_one_op(test, fs, t, &cost, &before);
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/*
 * Its class's budget spent, every other full: the request waits one op
 * of its class's rate (that budget binds), after two probes, charged
 * once; the other class's budget is not touched.
 */
static void rw_throttled_test(struct kunit *test)
{
	const struct rw_case *t = test->param_value;
	struct efs_cost cost;
	struct efs_fs *fs = rw_fs(test, t, &cost);
	u64 op_ns = t->write ? WRITE_OP_NS : READ_OP_NS;
	struct levels before;
	struct efs_wait w;
	int probe;

	efs_bucket_set_balance(t->write ? &fs->write_ops : &fs->read_ops, 0,
			       T0);
	read_levels(fs, &before);
	KUNIT_EXPECT_EQ(test, efs_charge_cost_ns(fs, &cost, T0), op_ns);
	for (probe = 0; probe < 2; probe++) {
		efs_charge_fs(fs, &cost, T0, &w);
		KUNIT_EXPECT_EQ(test, w.total_ns, op_ns);
		efs_refund_fs(fs, &cost);
	}
	efs_charge_fs(fs, &cost, T0, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, op_ns);
	expect_one_op(test, fs, t, &cost, &before);
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/*
 * Behind a backlog of a second in its class's budget: two probes, then
 * refused (DELAY) at its deadline: every bucket where it was.
 */
static void rw_refused_test(struct kunit *test)
{
	const struct rw_case *t = test->param_value;
	struct efs_cost cost;
	struct efs_fs *fs = rw_fs(test, t, &cost);
	struct efs_bucket *b = t->write ? &fs->write_ops : &fs->read_ops;
	struct levels before, after;
	struct efs_wait w;
	int probe;

	efs_bucket_set_balance(b, 0, T0);
	atomic64_add(NSEC_PER_SEC, &b->tat);
	read_levels(fs, &before);
	for (probe = 0; probe < 2; probe++) {
		efs_charge_fs(fs, &cost, T0, &w);
		KUNIT_EXPECT_GE(test, w.debt_ns, (u64)NSEC_PER_SEC);
		efs_refund_fs(fs, &cost);
	}
	read_levels(fs, &after);
	KUNIT_EXPECT_EQ(test, after.reads, before.reads);
	KUNIT_EXPECT_EQ(test, after.writes, before.writes);
	KUNIT_EXPECT_EQ(test, after.ops, before.ops);
	KUNIT_EXPECT_EQ(test, after.credit, before.credit);
	KUNIT_EXPECT_EQ(test, after.peak, before.peak);
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

/*
 * An RPC first charged as a read that turns out to be a write (NFSv4:
 * PUTFH, then WRITE; request.c): the write op and the extra units, then
 * its read op given back. It ends charged once, as a write.
 */
static void rw_read_then_write_test(struct kunit *test)
{
	const struct rw_case *t = test->param_value;
	static const struct efs_cost read_op = { .reads = 1 };
	struct efs_cost cost, first, extra;
	struct efs_fs *fs = rw_fs(test, t, &cost);
	struct levels before, now;
	struct efs_wait w;

	if (!t->write)
		goto out;
	read_levels(fs, &before);
	efs_op_cost(&first, EFS_OP_META_READ, UNITS, RW_METERED);
	efs_charge_fs(fs, &first, T0, &w);
	extra = (struct efs_cost){ .units = cost.units - first.units,
				   .writes = 1 };
	efs_charge_fs(fs, &extra, T0, &w);
	efs_refund_fs(fs, &read_op);
	read_levels(fs, &now);
	KUNIT_EXPECT_EQ(test, now.reads, before.reads);
	KUNIT_EXPECT_EQ(test, now.writes, max(before.writes, T0) + WRITE_OP_NS);
	if (t->combined)
		KUNIT_EXPECT_EQ(test, now.ops,
				max(before.ops, T0) + cost.units * MS);
out:
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
}

static struct kunit_case efs_charge_cases[] = {
	KUNIT_CASE_PARAM(unthrottled_test, charge_gen_params),
	KUNIT_CASE_PARAM(throttled_test, charge_gen_params),
	KUNIT_CASE_PARAM(refused_test, charge_gen_params),
	KUNIT_CASE_PARAM(large_request_test, charge_gen_params),
	KUNIT_CASE_PARAM(cost_at_baseline_test, charge_gen_params),
	KUNIT_CASE_PARAM(rw_unthrottled_test, rw_gen_params),
	KUNIT_CASE_PARAM(rw_throttled_test, rw_gen_params),
	KUNIT_CASE_PARAM(rw_refused_test, rw_gen_params),
	KUNIT_CASE_PARAM(rw_read_then_write_test, rw_gen_params),
	{}
};

static struct kunit_suite efs_charge_suite = {
	.name = "efs_charge",
	.test_cases = efs_charge_cases,
};

kunit_test_suite(efs_charge_suite);
