/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * efs: Amazon EFS style quality of service for knfsd.
 *
 * Generic netlink family "efs" (EFS_GENL_NAME), version EFS_GENL_VERSION.
 * The same protocol is described for ynl in uapi/efs.yaml; keep both in step.
 *
 * Every command uses the single attribute space enum efs_attr.
 *
 * EFS_CMD_VERSION_GET (do): reply carries EFS_A_VERSION, EFS_A_FEATURES,
 *	EFS_A_COMPAT_LAYOUT, EFS_A_NFSD_HOOKED and the compat attributes
 *	(EFS_A_COMPAT_NAME, _CHECKED, _PROTOS, _VERIFIED).  Anyone may ask.
 * EFS_CMD_FS_ADD (do, CAP_NET_ADMIN): EFS_A_FS_NAME and EFS_A_FS_PATH are
 *	required; every configuration attribute is optional and defaults as
 *	documented below.  Reply: the new filesystem, as FS_GET.
 *	EFS_A_FS_COUNTER_BASE (nested: EFS_A_FS_DATA_READ_BYTES ...
 *	EFS_A_FS_DELAY_REPLIES, EFS_A_FS_WAIT_HIST; not EFS_A_FS_TOTAL_BYTES,
 *	which is derived) makes the new filesystem's counters start from these
 *	values, so that a restore after a module reload or a reboot (efsctl
 *	state restore) continues them.
 * EFS_CMD_FS_SET (do, CAP_NET_ADMIN): EFS_A_FS_NAME plus the attributes to
 *	change; absent attributes keep their value.  Counters, bucket state and
 *	the credit balance are kept; EFS_A_FS_COUNTER_BASE is refused.
 *	Reply: the filesystem, as FS_GET.
 * EFS_CMD_FS_DEL (do, CAP_NET_ADMIN): EFS_A_FS_NAME.
 * EFS_CMD_FS_GET (do with EFS_A_FS_NAME, or dump): configuration, live state
 *	and counters of one or every filesystem.  Anyone may ask.
 * EFS_CMD_SERVER_GET (do): the server-wide waiting-thread budget and the
 *	client table (EFS_A_SERVER_*).  Anyone may ask.
 * EFS_CMD_SERVER_SET (do, CAP_NET_ADMIN): EFS_A_SERVER_MAX_WAITING_THREADS.
 * EFS_CMD_CLIENT_GET (dump, CAP_NET_ADMIN, EFS_A_FS_NAME required): one
 *	message per client of the filesystem (EFS_A_CLIENT_*).  It names
 *	clients by address, with their traffic, so like knfsd's own client
 *	list (/proc/fs/nfsd/clients/) it is not for every local user; others
 *	get EPERM (without an extended ack message) before the name is
 *	looked up.  The per-filesystem totals (EFS_A_FS_CLIENT_CONNECTIONS,
 *	EFS_A_FS_TLS_CLIENTS) and the server's (EFS_A_SERVER_CLIENTS) stay
 *	open to all.
 * EFS_CMD_FS_GRANT (do, CAP_NET_ADMIN): this head's share of a cluster-scope
 *	filesystem (EFS_A_FS_SCOPE cluster), sent by efs-clusterd every tick:
 *	EFS_A_FS_NAME, EFS_A_GRANT_IOPS (units/s), EFS_A_GRANT_BPS (metered
 *	bytes/s), EFS_A_GRANT_LEASE_MS (1..EFS_GRANT_LEASE_MS_MAX) and
 *	EFS_A_GRANT_HEADS (heads in the membership the daemon last saw,
 *	1..EFS_CLUSTER_HEADS_MAX), all required; optional
 *	EFS_A_GRANT_FORGET_MS (lease..EFS_GRANT_FORGET_MS_MAX, from receipt;
 *	absent or 0: never) and EFS_A_FS_BURST_CREDIT_BALANCE (the cluster's
 *	balance, kept and reported as the filesystem's).  Until the lease runs
 *	out the ops budget in force is min(the filesystem's, the granted iops)
 *	and the byte budget is the granted bps, at most the filesystem's burst
 *	or provisioned rate (EFS_GRANT_BPS_NONE: that rate; a cluster
 *	filesystem's own credit bucket does not throttle: the cluster decides
 *	bursting and grants the permitted throughput).  When it runs out
 *	without renewal, the module itself falls to min(the grant, the safe
 *	share): the budget divided by the heads last told (the byte budget's
 *	share: of the baseline, or of the provisioned rate), and raises
 *	EFS_EVENT_LEASE_EXPIRED; past the forget time to 1 unit (byte) a
 *	second, EFS_EVENT_LEASE_FORGOTTEN.  Before any grant: the safe share
 *	with EFS_A_FS_CLUSTER_HEADS heads.  A grant of 0 admits 1 unit (byte)
 *	per second.  Refused for a local filesystem.  No reply beyond the ack;
 *	FS_GET reports EFS_A_GRANT_* and EFS_A_GRANT_EXPIRES_MS,
 *	EFS_A_GRANT_STATE.
 * EFS_CMD_EVENT: notification sent to multicast group EFS_MCGRP_EVENTS with
 *	EFS_A_EVENT_TYPE, EFS_A_FS_NAME, EFS_A_EVENT_VALUE, EFS_A_EVENT_TIME_NS.
 *	Anyone may listen: events carry no client address.
 *
 * Errors come back as netlink errors with an extended ack message.
 */
#ifndef _UAPI_LINUX_EFS_H
#define _UAPI_LINUX_EFS_H

#define EFS_GENL_NAME		"efs"
#define EFS_GENL_VERSION	1
#define EFS_MCGRP_EVENTS	"events"

/* Limits shared by the kernel and efsctl. */
#define EFS_FS_NAME_MAX		64	/* 1..64 chars of [A-Za-z0-9._-] */
#define EFS_PATH_MAX		4096
#define EFS_IOPS_LIMIT_MAX	100000000U	/* units/s */
#define EFS_WRITE_WEIGHT_MAX	1000U
#define EFS_MAX_WAIT_MS_MAX	60000U
#define EFS_MAX_WAITERS_MAX	4096U
#define EFS_READ_RATIO_MAX	1000U
#define EFS_SIZE_MAX		(1ULL << 60)	/* 1 EiB: sizes and balances */
#define EFS_PROVISIONED_BPS_MIN	(1ULL << 20)	/* 1 MiB/s */
#define EFS_PROVISIONED_BPS_MAX	(1ULL << 40)	/* 1 TiB/s */
#define EFS_SAMPLE_MS_MIN	100U
#define EFS_SAMPLE_MS_MAX	3600000U
#define EFS_WAIT_HIST_BUCKETS	16	/* bucket i: waits < 2^i ms (last: rest) */
#define EFS_PER_CLIENT_IOPS_MAX	100000000U	/* units/s */
#define EFS_CLIENT_IDLE_S_MIN	1U
#define EFS_CLIENT_IDLE_S_MAX	86400U
#define EFS_MAX_WAITING_THREADS_MAX 65536U
#define EFS_CLUSTER_HEADS_MAX	1024U	/* heads sharing a cluster filesystem */
#define EFS_GRANT_LEASE_MS_MAX	600000U	/* 10 minutes */
#define EFS_GRANT_FORGET_MS_MAX	3600000U	/* an hour */
#define EFS_GRANT_BPS_NONE	(~0ULL)	/* a grant without a byte budget */
/* EFS's highest read and write IOPS (elastic, raised on request). */
#define EFS_READ_IOPS_LIMIT_MAX		2500000U	/* ops/s */
#define EFS_WRITE_IOPS_LIMIT_MAX	500000U		/* ops/s */

/*
 * Defaults (0 in IOPS_LIMIT, READ_IOPS_LIMIT, WRITE_IOPS_LIMIT and
 * MAX_WAITERS means "the default").
 *
 * The read and write budgets (EFS_A_FS_READ_IOPS_LIMIT, _WRITE_): ops/s
 * per throughput mode as AWS publishes them for generalPurpose; maxIO
 * (no published split) has none unless set. A read-class request (data
 * or metadata read) costs 1 read op, a write-class one 1 write op.
 *
 * The combined budget, the older model (EFS_A_FS_IOPS_LIMIT and
 * EFS_A_FS_WRITE_OP_WEIGHT: a read costs 1 unit, a write the weight):
 * in force when EFS_A_FS_IOPS_LIMIT is set, and for maxIO and cluster
 * filesystems at the performance mode's default (EFS_GP_IOPS_DEFAULT,
 * EFS_MAXIO_IOPS_DEFAULT); a local generalPurpose filesystem has none
 * by default, so that elastic's limits can be reached.
 */
#define EFS_GP_IOPS_DEFAULT	35000U
#define EFS_MAXIO_IOPS_DEFAULT	500000U
#define EFS_BURSTING_READ_IOPS_DEFAULT		35000U
#define EFS_BURSTING_WRITE_IOPS_DEFAULT		7000U
#define EFS_PROVISIONED_READ_IOPS_DEFAULT	55000U
#define EFS_PROVISIONED_WRITE_IOPS_DEFAULT	25000U
#define EFS_ELASTIC_READ_IOPS_DEFAULT		250000U
#define EFS_ELASTIC_WRITE_IOPS_DEFAULT		50000U
#define EFS_WRITE_WEIGHT_DEFAULT 5U
#define EFS_MAX_WAIT_MS_DEFAULT	1000U
#define EFS_READ_RATIO_DEFAULT	3U
#define EFS_SAMPLE_MS_DEFAULT	30000U
#define EFS_CREDIT_LOW_PCT_DEFAULT 10U
#define EFS_METERED_SIZE_AUTO	(~0ULL)	/* sample S from the filesystem */
/* Per-client throughput: the mode's default (EFS: 500 / 1500 MiB/s). */
#define EFS_PER_CLIENT_BPS_DEFAULT	(~0ULL)
#define EFS_PER_CLIENT_BURSTING_BPS	(500ULL << 20)	/* bursting, provisioned */
#define EFS_PER_CLIENT_ELASTIC_BPS	(1500ULL << 20)
#define EFS_CLIENT_IDLE_S_DEFAULT	60U
/* Heads assumed before any grant told the membership: safe for two. */
#define EFS_CLUSTER_HEADS_DEFAULT	2U

enum efs_performance_mode {
	EFS_PERF_GENERAL_PURPOSE,	/* "generalPurpose" */
	EFS_PERF_MAX_IO,		/* "maxIO" */
	__EFS_PERF_MAX,
};

enum efs_throughput_mode {
	EFS_TP_BURSTING,		/* "bursting" */
	EFS_TP_PROVISIONED,		/* "provisioned" */
	EFS_TP_ELASTIC,			/* "elastic" */
	__EFS_TP_MAX,
};

/*
 * EFS_A_FS_AT_REST_POLICY: whether the export must be encrypted at rest
 * with AES-256.  The module only keeps it (FS_GET reports it, a state
 * restore carries it); efsctl checks the export at add, set and apply.
 */
enum efs_at_rest_policy {
	EFS_AT_REST_OPTIONAL,		/* "optional" */
	EFS_AT_REST_REQUIRED,		/* "required" */
	__EFS_AT_REST_MAX,
};

/*
 * EFS_A_FS_TRANSIT_POLICY: whether the filesystem's requests must arrive
 * on an RPC-with-TLS session (RFC 9289; knfsd's server side is Linux
 * 6.4+). With "required", the module refuses any other request as knfsd
 * refuses an xprtsec= mismatch (NFS4ERR_WRONGSEC, NFS3ERR_ACCES); lockd's
 * requests are exempt, as in knfsd. A kernel without server-side TLS
 * refuses "required" (EFS_A_SERVER_TLS_SUPPORTED 0).
 */
enum efs_transit_policy {
	EFS_TRANSIT_OPTIONAL,		/* "optional" */
	EFS_TRANSIT_REQUIRED,		/* "required" */
	__EFS_TRANSIT_MAX,
};

/*
 * EFS_A_FS_SCOPE: whether the filesystem's budget is this head's alone or
 * shared with other heads serving it (efs-clusterd, EFS_CMD_FS_GRANT).
 */
enum efs_scope {
	EFS_SCOPE_LOCAL,		/* "local" */
	EFS_SCOPE_CLUSTER,		/* "cluster" */
	__EFS_SCOPE_MAX,
};

/* EFS_A_GRANT_STATE: where a cluster filesystem's lease is. */
enum efs_grant_state {
	EFS_GRANT_STATE_PRE,		/* "pre-grant": safe share, hint */
	EFS_GRANT_STATE_GRANTED,	/* "granted": the lease holds */
	EFS_GRANT_STATE_SAFE,		/* "safe": lapsed, min(grant, share) */
	EFS_GRANT_STATE_ZERO,		/* "zero": past the forget time */
	__EFS_GRANT_STATE_MAX,
};

enum efs_event_type {
	EFS_EVENT_FS_ADDED = 1,
	EFS_EVENT_FS_CHANGED,
	EFS_EVENT_FS_REMOVED,
	EFS_EVENT_CREDITS_LOW,		/* value: balance in bytes */
	EFS_EVENT_CREDITS_EXHAUSTED,	/* value: balance in bytes */
	EFS_EVENT_THROTTLE_START,	/* value: throttled ops in last interval */
	EFS_EVENT_THROTTLE_STOP,	/* value: total throttled ops */
	EFS_EVENT_LEASE_EXPIRED,	/* value: safe share, units/s now in force */
	EFS_EVENT_LEASE_FORGOTTEN,	/* value: units/s now in force (1) */
	EFS_EVENT_CLUSTER_HEADS,	/* value: heads in the membership now */
	EFS_EVENT_GRANT_CHANGED,	/* value: units/s granted now */
	__EFS_EVENT_MAX,
};

/* Bits of EFS_A_FEATURES. */
#define EFS_FEATURE_PERF_MODES		(1U << 0)
#define EFS_FEATURE_THROUGHPUT_MODES	(1U << 1)
#define EFS_FEATURE_METRICS		(1U << 2)
#define EFS_FEATURE_EVENTS		(1U << 3)
#define EFS_FEATURE_CLIENT_CEILINGS	(1U << 4)	/* per-client bps/IOPS */
#define EFS_FEATURE_CLIENT_STATS	(1U << 5)	/* EFS_CMD_CLIENT_GET */
#define EFS_FEATURE_FAIR_QUEUEING	(1U << 6)	/* clients share a budget */
#define EFS_FEATURE_THREAD_BUDGET	(1U << 7)	/* server-wide waiting bound */
#define EFS_FEATURE_BACK_PRESSURE	(1U << 8)	/* NFSv4.1 session slots */
#define EFS_FEATURE_TLS_TRANSIT		(1U << 9)	/* kernel has server TLS */
#define EFS_FEATURE_AT_REST_POLICY	(1U << 10)	/* kept for efsctl's check */
#define EFS_FEATURE_STATE_RESTORE	(1U << 11)	/* EFS_A_FS_COUNTER_BASE */
#define EFS_FEATURE_THROTTLED_NICE	(1U << 12)	/* waited requests at nice 19 */
#define EFS_FEATURE_CLUSTER_SCOPE	(1U << 13)	/* EFS_CMD_FS_GRANT, leases */
#define EFS_FEATURE_RW_IOPS		(1U << 14)	/* read and write budgets */

enum efs_attr {
	EFS_A_UNSPEC,
	EFS_A_PAD,

	/* version */
	EFS_A_VERSION,			/* string: module version */
	EFS_A_FEATURES,			/* u32: EFS_FEATURE_* */
	EFS_A_COMPAT_LAYOUT,		/* string: "struct.field=offset,..." */
	EFS_A_NFSD_HOOKED,		/* u8: 1 when knfsd is hooked */

	/* filesystem identity */
	EFS_A_FS_NAME,			/* string */
	EFS_A_FS_PATH,			/* string: export root */

	/* configuration (add/set/get) */
	EFS_A_FS_PERFORMANCE_MODE,	/* u32: enum efs_performance_mode */
	EFS_A_FS_IOPS_LIMIT,		/* u32: units/s, 0 = mode default */
	EFS_A_FS_WRITE_OP_WEIGHT,	/* u32: 1..EFS_WRITE_WEIGHT_MAX */
	EFS_A_FS_MAX_WAIT_MS,		/* u32: 0..EFS_MAX_WAIT_MS_MAX */
	EFS_A_FS_MAX_WAITERS,		/* u32: 0 = half of nfsd's threads */
	EFS_A_FS_THROUGHPUT_MODE,	/* u32: enum efs_throughput_mode */
	EFS_A_FS_PROVISIONED_BPS,	/* u64: bytes/s, provisioned mode */
	EFS_A_FS_METERED_SIZE,		/* u64: S in bytes, or EFS_METERED_SIZE_AUTO */
	EFS_A_FS_BURST_CREDIT_BALANCE,	/* u64: bytes (set: new balance) */
	EFS_A_FS_READ_METERING_RATIO,	/* u32: 1..EFS_READ_RATIO_MAX */
	EFS_A_FS_SIZE_SAMPLE_MS,	/* u32: how often S is sampled */
	EFS_A_FS_CREDIT_LOW_PCT,	/* u32: CREDITS_LOW threshold, % of max */

	/* live state (get) */
	EFS_A_FS_IOPS_EFFECTIVE,	/* u32: units/s in force, 0 = none */
	EFS_A_FS_SIZE_BYTES,		/* u64: S in force (SizeInBytes) */
	EFS_A_FS_PERMITTED_THROUGHPUT,	/* u64: bytes/s, 0 = unlimited */
	EFS_A_FS_BASELINE_THROUGHPUT,	/* u64: bytes/s */
	EFS_A_FS_BURST_THROUGHPUT,	/* u64: bytes/s */
	EFS_A_FS_BURST_CREDIT_MAX,	/* u64: bytes */
	EFS_A_FS_PERCENT_IO_LIMIT,	/* u32: hundredths of a percent */
	EFS_A_FS_CLIENT_CONNECTIONS,	/* u32 */
	EFS_A_FS_THROTTLING,		/* u8: 1 while requests are throttled */
	EFS_A_FS_TIME_NS,		/* u64: ktime_get_ns() of this snapshot */

	/* counters (get); monotonic for the filesystem's lifetime */
	EFS_A_FS_DATA_READ_BYTES,	/* u64 */
	EFS_A_FS_DATA_READ_OPS,		/* u64 */
	EFS_A_FS_DATA_WRITE_BYTES,	/* u64 */
	EFS_A_FS_DATA_WRITE_OPS,	/* u64 */
	EFS_A_FS_METADATA_BYTES,	/* u64 */
	EFS_A_FS_METADATA_OPS,		/* u64 */
	EFS_A_FS_TOTAL_BYTES,		/* u64 */
	EFS_A_FS_METERED_BYTES,		/* u64 */
	EFS_A_FS_IO_UNITS,		/* u64: ops-budget units charged */
	EFS_A_FS_THROTTLED_OPS,		/* u64: requests that waited */
	EFS_A_FS_THROTTLE_DELAY_NS,	/* u64: total time waited */
	EFS_A_FS_DELAY_REPLIES,		/* u64: NFS4ERR_DELAY/NFS3ERR_JUKEBOX */
	EFS_A_FS_WAIT_HIST,		/* u64, multi-attr: EFS_WAIT_HIST_BUCKETS */

	/* events */
	EFS_A_EVENT_TYPE,		/* u32: enum efs_event_type */
	EFS_A_EVENT_VALUE,		/* u64 */
	EFS_A_EVENT_TIME_NS,		/* u64: ktime_get_real_ns() */

	/* state restore */
	EFS_A_FS_COUNTER_BASE,		/* nest (FS_ADD only): counters to start from */

	/* noisy neighbours: per-client ceilings and the client table (fs) */
	EFS_A_FS_PER_CLIENT_BPS,	/* u64: bytes/s, 0 = none, ~0 = default */
	EFS_A_FS_PER_CLIENT_IOPS,	/* u32: units/s, 0 = none */
	EFS_A_FS_CLIENT_IDLE_S,		/* u32: aged out after this idle time */
	EFS_A_FS_PER_CLIENT_BPS_EFFECTIVE, /* u64: bytes/s in force, 0 = none */
	EFS_A_FS_CLIENT_CONNECTIONS_LOWER_BOUND, /* u8: 1 = table was full */
	EFS_A_FS_WAITING_THREADS,	/* u32: nfsd threads waiting now */
	EFS_A_FS_DISPLACED,		/* u64: waits given up for fairness */

	/* the server (SERVER_GET/SET) */
	EFS_A_SERVER_MAX_WAITING_THREADS, /* u32: 0 = half of nfsd's threads */
	EFS_A_SERVER_MAX_WAITING_EFFECTIVE, /* u32: the bound in force */
	EFS_A_SERVER_NFSD_THREADS,	/* u32: nfsd's threads, as last seen */
	EFS_A_SERVER_WAITING_THREADS,	/* u32: threads waiting in efs now */
	EFS_A_SERVER_DISPLACED,		/* u64: waits given up for fairness */
	EFS_A_SERVER_CLIENTS,		/* u32: client entries, all filesystems */
	EFS_A_SERVER_CLIENTS_MAX,	/* u32: their bound */
	EFS_A_SERVER_CLIENT_BYTES,	/* u32: memory of one entry */
	EFS_A_SERVER_PRESSURE_REPLIES,	/* u64: SEQUENCE replies asking for fewer slots */
	EFS_A_SERVER_PRESSURE_SLOTS,	/* u32: the slots asked for */

	/* one client (CLIENT_GET) */
	EFS_A_CLIENT_ADDR,		/* string: address, or "other" */
	EFS_A_CLIENT_OPS,		/* u64: requests */
	EFS_A_CLIENT_METERED_BYTES,	/* u64 */
	EFS_A_CLIENT_OPS_PER_SECOND,	/* u32: over the last second */
	EFS_A_CLIENT_METERED_BPS,	/* u64: over the last second */
	EFS_A_CLIENT_THROTTLED_OPS,	/* u64: requests that waited */
	EFS_A_CLIENT_DELAY_REPLIES,	/* u64 */
	EFS_A_CLIENT_IDLE_MS,		/* u64: since it was last seen */
	EFS_A_CLIENT_OVERFLOW,		/* u8: stands for clients past the bound */

	/* compat (issue 9) */
	EFS_A_COMPAT_NAME,		/* string: knfsd compat range, "knfsd-6.12.101" */
	EFS_A_COMPAT_CHECKED,		/* string: "btf" or "compiled-in" */
	EFS_A_COMPAT_PROTOS,		/* string: "name=ret(args);..." (BTF terms) */
	EFS_A_COMPAT_VERIFIED,		/* u8: 1 if the range was verified in source */

	/* the server, added later (SERVER_GET) */
	EFS_A_SERVER_PRESSURE_WITHHELD,	/* u64: replies left alone: shared session */

	/* configuration (add/set/get), appended */
	EFS_A_FS_AT_REST_POLICY,	/* u8: enum efs_at_rest_policy */

	/* encryption in transit (RPC-with-TLS) */
	EFS_A_FS_TRANSIT_POLICY,	/* u8: enum efs_transit_policy (add/set/get) */
	EFS_A_FS_TLS_OPS,		/* u64: requests that came over TLS (get) */
	EFS_A_FS_PLAINTEXT_REFUSED,	/* u64: requests refused: not TLS (get) */
	EFS_A_FS_TLS_CLIENTS,		/* u32: active clients last seen over TLS */
	EFS_A_CLIENT_TLS,		/* u8: its last request came over TLS */
	EFS_A_CLIENT_TLS_OPS,		/* u64: its requests that came over TLS */
	EFS_A_CLIENT_PLAINTEXT_REFUSED,	/* u64: its requests refused: not TLS */
	EFS_A_SERVER_TLS_SUPPORTED,	/* u8: 1 if the kernel has server TLS */
	EFS_A_CLIENT_BACKPRESSURE_SLOTS, /* u32: session slots asked of it, 0 = not held */
	EFS_A_SERVER_WAITING_PEAK,	/* u32: most waiting at once, this bound */

	/* several heads (issue 26): scope (add/set/get) and grants */
	EFS_A_FS_SCOPE,			/* u8: enum efs_scope */
	EFS_A_FS_CLUSTER_HEADS,		/* u32: heads assumed before a grant */
	EFS_A_GRANT_IOPS,		/* u64: units/s granted (FS_GRANT, get) */
	EFS_A_GRANT_BPS,		/* u64: metered bytes/s granted */
	EFS_A_GRANT_LEASE_MS,		/* u32: lease (FS_GRANT) */
	EFS_A_GRANT_HEADS,		/* u32: heads in the membership */
	EFS_A_GRANT_EXPIRES_MS,		/* u32: lease left (get), 0 = none */
	EFS_A_GRANT_FORGET_MS,		/* u32: then 1 unit/s (FS_GRANT), 0 = never */
	EFS_A_GRANT_STATE,		/* u8: enum efs_grant_state (get) */

	/* EFS's read and write IOPS limits (issue 27): see the defaults */
	EFS_A_FS_READ_IOPS_LIMIT,	/* u32: ops/s, 0 = throughput mode's (add/set/get) */
	EFS_A_FS_WRITE_IOPS_LIMIT,	/* u32: ops/s, 0 = throughput mode's (add/set/get) */
	EFS_A_FS_READ_IOPS_EFFECTIVE,	/* u32: ops/s in force, 0 = none (get) */
	EFS_A_FS_WRITE_IOPS_EFFECTIVE,	/* u32: ops/s in force, 0 = none (get) */

	__EFS_A_MAX,
};
#define EFS_A_MAX (__EFS_A_MAX - 1)

enum efs_cmd {
	EFS_CMD_UNSPEC,
	EFS_CMD_VERSION_GET,
	EFS_CMD_FS_ADD,
	EFS_CMD_FS_SET,
	EFS_CMD_FS_DEL,
	EFS_CMD_FS_GET,
	EFS_CMD_EVENT,
	EFS_CMD_SERVER_GET,
	EFS_CMD_SERVER_SET,
	EFS_CMD_CLIENT_GET,
	EFS_CMD_FS_GRANT,
	__EFS_CMD_MAX,
};
#define EFS_CMD_MAX (__EFS_CMD_MAX - 1)

#endif /* _UAPI_LINUX_EFS_H */
