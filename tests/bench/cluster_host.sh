#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Several heads sharing one filesystem budget (issue 26's benchmark, the
# host half): three heads on the host, each `corosync -f` + efs-clusterd
# with the script backend (a stand-in for efs.ko that replays a demand and
# records its grants), set up by tests/cluster/lib.sh. One shared
# filesystem of 300 ops/s; the defaults' timings (tick 200 ms, lease 4 s,
# forget 12 s, on-partition strict).
#
#   tests/bench/cluster_host.sh [-k]      (-k: keep the temp directory)
#
# Timeline (seconds after the heads have settled):
#    0  head 1 wants 500 ops/s, heads 2 and 3 idle
#    8  the demand moves to head 2                  -> time to 0.9 of it
#   16  heads 1, 2, 3 want 400, 500, 600            -> aggregate accuracy
#   40  kill -9 head 3's efs-clusterd (its demand   -> time to reclaim its
#       stays: its kernel keeps its lease)              share
#   56  end
# tests/bench/cluster_figures.py then computes the figures, and the naive
# design's (every head enforcing the whole budget) from the same demand.
# Prints the table and writes it to build/bench/cluster-host.txt, the
# run's scripts and records to build/bench/cluster-host/. A figure outside
# its target is reported, not failed: exits non-zero only when the set-up
# fails. About 75 s.
set -u

keep=0
[ "${1:-}" = "-k" ] && keep=1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/cluster/lib.sh
. "$here/../cluster/lib.sh"
N=3
BUDGET=300
TICK_MS=200
LEASE_MS=4000
FORGET_MS=12000
LABEL=cluster_host_bench
MOVE_MS=8000
BUSY_MS=16000
KILL_MS=40000
END_MS=56000	# the kill + forget + 4 s: the reclaim has happened
OUT=$repo/build/bench

fail_early() {
	echo "$LABEL: set-up failed: $*" >&2
	exit 1
}
cluster_prereqs
mkdir -p "$OUT/cluster-host" || fail_early "cannot create $OUT"
cluster_up efs-bench-cluster

E=$(( $(date +%s%3N) + 6000 ))	# time 0 of the timeline
for i in $(seq 1 $N); do
	{
		echo "epoch $E"
		echo "fs shared iops=$BUDGET"
		case $i in
		1) echo "at 0 shared ops=500"; echo "at $MOVE_MS shared ops=0 clients=0"
		   echo "at $BUSY_MS shared ops=400" ;;
		2) echo "at $MOVE_MS shared ops=500" ;;
		3) echo "at $BUSY_MS shared ops=600" ;;
		esac
	} >"$T/n$i/script"
	write_cluster_conf "$i"
	start_daemon "$i"
done
# the scripted changes, at the times the scripts make them
{
	echo "$((E * 1000)) epoch"
	echo "$(((E + MOVE_MS) * 1000)) demand_move 1 2"
	echo "$(((E + BUSY_MS) * 1000)) all_busy"
} >"$T/actions.log"

at -1500
for i in $(seq 1 $N); do
	head_in_group "$i" || fail_early "head $i not in the cluster of $N before the timeline"
done
echo "$LABEL: heads settled; the timeline takes $((END_MS / 1000)) s"
at "$KILL_MS"
# no command between the kill and the wait: bash would report "Killed"
t_kill=${EPOCHREALTIME/./}
kill -9 "${daemon_pid[3]}"; wait "${daemon_pid[3]}" 2>/dev/null
echo "$t_kill kill_daemon 3" >>"$T/actions.log"
at "$END_MS"; log_action end

when=$(date -u)
commit=$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)
cp "$T/actions.log" "$OUT/cluster-host/"
for i in $(seq 1 $N); do
	mkdir -p "$OUT/cluster-host/n$i"
	cp "$T/n$i/script" "$T/n$i/record" "$OUT/cluster-host/n$i/"
done
figures=$(python3 "$here/cluster_figures.py" "$OUT/cluster-host" \
	$BUDGET $TICK_MS $LEASE_MS $FORGET_MS) || fail_early "no figures: $figures"
failed=0
{
	echo "tests/bench/cluster_host.sh, $when, commit $commit"
	echo "$figures"
} | tee "$OUT/cluster-host.txt"
