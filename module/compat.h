/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Is the running knfsd the one efs was built for (compat.c)? The
 * prototypes and struct prefixes it checks are nfsd_compat.h's.
 */
#ifndef EFS_COMPAT_H
#define EFS_COMPAT_H

#include <linux/types.h>

struct sk_buff;

/* Before anything is hooked: 0, or why efs refuses to hook knfsd. */
int efs_compat_check(void);
/* How the check was made: "btf" or "compiled-in". */
const char *efs_compat_checked(void);
/* The offsets efs reads in nfsd's structs, "struct.field=offset,...". */
int efs_compat_layout(char *buf, size_t len);
/* EFS_CMD_VERSION_GET's compat attributes (issue 9). */
int efs_compat_put(struct sk_buff *skb);

#endif /* EFS_COMPAT_H */
