/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The plan of "efsctl apply": from the configuration a file asks for and
 * the filesystems the kernel has, the steps that make the kernel match:
 * del (in the kernel, not in the file, or its path changed), set (options
 * that differ) and add (in the file, not in the kernel). Pure: no I/O but
 * printing, so it is unit-tested with records built in memory.
 */
#ifndef EFSCTL_PLAN_H
#define EFSCTL_PLAN_H

#include <stddef.h>
#include <stdio.h>

#include "conf.h"
#include "fsinfo.h"

enum efs_plan_kind {
	EFS_PLAN_DEL,
	EFS_PLAN_SET,
	EFS_PLAN_ADD,
};

struct efs_plan_step {
	enum efs_plan_kind kind;
	char name[EFS_FS_NAME_MAX + 1];
	char path[EFS_PATH_MAX];
	/*
	 * add: the whole configuration to send (defaults filled in, plus
	 * burst-credit-balance if the file gives one); set: only what
	 * changes; del: nothing.
	 */
	struct efs_fs_config cfg;
	struct efs_fs_config given;	/* add: what the file said */
	struct efs_fs_config old;	/* set: the values before */
};

struct efs_plan {
	struct efs_plan_step *v;
	size_t n, cap;
};

/*
 * Steps, in the order they must run: every del first (so a path can move
 * to another name), then set, then add; by name within each kind. A
 * filesystem whose path changes is deleted and added again (the kernel
 * cannot move one). burst-credit-balance counts only when a filesystem is
 * added: it is a starting balance, not a setting to enforce.
 * Returns 0 or -ENOMEM.
 */
int efs_plan_make(const struct efs_conf *want, const struct efs_fs_info *have,
		  size_t nhave, struct efs_plan *p);
void efs_plan_free(struct efs_plan *p);

/*
 * The plan that takes the kernel from @now back to @before (both as
 * EFS_CMD_FS_GET reported them), for "efsctl apply" to undo a failed
 * apply: every option of a filesystem in @before is wanted as it was, and
 * one added back starts from its burst credit balance then (its counters
 * are the caller's to send). Returns 0 or -ENOMEM.
 */
int efs_plan_restore(const struct efs_fs_info *before, size_t nbefore,
		     const struct efs_fs_info *now, size_t nnow,
		     struct efs_plan *p);

/*
 * One line a step:
 *   add NAME PATH [opt=value ...]
 *   set NAME opt=new (was old) ...
 *   del NAME PATH
 */
void efs_plan_print_step(FILE *f, const struct efs_plan_step *s);

#endif
