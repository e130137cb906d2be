// SPDX-License-Identifier: GPL-2.0
/*
 * Start-time fair queueing (see fq.h). O(log n) per request in a
 * red-black tree; n is bounded by the waiting threads (a few dozen).
 */
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/wait.h>
#include "fq.h"
#include "clients.h"

DECLARE_WAIT_QUEUE_HEAD(efs_wait_wq);

void efs_fq_init(struct efs_fq *fq)
{
	memset(fq, 0, sizeof(*fq));
	spin_lock_init(&fq->lock);
	fq->queue = RB_ROOT_CACHED;
	atomic_set(&fq->waiting, 0);
	atomic_set(&fq->queued, 0);
	INIT_LIST_HEAD(&fq->sleepers);
	INIT_LIST_HEAD(&fq->active);
}

static bool efs_waiter_less(const struct efs_waiter *x,
			    const struct efs_waiter *y)
{
	if (efs_fq_finish(x) != efs_fq_finish(y))
		return efs_fq_finish(x) < efs_fq_finish(y);
	return x->seq < y->seq;
}

/* rb_add_cached() by hand: 5.10 does not have it. */
static void efs_fq_insert(struct efs_fq *fq, struct efs_waiter *w)
{
	struct rb_node **link = &fq->queue.rb_root.rb_node, *parent = NULL;
	bool leftmost = true;

	while (*link) {
		parent = *link;
		if (efs_waiter_less(w, rb_entry(parent, struct efs_waiter,
						node))) {
			link = &parent->rb_left;
		} else {
			link = &parent->rb_right;
			leftmost = false;
		}
	}
	rb_link_node(&w->node, parent, link);
	rb_insert_color_cached(&w->node, &fq->queue, leftmost);
}

u64 efs_fq_next_tag(const struct efs_fq *fq, const struct efs_client *client)
{
	return max(fq->vtime, client->vfinish);
}

void efs_fq_enqueue(struct efs_fq *fq, struct efs_waiter *w,
		    struct efs_client *client, u64 cost_ns)
{
	w->client = client;
	w->cost_ns = cost_ns;
	w->tag = efs_fq_next_tag(fq, client);
	w->seq = ++fq->seq;
	w->state = EFS_W_QUEUED;
	client->vfinish = w->tag + cost_ns;
	client->queued++;
	fq->queued_ns += cost_ns;
	atomic_inc(&fq->queued);
	efs_fq_insert(fq, w);
}

void efs_fq_remove(struct efs_fq *fq, struct efs_waiter *w)
{
	rb_erase_cached(&w->node, &fq->queue);
	RB_CLEAR_NODE(&w->node);
	w->client->queued--;
	fq->queued_ns -= w->cost_ns;
	atomic_dec(&fq->queued);
}

void efs_fq_requeue(struct efs_fq *fq, struct efs_waiter *w)
{
	w->state = EFS_W_QUEUED;
	w->client->queued++;
	fq->queued_ns += w->cost_ns;
	atomic_inc(&fq->queued);
	efs_fq_insert(fq, w);
}

void efs_fq_cancel(struct efs_fq *fq, struct efs_waiter *w)
{
	struct efs_client *c = w->client;

	efs_fq_remove(fq, w);
	/* Its successors keep their tags; the next one starts earlier. */
	c->vfinish = c->vfinish > w->cost_ns ? c->vfinish - w->cost_ns : 0;
}

void efs_fq_sleep_add(struct efs_fq *fq, struct efs_waiter *w,
		      struct efs_client *client)
{
	w->client = client;
	w->state = EFS_W_CEILING;
	list_add_tail(&w->sleep_node, &fq->sleepers);
}

void efs_fq_sleep_del(struct efs_fq *fq, struct efs_waiter *w)
{
	list_del_init(&w->sleep_node);
}

/* How far back from the tail efs_fq_victim() looks. */
#define EFS_FQ_VICTIM_SCAN	16

struct efs_waiter *efs_fq_victim(struct efs_fq *fq,
				 const struct efs_client *c, bool sleepers)
{
	struct rb_node *n = rb_last(&fq->queue.rb_root);
	struct efs_waiter *s;
	u32 mine;
	int i;

	/* At most one per waiting slot: a few dozen. */
	if (sleepers)
		list_for_each_entry_reverse(s, &fq->sleepers, sleep_node)
			if (s->client != c)
				return s;
	if (!c)			/* for another filesystem: its latest */
		return n ? rb_entry(n, struct efs_waiter, node) : NULL;
	mine = c->queued;

	for (i = 0; n && i < EFS_FQ_VICTIM_SCAN; i++, n = rb_prev(n)) {
		struct efs_waiter *w = rb_entry(n, struct efs_waiter, node);

		if (w->client != c && w->client->queued > mine)
			return w;
	}
	return NULL;
}

struct efs_waiter *efs_fq_first(struct efs_fq *fq)
{
	struct rb_node *n = rb_first_cached(&fq->queue);

	return n ? rb_entry(n, struct efs_waiter, node) : NULL;
}

struct efs_waiter *efs_fq_last(struct efs_fq *fq)
{
	struct rb_node *n = rb_last(&fq->queue.rb_root);

	return n ? rb_entry(n, struct efs_waiter, node) : NULL;
}

void efs_fq_start(struct efs_fq *fq, struct efs_waiter *w)
{
	fq->vtime = max(fq->vtime, w->tag);
}

void efs_fq_wake(struct efs_waiter *w, enum efs_waiter_state state)
{
	w->state = state;
	wake_up_process(w->task);
}

void efs_fq_release_all(struct efs_fq *fq)
{
	struct efs_waiter *w;

	spin_lock(&fq->lock);
	if (fq->booked) {
		efs_fq_wake(fq->booked, EFS_W_RELEASED);
		fq->booked = NULL;
	}
	while ((w = efs_fq_first(fq))) {
		efs_fq_cancel(fq, w);
		efs_fq_wake(w, EFS_W_RELEASED);
	}
	spin_unlock(&fq->lock);
	wake_up_all(&efs_wait_wq);	/* sleepers on a client ceiling */
}
