// SPDX-License-Identifier: GPL-2.0
/*
 * fs stats NAME [--json] [--watch SECONDS]
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "efsctl.h"
#include "fs_get.h"
#include "fs_opts.h"
#include "print.h"
#include "sig.h"
#include "units.h"

const char cmd_fs_stats_usage[] =
"Usage: efsctl fs stats NAME [--json] [--watch SECONDS]\n"
"\n"
"Show the counters and gauges of filesystem NAME (CloudWatch metric\n"
"names: DataReadIOBytes, MeteredIOBytes, BurstCreditBalance,\n"
"PermittedThroughput, PercentIOLimit, ThrottledOperations, ...) and\n"
"those of encryption in transit: TlsRequests, PlaintextRequestsRefused,\n"
"TlsClientConnections.\n"
"\n"
"Options:\n"
"  --json             JSON instead of a table; with --watch one object per\n"
"                     line, its per-second rates under \"Rates\"\n"
"  --watch SECONDS    every SECONDS (0.1..86400, may be fractional) print\n"
"                     totals and per-second rates until interrupted\n"
"  -h, --help\n";

static const struct opt_def stats_opts[] = {
	{ "json", 0, false, FS_OPT_JSON },
	{ "watch", 0, true, FS_OPT_WATCH },
	{ NULL, 0, false, 0 },
};

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Fetch one record into *fs; *mono is when (if the kernel gave no time). */
static int sample(struct efs_nl *nl, const char *name, struct efs_fs_info *fs,
		  uint64_t *mono)
{
	struct efs_fs_list l = { 0 };
	int err;

	err = efs_fs_get(nl, name, &l);
	*mono = clock_ns(CLOCK_MONOTONIC);
	if (!err && l.n != 1)
		err = -EBADMSG;
	if (err)
		efs_report_nl_error(nl, err, name);
	else
		*fs = l.v[0];
	efs_fs_list_free(&l);
	return err;
}

static int watch(struct efs_nl *nl, const char *name, struct out *out,
		 uint64_t interval_ms)
{
	static struct efs_fs_info a, b;
	struct efs_fs_info *prev = &a, *cur = &b, *t;
	uint64_t prev_mono, cur_mono, elapsed;
	sigset_t waitmask;

	if (efs_sig_setup(&waitmask)) {
		efs_err("cannot set up signal handling");
		return EXIT_FAIL;
	}
	if (sample(nl, name, prev, &prev_mono))
		return EXIT_FAIL;
	for (;;) {
		if (efs_sig_sleep(interval_ms, &waitmask))
			return EXIT_OK;	/* interrupted: a normal end */
		if (sample(nl, name, cur, &cur_mono))
			return EXIT_FAIL;
		/* the kernel's snapshot times are exact; else use ours */
		if (cur->time_ns > prev->time_ns && prev->time_ns)
			elapsed = cur->time_ns - prev->time_ns;
		else
			elapsed = cur_mono - prev_mono;
		if (!out->json)
			out_text(out, "\n");
		efs_print_stats(out, cur, prev, elapsed ? elapsed : 1,
				clock_ns(CLOCK_REALTIME));
		fflush(out->f);
		t = prev, prev = cur, cur = t;
		prev_mono = cur_mono;
	}
}

int cmd_fs_stats(int argc, char **argv)
{
	static struct efs_fs_info fs;
	const char *name, *watch_arg = NULL;
	uint64_t interval_ms = 0, mono;
	bool json = false;
	struct efs_nl nl;
	struct out out;
	struct opts o;
	int i, ret;

	if (opts_parse(stats_opts, argc, argv, &o))
		return EXIT_FAIL;
	for (i = 0; i < o.nhits; i++) {
		if (o.hits[i].def->id == FS_OPT_JSON)
			json = true;
		else if (o.hits[i].def->id == FS_OPT_WATCH)
			watch_arg = o.hits[i].value;
	}
	if (o.npos < 1) {
		efs_err("missing NAME");
		return EXIT_FAIL;
	}
	if (o.npos > 1) {
		efs_err("unexpected argument '%s'", o.pos[1]);
		return EXIT_FAIL;
	}
	name = o.pos[0];
	if (!efs_name_valid(name)) {
		efs_err("invalid name '%s': use 1-%d characters of A-Z a-z 0-9 . _ -",
			name, EFS_FS_NAME_MAX);
		return EXIT_FAIL;
	}
	if (watch_arg &&
	    efs_parse_seconds(watch_arg, 100, 86400000, &interval_ms)) {
		efs_err("--watch: invalid value '%s' (expected seconds, 0.1..86400)",
			watch_arg);
		return EXIT_FAIL;
	}

	if (efs_connect(&nl))
		return EXIT_FAIL;
	/* streams are compact, one object per line */
	out_init(&out, stdout, json, !watch_arg);
	if (watch_arg) {
		ret = watch(&nl, name, &out, interval_ms);
	} else if (sample(&nl, name, &fs, &mono)) {
		ret = EXIT_FAIL;
	} else {
		efs_print_stats(&out, &fs, NULL, 0, 0);
		ret = EXIT_OK;
	}
	efs_nl_close(&nl);
	return ret;
}
