#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# efs-clusterd with real corosync, on the host (no VM): five heads, each a
# `corosync -f` in its own network namespace (a private mount namespace for
# its /run and /etc/corosync) plus an efs-clusterd with the script backend
# (an in-process stand-in for efs.ko that replays a demand and records the
# grants it gets). The namespaces hang off a bridge in a namespace of its
# own: nothing changes in the host's network. Everything lives under a temp
# directory and is torn down on exit. The set-up is tests/cluster/lib.sh
# (the benchmark tests/bench/cluster_host.sh uses it too).
#
#   tests/cluster/host.sh [-k]      (-k: keep the temp directory)
#
# Timeline (seconds after the heads have settled; lease 3 s, forget 6 s,
# tick 200 ms, corosync token 1000 ms + consensus 1200 ms):
#    0  head 1 wants 500 ops/s of the shared 300
#    6  the demand moves to head 2                       -> followed within 2 s
#   12  head 3 wants 500 too
#   16  kill -9 head 2's efs-clusterd                    -> item 6 timings
#   25  restart it
#   28  head 4 wants 500 too
#   32  kill -9 head 4's corosync                        -> item 6 timings
#   43  restart it
#   47  heads 1 and 5 busy, 3 idle
#   52  cut heads 4 and 5 off (ip link set ... down)     -> item 6 timings
#   64  heal
#   72  end
# tests/cluster/check_grants.py then checks the records: the sum of the
# heads' grants within the budget at every instant, and each transition;
# efsctl cluster status --json reads the heads' status files (busy, stale,
# minority side, end).
# Prints PASS/FAIL lines; exits non-zero on failure. About 95 s.
set -u

keep=0
[ "${1:-}" = "-k" ] && keep=1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/cluster/lib.sh
. "$here/lib.sh"
efsctl=$repo/tools/efsctl/efsctl
N=5
BUDGET=300
LEASE_MS=3000
FORGET_MS=6000
TICK_MS=200
LABEL=cluster_host

fail_early() {
	echo "FAIL cluster_host ($*)"
	exit 1
}
cluster_prereqs
if [ ! -x "$efsctl" ]; then
	make -s -C "$repo/tools/efsctl" efsctl >/dev/null ||
		fail_early "cannot build efsctl"
fi

cluster_up efs-cluster

# --- the heads' demand scripts, on one clock ---
E=$(( $(date +%s%3N) + 6000 ))	# time 0 of the timeline
for i in $(seq 1 $N); do
	{
		echo "epoch $E"
		echo "fs shared iops=$BUDGET"
		case $i in
		1) echo "at 0 shared ops=500"; echo "at 6000 shared ops=0 clients=0"
		   echo "at 47000 shared ops=500" ;;
		2) echo "at 6000 shared ops=500"; echo "at 20000 shared ops=0 clients=0" ;;
		3) echo "at 12000 shared ops=500"; echo "at 47000 shared ops=0 clients=0" ;;
		4) echo "at 28000 shared ops=500"; echo "at 40000 shared ops=0 clients=0" ;;
		5) echo "at 47000 shared ops=500" ;;
		esac
	} >"$T/n$i/script"
	write_cluster_conf "$i"
	start_daemon "$i"
done

at -1500
for i in $(seq 1 $N); do
	head_in_group "$i" ||
		{ failed=1; fail_early "head $i not in the cluster of $N before the timeline"; }
done
detect=$(status 1 DetectionMs)
echo "$((E * 1000)) epoch" >>"$T/actions.log"
at 0; log_action start
at 6000;  log_action demand_move 1 2
at 16000; kill -9 "${daemon_pid[2]}"; log_action kill_daemon 2
# efsctl cluster status: head 1's view while head 3 is busy; head 2's
# file, no longer rewritten, is stale (exit 3)
at 23000
"$efsctl" cluster status --json --status-file "$T/n1/status.json" \
	>"$T/cs_busy.json" 2>"$T/cs_busy.err"; cs_busy_rc=$?
"$efsctl" cluster status --status-file "$T/n2/status.json" \
	>"$T/cs_stale.out" 2>"$T/cs_stale.err"; cs_stale_rc=$?
at 25000; start_daemon 2; log_action start_daemon 2
at 32000; kill -9 "${coro_pid[4]}"; log_action kill_corosync 4
at 43000; start_corosync 4; log_action start_corosync 4
at 52000; ip -n "$BR" link set p4 down; ip -n "$BR" link set p5 down
log_action partition 4 5
at 57000
q_min=$(status 5 Quorate); q_maj=$(status 1 Quorate)
"$efsctl" cluster status --json --status-file "$T/n5/status.json" \
	>"$T/cs_minority.json" 2>"$T/cs_minority.err"; cs_min_rc=$?
at 64000; ip -n "$BR" link set p4 up; ip -n "$BR" link set p5 up; log_action heal
at 72000
log_action end

failed=0
python3 "$here/check_grants.py" "$T" $BUDGET $LEASE_MS $FORGET_MS "${detect:-2200}" || failed=1
if [ "$q_min" = false ] && [ "$q_maj" = true ]; then
	echo "PASS cluster_quorum: during the partition head 5 not quorate, head 1 quorate"
else
	echo "FAIL cluster_quorum: during the partition head 5 Quorate=$q_min, head 1 Quorate=$q_maj"
	failed=1
fi
# after the heal (and check_grants.py's seconds): head 1's view, when
# cluster_rejoin looks too
"$efsctl" cluster status --json --status-file "$T/n1/status.json" \
	>"$T/cs_end.json" 2>"$T/cs_end.err"; cs_end_rc=$?
"$efsctl" cluster status --status-file "$T/n1/status.json" \
	>"$T/cs_end.txt" 2>&1
bad=
for i in $(seq 1 $N); do
	head_in_group "$i" || bad="$bad $i"
done
if [ -z "$bad" ]; then
	echo "PASS cluster_rejoin: all $N heads in one synced group after the heal"
else
	echo "FAIL cluster_rejoin: heads$bad not synced with $N members"
	failed=1
fi
# efsctl cluster status --json on one head: quorate, its members (head 2
# gone at 23 s; head 5 alone when cut off), and the
# shared filesystem's grants within its IOPS limit (issue 26 item 7)
cs_check() { # NAME RC FILE QUORATE MEMBERS
	python3 - "$3" "$4" "$5" <<'PY' 2>&1
import json, sys
def check(cond, msg):
    if not cond:
        print(msg)
        sys.exit(1)
path, quorate, members = sys.argv[1], sys.argv[2] == "true", int(sys.argv[3])
try:
    d = json.load(open(path))
except ValueError as e:
    check(False, "not JSON: %s" % e)
fs = [f for f in d["FileSystems"] if f["Name"] == "shared"]
check(d["Quorate"] is quorate, "Quorate %s, want %s" % (d["Quorate"], quorate))
check(len(d["Members"]) == members, "%d Members, want %d" % (len(d["Members"]), members))
check(all(set(m) >= {"NodeId", "Name"} for m in d["Members"]), "Members keys")
check(isinstance(d["Cluster"], str) and isinstance(d["LocalNodeId"], int), "Cluster, LocalNodeId types")
check(fs, "no FileSystems entry named shared")
f = fs[0]
keys = {"NodeId", "UsedIops", "DemandIops", "GrantedIops", "UsedThroughput",
        "DemandThroughput", "GrantedThroughput"}
check(all(set(h) >= keys for h in f["Heads"]), "Heads keys")
total = sum(h["GrantedIops"] for h in f["Heads"])
check(total <= f["IopsLimit"], "grants %d > IopsLimit %d" % (total, f["IopsLimit"]))
print("%d members, %d heads granted %d of IopsLimit %d" %
      (len(d["Members"]), len(f["Heads"]), total, f["IopsLimit"]))
PY
}
for c in "busy $cs_busy_rc cs_busy true $((N - 1))" \
	 "end $cs_end_rc cs_end true $N" \
	 "minority $cs_min_rc cs_minority false 1"; do
	set -- $c
	if [ "$2" != 0 ]; then
		echo "FAIL cluster_efsctl_status_$1: exit $2: $(cat "$T/$3.err")"
		failed=1
	elif msg=$(cs_check "$1" "$2" "$T/$3.json" "$4" "$5"); then
		echo "PASS cluster_efsctl_status_$1: Quorate $4, $msg"
	else
		echo "FAIL cluster_efsctl_status_$1: $msg"
		failed=1
	fi
done
if [ "$cs_stale_rc" = 3 ] &&
   grep -q "s old: efs-clusterd has stopped writing it" "$T/cs_stale.err"; then
	echo "PASS cluster_efsctl_status_stale: killed head's file: $(cat "$T/cs_stale.err")"
else
	echo "FAIL cluster_efsctl_status_stale: exit $cs_stale_rc: $(cat "$T/cs_stale.err")"
	failed=1
fi
if grep -h 'evicted as silent' "$T"/n*/daemon.log >/dev/null; then
	echo "FAIL cluster_no_false_eviction: a head was evicted as silent:"
	grep -h 'evicted as silent' "$T"/n*/daemon.log | head -3
	failed=1
else
	echo "PASS cluster_no_false_eviction: no head evicted as silent across the ring rebuilds"
fi
if [ "$failed" = 0 ]; then
	echo "PASS cluster_host"
else
	for i in $(seq 1 $N); do
		echo "--- head $i (last events)"
		grep 'event:' "$T/n$i/daemon.log" | tail -8
	done
	echo "FAIL cluster_host"
fi
exit $failed
