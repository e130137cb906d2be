/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The knfsd hooks (hooks.c): sleepable ftrace wrappers around nfsd's
 * functions, following nfsd as it loads and unloads.
 */
#ifndef EFS_HOOKS_H
#define EFS_HOOKS_H

#include <linux/types.h>

int efs_hooks_init(void);
/* After it returns no nfsd thread is in, or can enter, efs code. */
void efs_hooks_exit(void);
/* Is knfsd hooked now? */
bool efs_hooks_active(void);

#endif /* EFS_HOOKS_H */
