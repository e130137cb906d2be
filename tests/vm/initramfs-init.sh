#!/bin/busybox sh
# shellcheck shell=dash
# /init of the efs test VM's initramfs (busybox-static only).
#
# Loads the modules listed in /etc/modules.load (virtio + 9p, in dependency
# order, written by run.sh from modules.dep), mounts the host's / (9p tag
# "root") read-only and switch_roots to the guest init named on the kernel
# command line as efs_init=PATH. Any failure powers the VM off at once so the
# host sees "no exit status" instead of waiting for its timeout.

/bin/busybox --install -s /bin
export PATH=/bin

die() {
	echo "efs-initramfs: $*"
	sleep 1
	poweroff -f
}

mount -t devtmpfs devtmpfs /dev || die "cannot mount devtmpfs"
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys

while read -r m; do
	insmod "/lib/modules/$m" || die "insmod $m failed"
done </etc/modules.load

efs_init=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case "$arg" in
	efs_init=*) efs_init=${arg#efs_init=} ;;
	esac
done
[ -n "$efs_init" ] || die "no efs_init= on the kernel command line"

# cache=loose: the root is read-only for the guest and the host does not
# change it during a run, so caching pages and dentries is safe and makes
# exec/reads from the 9p root much faster under TCG.
mkdir -p /newroot
# The virtio device may still be probing on a loaded host: wait up to 30 s.
i=0
until mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 root /newroot; do
	i=$((i + 1))
	[ $i -lt 150 ] || die "cannot mount the 9p root"
	sleep 0.2
done
[ -x "/newroot$efs_init" ] || die "guest init $efs_init not found or not executable in the 9p root"

mount --move /dev /newroot/dev
mount --move /proc /newroot/proc
mount --move /sys /newroot/sys
exec switch_root /newroot "$efs_init"
