// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the client table (clients.c): keys from addresses,
 * lookups and the recent slots, the server-wide bound and its lower-bound
 * count, aging with an injected jiffies clock, and 100,000 distinct
 * clients.
 */
#include <kunit/test.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/slab.h>
#include "clients.h"

#define NOW	(1000UL * HZ)
#define IDLE	(60UL * HZ)

static void key_n(struct efs_client_key *k, u32 n)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x0a000000 + n),
	};

	KUNIT_ASSERT_TRUE(current->kunit_test,
			  efs_client_key_from_addr(k, (struct sockaddr *)&sin,
						   sizeof(sin)));
}

static int clients_suite_init(struct kunit_suite *suite)
{
	return efs_clients_init();
}

static void clients_suite_exit(struct kunit_suite *suite)
{
	efs_clients_exit();
}

static void keys_test(struct kunit *test)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(2) };
	struct sockaddr_in6 c = { .sin6_family = AF_INET6 };
	struct sockaddr unknown = { .sa_family = AF_UNIX };
	struct efs_client_key ka, kb, kc;
	char buf[48];

	a.sin_addr.s_addr = b.sin_addr.s_addr = htonl(0xc0000201);
	c.sin6_addr.s6_addr[0] = 0x20;
	c.sin6_addr.s6_addr[1] = 0x01;
	c.sin6_addr.s6_addr[15] = 1;
	KUNIT_EXPECT_TRUE(test, efs_client_key_from_addr(&ka, (void *)&a, sizeof(a)));
	KUNIT_EXPECT_TRUE(test, efs_client_key_from_addr(&kb, (void *)&b, sizeof(b)));
	KUNIT_EXPECT_TRUE(test, efs_client_key_from_addr(&kc, (void *)&c, sizeof(c)));
	/* The port is not part of a client. */
	KUNIT_EXPECT_EQ(test, memcmp(&ka, &kb, sizeof(ka)), 0);
	efs_client_addr_str(&ka, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "192.0.2.1");
	efs_client_addr_str(&kc, buf, sizeof(buf));
	KUNIT_EXPECT_STREQ(test, buf, "2001::1");
	KUNIT_EXPECT_FALSE(test, efs_client_key_from_addr(&ka, &unknown,
							  sizeof(unknown)));
	/* Too short for its family. */
	KUNIT_EXPECT_FALSE(test, efs_client_key_from_addr(&ka, (void *)&a, 4));
}

static void same_client_test(struct kunit *test)
{
	struct efs_client_table t;
	struct efs_client_key k;
	struct efs_client *x, *y;
	bool lb;

	KUNIT_ASSERT_EQ(test, efs_client_table_init(&t), 0);
	key_n(&k, 1);
	x = efs_client_get(&t, &k, NOW);
	y = efs_client_get(&t, &k, NOW + HZ);
	KUNIT_EXPECT_PTR_EQ(test, x, y);
	KUNIT_EXPECT_FALSE(test, efs_client_is_overflow(&t, x));
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW, IDLE, &lb), 1U);
	KUNIT_EXPECT_FALSE(test, lb);
	/* Held: not aged out, however old. */
	KUNIT_EXPECT_EQ(test, efs_clients_tick(&t, NOW + 10 * IDLE, IDLE, 0), 0U);
	efs_client_put(x);
	efs_client_put(y);
	/* Not idle long enough yet. */
	KUNIT_EXPECT_EQ(test, efs_clients_tick(&t, NOW + IDLE / 2, IDLE, 0), 0U);
	KUNIT_EXPECT_EQ(test, efs_clients_tick(&t, NOW + 2 * IDLE, IDLE, 0), 1U);
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW, IDLE, &lb), 0U);
	efs_client_table_destroy(&t);
}

/*
 * The recent slots: a hit is the entry the rhashtable holds, keys that
 * share a slot each find their own, and an entry aged out leaves its
 * slot (a later lookup makes a new entry, not the freed one).
 */
static void recent_test(struct kunit *test)
{
	struct efs_client_table t;
	struct efs_client_key k[40];
	struct efs_client *c[40], *again;
	unsigned int i, filled = 0;

	KUNIT_ASSERT_EQ(test, efs_client_table_init(&t), 0);
	/* More keys than slots: some share one. */
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		key_n(&k[i], i + 1);
		c[i] = efs_client_get(&t, &k[i], NOW);
		efs_client_put(efs_client_get(&t, &k[i], NOW));
	}
	for (i = 0; i < ARRAY_SIZE(k); i++) {
		again = efs_client_get(&t, &k[i], NOW);
		KUNIT_EXPECT_PTR_EQ(test, again, c[i]);
		KUNIT_EXPECT_EQ(test, memcmp(&again->key, &k[i], sizeof(k[i])),
				0);
		efs_client_put(again);
		efs_client_put(c[i]);
	}
	for (i = 0; i < ARRAY_SIZE(t.recent); i++)
		filled += !!rcu_access_pointer(t.recent[i]);
	KUNIT_EXPECT_GT(test, filled, 0U);
	KUNIT_EXPECT_EQ(test, efs_clients_tick(&t, NOW + 2 * IDLE, IDLE, 0),
			(unsigned int)ARRAY_SIZE(k));
	for (i = 0; i < ARRAY_SIZE(t.recent); i++)
		KUNIT_EXPECT_NULL(test, rcu_access_pointer(t.recent[i]));
	again = efs_client_get(&t, &k[0], NOW + 3 * IDLE);
	KUNIT_EXPECT_EQ(test, refcount_read(&again->ref), 2U);
	KUNIT_EXPECT_EQ(test, atomic_read(&t.count), 1);
	efs_client_put(again);
	efs_client_table_destroy(&t);
}

/* Rates over the tick's interval. */
static void rates_test(struct kunit *test)
{
	struct efs_client_table t;
	struct efs_client_key k;
	struct efs_client *c;

	KUNIT_ASSERT_EQ(test, efs_client_table_init(&t), 0);
	key_n(&k, 7);
	c = efs_client_get(&t, &k, NOW);
	efs_clients_tick(&t, NOW, IDLE, 0);
	atomic64_add(300, &c->ops);
	atomic64_add(3 << 20, &c->metered_bytes);
	efs_clients_tick(&t, NOW, IDLE, 2 * NSEC_PER_SEC);
	KUNIT_EXPECT_EQ(test, c->ops_rate, 150U);
	KUNIT_EXPECT_EQ(test, c->metered_rate, (u64)(3 << 20) / 2);
	efs_client_put(c);
	efs_client_table_destroy(&t);
}

/* Past the server-wide bound: the overflow entry, and a lower bound. */
static void bound_test(struct kunit *test)
{
	unsigned int saved = efs_clients_max, i, total = atomic_read(&efs_clients_total);
	struct efs_client *c[15];
	struct efs_client_table t;
	struct efs_client_key k;
	bool lb;

	KUNIT_ASSERT_EQ(test, efs_client_table_init(&t), 0);
	efs_clients_max = total + 10;
	for (i = 0; i < ARRAY_SIZE(c); i++) {
		key_n(&k, 100 + i);
		c[i] = efs_client_get(&t, &k, NOW);
		KUNIT_EXPECT_EQ(test, efs_client_is_overflow(&t, c[i]), i >= 10);
	}
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW, IDLE, &lb), 10U);
	KUNIT_EXPECT_TRUE(test, lb);
	KUNIT_EXPECT_EQ(test, atomic_read(&efs_clients_total), total + 10);
	for (i = 0; i < ARRAY_SIZE(c); i++)
		efs_client_put(c[i]);
	/* The lower bound ends when the overflow has been idle too. */
	efs_clients_tick(&t, NOW + 2 * IDLE, IDLE, 0);
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW + 2 * IDLE, IDLE, &lb), 0U);
	KUNIT_EXPECT_FALSE(test, lb);
	KUNIT_EXPECT_EQ(test, atomic_read(&efs_clients_total), total);
	efs_clients_max = saved;
	efs_client_table_destroy(&t);
}

/* 100,000 distinct clients: all tracked, all found again, all aged out. */
static void hundred_thousand_test(struct kunit *test)
{
	const u32 n = 100000;
	unsigned int saved = efs_clients_max;
	struct efs_client_table t;
	struct efs_client_key k;
	struct efs_client *c;
	u32 i, wrong = 0;
	bool lb;

	KUNIT_ASSERT_EQ(test, efs_client_table_init(&t), 0);
	efs_clients_max = 2 * n;
	for (i = 0; i < n; i++) {
		key_n(&k, i);
		c = efs_client_get(&t, &k, NOW);
		wrong += efs_client_is_overflow(&t, c);
		atomic64_set(&c->ops, i);
		efs_client_put(c);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0U);
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW, IDLE, &lb), n);
	KUNIT_EXPECT_FALSE(test, lb);
	for (i = 0; i < n; i++) {
		key_n(&k, i);
		c = efs_client_get(&t, &k, NOW);
		wrong += atomic64_read(&c->ops) != i;
		efs_client_put(c);
	}
	KUNIT_EXPECT_EQ(test, wrong, 0U);
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW, IDLE, &lb), n);
	KUNIT_EXPECT_EQ(test, efs_clients_tick(&t, NOW + 2 * IDLE, IDLE, 0), n);
	KUNIT_EXPECT_EQ(test, efs_clients_count(&t, NOW, IDLE, &lb), 0U);
	efs_clients_max = saved;
	efs_client_table_destroy(&t);
}

static struct kunit_case efs_clients_cases[] = {
	KUNIT_CASE(keys_test),
	KUNIT_CASE(same_client_test),
	KUNIT_CASE(recent_test),
	KUNIT_CASE(rates_test),
	KUNIT_CASE(bound_test),
	KUNIT_CASE(hundred_thousand_test),
	{}
};

static struct kunit_suite efs_clients_suite = {
	.name = "efs_clients",
	.suite_init = clients_suite_init,
	.suite_exit = clients_suite_exit,
	.test_cases = efs_clients_cases,
};

kunit_test_suite(efs_clients_suite);
