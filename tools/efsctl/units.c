// SPDX-License-Identifier: GPL-2.0
/*
 * Value parsing and human formatting (see units.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <linux/efs.h>

#include "units.h"

typedef unsigned __int128 u128;

#define FRAC_DIGITS_MAX 18

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Strict decimal "I" or "I.F" (at least one digit on each side of the
 * point). Fraction digits beyond FRAC_DIGITS_MAX are ignored. *end is set
 * to the first character after the number.
 */
static int parse_decimal(const char *s, uint64_t *ip, uint64_t *fp, int *fdig,
			 const char **end)
{
	uint64_t i = 0, f = 0;
	int nf = 0;

	if (!is_digit(*s))
		return -EINVAL;
	for (; is_digit(*s); s++) {
		if (i > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -ERANGE;
		i = i * 10 + (uint64_t)(*s - '0');
	}
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return -EINVAL;
		for (; is_digit(*s); s++) {
			if (nf < FRAC_DIGITS_MAX) {
				f = f * 10 + (uint64_t)(*s - '0');
				nf++;
			}
		}
	}
	*ip = i;
	*fp = f;
	*fdig = nf;
	*end = s;
	return 0;
}

static uint64_t pow10u(int n)
{
	uint64_t p = 1;

	while (n-- > 0)
		p *= 10;
	return p;
}

/* round((i + f / 10^nf) * mult), -ERANGE if it exceeds max */
static int scale_decimal(uint64_t i, uint64_t f, int nf, uint64_t mult,
			 uint64_t max, uint64_t *out)
{
	uint64_t p = pow10u(nf);
	u128 v;

	if (i > max / mult + 1)
		return -ERANGE;
	v = ((u128)i * p + f) * mult;
	v = (v + p / 2) / p;
	if (v > max)
		return -ERANGE;
	*out = (uint64_t)v;
	return 0;
}

int efs_parse_u64(const char *s, uint64_t *out)
{
	uint64_t i, f;
	const char *end;
	int nf, ret;

	ret = parse_decimal(s, &i, &f, &nf, &end);
	if (ret)
		return ret;
	if (*end || strchr(s, '.'))
		return -EINVAL;
	*out = i;
	return 0;
}

int efs_parse_u32_range(const char *s, uint32_t min, uint32_t max,
			uint32_t *out)
{
	uint64_t v;
	int ret;

	ret = efs_parse_u64(s, &v);
	if (ret)
		return ret;
	if (v < min || v > max)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

static const struct {
	const char *name;
	unsigned int shift;
} size_suffixes[] = {
	{ "", 0 }, { "B", 0 },
	{ "K", 10 }, { "KiB", 10 },
	{ "M", 20 }, { "MiB", 20 },
	{ "G", 30 }, { "GiB", 30 },
	{ "T", 40 }, { "TiB", 40 },
	{ "P", 50 }, { "PiB", 50 },
	{ "E", 60 }, { "EiB", 60 },
};

int efs_parse_size(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t i, f;
	const char *end;
	size_t k;
	int nf, ret;

	ret = parse_decimal(s, &i, &f, &nf, &end);
	if (ret)
		return ret;
	for (k = 0; k < sizeof(size_suffixes) / sizeof(size_suffixes[0]); k++) {
		if (strcasecmp(end, size_suffixes[k].name))
			continue;
		/* a fraction of a byte makes no sense */
		if (!size_suffixes[k].shift && nf)
			return -EINVAL;
		return scale_decimal(i, f, nf, 1ULL << size_suffixes[k].shift,
				     max, out);
	}
	return -EINVAL;
}

int efs_parse_mibps(const char *s, uint64_t min_bps, uint64_t max_bps,
		    uint64_t *bps)
{
	uint64_t i, f, p;
	const char *end;
	int nf, ret;
	u128 exact;

	ret = parse_decimal(s, &i, &f, &nf, &end);
	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	if (i > max_bps / MIB)
		return -ERANGE;
	/* compare before rounding: 0.9999999 is less than 1 MiB/s */
	p = pow10u(nf);
	exact = ((u128)i * p + f) * MIB;
	if (exact < (u128)min_bps * p || exact > (u128)max_bps * p)
		return -ERANGE;
	return scale_decimal(i, f, nf, MIB, max_bps, bps);
}

int efs_parse_seconds(const char *s, uint64_t min_ms, uint64_t max_ms,
		      uint64_t *ms)
{
	uint64_t i, f, v;
	const char *end;
	int nf, ret;

	ret = parse_decimal(s, &i, &f, &nf, &end);
	if (ret)
		return ret;
	if (*end)
		return -EINVAL;
	ret = scale_decimal(i, f, nf, 1000, max_ms, &v);
	if (ret)
		return ret;
	if (v < min_ms)
		return -ERANGE;
	*ms = v;
	return 0;
}

bool efs_name_valid(const char *s)
{
	size_t n;

	for (n = 0; s[n]; n++) {
		char c = s[n];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      is_digit(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n >= 1 && n <= EFS_FS_NAME_MAX;
}

static const char *const perf_modes[] = {
	[EFS_PERF_GENERAL_PURPOSE] = "generalPurpose",
	[EFS_PERF_MAX_IO] = "maxIO",
};

static const char *const tp_modes[] = {
	[EFS_TP_BURSTING] = "bursting",
	[EFS_TP_PROVISIONED] = "provisioned",
	[EFS_TP_ELASTIC] = "elastic",
};

static int lookup(const char *const *names, unsigned int n, const char *s,
		  uint32_t *out)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (names[i] && !strcasecmp(s, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int efs_perf_mode_parse(const char *s, uint32_t *mode)
{
	return lookup(perf_modes, __EFS_PERF_MAX, s, mode);
}

const char *efs_perf_mode_str(uint32_t mode)
{
	return mode < __EFS_PERF_MAX ? perf_modes[mode] : "unknown";
}

int efs_tp_mode_parse(const char *s, uint32_t *mode)
{
	return lookup(tp_modes, __EFS_TP_MAX, s, mode);
}

const char *efs_tp_mode_str(uint32_t mode)
{
	return mode < __EFS_TP_MAX ? tp_modes[mode] : "unknown";
}

static void trim_zeros(char *buf)
{
	size_t n = strlen(buf);

	if (!strchr(buf, '.'))
		return;
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

char *efs_fmt_ratio(char *buf, size_t len, uint64_t num, uint64_t den,
		    int decimals, bool trim)
{
	uint64_t p = pow10u(decimals);
	u128 v = ((u128)num * p + den / 2) / den;
	uint64_t ip = (uint64_t)(v / p), fp = (uint64_t)(v % p);

	if (!decimals) {
		snprintf(buf, len, "%llu", (unsigned long long)ip);
		return buf;
	}
	snprintf(buf, len, "%llu.%0*llu", (unsigned long long)ip, decimals,
		 (unsigned long long)fp);
	if (trim)
		trim_zeros(buf);
	return buf;
}

char *efs_fmt_double(char *buf, size_t len, double v, int decimals)
{
	if (!(v >= 0 && v < 1e300))	/* also catches NaN */
		v = 0;
	snprintf(buf, len, "%.*f", decimals, v);
	trim_zeros(buf);
	return buf;
}

char *efs_fmt_bytes(char *buf, size_t len, uint64_t v)
{
	static const char *const units[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int u = 0;
	u128 tenths;

	if (v < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)v);
		return buf;
	}
	while (u < 6 && v >> (10 * (u + 1)))
		u++;
	for (;;) {
		uint64_t div = 1ULL << (10 * u);

		tenths = ((u128)v * 10 + div / 2) / div;
		if (tenths < 10240 || u == 6)
			break;
		u++;	/* 1023.96 KiB rounds to 1.0 MiB, not 1024.0 KiB */
	}
	snprintf(buf, len, "%llu.%llu %s", (unsigned long long)(tenths / 10),
		 (unsigned long long)(tenths % 10), units[u]);
	return buf;
}

char *efs_fmt_rate(char *buf, size_t len, uint64_t bps)
{
	char tmp[32];

	snprintf(buf, len, "%s/s", efs_fmt_bytes(tmp, sizeof(tmp), bps));
	return buf;
}

char *efs_fmt_hundredths(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%llu.%02llu%%", (unsigned long long)(v / 100),
		 (unsigned long long)(v % 100));
	return buf;
}

char *efs_fmt_time(char *buf, size_t len, uint64_t real_ns)
{
	time_t secs = (time_t)(real_ns / 1000000000ULL);
	unsigned int ms = (unsigned int)(real_ns % 1000000000ULL / 1000000);
	struct tm tm;
	char day[32];

	if (!gmtime_r(&secs, &tm) ||
	    !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(buf, len, "%llu", (unsigned long long)real_ns);
		return buf;
	}
	snprintf(buf, len, "%s.%03uZ", day, ms);
	return buf;
}
