// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink backend without a kernel: its pure parts (nlfs.c: parsing an
 * FS_GET reply, usage as counter deltas, holds, a grant's attributes), and,
 * given efsctl's LD_PRELOAD fake of the module (tools/efsctl/tests/
 * fakenl.so), the backend itself: open's errors, list, usage, grant, holds.
 *   tests/nl_test [fakenl.so]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include <linux/efs.h>

#include "backend.h"
#include "nlfs.h"

static int failed;

#define CHECK(name, cond) do {						\
	if (cond)							\
		printf("PASS clusterd_nl_%s\n", name);			\
	else {								\
		printf("FAIL clusterd_nl_%s (%s:%d: %s)\n", name,	\
		       __FILE__, __LINE__, #cond);			\
		failed = 1;						\
	}								\
} while (0)

static struct nlmsghdr *msg(char *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = cmd;
	return nlh;
}

static const struct nlattr *attr(const struct nlmsghdr *nlh, int type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static void test_parse(void)
{
	static char buf[8192];
	struct nlmsghdr *nlh = msg(buf, EFS_CMD_FS_GET);
	struct ecl_nl_fs fs;

	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "shared");
	mnl_attr_put_u32(nlh, EFS_A_FS_PERFORMANCE_MODE, EFS_PERF_MAX_IO);
	mnl_attr_put_u32(nlh, EFS_A_FS_THROUGHPUT_MODE, EFS_TP_PROVISIONED);
	mnl_attr_put_u32(nlh, EFS_A_FS_IOPS_LIMIT, 300);
	mnl_attr_put_u32(nlh, EFS_A_FS_WRITE_OP_WEIGHT, 7);
	mnl_attr_put_u32(nlh, EFS_A_FS_READ_METERING_RATIO, 4);
	mnl_attr_put_u64(nlh, EFS_A_FS_PROVISIONED_BPS, 8 << 20);
	mnl_attr_put_u64(nlh, EFS_A_FS_METERED_SIZE, EFS_METERED_SIZE_AUTO);
	mnl_attr_put_u64(nlh, EFS_A_FS_SIZE_BYTES, 1 << 30);
	mnl_attr_put_u64(nlh, EFS_A_FS_BURST_CREDIT_BALANCE, 12345);
	mnl_attr_put_u64(nlh, EFS_A_FS_IO_UNITS, 1000);
	mnl_attr_put_u64(nlh, EFS_A_FS_METERED_BYTES, 5000);
	mnl_attr_put_u64(nlh, EFS_A_FS_THROTTLED_OPS, 3);
	mnl_attr_put_u64(nlh, EFS_A_FS_DELAY_REPLIES, 1);
	mnl_attr_put_u32(nlh, EFS_A_FS_CLIENT_CONNECTIONS, 70000);
	mnl_attr_put_u8(nlh, EFS_A_FS_SCOPE, EFS_SCOPE_CLUSTER);
	mnl_attr_put_u32(nlh, EFS_A_FS_CLUSTER_HEADS, 3);
	mnl_attr_put_u64(nlh, EFS_A_GRANT_IOPS, 120);
	mnl_attr_put_u64(nlh, EFS_A_GRANT_BPS, EFS_GRANT_BPS_NONE);
	mnl_attr_put_u32(nlh, EFS_A_GRANT_HEADS, 2);
	mnl_attr_put_u8(nlh, EFS_A_GRANT_STATE, EFS_GRANT_STATE_GRANTED);
	mnl_attr_put_u32(nlh, 250, 1);	/* from a later module */
	CHECK("parse_ok", ecl_nl_parse_fs(nlh, &fs) == 0);
	CHECK("parse_name", !strcmp(fs.name, "shared") && fs.cluster);
	CHECK("parse_settings", fs.set.perf_mode == ECL_PERF_MAXIO &&
	      fs.set.tput_mode == ECL_TPUT_PROVISIONED &&
	      fs.set.iops_limit == 300 && fs.set.write_weight == 7 &&
	      fs.set.read_ratio == 4 && fs.set.prov_bps == 8 << 20 &&
	      fs.set.metered_size == ECL_METERED_SIZE_AUTO);
	CHECK("parse_counters", fs.io_units == 1000 && fs.metered_bytes == 5000 &&
	      fs.throttled_ops == 3 && fs.delay_replies == 1 &&
	      fs.clients == 70000 && fs.size == 1 << 30 && fs.balance == 12345);
	CHECK("parse_grant", fs.grant_iops == 120 &&
	      fs.grant_bps == EFS_GRANT_BPS_NONE && fs.grant_heads == 2 &&
	      fs.cluster_heads == 3 && fs.grant_state == EFS_GRANT_STATE_GRANTED);

	nlh = msg(buf, EFS_CMD_FS_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "local");
	CHECK("parse_local_scope", ecl_nl_parse_fs(nlh, &fs) == 0 && !fs.cluster &&
	      fs.grant_state == EFS_GRANT_STATE_PRE);
	nlh = msg(buf, EFS_CMD_FS_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "bad/name");
	CHECK("parse_bad_name", ecl_nl_parse_fs(nlh, &fs) == -EBADMSG);
	nlh = msg(buf, EFS_CMD_FS_GET);
	mnl_attr_put_u32(nlh, EFS_A_FS_IOPS_LIMIT, 3);
	CHECK("parse_no_name", ecl_nl_parse_fs(nlh, &fs) == -EBADMSG);
}

static void test_usage(void)
{
	struct ecl_nl_fs a = { .io_units = 1000, .metered_bytes = 1 << 20,
			       .throttled_ops = 5, .delay_replies = 2 };
	struct ecl_nl_fs b = a;
	struct ecl_usage u;

	/* 200 ms: 50 units, 100 KiB; nothing held */
	b.io_units += 50;
	b.metered_bytes += 100 << 10;
	b.clients = 4;
	b.size = 777;
	ecl_nl_usage(&a, &b, 200000, 300, 1 << 20, &u);
	CHECK("usage_delta", u.units == 50 && u.bytes == 100 << 10 &&
	      u.clients == 4 && u.size == 777 && u.flags == 0);

	/* a counter that went back: the filesystem is new, count from 0 */
	b = a;
	b.io_units = 30;
	b.metered_bytes = 10;
	ecl_nl_usage(&a, &b, 200000, 300, 1 << 20, &u);
	CHECK("usage_reset", u.units == 30 && u.bytes == 10);

	/* held, at 250 of 300 units/s (>= 80%), bytes far below: ops */
	b = a;
	b.io_units += 50;
	b.metered_bytes += 1000;
	b.throttled_ops++;
	ecl_nl_usage(&a, &b, 200000, 300, 1 << 20, &u);
	CHECK("usage_held_ops", u.flags == ECL_USE_HELD_OPS);

	/* held by DelayReplies, bytes at the byte budget: bytes */
	b = a;
	b.io_units += 1;
	b.metered_bytes += 200 << 10;	/* 1 MiB/s over 200 ms */
	b.delay_replies++;
	ecl_nl_usage(&a, &b, 200000, 300, 1 << 20, &u);
	CHECK("usage_held_bytes", u.flags == ECL_USE_HELD_BYTES);

	/* held, neither budget near: both (the kernel does not say which) */
	b = a;
	b.throttled_ops += 3;
	ecl_nl_usage(&a, &b, 200000, 300, ECL_UNLIMITED, &u);
	CHECK("usage_held_unknown", u.flags == ECL_USE_FLAGS);

	/* no byte budget is never the one that held */
	b = a;
	b.io_units += 60;
	b.metered_bytes += 1ULL << 40;
	b.throttled_ops++;
	ecl_nl_usage(&a, &b, 200000, 300, ECL_UNLIMITED, &u);
	CHECK("usage_held_unlimited", u.flags == ECL_USE_HELD_OPS);

	/* saturating fields */
	b = a;
	b.io_units += 1ULL << 40;
	b.clients = 1 << 20;
	ecl_nl_usage(&a, &b, 200000, 300, 1 << 20, &u);
	CHECK("usage_saturate", u.units == UINT32_MAX && u.clients == UINT16_MAX);
}

static void test_holds(void)
{
	struct ecl_nl_fs fs = { .set = { .iops_limit = 300,
					 .tput_mode = ECL_TPUT_BURSTING },
				.baseline_bps = 3 << 20, .cluster_heads = 2,
				.grant_iops = 200, .grant_bps = 5 << 20,
				.grant_heads = 3 };
	uint64_t o, b;

	fs.grant_state = EFS_GRANT_STATE_PRE;
	ecl_nl_holds(&fs, &o, &b);
	CHECK("holds_pre", o == 150 && b == 3 << 19);
	fs.grant_state = EFS_GRANT_STATE_GRANTED;
	ecl_nl_holds(&fs, &o, &b);
	CHECK("holds_granted", o == 200 && b == 5 << 20);
	fs.grant_state = EFS_GRANT_STATE_SAFE;
	ecl_nl_holds(&fs, &o, &b);
	CHECK("holds_safe", o == 100 && b == 1 << 20);
	fs.grant_state = EFS_GRANT_STATE_ZERO;
	ecl_nl_holds(&fs, &o, &b);
	CHECK("holds_zero", o == 0 && b == 0);
	fs.set.tput_mode = ECL_TPUT_ELASTIC;
	fs.grant_bps = EFS_GRANT_BPS_NONE;
	fs.grant_state = EFS_GRANT_STATE_GRANTED;
	ecl_nl_holds(&fs, &o, &b);
	CHECK("holds_no_byte_budget", o == 200 && b == ECL_UNLIMITED);
	fs.grant_state = EFS_GRANT_STATE_SAFE;
	ecl_nl_holds(&fs, &o, &b);
	CHECK("holds_safe_elastic", o == 100 && b == ECL_UNLIMITED);
}

static void test_grant(void)
{
	static char buf[8192];
	struct ecl_grant g = { .ops = 120, .bytes = ECL_UNLIMITED,
			       .expires_us = 10000000 + 3000999,
			       .forget_us = ECL_NEVER, .heads = 3,
			       .balance = 42 };
	struct ecl_nl_grant m;
	struct nlmsghdr *nlh;

	ecl_nl_grant_map(&g, 10000000, &m);
	CHECK("grant_map", m.iops == 120 && m.bps == EFS_GRANT_BPS_NONE &&
	      m.lease_ms == 3000 && m.heads == 3 && m.forget_ms == 0 &&
	      m.balance == 42);
	g.bytes = 1 << 20;
	g.expires_us = 5;	/* lapsed: 1 ms */
	g.heads = 0;
	g.forget_us = 10000000 + 6000000;
	ecl_nl_grant_map(&g, 10000000, &m);
	CHECK("grant_map_lapsed", m.bps == 1 << 20 && m.lease_ms == 1 &&
	      m.heads == 1 && m.forget_ms == 6000);
	g.expires_us = 10000000 + 7000000;	/* forget before lease: lease */
	g.heads = 100000;
	g.ops = 1ULL << 40;
	g.balance = UINT64_MAX;
	ecl_nl_grant_map(&g, 10000000, &m);
	CHECK("grant_map_clamp", m.forget_ms == 7000 && m.lease_ms == 7000 &&
	      m.heads == EFS_CLUSTER_HEADS_MAX && m.iops == EFS_IOPS_LIMIT_MAX &&
	      m.balance == EFS_SIZE_MAX);
	g.expires_us = 10000000 + 3600000000ULL;
	g.forget_us = 10000000 + 7200000000ULL;
	ecl_nl_grant_map(&g, 10000000, &m);
	CHECK("grant_map_max", m.lease_ms == EFS_GRANT_LEASE_MS_MAX &&
	      m.forget_ms == EFS_GRANT_FORGET_MS_MAX);

	g = (struct ecl_grant){ .ops = 7, .bytes = 9, .expires_us = 2000000,
				.forget_us = 4000000, .heads = 2, .balance = 5 };
	ecl_nl_grant_map(&g, 1000000, &m);
	nlh = msg(buf, EFS_CMD_FS_GRANT);
	ecl_nl_put_grant(nlh, "shared", &m);
	CHECK("grant_msg",
	      !strcmp(mnl_attr_get_str(attr(nlh, EFS_A_FS_NAME)), "shared") &&
	      mnl_attr_get_u64(attr(nlh, EFS_A_GRANT_IOPS)) == 7 &&
	      mnl_attr_get_u64(attr(nlh, EFS_A_GRANT_BPS)) == 9 &&
	      mnl_attr_get_u32(attr(nlh, EFS_A_GRANT_LEASE_MS)) == 1000 &&
	      mnl_attr_get_u32(attr(nlh, EFS_A_GRANT_HEADS)) == 2 &&
	      mnl_attr_get_u32(attr(nlh, EFS_A_GRANT_FORGET_MS)) == 3000 &&
	      mnl_attr_get_u64(attr(nlh, EFS_A_FS_BURST_CREDIT_BALANCE)) == 5);
	m.forget_ms = 0;
	nlh = msg(buf, EFS_CMD_FS_GRANT);
	ecl_nl_put_grant(nlh, "shared", &m);
	CHECK("grant_msg_never", !attr(nlh, EFS_A_GRANT_FORGET_MS));
}

/* ---- the backend against efsctl's fake module ---- */

static char state[256], logf[256];

static void write_state(void)
{
	FILE *f = fopen(state, "w");

	/* name \t path \t attr=value ... (tools/efsctl/tests/fakenl.c) */
	fprintf(f, "shared\t/srv/a\t%d=%d %d=300 %d=5 %d=3 %d=2\n",
		EFS_A_FS_SCOPE, EFS_SCOPE_CLUSTER, EFS_A_FS_IOPS_LIMIT,
		EFS_A_FS_WRITE_OP_WEIGHT, EFS_A_FS_READ_METERING_RATIO,
		EFS_A_FS_CLUSTER_HEADS);
	fprintf(f, "alone\t/srv/b\t%d=%d %d=100\n", EFS_A_FS_SCOPE,
		EFS_SCOPE_LOCAL, EFS_A_FS_IOPS_LIMIT);
	fclose(f);
}

static int open_be(void **p, char *err, size_t len)
{
	struct ecl_conf conf = { .tick_ms = 200 };

	return ecl_backend_netlink.open(p, "", &conf, 1, err, len);
}

static void test_fake(void)
{
	const struct ecl_backend_ops *be = &ecl_backend_netlink;
	struct ecl_local_fs *l = NULL;
	struct ecl_usage u;
	struct ecl_grant g;
	char err[512] = "", line[1024];
	uint64_t now, o, b;
	void *p = NULL;
	bool logged = false;
	FILE *f;
	int n;

	write_state();
	setenv("EFS_FAKE_NOFAMILY", "1", 1);
	CHECK("fake_not_loaded", open_be(&p, err, sizeof(err)) == -ENOENT &&
	      strstr(err, "efs.ko is not loaded"));
	unsetenv("EFS_FAKE_NOFAMILY");
	setenv("EFS_FAKE_EPERM", "1", 1);
	CHECK("fake_no_permission", open_be(&p, err, sizeof(err)) == -EPERM &&
	      strstr(err, "CAP_NET_ADMIN"));
	unsetenv("EFS_FAKE_EPERM");

	n = open_be(&p, err, sizeof(err));
	CHECK("fake_open", n == 0);
	if (n) {
		printf("  %s\n", err);
		return;
	}
	now = ecl_now_us();
	n = be->list(p, now, &l);
	CHECK("fake_list_cluster_only", n == 1 && !strcmp(l[0].name, "shared") &&
	      l[0].set.iops_limit == 300 && l[0].set.write_weight == 5 &&
	      l[0].set.read_ratio == 3 && l[0].size == 123);
	free(l);

	be->holds(p, "shared", now, &o, &b);
	CHECK("fake_holds_pre_grant", o == 150);	/* 300 / 2 heads */
	be->usage(p, "shared", now, &u);
	CHECK("fake_usage_first", u.units == 0 && u.clients == 2 && !u.flags);
	usleep(150000);		/* past the 100 ms a dump is reused */
	now = ecl_now_us();
	be->usage(p, "shared", now, &u);
	/* the fake's IoUnits grow by 1 a ms, MeteredIOBytes by 1024/3 */
	CHECK("fake_usage_delta", u.units >= 140 && u.units < 1000 &&
	      u.bytes >= 140 * 1024 / 3 && u.bytes < 1000 * 1024 &&
	      u.clients == 2 && !u.flags);
	be->usage(p, "nonesuch", now, &u);
	CHECK("fake_usage_unknown", u.units == 0 && u.clients == 0);

	g = (struct ecl_grant){ .ops = 100, .bytes = ECL_UNLIMITED,
				.expires_us = now + 3000000,
				.forget_us = ECL_NEVER, .heads = 3 };
	be->grant(p, "shared", &g, now);
	f = fopen(logf, "r");
	while (f && fgets(line, sizeof(line), f)) {
		char want[128];

		snprintf(want, sizeof(want), "cmd=%d %d:", EFS_CMD_FS_GRANT,
			 EFS_A_FS_NAME);
		if (!strncmp(line, want, strlen(want)))
			logged = true;
	}
	if (f)
		fclose(f);
	CHECK("fake_grant_sent", logged);
	usleep(150000);
	be->holds(p, "shared", ecl_now_us(), &o, &b);
	CHECK("fake_holds_granted", o == 100 && b == ECL_UNLIMITED);
	be->close(p);
}

int main(int argc, char **argv)
{
	test_parse();
	test_usage();
	test_holds();
	test_grant();
	if (argc > 1) {
		const char *pre = getenv("LD_PRELOAD");

		if (!pre || !strstr(pre, "fakenl")) {
			char dir[] = "/tmp/ecl-nl-XXXXXX";

			if (!mkdtemp(dir)) {
				perror("mkdtemp");
				return 1;
			}
			setenv("LD_PRELOAD", argv[1], 1);
			snprintf(state, sizeof(state), "%s/state", dir);
			snprintf(logf, sizeof(logf), "%s/log", dir);
			setenv("EFS_FAKE_STATE", state, 1);
			setenv("EFS_FAKE_LOG", logf, 1);
			setenv("ECL_NL_TEST_DIR", dir, 1);
			execv(argv[0], argv);
			perror("execv");
			return 1;
		}
		snprintf(state, sizeof(state), "%s", getenv("EFS_FAKE_STATE"));
		snprintf(logf, sizeof(logf), "%s", getenv("EFS_FAKE_LOG"));
		test_fake();
		unlink(state);
		unlink(logf);
		rmdir(getenv("ECL_NL_TEST_DIR"));
	} else {
		printf("SKIP clusterd_nl_fake: no fakenl.so given\n");
	}
	return failed;
}
