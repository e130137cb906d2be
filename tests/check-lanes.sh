# shellcheck shell=bash
# What make check runs in VMs on each kernel, in two lanes at once (sourced
# by tests/check.sh, which defines REPO, OUT, KERNELS, is_full, host_steps
# and show_vm_runs).
#
# The background lane, at nice 19: the host steps (checkpatch, the tools'
# tests, fuzzing, the cluster daemons on the host, KUnit, the packages),
# then the light lane: the VM scenarios that assert no rate (the CLI's
# errors, the YNL spec, at-rest checks, restart state, the harness and its
# self-tests, the nfsd layout, the ipmodify conflict). None of it measures
# time, and at nice 19 it runs on what the foreground leaves.
#
# The timing lane, in the foreground: everything else, one VM at a time.
# A TCG guest's vCPUs are host threads at nice 0: the nice-19 lane gets
# only what they leave (CFS gives a nice-19 thread 1.5% of a core beside
# a busy nice-0 one), so a guest runs as it would alone (docs/testing.md
# has the side-by-side figures). Then the two-head cluster (cluster_pair:
# two guests, a core each).
#
# To keep .ci/run within 60 minutes on two cores, what does not depend on
# the kernel runs on the first full kernel only (SECOND_SKIP), and what has
# a longer target of its own runs only there (ALWAYS_SKIP: the neighbours
# and fairness scenarios -- many_clients, hostile_client, noisy_isolation,
# fair_clients, shared_session, client_ceilings -- in make
# check-neighbours, with the issues' thresholds; export_changes and
# lifecycle_storm in make check-storm; netlink_fuzz in make check-fuzz).
# The configuration matrix's fixed cases and the rows that cover every
# performance mode x throughput mode run here (MATRIX_FIRST,
# MATRIX_SECOND), all of it in make check-matrix. docs/testing.md has the
# table.

LIGHT="efsctl_errors ynl_spec at_rest_access restart_state harness_lib"
LIGHT="$LIGHT nfsd_layout ipmodify_conflict"
ALWAYS_SKIP="many_clients hostile_client noisy_isolation export_changes"
ALWAYS_SKIP="$ALWAYS_SKIP netlink_fuzz config_matrix fair_clients"
ALWAYS_SKIP="$ALWAYS_SKIP shared_session client_ceilings lifecycle_storm"
SECOND_SKIP="efsctl_errors restart_state at_rest_access metrics_events"
SECOND_SKIP="$SECOND_SKIP harness_lib iops_limits throughput_modes ynl_spec"
# the lease is the module's own logic (kernel_smoke's insmod catches a
# kernel's complaint about its workqueue); cluster_pair drives it too
SECOND_SKIP="$SECOND_SKIP cluster_lease"
# The matrix's fixed cases (the issues' tables: maxIO at its limit, large
# requests under small budgets, the baseline shared, locks) on the first
# full kernel, and on both the rows that together run every performance
# mode x throughput mode (r01 r03 r08 r11: maxIO at baseline, provisioned,
# bursting, elastic; r02 r04 r13 r16: generalPurpose at elastic,
# bursting, baseline, provisioned) and maxIO at its limit. Its other
# rows, copy (server_copy runs it, and CLONE, on both kernels) and
# jukebox (v4.0 on maxIO at baseline was metered 1.12 MB/s of 1 MiB/s
# once, 2026-12-07: open) are make check-matrix's.
MATRIX_MODES="r01 r02 r03 r04 r08 r11 r13 r16"
MATRIX_FIRST="x1 x2 x3 x4 g1 g2 big1 big2 base locks $MATRIX_MODES"
MATRIX_SECOND="x1 x2 g1 locks $MATRIX_MODES"

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

cluster_pair_run() { # the two-head cluster on the first full kernel
	local k
	k=$(first_full_kernel)
	[ -n "$k" ] || return 0
	echo "== vm pair [$k]"
	tests/vm/pair.sh -k "$k" -o "$REPO/build/vm-pair/cluster_pair-$k" cluster_pair 2>&1 |
		tee "$OUT/vm-pair-$k.log" | show_vm_runs
}

# The background lane: host_steps (tests/check.sh), then the light lane,
# at nice 19, so that a timing guest in the foreground keeps its core.
background_lane_start() {
	echo "== background lane (nice 19: $OUT/background.log)"
	(
		renice -n 19 -p "$BASHPID" >/dev/null
		host_steps
		light_lane
	) >"$OUT/background.log" 2>&1 &
	BACKGROUND_PID=$!
}

background_lane_wait() {
	echo "== background lane"
	wait "$BACKGROUND_PID"
	show_vm_runs <"$OUT/background.log"
}
