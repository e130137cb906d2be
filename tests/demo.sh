#!/bin/bash
# make demo: build efs.ko and efsctl, boot Debian's 6.1 kernel in qemu,
# export two filesystems from knfsd, put them under efs and run fio on
# both; print what was configured, what was measured and the events.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel 6.1)
[ -n "$krel" ] || { echo "demo: no 6.1 test kernel in $KROOT (make deps)" >&2; exit 1; }
mkdir -p build
echo "== building efs.ko for $krel and efsctl"
make --no-print-directory "build/$krel/efs.ko" >build/demo-build.log 2>&1 ||
	{ tail -20 build/demo-build.log; exit 1; }
make --no-print-directory tools >>build/demo-build.log 2>&1 ||
	{ tail -20 build/demo-build.log; exit 1; }
out=$REPO/build/demo
rm -rf "$out"
echo "== booting $krel under qemu (TCG); this takes about a minute"
status=0
tests/vm/run.sh -k "$krel" -o "$out" -t 400 tests/demo/guest.sh >"$REPO/build/demo-vm.log" 2>&1 || status=$?
echo
cat "$out/demo.txt" 2>/dev/null || true
echo
tail -1 "$REPO/build/demo-vm.log"
[ $status -eq 0 ] || { echo "demo failed; see $out/scenario.log and $out/dmesg.log" >&2; exit 1; }
