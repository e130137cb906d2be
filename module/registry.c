// SPDX-License-Identifier: GPL-2.0
/*
 * The efs filesystems: export roots with their budgets.
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
#include "credit.h"

#define EFS_FS_HASH_BITS	6

DEFINE_MUTEX(efs_registry_lock);
LIST_HEAD(efs_fs_list);
static DEFINE_HASHTABLE(efs_fs_hash, EFS_FS_HASH_BITS);

/* A bucket lets this much time's worth of budget through at once. */
#define EFS_BURST_WINDOW_DIV	20	/* 1/20 s = 50 ms */
#define EFS_BYTES_BURST_MIN	(256ULL << 10)
/* maxIO: each CPU takes 1 ms of budget from the shared bucket at a time. */
#define EFS_PCPU_BATCH_DIV	1000

void efs_config_defaults(struct efs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->perf_mode = EFS_PERF_GENERAL_PURPOSE;
	cfg->write_weight = EFS_WRITE_WEIGHT_DEFAULT;
	cfg->max_wait_ms = EFS_MAX_WAIT_MS_DEFAULT;
	cfg->tp_mode = EFS_TP_BURSTING;
	cfg->metered_size = EFS_METERED_SIZE_AUTO;
	cfg->read_ratio = EFS_READ_RATIO_DEFAULT;
	cfg->sample_ms = EFS_SAMPLE_MS_DEFAULT;
	cfg->credit_low_pct = EFS_CREDIT_LOW_PCT_DEFAULT;
	cfg->per_client_bps = EFS_PER_CLIENT_BPS_DEFAULT;
	cfg->client_idle_s = EFS_CLIENT_IDLE_S_DEFAULT;
}

/* The per-client byte ceiling in force: EFS's per-client limits. */
u64 efs_per_client_bps(const struct efs_config *cfg)
{
	if (cfg->per_client_bps != EFS_PER_CLIENT_BPS_DEFAULT)
		return cfg->per_client_bps;
	return cfg->tp_mode == EFS_TP_ELASTIC ? EFS_PER_CLIENT_ELASTIC_BPS :
						EFS_PER_CLIENT_BURSTING_BPS;
}

/* Cross-field rules; the netlink policy has already checked each range. */
int efs_config_validate(const struct efs_config *cfg, const char **why)
{
	if (cfg->tp_mode == EFS_TP_PROVISIONED && !cfg->provisioned_bps) {
		*why = "provisioned throughput mode needs --provisioned-throughput-in-mibps (at least 1)";
		return -EINVAL;
	}
	if (cfg->provisioned_bps &&
	    (cfg->provisioned_bps < EFS_PROVISIONED_BPS_MIN ||
	     cfg->provisioned_bps > EFS_PROVISIONED_BPS_MAX)) {
		*why = "provisioned throughput must be between 1 MiB/s and 1 TiB/s";
		return -ERANGE;
	}
	if (cfg->per_client_bps != EFS_PER_CLIENT_BPS_DEFAULT &&
	    cfg->per_client_bps > EFS_PROVISIONED_BPS_MAX) {
		*why = "per-client throughput must be at most 1 TiB/s (0 = none)";
		return -ERANGE;
	}
	if (cfg->transit_policy == EFS_TRANSIT_REQUIRED &&
	    !efs_transit_supported()) {
		*why = "transit-encryption required: this kernel has no server-side RPC-with-TLS (Linux 6.4 or later)";
		return -EOPNOTSUPP;
	}
	if (cfg->metered_size != EFS_METERED_SIZE_AUTO &&
	    cfg->metered_size > EFS_SIZE_MAX) {
		*why = "metered size is larger than 1 EiB";
		return -ERANGE;
	}
	return 0;
}

u32 efs_fs_ops_rate(const struct efs_config *cfg)
{
	if (cfg->iops_limit)
		return cfg->iops_limit;
	return cfg->perf_mode == EFS_PERF_MAX_IO ? EFS_MAXIO_IOPS_DEFAULT :
						   EFS_GP_IOPS_DEFAULT;
}

u64 efs_bytes_burst(u64 rate)
{
	return max(rate / EFS_BURST_WINDOW_DIV, EFS_BYTES_BURST_MIN);
}

u64 efs_ops_burst(const struct efs_config *cfg, u64 rate)
{
	return max3(rate / EFS_BURST_WINDOW_DIV, (u64)cfg->write_weight, 1ULL);
}

u64 efs_fs_credit_balance(struct efs_fs *fs, u64 now)
{
	return efs_bucket_balance(&fs->credit, now);
}

/* Byte budgets follow S and the throughput mode; the balance is kept. */
static void efs_fs_apply_bytes(struct efs_fs *fs, u64 now)
{
	const struct efs_config *cfg = &fs->cfg;
	u64 s = fs->size_bytes;
	u64 baseline = efs_baseline_bps(s);
	u64 peak = 0;

	efs_bucket_set_rate(&fs->credit, baseline, efs_credit_max(s), now);
	switch (cfg->tp_mode) {
	case EFS_TP_BURSTING:
		peak = efs_burst_bps(s);
		break;
	case EFS_TP_PROVISIONED:
		peak = efs_provisioned_permitted_bps(cfg->provisioned_bps, s);
		break;
	default:		/* elastic: metering only */
		break;
	}
	efs_bucket_set_rate(&fs->peak, peak, efs_bytes_burst(peak), now);
	WRITE_ONCE(fs->permitted_bps, peak);
}

void efs_fs_set_size_locked(struct efs_fs *fs, u64 size)
{
	if (size == fs->size_bytes)
		return;
	fs->size_bytes = size;
	efs_fs_apply_bytes(fs, efs_now_ns());
}

/* Make cfg the filesystem's configuration; bucket state is carried over. */
void efs_fs_apply_locked(struct efs_fs *fs, const struct efs_config *cfg,
			 const u64 *credit_balance)
{
	u64 now = efs_now_ns();
	u64 rate = efs_fs_ops_rate(cfg);
	bool size_changed = cfg->metered_size != fs->cfg.metered_size;
	bool perf_changed = cfg->perf_mode != fs->cfg.perf_mode;
	u32 gen;

	fs->cfg = *cfg;		/* hot paths READ_ONCE() single fields */

	efs_bucket_set_rate(&fs->ops, rate, efs_ops_burst(cfg, rate), now);
	efs_pcpu_bucket_set_rate(&fs->ops_pcpu, rate, efs_ops_burst(cfg, rate),
				 rate / EFS_PCPU_BATCH_DIV, now);
	/* The ops budget carries over between the two modes' buckets. */
	if (perf_changed && cfg->perf_mode == EFS_PERF_MAX_IO)
		efs_bucket_set_balance(&fs->ops_pcpu.shared,
				       efs_bucket_balance(&fs->ops, now), now);
	else if (perf_changed)
		efs_bucket_set_balance(&fs->ops,
				       efs_bucket_balance(&fs->ops_pcpu.shared,
							  now), now);
	WRITE_ONCE(fs->ops_rate, rate);

	if (cfg->metered_size != EFS_METERED_SIZE_AUTO)
		fs->size_bytes = cfg->metered_size;
	else if (size_changed)
		fs->size_bytes = efs_fs_sample_size(fs);
	efs_fs_apply_bytes(fs, now);
	if (credit_balance)
		efs_bucket_set_balance(&fs->credit, *credit_balance, now);

	/* Clients pick their new ceilings up at their next request. */
	WRITE_ONCE(fs->per_client_bps, efs_per_client_bps(cfg));
	gen = fs->client_gen + 1;
	WRITE_ONCE(fs->client_gen, gen ? gen : 1);	/* 0: not set up */
}

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
	       const struct efs_counters *base, struct efs_fs **added,
	       const char **why)
{
	struct efs_fs *fs;
	u64 now = efs_now_ns();
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
	efs_bucket_init(&fs->ops, 0, 1, now);
	efs_bucket_init(&fs->credit, 0, 1, now);
	efs_bucket_init(&fs->peak, 0, 1, now);
	fs->cfg = *cfg;
	fs->size_bytes = cfg->metered_size != EFS_METERED_SIZE_AUTO ?
			 cfg->metered_size : efs_fs_sample_size(fs);
	fs->cfg.metered_size = cfg->metered_size;
	efs_fs_apply_locked(fs, cfg, NULL);
	efs_bucket_set_balance(&fs->ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->ops_pcpu.shared, U64_MAX, now);
	efs_bucket_set_balance(&fs->peak, U64_MAX, now);
	efs_bucket_set_balance(&fs->credit, credit_balance ? *credit_balance :
			       U64_MAX, now);
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

/* Unhash, release sleepers, unpin the export root, drop the list's ref. */
int efs_fs_del_locked(struct efs_fs *fs)
{
	lockdep_assert_held(&efs_registry_lock);
	hash_del_rcu(&fs->hnode);
	list_del(&fs->node);
	WRITE_ONCE(fs->dead, true);
	efs_fq_release_all(fs);
	path_put(&fs->path);
	efs_fs_put(fs);
	return 0;
}

int efs_registry_init(void)
{
	return 0;
}

/* Module unload: every waiting request goes (efs_releasing is set). */
void efs_registry_release_waiters(void)
{
	struct efs_fs *fs;

	mutex_lock(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node)
		efs_fq_release_all(fs);
	mutex_unlock(&efs_registry_lock);
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

/*
 * PermittedThroughput as EFS reports it: the burst rate while bursting
 * credits last, then the baseline (credits count as spent when less than
 * a second of baseline is left, as for the CreditsExhausted event); the
 * provisioned rate; 0 for elastic (no byte budget).
 */
u64 efs_fs_permitted_bps(struct efs_fs *fs, u64 now)
{
	u64 baseline = efs_baseline_bps(fs->size_bytes);

	switch (READ_ONCE(fs->cfg.tp_mode)) {
	case EFS_TP_BURSTING:
		if (efs_fs_credit_balance(fs, now) < baseline)
			return baseline;
		return READ_ONCE(fs->permitted_bps);
	case EFS_TP_PROVISIONED:
		return READ_ONCE(fs->permitted_bps);
	default:
		return 0;
	}
}
