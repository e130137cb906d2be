// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for fair queueing (fq.c): the order in which
 * waiting requests leave, simulated without sleeping: a "server" takes the
 * queue's first request, and that request's client sends its next one at
 * once (a closed loop, as fio jobs do).
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include "fq.h"
#include "clients.h"

#define COST	5000000ULL	/* 5 ms of budget: 200 units/s */

struct sim {
	struct efs_fq fq;
	struct efs_client clients[8];
	struct efs_waiter *w;		/* pool */
	unsigned int served[8];
	unsigned int nw;
};

static struct efs_waiter *sim_waiter(struct kunit *test, struct sim *s,
				     unsigned int c)
{
	struct efs_waiter *w = &s->w[s->nw++];

	memset(w, 0, sizeof(*w));
	efs_fq_enqueue(&s->fq, w, &s->clients[c], COST);
	return w;
}

/* Serve n requests; each served client sends its next one. */
static void sim_run(struct kunit *test, struct sim *s, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct efs_waiter *w = efs_fq_first(&s->fq);
		unsigned int c = w->client - s->clients;

		efs_fq_remove(&s->fq, w);
		efs_fq_start(&s->fq, w);
		s->served[c]++;
		sim_waiter(test, s, c);
	}
}

static struct sim *sim_new(struct kunit *test, unsigned int pool)
{
	struct sim *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->w = kunit_kcalloc(test, pool, sizeof(*s->w), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->w);
	efs_fq_init(&s->fq);
	return s;
}

/* 1, 2, 8 and 16 requests outstanding: each client gets a quarter. */
static void equal_shares_test(struct kunit *test)
{
	static const unsigned int outstanding[] = { 1, 2, 8, 16 };
	const unsigned int rounds = 4000;
	struct sim *s = sim_new(test, rounds + 32);
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(outstanding); c++)
		for (i = 0; i < outstanding[c]; i++)
			sim_waiter(test, s, c);
	sim_run(test, s, rounds);
	for (c = 0; c < ARRAY_SIZE(outstanding); c++) {
		KUNIT_EXPECT_GE_MSG(test, s->served[c], rounds / 4 - 2,
				    "client %u", c);
		KUNIT_EXPECT_LE_MSG(test, s->served[c], rounds / 4 + 2,
				    "client %u", c);
	}
}

/* Arrival order would give the 16-request client 16/17 of the budget. */
static void greedy_vs_modest_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 1100);
	unsigned int i;

	for (i = 0; i < 16; i++)
		sim_waiter(test, s, 0);
	sim_waiter(test, s, 1);
	sim_run(test, s, 1000);
	KUNIT_EXPECT_GE(test, s->served[1], 499U);
	KUNIT_EXPECT_LE(test, s->served[1], 501U);
}

/*
 * A client that was idle is not behind: its first request goes before
 * the greedy client's second one, whatever the greedy client queued.
 */
static void idle_client_goes_next_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 64);
	struct efs_waiter *light;
	unsigned int i, before = 0;

	for (i = 0; i < 16; i++)
		sim_waiter(test, s, 0);
	sim_run(test, s, 5);
	light = sim_waiter(test, s, 1);
	while (efs_fq_first(&s->fq) != light) {
		struct efs_waiter *w = efs_fq_first(&s->fq);

		efs_fq_remove(&s->fq, w);
		efs_fq_start(&s->fq, w);
		before++;
	}
	KUNIT_EXPECT_LE(test, before, 1U);
}

/* The last request, the one to displace, is the heaviest client's. */
static void last_is_heaviest_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 64);
	unsigned int i;

	for (i = 0; i < 8; i++)
		sim_waiter(test, s, 0);
	sim_waiter(test, s, 1);
	sim_waiter(test, s, 2);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_last(&s->fq)->client, &s->clients[0]);
	KUNIT_EXPECT_EQ(test, s->clients[0].queued, 8U);
	KUNIT_EXPECT_EQ(test, s->fq.queued_ns, 10 * COST);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fq.queued), 10);
}

/* Displacement picks a heavier client's latest request, never c's own. */
static void victim_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 64);
	struct efs_waiter *last = NULL;
	unsigned int i;

	for (i = 0; i < 3; i++)
		last = sim_waiter(test, s, 0);
	sim_waiter(test, s, 1);
	/* Client 2 (none queued) displaces client 0's latest. */
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_victim(&s->fq, &s->clients[2], false), last);
	/* Client 1 (one queued) too: client 0 has more. */
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_victim(&s->fq, &s->clients[1], false), last);
	/* Client 0 displaces nobody: no one has more than it. */
	KUNIT_EXPECT_NULL(test, efs_fq_victim(&s->fq, &s->clients[0], false));
	/* Another filesystem takes the latest of all. */
	KUNIT_EXPECT_NOT_NULL(test, efs_fq_victim(&s->fq, NULL, false));
	/* A cancelled request gives its cost back to its client. */
	efs_fq_cancel(&s->fq, last);
	KUNIT_EXPECT_EQ(test, s->clients[0].vfinish, 2 * COST);
	KUNIT_EXPECT_EQ(test, s->clients[0].queued, 2U);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fq.queued), 3);
}

/*
 * A request sleeping on its client's ceiling goes first, to any other
 * client (and to another filesystem); never to its own client, nor when
 * the displacing request is over its own ceiling (sleepers false).
 */
static void sleeper_victim_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 8);
	struct efs_waiter *queued = sim_waiter(test, s, 0);
	struct efs_waiter *sleeper = &s->w[s->nw++];

	sim_waiter(test, s, 0);
	efs_fq_sleep_add(&s->fq, sleeper, &s->clients[1]);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fq.queued), 2);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_victim(&s->fq, &s->clients[2], true),
			    sleeper);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_victim(&s->fq, NULL, true), sleeper);
	/* Its own client: the heavier client's latest queued instead. */
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_victim(&s->fq, &s->clients[1], true),
			    efs_fq_last(&s->fq));
	KUNIT_EXPECT_PTR_NE(test, efs_fq_victim(&s->fq, &s->clients[2], false),
			    sleeper);
	efs_fq_sleep_del(&s->fq, sleeper);
	KUNIT_EXPECT_TRUE(test, list_empty(&s->fq.sleepers));
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_first(&s->fq), queued);
}

/* Equal tags leave in arrival order. */
static void ties_fifo_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 8);
	struct efs_waiter *a = sim_waiter(test, s, 0);
	struct efs_waiter *b = sim_waiter(test, s, 1);

	KUNIT_EXPECT_EQ(test, a->tag, b->tag);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_first(&s->fq), a);
	efs_fq_remove(&s->fq, a);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_first(&s->fq), b);
	efs_fq_remove(&s->fq, b);
	KUNIT_EXPECT_NULL(test, efs_fq_first(&s->fq));
	KUNIT_EXPECT_EQ(test, s->fq.queued_ns, 0ULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fq.queued), 0);
}

/*
 * A small request of another client goes before a large one with the
 * same start tag: the queue is in finish order (processor sharing would
 * finish it first).
 */
static void small_before_large_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 8);
	struct efs_waiter *big = &s->w[s->nw++];
	struct efs_waiter *small = &s->w[s->nw++];

	efs_fq_enqueue(&s->fq, big, &s->clients[0], 64 * COST);
	efs_fq_enqueue(&s->fq, small, &s->clients[1], COST);
	KUNIT_EXPECT_EQ(test, big->tag, small->tag);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_first(&s->fq), small);
}

/* A booked request given back keeps its tag and its client's finish. */
static void requeue_test(struct kunit *test)
{
	struct sim *s = sim_new(test, 8);
	struct efs_waiter *a = sim_waiter(test, s, 0);
	u64 vfinish = s->clients[0].vfinish;

	efs_fq_remove(&s->fq, a);
	efs_fq_start(&s->fq, a);
	efs_fq_requeue(&s->fq, a);
	KUNIT_EXPECT_PTR_EQ(test, efs_fq_first(&s->fq), a);
	KUNIT_EXPECT_EQ(test, a->state, EFS_W_QUEUED);
	KUNIT_EXPECT_EQ(test, s->clients[0].vfinish, vfinish);
	KUNIT_EXPECT_EQ(test, s->clients[0].queued, 1U);
	KUNIT_EXPECT_EQ(test, s->fq.queued_ns, COST);
	KUNIT_EXPECT_EQ(test, atomic_read(&s->fq.queued), 1);
}

static struct kunit_case efs_fq_cases[] = {
	KUNIT_CASE(small_before_large_test),
	KUNIT_CASE(requeue_test),
	KUNIT_CASE(equal_shares_test),
	KUNIT_CASE(greedy_vs_modest_test),
	KUNIT_CASE(sleeper_victim_test),
	KUNIT_CASE(idle_client_goes_next_test),
	KUNIT_CASE(last_is_heaviest_test),
	KUNIT_CASE(victim_test),
	KUNIT_CASE(ties_fifo_test),
	{}
};

static struct kunit_suite efs_fq_suite = {
	.name = "efs_fq",
	.test_cases = efs_fq_cases,
};

kunit_test_suite(efs_fq_suite);
