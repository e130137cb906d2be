// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink backend: efs.ko over the "efs" generic netlink family.
 *
 * PENDING THE KERNEL HALF OF ISSUE 26. efs.ko has no cluster scope and no
 * grants yet; PROTOCOL.md ("Kernel interface") proposes the attributes and
 * commands this backend will use: EFS_CMD_FS_GET with EFS_A_FS_SCOPE to list
 * the cluster filesystems and read their usage counters, EFS_CMD_FS_GRANT to
 * push a grant with its lease, safe share and forget time. Until then it
 * refuses to start: a daemon that pretended to enforce grants would leave
 * every head admitting the whole budget, which is exactly what the cluster
 * scope exists to prevent.
 */
#include <errno.h>
#include <stdio.h>

#include "backend.h"

static int nl_open(void **priv, const char *arg, const struct ecl_conf *conf,
		   uint32_t nodeid, char *err, size_t errlen)
{
	(void)priv;
	(void)arg;
	(void)conf;
	(void)nodeid;
	snprintf(err, errlen,
		 "netlink backend: kernel grants not yet supported: efs.ko has no cluster scope or grant command yet (issue 26, kernel half; see PROTOCOL.md). Use backend = script:FILE to test the cluster");
	return -EOPNOTSUPP;
}

const struct ecl_backend_ops ecl_backend_netlink = {
	.name = "netlink",
	.open = nl_open,
};
