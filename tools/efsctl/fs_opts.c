// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration options of "fs add" / "fs set" (see fs_opts.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "efsctl.h"
#include "fs_opts.h"
#include "units.h"

enum value_kind {
	V_U32,		/* decimal in min..max */
	V_PERF_MODE,
	V_TP_MODE,
	V_MIBPS,
	V_MIBPS_OR_0,	/* MiB/s, or 0 = none */
	V_SIZE,
	V_SIZE_AUTO,	/* a size or "auto" */
	V_POLICY,	/* "optional" or "required" (both policy enums) */
	V_SCOPE,	/* "local" or "cluster" */
};

/* name, attribute, value kind, range (V_U32), expected (other kinds) */
#define FS_OPTS(X)							\
	X(PERF, "performance-mode", EFS_A_FS_PERFORMANCE_MODE,		\
	  V_PERF_MODE, 0, 0, "generalPurpose or maxIO")			\
	X(IOPS, "iops-limit", EFS_A_FS_IOPS_LIMIT,			\
	  V_U32, 0, EFS_IOPS_LIMIT_MAX, NULL)				\
	X(WEIGHT, "write-op-weight", EFS_A_FS_WRITE_OP_WEIGHT,		\
	  V_U32, 1, EFS_WRITE_WEIGHT_MAX, NULL)				\
	X(RIOPS, "read-iops-limit", EFS_A_FS_READ_IOPS_LIMIT,		\
	  V_U32, 0, EFS_READ_IOPS_LIMIT_MAX,				\
	  "0..2500000 read ops/s, EFS's highest; 0 = the throughput mode's default") \
	X(WIOPS, "write-iops-limit", EFS_A_FS_WRITE_IOPS_LIMIT,		\
	  V_U32, 0, EFS_WRITE_IOPS_LIMIT_MAX,				\
	  "0..500000 write ops/s, EFS's highest; 0 = the throughput mode's default") \
	X(WAIT, "max-wait-ms", EFS_A_FS_MAX_WAIT_MS,			\
	  V_U32, 0, EFS_MAX_WAIT_MS_MAX, NULL)				\
	X(WAITERS, "max-waiters", EFS_A_FS_MAX_WAITERS,			\
	  V_U32, 0, EFS_MAX_WAITERS_MAX, NULL)				\
	X(TPMODE, "throughput-mode", EFS_A_FS_THROUGHPUT_MODE,		\
	  V_TP_MODE, 0, 0, "bursting, provisioned or elastic")		\
	X(MIBPS, "provisioned-throughput-in-mibps",			\
	  EFS_A_FS_PROVISIONED_BPS, V_MIBPS, 0, 0, NULL)		\
	X(METERED, "metered-size", EFS_A_FS_METERED_SIZE,		\
	  V_SIZE_AUTO, 0, 0, "auto or a size of at most 1 EiB, e.g. 100GiB") \
	X(BALANCE, "burst-credit-balance", EFS_A_FS_BURST_CREDIT_BALANCE, \
	  V_SIZE, 0, 0, "a size of at most 1 EiB, e.g. 2.1TiB")		\
	X(RATIO, "read-metering-ratio", EFS_A_FS_READ_METERING_RATIO,	\
	  V_U32, 1, EFS_READ_RATIO_MAX, NULL)				\
	X(SAMPLE, "size-sample-interval-ms", EFS_A_FS_SIZE_SAMPLE_MS,	\
	  V_U32, EFS_SAMPLE_MS_MIN, EFS_SAMPLE_MS_MAX, NULL)		\
	X(LOWPCT, "credit-low-percent", EFS_A_FS_CREDIT_LOW_PCT,	\
	  V_U32, 0, 100, NULL)						\
	X(CMIBPS, "per-client-throughput-in-mibps",			\
	  EFS_A_FS_PER_CLIENT_BPS, V_MIBPS_OR_0, 0, 0, NULL)		\
	X(CIOPS, "per-client-iops-limit", EFS_A_FS_PER_CLIENT_IOPS,	\
	  V_U32, 0, EFS_PER_CLIENT_IOPS_MAX, NULL)			\
	X(CIDLE, "client-idle-seconds", EFS_A_FS_CLIENT_IDLE_S,	\
	  V_U32, EFS_CLIENT_IDLE_S_MIN, EFS_CLIENT_IDLE_S_MAX, NULL)	\
	X(ATREST, "encryption-at-rest", EFS_A_FS_AT_REST_POLICY,	\
	  V_POLICY, 0, 0, "optional or required")			\
	X(TRANSIT, "transit-encryption", EFS_A_FS_TRANSIT_POLICY,	\
	  V_POLICY, 0, 0, "optional or required")			\
	X(SCOPE, "scope", EFS_A_FS_SCOPE, V_SCOPE, 0, 0, "local or cluster") \
	X(HEADS, "cluster-heads", EFS_A_FS_CLUSTER_HEADS,		\
	  V_U32, 1, EFS_CLUSTER_HEADS_MAX, NULL)

/* V_POLICY parses both enums to the same numbers. */
_Static_assert((int)EFS_AT_REST_OPTIONAL == (int)EFS_TRANSIT_OPTIONAL &&
	       (int)EFS_AT_REST_REQUIRED == (int)EFS_TRANSIT_REQUIRED,
	       "policy enums differ");

#define FO_ENUM(id, name, attr, kind, min, max, expect) FO_##id,
enum { FS_OPTS(FO_ENUM) N_FS_OPTS };

static const struct fs_opt {
	const char *name;
	int attr;
	enum value_kind kind;
	uint32_t min, max;
	const char *expect;
} fs_opts[N_FS_OPTS] = {
#define FO_DESC(id, name, attr, kind, min, max, expect) \
	[FO_##id] = { name, attr, kind, min, max, expect },
	FS_OPTS(FO_DESC)
};

const struct opt_def efs_fs_config_opts[] = {
#define FO_DEF(id, name, attr, kind, min, max, expect) \
	{ name, 0, true, FS_OPT_CONFIG + FO_##id },
	FS_OPTS(FO_DEF)
	{ "verbose", 'v', false, FS_OPT_VERBOSE },
	{ NULL, 0, false, 0 },
};

static int parse_value(const struct fs_opt *fo, const char *v, uint64_t *out)
{
	uint32_t u32;
	int ret;

	switch (fo->kind) {
	case V_U32:
		ret = efs_parse_u32_range(v, fo->min, fo->max, &u32);
		*out = u32;
		return ret;
	case V_PERF_MODE:
		ret = efs_perf_mode_parse(v, &u32);
		*out = u32;
		return ret;
	case V_TP_MODE:
		ret = efs_tp_mode_parse(v, &u32);
		*out = u32;
		return ret;
	case V_MIBPS:
		return efs_parse_mibps(v, EFS_PROVISIONED_BPS_MIN,
				       EFS_PROVISIONED_BPS_MAX, out);
	case V_MIBPS_OR_0:
		if (!strcmp(v, "default")) {
			*out = EFS_PER_CLIENT_BPS_DEFAULT;
			return 0;
		}
		return efs_parse_mibps(v, 0, EFS_PROVISIONED_BPS_MAX, out);
	case V_SIZE_AUTO:
		if (!strcmp(v, "auto")) {
			*out = EFS_METERED_SIZE_AUTO;
			return 0;
		}
		/* fall through */
	case V_SIZE:
		return efs_parse_size(v, EFS_SIZE_MAX, out);
	case V_POLICY:
		if (!strcmp(v, "optional"))
			*out = EFS_AT_REST_OPTIONAL;
		else if (!strcmp(v, "required"))
			*out = EFS_AT_REST_REQUIRED;
		else
			return -EINVAL;
		return 0;
	case V_SCOPE:
		return efs_scope_parse(v, out);
	}
	return -EINVAL;
}

/* "invalid value 'x' (expected ...)" */
static void bad_value(const struct fs_opt *fo, const char *v, char *buf,
		      size_t len)
{
	if (fo->kind == V_MIBPS_OR_0)
		snprintf(buf, len, "invalid value '%s' (expected MiB/s, 0 = no ceiling, at most %llu, or default)",
			 v, (unsigned long long)(EFS_PROVISIONED_BPS_MAX / MIB));
	else if (fo->kind == V_MIBPS)
		snprintf(buf, len, "invalid value '%s' (expected at least %llu MiB/s and at most %llu MiB/s)",
			 v, (unsigned long long)(EFS_PROVISIONED_BPS_MIN / MIB),
			 (unsigned long long)(EFS_PROVISIONED_BPS_MAX / MIB));
	else if (fo->expect)
		snprintf(buf, len, "invalid value '%s' (expected %s)", v,
			 fo->expect);
	else
		snprintf(buf, len, "invalid value '%s' (expected %u..%u)", v,
			 fo->min, fo->max);
}

int efs_fs_config_parse(const struct opts *o, struct efs_fs_config *cfg)
{
	char why[256];
	int i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < o->nhits; i++) {
		const struct opt_def *d = o->hits[i].def;
		const struct fs_opt *fo;
		uint64_t v;

		if (d->id < FS_OPT_CONFIG)
			continue;
		fo = &fs_opts[d->id - FS_OPT_CONFIG];
		if (parse_value(fo, o->hits[i].value, &v)) {
			bad_value(fo, o->hits[i].value, why, sizeof(why));
			efs_err("--%s: %s", fo->name, why);
			return -1;
		}
		efs_fs_config_set(cfg, fo->attr, v);
	}
	return 0;
}

int efs_fs_opt_parse(const char *name, const char *value, int *attr,
		     uint64_t *v, char *why, size_t len)
{
	int i;

	for (i = 0; i < N_FS_OPTS; i++) {
		if (strcmp(fs_opts[i].name, name))
			continue;
		*attr = fs_opts[i].attr;
		if (parse_value(&fs_opts[i], value, v)) {
			bad_value(&fs_opts[i], value, why, len);
			return -EINVAL;
		}
		return 0;
	}
	snprintf(why, len, "unknown option '%s'", name);
	return -ENOENT;
}

const char *efs_fs_opt_name(int attr)
{
	int i;

	for (i = 0; i < N_FS_OPTS; i++)
		if (fs_opts[i].attr == attr)
			return fs_opts[i].name;
	return NULL;
}

int efs_fs_opt_attr(unsigned int i)
{
	return i < N_FS_OPTS ? fs_opts[i].attr : -1;
}

char *efs_fs_opt_format(int attr, uint64_t v, char *buf, size_t len)
{
	int i;

	for (i = 0; i < N_FS_OPTS; i++) {
		if (fs_opts[i].attr != attr)
			continue;
		switch (fs_opts[i].kind) {
		case V_PERF_MODE:
			snprintf(buf, len, "%s", efs_perf_mode_str((uint32_t)v));
			return buf;
		case V_TP_MODE:
			snprintf(buf, len, "%s", efs_tp_mode_str((uint32_t)v));
			return buf;
		case V_POLICY:
			snprintf(buf, len, "%s", efs_policy_str(v));
			return buf;
		case V_SCOPE:
			snprintf(buf, len, "%s", efs_scope_str(v));
			return buf;
		case V_MIBPS_OR_0:
			if (v == EFS_PER_CLIENT_BPS_DEFAULT) {
				snprintf(buf, len, "default");
				return buf;
			}
			/* fall through */
		case V_MIBPS:
			/* 7 decimals: parsing it back gives the same bytes/s */
			return efs_fmt_ratio(buf, len, v, MIB, 7, true);
		case V_SIZE_AUTO:
			if (v == EFS_METERED_SIZE_AUTO) {
				snprintf(buf, len, "auto");
				return buf;
			}
			/* fall through */
		default:
			snprintf(buf, len, "%llu", (unsigned long long)v);
			return buf;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

void efs_fs_config_defaults(struct efs_fs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	efs_fs_config_set(cfg, EFS_A_FS_PERFORMANCE_MODE,
			  EFS_PERF_GENERAL_PURPOSE);
	efs_fs_config_set(cfg, EFS_A_FS_IOPS_LIMIT, 0);
	efs_fs_config_set(cfg, EFS_A_FS_WRITE_OP_WEIGHT,
			  EFS_WRITE_WEIGHT_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_READ_IOPS_LIMIT, 0);
	efs_fs_config_set(cfg, EFS_A_FS_WRITE_IOPS_LIMIT, 0);
	efs_fs_config_set(cfg, EFS_A_FS_MAX_WAIT_MS, EFS_MAX_WAIT_MS_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_MAX_WAITERS, 0);
	efs_fs_config_set(cfg, EFS_A_FS_THROUGHPUT_MODE, EFS_TP_BURSTING);
	efs_fs_config_set(cfg, EFS_A_FS_PROVISIONED_BPS, 0);
	efs_fs_config_set(cfg, EFS_A_FS_METERED_SIZE, EFS_METERED_SIZE_AUTO);
	efs_fs_config_set(cfg, EFS_A_FS_READ_METERING_RATIO,
			  EFS_READ_RATIO_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_SIZE_SAMPLE_MS, EFS_SAMPLE_MS_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_CREDIT_LOW_PCT,
			  EFS_CREDIT_LOW_PCT_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_PER_CLIENT_BPS,
			  EFS_PER_CLIENT_BPS_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_PER_CLIENT_IOPS, 0);
	efs_fs_config_set(cfg, EFS_A_FS_CLIENT_IDLE_S,
			  EFS_CLIENT_IDLE_S_DEFAULT);
	efs_fs_config_set(cfg, EFS_A_FS_AT_REST_POLICY, EFS_AT_REST_OPTIONAL);
	efs_fs_config_set(cfg, EFS_A_FS_TRANSIT_POLICY, EFS_TRANSIT_OPTIONAL);
	efs_fs_config_set(cfg, EFS_A_FS_SCOPE, EFS_SCOPE_LOCAL);
	efs_fs_config_set(cfg, EFS_A_FS_CLUSTER_HEADS,
			  EFS_CLUSTER_HEADS_DEFAULT);
}

const char *efs_policy_str(uint64_t v)
{
	return v == EFS_AT_REST_REQUIRED ? "required" : "optional";
}

const char *efs_scope_str(uint64_t v)
{
	return v == EFS_SCOPE_CLUSTER ? "cluster" : "local";
}

int efs_scope_parse(const char *s, uint64_t *v)
{
	if (!strcmp(s, "local"))
		*v = EFS_SCOPE_LOCAL;
	else if (!strcmp(s, "cluster"))
		*v = EFS_SCOPE_CLUSTER;
	else
		return -EINVAL;
	return 0;
}
