// SPDX-License-Identifier: GPL-2.0
/*
 * Admission: charge a request to its filesystem's budgets, then admit it,
 * make its nfsd thread wait, or have it answered NFS4ERR_DELAY /
 * NFS3ERR_JUKEBOX.
 *
 * Waiting parks an nfsd thread, and a heavy client could park them all
 * (the knfsd maintainers' warning), so a wait is bounded twice: no longer
 * than max_wait_ms, and no more than max_waiters threads per filesystem
 * (0 = half of the server's threads). Past either bound the request gets
 * DELAY, never a dropped reply (that would leak an NFSv4.1 session slot).
 * Module unload and fs del wake every waiter and let it through.
 */
#include <linux/hrtimer.h>
#include <linux/sunrpc/svc.h>
#include <linux/wait.h>
#include "efs.h"

static u64 efs_charge_ops(struct efs_fs *fs, u32 units, u64 now)
{
	if (!units)
		return 0;
	if (READ_ONCE(fs->cfg.perf_mode) == EFS_PERF_MAX_IO)
		return efs_pcpu_bucket_charge(&fs->ops_pcpu, units, now);
	return efs_bucket_charge(&fs->ops, units, now);
}

static void efs_refund_ops(struct efs_fs *fs, u32 units)
{
	/* maxIO's per-CPU batches are not refunded: within its error bound. */
	if (units && READ_ONCE(fs->cfg.perf_mode) != EFS_PERF_MAX_IO)
		efs_bucket_refund(&fs->ops, units);
}

static u64 efs_charge_bytes(struct efs_fs *fs, u64 metered, u64 now)
{
	u64 wait = 0;

	if (!metered)
		return 0;
	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		wait = efs_bucket_charge(&fs->credit, metered, now);
		fallthrough;
	case EFS_TP_PROVISIONED:
		wait = max(wait, efs_bucket_charge(&fs->peak, metered, now));
		break;
	default:
		break;
	}
	return wait;
}

static void efs_refund_bytes(struct efs_fs *fs, u64 metered)
{
	if (!metered)
		return;
	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		efs_bucket_refund(&fs->credit, metered);
		fallthrough;
	case EFS_TP_PROVISIONED:
		efs_bucket_refund(&fs->peak, metered);
		break;
	default:
		break;
	}
}

static int efs_max_waiters(struct efs_fs *fs, struct svc_rqst *rqstp)
{
	u32 max = READ_ONCE(fs->cfg.max_waiters);

	if (max)
		return max;
	if (rqstp && rqstp->rq_server)
		return max_t(int, READ_ONCE(rqstp->rq_server->sv_nrthreads) / 2, 1);
	return 1;
}

/* Returns 0 when the request may proceed, -EAGAIN to answer DELAY. */
int efs_throttle(struct efs_fs *fs, u32 units, u64 metered,
		 struct svc_rqst *rqstp)
{
	u64 wait, max_wait, start, now;

	/* Nothing to charge (a small read's data step): skip the clock. */
	if (!units && !metered)
		return 0;
	now = efs_now_ns();
	wait = max(efs_charge_ops(fs, units, now),
		   efs_charge_bytes(fs, metered, now));
	if (!wait)
		return 0;
	if (READ_ONCE(efs_releasing) || READ_ONCE(fs->dead))
		return 0;

	max_wait = (u64)READ_ONCE(fs->cfg.max_wait_ms) * NSEC_PER_MSEC;
	if (wait > max_wait)
		goto delay;
	if (atomic_inc_return(&fs->waiters) > efs_max_waiters(fs, rqstp)) {
		atomic_dec(&fs->waiters);
		goto delay;
	}

	start = efs_now_ns();
	wait_event_interruptible_hrtimeout(efs_wait_wq,
					   READ_ONCE(efs_releasing) ||
					   READ_ONCE(fs->dead),
					   ns_to_ktime(wait));
	atomic_dec(&fs->waiters);
	efs_stats_add_wait(fs, efs_now_ns() - start);
	return 0;

delay:
	efs_refund_ops(fs, units);
	efs_refund_bytes(fs, metered);
	efs_stats_add_delay_reply(fs);
	return -EAGAIN;
}
