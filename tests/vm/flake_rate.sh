#!/bin/bash
# How often does a VM scenario fail when nothing changed? Runs the VM suite
# (tests/vm/check.sh's list, or EFS_VM_SCENARIOS; EFS_VM_SKIP leaves
# scenarios out) RUNS times on each kernel, a whole round at a time, so a
# slow spell of this shared host spreads over every scenario instead of
# falling on one scenario's repeats. Then tabulates, per scenario and
# kernel, the runs that passed, and for each failed run the failing
# checks' own lines (each names the check, the value measured and the
# tolerance) or, when no check failed, run.sh's reason (a warning in the
# guest's log, a timeout).
#
#   tests/vm/flake_rate.sh [-n RUNS] [KREL|6.1|6.12 ...]   (default: 5; 6.1 6.12)
#   make check-flake [FLAKE_RUNS=5] [FLAKE_KERNELS="6.1 6.12"]
#
# Output: build/flake/run<R>/<krel>/<scenario>/ (each run's logs), the
# table in build/flake/summary.txt. Exits 1 if any run failed: a flake is
# a failure CI would have shown.
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$REPO/build/flake

usage() {
	echo "usage: $0 [-n RUNS] [KREL|6.1|6.12 ...]" >&2
	exit 2
}
runs=5
while getopts n: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case $runs in '' | *[!0-9]* | 0) echo "flake_rate: RUNS must be a positive whole number, not '$runs'" >&2; exit 2 ;; esac
[ $# -gt 0 ] || set -- 6.1 6.12

rm -rf "$OUT"
mkdir -p "$OUT"
t0=$SECONDS
for r in $(seq 1 "$runs"); do
	mkdir -p "$OUT/run$r"
	: >"$OUT/run$r/results.txt"
	echo "flake_rate: round $r of $runs ($(date -u +%H:%M) UTC)"
	EFS_VM_OUT=$OUT/run$r EFS_RESULTS=$OUT/run$r/results.txt "$HERE/check.sh" "$@" 2>&1 |
		tee "$OUT/run$r/check.log" | grep -E '^(PASS|FAIL|check:) '
done

# One line per scenario and kernel: passed/runs, then every failed run's
# reason. The results lines are "PASS|FAIL <scenario> [<krel>]".
{
	echo "# tests/vm/flake_rate.sh -n $runs $*: $(date -u '+%Y-%m-%d %H:%M') UTC, commit $(git -C "$REPO" rev-parse --short HEAD), $((SECONDS - t0)) s"
	awk '{ key = substr($0, index($0, " ") + 1); total[key]++; if ($1 == "PASS") pass[key]++ }
	     END { for (k in total) printf "%d/%d %s\n", pass[k], total[k], k }' "$OUT"/run*/results.txt |
		sort -k2 |
		while IFS= read -r line; do
			echo "$line"
			key=${line#* }
			name=${key%% *}
			krel=${key#*[}
			krel=${krel%]}
			for r in $(seq 1 "$runs"); do
				grep -qxF "FAIL $key" "$OUT/run$r/results.txt" || continue
				why=$(grep -m 3 'FAIL:' "$OUT/run$r/$krel/$name/scenario.log" 2>/dev/null)
				# No failing check: run.sh's own reason (a warning in the
				# guest's log, a timeout), the last one before the verdict.
				[ -n "$why" ] || why=$(awk -v v="FAIL $key" '
					/^run\.sh: .* on .*, timeout / { why = "" }
					/^run\.sh: FAILED/ { why = $0 }
					index($0, v) == 1 { print why; exit }' "$OUT/run$r/check.log")
				echo "    round $r: ${why:-no FAIL line; see $OUT/run$r/$krel/$name/}"
			done
		done
} >"$OUT/summary.txt"
cat "$OUT/summary.txt"
failed=$(cat "$OUT"/run*/results.txt | grep -c '^FAIL ')
passed=$(cat "$OUT"/run*/results.txt | grep -c '^PASS ')
echo "flake_rate: $passed passed, $failed failed in $runs round(s)"
[ "$failed" -eq 0 ]
