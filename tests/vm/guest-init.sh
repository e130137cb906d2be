#!/bin/bash
# PID 1 of the efs test VM (after the initramfs switch_root to the host's /,
# mounted read-only over 9p).
#
# Makes the few directories nfsd, mountd, statd, nfsdcld and fio write to
# writable (tmpfs), mounts the writable 9p share "out" at $EFS_OUT, runs the
# scenario named in $EFS_OUT/.efs-vm-job and leaves behind in $EFS_OUT:
#   scenario.log  the scenario's stdout+stderr
#   dmesg.log     the whole kernel log, boot to end (followed live)
#   status        the scenario's exit status (124: timed out in the guest)
#   timing        guest uptime at scenario start and end
# then powers off. PID 1 must never exit (that panics the kernel), so every
# path ends in poweroff. No "set -e": a failed step is reported, not fatal.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
umask 022
PS4='+ $EPOCHREALTIME '; set -x; exec 2>/dev/console

msg() { echo "efs-vm: $*" >/dev/console; }

poweroff_now() {
	sync
	echo o >/proc/sysrq-trigger
	sleep 10
	/bin/busybox poweroff -f
	while :; do sleep 1000; done
}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
EFS_OUT=/run/efs/out

# --- filesystems --------------------------------------------------------
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/efs/out /run/lock /run/netns

# Writable copies of directories whose host contents matter (ownership of
# /var/lib/nfs/sm etc. is statd's), plain tmpfs for the rest.
seed_tmpfs() { # DIR: tmpfs over DIR, starting as a copy of its contents
	local d=$1 seed=/run/efs/seed
	rm -rf "$seed" && mkdir -p "$seed"
	cp -a "$d/." "$seed/" 2>/dev/null
	mount -t tmpfs -o mode=755 tmpfs "$d" || { msg "cannot mount tmpfs on $d"; return 1; }
	cp -a "$seed/." "$d/"
	rm -rf "$seed"
}
seed_tmpfs /var/lib/nfs
mkdir -p /var/lib/nfs/nfsdcld /var/lib/nfs/v4recovery
for d in /tmp /var/tmp; do mount -t tmpfs -o mode=1777 tmpfs "$d"; done
for d in /var/log /srv /mnt /root; do mount -t tmpfs -o mode=755 tmpfs "$d"; done
# /etc stays read-only; /etc/exports gets a writable copy so scenarios may
# use "exportfs -ra" with their own file if they prefer it to exportfs -o.
cp /etc/exports /run/efs/exports 2>/dev/null || : >/run/efs/exports
mount --bind /run/efs/exports /etc/exports

mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -d /sys/kernel/tracing ] && mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null

if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out "$EFS_OUT"; then
	msg "cannot mount the 9p share 'out'; powering off"
	poweroff_now
fi

# Full kernel log, followed live so that nothing is lost to ring-buffer
# wrap-around and a hung guest still leaves its log behind.
stdbuf -oL dmesg --follow >"$EFS_OUT/dmesg.log" 2>&1 &
dmesg_pid=$!

# --- network, identity --------------------------------------------------
hostname efs-vm
ip link set lo up

# --- the job ------------------------------------------------------------
SCENARIO= TIMEOUT=600 ARGS=()
# shellcheck source=/dev/null
if ! . "$EFS_OUT/.efs-vm-job"; then
	msg "cannot read $EFS_OUT/.efs-vm-job"
	poweroff_now
fi

export EFS_REPO=$REPO
EFS_KREL=$(uname -r)
export EFS_KREL
export EFS_KO=$EFS_REPO/build/$EFS_KREL/efs.ko
export EFS_CTL=$EFS_REPO/tools/efsctl/efsctl
export EFS_OUT
export EFS_SCENARIO=$SCENARIO

read -r up _ </proc/uptime
echo "scenario_start=$up" >"$EFS_OUT/timing"
msg "running $SCENARIO ${ARGS[*]} (kernel $EFS_KREL, up ${up}s, guest timeout ${TIMEOUT}s)"
cd "$EFS_REPO" || msg "cannot cd to $EFS_REPO"
# timeout(1) signals the whole process group, so fio & co. go too.
timeout -k 5 "$TIMEOUT" bash "$SCENARIO" "${ARGS[@]}" >"$EFS_OUT/scenario.log" 2>&1 </dev/null
rc=$?
read -r up _ </proc/uptime
echo "scenario_end=$up" >>"$EFS_OUT/timing"
msg "scenario exited with status $rc (up ${up}s)"

# Let the log follower catch up with a marker before stopping it.
echo "efs-vm: end of scenario, status $rc" >/dev/kmsg
for _ in $(seq 50); do
	grep -q 'efs-vm: end of scenario' "$EFS_OUT/dmesg.log" && break
	sleep 0.1
done
kill "$dmesg_pid" 2>/dev/null
wait "$dmesg_pid" 2>/dev/null

# The status goes last: once it exists, everything else is complete.
echo "$rc" >"$EFS_OUT/status"
sync
umount "$EFS_OUT" 2>/dev/null
poweroff_now
