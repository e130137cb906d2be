// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the EFS bursting formulas: baseline, burst and maximum
 * credit balance for a table of filesystem sizes, and provisioned mode.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/string.h>

#include "credit.h"

#define KIB		(1ULL << 10)
#define CREDIT_2_1TIB	2308974418329ULL	/* 21 * TiB / 10 */

struct size_case {
	const char *name;
	u64 size;
	u64 baseline;
	u64 burst;
	u64 credit_max;
};

static const struct size_case size_cases[] = {
	{ "empty", 0, EFS_MIB, 100 * EFS_MIB, CREDIT_2_1TIB },
	{ "1B", 1, EFS_MIB, 100 * EFS_MIB, CREDIT_2_1TIB },
	{ "10GiB", 10 * EFS_GIB, EFS_MIB, 100 * EFS_MIB, CREDIT_2_1TIB },
	/* 20 GiB is where 50 KiB/s per GiB reaches 1 MiB/s. */
	{ "20GiB", 20 * EFS_GIB, EFS_MIB, 100 * EFS_MIB, CREDIT_2_1TIB },
	/* Proportional, not per whole GiB: 21.5 GiB -> 1075 KiB/s. */
	{ "21.5GiB", 21 * EFS_GIB + EFS_GIB / 2, 1075 * KIB, 100 * EFS_MIB,
	  CREDIT_2_1TIB },
	{ "100GiB", 100 * EFS_GIB, 5000 * KIB, 100 * EFS_MIB, CREDIT_2_1TIB },
	{ "1TiB-1", EFS_TIB - 1, 50 * EFS_MIB - 1, 100 * EFS_MIB,
	  CREDIT_2_1TIB },
	{ "1TiB", EFS_TIB, 50 * EFS_MIB, 100 * EFS_MIB, CREDIT_2_1TIB },
	{ "1TiB+1MiB", EFS_TIB + EFS_MIB, 50 * EFS_MIB + 50,
	  100 * EFS_MIB + 100, 2308976620339ULL },
	{ "4TiB", 4 * EFS_TIB, 200 * EFS_MIB, 400 * EFS_MIB,
	  9235897673318ULL },
	{ "100TiB", 100 * EFS_TIB, 5000 * EFS_MIB, 10000 * EFS_MIB,
	  230897441832960ULL },
	{ "absurd", U64_MAX, 879609302220799ULL, 1759218604441599ULL,
	  U64_MAX },
};

static void size_case_desc(const struct size_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(size, size_cases, size_case_desc);

static void sizes_test(struct kunit *test)
{
	const struct size_case *t = test->param_value;

	KUNIT_EXPECT_EQ(test, efs_baseline_bps(t->size), t->baseline);
	KUNIT_EXPECT_EQ(test, efs_burst_bps(t->size), t->burst);
	KUNIT_EXPECT_EQ(test, efs_credit_max(t->size), t->credit_max);
	/* Invariants: burst >= baseline, credit never below 2.1 TiB. */
	KUNIT_EXPECT_GE(test, efs_burst_bps(t->size),
			efs_baseline_bps(t->size));
	KUNIT_EXPECT_GE(test, efs_credit_max(t->size), CREDIT_2_1TIB);
}

/* Monotonic in S: a bigger filesystem never gets less. */
static void monotonic_test(struct kunit *test)
{
	u64 s, prev = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(size_cases); i++) {
		s = size_cases[i].size;
		KUNIT_EXPECT_GE(test, s, prev);
		if (i) {
			KUNIT_EXPECT_GE(test, efs_baseline_bps(s),
					efs_baseline_bps(prev));
			KUNIT_EXPECT_GE(test, efs_burst_bps(s),
					efs_burst_bps(prev));
			KUNIT_EXPECT_GE(test, efs_credit_max(s),
					efs_credit_max(prev));
		}
		prev = s;
	}
}

struct prov_case {
	const char *name;
	u64 provisioned;
	u64 size;
	u64 permitted;
};

static const struct prov_case prov_cases[] = {
	{ "zero_empty", 0, 0, EFS_MIB },
	{ "1MiB_empty", EFS_MIB, 0, EFS_MIB },
	{ "10MiB_100GiB", 10 * EFS_MIB, 100 * EFS_GIB, 10 * EFS_MIB },
	{ "1MiB_1TiB", EFS_MIB, EFS_TIB, 50 * EFS_MIB },
	{ "100MiB_4TiB", 100 * EFS_MIB, 4 * EFS_TIB, 200 * EFS_MIB },
	{ "1GiB_4TiB", EFS_GIB, 4 * EFS_TIB, EFS_GIB },
	{ "max_absurd", U64_MAX, U64_MAX, U64_MAX },
	{ "zero_absurd", 0, U64_MAX, 879609302220799ULL },
};

static void prov_case_desc(const struct prov_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(prov, prov_cases, prov_case_desc);

static void provisioned_test(struct kunit *test)
{
	const struct prov_case *t = test->param_value;

	KUNIT_EXPECT_EQ(test,
			efs_provisioned_permitted_bps(t->provisioned, t->size),
			t->permitted);
}

static struct kunit_case efs_credit_cases[] = {
	KUNIT_CASE_PARAM(sizes_test, size_gen_params),
	KUNIT_CASE(monotonic_test),
	KUNIT_CASE_PARAM(provisioned_test, prov_gen_params),
	{}
};

static struct kunit_suite efs_credit_suite = {
	.name = "efs_credit",
	.test_cases = efs_credit_cases,
};

kunit_test_suite(efs_credit_suite);
