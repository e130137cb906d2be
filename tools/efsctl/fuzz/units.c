// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the value parsers and formatters of units.c: every parser sees the
 * input as a string; what parses must be in range and survive formatting
 * and parsing again. The first 24 bytes also feed the formatters as
 * numbers.
 */
#include <errno.h>
#include <math.h>

#include <linux/efs.h>

#include "fuzz.h"
#include "units.h"

/* What "fs show" prints a rate with must parse back to the same bytes/s. */
static void check_mibps(const char *s, uint64_t min, uint64_t max)
{
	char buf[48];
	uint64_t v, back;
	int ret = efs_parse_mibps(s, min, max, &v);

	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (ret)
		return;
	FUZZ_CHECK(v <= max);
	efs_fmt_ratio(buf, sizeof(buf), v, MIB, 7, true);
	FUZZ_CHECK(!efs_parse_mibps(buf, 0, max, &back));
	FUZZ_CHECK(back == v);
}

static void parse_all(const char *s)
{
	char buf[48];
	uint64_t v, back;
	uint32_t u32, back32;
	int ret;

	ret = efs_parse_u64(s, &v);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (!ret) {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		FUZZ_CHECK(!efs_parse_u64(buf, &back) && back == v);
	}
	if (!efs_parse_u32_range(s, 1, 1000, &u32))
		FUZZ_CHECK(u32 >= 1 && u32 <= 1000);
	if (!efs_parse_u32_range(s, 0, UINT32_MAX, &u32))
		FUZZ_CHECK(!ret && u32 == v);

	ret = efs_parse_size(s, EFS_SIZE_MAX, &v);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (!ret) {
		FUZZ_CHECK(v <= EFS_SIZE_MAX);
		/* sizes are printed back in bytes (efs.conf, state files) */
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
		FUZZ_CHECK(!efs_parse_size(buf, EFS_SIZE_MAX, &back) &&
			   back == v);
	}
	if (!efs_parse_size(s, UINT64_MAX, &v))
		efs_fmt_bytes(buf, sizeof(buf), v);

	check_mibps(s, EFS_PROVISIONED_BPS_MIN, EFS_PROVISIONED_BPS_MAX);
	check_mibps(s, 0, EFS_PROVISIONED_BPS_MAX);
	check_mibps(s, 0, UINT64_MAX);

	ret = efs_parse_seconds(s, 1000, 86400000, &v);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
	if (!ret)
		FUZZ_CHECK(v >= 1000 && v <= 86400000);
	if (!efs_parse_seconds(s, 0, UINT64_MAX, &v))
		efs_fmt_ratio(buf, sizeof(buf), v, 1000, 3, true);

	if (efs_name_valid(s))
		FUZZ_CHECK(strlen(s) >= 1 && strlen(s) <= EFS_FS_NAME_MAX);
	if (!efs_perf_mode_parse(s, &u32))
		FUZZ_CHECK(!efs_perf_mode_parse(efs_perf_mode_str(u32), &back32));
	if (!efs_tp_mode_parse(s, &u32))
		FUZZ_CHECK(strcmp(efs_tp_mode_str(u32), "unknown"));
}

/* Formatters with the buffer sizes their callers use. */
static void format_all(const uint8_t *data, size_t size)
{
	uint64_t n[3] = { 0, 0, 0 };
	char buf[48], small[32];
	double d;

	memcpy(n, data, size < sizeof(n) ? size : sizeof(n));
	efs_fmt_bytes(small, sizeof(small), n[0]);
	FUZZ_CHECK(strlen(small) < sizeof(small) - 1);
	efs_fmt_rate(buf, sizeof(buf), n[0]);
	efs_fmt_hundredths(small, sizeof(small), n[1]);
	efs_fmt_time(buf, sizeof(buf), n[1]);
	FUZZ_CHECK(strlen(buf) < sizeof(buf) - 1);
	if (n[1]) {
		efs_fmt_ratio(buf, sizeof(buf), n[0], n[1],
			      (int)(n[2] % 10), n[2] & 16);
		FUZZ_CHECK(strlen(buf) < sizeof(buf) - 1);
	}
	memcpy(&d, &n[2], sizeof(d));
	efs_fmt_double(buf, sizeof(buf), d, 3);
	/* rates are at most 2^64 per nanosecond */
	if (isfinite(d) && fabs(d) < 1e30)
		FUZZ_CHECK(strlen(buf) < sizeof(buf) - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);

	parse_all(s);
	format_all(data, size);
	free(s);
	return 0;
}
