// SPDX-License-Identifier: GPL-2.0
/*
 * efs-btf-check: what the running kernel's knfsd looks like, from BTF.
 *
 * A module cannot read another module's BTF, so this runs in userspace at
 * load time (a modprobe.d install rule) and hands efs what it found as
 * module parameters:
 *
 *   btf_layout=svc_fh.fh_handle=0,svc_fh.fh_maxsize=132,...
 *   btf_protos=nfsd_dispatch=int(svc_rqst*);fh_verify=__be32(...);...
 *
 * efs compares them with what it was built for and refuses to hook knfsd
 * on any difference (module/compat.c). Types are rendered without spaces
 * (they pass through modprobe's argument list): a struct, union or enum by
 * its tag, a typedef by its name, an int by its name with '_' for ' ',
 * "*" per pointer, "const_" for const.
 *
 *   efs-btf-check                        print the two parameters
 *   efs-btf-check --modprobe [PARAM...]  exec modprobe --ignore-install efs
 *                                        PARAM... plus the two parameters
 *   efs-btf-check --insmod FILE [PARAM...]   the same with insmod FILE
 *   efs-btf-check --expect FILE.ko       compare with the prototypes FILE
 *                                        was built for (modinfo efs_protos)
 *   --vmlinux FILE  base BTF (default /sys/kernel/btf/vmlinux)
 *   --nfsd FILE     nfsd's BTF: raw, or nfsd.ko[.xz|.zst] (default
 *                   /sys/kernel/btf/nfsd, else the nfsd.ko modinfo finds)
 *   --root DIR      modprobe -d DIR (with --modprobe)
 *   EFS_BTF_DEBUG=1 show libbpf's messages
 *
 * Without module BTF (5.10, or a kernel built without it) nothing is
 * passed: efs's version-range compat alone decides.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* Keep in step with module/nfsd_compat.h: efs refuses what is missing. */
static const char *const fields[][2] = {
	{ "svc_fh", "fh_handle" }, { "svc_fh", "fh_maxsize" },
	{ "svc_fh", "fh_dentry" }, { "svc_fh", "fh_export" },
	{ "svc_export", "h" }, { "svc_export", "ex_client" },
	{ "svc_export", "ex_flags" }, { "svc_export", "ex_fsid" },
	{ "svc_export", "ex_path" }, { "nfsd_file", "nf_file" },
};

static const char *const funcs[] = {
	"nfsd_dispatch", "fh_verify", "nfsd_vfs_write", "nfsd_splice_read",
	"nfsd_readv", "nfsd_iter_read", "nfsd4_copy", "nfsd_copy_file_range",
	"nfsd4_clone_file_range",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("efs-btf-check: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

struct sbuf {
	char s[4096];
	size_t n;
};

static void put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(b->s) - b->n)
		die("output too long");
	b->n += r;
}

static void put_name(struct sbuf *b, const char *name)
{
	for (; name && *name; name++)
		put(b, "%c", *name == ' ' ? '_' : *name);
}

static void render(const struct btf *btf, __u32 id, struct sbuf *b, int depth)
{
	const struct btf_type *t;
	const char *name;

	if (depth > 16)
		die("type chain too deep");
	if (!id) {
		put(b, "void");
		return;
	}
	t = btf__type_by_id(btf, id);
	if (!t)
		die("bad type id %u", id);
	name = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
		render(btf, t->type, b, depth + 1);
		put(b, "*");
		break;
	case BTF_KIND_CONST:
		put(b, "const_");
		render(btf, t->type, b, depth + 1);
		break;
	case BTF_KIND_VOLATILE:
		put(b, "volatile_");
		render(btf, t->type, b, depth + 1);
		break;
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		render(btf, t->type, b, depth + 1);
		break;
	case BTF_KIND_ARRAY:
		render(btf, btf_array(t)->type, b, depth + 1);
		put(b, "[%u]", btf_array(t)->nelems);
		break;
	case BTF_KIND_FUNC_PROTO:
		put(b, "fn");
		break;
	default:	/* int, float, typedef, struct, union, enum, fwd */
		put_name(b, name && *name ? name : "anon");
		break;
	}
}

static const struct btf_type *find(const struct btf *btf, const char *name,
				   int kind)
{
	__s32 id = btf__find_by_name_kind(btf, name, kind);

	return id > 0 ? btf__type_by_id(btf, id) : NULL;
}

static void layout(const struct btf *btf, struct sbuf *b)
{
	const char *sep = "";
	size_t i;
	int m;

	for (i = 0; i < N(fields); i++) {
		const struct btf_type *t = find(btf, fields[i][0], BTF_KIND_STRUCT);
		const struct btf_member *mem;

		if (!t)
			continue;
		mem = btf_members(t);
		for (m = 0; m < btf_vlen(t); m++, mem++) {
			if (strcmp(btf__name_by_offset(btf, mem->name_off),
				   fields[i][1]))
				continue;
			put(b, "%s%s.%s=%u", sep, fields[i][0], fields[i][1],
			    btf_member_bit_offset(t, m) / 8);
			sep = ",";
		}
	}
}

static void protos(const struct btf *btf, struct sbuf *b)
{
	const char *sep = "";
	size_t i;
	int p;

	for (i = 0; i < N(funcs); i++) {
		const struct btf_type *f = find(btf, funcs[i], BTF_KIND_FUNC);
		const struct btf_type *fp;
		const struct btf_param *par;

		if (!f)
			continue;
		fp = btf__type_by_id(btf, f->type);
		if (!fp || !btf_is_func_proto(fp))
			continue;
		put(b, "%s%s=", sep, funcs[i]);
		render(btf, fp->type, b, 0);
		put(b, "(");
		par = btf_params(fp);
		for (p = 0; p < btf_vlen(fp); p++, par++) {
			if (p)
				put(b, ",");
			if (!par->type)
				put(b, "...");
			else
				render(btf, par->type, b, 0);
		}
		put(b, ")");
		sep = ";";
	}
}

/*
 * libbpf's own messages only with EFS_BTF_DEBUG set: a kernel without module
 * BTF (5.10) is expected, not an error, and modprobe runs this quietly.
 */
static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!getenv("EFS_BTF_DEBUG"))
		return 0;
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

/* A compressed nfsd.ko is unpacked to a temporary file first. */
static char tmpko[64];

static void drop_tmp(void)
{
	if (tmpko[0])
		unlink(tmpko);
}

static const char *plain_file(const char *path)
{
	size_t n = strlen(path);
	const char *dec = NULL;
	char cmd[4200];
	int fd;

	if (n > 3 && !strcmp(path + n - 3, ".xz"))
		dec = "xz -dc";
	else if (n > 4 && !strcmp(path + n - 4, ".zst"))
		dec = "zstd -qdc";
	else if (n > 3 && !strcmp(path + n - 3, ".gz"))
		dec = "gzip -dc";
	if (!dec)
		return path;
	strcpy(tmpko, "/tmp/efs-btf-nfsd.XXXXXX");
	fd = mkstemp(tmpko);
	if (fd < 0)
		die("mkstemp: %s", strerror(errno));
	close(fd);
	atexit(drop_tmp);
	if (strchr(path, '\'') || strlen(path) > 4000)
		die("odd path %s", path);
	snprintf(cmd, sizeof(cmd), "%s '%s' > '%s'", dec, path, tmpko);
	if (system(cmd))
		die("cannot unpack %s", path);
	return tmpko;
}

/* The nfsd.ko modprobe would load, from modinfo; NULL if none. */
static char *nfsd_ko(void)
{
	static char path[4096];
	FILE *p = popen("modinfo -n nfsd 2>/dev/null", "r");

	if (!p)
		return NULL;
	if (!fgets(path, sizeof(path), p))
		path[0] = '\0';
	pclose(p);
	path[strcspn(path, "\n")] = '\0';
	return path[0] == '/' ? path : NULL;
}

static struct btf *load(const char *vmlinux, const char *nfsd)
{
	struct btf *base, *btf;

	base = vmlinux ? btf__parse(vmlinux, NULL) : btf__load_vmlinux_btf();
	if (!base)
		return NULL;
	if (!nfsd && access("/sys/kernel/btf/nfsd", R_OK) == 0)
		nfsd = "/sys/kernel/btf/nfsd";
	if (!nfsd)
		nfsd = nfsd_ko();
	if (!nfsd)
		return NULL;
	btf = btf__parse_split(plain_file(nfsd), base);
	if (!btf)
		return NULL;
	/* a .ko without a .BTF section: no module BTF */
	if (btf__type_cnt(btf) <= btf__type_cnt(base))
		return NULL;
	return btf;
}

/* --expect: the prototypes FILE.ko was built for, one by one. */
static int expect(const char *ko, const char *got)
{
	char cmd[4200], want[4096], *item, *save;
	int bad = 0, n = 0;
	FILE *p;

	if (strchr(ko, '\'') || strlen(ko) > 4000)
		die("odd path %s", ko);
	snprintf(cmd, sizeof(cmd), "modinfo -F efs_protos '%s'", ko);
	p = popen(cmd, "r");
	if (!p || !fgets(want, sizeof(want), p))
		die("no efs_protos in %s", ko);
	pclose(p);
	want[strcspn(want, "\n")] = '\0';
	for (item = strtok_r(want, ";", &save); item;
	     item = strtok_r(NULL, ";", &save)) {
		size_t klen = strcspn(item, "=");
		const char *g = got;
		int found = 0;

		n++;
		while (*g) {
			size_t len = strcspn(g, ";");

			if (len == strlen(item) && !strncmp(g, item, len))
				found = 1;
			else if (!strncmp(g, item, klen + 1)) {
				printf("DIFF %.*s: BTF %.*s, efs %s\n",
				       (int)klen, item, (int)(len - klen - 1),
				       g + klen + 1, item + klen + 1);
				found = -1;
			}
			g += len;
			if (*g)
				g++;
		}
		if (found == 1)
			printf("ok   %s\n", item);
		else if (!found)
			printf("DIFF %.*s: not in BTF, efs %s\n", (int)klen,
			       item, item + klen + 1);
		bad += found != 1;
	}
	printf("%d of %d prototypes as built\n", n - bad, n);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *vmlinux = NULL, *nfsd = NULL, *root = NULL, *ko = NULL;
	const char *want = NULL;
	struct sbuf lay = { .n = 0 }, pro = { .n = 0 };
	char *args[256], *lp, *pp;
	int i, mode = 0, na = 0;	/* 1 modprobe, 2 insmod */
	struct btf *btf;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--vmlinux") && i + 1 < argc) {
			vmlinux = argv[++i];
		} else if (!strcmp(argv[i], "--nfsd") && i + 1 < argc) {
			nfsd = argv[++i];
		} else if (!strcmp(argv[i], "--root") && i + 1 < argc) {
			root = argv[++i];
		} else if (!strcmp(argv[i], "--expect") && i + 1 < argc) {
			want = argv[++i];
		} else if (!strcmp(argv[i], "--modprobe")) {
			mode = 1;
			i++;
			break;
		} else if (!strcmp(argv[i], "--insmod") && i + 1 < argc) {
			mode = 2;
			ko = argv[++i];
			i++;
			break;
		} else {
			fprintf(stderr, "usage: efs-btf-check [--vmlinux FILE] [--nfsd FILE] [--root DIR]\n"
				"       [--expect EFS.KO | --modprobe [PARAM...] | --insmod EFS.KO [PARAM...]]\n");
			return 2;
		}
	}

	libbpf_set_print(libbpf_quiet);
	btf = load(vmlinux, nfsd);
	if (btf) {
		layout(btf, &lay);
		protos(btf, &pro);
	}
	if (want) {
		if (!btf)
			die("no nfsd BTF to compare with");
		return expect(want, pro.s);
	}
	if (!mode) {
		if (btf)
			printf("btf_layout=%s btf_protos=%s\n", lay.s, pro.s);
		return 0;
	}

	if (mode == 1) {
		args[na++] = "modprobe";
		args[na++] = "--ignore-install";
		if (root) {
			args[na++] = "-d";
			args[na++] = (char *)root;
		}
		args[na++] = "efs";
	} else {
		args[na++] = "insmod";
		args[na++] = (char *)ko;
	}
	for (; i < argc && na < 250; i++)
		args[na++] = argv[i];
	if (btf) {
		if (asprintf(&lp, "btf_layout=%s", lay.s) < 0 ||
		    asprintf(&pp, "btf_protos=%s", pro.s) < 0)
			die("out of memory");
		args[na++] = lp;
		args[na++] = pp;
	}
	args[na] = NULL;
	drop_tmp();
	tmpko[0] = '\0';
	execvp(args[0], args);
	die("cannot run %s: %s", args[0], strerror(errno));
	return 2;
}
