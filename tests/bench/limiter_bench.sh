#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build module/limiter.c unchanged in userspace (tests/bench/kshim.h stands
# in for the kernel APIs) and time efs_bucket_charge() with 1 and 2 threads.
# Prints "limiter_charge_ns threads=N value=NS" lines (median of 5 runs);
# appends them to $EFS_RESULTS if set.  Goal: <= 50 ns uncontended.
# Usage: limiter_bench.sh [iterations per thread, default 5000000]

set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$REPO/build/bench
CC=${CC:-gcc}

# The <linux/...> headers limiter.c includes resolve to empty files here:
# everything they would provide comes from kshim.h.
mkdir -p "$OUT/shim/linux"
for h in atomic errno limits math64 minmax overflow percpu time64 types; do
	: >"$OUT/shim/linux/$h.h"
done

CFLAGS=(-D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror
	-include "$REPO/tests/bench/kshim.h"
	-I "$OUT/shim" -I "$REPO/module" -pthread)

"$CC" "${CFLAGS[@]}" -o "$OUT/limiter_bench" \
	"$REPO/tests/bench/limiter_bench.c" "$REPO/module/limiter.c"

"$OUT/limiter_bench" "$@" | while IFS= read -r line; do
	echo "$line"
	if [ -n "${EFS_RESULTS:-}" ]; then
		echo "$line" >>"$EFS_RESULTS"
	fi
done
