#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Noisy neighbours, across filesystems (8 nfsd threads, clients in their
# own network namespaces, NFSv4.2):
#  - an unclaimed export read by 2 fio jobs keeps >= MIN_RATIO of the IOPS
#    it gets alone while one, then two filesystems capped at 100 units/s
#    are hammered by 16 jobs each. The goal is 0.80 (make
#    check-neighbours: "noisy_isolation 100 0.80"); make check asserts a
#    regression floor of 0.40 (0.36 before the server-wide budget), because
#    in this 2-vCPU TCG guest efs does not reach 0.80 yet (README);
#  - the capped filesystems stay at their cap (+-15%), and the threads
#    efs lets wait never exceed the server-wide budget (half of nfsd's).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=${1:-100}	# an argument sets another cap (a slower machine)
SECS=${EFS_NN_SECS:-15}
MIN_RATIO=${2:-0.40}	# the goal: 0.80 (see the header)
rc=0
nfsd_start 8 || fail "nfsd_start"
for d in quiet noisy1 noisy2; do
	export_tmpfs "$d" 128M || fail "export $d"
	dd if=/dev/urandom of=/srv/$d/data bs=1M count=16 status=none || fail "dd"
done
efs_load || fail "efs_load"
for d in noisy1 noisy2; do
	$EFS_CTL fs add "$d" /srv/$d --iops-limit $CAP || fail "fs add $d"
done
netns_client cq 10.99.0.10 || fail "client cq"
netns_client c1 10.99.0.11 || fail "client c1"
netns_client c2 10.99.0.12 || fail "client c2"
in_client cq nfs_mount quiet /mnt/quiet 4.2 || fail "mount quiet"
in_client c1 nfs_mount noisy1 /mnt/noisy1 4.2 || fail "mount noisy1"
in_client c2 nfs_mount noisy2 /mnt/noisy2 4.2 || fail "mount noisy2"

# The most threads waiting at once, sampled while the storm runs.
watch_waiting() {
	local max=0 w
	while [ ! -e "$EFS_OUT/stop-watch" ]; do
		w=$($EFS_CTL server show --json | jq -r .WaitingThreads)
		[ "$w" -gt "$max" ] && max=$w
		echo "$max" >"$EFS_OUT/max-waiting"
		sleep 0.5
	done
}

client_load cq alone /mnt/quiet 2 "$SECS" || rc=1
alone=$(fio_iops alone read)
log "unclaimed export alone: $alone IOPS"

for n in 1 2; do
	rm -f "$EFS_OUT/stop-watch"
	watch_waiting &
	watcher=$!
	storms=()
	for i in $(seq 1 $n); do
		client_load "c$i" "storm$n-$i" "/mnt/noisy$i" 16 $((SECS + 4)) &
		storms+=($!)
	done
	sleep 2
	client_load cq "beside$n" /mnt/quiet 2 "$SECS" || rc=1
	wait "${storms[@]}" || rc=1
	touch "$EFS_OUT/stop-watch"
	wait "$watcher"
	beside=$(fio_iops "beside$n" read)
	r=$(ratio "$beside" "$alone")
	log "with $n noisy filesystem(s): unclaimed $beside IOPS = $r of alone"
	check "unclaimed keeps >= $MIN_RATIO of its IOPS next to $n noisy (got $r)" \
		at_least "$r" "$MIN_RATIO"
	for i in $(seq 1 $n); do
		got=$(fio_iops "storm$n-$i" read)
		assert_within "$got" $CAP 15 "noisy$i at its cap with $n noisy" || rc=1
		$EFS_CTL fs stats "noisy$i" --json |
			jq -c '{DelayReplies, DisplacedRequests, ThrottledOperations}'
	done
	limit=$($EFS_CTL server show --json | jq -r .MaxWaitingThreads)
	maxw=$(cat "$EFS_OUT/max-waiting")
	check "waiting threads ($maxw) within the server budget ($limit)" \
		test "$maxw" -le "$limit"
done
$EFS_CTL server show
exit $rc
