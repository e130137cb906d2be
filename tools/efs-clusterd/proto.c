// SPDX-License-Identifier: GPL-2.0
/* Encoding and validation of the CPG messages (see proto.h, PROTOCOL.md). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

void ecl_wb_init(struct ecl_wbuf *w)
{
	memset(w, 0, sizeof(*w));
}

void ecl_wb_free(struct ecl_wbuf *w)
{
	free(w->p);
	ecl_wb_init(w);
}

static uint8_t *wb_room(struct ecl_wbuf *w, size_t n)
{
	if (w->err)
		return NULL;
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *p;

		while (cap < w->len + n)
			cap *= 2;
		p = realloc(w->p, cap);
		if (!p) {
			w->err = true;
			return NULL;
		}
		w->p = p;
		w->cap = cap;
	}
	w->len += n;
	return w->p + w->len - n;
}

static void wb_le(struct ecl_wbuf *w, uint64_t v, int n)
{
	uint8_t *p = wb_room(w, n);

	if (!p)
		return;
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void ecl_wb_u8(struct ecl_wbuf *w, uint8_t v) { wb_le(w, v, 1); }
void ecl_wb_u16(struct ecl_wbuf *w, uint16_t v) { wb_le(w, v, 2); }
void ecl_wb_u32(struct ecl_wbuf *w, uint32_t v) { wb_le(w, v, 4); }
void ecl_wb_u64(struct ecl_wbuf *w, uint64_t v) { wb_le(w, v, 8); }

void ecl_wb_str(struct ecl_wbuf *w, const char *s)
{
	size_t n = strnlen(s, 255);
	uint8_t *p;

	ecl_wb_u8(w, (uint8_t)n);
	p = wb_room(w, n);
	if (p)
		memcpy(p, s, n);
}

void ecl_wb_bytes(struct ecl_wbuf *w, const void *p, size_t n)
{
	uint8_t *d = wb_room(w, n);

	if (d && n)
		memcpy(d, p, n);
}

void ecl_wb_hdr(struct ecl_wbuf *w, uint8_t type, uint32_t nodeid,
		uint32_t seq)
{
	ecl_wb_u32(w, ECL_MAGIC);
	ecl_wb_u8(w, ECL_PROTO_VERSION);
	ecl_wb_u8(w, type);
	ecl_wb_u16(w, 0);
	ecl_wb_u32(w, nodeid);
	ecl_wb_u32(w, seq);
	ecl_wb_u32(w, 0);	/* length, see ecl_wb_finish */
}

void ecl_wb_finish(struct ecl_wbuf *w)
{
	if (w->err || w->len < ECL_HDR_LEN)
		return;
	for (int i = 0; i < 4; i++)
		w->p[16 + i] = (uint8_t)(w->len >> (8 * i));
	if (w->len > ECL_MSG_MAX)
		w->err = true;
}

void ecl_rb_init(struct ecl_rbuf *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->off = 0;
	r->err = false;
}

static uint64_t rb_le(struct ecl_rbuf *r, int n)
{
	uint64_t v = 0;

	if (r->err || r->len - r->off < (size_t)n) {
		r->err = true;
		return 0;
	}
	for (int i = 0; i < n; i++)
		v |= (uint64_t)r->p[r->off + i] << (8 * i);
	r->off += n;
	return v;
}

uint8_t ecl_rb_u8(struct ecl_rbuf *r) { return (uint8_t)rb_le(r, 1); }
uint16_t ecl_rb_u16(struct ecl_rbuf *r) { return (uint16_t)rb_le(r, 2); }
uint32_t ecl_rb_u32(struct ecl_rbuf *r) { return (uint32_t)rb_le(r, 4); }
uint64_t ecl_rb_u64(struct ecl_rbuf *r) { return rb_le(r, 8); }

size_t ecl_rb_str(struct ecl_rbuf *r, char *out, size_t max)
{
	size_t n = ecl_rb_u8(r);

	out[0] = '\0';
	if (r->err || n > max || r->len - r->off < n) {
		r->err = true;
		return 0;
	}
	memcpy(out, r->p + r->off, n);
	out[n] = '\0';
	r->off += n;
	if (memchr(out, '\0', n)) {
		r->err = true;
		return 0;
	}
	return n;
}

bool ecl_rb_done(const struct ecl_rbuf *r)
{
	return !r->err && r->off == r->len;
}

#define FAIL(msg) do { *why = (msg); return -EINVAL; } while (0)

int ecl_hdr_decode(struct ecl_rbuf *r, struct ecl_hdr *h, const char **why)
{
	uint32_t magic, len;
	uint8_t version;
	uint16_t flags;

	if (r->len < ECL_HDR_LEN)
		FAIL("shorter than a header");
	if (r->len > ECL_MSG_MAX)
		FAIL("longer than the largest message");
	magic = ecl_rb_u32(r);
	version = ecl_rb_u8(r);
	h->type = ecl_rb_u8(r);
	flags = ecl_rb_u16(r);
	h->nodeid = ecl_rb_u32(r);
	h->seq = ecl_rb_u32(r);
	len = ecl_rb_u32(r);
	if (magic != ECL_MAGIC)
		FAIL("bad magic");
	if (version != ECL_PROTO_VERSION)
		FAIL("unknown protocol version");
	if (h->type < ECL_MSG_HELLO || h->type > ECL_MSG_MAX_TYPE)
		FAIL("unknown message type");
	if (flags)
		FAIL("unknown header flags");
	if (len != r->len)
		FAIL("length field does not match the message");
	return 0;
}

void ecl_enc_hello(struct ecl_wbuf *w, const struct ecl_hello *m)
{
	ecl_wb_u64(w, m->sig);
	ecl_wb_u8(w, m->synced);
	ecl_wb_u8(w, m->strict);
	ecl_wb_u32(w, m->lease_ms);
	ecl_wb_u32(w, m->forget_ms);
	ecl_wb_u32(w, m->detect_ms);
	ecl_wb_u64(w, m->quorate_round);
	ecl_wb_u64(w, m->round);
	ecl_wb_u32(w, m->participants);
	ecl_wb_str(w, m->name);
}

int ecl_dec_hello(struct ecl_rbuf *r, struct ecl_hello *m, const char **why)
{
	m->sig = ecl_rb_u64(r);
	m->synced = ecl_rb_u8(r);
	m->strict = ecl_rb_u8(r);
	m->lease_ms = ecl_rb_u32(r);
	m->forget_ms = ecl_rb_u32(r);
	m->detect_ms = ecl_rb_u32(r);
	m->quorate_round = ecl_rb_u64(r);
	m->round = ecl_rb_u64(r);
	m->participants = ecl_rb_u32(r);
	ecl_rb_str(r, m->name, ECL_NODE_NAME_MAX);
	if (!ecl_rb_done(r))
		FAIL("hello: bad length");
	if (m->synced > 1 || m->strict > 1)
		FAIL("hello: bad flag");
	/* the same bounds as cluster.conf (conf.c) */
	if (m->lease_ms < 100 || m->lease_ms > 600000 ||
	    m->forget_ms < m->lease_ms || m->forget_ms > 86400000 ||
	    m->detect_ms > 600000)
		FAIL("hello: timings out of range");
	if (m->participants > ECL_MAX_MEMBERS || m->quorate_round > m->round)
		FAIL("hello: bad round or participants");
	return 0;
}

void ecl_wb_settings(struct ecl_wbuf *w, const struct ecl_settings *s)
{
	ecl_wb_u8(w, s->perf_mode);
	ecl_wb_u8(w, s->tput_mode);
	ecl_wb_u16(w, s->write_weight);
	ecl_wb_u32(w, s->iops_limit);
	ecl_wb_u32(w, s->read_ratio);
	ecl_wb_u64(w, s->prov_bps);
	ecl_wb_u64(w, s->metered_size);
}

void ecl_rb_settings(struct ecl_rbuf *r, struct ecl_settings *s)
{
	s->perf_mode = ecl_rb_u8(r);
	s->tput_mode = ecl_rb_u8(r);
	s->write_weight = ecl_rb_u16(r);
	s->iops_limit = ecl_rb_u32(r);
	s->read_ratio = ecl_rb_u32(r);
	s->prov_bps = ecl_rb_u64(r);
	s->metered_size = ecl_rb_u64(r);
}

void ecl_enc_declare(struct ecl_wbuf *w, const struct ecl_decl_entry *e,
		     uint32_t n)
{
	ecl_wb_u32(w, n);
	for (uint32_t i = 0; i < n; i++) {
		ecl_wb_str(w, e[i].name);
		ecl_wb_u8(w, e[i].withdraw);
		ecl_wb_settings(w, &e[i].set);
		ecl_wb_u64(w, e[i].size);
		ecl_wb_u64(w, e[i].balance);
		ecl_wb_u64(w, e[i].hold_ops);
		ecl_wb_u64(w, e[i].hold_bytes);
	}
}

int ecl_dec_declare(struct ecl_rbuf *r, struct ecl_decl_entry *e, uint32_t max,
		    uint32_t *n, const char **why)
{
	*n = ecl_rb_u32(r);
	if (r->err || *n > max)
		FAIL("declare: bad entry count");
	for (uint32_t i = 0; i < *n; i++) {
		size_t len = ecl_rb_str(r, e[i].name, ECL_FS_NAME_MAX);

		e[i].withdraw = ecl_rb_u8(r);
		ecl_rb_settings(r, &e[i].set);
		e[i].size = ecl_rb_u64(r);
		e[i].balance = ecl_rb_u64(r);
		e[i].hold_ops = ecl_rb_u64(r);
		e[i].hold_bytes = ecl_rb_u64(r);
		if (r->err)
			FAIL("declare: truncated");
		if (!ecl_fs_name_valid(e[i].name, len))
			FAIL("declare: bad filesystem name");
		if (e[i].withdraw > 1)
			FAIL("declare: bad withdraw flag");
		if (!e[i].withdraw && !ecl_settings_valid(&e[i].set))
			FAIL("declare: settings out of range");
		if (e[i].size > ECL_SIZE_MAX || e[i].balance > ECL_SIZE_MAX)
			FAIL("declare: size or balance out of range");
	}
	if (!ecl_rb_done(r))
		FAIL("declare: bad length");
	return 0;
}

void ecl_enc_report(struct ecl_wbuf *w, const struct ecl_report *m)
{
	ecl_wb_u32(w, m->epoch);
	ecl_wb_u64(w, m->round);
	ecl_wb_u32(w, m->interval_us);
	ecl_wb_u8(w, m->rflags);
	ecl_wb_u32(w, m->n);
	ecl_wb_u32(w, m->nexp);
	for (uint32_t i = 0; i < m->n; i++) {
		const struct ecl_rep_entry *e = &m->e[i];

		ecl_wb_u32(w, e->fs_id);
		ecl_wb_u16(w, e->flags);
		ecl_wb_u16(w, e->clients);
		ecl_wb_u32(w, e->units);
		ecl_wb_u64(w, e->bytes);
		ecl_wb_u64(w, e->size);
	}
	for (uint32_t i = 0; i < m->nexp; i++) {
		ecl_wb_u32(w, m->x[i].event_id);
		ecl_wb_u8(w, m->x[i].stage);
	}
}

int ecl_dec_report(struct ecl_rbuf *r, struct ecl_report *m, uint32_t max,
		   const char **why)
{
	m->epoch = ecl_rb_u32(r);
	m->round = ecl_rb_u64(r);
	m->interval_us = ecl_rb_u32(r);
	m->rflags = ecl_rb_u8(r);
	m->n = ecl_rb_u32(r);
	m->nexp = ecl_rb_u32(r);
	if (r->err || m->n > max || m->nexp > ECL_MAX_EXPIRE)
		FAIL("report: bad entry count");
	if (r->len - r->off != (size_t)m->n * 28 + (size_t)m->nexp * 5)
		FAIL("report: bad length");
	if (!m->round)
		FAIL("report: round 0");
	if (m->rflags & ~ECL_REP_FLAGS)
		FAIL("report: unknown flags");
	for (uint32_t i = 0; i < m->n; i++) {
		struct ecl_rep_entry *e = &m->e[i];

		e->fs_id = ecl_rb_u32(r);
		e->flags = ecl_rb_u16(r);
		e->clients = ecl_rb_u16(r);
		e->units = ecl_rb_u32(r);
		e->bytes = ecl_rb_u64(r);
		e->size = ecl_rb_u64(r);
		if (e->flags & ~ECL_USE_FLAGS)
			FAIL("report: unknown usage flags");
		if (e->size > ECL_SIZE_MAX || e->bytes > ECL_SIZE_MAX)
			FAIL("report: size or bytes out of range");
	}
	for (uint32_t i = 0; i < m->nexp; i++) {
		m->x[i].event_id = ecl_rb_u32(r);
		m->x[i].stage = ecl_rb_u8(r);
		if (m->x[i].stage < 1 || m->x[i].stage > 2)
			FAIL("report: bad expiry stage");
	}
	if (!ecl_rb_done(r))
		FAIL("report: bad length");
	return 0;
}

void ecl_enc_suspect(struct ecl_wbuf *w, const struct ecl_suspect *m)
{
	ecl_wb_u32(w, m->epoch);
	ecl_wb_u64(w, m->round);
	ecl_wb_u32(w, m->nodeid);
	ecl_wb_u32(w, m->pid);
}

int ecl_dec_suspect(struct ecl_rbuf *r, struct ecl_suspect *m,
		    const char **why)
{
	m->epoch = ecl_rb_u32(r);
	m->round = ecl_rb_u64(r);
	m->nodeid = ecl_rb_u32(r);
	m->pid = ecl_rb_u32(r);
	if (!ecl_rb_done(r))
		FAIL("suspect: bad length");
	return 0;
}
