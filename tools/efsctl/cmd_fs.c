// SPDX-License-Identifier: GPL-2.0
/*
 * fs add, fs set, fs del, fs show.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libmnl/libmnl.h>

#include "atrest.h"
#include "conf.h"
#include "efsctl.h"
#include "fs_get.h"
#include "fs_opts.h"
#include "print.h"
#include "units.h"

const char cmd_fs_add_usage[] =
"Usage: efsctl fs add NAME PATH [OPTIONS]\n"
"\n"
"Put the export rooted at directory PATH under EFS-style QoS, as\n"
"filesystem NAME (1-64 characters of A-Z a-z 0-9 . _ -). PATH is resolved\n"
"to an absolute path first. Prints nothing on success (see -v).\n"
"\n"
"Options (defaults apply to what is not given):\n"
EFS_FS_OPTS_HELP
"\n"
"provisioned throughput mode needs --provisioned-throughput-in-mibps.\n";

const char cmd_fs_set_usage[] =
"Usage: efsctl fs set NAME OPTIONS\n"
"\n"
"Change the settings of filesystem NAME; what is not given is kept, and so\n"
"are its counters and credit balance. Prints nothing on success (see -v).\n"
"\n"
"Options:\n"
EFS_FS_OPTS_HELP;

const char cmd_fs_del_usage[] =
"Usage: efsctl fs del NAME [-v]\n"
"\n"
"Remove filesystem NAME: its export is no longer limited.\n"
"\n"
"Options:\n"
"  -v, --verbose  print a confirmation line\n"
"  -h, --help\n";

const char cmd_fs_show_usage[] =
"Usage: efsctl fs show [NAME] [--json | --format text|json|conf|names]\n"
"\n"
"Show configuration and live state of filesystem NAME, or of all.\n"
"\n"
"Options:\n"
"  --json      one JSON document: {\"FileSystems\":[...]}, with fields named\n"
"              as in EFS's DescribeFileSystems: ReadIopsLimit and\n"
"              WriteIopsLimit are the read and write budgets in force (ops/s,\n"
"              0 = none; *Configured the settings, 0 = the throughput mode's\n"
"              default), CombinedIopsLimit the older model's budget in force\n"
"              (units/s, 0 = none; IopsLimitConfigured its setting), IopsLimit\n"
"              the reads a second admitted: the lower of the two\n"
"\n"
"text and json also show what efsctl reads from the host: whether PATH is\n"
"encrypted at rest (dm-crypt/LUKS beneath it, or fscrypt on it: cipher,\n"
"key bits, AES-256 or not; EncryptionAtRest) and the export's clients,\n"
"options and xprtsec modes as nfs-utils gave them to knfsd\n"
"(/var/lib/nfs/etab, else /proc/fs/nfsd/exports; Exports).\n"
"  --format F  text (default), json (as --json), conf (the configuration\n"
"              as an efs.conf(5) file that efsctl apply reads back) or\n"
"              names (one name a line)\n"
"  -h, --help\n";

const char cmd_fs_grant_usage[] =
"Usage: efsctl fs grant NAME --iops N --throughput-bytes BYTES --lease-ms N\n"
"                       --heads N [--forget-ms N] [-v]\n"
"\n"
"Grant this head its share of cluster filesystem NAME (scope cluster) as a\n"
"lease: what efs-clusterd sends every tick (EFS_CMD_FS_GRANT); useful to\n"
"test. Until the lease runs out the module admits at most\n"
"min(the filesystem's IOPS budget, N) units/s and BYTES metered bytes/s;\n"
"if no grant renews it, the module falls by itself to min(the grant, the\n"
"safe share), the budget divided by --heads, and raises a lease-expired\n"
"event; past --forget-ms, to 1 unit/s (lease-forgotten).\n"
"\n"
"Options (all but -v required):\n"
"  --iops N                  units/s, 0..100000000 (0: 1 unit/s)\n"
"  --throughput-bytes BYTES  metered bytes/s, at most 1 TiB/s; a number\n"
"                            or a size such as 64MiB (0: 1 byte/s)\n"
"  --lease-ms N              how long the grant holds, 1..600000 ms\n"
"  --heads N                 heads in the cluster's membership, 1..1024\n"
"  --forget-ms N             then admit nothing (1 unit/s), lease..3600000 ms\n"
"                            (default 0: keep the safe share)\n"
"  -v, --verbose             print a confirmation line\n"
"  -h, --help\n";

static const struct opt_def verbose_opts[] = {
	{ "verbose", 'v', false, FS_OPT_VERBOSE },
	{ NULL, 0, false, 0 },
};

enum { FS_OPT_FORMAT = FS_OPT_CONFIG - 100 };

static const struct opt_def show_opts[] = {
	{ "json", 0, false, FS_OPT_JSON },
	{ "format", 0, true, FS_OPT_FORMAT },
	{ NULL, 0, false, 0 },
};

static bool has_opt(const struct opts *o, int id)
{
	int i;

	for (i = 0; i < o->nhits; i++)
		if (o->hits[i].def->id == id)
			return true;
	return false;
}

/* Check the count of positional arguments: at least min, at most max. */
static int check_args(const struct opts *o, int min, int max,
		      const char *const *names)
{
	if (o->npos < min) {
		efs_err("missing %s", names[o->npos]);
		return -1;
	}
	if (o->npos > max) {
		efs_err("unexpected argument '%s'", o->pos[max]);
		return -1;
	}
	return 0;
}

static int check_name(const char *name)
{
	if (efs_name_valid(name))
		return 0;
	efs_err("invalid name '%s': use 1-%d characters of A-Z a-z 0-9 . _ -",
		name, EFS_FS_NAME_MAX);
	return -1;
}

static int resolve_dir(const char *path, char *out)
{
	struct stat st;

	if (!realpath(path, out)) {
		if (errno == ENAMETOOLONG)
			efs_err("%s: path too long", path);
		else
			efs_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(out, &st)) {
		efs_err("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		efs_err("%s: %s", path, strerror(ENOTDIR));
		return -1;
	}
	if (strlen(out) >= EFS_PATH_MAX) {
		efs_err("%s: path too long", path);
		return -1;
	}
	return 0;
}

static bool wants_at_rest(const struct efs_fs_config *cfg)
{
	return efs_fs_config_has(cfg, EFS_A_FS_AT_REST_POLICY) &&
	       cfg->val[EFS_A_FS_AT_REST_POLICY] == EFS_AT_REST_REQUIRED;
}

/* --encryption-at-rest required: refuse a path not encrypted with AES-256. */
static int check_at_rest(const char *name, const char *path)
{
	struct efs_at_rest r;
	char why[512];

	efs_at_rest_detect(path, &r);
	if (!efs_at_rest_check(name, path, &r, why, sizeof(why)))
		return 0;
	efs_err("%s", why);
	return -1;
}

/*
 * Send an add or set request. The reply carries the filesystem, but the
 * change is made once the kernel acks, so the record is not needed here.
 */
static int send_config(uint8_t cmd, const char *name, const char *path,
		       const struct efs_fs_config *cfg, bool verbose)
{
	struct nlmsghdr *req;
	struct efs_nl nl;
	int err;

	if (efs_connect(&nl))
		return EXIT_FAIL;
	req = efs_nl_request(&nl, cmd, false);
	mnl_attr_put_strz(req, EFS_A_FS_NAME, name);
	if (path)
		mnl_attr_put_strz(req, EFS_A_FS_PATH, path);
	efs_fs_config_put(req, cfg);
	err = efs_nl_talk(&nl, req, NULL, NULL);
	if (err) {
		efs_report_nl_error(&nl, err, name);
	} else {
		efs_report_nl_warning(&nl);
		if (verbose && cmd == EFS_CMD_FS_ADD)
			printf("added filesystem %s at %s\n", name, path);
		else if (verbose)
			printf("changed filesystem %s\n", name);
	}
	efs_nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

int cmd_fs_add(int argc, char **argv)
{
	static const char *const names[] = { "NAME", "PATH" };
	struct efs_fs_config cfg;
	char path[PATH_MAX];
	struct opts o;

	if (opts_parse(efs_fs_config_opts, argc, argv, &o) ||
	    check_args(&o, 2, 2, names) || check_name(o.pos[0]) ||
	    efs_fs_config_parse(&o, &cfg))
		return EXIT_FAIL;
	if (efs_fs_config_has(&cfg, EFS_A_FS_THROUGHPUT_MODE) &&
	    cfg.val[EFS_A_FS_THROUGHPUT_MODE] == EFS_TP_PROVISIONED &&
	    !efs_fs_config_has(&cfg, EFS_A_FS_PROVISIONED_BPS)) {
		efs_err("provisioned throughput mode needs --provisioned-throughput-in-mibps");
		return EXIT_FAIL;
	}
	if (resolve_dir(o.pos[1], path))
		return EXIT_FAIL;
	if (wants_at_rest(&cfg) && check_at_rest(o.pos[0], path))
		return EXIT_FAIL;
	return send_config(EFS_CMD_FS_ADD, o.pos[0], path, &cfg,
			   has_opt(&o, FS_OPT_VERBOSE));
}

int cmd_fs_set(int argc, char **argv)
{
	static const char *const names[] = { "NAME" };
	struct efs_fs_config cfg;
	struct opts o;

	if (opts_parse(efs_fs_config_opts, argc, argv, &o) ||
	    check_args(&o, 1, 1, names) || check_name(o.pos[0]) ||
	    efs_fs_config_parse(&o, &cfg))
		return EXIT_FAIL;
	if (!cfg.nset) {
		efs_err("nothing to change (see efsctl fs set --help)");
		return EXIT_FAIL;
	}
	if (wants_at_rest(&cfg)) {
		struct efs_fs_list l = { 0 };
		int bad;

		if (efs_fs_fetch_sorted(o.pos[0], &l))
			return EXIT_FAIL;
		bad = l.n != 1 || check_at_rest(o.pos[0], l.v[0].path);
		efs_fs_list_free(&l);
		if (bad)
			return EXIT_FAIL;
	}
	return send_config(EFS_CMD_FS_SET, o.pos[0], NULL, &cfg,
			   has_opt(&o, FS_OPT_VERBOSE));
}

int cmd_fs_del(int argc, char **argv)
{
	static const char *const names[] = { "NAME" };
	struct nlmsghdr *req;
	struct efs_nl nl;
	struct opts o;
	int err;

	if (opts_parse(verbose_opts, argc, argv, &o) ||
	    check_args(&o, 1, 1, names) || check_name(o.pos[0]))
		return EXIT_FAIL;
	if (efs_connect(&nl))
		return EXIT_FAIL;
	req = efs_nl_request(&nl, EFS_CMD_FS_DEL, false);
	mnl_attr_put_strz(req, EFS_A_FS_NAME, o.pos[0]);
	err = efs_nl_talk(&nl, req, NULL, NULL);
	if (err) {
		efs_report_nl_error(&nl, err, o.pos[0]);
	} else {
		efs_report_nl_warning(&nl);
		if (has_opt(&o, FS_OPT_VERBOSE))
			printf("removed filesystem %s\n", o.pos[0]);
	}
	efs_nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

static const char *opt_value(const struct opts *o, int id)
{
	int i;

	for (i = 0; i < o->nhits; i++)
		if (o->hits[i].def->id == id)
			return o->hits[i].value;
	return NULL;
}

enum {
	GRANT_IOPS = FS_OPT_CONFIG + 200, GRANT_BPS, GRANT_LEASE, GRANT_HEADS,
	GRANT_FORGET,
};

static const struct opt_def grant_opts[] = {
	{ "iops", 0, true, GRANT_IOPS },
	{ "throughput-bytes", 0, true, GRANT_BPS },
	{ "lease-ms", 0, true, GRANT_LEASE },
	{ "heads", 0, true, GRANT_HEADS },
	{ "forget-ms", 0, true, GRANT_FORGET },
	{ "verbose", 'v', false, FS_OPT_VERBOSE },
	{ NULL, 0, false, 0 },
};

int cmd_fs_grant(int argc, char **argv)
{
	static const char *const names[] = { "NAME" };
	const char *iops_s, *bps_s, *lease_s, *heads_s, *forget_s;
	uint32_t iops32, lease, heads, forget = 0;
	struct nlmsghdr *req;
	struct efs_nl nl;
	struct opts o;
	uint64_t bps;
	int err;

	if (opts_parse(grant_opts, argc, argv, &o) ||
	    check_args(&o, 1, 1, names) || check_name(o.pos[0]))
		return EXIT_FAIL;
	iops_s = opt_value(&o, GRANT_IOPS);
	bps_s = opt_value(&o, GRANT_BPS);
	lease_s = opt_value(&o, GRANT_LEASE);
	heads_s = opt_value(&o, GRANT_HEADS);
	forget_s = opt_value(&o, GRANT_FORGET);
	if (!iops_s || !bps_s || !lease_s || !heads_s) {
		efs_err("a grant needs --iops, --throughput-bytes, --lease-ms and --heads");
		return EXIT_FAIL;
	}
	if (efs_parse_u32_range(iops_s, 0, EFS_IOPS_LIMIT_MAX, &iops32)) {
		efs_err("--iops: invalid value '%s' (expected 0..%u)", iops_s,
			EFS_IOPS_LIMIT_MAX);
		return EXIT_FAIL;
	}
	if (efs_parse_size(bps_s, EFS_PROVISIONED_BPS_MAX, &bps)) {
		efs_err("--throughput-bytes: invalid value '%s' (expected bytes/s, at most 1TiB)",
			bps_s);
		return EXIT_FAIL;
	}
	if (efs_parse_u32_range(lease_s, 1, EFS_GRANT_LEASE_MS_MAX, &lease)) {
		efs_err("--lease-ms: invalid value '%s' (expected 1..%u)",
			lease_s, EFS_GRANT_LEASE_MS_MAX);
		return EXIT_FAIL;
	}
	if (efs_parse_u32_range(heads_s, 1, EFS_CLUSTER_HEADS_MAX, &heads)) {
		efs_err("--heads: invalid value '%s' (expected 1..%u)", heads_s,
			EFS_CLUSTER_HEADS_MAX);
		return EXIT_FAIL;
	}
	if (forget_s && (efs_parse_u32_range(forget_s, 0,
					     EFS_GRANT_FORGET_MS_MAX, &forget) ||
			 (forget && forget < lease))) {
		efs_err("--forget-ms: invalid value '%s' (expected 0 or --lease-ms..%u)",
			forget_s, EFS_GRANT_FORGET_MS_MAX);
		return EXIT_FAIL;
	}
	if (efs_connect(&nl))
		return EXIT_FAIL;
	req = efs_nl_request(&nl, EFS_CMD_FS_GRANT, false);
	mnl_attr_put_strz(req, EFS_A_FS_NAME, o.pos[0]);
	mnl_attr_put_u64(req, EFS_A_GRANT_IOPS, iops32);
	mnl_attr_put_u64(req, EFS_A_GRANT_BPS, bps);
	mnl_attr_put_u32(req, EFS_A_GRANT_LEASE_MS, lease);
	mnl_attr_put_u32(req, EFS_A_GRANT_HEADS, heads);
	if (forget)
		mnl_attr_put_u32(req, EFS_A_GRANT_FORGET_MS, forget);
	err = efs_nl_talk(&nl, req, NULL, NULL);
	if (err) {
		efs_report_nl_error(&nl, err, o.pos[0]);
	} else {
		efs_report_nl_warning(&nl);
		if (has_opt(&o, FS_OPT_VERBOSE))
			printf("granted filesystem %s %u units/s, %llu bytes/s for %u ms (%u heads)\n",
			       o.pos[0], iops32, (unsigned long long)bps, lease,
			       heads);
	}
	efs_nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

int cmd_fs_show(int argc, char **argv)
{
	struct efs_fs_list l = { 0 };
	const char *name, *format;
	bool json;
	struct out out;
	struct opts o;
	size_t i;

	if (opts_parse(show_opts, argc, argv, &o))
		return EXIT_FAIL;
	format = opt_value(&o, FS_OPT_FORMAT);
	json = has_opt(&o, FS_OPT_JSON);
	if (format && json) {
		efs_err("--json and --format exclude each other");
		return EXIT_FAIL;
	}
	if (!format)
		format = json ? "json" : "text";
	if (strcmp(format, "text") && strcmp(format, "json") &&
	    strcmp(format, "conf") && strcmp(format, "names")) {
		efs_err("--format: invalid value '%s' (expected text, json, conf or names)",
			format);
		return EXIT_FAIL;
	}
	if (o.npos > 1) {
		efs_err("unexpected argument '%s'", o.pos[1]);
		return EXIT_FAIL;
	}
	name = o.npos ? o.pos[0] : NULL;
	if (name && check_name(name))
		return EXIT_FAIL;
	if (efs_fs_fetch_sorted(name, &l))
		return EXIT_FAIL;
	if (!strcmp(format, "conf")) {
		char why[256];

		if (efs_conf_print(stdout, l.v, l.n, why, sizeof(why))) {
			efs_err("--format conf: %s", why);
			efs_fs_list_free(&l);
			return EXIT_FAIL;
		}
	} else if (!strcmp(format, "names")) {
		for (i = 0; i < l.n; i++)
			printf("%s\n", l.v[i].name);
	} else {
		struct efs_fs_local *local = calloc(l.n ? l.n : 1,
						    sizeof(*local));

		for (i = 0; local && i < l.n; i++) {
			efs_at_rest_detect(l.v[i].path, &local[i].at_rest);
			efs_exports_read(l.v[i].path, &local[i].exports);
			l.v[i].local = &local[i];
		}
		out_init(&out, stdout, !strcmp(format, "json"), true);
		efs_print_fs_list(&out, l.v, l.n);
		free(local);
	}
	efs_fs_list_free(&l);
	return EXIT_OK;
}
