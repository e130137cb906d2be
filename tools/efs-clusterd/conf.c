// SPDX-License-Identifier: GPL-2.0
/* cluster.conf (see conf.h and cluster.conf.5). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "conf.h"

void ecl_conf_defaults(struct ecl_conf *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->name, "efs");
	c->tick_ms = 200;
	c->lease_ms = 4000;
	c->forget_ms = 12000;
	c->detect_ms = -1;
	c->strict = true;
	c->min_share_pct = 10;
	c->headroom_pct = 25;
	strcpy(c->backend, "netlink");
	strcpy(c->status, ECL_STATUS_DEFAULT);
}

void ecl_conf_set_status(struct ecl_conf *c, const char *v)
{
	if (!strcmp(v, "none"))
		v = "";
	snprintf(c->status, sizeof(c->status), "%s", v);
}

int ecl_parse_duration_ms(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	errno = 0;
	if (!*s || isspace((unsigned char)*s) || *s == '-' || *s == '+')
		return -EINVAL;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	if (!*end || !strcmp(end, "ms"))
		;
	else if (!strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m") || !strcmp(end, "min"))
		v *= 60000;
	else
		return -EINVAL;
	if (v > 86400000.0 * 7 || v != v)
		return -ERANGE;
	*ms = (uint64_t)(v + 0.5);
	return 0;
}

struct parse {
	struct ecl_conf *c;
	const char *path;
	char *err;
	size_t errlen;
	bool failed;
};

static int fail(struct parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return 0;	/* inih reports the first error's line */
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	p->failed = true;
	return 0;
}

static int duration(struct parse *p, const char *key, const char *v,
		    uint64_t lo, uint64_t hi, uint32_t *out)
{
	uint64_t ms;

	if (ecl_parse_duration_ms(v, &ms))
		return fail(p, "%s: '%s' is not a duration (e.g. 200ms, 4s)",
			    key, v);
	if (ms < lo || ms > hi)
		return fail(p, "%s: '%s' out of range %llums..%llums", key, v,
			    (unsigned long long)lo, (unsigned long long)hi);
	*out = (uint32_t)ms;
	return 1;
}

static int percent(struct parse *p, const char *key, const char *v,
		   uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || (*end && strcmp(end, "%")) || *v == '-')
		return fail(p, "%s: '%s' is not a percentage", key, v);
	if (n > hi)
		return fail(p, "%s: '%s' out of range 0..%u%%", key, v, hi);
	*out = (uint32_t)n;
	return 1;
}

static int copy(struct parse *p, const char *key, const char *v, char *dst,
		size_t len)
{
	if (strlen(v) >= len)
		return fail(p, "%s: value longer than %zu characters", key,
			    len - 1);
	strcpy(dst, v);
	return 1;
}

static int handler(void *user, const char *section, const char *key,
		   const char *v)
{
	struct parse *p = user;
	struct ecl_conf *c = p->c;

	if (!key)
		return strcmp(section, "cluster") && strcmp(section, "daemon") ?
		       fail(p, "unknown section [%s] (known: [cluster], [daemon])",
			    section) : 1;
	if (!strcmp(section, "cluster")) {
		if (!strcmp(key, "name")) {
			for (const char *s = v; *s; s++)
				if (!isalnum((unsigned char)*s) && *s != '-' &&
				    *s != '_' && *s != '.')
					return fail(p, "name: '%s': use letters, digits, '.', '_' or '-'", v);
			if (!*v || strlen(v) > 60)
				return fail(p, "name: 1 to 60 characters");
			strcpy(c->name, v);
			return 1;
		}
		if (!strcmp(key, "tick"))
			return duration(p, key, v, 50, 5000, &c->tick_ms);
		if (!strcmp(key, "lease"))
			return duration(p, key, v, 200, 600000, &c->lease_ms);
		if (!strcmp(key, "forget"))
			return duration(p, key, v, 200, 86400000,
					&c->forget_ms);
		if (!strcmp(key, "detection")) {
			uint32_t ms;

			if (!strcmp(v, "auto")) {
				c->detect_ms = -1;
				return 1;
			}
			if (!duration(p, key, v, 0, 600000, &ms))
				return 0;
			c->detect_ms = ms;
			return 1;
		}
		if (!strcmp(key, "on-partition")) {
			if (!strcmp(v, "strict"))
				c->strict = true;
			else if (!strcmp(v, "available"))
				c->strict = false;
			else
				return fail(p, "on-partition: '%s': strict or available", v);
			return 1;
		}
		if (!strcmp(key, "min-share"))
			return percent(p, key, v, 50, &c->min_share_pct);
		if (!strcmp(key, "headroom"))
			return percent(p, key, v, 400, &c->headroom_pct);
		return fail(p, "unknown key '%s' in [cluster] (known: name, tick, lease, forget, detection, on-partition, min-share, headroom)", key);
	}
	if (!strcmp(section, "daemon")) {
		if (!strcmp(key, "node-name"))
			return copy(p, key, v, c->node_name,
				    sizeof(c->node_name));
		if (!strcmp(key, "backend")) {
			if (strcmp(v, "netlink") && strncmp(v, "script:", 7))
				return fail(p, "backend: '%s': netlink or script:FILE", v);
			if (!strncmp(v, "script:", 7) && !v[7])
				return fail(p, "backend: script: needs a file");
			return copy(p, key, v, c->backend, sizeof(c->backend));
		}
		if (!strcmp(key, "record"))
			return copy(p, key, v, c->record, sizeof(c->record));
		if (!strcmp(key, "status-file")) {
			if (strlen(v) >= sizeof(c->status))
				return fail(p, "%s: value longer than %zu characters",
					    key, sizeof(c->status) - 1);
			ecl_conf_set_status(c, v);
			return 1;
		}
		return fail(p, "unknown key '%s' in [daemon] (known: node-name, backend, record, status-file)", key);
	}
	if (!*section)
		return fail(p, "key '%s' outside a section ([cluster] or [daemon])", key);
	return fail(p, "unknown section [%s] (known: [cluster], [daemon])", section);
}

int ecl_conf_load(const char *path, struct ecl_conf *c, bool missing_ok,
		  char *err, size_t errlen)
{
	struct parse p = { .c = c, .path = path, .err = err, .errlen = errlen };
	char msg[512] = "";
	FILE *f;
	int line;

	f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	p.err = msg;
	p.errlen = sizeof(msg);
	line = ini_parse_file(f, handler, &p);
	fclose(f);
	if (line) {
		snprintf(err, errlen, "%s:%d: %s", path, line,
			 p.failed ? msg : "syntax error (expected [section] or key = value)");
		return -1;
	}
	if (c->lease_ms < 4 * c->tick_ms) {
		snprintf(err, errlen,
			 "%s: lease (%ums) must be at least 4 ticks (%ums): grants are renewed every tick",
			 path, c->lease_ms, 4 * c->tick_ms);
		return -1;
	}
	if (c->forget_ms < c->lease_ms) {
		snprintf(err, errlen,
			 "%s: forget (%ums) must not be shorter than lease (%ums)",
			 path, c->forget_ms, c->lease_ms);
		return -1;
	}
	if (c->detect_ms >= 0 && c->lease_ms < c->detect_ms + 2 * c->tick_ms) {
		snprintf(err, errlen,
			 "%s: lease (%ums) must exceed detection (%lldms) by two ticks: grants are not renewed while corosync detects a failure",
			 path, c->lease_ms, (long long)c->detect_ms);
		return -1;
	}
	return 0;
}
