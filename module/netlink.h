/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of the generic netlink family "efs" (netlink.c): their
 * handlers, registered with the family (family.h) at init.
 */
#ifndef EFS_NETLINK_H
#define EFS_NETLINK_H

int efs_netlink_init(void);
void efs_netlink_exit(void);

#endif /* EFS_NETLINK_H */
