#!/bin/bash
# efs-vm: timeout=240
# efs-vm: needs-module
#
# efs mirrors the leading fields of nfsd's private struct svc_fh and struct
# svc_export (module/nfsd_compat.h). Check every offset it assumes, as the
# module reports them (efsctl version --json: CompatLayout), against the
# running kernel's BTF for nfsd.
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

rc=0
efs_load || fail "efs_load"
layout=$($EFS_CTL version --json | jq -r .CompatLayout)
[ -n "$layout" ] && [ "$layout" != null ] || fail "no CompatLayout from the module"
log "module assumes: $layout"
[ -r /sys/kernel/btf/nfsd ] || fail "no BTF for nfsd"
bpftool -j -B /sys/kernel/btf/vmlinux btf dump file /sys/kernel/btf/nfsd >/tmp/nfsd-btf.json ||
	fail "bpftool btf dump"

n=0
for item in ${layout//,/ }; do
	field=${item%%=*} want=${item#*=}
	struct=${field%%.*} member=${field#*.}
	got=$(jq -r --arg s "$struct" --arg m "$member" '
		[.types[] | select(.kind == "STRUCT" and .name == $s) |
		 .members[] | select(.name == $m) | .bits_offset / 8] | first // "missing"' /tmp/nfsd-btf.json)
	if [ "$got" = "$want" ]; then
		log "ok: $struct.$member at $got"
	else
		log "FAIL: $struct.$member: efs assumes $want, BTF says $got" >&2
		rc=1
	fi
	n=$((n + 1))
done
[ $n -ge 9 ] || { log "FAIL: only $n fields checked" >&2; rc=1; }
efs_unload || rc=1
exit $rc
