#!/bin/bash
# efs-vm: timeout=480
#
# The Debian packages at work (run by tests/package_test.sh, which builds
# and installs them on the host first; this guest sees the host's /):
#   package_dkms KO
# KO is the efs.ko DKMS built for this kernel, in DIR/updates/dkms/ of a
# module tree that package_test.sh made and indexed with depmod (the
# kernel's modules plus efs.ko, where "dkms install" puts it). DIR is
# mounted on /lib/modules/KREL and a plain "modprobe efs" loads the DKMS
# module; efs.service's first ExecStart= line is exactly that. The
# packaged /usr/sbin/efsctl then throttles an NFS export.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

ko=${1:?usage: package_dkms KO}
[ -f "$ko" ] || fail "no $ko"
krel=$EFS_KREL
ctl=/usr/sbin/efsctl
unit=/lib/systemd/system/efs.service
[ -x $ctl ] || fail "efsctl package not installed ($ctl)"
[ -f $unit ] || fail "no $unit"
rc=0

mdir=$(dirname "$(dirname "$(dirname "$ko")")")
[ -f "$mdir/modules.dep.bin" ] || fail "$mdir: no depmod index"
umount "/lib/modules/$krel" || fail "umount /lib/modules/$krel"
mount --bind "$mdir" "/lib/modules/$krel" || fail "mount $mdir"
log "modinfo: $(modinfo -F filename efs) version $(modinfo -F version efs)"
[ "$(modinfo -F filename efs)" = "/lib/modules/$krel/updates/dkms/$(basename "$ko")" ] ||
	fail "modprobe would not pick the DKMS module"

nfsd_start 8 || fail "nfsd_start"
export_tmpfs p 256M || fail "export"
dd if=/dev/urandom of=/srv/p/data bs=1M count=32 status=none || fail "dd"

# efs.service's ExecStart=/sbin/modprobe efs, as written in the unit
load=$(sed -n 's/^ExecStart=\(.*modprobe.*\)$/\1/p' $unit)
[ "$load" = "/sbin/modprobe efs" ] || fail "unexpected first ExecStart: $load"
$load || fail "$load"
grep -q '^efs ' /proc/modules || fail "efs not loaded"
log "$($ctl version)"

CAP=50
$ctl fs add p /srv/p --iops-limit $CAP || fail "fs add"
nfs_mount p /mnt/p 4.2 || fail "mount"
run_fio pkg --filename=/mnt/p/data --rw=randread --bs=4k --direct=1 \
	--ioengine=psync --numjobs=4 --group_reporting --time_based \
	--runtime=8 || fail "fio"
iops=$(fio_iops pkg read)
th=$($ctl fs stats p --json | jq -r .ThrottledOperations)
log "randread at --iops-limit $CAP: $iops IOPS, $th requests throttled"
# an upper bound (a loaded TCG guest may not reach the cap) and proof
# that requests were held back
[ "$iops" -le $((CAP * 11 / 10)) ] || { log "FAIL: $iops IOPS above the cap $CAP"; rc=1; }
[ "$th" -gt 0 ] || { log "FAIL: no throttled operations counted"; rc=1; }
nfs_umount /mnt/p
$ctl fs del p || rc=1
modprobe -r efs || rc=1
exit $rc
