// SPDX-License-Identifier: GPL-2.0
/*
 * Scale by simulation (issue 26): N heads x F shared filesystems on the
 * simulated corosync of sim.c, running the daemon's own engine. Prints:
 * messages and bytes per second per head (sent and received), CPU per
 * round per head, the size of a state transfer, and how many ticks a
 * demand shift takes to settle.
 *   tests/scale [-n HEADS] [-f FILESYSTEMS] [-a ACTIVE_PERCENT] [-s SECONDS]
 * ACTIVE_PERCENT: share of the filesystems with clients on a head (the
 * rest idle: an idle filesystem is left out of the head's report).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim.h"

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void totals(struct sim *s, int n, uint64_t *msgs, uint64_t *bytes,
		   uint64_t *rmsgs, uint64_t *rbytes, uint64_t *rounds)
{
	*msgs = *bytes = *rmsgs = *rbytes = *rounds = 0;
	for (int i = 0; i < n; i++) {
		const struct ecl_node_stats *st;

		if (!sim_node(s, i))
			continue;
		st = ecl_node_stats(sim_node(s, i));
		*msgs += st->sent_msgs;
		*bytes += st->sent_bytes;
		*rmsgs += st->recv_msgs;
		*rbytes += st->recv_bytes;
		*rounds += st->rounds;
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int heads = 32, nfs = 1000, active = 100, secs = 5, opt;
	struct sim_conf c = {
		.tick_ms = 200, .lease_ms = 4000, .forget_ms = 12000,
		.detect_ms = 2200, .merge_ms = 1500, .latency_us = 500,
		.quorum_jitter_us = 20000, .budget_ops = 1000, .strict = true,
		.quiet = true, .no_push_check = true, .seed = 42,
	};
	uint64_t m0, b0, rm0, rb0, r0, m1, b1, rm1, rb1, r1, cpu0, t0, tick;
	uint64_t *settle, floor_total;
	double wall0, wall1, secs_sim;
	struct sim *s;

	while ((opt = getopt(argc, argv, "n:f:a:s:")) != -1) {
		switch (opt) {
		case 'n': heads = atoi(optarg); break;
		case 'f': nfs = atoi(optarg); break;
		case 'a': active = atoi(optarg); break;
		case 's': secs = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: scale [-n HEADS] [-f FILESYSTEMS] [-a ACTIVE%%] [-s SECONDS]\n");
			return 1;
		}
	}
	if (heads < 2 || heads > 32 || nfs < 1 || nfs > ECL_MAX_FS ||
	    active < 0 || active > 100 || secs < 1) {
		fprintf(stderr, "scale: 2..32 heads, 1..%d filesystems\n",
			ECL_MAX_FS);
		return 1;
	}
	c.nodes = heads;
	c.nfs = nfs;
	tick = c.tick_ms * 1000ULL;
	printf("scale: %d heads x %d shared filesystems, %d%% of them busy on each head, tick %u ms\n",
	       heads, nfs, active, c.tick_ms);
	wall0 = cpu_s();
	s = sim_new(&c);
	sim_run_until(s, sim_now(s) + 4000000);	/* start, sync, declare */
	for (int i = 0; i < heads; i++)
		if (!sim_synced(s, i)) {
			printf("FAIL scale: head %d not synced after 4 s\n", i + 1);
			return 1;
		}
	/* every head busy on `active` % of the filesystems, 20% over its share */
	for (int i = 0; i < heads; i++)
		for (int f = 0; f < nfs; f++)
			if ((f * 7 + i * 13) % 100 < active)
				sim_set_demand(s, i, f, c.budget_ops * 6 / 5 / heads + 1);
	sim_run_until(s, sim_now(s) + 2000000);

	/* steady state */
	totals(s, heads, &m0, &b0, &rm0, &rb0, &r0);
	cpu0 = sim_stats(s)->cpu_ns;
	t0 = sim_now(s);
	wall1 = cpu_s();
	for (uint64_t t = t0; t < t0 + (uint64_t)secs * 1000000; t += 100000) {
		sim_run_until(s, t);
		sim_check(s);
	}
	wall1 = cpu_s() - wall1;
	totals(s, heads, &m1, &b1, &rm1, &rb1, &r1);
	secs_sim = (sim_now(s) - t0) / 1e6;
	printf("per head: %.1f messages/s sent (%.0f bytes/s), %.0f messages/s received (%.0f bytes/s)\n",
	       (m1 - m0) / secs_sim / heads, (b1 - b0) / secs_sim / heads,
	       (rm1 - rm0) / secs_sim / heads, (rb1 - rb0) / secs_sim / heads);
	printf("rounds: %.2f/s; report: %.0f bytes (%.0f of them per busy filesystem entry)\n",
	       (r1 - r0) / secs_sim / heads,
	       (double)(b1 - b0) / (m1 - m0), 28.0);
	printf("CPU: %.3f ms per round per head (decoding every head's report and allocating %d filesystems), %.1f%% of one core per head\n",
	       (sim_stats(s)->cpu_ns - cpu0) / 1e6 / ((r1 - r0) ? (double)(r1 - r0) : 1),
	       nfs, (sim_stats(s)->cpu_ns - cpu0) / 1e9 / secs_sim / heads * 100);
	printf("simulation: %.1f s of CPU for %.0f s of %d heads\n", wall1,
	       secs_sim, heads);

	/* a demand shift: everything head 1 wanted moves to head 2 */
	for (int f = 0; f < nfs; f++) {
		sim_set_demand(s, 0, f, c.budget_ops * 2);
		for (int i = 1; i < heads; i++)
			sim_set_demand(s, i, f, 0);
	}
	sim_run_until(s, sim_now(s) + 3000000);
	settle = calloc(nfs, sizeof(*settle));
	/* heads other than the busy one keep their floor: 10% of an equal share */
	floor_total = (uint64_t)(heads - 1) * (c.budget_ops / 10 / heads + 1);
	t0 = sim_now(s);
	for (int f = 0; f < nfs; f++) {
		sim_set_demand(s, 0, f, 0);
		sim_set_demand(s, 1, f, c.budget_ops * 2);
	}
	for (uint64_t t = t0; t < t0 + 10000000; t += 10000) {
		int left = 0;

		sim_run_until(s, t);
		if ((t - t0) % 50000 == 0)
			sim_check(s);
		for (int f = 0; f < nfs; f++) {
			if (settle[f])
				continue;
			if (sim_in_force(s, 1, f) * 10 >=
			    (c.budget_ops - floor_total) * 9)
				settle[f] = t - t0;
			else
				left++;
		}
		if (!left)
			break;
	}
	qsort(settle, nfs, sizeof(*settle), cmp_u64);
	printf("demand shift head 1 -> head 2 on all %d filesystems: 90%% of the budget after %.2f s median, %.2f s max (%.1f / %.1f ticks; 0 = not settled in 10 s: %s)\n",
	       nfs, settle[nfs / 2] / 1e6, settle[nfs - 1] / 1e6,
	       (double)settle[nfs / 2] / tick, (double)settle[nfs - 1] / tick,
	       settle[0] ? "none" : "some");

	/* a head joins: the state it is sent */
	{
		uint64_t before = 0, after = 0, ti = sim_now(s);
		int k = heads - 1;

		for (int i = 0; i < heads; i++)
			if (sim_node(s, i) && i != k)
				before += ecl_node_stats(sim_node(s, i))->bytes_by_type[ECL_MSG_STATE];
		sim_daemon_kill(s, k);
		sim_run_until(s, sim_now(s) + 500000);
		sim_daemon_start(s, k);
		while (!sim_synced(s, k) && sim_now(s) < ti + 5000000)
			sim_run_until(s, sim_now(s) + 10000);
		for (int i = 0; i < heads; i++)
			if (sim_node(s, i) && i != k)
				after += ecl_node_stats(sim_node(s, i))->bytes_by_type[ECL_MSG_STATE];
		printf("a head rejoining: state transfer of %llu bytes, synced %.3f s after its start\n",
		       (unsigned long long)(after - before),
		       (sim_now(s) - ti - 500000) / 1e6);
	}
	{
		uint64_t v = sim_stats(s)->violations;

		printf("budget exceeded: %llu times (sampled every 50-100 ms) in %llu pushes\n",
		       (unsigned long long)v,
		       (unsigned long long)sim_stats(s)->pushes);
		printf("total CPU %.1f s\n", cpu_s() - wall0);
		free(settle);
		sim_free(s);
		return v ? 1 : 0;
	}
}
