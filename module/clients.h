/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The clients of one filesystem: a bounded hash table (rhashtable, RCU
 * lookups) of client addresses with what each did, its own ceilings and
 * its place in the filesystem's fair queue.
 *
 * A client is its source address, without the port (which changes with
 * every connection): an NFSv3 client has no other identity, and one host
 * mounting the same filesystem twice is still one tenant.
 *
 * Entries are aged out once idle for the filesystem's client_idle_s; the
 * number of entries on the whole server is bounded (efs_clients_max).
 * Past the bound, new addresses share the filesystem's "overflow" entry
 * and ClientConnections is reported as a lower bound.
 *
 * Each client has its own ceilings, the same for every client of the
 * filesystem (--per-client-iops-limit, the per-client throughput): its
 * own buckets, charged before the filesystem's budgets.
 *
 * Pure code apart from the slab and rhashtable: times are passed in
 * (jiffies, and ns for the ceilings), so KUnit drives aging without
 * sleeping.
 */
#ifndef EFS_CLIENTS_H
#define EFS_CLIENTS_H

#include <linux/atomic.h>
#include <linux/rhashtable-types.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include "limiter.h"
#include "meter.h"

struct sockaddr;

/* IPv4 addresses are stored as IPv4-mapped IPv6 ones. */
struct efs_client_key {
	__be32 addr[4];
};

struct efs_client {
	struct rhash_head node;
	struct efs_client_key key;
	refcount_t ref;			/* the table's, plus one per user */
	struct rcu_head rcu;
	unsigned long last_seen;	/* jiffies, updated at most once a second */

	/* What the client did (atomics: one client's threads share them). */
	atomic64_t ops, metered_bytes, throttled_ops, delay_replies;
	atomic64_t tls_ops, plaintext_refused;
	bool tls;			/* its last request came over TLS */
	unsigned long flags;		/* EFS_CLIENT_* bits */

	/* Rates over the last second, written by the sampler. */
	u64 prev_ops, prev_metered;
	u32 ops_rate;
	u64 metered_rate;

	/* Per-client ceilings (bucket rate 0 = none), set up lazily. */
	u32 ceiling_gen;		/* the table's ceilings.gen they match */
	struct efs_bucket iops;
	struct efs_bucket bytes;

	unsigned long pressure_until;	/* jiffies: back-pressure (NFSv4.1) */
	u32 pressure_slots;		/* session slots asked of it, held */
	unsigned long pressure_step;	/* jiffies: its slots last changed */
	atomic_t pressure_passed;	/* held, let through at once, since */
	atomic_t pressure_waited;	/* held, waited for budget, since */
	unsigned long shared_until;	/* jiffies: its session carries more */

	/* Fair queueing, under the filesystem's fair-queue lock. */
	u64 vfinish;			/* virtual time its last request ends */
	u32 queued;			/* its requests in the queue */
};

/* efs_client.flags: a plaintext refusal was logged (transit.c). */
#define EFS_CLIENT_PLAINTEXT_LOGGED	0

/* A filesystem's ceilings for each of its clients (rate 0 = none). */
struct efs_client_ceilings {
	u64 iops, iops_burst;		/* units/s, --per-client-iops-limit */
	u64 bps, bps_burst;		/* metered bytes/s */
	u32 gen;			/* bumped when they change; 0: never set */
};

#define EFS_CLIENT_RECENT_BITS	4

struct efs_client_table {
	struct rhashtable ht;
	/*
	 * The entries found last, by a hash of their address: a hit costs
	 * a compare where the rhashtable costs a hash and a walk (some 150
	 * instructions a request). Read under RCU; set by a lookup that
	 * holds a reference; aging clears an entry's slot before freeing it.
	 */
	struct efs_client __rcu *recent[1 << EFS_CLIENT_RECENT_BITS];
	struct efs_client_ceilings ceilings;
	atomic_t count;			/* entries in ht */
	struct efs_client overflow;	/* everyone past the bound */
	unsigned long overflow_seen;	/* jiffies; 0 = never */
};

/* Entries on the whole server, and their bound (module parameter). */
extern atomic_t efs_clients_total;
extern unsigned int efs_clients_max;

int efs_clients_init(void);
void efs_clients_exit(void);
size_t efs_client_size(void);

int efs_client_table_init(struct efs_client_table *t);
/* Frees every entry; no user may be left. */
void efs_client_table_destroy(struct efs_client_table *t);

/* The key of a socket address (the port is ignored); false if unknown. */
bool efs_client_key_from_addr(struct efs_client_key *key,
			      const struct sockaddr *sa, size_t len);
/*
 * The entry for key, created if new, with a reference the caller puts;
 * never NULL (past the bound or out of memory: the overflow entry). May
 * sleep (allocates with GFP_KERNEL).
 */
struct efs_client *efs_client_get(struct efs_client_table *t,
				  const struct efs_client_key *key,
				  unsigned long now);

/* The table holds one reference until aging removes the entry. */
static inline void efs_client_put(struct efs_client *c)
{
	refcount_dec(&c->ref);
}

/* The entry for key, if any, without a reference: caller holds RCU. */
struct efs_client *efs_client_find_rcu(struct efs_client_table *t,
				       const struct efs_client_key *key);
static inline bool efs_client_is_overflow(struct efs_client_table *t,
					  struct efs_client *c)
{
	return c == &t->overflow;
}

/*
 * Once a second: rates over elapsed_ns, and drop the entries idle for
 * longer than idle (jiffies) that nobody uses. Returns how many went.
 */
unsigned int efs_clients_tick(struct efs_client_table *t, unsigned long now,
			      unsigned long idle, u64 elapsed_ns);
/* Call fn for every entry (under RCU: fn must not sleep) until it fails. */
int efs_clients_walk(struct efs_client_table *t,
		     int (*fn)(struct efs_client *c, void *arg), void *arg);
/* Active clients; *lower_bound set when some share the overflow entry. */
u32 efs_clients_count(struct efs_client_table *t, unsigned long now,
		      unsigned long idle, bool *lower_bound);

/*
 * New ceilings for every client of t: each client picks them up at its
 * next request, keeping its buckets' balances.
 */
void efs_clients_set_ceilings(struct efs_client_table *t, u64 iops,
			      u64 iops_burst, u64 bps, u64 bps_burst);
/*
 * Charge c's own ceilings (c is not t's overflow entry, which stands for
 * many clients); *w grows to the longer wait (limiter.h).
 */
void efs_client_charge(struct efs_client_table *t, struct efs_client *c,
		       const struct efs_cost *cost, u64 now,
		       struct efs_wait *w);
void efs_client_refund(struct efs_client *c, const struct efs_cost *cost);

/* Format an address ("192.0.2.1", "2001:db8::1") into buf. */
void efs_client_addr_str(const struct efs_client_key *key, char *buf,
			 size_t len);

#endif /* EFS_CLIENTS_H */
