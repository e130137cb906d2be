#!/bin/bash
# efs-vm: timeout=120
#
# Harness self-test (run by tests/vm/selftest.sh, skipped by check.sh):
# loads a module whose init WARNs (or, with argument "kfence", reads a
# freed object KFENCE guards) and exits 0. run.sh must still FAIL.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

ko=$EFS_REPO/build/$EFS_KREL/warn-module/efs_warn_selftest.ko
[ -f "$ko" ] || fail "$ko not built (make -C tests/vm/warn-module KREL=$EFS_KREL)"
mode=${1:-warn}
insmod "$ko" mode="$mode" || fail "insmod $ko mode=$mode"
log "loaded $ko (mode=$mode); the kernel log now has its report"
exit 0
