// SPDX-License-Identifier: GPL-2.0
/*
 * GCRA token buckets with an injected clock (see limiter.h).
 *
 * Every computation saturates at U64_MAX instead of wrapping, and no
 * division can fault: x86 "div" traps when the quotient does not fit in
 * 64 bits, so mul_u64_u64_div_u64() is only called where the quotient is
 * provably smaller than one of its factors.  Clock values are ktime ns
 * (below 2^62); tat may saturate at U64_MAX for absurd costs, which then
 * reads as "wait forever".
 *
 * Conversions round against the user: efs_cost_to_ns() rounds up (a cost
 * never takes less time than rate allows), efs_ns_to_units() rounds down.
 * The resolution is one ns of tat: above 10^9 units per second a bucket
 * is exact only to rate / 10^9 units.
 */
#include <linux/atomic.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/time64.h>

#include "limiter.h"

/*
 * A clock going backwards by at most this much is treated as jitter between
 * CPUs (a caller that read "now" a little before another one charged): it is
 * not worth a cmpxchg and at worst makes a wait that much longer.
 * last_now is also only advanced in steps of this size, so that a charge
 * does not write it every time.
 */
#define EFS_CLOCK_SLACK_NS	((u64)NSEC_PER_MSEC)

static inline u64 efs_sat_add(u64 a, u64 b)
{
	u64 sum;

	if (check_add_overflow(a, b, &sum))
		return U64_MAX;
	return sum;
}

static inline u64 efs_sat_sub(u64 a, u64 b)
{
	return a > b ? a - b : 0;
}

/*
 * ns for cost when cost * NSEC_PER_SEC overflows (efs_cost_to_ns()).
 * cost = q * rate + r with r < rate, so
 * ns = q * NSEC_PER_SEC + r * NSEC_PER_SEC / rate, and the second quotient
 * is below NSEC_PER_SEC: mul_u64_u64_div_u64() cannot overflow (and
 * fault) there.
 */
static noinline u64 efs_cost_to_ns_large(u64 cost, u64 rate)
{
	u64 q, r, ns, frac;

	q = div64_u64_rem(cost, rate, &r);
	if (q > U64_MAX / NSEC_PER_SEC)
		return U64_MAX;
	ns = q * NSEC_PER_SEC;
	if (r) {
		frac = mul_u64_u64_div_u64(r, NSEC_PER_SEC, rate);
		/*
		 * Round up unless exact.  r * NSEC_PER_SEC - frac * rate lies
		 * in [0, rate), so comparing both products modulo 2^64 is
		 * exact even when r * NSEC_PER_SEC wraps.
		 */
		if (frac * rate != r * NSEC_PER_SEC)
			frac++;
		ns = efs_sat_add(ns, frac);
	}
	return ns;
}

/*
 * ns needed for cost units at rate, rounded up, saturating at U64_MAX.
 * rate 0 is "unlimited": no time is needed. Inline in the charges below:
 * every request runs it once for each bucket it is charged to.
 */
static __always_inline u64 efs_cost_ns(u64 cost, u64 rate)
{
	u64 x, ns;

	if (!rate || !cost)
		return 0;
	if (unlikely(cost > U64_MAX / NSEC_PER_SEC))
		return efs_cost_to_ns_large(cost, rate);
	/* cost * NSEC_PER_SEC fits: one division. */
	x = cost * NSEC_PER_SEC;
	ns = div64_u64(x, rate);
	return ns * rate == x ? ns : ns + 1;
}

u64 efs_cost_to_ns(u64 cost, u64 rate)
{
	return efs_cost_ns(cost, rate);
}

/*
 * Units that rate produces in ns, rounded down, saturating at U64_MAX.
 * rate 0 is "unlimited": it produces without bound (U64_MAX).
 */
u64 efs_ns_to_units(u64 ns, u64 rate)
{
	u64 q, units;
	u32 r;

	if (!rate)
		return U64_MAX;
	if (!ns)
		return 0;

	/* ns = q * NSEC_PER_SEC + r, r < NSEC_PER_SEC. */
	q = div_u64_rem(ns, NSEC_PER_SEC, &r);
	if (check_mul_overflow(q, rate, &units))
		return U64_MAX;
	/* The quotient is below rate: no overflow, no fault. */
	return efs_sat_add(units, mul_u64_u64_div_u64(r, rate, NSEC_PER_SEC));
}

/*
 * Detect a clock that went backwards and shift tat by the same amount, so
 * that the bucket keeps its balance or debt relative to the new clock.
 * Without this, a jump back of an hour would turn into an hour of wait.
 * A forward jump needs nothing: GCRA refills at most up to burst.
 *
 * last_now lags the real latest clock by up to EFS_CLOCK_SLACK_NS, which
 * makes the shift smaller than the jump by at most that: the error goes
 * towards a longer wait, never towards extra credit.  One caller wins the
 * cmpxchg on last_now and shifts tat; the others see the new last_now.
 * Readers (advance == false) handle a jump back but do not move last_now
 * forward: asking for the balance at a later time commits nothing.
 */
static noinline void efs_bucket_clock_back(struct efs_bucket *b, u64 now,
					   s64 last)
{
	s64 old;
	u64 shift, tat;

	shift = (u64)last - now;
	if (shift <= EFS_CLOCK_SLACK_NS)
		return;
	if (!atomic64_try_cmpxchg(&b->last_now, &last, now))
		return;

	/* tat below the new now: the bucket was full and stays so. */
	old = atomic64_read(&b->tat);
	do {
		tat = efs_sat_sub((u64)old, shift);
	} while (!atomic64_try_cmpxchg(&b->tat, &old, (s64)tat));
}

/* Inline, the common case: the clock went forward. */
static __always_inline void efs_bucket_sync_clock(struct efs_bucket *b,
						  u64 now, bool advance)
{
	s64 last = atomic64_read(&b->last_now);

	if (likely(now >= (u64)last)) {
		if (unlikely(now - (u64)last > EFS_CLOCK_SLACK_NS) && advance)
			atomic64_set(&b->last_now, now);
		return;
	}
	efs_bucket_clock_back(b, now, last);
}

/* A new bucket starts full: tat == now means balance == burst. */
void efs_bucket_init(struct efs_bucket *b, u64 rate, u64 burst, u64 now)
{
	burst = max_t(u64, burst, 1);
	b->rate = rate;
	b->burst = burst;
	b->tolerance_ns = efs_cost_to_ns(burst, rate);
	atomic64_set(&b->tat, now);
	atomic64_set(&b->last_now, now);
}

/*
 * A time at rate from as the time of the same units at rate to (ns *
 * from / to, saturating; rounded down by under 1 ns): a balance or a
 * debt moves between rates whole, not rounded to units, so a grant that
 * changes the rate every tick neither forgives nor adds a fraction of a
 * unit each time.
 */
static u64 efs_rescale_ns(u64 ns, u64 from, u64 to)
{
	u64 q, r;

	if (from == to)
		return ns;
	q = div64_u64_rem(from, to, &r);
	if (q && ns > U64_MAX / q)
		return U64_MAX;
	/* r < to: the product's quotient is below ns, no overflow. */
	return efs_sat_add(ns * q, mul_u64_u64_div_u64(ns, r, to));
}

/*
 * tat for the same level (balance, or debt when negative) under new
 * parameters.  top is the tat at which the old balance is zero.
 */
static u64 efs_rebase_tat(const struct efs_bucket *old_b, u64 tat, u64 now,
			  u64 rate, u64 tol, u64 burst)
{
	u64 old_rate = old_b->rate, old_tol = old_b->tolerance_ns;
	u64 top = efs_sat_add(now, old_tol);
	/* Above 1e9 units/s a unit is under 1 ns: count whole units then. */
	bool whole = old_rate > NSEC_PER_SEC || rate > NSEC_PER_SEC;
	u64 ns, units;

	if (tat <= top) {
		/* The old balance (at most the old burst), at most burst. */
		units = min(old_b->burst, burst);
		if (whole) {
			units = min(units, efs_ns_to_units(top - tat, old_rate));
			ns = efs_cost_to_ns(units, rate);
		} else {
			ns = min(efs_rescale_ns(top - tat, old_rate, rate),
				 efs_cost_to_ns(units, rate));
		}
		/* ns <= tol, so this stays >= now. */
		return efs_sat_sub(efs_sat_add(now, tol), ns);
	}
	/* Debt, kept whole (in units: rounded down, < 1 unit forgiven). */
	if (whole)
		ns = efs_cost_to_ns(efs_ns_to_units(tat - top, old_rate), rate);
	else
		ns = efs_rescale_ns(tat - top, old_rate, rate);
	return efs_sat_add(efs_sat_add(now, tol), ns);
}

/*
 * Change rate and burst keeping the balance (or the debt) in units.
 * Switching from or to unlimited (rate 0) leaves the bucket full.
 * Callers serialize set_rate against each other; a concurrent charge may
 * briefly see a mix of old and new parameters, which errs by one charge.
 */
void efs_bucket_set_rate(struct efs_bucket *b, u64 rate, u64 burst, u64 now)
{
	struct efs_bucket old_b = {
		.rate = READ_ONCE(b->rate),
		.burst = READ_ONCE(b->burst),
		.tolerance_ns = READ_ONCE(b->tolerance_ns),
	};
	u64 tol, tat;
	s64 old;

	burst = max_t(u64, burst, 1);
	/* efs-clusterd renews a grant 5 times a second, mostly unchanged. */
	if (rate == old_b.rate && burst == old_b.burst)
		return;
	tol = efs_cost_to_ns(burst, rate);

	efs_bucket_sync_clock(b, now, true);
	old = atomic64_read(&b->tat);
	do {
		if (!old_b.rate || !rate)
			tat = now;
		else
			tat = efs_rebase_tat(&old_b, (u64)old, now, rate, tol,
					     burst);
	} while (!atomic64_try_cmpxchg(&b->tat, &old, (s64)tat));

	WRITE_ONCE(b->burst, burst);
	WRITE_ONCE(b->tolerance_ns, tol);
	WRITE_ONCE(b->rate, rate);
}

/*
 * Advance tat by cost; the new tat, and cost's time in *ns. Inline, with
 * what it calls: a request runs it for each bucket it is charged to.
 */
static __always_inline u64 efs_bucket_advance(struct efs_bucket *b, u64 rate,
					      u64 cost, u64 now, u64 *ns)
{
	u64 tat;
	s64 old;

	efs_bucket_sync_clock(b, now, true);
	*ns = efs_cost_ns(cost, rate);
	old = atomic64_read(&b->tat);
	do {
		tat = efs_sat_add(max_t(u64, (u64)old, now), *ns);
	} while (!atomic64_try_cmpxchg(&b->tat, &old, (s64)tat));
	return tat;
}

u64 efs_bucket_charge(struct efs_bucket *b, u64 cost, u64 now)
{
	u64 rate = READ_ONCE(b->rate);
	u64 ns, tat;

	if (!rate || !cost)
		return 0;
	tat = efs_bucket_advance(b, rate, cost, now, &ns);
	return efs_sat_sub(tat, efs_sat_add(now, READ_ONCE(b->tolerance_ns)));
}

void efs_bucket_charge_wait(struct efs_bucket *b, u64 cost, u64 now,
			    bool own_burst, struct efs_wait *w)
{
	u64 rate = READ_ONCE(b->rate);
	u64 ns, tat, tol, own;

	w->total_ns = 0;
	w->debt_ns = 0;
	if (!rate || !cost)
		return;
	tat = efs_bucket_advance(b, rate, cost, now, &ns);
	tol = READ_ONCE(b->tolerance_ns);
	w->total_ns = efs_sat_sub(tat, efs_sat_add(now, tol));
	if (own_burst)	/* debt: what tat was past now, beyond one burst */
		own = w->total_ns - min(efs_sat_sub(tat - ns - now, tol),
					w->total_ns);
	else
		own = min(efs_sat_sub(ns, tol), w->total_ns);
	if (own > EFS_OWN_WAIT_MAX_NS) {
		w->total_ns -= own - EFS_OWN_WAIT_MAX_NS;
		own = EFS_OWN_WAIT_MAX_NS;
	}
	w->debt_ns = w->total_ns - own;
}

/*
 * Take back the time of a charge that was not used.  A charge whose tat
 * saturated at U64_MAX cannot be given back exactly; nothing else is lost.
 */
void efs_bucket_refund(struct efs_bucket *b, u64 cost)
{
	u64 rate = READ_ONCE(b->rate);
	u64 ns, tat;
	s64 old;

	if (!rate || !cost)
		return;

	ns = efs_cost_to_ns(cost, rate);
	old = atomic64_read(&b->tat);
	do {
		tat = efs_sat_sub((u64)old, ns);
	} while (!atomic64_try_cmpxchg(&b->tat, &old, (s64)tat));
}

u64 efs_bucket_balance(struct efs_bucket *b, u64 now)
{
	u64 rate = READ_ONCE(b->rate);
	u64 burst = READ_ONCE(b->burst);
	u64 avail;

	if (!rate)
		return burst;

	efs_bucket_sync_clock(b, now, false);
	avail = efs_sat_sub(efs_sat_add(now, READ_ONCE(b->tolerance_ns)),
			    (u64)atomic64_read(&b->tat));
	return min(efs_ns_to_units(avail, rate), burst);
}

void efs_bucket_set_balance(struct efs_bucket *b, u64 units, u64 now)
{
	u64 rate = READ_ONCE(b->rate);
	u64 tat;

	if (!rate)
		return;

	units = min(units, READ_ONCE(b->burst));
	efs_bucket_sync_clock(b, now, true);
	tat = efs_sat_sub(efs_sat_add(now, READ_ONCE(b->tolerance_ns)),
			  efs_cost_to_ns(units, rate));
	atomic64_set(&b->tat, tat);
}

/*
 * Per-CPU batching.
 *
 * Each CPU keeps prepaid units in [0, batch).  A charge that the local
 * prepaid units cover is admitted without touching the shared cache line.
 * Otherwise the CPU takes max(batch, missing) units from the shared bucket
 * in one charge and keeps the rest locally.  Prepaid units must be units
 * the shared bucket admitted at once: if the refill has to wait, the extra
 * is refunded at once and the caller waits only for what it needs (else,
 * in debt, every refill would let batch - 1 later requests pass early).
 *
 * Error bound: every unit admitted through the per-CPU bucket was admitted
 * by the shared, exact bucket first, so it never admits more than an exact
 * bucket with the same rate and burst.  Units prepaid on a CPU were taken
 * from the shared bucket but not yet spent; each CPU holds fewer than batch
 * of them, so admissions lag an exact bucket by at most nr_cpus * batch
 * units (num_possible_cpus() * batch).  batch is clamped to [1, burst]
 * (and to S64_MAX).
 */
int efs_pcpu_bucket_init(struct efs_pcpu_bucket *pb, u64 rate, u64 burst,
			 u64 batch, u64 now)
{
	efs_bucket_init(&pb->shared, rate, burst, now);
	/* <= S64_MAX: prepaid units are kept in an s64. */
	pb->batch = clamp_t(u64, batch, 1, min_t(u64, pb->shared.burst,
						 S64_MAX));
	pb->prepaid = alloc_percpu(s64);
	if (!pb->prepaid)
		return -ENOMEM;
	return 0;
}

/*
 * Live change of rate, burst and batch. Units prepaid on each CPU at the
 * old rate go back to the shared bucket first, so a lower limit binds at
 * once instead of after every CPU has spent up to a batch of the old rate.
 * A charge racing on another CPU may keep its own few prepaid units.
 */
void efs_pcpu_bucket_set_rate(struct efs_pcpu_bucket *pb, u64 rate, u64 burst,
			      u64 batch, u64 now)
{
	s64 left;
	int cpu;

	batch = clamp_t(u64, batch, 1, min_t(u64, max_t(u64, burst, 1),
					     S64_MAX));
	if (rate == READ_ONCE(pb->shared.rate) &&
	    max_t(u64, burst, 1) == READ_ONCE(pb->shared.burst) &&
	    batch == READ_ONCE(pb->batch))
		return;
	for_each_possible_cpu(cpu) {
		left = xchg(per_cpu_ptr(pb->prepaid, cpu), 0);
		if (left > 0)
			efs_bucket_refund(&pb->shared, left);
	}
	efs_bucket_set_rate(&pb->shared, rate, burst, now);
	WRITE_ONCE(pb->batch, batch);
}

void efs_pcpu_bucket_destroy(struct efs_pcpu_bucket *pb)
{
	free_percpu(pb->prepaid);
	pb->prepaid = NULL;
}

void efs_pcpu_bucket_charge_wait(struct efs_pcpu_bucket *pb, u64 cost,
				 u64 now, struct efs_wait *w)
{
	u64 rate = READ_ONCE(pb->shared.rate);
	u64 left, need, take, extra;
	s64 *prepaid;

	w->total_ns = 0;
	w->debt_ns = 0;
	if (!rate || !cost)
		return;

	prepaid = get_cpu_ptr(pb->prepaid);
	left = *prepaid;
	if (cost <= left) {
		*prepaid = left - cost;
	} else {
		need = cost - left;
		take = max(pb->batch, need);
		efs_bucket_charge_wait(&pb->shared, take, now, false, w);
		if (w->total_ns && take > need) {
			/* Prepay only what passes now; wait for need alone. */
			efs_bucket_refund(&pb->shared, take - need);
			extra = efs_cost_to_ns(take - need, rate);
			w->total_ns = efs_sat_sub(w->total_ns, extra);
			w->debt_ns = min(w->debt_ns, w->total_ns);
			take = need;
		}
		/* take - need < batch: prepaid stays in [0, batch). */
		*prepaid = take - need;
	}
	put_cpu_ptr(pb->prepaid);
}

u64 efs_pcpu_bucket_charge(struct efs_pcpu_bucket *pb, u64 cost, u64 now)
{
	struct efs_wait w;

	efs_pcpu_bucket_charge_wait(pb, cost, now, &w);
	return w.total_ns;
}

/*
 * Give back a charge exactly: the units go to the shared bucket, whichever
 * CPU's prepaid units paid for it, so the total admitted is as if the
 * charge had not happened.
 */
void efs_pcpu_bucket_refund(struct efs_pcpu_bucket *pb, u64 cost)
{
	efs_bucket_refund(&pb->shared, cost);
}
