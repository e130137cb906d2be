#!/bin/bash
# efs-vm: timeout=1500
# efs-vm: needs-module
#
# The VM half of `make bench` (tests/bench/run.sh boots it with
# tests/vm/run.sh). One knfsd, one tmpfs export "b" mounted over NFSv4.2 on
# loopback, measured as ratios taken side by side in this one VM run:
#
#  overhead   4 KiB random reads (4 jobs), alternating rounds without efs,
#             with efs loaded and "b" claimed far under its budgets, and
#             (to split the cost) loaded with "b" unclaimed; ratio of the
#             medians of IOPS and of p99 completion latency
#  iops       measured/cap at 100, 300, 1000 units/s (fio and efs counters)
#  provisioned  sequential 128 KiB writes at 1, 2, 4 MiB/s, measured/cap
#  bursting   32 MiB of credit drained by sequential 128 KiB writes (paced
#             at 4 MiB/s): the time credits run out vs the credit
#             arithmetic; time series
#
# Results: "name value" lines in $EFS_OUT/results.txt, the bursting time
# series in $EFS_OUT/bursting.dat (seconds, write MiB/s, credit MiB,
# metered MiB/s). Arguments: "quick" for shorter runs (to try the script
# out); "overhead" to measure the overhead only, in 6 rounds (the run of
# tests/bench/run.sh under qemu -icount, whose instruction-counted time
# does not depend on the host's load).
# shellcheck source-path=SCRIPTDIR source=../vm/lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

MiB=1048576
T_OVH=10 ROUNDS=14 T_CAP=30 T_PROV=30 T_PROBE=5 BURST_BAL=32
OVERHEAD_ONLY=0
for arg in "$@"; do
	case $arg in
	quick) T_OVH=4 ROUNDS=4 T_CAP=8 T_PROV=8 T_PROBE=3 BURST_BAL=8 ;;
	overhead) OVERHEAD_ONLY=1 ROUNDS=6 ;; # counted time is steady
	*) fail "unknown argument '$arg' (quick, overhead)" ;;
	esac
done
CAPS="100 300 1000"
PROVS="1 2 4"
RES=$EFS_OUT/results.txt
: >"$RES"

res() { # NAME VALUE
	echo "$1 $2" >>"$RES"
	log "result: $1 $2"
}

median() { # VALUES...
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
		END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

ratio() { # A B [DIGITS]: A / B
	awk -v a="$1" -v b="$2" -v d="${3:-4}" 'BEGIN { if (b == 0) print "nan"; else printf "%.*f\n", d, a / b }'
}

# 4 KiB random reads, 4 jobs, for SECONDS: randread NAME SECONDS
randread() {
	run_fio "$1" --filename=/mnt/b/data --rw=randread --bs=4k --direct=1 \
		--ioengine=psync --numjobs=4 --group_reporting \
		--time_based --runtime="$2"
}

# Sequential 128 KiB writes, one job: seqwrite NAME SECONDS [FIO OPTIONS]
seqwrite() {
	local name=$1 secs=$2
	shift 2
	run_fio "$name" --filename=/mnt/b/w --size=32M --rw=write --bs=128k --direct=1 \
		--ioengine=psync --time_based --runtime="$secs" "$@"
}

p99_us() { # fio run NAME: p99 read completion latency in microseconds
	jq -r '.jobs[0].read.clat_ns.percentile["99.000000"] / 1000' "$EFS_OUT/$1.json"
}

# --- setup -----------------------------------------------------------------
nfsd_start 8 || fail "nfsd_start"
export_tmpfs b 512M || fail "export"
dd if=/dev/urandom of=/srv/b/data bs=1M count=32 status=none || fail "dd data"
dd if=/dev/zero of=/srv/b/w bs=1M count=32 status=none || fail "dd w"
nfs_mount b /mnt/b 4.2 || fail "mount"
rc=0
randread warmup 3 || fail "fio warm-up"

# --- overhead: without efs / with efs, alternating ---------------------------
# Three states: "without" (no module), "with" (loaded, export claimed far
# under its budgets: --iops-limit 100000000, bursting with full credit) and,
# to tell the hooks' cost from the accounting's, "hooked" (loaded, export
# not claimed: every request goes through the hooks and misses the lookup).
# Rounds alternate the order (without hooked with | with hooked without |
# ...) so that slow drift in the host's load cancels out, and no state is
# always first in a round or always right after the module was (un)loaded.
declare -A iops p99
throttled=0 claimed=0
add_throttled() { # count what "with" throttled before b is released
	throttled=$((throttled + $($EFS_CTL fs stats b --json | jq -r .ThrottledOperations)))
}
to_state() { # without|hooked|with
	if [ "$1" = without ]; then
		[ -d /sys/module/efs ] || return 0
		[ $claimed = 1 ] && add_throttled
		efs_unload || fail "efs_unload"
		claimed=0
		return
	fi
	[ -d /sys/module/efs ] || { efs_load || fail "efs_load"; claimed=0; }
	if [ "$1" = with ] && [ $claimed = 0 ]; then
		$EFS_CTL fs add b /srv/b --iops-limit 100000000 || fail "fs add"
		claimed=1
	elif [ "$1" = hooked ] && [ $claimed = 1 ]; then
		add_throttled
		$EFS_CTL fs del b || fail "fs del"
		claimed=0
	fi
}
STATES="without hooked with"
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) = 1 ]; then order="without hooked with"; else order="with hooked without"; fi
	for kind in $order; do
		to_state "$kind"
		randread "ovh-$kind-$r" "$T_OVH" || rc=1
		iops[$kind]+="$(fio_iops "ovh-$kind-$r" read) "
		p99[$kind]+="$(p99_us "ovh-$kind-$r") "
	done
	line="round $r ($order):"
	for kind in $STATES; do
		line+=" $kind $(fio_iops "ovh-$kind-$r" read) IOPS p99 $(p99_us "ovh-$kind-$r") us;"
	done
	log "$line"
done
to_state without
res overhead_rounds "$ROUNDS"
for kind in $STATES; do
	# shellcheck disable=SC2086 # lists of numbers
	{
		res "overhead_iops_$kind" "$(median ${iops[$kind]})"
		res "overhead_p99_${kind}_us" "$(median ${p99[$kind]})"
		res "overhead_iops_all_$kind" "$(echo ${iops[$kind]} | tr ' ' ,)"
		res "overhead_p99_all_$kind" "$(echo ${p99[$kind]} | tr ' ' ,)"
	}
done
# Ratios of the medians, and the median of each round's own ratio (a
# round's runs are adjacent in time: the host's load drifts less).
# overhead_ratios A B NAME: A over B
overhead_ratios() {
	local a=$1 b=$2 n=$3 m pi=() pl=() i
	local -a ia ib la lb
	read -ra ia <<<"${iops[$a]}"
	read -ra ib <<<"${iops[$b]}"
	read -ra la <<<"${p99[$a]}"
	read -ra lb <<<"${p99[$b]}"
	for i in "${!ia[@]}"; do
		pi+=("$(ratio "${ia[$i]}" "${ib[$i]}")")
		pl+=("$(ratio "${la[$i]}" "${lb[$i]}")")
	done
	m=$(median "${ia[@]}")
	res "overhead_iops_ratio$n" "$(ratio "$m" "$(median "${ib[@]}")")"
	res "overhead_p99_ratio$n" "$(ratio "$(median "${la[@]}")" "$(median "${lb[@]}")")"
	res "overhead_iops_paired_ratio$n" "$(median "${pi[@]}")"
	res "overhead_p99_paired_ratio$n" "$(median "${pl[@]}")"
}
overhead_ratios with without ""
overhead_ratios hooked without _hooked
overhead_ratios with hooked _claim
res overhead_throttled_ops "$throttled"
# shellcheck disable=SC2086 # a list of numbers
res iops_unthrottled "$(median ${iops[without]})"
[ "$OVERHEAD_ONLY" = 0 ] || exit "$rc"

# --- IOPS accuracy -----------------------------------------------------------
# efs's own count comes from one sampler per run (kernel timestamps), over
# the whole seconds in which I/O ran: from the first sample after the
# counter moved (fio starts late under TCG; the bucket's initial 50 ms
# allowance is left out) to the sample before the last move (fio's end).
watch_start() { # NAME
	$EFS_CTL fs stats b --json --watch 1 >"$EFS_OUT/$1.jsonl" &
	wpid=$!
}
watch_stop() {
	kill "$wpid"
	wait "$wpid" 2>/dev/null
}
# steady NAME FIELD...: "seconds rate(FIELD1) rate(FIELD2)... waited
# wait", the window chosen on FIELD1; waited = share of the requests that
# waited, wait = ns spent waiting per second (summed over the requests).
steady() {
	local name=$1
	shift
	jq -r --args '[.Timestamp, .ThrottledOperations, .DataReadOps + .DataWriteOps + .MetadataOps,
		.ThrottleDelayNanoseconds] + [.[$ARGS.positional[]]] | @tsv' "$@" <"$EFS_OUT/$name.jsonl" |
		awk '{ n = NR; for (i = 1; i <= NF; i++) v[n, i] = $i }
		END {
			for (i = 2; i <= n; i++) if (v[i, 5] > v[1, 5]) { s = i; break }
			for (i = n; i > 1; i--) if (v[i, 5] > v[i - 1, 5]) { e = i - 1; break }
			if (s == "" || e - s < 3) { print "nan nan nan nan nan nan nan"; exit }
			dt = (v[e, 1] - v[s, 1]) / 1e9
			printf "%.2f", dt
			for (f = 5; f <= NF; f++) printf " %.4f", (v[e, f] - v[s, f]) / dt
			dops = v[e, 3] - v[s, 3]
			printf " %.3f", (dops > 0 ? (v[e, 2] - v[s, 2]) / dops : 0)
			printf " %.0f\n", (v[e, 4] - v[s, 4]) / dt
		}'
}
# own_rate RATE STREAMS WAIT: what the VM did with efs's waits taken out:
# each of STREAMS closed-loop streams spends WAIT/STREAMS ns of every
# second waiting; the rest is the VM's own time per request.
own_rate() {
	awk -v r="$1" -v j="$2" -v w="$3" 'BEGIN {
		busy = j - w / 1e9
		if (busy <= 0) print "nan"; else printf "%.4f\n", r * j / busy }'
}

efs_load || fail "efs_load"
$EFS_CTL fs add b /srv/b --iops-limit 100 || fail "fs add"
for cap in $CAPS; do
	$EFS_CTL fs set b --iops-limit "$cap" || rc=1
	watch_start "iops-$cap"
	randread "iops-$cap" "$T_CAP" || rc=1
	watch_stop
	fio=$(jq -r '.jobs[0].read.iops' "$EFS_OUT/iops-$cap.json")
	read -r secs efs units waited wait <<<"$(steady "iops-$cap" DataReadOps IoUnits)"
	res "iops_fio_$cap" "$(ratio "$fio" 1 1)"
	res "iops_efs_$cap" "$(ratio "$efs" 1 1)"
	res "iops_efs_window_s_$cap" "$secs"
	res "iops_units_$cap" "$(ratio "$units" 1 1)"
	res "iops_fio_ratio_$cap" "$(ratio "$fio" "$cap")"
	res "iops_efs_ratio_$cap" "$(ratio "$efs" "$cap")"
	res "iops_units_ratio_$cap" "$(ratio "$units" "$cap")"
	# Did the cap bind, or was the VM slower? (4 jobs)
	res "iops_waited_$cap" "$waited"
	res "iops_wait_ms_per_op_$cap" "$(ratio "$wait" "$(awk -v r="$efs" 'BEGIN { print r * 1e6 }')" 2)"
	res "iops_own_$cap" "$(own_rate "$efs" 4 "$wait")"
done
# What the VM does right now without a binding cap (efs loaded, far under).
$EFS_CTL fs set b --iops-limit 100000000 || rc=1
randread iops-unthrottled "$T_OVH" || rc=1
res iops_unthrottled_adjacent "$(fio_iops iops-unthrottled read)"

# --- provisioned accuracy ----------------------------------------------------
# S fixed at 1 GiB: baseline 1 MiB/s, so every rate below is the provisioned
# one. The ops budget goes back to the mode's 35,000 units/s.
$EFS_CTL fs set b --iops-limit 0 --throughput-mode provisioned \
	--provisioned-throughput-in-mibps 1 --metered-size 1GiB || rc=1
for p in $PROVS; do
	$EFS_CTL fs set b --provisioned-throughput-in-mibps "$p" || rc=1
	watch_start "prov-$p"
	seqwrite "prov-$p" "$T_PROV" || rc=1
	watch_stop
	fio=$(fio_bw_bytes "prov-$p" write)
	read -r secs dw met mops wops waited wait <<<"$(steady "prov-$p" DataWriteIOBytes MeteredIOBytes MetadataOps DataWriteOps)"
	res "prov_fio_mibps_$p" "$(ratio "$fio" $MiB)"
	res "prov_fio_ratio_$p" "$(ratio "$fio" $((p * MiB)))"
	res "prov_efs_window_s_$p" "$secs"
	res "prov_efs_metered_ratio_$p" "$(ratio "$met" $((p * MiB)))"
	res "prov_efs_data_ratio_$p" "$(ratio "$dw" $((p * MiB)))"
	res "prov_waited_$p" "$waited"
	res "prov_wait_ms_per_write_$p" "$(ratio "$wait" "$(awk -v r="$wops" 'BEGIN { print r * 1e6 }')" 2)"
	res "prov_own_mibps_$p" "$(ratio "$(own_rate "$dw" 1 "$wait")" $MiB)"
	# What each 128 KiB write costs in metered bytes (metadata ops: COMMIT...).
	res "prov_metered_per_data_$p" "$(ratio "$met" "$dw")"
	res "prov_metadata_ops_per_write_$p" "$(ratio "$mops" "$wops" 3)"
done

# --- bursting: credits to baseline ---------------------------------------------
# First the VM's own sequential write rate (elastic: metering only). The
# writer is then paced (fio --rate) at 4 MiB/s, or 60% of what the VM can do
# if that is less: unpaced, the rate swings with the host's load from one
# half second to the next, and the drain is over in a few seconds. The
# burst rate (100 MiB/s for S = 1 GiB) is far above either; what spends
# the credit is the writer's rate minus the baseline.
$EFS_CTL fs set b --throughput-mode elastic || rc=1
seqwrite probe "$T_PROBE" || rc=1
probe=$(fio_bw_bytes probe write)
res seqwrite_unthrottled_mibps "$(ratio "$probe" $MiB 2)"
pace=$(awk -v r="$probe" -v M=$MiB 'BEGIN {
	p = r >= 6.67 * M ? 4 * M : 0.6 * r
	printf "%d\n", (p >= 1.5 * M ? p : 0) }')
res burst_paced_mibps "$(ratio "$pace" $MiB 2)"
runtime=$(awk -v r="$probe" -v p="$pace" -v b="$BURST_BAL" -v M=$MiB 'BEGIN {
	if (p > 0) r = p
	t = r > 1.2 * M ? b * M / (r - M) + 28 : 40
	if (t < 40) t = 40; if (t > 150) t = 150; printf "%d\n", t }')
[ "${1:-}" = quick ] && runtime=$((runtime / 2))
log "unthrottled sequential writes at $probe B/s: bursting run of $runtime s, paced at $pace B/s"

$EFS_CTL fs set b --throughput-mode bursting --metered-size 1GiB \
	--burst-credit-balance "${BURST_BAL}MiB" || rc=1
# One efsctl process, one JSON object per half second, kernel timestamps.
$EFS_CTL fs stats b --json --watch 0.5 >"$EFS_OUT/burst.jsonl" &
wpid=$!
sleep 1.5
if [ "$pace" -gt 0 ]; then
	seqwrite burst "$runtime" --rate="$pace" || rc=1
else
	seqwrite burst "$runtime" || rc=1
fi
sleep 1
kill $wpid
wait $wpid 2>/dev/null
baseline=$($EFS_CTL fs show b --json | jq -r '.FileSystems[0].BaselineThroughput')
jq -r '[.Timestamp, .BurstCreditBalance, .MeteredIOBytes, .DataWriteIOBytes] | @tsv' \
	"$EFS_OUT/burst.jsonl" >"$EFS_OUT/burst.tsv"

# t (s from the first sample), write MiB/s and metered MiB/s over the
# interval ending at the sample, credit balance MiB.
awk -v M=$MiB 'NR == 1 { t0 = $1 }
	{ t = ($1 - t0) / 1e9
	  if (NR == 1) printf "# seconds write_MiB/s credit_MiB metered_MiB/s\n"
	  w = NR == 1 ? 0 : ($4 - pw) / M / (t - pt)
	  m = NR == 1 ? 0 : ($3 - pm) / M / (t - pt)
	  printf "%.3f %.4f %.4f %.4f\n", t, w, $2 / M, m
	  pt = t; pw = $4; pm = $3 }' "$EFS_OUT/burst.tsv" >"$EFS_OUT/bursting.dat"

# Exhaustion, measured: the balance drains linearly, then sits at ~0 (each
# request waits for the baseline). The crossing is placed between the last
# two samples still draining, by their own slope (samples are 0.5 s apart).
# Predicted: from the first sample with I/O (t1, balance b1), b1 / (burst -
# baseline), the burst rate being the metered rate over the first half of
# the drain.
awk -v M=$MiB -v base="$baseline" -v thr=$((256 * 1024)) '
	NR == 1 { t0 = $1; m0 = $3 }
	{ t = ($1 - t0) / 1e9; bal = $2; met = $3; dw = $4 }
	NR > 1 && t1 == "" && met > m0 { t1 = t; b1 = bal; mt1 = met; dw1 = dw }
	t1 != "" && th == "" && bal < b1 / 2 { th = t; mth = met; dwh = dw }
	t1 != "" && tx == "" && bal < thr {
		s = (pt2 != "" && pt2 >= t1 && pt2 < pt1) ? (pb2 - pb1) / (pt1 - pt2) : 0
		tx = (s > 0 && pb1 / s < t - pt1) ? pt1 + pb1 / s : t
		txs = t
	}
	tx != "" && ta == "" && t >= tx + 2 { ta = t; mta = met; dwa = dw }
	# The credit arithmetic on the bytes actually metered: balance =
	# b1 + baseline * (t - t1) - metered since t1 (it stays a request or
	# so above 0 at the end: the waiting request is charged, not yet
	# counted). Where it runs out, found as for the reported balance, and
	# how far the reported balance strays from it while draining.
	t1 != "" {
		model = b1 + base * (t - t1) - (met - mt1)
		if (tb == "" && model < thr) {
			s = (qt2 != "" && qt2 < qt1) ? (qm2 - qm1) / (qt1 - qt2) : 0
			tb = (s > 0 && qm1 / s < t - qt1) ? qt1 + qm1 / s : t
		}
		if (tb == "" && bal > thr) {
			e = bal - model; if (e < 0) e = -e
			if (e > maxerr) maxerr = e
		}
		qt2 = qt1; qm2 = qm1; qt1 = t; qm1 = model
	}
	met > pm { tl = t; ml = met; dwl = dw }	# the last sample with I/O
	{ pt2 = pt1; pb2 = pb1; pt1 = t; pb1 = bal; pm = met }
	END {
		if (t1 == "" || th == "" || tx == "") { print "burst_ok 0"; exit }
		r = (mth - mt1) / (th - t1)
		pred = t1 + b1 / (r - base)
		print "burst_ok 1"
		printf "burst_balance0_mib %.3f\n", b1 / M
		printf "burst_rate_metered_mibps %.3f\n", r / M
		printf "burst_rate_write_mibps %.3f\n", (dwh - dw1) / (th - t1) / M
		printf "burst_first_io_s %.2f\n", t1
		printf "burst_exhausted_s %.2f\n", tx
		printf "burst_exhausted_sample_s %.2f\n", txs
		printf "burst_predicted_s %.2f\n", pred
		printf "burst_exhaustion_ratio %.4f\n", (tx - t1) / (pred - t1)
		if (tb != "") {
			printf "burst_predicted_bytes_s %.2f\n", tb
			printf "burst_exhaustion_bytes_ratio %.4f\n", (tx - t1) / (tb - t1)
		}
		printf "burst_balance_max_err_mib %.4f\n", maxerr / M
		if (ta != "" && tl > ta + 4) {
			printf "burst_after_metered_mibps %.3f\n", (ml - mta) / (tl - ta) / M
			printf "burst_after_write_mibps %.3f\n", (dwl - dwa) / (tl - ta) / M
			printf "burst_after_ratio %.4f\n", (ml - mta) / (tl - ta) / base
		}
	}' "$EFS_OUT/burst.tsv" >"$EFS_OUT/burst.res"
while read -r k v; do res "$k" "$v"; done <"$EFS_OUT/burst.res"
res burst_baseline_mibps "$(ratio "$baseline" $MiB 3)"
grep -q '^burst_ok 1' "$EFS_OUT/burst.res" || { log "bursting: credits never ran out" >&2; rc=1; }

$EFS_CTL fs stats b
nfs_umount /mnt/b
efs_unload || rc=1
nfsd_stop
exit $rc
