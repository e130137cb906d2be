// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for cluster leases (lease.c): the safe share before any
 * grant, the grant while it holds, renewal, min(grant, safe share) after
 * the lease, zero after the forget time, each fall acted on once, the
 * byte rates, and the checks of a grant's values. The clock is passed in.
 */
#include <kunit/test.h>
#include <linux/time64.h>

#include "../uapi/linux/efs.h"
#include "lease.h"

#define T0	(1000ULL * NSEC_PER_SEC)
#define MS	NSEC_PER_MSEC

static void safe_share_before_grant_test(struct kunit *test)
{
	struct efs_lease l;

	efs_lease_init(&l, 2);
	KUNIT_EXPECT_FALSE(test, efs_lease_active(&l, T0));
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0), 150ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_left_ms(&l, T0), 0U);
	/* never granted: nothing expires */
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0), EFS_GRANT_STATE_PRE);
	KUNIT_EXPECT_EQ(test, efs_lease_stage(&l, T0), EFS_GRANT_STATE_PRE);
	KUNIT_EXPECT_EQ(test, efs_lease_next_ns(&l, T0), 0ULL);
	/* 0 heads reads as 1 */
	efs_lease_init(&l, 0);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0), 300ULL);
}

struct share_case {
	u64 budget;
	u32 heads;
	u64 share;
};

static const struct share_case share_cases[] = {
	{ 300, 2, 150 }, { 300, 3, 100 }, { 301, 2, 150 }, { 35000, 7, 5000 },
	{ 1, 2, 1 },	/* never 0: a bucket reads 0 as unlimited */
	{ 100000000, 1024, 97656 },
};

static void share_case_desc(const struct share_case *t, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%llu/%u", t->budget, t->heads);
}

KUNIT_ARRAY_PARAM(share, share_cases, share_case_desc);

/* heads safe shares never sum above the budget (but for the floor of 1). */
static void safe_share_test(struct kunit *test)
{
	const struct share_case *t = test->param_value;
	struct efs_lease l;

	efs_lease_init(&l, t->heads);
	KUNIT_EXPECT_EQ(test, efs_lease_safe_share(&l, t->budget), t->share);
	if (t->budget >= t->heads)
		KUNIT_EXPECT_LE(test, t->share * t->heads, t->budget);
}

static void grant_expire_test(struct kunit *test)
{
	struct efs_lease l;

	efs_lease_init(&l, 2);
	efs_lease_grant(&l, 240, 8 << 20, 3000, 0, 2, T0);
	KUNIT_EXPECT_EQ(test, efs_lease_next_ns(&l, T0), T0 + 3000 * MS);
	KUNIT_EXPECT_TRUE(test, efs_lease_active(&l, T0));
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0), 240ULL);
	/* never above the filesystem's own budget */
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 200, T0), 200ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_left_ms(&l, T0), 3000U);
	KUNIT_EXPECT_EQ(test, efs_lease_left_ms(&l, T0 + 2999 * MS + 1), 1U);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 2999 * MS),
			EFS_GRANT_STATE_PRE);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0 + 2999 * MS),
			240ULL);
	/* at the expiry: the safe share, and the fallback is reported once */
	KUNIT_EXPECT_FALSE(test, efs_lease_active(&l, T0 + 3000 * MS));
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0 + 3000 * MS),
			150ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_left_ms(&l, T0 + 3000 * MS), 0U);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 3000 * MS),
			EFS_GRANT_STATE_SAFE);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 4000 * MS),
			EFS_GRANT_STATE_PRE);
	/* no forget time: the safe share for good */
	KUNIT_EXPECT_EQ(test, efs_lease_next_ns(&l, T0 + 4000 * MS), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0 + 3600000 * MS),
			150ULL);
	/* the grant is still reported (what the cluster last said) */
	KUNIT_EXPECT_EQ(test, l.iops, 240ULL);
}

static void renew_test(struct kunit *test)
{
	struct efs_lease l;
	u64 t;

	efs_lease_init(&l, 2);
	/* renewed every 200 ms: never expires */
	for (t = T0; t < T0 + 10000 * MS; t += 200 * MS) {
		efs_lease_grant(&l, 270, 0, 1000, 0, 3, t);
		KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, t + 199 * MS),
				EFS_GRANT_STATE_PRE);
		KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, t + 199 * MS),
				270ULL);
	}
	/* the membership the grant told: 3 heads */
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, t + 5000 * MS),
			100ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, t + 5000 * MS),
			EFS_GRANT_STATE_SAFE);
	/* a grant after a fallback starts a new lease */
	efs_lease_grant(&l, 10, 0, 1000, 0, 3, t + 6000 * MS);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, t + 6000 * MS), 10ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, t + 7000 * MS),
			EFS_GRANT_STATE_SAFE);
	/* a lapse never raises what the head admits: min(grant, share) */
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, t + 7000 * MS), 10ULL);
}

static void zero_grant_test(struct kunit *test)
{
	struct efs_lease l;

	efs_lease_init(&l, 2);
	efs_lease_grant(&l, 0, 0, 1000, 0, 2, T0);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0), 1ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 100 << 20, T0), 1ULL);
}

static void forget_test(struct kunit *test)
{
	struct efs_lease l;

	efs_lease_init(&l, 2);
	efs_lease_grant(&l, 240, 8 << 20, 3000, 6000, 2, T0);
	KUNIT_EXPECT_EQ(test, efs_lease_stage(&l, T0), EFS_GRANT_STATE_GRANTED);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 3000 * MS),
			EFS_GRANT_STATE_SAFE);
	KUNIT_EXPECT_EQ(test, efs_lease_next_ns(&l, T0 + 3000 * MS),
			T0 + 6000 * MS);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0 + 5999 * MS),
			150ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 100 << 20,
					    T0 + 5999 * MS), 512ULL << 10);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 6000 * MS),
			EFS_GRANT_STATE_ZERO);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0 + 6000 * MS), 1ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 100 << 20,
					    T0 + 6000 * MS), 1ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 0, 0, T0 + 6000 * MS), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_next_ns(&l, T0 + 6000 * MS), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 9000 * MS),
			EFS_GRANT_STATE_PRE);
	/* both stages passed at once (a late work): straight to zero */
	efs_lease_grant(&l, 240, 0, 1000, 2000, 2, T0);
	KUNIT_EXPECT_EQ(test, efs_lease_advance(&l, T0 + 5000 * MS),
			EFS_GRANT_STATE_ZERO);
	/* a renewal brings it back */
	efs_lease_grant(&l, 240, 0, 1000, 2000, 2, T0 + 5000 * MS);
	KUNIT_EXPECT_EQ(test, efs_lease_ops_rate(&l, 300, T0 + 5000 * MS),
			240ULL);
}

static void bytes_test(struct kunit *test)
{
	struct efs_lease l;

	efs_lease_init(&l, 2);
	/* before a grant: half the baseline (bursting) */
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 100 << 20, T0),
			512ULL << 10);
	/* elastic: no byte budget, before or during a lease */
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 0, 0, T0), 0ULL);
	efs_lease_grant(&l, 100, 60 << 20, 1000, 0, 2, T0);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 0, 0, T0), 0ULL);
	/* the grant, at most the burst rate */
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 100 << 20, T0),
			60ULL << 20);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 50 << 20, T0),
			50ULL << 20);
	KUNIT_EXPECT_EQ(test, efs_lease_bps(&l, 1 << 20, 100 << 20,
					    T0 + 1000 * MS), 512ULL << 10);
}

struct check_case {
	const char *name;
	u64 iops, bps;
	u32 lease_ms, forget_ms, heads;
	int err;
};

static const struct check_case check_cases[] = {
	{ "ok", 240, 1 << 20, 3000, 0, 2, 0 },
	{ "zero", 0, 0, 1, 0, 1, 0 },
	{ "no_bytes", 1, EFS_GRANT_BPS_NONE, 1, 0, 1, 0 },
	{ "forget", 1, 1, 3000, 3000, 2, 0 },
	{ "max", EFS_IOPS_LIMIT_MAX, EFS_PROVISIONED_BPS_MAX,
	  EFS_GRANT_LEASE_MS_MAX, EFS_GRANT_FORGET_MS_MAX,
	  EFS_CLUSTER_HEADS_MAX, 0 },
	{ "iops", EFS_IOPS_LIMIT_MAX + 1ULL, 0, 1000, 0, 2, -ERANGE },
	{ "bps", 1, EFS_PROVISIONED_BPS_MAX + 1, 1000, 0, 2, -ERANGE },
	{ "lease0", 1, 1, 0, 0, 2, -ERANGE },
	{ "lease_big", 1, 1, EFS_GRANT_LEASE_MS_MAX + 1, 0, 2, -ERANGE },
	{ "forget_short", 1, 1, 3000, 2999, 2, -ERANGE },
	{ "forget_big", 1, 1, 3000, EFS_GRANT_FORGET_MS_MAX + 1, 2, -ERANGE },
	{ "heads0", 1, 1, 1000, 0, 0, -ERANGE },
	{ "heads_big", 1, 1, 1000, 0, EFS_CLUSTER_HEADS_MAX + 1, -ERANGE },
};

static void check_case_desc(const struct check_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(check, check_cases, check_case_desc);

static void check_test(struct kunit *test)
{
	const struct check_case *t = test->param_value;
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, efs_lease_check(t->iops, t->bps, t->lease_ms,
					      t->forget_ms, t->heads, &why),
			t->err);
	if (t->err)
		KUNIT_EXPECT_NOT_NULL(test, why);
}

/* What of a grant is news: a new membership size, a reallocation. */
static void news_test(struct kunit *test)
{
	struct efs_lease l;
	u64 t = T0;

	efs_lease_init(&l, 2);
	/* the first grant is news; the same heads are not */
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 150, 0, 1000, 0, 2, 300, t),
			EFS_LEASE_NEWS_GRANT);
	/* every tick, a wobble within a tenth of the budget: nothing */
	t += 200 * MS;
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 170, 0, 1000, 0, 2, 300, t), 0U);
	t += 200 * MS;
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 130, 0, 1000, 0, 2, 300, t), 0U);
	/* more than a tenth from the last told: a reallocation */
	t += 200 * MS;
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 260, 0, 1000, 0, 2, 300, t),
			EFS_LEASE_NEWS_GRANT);
	/* a head joined: both */
	t += 200 * MS;
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 100, 0, 1000, 0, 3, 300, t),
			EFS_LEASE_NEWS_HEADS | EFS_LEASE_NEWS_GRANT);
	/* a grant after a lapse is news, even the same one */
	t += 1500 * MS;
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 100, 0, 1000, 0, 3, 300, t),
			EFS_LEASE_NEWS_GRANT);
	/* no ops budget: a tenth of the last grant told */
	t += 200 * MS;
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 105, 0, 1000, 0, 3, 0, t), 0U);
	KUNIT_EXPECT_EQ(test, efs_lease_grant_news(&l, 115, 0, 1000, 0, 3, 0, t),
			EFS_LEASE_NEWS_GRANT);
}

static struct kunit_case efs_lease_cases[] = {
	KUNIT_CASE(safe_share_before_grant_test),
	KUNIT_CASE_PARAM(safe_share_test, share_gen_params),
	KUNIT_CASE(grant_expire_test),
	KUNIT_CASE(renew_test),
	KUNIT_CASE(zero_grant_test),
	KUNIT_CASE(forget_test),
	KUNIT_CASE(news_test),
	KUNIT_CASE(bytes_test),
	KUNIT_CASE_PARAM(check_test, check_gen_params),
	{}
};

static struct kunit_suite efs_lease_suite = {
	.name = "efs_lease",
	.test_cases = efs_lease_cases,
};

kunit_test_suite(efs_lease_suite);
