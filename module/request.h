/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One NFS RPC as efs sees it, between nfsd_dispatch() entry and return.
 * It lives on the stack of the nfsd_dispatch() wrapper and is found again
 * from deeper hooks by its svc_rqst.
 */
#ifndef EFS_REQUEST_H
#define EFS_REQUEST_H

#include <linux/list.h>
#include "meter.h"
#include "priority.h"

struct svc_rqst;
struct efs_fs;
struct efs_client;

struct efs_rpc {
	struct hlist_node node;
	struct svc_rqst *rqstp;
	struct efs_fs *fs;		/* first claimed fs touched, ref held */
	const void *export;		/* the svc_export its claim came by */
	struct efs_client *client;	/* its client on fs, ref held */
	enum efs_op_kind kind;		/* what the RPC did to fs so far */
	u32 units;			/* ops-budget units charged */
	bool write_op;			/* charged to the write budget */
	u64 data_bytes;			/* bytes actually read or written */
	u64 metered;			/* metered bytes charged */
	bool failed;			/* answered DELAY: count nothing */
	bool tls;			/* came over an RPC-with-TLS session */
	struct efs_priority prio;	/* waited: thread's nice lowered */
};

/*
 * One data read or write, between efs_data_begin() and efs_data_end():
 * what it was charged to.
 */
struct efs_data_op {
	struct efs_fs *fs;		/* NULL: an unclaimed export */
	struct efs_rpc *rpc;		/* NULL: charged on its own, ref held */
	struct efs_client *client;	/* charged on its own: ref held */
	enum efs_op_kind kind;
};

void efs_request_init(void);
/*
 * nfsd_dispatch() entry: false, and nothing tracked, while no filesystem
 * is registered; else efs_rpc_end() must follow.
 */
bool efs_rpc_begin(struct efs_rpc *rpc, struct svc_rqst *rqstp);
void efs_rpc_end(struct efs_rpc *rpc);
/* After a successful fh_verify(): 0, -EAGAIN (DELAY) or -EACCES. */
int efs_rpc_fh_verified(struct svc_rqst *rqstp, void *fhp, int access);
/* Around a data read or write of bytes: 0 (then end) or -EAGAIN. */
int efs_data_begin(struct efs_data_op *op, struct svc_rqst *rqstp, void *fhp,
		   bool write, u64 bytes);
void efs_data_end(struct efs_data_op *op, struct svc_rqst *rqstp, bool ok,
		  u64 bytes);

#endif /* EFS_REQUEST_H */
