// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the decoding of the kernel's replies. The input is what one recv()
 * would return: netlink messages back to back, walked as nl.c walks them
 * (efs_nlmsg_ok(), mnl_nlmsg_next()).
 * Every message goes to every decoder (filesystem records, clients, the
 * server, events; errors and dump ends to the error parser, with extended
 * acks), and what decodes goes to every printer, text and JSON.
 */
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "clientinfo.h"
#include "conf.h"
#include "efsctl.h"
#include "event.h"
#include "fs_get.h"
#include "fuzz.h"
#include "nl.h"
#include "print.h"
#include "state.h"

/* The request an error reply may point into (NLMSGERR_ATTR_OFFS). */
static const struct nlmsghdr *request(void)
{
	static char buf[256] __attribute__((aligned(8)));
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *genl;

	if (nlh->nlmsg_len)
		return nlh;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = EFS_CMD_FS_SET;
	mnl_attr_put_strz(nlh, EFS_A_FS_NAME, "fuzz");
	mnl_attr_put_u32(nlh, EFS_A_FS_IOPS_LIMIT, 100);
	mnl_attr_put_u64(nlh, EFS_A_FS_METERED_SIZE, 1ULL << 30);
	return nlh;
}

static void print_records(struct efs_fs_list *fs, struct efs_client_list *cl)
{
	struct efs_prom_clients pc = { "fuzz", cl->v, cl->n };
	int json;

	efs_fs_sort(fs->v, fs->n);
	efs_client_sort(cl->v, cl->n);
	for (json = 0; json <= 1; json++) {
		struct out o;
		size_t i;

		out_init(&o, fuzz_sink(), json, json);
		efs_print_fs_list(&o, fs->v, fs->n);
		for (i = 0; i < fs->n; i++)
			efs_print_stats(&o, &fs->v[i], i ? &fs->v[i - 1] : NULL,
					i ? fs->v[i].time_ns -
					    fs->v[i - 1].time_ns : 0,
					fs->v[i].time_ns);
		efs_print_clients(&o, "fuzz", cl->v, cl->n, json ? 0 : 3);
	}
	efs_prom_print(fuzz_sink(), fs->v, fs->n);
	efs_prom_print_clients(fuzz_sink(), &pc, 1);
	{
		char why[256];

		/* a path too long for efs.conf is refused, not printed */
		(void)efs_conf_print(fuzz_sink(), fs->v, fs->n, why,
				     sizeof(why));
	}
	efs_state_write(fuzz_sink(), 0, fs->v, fs->n);
}

static void decode(const struct nlmsghdr *nlh, struct efs_fs_list *fs,
		   struct efs_client_list *cl)
{
	struct efs_server_info srv;
	struct efs_event ev;
	int json;

	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
		struct efs_nl nl = { 0 };
		int err = efs_nl_parse_error(&nl, nlh, request());

		FUZZ_CHECK(strnlen(nl.extack, sizeof(nl.extack)) <
			   sizeof(nl.extack));
		if (err)
			efs_report_nl_error(&nl, err, "fuzz");
		efs_report_nl_warning(&nl);
		return;
	}
	efs_fs_collect(nlh, fs);
	efs_client_collect(nlh, cl);
	for (json = 0; json <= 1; json++) {
		struct out o;

		out_init(&o, fuzz_sink(), json, false);
		if (!efs_server_decode(nlh, &srv))
			efs_print_server(&o, &srv);
		if (!efs_event_decode(nlh, &ev))
			efs_event_print(&o, &ev);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* nl.c's receive buffer is larger than any message and aligned */
	char *buf = calloc(1, MNL_ALIGN(size) + 1);
	struct efs_client_list cl = { 0 };
	struct efs_fs_list fs = { 0 };
	const struct nlmsghdr *nlh;
	int len = (int)size;

	FUZZ_CHECK(buf);
	if (size)
		memcpy(buf, data, size);
	for (nlh = (const struct nlmsghdr *)buf; efs_nlmsg_ok(nlh, len);
	     nlh = mnl_nlmsg_next(nlh, &len))
		decode(nlh, &fs, &cl);
	print_records(&fs, &cl);
	efs_fs_list_free(&fs);
	efs_client_list_free(&cl);
	free(buf);
	return 0;
}
