/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The generic netlink family "efs" and its events (family.c); its
 * commands are netlink.c's.
 */
#ifndef EFS_FAMILY_H
#define EFS_FAMILY_H

#include <linux/types.h>
#include "../uapi/linux/efs.h"

struct genl_ops;
struct nla_policy;

/* For the commands' replies and dumps (genlmsg_put*()). */
extern struct genl_family efs_family;

int efs_family_register(const struct genl_ops *ops, unsigned int n_ops,
			const struct nla_policy *policy);
void efs_family_unregister(void);
/*
 * Multicast an event (enum efs_event_type) about filesystem fs_name to
 * the "events" group, if anyone listens. May sleep.
 */
void efs_family_event(const char *fs_name, u32 type, u64 value);

#endif /* EFS_FAMILY_H */
