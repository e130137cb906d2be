/* SPDX-License-Identifier: GPL-2.0 */
/*
 * efs internals shared between the module's files.
 *
 * An efs filesystem ("struct efs_fs") is an export root with an EFS
 * performance mode and throughput mode: a read and a write ops budget
 * (EFS's read and write IOPS limits, by throughput mode), the combined
 * ops budget of the older model (--iops-limit, --write-op-weight) and a
 * byte budget.
 */
#ifndef EFS_H
#define EFS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include "../uapi/linux/efs.h"
#include "charge.h"
#include "config.h"
#include "clients.h"
#include "fq.h"
#include "lease.h"
#include "limiter.h"
#include "meter.h"
#include "request.h"

#define EFS_VERSION "0.1.0"

/* Per-CPU counters; summed on read (stats.c). */
struct efs_counters {
	u64 data_read_bytes, data_read_ops;
	u64 data_write_bytes, data_write_ops;
	u64 metadata_bytes, metadata_ops;
	u64 metered_bytes;
	u64 io_units;
	u64 read_class_ops, write_class_ops;	/* PercentIOLimit's */
	u64 throttled_ops, throttle_delay_ns, delay_replies;
	u64 displaced;		/* waits given up for a lighter client */
	u64 tls_ops;		/* requests that came over TLS */
	u64 plaintext_refused;	/* refused by transit-encryption required */
	u64 wait_hist[EFS_WAIT_HIST_BUCKETS];
};

/* Derived once a second by the sampler (sampler.c). */
struct efs_sample {
	u64 io_units;		/* io_units at the last sample */
	u64 read_ops, write_ops; /* read_class_ops, write_class_ops then */
	u64 throttled_ops;
	u64 time_ns;
	u32 percent_io_limit;	/* hundredths of a percent */
	u64 client_time_ns;	/* last client tick */
	bool throttling;
	unsigned int quiet_intervals;
	bool credits_low, credits_exhausted;
	u64 next_size_ns;	/* when to sample S again */
};

struct efs_fs {
	struct hlist_node hnode;	/* registry hash, by export root */
	struct list_head node;		/* registry list */
	refcount_t ref;
	struct rcu_head rcu;
	bool dead;			/* deleted: waiters leave at once */

	char name[EFS_FS_NAME_MAX + 1];
	char *path_name;
	struct path path;		/* pinned export root */

	struct efs_config cfg;		/* under efs_registry_lock */

	/* Budgets, set up from cfg by efs_fs_apply() (registry.c). */
	u64 read_rate, write_rate;	/* ops/s in force, 0 = none */
	struct efs_bucket read_ops;	/* the read budget */
	struct efs_bucket write_ops;	/* the write budget */
	u64 ops_rate;			/* combined units/s, 0 = none */
	struct efs_bucket ops;		/* generalPurpose: exact */
	struct efs_pcpu_bucket ops_pcpu; /* maxIO: per-CPU batches */
	u64 size_bytes;			/* S in force */
	struct efs_bucket credit;	/* bursting: baseline, max balance */
	struct efs_bucket peak;		/* burst rate / provisioned rate */
	u64 permitted_bps;		/* 0 = no byte budget (elastic) */

	/*
	 * Cluster scope (issue 26): this head's lease on the shared budget,
	 * its expiry work, and the credit balance while the cluster keeps
	 * the credits (fs->credit does not throttle then). Under
	 * efs_registry_lock.
	 */
	struct efs_lease lease;
	struct delayed_work lease_work;
	u64 cluster_credit;

	struct efs_counters __percpu *ctr;
	struct efs_client_table clients;
	struct efs_fq fq;		/* requests waiting, fair order */
	struct efs_sample sample;	/* sampler only */
};

/* main.c */
extern bool efs_releasing;
extern wait_queue_head_t efs_wait_wq;
u64 efs_now_ns(void);

/* registry.c */
extern struct mutex efs_registry_lock;
extern struct list_head efs_fs_list;
int efs_registry_init(void);
void efs_registry_exit(void);
void efs_registry_release_waiters(void);
void efs_registry_lease_stop(void);
struct efs_fs *efs_fs_find_export_rcu(const struct path *export_root);
struct efs_fs *efs_fs_lookup_export(const struct path *export_root);
bool efs_fs_any_rcu(bool (*fn)(struct efs_fs *fs, void *arg), void *arg);
struct efs_fs *efs_fs_find_locked(const char *name);
void efs_fs_put(struct efs_fs *fs);
int efs_fs_add(const char *name, const char *path, const struct efs_config *cfg,
	       const u64 *credit_balance, const struct efs_counters *base,
	       struct efs_fs **added, const char **why);
void efs_fs_apply_locked(struct efs_fs *fs, const struct efs_config *cfg,
			 const u64 *credit_balance);
int efs_fs_del_locked(struct efs_fs *fs);
u64 efs_fs_credit_balance(struct efs_fs *fs, u64 now);
u64 efs_fs_permitted_bps(struct efs_fs *fs, u64 now);
void efs_fs_set_size_locked(struct efs_fs *fs, u64 size);
/* EFS_CMD_FS_GRANT (see uapi/linux/efs.h) */
struct efs_grant {
	u64 iops, bps;
	u32 lease_ms, forget_ms, heads;
	const u64 *credit_balance;	/* the cluster's, or NULL */
	unsigned int news;		/* out: EFS_LEASE_NEWS_* */
};
int efs_fs_grant_locked(struct efs_fs *fs, struct efs_grant *g,
			const char **why);

/* throttle.c */
/* 0: go on, 1: go on after a wait, -EAGAIN: answer DELAY */
int efs_throttle(struct efs_fs *fs, struct efs_client *c,
		 const struct efs_cost *cost, struct svc_rqst *rqstp);
void efs_fq_release_all(struct efs_fs *fs);

/* stats.c */
struct efs_totals {
	struct efs_counters c;
	u64 total_bytes;
};
void efs_stats_add_op(struct efs_fs *fs, enum efs_op_kind kind, u64 bytes,
		      u64 metered);
void efs_stats_add_units(struct efs_fs *fs, u32 units, bool write);
void efs_stats_add_wait(struct efs_fs *fs, u64 waited_ns);
void efs_stats_add_delay_reply(struct efs_fs *fs);
void efs_stats_add_displaced(struct efs_fs *fs);
void efs_stats_add_tls_op(struct efs_fs *fs);
void efs_stats_add_plaintext_refused(struct efs_fs *fs);
u32 efs_fs_tls_client_count(struct efs_fs *fs);
void efs_stats_sum(struct efs_fs *fs, struct efs_totals *t);
u32 efs_fs_client_count(struct efs_fs *fs, bool *lower_bound);
void efs_stats_add_base(struct efs_fs *fs, const struct efs_counters *base);

/* sampler.c: once a second, S, PercentIOLimit, events */
int efs_sampler_init(void);
void efs_sampler_exit(void);
u64 efs_fs_sample_size(struct efs_fs *fs);

/* request.c: what one RPC costs, called from the knfsd hooks */
void efs_request_init(void);
bool efs_rpc_begin(struct efs_rpc *rpc, struct svc_rqst *rqstp);
void efs_rpc_end(struct efs_rpc *rpc);
int efs_rpc_fh_verified(struct svc_rqst *rqstp, void *fhp, int access);
int efs_data_begin(struct efs_data_op *op, struct svc_rqst *rqstp, void *fhp,
		   bool write, u64 bytes);
void efs_data_end(struct efs_data_op *op, struct svc_rqst *rqstp, bool ok,
		  u64 bytes);

/* transit.c: encryption in transit (RPC-with-TLS) */
bool efs_transit_supported(void);
bool efs_transit_tls(struct svc_rqst *rqstp);
bool efs_transit_allowed(struct efs_fs *fs, bool tls, int access);
void efs_transit_refused(struct efs_fs *fs, struct efs_client *c);
__be32 efs_transit_refusal_status(struct svc_rqst *rqstp);

/* hooks.c */
int efs_hooks_init(void);
void efs_hooks_exit(void);
bool efs_hooks_active(void);

/* netlink.c */
int efs_netlink_init(void);
void efs_netlink_exit(void);

#endif /* EFS_H */
