// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of the generic netlink family "efs" (uapi/linux/efs.h,
 * uapi/efs.yaml; the family and its events are family.c's): version
 * query, fs add/set/del/get/grant, server get/set, client list.
 * Changes need CAP_NET_ADMIN (GENL_ADMIN_PERM), and so does listing a
 * filesystem's clients (their addresses and traffic: knfsd keeps its own
 * client list root-only); the per-filesystem and server totals are open
 * to all. The events carry no client address.
 * Bad input is refused before anything changes, with an extack message.
 */
#include <linux/in6.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <net/genetlink.h>
#include "efs.h"
#include "backpressure.h"
#include "budget.h"
#include "clock.h"
#include "cluster.h"
#include "compat.h"
#include "credit.h"
#include "family.h"
#include "hooks.h"
#include "netlink.h"
#include "rates.h"
#include "registry.h"
#include "stats.h"
#include "transit.h"

static struct netlink_range_validation efs_iops_range = {
	.max = EFS_IOPS_LIMIT_MAX,
};
static struct netlink_range_validation efs_weight_range = {
	.min = 1, .max = EFS_WRITE_WEIGHT_MAX,
};
static struct netlink_range_validation efs_wait_range = {
	.max = EFS_MAX_WAIT_MS_MAX,
};
static struct netlink_range_validation efs_waiters_range = {
	.max = EFS_MAX_WAITERS_MAX,
};
static struct netlink_range_validation efs_ratio_range = {
	.min = 1, .max = EFS_READ_RATIO_MAX,
};
static struct netlink_range_validation efs_sample_range = {
	.min = EFS_SAMPLE_MS_MIN, .max = EFS_SAMPLE_MS_MAX,
};
static struct netlink_range_validation efs_pct_range = {
	.max = 100,
};
static struct netlink_range_validation efs_bps_range = {
	.max = EFS_PROVISIONED_BPS_MAX,
};
static struct netlink_range_validation efs_balance_range = {
	.max = EFS_SIZE_MAX,
};
static struct netlink_range_validation efs_client_iops_range = {
	.max = EFS_PER_CLIENT_IOPS_MAX,
};
static struct netlink_range_validation efs_idle_range = {
	.min = EFS_CLIENT_IDLE_S_MIN, .max = EFS_CLIENT_IDLE_S_MAX,
};
static struct netlink_range_validation efs_waiting_range = {
	.max = EFS_MAX_WAITING_THREADS_MAX,
};
static struct netlink_range_validation efs_heads_range = {
	.min = 1, .max = EFS_CLUSTER_HEADS_MAX,
};

/* EFS_A_FS_COUNTER_BASE: the counters a restored filesystem starts from. */
static const struct nla_policy efs_counter_policy[EFS_A_MAX + 1] = {
	[EFS_A_FS_DATA_READ_BYTES] = { .type = NLA_U64 },
	[EFS_A_FS_DATA_READ_OPS] = { .type = NLA_U64 },
	[EFS_A_FS_DATA_WRITE_BYTES] = { .type = NLA_U64 },
	[EFS_A_FS_DATA_WRITE_OPS] = { .type = NLA_U64 },
	[EFS_A_FS_METADATA_BYTES] = { .type = NLA_U64 },
	[EFS_A_FS_METADATA_OPS] = { .type = NLA_U64 },
	[EFS_A_FS_METERED_BYTES] = { .type = NLA_U64 },
	[EFS_A_FS_IO_UNITS] = { .type = NLA_U64 },
	[EFS_A_FS_THROTTLED_OPS] = { .type = NLA_U64 },
	[EFS_A_FS_THROTTLE_DELAY_NS] = { .type = NLA_U64 },
	[EFS_A_FS_DELAY_REPLIES] = { .type = NLA_U64 },
	[EFS_A_FS_WAIT_HIST] = { .type = NLA_U64 },
};

static const struct nla_policy efs_policy[EFS_A_MAX + 1] = {
	[EFS_A_FS_NAME] = { .type = NLA_NUL_STRING, .len = EFS_FS_NAME_MAX },
	[EFS_A_FS_PATH] = { .type = NLA_NUL_STRING, .len = EFS_PATH_MAX - 1 },
	[EFS_A_FS_PERFORMANCE_MODE] = NLA_POLICY_MAX(NLA_U32, __EFS_PERF_MAX - 1),
	[EFS_A_FS_IOPS_LIMIT] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_iops_range),
	[EFS_A_FS_WRITE_OP_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_weight_range),
	[EFS_A_FS_MAX_WAIT_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_wait_range),
	[EFS_A_FS_MAX_WAITERS] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_waiters_range),
	[EFS_A_FS_THROUGHPUT_MODE] = NLA_POLICY_MAX(NLA_U32, __EFS_TP_MAX - 1),
	[EFS_A_FS_PROVISIONED_BPS] = NLA_POLICY_FULL_RANGE(NLA_U64, &efs_bps_range),
	[EFS_A_FS_METERED_SIZE] = { .type = NLA_U64 },
	[EFS_A_FS_BURST_CREDIT_BALANCE] = NLA_POLICY_FULL_RANGE(NLA_U64, &efs_balance_range),
	[EFS_A_FS_READ_METERING_RATIO] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_ratio_range),
	[EFS_A_FS_SIZE_SAMPLE_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_sample_range),
	[EFS_A_FS_CREDIT_LOW_PCT] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_pct_range),
	/* 0..1 TiB/s or EFS_PER_CLIENT_BPS_DEFAULT: efs_config_validate() */
	[EFS_A_FS_PER_CLIENT_BPS] = { .type = NLA_U64 },
	[EFS_A_FS_PER_CLIENT_IOPS] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_client_iops_range),
	[EFS_A_FS_CLIENT_IDLE_S] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_idle_range),
	[EFS_A_FS_AT_REST_POLICY] = NLA_POLICY_MAX(NLA_U8, __EFS_AT_REST_MAX - 1),
	[EFS_A_FS_TRANSIT_POLICY] = NLA_POLICY_MAX(NLA_U8, __EFS_TRANSIT_MAX - 1),
	[EFS_A_SERVER_MAX_WAITING_THREADS] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_waiting_range),
	[EFS_A_FS_COUNTER_BASE] = NLA_POLICY_NESTED(efs_counter_policy),
	[EFS_A_FS_SCOPE] = NLA_POLICY_MAX(NLA_U8, __EFS_SCOPE_MAX - 1),
	[EFS_A_FS_CLUSTER_HEADS] = NLA_POLICY_FULL_RANGE(NLA_U32, &efs_heads_range),
	/* at most EFS_READ/WRITE_IOPS_LIMIT_MAX: efs_config_validate() */
	[EFS_A_FS_READ_IOPS_LIMIT] = { .type = NLA_U32 },
	[EFS_A_FS_WRITE_IOPS_LIMIT] = { .type = NLA_U32 },
	/* FS_GRANT: ranges checked by efs_lease_check(), with a message */
	[EFS_A_GRANT_IOPS] = { .type = NLA_U64 },
	[EFS_A_GRANT_BPS] = { .type = NLA_U64 },
	[EFS_A_GRANT_LEASE_MS] = { .type = NLA_U32 },
	[EFS_A_GRANT_HEADS] = { .type = NLA_U32 },
	[EFS_A_GRANT_FORGET_MS] = { .type = NLA_U32 },
};

/* extack wants a string that outlives the request: ours are literals. */
static void efs_extack(struct netlink_ext_ack *extack, const char *msg)
{
	if (extack)
		extack->_msg = msg;
}

static int efs_put_version(struct sk_buff *skb)
{
	u32 features = EFS_FEATURE_PERF_MODES | EFS_FEATURE_THROUGHPUT_MODES |
		       EFS_FEATURE_METRICS | EFS_FEATURE_EVENTS |
		       EFS_FEATURE_CLIENT_CEILINGS | EFS_FEATURE_CLIENT_STATS |
		       EFS_FEATURE_FAIR_QUEUEING | EFS_FEATURE_THREAD_BUDGET |
		       EFS_FEATURE_BACK_PRESSURE | EFS_FEATURE_AT_REST_POLICY |
		       EFS_FEATURE_STATE_RESTORE | EFS_FEATURE_THROTTLED_NICE |
		       EFS_FEATURE_CLUSTER_SCOPE | EFS_FEATURE_RW_IOPS;
	char layout[256];

	if (efs_transit_supported())
		features |= EFS_FEATURE_TLS_TRANSIT;
	efs_compat_layout(layout, sizeof(layout));
	if (nla_put_string(skb, EFS_A_VERSION, EFS_VERSION) ||
	    nla_put_u32(skb, EFS_A_FEATURES, features) ||
	    nla_put_string(skb, EFS_A_COMPAT_LAYOUT, layout) ||
	    nla_put_u8(skb, EFS_A_NFSD_HOOKED, efs_hooks_active()) ||
	    efs_compat_put(skb))
		return -EMSGSIZE;
	return 0;
}

/*
 * A command that changes state takes its reply's buffer first: once the
 * change is made, only filling and sending the reply are left, and the
 * caller must not be told of an error (out of memory) for a change that
 * was made. A reply the socket then cannot take is dropped, and the ack
 * says the command succeeded.
 */
static struct sk_buff *efs_reply_alloc(void)
{
	return genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
}

/* Fills msg (from efs_reply_alloc) as the reply to cmd, and sends it. */
static int efs_reply_send(struct sk_buff *msg, struct genl_info *info, u8 cmd,
			  int (*put)(struct sk_buff *msg, void *arg), void *arg)
{
	void *hdr;

	hdr = genlmsg_put_reply(msg, info, &efs_family, 0, cmd);
	if (!hdr || put(msg, arg)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* The reply to a change already made: success, sent or not (see above). */
static int efs_reply_changed(struct sk_buff *msg, struct genl_info *info,
			     u8 cmd, int (*put)(struct sk_buff *msg, void *arg),
			     void *arg)
{
	efs_reply_send(msg, info, cmd, put, arg);
	return 0;
}

/* A one-message reply to cmd, its attributes written by put(msg, arg). */
static int efs_reply(struct genl_info *info, u8 cmd,
		     int (*put)(struct sk_buff *msg, void *arg), void *arg)
{
	struct sk_buff *msg = efs_reply_alloc();

	if (!msg)
		return -ENOMEM;
	return efs_reply_send(msg, info, cmd, put, arg);
}

static int efs_put_version_msg(struct sk_buff *msg, void *unused)
{
	return efs_put_version(msg);
}

static int efs_nl_version(struct sk_buff *skb, struct genl_info *info)
{
	return efs_reply(info, EFS_CMD_VERSION_GET, efs_put_version_msg, NULL);
}

static int efs_put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, EFS_A_PAD);
}

/* The scope, and a cluster filesystem's lease (issue 26). */
static int efs_put_fs_scope(struct sk_buff *skb, struct efs_fs *fs, u64 now)
{
	const struct efs_lease *l = &fs->lease;

	if (nla_put_u8(skb, EFS_A_FS_SCOPE, fs->cfg.scope) ||
	    nla_put_u32(skb, EFS_A_FS_CLUSTER_HEADS, fs->cfg.cluster_heads))
		return -EMSGSIZE;
	if (fs->cfg.scope != EFS_SCOPE_CLUSTER)
		return 0;
	if (efs_put_u64(skb, EFS_A_GRANT_IOPS, l->iops) ||
	    efs_put_u64(skb, EFS_A_GRANT_BPS, l->bps) ||
	    nla_put_u32(skb, EFS_A_GRANT_HEADS, l->heads) ||
	    nla_put_u32(skb, EFS_A_GRANT_EXPIRES_MS,
			efs_lease_left_ms(l, now)) ||
	    nla_put_u8(skb, EFS_A_GRANT_STATE, efs_lease_stage(l, now)))
		return -EMSGSIZE;
	return 0;
}

/* Configuration, live state and counters of one filesystem. */
static int efs_put_fs(struct sk_buff *skb, struct efs_fs *fs)
{
	const struct efs_config *cfg = &fs->cfg;
	u64 now = efs_now_ns();
	u64 s = fs->size_bytes;
	struct efs_totals t;
	bool lower_bound;
	u32 clients;
	int i;

	efs_stats_sum(fs, &t);
	clients = efs_fs_client_count(fs, &lower_bound);
	if (nla_put_string(skb, EFS_A_FS_NAME, fs->name) ||
	    nla_put_string(skb, EFS_A_FS_PATH, fs->path_name) ||
	    nla_put_u32(skb, EFS_A_FS_PERFORMANCE_MODE, cfg->perf_mode) ||
	    nla_put_u32(skb, EFS_A_FS_IOPS_LIMIT, cfg->iops_limit) ||
	    nla_put_u32(skb, EFS_A_FS_WRITE_OP_WEIGHT, cfg->write_weight) ||
	    nla_put_u32(skb, EFS_A_FS_MAX_WAIT_MS, cfg->max_wait_ms) ||
	    nla_put_u32(skb, EFS_A_FS_MAX_WAITERS, cfg->max_waiters) ||
	    nla_put_u32(skb, EFS_A_FS_THROUGHPUT_MODE, cfg->tp_mode) ||
	    efs_put_u64(skb, EFS_A_FS_PROVISIONED_BPS, cfg->provisioned_bps) ||
	    efs_put_u64(skb, EFS_A_FS_METERED_SIZE, cfg->metered_size) ||
	    efs_put_u64(skb, EFS_A_FS_BURST_CREDIT_BALANCE,
			efs_fs_credit_balance(fs, now)) ||
	    nla_put_u32(skb, EFS_A_FS_READ_METERING_RATIO, cfg->read_ratio) ||
	    nla_put_u32(skb, EFS_A_FS_SIZE_SAMPLE_MS, cfg->sample_ms) ||
	    nla_put_u32(skb, EFS_A_FS_CREDIT_LOW_PCT, cfg->credit_low_pct) ||
	    nla_put_u32(skb, EFS_A_FS_IOPS_EFFECTIVE, fs->ops_rate) ||
	    nla_put_u32(skb, EFS_A_FS_READ_IOPS_LIMIT, cfg->read_iops_limit) ||
	    nla_put_u32(skb, EFS_A_FS_WRITE_IOPS_LIMIT,
			cfg->write_iops_limit) ||
	    nla_put_u32(skb, EFS_A_FS_READ_IOPS_EFFECTIVE, fs->read_rate) ||
	    nla_put_u32(skb, EFS_A_FS_WRITE_IOPS_EFFECTIVE, fs->write_rate) ||
	    efs_put_u64(skb, EFS_A_FS_SIZE_BYTES, s) ||
	    efs_put_u64(skb, EFS_A_FS_PERMITTED_THROUGHPUT,
			efs_fs_permitted_bps(fs, now)) ||
	    efs_put_u64(skb, EFS_A_FS_BASELINE_THROUGHPUT, efs_baseline_bps(s)) ||
	    efs_put_u64(skb, EFS_A_FS_BURST_THROUGHPUT, efs_burst_bps(s)) ||
	    efs_put_u64(skb, EFS_A_FS_BURST_CREDIT_MAX, efs_credit_max(s)) ||
	    nla_put_u32(skb, EFS_A_FS_PERCENT_IO_LIMIT,
			fs->sample.percent_io_limit) ||
	    nla_put_u32(skb, EFS_A_FS_CLIENT_CONNECTIONS, clients) ||
	    nla_put_u8(skb, EFS_A_FS_CLIENT_CONNECTIONS_LOWER_BOUND,
		       lower_bound) ||
	    efs_put_u64(skb, EFS_A_FS_PER_CLIENT_BPS, cfg->per_client_bps) ||
	    nla_put_u32(skb, EFS_A_FS_PER_CLIENT_IOPS, cfg->per_client_iops) ||
	    nla_put_u32(skb, EFS_A_FS_CLIENT_IDLE_S, cfg->client_idle_s) ||
	    nla_put_u8(skb, EFS_A_FS_AT_REST_POLICY, cfg->at_rest_policy) ||
	    nla_put_u8(skb, EFS_A_FS_TRANSIT_POLICY, cfg->transit_policy) ||
	    efs_put_u64(skb, EFS_A_FS_TLS_OPS, t.c.tls_ops) ||
	    efs_put_u64(skb, EFS_A_FS_PLAINTEXT_REFUSED,
			t.c.plaintext_refused) ||
	    nla_put_u32(skb, EFS_A_FS_TLS_CLIENTS,
			efs_fs_tls_client_count(fs)) ||
	    efs_put_u64(skb, EFS_A_FS_PER_CLIENT_BPS_EFFECTIVE,
			fs->clients.ceilings.bps) ||
	    nla_put_u32(skb, EFS_A_FS_WAITING_THREADS,
			atomic_read(&fs->fq.waiting)) ||
	    efs_put_u64(skb, EFS_A_FS_DISPLACED, t.c.displaced) ||
	    nla_put_u8(skb, EFS_A_FS_THROTTLING, fs->sample.throttling) ||
	    efs_put_u64(skb, EFS_A_FS_TIME_NS, now) ||
	    efs_put_u64(skb, EFS_A_FS_DATA_READ_BYTES, t.c.data_read_bytes) ||
	    efs_put_u64(skb, EFS_A_FS_DATA_READ_OPS, t.c.data_read_ops) ||
	    efs_put_u64(skb, EFS_A_FS_DATA_WRITE_BYTES, t.c.data_write_bytes) ||
	    efs_put_u64(skb, EFS_A_FS_DATA_WRITE_OPS, t.c.data_write_ops) ||
	    efs_put_u64(skb, EFS_A_FS_METADATA_BYTES, t.c.metadata_bytes) ||
	    efs_put_u64(skb, EFS_A_FS_METADATA_OPS, t.c.metadata_ops) ||
	    efs_put_u64(skb, EFS_A_FS_TOTAL_BYTES, t.total_bytes) ||
	    efs_put_u64(skb, EFS_A_FS_METERED_BYTES, t.c.metered_bytes) ||
	    efs_put_u64(skb, EFS_A_FS_IO_UNITS, t.c.io_units) ||
	    efs_put_u64(skb, EFS_A_FS_THROTTLED_OPS, t.c.throttled_ops) ||
	    efs_put_u64(skb, EFS_A_FS_THROTTLE_DELAY_NS, t.c.throttle_delay_ns) ||
	    efs_put_u64(skb, EFS_A_FS_DELAY_REPLIES, t.c.delay_replies))
		return -EMSGSIZE;
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
		if (efs_put_u64(skb, EFS_A_FS_WAIT_HIST, t.c.wait_hist[i]))
			return -EMSGSIZE;
	return efs_put_fs_scope(skb, fs, now);
}

static int efs_put_fs_msg(struct sk_buff *msg, void *fs)
{
	return efs_put_fs(msg, fs);
}

static int efs_reply_fs(struct genl_info *info, struct efs_fs *fs, u8 cmd)
{
	return efs_reply(info, cmd, efs_put_fs_msg, fs);
}

static bool efs_name_ok(const char *name)
{
	const char *p;

	if (!*name)
		return false;
	for (p = name; *p; p++)
		if (!isalnum(*p) && *p != '.' && *p != '_' && *p != '-')
			return false;
	return true;
}

/* Overlay the request's attributes on cfg; nothing is applied yet. */
static void efs_parse_config(struct nlattr **a, struct efs_config *cfg)
{
	if (a[EFS_A_FS_PERFORMANCE_MODE])
		cfg->perf_mode = nla_get_u32(a[EFS_A_FS_PERFORMANCE_MODE]);
	if (a[EFS_A_FS_IOPS_LIMIT])
		cfg->iops_limit = nla_get_u32(a[EFS_A_FS_IOPS_LIMIT]);
	if (a[EFS_A_FS_WRITE_OP_WEIGHT])
		cfg->write_weight = nla_get_u32(a[EFS_A_FS_WRITE_OP_WEIGHT]);
	if (a[EFS_A_FS_READ_IOPS_LIMIT])
		cfg->read_iops_limit = nla_get_u32(a[EFS_A_FS_READ_IOPS_LIMIT]);
	if (a[EFS_A_FS_WRITE_IOPS_LIMIT])
		cfg->write_iops_limit = nla_get_u32(a[EFS_A_FS_WRITE_IOPS_LIMIT]);
	if (a[EFS_A_FS_MAX_WAIT_MS])
		cfg->max_wait_ms = nla_get_u32(a[EFS_A_FS_MAX_WAIT_MS]);
	if (a[EFS_A_FS_MAX_WAITERS])
		cfg->max_waiters = nla_get_u32(a[EFS_A_FS_MAX_WAITERS]);
	if (a[EFS_A_FS_THROUGHPUT_MODE])
		cfg->tp_mode = nla_get_u32(a[EFS_A_FS_THROUGHPUT_MODE]);
	if (a[EFS_A_FS_PROVISIONED_BPS])
		cfg->provisioned_bps = nla_get_u64(a[EFS_A_FS_PROVISIONED_BPS]);
	if (a[EFS_A_FS_METERED_SIZE])
		cfg->metered_size = nla_get_u64(a[EFS_A_FS_METERED_SIZE]);
	if (a[EFS_A_FS_READ_METERING_RATIO])
		cfg->read_ratio = nla_get_u32(a[EFS_A_FS_READ_METERING_RATIO]);
	if (a[EFS_A_FS_SIZE_SAMPLE_MS])
		cfg->sample_ms = nla_get_u32(a[EFS_A_FS_SIZE_SAMPLE_MS]);
	if (a[EFS_A_FS_CREDIT_LOW_PCT])
		cfg->credit_low_pct = nla_get_u32(a[EFS_A_FS_CREDIT_LOW_PCT]);
	if (a[EFS_A_FS_PER_CLIENT_BPS])
		cfg->per_client_bps = nla_get_u64(a[EFS_A_FS_PER_CLIENT_BPS]);
	if (a[EFS_A_FS_PER_CLIENT_IOPS])
		cfg->per_client_iops = nla_get_u32(a[EFS_A_FS_PER_CLIENT_IOPS]);
	if (a[EFS_A_FS_CLIENT_IDLE_S])
		cfg->client_idle_s = nla_get_u32(a[EFS_A_FS_CLIENT_IDLE_S]);
	if (a[EFS_A_FS_AT_REST_POLICY])
		cfg->at_rest_policy = nla_get_u8(a[EFS_A_FS_AT_REST_POLICY]);
	if (a[EFS_A_FS_TRANSIT_POLICY])
		cfg->transit_policy = nla_get_u8(a[EFS_A_FS_TRANSIT_POLICY]);
	if (a[EFS_A_FS_SCOPE])
		cfg->scope = nla_get_u8(a[EFS_A_FS_SCOPE]);
	if (a[EFS_A_FS_CLUSTER_HEADS])
		cfg->cluster_heads = nla_get_u32(a[EFS_A_FS_CLUSTER_HEADS]);
}

/* The counters of EFS_A_FS_COUNTER_BASE (validated by efs_counter_policy). */
static void efs_parse_counter_base(const struct nlattr *nest,
				   struct efs_counters *base)
{
	const struct nlattr *a;
	unsigned int hist = 0;
	int rem;

	memset(base, 0, sizeof(*base));
	nla_for_each_nested(a, nest, rem) {
		u64 v = nla_get_u64(a);

		switch (nla_type(a)) {
		case EFS_A_FS_DATA_READ_BYTES:
			base->data_read_bytes = v;
			break;
		case EFS_A_FS_DATA_READ_OPS:
			base->data_read_ops = v;
			break;
		case EFS_A_FS_DATA_WRITE_BYTES:
			base->data_write_bytes = v;
			break;
		case EFS_A_FS_DATA_WRITE_OPS:
			base->data_write_ops = v;
			break;
		case EFS_A_FS_METADATA_BYTES:
			base->metadata_bytes = v;
			break;
		case EFS_A_FS_METADATA_OPS:
			base->metadata_ops = v;
			break;
		case EFS_A_FS_METERED_BYTES:
			base->metered_bytes = v;
			break;
		case EFS_A_FS_IO_UNITS:
			base->io_units = v;
			break;
		case EFS_A_FS_THROTTLED_OPS:
			base->throttled_ops = v;
			break;
		case EFS_A_FS_THROTTLE_DELAY_NS:
			base->throttle_delay_ns = v;
			break;
		case EFS_A_FS_DELAY_REPLIES:
			base->delay_replies = v;
			break;
		case EFS_A_FS_WAIT_HIST:
			if (hist < EFS_WAIT_HIST_BUCKETS)
				base->wait_hist[hist++] = v;
			break;
		}
	}
}

static int efs_nl_fs_add(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct efs_counters base, *basep = NULL;
	const char *why = NULL;
	struct efs_config cfg;
	struct sk_buff *msg;
	struct efs_fs *fs;
	u64 balance;
	const char *name;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, EFS_A_FS_NAME) ||
	    GENL_REQ_ATTR_CHECK(info, EFS_A_FS_PATH))
		return -EINVAL;
	name = nla_data(a[EFS_A_FS_NAME]);
	if (!efs_name_ok(name)) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[EFS_A_FS_NAME],
				    "invalid name: use 1-64 characters of A-Z a-z 0-9 . _ -");
		return -EINVAL;
	}
	efs_config_defaults(&cfg);
	efs_parse_config(a, &cfg);
	err = efs_config_validate(&cfg, efs_transit_supported(), &why);
	if (err)
		goto out;
	if (a[EFS_A_FS_BURST_CREDIT_BALANCE])
		balance = nla_get_u64(a[EFS_A_FS_BURST_CREDIT_BALANCE]);
	if (a[EFS_A_FS_COUNTER_BASE]) {
		efs_parse_counter_base(a[EFS_A_FS_COUNTER_BASE], &base);
		basep = &base;
	}
	msg = efs_reply_alloc();
	if (!msg)
		return -ENOMEM;
	err = efs_fs_add(name, nla_data(a[EFS_A_FS_PATH]), &cfg,
			 a[EFS_A_FS_BURST_CREDIT_BALANCE] ? &balance : NULL,
			 basep, efs_now_ns(), &fs, &why);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	efs_family_event(name, EFS_EVENT_FS_ADDED, 0);

	/* The reply describes the filesystem added, even if already gone. */
	mutex_lock(&efs_registry_lock);
	err = efs_reply_changed(msg, info, EFS_CMD_FS_ADD, efs_put_fs_msg, fs);
	mutex_unlock(&efs_registry_lock);
	efs_fs_put(fs);
	return err;
out:
	if (why)
		efs_extack(info->extack, why);
	return err;
}

static struct efs_fs *efs_nl_find(struct genl_info *info)
{
	struct efs_fs *fs;

	if (GENL_REQ_ATTR_CHECK(info, EFS_A_FS_NAME))
		return NULL;
	fs = efs_fs_find_locked(nla_data(info->attrs[EFS_A_FS_NAME]));
	if (!fs)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[EFS_A_FS_NAME],
				    "no filesystem with this name");
	return fs;
}

static int efs_nl_fs_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	const char *why = NULL;
	struct efs_config cfg;
	struct sk_buff *msg;
	struct efs_fs *fs;
	u64 balance;
	int err;

	mutex_lock(&efs_registry_lock);
	fs = efs_nl_find(info);
	err = -ENOENT;
	if (!fs)
		goto unlock;
	err = -EINVAL;
	if (a[EFS_A_FS_PATH]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[EFS_A_FS_PATH],
				    "the path of a filesystem cannot change: del and add it");
		goto unlock;
	}
	if (a[EFS_A_FS_COUNTER_BASE]) {
		NL_SET_ERR_MSG_ATTR(info->extack, a[EFS_A_FS_COUNTER_BASE],
				    "counters can only be restored when a filesystem is added");
		goto unlock;
	}
	cfg = fs->cfg;
	efs_parse_config(a, &cfg);
	err = efs_config_validate(&cfg, efs_transit_supported(), &why);
	if (err) {
		efs_extack(info->extack, why);
		goto unlock;
	}
	if (a[EFS_A_FS_BURST_CREDIT_BALANCE])
		balance = nla_get_u64(a[EFS_A_FS_BURST_CREDIT_BALANCE]);
	msg = efs_reply_alloc();
	err = -ENOMEM;
	if (!msg)
		goto unlock;
	efs_fs_apply_locked(fs, &cfg, a[EFS_A_FS_BURST_CREDIT_BALANCE] ?
			    &balance : NULL, efs_now_ns());
	/* A sleeping request re-checks nothing: let it go under the new rule. */
	wake_up_all(&efs_wait_wq);
	efs_family_event(fs->name, EFS_EVENT_FS_CHANGED, 0);
	err = efs_reply_changed(msg, info, EFS_CMD_FS_SET, efs_put_fs_msg, fs);
unlock:
	mutex_unlock(&efs_registry_lock);
	return err;
}

/*
 * efs-clusterd's grant, every tick: no reply beyond the ack. An event
 * only for news (lease.h): EFS_EVENT_CLUSTER_HEADS when the membership's
 * size changed, EFS_EVENT_GRANT_CHANGED for a reallocation (a fallback at
 * the lease's end raises EFS_EVENT_LEASE_EXPIRED). Sleeping requests are
 * not woken: they keep the wait they were given.
 */
static int efs_nl_fs_grant(struct sk_buff *skb, struct genl_info *info)
{
	static const int required[] = {
		EFS_A_GRANT_IOPS, EFS_A_GRANT_BPS, EFS_A_GRANT_LEASE_MS,
		EFS_A_GRANT_HEADS,
	};
	char name[EFS_FS_NAME_MAX + 1];
	struct nlattr **a = info->attrs;
	const char *why = NULL;
	struct efs_grant g = {};
	struct efs_fs *fs;
	unsigned int i;
	u64 balance;
	int err;

	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (!a[required[i]]) {
			NL_SET_ERR_MSG(info->extack, "a grant needs iops, throughput (bytes/s), lease (ms) and heads");
			return -EINVAL;
		}
	}
	g.iops = nla_get_u64(a[EFS_A_GRANT_IOPS]);
	g.bps = nla_get_u64(a[EFS_A_GRANT_BPS]);
	g.lease_ms = nla_get_u32(a[EFS_A_GRANT_LEASE_MS]);
	g.heads = nla_get_u32(a[EFS_A_GRANT_HEADS]);
	if (a[EFS_A_GRANT_FORGET_MS])
		g.forget_ms = nla_get_u32(a[EFS_A_GRANT_FORGET_MS]);
	if (a[EFS_A_FS_BURST_CREDIT_BALANCE]) {
		balance = nla_get_u64(a[EFS_A_FS_BURST_CREDIT_BALANCE]);
		g.credit_balance = &balance;
	}
	mutex_lock(&efs_registry_lock);
	fs = efs_nl_find(info);
	err = -ENOENT;
	if (fs) {
		err = efs_fs_grant_locked(fs, &g, efs_now_ns(), &why);
		if (!err)
			efs_cluster_arm_locked(fs, g.lease_ms);
		strscpy(name, fs->name, sizeof(name));
	}
	mutex_unlock(&efs_registry_lock);
	if (err && why)
		efs_extack(info->extack, why);
	if (err)
		return err;
	if (g.news & EFS_LEASE_NEWS_HEADS)
		efs_family_event(name, EFS_EVENT_CLUSTER_HEADS, g.heads);
	if (g.news & EFS_LEASE_NEWS_GRANT)
		efs_family_event(name, EFS_EVENT_GRANT_CHANGED, g.iops);
	return 0;
}

static int efs_nl_fs_del(struct sk_buff *skb, struct genl_info *info)
{
	char name[EFS_FS_NAME_MAX + 1];
	struct efs_fs *fs;
	int err = -ENOENT;

	mutex_lock(&efs_registry_lock);
	fs = efs_nl_find(info);
	if (fs) {
		strscpy(name, fs->name, sizeof(name));
		efs_cluster_forget_locked(fs);
		err = efs_fs_del_locked(fs);
	}
	mutex_unlock(&efs_registry_lock);
	if (!err)
		efs_family_event(name, EFS_EVENT_FS_REMOVED, 0);
	return err;
}

static int efs_nl_fs_get(struct sk_buff *skb, struct genl_info *info)
{
	struct efs_fs *fs;
	int err = -ENOENT;

	mutex_lock(&efs_registry_lock);
	fs = efs_nl_find(info);
	if (fs)
		err = efs_reply_fs(info, fs, EFS_CMD_FS_GET);
	mutex_unlock(&efs_registry_lock);
	return err;
}

static int efs_nl_fs_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	long skip = cb->args[0], i = 0;
	struct efs_fs *fs;
	void *hdr;
	int err = 0;

	mutex_lock(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node) {
		if (i++ < skip)
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &efs_family, NLM_F_MULTI,
				  EFS_CMD_FS_GET);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		if (efs_put_fs(skb, fs)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = i;
	}
	mutex_unlock(&efs_registry_lock);
	/* A full skb ends this part of the dump; the rest comes next call. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

static int efs_put_server(struct sk_buff *skb)
{
	if (nla_put_u32(skb, EFS_A_SERVER_MAX_WAITING_THREADS,
			efs_budget_max_cfg()) ||
	    nla_put_u32(skb, EFS_A_SERVER_MAX_WAITING_EFFECTIVE,
			efs_budget_limit()) ||
	    nla_put_u32(skb, EFS_A_SERVER_NFSD_THREADS,
			efs_budget_nfsd_threads()) ||
	    nla_put_u32(skb, EFS_A_SERVER_WAITING_THREADS, efs_budget_waiting()) ||
	    nla_put_u32(skb, EFS_A_SERVER_WAITING_PEAK,
			efs_budget_waiting_peak()) ||
	    efs_put_u64(skb, EFS_A_SERVER_DISPLACED, efs_budget_displaced()) ||
	    nla_put_u32(skb, EFS_A_SERVER_CLIENTS,
			atomic_read(&efs_clients_total)) ||
	    nla_put_u32(skb, EFS_A_SERVER_CLIENTS_MAX, READ_ONCE(efs_clients_max)) ||
	    nla_put_u32(skb, EFS_A_SERVER_CLIENT_BYTES, efs_client_size()) ||
	    efs_put_u64(skb, EFS_A_SERVER_PRESSURE_REPLIES,
			efs_pressure_reply_count()) ||
	    nla_put_u32(skb, EFS_A_SERVER_PRESSURE_SLOTS, efs_pressure_slots()) ||
	    nla_put_u8(skb, EFS_A_SERVER_TLS_SUPPORTED,
		       efs_transit_supported()) ||
	    efs_put_u64(skb, EFS_A_SERVER_PRESSURE_WITHHELD,
			efs_pressure_withheld_count()))
		return -EMSGSIZE;
	return 0;
}

static int efs_put_server_msg(struct sk_buff *msg, void *unused)
{
	return efs_put_server(msg);
}

static int efs_reply_server(struct genl_info *info, u8 cmd)
{
	return efs_reply(info, cmd, efs_put_server_msg, NULL);
}

static int efs_nl_server_get(struct sk_buff *skb, struct genl_info *info)
{
	return efs_reply_server(info, EFS_CMD_SERVER_GET);
}

static int efs_nl_server_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[EFS_A_SERVER_MAX_WAITING_THREADS];
	struct sk_buff *msg;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "nothing to set: give the maximum of waiting threads");
		return -EINVAL;
	}
	msg = efs_reply_alloc();
	if (!msg)
		return -ENOMEM;
	efs_budget_set_max(nla_get_u32(a));
	return efs_reply_changed(msg, info, EFS_CMD_SERVER_SET,
				 efs_put_server_msg, NULL);
}

/* One dump pass over a filesystem's clients, resuming after skip. */
struct efs_client_dump {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct efs_fs *fs;
	long skip, done;
	unsigned long now;
};

static int efs_put_client(struct efs_client *c, void *arg)
{
	struct efs_client_dump *d = arg;
	unsigned long seen = READ_ONCE(c->last_seen);
	char addr[48];	/* an IPv6 address in text */
	bool overflow;
	void *hdr;

	if (d->done++ < d->skip)
		return 0;
	overflow = efs_client_is_overflow(&d->fs->clients, c);
	if (overflow)
		seen = READ_ONCE(d->fs->clients.overflow_seen);
	efs_client_addr_str(&c->key, addr, sizeof(addr));
	hdr = genlmsg_put(d->skb, NETLINK_CB(d->cb->skb).portid,
			  d->cb->nlh->nlmsg_seq, &efs_family, NLM_F_MULTI,
			  EFS_CMD_CLIENT_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(d->skb, EFS_A_FS_NAME, d->fs->name) ||
	    nla_put_string(d->skb, EFS_A_CLIENT_ADDR, addr) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_OPS, atomic64_read(&c->ops)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_METERED_BYTES,
			atomic64_read(&c->metered_bytes)) ||
	    nla_put_u32(d->skb, EFS_A_CLIENT_OPS_PER_SECOND,
			READ_ONCE(c->ops_rate)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_METERED_BPS,
			READ_ONCE(c->metered_rate)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_THROTTLED_OPS,
			atomic64_read(&c->throttled_ops)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_DELAY_REPLIES,
			atomic64_read(&c->delay_replies)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_IDLE_MS,
			jiffies_to_msecs(d->now - seen)) ||
	    nla_put_u8(d->skb, EFS_A_CLIENT_OVERFLOW, overflow) ||
	    nla_put_u8(d->skb, EFS_A_CLIENT_TLS, READ_ONCE(c->tls)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_TLS_OPS,
			atomic64_read(&c->tls_ops)) ||
	    efs_put_u64(d->skb, EFS_A_CLIENT_PLAINTEXT_REFUSED,
			atomic64_read(&c->plaintext_refused)) ||
	    nla_put_u32(d->skb, EFS_A_CLIENT_BACKPRESSURE_SLOTS,
			overflow ? 0 : efs_pressure_client_slots(c))) {
		genlmsg_cancel(d->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(d->skb, hdr);
	d->cb->args[0] = d->done;
	return 0;
}

/*
 * The request's attributes are parsed again on each part of the dump
 * (the same way on every kernel). A client table that changes during the
 * dump may show an entry twice or not at all, as any netlink dump.
 */
static int efs_nl_client_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *a[EFS_A_MAX + 1];
	struct efs_client_dump d = {
		.skb = skb, .cb = cb, .skip = cb->args[0], .now = jiffies,
	};
	bool lower_bound;
	int err;

	err = nlmsg_parse_deprecated(cb->nlh, GENL_HDRLEN, a, EFS_A_MAX,
				     efs_policy, cb->extack);
	if (err)
		return err;
	if (!a[EFS_A_FS_NAME]) {
		NL_SET_ERR_MSG(cb->extack, "the filesystem name is required");
		return -EINVAL;
	}
	mutex_lock(&efs_registry_lock);
	d.fs = efs_fs_find_locked(nla_data(a[EFS_A_FS_NAME]));
	if (d.fs)
		refcount_inc(&d.fs->ref);
	mutex_unlock(&efs_registry_lock);
	if (!d.fs) {
		NL_SET_ERR_MSG(cb->extack, "no filesystem with this name");
		return -ENOENT;
	}
	err = efs_clients_walk(&d.fs->clients, efs_put_client, &d);
	efs_fs_client_count(d.fs, &lower_bound);
	if (!err && lower_bound)
		err = efs_put_client(&d.fs->clients.overflow, &d);
	efs_fs_put(d.fs);
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

#define EFS_OP(_cmd, _doit, _dumpit, _flags) {				\
	.cmd = _cmd, .doit = _doit, .dumpit = _dumpit, .flags = _flags,	\
	.policy = efs_policy, .maxattr = EFS_A_MAX,			\
}

static const struct genl_ops efs_ops[] = {
	EFS_OP(EFS_CMD_VERSION_GET, efs_nl_version, NULL, 0),
	EFS_OP(EFS_CMD_FS_ADD, efs_nl_fs_add, NULL, GENL_ADMIN_PERM),
	EFS_OP(EFS_CMD_FS_SET, efs_nl_fs_set, NULL, GENL_ADMIN_PERM),
	EFS_OP(EFS_CMD_FS_DEL, efs_nl_fs_del, NULL, GENL_ADMIN_PERM),
	EFS_OP(EFS_CMD_FS_GET, efs_nl_fs_get, efs_nl_fs_dump, 0),
	EFS_OP(EFS_CMD_SERVER_GET, efs_nl_server_get, NULL, 0),
	EFS_OP(EFS_CMD_SERVER_SET, efs_nl_server_set, NULL, GENL_ADMIN_PERM),
	EFS_OP(EFS_CMD_CLIENT_GET, NULL, efs_nl_client_dump, GENL_ADMIN_PERM),
	EFS_OP(EFS_CMD_FS_GRANT, efs_nl_fs_grant, NULL, GENL_ADMIN_PERM),
};

int efs_netlink_init(void)
{
	return efs_family_register(efs_ops, ARRAY_SIZE(efs_ops), efs_policy);
}

void efs_netlink_exit(void)
{
	efs_family_unregister();
}
