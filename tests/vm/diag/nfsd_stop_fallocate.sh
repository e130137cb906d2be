#!/bin/bash
# efs-vm: timeout=600
# efs-vm: tcg=thread=single
#
# knfsd alone, efs not loaded: NFSv4.2 ALLOCATEs (fallocate(1) on the
# mount) while rpc.nfsd changes the thread count 8 -> 2 -> 16 -> 8 over and
# over. On 6.1, nfsd stops a thread with kthread_stop(), which makes
# signal_pending() true in the thread; a thread stopped while tmpfs
# allocates pages gets EINTR from shmem_fallocate(), an errno 6.1's
# nfserrno() WARNs about ("nfsd: non-standard errno: -4"). The harness
# fails the run on that WARN: a FAIL here is the race reproduced without efs.
# Usage: tests/vm/run.sh -k 6.1 tests/vm/diag/nfsd_stop_fallocate.sh [SECS]
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

SECS=${1:-60}
nfsd_start 8 || fail "nfsd_start"
export_tmpfs a 512M || fail "export a"
nfs_mount a /mnt/a 4.2 || fail "mount a"
lsmod | grep -q '^efs ' && fail "efs is loaded; this run is knfsd alone"

allocator() { # N
	local end=$((SECONDS + SECS))
	while [ $SECONDS -lt $end ]; do
		fallocate -l 32M "/mnt/a/f$1" 2>/dev/null
		rm -f "/mnt/a/f$1"
	done
}
pids=()
for n in 1 2 3 4; do allocator "$n" & pids+=($!); done
end=$((SECONDS + SECS))
changes=0
while [ $SECONDS -lt $end ]; do
	{ rpc.nfsd 2 && rpc.nfsd 16 && rpc.nfsd 8; } || fail "rpc.nfsd"
	changes=$((changes + 1))
done
wait "${pids[@]}"
log "thread-count changes: $changes; kernel log:"
dmesg | grep -i "non-standard errno" || log "no non-standard errno"
nfs_umount /mnt/a
