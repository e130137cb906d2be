#!/bin/bash
# efs-vm: timeout=480
# efs-vm: needs-module
#
# Fairness among the clients of one filesystem capped at 200 units/s
# (clients in their own network namespaces, NFSv4.2, 8 nfsd threads):
#  - a modest client (1 fio job) next to a greedy one (16 jobs) gets
#    >= MODEST_MIN of min(what it gets alone, half the cap) in the better
#    of two rounds: the issue's 0.80 in make check-neighbours
#    ("fair_clients 200 0.80"), 0.65 in make check (a loaded machine;
#    single rounds measured 0.63-0.99 here);
#  - four clients with 1, 2, 8 and 16 jobs: Jain's fairness index of
#    their IOPS >= 0.90, and the filesystem serves them at its cap (at most
#    +10%, at least 0.80 of the cap or of what the guest served in step 1);
#  - efsctl fs clients lists them, busiest first, with their counts.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

MODEST_MIN=${2:-0.65}
CAP=${1:-200}	# an argument sets another cap (a slower machine)
SECS=${EFS_NN_SECS:-15}
rc=0
nfsd_start 8 || fail "nfsd_start"
export_tmpfs shared 128M || fail "export"
dd if=/dev/urandom of=/srv/shared/data bs=1M count=16 status=none || fail "dd"
efs_load || fail "efs_load"
$EFS_CTL fs add shared /srv/shared --iops-limit $CAP || fail "fs add"
for i in 1 2 3 4; do
	netns_client "c$i" "10.99.0.2$i" || fail "client c$i"
	in_client "c$i" nfs_mount shared "/mnt/c$i" 4.2 || fail "mount c$i"
done

# 1. Greedy and modest, two rounds of (modest alone, modest beside a
# steady greedy client); one TCG run varies by +-15% and more on a loaded
# host, so the better round is asserted (a modest client starved by
# arrival order, as before fair queueing, got 0.12 in both).
all=""
for round in 0 1; do
	client_load c2 "modest-alone$round" /mnt/c2 1 "$SECS" || rc=1
	alone=$(fio_iops "modest-alone$round" read)
	storm_start c1 "greedy$round" /mnt/c1 16 || rc=1
	sleep 1
	client_load c2 "modest$round" /mnt/c2 1 "$SECS" || rc=1
	storm_stop "greedy$round" || rc=1
	modest=$(fio_iops "modest$round" read)
	greedy=$(fio_iops "greedy$round" read)
	want=$(awk -v a="$alone" -v h=$((CAP / 2)) 'BEGIN { print (a < h ? a : h) }')
	r=$(ratio "$modest" "$want")
	log "round $round: modest alone $alone IOPS; beside greedy: modest $modest, greedy $greedy; $r of min(alone, cap/2)"
	all="$all $r"
done
# shellcheck disable=SC2086 # one ratio a word
best=$(max_of $all)
check "modest client gets >= $MODEST_MIN of min(alone, cap/2) (rounds$all)" at_least "$best" "$MODEST_MIN"

# 2. Four clients, 1/2/8/16 jobs: rates from efs's per-client counters
# over the middle third of the run, when all four are running.
jobs_of=(0 1 2 8 16)
for i in 1 2 3 4; do
	storm_start "c$i" "four-c$i" "/mnt/c$i" "${jobs_of[$i]}" || rc=1
done
sleep 2
client_ops_snapshot shared "$EFS_OUT/ops-a"
sleep $((SECS / 2))
client_ops_snapshot shared "$EFS_OUT/ops-b"
$EFS_CTL fs clients shared --json >"$EFS_OUT/clients.json"
$EFS_CTL fs clients shared
storm_stop four-c1 four-c2 four-c3 four-c4 || rc=1
client_rates "$EFS_OUT/ops-a" "$EFS_OUT/ops-b" | tee "$EFS_OUT/rates.txt"
read -r -a vals <<<"$(awk '{ printf "%s ", $2 }' "$EFS_OUT/rates.txt")"
fio_vals=()
for i in 1 2 3 4; do fio_vals+=("$(fio_iops "four-c$i" read)"); done
total=$(printf '%s\n' "${vals[@]}" | awk '{ s += $1 } END { printf "%.0f", s }')
jain=$(jain_index "${vals[@]}")
log "1/2/8/16 jobs: efs counted ${vals[*]} ops/s (total $total), fio ${fio_vals[*]} IOPS; Jain's index $jain"
check "four clients were counted (got ${#vals[@]})" test "${#vals[@]}" -eq 4
check "Jain's index of 1/2/8/16-job clients >= 0.90 (got $jain)" at_least "$jain" 0.90
# At its cap, or at what this guest delivered to greedy and modest
# together in step 1 when a loaded host makes that less than the cap.
served=$(awk -v c="$CAP" -v g="$greedy" -v m="$modest" 'BEGIN { s = g + m; print (s < c ? s : c) }')
check "the filesystem serves four clients at most at its cap (got $total, cap $CAP)" \
	at_least "$(awk -v c="$CAP" 'BEGIN { print c * 1.10 }')" "$total"
check "the filesystem serves four clients >= 0.80 of min(cap, step 1's $served) (got $total)" \
	at_least "$total" "$(awk -v s="$served" 'BEGIN { print s * 0.80 }')"

# 3. fs clients: four clients, by use, with counters.
n=$(jq '.Clients | length' "$EFS_OUT/clients.json")
check "fs clients lists 4 clients (got $n)" test "$n" -eq 4
check "fs clients has the addresses" \
	test "$(jq -r '[.Clients[].Address] | sort | join(",")' "$EFS_OUT/clients.json")" = \
	"10.99.0.21,10.99.0.22,10.99.0.23,10.99.0.24"
check "fs clients is sorted by use" \
	jq -e '[.Clients[].MeteredBytesPerSecond] as $r | $r == ($r | sort | reverse)' "$EFS_OUT/clients.json"
check "fs clients --top 2 shows two" \
	test "$($EFS_CTL fs clients shared --json --top 2 | jq '.Clients | length')" -eq 2
$EFS_CTL metrics --per-client-top 2 >"$EFS_OUT/metrics.prom"
check "metrics --per-client-top 2: two client series" \
	test "$(grep -c '^efs_client_ops_per_second{fs="shared",client=' "$EFS_OUT/metrics.prom")" -eq 2
check "metrics without the flag: no client series" \
	bash -c "! $EFS_CTL metrics | grep -q '^efs_client_ops_per_second'"
if command -v promtool >/dev/null; then
	check "promtool accepts the per-client metrics" \
		bash -c "promtool check metrics <$EFS_OUT/metrics.prom"
fi
conns=$($EFS_CTL fs stats shared --json | jq -r .ClientConnections)
check "ClientConnections is 4 (got $conns)" test "$conns" -eq 4
check "fs clients of an unknown filesystem fails" \
	bash -c "! $EFS_CTL fs clients nosuch 2>$EFS_OUT/nosuch.err"
grep -q 'no filesystem' "$EFS_OUT/nosuch.err" || { log "FAIL: $(cat "$EFS_OUT/nosuch.err")"; rc=1; }
exit $rc
