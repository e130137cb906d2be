// SPDX-License-Identifier: GPL-2.0
/*
 * What each NFS RPC costs, decided from the knfsd hooks.
 *
 * The first fh_verify() of an RPC that lands in a claimed export charges
 * the ops budgets once (one op to the read or the write budget; 1 unit of
 * the combined budget for a read, write_weight units for an update) and
 * 4 KiB of metered bytes (the EFS minimum). Data reads and writes then
 * charge the rest of their metered bytes, and a write that was first seen
 * as a read (NFSv4: PUTFH then WRITE) is charged one write op and the
 * difference in units, and once that is admitted its read op is given
 * back. Further fh_verify() calls of the same RPC cost nothing: one RPC is
 * charged once against each budget.
 *
 * The hot path stays cheap: while no filesystem is registered RPCs are not
 * tracked at all; a hook in an unclaimed export costs one RCU hash walk;
 * once an RPC holds its filesystem, its later hooks take no reference.
 * An RPC in a claimed export also looks its client up once (one more RCU
 * hash lookup and a reference) and adds to two of the client's atomics.
 */
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/sunrpc/svc.h>
#include "efs.h"
#include "budget.h"
#include "charge.h"
#include "nfsd_compat.h"
#include "registry.h"
#include "request.h"
#include "stats.h"
#include "throttle.h"
#include "transit.h"

#define EFS_RPC_HASH_BITS	7

/*
 * A bucket a cache line: every nfsd thread adds and removes its RPC here
 * on every RPC, and four buckets sharing a line made all of them bounce
 * it between CPUs (8 KiB in all).
 *
 * The first RPC to find its bucket's owner slot free takes it: adding,
 * finding and removing it then take no lock (with 128 buckets and a few
 * dozen nfsd threads, nearly every RPC). Only the thread of owner's
 * svc_rqst reads owned, and only it clears the slot, so a thread that
 * reads someone else's owner looks in the list instead. The others go to
 * the list, under the lock.
 */
struct efs_rpc_bucket {
	spinlock_t lock;
	struct hlist_head head;
	struct svc_rqst *owner;
	struct efs_rpc *owned;
} ____cacheline_aligned_in_smp;

static struct efs_rpc_bucket efs_rpc_hash[1 << EFS_RPC_HASH_BITS];

void efs_request_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(efs_rpc_hash); i++) {
		spin_lock_init(&efs_rpc_hash[i].lock);
		INIT_HLIST_HEAD(&efs_rpc_hash[i].head);
	}
}

static struct efs_rpc_bucket *efs_rpc_bucket(struct svc_rqst *rqstp)
{
	return &efs_rpc_hash[hash_ptr(rqstp, EFS_RPC_HASH_BITS)];
}

/*
 * Returns false, and tracks nothing, while no filesystem is registered:
 * then an RPC costs one list check. A filesystem added in the middle of an
 * untracked RPC charges that RPC's requests on their own.
 */
bool efs_rpc_begin(struct efs_rpc *rpc, struct svc_rqst *rqstp)
{
	struct efs_rpc_bucket *b = efs_rpc_bucket(rqstp);

	if (list_empty(&efs_fs_list))
		return false;
	memset(rpc, 0, sizeof(*rpc));
	rpc->rqstp = rqstp;
	/* The default waiting budget follows "rpc.nfsd N" (one compare). */
	if (rqstp->rq_server)
		efs_budget_note_threads(READ_ONCE(rqstp->rq_server->sv_nrthreads));
	if (!READ_ONCE(b->owner) && !cmpxchg(&b->owner, NULL, rqstp)) {
		b->owned = rpc;
		return true;
	}
	spin_lock(&b->lock);
	hlist_add_head(&rpc->node, &b->head);
	spin_unlock(&b->lock);
	return true;
}

/* rqstp's RPC if it holds its bucket's owner slot: no lock, no walk. */
static struct efs_rpc *efs_rpc_owned(struct svc_rqst *rqstp)
{
	struct efs_rpc_bucket *b = efs_rpc_bucket(rqstp);

	return READ_ONCE(b->owner) == rqstp ? b->owned : NULL;
}

/*
 * rqstp's RPC in its bucket's list (it does not own the slot). Only the
 * nfsd thread that owns rqstp looks its RPC up, and only that thread
 * removes it, so the result stays valid after the lock is dropped.
 */
static struct efs_rpc *efs_rpc_find_listed(struct svc_rqst *rqstp)
{
	struct efs_rpc_bucket *b = efs_rpc_bucket(rqstp);
	struct efs_rpc *rpc, *found = NULL;

	spin_lock(&b->lock);
	hlist_for_each_entry(rpc, &b->head, node) {
		if (rpc->rqstp == rqstp) {
			found = rpc;
			break;
		}
	}
	spin_unlock(&b->lock);
	return found;
}

/*
 * The client of rqstp on fs, referenced (NULL: no address). A known
 * client costs one RCU hash lookup; see clients.c.
 */
static struct efs_client *efs_rqst_client(struct efs_fs *fs,
					  struct svc_rqst *rqstp)
{
	struct efs_client_key key;

	if (!rqstp || !efs_client_key_from_addr(&key,
			(const struct sockaddr *)&rqstp->rq_addr,
			rqstp->rq_addrlen))
		return NULL;
	return efs_client_get(&fs->clients, &key, jiffies);
}

/*
 * A client's counters are shared atomics, not per-CPU as the filesystem's
 * (stats.c): the server holds up to efs_clients_max of them, and a
 * per-CPU copy each would cost clients x CPUs x 32 bytes; one client's
 * RPCs are few at a time (its slots), so its line is seldom contended,
 * where every client's requests meet on the filesystem's counters.
 */
static void efs_client_account(struct efs_client *c, u64 metered, bool tls)
{
	if (!c)
		return;
	atomic64_inc(&c->ops);
	atomic64_add(metered, &c->metered_bytes);
	if (tls)
		atomic64_inc(&c->tls_ops);
	if (READ_ONCE(c->tls) != tls)	/* written only when it changes */
		WRITE_ONCE(c->tls, tls);
}

/*
 * Count one operation for fs and its client (c may be NULL): write_op,
 * the budget it was charged to (an RPC that wrote and then read is a
 * write).
 */
static void efs_account(struct efs_fs *fs, struct efs_client *c,
			enum efs_op_kind kind, u64 bytes, u64 metered,
			u32 units, bool write_op, bool tls)
{
	efs_stats_add_request(fs, kind, bytes, metered, units, write_op, tls);
	efs_client_account(c, metered, tls);
}

static void efs_rpc_account(struct efs_fs *fs, struct efs_rpc *rpc)
{
	efs_account(fs, rpc->client, rpc->kind, rpc->data_bytes, rpc->metered,
		    rpc->units, rpc->write_op, rpc->tls);
}

void efs_rpc_end(struct efs_rpc *rpc)
{
	struct efs_rpc_bucket *b = efs_rpc_bucket(rpc->rqstp);

	if (efs_rpc_owned(rpc->rqstp) == rpc) {
		b->owned = NULL;
		/* owned is clear before the next owner can take the slot */
		smp_store_release(&b->owner, NULL);
	} else {
		spin_lock(&b->lock);
		hlist_del(&rpc->node);
		spin_unlock(&b->lock);
	}

	efs_priority_restore(&rpc->prio);
	if (!rpc->fs)
		return;
	if (!rpc->failed)
		efs_rpc_account(rpc->fs, rpc);
	if (rpc->client)
		efs_client_put(rpc->client);
	efs_fs_put(rpc->fs);
}

/*
 * The filesystem claiming fhp's export, and (in *rpcp) the RPC it is part
 * of, if we track it. Returns NULL, or the RPC's own filesystem (no
 * reference taken: the RPC holds one), or a new reference the caller puts.
 *
 * A further request of an RPC on the export its claim found (the READ
 * after the PUTFH, the next fh_verify) is answered from the RPC in its
 * bucket's owner slot: no registry walk, no lock. Otherwise an unclaimed
 * export costs one RCU hash walk and no lock; that walk comes before the
 * RPC's lookup (a bucket lock, unless the RPC owns its slot) so that it
 * stays so.
 */
static struct efs_fs *efs_claimant(struct svc_rqst *rqstp, void *fhp,
				   struct efs_rpc **rpcp)
{
	struct efs_svc_fh *fh = fhp;
	struct efs_svc_export *exp = READ_ONCE(fh->fh_export);
	struct efs_rpc *rpc = NULL;
	struct efs_fs *fs;

	*rpcp = NULL;
	if (!exp)
		return NULL;
	rpc = efs_rpc_owned(rqstp);
	if (rpc && rpc->export == exp && !READ_ONCE(rpc->fs->dead)) {
		*rpcp = rpc;
		return rpc->fs;
	}
	rcu_read_lock();
	fs = efs_fs_find_export_rcu(&exp->ex_path);
	if (fs) {
		if (!rpc)
			rpc = efs_rpc_find_listed(rqstp);
		if ((!rpc || rpc->fs != fs) && !refcount_inc_not_zero(&fs->ref))
			fs = NULL;
	}
	rcu_read_unlock();
	*rpcp = rpc;
	return fs;
}

static u32 efs_units(struct efs_fs *fs, enum efs_op_kind kind)
{
	return efs_op_units(kind, READ_ONCE(fs->cfg.write_weight));
}

static u64 efs_metered(struct efs_fs *fs, enum efs_op_kind kind, u64 bytes)
{
	return efs_metered_bytes(kind, bytes, READ_ONCE(fs->cfg.read_ratio));
}

/* Count an operation charged on its own (outside the RPC's accounting). */
static void efs_account_alone(struct efs_fs *fs, struct efs_client *c,
			      struct svc_rqst *rqstp, enum efs_op_kind kind,
			      u64 bytes)
{
	efs_account(fs, c, kind, bytes, efs_metered(fs, kind, bytes),
		    efs_units(fs, kind), efs_op_is_write(kind),
		    efs_transit_tls(rqstp));
}

/* One request of kind: its ops and metered bytes. */
static void efs_cost_of(struct efs_fs *fs, enum efs_op_kind kind, u64 metered,
			struct efs_cost *cost)
{
	efs_op_cost(cost, kind, READ_ONCE(fs->cfg.write_weight), metered);
}

/* Charge an operation on its own: its ops and its metered bytes. */
static int efs_charge_alone(struct efs_fs *fs, struct efs_client *c,
			    struct svc_rqst *rqstp, enum efs_op_kind kind,
			    u64 bytes)
{
	struct efs_cost cost;
	int err;

	efs_cost_of(fs, kind, efs_metered(fs, kind, bytes), &cost);
	err = efs_throttle(fs, c, &cost, rqstp);
	return min(err, 0);
}

/* Charge the RPC more; if refused (DELAY), the RPC counts as nothing. */
static int efs_rpc_charge(struct efs_rpc *rpc, const struct efs_cost *cost)
{
	int err = efs_throttle(rpc->fs, rpc->client, cost, rpc->rqstp);

	if (err < 0) {
		rpc->failed = true;
		return err;
	}
	if (err)
		efs_priority_lower(&rpc->prio);
	return 0;
}

/* The RPC's first touch of fs: charge it once, units and minimum bytes. */
static int efs_rpc_claim(struct efs_rpc *rpc, struct efs_fs *fs,
			 const void *export, enum efs_op_kind kind, bool tls)
{
	struct efs_cost cost;

	rpc->fs = fs;		/* the RPC keeps the caller's reference */
	rpc->export = export;
	rpc->client = efs_rqst_client(fs, rpc->rqstp);
	rpc->tls = tls;
	rpc->kind = kind;
	rpc->metered = EFS_METER_MIN_BYTES;
	efs_cost_of(fs, kind, rpc->metered, &cost);
	rpc->units = cost.units;
	rpc->write_op = cost.writes;
	return efs_rpc_charge(rpc, &cost);
}

/*
 * An RPC charged as a read turns out to be a write: charge it one write
 * op, extra units and extra_bytes, and once that is admitted give its
 * read op back, so it ends charged once, as a write.
 */
static int efs_rpc_charge_write(struct efs_rpc *rpc, u32 extra_units,
				u64 extra_bytes)
{
	static const struct efs_cost read_op = { .reads = 1 };
	struct efs_cost cost = {
		.units = extra_units, .writes = 1, .metered = extra_bytes,
	};
	int err;

	rpc->units += extra_units;
	rpc->metered += extra_bytes;
	rpc->write_op = true;
	err = efs_rpc_charge(rpc, &cost);
	if (!err)
		efs_refund_fs(rpc->fs, &read_op);
	return err;
}

/*
 * A request that fs's transit policy refuses (it did not come over TLS):
 * counted for fs and its client. Puts the caller's reference to fs.
 */
static int efs_refuse_plaintext(struct efs_fs *fs, struct svc_rqst *rqstp)
{
	struct efs_client *c = efs_rqst_client(fs, rqstp);

	efs_transit_refused(fs, c);
	if (c)
		efs_client_put(c);
	efs_fs_put(fs);
	return -EACCES;
}

/*
 * After a successful fh_verify(): returns 0, -EAGAIN (answer DELAY) or
 * -EACCES (refused: not over TLS, see transit.c). A further verify of the
 * RPC's own export costs no lookup and nothing more, unless the RPC turns
 * out to be an update.
 */
int efs_rpc_fh_verified(struct svc_rqst *rqstp, void *fhp, int access)
{
	enum efs_op_kind kind = (access & EFS_NFSD_MAY_UPDATE) ?
				EFS_OP_META_WRITE : EFS_OP_META_READ;
	struct efs_svc_fh *fh = fhp;
	struct efs_client *c;
	struct efs_rpc *rpc;
	struct efs_fs *fs;
	u32 extra;
	bool tls;
	int err;

	fs = efs_claimant(rqstp, fhp, &rpc);
	if (!fs)
		return 0;
	if (rpc && rpc->fs == fs) {
		if (kind != EFS_OP_META_WRITE || rpc->write_op)
			return 0;
		rpc->kind = EFS_OP_META_WRITE;
		extra = efs_units(fs, kind) - rpc->units;
		return efs_rpc_charge_write(rpc, extra, 0);
	}
	/* From here on the caller holds a reference to fs. */
	tls = efs_transit_tls(rqstp);
	if (!efs_transit_allowed(fs, tls, access))
		return efs_refuse_plaintext(fs, rqstp);
	if (rpc && !rpc->fs)
		return efs_rpc_claim(rpc, fs, READ_ONCE(fh->fh_export), kind,
				     tls);

	/*
	 * Outside any RPC we saw begin (lockd's opens, say) or a second
	 * filesystem within one compound: charge and count it on its own.
	 */
	c = efs_rqst_client(fs, rqstp);
	err = efs_charge_alone(fs, c, rqstp, kind, 0);
	if (!err)
		efs_account_alone(fs, c, rqstp, kind, 0);
	if (c)
		efs_client_put(c);
	efs_fs_put(fs);
	return err;
}

/*
 * Before a data read or write of bytes: returns 0 or -EAGAIN (answer
 * DELAY). On 0, efs_data_end() must follow.
 */
int efs_data_begin(struct efs_data_op *op, struct svc_rqst *rqstp, void *fhp,
		   bool write, u64 bytes)
{
	struct efs_rpc *rpc;
	struct efs_fs *fs;
	u64 metered, extra_bytes;
	int err;

	op->kind = write ? EFS_OP_DATA_WRITE : EFS_OP_DATA_READ;
	op->rpc = NULL;
	op->client = NULL;
	op->fs = efs_claimant(rqstp, fhp, &rpc);
	fs = op->fs;
	if (!fs)
		return 0;
	if (!rpc || rpc->fs != fs) {
		/* Charged on its own; counted by efs_data_end(). */
		op->client = efs_rqst_client(fs, rqstp);
		err = efs_charge_alone(fs, op->client, rqstp, op->kind, bytes);
		if (err) {
			if (op->client)
				efs_client_put(op->client);
			efs_fs_put(fs);
			op->fs = NULL;
		}
		return err;
	}

	/* Charge what the data adds to the RPC's minimum and its ops. */
	metered = efs_metered(fs, op->kind, rpc->data_bytes + bytes);
	extra_bytes = metered > rpc->metered ? metered - rpc->metered : 0;
	rpc->kind = op->kind;
	if (write && !rpc->write_op) {
		err = efs_rpc_charge_write(rpc, efs_units(fs, op->kind) -
					   rpc->units, extra_bytes);
	} else if (extra_bytes) {
		struct efs_cost cost = { .metered = extra_bytes };

		rpc->metered += extra_bytes;
		err = efs_rpc_charge(rpc, &cost);
	} else {
		err = 0;	/* within the 4 KiB its claim paid */
	}
	if (!err)
		op->rpc = rpc;
	return err;
}

/* After the data operation: ok if it succeeded, moving bytes. */
void efs_data_end(struct efs_data_op *op, struct svc_rqst *rqstp, bool ok,
		  u64 bytes)
{
	if (!op->fs)
		return;
	if (op->rpc) {
		if (ok)
			op->rpc->data_bytes += bytes;
		return;		/* the RPC holds the reference */
	}
	if (ok)
		efs_account_alone(op->fs, op->client, rqstp, op->kind, bytes);
	if (op->client)
		efs_client_put(op->client);
	efs_fs_put(op->fs);
}
