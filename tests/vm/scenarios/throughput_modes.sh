#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Throughput modes with EFS metering, over NFSv4.2:
#  - provisioned 2 MiB/s: sequential writes at 2 MiB/s, sequential reads at
#    6 MiB/s (reads are metered at 1/3); 1 KiB random writes metered at
#    exactly 4 KiB each (the metering minimum) and so held to 64 IOPS by a
#    0.25 MiB/s per-client ceiling, +-10% (before: provisioned 1 MiB/s,
#    256 IOPS, asserted only when the guest did more than 200, which a
#    loaded host's did not);
#  - bursting with 24 MiB of credit on a small filesystem: fio writes at
#    6 MiB/s (well under the 100 MiB/s burst rate, so the client and not
#    the VM's speed sets the pace) until the credit is spent, then the
#    1 MiB/s baseline; exhaustion time and BurstCreditBalance follow the
#    credit arithmetic; credits accrue while idle at the baseline and cap;
#  - elastic: no throttling, counters advance by the metered bytes;
#  - EFS's read and write IOPS limits (issue 27): fs show --json of a
#    filesystem made in each mode has that mode's defaults (bursting
#    35000 / 7000, provisioned 55000 / 25000, elastic 250000 / 50000;
#    maxIO none, its combined 500000), which follow a change of mode
#    unless set; a limit above EFS's highest is refused, changing nothing.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

MiB=1048576
rc=0
stat_of() { $EFS_CTL fs stats "$1" --json | jq -r ".$2"; }

nfsd_start 8 || fail "nfsd_start"
export_tmpfs t 512M || fail "export"
dd if=/dev/urandom of=/srv/t/data bs=1M count=64 status=none
efs_load || fail "efs_load"
nfs_mount t /mnt/t 4.2 || fail "mount"

# --- provisioned ---------------------------------------------------------
$EFS_CTL fs add t /srv/t --throughput-mode provisioned \
	--provisioned-throughput-in-mibps 2 --metered-size 1GiB || fail "fs add"
run_fio p-write --filename=/mnt/t/w --size=32M --rw=write --bs=128k --direct=1 \
	--ioengine=psync --time_based --runtime=8 || rc=1
check "provisioned 2 MiB/s: sequential writes" \
	rate_within "$(fio_bw_bytes p-write write)" $((2 * MiB)) 10 "write B/s"
run_fio p-read --filename=/mnt/t/data --rw=read --bs=128k --direct=1 \
	--ioengine=psync --time_based --runtime=8 || rc=1
check "provisioned 2 MiB/s: sequential reads at 3x" \
	rate_within "$(fio_bw_bytes p-read read)" $((6 * MiB)) 10 "read B/s"
$EFS_CTL fs set t --provisioned-throughput-in-mibps 1 --per-client-throughput-in-mibps 0.25 || rc=1
ops_of() { $EFS_CTL fs stats t --json | jq -r '"\(.DataReadOps + .DataWriteOps + .MetadataOps) \(.MeteredIOBytes)"'; }
read -r n0 mw0 <<<"$(ops_of)"
run_fio p-small --filename=/mnt/t/data --rw=randwrite --bs=1k --direct=1 \
	--ioengine=psync --numjobs=2 --group_reporting --time_based --ramp_time=2 --runtime=6 || rc=1
read -r n1 mw1 <<<"$(ops_of)"
check "1 KiB writes are metered as 4 KiB each (as every other operation here: $((n1 - n0)) of them)" \
	test $((mw1 - mw0)) -eq $(((n1 - n0) * 4096))
# Metered at 1 KiB they would run at 256 IOPS. (fio's ramp spends the
# ceiling's 256 KiB burst.)
check "1 KiB writes held by the 4 KiB minimum to 0.25 MiB/s / 4 KiB = 64 IOPS" \
	rate_within "$(fio_iops p-small write)" 64 10 "1k randwrite IOPS"
$EFS_CTL fs set t --per-client-throughput-in-mibps default || rc=1

# --- bursting --------------------------------------------------------------
# S = 1 GiB: baseline 1 MiB/s, burst 100 MiB/s (above what the VM does).
$EFS_CTL fs set t --throughput-mode bursting --burst-credit-balance 24MiB || rc=1
b0=$(stat_of t BurstCreditBalance)
check "balance set to 24 MiB (plus a little accrual)" assert_within "$b0" $((24 * MiB)) 8 "balance"
# One efsctl process samples twice a second (cheaper than a loop of execs
# under TCG); each line carries the kernel's own timestamp.
$EFS_CTL fs stats t --json --watch 0.5 >"$EFS_OUT/burst.jsonl" &
watch_pid=$!
sleep 1
# Paced by fio: unpaced, a quiet VM drains 24 MiB in under a second and
# half-second samples cannot time it; at 6 MiB/s it takes about 5 s.
run_fio burst --filename=/mnt/t/w --size=32M --rw=write --bs=128k --direct=1 \
	--ioengine=psync --rate=6m --time_based --runtime=16 || rc=1
kill $watch_pid; wait $watch_pid 2>/dev/null
# "ms balance metered" per sample, time from the first sample.
jq -r '[.Timestamp, .BurstCreditBalance, .MeteredIOBytes] | @tsv' "$EFS_OUT/burst.jsonl" |
	awk 'NR == 1 { t0 = $1 } { printf "%d %d %d\n", ($1 - t0) / 1e6, $2, $3 }' >"$EFS_OUT/burst-samples"
read -r t0 bal0 met0 <"$EFS_OUT/burst-samples"
# The credit arithmetic: balance = bal0 + 1 MiB/s * t - metered since t0.
bad=0 n=0 exhausted_at= first_io= mid=
while read -r t bal met; do
	want=$(( bal0 + (t - t0) * MiB / 1000 - (met - met0) ))
	[ -z "$first_io" ] && [ "$met" -gt "$met0" ] && first_io="$t $bal $met" fbal=$bal
	# Half-way down: the burst rate measured so far predicts the rest.
	[ -n "$first_io" ] && [ -z "$mid" ] && [ "$bal" -lt $((fbal / 2)) ] && mid="$t $met"
	if [ -z "$exhausted_at" ] && [ "$bal" -lt $MiB ]; then
		exhausted_at=$t
		burst_met=$met
	fi
	[ -z "$exhausted_at" ] && [ $want -gt $((4 * MiB)) ] || continue
	n=$((n + 1))
	rate_within "$bal" "$want" 15 "balance at $t ms" >/dev/null || { bad=$((bad + 1)); log "balance at $t ms: $bal, arithmetic says $want" >&2; }
done <"$EFS_OUT/burst-samples"
check "BurstCreditBalance follows the arithmetic ($n samples)" test $bad -eq 0 -a $n -ge 2
if [ -z "$exhausted_at" ] || [ -z "$first_io" ]; then
	log "FAIL: credits never ran out" >&2; rc=1
else
	read -r t1 bal1 met1 <<<"$first_io"
	read -r tm metm <<<"${mid:-$exhausted_at $burst_met}"
	# From the first sample with I/O the balance bal1 drains at (burst
	# rate - baseline); the burst rate is fio's over the first half.
	rate=$(( (metm - met1) * 1000 / (tm - t1) ))
	predicted=$(( t1 + bal1 * 1000 / (rate - MiB) ))
	log "burst at $((rate / 1024)) KiB/s; exhausted at ${exhausted_at} ms, predicted ${predicted} ms"
	check "bursting runs at fio's 6 MiB/s, above the baseline" rate_within "$rate" $((6 * MiB)) 20 "burst B/s"
	check "time to exhaustion matches the arithmetic" rate_within "$exhausted_at" "$predicted" 15 "ms"
	# Credits accrued while we did the sums: spend them again, then
	# measure the steady state from the kernel's counters (fio takes a
	# moment to start under TCG, and credit accrues meanwhile).
	# (Zeroed once fio writes: a loaded host's guest took seconds to
	# start it, and the credit that accrued meanwhile read +26%.)
	run_fio baseline --filename=/mnt/t/w --size=32M --rw=write --bs=64k --direct=1 \
		--ioengine=psync --time_based --runtime=14 &
	fio_pid=$!
	fio_wait_running baseline 1 20 || rc=1
	$EFS_CTL fs set t --burst-credit-balance 0 || rc=1
	sleep 2
	read -r wa ta <<<"$($EFS_CTL fs stats t --json | jq -r '"\(.DataWriteIOBytes) \(.Timestamp)"')"
	sleep 4
	read -r wb tb <<<"$($EFS_CTL fs stats t --json | jq -r '"\(.DataWriteIOBytes) \(.Timestamp)"')"
	check "PermittedThroughput says baseline" \
		test "$(stat_of t PermittedThroughput)" -eq $MiB
	wait $fio_pid || rc=1
	check "baseline 1 MiB/s once credits are spent" \
		rate_within $(( (wb - wa) * 1000000000 / (tb - ta) )) $MiB 10 "B/s"
fi

# Accrual while idle, and the cap.
$EFS_CTL fs set t --burst-credit-balance 1MiB || rc=1
read -r ba ta <<<"$($EFS_CTL fs stats t --json | jq -r '"\(.BurstCreditBalance) \(.Timestamp)"')"
sleep 4
read -r bb tb <<<"$($EFS_CTL fs stats t --json | jq -r '"\(.BurstCreditBalance) \(.Timestamp)"')"
check "idle accrual at the 1 MiB/s baseline" \
	rate_within $(( (bb - ba) * 1000000000 / (tb - ta) )) $MiB 10 "accrual B/s"
max=$($EFS_CTL fs show t --json | jq -r '.FileSystems[0].BurstCreditMax')
$EFS_CTL fs set t --burst-credit-balance $((max - MiB)) || rc=1
sleep 3
check "balance caps at the maximum" test "$(stat_of t BurstCreditBalance)" -eq "$max"

# --- elastic ---------------------------------------------------------------
$EFS_CTL fs set t --throughput-mode elastic || rc=1
th0=$(stat_of t ThrottledOperations)
r0=$(stat_of t DataReadIOBytes)
m0=$(stat_of t MeteredIOBytes)
run_fio elastic --filename=/mnt/t/data --rw=read --bs=1M --direct=1 \
	--ioengine=psync --time_based --runtime=5 || rc=1
r1=$(stat_of t DataReadIOBytes)
m1=$(stat_of t MeteredIOBytes)
check "elastic: nothing throttled" test "$(stat_of t ThrottledOperations)" -eq "$th0"
check "elastic: faster than any budget above" \
	rate_above "$(fio_bw_bytes elastic read)" $((8 * MiB)) "elastic read B/s"
check "elastic: metered = read bytes / 3" assert_within $((m1 - m0)) $(((r1 - r0) / 3)) 1 "metered bytes"

# S sampled from the filesystem when not fixed.
$EFS_CTL fs set t --metered-size auto --size-sample-interval-ms 1000 || rc=1
dd if=/dev/zero of=/srv/t/grow bs=1M count=100 status=none
sleep 3
size=$($EFS_CTL fs show t --json | jq -r '.FileSystems[0].SizeInBytes.Value')
used=$(( $(stat -f -c '(%b - %f) * %S' /srv/t) ))
check "SizeInBytes follows the filesystem ($size, statfs says $used)" assert_within "$size" "$used" 5 "bytes"

# --- EFS's read and write IOPS limits by mode --------------------------------
rw_show() { # NAME JQ-CONDITION
	$EFS_CTL fs show "$1" --json | jq -e ".FileSystems[0] | $2" >/dev/null
}
for m in bursting:35000:7000 provisioned:55000:25000 elastic:250000:50000; do
	IFS=: read -r mode r w <<<"$m"
	mkdir -p "/srv/m-$mode"
	extra=()
	[ "$mode" = provisioned ] && extra=(--provisioned-throughput-in-mibps 1)
	$EFS_CTL fs add "m-$mode" "/srv/m-$mode" --throughput-mode "$mode" "${extra[@]}" ||
		{ log "FAIL: fs add m-$mode" >&2; rc=1; }
	check "$mode: ReadIopsLimit $r, WriteIopsLimit $w, no combined budget" \
		rw_show "m-$mode" ".ReadIopsLimit == $r and .WriteIopsLimit == $w and
			.ReadIopsLimitConfigured == 0 and .WriteIopsLimitConfigured == 0 and
			.CombinedIopsLimit == 0 and .IopsLimit == $r"
done
mkdir -p /srv/m-maxio
$EFS_CTL fs add m-maxio /srv/m-maxio --performance-mode maxIO || rc=1
check "maxIO: no read/write split, its combined 500000" \
	rw_show m-maxio '.ReadIopsLimit == 0 and .WriteIopsLimit == 0 and
		.CombinedIopsLimit == 500000 and .IopsLimit == 500000'
$EFS_CTL fs set m-bursting --throughput-mode elastic --write-iops-limit 40 || rc=1
check "a mode change: the read default follows, a set write limit stays" \
	rw_show m-bursting '.ReadIopsLimit == 250000 and .WriteIopsLimit == 40'
$EFS_CTL fs set m-bursting --throughput-mode provisioned --provisioned-throughput-in-mibps 1 || rc=1
check "and again: provisioned's read default" \
	rw_show m-bursting '.ReadIopsLimit == 55000 and .WriteIopsLimit == 40'
out=$($EFS_CTL fs set m-elastic --read-iops-limit 2500001 2>&1)
check "a read limit above 2500000 is refused ($out)" \
	grep -q "read-iops-limit: invalid value '2500001'" <<<"$out"
check "and changes nothing" rw_show m-elastic '.ReadIopsLimit == 250000 and .ReadIopsLimitConfigured == 0'
$EFS_CTL fs set m-elastic --read-iops-limit 2500000 --write-iops-limit 500000 || rc=1
check "EFS's highest (elastic, raised) is taken" \
	rw_show m-elastic '.ReadIopsLimit == 2500000 and .WriteIopsLimit == 500000'
$EFS_CTL fs show m-elastic
for f in m-bursting m-provisioned m-elastic m-maxio; do $EFS_CTL fs del "$f" || rc=1; done

$EFS_CTL fs show t
nfs_umount /mnt/t
efs_unload || rc=1
nfsd_stop
exit $rc
