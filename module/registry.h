/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The store of efs filesystems (registry.c): a list under a mutex for
 * changes and an RCU hash keyed by export root for the nfsd threads'
 * lookups, the filesystems' lifetimes (a reference count) and their
 * pinned export roots.
 */
#ifndef EFS_REGISTRY_H
#define EFS_REGISTRY_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct path;
struct efs_config;
struct efs_counters;
struct efs_fs;

/* Serialises changes; the list holds every live filesystem, in add order. */
extern struct mutex efs_registry_lock;
extern struct list_head efs_fs_list;

/*
 * Add a filesystem at path, configured by cfg at now, its budgets full
 * but for credit_balance (may be NULL) and its counters starting from
 * base (may be NULL). *added (if asked) gets a reference, the caller's
 * to put. 0, or an error with the reason in *why.
 */
int efs_fs_add(const char *name, const char *path, const struct efs_config *cfg,
	       const u64 *credit_balance, const struct efs_counters *base,
	       u64 now, struct efs_fs **added, const char **why);
/*
 * Unhash fs, mark it dead, release its waiters (fq.h) and unpin its
 * export root; it lives on until its last reference is put (a queued
 * lease expiry holds one: efs_cluster_forget_locked() cancels it).
 */
int efs_fs_del_locked(struct efs_fs *fs);
struct efs_fs *efs_fs_find_locked(const char *name);
/* The live filesystem claiming the export rooted at root: under RCU. */
struct efs_fs *efs_fs_find_export_rcu(const struct path *root);
/* The same, with a reference the caller puts. */
struct efs_fs *efs_fs_lookup_export(const struct path *root);
/* Does fn hold for some live filesystem? The caller holds RCU. */
bool efs_fs_any_rcu(bool (*fn)(struct efs_fs *fs, void *arg), void *arg);
/* May sleep: process context only. */
void efs_fs_put(struct efs_fs *fs);

/* Module exit: every filesystem is deleted, and freed once unused. */
void efs_registry_exit(void);

#endif /* EFS_REGISTRY_H */
