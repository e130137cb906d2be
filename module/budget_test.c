// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the server-wide waiting budget's decision (budget.c):
 * free slots, a filesystem's own limit, and fair shares when full; and
 * its peak of threads waiting at once.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "budget.h"
#include "fq.h"

struct decide_case {
	const char *name;
	u32 waiting, limit, fs_slots, fs_limit, active_fs;
	enum efs_slot_verdict expect;
	u32 share;
};

static const struct decide_case decide_cases[] = {
	{ "free_slot", 2, 4, 0, 0, 1, EFS_SLOT_TAKEN, 0 },
	{ "own_limit", 1, 4, 1, 1, 1, EFS_SLOT_FULL, 0 },
	{ "own_limit_not_reached", 1, 4, 1, 2, 1, EFS_SLOT_TAKEN, 0 },
	/* One fs holds all 4; a second one arrives: its share is 2. */
	{ "newcomer_takes_from_hog", 4, 4, 0, 0, 1, EFS_SLOT_FROM_OTHER, 2 },
	/* Two hold 2 each: at its share, the fs must wait its turn. */
	{ "at_share", 4, 4, 2, 0, 2, EFS_SLOT_FULL, 2 },
	{ "below_share_of_three", 6, 6, 1, 0, 3, EFS_SLOT_FROM_OTHER, 2 },
	/* More filesystems than slots: a share is at least one. */
	{ "share_at_least_one", 2, 2, 0, 0, 5, EFS_SLOT_FROM_OTHER, 1 },
	{ "full_one_each", 2, 2, 1, 0, 5, EFS_SLOT_FULL, 1 },
};

static void decide_case_desc(const struct decide_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decide, decide_cases, decide_case_desc);

static void decide_test(struct kunit *test)
{
	const struct decide_case *c = test->param_value;
	u32 share;

	KUNIT_EXPECT_EQ(test, efs_slot_decide(c->waiting, c->limit, c->fs_slots,
					      c->fs_limit, c->active_fs,
					      &share), c->expect);
	KUNIT_EXPECT_EQ(test, share, c->share);
}

/* The peak follows the slots taken; a new bound starts a new peak. */
static void waiting_peak_test(struct kunit *test)
{
	refcount_t owner = REFCOUNT_INIT(1);
	struct efs_fq a = { .owner = &owner }, b = { .owner = &owner };
	struct efs_fq *victim;

	INIT_LIST_HEAD(&a.active);
	INIT_LIST_HEAD(&b.active);
	efs_budget_set_max(3);
	KUNIT_ASSERT_EQ(test, efs_budget_waiting(), 0U);
	KUNIT_EXPECT_EQ(test, efs_budget_waiting_peak(), 0U);
	KUNIT_EXPECT_EQ(test, efs_slot_take(&a, 0, &victim), EFS_SLOT_TAKEN);
	KUNIT_EXPECT_EQ(test, efs_slot_take(&a, 0, &victim), EFS_SLOT_TAKEN);
	KUNIT_EXPECT_EQ(test, efs_slot_take(&b, 0, &victim), EFS_SLOT_TAKEN);
	/* Full, and b is at its share: nothing taken, the peak stays. */
	KUNIT_EXPECT_EQ(test, efs_slot_take(&b, 0, &victim), EFS_SLOT_FULL);
	efs_slot_put(&a);
	efs_slot_put(&a);
	KUNIT_EXPECT_EQ(test, efs_budget_waiting(), 1U);
	KUNIT_EXPECT_EQ(test, efs_budget_waiting_peak(), 3U);
	/* A new bound: the peak starts again from the one still waiting. */
	efs_budget_set_max(5);
	KUNIT_EXPECT_EQ(test, efs_budget_waiting_peak(), 1U);
	KUNIT_EXPECT_EQ(test, efs_slot_take(&a, 0, &victim), EFS_SLOT_TAKEN);
	KUNIT_EXPECT_EQ(test, efs_budget_waiting_peak(), 2U);
	efs_slot_put(&a);
	efs_slot_put(&b);
	efs_budget_set_max(0);
	KUNIT_EXPECT_EQ(test, efs_budget_waiting(), 0U);
}

static struct kunit_case efs_budget_cases[] = {
	KUNIT_CASE_PARAM(decide_test, decide_gen_params),
	KUNIT_CASE(waiting_peak_test),
	{}
};

static struct kunit_suite efs_budget_suite = {
	.name = "efs_budget",
	.test_cases = efs_budget_cases,
};

kunit_test_suite(efs_budget_suite);
