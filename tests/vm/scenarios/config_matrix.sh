#!/bin/bash
# efs-vm: timeout=1800
# efs-vm: needs-module
#
# The configuration matrix (issue 29 item 3, issue 27 section 1): the
# settings a user can combine, each run at a limit below the mode's default
# that a TCG guest reaches, and each measured against its arithmetic.
#
#   config_matrix.sh            run every combination (in the VM)
#   config_matrix.sh ID...      only these (r01 x1 copy ...)
#   config_matrix.sh --list     print the combinations and check that the
#                               array covers every pair; no VM needed
#
# Factors: performance mode (generalPurpose, maxIO) x throughput mode
# (bursting with its credits, bursting at baseline: --metered-size S
# --burst-credit-balance 0, provisioned, elastic) x per-client ceiling
# (none, IOPS, bytes) x NFS version (3, 4.0, 4.1, 4.2) x request size
# (4 KiB, the mount's wsize: 512 KiB, nfsd's max_block_size is set to it)
# x operation (reads, writes, metadata) x fio jobs (1, 4). The full
# product is 2,304 runs; the 16 rows r01-r16 below are a fixed covering
# array: every pair of levels of any two factors is in some row (--list
# checks it), except the request size beside metadata, which has none.
#
# Each data row runs fio (psync, direct, random) for RAMP + SECS seconds
# and asserts its IOPS over the last 3 seconds (6 for 512 KiB requests; a
# bucket's initial burst spent) within +-10% of the arithmetic: min over
# the budgets in force of budget / cost, where a read costs 1 unit and
# max(bytes / 3, 4 KiB) metered bytes, a write --write-op-weight units
# (5) and max(bytes, 4 KiB), as module/meter.c and efsctl(8) say; the
# byte budget is the baseline (50 KiB/s per GiB of S, at least 1 MiB/s)
# at zero credits, the provisioned rate, nothing for elastic or bursting
# with credits (100 MiB/s: more than the guest moves). One budget is set
# to bind and the others to 2x or more of what the row uses. The limits
# are at most about half of what a TCG guest on this host did
# unthrottled at host load 10 (4 KiB reads 95 IOPS with 1 job and 175
# with 4, 4 KiB writes ~35 and ~80, 512 KiB writes 19 with 4 jobs, the
# metadata worker ~150 units/s with 4): a row near the guest's own speed
# measures the guest (each line quotes what it did unthrottled). x1-x4
# are the issue's numbers: 100 IOPS from one job is out of a loaded
# guest's reach (g1 and g2 then fail too, and say so). Metadata rows
# (create, stat, unlink from Python) assert the binding budget's use from
# efs's counters (IoUnits a second against an IOPS limit,
# MeteredIOBytes a second against a byte budget) within +-10% of 1. Every
# row: 0 I/O errors, and fio (or the worker) finishes within RAMP + SECS
# + 30 s (a hard mount retrying a refused request forever is the failure
# this guards).
#
# Fixed cases beside the array (the issues' tables):
#   x1-x4  maxIO at its limit (issue 27): --iops-limit 100, 4 KiB reads,
#          1 and 4 jobs -> 100; 4 jobs of writes at --iops-limit 300,
#          weight 5 -> 60; --per-client-iops-limit 80 -> 80; each +-5%
#          (EFS_CM_STRICT=1, make check-matrix) or -15%..+5% (make check);
#          g1, g2: x1 and x2 on generalPurpose, the table's other column;
#   big1   4 x 512 KiB direct writes under --per-client-throughput-in-mibps
#          0.2: ~10 s ((2 MiB - the 256 KiB burst) / rate .. 2 MiB / rate,
#          +-10%);
#   big2   8 x 512 KiB under provisioned 1 MiB/s, --max-wait-ms 200: ~4 s;
#   copy   NFSv4.2 copy_file_range of 32 MiB under provisioned 2 MiB/s:
#          >= 16 s, MeteredIOBytes grows by the read and the write of 32
#          MiB would be metered (32 MiB / 3 + 32 MiB, +-10%), the time is
#          that / 2 MiB/s (+-10%), the copy is identical;
#   base   bursting at baseline (--metered-size 1GiB --burst-credit-balance
#          0: 1 MiB/s): a 1-job 4 KiB random reader on one client beside an
#          8-job 256 KiB direct writer on another keeps >= 0.8 of its fair
#          half (128 IOPS, or of what it reads alone if that is less), and
#          the two are metered at 1 MiB/s +-10%;
#   jukebox NFSv3 and NFSv4.0 past the waiting bounds (--max-waiters 1
#          --max-wait-ms 50) on maxIO at baseline: JUKEBOX/DELAY replies,
#          fio sees no error, the rate stays within the budget;
#   locks  while the filesystem is throttled (50 units/s, 4 readers),
#          flock(2) and fcntl locks over NFSv3 (NLM, lockd) and NFSv4.0,
#          4.1, 4.2 (LOCK) succeed, within 6 s of what they take with
#          nothing throttled (one JUKEBOX retry; lockd's opens are not
#          charged, as a JUKEBOX there is a dropped NLM reply that costs
#          the client's 10 s retransmission).
# One line per combination: "ok ID ..." or "FAIL ID ..." with what was
# measured and what was expected; the exit status is 1 if any failed.

RAMP=2		# s of each fio run before it measures (fio --ramp_time)
SECS=5		# s measured
MiB=1048576

# The covering array. Columns: id, performance mode, throughput mode,
# per-client ceiling, NFS version, request size, operation, jobs, then
# the fs add options (the limits). "-" as the size: metadata.
ROWS='
r01 maxIO          baseline    none  3   4k    write 4 --performance-mode maxIO --iops-limit 300 --metered-size 1GiB --burst-credit-balance 0
r02 generalPurpose elastic     iops  4.0 wsize read  1 --iops-limit 2000 --throughput-mode elastic --per-client-iops-limit 12
r03 maxIO          provisioned bytes 4.1 wsize read  4 --performance-mode maxIO --iops-limit 2000 --throughput-mode provisioned --provisioned-throughput-in-mibps 8 --per-client-throughput-in-mibps 3
r04 generalPurpose bursting    bytes 4.2 4k    write 1 --iops-limit 2000 --per-client-throughput-in-mibps 0.1
r05 generalPurpose provisioned none  3   -     meta  1 --iops-limit 30 --throughput-mode provisioned --provisioned-throughput-in-mibps 2
r06 maxIO          elastic     iops  4.2 -     meta  4 --performance-mode maxIO --iops-limit 2000 --throughput-mode elastic --per-client-iops-limit 80
r07 generalPurpose baseline    iops  4.1 wsize write 4 --iops-limit 2000 --metered-size 200GiB --burst-credit-balance 0 --per-client-iops-limit 40
r08 maxIO          bursting    none  4.0 4k    read  1 --performance-mode maxIO --iops-limit 40
r09 generalPurpose baseline    bytes 4.0 -     meta  4 --iops-limit 2000 --metered-size 1GiB --burst-credit-balance 0 --per-client-throughput-in-mibps 0.12
r10 generalPurpose bursting    iops  3   wsize read  4 --iops-limit 2000 --per-client-iops-limit 12
r11 maxIO          elastic     none  4.1 4k    write 1 --performance-mode maxIO --iops-limit 125 --throughput-mode elastic
r12 maxIO          provisioned iops  4.0 4k    write 4 --performance-mode maxIO --iops-limit 2000 --throughput-mode provisioned --provisioned-throughput-in-mibps 2 --per-client-iops-limit 300
r13 generalPurpose baseline    none  4.2 wsize read  1 --iops-limit 2000 --metered-size 40GiB --burst-credit-balance 0
r14 maxIO          elastic     bytes 3   4k    write 1 --performance-mode maxIO --iops-limit 2000 --throughput-mode elastic --per-client-throughput-in-mibps 0.1
r15 generalPurpose bursting    none  4.1 -     meta  4 --iops-limit 80
r16 generalPurpose provisioned none  4.2 wsize write 1 --iops-limit 2000 --throughput-mode provisioned --provisioned-throughput-in-mibps 1.5
'
# EFS_CM_ROWS: rows of one's own in these columns instead (a diagnosis
# aid: the same row with one factor changed, say); name them, and any
# fixed case wanted, as arguments.
ROWS=${EFS_CM_ROWS:-$ROWS}
# The fixed cases, in the same columns (x: fio, as the rows; the others
# have their own procedure below).
FIXED='
x1  maxIO          bursting    none  4.2 4k    read  1 --performance-mode maxIO --iops-limit 100
x2  maxIO          bursting    none  4.2 4k    read  4 --performance-mode maxIO --iops-limit 100
x3  maxIO          bursting    none  4.2 4k    write 4 --performance-mode maxIO --iops-limit 300
x4  maxIO          bursting    iops  4.2 4k    read  4 --performance-mode maxIO --per-client-iops-limit 80
g1  generalPurpose bursting    none  4.2 4k    read  1 --performance-mode generalPurpose --iops-limit 100
g2  generalPurpose bursting    none  4.2 4k    read  4 --performance-mode generalPurpose --iops-limit 100
big1 generalPurpose bursting   bytes 4.2 512k  write 1 --per-client-throughput-in-mibps 0.2
big2 generalPurpose provisioned none 4.2 512k  write 1 --throughput-mode provisioned --provisioned-throughput-in-mibps 1 --max-wait-ms 200
copy generalPurpose provisioned none 4.2 copy  copy  1 --throughput-mode provisioned --provisioned-throughput-in-mibps 2
base generalPurpose baseline   none  4.2 mixed mixed 9 --metered-size 1GiB --burst-credit-balance 0
jukebox maxIO      baseline    none  3+4.0 64k write 4 --performance-mode maxIO --iops-limit 2000 --metered-size 1GiB --burst-credit-balance 0 --max-waiters 1 --max-wait-ms 50
locks generalPurpose bursting  none  all 4k    lock  4 --iops-limit 50
'

# cm_budgets OPTIONS...: "L W R B CI CB" for a filesystem added with these
# fs add options: the ops budget (units/s), the write weight, the read
# metering ratio, the byte budget (B/s), the per-client ceilings (units/s,
# B/s); 0 = none. efsctl(8) and module/credit.c: baseline = 50 B/s per MiB
# of S, at least 1 MiB/s; burst = 100 B/s per MiB, at least 100 MiB/s;
# provisioned permits max(rate, baseline); auto S is taken as small.
cm_budgets() {
	awk -v opts="$*" -v MiB=$MiB '
	function bytes(s,  n, u, m) {
		n = s + 0; u = s; sub(/^[0-9.]+/, "", u); m = 1
		if (u ~ /^K/) m = 1024; else if (u ~ /^M/) m = MiB
		else if (u ~ /^G/) m = MiB * 1024; else if (u ~ /^T/) m = MiB * MiB
		return n * m
	}
	BEGIN {
		n = split(opts, a, " ")
		perf = "generalPurpose"; L = 0; W = 5; R = 3; tp = "bursting"; P = 0
		S = -1; cred = -1; ci = 0; cb = "default"
		for (i = 1; i < n; i += 2) {
			k = a[i]; v = a[i + 1]
			if (k == "--performance-mode") perf = v
			else if (k == "--iops-limit") L = v
			else if (k == "--write-op-weight") W = v
			else if (k == "--read-metering-ratio") R = v
			else if (k == "--throughput-mode") tp = v
			else if (k == "--provisioned-throughput-in-mibps") P = v * MiB
			else if (k == "--metered-size") S = (v == "auto" ? -1 : bytes(v))
			else if (k == "--burst-credit-balance") cred = bytes(v)
			else if (k == "--per-client-iops-limit") ci = v
			else if (k == "--per-client-throughput-in-mibps") cb = v
		}
		if (L == 0) L = (perf == "maxIO" ? 500000 : 35000)
		base = S < 0 ? MiB : int(S / MiB) * 50; if (base < MiB) base = MiB
		burst = S < 0 ? 100 * MiB : int(S / MiB) * 100; if (burst < 100 * MiB) burst = 100 * MiB
		if (tp == "bursting") B = (cred == 0 ? base : burst)
		else if (tp == "provisioned") B = (P > base ? P : base)
		else B = 0
		if (cb == "default") cb = (tp == "elastic" ? 1500 : 500)
		printf "%d %d %d %d %d %d\n", L, W, R, B, ci, cb * MiB
	}'
}

# cm_expect OP BS OPTIONS...: the IOPS the arithmetic allows data
# operations OP (read|write) of BS bytes under these options.
cm_expect() {
	local op=$1 bs=$2
	shift 2
	read -r L W R B CI CB <<<"$(cm_budgets "$@")"
	awk -v op="$op" -v bs="$bs" -v L="$L" -v W="$W" -v R="$R" -v B="$B" -v ci="$CI" -v cb="$CB" '
	function lo(x) { if (x > 0 && (best == "" || x < best)) best = x }
	BEGIN {
		u = (op == "write" ? W : 1)
		m = (op == "read" ? int(bs / R) : bs); if (m < 4096) m = 4096
		best = ""
		lo(L / u); if (ci) lo(ci / u); if (B) lo(B / m); if (cb) lo(cb / m)
		printf "%.1f\n", best
	}'
}

# cm_use UNITS_S METERED_S OPTIONS...: "use budget" - the largest share
# of a budget in force that this rate of units and metered bytes uses,
# and which budget that is.
cm_use() {
	local units=$1 met=$2
	shift 2
	read -r L W R B CI CB <<<"$(cm_budgets "$@")"
	awk -v u="$units" -v m="$met" -v L="$L" -v B="$B" -v ci="$CI" -v cb="$CB" '
	function use(x, lim, what) { if (lim > 0 && x / lim > best) { best = x / lim; name = what " " lim } }
	BEGIN {
		best = -1
		use(u, L, "iops-limit"); use(u, ci, "per-client-iops")
		use(m, B, "throughput-B/s"); use(m, cb, "per-client-B/s")
		printf "%.3f %s\n", best, name
	}'
}

# cm_list: the rows and fixed cases with their expectations (wsize taken
# as 512 KiB), then the pairwise coverage of the rows; 1 if a pair is
# missing.
cm_list() {
	local id p t c v s o j opts bs exp
	printf '%-7s %-14s %-11s %-5s %-5s %-5s %-5s %-4s %-14s %s\n' \
		id perf throughput ceil nfs size op jobs expected options
	while read -r id p t c v s o j opts; do
		[ -n "$id" ] || continue
		case $s in 4k) bs=4096 ;; *) bs=524288 ;; esac
		# shellcheck disable=SC2086 # one option a word
		case $id:$o in r*:read | r*:write | x* | g*) exp="$(cm_expect "$o" "$bs" $opts) IOPS" ;;
		*:meta) exp="use 1.00" ;; *) exp="(header)" ;; esac
		printf '%-7s %-14s %-11s %-5s %-5s %-5s %-5s %-4s %-14s %s\n' \
			"$id" "$p" "$t" "$c" "$v" "$s" "$o" "$j" "$exp" "$opts"
	done <<<"$ROWS$FIXED"
	# Every pair of levels of two factors in some row (size x metadata
	# excepted: metadata has no request size).
	awk 'BEGIN {
		lv[1] = "maxIO generalPurpose"; lv[2] = "bursting baseline provisioned elastic"
		lv[3] = "none iops bytes"; lv[4] = "3 4.0 4.1 4.2"; lv[5] = "4k wsize"
		lv[6] = "read write meta"; lv[7] = "1 4"
		nf = 7; need = 0
		for (i = 1; i < nf; i++) for (j = i + 1; j <= nf; j++) {
			na = split(lv[i], A, " "); nb = split(lv[j], Bv, " ")
			for (x = 1; x <= na; x++) for (y = 1; y <= nb; y++) {
				if (i == 5 && j == 6 && Bv[y] == "meta") continue
				want[i "," A[x] "," j "," Bv[y]] = 1; need++
			}
		}
	}
	NF >= 8 && $1 ~ /^r[0-9]+$/ {
		for (i = 1; i < 7; i++) for (j = i + 1; j <= 7; j++)
			if (!((i == 5 || j == 5) && $7 == "meta"))
				got[i "," $(i + 1) "," j "," $(j + 1)] = 1
	}
	END {
		miss = 0
		for (k in want) if (!(k in got)) { print "missing pair: " k; miss++ }
		printf "pairwise: %d of %d pairs of levels covered by %d rows\n", need - miss, need, NR
		exit miss > 0
	}' <<<"$(grep -E '^r[0-9]+ ' <<<"$ROWS")"
}

if [ "${1:-}" = --list ]; then
	cm_list
	exit
fi

# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0	# set by lib.sh's check
ONLY=" $* "
want_case() { [ "$ONLY" = "  " ] || [[ $ONLY == *" $1 "* ]]; }
failed=() ran=0
# verdict ID OK TEXT: one line for the combination, ok or FAIL.
verdict() {
	ran=$((ran + 1))
	if [ "$2" = 0 ]; then
		log "ok $1: $3"
	else
		log "FAIL $1: $3" >&2
		failed+=("$1")
	fi
}

# Every fio run is bounded: a request refused on every retry keeps a hard
# mount's fio waiting forever (run_fio: SIGINT, then SIGKILL).
export EFS_FIO_BOUND=$((RAMP + SECS + 30))

# nfsd's largest request: 512 KiB (what a 3 GiB guest's nfsd picks by
# itself); set before nfsd starts, so every mount negotiates it.
modprobe nfsd || fail "modprobe nfsd"
mkdir -p /proc/fs/nfsd
grep -q ' /proc/fs/nfsd ' /proc/mounts || mount -t nfsd nfsd /proc/fs/nfsd || fail "mount nfsd"
echo 524288 >/proc/fs/nfsd/max_block_size || log "note: max_block_size not set"
nfsd_start 8 || fail "nfsd_start"
export_tmpfs mx 512M || fail "export"
dd if=/dev/urandom of=/srv/mx/data bs=1M count=32 status=none || fail "dd data"
truncate -s 64M /srv/mx/w || fail "truncate w"
dd if=/dev/urandom of=/srv/mx/src bs=1M count=32 status=none || fail "dd src"
: >/srv/mx/lk
for v in 3 4.0 4.1 4.2; do mkdir -p "/srv/mx/meta$v"; done
efs_load || fail "efs_load"
for v in 3 4.0 4.1 4.2; do
	nfs_mount mx "/mnt/v$v" "$v" || fail "mount v$v"
done
wsize_of() { sed -n "s|.* $1 nfs[4]* .*[,]wsize=\([0-9]*\).*|\1|p" /proc/mounts; }
log "wsize: v3 $(wsize_of /mnt/v3), v4.2 $(wsize_of /mnt/v4.2) (nfsd max_block_size $(cat /proc/fs/nfsd/max_block_size))"

# fresh OPTIONS...: filesystem mx anew with these options (fs add: the
# options not given take their defaults; credits, buckets and clients
# start over).
fresh() {
	$EFS_CTL fs del mx 2>/dev/null
	$EFS_CTL fs add mx /srv/mx "$@"
}
# snap: "IoUnits MeteredIOBytes Timestamp DelayReplies" of mx.
snap() {
	$EFS_CTL fs stats mx --json |
		jq -r '"\(.IoUnits) \(.MeteredIOBytes) \(.Timestamp) \(.DelayReplies)"'
}
# rates A B: "units/s metered-B/s" between two snaps.
rates() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		dt = (y[3] - x[3]) / 1e9; if (dt <= 0) dt = 1
		printf "%.1f %.0f\n", (y[1] - x[1]) / dt, (y[2] - x[2]) / dt }'
}
# between LO HI VALUE: LO <= VALUE <= HI (fractions allowed).
between() { awk -v l="$1" -v h="$2" -v v="$3" 'BEGIN { exit !(v >= l && v <= h) }'; }

# The metadata worker: JOBS processes create, stat and unlink files in
# DIR. Once each has done one round it waits RAMP s, reads mx's counters,
# waits SECS s, reads them again and stops them: the counters' window is
# the load's, however long the guest took to start it. Prints
# "operations errors", then "IoUnits MeteredIOBytes Timestamp" twice.
cat >/tmp/cm-meta.py <<'PY'
import json, os, signal, subprocess, sys, time
d, jobs, ramp, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
stop = False
def on_term(sig, frame):
    global stop
    stop = True
kids = []
ready_r, ready_w = os.pipe()
for j in range(jobs):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGTERM, on_term)
        os.close(r)
        ops = errs = i = 0
        while not stop:
            p = "%s/m%d-%d" % (d, j, i % 16)
            i += 1
            try:
                os.close(os.open(p, os.O_CREAT | os.O_WRONLY, 0o644))
                os.stat(p)
                os.unlink(p)
                ops += 3
            except OSError as e:
                errs += 1
                sys.stderr.write("%s: %s\n" % (p, e))
            if i == 1:
                os.write(ready_w, b"r")
        os.write(w, b"%d %d\n" % (ops, errs))
        os._exit(0)
    os.close(w)
    kids.append((pid, r))
def snap():
    s = json.loads(subprocess.run([os.environ["EFS_CTL"], "fs", "stats", "mx", "--json"],
                                  capture_output=True, check=True).stdout)
    return "%d %d %d" % (s["IoUnits"], s["MeteredIOBytes"], s["Timestamp"])
n = 0
while n < jobs:
    n += len(os.read(ready_r, jobs))
time.sleep(ramp)
a = snap()
time.sleep(secs)
b = snap()
for pid, r in kids:
    os.kill(pid, signal.SIGTERM)
tot = [0, 0]
for pid, r in kids:
    x, y = os.read(r, 100).split()
    tot[0] += int(x)
    tot[1] += int(y)
    os.waitpid(pid, 0)
print(tot[0], tot[1])
print(a)
print(b)
PY

# counters: "IoUnits MeteredIOBytes DataReadOps DataWriteOps MetadataOps
# DelayReplies" of mx.
counters() {
	$EFS_CTL fs stats mx --json | jq -r '"\(.IoUnits) \(.MeteredIOBytes) \(.DataReadOps) \(.DataWriteOps) \(.MetadataOps) \(.DelayReplies)"'
}
# costs A B: what efs counted between two counters lines: data ops,
# metadata ops, units and metered bytes a data op, DELAY replies.
costs() {
	awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ")
		d = y[3] - x[3] + y[4] - x[4]; m = y[5] - x[5]
		printf "efs counted %d data + %d metadata ops, %.2f units and %.0f metered B a data op, %d DELAY", d, m,
			d ? (y[1] - x[1]) / d : 0, d ? (y[2] - x[2]) / d : 0, y[6] - x[6] }'
}

# unthrottled NAME JOBS RW BS: IOPS this guest does unthrottled (the
# export not claimed): a row whose rate is near it measures the guest, not
# efs. Logged, and quoted in each data row's line.
unthrottled() {
	local file=data
	[ "$3" = randwrite ] && file=w
	$EFS_CTL fs del mx 2>/dev/null
	run_fio "$1" --filename="/mnt/v4.2/$file" --rw="$3" --bs="$4" --direct=1 \
		--ioengine=psync --numjobs="$2" --thread --group_reporting --time_based \
		--ramp_time=1 --runtime=3 >/dev/null 2>&1
	awk -v b="$(fio_bw_bytes "$1" "${3#rand}")" -v s="$4" 'BEGIN { printf "%.0f", b / s }'
}
FREE1=$(unthrottled free1 1 randread 4096)
FREE4=$(unthrottled free4 4 randread 4096)
FREEW=$(unthrottled freew 4 randwrite 524288)
FREE="$FREE1/$FREE4 4k reads, $FREEW 512k writes"
log "unthrottled: 4 KiB random reads $FREE1 IOPS with 1 job, $FREE4 with 4; 512 KiB random writes $FREEW IOPS with 4"

# steady ID BS [N]: the IOPS of run_fio ID (requests of BS bytes) over the
# last N (3) seconds fio logged (its bandwidth log, a second a line, per
# job, summed): a bucket's initial burst is spent by then (a byte ceiling
# lets 256 KiB through at once, 64 requests of 4 KiB: on a slow guest that
# outlasted fio's ramp and read +14% at 0.15 MiB/s).
steady() {
	awk -v bs="$2" -v last="${3:-3}" -F', *' 'FNR == 1 { f++ } { v[f, FNR] = $2; n[f] = FNR }
		END { for (i = 1; i <= f; i++) { k = n[i] < last ? n[i] : last; s = 0
			for (j = n[i] - k + 1; j <= n[i]; j++) s += v[i, j]
			t += s / k }
		printf "%.1f", t * 1024 / bs }' "$EFS_OUT/$1"_bw.*.log 2>/dev/null
}

# row ID P T C V S O J OPTIONS...: one combination of the array.
row() {
	local id=$1 v=$5 s=$6 o=$7 j=$8 bs mnt c0 c1 st exp got use name ok=0 thr=() file=data
	local ops errs a b units met
	shift 8
	mnt=/mnt/v$v
	fresh "$@" || { verdict "$id" 1 "fs add $* refused"; return; }
	c0=$(counters)
	if [ "$o" = meta ]; then
		timeout -k 5 "$EFS_FIO_BOUND" /usr/bin/python3 /tmp/cm-meta.py "$mnt/meta$v" \
			"$j" $RAMP $SECS >"$EFS_OUT/$id.meta" 2>"$EFS_OUT/$id.err"
		st=$?
		c1=$(counters)
		if [ $st = 124 ] || [ $st = 137 ]; then
			verdict "$id" 1 "meta v$v j$j ($*): still running after ${EFS_FIO_BOUND}s (stuck); $(costs "$c0" "$c1")"
			return
		fi
		{ read -r ops errs; read -r a; read -r b; } <"$EFS_OUT/$id.meta"
		read -r units met <<<"$(awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
			dt = (y[3] - x[3]) / 1e9; if (dt <= 0) dt = 1
			printf "%.1f %.0f\n", (y[1] - x[1]) / dt, (y[2] - x[2]) / dt }')"
		read -r use name <<<"$(cm_use "$units" "$met" "$@")"
		_rate_reported "$id uses $use of $name" || between 0.90 1.10 "$use" || ok=1
		[ "$st" = 0 ] && [ "${errs:-x}" = 0 ] || ok=1
		verdict "$id" $ok "meta v$v j$j ($*): $units units/s, $met metered B/s: $use of its $name (want 1 +-10%); worker ${ops:-?} ops, ${errs:-?} errors (rc $st); $(costs "$c0" "$c1")"
		return
	fi
	bs=4096
	[ "$s" = wsize ] && bs=$(wsize_of "$mnt")
	[ "$o" = write ] && file=w
	[ "$j" -gt 1 ] && thr=(--thread)
	# At baseline: the credits that accrued while fio started are spent
	# again once all its jobs run (a slow guest takes seconds to start
	# them: credits for that long would outlast the ramp).
	local ramp=$RAMP zero=0 secs=$SECS last=3
	[[ " $* " == *" --burst-credit-balance 0 "* ]] && ramp=$((RAMP + 2)) zero=1
	# 512 KiB at a few a second: 6 s, so that one request more or less
	# is under 10%.
	[ "$s" = wsize ] && secs=$((SECS + 3)) last=6
	run_fio "$id" --filename="$mnt/$file" --rw="rand$o" --bs="$bs" --direct=1 \
		--ioengine=psync --numjobs="$j" "${thr[@]}" --group_reporting \
		--time_based --ramp_time=$ramp --runtime=$secs \
		--write_bw_log="$EFS_OUT/$id" --log_avg_msec=1000 &
	local pid=$!
	if [ $zero = 1 ]; then
		fio_wait_running "$id" "$j" 20 && $EFS_CTL fs set mx --burst-credit-balance 0
	fi
	wait $pid
	st=$?
	c1=$(counters)
	if [ $st = 124 ] || [ $st = 137 ]; then
		verdict "$id" 1 "$o ${bs}B v$v j$j: fio still running after ${EFS_FIO_BOUND}s (stuck); $(costs "$c0" "$c1")"
		return
	fi
	got=$(steady "$id" "$bs" $last)
	# fio's own figure over its whole run after the ramp, for the log
	local all
	all=$(awk -v b="$(fio_bw_bytes "$id" "$o")" -v s="$bs" 'BEGIN { printf "%.1f", b / s }')
	exp=$(cm_expect "$o" "$bs" "$@")
	errs=$(fio_errors "$id")
	_rate_reported "$id $got IOPS, want $exp +-10%" ||
		assert_within "$got" "$exp" 10 "$id IOPS" >/dev/null 2>&1 || ok=1
	[ "$st" = 0 ] && [ "${errs:-x}" = 0 ] || ok=1
	verdict "$id" $ok "$o ${bs}B v$v j$j: $got IOPS, want $exp +-10% (after the ramp $all; unthrottled $FREE); ${errs:-?} errors (rc $st); $(costs "$c0" "$c1")"
}

while read -r id p t c v s o j opts; do
	{ [ -n "$id" ] && want_case "$id"; } || continue
	# shellcheck disable=SC2086 # one option a word
	row "$id" "$p" "$t" "$c" "$v" "$s" "$o" "$j" $opts
done <<<"$ROWS"

# --- x1-x4: maxIO at its limit, +-5% (issue 27's table) -------------------
# g1, g2: the same loads on generalPurpose, its other column (a maxIO row
# that fails beside a generalPurpose one that passes is maxIO's, not the
# guest's speed).
#
# The issue's band is +-5%; one job at 100 IOPS is within 2x of a loaded
# TCG guest's own speed, and there both columns read 88-95 in turn as the
# host's load moves (2026-12-07: x1 91.1 beside g1 95.3, each second
# 83-101 in both). So make check takes -15% .. +5% (over-admission is
# the bug the top guards; maxIO's old bug read 35 of 100), and make
# check-matrix, run on a quiet host, the issue's +-5% (EFS_CM_STRICT=1).
EFS_CM_STRICT=${EFS_CM_STRICT:-}
if [ -n "$EFS_CM_STRICT" ]; then
	FIXED_LO=0.95 FIXED_HI=1.05 FIXED_BAND="+-5%"
else
	FIXED_LO=0.85 FIXED_HI=1.05 FIXED_BAND="-15%..+5%"
fi
fixed_rate() { # ID OP JOBS EXPECTED OPTIONS...
	local id=$1 o=$2 j=$3 exp=$4 got errs st c0 c1 ok=0 thr=() file=data free
	shift 4
	want_case "$id" || return
	# What the guest does with this load unthrottled, quoted in the line
	# (it explains a low reading; the band does not depend on it). Under
	# EFS_CM_STRICT the same load just before (a loaded host's guest
	# slows down by 2x within minutes, and 100 IOPS from one job is near
	# its own speed); make check quotes the scenario's own reads at its
	# start and measures only the writes' (8 s a case saved).
	case $EFS_CM_STRICT:$o:$j in
	:read:1) free="$FREE1 at the scenario's start" ;;
	:read:4) free="$FREE4 at the scenario's start" ;;
	*) free="$(unthrottled "$id-free" "$j" "rand$o" 4096) just before" ;;
	esac
	fresh "$@" || { verdict "$id" 1 "fs add $* refused"; return; }
	[ "$j" -gt 1 ] && thr=(--thread)
	[ "$o" = write ] && file=w
	c0=$(counters)
	run_fio "$id" --filename="/mnt/v4.2/$file" --rw="rand$o" --bs=4k --direct=1 \
		--ioengine=psync --numjobs="$j" "${thr[@]}" --group_reporting \
		--time_based --ramp_time=$RAMP --runtime=$((SECS + 1)) \
		--write_bw_log="$EFS_OUT/$id" --log_avg_msec=1000
	st=$?
	c1=$(counters)
	got=$(steady "$id" 4096)
	errs=$(fio_errors "$id")
	_rate_reported "$id $got IOPS, want $exp $FIXED_BAND" ||
		awk -v g="$got" -v e="$exp" -v lo="$FIXED_LO" -v hi="$FIXED_HI" \
			'BEGIN { exit !(g >= e * lo && g <= e * hi) }' || ok=1
	[ "$st" = 0 ] && [ "${errs:-x}" = 0 ] || ok=1
	verdict "$id" $ok "$o 4k v4.2 j$j ($*): $got IOPS, want $exp $FIXED_BAND (the same load unthrottled: $free); ${errs:-?} errors (rc $st); $(costs "$c0" "$c1")"
}
fixed_rate x1 read 1 100 --performance-mode maxIO --iops-limit 100
fixed_rate g1 read 1 100 --performance-mode generalPurpose --iops-limit 100
fixed_rate x2 read 4 100 --performance-mode maxIO --iops-limit 100
fixed_rate g2 read 4 100 --performance-mode generalPurpose --iops-limit 100
fixed_rate x3 write 4 60 --performance-mode maxIO --iops-limit 300
fixed_rate x4 read 4 80 --performance-mode maxIO --per-client-iops-limit 80

# --- big1, big2: requests larger than the byte burst (issue 29) -----------
# big ID COUNT RATE_B/S OPTIONS...: COUNT direct writes of 512 KiB with dd
# take (COUNT x 512 KiB - the 256 KiB burst) / RATE .. COUNT x 512 KiB /
# RATE, +-10%.
big() {
	local id=$1 n=$2 rate=$3 t lo hi rc ok=0
	shift 3
	want_case "$id" || return
	fresh "$@" || { verdict "$id" 1 "fs add $* refused"; return; }
	timeout -k 5 40 dd if=/dev/zero of="/mnt/v4.2/$id" bs=512K count="$n" oflag=direct \
		2>"$EFS_OUT/$id.dd"
	rc=$?
	t=$(sed -n 's/.* copied, \([0-9.]*\) s,.*/\1/p' "$EFS_OUT/$id.dd")
	lo=$(awk -v n="$n" -v r="$rate" 'BEGIN { printf "%.2f", (n * 524288 - 262144) / r * 0.9 }')
	hi=$(awk -v n="$n" -v r="$rate" 'BEGIN { printf "%.2f", n * 524288 / r * 1.1 }')
	if [ "$rc" != 0 ]; then
		verdict "$id" 1 "$n x 512 KiB ($*): dd did not finish in 40 s (rc $rc; DelayReplies $($EFS_CTL fs stats mx --json | jq -r .DelayReplies))"
		return
	fi
	_rate_reported "$id ${t}s, want $lo..$hi" || between "$lo" "$hi" "$t" || ok=1
	verdict "$id" $ok "$n x 512 KiB direct writes v4.2 ($*): ${t}s, want $lo..$hi s"
}
big big1 4 $((MiB / 5)) --per-client-throughput-in-mibps 0.2
big big2 8 $MiB --throughput-mode provisioned --provisioned-throughput-in-mibps 1 --max-wait-ms 200

# --- copy: NFSv4.2 server-side copy is charged and paced ------------------
if want_case copy; then
	fresh --throughput-mode provisioned --provisioned-throughput-in-mibps 2 || fail "fs add copy"
	rm -f /srv/mx/dst
	m0=$($EFS_CTL fs stats mx --json | jq -r .MeteredIOBytes)
	t=$(timeout -k 5 90 /usr/bin/python3 -c '
import os, sys, time
fi = os.open("/mnt/v4.2/src", os.O_RDONLY)
fo = os.open("/mnt/v4.2/dst", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
n = os.fstat(fi).st_size
t0 = time.monotonic()
left = n
while left:
    c = os.copy_file_range(fi, fo, left)
    if c <= 0:
        sys.exit("copy_file_range returned %d" % c)
    left -= c
os.close(fo)
print("%.2f" % (time.monotonic() - t0))' 2>"$EFS_OUT/copy.err")
	st=$?
	m1=$($EFS_CTL fs stats mx --json | jq -r .MeteredIOBytes)
	want=$((32 * MiB / 3 + 32 * MiB))
	got=$((m1 - m0))
	ok=0
	if [ $st != 0 ]; then
		ok=1
		msg="copy_file_range failed or did not finish in 90 s (rc $st: $(head -c 200 "$EFS_OUT/copy.err"))"
	else
		paced=$(awk -v m="$got" 'BEGIN { printf "%.1f", m / 2097152 }')
		at_least "$t" 16 || ok=1
		assert_within "$got" "$want" 10 "copy metered" >/dev/null 2>&1 || ok=1
		_rate_reported "copy ${t}s, want ${paced}s +-10%" ||
			assert_within "$t" "$paced" 10 "copy time" >/dev/null 2>&1 || ok=1
		cmp -s /srv/mx/src /srv/mx/dst || { ok=1; log "copy: dst differs from src" >&2; }
		msg="32 MiB copy_file_range v4.2 at provisioned 2 MiB/s: ${t}s (want >= 16 s and metered/rate = ${paced}s +-10%); MeteredIOBytes +$got, want +$want +-10%"
	fi
	verdict copy $ok "$msg"
fi

# --- base: sharing the baseline between two clients -------------------------
if want_case base; then
	netns_client c1 10.99.0.41 || fail "client c1"
	netns_client c2 10.99.0.42 || fail "client c2"
	in_client c1 nfs_mount mx /mnt/e1 4.2 || fail "mount c1"
	in_client c2 nfs_mount mx /mnt/e2 4.2 || fail "mount c2"
	BASE_SECS=8
	fresh --metered-size 1GiB --burst-credit-balance 0 || fail "fs add base"
	client_load c1 base-alone /mnt/e1 1 $BASE_SECS --ramp_time=$RAMP \
		--write_bw_log="$EFS_OUT/base-alone" --log_avg_msec=1000
	alone=$(steady base-alone 4096)
	fresh --metered-size 1GiB --burst-credit-balance 0 || fail "fs add base"
	# The writer runs until stopped. Once its 8 jobs all write, the
	# credits that accrued meanwhile are spent again, and from then on
	# the filesystem moves its baseline whoever asks (the writer always
	# does): efs's counters from there to the reader's end.
	EFS_FIO_BOUND=150 client_load c2 base-writer /mnt/e2 8 120 --thread \
		--filename=/mnt/e2/w --rw=randwrite --bs=256k &
	wpid=$!
	fio_wait_running base-writer 8 30
	$EFS_CTL fs set mx --burst-credit-balance 0
	a=$(snap)
	EFS_FIO_BOUND=60 client_load c1 base-reader /mnt/e1 1 $BASE_SECS --ramp_time=$RAMP \
		--write_bw_log="$EFS_OUT/base-reader" --log_avg_msec=1000
	rrc=$?
	b=$(snap)
	fio_stop base-writer
	wait $wpid
	wrc=$?
	read -r units met <<<"$(rates "$a" "$b")"
	reader=$(steady base-reader 4096)
	writer=$(fio_bw_bytes base-writer write)
	half=$((MiB / 2 / 4096))
	fair=$(awk -v a="$alone" -v h=$half 'BEGIN { print (a < h ? a : h) }')
	r=$(ratio "$reader" "$fair")
	ok=0
	_rate_reported "base reader $r of its fair half, metered $met B/s" || {
		at_least "$r" 0.80 || ok=1
		assert_within "$met" $MiB 10 "base metered" >/dev/null 2>&1 || ok=1
	}
	[ $rrc = 0 ] && [ $wrc = 0 ] && [ "$(fio_errors base-reader)" = 0 ] && [ "$(fio_errors base-writer)" = 0 ] || ok=1
	verdict base $ok "baseline 1 MiB/s: 1-job 4 KiB reader $reader IOPS = $r of min(alone $alone, half $half) (want >= 0.80) beside an 8-job 256 KiB writer ($writer B/s over its run); metered $met B/s in all (want $MiB +-10%)"
	for m in /mnt/e1 /mnt/e2; do nfs_umount $m; done
fi

# --- jukebox: past the waiting bounds, NFSv3 and NFSv4.0 --------------------
if want_case jukebox; then
	opts=(--performance-mode maxIO --iops-limit 2000 --metered-size 1GiB
		--burst-credit-balance 0 --max-waiters 1 --max-wait-ms 50)
	for v in 3 4.0; do
		fresh "${opts[@]}" || fail "fs add jukebox"
		d0=$(snap | awk '{ print $4 }')
		run_fio "jukebox$v" --filename="/mnt/v$v/w" --rw=randwrite --bs=64k --direct=1 \
			--ioengine=psync --numjobs=4 --thread --group_reporting --time_based \
			--ramp_time=$((RAMP + 2)) --runtime=$((SECS + 3)) &
		pid=$!
		fio_wait_running "jukebox$v" 4 20 && $EFS_CTL fs set mx --burst-credit-balance 0
		# what efs admitted over SECS - 1 s of fio's measured window,
		# from its own counters (a second in: the bucket's burst spent;
		# fio runs 3 s longer than that window)
		sleep $((RAMP + 1))
		s0=$(snap)
		sleep $((SECS - 1))
		s1=$(snap)
		wait $pid
		st=$?
		d1=$(snap | awk '{ print $4 }')
		metered=$(rates "$s0" "$s1" | awk '{ print $2 }')
		got=$(fio_bw_bytes "jukebox$v" write)
		errs=$(fio_errors "jukebox$v")
		ok=0
		[ "$st" = 0 ] && [ "${errs:-x}" = 0 ] || ok=1
		[ $((d1 - d0)) -gt 0 ] || ok=1
		# At most the baseline, +10% (what accrued before fio started
		# is spent in its ramp). Not at least: a JUKEBOX costs an NFSv3
		# client 5 s, so v3 runs below it by design. fio's own figure
		# counts I/Os admitted before its window that complete in it
		# (4 in flight, 64 KiB each) and is reported, not asserted.
		_rate_reported "jukebox$v metered $metered B/s, want <= $((MiB * 11 / 10))" ||
			[ "${metered:-999999999}" -le $((MiB * 11 / 10)) ] || ok=1
		verdict "jukebox-v$v" $ok "maxIO at baseline, max-waiters 1, max-wait 50 ms, 4 jobs of 64 KiB writes over v$v: $((d1 - d0)) DELAY/JUKEBOX replies (want > 0), metered $metered B/s (want <= 1 MiB/s +10%; fio saw $got B/s), ${errs:-?} errors (rc $st)"
	done
fi

# --- locks while throttled ------------------------------------------------------
if want_case locks; then
	# lock_ms: "V flock_ms fcntl_ms" a line for each NFS version: an
	# exclusive flock(2) and an fcntl lock taken and given back on
	# /mnt/vV/lk (open and close included), timed inside one Python (its
	# start costs a loaded guest seconds); 60 s in all.
	lock_ms() {
		timeout -k 5 60 /usr/bin/python3 -c '
import fcntl, os, sys, time
for v in sys.argv[1:]:
    p = "/mnt/v%s/lk" % v
    t0 = time.monotonic()
    with open(p, "r+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        fcntl.flock(f, fcntl.LOCK_UN)
    t1 = time.monotonic()
    with open(p, "r+") as f:
        fcntl.lockf(f, fcntl.LOCK_EX)
        fcntl.lockf(f, fcntl.LOCK_UN)
    t2 = time.monotonic()
    print(v, int((t1 - t0) * 1000), int((t2 - t1) * 1000), flush=True)
' 3 4.0 4.1 4.2 2>>"$EFS_OUT/locks.err"
	}
	# With nothing throttled, then throttled: a throttled lock may take
	# 6 s more (one NFSv3 JUKEBOX retry, 5 s: the 4 readers hold the
	# 4 waiting slots, so a fifth request is answered JUKEBOX), not a
	# lost reply's retransmission (lockd's is 10 s) nor forever.
	$EFS_CTL fs del mx 2>/dev/null
	lock_ms >"$EFS_OUT/locks-ref"
	fresh --iops-limit 50 || fail "fs add locks"
	EFS_FIO_BOUND=150 run_fio locks-load --filename=/mnt/v4.2/data --rw=randread --bs=4k \
		--direct=1 --ioengine=psync --numjobs=4 --thread --group_reporting --time_based --runtime=120 &
	load=$!
	fio_wait_running locks-load 4 30 || true
	lock_ms >"$EFS_OUT/locks-throttled"
	st=$?
	for v in 3 4.0 4.1 4.2; do
		f='' l='' rf='' rl=''
		read -r _ rf rl <<<"$(grep "^$v " "$EFS_OUT/locks-ref")"
		read -r _ f l <<<"$(grep "^$v " "$EFS_OUT/locks-throttled")"
		ok=0
		if [ -z "$f" ]; then
			ok=1 f="(no lock: python ended with $st)" l=
		else
			_rate_reported "locks-v$v $f/$l ms, want <= $((rf + 6000))/$((rl + 6000))" ||
				{ [ "$f" -le $((rf + 6000)) ] && [ "$l" -le $((rl + 6000)) ]; } || ok=1
		fi
		verdict "locks-v$v" $ok "throttled at 50 units/s: flock $f ms, fcntl lock $l ms; want both within 6 s more than unthrottled (${rf:-?}, ${rl:-?} ms)"
	done
	th=$($EFS_CTL fs stats mx --json | jq -r .ThrottledOperations)
	fio_stop locks-load
	wait $load
	check "the filesystem was throttled meanwhile ($th throttled)" test "${th:-0}" -gt 0
	[ -s "$EFS_OUT/locks.err" ] && log "locks: $(tail -n 3 "$EFS_OUT/locks.err")"
fi

$EFS_CTL fs stats mx
log "config_matrix: $ran combinations, ${#failed[@]} failed${failed:+: ${failed[*]}}"
[ ${#failed[@]} -eq 0 ] && [ "$rc" = 0 ]
