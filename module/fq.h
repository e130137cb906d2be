/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fair queueing of the requests that wait for one filesystem.
 *
 * Each waiting request gets a start tag in virtual time (ns of the
 * filesystem's budget): S = max(V, F(client)), and its client's finish
 * time becomes F = S + cost. Requests leave in order of their finish tag
 * S + cost (ties in arrival order; with equal costs that is the order of
 * S) and V becomes the S of the request leaving. Ordering by finish lets
 * a small request go before a large one that started with it, as a
 * processor-sharing server would finish it. A client with many
 * outstanding requests gets tags further and further ahead, so a client
 * with one request goes before all but one of them: every active client
 * gets an equal share of the budget, and one asking for less gets all it
 * asks for (its tag is never behind V).
 *
 * When the waiting slots are full, a client with fewer requests queued
 * displaces the latest request of one with more: each active client
 * keeps a place in the queue, so each gets its share. A request sleeping
 * on its own client's ceiling holds a slot but no place in the queue; it
 * is displaced first, by any other client's request that is not over its
 * ceiling itself (without a slot it would have been answered DELAY).
 *
 * A data structure: the caller holds the lock and does the sleeping
 * (throttle.c); requests that sleep outside the queue (on their client's
 * ceiling, or pacing a copy) do so on efs_wait_wq, which releasing a
 * filesystem's waiters wakes.
 */
#ifndef EFS_FQ_H
#define EFS_FQ_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include "meter.h"

struct efs_client;
struct task_struct;

enum efs_waiter_state {
	EFS_W_QUEUED,		/* in the queue, nothing charged yet */
	EFS_W_CEILING,		/* sleeping on its client's ceiling, not queued */
	EFS_W_BOOKED,		/* charged; goes at release_ns */
	EFS_W_RELEASED,		/* may proceed */
	EFS_W_REFUSED,		/* answer DELAY */
};

struct efs_waiter {
	struct rb_node node;
	struct list_head sleep_node;	/* in sleepers while EFS_W_CEILING */
	u64 tag;		/* start tag, virtual ns */
	u64 seq;		/* arrival order among equal tags */
	u64 cost_ns;		/* budget time the request takes */
	struct efs_client *client;
	struct task_struct *task;
	struct efs_cost cost;	/* what booking charges */
	u64 deadline_ns;	/* refused if not booked to go by then */
	u64 release_ns;
	u64 own_ns;		/* of the wait to release_ns, its own cost's */
	enum efs_waiter_state state;
	bool slot_passed;	/* displaced: its slot went to another request */
};

struct efs_fq {
	spinlock_t lock;
	struct rb_root_cached queue;	/* EFS_W_QUEUED waiters by (tag, seq) */
	struct efs_waiter *booked;	/* the next to go, if any */
	u64 vtime;			/* V: tag of the last request booked */
	u64 seq;
	u64 queued_ns;			/* sum of cost_ns in the queue */
	atomic_t queued;		/* waiters in the queue, read unlocked */
	struct list_head sleepers;	/* EFS_W_CEILING waiters, oldest first */

	/* The server-wide waiting budget's view (budget.c, its lock). */
	refcount_t *owner;		/* its filesystem's reference count */
	u32 slots;			/* threads waiting for this fs */
	atomic_t waiting;		/* = slots, read without the lock */
	struct list_head active;	/* in the budget's list while slots > 0 */
};

void efs_fq_init(struct efs_fq *fq);
/* Tag w for client and queue it. */
void efs_fq_enqueue(struct efs_fq *fq, struct efs_waiter *w,
		    struct efs_client *client, u64 cost_ns);
/* The tag a request of client would get now. */
u64 efs_fq_next_tag(const struct efs_fq *fq, const struct efs_client *client);
/* Where w finishes in virtual time: the queue's order. */
static inline u64 efs_fq_finish(const struct efs_waiter *w)
{
	return w->tag + w->cost_ns;
}

/* w leaves the queue to be served (booked)... */
void efs_fq_remove(struct efs_fq *fq, struct efs_waiter *w);
/* ...and may come back, booked but not yet gone, with its tag. */
void efs_fq_requeue(struct efs_fq *fq, struct efs_waiter *w);
/* ...or unserved (refused, displaced, released): its cost is given back. */
void efs_fq_cancel(struct efs_fq *fq, struct efs_waiter *w);
/* w of client sleeps on its client's ceiling / wakes from it. */
void efs_fq_sleep_add(struct efs_fq *fq, struct efs_waiter *w,
		      struct efs_client *client);
void efs_fq_sleep_del(struct efs_fq *fq, struct efs_waiter *w);
/*
 * The request to displace for a request of client c: with sleepers, the
 * latest one sleeping on another client's ceiling; else the latest queued
 * one, among the last few, of a client with more requests queued than c
 * (c NULL: the latest of all, for another filesystem).
 */
struct efs_waiter *efs_fq_victim(struct efs_fq *fq,
				 const struct efs_client *c, bool sleepers);
struct efs_waiter *efs_fq_first(struct efs_fq *fq);
struct efs_waiter *efs_fq_last(struct efs_fq *fq);
/* w (just removed from the queue) is being served: V moves to its tag. */
void efs_fq_start(struct efs_fq *fq, struct efs_waiter *w);

/* w's state becomes state, and its task is woken. */
void efs_fq_wake(struct efs_waiter *w, enum efs_waiter_state state);
/*
 * Everyone waiting for the filesystem goes (it was deleted, or the module
 * is unloading): the booked and the queued requests are released, and
 * efs_wait_wq is woken for the others, who check why they sleep.
 */
void efs_fq_release_all(struct efs_fq *fq);
/* Where requests sleep outside the queue; woken on every change. */
extern wait_queue_head_t efs_wait_wq;

#endif /* EFS_FQ_H */
