// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the efs.conf parser (conf.c over libinih) with the input as the
 * file. A file that parses is planned ("efsctl apply" against an empty
 * kernel), its filesystems are turned into records as the kernel would
 * report them, and "fs show --format conf" of those records must parse
 * back to the same plan.
 */
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "conf.h"
#include "fuzz.h"
#include "plan.h"

/* The record the kernel would report after the step's FS_ADD. */
static void step_record(const struct efs_plan_step *s, struct efs_fs_info *fs)
{
	static char buf[8192] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = EFS_CMD_FS_GET;
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, s->name);
	mnl_attr_put_strz(nlh, EFS_A_FS_PATH, s->path);
	efs_fs_config_put(nlh, &s->cfg);
	FUZZ_CHECK(!efs_fs_decode(nlh, fs));
}

static void same_config(const struct efs_fs_config *a,
			const struct efs_fs_config *b)
{
	int attr;

	for (attr = 0; attr <= EFS_A_MAX; attr++) {
		if (attr == EFS_A_FS_BURST_CREDIT_BALANCE)
			continue;	/* a starting balance, not printed */
		FUZZ_CHECK(efs_fs_config_has(a, attr) ==
			   efs_fs_config_has(b, attr));
		if (efs_fs_config_has(a, attr))
			FUZZ_CHECK(a->val[attr] == b->val[attr]);
	}
}

static void check_reprint(const struct efs_plan *p)
{
	struct efs_fs_info *fs = calloc(p->n ? p->n : 1, sizeof(*fs));
	struct efs_conf c;
	struct efs_plan q;
	char *text = NULL, err[1024];
	size_t len = 0, i;
	FILE *f;

	FUZZ_CHECK(fs);
	for (i = 0; i < p->n; i++)
		step_record(&p->v[i], &fs[i]);
	f = open_memstream(&text, &len);
	FUZZ_CHECK(f);
	/* every path the parser accepted fits a printed line */
	FUZZ_CHECK(!efs_conf_print(f, fs, p->n, err, sizeof(err)));
	fclose(f);
	if (efs_conf_parse_string(text, "printed", &c, err, sizeof(err))) {
		fprintf(stderr, "%s\n--- printed:\n%s", err, text);
		FUZZ_CHECK(!"printed efs.conf parses");
	}
	FUZZ_CHECK(!efs_plan_make(&c, NULL, 0, &q));
	FUZZ_CHECK(q.n == p->n);
	for (i = 0; i < p->n; i++) {
		FUZZ_CHECK(!strcmp(q.v[i].name, p->v[i].name));
		FUZZ_CHECK(!strcmp(q.v[i].path, p->v[i].path));
		same_config(&q.v[i].cfg, &p->v[i].cfg);
	}
	efs_plan_free(&q);
	efs_conf_free(&c);
	free(text);
	free(fs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct efs_conf c;
	struct efs_plan p;
	char err[1024];
	size_t i;
	FILE *f;

	f = fuzz_file(data, size);
	if (!f)
		return 0;
	if (efs_conf_parse(f, "fuzz.conf", &c, err, sizeof(err))) {
		fclose(f);
		return 0;
	}
	fclose(f);
	FUZZ_CHECK(!efs_plan_make(&c, NULL, 0, &p));
	for (i = 0; i < p.n; i++)
		efs_plan_print_step(fuzz_sink(), &p.v[i]);
	check_reprint(&p);
	efs_plan_free(&p);
	efs_conf_free(&c);
	return 0;
}
