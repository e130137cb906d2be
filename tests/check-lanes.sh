# shellcheck shell=bash
# What make check runs in VMs on each kernel, in two lanes (sourced by
# tests/check.sh, which defines REPO, OUT, KERNELS, is_full, no_smoke and
# show_vm_runs).
#
# The light lane: VM runs that assert no rate -- the CLI's errors, at-rest
# checks, restart state, the harness's self-tests, the nfsd layout, the
# ipmodify conflict, TLS on 6.1 (not supported there),
# and the smoke set on the kernels that are not full (kernel_smoke with
# its rates reported, not asserted: EFS_TIMING=report; the full kernels
# assert rates). It runs in the background beside the host steps (checkpatch, the tools' tests, fuzzing, KUnit, the packages),
# which measure nothing in time either.
#
# The timing lane: everything else, alone on the machine after them, one
# VM at a time, ending with the two-head cluster (cluster_pair: two
# guests, a core each). A TCG guest's speed is what its rate checks stand
# on, and it runs from the host's caches: even a SCHED_IDLE compile on the
# other core slowed a 6.1 guest's unthrottled reads from over 200 IOPS to
# 102-136 (iops_limits, 2026-12-07), so nothing runs beside it.
#
# To keep .ci/run within 60 minutes on two cores, what does not depend on
# the kernel runs on the first full kernel only (SECOND_SKIP), and what has
# a longer target of its own runs only there (ALWAYS_SKIP: the neighbours
# and fairness scenarios -- many_clients, hostile_client, noisy_isolation,
# fair_clients, shared_session, client_ceilings -- in make
# check-neighbours, with the issues' thresholds; export_changes and
# lifecycle_storm in make check-storm; netlink_fuzz in make check-fuzz;
# nfs_fio_smoke, whose caps lifecycle, iops_limits, metrics_events and
# server_copy assert on both kernels, harness_lib, the test library's own
# test, and ynl_spec, the YNL spec driven through the kernel's cli.py
# (tests/uapi_check.py compares the spec and the header here), in make
# vmtest; cluster_lease, the
# module's lease against a scripted daemon, in make check-cluster:
# cluster_pair runs the lease end to end here, expiry and forget time
# included). The configuration
# matrix's share is below (MATRIX_FIRST, MATRIX_SECOND), all of it in
# make check-matrix. docs/testing.md has the table.

LIGHT="efsctl_errors at_rest_access restart_state nfsd_layout"
LIGHT="$LIGHT ipmodify_conflict"
# on the first full kernel only: 6.1 has no server-side TLS, so
# tls_transit checks that efs says so (6.12 runs it for real, timed)
LIGHT_FIRST="tls_transit"
ALWAYS_SKIP="many_clients hostile_client noisy_isolation export_changes"
ALWAYS_SKIP="$ALWAYS_SKIP netlink_fuzz config_matrix fair_clients"
ALWAYS_SKIP="$ALWAYS_SKIP shared_session client_ceilings lifecycle_storm"
ALWAYS_SKIP="$ALWAYS_SKIP nfs_fio_smoke cluster_lease harness_lib ynl_spec"
SECOND_SKIP="efsctl_errors restart_state at_rest_access metrics_events"
SECOND_SKIP="$SECOND_SKIP harness_lib iops_limits throughput_modes ynl_spec"
# The configuration matrix on both full kernels: its rows r01-r08, one
# for each performance mode x throughput mode (bursting with credits, at
# baseline, provisioned, elastic; each also varies the ceiling, the NFS
# version, the request size, reads/writes/metadata and the jobs), and the
# issues' tables: maxIO at its limit (x1-x4), requests larger than the
# byte burst (big1, big2), the baseline shared (base), locks while
# throttled. The second kernel leaves out r05, r07 and r08 (generalPurpose
# provisioned and at baseline, maxIO bursting: big2, base and x1-x4 run
# those pairs there), to keep .ci/run within its hour.
# make check-matrix runs all of it: r09-r16 (the pairs r01-r08 leave
# out), g1 and g2 (x1 and x2 on generalPurpose, the ground iops_limits
# covers), copy (server_copy runs it, and CLONE, on both kernels),
# jukebox (JUKEBOX/DELAY past the waiting bounds; iops_limits answers
# DELAY in make check), with the issue's +-5% for x1-x4.
MATRIX_TABLES="x1 x2 x3 x4 big1 big2 base locks"
MATRIX_FIRST="r01 r02 r03 r04 r05 r06 r07 r08 $MATRIX_TABLES"
MATRIX_SECOND="r01 r02 r03 r04 r06 $MATRIX_TABLES"

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
		echo "$LIGHT $LIGHT_FIRST"
	else
		words_minus "$LIGHT" "$SECOND_SKIP"
	fi
}

timing_skip() { # KREL: EFS_VM_SKIP for the timing lane
	local skip="$ALWAYS_SKIP $LIGHT"
	if [ "$1" = "$(first_full_kernel)" ]; then
		skip="$skip $LIGHT_FIRST"
	else
		skip="$skip $SECOND_SKIP"
	fi
	echo "$skip"
}

matrix_run() { # KREL: the configuration matrix's share for this kernel
	local cases=$MATRIX_FIRST
	[ "$1" = "$(first_full_kernel)" ] || cases=$MATRIX_SECOND
	# shellcheck disable=SC2086 # case names, one a word
	tests/vm/run.sh -k "$1" config_matrix $cases
}

# light_kernel KREL: a full kernel's light share: the ipmodify holder,
# the harness self-tests, its light scenarios.
light_kernel() {
	local k=$1
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
	EFS_VM_SCENARIOS="$(light_scenarios "$k")" tests/vm/check.sh "$k" 2>&1
}

# light_smoke: the smoke set on every kernel that is not full (rates
# reported, not asserted), but those EFS_NO_SMOKE_KERNELS names.
light_smoke() {
	local k
	for k in $KERNELS; do
		is_full "$k" && continue
		no_smoke "$k" && { echo "== vm smoke [$k]: skipped (EFS_NO_SMOKE_KERNELS)"; continue; }
		EFS_TIMING=report EFS_VM_SCENARIOS=kernel_smoke tests/vm/check.sh "$k" 2>&1
	done
}

# The light lane, one VM at a time in the background (two at once beside
# the host steps slowed every run two- to threefold: each guest wants
# both cores): each full kernel's share, then the smoke set.
light_lane_start() {
	echo "== vm light lane (in the background: $OUT/vm-light.log)"
	(
		for k in $KERNELS; do
			is_full "$k" && light_kernel "$k"
		done
		light_smoke
	) >"$OUT/vm-light.log" 2>&1 &
	LIGHT_PID=$!
}

light_lane_wait() {
	echo "== vm light lane"
	wait "$LIGHT_PID"
	show_vm_runs <"$OUT/vm-light.log"
}

cluster_pair_run() { # the two-head cluster on the first full kernel
	local k
	k=$(first_full_kernel)
	[ -n "$k" ] || return 0
	echo "== vm pair [$k]"
	tests/vm/pair.sh -k "$k" -o "$REPO/build/vm-pair/cluster_pair-$k" cluster_pair 2>&1 |
		tee "$OUT/vm-pair-$k.log" | show_vm_runs
}
