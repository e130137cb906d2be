#!/bin/bash
# make check: every test, on every supported kernel, one summary line.
#
# Each step appends "PASS <name>" / "FAIL <name>" lines to $EFS_RESULTS;
# the last line printed is "N passed, N failed" and the exit status is
# non-zero if anything failed. Logs of each step: build/check/<step>.log.
set -u
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO" || exit 2
OUT=$REPO/build/check
mkdir -p "$OUT"
export EFS_RESULTS=$OUT/results.txt
: >"$EFS_RESULTS"
start=$(date +%s)

# The test kernels that make deps unpacked under build/kernels/: every one
# gets the W=1 build and the BTF prototype check; the full VM suite runs on
# EFS_FULL_KERNELS (series or releases; default Debian 12's 6.1 and Debian
# 13's own 6.12, the newest 6.12), the smoke set (kernel_smoke, which ends
# with nfsd_layout) on the others.
KERNELS=${EFS_TEST_KERNELS:-$(tests/setup/kernels.sh --list)}
[ -n "$KERNELS" ] || { echo "check: no test kernels in build/kernels (make deps)" >&2; exit 2; }
# shellcheck source=tests/setup/kernels.lib.sh
. "$REPO/tests/setup/kernels.lib.sh"
FULL=
for want in ${EFS_FULL_KERNELS:-6.1 6.12}; do
	FULL="$FULL $(resolve_krel "$want")"
done
is_full() { case " $FULL " in *" $1 "*) return 0 ;; esac; return 1; }
# Kernels built (W=1, BTF prototypes) but not booted, to keep make check
# within CI's time: EFS_NO_SMOKE_KERNELS (default sid's 7.2, which the
# kernels issue lists as "where time allows", and bookworm-backports'
# 6.12.95, whose series 6.12.117 runs in full; "" boots every kernel).
NO_SMOKE=
for want in ${EFS_NO_SMOKE_KERNELS-7.2 6.12.95}; do
	NO_SMOKE="$NO_SMOKE $(resolve_krel "$want")"
done
no_smoke() { case " $NO_SMOKE " in *" $1 "*) return 0 ;; esac; return 1; }

result() { # PASS|FAIL NAME
	echo "$1 $2" | tee -a "$EFS_RESULTS"
}

step() { # NAME LOGFILE CMD...: run, record PASS/FAIL by exit status
	local name=$1 log=$2
	shift 2
	echo "== $name"
	if "$@" >"$log" 2>&1; then
		result PASS "$name"
	else
		tail -30 "$log"
		result FAIL "$name"
	fi
}

# 1. The module builds warning-free (W=1) for every kernel, two at a
# time (a build is mostly one busy process: modpost, pahole).
build_module() { # KREL
	local log=$OUT/build-$1.log
	if make --no-print-directory "build/$1/efs.ko" W=1 >"$log" 2>&1 &&
	   ! grep -E 'warning:|error:' "$log"; then
		result PASS "build_module [$1]"
	else
		tail -30 "$log"
		result FAIL "build_module [$1]"
	fi
}
for k in $KERNELS; do
	[ "$(jobs -pr | wc -l)" -lt 2 ] || wait -n
	build_module "$k" &
done
wait

# Do the prototypes each efs.ko was built for match that kernel's nfsd.ko
# BTF? (No VM; kernels without module BTF are skipped.)
echo "== btf_protos"
# shellcheck disable=SC2086 # one release a word
tests/btf_protos.sh $KERNELS >"$OUT/btf-protos.log" 2>&1
grep -E '^(PASS|FAIL) ' "$OUT/btf-protos.log" | tee -a "$EFS_RESULTS"
grep -q '^FAIL ' "$OUT/btf-protos.log" && tail -30 "$OUT/btf-protos.log"

# The tools the guests run (efsctl, efs-clusterd for cluster_pair). Then
# the light lane's VM runs (no rate asserted) start in the background
# beside the host steps, and the timing scenarios run alone after both
# (tests/check-lanes.sh).
step build_efsctl "$OUT/efsctl-build.log" make --no-print-directory tools
step build_efs_clusterd "$OUT/clusterd-build.log" \
	make --no-print-directory -C tools/efs-clusterd
# shellcheck source=tests/check-lanes.sh
. "$REPO/tests/check-lanes.sh"

# 2. The host steps, beside the light lane: kernel style, the tools' unit
# tests, the cluster daemons on the host, KUnit, the packages.
host_steps() {
	step checkpatch "$OUT/checkpatch.log" tests/checkpatch.sh
	# The module's files form a tree: no include or call cycle.
	step module_graph "$OUT/module-graph.log" python3 tests/module_graph.py
	echo "== efsctl unit tests"
	make --no-print-directory -C tools/efsctl test >"$OUT/efsctl-test.log" 2>&1 ||
		{ tail -30 "$OUT/efsctl-test.log"; grep -q '^FAIL' "$OUT/efsctl-test.log" || result FAIL efsctl_tests; }
	# The same tests under ASan and UBSan; the parsers' libFuzzer harnesses
	# over their committed corpus, then 15 s of fuzzing each (5 harnesses).
	step efsctl_sanitizers "$OUT/efsctl-sanitize.log" \
		make --no-print-directory -C tools/efsctl test-sanitize
	step efsctl_fuzz_corpus "$OUT/efsctl-fuzz-corpus.log" \
		make --no-print-directory -C tools/efsctl fuzz-corpus
	step efsctl_fuzz_burst "$OUT/efsctl-fuzz-burst.log" \
		make --no-print-directory -C tools/efsctl fuzz FUZZ_SECONDS=15
	# mount.efs's options and usage errors (no mount: mount.nfs is not run)
	step mount_efs_tests "$OUT/mount-efs-test.log" \
		make --no-print-directory -C tools/mount.efs test

	# efs-clusterd: its unit tests (allocation, ledger, messages, simulated
	# heads), then five daemons with real corosync in network namespaces on
	# this host (tests/cluster/host.sh, about 95 s).
	step efs_clusterd_tests "$OUT/clusterd-test.log" \
		make --no-print-directory -C tools/efs-clusterd test
	step cluster_host "$OUT/cluster-host.log" tests/cluster/host.sh

	# The README and docs/ hold together: links, make targets, the
	# README's length (tests/docs_check.py).
	tests/docs_check.py | tee -a "$EFS_RESULTS"

	# The YNL spec and the C header describe the same protocol.
	/usr/bin/python3 tests/uapi_check.py || true

	# KUnit (UML) for the pure parts.
	echo "== kunit"
	tests/kunit/run.sh >"$OUT/kunit.log" 2>&1 || tail -30 "$OUT/kunit.log"

	# The Debian packages: build, install, DKMS for every kernel, a VM
	# loading the DKMS module with modprobe on the first, purge (about 3
	# minutes).
	# DKMS builds with the host's compiler: the kernels that need no build root.
	pkg_kernels=
	for k in $KERNELS; do
		[ -e "build/kernels/.root-$k" ] || pkg_kernels="${pkg_kernels:+$pkg_kernels }$k"
	done
	# shellcheck disable=SC2086 # a list of kernels
	EFS_PACKAGE_VM_KERNELS=${pkg_kernels%% *} \
		step package "$OUT/package.log" tests/package_test.sh $pkg_kernels
}

# One line per passing VM run; a failing run also shows run.sh's account
# of why (up to 40 lines before its FAIL line), so the reason reaches CI's
# output. (A shell loop, not awk: mawk would hold the lines back.)
show_vm_runs() {
	local line n from
	local -a run=()
	while IFS= read -r line; do
		case $line in
		"run.sh: "*" on "*", timeout "*) run=() ;;
		esac
		case $line in
		"PASS "*) echo "$line" ;;
		"FAIL "*)
			n=${#run[@]}
			from=$((n > 40 ? n - 40 : 0))
			[ "$n" -eq 0 ] || printf '  %s\n' "${run[@]:from}"
			echo "$line"
			;;
		esac
		run+=("$line")
	done
}

light_lane_start
host_steps
light_lane_wait

# 3. The timing scenarios, alone on the machine, one VM at a time: the
# full suite less the light lane's share on the full kernels
# (EFS_FULL_KERNELS; the light lane ran the smoke set on the others),
# then the two-head cluster (two guests, a core each). What each kernel
# runs, and why, is in tests/check-lanes.sh.
for k in $KERNELS; do
	is_full "$k" || continue
	echo "== vm [$k]"
	EFS_VM_SKIP="$(timing_skip "$k")" tests/vm/check.sh "$k" 2>&1 |
		tee "$OUT/vm-$k.log" | show_vm_runs
	matrix_run "$k" 2>&1 | tee -a "$OUT/vm-$k.log" | show_vm_runs
done
cluster_pair_run

passed=$(grep -c '^PASS ' "$EFS_RESULTS")
failed=$(grep -c '^FAIL ' "$EFS_RESULTS")
echo "make check took $(( $(date +%s) - start ))s; results in $EFS_RESULTS"
grep '^FAIL ' "$EFS_RESULTS"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
