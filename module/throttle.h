/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Admission (throttle.c): charge a request to its client's ceilings and
 * its filesystem's budgets, then let it go, make its thread wait
 * (bounded), or have it answered NFS4ERR_DELAY / NFS3ERR_JUKEBOX.
 */
#ifndef EFS_THROTTLE_H
#define EFS_THROTTLE_H

#include <linux/types.h>

struct svc_rqst;
struct efs_client;
struct efs_cost;
struct efs_fs;

/*
 * c is the request's client (NULL: not known), which the caller holds.
 * 0: go on, 1: go on after a wait, -EAGAIN: answer DELAY.
 */
int efs_throttle(struct efs_fs *fs, struct efs_client *c,
		 const struct efs_cost *cost, struct svc_rqst *rqstp);
/* The module is unloading: whoever waits for a budget leaves at once. */
bool efs_throttle_releasing(void);
/* Module exit: every waiting request goes, and none waits any more. */
void efs_throttle_exit(void);

#endif /* EFS_THROTTLE_H */
