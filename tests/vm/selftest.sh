#!/bin/bash
# Prove that the VM harness fails a run whose guest kernel WARNs (or, with
# "kfence", reports a use-after-free) although the scenario exits 0.
#
#   tests/vm/selftest.sh [KREL|6.1|6.12] [warn|kfence]
#
# Builds tests/vm/warn-module for the kernel, runs the selftest_warn scenario
# with run.sh and passes only if run.sh failed AND named the report's line.
# Prints (and appends to $EFS_RESULTS if set) "PASS|FAIL harness_detects_MODE [krel]".
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
want=${1:-6.1}
mode=${2:-warn}
case $mode in
warn) expect='WARNING:.*efs_warn_selftest' ;;
kfence) expect='BUG: KFENCE: use-after-free' ;;
*) echo "selftest: unknown mode '$mode' (warn, kfence)" >&2; exit 2 ;;
esac

# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel "$want")
[ -n "$krel" ] || { echo "selftest: no kernel matches '$want'" >&2; exit 2; }

verdict() {
	echo "$1 harness_detects_$mode [$krel]"
	[ -z "${EFS_RESULTS:-}" ] || echo "$1 harness_detects_$mode [$krel]" >>"$EFS_RESULTS"
	[ "$1" = PASS ]
	exit
}

if ! log=$(make -s -C "$HERE/warn-module" KREL="$krel" 2>&1); then
	echo "$log" >&2
	echo "selftest: building the warn module for $krel failed" >&2
	verdict FAIL
fi

# run.sh's own result must not count in $EFS_RESULTS: this run is meant to fail.
out=$(EFS_RESULTS='' "$HERE/run.sh" -k "$krel" -o "$REPO/build/vm-out/$krel/selftest_$mode" selftest_warn "$mode" 2>&1)
rc=$?
while IFS= read -r line; do echo "  run.sh| $line"; done <<<"$out"
if [ "$rc" -eq 0 ]; then
	echo "selftest: run.sh passed a guest whose kernel reported ($mode)" >&2
	verdict FAIL
fi
if ! grep -q "$expect" <<<"$out"; then
	echo "selftest: run.sh failed but did not name the line /$expect/" >&2
	verdict FAIL
fi
verdict PASS
