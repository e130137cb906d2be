// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the efs registry (registry.c): adding, finding and
 * looking up filesystems by export root, refused adds, live
 * reconfiguration, PermittedThroughput and the lifetime of a filesystem
 * that is deleted while a request holds it.
 *
 * registry.c is linked with the units it calls into (rates.c, stats.c,
 * fq.c, clients.c and the pure files), without test doubles: the clock
 * is an argument, and S is sampled from the export root's filesystem.
 * The export roots are directories of the rootfs
 * (KUnit runs before init, with the rootfs as "/").
 */
#include <kunit/test.h>
#include <linux/dcache.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/initrd.h>
#include <linux/namei.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/statfs.h>
#include <linux/string.h>
#include <linux/time64.h>
#include <linux/wait.h>

#include "efs.h"
#include "credit.h"
#include "rates.h"
#include "registry.h"
#include "stats.h"

static u64 test_now_ns;

#define T0_NS		(1000ULL * NSEC_PER_SEC)
#define SAMPLE_SIZE	(10 * EFS_GIB)

/*
 * Export roots: directories every kernel's rootfs has before init runs
 * (init/noinitramfs.c, or the default initramfs), left unchanged.
 */
#define DIR_A		"/root"
#define DIR_B		"/dev"
#define NOT_DIR		"/dev/console"
#define MISSING		"/efs_kunit_missing"

static int registry_suite_init(struct kunit_suite *suite)
{
	static const char * const dirs[] = { DIR_A, DIR_B, "/" };
	struct path p;
	int i, err;

	wait_for_initramfs();
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		err = kern_path(dirs[i], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
		if (err) {
			pr_err("efs_registry: no directory %s: %d\n", dirs[i],
			       err);
			return err;
		}
		path_put(&p);
	}
	err = kern_path(NOT_DIR, LOOKUP_FOLLOW, &p);
	if (err) {
		pr_err("efs_registry: no %s: %d\n", NOT_DIR, err);
		return err;
	}
	if (d_is_dir(p.dentry))
		err = -EISDIR;
	path_put(&p);
	return err;
}

static void registry_suite_exit(struct kunit_suite *suite)
{
	efs_registry_exit();
}

static int registry_test_init(struct kunit *test)
{
	test_now_ns = T0_NS;
	/* A previous case left filesystems behind: its exit failed. */
	return list_empty(&efs_fs_list) ? 0 : -EBUSY;
}

/* Every case ends with an empty registry, whatever it asserted. */
static void registry_test_exit(struct kunit *test)
{
	efs_registry_exit();
}

/* Helpers. */

static u64 diff_u64(u64 a, u64 b)
{
	return a > b ? a - b : b - a;
}

static void cfg_make(struct efs_config *cfg, u32 tp_mode, u64 prov_bps,
		     u64 metered_size)
{
	efs_config_defaults(cfg);
	cfg->tp_mode = tp_mode;
	cfg->provisioned_bps = prov_bps;
	cfg->metered_size = metered_size;
}

static struct efs_fs *find_fs(const char *name)
{
	struct efs_fs *fs;

	mutex_lock(&efs_registry_lock);
	fs = efs_fs_find_locked(name);
	mutex_unlock(&efs_registry_lock);
	return fs;
}

static unsigned int fs_count(void)
{
	struct efs_fs *fs;
	unsigned int n = 0;

	mutex_lock(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node)
		n++;
	mutex_unlock(&efs_registry_lock);
	return n;
}

/* efs_fs_lookup_export() on a freshly resolved path (a reference or NULL). */
static struct efs_fs *lookup_name(struct kunit *test, const char *name)
{
	struct efs_fs *fs;
	struct path p;

	KUNIT_ASSERT_EQ_MSG(test, kern_path(name, LOOKUP_FOLLOW, &p), 0,
			    "kern_path(%s)", name);
	fs = efs_fs_lookup_export(&p);
	path_put(&p);
	return fs;
}

/* References on the dentry of name, not counting the caller's lookup. */
static unsigned int dentry_refs(struct kunit *test, const char *name)
{
	unsigned int n;
	struct path p;

	KUNIT_ASSERT_EQ_MSG(test, kern_path(name, LOOKUP_FOLLOW, &p), 0,
			    "kern_path(%s)", name);
	n = d_count(p.dentry) - 1;
	path_put(&p);
	return n;
}

/* S as the registry samples it at name: the bytes used on its filesystem. */
static u64 statfs_size(struct kunit *test, const char *name)
{
	struct kstatfs st;
	struct path p;
	int err;

	KUNIT_ASSERT_EQ_MSG(test, kern_path(name, LOOKUP_FOLLOW, &p), 0,
			    "kern_path(%s)", name);
	err = vfs_statfs(&p, &st);
	path_put(&p);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_GE(test, st.f_blocks, st.f_bfree);
	return (st.f_blocks - st.f_bfree) * st.f_bsize;
}

static void apply(struct efs_fs *fs, const struct efs_config *cfg,
		  const u64 *balance)
{
	mutex_lock(&efs_registry_lock);
	efs_fs_apply_locked(fs, cfg, balance, test_now_ns);
	mutex_unlock(&efs_registry_lock);
}

static void del(struct efs_fs *fs)
{
	mutex_lock(&efs_registry_lock);
	efs_fs_del_locked(fs);
	mutex_unlock(&efs_registry_lock);
}

static struct efs_fs *add_ok(struct kunit *test, const char *name,
			     const char *path, const struct efs_config *cfg,
			     const u64 *balance)
{
	const char *why = NULL;
	struct efs_fs *fs;
	int err;

	err = efs_fs_add(name, path, cfg, balance, NULL, test_now_ns, NULL,
			 &why);
	KUNIT_ASSERT_EQ_MSG(test, err, 0, "add %s at %s: %s", name, path,
			    why ? why : "(no reason)");
	KUNIT_EXPECT_NULL(test, why);
	fs = find_fs(name);
	KUNIT_ASSERT_NOT_NULL(test, fs);
	return fs;
}

static void add_defaults(struct kunit *test, const char *name,
			 const char *path)
{
	struct efs_config cfg;

	efs_config_defaults(&cfg);
	add_ok(test, name, path, &cfg, NULL);
}

/* Add, then find by name; unknown names are not found. */
static void add_find_test(struct kunit *test)
{
	struct efs_config cfg;
	struct efs_fs *a, *b, *fs;
	unsigned int i = 0;
	u64 size;

	efs_config_defaults(&cfg);
	size = statfs_size(test, DIR_A);
	a = add_ok(test, "a", DIR_A, &cfg, NULL);

	KUNIT_EXPECT_STREQ(test, a->name, "a");
	KUNIT_EXPECT_STREQ(test, a->path_name, DIR_A);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 1);
	KUNIT_EXPECT_FALSE(test, a->dead);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->fq.waiting), 0);
	KUNIT_EXPECT_EQ(test, a->cfg.metered_size, EFS_METERED_SIZE_AUTO);
	/* S sampled from the export root's filesystem. */
	KUNIT_EXPECT_EQ(test, a->size_bytes, size);
	/* bursting generalPurpose: EFS's 35000 reads, 7000 writes a second */
	KUNIT_EXPECT_EQ(test, a->ops_rate, 0ULL);
	KUNIT_EXPECT_EQ(test, a->read_rate, 35000ULL);
	KUNIT_EXPECT_EQ(test, a->write_rate, 7000ULL);
	KUNIT_EXPECT_EQ(test, a->permitted_bps, 100 * EFS_MIB);
	/* A new filesystem starts with its full credit. */
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(a, T0_NS),
			efs_credit_max(size));

	KUNIT_EXPECT_NULL(test, find_fs("b"));
	KUNIT_EXPECT_NULL(test, find_fs("A"));
	KUNIT_EXPECT_NULL(test, find_fs(""));
	KUNIT_EXPECT_NULL(test, find_fs("a "));

	cfg.metered_size = 7 * EFS_GIB;
	/* The directory pinned is recorded, not the name given for it. */
	b = add_ok(test, "b", "/./dev/../dev/", &cfg, NULL);
	KUNIT_EXPECT_STREQ(test, b->path_name, DIR_B);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_EQ(test, find_fs("a"), a);
	KUNIT_EXPECT_PTR_EQ(test, find_fs("b"), b);
	/* A fixed metered size is not sampled. */
	KUNIT_EXPECT_EQ(test, b->size_bytes, 7 * EFS_GIB);

	/* The list keeps the order of adds. */
	KUNIT_EXPECT_EQ(test, fs_count(), 2U);
	mutex_lock(&efs_registry_lock);
	list_for_each_entry(fs, &efs_fs_list, node) {
		KUNIT_EXPECT_PTR_EQ(test, fs, i ? b : a);
		i++;
	}
	mutex_unlock(&efs_registry_lock);
}

struct lookup_case {
	const char *name;
	const char *path;
	bool claimed;
};

/* "a" is added at DIR_A; the other paths are not claimed. */
static const struct lookup_case lookup_cases[] = {
	{ "claimed", DIR_A, true },
	{ "claimed_dot", DIR_A "/.", true },
	{ "claimed_slashes", "//root//", true },
	{ "claimed_dotdot", DIR_B "/.." DIR_A, true },
	{ "unclaimed_dir", DIR_B, false },
	{ "unclaimed_root", "/", false },
	{ "unclaimed_file", NOT_DIR, false },
};

static void lookup_case_desc(const struct lookup_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(lookup, lookup_cases, lookup_case_desc);

/* Lookup by export root: the fs with a reference, or NULL. */
static void lookup_export_test(struct kunit *test)
{
	const struct lookup_case *t = test->param_value;
	struct efs_config cfg;
	struct efs_fs *a, *fs;

	efs_config_defaults(&cfg);
	a = add_ok(test, "a", DIR_A, &cfg, NULL);

	fs = lookup_name(test, t->path);
	if (!t->claimed) {
		KUNIT_EXPECT_NULL(test, fs);
		KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 1);
		if (fs)
			efs_fs_put(fs);
		return;
	}
	KUNIT_ASSERT_PTR_EQ(test, fs, a);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 2);
	/* A second request holds a second reference. */
	KUNIT_EXPECT_PTR_EQ(test, lookup_name(test, t->path), a);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 3);
	efs_fs_put(fs);
	efs_fs_put(fs);
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 1);
	KUNIT_EXPECT_PTR_EQ(test, find_fs("a"), a);
}

struct refused_case {
	const char *name;
	const char *fs_name;
	const char *path;
	int err;
	const char *why;	/* a part of the reason given */
};

/* "a" is added at DIR_A first. */
static const struct refused_case refused_cases[] = {
	{ "dup_name", "a", DIR_B, -EEXIST, "name exists" },
	{ "dup_path", "b", DIR_A, -EEXIST, "already an efs filesystem" },
	{ "dup_path_alias", "b", "/./root/", -EEXIST,
	  "already an efs filesystem" },
	{ "missing", "b", MISSING, -ENOENT, "does not exist" },
	{ "missing_parent", "b", MISSING "/x", -ENOENT, "does not exist" },
	{ "not_dir", "b", NOT_DIR, -ENOTDIR, "not a directory" },
	{ "not_dir_parent", "b", NOT_DIR "/x", -ENOTDIR, "not a directory" },
	{ "relative", "b", "root", -EINVAL, "must be absolute" },
	{ "empty", "b", "", -EINVAL, "must be absolute" },
};

static void refused_case_desc(const struct refused_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(refused, refused_cases, refused_case_desc);

/* A refused add gives a reason and leaves the registry as it was. */
static void add_refused_test(struct kunit *test)
{
	const struct refused_case *t = test->param_value;
	unsigned int refs_a, refs_b;
	struct efs_config cfg;
	const char *why = NULL;
	struct efs_fs *a, *fs;
	int err;

	efs_config_defaults(&cfg);
	a = add_ok(test, "a", DIR_A, &cfg, NULL);
	refs_a = dentry_refs(test, DIR_A);
	refs_b = dentry_refs(test, DIR_B);

	err = efs_fs_add(t->fs_name, t->path, &cfg, NULL, NULL, test_now_ns,
			 NULL, &why);
	KUNIT_EXPECT_EQ(test, err, t->err);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_TRUE_MSG(test, strstr(why, t->why) != NULL,
			      "why \"%s\" does not say \"%s\"", why, t->why);

	KUNIT_EXPECT_EQ(test, fs_count(), 1U);
	KUNIT_EXPECT_PTR_EQ(test, find_fs("a"), a);
	KUNIT_EXPECT_NULL(test, find_fs("b"));
	KUNIT_EXPECT_EQ(test, refcount_read(&a->ref), 1);
	/* No reference to the export root is leaked by the refusal. */
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_A), refs_a);
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_B), refs_b);
	fs = lookup_name(test, DIR_B);
	KUNIT_EXPECT_NULL(test, fs);
	if (fs)
		efs_fs_put(fs);
}

struct ops_case {
	const char *name;
	u32 perf_mode;
	u32 iops_limit;
	u32 write_weight;
	u64 rate;		/* units/s in force */
	u64 burst;		/* max(rate / 20, write weight, 1) */
	u64 batch;		/* max(rate / 1000, 1) */
};

static const struct ops_case ops_cases[] = {
	/* no combined budget unless --iops-limit: the read/write ones */
	{ "generalPurpose", EFS_PERF_GENERAL_PURPOSE, 0, 5, 0, 5, 1 },
	{ "maxIO", EFS_PERF_MAX_IO, 0, 5, 500000, 25000, 500 },
	{ "generalPurpose_limit", EFS_PERF_GENERAL_PURPOSE, 1000, 5, 1000,
	  50, 1 },
	{ "maxIO_limit", EFS_PERF_MAX_IO, 100000, 5, 100000, 5000, 100 },
	{ "limit_above_default", EFS_PERF_GENERAL_PURPOSE, 1000000, 5,
	  1000000, 50000, 1000 },
	{ "limit_1_weight_5", EFS_PERF_GENERAL_PURPOSE, 1, 5, 1, 5, 1 },
	{ "limit_100_weight_1", EFS_PERF_MAX_IO, 100, 1, 100, 5, 1 },
	{ "limit_max", EFS_PERF_MAX_IO, EFS_IOPS_LIMIT_MAX, 5,
	  EFS_IOPS_LIMIT_MAX, EFS_IOPS_LIMIT_MAX / 20,
	  EFS_IOPS_LIMIT_MAX / 1000 },
};

static void ops_case_desc(const struct ops_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ops, ops_cases, ops_case_desc);

/* Mode defaults and iops_limit, in the config and in the buckets. */
static void ops_rate_test(struct kunit *test)
{
	const struct ops_case *t = test->param_value;
	struct efs_config cfg;
	struct efs_fs *fs;

	efs_config_defaults(&cfg);
	cfg.perf_mode = t->perf_mode;
	cfg.iops_limit = t->iops_limit;
	cfg.write_weight = t->write_weight;
	KUNIT_EXPECT_EQ(test, (u64)efs_config_ops_rate(&cfg), t->rate);

	fs = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, t->rate);
	KUNIT_EXPECT_EQ(test, fs->ops.rate, t->rate);
	KUNIT_EXPECT_EQ(test, fs->ops.burst, t->burst);
	KUNIT_EXPECT_EQ(test, fs->ops_pcpu.shared.rate, t->rate);
	KUNIT_EXPECT_EQ(test, fs->ops_pcpu.shared.burst, t->burst);
	KUNIT_EXPECT_EQ(test, fs->ops_pcpu.batch, t->batch);
	/* Both ops buckets start full. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops, T0_NS), t->burst);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops_pcpu.shared, T0_NS),
			t->burst);

	/* Back to the defaults, live: no combined budget. */
	efs_config_defaults(&cfg);
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 0ULL);
	KUNIT_EXPECT_EQ(test, fs->ops.rate, 0ULL);
	KUNIT_EXPECT_EQ(test, fs->ops_pcpu.batch, 1ULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 35000ULL);
}

struct rw_case {
	const char *name;
	u32 perf_mode, tp_mode;
	u32 read_limit, write_limit;	/* configured, 0 = default */
	u64 read_rate, write_rate;	/* in force */
	u64 ops_rate;			/* combined in force */
};

static const struct rw_case rw_cases[] = {
	{ "gp_bursting", EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING, 0, 0,
	  35000, 7000, 0 },
	{ "gp_provisioned", EFS_PERF_GENERAL_PURPOSE, EFS_TP_PROVISIONED, 0, 0,
	  55000, 25000, 0 },
	{ "gp_elastic", EFS_PERF_GENERAL_PURPOSE, EFS_TP_ELASTIC, 0, 0,
	  250000, 50000, 0 },
	{ "maxio_bursting", EFS_PERF_MAX_IO, EFS_TP_BURSTING, 0, 0,
	  0, 0, 500000 },
	{ "maxio_elastic", EFS_PERF_MAX_IO, EFS_TP_ELASTIC, 0, 0,
	  0, 0, 500000 },
	{ "gp_set", EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING, 100, 40,
	  100, 40, 0 },
	{ "gp_elastic_raised", EFS_PERF_GENERAL_PURPOSE, EFS_TP_ELASTIC,
	  EFS_READ_IOPS_LIMIT_MAX, EFS_WRITE_IOPS_LIMIT_MAX,
	  2500000, 500000, 0 },
	{ "maxio_set", EFS_PERF_MAX_IO, EFS_TP_PROVISIONED, 100, 0,
	  100, 0, 500000 },
};

static void rw_case_desc(const struct rw_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rw, rw_cases, rw_case_desc);

/* EFS's read and write IOPS limits by mode, in force and in the buckets. */
static void rw_rate_test(struct kunit *test)
{
	const struct rw_case *t = test->param_value;
	struct efs_config cfg;
	const char *why = NULL;
	struct efs_fs *fs;

	cfg_make(&cfg, t->tp_mode, t->tp_mode == EFS_TP_PROVISIONED ?
		 4 * EFS_MIB : 0, SAMPLE_SIZE);
	cfg.perf_mode = t->perf_mode;
	cfg.read_iops_limit = t->read_limit;
	cfg.write_iops_limit = t->write_limit;
	KUNIT_EXPECT_EQ(test, efs_config_validate(&cfg, false, &why), 0);
	KUNIT_EXPECT_EQ(test, (u64)efs_config_read_iops(&cfg), t->read_rate);
	KUNIT_EXPECT_EQ(test, (u64)efs_config_write_iops(&cfg), t->write_rate);
	KUNIT_EXPECT_EQ(test, (u64)efs_config_ops_rate(&cfg), t->ops_rate);

	fs = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, t->read_rate);
	KUNIT_EXPECT_EQ(test, fs->write_rate, t->write_rate);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, t->ops_rate);
	KUNIT_EXPECT_EQ(test, fs->read_ops.rate, t->read_rate);
	KUNIT_EXPECT_EQ(test, fs->write_ops.rate, t->write_rate);
	KUNIT_EXPECT_EQ(test, fs->read_ops.burst,
			max(t->read_rate / 20, 1ULL));
	/* They start full. */
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->write_ops, T0_NS),
			max(t->write_rate / 20, 1ULL));
}

/*
 * The defaults follow the throughput mode when it changes (fs set), a
 * configured limit stays; --iops-limit brings the combined budget in.
 */
static void rw_mode_change_test(struct kunit *test)
{
	struct efs_config cfg;
	struct efs_fs *fs;

	cfg_make(&cfg, EFS_TP_BURSTING, 0, SAMPLE_SIZE);
	cfg.write_iops_limit = 40;
	fs = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 35000ULL);
	KUNIT_EXPECT_EQ(test, fs->write_rate, 40ULL);

	cfg.tp_mode = EFS_TP_ELASTIC;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 250000ULL);
	KUNIT_EXPECT_EQ(test, fs->write_rate, 40ULL);

	cfg.tp_mode = EFS_TP_PROVISIONED;
	cfg.provisioned_bps = 4 * EFS_MIB;
	cfg.write_iops_limit = 0;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 55000ULL);
	KUNIT_EXPECT_EQ(test, fs->write_rate, 25000ULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 0ULL);

	/* the older model on top: reads at 100, writes at 100 / 5 */
	cfg.iops_limit = 100;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 100ULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 55000ULL);

	/* maxIO: no read/write default, its combined 500000 */
	cfg.iops_limit = 0;
	cfg.perf_mode = EFS_PERF_MAX_IO;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 0ULL);
	KUNIT_EXPECT_EQ(test, fs->write_rate, 0ULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, (u64)EFS_MAXIO_IOPS_DEFAULT);
	KUNIT_EXPECT_EQ(test, fs->read_ops.rate, 0ULL);
}

/* Above EFS's highest read or write limit: refused, with a reason. */
static void set_counters(struct efs_fs *fs)
{
	struct efs_counters *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(fs->ctr, cpu);
		c->data_read_bytes = 1000 + cpu;
		c->metered_bytes = 2000 + cpu;
		c->io_units = 3000 + cpu;
		c->throttled_ops = 4000 + cpu;
		c->wait_hist[EFS_WAIT_HIST_BUCKETS - 1] = 5000 + cpu;
	}
}

static void expect_counters(struct kunit *test, struct efs_fs *fs)
{
	struct efs_counters *c;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(fs->ctr, cpu);
		KUNIT_EXPECT_EQ(test, c->data_read_bytes, 1000ULL + cpu);
		KUNIT_EXPECT_EQ(test, c->metered_bytes, 2000ULL + cpu);
		KUNIT_EXPECT_EQ(test, c->io_units, 3000ULL + cpu);
		KUNIT_EXPECT_EQ(test, c->throttled_ops, 4000ULL + cpu);
		KUNIT_EXPECT_EQ(test, c->wait_hist[EFS_WAIT_HIST_BUCKETS - 1],
				5000ULL + cpu);
		KUNIT_EXPECT_EQ(test, c->data_write_ops, 0ULL);
	}
}

struct apply_step {
	u32 perf_mode;
	u32 tp_mode;
	u64 provisioned_bps;
	u64 permitted;		/* fs->permitted_bps at 100 GiB */
};

/* From bursting through every mode and back; one second between steps. */
static const struct apply_step apply_steps[] = {
	{ EFS_PERF_GENERAL_PURPOSE, EFS_TP_PROVISIONED, 10 * EFS_MIB,
	  10 * EFS_MIB },
	{ EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING, 0, 100 * EFS_MIB },
	{ EFS_PERF_GENERAL_PURPOSE, EFS_TP_ELASTIC, 0, 0 },
	{ EFS_PERF_MAX_IO, EFS_TP_ELASTIC, 0, 0 },
	{ EFS_PERF_MAX_IO, EFS_TP_BURSTING, 0, 100 * EFS_MIB },
	{ EFS_PERF_MAX_IO, EFS_TP_PROVISIONED, 200 * EFS_MIB, 200 * EFS_MIB },
	{ EFS_PERF_GENERAL_PURPOSE, EFS_TP_BURSTING, 0, 100 * EFS_MIB },
};

/*
 * Live reconfiguration keeps the credit balance (plus what the baseline
 * accrued on the injected clock) and the counters.
 */
static void apply_keeps_state_test(struct kunit *test)
{
	const u64 size = 100 * EFS_GIB;
	const u64 baseline = efs_baseline_bps(size);	/* 5000 KiB/s */
	u64 balance = EFS_GIB, expected = EFS_GIB, got;
	struct efs_counters __percpu *ctr;
	struct efs_config cfg;
	struct efs_fs *fs;
	int i;

	KUNIT_ASSERT_EQ(test, baseline, 5000ULL << 10);
	cfg_make(&cfg, EFS_TP_BURSTING, 0, size);
	fs = add_ok(test, "a", DIR_A, &cfg, &balance);
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns), balance);
	set_counters(fs);
	ctr = fs->ctr;

	for (i = 0; i < ARRAY_SIZE(apply_steps); i++) {
		const struct apply_step *s = &apply_steps[i];

		test_now_ns += NSEC_PER_SEC;
		expected += baseline;
		cfg.perf_mode = s->perf_mode;
		cfg.tp_mode = s->tp_mode;
		cfg.provisioned_bps = s->provisioned_bps;
		apply(fs, &cfg, NULL);

		got = efs_fs_credit_balance(fs, test_now_ns);
		KUNIT_EXPECT_LE_MSG(test, diff_u64(got, expected), 2ULL,
				    "step %d: balance %llu, expected %llu",
				    i, got, expected);
		KUNIT_EXPECT_EQ_MSG(test, fs->permitted_bps, s->permitted,
				    "step %d", i);
		KUNIT_EXPECT_EQ(test, fs->cfg.tp_mode, s->tp_mode);
		KUNIT_EXPECT_EQ(test, fs->cfg.perf_mode, s->perf_mode);
		KUNIT_EXPECT_EQ(test, fs->size_bytes, size);
		KUNIT_EXPECT_PTR_EQ(test, fs->ctr, ctr);
		expect_counters(test, fs);
		expected = got;		/* errors do not add up over steps */
	}
	/* An explicit balance replaces the kept one ... */
	balance = 5 * EFS_MIB;
	apply(fs, &cfg, &balance);
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns), balance);
	/* ... and is capped at the maximum credit. */
	balance = U64_MAX;
	apply(fs, &cfg, &balance);
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns),
			efs_credit_max(size));
	expect_counters(test, fs);
	KUNIT_EXPECT_EQ(test, refcount_read(&fs->ref), 1);
}

/* An ops bucket in use keeps its balance (no refill) when cfg changes. */
static void apply_keeps_ops_test(struct kunit *test)
{
	struct efs_config cfg;
	struct efs_fs *fs;
	u64 wait;

	efs_config_defaults(&cfg);
	cfg.iops_limit = 1000;		/* burst 50 units */
	fs = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_ASSERT_EQ(test, fs->ops.burst, 50ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_charge(&fs->ops, 30, test_now_ns),
			0ULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops, test_now_ns),
			20ULL);

	cfg.write_weight = 10;		/* same rate and burst */
	cfg.max_wait_ms = 10;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->cfg.write_weight, 10U);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops, test_now_ns),
			20ULL);

	/* Debt survives a rate change, in units. */
	wait = efs_bucket_charge(&fs->ops, 70, test_now_ns);
	KUNIT_EXPECT_EQ(test, wait, 0ULL + 50 * NSEC_PER_MSEC);
	cfg.iops_limit = 2000;		/* burst 100 */
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops, test_now_ns), 0ULL);
	/* 50 units of debt at 2000/s: 25 ms before one more unit passes. */
	test_now_ns += 25 * NSEC_PER_MSEC;
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops, test_now_ns), 0ULL);
	test_now_ns += NSEC_PER_MSEC;
	KUNIT_EXPECT_EQ(test, efs_bucket_balance(&fs->ops, test_now_ns), 2ULL);
}

/*
 * maxIO: after the limit is lowered, no more than an exact bucket's burst
 * plus the documented error (nr_cpus * batch units) passes at once; units
 * a CPU prepaid at the old rate must not pass on top of the new burst.
 */
static void apply_maxio_lower_test(struct kunit *test)
{
	struct efs_config cfg;
	struct efs_fs *fs;
	u64 passed = 0, bound;

	efs_config_defaults(&cfg);
	cfg.perf_mode = EFS_PERF_MAX_IO;
	cfg.iops_limit = 1000000;	/* burst 50000, batch 1000 */
	fs = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_ASSERT_EQ(test, fs->ops_pcpu.batch, 1000ULL);
	/* One request: its CPU takes a batch and keeps 999 units. */
	KUNIT_EXPECT_EQ(test,
			efs_pcpu_bucket_charge(&fs->ops_pcpu, 1, test_now_ns),
			0ULL);

	cfg.iops_limit = 100;		/* burst 5, batch 1 */
	apply(fs, &cfg, NULL);
	KUNIT_ASSERT_EQ(test, fs->ops_pcpu.shared.burst, 5ULL);
	KUNIT_ASSERT_EQ(test, fs->ops_pcpu.batch, 1ULL);
	bound = fs->ops_pcpu.shared.burst +
		num_possible_cpus() * fs->ops_pcpu.batch;
	while (passed <= 2000 &&
	       !efs_pcpu_bucket_charge(&fs->ops_pcpu, 1, test_now_ns))
		passed++;
	KUNIT_EXPECT_LE_MSG(test, passed, bound,
			    "units passed at once after lowering maxIO to 100/s");
}

/* The metered size: fixed, changed live, back to sampling. */
static void apply_size_test(struct kunit *test)
{
	u64 balance = 3 * EFS_GIB, size;
	struct efs_config cfg;
	struct efs_fs *fs;

	cfg_make(&cfg, EFS_TP_BURSTING, 0, 100 * EFS_GIB);
	fs = add_ok(test, "a", DIR_A, &cfg, &balance);
	KUNIT_EXPECT_EQ(test, fs->credit.rate, 5000ULL << 10);

	cfg.metered_size = 4 * EFS_TIB;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->size_bytes, 4 * EFS_TIB);
	KUNIT_EXPECT_EQ(test, fs->credit.rate, 200 * EFS_MIB);
	KUNIT_EXPECT_EQ(test, fs->credit.burst, efs_credit_max(4 * EFS_TIB));
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, 400 * EFS_MIB);
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns), balance);

	/* Automatic: S is sampled, once. */
	cfg.metered_size = EFS_METERED_SIZE_AUTO;
	size = statfs_size(test, DIR_A);
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->size_bytes, size);
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, efs_burst_bps(size));
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns), balance);

	/* Still automatic: the sampler's S stays, no new sample. */
	mutex_lock(&efs_registry_lock);
	efs_fs_set_size_locked(fs, 2 * EFS_TIB, test_now_ns);
	mutex_unlock(&efs_registry_lock);
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, 200 * EFS_MIB);
	cfg.write_weight = 2;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->size_bytes, 2 * EFS_TIB);
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns), balance);
}

struct permitted_case {
	const char *name;
	u32 tp_mode;
	u64 provisioned_bps;
	u64 size;
	u64 balance;		/* credit balance at add, bytes */
	u64 later_ns;		/* then read this much later */
	u64 permitted;
};

#define GP100_BASELINE	(5000ULL << 10)	/* baseline at 100 GiB */

static const struct permitted_case permitted_cases[] = {
	{ "bursting_full", EFS_TP_BURSTING, 0, 100 * EFS_GIB, U64_MAX, 0,
	  100 * EFS_MIB },
	{ "bursting_2s_of_baseline", EFS_TP_BURSTING, 0, 100 * EFS_GIB,
	  2 * GP100_BASELINE, 0, 100 * EFS_MIB },
	{ "bursting_1s_of_baseline", EFS_TP_BURSTING, 0, 100 * EFS_GIB,
	  GP100_BASELINE, 0, 100 * EFS_MIB },
	{ "bursting_half_s", EFS_TP_BURSTING, 0, 100 * EFS_GIB,
	  GP100_BASELINE / 2, 0, GP100_BASELINE },
	{ "bursting_1s_minus_1", EFS_TP_BURSTING, 0, 100 * EFS_GIB,
	  GP100_BASELINE - 1, 0, GP100_BASELINE },
	{ "bursting_empty", EFS_TP_BURSTING, 0, 100 * EFS_GIB, 0, 0,
	  GP100_BASELINE },
	/* Credits accrue at the baseline: after a second, bursting again. */
	{ "bursting_refilled", EFS_TP_BURSTING, 0, 100 * EFS_GIB, 0,
	  NSEC_PER_SEC, 100 * EFS_MIB },
	{ "bursting_not_yet_refilled", EFS_TP_BURSTING, 0, 100 * EFS_GIB, 0,
	  NSEC_PER_SEC - NSEC_PER_MSEC, GP100_BASELINE },
	{ "bursting_small_empty", EFS_TP_BURSTING, 0, EFS_GIB, 0, 0, EFS_MIB },
	{ "bursting_small_full", EFS_TP_BURSTING, 0, EFS_GIB, U64_MAX, 0,
	  100 * EFS_MIB },
	{ "bursting_4TiB_full", EFS_TP_BURSTING, 0, 4 * EFS_TIB, U64_MAX, 0,
	  400 * EFS_MIB },
	{ "bursting_4TiB_low", EFS_TP_BURSTING, 0, 4 * EFS_TIB, 100 * EFS_MIB,
	  0, 200 * EFS_MIB },
	{ "provisioned", EFS_TP_PROVISIONED, 10 * EFS_MIB, 100 * EFS_GIB,
	  U64_MAX, 0, 10 * EFS_MIB },
	{ "provisioned_no_credit", EFS_TP_PROVISIONED, 10 * EFS_MIB,
	  100 * EFS_GIB, 0, 0, 10 * EFS_MIB },
	{ "provisioned_below_baseline", EFS_TP_PROVISIONED, EFS_MIB, EFS_TIB,
	  U64_MAX, 0, 50 * EFS_MIB },
	{ "provisioned_above_burst", EFS_TP_PROVISIONED, EFS_GIB,
	  100 * EFS_GIB, 0, 0, EFS_GIB },
	{ "elastic", EFS_TP_ELASTIC, 0, 100 * EFS_GIB, U64_MAX, 0, 0 },
	{ "elastic_no_credit", EFS_TP_ELASTIC, 0, 100 * EFS_GIB, 0, 0, 0 },
};

static void permitted_case_desc(const struct permitted_case *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(permitted, permitted_cases, permitted_case_desc);

static void permitted_bps_test(struct kunit *test)
{
	const struct permitted_case *t = test->param_value;
	struct efs_config cfg;
	struct efs_fs *fs;
	u64 peak;

	cfg_make(&cfg, t->tp_mode, t->provisioned_bps, t->size);
	fs = add_ok(test, "a", DIR_A, &cfg, &t->balance);
	KUNIT_EXPECT_EQ(test, efs_fs_credit_balance(fs, test_now_ns),
			min(t->balance, efs_credit_max(t->size)));

	/* The byte budget in force, whatever the credits. */
	switch (t->tp_mode) {
	case EFS_TP_BURSTING:
		peak = efs_burst_bps(t->size);
		break;
	case EFS_TP_PROVISIONED:
		peak = efs_provisioned_permitted_bps(t->provisioned_bps,
						     t->size);
		break;
	default:
		peak = 0;
		break;
	}
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, peak);
	KUNIT_EXPECT_EQ(test, fs->peak.rate, peak);

	test_now_ns += t->later_ns;
	KUNIT_EXPECT_EQ(test, efs_fs_permitted_bps(fs, test_now_ns),
			t->permitted);
}

struct wake_counter {
	struct wait_queue_entry wq;
	unsigned int woken;
};

static int count_wake(struct wait_queue_entry *wq, unsigned int mode,
		      int flags, void *key)
{
	container_of(wq, struct wake_counter, wq)->woken++;
	return 0;
}

/*
 * A filesystem deleted while a request holds it: unhashed and dead at once,
 * its sleepers woken and its export root unpinned; the object itself lives
 * until the request's reference is put.
 */
static void del_lifetime_test(struct kunit *test)
{
	struct wake_counter w = { .woken = 0 };
	unsigned int refs_a = dentry_refs(test, DIR_A);
	struct efs_fs *fs, *held, *again;
	struct efs_config cfg;

	efs_config_defaults(&cfg);
	fs = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_A), refs_a + 1);
	held = lookup_name(test, DIR_A);
	KUNIT_ASSERT_PTR_EQ(test, held, fs);
	KUNIT_EXPECT_EQ(test, refcount_read(&fs->ref), 2);

	init_waitqueue_func_entry(&w.wq, count_wake);
	add_wait_queue(&efs_wait_wq, &w.wq);
	del(fs);
	remove_wait_queue(&efs_wait_wq, &w.wq);

	KUNIT_EXPECT_GE(test, w.woken, 1U);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(held->dead));
	KUNIT_EXPECT_EQ(test, refcount_read(&held->ref), 1);
	KUNIT_EXPECT_STREQ(test, held->name, "a");
	KUNIT_EXPECT_EQ(test, held->read_rate, 35000ULL);
	KUNIT_EXPECT_NULL(test, find_fs("a"));
	KUNIT_EXPECT_EQ(test, fs_count(), 0U);
	KUNIT_EXPECT_NULL(test, lookup_name(test, DIR_A));
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_A), refs_a);

	/* Name and path are free again while the old object lives on. */
	again = add_ok(test, "a", DIR_A, &cfg, NULL);
	KUNIT_EXPECT_PTR_NE(test, again, held);
	KUNIT_EXPECT_FALSE(test, again->dead);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(held->dead));
	fs = lookup_name(test, DIR_A);
	KUNIT_EXPECT_PTR_EQ(test, fs, again);
	if (fs)
		efs_fs_put(fs);

	/* The request ends: the last reference frees the old object. */
	efs_fs_put(held);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, refcount_read(&again->ref), 1);
	KUNIT_EXPECT_EQ(test, fs_count(), 1U);
}

/* efs_registry_exit() deletes every filesystem; held ones die later. */
static void registry_exit_test(struct kunit *test)
{
	unsigned int refs_a = dentry_refs(test, DIR_A);
	unsigned int refs_b = dentry_refs(test, DIR_B);
	struct wake_counter w = { .woken = 0 };
	struct efs_fs *held;

	add_defaults(test, "a", DIR_A);
	add_defaults(test, "b", DIR_B);
	add_defaults(test, "root", "/");
	KUNIT_EXPECT_EQ(test, fs_count(), 3U);
	held = lookup_name(test, DIR_B);
	KUNIT_ASSERT_NOT_NULL(test, held);

	init_waitqueue_func_entry(&w.wq, count_wake);
	add_wait_queue(&efs_wait_wq, &w.wq);
	efs_registry_exit();
	remove_wait_queue(&efs_wait_wq, &w.wq);

	KUNIT_EXPECT_TRUE(test, list_empty(&efs_fs_list));
	KUNIT_EXPECT_GE(test, w.woken, 1U);
	KUNIT_EXPECT_NULL(test, find_fs("a"));
	KUNIT_EXPECT_NULL(test, find_fs("b"));
	KUNIT_EXPECT_NULL(test, find_fs("root"));
	KUNIT_EXPECT_NULL(test, lookup_name(test, DIR_A));
	KUNIT_EXPECT_NULL(test, lookup_name(test, DIR_B));
	KUNIT_EXPECT_NULL(test, lookup_name(test, "/"));
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_A), refs_a);
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_B), refs_b);

	KUNIT_EXPECT_TRUE(test, READ_ONCE(held->dead));
	KUNIT_EXPECT_EQ(test, refcount_read(&held->ref), 1);
	KUNIT_EXPECT_STREQ(test, held->name, "b");
	efs_fs_put(held);

	/* Exiting an empty registry is harmless; it can be used again. */
	efs_registry_exit();
	KUNIT_EXPECT_TRUE(test, list_empty(&efs_fs_list));
	add_defaults(test, "b", DIR_B);
	KUNIT_EXPECT_EQ(test, fs_count(), 1U);
	efs_registry_exit();
	KUNIT_EXPECT_TRUE(test, list_empty(&efs_fs_list));
	KUNIT_EXPECT_EQ(test, dentry_refs(test, DIR_B), refs_b);
}

/*
 * Cluster scope: the safe share before a grant, the grant while its lease
 * holds, the safe share again once it ran out (re-applied here by hand:
 * the expiry work needs the module's workqueue), grants refused for a
 * local filesystem, and the credit balance kept across scope changes.
 */
static void cluster_lease_test(struct kunit *test)
{
	struct efs_grant g = {
		.iops = 240, .bps = 40 * EFS_MIB, .lease_ms = 3000, .heads = 2,
	};
	u64 balance = 5 * EFS_GIB, got;
	struct efs_config cfg;
	const char *why = NULL;
	struct efs_fs *fs;
	int err;

	cfg_make(&cfg, EFS_TP_PROVISIONED, 64 * EFS_MIB, SAMPLE_SIZE);
	cfg.iops_limit = 300;
	cfg.scope = EFS_SCOPE_CLUSTER;
	cfg.cluster_heads = 2;
	fs = add_ok(test, "c", DIR_A, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 150ULL);
	/* the read and write budgets in the same proportion: a half */
	KUNIT_EXPECT_EQ(test, fs->read_rate, 27500ULL);
	KUNIT_EXPECT_EQ(test, fs->write_rate, 12500ULL);
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, 32 * EFS_MIB);
	/* its own credit bucket does not throttle: the cluster's credits */
	KUNIT_EXPECT_EQ(test, fs->credit.rate, 0ULL);

	mutex_lock(&efs_registry_lock);
	err = efs_fs_grant_locked(fs, &g, test_now_ns, &why);
	mutex_unlock(&efs_registry_lock);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 240ULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 44000ULL);
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, 40 * EFS_MIB);
	KUNIT_EXPECT_EQ(test, efs_fs_permitted_bps(fs, test_now_ns),
			40 * EFS_MIB);

	/* a change of configuration keeps the lease */
	test_now_ns += 1000 * NSEC_PER_MSEC;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 240ULL);
	test_now_ns += 2000 * NSEC_PER_MSEC;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 150ULL);
	KUNIT_EXPECT_EQ(test, fs->permitted_bps, 32 * EFS_MIB);

	/* bad values and the wrong scope are refused, with a reason */
	why = NULL;
	mutex_lock(&efs_registry_lock);
	g.lease_ms = 0;
	err = efs_fs_grant_locked(fs, &g, test_now_ns, &why);
	mutex_unlock(&efs_registry_lock);
	KUNIT_EXPECT_EQ(test, err, -ERANGE);
	KUNIT_EXPECT_NOT_NULL(test, why);

	/* back to local: the whole budget and the balance it had */
	apply(fs, &cfg, &balance);
	cfg.scope = EFS_SCOPE_LOCAL;
	apply(fs, &cfg, NULL);
	KUNIT_EXPECT_EQ(test, fs->ops_rate, 300ULL);
	KUNIT_EXPECT_EQ(test, fs->read_rate, 55000ULL);
	got = efs_fs_credit_balance(fs, test_now_ns);
	KUNIT_EXPECT_LE(test, diff_u64(got, balance), EFS_MIB);
	why = NULL;
	mutex_lock(&efs_registry_lock);
	g.lease_ms = 1000;
	err = efs_fs_grant_locked(fs, &g, test_now_ns, &why);
	mutex_unlock(&efs_registry_lock);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, why);
}

static struct kunit_case registry_cases[] = {
	KUNIT_CASE(cluster_lease_test),
	KUNIT_CASE(add_find_test),
	KUNIT_CASE_PARAM(lookup_export_test, lookup_gen_params),
	KUNIT_CASE_PARAM(add_refused_test, refused_gen_params),
	KUNIT_CASE_PARAM(ops_rate_test, ops_gen_params),
	KUNIT_CASE_PARAM(rw_rate_test, rw_gen_params),
	KUNIT_CASE(rw_mode_change_test),
	KUNIT_CASE(apply_keeps_state_test),
	KUNIT_CASE(apply_keeps_ops_test),
	KUNIT_CASE(apply_maxio_lower_test),
	KUNIT_CASE(apply_size_test),
	KUNIT_CASE_PARAM(permitted_bps_test, permitted_gen_params),
	KUNIT_CASE(del_lifetime_test),
	KUNIT_CASE(registry_exit_test),
	{}
};

static struct kunit_suite registry_suite = {
	.name = "efs_registry",
	.suite_init = registry_suite_init,
	.suite_exit = registry_suite_exit,
	.init = registry_test_init,
	.exit = registry_test_exit,
	.test_cases = registry_cases,
};

kunit_test_suite(registry_suite);
