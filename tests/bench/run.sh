#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: efs's benchmarks, each reported as a ratio measured side by
# side in one run (the machine is shared and noisy; absolute numbers are
# not comparable between runs, ratios are).
#
#  1. the limiter in userspace (limiter_bench.sh): ns per admission decision
#  2. one VM (Debian's 6.1 kernel under qemu TCG) running tests/bench/guest.sh:
#     IOPS accuracy, overhead with efs loaded, provisioned accuracy, and the
#     burst-to-baseline transition
#     and a second VM under qemu -icount (guest time = instructions executed)
#     measuring the overhead again, free of the host's load
#     and a VM of trixie's 6.12 for NFS over TLS vs plain NFS
#     (tests/bench/tls.sh, also make bench-tls)
#  3. the bursting plot (tests/bench/bursting.png) and build/bench/results.md:
#     metric, value, goal, pass/miss, the command and the date
#
# tests/bench/run.sh --report redoes only the plot and the table from the
# last run's results; --neighbours runs only the noisy-neighbour VM, then
# the table.
#
# Exit status: 0 when everything ran (a missed goal is reported, not
# failed), 1 when a step did not run. About 35 minutes.
set -u

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
OUT=$REPO/build/bench
PNG=$REPO/tests/bench/bursting.png
MD=$OUT/results.md
mkdir -p "$OUT"
start=$SECONDS
when=$(date -u '+%Y-%m-%d %H:%M UTC')
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel 6.1)
[ -n "$krel" ] || { echo "bench: no 6.1 test kernel in $KROOT (make deps)" >&2; exit 1; }
VMCMD="tests/vm/run.sh -k 6.1 -o build/bench/vm -t 1500 tests/bench/guest.sh"
# The overhead again, in a guest whose clock counts instructions (-c).
ICMD="tests/vm/run.sh -c -k 6.1 -o build/bench/vm-icount -t 3000 tests/bench/guest.sh overhead"
# Noisy neighbours: isolation, fairness, per-client ceilings.
NCMD="tests/vm/run.sh -k 6.1 -o build/bench/vm-neighbours -t 1500 tests/bench/neighbours.sh"

step() { echo "== $* ($((SECONDS - start))s)"; }

vmrc=0
if [ "${1:-}" = --neighbours ]; then
	# Only the noisy-neighbour VM, then the table from the last run's rest.
	make --no-print-directory "build/$krel/efs.ko" tools >"$OUT/build.log" 2>&1 ||
		{ tail -n 20 "$OUT/build.log" >&2; exit 1; }
	step "VM, noisy neighbours: $NCMD (8-12 minutes)"
	$NCMD >"$OUT/vm-neighbours.log" 2>&1 || vmrc=$?
	tail -n 1 "$OUT/vm-neighbours.log"
	when=$(sed -n 's/^when=//p' "$OUT/vm.status" 2>/dev/null)
	wall=$(sed -n 's/^wall=//p' "$OUT/vm.status" 2>/dev/null)
elif [ "${1:-}" = --report ]; then
	# Only steps 3 and 4, from the results of the last run.
	vmrc=$(sed -n 's/^status=//p' "$OUT/vm.status" 2>/dev/null)
	vmrc=${vmrc:-0}
	when=$(sed -n 's/^when=//p' "$OUT/vm.status" 2>/dev/null)
	wall=$(sed -n 's/^wall=//p' "$OUT/vm.status" 2>/dev/null)
else
	step "building efs.ko for $krel and efsctl"
	if ! make --no-print-directory "build/$krel/efs.ko" tools >"$OUT/build.log" 2>&1; then
		tail -n 20 "$OUT/build.log" >&2
		exit 1
	fi

	# --- 1. the limiter in userspace -------------------------------------
	step "limiter micro-benchmark (userspace, module/limiter.c unchanged)"
	tests/bench/limiter_bench.sh | tee "$OUT/limiter.txt"
	[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "bench: limiter_bench failed" >&2; exit 1; }

	# --- 2. the VM ---------------------------------------------------------
	step "VM: $VMCMD (10-15 minutes under TCG)"
	$VMCMD >"$OUT/vm.log" 2>&1 || vmrc=$?
	tail -n 1 "$OUT/vm.log"
	step "VM, instruction-counted: $ICMD (15-20 minutes)"
	$ICMD >"$OUT/vm-icount.log" 2>&1 || vmrc=$?
	tail -n 1 "$OUT/vm-icount.log"
	step "VM, noisy neighbours: $NCMD (8-12 minutes)"
	$NCMD >"$OUT/vm-neighbours.log" 2>&1 || vmrc=$?
	tail -n 1 "$OUT/vm-neighbours.log"
	step "VM, NFS over TLS vs plain (6.12): tests/bench/tls.sh (about 5 minutes)"
	tests/bench/tls.sh >"$OUT/tls.log" 2>&1 || vmrc=$?
	wall=$((SECONDS - start))
	printf 'status=%s\nwhen=%s\nwall=%s\n' "$vmrc" "$when" "$wall" >"$OUT/vm.status"
fi
R=$OUT/vm/results.txt
RI=$OUT/vm-icount/results.txt
if [ ! -s "$R" ] && [ "${1:-}" != --neighbours ]; then
	echo "bench: the VM produced no results; see $OUT/vm.log and $OUT/vm/scenario.log" >&2
	tail -n 20 "$OUT/vm.log" >&2
	exit 1
fi
[ "$vmrc" -eq 0 ] || echo "bench: the VM run failed (status $vmrc); reporting what it measured" >&2

# --- 3. plot -------------------------------------------------------------------
# result_in FILE NAME: the value of NAME in a guest's results.txt
result_in() { awk -v k="$2" '$1 == k { print $2; exit }' "$1"; }
get() { result_in "$R" "$1"; }
lim() { awk -v m="$1" -v t="threads=$2" '$1 == m && $2 == t { sub(/value=/, "", $3); print $3; exit }' "$OUT/limiter.txt"; }

step "plotting $PNG"
cp -f "$OUT/vm/bursting.dat" "$OUT/bursting.dat" 2>/dev/null
term=png
gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo && term=pngcairo
if [ -s "$OUT/bursting.dat" ] && command -v gnuplot >/dev/null; then
	tx=$(get burst_exhausted_s) tp=$(get burst_predicted_s) marks=
	if [ -n "$tx" ]; then
		marks="set arrow from $tx, graph 0 to $tx, graph 1 nohead dt 2 lc rgb '#444444'
set label 'credits out at $tx s (arithmetic: $tp s)' at $tx, graph 0.93 offset 1,0"
	fi
	gnuplot <<EOF || echo "bench: gnuplot failed" >&2
set terminal $term size 960,540 font ",11"
set output "$PNG"
set title "efs bursting → baseline: $(get burst_balance0_mib | cut -d. -f1) MiB of credit, S = 1 GiB (baseline $(get burst_baseline_mibps) MiB/s),\\n128 KiB sequential writes over NFSv4.2, writer paced at $(get burst_paced_mibps) MiB/s"
set xlabel "time (s)"
set ylabel "write throughput (MiB/s)"
set y2label "burst credit balance (MiB)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set grid
set key right center box opaque
$marks
plot "$OUT/bursting.dat" using 1:2 axes x1y1 with fsteps lw 1.5 lc rgb "#1f77b4" title "write MiB/s (counter deltas, 0.5 s)", \
     "" using 1:3 axes x1y2 with lines lw 2.5 lc rgb "#d62728" title "BurstCreditBalance (MiB)"
EOF
else
	echo "bench: no bursting time series to plot" >&2
fi

# --- 4. the table ----------------------------------------------------------------
# verdict VALUE KIND A [B]: le A | ge A | within A PCT -> pass/miss; info -> "—"
verdict() {
	case $2 in
	info) echo "—"; return ;;
	esac
	if [ -z "$1" ] || [ "$1" = nan ]; then
		echo "no value"
		return
	fi
	awk -v v="$1" -v k="$2" -v a="$3" -v p="${4:-0}" 'BEGIN {
		if (k == "le") ok = v <= a
		else if (k == "ge") ok = v >= a
		else { d = v - a; if (d < 0) d = -d; ok = d <= a * p / 100 }
		print ok ? "pass" : "**miss**" }'
}
rows=()
row() { # METRIC VALUE GOAL VERDICT
	rows+=("| $1 | $2 | $3 | $4 |")
}
f() { # printf FORMAT VALUE, or "—" when there is no value
	if [ -n "${2:-}" ] && [ "$2" != nan ]; then
		# shellcheck disable=SC2059 # the format is the argument
		printf "$1" "$2"
	else
		printf '—'
	fi
}

for t in 1 2; do
	v=$(lim limiter_charge_ns $t)
	if [ $t = 1 ]; then g="≤ 50 ns" vd=$(verdict "$v" le 50); else g="— (contended)" vd=—; fi
	row "limiter: ns per admission decision (GCRA bucket), $t thread$([ $t = 2 ] && echo s)" "$(f '%s ns' "$v")" "$g" "$vd"
done
for t in 1 2; do
	row "limiter: same, plus a clock_gettime per decision, $t thread$([ $t = 2 ] && echo s)" \
		"$(f '%s ns' "$(lim limiter_charge_clock_ns $t)")" "—" "—"
done
for t in 1 2; do
	row "limiter: maxIO per-CPU bucket, $t thread$([ $t = 2 ] && echo s)" "$(f '%s ns' "$(lim limiter_pcpu_charge_ns $t)")" "—" "—"
done

# A cap the VM cannot reach is no miss of efs. Each stream's time is spent
# either waiting in efs (ThrottleDelayNanoseconds) or in the VM; with the
# waits taken out, the rate is what the VM itself did in that run. When that
# is below the cap, the VM was the limit.
bound() { # VERDICT OWN_RATE CAP UNIT: the verdict, or n/a when VM-bound
	if [ "$1" != pass ] && [ -n "$2" ] && [ "$2" != nan ] &&
		awk -v o="$2" -v c="$3" 'BEGIN { exit !(o < 1.02 * c) }'; then
		echo "n/a: VM-bound (the VM's own rate in that run, efs's waits taken out: $(f '%.2f' "$2") $4)"
	else
		echo "$1"
	fi
}
unthr=$(get iops_unthrottled) unthr_adj=$(get iops_unthrottled_adjacent)
for cap in 100 300 1000; do
	for src in fio efs; do
		v=$(get "iops_${src}_ratio_$cap") n=$(get "iops_${src}_$cap")
		if [ $src = fio ]; then
			what="fio IOPS"
		else
			what="efs DataReadOps/s ($(f '%.0f' "$(get "iops_efs_window_s_$cap")") s of steady state)"
		fi
		row "IOPS accuracy, cap $cap units/s: $what / cap (4 KiB randread, 4 jobs, 30 s)" \
			"$(f '%.3f' "$v") ($(f '%.1f' "$n")/s)" "1 ± 2%" \
			"$(bound "$(verdict "$v" within 1 2)" "$(get "iops_own_$cap")" "$cap" IOPS)"
	done
done
row "unthrottled 4 KiB randread IOPS: efs loaded, far under budget, right after the capped runs" "$(f '%s' "$unthr_adj")" "—" "—"

# overhead_rows RESULTS LABEL GRADED: the overhead rows of one VM run;
# GRADED=1 judges them against the goals, 0 lists them for information.
overhead_rows() {
	local file=$1 label=$2 graded=$3 v x what
	og() { result_in "$file" "$1"; }
	judge() { if [ "$graded" = 1 ]; then verdict "$@"; else echo "not judged (host noise)"; fi; }
	v=$(og overhead_iops_ratio)
	row "overhead ($label): IOPS with efs (claimed, far under budget) / without, median of $(og overhead_rounds) alternating rounds (10 s runs)" \
		"$(f '%.3f' "$v") ($(og overhead_iops_with) / $(og overhead_iops_without) IOPS)" "≥ 0.98" "$(judge "$v" ge 0.98)"
	v=$(og overhead_iops_paired_ratio)
	row "overhead ($label): IOPS, median of the per-round ratios (a round's runs are adjacent in time)" \
		"$(f '%.3f' "$v")" "≥ 0.98" "$(judge "$v" ge 0.98)"
	v=$(og overhead_p99_ratio)
	row "overhead ($label): p99 completion latency with / without" \
		"$(f '%.3f' "$v") ($(f '%.0f' "$(og overhead_p99_with_us)") / $(f '%.0f' "$(og overhead_p99_without_us)") µs)" "≤ 1.05" "$(judge "$v" le 1.05)"
	v=$(og overhead_p99_paired_ratio)
	row "overhead ($label): p99 latency, median of the per-round ratios" "$(f '%.3f' "$v")" "≤ 1.05" "$(judge "$v" le 1.05)"
	for x in hooked claim; do
		if [ $x = hooked ]; then
			what="efs loaded, export not claimed (hooks only) / without efs"
		else
			what="claimed / loaded but not claimed (the accounting's share)"
		fi
		row "overhead split ($label): $what, IOPS; p99" \
			"$(f '%.3f' "$(og overhead_iops_ratio_$x)") (paired $(f '%.3f' "$(og overhead_iops_paired_ratio_$x)")); $(f '%.3f' "$(og overhead_p99_ratio_$x)") (paired $(f '%.3f' "$(og overhead_p99_paired_ratio_$x)"))" "—" "—"
	done
}
# The goal is judged in instruction-counted time (qemu -icount, 1 vCPU):
# guest time there is instructions executed, whatever the host's load.
# The wall-clock rounds of the main VM swing by ±25% on a shared host.
if [ -s "$RI" ]; then
	overhead_rows "$RI" "instruction-counted time" 1
	overhead_rows "$R" "wall clock" 0
else
	overhead_rows "$R" "wall clock" 1
fi
row "unthrottled 4 KiB randread IOPS without efs, median of the overhead rounds" "$(f '%s' "$unthr")" "—" "—"

for p in 1 2 4; do
	v=$(get "prov_fio_ratio_$p")
	o=$(get "prov_own_mibps_$p")
	row "provisioned $p MiB/s: fio write rate / provisioned (128 KiB seq writes, 30 s)" \
		"$(f '%.3f' "$v") ($(f '%.3f' "$(get "prov_fio_mibps_$p")") MiB/s)" "1 ± 2%" \
		"$(bound "$(verdict "$v" within 1 2)" "$o" "$p" MiB/s)"
	v=$(get "prov_efs_metered_ratio_$p")
	row "provisioned $p MiB/s: efs MeteredIOBytes/s / provisioned ($(f '%.0f' "$(get "prov_efs_window_s_$p")") s of steady state)" \
		"$(f '%.3f' "$v") (efs wait $(f '%s' "$(get "prov_wait_ms_per_write_$p")") ms per write)" "1 ± 2%" \
		"$(bound "$(verdict "$v" within 1 2)" "$o" "$p" MiB/s)"
done
row "provisioned 1 / 2 / 4 MiB/s: metered bytes per data byte written (metadata ops, e.g. COMMIT, count 4 KiB)" \
	"$(get prov_metered_per_data_1) / $(get prov_metered_per_data_2) / $(get prov_metered_per_data_4)" "—" "—"

v=$(get burst_exhaustion_ratio)
row "bursting: time to credit exhaustion, measured / arithmetic (balance₀ / (burst − baseline))" \
	"$(f '%.3f' "$v") ($(f '%s' "$(get burst_exhausted_s)") s vs $(f '%s' "$(get burst_predicted_s)") s; $(f '%s' "$(get burst_balance0_mib)") MiB at $(f '%s' "$(get burst_rate_metered_mibps)") MiB/s, writer paced at $(f '%s' "$(get burst_paced_mibps)") MiB/s)" \
	"1 ± 5%" "$(verdict "$v" within 1 5)"
row "bursting: same, the arithmetic run on the metered bytes actually written (no constant-rate assumption)" \
	"$(f '%.3f' "$(get burst_exhaustion_bytes_ratio)") (arithmetic: $(f '%s' "$(get burst_predicted_bytes_s)") s; reported balance within $(f '%s' "$(get burst_balance_max_err_mib)") MiB of it while draining)" "—" "—"
row "bursting: metered rate after exhaustion / baseline ($(f '%s' "$(get burst_baseline_mibps)") MiB/s)" \
	"$(f '%.3f' "$(get burst_after_ratio)") ($(f '%s' "$(get burst_after_write_mibps)") MiB/s of writes)" "—" "—"
row "VM's unthrottled 128 KiB sequential write rate (the burst rate here)" "$(f '%s MiB/s' "$(get seqwrite_unthrottled_mibps)")" "—" "—"

RN=$OUT/vm-neighbours/results.txt
n() { result_in "$RN" "$1"; }
if [ -s "$RN" ]; then
	v=$(n iso_iops_ratio)
	row "isolation: unclaimed export's IOPS next to two filesystems at 100 units/s hammered by 16 jobs each / alone (2 jobs, median of $(n iso_rounds) alternating rounds)" \
		"$(f '%.3f' "$v") ($(n iso_beside_iops) / $(n iso_alone_iops) IOPS; each round's own ratio $(n iso_iops_ratio_rounds), median $(n iso_iops_ratio_paired); noisy at $(n iso_noisy_iops) IOPS, $(n iso_noisy_delay_replies) DELAYs, $(n iso_backpressure_replies) back-pressure replies)" \
		"≥ 0.95" "$(verdict "$v" ge 0.95)"
	v=$(n iso_p99_ratio)
	row "isolation: p99 latency of the unclaimed export, beside / alone" \
		"$(f '%.3f' "$v") ($(n iso_p99_beside_us) / $(n iso_p99_alone_us) µs)" "≤ 1.2" "$(verdict "$v" le 1.2)"
	row "isolation, reference: the same next to the two noisy clients paced by fio itself to the cap (16 jobs × 6 IOPS), their filesystems not throttled: what the neighbours' admitted work costs this guest" \
		"$(f '%.3f' "$(n iso_ref_ratio)") ($(n iso_ref_iops) IOPS, paired median $(n iso_ref_ratio_paired); noisy at $(n iso_ref_paced_iops) IOPS; p99 $(f '%.3f' "$(n iso_ref_p99_ratio)") of alone)" "—" "—"
	row "isolation: efs / reference, IOPS (paired median) and p99 (how much of the loss is efs's)" \
		"$(f '%.3f' "$(n iso_vs_ref)") ($(n iso_vs_ref_paired)) / $(f '%.3f' "$(n iso_p99_vs_ref)")" "—" "—"
	v=$(n fair_jain)
	row "fairness: Jain's index of 1/2/8/16-job clients of one filesystem at 200 units/s" \
		"$(f '%.3f' "$v") ($(n fair_iops_1_2_8_16) IOPS; total $(n fair_total_ratio) of the cap)" "≥ 0.95" "$(verdict "$v" ge 0.95)"
	v=$(n fair_modest_share)
	row "fairness: modest (1 job) beside greedy (16 jobs) / min(alone, cap/2)" \
		"$(f '%.3f' "$v") (modest $(n fair_modest_iops), greedy $(n fair_greedy_iops), alone $(n fair_modest_alone_iops) IOPS)" "≥ 0.80" "$(verdict "$v" ge 0.80)"
	v=$(n ceil_iops_ratio)
	row "per-client ceiling: 8-job client at --per-client-iops-limit 50, measured / ceiling" "$(f '%.3f' "$v")" "1 ± 1%" "$(verdict "$v" within 1 1)"
	v=$(n ceil_bytes_ratio)
	row "per-client ceiling: 4-job writer at --per-client-throughput-in-mibps 1, measured / ceiling" "$(f '%.3f' "$v")" "1 ± 1%" "$(verdict "$v" within 1 1)"
fi

{
	echo "# efs benchmarks"
	echo
	echo "$when, $(nproc)-core host ($(uname -r)), guest kernel $krel under qemu TCG (2 vCPUs)."
	echo "Command: \`make bench\` (\`tests/bench/run.sh\`: \`tests/bench/limiter_bench.sh\`, then \`$VMCMD\`)."
	echo
	echo "| metric | value | goal | result |"
	echo "|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	for file in "$RI" "$R"; do
		[ -s "$file" ] || continue
		og() { result_in "$file" "$1"; }
		if [ "$file" = "$RI" ]; then
			echo "Overhead rounds in instruction-counted time (\`$ICMD\`),"
		else
			echo "Overhead rounds in wall-clock time (the main VM),"
		fi
		echo "IOPS without / hooked / with: $(og overhead_iops_all_without) / $(og overhead_iops_all_hooked) / $(og overhead_iops_all_with);" \
			"p99 µs: $(og overhead_p99_all_without) / $(og overhead_p99_all_hooked) / $(og overhead_p99_all_with)." \
			"Throttled operations in the 'with' runs: $(og overhead_throttled_ops)."
		echo
	done
	echo "Bursting plot: tests/bench/bursting.png (time series: build/bench/bursting.dat)."
	echo
	echo "Noisy neighbours: \`$NCMD\`."
	echo
	echo "Raw results: build/bench/limiter.txt, build/bench/vm/results.txt, build/bench/vm-icount/results.txt, build/bench/vm-neighbours/results.txt; VM logs in build/bench/vm/, build/bench/vm-icount/ and build/bench/vm-neighbours/."
	[ "$vmrc" -eq 0 ] || echo "**The VM run failed (status $vmrc): see build/bench/vm.log.**"
	echo
	echo "Wall time of the run: ${wall:-?} s ($(awk -v w="${wall:-0}" 'BEGIN { printf "%d min %d s", w / 60, w % 60 }'))."
	# NFS over TLS vs plain (tests/bench/tls.sh), when it ran
	[ ! -s "$OUT/tls.md" ] || { echo; cat "$OUT/tls.md"; }
} >"$MD"
echo
cat "$MD"
[ "$vmrc" -eq 0 ] || exit 1
