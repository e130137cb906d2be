/* SPDX-License-Identifier: GPL-2.0 */
/*
 * efs-clusterd: limits and types shared by the pure parts (alloc, ledger,
 * proto, state, node) and the daemon. "ecl" = efs cluster.
 */
#ifndef ECL_H
#define ECL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ECL_PROTO_VERSION	1
#define ECL_MAX_MEMBERS		64	/* CPG members (corosync: 32 nodes) */
#define ECL_MAX_FS		4096	/* shared filesystems */
#define ECL_MAX_EVENTS		64	/* departures still reserved */
#define ECL_MAX_EVENT_NODES	ECL_MAX_MEMBERS	/* heads leaving at once */
#define ECL_FS_NAME_MAX		64	/* as EFS_FS_NAME_MAX */
#define ECL_NODE_NAME_MAX	63
#define ECL_UNLIMITED		UINT64_MAX	/* no byte budget (elastic) */
#define ECL_HEADS_MAX		1024U	/* EFS_CLUSTER_HEADS_MAX: the divisor
					 * that makes a safe share ~0 */

/* Values of the filesystem settings (uapi/linux/efs.h). */
#define ECL_PERF_GENERAL	0
#define ECL_PERF_MAXIO		1
#define ECL_TPUT_BURSTING	0
#define ECL_TPUT_PROVISIONED	1
#define ECL_TPUT_ELASTIC	2
#define ECL_GP_IOPS		35000U
#define ECL_MAXIO_IOPS		500000U
#define ECL_IOPS_LIMIT_MAX	100000000U
#define ECL_SIZE_MAX		(1ULL << 60)
#define ECL_PROV_BPS_MAX	(1ULL << 40)
#define ECL_WEIGHT_MAX		1000U
#define ECL_METERED_SIZE_AUTO	UINT64_MAX

/*
 * What every head serving one shared filesystem must agree on: the inputs
 * of its budget and of its metering. A head whose settings differ from the
 * filesystem's reference gets no grant for it.
 */
struct ecl_settings {
	uint8_t perf_mode;	/* ECL_PERF_* */
	uint8_t tput_mode;	/* ECL_TPUT_* */
	uint16_t write_weight;	/* ops units of a write */
	uint32_t iops_limit;	/* units/s, 0 = the mode's default */
	uint32_t read_ratio;	/* reads metered at 1/ratio of their bytes */
	uint64_t prov_bps;	/* provisioned throughput, bytes/s */
	uint64_t metered_size;	/* S set by hand, or ECL_METERED_SIZE_AUTO */
};

uint32_t ecl_settings_hash(const struct ecl_settings *s);
bool ecl_settings_valid(const struct ecl_settings *s);
uint64_t ecl_iops_budget(const struct ecl_settings *s);
bool ecl_fs_name_valid(const char *name, size_t len);

/* Flags of one head's usage of one filesystem in one tick. */
#define ECL_USE_HELD_OPS	0x1	/* requests waited for the ops budget */
#define ECL_USE_HELD_BYTES	0x2	/* ... for the byte budget */
#define ECL_USE_FLAGS		0x3

static inline uint64_t ecl_min64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static inline uint64_t ecl_max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
/* a * b / c without overflow, rounded down, saturating at UINT64_MAX */
static inline uint64_t ecl_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 r = (unsigned __int128)a * b / (c ? c : 1);

	return r > UINT64_MAX ? UINT64_MAX : (uint64_t)r;
}

#endif /* ECL_H */
