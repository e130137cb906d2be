/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replicated state: what every head holds identically because it
 * applies the same CPG-ordered stream (membership changes, declarations,
 * reports, evictions, expiries) with the same deterministic code. Pure: no
 * I/O and no clock; node.c adds the local side (timers, leases, the kernel).
 *
 * Rounds: round R completes at the point of the stream where every
 * participant's report for R has been delivered. A report for R is sent
 * only after its sender processed round R-1, i.e. after its kernel holds
 * at most its grant of R-1. Grants of R obey the max rule (alloc.h), so
 * whichever of R-1 and R each head is at, the heads hold at most the budget.
 *
 * Departures: a participant that leaves (or is evicted as silent) becomes
 * an event that reserves, per filesystem, everything the remaining heads
 * did not hold (its grant and any headroom it might have risen into),
 * until any head reports that the departed lease must have run out; then
 * the safe share it may fall to; then, once the forget time has passed,
 * nothing (on-partition = strict) or still the safe share (available).
 */
#ifndef ECL_STATE_H
#define ECL_STATE_H

#include "ecl.h"
#include "alloc.h"
#include "proto.h"

/* Why a member left (CPG reasons, folded). */
enum ecl_reason {
	ECL_LEFT_PROC = 1,	/* the process left or died, its node is up */
	ECL_LEFT_NODE,		/* its node went down or was cut off */
	ECL_LEFT_SILENT,	/* evicted: stopped reporting */
};

struct ecl_addr {
	uint32_t nodeid, pid;
	uint32_t reason;	/* enum ecl_reason, for left members */
};

struct ecl_member {
	uint8_t used;		/* slot in use */
	uint32_t nodeid, pid;
	char name[ECL_NODE_NAME_MAX + 1];
	uint32_t lease_ms, forget_ms, detect_ms;
	uint8_t strict;
	uint8_t participant;	/* takes part in rounds (0: evicted) */
	uint8_t reported;	/* its report for the pending round is in */
	uint8_t rflags;		/* of that report (ECL_REP_*) */
	uint32_t interval_us;	/* of that report */
	uint64_t since_round;	/* first round it took part in */
};

/* One member's view of one filesystem. */
struct ecl_head {
	uint8_t declared;
	uint8_t ok;		/* settings agree with the reference */
	uint8_t has_use;	/* usage of the pending round is in */
	uint16_t flags, clients;
	uint32_t hash;
	uint32_t units;
	uint32_t stamp;		/* report that last touched it (dup check) */
	struct ecl_settings set;
	uint64_t size;
	uint64_t bytes;
	uint64_t rate_ops, rate_bytes;	/* of the last round */
	uint64_t used_ops, used_bytes;	/* smoothed, fed to the allocation */
	uint64_t g_ops, g_bytes;	/* grants in force from the last round */
	uint64_t d_ops, d_bytes;	/* demands of the last round (shown) */
};

struct ecl_fs {
	uint32_t id;
	char name[ECL_FS_NAME_MAX + 1];
	uint8_t has_ref, cold;
	uint32_t ref_hash;
	struct ecl_settings ref;
	uint64_t balance;	/* burst credits, bytes */
	uint64_t size;		/* S the budget is computed from */
	uint64_t budget_ops, budget_bytes;
	uint64_t res_ops, res_bytes;	/* reserved for departed heads */
	uint64_t safe_ops, safe_bytes;	/* budget / active heads */
	uint64_t safe_prev_ops, safe_prev_bytes;
	uint32_t n_active, n_active_prev;	/* this round's, the last */
	struct ecl_head *heads;	/* [nslots] */
};

struct ecl_ev_node {
	uint32_t nodeid, pid;
	uint32_t lease_ms, forget_ms, detect_ms;
	uint8_t strict, reason;
	uint8_t back;		/* this node takes part in rounds again */
};

struct ecl_ev_fs {
	uint32_t fs_id;
	uint64_t res0_ops, res0_bytes;
	uint64_t *safe_ops, *safe_bytes;	/* [nn] each */
};

/*
 * nn == 0: "unknown heads": quorum came back (or a cluster started cold)
 * while configured nodes are missing from the group; heads this state
 * never knew may hold grants from a side that was quorate meanwhile, so
 * everything the members do not hold stays reserved until their forget
 * time must have passed.
 */
struct ecl_event {
	uint32_t id;
	uint8_t stage;		/* 0 grants, 1 safe shares, 2 after forget */
	uint8_t nn;
	struct ecl_ev_node node[ECL_MAX_EVENT_NODES];
	uint32_t nfs;
	struct ecl_ev_fs *fs;
};

struct ecl_state_params {
	uint32_t min_share_pct;
	uint32_t headroom_pct;
};

struct ecl_state {
	struct ecl_state_params par;
	uint32_t nslots;
	uint32_t epoch;		/* installs of a state (sync) */
	uint64_t round;		/* last completed round; pending = round + 1 */
	uint32_t next_fs_id, next_event_id;
	uint8_t was_quorate;	/* the last round was quorate */
	uint32_t stamp;
	struct ecl_member members[ECL_MAX_MEMBERS];
	uint32_t nfs;
	struct ecl_fs **fs;	/* sorted by id */
	uint32_t *ids;		/* fs[i]->id, contiguous for the search */
	uint32_t *nidx;		/* by name: open addressing, index + 1 */
	uint32_t ncap;		/* power of two, > 2 x nfs */
	uint32_t nev;
	struct ecl_event ev[ECL_MAX_EVENTS];
};

void ecl_state_init(struct ecl_state *st, const struct ecl_state_params *par,
		    uint32_t nslots);
void ecl_state_free(struct ecl_state *st);
/* empty the state (keeps params), e.g. before a cold start */
void ecl_state_reset(struct ecl_state *st);

int ecl_state_slot(const struct ecl_state *st, uint32_t nodeid, uint32_t pid);
struct ecl_fs *ecl_state_fs(const struct ecl_state *st, uint32_t id);
struct ecl_fs *ecl_state_fs_by_name(const struct ecl_state *st,
				    const char *name);
uint32_t ecl_state_participants(const struct ecl_state *st);

/* Add a member as participant of the pending round (cold start, install). */
int ecl_state_add_member(struct ecl_state *st, const struct ecl_addr *a,
			 const struct ecl_hello *h);
/*
 * Members that left the group (one membership change): participants
 * become one departure event. Returns the event id, or 0 if none.
 */
uint32_t ecl_state_leave(struct ecl_state *st, const struct ecl_addr *left,
			 size_t n);
/* A declaration from the member in slot. Returns 0 or -errno. */
int ecl_state_declare(struct ecl_state *st, int slot,
		      const struct ecl_decl_entry *e, uint32_t n,
		      const char **why);
/*
 * A report from the member in slot. Returns 1 when it completed the
 * pending round (the state's round advanced), 0 if applied, -errno if
 * refused (stale or invalid: nothing changed).
 */
int ecl_state_report(struct ecl_state *st, int slot,
		     const struct ecl_report *m, const char **why);
/* Evict a silent participant; returns the event id or 0 if not evicted. */
uint32_t ecl_state_suspect(struct ecl_state *st, const struct ecl_suspect *m);
/* An evicted member takes part again from the pending round on. */
int ecl_state_rejoin(struct ecl_state *st, int slot);
/* Reservation of one filesystem by one event in its current stage. */
void ecl_event_reserved(const struct ecl_event *ev, uint32_t k,
			uint64_t *ops, uint64_t *bytes);
struct ecl_event *ecl_state_event(struct ecl_state *st, uint32_t id);
/* Completes the pending round if every participant reported: 1 if so. */
int ecl_state_try_complete(struct ecl_state *st);
/* The round completes (also exported for tests). */
void ecl_state_complete_round(struct ecl_state *st);

/* STATE message body (after the header and the sig). */
void ecl_state_encode(const struct ecl_state *st, struct ecl_wbuf *w);
/* Decodes into st (initialised with the same nslots); 0 or -EINVAL. */
int ecl_state_decode(struct ecl_state *st, struct ecl_rbuf *r,
		     const char **why);
/* A digest of the replicated state, for tests and the status output. */
uint64_t ecl_state_digest(const struct ecl_state *st);

#endif /* ECL_STATE_H */
