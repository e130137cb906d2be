/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SIGINT/SIGTERM handling for the long-running commands (monitor, stats
 * --watch): the signals are blocked except while waiting, so a signal can
 * never slip in between checking efs_stop and going to sleep.
 */
#ifndef EFSCTL_SIG_H
#define EFSCTL_SIG_H

#include <signal.h>
#include <stdint.h>

extern volatile sig_atomic_t efs_stop;

/* Install the handlers and block the signals; *waitmask is the mask to
 * wait with (the signals unblocked). */
int efs_sig_setup(sigset_t *waitmask);
/* Sleep ms milliseconds or until a signal; returns -1 if told to stop. */
int efs_sig_sleep(uint64_t ms, const sigset_t *waitmask);

#endif
