#!/bin/bash
# efs-vm: timeout=240
# efs-vm: needs-module
#
# Another ftrace IPMODIFY user on a function efs hooks (a livepatch of nfsd,
# played here by tests/vm/ipmodify-module) makes loading efs fail with a
# kernel message that says so, and leaves nothing behind: once the other
# user is gone efs loads and hooks normally.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

HOLDER=$EFS_REPO/build/$EFS_KREL/ipmodify-module/efs_ipmodify_holder.ko
[ -f "$HOLDER" ] || fail "$HOLDER not built (make -C tests/vm/ipmodify-module KREL=$EFS_KREL)"
rc=0

modprobe nfsd || fail "modprobe nfsd"
insmod "$HOLDER" || fail "insmod the IPMODIFY holder"
out=$(insmod "$EFS_KO" 2>&1)
check "insmod efs fails while fh_verify is taken ($out)" test $? -ne 0
check "the kernel log names the conflict" \
	bash -c "dmesg | grep -q 'fh_verify is already modified by another ftrace IPMODIFY user'"
check "efs is not loaded" test ! -d /sys/module/efs
rmmod efs_ipmodify_holder || fail "rmmod holder"

check "efs loads once the conflict is gone" insmod "$EFS_KO"
check "and hooks nfsd" bash -c "$EFS_CTL version --json | jq -e '.NfsdHooked == true' >/dev/null"
check "rmmod efs" rmmod efs
exit $rc
