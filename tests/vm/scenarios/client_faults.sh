#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
# efs-vm: append=slab_nomerge
#
# Client-table growth under allocation failure (the debug kernel's
# failslab; make check-debug runs it, check.sh leaves it out on the stock
# kernels, which have no fault injection). A client's entry is allocated
# in an nfsd thread on its first request, where fail_nth.py's per-task
# fault points cannot reach; failslab's cache filter fails exactly the
# efs_client slab (unmerged: slab_nomerge) in every task instead.
#  - every entry allocation failing: NFS I/O of CLIENTS client namespaces
#    still works, data verified; the clients are counted in the shared
#    "other" entry, ClientConnections marked as a lower bound, no entry;
#  - half of them failing, with the clients' requests concurrent: the same,
#    entries for some;
#  - failures off: every client gets its entry, the count is exact again
#    once the "other" entry has been idle for --client-idle-seconds;
#  - fs del and rmmod with entries live: the efs_client slab is gone, and
#    the kernel log stays clean (every scenario; kmemleak in check-debug).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

N=${EFS_FAULT_CLIENTS:-8}
# --client-idle-seconds: longer than a round of the clients' I/O takes on
# the debug guest (about 30 s for 8 clients), or the entries of clients
# done early are aged out before the counts are read (2026-12-05: 0 of 8
# entries after a round with 5 s).
IDLE=${EFS_FAULT_IDLE:-45}
FS=/sys/kernel/debug/failslab
rc=0
[ -d "$FS" ] || fail "no $FS: $EFS_KREL has no CONFIG_FAILSLAB (make check-debug's kernel has)"

nfsd_start 8 || fail "nfsd_start"
export_tmpfs cf 64M || fail "export"
efs_load || fail "efs_load"
if [ ! -f /sys/kernel/slab/efs_client/failslab ] || [ -L /sys/kernel/slab/efs_client ]; then
	fail "the efs_client slab is merged or has no failslab attribute (slab_nomerge?)"
fi
# Throttled, so requests also take efs's waiting path.
$EFS_CTL fs add cf /srv/cf --iops-limit 400 --client-idle-seconds "$IDLE" || fail "fs add"
for i in $(seq 1 "$N"); do
	netns_client "f$i" "10.99.0.$((i + 20))" || fail "client f$i"
	head -c 65536 /dev/urandom >"$EFS_OUT/data$i" || fail "data$i"
done

# failslab_on PERCENT: fail that share of efs_client allocations, any task.
failslab_on() {
	echo 0 >"$FS/verbose"
	echo N >"$FS/ignore-gfp-wait"
	echo N >"$FS/task-filter"
	echo Y >"$FS/cache-filter"
	echo 1 >/sys/kernel/slab/efs_client/failslab
	echo -1 >"$FS/times"
	echo 1 >"$FS/interval"
	echo "$1" >"$FS/probability"
}
failslab_off() {
	echo 0 >"$FS/probability"
	echo 0 >/sys/kernel/slab/efs_client/failslab
	echo N >"$FS/cache-filter"
}

# client_io I TAG: client fI writes its data, reads it back uncached
# and compares (NFSv4.2, mounted once).
client_io() {
	local i=$1 m=/mnt/f$1 f
	mountpoint -q "$m" || in_client "f$i" nfs_mount cf "$m" 4.2 >/dev/null || return 1
	f=$m/$2-$i
	dd if="$EFS_OUT/data$i" of="$f" bs=4k oflag=direct status=none || return 1
	dd if="$f" of="$EFS_OUT/back$i" bs=4k iflag=direct status=none || return 1
	cmp -s "$EFS_OUT/data$i" "$EFS_OUT/back$i" || { log "client f$i: data differ" >&2; return 1; }
}
# all_io TAG: every client at once; the number that failed.
all_io() {
	local i pids=() bad=0
	for i in $(seq 1 "$N"); do
		client_io "$i" "$1" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || bad=$((bad + 1)); done
	echo "$bad"
}
stat_of() { $EFS_CTL fs stats cf --json | jq -r ".$1"; }
entries() { $EFS_CTL server show --json | jq -r .ClientEntries; }

failslab_on 100
bad=$(all_io every)
conns=$(stat_of ClientConnections) lb=$(stat_of ClientConnectionsLowerBound) e=$(entries)
log "every allocation failing: $bad of $N clients failed; ClientConnections $conns, lower bound $lb, entries $e"
check "I/O of $N clients verified with every entry allocation failing" test "$bad" -eq 0
check "no entry was made" test "$e" -eq 0
check "the count is marked as a lower bound" test "$lb" = true

failslab_on 50
bad=0
for r in 1 2 3; do bad=$((bad + $(all_io half$r))); done
e=$(entries)
log "half failing: $bad failed runs of $((3 * N)); entries $e"
check "I/O verified with half the entry allocations failing" test "$bad" -eq 0
check "entries within the clients ($e <= $N)" test "$e" -le "$N"

failslab_off
# The "other" entry must go idle before the count is exact again.
sleep $((IDLE + 3))
bad=$(all_io after)
conns=$(stat_of ClientConnections) lb=$(stat_of ClientConnectionsLowerBound) e=$(entries)
log "failures off: $bad failed; ClientConnections $conns, lower bound $lb, entries $e"
$EFS_CTL fs clients cf
check "I/O verified after the failures" test "$bad" -eq 0
check "every client has its entry (ClientConnections $conns = $N)" test "$conns" -eq "$N"
check "the count is exact again" test "$lb" = false
check "the server counts $N entries" test "$e" -eq "$N"

for i in $(seq 1 "$N"); do nfs_umount "/mnt/f$i"; done
$EFS_CTL fs del cf || rc=1
efs_unload || rc=1
check "efs's slab cache is gone after rmmod" efs_slab_gone
exit $rc
