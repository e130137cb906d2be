/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the host says about an export, beside what the kernel module keeps:
 *
 *  - encryption at rest: dm-crypt (LUKS or plain) somewhere in the block
 *    device stack under the export's filesystem (LVM over LUKS, LUKS over
 *    loop, ...), read from sysfs and the device mapper's table; or an
 *    fscrypt policy on the export root (FS_IOC_GET_ENCRYPTION_POLICY_EX);
 *  - the export's client list and options as nfs-utils gave them to knfsd
 *    (/var/lib/nfs/etab, else /proc/fs/nfsd/exports), with xprtsec.
 *
 * The parsers are pure and unit-tested; efs_at_rest_detect() and
 * efs_exports_read() are the parts that look at the host.
 */
#ifndef EFSCTL_ATREST_H
#define EFSCTL_ATREST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct efs_at_rest {
	bool encrypted;
	bool aes256;		/* AES with a 256-bit key (XTS: 512-bit) */
	char method[16];	/* "dm-crypt", "fscrypt", "" */
	char cipher[64];	/* "aes-xts-plain64", "AES-256-XTS/AES-256-CTS" */
	unsigned int key_bits;	/* 0: not known */
	char device[128];	/* dm-crypt: the mapping's name */
	char error[256];	/* set when the answer may be incomplete */
};

/* Look at the export root path; never fails, r->error says what was not read. */
void efs_at_rest_detect(const char *path, struct efs_at_rest *r);

/*
 * The parameters of a dm "crypt" target ("cipher key iv_offset dev
 * offset ...") to the cipher and the key size in bits; the key is either
 * hex or a keyring reference ":BYTES:type:desc". Returns 0 or -1.
 */
int efs_dm_crypt_params(const char *params, char *cipher, size_t len,
			unsigned int *key_bits);
/* Whether a dm-crypt cipher spec with a key of key_bits is AES-256. */
bool efs_dm_crypt_aes256(const char *cipher, unsigned int key_bits);
/* fscrypt: the modes as text, their key bits and whether both are AES-256. */
void efs_fscrypt_describe(unsigned int contents, unsigned int names,
			  struct efs_at_rest *r);

/* One line of etab or /proc/fs/nfsd/exports for a path. */
#define EFS_EXPORTS_MAX 32
struct efs_export {
	char client[256];
	char options[768];
	char xprtsec[64];	/* "none:tls:mtls", or "" when not given */
};

struct efs_exports {
	const char *source;	/* the file read, or NULL */
	bool xprtsec_supported;	/* the kernel knows xprtsec= (6.4+) */
	size_t n;
	struct efs_export v[EFS_EXPORTS_MAX];
};

/* The host's export tables, in the order efsctl reads them. */
#define EFS_EXPORTS_FILES 2
extern const char *const efs_exports_files[EFS_EXPORTS_FILES];
/*
 * One line of such a table: cuts line at the path's end and undoes the
 * path's octal escapes ("\040" is a space) in place; returns the rest
 * (client and options), or NULL for a comment, a blank or a bad line.
 */
char *efs_exports_line(char *line);
/*
 * The entries of an exports table text (etab or /proc/fs/nfsd/exports
 * format, "PATH<tab>CLIENT(OPTIONS)", octal escapes in PATH) for path.
 */
void efs_exports_parse(FILE *f, const char *path, struct efs_exports *e);
/* Read the host's table for path. */
void efs_exports_read(const char *path, struct efs_exports *e);

/* What efsctl learns about a filesystem from the host (fs show). */
struct efs_fs_local {
	struct efs_at_rest at_rest;
	struct efs_exports exports;
};

/*
 * "required" check: 0 if r is AES-256, else -1 with a message naming the
 * filesystem and what was found in why.
 */
int efs_at_rest_check(const char *name, const char *path,
		      const struct efs_at_rest *r, char *why, size_t len);
/* "dm-crypt aes-xts-plain64, 512-bit key (AES-256) on luks0", "no" */
void efs_at_rest_format(const struct efs_at_rest *r, char *buf, size_t len);

#endif
