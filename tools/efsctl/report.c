// SPDX-License-Identifier: GPL-2.0
/*
 * Error reporting: message prefixes and the translation of netlink errors
 * into something a person can act on.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "efsctl.h"
#include "fsinfo.h"
#include "nl.h"

const char *efs_cmd_words = "";

void efs_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	if (efs_cmd_words && efs_cmd_words[0])
		fprintf(stderr, "efsctl: %s: ", efs_cmd_words);
	else
		fputs("efsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void efs_err_plain(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("efsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void efs_report_nl_error(const struct efs_nl *nl, int err,
			 const char *subject)
{
	const char *attr;

	if (err > 0)
		err = -err;
	if (nl && nl->extack[0] && subject) {
		efs_err("%s: %s", subject, nl->extack);
	} else if (nl && nl->extack[0]) {
		efs_err("%s", nl->extack);
	} else if (err == -EPERM) {
		efs_err("%s (need CAP_NET_ADMIN)", strerror(EPERM));
	} else if (nl && nl->miss_type >= 0 &&
		   (attr = efs_attr_name((unsigned int)nl->miss_type))) {
		efs_err("%s (missing attribute %s)", strerror(-err), attr);
	} else if (nl && nl->bad_attr >= 0 &&
		   (attr = efs_attr_name((unsigned int)nl->bad_attr))) {
		efs_err("%s (attribute %s)", strerror(-err), attr);
	} else if (subject) {
		efs_err("%s: %s", subject, strerror(-err));
	} else {
		efs_err("%s", strerror(-err));
	}
}

void efs_report_nl_warning(const struct efs_nl *nl)
{
	if (nl->extack[0])
		efs_err("warning: %s", nl->extack);
}

int efs_connect(struct efs_nl *nl)
{
	int err = efs_nl_open(nl);

	if (err == -ENOENT) {
		efs_err_plain("the efs module is not loaded (modprobe efs)");
		return err;
	}
	if (err)
		efs_err("netlink: %s", strerror(-err));
	return err;
}
