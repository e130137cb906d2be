// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the options of "fs add" / "fs set" as the command line gives them:
 * the input is argv, one word a line. opts_parse() splits it, and
 * efs_fs_config_parse() checks the values. What is accepted must format
 * and parse back to the same value (efs.conf and state files depend on
 * it) and travel through a netlink message and its decoder unchanged.
 */
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "fs_opts.h"
#include "fuzz.h"

#define MAX_WORDS	(OPTS_MAX + 8)	/* past the parser's limit */

static void check_round_trip(const struct efs_fs_config *cfg)
{
	static char buf[8192] __attribute__((aligned(8)));
	struct efs_fs_info fs;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int attr;

	for (attr = 0; attr <= EFS_A_MAX; attr++) {
		char text[64], why[256];
		uint64_t v;
		int back;

		if (!efs_fs_config_has(cfg, attr))
			continue;
		efs_fs_opt_format(attr, cfg->val[attr], text, sizeof(text));
		FUZZ_CHECK(!efs_fs_opt_parse(efs_fs_opt_name(attr), text,
					     &back, &v, why, sizeof(why)));
		FUZZ_CHECK(back == attr && v == cfg->val[attr]);
	}

	/* as efsctl sends it, as the kernel's reply carries it */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = EFS_CMD_FS_ADD;
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "fuzz");
	efs_fs_config_put(nlh, cfg);
	FUZZ_CHECK(!efs_fs_decode(nlh, &fs));
	for (attr = 0; attr <= EFS_A_MAX; attr++) {
		struct efs_fs_config got;

		if (!efs_fs_config_has(cfg, attr) ||
		    attr == EFS_A_FS_BURST_CREDIT_BALANCE)
			continue;	/* the balance is state, not config */
		efs_fs_info_config(&fs, &got);
		FUZZ_CHECK(efs_fs_config_has(&got, attr));
		FUZZ_CHECK(got.val[attr] == cfg->val[attr]);
	}
	FUZZ_CHECK(!efs_fs_config_has(cfg, EFS_A_FS_BURST_CREDIT_BALANCE) ||
		   fs.burst_credit_balance ==
		   cfg->val[EFS_A_FS_BURST_CREDIT_BALANCE]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *argv[MAX_WORDS], *p = text;
	struct efs_fs_config cfg;
	struct opts o;
	int argc = 0, i;

	while (argc < MAX_WORDS) {
		argv[argc++] = p;
		p = strchr(p, '\n');
		if (!p)
			break;
		*p++ = '\0';
	}
	opts_wants_help(argc, argv);
	/* each pair as efs.conf would give it: name = value */
	for (i = 0; i + 1 < argc; i += 2) {
		char why[256];
		uint64_t v;
		int attr;

		efs_fs_opt_parse(argv[i], argv[i + 1], &attr, &v, why,
				 sizeof(why));
	}
	if (!opts_parse(efs_fs_config_opts, argc, argv, &o) &&
	    !efs_fs_config_parse(&o, &cfg))
		check_round_trip(&cfg);
	free(text);
	return 0;
}
