// SPDX-License-Identifier: GPL-2.0
/*
 * The replicated state machine (see state.h). Everything here must be a
 * function of the ordered stream only: no clock, no local configuration,
 * no iteration over anything whose order could differ between heads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"
#include "state.h"

#define FAIL(e, msg) do { *why = (msg); return (e); } while (0)

void ecl_state_init(struct ecl_state *st, const struct ecl_state_params *par,
		    uint32_t nslots)
{
	memset(st, 0, sizeof(*st));
	st->par = *par;
	st->nslots = nslots && nslots <= ECL_MAX_MEMBERS ? nslots :
		     ECL_MAX_MEMBERS;
}

static void event_free(struct ecl_event *ev)
{
	for (uint32_t k = 0; k < ev->nfs; k++) {
		free(ev->fs[k].safe_ops);
		free(ev->fs[k].safe_bytes);
	}
	free(ev->fs);
	ev->fs = NULL;
	ev->nfs = 0;
}

static void fs_free(struct ecl_fs *fs)
{
	if (fs) {
		free(fs->heads);
		free(fs);
	}
}

void ecl_state_free(struct ecl_state *st)
{
	for (uint32_t i = 0; i < st->nfs; i++)
		fs_free(st->fs[i]);
	free(st->fs);
	st->fs = NULL;
	free(st->ids);
	st->ids = NULL;
	st->nfs = 0;
	free(st->nidx);
	st->nidx = NULL;
	st->ncap = 0;
	for (uint32_t i = 0; i < st->nev; i++)
		event_free(&st->ev[i]);
	st->nev = 0;
}

void ecl_state_reset(struct ecl_state *st)
{
	struct ecl_state_params par = st->par;
	uint32_t nslots = st->nslots;

	ecl_state_free(st);
	ecl_state_init(st, &par, nslots);
}

int ecl_state_slot(const struct ecl_state *st, uint32_t nodeid, uint32_t pid)
{
	for (uint32_t i = 0; i < st->nslots; i++)
		if (st->members[i].used && st->members[i].nodeid == nodeid &&
		    st->members[i].pid == pid)
			return (int)i;
	return -1;
}

static int fs_index(const struct ecl_state *st, uint32_t id)
{
	uint32_t lo = 0, hi = st->nfs;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (st->ids[mid] == id)
			return (int)mid;
		if (st->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

struct ecl_fs *ecl_state_fs(const struct ecl_state *st, uint32_t id)
{
	int i = fs_index(st, id);

	return i < 0 ? NULL : st->fs[i];
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261U;

	for (; *s; s++) {
		h ^= (uint8_t)*s;
		h *= 16777619U;
	}
	return h;
}

/*
 * (Re)build the name index for `want` filesystems; false if no memory or
 * two filesystems have one name.
 */
static bool index_rebuild(struct ecl_state *st, uint32_t want)
{
	uint32_t cap = 16, *ids;

	ids = realloc(st->ids, (want ? want : 1) * sizeof(*ids));
	if (!ids)
		return false;
	st->ids = ids;
	for (uint32_t i = 0; i < st->nfs; i++)
		st->ids[i] = st->fs[i]->id;

	while (cap <= 2 * want)
		cap *= 2;
	if (cap != st->ncap) {
		uint32_t *t = calloc(cap, sizeof(*t));

		if (!t)
			return false;
		free(st->nidx);
		st->nidx = t;
		st->ncap = cap;
	} else {
		memset(st->nidx, 0, cap * sizeof(*st->nidx));
	}
	for (uint32_t i = 0; i < st->nfs; i++) {
		uint32_t k = name_hash(st->fs[i]->name) & (cap - 1);

		while (st->nidx[k]) {
			if (!strcmp(st->fs[st->nidx[k] - 1]->name,
				    st->fs[i]->name))
				return false;
			k = (k + 1) & (cap - 1);
		}
		st->nidx[k] = i + 1;
	}
	return true;
}

struct ecl_fs *ecl_state_fs_by_name(const struct ecl_state *st,
				    const char *name)
{
	uint32_t k;

	if (!st->ncap)
		return NULL;
	for (k = name_hash(name) & (st->ncap - 1); st->nidx[k];
	     k = (k + 1) & (st->ncap - 1))
		if (!strcmp(st->fs[st->nidx[k] - 1]->name, name))
			return st->fs[st->nidx[k] - 1];
	return NULL;
}

uint32_t ecl_state_participants(const struct ecl_state *st)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < st->nslots; i++)
		n += st->members[i].used && st->members[i].participant;
	return n;
}

struct ecl_event *ecl_state_event(struct ecl_state *st, uint32_t id)
{
	for (uint32_t i = 0; i < st->nev; i++)
		if (st->ev[i].id == id)
			return &st->ev[i];
	return NULL;
}

static void clear_slot(struct ecl_state *st, uint32_t slot)
{
	for (uint32_t i = 0; i < st->nfs; i++)
		memset(&st->fs[i]->heads[slot], 0, sizeof(struct ecl_head));
}

int ecl_state_add_member(struct ecl_state *st, const struct ecl_addr *a,
			 const struct ecl_hello *h)
{
	int slot = ecl_state_slot(st, a->nodeid, a->pid);

	if (slot < 0) {
		for (uint32_t i = 0; i < st->nslots && slot < 0; i++)
			if (!st->members[i].used)
				slot = (int)i;
		if (slot < 0)
			return -ENOSPC;
		clear_slot(st, slot);
	}
	struct ecl_member *m = &st->members[slot];

	memset(m, 0, sizeof(*m));
	m->used = 1;
	m->nodeid = a->nodeid;
	m->pid = a->pid;
	memcpy(m->name, h->name, sizeof(m->name));
	m->lease_ms = h->lease_ms;
	m->forget_ms = h->forget_ms;
	m->detect_ms = h->detect_ms;
	m->strict = h->strict;
	m->participant = 1;
	m->since_round = st->round + 1;
	return slot;
}

/* Reservation of one filesystem (index k in ev->fs) by one event. */
void ecl_event_reserved(const struct ecl_event *ev, uint32_t k,
			uint64_t *ops, uint64_t *bytes)
{
	const struct ecl_ev_fs *f = &ev->fs[k];
	uint64_t so = 0, sb = 0;

	if (!ev->nn) {
		/* unknown heads: all of it until their forget time */
		*ops = ev->stage < 2 ? f->res0_ops : 0;
		*bytes = ev->stage < 2 ? f->res0_bytes : 0;
		return;
	}
	if (ev->stage == 0) {
		*ops = f->res0_ops;
		*bytes = f->res0_bytes;
		return;
	}
	for (uint32_t j = 0; j < ev->nn; j++) {
		if (ev->node[j].back)
			continue;
		if (ev->stage >= 2 && ev->node[j].strict)
			continue;	/* strict: zero after the forget time */
		so += f->safe_ops[j];
		sb += f->safe_bytes[j];
	}
	*ops = ecl_min64(f->res0_ops, so);
	*bytes = ecl_min64(f->res0_bytes, sb);
}

static void fs_reserved(const struct ecl_state *st, uint32_t fs_id,
			uint64_t *ops, uint64_t *bytes)
{
	*ops = *bytes = 0;
	for (uint32_t i = 0; i < st->nev; i++) {
		const struct ecl_event *ev = &st->ev[i];

		for (uint32_t k = 0; k < ev->nfs; k++) {
			uint64_t o, b;

			if (ev->fs[k].fs_id != fs_id)
				continue;
			ecl_event_reserved(ev, k, &o, &b);
			*ops += o;
			*bytes += b;
		}
	}
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * The most the filesystem's budgets can be in the round under way: those
 * of the last round, or, for a filesystem that has not had one yet, what
 * any declaration implies (a head that leaves in its very first round may
 * have completed that round and hold a grant of it).
 */
static void budget_bound(const struct ecl_state *st, const struct ecl_fs *fs,
			 uint64_t *ops, uint64_t *bytes)
{
	*ops = fs->budget_ops;
	*bytes = fs->budget_bytes;
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_head *h = &fs->heads[s];
		uint64_t size;

		if (!st->members[s].used || !h->declared)
			continue;
		*ops = ecl_max64(*ops, ecl_iops_budget(&h->set));
		size = ecl_metered_size(&h->set, ecl_max64(h->size, fs->size));
		if (h->set.tput_mode == ECL_TPUT_ELASTIC)
			*bytes = ECL_UNLIMITED;
		else if (*bytes != ECL_UNLIMITED)
			*bytes = ecl_max64(*bytes, ecl_max64(
				ecl_burst_bps(size),
				ecl_permitted_bps(&h->set, size, 0)));
	}
}

/*
 * The heads in slots[0..n) stop taking part: one event reserving, per
 * filesystem, the budget the other heads do not hold (the departed
 * grants and whatever headroom they might have risen into in a round the
 * rest never completed), and their safe shares for after their leases.
 */
static uint32_t make_event(struct ecl_state *st, const uint32_t *slots,
			   const uint8_t *reason, uint32_t n, bool unknown)
{
	struct ecl_event *ev;
	bool gone[ECL_MAX_MEMBERS] = { false };

	if (!n && !unknown)
		return 0;
	for (uint32_t i = 0; i < n; i++)
		gone[slots[i]] = true;

	struct ecl_event nev = { 0 };

	nev.id = ++st->next_event_id;
	nev.nn = (uint8_t)n;
	for (uint32_t i = 0; i < n; i++) {
		const struct ecl_member *m = &st->members[slots[i]];
		struct ecl_ev_node *en = &nev.node[i];

		en->nodeid = m->nodeid;
		en->pid = m->pid;
		en->lease_ms = m->lease_ms;
		en->forget_ms = m->forget_ms;
		en->detect_ms = m->detect_ms;
		en->strict = m->strict;
		en->reason = reason[i];
	}
	nev.fs = calloc(st->nfs ? st->nfs : 1, sizeof(*nev.fs));
	if (!nev.fs)
		abort();
	for (uint32_t i = 0; i < st->nfs; i++) {
		struct ecl_fs *fs = st->fs[i];
		uint64_t held_ops = 0, held_bytes = 0, ro, rb, bo, bb;
		struct ecl_ev_fs *f = &nev.fs[nev.nfs];
		bool any = false;

		for (uint32_t s = 0; s < st->nslots; s++) {
			if (!st->members[s].used || gone[s])
				continue;
			held_ops += fs->heads[s].g_ops;
			held_bytes = fs->heads[s].g_bytes == ECL_UNLIMITED ?
				     held_bytes : held_bytes + fs->heads[s].g_bytes;
		}
		fs_reserved(st, fs->id, &ro, &rb);
		budget_bound(st, fs, &bo, &bb);
		f->fs_id = fs->id;
		f->res0_ops = sub0(bo, held_ops + ro);
		f->res0_bytes = bb == ECL_UNLIMITED ? 0 :
				sub0(bb, held_bytes + rb);
		f->safe_ops = calloc(n ? n : 1, sizeof(uint64_t));
		f->safe_bytes = calloc(n ? n : 1, sizeof(uint64_t));
		if (!f->safe_ops || !f->safe_bytes)
			abort();
		for (uint32_t j = 0; j < n; j++) {
			const struct ecl_head *h = &fs->heads[slots[j]];

			if (!h->ok && !h->g_ops && !h->g_bytes)
				continue;
			f->safe_ops[j] = ecl_max64(fs->safe_ops,
						   fs->safe_prev_ops);
			if (fs->budget_bytes != ECL_UNLIMITED)
				f->safe_bytes[j] = ecl_max64(fs->safe_bytes,
							fs->safe_prev_bytes);
			any |= f->safe_ops[j] || f->safe_bytes[j];
		}
		if (any || f->res0_ops || f->res0_bytes) {
			nev.nfs++;
		} else {
			free(f->safe_ops);
			free(f->safe_bytes);
			f->safe_ops = f->safe_bytes = NULL;
		}
	}
	if (st->nev == ECL_MAX_EVENTS) {
		/*
		 * Out of room (64 departures within one lease): merge the
		 * oldest event into the new one, keeping the larger stage-0
		 * reservation; the oldest then expires with the new one.
		 */
		struct ecl_event *old = &st->ev[0];

		for (uint32_t k = 0; k < nev.nfs; k++) {
			for (uint32_t o = 0; o < old->nfs; o++) {
				uint64_t ro2, rb2;

				if (old->fs[o].fs_id != nev.fs[k].fs_id)
					continue;
				ecl_event_reserved(old, o, &ro2, &rb2);
				nev.fs[k].res0_ops += ro2;
				nev.fs[k].res0_bytes += rb2;
			}
		}
		event_free(old);
		memmove(&st->ev[0], &st->ev[1],
			(st->nev - 1) * sizeof(st->ev[0]));
		st->nev--;
	}
	ev = &st->ev[st->nev++];
	*ev = nev;
	/* their grants now live in the event */
	for (uint32_t i = 0; i < st->nfs; i++)
		for (uint32_t j = 0; j < n; j++) {
			struct ecl_head *h = &st->fs[i]->heads[slots[j]];

			h->g_ops = h->g_bytes = 0;
			h->ok = h->has_use = 0;
		}
	return ev->id;
}

uint32_t ecl_state_leave(struct ecl_state *st, const struct ecl_addr *left,
			 size_t n)
{
	uint32_t slots[ECL_MAX_MEMBERS] = { 0 };
	uint8_t reason[ECL_MAX_MEMBERS] = { 0 };
	uint32_t np = 0, id;

	for (size_t i = 0; i < n; i++) {
		int s = ecl_state_slot(st, left[i].nodeid, left[i].pid);

		if (s < 0 || !st->members[s].participant)
			continue;
		slots[np] = (uint32_t)s;
		reason[np++] = (uint8_t)left[i].reason;
	}
	id = make_event(st, slots, reason, np, false);
	for (size_t i = 0; i < n; i++) {
		int s = ecl_state_slot(st, left[i].nodeid, left[i].pid);

		if (s < 0)
			continue;
		clear_slot(st, (uint32_t)s);
		memset(&st->members[s], 0, sizeof(st->members[s]));
	}
	return id;
}

static struct ecl_fs *fs_create(struct ecl_state *st, const char *name)
{
	struct ecl_fs *fs, **arr;

	if (st->nfs >= ECL_MAX_FS)
		return NULL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return NULL;
	fs->heads = calloc(st->nslots, sizeof(*fs->heads));
	arr = realloc(st->fs, (st->nfs + 1) * sizeof(*arr));
	if (!fs->heads || !arr) {
		free(fs->heads);
		free(fs);
		if (arr)
			st->fs = arr;
		return NULL;
	}
	st->fs = arr;
	fs->id = ++st->next_fs_id;
	strcpy(fs->name, name);
	fs->cold = 1;
	st->fs[st->nfs++] = fs;	/* ids only grow: stays sorted */
	if (!index_rebuild(st, st->nfs)) {
		st->nfs--;
		fs_free(fs);
		index_rebuild(st, st->nfs);
		return NULL;
	}
	return fs;
}

int ecl_state_declare(struct ecl_state *st, int slot,
		      const struct ecl_decl_entry *e, uint32_t n,
		      const char **why)
{
	if (slot < 0 || !st->members[slot].used)
		FAIL(-EPERM, "declare: not a member of the state");
	for (uint32_t i = 0; i < n; i++) {
		struct ecl_fs *fs = ecl_state_fs_by_name(st, e[i].name);
		struct ecl_head *h;

		if (e[i].withdraw) {
			if (fs)
				fs->heads[slot].declared = 0;
			continue;
		}
		if (!fs) {
			fs = fs_create(st, e[i].name);
			if (!fs)
				FAIL(-ENOSPC, "declare: too many filesystems");
			fs->balance = e[i].balance;
		} else if (fs->cold) {
			/* a cluster starting cold takes the lowest balance */
			fs->balance = ecl_min64(fs->balance, e[i].balance);
		}
		h = &fs->heads[slot];
		/*
		 * What its kernel admits already (a lease or safe share from
		 * before this state knew it) counts as its grant: others may
		 * only rise into what is left (the max rule).
		 */
		h->g_ops = ecl_max64(h->g_ops, e[i].hold_ops);
		if (h->g_bytes != ECL_UNLIMITED)
			h->g_bytes = ecl_max64(h->g_bytes, e[i].hold_bytes);
		h->declared = 1;
		h->set = e[i].set;
		h->hash = ecl_settings_hash(&e[i].set);
		h->size = e[i].size;
	}
	return 0;
}

int ecl_state_report(struct ecl_state *st, int slot,
		     const struct ecl_report *m, const char **why)
{
	struct ecl_member *mb;
	uint32_t stamp;

	if (slot < 0 || !st->members[slot].used)
		FAIL(-EPERM, "report: not a member of the state");
	mb = &st->members[slot];
	if (m->epoch != st->epoch || m->round != st->round + 1)
		FAIL(-ESTALE, "report: not for the pending round");
	if (!mb->participant)
		FAIL(-EPERM, "report: sender was evicted");
	if (mb->reported)
		FAIL(-EALREADY, "report: second report for the round");
	/* validate every entry before changing anything */
	stamp = ++st->stamp;
	for (uint32_t i = 0, prev = 0; i < m->n; i++) {
		/* entries come in id order: start the search where we were */
		struct ecl_fs *fs = NULL;
		uint32_t id = m->e[i].fs_id;

		if (prev < st->nfs && st->ids[prev] == id)
			fs = st->fs[prev];
		else if (prev + 1 < st->nfs && st->ids[prev + 1] == id)
			fs = st->fs[++prev];
		else {
			int k = fs_index(st, id);

			if (k >= 0) {
				prev = (uint32_t)k;
				fs = st->fs[k];
			}
		}
		if (!fs || !fs->heads[slot].declared)
			FAIL(-EINVAL, "report: filesystem not declared");
		if (fs->heads[slot].stamp == stamp)
			FAIL(-EINVAL, "report: filesystem named twice");
		fs->heads[slot].stamp = stamp;
	}
	for (uint32_t i = 0; i < m->n; i++) {
		const struct ecl_rep_entry *e = &m->e[i];
		struct ecl_head *h = &ecl_state_fs(st, e->fs_id)->heads[slot];

		h->has_use = 1;
		h->flags = e->flags;
		h->clients = e->clients;
		h->units = e->units;
		h->bytes = e->bytes;
		h->size = e->size;
	}
	for (uint32_t i = 0; i < m->nexp; i++) {
		struct ecl_event *ev = ecl_state_event(st, m->x[i].event_id);

		if (ev && m->x[i].stage > ev->stage)
			ev->stage = m->x[i].stage;
	}
	mb->reported = 1;
	mb->rflags = m->rflags;
	mb->interval_us = m->interval_us ? m->interval_us : 1;
	return ecl_state_try_complete(st);
}

uint32_t ecl_state_suspect(struct ecl_state *st, const struct ecl_suspect *m)
{
	uint8_t reason = ECL_LEFT_SILENT;
	uint32_t slot;
	int s;

	if (m->epoch != st->epoch || m->round != st->round + 1)
		return 0;
	s = ecl_state_slot(st, m->nodeid, m->pid);
	if (s < 0 || !st->members[s].participant || st->members[s].reported)
		return 0;
	slot = (uint32_t)s;
	uint32_t id = make_event(st, &slot, &reason, 1, false);

	st->members[s].participant = 0;
	return id ? id : UINT32_MAX;
}

int ecl_state_rejoin(struct ecl_state *st, int slot)
{
	struct ecl_member *m;

	if (slot < 0 || !st->members[slot].used)
		return -EPERM;
	m = &st->members[slot];
	if (m->participant)
		return -EALREADY;
	m->participant = 1;
	m->reported = 0;
	m->since_round = st->round + 1;
	return 0;
}

int ecl_state_try_complete(struct ecl_state *st)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < st->nslots; i++) {
		const struct ecl_member *m = &st->members[i];

		if (!m->used || !m->participant)
			continue;
		if (!m->reported)
			return 0;
		n++;
	}
	if (!n)
		return 0;
	ecl_state_complete_round(st);
	return 1;
}

/*
 * The settings the filesystem's budget follows: the reference stays while
 * any declaring head still has it; otherwise the settings most declaring
 * heads share, ties to the one of the lowest node id.
 */
static void choose_reference(const struct ecl_state *st, struct ecl_fs *fs)
{
	uint32_t best = UINT32_MAX, best_count = 0, best_node = 0;

	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_head *h = &fs->heads[s];

		if (st->members[s].used && h->declared && fs->has_ref &&
		    h->hash == fs->ref_hash)
			return;
	}
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_head *h = &fs->heads[s];
		uint32_t count = 0, low = UINT32_MAX;

		if (!st->members[s].used || !h->declared)
			continue;
		for (uint32_t t = 0; t < st->nslots; t++)
			if (st->members[t].used && fs->heads[t].declared &&
			    fs->heads[t].hash == h->hash) {
				count++;
				if (st->members[t].nodeid < low)
					low = st->members[t].nodeid;
			}
		if (count > best_count ||
		    (count == best_count && low < best_node)) {
			best = s;
			best_count = count;
			best_node = low;
		}
	}
	if (best == UINT32_MAX)
		return;
	fs->has_ref = 1;
	fs->ref = fs->heads[best].set;
	fs->ref_hash = fs->heads[best].hash;
}

static uint64_t rate_of(uint64_t amount, uint32_t interval_us)
{
	return ecl_muldiv(amount, 1000000, interval_us ? interval_us : 1);
}

/* Usage, settings, ledger and budgets of the round that completes. */
static void prepare_fs(struct ecl_state *st, struct ecl_fs *fs, uint64_t dt_us)
{
	uint64_t spent = 0, size = 0, ro, rb;
	bool sized = false;

	/* reservations as they stood during the round: charged as spent */
	fs_reserved(st, fs->id, &ro, &rb);
	spent = fs->budget_bytes == ECL_UNLIMITED ? 0 :
		ecl_muldiv(rb, dt_us, 1000000);
	choose_reference(st, fs);
	fs->n_active_prev = fs->n_active;
	fs->n_active = 0;
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_member *m = &st->members[s];
		struct ecl_head *h = &fs->heads[s];
		uint64_t r_ops = 0, r_bytes = 0;

		if (!m->used)
			continue;
		if (h->has_use) {
			r_ops = rate_of(h->units, m->interval_us);
			r_bytes = rate_of(h->bytes, m->interval_us);
			spent += h->bytes;
		}
		/* smoothed over two rounds: a burst is not forgotten at once */
		h->used_ops = ecl_max64(r_ops, h->rate_ops);
		h->used_bytes = ecl_max64(r_bytes, h->rate_bytes);
		h->rate_ops = r_ops;
		h->rate_bytes = r_bytes;
		h->ok = m->participant && h->declared && fs->has_ref &&
			h->hash == fs->ref_hash;
		if (h->ok) {
			fs->n_active++;
			if (!sized || h->size > size)
				size = h->size;
			sized = true;
		}
	}
	if (fs->has_ref) {
		fs->size = ecl_metered_size(&fs->ref, sized ? size : fs->size);
		fs->balance = ecl_ledger_apply(&fs->ref, fs->size, fs->balance,
					       dt_us, spent);
		fs->cold = 0;
		fs->budget_ops = ecl_iops_budget(&fs->ref);
		fs->budget_bytes = ecl_permitted_bps(&fs->ref, fs->size,
						     fs->balance);
	}
}

/* The grants of the round that completes. */
static void allocate_fs(struct ecl_state *st, struct ecl_fs *fs)
{
	struct ecl_alloc_head ho[ECL_MAX_MEMBERS], hb[ECL_MAX_MEMBERS];
	struct ecl_alloc_params p = {
		.min_share_pct = st->par.min_share_pct,
		.headroom_pct = st->par.headroom_pct,
	};
	uint32_t idx[ECL_MAX_MEMBERS], n = 0;

	fs_reserved(st, fs->id, &fs->res_ops, &fs->res_bytes);
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_head *h = &fs->heads[s];

		if (!st->members[s].used)
			continue;
		if (!h->ok && !h->g_ops && !h->g_bytes)
			continue;
		idx[n] = s;
		ho[n] = (struct ecl_alloc_head){
			.key = st->members[s].nodeid, .active = h->ok,
			.held = h->flags & ECL_USE_HELD_OPS,
			.used = h->used_ops, .prev = h->g_ops,
		};
		hb[n] = (struct ecl_alloc_head){
			.key = st->members[s].nodeid, .active = h->ok,
			.held = h->flags & ECL_USE_HELD_BYTES,
			.used = h->used_bytes,
			.prev = h->g_bytes == ECL_UNLIMITED ? 0 : h->g_bytes,
		};
		n++;
	}
	p.budget = fs->budget_ops;
	p.reserved = fs->res_ops;
	ecl_alloc(&p, ho, n);
	p.budget = fs->budget_bytes;
	p.reserved = fs->res_bytes;
	ecl_alloc(&p, hb, n);
	for (uint32_t s = 0; s < st->nslots; s++)
		fs->heads[s].d_ops = fs->heads[s].d_bytes = 0;
	for (uint32_t i = 0; i < n; i++) {
		fs->heads[idx[i]].g_ops = ho[i].grant;
		fs->heads[idx[i]].g_bytes = hb[i].grant;
		fs->heads[idx[i]].d_ops = ho[i].demand;
		fs->heads[idx[i]].d_bytes = hb[i].demand;
	}
	fs->safe_prev_ops = fs->safe_ops;
	fs->safe_prev_bytes = fs->safe_bytes;
	fs->safe_ops = fs->budget_ops / (fs->n_active ? fs->n_active : 1);
	fs->safe_bytes = fs->budget_bytes == ECL_UNLIMITED ? ECL_UNLIMITED :
			 fs->budget_bytes / (fs->n_active ? fs->n_active : 1);
	for (uint32_t s = 0; s < st->nslots; s++) {
		struct ecl_head *h = &fs->heads[s];

		h->has_use = 0;
		h->flags = h->clients = 0;
		h->units = 0;
		h->bytes = 0;
	}
}

static bool event_empty(const struct ecl_event *ev)
{
	if (ev->stage == 0)
		return false;
	for (uint32_t k = 0; k < ev->nfs; k++) {
		uint64_t o, b;

		ecl_event_reserved(ev, k, &o, &b);
		if (o || b)
			return false;
	}
	return true;
}

void ecl_state_complete_round(struct ecl_state *st)
{
	uint32_t low = UINT32_MAX;
	uint64_t dt_us = 0;

	/* the round's length: as the lowest node id measured it */
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_member *m = &st->members[s];

		if (m->used && m->participant && m->nodeid < low) {
			low = m->nodeid;
			dt_us = m->interval_us;
		}
	}
	if (dt_us > 60000000)
		dt_us = 60000000;
	for (uint32_t i = 0; i < st->nfs; i++)
		prepare_fs(st, st->fs[i], dt_us);
	/*
	 * Quorum is back (or the cluster starts) with configured nodes
	 * missing: what they may hold from a side that was quorate without
	 * us is unknown; reserve it until their forget time has passed.
	 */
	{
		bool quorate = true, all = true;

		for (uint32_t s = 0; s < st->nslots; s++) {
			const struct ecl_member *m = &st->members[s];

			if (!m->used || !m->participant)
				continue;
			quorate &= !!(m->rflags & ECL_REP_QUORATE);
			all &= !!(m->rflags & ECL_REP_ALL_NODES);
		}
		if (quorate && !st->was_quorate && !all)
			make_event(st, NULL, NULL, 0, true);
		st->was_quorate = quorate;
	}
	for (uint32_t i = 0; i < st->nfs; i++)
		allocate_fs(st, st->fs[i]);
	for (uint32_t s = 0; s < st->nslots; s++)
		st->members[s].reported = 0;
	st->round++;

	/* departed nodes that take part again: their kernels follow us */
	for (uint32_t i = 0; i < st->nev; i++) {
		struct ecl_event *ev = &st->ev[i];

		for (uint32_t j = 0; j < ev->nn; j++) {
			if (ev->node[j].back)
				continue;
			for (uint32_t s = 0; s < st->nslots; s++) {
				const struct ecl_member *m = &st->members[s];

				if (m->used && m->participant &&
				    m->nodeid == ev->node[j].nodeid &&
				    m->since_round + 1 <= st->round)
					ev->node[j].back = 1;
			}
		}
	}
	for (uint32_t i = 0; i < st->nev;) {
		if (event_empty(&st->ev[i])) {
			event_free(&st->ev[i]);
			memmove(&st->ev[i], &st->ev[i + 1],
				(st->nev - i - 1) * sizeof(st->ev[0]));
			st->nev--;
		} else {
			i++;
		}
	}
	/* filesystems nobody serves, holds or reserves any more */
	bool removed = false;

	for (uint32_t i = 0; i < st->nfs;) {
		struct ecl_fs *fs = st->fs[i];
		bool keep = fs->res_ops || fs->res_bytes;

		for (uint32_t s = 0; s < st->nslots && !keep; s++)
			keep = fs->heads[s].declared || fs->heads[s].g_ops ||
			       (fs->heads[s].g_bytes &&
				fs->heads[s].g_bytes != ECL_UNLIMITED);
		for (uint32_t k = 0; k < st->nev && !keep; k++)
			for (uint32_t f = 0; f < st->ev[k].nfs; f++)
				keep |= st->ev[k].fs[f].fs_id == fs->id;
		if (keep) {
			i++;
			continue;
		}
		fs_free(fs);
		memmove(&st->fs[i], &st->fs[i + 1],
			(st->nfs - i - 1) * sizeof(st->fs[0]));
		st->nfs--;
		removed = true;
	}
	if (removed)
		index_rebuild(st, st->nfs);
}

void ecl_state_encode(const struct ecl_state *st, struct ecl_wbuf *w)
{
	uint32_t nm = 0;

	ecl_wb_u32(w, st->epoch);
	ecl_wb_u64(w, st->round);
	ecl_wb_u32(w, st->next_fs_id);
	ecl_wb_u32(w, st->next_event_id);
	ecl_wb_u8(w, st->was_quorate);
	for (uint32_t s = 0; s < st->nslots; s++)
		nm += st->members[s].used;
	ecl_wb_u32(w, nm);
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_member *m = &st->members[s];

		if (!m->used)
			continue;
		ecl_wb_u8(w, (uint8_t)s);
		ecl_wb_u32(w, m->nodeid);
		ecl_wb_u32(w, m->pid);
		ecl_wb_str(w, m->name);
		ecl_wb_u32(w, m->lease_ms);
		ecl_wb_u32(w, m->forget_ms);
		ecl_wb_u32(w, m->detect_ms);
		ecl_wb_u8(w, m->strict);
		ecl_wb_u8(w, m->participant);
		ecl_wb_u64(w, m->since_round);
	}
	ecl_wb_u32(w, st->nfs);
	for (uint32_t i = 0; i < st->nfs; i++) {
		const struct ecl_fs *fs = st->fs[i];
		uint32_t nh = 0;

		ecl_wb_u32(w, fs->id);
		ecl_wb_str(w, fs->name);
		ecl_wb_u8(w, fs->has_ref);
		ecl_wb_u8(w, fs->cold);
		ecl_wb_settings(w, &fs->ref);
		ecl_wb_u64(w, fs->balance);
		ecl_wb_u64(w, fs->size);
		ecl_wb_u64(w, fs->budget_ops);
		ecl_wb_u64(w, fs->budget_bytes);
		ecl_wb_u64(w, fs->res_ops);
		ecl_wb_u64(w, fs->res_bytes);
		ecl_wb_u64(w, fs->safe_ops);
		ecl_wb_u64(w, fs->safe_bytes);
		ecl_wb_u64(w, fs->safe_prev_ops);
		ecl_wb_u64(w, fs->safe_prev_bytes);
		ecl_wb_u32(w, fs->n_active);
		ecl_wb_u32(w, fs->n_active_prev);
		for (uint32_t s = 0; s < st->nslots; s++)
			nh += st->members[s].used;
		ecl_wb_u32(w, nh);
		for (uint32_t s = 0; s < st->nslots; s++) {
			const struct ecl_head *h = &fs->heads[s];

			if (!st->members[s].used)
				continue;
			ecl_wb_u8(w, (uint8_t)s);
			ecl_wb_u8(w, h->declared);
			ecl_wb_u8(w, h->ok);
			/* most heads agree: their settings are the reference's */
			if (fs->has_ref && !memcmp(&h->set, &fs->ref, sizeof(h->set))) {
				ecl_wb_u8(w, 1);
			} else {
				ecl_wb_u8(w, 0);
				ecl_wb_settings(w, &h->set);
			}
			ecl_wb_u64(w, h->size);
			ecl_wb_u64(w, h->rate_ops);
			ecl_wb_u64(w, h->rate_bytes);
			ecl_wb_u64(w, h->used_ops);
			ecl_wb_u64(w, h->used_bytes);
			ecl_wb_u64(w, h->g_ops);
			ecl_wb_u64(w, h->g_bytes);
		}
	}
	ecl_wb_u32(w, st->nev);
	for (uint32_t i = 0; i < st->nev; i++) {
		const struct ecl_event *ev = &st->ev[i];

		ecl_wb_u32(w, ev->id);
		ecl_wb_u8(w, ev->stage);
		ecl_wb_u8(w, ev->nn);
		for (uint32_t j = 0; j < ev->nn; j++) {
			const struct ecl_ev_node *en = &ev->node[j];

			ecl_wb_u32(w, en->nodeid);
			ecl_wb_u32(w, en->pid);
			ecl_wb_u32(w, en->lease_ms);
			ecl_wb_u32(w, en->forget_ms);
			ecl_wb_u32(w, en->detect_ms);
			ecl_wb_u8(w, en->strict);
			ecl_wb_u8(w, en->reason);
			ecl_wb_u8(w, en->back);
		}
		ecl_wb_u32(w, ev->nfs);
		for (uint32_t k = 0; k < ev->nfs; k++) {
			const struct ecl_ev_fs *f = &ev->fs[k];

			ecl_wb_u32(w, f->fs_id);
			ecl_wb_u64(w, f->res0_ops);
			ecl_wb_u64(w, f->res0_bytes);
			for (uint32_t j = 0; j < ev->nn; j++) {
				ecl_wb_u64(w, f->safe_ops[j]);
				ecl_wb_u64(w, f->safe_bytes[j]);
			}
		}
	}
}

#define DFAIL(msg) do { *why = (msg); goto bad; } while (0)

int ecl_state_decode(struct ecl_state *st, struct ecl_rbuf *r,
		     const char **why)
{
	uint32_t nm, nfs, nev, prev_id = 0;

	ecl_state_reset(st);
	st->epoch = ecl_rb_u32(r);
	st->round = ecl_rb_u64(r);
	st->next_fs_id = ecl_rb_u32(r);
	st->next_event_id = ecl_rb_u32(r);
	st->was_quorate = ecl_rb_u8(r);
	nm = ecl_rb_u32(r);
	if (st->was_quorate > 1)
		DFAIL("state: bad quorate flag");
	if (r->err || nm > st->nslots)
		DFAIL("state: bad member count");
	for (uint32_t i = 0; i < nm; i++) {
		uint32_t s = ecl_rb_u8(r);
		struct ecl_member *m;

		if (r->err || s >= st->nslots || st->members[s].used)
			DFAIL("state: bad member slot");
		m = &st->members[s];
		m->used = 1;
		m->nodeid = ecl_rb_u32(r);
		m->pid = ecl_rb_u32(r);
		ecl_rb_str(r, m->name, ECL_NODE_NAME_MAX);
		m->lease_ms = ecl_rb_u32(r);
		m->forget_ms = ecl_rb_u32(r);
		m->detect_ms = ecl_rb_u32(r);
		m->strict = ecl_rb_u8(r);
		m->participant = ecl_rb_u8(r);
		m->since_round = ecl_rb_u64(r);
		if (m->strict > 1 || m->participant > 1 ||
		    m->forget_ms < m->lease_ms)
			DFAIL("state: bad member");
		if (ecl_state_slot(st, m->nodeid, m->pid) != (int)s)
			DFAIL("state: member twice");
	}
	nfs = ecl_rb_u32(r);
	if (r->err || nfs > ECL_MAX_FS)
		DFAIL("state: bad filesystem count");
	st->fs = calloc(nfs ? nfs : 1, sizeof(*st->fs));
	if (!st->fs)
		DFAIL("state: out of memory");
	for (uint32_t i = 0; i < nfs; i++) {
		struct ecl_fs *fs = calloc(1, sizeof(*fs));
		uint32_t nh;
		size_t len;

		if (!fs)
			DFAIL("state: out of memory");
		fs->heads = calloc(st->nslots, sizeof(*fs->heads));
		st->fs[st->nfs++] = fs;
		if (!fs->heads)
			DFAIL("state: out of memory");
		fs->id = ecl_rb_u32(r);
		len = ecl_rb_str(r, fs->name, ECL_FS_NAME_MAX);
		fs->has_ref = ecl_rb_u8(r);
		fs->cold = ecl_rb_u8(r);
		ecl_rb_settings(r, &fs->ref);
		fs->ref_hash = ecl_settings_hash(&fs->ref);
		fs->balance = ecl_rb_u64(r);
		fs->size = ecl_rb_u64(r);
		fs->budget_ops = ecl_rb_u64(r);
		fs->budget_bytes = ecl_rb_u64(r);
		fs->res_ops = ecl_rb_u64(r);
		fs->res_bytes = ecl_rb_u64(r);
		fs->safe_ops = ecl_rb_u64(r);
		fs->safe_bytes = ecl_rb_u64(r);
		fs->safe_prev_ops = ecl_rb_u64(r);
		fs->safe_prev_bytes = ecl_rb_u64(r);
		fs->n_active = ecl_rb_u32(r);
		fs->n_active_prev = ecl_rb_u32(r);
		if (r->err || !ecl_fs_name_valid(fs->name, len) ||
		    fs->id <= prev_id || fs->id > st->next_fs_id ||
		    fs->has_ref > 1 || fs->cold > 1 ||
		    (fs->has_ref && !ecl_settings_valid(&fs->ref)) ||
		    fs->n_active > ECL_MAX_MEMBERS ||
		    fs->n_active_prev > ECL_MAX_MEMBERS)
			DFAIL("state: bad filesystem");
		prev_id = fs->id;
		nh = ecl_rb_u32(r);
		if (r->err || nh > nm)
			DFAIL("state: bad head count");
		for (uint32_t k = 0; k < nh; k++) {
			uint32_t s = ecl_rb_u8(r);
			struct ecl_head *h;

			if (r->err || s >= st->nslots || !st->members[s].used)
				DFAIL("state: head of no member");
			h = &fs->heads[s];
			h->declared = ecl_rb_u8(r);
			h->ok = ecl_rb_u8(r);
			switch (ecl_rb_u8(r)) {
			case 1:
				if (!fs->has_ref)
					DFAIL("state: head refers to no reference");
				h->set = fs->ref;
				break;
			case 0:
				ecl_rb_settings(r, &h->set);
				break;
			default:
				DFAIL("state: bad settings flag");
			}
			h->hash = ecl_settings_hash(&h->set);
			h->size = ecl_rb_u64(r);
			h->rate_ops = ecl_rb_u64(r);
			h->rate_bytes = ecl_rb_u64(r);
			h->used_ops = ecl_rb_u64(r);
			h->used_bytes = ecl_rb_u64(r);
			h->g_ops = ecl_rb_u64(r);
			h->g_bytes = ecl_rb_u64(r);
			if (h->declared > 1 || h->ok > 1 ||
			    (h->declared && !ecl_settings_valid(&h->set)))
				DFAIL("state: bad head");
		}
	}
	if (!index_rebuild(st, st->nfs))
		DFAIL("state: filesystem named twice");
	nev = ecl_rb_u32(r);
	if (r->err || nev > ECL_MAX_EVENTS)
		DFAIL("state: bad event count");
	for (uint32_t i = 0; i < nev; i++) {
		struct ecl_event *ev = &st->ev[st->nev++];

		ev->id = ecl_rb_u32(r);
		ev->stage = ecl_rb_u8(r);
		ev->nn = ecl_rb_u8(r);
		if (r->err || ev->stage > 2 ||
		    ev->nn > ECL_MAX_EVENT_NODES || ev->id > st->next_event_id)
			DFAIL("state: bad event");
		for (uint32_t j = 0; j < ev->nn; j++) {
			struct ecl_ev_node *en = &ev->node[j];

			en->nodeid = ecl_rb_u32(r);
			en->pid = ecl_rb_u32(r);
			en->lease_ms = ecl_rb_u32(r);
			en->forget_ms = ecl_rb_u32(r);
			en->detect_ms = ecl_rb_u32(r);
			en->strict = ecl_rb_u8(r);
			en->reason = ecl_rb_u8(r);
			en->back = ecl_rb_u8(r);
			if (en->strict > 1 || en->back > 1 ||
			    en->reason < ECL_LEFT_PROC ||
			    en->reason > ECL_LEFT_SILENT)
				DFAIL("state: bad event node");
		}
		ev->nfs = ecl_rb_u32(r);
		if (r->err || ev->nfs > nfs)
			DFAIL("state: bad event filesystem count");
		ev->fs = calloc(ev->nfs ? ev->nfs : 1, sizeof(*ev->fs));
		if (!ev->fs) {
			ev->nfs = 0;
			DFAIL("state: out of memory");
		}
		for (uint32_t k = 0; k < ev->nfs; k++) {
			struct ecl_ev_fs *f = &ev->fs[k];

			f->fs_id = ecl_rb_u32(r);
			f->res0_ops = ecl_rb_u64(r);
			f->res0_bytes = ecl_rb_u64(r);
			f->safe_ops = calloc(ev->nn ? ev->nn : 1,
					     sizeof(uint64_t));
			f->safe_bytes = calloc(ev->nn ? ev->nn : 1,
					       sizeof(uint64_t));
			if (!f->safe_ops || !f->safe_bytes) {
				ev->nfs = k + 1;
				DFAIL("state: out of memory");
			}
			for (uint32_t j = 0; j < ev->nn; j++) {
				f->safe_ops[j] = ecl_rb_u64(r);
				f->safe_bytes[j] = ecl_rb_u64(r);
			}
			if (r->err || !ecl_state_fs(st, f->fs_id)) {
				ev->nfs = k + 1;
				DFAIL("state: event of no filesystem");
			}
		}
	}
	if (!ecl_rb_done(r))
		DFAIL("state: bad length");
	return 0;
bad:
	ecl_state_reset(st);
	return -EINVAL;
}

uint64_t ecl_state_digest(const struct ecl_state *st)
{
	struct ecl_wbuf w;
	uint64_t h = 1469598103934665603ULL;

	ecl_wb_init(&w);
	ecl_state_encode(st, &w);
	for (size_t i = 0; i < w.len; i++) {
		h ^= w.p[i];
		h *= 1099511628211ULL;
	}
	ecl_wb_free(&w);
	return h;
}
