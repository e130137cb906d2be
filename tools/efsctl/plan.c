// SPDX-License-Identifier: GPL-2.0
/*
 * The plan of "efsctl apply" (see plan.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fs_opts.h"
#include "plan.h"

static struct efs_plan_step *push(struct efs_plan *p, enum efs_plan_kind k,
				  const char *name, const char *path)
{
	struct efs_plan_step *s;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		struct efs_plan_step *v = realloc(p->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		p->v = v;
		p->cap = cap;
	}
	s = &p->v[p->n++];
	memset(s, 0, sizeof(*s));
	s->kind = k;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->path, sizeof(s->path), "%s", path);
	return s;
}

/* The configuration a section asks for: the defaults, overlaid. */
static void wanted(const struct efs_conf_fs *w, struct efs_fs_config *cfg)
{
	unsigned int a;

	efs_fs_config_defaults(cfg);
	for (a = 0; a <= EFS_A_MAX; a++)
		if (efs_fs_config_has(&w->cfg, (int)a))
			efs_fs_config_set(cfg, (int)a, w->cfg.val[a]);
}

static const struct efs_conf_fs *find_want(const struct efs_conf *c,
					   const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	return NULL;
}

static int by_kind_name(const void *a, const void *b)
{
	const struct efs_plan_step *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->name, y->name);
}

static int add_step(struct efs_plan *p, const struct efs_conf_fs *w)
{
	struct efs_plan_step *s = push(p, EFS_PLAN_ADD, w->name, w->path);

	if (!s)
		return -ENOMEM;
	wanted(w, &s->cfg);
	s->given = w->cfg;
	/* no rate is not a rate: leave provisioned bytes/s out unless set */
	if (!efs_fs_config_has(&w->cfg, EFS_A_FS_PROVISIONED_BPS))
		efs_fs_config_unset(&s->cfg, EFS_A_FS_PROVISIONED_BPS);
	/* a module before cluster scope knows neither: send them if asked */
	if (!efs_fs_config_has(&w->cfg, EFS_A_FS_SCOPE))
		efs_fs_config_unset(&s->cfg, EFS_A_FS_SCOPE);
	if (!efs_fs_config_has(&w->cfg, EFS_A_FS_CLUSTER_HEADS))
		efs_fs_config_unset(&s->cfg, EFS_A_FS_CLUSTER_HEADS);
	/* nor the read and write IOPS limits (their 0 is the default) */
	if (!efs_fs_config_has(&w->cfg, EFS_A_FS_READ_IOPS_LIMIT))
		efs_fs_config_unset(&s->cfg, EFS_A_FS_READ_IOPS_LIMIT);
	if (!efs_fs_config_has(&w->cfg, EFS_A_FS_WRITE_IOPS_LIMIT))
		efs_fs_config_unset(&s->cfg, EFS_A_FS_WRITE_IOPS_LIMIT);
	return 0;
}

/*
 * An attribute the module does not report (it predates it) is at its
 * default as far as it is concerned: no change, unless efs.conf asks for
 * something else.
 */
static bool unreported_default(const struct efs_fs_config *cur,
			       const struct efs_fs_config *desired, int a)
{
	struct efs_fs_config def;

	if (efs_fs_config_has(cur, a))
		return false;
	efs_fs_config_defaults(&def);
	return (a == EFS_A_FS_SCOPE || a == EFS_A_FS_CLUSTER_HEADS ||
		a == EFS_A_FS_READ_IOPS_LIMIT ||
		a == EFS_A_FS_WRITE_IOPS_LIMIT) &&
	       efs_fs_config_has(&def, a) && def.val[a] == desired->val[a];
}

int efs_plan_make(const struct efs_conf *want, const struct efs_fs_info *have,
		  size_t nhave, struct efs_plan *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < nhave; i++) {
		const struct efs_conf_fs *w = find_want(want, have[i].name);

		if (w && !strcmp(w->path, have[i].path))
			continue;
		if (!push(p, EFS_PLAN_DEL, have[i].name, have[i].path))
			goto nomem;
	}
	for (i = 0; i < want->n; i++) {
		const struct efs_conf_fs *w = &want->v[i];
		const struct efs_fs_info *h = efs_fs_info_find(have, nhave, w->name);
		struct efs_fs_config desired, cur;
		struct efs_plan_step *s;
		unsigned int a;

		if (!h || strcmp(h->path, w->path)) {
			if (add_step(p, w))
				goto nomem;
			continue;
		}
		wanted(w, &desired);
		efs_fs_info_config(h, &cur);
		s = NULL;
		for (a = 0; a <= EFS_A_MAX; a++) {
			if (a == EFS_A_FS_BURST_CREDIT_BALANCE ||
			    !efs_fs_config_has(&desired, (int)a))
				continue;
			if (efs_fs_config_has(&cur, (int)a) &&
			    cur.val[a] == desired.val[a])
				continue;
			if (unreported_default(&cur, &desired, (int)a))
				continue;
			if (!s && !(s = push(p, EFS_PLAN_SET, w->name, w->path)))
				goto nomem;
			efs_fs_config_set(&s->cfg, (int)a, desired.val[a]);
			efs_fs_config_set(&s->old, (int)a, cur.val[a]);
		}
	}
	if (p->n)
		qsort(p->v, p->n, sizeof(p->v[0]), by_kind_name);
	return 0;
nomem:
	efs_plan_free(p);
	return -ENOMEM;
}

int efs_plan_restore(const struct efs_fs_info *before, size_t nbefore,
		     const struct efs_fs_info *now, size_t nnow,
		     struct efs_plan *p)
{
	struct efs_fs_config defaults;
	struct efs_conf want = { 0 };
	unsigned int a;
	size_t i;
	int rc;

	efs_fs_config_defaults(&defaults);

	want.v = calloc(nbefore ? nbefore : 1, sizeof(*want.v));
	if (!want.v)
		return -ENOMEM;
	want.n = want.cap = nbefore;
	for (i = 0; i < nbefore; i++) {
		struct efs_conf_fs *w = &want.v[i];

		snprintf(w->name, sizeof(w->name), "%s", before[i].name);
		snprintf(w->path, sizeof(w->path), "%s", before[i].path);
		efs_fs_info_config(&before[i], &w->cfg);
		/* no rate is not a rate (as add_step) */
		if (!w->cfg.val[EFS_A_FS_PROVISIONED_BPS])
			efs_fs_config_unset(&w->cfg, EFS_A_FS_PROVISIONED_BPS);
	}
	rc = efs_plan_make(&want, now, nnow, p);
	for (i = 0; !rc && i < p->n; i++) {
		struct efs_plan_step *s = &p->v[i];
		const struct efs_fs_info *b;

		if (s->kind != EFS_PLAN_ADD)
			continue;
		/* printed: the options that are not the defaults */
		for (a = 0; a <= EFS_A_MAX; a++)
			if (efs_fs_config_has(&defaults, (int)a) &&
			    defaults.val[a] == s->given.val[a])
				efs_fs_config_unset(&s->given, (int)a);
		b = efs_fs_info_find(before, nbefore, s->name);
		if (b && b->present[EFS_A_FS_BURST_CREDIT_BALANCE])
			efs_fs_config_set(&s->cfg, EFS_A_FS_BURST_CREDIT_BALANCE,
					  b->burst_credit_balance);
	}
	free(want.v);
	return rc;
}

void efs_plan_free(struct efs_plan *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

static void print_opt(FILE *f, const struct efs_fs_config *cfg, int attr)
{
	char buf[64];
	const char *name = efs_fs_opt_name(attr);

	fprintf(f, " %s=%s", name ? name : "?",
		efs_fs_opt_format(attr, cfg->val[attr], buf, sizeof(buf)));
}

void efs_plan_print_step(FILE *f, const struct efs_plan_step *s)
{
	unsigned int k;
	int attr;

	switch (s->kind) {
	case EFS_PLAN_DEL:
		fprintf(f, "del %s %s\n", s->name, s->path);
		return;
	case EFS_PLAN_ADD:
		fprintf(f, "add %s %s", s->name, s->path);
		for (k = 0; (attr = efs_fs_opt_attr(k)) >= 0; k++)
			if (efs_fs_config_has(&s->given, attr))
				print_opt(f, &s->given, attr);
		fputc('\n', f);
		return;
	case EFS_PLAN_SET:
		fprintf(f, "set %s", s->name);
		for (k = 0; (attr = efs_fs_opt_attr(k)) >= 0; k++) {
			char buf[64];

			if (!efs_fs_config_has(&s->cfg, attr))
				continue;
			print_opt(f, &s->cfg, attr);
			fprintf(f, " (was %s)",
				efs_fs_opt_format(attr, s->old.val[attr], buf,
						  sizeof(buf)));
		}
		fputc('\n', f);
		return;
	}
}
