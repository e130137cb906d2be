// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace micro-benchmark of module/limiter.c, compiled unchanged against
 * tests/bench/kshim.h (see limiter_bench.sh).
 *
 * Measures ns per efs_bucket_charge() (one shared atomic) and per
 * efs_pcpu_bucket_charge() with 1 and 2 threads hammering one bucket, each
 * thread pinned to its own CPU.  The clock is synthetic (now advances by
 * one ns per call) so only the limiter is timed; a third figure adds a
 * clock_gettime(CLOCK_MONOTONIC) per call, as the module's ktime_get() does.
 * Each figure is the median of 5 runs.
 *
 * Output lines: "<metric> threads=<n> value=<ns>".
 * Usage: limiter_bench [iterations per thread, default 5000000]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* must precede kshim.h: see limiter_bench.sh */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "limiter.h"

#define RUNS		5
#define MAX_THREADS	2

__thread int efs_shim_cpu;

enum mode { BUCKET, BUCKET_CLOCK, PCPU };

static struct {
	struct efs_bucket b __attribute__((aligned(64)));
	struct efs_pcpu_bucket pb __attribute__((aligned(64)));
} bench;

static pthread_barrier_t barrier;
static long iterations = 5000000;
static enum mode mode;
static u64 sink;

static u64 mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

struct worker {
	pthread_t thread;
	int cpu;
	double ns_per_op;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	u64 base = 1000ULL * NSEC_PER_SEC, acc = 0, t0, t1;
	cpu_set_t set;
	long i;

	CPU_ZERO(&set);
	CPU_SET(w->cpu % sysconf(_SC_NPROCESSORS_ONLN), &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	efs_shim_cpu = w->cpu;

	pthread_barrier_wait(&barrier);
	t0 = mono_ns();
	switch (mode) {
	case BUCKET:
		for (i = 0; i < iterations; i++)
			acc += efs_bucket_charge(&bench.b, 1, base + i);
		break;
	case BUCKET_CLOCK:
		for (i = 0; i < iterations; i++)
			acc += efs_bucket_charge(&bench.b, 1, mono_ns());
		break;
	case PCPU:
		for (i = 0; i < iterations; i++)
			acc += efs_pcpu_bucket_charge(&bench.pb, 1, base + i);
		break;
	}
	t1 = mono_ns();
	__atomic_fetch_add(&sink, acc, __ATOMIC_RELAXED);
	w->ns_per_op = (double)(t1 - t0) / iterations;
	return NULL;
}

static double run_once(enum mode m, int threads)
{
	struct worker w[MAX_THREADS];
	u64 now = m == BUCKET_CLOCK ? mono_ns() : 1000ULL * NSEC_PER_SEC;
	double sum = 0;
	int i;

	/* Fast enough that the bucket is neither always full nor idle. */
	efs_bucket_init(&bench.b, 1000000000ULL, 1000000, now);
	if (efs_pcpu_bucket_init(&bench.pb, 1000000000ULL, 1000000, 64, now)) {
		fprintf(stderr, "alloc failed\n");
		exit(1);
	}
	mode = m;
	pthread_barrier_init(&barrier, NULL, threads);
	for (i = 0; i < threads; i++) {
		w[i].cpu = i;
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		sum += w[i].ns_per_op;
	}
	pthread_barrier_destroy(&barrier);
	efs_pcpu_bucket_destroy(&bench.pb);
	return sum / threads;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void measure(const char *metric, enum mode m, int threads)
{
	double v[RUNS];
	int i;

	for (i = 0; i < RUNS; i++)
		v[i] = run_once(m, threads);
	qsort(v, RUNS, sizeof(v[0]), cmp_double);
	printf("%s threads=%d value=%.1f\n", metric, threads, v[RUNS / 2]);
	fflush(stdout);
}

/* The shim must not change the arithmetic: spot-check a few results. */
static void self_check(void)
{
	static const struct { u64 cost, rate, ns; } c[] = {
		{ 1, 3, 333333334 },
		{ U64_MAX, 1, U64_MAX },
		{ U64_MAX, 3000000000ULL, U64_MAX / 3 },
		{ 20000000000ULL, 3, 6666666666666666667ULL },
		{ 1ULL << 40, 1ULL << 50, 976563 },
	};
	struct efs_bucket b;
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (efs_cost_to_ns(c[i].cost, c[i].rate) != c[i].ns) {
			fprintf(stderr, "self-check %u failed\n", i);
			exit(1);
		}
	}
	efs_bucket_init(&b, 100, 10, 1000);
	if (efs_bucket_charge(&b, 10, 1000) != 0 ||
	    efs_bucket_charge(&b, 1, 1000) != NSEC_PER_SEC / 100) {
		fprintf(stderr, "self-check bucket failed\n");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		iterations = strtol(argv[1], NULL, 0);
	if (iterations <= 0) {
		fprintf(stderr, "usage: %s [iterations]\n", argv[0]);
		return 2;
	}
	self_check();
	measure("limiter_charge_ns", BUCKET, 1);
	measure("limiter_charge_ns", BUCKET, 2);
	measure("limiter_charge_clock_ns", BUCKET_CLOCK, 1);
	measure("limiter_charge_clock_ns", BUCKET_CLOCK, 2);
	measure("limiter_pcpu_charge_ns", PCPU, 1);
	measure("limiter_pcpu_charge_ns", PCPU, 2);
	return 0;
}
