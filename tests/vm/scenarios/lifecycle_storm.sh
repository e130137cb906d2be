#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
# efs-vm: tcg=thread=single
#
# Lifecycle storm, data verified (issue 11 item 3): CYCLES times (default
# 4; make check-storm runs 100) insmod efs, cap three exported filesystems
# far below their demand, write them from NFSv4.2 with fio verify=crc32c
# (each job its own file, verified as it goes), disturb the server while
# requests wait in efs, then rmmod efs with requests still waiting. The
# disturbance rotates, and each has this outcome:
#   - none: rmmod alone releases the waiting requests;
#   - fs del of a filesystem while its requests wait: they go on, unthrottled;
#   - nfsd's threads 8 -> 2 -> 16 -> 8: the waiting budget follows them;
#   - exportfs -f (knfsd's export cache flushed): budgets still apply, as
#     efs keys a filesystem by its path, not by the cache entry.
# Every cycle: fio exits 0 with 0 errors and 0 verify failures, efs held
# a filesystem at its cap (s2's units over 2 s by efs's own counters and
# clock, +-10% of CAP; "its throttled count grew" passed a cap ten times
# too high), and rmmod succeeds; no kernel warning (the harness).
# At the end the kernel's unreclaimable slab is back within 16 MiB of where
# it was after the first cycle (a leak of 160 KiB a cycle shows in 100).
# Other outcomes, documented in README (Reliability) rather than stormed:
# rpc.nfsd 0 under load stops service until threads return (hard mounts
# wait, as without efs); exportfs -u makes the client's I/O fail (ESTALE),
# as without efs; lifecycle.sh covers nfsd unload and reload.
# The writers do not fallocate their files (fio --fallocate=none): on 6.1,
# knfsd itself WARNs when rpc.nfsd stops a thread in the middle of an
# NFSv4.2 ALLOCATE (tmpfs returns EINTR, nfserrno() has no entry for it),
# efs loaded or not (tests/vm/diag/nfsd_stop_fallocate.sh reproduces it
# without efs in seconds; CI's run of 77b1ab5 caught it here).
# Single-threaded TCG on every kernel: rmmod under load is live text
# patching, which qemu 7.2's multi-threaded TCG breaks (see vm_tcg in
# tests/setup/kernels.lib.sh); two vCPUs still run, taking turns.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CYCLES=${1:-4}
SECS=12	# 2 s more than before the cap check, which takes 2 s of it
CAP=40
rc=0
nfsd_start 8 || fail "nfsd_start"
for d in s1 s2 s3; do
	export_tmpfs "$d" 64M || fail "export $d"
	nfs_mount "$d" "/mnt/$d" 4.2 || fail "mount $d"
done

sunreclaim_kb() { awk '/^SUnreclaim:/ { print $2 }' /proc/meminfo; }

# writers CYCLE: fio with verification on every mount, in the background.
writers() {
	local d
	for d in s1 s2 s3; do
		run_fio "w$1-$d" --directory="/mnt/$d" --rw=randwrite --bs=4k \
			--size=2M --verify=crc32c --verify_backlog=32 \
			--verify_fatal=1 --verify_state_save=0 --fallocate=none --direct=1 --ioengine=psync --numjobs=3 \
			--time_based --runtime="$SECS" --group_reporting &
		pids+=($!)
	done
}

disturb() { # CYCLE
	case $(($1 % 4)) in
	0) log "cycle $1: rmmod alone" ;;
	1) log "cycle $1: fs del s1 while its requests wait"
	   check "fs del s1 under load" "$EFS_CTL" fs del s1 ;;
	2) log "cycle $1: nfsd threads 8 -> 2 -> 16 -> 8"
	   check "rpc.nfsd 2, 16, 8 under load" \
		bash -c 'rpc.nfsd 2 && sleep 1 && rpc.nfsd 16 && sleep 1 && rpc.nfsd 8' ;;
	3) log "cycle $1: exportfs -f"
	   check "exportfs -f under load" exportfs -f ;;
	esac
}

base=
for ((cycle = 0; cycle < CYCLES; cycle++)); do
	efs_load >/dev/null || fail "insmod (cycle $cycle)"
	for d in s1 s2 s3; do
		$EFS_CTL fs add "$d" "/srv/$d" --iops-limit $CAP ||
			fail "fs add $d (cycle $cycle)"
	done
	pids=()
	writers "$cycle"
	# Under way once efs holds requests back (fio lays its files out first).
	for ((i = 0; i < 60; i++)); do
		held=$($EFS_CTL fs stats s2 --json | jq -r .ThrottledOperations)
		[ "$held" -gt 0 ] && break
		sleep 0.5
	done
	check "cycle $cycle: efs held requests back ($held throttled on s2)" test "$held" -gt 0
	a=$($EFS_CTL fs stats s2 --json | jq -r '"\(.IoUnits) \(.Timestamp)"')
	sleep 2
	b=$($EFS_CTL fs stats s2 --json | jq -r '"\(.IoUnits) \(.Timestamp)"')
	r=$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.1f", (y[1] - x[1]) * 1e9 / (y[2] - x[2]) }')
	check "cycle $cycle: s2 at its cap ($r units/s, cap $CAP)" rate_within "$r" $CAP 10 "s2 units/s"
	disturb "$cycle"
	sleep 1
	waiting=$($EFS_CTL server show --json | jq -r .WaitingThreads)
	check "cycle $cycle: rmmod efs with $waiting requests waiting" rmmod efs
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { log "FAIL: cycle $cycle: fio ${i} exited non-zero" >&2; rc=1; }
	done
	for d in s1 s2 s3; do
		errs=$(fio_errors "w$cycle-$d")
		check "cycle $cycle: fio on $d: ${errs:-no result} errors, data verified" test "${errs:-x}" = 0
		rm -f "/mnt/$d/w$cycle-$d".*	# the next cycle's files need the room
	done
	[ -n "$base" ] || base=$(sunreclaim_kb)
	[ $rc -eq 0 ] || break
done
end=$(sunreclaim_kb)
log "unreclaimable slab: ${base} kB after cycle 0, ${end} kB after $cycle cycles"
check "slab returned within 16 MiB (${base} -> ${end} kB)" test $((end - base)) -le 16384
for d in s1 s2 s3; do nfs_umount "/mnt/$d"; done
exit $rc
