// SPDX-License-Identifier: GPL-2.0
/*
 * Admission: charge a request to its client's ceilings and its
 * filesystem's budgets, then admit it, make its nfsd thread wait, or have
 * it answered NFS4ERR_DELAY / NFS3ERR_JUKEBOX.
 *
 * Fast path (nobody is queued for the filesystem and the budgets allow it):
 * lock-free, one cmpxchg per bucket in force. An unthrottled request costs
 * the client's ceiling buckets (when set), its read or write bucket, the
 * combined ops bucket (when in force) and the byte buckets, one
 * atomic_read of the filesystem's fair-queue length, and a clock read.
 *
 * Slow path: the request takes one of the server-wide waiting slots
 * (budget.c) and joins the filesystem's fair queue (fq.c). Requests leave
 * the queue in start-tag order, one "booked" at a time: the head is
 * charged when the one before it goes, sleeps until its budget allows,
 * then books the next. So arrival order never hands the budget to
 * whoever has the most requests outstanding, and a lighter client's
 * request displaces the heaviest client's last queued one when the slots
 * are full (that one is answered DELAY). Waits are bounded by max_wait_ms;
 * a request is never dropped (that would leak an NFSv4.1 session slot).
 * Module unload, fs del and a pending signal release every waiter.
 */
#include <linux/hrtimer.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sunrpc/svc.h>
#include <linux/wait.h>
#include "efs.h"
#include "backpressure.h"
#include "budget.h"
#include "charge.h"
#include "clock.h"
#include "registry.h"
#include "stats.h"
#include "throttle.h"

static bool efs_releasing;	/* the module is unloading: nobody waits */

bool efs_throttle_releasing(void)
{
	return READ_ONCE(efs_releasing);
}

static bool efs_fs_releasing(struct efs_fs *fs)
{
	return READ_ONCE(efs_releasing) || READ_ONCE(fs->dead);
}

/*
 * A booked request still asleep gives its turn to the queue's first if
 * that one finishes sooner in virtual time (another client's small
 * request behind a large one: at a low rate a 256 KiB write is booked
 * for a quarter of a second) and the booked one can still go by its own
 * deadline after it. Its charge is refunded exactly and it is queued
 * again with its tag, so it is charged once when it is booked again.
 */
static void efs_fq_preempt_locked(struct efs_fs *fs, u64 now)
{
	struct efs_fq *fq = &fs->fq;
	struct efs_waiter *b = fq->booked, *w = efs_fq_first(fq);

	/* Its own cost beyond its bucket's burst is not bound by max-wait. */
	if (!b || !w || b->release_ns <= now ||
	    efs_fq_finish(w) >= efs_fq_finish(b) ||
	    b->release_ns - b->own_ns + w->cost_ns > b->deadline_ns)
		return;
	efs_refund_fs(fs, &b->cost);
	fq->booked = NULL;
	efs_fq_requeue(fq, b);
}

/*
 * Book the queue's head: charge it, and release it now if its budget
 * allows, else let it sleep until then (it books the next as it goes).
 * Heads that cannot go before their deadline are refused.
 */
static void efs_fq_book_locked(struct efs_fs *fs, u64 now)
{
	struct efs_fq *fq = &fs->fq;
	struct efs_waiter *w;
	struct efs_wait wait;

	lockdep_assert_held(&fq->lock);
	efs_fq_preempt_locked(fs, now);
	while (!fq->booked && (w = efs_fq_first(fq))) {
		efs_charge_fs(fs, &w->cost, now, &wait);
		if (now + wait.debt_ns > w->deadline_ns) {
			efs_refund_fs(fs, &w->cost);
			efs_fq_cancel(fq, w);
			efs_fq_wake(w, EFS_W_REFUSED);
			continue;
		}
		efs_fq_remove(fq, w);
		efs_fq_start(fq, w);
		if (!wait.total_ns) {
			efs_fq_wake(w, EFS_W_RELEASED);
			continue;
		}
		w->release_ns = now + wait.total_ns;
		w->own_ns = wait.total_ns - wait.debt_ns;
		fq->booked = w;
		efs_fq_wake(w, EFS_W_BOOKED);
	}
}

/* Take w's place from it: it answers DELAY, its slot is ours. */
static void efs_displace_locked(struct efs_fs *fs, struct efs_waiter *w)
{
	if (w->state == EFS_W_CEILING)
		efs_fq_sleep_del(&fs->fq, w);
	else
		efs_fq_cancel(&fs->fq, w);
	w->slot_passed = true;
	efs_fq_wake(w, EFS_W_REFUSED);
	efs_budget_count_displaced();
	efs_stats_add_displaced(fs);
}

/* Another filesystem holds more than its share: take one of its slots. */
static bool efs_displace_from(struct efs_fq *victim, struct efs_fq *fq,
			      bool sleepers)
{
	struct efs_waiter *w;
	bool taken = false;

	/* Never two queue locks in a fixed order: try, or give up. */
	if (!spin_trylock(&victim->lock))
		return false;
	w = efs_fq_victim(victim, NULL, sleepers);
	if (w) {
		efs_displace_locked(container_of(victim, struct efs_fs, fq), w);
		efs_slot_transfer(victim, fq);
		taken = true;
	}
	spin_unlock(&victim->lock);
	return taken;
}

/*
 * A waiting slot for a request of client c: a free one, one taken from a
 * filesystem over its share, or the place of a request sleeping on
 * another client's ceiling or of the latest queued request of a client
 * with more requests queued than c. A request over its own ceiling
 * (over) takes no sleeper's place: two clients over theirs would only
 * trade DELAYs. Called with fq->lock held; *put_later may get a
 * filesystem to put after it is dropped.
 */
static bool efs_slot_acquire_locked(struct efs_fs *fs, struct efs_client *c,
				    bool over, struct efs_fs **put_later)
{
	struct efs_fq *fq = &fs->fq, *victim;
	struct efs_waiter *w;

	switch (efs_slot_take(fq, READ_ONCE(fs->cfg.max_waiters), &victim)) {
	case EFS_SLOT_TAKEN:
		return true;
	case EFS_SLOT_FROM_OTHER:
		/* Its reference goes when no lock is held (a put may sleep). */
		*put_later = container_of(victim, struct efs_fs, fq);
		if (efs_displace_from(victim, fq, !over))
			return true;
		break;
	case EFS_SLOT_FULL:
		break;
	}
	w = c ? efs_fq_victim(fq, c, !over) : NULL;
	if (w) {
		efs_displace_locked(fs, w);
		return true;
	}
	return false;
}

static void efs_slot_release(struct efs_fs *fs, struct efs_waiter *w)
{
	if (!w->slot_passed)
		efs_slot_put(&fs->fq);
}

/*
 * Sleep on a client's own ceiling (its bucket is already charged), in
 * fq's sleepers, where another client's request may displace it: false
 * if one did (w is refused and its slot is gone).
 */
static bool efs_client_ceiling_sleep(struct efs_fs *fs, struct efs_waiter *w,
				     struct efs_client *c, u64 cwait)
{
	struct efs_fq *fq = &fs->fq;
	bool displaced;

	spin_lock(&fq->lock);
	efs_fq_sleep_add(fq, w, c);
	spin_unlock(&fq->lock);
	wait_event_interruptible_hrtimeout(efs_wait_wq, efs_fs_releasing(fs) ||
					   READ_ONCE(w->state) == EFS_W_REFUSED,
					   ns_to_ktime(cwait));
	spin_lock(&fq->lock);
	displaced = w->state == EFS_W_REFUSED;
	if (!displaced)
		efs_fq_sleep_del(fq, w);
	spin_unlock(&fq->lock);
	return !displaced;
}

/*
 * Wait in fs's fair queue until booked and due. Called with fq->lock
 * held, returns with it dropped: 0 to proceed, -EAGAIN for DELAY.
 */
static int efs_fq_wait_locked(struct efs_fs *fs, struct efs_waiter *w)
{
	struct efs_fq *fq = &fs->fq;
	u64 now, until;
	bool releasing;

	for (;;) {
		if (w->state == EFS_W_RELEASED || w->state == EFS_W_REFUSED)
			break;
		/*
		 * A signal means nfsd is stopping this thread (kthread_stop()
		 * sets TIF_NOTIFY_SIGNAL): answer DELAY rather than start the
		 * operation with a signal pending, which tmpfs's fallocate
		 * fails with EINTR, an errno 6.1's nfserrno() WARNs about.
		 */
		releasing = efs_fs_releasing(fs);
		if (releasing || signal_pending(current)) {
			if (w->state == EFS_W_QUEUED) {
				efs_fq_cancel(fq, w);
			} else if (fq->booked == w) {
				fq->booked = NULL;
				if (!releasing)
					efs_refund_fs(fs, &w->cost);
				efs_fq_book_locked(fs, efs_now_ns());
			}
			w->state = releasing ? EFS_W_RELEASED : EFS_W_REFUSED;
			break;
		}
		now = efs_now_ns();
		if (w->state == EFS_W_BOOKED) {
			if (now >= w->release_ns) {
				fq->booked = NULL;
				w->state = EFS_W_RELEASED;
				efs_fq_book_locked(fs, now);
				break;
			}
			until = w->release_ns;
		} else {
			if (now >= w->deadline_ns) {
				efs_fq_cancel(fq, w);
				w->state = EFS_W_REFUSED;
				break;
			}
			until = w->deadline_ns;
		}
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&fq->lock);
		schedule_hrtimeout(&(ktime_t){ ns_to_ktime(until) },
				   HRTIMER_MODE_ABS);
		spin_lock(&fq->lock);
	}
	spin_unlock(&fq->lock);
	return w->state == EFS_W_REFUSED ? -EAGAIN : 0;
}

/*
 * The slow path: a slot, the client's ceiling, then the fair queue.
 * Returns as efs_throttle() does: 0 when it went without a wait, 1 after
 * one, -EAGAIN for DELAY.
 */
static int efs_wait_turn(struct efs_fs *fs, struct efs_client *c,
			 const struct efs_cost *charge, const struct efs_wait *cw,
			 u64 now)
{
	struct efs_fq *fq = &fs->fq;
	u64 max_wait = (u64)READ_ONCE(fs->cfg.max_wait_ms) * NSEC_PER_MSEC;
	u64 cost = efs_charge_cost_ns(fs, charge, now);
	struct efs_waiter w = {
		.task = current, .cost = *charge,
		/* Sleeping on its ceiling for its own cost is not waiting. */
		.deadline_ns = now + max_wait + cw->total_ns - cw->debt_ns,
	};
	struct efs_fs *put_later = NULL;
	struct efs_wait probe;
	bool slot;
	int err;

	if (cw->debt_ns > max_wait)
		return -EAGAIN;
	spin_lock(&fq->lock);
	if (efs_fs_releasing(fs)) {
		spin_unlock(&fq->lock);
		return 0;
	}
	/*
	 * The queue the fast path saw may have been one that was booked and
	 * gone within a lock hold (a ceiling sleeper passing through): with
	 * nothing queued now, go without a slot if the budget allows.
	 */
	if (!cw->total_ns && !fq->booked && !atomic_read(&fq->queued)) {
		efs_charge_fs(fs, charge, now, &probe);
		if (!probe.total_ns) {
			spin_unlock(&fq->lock);
			return 0;
		}
		efs_refund_fs(fs, charge);
	}
	/* A client already queued waits behind the whole backlog. */
	if (c && c->queued && fq->queued_ns + min(cost, max_wait) > max_wait) {
		spin_unlock(&fq->lock);
		return -EAGAIN;
	}
	slot = efs_slot_acquire_locked(fs, c, cw->total_ns, &put_later);
	spin_unlock(&fq->lock);
	if (put_later)
		efs_fs_put(put_later);
	if (!slot)
		return -EAGAIN;
	if (cw->total_ns) {
		if (!efs_client_ceiling_sleep(fs, &w, c, cw->total_ns))
			return -EAGAIN;
		now = efs_now_ns();
	}
	spin_lock(&fq->lock);
	if (efs_fs_releasing(fs)) {
		spin_unlock(&fq->lock);
		efs_slot_put(fq);
		return 1;
	}
	efs_fq_enqueue(fq, &w, c ? c : &fs->clients.overflow, cost);
	efs_fq_book_locked(fs, now);
	err = efs_fq_wait_locked(fs, &w);
	efs_slot_release(fs, &w);
	return err ? err : 1;
}

/*
 * Returns 0 when the request may proceed at once, 1 when it may after a
 * wait, -EAGAIN to answer DELAY. c is the request's client (NULL: not
 * known), which the caller holds.
 * The overflow entry stands for many clients: no ceiling applies to it.
 */
int efs_throttle(struct efs_fs *fs, struct efs_client *c,
		 const struct efs_cost *cost, struct svc_rqst *rqstp)
{
	struct efs_wait cwait = {}, fwait;
	u64 now;
	int err;

	/* Nothing to charge: skip the clock. */
	if (!cost->units && !cost->reads && !cost->writes && !cost->metered)
		return 0;
	now = efs_now_ns();
	if (c && efs_client_is_overflow(&fs->clients, c))
		c = NULL;
	if (c)
		efs_client_charge(&fs->clients, c, cost, now, &cwait);
	/*
	 * Only requests queued for the filesystem's budget go first; those
	 * sleeping on their own client's ceiling hold no place in it, so a
	 * client within its ceiling passes them (it used to take a waiting
	 * slot behind them, or DELAY when they held every slot).
	 */
	if (!cwait.total_ns && !atomic_read(&fs->fq.queued)) {
		efs_charge_fs(fs, cost, now, &fwait);
		if (!fwait.total_ns) {
			if (c)
				efs_pressure_underused(c);
			return 0;
		}
		efs_refund_fs(fs, cost);
	}
	if (efs_fs_releasing(fs))
		return 0;

	err = efs_wait_turn(fs, c, cost, &cwait, now);
	if (!err)
		return 0;
	if (err < 0) {
		if (c) {
			efs_client_refund(c, cost);
			atomic64_inc(&c->delay_replies);
			efs_pressure_note(c);
		}
		efs_stats_add_delay_reply(fs);
		return -EAGAIN;
	}
	if (c) {
		atomic64_inc(&c->throttled_ops);
		efs_pressure_renew(c);
	}
	efs_stats_add_wait(fs, efs_now_ns() - now);
	return 1;
}

/*
 * Module exit, before it waits for the hooks to drain: every waiting
 * request goes, and none waits from now on.
 */
void efs_throttle_exit(void)
{
	struct efs_fs *fs;

	WRITE_ONCE(efs_releasing, true);
	mutex_lock(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node)
		efs_fq_release_all(&fs->fq);
	mutex_unlock(&efs_registry_lock);
}
