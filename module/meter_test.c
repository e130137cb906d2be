// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for request metering: every operation kind, read ratios
 * 1, 3 and 0, the 4 KiB minimum and huge byte counts.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "meter.h"

#define KIB	(1ULL << 10)
#define MIB	(1ULL << 20)

struct meter_case {
	const char *name;
	enum efs_op_kind kind;
	u64 bytes;
	u32 read_ratio;
	u32 write_weight;
	u64 metered;
	u32 units;
};

static const struct meter_case meter_cases[] = {
	{ "read_1m_ratio3", EFS_OP_DATA_READ, MIB, 3, 5, MIB / 3, 1 },
	{ "read_1m_ratio1", EFS_OP_DATA_READ, MIB, 1, 5, MIB, 1 },
	{ "read_1m_ratio0", EFS_OP_DATA_READ, MIB, 0, 5, MIB, 1 },
	{ "read_0", EFS_OP_DATA_READ, 0, 3, 5, 4 * KIB, 1 },
	{ "read_8k_ratio3_min", EFS_OP_DATA_READ, 8 * KIB, 3, 5, 4 * KIB, 1 },
	{ "read_12k_ratio3", EFS_OP_DATA_READ, 12 * KIB, 3, 5, 4 * KIB, 1 },
	{ "read_12k+3_ratio3", EFS_OP_DATA_READ, 12 * KIB + 3, 3, 5,
	  4 * KIB + 1, 1 },
	{ "read_4k_ratio1", EFS_OP_DATA_READ, 4 * KIB, 1, 5, 4 * KIB, 1 },
	{ "read_huge_ratio3", EFS_OP_DATA_READ, U64_MAX, 3, 5, U64_MAX / 3, 1 },
	{ "read_huge_ratio1", EFS_OP_DATA_READ, U64_MAX, 1, 5, U64_MAX, 1 },
	{ "read_huge_ratio0", EFS_OP_DATA_READ, U64_MAX, 0, 5, U64_MAX, 1 },
	{ "read_huge_ratio_max", EFS_OP_DATA_READ, U64_MAX, U32_MAX, 5,
	  U64_MAX / U32_MAX, 1 },
	{ "write_0", EFS_OP_DATA_WRITE, 0, 3, 5, 4 * KIB, 5 },
	{ "write_1", EFS_OP_DATA_WRITE, 1, 3, 5, 4 * KIB, 5 },
	{ "write_4k+1", EFS_OP_DATA_WRITE, 4 * KIB + 1, 3, 5, 4 * KIB + 1, 5 },
	{ "write_1m_not_discounted", EFS_OP_DATA_WRITE, MIB, 3, 5, MIB, 5 },
	{ "write_huge", EFS_OP_DATA_WRITE, U64_MAX, 3, 5, U64_MAX, 5 },
	{ "write_weight1", EFS_OP_DATA_WRITE, MIB, 3, 1, MIB, 1 },
	{ "write_weight0", EFS_OP_DATA_WRITE, MIB, 3, 0, MIB, 1 },
	{ "meta_read", EFS_OP_META_READ, 0, 3, 5, 4 * KIB, 1 },
	{ "meta_read_bytes_ignored", EFS_OP_META_READ, MIB, 3, 5, 4 * KIB, 1 },
	{ "meta_write", EFS_OP_META_WRITE, 0, 3, 5, 4 * KIB, 5 },
	{ "meta_write_huge", EFS_OP_META_WRITE, U64_MAX, 0, 5, 4 * KIB, 5 },
	{ "meta_write_weight0", EFS_OP_META_WRITE, 0, 3, 0, 4 * KIB, 1 },
};

static void meter_case_desc(const struct meter_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(meter, meter_cases, meter_case_desc);

static void cost_test(struct kunit *test)
{
	const struct meter_case *t = test->param_value;

	KUNIT_EXPECT_EQ(test, efs_metered_bytes(t->kind, t->bytes,
						t->read_ratio), t->metered);
	KUNIT_EXPECT_EQ(test, efs_op_units(t->kind, t->write_weight),
			t->units);
	KUNIT_EXPECT_GE(test, efs_metered_bytes(t->kind, t->bytes,
						t->read_ratio),
			EFS_METER_MIN_BYTES);
}

/* One op to the read or the write budget, by class; units as above. */
static void op_cost_test(struct kunit *test)
{
	const struct meter_case *t = test->param_value;
	bool write = efs_op_is_write(t->kind);
	struct efs_cost cost;

	efs_op_cost(&cost, t->kind, t->write_weight, t->metered);
	KUNIT_EXPECT_EQ(test, cost.units, t->units);
	KUNIT_EXPECT_EQ(test, cost.reads, (u16)!write);
	KUNIT_EXPECT_EQ(test, cost.writes, (u16)write);
	KUNIT_EXPECT_EQ(test, cost.metered, t->metered);
}

static void is_write_test(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, efs_op_is_write(EFS_OP_DATA_READ));
	KUNIT_EXPECT_TRUE(test, efs_op_is_write(EFS_OP_DATA_WRITE));
	KUNIT_EXPECT_FALSE(test, efs_op_is_write(EFS_OP_META_READ));
	KUNIT_EXPECT_TRUE(test, efs_op_is_write(EFS_OP_META_WRITE));
}

/*
 * The older model's arithmetic: 35,000 reads/s or 7,000 writes/s from one
 * ops budget (bursting's read and write limits, which EFS now publishes
 * as two budgets).
 */
static void gp_budget_test(struct kunit *test)
{
	const u64 budget = 35000;

	KUNIT_EXPECT_EQ(test, budget / efs_op_units(EFS_OP_DATA_READ, 5),
			35000ULL);
	KUNIT_EXPECT_EQ(test, budget / efs_op_units(EFS_OP_DATA_WRITE, 5),
			7000ULL);
}

static struct kunit_case efs_meter_cases[] = {
	KUNIT_CASE_PARAM(cost_test, meter_gen_params),
	KUNIT_CASE_PARAM(op_cost_test, meter_gen_params),
	KUNIT_CASE(is_write_test),
	KUNIT_CASE(gp_budget_test),
	{}
};

static struct kunit_suite efs_meter_suite = {
	.name = "efs_meter",
	.test_cases = efs_meter_cases,
};

kunit_test_suite(efs_meter_suite);
