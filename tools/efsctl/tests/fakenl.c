// SPDX-License-Identifier: GPL-2.0
/*
 * A fake "efs" generic netlink family for testing efsctl without the kernel
 * module: an LD_PRELOAD library that turns NETLINK_GENERIC sockets into
 * one end of a socketpair and answers requests the way the protocol in
 * uapi/linux/efs.h says the module does (replies, acks, extended ack
 * messages, dumps over several datagrams, multicast events).
 *
 * Active only when EFS_FAKE_STATE names a state file (filesystems persist
 * there between invocations). Other knobs:
 *   EFS_FAKE_LOG=file      append every efs request's attributes
 *   EFS_FAKE_NOFAMILY=1    the family does not exist (module not loaded)
 *   EFS_FAKE_EPERM=1       a caller without CAP_NET_ADMIN: changes and
 *                          client listings fail with EPERM (no extack),
 *                          as the module's GENL_ADMIN_PERM ops
 *   EFS_FAKE_FAIL_CHANGE=N the Nth add/set/del of the process fails with
 *                          ENOMEM (as a failed allocation in the module)
 *   EFS_FAKE_NOEXTACK=1    errors carry no message
 *   EFS_FAKE_EVENTS=1      joining "events" queues one event of each type
 *   EFS_FAKE_WARN=1        add/set succeed with a warning in the ack
 *   EFS_FAKE_NOTLS=1       a kernel without server-side TLS: SERVER_GET
 *                          has no EFS_A_SERVER_TLS_SUPPORTED, add/set
 *                          refuse transit policy "required" (extack)
 *
 * This is test scaffolding, not a model of the module's algorithms.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/efs.h>

#define FAKE_FAMILY	0x30
#define FAKE_GROUP	7
#define FAKE_PORTID	4242
#define MAX_FS		16

static int fake_fd = -1, kernel_fd = -1;

struct fake_fs {
	char name[EFS_FS_NAME_MAX + 1];
	char path[EFS_PATH_MAX];
	uint64_t val[EFS_A_MAX + 1];
};

static struct fake_fs fss[MAX_FS];
static int nfs;

static bool active(void)
{
	const char *s = getenv("EFS_FAKE_STATE");

	return s && *s;
}

static bool knob(const char *name)
{
	const char *s = getenv(name);

	return s && *s && strcmp(s, "0");
}

/* EFS_FAKE_FAIL_CHANGE=N: is this change request the Nth? */
static bool fail_this_change(void)
{
	static long changes;
	const char *s = getenv("EFS_FAKE_FAIL_CHANGE");

	return s && *s && ++changes == strtol(s, NULL, 10);
}

/* ---- state file: "name\tpath\tattr=value ..." per line ---- */

static void load(void)
{
	char line[8192];
	FILE *f = fopen(getenv("EFS_FAKE_STATE"), "r");

	nfs = 0;
	if (!f)
		return;
	while (nfs < MAX_FS && fgets(line, sizeof(line), f)) {
		struct fake_fs *fs = &fss[nfs];
		char *name = strtok(line, "\t\n"), *path = strtok(NULL, "\t\n");
		char *kv;

		if (!name || !path)
			continue;
		memset(fs, 0, sizeof(*fs));
		snprintf(fs->name, sizeof(fs->name), "%s", name);
		snprintf(fs->path, sizeof(fs->path), "%s", path);
		while ((kv = strtok(NULL, " \t\n"))) {
			unsigned int a;
			unsigned long long v;

			if (sscanf(kv, "%u=%llu", &a, &v) == 2 &&
			    a <= EFS_A_MAX)
				fs->val[a] = v;
		}
		nfs++;
	}
	fclose(f);
}

/* Configuration attributes the fake keeps (as the module's FS_GET has). */
static bool is_cfg_attr(int a)
{
	return (a >= EFS_A_FS_PERFORMANCE_MODE && a <= EFS_A_FS_CREDIT_LOW_PCT) ||
	       a == EFS_A_FS_PER_CLIENT_BPS || a == EFS_A_FS_PER_CLIENT_IOPS ||
	       a == EFS_A_FS_CLIENT_IDLE_S || a == EFS_A_FS_AT_REST_POLICY ||
	       a == EFS_A_FS_TRANSIT_POLICY || a == EFS_A_FS_SCOPE ||
	       a == EFS_A_FS_CLUSTER_HEADS || a == EFS_A_FS_READ_IOPS_LIMIT ||
	       a == EFS_A_FS_WRITE_IOPS_LIMIT;
}

/* A cluster filesystem's grant (GRANT_EXPIRES_MS: CLOCK_MONOTONIC ms). */
static bool is_grant_attr(int a)
{
	return a == EFS_A_GRANT_IOPS || a == EFS_A_GRANT_BPS ||
	       a == EFS_A_GRANT_HEADS || a == EFS_A_GRANT_EXPIRES_MS;
}

static void save(void)
{
	FILE *f = fopen(getenv("EFS_FAKE_STATE"), "w");
	int i, a;

	if (!f)
		return;
	for (i = 0; i < nfs; i++) {
		fprintf(f, "%s\t%s\t", fss[i].name, fss[i].path);
		for (a = 0; a <= EFS_A_MAX; a++)
			if (is_cfg_attr(a) || is_grant_attr(a))
				fprintf(f, "%d=%llu ", a,
				(unsigned long long)fss[i].val[a]);
		fputc('\n', f);
	}
	fclose(f);
}

static struct fake_fs *find(const char *name)
{
	int i;

	for (i = 0; i < nfs; i++)
		if (!strcmp(fss[i].name, name))
			return &fss[i];
	return NULL;
}

/* ---- replies ---- */

static void send_kernel(const struct nlmsghdr *nlh)
{
	if (send(kernel_fd, nlh, nlh->nlmsg_len, 0) < 0)
		perror("fakenl: send");
}

static struct nlmsghdr *reply(char *buf, const struct nlmsghdr *req,
			      uint16_t type, uint16_t flags, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	nlh = mnl_nlmsg_put_header(buf);	/* zeroes the header */
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = req ? req->nlmsg_seq : 0;
	nlh->nlmsg_pid = req ? FAKE_PORTID : 0;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static void ack(const struct nlmsghdr *req, int err, const char *fmt, ...)
{
	char buf[16384] = { 0 }, msg[256];
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	va_list ap;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = req->nlmsg_seq;
	nlh->nlmsg_pid = FAKE_PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg = *req;
	if (fmt && !knob("EFS_FAKE_NOEXTACK")) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	send_kernel(nlh);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The module's budgets (registry.c): the read/write defaults by mode. */
static uint32_t rw_in_force(const uint64_t *v, int attr, bool write)
{
	static const uint32_t rd[] = { 35000, 55000, 250000 };
	static const uint32_t wr[] = { 7000, 25000, 50000 };
	uint64_t tp = v[EFS_A_FS_THROUGHPUT_MODE];

	if (v[attr])
		return (uint32_t)v[attr];
	if (v[EFS_A_FS_PERFORMANCE_MODE] == EFS_PERF_MAX_IO || tp > 2)
		return 0;
	return write ? wr[tp] : rd[tp];
}

static uint32_t ops_in_force(const uint64_t *v)
{
	if (v[EFS_A_FS_IOPS_LIMIT])
		return (uint32_t)v[EFS_A_FS_IOPS_LIMIT];
	if (v[EFS_A_FS_PERFORMANCE_MODE] == EFS_PERF_MAX_IO)
		return EFS_MAXIO_IOPS_DEFAULT;
	return v[EFS_A_FS_SCOPE] == EFS_SCOPE_CLUSTER ? EFS_GP_IOPS_DEFAULT : 0;
}

static void put_fs(struct nlmsghdr *nlh, const struct fake_fs *fs)
{
	static const int u32s[] = {
		EFS_A_FS_PERFORMANCE_MODE, EFS_A_FS_IOPS_LIMIT,
		EFS_A_FS_WRITE_OP_WEIGHT, EFS_A_FS_MAX_WAIT_MS,
		EFS_A_FS_MAX_WAITERS, EFS_A_FS_THROUGHPUT_MODE,
		EFS_A_FS_READ_METERING_RATIO, EFS_A_FS_SIZE_SAMPLE_MS,
		EFS_A_FS_CREDIT_LOW_PCT,
	};
	const uint64_t *v = fs->val;
	uint64_t t = now_ms();
	size_t i;

	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, fs->name);
	mnl_attr_put_strz(nlh, EFS_A_FS_PATH, fs->path);
	for (i = 0; i < sizeof(u32s) / sizeof(u32s[0]); i++)
		mnl_attr_put_u32(nlh, u32s[i], (uint32_t)v[u32s[i]]);
	mnl_attr_put(nlh, EFS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, EFS_A_FS_PROVISIONED_BPS,
			 v[EFS_A_FS_PROVISIONED_BPS]);
	mnl_attr_put_u64(nlh, EFS_A_FS_METERED_SIZE, v[EFS_A_FS_METERED_SIZE]);
	mnl_attr_put_u64(nlh, EFS_A_FS_PER_CLIENT_BPS, v[EFS_A_FS_PER_CLIENT_BPS]);
	mnl_attr_put_u32(nlh, EFS_A_FS_PER_CLIENT_IOPS,
			 (uint32_t)v[EFS_A_FS_PER_CLIENT_IOPS]);
	mnl_attr_put_u32(nlh, EFS_A_FS_CLIENT_IDLE_S,
			 (uint32_t)v[EFS_A_FS_CLIENT_IDLE_S]);
	mnl_attr_put_u8(nlh, EFS_A_FS_AT_REST_POLICY,
			(uint8_t)v[EFS_A_FS_AT_REST_POLICY]);
	mnl_attr_put_u8(nlh, EFS_A_FS_TRANSIT_POLICY,
			(uint8_t)v[EFS_A_FS_TRANSIT_POLICY]);
	mnl_attr_put_u64(nlh, EFS_A_FS_BURST_CREDIT_BALANCE,
			 v[EFS_A_FS_BURST_CREDIT_BALANCE]);
	mnl_attr_put_u32(nlh, EFS_A_FS_IOPS_EFFECTIVE, ops_in_force(v));
	if (!knob("EFS_FAKE_NO_RW_IOPS")) {	/* a module before them */
		mnl_attr_put_u32(nlh, EFS_A_FS_READ_IOPS_LIMIT,
				 (uint32_t)v[EFS_A_FS_READ_IOPS_LIMIT]);
		mnl_attr_put_u32(nlh, EFS_A_FS_WRITE_IOPS_LIMIT,
				 (uint32_t)v[EFS_A_FS_WRITE_IOPS_LIMIT]);
		mnl_attr_put_u32(nlh, EFS_A_FS_READ_IOPS_EFFECTIVE,
				 rw_in_force(v, EFS_A_FS_READ_IOPS_LIMIT,
					     false));
		mnl_attr_put_u32(nlh, EFS_A_FS_WRITE_IOPS_EFFECTIVE,
				 rw_in_force(v, EFS_A_FS_WRITE_IOPS_LIMIT,
					     true));
	}
	mnl_attr_put_u64(nlh, EFS_A_FS_SIZE_BYTES, 123);
	mnl_attr_put_u64(nlh, EFS_A_FS_PERMITTED_THROUGHPUT,
			 v[EFS_A_FS_THROUGHPUT_MODE] == EFS_TP_ELASTIC ? 0 :
			 100ULL << 20);
	mnl_attr_put_u64(nlh, EFS_A_FS_BASELINE_THROUGHPUT, 1ULL << 20);
	mnl_attr_put_u64(nlh, EFS_A_FS_BURST_THROUGHPUT, 100ULL << 20);
	mnl_attr_put_u64(nlh, EFS_A_FS_BURST_CREDIT_MAX, 2308974418330ULL);
	mnl_attr_put_u32(nlh, EFS_A_FS_PERCENT_IO_LIMIT, 1234);
	mnl_attr_put_u32(nlh, EFS_A_FS_CLIENT_CONNECTIONS, 2);
	mnl_attr_put_u8(nlh, EFS_A_FS_THROTTLING, 1);
	mnl_attr_put_u64(nlh, EFS_A_FS_TIME_NS, t * 1000000);
	/* counters grow with time so that rates can be checked */
	mnl_attr_put_u64(nlh, EFS_A_FS_DATA_READ_BYTES, t * 1024);
	mnl_attr_put_u64(nlh, EFS_A_FS_DATA_READ_OPS, t);
	mnl_attr_put_u64(nlh, EFS_A_FS_DATA_WRITE_BYTES, 4096);
	mnl_attr_put_u64(nlh, EFS_A_FS_DATA_WRITE_OPS, 1);
	mnl_attr_put_u64(nlh, EFS_A_FS_METADATA_BYTES, 8192);
	mnl_attr_put_u64(nlh, EFS_A_FS_METADATA_OPS, 2);
	mnl_attr_put_u64(nlh, EFS_A_FS_TOTAL_BYTES, t * 1024 + 12288);
	mnl_attr_put_u64(nlh, EFS_A_FS_METERED_BYTES, t * 1024 / 3 + 12288);
	mnl_attr_put_u64(nlh, EFS_A_FS_IO_UNITS, t + 15);
	mnl_attr_put_u64(nlh, EFS_A_FS_THROTTLED_OPS, 10);
	mnl_attr_put_u64(nlh, EFS_A_FS_THROTTLE_DELAY_NS, 1500000000ULL);
	mnl_attr_put_u64(nlh, EFS_A_FS_DELAY_REPLIES, 1);
	mnl_attr_put_u64(nlh, EFS_A_FS_TLS_OPS, 40);
	mnl_attr_put_u64(nlh, EFS_A_FS_PLAINTEXT_REFUSED,
			 v[EFS_A_FS_TRANSIT_POLICY] == EFS_TRANSIT_REQUIRED ? 3 : 0);
	mnl_attr_put_u32(nlh, EFS_A_FS_TLS_CLIENTS, 1);
	mnl_attr_put_u8(nlh, EFS_A_FS_SCOPE, (uint8_t)v[EFS_A_FS_SCOPE]);
	mnl_attr_put_u32(nlh, EFS_A_FS_CLUSTER_HEADS,
			 (uint32_t)v[EFS_A_FS_CLUSTER_HEADS]);
	if (v[EFS_A_FS_SCOPE] == EFS_SCOPE_CLUSTER) {
		mnl_attr_put_u64(nlh, EFS_A_GRANT_IOPS, v[EFS_A_GRANT_IOPS]);
		mnl_attr_put_u64(nlh, EFS_A_GRANT_BPS, v[EFS_A_GRANT_BPS]);
		mnl_attr_put_u32(nlh, EFS_A_GRANT_HEADS,
				 v[EFS_A_GRANT_HEADS] ?
				 (uint32_t)v[EFS_A_GRANT_HEADS] :
				 (uint32_t)v[EFS_A_FS_CLUSTER_HEADS]);
		mnl_attr_put_u32(nlh, EFS_A_GRANT_EXPIRES_MS,
				 v[EFS_A_GRANT_EXPIRES_MS] > t ?
				 (uint32_t)(v[EFS_A_GRANT_EXPIRES_MS] - t) : 0);
		mnl_attr_put_u8(nlh, EFS_A_GRANT_STATE,
				!v[EFS_A_GRANT_EXPIRES_MS] ? EFS_GRANT_STATE_PRE :
				v[EFS_A_GRANT_EXPIRES_MS] > t ?
				EFS_GRANT_STATE_GRANTED : EFS_GRANT_STATE_SAFE);
	}
	mnl_attr_put_u32(nlh, 200, 1);	/* an attribute from the future */
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
		mnl_attr_put_u64(nlh, EFS_A_FS_WAIT_HIST,
				 i < 3 ? i + 1 : i == 15 ? 4 : 0);
}

static void send_fs(const struct nlmsghdr *req, uint8_t cmd,
		    const struct fake_fs *fs)
{
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh = reply(buf, req, FAKE_FAMILY, 0, cmd);

	put_fs(nlh, fs);
	send_kernel(nlh);
}

static void log_request(const struct nlmsghdr *req, uint8_t cmd)
{
	const char *path = getenv("EFS_FAKE_LOG");
	const struct nlattr *a;
	FILE *f;

	if (!path || !*path || !(f = fopen(path, "a")))
		return;
	fprintf(f, "cmd=%u", cmd);
	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		unsigned int len = mnl_attr_get_payload_len(a);

		fprintf(f, " %u", mnl_attr_get_type(a));
		if (mnl_attr_get_type(a) == EFS_A_FS_COUNTER_BASE) {
			const struct nlattr *n;

			fprintf(f, ":nest=");
			mnl_attr_for_each_nested(n, a)
				fprintf(f, "%u:%llu,", mnl_attr_get_type(n),
					(unsigned long long)mnl_attr_get_u64(n));
			continue;
		}
		if (len == 1)
			fprintf(f, ":u8=%u", mnl_attr_get_u8(a));
		else if (len == 4)
			fprintf(f, ":u32=%u", mnl_attr_get_u32(a));
		else if (len == 8)
			fprintf(f, ":u64=%llu",
				(unsigned long long)mnl_attr_get_u64(a));
		else
			fprintf(f, ":str=%s", (const char *)mnl_attr_get_payload(a));
	}
	fputc('\n', f);
	fclose(f);
}

static void defaults(struct fake_fs *fs)
{
	fs->val[EFS_A_FS_WRITE_OP_WEIGHT] = EFS_WRITE_WEIGHT_DEFAULT;
	fs->val[EFS_A_FS_MAX_WAIT_MS] = EFS_MAX_WAIT_MS_DEFAULT;
	fs->val[EFS_A_FS_METERED_SIZE] = EFS_METERED_SIZE_AUTO;
	fs->val[EFS_A_FS_BURST_CREDIT_BALANCE] = 2308974418330ULL;
	fs->val[EFS_A_FS_READ_METERING_RATIO] = EFS_READ_RATIO_DEFAULT;
	fs->val[EFS_A_FS_SIZE_SAMPLE_MS] = EFS_SAMPLE_MS_DEFAULT;
	fs->val[EFS_A_FS_CREDIT_LOW_PCT] = EFS_CREDIT_LOW_PCT_DEFAULT;
	fs->val[EFS_A_FS_PER_CLIENT_BPS] = EFS_PER_CLIENT_BPS_DEFAULT;
	fs->val[EFS_A_FS_CLIENT_IDLE_S] = EFS_CLIENT_IDLE_S_DEFAULT;
	fs->val[EFS_A_FS_CLUSTER_HEADS] = EFS_CLUSTER_HEADS_DEFAULT;
}

static void apply(struct fake_fs *fs, const struct nlmsghdr *req)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		unsigned int t = mnl_attr_get_type(a);

		if (!is_cfg_attr((int)t))
			continue;
		fs->val[t] = mnl_attr_get_payload_len(a) == 8 ?
			     mnl_attr_get_u64(a) :
			     mnl_attr_get_payload_len(a) == 1 ?
			     mnl_attr_get_u8(a) : mnl_attr_get_u32(a);
	}
}

/* Transit policy "required" asked of a kernel without server-side TLS. */
static bool refuse_transit(const struct nlmsghdr *req)
{
	const struct nlattr *a;

	if (!knob("EFS_FAKE_NOTLS"))
		return false;
	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == EFS_A_FS_TRANSIT_POLICY &&
		    mnl_attr_get_u8(a) == EFS_TRANSIT_REQUIRED)
			return true;
	return false;
}

static void send_server(const struct nlmsghdr *req, uint8_t cmd)
{
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh = reply(buf, req, FAKE_FAMILY, 0, cmd);

	mnl_attr_put_u32(nlh, EFS_A_SERVER_MAX_WAITING_THREADS, 0);
	mnl_attr_put_u32(nlh, EFS_A_SERVER_MAX_WAITING_EFFECTIVE, 4);
	mnl_attr_put_u32(nlh, EFS_A_SERVER_NFSD_THREADS, 8);
	mnl_attr_put_u32(nlh, EFS_A_SERVER_WAITING_THREADS, 1);
	mnl_attr_put_u32(nlh, EFS_A_SERVER_WAITING_PEAK, 3);
	mnl_attr_put_u64(nlh, EFS_A_SERVER_DISPLACED, 2);
	if (!knob("EFS_FAKE_NOTLS"))
		mnl_attr_put_u8(nlh, EFS_A_SERVER_TLS_SUPPORTED, 1);
	send_kernel(nlh);
	ack(req, 0, NULL);
}

/* Two clients, one over TLS, one refused; then DONE. */
static void send_clients(const struct nlmsghdr *req, uint8_t cmd,
			 const struct fake_fs *fs)
{
	static const char *const addrs[] = { "10.0.0.1", "10.0.0.2" };
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh;
	int i;

	for (i = 0; i < 2; i++) {
		nlh = reply(buf, req, FAKE_FAMILY, NLM_F_MULTI, cmd);
		mnl_attr_put_strz(nlh, EFS_A_FS_NAME, fs->name);
		mnl_attr_put_strz(nlh, EFS_A_CLIENT_ADDR, addrs[i]);
		mnl_attr_put_u64(nlh, EFS_A_CLIENT_OPS, 100 + i);
		mnl_attr_put_u32(nlh, EFS_A_CLIENT_OPS_PER_SECOND, 10 - i);
		mnl_attr_put_u8(nlh, EFS_A_CLIENT_TLS, !i);
		mnl_attr_put_u64(nlh, EFS_A_CLIENT_TLS_OPS, i ? 0 : 100);
		mnl_attr_put_u64(nlh, EFS_A_CLIENT_PLAINTEXT_REFUSED, i ? 3 : 0);
		mnl_attr_put_u32(nlh, EFS_A_CLIENT_BACKPRESSURE_SLOTS, i ? 0 : 5);
		send_kernel(nlh);
	}
	nlh = reply(buf, req, NLMSG_DONE, NLM_F_MULTI, 0);
	nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
	memset(mnl_nlmsg_get_payload(nlh), 0, sizeof(int));
	send_kernel(nlh);
}

static const char *get_str(const struct nlmsghdr *req, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return mnl_attr_get_str(a);
	return NULL;
}

/* The module's ops with GENL_ADMIN_PERM (module/netlink.c efs_ops). */
static bool admin_only(uint8_t cmd)
{
	return cmd == EFS_CMD_FS_ADD || cmd == EFS_CMD_FS_SET ||
	       cmd == EFS_CMD_FS_DEL || cmd == EFS_CMD_SERVER_SET ||
	       cmd == EFS_CMD_CLIENT_GET || cmd == EFS_CMD_FS_GRANT;
}

static const struct nlattr *get_attr(const struct nlmsghdr *req, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

/* EFS_CMD_FS_GRANT, checked as module/lease.c does; ack only. */
static void grant(const struct nlmsghdr *req, struct fake_fs *fs)
{
	const struct nlattr *iops = get_attr(req, EFS_A_GRANT_IOPS);
	const struct nlattr *bps = get_attr(req, EFS_A_GRANT_BPS);
	const struct nlattr *lease = get_attr(req, EFS_A_GRANT_LEASE_MS);
	const struct nlattr *heads = get_attr(req, EFS_A_GRANT_HEADS);

	if (!iops || !bps || !lease || !heads) {
		ack(req, -EINVAL, "a grant needs iops, throughput (bytes/s), lease (ms) and heads");
		return;
	}
	if (!fs) {
		ack(req, -ENOENT, "no filesystem with this name");
		return;
	}
	if (fs->val[EFS_A_FS_SCOPE] != EFS_SCOPE_CLUSTER) {
		ack(req, -EINVAL, "not a cluster filesystem: grants are for scope cluster (fs set --scope cluster)");
		return;
	}
	if (!mnl_attr_get_u32(lease) ||
	    mnl_attr_get_u32(lease) > EFS_GRANT_LEASE_MS_MAX) {
		ack(req, -ERANGE, "lease must be 1..600000 ms");
		return;
	}
	fs->val[EFS_A_GRANT_IOPS] = mnl_attr_get_u64(iops);
	fs->val[EFS_A_GRANT_BPS] = mnl_attr_get_u64(bps);
	fs->val[EFS_A_GRANT_HEADS] = mnl_attr_get_u32(heads);
	fs->val[EFS_A_GRANT_EXPIRES_MS] = now_ms() + mnl_attr_get_u32(lease);
	save();
	ack(req, 0, NULL);
}

static void handle_efs(const struct nlmsghdr *req)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const char *name = get_str(req, EFS_A_FS_NAME);
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh;
	struct fake_fs *fs, tmp;
	int i;

	log_request(req, g->cmd);
	/* genetlink checks the op's flags before anything else */
	if (admin_only(g->cmd) && knob("EFS_FAKE_EPERM")) {
		ack(req, -EPERM, NULL);
		return;
	}
	load();
	switch (g->cmd) {
	case EFS_CMD_VERSION_GET:
		nlh = reply(buf, req, FAKE_FAMILY, 0, g->cmd);
		mnl_attr_put_strz(nlh, EFS_A_VERSION, "0.1.0-fake");
		/* every feature but tls-transit (a kernel without server TLS),
		 * and bit 20, which this efsctl has no name for */
		mnl_attr_put_u32(nlh, EFS_A_FEATURES, 0x1dff | (1U << 20));
		mnl_attr_put_u8(nlh, EFS_A_NFSD_HOOKED, 1);
		mnl_attr_put_strz(nlh, EFS_A_COMPAT_LAYOUT, "svc_fh.fh_export=24");
		send_kernel(nlh);
		ack(req, 0, NULL);
		return;
	case EFS_CMD_SERVER_GET:
		send_server(req, g->cmd);
		return;
	case EFS_CMD_FS_ADD:
	case EFS_CMD_FS_SET:
	case EFS_CMD_FS_DEL:
		if (fail_this_change()) {
			ack(req, -ENOMEM, "injected failure (EFS_FAKE_FAIL_CHANGE)");
			return;
		}
		if (refuse_transit(req)) {
			ack(req, -EOPNOTSUPP, "transit-encryption required: this kernel has no server-side RPC-with-TLS (Linux 6.4 or later)");
			return;
		}
		/* as efs_config_validate(): the kernel's own words */
		if (get_attr(req, EFS_A_FS_READ_IOPS_LIMIT) &&
		    mnl_attr_get_u32(get_attr(req, EFS_A_FS_READ_IOPS_LIMIT)) >
		    EFS_READ_IOPS_LIMIT_MAX) {
			ack(req, -ERANGE, "read IOPS limit must be at most 2500000 ops/s, EFS's highest (0 = the throughput mode's default)");
			return;
		}
		if (get_attr(req, EFS_A_FS_WRITE_IOPS_LIMIT) &&
		    mnl_attr_get_u32(get_attr(req, EFS_A_FS_WRITE_IOPS_LIMIT)) >
		    EFS_WRITE_IOPS_LIMIT_MAX) {
			ack(req, -ERANGE, "write IOPS limit must be at most 500000 ops/s, EFS's highest (0 = the throughput mode's default)");
			return;
		}
		break;
	}
	if (!name && (g->cmd != EFS_CMD_FS_GET ||
		      !(req->nlmsg_flags & NLM_F_DUMP))) {
		ack(req, -EINVAL, "missing filesystem name");
		return;
	}
	fs = name ? find(name) : NULL;

	switch (g->cmd) {
	case EFS_CMD_FS_ADD:
		if (fs) {
			ack(req, -EEXIST, "a filesystem with this name exists");
			return;
		}
		if (nfs == MAX_FS) {
			ack(req, -ENOSPC, "too many filesystems");
			return;
		}
		memset(&tmp, 0, sizeof(tmp));
		defaults(&tmp);
		snprintf(tmp.name, sizeof(tmp.name), "%s", name);
		snprintf(tmp.path, sizeof(tmp.path), "%s",
			 get_str(req, EFS_A_FS_PATH) ?: "");
		apply(&tmp, req);
		fs = &fss[nfs++];
		*fs = tmp;
		break;
	case EFS_CMD_FS_SET:
		if (!fs) {
			ack(req, -ENOENT, "no filesystem with this name");
			return;
		}
		tmp = *fs;
		apply(&tmp, req);
		if (tmp.val[EFS_A_FS_THROUGHPUT_MODE] == EFS_TP_PROVISIONED &&
		    !tmp.val[EFS_A_FS_PROVISIONED_BPS]) {
			ack(req, -EINVAL, "provisioned throughput mode needs --provisioned-throughput-in-mibps (at least 1)");
			return;
		}
		*fs = tmp;
		break;
	case EFS_CMD_FS_DEL:
		if (!fs) {
			ack(req, -ENOENT, "no filesystem with this name");
			return;
		}
		*fs = fss[--nfs];
		save();
		ack(req, 0, NULL);
		return;
	case EFS_CMD_FS_GET:
		if (req->nlmsg_flags & NLM_F_DUMP) {
			/* two records a datagram, then DONE on its own */
			for (i = 0; i < nfs; i += 2) {
				char *p = buf;
				int k;

				memset(buf, 0, sizeof(buf));
				for (k = i; k < nfs && k < i + 2; k++) {
					nlh = reply(p, req, FAKE_FAMILY,
						    NLM_F_MULTI, g->cmd);
					put_fs(nlh, &fss[k]);
					p += NLMSG_ALIGN(nlh->nlmsg_len);
				}
				if (send(kernel_fd, buf, (size_t)(p - buf), 0) < 0)
					perror("fakenl: send");
			}
			nlh = reply(buf, req, NLMSG_DONE, NLM_F_MULTI, 0);
			nlh->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
			memset(mnl_nlmsg_get_payload(nlh), 0, sizeof(int));
			send_kernel(nlh);
			return;
		}
		if (!fs) {
			ack(req, -ENOENT, "no filesystem with this name");
			return;
		}
		send_fs(req, g->cmd, fs);
		ack(req, 0, NULL);
		return;
	case EFS_CMD_CLIENT_GET:
		if (!fs) {
			ack(req, -ENOENT, "no filesystem with this name");
			return;
		}
		send_clients(req, g->cmd, fs);
		return;
	case EFS_CMD_FS_GRANT:
		grant(req, fs);
		return;
	default:
		ack(req, -EOPNOTSUPP, NULL);
		return;
	}
	save();
	send_fs(req, g->cmd, fs);
	if (knob("EFS_FAKE_WARN"))
		ack(req, 0, "rate kept for a later switch to provisioned mode");
	else
		ack(req, 0, NULL);
}

static void handle_ctrl(const struct nlmsghdr *req)
{
	const char *name = NULL;
	const struct nlattr *a;
	struct nlattr *groups, *grp;
	struct nlmsghdr *nlh;
	char buf[16384] = { 0 };

	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			name = mnl_attr_get_str(a);
	if (!name || strcmp(name, EFS_GENL_NAME) || knob("EFS_FAKE_NOFAMILY")) {
		ack(req, -ENOENT, NULL);
		return;
	}
	nlh = reply(buf, req, GENL_ID_CTRL, 0, CTRL_CMD_NEWFAMILY);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, FAKE_FAMILY);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, EFS_GENL_NAME);
	mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, EFS_GENL_VERSION);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, FAKE_GROUP);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, EFS_MCGRP_EVENTS);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);
	send_kernel(nlh);
	ack(req, 0, NULL);
}

static void queue_events(void)
{
	char buf[16384] = { 0 };
	struct nlmsghdr *nlh;
	uint32_t t;

	for (t = EFS_EVENT_FS_ADDED; t < __EFS_EVENT_MAX; t++) {
		nlh = reply(buf, NULL, FAKE_FAMILY, 0, EFS_CMD_EVENT);
		mnl_attr_put_u32(nlh, EFS_A_EVENT_TYPE, t);
		mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "home");
		if (t >= EFS_EVENT_CREDITS_LOW)
			mnl_attr_put_u64(nlh, EFS_A_EVENT_VALUE, 40 + t);
		mnl_attr_put_u64(nlh, EFS_A_EVENT_TIME_NS,
				 1795435200123456789ULL + t * 1000000000ULL);
		send_kernel(nlh);
	}
}

/* ---- the intercepted calls ---- */

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int socket(int domain, int type, int protocol)
{
	int sv[2];

	if (domain != AF_NETLINK || protocol != NETLINK_GENERIC || !active())
		return REAL(socket)(domain, type, protocol);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	fake_fd = sv[0];
	kernel_fd = sv[1];
	return fake_fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	if (fd != fake_fd || fd < 0)
		return REAL(bind)(fd, addr, len);
	return 0;
}

int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct sockaddr_nl nl = {
		.nl_family = AF_NETLINK,
		.nl_pid = FAKE_PORTID,
	};

	if (fd != fake_fd || fd < 0)
		return REAL(getsockname)(fd, addr, len);
	memcpy(addr, &nl, *len < sizeof(nl) ? *len : sizeof(nl));
	*len = sizeof(nl);
	return 0;
}

int setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	if (fd != fake_fd || fd < 0)
		return REAL(setsockopt)(fd, level, opt, val, len);
	if (level == SOL_NETLINK && opt == NETLINK_ADD_MEMBERSHIP) {
		if (len != sizeof(int) || *(const int *)val != FAKE_GROUP) {
			errno = EINVAL;
			return -1;
		}
		if (knob("EFS_FAKE_EVENTS"))
			queue_events();
	}
	return 0;
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags,
	       const struct sockaddr *addr, socklen_t alen)
{
	const struct nlmsghdr *nlh = buf;

	if (fd != fake_fd || fd < 0)
		return REAL(sendto)(fd, buf, len, flags, addr, alen);
	if (len < NLMSG_HDRLEN + GENL_HDRLEN || nlh->nlmsg_len > len) {
		errno = EINVAL;
		return -1;
	}
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		handle_ctrl(nlh);
	else if (nlh->nlmsg_type == FAKE_FAMILY)
		handle_efs(nlh);
	else
		ack(nlh, -ENOENT, NULL);
	return (ssize_t)len;
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (fd != fake_fd || fd < 0)
		return REAL(recvmsg)(fd, msg, flags);
	n = REAL(recvmsg)(fd, msg, flags);
	if (n >= 0 && msg->msg_name) {
		memcpy(msg->msg_name, &nl, sizeof(nl));
		msg->msg_namelen = sizeof(nl);
	}
	return n;
}

int close(int fd)
{
	if (fd == fake_fd && fd >= 0) {
		REAL(close)(kernel_fd);
		fake_fd = kernel_fd = -1;
	}
	return REAL(close)(fd);
}
