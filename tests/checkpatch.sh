#!/bin/sh
# Kernel style check of module/ with checkpatch.pl from Debian's
# linux-source-6.1 (the headers packages do not ship it).
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
SRC=${EFS_LINUX_SRC:-/usr/src/linux-source-6.1}
if [ ! -x "$SRC/scripts/checkpatch.pl" ]; then
	[ -f /usr/src/linux-source-6.1.tar.xz ] && tar -C /usr/src -xf /usr/src/linux-source-6.1.tar.xz
fi
cd "$REPO"
# LINUX_VERSION_CODE: efs checks the running kernel's version on purpose.
"$SRC/scripts/checkpatch.pl" --no-tree --terse --show-types \
	--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	--max-line-length=100 -f module/*.c module/*.h
