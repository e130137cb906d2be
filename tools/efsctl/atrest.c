// SPDX-License-Identifier: GPL-2.0
/*
 * Encryption at rest and the export table of an export root (atrest.h).
 *
 * dm-crypt is found by walking sysfs from the filesystem's device
 * (/sys/dev/block/MAJ:MIN) down through device-mapper devices and their
 * slaves; a crypt target's cipher and key size come from the table the
 * device mapper reports (DM_TABLE_STATUS), which is what libcryptsetup's
 * crypt_get_cipher()/crypt_get_volume_key_size() read for an active
 * device too, without linking efsctl to it. Reading a table needs
 * CAP_SYS_ADMIN; without it a "CRYPT-" mapping is reported as encrypted
 * with the cipher unknown (never as AES-256).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#include <linux/dm-ioctl.h>
#include <linux/fscrypt.h>

#include "atrest.h"

#ifndef FSCRYPT_MODE_AES_256_HCTR2
#define FSCRYPT_MODE_AES_256_HCTR2 10
#endif

#define STACK_DEPTH_MAX	8

int efs_dm_crypt_params(const char *params, char *cipher, size_t len,
			unsigned int *key_bits)
{
	const char *p = params, *c, *k;
	size_t clen, klen;

	while (*p == ' ')
		p++;
	c = p;
	while (*p && *p != ' ')
		p++;
	clen = (size_t)(p - c);
	while (*p == ' ')
		p++;
	k = p;
	while (*p && *p != ' ')
		p++;
	klen = (size_t)(p - k);
	if (!clen || !klen || clen >= len)
		return -1;
	memcpy(cipher, c, clen);
	cipher[clen] = '\0';
	if (k[0] == ':') {
		/* ":BYTES:logon:cryptsetup:..." (key in the kernel keyring) */
		char *end;
		unsigned long bytes = strtoul(k + 1, &end, 10);

		if (end == k + 1 || *end != ':' || bytes > 1024)
			return -1;
		*key_bits = (unsigned int)bytes * 8;
		return 0;
	}
	if (klen == 1 && k[0] == '-') {
		*key_bits = 0;	/* no key */
		return 0;
	}
	for (p = k; p < k + klen; p++)
		if (!isxdigit((unsigned char)*p))
			return -1;
	if (klen % 2 || klen > 2048)
		return -1;
	*key_bits = (unsigned int)klen * 4;
	return 0;
}

bool efs_dm_crypt_aes256(const char *cipher, unsigned int key_bits)
{
	char lc[64];
	size_t i;
	bool aes, xts;

	for (i = 0; cipher[i] && i < sizeof(lc) - 1; i++)
		lc[i] = (char)tolower((unsigned char)cipher[i]);
	lc[i] = '\0';
	if (strstr(lc, "authenc") || strstr(lc, "gcm") || strstr(lc, "ccm"))
		aes = false;	/* integrity modes: key layout differs, not judged */
	else
		aes = !strncmp(lc, "aes-", 4) || !strcmp(lc, "aes") ||
		      (!strncmp(lc, "capi:", 5) && strstr(lc, "(aes)"));
	xts = strstr(lc, "xts") != NULL;
	if (!aes)
		return false;
	return key_bits == (xts ? 512U : 256U);
}

void efs_fscrypt_describe(unsigned int contents, unsigned int names,
			  struct efs_at_rest *r)
{
	static const struct {
		unsigned int mode;
		const char *name;
		unsigned int bits;
	} modes[] = {
		{ FSCRYPT_MODE_AES_256_XTS, "AES-256-XTS", 512 },
		{ FSCRYPT_MODE_AES_256_CTS, "AES-256-CTS", 256 },
		{ FSCRYPT_MODE_AES_128_CBC, "AES-128-CBC", 128 },
		{ FSCRYPT_MODE_AES_128_CTS, "AES-128-CTS", 128 },
		{ 7, "SM4-XTS", 256 },
		{ 8, "SM4-CTS", 128 },
		{ FSCRYPT_MODE_ADIANTUM, "Adiantum", 256 },
		{ FSCRYPT_MODE_AES_256_HCTR2, "AES-256-HCTR2", 256 },
	};
	const char *cn = NULL, *nn = NULL;
	char cbuf[16], nbuf[16];
	size_t i;

	r->key_bits = 0;
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (modes[i].mode == contents) {
			cn = modes[i].name;
			r->key_bits = modes[i].bits;
		}
		if (modes[i].mode == names)
			nn = modes[i].name;
	}
	if (!cn) {
		snprintf(cbuf, sizeof(cbuf), "mode-%u", contents);
		cn = cbuf;
	}
	if (!nn) {
		snprintf(nbuf, sizeof(nbuf), "mode-%u", names);
		nn = nbuf;
	}
	r->encrypted = true;
	snprintf(r->method, sizeof(r->method), "fscrypt");
	snprintf(r->cipher, sizeof(r->cipher), "%s/%s", cn, nn);
	r->aes256 = contents == FSCRYPT_MODE_AES_256_XTS &&
		    (names == FSCRYPT_MODE_AES_256_CTS ||
		     names == FSCRYPT_MODE_AES_256_HCTR2);
}

static void fscrypt_detect(const char *path, struct efs_at_rest *r)
{
	struct fscrypt_get_policy_ex_arg arg;
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	memset(r, 0, sizeof(*r));
	if (fd < 0)
		return;
	memset(&arg, 0, sizeof(arg));
	arg.policy_size = sizeof(arg.policy);
	if (!ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY_EX, &arg)) {
		if (arg.policy.version == FSCRYPT_POLICY_V1)
			efs_fscrypt_describe(arg.policy.v1.contents_encryption_mode,
					     arg.policy.v1.filenames_encryption_mode, r);
		else if (arg.policy.version == FSCRYPT_POLICY_V2)
			efs_fscrypt_describe(arg.policy.v2.contents_encryption_mode,
					     arg.policy.v2.filenames_encryption_mode, r);
	} else if (errno == ENOTTY) {
		struct fscrypt_policy_v1 v1;

		if (!ioctl(fd, FS_IOC_GET_ENCRYPTION_POLICY, &v1))
			efs_fscrypt_describe(v1.contents_encryption_mode,
					     v1.filenames_encryption_mode, r);
	}
	/* ENODATA: not encrypted; EOPNOTSUPP: the filesystem has no fscrypt */
	close(fd);
}

static int read_line(const char *dir, const char *file, char *buf, size_t len)
{
	char p[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	f = fopen(p, "re");
	if (!f)
		return -1;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

/*
 * The crypt targets of dm device name: 1 if every target is crypt (r
 * filled in), 0 if none is, -errno if the table could not be read.
 */
static int dm_crypt_table(const char *name, struct efs_at_rest *r)
{
	size_t size = 16384;
	struct dm_ioctl *io;
	int fd, ret = 0;
	unsigned int i, ncrypt = 0;
	bool aes256 = true;

	fd = open("/dev/mapper/control", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		io = calloc(1, size);
		if (!io) {
			close(fd);
			return -ENOMEM;
		}
		io->version[0] = DM_VERSION_MAJOR;
		io->data_size = (unsigned int)size;
		io->data_start = sizeof(*io);
		io->flags = DM_STATUS_TABLE_FLAG;
		snprintf(io->name, sizeof(io->name), "%s", name);
		if (ioctl(fd, DM_TABLE_STATUS, io)) {
			ret = -errno;
			goto out;
		}
		if (!(io->flags & DM_BUFFER_FULL_FLAG) || size >= (1U << 20))
			break;
		explicit_bzero(io, size);
		free(io);
		size *= 4;
	}
	{
		const char *data = (const char *)io + io->data_start;
		size_t off = 0;

		for (i = 0; i < io->target_count; i++) {
			const struct dm_target_spec *t;
			char cipher[64];
			unsigned int bits;

			if (off + sizeof(*t) >= size - io->data_start)
				break;
			t = (const void *)(data + off);
			if (strncmp(t->target_type, "crypt", sizeof(t->target_type)))
				break;
			if (efs_dm_crypt_params((const char *)(t + 1), cipher,
						sizeof(cipher), &bits))
				break;
			if (!ncrypt++) {
				snprintf(r->cipher, sizeof(r->cipher), "%s", cipher);
				r->key_bits = bits;
			}
			aes256 = aes256 && efs_dm_crypt_aes256(cipher, bits);
			off = t->next;
		}
	}
	if (ncrypt && ncrypt == io->target_count) {
		r->encrypted = true;
		r->aes256 = aes256;
		snprintf(r->method, sizeof(r->method), "dm-crypt");
		snprintf(r->device, sizeof(r->device), "%s", name);
		ret = 1;
	}
out:
	explicit_bzero(io, size);	/* the table may carry the key in hex */
	free(io);
	close(fd);
	return ret;
}

static int rank(const struct efs_at_rest *r)
{
	return r->aes256 ? 2 : r->encrypted ? 1 : 0;
}

/* A block device's sysfs directory (resolved) and what lies beneath it. */
static void dev_detect(const char *dir, int depth, struct efs_at_rest *r)
{
	char name[128], uuid[160], p[PATH_MAX], real[PATH_MAX];
	struct dirent *de;
	bool any = false;
	DIR *d;
	int ret;

	memset(r, 0, sizeof(*r));
	if (depth > STACK_DEPTH_MAX)
		return;
	if (read_line(dir, "dm/name", name, sizeof(name)))
		return;		/* not device-mapper: a disk, a loop device */
	if (read_line(dir, "dm/uuid", uuid, sizeof(uuid)))
		uuid[0] = '\0';
	ret = dm_crypt_table(name, r);
	if (ret == 1)
		return;
	if (ret < 0 && !strncmp(uuid, "CRYPT-", 6)) {
		r->encrypted = true;
		snprintf(r->method, sizeof(r->method), "dm-crypt");
		snprintf(r->device, sizeof(r->device), "%s", name);
		snprintf(r->error, sizeof(r->error),
			 "cannot read the device-mapper table of %s: %s", name,
			 strerror(-ret));
		return;
	}
	/* linear, striped, ... (LVM): encrypted if everything beneath is */
	snprintf(p, sizeof(p), "%s/slaves", dir);
	d = opendir(p);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct efs_at_rest s;
		char sp[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sp, sizeof(sp), "%s/slaves/%s", dir, de->d_name);
		if (!realpath(sp, real))
			continue;
		dev_detect(real, depth + 1, &s);
		/* report the weakest of the devices beneath */
		if (!any || rank(&s) < rank(r))
			*r = s;
		any = true;
	}
	closedir(d);
	if (ret < 0 && !r->error[0])
		snprintf(r->error, sizeof(r->error),
			 "cannot read the device-mapper table of %s: %s", name,
			 strerror(-ret));
}

void efs_at_rest_detect(const char *path, struct efs_at_rest *r)
{
	struct efs_at_rest dm, fc;
	char p[64], real[PATH_MAX];
	struct stat st;

	memset(r, 0, sizeof(*r));
	memset(&dm, 0, sizeof(dm));
	if (stat(path, &st)) {
		snprintf(r->error, sizeof(r->error), "%s: %s", path,
			 strerror(errno));
		return;
	}
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major(st.st_dev),
		 minor(st.st_dev));
	if (realpath(p, real))
		dev_detect(real, 0, &dm);
	fscrypt_detect(path, &fc);
	/* the AES-256 layer if there is one, else dm-crypt, else fscrypt */
	if (dm.aes256 || (dm.encrypted && !fc.aes256))
		*r = dm;
	else if (fc.encrypted)
		*r = fc;
	else
		*r = dm;
}

int efs_at_rest_check(const char *name, const char *path,
		      const struct efs_at_rest *r, char *why, size_t len)
{
	char found[256];

	if (r->aes256)
		return 0;
	efs_at_rest_format(r, found, sizeof(found));
	snprintf(why, len,
		 "%s: %s is not encrypted at rest with AES-256 (found: %s), which encryption-at-rest=required needs",
		 name, path, found);
	return -1;
}

void efs_at_rest_format(const struct efs_at_rest *r, char *buf, size_t len)
{
	char bits[48] = "";

	if (!r->encrypted) {
		snprintf(buf, len, "not encrypted%s%s", r->error[0] ? "; " : "",
			 r->error);
		return;
	}
	if (r->key_bits)
		snprintf(bits, sizeof(bits), ", %u-bit key", r->key_bits);
	snprintf(buf, len, "%s %s%s (%s)%s%s%s%s", r->method,
		 r->cipher[0] ? r->cipher : "cipher unknown", bits,
		 r->aes256 ? "AES-256" : "not AES-256",
		 r->device[0] ? " on " : "", r->device,
		 r->error[0] ? "; " : "", r->error);
}

static void unescape(char *s)
{
	char *w = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

char *efs_exports_line(char *line)
{
	size_t n = strlen(line);
	char *tab, *client;

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!line[0] || line[0] == '#')
		return NULL;
	tab = strpbrk(line, "\t ");
	if (!tab)
		return NULL;
	*tab = '\0';
	unescape(line);
	client = tab + 1;
	while (*client == '\t' || *client == ' ')
		client++;
	return client;
}

void efs_exports_parse(FILE *f, const char *path, struct efs_exports *e)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		char *client, *open, *close, *x;
		struct efs_export *ex;

		client = efs_exports_line(line);
		if (!client || strcmp(line, path))
			continue;
		open = strchr(client, '(');
		close = open ? strrchr(open, ')') : NULL;
		if (e->n >= EFS_EXPORTS_MAX)
			break;
		ex = &e->v[e->n++];
		memset(ex, 0, sizeof(*ex));
		if (open && close) {
			*open = '\0';
			*close = '\0';
			snprintf(ex->options, sizeof(ex->options), "%s",
				 open + 1);
		}
		snprintf(ex->client, sizeof(ex->client), "%s", client);
		x = strstr(ex->options, "xprtsec=");
		if (x && (x == ex->options || x[-1] == ',')) {
			size_t l = strcspn(x + 8, ",");

			if (l >= sizeof(ex->xprtsec))
				l = sizeof(ex->xprtsec) - 1;
			memcpy(ex->xprtsec, x + 8, l);
			ex->xprtsec[l] = '\0';
		}
	}
}

const char *const efs_exports_files[EFS_EXPORTS_FILES] = {
	"/var/lib/nfs/etab", "/proc/fs/nfsd/exports",
};

void efs_exports_read(const char *path, struct efs_exports *e)
{
	const char *const *files = efs_exports_files;
	struct utsname u;
	unsigned int maj = 0, min = 0;
	size_t i;

	memset(e, 0, sizeof(*e));
	/* xprtsec= is an export option from Linux 6.4 */
	if (!uname(&u) && sscanf(u.release, "%u.%u", &maj, &min) == 2)
		e->xprtsec_supported = maj > 6 || (maj == 6 && min >= 4);
	for (i = 0; i < EFS_EXPORTS_FILES; i++) {
		FILE *f = fopen(files[i], "re");

		if (!f)
			continue;
		efs_exports_parse(f, path, e);
		fclose(f);
		if (e->n) {
			e->source = files[i];
			return;
		}
	}
}
