# shellcheck shell=bash
# Helpers for efs VM scenarios. Scenarios run as root inside the guest, in
# bash, without "set -e", from $EFS_REPO, and source this file:
#
#   . "$EFS_REPO/tests/vm/lib.sh"
#
# Environment set by the guest init: EFS_REPO EFS_KREL EFS_KO EFS_CTL EFS_OUT.
#
# NFS paths: every export lives under /srv (a tmpfs), which itself is
# exported as the NFSv4 pseudo-root (fsid=0). So an export NAME is
#   NFSv3:   SERVER:/srv/NAME
#   NFSv4.x: SERVER:/NAME
# nfs_mount picks the right one from the version; use it rather than mount.

# Exported so that functions run through in_client see them too.
export EFS_SERVER_IP=10.99.0.1   # server address on the client bridge
export EFS_BRIDGE=efsbr0         # bridge joining the netns_client veths
export EFS_STATE=/run/efs        # harness state in the guest (tmpfs)

# --- logging ------------------------------------------------------------

# log MSG...: a line on stdout, prefixed with the guest uptime.
log() {
	local up
	read -r up _ </proc/uptime
	printf '[%8s] %s\n' "$up" "$*"
}

# fail MSG...: log "FAIL: MSG" on stderr and exit the scenario with 1.
# (In a subshell or pipeline it only ends that subshell.)
fail() {
	log "FAIL: $*" >&2
	exit 1
}

# assert_within VALUE TARGET PCT MSG: 0 if |VALUE - TARGET| <= PCT% of
# TARGET, else prints why and returns 1. Values may be fractional.
assert_within() {
	local v=$1 t=$2 pct=$3 msg=${4:-value}
	if awk -v v="$v" -v t="$t" -v p="$pct" 'BEGIN {
		d = v - t; if (d < 0) d = -d; a = t < 0 ? -t : t
		exit !(d <= a * p / 100) }'; then
		log "ok: $msg: $v within $pct% of $t"
		return 0
	fi
	log "FAIL: $msg: $v not within $pct% of $t" >&2
	return 1
}

# Checks of a rate or a time (IOPS against a cap, bytes a second) go through
# these two, not through assert_within, which also checks counts. A debug
# kernel under TCG cannot meet them (make check-debug's guest reads 40-50
# IOPS unthrottled where a stock kernel's reads 1,000), so with
# EFS_TIMING=report, which make check-debug sets, they log the value and
# the tolerance and pass: those runs are for KASAN, lockdep and kmemleak,
# and the stock kernels' runs judge the rates.
#
# _rate_reported TEXT: with EFS_TIMING=report, log TEXT as a rate not
# asserted and return 0; otherwise return 1 (the caller asserts).
_rate_reported() {
	[ "${EFS_TIMING:-}" = report ] || return 1
	log "timing not asserted (EFS_TIMING=report): $*"
}

# rate_within VALUE TARGET PCT MSG: assert_within, or report it.
rate_within() {
	_rate_reported "${4:-value}: $1, want within $3% of $2" || assert_within "$@"
}

# rate_above VALUE MIN MSG: 0 if VALUE > MIN (whole numbers), else prints
# why and returns 1; or report it.
rate_above() {
	_rate_reported "$3: $1, want > $2" && return 0
	[ "$1" -gt "$2" ] && { log "ok: $3: $1 > $2"; return 0; }
	log "FAIL: $3: $1, want > $2" >&2
	return 1
}

# check MSG CMD...: run CMD; log "ok: MSG", or "FAIL: MSG" and set rc=1
# (scenarios end with "exit $rc").
check() {
	local msg=$1
	shift
	if "$@"; then log "ok: $msg"; else log "FAIL: $msg" >&2; rc=1; fi
}

# --- the efs module -----------------------------------------------------

# efs_load [PARAM=VALUE...]: insmod $EFS_KO.
# shellcheck disable=SC2120 # parameters are optional
efs_load() {
	[ -f "$EFS_KO" ] || { log "efs_load: $EFS_KO not built" >&2; return 1; }
	# efs hooks nfsd: make sure nfsd is there (harmless if loaded).
	modprobe nfsd 2>/dev/null
	insmod "$EFS_KO" "$@" || { log "efs_load: insmod $EFS_KO failed" >&2; return 1; }
	log "efs loaded"
}

# efs_unload: rmmod efs.
efs_unload() {
	rmmod efs || { log "efs_unload: rmmod efs failed" >&2; return 1; }
	log "efs unloaded"
}

# efs_slab_gone: 0 when efs's client slab cache is gone (after rmmod).
efs_slab_gone() {
	! grep -q '^efs_client ' /proc/slabinfo
}

# --- nfsd ---------------------------------------------------------------

# nfsd_start [THREADS]: start knfsd (default 8 threads) with NFSv3 (rpcbind,
# statd, mountd) and NFSv4.0/4.1/4.2 (nfsdcld client tracking, so there is
# no grace period: NFSv4 OPENs work at once). Exports /srv as the NFSv4
# pseudo-root. Idempotent for the daemons; rpc.nfsd just sets the threads.
nfsd_start() {
	local threads=${1:-8}
	mkdir -p "$EFS_STATE" /var/lib/nfs/nfsdcld /run/rpc_pipefs
	modprobe nfsd || return 1
	_efs_mounted /proc/fs/nfsd || mount -t nfsd nfsd /proc/fs/nfsd || return 1
	_efs_mounted /run/rpc_pipefs || mount -t rpc_pipefs sunrpc /run/rpc_pipefs || return 1
	pidof rpcbind >/dev/null || rpcbind || return 1
	pidof rpc.statd >/dev/null || rpc.statd --no-notify || return 1
	# nfsdcld must be running before nfsd starts: it is the client tracker
	# that lets nfsd skip the 90 s grace period on a fresh start. (nfsd
	# creates its pipe at startup and nfsdcld opens it via inotify.)
	pidof nfsdcld >/dev/null || nfsdcld || return 1
	exportfs -o ro,fsid=0,crossmnt,no_subtree_check,insecure,no_root_squash '*:/srv' || return 1
	pidof rpc.mountd >/dev/null || rpc.mountd || return 1
	rpc.nfsd "$threads" || return 1
	# In case client tracking did not come up, end the grace period by hand
	# (the file exists on both 6.1 and 6.12; "Y" ends grace at once).
	[ -w /proc/fs/nfsd/v4_end_grace ] && echo Y >/proc/fs/nfsd/v4_end_grace 2>/dev/null
	log "nfsd started with $threads threads ($(cat /proc/fs/nfsd/versions))"
}

# nfsd_stop: stop knfsd, unexport everything, stop mountd and nfsdcld.
# rpcbind and statd stay (they also serve the client side).
nfsd_stop() {
	rpc.nfsd 0
	exportfs -ua
	pkill -x rpc.mountd 2>/dev/null
	pkill -x nfsdcld 2>/dev/null
	log "nfsd stopped"
}

# _efs_mounted DIR: is something mounted on DIR? (no exec: cheap under TCG)
_efs_mounted() {
	local _dev mnt _rest
	while read -r _dev mnt _rest; do
		[ "$mnt" = "$1" ] && return 0
	done </proc/mounts
	return 1
}

# Next unique fsid (1, 2, ...; 0 is the pseudo-root).
_efs_next_fsid() {
	local n=0
	mkdir -p "$EFS_STATE"
	[ -f "$EFS_STATE/fsid" ] && read -r n <"$EFS_STATE/fsid"
	n=$((n + 1))
	echo "$n" >"$EFS_STATE/fsid"
	echo "$n"
}

# _efs_export DIR [EXTRA_OPTS]: export DIR to everyone with a fresh fsid.
_efs_export() {
	local dir=$1 extra=${2:-} opts fsid
	fsid=$(_efs_next_fsid)
	opts=rw,no_root_squash,no_subtree_check,insecure,sync,fsid=$fsid${extra:+,$extra}
	exportfs -o "$opts" "*:$dir" || return 1
	log "exported $dir ($opts)"
}

# export_tmpfs NAME [SIZE] [EXTRA_OPTS]: tmpfs (default 256M) at /srv/NAME,
# exported. EXTRA_OPTS are appended to the export options.
export_tmpfs() {
	local name=$1 size=${2:-256M} extra=${3:-}
	mkdir -p "/srv/$name"
	mount -t tmpfs -o "size=$size" "efs-$name" "/srv/$name" || return 1
	_efs_export "/srv/$name" "$extra"
}

# export_block NAME ext4|xfs [SIZE] [EXTRA_OPTS]: a SIZE (default 512M; xfs
# needs >= 300M) sparse image in /tmp, formatted, loop-mounted at /srv/NAME
# and exported. The image lives in guest RAM (tmpfs) as it fills.
export_block() {
	local name=$1 fs=$2 size=${3:-512M} extra=${4:-} img=/tmp/efs-$1.img
	modprobe loop
	truncate -s "$size" "$img" || return 1
	case $fs in
	ext4) mkfs.ext4 -q -F "$img" ;;
	xfs) mkfs.xfs -q -f "$img" ;;
	*) log "export_block: unknown filesystem $fs" >&2; return 1 ;;
	esac || return 1
	mkdir -p "/srv/$name"
	mount -o loop "$img" "/srv/$name" || return 1
	_efs_export "/srv/$name" "$extra"
}

# unexport NAME: unexport /srv/NAME and unmount it (tmpfs or loop).
unexport() {
	exportfs -u "*:/srv/$1"
	umount "/srv/$1" && rm -f "/tmp/efs-$1.img"
}

# --- NFS client -----------------------------------------------------------

# nfs_mount NAME MOUNTPOINT VERS [EXTRA_OPTS]: mount export NAME at
# MOUNTPOINT with VERS 3, 4.0, 4.1 or 4.2 over TCP, hard. The server is
# 127.0.0.1, or $EFS_SERVER_IP when run inside a client namespace
# (in_client C nfs_mount ...), or $EFS_NFS_SERVER if set.
nfs_mount() {
	local name=$1 mnt=$2 vers=$3 extra=${4:-} server path
	server=${EFS_NFS_SERVER:-}
	if [ -z "$server" ]; then
		if [ "$(readlink /proc/self/ns/net)" = "$(readlink /proc/1/ns/net)" ]; then
			server=127.0.0.1
		else
			server=$EFS_SERVER_IP
		fi
	fi
	case $vers in
	3) path=/srv/$name ;;
	4 | 4.[012]) path=/$name ;;
	*) log "nfs_mount: unknown version $vers" >&2; return 1 ;;
	esac
	mkdir -p "$mnt"
	mount -t nfs -o "vers=$vers,proto=tcp,hard,actimeo=1${extra:+,$extra}" "$server:$path" "$mnt" ||
		{ log "nfs_mount: mount $server:$path (v$vers) failed" >&2; return 1; }
	log "mounted $server:$path at $mnt (v$vers)"
}

# nfs_umount MOUNTPOINT: unmount (falls back to a lazy unmount).
nfs_umount() {
	umount "$1" 2>/dev/null || umount -l "$1"
}

# --- client network namespaces ------------------------------------------

# netns_client NAME IP: a network namespace NAME with address IP/24 (IP in
# 10.99.0.0/24, not .1) on a veth whose other end is on bridge efsbr0, where
# the server answers at $EFS_SERVER_IP (10.99.0.1). The namespace's NFS
# client gets its own identity, so NFSv4 servers see distinct clients.
netns_client() {
	local name=$1 ip=$2 host_if=vh-$1
	modprobe nfs
	if ! ip link show "$EFS_BRIDGE" >/dev/null 2>&1; then
		ip link add "$EFS_BRIDGE" type bridge || return 1
		ip addr add "$EFS_SERVER_IP/24" dev "$EFS_BRIDGE"
		ip link set "$EFS_BRIDGE" up
	fi
	ip netns add "$name" || return 1
	ip link add "$host_if" type veth peer name eth0 netns "$name" || return 1
	ip link set "$host_if" master "$EFS_BRIDGE" up
	ip -n "$name" addr add "$ip/24" dev eth0
	ip -n "$name" link set eth0 up
	ip -n "$name" link set lo up
	# NFSv4 client owner strings are "hostname + identifier": give each
	# namespace its own identifier (per-netns sysfs, seen via ip netns exec).
	ip netns exec "$name" sh -c \
		"echo efs-client-$name >/sys/fs/nfs/net/nfs_client/identifier" 2>/dev/null ||
		log "netns_client: could not set the NFS client identifier for $name" >&2
	log "client $name at $ip (server $EFS_SERVER_IP)"
}

# in_client NAME CMD [ARGS...]: run CMD in client namespace NAME's network
# namespace only (mounts stay shared, so an NFS mount made there is visible
# everywhere). CMD may be a shell function: all functions defined at the
# time of the call (lib.sh's and the scenario's) are available to it.
# NFS I/O goes through the namespace the mount was made in, whatever the
# namespace of the process doing the I/O.
in_client() {
	local name=$1
	shift
	EFS_CLIENT=$name nsenter --net="/run/netns/$name" -- \
		bash -c "$(declare -f); \"\$@\"" in_client "$@"
}

# --- fio ----------------------------------------------------------------

# run_fio NAME [FIO OPTIONS...]: one fio job named NAME, JSON results to
# $EFS_OUT/NAME.json (stderr to $EFS_OUT/NAME.err). Returns fio's status.
# Example: run_fio v3 --filename=/mnt/v3/f --size=64M --rw=randread
#          --bs=4k --direct=1 --ioengine=psync --time_based --runtime=5
# With EFS_FIO_BOUND=SECONDS set, fio that is still running after that
# long (a request refused on every retry keeps a hard mount's fio waiting
# forever) gets SIGINT, 10 s later SIGKILL: the status is then 124 or 137.
run_fio() {
	local name=$1 rc bound=()
	shift
	[ -n "${EFS_FIO_BOUND:-}" ] && bound=(timeout -s INT -k 10 "$EFS_FIO_BOUND")
	"${bound[@]}" fio --output-format=json --output="$EFS_OUT/$name.json" --name="$name" "$@" \
		2>"$EFS_OUT/$name.err"
	rc=$?
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && [ ${#bound[@]} -gt 0 ] &&
		log "run_fio $name: still running after ${EFS_FIO_BOUND}s: stopped" >&2
	# Ended early by fio_stop: fio says 128, its results are whole.
	[ $rc -eq 128 ] && [ -e "$EFS_STATE/$name.stopped" ] && rc=0
	[ $rc -eq 0 ] || { log "run_fio $name: fio failed ($rc):" >&2; cat "$EFS_OUT/$name.err" >&2; }
	return $rc
}

# _efs_fio_json FILE|NAME: the JSON file for a run_fio NAME (here or on
# the peer) or a path.
_efs_fio_json() {
	if [ -f "$1" ]; then
		echo "$1"
	elif [ ! -f "$EFS_OUT/$1.json" ] && [ -f "${EFS_SHARE:-/nonexistent}/$1.json" ]; then
		echo "$EFS_SHARE/$1.json"	# run on the peer (peer.lib.sh)
	else
		echo "$EFS_OUT/$1.json"
	fi
}

# fio_iops FILE|NAME read|write: total IOPS over all jobs, rounded.
fio_iops() {
	jq -r --arg d "$2" '[.jobs[][$d].iops] | add | round' "$(_efs_fio_json "$1")"
}

# fio_errors FILE|NAME: I/O and verify errors over all jobs (empty if fio
# left no result).
fio_errors() {
	jq '[.jobs[].error] | add' "$(_efs_fio_json "$1")" 2>/dev/null
}

# fio_bw_bytes FILE|NAME read|write: total bandwidth in bytes/s.
fio_bw_bytes() {
	jq -r --arg d "$2" '[.jobs[][$d].bw_bytes] | add | round' "$(_efs_fio_json "$1")"
}

# _efs_fio_pids NAME [jobs|parent]: pids of run_fio NAME's job processes
# (children of a fio of the same name), or of its parent process.
_efs_fio_pids() {
	local name=$1 which=${2:-jobs} p pp comm
	for p in $(pgrep -f -- "--name=$name( |\$)"); do
		# fio's own processes (not timeout, which EFS_FIO_BOUND puts in
		# front); shell builtins only: an exec costs a loaded TCG guest
		# up to a second, and fio_wait_running asks twice a second.
		read -r comm 2>/dev/null <"/proc/$p/comm" && [ "$comm" = fio ] || continue
		read -r _ _ _ pp _ 2>/dev/null <"/proc/$p/stat" || continue
		comm=
		read -r comm 2>/dev/null <"/proc/$pp/comm"
		if [ "$comm" = fio ]; then
			[ "$which" = jobs ] && echo "$p"
		else
			[ "$which" = parent ] && echo "$p"
		fi
	done
}

# fio_wait_running NAME JOBS [SECONDS]: wait until JOBS jobs of run_fio
# NAME (processes, or threads with --thread) have read or written data.
# Starting 16 jobs takes a TCG guest seconds of CPU, which is not the
# steady load a measurement beside it wants.
fio_wait_running() {
	local name=$1 jobs=$2 end=$((SECONDS + ${3:-60})) n t r k v parent
	while [ $SECONDS -lt $end ]; do
		parent=$(_efs_fio_pids "$name" parent)
		n=0
		for t in /proc/$parent/task/* $(_efs_fio_pids "$name" | sed 's|.*|/proc/&/task/*|'); do
			[ "$t" = "/proc/$parent/task/$parent" ] && continue	# fio's own
			r=0
			while read -r k v; do
				case $k in rchar: | wchar:) r=$((r + v)) ;; esac
			done 2>/dev/null <"$t/io"
			[ "$r" -gt 0 ] && n=$((n + 1))
		done
		[ "$n" -ge "$jobs" ] && return 0
		sleep 0.5
	done
	log "fio_wait_running: $name has $n of $jobs jobs running after ${3:-60}s" >&2
	return 1
}

# fio_stop NAME: end a time_based run_fio NAME early (SIGINT to its
# parent, which still writes its results) and wait for it to go.
fio_stop() {
	local name=$1 i
	mkdir -p "$EFS_STATE" && touch "$EFS_STATE/$name.stopped"
	# shellcheck disable=SC2046 # one pid a word
	kill -INT $(_efs_fio_pids "$name" parent) 2>/dev/null
	for ((i = 0; i < 60; i++)); do
		[ -z "$(pgrep -f -- "--name=$name( |\$)")" ] && break
		sleep 0.5
	done
	# fio puts "fio: terminating on signal 2" ahead of the JSON.
	sed -i -n '/^{/,$p' "$EFS_OUT/$name.json"
}

# --- several clients under load -------------------------------------------

# client_load CLIENT NAME MOUNTPOINT JOBS SECONDS [FIO OPTIONS...]: 4 KiB
# random reads of MOUNTPOINT/data by JOBS fio jobs from client namespace
# CLIENT (results: run_fio NAME). Extra options override the defaults.
client_load() {
	local c=$1 name=$2 mnt=$3 jobs=$4 secs=$5
	shift 5
	in_client "$c" run_fio "$name" --filename="$mnt/data" --rw=randread \
		--bs=4k --direct=1 --ioengine=psync --numjobs="$jobs" \
		--group_reporting --time_based --runtime="$secs" "$@"
}

# storm_start CLIENT NAME MOUNTPOINT JOBS [FIO OPTIONS...]: client_load
# NAME in the background, its JOBS as threads, until storm_stop; returns
# once every job reads (a steady load: starting 16 jobs takes a TCG
# guest seconds of CPU, which a measurement beside it must not see).
declare -gA _efs_storm_pid=()
storm_start() {
	local c=$1 name=$2 mnt=$3 jobs=$4
	shift 4
	client_load "$c" "$name" "$mnt" "$jobs" 600 --thread "$@" &
	_efs_storm_pid[$name]=$!
	fio_wait_running "$name" "$jobs"
}

# storm_stop NAME...: end those storms; fails if fio of one failed.
storm_stop() {
	local name ok=0
	for name in "$@"; do fio_stop "$name"; done
	for name in "$@"; do
		wait "${_efs_storm_pid[$name]}" || ok=1
		unset "_efs_storm_pid[$name]"
	done
	return $ok
}

# jain_index X...: Jain's fairness index (sum x)^2 / (n * sum x^2).
jain_index() {
	printf '%s\n' "$@" | awk '{ s += $1; q += $1 * $1; n++ }
		END { if (q == 0) print 0; else printf "%.3f\n", s * s / (n * q) }'
}

# ratio A B: A / B with three decimals (0 if B is 0).
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print 0; else printf "%.3f\n", a / b }'
}

# at_least VALUE MIN: VALUE >= MIN (fractions allowed).
at_least() {
	awk -v v="$1" -v m="$2" 'BEGIN { exit !(v >= m) }'
}

# max_of VALUE...: the largest (fractions allowed).
max_of() {
	printf '%s\n' "$@" | awk 'NR == 1 || $1 > m { m = $1 } END { print m }'
}

# waiting_peak_restart: start server show's WaitingThreadsPeak over, from
# the threads waiting now (call it while nothing waits, before a
# measurement). The module keeps the peak since the bound in force last
# changed (module/budget.c): so the bound is moved one up, read (which
# makes the module follow it) and put back, which starts a new peak.
waiting_peak_restart() {
	local s cfg bound
	s=$($EFS_CTL server show --json)
	cfg=$(jq -r .MaxWaitingThreadsConfigured <<<"$s")
	bound=$(jq -r .MaxWaitingThreads <<<"$s")
	$EFS_CTL server set --max-waiting-threads $((bound + 1)) &&
		$EFS_CTL server show --json >/dev/null &&
		$EFS_CTL server set --max-waiting-threads "$cfg"
}

# check_waiting_budget: efs let nfsd threads wait during the measurement,
# and never more at once than the server-wide bound (server show's
# WaitingThreadsPeak, kept by the module, against MaxWaitingThreads). The
# measurement starts with waiting_peak_restart: without it the peak is the
# most since the bound last changed, and after the first measurement ">= 1"
# would hold whatever the next one did. One read after a measurement:
# sampling WaitingThreads during it (an efsctl and a jq twice a second)
# took a TCG guest's CPU from the very export being measured. Sets
# WAITING_PEAK and WAITING_BOUND.
check_waiting_budget() {
	local s
	s=$($EFS_CTL server show --json)
	WAITING_PEAK=$(jq -r .WaitingThreadsPeak <<<"$s")
	WAITING_BOUND=$(jq -r .MaxWaitingThreads <<<"$s")
	check "efs let threads wait ($WAITING_PEAK at most), within the server budget ($WAITING_BOUND)" \
		test "$WAITING_PEAK" -ge 1 -a "$WAITING_PEAK" -le "$WAITING_BOUND"
}

# client_ops_snapshot FS FILE: "timestamp_ns" then "address operations"
# lines of filesystem FS's clients, from efs's own counters (fio processes
# start seconds apart under TCG: counters over a window all of them share
# are what a fairness figure needs).
client_ops_snapshot() {
	{
		date +%s%N
		$EFS_CTL fs clients "$1" --json | jq -r '.Clients[] | "\(.Address) \(.Operations)"'
	} >"$2"
}

# client_rates A B: "address ops/s" per client between two snapshots.
client_rates() {
	awk 'FNR == 1 { t[FILENAME == ARGV[1]] = $1; next }
	     FILENAME == ARGV[1] { a[$1] = $2; next }
	     { b[$1] = $2 }
	     END { dt = (t[0] - t[1]) / 1e9
		   for (k in b) printf "%s %.1f\n", k, (b[k] - a[k]) / dt }' "$1" "$2" | sort
}

# delay_mark FS: "DelayReplies timestamp" of filesystem FS now, for
# delay_rate.
delay_mark() {
	printf '%s %s\n' "$($EFS_CTL fs stats "$1" --json | jq -r .DelayReplies)" \
		"$(date +%s.%N)"
}

# delay_rate FS MARK: FS's DELAY replies a second since delay_mark's MARK.
delay_rate() {
	awk -v a="$2" -v b="$(delay_mark "$1")" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		printf "%.1f", (y[1] - x[1]) / (y[2] - x[2]) }'
}

# cpu_mark: "busy total" jiffies of this guest's CPUs now, for cpu_busy.
cpu_mark() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat
}

# cpu_busy MARK: the percentage of this guest's CPU time busy since MARK.
cpu_busy() {
	awk -v a="$1" -v b="$(cpu_mark)" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2] + (y[2] == x[2])) }'
}

# busy_during CMD...: run CMD; BUSY_SERVER is how busy this guest was
# meanwhile (%), BUSY_PEER the peer guest (empty without one). Returns
# CMD's status.
busy_during() {
	local cpu pcpu='' rc
	cpu=$(cpu_mark)
	peer_present && pcpu=$(peer_run cpu_mark)
	"$@"
	rc=$?
	# shellcheck disable=SC2034 # read by the caller
	BUSY_SERVER=$(cpu_busy "$cpu") BUSY_PEER=''
	# shellcheck disable=SC2034
	[ -n "$pcpu" ] && BUSY_PEER=$(peer_run cpu_busy "$pcpu")
	return $rc
}

# --- a peer guest (tests/vm/pair.sh) -----------------------------------------
# shellcheck source=peer.lib.sh
. "$EFS_REPO/tests/vm/peer.lib.sh"
