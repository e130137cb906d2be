/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a file so that a reader (or a crash) sees the old content or
 * the new, never a part: a temporary file beside it, fsync, rename, and
 * fsync of the directory. Used for the state file and efsctl tls setup's
 * files.
 */
#ifndef EFSCTL_ATOMIC_FILE_H
#define EFSCTL_ATOMIC_FILE_H

#include <stdio.h>
#include <sys/types.h>

/* Writes the content to f; returns 0, or -1 (errno set) on failure. */
typedef int (*efs_file_writer)(FILE *f, void *arg);

/*
 * Replace path with what write(f, arg) writes, mode mode. Returns 0, or
 * -1 after an error message naming path; path is then unchanged.
 */
int efs_write_atomic(const char *path, mode_t mode, efs_file_writer write,
		     void *arg);

#endif /* EFSCTL_ATOMIC_FILE_H */
