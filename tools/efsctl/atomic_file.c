// SPDX-License-Identifier: GPL-2.0
/*
 * Atomic file replacement (atomic_file.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "efsctl.h"

/* The rename is durable once the directory's entry is on disk too. */
static void sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	int dfd;

	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
}

int efs_write_atomic(const char *path, mode_t mode, efs_file_writer write,
		     void *arg)
{
	char tmp[PATH_MAX];
	FILE *f;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >=
	    (int)sizeof(tmp)) {
		efs_err("%s: path too long", path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		efs_err("%s: %s", path, strerror(errno));
		return -1;
	}
	errno = 0;
	f = fdopen(fd, "w");
	if (!f || fchmod(fd, mode) || write(f, arg) || fflush(f) ||
	    ferror(f) || fsync(fd)) {
		efs_err("%s: %s", path, strerror(errno ? errno : EIO));
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (fclose(f)) {
		efs_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		efs_err("%s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	sync_dir_of(path);
	return 0;
}
