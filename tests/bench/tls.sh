#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-tls (and a step of make bench): NFS over TLS against plain
# NFS, side by side in one 6.12 guest (tests/bench/tls_guest.sh), as a
# table in build/bench/tls.md: IOPS of 4 KiB random reads and MiB/s of
# 1 MiB sequential reads and writes, the medians over alternating rounds
# and their ratio TLS/plain. About 5 minutes.
#
#   tests/bench/tls.sh [ROUNDS] [SECONDS]      (default 3 rounds of 8 s)
#   tests/bench/tls.sh --report                the table from the last run
set -u
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
OUT=$REPO/build/bench
MD=$OUT/tls.md
R=$OUT/vm-tls/results.txt
mkdir -p "$OUT"
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel 6.12.117)
[ -n "$krel" ] || { echo "bench-tls: no 6.12.117 test kernel in $KROOT (make deps)" >&2; exit 1; }
CMD="tests/vm/run.sh -k 6.12.117 -o build/bench/vm-tls -t 1200 tests/bench/tls_guest.sh"
rc=0
if [ "${1:-}" != --report ]; then
	CMD="$CMD${1:+ $*}"
	make --no-print-directory tools >"$OUT/tls-build.log" 2>&1 ||
		{ tail -n 20 "$OUT/tls-build.log" >&2; exit 1; }
	tests/setup/tlsroot.sh || exit 1
	when=$(date -u '+%Y-%m-%d %H:%M UTC')
	echo "== $CMD"
	$CMD >"$OUT/vm-tls.log" 2>&1 || rc=$?
	tail -n 1 "$OUT/vm-tls.log"
	echo "$when" >"$OUT/tls.when"
fi
[ -s "$R" ] || { echo "bench-tls: no results; see $OUT/vm-tls.log" >&2; exit 1; }
get() { awk -v k="$1" '$1 == k { print $2; exit }' "$R"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
{
	echo "NFS over TLS vs plain NFS ($(cat "$OUT/tls.when" 2>/dev/null), kernel $krel under qemu TCG, 2 vCPUs;"
	echo "client namespaces over a veth bridge, NFSv4.1 with mount.efs's options, efs not loaded)"
	echo
	echo "| workload | TLS | plain | TLS / plain |"
	echo "|---|---|---|---|"
	echo "| 4 KiB random reads, 4 jobs (IOPS) | $(get tls_randread_tls) | $(get tls_randread_plain) | $(get tls_randread_ratio) |"
	echo "| 1 MiB sequential reads, 1 job (MiB/s) | $(mib "$(get tls_seqread_tls)") | $(mib "$(get tls_seqread_plain)") | $(get tls_seqread_ratio) |"
	echo "| 1 MiB sequential writes, 1 job (MiB/s) | $(mib "$(get tls_seqwrite_tls)") | $(mib "$(get tls_seqwrite_plain)") | $(get tls_seqwrite_ratio) |"
	echo
	echo "Medians of alternating rounds (TLS first in odd rounds). Command: \`make bench-tls\` (\`$CMD\`)."
} >"$MD"
cat "$MD"
exit $rc
