/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One head's engine: the replicated state (state.h) plus what is local to
 * this head: joining and syncing, when to report, the lease anchor, the
 * quorum gate, the timers of departed heads, and what it pushes to its
 * kernel. No I/O of its own: corosync, the clock and the backend reach it
 * through calls and the ops below, so the daemon, the unit tests and the
 * scale simulation all run the very same code.
 *
 * Leases. A grant pushed to the kernel expires at anchor + lease, where the
 * anchor is the time this head sent its own latest message that it has
 * seen delivered back in the agreed order. Any other head that processes
 * this head's departure or eviction does so after that message was sent,
 * so "my local time of the departure + lease (+ corosync's detection time
 * when the node itself was cut off)" is after this head's kernel stopped
 * using the grant. Grants are renewed only while this head's side is
 * quorate for the current ring; without quorum a grant can only fall.
 */
#ifndef ECL_NODE_H
#define ECL_NODE_H

#include "ecl.h"
#include "state.h"

#define ECL_NEVER	UINT64_MAX

/* What one head's kernel is told for one shared filesystem. */
struct ecl_grant {
	uint64_t ops, bytes;		/* grant (bytes ECL_UNLIMITED: none) */
	uint64_t safe_ops, safe_bytes;	/* after the lease: min(grant, safe) */
	uint64_t expires_us;		/* lease end, node clock */
	uint64_t forget_us;		/* then zero; ECL_NEVER = keep safe */
	uint64_t balance;		/* the cluster's credit balance */
	uint64_t budget_ops, budget_bytes;
	uint32_t heads;			/* the safe share's divisor: the larger
					 * of the last two rounds' active heads,
					 * so budget / heads <= the safe share */
	uint8_t mismatch;		/* settings differ from the cluster's */
};

/* A shared filesystem as this head's kernel has it. */
struct ecl_local_fs {
	char name[ECL_FS_NAME_MAX + 1];
	struct ecl_settings set;
	uint64_t size;		/* stored bytes */
	uint64_t balance;	/* credit balance (restored from saved state) */
};

/* Usage of one filesystem since the previous call. */
struct ecl_usage {
	uint16_t flags;		/* ECL_USE_HELD_* */
	uint16_t clients;
	uint32_t units;
	uint64_t bytes;
	uint64_t size;
};

enum ecl_log_level { ECL_LOG_EVENT, ECL_LOG_INFO, ECL_LOG_DEBUG };

struct ecl_node_ops {
	/* multicast to the group in agreed order; 0 or -errno */
	int (*send)(void *ctx, const void *buf, size_t len);
	void (*usage)(void *ctx, const char *fs, uint64_t now_us,
		      struct ecl_usage *u);
	void (*grant)(void *ctx, const char *fs, const struct ecl_grant *g,
		      uint64_t now_us);
	/*
	 * What the kernel admits for fs right now (the grant in force, its
	 * safe share after the lease, or 0), whoever told it: a daemon that
	 * (re)joins declares it so that the others only rise into the rest.
	 */
	void (*holds)(void *ctx, const char *fs, uint64_t now_us,
		      uint64_t *ops, uint64_t *bytes);
	void (*log)(void *ctx, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
};

struct ecl_node_conf {
	uint32_t tick_ms, lease_ms, forget_ms, detect_ms;
	uint8_t strict;
	char name[ECL_NODE_NAME_MAX + 1];
	struct ecl_state_params par;
	uint32_t nslots;	/* 0 = ECL_MAX_MEMBERS */
};

struct ecl_ring {
	uint32_t nodeid;
	uint64_t seq;
};

struct ecl_node_stats {
	uint64_t sent_msgs, sent_bytes, recv_msgs, recv_bytes;
	uint64_t rounds, installs, refused;
	uint64_t sent_by_type[ECL_MSG_MAX_TYPE + 1];
	uint64_t bytes_by_type[ECL_MSG_MAX_TYPE + 1];
};

struct ecl_node;

struct ecl_node *ecl_node_new(const struct ecl_node_conf *conf,
			      const struct ecl_node_ops *ops, void *ctx);
void ecl_node_free(struct ecl_node *n);
void ecl_node_set_self(struct ecl_node *n, uint32_t nodeid, uint32_t pid);
/* the cluster's configured node ids (corosync's nodelist) */
void ecl_node_set_expected(struct ecl_node *n, const uint32_t *nodeids,
			   uint32_t count);
void ecl_node_confchg(struct ecl_node *n, const struct ecl_addr *members,
		      size_t nm, const struct ecl_addr *left, size_t nl,
		      const struct ecl_addr *joined, size_t nj, uint64_t now);
void ecl_node_deliver(struct ecl_node *n, uint32_t nodeid, uint32_t pid,
		      const void *buf, size_t len, uint64_t now);
/* the quorum service's verdict for a ring, and CPG's current ring */
void ecl_node_quorum(struct ecl_node *n, bool quorate,
		     const struct ecl_ring *ring, uint64_t now);
void ecl_node_ring(struct ecl_node *n, const struct ecl_ring *ring,
		   uint64_t now);
/* the shared filesystems this head serves (replaces the previous list) */
void ecl_node_set_local(struct ecl_node *n, const struct ecl_local_fs *fs,
			uint32_t count, uint64_t now);
/* timers; returns when it wants to be called next */
uint64_t ecl_node_tick(struct ecl_node *n, uint64_t now);
/* the connection to corosync is gone: drop the group state */
void ecl_node_disconnected(struct ecl_node *n, uint64_t now);

const struct ecl_state *ecl_node_state(const struct ecl_node *n);
bool ecl_node_synced(const struct ecl_node *n);
bool ecl_node_gated(const struct ecl_node *n);
bool ecl_node_quorate(const struct ecl_node *n);
int ecl_node_self_slot(const struct ecl_node *n);
uint32_t ecl_node_nodeid(const struct ecl_node *n);
const struct ecl_node_stats *ecl_node_stats(const struct ecl_node *n);
/* the grant last pushed for fs, or NULL */
const struct ecl_grant *ecl_node_pushed(const struct ecl_node *n,
					const char *fs);
/* sig of a membership: the same on every member */
uint64_t ecl_members_sig(const struct ecl_addr *m, size_t n);

#endif /* ECL_NODE_H */
