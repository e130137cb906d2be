// SPDX-License-Identifier: GPL-2.0
/*
 * Back-pressure for NFSv4.1+ clients that efs keeps refusing.
 *
 * A DELAY costs the server a whole RPC, and a Linux NFSv4 client retries
 * it after 100 ms: a client with hundreds of requests outstanding against
 * a small budget makes thousands of them a second, CPU the neighbours
 * need. NFSv4.1 lets the server say how many session slots it wants a
 * client to use (sr_target_highest_slotid in the SEQUENCE reply), and the
 * Linux client follows it for its next requests. So for a few seconds
 * after a client was answered DELAY, efs lowers that target in the replies
 * it sends the client, and the excess requests wait on the client's side,
 * costing the server nothing (as the knfsd maintainers suggested for
 * per-client fairness). While its requests still wait for budget the
 * client stays held. How many slots: first efs_pressure_slots(), then
 * more while the budget lets its requests through at once (a client
 * far away needs more slots for the same rate), half the excess back
 * at each DELAY (efs_pressure_slots_next). sr_highest_slotid is left as
 * knfsd set it.
 *
 * The session belongs to the client, not to one export: a client that
 * also reads an unclaimed export, or a filesystem where it is within its
 * share, would have that traffic held to the same few slots, behind
 * requests that wait for budget. So a reply that carried such a request
 * marks the client's session shared for as long as pressure lasts, and
 * no reply to it is patched meanwhile (BackpressureWithheld counts them).
 *
 * The reply is patched after knfsd encoded it, in the nfsd_dispatch()
 * wrapper: no private nfsd structure is read. Replies protected by
 * RPCSEC_GSS (krb5i/krb5p checksums) are left alone.
 *
 * Cost: a request costs one jiffies comparison while no client is under
 * pressure; while one is, an NFSv4 COMPOUND also costs one client lookup
 * per filesystem.
 */
#include <linux/jiffies.h>
#include <linux/sunrpc/svc.h>
#include "efs.h"
#include "backpressure.h"
#include "budget.h"
#include "registry.h"

#define EFS_PRESSURE_HZ		(5 * HZ)	/* after the last DELAY */
#define EFS_NFS_PROGRAM		100003
#define EFS_NFSPROC4_COMPOUND	1
#define EFS_OP_SEQUENCE		53
#define EFS_RPC_AUTH_GSS	6

static unsigned long efs_pressure_until;	/* jiffies; any client */
static atomic64_t efs_pressure_replies = ATOMIC64_INIT(0);
static atomic64_t efs_pressure_withheld = ATOMIC64_INIT(0);

u32 efs_pressure_slots_next(u32 slots, u32 floor, bool refused)
{
	if (slots < floor)
		return floor;
	if (refused)
		return floor + (slots - floor) / 2;
	return min(slots + max(slots / 4, 1U),
		   max_t(u32, floor, EFS_PRESSURE_SLOTS_MAX));
}

static bool efs_client_held(const struct efs_client *c, unsigned long now)
{
	return time_before(now, READ_ONCE(c->pressure_until));
}

/* Hold c until EFS_PRESSURE_HZ from now (written only when it moves). */
static void efs_pressure_extend(struct efs_client *c, unsigned long now)
{
	unsigned long until = now + EFS_PRESSURE_HZ;

	if (READ_ONCE(c->pressure_until) != until)
		WRITE_ONCE(c->pressure_until, until);
	if (READ_ONCE(efs_pressure_until) != until)
		WRITE_ONCE(efs_pressure_until, until);
}

/*
 * Refused: hold c, with half the slots over the floor it had last time it
 * was held (a client far away keeps what it learnt it needs across a
 * lapse of its pressure). Its slots change at most once a second: the
 * DELAYs of one burst are one sign, not many. Racing updates from c's
 * concurrent requests may lose one step; the next request corrects it.
 */
void efs_pressure_note(struct efs_client *c)
{
	unsigned long now = jiffies, step = READ_ONCE(c->pressure_step);

	if (!efs_client_held(c, now) || !time_before(now, step + HZ)) {
		WRITE_ONCE(c->pressure_slots,
			   efs_pressure_slots_next(READ_ONCE(c->pressure_slots),
						   efs_pressure_slots(),
						   true));
		/* A full second of its requests before it may grow again. */
		WRITE_ONCE(c->pressure_step, now);
		atomic_set(&c->pressure_passed, 0);
		atomic_set(&c->pressure_waited, 0);
	}
	efs_pressure_extend(c, now);
}

/*
 * A client under pressure whose request still had to wait for budget asks
 * for more than it gets even through the fewer slots: keep it held, so
 * its pressure does not lapse into a burst of full-table requests and
 * DELAYs every EFS_PRESSURE_HZ. Pressure is only ever started by a DELAY:
 * a client that waits without being refused keeps its slots, and one that
 * the fewer slots hold below its budget stops waiting and is released
 * EFS_PRESSURE_HZ later.
 */
void efs_pressure_renew(struct efs_client *c)
{
	unsigned long now = jiffies;

	if (!efs_client_held(c, now))
		return;
	atomic_inc(&c->pressure_waited);
	efs_pressure_extend(c, now);
}

/*
 * A held client's request went through at once: the budget had room.
 * Once a second, if most of its requests did so rather than wait, its
 * slots carry less than it may use (a client far away needs more slots
 * for the same rate: slots / round trip): give it more. A request that
 * passes while the queue is briefly empty is no such sign, hence the
 * count. Cost: one jiffies comparison for an unthrottled request.
 */
void efs_pressure_underused(struct efs_client *c)
{
	unsigned long step, now = jiffies;

	if (likely(!efs_client_held(c, now)))
		return;
	atomic_inc(&c->pressure_passed);
	step = READ_ONCE(c->pressure_step);
	if (time_before(now, step + HZ) || cmpxchg(&c->pressure_step, step,
						   now) != step)
		return;
	if (atomic_xchg(&c->pressure_passed, 0) >
	    atomic_xchg(&c->pressure_waited, 0))
		WRITE_ONCE(c->pressure_slots,
			   efs_pressure_slots_next(READ_ONCE(c->pressure_slots),
						   efs_pressure_slots(),
						   false));
}

u64 efs_pressure_reply_count(void)
{
	return atomic64_read(&efs_pressure_replies);
}

u64 efs_pressure_withheld_count(void)
{
	return atomic64_read(&efs_pressure_withheld);
}

/* Session slots a client under pressure is asked to use first. */
u32 efs_pressure_slots(void)
{
	return max(efs_budget_limit() / 2, 2U);
}

/* One client's pressure state on one filesystem, at jiffies now. */
enum efs_pressure_state {
	EFS_PRESSURE_NONE,	/* within its share there */
	EFS_PRESSURE_HELD,	/* refused lately: ask for fewer slots */
	EFS_PRESSURE_SHARED,	/* refused, but its session carries more */
};

static enum efs_pressure_state efs_client_pressure(struct efs_client *c,
						   unsigned long now)
{
	if (!efs_client_held(c, now))
		return EFS_PRESSURE_NONE;
	if (time_before(now, READ_ONCE(c->shared_until)))
		return EFS_PRESSURE_SHARED;
	return EFS_PRESSURE_HELD;
}

/* The slots a held client with learnt slots is asked to use: never below the floor. */
static u32 efs_pressure_ask(u32 slots)
{
	return max(slots, efs_pressure_slots());
}

/*
 * The session slots c's SEQUENCE replies ask for while it is held; 0 when
 * it is not held or its session is shared (nothing is asked then).
 */
u32 efs_pressure_client_slots(struct efs_client *c)
{
	if (efs_client_pressure(c, jiffies) != EFS_PRESSURE_HELD)
		return 0;
	return efs_pressure_ask(READ_ONCE(c->pressure_slots));
}

struct efs_pressure_probe {
	struct efs_client_key key;
	unsigned long now;
	bool mark_shared;		/* mark each of the client's entries */
	enum efs_pressure_state found;	/* the strongest state seen */
	u32 slots;			/* the most a held entry was given */
};

static bool efs_pressure_probe_fs(struct efs_fs *fs, void *arg)
{
	struct efs_pressure_probe *p = arg;
	struct efs_client *c = efs_client_find_rcu(&fs->clients, &p->key);
	enum efs_pressure_state state;

	if (!c)
		return false;
	state = efs_client_pressure(c, p->now);
	p->found = max(p->found, state);
	if (state == EFS_PRESSURE_HELD)
		p->slots = max(p->slots, READ_ONCE(c->pressure_slots));
	if (!p->mark_shared)
		return p->found == EFS_PRESSURE_SHARED;	/* can't grow */
	/*
	 * Only an entry under pressure is marked: one marked while within
	 * its share would stay shared for the first EFS_PRESSURE_HZ of its
	 * next pressure, its session never held, a DELAY storm each time.
	 */
	if (state != EFS_PRESSURE_NONE &&
	    READ_ONCE(c->shared_until) != p->now + EFS_PRESSURE_HZ)
		WRITE_ONCE(c->shared_until, p->now + EFS_PRESSURE_HZ);
	return false;
}

/*
 * The request's client on every filesystem (marking it, if asked), and
 * the slots its held entries were given (*slots, if not NULL).
 */
static enum efs_pressure_state efs_addr_pressure(struct svc_rqst *rqstp,
						 unsigned long now,
						 bool mark_shared, u32 *slots)
{
	struct efs_pressure_probe p = { .now = now,
					.mark_shared = mark_shared };

	if (!efs_client_key_from_addr(&p.key,
				      (const struct sockaddr *)&rqstp->rq_addr,
				      rqstp->rq_addrlen))
		return EFS_PRESSURE_NONE;
	rcu_read_lock();
	efs_fs_any_rcu(efs_pressure_probe_fs, &p);
	rcu_read_unlock();
	if (slots)
		*slots = p.slots;
	return p.found;
}

/* Bounds-checked reads of the reply's 32-bit words. */
struct efs_xdr_cursor {
	__be32 *p, *end;
};

static __be32 *efs_xdr_take(struct efs_xdr_cursor *x, size_t words)
{
	__be32 *p = x->p;

	if (x->end - x->p < (ptrdiff_t)words)
		return NULL;
	x->p += words;
	return p;
}

/* Skip an opaque<> (length, then the bytes padded to 4). */
static bool efs_xdr_skip_opaque(struct efs_xdr_cursor *x, u32 max)
{
	__be32 *len = efs_xdr_take(x, 1);

	if (!len || be32_to_cpup(len) > max)
		return false;
	return efs_xdr_take(x, XDR_QUADLEN(be32_to_cpup(len))) != NULL;
}

/*
 * Find sr_target_highest_slotid of a COMPOUND reply whose first result is
 * a successful SEQUENCE: RPC reply header, COMPOUND4res header, SEQUENCE4res.
 */
static __be32 *efs_seq_target(struct svc_rqst *rqstp, u32 *nops)
{
	struct kvec *head = &rqstp->rq_res.head[0];
	struct efs_xdr_cursor x = {
		.p = head->iov_base,
		.end = head->iov_base + (head->iov_len & ~3UL),
	};
	__be32 *w;

	if (!x.p)
		return NULL;
	/* On some kernels a stream record marker comes first. */
	if (x.p < x.end && *x.p != rqstp->rq_xid)
		x.p++;
	w = efs_xdr_take(&x, 3);	/* xid, REPLY, MSG_ACCEPTED */
	if (!w || w[0] != rqstp->rq_xid || be32_to_cpu(w[1]) != 1 || w[2])
		return NULL;
	w = efs_xdr_take(&x, 1);	/* verifier flavor */
	if (!w || be32_to_cpup(w) == EFS_RPC_AUTH_GSS ||
	    !efs_xdr_skip_opaque(&x, 400))
		return NULL;
	w = efs_xdr_take(&x, 2);	/* accept_stat SUCCESS, compound status */
	if (!w || w[0])
		return NULL;
	if (!efs_xdr_skip_opaque(&x, 1024))	/* tag */
		return NULL;
	w = efs_xdr_take(&x, 3);	/* result count, resop, sr_status */
	if (!w || !be32_to_cpu(w[0]) ||
	    be32_to_cpu(w[1]) != EFS_OP_SEQUENCE || w[2])
		return NULL;
	*nops = be32_to_cpu(w[0]);
	/* sessionid (4 words), sequenceid, slotid, highest_slotid */
	if (!efs_xdr_take(&x, 7))
		return NULL;
	return efs_xdr_take(&x, 1);
}

/*
 * Patch the SEQUENCE reply of a client under pressure. The RPC's own
 * client entry (c on fs) decides when it has one: HELD patches; NONE (a
 * filesystem where the client is within its share) marks the session
 * shared, as does anything past SEQUENCE that touched no filesystem of
 * efs (an unclaimed export). A lone SEQUENCE asks the client's other
 * entries.
 */
void efs_pressure_reply(struct svc_rqst *rqstp, struct efs_fs *fs,
			struct efs_client *c)
{
	unsigned long now = jiffies;
	enum efs_pressure_state state;
	__be32 *target;
	u32 slots = 0, nops = 0, want;

	if (!time_before(now, READ_ONCE(efs_pressure_until)))
		return;
	if (rqstp->rq_prog != EFS_NFS_PROGRAM || rqstp->rq_vers != 4 ||
	    rqstp->rq_proc != EFS_NFSPROC4_COMPOUND)
		return;
	target = efs_seq_target(rqstp, &nops);
	if (!target)
		return;
	if (c && !efs_client_is_overflow(&fs->clients, c)) {
		state = efs_client_pressure(c, now);
		slots = READ_ONCE(c->pressure_slots);
	} else if (nops > 1) {
		state = EFS_PRESSURE_NONE;
	} else {
		state = efs_addr_pressure(rqstp, now, false, &slots);
	}

	if (state == EFS_PRESSURE_NONE) {
		/* Traffic efs does not hold: the session must not be held. */
		if (efs_addr_pressure(rqstp, now, true, NULL) !=
		    EFS_PRESSURE_NONE)
			atomic64_inc(&efs_pressure_withheld);
		return;
	}
	if (state == EFS_PRESSURE_SHARED) {
		atomic64_inc(&efs_pressure_withheld);
		return;
	}
	want = efs_pressure_ask(slots) - 1;
	if (be32_to_cpup(target) <= want)
		return;
	*target = cpu_to_be32(want);
	atomic64_inc(&efs_pressure_replies);
}
