/* SPDX-License-Identifier: GPL-2.0 */
/*
 * efs.conf, the declarative configuration (efs.conf(5)): one INI section
 * per filesystem, [NAME], with "path = DIR" and the options of "efsctl fs
 * add" without their "--". Parsed with libinih; values are checked by the
 * same code as the command line's (fs_opts.c), with the same messages.
 *
 * Parsing is pure (no kernel, no filesystem access): efs_conf_check_paths()
 * is the one step that looks at the disk.
 */
#ifndef EFSCTL_CONF_H
#define EFSCTL_CONF_H

#include <stddef.h>
#include <stdio.h>

#include "fsinfo.h"

#define EFS_CONF_DEFAULT	"/etc/efs/efs.conf"
/*
 * libinih (Debian's build) reads a line into INI_MAX_LINE (200) bytes:
 * 198 characters, the newline and the terminating NUL.
 */
#define EFS_CONF_LINE_MAX	198
/* so that "path = DIR", as fs show --format conf prints it, fits a line */
#define EFS_CONF_PATH_MAX	(EFS_CONF_LINE_MAX - (int)sizeof("path = ") + 1)

struct efs_conf_fs {
	char name[EFS_FS_NAME_MAX + 1];
	char path[EFS_PATH_MAX];
	int line;			/* of the [NAME] header */
	int path_line;			/* 0: no path given */
	struct efs_fs_config cfg;	/* the options given */
	int opt_line[EFS_A_MAX + 1];	/* where each was given */
};

struct efs_conf {
	struct efs_conf_fs *v;
	size_t n, cap;
};

/*
 * Parse the text read from f; file names it in messages. Returns 0, or -1
 * with "FILE:LINE: problem" (or "FILE: problem") in err; on -1 c is freed.
 */
int efs_conf_parse(FILE *f, const char *file, struct efs_conf *c, char *err,
		   size_t errlen);
/* The same from a string (tests). */
int efs_conf_parse_string(const char *text, const char *file,
			  struct efs_conf *c, char *err, size_t errlen);
/* Open and parse file; a file that cannot be read is an error too. */
int efs_conf_load(const char *file, struct efs_conf *c, char *err,
		  size_t errlen);
void efs_conf_free(struct efs_conf *c);

/*
 * Resolve every path (realpath) and check it is a directory, and that no
 * two filesystems claim the same directory. Returns 0 or -1 with err.
 */
int efs_conf_check_paths(struct efs_conf *c, const char *file, char *err,
			 size_t errlen);

/*
 * Print filesystems as an efs.conf that efs_conf_parse() reads back to the
 * same configuration (only options that differ from the defaults).
 */
/*
 * Print fs[] as efs.conf. Fails (nothing written, why in err) if a path
 * is longer than efs.conf can hold.
 */
int efs_conf_print(FILE *f, const struct efs_fs_info *fs, size_t n,
		   char *err, size_t errlen);

#endif
