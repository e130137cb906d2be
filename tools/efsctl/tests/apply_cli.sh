#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Command-line tests of "efsctl apply" and "efsctl state" against the fake
# efs family (tests/fakenl.so): dry run, idempotence, a bad file changes
# nothing, fs show --format conf round-trips, state save/restore sends the
# balance and the counter base.
#
# usage: apply_cli.sh EFSCTL FAKENL_SO
# Prints PASS/FAIL <name> per case (appended to $EFS_RESULTS if set).

EFSCTL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FAKE=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
T=$(mktemp -d /tmp/efsctl-apply.XXXXXX)
trap 'rm -rf "$T"' EXIT
failures=0

result() {
	echo "$1 $2"
	if [ -n "$EFS_RESULTS" ]; then echo "$1 $2" >>"$EFS_RESULTS"; fi
}
ok() { result PASS "$1"; }
ko() {
	result FAIL "$1"
	shift
	echo "  $*" >&2
	failures=$((failures + 1))
}
fake() {
	env LD_PRELOAD="$FAKE" EFS_FAKE_STATE="$T/state" EFS_FAKE_LOG="$T/log" \
		"$EFSCTL" "$@" >"$T/out" 2>"$T/err"
	rc=$?
}
# expect NAME RC STDOUT [STDERR]
expect() {
	name=$1 want_rc=$2 want_out=$3 want_err=${4:-}
	if [ "$rc" != "$want_rc" ]; then
		ko "$name" "exit $rc, want $want_rc: $(cat "$T/err")"
	elif [ "$(cat "$T/out")" != "$want_out" ]; then
		ko "$name" "stdout '$(cat "$T/out")', want '$want_out'"
	elif [ "$(cat "$T/err")" != "$want_err" ]; then
		ko "$name" "stderr '$(cat "$T/err")', want '$want_err'"
	else
		ok "$name"
	fi
}

mkdir -p "$T/a" "$T/b" "$T/c"
cat >"$T/efs.conf" <<EOC
# three filesystems
[home]
path = $T/a
throughput-mode = provisioned
provisioned-throughput-in-mibps = 4

[media]
path = $T/b
performance-mode = maxIO
iops-limit = 2000

[ci]
path = $T/c/
EOC

fake apply "$T/efs.conf" --dry-run
expect apply_dry_run 0 "add ci $T/c
add home $T/a throughput-mode=provisioned provisioned-throughput-in-mibps=4
add media $T/b performance-mode=maxIO iops-limit=2000
dry run: 3 changes, none made"
fake fs show --format names
expect apply_dry_run_changes_nothing 0 ""

fake apply "$T/efs.conf"
expect apply_adds 0 "add ci $T/c
add home $T/a throughput-mode=provisioned provisioned-throughput-in-mibps=4
add media $T/b performance-mode=maxIO iops-limit=2000"
fake apply "$T/efs.conf"
expect apply_idempotent 0 "no changes"

fake fs show --format conf
cp "$T/out" "$T/round.conf"
fake apply "$T/round.conf"
expect apply_show_conf_round_trip 0 "no changes"

fake fs set media --iops-limit 5 --max-wait-ms 7
fake apply "$T/efs.conf" -n
expect apply_dry_run_set 0 "set media iops-limit=2000 (was 5) max-wait-ms=1000 (was 7)
dry run: 1 change, none made"
: >"$T/log"
fake apply "$T/efs.conf"
expect apply_set 0 "set media iops-limit=2000 (was 5) max-wait-ms=1000 (was 7)"
# cmd 3 is EFS_CMD_FS_SET
grep -q "^cmd=3 " "$T/log" && [ "$(wc -l <"$T/log")" -ge 2 ] &&
	ok apply_set_sent || ko apply_set_sent "$(cat "$T/log")"

cp "$T/efs.conf" "$T/two.conf"
sed -i '/^\[ci\]/,$d' "$T/two.conf"
fake apply "$T/two.conf"
expect apply_removes 0 "del ci $T/c"

# every error: exit 1, names file and line, sends nothing that changes
printf '[ci]\npath = %s\niops-limit = many\n' "$T/c" >>"$T/two.conf"
: >"$T/log"
fake apply "$T/two.conf"
expect apply_bad_value 1 "" "efsctl: apply: $T/two.conf:14: iops-limit: invalid value 'many' (expected 0..100000000)"
[ ! -s "$T/log" ] && ok apply_bad_file_sends_nothing ||
	ko apply_bad_file_sends_nothing "$(cat "$T/log")"
printf '[x]\npath = %s/nope\n' "$T" >"$T/bad.conf"
fake apply "$T/bad.conf"
expect apply_missing_dir 1 "" "efsctl: apply: $T/bad.conf:2: path: $T/nope: No such file or directory"
printf '[p]\npath = /proc\nencryption-at-rest = required\n' >"$T/enc.conf"
: >"$T/log"
fake apply "$T/enc.conf"
expect apply_at_rest_refused 1 "" "efsctl: apply: $T/enc.conf:3: p: /proc is not encrypted at rest with AES-256 (found: not encrypted), which encryption-at-rest=required needs"
[ ! -s "$T/log" ] && ok apply_at_rest_sends_nothing ||
	ko apply_at_rest_sends_nothing "$(cat "$T/log")"
printf '[p]\npath = /proc\nencryption-at-rest = optional\n' >"$T/enc.conf"
fake apply "$T/enc.conf" --dry-run
[ "$rc" = 0 ] && grep -q '^add p /proc .*encryption-at-rest=optional' "$T/out" &&
	ok apply_at_rest_optional ||
	ko apply_at_rest_optional "exit $rc: $(cat "$T/out" "$T/err")"
fake apply "$T/none.conf"
expect apply_missing_file 1 "" "efsctl: apply: $T/none.conf: No such file or directory"
fake apply "$T/efs.conf" extra
expect apply_extra_arg 1 "" "efsctl: apply: unexpected argument 'extra'"
fake fs show --format yaml
expect show_bad_format 1 "" "efsctl: fs show: --format: invalid value 'yaml' (expected text, json, conf or names)"
fake fs show --names-only
expect show_bad_option 1 "" "efsctl: fs show: unknown option '--names-only'"

# a change the kernel refuses part way: what was done is undone, the
# kernel (here the fake) ends as it began, exit 1
fake fs show --format conf
cp "$T/out" "$T/undo-before.conf"
printf '[media]\npath = %s\nperformance-mode = maxIO\niops-limit = 300\n[ci]\npath = %s\n' "$T/b" "$T/c" >"$T/undo.conf"
fake apply "$T/undo.conf" -n
expect apply_undo_plan 0 "del home $T/a
set media iops-limit=300 (was 2000)
add ci $T/c
dry run: 3 changes, none made"
EFS_FAKE_FAIL_CHANGE=3 fake apply "$T/undo.conf"
expect apply_undo 1 "del home $T/a
set media iops-limit=300 (was 2000)
add ci $T/c
undo set media iops-limit=2000 (was 300)
undo add home $T/a throughput-mode=provisioned provisioned-throughput-in-mibps=4" "efsctl: apply: ci: injected failure (EFS_FAKE_FAIL_CHANGE)
efsctl: apply: 2 changes undone: the kernel is as before"
fake fs show --format conf
cmp -s "$T/out" "$T/undo-before.conf" && ok apply_undo_restores ||
	ko apply_undo_restores "$(diff "$T/undo-before.conf" "$T/out")"
EFS_FAKE_FAIL_CHANGE=1 fake apply "$T/undo.conf"
expect apply_first_change_refused 1 "del home $T/a" "efsctl: apply: home: injected failure (EFS_FAKE_FAIL_CHANGE)
efsctl: apply: nothing was changed"

# state: save, delete, restore sends balance and counter base
fake state save "$T/st"
expect state_save 0 "saved 2 filesystems to $T/st"
head -1 "$T/st" | grep -qx 'efs-state 1' && ok state_header || ko state_header "$(head -2 "$T/st")"
fake fs del home
: >"$T/log"
fake state restore "$T/st"
if [ "$rc" = 0 ] && grep -q "^restore home $T/a burst-credit-balance=" "$T/out" &&
   grep -q "^keep media: loaded already" "$T/out"; then
	ok state_restore
else
	ko state_restore "exit $rc: $(cat "$T/out" "$T/err")"
fi
# cmd 2 is EFS_CMD_FS_ADD: one, with the counter base nested in it
[ "$(grep -c '^cmd=2 .*:nest=[0-9]' "$T/log")" = 1 ] &&
	ok state_restore_sends_base || ko state_restore_sends_base "$(cat "$T/log")"
fake state restore "$T/nothing"
expect state_restore_missing 0 "" "efsctl: state restore: $T/nothing: no saved state (No such file or directory): filesystems start with full burst credits"
printf 'efs-state 1\nsaved-at 1.000000000\nfs a /x burst-credit-balance=zz\n' >"$T/bad.st"
: >"$T/log"
fake state restore "$T/bad.st"
expect state_restore_corrupt 1 "" "efsctl: state restore: $T/bad.st:3: burst-credit-balance: invalid value 'zz' (expected a number): nothing restored (filesystems start with full burst credits)"
[ ! -s "$T/log" ] && ok state_corrupt_sends_nothing || ko state_corrupt_sends_nothing "$(cat "$T/log")"

# encryption in transit: not checked by efsctl; the kernel's refusal (no
# server-side TLS) stops apply at that filesystem with its message
NOTLS="transit-encryption required: this kernel has no server-side RPC-with-TLS (Linux 6.4 or later)"
cp "$T/two.conf" "$T/tls.conf"
sed -i '/^\[ci\]/,$d' "$T/tls.conf"
printf 'transit-encryption = required\n' >>"$T/tls.conf"
EFS_FAKE_NOTLS=1 fake apply "$T/tls.conf"
expect apply_transit_refused 1 "set media transit-encryption=required (was optional)" \
	"efsctl: apply: media: $NOTLS
efsctl: apply: nothing was changed"
fake apply "$T/tls.conf"
expect apply_transit 0 "set media transit-encryption=required (was optional)"
tail -n 1 "$T/log" | grep -q '^cmd=3 6:str=media 79:u8=1$' &&
	ok apply_transit_sent || ko apply_transit_sent "$(tail -n 1 "$T/log")"
fake apply "$T/tls.conf"
expect apply_transit_idempotent 0 "no changes"
fake fs show --format conf
grep -qx 'transit-encryption = required' "$T/out" &&
	ok show_conf_transit || ko show_conf_transit "$(cat "$T/out")"
cp "$T/out" "$T/round.conf"
fake apply "$T/round.conf"
expect apply_transit_round_trip 0 "no changes"
fake state save "$T/st"
grep -q '^fs media .* transit-encryption=required ' "$T/st" &&
	grep -q '^fs home .* transit-encryption=optional ' "$T/st" &&
	ok state_save_transit || ko state_save_transit "$(cat "$T/st")"
fake fs del media
# a kernel without server TLS: skipped with a warning, the rest restored
EFS_FAKE_NOTLS=1 fake state restore "$T/st"
[ "$rc" = 0 ] && [ "$(cat "$T/err")" = "efsctl: state restore: warning: media: $NOTLS, not restored" ] &&
	ok state_restore_transit_refused ||
	ko state_restore_transit_refused "exit $rc: $(cat "$T/out" "$T/err")"
fake fs show media
[ "$rc" = 1 ] && ok state_restore_transit_skipped || ko state_restore_transit_skipped "exit $rc: $(cat "$T/out")"
: >"$T/log"
fake state restore "$T/st"
[ "$rc" = 0 ] && grep -q '^cmd=2 6:str=media .* 79:u8=1 ' "$T/log" &&
	ok state_restore_transit || ko state_restore_transit "exit $rc: $(cat "$T/log" "$T/err")"
fake fs show media --json
[ "$rc" = 0 ] && jq -e '.FileSystems[0].TransitEncryptionPolicy == "required"' "$T/out" >/dev/null &&
	ok state_restore_transit_kept || ko state_restore_transit_kept "$(cat "$T/out")"

exit $((failures > 0))
