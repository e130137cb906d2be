/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The expiry of a cluster filesystem's lease (cluster.c): the grant
 * (rates.h, from efs-clusterd over netlink) arms it, and when no renewal
 * came by the lease's end, or by its forget time, the filesystem's
 * rates fall to the safe share, then to nothing, with an event each.
 * Under efs_registry_lock.
 */
#ifndef EFS_CLUSTER_H
#define EFS_CLUSTER_H

#include <linux/types.h>

struct efs_fs;

/* After a grant of lease_ms: its expiry runs then (re-armed if renewed). */
void efs_cluster_arm_locked(struct efs_fs *fs, u32 lease_ms);
/* fs is being deleted: its expiry, if queued, goes. */
void efs_cluster_forget_locked(struct efs_fs *fs);

int efs_cluster_init(void);
void efs_cluster_exit(void);

#endif /* EFS_CLUSTER_H */
