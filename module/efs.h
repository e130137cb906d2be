/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One efs filesystem ("struct efs_fs"), as the units that act on it
 * share it: an export root with an EFS performance mode and throughput
 * mode, a read and a write ops budget (EFS's read and write IOPS limits,
 * by throughput mode), the combined ops budget of the older model
 * (--iops-limit, --write-op-weight) and a byte budget.
 *
 * Data only: each unit's functions are declared in its own header
 * (registry.h keeps the filesystems, rates.h sets their budgets, ...).
 */
#ifndef EFS_H
#define EFS_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/workqueue.h>
#include "../uapi/linux/efs.h"
#include "clients.h"
#include "config.h"
#include "fq.h"
#include "lease.h"
#include "limiter.h"

#define EFS_VERSION "0.1.0"

struct efs_counters;		/* stats.h */

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

	/* Budgets, set up from cfg by efs_fs_apply_locked() (rates.c). */
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
	 * its expiry work (cluster.c's), and the credit balance while the
	 * cluster keeps the credits (fs->credit does not throttle then).
	 * Under efs_registry_lock.
	 */
	struct efs_lease lease;
	struct delayed_work lease_work;
	u64 cluster_credit;

	struct efs_counters __percpu *ctr;	/* stats.c */
	struct efs_client_table clients;	/* and their ceilings */
	struct efs_fq fq;		/* requests waiting, fair order */
	struct efs_sample sample;	/* sampler only */
};

#endif /* EFS_H */
