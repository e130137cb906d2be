/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One burst-credit balance per shared filesystem, for the whole cluster.
 * EFS bursting (DESIGN.md section 1; the same integer formulas as
 * module/credit.c): baseline = max(1 MiB/s, 50 KiB/s per GiB of S), burst =
 * max(100 MiB/s, 100 MiB/s per TiB), balance capped at max(2.1 TiB, 2.1 x S),
 * accrues at baseline and is spent by metered bytes. Every head applies the
 * same ordered stream of rounds (duration, bytes spent) and so holds the
 * same balance; the permitted throughput follows from it.
 */
#ifndef ECL_LEDGER_H
#define ECL_LEDGER_H

#include "ecl.h"

#define ECL_MIB		(1ULL << 20)
#define ECL_TIB		(1ULL << 40)

uint64_t ecl_baseline_bps(uint64_t size);
uint64_t ecl_burst_bps(uint64_t size);
uint64_t ecl_credit_max(uint64_t size);

/* The size S the budget is computed from. */
uint64_t ecl_metered_size(const struct ecl_settings *s, uint64_t sampled);

/*
 * Permitted throughput (bytes/s) with this balance: bursting: the burst
 * rate while at least a second of baseline is left, else the baseline;
 * provisioned: max(provisioned, baseline); elastic: ECL_UNLIMITED.
 */
uint64_t ecl_permitted_bps(const struct ecl_settings *s, uint64_t size,
			   uint64_t balance);

/*
 * One round: accrue baseline x dt_us, then spend `spent` metered bytes.
 * Only bursting filesystems keep a balance; returns the new balance.
 */
uint64_t ecl_ledger_apply(const struct ecl_settings *s, uint64_t size,
			  uint64_t balance, uint64_t dt_us, uint64_t spent);

#endif /* ECL_LEDGER_H */
