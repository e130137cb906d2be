// SPDX-License-Identifier: GPL-2.0
/* The cluster's burst-credit ledger (see ledger.h). */
#include "ledger.h"

/* floor(size * per_mib / 2^20) without overflow, as module/credit.c */
static uint64_t per_mib(uint64_t size, uint64_t k)
{
	return (size >> 20) * k + (((size & (ECL_MIB - 1)) * k) >> 20);
}

uint64_t ecl_baseline_bps(uint64_t size)
{
	return ecl_max64(ECL_MIB, per_mib(size, 50));
}

uint64_t ecl_burst_bps(uint64_t size)
{
	return ecl_max64(100 * ECL_MIB, per_mib(size, 100));
}

uint64_t ecl_credit_max(uint64_t size)
{
	if (size < ECL_TIB)
		return 21 * ECL_TIB / 10;
	return ecl_muldiv(size, 21, 10);
}

uint64_t ecl_metered_size(const struct ecl_settings *s, uint64_t sampled)
{
	return s->metered_size == ECL_METERED_SIZE_AUTO ? sampled :
	       s->metered_size;
}

uint64_t ecl_permitted_bps(const struct ecl_settings *s, uint64_t size,
			   uint64_t balance)
{
	uint64_t base = ecl_baseline_bps(size);

	switch (s->tput_mode) {
	case ECL_TPUT_PROVISIONED:
		return ecl_max64(s->prov_bps, base);
	case ECL_TPUT_ELASTIC:
		return ECL_UNLIMITED;
	default:
		return balance >= base ? ecl_burst_bps(size) : base;
	}
}

uint64_t ecl_ledger_apply(const struct ecl_settings *s, uint64_t size,
			  uint64_t balance, uint64_t dt_us, uint64_t spent)
{
	uint64_t cap = ecl_credit_max(size);
	uint64_t accrue = ecl_muldiv(ecl_baseline_bps(size), dt_us, 1000000);

	if (s->tput_mode != ECL_TPUT_BURSTING)
		return balance;
	balance = balance > cap - ecl_min64(accrue, cap) ? cap :
		  balance + accrue;
	return balance > spent ? balance - spent : 0;
}
