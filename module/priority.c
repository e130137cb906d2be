// SPDX-License-Identifier: GPL-2.0
/*
 * CPU priority of the work a throttled request was admitted to do.
 *
 * A request that waited for its filesystem's budget finishes its RPC at
 * nice throttled_nice (default 19), and its nfsd thread gets its own nice
 * back when the RPC's dispatch returns, before the reply is sent. So on a
 * busy server the operations a capped tenant's budget bought take the CPU
 * only after other tenants' requests: an unclaimed export's requests,
 * which never wait, preempt them. No lock is held across the change that
 * another tenant could need: the request's own filesystem's work (its
 * inode lock, say) is all the lowered thread holds, and only requests of
 * that same throttled filesystem wait on it.
 *
 * Cost: nothing for a request that did not wait; two set_user_nice()
 * calls (a runqueue lock each) for one that did, which has just slept.
 */
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include "priority.h"

static int efs_throttled_nice = MAX_NICE;

static int efs_throttled_nice_set(const char *val,
				  const struct kernel_param *kp)
{
	int nice, err;

	err = kstrtoint(val, 10, &nice);
	if (err)
		return err;
	if (nice < MIN_NICE || nice > MAX_NICE)
		return -ERANGE;
	WRITE_ONCE(efs_throttled_nice, nice);
	return 0;
}

static const struct kernel_param_ops efs_throttled_nice_ops = {
	.set = efs_throttled_nice_set,
	.get = param_get_int,
};
module_param_cb(throttled_nice, &efs_throttled_nice_ops,
		&efs_throttled_nice, 0644);
MODULE_PARM_DESC(throttled_nice,
		 "nice of an nfsd thread finishing a request that waited for its budget (-20..19; only ever lowers priority)");

void efs_priority_lower(struct efs_priority *p)
{
	int nice = READ_ONCE(efs_throttled_nice);

	if (p->lowered || task_nice(current) >= nice)
		return;
	p->nice_before = task_nice(current);
	p->lowered = true;
	set_user_nice(current, nice);
}

void efs_priority_restore(struct efs_priority *p)
{
	if (p->lowered)
		set_user_nice(current, p->nice_before);
}
