/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fetching filesystem records with EFS_CMD_FS_GET: one, or a dump of all.
 */
#ifndef EFSCTL_FS_GET_H
#define EFSCTL_FS_GET_H

#include <stddef.h>
#include <stdint.h>

#include "fsinfo.h"
#include "nl.h"

struct efs_fs_list {
	struct efs_fs_info *v;
	size_t n, cap;
};

void efs_fs_list_free(struct efs_fs_list *l);

/*
 * A libmnl-style callback: decode one FS_GET reply and append it to the
 * struct efs_fs_list data. Returns 0, -ENOMEM, or -EBADMSG if malformed.
 */
int efs_fs_collect(const struct nlmsghdr *nlh, void *data);

/*
 * FS_GET of name, or a dump of every filesystem if name is NULL; records
 * are appended to l. Returns 0 or -errno (nl->extack may explain it).
 */
int efs_fs_get(struct efs_nl *nl, const char *name, struct efs_fs_list *l);

/*
 * What "fs show" and "metrics" need: connect, fetch name (or every
 * filesystem if NULL) sorted by name, and report any error on stderr.
 * Returns 0, or -1 once the error is reported; l is filled only on 0.
 */
int efs_fs_fetch_sorted(const char *name, struct efs_fs_list *l);

#endif
