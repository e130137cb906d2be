// SPDX-License-Identifier: GPL-2.0
/* cluster.conf parsing: values, ranges, and the error messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../conf.h"

static int failed;

static int load(const char *text, struct ecl_conf *c, char *err, size_t len)
{
	char path[] = "/tmp/efs-clusterd-conf.XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f;

	if (fd < 0)
		return -2;
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	ecl_conf_defaults(c);
	rc = ecl_conf_load(path, c, false, err, len);
	unlink(path);
	return rc;
}

static void ok(const char *name, const char *text,
	       int (*check)(const struct ecl_conf *c))
{
	struct ecl_conf c;
	char err[512] = "";

	if (load(text, &c, err, sizeof(err)) || (check && !check(&c))) {
		printf("FAIL conf_%s: %s\n", name, err);
		failed++;
	} else {
		printf("PASS conf_%s\n", name);
	}
}

static void bad(const char *name, const char *text, const char *want)
{
	struct ecl_conf c;
	char err[512] = "";

	if (!load(text, &c, err, sizeof(err)) || !strstr(err, want)) {
		printf("FAIL conf_%s: got '%s', want '%s'\n", name, err, want);
		failed++;
	} else {
		printf("PASS conf_%s (%s)\n", name, strstr(err, ": ") + 2);
	}
}

static int full(const struct ecl_conf *c)
{
	return !strcmp(c->name, "prod") && c->tick_ms == 100 &&
	       c->lease_ms == 4500 && c->forget_ms == 120000 &&
	       c->detect_ms == 2200 && !c->strict && c->min_share_pct == 5 &&
	       c->headroom_pct == 50 && !strcmp(c->node_name, "head-a") &&
	       !strcmp(c->backend, "script:/tmp/x") &&
	       !strcmp(c->status, "/run/efs/cluster.json");
}

static int defaults(const struct ecl_conf *c)
{
	return !strcmp(c->name, "efs") && c->tick_ms == 200 &&
	       c->lease_ms == 4000 && c->forget_ms == 12000 &&
	       c->detect_ms == -1 && c->strict &&
	       !strcmp(c->backend, "netlink") &&
	       !strcmp(c->status, "/run/efs/cluster.json");
}

static int status_off(const struct ecl_conf *c)
{
	return !c->status[0];
}

static int status_other(const struct ecl_conf *c)
{
	return !strcmp(c->status, "/tmp/s.json");
}

int main(void)
{
	struct {
		const char *s;
		long long ms;	/* -1: refused */
	} d[] = {
		{ "200", 200 }, { "200ms", 200 }, { "2s", 2000 },
		{ "1.5s", 1500 }, { "2m", 120000 }, { "-1", -1 }, { "", -1 },
		{ "1x", -1 }, { "s", -1 }, { " 2s", -1 },
	};
	struct ecl_conf c;
	char err[256];

	for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++) {
		uint64_t ms = 0;
		int rc = ecl_parse_duration_ms(d[i].s, &ms);

		if ((d[i].ms < 0) != (rc != 0) ||
		    (!rc && (long long)ms != d[i].ms)) {
			printf("FAIL conf_duration '%s'\n", d[i].s);
			failed++;
		}
	}
	printf("%s conf_durations\n", failed ? "FAIL" : "PASS");

	ecl_conf_defaults(&c);
	if (ecl_conf_load("/nonexistent/cluster.conf", &c, true, err,
			  sizeof(err)) || !defaults(&c)) {
		printf("FAIL conf_missing_ok\n");
		failed++;
	} else {
		printf("PASS conf_missing_ok\n");
	}
	if (!ecl_conf_load("/nonexistent/cluster.conf", &c, false, err,
			   sizeof(err)) && strstr(err, "No such file")) {
		printf("FAIL conf_missing\n");
		failed++;
	} else {
		printf("PASS conf_missing (%s)\n", err);
	}
	ok("empty", "", defaults);
	ok("comments", "# nothing\n; nothing\n[cluster]\n# tick = 1\n", defaults);
	ok("full",
	   "[cluster]\nname = prod\ntick = 100ms\nlease = 4.5s\nforget = 2m\n"
	   "detection = 2200ms\non-partition = available\nmin-share = 5%\n"
	   "headroom = 50\n[daemon]\nnode-name = head-a\nbackend = script:/tmp/x\n"
	   "status-file = /run/efs/cluster.json\n", full);
	ok("status_none", "[daemon]\nstatus-file = none\n", status_off);
	ok("status_empty", "[daemon]\nstatus-file =\n", status_off);
	ok("status_file", "[daemon]\nstatus-file = /tmp/s.json\n", status_other);
	bad("unknown_key", "[cluster]\ntick = 200ms\nlaese = 3s\n",
	    ":3: unknown key 'laese' in [cluster]");
	bad("unknown_section", "[clusterr]\ntick = 1s\n",
	    ":2: unknown section [clusterr]");
	bad("key_outside", "tick = 1s\n", ":1: key 'tick' outside a section");
	bad("bad_duration", "[cluster]\ntick = fast\n",
	    ":2: tick: 'fast' is not a duration");
	bad("tick_range", "[cluster]\ntick = 10ms\n",
	    "tick: '10ms' out of range 50ms..5000ms");
	bad("partition_value", "[cluster]\non-partition = maybe\n",
	    "on-partition: 'maybe': strict or available");
	bad("name_chars", "[cluster]\nname = a b\n", "name: 'a b'");
	bad("percent", "[cluster]\nmin-share = 80%\n",
	    "min-share: '80%' out of range 0..50%");
	bad("lease_ticks", "[cluster]\ntick = 1s\nlease = 3s\nforget = 10s\n",
	    "lease (3000ms) must be at least 4 ticks");
	bad("forget_lease", "[cluster]\nlease = 5s\nforget = 4s\n",
	    "forget (4000ms) must not be shorter than lease");
	bad("lease_detection", "[cluster]\nlease = 2s\ndetection = 2s\n",
	    "must exceed detection");
	bad("backend", "[daemon]\nbackend = dbus\n",
	    "backend: 'dbus': netlink or script:FILE");
	bad("syntax", "[cluster\n", ":1:");
	return failed ? 1 : 0;
}
