#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
#
# Every byte that moves is charged (issue 29, item 2). NFSv4.2 COPY and
# CLONE move data inside the server (vfs_copy_file_range and
# vfs_clone_file_range), where no read or write hook sees it; efs charges
# each chunk nfsd copies, and each clone, as the read of the source plus
# the write of the destination (module/copy.c):
#  - elastic first: cp of a 32 MiB file on the same NFSv4.2 mount really
#    uses copy_file_range (strace) and the server's COPY (the client's
#    mountstats), at full speed, nothing throttled, the bytes counted:
#    DataReadIOBytes and DataWriteIOBytes +32 MiB each, MeteredIOBytes
#    + the metering of a 32 MiB read plus a 32 MiB write beside the 4 KiB
#    of each metadata operation (within 1%);
#  - provisioned 2 MiB/s: the same cp takes what the metering says,
#    32 MiB * (1/3 + 1) / 2 MiB/s = 21.3 s: asserted >= 16 s (the write
#    alone) and <= 21.3 s + 10% + the elastic cp's time (the same cp's
#    own time on this guest; 1.5 s on a quiet host, several seconds under
#    a loaded host's TCG); from the kernel's counters the copy moves at
#    2 MiB/s metered (within 10%); the same counters as elastic. A COPY
#    this large is asynchronous on 6.1 (the client asks for it: nfsd's
#    copy thread is paced chunk by chunk) and synchronous on 6.12.117
#    (nfsd makes every COPY so: each returns a short chunk and the
#    client sends the next);
#  - stopping: an interrupted cp ends at once and leaves no copy thread
#    (on 6.1 OFFLOAD_CANCEL stops the one asleep in efs); fs del lets the
#    rest of a copy go unpaced; rmmod during a paced copy returns at once
#    and the copy finishes whole;
#  - CLONE (xfs with reflinks, cp --reflink=always): counted and metered
#    the same once it succeeded, as debt: the next requests wait for it.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

MiB=1048576
rc=0
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# counters FS: "DataRead DataWrite Metered Metadata Throttled".
counters() {
	$EFS_CTL fs stats "$1" --json | jq -r \
		'"\(.DataReadIOBytes) \(.DataWriteIOBytes) \(.MeteredIOBytes) \(.MetadataIOBytes) \(.ThrottledOperations)"'
}

# op_count MOUNTPOINT OP: how many OP calls the client sent on that mount.
op_count() {
	awk -v m="$1" -v op="$2:" '$1 == "device" { on = ($5 == m) }
		on && $1 == op { print $2; exit }' /proc/self/mountstats
}

# metering BYTES: what a read plus a write of BYTES are metered at.
metering() { echo $(($1 / 3 + $1)); }

# copied NAME SRC DST: cp SRC DST under strace; sets ms (elapsed), cfr
# (copy_file_range calls) and cfr_bytes (what they returned in all).
copied() {
	local t0 t1
	t0=$(now_ms)
	strace -f -e trace=copy_file_range -o "$EFS_OUT/$1.strace" cp "$2" "$3" ||
		{ log "cp $2 $3 failed" >&2; rc=1; }
	t1=$(now_ms)
	ms=$((t1 - t0))
	cfr=$(grep -c 'copy_file_range(' "$EFS_OUT/$1.strace")
	cfr_bytes=$(awk '/copy_file_range\(/ && $NF ~ /^[0-9]+$/ { s += $NF } END { print s + 0 }' \
		"$EFS_OUT/$1.strace")
	log "$1: cp took $ms ms, $cfr copy_file_range calls moved $cfr_bytes bytes"
}

# charged NAME FS BYTES BEFORE AFTER: the counters grew by a read and a
# write of BYTES, and the metered bytes by their metering (beside 4 KiB a
# metadata operation, which MetadataIOBytes counts).
charged() {
	local r0 w0 m0 md0 r1 w1 m1 md1
	read -r r0 w0 m0 md0 _ <<<"$4"
	read -r r1 w1 m1 md1 _ <<<"$5"
	log "$1: DataRead +$((r1 - r0)) DataWrite +$((w1 - w0)) Metered +$((m1 - m0)) Metadata +$((md1 - md0))"
	check "$1: DataReadIOBytes +$3" assert_within $((r1 - r0)) "$3" 1 "read bytes"
	check "$1: DataWriteIOBytes +$3" assert_within $((w1 - w0)) "$3" 1 "written bytes"
	check "$1: MeteredIOBytes + the metering of a read and a write" \
		assert_within $((m1 - m0 - (md1 - md0))) "$(metering "$3")" 1 "metered bytes"
	check "$1: MeteredIOBytes within 3% even with the metadata" \
		assert_within $((m1 - m0)) "$(metering "$3")" 3 "metered bytes"
}

nfsd_start 8 || fail "nfsd_start"
export_tmpfs e 128M || fail "export e"
export_tmpfs c 192M || fail "export c"
# Written on the server: only the copies go through NFS.
dd if=/dev/urandom of=/srv/e/src bs=1M count=32 status=none || fail "dd"
cp /srv/e/src /srv/c/src || fail "cp"
efs_load || fail "efs_load"
nfs_mount e /mnt/e 4.2 || fail "mount e"
nfs_mount c /mnt/c 4.2 || fail "mount c"

# --- elastic -------------------------------------------------------------------
# First: how long the copy takes this guest when nothing holds it back.
$EFS_CTL fs add e /srv/e --throughput-mode elastic || fail "fs add e"
before=$(counters e) copies0=$(op_count /mnt/e COPY)
copied elastic /mnt/e/src /mnt/e/dst
after=$(counters e) copies1=$(op_count /mnt/e COPY)
elastic_ms=$ms
check "elastic: cp used copy_file_range for all 32 MiB" test "$cfr_bytes" -eq $((32 * MiB))
check "elastic: the server did the copy (COPY calls: $((copies1 - copies0)))" \
	test $((copies1 - copies0)) -ge 1
check "elastic: the copy is whole" cmp -s /srv/e/src /srv/e/dst
check "elastic: full speed, well under the 16 s of 2 MiB/s ($ms ms)" \
	rate_above 8000 "$ms" "8000 ms over cp"
charged elastic e $((32 * MiB)) "$before" "$after"
read -r _ _ _ _ th0 <<<"$before"
read -r _ _ _ _ th1 <<<"$after"
check "elastic: nothing throttled" test "$th1" -eq "$th0"

# --- provisioned 2 MiB/s -----------------------------------------------------
# S = 1 GiB: baseline 1 MiB/s, so 2 MiB/s is what is permitted.
$EFS_CTL fs add c /srv/c --throughput-mode provisioned \
	--provisioned-throughput-in-mibps 2 --metered-size 1GiB || fail "fs add c"
# One efsctl process samples twice a second, with the kernel's timestamps.
$EFS_CTL fs stats c --json --watch 0.5 >"$EFS_OUT/copy.jsonl" &
watch_pid=$!
before=$(counters c) copies0=$(op_count /mnt/c COPY)
copied provisioned /mnt/c/src /mnt/c/dst
after=$(counters c) copies1=$(op_count /mnt/c COPY)
sleep 1
kill $watch_pid
wait $watch_pid 2>/dev/null
log "provisioned: $((copies1 - copies0)) COPY calls; $($EFS_CTL fs stats c --json |
	jq -r '"waited \(.ThrottleDelayNanoseconds / 1e9) s in all, \(.DelayReplies) DELAY replies"')"
check "cp used copy_file_range for all 32 MiB" test "$cfr_bytes" -eq $((32 * MiB))
check "the server did the copy (COPY calls: $((copies1 - copies0)))" test $((copies1 - copies0)) -ge 1
check "the copy is whole" cmp -s /srv/c/src /srv/c/dst
want=$(($(metering $((32 * MiB))) * 1000 / (2 * MiB)))
# Not wildly more: the metering's time (10%, as the pace below: chunks
# that a loaded TCG host runs late) plus what the same cp took
# unthrottled (starting cp, the copy's own time): 1.5 s on a quiet host.
bound=$((want * 110 / 100 + elastic_ms))
log "provisioned: the metering says $want ms at 2 MiB/s; cp unthrottled took $elastic_ms ms"
check "cp of 32 MiB at 2 MiB/s takes >= 16 s ($ms ms)" \
	rate_above "$ms" 16000 "cp ms"
check "... and <= $bound ms ($ms ms)" rate_above "$bound" "$ms" "$bound ms over cp"
charged provisioned c $((32 * MiB)) "$before" "$after"
read -r _ _ _ _ th0 <<<"$before"
read -r _ _ _ _ th1 <<<"$after"
check "the copy waited for its budget (ThrottledOperations +$((th1 - th0)))" test $((th1 - th0)) -ge 1
# The pace while bytes moved, from the kernel's counters: from the first
# sample after the copy started to the first one with all of it.
jq -r '[.Timestamp, .MeteredIOBytes, .DataWriteIOBytes] | @tsv' "$EFS_OUT/copy.jsonl" |
	awk -v w0="$(cut -d' ' -f2 <<<"$before")" -v end=$((32 * MiB)) '
		$3 > w0 && !t1 { t1 = $1; m1 = $2 }
		$3 - w0 >= end && !t2 { t2 = $1; m2 = $2 }
		END { if (t1 && t2 > t1) printf "%d %d\n", (m2 - m1) * 1e9 / (t2 - t1), (t2 - t1) / 1e6 }' \
	>"$EFS_OUT/copy-rate"
read -r pace pace_ms <"$EFS_OUT/copy-rate"
log "provisioned: metered $((${pace:-0} / 1024)) KiB/s over ${pace_ms:-0} ms of copying"
check "the copy is paced at 2 MiB/s metered" rate_within "${pace:-0}" $((2 * MiB)) 10 "metered B/s"

# --- stopping ------------------------------------------------------------------
# A paced copy stops when asked and lets go when efs does. Each is stopped
# 3 s in, with some 18 s of pacing left: "at once" is within 6 s (rmmod
# itself waits for RCU grace periods, seconds under a loaded TCG host).
rm -f /mnt/c/dst
# An interrupted cp: on 6.1 the client cancels the asynchronous copy
# (OFFLOAD_CANCEL: kthread_stop() on the copy thread asleep in efs).
cp /mnt/c/src /mnt/c/s1 &
cp_pid=$!
sleep 3
t0=$(now_ms)
kill $cp_pid	# not SIGINT: a script's background jobs ignore it
wait $cp_pid 2>/dev/null
t1=$(now_ms)
check "an interrupted cp ends at once ($((t1 - t0)) ms)" rate_above 6000 $((t1 - t0)) "6000 ms over the end"
sleep 2
check "no copy thread is left" test -z "$(pgrep -x 'copy thread')"
rm -f /mnt/c/s1
# fs del: the rest of the copy goes unpaced.
cp /mnt/c/src /mnt/c/s2 &
cp_pid=$!
sleep 3
t0=$(now_ms)
$EFS_CTL fs del c || rc=1
wait $cp_pid || { log "cp after fs del failed" >&2; rc=1; }
t1=$(now_ms)
check "after fs del the copy ends unpaced ($((t1 - t0)) ms)" \
	rate_above $((elastic_ms + 3000)) $((t1 - t0)) "ms over the rest of the copy"
check "the copy is whole after fs del" cmp -s /srv/c/src /srv/c/s2
rm -f /mnt/c/s2
# rmmod: waiters are released, the hooks drained; the copy finishes.
$EFS_CTL fs add c /srv/c --throughput-mode provisioned \
	--provisioned-throughput-in-mibps 2 --metered-size 1GiB || rc=1
cp /mnt/c/src /mnt/c/s3 &
cp_pid=$!
sleep 3
t0=$(now_ms)
efs_unload || rc=1
t1=$(now_ms)
wait $cp_pid || { log "cp across rmmod failed" >&2; rc=1; }
check "rmmod during a paced copy returns at once ($((t1 - t0)) ms)" \
	rate_above 6000 $((t1 - t0)) "6000 ms over rmmod"
check "the copy is whole across rmmod" cmp -s /srv/c/src /srv/c/s3
efs_load || fail "efs_load again"

# --- CLONE -----------------------------------------------------------------------
export_block x xfs 400M || fail "export xfs"
if xfs_info /srv/x 2>/dev/null | grep -q 'reflink=1'; then
	dd if=/dev/urandom of=/srv/x/src bs=1M count=8 status=none || fail "dd"
	sync
	nfs_mount x /mnt/x 4.2 || fail "mount x"
	$EFS_CTL fs add x /srv/x --throughput-mode provisioned \
		--provisioned-throughput-in-mibps 2 --metered-size 1GiB || fail "fs add x"
	before=$(counters x) clones0=$(op_count /mnt/x CLONE)
	t0=$(now_ms)
	cp --reflink=always /mnt/x/src /mnt/x/dst || { log "cp --reflink=always failed" >&2; rc=1; }
	after=$(counters x) clones1=$(op_count /mnt/x CLONE)
	# The clone left 10.7 MiB of debt, 5.3 s at 2 MiB/s: cp's CLOSEs
	# and the next write wait for it.
	dd if=/dev/zero of=/mnt/x/after bs=4k count=1 oflag=direct status=none || rc=1
	t1=$(now_ms)
	check "the server did the clone (CLONE calls: $((clones1 - clones0)))" test $((clones1 - clones0)) -ge 1
	check "the clone is whole" cmp -s /srv/x/src /srv/x/dst
	charged clone x $((8 * MiB)) "$before" "$after"
	check "the clone's debt is waited for ($((t1 - t0)) ms)" \
		rate_above $((t1 - t0)) 4000 "ms for the clone and a write"
	nfs_umount /mnt/x
else
	log "note: no reflinks on this xfs (xfs_info: $(xfs_info /srv/x 2>&1 | grep -o 'reflink=[0-9]')): CLONE not tried"
fi

nfs_umount /mnt/c
nfs_umount /mnt/e
efs_unload || rc=1
nfsd_stop
exit $rc
