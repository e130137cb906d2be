// SPDX-License-Identifier: GPL-2.0
/*
 * efs-clusterd: shares each cluster-scope filesystem's budget among the NFS
 * heads of a corosync cluster (efs-clusterd(8), PROTOCOL.md).
 *
 * One poll loop: the CPG group (cpg.c), quorum (quorum.c), a signalfd, and
 * the engine's timers (node.c); the backend (backend.h) is the local efs.ko.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "conf.h"
#include "cpg.h"
#include "node.h"
#include "quorum.h"
#include "status.h"

#define EFS_CLUSTERD_VERSION	"0.1.0"

struct daemon {
	struct ecl_conf conf;
	const struct ecl_backend_ops *be;
	void *bp;
	struct ecl_node *node;
	struct ecl_cpg cpg;
	struct ecl_quorum q;
	bool connected;
	uint64_t next_connect, next_list, next_status;
	int status_err;		/* the last write's error, logged once */
	uint32_t detect_ms;
	int connect_failures;
	struct ecl_local_fs *local;
	int nlocal;
};

static int verbosity = ECL_LOG_INFO;
static const char *self_name = "";

static void vlog(int level, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;

	if (level > verbosity)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld efs-clusterd[%s]: %s",
		tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		self_name, level == ECL_LOG_EVENT ? "event: " : "");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void logmsg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void logmsg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* ---- engine ops ---- */

static int op_send(void *ctx, const void *buf, size_t len)
{
	struct daemon *d = ctx;

	return d->connected ? ecl_cpg_send(&d->cpg, buf, len) : -ENOTCONN;
}

static void op_usage(void *ctx, const char *fs, uint64_t now,
		     struct ecl_usage *u)
{
	struct daemon *d = ctx;

	d->be->usage(d->bp, fs, now, u);
}

static void op_grant(void *ctx, const char *fs, const struct ecl_grant *g,
		     uint64_t now)
{
	struct daemon *d = ctx;

	d->be->grant(d->bp, fs, g, now);
}

static void op_holds(void *ctx, const char *fs, uint64_t now, uint64_t *ops,
		     uint64_t *bytes)
{
	struct daemon *d = ctx;

	d->be->holds(d->bp, fs, now, ops, bytes);
}

static void op_log(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static const struct ecl_node_ops ops = {
	.send = op_send, .usage = op_usage, .grant = op_grant,
	.holds = op_holds, .log = op_log,
};

/* ---- corosync ---- */

static void disconnect(struct daemon *d, bool leave, uint64_t now)
{
	if (!d->connected)
		return;
	ecl_node_disconnected(d->node, now);
	ecl_quorum_close(&d->q);
	ecl_cpg_close(&d->cpg, leave);
	d->connected = false;
	d->next_connect = now + 1000000;
}

static void connect_corosync(struct daemon *d, uint64_t now)
{
	uint32_t ids[ECL_MAX_MEMBERS], n;
	char err[256];

	d->next_connect = now + 1000000;
	if (ecl_cpg_open(&d->cpg, d->conf.name, d->node, err, sizeof(err))) {
		/* say it once, then every minute */
		if (d->connect_failures++ % 60 == 0)
			logmsg(ECL_LOG_EVENT, "cannot join the cluster: %s; retrying every second", err);
		return;
	}
	if (ecl_quorum_open(&d->q, d->node, err, sizeof(err))) {
		logmsg(ECL_LOG_EVENT, "quorum: %s", err);
		ecl_cpg_close(&d->cpg, false);
		return;
	}
	d->cpg.assume_quorate = !d->q.provider;
	if (!d->q.provider)
		logmsg(ECL_LOG_EVENT, "no quorum provider in corosync.conf: every membership counts as quorate (a partition lets each side renew; configure corosync_votequorum)");
	d->detect_ms = d->conf.detect_ms >= 0 ? (uint32_t)d->conf.detect_ms :
		       ecl_cmap_detect_ms();
	if (!d->detect_ms) {
		d->detect_ms = 2200;
		logmsg(ECL_LOG_INFO, "detection time unknown (cmap): assuming %u ms", d->detect_ms);
	}
	if (d->conf.lease_ms < d->detect_ms + 2 * d->conf.tick_ms)
		logmsg(ECL_LOG_EVENT,
		       "lease %u ms is shorter than corosync's failure detection (%u ms) + 2 ticks: grants lapse to the safe share whenever corosync detects a failure",
		       d->conf.lease_ms, d->detect_ms);
	n = ecl_cmap_nodes(ids, ECL_MAX_MEMBERS);
	ecl_node_set_expected(d->node, ids, n);
	d->connected = true;
	d->connect_failures = 0;
	logmsg(ECL_LOG_EVENT, "connected to corosync as node %u: group %s, %u configured nodes, detection %u ms",
	       d->cpg.nodeid, d->cpg.group.value, n, d->detect_ms);
}

/* ---- local filesystems ---- */

static bool same_local(const struct ecl_local_fs *a, int na,
		       const struct ecl_local_fs *b, int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (strcmp(a[i].name, b[i].name) ||
		    memcmp(&a[i].set, &b[i].set, sizeof(a[i].set)))
			return false;
	return true;
}

static void refresh_local(struct daemon *d, uint64_t now)
{
	struct ecl_local_fs *l = NULL;
	int n = d->be->list(d->bp, now, &l);

	if (n < 0) {
		logmsg(ECL_LOG_INFO, "backend: cannot list filesystems: %s",
		       strerror(-n));
		return;
	}
	if (!same_local(l, n, d->local, d->nlocal)) {
		logmsg(ECL_LOG_INFO, "serving %d cluster filesystem%s", n,
		       n == 1 ? "" : "s");
		ecl_node_set_local(d->node, l, (uint32_t)n, now);
		free(d->local);
		d->local = l;
		d->nlocal = n;
	} else {
		free(l);
	}
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: efs-clusterd [options]\n"
		"  -c, --config FILE     cluster.conf (default %s)\n"
		"  -b, --backend B       netlink | script:FILE (overrides [daemon] backend)\n"
		"  -r, --record FILE     the script backend's record of grants and usage\n"
		"  -s, --status FILE     write the status as JSON every second (default\n"
		"                        %s; none: do not)\n"
		"  -n, --node-name NAME  this head's name in the cluster (default: host name)\n"
		"  -v, --verbose         debug messages too\n"
		"  -q, --quiet           events only\n"
		"      --check           check the configuration and exit\n"
		"  -V, --version\n"
		"  -h, --help\n", ECL_CONF_DEFAULT, ECL_STATUS_DEFAULT);
}

static int set_opt(char *dst, size_t len, const char *v, const char *what)
{
	if (strlen(v) >= len) {
		fprintf(stderr, "efs-clusterd: %s too long\n", what);
		return -1;
	}
	strcpy(dst, v);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "backend", required_argument, NULL, 'b' },
		{ "record", required_argument, NULL, 'r' },
		{ "status", required_argument, NULL, 's' },
		{ "node-name", required_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "check", no_argument, NULL, 1 },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *config = ECL_CONF_DEFAULT, *o_backend = NULL,
		   *o_record = NULL, *o_status = NULL, *o_name = NULL;
	bool check = false, config_given = false;
	struct daemon d = { 0 };
	struct ecl_node_conf nc = { 0 };
	char err[768], host[64] = "";
	const char *arg;
	sigset_t sigs;
	int opt, sfd, rc = 0;

	while ((opt = getopt_long(argc, argv, "c:b:r:s:n:vqVh", lopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'c': config = optarg; config_given = true; break;
		case 'b': o_backend = optarg; break;
		case 'r': o_record = optarg; break;
		case 's': o_status = optarg; break;
		case 'n': o_name = optarg; break;
		case 'v': verbosity = ECL_LOG_DEBUG; break;
		case 'q': verbosity = ECL_LOG_EVENT; break;
		case 1: check = true; break;
		case 'V': printf("efs-clusterd %s (protocol %d)\n",
				 EFS_CLUSTERD_VERSION, ECL_PROTO_VERSION);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "efs-clusterd: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return 1;
	}
	ecl_conf_defaults(&d.conf);
	if (ecl_conf_load(config, &d.conf, !config_given, err, sizeof(err))) {
		fprintf(stderr, "efs-clusterd: %s\n", err);
		return 1;
	}
	if ((o_backend && set_opt(d.conf.backend, sizeof(d.conf.backend),
				  o_backend, "backend")) ||
	    (o_record && set_opt(d.conf.record, sizeof(d.conf.record),
				 o_record, "record")) ||
	    (o_status && set_opt(d.conf.status, sizeof(d.conf.status),
				 o_status, "status")) ||
	    (o_name && set_opt(d.conf.node_name, sizeof(d.conf.node_name),
			       o_name, "node name")))
		return 1;
	if (o_status)
		ecl_conf_set_status(&d.conf, o_status);
	if (strcmp(d.conf.backend, "netlink") &&
	    (strncmp(d.conf.backend, "script:", 7) || !d.conf.backend[7])) {
		fprintf(stderr, "efs-clusterd: backend '%s': netlink or script:FILE\n",
			d.conf.backend);
		return 1;
	}
	if (!d.conf.node_name[0]) {
		gethostname(host, sizeof(host) - 1);
		snprintf(d.conf.node_name, sizeof(d.conf.node_name), "%s", host);
	}
	self_name = d.conf.node_name;
	if (check) {
		printf("%s: ok: cluster %s, tick %ums, lease %ums, forget %ums, detection %s, on-partition %s, backend %s, status file %s\n",
		       config, d.conf.name, d.conf.tick_ms, d.conf.lease_ms,
		       d.conf.forget_ms, d.conf.detect_ms < 0 ? "auto" : "set",
		       d.conf.strict ? "strict" : "available", d.conf.backend,
		       d.conf.status[0] ? d.conf.status : "none");
		return 0;
	}

	if (!strncmp(d.conf.backend, "script:", 7)) {
		d.be = &ecl_backend_script;
		arg = d.conf.backend + 7;
	} else {
		d.be = &ecl_backend_netlink;
		arg = "";
	}
	if (d.be->open(&d.bp, arg, &d.conf, 0, err, sizeof(err))) {
		fprintf(stderr, "efs-clusterd: %s\n", err);
		return 2;
	}
	nc.tick_ms = d.conf.tick_ms;
	nc.lease_ms = d.conf.lease_ms;
	nc.forget_ms = d.conf.forget_ms;
	nc.detect_ms = d.conf.detect_ms >= 0 ? (uint32_t)d.conf.detect_ms : 0;
	nc.strict = d.conf.strict;
	snprintf(nc.name, sizeof(nc.name), "%s", d.conf.node_name);
	nc.par.min_share_pct = d.conf.min_share_pct;
	nc.par.headroom_pct = d.conf.headroom_pct;
	d.node = ecl_node_new(&nc, &ops, &d);
	if (!d.node) {
		fprintf(stderr, "efs-clusterd: out of memory\n");
		d.be->close(d.bp);
		return 2;
	}

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("efs-clusterd: signalfd");
		return 2;
	}
	logmsg(ECL_LOG_EVENT, "starting: cluster %s, tick %u ms, lease %u ms, forget %u ms, on-partition %s, backend %s",
	       d.conf.name, d.conf.tick_ms, d.conf.lease_ms, d.conf.forget_ms,
	       d.conf.strict ? "strict" : "available", d.be->name);

	for (;;) {
		struct pollfd pfd[3];
		uint64_t now = ecl_now_us(), next;
		int np = 0, timeout;

		if (!d.connected && now >= d.next_connect)
			connect_corosync(&d, now);
		if (now >= d.next_list) {
			refresh_local(&d, now);
			d.next_list = now + (uint64_t)d.conf.tick_ms * 1000;
		}
		next = ecl_node_tick(d.node, now);
		if (d.connected && ecl_cpg_flush(&d.cpg) < 0) {
			logmsg(ECL_LOG_EVENT, "lost corosync while sending");
			disconnect(&d, false, now);
		}
		if (d.conf.status[0] && now >= d.next_status) {
			int e = ecl_status_write(d.conf.status, &d.conf, d.node,
						 d.detect_ms, now);

			if (e && e != d.status_err)
				logmsg(ECL_LOG_EVENT, "cannot write the status file %s: %s (efsctl cluster status will not work)",
				       d.conf.status, strerror(-e));
			else if (!e && d.status_err)
				logmsg(ECL_LOG_EVENT, "writing the status file %s again",
				       d.conf.status);
			d.status_err = e;
			d.next_status = now + 1000000;
		}
		next = ecl_min64(next, d.next_list);
		if (d.conf.status[0])
			next = ecl_min64(next, d.next_status);
		if (!d.connected)
			next = ecl_min64(next, d.next_connect);
		if (d.connected && d.cpg.q)
			next = ecl_min64(next, now + 10000);	/* flow control */
		timeout = next > now ? (int)((next - now + 999) / 1000) : 0;

		pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (d.connected)
			pfd[np++] = (struct pollfd){ .fd = d.cpg.fd,
						     .events = POLLIN };
		if (d.connected && d.q.open)
			pfd[np++] = (struct pollfd){ .fd = d.q.fd,
						     .events = POLLIN };
		if (poll(pfd, np, timeout) < 0 && errno != EINTR) {
			perror("efs-clusterd: poll");
			rc = 2;
			break;
		}
		now = ecl_now_us();
		if (pfd[0].revents) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					d.next_list = 0;	/* re-read now */
					continue;
				}
				logmsg(ECL_LOG_EVENT,
				       "stopping (signal %u): leaving the group; this head's grants run out with their lease",
				       si.ssi_signo);
				break;
			}
		}
		if (d.connected && np > 1 && pfd[1].revents &&
		    ecl_cpg_dispatch(&d.cpg) < 0)
			disconnect(&d, false, now);
		if (d.connected && np > 2 && pfd[2].revents &&
		    ecl_quorum_dispatch(&d.q) < 0) {
			logmsg(ECL_LOG_EVENT, "lost corosync's quorum service");
			disconnect(&d, false, now);
		}
	}
	disconnect(&d, true, ecl_now_us());
	ecl_node_free(d.node);
	d.be->close(d.bp);
	free(d.local);
	close(sfd);
	return rc;
}
