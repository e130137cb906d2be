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
#include <linux/math64.h>
#include <linux/namei.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include "efs.h"
#include "family.h"
#include "credit.h"

#define EFS_FS_HASH_BITS	6

DEFINE_MUTEX(efs_registry_lock);
LIST_HEAD(efs_fs_list);
static DEFINE_HASHTABLE(efs_fs_hash, EFS_FS_HASH_BITS);
/* Lease expiries of cluster filesystems (efs_lease_work). */
static struct workqueue_struct *efs_lease_wq;
static bool efs_lease_stopped;	/* module exit: no more expiry work */

/* maxIO: each CPU takes 1 ms of budget from the shared bucket at a time. */
#define EFS_PCPU_BATCH_DIV	1000

static bool efs_fs_cluster(const struct efs_fs *fs)
{
	return READ_ONCE(fs->cfg.scope) == EFS_SCOPE_CLUSTER;
}

/* A cluster filesystem's credits are the cluster's: the last one known. */
u64 efs_fs_credit_balance(struct efs_fs *fs, u64 now)
{
	if (efs_fs_cluster(fs))
		return READ_ONCE(fs->cluster_credit);
	return efs_bucket_balance(&fs->credit, now);
}

/*
 * Byte budgets follow S and the throughput mode; the balance is kept.
 * A cluster filesystem's credit bucket is unlimited (rate 0): the cluster
 * keeps one credit balance for every head, decides whether the filesystem
 * bursts, and grants each head its part of the permitted throughput,
 * which the peak bucket enforces (efs_lease_bps(): the grant while the
 * lease holds, else a safe share of the baseline, or of the provisioned
 * rate). charge.c charges both buckets as before.
 */
static void efs_fs_apply_bytes(struct efs_fs *fs, u64 now)
{
	const struct efs_config *cfg = &fs->cfg;
	u64 s = fs->size_bytes;
	u64 baseline = efs_baseline_bps(s);
	u64 peak = 0, safe = 0;

	efs_bucket_set_rate(&fs->credit,
			    cfg->scope == EFS_SCOPE_CLUSTER ? 0 : baseline,
			    efs_credit_max(s), now);
	switch (cfg->tp_mode) {
	case EFS_TP_BURSTING:
		peak = efs_burst_bps(s);
		safe = baseline;
		break;
	case EFS_TP_PROVISIONED:
		peak = efs_provisioned_permitted_bps(cfg->provisioned_bps, s);
		safe = peak;
		break;
	default:		/* elastic: metering only */
		break;
	}
	if (cfg->scope == EFS_SCOPE_CLUSTER)
		peak = efs_lease_bps(&fs->lease, safe, peak, now);
	efs_bucket_set_rate(&fs->peak, peak, efs_bytes_burst(peak), now);
	WRITE_ONCE(fs->permitted_bps, peak);
}

/* A cluster head's part of a read or write budget: its grant's share. */
static u64 efs_fs_rw_share(u64 rw, u64 granted, u64 budget)
{
	if (!rw || !budget || granted >= budget)
		return rw;
	return max(mul_u64_u64_div_u64(rw, granted, budget), 1ULL);
}

/*
 * The ops budgets in force. A cluster filesystem's combined budget
 * follows its lease, and its read and write budgets are cut in the same
 * proportion, so the heads together stay within each.
 */
static void efs_fs_apply_ops(struct efs_fs *fs, u64 now)
{
	const struct efs_config *cfg = &fs->cfg;
	u64 budget = efs_config_ops_rate(cfg), rate = budget;
	u64 rd = efs_config_read_iops(cfg), wr = efs_config_write_iops(cfg);

	if (cfg->scope == EFS_SCOPE_CLUSTER && budget) {
		rate = efs_lease_ops_rate(&fs->lease, budget, now);
		rd = efs_fs_rw_share(rd, rate, budget);
		wr = efs_fs_rw_share(wr, rate, budget);
	}
	efs_bucket_set_rate(&fs->ops, rate, efs_ops_burst(cfg, rate), now);
	efs_pcpu_bucket_set_rate(&fs->ops_pcpu, rate, efs_ops_burst(cfg, rate),
				 rate / EFS_PCPU_BATCH_DIV, now);
	WRITE_ONCE(fs->ops_rate, rate);
	efs_bucket_set_rate(&fs->read_ops, rd, efs_rw_burst(rd), now);
	WRITE_ONCE(fs->read_rate, rd);
	efs_bucket_set_rate(&fs->write_ops, wr, efs_rw_burst(wr), now);
	WRITE_ONCE(fs->write_rate, wr);
}

/*
 * The scope changes: a new cluster filesystem starts at the safe share
 * (no grant yet) with the balance it had; a filesystem going back to
 * local keeps its grant no longer, and takes the cluster's last balance.
 */
static void efs_fs_scope_change(struct efs_fs *fs, const struct efs_config *cfg,
				u64 now)
{
	u64 balance;

	if (cfg->scope == fs->cfg.scope) {
		/* The hint counts until a grant tells the membership. */
		if (!fs->lease.expires_ns)
			fs->lease.heads = cfg->cluster_heads;
		return;
	}
	efs_lease_init(&fs->lease, cfg->cluster_heads);
	if (cfg->scope == EFS_SCOPE_CLUSTER) {
		WRITE_ONCE(fs->cluster_credit,
			   efs_bucket_balance(&fs->credit, now));
	} else {
		balance = READ_ONCE(fs->cluster_credit);
		/* Unlimited until now: back to its rate, then the balance. */
		efs_bucket_set_rate(&fs->credit, efs_baseline_bps(fs->size_bytes),
				    efs_credit_max(fs->size_bytes), now);
		efs_bucket_set_balance(&fs->credit, balance, now);
	}
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
	bool size_changed = cfg->metered_size != fs->cfg.metered_size;
	bool perf_changed = cfg->perf_mode != fs->cfg.perf_mode;
	u64 bps;

	efs_fs_scope_change(fs, cfg, now);
	fs->cfg = *cfg;		/* hot paths READ_ONCE() single fields */

	efs_fs_apply_ops(fs, now);
	/* The ops budget carries over between the two modes' buckets. */
	if (perf_changed && cfg->perf_mode == EFS_PERF_MAX_IO)
		efs_bucket_set_balance(&fs->ops_pcpu.shared,
				       efs_bucket_balance(&fs->ops, now), now);
	else if (perf_changed)
		efs_bucket_set_balance(&fs->ops,
				       efs_bucket_balance(&fs->ops_pcpu.shared,
							  now), now);

	if (cfg->metered_size != EFS_METERED_SIZE_AUTO)
		fs->size_bytes = cfg->metered_size;
	else if (size_changed)
		fs->size_bytes = efs_fs_sample_size(fs);
	efs_fs_apply_bytes(fs, now);
	if (credit_balance && cfg->scope == EFS_SCOPE_CLUSTER)
		WRITE_ONCE(fs->cluster_credit,
			   min(*credit_balance, efs_credit_max(fs->size_bytes)));
	else if (credit_balance)
		efs_bucket_set_balance(&fs->credit, *credit_balance, now);

	/* Clients pick their new ceilings up at their next request. */
	bps = efs_config_client_bps(cfg);
	efs_clients_set_ceilings(&fs->clients, cfg->per_client_iops,
				 efs_ops_burst(cfg, cfg->per_client_iops),
				 bps, efs_bytes_burst(bps));
}

/*
 * The lease's expiry: efs.ko falls to the safe share by itself when no
 * renewal came (the daemon crashed, hung or was killed). A queued work
 * holds a reference to fs; a work that runs early (jiffies against
 * efs_now_ns()) or after a renewal re-arms for what is left.
 */
static void efs_fs_lease_arm(struct efs_fs *fs, u32 ms)
{
	lockdep_assert_held(&efs_registry_lock);
	if (!efs_lease_wq || efs_lease_stopped)
		return;
	if (!mod_delayed_work(efs_lease_wq, &fs->lease_work,
			      msecs_to_jiffies(ms) + 1))
		refcount_inc(&fs->ref);
}

/* Arm the work for the lease's next stage, if it has one. */
static void efs_fs_lease_arm_next(struct efs_fs *fs, u64 now)
{
	u64 next = efs_lease_next_ns(&fs->lease, now);

	if (next)
		efs_fs_lease_arm(fs, (u32)div_u64(next - now + NSEC_PER_MSEC - 1,
						  NSEC_PER_MSEC));
}

static void efs_lease_work(struct work_struct *work)
{
	struct efs_fs *fs = container_of(to_delayed_work(work), struct efs_fs,
					 lease_work);
	char name[EFS_FS_NAME_MAX + 1];
	u32 event = 0;
	u64 now, rate = 0;
	u8 stage;

	mutex_lock(&efs_registry_lock);
	now = efs_now_ns();
	if (!READ_ONCE(fs->dead) && efs_fs_cluster(fs)) {
		stage = efs_lease_advance(&fs->lease, now);
		if (stage == EFS_GRANT_STATE_SAFE ||
		    stage == EFS_GRANT_STATE_ZERO) {
			efs_fs_apply_ops(fs, now);
			efs_fs_apply_bytes(fs, now);
			rate = fs->ops_rate;
			strscpy(name, fs->name, sizeof(name));
			event = stage == EFS_GRANT_STATE_SAFE ?
				EFS_EVENT_LEASE_EXPIRED :
				EFS_EVENT_LEASE_FORGOTTEN;
		}
		/* early (jiffies against efs_now_ns()), or the next stage */
		efs_fs_lease_arm_next(fs, now);
	}
	mutex_unlock(&efs_registry_lock);
	if (event)
		efs_family_event(name, event, rate);
	efs_fs_put(fs);
}

/* EFS_CMD_FS_GRANT: this head's lease on a cluster filesystem's budget. */
int efs_fs_grant_locked(struct efs_fs *fs, struct efs_grant *g,
			const char **why)
{
	u64 now = efs_now_ns();
	int err;

	lockdep_assert_held(&efs_registry_lock);
	if (fs->cfg.scope != EFS_SCOPE_CLUSTER) {
		*why = "not a cluster filesystem: grants are for scope cluster (fs set --scope cluster)";
		return -EINVAL;
	}
	err = efs_lease_check(g->iops, g->bps, g->lease_ms, g->forget_ms,
			      g->heads, why);
	if (err)
		return err;
	g->news = efs_lease_grant_news(&fs->lease, g->iops, g->bps,
				       g->lease_ms, g->forget_ms, g->heads,
				       efs_config_ops_rate(&fs->cfg), now);
	if (g->credit_balance)
		WRITE_ONCE(fs->cluster_credit,
			   min(*g->credit_balance,
			       efs_credit_max(fs->size_bytes)));
	efs_fs_apply_ops(fs, now);
	efs_fs_apply_bytes(fs, now);
	efs_fs_lease_arm(fs, g->lease_ms);
	return 0;
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
	efs_bucket_init(&fs->read_ops, 0, 1, now);
	efs_bucket_init(&fs->write_ops, 0, 1, now);
	efs_bucket_init(&fs->credit, 0, 1, now);
	efs_bucket_init(&fs->peak, 0, 1, now);
	efs_lease_init(&fs->lease, cfg->cluster_heads);
	INIT_DELAYED_WORK(&fs->lease_work, efs_lease_work);
	fs->cfg = *cfg;
	fs->size_bytes = cfg->metered_size != EFS_METERED_SIZE_AUTO ?
			 cfg->metered_size : efs_fs_sample_size(fs);
	fs->cfg.metered_size = cfg->metered_size;
	efs_fs_apply_locked(fs, cfg, NULL);
	efs_bucket_set_balance(&fs->ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->ops_pcpu.shared, U64_MAX, now);
	efs_bucket_set_balance(&fs->read_ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->write_ops, U64_MAX, now);
	efs_bucket_set_balance(&fs->peak, U64_MAX, now);
	efs_bucket_set_balance(&fs->credit, credit_balance ? *credit_balance :
			       U64_MAX, now);
	fs->cluster_credit = min(credit_balance ? *credit_balance : U64_MAX,
				 efs_credit_max(fs->size_bytes));
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
	/* A running expiry sees dead and puts its own reference. */
	if (cancel_delayed_work(&fs->lease_work))
		efs_fs_put(fs);
	efs_fq_release_all(fs);
	path_put(&fs->path);
	efs_fs_put(fs);
	return 0;
}

/*
 * Module exit, before netlink goes: no expiry runs (or sends an event)
 * after this. Filesystems fall to nothing: they are deleted next.
 */
void efs_registry_lease_stop(void)
{
	struct efs_fs *fs;

	mutex_lock(&efs_registry_lock);
	efs_lease_stopped = true;
	list_for_each_entry(fs, &efs_fs_list, node)
		if (cancel_delayed_work(&fs->lease_work))
			efs_fs_put(fs);
	mutex_unlock(&efs_registry_lock);
	if (efs_lease_wq)
		flush_workqueue(efs_lease_wq);
}

int efs_registry_init(void)
{
	efs_lease_stopped = false;
	/* Unbound: lease expiry has no CPU to stay on, and 6.18+ warns
	 * about a workqueue that names neither WQ_UNBOUND nor WQ_PERCPU.
	 */
	efs_lease_wq = alloc_workqueue("efs_lease", WQ_UNBOUND, 0);
	return efs_lease_wq ? 0 : -ENOMEM;
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
	/* Expiries still running finish (and put their references) first. */
	if (efs_lease_wq) {
		destroy_workqueue(efs_lease_wq);
		efs_lease_wq = NULL;
	}
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
		/* A cluster head's: what its lease gives (the cluster's). */
		if (efs_fs_cluster(fs))
			return READ_ONCE(fs->permitted_bps);
		if (efs_fs_credit_balance(fs, now) < baseline)
			return baseline;
		return READ_ONCE(fs->permitted_bps);
	case EFS_TP_PROVISIONED:
		return READ_ONCE(fs->permitted_bps);
	default:
		return 0;
	}
}
