/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The messages the heads multicast in their CPG group (PROTOCOL.md):
 * a fixed little-endian encoding, versioned, and validated field by field
 * on receipt. A message that does not decode is logged and ignored: it
 * changes nothing.
 */
#ifndef ECL_PROTO_H
#define ECL_PROTO_H

#include "ecl.h"

#define ECL_MAGIC		0x43534645U	/* "EFSC" */
#define ECL_HDR_LEN		20
#define ECL_MSG_MAX		(1U << 20)	/* 1 MiB */
#define ECL_STATE_CHUNK		(256U << 10)	/* a STATE message carries this */
#define ECL_STATE_MAX		(256U << 20)	/* the whole state */

enum ecl_msg_type {
	ECL_MSG_HELLO = 1,	/* I am here (sync after a join) */
	ECL_MSG_STATE,		/* the replicated state, from the sync leader */
	ECL_MSG_DECLARE,	/* the shared filesystems I serve */
	ECL_MSG_REPORT,		/* my usage of one tick, one per round */
	ECL_MSG_SUSPECT,	/* member X did not report for round R */
	ECL_MSG_REJOIN,		/* I was evicted as silent; take me back */
	ECL_MSG_PING,		/* is the ring moving? (before a SUSPECT) */
	ECL_MSG_MAX_TYPE = ECL_MSG_PING,
};

/* Writer: grows as needed; err set on allocation failure. */
struct ecl_wbuf {
	uint8_t *p;
	size_t len, cap;
	bool err;
};

void ecl_wb_init(struct ecl_wbuf *w);
void ecl_wb_free(struct ecl_wbuf *w);
void ecl_wb_u8(struct ecl_wbuf *w, uint8_t v);
void ecl_wb_u16(struct ecl_wbuf *w, uint16_t v);
void ecl_wb_u32(struct ecl_wbuf *w, uint32_t v);
void ecl_wb_u64(struct ecl_wbuf *w, uint64_t v);
void ecl_wb_str(struct ecl_wbuf *w, const char *s);	/* u8 length + bytes */
void ecl_wb_bytes(struct ecl_wbuf *w, const void *p, size_t n);
/* type, sender and sequence; ecl_wb_finish() fills in the length */
void ecl_wb_hdr(struct ecl_wbuf *w, uint8_t type, uint32_t nodeid,
		uint32_t seq);
void ecl_wb_finish(struct ecl_wbuf *w);

/* Reader: every read is bounds-checked; err sticks. */
struct ecl_rbuf {
	const uint8_t *p;
	size_t len, off;
	bool err;
};

void ecl_rb_init(struct ecl_rbuf *r, const void *p, size_t len);
uint8_t ecl_rb_u8(struct ecl_rbuf *r);
uint16_t ecl_rb_u16(struct ecl_rbuf *r);
uint32_t ecl_rb_u32(struct ecl_rbuf *r);
uint64_t ecl_rb_u64(struct ecl_rbuf *r);
/* A filesystem's settings, as declared and as saved (one encoding). */
void ecl_wb_settings(struct ecl_wbuf *w, const struct ecl_settings *s);
void ecl_rb_settings(struct ecl_rbuf *r, struct ecl_settings *s);
/* u8 length + bytes into out[max + 1], NUL-terminated; returns the length */
size_t ecl_rb_str(struct ecl_rbuf *r, char *out, size_t max);
/* all bytes consumed and no error */
bool ecl_rb_done(const struct ecl_rbuf *r);

struct ecl_hdr {
	uint8_t type;
	uint32_t nodeid;
	uint32_t seq;
};

/* Checks magic, version, type, flags, length; leaves r at the body. */
int ecl_hdr_decode(struct ecl_rbuf *r, struct ecl_hdr *h, const char **why);

struct ecl_hello {
	uint64_t sig;		/* membership it answers (ecl_members_sig) */
	uint8_t synced;		/* holds a replicated state */
	uint8_t strict;		/* on-partition = strict */
	uint32_t lease_ms, forget_ms, detect_ms;
	uint64_t quorate_round;	/* last round it completed while quorate */
	uint64_t round;		/* its state's round */
	uint32_t participants;	/* heads in its state's rounds */
	char name[ECL_NODE_NAME_MAX + 1];
};

struct ecl_decl_entry {
	char name[ECL_FS_NAME_MAX + 1];
	uint8_t withdraw;	/* 1: no longer served here */
	struct ecl_settings set;
	uint64_t size;		/* stored bytes sampled here */
	uint64_t balance;	/* credit balance saved here (cold start) */
	uint64_t hold_ops;	/* what this head's kernel admits now */
	uint64_t hold_bytes;
};

struct ecl_rep_entry {
	uint32_t fs_id;
	uint16_t flags;		/* ECL_USE_* */
	uint16_t clients;	/* active clients */
	uint32_t units;		/* ops units used in the interval */
	uint64_t bytes;		/* metered bytes used in the interval */
	uint64_t size;		/* stored bytes sampled here */
};

struct ecl_expire {
	uint32_t event_id;
	uint8_t stage;		/* the stage the sender's timer reached */
};

struct ecl_report {
	uint32_t epoch;
	uint64_t round;
	uint32_t interval_us;	/* since the sender's previous report */
	uint8_t rflags;		/* ECL_REP_* */
	uint32_t n, nexp;
	struct ecl_rep_entry *e;	/* caller's arrays */
	struct ecl_expire *x;
};

struct ecl_suspect {
	uint32_t epoch;
	uint64_t round;
	uint32_t nodeid, pid;
};

#define ECL_MAX_EXPIRE	ECL_MAX_EVENTS

/* Report flags. */
#define ECL_REP_QUORATE		0x1	/* sender quorate for the current ring */
#define ECL_REP_ALL_NODES	0x2	/* every configured node is in the group */
#define ECL_REP_FLAGS		0x3

void ecl_enc_hello(struct ecl_wbuf *w, const struct ecl_hello *m);
int ecl_dec_hello(struct ecl_rbuf *r, struct ecl_hello *m, const char **why);
void ecl_enc_declare(struct ecl_wbuf *w, const struct ecl_decl_entry *e,
		     uint32_t n);
/* decodes up to max entries into e[] */
int ecl_dec_declare(struct ecl_rbuf *r, struct ecl_decl_entry *e, uint32_t max,
		    uint32_t *n, const char **why);
void ecl_enc_report(struct ecl_wbuf *w, const struct ecl_report *m);
int ecl_dec_report(struct ecl_rbuf *r, struct ecl_report *m, uint32_t max,
		   const char **why);
void ecl_enc_suspect(struct ecl_wbuf *w, const struct ecl_suspect *m);
int ecl_dec_suspect(struct ecl_rbuf *r, struct ecl_suspect *m,
		    const char **why);

#endif /* ECL_PROTO_H */
