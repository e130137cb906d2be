#!/bin/bash
# Prove that the VM harness fails a run whose guest kernel WARNs although
# the scenario itself exits 0.
#
#   tests/vm/selftest.sh [KREL|6.1|6.12]
#
# Builds tests/vm/warn-module for the kernel, runs the selftest_warn scenario
# with run.sh and passes only if run.sh failed AND named the WARNING line.
# Prints (and appends to $EFS_RESULTS if set) "PASS|FAIL harness_detects_warn [krel]".
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
want=${1:-6.1}

# shellcheck source=tests/kernels.lib.sh
. "$REPO/tests/kernels.lib.sh"
krel=$(resolve_krel "$want")
[ -n "$krel" ] || { echo "selftest: no kernel matches '$want'" >&2; exit 2; }

verdict() {
	echo "$1 harness_detects_warn [$krel]"
	[ -z "${EFS_RESULTS:-}" ] || echo "$1 harness_detects_warn [$krel]" >>"$EFS_RESULTS"
	[ "$1" = PASS ]
	exit
}

if ! log=$(make -s -C "$HERE/warn-module" KREL="$krel" 2>&1); then
	echo "$log" >&2
	echo "selftest: building the warn module for $krel failed" >&2
	verdict FAIL
fi

# run.sh's own result must not count in $EFS_RESULTS: this run is meant to fail.
out=$(EFS_RESULTS='' "$HERE/run.sh" -k "$krel" -o "$REPO/build/vm-out/$krel/selftest_warn" selftest_warn 2>&1)
rc=$?
while IFS= read -r line; do echo "  run.sh| $line"; done <<<"$out"
if [ "$rc" -eq 0 ]; then
	echo "selftest: run.sh passed a guest that logged a WARNING" >&2
	verdict FAIL
fi
if ! grep -q 'WARNING:.*efs_warn_selftest' <<<"$out"; then
	echo "selftest: run.sh failed but did not name the WARNING line" >&2
	verdict FAIL
fi
verdict PASS
