/* SPDX-License-Identifier: GPL-2.0 */
/*
 * GCRA ("virtual time") token buckets with an injected clock.
 *
 * A bucket holds one u64: the theoretical arrival time (tat) in ns
 * (plus last_now, a hint used only to detect a clock going backwards).
 * Charging cost units at time now does, with one cmpxchg,
 *	tat = max(tat, now) + cost * NSEC_PER_SEC / rate
 * and the caller must wait tat - tolerance - now when that is positive.
 * tolerance = burst / rate: the bucket lets "burst" units through at once.
 * The balance (units that may pass right now) is (now + tolerance - tat) *
 * rate / NSEC_PER_SEC, clamped to [0, burst].
 *
 * rate == 0 means unlimited: every charge is admitted at once.
 * A clock that goes backwards by more than a millisecond (now < last_now)
 * shifts tat by the same amount: the bucket keeps its balance or debt
 * instead of turning the jump into a wait.
 * Pure code: no nfsd, no sleeping, usable from any context.
 */
#ifndef EFS_LIMITER_H
#define EFS_LIMITER_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/time64.h>

struct efs_bucket {
	atomic64_t tat;		/* ns, same clock as "now" */
	atomic64_t last_now;	/* latest now seen (lazily, ~1 ms) */
	u64 rate;		/* units per second; 0 = unlimited */
	u64 burst;		/* units that may pass at once (>= 1) */
	u64 tolerance_ns;	/* burst expressed in time */
};

/* ns needed for cost units at rate, saturating (never faults or wraps). */
u64 efs_cost_to_ns(u64 cost, u64 rate);
/* units that rate produces in ns, saturating. */
u64 efs_ns_to_units(u64 ns, u64 rate);

/* A new bucket starts full (balance == burst). */
void efs_bucket_init(struct efs_bucket *b, u64 rate, u64 burst, u64 now);
/*
 * Change rate and burst; the balance in units is kept (clamped to the new
 * burst) so live reconfiguration neither forgives debt nor refills.
 */
void efs_bucket_set_rate(struct efs_bucket *b, u64 rate, u64 burst, u64 now);
/* Charge cost units; returns the ns the caller must wait (0 = go now). */
u64 efs_bucket_charge(struct efs_bucket *b, u64 cost, u64 now);
/*
 * What a charge asks of its caller: wait total_ns, of which debt_ns is
 * for the charges before it and the rest for its own cost beyond the
 * bucket's burst, which no bound on waiting can shorten. A caller bounds
 * debt_ns (DELAY past it), so a request larger than its bucket can hold
 * goes once the debt before it is paid, and the rate still holds. Its own
 * part counts at most EFS_OWN_WAIT_MAX_NS; the rest is left as debt.
 * With own_burst, refilling the bucket's burst before the charge counts
 * as the caller's own too: for a bucket whose debt is the caller's own
 * (a client's ceiling) or is at most a short burst window (a byte rate),
 * so that a client which cannot retry soon (NFSv3 JUKEBOX: 5 s) is paced
 * in the server instead.
 */
struct efs_wait {
	u64 total_ns;
	u64 debt_ns;
};

#define EFS_OWN_WAIT_MAX_NS	(60ULL * NSEC_PER_SEC)

/* Two buckets charged for one request: it waits for the longer. */
static inline void efs_wait_merge(struct efs_wait *into,
				  const struct efs_wait *w)
{
	if (w->total_ns > into->total_ns)
		into->total_ns = w->total_ns;
	if (w->debt_ns > into->debt_ns)
		into->debt_ns = w->debt_ns;
}

void efs_bucket_charge_wait(struct efs_bucket *b, u64 cost, u64 now,
			    bool own_burst, struct efs_wait *w);
/* Give back a charge the caller did not use (it answered DELAY instead). */
void efs_bucket_refund(struct efs_bucket *b, u64 cost);
/* Units that may pass now, 0..burst (debt reads as 0). */
u64 efs_bucket_balance(struct efs_bucket *b, u64 now);
/* Set the balance (clamped to 0..burst). */
void efs_bucket_set_balance(struct efs_bucket *b, u64 units, u64 now);

/*
 * Per-CPU batching in front of a shared bucket, for maxIO.
 * Each CPU takes "batch" units from the shared bucket at a time and spends
 * them locally without touching the shared cache line.  The error against
 * an exact bucket is at most nr_cpus * batch units (units prepaid on a CPU
 * but not yet spent), documented in the README.
 */
struct efs_pcpu_bucket {
	struct efs_bucket shared;
	u64 batch;			/* units taken per refill */
	s64 __percpu *prepaid;		/* units left on each CPU */
};

int efs_pcpu_bucket_init(struct efs_pcpu_bucket *pb, u64 rate, u64 burst,
			 u64 batch, u64 now);
void efs_pcpu_bucket_set_rate(struct efs_pcpu_bucket *pb, u64 rate, u64 burst,
			      u64 batch, u64 now);
void efs_pcpu_bucket_destroy(struct efs_pcpu_bucket *pb);
u64 efs_pcpu_bucket_charge(struct efs_pcpu_bucket *pb, u64 cost, u64 now);
void efs_pcpu_bucket_charge_wait(struct efs_pcpu_bucket *pb, u64 cost,
				 u64 now, struct efs_wait *w);
/* Exact: the charge's units go back to the shared bucket. */
void efs_pcpu_bucket_refund(struct efs_pcpu_bucket *pb, u64 cost);

#endif /* EFS_LIMITER_H */
