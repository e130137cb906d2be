// SPDX-License-Identifier: GPL-2.0
/*
 * Text-or-JSON printing helpers (see output.h).
 */
#include <stdarg.h>

#include "output.h"
#include "units.h"

void out_init(struct out *o, FILE *f, bool json, bool pretty)
{
	o->f = f;
	o->json = json;
	json_init(&o->j, f, pretty);
}

void out_doc_end(struct out *o)
{
	if (o->json)
		json_end(&o->j);
}

static bool want_json(struct out *o, const char *key)
{
	if (!o->json)
		return false;
	if (key)
		json_key(&o->j, key);
	return true;
}

void out_obj_open(struct out *o, const char *key)
{
	if (want_json(o, key))
		json_obj_open(&o->j);
}

void out_obj_close(struct out *o)
{
	if (o->json)
		json_obj_close(&o->j);
}

void out_arr_open(struct out *o, const char *key)
{
	if (want_json(o, key))
		json_arr_open(&o->j);
}

void out_arr_close(struct out *o)
{
	if (o->json)
		json_arr_close(&o->j);
}

/* Text output of a rendered value; formats are ours, not user input. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void text(struct out *o, const char *fmt, const char *s)
{
	if (!o->json && fmt)
		fprintf(o->f, fmt, s);
}
#pragma GCC diagnostic pop

void out_str(struct out *o, const char *key, const char *fmt, const char *v)
{
	if (want_json(o, key)) {
		json_str(&o->j, v);
		return;
	}
	text(o, fmt, v);
}

void out_num(struct out *o, const char *key, const char *fmt,
	     const char *num)
{
	if (want_json(o, key)) {
		json_number(&o->j, num);
		return;
	}
	text(o, fmt, num);
}

void out_u64(struct out *o, const char *key, const char *fmt, uint64_t v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	out_num(o, key, fmt, buf);
}

void out_bool(struct out *o, const char *key, const char *fmt, bool v)
{
	if (want_json(o, key)) {
		json_bool(&o->j, v);
		return;
	}
	text(o, fmt, v ? "yes" : "no");
}

void out_bytes(struct out *o, const char *key, const char *fmt, uint64_t v)
{
	char buf[32];

	if (o->json) {
		out_u64(o, key, NULL, v);
		return;
	}
	text(o, fmt, efs_fmt_bytes(buf, sizeof(buf), v));
}

void out_rate(struct out *o, const char *key, const char *fmt, uint64_t v)
{
	char buf[32];

	if (o->json) {
		out_u64(o, key, NULL, v);
		return;
	}
	text(o, fmt, efs_fmt_rate(buf, sizeof(buf), v));
}

void out_null(struct out *o, const char *key)
{
	if (want_json(o, key))
		json_null(&o->j);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}
