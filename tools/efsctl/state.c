// SPDX-License-Identifier: GPL-2.0
/*
 * State file format (see state.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs_opts.h"
#include "state.h"
#include "units.h"

#define STATE_LINE_MAX	(3 * EFS_PATH_MAX + 4096)

/* Counters and state, by key; offsets into struct efs_fs_info. */
static const struct state_key {
	const char *key;
	int attr;
	size_t off, size;
} state_keys[] = {
#define K(key, attr, member) { key, attr, EFS_FS_FIELD(member) }
	K("burst-credit-balance", EFS_A_FS_BURST_CREDIT_BALANCE,
	  burst_credit_balance),
	K("burst-credit-max", EFS_A_FS_BURST_CREDIT_MAX, burst_credit_max),
	K("baseline-throughput", EFS_A_FS_BASELINE_THROUGHPUT, baseline_bps),
	K("data-read-bytes", EFS_A_FS_DATA_READ_BYTES, data_read_bytes),
	K("data-read-ops", EFS_A_FS_DATA_READ_OPS, data_read_ops),
	K("data-write-bytes", EFS_A_FS_DATA_WRITE_BYTES, data_write_bytes),
	K("data-write-ops", EFS_A_FS_DATA_WRITE_OPS, data_write_ops),
	K("metadata-bytes", EFS_A_FS_METADATA_BYTES, metadata_bytes),
	K("metadata-ops", EFS_A_FS_METADATA_OPS, metadata_ops),
	K("metered-bytes", EFS_A_FS_METERED_BYTES, metered_bytes),
	K("io-units", EFS_A_FS_IO_UNITS, io_units),
	K("throttled-ops", EFS_A_FS_THROTTLED_OPS, throttled_ops),
	K("throttle-delay-ns", EFS_A_FS_THROTTLE_DELAY_NS, throttle_delay_ns),
	K("delay-replies", EFS_A_FS_DELAY_REPLIES, delay_replies),
#undef K
};
#define N_STATE_KEYS (sizeof(state_keys) / sizeof(state_keys[0]))

static void put_path(FILE *f, const char *p)
{
	for (; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c <= ' ' || c >= 0x7f || c == '%')
			fprintf(f, "%%%02X", c);
		else
			fputc(c, f);
	}
}

static int get_path(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned int c = (unsigned char)*s;

		if (c == '%') {
			if (sscanf(s + 1, "%2x", &c) != 1 || !s[1] || !s[2] ||
			    !c)
				return -EINVAL;
			s += 2;
		}
		if (n + 1 >= len)
			return -ERANGE;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return out[0] == '/' ? 0 : -EINVAL;
}

static void store(struct efs_fs_info *fs, size_t off, size_t size, uint64_t v)
{
	char *p = (char *)fs + off;

	if (size == sizeof(uint64_t))
		*(uint64_t *)p = v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

void efs_state_write(FILE *f, uint64_t saved_ns, const struct efs_fs_info *fs,
		     size_t n)
{
	size_t i, k;

	fprintf(f, "efs-state %d\n", EFS_STATE_VERSION);
	fprintf(f, "# written by efsctl state save; format: efsctl(8), STATE FILE\n");
	fprintf(f, "saved-at %llu.%09llu\n",
		(unsigned long long)(saved_ns / 1000000000ULL),
		(unsigned long long)(saved_ns % 1000000000ULL));
	for (i = 0; i < n; i++) {
		struct efs_fs_config cfg;
		unsigned int j;
		int attr;

		fprintf(f, "fs %s ", fs[i].name);
		put_path(f, fs[i].path);
		efs_fs_info_config(&fs[i], &cfg);
		for (j = 0; (attr = efs_fs_opt_attr(j)) >= 0; j++) {
			char buf[64];

			if (!efs_fs_config_has(&cfg, attr))
				continue;
			/* 0 bytes/s is no rate: not an option value */
			if (attr == EFS_A_FS_PROVISIONED_BPS && !cfg.val[attr])
				continue;
			fprintf(f, " %s=%s", efs_fs_opt_name(attr),
				efs_fs_opt_format(attr, cfg.val[attr], buf,
						  sizeof(buf)));
		}
		for (k = 0; k < N_STATE_KEYS; k++)
			fprintf(f, " %s=%llu", state_keys[k].key,
				(unsigned long long)efs_fs_field(&fs[i],
					state_keys[k].off, state_keys[k].size));
		fprintf(f, " wait-hist=");
		for (k = 0; k < fs[i].wait_hist_n; k++)
			fprintf(f, "%s%llu", k ? "," : "",
				(unsigned long long)fs[i].wait_hist[k]);
		fputc('\n', f);
	}
}

static int parse_hist(const char *v, struct efs_fs_info *fs)
{
	char *end;

	fs->wait_hist_n = 0;
	while (*v) {
		if (fs->wait_hist_n >= EFS_WAIT_HIST_BUCKETS ||
		    *v < '0' || *v > '9')
			return -EINVAL;
		errno = 0;
		fs->wait_hist[fs->wait_hist_n++] = strtoull(v, &end, 10);
		if (errno || (*end && *end != ',') || (*end && !end[1]))
			return -EINVAL;
		v = *end ? end + 1 : end;
	}
	return 0;
}

/* key=value of an fs line; why says what is wrong. */
static int parse_kv(char *kv, struct efs_fs_info *fs, bool *seen,
		    char *why, size_t len)
{
	char *eq = strchr(kv, '='), msg[256];
	const char *key = kv, *val;
	uint64_t v;
	size_t k;
	int attr;

	if (!eq || eq == kv) {
		snprintf(why, len, "'%s': expected key=value", kv);
		return -1;
	}
	*eq = '\0';
	val = eq + 1;
	if (!strcmp(key, "wait-hist")) {
		if (parse_hist(val, fs)) {
			snprintf(why, len, "wait-hist: invalid value '%s'", val);
			return -1;
		}
		return 0;
	}
	for (k = 0; k < N_STATE_KEYS; k++) {
		if (strcmp(key, state_keys[k].key))
			continue;
		if (efs_parse_u64(val, &v)) {
			snprintf(why, len, "%s: invalid value '%s' (expected a number)",
				 key, val);
			return -1;
		}
		attr = state_keys[k].attr;
		goto found;
	}
	switch (efs_fs_opt_parse(key, val, &attr, &v, msg, sizeof(msg))) {
	case 0:
		break;
	case -ENOENT:
		snprintf(why, len, "unknown key '%s'", key);
		return -1;
	default:
		snprintf(why, len, "%s: %s", key, msg);
		return -1;
	}
found:
	if (seen[attr]) {
		snprintf(why, len, "%s: given twice", key);
		return -1;
	}
	seen[attr] = true;
	fs->present[attr] = true;
	switch (attr) {
	case EFS_A_FS_PERFORMANCE_MODE:
		fs->performance_mode = (uint32_t)v;
		return 0;
	case EFS_A_FS_IOPS_LIMIT:
		fs->iops_limit = (uint32_t)v;
		return 0;
	case EFS_A_FS_WRITE_OP_WEIGHT:
		fs->write_op_weight = (uint32_t)v;
		return 0;
	case EFS_A_FS_READ_IOPS_LIMIT:
		fs->read_iops_limit = (uint32_t)v;
		return 0;
	case EFS_A_FS_WRITE_IOPS_LIMIT:
		fs->write_iops_limit = (uint32_t)v;
		return 0;
	case EFS_A_FS_MAX_WAIT_MS:
		fs->max_wait_ms = (uint32_t)v;
		return 0;
	case EFS_A_FS_MAX_WAITERS:
		fs->max_waiters = (uint32_t)v;
		return 0;
	case EFS_A_FS_THROUGHPUT_MODE:
		fs->throughput_mode = (uint32_t)v;
		return 0;
	case EFS_A_FS_PROVISIONED_BPS:
		fs->provisioned_bps = v;
		return 0;
	case EFS_A_FS_METERED_SIZE:
		fs->metered_size = v;
		return 0;
	case EFS_A_FS_READ_METERING_RATIO:
		fs->read_metering_ratio = (uint32_t)v;
		return 0;
	case EFS_A_FS_SIZE_SAMPLE_MS:
		fs->size_sample_ms = (uint32_t)v;
		return 0;
	case EFS_A_FS_CREDIT_LOW_PCT:
		fs->credit_low_pct = (uint32_t)v;
		return 0;
	case EFS_A_FS_PER_CLIENT_BPS:
		fs->per_client_bps = v;
		return 0;
	case EFS_A_FS_PER_CLIENT_IOPS:
		fs->per_client_iops = (uint32_t)v;
		return 0;
	case EFS_A_FS_CLIENT_IDLE_S:
		fs->client_idle_s = (uint32_t)v;
		return 0;
	case EFS_A_FS_AT_REST_POLICY:
		fs->at_rest_policy = (uint32_t)v;
		return 0;
	case EFS_A_FS_TRANSIT_POLICY:
		fs->transit_policy = (uint32_t)v;
		return 0;
	case EFS_A_FS_SCOPE:
		fs->scope = (uint32_t)v;
		return 0;
	case EFS_A_FS_CLUSTER_HEADS:
		fs->cluster_heads = (uint32_t)v;
		return 0;
	}
	for (k = 0; k < N_STATE_KEYS; k++)
		if (state_keys[k].attr == attr)
			store(fs, state_keys[k].off, state_keys[k].size, v);
	return 0;
}

/*
 * "SECONDS.NANOSECONDS" as save_state writes it: two efs_parse_u64()
 * numbers (digits only: sscanf's %llu took a sign and wrapped "-1" to
 * 2^64-1), exactly nine nanosecond digits, a total that fits in u64 ns.
 */
static int parse_saved_at(const char *v, uint64_t *out)
{
	const char *dot = strchr(v, '.');
	char sec_text[24];
	uint64_t sec, ns;
	size_t n;

	if (!dot || strlen(dot + 1) != 9)
		return -1;
	n = (size_t)(dot - v);
	if (n >= sizeof(sec_text))
		return -1;
	memcpy(sec_text, v, n);
	sec_text[n] = '\0';
	if (efs_parse_u64(sec_text, &sec) || efs_parse_u64(dot + 1, &ns) ||
	    sec > UINT64_MAX / 1000000000ULL - 1)
		return -1;
	*out = sec * 1000000000ULL + ns;
	return 0;
}

static int parse_fs(char *line, struct efs_state *s, char *why, size_t len)
{
	char *save = NULL, *name, *path, *kv;
	struct efs_fs_info *fs;
	bool seen[EFS_A_MAX + 1] = { false };
	size_t i;

	strtok_r(line, " ", &save);		/* "fs" */
	name = strtok_r(NULL, " ", &save);
	path = strtok_r(NULL, " ", &save);
	if (!name || !path) {
		snprintf(why, len, "expected: fs NAME PATH key=value ...");
		return -1;
	}
	if (!efs_name_valid(name)) {
		snprintf(why, len, "invalid filesystem name '%s'", name);
		return -1;
	}
	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i].name, name)) {
			snprintf(why, len, "filesystem %s given twice", name);
			return -1;
		}
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct efs_fs_info *v = realloc(s->v, cap * sizeof(*v));

		if (!v) {
			snprintf(why, len, "out of memory");
			return -1;
		}
		s->v = v;
		s->cap = cap;
	}
	fs = &s->v[s->n];
	memset(fs, 0, sizeof(*fs));
	snprintf(fs->name, sizeof(fs->name), "%s", name);
	fs->present[EFS_A_FS_NAME] = fs->present[EFS_A_FS_PATH] = true;
	if (get_path(path, fs->path, sizeof(fs->path))) {
		snprintf(why, len, "invalid path '%s'", path);
		return -1;
	}
	while ((kv = strtok_r(NULL, " ", &save)))
		if (parse_kv(kv, fs, seen, why, len))
			return -1;
	if (!seen[EFS_A_FS_BURST_CREDIT_BALANCE] ||
	    !seen[EFS_A_FS_BURST_CREDIT_MAX] ||
	    !seen[EFS_A_FS_BASELINE_THROUGHPUT]) {
		snprintf(why, len, "%s: needs burst-credit-balance, burst-credit-max and baseline-throughput",
			 name);
		return -1;
	}
	if (fs->burst_credit_balance > fs->burst_credit_max) {
		snprintf(why, len, "%s: burst-credit-balance is above burst-credit-max",
			 name);
		return -1;
	}
	if (fs->throughput_mode == EFS_TP_PROVISIONED && !fs->provisioned_bps) {
		snprintf(why, len, "%s: provisioned throughput mode needs provisioned-throughput-in-mibps",
			 name);
		return -1;
	}
	s->n++;
	return 0;
}

int efs_state_parse(FILE *f, const char *file, struct efs_state *s, char *err,
		    size_t errlen)
{
	char *line = malloc(STATE_LINE_MAX), why[512];
	bool have_version = false, have_time = false;
	int lineno = 0;

	memset(s, 0, sizeof(*s));
	if (!line) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	while (fgets(line, STATE_LINE_MAX, f)) {
		size_t len = strlen(line);

		lineno++;
		if (!len || line[len - 1] != '\n') {
			snprintf(why, sizeof(why), feof(f) ?
				 "truncated (no newline at the end)" :
				 "line too long");
			goto bad;
		}
		line[--len] = '\0';
		if (!have_version) {
			unsigned int v;
			char extra;

			if (sscanf(line, "efs-state %u%c", &v, &extra) != 1) {
				snprintf(why, sizeof(why), "not an efs state file (expected 'efs-state %d')",
					 EFS_STATE_VERSION);
				goto bad;
			}
			if (v != EFS_STATE_VERSION) {
				snprintf(why, sizeof(why), "state format version %u is not known (this efsctl reads %d)",
					 v, EFS_STATE_VERSION);
				goto bad;
			}
			have_version = true;
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		if (!strncmp(line, "saved-at ", 9)) {
			if (have_time ||
			    parse_saved_at(line + 9, &s->saved_ns)) {
				snprintf(why, sizeof(why), "expected one 'saved-at SECONDS.NANOSECONDS'");
				goto bad;
			}
			have_time = true;
			continue;
		}
		if (!strncmp(line, "fs ", 3)) {
			if (!have_time) {
				snprintf(why, sizeof(why), "fs before saved-at");
				goto bad;
			}
			if (parse_fs(line, s, why, sizeof(why)))
				goto bad;
			continue;
		}
		snprintf(why, sizeof(why), "unknown line (expected saved-at or fs)");
		goto bad;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	if (!have_version || !have_time) {
		snprintf(err, errlen, "%s: %s", file, !have_version ?
			 "empty (not an efs state file)" : "no saved-at line");
		goto fail;
	}
	free(line);
	return 0;
bad:
	snprintf(err, errlen, "%s:%d: %s", file, lineno, why);
fail:
	free(line);
	efs_state_free(s);
	return -1;
}

void efs_state_free(struct efs_state *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

uint64_t efs_state_balance(const struct efs_fs_info *fs, uint64_t elapsed_ns)
{
	uint64_t max = fs->burst_credit_max, bal = fs->burst_credit_balance;
	uint64_t rate = fs->baseline_bps, sec = elapsed_ns / 1000000000ULL;
	uint64_t ns = elapsed_ns % 1000000000ULL, add;

	if (bal >= max)
		return max;
	if (rate && sec > (max - bal) / rate)
		return max;
	add = rate * sec + (uint64_t)((unsigned __int128)rate * ns /
				      1000000000ULL);
	return add > max - bal ? max : bal + add;
}
