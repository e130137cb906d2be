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

#endif /* EFS_REQUEST_H */
