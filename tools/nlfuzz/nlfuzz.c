// SPDX-License-Identifier: GPL-2.0
/*
 * efs-nlfuzz: malformed and hostile generic-netlink traffic for the efs
 * family, with a model of the filesystems that should exist.
 *
 *   efs-nlfuzz --seed N --seconds S [--procs P] [--unpriv] [--dir DIR]...
 *              [--root DIR] [--verbose]
 *
 * Every message is built from the real command and attribute tables
 * (uapi/linux/efs.h) and then broken: wrong attribute types and lengths,
 * nested garbage, unknown commands and attributes, NLA_F_NESTED and
 * byte-order flags on scalars, duplicates, missing required attributes,
 * huge and boundary values, lying nla_len, truncated and lying headers,
 * random flags, dumps interrupted midway (one part read, socket closed).
 * Every reply must be an NLMSG_ERROR/NLMSG_DONE with an errno in
 * -4095..0 or a well-formed message of the family; a request with
 * NLM_F_ACK must get its ack; a socket must stay in sync.
 *
 * Besides, valid fs add/set/del/get on a few model names (paths: --dir, or
 * ROOT/model-N) are predicted exactly from a model and the fs list dump is
 * compared with it every so often. With --procs P > 1, P processes do the
 * same on the same names at once; then only the end state is checked (a
 * consistent dump, every entry answers a get, empty after deleting all).
 * With --unpriv (run by a user without CAP_NET_ADMIN), every admin command
 * must be refused and the state must not change.
 *
 * Exit status 0 when nothing was wrong, 1 on the first failure (with the
 * seed, the message index and hex dumps of what was sent and received).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/efs.h>

#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define NMODEL		8
#define NFUZZNAME	8
#define MSG_MAX		(64 * 1024)
#define RX_MAX		(256 * 1024)
#define MODEL_PREFIX	"nlfzmodel"
#define RECV_TIMEOUT_S	20

/* ------------------------------------------------------------------ */

struct stats {
	unsigned long sent;		/* fuzz + model + sentinel messages */
	unsigned long fuzz;		/* fuzz messages */
	unsigned long hdr_mutated;	/* of those, on a throw-away socket */
	unsigned long model_ops;
	unsigned long replies;		/* family messages received */
	unsigned long acks;		/* NLMSG_ERROR with 0 */
	unsigned long dones;
	unsigned long dumps_interrupted;
	unsigned long model_checks;
	unsigned long send_errors;	/* sendmsg itself refused */
	unsigned long stray;		/* replies to a lying header */
	unsigned long fuzz_add_ok;	/* fuzz messages that changed state */
	unsigned long fuzz_set_ok;
	unsigned long fuzz_del_ok;
	unsigned long fuzz_server_ok;
	unsigned long err[4096];	/* NLMSG_ERROR/DONE by -errno */
	int failed;
};

static struct stats *st;
static uint64_t g_seed;
static int g_child = -1;	/* child index with --procs */
static bool g_verbose;
static bool g_unpriv;
static bool g_strict = true;	/* single process: exact predictions */
static uint16_t g_fam;
/* every generic netlink family id registered when the run starts */
static uint8_t g_genl_ids[65536 / 8];

static bool is_genl_family(uint16_t id)
{
	return g_genl_ids[id / 8] & (1u << (id % 8));
}

static uint32_t g_seq = 1;
static unsigned long g_index;	/* index of the current fuzz message */
static bool g_gentle;		/* this message: valid values, to get deep */

static char model_dir[NMODEL][EFS_PATH_MAX];
static int n_model_dir;
static char fuzz_dir[NFUZZNAME][EFS_PATH_MAX];
static char fuzz_file[EFS_PATH_MAX];
static char root_dir[1024] = "/tmp/efs-nlfuzz";

/* the last message sent and datagram received, for the failure report */
static uint8_t last_tx[MSG_MAX];
static size_t last_tx_len;
static uint8_t rxbuf[RX_MAX];
static size_t last_rx_len;

/* ------------------------------------------------------------------ */
/* randomness: splitmix64, one stream per process */

static uint64_t rng_state;

static uint64_t rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static bool chance(unsigned int pct)
{
	return rnd(100) < pct;
}

/* ------------------------------------------------------------------ */

static void hexdump(const char *what, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	fprintf(stderr, "%s (%zu bytes):\n", what, len);
	if (len > 4096)
		len = 4096;
	for (i = 0; i < len; i++)
		fprintf(stderr, "%02x%s", b[i], (i % 16 == 15 || i + 1 == len) ?
			"\n" : " ");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "efs-nlfuzz: FAIL: seed %" PRIu64, g_seed);
	if (g_child >= 0)
		fprintf(stderr, " child %d", g_child);
	fprintf(stderr, " message #%lu: ", g_index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	hexdump("last sent", last_tx, last_tx_len);
	hexdump("last received", rxbuf, last_rx_len);
	if (st)
		st->failed = 1;
	exit(1);
}

static const char *errname(int e)
{
	static char buf[16];
	const char *n = e ? strerrorname_np(e) : "OK";

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

/* ------------------------------------------------------------------ */
/* sockets */

struct conn {
	struct mnl_socket *nl;
	int fd;
	uint32_t portid;
};

static void conn_open(struct conn *c, bool extack, bool capack)
{
	struct timeval tv = { .tv_sec = RECV_TIMEOUT_S };
	int one = 1, bufsz = 1 << 20;

	c->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!c->nl) {
		perror("efs-nlfuzz: socket");
		exit(2);
	}
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("efs-nlfuzz: bind");
		exit(2);
	}
	c->fd = mnl_socket_get_fd(c->nl);
	c->portid = mnl_socket_get_portid(c->nl);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	if (extack)
		setsockopt(c->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (capack)
		setsockopt(c->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
}

static void conn_close(struct conn *c)
{
	mnl_socket_close(c->nl);
	c->nl = NULL;
}

static void tx(struct conn *c, const void *buf, size_t len, bool may_fail)
{
	ssize_t n;

	last_tx_len = len < sizeof(last_tx) ? len : sizeof(last_tx);
	memcpy(last_tx, buf, last_tx_len);
	st->sent++;
	n = mnl_socket_sendto(c->nl, buf, len);
	if (n < 0) {
		if (may_fail) {
			st->send_errors++;
			return;
		}
		die("sendto: %s", strerror(errno));
	}
}

/* ------------------------------------------------------------------ */
/* what a well-formed reply looks like */

enum { T_ANY, T_U8, T_U32, T_U64, T_STR, T_NEST };

static const uint8_t reply_type[EFS_A_MAX + 1] = {
	[EFS_A_PAD] = T_ANY,
	[EFS_A_VERSION] = T_STR,
	[EFS_A_FEATURES] = T_U32,
	[EFS_A_COMPAT_LAYOUT] = T_STR,
	[EFS_A_NFSD_HOOKED] = T_U8,
	[EFS_A_FS_NAME] = T_STR,
	[EFS_A_FS_PATH] = T_STR,
	[EFS_A_FS_PERFORMANCE_MODE] = T_U32,
	[EFS_A_FS_IOPS_LIMIT] = T_U32,
	[EFS_A_FS_WRITE_OP_WEIGHT] = T_U32,
	[EFS_A_FS_MAX_WAIT_MS] = T_U32,
	[EFS_A_FS_MAX_WAITERS] = T_U32,
	[EFS_A_FS_THROUGHPUT_MODE] = T_U32,
	[EFS_A_FS_PROVISIONED_BPS] = T_U64,
	[EFS_A_FS_METERED_SIZE] = T_U64,
	[EFS_A_FS_BURST_CREDIT_BALANCE] = T_U64,
	[EFS_A_FS_READ_METERING_RATIO] = T_U32,
	[EFS_A_FS_SIZE_SAMPLE_MS] = T_U32,
	[EFS_A_FS_CREDIT_LOW_PCT] = T_U32,
	[EFS_A_FS_IOPS_EFFECTIVE] = T_U32,
	[EFS_A_FS_SIZE_BYTES] = T_U64,
	[EFS_A_FS_PERMITTED_THROUGHPUT] = T_U64,
	[EFS_A_FS_BASELINE_THROUGHPUT] = T_U64,
	[EFS_A_FS_BURST_THROUGHPUT] = T_U64,
	[EFS_A_FS_BURST_CREDIT_MAX] = T_U64,
	[EFS_A_FS_PERCENT_IO_LIMIT] = T_U32,
	[EFS_A_FS_CLIENT_CONNECTIONS] = T_U32,
	[EFS_A_FS_THROTTLING] = T_U8,
	[EFS_A_FS_TIME_NS] = T_U64,
	[EFS_A_FS_DATA_READ_BYTES] = T_U64,
	[EFS_A_FS_DATA_READ_OPS] = T_U64,
	[EFS_A_FS_DATA_WRITE_BYTES] = T_U64,
	[EFS_A_FS_DATA_WRITE_OPS] = T_U64,
	[EFS_A_FS_METADATA_BYTES] = T_U64,
	[EFS_A_FS_METADATA_OPS] = T_U64,
	[EFS_A_FS_TOTAL_BYTES] = T_U64,
	[EFS_A_FS_METERED_BYTES] = T_U64,
	[EFS_A_FS_IO_UNITS] = T_U64,
	[EFS_A_FS_THROTTLED_OPS] = T_U64,
	[EFS_A_FS_THROTTLE_DELAY_NS] = T_U64,
	[EFS_A_FS_DELAY_REPLIES] = T_U64,
	[EFS_A_FS_WAIT_HIST] = T_U64,
	[EFS_A_EVENT_TYPE] = T_U32,
	[EFS_A_EVENT_VALUE] = T_U64,
	[EFS_A_EVENT_TIME_NS] = T_U64,
	[EFS_A_FS_COUNTER_BASE] = T_NEST,
	[EFS_A_FS_PER_CLIENT_BPS] = T_U64,
	[EFS_A_FS_PER_CLIENT_IOPS] = T_U32,
	[EFS_A_FS_CLIENT_IDLE_S] = T_U32,
	[EFS_A_FS_PER_CLIENT_BPS_EFFECTIVE] = T_U64,
	[EFS_A_FS_CLIENT_CONNECTIONS_LOWER_BOUND] = T_U8,
	[EFS_A_FS_WAITING_THREADS] = T_U32,
	[EFS_A_FS_DISPLACED] = T_U64,
	[EFS_A_FS_AT_REST_POLICY] = T_U8,
	[EFS_A_SERVER_MAX_WAITING_THREADS] = T_U32,
	[EFS_A_SERVER_MAX_WAITING_EFFECTIVE] = T_U32,
	[EFS_A_SERVER_NFSD_THREADS] = T_U32,
	[EFS_A_SERVER_WAITING_THREADS] = T_U32,
	[EFS_A_SERVER_DISPLACED] = T_U64,
	[EFS_A_SERVER_CLIENTS] = T_U32,
	[EFS_A_SERVER_CLIENTS_MAX] = T_U32,
	[EFS_A_SERVER_CLIENT_BYTES] = T_U32,
	[EFS_A_SERVER_PRESSURE_REPLIES] = T_U64,
	[EFS_A_SERVER_PRESSURE_SLOTS] = T_U32,
	[EFS_A_CLIENT_ADDR] = T_STR,
	[EFS_A_CLIENT_OPS] = T_U64,
	[EFS_A_CLIENT_METERED_BYTES] = T_U64,
	[EFS_A_CLIENT_OPS_PER_SECOND] = T_U32,
	[EFS_A_CLIENT_METERED_BPS] = T_U64,
	[EFS_A_CLIENT_THROTTLED_OPS] = T_U64,
	[EFS_A_CLIENT_DELAY_REPLIES] = T_U64,
	[EFS_A_CLIENT_IDLE_MS] = T_U64,
	[EFS_A_CLIENT_OVERFLOW] = T_U8,
	[EFS_A_COMPAT_NAME] = T_STR,
	[EFS_A_COMPAT_CHECKED] = T_STR,
	[EFS_A_COMPAT_PROTOS] = T_STR,
	[EFS_A_COMPAT_VERIFIED] = T_U8,
	[EFS_A_SERVER_PRESSURE_WITHHELD] = T_U64,
	[EFS_A_FS_TRANSIT_POLICY] = T_U8,
	[EFS_A_FS_TLS_OPS] = T_U64,
	[EFS_A_FS_PLAINTEXT_REFUSED] = T_U64,
	[EFS_A_FS_TLS_CLIENTS] = T_U32,
	[EFS_A_CLIENT_TLS] = T_U8,
	[EFS_A_CLIENT_TLS_OPS] = T_U64,
	[EFS_A_CLIENT_PLAINTEXT_REFUSED] = T_U64,
	[EFS_A_SERVER_TLS_SUPPORTED] = T_U8,
	[EFS_A_CLIENT_BACKPRESSURE_SLOTS] = T_U32,
	[EFS_A_SERVER_WAITING_PEAK] = T_U32,
	[EFS_A_FS_SCOPE] = T_U8,
	[EFS_A_FS_CLUSTER_HEADS] = T_U32,
	[EFS_A_GRANT_IOPS] = T_U64,
	[EFS_A_GRANT_BPS] = T_U64,
	[EFS_A_GRANT_LEASE_MS] = T_U32,
	[EFS_A_GRANT_HEADS] = T_U32,
	[EFS_A_GRANT_EXPIRES_MS] = T_U32,
	[EFS_A_GRANT_FORGET_MS] = T_U32,
	[EFS_A_GRANT_STATE] = T_U8,
	[EFS_A_FS_READ_IOPS_LIMIT] = T_U32,
	[EFS_A_FS_WRITE_IOPS_LIMIT] = T_U32,
	[EFS_A_FS_READ_IOPS_EFFECTIVE] = T_U32,
	[EFS_A_FS_WRITE_IOPS_EFFECTIVE] = T_U32,
};

static const char *bad_reason;

static int reply_attr_cb(const struct nlattr *a, void *data)
{
	uint16_t type = mnl_attr_get_type(a);
	static const enum mnl_attr_data_type mt[] = {
		[T_U8] = MNL_TYPE_U8, [T_U32] = MNL_TYPE_U32,
		[T_U64] = MNL_TYPE_U64, [T_STR] = MNL_TYPE_NUL_STRING,
		[T_NEST] = MNL_TYPE_NESTED,
	};

	(void)data;
	if (a->nla_type & (NLA_F_NESTED | NLA_F_NET_BYTEORDER) ||
	    type == EFS_A_UNSPEC || type > EFS_A_MAX) {
		bad_reason = "unknown attribute type in a reply";
		return MNL_CB_ERROR;
	}
	if (reply_type[type] == T_ANY)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, mt[reply_type[type]]) < 0) {
		bad_reason = "attribute of the wrong length in a reply";
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int ext_attr_cb(const struct nlattr *a, void *data)
{
	(void)data;
	switch (mnl_attr_get_type(a)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			goto bad;
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			goto bad;
		break;
	default:
		break;
	}
	return MNL_CB_OK;
bad:
	bad_reason = "malformed extended ack attribute";
	return MNL_CB_ERROR;
}

/*
 * Checks one message of a datagram. Returns the errno (>= 0) of an
 * NLMSG_ERROR or NLMSG_DONE, -1 for a family message; dies otherwise.
 */
static int check_msg(const struct nlmsghdr *nlh, bool *is_done)
{
	*is_done = false;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		size_t off = sizeof(*e);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			die("short NLMSG_ERROR (len %u)", nlh->nlmsg_len);
		if (e->error > 0 || e->error < -4095)
			die("NLMSG_ERROR with error %d", e->error);
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
			if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			if (e->msg.nlmsg_len < NLMSG_HDRLEN ||
			    NLMSG_HDRLEN + MNL_ALIGN(off) > nlh->nlmsg_len)
				die("NLMSG_ERROR: the echoed request overruns it");
			bad_reason = "extended ack attributes do not parse";
			if (mnl_attr_parse(nlh, off, ext_attr_cb, NULL) != MNL_CB_OK)
				die("%s", bad_reason);
		}
		return -e->error;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		const int *err = mnl_nlmsg_get_payload(nlh);

		*is_done = true;
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int))
			die("short NLMSG_DONE (len %u)", nlh->nlmsg_len);
		if (*err > 0 || *err < -4095)
			die("NLMSG_DONE with error %d", *err);
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
			bad_reason = "extended ack attributes of DONE do not parse";
			if (mnl_attr_parse(nlh, sizeof(int), ext_attr_cb,
					   NULL) != MNL_CB_OK)
				die("%s", bad_reason);
		}
		return -*err;
	}
	if (nlh->nlmsg_type == g_fam) {
		const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			die("family message shorter than its genl header");
		if (g->cmd == EFS_CMD_UNSPEC || g->cmd == EFS_CMD_EVENT ||
		    g->cmd > EFS_CMD_MAX || g->cmd == EFS_CMD_FS_DEL)
			die("reply with command %u", g->cmd);
		if (g->version != EFS_GENL_VERSION)
			die("reply with genl version %u", g->version);
		bad_reason = "attributes do not parse";
		if (mnl_attr_parse(nlh, GENL_HDRLEN, reply_attr_cb,
				   NULL) != MNL_CB_OK)
			die("malformed reply: %s", bad_reason);
		st->replies++;
		return -1;
	}
	die("message of unexpected type %u", nlh->nlmsg_type);
}

/* ------------------------------------------------------------------ */
/* one exchange: a request, then a sentinel; read until both are answered */

typedef void (*reply_fn)(const struct nlmsghdr *nlh, void *arg);

struct xch {
	bool want_ack;		/* the request must get NLMSG_ERROR */
	bool dump;		/* it may start a dump: wait for DONE/ERROR */
	bool lying;		/* its header lies: anything well-formed goes */
	reply_fn cb;		/* for its family replies */
	void *arg;
	/* results */
	int final;		/* errno of its ERROR/DONE, -1 if none */
	bool done;		/* the final one was NLMSG_DONE */
	unsigned int nreplies;
	uint8_t reply_cmd;
};

static size_t put_sentinel(uint8_t *buf, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = g_fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = EFS_CMD_VERSION_GET;
	g->version = EFS_GENL_VERSION;
	return nlh->nlmsg_len;
}

static void count_err(int e)
{
	if (e == 0)
		st->acks++;
	st->err[e < 4096 ? e : 0]++;
}

static void exchange(struct conn *c, const void *msg, size_t len, uint32_t seq,
		     struct xch *x)
{
	uint8_t sbuf[64];
	uint32_t sseq = g_seq++;
	bool sentinel_done = false;

	x->final = -1;
	x->done = false;
	x->nreplies = 0;
	tx(c, msg, len, x->lying);
	tx(c, sbuf, put_sentinel(sbuf, sseq), false);
	while (!sentinel_done || (x->dump && x->final < 0)) {
		struct nlmsghdr *nlh;
		int n, left;

		n = recv(c->fd, rxbuf, sizeof(rxbuf), MSG_TRUNC);
		if (n < 0)
			die("recv: %s (no answer%s)", strerror(errno),
			    sentinel_done ? " to the request" :
			    " to the sentinel");
		last_rx_len = (size_t)n < sizeof(rxbuf) ? (size_t)n : sizeof(rxbuf);
		if ((size_t)n > sizeof(rxbuf))
			die("datagram of %d bytes truncated", n);
		left = n;
		for (nlh = (struct nlmsghdr *)rxbuf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			bool is_done;
			int e = check_msg(nlh, &is_done);

			if (e >= 0) {
				count_err(e);
				if (is_done)
					st->dones++;
			}
			if (nlh->nlmsg_seq == sseq) {
				if (e < 0) {
					const struct genlmsghdr *g =
						mnl_nlmsg_get_payload(nlh);
					if (g->cmd != EFS_CMD_VERSION_GET)
						die("sentinel answered with cmd %u",
						    g->cmd);
					continue;
				}
				if (e != 0 || is_done)
					die("sentinel failed: %s", errname(e));
				if (x->want_ack && x->final < 0 && !x->lying)
					die("request got no ack before the sentinel's");
				sentinel_done = true;
				continue;
			}
			if (nlh->nlmsg_seq != seq || x->lying) {
				if (!x->lying)
					die("answer with unknown seq %u",
					    nlh->nlmsg_seq);
				st->stray++;
				if (x->dump && nlh->nlmsg_seq == seq && e >= 0)
					x->final = e;
				continue;
			}
			if (e < 0) {
				const struct genlmsghdr *g =
					mnl_nlmsg_get_payload(nlh);

				if (x->final >= 0)
					die("reply after the request's ack");
				x->nreplies++;
				x->reply_cmd = g->cmd;
				if (x->cb)
					x->cb(nlh, x->arg);
				continue;
			}
			if (x->final >= 0 && !(x->dump && is_done))
				die("second ack for one request");
			x->final = e;
			x->done = is_done;
		}
		if (left > 0 && left >= (int)sizeof(struct nlmsghdr))
			die("datagram has %d bytes after its last message", left);
	}
}

/* ------------------------------------------------------------------ */
/* message building */

struct mb {
	uint8_t buf[MSG_MAX];
	size_t len;
	struct nlmsghdr *nlh;
};

static void mb_init(struct mb *m, uint16_t type, uint16_t flags, uint8_t cmd,
		    uint8_t version, uint16_t reserved, uint32_t seq)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, 64);
	m->nlh = (struct nlmsghdr *)m->buf;
	m->nlh->nlmsg_type = type;
	m->nlh->nlmsg_flags = flags;
	m->nlh->nlmsg_seq = seq;
	m->nlh->nlmsg_pid = 0;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = version;
	g->reserved = reserved;
	m->len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh->nlmsg_len = m->len;
}

static bool mb_room(struct mb *m, size_t n)
{
	return m->len + NLA_HDRLEN + MNL_ALIGN(n) + 64 < sizeof(m->buf);
}

/* an attribute of exactly len bytes of data; returns its offset */
static size_t mb_attr(struct mb *m, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a;
	size_t off = m->len;

	if (!mb_room(m, len))
		return SIZE_MAX;
	a = (struct nlattr *)(m->buf + off);
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(m->buf + off + NLA_HDRLEN, data, len);
	memset(m->buf + off + NLA_HDRLEN + len, 0, MNL_ALIGN(len) - len);
	m->len += NLA_HDRLEN + MNL_ALIGN(len);
	m->nlh->nlmsg_len = m->len;
	return off;
}

static void mb_u32(struct mb *m, uint16_t type, uint32_t v)
{
	mb_attr(m, type, &v, 4);
}

static void mb_u64(struct mb *m, uint16_t type, uint64_t v)
{
	mb_attr(m, type, &v, 8);
}

static void mb_str(struct mb *m, uint16_t type, const char *s)
{
	mb_attr(m, type, s, strlen(s) + 1);
}

static size_t mb_nest_start(struct mb *m, uint16_t type)
{
	return mb_attr(m, type | NLA_F_NESTED, NULL, 0);
}

static void mb_nest_end(struct mb *m, size_t off)
{
	if (off != SIZE_MAX)
		((struct nlattr *)(m->buf + off))->nla_len = m->len - off;
}

/* ------------------------------------------------------------------ */
/* values */

enum vkind { V_NONE, V_U32, V_U64, V_STR_NAME, V_STR_PATH, V_NEST_COUNTERS };

struct pol {
	uint8_t kind;
	uint64_t min, max;
};

static const struct pol policy[EFS_A_MAX + 1] = {
	[EFS_A_FS_NAME] = { V_STR_NAME, 0, 0 },
	[EFS_A_FS_PATH] = { V_STR_PATH, 0, 0 },
	[EFS_A_FS_PERFORMANCE_MODE] = { V_U32, 0, __EFS_PERF_MAX - 1 },
	[EFS_A_FS_IOPS_LIMIT] = { V_U32, 0, EFS_IOPS_LIMIT_MAX },
	[EFS_A_FS_WRITE_OP_WEIGHT] = { V_U32, 1, EFS_WRITE_WEIGHT_MAX },
	[EFS_A_FS_MAX_WAIT_MS] = { V_U32, 0, EFS_MAX_WAIT_MS_MAX },
	[EFS_A_FS_MAX_WAITERS] = { V_U32, 0, EFS_MAX_WAITERS_MAX },
	[EFS_A_FS_THROUGHPUT_MODE] = { V_U32, 0, __EFS_TP_MAX - 1 },
	[EFS_A_FS_PROVISIONED_BPS] = { V_U64, 0, EFS_PROVISIONED_BPS_MAX },
	[EFS_A_FS_METERED_SIZE] = { V_U64, 0, UINT64_MAX },
	[EFS_A_FS_BURST_CREDIT_BALANCE] = { V_U64, 0, EFS_SIZE_MAX },
	[EFS_A_FS_READ_METERING_RATIO] = { V_U32, 1, EFS_READ_RATIO_MAX },
	[EFS_A_FS_SIZE_SAMPLE_MS] = { V_U32, EFS_SAMPLE_MS_MIN, EFS_SAMPLE_MS_MAX },
	[EFS_A_FS_CREDIT_LOW_PCT] = { V_U32, 0, 100 },
	[EFS_A_FS_PER_CLIENT_BPS] = { V_U64, 0, UINT64_MAX },
	[EFS_A_FS_PER_CLIENT_IOPS] = { V_U32, 0, EFS_PER_CLIENT_IOPS_MAX },
	[EFS_A_FS_CLIENT_IDLE_S] = { V_U32, EFS_CLIENT_IDLE_S_MIN, EFS_CLIENT_IDLE_S_MAX },
	[EFS_A_SERVER_MAX_WAITING_THREADS] = { V_U32, 0, EFS_MAX_WAITING_THREADS_MAX },
	[EFS_A_FS_COUNTER_BASE] = { V_NEST_COUNTERS, 0, 0 },
	[EFS_A_FS_CLUSTER_HEADS] = { V_U32, 1, EFS_CLUSTER_HEADS_MAX },
	[EFS_A_GRANT_IOPS] = { V_U64, 0, EFS_IOPS_LIMIT_MAX },
	[EFS_A_GRANT_BPS] = { V_U64, 0, EFS_PROVISIONED_BPS_MAX },
	[EFS_A_GRANT_LEASE_MS] = { V_U32, 1, EFS_GRANT_LEASE_MS_MAX },
	[EFS_A_GRANT_HEADS] = { V_U32, 1, EFS_CLUSTER_HEADS_MAX },
	[EFS_A_GRANT_FORGET_MS] = { V_U32, 0, EFS_GRANT_FORGET_MS_MAX },
	[EFS_A_FS_READ_IOPS_LIMIT] = { V_U32, 0, EFS_READ_IOPS_LIMIT_MAX },
	[EFS_A_FS_WRITE_IOPS_LIMIT] = { V_U32, 0, EFS_WRITE_IOPS_LIMIT_MAX },
};

static const uint16_t counter_attrs[] = {
	EFS_A_FS_DATA_READ_BYTES, EFS_A_FS_DATA_READ_OPS,
	EFS_A_FS_DATA_WRITE_BYTES, EFS_A_FS_DATA_WRITE_OPS,
	EFS_A_FS_METADATA_BYTES, EFS_A_FS_METADATA_OPS,
	EFS_A_FS_METERED_BYTES, EFS_A_FS_IO_UNITS, EFS_A_FS_THROTTLED_OPS,
	EFS_A_FS_THROTTLE_DELAY_NS, EFS_A_FS_DELAY_REPLIES, EFS_A_FS_WAIT_HIST,
	EFS_A_FS_TOTAL_BYTES,
};

static uint16_t policy_attrs[EFS_A_MAX + 1];
static int n_policy_attrs;

static uint64_t pick_num(const struct pol *p)
{
	switch (g_gentle ? 8 : rnd(12)) {
	case 0: return p->min;
	case 1: return p->max;
	case 2: return p->max + 1;
	case 3: return p->min - 1;
	case 4: return UINT32_MAX;
	case 5: return UINT64_MAX;
	case 6: return 1ULL << rnd(64);
	case 7: return rnd64();
	default:
		if (p->max - p->min == UINT64_MAX)
			return rnd64();
		return p->min + rnd64() % (p->max - p->min + 1);
	}
}

static void fuzz_name(char *out, size_t size)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	size_t n, i;

	switch (g_gentle ? 9 : rnd(10)) {
	case 0:
		snprintf(out, size, "%s", "");
		return;
	case 1:	/* too long */
		n = EFS_FS_NAME_MAX + rnd(3);
		for (i = 0; i < n && i + 1 < size; i++)
			out[i] = 'z';
		out[i] = 0;
		return;
	case 2:	/* exactly the maximum */
		for (i = 0; i < EFS_FS_NAME_MAX && i + 1 < size; i++)
			out[i] = ok[rnd(sizeof(ok) - 1)];
		out[i] = 0;
		out[0] = 'f';
		return;
	case 3:	/* invalid characters */
		n = 1 + rnd(10);
		for (i = 0; i < n && i + 1 < size; i++)
			out[i] = (char)(1 + rnd(255));
		out[i] = 0;
		return;
	case 4:
		snprintf(out, size, "%s", rnd(2) ? "fz/0" : "..");
		return;
	default:
		snprintf(out, size, "fz%u", rnd(NFUZZNAME));
		return;
	}
}

static void fuzz_path(char *out, size_t size)
{
	switch (g_gentle ? 11 : rnd(12)) {
	case 0: snprintf(out, size, "/"); return;
	case 1: snprintf(out, size, "/nonexistent/efs-nlfuzz"); return;
	case 2: snprintf(out, size, "%s", fuzz_file); return;
	case 3: snprintf(out, size, "%s", ""); return;
	case 4: snprintf(out, size, "/proc/self"); return;
	case 5: snprintf(out, size, "/dev/null"); return;
	case 6: snprintf(out, size, "%s/..", fuzz_dir[rnd(NFUZZNAME)]); return;
	case 7: {	/* long: EFS_PATH_MAX - 1 and beyond */
		size_t n = EFS_PATH_MAX - 2 + rnd(4), i;

		for (i = 0; i < n && i + 1 < size; i++)
			out[i] = i % 8 ? 'p' : '/';
		out[i] = 0;
		return;
	}
	default:
		snprintf(out, size, "%s", fuzz_dir[rnd(NFUZZNAME)]);
		return;
	}
}

/* random attributes inside a nest (garbage), depth-limited */
static void put_garbage_nest(struct mb *m, int depth)
{
	int n = rnd(6), i;

	for (i = 0; i < n; i++) {
		uint16_t t = rnd(4) ? rnd(EFS_A_MAX + 3) : (uint16_t)rnd(65536);
		uint8_t data[24];
		size_t len = rnd(sizeof(data) + 1), j;

		if (depth < 4 && chance(25)) {
			size_t off = mb_nest_start(m, t);

			put_garbage_nest(m, depth + 1);
			mb_nest_end(m, off);
			continue;
		}
		for (j = 0; j < len; j++)
			data[j] = rnd(256);
		mb_attr(m, t, data, len);
	}
}

static void put_counters(struct mb *m, uint16_t type)
{
	size_t off = mb_nest_start(m, type);
	int n = rnd(4) ? rnd(14) : rnd(40), i;

	for (i = 0; i < n; i++) {
		uint16_t t = counter_attrs[rnd(sizeof(counter_attrs) /
					       sizeof(counter_attrs[0]))];

		if (g_gentle || chance(85))
			mb_u64(m, t, rnd64());
		else if (chance(50))
			mb_u32(m, t, rnd(1000));
		else
			mb_u64(m, t | (rnd(2) ? NLA_F_NESTED : 0),
			       rnd64());
	}
	if (!g_gentle && chance(10))
		put_garbage_nest(m, 1);
	mb_nest_end(m, off);
}

/* one attribute of type t, valid or broken */
static void put_fuzz_attr(struct mb *m, uint16_t t)
{
	static const struct pol none;
	const struct pol *p = (t & NLA_TYPE_MASK) <= EFS_A_MAX ?
			      &policy[t & NLA_TYPE_MASK] : &none;
	char s[EFS_PATH_MAX + 16];
	uint8_t raw[16];
	size_t len, i;
	int how = g_gentle ? 99 : rnd(100);

	if (how < 8) {			/* wrong length */
		len = rnd(17);
		for (i = 0; i < len; i++)
			raw[i] = rnd(256);
		mb_attr(m, t, raw, len);
		return;
	}
	if (how < 12) {			/* garbage nest in place of anything */
		size_t off = mb_nest_start(m, t);

		put_garbage_nest(m, 1);
		mb_nest_end(m, off);
		return;
	}
	if (how < 15) {			/* a flag bit on the type */
		t |= rnd(2) ? NLA_F_NESTED : NLA_F_NET_BYTEORDER;
	}
	switch (p->kind) {
	case V_U32:
		mb_u32(m, t, (uint32_t)pick_num(p));
		return;
	case V_U64:
		if (chance(10))
			mb_u32(m, t, (uint32_t)pick_num(p));
		else
			mb_u64(m, t, pick_num(p));
		return;
	case V_STR_NAME:
	case V_STR_PATH:
		if (p->kind == V_STR_NAME)
			fuzz_name(s, sizeof(s));
		else
			fuzz_path(s, sizeof(s));
		len = strlen(s);
		switch (g_gentle ? 9 : rnd(10)) {
		case 0:		/* no NUL */
			mb_attr(m, t, s, len);
			return;
		case 1:		/* embedded NUL, garbage after */
			s[len] = 0;
			memcpy(s + len + 1, "xyz", 4);
			mb_attr(m, t, s, len + 5);
			return;
		default:
			mb_attr(m, t, s, len + 1);
			return;
		}
	case V_NEST_COUNTERS:
		put_counters(m, t);
		return;
	default:			/* an attribute not in the policy */
		len = rnd(3) ? 4 * rnd(3) : rnd(17);
		for (i = 0; i < len; i++)
			raw[i] = rnd(256);
		mb_attr(m, t, raw, len);
		return;
	}
}

/* ------------------------------------------------------------------ */
/* the model */

struct mfs {
	bool exists;
	int dir;		/* index in model_dir */
	uint32_t iops, weight;
};

static struct mfs model[NMODEL];

static bool model_dir_used(int d, int *by)
{
	int i;

	for (i = 0; i < NMODEL; i++)
		if (model[i].exists && model[i].dir == d) {
			*by = i;
			return true;
		}
	return false;
}

/* an fs as a reply shows it */
struct fsent {
	char name[EFS_FS_NAME_MAX + 2];
	char path[EFS_PATH_MAX];
	uint32_t iops, weight, perf, max_wait, max_waiters, tp, ratio, sample,
		 low_pct, pc_iops, idle_s;
	uint64_t prov, msize, pc_bps;
	bool has_name, has_path;
};

static void parse_fs(const struct nlmsghdr *nlh, struct fsent *e)
{
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case EFS_A_FS_NAME:
			snprintf(e->name, sizeof(e->name), "%s",
				 mnl_attr_get_str(a));
			e->has_name = true;
			break;
		case EFS_A_FS_PATH:
			snprintf(e->path, sizeof(e->path), "%s",
				 mnl_attr_get_str(a));
			e->has_path = true;
			break;
		case EFS_A_FS_IOPS_LIMIT: e->iops = mnl_attr_get_u32(a); break;
		case EFS_A_FS_WRITE_OP_WEIGHT: e->weight = mnl_attr_get_u32(a); break;
		case EFS_A_FS_PERFORMANCE_MODE: e->perf = mnl_attr_get_u32(a); break;
		case EFS_A_FS_MAX_WAIT_MS: e->max_wait = mnl_attr_get_u32(a); break;
		case EFS_A_FS_MAX_WAITERS: e->max_waiters = mnl_attr_get_u32(a); break;
		case EFS_A_FS_THROUGHPUT_MODE: e->tp = mnl_attr_get_u32(a); break;
		case EFS_A_FS_READ_METERING_RATIO: e->ratio = mnl_attr_get_u32(a); break;
		case EFS_A_FS_SIZE_SAMPLE_MS: e->sample = mnl_attr_get_u32(a); break;
		case EFS_A_FS_CREDIT_LOW_PCT: e->low_pct = mnl_attr_get_u32(a); break;
		case EFS_A_FS_PER_CLIENT_IOPS: e->pc_iops = mnl_attr_get_u32(a); break;
		case EFS_A_FS_CLIENT_IDLE_S: e->idle_s = mnl_attr_get_u32(a); break;
		case EFS_A_FS_PROVISIONED_BPS: e->prov = mnl_attr_get_u64(a); break;
		case EFS_A_FS_METERED_SIZE: e->msize = mnl_attr_get_u64(a); break;
		case EFS_A_FS_PER_CLIENT_BPS: e->pc_bps = mnl_attr_get_u64(a); break;
		}
	}
}

/* configuration only: what no one but an admin can change */
static bool fs_same_config(const struct fsent *a, const struct fsent *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->path, b->path) &&
	       a->iops == b->iops && a->weight == b->weight &&
	       a->perf == b->perf && a->max_wait == b->max_wait &&
	       a->max_waiters == b->max_waiters && a->tp == b->tp &&
	       a->ratio == b->ratio && a->sample == b->sample &&
	       a->low_pct == b->low_pct && a->pc_iops == b->pc_iops &&
	       a->idle_s == b->idle_s && a->prov == b->prov &&
	       a->msize == b->msize && a->pc_bps == b->pc_bps;
}

struct fslist {
	struct fsent *e;
	int n, cap;
};

/*
 * Filesystems that were there before the run (not model or fuzz names):
 * the fuzzer must leave them alone, and leaves them in place; it only
 * reads them (client dumps: the scenario's NFS load gives them clients).
 */
static struct fslist foreign;

static void fslist_add(const struct nlmsghdr *nlh, void *arg)
{
	struct fslist *l = arg;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);

	if (g->cmd != EFS_CMD_FS_GET)
		die("fs dump message with cmd %u", g->cmd);
	if (!(nlh->nlmsg_flags & NLM_F_MULTI))
		die("fs dump message without NLM_F_MULTI");
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 32;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			die("out of memory");
	}
	parse_fs(nlh, &l->e[l->n]);
	if (!l->e[l->n].has_name || !l->e[l->n].has_path)
		die("fs dump entry without name or path");
	l->n++;
}

static void dump_fs(struct conn *c, struct fslist *l)
{
	struct mb m;
	struct xch x = { .want_ack = false, .dump = true, .cb = fslist_add,
			 .arg = l };
	uint32_t seq = g_seq++;
	int i, j;

	l->n = 0;
	mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_DUMP, EFS_CMD_FS_GET,
		EFS_GENL_VERSION, 0, seq);
	exchange(c, m.buf, m.len, seq, &x);
	if (x.final != 0 || !x.done)
		die("fs dump failed: %s", errname(x.final));
	for (i = 0; i < l->n; i++)
		for (j = i + 1; j < l->n; j++) {
			if (!strcmp(l->e[i].name, l->e[j].name))
				die("fs %s twice in the dump", l->e[i].name);
			if (!strcmp(l->e[i].path, l->e[j].path))
				die("path %s twice in the dump (%s, %s)",
				    l->e[i].path, l->e[i].name, l->e[j].name);
		}
}

static int model_index(const char *name)
{
	size_t n = strlen(MODEL_PREFIX);

	if (strncmp(name, MODEL_PREFIX, n) || name[n] < '0' ||
	    name[n] >= '0' + NMODEL || name[n + 1])
		return -1;
	return name[n] - '0';
}

static void model_check(struct conn *c)
{
	struct fslist l = { 0 };
	bool seen[NMODEL] = { 0 };
	int i, k, d;

	dump_fs(c, &l);
	st->model_checks++;
	for (i = 0; i < l.n; i++) {
		const struct fsent *e = &l.e[i];

		for (d = 0; d < n_model_dir && !g_unpriv; d++)
			if (!strcmp(e->path, model_dir[d]) &&
			    model_index(e->name) < 0)
				die("fs %s holds model path %s", e->name,
				    e->path);
		k = model_index(e->name);
		if (k < 0)
			continue;
		seen[k] = true;
		if (!model[k].exists)
			die("model: %s listed but should not exist", e->name);
		if (strcmp(e->path, model_dir[model[k].dir]))
			die("model: %s has path %s, expected %s", e->name,
			    e->path, model_dir[model[k].dir]);
		if (e->iops != model[k].iops || e->weight != model[k].weight)
			die("model: %s has iops %u weight %u, expected %u %u",
			    e->name, e->iops, e->weight, model[k].iops,
			    model[k].weight);
	}
	for (k = 0; k < NMODEL; k++)
		if (model[k].exists && !seen[k])
			die("model: %s%d should exist, not in the dump",
			    MODEL_PREFIX, k);
	free(l.e);
}

struct oneget {
	struct fsent e;
	int n;
};

static void oneget_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct oneget *o = arg;

	parse_fs(nlh, &o->e);
	o->n++;
}

/* a valid request on a model name; checks the answer against the model */
static void model_op(struct conn *c)
{
	int k = rnd(NMODEL), d = model[k].dir, by;
	char name[32];
	struct oneget o = { .n = 0 };
	struct xch x = { .want_ack = true, .cb = oneget_cb, .arg = &o };
	uint32_t seq = g_seq++, iops = 0, weight = 0;
	int op = rnd(10), expect;
	bool set_iops = chance(70), set_weight = chance(40);
	uint8_t cmd;
	struct mb m;

	snprintf(name, sizeof(name), MODEL_PREFIX "%d", k);
	if (op < 3)
		cmd = EFS_CMD_FS_ADD;
	else if (op < 6)
		cmd = EFS_CMD_FS_SET;
	else if (op < 8)
		cmd = EFS_CMD_FS_DEL;
	else
		cmd = EFS_CMD_FS_GET;
	mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_ACK, cmd, EFS_GENL_VERSION, 0,
		seq);
	mb_str(&m, EFS_A_FS_NAME, name);
	if (cmd == EFS_CMD_FS_ADD) {
		/* mostly its own directory, sometimes another's */
		d = chance(80) ? k % n_model_dir : (int)rnd(n_model_dir);
		mb_str(&m, EFS_A_FS_PATH, model_dir[d]);
	}
	if (cmd == EFS_CMD_FS_ADD || cmd == EFS_CMD_FS_SET) {
		iops = rnd(3) ? 1 + rnd(100000) : 0;
		weight = 1 + rnd(EFS_WRITE_WEIGHT_MAX);
		if (set_iops || cmd == EFS_CMD_FS_ADD)
			mb_u32(&m, EFS_A_FS_IOPS_LIMIT, iops);
		if (set_weight || cmd == EFS_CMD_FS_ADD)
			mb_u32(&m, EFS_A_FS_WRITE_OP_WEIGHT, weight);
		if (chance(30))
			mb_u32(&m, EFS_A_FS_MAX_WAIT_MS, rnd(EFS_MAX_WAIT_MS_MAX + 1));
	}
	st->model_ops++;
	exchange(c, m.buf, m.len, seq, &x);
	if (x.final < 0)
		die("model op got no ack");
	if (o.n > 1)
		die("model op got %d replies", o.n);

	if (g_unpriv) {
		expect = cmd == EFS_CMD_FS_GET ? (model[k].exists ? 0 : ENOENT) :
			 EPERM;
		if (x.final != expect && (g_strict || cmd != EFS_CMD_FS_GET ||
					  (x.final != 0 && x.final != ENOENT)))
			die("unprivileged %s: %s, expected %s",
			    cmd == EFS_CMD_FS_GET ? "get" : "admin command",
			    errname(x.final), errname(expect));
		if (cmd != EFS_CMD_FS_GET && o.n)
			die("unprivileged admin command got a reply");
		return;
	}
	if (!g_strict) {
		bool ok;

		switch (cmd) {
		case EFS_CMD_FS_ADD:
			ok = x.final == 0 || x.final == EEXIST;
			break;
		default:
			ok = x.final == 0 || x.final == ENOENT;
			break;
		}
		if (!ok)
			die("model op cmd %u: %s", cmd, errname(x.final));
		if (x.final == 0 && cmd != EFS_CMD_FS_DEL &&
		    (o.n != 1 || strcmp(o.e.name, name)))
			die("model op cmd %u: reply for %s", cmd, o.e.name);
		if (x.final == 0 && cmd == EFS_CMD_FS_ADD &&
		    strcmp(o.e.path, model_dir[d]))
			die("add replied path %s, sent %s", o.e.path, model_dir[d]);
		return;
	}

	switch (cmd) {
	case EFS_CMD_FS_ADD:
		expect = model[k].exists || model_dir_used(d, &by) ? EEXIST : 0;
		break;
	default:
		expect = model[k].exists ? 0 : ENOENT;
		break;
	}
	if (x.final != expect)
		die("model: cmd %u on %s: %s, expected %s", cmd, name,
		    errname(x.final), errname(expect));
	if (expect)
		return;
	if (cmd == EFS_CMD_FS_DEL) {
		if (o.n)
			die("del replied a message");
		model[k].exists = false;
		return;
	}
	if (o.n != 1)
		die("cmd %u on %s: no reply", cmd, name);
	if (cmd == EFS_CMD_FS_ADD) {
		model[k].exists = true;
		model[k].dir = d;
		model[k].iops = iops;
		model[k].weight = weight;
	} else if (cmd == EFS_CMD_FS_SET) {
		if (set_iops)
			model[k].iops = iops;
		if (set_weight)
			model[k].weight = weight;
	}
	if (strcmp(o.e.name, name) || strcmp(o.e.path, model_dir[model[k].dir]) ||
	    o.e.iops != model[k].iops || o.e.weight != model[k].weight)
		die("cmd %u on %s: reply %s %s iops %u weight %u, model %s %u %u",
		    cmd, name, o.e.name, o.e.path, o.e.iops, o.e.weight,
		    model_dir[model[k].dir], model[k].iops, model[k].weight);
}

/* ------------------------------------------------------------------ */
/* fuzz messages */

static bool is_admin_cmd(uint8_t cmd)
{
	return cmd == EFS_CMD_FS_ADD || cmd == EFS_CMD_FS_SET ||
	       cmd == EFS_CMD_FS_DEL || cmd == EFS_CMD_SERVER_SET;
}

static void build_fuzz(struct mb *m, uint32_t seq, uint8_t *cmdp, bool *dump)
{
	uint8_t cmd;
	uint16_t flags = NLM_F_REQUEST;
	int nattr, i;
	uint16_t last = 0;

	/* one in five: valid values of the policy, in a real command */
	g_gentle = chance(20);
	cmd = chance(90) || g_gentle ? rnd(EFS_CMD_MAX + 2) : rnd(256);
	if (chance(92))
		flags |= NLM_F_ACK;
	if (chance(cmd == EFS_CMD_FS_GET || cmd == EFS_CMD_CLIENT_GET ? 50 : 10))
		flags |= NLM_F_DUMP;
	else if (chance(3))
		flags |= rnd(2) ? NLM_F_ROOT : NLM_F_MATCH;
	if (chance(4))
		flags |= rnd(65536) & ~(NLM_F_DUMP);
	if (chance(2))
		flags &= ~NLM_F_REQUEST;
	mb_init(m, g_fam, flags, cmd,
		chance(95) ? EFS_GENL_VERSION : rnd(256),
		chance(95) ? 0 : rnd(65536), seq);
	*cmdp = cmd;
	*dump = (flags & NLM_F_DUMP) == NLM_F_DUMP && (flags & NLM_F_REQUEST);

	nattr = rnd(4) ? rnd(6) : rnd(40);
	/* usually the name first, as a real request */
	if (chance(70) || g_gentle)
		put_fuzz_attr(m, EFS_A_FS_NAME);
	if (g_gentle && chance(70))
		put_fuzz_attr(m, EFS_A_FS_PATH);
	for (i = 0; i < nattr; i++) {
		uint16_t t;
		int how = g_gentle ? 50 : rnd(100);

		if (how < 10 && last)
			t = last;			/* duplicate */
		else if (how < 72)
			t = policy_attrs[rnd(n_policy_attrs)];
		else if (how < 87)
			t = rnd(EFS_A_MAX + 1);		/* any, incl. reply-only */
		else if (how < 95)
			t = EFS_A_MAX + 1 + rnd(64);	/* unknown */
		else
			t = rnd(65536);
		put_fuzz_attr(m, t);
		last = t & NLA_TYPE_MASK;
	}
	if (g_gentle)
		return;
	if (m->len > NLMSG_HDRLEN + GENL_HDRLEN && chance(8)) {
		/* flip a few bytes of the attributes */
		int n = 1 + rnd(4);

		while (n--) {
			size_t off = NLMSG_HDRLEN + GENL_HDRLEN +
				rnd(m->len - NLMSG_HDRLEN - GENL_HDRLEN);

			m->buf[off] ^= 1 << rnd(8);
		}
	}
	if (m->len > NLMSG_HDRLEN + GENL_HDRLEN && chance(6)) {
		/* an nla_len that lies */
		struct nlattr *a = (struct nlattr *)(m->buf + NLMSG_HDRLEN +
						      GENL_HDRLEN);

		a->nla_len = rnd(3) ? rnd(4) : 0xffff - rnd(16);
	}
	if (chance(5)) {
		/* truncated, consistently: attributes overrun the message */
		m->len = NLMSG_HDRLEN + rnd(m->len - NLMSG_HDRLEN + 1);
		m->nlh->nlmsg_len = m->len;
	}
}

/* fuzz messages whose netlink header lies, on a throw-away socket */
static void fuzz_lying(void)
{
	struct conn c;
	struct mb m;
	struct xch x = { .lying = true };
	uint32_t seq = g_seq++;
	uint8_t cmd;
	bool dump;
	size_t len;

	build_fuzz(&m, seq, &cmd, &dump);
	len = m.len;
	switch (rnd(6)) {
	case 0:		/* longer than the datagram */
		m.nlh->nlmsg_len = len + 1 + rnd(1000);
		break;
	case 1:		/* shorter than the header */
		m.nlh->nlmsg_len = rnd(NLMSG_HDRLEN);
		break;
	case 2:		/* shorter than the datagram: garbage follows */
		m.nlh->nlmsg_len = NLMSG_HDRLEN + rnd(len - NLMSG_HDRLEN + 1);
		break;
	case 3:		/* a datagram shorter than nlmsghdr */
		len = rnd(NLMSG_HDRLEN);
		break;
	case 4:		/* another type: control, unknown, nlctrl */
		m.nlh->nlmsg_type = rnd(3) ? rnd(NLMSG_MIN_TYPE + 1) :
					     rnd(65536);
		/* not a real family: its commands could change the server */
		while (is_genl_family(m.nlh->nlmsg_type))
			m.nlh->nlmsg_type = g_fam + 1 + rnd(100);
		break;
	default:	/* a second message glued behind, with its own seq */
		if (len * 2 < sizeof(m.buf)) {
			memcpy(m.buf + len, m.buf, len);
			((struct nlmsghdr *)(m.buf + len))->nlmsg_seq = g_seq++;
			len *= 2;
		}
		break;
	}
	x.dump = false;
	st->hdr_mutated++;
	conn_open(&c, chance(70), chance(30));
	exchange(&c, m.buf, len, seq, &x);
	conn_close(&c);
}

/* start a dump, read one part (maybe cut short), close the socket */
static void fuzz_interrupted_dump(void)
{
	struct conn c;
	struct mb m;
	uint32_t seq = g_seq++;
	uint8_t cmd = chance(75) ? EFS_CMD_FS_GET : EFS_CMD_CLIENT_GET;
	char name[EFS_FS_NAME_MAX + 2];
	int n;

	conn_open(&c, chance(50), chance(50));
	mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_DUMP, cmd, EFS_GENL_VERSION,
		0, seq);
	if (cmd == EFS_CMD_CLIENT_GET) {
		if (foreign.n && chance(40))
			snprintf(name, sizeof(name), "%s",
				 foreign.e[rnd(foreign.n)].name);
		else if (chance(50))
			snprintf(name, sizeof(name), MODEL_PREFIX "%u",
				 rnd(NMODEL));
		else
			snprintf(name, sizeof(name), "fz%u", rnd(NFUZZNAME));
		mb_str(&m, EFS_A_FS_NAME, name);
	}
	tx(&c, m.buf, m.len, false);
	if (chance(80)) {
		size_t want = chance(50) ? 64 + rnd(4096) : sizeof(rxbuf);

		n = recv(c.fd, rxbuf, want, MSG_TRUNC);
		if (n < 0)
			die("interrupted dump: recv: %s", strerror(errno));
		last_rx_len = (size_t)n < want ? (size_t)n : want;
		if ((size_t)n <= want) {
			struct nlmsghdr *nlh;
			int left = n;

			for (nlh = (struct nlmsghdr *)rxbuf;
			     mnl_nlmsg_ok(nlh, left);
			     nlh = mnl_nlmsg_next(nlh, &left)) {
				bool is_done;
				int e = check_msg(nlh, &is_done);

				if (e >= 0)
					count_err(e);
			}
		}
	}
	if (chance(30)) {	/* a second dump while the first runs */
		mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_DUMP, EFS_CMD_FS_GET,
			EFS_GENL_VERSION, 0, g_seq++);
		tx(&c, m.buf, m.len, false);
	}
	st->dumps_interrupted++;
	conn_close(&c);
}

static void fuzz_one(struct conn *c)
{
	struct mb m;
	struct xch x = { 0 };
	uint32_t seq = g_seq++;
	uint8_t cmd;
	bool dump;

	build_fuzz(&m, seq, &cmd, &dump);
	x.want_ack = (m.nlh->nlmsg_flags & NLM_F_ACK) && !dump;
	x.dump = dump;
	st->fuzz++;
	exchange(c, m.buf, m.len, seq, &x);
	if (!(m.nlh->nlmsg_flags & NLM_F_REQUEST))
		return;
	if (g_unpriv && is_admin_cmd(cmd)) {
		if (x.nreplies)
			die("unprivileged cmd %u got a reply", cmd);
		if (x.final == 0)
			die("unprivileged cmd %u succeeded", cmd);
		if (x.final != EPERM && x.final != EOPNOTSUPP &&
		    x.final != EINVAL)
			die("unprivileged cmd %u: %s", cmd, errname(x.final));
	}
	if (x.final == 0 && !dump) {
		if (cmd == EFS_CMD_FS_ADD)
			st->fuzz_add_ok++;
		else if (cmd == EFS_CMD_FS_SET)
			st->fuzz_set_ok++;
		else if (cmd == EFS_CMD_FS_DEL)
			st->fuzz_del_ok++;
		else if (cmd == EFS_CMD_SERVER_SET)
			st->fuzz_server_ok++;
	}
	if (x.nreplies && x.final > 0 && !x.done)
		die("replies and then error %s", errname(x.final));
	if (g_verbose)
		fprintf(stderr, "#%lu cmd %u flags %#x len %zu: %s, %u replies\n",
			g_index, cmd, m.nlh->nlmsg_flags, m.len,
			x.final < 0 ? "-" : errname(x.final), x.nreplies);
}

/* ------------------------------------------------------------------ */

static int family_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(a, MNL_TYPE_U16) == 0)
		*(uint16_t *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int family_msg_cb(const struct nlmsghdr *nlh, void *data)
{
	uint16_t id = 0;

	(void)data;
	mnl_attr_parse(nlh, GENL_HDRLEN, family_attr_cb, &id);
	if (id)
		g_genl_ids[id / 8] |= 1u << (id % 8);
	return MNL_CB_OK;
}

/*
 * Records which generic netlink family ids exist (nlctrl's dump), so that
 * a message sent to "another type" never reaches a real family (nfsd's
 * own netlink family, on 6.7+, would start or stop threads).
 */
static void list_genl_families(struct conn *c)
{
	uint8_t buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	uint32_t seq = g_seq++;
	int n, ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0) {
		perror("efs-nlfuzz: sendto (family dump)");
		exit(2);
	}
	do {
		n = recv(c->fd, rxbuf, sizeof(rxbuf), 0);
		if (n < 0) {
			perror("efs-nlfuzz: recv (family dump)");
			exit(2);
		}
		ret = mnl_cb_run(rxbuf, n, seq, 0, family_msg_cb, NULL);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		perror("efs-nlfuzz: family dump");
		exit(2);
	}
	g_genl_ids[GENL_ID_CTRL / 8] |= 1u << (GENL_ID_CTRL % 8);
}

static uint16_t resolve_family(struct conn *c)
{
	uint8_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	const struct nlattr *a;
	uint16_t id = 0;
	int n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = g_seq++;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, EFS_GENL_NAME);
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0) {
		perror("efs-nlfuzz: sendto");
		exit(2);
	}
	n = recv(c->fd, rxbuf, sizeof(rxbuf), 0);
	if (n < 0) {
		perror("efs-nlfuzz: recv");
		exit(2);
	}
	nlh = (struct nlmsghdr *)rxbuf;
	if (!mnl_nlmsg_ok(nlh, n) || nlh->nlmsg_type != GENL_ID_CTRL) {
		fprintf(stderr, "efs-nlfuzz: no generic netlink family \"%s\" (is efs loaded?)\n",
			EFS_GENL_NAME);
		exit(2);
	}
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			id = mnl_attr_get_u16(a);
	/* the ack */
	recv(c->fd, rxbuf, sizeof(rxbuf), 0);
	if (!id) {
		fprintf(stderr, "efs-nlfuzz: no family id\n");
		exit(2);
	}
	return id;
}

static void mkdirs(void)
{
	int i, fd;

	mkdir(root_dir, 0755);
	for (i = 0; i < NFUZZNAME; i++) {
		snprintf(fuzz_dir[i], sizeof(fuzz_dir[i]), "%s/fz-%d", root_dir, i);
		mkdir(fuzz_dir[i], 0755);
	}
	snprintf(fuzz_file, sizeof(fuzz_file), "%s/file", root_dir);
	fd = open(fuzz_file, O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	if (!n_model_dir) {
		for (i = 0; i < NMODEL; i++) {
			snprintf(model_dir[i], sizeof(model_dir[i]),
				 "%s/model-%d", root_dir, i);
			mkdir(model_dir[i], 0755);
		}
		n_model_dir = NMODEL;
	}
	for (i = 0; i < NMODEL; i++)
		model[i].dir = i % n_model_dir;
}

static void server_cb(const struct nlmsghdr *nlh, void *arg)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == EFS_A_SERVER_MAX_WAITING_THREADS)
			*(uint32_t *)arg = mnl_attr_get_u32(a);
}

static uint32_t server_max(struct conn *c)
{
	struct mb m;
	uint32_t seq = g_seq++, v = UINT32_MAX;
	struct xch x = { .want_ack = true, .cb = server_cb, .arg = &v };

	mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_ACK, EFS_CMD_SERVER_GET,
		EFS_GENL_VERSION, 0, seq);
	exchange(c, m.buf, m.len, seq, &x);
	if (x.final != 0 || x.nreplies != 1 || v == UINT32_MAX)
		die("server get: %s", errname(x.final));
	return v;
}

static void server_set(struct conn *c, uint32_t v)
{
	struct mb m;
	struct xch x = { .want_ack = true };
	uint32_t seq = g_seq++;

	mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_ACK, EFS_CMD_SERVER_SET,
		EFS_GENL_VERSION, 0, seq);
	mb_u32(&m, EFS_A_SERVER_MAX_WAITING_THREADS, v);
	exchange(c, m.buf, m.len, seq, &x);
	if (x.final != 0)
		die("server set %u: %s", v, errname(x.final));
}

static void del_name(struct conn *c, const char *name, bool must)
{
	struct mb m;
	struct xch x = { .want_ack = true };
	uint32_t seq = g_seq++;

	mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_ACK, EFS_CMD_FS_DEL,
		EFS_GENL_VERSION, 0, seq);
	mb_str(&m, EFS_A_FS_NAME, name);
	exchange(c, m.buf, m.len, seq, &x);
	if (x.final != 0 && (must || x.final != ENOENT))
		die("del %s: %s", name, errname(x.final));
}

/* one of the filesystems there before the run */
static bool is_foreign(const char *name)
{
	int i;

	for (i = 0; i < foreign.n; i++)
		if (!strcmp(foreign.e[i].name, name))
			return true;
	return false;
}

/*
 * The end state: consistent, every entry answers a get; then delete all
 * but the foreign ones, which must be as they were.
 */
static void final_check(struct conn *c, bool cleanup)
{
	struct fslist l = { 0 };
	int i;

	dump_fs(c, &l);
	st->model_checks++;
	for (i = 0; i < l.n; i++) {
		struct mb m;
		struct oneget o = { .n = 0 };
		struct xch x = { .want_ack = true, .cb = oneget_cb, .arg = &o };
		uint32_t seq = g_seq++;

		mb_init(&m, g_fam, NLM_F_REQUEST | NLM_F_ACK, EFS_CMD_FS_GET,
			EFS_GENL_VERSION, 0, seq);
		mb_str(&m, EFS_A_FS_NAME, l.e[i].name);
		exchange(c, m.buf, m.len, seq, &x);
		if (x.final != 0 || o.n != 1)
			die("listed fs %s: get: %s", l.e[i].name, errname(x.final));
		if (!fs_same_config(&o.e, &l.e[i]))
			die("listed fs %s: get differs from the dump", l.e[i].name);
	}
	if (cleanup) {
		for (i = 0; i < l.n; i++)
			if (!is_foreign(l.e[i].name))
				del_name(c, l.e[i].name, true);
		dump_fs(c, &l);
		if (l.n != foreign.n)
			die("%d filesystems left after deleting all, %d expected",
			    l.n, foreign.n);
		for (i = 0; i < l.n; i++)
			if (!fs_same_config(&l.e[i], &foreign.e[i]))
				die("fs %s changed during the run", l.e[i].name);
		memset(model, 0, sizeof(model));
	}
	free(l.e);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* the main loop of one process */
static void run(double seconds)
{
	struct conn c;
	double end = now_s() + seconds;

	conn_open(&c, true, false);
	for (g_index = 0; now_s() < end; g_index++) {
		int r = rnd(100);

		if (r < 25)
			model_op(&c);
		else if (r < 28)
			fuzz_interrupted_dump();
		else if (r < 32)
			fuzz_lying();
		else
			fuzz_one(&c);
		if (g_strict && g_index % 256 == 255)
			model_check(&c);
	}
	if (g_strict)
		model_check(&c);
	conn_close(&c);
}

static void summary(const struct stats *s, int procs, double secs)
{
	int e;

	printf("efs-nlfuzz: seed=%" PRIu64 " seconds=%.0f procs=%d%s sent=%lu fuzz=%lu lying=%lu model_ops=%lu replies=%lu acks=%lu dones=%lu interrupted_dumps=%lu model_checks=%lu send_errors=%lu stray=%lu fuzz_ok(add/set/del/server)=%lu/%lu/%lu/%lu errors:",
	       g_seed, secs, procs, g_unpriv ? " unpriv" : "", s->sent, s->fuzz,
	       s->hdr_mutated, s->model_ops, s->replies, s->acks, s->dones,
	       s->dumps_interrupted, s->model_checks, s->send_errors, s->stray,
	       s->fuzz_add_ok, s->fuzz_set_ok, s->fuzz_del_ok, s->fuzz_server_ok);
	for (e = 1; e < 4096; e++)
		if (s->err[e])
			printf(" %s=%lu", errname(e), s->err[e]);
	printf(" result=%s\n", s->failed ? "FAIL" : "PASS");
	fflush(stdout);
}

static void usage(void)
{
	fprintf(stderr, "usage: efs-nlfuzz --seed N --seconds S [--procs P] [--unpriv] [--root DIR] [--dir DIR]... [--verbose]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "unpriv", no_argument, NULL, 'u' },
		{ "root", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	double seconds = 10, t0;
	int procs = 1, opt, i, rc = 0;
	bool have_seed = false;
	struct stats *all, total;
	struct conn c;
	struct fslist before = { 0 }, after = { 0 };
	uint32_t srv_before = 0;

	while ((opt = getopt_long(argc, argv, "s:t:p:ur:d:v", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			g_seed = strtoull(optarg, NULL, 0);
			have_seed = true;
			break;
		case 't':
			seconds = atof(optarg);
			break;
		case 'p':
			procs = atoi(optarg);
			if (procs < 1 || procs > 64)
				usage();
			break;
		case 'u':
			g_unpriv = true;
			break;
		case 'r':
			snprintf(root_dir, sizeof(root_dir), "%s", optarg);
			break;
		case 'd':
			if (n_model_dir == NMODEL)
				usage();
			snprintf(model_dir[n_model_dir++], EFS_PATH_MAX, "%s",
				 optarg);
			break;
		case 'v':
			g_verbose = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!have_seed)
		g_seed = (uint64_t)time(NULL);
	rng_state = g_seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	all = mmap(NULL, sizeof(*all) * (procs + 1), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (all == MAP_FAILED) {
		perror("efs-nlfuzz: mmap");
		return 2;
	}
	st = &all[procs];
	for (i = 0; i <= EFS_A_MAX; i++)
		if (policy[i].kind != V_NONE)
			policy_attrs[n_policy_attrs++] = i;
	mkdirs();
	printf("efs-nlfuzz: seed=%" PRIu64 " seconds=%.0f procs=%d%s (reproduce: efs-nlfuzz --seed %" PRIu64 " --seconds %.0f --procs %d%s)\n",
	       g_seed, seconds, procs, g_unpriv ? " unpriv" : "", g_seed,
	       seconds, procs, g_unpriv ? " --unpriv" : "");

	conn_open(&c, true, false);
	g_fam = resolve_family(&c);
	list_genl_families(&c);
	if (g_unpriv) {
		dump_fs(&c, &before);
		dump_fs(&c, &foreign);
		srv_before = server_max(&c);
		for (i = 0; i < before.n; i++) {
			int k = model_index(before.e[i].name);

			if (k >= 0) {
				int d;

				for (d = 0; d < n_model_dir; d++)
					if (!strcmp(before.e[i].path, model_dir[d]))
						model[k].dir = d;
				if (strcmp(before.e[i].path, model_dir[model[k].dir]))
					die("%s exists on a foreign path", before.e[i].name);
				model[k].exists = true;
				model[k].iops = before.e[i].iops;
				model[k].weight = before.e[i].weight;
			}
		}
	} else {
		srv_before = server_max(&c);
		/* start without model or fuzz filesystems */
		dump_fs(&c, &before);
		for (i = 0; i < before.n; i++) {
			const char *n = before.e[i].name;

			if (model_index(n) >= 0 || !strncmp(n, "fz", 2))
				del_name(&c, n, true);
		}
		dump_fs(&c, &foreign);
		if (foreign.n)
			printf("efs-nlfuzz: %d filesystems left alone\n", foreign.n);
		final_check(&c, true);
	}

	t0 = now_s();
	if (procs == 1) {
		run(seconds);
	} else {
		g_strict = false;
		for (i = 0; i < procs; i++) {
			pid_t pid = fork();

			if (pid < 0) {
				perror("efs-nlfuzz: fork");
				return 2;
			}
			if (!pid) {
				g_child = i;
				st = &all[i];
				rng_state = g_seed * 1000003ULL + i + 1;
				g_seq = (i + 1) * 100000000U;
				run(seconds);
				_exit(0);
			}
		}
		for (i = 0; i < procs; i++) {
			int status;

			if (wait(&status) < 0)
				break;
			if (!WIFEXITED(status) || WEXITSTATUS(status))
				rc = 1;
		}
	}
	memset(&total, 0, sizeof(total));
	for (i = 0; i <= procs; i++) {
		int e;
		unsigned long *d = (unsigned long *)&total;
		const unsigned long *s = (const unsigned long *)&all[i];

		if (procs == 1 && i < procs)
			continue;
		for (e = 0; e < (int)(offsetof(struct stats, err) /
				     sizeof(unsigned long)); e++)
			d[e] += s[e];
		for (e = 0; e < 4096; e++)
			total.err[e] += all[i].err[e];
		total.failed |= all[i].failed;
	}
	if (rc)
		total.failed = 1;
	if (!total.failed) {
		st = &all[procs];
		g_child = -1;
		if (g_unpriv) {
			dump_fs(&c, &after);
			st->model_checks++;
			total.model_checks++;
			if (after.n != before.n)
				die("unprivileged run: %d filesystems before, %d after",
				    before.n, after.n);
			for (i = 0; i < after.n; i++)
				if (!fs_same_config(&before.e[i], &after.e[i]))
					die("unprivileged run changed fs %s",
					    before.e[i].name);
			if (server_max(&c) != srv_before)
				die("unprivileged run changed the server's maximum");
		} else {
			final_check(&c, true);
			total.model_checks++;
			if (server_max(&c) != srv_before)
				server_set(&c, srv_before);
		}
	}
	conn_close(&c);
	summary(&total, procs, now_s() - t0);
	return total.failed ? 1 : 0;
}
