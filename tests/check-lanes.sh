# shellcheck shell=bash
# What make check runs in VMs on each kernel, in two lanes (sourced by
# tests/check.sh, which defines REPO, OUT, KERNELS, is_full and
# show_vm_runs).
#
# The light lane: scenarios that assert no rate (the CLI's errors, the YNL
# spec, at-rest checks, restart state, the harness and its self-tests, the
# nfsd layout, the ipmodify conflict). They start once every efs.ko is
# built and run in the background beside the host steps (checkpatch, the
# tools' tests, fuzzing, KUnit), which measure nothing in time either.
#
# The timing lane: everything else, alone on the machine after the host
# steps, one VM at a time (a TCG guest's speed is what its rate checks
# stand on).
#
# To keep .ci/run within 60 minutes on two cores, what does not depend on
# the kernel runs on the first full kernel only (SECOND_SKIP), and what has
# a longer target of its own runs only there (ALWAYS_SKIP: the neighbours
# and fairness scenarios -- many_clients, hostile_client, noisy_isolation,
# fair_clients, shared_session, client_ceilings -- in make
# check-neighbours, with the issues' thresholds; export_changes and
# lifecycle_storm in make check-storm; netlink_fuzz in make check-fuzz).
# The configuration matrix's fixed cases run here (MATRIX_FIRST,
# MATRIX_SECOND), all of it in make check-matrix. docs/testing.md has the
# table.

LIGHT="efsctl_errors ynl_spec at_rest_access restart_state harness_lib"
LIGHT="$LIGHT nfsd_layout ipmodify_conflict"
ALWAYS_SKIP="many_clients hostile_client noisy_isolation export_changes"
ALWAYS_SKIP="$ALWAYS_SKIP netlink_fuzz config_matrix fair_clients"
ALWAYS_SKIP="$ALWAYS_SKIP shared_session client_ceilings lifecycle_storm"
SECOND_SKIP="efsctl_errors restart_state at_rest_access metrics_events"
SECOND_SKIP="$SECOND_SKIP harness_lib iops_limits throughput_modes ynl_spec"
# The matrix's fixed cases (the issues' tables: maxIO at its limit, large
# requests under small budgets, server-side copy, the baseline shared,
# locks) on the first full kernel; the hooks that differ between kernels
# (COPY, locks) on the second. Its 16 covering rows, and jukebox (v4.0 on
# maxIO at baseline was metered 1.12 MB/s of 1 MiB/s once, 2026-12-07:
# open), are make check-matrix's.
MATRIX_FIRST="x1 x2 x3 x4 g1 g2 big1 big2 copy base locks"
MATRIX_SECOND="copy locks"

first_full_kernel() {
	local k
	for k in $KERNELS; do
		is_full "$k" && { echo "$k"; return; }
	done
}

# words of $1 not in $2
words_minus() {
	local w out=
	for w in $1; do
		case " $2 " in *" $w "*) ;; *) out="$out $w" ;; esac
	done
	echo "$out"
}

light_scenarios() { # KREL
	if [ "$1" = "$(first_full_kernel)" ]; then
		echo "$LIGHT"
	else
		words_minus "$LIGHT" "$SECOND_SKIP"
	fi
}

timing_skip() { # KREL: EFS_VM_SKIP for the timing lane
	local skip="$ALWAYS_SKIP $LIGHT"
	[ "$1" = "$(first_full_kernel)" ] || skip="$skip $SECOND_SKIP"
	echo "$skip"
}

matrix_run() { # KREL: the configuration matrix's share for this kernel
	local cases=$MATRIX_FIRST
	[ "$1" = "$(first_full_kernel)" ] || cases=$MATRIX_SECOND
	# shellcheck disable=SC2086 # case names, one a word
	tests/vm/run.sh -k "$1" config_matrix $cases
}

light_lane() {
	local k s
	for k in $KERNELS; do
		is_full "$k" || continue
		make -s -C tests/vm/ipmodify-module KREL="$k" \
			>"$OUT/ipmodify-build-$k.log" 2>&1 ||
			{ tail "$OUT/ipmodify-build-$k.log"; echo "FAIL build_ipmodify_holder [$k]" | tee -a "$EFS_RESULTS"; }
		tests/vm/selftest.sh "$k" 2>&1 | tee "$OUT/vm-selftest-$k.log" |
			grep -E '^(PASS|FAIL) '
		# KFENCE (6.12 and later) catches a use-after-free: prove run.sh
		# sees it.
		if grep -qs '^CONFIG_KFENCE=y' "$REPO/build/kernels/boot/config-$k" "/boot/config-$k"; then
			tests/vm/selftest.sh "$k" kfence 2>&1 |
				tee "$OUT/vm-selftest-kfence-$k.log" | grep -E '^(PASS|FAIL) '
		fi
		s=$(light_scenarios "$k")
		EFS_VM_SCENARIOS="$s" tests/vm/check.sh "$k" 2>&1
	done
}

light_lane_start() {
	echo "== vm light lane (in the background: $OUT/vm-light.log)"
	light_lane >"$OUT/vm-light.log" 2>&1 &
	LIGHT_PID=$!
}

light_lane_wait() {
	echo "== vm light lane"
	wait "$LIGHT_PID"
	show_vm_runs <"$OUT/vm-light.log"
}
