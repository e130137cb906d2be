#!/bin/bash
# Run every VM scenario (tests/vm/scenarios/*.sh except selftest_warn and
# kernel_smoke, the extra kernels' smoke set; package_dkms, run by
# tests/package_test.sh; fault_inject and client_faults, which need the
# debug kernel: make check-debug; text_poke, a check of the kernel and qemu
# without efs; the scenarios whose header says "# efs-pair:", which need
# tests/vm/pair.sh's peer guest: cluster_pair, make check-cluster) on
# each kernel, one after the other, continuing after failures.
#
#   tests/vm/check.sh [KREL|6.1|6.12 ...]     (default: 6.1 6.12)
#   EFS_VM_SCENARIOS="kernel_smoke nfsd_layout" tests/vm/check.sh 7.3
#                                             only these scenarios
#
# Output of each run: build/vm-out/<krel>/<scenario>/ (EFS_VM_OUT: another
# root for them, as tests/vm/flake_rate.sh uses). Prints one
# PASS/FAIL line per run (also appended to $EFS_RESULTS if set by the
# caller) and a summary; exits 1 if any run failed. Per-scenario timeouts
# and needs-module come from the scenario's "# efs-vm:" header (run.sh).
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
[ $# -gt 0 ] || set -- 6.1 6.12

# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krels=()
for want in "$@"; do
	k=$(resolve_krel "$want")
	[ -n "$k" ] || { echo "check: no test kernel matches '$want' (make deps)" >&2; exit 2; }
	krels+=("$k")
done

scenarios=()
if [ -n "${EFS_VM_SCENARIOS:-}" ]; then
	for s in $EFS_VM_SCENARIOS; do
		[ -f "$HERE/scenarios/$s.sh" ] || { echo "check: no scenario $s" >&2; exit 2; }
		scenarios+=("$HERE/scenarios/$s.sh")
	done
else
	for s in "$HERE"/scenarios/*.sh; do
		case $(basename "$s") in selftest_warn.sh | kernel_smoke.sh | package_dkms.sh | fault_inject.sh | client_faults.sh | text_poke.sh) continue ;; esac
		# a peer guest's scenario runs through tests/vm/pair.sh only
		grep -q '^# efs-pair:' "$s" && continue
		# EFS_VM_SKIP: scenario names to leave out of the full suite.
		case " ${EFS_VM_SKIP:-} " in *" $(basename "$s" .sh) "*) continue ;; esac
		scenarios+=("$s")
	done
fi

pass=0 failed=()
t0=$SECONDS
out=${EFS_VM_OUT:-$REPO/build/vm-out}
for krel in "${krels[@]}"; do
	for s in "${scenarios[@]}"; do
		name=$(basename "$s" .sh)
		if "$HERE/run.sh" -k "$krel" -o "$out/$krel/$name" "$s"; then
			pass=$((pass + 1))
		else
			failed+=("$name [$krel]")
		fi
	done
done

echo "check: ${pass} passed, ${#failed[@]} failed in $((SECONDS - t0))s (logs: $out/)"
for f in "${failed[@]}"; do echo "check:   FAIL $f"; done
[ ${#failed[@]} -eq 0 ]
