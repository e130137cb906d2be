/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The server-wide budget of nfsd threads that efs lets wait.
 *
 * The scarce resource on a knfsd server is its thread pool: every thread
 * asleep in efs is one that serves nobody else. So the threads waiting,
 * summed over all filesystems, stay within one bound: max_waiting, or by
 * default half of nfsd's threads (followed as "rpc.nfsd N" changes them).
 * Inside it every filesystem that needs to wait has a fair share
 * (bound / filesystems waiting): while the budget is full, a filesystem
 * below its share takes a slot from the one holding the most, whose last
 * queued request is answered DELAY instead. A filesystem's own
 * max_waiters is an extra limit.
 *
 * Cost: nothing for a request that does not wait; one spinlock round for
 * one that does (it is about to sleep anyway).
 */
#ifndef EFS_BUDGET_H
#define EFS_BUDGET_H

#include <linux/types.h>

struct efs_fq;

enum efs_slot_verdict {
	EFS_SLOT_TAKEN,		/* a free slot is now the caller's */
	EFS_SLOT_FULL,		/* none: displace within the fs, or DELAY */
	EFS_SLOT_FROM_OTHER,	/* none, but *victim holds more than its share */
};

/*
 * The decision, pure: waiting/limit server-wide, the caller's fs holding
 * fs_slots of at most fs_limit (0 = none), active_fs filesystems holding
 * slots. Returns the verdict and, for FROM_OTHER, the share to beat.
 */
enum efs_slot_verdict efs_slot_decide(u32 waiting, u32 limit, u32 fs_slots,
				      u32 fs_limit, u32 active_fs, u32 *share);

/*
 * For EFS_SLOT_FROM_OTHER, *victim comes with a reference on its owner
 * (fq->owner), which the caller drops once it holds no lock.
 */
enum efs_slot_verdict efs_slot_take(struct efs_fq *fq, u32 fs_limit,
				    struct efs_fq **victim);
void efs_slot_put(struct efs_fq *fq);
/* Move one of the slots held by from to the filesystem of to. */
void efs_slot_transfer(struct efs_fq *from, struct efs_fq *to);

/* Server-wide settings and state. */
void efs_budget_note_threads(u32 nfsd_threads);
void efs_budget_set_max(u32 max_waiting);	/* 0 = half of nfsd's */
u32 efs_budget_max_cfg(void);
u32 efs_budget_limit(void);
u32 efs_budget_nfsd_threads(void);
u32 efs_budget_waiting(void);
/* The most threads waiting at once since the bound in force last changed. */
u32 efs_budget_waiting_peak(void);
u64 efs_budget_displaced(void);
void efs_budget_count_displaced(void);

#endif /* EFS_BUDGET_H */
