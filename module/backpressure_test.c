// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for back-pressure's arithmetic (backpressure.c): the
 * session slots a held client is asked to use, as DELAYs and requests
 * that go through at once move them.
 */
#include <kunit/test.h>
#include "backpressure.h"

/* Session slots of a held client: start, grow, halve back, bounds. */
static void pressure_slots_test(struct kunit *test)
{
	u32 s = efs_pressure_slots_next(0, 2, true);
	int i;

	KUNIT_EXPECT_EQ(test, s, 2U);			/* first ask: floor */
	s = efs_pressure_slots_next(s, 2, false);	/* let through: +1 */
	KUNIT_EXPECT_EQ(test, s, 3U);
	for (i = 0; i < 9; i++)		/* 4 5 6 7 8, then a quarter: 10 12 15 18 */
		s = efs_pressure_slots_next(s, 2, false);
	KUNIT_EXPECT_EQ(test, s, 18U);
	s = efs_pressure_slots_next(s, 2, true);	/* refused: halve */
	KUNIT_EXPECT_EQ(test, s, 10U);
	s = efs_pressure_slots_next(s, 2, true);
	KUNIT_EXPECT_EQ(test, s, 6U);
	for (i = 0; i < 8; i++)				/* never below floor */
		s = efs_pressure_slots_next(s, 2, true);
	KUNIT_EXPECT_EQ(test, s, 2U);
	for (i = 0; i < 200; i++)			/* nor above the max */
		s = efs_pressure_slots_next(s, 2, false);
	KUNIT_EXPECT_EQ(test, s, (u32)EFS_PRESSURE_SLOTS_MAX);
	/* A floor above the max (a huge budget) wins. */
	KUNIT_EXPECT_EQ(test, efs_pressure_slots_next(100, 100, false), 100U);
	/* The floor moved up (budget raised): start from it. */
	KUNIT_EXPECT_EQ(test, efs_pressure_slots_next(3, 8, false), 8U);
}

static struct kunit_case efs_backpressure_cases[] = {
	KUNIT_CASE(pressure_slots_test),
	{}
};

static struct kunit_suite efs_backpressure_suite = {
	.name = "efs_backpressure",
	.test_cases = efs_backpressure_cases,
};

kunit_test_suite(efs_backpressure_suite);
