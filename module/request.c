// SPDX-License-Identifier: GPL-2.0
/*
 * What each NFS RPC costs, decided from the knfsd hooks.
 *
 * The first fh_verify() of an RPC that lands in a claimed export charges
 * the ops budget once (1 unit for a read, write_weight units for an update)
 * and 4 KiB of metered bytes (the EFS minimum). Data reads and writes then
 * charge the rest of their metered bytes, and a write that was first seen
 * as a read (NFSv4: PUTFH then WRITE) pays the difference in units. Further
 * fh_verify() calls of the same RPC cost nothing: one RPC is charged once.
 *
 * The hot path stays cheap: while no filesystem is registered RPCs are not
 * tracked at all, and once an RPC holds its filesystem, later hooks of that
 * RPC recognise the export by its root without a registry lookup or a
 * reference count operation.
 */
#include <linux/hash.h>
#include <linux/sunrpc/svc.h>
#include "efs.h"
#include "nfsd_compat.h"

#define EFS_RPC_HASH_BITS	7

struct efs_rpc_bucket {
	spinlock_t lock;
	struct hlist_head head;
};

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
	spin_lock(&b->lock);
	hlist_add_head(&rpc->node, &b->head);
	spin_unlock(&b->lock);
	return true;
}

/*
 * Only the nfsd thread that owns rqstp looks its RPC up, and only that
 * thread removes it, so the result stays valid after the lock is dropped.
 */
static struct efs_rpc *efs_rpc_find(struct svc_rqst *rqstp)
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

static void efs_rpc_account(struct efs_fs *fs, struct efs_rpc *rpc)
{
	efs_stats_add_op(fs, rpc->kind, rpc->data_bytes, rpc->metered);
	efs_stats_add_units(fs, rpc->units);
}

void efs_rpc_end(struct efs_rpc *rpc)
{
	struct efs_rpc_bucket *b = efs_rpc_bucket(rpc->rqstp);

	spin_lock(&b->lock);
	hlist_del(&rpc->node);
	spin_unlock(&b->lock);

	if (!rpc->fs)
		return;
	if (!rpc->failed)
		efs_rpc_account(rpc->fs, rpc);
	efs_fs_put(rpc->fs);
}

/* The root of fhp's export, or NULL before fh_verify() has set it. */
static const struct path *efs_export_root(void *fhp)
{
	struct efs_svc_fh *fh = fhp;
	struct efs_svc_export *exp = READ_ONCE(fh->fh_export);

	return exp ? &exp->ex_path : NULL;
}

/* Is root the export of the RPC's filesystem (which the RPC holds)? */
static bool efs_rpc_owns(struct efs_rpc *rpc, const struct path *root)
{
	return rpc && rpc->fs && rpc->fs->path.dentry == root->dentry &&
	       rpc->fs->path.mnt == root->mnt;
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
static void efs_account_alone(struct efs_fs *fs, struct svc_rqst *rqstp,
			      enum efs_op_kind kind, u64 bytes)
{
	efs_stats_seen_client(fs, rqstp);
	efs_stats_add_op(fs, kind, bytes, efs_metered(fs, kind, bytes));
	efs_stats_add_units(fs, efs_units(fs, kind));
}

/* The RPC's first touch of fs: charge it once, units and minimum bytes. */
static int efs_rpc_claim(struct efs_rpc *rpc, struct efs_fs *fs,
			 enum efs_op_kind kind)
{
	int err;

	rpc->fs = fs;		/* the RPC keeps the caller's reference */
	efs_stats_seen_client(fs, rpc->rqstp);
	rpc->kind = kind;
	rpc->units = efs_units(fs, kind);
	rpc->metered = EFS_METER_MIN_BYTES;
	err = efs_throttle(fs, rpc->units, rpc->metered, rpc->rqstp);
	if (err)
		rpc->failed = true;
	return err;
}

/*
 * After a successful fh_verify(): returns 0 or -EAGAIN (answer DELAY).
 * A further verify of the RPC's own export costs no lookup and nothing
 * more, unless the RPC turns out to be an update.
 */
int efs_rpc_fh_verified(struct svc_rqst *rqstp, void *fhp, int access)
{
	enum efs_op_kind kind = (access & EFS_NFSD_MAY_UPDATE) ?
				EFS_OP_META_WRITE : EFS_OP_META_READ;
	const struct path *root = efs_export_root(fhp);
	struct efs_rpc *rpc;
	struct efs_fs *fs;
	u32 extra;
	int err;

	if (!root)
		return 0;
	rpc = efs_rpc_find(rqstp);
	if (efs_rpc_owns(rpc, root)) {
		if (kind != EFS_OP_META_WRITE || efs_op_is_write(rpc->kind))
			return 0;
		rpc->kind = EFS_OP_META_WRITE;
		extra = efs_units(rpc->fs, kind) - rpc->units;
		rpc->units += extra;
		err = efs_throttle(rpc->fs, extra, 0, rqstp);
		if (err)
			rpc->failed = true;
		return err;
	}

	fs = efs_fs_lookup_export(root);
	if (!fs)
		return 0;
	if (rpc && !rpc->fs)
		return efs_rpc_claim(rpc, fs, kind);

	/*
	 * Outside any RPC we saw begin (lockd's opens, say) or a second
	 * filesystem within one compound: charge and count it on its own.
	 */
	err = efs_throttle(fs, efs_units(fs, kind), efs_metered(fs, kind, 0),
			   rqstp);
	if (!err)
		efs_account_alone(fs, rqstp, kind, 0);
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
	const struct path *root = efs_export_root(fhp);
	struct efs_rpc *rpc;
	struct efs_fs *fs;
	u64 metered, extra_bytes;
	u32 extra_units = 0;
	int err;

	op->kind = write ? EFS_OP_DATA_WRITE : EFS_OP_DATA_READ;
	op->fs = NULL;
	op->rpc = NULL;
	if (!root)
		return 0;
	rpc = efs_rpc_find(rqstp);
	if (!efs_rpc_owns(rpc, root)) {
		/* Charged on its own; counted by efs_data_end(). */
		fs = efs_fs_lookup_export(root);
		if (!fs)
			return 0;
		err = efs_throttle(fs, efs_units(fs, op->kind),
				   efs_metered(fs, op->kind, bytes), rqstp);
		if (err) {
			efs_fs_put(fs);
			return err;
		}
		op->fs = fs;
		return 0;
	}

	/* Charge what the data adds to the RPC's minimum and its units. */
	fs = rpc->fs;
	metered = efs_metered(fs, op->kind, rpc->data_bytes + bytes);
	extra_bytes = metered > rpc->metered ? metered - rpc->metered : 0;
	if (write && !efs_op_is_write(rpc->kind))
		extra_units = efs_units(fs, op->kind) - rpc->units;
	rpc->kind = op->kind;
	rpc->metered += extra_bytes;
	rpc->units += extra_units;
	err = efs_throttle(fs, extra_units, extra_bytes, rqstp);
	if (err) {
		rpc->failed = true;
		return err;
	}
	op->fs = fs;
	op->rpc = rpc;
	return 0;
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
		efs_account_alone(op->fs, rqstp, op->kind, bytes);
	efs_fs_put(op->fs);
}
