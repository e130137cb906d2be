// SPDX-License-Identifier: GPL-2.0
/* One head's engine (see node.h and PROTOCOL.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node.h"

#define SENT_RING	256

struct pushed {
	char name[ECL_FS_NAME_MAX + 1];
	uint8_t valid, lapsed_logged, forgot_logged, mismatch_logged;
	struct ecl_grant g;
};

struct ev_timer {
	uint32_t id;
	uint64_t t;		/* local time we learned of it */
	uint8_t asked;		/* stage we last asked for */
};

struct hello_slot {
	uint32_t nodeid, pid;
	uint8_t got;
	struct ecl_hello h;
};

struct ecl_node {
	struct ecl_node_conf conf;
	struct ecl_node_ops ops;
	void *ctx;
	struct ecl_state st;

	uint32_t self_nodeid, self_pid;
	bool have_self, joined, synced, syncing;
	struct ecl_addr members[ECL_MAX_MEMBERS];
	uint32_t nmembers;
	uint32_t expected[ECL_MAX_MEMBERS];	/* configured node ids */
	uint32_t nexpected;
	uint64_t sig;
	struct hello_slot hello[ECL_MAX_MEMBERS];
	int leader;		/* index in hello[] we wait a STATE from */
	struct ecl_wbuf chunk;	/* the state being received */
	uint32_t chunk_next, chunk_total;
	uint64_t chunk_sig;

	uint32_t seq;
	uint64_t sent_at[SENT_RING];
	uint32_t sent_seq[SENT_RING];
	uint64_t anchor_us;
	bool anchor_valid;

	uint64_t last_report_us;
	uint64_t reported_round;
	uint32_t reported_epoch;
	uint64_t round_started_us;
	uint64_t suspected_round;
	uint64_t mine_back_us;		/* my report came back (the ring moves) */
	uint64_t mine_back_round;
	uint64_t ping_round;		/* pinged before suspecting, for round */
	uint32_t ping_seq;
	uint64_t ping_back_us;		/* 0 until the ping came back */
	bool rejoin_sent;

	struct ecl_local_fs *local;
	uint32_t nlocal;
	bool declare_inflight;
	uint32_t declare_seq;
	uint64_t local_gen, declared_gen;	/* a diff is due when they differ */
	uint64_t declare_check_us;

	bool quorate, have_qring, have_cring;
	struct ecl_ring qring, cring;
	uint64_t quorate_round;

	struct ev_timer evt[ECL_MAX_EVENTS * 2];
	uint32_t nevt;

	struct pushed *pushed;
	uint32_t npushed;

	struct ecl_decl_entry *decl;	/* scratch: ECL_MAX_FS */
	struct ecl_rep_entry *rep;
	struct ecl_node_stats stats;
};

#define LOG(n, lvl, ...) ((n)->ops.log((n)->ctx, (lvl), __VA_ARGS__))

static uint64_t ms(uint32_t v)
{
	return (uint64_t)v * 1000;
}

uint64_t ecl_members_sig(const struct ecl_addr *m, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	/* members arrive sorted (node.c sorts them) */
	for (size_t i = 0; i < n; i++) {
		uint64_t v = ((uint64_t)m[i].nodeid << 32) | m[i].pid;

		for (int b = 0; b < 8; b++) {
			h ^= (uint8_t)(v >> (8 * b));
			h *= 1099511628211ULL;
		}
	}
	return h ? h : 1;
}

struct ecl_node *ecl_node_new(const struct ecl_node_conf *conf,
			      const struct ecl_node_ops *ops, void *ctx)
{
	struct ecl_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->conf = *conf;
	n->ops = *ops;
	n->ctx = ctx;
	n->decl = calloc(ECL_MAX_FS, sizeof(*n->decl));
	n->rep = calloc(ECL_MAX_FS, sizeof(*n->rep));
	if (!n->decl || !n->rep) {
		ecl_node_free(n);
		return NULL;
	}
	ecl_state_init(&n->st, &conf->par, conf->nslots);
	n->leader = -1;
	return n;
}

void ecl_node_free(struct ecl_node *n)
{
	if (!n)
		return;
	ecl_state_free(&n->st);
	ecl_wb_free(&n->chunk);
	free(n->local);
	free(n->pushed);
	free(n->decl);
	free(n->rep);
	free(n);
}

void ecl_node_set_expected(struct ecl_node *n, const uint32_t *nodeids,
			   uint32_t count)
{
	if (count > ECL_MAX_MEMBERS)
		count = ECL_MAX_MEMBERS;
	memcpy(n->expected, nodeids, count * sizeof(*nodeids));
	n->nexpected = count;
}

/* Every configured node has a head in the group (none unknown). */
static bool all_present(const struct ecl_node *n)
{
	if (!n->nexpected)
		return false;
	for (uint32_t i = 0; i < n->nexpected; i++) {
		bool found = false;

		for (uint32_t k = 0; k < n->nmembers && !found; k++)
			found = n->members[k].nodeid == n->expected[i];
		if (!found)
			return false;
	}
	return true;
}

void ecl_node_set_self(struct ecl_node *n, uint32_t nodeid, uint32_t pid)
{
	n->self_nodeid = nodeid;
	n->self_pid = pid;
	n->have_self = true;
}

const struct ecl_state *ecl_node_state(const struct ecl_node *n)
{
	return &n->st;
}

bool ecl_node_synced(const struct ecl_node *n)
{
	return n->synced && !n->syncing;
}

bool ecl_node_quorate(const struct ecl_node *n)
{
	return n->quorate;
}

/* Quorate for the very ring CPG delivers in: only then may grants grow. */
bool ecl_node_gated(const struct ecl_node *n)
{
	return n->quorate && n->have_qring && n->have_cring &&
	       n->qring.nodeid == n->cring.nodeid &&
	       n->qring.seq == n->cring.seq;
}

int ecl_node_self_slot(const struct ecl_node *n)
{
	return ecl_state_slot(&n->st, n->self_nodeid, n->self_pid);
}

uint32_t ecl_node_nodeid(const struct ecl_node *n)
{
	return n->self_nodeid;
}

const struct ecl_node_stats *ecl_node_stats(const struct ecl_node *n)
{
	return &n->stats;
}

/* pushed[] is sorted by name: a binary search (k = where it would go) */
static struct pushed *pushed_find(const struct ecl_node *n, const char *name,
				  uint32_t *k)
{
	uint32_t lo = 0, hi = n->npushed;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(n->pushed[mid].name, name);

		if (!c) {
			*k = mid;
			return &n->pushed[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*k = lo;
	return NULL;
}

static struct pushed *pushed_get(struct ecl_node *n, const char *name,
				 bool create)
{
	struct pushed *p;
	uint32_t k;

	p = pushed_find(n, name, &k);
	if (p || !create)
		return p;
	p = realloc(n->pushed, (n->npushed + 1) * sizeof(*p));
	if (!p)
		return NULL;
	n->pushed = p;
	memmove(&n->pushed[k + 1], &n->pushed[k],
		(n->npushed - k) * sizeof(*p));
	n->npushed++;
	p = &n->pushed[k];
	memset(p, 0, sizeof(*p));
	strcpy(p->name, name);
	return p;
}

const struct ecl_grant *ecl_node_pushed(const struct ecl_node *n,
					const char *fs)
{
	uint32_t k;
	const struct pushed *p = pushed_find(n, fs, &k);

	return p && p->valid ? &p->g : NULL;
}

/* ---- sending ---- */

static int send_msg(struct ecl_node *n, struct ecl_wbuf *w, uint8_t type,
		    uint64_t now)
{
	int err;

	ecl_wb_finish(w);
	if (w->err) {
		LOG(n, ECL_LOG_EVENT, "message type %u too large or no memory",
		    type);
		ecl_wb_free(w);
		return -EMSGSIZE;
	}
	n->sent_at[n->seq % SENT_RING] = now;
	n->sent_seq[n->seq % SENT_RING] = n->seq;
	err = n->ops.send(n->ctx, w->p, w->len);
	if (!err) {
		n->stats.sent_msgs++;
		n->stats.sent_bytes += w->len;
		n->stats.sent_by_type[type]++;
		n->stats.bytes_by_type[type] += w->len;
	} else {
		LOG(n, ECL_LOG_INFO, "send of message type %u failed: %d",
		    type, err);
	}
	ecl_wb_free(w);
	return err;
}

static void start(struct ecl_node *n, struct ecl_wbuf *w, uint8_t type)
{
	ecl_wb_init(w);
	ecl_wb_hdr(w, type, n->self_nodeid, ++n->seq);
}

static void send_hello(struct ecl_node *n, uint64_t now)
{
	struct ecl_hello h = {
		.sig = n->sig,
		.synced = n->synced,
		.strict = n->conf.strict,
		.lease_ms = n->conf.lease_ms,
		.forget_ms = n->conf.forget_ms,
		.detect_ms = n->conf.detect_ms,
		.quorate_round = n->synced ? n->quorate_round : 0,
		.round = n->synced ? n->st.round : 0,
		.participants = n->synced ? ecl_state_participants(&n->st) : 0,
	};
	struct ecl_wbuf w;

	if (h.quorate_round > h.round)
		h.quorate_round = h.round;
	memcpy(h.name, n->conf.name, sizeof(h.name));
	start(n, &w, ECL_MSG_HELLO);
	ecl_enc_hello(&w, &h);
	send_msg(n, &w, ECL_MSG_HELLO, now);
}

/* ---- event timers (local) ---- */

static struct ev_timer *evt_get(struct ecl_node *n, uint32_t id, uint64_t now)
{
	for (uint32_t i = 0; i < n->nevt; i++)
		if (n->evt[i].id == id)
			return &n->evt[i];
	/* forget timers of events the state no longer has */
	for (uint32_t i = 0; i < n->nevt;) {
		if (!ecl_state_event(&n->st, n->evt[i].id))
			n->evt[i] = n->evt[--n->nevt];
		else
			i++;
	}
	if (n->nevt == ECL_MAX_EVENTS * 2)
		return NULL;
	n->evt[n->nevt] = (struct ev_timer){ .id = id, .t = now };
	return &n->evt[n->nevt++];
}

static void event_created(struct ecl_node *n, uint32_t id, uint64_t now)
{
	struct ecl_event *ev = ecl_state_event(&n->st, id);

	if (!ev)
		return;
	evt_get(n, id, now);
	for (uint32_t j = 0; j < ev->nn; j++)
		LOG(n, ECL_LOG_EVENT,
		    "head %u (pid %u) %s: its grants stay reserved until its lease must have run out (event %u)",
		    ev->node[j].nodeid, ev->node[j].pid,
		    ev->node[j].reason == ECL_LEFT_PROC ? "left" :
		    ev->node[j].reason == ECL_LEFT_SILENT ?
		    "was evicted as silent" : "was cut off", id);
}

/*
 * When this head's timer says the event may move to a stage: its local
 * time of the departure plus the departed heads' lease (or forget time)
 * and a tick of margin. The departed heads anchored their leases at the
 * send time of a message delivered before the departure was (PROTOCOL.md).
 */
static uint64_t event_due(const struct ecl_node *n, const struct ecl_event *ev,
			  uint64_t t0, int stage)
{
	uint64_t wait = 0;

	for (uint32_t j = 0; j < ev->nn; j++) {
		const struct ecl_ev_node *en = &ev->node[j];

		wait = ecl_max64(wait, ms(stage == 1 ? en->lease_ms :
					  en->forget_ms));
	}
	if (!ev->nn) {
		/* unknown heads: as long as any head here would wait */
		wait = ms(stage == 1 ? n->conf.lease_ms : n->conf.forget_ms);
		for (uint32_t s = 0; s < n->st.nslots; s++)
			if (n->st.members[s].used)
				wait = ecl_max64(wait, ms(stage == 1 ?
						 n->st.members[s].lease_ms :
						 n->st.members[s].forget_ms));
	}
	return t0 + wait + ms(n->conf.tick_ms) + 100000;
}

/* ---- kernel grants ---- */

static void push(struct ecl_node *n, struct pushed *p,
		 const struct ecl_grant *g, uint64_t now)
{
	bool changed = !p->valid || p->g.ops != g->ops ||
		       p->g.bytes != g->bytes;

	if (changed)
		LOG(n, ECL_LOG_DEBUG,
		    "grant %s: %llu ops/s, %llu B/s, lease %lld ms", p->name,
		    (unsigned long long)g->ops, (unsigned long long)g->bytes,
		    (long long)(g->expires_us - now) / 1000);
	if (g->expires_us > now)
		p->lapsed_logged = 0;
	if (g->forget_us > now)
		p->forgot_logged = 0;
	p->g = *g;
	p->valid = 1;
	n->ops.grant(n->ctx, p->name, g, now);
}

/*
 * Heads the state does not know may still hold grants: nobody here renews
 * (grants only fall) until their forget time has passed.
 */
static bool unknown_pending(const struct ecl_state *st)
{
	for (uint32_t i = 0; i < st->nev; i++)
		if (!st->ev[i].nn && st->ev[i].stage < 2)
			return true;
	return false;
}

/*
 * After a round (or an install): tell the kernel. Renew when gated; else
 * only let grants and safe shares fall, keeping the lease as it was.
 */
static void renew(struct ecl_node *n, uint64_t now)
{
	int slot = ecl_node_self_slot(n);
	const struct ecl_member *me;
	bool gated = ecl_node_gated(n) && n->st.was_quorate &&
		     !unknown_pending(&n->st) && n->anchor_valid &&
		     n->anchor_us + ms(n->conf.lease_ms) > now;

	if (slot < 0)
		return;
	me = &n->st.members[slot];
	if (!me->participant || me->since_round > n->st.round)
		return;	/* not in a completed round yet: kernel left alone */
	for (uint32_t i = 0; i < n->nlocal; i++) {
		const struct ecl_fs *fs = ecl_state_fs_by_name(&n->st,
							       n->local[i].name);
		const struct ecl_head *h;
		struct ecl_grant g = { 0 };
		struct pushed *p;

		if (!fs || !fs->heads[slot].declared)
			continue;
		h = &fs->heads[slot];
		p = pushed_get(n, fs->name, true);
		if (!p)
			continue;
		g.ops = h->ok ? h->g_ops : 0;
		g.bytes = h->ok ? h->g_bytes : 0;
		/*
		 * The safe share may only grow once a second round confirms
		 * it: a head that departs right after pushing must not fall
		 * back to more than the others reserve for it.
		 */
		g.safe_ops = ecl_min64(fs->safe_ops, fs->safe_prev_ops);
		g.safe_bytes = ecl_min64(fs->safe_bytes, fs->safe_prev_bytes);
		g.balance = fs->balance;
		g.budget_ops = fs->budget_ops;
		g.budget_bytes = fs->budget_bytes;
		/* the kernel divides the budget by heads: no smaller than
		 * the safe share pushed (nothing before a second round) */
		g.heads = fs->n_active_prev && fs->n_active ?
			  (uint32_t)ecl_max64(fs->n_active, fs->n_active_prev) :
			  ECL_HEADS_MAX;
		g.mismatch = h->declared && !h->ok && fs->has_ref;
		if (g.mismatch && !p->mismatch_logged) {
			LOG(n, ECL_LOG_EVENT,
			    "settings of %s differ from the cluster's: no grant until they agree",
			    fs->name);
			p->mismatch_logged = 1;
		} else if (!g.mismatch && p->mismatch_logged) {
			LOG(n, ECL_LOG_EVENT, "settings of %s agree again",
			    fs->name);
			p->mismatch_logged = 0;
		}
		if (gated) {
			g.expires_us = n->anchor_us + ms(n->conf.lease_ms);
			g.forget_us = n->conf.strict ?
				      n->anchor_us + ms(n->conf.forget_ms) :
				      ECL_NEVER;
			push(n, p, &g, now);
		} else if (!p->valid) {
			/* no lease to keep: lapsed at once */
			g.expires_us = now;
			g.forget_us = n->conf.strict ? now : ECL_NEVER;
			push(n, p, &g, now);
		} else if (g.ops < p->g.ops || g.bytes < p->g.bytes ||
			   g.safe_ops < p->g.safe_ops ||
			   g.safe_bytes < p->g.safe_bytes) {
			g.ops = ecl_min64(g.ops, p->g.ops);
			g.bytes = ecl_min64(g.bytes, p->g.bytes);
			g.safe_ops = ecl_min64(g.safe_ops, p->g.safe_ops);
			g.safe_bytes = ecl_min64(g.safe_bytes,
						 p->g.safe_bytes);
			g.heads = (uint32_t)ecl_max64(g.heads, p->g.heads);
			g.expires_us = p->g.expires_us;
			g.forget_us = p->g.forget_us;
			push(n, p, &g, now);
		}
	}
}

static void on_round(struct ecl_node *n, uint64_t now)
{
	for (uint32_t i = 0; i < n->st.nev; i++) {
		const struct ecl_event *ev = &n->st.ev[i];
		bool known = false;

		for (uint32_t k = 0; k < n->nevt && !known; k++)
			known = n->evt[k].id == ev->id;
		if (known)
			continue;
		evt_get(n, ev->id, now);
		if (!ev->nn)
			LOG(n, ECL_LOG_EVENT,
			    "quorum with configured heads missing: what they may hold stays reserved until their forget time (event %u)",
			    ev->id);
	}
	n->stats.rounds++;
	if (ecl_node_gated(n))
		n->quorate_round = n->st.round;
	n->round_started_us = now;
	renew(n, now);
}

/* ---- sync ---- */

static void reset_hellos(struct ecl_node *n)
{
	ecl_wb_free(&n->chunk);
	n->chunk_next = 0;
	memset(n->hello, 0, sizeof(n->hello));
	for (uint32_t i = 0; i < n->nmembers; i++) {
		n->hello[i].nodeid = n->members[i].nodeid;
		n->hello[i].pid = n->members[i].pid;
	}
	n->leader = -1;
}

static void start_sync(struct ecl_node *n, uint64_t now)
{
	n->syncing = true;
	reset_hellos(n);
	send_hello(n, now);
}

static void installed(struct ecl_node *n, uint64_t now, const char *how)
{
	int slot;

	n->synced = true;
	n->syncing = false;
	n->stats.installs++;
	n->reported_round = 0;
	n->round_started_us = now;
	n->suspected_round = 0;
	n->rejoin_sent = false;
	n->declare_inflight = false;
	n->declared_gen = n->local_gen - 1;
	/*
	 * Event ids are per state: timers of the state we had mean nothing
	 * here. Every event of the installed state counts from now (later
	 * than its real start: only ever later to release).
	 */
	n->nevt = 0;
	for (uint32_t i = 0; i < n->st.nev; i++)
		evt_get(n, n->st.ev[i].id, now);
	slot = ecl_node_self_slot(n);
	LOG(n, ECL_LOG_EVENT,
	    "joined the cluster's state (%s): epoch %u, round %llu, %u heads, %u filesystems%s",
	    how, n->st.epoch, (unsigned long long)n->st.round,
	    ecl_state_participants(&n->st), n->st.nfs,
	    slot < 0 ? " (but not in it!)" : "");
	renew(n, now);
}

static int hello_index(const struct ecl_node *n, uint32_t nodeid,
		       uint32_t pid)
{
	for (uint32_t i = 0; i < n->nmembers; i++)
		if (n->hello[i].nodeid == nodeid && n->hello[i].pid == pid)
			return (int)i;
	return -1;
}

/* The state to adopt: the one last advanced with quorum, then the larger. */
static bool better(const struct hello_slot *a, const struct hello_slot *b)
{
	if (a->h.quorate_round != b->h.quorate_round)
		return a->h.quorate_round > b->h.quorate_round;
	if (a->h.participants != b->h.participants)
		return a->h.participants > b->h.participants;
	if (a->nodeid != b->nodeid)
		return a->nodeid < b->nodeid;
	return a->pid < b->pid;
}

static void send_state(struct ecl_node *n, uint64_t now)
{
	struct ecl_state tmp;
	struct ecl_wbuf w;
	struct ecl_rbuf r;
	const char *why = "";

	/* a copy with the newcomers added; our own state stays as it is */
	ecl_wb_init(&w);
	ecl_state_encode(&n->st, &w);
	ecl_state_init(&tmp, &n->conf.par, n->conf.nslots);
	ecl_rb_init(&r, w.p, w.len);
	if (w.err || ecl_state_decode(&tmp, &r, &why)) {
		LOG(n, ECL_LOG_EVENT, "cannot copy own state: %s", why);
		ecl_wb_free(&w);
		ecl_state_free(&tmp);
		return;
	}
	ecl_wb_free(&w);
	/* members the group no longer has count as cut off */
	for (uint32_t s = 0; s < tmp.nslots; s++) {
		struct ecl_addr a = { tmp.members[s].nodeid,
				      tmp.members[s].pid, ECL_LEFT_NODE };

		if (tmp.members[s].used &&
		    hello_index(n, a.nodeid, a.pid) < 0)
			ecl_state_leave(&tmp, &a, 1);
	}
	for (uint32_t i = 0; i < n->nmembers; i++) {
		int s = ecl_state_slot(&tmp, n->members[i].nodeid,
				       n->members[i].pid);

		if (s >= 0) {
			tmp.members[s].lease_ms = n->hello[i].h.lease_ms;
			tmp.members[s].forget_ms = n->hello[i].h.forget_ms;
			tmp.members[s].detect_ms = n->hello[i].h.detect_ms;
			tmp.members[s].strict = n->hello[i].h.strict;
			continue;
		}
		if (ecl_state_add_member(&tmp, &n->members[i],
					 &n->hello[i].h) < 0)
			LOG(n, ECL_LOG_EVENT,
			    "no room for head %u: more than %u heads",
			    n->members[i].nodeid, tmp.nslots);
	}
	tmp.epoch++;
	ecl_wb_init(&w);
	ecl_state_encode(&tmp, &w);
	ecl_state_free(&tmp);
	if (w.err || w.len > ECL_STATE_MAX) {
		LOG(n, ECL_LOG_EVENT, "state of %zu bytes: too large to send",
		    w.len);
		ecl_wb_free(&w);
		return;
	}
	/* in chunks: CPG delivers them in order, after one another */
	{
		uint32_t count = (uint32_t)((w.len + ECL_STATE_CHUNK - 1) /
					    ECL_STATE_CHUNK);

		for (uint32_t k = 0; k < count; k++) {
			size_t off = (size_t)k * ECL_STATE_CHUNK;
			size_t len = ecl_min64(ECL_STATE_CHUNK, w.len - off);
			struct ecl_wbuf c;

			start(n, &c, ECL_MSG_STATE);
			ecl_wb_u64(&c, n->sig);
			ecl_wb_u32(&c, k);
			ecl_wb_u32(&c, count);
			ecl_wb_u32(&c, (uint32_t)w.len);
			ecl_wb_bytes(&c, w.p + off, len);
			if (send_msg(n, &c, ECL_MSG_STATE, now))
				break;
		}
	}
	ecl_wb_free(&w);
}

static void hellos_complete(struct ecl_node *n, uint64_t now)
{
	int best = -1;

	for (uint32_t i = 0; i < n->nmembers; i++) {
		if (!n->hello[i].got)
			return;
		if (n->hello[i].h.synced &&
		    (best < 0 || better(&n->hello[i], &n->hello[best])))
			best = (int)i;
	}
	if (best < 0) {
		/* nobody holds a state: a cold start, the same on all */
		ecl_state_reset(&n->st);
		n->st.epoch = 1;
		for (uint32_t i = 0; i < n->nmembers; i++)
			ecl_state_add_member(&n->st, &n->members[i],
					     &n->hello[i].h);
		n->nevt = 0;
		installed(n, now, "cold start");
		return;
	}
	n->leader = best;
	if (n->hello[best].nodeid == n->self_nodeid &&
	    n->hello[best].pid == n->self_pid)
		send_state(n, now);
}

static void on_hello(struct ecl_node *n, uint32_t nodeid, uint32_t pid,
		     struct ecl_rbuf *r, uint64_t now)
{
	struct ecl_hello h;
	const char *why;
	int i;

	if (ecl_dec_hello(r, &h, &why)) {
		n->stats.refused++;
		LOG(n, ECL_LOG_INFO, "ignored from %u: %s", nodeid, why);
		return;
	}
	if (!n->syncing || h.sig != n->sig)
		return;
	i = hello_index(n, nodeid, pid);
	if (i < 0 || n->hello[i].got)
		return;
	n->hello[i].got = 1;
	n->hello[i].h = h;
	hellos_complete(n, now);
}

static void on_state(struct ecl_node *n, uint32_t nodeid, uint32_t pid,
		     struct ecl_rbuf *r, uint64_t now)
{
	const char *why = "";
	uint32_t k, count, total;
	struct ecl_rbuf body;
	uint64_t sig;
	size_t len;

	if (!n->syncing || n->leader < 0)
		return;
	sig = ecl_rb_u64(r);
	k = ecl_rb_u32(r);
	count = ecl_rb_u32(r);
	total = ecl_rb_u32(r);
	if (r->err || sig != n->sig || n->hello[n->leader].nodeid != nodeid ||
	    n->hello[n->leader].pid != pid)
		return;
	len = r->len - r->off;
	if (!count || k >= count || total > ECL_STATE_MAX ||
	    len > ECL_STATE_CHUNK || k != n->chunk_next ||
	    (k && (sig != n->chunk_sig || total != n->chunk_total)) ||
	    n->chunk.len + len > total) {
		n->stats.refused++;
		LOG(n, ECL_LOG_INFO, "state chunk %u/%u from head %u out of order: ignored",
		    k, count, nodeid);
		return;
	}
	if (!k) {
		ecl_wb_free(&n->chunk);
		n->chunk_sig = sig;
		n->chunk_total = total;
	}
	ecl_wb_bytes(&n->chunk, r->p + r->off, len);
	n->chunk_next = k + 1;
	if (k + 1 < count)
		return;
	n->chunk_next = 0;
	if (n->chunk.err || n->chunk.len != total) {
		n->stats.refused++;
		ecl_wb_free(&n->chunk);
		LOG(n, ECL_LOG_EVENT, "state from head %u incomplete", nodeid);
		return;
	}
	ecl_rb_init(&body, n->chunk.p, n->chunk.len);
	if (ecl_state_decode(&n->st, &body, &why)) {
		n->stats.refused++;
		n->synced = false;
		ecl_wb_free(&n->chunk);
		LOG(n, ECL_LOG_EVENT,
		    "state from head %u refused: %s (waiting for the next membership change)",
		    nodeid, why);
		return;
	}
	ecl_wb_free(&n->chunk);
	installed(n, now, "state transfer");
}

/* ---- membership ---- */

static int cmp_addr(const void *a, const void *b)
{
	const struct ecl_addr *x = a, *y = b;

	if (x->nodeid != y->nodeid)
		return x->nodeid < y->nodeid ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return 0;
}

void ecl_node_confchg(struct ecl_node *n, const struct ecl_addr *members,
		      size_t nm, const struct ecl_addr *left, size_t nl,
		      const struct ecl_addr *joined, size_t nj, uint64_t now)
{
	bool self_in = false;

	if (nm > ECL_MAX_MEMBERS)
		nm = ECL_MAX_MEMBERS;
	memcpy(n->members, members, nm * sizeof(*members));
	n->nmembers = (uint32_t)nm;
	qsort(n->members, nm, sizeof(*n->members), cmp_addr);
	n->sig = ecl_members_sig(n->members, nm);
	for (size_t i = 0; i < nm; i++)
		self_in |= members[i].nodeid == n->self_nodeid &&
			   members[i].pid == n->self_pid;
	if (!self_in) {
		n->joined = false;
		return;
	}
	n->joined = true;
	for (size_t i = 0; i < nj; i++)
		LOG(n, ECL_LOG_EVENT, "membership: head %u (pid %u) joined",
		    joined[i].nodeid, joined[i].pid);
	for (size_t i = 0; i < nl; i++)
		LOG(n, ECL_LOG_EVENT, "membership: head %u (pid %u) left (%s)",
		    left[i].nodeid, left[i].pid,
		    left[i].reason == ECL_LEFT_PROC ? "process" :
		    "node down or cut off");
	if (n->synced && nl) {
		uint32_t id = ecl_state_leave(&n->st, left, nl);

		if (id)
			event_created(n, id, now);
		if (!n->syncing && ecl_state_try_complete(&n->st))
			on_round(n, now);
	}
	if (nj || n->syncing || !n->synced)
		start_sync(n, now);
}

void ecl_node_disconnected(struct ecl_node *n, uint64_t now)
{
	(void)now;
	if (n->synced || n->joined)
		LOG(n, ECL_LOG_EVENT,
		    "lost corosync: no renewals; grants run out with their leases");
	ecl_state_reset(&n->st);
	n->synced = n->syncing = n->joined = false;
	n->nmembers = 0;
	n->nevt = 0;
	n->anchor_valid = false;
	n->have_cring = n->have_qring = false;
	n->quorate = false;
}

void ecl_node_quorum(struct ecl_node *n, bool quorate,
		     const struct ecl_ring *ring, uint64_t now)
{
	(void)now;
	if (quorate != n->quorate)
		LOG(n, ECL_LOG_EVENT, "quorum: %s",
		    quorate ? "quorate" : "NOT quorate: no renewals; grants fall back when their leases run out");
	n->quorate = quorate;
	n->qring = *ring;
	n->have_qring = true;
}

void ecl_node_ring(struct ecl_node *n, const struct ecl_ring *ring,
		   uint64_t now)
{
	(void)now;
	n->cring = *ring;
	n->have_cring = true;
}

/* ---- messages ---- */

void ecl_node_deliver(struct ecl_node *n, uint32_t nodeid, uint32_t pid,
		      const void *buf, size_t len, uint64_t now)
{
	struct ecl_rbuf r;
	struct ecl_hdr h;
	const char *why = "";
	int slot, rc;

	n->stats.recv_msgs++;
	n->stats.recv_bytes += len;
	ecl_rb_init(&r, buf, len);
	if (ecl_hdr_decode(&r, &h, &why)) {
		n->stats.refused++;
		LOG(n, ECL_LOG_INFO, "ignored a message from %u: %s", nodeid,
		    why);
		return;
	}
	if (h.nodeid != nodeid) {
		n->stats.refused++;
		LOG(n, ECL_LOG_INFO,
		    "ignored a message from %u claiming to be from %u",
		    nodeid, h.nodeid);
		return;
	}
	if (nodeid == n->self_nodeid && pid == n->self_pid) {
		uint32_t k = h.seq % SENT_RING;

		if (n->sent_seq[k] == h.seq) {
			n->anchor_us = n->sent_at[k];
			n->anchor_valid = true;
		}
		if (h.type == ECL_MSG_DECLARE && h.seq == n->declare_seq) {
			n->declare_inflight = false;
			n->declared_gen = n->local_gen - 1;
		}
		if (h.type == ECL_MSG_REPORT && n->synced && !n->syncing) {
			n->mine_back_us = now;
			n->mine_back_round = n->st.round + 1;
		}
		if (h.type == ECL_MSG_PING && h.seq == n->ping_seq)
			n->ping_back_us = now;
	}
	if (h.type == ECL_MSG_HELLO) {
		on_hello(n, nodeid, pid, &r, now);
		return;
	}
	if (h.type == ECL_MSG_STATE) {
		on_state(n, nodeid, pid, &r, now);
		return;
	}
	if (!n->synced || n->syncing)
		return;
	slot = ecl_state_slot(&n->st, nodeid, pid);
	switch (h.type) {
	case ECL_MSG_DECLARE: {
		uint32_t cnt;

		if (ecl_dec_declare(&r, n->decl, ECL_MAX_FS, &cnt, &why) ||
		    ecl_state_declare(&n->st, slot, n->decl, cnt, &why)) {
			n->stats.refused++;
			LOG(n, ECL_LOG_INFO, "ignored from %u: %s", nodeid,
			    why);
		}
		break;
	}
	case ECL_MSG_REPORT: {
		struct ecl_expire x[ECL_MAX_EXPIRE];
		struct ecl_report m = { .e = n->rep, .x = x };

		if (ecl_dec_report(&r, &m, ECL_MAX_FS, &why)) {
			n->stats.refused++;
			LOG(n, ECL_LOG_INFO, "ignored from %u: %s", nodeid,
			    why);
			break;
		}
		rc = ecl_state_report(&n->st, slot, &m, &why);
		if (rc < 0 && rc != -ESTALE) {
			n->stats.refused++;
			LOG(n, ECL_LOG_INFO, "ignored from %u: %s", nodeid,
			    why);
		}
		if (rc == 1)
			on_round(n, now);
		break;
	}
	case ECL_MSG_SUSPECT: {
		struct ecl_suspect m;
		uint32_t id;

		if (ecl_dec_suspect(&r, &m, &why)) {
			n->stats.refused++;
			LOG(n, ECL_LOG_INFO, "ignored from %u: %s", nodeid,
			    why);
			break;
		}
		if (slot < 0 || !n->st.members[slot].participant)
			break;	/* only participants may evict */
		id = ecl_state_suspect(&n->st, &m);
		if (!id)
			break;
		if (id != UINT32_MAX)
			event_created(n, id, now);
		else
			LOG(n, ECL_LOG_EVENT, "head %u evicted as silent",
			    m.nodeid);
		if (m.nodeid == n->self_nodeid && m.pid == n->self_pid) {
			LOG(n, ECL_LOG_EVENT,
			    "evicted as silent: asking to take part again");
			n->rejoin_sent = false;
		}
		if (ecl_state_try_complete(&n->st))
			on_round(n, now);
		break;
	}
	case ECL_MSG_PING:
		if (!ecl_rb_done(&r))
			n->stats.refused++;
		break;
	case ECL_MSG_REJOIN:
		if (!ecl_rb_done(&r) || ecl_state_rejoin(&n->st, slot)) {
			n->stats.refused++;
			break;
		}
		LOG(n, ECL_LOG_EVENT, "head %u takes part again", nodeid);
		break;
	}
}

/* ---- local filesystems ---- */

/* What the kernel admits now by what it was last told (node.h). */
static uint64_t in_force(const struct pushed *p, uint64_t now, bool bytes)
{
	uint64_t g = bytes ? p->g.bytes : p->g.ops;
	uint64_t safe = bytes ? p->g.safe_bytes : p->g.safe_ops;

	if (now < p->g.expires_us)
		return g;
	if (now < p->g.forget_us)
		return ecl_min64(g, safe);
	return 0;
}

/* local[] is sorted by name */
static const struct ecl_local_fs *local_get(const struct ecl_node *n,
					    const char *name)
{
	uint32_t lo = 0, hi = n->nlocal;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = strcmp(n->local[mid].name, name);

		if (!c)
			return &n->local[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_local(const void *a, const void *b)
{
	return strcmp(((const struct ecl_local_fs *)a)->name,
		      ((const struct ecl_local_fs *)b)->name);
}

void ecl_node_set_local(struct ecl_node *n, const struct ecl_local_fs *fs,
			uint32_t count, uint64_t now)
{
	struct ecl_local_fs *copy = NULL;

	(void)now;
	if (count > ECL_MAX_FS)
		count = ECL_MAX_FS;
	if (count) {
		copy = malloc(count * sizeof(*copy));
		if (!copy)
			return;
		memcpy(copy, fs, count * sizeof(*copy));
		qsort(copy, count, sizeof(*copy), cmp_local);
	}
	free(n->local);
	n->local = copy;
	n->nlocal = count;
	n->local_gen++;
	/* a filesystem gone from the kernel takes its grant with it */
	{
		uint32_t j = 0;

		for (uint32_t i = 0; i < n->npushed; i++)
			if (local_get(n, n->pushed[i].name))
				n->pushed[j++] = n->pushed[i];
		n->npushed = j;	/* still sorted */
	}
}


/* Tell the group what differs between our filesystems and its view. */
static void declare_diff(struct ecl_node *n, int slot, uint64_t now)
{
	struct pushed *p;
	uint32_t cnt = 0;
	struct ecl_wbuf w;

	for (uint32_t i = 0; i < n->nlocal && cnt < ECL_MAX_FS; i++) {
		const struct ecl_local_fs *l = &n->local[i];
		const struct ecl_fs *fs = ecl_state_fs_by_name(&n->st, l->name);
		const struct ecl_head *h = fs ? &fs->heads[slot] : NULL;

		if (h && h->declared &&
		    !memcmp(&h->set, &l->set, sizeof(l->set)))
			continue;
		memset(&n->decl[cnt], 0, sizeof(n->decl[cnt]));
		strcpy(n->decl[cnt].name, l->name);
		n->decl[cnt].set = l->set;
		n->decl[cnt].size = l->size;
		n->decl[cnt].balance = l->balance;
		n->ops.holds(n->ctx, l->name, now, &n->decl[cnt].hold_ops,
			     &n->decl[cnt].hold_bytes);
		p = pushed_get(n, l->name, false);
		if (p && p->valid) {
			n->decl[cnt].hold_ops = ecl_max64(n->decl[cnt].hold_ops,
							  in_force(p, now, false));
			n->decl[cnt].hold_bytes =
				ecl_max64(n->decl[cnt].hold_bytes,
					  in_force(p, now, true));
		}
		cnt++;
	}
	for (uint32_t i = 0; i < n->st.nfs && cnt < ECL_MAX_FS; i++) {
		const struct ecl_fs *fs = n->st.fs[i];

		if (!fs->heads[slot].declared || local_get(n, fs->name))
			continue;
		memset(&n->decl[cnt], 0, sizeof(n->decl[cnt]));
		strcpy(n->decl[cnt].name, fs->name);
		n->decl[cnt].withdraw = 1;
		cnt++;
	}
	if (!cnt)
		return;
	start(n, &w, ECL_MSG_DECLARE);
	ecl_enc_declare(&w, n->decl, cnt);
	n->declare_seq = n->seq;
	if (!send_msg(n, &w, ECL_MSG_DECLARE, now))
		n->declare_inflight = true;
}

static void send_report(struct ecl_node *n, int slot, uint64_t now)
{
	struct ecl_expire x[ECL_MAX_EXPIRE];
	struct ecl_report m = {
		.epoch = n->st.epoch, .round = n->st.round + 1,
		.e = n->rep, .x = x,
	};
	uint64_t interval = n->last_report_us && now > n->last_report_us ?
			    now - n->last_report_us : ms(n->conf.tick_ms);
	struct ecl_wbuf w;

	m.interval_us = (uint32_t)ecl_min64(interval, UINT32_MAX);
	m.rflags = (ecl_node_gated(n) ? ECL_REP_QUORATE : 0) |
		   (all_present(n) ? ECL_REP_ALL_NODES : 0);
	for (uint32_t i = 0; i < n->nlocal; i++) {
		const struct ecl_fs *fs = ecl_state_fs_by_name(&n->st,
							       n->local[i].name);
		struct ecl_usage u = { 0 };
		struct ecl_rep_entry *e;

		n->ops.usage(n->ctx, n->local[i].name, now, &u);
		if (!fs || !fs->heads[slot].declared)
			continue;
		/* idle and unchanged: left out, which reads as idle */
		if (!u.units && !u.bytes && !u.flags && !u.clients &&
		    u.size == fs->heads[slot].size)
			continue;
		e = &n->rep[m.n++];
		e->fs_id = fs->id;
		e->flags = u.flags & ECL_USE_FLAGS;
		e->clients = u.clients;
		e->units = u.units;
		e->bytes = ecl_min64(u.bytes, ECL_SIZE_MAX);
		e->size = ecl_min64(u.size, ECL_SIZE_MAX);
	}
	for (uint32_t i = 0; i < n->st.nev && m.nexp < ECL_MAX_EXPIRE; i++) {
		const struct ecl_event *ev = &n->st.ev[i];
		struct ev_timer *t = evt_get(n, ev->id, now);
		int stage = 0;

		if (!t)
			continue;
		if (now >= event_due(n, ev, t->t, 2))
			stage = 2;
		else if (now >= event_due(n, ev, t->t, 1))
			stage = 1;
		if (stage > ev->stage) {
			x[m.nexp].event_id = ev->id;
			x[m.nexp++].stage = (uint8_t)stage;
			if (stage > t->asked)
				LOG(n, ECL_LOG_EVENT,
				    "event %u: %s of the departed heads must have run out: releasing %s",
				    ev->id, stage == 1 ? "leases" : "forget times",
				    stage == 1 ? "their grants (their safe shares stay reserved)" :
				    "their safe shares (strict heads) or keeping them (available)");
			t->asked = (uint8_t)stage;
		}
	}
	start(n, &w, ECL_MSG_REPORT);
	ecl_enc_report(&w, &m);
	if (!send_msg(n, &w, ECL_MSG_REPORT, now)) {
		n->last_report_us = now;
		n->reported_round = n->st.round + 1;
		n->reported_epoch = n->st.epoch;
	}
}

static void log_lapses(struct ecl_node *n, uint64_t now)
{
	for (uint32_t i = 0; i < n->npushed; i++) {
		struct pushed *p = &n->pushed[i];

		if (!p->valid)
			continue;
		if (!p->lapsed_logged && now >= p->g.expires_us) {
			p->lapsed_logged = 1;
			if (p->g.ops > p->g.safe_ops ||
			    p->g.bytes > p->g.safe_bytes)
				LOG(n, ECL_LOG_EVENT,
				    "lease of %s ran out: the kernel falls to the safe share (%llu ops/s, %llu B/s)",
				    p->name,
				    (unsigned long long)ecl_min64(p->g.ops, p->g.safe_ops),
				    (unsigned long long)ecl_min64(p->g.bytes, p->g.safe_bytes));
		}
		if (!p->forgot_logged && now >= p->g.forget_us) {
			p->forgot_logged = 1;
			LOG(n, ECL_LOG_EVENT,
			    "forget time of %s passed: the kernel admits nothing until a grant (on-partition = strict)",
			    p->name);
		}
	}
}

static bool someone_silent(const struct ecl_node *n, int self)
{
	for (uint32_t s = 0; s < n->st.nslots; s++) {
		const struct ecl_member *m = &n->st.members[s];

		if (m->used && m->participant && !m->reported && (int)s != self)
			return true;
	}
	return false;
}

uint64_t ecl_node_tick(struct ecl_node *n, uint64_t now)
{
	uint64_t tick = ms(n->conf.tick_ms);
	uint64_t silence = ecl_max64(4 * tick, ms(n->conf.lease_ms) / 2);
	uint64_t next = now + tick / 4;
	const struct ecl_member *me;
	int slot;

	log_lapses(n, now);
	if (!n->joined || !n->synced || n->syncing)
		return next;
	slot = ecl_node_self_slot(n);
	if (slot < 0)
		return next;
	me = &n->st.members[slot];
	if (!me->participant) {
		if (!n->rejoin_sent) {
			struct ecl_wbuf w;

			start(n, &w, ECL_MSG_REJOIN);
			if (!send_msg(n, &w, ECL_MSG_REJOIN, now))
				n->rejoin_sent = true;
		}
		return next;
	}
	n->rejoin_sent = false;
	/*
	 * Compare our filesystems with the state's view when either may have
	 * changed: our list, an install, one of our declarations delivered
	 * (then once more, to see it took); and every 5 s anyway.
	 */
	if (!n->declare_inflight &&
	    (n->declared_gen != n->local_gen || now >= n->declare_check_us)) {
		n->declared_gen = n->local_gen;
		n->declare_check_us = now + 5000000;
		declare_diff(n, slot, now);
	}
	if ((n->reported_round != n->st.round + 1 ||
	     n->reported_epoch != n->st.epoch) &&
	    now >= n->last_report_us + tick)
		send_report(n, slot, now);
	/*
	 * Suspect only heads silent for a while after our own report made it
	 * around, and still silent a grace after a ping of ours made it
	 * around too: while corosync rebuilds the ring nothing is delivered,
	 * and what was sent before comes in right after; that is nobody's
	 * silence.
	 */
	if (n->mine_back_round == n->st.round + 1 &&
	    now >= n->mine_back_us + silence &&
	    n->suspected_round != n->st.round + 1 && someone_silent(n, slot)) {
		if (n->ping_round != n->st.round + 1) {
			struct ecl_wbuf w;

			start(n, &w, ECL_MSG_PING);
			n->ping_round = n->st.round + 1;
			n->ping_seq = n->seq;
			n->ping_back_us = 0;
			send_msg(n, &w, ECL_MSG_PING, now);
			return next;
		}
		if (!n->ping_back_us || now < n->ping_back_us + 2 * tick)
			return next;
		for (uint32_t s = 0; s < n->st.nslots; s++) {
			const struct ecl_member *m = &n->st.members[s];
			struct ecl_suspect sm = {
				.epoch = n->st.epoch, .round = n->st.round + 1,
				.nodeid = m->nodeid, .pid = m->pid,
			};
			struct ecl_wbuf w;

			if (!m->used || !m->participant || m->reported)
				continue;
			if ((int)s == slot)
				continue;
			LOG(n, ECL_LOG_INFO,
			    "head %u has not reported for %llu ms: suspecting it",
			    m->nodeid,
			    (unsigned long long)(now - n->mine_back_us) / 1000);
			start(n, &w, ECL_MSG_SUSPECT);
			ecl_enc_suspect(&w, &sm);
			send_msg(n, &w, ECL_MSG_SUSPECT, now);
		}
		n->suspected_round = n->st.round + 1;
	}
	return next;
}
