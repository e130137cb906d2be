// SPDX-License-Identifier: GPL-2.0
/*
 * monitor [--json]: print events from the "events" multicast group.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "efsctl.h"
#include "event.h"
#include "fs_opts.h"
#include "nl.h"
#include "sig.h"

const char cmd_monitor_usage[] =
"Usage: efsctl monitor [--json]\n"
"\n"
"Print events as they happen, one line each, until interrupted:\n"
"  2026-11-23T12:00:00.123Z home throttle-start value=42\n"
"Events: fs-added fs-changed fs-removed credits-low credits-exhausted\n"
"throttle-start throttle-stop lease-expired lease-forgotten cluster-heads\n"
"grant-changed. value: credits-low/credits-exhausted the balance in bytes,\n"
"throttle-start the requests throttled in the last interval, throttle-stop\n"
"the total throttled; of a cluster filesystem: lease-expired and\n"
"lease-forgotten the units/s now in force, cluster-heads the heads in the\n"
"cluster now, grant-changed the units/s granted now (a reallocation).\n"
"\n"
"Options:\n"
"  --json      one JSON object per line:\n"
"              {\"Time\":...,\"Event\":\"ThrottleStart\",\"FileSystem\":\"home\",\"Value\":42}\n"
"  -h, --help\n";

static const struct opt_def monitor_opts[] = {
	{ "json", 0, false, FS_OPT_JSON },
	{ NULL, 0, false, 0 },
};

static int on_event(const struct nlmsghdr *nlh, void *data)
{
	struct efs_event ev;

	if (efs_event_decode(nlh, &ev))
		return 0;	/* not an event we understand: skip it */
	efs_event_print(data, &ev);
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	sigset_t waitmask;
	struct efs_nl nl;
	struct out out;
	struct opts o;
	int err;

	if (opts_parse(monitor_opts, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	if (efs_sig_setup(&waitmask)) {
		efs_err("cannot set up signal handling");
		return EXIT_FAIL;
	}
	if (efs_connect(&nl))
		return EXIT_FAIL;
	err = efs_nl_join_events(&nl);
	if (err) {
		if (err == -ENOENT)
			efs_err("the efs module has no \"%s\" multicast group",
				EFS_MCGRP_EVENTS);
		else
			efs_err("joining \"%s\": %s", EFS_MCGRP_EVENTS,
				strerror(-err));
		efs_nl_close(&nl);
		return EXIT_FAIL;
	}
	out_init(&out, stdout, o.nhits > 0, false);
	for (;;) {
		err = efs_nl_recv_events(&nl, on_event, &out, &waitmask,
					 &efs_stop);
		if (err != -ENOBUFS)
			break;
		efs_err("events were lost (receive buffer overrun)");
	}
	if (err)
		efs_err("%s", strerror(-err));
	efs_nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}
