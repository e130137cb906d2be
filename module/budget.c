// SPDX-License-Identifier: GPL-2.0
/*
 * The server-wide waiting-thread budget (see budget.h).
 */
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>
#include "budget.h"
#include "fq.h"

static DEFINE_SPINLOCK(efs_budget_lock);
static LIST_HEAD(efs_budget_active);	/* fqs with slots > 0 */
static u32 efs_budget_waiting_now;	/* slots held, all filesystems */
static u32 efs_budget_active_fs;
static u32 efs_budget_max;		/* 0 = half of nfsd's threads */
static u32 efs_budget_threads;		/* nfsd threads, as last seen */
static atomic64_t efs_budget_displaced_n = ATOMIC64_INIT(0);
/*
 * The most slots held at once since the bound in force became
 * efs_budget_peak_limit: read once per measurement instead of sampling
 * efs_budget_waiting_now, which would cost the guest what it measures.
 */
static u32 efs_budget_peak;
static u32 efs_budget_peak_limit;

u32 efs_budget_limit(void)
{
	u32 max = READ_ONCE(efs_budget_max);

	return max ? max : max(READ_ONCE(efs_budget_threads) / 2, 1U);
}

enum efs_slot_verdict efs_slot_decide(u32 waiting, u32 limit, u32 fs_slots,
				      u32 fs_limit, u32 active_fs, u32 *share)
{
	u32 n;

	*share = 0;
	if (fs_limit && fs_slots >= fs_limit)
		return EFS_SLOT_FULL;
	if (waiting < limit)
		return EFS_SLOT_TAKEN;
	/* Full: the caller's fs counts among those waiting. */
	n = active_fs + (fs_slots ? 0 : 1);
	*share = max(limit / n, 1U);
	return fs_slots < *share ? EFS_SLOT_FROM_OTHER : EFS_SLOT_FULL;
}

/* A bound that changed starts a new peak, from the slots held now. */
static void efs_budget_peak_follow_locked(u32 limit)
{
	if (limit != efs_budget_peak_limit) {
		efs_budget_peak_limit = limit;
		efs_budget_peak = efs_budget_waiting_now;
	}
}

static void efs_slot_add_locked(struct efs_fq *fq)
{
	if (!fq->slots++) {
		list_add_tail(&fq->active, &efs_budget_active);
		efs_budget_active_fs++;
	}
	atomic_set(&fq->waiting, fq->slots);
}

static void efs_slot_del_locked(struct efs_fq *fq)
{
	if (!--fq->slots) {
		list_del_init(&fq->active);
		efs_budget_active_fs--;
	}
	atomic_set(&fq->waiting, fq->slots);
}

enum efs_slot_verdict efs_slot_take(struct efs_fq *fq, u32 fs_limit,
				    struct efs_fq **victim)
{
	u32 limit = efs_budget_limit();
	enum efs_slot_verdict v;
	struct efs_fq *f;
	u32 share;

	*victim = NULL;
	spin_lock(&efs_budget_lock);
	v = efs_slot_decide(efs_budget_waiting_now, limit,
			    fq->slots, fs_limit, efs_budget_active_fs, &share);
	if (v == EFS_SLOT_TAKEN) {
		efs_budget_peak_follow_locked(limit);
		efs_budget_waiting_now++;
		efs_budget_peak = max(efs_budget_peak, efs_budget_waiting_now);
		efs_slot_add_locked(fq);
	} else if (v == EFS_SLOT_FROM_OTHER) {
		list_for_each_entry(f, &efs_budget_active, active)
			if (f != fq && f->slots > share &&
			    (!*victim || f->slots > (*victim)->slots))
				*victim = f;
		if (!*victim)
			v = EFS_SLOT_FULL;
		else	/* it holds slots, so its waiters hold references */
			refcount_inc((*victim)->owner);
	}
	spin_unlock(&efs_budget_lock);
	return v;
}

void efs_slot_put(struct efs_fq *fq)
{
	spin_lock(&efs_budget_lock);
	efs_budget_waiting_now--;
	efs_slot_del_locked(fq);
	spin_unlock(&efs_budget_lock);
}

void efs_slot_transfer(struct efs_fq *from, struct efs_fq *to)
{
	spin_lock(&efs_budget_lock);
	efs_slot_del_locked(from);
	efs_slot_add_locked(to);
	spin_unlock(&efs_budget_lock);
}

void efs_budget_note_threads(u32 nfsd_threads)
{
	if (READ_ONCE(efs_budget_threads) != nfsd_threads)
		WRITE_ONCE(efs_budget_threads, nfsd_threads);
}

void efs_budget_set_max(u32 max_waiting)
{
	WRITE_ONCE(efs_budget_max, max_waiting);
}

u32 efs_budget_max_cfg(void)
{
	return READ_ONCE(efs_budget_max);
}

u32 efs_budget_nfsd_threads(void)
{
	return READ_ONCE(efs_budget_threads);
}

u32 efs_budget_waiting(void)
{
	return READ_ONCE(efs_budget_waiting_now);
}

u32 efs_budget_waiting_peak(void)
{
	u32 peak;

	spin_lock(&efs_budget_lock);
	efs_budget_peak_follow_locked(efs_budget_limit());
	peak = efs_budget_peak;
	spin_unlock(&efs_budget_lock);
	return peak;
}

u64 efs_budget_displaced(void)
{
	return atomic64_read(&efs_budget_displaced_n);
}

void efs_budget_count_displaced(void)
{
	atomic64_inc(&efs_budget_displaced_n);
}
