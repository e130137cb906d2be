// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink backend: efs.ko over the "efs" generic netlink family.
 *
 * PENDING THE KERNEL HALF OF ISSUE 26, which is being written in parallel
 * (uapi: EFS_A_FS_SCOPE, EFS_CMD_FS_GRANT with EFS_A_GRANT_IOPS, _BPS,
 * _LEASE_MS, _HEADS, _FORGET_MS; FS_GET with EFS_A_GRANT_STATE). PROTOCOL.md
 * section 7 maps struct ecl_grant onto those attributes and lists what is
 * still missing (per-budget "held back" counters). Until it is in, this
 * backend refuses to start: a daemon that pretended to enforce grants
 * would leave every head admitting the whole budget, which is exactly what
 * the cluster scope exists to prevent.
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
		 "netlink backend: kernel grants not yet supported (issue 26, kernel half: efs.ko's EFS_CMD_FS_GRANT; see PROTOCOL.md section 7). Use backend = script:FILE to test the cluster");
	return -EOPNOTSUPP;
}

const struct ecl_backend_ops ecl_backend_netlink = {
	.name = "netlink",
	.open = nl_open,
};
