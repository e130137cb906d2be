#!/bin/bash
# efs-vm: timeout=3600
#
# The peer guest's side of tests/vm/pair.sh: attach to the server's
# segment, then run the server's commands until it sends peer_quit. Its
# fio results go to the share, where the server reads them.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

peer_attach "$EFS_PEER_BRIDGE_IP" || fail "peer_attach"
modprobe nfs
echo efs-peer >/proc/sys/kernel/hostname
export EFS_OUT=$EFS_SHARE
: >"$EFS_SHARE/peer.ready"
peer_serve
