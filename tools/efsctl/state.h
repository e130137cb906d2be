/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The state file of "efsctl state save/restore" (efsctl(8), STATE FILE):
 * what a module reload or a reboot would lose -- each filesystem's
 * configuration, burst credit balance and counters -- with the wall-clock
 * time it was saved. A line format with a version header:
 *
 *   efs-state 1
 *   saved-at SECONDS.NANOSECONDS            (CLOCK_REALTIME)
 *   fs NAME PATH key=value ...               (PATH %-encoded)
 *
 * Formatting and parsing are pure; the commands are in cmd_state.c.
 */
#ifndef EFSCTL_STATE_H
#define EFSCTL_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fsinfo.h"

#define EFS_STATE_DEFAULT	"/var/lib/efs/state"
#define EFS_STATE_VERSION	1

struct efs_state {
	uint64_t saved_ns;		/* ns since the epoch */
	struct efs_fs_info *v;		/* config, balance, max, baseline, counters */
	size_t n, cap;
};

/* Write the state of n filesystems, saved at saved_ns. */
void efs_state_write(FILE *f, uint64_t saved_ns, const struct efs_fs_info *fs,
		     size_t n);
/*
 * Parse a state file; file names it in messages. Returns 0, or -1 with
 * "FILE:LINE: problem" in err (and s freed).
 */
int efs_state_parse(FILE *f, const char *file, struct efs_state *s, char *err,
		    size_t errlen);
void efs_state_free(struct efs_state *s);

/*
 * The balance to restore: the saved one plus what the baseline accrued in
 * elapsed_ns (as EFS credits an idle filesystem), at most the maximum.
 */
uint64_t efs_state_balance(const struct efs_fs_info *fs, uint64_t elapsed_ns);

#endif
