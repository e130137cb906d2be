#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
# efs-pair: peer=cluster_head
#
# The naive design beside cluster_pair, for the benchmark (issue 26:
# "next to each, the same figures for the naive design"): the same two
# heads, budget, clients and load as cluster_pair's phase (a), but each
# head enforcing the whole budget on its own (fs add --scope local; no
# corosync, no efs-clusterd), as efs did before it shared budgets. Run
# with tests/vm/pair.sh -k 6.1 cluster_naive [R]; tests/bench/cluster_vm.sh
# puts its figures beside cluster_pair's. What it asserts is what makes
# the comparison mean something: each head admits its whole budget
# (within 10%), so the two together admit about 2 R.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"
# shellcheck source=../peer/cluster_head.sh
. "$EFS_REPO/tests/vm/peer/cluster_head.sh"

R=${1:-60}
JOBS=8
rc=0
peer_present || fail "cluster_naive needs a peer guest: tests/vm/pair.sh cluster_naive"
: >"$EFS_OUT/figures"

peer_attach "$EFS_SERVER_IP" || fail "peer_attach"
head_up 1 "$R" 2 local || fail "head 1"
peer_run head_up 2 "$R" 2 local || fail "head 2"
netns_client c1 10.99.0.20 || fail "client c1"
peer_run netns_client c2 10.99.0.21 || fail "client c2"
in_client c1 nfs_mount shared /mnt/s1 4.2 || fail "mount on head 1"
peer_run in_client c2 nfs_mount shared /mnt/s2 4.2 || fail "mount on head 2"
read -r o1 _ <<<"$(head_clock)"
read -r o2 _ <<<"$(peer_run head_clock)"
OFFSET=$((o2 - o1))

both_busy $JOBS
storm_stop h1a || { log "FAIL: fio on head 1" >&2; rc=1; }
peer_run storm_stop h2a || { log "FAIL: fio on head 2" >&2; rc=1; }
r1=$BUSY_R1 r2=$BUSY_R2 sum=$BUSY_SUM
log "both heads busy, each on its own: head 1 $r1, head 2 $r2 units/s, sum $sum of $R"
figure both_sum "$sum"
rate_within "$r1" "$R" 10 "head 1 alone with the whole budget" || rc=1
rate_within "$r2" "$R" 10 "head 2 alone with the whole budget" || rc=1

# the per-second sum of both heads' fio, head 2's times on our clock
read -r mns mxs means <<<"$(both_seconds "$OFFSET")"
log "both heads' fio, per second on one clock: $mns..$mxs (mean $means) of $R"
figure both_sum_fio_mean "$means"
figure both_worst_second "$mxs"

peer_run head_down || rc=1
head_down || rc=1
exit $rc
