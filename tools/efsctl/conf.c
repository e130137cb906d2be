// SPDX-License-Identifier: GPL-2.0
/*
 * efs.conf parsing with libinih, and printing (see conf.h).
 *
 * inih hands each "name = value" to a callback but not its line number
 * (Debian builds it without INI_HANDLER_LINENO), so lines come through our
 * own reader, which counts them and refuses lines longer than inih's
 * buffer instead of letting inih split them.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "conf.h"
#include "fs_opts.h"
#include "units.h"

struct parse_ctx {
	FILE *f;
	const char *file;
	struct efs_conf *c;
	int line;		/* of the line inih is working on */
	int err_line;		/* first error found by us, 0 if none */
	char err[512];
	struct efs_conf_fs *cur; /* the section being read */
	char cur_section[EFS_FS_NAME_MAX + 2];
	bool cur_bad;		/* cur_section is not a usable name */
	/* [headers] as the reader saw them (inih reports entries only) */
	bool hdr_pending;	/* a header came after the last entry */
	int hdr_line;
	int hdr_entries;	/* entries under the last header */
	char hdr_name[EFS_FS_NAME_MAX + 2];
};

static void ctx_err(struct parse_ctx *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void ctx_err(struct parse_ctx *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return;		/* the first error is the one reported */
	p->err_line = p->line;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
}

/* A section without entries: inih never tells, so the reader does. */
static void end_header(struct parse_ctx *p)
{
	int line = p->line;

	if (!p->hdr_line || p->hdr_entries || p->err_line)
		return;
	p->line = p->hdr_line;
	ctx_err(p, "[%s]: missing path = DIR", p->hdr_name);
	p->line = line;
}

static void see_header(struct parse_ctx *p, const char *buf)
{
	const char *s = buf + strspn(buf, " \t"), *e;

	if (s[0] != '[' || !(e = strchr(s, ']')))
		return;
	end_header(p);
	snprintf(p->hdr_name, sizeof(p->hdr_name), "%.*s",
		 (int)(e - s - 1), s + 1);
	p->hdr_line = p->line;
	p->hdr_entries = 0;
	p->hdr_pending = true;
}

static char *reader(char *buf, int size, void *stream)
{
	struct parse_ctx *p = stream;
	size_t len;

	if (!fgets(buf, size, p->f))
		return NULL;
	p->line++;
	len = strlen(buf);
	if ((len && buf[len - 1] == '\n') || feof(p->f)) {
		see_header(p, buf);
		return buf;
	}
	{
		int ch;

		ctx_err(p, "line too long (at most %d characters)",
			EFS_CONF_LINE_MAX);
		/* skip the rest of it; inih sees an empty line */
		while ((ch = fgetc(p->f)) != EOF && ch != '\n')
			;
		buf[0] = '\0';
	}
	return buf;
}

static struct efs_conf_fs *find_fs(struct efs_conf *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].name, name))
			return &c->v[i];
	return NULL;
}

/* A new [section] starts (inih calls us with each entry's section). */
static int new_section(struct parse_ctx *p, const char *section)
{
	struct efs_conf_fs *fs;
	int line = p->line;
	int ok = 0;

	snprintf(p->cur_section, sizeof(p->cur_section), "%s", section);
	p->cur = NULL;
	p->cur_bad = true;
	/* errors about the section are reported at its header */
	if (p->hdr_line)
		p->line = p->hdr_line;
	if (!efs_name_valid(section)) {
		ctx_err(p, "[%s]: invalid filesystem name: use 1-%d characters of A-Z a-z 0-9 . _ -",
			section, EFS_FS_NAME_MAX);
		goto out;
	}
	fs = find_fs(p->c, section);
	if (fs) {
		ctx_err(p, "[%s]: filesystem defined twice (first on line %d)",
			section, fs->line);
		goto out;
	}
	if (p->c->n == p->c->cap) {
		size_t cap = p->c->cap ? p->c->cap * 2 : 8;
		struct efs_conf_fs *v = realloc(p->c->v, cap * sizeof(*v));

		if (!v) {
			ctx_err(p, "out of memory");
			goto out;
		}
		p->c->v = v;
		p->c->cap = cap;
	}
	fs = &p->c->v[p->c->n++];
	memset(fs, 0, sizeof(*fs));
	snprintf(fs->name, sizeof(fs->name), "%s", section);
	fs->line = p->line;
	p->cur = fs;
	p->cur_bad = false;
	ok = 1;
out:
	p->line = line;
	return ok;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse_ctx *p = user;
	struct efs_conf_fs *fs;
	char why[256];
	uint64_t v;
	int attr;

	if (!section[0]) {
		ctx_err(p, "%s: option outside a [filesystem] section", name);
		return 0;
	}
	p->hdr_entries++;
	if (p->hdr_pending || strcmp(section, p->cur_section)) {
		p->hdr_pending = false;
		if (!new_section(p, section))
			return 0;
	}
	if (p->cur_bad)
		return 0;
	fs = p->cur;
	if (!value[0]) {
		ctx_err(p, "%s: empty value", name);
		return 0;
	}
	if (!strcmp(name, "name")) {
		/* allowed for readability; must agree with the section */
		if (strcmp(value, fs->name)) {
			ctx_err(p, "name: '%s' differs from the section [%s]",
				value, fs->name);
			return 0;
		}
		return 1;
	}
	if (!strcmp(name, "path")) {
		if (fs->path_line) {
			ctx_err(p, "path: given twice (first on line %d)",
				fs->path_line);
			return 0;
		}
		if (value[0] != '/') {
			ctx_err(p, "path: '%s' is not an absolute path", value);
			return 0;
		}
		if (strlen(value) > EFS_CONF_PATH_MAX) {
			ctx_err(p, "path: longer than %d characters",
				EFS_CONF_PATH_MAX);
			return 0;
		}
		snprintf(fs->path, sizeof(fs->path), "%s", value);
		fs->path_line = p->line;
		return 1;
	}
	switch (efs_fs_opt_parse(name, value, &attr, &v, why, sizeof(why))) {
	case 0:
		break;
	case -ENOENT:
		ctx_err(p, "unknown option '%s' (see efs.conf(5))", name);
		return 0;
	default:
		ctx_err(p, "%s: %s", name, why);
		return 0;
	}
	if (efs_fs_config_has(&fs->cfg, attr)) {
		ctx_err(p, "%s: given twice (first on line %d)", name,
			fs->opt_line[attr]);
		return 0;
	}
	efs_fs_config_set(&fs->cfg, attr, v);
	fs->opt_line[attr] = p->line;
	return 1;
}

/* What inih does not catch: whole-section rules. */
static int check_sections(struct parse_ctx *p)
{
	size_t i, j;

	for (i = 0; i < p->c->n; i++) {
		struct efs_conf_fs *fs = &p->c->v[i];
		const struct efs_fs_config *cfg = &fs->cfg;

		p->line = fs->line;
		if (!fs->path_line) {
			ctx_err(p, "[%s]: missing path = DIR", fs->name);
			return -1;
		}
		if (efs_fs_config_has(cfg, EFS_A_FS_THROUGHPUT_MODE) &&
		    cfg->val[EFS_A_FS_THROUGHPUT_MODE] == EFS_TP_PROVISIONED &&
		    !efs_fs_config_has(cfg, EFS_A_FS_PROVISIONED_BPS)) {
			p->line = fs->opt_line[EFS_A_FS_THROUGHPUT_MODE];
			ctx_err(p, "[%s]: provisioned throughput mode needs provisioned-throughput-in-mibps",
				fs->name);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(p->c->v[j].path, fs->path))
				continue;
			p->line = fs->path_line;
			ctx_err(p, "path: %s is also the path of [%s] (line %d)",
				fs->path, p->c->v[j].name,
				p->c->v[j].path_line);
			return -1;
		}
	}
	return 0;
}

int efs_conf_parse(FILE *f, const char *file, struct efs_conf *c, char *err,
		   size_t errlen)
{
	struct parse_ctx p = { .f = f, .file = file, .c = c };
	int ret;

	memset(c, 0, sizeof(*c));
	ret = ini_parse_stream(reader, &p, handler, &p);
	end_header(&p);
	if (ret < 0) {
		snprintf(err, errlen, "%s: cannot parse (out of memory)", file);
		goto fail;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		goto fail;
	}
	/* inih's return is the first line with an error, ours or its own */
	if (ret > 0 && (!p.err_line || ret < p.err_line)) {
		snprintf(err, errlen,
			 "%s:%d: syntax error (expected [NAME], name = value or a # comment)",
			 file, ret);
		goto fail;
	}
	if (p.err_line || check_sections(&p)) {
		snprintf(err, errlen, "%s:%d: %s", file, p.err_line, p.err);
		goto fail;
	}
	return 0;
fail:
	efs_conf_free(c);
	return -1;
}

int efs_conf_parse_string(const char *text, const char *file,
			  struct efs_conf *c, char *err, size_t errlen)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	ret = efs_conf_parse(f, file, c, err, errlen);
	fclose(f);
	return ret;
}

int efs_conf_load(const char *file, struct efs_conf *c, char *err,
		  size_t errlen)
{
	FILE *f = fopen(file, "r");
	int ret;

	memset(c, 0, sizeof(*c));
	if (!f) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	ret = efs_conf_parse(f, file, c, err, errlen);
	fclose(f);
	return ret;
}

void efs_conf_free(struct efs_conf *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

int efs_conf_check_paths(struct efs_conf *c, const char *file, char *err,
			 size_t errlen)
{
	char real[PATH_MAX];
	struct stat st;
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		struct efs_conf_fs *fs = &c->v[i];

		if (!realpath(fs->path, real) || stat(real, &st)) {
			snprintf(err, errlen, "%s:%d: path: %s: %s", file,
				 fs->path_line, fs->path, strerror(errno));
			return -1;
		}
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s:%d: path: %s: %s", file,
				 fs->path_line, fs->path, strerror(ENOTDIR));
			return -1;
		}
		if (strlen(real) >= sizeof(fs->path)) {
			snprintf(err, errlen, "%s:%d: path: too long", file,
				 fs->path_line);
			return -1;
		}
		snprintf(fs->path, sizeof(fs->path), "%s", real);
		for (j = 0; j < i; j++) {
			if (strcmp(c->v[j].path, fs->path))
				continue;
			snprintf(err, errlen,
				 "%s:%d: path: %s is also the path of [%s] (line %d)",
				 file, fs->path_line, fs->path, c->v[j].name,
				 c->v[j].path_line);
			return -1;
		}
	}
	return 0;
}

int efs_conf_print(FILE *f, const struct efs_fs_info *fs, size_t n,
		   char *err, size_t errlen)
{
	struct efs_fs_config def;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strlen(fs[i].path) > EFS_CONF_PATH_MAX) {
			snprintf(err, errlen,
				 "[%s]: path is longer than the %d characters efs.conf can hold",
				 fs[i].name, EFS_CONF_PATH_MAX);
			return -1;
		}
	}
	efs_fs_config_defaults(&def);
	fprintf(f, "# efs.conf(5): the running configuration (efsctl fs show --format conf)\n");
	for (i = 0; i < n; i++) {
		struct efs_fs_config cur;
		unsigned int k;
		int attr;

		efs_fs_info_config(&fs[i], &cur);
		fprintf(f, "\n[%s]\npath = %s\n", fs[i].name, fs[i].path);
		for (k = 0; (attr = efs_fs_opt_attr(k)) >= 0; k++) {
			char buf[64];

			if (!efs_fs_config_has(&cur, attr) ||
			    cur.val[attr] == def.val[attr])
				continue;
			/* bytes/s 0 is "no rate", not an option value */
			if (attr == EFS_A_FS_PROVISIONED_BPS &&
			    !cur.val[attr])
				continue;
			fprintf(f, "%s = %s\n", efs_fs_opt_name(attr),
				efs_fs_opt_format(attr, cur.val[attr], buf,
						  sizeof(buf)));
		}
	}
	return 0;
}
