/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The netlink backend's pure parts (no socket): one filesystem as an
 * EFS_CMD_FS_GET reply has it, the per-tick usage as deltas of its
 * counters, what the kernel admits now, and one struct ecl_grant as the
 * attributes of an EFS_CMD_FS_GRANT (PROTOCOL.md section 7). Unit-tested
 * in tests/nl_test.c; backend_netlink.c does the I/O.
 */
#ifndef ECL_NLFS_H
#define ECL_NLFS_H

#include <stdbool.h>
#include <stdint.h>

#include "node.h"

struct nlmsghdr;

/* One FS_GET record. */
struct ecl_nl_fs {
	char name[ECL_FS_NAME_MAX + 1];
	bool cluster;			/* EFS_A_FS_SCOPE cluster */
	struct ecl_settings set;
	uint64_t size, balance;
	uint64_t baseline_bps;		/* EFS_A_FS_BASELINE_THROUGHPUT */
	uint32_t cluster_heads;		/* EFS_A_FS_CLUSTER_HEADS */
	/* counters, monotonic */
	uint64_t io_units, metered_bytes, throttled_ops, delay_replies;
	uint32_t clients;
	/* the lease */
	uint64_t grant_iops, grant_bps;	/* grant_bps: EFS_GRANT_BPS_NONE */
	uint32_t grant_heads;
	uint8_t grant_state;		/* enum efs_grant_state */
	uint64_t time_ns;		/* EFS_A_FS_TIME_NS, 0 if absent */
};

/* Parse an FS_GET reply; 0, or -EBADMSG without a valid name. */
int ecl_nl_parse_fs(const struct nlmsghdr *nlh, struct ecl_nl_fs *fs);

/*
 * What the kernel admits for fs now (backend.h holds): granted: the
 * grant; pre-grant: the safe share with EFS_A_FS_CLUSTER_HEADS heads;
 * safe: min(grant, safe share with the grant's heads); zero: 0.
 * bytes is ECL_UNLIMITED where there is no byte budget.
 */
void ecl_nl_holds(const struct ecl_nl_fs *fs, uint64_t *ops, uint64_t *bytes);

/*
 * Usage between two snapshots of the same filesystem taken dt_us apart.
 * A counter that went backwards (the filesystem was re-added, the module
 * reloaded) counts from 0. Held back: ThrottledOperations or DelayReplies
 * grew; the kernel does not say which budget held the requests (PROTOCOL.md
 * section 7), so it is put on the budgets used to at least 80% of what the
 * kernel admitted (ops, bytes) in the interval, or on both if neither was.
 */
void ecl_nl_usage(const struct ecl_nl_fs *prev, const struct ecl_nl_fs *cur,
		  uint64_t dt_us, uint64_t in_ops, uint64_t in_bytes,
		  struct ecl_usage *u);

/* The attributes of one FS_GRANT. */
struct ecl_nl_grant {
	uint64_t iops, bps, balance;
	uint32_t lease_ms, heads;
	uint32_t forget_ms;		/* 0: absent (never) */
};

void ecl_nl_grant_map(const struct ecl_grant *g, uint64_t now_us,
		      struct ecl_nl_grant *m);
/* Put the attributes of m (and the name) into an FS_GRANT request. */
void ecl_nl_put_grant(struct nlmsghdr *nlh, const char *name,
		      const struct ecl_nl_grant *m);

#endif /* ECL_NLFS_H */
