// SPDX-License-Identifier: GPL-2.0
/*
 * Strict long-option parser (see opts.h).
 */
#include <string.h>

#include "efsctl.h"
#include "opts.h"

static const struct opt_def help_def = { "help", 'h', false, OPT_HELP_ID };

static const struct opt_def *find_long(const struct opt_def *defs,
				       const char *name, size_t len)
{
	const struct opt_def *d;

	if (len == strlen(help_def.name) && !strncmp(name, help_def.name, len))
		return &help_def;
	for (d = defs; d && d->name; d++)
		if (strlen(d->name) == len && !strncmp(d->name, name, len))
			return d;
	return NULL;
}

static const struct opt_def *find_short(const struct opt_def *defs, char c)
{
	const struct opt_def *d;

	if (c == help_def.short_name)
		return &help_def;
	for (d = defs; d && d->name; d++)
		if (d->short_name && d->short_name == c)
			return d;
	return NULL;
}

bool opts_wants_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

static int add_hit(struct opts *o, const struct opt_def *d, const char *v)
{
	int i;

	for (i = 0; i < o->nhits; i++) {
		if (o->hits[i].def == d) {
			efs_err("option '--%s' given more than once", d->name);
			return -1;
		}
	}
	if (o->nhits >= OPTS_MAX) {
		efs_err("too many options");
		return -1;
	}
	o->hits[o->nhits].def = d;
	o->hits[o->nhits].value = v;
	o->nhits++;
	return 0;
}

static int add_pos(struct opts *o, char *arg)
{
	if (o->npos >= OPTS_MAX) {
		efs_err("too many arguments");
		return -1;
	}
	o->pos[o->npos++] = arg;
	return 0;
}

int opts_parse(const struct opt_def *defs, int argc, char **argv,
	       struct opts *o)
{
	bool only_pos = false;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		char *arg = argv[i];
		const struct opt_def *d;
		const char *value = NULL;

		if (only_pos || arg[0] != '-' || !arg[1]) {
			if (add_pos(o, arg))
				return -1;
			continue;
		}
		if (!strcmp(arg, "--")) {
			only_pos = true;
			continue;
		}
		if (arg[1] != '-') {
			/* exactly one letter; a value is the next word */
			d = arg[2] ? NULL : find_short(defs, arg[1]);
			if (!d) {
				efs_err("unknown option '%s'", arg);
				return -1;
			}
			if (d->has_value) {
				if (i + 1 >= argc) {
					efs_err("option '%s' needs a value",
						arg);
					return -1;
				}
				value = argv[++i];
			}
		} else {
			const char *name = arg + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);

			d = find_long(defs, name, len);
			if (!d) {
				efs_err("unknown option '--%.*s'", (int)len,
					name);
				return -1;
			}
			if (eq && !d->has_value) {
				efs_err("option '--%s' takes no value",
					d->name);
				return -1;
			}
			if (eq) {
				value = eq + 1;
			} else if (d->has_value) {
				if (i + 1 >= argc) {
					efs_err("option '--%s' needs a value",
						d->name);
					return -1;
				}
				value = argv[++i];
			}
		}
		if (add_hit(o, d, value))
			return -1;
	}
	return 0;
}
