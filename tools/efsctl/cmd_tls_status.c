// SPDX-License-Identifier: GPL-2.0
/*
 * tls status: whether the kernel has server-side RPC-with-TLS, whether
 * tlshd runs, and what each export's xprtsec= lets a TLS client do.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <unistd.h>


#include "atrest.h"
#include "fs_get.h"
#include "fs_opts.h"
#include "nl.h"
#include "efsctl.h"
#include "opts.h"
#include "output.h"

/* exit statuses besides 0 and 1 */
#define EXIT_TLS_UNSUPPORTED	2
#define EXIT_TLS_NO_TLSHD	3

enum { TLS_OPT_JSON = 1 };

static const struct opt_def status_opts[] = {
	{ "json", 0, false, TLS_OPT_JSON },
	{ NULL, 0, false, 0 },
};

const char cmd_tls_status_usage[] =
"Usage: efsctl tls status [--json]\n"
"\n"
"Whether the running kernel has server-side RPC-with-TLS (Linux 6.4+:\n"
"the 'handshake' generic netlink family, and knfsd's svc_tcp_handshake\n"
"once sunrpc is loaded), whether tlshd runs (in this network namespace),\n"
"and which exports allow, require or refuse TLS (their xprtsec= option\n"
"as nfs-utils gave it to knfsd; none given means knfsd's default\n"
"none:tls:mtls, TLS allowed).\n"
"\n"
"Options:\n"
"  --json         one JSON document\n"
"  -h, --help\n"
"\n"
"Exit status: 0 the kernel supports it and tlshd runs in this network\n"
"namespace; 1 an error; 2 the kernel has no server-side RPC-with-TLS\n"
"(e.g. Linux 6.1); 3 it has, but no tlshd runs here.\n";

/*
 * Does the generic netlink family name exist? 1 yes, 0 no, -errno when
 * the question could not be asked.
 */
static int genl_family_exists(const char *name)
{
	struct efs_nl nl;
	int err = efs_nl_open_family(&nl, name);

	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	efs_nl_close(&nl);
	return 1;
}

/* 1 if sym is a symbol in /proc/kallsyms, 0 if not, -1 if unreadable. */
static int kallsyms_has(const char *sym)
{
	char line[512];
	size_t n = strlen(sym);
	FILE *f = fopen("/proc/kallsyms", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* "ADDR TYPE NAME[\t[MODULE]]" */
		char *name = strchr(line, ' ');

		if (name)
			name = strchr(name + 1, ' ');
		if (name && !strncmp(name + 1, sym, n) &&
		    (name[1 + n] == '\n' || name[1 + n] == '\t' ||
		     name[1 + n] == '\0')) {
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static bool path_exists(const char *p)
{
	struct stat st;

	return !stat(p, &st);
}

/* "loaded", "built-in", "module" (can be loaded) or "missing" */
static const char *ktls_state(const char *release)
{
	char p[PATH_MAX], line[512];
	const char *state = "missing";
	FILE *f;

	if (path_exists("/sys/module/tls"))
		return "loaded";
	snprintf(p, sizeof(p), "/lib/modules/%s/modules.builtin", release);
	f = fopen(p, "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (strstr(line, "/net/tls/tls.ko")) {
				state = "built-in";
				break;
			}
		fclose(f);
	}
	if (strcmp(state, "missing"))
		return state;
	snprintf(p, sizeof(p), "/lib/modules/%s/modules.dep", release);
	f = fopen(p, "re");
	if (f) {
		while (fgets(line, sizeof(line), f))
			if (!strncmp(line, "kernel/net/tls/tls.ko", 21)) {
				state = "module";
				break;
			}
		fclose(f);
	}
	return state;
}

#define TLSHD_MAX 16
struct tlshd {
	int pid;
	bool here;			/* in this network namespace */
	char config[PATH_MAX];		/* as tlshd names it */
	char cert[PATH_MAX];		/* [authenticate.server] */
	bool cert_readable;
};

/* tlshd's -c/--config from its command line, else the default. */
static void tlshd_config(int pid, char *out, size_t len)
{
	char p[64], buf[4096];
	ssize_t n;
	int fd;
	char *a;

	snprintf(out, len, "/etc/tlshd.conf");
	snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (a = buf; a < buf + n; a += strlen(a) + 1) {
		char *next = a + strlen(a) + 1;

		if ((!strcmp(a, "-c") || !strcmp(a, "--config")) &&
		    next < buf + n) {
			snprintf(out, len, "%s", next);
			return;
		}
		if (!strncmp(a, "--config=", 9)) {
			snprintf(out, len, "%s", a + 9);
			return;
		}
	}
}

/*
 * x509.certificate of [authenticate.server] in tlshd's configuration,
 * read through /proc/PID/root (tlshd may run chrooted).
 */
static void tlshd_server_cert(struct tlshd *t)
{
	char p[PATH_MAX + 64], line[1024];
	bool server = false;
	FILE *f;

	snprintf(p, sizeof(p), "/proc/%d/root%s", t->pid, t->config);
	f = fopen(p, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *v;

		s[strcspn(s, "\r\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			server = !strncmp(s, "[authenticate.server]", 21);
			continue;
		}
		if (!server || strncmp(s, "x509.certificate", 16))
			continue;
		v = strchr(s, '=');
		if (!v)
			continue;
		for (v++; *v == ' ' || *v == '\t'; v++)
			;
		snprintf(t->cert, sizeof(t->cert), "%s", v);
	}
	fclose(f);
	if (t->cert[0]) {
		snprintf(p, sizeof(p), "/proc/%d/root%s", t->pid, t->cert);
		t->cert_readable = !access(p, R_OK);
	}
}

static int find_tlshd(struct tlshd *v, int max)
{
	char self[64] = "", p[64], comm[32], ns[64];
	struct dirent *d;
	DIR *dir;
	ssize_t l;
	int n = 0;

	l = readlink("/proc/self/ns/net", self, sizeof(self) - 1);
	self[l > 0 ? l : 0] = '\0';
	dir = opendir("/proc");
	if (!dir)
		return 0;
	while ((d = readdir(dir)) && n < max) {
		FILE *f;
		int pid = atoi(d->d_name);

		if (pid <= 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%d/comm", pid);
		f = fopen(p, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
		if (strcmp(comm, "tlshd\n"))
			continue;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].pid = pid;
		snprintf(p, sizeof(p), "/proc/%d/ns/net", pid);
		l = readlink(p, ns, sizeof(ns) - 1);
		ns[l > 0 ? l : 0] = '\0';
		v[n].here = l > 0 && !strcmp(ns, self);
		tlshd_config(pid, v[n].config, sizeof(v[n].config));
		tlshd_server_cert(&v[n]);
		n++;
	}
	closedir(dir);
	return n;
}

/* The distinct export paths of the host's table. */
#define EXPORT_PATHS_MAX 64
static int export_paths(char paths[][PATH_MAX], int max)
{
	char line[4096];
	size_t i;
	int n = 0, j;

	for (i = 0; i < EFS_EXPORTS_FILES && !n; i++) {
		FILE *f = fopen(efs_exports_files[i], "re");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f) && n < max) {
			if (!efs_exports_line(line))
				continue;
			for (j = 0; j < n; j++)
				if (!strcmp(paths[j], line))
					break;
			if (j == n)
				snprintf(paths[n++], PATH_MAX, "%s", line);
		}
		fclose(f);
	}
	return n;
}

static bool has_mode(const char *modes, const char *m)
{
	size_t l = strlen(m);
	const char *p = modes;

	while ((p = strstr(p, m))) {
		if ((p == modes || p[-1] == ':') && (p[l] == ':' || !p[l]))
			return true;
		p += l;
	}
	return false;
}

/* What an export's xprtsec= modes mean for a TLS client. */
static const char *tls_policy(const char *modes)
{
	bool none, tls;

	if (!modes[0])
		return "allowed";	/* knfsd's default: none:tls:mtls */
	none = has_mode(modes, "none");
	tls = has_mode(modes, "tls") || has_mode(modes, "mtls");
	if (!tls)
		return "refused";
	return none ? "allowed" : "required";
}

/* knfsd's own syntax: ':' between modes (mtls alone: a client certificate) */
static const char *tls_note(const char *modes)
{
	if (has_mode(modes, "mtls") && !has_mode(modes, "tls") &&
	    !has_mode(modes, "none"))
		return " (mtls: client certificate needed)";
	return "";
}

/*
 * efs's own transit policy per filesystem (--transit-encryption), beside
 * the exports' xprtsec=; FileSystems is null while efs is not loaded.
 */
static void print_fs_policies(struct out *out)
{
	struct efs_fs_list l = { 0 };
	size_t i;

	if (genl_family_exists(EFS_GENL_NAME) != 1 ||
	    efs_fs_fetch_sorted(NULL, &l)) {
		out_null(out, "FileSystems");
		out_text(out, "efs: not loaded\n");
		return;
	}
	if (!l.n)
		out_text(out, "efs filesystems: none\n");
	out_arr_open(out, "FileSystems");
	for (i = 0; i < l.n; i++) {
		out_obj_open(out, NULL);
		out_str(out, "Name", "efs filesystem %s", l.v[i].name);
		out_str(out, "Path", " (%s):", l.v[i].path);
		out_str(out, "TransitEncryptionPolicy",
			" transit-encryption %s\n",
			efs_policy_str(l.v[i].transit_policy));
		out_obj_close(out);
	}
	out_arr_close(out);
	efs_fs_list_free(&l);
}

int cmd_tls_status(int argc, char **argv)
{
	static char paths[EXPORT_PATHS_MAX][PATH_MAX];
	struct tlshd td[TLSHD_MAX];
	bool json = false, supported, tlshd_here = false;
	int fam, svc, ntd, npaths, i;
	const char *ktls, *why = NULL;
	struct utsname u;
	struct out out;
	struct opts o;

	if (opts_parse(status_opts, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++)
		if (o.hits[i].def->id == TLS_OPT_JSON)
			json = true;
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "unknown");

	/*
	 * net/handshake (the upcall to tlshd) and knfsd's use of it came in
	 * 6.4 together; svc_tcp_handshake is sunrpc's server side, there
	 * only once sunrpc is loaded.
	 */
	fam = genl_family_exists("handshake");
	if (fam < 0) {
		efs_err("generic netlink: %s", strerror(-fam));
		return EXIT_FAIL;
	}
	svc = path_exists("/sys/module/sunrpc") ?
		kallsyms_has("svc_tcp_handshake") : -1;
	ktls = ktls_state(u.release);
	supported = fam && svc != 0 && strcmp(ktls, "missing");
	if (!fam)
		why = "no 'handshake' generic netlink family (Linux 6.4 or later has it)";
	else if (!svc)
		why = "sunrpc has no svc_tcp_handshake (knfsd's TLS side)";
	else if (!strcmp(ktls, "missing"))
		why = "no kernel TLS (CONFIG_TLS)";
	ntd = find_tlshd(td, TLSHD_MAX);
	for (i = 0; i < ntd; i++)
		tlshd_here |= td[i].here;
	npaths = export_paths(paths, EXPORT_PATHS_MAX);

	out_init(&out, stdout, json, false);
	out_obj_open(&out, NULL);
	out_str(&out, "Kernel", "kernel %s: ", u.release);
	out_bool(&out, "ServerTls", NULL, supported);
	if (supported)
		out_text(&out, "server-side RPC-with-TLS supported\n");
	else
		out_text(&out, "no server-side RPC-with-TLS: %s\n", why);
	out_obj_open(&out, "Probes");
	out_bool(&out, "HandshakeFamily", "  handshake netlink family: %s\n",
		 fam);
	if (svc < 0) {
		out_null(&out, "SvcTcpHandshake");
		out_text(&out, "  svc_tcp_handshake: unknown (sunrpc not loaded)\n");
	} else {
		out_bool(&out, "SvcTcpHandshake", "  svc_tcp_handshake: %s\n",
			 svc);
	}
	out_str(&out, "KernelTls", "  kernel TLS (tls.ko): %s\n", ktls);
	out_obj_close(&out);

	out_bool(&out, "TlshdRunning", NULL, tlshd_here);
	if (!ntd)
		out_text(&out, "tlshd: not running\n");
	out_arr_open(&out, "Tlshd");
	for (i = 0; i < ntd; i++) {
		out_obj_open(&out, NULL);
		out_u64(&out, "Pid", "tlshd: pid %s", td[i].pid);
		out_bool(&out, "InThisNetns", NULL, td[i].here);
		out_text(&out, "%s", td[i].here ? "" :
			 " (another network namespace)");
		out_str(&out, "Config", ", config %s", td[i].config);
		if (td[i].cert[0]) {
			out_str(&out, "ServerCertificate", ", certificate %s",
				td[i].cert);
			out_bool(&out, "ServerCertificateReadable", NULL,
				 td[i].cert_readable);
			out_text(&out, "%s", td[i].cert_readable ? "" :
				 " (not readable!)");
		} else {
			out_null(&out, "ServerCertificate");
			out_text(&out, ", no server certificate configured");
		}
		out_text(&out, "\n");
		out_obj_close(&out);
	}
	out_arr_close(&out);

	if (!npaths)
		out_text(&out, "exports: none\n");
	out_arr_open(&out, "Exports");
	for (i = 0; i < npaths; i++) {
		struct efs_exports e;
		size_t k;

		efs_exports_read(paths[i], &e);
		for (k = 0; k < e.n; k++) {
			const struct efs_export *x = &e.v[k];
			const char *pol = supported ? tls_policy(x->xprtsec) :
				"not supported";

			out_obj_open(&out, NULL);
			out_str(&out, "Path", "export %s", paths[i]);
			out_str(&out, "Client", " %s:", x->client);
			/* as fs show has it */
			out_str(&out, "Xprtsec", NULL, x->xprtsec[0] ?
				x->xprtsec : supported ? "not set" :
				"not supported");
			out_str(&out, "Tls", " TLS %s", pol);
			if (supported)
				out_text(&out, " (xprtsec=%s)%s",
					 x->xprtsec[0] ? x->xprtsec :
					 "not set: none:tls:mtls",
					 tls_note(x->xprtsec));
			out_text(&out, "\n");
			out_obj_close(&out);
		}
	}
	out_arr_close(&out);
	print_fs_policies(&out);
	out_obj_close(&out);
	out_doc_end(&out);
	if (!supported)
		return EXIT_TLS_UNSUPPORTED;
	return tlshd_here ? EXIT_OK : EXIT_TLS_NO_TLSHD;
}
