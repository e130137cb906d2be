#!/bin/bash
# efs-vm: timeout=600
# efs-vm: needs-module
# efs-pair: link=tcp
#
# A client far away (run with tests/vm/pair.sh: on the peer guest, over
# qemu's TCP socket link, a round trip of tens of ms) reads a filesystem
# capped at CAP units/s with 16 jobs.
#  - it gets its cap (+-15%): back-pressure (NFSv4.1 session slots) holds
#    a refused client to few slots, and slots / round trip is its rate;
#    efs gives a held client more slots while the budget lets its
#    requests through at once (before, it read 45-50 of 100);
#  - DELAY replies stay bounded (at most the cap per second);
#  - efsctl fs clients shows it held (BackpressureSlots at least the
#    server's first BackpressureSlots) while it floods, and not held (0)
#    once its pressure has lapsed (5 s after its last DELAY);
#  - a second client of the same filesystem in the server guest (near,
#    1 job) still gets what it asks for: >= 0.80 of min(its alone rate,
#    cap / 2).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CAP=${1:-100}
SECS=${EFS_NN_SECS:-20}
rc=0
peer_present || fail "far_client needs a peer guest: tests/vm/pair.sh far_client"
nfsd_start 8 || fail "nfsd_start"
export_tmpfs target 128M || fail "export target"
dd if=/dev/urandom of=/srv/target/data bs=1M count=16 status=none || fail "dd"
efs_load || fail "efs_load"
peer_attach "$EFS_SERVER_IP" || fail "peer_attach"
netns_client near 10.99.0.20 || fail "client near"
peer_run netns_client far 10.99.0.21 || fail "client far"
in_client near nfs_mount target /mnt/target 4.2 || fail "mount near"
peer_run in_client far nfs_mount target /mnt/target 4.2 || fail "mount far"
$EFS_CTL fs add target /srv/target --iops-limit "$CAP" || fail "fs add"

client_load near modest_alone /mnt/target 1 10 || rc=1
alone=$(fio_iops modest_alone read)
log "near client alone: $alone IOPS"

peer_run storm_start far flood /mnt/target 16 || fail "storm_start on the peer"
# Alone: its rate from efs's per-client counters once it has settled.
sleep 5
mark=$(delay_mark target)
client_ops_snapshot target "$EFS_OUT/ops0"
sleep "$SECS"
client_ops_snapshot target "$EFS_OUT/ops1"
dps=$(delay_rate target "$mark")
far=$(client_rates "$EFS_OUT/ops0" "$EFS_OUT/ops1" | awk '$1 == "10.99.0.21" { print $2 }')
# held_slots: the far client's BackpressureSlots in efsctl fs clients.
held_slots() {
	$EFS_CTL fs clients target --json |
		jq -r '.Clients[] | select(.Address == "10.99.0.21") | .BackpressureSlots'
}
held=$(held_slots)
floor=$($EFS_CTL server show --json | jq -r .BackpressureSlots)
# Beside the near client, which asks for less than its half.
client_load near modest /mnt/target 1 10 || rc=1
peer_run storm_stop flood || rc=1
$EFS_CTL fs clients target
$EFS_CTL server show
sleep 6
lapsed=$(held_slots)

modest=$(fio_iops modest read)
want=$(awk -v a="$alone" -v c="$CAP" 'BEGIN { print (a < c / 2 ? a : c / 2) }')
log "far client alone: ${far:-none} ops/s (cap $CAP), DELAY $dps/s; near client beside it $modest IOPS (wants $want)"
assert_within "${far:-0}" "$CAP" 15 "the far client reads at the cap" || rc=1
check "DELAY replies <= the cap per second (got $dps/s)" \
	awk -v d="$dps" -v m="$CAP" 'BEGIN { exit !(d <= m) }'
check "the near client gets >= 0.80 of $want (got $modest)" at_least "$(ratio "$modest" "$want")" 0.80
check "fs clients shows the flooding client held (BackpressureSlots $held >= $floor)" \
	test "${held:-0}" -ge "$floor" -a "$floor" -ge 2
check "and not held 6 s after it stopped (BackpressureSlots ${lapsed:-none})" \
	test "${lapsed:-x}" = 0
peer_run peer_quit
exit $rc
