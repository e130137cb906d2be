/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A filesystem's configuration (fs add, fs set): its defaults, the rules
 * across its fields, and the rates and bursts it implies, which rates.c
 * turns into buckets. Pure arithmetic.
 */
#ifndef EFS_CONFIG_H
#define EFS_CONFIG_H

#include <linux/types.h>
#include "../uapi/linux/efs.h"

struct efs_config {
	u32 perf_mode;		/* enum efs_performance_mode */
	u32 iops_limit;		/* combined: 0 = none (gp) or mode's */
	u32 write_weight;
	u32 read_iops_limit;	/* 0 = the throughput mode's default */
	u32 write_iops_limit;	/* 0 = the throughput mode's default */
	u32 max_wait_ms;
	u32 max_waiters;	/* 0 = only the server-wide budget */
	u32 tp_mode;		/* enum efs_throughput_mode */
	u64 provisioned_bps;	/* 0 = none configured */
	u64 metered_size;	/* EFS_METERED_SIZE_AUTO = sample */
	u32 read_ratio;
	u32 sample_ms;
	u32 credit_low_pct;
	u64 per_client_bps;	/* EFS_PER_CLIENT_BPS_DEFAULT = mode's */
	u32 per_client_iops;	/* 0 = none */
	u32 client_idle_s;
	u8 at_rest_policy;	/* enum efs_at_rest_policy: efsctl checks it */
	u8 transit_policy;	/* enum efs_transit_policy: transit.c */
	u8 scope;		/* enum efs_scope */
	u32 cluster_heads;	/* heads assumed before the first grant */
};

void efs_config_defaults(struct efs_config *cfg);
/*
 * Cross-field rules; the netlink policy has already checked each range.
 * tls_supported: the kernel has server-side RPC-with-TLS (transit.c).
 * 0, or an error with the reason in *why.
 */
int efs_config_validate(const struct efs_config *cfg, bool tls_supported,
			const char **why);

/* The combined ops budget (units/s) of the older model, 0 = none. */
u32 efs_config_ops_rate(const struct efs_config *cfg);
/* EFS's read and write IOPS limits in force, 0 = none. */
u32 efs_config_read_iops(const struct efs_config *cfg);
u32 efs_config_write_iops(const struct efs_config *cfg);
/* The per-client byte ceiling in force (0 = none): EFS's per-client limit. */
u64 efs_config_client_bps(const struct efs_config *cfg);

/*
 * Bursts: what a bucket of rate lets through at once, 1/20 s of its rate
 * (50 ms), and at least a write's units (the combined ops budget), one op
 * (the read and write budgets) or 256 KiB (bytes).
 */
u64 efs_ops_burst(const struct efs_config *cfg, u64 rate);
u64 efs_rw_burst(u64 rate);
u64 efs_bytes_burst(u64 rate);

#endif /* EFS_CONFIG_H */
