// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of efs-clusterd's pure parts: allocation, ledger, messages,
 * replicated state, and the whole protocol on simulated heads (sim.c).
 * Prints "PASS <name>" / "FAIL <name>" per test; exits non-zero on any FAIL.
 *   tests/unit [-v] [-s SEED] [name...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../alloc.h"
#include "../ledger.h"
#include "../proto.h"
#include "../state.h"
#include "sim.h"

static int verbose;
static uint64_t seed = 0x9e3779b97f4a7c15ULL;
static int failures;
static int test_failed;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		if (test_failed < 10) { \
			fprintf(stderr, "  %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
		test_failed++; \
	} \
} while (0)

static uint64_t rng = 1;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* ---- allocation ---- */

static void test_waterfill(void)
{
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 1 + rnd_below(ECL_MAX_MEMBERS);
		uint64_t want[ECL_MAX_MEMBERS], give[ECL_MAX_MEMBERS], sum = 0;
		uint32_t key[ECL_MAX_MEMBERS];
		uint64_t cap = rnd_below(1 + (rnd() % 2 ? 1000 : 1000000000));
		uint64_t level = 0, wsum = 0;

		for (size_t i = 0; i < n; i++) {
			want[i] = rnd_below(rnd() % 3 ? 1 + cap : 10 + cap * 2);
			key[i] = (uint32_t)i + 1;
			wsum += want[i];
		}
		ecl_waterfill(cap, want, key, give, n);
		for (size_t i = 0; i < n; i++) {
			CHECK(give[i] <= want[i], "give %zu > want", i);
			sum += give[i];
			if (give[i] < want[i] && give[i] > level)
				level = give[i];
		}
		CHECK(sum <= cap, "sum %llu > cap %llu",
		      (unsigned long long)sum, (unsigned long long)cap);
		/* max-min: an unsatisfied head gets at least any other's share */
		for (size_t i = 0; i < n; i++)
			if (give[i] < want[i])
				for (size_t j = 0; j < n; j++)
					CHECK(give[i] + 1 >= give[j] ||
					      give[j] == want[j] ? give[i] + 1 >= ecl_min64(give[j], give[i] + 1) : 0,
					      "unfair: %llu vs %llu",
					      (unsigned long long)give[i],
					      (unsigned long long)give[j]);
		/* nothing left unused that someone wanted (but rounding) */
		if (wsum > cap)
			CHECK(cap - sum < n, "left %llu unused",
			      (unsigned long long)(cap - sum));
		else
			CHECK(sum == wsum, "wants not all met");
	}
}

struct case_heads {
	struct ecl_alloc_head h[ECL_MAX_MEMBERS];
	size_t n;
};

static void random_heads(struct case_heads *c, uint64_t budget)
{
	c->n = 1 + rnd_below(32);
	for (size_t i = 0; i < c->n; i++) {
		struct ecl_alloc_head *h = &c->h[i];

		memset(h, 0, sizeof(*h));
		h->key = (uint32_t)(i * 7 + 3);
		h->active = rnd_below(8) != 0;
		h->held = rnd_below(3) == 0;
		h->used = rnd_below(budget + 1) / (1 + rnd_below(4));
		h->prev = 0;
	}
}

static void test_alloc_random(void)
{
	for (int iter = 0; iter < 5000; iter++) {
		struct ecl_alloc_params p = {
			.budget = 1 + rnd_below(rnd() % 2 ? 2000 : 100000000),
			.min_share_pct = (uint32_t)rnd_below(51),
			.headroom_pct = 25,
		};
		struct case_heads c;
		uint64_t avail, floor, prev_sum = 0;
		size_t n_active = 0;

		p.reserved = rnd() % 4 ? 0 : rnd_below(p.budget + p.budget / 4);
		random_heads(&c, p.budget);
		avail = ecl_alloc_available(&p);
		/* a previous allocation that fit */
		for (size_t i = 0; i < c.n; i++) {
			n_active += c.h[i].active;
			c.h[i].prev = rnd_below(avail / c.n + 1);
			prev_sum += c.h[i].prev;
		}
		floor = ecl_alloc_floor(&p, n_active);
		/* several rounds with the same inputs: the grants converge */
		for (int round = 0; round < 3; round++) {
			uint64_t tsum = 0, gsum = 0, maxsum = 0, level = 0;

			ecl_alloc(&p, c.h, c.n);
			for (size_t i = 0; i < c.n; i++) {
				const struct ecl_alloc_head *h = &c.h[i];

				tsum += h->target;
				gsum += h->grant;
				maxsum += ecl_max64(h->prev, h->grant);
				if (h->active) {
					CHECK(h->target >= floor,
					      "head below the floor");
					if (h->target < h->demand &&
					    h->target > level)
						level = h->target;
				} else {
					CHECK(!h->target && !h->grant,
					      "inactive head granted");
				}
			}
			CHECK(tsum <= avail, "targets %llu > available %llu",
			      (unsigned long long)tsum, (unsigned long long)avail);
			CHECK(gsum <= avail, "grants %llu > available %llu",
			      (unsigned long long)gsum, (unsigned long long)avail);
			CHECK(maxsum <= avail || maxsum <= prev_sum,
			      "max rule broken: %llu > %llu",
			      (unsigned long long)maxsum,
			      (unsigned long long)avail);
			/* max-min fair among heads wanting more than they get */
			for (size_t i = 0; i < c.n; i++) {
				const struct ecl_alloc_head *h = &c.h[i];

				if (!h->active || h->target >= h->demand)
					continue;
				for (size_t j = 0; j < c.n; j++)
					CHECK(!c.h[j].active ||
					      h->target + c.n >= c.h[j].target,
					      "unfair: head %zu gets %llu < head %zu's %llu",
					      i, (unsigned long long)h->target,
					      j, (unsigned long long)c.h[j].target);
			}
			if (round == 2)
				for (size_t i = 0; i < c.n; i++)
					CHECK(c.h[i].grant == c.h[i].target,
					      "not converged in 2 rounds");
			prev_sum = 0;
			for (size_t i = 0; i < c.n; i++) {
				c.h[i].prev = c.h[i].grant;
				prev_sum += c.h[i].prev;
			}
		}
	}
}

/* join and leave: heads come and go between rounds; a held head gets its
 * fair share within two rounds and the max rule holds throughout */
static void test_alloc_join_leave(void)
{
	for (int iter = 0; iter < 2000; iter++) {
		struct ecl_alloc_params p = {
			.budget = 100 + rnd_below(100000),
			.min_share_pct = 10, .headroom_pct = 25,
		};
		struct case_heads c = { .n = 1 + rnd_below(8) };

		for (size_t i = 0; i < c.n; i++)
			c.h[i] = (struct ecl_alloc_head){
				.key = (uint32_t)i + 1, .active = true,
				.held = true,
			};
		for (int round = 0; round < 40; round++) {
			uint64_t avail = ecl_alloc_available(&p), msum = 0;

			if (rnd_below(4) == 0 && c.n < 32) {
				/* a head joins */
				c.h[c.n] = (struct ecl_alloc_head){
					.key = (uint32_t)(100 + round),
					.active = true, .held = rnd() % 2,
				};
				c.n++;
			} else if (rnd_below(5) == 0 && c.n > 1) {
				/* a head leaves: its grant stays reserved */
				size_t k = rnd_below(c.n);

				p.reserved += c.h[k].prev;
				c.h[k] = c.h[--c.n];
				avail = ecl_alloc_available(&p);
			} else if (p.reserved && rnd_below(3) == 0) {
				p.reserved = 0;	/* its lease ran out */
				avail = ecl_alloc_available(&p);
			}
			for (size_t i = 0; i < c.n; i++)
				if (rnd_below(6) == 0)
					c.h[i].held = !c.h[i].held;
			ecl_alloc(&p, c.h, c.n);
			for (size_t i = 0; i < c.n; i++) {
				msum += ecl_max64(c.h[i].prev, c.h[i].grant);
				CHECK(c.h[i].target > 0 || avail < 10 * c.n,
				      "active head starved");
				c.h[i].used = c.h[i].grant;
				c.h[i].prev = c.h[i].grant;
			}
			CHECK(msum <= avail, "round %d: %llu > %llu", round,
			      (unsigned long long)msum,
			      (unsigned long long)avail);
		}
	}
}

static void test_alloc_follow(void)
{
	/* demand moves from head 1 to head 2: how many rounds to follow */
	struct ecl_alloc_params p = { .budget = 300, .min_share_pct = 10,
				      .headroom_pct = 25 };
	struct ecl_alloc_head h[3] = {
		{ .key = 1, .active = true, .held = true },
		{ .key = 2, .active = true },
		{ .key = 3, .active = true },
	};
	int r, moved = -1;

	for (r = 0; r < 20; r++) {
		ecl_alloc(&p, h, 3);
		for (int i = 0; i < 3; i++) {
			h[i].used = i == 0 ? h[i].grant : 0;
			h[i].prev = h[i].grant;
		}
	}
	CHECK(h[0].grant >= 270, "held head got %llu of 300",
	      (unsigned long long)h[0].grant);
	h[0].held = false;
	h[0].used = 0;
	h[1].held = true;
	for (r = 0; r < 20 && moved < 0; r++) {
		ecl_alloc(&p, h, 3);
		for (int i = 0; i < 3; i++) {
			h[i].prev = h[i].grant;
			h[i].used = i == 1 ? h[i].grant : 0;
		}
		if (h[1].grant >= 270)
			moved = r + 1;
	}
	CHECK(moved > 0 && moved <= 3, "followed in %d rounds", moved);
	if (verbose)
		printf("  demand followed in %d rounds\n", moved);
}

static void test_alloc_unlimited(void)
{
	struct ecl_alloc_params p = { .budget = ECL_UNLIMITED };
	struct ecl_alloc_head h[2] = { { .key = 1, .active = true },
				       { .key = 2 } };

	ecl_alloc(&p, h, 2);
	CHECK(h[0].grant == ECL_UNLIMITED && h[1].grant == 0, "elastic");
}

/* ---- ledger ---- */

static void test_ledger(void)
{
	struct ecl_settings b = { .tput_mode = ECL_TPUT_BURSTING,
				  .write_weight = 1, .read_ratio = 3 };
	struct ecl_settings pv = b;
	uint64_t S = 100ULL << 30;	/* 100 GiB */

	CHECK(ecl_baseline_bps(0) == ECL_MIB, "baseline min");
	CHECK(ecl_baseline_bps(S) == 5000ULL * 1024, "baseline 100 GiB");
	CHECK(ecl_burst_bps(S) == 100 * ECL_MIB, "burst min");
	CHECK(ecl_burst_bps(10 * ECL_TIB) == 1000 * ECL_MIB, "burst 10 TiB");
	CHECK(ecl_credit_max(0) == 21 * ECL_TIB / 10, "credit max min");
	CHECK(ecl_credit_max(10 * ECL_TIB) == 21 * ECL_TIB, "credit max");
	CHECK(ecl_permitted_bps(&b, S, ECL_TIB) == 100 * ECL_MIB, "bursting");
	CHECK(ecl_permitted_bps(&b, S, 0) == 5000ULL * 1024, "at baseline");
	pv.tput_mode = ECL_TPUT_PROVISIONED;
	pv.prov_bps = 10 * ECL_MIB;
	CHECK(ecl_permitted_bps(&pv, S, 0) == 10 * ECL_MIB, "provisioned");
	pv.tput_mode = ECL_TPUT_ELASTIC;
	CHECK(ecl_permitted_bps(&pv, S, 0) == ECL_UNLIMITED, "elastic");
	/* accrual caps, spending floors at zero */
	CHECK(ecl_ledger_apply(&b, S, ecl_credit_max(S) - 1, 1000000, 0) ==
	      ecl_credit_max(S), "cap");
	CHECK(ecl_ledger_apply(&b, S, 10, 0, 100) == 0, "floor");
	CHECK(ecl_ledger_apply(&b, S, 0, 1000000, 0) == 5000ULL * 1024,
	      "a second of baseline");

	/* the same ordered stream on several copies: equal balances */
	for (int iter = 0; iter < 200; iter++) {
		uint64_t bal[4];
		uint64_t size = rnd_below(4 * ECL_TIB);

		for (int k = 0; k < 4; k++)
			bal[k] = ECL_TIB;
		uint64_t sv = rng;

		for (int k = 0; k < 4; k++) {
			rng = sv;
			for (int t = 0; t < 500; t++) {
				uint64_t dt = 150000 + rnd_below(100000);
				uint64_t spent = rnd_below(200 * ECL_MIB);

				bal[k] = ecl_ledger_apply(&b, size, bal[k], dt,
							  spent);
			}
		}
		for (int k = 1; k < 4; k++)
			CHECK(bal[k] == bal[0], "copies differ");
	}
}

/* ---- messages ---- */

static void test_proto(void)
{
	struct ecl_wbuf w;
	struct ecl_rbuf r;
	struct ecl_hdr h;
	const char *why = "";
	struct ecl_rep_entry e[3] = {
		{ .fs_id = 1, .flags = 1, .clients = 2, .units = 3,
		  .bytes = 4, .size = 5 },
		{ .fs_id = 7, .units = 9 },
		{ .fs_id = 9, .flags = 2, .bytes = 1 << 20 },
	};
	struct ecl_expire x[1] = { { .event_id = 3, .stage = 1 } };
	struct ecl_report m = { .epoch = 2, .round = 10, .interval_us = 200000,
				.n = 3, .nexp = 1, .e = e, .x = x }, m2;
	struct ecl_rep_entry e2[8];
	struct ecl_expire x2[ECL_MAX_EXPIRE];
	struct ecl_decl_entry d[2] = { { .name = "web" }, { .name = "db.1" } },
			      d2[4];
	uint32_t nd;

	ecl_wb_init(&w);
	ecl_wb_hdr(&w, ECL_MSG_REPORT, 5, 77);
	ecl_enc_report(&w, &m);
	ecl_wb_finish(&w);
	CHECK(!w.err, "encode");
	ecl_rb_init(&r, w.p, w.len);
	CHECK(!ecl_hdr_decode(&r, &h, &why), "hdr: %s", why);
	CHECK(h.type == ECL_MSG_REPORT && h.nodeid == 5 && h.seq == 77, "hdr");
	m2.e = e2;
	m2.x = x2;
	CHECK(!ecl_dec_report(&r, &m2, 8, &why), "report: %s", why);
	CHECK(m2.n == 3 && m2.nexp == 1 && m2.e[0].size == 5 &&
	      m2.e[2].bytes == 1 << 20 && m2.x[0].event_id == 3 &&
	      m2.round == 10, "round trip");
	/* every truncation and every single-byte change: no crash; a
	 * truncated message never decodes */
	for (size_t cut = 0; cut < w.len; cut++) {
		ecl_rb_init(&r, w.p, cut);
		CHECK(ecl_hdr_decode(&r, &h, &why) ||
		      ecl_dec_report(&r, &m2, 8, &why), "truncated decoded");
	}
	for (int iter = 0; iter < 20000; iter++) {
		uint8_t buf[512];
		size_t len = w.len;

		memcpy(buf, w.p, len);
		buf[rnd_below(len)] ^= (uint8_t)(1 + rnd_below(255));
		ecl_rb_init(&r, buf, len);
		if (!ecl_hdr_decode(&r, &h, &why))
			(void)ecl_dec_report(&r, &m2, 8, &why);
	}
	ecl_wb_free(&w);

	for (int i = 0; i < 2; i++) {
		d[i].set = (struct ecl_settings){ .write_weight = 5,
						  .read_ratio = 3,
						  .metered_size = ECL_METERED_SIZE_AUTO };
	}
	ecl_wb_init(&w);
	ecl_wb_hdr(&w, ECL_MSG_DECLARE, 1, 1);
	ecl_enc_declare(&w, d, 2);
	ecl_wb_finish(&w);
	ecl_rb_init(&r, w.p, w.len);
	CHECK(!ecl_hdr_decode(&r, &h, &why) &&
	      !ecl_dec_declare(&r, d2, 4, &nd, &why) && nd == 2 &&
	      !strcmp(d2[1].name, "db.1"), "declare: %s", why);
	/* a bad name, bad settings, too many entries: refused */
	w.p[ECL_HDR_LEN + 5] = '/';
	ecl_rb_init(&r, w.p, w.len);
	CHECK(!ecl_hdr_decode(&r, &h, &why) &&
	      ecl_dec_declare(&r, d2, 4, &nd, &why) == -EINVAL,
	      "bad name accepted");
	ecl_rb_init(&r, w.p, w.len);
	ecl_hdr_decode(&r, &h, &why);
	CHECK(ecl_dec_declare(&r, d2, 1, &nd, &why) == -EINVAL, "count");
	ecl_wb_free(&w);

	/* header checks */
	ecl_wb_init(&w);
	ecl_wb_hdr(&w, 99, 1, 1);
	ecl_wb_finish(&w);
	ecl_rb_init(&r, w.p, w.len);
	CHECK(ecl_hdr_decode(&r, &h, &why) == -EINVAL, "unknown type");
	w.p[4] = 2;
	ecl_rb_init(&r, w.p, w.len);
	CHECK(ecl_hdr_decode(&r, &h, &why) == -EINVAL &&
	      !strcmp(why, "unknown protocol version"), "version");
	ecl_wb_free(&w);
}

/* ---- replicated state ---- */

static struct ecl_hello hello_of(uint32_t i)
{
	struct ecl_hello h = { .lease_ms = 2000, .forget_ms = 10000,
			       .detect_ms = 2200, .strict = 1 };

	snprintf(h.name, sizeof(h.name), "h%u", i);
	return h;
}

static void test_state(void)
{
	struct ecl_state_params par = { .min_share_pct = 10,
					.headroom_pct = 25 };
	struct ecl_state a, b;
	struct ecl_decl_entry d = { .name = "shared" };
	struct ecl_rep_entry re = { .fs_id = 1, .flags = ECL_USE_HELD_OPS,
				    .units = 30 };
	struct ecl_report m = { .epoch = 1, .interval_us = 200000, .n = 1,
				.e = &re };
	struct ecl_wbuf w;
	struct ecl_rbuf r;
	const char *why = "";

	d.set = (struct ecl_settings){ .iops_limit = 300, .write_weight = 5,
				       .read_ratio = 3,
				       .metered_size = ECL_METERED_SIZE_AUTO };
	d.balance = ECL_TIB;
	ecl_state_init(&a, &par, 8);
	a.epoch = 1;
	for (uint32_t i = 1; i <= 3; i++) {
		struct ecl_addr ad = { i, 100 + i, 0 };
		struct ecl_hello h = hello_of(i);

		CHECK(ecl_state_add_member(&a, &ad, &h) == (int)i - 1, "slot");
		d.balance = ECL_TIB - i;
		CHECK(!ecl_state_declare(&a, (int)i - 1, &d, 1, &why), "%s",
		      why);
	}
	CHECK(ecl_state_fs(&a, 1)->balance == ECL_TIB - 3,
	      "cold start: lowest balance");
	for (int round = 1; round <= 5; round++) {
		m.round = (uint64_t)round;
		for (int s = 0; s < 3; s++) {
			int rc = ecl_state_report(&a, s, &m, &why);

			CHECK(rc == (s == 2), "report %d: %d %s", s, rc, why);
		}
		/* a second report or a stale round changes nothing */
		CHECK(ecl_state_report(&a, 0, &m, &why) == -ESTALE, "stale");
	}
	CHECK(a.round == 5, "rounds");
	{
		const struct ecl_fs *fs = ecl_state_fs(&a, 1);
		uint64_t sum = 0;

		for (int s = 0; s < 3; s++)
			sum += fs->heads[s].g_ops;
		CHECK(sum <= 300 && sum >= 290, "grants sum %llu",
		      (unsigned long long)sum);
		CHECK(fs->heads[0].g_ops >= 99 && fs->heads[0].g_ops <= 101,
		      "equal shares: %llu",
		      (unsigned long long)fs->heads[0].g_ops);
	}
	/* round trip through a STATE message body */
	ecl_wb_init(&w);
	ecl_state_encode(&a, &w);
	ecl_state_init(&b, &par, 8);
	ecl_rb_init(&r, w.p, w.len);
	CHECK(!ecl_state_decode(&b, &r, &why), "decode: %s", why);
	CHECK(ecl_state_digest(&a) == ecl_state_digest(&b), "digest");
	/* any single-byte change either decodes or is refused; no crash */
	for (int iter = 0; iter < 3000; iter++) {
		uint8_t *buf = malloc(w.len);

		memcpy(buf, w.p, w.len);
		buf[rnd_below(w.len)] ^= (uint8_t)(1 + rnd_below(255));
		ecl_rb_init(&r, buf, w.len - rnd_below(2));
		(void)ecl_state_decode(&b, &r, &why);
		free(buf);
	}
	ecl_wb_free(&w);

	/* a head leaves: the rest cannot take its grant before the expiry */
	{
		struct ecl_addr gone = { 1, 101, ECL_LEFT_NODE };
		const struct ecl_fs *fs = ecl_state_fs(&a, 1);
		uint64_t g1 = fs->heads[0].g_ops, sum;
		uint32_t id = ecl_state_leave(&a, &gone, 1);
		struct ecl_expire x = { .event_id = id, .stage = 1 };

		CHECK(id, "event");
		for (int round = 6; round < 12; round++) {
			m.round = (uint64_t)round;
			for (int s = 1; s < 3; s++)
				ecl_state_report(&a, s, &m, &why);
		}
		sum = fs->heads[1].g_ops + fs->heads[2].g_ops;
		CHECK(sum + g1 <= 300, "reservation kept: %llu + %llu",
		      (unsigned long long)sum, (unsigned long long)g1);
		m.round = 12;
		m.nexp = 1;
		m.x = &x;
		ecl_state_report(&a, 1, &m, &why);
		m.nexp = 0;
		ecl_state_report(&a, 2, &m, &why);
		for (int round = 13; round < 16; round++) {
			m.round = (uint64_t)round;
			for (int s = 1; s < 3; s++)
				ecl_state_report(&a, s, &m, &why);
		}
		sum = fs->heads[1].g_ops + fs->heads[2].g_ops;
		CHECK(sum + 100 <= 300 && sum + 100 >= 290,
		      "lease over: the safe share stays reserved (%llu)",
		      (unsigned long long)sum);
		x.stage = 2;
		m.round = 16;
		m.nexp = 1;
		ecl_state_report(&a, 1, &m, &why);
		m.nexp = 0;
		ecl_state_report(&a, 2, &m, &why);
		for (int round = 17; round < 20; round++) {
			m.round = (uint64_t)round;
			for (int s = 1; s < 3; s++)
				ecl_state_report(&a, s, &m, &why);
		}
		sum = fs->heads[1].g_ops + fs->heads[2].g_ops;
		CHECK(sum >= 290 && a.nev == 0, "forgotten: %llu, %u events",
		      (unsigned long long)sum, a.nev);
	}
	ecl_state_free(&a);
	ecl_state_free(&b);
}

/* ---- the protocol on simulated heads ---- */

static struct sim_conf sim_defaults(int nodes, int nfs)
{
	struct sim_conf c = {
		.nodes = nodes, .nfs = nfs, .tick_ms = 200, .lease_ms = 3000,
		.forget_ms = 8000, .detect_ms = 2200, .merge_ms = 1500,
		.latency_us = 800, .quorum_jitter_us = 40000,
		.budget_ops = 300, .strict = true, .quiet = !verbose,
		.seed = rnd() | 1,
	};
	return c;
}

static void run_checked(struct sim *s, uint64_t until)
{
	while (sim_now(s) < until) {
		sim_run_until(s, sim_now(s) + 50000);
		sim_states_agree(s);
	}
}

/* time (us) until head's in-force ops reach v, or 0 */
static uint64_t reach(struct sim *s, int head, int fs, uint64_t v,
		      uint64_t within)
{
	uint64_t t0 = sim_now(s);

	while (sim_now(s) < t0 + within) {
		sim_run_until(s, sim_now(s) + 10000);
		if (sim_in_force(s, head, fs) >= v)
			return sim_now(s) - t0;
	}
	return 0;
}

static void test_sim_follow(void)
{
	struct sim_conf c = sim_defaults(5, 2);
	struct sim *s = sim_new(&c);
	uint64_t t;

	run_checked(s, 4000000);
	for (int i = 0; i < 5; i++)
		CHECK(sim_synced(s, i), "head %d not synced", i + 1);
	sim_set_demand(s, 0, 0, 1000);
	t = reach(s, 0, 0, 240, 3000000);
	CHECK(t && t <= 2000000, "head 1 took %llu us to 240",
	      (unsigned long long)t);
	run_checked(s, sim_now(s) + 2000000);
	/* demand moves from head 1 to head 3 */
	sim_set_demand(s, 0, 0, 0);
	sim_set_demand(s, 2, 0, 1000);
	t = reach(s, 2, 0, 240, 3000000);
	CHECK(t && t <= 2000000, "moved demand followed in %llu us",
	      (unsigned long long)t);
	if (verbose)
		printf("  demand followed in %.2f s\n", t / 1e6);
	/* two heads wanting more: equal shares */
	sim_set_demand(s, 1, 0, 1000);
	run_checked(s, sim_now(s) + 3000000);
	CHECK(sim_in_force(s, 1, 0) + 15 >= sim_in_force(s, 2, 0) &&
	      sim_in_force(s, 2, 0) + 15 >= sim_in_force(s, 1, 0),
	      "unequal: %llu vs %llu",
	      (unsigned long long)sim_in_force(s, 1, 0),
	      (unsigned long long)sim_in_force(s, 2, 0));
	CHECK(sim_sum_in_force(s, 0) >= 285, "sum %llu",
	      (unsigned long long)sim_sum_in_force(s, 0));
	CHECK(!sim_stats(s)->violations, "%llu violations",
	      (unsigned long long)sim_stats(s)->violations);
	CHECK(!sim_stats(s)->disagreements, "states differ");
	sim_free(s);
}

static void test_sim_failures(void)
{
	/* each failure of item 6, one after the other, with their timings */
	struct sim_conf c = sim_defaults(5, 1);
	struct sim *s = sim_new(&c);
	int side[5] = { 0, 0, 0, 1, 1 };
	uint64_t t, lease = c.lease_ms * 1000ULL, g;

	run_checked(s, 4000000);
	sim_set_demand(s, 0, 0, 1000);
	sim_set_demand(s, 1, 0, 1000);
	run_checked(s, sim_now(s) + 3000000);
	/* daemon of head 2 killed: head 1 gets its share after the lease */
	g = sim_in_force(s, 1, 0);
	sim_daemon_kill(s, 1);
	t = reach(s, 0, 0, 300 - g + 20, lease + 2000000);
	CHECK(t >= lease, "head 1 reclaimed after %llu us (lease %llu)",
	      (unsigned long long)t, (unsigned long long)lease);
	CHECK(sim_in_force(s, 1, 0) <= g / 2 + 10,
	      "killed head still holds %llu",
	      (unsigned long long)sim_in_force(s, 1, 0));
	run_checked(s, sim_now(s) + c.forget_ms * 1000ULL);
	CHECK(sim_in_force(s, 1, 0) == 0, "killed head after forget: %llu",
	      (unsigned long long)sim_in_force(s, 1, 0));
	CHECK(sim_in_force(s, 0, 0) >= 260, "head 1 after forget: %llu",
	      (unsigned long long)sim_in_force(s, 0, 0));
	sim_daemon_start(s, 1);
	run_checked(s, sim_now(s) + 3000000);
	CHECK(sim_synced(s, 1), "restarted daemon not synced");
	CHECK(sim_in_force(s, 1, 0) >= 100, "restarted head has %llu",
	      (unsigned long long)sim_in_force(s, 1, 0));
	/* corosync of head 2 killed */
	sim_corosync_kill(s, 1);
	run_checked(s, sim_now(s) + (c.forget_ms + c.detect_ms + 1000) * 1000ULL);
	CHECK(sim_in_force(s, 1, 0) == 0, "cut head: %llu",
	      (unsigned long long)sim_in_force(s, 1, 0));
	CHECK(sim_in_force(s, 0, 0) >= 260, "head 1: %llu",
	      (unsigned long long)sim_in_force(s, 0, 0));
	sim_corosync_start(s, 1);
	run_checked(s, sim_now(s) + 4000000);
	CHECK(sim_synced(s, 1), "head 2 back");
	/* a partition: heads 4 and 5 on the minority side, 5 busy */
	sim_set_demand(s, 1, 0, 0);
	sim_set_demand(s, 4, 0, 1000);
	run_checked(s, sim_now(s) + 3000000);
	g = sim_in_force(s, 4, 0);
	CHECK(g >= 120, "head 5 before the partition: %llu",
	      (unsigned long long)g);
	sim_partition(s, side);
	run_checked(s, sim_now(s) + 1000000);
	CHECK(sim_in_force(s, 4, 0) == g, "minority keeps its grant");
	run_checked(s, sim_now(s) + lease + c.detect_ms * 1000ULL);
	CHECK(sim_in_force(s, 4, 0) <= 60, "minority after the lease: %llu",
	      (unsigned long long)sim_in_force(s, 4, 0));
	run_checked(s, sim_now(s) + c.forget_ms * 1000ULL);
	CHECK(sim_in_force(s, 4, 0) == 0, "minority after forget: %llu",
	      (unsigned long long)sim_in_force(s, 4, 0));
	CHECK(sim_in_force(s, 0, 0) >= 260, "majority reclaimed: %llu",
	      (unsigned long long)sim_in_force(s, 0, 0));
	sim_heal(s);
	run_checked(s, sim_now(s) + 5000000);
	for (int i = 0; i < 5; i++)
		CHECK(sim_synced(s, i), "head %d after heal", i + 1);
	CHECK(sim_in_force(s, 4, 0) >= 100, "head 5 after heal: %llu",
	      (unsigned long long)sim_in_force(s, 4, 0));
	/* a hung daemon is evicted and its share reclaimed */
	g = sim_in_force(s, 4, 0);
	sim_daemon_hang(s, 4, true);
	run_checked(s, sim_now(s) + 2 * lease + 2000000);
	/* its grant is released after its lease; its safe share (60) stays
	 * reserved until its forget time */
	CHECK(sim_in_force(s, 0, 0) >= 210 && sim_in_force(s, 0, 0) >= 300 - g,
	      "hung head's share: head 1 has %llu (hung head had %llu)",
	      (unsigned long long)sim_in_force(s, 0, 0),
	      (unsigned long long)g);
	sim_daemon_hang(s, 4, false);
	run_checked(s, sim_now(s) + 3000000);
	CHECK(sim_in_force(s, 4, 0) >= 100, "woken head: %llu",
	      (unsigned long long)sim_in_force(s, 4, 0));
	CHECK(!sim_stats(s)->violations, "%llu violations (max over %llu)",
	      (unsigned long long)sim_stats(s)->violations,
	      (unsigned long long)sim_stats(s)->max_over);
	CHECK(!sim_stats(s)->disagreements, "states differ");
	sim_free(s);
}

static void test_sim_random(void)
{
	/* random failure ladders: the budget is never exceeded */
	const char *only = getenv("ECL_SIM_ITER");

	uint64_t base = rng;

	for (int iter = 0; iter < 20; iter++) {
		struct sim_conf c;
		struct sim *s;
		bool parted = false;
		bool show = only && atoi(only) == iter;

		if (only && !show)
			continue;
		rng = base ^ (uint64_t)(iter + 1) * 0x9E3779B97F4A7C15ULL;
		c = sim_defaults(3 + (int)rnd_below(4), 3);

		c.strict = rnd() % 4 != 0;
		c.lease_ms = 1000 + (uint32_t)rnd_below(2000);
		c.forget_ms = c.lease_ms + (uint32_t)rnd_below(5000);
		c.detect_ms = 1000 + (uint32_t)rnd_below(2000);
		c.latency_us = 200 + (uint32_t)rnd_below(3000);
		c.quiet = !show;
		s = sim_new(&c);
		if (show)
			fprintf(stderr, "iteration %d: %d heads, lease %u, forget %u, detect %u, %s\n",
				iter, c.nodes, c.lease_ms, c.forget_ms,
				c.detect_ms, c.strict ? "strict" : "available");
		run_checked(s, 3000000);
		for (int step = 0; step < 60; step++) {
			int k = (int)rnd_below((uint64_t)c.nodes);
			int act = (int)rnd_below(12);

			if (show)
				fprintf(stderr, "[%8.3f] ACTION %d on head %d\n",
					sim_now(s) / 1e6, act, k + 1);
			switch (act) {
			case 0: sim_daemon_kill(s, k); break;
			case 1: sim_daemon_start(s, k); break;
			case 2: sim_corosync_kill(s, k); break;
			case 3: sim_corosync_start(s, k); break;
			case 4:
				if (!parted) {
					int side[ECL_MAX_MEMBERS];

					for (int i = 0; i < c.nodes; i++)
						side[i] = rnd() % 2;
					sim_partition(s, side);
					parted = true;
				} else {
					sim_heal(s);
					parted = false;
				}
				break;
			case 5: sim_daemon_hang(s, k, rnd() % 2); break;
			case 6: {
				struct ecl_settings set = {
					.write_weight = 5, .read_ratio = 3,
					.iops_limit = c.budget_ops,
					.metered_size = ECL_METERED_SIZE_AUTO,
				};
				if (rnd() % 2)
					set.write_weight = 4;	/* mismatch */
				sim_set_serves(s, k, (int)rnd_below(3),
					       rnd() % 4 != 0, &set);
				break;
			}
			default:
				sim_set_demand(s, k, (int)rnd_below(3),
					       rnd_below(3) ? rnd_below(600) : 0);
			}
			run_checked(s, sim_now(s) + rnd_below(3000000));
		}
		/* everything back and quiet: the cluster converges */
		if (parted)
			sim_heal(s);
		for (int i = 0; i < c.nodes; i++) {
			sim_daemon_hang(s, i, false);
			sim_corosync_start(s, i);
			sim_daemon_start(s, i);
			sim_set_serves(s, i, 0, true, NULL);
			sim_set_demand(s, i, 0, 1000);
		}
		run_checked(s, sim_now(s) + (c.forget_ms + c.detect_ms) * 1000ULL + 8000000);
		for (int i = 0; i < c.nodes; i++)
			CHECK(sim_synced(s, i), "seed %llu: head %d not synced",
			      (unsigned long long)c.seed, i + 1);
		CHECK(sim_sum_in_force(s, 0) >= 280,
		      "seed %llu: converged to %llu of 300",
		      (unsigned long long)c.seed,
		      (unsigned long long)sim_sum_in_force(s, 0));
		/*
		 * available: a kernel cut from its daemon keeps its safe share
		 * for good, which a cluster state formed without it (a cold
		 * start) cannot know of: the guarantee is strict mode's
		 */
		CHECK(!c.strict || !sim_stats(s)->violations,
		      "seed %llu: %llu violations (max over %llu)",
		      (unsigned long long)c.seed,
		      (unsigned long long)sim_stats(s)->violations,
		      (unsigned long long)sim_stats(s)->max_over);
		CHECK(!sim_stats(s)->disagreements, "seed %llu: states differ",
		      (unsigned long long)c.seed);
		sim_free(s);
	}
}

static void test_sim_available(void)
{
	/* on-partition = available: the minority keeps its safe share, the
	 * majority never takes it, all within the budget */
	struct sim_conf c = sim_defaults(5, 1);
	struct sim *s;
	int side[5] = { 0, 0, 0, 1, 1 };
	uint64_t t;

	c.strict = false;
	s = sim_new(&c);
	run_checked(s, 4000000);
	sim_set_demand(s, 0, 0, 1000);
	sim_set_demand(s, 4, 0, 1000);
	run_checked(s, sim_now(s) + 3000000);
	sim_partition(s, side);
	run_checked(s, sim_now(s) + (c.forget_ms + 2 * c.detect_ms + 2000) * 1000ULL);
	CHECK(sim_in_force(s, 4, 0) == 60, "minority keeps the safe share: %llu",
	      (unsigned long long)sim_in_force(s, 4, 0));
	/* two safe shares (60 each) stay reserved for the minority */
	CHECK(sim_in_force(s, 0, 0) >= 160 && sim_sum_in_force(s, 0) <= 300,
	      "majority: %llu, sum %llu",
	      (unsigned long long)sim_in_force(s, 0, 0),
	      (unsigned long long)sim_sum_in_force(s, 0));
	sim_heal(s);
	t = reach(s, 4, 0, 120, 8000000);
	CHECK(t, "head 5 after the heal: %llu",
	      (unsigned long long)sim_in_force(s, 4, 0));
	run_checked(s, sim_now(s) + 3000000);
	CHECK(sim_sum_in_force(s, 0) >= 285, "after the heal: %llu",
	      (unsigned long long)sim_sum_in_force(s, 0));
	CHECK(!sim_stats(s)->violations, "%llu violations",
	      (unsigned long long)sim_stats(s)->violations);
	CHECK(!sim_stats(s)->disagreements, "states differ");
	sim_free(s);
}

static void test_sim_mismatch(void)
{
	struct sim_conf c = sim_defaults(3, 1);
	struct sim *s = sim_new(&c);
	struct ecl_settings other = {
		.write_weight = 5, .read_ratio = 3, .iops_limit = 600,
		.metered_size = ECL_METERED_SIZE_AUTO,
	};

	run_checked(s, 3000000);
	for (int i = 0; i < 3; i++)
		sim_set_demand(s, i, 0, 1000);
	sim_set_serves(s, 2, 0, true, &other);
	run_checked(s, sim_now(s) + 3000000);
	CHECK(sim_in_force(s, 2, 0) == 0, "mismatched head has %llu",
	      (unsigned long long)sim_in_force(s, 2, 0));
	CHECK(sim_in_force(s, 0, 0) >= 140, "head 1: %llu",
	      (unsigned long long)sim_in_force(s, 0, 0));
	sim_set_serves(s, 2, 0, true, NULL);
	run_checked(s, sim_now(s) + 3000000);
	CHECK(sim_in_force(s, 2, 0) >= 90, "agreeing head has %llu",
	      (unsigned long long)sim_in_force(s, 2, 0));
	CHECK(!sim_stats(s)->violations, "violations");
	sim_free(s);
}

static void test_sim_big_state(void)
{
	/* a state larger than one message goes in chunks */
	struct sim_conf c = sim_defaults(4, 1200);
	struct sim *s = sim_new(&c);
	uint64_t before = 0, after = 0;

	run_checked(s, 4000000);
	for (int f = 0; f < 1200; f += 3)
		sim_set_demand(s, 1, f, 500);
	run_checked(s, sim_now(s) + 2000000);
	for (int i = 0; i < 3; i++)
		before += ecl_node_stats(sim_node(s, i))->bytes_by_type[ECL_MSG_STATE];
	sim_daemon_kill(s, 3);
	run_checked(s, sim_now(s) + 500000);
	sim_daemon_start(s, 3);
	run_checked(s, sim_now(s) + 2000000);
	for (int i = 0; i < 3; i++)
		after += ecl_node_stats(sim_node(s, i))->bytes_by_type[ECL_MSG_STATE];
	CHECK(after - before > ECL_STATE_CHUNK, "state of %llu bytes",
	      (unsigned long long)(after - before));
	CHECK(sim_synced(s, 3), "restarted head not synced");
	CHECK(!sim_stats(s)->violations && !sim_stats(s)->disagreements,
	      "violations or disagreements");
	if (verbose)
		printf("  state transfer: %llu bytes\n",
		       (unsigned long long)(after - before));
	sim_free(s);
}

static const struct {
	const char *name;
	void (*fn)(void);
} tests[] = {
	{ "clusterd_waterfill", test_waterfill },
	{ "clusterd_alloc_random", test_alloc_random },
	{ "clusterd_alloc_join_leave", test_alloc_join_leave },
	{ "clusterd_alloc_follow", test_alloc_follow },
	{ "clusterd_alloc_elastic", test_alloc_unlimited },
	{ "clusterd_ledger", test_ledger },
	{ "clusterd_proto", test_proto },
	{ "clusterd_state", test_state },
	{ "clusterd_sim_follow", test_sim_follow },
	{ "clusterd_sim_failures", test_sim_failures },
	{ "clusterd_sim_available", test_sim_available },
	{ "clusterd_sim_mismatch", test_sim_mismatch },
	{ "clusterd_sim_big_state", test_sim_big_state },
	{ "clusterd_sim_random", test_sim_random },
};

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = 1;
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
	}
	for (size_t t = 0; t < sizeof(tests) / sizeof(tests[0]); t++) {
		bool want = i == argc;

		for (int k = i; k < argc; k++)
			want |= !strcmp(argv[k], tests[t].name);
		if (!want)
			continue;
		rng = seed ^ (t + 1) * 0x2545F4914F6CDD1DULL;
		test_failed = 0;
		tests[t].fn();
		printf("%s %s\n", test_failed ? "FAIL" : "PASS", tests[t].name);
		failures += !!test_failed;
	}
	return failures ? 1 : 0;
}
