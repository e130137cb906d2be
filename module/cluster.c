// SPDX-License-Identifier: GPL-2.0
/*
 * A cluster filesystem's lease expiry (see cluster.h): efs.ko falls to
 * the safe share by itself when no renewal came (efs-clusterd crashed,
 * hung or was killed), then to nothing past the grant's forget time,
 * raising an event for each fall.
 */
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include "clock.h"
#include "cluster.h"
#include "efs.h"
#include "family.h"
#include "rates.h"
#include "registry.h"

static struct workqueue_struct *efs_lease_wq;
static bool efs_lease_stopped;	/* module exit: no more expiry work */

static void efs_lease_work(struct work_struct *work);

/*
 * A queued work holds a reference to fs; a work that runs early (jiffies
 * against efs_now_ns()) or after a renewal re-arms for what is left. The
 * work is set up the first time a grant arms it (a filesystem that never
 * had one has none to cancel).
 */
static void efs_lease_arm(struct efs_fs *fs, u32 ms)
{
	lockdep_assert_held(&efs_registry_lock);
	if (!efs_lease_wq || efs_lease_stopped)
		return;
	if (!fs->lease_work.work.func)
		INIT_DELAYED_WORK(&fs->lease_work, efs_lease_work);
	if (!mod_delayed_work(efs_lease_wq, &fs->lease_work,
			      msecs_to_jiffies(ms) + 1))
		refcount_inc(&fs->ref);
}

/* Arm the work for the lease's next stage, if it has one. */
static void efs_lease_arm_next(struct efs_fs *fs, u64 now)
{
	u64 next = efs_lease_next_ns(&fs->lease, now);

	if (next)
		efs_lease_arm(fs, (u32)div_u64(next - now + NSEC_PER_MSEC - 1,
					       NSEC_PER_MSEC));
}

static void efs_lease_work(struct work_struct *work)
{
	struct efs_fs *fs = container_of(to_delayed_work(work), struct efs_fs,
					 lease_work);
	char name[EFS_FS_NAME_MAX + 1];
	u32 event = 0;
	u64 now, rate = 0;
	u8 stage;

	mutex_lock(&efs_registry_lock);
	now = efs_now_ns();
	if (!READ_ONCE(fs->dead) && efs_fs_cluster(fs)) {
		stage = efs_lease_advance(&fs->lease, now);
		if (stage == EFS_GRANT_STATE_SAFE ||
		    stage == EFS_GRANT_STATE_ZERO) {
			efs_fs_apply_lease_locked(fs, now);
			rate = fs->ops_rate;
			strscpy(name, fs->name, sizeof(name));
			event = stage == EFS_GRANT_STATE_SAFE ?
				EFS_EVENT_LEASE_EXPIRED :
				EFS_EVENT_LEASE_FORGOTTEN;
		}
		/* early (jiffies against efs_now_ns()), or the next stage */
		efs_lease_arm_next(fs, now);
	}
	mutex_unlock(&efs_registry_lock);
	if (event)
		efs_family_event(name, event, rate);
	efs_fs_put(fs);
}

void efs_cluster_arm_locked(struct efs_fs *fs, u32 lease_ms)
{
	efs_lease_arm(fs, lease_ms);
}

/* Cancel fs's expiry, if queued: its reference goes with it. */
static void efs_lease_cancel(struct efs_fs *fs)
{
	if (fs->lease_work.work.func && cancel_delayed_work(&fs->lease_work))
		efs_fs_put(fs);
}

void efs_cluster_forget_locked(struct efs_fs *fs)
{
	lockdep_assert_held(&efs_registry_lock);
	efs_lease_cancel(fs);
}

int efs_cluster_init(void)
{
	efs_lease_stopped = false;
	/* Unbound: lease expiry has no CPU to stay on, and 6.18+ warns
	 * about a workqueue that names neither WQ_UNBOUND nor WQ_PERCPU.
	 */
	efs_lease_wq = alloc_workqueue("efs_lease", WQ_UNBOUND, 0);
	return efs_lease_wq ? 0 : -ENOMEM;
}

/*
 * Module exit, before netlink goes: no expiry runs (or sends an event)
 * after this, and none is armed again. Filesystems fall to nothing: they
 * are deleted next.
 */
void efs_cluster_exit(void)
{
	struct efs_fs *fs;

	mutex_lock(&efs_registry_lock);
	efs_lease_stopped = true;
	list_for_each_entry(fs, &efs_fs_list, node)
		efs_lease_cancel(fs);
	mutex_unlock(&efs_registry_lock);
	/* Expiries still running finish (and put their references) first. */
	destroy_workqueue(efs_lease_wq);
	efs_lease_wq = NULL;
}
