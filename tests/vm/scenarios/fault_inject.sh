#!/bin/bash
# efs-vm: timeout=900
# efs-vm: needs-module
# efs-vm: allow-trace=kasan_alloc_module_shadow __kmem_cache_create_args
#
# Fault injection on the control path (the debug kernel's failslab and
# fail_page_alloc; make check-debug runs it, check.sh leaves it out on the
# stock kernels, which have no fault injection). tests/vm/fail_nth.py fails
# the 1st, 2nd, ... fault point of each operation in turn, a slab or a
# page allocation, until one runs through:
#  - module load (init_module, see fail_nth.py): an error and no module,
#    or loaded;
#  - fs add, fs set, fs del, server set: an error and the state as before,
#    or the change made, never half of it;
#  - an fs dump of 8 filesystems: a reply or an error, state untouched.
# The kernel log must stay clean (every scenario), and after rmmod the
# debug kernel's kmemleak scan (EFS_KMEMLEAK) must find nothing, with one
# exception (the allow-trace above): stack dumps the kernel prints itself
# for an allocation failure the sweep injected, with no WARNING or BUG:
# kmem_cache_create() dumps the stack whenever it fails (efs's client
# cache at load), and KASAN (without KASAN_VMALLOC) vmallocs each module
# region's shadow in kasan_alloc_module_shadow() without __GFP_NOWARN
# (stock kernels have no such allocation; execmem's own is __GFP_NOWARN).
# Not covered here: client-table growth (it allocates in nfsd's threads,
# where a per-task fault point cannot reach: client_faults.sh).
#
#   fault_inject [control]   control: the netlink sweeps only, not the
#                            module load's (about 20 minutes of 700 loads)
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$EFS_REPO/tests/vm/lib.sh"

SKIP_LOAD=0
case ${1:-} in
'') ;;
control) SKIP_LOAD=1 ;;
*) fail "usage: fault_inject [control]" ;;
esac

SRC=$EFS_REPO/build/src/linux-source-6.12
FS=/sys/kernel/debug/failslab
PAGES=/sys/kernel/debug/fail_page_alloc
rc=0
[ -d "$FS" ] || fail "no $FS: $EFS_KREL has no CONFIG_FAILSLAB (make check-debug's kernel has)"
[ -d "$PAGES" ] || fail "no $PAGES: $EFS_KREL has no CONFIG_FAIL_PAGE_ALLOC (make check-debug's kernel has)"
[ -f "$SRC/tools/net/ynl/lib/ynl.py" ] || fail "no YNL in $SRC (make deps unpacks linux-source-6.12)"

# Sleeping allocations too (GFP_KERNEL is what the control path uses); no
# report per injected failure (it prints a call trace). Page allocations
# of every order, but not highmem ones (user pages of the sweeper itself).
for attr in "$FS" "$PAGES"; do
	echo N >"$attr/ignore-gfp-wait"
	echo 0 >"$attr/verbose"
done
echo 0 >"$PAGES/min-order"
log "fault points: failslab (ignore-gfp-wait $(cat "$FS/ignore-gfp-wait")) and fail_page_alloc (ignore-gfp-wait $(cat "$PAGES/ignore-gfp-wait"), min-order $(cat "$PAGES/min-order"))"

mkdir -p /srv/fi
# The module from tmpfs: faults injected into reads of the guest's 9p root
# break it for every process after.
KO=/tmp/efs-fault.ko
cp "$EFS_KO" "$KO" || fail "copy efs.ko to $KO"
modprobe nfsd || fail "modprobe nfsd"
nfsd_start 4 || fail "nfsd_start"
# shellcheck disable=SC2317 # run through check
fault_sweep() {
	python3 "$EFS_REPO/tests/vm/fail_nth.py" --ynl-dir "$SRC/tools/net/ynl" \
		--spec "$EFS_REPO/uapi/efs.yaml" --schema "$SRC/Documentation/netlink/genetlink.yaml" \
		--ko "$KO" --path /srv/fi "$@"
}
if [ "$SKIP_LOAD" = 1 ]; then
	log "module load sweep skipped (argument: control)"
else
	check "module load fails cleanly at every fault point" fault_sweep load
fi
efs_load || fail "efs_load"
check "fs add, set, del, dump and server set fail cleanly at every fault point" \
	fault_sweep add set del dump server

# The module still works: a filesystem caps what it should.
$EFS_CTL fs add fault /srv/fi --iops-limit 150 || rc=1
check "fs show after the sweeps" bash -c "set -o pipefail; $EFS_CTL fs show fault --json | jq -e '.FileSystems[0].IopsLimit == 150' >/dev/null"
check "no filesystem left from the sweeps" test "$($EFS_CTL fs show --format names)" = fault
$EFS_CTL fs del fault || rc=1
efs_unload || rc=1
check "efs's slab cache is gone after rmmod" efs_slab_gone
exit $rc
