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

void efs_rpc_begin(struct efs_rpc *rpc, struct svc_rqst *rqstp)
{
	struct efs_rpc_bucket *b = efs_rpc_bucket(rqstp);

	memset(rpc, 0, sizeof(*rpc));
	rpc->rqstp = rqstp;
	spin_lock(&b->lock);
	hlist_add_head(&rpc->node, &b->head);
	spin_unlock(&b->lock);
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

static struct efs_fs *efs_fs_of_fh(void *fhp)
{
	struct efs_svc_fh *fh = fhp;
	struct efs_svc_export *exp = READ_ONCE(fh->fh_export);

	if (!exp)
		return NULL;
	return efs_fs_lookup_export(&exp->ex_path);
}

static u32 efs_units(struct efs_fs *fs, enum efs_op_kind kind)
{
	return efs_op_units(kind, READ_ONCE(fs->cfg.write_weight));
}

/*
 * A charge outside any RPC we saw begin (lockd's opens, say) or on a second
 * filesystem within one compound: charge and count it on its own.
 */
static int efs_charge_alone(struct efs_fs *fs, struct svc_rqst *rqstp,
			    enum efs_op_kind kind, u64 bytes)
{
	u32 ratio = READ_ONCE(fs->cfg.read_ratio);
	u64 metered = efs_metered_bytes(kind, bytes, ratio);
	u32 units = efs_units(fs, kind);
	int err;

	err = efs_throttle(fs, units, metered, rqstp);
	if (!err) {
		efs_stats_seen_client(fs, rqstp);
		efs_stats_add_op(fs, kind, bytes, metered);
		efs_stats_add_units(fs, units);
	}
	return err;
}

/* After a successful fh_verify(): returns 0 or -EAGAIN (answer DELAY). */
int efs_rpc_fh_verified(struct svc_rqst *rqstp, void *fhp, int access)
{
	enum efs_op_kind kind = (access & EFS_NFSD_MAY_UPDATE) ?
				EFS_OP_META_WRITE : EFS_OP_META_READ;
	struct efs_rpc *rpc;
	struct efs_fs *fs;
	u32 extra;
	int err;

	fs = efs_fs_of_fh(fhp);
	if (!fs)
		return 0;
	rpc = efs_rpc_find(rqstp);
	if (!rpc || (rpc->fs && rpc->fs != fs)) {
		err = efs_charge_alone(fs, rqstp, kind, 0);
		efs_fs_put(fs);
		return err;
	}

	if (!rpc->fs) {
		rpc->fs = fs;		/* the RPC keeps our reference */
		efs_stats_seen_client(fs, rqstp);	/* once per RPC */
		rpc->kind = kind;
		rpc->units = efs_units(fs, kind);
		rpc->metered = EFS_METER_MIN_BYTES;
		err = efs_throttle(fs, rpc->units, rpc->metered, rqstp);
		if (err)
			rpc->failed = true;
		return err;
	}
	efs_fs_put(fs);

	/* Seen before in this RPC: only an upgrade to an update costs more. */
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

/* Before a data read or write of bytes: returns 0 or -EAGAIN. */
int efs_rpc_data(struct svc_rqst *rqstp, void *fhp, bool write, u64 bytes)
{
	enum efs_op_kind kind = write ? EFS_OP_DATA_WRITE : EFS_OP_DATA_READ;
	struct efs_rpc *rpc;
	struct efs_fs *fs;
	u64 metered, extra_bytes;
	u32 extra_units;
	int err;

	fs = efs_fs_of_fh(fhp);
	if (!fs)
		return 0;
	rpc = efs_rpc_find(rqstp);
	if (!rpc || rpc->fs != fs) {
		/* Bytes are counted when the data operation is done. */
		metered = efs_metered_bytes(kind, bytes,
					    READ_ONCE(fs->cfg.read_ratio));
		err = efs_throttle(fs, efs_units(fs, kind), metered, rqstp);
		efs_fs_put(fs);
		return err;
	}
	efs_fs_put(fs);

	metered = efs_metered_bytes(kind, rpc->data_bytes + bytes,
				    READ_ONCE(fs->cfg.read_ratio));
	extra_bytes = metered > rpc->metered ? metered - rpc->metered : 0;
	extra_units = 0;
	if (write && !efs_op_is_write(rpc->kind))
		extra_units = efs_units(fs, kind) - rpc->units;
	rpc->kind = kind;
	rpc->metered += extra_bytes;
	rpc->units += extra_units;
	err = efs_throttle(fs, extra_units, extra_bytes, rqstp);
	if (err)
		rpc->failed = true;
	return err;
}

/* After the data operation: record the bytes actually moved. */
void efs_rpc_data_done(struct svc_rqst *rqstp, void *fhp, bool write,
		       u64 bytes)
{
	enum efs_op_kind kind = write ? EFS_OP_DATA_WRITE : EFS_OP_DATA_READ;
	struct efs_rpc *rpc;
	struct efs_fs *fs;

	fs = efs_fs_of_fh(fhp);
	if (!fs)
		return;
	rpc = efs_rpc_find(rqstp);
	if (rpc && rpc->fs == fs) {
		rpc->data_bytes += bytes;
	} else {
		efs_stats_add_op(fs, kind, bytes,
				 efs_metered_bytes(kind, bytes,
						   READ_ONCE(fs->cfg.read_ratio)));
		efs_stats_add_units(fs, efs_units(fs, kind));
	}
	efs_fs_put(fs);
}
