// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink backend's pure parts (see nlfs.h).
 */
#include <errno.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <linux/efs.h>

#include "nlfs.h"

static uint64_t get_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1: return mnl_attr_get_u8(a);
	case 2: return mnl_attr_get_u16(a);
	case 4: return mnl_attr_get_u32(a);
	case 8: return mnl_attr_get_u64(a);
	}
	return 0;
}

static uint32_t sat32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

int ecl_nl_parse_fs(const struct nlmsghdr *nlh, struct ecl_nl_fs *fs)
{
	const struct nlattr *a;
	bool named = false;

	memset(fs, 0, sizeof(*fs));
	fs->set.write_weight = EFS_WRITE_WEIGHT_DEFAULT;
	fs->set.read_ratio = EFS_READ_RATIO_DEFAULT;
	fs->set.metered_size = ECL_METERED_SIZE_AUTO;
	fs->cluster_heads = EFS_CLUSTER_HEADS_DEFAULT;
	fs->grant_bps = EFS_GRANT_BPS_NONE;
	fs->grant_state = EFS_GRANT_STATE_PRE;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);
		uint64_t v;

		if (t == EFS_A_FS_NAME) {
			const char *s = mnl_attr_get_payload(a);
			size_t n = strnlen(s, mnl_attr_get_payload_len(a));

			if (!ecl_fs_name_valid(s, n))
				return -EBADMSG;
			memcpy(fs->name, s, n);
			fs->name[n] = '\0';
			named = true;
			continue;
		}
		v = get_uint(a);
		switch (t) {
		case EFS_A_FS_SCOPE: fs->cluster = v == EFS_SCOPE_CLUSTER; break;
		case EFS_A_FS_PERFORMANCE_MODE:
			fs->set.perf_mode = v == EFS_PERF_MAX_IO ?
					    ECL_PERF_MAXIO : ECL_PERF_GENERAL;
			break;
		case EFS_A_FS_THROUGHPUT_MODE:
			fs->set.tput_mode = v == EFS_TP_PROVISIONED ?
				ECL_TPUT_PROVISIONED : v == EFS_TP_ELASTIC ?
				ECL_TPUT_ELASTIC : ECL_TPUT_BURSTING;
			break;
		case EFS_A_FS_WRITE_OP_WEIGHT:
			fs->set.write_weight = v > UINT16_MAX ? UINT16_MAX : (uint16_t)v;
			break;
		case EFS_A_FS_IOPS_LIMIT: fs->set.iops_limit = sat32(v); break;
		case EFS_A_FS_READ_METERING_RATIO: fs->set.read_ratio = sat32(v); break;
		case EFS_A_FS_PROVISIONED_BPS: fs->set.prov_bps = v; break;
		case EFS_A_FS_METERED_SIZE: fs->set.metered_size = v; break;
		case EFS_A_FS_SIZE_BYTES: fs->size = v; break;
		case EFS_A_FS_BURST_CREDIT_BALANCE: fs->balance = v; break;
		case EFS_A_FS_BASELINE_THROUGHPUT: fs->baseline_bps = v; break;
		case EFS_A_FS_CLUSTER_HEADS: fs->cluster_heads = sat32(v); break;
		case EFS_A_FS_IO_UNITS: fs->io_units = v; break;
		case EFS_A_FS_METERED_BYTES: fs->metered_bytes = v; break;
		case EFS_A_FS_THROTTLED_OPS: fs->throttled_ops = v; break;
		case EFS_A_FS_DELAY_REPLIES: fs->delay_replies = v; break;
		case EFS_A_FS_CLIENT_CONNECTIONS: fs->clients = sat32(v); break;
		case EFS_A_GRANT_IOPS: fs->grant_iops = v; break;
		case EFS_A_GRANT_BPS: fs->grant_bps = v; break;
		case EFS_A_GRANT_HEADS: fs->grant_heads = sat32(v); break;
		case EFS_A_GRANT_STATE: fs->grant_state = (uint8_t)v; break;
		case EFS_A_FS_TIME_NS: fs->time_ns = v; break;
		}
	}
	return named ? 0 : -EBADMSG;
}

/* the byte budget a safe share divides: none for elastic */
static uint64_t byte_budget(const struct ecl_nl_fs *fs)
{
	switch (fs->set.tput_mode) {
	case ECL_TPUT_PROVISIONED:
		return ecl_max64(fs->set.prov_bps, fs->baseline_bps);
	case ECL_TPUT_ELASTIC:
		return ECL_UNLIMITED;
	}
	return fs->baseline_bps;
}

static void safe_share(const struct ecl_nl_fs *fs, uint32_t heads,
		       uint64_t *ops, uint64_t *bytes)
{
	uint64_t b = byte_budget(fs);

	if (!heads)
		heads = 1;
	*ops = ecl_iops_budget(&fs->set) / heads;
	*bytes = b == ECL_UNLIMITED ? b : b / heads;
}

void ecl_nl_holds(const struct ecl_nl_fs *fs, uint64_t *ops, uint64_t *bytes)
{
	uint64_t gops = fs->grant_iops;
	uint64_t gbytes = fs->grant_bps == EFS_GRANT_BPS_NONE ?
			  ECL_UNLIMITED : fs->grant_bps;
	uint64_t sops, sbytes;

	switch (fs->grant_state) {
	case EFS_GRANT_STATE_GRANTED:
		*ops = gops;
		*bytes = gbytes;
		return;
	case EFS_GRANT_STATE_SAFE:
		safe_share(fs, fs->grant_heads, &sops, &sbytes);
		*ops = ecl_min64(gops, sops);
		*bytes = ecl_min64(gbytes, sbytes);
		return;
	case EFS_GRANT_STATE_ZERO:
		*ops = *bytes = 0;
		return;
	default:	/* pre-grant, or a state this daemon has no name for */
		safe_share(fs, fs->cluster_heads, ops, bytes);
		return;
	}
}

static uint64_t delta(uint64_t prev, uint64_t cur)
{
	return cur >= prev ? cur - prev : cur;
}

/* was `used` in dt_us at least 80% of `rate` a second? */
static bool near(uint64_t used, uint64_t dt_us, uint64_t rate)
{
	if (rate == ECL_UNLIMITED)
		return false;
	return ecl_muldiv(used, 1000000 * 100, dt_us ? dt_us : 1) >=
	       ecl_muldiv(rate, 80, 1);
}

void ecl_nl_usage(const struct ecl_nl_fs *prev, const struct ecl_nl_fs *cur,
		  uint64_t dt_us, uint64_t in_ops, uint64_t in_bytes,
		  struct ecl_usage *u)
{
	uint64_t units = delta(prev->io_units, cur->io_units);
	bool held = delta(prev->throttled_ops, cur->throttled_ops) ||
		    delta(prev->delay_replies, cur->delay_replies);

	memset(u, 0, sizeof(*u));
	u->units = sat32(units);
	u->bytes = delta(prev->metered_bytes, cur->metered_bytes);
	u->clients = cur->clients > UINT16_MAX ? UINT16_MAX :
		     (uint16_t)cur->clients;
	u->size = cur->size;
	if (held) {
		if (near(units, dt_us, in_ops))
			u->flags |= ECL_USE_HELD_OPS;
		if (near(u->bytes, dt_us, in_bytes))
			u->flags |= ECL_USE_HELD_BYTES;
		if (!u->flags)
			u->flags = ECL_USE_HELD_OPS | ECL_USE_HELD_BYTES;
	}
}

static uint32_t ms_left(uint64_t end_us, uint64_t now_us, uint32_t max)
{
	uint64_t ms;

	if (end_us <= now_us)
		return 1;
	ms = (end_us - now_us) / 1000;	/* rounded down: never longer */
	return ms < 1 ? 1 : ms > max ? max : (uint32_t)ms;
}

void ecl_nl_grant_map(const struct ecl_grant *g, uint64_t now_us,
		      struct ecl_nl_grant *m)
{
	memset(m, 0, sizeof(*m));
	m->iops = ecl_min64(g->ops, EFS_IOPS_LIMIT_MAX);
	m->bps = g->bytes == ECL_UNLIMITED ? EFS_GRANT_BPS_NONE : g->bytes;
	m->balance = ecl_min64(g->balance, EFS_SIZE_MAX);
	m->lease_ms = ms_left(g->expires_us, now_us, EFS_GRANT_LEASE_MS_MAX);
	m->heads = g->heads < 1 ? 1 : g->heads > EFS_CLUSTER_HEADS_MAX ?
		   EFS_CLUSTER_HEADS_MAX : g->heads;
	if (g->forget_us != ECL_NEVER) {
		/* the kernel wants lease <= forget: keep the order */
		m->forget_ms = ms_left(g->forget_us, now_us,
				       EFS_GRANT_FORGET_MS_MAX);
		if (m->forget_ms < m->lease_ms)
			m->forget_ms = m->lease_ms;
	}
}

void ecl_nl_put_grant(struct nlmsghdr *nlh, const char *name,
		      const struct ecl_nl_grant *m)
{
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, name);
	mnl_attr_put_u64(nlh, EFS_A_GRANT_IOPS, m->iops);
	mnl_attr_put_u64(nlh, EFS_A_GRANT_BPS, m->bps);
	mnl_attr_put_u32(nlh, EFS_A_GRANT_LEASE_MS, m->lease_ms);
	mnl_attr_put_u32(nlh, EFS_A_GRANT_HEADS, m->heads);
	if (m->forget_ms)
		mnl_attr_put_u32(nlh, EFS_A_GRANT_FORGET_MS, m->forget_ms);
	mnl_attr_put_u64(nlh, EFS_A_FS_BURST_CREDIT_BALANCE, m->balance);
}
