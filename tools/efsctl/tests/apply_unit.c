// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of "efsctl apply" and "efsctl state": efs.conf parsing (every
 * kind of error, with its line), the plan (add/set/del/no-op, path moves,
 * ordering), the conf printer round trip, and the state file (round trip,
 * corruption, credit accrual). No kernel, no netlink.
 *
 * Prints "PASS <name>" / "FAIL <name>" per case (also appended to the file
 * named by $EFS_RESULTS) and exits non-zero if any case failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fs_opts.h"
#include "plan.h"
#include "state.h"
#include "units.h"

#include "expect.h"

/* ---- efs.conf ---- */

static const char good_conf[] =
"# three filesystems\n"
"[home]\n"
"path = /srv/home\n"
"throughput-mode = provisioned\n"
"provisioned-throughput-in-mibps = 2.5\n"
"\n"
"; another comment style\n"
"[media]\n"
"name = media\n"
"path = /srv/media\n"
"performance-mode = maxIO   ; inline comment\n"
"iops-limit = 2000\n"
"metered-size = 100GiB\n"
"[ci]\n"
"path=/srv/ci\n"
"burst-credit-balance = 1TiB\n";

static void test_conf_good(void)
{
	struct efs_conf c;
	char err[512] = "";

	EXPECT(!efs_conf_parse_string(good_conf, "t.conf", &c, err,
				      sizeof(err)));
	if (!case_ok) {
		fprintf(stderr, "  %s\n", err);
		return;
	}
	EXPECT(c.n == 3);
	EXPECT_STR(c.v[0].name, "home");
	EXPECT_STR(c.v[0].path, "/srv/home");
	EXPECT(c.v[0].line == 2);
	EXPECT(c.v[0].cfg.val[EFS_A_FS_THROUGHPUT_MODE] == EFS_TP_PROVISIONED);
	EXPECT(c.v[0].cfg.val[EFS_A_FS_PROVISIONED_BPS] == 5 * MIB / 2);
	EXPECT(c.v[1].cfg.val[EFS_A_FS_PERFORMANCE_MODE] == EFS_PERF_MAX_IO);
	EXPECT(c.v[1].cfg.val[EFS_A_FS_IOPS_LIMIT] == 2000);
	EXPECT(c.v[1].cfg.val[EFS_A_FS_METERED_SIZE] == 100ULL << 30);
	EXPECT(c.v[1].opt_line[EFS_A_FS_IOPS_LIMIT] == 12);
	EXPECT(!efs_fs_config_has(&c.v[1].cfg, EFS_A_FS_WRITE_OP_WEIGHT));
	EXPECT(c.v[2].cfg.val[EFS_A_FS_BURST_CREDIT_BALANCE] == 1ULL << 40);
	EXPECT(!efs_fs_config_has(&c.v[2].cfg, EFS_A_FS_TRANSIT_POLICY));
	efs_conf_free(&c);

	/* encryption in transit: kept for the kernel, which enforces it */
	EXPECT(!efs_conf_parse_string("[t]\npath = /srv/t\n"
				      "transit-encryption = required\n"
				      "[u]\npath = /srv/u\n"
				      "transit-encryption=optional\n",
				      "t.conf", &c, err, sizeof(err)));
	EXPECT(c.n == 2);
	if (c.n == 2) {
		EXPECT(c.v[0].cfg.val[EFS_A_FS_TRANSIT_POLICY] ==
		       EFS_TRANSIT_REQUIRED);
		EXPECT(c.v[0].opt_line[EFS_A_FS_TRANSIT_POLICY] == 3);
		EXPECT(efs_fs_config_has(&c.v[1].cfg, EFS_A_FS_TRANSIT_POLICY));
		EXPECT(c.v[1].cfg.val[EFS_A_FS_TRANSIT_POLICY] ==
		       EFS_TRANSIT_OPTIONAL);
	}
	efs_conf_free(&c);

	/* EFS's read and write IOPS limits (issue 27) */
	EXPECT(!efs_conf_parse_string("[rw]\npath = /srv/rw\n"
				      "read-iops-limit = 100\n"
				      "write-iops-limit = 40\n",
				      "t.conf", &c, err, sizeof(err)));
	EXPECT(c.n == 1);
	if (c.n == 1) {
		EXPECT(c.v[0].cfg.val[EFS_A_FS_READ_IOPS_LIMIT] == 100);
		EXPECT(c.v[0].cfg.val[EFS_A_FS_WRITE_IOPS_LIMIT] == 40);
		EXPECT(c.v[0].opt_line[EFS_A_FS_WRITE_IOPS_LIMIT] == 4);
		EXPECT(!efs_fs_config_has(&c.v[0].cfg, EFS_A_FS_IOPS_LIMIT));
	}
	efs_conf_free(&c);

	EXPECT(!efs_conf_parse_string("# nothing\n", "e.conf", &c, err,
				      sizeof(err)));
	EXPECT(c.n == 0);
	efs_conf_free(&c);
	EXPECT(!efs_conf_parse_string("", "e.conf", &c, err, sizeof(err)));
	EXPECT(c.n == 0);
	efs_conf_free(&c);
	/* no newline at the end of the last line */
	EXPECT(!efs_conf_parse_string("[a]\npath = /x", "e.conf", &c, err,
				      sizeof(err)));
	EXPECT(c.n == 1 && !strcmp(c.v[0].path, "/x"));
	efs_conf_free(&c);
}

static const struct {
	const char *name, *text, *err;
} bad_confs[] = {
	{ "syntax", "[a]\npath = /x\nthis is not ini\n",
	  "b.conf:3: syntax error (expected [NAME], name = value or a # comment)" },
	{ "unclosed_section", "[a\npath = /x\n",
	  "b.conf:1: syntax error (expected [NAME], name = value or a # comment)" },
	{ "outside_section", "iops-limit = 5\n[a]\npath = /x\n",
	  "b.conf:1: iops-limit: option outside a [filesystem] section" },
	{ "bad_name", "[a b]\npath = /x\n",
	  "b.conf:1: [a b]: invalid filesystem name: use 1-64 characters of A-Z a-z 0-9 . _ -" },
	{ "twice", "[a]\npath = /x\n[b]\npath = /y\n[a]\npath = /z\n",
	  "b.conf:5: [a]: filesystem defined twice (first on line 1)" },
	{ "twice_adjacent", "[a]\npath = /x\n[a]\niops-limit = 1\n",
	  "b.conf:3: [a]: filesystem defined twice (first on line 1)" },
	{ "unknown_option", "[a]\npath = /x\niops = 5\n",
	  "b.conf:3: unknown option 'iops' (see efs.conf(5))" },
	{ "dashes", "[a]\npath = /x\n--iops-limit = 5\n",
	  "b.conf:3: unknown option '--iops-limit' (see efs.conf(5))" },
	{ "bad_u32", "[a]\npath = /x\niops-limit = lots\n",
	  "b.conf:3: iops-limit: invalid value 'lots' (expected 0..100000000)" },
	{ "range", "[a]\npath = /x\nwrite-op-weight = 0\n",
	  "b.conf:3: write-op-weight: invalid value '0' (expected 1..1000)" },
	{ "mode", "[a]\npath = /x\nperformance-mode = fast\n",
	  "b.conf:3: performance-mode: invalid value 'fast' (expected generalPurpose or maxIO)" },
	{ "tp_mode", "[a]\npath = /x\nthroughput-mode = fast\n",
	  "b.conf:3: throughput-mode: invalid value 'fast' (expected bursting, provisioned or elastic)" },
	{ "mibps", "[a]\npath = /x\nprovisioned-throughput-in-mibps = 0.5\n",
	  "b.conf:3: provisioned-throughput-in-mibps: invalid value '0.5' (expected at least 1 MiB/s and at most 1048576 MiB/s)" },
	{ "size", "[a]\npath = /x\nmetered-size = 2EiB\n",
	  "b.conf:3: metered-size: invalid value '2EiB' (expected auto or a size of at most 1 EiB, e.g. 100GiB)" },
	{ "transit", "[a]\npath = /x\ntransit-encryption = yes\n",
	  "b.conf:3: transit-encryption: invalid value 'yes' (expected optional or required)" },
	{ "transit_twice", "[a]\npath = /x\ntransit-encryption = optional\ntransit-encryption = required\n",
	  "b.conf:4: transit-encryption: given twice (first on line 3)" },
	{ "empty_value", "[a]\npath = /x\niops-limit =\n",
	  "b.conf:3: iops-limit: empty value" },
	{ "option_twice", "[a]\npath = /x\niops-limit = 1\n\niops-limit = 2\n",
	  "b.conf:5: iops-limit: given twice (first on line 3)" },
	{ "path_twice", "[a]\npath = /x\npath = /y\n",
	  "b.conf:3: path: given twice (first on line 2)" },
	{ "relative_path", "[a]\npath = srv/x\n",
	  "b.conf:2: path: 'srv/x' is not an absolute path" },
	{ "missing_path", "[a]\niops-limit = 1\n",
	  "b.conf:1: [a]: missing path = DIR" },
	{ "empty_section", "[a]\n[b]\npath = /y\n",
	  "b.conf:1: [a]: missing path = DIR" },
	{ "empty_last_section", "[b]\npath = /y\n[a]\n",
	  "b.conf:3: [a]: missing path = DIR" },
	{ "provisioned_no_rate", "[a]\npath = /x\nthroughput-mode = provisioned\n",
	  "b.conf:3: [a]: provisioned throughput mode needs provisioned-throughput-in-mibps" },
	{ "same_path", "[a]\npath = /x\n[b]\npath = /x\n",
	  "b.conf:4: path: /x is also the path of [a] (line 2)" },
	{ "name_mismatch", "[a]\nname = b\npath = /x\n",
	  "b.conf:2: name: 'b' differs from the section [a]" },
	{ "long_line", "[a]\npath = /xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  "b.conf:2: line too long (at most 198 characters)" },
	/* fits a line as written, but not as fs show --format conf prints it */
	{ "long_path", "[a]\npath=/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	  "b.conf:2: path: longer than 191 characters" },
	{ "read_iops_max", "[a]\npath = /x\nread-iops-limit = 2500001\n",
	  "b.conf:3: read-iops-limit: invalid value '2500001' (expected 0..2500000 read ops/s, EFS's highest; 0 = the throughput mode's default)" },
	{ "write_iops_max", "[a]\npath = /x\nwrite-iops-limit = 1e6\n",
	  "b.conf:3: write-iops-limit: invalid value '1e6' (expected 0..500000 write ops/s, EFS's highest; 0 = the throughput mode's default)" },
	{ "first_error_wins", "[a]\npath = /x\niops-limit = q\nbogus\n",
	  "b.conf:3: iops-limit: invalid value 'q' (expected 0..100000000)" },
};

static void test_conf_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_confs) / sizeof(bad_confs[0]); i++) {
		struct efs_conf c;
		char err[512] = "";
		bool ok = case_ok;

		case_ok = true;
		EXPECT(efs_conf_parse_string(bad_confs[i].text, "b.conf", &c,
					     err, sizeof(err)) == -1);
		EXPECT_STR(err, bad_confs[i].err);
		EXPECT(c.n == 0 && !c.v);
		if (!case_ok)
			fprintf(stderr, "  (case %s)\n", bad_confs[i].name);
		case_ok = case_ok && ok;
	}
}

static void test_conf_load(void)
{
	struct efs_conf c;
	char err[512] = "";

	EXPECT(efs_conf_load("/nonexistent/efs.conf", &c, err,
			     sizeof(err)) == -1);
	EXPECT_STR(err, "/nonexistent/efs.conf: No such file or directory");
	EXPECT(!efs_conf_parse_string("[a]\npath = /nonexistent/x\n", "p.conf",
				      &c, err, sizeof(err)));
	EXPECT(efs_conf_check_paths(&c, "p.conf", err, sizeof(err)) == -1);
	EXPECT_STR(err, "p.conf:2: path: /nonexistent/x: No such file or directory");
	efs_conf_free(&c);
	EXPECT(!efs_conf_parse_string("[a]\npath = /etc/passwd\n", "p.conf",
				      &c, err, sizeof(err)));
	EXPECT(efs_conf_check_paths(&c, "p.conf", err, sizeof(err)) == -1);
	EXPECT_STR(err, "p.conf:2: path: /etc/passwd: Not a directory");
	efs_conf_free(&c);
	/* two spellings of one directory */
	EXPECT(!efs_conf_parse_string("[a]\npath = /tmp\n[b]\npath = /tmp/.\n",
				      "p.conf", &c, err, sizeof(err)));
	EXPECT(efs_conf_check_paths(&c, "p.conf", err, sizeof(err)) == -1);
	EXPECT_STR(err, "p.conf:4: path: /tmp is also the path of [a] (line 2)");
	efs_conf_free(&c);
}

/* ---- plan ---- */

/* A kernel record with the defaults, as FS_GET reports them. */
static void kfs(struct efs_fs_info *fs, const char *name, const char *path)
{
	memset(fs, 0, sizeof(*fs));
	snprintf(fs->name, sizeof(fs->name), "%s", name);
	snprintf(fs->path, sizeof(fs->path), "%s", path);
	fs->performance_mode = EFS_PERF_GENERAL_PURPOSE;
	fs->write_op_weight = EFS_WRITE_WEIGHT_DEFAULT;
	fs->max_wait_ms = EFS_MAX_WAIT_MS_DEFAULT;
	fs->throughput_mode = EFS_TP_BURSTING;
	fs->metered_size = EFS_METERED_SIZE_AUTO;
	fs->read_metering_ratio = EFS_READ_RATIO_DEFAULT;
	fs->size_sample_ms = EFS_SAMPLE_MS_DEFAULT;
	fs->credit_low_pct = EFS_CREDIT_LOW_PCT_DEFAULT;
	fs->burst_credit_balance = 12345;
	fs->per_client_bps = EFS_PER_CLIENT_BPS_DEFAULT;
	fs->client_idle_s = EFS_CLIENT_IDLE_S_DEFAULT;
	fs->cluster_heads = EFS_CLUSTER_HEADS_DEFAULT;
	memset(fs->present, true, sizeof(fs->present));
}

static char *plan_text(const struct efs_plan *p)
{
	static char buf[8192];
	FILE *f;
	size_t i;

	buf[0] = '\0';
	f = fmemopen(buf, sizeof(buf), "w");
	for (i = 0; i < p->n; i++)
		efs_plan_print_step(f, &p->v[i]);
	fclose(f);
	return buf;
}

static int plan_of(const char *conf, const struct efs_fs_info *have, size_t n,
		   struct efs_plan *p)
{
	struct efs_conf c;
	char err[512];
	int ret;

	if (efs_conf_parse_string(conf, "p.conf", &c, err, sizeof(err))) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	ret = efs_plan_make(&c, have, n, p);
	efs_conf_free(&c);
	return ret;
}

static void test_plan_add(void)
{
	struct efs_plan p;

	EXPECT(!plan_of(good_conf, NULL, 0, &p));
	EXPECT_STR(plan_text(&p),
		   "add ci /srv/ci burst-credit-balance=1099511627776\n"
		   "add home /srv/home throughput-mode=provisioned provisioned-throughput-in-mibps=2.5\n"
		   "add media /srv/media performance-mode=maxIO iops-limit=2000 metered-size=107374182400\n");
	/* an add sends the whole configuration, defaults included */
	EXPECT(p.n == 3 && p.v[1].kind == EFS_PLAN_ADD);
	EXPECT(p.v[1].cfg.val[EFS_A_FS_WRITE_OP_WEIGHT] == 5);
	EXPECT(p.v[1].cfg.val[EFS_A_FS_PROVISIONED_BPS] == 5 * MIB / 2);
	EXPECT(!efs_fs_config_has(&p.v[1].cfg, EFS_A_FS_BURST_CREDIT_BALANCE));
	EXPECT(!efs_fs_config_has(&p.v[2].cfg, EFS_A_FS_PROVISIONED_BPS));
	EXPECT(p.v[0].cfg.val[EFS_A_FS_BURST_CREDIT_BALANCE] == 1ULL << 40);
	efs_plan_free(&p);
}

static void test_plan_noop(void)
{
	struct efs_fs_info have[3];
	struct efs_plan p;

	kfs(&have[0], "media", "/srv/media");
	have[0].performance_mode = EFS_PERF_MAX_IO;
	have[0].iops_limit = 2000;
	have[0].metered_size = 100ULL << 30;
	kfs(&have[1], "ci", "/srv/ci");
	have[1].burst_credit_balance = 7;	/* a balance is not a setting */
	kfs(&have[2], "home", "/srv/home");
	have[2].throughput_mode = EFS_TP_PROVISIONED;
	have[2].provisioned_bps = 5 * MIB / 2;
	EXPECT(!plan_of(good_conf, have, 3, &p));
	EXPECT(p.n == 0);
	EXPECT_STR(plan_text(&p), "");
	efs_plan_free(&p);
}

static void test_plan_change(void)
{
	struct efs_fs_info have[2];
	struct efs_plan p;

	kfs(&have[0], "home", "/srv/home");	/* bursting, set by hand */
	have[0].iops_limit = 100;
	kfs(&have[1], "media", "/srv/media");
	have[1].throughput_mode = EFS_TP_PROVISIONED;
	have[1].provisioned_bps = 4 * MIB;
	have[1].max_wait_ms = 10;
	EXPECT(!plan_of("[home]\npath = /srv/home\nthroughput-mode = provisioned\n"
			"provisioned-throughput-in-mibps = 2.5\n"
			"[media]\npath = /srv/media\n", have, 2, &p));
	/* what the file does not say goes back to the default */
	EXPECT_STR(plan_text(&p),
		   "set home iops-limit=0 (was 100) throughput-mode=provisioned (was bursting) provisioned-throughput-in-mibps=2.5 (was 0)\n"
		   "set media max-wait-ms=1000 (was 10) throughput-mode=bursting (was provisioned) provisioned-throughput-in-mibps=0 (was 4)\n");
	EXPECT(p.n == 2 && p.v[0].kind == EFS_PLAN_SET);
	/* a set sends only what changes */
	EXPECT(p.v[0].cfg.nset == 3 && p.v[0].cfg.set[EFS_A_FS_IOPS_LIMIT] &&
	       p.v[0].cfg.set[EFS_A_FS_THROUGHPUT_MODE] &&
	       p.v[0].cfg.set[EFS_A_FS_PROVISIONED_BPS]);
	efs_plan_free(&p);
}

static void test_plan_remove_and_order(void)
{
	struct efs_fs_info have[4];
	struct efs_plan p;

	kfs(&have[0], "zeta", "/srv/zeta");	/* not in the file: del */
	kfs(&have[1], "old", "/srv/new");	/* its path moves to "new" */
	kfs(&have[2], "moved", "/srv/a");	/* path changed: del + add */
	kfs(&have[3], "keep", "/srv/keep");
	have[3].credit_low_pct = 50;
	EXPECT(!plan_of("[new]\npath = /srv/new\n[moved]\npath = /srv/b\n"
			"[keep]\npath = /srv/keep\n", have, 4, &p));
	EXPECT_STR(plan_text(&p),
		   "del moved /srv/a\n"
		   "del old /srv/new\n"
		   "del zeta /srv/zeta\n"
		   "set keep credit-low-percent=10 (was 50)\n"
		   "add moved /srv/b\n"
		   "add new /srv/new\n");
	efs_plan_free(&p);

	/* an empty file removes everything */
	EXPECT(!plan_of("", have, 2, &p));
	EXPECT_STR(plan_text(&p), "del old /srv/new\ndel zeta /srv/zeta\n");
	efs_plan_free(&p);
}

/*
 * apply's undo: from what the kernel has after a failed apply back to
 * what it had: the moved and the deleted come back (with their credit
 * balance), the added go, the changed options return; a second restore
 * from the restored state has nothing to do.
 */
static void test_plan_restore(void)
{
	struct efs_fs_info before[3], now[3];
	struct efs_plan p;

	kfs(&before[0], "home", "/srv/home");
	before[0].iops_limit = 100;
	kfs(&before[1], "gone", "/srv/gone");
	before[1].max_wait_ms = 400;
	before[1].burst_credit_balance = 777;
	kfs(&before[2], "moved", "/srv/a");
	kfs(&now[0], "home", "/srv/home");
	now[0].iops_limit = 300;
	now[0].burst_credit_balance = 1;	/* a balance is not restored by set */
	kfs(&now[1], "new", "/srv/new");
	kfs(&now[2], "moved", "/srv/b");
	EXPECT(!efs_plan_restore(before, 3, now, 3, &p));
	EXPECT_STR(plan_text(&p),
		   "del moved /srv/b\n"
		   "del new /srv/new\n"
		   "set home iops-limit=100 (was 300)\n"
		   "add gone /srv/gone max-wait-ms=400\n"
		   "add moved /srv/a\n");
	EXPECT(p.n == 5 && p.v[3].kind == EFS_PLAN_ADD &&
	       efs_fs_config_has(&p.v[3].cfg, EFS_A_FS_BURST_CREDIT_BALANCE) &&
	       p.v[3].cfg.val[EFS_A_FS_BURST_CREDIT_BALANCE] == 777);
	EXPECT(p.v[4].cfg.val[EFS_A_FS_BURST_CREDIT_BALANCE] == 12345);
	efs_plan_free(&p);

	EXPECT(!efs_plan_restore(before, 3, before, 3, &p));
	EXPECT_STR(plan_text(&p), "");
	efs_plan_free(&p);

	/* nothing before: everything there now goes */
	EXPECT(!efs_plan_restore(NULL, 0, now, 2, &p));
	EXPECT_STR(plan_text(&p), "del home /srv/home\ndel new /srv/new\n");
	efs_plan_free(&p);
}

/* fs show --format conf reads back to a plan with nothing to do */
static void test_conf_round_trip(void)
{
	struct efs_fs_info have[3];
	static char buf[8192];
	struct efs_conf c;
	struct efs_plan p;
	char err[512];
	FILE *f;

	kfs(&have[0], "a", "/srv/a");
	have[0].throughput_mode = EFS_TP_PROVISIONED;
	have[0].provisioned_bps = 3 * MIB + 12345;	/* odd bytes/s */
	have[0].performance_mode = EFS_PERF_MAX_IO;
	have[0].metered_size = 5ULL << 40;
	kfs(&have[1], "b", "/srv/b");
	have[1].throughput_mode = EFS_TP_ELASTIC;
	have[1].provisioned_bps = 2 * MIB;	/* kept for a later switch */
	have[1].iops_limit = 77;
	have[1].write_op_weight = 1;
	have[1].max_wait_ms = 0;
	have[1].max_waiters = 3;
	have[1].read_metering_ratio = 1;
	have[1].size_sample_ms = 100;
	have[1].credit_low_pct = 0;
	have[1].transit_policy = EFS_TRANSIT_REQUIRED;
	have[1].read_iops_limit = 100;
	have[1].write_iops_limit = 40;
	kfs(&have[2], "c", "/srv/c");
	f = fmemopen(buf, sizeof(buf), "w");
	EXPECT(!efs_conf_print(f, have, 3, err, sizeof(err)));
	fclose(f);
	/* only b's differs from the default, and is printed */
	EXPECT(strstr(buf, "[b]\n") &&
	       strstr(strstr(buf, "[b]\n"), "\ntransit-encryption = required\n"));
	EXPECT(!strstr(buf, "transit-encryption = optional"));
	EXPECT(strstr(strstr(buf, "[b]\n"), "\nread-iops-limit = 100\n"));
	EXPECT(strstr(strstr(buf, "[b]\n"), "\nwrite-iops-limit = 40\n"));
	EXPECT(!strstr(buf, "read-iops-limit = 0"));
	EXPECT(!efs_conf_parse_string(buf, "rt.conf", &c, err, sizeof(err)));
	if (!case_ok) {
		fprintf(stderr, "  %s\n%s", err, buf);
		return;
	}
	EXPECT(c.n == 3);
	EXPECT(c.v[1].cfg.val[EFS_A_FS_TRANSIT_POLICY] == EFS_TRANSIT_REQUIRED);
	EXPECT(!efs_plan_make(&c, have, 3, &p));
	EXPECT(p.n == 0);
	if (p.n)
		fprintf(stderr, "%s---\n%s", buf, plan_text(&p));
	efs_plan_free(&p);
	/* and a change of it alone is planned as a set of it */
	have[1].transit_policy = EFS_TRANSIT_OPTIONAL;
	EXPECT(!efs_plan_make(&c, have, 3, &p));
	EXPECT(p.n == 1);
	EXPECT(strstr(plan_text(&p), "transit-encryption=required"));
	efs_plan_free(&p);
	efs_conf_free(&c);
}

/* a running path efs.conf cannot hold is refused, with nothing printed */
static void test_conf_print_long_path(void)
{
	struct efs_fs_info have[2];
	char *text = NULL, err[512] = "";
	size_t len = 0;
	FILE *f;

	kfs(&have[0], "a", "/srv/a");
	kfs(&have[1], "b", "/");
	memset(have[1].path + 1, 'x', EFS_CONF_PATH_MAX);
	have[1].path[EFS_CONF_PATH_MAX + 1] = '\0';
	f = open_memstream(&text, &len);
	EXPECT(efs_conf_print(f, have, 2, err, sizeof(err)) == -1);
	fclose(f);
	EXPECT(len == 0);
	EXPECT(!strcmp(err, "[b]: path is longer than the 191 characters efs.conf can hold"));
	free(text);
	have[1].path[EFS_CONF_PATH_MAX] = '\0';	/* exactly the limit */
	text = NULL;
	f = open_memstream(&text, &len);
	EXPECT(!efs_conf_print(f, have, 2, err, sizeof(err)));
	fclose(f);
	free(text);
}

/* ---- state file ---- */

static void state_fs(struct efs_fs_info *fs, const char *name, const char *path)
{
	unsigned int i;

	kfs(fs, name, path);
	fs->burst_credit_balance = 1000000;
	fs->burst_credit_max = 2308974418330ULL;
	fs->baseline_bps = MIB;
	fs->data_read_bytes = 11;
	fs->data_read_ops = 12;
	fs->data_write_bytes = 13;
	fs->data_write_ops = 14;
	fs->metadata_bytes = 15;
	fs->metadata_ops = 16;
	fs->metered_bytes = 17;
	fs->io_units = 18;
	fs->throttled_ops = 19;
	fs->throttle_delay_ns = 20;
	fs->delay_replies = 21;
	fs->wait_hist_n = EFS_WAIT_HIST_BUCKETS;
	for (i = 0; i < EFS_WAIT_HIST_BUCKETS; i++)
		fs->wait_hist[i] = 100 + i;
}

static int state_of(const char *text, struct efs_state *s, char *err,
		    size_t len)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = efs_state_parse(f, "st", s, err, len);

	fclose(f);
	return ret;
}

static void test_state_round_trip(void)
{
	struct efs_fs_info fs[2];
	static char buf[16384];
	struct efs_fs_config a, b;
	struct efs_state s;
	char err[512] = "";
	FILE *f;

	state_fs(&fs[0], "home", "/srv/my home%");
	fs[0].throughput_mode = EFS_TP_PROVISIONED;
	fs[0].provisioned_bps = 5 * MIB / 2;
	fs[0].transit_policy = EFS_TRANSIT_REQUIRED;
	fs[0].tls_ops = 7;		/* not state: never saved */
	fs[0].read_iops_limit = 100;
	fs[0].write_iops_limit = 40;
	state_fs(&fs[1], "x", "/srv/x");
	fs[1].wait_hist_n = 0;
	f = fmemopen(buf, sizeof(buf), "w");
	efs_state_write(f, 1700000000123456789ULL, fs, 2);
	fclose(f);
	EXPECT(!strncmp(buf, "efs-state 1\n", 12));
	EXPECT(strstr(buf, "fs home /srv/my%20home%25 "));
	EXPECT(strstr(buf, " transit-encryption=required "));
	EXPECT(strstr(buf, " transit-encryption=optional "));
	EXPECT(strstr(buf, " read-iops-limit=100 write-iops-limit=40 "));
	EXPECT(!strstr(buf, "tls"));
	EXPECT(!state_of(buf, &s, err, sizeof(err)));
	if (!case_ok) {
		fprintf(stderr, "  %s\n%s", err, buf);
		return;
	}
	EXPECT(s.saved_ns == 1700000000123456789ULL);
	EXPECT(s.n == 2);
	EXPECT_STR(s.v[0].path, "/srv/my home%");
	EXPECT(s.v[0].burst_credit_balance == 1000000);
	EXPECT(s.v[0].burst_credit_max == 2308974418330ULL);
	EXPECT(s.v[0].baseline_bps == MIB);
	EXPECT(s.v[0].data_read_bytes == 11 && s.v[0].delay_replies == 21);
	EXPECT(s.v[0].io_units == 18 && s.v[0].throttle_delay_ns == 20);
	EXPECT(s.v[0].wait_hist_n == EFS_WAIT_HIST_BUCKETS);
	EXPECT(s.v[0].wait_hist[15] == 115);
	EXPECT(s.v[1].wait_hist_n == 0);
	efs_fs_info_config(&fs[0], &a);
	efs_fs_info_config(&s.v[0], &b);
	EXPECT(b.val[EFS_A_FS_PROVISIONED_BPS] == 5 * MIB / 2);
	EXPECT(a.val[EFS_A_FS_THROUGHPUT_MODE] == b.val[EFS_A_FS_THROUGHPUT_MODE]);
	EXPECT(a.val[EFS_A_FS_METERED_SIZE] == b.val[EFS_A_FS_METERED_SIZE]);
	EXPECT(s.v[0].transit_policy == EFS_TRANSIT_REQUIRED);
	EXPECT(b.val[EFS_A_FS_TRANSIT_POLICY] == EFS_TRANSIT_REQUIRED);
	EXPECT(s.v[1].transit_policy == EFS_TRANSIT_OPTIONAL);
	EXPECT(s.v[0].tls_ops == 0);
	EXPECT(s.v[0].read_iops_limit == 100 && s.v[0].write_iops_limit == 40);
	EXPECT(b.val[EFS_A_FS_READ_IOPS_LIMIT] == 100);
	EXPECT(b.val[EFS_A_FS_WRITE_IOPS_LIMIT] == 40);
	EXPECT(s.v[1].read_iops_limit == 0);
	efs_state_free(&s);
}

#define HDR "efs-state 1\nsaved-at 1700000000.000000000\n"
#define FSL "fs a /srv/a burst-credit-balance=5 burst-credit-max=10 baseline-throughput=1"

static const struct {
	const char *name, *text, *err;
} bad_states[] = {
	{ "empty", "", "st: empty (not an efs state file)" },
	{ "not_state", "hello\n", "st:1: not an efs state file (expected 'efs-state 1')" },
	{ "version", "efs-state 2\n", "st:1: state format version 2 is not known (this efsctl reads 1)" },
	{ "no_time", "efs-state 1\n", "st: no saved-at line" },
	{ "bad_time", "efs-state 1\nsaved-at soon\n", "st:2: expected one 'saved-at SECONDS.NANOSECONDS'" },
	{ "signed_ns", "efs-state 1\nsaved-at 0.-25400415\n", "st:2: expected one 'saved-at SECONDS.NANOSECONDS'" },
	{ "blank_sec", "efs-state 1\nsaved-at  1.000000000\n", "st:2: expected one 'saved-at SECONDS.NANOSECONDS'" },
	{ "huge_sec", "efs-state 1\nsaved-at 18446744073.000000000\n", "st:2: expected one 'saved-at SECONDS.NANOSECONDS'" },
	{ "truncated", HDR "fs a /srv/a burst-credit-bal", "st:3: truncated (no newline at the end)" },
	{ "unknown_line", HDR "garbage\n", "st:3: unknown line (expected saved-at or fs)" },
	{ "fs_short", HDR "fs a\n", "st:3: expected: fs NAME PATH key=value ..." },
	{ "fs_name", HDR "fs a/b /srv burst-credit-balance=1\n", "st:3: invalid filesystem name 'a/b'" },
	{ "fs_path", HDR "fs a srv burst-credit-balance=1\n", "st:3: invalid path 'srv'" },
	{ "fs_twice", HDR FSL "\n" FSL "\n", "st:4: filesystem a given twice" },
	{ "kv", HDR FSL " iops-limit\n", "st:3: 'iops-limit': expected key=value" },
	{ "unknown_key", HDR FSL " colour=blue\n", "st:3: unknown key 'colour'" },
	{ "bad_number", HDR FSL " io-units=-1\n", "st:3: io-units: invalid value '-1' (expected a number)" },
	{ "bad_option", HDR FSL " performance-mode=slow\n", "st:3: performance-mode: invalid value 'slow' (expected generalPurpose or maxIO)" },
	{ "bad_transit", HDR FSL " transit-encryption=1\n", "st:3: transit-encryption: invalid value '1' (expected optional or required)" },
	{ "bad_read_iops", HDR FSL " read-iops-limit=2500001\n", "st:3: read-iops-limit: invalid value '2500001' (expected 0..2500000 read ops/s, EFS's highest; 0 = the throughput mode's default)" },
	{ "bad_hist", HDR FSL " wait-hist=1,,2\n", "st:3: wait-hist: invalid value '1,,2'" },
	{ "long_hist", HDR FSL " wait-hist=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17\n", "st:3: wait-hist: invalid value '1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17'" },
	{ "key_twice", HDR FSL " io-units=1 io-units=2\n", "st:3: io-units: given twice" },
	{ "no_balance", HDR "fs a /srv/a io-units=1\n", "st:3: a: needs burst-credit-balance, burst-credit-max and baseline-throughput" },
	{ "over_max", HDR "fs a /srv/a burst-credit-balance=11 burst-credit-max=10 baseline-throughput=1\n", "st:3: a: burst-credit-balance is above burst-credit-max" },
	{ "provisioned", HDR FSL " throughput-mode=provisioned\n", "st:3: a: provisioned throughput mode needs provisioned-throughput-in-mibps" },
};

static void test_state_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++) {
		struct efs_state s;
		char err[512] = "";
		bool ok = case_ok;

		case_ok = true;
		EXPECT(state_of(bad_states[i].text, &s, err, sizeof(err)) == -1);
		EXPECT_STR(err, bad_states[i].err);
		EXPECT(s.n == 0 && !s.v);
		if (!case_ok)
			fprintf(stderr, "  (case %s)\n", bad_states[i].name);
		case_ok = case_ok && ok;
	}
}

static void test_state_ok_variants(void)
{
	struct efs_state s;
	char err[512] = "";

	/* comments, blank lines, no filesystems */
	EXPECT(!state_of(HDR "# hi\n\n", &s, err, sizeof(err)));
	EXPECT(s.n == 0);
	efs_state_free(&s);
	EXPECT(!state_of(HDR FSL "\n", &s, err, sizeof(err)));
	EXPECT(s.n == 1 && s.v[0].burst_credit_balance == 5);
	efs_state_free(&s);
}

static void test_state_accrual(void)
{
	struct efs_fs_info fs;

	memset(&fs, 0, sizeof(fs));
	fs.burst_credit_balance = 1000;
	fs.burst_credit_max = 1ULL << 40;
	fs.baseline_bps = MIB;
	EXPECT(efs_state_balance(&fs, 0) == 1000);
	EXPECT(efs_state_balance(&fs, 10000000000ULL) == 1000 + 10 * MIB);
	EXPECT(efs_state_balance(&fs, 500000000ULL) == 1000 + MIB / 2);
	/* capped at the maximum, and no overflow on huge gaps */
	EXPECT(efs_state_balance(&fs, 2000000ULL * 1000000000ULL) == 1ULL << 40);
	EXPECT(efs_state_balance(&fs, UINT64_MAX) == 1ULL << 40);
	fs.burst_credit_balance = fs.burst_credit_max;
	EXPECT(efs_state_balance(&fs, 1000000000ULL) == 1ULL << 40);
	fs.burst_credit_balance = 5;
	fs.baseline_bps = 0;
	EXPECT(efs_state_balance(&fs, UINT64_MAX) == 5);
}

int main(void)
{
	const char *r = getenv("EFS_RESULTS");

	if (r && *r)
		results = fopen(r, "a");
	run("apply_conf_good", test_conf_good);
	run("apply_conf_errors", test_conf_errors);
	run("apply_conf_load_paths", test_conf_load);
	run("apply_plan_add", test_plan_add);
	run("apply_plan_noop", test_plan_noop);
	run("apply_plan_change", test_plan_change);
	run("apply_plan_remove_order", test_plan_remove_and_order);
	run("apply_plan_restore", test_plan_restore);
	run("apply_conf_round_trip", test_conf_round_trip);
	run("apply_conf_print_long_path", test_conf_print_long_path);
	run("state_round_trip", test_state_round_trip);
	run("state_errors", test_state_errors);
	run("state_ok_variants", test_state_ok_variants);
	run("state_accrual", test_state_accrual);
	if (results)
		fclose(results);
	return failures ? 1 : 0;
}
