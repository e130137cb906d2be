/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "The local efs.ko" as efs-clusterd sees it: which cluster-scope
 * filesystems this head serves, their usage per tick, and where their
 * grants go. Two implementations:
 *  - script: an in-process stand-in that replays a scripted demand, models
 *    the kernel's lease (grant until expiry, then min(grant, safe share),
 *    then zero after the forget time) and records every grant and every
 *    tick's usage with timestamps (tests/cluster);
 *  - netlink: efs.ko over the "efs" generic netlink family (PROTOCOL.md
 *    section 7): FS_GET dumps for the list and the usage (counter deltas,
 *    nlfs.c), one EFS_CMD_FS_GRANT per grant; it refuses to start when the
 *    module is not loaded, has no FS_GRANT, or denies CAP_NET_ADMIN.
 */
#ifndef ECL_BACKEND_H
#define ECL_BACKEND_H

#include "conf.h"
#include "node.h"

struct ecl_backend_ops {
	const char *name;
	/* arg: what follows "name:" in the backend setting */
	int (*open)(void **priv, const char *arg, const struct ecl_conf *conf,
		    uint32_t nodeid, char *err, size_t errlen);
	/* the cluster-scope filesystems served now; *out is malloc'd */
	int (*list)(void *priv, uint64_t now_us, struct ecl_local_fs **out);
	void (*usage)(void *priv, const char *fs, uint64_t now_us,
		      struct ecl_usage *u);
	void (*grant)(void *priv, const char *fs, const struct ecl_grant *g,
		      uint64_t now_us);
	void (*holds)(void *priv, const char *fs, uint64_t now_us,
		      uint64_t *ops, uint64_t *bytes);
	void (*close)(void *priv);
};

extern const struct ecl_backend_ops ecl_backend_script;
extern const struct ecl_backend_ops ecl_backend_netlink;

/* monotonic microseconds, and the offset to wall-clock microseconds */
uint64_t ecl_now_us(void);
int64_t ecl_realtime_offset_us(void);

#endif /* ECL_BACKEND_H */
