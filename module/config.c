// SPDX-License-Identifier: GPL-2.0
/*
 * A filesystem's configuration and what it implies (see config.h).
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include "config.h"

/* A bucket lets this much time's worth of budget through at once. */
#define EFS_BURST_WINDOW_DIV	20	/* 1/20 s = 50 ms */
#define EFS_BYTES_BURST_MIN	(256ULL << 10)

void efs_config_defaults(struct efs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->perf_mode = EFS_PERF_GENERAL_PURPOSE;
	cfg->write_weight = EFS_WRITE_WEIGHT_DEFAULT;
	cfg->max_wait_ms = EFS_MAX_WAIT_MS_DEFAULT;
	cfg->tp_mode = EFS_TP_BURSTING;
	cfg->metered_size = EFS_METERED_SIZE_AUTO;
	cfg->read_ratio = EFS_READ_RATIO_DEFAULT;
	cfg->sample_ms = EFS_SAMPLE_MS_DEFAULT;
	cfg->credit_low_pct = EFS_CREDIT_LOW_PCT_DEFAULT;
	cfg->per_client_bps = EFS_PER_CLIENT_BPS_DEFAULT;
	cfg->client_idle_s = EFS_CLIENT_IDLE_S_DEFAULT;
	cfg->scope = EFS_SCOPE_LOCAL;
	cfg->cluster_heads = EFS_CLUSTER_HEADS_DEFAULT;
}

/* The per-client byte ceiling in force: EFS's per-client limits. */
u64 efs_config_client_bps(const struct efs_config *cfg)
{
	if (cfg->per_client_bps != EFS_PER_CLIENT_BPS_DEFAULT)
		return cfg->per_client_bps;
	return cfg->tp_mode == EFS_TP_ELASTIC ? EFS_PER_CLIENT_ELASTIC_BPS :
						EFS_PER_CLIENT_BURSTING_BPS;
}

/* Cross-field rules; the netlink policy has already checked each range. */
int efs_config_validate(const struct efs_config *cfg, bool tls_supported,
			const char **why)
{
	if (cfg->tp_mode == EFS_TP_PROVISIONED && !cfg->provisioned_bps) {
		*why = "provisioned throughput mode needs --provisioned-throughput-in-mibps (at least 1)";
		return -EINVAL;
	}
	if (cfg->provisioned_bps &&
	    (cfg->provisioned_bps < EFS_PROVISIONED_BPS_MIN ||
	     cfg->provisioned_bps > EFS_PROVISIONED_BPS_MAX)) {
		*why = "provisioned throughput must be between 1 MiB/s and 1 TiB/s";
		return -ERANGE;
	}
	if (cfg->per_client_bps != EFS_PER_CLIENT_BPS_DEFAULT &&
	    cfg->per_client_bps > EFS_PROVISIONED_BPS_MAX) {
		*why = "per-client throughput must be at most 1 TiB/s (0 = none)";
		return -ERANGE;
	}
	if (cfg->transit_policy == EFS_TRANSIT_REQUIRED && !tls_supported) {
		*why = "transit-encryption required: this kernel has no server-side RPC-with-TLS (Linux 6.4 or later)";
		return -EOPNOTSUPP;
	}
	if (cfg->metered_size != EFS_METERED_SIZE_AUTO &&
	    cfg->metered_size > EFS_SIZE_MAX) {
		*why = "metered size is larger than 1 EiB";
		return -ERANGE;
	}
	if (cfg->scope >= __EFS_SCOPE_MAX) {
		*why = "scope must be local or cluster";
		return -EINVAL;
	}
	if (!cfg->cluster_heads || cfg->cluster_heads > EFS_CLUSTER_HEADS_MAX) {
		*why = "cluster heads must be 1..1024";
		return -ERANGE;
	}
	if (cfg->read_iops_limit > EFS_READ_IOPS_LIMIT_MAX) {
		*why = "read IOPS limit must be at most 2500000 ops/s, EFS's highest (0 = the throughput mode's default)";
		return -ERANGE;
	}
	if (cfg->write_iops_limit > EFS_WRITE_IOPS_LIMIT_MAX) {
		*why = "write IOPS limit must be at most 500000 ops/s, EFS's highest (0 = the throughput mode's default)";
		return -ERANGE;
	}
	return 0;
}

/*
 * The combined budget of the older model (a read 1 unit, a write the
 * write weight): --iops-limit when set; else maxIO's default, and
 * generalPurpose's for a cluster filesystem (efs-clusterd divides that
 * budget among the heads); else none (0): a local generalPurpose
 * filesystem has EFS's read and write budgets, which a combined default
 * would hold below elastic's.
 */
u32 efs_config_ops_rate(const struct efs_config *cfg)
{
	if (cfg->iops_limit)
		return cfg->iops_limit;
	if (cfg->perf_mode == EFS_PERF_MAX_IO)
		return EFS_MAXIO_IOPS_DEFAULT;
	return cfg->scope == EFS_SCOPE_CLUSTER ? EFS_GP_IOPS_DEFAULT : 0;
}

/*
 * EFS's read and write IOPS limits: the configured ones, else the
 * throughput mode's (generalPurpose). maxIO, for which AWS publishes no
 * split, has none unless set: its combined budget holds.
 */
static const u32 efs_read_iops_default[__EFS_TP_MAX] = {
	[EFS_TP_BURSTING] = EFS_BURSTING_READ_IOPS_DEFAULT,
	[EFS_TP_PROVISIONED] = EFS_PROVISIONED_READ_IOPS_DEFAULT,
	[EFS_TP_ELASTIC] = EFS_ELASTIC_READ_IOPS_DEFAULT,
};

static const u32 efs_write_iops_default[__EFS_TP_MAX] = {
	[EFS_TP_BURSTING] = EFS_BURSTING_WRITE_IOPS_DEFAULT,
	[EFS_TP_PROVISIONED] = EFS_PROVISIONED_WRITE_IOPS_DEFAULT,
	[EFS_TP_ELASTIC] = EFS_ELASTIC_WRITE_IOPS_DEFAULT,
};

/* A read or write limit: the one set, else the throughput mode's (maxIO: none). */
static u32 efs_config_rw_iops(const struct efs_config *cfg, u32 set,
			      const u32 *defaults)
{
	if (set)
		return set;
	if (cfg->perf_mode == EFS_PERF_MAX_IO || cfg->tp_mode >= __EFS_TP_MAX)
		return 0;
	return defaults[cfg->tp_mode];
}

u32 efs_config_read_iops(const struct efs_config *cfg)
{
	return efs_config_rw_iops(cfg, cfg->read_iops_limit,
				  efs_read_iops_default);
}

u32 efs_config_write_iops(const struct efs_config *cfg)
{
	return efs_config_rw_iops(cfg, cfg->write_iops_limit,
				  efs_write_iops_default);
}

u64 efs_bytes_burst(u64 rate)
{
	return max(rate / EFS_BURST_WINDOW_DIV, EFS_BYTES_BURST_MIN);
}

u64 efs_ops_burst(const struct efs_config *cfg, u64 rate)
{
	return max3(rate / EFS_BURST_WINDOW_DIV, (u64)cfg->write_weight, 1ULL);
}

/* A read or write budget: one op costs 1. */
u64 efs_rw_burst(u64 rate)
{
	return max(rate / EFS_BURST_WINDOW_DIV, 1ULL);
}
