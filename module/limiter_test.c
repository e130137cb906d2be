// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the GCRA limiter.  The clock is injected: every "now" is
 * passed explicitly, simulated time costs nothing and nothing sleeps.
 */
#include <kunit/test.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/time64.h>

#include "limiter.h"

#define T0		(100000ULL * NSEC_PER_SEC)	/* > a day, < 2^62 */
#define MS		((u64)NSEC_PER_MSEC)
#define SEC		((u64)NSEC_PER_SEC)
#define HOUR		(3600ULL * SEC)

/* Conversions */

struct conv_case {
	const char *name;
	u64 a;		/* cost or ns */
	u64 rate;
	u64 expect;
};

static const struct conv_case cost_to_ns_cases[] = {
	{ "1_at_1000", 1, 1000, 1000000 },
	{ "5_at_1000", 5, 1000, 5000000 },
	{ "round_up", 1, 3, 333333334 },
	{ "exact_thirds", 3, 3, SEC },
	{ "cost0", 0, 1, 0 },
	{ "unlimited", 12345, 0, 0 },
	{ "rate1_costmax", U64_MAX, 1, U64_MAX },
	{ "first_saturating", U64_MAX / NSEC_PER_SEC + 1, 1, U64_MAX },
	{ "ratemax_cost1", 1, U64_MAX, 1 },
	{ "ratemax_costmax", U64_MAX, U64_MAX, SEC },
	{ "costmax_rate1e9", U64_MAX, SEC, U64_MAX },
	{ "costmax_rate2e9", U64_MAX, 2 * SEC, (U64_MAX >> 1) + 1 },
	{ "costmax_rate3e9", U64_MAX, 3 * SEC, U64_MAX / 3 },
	{ "slow_path_rem", 20000000000ULL, 3, 6666666666666666667ULL },
	{ "slow_path_big_rate", 1ULL << 40, 1ULL << 50, 976563 },
	{ "bytes_4k_at_1mib", 4096, 1ULL << 20, 3906250 },
};

static const struct conv_case ns_to_units_cases[] = {
	{ "1s_at_1000", SEC, 1000, 1000 },
	{ "round_down", 999999, 1000, 0 },
	{ "1ms_at_1000", MS, 1000, 1 },
	{ "ns0", 0, 5, 0 },
	{ "unlimited", 5, 0, U64_MAX },
	{ "nsmax_rate1", U64_MAX, 1, U64_MAX / NSEC_PER_SEC },
	{ "ns1_ratemax", 1, U64_MAX, U64_MAX / NSEC_PER_SEC },
	{ "nsmax_ratemax", U64_MAX, U64_MAX, U64_MAX },
	{ "10s_at_1mib", 10 * SEC, 1ULL << 20, 10ULL << 20 },
};

static void conv_case_desc(const struct conv_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cost_to_ns, cost_to_ns_cases, conv_case_desc);
KUNIT_ARRAY_PARAM(ns_to_units, ns_to_units_cases, conv_case_desc);

static void cost_to_ns_test(struct kunit *test)
{
	const struct conv_case *t = test->param_value;

	KUNIT_EXPECT_EQ(test, efs_cost_to_ns(t->a, t->rate), t->expect);
}

static void ns_to_units_test(struct kunit *test)
{
	const struct conv_case *t = test->param_value;

	KUNIT_EXPECT_EQ(test, efs_ns_to_units(t->a, t->rate), t->expect);
}

/* Rate accuracy: offer 10x the rate for 10 s of simulated time. */

struct rate_case {
	const char *name;
	u64 rate;	/* units per second */
	u64 burst;
	u64 cost;	/* units per request */
};

static const struct rate_case rate_cases[] = {
	{ "rate1", 1, 1, 1 },
	{ "rate3", 3, 1, 1 },
	{ "rate1000_burst50", 1000, 50, 1 },
	{ "gp_reads_35000", 35000, 35000, 1 },
	{ "gp_writes_35000_cost5", 35000, 35000, 5 },
	{ "maxio_100000", 100000, 1000, 1 },
	{ "bytes_1mib_4k", 1ULL << 20, 1ULL << 20, 4096 },
	{ "bytes_100mib_1m", 100ULL << 20, 100ULL << 20, 1ULL << 20 },
};

static void rate_case_desc(const struct rate_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rate, rate_cases, rate_case_desc);

static void rate_accuracy_test(struct kunit *test)
{
	const struct rate_case *t = test->param_value;
	const u64 duration = 10 * SEC;
	/* Requests arrive at 10x the rate, each waits as told (FIFO). */
	u64 interval = div64_u64(SEC * t->cost, 10 * t->rate);
	u64 now, admitted = 0, expect, slack;
	struct efs_bucket b;

	efs_bucket_init(&b, t->rate, t->burst, T0);
	for (now = T0; now <= T0 + duration; now += interval) {
		u64 wait = efs_bucket_charge(&b, t->cost, now);

		if (now + wait <= T0 + duration)
			admitted += t->cost;
	}
	/* What an exact bucket admits: the burst, then rate per second. */
	expect = t->burst + 10 * t->rate;
	/* 0.1%, but counting whole requests is exact only to one request. */
	slack = max(div64_u64(10 * t->rate, 1000), t->cost);
	KUNIT_EXPECT_LE(test, admitted, expect + slack);
	KUNIT_EXPECT_GE(test, admitted + slack, expect);
	/* Never above the exact count by more than one request's rounding. */
	KUNIT_EXPECT_LE(test, admitted, expect + t->cost);
}

/* Burst: the first burst units pass, the next one waits cost / rate. */
static void burst_test(struct kunit *test)
{
	struct efs_bucket b;
	int i;

	efs_bucket_init(&b, 100, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 10 * MS);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 20 * MS);
	/* Once the waits are over, the bucket refills at rate. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 20 * MS), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 70 * MS), 5ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 10 * SEC), 10ULL);
}

/* One charge bigger than the burst waits for the excess. */
static void big_charge_test(struct kunit *test)
{
	struct efs_bucket b;

	efs_bucket_init(&b, 100, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 30, T0), 200 * MS);
}

/* burst 0 is clamped to 1. */
static void burst_clamp_test(struct kunit *test)
{
	struct efs_bucket b;

	efs_bucket_init(&b, 100, 0, T0);
	KUNIT_EXPECT_EQ(test, b.burst, 1ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 10 * MS);
}

/* Cost weights: on an empty bucket a cost-5 charge waits 5x a cost-1. */
static u64 empty_bucket_wait(u64 rate, u64 cost)
{
	struct efs_bucket b;

	efs_bucket_init(&b, rate, 1, T0);
	efs_bucket_charge(&b, 1, T0);
	return efs_bucket_charge(&b, cost, T0);
}

static void cost_weights_test(struct kunit *test)
{
	u64 wait_r, wait_w;

	wait_r = empty_bucket_wait(1000, 1);
	wait_w = empty_bucket_wait(1000, 5);
	KUNIT_EXPECT_EQ(test, wait_r, MS);
	KUNIT_EXPECT_EQ(test, wait_w, 5 * wait_r);
	/* 35,000/s is not a whole number of ns: within rounding (1 ns). */
	wait_r = empty_bucket_wait(35000, 1);
	wait_w = empty_bucket_wait(35000, 5);
	KUNIT_EXPECT_LE(test, wait_w, 5 * wait_r);
	KUNIT_EXPECT_GE(test, wait_w + 5, 5 * wait_r);
}

/* Refund gives back exactly what the charge took. */
static void refund_test(struct kunit *test)
{
	struct efs_bucket b;
	u64 wait;

	efs_bucket_init(&b, 100, 10, T0);
	efs_bucket_charge(&b, 10, T0);
	wait = efs_bucket_charge(&b, 5, T0);
	KUNIT_EXPECT_EQ(test, wait, 50 * MS);
	efs_bucket_refund(&b, 5);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 5, T0), wait);
	efs_bucket_refund(&b, 5);
	efs_bucket_refund(&b, 10);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
	/* Refunding more than was taken cannot exceed the burst. */
	efs_bucket_refund(&b, 1000);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 11, T0), 10 * MS);
}

static void balance_test(struct kunit *test)
{
	struct efs_bucket b;

	efs_bucket_init(&b, 100, 50, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 50ULL);
	efs_bucket_set_balance(&b, 20, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 20ULL);
	/* Asking about a later time commits nothing. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 100 * MS), 30ULL);
	/* 20 pass at once, the 21st waits one unit's time. */
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 20, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 10 * MS);
	/* Debt reads as 0. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 0ULL);
	efs_bucket_set_balance(&b, 1000, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 50ULL);
	efs_bucket_set_balance(&b, 0, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 10 * MS);
	/* A forward jump of hours refills only up to burst. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 5 * HOUR), 50ULL);
}

/* set_rate keeps the balance in units, clamped to the new burst. */
static void set_rate_test(struct kunit *test)
{
	struct efs_bucket b;

	efs_bucket_init(&b, 100, 50, T0);
	efs_bucket_set_balance(&b, 20, T0);
	efs_bucket_set_rate(&b, 1000, 100, T0);
	KUNIT_EXPECT_EQ(test, b.rate, 1000ULL);
	KUNIT_EXPECT_EQ(test, b.burst, 100ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 20ULL);
	/* Refill now at the new rate: 1 unit per ms. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 10 * MS), 30ULL);
	efs_bucket_set_rate(&b, 10, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
	/* A full bucket stays at its balance when the burst grows. */
	efs_bucket_init(&b, 100, 10, T0);
	efs_bucket_set_rate(&b, 100, 100, T0 + HOUR);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + HOUR), 10ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + HOUR + SEC), 100ULL);
	/* Same parameters: nothing changes. */
	efs_bucket_set_balance(&b, 7, T0);
	efs_bucket_set_rate(&b, 10, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 7ULL);
}

/* Debt is kept too: a reconfiguration does not forgive it. */
static void set_rate_debt_test(struct kunit *test)
{
	struct efs_bucket b;

	efs_bucket_init(&b, 100, 10, T0);
	/* Empty the bucket and go 10 units into debt (100 ms at 100/s). */
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 20, T0), 100 * MS);
	efs_bucket_set_rate(&b, 1000, 10, T0);
	/* 10 units of debt plus this one, at 1000/s. */
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 11 * MS);
}

/*
 * A grant renewed every tick at a rate that wobbles (efs-clusterd's) keeps
 * a debt whole: rounding it to units forgave up to one a renewal, and two
 * heads at 30 units/s admitted 2 units/s more than their grants.
 */
static void set_rate_wobble_test(struct kunit *test)
{
	struct efs_bucket b;
	u64 t = T0, w0, w1;
	int i;

	efs_bucket_init(&b, 30, 1, t);
	/* 10 units of debt */
	w0 = efs_bucket_charge(&b, 11, t);
	KUNIT_EXPECT_GT(test, w0, 300 * MS);
	for (i = 0; i < 100; i++) {
		efs_bucket_set_rate(&b, 31, 1, t);
		efs_bucket_set_rate(&b, 30, 1, t);
		efs_bucket_set_rate(&b, 30, 1, t);	/* unchanged: nothing */
	}
	/* one more unit waits the debt and its own time (200 rescales: ns) */
	w1 = efs_bucket_charge(&b, 1, t);
	KUNIT_EXPECT_LE(test, w1, w0 + SEC / 30 + 300);
	KUNIT_EXPECT_GE(test, w1 + 300, w0 + SEC / 30);
}

/* Unlimited (rate 0) and the switches to and from it. */
static void unlimited_test(struct kunit *test)
{
	struct efs_bucket b;
	int i;

	efs_bucket_init(&b, 0, 10, T0);
	for (i = 0; i < 1000; i++)
		KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, U64_MAX, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
	efs_bucket_refund(&b, 5);
	efs_bucket_set_balance(&b, 3, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);

	/* limited -> unlimited -> limited: starts full. */
	efs_bucket_set_rate(&b, 100, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 20, T0), 100 * MS);
	efs_bucket_set_rate(&b, 0, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 20, T0), 0ULL);
	efs_bucket_set_rate(&b, 100, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 10ULL);
}

/* A clock going backwards neither grants credit nor causes a huge wait. */
static void clock_backwards_test(struct kunit *test)
{
	struct efs_bucket b;
	u64 back = T0 - HOUR;

	/* Bucket in debt: one unit queued (wait 10 ms). */
	efs_bucket_init(&b, 100, 10, T0);
	efs_bucket_charge(&b, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 10 * MS);
	/* An hour back: the queue continues, no hour of wait. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, back), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, back), 20 * MS);
	/* Time then runs from the new clock. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, back + 70 * MS), 5ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, back + SEC), 10ULL);

	/* Full bucket: still full, not more. */
	efs_bucket_init(&b, 100, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, back), 10ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 11, back), 10 * MS);

	/* Half-full bucket keeps its balance. */
	efs_bucket_init(&b, 100, 10, T0);
	efs_bucket_set_balance(&b, 4, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, back), 4ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, back + 30 * MS), 7ULL);
}

/* Small backward steps (CPUs reading the clock in turn) are only jitter. */
static void clock_jitter_test(struct kunit *test)
{
	struct efs_bucket b;

	efs_bucket_init(&b, 100, 10, T0);
	efs_bucket_charge(&b, 10, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 10 * MS);
	/* 500 us stale: waits 500 us longer, no credit. */
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0 - 500000),
			20 * MS + 500000);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 - 500000), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 30 * MS);
}

/* Forward jump of hours: refill only up to burst. */
static void clock_forward_test(struct kunit *test)
{
	struct efs_bucket b;
	u64 later = T0 + 5 * HOUR;
	int i;

	efs_bucket_init(&b, 100, 10, T0);
	efs_bucket_charge(&b, 30, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, later), 10ULL);
	for (i = 0; i < 10; i++)
		KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, later), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, later), 10 * MS);
	/* and back again: the state relative to the clock is kept. */
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0 + 10 * SEC),
			20 * MS);
}

/* Extreme rates, costs and clocks: saturate, never fault nor wrap. */
static void overflow_test(struct kunit *test)
{
	const u64 mid = U64_MAX / 2;	/* beyond any real ktime */
	struct efs_bucket b;
	u64 wait;

	/* rate 1, cost U64_MAX: waits (practically) forever. */
	efs_bucket_init(&b, 1, 1, T0);
	wait = efs_bucket_charge(&b, U64_MAX, T0);
	KUNIT_EXPECT_GE(test, wait, U64_MAX - T0 - SEC);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 0ULL);
	/* Saturated: another charge still waits "forever", no wrap. */
	KUNIT_EXPECT_GE(test, efs_bucket_charge(&b, 1, T0), wait);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, mid), 0ULL);

	/* rate U64_MAX: cost 1 is free, cost U64_MAX takes one second. */
	efs_bucket_init(&b, U64_MAX, 1, T0);
	KUNIT_EXPECT_EQ(test, b.tolerance_ns, 1ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, U64_MAX, T0), SEC);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0 + 2 * SEC), 1ULL);

	/* burst U64_MAX: tolerance and balance saturate. */
	efs_bucket_init(&b, U64_MAX, U64_MAX, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), U64_MAX);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, U64_MAX, T0), 0ULL);
	efs_bucket_init(&b, 1, U64_MAX, T0);
	KUNIT_EXPECT_EQ(test, b.tolerance_ns, U64_MAX);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1000000, T0), 0ULL);
	KUNIT_EXPECT_LE(test, efs_bucket_balance(&b, T0), U64_MAX);

	/* cost 0: no wait, no change. */
	efs_bucket_init(&b, 100, 1, T0);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 0, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, T0), 1ULL);
	efs_bucket_refund(&b, 0);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 0, T0), 0ULL);

	/* A clock near U64_MAX / 2 works as any other. */
	efs_bucket_init(&b, 100, 10, mid);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 10, mid), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 1, mid), 10 * MS);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, mid + HOUR), 10ULL);
	/* Balance kept; above 1e9/s it reads within 1 ns worth of units. */
	efs_bucket_set_rate(&b, U64_MAX, U64_MAX, mid + HOUR);
	KUNIT_EXPECT_GE(test, efs_bucket_balance(&b, mid + HOUR), 10ULL);
	KUNIT_EXPECT_LE(test, efs_bucket_balance(&b, mid + HOUR),
			10 + U64_MAX / NSEC_PER_SEC);
	efs_bucket_set_rate(&b, 1, 1, mid + HOUR);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&b, mid + HOUR), 1ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&b, 2, mid + HOUR), SEC);
}

/*
 * Per-CPU batching never admits more than an exact bucket, and lags it by
 * at most nr_cpus * batch units.
 */
struct pcpu_case {
	const char *name;
	u64 rate;
	u64 burst;
	u64 batch;
};

static const struct pcpu_case pcpu_cases[] = {
	{ "batch1", 1000, 100, 1 },
	{ "batch10", 1000, 100, 10 },
	{ "batch64_maxio", 500000, 5000, 64 },
	{ "batch_over_burst", 1000, 10, 1000 },
};

static void pcpu_case_desc(const struct pcpu_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pcpu, pcpu_cases, pcpu_case_desc);

static void pcpu_test(struct kunit *test)
{
	const struct pcpu_case *t = test->param_value;
	const u64 duration = SEC;
	u64 interval = div64_u64(SEC, 10 * t->rate);
	u64 now, admitted = 0, expect, bound;
	struct efs_pcpu_bucket pb;

	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, t->rate, t->burst,
						   t->batch, T0), 0);
	KUNIT_EXPECT_LE(test, pb.batch, t->burst);
	for (now = T0; now <= T0 + duration; now += interval) {
		u64 wait = efs_pcpu_bucket_charge(&pb, 1, now);

		if (now + wait <= T0 + duration)
			admitted++;
	}
	expect = t->burst + t->rate * duration / SEC;
	bound = num_possible_cpus() * pb.batch;
	/* + 1: counting whole requests in a window. */
	KUNIT_EXPECT_LE(test, admitted, expect + 1);
	KUNIT_EXPECT_GE(test, admitted + bound + 1, expect);
	efs_pcpu_bucket_destroy(&pb);
	KUNIT_EXPECT_PTR_EQ(test, pb.prepaid, (s64 __percpu *)NULL);
}

/* Per-CPU: costs bigger than the batch, and unlimited. */
static void pcpu_edges_test(struct kunit *test)
{
	struct efs_pcpu_bucket pb;
	s64 *prepaid, left;

	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, 100, 10, 0, T0), 0);
	KUNIT_EXPECT_EQ(test, pb.batch, 1ULL);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 0, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 10, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 1, T0), 10 * MS);
	efs_pcpu_bucket_destroy(&pb);

	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, 100, 10, 4, T0), 0);
	/* 4 prepaid, 3 left on this CPU after one unit. */
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 1, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&pb.shared, T0), 6ULL);
	/* 3 left cover 3; 20 more takes 20 - 0 from the shared bucket. */
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 3, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 20, T0), 140 * MS);
	efs_pcpu_bucket_destroy(&pb);

	/* In debt, a refill prepays nothing: later requests wait too. */
	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, 100, 10, 5, T0), 0);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 10, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 1, T0), 10 * MS);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 1, T0), 20 * MS);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&pb.shared, T0 + 70 * MS),
			5ULL);
	efs_pcpu_bucket_destroy(&pb);

	/* Absurd batch and burst: prepaid units still fit their s64. */
	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, 1, U64_MAX, U64_MAX,
						   T0), 0);
	KUNIT_EXPECT_EQ(test, pb.batch, (u64)S64_MAX);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, 1, T0), 0ULL);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, S64_MAX - 1, T0),
			0ULL);
	efs_pcpu_bucket_charge(&pb, U64_MAX, T0);
	prepaid = get_cpu_ptr(pb.prepaid);
	left = *prepaid;
	put_cpu_ptr(pb.prepaid);
	KUNIT_EXPECT_GE(test, left, 0LL);
	KUNIT_EXPECT_LT(test, left, S64_MAX);
	efs_pcpu_bucket_destroy(&pb);

	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, 0, 10, 4, T0), 0);
	KUNIT_EXPECT_EQ(test, efs_pcpu_bucket_charge(&pb, U64_MAX, T0), 0ULL);
	efs_pcpu_bucket_destroy(&pb);
}

/*
 * The wait split into the debt before a charge and its own cost beyond
 * the burst. rate 1000/s: 1 ms a unit; burst 10: 10 ms.
 */
static void charge_wait_test(struct kunit *test)
{
	struct efs_bucket b;
	struct efs_wait w;

	efs_bucket_init(&b, 1000, 10, T0);
	/* Full bucket, 50 units: 40 ms, all its own. */
	efs_bucket_charge_wait(&b, 50, T0, false, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, 40 * MS);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&b.tat), T0 + 50 * MS);
	/* The next small one waits for the whole debt: 51 - 10 ms. */
	efs_bucket_charge_wait(&b, 1, T0, false, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, 41 * MS);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 41 * MS);
	/* A large one behind debt: the debt is 51 ms of tat, its own 40. */
	efs_bucket_charge_wait(&b, 50, T0, false, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, 91 * MS);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 51 * MS);
	/* Its own part counts at most EFS_OWN_WAIT_MAX_NS. */
	efs_bucket_init(&b, 1, 1, T0);
	efs_bucket_charge_wait(&b, 100, T0, false, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, EFS_OWN_WAIT_MAX_NS);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&b.tat), T0 + 100 * SEC);
	/* own_burst: the refill of the burst before it is its own too. */
	efs_bucket_init(&b, 1000, 10, T0);
	efs_bucket_charge_wait(&b, 15, T0, true, &w);	/* tat T0 + 15 */
	KUNIT_EXPECT_EQ(test, w.total_ns, 5 * MS);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 0ULL);
	efs_bucket_charge_wait(&b, 15, T0, true, &w);	/* 15 > 10 before */
	KUNIT_EXPECT_EQ(test, w.total_ns, 20 * MS);
	KUNIT_EXPECT_EQ(test, w.debt_ns, 5 * MS);
	/* Unlimited: nothing to wait. */
	efs_bucket_init(&b, 0, 1, T0);
	efs_bucket_charge_wait(&b, 100, T0, false, &w);
	KUNIT_EXPECT_EQ(test, w.total_ns, 0ULL);
}

/*
 * A per-CPU charge refunded is as if it never happened: the shared
 * bucket's tat less the units prepaid on this CPU (each 1 ms) is back
 * where it was, in credit and in debt, whatever the batch left locally.
 */
static void pcpu_refund_exact_test(struct kunit *test)
{
	struct efs_pcpu_bucket pb;
	u64 level, cost;
	int i;

	KUNIT_ASSERT_EQ(test, efs_pcpu_bucket_init(&pb, 1000, 8, 4, T0), 0);
	for (i = 0; i < 40; i++) {
		cost = 1 + i % 3;
		level = atomic64_read(&pb.shared.tat) -
			*this_cpu_ptr(pb.prepaid) * MS;
		efs_pcpu_bucket_charge(&pb, cost, T0);
		KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&pb.shared.tat) -
				*this_cpu_ptr(pb.prepaid) * MS,
				max(level, T0) + cost * MS);
		if (i % 2) {
			efs_pcpu_bucket_refund(&pb, cost);
			KUNIT_EXPECT_EQ(test,
					(u64)atomic64_read(&pb.shared.tat) -
					*this_cpu_ptr(pb.prepaid) * MS,
					max(level, T0));
		}
	}
	efs_pcpu_bucket_destroy(&pb);
}

static struct kunit_case efs_limiter_cases[] = {
	KUNIT_CASE_PARAM(cost_to_ns_test, cost_to_ns_gen_params),
	KUNIT_CASE_PARAM(ns_to_units_test, ns_to_units_gen_params),
	KUNIT_CASE_PARAM(rate_accuracy_test, rate_gen_params),
	KUNIT_CASE(burst_test),
	KUNIT_CASE(big_charge_test),
	KUNIT_CASE(burst_clamp_test),
	KUNIT_CASE(cost_weights_test),
	KUNIT_CASE(refund_test),
	KUNIT_CASE(balance_test),
	KUNIT_CASE(set_rate_test),
	KUNIT_CASE(set_rate_debt_test),
	KUNIT_CASE(set_rate_wobble_test),
	KUNIT_CASE(unlimited_test),
	KUNIT_CASE(clock_backwards_test),
	KUNIT_CASE(clock_jitter_test),
	KUNIT_CASE(clock_forward_test),
	KUNIT_CASE(overflow_test),
	KUNIT_CASE_PARAM(pcpu_test, pcpu_gen_params),
	KUNIT_CASE(pcpu_edges_test),
	KUNIT_CASE(charge_wait_test),
	KUNIT_CASE(pcpu_refund_exact_test),
	{}
};

static struct kunit_suite efs_limiter_suite = {
	.name = "efs_limiter",
	.test_cases = efs_limiter_cases,
};

kunit_test_suite(efs_limiter_suite);
