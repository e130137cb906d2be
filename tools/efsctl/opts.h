/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Strict argv parser: long options ("--name value" or "--name=value"),
 * a few short ones ("-v", "-c value"), options anywhere among positional
 * arguments, "--" ends options. Anything unknown is an error; nothing is
 * interpreted here beyond splitting, so the command decides what values
 * mean.
 */
#ifndef EFSCTL_OPTS_H
#define EFSCTL_OPTS_H

#include <stdbool.h>

struct opt_def {
	const char *name;	/* long name without "--" */
	char short_name;	/* 0 if none; its value: the next word */
	bool has_value;
	int id;
};

#define OPTS_MAX 64

struct opt_hit {
	const struct opt_def *def;
	const char *value;	/* NULL for flags */
};

struct opts {
	int npos;
	char *pos[OPTS_MAX];
	int nhits;
	struct opt_hit hits[OPTS_MAX];
};

/* Options every command accepts. */
#define OPT_HELP_ID	(-1)

/*
 * Split argv (the words after the command words) per defs (terminated by an
 * entry with name NULL). "--help"/"-h" are always known. On error prints
 * "efsctl: <words>: <problem>" and returns -1.
 */
int opts_parse(const struct opt_def *defs, int argc, char **argv,
	       struct opts *o);

/* True if "--help" or "-h" appears before any "--". */
bool opts_wants_help(int argc, char **argv);

#endif
