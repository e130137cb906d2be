// SPDX-License-Identifier: GPL-2.0
/*
 * FS_GET requests and record collection (see fs_get.h).
 */
#include <errno.h>
#include <stdlib.h>

#include <libmnl/libmnl.h>

#include "efsctl.h"
#include "fs_get.h"
#include "print.h"

void efs_fs_list_free(struct efs_fs_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int efs_fs_collect(const struct nlmsghdr *nlh, void *data)
{
	struct efs_fs_list *l = data;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 4;
		struct efs_fs_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if (efs_fs_decode(nlh, &l->v[l->n]))
		return -EBADMSG;
	l->n++;
	return 0;
}

int efs_fs_get(struct efs_nl *nl, const char *name, struct efs_fs_list *l)
{
	struct nlmsghdr *req = efs_nl_request(nl, EFS_CMD_FS_GET, !name);

	if (name)
		mnl_attr_put_strz(req, EFS_A_FS_NAME, name);
	return efs_nl_talk(nl, req, efs_fs_collect, l);
}

int efs_fs_fetch_sorted(const char *name, struct efs_fs_list *l)
{
	struct efs_nl nl;
	int err;

	if (efs_connect(&nl))
		return -1;
	err = efs_fs_get(&nl, name, l);
	if (err) {
		efs_report_nl_error(&nl, err, name);
		efs_fs_list_free(l);
	} else {
		efs_fs_sort(l->v, l->n);
	}
	efs_nl_close(&nl);
	return err ? -1 : 0;
}
