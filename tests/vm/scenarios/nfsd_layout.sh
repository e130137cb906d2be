#!/bin/bash
# efs-vm: timeout=300
# efs-vm: needs-module
#
# efs mirrors the leading fields of nfsd's private struct svc_fh, struct
# svc_export and struct nfsd_file and picks knfsd's prototypes by version range
# (module/nfsd_compat.h). Here, against the running kernel:
#  1. plain insmod loads (the compat is one efs was verified for) and says
#     Checked "compiled-in";
#  2. every offset efs assumes (efsctl version --json: CompatLayout) and
#     every prototype it wraps (CompatProtos: the argument count, by
#     bpftool) equal the running kernel's BTF for nfsd;
#  3. loaded through efs-btf-check (what the modprobe.d install rule runs),
#     efs says Checked "btf"; with a modprobe.d rule and modprobe, too;
#  4. a deliberately wrong offset or prototype in the parameters makes efs
#     refuse to load, with a kernel message naming the field or function.
# On a kernel without module BTF (5.10) 2 and 3 are skipped: there the
# version-range compat alone decides (and 4 still refuses).
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

CHECK=$EFS_REPO/tools/efs-btf-check/efs-btf-check
rc=0
bad() { log "FAIL: $*" >&2; rc=1; }
ver() { $EFS_CTL version --json | jq -r ".$1"; }

# refused PARAMS... TEXT: insmod with PARAMS must fail, and dmesg say TEXT.
refused() {
	local want=${*: -1} n
	n=$(dmesg | wc -l)
	if insmod "$EFS_KO" "${@:1:$#-1}" 2>/dev/null; then
		bad "efs loaded with a wrong parameter (${*:1:$#-1})"
		rmmod efs
		return
	fi
	if dmesg | tail -n +$((n + 1)) | grep -qF -- "$want"; then
		log "ok: refused, the kernel says: $(dmesg | tail -n +$((n + 1)) | grep -m1 -F -- "$want")"
	else
		bad "refused, but no kernel message matching '$want'"
		dmesg | tail -n +$((n + 1)) >&2
	fi
}

modprobe nfsd || fail "modprobe nfsd"
efs_load || fail "efs_load"
layout=$(ver CompatLayout) protos=$(ver CompatProtos)
log "compat $(ver Compat) (verified range: $(ver CompatVerified)), checked: $(ver Checked)"
case $layout in "" | null) fail "no CompatLayout from the module" ;; esac
case $protos in "" | null) fail "no CompatProtos from the module" ;; esac
[ "$(ver Checked)" = compiled-in ] || bad "plain insmod: Checked is $(ver Checked), want compiled-in"
[ "$($EFS_CTL version --json | jq -r .NfsdHooked)" = true ] || bad "knfsd not hooked"
log "module assumes: $layout"
log "module wraps: $protos"
efs_unload || rc=1

if [ -r /sys/kernel/btf/nfsd ]; then
	bpftool -j -B /sys/kernel/btf/vmlinux btf dump file /sys/kernel/btf/nfsd >/tmp/nfsd-btf.json ||
		fail "bpftool btf dump"
	# One pass over the dump (jq is slow under TCG): "struct.member=offset"
	# for the three structs, "function=argument count" for every FUNC.
	jq -r '
		(.types | map({key: (.id | tostring), value: .}) | from_entries) as $t |
		(.types[] | select(.kind == "STRUCT" and (.name == "svc_fh" or .name == "svc_export" or .name == "nfsd_file")) |
		 .name as $s | .members[] | "\($s).\(.name)=\(.bits_offset / 8)"),
		(.types[] | select(.kind == "FUNC") |
		 "fn:\(.name)=\($t[(.type_id | tostring)].vlen)")' /tmp/nfsd-btf.json >/tmp/nfsd-facts.txt ||
		fail "jq over the BTF dump"
	declare -A btf=()
	while IFS='=' read -r key val; do
		btf[$key]=$val
	done </tmp/nfsd-facts.txt
	n=0
	for item in ${layout//,/ }; do
		field=${item%%=*} want=${item#*=}
		got=${btf[$field]:-missing}
		if [ "$got" = "$want" ]; then
			log "ok: $field at $got"
		else
			bad "$field: efs assumes $want, BTF says $got"
		fi
		n=$((n + 1))
	done
	[ $n -ge 9 ] || bad "only $n fields checked"
	# Prototypes, independently of efs-btf-check: bpftool's FUNC -> its
	# FUNC_PROTO's parameter count, against the argument count efs wraps.
	n=0
	IFS=';' read -ra fns <<<"$protos"
	for fn in "${fns[@]}"; do
		name=${fn%%=*} args=${fn#*(}
		args=${args%)}
		want=$(awk -F, '{print NF}' <<<"$args")
		got=${btf[fn:$name]:-missing}
		if [ "$got" = "$want" ]; then
			log "ok: $name takes $got arguments"
		else
			bad "$name: efs wraps $want arguments, BTF says $got"
		fi
		n=$((n + 1))
	done
	[ $n -ge 5 ] || bad "only $n functions checked"

	# 3. Through the helper, as the modprobe.d rule runs it.
	"$CHECK" >"$EFS_OUT/btf-params.txt" || bad "efs-btf-check failed"
	log "efs-btf-check: $(cat "$EFS_OUT/btf-params.txt")"
	if "$CHECK" --insmod "$EFS_KO"; then
		[ "$(ver Checked)" = btf ] || bad "after efs-btf-check: Checked is $(ver Checked), want btf"
		log "loaded through efs-btf-check: checked $(ver Checked)"
		dmesg | grep -q "efs: BTF check: .* as efs was built for" ||
			bad "no 'BTF check' kernel message"
		efs_unload || rc=1
	else
		bad "efs refused the running kernel's own BTF"
	fi
	# ... and through modprobe with the install rule (a private module
	# root and config: the host's /lib/modules and /etc stay as they are).
	krel=$(uname -r)
	mroot=/tmp/mroot
	mkdir -p "$mroot/lib/modules/$krel/extra" /tmp/efs-modprobe.d
	cp "$EFS_KO" "$mroot/lib/modules/$krel/extra/"
	depmod -b "$mroot" "$krel" 2>/dev/null
	echo "install efs $CHECK --root $mroot --modprobe \$CMDLINE_OPTS" >/tmp/efs-modprobe.d/efs.conf
	if modprobe -C /tmp/efs-modprobe.d -d "$mroot" efs; then
		[ "$(ver Checked)" = btf ] || bad "modprobe with the install rule: Checked is $(ver Checked), want btf"
		log "modprobe (install rule): checked $(ver Checked)"
		efs_unload || rc=1
	else
		bad "modprobe efs with the install rule failed"
	fi
	good_layout=$(sed -n 's/^btf_layout=\([^ ]*\) .*/\1/p' "$EFS_OUT/btf-params.txt")
	good_protos=$(sed -n 's/.* btf_protos=\(.*\)$/\1/p' "$EFS_OUT/btf-params.txt")
else
	log "no /sys/kernel/btf/nfsd (kernel without module BTF): the version ranges decide"
	[ -z "$("$CHECK")" ] || bad "efs-btf-check passed parameters without module BTF"
	"$CHECK" --insmod "$EFS_KO" || bad "efs-btf-check --insmod failed without module BTF"
	[ "$(ver Checked)" = compiled-in ] || bad "without BTF: Checked is $(ver Checked)"
	efs_unload || rc=1
	good_layout=$layout
	good_protos=$protos
fi

# 4. Deliberately wrong parameters: efs must refuse, naming what differs.
fh_export=$(sed -n 's/.*svc_fh\.fh_export=\([0-9]*\).*/\1/p' <<<"$good_layout")
wrong_layout=${good_layout/svc_fh.fh_export=$fh_export/svc_fh.fh_export=$((fh_export + 8))}
refused "btf_layout=$wrong_layout" "btf_protos=$good_protos" \
	"BTF check: field svc_fh.fh_export is $((fh_export + 8)) in the running kernel's nfsd, efs was built for $fh_export"
# fh_verify with one argument too many.
wrong_protos=${good_protos/fh_verify=__be32(svc_rqst\*,svc_fh\*,umode_t,int)/fh_verify=__be32(svc_rqst*,svc_fh*,umode_t,int,int)}
[ "$wrong_protos" != "$good_protos" ] || bad "could not make a wrong fh_verify prototype"
refused "btf_layout=$good_layout" "btf_protos=$wrong_protos" \
	"BTF check: function fh_verify is __be32(svc_rqst*,svc_fh*,umode_t,int,int)"
# A function efs wraps missing from BTF.
refused "btf_layout=$good_layout" "btf_protos=${good_protos//nfsd_splice_read=/nfsd_splice_read_gone=}" \
	"BTF check: function nfsd_splice_read is not in the running kernel's nfsd BTF"
# Only one of the two parameters.
refused "btf_layout=$good_layout" "btf_layout and btf_protos come together"
lsmod | grep -q '^efs ' && bad "efs is loaded after the refusals"
exit $rc
