// SPDX-License-Identifier: GPL-2.0
/*
 * libmnl based netlink I/O (see nl.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <linux/efs.h>

#include "nl.h"

#define RX_BUF_SIZE	(64 * 1024)
#define TX_BUF_SIZE	(16 * 1024)
#define EVENTS_RCVBUF	(1024 * 1024)

/*
 * libmnl's mnl_nlmsg_ok() compares (int)nlmsg_len with len, so a length of
 * 2^31 or more passes as negative and mnl_nlmsg_next() then walks far
 * outside the buffer; compare unsigned.
 */
bool efs_nlmsg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) &&
	       nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned int)len;
}

static void clear_error(struct efs_nl *nl)
{
	nl->extack[0] = '\0';
	nl->miss_type = -1;
	nl->bad_attr = -1;
}

void efs_nl_close(struct efs_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->rxbuf);
	free(nl->txbuf);
	memset(nl, 0, sizeof(*nl));
}

struct nlmsghdr *efs_nl_request(struct efs_nl *nl, uint8_t cmd, bool dump)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(nl->txbuf, 0, nl->txlen);
	nlh = mnl_nlmsg_put_header(nl->txbuf);
	nlh->nlmsg_type = nl->family ? nl->family : GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : NLM_F_ACK);
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = nl->family ? EFS_GENL_VERSION : 1;
	return nlh;
}

/* Which attribute of our request does byte offset `offs` point at? */
static int attr_at_offset(const struct nlmsghdr *req, uint32_t offs)
{
	const struct nlattr *a;

	if (!req)
		return -1;
	mnl_attr_for_each(a, req, sizeof(struct genlmsghdr)) {
		if ((const char *)a - (const char *)req == (long)offs)
			return mnl_attr_get_type(a);
	}
	return -1;
}

int efs_nl_parse_error(struct efs_nl *nl, const struct nlmsghdr *nlh,
		       const struct nlmsghdr *req)
{
	const struct nlmsgerr *e;
	const struct nlattr *a;
	size_t hdrlen, len;
	const char *tlvs;
	int err;

	clear_error(nl);
	len = mnl_nlmsg_get_payload_len(nlh);
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (len < sizeof(int))
			return 0;
		memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
		hdrlen = sizeof(int);
	} else {
		if (len < sizeof(*e))
			return -EBADMSG;
		e = mnl_nlmsg_get_payload(nlh);
		err = e->error;
		hdrlen = sizeof(*e);
		/* without NLM_F_CAPPED the whole request is echoed */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err)
			hdrlen += e->msg.nlmsg_len - sizeof(e->msg);
	}
	/* the kernel sends 0 or -errno; anything else is no error code
	 * (and -INT_MIN, for strerror(), would overflow) */
	if (err > 0 || err < -4095)
		err = -EBADMSG;
	hdrlen = MNL_ALIGN(hdrlen);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || hdrlen > len)
		return err;

	tlvs = (const char *)mnl_nlmsg_get_payload(nlh) + hdrlen;
	len -= hdrlen;
	for (a = (const struct nlattr *)tlvs;
	     mnl_attr_ok(a, (int)(tlvs + len - (const char *)a));
	     a = mnl_attr_next(a)) {
		switch (mnl_attr_get_type(a)) {
		case NLMSGERR_ATTR_MSG: {
			const char *s = mnl_attr_get_payload(a);
			size_t n = strnlen(s, mnl_attr_get_payload_len(a));

			if (n >= sizeof(nl->extack))
				n = sizeof(nl->extack) - 1;
			memcpy(nl->extack, s, n);
			nl->extack[n] = '\0';
			break;
		}
		case NLMSGERR_ATTR_OFFS:
			if (mnl_attr_get_payload_len(a) == sizeof(uint32_t))
				nl->bad_attr = attr_at_offset(req,
						mnl_attr_get_u32(a));
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (mnl_attr_get_payload_len(a) == sizeof(uint32_t))
				nl->miss_type = (int)mnl_attr_get_u32(a);
			break;
		}
	}
	return err;
}

/*
 * Receive until the request is complete. Replies to other sequence numbers
 * (late answers to something earlier) are skipped.
 */
static int recv_replies(struct efs_nl *nl, const struct nlmsghdr *req,
			efs_nl_cb cb, void *data)
{
	bool dump = req->nlmsg_flags & NLM_F_DUMP;
	int cb_err = 0;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, nl->rxbuf, nl->rxlen);
		const struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rxbuf;
		     efs_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			int err;

			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    (nlh->nlmsg_pid && nlh->nlmsg_pid != nl->portid))
				continue;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			case NLMSG_ERROR:
				err = efs_nl_parse_error(nl, nlh, req);
				if (err)
					return err;
				return cb_err;	/* the ack */
			case NLMSG_DONE:
				err = efs_nl_parse_error(nl, nlh, req);
				return err ? err : cb_err;
			}
			if (cb && !cb_err)
				cb_err = cb(nlh, data);
			/* a dump or an acked request goes on; anything else
			 * ends with its single reply */
			if (!dump && !(req->nlmsg_flags & NLM_F_ACK) &&
			    !(nlh->nlmsg_flags & NLM_F_MULTI))
				return cb_err;
		}
	}
}

int efs_nl_talk(struct efs_nl *nl, struct nlmsghdr *req, efs_nl_cb cb,
		void *data)
{
	clear_error(nl);
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	return recv_replies(nl, req, cb, data);
}

struct family_info {
	struct efs_nl *nl;
	bool found;
};

static void parse_groups(struct efs_nl *nl, const struct nlattr *groups)
{
	const struct nlattr *g, *a;

	mnl_attr_for_each_nested(g, groups) {
		const char *name = NULL;
		uint32_t id = 0;

		mnl_attr_for_each_nested(a, g) {
			switch (mnl_attr_get_type(a)) {
			case CTRL_ATTR_MCAST_GRP_NAME:
				if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
					name = mnl_attr_get_str(a);
				break;
			case CTRL_ATTR_MCAST_GRP_ID:
				if (!mnl_attr_validate(a, MNL_TYPE_U32))
					id = mnl_attr_get_u32(a);
				break;
			}
		}
		if (name && !strcmp(name, EFS_MCGRP_EVENTS))
			nl->events_group = id;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	struct efs_nl *nl = fi->nl;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (!mnl_attr_validate(a, MNL_TYPE_U16)) {
				nl->family = mnl_attr_get_u16(a);
				fi->found = true;
			}
			break;
		case CTRL_ATTR_VERSION:
			if (!mnl_attr_validate(a, MNL_TYPE_U32))
				nl->family_version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			parse_groups(nl, a);
			break;
		}
	}
	return 0;
}

int efs_nl_open(struct efs_nl *nl)
{
	return efs_nl_open_family(nl, EFS_GENL_NAME);
}

/* Open a socket and resolve the generic netlink family name (-ENOENT: none). */
int efs_nl_open_family(struct efs_nl *nl, const char *name)
{
	struct family_info fi = { .nl = nl };
	struct nlmsghdr *nlh;
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	clear_error(nl);
	nl->seq = (unsigned int)time(NULL);
	nl->rxlen = RX_BUF_SIZE;
	nl->txlen = TX_BUF_SIZE;
	nl->rxbuf = malloc(nl->rxlen);
	nl->txbuf = malloc(nl->txlen);
	if (!nl->rxbuf || !nl->txbuf) {
		err = -ENOMEM;
		goto fail;
	}
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock) {
		err = -errno;
		goto fail;
	}
	/* best effort: older kernels lack these and still work */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto fail;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);

	nlh = efs_nl_request(nl, CTRL_CMD_GETFAMILY, false);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	err = efs_nl_talk(nl, nlh, family_cb, &fi);
	if (!err && !fi.found)
		err = -ENOENT;
	if (err)
		goto fail;
	return 0;
fail:
	efs_nl_close(nl);
	clear_error(nl);
	return err;
}

int efs_nl_join_events(struct efs_nl *nl)
{
	int grp = (int)nl->events_group, size = EVENTS_RCVBUF;

	if (!nl->events_group)
		return -ENOENT;
	/* a larger buffer makes overruns less likely; best effort */
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
		   &size, sizeof(size));
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0)
		return -errno;
	return 0;
}

int efs_nl_recv_events(struct efs_nl *nl, efs_nl_cb cb, void *data,
		       const sigset_t *waitmask, volatile sig_atomic_t *stop)
{
	struct pollfd pfd = {
		.fd = mnl_socket_get_fd(nl->sock),
		.events = POLLIN,
	};

	while (!*stop) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int len, ret;

		ret = ppoll(&pfd, 1, NULL, waitmask);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		n = recv(pfd.fd, nl->rxbuf, nl->rxlen, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;	/* ENOBUFS: we fell behind */
		}
		len = (int)n;
		for (nlh = (const struct nlmsghdr *)nl->rxbuf;
		     efs_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != nl->family)
				continue;
			ret = cb(nlh, data);
			if (ret)
				return ret;
		}
	}
	return 0;
}
