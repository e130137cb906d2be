#!/bin/bash
# Run one efs VM test scenario in a throw-away qemu (TCG) guest that boots a
# stock Debian kernel with the host's / as its read-only 9p root.
#
#   tests/vm/run.sh [-k KREL|6.1|6.12] [-o OUTDIR] [-t TIMEOUT_S] [-m MEM]
#                   [-c] SCENARIO [ARGS...]
#
# -c: counted time: one vCPU whose clock counts instructions (qemu -icount
# shift=2,sleep=off), so ratios of rates do not move with the host's load;
# a run takes 2-4 times as long (give it -t).
# SCENARIO is a name (tests/vm/scenarios/NAME.sh) or a path to a bash
# script. Exit status: the scenario's, or 1 if the guest kernel logged a
# warning/oops/lockup (see BAD_PATTERNS), the run timed out, or no exit
# status came back. Last line: "PASS|FAIL <name> [<krel>] (<secs>s)", also
# appended (without the time) to $EFS_RESULTS if that is set.
#
# Scenario header lines understood here:
#   # efs-vm: timeout=SECONDS   default timeout when -t is not given
#   # efs-vm: needs-module      FAIL at once if build/<krel>/efs.ko is missing
#   # efs-vm: append=WORDS      extra kernel command line words
#   # efs-vm: tcg=OPTIONS       TCG options on every kernel (thread=single
#                               for a scenario whose point is live text
#                               patching under load; see vm_tcg)
#   # efs-vm: allow-trace=FUNCTION...
#                               a call trace ("Call Trace:" to "</TASK>")
#                               with one of these functions on it for
#                               certain is not a warning: for failures the
#                               scenario injects on purpose that the kernel
#                               reports with a stack dump (warn_alloc,
#                               kmem_cache_create). A WARNING:/BUG: line
#                               before such a trace still counts; each
#                               trace dropped is counted in the output
# Environment: EFS_VM_CPUS (vCPUs; default 2), EFS_VM_TCG (TCG options;
# default the scenario's tcg= or else tests/setup/kernels.lib.sh's vm_tcg),
# EFS_VM_QEMU_ARGS, EFS_VM_APPEND, EFS_VM_BOOT_LIMIT (seconds until a boot
# that has not started the scenario counts as hung and is retried once).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
# Bump when the initramfs layout changes, to force a rebuild of the cache.
INITRAMFS_VERSION=1

# Guest kernel log lines that fail a run. Extended regexps, case-sensitive.
BAD_PATTERNS=(
	'WARNING:'
	'BUG:'
	'Oops'
	'Call Trace:'
	'lockdep'
	'possible circular locking'
	'blocked for more than'
	'general protection fault'
	'kernel BUG'
	'UBSAN'
	'KASAN'
	'refcount_t:'
	'list_add corruption'
	'list_del corruption'
	'RCU stall'
	'rcu_(sched|preempt) self-detected stall'
	'detected stalls on CPUs'
	'Kernel panic'
	# the debug kernel's (tests/setup/debug-kernel.sh) reports not always under
	# a WARNING:/BUG: line
	'inconsistent lock state'
	'possible recursive locking'
	'sleeping function called from invalid context'
	'suspicious RCU usage'
	'ODEBUG:'
	'soft lockup'
	'unreferenced object'
)
# Boot banners of the debug kernel that match a pattern above but report
# nothing.
BENIGN_PATTERNS=(
	'RCU lockdep checking is enabled'
)

usage() {
	sed -n '4,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

# --- arguments ----------------------------------------------------------
krel_arg='' outdir='' timeout='' mem=2G counted=0
while getopts k:o:t:m:ch opt; do
	case $opt in
	c) counted=1 ;;
	k) krel_arg=$OPTARG ;;
	o) outdir=$OPTARG ;;
	t) timeout=$OPTARG ;;
	m) mem=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
scen_arg=$1
shift

# The test kernels: unpacked under build/kernels/ by make deps (KROOT).
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel "$krel_arg")
if [ -z "$krel" ]; then
	echo "run.sh: no test kernel matches '${krel_arg:-6.1}' in $KROOT/boot (make deps)" >&2
	exit 2
fi
MODDIR=$KROOT/lib/modules/$krel
[ -d "$MODDIR" ] || { echo "run.sh: $MODDIR missing (make deps)" >&2; exit 2; }
case "$KROOT/" in
"$REPO"/*) ;;
*) echo "run.sh: the test kernels ($KROOT) must be inside the repository" >&2; exit 2 ;;
esac

if [ -f "$scen_arg" ]; then
	scenario=$(realpath "$scen_arg")
else
	scenario=$HERE/scenarios/${scen_arg%.sh}.sh
fi
[ -f "$scenario" ] || { echo "run.sh: no scenario '$scen_arg' ($scenario)" >&2; exit 2; }
name=$(basename "$scenario" .sh)

start=$SECONDS
# finish STATUS [MESSAGE...]: print the summary line and exit.
finish() {
	local rc=$1 verdict=PASS
	shift
	[ "$rc" -eq 0 ] || verdict=FAIL
	[ $# -eq 0 ] || echo "run.sh: $*" >&2
	echo "$verdict $name [$krel] ($((SECONDS - start))s)"
	[ -z "${EFS_RESULTS:-}" ] || echo "$verdict $name [$krel]" >>"$EFS_RESULTS"
	exit "$rc"
}

# Header directives.
if [ -z "$timeout" ]; then
	timeout=$(sed -n 's/^# *efs-vm: *timeout= *\([0-9][0-9]*\).*/\1/p' "$scenario" | head -n 1)
	timeout=${timeout:-600}
	# EFS_VM_TIMEOUT_SCALE=N: N times the header's timeout (the debug
	# kernel under TCG is several times slower).
	timeout=$((timeout * ${EFS_VM_TIMEOUT_SCALE:-1}))
fi
[[ $timeout =~ ^[0-9]+$ ]] || { echo "run.sh: bad timeout '$timeout'" >&2; exit 2; }
if grep -q '^# *efs-vm: *needs-module' "$scenario" && [ ! -f "$REPO/build/$krel/efs.ko" ]; then
	finish 1 "$name needs the module but $REPO/build/$krel/efs.ko is not built (make)"
fi

# Everything the guest sees must be reachable under the same path through
# the 9p root (not under a directory the guest covers with a tmpfs) and be
# passable on the kernel command line.
case "$REPO$scenario" in
*[[:space:]]*) echo "run.sh: paths with white space are not supported: $REPO" >&2; exit 2 ;;
esac
# The guest binds the repository back over its tmpfs mounts (guest-init.sh);
# a scenario outside the repository has no such help.
case "$REPO/" in
/run/* | /var/lib/nfs/* | /dev/* | /proc/* | /sys/*)
	echo "run.sh: $REPO is hidden by a tmpfs in the guest; put it elsewhere" >&2
	exit 2
	;;
esac
case "$scenario" in
"$REPO"/*) ;;
/tmp/* | /var/tmp/* | /run/* | /srv/* | /mnt/* | /root/* | /var/log/* | /var/lib/nfs/* | /dev/* | /proc/* | /sys/*)
	echo "run.sh: $scenario is hidden by a tmpfs in the guest; put it elsewhere" >&2
	exit 2
	;;
esac

# The guest mounts the test kernel's modules on /lib/modules, which must
# exist in its (read-only) root: a host without kernels may lack it.
[ -d /lib/modules ] || mkdir -p /lib/modules || exit 2

# --- output directory ----------------------------------------------------
outdir=${outdir:-$REPO/build/vm-out/$krel/$name}
mkdir -p "$outdir" || exit 2
outdir=$(realpath "$outdir")
# Only ever wipe a directory this script made (marker file).
if [ -n "$(ls -A "$outdir")" ]; then
	if [ -e "$outdir/.efs-vm-outdir" ]; then
		find "$outdir" -mindepth 1 -delete
	else
		echo "run.sh: $outdir is not empty and not an efs-vm output directory" >&2
		exit 2
	fi
fi
touch "$outdir/.efs-vm-outdir"

# --- initramfs (cached, rebuilt when an input changes) ---------------------
cache=$REPO/build/vm
mkdir -p "$cache" || exit 2
initrd=$cache/initramfs-$krel.cpio.gz

# Modules to load, with their dependencies first (from modules.dep);
# modules built into this kernel are simply not in modules.dep.
declare -A dep path_of seen
while IFS=: read -r m deps; do
	dep[$m]=$deps
	b=${m##*/}
	b=${b%%.ko*}
	path_of[${b//-/_}]=$m
done <"$MODDIR/modules.dep"
order=()
add_mod() {
	local m=$1 d
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	for d in ${dep[$m]}; do add_mod "$d"; done
	order+=("$m")
}
for want in virtio_ring virtio virtio_pci 9pnet 9pnet_virtio netfs 9p; do
	[ -n "${path_of[$want]:-}" ] && add_mod "${path_of[$want]}"
done
if [ -z "${path_of[9p]:-}" ] && ! grep -q '/9p\.ko' "$MODDIR/modules.builtin"; then
	echo "run.sh: kernel $krel has no 9p filesystem" >&2
	exit 2
fi

stamp=$(
	echo "v$INITRAMFS_VERSION $krel"
	cat "$HERE/initramfs-init.sh"
	stat -L -c '%n %s %Y' /bin/busybox "$MODDIR/modules.dep"
	for m in "${order[@]}"; do stat -L -c '%n %s %Y' "$MODDIR/$m"; done
)
stamp=$(sha256sum <<<"$stamp" | cut -d' ' -f1)
if [ ! -f "$initrd" ] || [ "$(cat "$initrd.stamp" 2>/dev/null)" != "$stamp" ]; then
	echo "run.sh: building $initrd" >&2
	stage=$(mktemp -d "$cache/initramfs-stage.XXXXXX") || exit 2
	mkdir -p "$stage"/{bin,dev,proc,sys,etc,lib/modules,newroot}
	cp /bin/busybox "$stage/bin/busybox"
	ln -s busybox "$stage/bin/sh"
	cp "$HERE/initramfs-init.sh" "$stage/init"
	chmod 755 "$stage/init"
	mknod -m 600 "$stage/dev/console" c 5 1
	: >"$stage/etc/modules.load"
	for m in "${order[@]}"; do
		b=${m##*/}
		b=${b%%.ko*}.ko
		src=$MODDIR/$m
		# busybox insmod wants plain .ko files.
		case $m in
		*.ko.xz) xz -dc "$src" ;;
		*.ko.zst) zstd -qdc "$src" ;;
		*.ko.gz) gzip -dc "$src" ;;
		*) cat "$src" ;;
		esac >"$stage/lib/modules/$b" || exit 2
		echo "$b" >>"$stage/etc/modules.load"
	done
	tmp=$(mktemp "$cache/initramfs-$krel.XXXXXX") || exit 2
	(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$tmp" || exit 2
	rm -rf "$stage"
	# Atomic replacement: concurrent runs never see a half-written file.
	chmod 644 "$tmp"
	mv -f "$tmp" "$initrd"
	echo "$stamp" >"$initrd.stamp.tmp.$$" && mv -f "$initrd.stamp.tmp.$$" "$initrd.stamp"
fi

# --- kernel: uncompressed when it can boot that way (cached) --------------
# Decompressing the bzImage under TCG takes seconds (6.1 is xz: ~6 s). The
# same kernel's vmlinux, extracted once here, boots straight through its PVH
# entry point (CONFIG_PVH; qemu loads ELF kernels that way) with the same
# command line and initrd. EFS_VM_BZIMAGE=1 boots /boot/vmlinuz-* instead.
kernel=$KROOT/boot/vmlinuz-$krel
vmlinux=$cache/vmlinux-$krel
# extract_vmlinux BZIMAGE OUT: find the compressed payload, decompress it.
extract_vmlinux() {
	local off dec tmp=$2.tmp.$$
	for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00|\x28\xb5\x2f\xfd|\x1f\x8b\x08' "$1" | cut -d: -f1 | head -n 8); do
		for dec in "xz -dcq --single-stream" "zstd -dcq" "gzip -dcq"; do
			# Trailing data after the stream makes some decompressors
			# complain; the output is judged by its ELF magic instead.
			tail -c +$((off + 1)) "$1" | $dec >"$tmp" 2>/dev/null
			if [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				mv -f "$tmp" "$2"
				return 0
			fi
		done
	done
	rm -f "$tmp"
	return 1
}
if [ -z "${EFS_VM_BZIMAGE:-}" ] && grep -q '^CONFIG_PVH=y' "$KROOT/boot/config-$krel" 2>/dev/null; then
	kstamp=$(stat -L -c '%n %s %Y' "$kernel")
	if [ -f "$vmlinux" ] && [ "$(cat "$vmlinux.stamp" 2>/dev/null)" = "$kstamp" ]; then
		kernel=$vmlinux
	elif extract_vmlinux "$kernel" "$vmlinux"; then
		echo "$kstamp" >"$vmlinux.stamp.$$" && mv -f "$vmlinux.stamp.$$" "$vmlinux.stamp"
		kernel=$vmlinux
	else
		echo "run.sh: could not extract vmlinux from $kernel; booting the bzImage" >&2
	fi
fi

# --- the job file the guest init reads from the out share -----------------
# The guest stops the scenario itself at DEADLINE (epoch seconds; the guest
# clock starts from the host's through the emulated RTC), a little before
# the host timeout, so that its kernel log and status still come back; the
# host kills qemu only if even that fails.
margin=$((timeout / 5))
[ "$margin" -gt 15 ] && margin=15
# The kmemleak scans after the scenario (EFS_KMEMLEAK) take minutes on the
# debug kernel under TCG.
[ -z "${EFS_KMEMLEAK:-}" ] || margin=$((margin + timeout / 4))
write_job() { # ARGS...
	{
		printf 'SCENARIO=%q\n' "$scenario"
		printf 'DEADLINE=%q\n' "$(($(date +%s) + timeout - margin))"
		printf 'ARGS=('
		[ $# -eq 0 ] || printf '%q ' "$@"
		printf ')\n'
		# The host's EFS_* tunables (EFS_NN_SECS, EFS_FUZZ_SEED, ...)
		# reach the scenario; the guest sets its own paths itself.
		local v
		for v in ${!EFS_@}; do
			case $v in
			EFS_VM_* | EFS_RESULTS | EFS_REPO | EFS_KREL | EFS_KO | EFS_CTL | EFS_OUT | EFS_SCENARIO) ;;
			*) printf 'export %s=%q\n' "$v" "${!v}" ;;
			esac
		done
	} >"$outdir/.efs-vm-job"
}

# --- boot ---------------------------------------------------------------
append=$(sed -n 's/^# *efs-vm: *append= *//p' "$scenario" | head -n 1)
# KFENCE (built into Debian's 6.12 and later kernels, off by default) guards
# one slab allocation every 100 ms: a use-after-free or overrun it catches
# is a "BUG: KFENCE" line, which fails the run like any other.
cmdline="console=ttyS0 panic=1 kfence.sample_interval=100 efs_init=$HERE/guest-init.sh efs_kroot=$KROOT $append ${EFS_VM_APPEND:-}"
# vCPUs: EFS_VM_CPUS (default 2). TCG options: EFS_VM_TCG, or the
# scenario's tcg=, or tests/setup/kernels.lib.sh's vm_tcg ("thread=single" where
# multi-threaded TCG breaks the kernel's text patching).
cpus=${EFS_VM_CPUS:-2}
[ "$counted" = 1 ] && cpus=1	# -icount runs the vCPUs round-robin on one clock
if grep -q '^# *efs-vm: *tcg=' "$scenario"; then
	tcg=$(sed -n 's/^# *efs-vm: *tcg= *//p' "$scenario" | head -n 1)
else
	tcg=$(vm_tcg "$krel")
fi
tcg=${EFS_VM_TCG-$tcg}
# shellcheck disable=SC2054 # the commas are qemu's
qemu=(
	qemu-system-x86_64 -accel "tcg${tcg:+,$tcg}" -cpu max -smp "$cpus" -m "$mem"
	-nographic -no-reboot -nic none
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
	-virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap
	-virtfs "local,path=$outdir,mount_tag=out,security_model=none"
)
clock=''
if [ "$counted" = 1 ]; then
	# shellcheck disable=SC2054 # the commas are qemu's
	qemu+=(-icount shift=2,sleep=off)
	clock=', counted time'
fi
# Extra qemu options (tests/vm/pair.sh's network links, say).
# shellcheck disable=SC2206 # split on purpose
qemu+=(${EFS_VM_QEMU_ARGS:-})
echo "run.sh: $name on $krel ($cpus vCPU${tcg:+, TCG $tcg}$clock), timeout ${timeout}s, output in $outdir" >&2
# A guest that dies before the scenario starts (seen once in CI: a run
# over in 6 s with no account of why) or hangs in its boot (seen once: a
# 6.1 guest's vCPU 0 stopped at 1.4 s, an RCU stall, under MTTCG) has not
# tested anything yet (efs is loaded by the scenario), so it is booted
# once more; its console is kept as console-boot1.log. A guest that
# started the scenario is never retried. Boots take 5-15 s (up to ~2 min
# on the debug kernel, with EFS_KMEMLEAK): EFS_VM_BOOT_LIMIT (s, default
# 150, 400 with EFS_KMEMLEAK, at most half the timeout) is when a boot
# counts as hung.
boot_limit=${EFS_VM_BOOT_LIMIT:-$([ -n "${EFS_KMEMLEAK:-}" ] && echo 400 || echo 150)}
[ "$boot_limit" -le $((timeout / 2)) ] || boot_limit=$((timeout / 2))
for attempt in 1 2; do
	write_job "$@"
	qemu_start=$EPOCHREALTIME
	timeout -k 10 "$timeout" "${qemu[@]}" </dev/null >"$outdir/console.log" 2>&1 &
	qpid=$!
	boot_hung=''
	while kill -0 "$qpid" 2>/dev/null && [ ! -e "$outdir/.started" ]; do
		if [ $((${EPOCHREALTIME%.*} - ${qemu_start%.*})) -ge "$boot_limit" ]; then
			boot_hung=1
			kill "$qpid" 2>/dev/null	# timeout(1) passes it to qemu
			break
		fi
		sleep 1
	done
	wait "$qpid"
	qrc=$?
	[ -e "$outdir/.started" ] || [ -e "$outdir/status" ] && break
	[ -z "$boot_hung" ] && { [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; } && break
	[ "$attempt" -eq 1 ] || break
	if [ -n "$boot_hung" ]; then
		echo "run.sh: the guest did not start the scenario within ${boot_limit}s (a hung boot); last lines of console.log:" >&2
	else
		echo "run.sh: the guest stopped (qemu status $qrc) before the scenario started; last lines of console.log:" >&2
	fi
	tail -n 15 "$outdir/console.log" | sed 's/^/  | /' >&2
	echo "run.sh: booting once more" >&2
	mv -f "$outdir/console.log" "$outdir/console-boot1.log"
	rm -f "$outdir/dmesg.log" "$outdir/timing"
done

# --- verdict ------------------------------------------------------------
problems=()
pattern=$(IFS='|'; echo "${BAD_PATTERNS[*]}")
klog=$outdir/dmesg.log
[ -s "$klog" ] || klog=$outdir/console.log
benign=$(IFS='|'; echo "${BENIGN_PATTERNS[*]}")
# A scenario's allow-trace: blank out (keeping line numbers) each call
# trace that has one of the allowed functions as a frame for certain
# ("]  fn+0x", not "] ? fn+0x"), and count them.
allow_fns=$(sed -n 's/^# *efs-vm: *allow-trace= *//p' "$scenario" | head -n 1)
allow_re=$(tr -cs 'A-Za-z0-9_' '\n' <<<"$allow_fns" | grep . | paste -sd'|')
filtered=$outdir/klog-filtered.log
awk -v fns="$allow_re" -v counted="$outdir/allowed-traces" '
function flush(drop,  i) {
	for (i = 1; i <= n; i++)
		print (drop ? "" : buf[i])
	dropped += drop; n = 0; inblock = 0
}
/Call Trace:/ && fns != "" { if (inblock) flush(0); inblock = 1; hit = 0 }
inblock {
	buf[++n] = $0
	if ($0 ~ ("(^|\\])[ \t]*(" fns ")\\+0x")) hit = 1
	if ($0 ~ /<\/TASK>/) flush(hit)
	next
}
{ print }
END { if (inblock) flush(0); print dropped + 0 > counted }' "$klog" >"$filtered"
allowed=$(cat "$outdir/allowed-traces")
if [ "$allowed" -gt 0 ]; then
	echo "run.sh: $allowed call trace(s) through ${allow_re//|/, } not counted (the scenario's allow-trace)" >&2
fi
if bad=$(grep -nE "$pattern" "$filtered" | grep -vE "$benign"); then
	echo "run.sh: guest kernel log has warnings ($(basename "$klog")):" >&2
	head -n 20 <<<"$bad" | sed "s|^|  $(basename "$klog"):|" >&2
	problems+=("kernel log $(basename "$klog"):$(head -n 1 <<<"$bad")")
fi
if [ -n "$boot_hung" ]; then
	problems+=("the guest did not start the scenario within ${boot_limit}s, twice")
elif [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	problems+=("timeout after ${timeout}s, qemu killed")
fi
scenario_start='' scenario_end='' guest_timeout=''
# shellcheck disable=SC1091
[ -f "$outdir/timing" ] && . "$outdir/timing"
status=$(cat "$outdir/status" 2>/dev/null)
if [ -z "$status" ]; then
	problems+=("no exit status came back from the guest")
	echo "run.sh: no exit status; last lines of console.log:" >&2
	tail -n 15 "$outdir/console.log" 2>/dev/null | sed 's/^/  | /' >&2
	status=1
else
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		problems+=("scenario timed out in the guest after ${guest_timeout:-?}s")
	fi
	if [ "$status" -ne 0 ]; then
		# The failed checks say what was measured against what; the
		# log's tail alone is often an unrelated dump.
		if grep -q 'FAIL' "$outdir/scenario.log" 2>/dev/null; then
			echo "run.sh: scenario exited with status $status; failed checks in scenario.log:" >&2
			grep 'FAIL' "$outdir/scenario.log" | head -n 20 | sed 's/^/  | /' >&2
		fi
		echo "run.sh: last lines of scenario.log:" >&2
		tail -n 10 "$outdir/scenario.log" 2>/dev/null | sed 's/^/  | /' >&2
	fi
fi
if [ -n "$scenario_start" ] && [ -f "$outdir/.started" ]; then
	# Wall clock from qemu's start to the scenario's (the guest's uptime
	# misses firmware and kernel loading).
	boot=$(awk -v a="$qemu_start" -v b="$(date -r "$outdir/.started" +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "run.sh: boot to scenario ${boot}s (guest uptime ${scenario_start}s)${scenario_end:+, scenario ran $(awk -v a="$scenario_start" -v b="$scenario_end" 'BEGIN { printf "%.1f", b - a }')s}" >&2
fi
if [ ${#problems[@]} -gt 0 ]; then
	[ "$status" -ne 0 ] || status=1
	msg=$(IFS=';'; echo "${problems[*]}")
	finish "$status" "FAILED: ${msg//;/; }"
fi
finish "$status"
