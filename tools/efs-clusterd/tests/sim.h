/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated corosync for the engines of node.c, in one process: one
 * agreed order per component, membership changes in that order, token-loss
 * stalls, partitions that cut the in-flight messages differently on each
 * side, quorum with a ring id, daemons and corosyncs killed and restarted.
 * Each head has a kernel model (grant, lease, safe share, forget time) and
 * a demand; the sum of the kernels' grants is checked against the budget
 * at every push.
 */
#ifndef ECL_SIM_H
#define ECL_SIM_H

#include "../node.h"

struct sim_conf {
	int nodes, nfs;
	uint32_t tick_ms, lease_ms, forget_ms;
	uint32_t detect_ms;	/* token loss to a new membership */
	uint32_t merge_ms;	/* a join or a heal to a new membership */
	uint32_t latency_us;	/* multicast delivery */
	uint32_t quorum_jitter_us; /* quorum notice after the ring change */
	uint32_t budget_ops;	/* iops limit of every filesystem */
	bool strict;
	bool quiet;		/* no engine logs */
	bool no_push_check;	/* sum checked by sim_check() only (scale) */
	uint64_t seed;
};

struct sim;

struct sim *sim_new(const struct sim_conf *c);
void sim_free(struct sim *s);
uint64_t sim_now(const struct sim *s);
/* runs everything due up to t (microseconds) */
void sim_run_until(struct sim *s, uint64_t t);
void sim_set_demand(struct sim *s, int node, int fs, uint64_t ops);
void sim_set_serves(struct sim *s, int node, int fs, bool serves,
		    const struct ecl_settings *set);
void sim_daemon_kill(struct sim *s, int node);
void sim_daemon_start(struct sim *s, int node);
/* stop the daemon's processing (a hang) or resume it */
void sim_daemon_hang(struct sim *s, int node, bool hang);
void sim_corosync_kill(struct sim *s, int node);
void sim_corosync_start(struct sim *s, int node);
/* side[i] in {0, 1}: cut the nodes of side 1 off the others */
void sim_partition(struct sim *s, const int *side);
void sim_heal(struct sim *s);

/* the kernel model */
uint64_t sim_in_force(const struct sim *s, int node, int fs);
uint64_t sim_sum_in_force(const struct sim *s, int fs);
uint64_t sim_budget(const struct sim *s, int fs);
bool sim_synced(const struct sim *s, int node);
struct ecl_node *sim_node(const struct sim *s, int node);

struct sim_stats {
	uint64_t pushes, violations, max_over;	/* over the budget */
	uint64_t disagreements;			/* digests differing */
	uint64_t deliveries;
	uint64_t cpu_ns;			/* inside the engines */
	uint64_t cpu_round_ns;			/* deliveries completing rounds */
	uint64_t round_deliveries;
};
const struct sim_stats *sim_stats(const struct sim *s);
/* the sum of the kernels' grants against the budget, now; false if over */
bool sim_check(struct sim *s);
/* compares the digests of synced heads of each component */
bool sim_states_agree(struct sim *s);

#endif /* ECL_SIM_H */
