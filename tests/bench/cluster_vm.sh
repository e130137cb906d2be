#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Several heads sharing one filesystem budget (issue 26's benchmark, the
# VM half): two head guests (tests/vm/pair.sh), each knfsd + efs.ko, with
# fio clients on both. cluster_pair runs them with corosync and
# efs-clusterd sharing a budget of R units/s; cluster_naive runs the same
# load with each head enforcing the whole budget on its own, as efs did
# before. The table puts their figures side by side:
#   accuracy      both heads' admitted units/s (efs's counters, 8 s) / R
#   worst second  the highest one-second sum of both heads' fio I/Os / R
#   move          ms until head 1 reads 0.9 R once head 2's clients stop
#   reclaim       ms until head 1's fio reads 0.9 R in a second after
#                 head 2's efs-clusterd is killed (lease 5 s, forget 10 s);
#                 the grant samples' "whole budget" comes later by up to a
#                 sampling round (each sample is an efsctl call, ~1-2 s
#                 in a loaded guest)
#
#   tests/bench/cluster_vm.sh [KERNEL]      (default 6.1; about 12 min,
#                                            both cores: run it alone)
# Writes build/bench/cluster-vm.txt; exits non-zero when a run fails.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO" || exit 2
k=${1:-6.1}
R=60
OUT=$REPO/build/bench
mkdir -p "$OUT"
rc=0
for s in cluster_pair cluster_naive; do
	tests/vm/pair.sh -k "$k" -o "$OUT/vm-$s" "$s" "$R" >"$OUT/vm-$s.log" 2>&1 || rc=1
	tail -n 1 "$OUT/vm-$s.log"
done
fig() { # SCENARIO NAME: a figure of that run ("-" if none)
	awk -v n="$2" '$1 == n { v = $2 } END { print (v == "" ? "-" : v) }' \
		"$OUT/vm-$1/server/figures" 2>/dev/null || echo -
}
ratio() { # VALUE: VALUE / R, or "-"
	awk -v v="$1" -v r="$R" 'BEGIN { if (v == "-" || v == "") print "-"; else printf "%.3f", v / r }'
}
{
	echo "two heads in VMs ($k), one budget of $R units/s, 8 fio jobs on each head"
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD)"
	printf '%-34s %14s %14s %s\n' figure efs-clusterd naive target
	printf '%-34s %14s %14s %s\n' "accuracy (sum admitted / budget)" \
		"$(ratio "$(fig cluster_pair both_sum)")" "$(ratio "$(fig cluster_naive both_sum)")" "0.95-1.02"
	printf '%-34s %14s %14s %s\n' "worst 1-s window / budget (fio)" \
		"$(ratio "$(fig cluster_pair both_worst_second)")" "$(ratio "$(fig cluster_naive both_worst_second)")" "<= 1.05 (fio: +jobs/R)"
	printf '%-34s %14s %14s %s\n' "moved demand at 0.9 R (ms)" \
		"$(fig cluster_pair move_ms)" "0 (had R)" "<= 3000"
	printf '%-34s %14s %14s %s\n' "dead head's share at 0.9 R (ms)" \
		"$(fig cluster_pair reclaim_fio_ms)" "- (never shared)" "<= forget + tick + 2.1 s"
	printf '%-34s %14s %14s %s\n' "  whole budget in a grant sample" \
		"$(fig cluster_pair reclaim_ms)" "-" "-"
} | tee "$OUT/cluster-vm.txt"
exit $rc
