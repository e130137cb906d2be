#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where an unthrottled request's instructions go inside efs (issue 27's
# overhead): builds efs for KREL with tests/bench/hotpath-profile.patch,
# which reads the clock around each part of the hot path, and runs
# tests/bench/hotpath_guest.sh in a counted-time guest. There (qemu -icount
# shift=2) the guest's clock advances 4 ns an instruction, so a clock
# difference is an instruction count; perf is no help (nearly every sample
# lands in native_safe_halt).
#
# Prints each part's calls and instructions a call, net of one clock read,
# in two states: "hooked" (efs loaded, the export unclaimed) and "with"
# (claimed far under its budgets), 4 KiB random reads, 4 jobs, NFSv4.2.
# Parts inside another (fh_verify's claimant, client lookup and charge;
# the charge's clock, ceiling, buckets) are also in their parent's figure,
# with two clock reads each. Takes 3 minutes.
#   tests/bench/hotpath_profile.sh [KREL]     (default: the newest 6.1)
# When the patch no longer applies, bring it up to date with the hooks.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
krel=$(resolve_krel "${1:-6.1}")
[ -n "$krel" ] || { echo "hotpath_profile: no kernel ${1:-6.1} (make deps)" >&2; exit 1; }
kdir=$KROOT/usr/src/linux-headers-$krel
[ -d "$kdir" ] || kdir=/lib/modules/$krel/build
out=$REPO/build/bench/hotpath
src=$out/src
rm -rf "$out"
mkdir -p "$src/module" "$src/uapi/linux"
cp -p "$REPO/Kbuild" "$src/"
cp -p "$REPO"/module/*.[ch] "$src/module/"
cp -p "$REPO"/uapi/linux/*.h "$src/uapi/linux/"
patch -s -p1 -d "$src" <"$REPO/tests/bench/hotpath-profile.patch" ||
	{ echo "hotpath_profile: tests/bench/hotpath-profile.patch does not apply to module/: update it" >&2; exit 1; }
root=$(cat "$KROOT/.root-$krel" 2>/dev/null || true)
if [ -n "$root" ]; then
	"$REPO/tests/setup/buildroot.sh" --run "$root" make -s -C "$kdir" M="$src" modules
else
	make -s -C "$kdir" M="$src" modules
fi

EFS_PROFILE_KO=$src/efs.ko "$REPO/tests/vm/run.sh" -c -k "$krel" -o "$out/vm" \
	-t 1500 "$REPO/tests/bench/hotpath_guest.sh"
grep -haE '\] (efs-prof [0-9]|state (hooked|with)$)' "$out/vm/dmesg.log" |
	sed 's/^\[[ 0-9.]*\] //' |
	awk 'BEGIN { print "state  calls/rpc  insns/call  part" }
	/^state / { state = $2; next }
	$2 == 0 { rpcs[state] = $4; cal[state] = $6 }
	{ n[state, $2] = $4; ns[state, $2] = $6; ids[state] = ids[state] " " $2
	  name[state, $2] = $7; for (i = 8; i <= NF; i++) name[state, $2] = name[state, $2] " " $i }
	END {
		split("hooked with", states, " ")
		for (s = 1; s <= 2; s++) {
			st = states[s]; k = split(ids[st], id, " ")
			for (i = 1; i <= k; i++) if (id[i] != 0)
				printf "%-6s %9.2f %11.0f  %s\n", st,
					n[st, id[i]] / rpcs[st],
					(ns[st, id[i]] - cal[st]) / 4, name[st, id[i]]
		}
	}' | tee "$out/results.txt"
