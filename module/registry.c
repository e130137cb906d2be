// SPDX-License-Identifier: GPL-2.0
/*
 * The store of efs filesystems, keyed by export root (see registry.h);
 * their budgets are rates.c's, their counters stats.c's.
 *
 * Lookups from nfsd threads are lock-free (RCU hash keyed by the export
 * root's dentry) and take a reference, because a request may sleep in the
 * throttle while the filesystem is deleted. Changes are serialised by
 * efs_registry_lock. A filesystem pins its export root (like a bind mount)
 * until it is deleted.
 */
#include <linux/hashtable.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "efs.h"
#include "rates.h"
#include "registry.h"
#include "stats.h"

#define EFS_FS_HASH_BITS	6

DEFINE_MUTEX(efs_registry_lock);
LIST_HEAD(efs_fs_list);
static DEFINE_HASHTABLE(efs_fs_hash, EFS_FS_HASH_BITS);

struct efs_fs *efs_fs_find_locked(const char *name)
{
	struct efs_fs *fs;

	lockdep_assert_held(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node)
		if (!strcmp(fs->name, name))
			return fs;
	return NULL;
}

static struct efs_fs *efs_fs_find_path_locked(const struct path *path)
{
	struct efs_fs *fs;

	list_for_each_entry(fs, &efs_fs_list, node)
		if (path_equal(&fs->path, path))
			return fs;
	return NULL;
}

/*
 * The live filesystem claiming the export rooted at root, or NULL. The
 * caller holds rcu_read_lock(); the result stays valid until it drops it
 * (take a reference to keep it longer).
 */
struct efs_fs *efs_fs_find_export_rcu(const struct path *root)
{
	struct efs_fs *fs;

	hash_for_each_possible_rcu(efs_fs_hash, fs, hnode,
				   (unsigned long)root->dentry)
		if (fs->path.dentry == root->dentry &&
		    fs->path.mnt == root->mnt && refcount_read(&fs->ref))
			return fs;
	return NULL;
}

/* Does fn hold for some live filesystem? The caller holds RCU. */
bool efs_fs_any_rcu(bool (*fn)(struct efs_fs *fs, void *arg), void *arg)
{
	struct efs_fs *fs;
	int bkt;

	hash_for_each_rcu(efs_fs_hash, bkt, fs, hnode)
		if (refcount_read(&fs->ref) && fn(fs, arg))
			return true;
	return false;
}

/* The same, referenced: the caller puts it. */
struct efs_fs *efs_fs_lookup_export(const struct path *root)
{
	struct efs_fs *fs;

	rcu_read_lock();
	fs = efs_fs_find_export_rcu(root);
	if (fs && !refcount_inc_not_zero(&fs->ref))
		fs = NULL;
	rcu_read_unlock();
	return fs;
}

static void efs_fs_free_rcu(struct rcu_head *head)
{
	struct efs_fs *fs = container_of(head, struct efs_fs, rcu);

	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
	free_percpu(fs->ctr);
	kfree(fs->path_name);
	kfree(fs);
}

/*
 * Always called from process context (nfsd threads, netlink, exit). The
 * client table goes at once: no one reaches it without a reference to fs.
 */
void efs_fs_put(struct efs_fs *fs)
{
	if (refcount_dec_and_test(&fs->ref)) {
		efs_client_table_destroy(&fs->clients);
		call_rcu(&fs->rcu, efs_fs_free_rcu);
	}
}

/*
 * Record the directory efs pinned, not the name the caller gave: through a
 * symlink (/proc/self, a moved mount) two callers can give one name for
 * two directories, or two names for one, and `fs show` must say which
 * directory is governed.
 */
static int efs_fs_set_resolved_name(struct efs_fs *fs, const char **why)
{
	char *buf, *p;
	int err = 0;

	buf = kmalloc(EFS_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = d_path(&fs->path, buf, EFS_PATH_MAX);
	if (IS_ERR(p)) {
		err = PTR_ERR(p);
		*why = err == -ENAMETOOLONG ? "resolved path is too long" :
					      "path cannot be named";
	} else {
		fs->path_name = kstrdup(p, GFP_KERNEL);
		if (!fs->path_name)
			err = -ENOMEM;
	}
	kfree(buf);
	return err;
}

/*
 * base (may be NULL) is added to the new filesystem's counters before it
 * is published; *added (if asked) gets a reference to it, taken under the
 * same lock hold that publishes it, so a concurrent del or re-add of the
 * name cannot make the caller describe another filesystem.
 */
int efs_fs_add(const char *name, const char *path_name,
	       const struct efs_config *cfg, const u64 *credit_balance,
	       const struct efs_counters *base, u64 now, struct efs_fs **added,
	       const char **why)
{
	struct efs_fs *fs;
	int err;

	/* A relative path would resolve against the caller's cwd. */
	if (path_name[0] != '/') {
		*why = "path must be absolute";
		return -EINVAL;
	}
	fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return -ENOMEM;
	strscpy(fs->name, name, sizeof(fs->name));
	fs->ctr = alloc_percpu(struct efs_counters);
	err = -ENOMEM;
	if (!fs->ctr)
		goto free;
	err = efs_pcpu_bucket_init(&fs->ops_pcpu, 0, 1, 1, now);
	if (err)
		goto free;
	refcount_set(&fs->ref, 1);
	efs_fq_init(&fs->fq);
	fs->fq.owner = &fs->ref;
	err = efs_client_table_init(&fs->clients);
	if (err)
		goto free_pcpu;

	err = kern_path(path_name, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &fs->path);
	if (err) {
		*why = err == -ENOTDIR ? "path is not a directory" :
					 "path does not exist";
		goto free_clients;
	}
	err = efs_fs_set_resolved_name(fs, why);
	if (err)
		goto put_path;

	/* Buckets start full: a new EFS filesystem has its full credit. */
	efs_fs_rates_init(fs, cfg, credit_balance, now);
	if (base)
		efs_stats_add_base(fs, base);

	mutex_lock(&efs_registry_lock);
	if (efs_fs_find_locked(name)) {
		*why = "a filesystem with this name exists";
		err = -EEXIST;
	} else if (efs_fs_find_path_locked(&fs->path)) {
		*why = "this path is already an efs filesystem";
		err = -EEXIST;
	} else {
		list_add_tail(&fs->node, &efs_fs_list);
		hash_add_rcu(efs_fs_hash, &fs->hnode,
			     (unsigned long)fs->path.dentry);
		if (added) {
			refcount_inc(&fs->ref);
			*added = fs;
		}
		err = 0;
	}
	mutex_unlock(&efs_registry_lock);
	if (err)
		goto put_path;
	return 0;

put_path:
	path_put(&fs->path);
free_clients:
	efs_client_table_destroy(&fs->clients);
free_pcpu:
	efs_pcpu_bucket_destroy(&fs->ops_pcpu);
free:
	free_percpu(fs->ctr);
	kfree(fs->path_name);
	kfree(fs);
	return err;
}

/*
 * Unhash, release sleepers, unpin the export root, drop the list's ref.
 * A lease expiry still to run sees dead and puts its own reference.
 */
int efs_fs_del_locked(struct efs_fs *fs)
{
	lockdep_assert_held(&efs_registry_lock);
	hash_del_rcu(&fs->hnode);
	list_del(&fs->node);
	WRITE_ONCE(fs->dead, true);
	efs_fq_release_all(&fs->fq);
	path_put(&fs->path);
	efs_fs_put(fs);
	return 0;
}

void efs_registry_exit(void)
{
	struct efs_fs *fs, *tmp;

	mutex_lock(&efs_registry_lock);
	list_for_each_entry_safe(fs, tmp, &efs_fs_list, node)
		efs_fs_del_locked(fs);
	mutex_unlock(&efs_registry_lock);
	rcu_barrier();		/* every efs_fs_free_rcu() has run */
}

