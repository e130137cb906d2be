// SPDX-License-Identifier: GPL-2.0
/* The status file (see status.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"

static void str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void num(FILE *f, uint64_t v)
{
	if (v == ECL_UNLIMITED)
		fputs("null", f);
	else
		fprintf(f, "%llu", (unsigned long long)v);
}

void ecl_status_json(FILE *f, const struct ecl_conf *conf,
		     const struct ecl_node *n, uint32_t detect_ms,
		     uint64_t now)
{
	const struct ecl_state *st = ecl_node_state(n);
	int self = ecl_node_self_slot(n);
	bool first;

	fputs("{\"Cluster\":", f);
	str(f, conf->name);
	fprintf(f, ",\"Quorate\":%s,\"Synced\":%s,\"LocalNodeId\":%u",
		ecl_node_quorate(n) ? "true" : "false",
		ecl_node_synced(n) ? "true" : "false", ecl_node_nodeid(n));
	fprintf(f, ",\"Round\":%llu,\"Epoch\":%u,\"TickMs\":%u,\"LeaseMs\":%u,\"ForgetMs\":%u,\"DetectionMs\":%u,\"OnPartition\":\"%s\"",
		(unsigned long long)st->round, st->epoch, conf->tick_ms,
		conf->lease_ms, conf->forget_ms, detect_ms,
		conf->strict ? "strict" : "available");
	fputs(",\"Members\":[", f);
	first = true;
	for (uint32_t s = 0; s < st->nslots; s++) {
		const struct ecl_member *m = &st->members[s];

		if (!m->used)
			continue;
		fprintf(f, "%s{\"NodeId\":%u,\"Name\":", first ? "" : ",",
			m->nodeid);
		str(f, m->name);
		fprintf(f, ",\"Pid\":%u,\"Participant\":%s}", m->pid,
			m->participant ? "true" : "false");
		first = false;
	}
	fputs("],\"Reservations\":[", f);
	for (uint32_t i = 0; i < st->nev; i++) {
		const struct ecl_event *ev = &st->ev[i];

		fprintf(f, "%s{\"Event\":%u,\"Stage\":\"%s\",\"Heads\":[",
			i ? "," : "", ev->id,
			ev->stage == 0 ? "lease" :
			ev->stage == 1 ? "safe-share" : "forgotten");
		for (uint32_t j = 0; j < ev->nn; j++)
			fprintf(f, "%s%u", j ? "," : "", ev->node[j].nodeid);
		fprintf(f, "],\"Unknown\":%s}", ev->nn ? "false" : "true");
	}
	fputs("],\"FileSystems\":[", f);
	for (uint32_t i = 0; i < st->nfs; i++) {
		const struct ecl_fs *fs = st->fs[i];
		const struct ecl_grant *g = ecl_node_pushed(n, fs->name);

		fprintf(f, "%s{\"Name\":", i ? "," : "");
		str(f, fs->name);
		fputs(",\"IopsLimit\":", f);
		num(f, fs->budget_ops);
		fputs(",\"PermittedThroughput\":", f);
		num(f, fs->budget_bytes);
		fputs(",\"BurstCreditBalance\":", f);
		num(f, fs->balance);
		fputs(",\"ReservedIops\":", f);
		num(f, fs->res_ops);
		fputs(",\"ReservedThroughput\":", f);
		num(f, fs->res_bytes);
		fputs(",\"SafeIops\":", f);
		num(f, fs->safe_ops);
		fputs(",\"Heads\":[", f);
		first = true;
		for (uint32_t s = 0; s < st->nslots; s++) {
			const struct ecl_head *h = &fs->heads[s];

			if (!st->members[s].used || !h->declared)
				continue;
			fprintf(f, "%s{\"NodeId\":%u,\"SettingsAgree\":%s,\"UsedIops\":",
				first ? "" : ",", st->members[s].nodeid,
				h->ok ? "true" : "false");
			num(f, h->rate_ops);
			fputs(",\"DemandIops\":", f);
			num(f, h->d_ops);
			fputs(",\"GrantedIops\":", f);
			num(f, h->g_ops);
			fputs(",\"UsedThroughput\":", f);
			num(f, h->rate_bytes);
			fputs(",\"DemandThroughput\":", f);
			num(f, h->d_bytes);
			fputs(",\"GrantedThroughput\":", f);
			num(f, h->g_bytes);
			fputc('}', f);
			first = false;
		}
		fputc(']', f);
		if (g && self >= 0) {
			long long left = g->expires_us > now ?
					 (long long)(g->expires_us - now) / 1000 : 0;

			fputs(",\"Local\":{\"GrantedIops\":", f);
			num(f, g->ops);
			fputs(",\"GrantedThroughput\":", f);
			num(f, g->bytes);
			fprintf(f, ",\"GrantExpiresInMs\":%lld,\"SafeIops\":", left);
			num(f, g->safe_ops);
			fputc('}', f);
		}
		fputc('}', f);
	}
	fputs("]}\n", f);
}

/*
 * The status file's directory, if missing (efs-clusterd started by hand:
 * systemd's RuntimeDirectory=efs makes /run/efs otherwise). One level only.
 */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return -1;
	*slash = '\0';
	return mkdir(dir, 0755) && errno != EEXIST ? -1 : 0;
}

int ecl_status_write(const char *path, const struct ecl_conf *conf,
		     const struct ecl_node *n, uint32_t detect_ms,
		     uint64_t now)
{
	char tmp[PATH_MAX + 16];
	FILE *f;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 && errno == ENOENT && !make_parent(path))
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/*
	 * Readable by all whatever the umask: `efsctl cluster status` and
	 * `efsctl metrics` need no privilege. It holds names, node ids and
	 * per-head totals, never a client's address.
	 */
	if (fchmod(fd, 0644)) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	ecl_status_json(f, conf, n, detect_ms, now);
	if (fflush(f) || ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -EIO;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}
