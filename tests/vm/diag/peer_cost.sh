#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
# Diagnosis only (not in make check): what a request costs the server's CPU
# when every client is on the peer guest, so the server guest does server
# work only:
#   tests/vm/pair.sh -k 6.1 tests/vm/diag/peer_cost.sh [CAP]
# Phases of SECS (15) s each, the server guest's busy% over each:
#  idle       nothing running (the guest's own background);
#  quiet      an unclaimed export read by 2 jobs;
#  throttled  two filesystems capped at CAP units/s (default 100) read by
#             16 jobs each: efs makes the excess wait or answers DELAY;
#  paced      the same two, unclaimed (fs del), read by 4 jobs each paced
#             by fio at CAP/4 IOPS: the same work with no throttling.
# Prints the server's CPU ms per request of each: if throttled costs more
# than paced, efs's waiting is what a neighbour pays for.
. "$EFS_REPO/tests/vm/lib.sh"
CAP=${1:-100}
SECS=15
peer_present || fail "peer_cost needs a peer guest: tests/vm/pair.sh"
nfsd_start 8 || fail nfsd
for d in quiet noisy1 noisy2; do
	export_tmpfs "$d" 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none
done
efs_load || fail efs_load
peer_attach "$EFS_SERVER_IP" || fail peer_attach
for i in 0 1 2; do
	peer_run netns_client "c$i" "10.99.0.1$i" || fail "client c$i"
done
peer_run in_client c0 nfs_mount quiet /mnt/quiet 4.2 || fail mount
for i in 1 2; do
	peer_run in_client "c$i" nfs_mount "noisy$i" "/mnt/noisy$i" 4.2 || fail mount
done

# per_request NAME BUSY OPS: log the server's CPU ms a request.
per_request() {
	log "$1: server $2% busy, $3 requests/s, $(ratio "$(($2 * 10))" "$3") ms of server CPU each"
}

mark=$(cpu_mark)
sleep "$SECS"
idle=$(cpu_busy "$mark")
log "idle: server $idle% busy"

mark=$(cpu_mark)
peer_run client_load c0 quiet /mnt/quiet 2 "$SECS" || fail quiet
busy=$(cpu_busy "$mark")
per_request quiet "$((busy - idle))" "$(fio_iops quiet read)"

# storms NAME JOBS [FIO OPTIONS...]: both storms, measured once steady.
storms() {
	local name=$1 jobs=$2 ops
	shift 2
	for i in 1 2; do
		peer_run storm_start "c$i" "$name$i" "/mnt/noisy$i" "$jobs" "$@" || fail storm
	done
	sleep 2
	mark=$(cpu_mark)
	sleep "$SECS"
	busy=$(cpu_busy "$mark")
	peer_run storm_stop "${name}1" "${name}2" || fail storm_stop
	ops=$(awk -v a="$(fio_iops "${name}1" read)" -v b="$(fio_iops "${name}2" read)" \
		'BEGIN { print a + b }')
	per_request "$name" "$((busy - idle))" "$ops"
}

for d in noisy1 noisy2; do
	$EFS_CTL fs add "$d" /srv/$d --iops-limit "$CAP" || fail "fs add"
done
storms throttled 16
for d in noisy1 noisy2; do
	$EFS_CTL fs stats "$d" --json | jq -c '{DelayReplies, ThrottledOperations}'
	$EFS_CTL fs del "$d" || fail "fs del"
done
$EFS_CTL server show --json | jq -c '{BackpressureReplies, BackpressureSlots}'
storms paced 4 --rate_iops=$((CAP / 4))
peer_run peer_quit
exit 0
