/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Once a second, for every filesystem (sampler.c): S when due,
 * PercentIOLimit, the clients' rates and ageing, and the events about
 * credits and throttling.
 */
#ifndef EFS_SAMPLER_H
#define EFS_SAMPLER_H

int efs_sampler_init(void);
void efs_sampler_exit(void);

#endif /* EFS_SAMPLER_H */
