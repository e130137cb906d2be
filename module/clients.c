// SPDX-License-Identifier: GPL-2.0
/*
 * The client table of a filesystem (see clients.h).
 *
 * Hot path cost for a known client: a compare in the table's recent slots
 * (else one rhashtable lookup) under RCU, a refcount increment and
 * decrement, and a store to last_seen at most once a second. A new
 * client allocates one entry (efs_client_size() bytes).
 */
#include <linux/hash.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/moduleparam.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/kernel.h>
#include "clients.h"

atomic_t efs_clients_total = ATOMIC_INIT(0);
unsigned int efs_clients_max = 65536;
module_param_named(max_clients, efs_clients_max, uint, 0644);
MODULE_PARM_DESC(max_clients,
		 "client entries on the whole server (past it: counted as a lower bound)");

static struct kmem_cache *efs_client_cache;

static const struct rhashtable_params efs_client_params = {
	.key_len = sizeof(struct efs_client_key),
	.key_offset = offsetof(struct efs_client, key),
	.head_offset = offsetof(struct efs_client, node),
	.automatic_shrinking = true,
};

int efs_clients_init(void)
{
	efs_client_cache = KMEM_CACHE(efs_client, 0);
	return efs_client_cache ? 0 : -ENOMEM;
}

void efs_clients_exit(void)
{
	rcu_barrier();		/* every efs_client_free_rcu() has run */
	kmem_cache_destroy(efs_client_cache);
}

/* Memory one client costs: its slab object. */
size_t efs_client_size(void)
{
	return kmem_cache_size(efs_client_cache);
}

int efs_client_table_init(struct efs_client_table *t)
{
	memset(&t->ceilings, 0, sizeof(t->ceilings));
	memset(&t->overflow, 0, sizeof(t->overflow));
	refcount_set(&t->overflow.ref, 1);
	atomic_set(&t->count, 0);
	t->overflow_seen = 0;
	memset(t->recent, 0, sizeof(t->recent));
	return rhashtable_init(&t->ht, &efs_client_params);
}

static void efs_client_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(efs_client_cache,
			container_of(head, struct efs_client, rcu));
}

static void efs_client_free(void *ptr, void *arg)
{
	struct efs_client *c = ptr;

	atomic_dec(&efs_clients_total);
	call_rcu(&c->rcu, efs_client_free_rcu);
}

void efs_client_table_destroy(struct efs_client_table *t)
{
	rhashtable_free_and_destroy(&t->ht, efs_client_free, NULL);
	atomic_set(&t->count, 0);
}

bool efs_client_key_from_addr(struct efs_client_key *key,
			      const struct sockaddr *sa, size_t len)
{
	memset(key, 0, sizeof(*key));
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		key->addr[2] = htonl(0xffff);
		key->addr[3] = ((const struct sockaddr_in *)sa)->sin_addr.s_addr;
		return true;
	}
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		memcpy(key->addr, &((const struct sockaddr_in6 *)sa)->sin6_addr,
		       sizeof(key->addr));
		return true;
	}
	return false;
}

static void efs_client_touch(struct efs_client *c, unsigned long now)
{
	if (READ_ONCE(c->last_seen) != now &&
	    time_after(now, READ_ONCE(c->last_seen) + HZ / 4))
		WRITE_ONCE(c->last_seen, now);
}

static struct efs_client *efs_client_overflow(struct efs_client_table *t,
					      unsigned long now)
{
	if (READ_ONCE(t->overflow_seen) != now)
		WRITE_ONCE(t->overflow_seen, now ? now : 1);
	refcount_inc(&t->overflow.ref);
	return &t->overflow;
}

static struct efs_client __rcu **efs_client_recent(struct efs_client_table *t,
						const struct efs_client_key *key)
{
	u32 h = (__force u32)(key->addr[1] ^ key->addr[3]);

	return &t->recent[hash_32(h, EFS_CLIENT_RECENT_BITS)];
}

static bool efs_client_key_eq(const struct efs_client_key *a,
			      const struct efs_client_key *b)
{
	return !((a->addr[0] ^ b->addr[0]) | (a->addr[1] ^ b->addr[1]) |
		 (a->addr[2] ^ b->addr[2]) | (a->addr[3] ^ b->addr[3]));
}

struct efs_client *efs_client_get(struct efs_client_table *t,
				  const struct efs_client_key *key,
				  unsigned long now)
{
	struct efs_client __rcu **recent = efs_client_recent(t, key);
	struct efs_client *c, *old;

	rcu_read_lock();
	c = rcu_dereference(*recent);
	if (c && efs_client_key_eq(&c->key, key) &&
	    refcount_inc_not_zero(&c->ref)) {
		rcu_read_unlock();
		efs_client_touch(c, now);
		return c;
	}
	c = rhashtable_lookup(&t->ht, key, efs_client_params);
	if (c && refcount_inc_not_zero(&c->ref)) {
		/* Holding a reference: aging cannot have cleared it yet. */
		rcu_assign_pointer(*recent, c);
		rcu_read_unlock();
		efs_client_touch(c, now);
		return c;
	}
	rcu_read_unlock();

	/* A new client: within the server-wide bound, or the overflow. */
	if (atomic_inc_return(&efs_clients_total) > READ_ONCE(efs_clients_max))
		goto overflow;
	c = kmem_cache_zalloc(efs_client_cache, GFP_KERNEL);
	if (!c)
		goto overflow;
	c->key = *key;
	refcount_set(&c->ref, 2);	/* the table's and the caller's */
	c->last_seen = now;

	rcu_read_lock();
	old = rhashtable_lookup_get_insert_fast(&t->ht, &c->node,
						efs_client_params);
	if (!old) {
		rcu_read_unlock();
		atomic_inc(&t->count);
		return c;
	}
	/* Raced with another thread adding it, or the insert failed. */
	if (!IS_ERR(old) && refcount_inc_not_zero(&old->ref)) {
		rcu_read_unlock();
		kmem_cache_free(efs_client_cache, c);
		atomic_dec(&efs_clients_total);
		efs_client_touch(old, now);
		return old;
	}
	rcu_read_unlock();
	kmem_cache_free(efs_client_cache, c);
overflow:
	atomic_dec(&efs_clients_total);
	return efs_client_overflow(t, now);
}

struct efs_client *efs_client_find_rcu(struct efs_client_table *t,
				       const struct efs_client_key *key)
{
	return rhashtable_lookup(&t->ht, key, efs_client_params);
}

static void efs_client_rates(struct efs_client *c, u64 elapsed_ns)
{
	u64 ops = atomic64_read(&c->ops);
	u64 metered = atomic64_read(&c->metered_bytes);

	if (elapsed_ns) {
		WRITE_ONCE(c->ops_rate, (u32)min_t(u64, U32_MAX,
			   div64_u64((ops - c->prev_ops) * NSEC_PER_SEC,
				     elapsed_ns)));
		WRITE_ONCE(c->metered_rate,
			   mul_u64_u64_div_u64(metered - c->prev_metered,
					       NSEC_PER_SEC, elapsed_ns));
	}
	c->prev_ops = ops;
	c->prev_metered = metered;
}

/*
 * Once a second (the sampler, process context): each client's rates over
 * the elapsed_ns since the last tick, and removal of the entries idle
 * for longer than idle (jiffies) that nobody holds. Lookups may still find
 * a removed entry (in the rhashtable or its recent slot) until its RCU
 * grace period ends, but refcount_inc_not_zero() fails on it once its
 * count is 0.
 */
unsigned int efs_clients_tick(struct efs_client_table *t, unsigned long now,
			      unsigned long idle, u64 elapsed_ns)
{
	struct rhashtable_iter iter;
	struct efs_client *c;
	unsigned int removed = 0;

	efs_client_rates(&t->overflow, elapsed_ns);
	rhashtable_walk_enter(&t->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((c = rhashtable_walk_next(&iter))) {
		if (IS_ERR(c))		/* -EAGAIN: a resize; go on */
			continue;
		efs_client_rates(c, elapsed_ns);
		if (!time_after(now, READ_ONCE(c->last_seen) + idle))
			continue;
		if (!refcount_dec_if_one(&c->ref))
			continue;	/* in use right now */
		if (rhashtable_remove_fast(&t->ht, &c->node,
					   efs_client_params)) {
			refcount_set(&c->ref, 1);
			continue;
		}
		/*
		 * Whoever put c in its recent slot held a reference, which
		 * it dropped (with release) before the count read 1 here:
		 * the barrier makes its store seen, and nobody stores c
		 * again (its count stays 0).
		 */
		smp_mb();
		cmpxchg((struct efs_client **)efs_client_recent(t, &c->key), c,
			NULL);
		atomic_dec(&t->count);
		atomic_dec(&efs_clients_total);
		call_rcu(&c->rcu, efs_client_free_rcu);
		removed++;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return removed;
}

int efs_clients_walk(struct efs_client_table *t,
		     int (*fn)(struct efs_client *c, void *arg), void *arg)
{
	struct rhashtable_iter iter;
	struct efs_client *c;
	int err = 0;

	rhashtable_walk_enter(&t->ht, &iter);
	rhashtable_walk_start(&iter);
	while ((c = rhashtable_walk_next(&iter))) {
		if (IS_ERR(c))
			continue;
		err = fn(c, arg);
		if (err)
			break;
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	return err;
}

u32 efs_clients_count(struct efs_client_table *t, unsigned long now,
		      unsigned long idle, bool *lower_bound)
{
	unsigned long seen = READ_ONCE(t->overflow_seen);

	*lower_bound = seen && !time_after(now, seen + idle);
	return atomic_read(&t->count);
}

void efs_clients_set_ceilings(struct efs_client_table *t, u64 iops,
			      u64 iops_burst, u64 bps, u64 bps_burst)
{
	u32 gen = t->ceilings.gen + 1;

	WRITE_ONCE(t->ceilings.iops, iops);
	WRITE_ONCE(t->ceilings.iops_burst, iops_burst);
	WRITE_ONCE(t->ceilings.bps, bps);
	WRITE_ONCE(t->ceilings.bps_burst, bps_burst);
	WRITE_ONCE(t->ceilings.gen, gen ? gen : 1);	/* 0: not set up */
}

/* Bring a client's ceiling buckets in line with the table's ceilings. */
static void efs_client_ceilings_sync(struct efs_client_table *t,
				     struct efs_client *c, u64 now)
{
	u32 gen = READ_ONCE(t->ceilings.gen), old = READ_ONCE(c->ceiling_gen);
	u64 iops = READ_ONCE(t->ceilings.iops);
	u64 iops_burst = READ_ONCE(t->ceilings.iops_burst);
	u64 bps = READ_ONCE(t->ceilings.bps);
	u64 bps_burst = READ_ONCE(t->ceilings.bps_burst);

	if (old == gen || cmpxchg(&c->ceiling_gen, old, gen) != old)
		return;
	if (!old) {
		efs_bucket_init(&c->iops, iops, iops_burst, now);
		efs_bucket_init(&c->bytes, bps, bps_burst, now);
		return;
	}
	efs_bucket_set_rate(&c->iops, iops, iops_burst, now);
	efs_bucket_set_rate(&c->bytes, bps, bps_burst, now);
}

/* A client's ceilings: its units (--per-client-iops-limit) and bytes. */
void efs_client_charge(struct efs_client_table *t, struct efs_client *c,
		       const struct efs_cost *cost, u64 now,
		       struct efs_wait *w)
{
	struct efs_wait one;

	efs_client_ceilings_sync(t, c, now);
	if (cost->units && c->iops.rate) {
		efs_bucket_charge_wait(&c->iops, cost->units, now, true, &one);
		efs_wait_merge(w, &one);
	}
	if (cost->metered && c->bytes.rate) {
		efs_bucket_charge_wait(&c->bytes, cost->metered, now, true,
				       &one);
		efs_wait_merge(w, &one);
	}
}

void efs_client_refund(struct efs_client *c, const struct efs_cost *cost)
{
	if (cost->units && c->iops.rate)
		efs_bucket_refund(&c->iops, cost->units);
	if (cost->metered && c->bytes.rate)
		efs_bucket_refund(&c->bytes, cost->metered);
}

void efs_client_addr_str(const struct efs_client_key *key, char *buf,
			 size_t len)
{
	if (!key->addr[0] && !key->addr[1] && key->addr[2] == htonl(0xffff))
		snprintf(buf, len, "%pI4", &key->addr[3]);
	else if (!key->addr[0] && !key->addr[1] && !key->addr[2] &&
		 !key->addr[3])
		snprintf(buf, len, "other");
	else
		snprintf(buf, len, "%pI6c", key->addr);
}
