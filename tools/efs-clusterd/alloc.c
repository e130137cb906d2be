// SPDX-License-Identifier: GPL-2.0
/*
 * Allocation of one budget among the heads of one shared filesystem
 * (see alloc.h for what it guarantees).
 */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

uint64_t ecl_alloc_available(const struct ecl_alloc_params *p)
{
	return p->budget > p->reserved ? p->budget - p->reserved : 0;
}

uint64_t ecl_alloc_floor(const struct ecl_alloc_params *p, size_t n_active)
{
	if (!n_active)
		return 0;
	return ecl_muldiv(ecl_alloc_available(p), p->min_share_pct,
			  100ULL * n_active);
}

/* Insertion sort of indices by (want, key): n <= ECL_MAX_MEMBERS. */
static void sort_by_want(size_t *idx, const uint64_t *want,
			 const uint32_t *key, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		size_t v = idx[i], j = i;

		while (j > 0 && (want[idx[j - 1]] > want[v] ||
				 (want[idx[j - 1]] == want[v] &&
				  key[idx[j - 1]] > key[v]))) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
}

void ecl_waterfill(uint64_t cap, const uint64_t *want, const uint32_t *key,
		   uint64_t *give, size_t n)
{
	size_t idx[ECL_MAX_MEMBERS];
	uint64_t left = cap;

	if (n > ECL_MAX_MEMBERS)
		n = ECL_MAX_MEMBERS;
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	sort_by_want(idx, want, key, n);
	/*
	 * Smallest wants first: each takes min(want, equal share of what is
	 * left); what it does not take raises the others' share. The shares
	 * are rounded down, so sum(give) <= cap.
	 */
	for (size_t k = 0; k < n; k++) {
		size_t i = idx[k];
		uint64_t share = left / (n - k);

		give[i] = ecl_min64(want[i], share);
		left -= give[i];
	}
}

static uint64_t demand_of(const struct ecl_alloc_params *p,
			  const struct ecl_alloc_head *h, uint64_t avail,
			  uint64_t floor)
{
	uint64_t d, extra;

	if (!h->active)
		return 0;
	/* Held back: it would take everything; the water level decides. */
	if (h->held)
		return avail;
	extra = ecl_max64(ecl_muldiv(h->used, p->headroom_pct, 100), floor);
	d = h->used > UINT64_MAX - extra ? UINT64_MAX : h->used + extra;
	return ecl_min64(ecl_max64(d, floor), avail);
}

void ecl_alloc(const struct ecl_alloc_params *p, struct ecl_alloc_head *heads,
	       size_t n)
{
	uint64_t want[ECL_MAX_MEMBERS] = { 0 }, give[ECL_MAX_MEMBERS];
	uint32_t key[ECL_MAX_MEMBERS] = { 0 };
	uint64_t avail, floor, rest, prev_sum = 0, free_now, slack;
	size_t n_active = 0;

	if (n > ECL_MAX_MEMBERS)
		n = ECL_MAX_MEMBERS;
	for (size_t i = 0; i < n; i++) {
		n_active += heads[i].active;
		key[i] = heads[i].key;
	}

	if (p->budget == ECL_UNLIMITED) {
		/* elastic throughput: no budget to share, only metering */
		for (size_t i = 0; i < n; i++) {
			struct ecl_alloc_head *h = &heads[i];

			h->demand = h->target = h->grant =
				h->active ? ECL_UNLIMITED : 0;
		}
		return;
	}

	avail = ecl_alloc_available(p);
	floor = ecl_alloc_floor(p, n_active);

	/* 1. targets: the floor for each active head, then water-filling */
	rest = avail - floor * n_active;
	for (size_t i = 0; i < n; i++) {
		struct ecl_alloc_head *h = &heads[i];

		h->demand = demand_of(p, h, avail, floor);
		want[i] = h->active ? h->demand - floor : 0;
	}
	ecl_waterfill(rest, want, key, give, n);
	for (size_t i = 0; i < n; i++) {
		heads[i].target = heads[i].active ? floor + give[i] : 0;
		rest -= give[i];
	}
	/* budget nobody asked for: spread evenly over the active heads */
	if (n_active) {
		slack = rest / n_active;
		for (size_t i = 0; i < n; i++)
			if (heads[i].active)
				heads[i].target += slack;
	}

	/*
	 * 2. grants: falls at once; rises only into what the previous round
	 * left free, shared max-min fairly among the heads that rise.
	 */
	for (size_t i = 0; i < n; i++)
		prev_sum = prev_sum > UINT64_MAX - heads[i].prev ?
			   UINT64_MAX : prev_sum + heads[i].prev;
	free_now = avail > prev_sum ? avail - prev_sum : 0;
	for (size_t i = 0; i < n; i++) {
		struct ecl_alloc_head *h = &heads[i];

		want[i] = h->target > h->prev ? h->target - h->prev : 0;
	}
	ecl_waterfill(free_now, want, key, give, n);
	for (size_t i = 0; i < n; i++) {
		struct ecl_alloc_head *h = &heads[i];

		h->grant = h->target <= h->prev ? h->target : h->prev + give[i];
	}
}
