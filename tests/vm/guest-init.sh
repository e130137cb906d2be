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
# Every exec of a dynamically linked program costs ~0.1-0.2 s under TCG
# (ld.so relocations); busybox is static and several times cheaper, so the
# boot path below uses it wherever it can.
BB=/bin/busybox
[ -n "${EFS_VM_TRACE:-}" ] && { PS4='+ $EPOCHREALTIME '; set -x; exec 2>/dev/console; }

msg() { echo "efs-vm: $*" >/dev/console; }

poweroff_now() {
	$BB sync
	echo o >/proc/sysrq-trigger
	$BB sleep 10
	$BB poweroff -f
	while :; do $BB sleep 1000; done
}

REPO=$(cd "$(dirname "$0")/../.." && pwd)
EFS_OUT=/run/efs/out

# --- filesystems --------------------------------------------------------
# /dev, /proc and /sys were moved here by the initramfs.
[ -e /proc/self ] || $BB mount -t proc proc /proc
[ -d /sys/kernel ] || $BB mount -t sysfs sysfs /sys
[ -e /dev/null ] || $BB mount -t devtmpfs devtmpfs /dev
$BB mkdir -p /dev/pts /dev/shm
$BB mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
$BB mount -t tmpfs -o mode=1777 tmpfs /dev/shm
$BB mount -t tmpfs -o mode=755 tmpfs /run
$BB mkdir -p /run/efs/out /run/lock /run/netns
# A checkout under a directory covered with a tmpfs below (/tmp, /root,
# /srv, ...) must stay visible: bind it aside now, back into place after.
$BB mkdir -p /run/efs/repo
$BB mount -o bind "$REPO" /run/efs/repo

# Writable copies of directories whose host contents matter (ownership of
# /var/lib/nfs/sm etc. is statd's), plain tmpfs for the rest.
seed_tmpfs() { # DIR: tmpfs over DIR, starting as a copy of its contents
	local d=$1 seed=/run/efs/seed
	$BB mkdir -p "$seed"
	$BB cp -a "$d/." "$seed/" 2>/dev/null
	$BB mount -t tmpfs -o mode=755 tmpfs "$d" || { msg "cannot mount tmpfs on $d"; return 1; }
	$BB cp -a "$seed/." "$d/"
	$BB rm -rf "$seed"
}
seed_tmpfs /var/lib/nfs
$BB mkdir -p /var/lib/nfs/nfsdcld /var/lib/nfs/v4recovery
for d in /tmp /var/tmp; do $BB mount -t tmpfs -o mode=1777 tmpfs "$d"; done
for d in /var/log /srv /mnt /root; do $BB mount -t tmpfs -o mode=755 tmpfs "$d"; done
if [ ! -d "$REPO/tests/vm" ]; then
	$BB mkdir -p "$REPO"
	$BB mount -o bind /run/efs/repo "$REPO" || msg "cannot bind the repository back at $REPO"
fi
# The test kernel's modules are unpacked under build/kernels/ on the host
# (make deps), not installed: put them where modprobe looks.
kroot=$($BB sed -n 's/.*efs_kroot=\([^ ]*\).*/\1/p' /proc/cmdline)
krel=$($BB uname -r)
if [ -d "$kroot/lib/modules/$krel" ]; then
	$BB mount -t tmpfs -o mode=755 tmpfs /lib/modules
	$BB mkdir -p "/lib/modules/$krel"
	$BB mount -o bind "$kroot/lib/modules/$krel" "/lib/modules/$krel"
else
	msg "no modules for $krel under $kroot/lib/modules"
fi
# /etc stays read-only; /etc/exports gets a writable copy so scenarios may
# use "exportfs -ra" with their own file if they prefer it to exportfs -o.
cat /etc/exports >/run/efs/exports 2>/dev/null
$BB mount -o bind /run/efs/exports /etc/exports

$BB mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -d /sys/kernel/tracing/trace ] || $BB mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
$BB mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null

if ! $BB mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out "$EFS_OUT"; then
	msg "cannot mount the 9p share 'out'; powering off"
	poweroff_now
fi

# Full kernel log, followed live so that nothing is lost to ring-buffer
# wrap-around and a hung guest still leaves its log behind.
# (util-linux dmesg flushes every record in --follow mode.)
dmesg --follow >"$EFS_OUT/dmesg.log" 2>&1 &
dmesg_pid=$!

# --- network, identity --------------------------------------------------
echo efs-vm >/proc/sys/kernel/hostname
$BB ip link set lo up

# --- the job ------------------------------------------------------------
SCENARIO='' DEADLINE=$((EPOCHSECONDS + 600)) ARGS=()
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

# EFS_KMEMLEAK=1 (make check-debug, on a kernel with kmemleak): what leaked
# before the scenario is scanned for and set aside now, what the scenario
# leaked is reported after it (kmemleak_report).
KMEMLEAK=/sys/kernel/debug/kmemleak
if [ -n "${EFS_KMEMLEAK:-}" ]; then
	if [ -w "$KMEMLEAK" ]; then
		echo scan >"$KMEMLEAK" && echo clear >"$KMEMLEAK"
	else
		msg "EFS_KMEMLEAK set but $KMEMLEAK is missing (kernel without kmemleak?)"
		echo "efs-vm: BUG: EFS_KMEMLEAK set but no $KMEMLEAK" >/dev/kmsg
	fi
fi
# kmemleak_report: scan twice (kmemleak skips objects younger than 5 s or
# changed since the last scan) and put each suspect in the kernel log as
# "efs-vm: kmemleak: unreferenced object ...", where run.sh's pattern fails
# the run. Any suspect counts, not only efs's: after rmmod efs its frames
# are bare addresses, and a leak of nfsd's objects may be efs's doing.
# KMEMLEAK_KERNEL_LEAKS are the kernel's own, set aside in
# kmemleak-kernel.log: a frame in one of them marks a known leak of the
# kernel's error paths that fault injection reaches:
#   sysfs_slab_add - 6.12's mm/slub.c does not kobject_put() after a failed
#                    kobject_init_and_add(), leaking the cache's kobject name
#                    (efs_clients_init's kmem_cache_create under failslab).
KMEMLEAK_KERNEL_LEAKS='sysfs_slab_add'
kmemleak_report() {
	[ -w "$KMEMLEAK" ] || return 0
	$BB sleep 6
	echo scan >"$KMEMLEAK"
	echo scan >"$KMEMLEAK"
	# shellcheck disable=SC2016 # the awk program
	$BB awk -v known="$KMEMLEAK_KERNEL_LEAKS" \
		-v ours="$EFS_OUT/kmemleak.log" -v theirs="$EFS_OUT/kmemleak-kernel.log" '
		function flush() {
			if (rec == "") return
			if (known != "" && rec ~ ("[ \t](" known ")\\+")) {
				printf "%s", rec >>theirs; nk++
			} else {
				printf "%s", rec >>ours; n++
				print "efs-vm: kmemleak: " head >"/dev/kmsg"
			}
			rec = ""
		}
		/^unreferenced object/ { flush(); head = $0 }
		{ rec = rec $0 "\n" }
		END { flush(); printf "%d %d\n", n, nk }' "$KMEMLEAK" >"$EFS_OUT/kmemleak.count"
	read -r n nk <"$EFS_OUT/kmemleak.count"
	read -r up _ </proc/uptime
	msg "kmemleak: $n suspect(s) after the scenario, $nk known kernel leak(s) (up ${up}s)"
}

# DEADLINE (epoch s) comes a little before the host's timeout for the run:
# stop the scenario then, leaving time to report.
read -r up _ </proc/uptime
gt=$((DEADLINE - EPOCHSECONDS))
[ "$gt" -ge 1 ] || gt=1
printf 'scenario_start=%s\nguest_timeout=%s\n' "$up" "$gt" >"$EFS_OUT/timing"
: >"$EFS_OUT/.started" # its mtime (host clock) dates the start for run.sh
msg "running $SCENARIO ${ARGS[*]} (kernel $EFS_KREL, up ${up}s, guest timeout ${gt}s)"
cd "$EFS_REPO" || msg "cannot cd to $EFS_REPO"
# timeout(1) signals the whole process group, so fio & co. go too.
timeout -k 5 "$gt" bash "$SCENARIO" "${ARGS[@]}" >"$EFS_OUT/scenario.log" 2>&1 </dev/null
rc=$?
read -r up _ </proc/uptime
echo "scenario_end=$up" >>"$EFS_OUT/timing"
msg "scenario exited with status $rc (up ${up}s)"
[ -z "${EFS_KMEMLEAK:-}" ] || kmemleak_report

# Let the log follower catch up with a marker before stopping it.
echo "efs-vm: end of scenario, status $rc" >/dev/kmsg
for _ in {1..50}; do
	$BB grep -q 'efs-vm: end of scenario' "$EFS_OUT/dmesg.log" && break
	$BB sleep 0.1
done
kill "$dmesg_pid" 2>/dev/null
wait "$dmesg_pid" 2>/dev/null

# The status goes last: once it exists, everything else is complete.
echo "$rc" >"$EFS_OUT/status"
$BB umount "$EFS_OUT" 2>/dev/null
poweroff_now
