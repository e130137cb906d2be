#!/bin/bash
# make demo: build efs.ko and efsctl, boot Debian's 6.1 kernel in qemu,
# export two filesystems from knfsd, put them under efs and run fio on
# both; print what was configured, what was measured and the events.
# Then isolation (tests/demo/guest.sh): a quiet tenant's IOPS alone and
# beside a neighbour hammering another export, without and with efs, as a
# table and as build/demo/isolation.png (gnuplot).
#
#   tests/demo.sh          the demo
#   tests/demo.sh --plot   draw build/demo/isolation.png again from the last
#                          run's isolation.dat
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel 6.1)
[ -n "$krel" ] || { echo "demo: no 6.1 test kernel in $KROOT (make deps-demo)" >&2; exit 1; }
out=$REPO/build/demo

# plot: build/demo/isolation.png from isolation.dat (second, quiet tenant's
# IOPS, neighbour's IOPS; a blank line between phases) and isolation.txt.
plot() {
	local png=$out/isolation.png dat=$out/isolation.dat secs cap alone term
	secs=$(sed -n 's/^# secs //p' "$dat")
	cap=$(sed -n 's/.*efs caps it at \([0-9]*\).*/\1/p' "$out/isolation.txt")
	alone=$(awk '$1 == "alone" { print $2 }' "$out/isolation.txt")
	term=png
	gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo && term=pngcairo
	gnuplot <<EOF || { echo "demo: gnuplot failed" >&2; return 1; }
set terminal $term size 960,480 font ",11"
set output "$png"
set title "A quiet tenant's IOPS, alone and beside a noisy neighbour (efs demo, $krel guest under qemu TCG)"
set xlabel "time (s)"
set ylabel "4 KiB random reads per second"
set xrange [0:3 * $secs]
set yrange [0:*]
set xtics $secs / 2
set grid ytics
set key below
set offsets 0, 0, graph 0.22, 0
set object 1 rect from 0, graph 0 to $secs, graph 1 fc rgb "#2ca02c" fs transparent solid 0.12 noborder behind
set object 2 rect from $secs, graph 0 to 2 * $secs, graph 1 fc rgb "#d62728" fs transparent solid 0.12 noborder behind
set object 3 rect from 2 * $secs, graph 0 to 3 * $secs, graph 1 fc rgb "#1f77b4" fs transparent solid 0.12 noborder behind
set label 1 "alone" at 0.5 * $secs, graph 0.95 center
set label 2 "beside the neighbour,\nno efs" at 1.5 * $secs, graph 0.95 center
set arrow 1 from 0, $alone to 3 * $secs, $alone nohead dt 3 lw 1.5 lc rgb "#1f77b4"
set label 4 "quiet tenant alone: $alone IOPS" at 3 * $secs, $alone right offset -0.5, 0.6 tc rgb "#1f77b4"
set label 3 "beside the neighbour,\nefs caps it at $cap IOPS" at 2.5 * $secs, graph 0.95 center
plot "$dat" using (\$1 - 0.5):2 with linespoints lw 2.5 pt 7 ps 0.6 lc rgb "#1f77b4" title "quiet tenant (2 jobs)", \
     "" using (\$1 - 0.5):(\$1 > $secs ? \$3 : 1/0) with linespoints lw 1.5 pt 5 ps 0.5 dt 2 lc rgb "#d62728" title "neighbour (16 jobs, another export)"
EOF
}
if [ "${1:-}" = --plot ]; then
	plot
	exit
fi
mkdir -p build
t0=$SECONDS
echo "== building efs.ko for $krel and efsctl"
j=-j$(nproc)
make --no-print-directory "$j" "build/$krel/efs.ko" >build/demo-build.log 2>&1 ||
	{ tail -20 build/demo-build.log; exit 1; }
make --no-print-directory "$j" -C tools/efsctl >>build/demo-build.log 2>&1 ||
	{ tail -20 build/demo-build.log; exit 1; }
rm -rf "$out"
echo "== booting $krel under qemu (TCG); this takes about two minutes"
status=0
tests/vm/run.sh -k "$krel" -o "$out" -t 480 tests/demo/guest.sh >"$REPO/build/demo-vm.log" 2>&1 || status=$?
echo
cat "$out/demo.txt" 2>/dev/null || true
echo
tail -1 "$REPO/build/demo-vm.log"
[ $status -eq 0 ] || { echo "demo failed; see $out/scenario.log and $out/dmesg.log" >&2; exit 1; }

plot
echo "isolation, second by second: $out/isolation.png"
echo "demo: ok in $((SECONDS - t0)) s"
