// SPDX-License-Identifier: GPL-2.0
/*
 * NFSv4.2 COPY and CLONE: data that moves inside the server.
 *
 * knfsd copies with vfs_copy_file_range() and clones with
 * vfs_clone_file_range(), which no read or write hook sees: without this
 * file a tenant moves any number of bytes past its byte budget with cp.
 * Each chunk nfsd copies (nfsd_copy_file_range(): at most 4 MiB, for
 * synchronous and asynchronous COPY alike) and each CLONE is charged to
 * the byte budget as the read of the source plus the write of the
 * destination would be: the source's filesystem pays the read (metered at
 * 1/read_ratio, at least 4 KiB), the destination's the write (at least
 * 4 KiB), one filesystem both. They are counted like a data read and a
 * data write (DataReadIOBytes, DataWriteIOBytes, MeteredIOBytes). An
 * inter-server copy's source is read over NFS and charged by its server;
 * here only its write. No ops units: COPY's RPC already paid its own.
 *
 * The filesystem is found from the file: its dentry's ancestors on the
 * same mount, up to a claimed export root (nfsd opens a file on its
 * export's mount). A file in no claimed export is not charged.
 *
 * Each chunk is clamped to what the slowest budget it is charged to
 * passes in a given time, and charged before it moves:
 *  - a synchronous COPY (in an nfsd thread, inside nfsd4_copy()) moves
 *    what the budget passes in max_wait_ms and returns short (RFC 7862
 *    allows it; the client copies the rest with another COPY), after a
 *    wait efs_throttle() bounds like any request's: the fair queue, the
 *    server-wide waiting budget, DELAY past max_wait_ms, the client's own
 *    ceilings. efs_throttle() waits for the debt before a request and at
 *    most half of its own cost, so the rest of a chunk's budget time runs
 *    while it moves and the client sends the next COPY;
 *  - an asynchronous COPY (its own "copy thread" kthread, which loops
 *    over the whole range) is paced a quarter of a second of budget at a
 *    time: each chunk is charged and the kthread sleeps, interruptibly,
 *    until the debt before it is paid, stopping for kthread_stop()
 *    (OFFLOAD_CANCEL, nfsd shutting down), fs del and module unload. It
 *    holds no nfsd thread, so it takes no waiting slot.
 * A CLONE cannot return short and is done at once: it is charged whole
 * once it succeeded, as debt that the filesystem's next requests wait
 * for (one that fails, as cp's FICLONE attempt on a filesystem without
 * reflinks does, costs nothing).
 *
 * Cost: only COPY and CLONE reach this file. With no filesystem
 * registered each hook is one list check; otherwise a chunk costs one RCU
 * registry lookup per path component of each file, a clock read and the
 * byte buckets' cmpxchg, plus a short spinlocked list walk to find the
 * COPY's RPC.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/sunrpc/svc.h>
#include <linux/wait.h>
#include "efs.h"
#include "charge.h"
#include "clock.h"
#include "copy.h"
#include "rates.h"
#include "registry.h"
#include "stats.h"
#include "throttle.h"

#define EFS_COPY_CHUNK_NS	(250 * NSEC_PER_MSEC)
#define EFS_COPY_CHUNK_MIN	(64 * 1024ULL)
#define EFS_COPY_CHUNK_MAX	(4ULL << 20)	/* nfsd's own per call */
#define EFS_COPY_MAX_DEPTH	256		/* path components walked */

static LIST_HEAD(efs_copy_rpcs);
static DEFINE_SPINLOCK(efs_copy_lock);

void efs_copy_rpc_begin(struct efs_copy_rpc *cr, struct svc_rqst *rqstp)
{
	cr->tracked = !list_empty(&efs_fs_list);
	if (!cr->tracked)
		return;
	cr->task = current;
	cr->rqstp = rqstp;
	spin_lock(&efs_copy_lock);
	list_add(&cr->node, &efs_copy_rpcs);
	spin_unlock(&efs_copy_lock);
}

void efs_copy_rpc_end(struct efs_copy_rpc *cr)
{
	if (!cr->tracked)
		return;
	spin_lock(&efs_copy_lock);
	list_del(&cr->node);
	spin_unlock(&efs_copy_lock);
}

/* The RPC whose COPY this thread is running, or NULL (a copy thread). */
static struct svc_rqst *efs_copy_rqst(void)
{
	struct svc_rqst *rqstp = NULL;
	struct efs_copy_rpc *cr;

	spin_lock(&efs_copy_lock);
	list_for_each_entry(cr, &efs_copy_rpcs, node) {
		if (cr->task == current) {
			rqstp = cr->rqstp;
			break;
		}
	}
	spin_unlock(&efs_copy_lock);
	return rqstp;
}

/* The claimed filesystem file lies in, referenced, or NULL. */
static struct efs_fs *efs_file_fs(struct file *file)
{
	struct path p = { .mnt = file->f_path.mnt };
	struct dentry *d = file->f_path.dentry;
	struct efs_fs *fs = NULL;
	int depth;

	rcu_read_lock();
	for (depth = 0; depth < EFS_COPY_MAX_DEPTH; depth++) {
		p.dentry = d;
		fs = efs_fs_find_export_rcu(&p);
		if (fs || d == p.mnt->mnt_root || IS_ROOT(d))
			break;
		d = READ_ONCE(d->d_parent);
	}
	if (fs && !refcount_inc_not_zero(&fs->ref))
		fs = NULL;
	rcu_read_unlock();
	return fs;
}

static struct efs_client *efs_copy_client(struct efs_fs *fs,
					  struct svc_rqst *rqstp)
{
	struct efs_client_key key;

	if (!efs_client_key_from_addr(&key,
			(const struct sockaddr *)&rqstp->rq_addr,
			rqstp->rq_addrlen))
		return NULL;
	return efs_client_get(&fs->clients, &key, jiffies);
}

static u64 efs_copy_metered(const struct efs_copy_side *s,
			    enum efs_op_kind kind, u64 bytes)
{
	return efs_metered_bytes(kind, bytes, READ_ONCE(s->fs->cfg.read_ratio));
}

/* What side s is charged for moving bytes. */
static u64 efs_side_metered(const struct efs_copy_side *s, u64 bytes)
{
	u64 m = 0;

	if (s->read)
		m += efs_copy_metered(s, EFS_OP_DATA_READ, bytes);
	if (s->write)
		m += efs_copy_metered(s, EFS_OP_DATA_WRITE, bytes);
	return m;
}

static void efs_copy_release(struct efs_copy_op *op)
{
	struct efs_copy_side *s;

	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++) {
		if (s->client)
			efs_client_put(s->client);
		if (s->fs)
			efs_fs_put(s->fs);
		s->client = NULL;
		s->fs = NULL;
	}
}

/* The two sides of a copy from src to dst; false if neither is claimed. */
static bool efs_copy_sides(struct efs_copy_op *op, struct file *src,
			   struct file *dst)
{
	struct efs_copy_side *r = &op->side[0], *w = &op->side[1];

	memset(op, 0, sizeof(*op));
	if (list_empty(&efs_fs_list))
		return false;
	r->fs = efs_file_fs(src);
	r->read = true;
	w->fs = efs_file_fs(dst);
	w->write = true;
	if (r->fs && r->fs == w->fs) {
		efs_fs_put(r->fs);
		r->fs = NULL;
		w->read = true;
	}
	return r->fs || w->fs;
}

/*
 * Bytes per chunk: what moves at the slowest budget a side is charged to
 * in max_wait_ms (in an RPC, where the per-client ceiling counts too) or
 * EFS_COPY_CHUNK_NS (in a copy thread), between 64 KiB and nfsd's 4 MiB.
 */
static u64 efs_copy_chunk(struct efs_copy_op *op, bool rpc, u64 now)
{
	u64 chunk = EFS_COPY_CHUNK_MAX, ns, bps, metered, per_byte, ratio;
	struct efs_copy_side *s;

	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++) {
		if (!s->fs)
			continue;
		bps = efs_fs_permitted_bps(s->fs, now);
		if (rpc && READ_ONCE(s->fs->clients.ceilings.bps))
			bps = min_not_zero(bps,
					   READ_ONCE(s->fs->clients.ceilings.bps));
		if (!bps)
			continue;
		ns = rpc ? (u64)READ_ONCE(s->fs->cfg.max_wait_ms) *
			   NSEC_PER_MSEC : EFS_COPY_CHUNK_NS;
		metered = efs_ns_to_units(ns, bps);
		/* metered bytes per ratio bytes moved: 1 read, ratio written */
		ratio = READ_ONCE(s->fs->cfg.read_ratio) ?: 1;
		per_byte = (s->read ? 1 : 0) + (s->write ? ratio : 0);
		chunk = min(chunk, div64_u64(metered * ratio, per_byte));
	}
	chunk = max(chunk, EFS_COPY_CHUNK_MIN);
	return round_down(chunk, PAGE_SIZE);
}

static void efs_copy_refund(struct efs_copy_side *s, u64 metered)
{
	struct efs_client *c = s->client;
	struct efs_cost cost = { .metered = metered };

	efs_fs_refund_bytes(s->fs, metered);
	/* efs_throttle() charged the client's ceiling too (not overflow). */
	if (c && !efs_client_is_overflow(&s->fs->clients, c))
		efs_client_refund(c, &cost);
}

/*
 * In an nfsd thread: each side through efs_throttle(), as a request of
 * the RPC's client. On DELAY, what was already admitted is given back.
 */
static int efs_copy_admit(struct efs_copy_op *op, struct svc_rqst *rqstp)
{
	struct efs_copy_side *s, *t;
	struct efs_cost cost = {};

	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++) {
		if (!s->fs)
			continue;
		s->client = efs_copy_client(s->fs, rqstp);
		cost.metered = s->metered;
		if (efs_throttle(s->fs, s->client, &cost, rqstp) < 0) {
			for (t = op->side; t < s; t++)
				if (t->fs)
					efs_copy_refund(t, t->metered);
			efs_copy_release(op);
			return -EAGAIN;
		}
	}
	return 0;
}

static bool efs_copy_released(struct efs_copy_op *op)
{
	struct efs_copy_side *s;

	if (efs_throttle_releasing())
		return true;
	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++)
		if (s->fs && READ_ONCE(s->fs->dead))
			return true;
	return false;
}

static bool efs_copy_stopped(void)
{
	return ((current->flags & PF_KTHREAD) && kthread_should_stop()) ||
	       signal_pending(current);
}

/*
 * In a copy thread: charge every side, then sleep until the debt before
 * the chunk is paid; the chunk's own budget time runs while it moves, so
 * a copy thread woken late or a slow disk costs the copy no budget, and
 * the copy is never more than one chunk ahead of its budget. Stopped, it
 * gives the charge back and answers -EAGAIN (nfsd's copy loop ends; the
 * errno maps to NFS4ERR_DELAY without a warning).
 */
static int efs_copy_pace(struct efs_copy_op *op, u64 now)
{
	struct efs_copy_side *s;
	u64 wait = 0, w, own;
	long ret;

	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++) {
		if (!s->fs)
			continue;
		w = efs_fs_charge_bytes(s->fs, s->metered, now);
		own = efs_cost_to_ns(s->metered,
				     efs_fs_permitted_bps(s->fs, now));
		wait = max(wait, w > own ? w - own : 0);
	}
	if (!wait)
		return 0;
	ret = wait_event_interruptible_hrtimeout(efs_wait_wq,
						 efs_copy_released(op) ||
						 efs_copy_stopped(),
						 ns_to_ktime(wait));
	if (ret != -ETIME && !efs_copy_released(op)) {
		for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++)
			if (s->fs)
				efs_fs_refund_bytes(s->fs, s->metered);
		efs_copy_release(op);
		return -EAGAIN;
	}
	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++)
		if (s->fs)
			efs_stats_add_wait(s->fs, efs_now_ns() - now);
	return 0;
}

static void efs_copy_charge_sides(struct efs_copy_op *op, u64 bytes)
{
	struct efs_copy_side *s;

	op->bytes = bytes;
	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++)
		if (s->fs)
			s->metered = efs_side_metered(s, bytes);
}

int efs_copy_begin(struct efs_copy_op *op, struct file *src,
		   struct file *dst, u64 *count)
{
	struct svc_rqst *rqstp;
	u64 now;

	if (!efs_copy_sides(op, src, dst) || !*count) {
		efs_copy_release(op);
		return 0;
	}
	rqstp = efs_copy_rqst();
	now = efs_now_ns();
	*count = min(*count, efs_copy_chunk(op, rqstp != NULL, now));
	efs_copy_charge_sides(op, *count);
	if (rqstp)
		return efs_copy_admit(op, rqstp);
	return efs_copy_pace(op, now);
}

/* Count n bytes moved (a data read and a data write of n bytes). */
static void efs_copy_count(struct efs_copy_side *s, u64 n)
{
	if (s->read)
		efs_stats_add_op(s->fs, EFS_OP_DATA_READ, n,
				 efs_copy_metered(s, EFS_OP_DATA_READ, n));
	if (s->write)
		efs_stats_add_op(s->fs, EFS_OP_DATA_WRITE, n,
				 efs_copy_metered(s, EFS_OP_DATA_WRITE, n));
	if (s->client)
		atomic64_add(efs_side_metered(s, n), &s->client->metered_bytes);
}

void efs_copy_end(struct efs_copy_op *op, s64 moved)
{
	u64 n = moved > 0 ? min_t(u64, moved, op->bytes) : 0;
	struct efs_copy_side *s;
	u64 used;

	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++) {
		if (!s->fs)
			continue;
		used = n ? efs_side_metered(s, n) : 0;
		if (used < s->metered)
			efs_copy_refund(s, s->metered - used);
		if (n)
			efs_copy_count(s, n);
	}
	efs_copy_release(op);
}

void efs_clone_begin(struct efs_copy_op *op, struct svc_rqst *rqstp,
		     struct file *src, u64 src_pos, struct file *dst,
		     u64 count)
{
	struct efs_copy_side *s;
	loff_t size;

	if (!efs_copy_sides(op, src, dst))
		return;
	if (!count) {		/* to the end of the source */
		size = i_size_read(file_inode(src));
		count = size > src_pos ? size - src_pos : 0;
	}
	op->bytes = count;
	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++)
		if (s->fs)
			s->client = efs_copy_client(s->fs, rqstp);
}

/*
 * A CLONE is charged once it succeeded: it cannot return short, a clone
 * that fails costs nothing (cp tries FICLONE first on every file), and
 * one that succeeds is done at once. Its cost is left as debt in the
 * byte budgets, which the filesystem's next requests wait for.
 */
void efs_clone_end(struct efs_copy_op *op, bool ok)
{
	struct efs_copy_side *s;
	u64 now = efs_now_ns();

	for (s = op->side; s < op->side + ARRAY_SIZE(op->side); s++) {
		if (!s->fs || !ok || !op->bytes)
			continue;
		efs_fs_charge_bytes(s->fs, efs_side_metered(s, op->bytes), now);
		efs_copy_count(s, op->bytes);
	}
	efs_copy_release(op);
}
