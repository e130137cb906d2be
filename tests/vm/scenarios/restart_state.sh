#!/bin/bash
# efs-vm: timeout=540
# efs-vm: needs-module
#
# A restart of efs.service keeps tenants' credits and counters (issue 8):
#  - efs.service's own ExecStart=/ExecReload=/ExecStop= lines (from
#    dist/efs.service.in through make install-dist) run as systemd would;
#  - efs.conf with three filesystems -> start (modprobe, restore, apply)
#    -> NFS writes spend credits -> stop (state save) -> rmmod -> start
#    (restore, apply): the same filesystems, settings (fs show --format
#    conf identical), credit balances (saved one + accrual at baseline,
#    not a full 2.1 TiB), counters continue and keep growing;
#  - a corrupt state file: restore fails and says so, start goes on,
#    filesystems start with full credits;
#  - a config with an error: reload fails naming file and line, and changes
#    nothing; a fixed config applies the change.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"
# shellcheck source=../unit.sh
. "$EFS_REPO/tests/vm/unit.sh"

rc=0
check() { # DESCRIPTION CMD...
	local what=$1
	shift
	if "$@"; then log "ok: $what"; else log "FAILED: $what"; rc=1; fi
}
json() { $EFS_CTL fs show --json; }
field() { # NAME FIELD
	json | jq -r --arg n "$1" ".FileSystems[] | select(.Name == \$n) | .$2"
}
stat_of() { # NAME FIELD
	$EFS_CTL fs stats "$1" --json | jq -r ".$2"
}

# efs.service as make install-dist writes it, with the guest's writable
# places for the config and the state.
inst=/tmp/inst
make -s -C "$EFS_REPO" install-dist DESTDIR=$inst PREFIX=/usr \
	SYSCONFDIR=/tmp/etc STATEDIR=/tmp/state UNITDIR=/lib/systemd/system ||
	fail "make install-dist"
UNIT=$inst/lib/systemd/system/efs.service
mkdir -p /tmp/etc/efs /tmp/state
# the module and efsctl come from the build tree, not from /lib and /usr
# shellcheck disable=SC2317 # run through UNIT_MAP
vm_modprobe() { [ "$1" = efs ] && efs_load; }
UNIT_MAP="/usr/sbin/efsctl=$EFS_CTL /sbin/modprobe=vm_modprobe"
log "unit: $(grep -c '^Exec' "$UNIT") Exec lines"

nfsd_start 8 || fail "nfsd_start"
modprobe nfsd
for d in a b c; do export_tmpfs $d 256M || fail "export $d"; done

CONF=/tmp/etc/efs/efs.conf
cat >$CONF <<EOC
# three tenants
[a]
path = /srv/a
metered-size = 1GiB
burst-credit-balance = 256MiB

[b]
path = /srv/b
throughput-mode = provisioned
provisioned-throughput-in-mibps = 2
read-iops-limit = 5000
write-iops-limit = 2000

[c]
path = /srv/c
performance-mode = maxIO
iops-limit = 300
EOC

unit_action "$UNIT" start || fail "first start"
t_add=$(date +%s.%N)
check "three filesystems after the first start" \
	test "$(json | jq -r '[.FileSystems[].Name] | join(" ")')" = "a b c"
check "a starts with the configured balance (+ a few seconds at baseline)" \
	test "$(field a BurstCreditBalance)" -le $(((256 + 30) << 20))
check "b starts with full credits" \
	test "$(field b BurstCreditBalance)" = "$(field b BurstCreditMax)"
check "apply again: no changes" \
	test "$($EFS_CTL apply $CONF)" = "no changes"

# Spend credits on a (bursting, S = 1 GiB: baseline 1 MiB/s) and count
# some I/O on b and c.
for d in a b c; do nfs_mount $d /mnt/$d 4.2 || fail "mount $d"; done
dd if=/dev/zero of=/mnt/a/f bs=1M count=48 oflag=direct status=none || fail "dd a"
dd if=/dev/zero of=/mnt/b/f bs=1M count=4 oflag=direct status=none || fail "dd b"
dd if=/dev/zero of=/mnt/c/f bs=64k count=16 oflag=direct status=none || fail "dd c"
ls -l /mnt/c >/dev/null

conf_before=$($EFS_CTL fs show --format conf)
snap=$(json)
t_bal=$(date +%s.%N)
get() { jq -r --arg n "$1" ".FileSystems[] | select(.Name == \$n) | .$2" <<<"$snap"; }
bal_a=$(get a BurstCreditBalance)
max_a=$(get a BurstCreditMax)
base_a=$(get a BaselineThroughput)
bal_b=$(get b BurstCreditBalance)
CTRS="DataWriteIOBytes DataWriteOps MeteredIOBytes MetadataOps IoUnits"
counters() { # NAME: "Field=value ..." of the counters in CTRS
	$EFS_CTL fs stats "$1" --json |
		jq -r '[to_entries[] | select(.key as $k | "'"$CTRS"'" | split(" ") | index($k)) | "\(.key)=\(.value)"] | join(" ")'
}
declare -A before
for d in a b c; do
	for kv in $(counters $d); do before[$d.${kv%%=*}]=${kv#*=}; done
done
log "before stop: a balance $bal_a (max $max_a, baseline $base_a B/s), a written ${before[a.DataWriteIOBytes]} B, metered ${before[a.MeteredIOBytes]}"
# without I/O a would hold 256 MiB + baseline x time since the add
idle=$(echo "(256 * 1048576) + $base_a * ($t_bal - $t_add) / 1" | bc)
log "a would hold $idle without I/O"
check "writes spent a's credits" test "$bal_a" -lt $((idle - (40 << 20)))
check "counters counted the writes" test "${before[a.DataWriteIOBytes]}" -ge $((48 << 20))

unit_action "$UNIT" stop || fail "stop"
check "stop wrote the state file" grep -qx 'efs-state 1' /tmp/state/state
for d in a b c; do nfs_umount /mnt/$d; done
efs_unload || fail "rmmod"
sleep 3

unit_action "$UNIT" start || fail "start after rmmod"
check "same filesystems after the restart" \
	test "$(json | jq -r '[.FileSystems[].Name] | join(" ")')" = "a b c"
conf_after=$($EFS_CTL fs show --format conf)
check "same settings after the restart" test "$conf_before" = "$conf_after"
check "b's read and write IOPS limits came back" \
	test "$(field b ReadIopsLimitConfigured)/$(field b WriteIopsLimit)" = 5000/2000
bal_a2=$(field a BurstCreditBalance)
# accrual at baseline for the time between the save and now, plus slack
elapsed=$(echo "$(date +%s.%N) - $t_bal + 1" | bc)
max_accrued=$(echo "$base_a * $elapsed / 1" | bc)
log "after restart: a balance $bal_a2 (saved $bal_a, at most +$max_accrued in ${elapsed}s)"
check "a's balance is the saved one, not a full 2.1 TiB" test "$bal_a2" -lt "$max_a"
check "a's balance did not drop" test "$bal_a2" -ge "$bal_a"
check "a's balance grew by at most the baseline accrual" \
	test "$bal_a2" -le $((bal_a + max_accrued))
check "b's balance is kept (full)" test "$(field b BurstCreditBalance)" = "$bal_b"
for d in a b c; do
	for kv in $(counters $d); do
		f=${kv%%=*} v=${kv#*=}
		check "$d $f continues ($v >= ${before[$d.$f]})" test "$v" -ge "${before[$d.$f]}"
		if [ "$f" = DataWriteIOBytes ]; then
			check "$d $f is exactly the saved value" test "$v" = "${before[$d.$f]}"
		fi
	done
done
check "five counters a filesystem compared" test "${#before[@]}" = 15
nfs_mount a /mnt/a 4.2 || fail "mount a again"
dd if=/dev/zero of=/mnt/a/g bs=1M count=4 oflag=direct status=none || fail "dd a again"
check "counters keep growing after the restore: by the 4 MiB written" \
	test "$(stat_of a DataWriteIOBytes)" -eq $((${before[a.DataWriteIOBytes]} + (4 << 20)))
nfs_umount /mnt/a

# A corrupt state file: logged, ignored, full credits.
unit_action "$UNIT" stop || fail "stop 2"
efs_unload || fail "rmmod 2"
sed -i '0,/^fs /s/burst-credit-balance=[0-9]*/burst-credit-balance=garbage/' /tmp/state/state
out=$(unit_action "$UNIT" start 2>&1)
st=$?
log "$out"
check "start goes on with a corrupt state file" test $st = 0
check "restore names the file and line" \
	grep -q "efsctl: state restore: /tmp/state/state:[0-9]*: .*nothing restored (filesystems start with full burst credits)" <<<"$out"
check "three filesystems again" \
	test "$(json | jq -r '[.FileSystems[].Name] | join(" ")')" = "a b c"
check "b starts with full credits" \
	test "$(field b BurstCreditBalance)" = "$(field b BurstCreditMax)"
check "counters start over" test "$(stat_of a DataWriteIOBytes)" = 0

# A missing state file: a notice, not an error.
rm -f /tmp/state/state
out=$($EFS_CTL state restore /tmp/state/state 2>&1)
check "missing state: exit 0" test $? = 0
check "missing state: says so" grep -q "no saved state" <<<"$out"

# A config with an error changes nothing on reload.
cp $CONF /tmp/good.conf
sed -i 's/^iops-limit = 300/iops-limit = 3x0/' $CONF
before_conf=$($EFS_CTL fs show --format conf)
out=$(unit_action "$UNIT" reload 2>&1)
st=$?
log "$out"
check "reload with a bad config fails" test $st != 0
check "the error names file, line and problem" \
	grep -q "efsctl: apply: $CONF:17: iops-limit: invalid value '3x0' (expected 0..100000000)" <<<"$out"
check "nothing changed" test "$($EFS_CTL fs show --format conf)" = "$before_conf"
sed -i 's/^iops-limit = 3x0/iops-limit = 250/' $CONF
out=$(unit_action "$UNIT" reload 2>&1)
check "reload applies the fixed config" grep -q "set c iops-limit=250 (was 300)" <<<"$out"
check "c has the new limit" test "$(field c IopsLimitConfigured)" = 250

efs_unload || rc=1
exit $rc
