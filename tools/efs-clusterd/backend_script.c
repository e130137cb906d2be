// SPDX-License-Identifier: GPL-2.0
/*
 * The script backend: an in-process stand-in for efs.ko (see backend.h).
 *
 * Script (one directive a line, '#' starts a comment):
 *   epoch UNIX_MS            time 0 of the "at" lines (default: start-up)
 *   fs NAME iops=N [perf=gp|maxio] [mode=bursting|provisioned|elastic]
 *           [prov=BPS] [size=BYTES] [weight=N] [ratio=N] [balance=BYTES]
 *           [metered=auto|BYTES]
 *   at MS NAME [ops=N] [bytes=N] [clients=N]   demand from then on
 *   at MS NAME remove | add                   stop / start serving it
 *
 * Record (append, one line per event, wall-clock microseconds):
 *   start T node=ID pid=PID
 *   grant T FS ops= bytes= safe_ops= safe_bytes= expires=T forget=T|never
 *         heads= budget_ops= mismatch=0|1
 *   use T FS demand= inforce= units= held=0|1
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

struct step {
	uint64_t at_ms;
	int kind;		/* 0 demand, 1 remove, 2 add */
	uint64_t ops, bytes;
	uint32_t clients;
};

struct sfs {
	struct ecl_local_fs l;
	struct step *steps;
	size_t nsteps;
	bool valid;		/* the kernel model: told a grant */
	struct ecl_grant g;
	uint64_t last_us;
};

struct script {
	uint64_t epoch_ms;	/* wall clock */
	struct sfs *fs;
	size_t nfs;
	FILE *rec;
	uint32_t nodeid;
	bool strict;
};

uint64_t ecl_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int64_t ecl_realtime_offset_us(void)
{
	struct timespec m, r;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec * 1000000 + r.tv_nsec / 1000) -
	       ((int64_t)m.tv_sec * 1000000 + m.tv_nsec / 1000);
}

static int64_t rt_off;

static uint64_t rt(uint64_t mono)
{
	return mono == ECL_NEVER ? mono : (uint64_t)((int64_t)mono + rt_off);
}

static struct sfs *find(struct script *s, const char *name)
{
	for (size_t i = 0; i < s->nfs; i++)
		if (!strcmp(s->fs[i].l.name, name))
			return &s->fs[i];
	return NULL;
}

static int num(const char *v, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	return errno || end == v || *end || *v == '-' ? -1 : 0;
}

static int parse_fs(struct script *s, char *args, char *err, size_t errlen)
{
	char *name = strtok(args, " \t"), *kv;
	struct sfs *f;

	if (!name || !ecl_fs_name_valid(name, strlen(name))) {
		snprintf(err, errlen, "fs: bad or missing name");
		return -1;
	}
	if (find(s, name)) {
		snprintf(err, errlen, "fs %s: declared twice", name);
		return -1;
	}
	f = realloc(s->fs, (s->nfs + 1) * sizeof(*f));
	if (!f)
		return -1;
	s->fs = f;
	f = &s->fs[s->nfs++];
	memset(f, 0, sizeof(*f));
	strcpy(f->l.name, name);
	f->l.set = (struct ecl_settings){
		.perf_mode = ECL_PERF_GENERAL, .tput_mode = ECL_TPUT_BURSTING,
		.write_weight = 5, .read_ratio = 3,
		.metered_size = ECL_METERED_SIZE_AUTO,
	};
	f->l.size = 1ULL << 30;
	f->l.balance = 21 * (1ULL << 40) / 10;
	while ((kv = strtok(NULL, " \t"))) {
		char *v = strchr(kv, '=');
		uint64_t n = 0;

		if (!v) {
			snprintf(err, errlen, "fs %s: '%s' is not key=value",
				 name, kv);
			return -1;
		}
		*v++ = '\0';
		if (!strcmp(kv, "perf") && !strcmp(v, "gp"))
			f->l.set.perf_mode = ECL_PERF_GENERAL;
		else if (!strcmp(kv, "perf") && !strcmp(v, "maxio"))
			f->l.set.perf_mode = ECL_PERF_MAXIO;
		else if (!strcmp(kv, "mode") && !strcmp(v, "bursting"))
			f->l.set.tput_mode = ECL_TPUT_BURSTING;
		else if (!strcmp(kv, "mode") && !strcmp(v, "provisioned"))
			f->l.set.tput_mode = ECL_TPUT_PROVISIONED;
		else if (!strcmp(kv, "mode") && !strcmp(v, "elastic"))
			f->l.set.tput_mode = ECL_TPUT_ELASTIC;
		else if (!strcmp(kv, "metered") && !strcmp(v, "auto"))
			f->l.set.metered_size = ECL_METERED_SIZE_AUTO;
		else if (num(v, &n)) {
			snprintf(err, errlen, "fs %s: bad %s=%s", name, kv, v);
			return -1;
		} else if (!strcmp(kv, "iops"))
			f->l.set.iops_limit = (uint32_t)n;
		else if (!strcmp(kv, "prov"))
			f->l.set.prov_bps = n;
		else if (!strcmp(kv, "size"))
			f->l.size = n;
		else if (!strcmp(kv, "weight"))
			f->l.set.write_weight = (uint16_t)n;
		else if (!strcmp(kv, "ratio"))
			f->l.set.read_ratio = (uint32_t)n;
		else if (!strcmp(kv, "balance"))
			f->l.balance = n;
		else if (!strcmp(kv, "metered"))
			f->l.set.metered_size = n;
		else {
			snprintf(err, errlen, "fs %s: unknown key '%s'", name,
				 kv);
			return -1;
		}
	}
	if (!ecl_settings_valid(&f->l.set)) {
		snprintf(err, errlen, "fs %s: settings out of range", name);
		return -1;
	}
	return 0;
}

static int parse_at(struct script *s, char *args, char *err, size_t errlen)
{
	char *t = strtok(args, " \t"), *name = strtok(NULL, " \t"), *kv;
	struct step st = { 0 };
	struct sfs *f;
	bool clients_set = false;

	if (!t || num(t, &st.at_ms) || !name) {
		snprintf(err, errlen, "at: expected 'at MS FS ...'");
		return -1;
	}
	f = find(s, name);
	if (!f) {
		snprintf(err, errlen, "at: filesystem %s not declared", name);
		return -1;
	}
	while ((kv = strtok(NULL, " \t"))) {
		char *v = strchr(kv, '=');
		uint64_t n;

		if (!strcmp(kv, "remove") || !strcmp(kv, "add")) {
			st.kind = kv[0] == 'r' ? 1 : 2;
			continue;
		}
		if (!v || (*v++ = '\0', num(v, &n))) {
			snprintf(err, errlen, "at %s %s: bad '%s'", t, name, kv);
			return -1;
		}
		if (!strcmp(kv, "ops"))
			st.ops = n;
		else if (!strcmp(kv, "bytes"))
			st.bytes = n;
		else if (!strcmp(kv, "clients")) {
			st.clients = (uint32_t)n;
			clients_set = true;
		} else {
			snprintf(err, errlen, "at %s %s: unknown key '%s'", t,
				 name, kv);
			return -1;
		}
	}
	if (!clients_set)
		st.clients = st.ops || st.bytes ? 1 : 0;
	if (f->nsteps && f->steps[f->nsteps - 1].at_ms > st.at_ms) {
		snprintf(err, errlen, "at %s %s: times must not go back", t,
			 name);
		return -1;
	}
	struct step *ns = realloc(f->steps, (f->nsteps + 1) * sizeof(*ns));

	if (!ns)
		return -1;
	f->steps = ns;
	f->steps[f->nsteps++] = st;
	return 0;
}

static void script_close(void *priv)
{
	struct script *s = priv;

	if (!s)
		return;
	for (size_t i = 0; i < s->nfs; i++)
		free(s->fs[i].steps);
	free(s->fs);
	if (s->rec)
		fclose(s->rec);
	free(s);
}

static int script_open(void **priv, const char *arg,
		       const struct ecl_conf *conf, uint32_t nodeid, char *err,
		       size_t errlen)
{
	struct script *s = calloc(1, sizeof(*s));
	char line[1024], msg[300];
	FILE *f;
	int lineno = 0;

	if (!s)
		return -ENOMEM;
	rt_off = ecl_realtime_offset_us();
	s->epoch_ms = (uint64_t)((int64_t)ecl_now_us() + rt_off) / 1000;
	s->nodeid = nodeid;
	s->strict = conf->strict;
	f = fopen(arg, "r");
	if (!f) {
		snprintf(err, errlen, "script %s: %s", arg, strerror(errno));
		script_close(s);
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *hash = strchr(line, '#');
		int rc = 0;

		lineno++;
		if (hash)
			*hash = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			continue;
		if (!strncmp(p, "epoch ", 6)) {
			rc = num(p + 6, &s->epoch_ms);
			snprintf(msg, sizeof(msg), "epoch: not a number");
		} else if (!strncmp(p, "fs ", 3)) {
			rc = parse_fs(s, p + 3, msg, sizeof(msg));
		} else if (!strncmp(p, "at ", 3)) {
			rc = parse_at(s, p + 3, msg, sizeof(msg));
		} else {
			rc = -1;
			snprintf(msg, sizeof(msg),
				 "unknown directive (epoch, fs, at)");
		}
		if (rc) {
			snprintf(err, errlen, "script %s:%d: %s", arg, lineno,
				 msg);
			fclose(f);
			script_close(s);
			return -EINVAL;
		}
	}
	fclose(f);
	if (conf->record[0]) {
		s->rec = fopen(conf->record, "a");
		if (!s->rec) {
			snprintf(err, errlen, "record %s: %s", conf->record,
				 strerror(errno));
			script_close(s);
			return -EIO;
		}
		setvbuf(s->rec, NULL, _IOLBF, 0);
		fprintf(s->rec, "start %llu node=%u pid=%d\n",
			(unsigned long long)rt(ecl_now_us()), nodeid,
			(int)getpid());
	}
	*priv = s;
	return 0;
}

/* the script's step in force for fs at now */
static const struct step *step_at(const struct script *s, const struct sfs *f,
				  uint64_t now, bool *present)
{
	uint64_t t_ms = rt(now) / 1000;
	const struct step *cur = NULL;

	*present = true;
	for (size_t i = 0; i < f->nsteps; i++) {
		if (s->epoch_ms + f->steps[i].at_ms > t_ms)
			break;
		if (f->steps[i].kind == 1)
			*present = false;
		else if (f->steps[i].kind == 2)
			*present = true;
		else
			cur = &f->steps[i];
	}
	return cur;
}

static int script_list(void *priv, uint64_t now, struct ecl_local_fs **out)
{
	struct script *s = priv;
	struct ecl_local_fs *l = calloc(s->nfs ? s->nfs : 1, sizeof(*l));
	int n = 0;

	if (!l)
		return -ENOMEM;
	for (size_t i = 0; i < s->nfs; i++) {
		bool present;

		step_at(s, &s->fs[i], now, &present);
		if (!present) {
			s->fs[i].valid = false;	/* gone from the kernel */
			continue;
		}
		l[n++] = s->fs[i].l;
	}
	*out = l;
	return n;
}

/* The kernel's lease model: what it admits now. */
static void in_force(const struct script *s, const struct sfs *f,
		     uint64_t now, uint64_t *ops, uint64_t *bytes)
{
	(void)s;
	if (!f->valid) {
		*ops = *bytes = 0;	/* before the first grant */
		return;
	}
	if (now < f->g.expires_us) {
		*ops = f->g.ops;
		*bytes = f->g.bytes;
	} else if (now < f->g.forget_us) {
		/* as efs.ko: the budget divided by the heads it was told */
		uint32_t heads = f->g.heads ? f->g.heads : 1;

		*ops = ecl_min64(f->g.ops, f->g.budget_ops / heads);
		*bytes = ecl_min64(f->g.bytes, f->g.safe_bytes);
	} else {
		*ops = *bytes = 0;
	}
}

static void script_usage(void *priv, const char *name, uint64_t now,
			 struct ecl_usage *u)
{
	struct script *s = priv;
	struct sfs *f = find(s, name);
	const struct step *st;
	uint64_t ops, bytes, dt, d_ops, d_bytes;
	bool present;

	memset(u, 0, sizeof(*u));
	if (!f)
		return;
	st = step_at(s, f, now, &present);
	in_force(s, f, now, &ops, &bytes);
	dt = f->last_us && now > f->last_us ? now - f->last_us : 0;
	f->last_us = now;
	d_ops = st ? st->ops : 0;
	d_bytes = st ? st->bytes : 0;
	u->units = (uint32_t)ecl_muldiv(ecl_min64(d_ops, ops), dt, 1000000);
	u->bytes = ecl_muldiv(ecl_min64(d_bytes, bytes), dt, 1000000);
	u->flags = (d_ops > ops ? ECL_USE_HELD_OPS : 0) |
		   (d_bytes > bytes ? ECL_USE_HELD_BYTES : 0);
	u->clients = st ? (uint16_t)ecl_min64(st->clients, UINT16_MAX) : 0;
	u->size = f->l.size;
	if (s->rec)
		fprintf(s->rec, "use %llu %s demand=%llu inforce=%llu units=%u held=%d\n",
			(unsigned long long)rt(now), name,
			(unsigned long long)d_ops, (unsigned long long)ops,
			u->units, !!(u->flags & ECL_USE_HELD_OPS));
}

static void script_grant(void *priv, const char *name,
			 const struct ecl_grant *g, uint64_t now)
{
	struct script *s = priv;
	struct sfs *f = find(s, name);
	char forget[32];

	if (!f)
		return;
	f->valid = true;
	f->g = *g;
	if (!s->rec)
		return;
	if (g->forget_us == ECL_NEVER)
		strcpy(forget, "never");
	else
		snprintf(forget, sizeof(forget), "%llu",
			 (unsigned long long)rt(g->forget_us));
	fprintf(s->rec,
		"grant %llu %s ops=%llu bytes=%llu safe_ops=%llu safe_bytes=%llu expires=%llu forget=%s heads=%u budget_ops=%llu mismatch=%u\n",
		(unsigned long long)rt(now), name, (unsigned long long)g->ops,
		(unsigned long long)g->bytes, (unsigned long long)g->safe_ops,
		(unsigned long long)g->safe_bytes,
		(unsigned long long)rt(g->expires_us), forget, g->heads,
		(unsigned long long)g->budget_ops, g->mismatch);
}

static void script_holds(void *priv, const char *name, uint64_t now,
			 uint64_t *ops, uint64_t *bytes)
{
	struct script *s = priv;
	struct sfs *f = find(s, name);

	*ops = *bytes = 0;
	if (f)
		in_force(s, f, now, ops, bytes);
}

const struct ecl_backend_ops ecl_backend_script = {
	.name = "script",
	.open = script_open,
	.list = script_list,
	.usage = script_usage,
	.grant = script_grant,
	.holds = script_holds,
	.close = script_close,
};
