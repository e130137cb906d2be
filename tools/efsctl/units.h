/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Parsing and formatting of values: decimal numbers, sizes with binary
 * suffixes, fractional MiB/s, filesystem names, mode names, human units.
 *
 * Parsers return 0, -EINVAL (not a valid number) or -ERANGE (out of range).
 */
#ifndef EFSCTL_UNITS_H
#define EFSCTL_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MIB (1ULL << 20)

int efs_parse_u64(const char *s, uint64_t *out);
int efs_parse_u32_range(const char *s, uint32_t min, uint32_t max,
			uint32_t *out);
/* Bytes, optionally fractional with a suffix: K KiB M MiB G GiB T TiB P PiB
 * E EiB (binary multiples, any case) or B; result rounded, 0..max. */
int efs_parse_size(const char *s, uint64_t max, uint64_t *out);
/* N MiB/s (may be fractional) -> round(N * 1048576) bytes/s, min..max. */
int efs_parse_mibps(const char *s, uint64_t min_bps, uint64_t max_bps,
		    uint64_t *bps);
/* Seconds, may be fractional, -> milliseconds in min_ms..max_ms. */
int efs_parse_seconds(const char *s, uint64_t min_ms, uint64_t max_ms,
		      uint64_t *ms);

bool efs_name_valid(const char *s);

int efs_perf_mode_parse(const char *s, uint32_t *mode);
const char *efs_perf_mode_str(uint32_t mode);
int efs_tp_mode_parse(const char *s, uint32_t *mode);
const char *efs_tp_mode_str(uint32_t mode);

/* num/den with at most `decimals` digits after the point, rounded half up,
 * trailing zeros (and a bare point) trimmed if trim. Valid JSON number. */
char *efs_fmt_ratio(char *buf, size_t len, uint64_t num, uint64_t den,
		    int decimals, bool trim);
/* v with at most `decimals` digits, trailing zeros trimmed; non-finite or
 * negative values print as 0. Valid JSON number. */
char *efs_fmt_double(char *buf, size_t len, double v, int decimals);
/* "512 B", "1.5 KiB", "2.1 TiB" */
char *efs_fmt_bytes(char *buf, size_t len, uint64_t v);
/* "1.0 MiB/s" */
char *efs_fmt_rate(char *buf, size_t len, uint64_t bps);
/* "12.34%" from hundredths of a percent */
char *efs_fmt_hundredths(char *buf, size_t len, uint64_t v);
/* "2026-11-23T12:00:00.123Z" from ns since the epoch */
char *efs_fmt_time(char *buf, size_t len, uint64_t real_ns);

#endif
