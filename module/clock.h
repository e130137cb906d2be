/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One clock for every bucket: monotonic, ns. The pure units (limiter,
 * lease, charge, rates, the registry) are given the time as an argument;
 * the ones that act now (throttle, copy, cluster, sampler, netlink) read
 * it here.
 */
#ifndef EFS_CLOCK_H
#define EFS_CLOCK_H

#include <linux/ktime.h>

static inline u64 efs_now_ns(void)
{
	return ktime_get_ns();
}

#endif /* EFS_CLOCK_H */
