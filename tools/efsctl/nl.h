/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink I/O with libmnl: resolve the "efs" generic netlink family, send a
 * request, collect replies until the ack (do) or NLMSG_DONE (dump), keep
 * the kernel's extended ack message, and receive multicast events.
 */
#ifndef EFSCTL_NL_H
#define EFSCTL_NL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mnl_socket;
struct nlmsghdr;

#define EFS_NL_EXTACK_MAX 512

struct efs_nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;		/* 0 until resolved */
	uint32_t family_version;
	uint32_t events_group;		/* 0 if the family has none */
	char *rxbuf;
	size_t rxlen;
	char *txbuf;
	size_t txlen;
	/* from the last error (or warning) the kernel sent */
	char extack[EFS_NL_EXTACK_MAX];
	int miss_type;			/* NLMSGERR_ATTR_MISS_TYPE or -1 */
	int bad_attr;			/* attr type at NLMSGERR_ATTR_OFFS or -1 */
};

/* Called for every data message; return 0 to go on, negative to abort. */
typedef int (*efs_nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Open a socket and resolve the family. Returns 0, -ENOENT if the family
 * does not exist (module not loaded), or another -errno.
 */
int efs_nl_open(struct efs_nl *nl);
int efs_nl_open_family(struct efs_nl *nl, const char *name);
void efs_nl_close(struct efs_nl *nl);

/* Start a request for cmd in the transmit buffer; add attributes to it. */
struct nlmsghdr *efs_nl_request(struct efs_nl *nl, uint8_t cmd, bool dump);

/*
 * Send the request and run cb on each reply until it is complete. Returns
 * 0 or -errno (nl->extack may explain it).
 */
int efs_nl_talk(struct efs_nl *nl, struct nlmsghdr *req, efs_nl_cb cb,
		void *data);

int efs_nl_join_events(struct efs_nl *nl);
/*
 * Wait for multicast messages and run cb on each, with the signals in
 * *waitmask unblocked while waiting. Returns 0 when *stop became true,
 * -ENOBUFS after an overrun (events were lost; call again), or -errno.
 */
int efs_nl_recv_events(struct efs_nl *nl, efs_nl_cb cb, void *data,
		       const sigset_t *waitmask, volatile sig_atomic_t *stop);

/* mnl_nlmsg_ok() without its signed length check: may nlh be read? */
bool efs_nlmsg_ok(const struct nlmsghdr *nlh, int len);

/* Parse an NLMSG_ERROR or NLMSG_DONE message: returns its (negative) error
 * and fills nl->extack and friends. req is the request, for OFFS. */
int efs_nl_parse_error(struct efs_nl *nl, const struct nlmsghdr *nlh,
		       const struct nlmsghdr *req);

#endif
