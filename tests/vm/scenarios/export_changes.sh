#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Export and mount changes under throttled load (issue 11 item 3, the ones
# lifecycle_storm does not storm). Two tmpfs exports listed in
# /etc/exports, each capped at CAP units/s and written from NFSv4.2 with
# fio verify=crc32c while efs holds requests back. Each change has this
# outcome (README, Reliability), and none may crash, hang or leak:
#   1. exportfs -ra (the exports unchanged): service goes on, data
#      verified, and efs still holds the filesystem at its cap (units/s
#      from efs's counters over 3 s within +-10% of CAP; a throttled
#      count that grew passed a cap ten times too high): it keys a
#      filesystem by its path, not by knfsd's export cache entry;
#   2. umount of the exported filesystem: refused (busy) while knfsd
#      holds it; service goes on;
#   3. exportfs -u of a filesystem whose requests wait in efs: the
#      client's I/O on it fails (ESTALE, as without efs), its waiting
#      requests leave efs at once; after exportfs -ra a fresh mount works
#      and is held at its cap again (+-10%);
#   4. umount -l (lazy) of the exported filesystem: it is detached from
#      the server's tree but knfsd keeps serving the mounted filesystem
#      (its export cache holds it), at its cap as before (+-10%), data
#      verified;
#      exportfs -ra afterwards is accepted;
#   5. rpc.nfsd 0 while requests wait in efs: they leave efs at once (their
#      nfsd threads stop; the client is answered DELAY and retries), the
#      client's hard mount waits; after rpc.nfsd 8 its I/O carries on,
#      data verified.
# Then rmmod efs; the harness fails the run on any kernel warning.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=40
SECS=14	# the writers outlast until_held and at_cap (7 s on a loaded host)
rc=0
nfsd_start 8 || fail "nfsd_start"
for d in s1 s2; do
	mkdir -p "/srv/$d"
	mount -t tmpfs -o size=64M "efs-$d" "/srv/$d" || fail "mount tmpfs $d"
done
opts=rw,no_root_squash,no_subtree_check,insecure,sync
cat >/etc/exports <<EOF
/srv *(ro,fsid=0,crossmnt,no_subtree_check,insecure,no_root_squash)
/srv/s1 *($opts,fsid=101)
/srv/s2 *($opts,fsid=102)
EOF
exportfs -ra || fail "exportfs -ra"
efs_load || fail "efs_load"
for d in s1 s2; do
	$EFS_CTL fs add "$d" "/srv/$d" --iops-limit $CAP || fail "fs add $d"
	nfs_mount "$d" "/mnt/$d" 4.2 || fail "mount $d"
done

held() { $EFS_CTL fs stats "$1" --json | jq -r .ThrottledOperations; }
waiting() { $EFS_CTL server show --json | jq -r .WaitingThreads; }

# writer NAME DIR: verified random writes for SECS, in the background
# (pid in $writer_pid). No fallocate: 6.1's knfsd WARNs by itself when
# rpc.nfsd stops a thread inside an NFSv4.2 ALLOCATE (see lifecycle_storm).
writer() {
	run_fio "$1" --directory="$2" --rw=randwrite --bs=4k --size=2M \
		--verify=crc32c --verify_backlog=32 --verify_fatal=1 \
		--verify_state_save=0 --fallocate=none --direct=1 --ioengine=psync --numjobs=2 \
		--time_based --runtime=$SECS --group_reporting &
	writer_pid=$!
}

# until_held FS: wait (up to 30 s) until efs holds back requests of FS.
until_held() {
	local i
	for ((i = 0; i < 60; i++)); do
		[ "$(held "$1")" -gt 0 ] && [ "$(waiting)" -gt 0 ] && return 0
		sleep 0.5
	done
	log "FAIL: no request of $1 held back in 30 s" >&2
	return 1
}

# finished PID SECONDS: the process ends within SECONDS (no hang).
finished() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.5
	done
	return 1
}

# verified NAME: fio NAME reported 0 errors (its data verified).
verified() {
	local errs
	errs=$(fio_errors "$1")
	log "fio $1: ${errs:-no result} errors"
	[ "${errs:-x}" = 0 ]
}

# writer_done NAME WHAT [SECONDS]: the background writer NAME ends within
# SECONDS (default 60), exits 0 and verified its data.
writer_done() {
	check "fio $1 ($2) finished" finished "$writer_pid" "${3:-60}"
	wait "$writer_pid" || { log "FAIL: fio $1 ($2) exited non-zero" >&2; rc=1; }
	check "fio $1 ($2): data verified" verified "$1"
}

# at_cap FS WHAT: efs holds FS at its cap: the ops-budget units it
# counted over 3 s (by its own clock) within 10% of CAP a second.
at_cap() {
	local a b r
	a=$($EFS_CTL fs stats "$1" --json | jq -r '"\(.IoUnits) \(.Timestamp)"')
	sleep 3
	b=$($EFS_CTL fs stats "$1" --json | jq -r '"\(.IoUnits) \(.Timestamp)"')
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.1f", (y[1] - x[1]) * 1e9 / (y[2] - x[2]) }')
	check "$1 at its cap $2 ($r units/s, cap $CAP)" rate_within "$r" $CAP 10 "$1 units/s"
}

# 1. exportfs -ra under load
writer ra /mnt/s1
until_held s1 || rc=1
check "exportfs -ra under load" exportfs -ra
at_cap s1 "after exportfs -ra"
writer_done ra "s1 across exportfs -ra"

# 2. umount of the exported filesystem under load
writer busy /mnt/s1
until_held s1 || rc=1
if umount /srv/s1 2>"$EFS_OUT/umount.err"; then
	log "FAIL: umount /srv/s1 under load succeeded" >&2; rc=1
else
	log "ok: umount /srv/s1 under load refused: $(cat "$EFS_OUT/umount.err")"
fi
check "/srv/s1 still mounted" mountpoint -q /srv/s1
writer_done busy "s1 across the refused umount"

# 3. exportfs -u of a filesystem whose requests wait, then exportfs -ra
writer unexported /mnt/s2
until_held s2 || rc=1
check "exportfs -u /srv/s2 under load" exportfs -u '*:/srv/s2'
check "fio on unexported s2 ends" finished "$writer_pid" 60
if wait "$writer_pid"; then
	log "FAIL: fio on s2 went on after exportfs -u" >&2; rc=1
else
	log "ok: fio on s2 failed after exportfs -u: $(grep -m1 'io_u error' "$EFS_OUT/unexported.err")"
fi
check "no request left waiting in efs" test "$(waiting)" = 0
check "exportfs -ra exports s2 again" exportfs -ra
umount -f /mnt/s2 2>/dev/null || umount -l /mnt/s2
check "a fresh mount of s2" nfs_mount s2 /mnt/s2 4.2
writer again /mnt/s2
until_held s2 || rc=1
at_cap s2 "after re-export"
writer_done again "s2 after re-export"

# 4. lazy umount of the exported filesystem under load
writer lazy /mnt/s1
until_held s1 || rc=1
check "umount -l /srv/s1 under load" umount -l /srv/s1
at_cap s1 "when detached (still served)"
writer_done lazy "s1 across umount -l"
exportfs -ra 2>"$EFS_OUT/exportfs-ra.err"
log "exportfs -ra after umount -l: $(cat "$EFS_OUT/exportfs-ra.err")"

# 5. rpc.nfsd 0 under load, then rpc.nfsd 8
writer stopped /mnt/s2
until_held s2 || rc=1
check "rpc.nfsd 0 under load" rpc.nfsd 0
sleep 3
check "no request left waiting in efs without nfsd threads" test "$(waiting)" = 0
check "fio waits on its hard mount meanwhile" kill -0 "$writer_pid"
check "rpc.nfsd 8" rpc.nfsd 8
t0=$SECONDS
writer_done stopped "s2 across rpc.nfsd 0, after rpc.nfsd 8" 150
log "fio on s2 ended $((SECONDS - t0)) s after rpc.nfsd 8"

for d in s1 s2; do nfs_umount "/mnt/$d"; done
$EFS_CTL fs show
check "rmmod efs" efs_unload
check "efs's slab cache is gone after rmmod" efs_slab_gone
exit $rc
