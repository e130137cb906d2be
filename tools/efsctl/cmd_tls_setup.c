// SPDX-License-Identifier: GPL-2.0
/*
 * tls setup: what a server needs for RPC-with-TLS (RFC 9289, knfsd's own
 * from Linux 6.4, tlshd of ktls-utils doing the handshakes): a CA and a
 * server certificate (openssl CLI) or given ones, and tlshd's
 * configuration. efs adds no TLS of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "atomic_file.h"
#include "efsctl.h"
#include "opts.h"
#include "units.h"

#define TLS_NAMES_MAX	16

const char cmd_tls_setup_usage[] =
"Usage: efsctl tls setup [--dir DIR] [--config FILE] [--name NAME[,NAME]...]\n"
"                        [--days N] [--force]\n"
"       efsctl tls setup --cert FILE --key FILE [--ca FILE] [--config FILE]\n"
"                        [--force]\n"
"\n"
"Prepare this NFS server for RPC-with-TLS (xprtsec=tls|mtls): make a CA\n"
"and a server certificate signed by it (openssl, ECDSA P-256), or take\n"
"the given ones, and write tlshd's configuration (ktls-utils,\n"
"tlshd.conf(5)) naming them. Prints how to start tlshd and what clients\n"
"need. Nothing is overwritten without --force.\n"
"\n"
"Options:\n"
"  --dir DIR      where ca.pem, ca.key, server.pem, server.key go\n"
"                 (default /etc/efs/tls; keys mode 0600)\n"
"  --config FILE  tlshd's configuration (default /etc/tlshd.conf)\n"
"  --name NAMES   DNS names or IP addresses (comma-separated) clients\n"
"                 mount the server by, for the certificate's subjectAltName\n"
"                 ("
"                 default: the host name and the host's addresses).\n"
"                 Clients check the name they mount against it.\n"
"  --days N       validity of the certificates (1-36500, default 825)\n"
"  --cert FILE    use this server certificate (PEM) instead of making one\n"
"  --key FILE     its private key (PEM); needs --cert\n"
"  --ca FILE      the CA that signed --cert, as tlshd's truststore (needed\n"
"                 to verify client certificates for xprtsec=mtls)\n"
"  --force        replace existing files\n"
"  -h, --help\n";


enum {
	TLS_OPT_DIR = 1,
	TLS_OPT_CONFIG,
	TLS_OPT_NAME,
	TLS_OPT_DAYS,
	TLS_OPT_CERT,
	TLS_OPT_KEY,
	TLS_OPT_CA,
	TLS_OPT_FORCE,
};

static const struct opt_def setup_opts[] = {
	{ "dir", 0, true, TLS_OPT_DIR },
	{ "config", 0, true, TLS_OPT_CONFIG },
	{ "name", 0, true, TLS_OPT_NAME },
	{ "days", 0, true, TLS_OPT_DAYS },
	{ "cert", 0, true, TLS_OPT_CERT },
	{ "key", 0, true, TLS_OPT_KEY },
	{ "ca", 0, true, TLS_OPT_CA },
	{ "force", 0, false, TLS_OPT_FORCE },
	{ NULL, 0, false, 0 },
};

/*
 * Run argv (openssl) with its output collected in out; 0 if it exited 0.
 * No shell: names and paths go to it as they are.
 */
static int run_tool(char *const argv[], char *out, size_t len)
{
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (!pid) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull >= 0)
			dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	close(p[1]);
	while ((r = read(p[0], out + n, len - 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		n += r;
		if (n >= len - 1) {
			char sink[256];

			/* keep the start, drain the rest */
			while (read(p[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	out[n] = '\0';
	close(p[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int openssl(const char *what, char *const argv[])
{
	char out[2048];

	if (!run_tool(argv, out, sizeof(out)))
		return 0;
	/* openssl's message on one line */
	while (strlen(out) && out[strlen(out) - 1] == '\n')
		out[strlen(out) - 1] = '\0';
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	efs_err("%s: openssl failed%s%s", what, out[0] ? ": " : "", out);
	return -1;
}

/* A DNS name or an IP address, for subjectAltName (no ',' or ':' tricks). */
static bool name_ok(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;
	const char *p;

	if (inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1)
		return true;
	if (!*s || strlen(s) > 253)
		return false;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' ||
		      (*p == '*' && p == s)))
			return false;
	return true;
}

static bool is_ip(const char *s)
{
	struct in6_addr a6;
	struct in_addr a4;

	return inet_pton(AF_INET, s, &a4) == 1 ||
	       inet_pton(AF_INET6, s, &a6) == 1;
}

/* The host name and its non-loopback, non-link-local addresses. */
static int default_names(char names[][256], int max)
{
	struct ifaddrs *ifa, *i;
	char host[256];
	int n = 0;

	if (!gethostname(host, sizeof(host)) && host[0] && name_ok(host))
		snprintf(names[n++], 256, "%s", host);
	if (getifaddrs(&ifa))
		return n;
	for (i = ifa; i && n < max; i = i->ifa_next) {
		char buf[INET6_ADDRSTRLEN];

		if (!i->ifa_addr || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			inet_ntop(AF_INET,
				  &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
				  buf, sizeof(buf));
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct in6_addr *a =
				&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a))
				continue;
			inet_ntop(AF_INET6, a, buf, sizeof(buf));
		} else {
			continue;
		}
		snprintf(names[n++], 256, "%s", buf);
	}
	freeifaddrs(ifa);
	return n;
}

static bool exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

/* Write text to path through a temporary file renamed over it. */
static int write_text(FILE *f, void *text)
{
	size_t len = strlen(text);

	return fwrite(text, 1, len, f) == len ? 0 : -1;
}

static int write_file(const char *path, const char *text, mode_t mode)
{
	return efs_write_atomic(path, mode, write_text, (void *)text);
}

static int abs_path(const char *in, char *out, size_t len, const char *what)
{
	char buf[PATH_MAX];

	if (!realpath(in, buf)) {
		efs_err("%s %s: %s", what, in, strerror(errno));
		return -1;
	}
	if (snprintf(out, len, "%s", buf) >= (int)len) {
		efs_err("%s %s: path too long", what, in);
		return -1;
	}
	return 0;
}

static int join(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

struct setup {
	const char *dir, *config, *cert, *key, *ca;
	char names[TLS_NAMES_MAX][256];
	int nnames;
	unsigned long days;
	bool force;
};

/* Make the CA, the server key and its certificate in s->dir. */
static int make_certs(const struct setup *s, char *cert, char *key, char *ca,
		      size_t len)
{
	char cakey[PATH_MAX], csr[PATH_MAX], ext[PATH_MAX], days[16];
	char subj[300], casubj[300], serial[40], san[4096] = "";
	char extra[4200];
	unsigned char rnd[16];
	size_t i, o = 0;
	int fd, rc = -1;
	mode_t old;

	if (join(ca, len, s->dir, "ca.pem") ||
	    join(cert, len, s->dir, "server.pem") ||
	    join(key, len, s->dir, "server.key") ||
	    join(cakey, sizeof(cakey), s->dir, "ca.key") ||
	    join(csr, sizeof(csr), s->dir, "server.csr") ||
	    join(ext, sizeof(ext), s->dir, "server.ext")) {
		efs_err("--dir %s: path too long", s->dir);
		return -1;
	}
	{
		const char *const made[] = { ca, cert, key, cakey };

		for (i = 0; i < 4; i++)
			if (!s->force && exists(made[i])) {
				efs_err("%s exists (--force replaces it)",
					made[i]);
				return -1;
			}
	}
	for (i = 0; i < (size_t)s->nnames; i++)
		o += snprintf(san + o, sizeof(san) - o, "%s%s:%s",
			      i ? "," : "", is_ip(s->names[i]) ? "IP" : "DNS",
			      s->names[i]);
	if (o >= sizeof(san)) {
		efs_err("too many names");
		return -1;
	}
	snprintf(extra, sizeof(extra),
		 "basicConstraints=critical,CA:FALSE\n"
		 "keyUsage=critical,digitalSignature,keyEncipherment\n"
		 "extendedKeyUsage=serverAuth,clientAuth\n"
		 "subjectAltName=%s\n", san);
	if (write_file(ext, extra, 0644))
		return -1;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, rnd, sizeof(rnd)) != sizeof(rnd)) {
		efs_err("/dev/urandom: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	close(fd);
	rnd[0] &= 0x7f;	/* a positive serial */
	o = snprintf(serial, sizeof(serial), "0x");
	for (i = 0; i < sizeof(rnd); i++)
		o += snprintf(serial + o, sizeof(serial) - o, "%02x", rnd[i]);
	snprintf(days, sizeof(days), "%lu", s->days);
	snprintf(subj, sizeof(subj), "/CN=%s", s->names[0]);
	snprintf(casubj, sizeof(casubj), "/CN=efs NFS CA %s", s->names[0]);

	old = umask(077);
	{
		char *const a[] = { "openssl", "genpkey", "-algorithm", "EC",
			"-pkeyopt", "ec_paramgen_curve:P-256", "-out", cakey,
			NULL };
		char *const b[] = { "openssl", "req", "-x509", "-new", "-key",
			cakey, "-subj", casubj, "-days", days, "-sha256",
			"-addext", "basicConstraints=critical,CA:TRUE",
			"-addext", "keyUsage=critical,keyCertSign,cRLSign",
			"-out", ca, NULL };
		char *const c[] = { "openssl", "genpkey", "-algorithm", "EC",
			"-pkeyopt", "ec_paramgen_curve:P-256", "-out", key,
			NULL };
		char *const d[] = { "openssl", "req", "-new", "-key", key,
			"-subj", subj, "-out", csr, NULL };
		char *const e[] = { "openssl", "x509", "-req", "-in", csr,
			"-CA", ca, "-CAkey", cakey, "-set_serial", serial,
			"-days", days, "-sha256", "-extfile", ext, "-out", cert,
			NULL };

		if (openssl("CA key", a) || openssl("CA certificate", b) ||
		    openssl("server key", c) || openssl("server request", d) ||
		    openssl("server certificate", e)) {
			umask(old);
			goto out;
		}
	}
	umask(old);
	if (chmod(ca, 0644) || chmod(cert, 0644)) {
		efs_err("%s: %s", s->dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	unlink(csr);
	unlink(ext);
	return rc;
}

/* Given files: parse them, and the certificate must verify against --ca. */
static int check_given(const struct setup *s, char *cert, char *key, char *ca,
		       size_t len)
{
	if (abs_path(s->cert, cert, len, "--cert") ||
	    abs_path(s->key, key, len, "--key") ||
	    (s->ca && abs_path(s->ca, ca, len, "--ca")))
		return -1;
	{
		char *const a[] = { "openssl", "x509", "-noout", "-in", cert,
			NULL };
		char *const b[] = { "openssl", "pkey", "-noout", "-in", key,
			NULL };
		char *const c[] = { "openssl", "verify", "-CAfile", ca, cert,
			NULL };

		if (openssl(cert, a) || openssl(key, b) ||
		    (s->ca && openssl("--cert does not verify against --ca",
				      c)))
			return -1;
	}
	return 0;
}

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path,
				  prog) < (int)sizeof(buf) &&
		    !access(buf, X_OK))
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

/* --name A,B,C */
static int add_names(struct setup *s, const char *list)
{
	while (*list) {
		size_t n = strcspn(list, ",");
		char name[256];

		if (n >= sizeof(name) || !n) {
			efs_err("--name: invalid name list '%s'", list);
			return -1;
		}
		memcpy(name, list, n);
		name[n] = '\0';
		if (!name_ok(name)) {
			efs_err("--name: '%s' is neither a DNS name nor an IP address",
				name);
			return -1;
		}
		if (s->nnames == TLS_NAMES_MAX) {
			efs_err("--name: at most %d names", TLS_NAMES_MAX);
			return -1;
		}
		memcpy(s->names[s->nnames++], name, n + 1);
		list += n;
		if (*list == ',' && !*++list) {
			efs_err("--name: empty name at the end");
			return -1;
		}
	}
	return 0;
}

int cmd_tls_setup(int argc, char **argv)
{
	char cert[PATH_MAX], key[PATH_MAX], ca[PATH_MAX] = "";
	static char conf[5 * PATH_MAX];
	struct setup s = { .dir = "/etc/efs/tls", .config = "/etc/tlshd.conf",
			   .days = 825 };
	char dir[PATH_MAX];
	struct opts o;
	time_t now;
	int i;

	if (opts_parse(setup_opts, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++) {
		const char *v = o.hits[i].value;

		switch (o.hits[i].def->id) {
		case TLS_OPT_DIR:
			s.dir = v;
			break;
		case TLS_OPT_CONFIG:
			s.config = v;
			break;
		case TLS_OPT_NAME:
			if (add_names(&s, v))
				return EXIT_FAIL;
			break;
		case TLS_OPT_DAYS: {
			uint64_t d;

			if (efs_parse_u64(v, &d) || d < 1 || d > 36500) {
				efs_err("--days: invalid value '%s' (expected 1..36500)",
					v);
				return EXIT_FAIL;
			}
			s.days = d;
			break;
		}
		case TLS_OPT_CERT:
			s.cert = v;
			break;
		case TLS_OPT_KEY:
			s.key = v;
			break;
		case TLS_OPT_CA:
			s.ca = v;
			break;
		case TLS_OPT_FORCE:
			s.force = true;
			break;
		}
	}
	if (!s.cert != !s.key) {
		efs_err("--cert and --key go together");
		return EXIT_FAIL;
	}
	if (s.cert && s.nnames) {
		efs_err("--name makes a certificate; with --cert the names are the certificate's");
		return EXIT_FAIL;
	}
	if (s.ca && !s.cert) {
		efs_err("--ca goes with --cert (without them setup makes its own CA)");
		return EXIT_FAIL;
	}
	if (!s.force && exists(s.config)) {
		efs_err("%s exists (--force replaces it)", s.config);
		return EXIT_FAIL;
	}
	if (!s.cert && !on_path("openssl")) {
		efs_err("openssl not found (apt install openssl)");
		return EXIT_FAIL;
	}

	if (s.cert) {
		if (check_given(&s, cert, key, ca, sizeof(cert)))
			return EXIT_FAIL;
	} else {
		if (!s.nnames)
			s.nnames = default_names(s.names, TLS_NAMES_MAX);
		if (!s.nnames) {
			efs_err("no host name or address found: give --name");
			return EXIT_FAIL;
		}
		if (mkdir(s.dir, 0755) && errno != EEXIST) {
			efs_err("%s: %s", s.dir, strerror(errno));
			return EXIT_FAIL;
		}
		if (abs_path(s.dir, dir, sizeof(dir), "--dir"))
			return EXIT_FAIL;
		s.dir = dir;
		if (make_certs(&s, cert, key, ca, sizeof(cert)))
			return EXIT_FAIL;
	}

	now = time(NULL);
	snprintf(conf, sizeof(conf),
		 "# tlshd.conf(5), written by efsctl tls setup at %lld (Unix time)\n"
		 "[debug]\n"
		 "loglevel=0\n"
		 "tls=0\n"
		 "nl=0\n"
		 "\n"
		 "[authenticate]\n"
		 "\n"
		 "[authenticate.client]\n"
		 "%s%s%s"
		 "\n"
		 "[authenticate.server]\n"
		 "x509.certificate=%s\n"
		 "x509.private_key=%s\n"
		 "%s%s%s",
		 (long long)now,
		 ca[0] ? "x509.truststore=" : "", ca, ca[0] ? "\n" : "",
		 cert, key,
		 ca[0] ? "x509.truststore=" : "", ca, ca[0] ? "\n" : "");
	if (write_file(s.config, conf, 0644))
		return EXIT_FAIL;

	if (!s.cert) {
		printf("CA:                 %s (key %s/ca.key: keep it private)\n",
		       ca, s.dir);
		printf("server certificate: %s, key %s, for", cert, key);
		for (i = 0; i < s.nnames; i++)
			printf(" %s", s.names[i]);
		printf("\n");
	} else {
		printf("server certificate: %s, key %s%s%s\n", cert, key,
		       ca[0] ? ", CA " : "", ca);
	}
	printf("tlshd configuration: %s\n\n", s.config);
	if (on_path("tlshd"))
		printf("Start tlshd (ktls-utils) so knfsd can hand it TLS handshakes:\n"
		       "  systemctl enable --now tlshd        # or: tlshd%s%s\n",
		       strcmp(s.config, "/etc/tlshd.conf") ? " -c " : "",
		       strcmp(s.config, "/etc/tlshd.conf") ? s.config : "");
	else
		printf("tlshd is not installed: install ktls-utils (Debian 13: apt install\n"
		       "ktls-utils; Debian 12 has no package, see efs's README, Security),\n"
		       "then start it: systemctl enable --now tlshd%s%s%s\n",
		       strcmp(s.config, "/etc/tlshd.conf") ? " (or tlshd -c " : "",
		       strcmp(s.config, "/etc/tlshd.conf") ? s.config : "",
		       strcmp(s.config, "/etc/tlshd.conf") ? ")" : "");
	if (!s.cert || ca[0])
		printf("\nOn each client: copy %s there, name it as x509.truststore under\n"
		       "[authenticate.client] in its /etc/tlshd.conf, start tlshd, then\n"
		       "  mount -t efs -o tls %s:/PATH /mnt\n",
		       ca[0] ? ca : "the CA", s.cert ? "SERVER" : s.names[0]);
	printf("\nefsctl tls status shows whether the kernel and tlshd are ready.\n");
	return EXIT_OK;
}
