/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocation: one deterministic function from the heads' reports of one
 * tick to every head's grant of one budget (ops units/s or bytes/s) of one
 * shared filesystem. Pure: no I/O, no clock, integer arithmetic only, so
 * every head computes the same grants from the same CPG-ordered reports.
 *
 * Guarantees (tests/unit.c checks each on randomized inputs):
 *  - targets: sum <= budget - reserved; every active head gets at least the
 *    floor; max-min fair: a head that gets less than its demand gets at
 *    least as much as any other head (before the slack of unused budget is
 *    spread, which is equal for all);
 *  - grants move towards the targets under the "max rule": a grant may fall
 *    at once but may only rise into budget that was free in the previous
 *    round, so sum over heads of max(previous, new) <= budget - reserved.
 *    Heads switching from the old to the new grants in any order therefore
 *    never hold more than the budget between them.
 */
#ifndef ECL_ALLOC_H
#define ECL_ALLOC_H

#include "ecl.h"

struct ecl_alloc_head {
	uint32_t key;		/* tie-break: node id (distinct per head) */
	bool active;		/* serves the fs with agreeing settings */
	bool held;		/* requests waited for this budget */
	uint64_t used;		/* rate used (per second), smoothed by caller */
	uint64_t prev;		/* grant of the previous round */
	uint64_t demand;	/* out: what it asks for */
	uint64_t target;	/* out: its fair share of this round */
	uint64_t grant;		/* out: its grant from this round on */
};

struct ecl_alloc_params {
	uint64_t budget;	/* the filesystem's budget, ECL_UNLIMITED = none */
	uint64_t reserved;	/* held for heads that left (leases running) */
	uint32_t min_share_pct;	/* floor: this % of an equal share */
	uint32_t headroom_pct;	/* a head not held back asks for used + this % */
};

/* Budget left to the current heads. */
uint64_t ecl_alloc_available(const struct ecl_alloc_params *p);
/* The floor every active head keeps (0 if none is active). */
uint64_t ecl_alloc_floor(const struct ecl_alloc_params *p, size_t n_active);
/* Demands, targets and grants of heads[0..n). */
void ecl_alloc(const struct ecl_alloc_params *p, struct ecl_alloc_head *heads,
	       size_t n);
/*
 * Max-min fair division of cap among n wants (give[i] <= want[i],
 * sum(give) <= cap); ties go to the lower key. Exported for the tests.
 */
void ecl_waterfill(uint64_t cap, const uint64_t *want, const uint32_t *key,
		   uint64_t *give, size_t n);

#endif /* ECL_ALLOC_H */
