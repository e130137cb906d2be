#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
#
# Netlink fuzzing of the module (issue 11 item 4): tools/nlfuzz/efs-nlfuzz
# sends malformed and hostile efs genl traffic for SECS seconds (default
# 30, make check's; make check-fuzz gives it 300) with one process, then
# SECS seconds with 4 processes hammering the same names, then a short burst as an unprivileged user, beside a
# throttled NFS load. Every reply must be an error or a well-formed
# message, the filesystems must match the fuzzer's model, and afterwards
# the module must still work and unload. Any kernel warning fails the run.
#
#   netlink_fuzz.sh [SECS]        seed: $EFS_FUZZ_SEED (default: the time)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0
secs=${1:-30}
seed=${EFS_FUZZ_SEED:-$(date +%s)}
FUZZ=$EFS_REPO/tools/nlfuzz/efs-nlfuzz
log "netlink_fuzz: seed $seed, $secs s per phase (reproduce: EFS_FUZZ_SEED=$seed tests/vm/run.sh -k $EFS_KREL netlink_fuzz $secs)"
[ -x "$FUZZ" ] || fail "$FUZZ not built (make tools)"

nfsd_start 4 || fail "nfsd_start"
dirs=()
for i in 0 1 2 3; do
	export_tmpfs "m$i" 16M || fail "export m$i"
	dirs+=(--dir "/srv/m$i")
done
export_tmpfs load 64M || fail "export load"
dd if=/dev/urandom of=/srv/load/data bs=1M count=8 status=none
efs_load || fail "efs_load"

# a throttled NFS load all along: a filesystem the fuzzer must leave alone
$EFS_CTL fs add nlfz-load /srv/load --iops-limit 200 || fail "fs add nlfz-load"
nfs_mount load /mnt/load 4.1 || fail "mount load"
run_fio load --filename=/mnt/load/data --rw=randread --bs=4k --direct=1 \
	--ioengine=psync --numjobs=2 --time_based --runtime=$((secs * 3 + 120)) &
fio_pid=$!

# fuzz CMD...: run CMD (efs-nlfuzz), show its summary and any failure report
# shellcheck disable=SC2317 # called through check
fuzz() {
	local out
	out=$("$@" 2>"$EFS_OUT/fuzz.err")
	local status=$?
	echo "$out"
	[ -s "$EFS_OUT/fuzz.err" ] && head -c 20000 "$EFS_OUT/fuzz.err"
	return "$status"
}

t0=$SECONDS
check "efs-nlfuzz, 1 process, ${secs}s" fuzz "$FUZZ" --seed "$seed" --seconds "$secs" \
	--root /tmp/nlfz "${dirs[@]}"
log "single process: $((SECONDS - t0))s"
t0=$SECONDS
check "efs-nlfuzz, 4 processes, ${secs}s" fuzz "$FUZZ" --seed "$((seed + 1))" --seconds "$secs" \
	--procs 4 --root /tmp/nlfz "${dirs[@]}"
log "4 processes: $((SECONDS - t0))s"

# Unprivileged: every admin command refused, nothing changes (the fuzzer
# compares the fs list and the server's settings before and after).
$EFS_CTL fs add nlfzmodel0 /srv/m0 --iops-limit 1234 || fail "fs add nlfzmodel0"
before=$($EFS_CTL fs show --json | jq -S '[.FileSystems[] | {Name, Path, IopsLimit}]')
chmod 0755 /tmp/nlfz
# shellcheck disable=SC2317 # called through fuzz
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
usecs=$((secs / 4 < 15 ? secs / 4 : 15))
[ "$usecs" -ge 5 ] || usecs=5
check "efs-nlfuzz unprivileged, ${usecs}s" fuzz nobody "$FUZZ" --unpriv --seed "$((seed + 2))" \
	--seconds "$usecs" --root /tmp/nlfz "${dirs[@]}"
after=$($EFS_CTL fs show --json | jq -S '[.FileSystems[] | {Name, Path, IopsLimit}]')
check "unprivileged run changed nothing" test "$before" = "$after"
check "fs del nlfzmodel0" "$EFS_CTL" fs del nlfzmodel0

# The module still works.
check "fs add of a fresh name" "$EFS_CTL" fs add nlfz-fresh /srv/m1 --iops-limit 777
check "fs show of it" bash -c "$EFS_CTL fs show nlfz-fresh --json | jq -e '.FileSystems[0].IopsLimit == 777' >/dev/null"
check "fs del of it" "$EFS_CTL" fs del nlfz-fresh
check "efsctl version" bash -c "$EFS_CTL version >/dev/null"

fio_stop load
wait "$fio_pid"
check "fio under the fuzzing had no I/O errors" test "$(fio_errors load)" = 0
check "fs del nlfz-load" "$EFS_CTL" fs del nlfz-load
check "no filesystem left" bash -c "$EFS_CTL fs show --json | jq -e '.FileSystems | length == 0' >/dev/null"
nfs_umount /mnt/load

check "rmmod efs" efs_unload
check "module gone" test ! -d /sys/module/efs
check "its slab cache gone" efs_slab_gone
exit $rc
