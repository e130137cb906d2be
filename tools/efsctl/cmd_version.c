// SPDX-License-Identifier: GPL-2.0
/*
 * version [--json] [-v]: versions of efsctl and of the loaded module.
 */
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "efsctl.h"
#include "fs_opts.h"
#include "nl.h"
#include "output.h"

const char cmd_version_usage[] =
"Usage: efsctl version [--json] [-v]\n"
"\n"
"Print the versions of efsctl and of the efs module, and the module's\n"
"features. Fails (after the first line) if the module is not loaded.\n"
"\n"
"Options:\n"
"  --json         one JSON document\n"
"  -v, --verbose  also whether knfsd is hooked, the nfsd layout and the\n"
"                 knfsd compat in use, and how it was checked (btf or\n"
"                 compiled-in)\n"
"  -h, --help\n";

static const struct opt_def version_opts[] = {
	{ "json", 0, false, FS_OPT_JSON },
	{ "verbose", 'v', false, FS_OPT_VERBOSE },
	{ NULL, 0, false, 0 },
};

struct module_version {
	char version[64];
	char layout[512];
	uint32_t features;
	bool has_hooked, hooked;
	/* compat (issue 9) */
	char compat[64], checked[32], protos[1024];
	bool has_verified, verified;
};

/* EFS_FEATURE_* bit by bit, as uapi/efs.yaml's enum "features" names them */
static const char *const feature_names[] = {
	"perf-modes", "throughput-modes", "metrics", "events",
	"client-ceilings", "client-stats", "fair-queueing", "thread-budget",
	"back-pressure", "tls-transit", "at-rest-policy", "state-restore",
	"throttled-nice", "cluster-scope", "rw-iops",
};

static void copy_str(char *dst, size_t size, const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);
	size_t n = strnlen(s, mnl_attr_get_payload_len(a));

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	struct module_version *mv = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case EFS_A_VERSION:
			copy_str(mv->version, sizeof(mv->version), a);
			break;
		case EFS_A_COMPAT_LAYOUT:
			copy_str(mv->layout, sizeof(mv->layout), a);
			break;
		case EFS_A_COMPAT_NAME:
			copy_str(mv->compat, sizeof(mv->compat), a);
			break;
		case EFS_A_COMPAT_CHECKED:
			copy_str(mv->checked, sizeof(mv->checked), a);
			break;
		case EFS_A_COMPAT_PROTOS:
			copy_str(mv->protos, sizeof(mv->protos), a);
			break;
		case EFS_A_COMPAT_VERIFIED:
			if (mnl_attr_get_payload_len(a) >= 1) {
				mv->has_verified = true;
				mv->verified = mnl_attr_get_u8(a);
			}
			break;
		case EFS_A_FEATURES:
			if (mnl_attr_get_payload_len(a) == sizeof(uint32_t))
				mv->features = mnl_attr_get_u32(a);
			break;
		case EFS_A_NFSD_HOOKED:
			if (mnl_attr_get_payload_len(a) >= 1) {
				mv->has_hooked = true;
				mv->hooked = mnl_attr_get_u8(a);
			}
			break;
		}
	}
	return 0;
}

static void print_features(struct out *o, uint32_t features)
{
	const char *sep = "";
	char bit[16];
	unsigned int i;

	out_arr_open(o, "Features");
	out_text(o, " (features: ");
	for (i = 0; i < 32; i++) {
		const char *name = bit;

		if (!(features & (1U << i)))
			continue;
		if (i < sizeof(feature_names) / sizeof(feature_names[0]))
			name = feature_names[i];
		else
			snprintf(bit, sizeof(bit), "bit%u", i);
		out_str(o, NULL, NULL, name);
		out_text(o, "%s%s", sep, name);
		sep = ",";
	}
	if (!features)
		out_text(o, "none");
	out_text(o, ")");
	out_arr_close(o);
}

int cmd_version(int argc, char **argv)
{
	struct module_version mv = { 0 };
	bool json = false, verbose = false;
	struct nlmsghdr *req;
	struct efs_nl nl;
	struct out out;
	struct opts o;
	int i, err;

	if (opts_parse(version_opts, argc, argv, &o))
		return EXIT_FAIL;
	if (o.npos) {
		efs_err("unexpected argument '%s'", o.pos[0]);
		return EXIT_FAIL;
	}
	for (i = 0; i < o.nhits; i++) {
		if (o.hits[i].def->id == FS_OPT_JSON)
			json = true;
		else if (o.hits[i].def->id == FS_OPT_VERBOSE)
			verbose = true;
	}

	/* text: the tool's line comes first, even if the module is missing;
	 * JSON: one document, written once the module has answered */
	out_init(&out, stdout, json, true);
	out_text(&out, "efsctl %s\n", EFSCTL_VERSION);
	fflush(stdout);

	err = efs_connect(&nl);
	if (!err) {
		req = efs_nl_request(&nl, EFS_CMD_VERSION_GET, false);
		err = efs_nl_talk(&nl, req, version_cb, &mv);
		if (err)
			efs_report_nl_error(&nl, err, NULL);
		efs_nl_close(&nl);
	}

	out_obj_open(&out, NULL);
	out_str(&out, "Tool", NULL, EFSCTL_VERSION);
	if (!err) {
		out_str(&out, "Module", "efs module %s", mv.version);
		print_features(&out, mv.features);
		out_text(&out, "\n");
		if (mv.has_hooked)
			out_bool(&out, "NfsdHooked",
				 verbose ? "knfsd hooked: %s\n" : NULL,
				 mv.hooked);
		if (mv.layout[0])
			out_str(&out, "CompatLayout",
				verbose ? "nfsd layout: %s\n" : NULL,
				mv.layout);
		if (mv.compat[0])
			out_str(&out, "Compat",
				verbose ? "knfsd compat: %s\n" : NULL,
				mv.compat);
		if (mv.checked[0])
			out_str(&out, "Checked",
				verbose ? "checked: %s\n" : NULL, mv.checked);
		if (mv.has_verified)
			out_bool(&out, "CompatVerified",
				 verbose ? "compat range verified: %s\n" : NULL,
				 mv.verified);
		if (mv.protos[0])
			out_str(&out, "CompatProtos",
				verbose ? "knfsd prototypes: %s\n" : NULL,
				mv.protos);
	}
	out_obj_close(&out);
	out_doc_end(&out);
	return err ? EXIT_FAIL : EXIT_OK;
}
