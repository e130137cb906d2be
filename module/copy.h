/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NFSv4.2 COPY and CLONE as efs charges them (copy.c): data that moves
 * inside the server, which no read or write hook sees.
 */
#ifndef EFS_COPY_H
#define EFS_COPY_H

#include <linux/list.h>
#include <linux/types.h>

struct file;
struct svc_rqst;
struct task_struct;
struct efs_fs;
struct efs_client;

/*
 * A COPY operation running in an nfsd thread (nfsd4_copy()), found again
 * by its task from the chunks it copies synchronously. Lives on the stack
 * of the nfsd4_copy() wrapper.
 */
struct efs_copy_rpc {
	struct list_head node;
	struct task_struct *task;
	struct svc_rqst *rqstp;
	bool tracked;
};

/*
 * One filesystem a copy touches and what it is charged: the read of the
 * source, the write of the destination, or both when they are one.
 */
struct efs_copy_side {
	struct efs_fs *fs;		/* NULL: unclaimed; else a reference */
	struct efs_client *client;	/* in an RPC: its client, a reference */
	bool read, write;
	u64 metered;			/* charged to fs's byte budget */
};

/* One chunk of a COPY or one CLONE, between begin and end. */
struct efs_copy_op {
	struct efs_copy_side side[2];	/* the source's, the destination's */
	u64 bytes;			/* what was charged for */
};

void efs_copy_rpc_begin(struct efs_copy_rpc *cr, struct svc_rqst *rqstp);
void efs_copy_rpc_end(struct efs_copy_rpc *cr);
/*
 * Before nfsd copies *count bytes from src to dst: may lower *count to a
 * chunk the budgets pass in a fraction of a second. Returns 0 (copy, then
 * efs_copy_end()) or -EAGAIN (answer DELAY, or stop: nothing charged).
 */
int efs_copy_begin(struct efs_copy_op *op, struct file *src,
		   struct file *dst, u64 *count);
/* After it: moved bytes (<= 0: none) are counted, the rest refunded. */
void efs_copy_end(struct efs_copy_op *op, s64 moved);
/*
 * Around a CLONE of count bytes (0: to the source's end): charged and
 * counted by efs_clone_end() if it succeeded (ok).
 */
void efs_clone_begin(struct efs_copy_op *op, struct svc_rqst *rqstp,
		     struct file *src, u64 src_pos, struct file *dst,
		     u64 count);
void efs_clone_end(struct efs_copy_op *op, bool ok);

#endif /* EFS_COPY_H */
