// SPDX-License-Identifier: GPL-2.0
/*
 * Decoding filesystem records and encoding configuration (see fsinfo.h).
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "fsinfo.h"

enum attr_kind {
	K_NONE,
	K_STR,
	K_U8,
	K_U32,
	K_U64,
	K_HIST,
};

#define F(member) offsetof(struct efs_fs_info, member)

static const struct attr_desc {
	const char *name;
	enum attr_kind kind;	/* protocol width */
	size_t off;		/* into struct efs_fs_info, if decoded */
	size_t size;		/* of that member */
} attrs[EFS_A_MAX + 1] = {
#define A(attr, k, member) [attr] = { #attr, k, F(member), \
	sizeof(((struct efs_fs_info *)0)->member) }
#define N(attr, k) [attr] = { #attr, k, 0, 0 }
	N(EFS_A_PAD, K_NONE),
	N(EFS_A_VERSION, K_STR),
	N(EFS_A_FEATURES, K_U32),
	N(EFS_A_COMPAT_LAYOUT, K_STR),
	N(EFS_A_NFSD_HOOKED, K_U8),
	A(EFS_A_FS_NAME, K_STR, name),
	A(EFS_A_FS_PATH, K_STR, path),
	A(EFS_A_FS_PERFORMANCE_MODE, K_U32, performance_mode),
	A(EFS_A_FS_IOPS_LIMIT, K_U32, iops_limit),
	A(EFS_A_FS_WRITE_OP_WEIGHT, K_U32, write_op_weight),
	A(EFS_A_FS_MAX_WAIT_MS, K_U32, max_wait_ms),
	A(EFS_A_FS_MAX_WAITERS, K_U32, max_waiters),
	A(EFS_A_FS_THROUGHPUT_MODE, K_U32, throughput_mode),
	A(EFS_A_FS_PROVISIONED_BPS, K_U64, provisioned_bps),
	A(EFS_A_FS_METERED_SIZE, K_U64, metered_size),
	A(EFS_A_FS_BURST_CREDIT_BALANCE, K_U64, burst_credit_balance),
	A(EFS_A_FS_READ_METERING_RATIO, K_U32, read_metering_ratio),
	A(EFS_A_FS_SIZE_SAMPLE_MS, K_U32, size_sample_ms),
	A(EFS_A_FS_CREDIT_LOW_PCT, K_U32, credit_low_pct),
	A(EFS_A_FS_IOPS_EFFECTIVE, K_U32, iops_effective),
	A(EFS_A_FS_SIZE_BYTES, K_U64, size_bytes),
	A(EFS_A_FS_PERMITTED_THROUGHPUT, K_U64, permitted_bps),
	A(EFS_A_FS_BASELINE_THROUGHPUT, K_U64, baseline_bps),
	A(EFS_A_FS_BURST_THROUGHPUT, K_U64, burst_bps),
	A(EFS_A_FS_BURST_CREDIT_MAX, K_U64, burst_credit_max),
	A(EFS_A_FS_PERCENT_IO_LIMIT, K_U32, percent_io_limit),
	A(EFS_A_FS_CLIENT_CONNECTIONS, K_U32, client_connections),
	A(EFS_A_FS_THROTTLING, K_U8, throttling),
	A(EFS_A_FS_TIME_NS, K_U64, time_ns),
	A(EFS_A_FS_DATA_READ_BYTES, K_U64, data_read_bytes),
	A(EFS_A_FS_DATA_READ_OPS, K_U64, data_read_ops),
	A(EFS_A_FS_DATA_WRITE_BYTES, K_U64, data_write_bytes),
	A(EFS_A_FS_DATA_WRITE_OPS, K_U64, data_write_ops),
	A(EFS_A_FS_METADATA_BYTES, K_U64, metadata_bytes),
	A(EFS_A_FS_METADATA_OPS, K_U64, metadata_ops),
	A(EFS_A_FS_TOTAL_BYTES, K_U64, total_bytes),
	A(EFS_A_FS_METERED_BYTES, K_U64, metered_bytes),
	A(EFS_A_FS_IO_UNITS, K_U64, io_units),
	A(EFS_A_FS_THROTTLED_OPS, K_U64, throttled_ops),
	A(EFS_A_FS_THROTTLE_DELAY_NS, K_U64, throttle_delay_ns),
	A(EFS_A_FS_DELAY_REPLIES, K_U64, delay_replies),
	A(EFS_A_FS_WAIT_HIST, K_HIST, wait_hist),
	N(EFS_A_EVENT_TYPE, K_U32),
	N(EFS_A_EVENT_VALUE, K_U64),
	N(EFS_A_EVENT_TIME_NS, K_U64),
	N(EFS_A_FS_COUNTER_BASE, K_NONE),
	A(EFS_A_FS_PER_CLIENT_BPS, K_U64, per_client_bps),
	A(EFS_A_FS_PER_CLIENT_IOPS, K_U32, per_client_iops),
	A(EFS_A_FS_CLIENT_IDLE_S, K_U32, client_idle_s),
	A(EFS_A_FS_PER_CLIENT_BPS_EFFECTIVE, K_U64, per_client_bps_effective),
	A(EFS_A_FS_CLIENT_CONNECTIONS_LOWER_BOUND, K_U8,
	  client_connections_lower_bound),
	A(EFS_A_FS_WAITING_THREADS, K_U32, waiting_threads),
	A(EFS_A_FS_DISPLACED, K_U64, displaced),
	N(EFS_A_SERVER_MAX_WAITING_THREADS, K_U32),
	N(EFS_A_SERVER_MAX_WAITING_EFFECTIVE, K_U32),
	N(EFS_A_SERVER_NFSD_THREADS, K_U32),
	N(EFS_A_SERVER_WAITING_THREADS, K_U32),
	N(EFS_A_SERVER_DISPLACED, K_U64),
	N(EFS_A_SERVER_CLIENTS, K_U32),
	N(EFS_A_SERVER_CLIENTS_MAX, K_U32),
	N(EFS_A_SERVER_CLIENT_BYTES, K_U32),
	N(EFS_A_SERVER_PRESSURE_REPLIES, K_U64),
	N(EFS_A_SERVER_PRESSURE_SLOTS, K_U32),
	N(EFS_A_CLIENT_ADDR, K_STR),
	N(EFS_A_CLIENT_OPS, K_U64),
	N(EFS_A_CLIENT_METERED_BYTES, K_U64),
	N(EFS_A_CLIENT_OPS_PER_SECOND, K_U32),
	N(EFS_A_CLIENT_METERED_BPS, K_U64),
	N(EFS_A_CLIENT_THROTTLED_OPS, K_U64),
	N(EFS_A_CLIENT_DELAY_REPLIES, K_U64),
	N(EFS_A_CLIENT_IDLE_MS, K_U64),
	N(EFS_A_CLIENT_OVERFLOW, K_U8),
	N(EFS_A_SERVER_PRESSURE_WITHHELD, K_U64),
	A(EFS_A_FS_AT_REST_POLICY, K_U8, at_rest_policy),
	A(EFS_A_FS_TRANSIT_POLICY, K_U8, transit_policy),
	A(EFS_A_FS_TLS_OPS, K_U64, tls_ops),
	A(EFS_A_FS_PLAINTEXT_REFUSED, K_U64, plaintext_refused),
	A(EFS_A_FS_TLS_CLIENTS, K_U32, tls_clients),
	N(EFS_A_CLIENT_TLS, K_U8),
	N(EFS_A_CLIENT_TLS_OPS, K_U64),
	N(EFS_A_CLIENT_PLAINTEXT_REFUSED, K_U64),
	N(EFS_A_SERVER_TLS_SUPPORTED, K_U8),
	N(EFS_A_CLIENT_BACKPRESSURE_SLOTS, K_U32),
	N(EFS_A_SERVER_WAITING_PEAK, K_U32),
	A(EFS_A_FS_SCOPE, K_U8, scope),
	A(EFS_A_FS_CLUSTER_HEADS, K_U32, cluster_heads),
	A(EFS_A_GRANT_IOPS, K_U64, grant_iops),
	A(EFS_A_GRANT_BPS, K_U64, grant_bps),
	N(EFS_A_GRANT_LEASE_MS, K_U32),
	A(EFS_A_GRANT_HEADS, K_U32, grant_heads),
	A(EFS_A_GRANT_EXPIRES_MS, K_U32, grant_expires_ms),
	N(EFS_A_GRANT_FORGET_MS, K_U32),
	A(EFS_A_GRANT_STATE, K_U8, grant_state),
	A(EFS_A_FS_READ_IOPS_LIMIT, K_U32, read_iops_limit),
	A(EFS_A_FS_WRITE_IOPS_LIMIT, K_U32, write_iops_limit),
	A(EFS_A_FS_READ_IOPS_EFFECTIVE, K_U32, read_iops_effective),
	A(EFS_A_FS_WRITE_IOPS_EFFECTIVE, K_U32, write_iops_effective),
#undef A
#undef N
};

const char *efs_attr_name(unsigned int type)
{
	return type <= EFS_A_MAX ? attrs[type].name : NULL;
}

/* Integers are read by their length, so a widened attribute still decodes. */
static int get_uint(const struct nlattr *a, uint64_t *v)
{
	const void *p = mnl_attr_get_payload(a);
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		memcpy(&u8, p, 1);
		*v = u8;
		return 0;
	case 2:
		memcpy(&u16, p, 2);
		*v = u16;
		return 0;
	case 4:
		memcpy(&u32, p, 4);
		*v = u32;
		return 0;
	case 8:
		memcpy(v, p, 8);
		return 0;
	}
	return -EINVAL;
}

int efs_attr_get_uint(const struct nlattr *a, uint64_t *v)
{
	unsigned int type = mnl_attr_get_type(a);

	if (type > EFS_A_MAX || (attrs[type].kind != K_U8 &&
				 attrs[type].kind != K_U32 &&
				 attrs[type].kind != K_U64))
		return -ENOENT;
	return get_uint(a, v);
}

static void store_uint(void *dst, size_t size, uint64_t v)
{
	if (size == sizeof(bool))
		*(bool *)dst = v != 0;
	else if (size == sizeof(uint32_t))
		*(uint32_t *)dst = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	else
		*(uint64_t *)dst = v;
}

int efs_fs_decode(const struct nlmsghdr *nlh, struct efs_fs_info *fs)
{
	const struct nlattr *a;

	memset(fs, 0, sizeof(*fs));
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return -EINVAL;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		unsigned int type = mnl_attr_get_type(a);
		const struct attr_desc *d;
		char *dst;
		uint64_t v;

		if (type > EFS_A_MAX || !attrs[type].size)
			continue;	/* unknown or not part of a record */
		d = &attrs[type];
		dst = (char *)fs + d->off;

		switch (d->kind) {
		case K_STR: {
			size_t len = mnl_attr_get_payload_len(a);
			const char *s = mnl_attr_get_payload(a);

			len = strnlen(s, len);
			if (len >= d->size)
				return -EINVAL;
			memcpy(dst, s, len);
			dst[len] = '\0';
			break;
		}
		case K_HIST:
			if (get_uint(a, &v))
				return -EINVAL;
			if (fs->wait_hist_n < EFS_WAIT_HIST_BUCKETS)
				fs->wait_hist[fs->wait_hist_n++] = v;
			break;
		default:
			if (get_uint(a, &v))
				return -EINVAL;
			store_uint(dst, d->size, v);
			break;
		}
		fs->present[type] = true;
	}
	if (!fs->name[0])
		return -EINVAL;
	return 0;
}

void efs_fs_config_set(struct efs_fs_config *cfg, int attr, uint64_t v)
{
	if (!cfg->set[attr])
		cfg->nset++;
	cfg->set[attr] = true;
	cfg->val[attr] = v;
}

void efs_fs_config_unset(struct efs_fs_config *cfg, int attr)
{
	if (cfg->set[attr])
		cfg->nset--;
	cfg->set[attr] = false;
}

bool efs_fs_config_has(const struct efs_fs_config *cfg, int attr)
{
	return cfg->set[attr];
}

void efs_fs_config_put(struct nlmsghdr *nlh, const struct efs_fs_config *cfg)
{
	unsigned int type;

	for (type = 0; type <= EFS_A_MAX; type++) {
		if (!cfg->set[type])
			continue;
		if (attrs[type].kind == K_U64)
			mnl_attr_put_u64(nlh, type, cfg->val[type]);
		else if (attrs[type].kind == K_U32)
			mnl_attr_put_u32(nlh, type, (uint32_t)cfg->val[type]);
		else if (attrs[type].kind == K_U8)
			mnl_attr_put_u8(nlh, type, (uint8_t)cfg->val[type]);
	}
}

void efs_fs_info_config(const struct efs_fs_info *fs,
			struct efs_fs_config *cfg)
{
	static const int config_attrs[] = {
		EFS_A_FS_PERFORMANCE_MODE, EFS_A_FS_IOPS_LIMIT,
		EFS_A_FS_WRITE_OP_WEIGHT, EFS_A_FS_MAX_WAIT_MS,
		EFS_A_FS_MAX_WAITERS, EFS_A_FS_THROUGHPUT_MODE,
		EFS_A_FS_PROVISIONED_BPS, EFS_A_FS_METERED_SIZE,
		EFS_A_FS_READ_METERING_RATIO, EFS_A_FS_SIZE_SAMPLE_MS,
		EFS_A_FS_CREDIT_LOW_PCT, EFS_A_FS_PER_CLIENT_BPS,
		EFS_A_FS_PER_CLIENT_IOPS, EFS_A_FS_CLIENT_IDLE_S,
		EFS_A_FS_AT_REST_POLICY, EFS_A_FS_TRANSIT_POLICY,
		EFS_A_FS_SCOPE, EFS_A_FS_CLUSTER_HEADS,
		EFS_A_FS_READ_IOPS_LIMIT, EFS_A_FS_WRITE_IOPS_LIMIT,
	};
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < sizeof(config_attrs) / sizeof(config_attrs[0]); i++) {
		const struct attr_desc *d = &attrs[config_attrs[i]];

		if (!fs->present[config_attrs[i]])
			continue;
		efs_fs_config_set(cfg, config_attrs[i],
				  efs_fs_field(fs, d->off, d->size));
	}
}

void efs_fs_info_put_counter_base(struct nlmsghdr *req,
				  const struct efs_fs_info *fs)
{
	static const struct {
		int attr;
		size_t off, size;
	} ctrs[] = {
		{ EFS_A_FS_DATA_READ_BYTES, EFS_FS_FIELD(data_read_bytes) },
		{ EFS_A_FS_DATA_READ_OPS, EFS_FS_FIELD(data_read_ops) },
		{ EFS_A_FS_DATA_WRITE_BYTES, EFS_FS_FIELD(data_write_bytes) },
		{ EFS_A_FS_DATA_WRITE_OPS, EFS_FS_FIELD(data_write_ops) },
		{ EFS_A_FS_METADATA_BYTES, EFS_FS_FIELD(metadata_bytes) },
		{ EFS_A_FS_METADATA_OPS, EFS_FS_FIELD(metadata_ops) },
		{ EFS_A_FS_METERED_BYTES, EFS_FS_FIELD(metered_bytes) },
		{ EFS_A_FS_IO_UNITS, EFS_FS_FIELD(io_units) },
		{ EFS_A_FS_THROTTLED_OPS, EFS_FS_FIELD(throttled_ops) },
		{ EFS_A_FS_THROTTLE_DELAY_NS, EFS_FS_FIELD(throttle_delay_ns) },
		{ EFS_A_FS_DELAY_REPLIES, EFS_FS_FIELD(delay_replies) },
	};
	struct nlattr *nest = mnl_attr_nest_start(req, EFS_A_FS_COUNTER_BASE);
	unsigned int i;

	for (i = 0; i < sizeof(ctrs) / sizeof(ctrs[0]); i++)
		mnl_attr_put_u64(req, ctrs[i].attr,
				 efs_fs_field(fs, ctrs[i].off, ctrs[i].size));
	for (i = 0; i < fs->wait_hist_n; i++)
		mnl_attr_put_u64(req, EFS_A_FS_WAIT_HIST, fs->wait_hist[i]);
	mnl_attr_nest_end(req, nest);
}

uint32_t efs_fs_iops_limit(const struct efs_fs_info *fs)
{
	uint32_t ops = fs->iops_effective, reads = fs->read_iops_effective;

	if (!fs->present[EFS_A_FS_READ_IOPS_EFFECTIVE] || !reads)
		return ops;
	return ops && ops < reads ? ops : reads;
}

const struct efs_fs_info *efs_fs_info_find(const struct efs_fs_info *v,
					   size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}
