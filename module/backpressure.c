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
 * per-client fairness). sr_highest_slotid is left as knfsd set it.
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
#include "budget.h"

#define EFS_PRESSURE_HZ		(5 * HZ)	/* after the last DELAY */
#define EFS_NFS_PROGRAM		100003
#define EFS_NFSPROC4_COMPOUND	1
#define EFS_OP_SEQUENCE		53
#define EFS_RPC_AUTH_GSS	6

static unsigned long efs_pressure_until;	/* jiffies; any client */
static atomic64_t efs_pressure_replies = ATOMIC64_INIT(0);

void efs_pressure_note(struct efs_client *c)
{
	unsigned long until = jiffies + EFS_PRESSURE_HZ;

	if (READ_ONCE(c->pressure_until) != until)
		WRITE_ONCE(c->pressure_until, until);
	if (READ_ONCE(efs_pressure_until) != until)
		WRITE_ONCE(efs_pressure_until, until);
}

u64 efs_pressure_reply_count(void)
{
	return atomic64_read(&efs_pressure_replies);
}

/* Session slots a client under pressure is asked to use. */
u32 efs_pressure_slots(void)
{
	return max(efs_budget_limit() / 2, 2U);
}

struct efs_pressure_probe {
	struct efs_client_key key;
	unsigned long now;
};

static bool efs_pressured_on(struct efs_fs *fs, void *arg)
{
	struct efs_pressure_probe *p = arg;
	struct efs_client *c = efs_client_find_rcu(&fs->clients, &p->key);

	return c && time_before(p->now, READ_ONCE(c->pressure_until));
}

static bool efs_client_pressured(struct svc_rqst *rqstp, unsigned long now)
{
	struct efs_pressure_probe p = { .now = now };
	bool found;

	if (!efs_client_key_from_addr(&p.key,
				      (const struct sockaddr *)&rqstp->rq_addr,
				      rqstp->rq_addrlen))
		return false;
	rcu_read_lock();
	found = efs_fs_any_rcu(efs_pressured_on, &p);
	rcu_read_unlock();
	return found;
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
static __be32 *efs_seq_target(struct svc_rqst *rqstp)
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
	/* sessionid (4 words), sequenceid, slotid, highest_slotid */
	if (!efs_xdr_take(&x, 7))
		return NULL;
	return efs_xdr_take(&x, 1);
}

void efs_pressure_reply(struct svc_rqst *rqstp)
{
	unsigned long now = jiffies;
	__be32 *target;
	u32 want;

	if (!time_before(now, READ_ONCE(efs_pressure_until)))
		return;
	if (rqstp->rq_prog != EFS_NFS_PROGRAM || rqstp->rq_vers != 4 ||
	    rqstp->rq_proc != EFS_NFSPROC4_COMPOUND)
		return;
	if (!efs_client_pressured(rqstp, now))
		return;
	target = efs_seq_target(rqstp);
	want = efs_pressure_slots() - 1;
	if (!target || be32_to_cpup(target) <= want)
		return;
	*target = cpu_to_be32(want);
	atomic64_inc(&efs_pressure_replies);
}
