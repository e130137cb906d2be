/* SPDX-License-Identifier: GPL-2.0 */
/*
 * struct efs_fs_info: one filesystem as reported by EFS_CMD_FS_GET (and by
 * the replies of FS_ADD/FS_SET), decoded from netlink attributes. Printers
 * take this struct, never netlink messages, so they can be tested with
 * records built in memory.
 *
 * struct efs_fs_config: the configuration attributes a user asked to send
 * with FS_ADD/FS_SET.
 */
#ifndef EFSCTL_FSINFO_H
#define EFSCTL_FSINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/efs.h>

struct nlmsghdr;
struct nlattr;
struct efs_fs_local;

struct efs_fs_info {
	bool present[EFS_A_MAX + 1];	/* attributes seen in the reply */
	char name[EFS_FS_NAME_MAX + 1];
	char path[EFS_PATH_MAX];

	/* configuration */
	uint32_t performance_mode;	/* enum efs_performance_mode */
	uint32_t iops_limit;		/* combined units/s, 0 = none or mode's */
	uint32_t write_op_weight;
	uint32_t read_iops_limit;	/* read ops/s, 0 = throughput mode's */
	uint32_t write_iops_limit;	/* write ops/s, 0 = throughput mode's */
	uint32_t max_wait_ms;
	uint32_t max_waiters;		/* 0 = half of nfsd's threads */
	uint32_t throughput_mode;	/* enum efs_throughput_mode */
	uint64_t provisioned_bps;
	uint64_t metered_size;		/* bytes or EFS_METERED_SIZE_AUTO */
	uint32_t read_metering_ratio;
	uint32_t size_sample_ms;
	uint32_t credit_low_pct;
	uint64_t per_client_bps;	/* EFS_PER_CLIENT_BPS_DEFAULT, 0 = none */
	uint32_t per_client_iops;	/* 0 = none */
	uint32_t client_idle_s;
	uint32_t at_rest_policy;	/* enum efs_at_rest_policy */
	uint32_t transit_policy;	/* enum efs_transit_policy */
	uint32_t scope;			/* enum efs_scope */
	uint32_t cluster_heads;		/* heads assumed before a grant */

	/* live state */
	uint32_t iops_effective;	/* combined units/s in force, 0 = none */
	uint32_t read_iops_effective;	/* read ops/s in force, 0 = none */
	uint32_t write_iops_effective;	/* write ops/s in force, 0 = none */
	uint64_t size_bytes;		/* S in force (SizeInBytes) */
	uint64_t burst_credit_balance;	/* bytes */
	uint64_t burst_credit_max;	/* bytes */
	uint64_t permitted_bps;		/* 0 = unlimited */
	uint64_t baseline_bps;
	uint64_t burst_bps;
	uint32_t percent_io_limit;	/* hundredths of a percent */
	uint32_t client_connections;
	bool client_connections_lower_bound;
	uint64_t per_client_bps_effective; /* 0 = none */
	uint32_t waiting_threads;
	uint32_t tls_clients;		/* active clients last seen over TLS */
	bool throttling;
	uint64_t time_ns;		/* ktime_get_ns() of the snapshot */
	/* a cluster filesystem's lease (scope cluster) */
	uint64_t grant_iops;		/* units/s granted */
	uint64_t grant_bps;		/* metered bytes/s granted */
	uint32_t grant_heads;		/* heads in the last membership told */
	uint32_t grant_expires_ms;	/* lease left, 0 = expired or none */
	uint32_t grant_state;		/* enum efs_grant_state */

	/* counters, monotonic for the filesystem's lifetime */
	uint64_t data_read_bytes;
	uint64_t data_read_ops;
	uint64_t data_write_bytes;
	uint64_t data_write_ops;
	uint64_t metadata_bytes;
	uint64_t metadata_ops;
	uint64_t total_bytes;
	uint64_t metered_bytes;
	uint64_t io_units;
	uint64_t throttled_ops;
	uint64_t throttle_delay_ns;
	uint64_t delay_replies;
	uint64_t displaced;
	uint64_t tls_ops;		/* requests that came over TLS */
	uint64_t plaintext_refused;	/* refused: not TLS (transit required) */
	unsigned int wait_hist_n;	/* buckets received */
	uint64_t wait_hist[EFS_WAIT_HIST_BUCKETS]; /* i: waits < 2^i ms */

	/* fs show only: what efsctl read from the host, or NULL */
	const struct efs_fs_local *local;
};

/*
 * Decode the attributes of a genetlink message (after struct genlmsghdr)
 * into *fs. Unknown attributes are ignored. Returns 0, or -EINVAL if the
 * message is malformed or has no name.
 */
int efs_fs_decode(const struct nlmsghdr *nlh, struct efs_fs_info *fs);

struct efs_fs_config {
	unsigned int nset;		/* attributes to send */
	bool set[EFS_A_MAX + 1];
	uint64_t val[EFS_A_MAX + 1];
};

void efs_fs_config_set(struct efs_fs_config *cfg, int attr, uint64_t v);
bool efs_fs_config_has(const struct efs_fs_config *cfg, int attr);
void efs_fs_config_unset(struct efs_fs_config *cfg, int attr);

/* The filesystem called @name among @n records, or NULL. */
const struct efs_fs_info *efs_fs_info_find(const struct efs_fs_info *v,
					   size_t n, const char *name);

/*
 * EFS_A_FS_COUNTER_BASE for an fs add that brings @fs back (state
 * restore, apply's undo): its counters and wait histogram go on from
 * where they were instead of from zero.
 */
void efs_fs_info_put_counter_base(struct nlmsghdr *req,
				  const struct efs_fs_info *fs);
/*
 * The configuration attributes of a record (every option of "fs add" but
 * the credit balance, which is state), as a config to compare or send.
 */
void efs_fs_info_config(const struct efs_fs_info *fs,
			struct efs_fs_config *cfg);
/* Append every set attribute to nlh with its protocol width. */
void efs_fs_config_put(struct nlmsghdr *nlh, const struct efs_fs_config *cfg);

/*
 * IopsLimit: the reads a second the filesystem admits (a read costs one
 * unit of the combined budget and one op of the read budget): the lower
 * of the two in force, 0 = unlimited. For a module without read and write
 * budgets, the combined budget.
 */
uint32_t efs_fs_iops_limit(const struct efs_fs_info *fs);

/* Read a numeric member of struct efs_fs_info by offset and size. */
#define EFS_FS_FIELD(member) \
	offsetof(struct efs_fs_info, member), \
	sizeof(((struct efs_fs_info *)0)->member)

static inline uint64_t efs_fs_field(const struct efs_fs_info *fs, size_t off,
				    size_t size)
{
	const char *p = (const char *)fs + off;

	if (size == sizeof(uint64_t))
		return *(const uint64_t *)p;
	if (size == sizeof(uint32_t))
		return *(const uint32_t *)p;
	return *(const bool *)p;
}

/* "EFS_A_FS_NAME" style name of an attribute, or NULL. */
const char *efs_attr_name(unsigned int type);

/*
 * The value of an integer attribute (u8, u32, u64), read by its length:
 * 0, -EINVAL for a length no integer has, -ENOENT when a's type is no
 * integer attribute this efsctl knows (a string, a newer module's).
 */
int efs_attr_get_uint(const struct nlattr *a, uint64_t *v);

#endif
