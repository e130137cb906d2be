// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of efsctl's pure parts: value parsing, the JSON writer, the
 * printers fed with in-memory records, netlink decoding of hand-built
 * messages. No kernel module needed.
 *
 * Prints "PASS <name>" / "FAIL <name>" per case (also appended to the file
 * named by $EFS_RESULTS) and exits non-zero if any case failed.
 */
#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "atrest.h"
#include "event.h"
#include "fs_opts.h"
#include "clientinfo.h"
#include "fsinfo.h"
#include "json.h"
#include "nl.h"
#include "opts.h"
#include "output.h"
#include "print.h"
#include "units.h"

#include "expect.h"

/* ---- output capture ---- */

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

static FILE *cap_open(struct capture *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
	return c->f;
}

static char *cap_close(struct capture *c)
{
	fclose(c->f);
	return c->buf;
}

static bool have_jq(void)
{
	return !system("jq --version >/dev/null 2>&1");
}

/* Run `jq -e FILTER` on text; true if jq accepts it and the filter holds. */
static bool jq_true(const char *text, const char *filter)
{
	char path[] = "/tmp/efsctl-unit-XXXXXX", cmd[1024];
	int fd = mkstemp(path);
	bool ok;

	if (fd < 0)
		return false;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		return false;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "jq -e '%s' %s >/dev/null 2>&1", filter,
		 path);
	ok = !system(cmd);
	unlink(path);
	return ok;
}

#define EXPECT_JQ(text, filter) do {					\
	if (have_jq() && !jq_true((text), (filter))) {			\
		fprintf(stderr, "  %s:%d: jq -e '%s' failed on:\n%s\n",	\
			__FILE__, __LINE__, (filter), (text));		\
		case_ok = false;					\
	}								\
} while (0)

/* ---- names and numbers ---- */

static void test_names(void)
{
	char long64[65], long65[66];

	memset(long64, 'a', 64);
	long64[64] = '\0';
	memset(long65, 'b', 65);
	long65[65] = '\0';
	EXPECT(efs_name_valid("home"));
	EXPECT(efs_name_valid("a"));
	EXPECT(efs_name_valid("A-z_0.9"));
	EXPECT(efs_name_valid(long64));
	EXPECT(!efs_name_valid(long65));
	EXPECT(!efs_name_valid(""));
	EXPECT(!efs_name_valid("x/y"));
	EXPECT(!efs_name_valid("a b"));
	EXPECT(!efs_name_valid("caf\xc3\xa9"));
	EXPECT(!efs_name_valid("a\n"));
}

static void test_numbers(void)
{
	uint64_t v;
	uint32_t u;

	EXPECT(!efs_parse_u64("0", &v) && v == 0);
	EXPECT(!efs_parse_u64("007", &v) && v == 7);
	EXPECT(!efs_parse_u64("18446744073709551615", &v) && v == UINT64_MAX);
	EXPECT(efs_parse_u64("18446744073709551616", &v) == -ERANGE);
	EXPECT(efs_parse_u64("99999999999999999999999", &v) == -ERANGE);
	EXPECT(efs_parse_u64("-5", &v) == -EINVAL);
	EXPECT(efs_parse_u64("+5", &v) == -EINVAL);
	EXPECT(efs_parse_u64("5x", &v) == -EINVAL);
	EXPECT(efs_parse_u64(" 5", &v) == -EINVAL);
	EXPECT(efs_parse_u64("0x10", &v) == -EINVAL);
	EXPECT(efs_parse_u64("1.5", &v) == -EINVAL);
	EXPECT(efs_parse_u64("1e3", &v) == -EINVAL);
	EXPECT(efs_parse_u64("", &v) == -EINVAL);

	EXPECT(!efs_parse_u32_range("100000000", 0, EFS_IOPS_LIMIT_MAX, &u) &&
	       u == 100000000);
	EXPECT(efs_parse_u32_range("100000001", 0, EFS_IOPS_LIMIT_MAX, &u) ==
	       -ERANGE);
	EXPECT(efs_parse_u32_range("0", 1, EFS_WRITE_WEIGHT_MAX, &u) ==
	       -ERANGE);
	EXPECT(efs_parse_u32_range("4294967296", 0, UINT32_MAX, &u) ==
	       -ERANGE);
	EXPECT(efs_parse_u32_range("99", EFS_SAMPLE_MS_MIN, 1000, &u) ==
	       -ERANGE);
}

static void test_sizes(void)
{
	uint64_t v;

	EXPECT(!efs_parse_size("0", EFS_SIZE_MAX, &v) && v == 0);
	EXPECT(!efs_parse_size("4096", EFS_SIZE_MAX, &v) && v == 4096);
	EXPECT(!efs_parse_size("4096B", EFS_SIZE_MAX, &v) && v == 4096);
	EXPECT(!efs_parse_size("1K", EFS_SIZE_MAX, &v) && v == 1024);
	EXPECT(!efs_parse_size("1KiB", EFS_SIZE_MAX, &v) && v == 1024);
	EXPECT(!efs_parse_size("1kib", EFS_SIZE_MAX, &v) && v == 1024);
	EXPECT(!efs_parse_size("3M", EFS_SIZE_MAX, &v) && v == 3 << 20);
	EXPECT(!efs_parse_size("3MiB", EFS_SIZE_MAX, &v) && v == 3 << 20);
	EXPECT(!efs_parse_size("100G", EFS_SIZE_MAX, &v) &&
	       v == 100ULL << 30);
	EXPECT(!efs_parse_size("1.5GiB", EFS_SIZE_MAX, &v) &&
	       v == 1610612736ULL);
	EXPECT(!efs_parse_size("2T", EFS_SIZE_MAX, &v) && v == 2ULL << 40);
	/* 2.1 * 2^40 = 2308974418329.6 */
	EXPECT(!efs_parse_size("2.1TiB", EFS_SIZE_MAX, &v) &&
	       v == 2308974418330ULL);
	EXPECT(!efs_parse_size("7P", EFS_SIZE_MAX, &v) && v == 7ULL << 50);
	EXPECT(!efs_parse_size("1024PiB", EFS_SIZE_MAX, &v) &&
	       v == EFS_SIZE_MAX);
	EXPECT(!efs_parse_size("1EiB", EFS_SIZE_MAX, &v) && v == EFS_SIZE_MAX);
	EXPECT(efs_parse_size("1025PiB", EFS_SIZE_MAX, &v) == -ERANGE);
	EXPECT(efs_parse_size("1152921504606846977", EFS_SIZE_MAX, &v) ==
	       -ERANGE);
	EXPECT(efs_parse_size("18446744073709551615E", EFS_SIZE_MAX, &v) ==
	       -ERANGE);
	EXPECT(efs_parse_size("18446744073709551616", EFS_SIZE_MAX, &v) ==
	       -ERANGE);
	EXPECT(efs_parse_size("-1", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("-1G", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("1.5", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("1KB", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("1 G", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("G", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size("auto", EFS_SIZE_MAX, &v) == -EINVAL);
	EXPECT(efs_parse_size(".5G", EFS_SIZE_MAX, &v) == -EINVAL);
}

static void test_mibps(void)
{
	uint64_t v;

#define P(s, out) efs_parse_mibps(s, EFS_PROVISIONED_BPS_MIN, \
				  EFS_PROVISIONED_BPS_MAX, out)
	EXPECT(!P("1", &v) && v == 1048576);
	EXPECT(!P("2.5", &v) && v == 2621440);
	EXPECT(!P("1.1", &v) && v == 1153434);	/* 1153433.6 rounds up */
	EXPECT(!P("1.00000095367431640625", &v) && v == 1048577);
	EXPECT(!P("1024", &v) && v == 1ULL << 30);
	EXPECT(!P("1048576", &v) && v == EFS_PROVISIONED_BPS_MAX);
	EXPECT(P("1048576.1", &v) == -ERANGE);
	EXPECT(P("1048576.0000001", &v) == -ERANGE);
	EXPECT(!P("1.0000001", &v) && v == 1048576);
	EXPECT(P("0.5", &v) == -ERANGE);
	EXPECT(P("0", &v) == -ERANGE);
	EXPECT(P("0.9999999", &v) == -ERANGE);
	EXPECT(P("99999999999999999999999", &v) == -ERANGE);
	EXPECT(P("-1", &v) == -EINVAL);
	EXPECT(P("1e3", &v) == -EINVAL);
	EXPECT(P("1.", &v) == -EINVAL);
	EXPECT(P("abc", &v) == -EINVAL);
	EXPECT(P("2.5MiB", &v) == -EINVAL);
#undef P
	EXPECT(!efs_parse_seconds("1", 100, 86400000, &v) && v == 1000);
	EXPECT(!efs_parse_seconds("0.25", 100, 86400000, &v) && v == 250);
	EXPECT(efs_parse_seconds("0", 100, 86400000, &v) == -ERANGE);
	EXPECT(efs_parse_seconds("-1", 100, 86400000, &v) == -EINVAL);
}

static void test_modes(void)
{
	uint32_t m;

	EXPECT(!efs_perf_mode_parse("generalPurpose", &m) &&
	       m == EFS_PERF_GENERAL_PURPOSE);
	EXPECT(!efs_perf_mode_parse("maxIO", &m) && m == EFS_PERF_MAX_IO);
	EXPECT(efs_perf_mode_parse("fast", &m) == -EINVAL);
	EXPECT(!efs_tp_mode_parse("elastic", &m) && m == EFS_TP_ELASTIC);
	EXPECT(efs_tp_mode_parse("", &m) == -EINVAL);
	EXPECT_STR(efs_perf_mode_str(EFS_PERF_MAX_IO), "maxIO");
	EXPECT_STR(efs_tp_mode_str(EFS_TP_PROVISIONED), "provisioned");
	EXPECT_STR(efs_tp_mode_str(99), "unknown");
}

static void test_format(void)
{
	char b[64];

	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), 0), "0 B");
	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), 1023), "1023 B");
	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), 1024), "1.0 KiB");
	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), 1536), "1.5 KiB");
	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), 1048575), "1.0 MiB");
	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), 2308974418330ULL), "2.1 TiB");
	EXPECT_STR(efs_fmt_bytes(b, sizeof(b), UINT64_MAX), "16.0 EiB");
	EXPECT_STR(efs_fmt_rate(b, sizeof(b), 1048576), "1.0 MiB/s");
	EXPECT_STR(efs_fmt_ratio(b, sizeof(b), 2621440, MIB, 6, true), "2.5");
	EXPECT_STR(efs_fmt_ratio(b, sizeof(b), 0, MIB, 6, true), "0");
	EXPECT_STR(efs_fmt_ratio(b, sizeof(b), 1153434, MIB, 6, true), "1.1");
	EXPECT_STR(efs_fmt_ratio(b, sizeof(b), 1234, 100, 2, false), "12.34");
	EXPECT_STR(efs_fmt_ratio(b, sizeof(b), 5, 100, 2, false), "0.05");
	EXPECT_STR(efs_fmt_ratio(b, sizeof(b), 1500000000, 1000000000, 9,
				 true), "1.5");
	EXPECT_STR(efs_fmt_hundredths(b, sizeof(b), 1234), "12.34%");
	EXPECT_STR(efs_fmt_double(b, sizeof(b), 2.5, 3), "2.5");
	EXPECT_STR(efs_fmt_double(b, sizeof(b), 100.0, 3), "100");
	EXPECT_STR(efs_fmt_double(b, sizeof(b), -1.0, 3), "0");
	EXPECT_STR(efs_fmt_time(b, sizeof(b), 0), "1970-01-01T00:00:00.000Z");
	EXPECT_STR(efs_fmt_time(b, sizeof(b), 1795435200123456789ULL),
		   "2026-11-23T12:00:00.123Z");
}

/* ---- JSON ---- */

static void test_json_escape(void)
{
	struct capture c;
	char *s;

	json_escape(cap_open(&c), "a\"b\\c\nd\te\r\b\f\x01\x1f\x7f/");
	s = cap_close(&c);
	EXPECT_STR(s, "\"a\\\"b\\\\c\\nd\\te\\r\\b\\f\\u0001\\u001f\\u007f/\"");
	EXPECT_JQ(s, ". == \"a\\\"b\\\\c\\nd\\te\\r\\b\\f\\u0001\\u001f\\u007f/\"");
	free(s);

	/* valid UTF-8 passes, invalid bytes become U+FFFD */
	json_escape(cap_open(&c), "caf\xc3\xa9 \xe2\x82\xac \xff\xc3(\xed\xa0\x80");
	s = cap_close(&c);
	EXPECT_STR(s, "\"caf\xc3\xa9 \xe2\x82\xac \\ufffd\\ufffd(\\ufffd\\ufffd\\ufffd\"");
	EXPECT_JQ(s, "type == \"string\"");
	free(s);
}

static void test_json_writer(void)
{
	struct capture c;
	struct json j;
	char *s;

	json_init(&j, cap_open(&c), false);
	json_obj_open(&j);
	json_key(&j, "a");
	json_u64(&j, 1);
	json_key(&j, "b");
	json_arr_open(&j);
	json_str(&j, "x\"y");
	json_null(&j);
	json_bool(&j, true);
	json_obj_open(&j);
	json_obj_close(&j);
	json_arr_open(&j);
	json_arr_close(&j);
	json_number(&j, "2.5");
	json_i64(&j, -3);
	json_arr_close(&j);
	json_key(&j, "we\"ird\nkey");
	json_u64(&j, UINT64_MAX);
	json_obj_close(&j);
	json_end(&j);
	s = cap_close(&c);
	EXPECT_STR(s, "{\"a\":1,\"b\":[\"x\\\"y\",null,true,{},[],2.5,-3],"
		      "\"we\\\"ird\\nkey\":18446744073709551615}\n");
	EXPECT_JQ(s, ".b[0] == \"x\\\"y\" and .b[5] == 2.5");
	free(s);

	/* pretty output is the same document */
	json_init(&j, cap_open(&c), true);
	json_obj_open(&j);
	json_key(&j, "L");
	json_arr_open(&j);
	json_u64(&j, 1);
	json_obj_open(&j);
	json_key(&j, "k");
	json_str(&j, "v");
	json_obj_close(&j);
	json_arr_close(&j);
	json_key(&j, "E");
	json_arr_open(&j);
	json_arr_close(&j);
	json_obj_close(&j);
	json_end(&j);
	s = cap_close(&c);
	EXPECT_STR(s, "{\n  \"L\": [\n    1,\n    {\n      \"k\": \"v\"\n"
		      "    }\n  ],\n  \"E\": []\n}\n");
	EXPECT_JQ(s, ".L[1].k == \"v\" and .E == []");
	free(s);
}

/* ---- printers with in-memory records ---- */

static void fake_fs(struct efs_fs_info *fs, const char *name)
{
	int i;

	memset(fs, 0, sizeof(*fs));
	snprintf(fs->name, sizeof(fs->name), "%s", name);
	snprintf(fs->path, sizeof(fs->path), "/srv/%s \"q\"", name);
	fs->performance_mode = EFS_PERF_GENERAL_PURPOSE;
	fs->iops_limit = 0;
	fs->iops_effective = EFS_GP_IOPS_DEFAULT;
	fs->write_op_weight = 5;
	fs->max_wait_ms = 1000;
	fs->throughput_mode = EFS_TP_PROVISIONED;
	fs->provisioned_bps = 2621440;
	fs->metered_size = EFS_METERED_SIZE_AUTO;
	fs->size_bytes = 123;
	fs->burst_credit_balance = 2308974418330ULL;
	fs->burst_credit_max = 2308974418330ULL;
	fs->permitted_bps = 2621440;
	fs->baseline_bps = 1048576;
	fs->burst_bps = 104857600;
	fs->read_metering_ratio = 3;
	fs->size_sample_ms = 30000;
	fs->credit_low_pct = 10;
	fs->percent_io_limit = 1234;
	fs->client_connections = 2;
	fs->throttling = true;
	fs->time_ns = 5000000000ULL;
	fs->data_read_bytes = 1 << 20;
	fs->data_read_ops = 100;
	fs->throttled_ops = 10;
	fs->throttle_delay_ns = 1500000000ULL;
	fs->wait_hist_n = EFS_WAIT_HIST_BUCKETS;
	fs->wait_hist[0] = 1;
	fs->wait_hist[1] = 2;
	fs->wait_hist[2] = 3;
	fs->wait_hist[EFS_WAIT_HIST_BUCKETS - 1] = 4;
	for (i = 3; i < EFS_WAIT_HIST_BUCKETS - 1; i++)
		fs->wait_hist[i] = 0;
}

static void test_show_json(void)
{
	static struct efs_fs_info fs[2];
	struct capture c;
	struct out o;
	char *s;

	fake_fs(&fs[0], "home");
	fake_fs(&fs[1], "data");
	fs[1].performance_mode = EFS_PERF_MAX_IO;
	fs[1].iops_limit = 7000;
	fs[1].iops_effective = 7000;
	fs[1].throughput_mode = EFS_TP_BURSTING;
	fs[1].provisioned_bps = 0;
	fs[1].metered_size = 1ULL << 40;

	out_init(&o, cap_open(&c), true, true);
	efs_print_fs_list(&o, fs, 2);
	s = cap_close(&c);
	EXPECT_JQ(s, ".FileSystems | length == 2");
	EXPECT_JQ(s, ".FileSystems[0] | .Name == \"home\" and "
		     ".Path == \"/srv/home \\\"q\\\"\" and "
		     ".PerformanceMode == \"generalPurpose\" and "
		     ".IopsLimit == 35000 and .IopsLimitConfigured == 0 and "
		     ".WriteOpWeight == 5 and .MaxWaitMs == 1000 and "
		     ".MaxWaiters == 0 and .ThroughputMode == \"provisioned\" and "
		     ".ProvisionedThroughputInMibps == 2.5 and "
		     ".SizeInBytes.Value == 123 and "
		     ".BurstCreditBalance == 2308974418330 and "
		     ".BurstCreditMax == 2308974418330 and "
		     ".PermittedThroughput == 2621440 and "
		     ".BaselineThroughput == 1048576 and "
		     ".BurstThroughput == 104857600 and "
		     ".ReadMeteringRatio == 3 and .MeteredSize == \"auto\" and "
		     ".SizeSampleIntervalMs == 30000 and .CreditLowPercent == 10");
	EXPECT_JQ(s, ".FileSystems[1] | .PerformanceMode == \"maxIO\" and "
		     ".IopsLimit == 7000 and .IopsLimitConfigured == 7000 and "
		     ".ThroughputMode == \"bursting\" and "
		     ".ProvisionedThroughputInMibps == 0 and "
		     ".MeteredSize == 1099511627776");
	free(s);

	out_init(&o, cap_open(&c), true, false);
	efs_print_fs_list(&o, fs, 0);
	s = cap_close(&c);
	EXPECT_STR(s, "{\"FileSystems\":[]}\n");
	free(s);
}

static void test_show_text(void)
{
	static struct efs_fs_info fs;
	struct capture c;
	struct out o;
	char *s;

	fake_fs(&fs, "home");
	out_init(&o, cap_open(&c), false, false);
	efs_print_fs_list(&o, &fs, 1);
	s = cap_close(&c);
	EXPECT(!strncmp(s, "home\n", 5));
	EXPECT_IN(s, "  path                    /srv/home \"q\"\n");
	EXPECT_IN(s, "35000 units/s (mode default)\n");
	EXPECT_IN(s, "  burst credit balance    2.1 TiB of 2.1 TiB\n");
	EXPECT_IN(s, "  permitted throughput    2.5 MiB/s\n");
	EXPECT_IN(s, "  baseline throughput     1.0 MiB/s\n");
	EXPECT_IN(s, "  provisioned throughput  2.5 MiB/s\n");
	EXPECT_IN(s, "  size                    123 B (sampled every 30000 ms)\n");
	EXPECT(!strchr(s, '{'));
	free(s);

	out_init(&o, cap_open(&c), false, false);
	efs_print_fs_list(&o, &fs, 0);
	s = cap_close(&c);
	EXPECT_STR(s, "no filesystems\n");
	free(s);
}

static void test_stats(void)
{
	static struct efs_fs_info cur, prev;
	struct capture c;
	struct out o;
	char *s;

	fake_fs(&cur, "home");
	prev = cur;
	prev.time_ns = cur.time_ns - 2000000000ULL;	/* 2 s earlier */
	prev.data_read_bytes = 0;
	prev.data_read_ops = 50;
	prev.throttled_ops = 20;	/* went backwards: a restart */

	out_init(&o, cap_open(&c), true, true);
	efs_print_stats(&o, &cur, NULL, 0, 0);
	s = cap_close(&c);
	EXPECT_JQ(s, ".Name == \"home\" and .Timestamp == 5000000000 and "
		     ".DataReadIOBytes == 1048576 and .DataReadOps == 100 and "
		     ".PercentIOLimit == 12.34 and .ClientConnections == 2 and "
		     ".Throttling == true and .ThrottledOperations == 10 and "
		     ".ThrottleDelayNanoseconds == 1500000000 and "
		     ".BurstCreditBalance == 2308974418330 and "
		     ".PermittedThroughput == 2621440 and "
		     "(.Rates == null)");
	EXPECT_JQ(s, ".WaitHistogram | length == 16 and .[0].LeMs == 1 and "
		     ".[0].Count == 1 and .[2].LeMs == 4 and .[14].LeMs == 16384 "
		     "and .[15].LeMs == null and .[15].Count == 4");
	EXPECT_JQ(s, "[\"DataReadIOBytes\",\"DataReadOps\",\"DataWriteIOBytes\","
		     "\"DataWriteOps\",\"MetadataIOBytes\",\"MetadataOps\","
		     "\"TotalIOBytes\",\"MeteredIOBytes\",\"IoUnits\","
		     "\"BurstCreditBalance\",\"PermittedThroughput\","
		     "\"PercentIOLimit\",\"ClientConnections\","
		     "\"ThrottledOperations\",\"ThrottleDelayNanoseconds\","
		     "\"DelayReplies\",\"WaitHistogram\",\"Throttling\","
		     "\"Name\",\"Timestamp\"] - keys == []");
	free(s);

	/* watch: compact, one line, with rates */
	out_init(&o, cap_open(&c), true, false);
	efs_print_stats(&o, &cur, &prev, 2000000000ULL, 1);
	s = cap_close(&c);
	EXPECT(strchr(s, '\n') == s + strlen(s) - 1);
	EXPECT_JQ(s, ".Rates.DataReadIOBytes == 524288 and "
		     ".Rates.DataReadOps == 25 and "
		     ".Rates.ThrottledOperations == 5 and "
		     ".ElapsedSeconds == 2 and .Rates.BurstCreditBalance == null");
	free(s);

	/* text: a table with human units, rates in a column */
	out_init(&o, cap_open(&c), false, false);
	efs_print_stats(&o, &cur, &prev, 2000000000ULL, 0);
	s = cap_close(&c);
	EXPECT_IN(s, "METRIC                                TOTAL             RATE\n");
	EXPECT_IN(s, "\nDataReadIOBytes                     1.0 MiB      512.0 KiB/s\n");
	EXPECT_IN(s, "\nPercentIOLimit                       12.34%\n");
	EXPECT_IN(s, "\nWaitHistogram              <1ms:1 <2ms:2 <4ms:3 >=16384ms:4\n");
	EXPECT(!strchr(s, '{'));
	free(s);
}

static int count_substr(const char *s, const char *sub)
{
	int n = 0;

	while ((s = strstr(s, sub))) {
		n++;
		s += strlen(sub);
	}
	return n;
}

/* Every line is a comment or `name{labels} value`. */
static bool prom_lines_valid(const char *text)
{
	regex_t sample, comment;
	char *copy = strdup(text), *line, *save = NULL;
	bool ok = true;

	regcomp(&sample, "^[a-zA-Z_:][a-zA-Z0-9_:]*"
		"(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
		"([0-9]+(\\.[0-9]+)?|\\+Inf)$", REG_EXTENDED | REG_NOSUB);
	regcomp(&comment, "^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$",
		REG_EXTENDED | REG_NOSUB);
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (regexec(&sample, line, 0, NULL, 0) &&
		    regexec(&comment, line, 0, NULL, 0)) {
			fprintf(stderr, "  bad line: %s\n", line);
			ok = false;
		}
	}
	regfree(&sample);
	regfree(&comment);
	free(copy);
	return ok;
}

static void test_prom(void)
{
	static struct efs_fs_info fs[2];
	struct capture c;
	char *s;

	efs_prom_escape(cap_open(&c), "a\"b\\c\nd");
	s = cap_close(&c);
	EXPECT_STR(s, "a\\\"b\\\\c\\nd");
	free(s);

	fake_fs(&fs[0], "home");
	fake_fs(&fs[1], "data");
	fs[1].performance_mode = EFS_PERF_MAX_IO;
	efs_prom_print(cap_open(&c), fs, 2);
	s = cap_close(&c);
	EXPECT(prom_lines_valid(s));
	EXPECT(count_substr(s, "# TYPE efs_data_read_bytes_total counter\n") == 1);
	EXPECT(count_substr(s, "# HELP efs_data_read_bytes_total ") == 1);
	EXPECT(count_substr(s, "# TYPE efs_throttle_wait_seconds histogram\n") == 1);
	EXPECT_IN(s, "efs_data_read_bytes_total{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 1048576\n");
	EXPECT_IN(s, "efs_data_read_bytes_total{fs=\"data\",mode=\"maxIO\",throughput_mode=\"provisioned\"} 1048576\n");
	EXPECT_IN(s, "efs_throttle_delay_seconds_total{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 1.5\n");
	EXPECT_IN(s, "efs_percent_io_limit{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 12.34\n");
	EXPECT_IN(s, "efs_throttling{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 1\n");
	EXPECT_IN(s, "efs_storage_bytes{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 123\n");
	EXPECT_IN(s, "efs_iops_limit{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 35000\n");
	/* cumulative buckets: 1, 1+2, 1+2+3, ..., then +Inf with the rest */
	EXPECT_IN(s, "efs_throttle_wait_seconds_bucket{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\",le=\"0.001\"} 1\n");
	EXPECT_IN(s, "efs_throttle_wait_seconds_bucket{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\",le=\"0.002\"} 3\n");
	EXPECT_IN(s, "efs_throttle_wait_seconds_bucket{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\",le=\"0.004\"} 6\n");
	EXPECT_IN(s, "efs_throttle_wait_seconds_bucket{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\",le=\"16.384\"} 6\n");
	EXPECT_IN(s, "efs_throttle_wait_seconds_bucket{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\",le=\"+Inf\"} 10\n");
	EXPECT_IN(s, "efs_throttle_wait_seconds_sum{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 1.5\n");
	EXPECT_IN(s, "efs_throttle_wait_seconds_count{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 10\n");
	EXPECT(count_substr(s, "efs_throttle_wait_seconds_bucket{fs=\"home\"") == 16);
	free(s);

	/* no filesystems: only HELP/TYPE lines */
	efs_prom_print(cap_open(&c), NULL, 0);
	s = cap_close(&c);
	EXPECT(prom_lines_valid(s));
	EXPECT(!strstr(s, "{"));
	free(s);
}

/* ---- netlink decoding of hand-built messages ---- */

static struct nlmsghdr *start_msg(char *buf, size_t len, uint16_t type,
				  uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, len);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = EFS_GENL_VERSION;
	return nlh;
}

static void test_decode(void)
{
	static char buf[8192];
	static struct efs_fs_info fs;
	struct nlmsghdr *nlh;
	int i;

	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "home");
	mnl_attr_put_strz(nlh, EFS_A_FS_PATH, "/srv/home");
	mnl_attr_put_u32(nlh, EFS_A_FS_PERFORMANCE_MODE, EFS_PERF_MAX_IO);
	mnl_attr_put_u32(nlh, EFS_A_FS_IOPS_EFFECTIVE, 500000);
	mnl_attr_put(nlh, EFS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, EFS_A_FS_METERED_SIZE, EFS_METERED_SIZE_AUTO);
	mnl_attr_put_u64(nlh, EFS_A_FS_PROVISIONED_BPS, 2621440);
	mnl_attr_put_u8(nlh, EFS_A_FS_THROTTLING, 1);
	mnl_attr_put_u32(nlh, 250, 7);		/* from a newer kernel */
	mnl_attr_put_u64(nlh, EFS_A_FS_THROTTLE_DELAY_NS, 1ULL << 40);
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
		mnl_attr_put_u64(nlh, EFS_A_FS_WAIT_HIST, 100 + i);
	mnl_attr_put_u32(nlh, EFS_A_FS_PERCENT_IO_LIMIT, 9999);
	EXPECT(!efs_fs_decode(nlh, &fs));
	EXPECT_STR(fs.name, "home");
	EXPECT_STR(fs.path, "/srv/home");
	EXPECT(fs.performance_mode == EFS_PERF_MAX_IO);
	EXPECT(fs.iops_effective == 500000);
	EXPECT(fs.metered_size == EFS_METERED_SIZE_AUTO);
	EXPECT(fs.provisioned_bps == 2621440);
	EXPECT(fs.throttling);
	EXPECT(fs.throttle_delay_ns == 1ULL << 40);
	EXPECT(fs.wait_hist_n == EFS_WAIT_HIST_BUCKETS);
	EXPECT(fs.wait_hist[0] == 100 && fs.wait_hist[15] == 115);
	EXPECT(fs.percent_io_limit == 9999);
	EXPECT(fs.present[EFS_A_FS_WAIT_HIST]);
	EXPECT(!fs.present[EFS_A_FS_SIZE_BYTES]);

	/* a u32 that is 3 bytes long is malformed */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "home");
	mnl_attr_put(nlh, EFS_A_FS_IOPS_LIMIT, 3, "abc");
	EXPECT(efs_fs_decode(nlh, &fs) == -EINVAL);

	/* no name */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_GET);
	mnl_attr_put_u32(nlh, EFS_A_FS_IOPS_LIMIT, 1);
	EXPECT(efs_fs_decode(nlh, &fs) == -EINVAL);

	/* a name longer than the protocol allows */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME,
			  "0123456789012345678901234567890123456789"
			  "0123456789012345678901234567890123456789");
	EXPECT(efs_fs_decode(nlh, &fs) == -EINVAL);
}

/* Configuration goes out with the protocol's widths. */
static void test_encode(void)
{
	static char buf[4096];
	const struct nlattr *a;
	struct efs_fs_config cfg;
	struct nlmsghdr *nlh;
	char *argv[] = {
		"home", "--provisioned-throughput-in-mibps=2.5",
		"--iops-limit", "7", "--metered-size", "auto",
		"--burst-credit-balance", "1GiB", "--throughput-mode",
		"provisioned", "--performance-mode=maxIO", "-v",
	};
	struct opts o;
	int seen = 0;

	EXPECT(!opts_parse(efs_fs_config_opts, 12, argv, &o));
	EXPECT(o.npos == 1 && !strcmp(o.pos[0], "home"));
	EXPECT(!efs_fs_config_parse(&o, &cfg));
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_SET);
	efs_fs_config_put(nlh, &cfg);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case EFS_A_FS_PROVISIONED_BPS:
			EXPECT(mnl_attr_get_payload_len(a) == 8);
			EXPECT(mnl_attr_get_u64(a) == 2621440);
			seen++;
			break;
		case EFS_A_FS_IOPS_LIMIT:
			EXPECT(mnl_attr_get_payload_len(a) == 4);
			EXPECT(mnl_attr_get_u32(a) == 7);
			seen++;
			break;
		case EFS_A_FS_METERED_SIZE:
			EXPECT(mnl_attr_get_payload_len(a) == 8);
			EXPECT(mnl_attr_get_u64(a) == EFS_METERED_SIZE_AUTO);
			seen++;
			break;
		case EFS_A_FS_BURST_CREDIT_BALANCE:
			EXPECT(mnl_attr_get_u64(a) == 1ULL << 30);
			seen++;
			break;
		case EFS_A_FS_THROUGHPUT_MODE:
			EXPECT(mnl_attr_get_u32(a) == EFS_TP_PROVISIONED);
			seen++;
			break;
		case EFS_A_FS_PERFORMANCE_MODE:
			EXPECT(mnl_attr_get_u32(a) == EFS_PERF_MAX_IO);
			seen++;
			break;
		default:
			EXPECT(!"unexpected attribute");
		}
	}
	EXPECT(seen == 6);
}

static void test_opts(void)
{
	static const struct opt_def defs[] = {
		{ "json", 0, false, 1 },
		{ "watch", 0, true, 2 },
		{ NULL, 0, false, 0 },
	};
	char *ok[] = { "--watch=3", "x", "--json", "--", "--y" };
	char *unknown[] = { "x", "--jsonx" };
	char *dup[] = { "--json", "--json" };
	char *missing[] = { "x", "--watch" };
	char *flagval[] = { "--json=yes" };
	char *shortbad[] = { "-j" };
	char *help[] = { "x", "-h" };
	char *nohelp[] = { "--", "--help" };
	struct opts o;
	FILE *saved = stderr;

	EXPECT(!opts_parse(defs, 5, ok, &o));
	EXPECT(o.npos == 2 && !strcmp(o.pos[1], "--y"));
	EXPECT(o.nhits == 2 && o.hits[0].def->id == 2 &&
	       !strcmp(o.hits[0].value, "3"));
	stderr = fopen("/dev/null", "w");
	EXPECT(opts_parse(defs, 2, unknown, &o) == -1);
	EXPECT(opts_parse(defs, 2, dup, &o) == -1);
	EXPECT(opts_parse(defs, 2, missing, &o) == -1);
	EXPECT(opts_parse(defs, 1, flagval, &o) == -1);
	EXPECT(opts_parse(defs, 1, shortbad, &o) == -1);
	fclose(stderr);
	stderr = saved;
	EXPECT(opts_wants_help(2, help));
	EXPECT(!opts_wants_help(2, nohelp));
}

static void test_extack(void)
{
	static char buf[4096], reqbuf[1024];
	struct nlmsghdr *nlh, *req;
	struct nlmsgerr *e;
	struct efs_nl nl;
	struct nlattr *bad;

	memset(&nl, 0, sizeof(nl));
	req = start_msg(reqbuf, sizeof(reqbuf), 0x20, EFS_CMD_FS_DEL);
	mnl_attr_put_strz(req, EFS_A_FS_NAME, "x");
	bad = mnl_nlmsg_get_payload_tail(req);
	mnl_attr_put_u32(req, EFS_A_FS_IOPS_LIMIT, 5);

	/* capped ack with a message and an offset */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -ENOENT;
	e->msg = *req;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no filesystem named 'x'");
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS,
			 (uint32_t)((char *)bad - (char *)req));
	EXPECT(efs_nl_parse_error(&nl, nlh, req) == -ENOENT);
	EXPECT_STR(nl.extack, "no filesystem named 'x'");
	EXPECT(nl.bad_attr == EFS_A_FS_IOPS_LIMIT);

	/* not capped: the request is echoed before the TLVs */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_ACK_TLVS;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e) + req->nlmsg_len -
				       sizeof(*req));
	e->error = -EINVAL;
	memcpy(&e->msg, req, req->nlmsg_len);
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_MISS_TYPE, EFS_A_FS_PATH);
	EXPECT(efs_nl_parse_error(&nl, nlh, req) == -EINVAL);
	EXPECT_STR(nl.extack, "");
	EXPECT(nl.miss_type == EFS_A_FS_PATH);

	/* plain errno, no TLVs */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = -EPERM;
	EXPECT(efs_nl_parse_error(&nl, nlh, req) == -EPERM);
	EXPECT(!nl.extack[0] && nl.miss_type == -1);

	/* NLMSG_DONE carrying an error */
	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = -EIO;
	mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
	EXPECT(efs_nl_parse_error(&nl, nlh, NULL) == -EIO);
	EXPECT_STR(nl.extack, "dump failed");
}

static void test_event(void)
{
	static char buf[1024];
	struct efs_event ev;
	struct nlmsghdr *nlh;
	struct capture c;
	struct out o;
	char *s;

	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_EVENT);
	mnl_attr_put_u32(nlh, EFS_A_EVENT_TYPE, EFS_EVENT_THROTTLE_START);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "home");
	mnl_attr_put_u64(nlh, EFS_A_EVENT_VALUE, 42);
	mnl_attr_put_u64(nlh, EFS_A_EVENT_TIME_NS, 1795435200123456789ULL);
	EXPECT(!efs_event_decode(nlh, &ev));

	out_init(&o, cap_open(&c), false, false);
	efs_event_print(&o, &ev);
	s = cap_close(&c);
	EXPECT_STR(s, "2026-11-23T12:00:00.123Z home throttle-start value=42\n");
	free(s);

	out_init(&o, cap_open(&c), true, false);
	efs_event_print(&o, &ev);
	s = cap_close(&c);
	EXPECT_STR(s, "{\"Time\":\"2026-11-23T12:00:00.123Z\",\"Event\":\"ThrottleStart\",\"FileSystem\":\"home\",\"Value\":42}\n");
	EXPECT_JQ(s, ".Event == \"ThrottleStart\" and .Value == 42");
	free(s);

	/* every type has both names */
	for (uint32_t t = EFS_EVENT_FS_ADDED; t < __EFS_EVENT_MAX; t++) {
		char b[32];

		EXPECT(strncmp(efs_event_name(t, false, b, sizeof(b)),
			       "unknown", 7));
	}
	{
		char b[32];

		EXPECT_STR(efs_event_name(EFS_EVENT_FS_REMOVED, true, b,
					  sizeof(b)), "FileSystemRemoved");
		EXPECT_STR(efs_event_name(EFS_EVENT_CREDITS_EXHAUSTED, false,
					  b, sizeof(b)), "credits-exhausted");
		EXPECT_STR(efs_event_name(99, true, b, sizeof(b)),
			   "Unknown99");
	}

	/* not an event */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_GET);
	EXPECT(efs_event_decode(nlh, &ev) == -EINVAL);
}

/* ---- clients and server ---- */

static void test_clients(void)
{
	static struct efs_client_info v[3];
	struct capture c;
	struct out o;
	char *s;

	memset(v, 0, sizeof(v));
	strcpy(v[0].addr, "10.0.0.1");
	v[0].ops_per_second = 5;
	v[0].metered_bps = 4096;
	strcpy(v[1].addr, "10.0.0.2");
	v[1].ops_per_second = 50;
	v[1].metered_bps = 409600;
	v[1].delay_replies = 7;
	strcpy(v[2].addr, "other");
	v[2].overflow = true;
	v[2].ops = 3;
	efs_client_sort(v, 3);
	EXPECT_STR(v[0].addr, "10.0.0.2");
	EXPECT_STR(v[1].addr, "10.0.0.1");
	EXPECT_STR(v[2].addr, "other");

	out_init(&o, cap_open(&c), true, false);
	efs_print_clients(&o, "home", v, 3, 2);
	s = cap_close(&c);
	EXPECT_JQ(s, ".FileSystem == \"home\" and .ClientCount == 3 and "
		     "(.Clients | length) == 2 and "
		     ".Clients[0].Address == \"10.0.0.2\" and "
		     ".Clients[0].OpsPerSecond == 50 and "
		     ".Clients[0].MeteredBytesPerSecond == 409600 and "
		     ".Clients[0].DelayReplies == 7 and "
		     ".Clients[0].Overflow == false");
	free(s);

	out_init(&o, cap_open(&c), false, false);
	efs_print_clients(&o, "home", v, 3, 0);
	s = cap_close(&c);
	EXPECT_IN(s, "10.0.0.2");
	EXPECT_IN(s, "other");
	free(s);

	out_init(&o, cap_open(&c), false, false);
	efs_print_clients(&o, "home", v, 0, 0);
	s = cap_close(&c);
	EXPECT_IN(s, "no clients");
	free(s);
}

static void test_server(void)
{
	struct efs_server_info srv = {
		.max_waiting_cfg = 0, .max_waiting = 4, .nfsd_threads = 8,
		.waiting = 1, .waiting_peak = 3, .displaced = 2, .clients = 3,
		.clients_max = 65536, .client_bytes = 232,
		.pressure_replies = 9, .pressure_slots = 2,
	};
	struct capture c;
	struct out o;
	char *s;

	out_init(&o, cap_open(&c), true, false);
	efs_print_server(&o, &srv);
	s = cap_close(&c);
	EXPECT_JQ(s, ".MaxWaitingThreads == 4 and "
		     ".MaxWaitingThreadsConfigured == 0 and .NfsdThreads == 8 and "
		     ".WaitingThreads == 1 and .WaitingThreadsPeak == 3 and "
		     ".DisplacedRequests == 2 and "
		     ".ClientEntries == 3 and .ClientEntriesMax == 65536 and "
		     ".ClientEntryBytes == 232 and .BackpressureReplies == 9 and "
		     ".BackpressureSlots == 2");
	free(s);
	out_init(&o, cap_open(&c), false, false);
	efs_print_server(&o, &srv);
	s = cap_close(&c);
	EXPECT_IN(s, "half of nfsd's threads");
	free(s);
}

static void test_at_rest(void)
{
	static struct efs_fs_info fs;
	static const char table[] = "# Version 1.1\n"
		"/srv/other\t*(rw)\n"
		"/srv/a\\040b\t10.99.1.0/24(rw,sync,wdelay,no_subtree_check,sec=sys,xprtsec=tls:mtls)\n"
		"/srv/a\\040b\t10.99.2.7(ro,sync)\n";
	struct efs_fs_local local;
	struct efs_at_rest r;
	unsigned int bits = 1;
	char cipher[64], why[512];
	struct capture c;
	struct out o;
	FILE *f;
	char *s;

	/* a LUKS2 mapping with its key in the kernel keyring */
	EXPECT(!efs_dm_crypt_params("aes-xts-plain64 :64:logon:cryptsetup:0e2f-d0 0 7:0 32768",
				    cipher, sizeof(cipher), &bits));
	EXPECT_STR(cipher, "aes-xts-plain64");
	EXPECT(bits == 512);
	/* the key in hex: 32 bytes */
	EXPECT(!efs_dm_crypt_params("aes-xts-plain64 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef 0 7:1 4096 1 allow_discards",
				    cipher, sizeof(cipher), &bits));
	EXPECT(bits == 256);
	EXPECT(!efs_dm_crypt_params("aes-cbc-essiv:sha256 - 0 8:1 0", cipher,
				    sizeof(cipher), &bits));
	EXPECT(bits == 0);
	EXPECT(efs_dm_crypt_params("aes-xts-plain64", cipher, sizeof(cipher),
				   &bits));
	EXPECT(efs_dm_crypt_params("aes-xts-plain64 xyz 0 7:1 0", cipher,
				   sizeof(cipher), &bits));
	EXPECT(efs_dm_crypt_aes256("aes-xts-plain64", 512));
	EXPECT(!efs_dm_crypt_aes256("aes-xts-plain64", 256));	/* AES-128-XTS */
	EXPECT(efs_dm_crypt_aes256("aes-cbc-essiv:sha256", 256));
	EXPECT(!efs_dm_crypt_aes256("aes-cbc-essiv:sha256", 128));
	EXPECT(efs_dm_crypt_aes256("capi:xts(aes)-plain64", 512));
	EXPECT(!efs_dm_crypt_aes256("serpent-xts-plain64", 512));
	EXPECT(!efs_dm_crypt_aes256("twofish-xts-plain64", 512));

	memset(&r, 0, sizeof(r));
	efs_fscrypt_describe(1, 4, &r);		/* AES-256-XTS / AES-256-CTS */
	EXPECT(r.encrypted && r.aes256 && r.key_bits == 512);
	EXPECT_STR(r.cipher, "AES-256-XTS/AES-256-CTS");
	efs_fscrypt_describe(1, 10, &r);	/* HCTR2 file names */
	EXPECT(r.aes256);
	efs_fscrypt_describe(5, 6, &r);		/* AES-128-CBC / CTS */
	EXPECT(r.encrypted && !r.aes256 && r.key_bits == 128);
	efs_fscrypt_describe(9, 9, &r);		/* Adiantum */
	EXPECT(!r.aes256);

	memset(&r, 0, sizeof(r));
	EXPECT(efs_at_rest_check("plain", "/srv/p", &r, why, sizeof(why)));
	EXPECT_IN(why, "plain: /srv/p is not encrypted at rest with AES-256 (found: not encrypted)");
	r.encrypted = true;
	strcpy(r.method, "dm-crypt");
	strcpy(r.cipher, "aes-xts-plain64");
	strcpy(r.device, "luks128");
	r.key_bits = 256;
	EXPECT(efs_at_rest_check("a128", "/srv/a", &r, why, sizeof(why)));
	EXPECT_IN(why, "found: dm-crypt aes-xts-plain64, 256-bit key (not AES-256) on luks128");
	r.aes256 = true;
	r.key_bits = 512;
	EXPECT(!efs_at_rest_check("a256", "/srv/a", &r, why, sizeof(why)));

	/* the export table: etab and /proc/fs/nfsd/exports lines */
	memset(&local, 0, sizeof(local));
	f = fmemopen((void *)table, strlen(table), "r");
	EXPECT(f != NULL);
	if (f) {
		efs_exports_parse(f, "/srv/a b", &local.exports);
		fclose(f);
	}
	EXPECT(local.exports.n == 2);
	/* one line reader for fs show and tls status: the path unescaped */
	{
		char l1[] = "/srv/a\\040b\t10.0.0.1(rw)\n", l2[] = "# x\n",
		     l3[] = "/srv/plain\n";
		char *rest = efs_exports_line(l1);

		EXPECT_STR(l1, "/srv/a b");
		EXPECT(rest && !strcmp(rest, "10.0.0.1(rw)"));
		EXPECT(!efs_exports_line(l2));
		EXPECT(!efs_exports_line(l3));
	}
	EXPECT_STR(local.exports.v[0].client, "10.99.1.0/24");
	EXPECT_STR(local.exports.v[0].xprtsec, "tls:mtls");
	EXPECT_STR(local.exports.v[1].client, "10.99.2.7");
	EXPECT_STR(local.exports.v[1].options, "ro,sync");
	EXPECT_STR(local.exports.v[1].xprtsec, "");
	local.exports.source = "/var/lib/nfs/etab";
	local.at_rest = r;

	fake_fs(&fs, "enc");
	fs.present[EFS_A_FS_AT_REST_POLICY] = true;
	fs.at_rest_policy = EFS_AT_REST_REQUIRED;
	fs.local = &local;
	out_init(&o, cap_open(&c), true, true);
	efs_print_fs_list(&o, &fs, 1);
	s = cap_close(&c);
	EXPECT_JQ(s, ".FileSystems[0] | .EncryptionAtRestPolicy == \"required\" and "
		     ".EncryptionAtRest.Encrypted and .EncryptionAtRest.Aes256 and "
		     ".EncryptionAtRest.Method == \"dm-crypt\" and "
		     ".EncryptionAtRest.Cipher == \"aes-xts-plain64\" and "
		     ".EncryptionAtRest.KeyBits == 512 and "
		     ".Exports[0].Client == \"10.99.1.0/24\" and "
		     ".Exports[0].Xprtsec == \"tls:mtls\" and "
		     ".Exports[1].Options == \"ro,sync\" and "
		     ".ExportsSource == \"/var/lib/nfs/etab\"");
	free(s);
	out_init(&o, cap_open(&c), false, true);
	efs_print_fs_list(&o, &fs, 1);
	s = cap_close(&c);
	EXPECT_IN(s, "  encryption at rest      required\n");
	EXPECT_IN(s, "  encrypted at rest       dm-crypt aes-xts-plain64, 512-bit key (AES-256) on luks128\n");
	EXPECT_IN(s, "  exported to             10.99.1.0/24 (rw,sync,wdelay,no_subtree_check,sec=sys,xprtsec=tls:mtls), xprtsec tls:mtls\n");
	free(s);
	memset(&local.at_rest, 0, sizeof(local.at_rest));
	out_init(&o, cap_open(&c), true, true);
	efs_print_fs_list(&o, &fs, 1);
	s = cap_close(&c);
	EXPECT_JQ(s, ".FileSystems[0].EncryptionAtRest == {\"Encrypted\":false,\"Aes256\":false}");
	free(s);
}

/* ---- encryption in transit: the policy and the TLS counters ---- */

static void transit_decode(void)
{
	static char buf[4096];
	static struct efs_fs_info fs;
	struct efs_client_info cl;
	struct efs_server_info srv;
	struct efs_fs_config cfg;
	const struct nlattr *a;
	struct nlmsghdr *nlh;
	char *argv[] = { "home", "--transit-encryption", "required" };
	struct opts o;
	int seen = 0;

	/* fs add/set: a u8 */
	EXPECT(!opts_parse(efs_fs_config_opts, 3, argv, &o));
	EXPECT(!efs_fs_config_parse(&o, &cfg));
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_SET);
	efs_fs_config_put(nlh, &cfg);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		EXPECT(mnl_attr_get_type(a) == EFS_A_FS_TRANSIT_POLICY);
		EXPECT(mnl_attr_get_payload_len(a) == 1);
		EXPECT(mnl_attr_get_u8(a) == EFS_TRANSIT_REQUIRED);
		seen++;
	}
	EXPECT(seen == 1);

	/* FS_GET */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_FS_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "home");
	mnl_attr_put_u8(nlh, EFS_A_FS_TRANSIT_POLICY, EFS_TRANSIT_REQUIRED);
	mnl_attr_put_u64(nlh, EFS_A_FS_TLS_OPS, 1ULL << 40);
	mnl_attr_put_u64(nlh, EFS_A_FS_PLAINTEXT_REFUSED, 9);
	mnl_attr_put_u32(nlh, EFS_A_FS_TLS_CLIENTS, 4);
	EXPECT(!efs_fs_decode(nlh, &fs));
	EXPECT(fs.transit_policy == EFS_TRANSIT_REQUIRED);
	EXPECT(fs.present[EFS_A_FS_TRANSIT_POLICY]);
	EXPECT(fs.tls_ops == 1ULL << 40 && fs.plaintext_refused == 9);
	EXPECT(fs.tls_clients == 4);
	efs_fs_info_config(&fs, &cfg);
	EXPECT(cfg.nset == 1 && cfg.val[EFS_A_FS_TRANSIT_POLICY] == 1);

	/* CLIENT_GET */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_CLIENT_GET);
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "home");
	mnl_attr_put_strz(nlh, EFS_A_CLIENT_ADDR, "10.0.0.9");
	mnl_attr_put_u8(nlh, EFS_A_CLIENT_TLS, 1);
	mnl_attr_put_u64(nlh, EFS_A_CLIENT_TLS_OPS, 77);
	mnl_attr_put_u64(nlh, EFS_A_CLIENT_PLAINTEXT_REFUSED, 5);
	mnl_attr_put_u32(nlh, EFS_A_CLIENT_BACKPRESSURE_SLOTS, 6);
	mnl_attr_put_u32(nlh, 250, 7);		/* from a newer kernel */
	EXPECT(!efs_client_decode(nlh, &cl));
	EXPECT(cl.tls && cl.tls_ops == 77 && cl.plaintext_refused == 5);
	EXPECT(cl.backpressure_slots == 6);

	/* SERVER_GET: absent means no */
	nlh = start_msg(buf, sizeof(buf), 0x20, EFS_CMD_SERVER_GET);
	mnl_attr_put_u32(nlh, EFS_A_SERVER_WAITING_THREADS, 1);
	EXPECT(!efs_server_decode(nlh, &srv));
	EXPECT(!srv.tls_supported);
	mnl_attr_put_u8(nlh, EFS_A_SERVER_TLS_SUPPORTED, 1);
	EXPECT(!efs_server_decode(nlh, &srv));
	EXPECT(srv.tls_supported && srv.waiting == 1);
}

/* What a printer writes, as text or JSON (pretty for one document). */
static char *cap_fs_list(const struct efs_fs_info *fs, bool json)
{
	struct capture c;
	struct out o;

	out_init(&o, cap_open(&c), json, true);
	efs_print_fs_list(&o, fs, 1);
	return cap_close(&c);
}

static char *cap_stats(const struct efs_fs_info *fs, bool json)
{
	struct capture c;
	struct out o;

	out_init(&o, cap_open(&c), json, true);
	efs_print_stats(&o, fs, NULL, 0, 0);
	return cap_close(&c);
}

static char *cap_clients(const struct efs_client_info *v, size_t n, bool json)
{
	struct capture c;
	struct out o;

	out_init(&o, cap_open(&c), json, false);
	efs_print_clients(&o, "home", v, n, 0);
	return cap_close(&c);
}

static char *cap_server(const struct efs_server_info *srv, bool json)
{
	struct capture c;
	struct out o;

	out_init(&o, cap_open(&c), json, false);
	efs_print_server(&o, srv);
	return cap_close(&c);
}

static void transit_print(void)
{
	static struct efs_fs_info fs;
	struct efs_client_info cl[2];
	struct efs_server_info srv = { .tls_supported = true };
	struct capture c;
	char *s;

	fake_fs(&fs, "home");
	fs.tls_ops = 40;
	fs.plaintext_refused = 3;
	fs.tls_clients = 1;
	/* policy and TLS clients only when the kernel sent them */
	s = cap_fs_list(&fs, true);
	EXPECT_JQ(s, ".FileSystems[0] | has(\"TransitEncryptionPolicy\") == false "
		     "and has(\"TlsClientConnections\") == false");
	free(s);
	fs.present[EFS_A_FS_TRANSIT_POLICY] = true;
	fs.present[EFS_A_FS_AT_REST_POLICY] = true;
	fs.present[EFS_A_FS_TLS_CLIENTS] = true;
	fs.transit_policy = EFS_TRANSIT_REQUIRED;
	s = cap_fs_list(&fs, true);
	EXPECT_JQ(s, ".FileSystems[0] | .TransitEncryptionPolicy == \"required\" "
		     "and .EncryptionAtRestPolicy == \"optional\" and "
		     ".TlsClientConnections == 1 and (keys_unsorted | "
		     "index(\"TransitEncryptionPolicy\") == "
		     "index(\"EncryptionAtRestPolicy\") + 1)");
	free(s);
	s = cap_fs_list(&fs, false);
	EXPECT_IN(s, "  encryption in transit   required\n");
	EXPECT_IN(s, "  of them over TLS        1\n");
	free(s);

	s = cap_stats(&fs, true);
	EXPECT_JQ(s, ".TlsRequests == 40 and .PlaintextRequestsRefused == 3 and "
		     ".TlsClientConnections == 1");
	free(s);
	s = cap_stats(&fs, false);
	EXPECT_IN(s, "\nTlsRequests                              40\n");
	EXPECT_IN(s, "\nPlaintextRequestsRefused                  3\n");
	EXPECT_IN(s, "\nTlsClientConnections                      1\n");
	free(s);

	efs_prom_print(cap_open(&c), &fs, 1);
	s = cap_close(&c);
	EXPECT(prom_lines_valid(s));
	EXPECT(count_substr(s, "# TYPE efs_tls_requests_total counter\n") == 1);
	EXPECT(count_substr(s, "# TYPE efs_plaintext_requests_refused_total counter\n") == 1);
	EXPECT(count_substr(s, "# TYPE efs_tls_client_connections gauge\n") == 1);
	EXPECT_IN(s, "efs_tls_requests_total{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 40\n");
	EXPECT_IN(s, "efs_plaintext_requests_refused_total{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 3\n");
	EXPECT_IN(s, "efs_tls_client_connections{fs=\"home\",mode=\"generalPurpose\",throughput_mode=\"provisioned\"} 1\n");
	free(s);

	memset(cl, 0, sizeof(cl));
	strcpy(cl[0].addr, "10.0.0.1");
	cl[0].tls = true;
	cl[0].tls_ops = 12;
	strcpy(cl[1].addr, "10.0.0.2");
	cl[1].plaintext_refused = 4;
	cl[1].backpressure_slots = 12;
	s = cap_clients(cl, 2, true);
	EXPECT_JQ(s, ".Clients[0].Tls == true and .Clients[0].TlsRequests == 12 "
		     "and .Clients[0].PlaintextRequestsRefused == 0 and "
		     ".Clients[1].Tls == false and .Clients[1].TlsRequests == 0 "
		     "and .Clients[1].PlaintextRequestsRefused == 4 and "
		     ".Clients[0].BackpressureSlots == 0 and "
		     ".Clients[1].BackpressureSlots == 12");
	free(s);
	s = cap_clients(cl, 2, false);
	EXPECT_IN(s, " DELAYS  HELD TLS  REFUSED  LAST SEEN\n");
	EXPECT_IN(s, "          0     - yes        0 ");
	EXPECT_IN(s, "          0    12  no        4 ");
	free(s);

	s = cap_server(&srv, true);
	EXPECT_JQ(s, ".TlsSupported == true");
	free(s);
	srv.tls_supported = false;
	s = cap_server(&srv, false);
	EXPECT_IN(s, "server-side TLS         no (transit-encryption = required is refused)\n");
	free(s);
}

static void test_transit(void)
{
	transit_decode();
	transit_print();
}

int main(void)
{
	const char *path = getenv("EFS_RESULTS");

	if (path && *path) {
		results = fopen(path, "a");
		if (!results)
			perror(path);
	}
	if (!have_jq())
		fprintf(stderr, "unit: jq not found, JSON checks skipped\n");

	run("units_names", test_names);
	run("print_clients", test_clients);
	run("print_server", test_server);
	run("units_numbers", test_numbers);
	run("units_sizes", test_sizes);
	run("units_mibps", test_mibps);
	run("units_modes", test_modes);
	run("units_format", test_format);
	run("json_escape", test_json_escape);
	run("json_writer", test_json_writer);
	run("print_show_json", test_show_json);
	run("print_show_text", test_show_text);
	run("print_stats", test_stats);
	run("print_prometheus", test_prom);
	run("fsinfo_decode", test_decode);
	run("fsinfo_encode_options", test_encode);
	run("opts_parse", test_opts);
	run("nl_extack", test_extack);
	run("event_print", test_event);
	run("at_rest", test_at_rest);
	run("transit", test_transit);

	if (results)
		fclose(results);
	return failures ? 1 : 0;
}
