// SPDX-License-Identifier: GPL-2.0
/* The simulated cluster (see sim.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#define MAXN	ECL_MAX_MEMBERS
#define MAXC	4

enum { EV_MSG, EV_RECONCILE, EV_RING };

struct qev {
	uint64_t at;
	int type;
	int sender;
	uint32_t pid;
	uint8_t *buf;
	size_t len;
	bool ring_change;
	bool target[MAXN];	/* reconcile: the membership it installs */
	uint32_t tpid[MAXN];
};

struct comp {
	bool used;
	struct qev *q;
	size_t qh, qn, qcap;
	uint64_t stall_until;
	struct ecl_ring ring;
};

struct inbox_ev {
	int type;		/* EV_MSG, EV_RECONCILE */
	int sender;
	uint32_t pid;
	uint8_t *buf;
	size_t len;
	bool ring_change;
	struct ecl_ring ring;
	bool target[MAXN];	/* membership to reconcile to */
	uint32_t tpid[MAXN];
	uint64_t at;
};

struct kfs {
	bool valid;
	struct ecl_grant g;
};

struct head {
	struct sim *s;
	int idx;
	struct ecl_node *n;
	bool daemon, hung, coro;
	int comp;
	uint32_t pid;
	bool view[MAXN];
	uint32_t vpid[MAXN];
	struct kfs *k;
	uint64_t *demand, *last_use;
	bool *serves;
	struct ecl_settings *set;
	uint64_t next_tick;
	bool q_pending, q_quorate;
	uint64_t q_at;
	struct ecl_ring q_ring;
	struct inbox_ev *in;
	size_t inh, inn, incap;
	uint8_t left_reason;
};

struct sim {
	struct sim_conf c;
	uint64_t now;
	uint64_t rng;
	uint32_t next_pid;
	uint64_t ring_seq;
	struct head h[MAXN];
	struct comp comp[MAXC];
	struct sim_stats st;
	struct ecl_local_fs *lfs;
};

static uint64_t rnd(struct sim *s)
{
	s->rng ^= s->rng << 13;
	s->rng ^= s->rng >> 7;
	s->rng ^= s->rng << 17;
	return s->rng;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t sim_now(const struct sim *s)
{
	return s->now;
}

const struct sim_stats *sim_stats(const struct sim *s)
{
	return &s->st;
}

struct ecl_node *sim_node(const struct sim *s, int node)
{
	return s->h[node].n;
}

uint64_t sim_budget(const struct sim *s, int fs)
{
	(void)fs;
	return s->c.budget_ops;
}

static uint64_t kernel_ops(const struct sim *s, const struct kfs *k)
{
	if (!k->valid)
		return 0;	/* strict: nothing before the first grant */
	if (s->now < k->g.expires_us)
		return k->g.ops;
	/* as efs.ko: the budget divided by the heads it was told */
	if (s->now < k->g.forget_us)
		return ecl_min64(k->g.ops, s->c.budget_ops /
				 ecl_max64(1, k->g.heads));
	return 0;
}

uint64_t sim_in_force(const struct sim *s, int node, int fs)
{
	return kernel_ops(s, &s->h[node].k[fs]);
}

uint64_t sim_sum_in_force(const struct sim *s, int fs)
{
	uint64_t sum = 0;

	for (int i = 0; i < s->c.nodes; i++)
		sum += sim_in_force(s, i, fs);
	return sum;
}

bool sim_check(struct sim *s)
{
	bool ok = true;

	for (int f = 0; f < s->c.nfs; f++) {
		uint64_t sum = sim_sum_in_force(s, f);

		if (sum > s->c.budget_ops) {
			ok = false;
			s->st.violations++;
			if (sum - s->c.budget_ops > s->st.max_over)
				s->st.max_over = sum - s->c.budget_ops;
		}
	}
	return ok;
}

bool sim_synced(const struct sim *s, int node)
{
	return s->h[node].n && ecl_node_synced(s->h[node].n);
}

/* ---- engine ops ---- */

static int fs_index(const struct sim *s, const char *name)
{
	int i = atoi(name + 2);	/* "fs<i>" */

	return i >= 0 && i < s->c.nfs ? i : -1;
}

static void comp_push(struct comp *c, const struct qev *e)
{
	if (c->qh + c->qn == c->qcap) {
		if (c->qh) {
			memmove(c->q, c->q + c->qh, c->qn * sizeof(*c->q));
			c->qh = 0;
		} else {
			c->qcap = c->qcap ? c->qcap * 2 : 64;
			c->q = realloc(c->q, c->qcap * sizeof(*c->q));
			if (!c->q)
				abort();
		}
	}
	c->q[c->qh + c->qn++] = *e;
}

static int op_send(void *ctx, const void *buf, size_t len)
{
	struct head *h = ctx;
	struct sim *s = h->s;
	struct qev e = { .type = EV_MSG, .sender = h->idx, .pid = h->pid };

	if (!h->coro || !h->daemon || h->comp < 0)
		return -107;	/* ENOTCONN */
	e.at = s->now + s->c.latency_us;
	e.buf = malloc(len);
	if (!e.buf)
		abort();
	memcpy(e.buf, buf, len);
	e.len = len;
	comp_push(&s->comp[h->comp], &e);
	return 0;
}

static void op_usage(void *ctx, const char *fs, uint64_t now,
		     struct ecl_usage *u)
{
	struct head *h = ctx;
	struct sim *s = h->s;
	int i = fs_index(s, fs);
	uint64_t f, d, dt;

	memset(u, 0, sizeof(*u));
	if (i < 0)
		return;
	f = kernel_ops(s, &h->k[i]);
	d = h->demand[i];
	dt = h->last_use[i] && now > h->last_use[i] ? now - h->last_use[i] :
	     (uint64_t)s->c.tick_ms * 1000;
	h->last_use[i] = now;
	u->units = (uint32_t)ecl_muldiv(ecl_min64(f, d), dt, 1000000);
	u->flags = d > f ? ECL_USE_HELD_OPS : 0;
	u->clients = d ? 1 : 0;
	u->size = 1ULL << 30;
}

static void dump_state(const char *who, const struct ecl_state *st);

static void op_grant(void *ctx, const char *fs, const struct ecl_grant *g,
		     uint64_t now)
{
	struct head *h = ctx;
	struct sim *s = h->s;
	int i = fs_index(s, fs);
	uint64_t sum;

	(void)now;
	if (i < 0)
		return;
	h->k[i].valid = true;
	h->k[i].g = *g;
	s->st.pushes++;
	if (s->c.budget_ops / ecl_max64(1, g->heads) > g->safe_ops &&
	    !s->c.quiet)
		fprintf(stderr, "sim: head %d fs%d: budget / heads %llu > safe share %llu\n",
			h->idx + 1, i,
			(unsigned long long)(s->c.budget_ops / ecl_max64(1, g->heads)),
			(unsigned long long)g->safe_ops);
	if (s->c.no_push_check)
		return;
	if (getenv("ECL_DEBUG") && i == 0)
		fprintf(stderr, "PUSH t=%.3f head %d fs0 g %llu safe %llu exp %+.3f forget %+.3f\n",
			s->now / 1e6, h->idx + 1, (unsigned long long)g->ops,
			(unsigned long long)g->safe_ops,
			((double)g->expires_us - s->now) / 1e6,
			g->forget_us == ECL_NEVER ? 1e9 : ((double)g->forget_us - s->now) / 1e6);
	sum = sim_sum_in_force(s, i);
	if (sum > s->c.budget_ops) {
		s->st.violations++;
		if (sum - s->c.budget_ops > s->st.max_over)
			s->st.max_over = sum - s->c.budget_ops;
		if (!s->c.quiet) {
			fprintf(stderr,
				"sim: t=%.3f s fs%d: heads hold %llu > budget %u (push by head %d)\n",
				s->now / 1e6, i, (unsigned long long)sum,
				s->c.budget_ops, h->idx + 1);
			for (int k = 0; k < s->c.nodes; k++) {
				const struct kfs *kf = &s->h[k].k[i];

				fprintf(stderr, "  head %d: %llu (g %llu safe %llu exp %+.3f forget %+.3f)\n",
					k + 1, (unsigned long long)kernel_ops(s, kf),
					(unsigned long long)kf->g.ops,
					(unsigned long long)kf->g.safe_ops,
					((double)kf->g.expires_us - s->now) / 1e6,
					kf->g.forget_us == ECL_NEVER ? 1e9 :
					((double)kf->g.forget_us - s->now) / 1e6);
			}
			if (!s->c.quiet)
				dump_state("pusher", ecl_node_state(h->n));
		}
	}
}

static void op_holds(void *ctx, const char *fs, uint64_t now, uint64_t *ops,
		     uint64_t *bytes)
{
	struct head *h = ctx;
	int i = fs_index(h->s, fs);

	(void)now;
	*ops = i < 0 ? 0 : kernel_ops(h->s, &h->k[i]);
	*bytes = 0;
}

static void op_log(void *ctx, int level, const char *fmt, ...)
{
	struct head *h = ctx;
	va_list ap;

	if (h->s->c.quiet || level > ECL_LOG_EVENT)
		return;
	fprintf(stderr, "[%8.3f] head %d: ", h->s->now / 1e6, h->idx + 1);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const struct ecl_node_ops sim_ops = {
	.send = op_send, .usage = op_usage, .grant = op_grant,
	.holds = op_holds, .log = op_log,
};

/* ---- heads ---- */

static void set_local(struct sim *s, struct head *h)
{
	uint32_t n = 0;

	for (int i = 0; i < s->c.nfs; i++) {
		if (!h->serves[i])
			continue;
		memset(&s->lfs[n], 0, sizeof(s->lfs[n]));
		snprintf(s->lfs[n].name, sizeof(s->lfs[n].name), "fs%d", i);
		s->lfs[n].set = h->set[i];
		s->lfs[n].size = 1ULL << 30;
		s->lfs[n].balance = 1ULL << 40;
		n++;
	}
	if (h->n)
		ecl_node_set_local(h->n, s->lfs, n, s->now);
}

static struct ecl_settings default_settings(const struct sim *s)
{
	struct ecl_settings set = {
		.perf_mode = ECL_PERF_GENERAL, .tput_mode = ECL_TPUT_BURSTING,
		.write_weight = 5, .iops_limit = s->c.budget_ops,
		.read_ratio = 3, .metered_size = ECL_METERED_SIZE_AUTO,
	};
	return set;
}

struct sim *sim_new(const struct sim_conf *c)
{
	struct sim *s = calloc(1, sizeof(*s));

	if (!s || c->nodes > MAXN)
		abort();
	s->c = *c;
	s->rng = c->seed ? c->seed : 88172645463325252ULL;
	s->now = 1000000;
	s->next_pid = 1000;
	s->lfs = calloc(c->nfs ? c->nfs : 1, sizeof(*s->lfs));
	s->comp[0].used = true;
	s->comp[0].ring = (struct ecl_ring){ 1, ++s->ring_seq };
	for (int i = 0; i < c->nodes; i++) {
		struct head *h = &s->h[i];
		struct ecl_settings set = default_settings(s);

		h->s = s;
		h->idx = i;
		h->comp = 0;
		h->coro = true;
		h->k = calloc(c->nfs, sizeof(*h->k));
		h->demand = calloc(c->nfs, sizeof(*h->demand));
		h->last_use = calloc(c->nfs, sizeof(*h->last_use));
		h->serves = calloc(c->nfs, sizeof(*h->serves));
		h->set = calloc(c->nfs, sizeof(*h->set));
		if (!s->lfs || !h->k || !h->demand || !h->last_use ||
		    !h->serves || !h->set)
			abort();
		for (int f = 0; f < c->nfs; f++) {
			h->serves[f] = true;
			h->set[f] = set;
		}
	}
	/* quorum of the initial ring */
	for (int i = 0; i < c->nodes; i++) {
		s->h[i].q_pending = true;
		s->h[i].q_at = s->now;
		s->h[i].q_quorate = true;
		s->h[i].q_ring = s->comp[0].ring;
	}
	for (int i = 0; i < c->nodes; i++)
		sim_daemon_start(s, i);
	return s;
}

static void inbox_clear(struct head *h)
{
	for (size_t i = 0; i < h->inn; i++)
		free(h->in[h->inh + i].buf);
	h->inh = h->inn = 0;
}

void sim_free(struct sim *s)
{
	for (int i = 0; i < s->c.nodes; i++) {
		struct head *h = &s->h[i];

		ecl_node_free(h->n);
		inbox_clear(h);
		free(h->in);
		free(h->k);
		free(h->demand);
		free(h->last_use);
		free(h->serves);
		free(h->set);
	}
	for (int c = 0; c < MAXC; c++) {
		for (size_t i = 0; i < s->comp[c].qn; i++)
			free(s->comp[c].q[s->comp[c].qh + i].buf);
		free(s->comp[c].q);
	}
	free(s->lfs);
	free(s);
}

static bool in_target(const struct sim *s, int i, int c)
{
	const struct head *h = &s->h[i];

	return h->daemon && h->coro && h->comp == c;
}

/* a membership change reaches comp c's queue (after what is queued) */
static void reconcile(struct sim *s, int c, uint64_t at, bool ring_change)
{
	struct qev e = { .type = EV_RECONCILE, .at = at,
			 .ring_change = ring_change };

	for (int i = 0; i < s->c.nodes; i++) {
		e.target[i] = in_target(s, i, c);
		e.tpid[i] = s->h[i].pid;
	}
	comp_push(&s->comp[c], &e);
}

static void new_ring(struct sim *s, int c, uint64_t at)
{
	struct comp *cp = &s->comp[c];
	int low = -1, votes = 0;

	for (int i = 0; i < s->c.nodes; i++)
		if (s->h[i].coro && s->h[i].comp == c) {
			if (low < 0)
				low = i;
			votes++;
		}
	cp->ring = (struct ecl_ring){ low < 0 ? 0 : (uint32_t)low + 1,
				      ++s->ring_seq };
	for (int i = 0; i < s->c.nodes; i++) {
		struct head *h = &s->h[i];

		if (!h->coro || h->comp != c)
			continue;
		h->q_pending = true;
		h->q_at = at + (s->c.quorum_jitter_us ?
				rnd(s) % s->c.quorum_jitter_us : 0);
		h->q_quorate = votes * 2 > s->c.nodes;
		h->q_ring = cp->ring;
	}
}

void sim_daemon_start(struct sim *s, int i)
{
	struct head *h = &s->h[i];
	struct ecl_node_conf nc = {
		.tick_ms = s->c.tick_ms, .lease_ms = s->c.lease_ms,
		.forget_ms = s->c.forget_ms, .detect_ms = s->c.detect_ms,
		.strict = s->c.strict,
		.par = { .min_share_pct = 10, .headroom_pct = 25 },
		.nslots = 32,
	};

	if (h->daemon)
		return;
	snprintf(nc.name, sizeof(nc.name), "head%d", i + 1);
	h->n = ecl_node_new(&nc, &sim_ops, h);
	if (!h->n)
		abort();
	h->daemon = true;
	h->hung = false;
	h->pid = s->next_pid++;
	memset(h->view, 0, sizeof(h->view));
	inbox_clear(h);
	ecl_node_set_self(h->n, (uint32_t)i + 1, h->pid);
	{
		uint32_t ids[MAXN];

		for (int k = 0; k < s->c.nodes; k++)
			ids[k] = (uint32_t)k + 1;
		ecl_node_set_expected(h->n, ids, (uint32_t)s->c.nodes);
	}
	set_local(s, h);
	h->next_tick = s->now;
	if (h->coro && h->comp >= 0) {
		ecl_node_ring(h->n, &s->comp[h->comp].ring, s->now);
		h->q_pending = true;
		h->q_at = s->now;
		reconcile(s, h->comp, s->now + s->c.latency_us, false);
	}
}

void sim_daemon_kill(struct sim *s, int i)
{
	struct head *h = &s->h[i];

	if (!h->daemon)
		return;
	ecl_node_free(h->n);
	h->n = NULL;
	h->daemon = false;
	inbox_clear(h);
	h->left_reason = ECL_LEFT_PROC;
	if (h->coro && h->comp >= 0)
		reconcile(s, h->comp, s->now + s->c.latency_us, false);
}

void sim_daemon_hang(struct sim *s, int i, bool hang)
{
	s->h[i].hung = hang;
	if (!hang)
		s->h[i].next_tick = s->now;
}

static int free_comp(struct sim *s)
{
	for (int c = 0; c < MAXC; c++)
		if (!s->comp[c].used) {
			memset(&s->comp[c], 0, sizeof(s->comp[c]));
			s->comp[c].used = true;
			return c;
		}
	abort();
}

/*
 * Token loss in comp c: it stalls for the detection time; queued messages
 * of nodes that are cut away reach the rest only up to a random point.
 */
static void cut(struct sim *s, int c, const bool *away, int c2)
{
	struct comp *cp = &s->comp[c], *c2p = c2 >= 0 ? &s->comp[c2] : NULL;
	size_t n = cp->qn, cut_here = n ? rnd(s) % (n + 1) : 0;
	size_t cut_there = n ? rnd(s) % (n + 1) : 0;
	struct qev *old = malloc((n ? n : 1) * sizeof(*old));
	uint64_t until = s->now + (uint64_t)s->c.detect_ms * 1000;

	if (!old)
		abort();
	memcpy(old, cp->q + cp->qh, n * sizeof(*old));
	cp->qh = cp->qn = 0;
	for (size_t k = 0; k < n; k++) {
		struct qev e = old[k];
		bool from_away = e.type == EV_MSG && away[e.sender];

		if (e.type == EV_RECONCILE) {
			comp_push(cp, &e);
			if (c2p)
				comp_push(c2p, &e);
			continue;
		}
		if (!from_away || k < cut_here) {
			struct qev cp_e = e;

			cp_e.buf = malloc(e.len);
			memcpy(cp_e.buf, e.buf, e.len);
			comp_push(cp, &cp_e);
		}
		if (c2p && (from_away || k < cut_there)) {
			struct qev cp_e = e;

			cp_e.buf = malloc(e.len);
			memcpy(cp_e.buf, e.buf, e.len);
			comp_push(c2p, &cp_e);
		}
		free(e.buf);
	}
	free(old);
	cp->stall_until = ecl_max64(cp->stall_until, until);
	reconcile(s, c, until, true);
	if (c2p) {
		c2p->stall_until = until;
		reconcile(s, c2, until, true);
	}
}

void sim_corosync_kill(struct sim *s, int i)
{
	struct head *h = &s->h[i];
	bool away[MAXN] = { false };
	int c = h->comp;

	if (!h->coro)
		return;
	h->coro = false;
	h->comp = -1;
	h->left_reason = ECL_LEFT_NODE;
	inbox_clear(h);
	memset(h->view, 0, sizeof(h->view));
	if (h->n)
		ecl_node_disconnected(h->n, s->now);
	away[i] = true;
	cut(s, c, away, -1);
}

/* membership changes under way complete first (totem is symmetric) */
static void settle(struct sim *s)
{
	uint64_t until = 0;

	for (int c = 0; c < MAXC; c++)
		if (s->comp[c].used)
			until = ecl_max64(until, s->comp[c].stall_until);
	if (until >= s->now)
		sim_run_until(s, until + 1);
}

void sim_corosync_start(struct sim *s, int i)
{
	struct head *h = &s->h[i];
	uint64_t at;

	if (h->coro)
		return;
	settle(s);
	at = s->now + (uint64_t)s->c.merge_ms * 1000;
	h->coro = true;
	h->comp = 0;
	s->comp[0].stall_until = ecl_max64(s->comp[0].stall_until, at);
	reconcile(s, 0, at, true);
}

void sim_partition(struct sim *s, const int *side)
{
	bool away[MAXN] = { false };
	int c2;

	settle(s);
	c2 = free_comp(s);

	for (int i = 0; i < s->c.nodes; i++) {
		away[i] = side[i] == 1;
		if (away[i] && s->h[i].comp == 0)
			s->h[i].comp = c2;
	}
	cut(s, 0, away, c2);
}

static void deliver_due(struct sim *s, int c);

void sim_heal(struct sim *s)
{
	uint64_t at;

	settle(s);
	at = s->now + (uint64_t)s->c.merge_ms * 1000;
	for (int c = 1; c < MAXC; c++) {
		struct comp *cp = &s->comp[c];

		if (!cp->used)
			continue;
		/* what the side still has queued reaches it first */
		cp->stall_until = 0;
		for (size_t k = 0; k < cp->qn; k++)
			cp->q[cp->qh + k].at = s->now;
		deliver_due(s, c);
		for (int i = 0; i < s->c.nodes; i++)
			if (s->h[i].comp == c)
				s->h[i].comp = 0;
		free(cp->q);
		memset(cp, 0, sizeof(*cp));
	}
	s->comp[0].stall_until = ecl_max64(s->comp[0].stall_until, at);
	reconcile(s, 0, at, true);
}

void sim_set_demand(struct sim *s, int node, int fs, uint64_t ops)
{
	s->h[node].demand[fs] = ops;
}

void sim_set_serves(struct sim *s, int node, int fs, bool serves,
		    const struct ecl_settings *set)
{
	struct head *h = &s->h[node];

	h->serves[fs] = serves;
	h->set[fs] = set ? *set : default_settings(s);
	if (!serves)
		h->k[fs].valid = false;	/* removed from this head's kernel */
	set_local(s, h);
}

/* ---- the loop ---- */

static void inbox_push(struct head *h, const struct inbox_ev *e)
{
	if (h->inh + h->inn == h->incap) {
		if (h->inh) {
			memmove(h->in, h->in + h->inh, h->inn * sizeof(*h->in));
			h->inh = 0;
		} else {
			h->incap = h->incap ? h->incap * 2 : 16;
			h->in = realloc(h->in, h->incap * sizeof(*h->in));
			if (!h->in)
				abort();
		}
	}
	h->in[h->inh + h->inn++] = *e;
}

static void run_inbox(struct sim *s, struct head *h)
{
	while (h->inn && h->daemon && !h->hung) {
		struct inbox_ev e = h->in[h->inh++];
		uint64_t t0 = cpu_ns(), r0, dt;

		h->inn--;
		if (e.type == EV_RING) {
			ecl_node_ring(h->n, &e.ring, s->now);
			continue;
		}
		if (e.type == EV_MSG) {
			r0 = ecl_node_stats(h->n)->rounds;
			ecl_node_deliver(h->n, (uint32_t)e.sender + 1, e.pid,
					 e.buf, e.len, s->now);
			free(e.buf);
			dt = cpu_ns() - t0;
			s->st.deliveries++;
			s->st.cpu_ns += dt;
			if (ecl_node_stats(h->n)->rounds != r0) {
				s->st.cpu_round_ns += dt;
				s->st.round_deliveries++;
			}
			continue;
		}
		/* a membership change, relative to this head's view */
		struct ecl_addr mem[MAXN], left[MAXN], joined[MAXN];
		size_t nm = 0, nl = 0, nj = 0;

		if (e.ring_change)
			ecl_node_ring(h->n, &e.ring, s->now);
		for (int i = 0; i < s->c.nodes; i++) {
			struct ecl_addr a = { (uint32_t)i + 1, e.tpid[i], 0 };

			if (e.target[i]) {
				mem[nm++] = a;
				if (!h->view[i] || h->vpid[i] != e.tpid[i])
					joined[nj++] = a;
			}
			if (h->view[i] &&
			    (!e.target[i] || h->vpid[i] != e.tpid[i])) {
				a.pid = h->vpid[i];
				/* the process is gone, or only unreachable */
				a.reason = s->h[i].daemon &&
					   s->h[i].pid == h->vpid[i] ?
					   ECL_LEFT_NODE : ECL_LEFT_PROC;
				left[nl++] = a;
			}
		}
		memcpy(h->view, e.target, sizeof(h->view));
		memcpy(h->vpid, e.tpid, sizeof(h->vpid));
		if (nj || nl || e.ring_change)
			ecl_node_confchg(h->n, mem, nm, left, nl, joined, nj,
					 s->now);
		s->st.cpu_ns += cpu_ns() - t0;
	}
}

static void deliver_due(struct sim *s, int c)
{
	struct comp *cp = &s->comp[c];

	while (cp->qn && cp->q[cp->qh].at <= s->now &&
	       s->now >= cp->stall_until) {
		struct qev e = cp->q[cp->qh++];
		struct inbox_ev ie = { .type = e.type, .sender = e.sender,
				       .pid = e.pid, .ring_change = e.ring_change,
				       .ring = cp->ring, .at = s->now };

		cp->qn--;
		if (e.type == EV_RECONCILE) {
			if (e.ring_change)
				new_ring(s, c, s->now);
			ie.ring = cp->ring;
			memcpy(ie.target, e.target, sizeof(ie.target));
			memcpy(ie.tpid, e.tpid, sizeof(ie.tpid));
		}
		for (int i = 0; i < s->c.nodes; i++) {
			struct head *h = &s->h[i];
			struct inbox_ev copy = ie;

			if (!h->daemon || !h->coro || h->comp != c)
				continue;
			if (e.type == EV_RECONCILE &&
			    (!e.target[i] || e.tpid[i] != h->pid)) {
				/* not in that configuration, but connected:
				 * totem's ring change reaches every client */
				if (e.ring_change) {
					copy.type = EV_RING;
					inbox_push(h, &copy);
				}
				continue;
			}
			if (e.type == EV_MSG) {
				/* only members that have seen themselves join */
				if (!h->view[i] || h->vpid[i] != h->pid)
					continue;
				copy.buf = malloc(e.len);
				memcpy(copy.buf, e.buf, e.len);
				copy.len = e.len;
			}
			inbox_push(h, &copy);
		}
		free(e.buf);
		for (int i = 0; i < s->c.nodes; i++)
			if (s->h[i].comp == c)
				run_inbox(s, &s->h[i]);
	}
}

void sim_run_until(struct sim *s, uint64_t t)
{
	for (;;) {
		uint64_t next = t + 1;

		for (int c = 0; c < MAXC; c++) {
			struct comp *cp = &s->comp[c];

			if (cp->used && cp->qn)
				next = ecl_min64(next,
						 ecl_max64(cp->q[cp->qh].at,
							   cp->stall_until));
		}
		for (int i = 0; i < s->c.nodes; i++) {
			struct head *h = &s->h[i];

			if (h->daemon && !h->hung)
				next = ecl_min64(next, h->next_tick);
			if (h->q_pending)
				next = ecl_min64(next, h->q_at);
		}
		if (next > t) {
			s->now = t;
			return;
		}
		if (next > s->now)
			s->now = next;
		for (int c = 0; c < MAXC; c++)
			if (s->comp[c].used)
				deliver_due(s, c);
		for (int i = 0; i < s->c.nodes; i++) {
			struct head *h = &s->h[i];

			if (h->q_pending && h->q_at <= s->now) {
				h->q_pending = false;
				if (h->daemon && h->coro)
					ecl_node_quorum(h->n, h->q_quorate,
							&h->q_ring, s->now);
			}
			if (h->daemon && !h->hung && h->next_tick <= s->now) {
				uint64_t t0 = cpu_ns();

				run_inbox(s, h);
				h->next_tick = ecl_node_tick(h->n, s->now);
				s->st.cpu_ns += cpu_ns() - t0;
			}
		}
	}
}

static void dump_state(const char *who, const struct ecl_state *st)
{
	fprintf(stderr, "%s: epoch %u round %llu nfs %u nev %u next_ev %u\n",
		who, st->epoch, (unsigned long long)st->round, st->nfs,
		st->nev, st->next_event_id);
	for (uint32_t i = 0; i < st->nslots; i++)
		if (st->members[i].used)
			fprintf(stderr, "  slot %u node %u pid %u part %u since %llu\n",
				i, st->members[i].nodeid, st->members[i].pid,
				st->members[i].participant,
				(unsigned long long)st->members[i].since_round);
	for (uint32_t i = 0; i < st->nev; i++) {
		fprintf(stderr, "  ev %u stage %u nn %u nfs %u:", st->ev[i].id,
			st->ev[i].stage, st->ev[i].nn, st->ev[i].nfs);
		for (uint32_t j = 0; j < st->ev[i].nn; j++)
			fprintf(stderr, " %u/%u%s", st->ev[i].node[j].nodeid,
				st->ev[i].node[j].pid,
				st->ev[i].node[j].back ? "(back)" : "");
		fputc('\n', stderr);
	}
	for (uint32_t i = 0; i < st->nfs; i++) {
		const struct ecl_fs *fs = st->fs[i];

		fprintf(stderr, "  fs %u %s bal %llu res %llu safe %llu/%llu:",
			fs->id, fs->name, (unsigned long long)fs->balance,
			(unsigned long long)fs->res_ops,
			(unsigned long long)fs->safe_ops,
			(unsigned long long)fs->safe_prev_ops);
		for (uint32_t k = 0; k < st->nslots; k++)
			if (st->members[k].used)
				fprintf(stderr, " [%u d%u ok%u g%llu u%llu r%llu]", k,
					fs->heads[k].declared, fs->heads[k].ok,
					(unsigned long long)fs->heads[k].g_ops,
					(unsigned long long)fs->heads[k].used_ops,
					(unsigned long long)fs->heads[k].rate_ops);
		fputc('\n', stderr);
	}
}

static bool same_view(const struct head *a, const struct head *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a->view[i] != b->view[i] ||
		    (a->view[i] && a->vpid[i] != b->vpid[i]))
			return false;
	return true;
}

/* heads with the same view of the group hold the same state */
bool sim_states_agree(struct sim *s)
{
	bool ok = true;

	for (int i = 0; i < s->c.nodes; i++) {
		struct head *h = &s->h[i];

		if (!h->daemon || h->hung || !h->coro || h->inn ||
		    !ecl_node_synced(h->n))
			continue;
		for (int j = 0; j < i; j++) {
			struct head *o = &s->h[j];

			if (!o->daemon || o->hung || !o->coro || o->inn ||
			    !ecl_node_synced(o->n) ||
			    !same_view(h, o, s->c.nodes))
				continue;
			if (ecl_state_digest(ecl_node_state(h->n)) ==
			    ecl_state_digest(ecl_node_state(o->n)))
				break;
			ok = false;
			if (!s->st.disagreements && !s->c.quiet) {
				fprintf(stderr, "sim: head %d and head %d differ\n",
					j + 1, i + 1);
				dump_state("first", ecl_node_state(o->n));
				dump_state("other", ecl_node_state(h->n));
			}
			s->st.disagreements++;
			break;
		}
	}
	return ok;
}
