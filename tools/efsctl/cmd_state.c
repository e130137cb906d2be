// SPDX-License-Identifier: GPL-2.0
/*
 * state save / state restore: keep credit balances and counters across a
 * module reload or a reboot (state.c has the file format).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "atrest.h"
#include "atomic_file.h"
#include "efsctl.h"
#include "fs_get.h"
#include "fs_opts.h"
#include "nl.h"
#include "opts.h"
#include "print.h"
#include "state.h"
#include "units.h"

const char cmd_state_save_usage[] =
"Usage: efsctl state save [FILE]\n"
"\n"
"Write every filesystem's configuration, burst credit balance and counters,\n"
"with the time, to FILE (default " EFS_STATE_DEFAULT "), atomically (a\n"
"temporary file renamed over it). efs.service runs it on stop.\n"
"\n"
"Options:\n"
"  -h, --help\n";

const char cmd_state_restore_usage[] =
"Usage: efsctl state restore [FILE]\n"
"\n"
"Add the filesystems saved in FILE (default " EFS_STATE_DEFAULT ") that the\n"
"kernel does not have, with their configuration, their counters and their\n"
"saved credit balance plus what the baseline rate accrued since the save\n"
"(at most the maximum balance), as EFS credits an idle filesystem.\n"
"Filesystems the kernel has are kept as they are (their live state is\n"
"newer). A missing FILE is not an error: filesystems then start with full\n"
"credits. A corrupt FILE changes nothing and exits 1, naming the line.\n"
"efs.service runs it on start, before efsctl apply.\n"
"\n"
"Options:\n"
"  -h, --help\n";

static uint64_t real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int one_file_arg(int argc, char **argv, const char **file)
{
	struct opts o;

	if (opts_parse(NULL, argc, argv, &o))
		return -1;
	if (o.npos > 1) {
		efs_err("unexpected argument '%s'", o.pos[1]);
		return -1;
	}
	*file = o.npos ? o.pos[0] : EFS_STATE_DEFAULT;
	return 0;
}

/* Write to a temporary file next to file, then rename it over file. */
static int write_state(FILE *f, void *arg)
{
	const struct efs_fs_list *l = arg;

	efs_state_write(f, real_ns(), l->v, l->n);
	return 0;
}

/* The default file's directory is made if missing; a given one's not. */
static int save_state(const char *file, struct efs_fs_list *l)
{
	char buf[PATH_MAX];
	const char *dir;

	/* dirname() may return a pointer into buf: no copy back onto it */
	snprintf(buf, sizeof(buf), "%s", file);
	dir = dirname(buf);
	if (!strcmp(file, EFS_STATE_DEFAULT) && mkdir(dir, 0755) &&
	    errno != EEXIST) {
		efs_err("%s: %s", dir, strerror(errno));
		return -1;
	}
	return efs_write_atomic(file, 0644, write_state, l);
}

int cmd_state_save(int argc, char **argv)
{
	struct efs_fs_list l = { 0 };
	const char *file;
	int ret;

	if (one_file_arg(argc, argv, &file) || efs_fs_fetch_sorted(NULL, &l))
		return EXIT_FAIL;
	ret = save_state(file, &l);
	if (!ret)
		printf("saved %zu filesystem%s to %s\n", l.n,
		       l.n == 1 ? "" : "s", file);
	efs_fs_list_free(&l);
	return ret ? EXIT_FAIL : EXIT_OK;
}

int cmd_state_restore(int argc, char **argv)
{
	struct efs_fs_list have = { 0 };
	uint64_t now = real_ns(), elapsed;
	struct efs_state st;
	const char *file;
	struct efs_nl nl;
	char err[1024];
	int ret = EXIT_FAIL, rc;
	size_t i;
	FILE *f;

	if (one_file_arg(argc, argv, &file))
		return EXIT_FAIL;
	f = fopen(file, "r");
	if (!f && errno == ENOENT) {
		efs_err("%s: no saved state (%s): filesystems start with full burst credits",
			file, strerror(ENOENT));
		return EXIT_OK;
	}
	if (!f) {
		efs_err("%s: %s: nothing restored (filesystems start with full burst credits)",
			file, strerror(errno));
		return EXIT_FAIL;
	}
	rc = efs_state_parse(f, file, &st, err, sizeof(err));
	fclose(f);
	if (rc) {
		efs_err("%s: nothing restored (filesystems start with full burst credits)",
			err);
		return EXIT_FAIL;
	}
	elapsed = now > st.saved_ns ? now - st.saved_ns : 0;
	if (efs_connect(&nl))
		goto free_state;
	rc = efs_fs_get(&nl, NULL, &have);
	if (rc) {
		efs_report_nl_error(&nl, rc, NULL);
		goto close;
	}
	for (i = 0; i < st.n; i++) {
		const struct efs_fs_info *fs = &st.v[i];
		struct efs_fs_config cfg;
		struct nlmsghdr *req;
		struct stat sb;
		uint64_t bal;
		char b1[32], b2[32];

		if (efs_fs_info_find(have.v, have.n, fs->name)) {
			printf("keep %s: loaded already (its live state is newer than the file's)\n",
			       fs->name);
			continue;
		}
		if (stat(fs->path, &sb) || !S_ISDIR(sb.st_mode)) {
			efs_err("warning: %s: %s: not a directory any more, not restored",
				fs->name, fs->path);
			continue;
		}
		if (fs->at_rest_policy == EFS_AT_REST_REQUIRED) {
			struct efs_at_rest r;
			char why[768];

			efs_at_rest_detect(fs->path, &r);
			if (efs_at_rest_check(fs->name, fs->path, &r, why,
					      sizeof(why))) {
				efs_err("warning: %s, not restored", why);
				continue;
			}
		}
		bal = efs_state_balance(fs, elapsed);
		efs_fs_info_config(fs, &cfg);
		if (!cfg.val[EFS_A_FS_PROVISIONED_BPS])
			efs_fs_config_unset(&cfg, EFS_A_FS_PROVISIONED_BPS);
		efs_fs_config_set(&cfg, EFS_A_FS_BURST_CREDIT_BALANCE, bal);
		req = efs_nl_request(&nl, EFS_CMD_FS_ADD, false);
		mnl_attr_put_strz(req, EFS_A_FS_NAME, fs->name);
		mnl_attr_put_strz(req, EFS_A_FS_PATH, fs->path);
		efs_fs_config_put(req, &cfg);
		efs_fs_info_put_counter_base(req, fs);
		rc = efs_nl_talk(&nl, req, NULL, NULL);
		if (rc == -EOPNOTSUPP &&
		    fs->transit_policy == EFS_TRANSIT_REQUIRED) {
			/* a kernel without server TLS: skipped, as at rest */
			efs_err("warning: %s: %s, not restored", fs->name,
				nl.extack[0] ? nl.extack :
				"transit-encryption required is not supported by this kernel");
			continue;
		}
		if (rc) {
			efs_report_nl_error(&nl, rc, fs->name);
			goto close;
		}
		printf("restore %s %s burst-credit-balance=%llu (saved %s, %s accrued in %llu s)\n",
		       fs->name, fs->path, (unsigned long long)bal,
		       efs_fmt_bytes(b1, sizeof(b1), fs->burst_credit_balance),
		       efs_fmt_bytes(b2, sizeof(b2),
				     bal - fs->burst_credit_balance),
		       (unsigned long long)(elapsed / 1000000000ULL));
	}
	ret = EXIT_OK;
close:
	efs_fs_list_free(&have);
	efs_nl_close(&nl);
free_state:
	efs_state_free(&st);
	return ret;
}
