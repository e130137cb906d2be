// SPDX-License-Identifier: GPL-2.0
/*
 * efs-clusterd's status file: find it, read it, check its shape, print it
 * (see cluster_status.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "cluster_status.h"
#include "json.h"
#include "print.h"
#include "units.h"

/* Larger than any status file: 32 heads x 1,000 filesystems is ~7 MB. */
#define STATUS_MAX_BYTES	(64u << 20)

/* ---- which file ---- */

struct conf_scan {
	char *path;
	size_t len;
	bool found, too_long;
};

static int conf_handler(void *user, const char *section, const char *key,
			const char *value)
{
	struct conf_scan *cs = user;

	/* only this key matters here; efs-clusterd --check judges the rest */
	if (!strcmp(section, "daemon") && !strcmp(key, "status-file")) {
		if (strlen(value) >= cs->len)
			cs->too_long = true;
		else
			strcpy(cs->path, value);
		cs->found = true;
	}
	return 1;
}

int efs_cl_status_path(const char *opt, const char *conf, char *path,
		       size_t len, char *err, size_t errlen)
{
	struct conf_scan cs = { .path = path, .len = len };
	FILE *f;
	int line;

	if (opt) {
		if (strlen(opt) >= len) {
			snprintf(err, errlen, "status file name too long");
			return -1;
		}
		strcpy(path, opt);
		return 0;
	}
	snprintf(path, len, "%s", EFS_CLUSTER_STATUS);
	f = fopen(conf, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;	/* no cluster.conf: the default */
		snprintf(err, errlen, "cannot read %s: %s", conf,
			 strerror(errno));
		return -1;
	}
	line = ini_parse_file(f, conf_handler, &cs);
	fclose(f);
	if (line) {
		snprintf(err, errlen, "%s:%d: syntax error (efs-clusterd --check -c %s says more)",
			 conf, line, conf);
		return -1;
	}
	if (cs.too_long) {
		snprintf(err, errlen, "%s: status-file: value too long", conf);
		return -1;
	}
	if (!cs.found)
		snprintf(path, len, "%s", EFS_CLUSTER_STATUS);
	else if (!path[0] || !strcmp(path, "none"))
		return 1;
	return 0;
}

/* ---- the shape of the file ---- */

struct check {
	char *err;
	size_t errlen;
	bool failed;
};

static bool bad(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool bad(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return false;
	c->failed = true;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return false;
}

/* obj's member key, of type t (or null when nullable). */
static const struct jv *member(struct check *c, const char *where,
			       const struct jv *obj, const char *key,
			       enum jv_type t, bool nullable)
{
	const struct jv *v = jv_get(obj, key);

	if (!v) {
		bad(c, "%s%sno \"%s\"", where, *where ? ": " : "", key);
		return NULL;
	}
	if (v->type != t && !(nullable && v->type == JV_NULL)) {
		bad(c, "%s%s\"%s\" is %s, not %s", where, *where ? ": " : "",
		    key, jv_type_name(v->type), jv_type_name(t));
		return NULL;
	}
	return v;
}

static bool get_u64(struct check *c, const char *where, const struct jv *obj,
		    const char *key, bool nullable, uint64_t *out)
{
	const struct jv *v = member(c, where, obj, key, JV_NUMBER, nullable);

	if (!v)
		return false;
	if (v->type == JV_NULL) {
		*out = EFS_CL_NULL;
		return true;
	}
	if (!jv_u64(v, out) || (!nullable && *out == EFS_CL_NULL))
		return bad(c, "%s%s\"%s\": %s is not a count", where,
			   *where ? ": " : "", key, v->s);
	return true;
}

static bool get_u32(struct check *c, const char *where, const struct jv *obj,
		    const char *key, uint32_t *out)
{
	uint64_t v;

	if (!get_u64(c, where, obj, key, false, &v))
		return false;
	if (v > UINT32_MAX)
		return bad(c, "%s%s\"%s\": %llu is out of range", where,
			   *where ? ": " : "", key, (unsigned long long)v);
	*out = (uint32_t)v;
	return true;
}

static int opt_bool(const struct jv *obj, const char *key)
{
	const struct jv *v = jv_get(obj, key);

	return v && v->type == JV_BOOL ? v->b : -1;
}

static bool check_head(struct check *c, const char *fsw, size_t i,
		       const struct jv *h, struct efs_cl_head *out)
{
	char where[160];

	snprintf(where, sizeof(where), "%s.Heads[%zu]", fsw, i);
	if (h->type != JV_OBJECT)
		return bad(c, "%s is %s, not an object", where,
			   jv_type_name(h->type));
	out->settings_agree = opt_bool(h, "SettingsAgree");
	return get_u32(c, where, h, "NodeId", &out->node_id) &&
	       get_u64(c, where, h, "UsedIops", true, &out->used_iops) &&
	       get_u64(c, where, h, "DemandIops", true, &out->demand_iops) &&
	       get_u64(c, where, h, "GrantedIops", true, &out->granted_iops) &&
	       get_u64(c, where, h, "UsedThroughput", true, &out->used_bps) &&
	       get_u64(c, where, h, "DemandThroughput", true,
		       &out->demand_bps) &&
	       get_u64(c, where, h, "GrantedThroughput", true,
		       &out->granted_bps);
}

static bool check_fs(struct check *c, size_t i, const struct jv *f,
		     struct efs_cl_fs *out)
{
	const struct jv *name, *heads;
	char where[64];
	size_t k;

	snprintf(where, sizeof(where), "FileSystems[%zu]", i);
	if (f->type != JV_OBJECT)
		return bad(c, "%s is %s, not an object", where,
			   jv_type_name(f->type));
	name = member(c, where, f, "Name", JV_STRING, false);
	if (!name ||
	    !get_u64(c, where, f, "IopsLimit", true, &out->iops_limit) ||
	    !get_u64(c, where, f, "PermittedThroughput", true,
		     &out->permitted_bps) ||
	    !get_u64(c, where, f, "BurstCreditBalance", true,
		     &out->burst_credit_balance))
		return false;
	out->name = name->s;
	heads = member(c, where, f, "Heads", JV_ARRAY, false);
	if (!heads)
		return false;
	out->heads = calloc(heads->n ? heads->n : 1, sizeof(*out->heads));
	if (!out->heads)
		return bad(c, "out of memory");
	out->nheads = heads->n;
	for (k = 0; k < heads->n; k++)
		if (!check_head(c, where, k, &heads->v[k], &out->heads[k]))
			return false;
	return true;
}

static bool check_doc(struct check *c, const struct jv *doc,
		      struct efs_cl_status *st)
{
	const struct jv *v, *members, *fss;
	size_t i;

	if (doc->type != JV_OBJECT)
		return bad(c, "the document is %s, not an object",
			   jv_type_name(doc->type));
	v = member(c, "", doc, "Cluster", JV_STRING, false);
	if (!v)
		return false;
	st->cluster = v->s;
	v = member(c, "", doc, "Quorate", JV_BOOL, false);
	if (!v)
		return false;
	st->quorate = v->b;
	st->synced = opt_bool(doc, "Synced");
	if (!get_u32(c, "", doc, "LocalNodeId", &st->local_node_id))
		return false;

	members = member(c, "", doc, "Members", JV_ARRAY, false);
	if (!members)
		return false;
	st->members = calloc(members->n ? members->n : 1,
			     sizeof(*st->members));
	if (!st->members)
		return bad(c, "out of memory");
	st->nmembers = members->n;
	for (i = 0; i < members->n; i++) {
		const struct jv *m = &members->v[i];
		char where[48];

		snprintf(where, sizeof(where), "Members[%zu]", i);
		if (m->type != JV_OBJECT)
			return bad(c, "%s is %s, not an object", where,
				   jv_type_name(m->type));
		if (!get_u32(c, where, m, "NodeId", &st->members[i].node_id))
			return false;
		v = member(c, where, m, "Name", JV_STRING, false);
		if (!v)
			return false;
		st->members[i].name = v->s;
	}

	fss = member(c, "", doc, "FileSystems", JV_ARRAY, false);
	if (!fss)
		return false;
	st->fs = calloc(fss->n ? fss->n : 1, sizeof(*st->fs));
	if (!st->fs)
		return bad(c, "out of memory");
	st->nfs = fss->n;
	for (i = 0; i < fss->n; i++)
		if (!check_fs(c, i, &fss->v[i], &st->fs[i]))
			return false;
	return true;
}

void efs_cl_status_free(struct efs_cl_status *st)
{
	size_t i;

	if (st->fs)
		for (i = 0; i < st->nfs; i++)
			free(st->fs[i].heads);
	free(st->fs);
	free(st->members);
	jv_free(st->doc);
	memset(st, 0, sizeof(*st));
}

int efs_cl_status_parse(const char *text, size_t len,
			struct efs_cl_status *st, char *err, size_t errlen)
{
	struct check c = { .err = err, .errlen = errlen };
	char perr[200];

	memset(st, 0, sizeof(*st));
	st->doc = jv_parse(text, len, perr, sizeof(perr));
	if (!st->doc) {
		snprintf(err, errlen, "not JSON: %s", perr);
		return -1;
	}
	if (!check_doc(&c, st->doc, st)) {
		efs_cl_status_free(st);
		return -1;
	}
	return 0;
}

enum efs_cl_read efs_cl_status_read(const char *path, time_t now,
				    unsigned int max_age_s,
				    struct efs_cl_status *st,
				    char *err, size_t errlen)
{
	char perr[320];
	struct stat sb;
	size_t got = 0;
	char *buf;
	int fd;

	memset(st, 0, sizeof(*st));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			snprintf(err, errlen,
				 "efs-clusterd is not running or writes no status file (%s)",
				 path);
			return EFS_CL_MISSING;
		}
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		return EFS_CL_ERROR;
	}
	if (fstat(fd, &sb)) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 strerror(errno));
		close(fd);
		return EFS_CL_ERROR;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "cannot read %s: not a regular file",
			 path);
		close(fd);
		return EFS_CL_ERROR;
	}
	/* the daemon renames a new file over it every second */
	if (now > sb.st_mtime && now - sb.st_mtime > (time_t)max_age_s) {
		long long age = (long long)(now - sb.st_mtime);

		close(fd);
		if (age < 120)
			snprintf(err, errlen, "%s is %lld s old: efs-clusterd has stopped writing it (not running, or hung)",
				 path, age);
		else
			snprintf(err, errlen, "%s is %lld min old: efs-clusterd has stopped writing it (not running, or hung)",
				 path, age / 60);
		return EFS_CL_STALE;
	}
	if (sb.st_size > STATUS_MAX_BYTES) {
		close(fd);
		snprintf(err, errlen, "%s: malformed status: larger than %u MiB",
			 path, STATUS_MAX_BYTES >> 20);
		return EFS_CL_MALFORMED;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return EFS_CL_ERROR;
	}
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path,
				 strerror(errno));
			free(buf);
			close(fd);
			return EFS_CL_ERROR;
		}
		if (!r)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (efs_cl_status_parse(buf, got, st, perr, sizeof(perr))) {
		snprintf(err, errlen, "%s: malformed status: %s", path, perr);
		free(buf);
		return EFS_CL_MALFORMED;
	}
	free(buf);
	return EFS_CL_OK;
}

/* ---- printing ---- */

static const char *member_name(const struct efs_cl_status *st, uint32_t id)
{
	size_t i;

	for (i = 0; i < st->nmembers; i++)
		if (st->members[i].node_id == id)
			return st->members[i].name;
	return NULL;
}

static const char *yes_no(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

static char *fmt_count(char *buf, size_t len, uint64_t v)
{
	if (v == EFS_CL_NULL)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

static char *fmt_rate(char *buf, size_t len, uint64_t v)
{
	if (v == EFS_CL_NULL)
		snprintf(buf, len, "unlimited");
	else
		efs_fmt_rate(buf, len, v);
	return buf;
}

void efs_cl_status_print_text(FILE *f, const struct efs_cl_status *st)
{
	const char *self = member_name(st, st->local_node_id);
	bool any_table = false, any_differ = false;
	char a[32], b[32], c[32];
	size_t i, k;

	fprintf(f, "Cluster %s\n", st->cluster);
	fprintf(f, "  quorate                 %s\n", yes_no(st->quorate));
	if (st->synced >= 0)
		fprintf(f, "  synced                  %s\n", yes_no(st->synced));
	fprintf(f, "  local node              %u%s%s%s\n", st->local_node_id,
		self ? " (" : "", self ? self : "", self ? ")" : "");
	fprintf(f, "  members                 %zu\n", st->nmembers);
	if (st->nmembers)
		fprintf(f, "    %-6s %s\n", "NODE", "NAME");
	for (i = 0; i < st->nmembers; i++)
		fprintf(f, "    %-6u %s\n", st->members[i].node_id,
			st->members[i].name);
	if (!st->nfs)
		fprintf(f, "no cluster filesystems\n");
	for (i = 0; i < st->nfs; i++) {
		const struct efs_cl_fs *fs = &st->fs[i];

		fprintf(f, "Filesystem %s\n", fs->name);
		fprintf(f, "  iops limit              %s%s\n",
			fmt_count(a, sizeof(a), fs->iops_limit),
			fs->iops_limit == EFS_CL_NULL ? "" : " units/s");
		fprintf(f, "  permitted throughput    %s\n",
			fmt_rate(a, sizeof(a), fs->permitted_bps));
		if (fs->burst_credit_balance == EFS_CL_NULL)
			fprintf(f, "  burst credit balance    n/a\n");
		else
			fprintf(f, "  burst credit balance    %s\n",
				efs_fmt_bytes(a, sizeof(a),
					      fs->burst_credit_balance));
		fprintf(f, "  heads                   %zu\n", fs->nheads);
		if (!fs->nheads)
			continue;
		any_table = true;
		fprintf(f, "    %-6s %10s  %11s  %12s  %15s  %17s  %18s\n", "NODE",
			"USED IOPS", "DEMAND IOPS", "GRANTED IOPS",
			"USED THROUGHPUT", "DEMAND THROUGHPUT",
			"GRANTED THROUGHPUT");
		for (k = 0; k < fs->nheads; k++) {
			const struct efs_cl_head *h = &fs->heads[k];
			char node[32], used[32], dem[32], gr[32];

			snprintf(node, sizeof(node), "%u%s%s", h->node_id,
				 h->node_id == st->local_node_id ? "*" : "",
				 h->settings_agree == 0 ? "!" : "");
			if (h->settings_agree == 0)
				any_differ = true;
			fprintf(f, "    %-6s %10s  %11s  %12s  %15s  %17s  %18s\n",
				node, fmt_count(a, sizeof(a), h->used_iops),
				fmt_count(b, sizeof(b), h->demand_iops),
				fmt_count(c, sizeof(c), h->granted_iops),
				fmt_rate(used, sizeof(used), h->used_bps),
				fmt_rate(dem, sizeof(dem), h->demand_bps),
				fmt_rate(gr, sizeof(gr), h->granted_bps));
		}
	}
	if (any_table)
		fprintf(f, "(* this head%s)\n",
			any_differ ? "; ! settings differ from the others': no grant until they agree" : "");
}

void efs_cl_status_print_json(FILE *f, const struct efs_cl_status *st)
{
	struct json j;

	json_init(&j, f, true);
	jv_write(&j, st->doc);
	json_end(&j);
}

/* ---- Prometheus ---- */

static void prom_header(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_labels(FILE *f, const struct efs_cl_status *st,
			const char *fs, const struct efs_cl_head *h)
{
	fputs("{cluster=\"", f);
	efs_prom_escape(f, st->cluster);
	if (fs) {
		fputs("\",fs=\"", f);
		efs_prom_escape(f, fs);
	}
	if (h) {
		const char *name = member_name(st, h->node_id);

		fprintf(f, "\",node=\"%u", h->node_id);
		if (name) {
			fputs("\",node_name=\"", f);
			efs_prom_escape(f, name);
		}
	}
	fputs("\"}", f);
}

/* A null (unlimited) value has no sample. */
static void prom_sample(FILE *f, const char *name,
			const struct efs_cl_status *st, const char *fs,
			const struct efs_cl_head *h, uint64_t v)
{
	if (v == EFS_CL_NULL)
		return;
	fputs(name, f);
	prom_labels(f, st, fs, h);
	fprintf(f, " %llu\n", (unsigned long long)v);
}

static const struct {
	const char *name, *help;
	size_t off;
} prom_fs[] = {
	{ "efs_cluster_iops_limit",
	  "IOPS budget of a cluster filesystem shared by its heads, units per second (efs-clusterd).",
	  offsetof(struct efs_cl_fs, iops_limit) },
	{ "efs_cluster_permitted_throughput_bytes_per_second",
	  "Metered throughput the cluster permits a cluster filesystem now, shared by its heads; no sample when unlimited.",
	  offsetof(struct efs_cl_fs, permitted_bps) },
	{ "efs_cluster_burst_credit_balance_bytes",
	  "The cluster's one burst credit balance of a cluster filesystem.",
	  offsetof(struct efs_cl_fs, burst_credit_balance) },
}, prom_head[] = {
	{ "efs_cluster_used_iops",
	  "Units per second a head used for a cluster filesystem in the last round.",
	  offsetof(struct efs_cl_head, used_iops) },
	{ "efs_cluster_demand_iops",
	  "Units per second a head asked for a cluster filesystem.",
	  offsetof(struct efs_cl_head, demand_iops) },
	{ "efs_cluster_granted_iops",
	  "Units per second a head is granted for a cluster filesystem (lease).",
	  offsetof(struct efs_cl_head, granted_iops) },
	{ "efs_cluster_used_throughput_bytes_per_second",
	  "Metered bytes per second a head used for a cluster filesystem in the last round.",
	  offsetof(struct efs_cl_head, used_bps) },
	{ "efs_cluster_demand_throughput_bytes_per_second",
	  "Metered bytes per second a head asked for a cluster filesystem.",
	  offsetof(struct efs_cl_head, demand_bps) },
	{ "efs_cluster_granted_throughput_bytes_per_second",
	  "Metered bytes per second a head is granted for a cluster filesystem (lease); no sample when unlimited.",
	  offsetof(struct efs_cl_head, granted_bps) },
};

static uint64_t field(const void *rec, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)rec + off, sizeof(v));
	return v;
}

void efs_cl_status_print_prom(FILE *f, const struct efs_cl_status *st)
{
	size_t m, i, k;

	prom_header(f, "efs_cluster_quorate",
		    "1 while this head's side of the cluster is quorate (efs-clusterd).");
	prom_sample(f, "efs_cluster_quorate", st, NULL, NULL, st->quorate);
	prom_header(f, "efs_cluster_members",
		    "Heads in the cluster's membership as this head sees it.");
	prom_sample(f, "efs_cluster_members", st, NULL, NULL, st->nmembers);
	for (m = 0; m < sizeof(prom_fs) / sizeof(prom_fs[0]); m++) {
		prom_header(f, prom_fs[m].name, prom_fs[m].help);
		for (i = 0; i < st->nfs; i++)
			prom_sample(f, prom_fs[m].name, st, st->fs[i].name,
				    NULL, field(&st->fs[i], prom_fs[m].off));
	}
	for (m = 0; m < sizeof(prom_head) / sizeof(prom_head[0]); m++) {
		prom_header(f, prom_head[m].name, prom_head[m].help);
		for (i = 0; i < st->nfs; i++)
			for (k = 0; k < st->fs[i].nheads; k++)
				prom_sample(f, prom_head[m].name, st,
					    st->fs[i].name, &st->fs[i].heads[k],
					    field(&st->fs[i].heads[k],
						  prom_head[m].off));
	}
	prom_header(f, "efs_cluster_settings_agree",
		    "0 while a head's settings of a cluster filesystem differ from the others' (it gets no grant).");
	for (i = 0; i < st->nfs; i++)
		for (k = 0; k < st->fs[i].nheads; k++)
			if (st->fs[i].heads[k].settings_agree >= 0)
				prom_sample(f, "efs_cluster_settings_agree",
					    st, st->fs[i].name,
					    &st->fs[i].heads[k],
					    (uint64_t)st->fs[i].heads[k].settings_agree);
}
