// SPDX-License-Identifier: GPL-2.0
/*
 * apply: make the kernel's filesystems match efs.conf (conf.c parses,
 * plan.c decides, this file talks to the kernel).
 */
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>

#include "atrest.h"
#include "conf.h"
#include "efsctl.h"
#include "fs_get.h"
#include "nl.h"
#include "opts.h"
#include "plan.h"

const char cmd_apply_usage[] =
"Usage: efsctl apply [FILE] [--dry-run]\n"
"\n"
"Make the kernel's filesystems match FILE (default " EFS_CONF_DEFAULT ",\n"
"see efs.conf(5)): add those only in the file, change the options that\n"
"differ (counters and credit balances are kept), remove those not in the\n"
"file. A filesystem whose path changed is removed and added again.\n"
"Prints one line per change (add/set/del), or \"no changes\"; running it\n"
"again changes nothing. A file with any error changes nothing: the\n"
"message names the file, the line and the problem; so does a filesystem\n"
"with encryption-at-rest = required whose path is not encrypted at rest\n"
"with AES-256 (checked for every such filesystem, new or kept). If the\n"
"kernel refuses a change, the changes made before it are undone (one\n"
"\"undo ...\" line each; a filesystem deleted on the way comes back with\n"
"its credit balance and counters) and the exit status is 1: the kernel\n"
"is as it was, or the message says it could not be put back.\n"
"\n"
"Options:\n"
"  -n, --dry-run   print the changes, make none\n"
"  -h, --help\n";

enum { APPLY_DRY_RUN = 1 };

static const struct opt_def apply_opts[] = {
	{ "dry-run", 'n', false, APPLY_DRY_RUN },
	{ NULL, 0, false, 0 },
};

/*
 * encryption-at-rest = required: every such filesystem, new or kept, must
 * be on AES-256 storage; like any other error of the file, one that is
 * not refuses the whole apply before the first request.
 */
static int check_at_rest(const struct efs_conf *conf, const char *file,
			 char *err, size_t len)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		const struct efs_conf_fs *fs = &conf->v[i];
		struct efs_at_rest r;
		char why[768];

		if (!efs_fs_config_has(&fs->cfg, EFS_A_FS_AT_REST_POLICY) ||
		    fs->cfg.val[EFS_A_FS_AT_REST_POLICY] != EFS_AT_REST_REQUIRED)
			continue;
		efs_at_rest_detect(fs->path, &r);
		if (efs_at_rest_check(fs->name, fs->path, &r, why, sizeof(why))) {
			snprintf(err, len, "%s:%d: %s", file,
				 fs->opt_line[EFS_A_FS_AT_REST_POLICY], why);
			return -1;
		}
	}
	return 0;
}

/* @before: the filesystems as they were, for an undone delete's counters */
static int run_step(struct efs_nl *nl, const struct efs_plan_step *s,
		    const struct efs_fs_list *before)
{
	static const uint8_t cmds[] = {
		[EFS_PLAN_DEL] = EFS_CMD_FS_DEL,
		[EFS_PLAN_SET] = EFS_CMD_FS_SET,
		[EFS_PLAN_ADD] = EFS_CMD_FS_ADD,
	};
	struct nlmsghdr *req = efs_nl_request(nl, cmds[s->kind], false);
	int err;

	mnl_attr_put_strz(req, EFS_A_FS_NAME, s->name);
	if (s->kind == EFS_PLAN_ADD)
		mnl_attr_put_strz(req, EFS_A_FS_PATH, s->path);
	if (s->kind != EFS_PLAN_DEL)
		efs_fs_config_put(req, &s->cfg);
	if (s->kind == EFS_PLAN_ADD && before) {
		const struct efs_fs_info *was = efs_fs_info_find(before->v,
								 before->n,
								 s->name);

		if (was)
			efs_fs_info_put_counter_base(req, was);
	}
	err = efs_nl_talk(nl, req, NULL, NULL);
	if (err)
		efs_report_nl_error(nl, err, s->name);
	else
		efs_report_nl_warning(nl);
	return err;
}

/*
 * A change failed: put the kernel back as @before had it. From what the
 * kernel has now, not from the steps that succeeded: a change whose ack
 * was lost (ENOBUFS) may have been made. On a fresh socket: the failed
 * exchange may have left a reply unread. Returns how many changes it
 * undid (the kernel is as before), or -1.
 */
static int undo_apply(struct efs_nl *nl, const struct efs_fs_list *before)
{
	struct efs_fs_list now = { 0 };
	struct efs_plan undo = { 0 };
	size_t i;
	int rc;

	efs_nl_close(nl);
	if (efs_connect(nl))
		return -1;
	rc = efs_fs_get(nl, NULL, &now);
	if (rc) {
		efs_report_nl_error(nl, rc, NULL);
		efs_fs_list_free(&now);
		return -1;
	}
	rc = efs_plan_restore(before->v, before->n, now.v, now.n, &undo);
	efs_fs_list_free(&now);
	if (rc) {
		efs_err("out of memory");
		return -1;
	}
	for (i = 0; i < undo.n && !rc; i++) {
		printf("undo ");
		efs_plan_print_step(stdout, &undo.v[i]);
		fflush(stdout);
		rc = run_step(nl, &undo.v[i], before);
	}
	efs_plan_free(&undo);
	return rc ? -1 : (int)i;
}

int cmd_apply(int argc, char **argv)
{
	const char *file = EFS_CONF_DEFAULT;
	struct efs_fs_list have = { 0 };
	struct efs_conf conf;
	struct efs_plan plan;
	struct efs_nl nl;
	char err[1536];
	struct opts o;
	bool dry;
	size_t i;
	int ret = EXIT_FAIL, rc;

	if (opts_parse(apply_opts, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos > 1) {
		efs_err("unexpected argument '%s'", o.pos[1]);
		return EXIT_FAIL;
	}
	if (o.npos)
		file = o.pos[0];
	dry = o.nhits > 0;
	/* every check of the file comes before the first request */
	if (efs_conf_load(file, &conf, err, sizeof(err)) ||
	    efs_conf_check_paths(&conf, file, err, sizeof(err)) ||
	    check_at_rest(&conf, file, err, sizeof(err))) {
		efs_err("%s", err);
		efs_conf_free(&conf);
		return EXIT_FAIL;
	}
	if (efs_connect(&nl))
		goto free_conf;
	rc = efs_fs_get(&nl, NULL, &have);
	if (rc) {
		efs_report_nl_error(&nl, rc, NULL);
		goto close;
	}
	if (efs_plan_make(&conf, have.v, have.n, &plan)) {
		efs_err("out of memory");
		goto close;
	}
	for (i = 0; i < plan.n; i++) {
		efs_plan_print_step(stdout, &plan.v[i]);
		fflush(stdout);
		if (!dry && run_step(&nl, &plan.v[i], NULL)) {
			rc = undo_apply(&nl, &have);
			if (rc < 0)
				efs_err("could not undo the changes made: the kernel is part way between the old and the new configuration (efsctl fs show); run efsctl apply again");
			else if (rc)
				efs_err("%d change%s undone: the kernel is as before",
					rc, rc == 1 ? "" : "s");
			else
				efs_err("nothing was changed");
			goto free_plan;
		}
	}
	if (!plan.n)
		printf("no changes\n");
	else if (dry)
		printf("dry run: %zu change%s, none made\n", plan.n,
		       plan.n == 1 ? "" : "s");
	ret = EXIT_OK;
free_plan:
	efs_plan_free(&plan);
close:
	efs_fs_list_free(&have);
	efs_nl_close(&nl);
free_conf:
	efs_conf_free(&conf);
	return ret;
}
