// SPDX-License-Identifier: GPL-2.0
/*
 * A small JSON reader into a tree (see jsonparse.h): recursive descent over
 * the RFC 8259 grammar, depth-bounded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonparse.h"

struct jp {
	const char *start, *p, *end;
	int depth;
	char *err;
	size_t errlen;
	bool failed;
};

static bool jp_fail(struct jp *jp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Report the first error only, with its line and column (1-based). */
static bool jp_fail(struct jp *jp, const char *fmt, ...)
{
	unsigned long line = 1, col = 1;
	const char *q;
	char msg[160];
	va_list ap;

	if (jp->failed)
		return false;
	jp->failed = true;
	for (q = jp->start; q < jp->p && q < jp->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (jp->errlen)
		snprintf(jp->err, jp->errlen, "line %lu, column %lu: %s", line,
			 col, msg);
	return false;
}

static void skip_ws(struct jp *jp)
{
	while (jp->p < jp->end && (*jp->p == ' ' || *jp->p == '\t' ||
				   *jp->p == '\n' || *jp->p == '\r'))
		jp->p++;
}

static bool oom(struct jp *jp)
{
	return jp_fail(jp, "out of memory");
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool parse_value(struct jp *jp, struct jv *v);

static bool literal(struct jp *jp, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n))
		return jp_fail(jp, "unexpected '%c'", *jp->p);
	jp->p += n;
	return true;
}

static bool parse_number(struct jp *jp, struct jv *v)
{
	const char *s = jp->p, *q = jp->p;

	if (q < jp->end && *q == '-')
		q++;
	if (q >= jp->end || !is_digit(*q)) {
		jp->p = q;
		return jp_fail(jp, "a number needs a digit here");
	}
	if (*q == '0')
		q++;
	else
		while (q < jp->end && is_digit(*q))
			q++;
	if (q < jp->end && *q == '.') {
		q++;
		if (q >= jp->end || !is_digit(*q)) {
			jp->p = q;
			return jp_fail(jp, "a number needs a digit after '.'");
		}
		while (q < jp->end && is_digit(*q))
			q++;
	}
	if (q < jp->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < jp->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= jp->end || !is_digit(*q)) {
			jp->p = q;
			return jp_fail(jp, "a number needs a digit in its exponent");
		}
		while (q < jp->end && is_digit(*q))
			q++;
	}
	v->type = JV_NUMBER;
	v->s = strndup(s, (size_t)(q - s));
	if (!v->s)
		return oom(jp);
	jp->p = q;
	return true;
}

static int hex4(const char *q)
{
	int i, r = 0;

	for (i = 0; i < 4; i++) {
		char c = q[i];

		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= c - '0';
		else if (c >= 'a' && c <= 'f')
			r |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			r |= c - 'A' + 10;
		else
			return -1;
	}
	return r;
}

static size_t put_utf8(char *o, unsigned long cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \uXXXX escape at jp->p (after the backslash and 'u'), pairs joined. */
static bool unicode_escape(struct jp *jp, unsigned long *cp)
{
	int hi, lo;

	if (jp->end - jp->p < 4 || (hi = hex4(jp->p)) < 0)
		return jp_fail(jp, "\\u needs four hex digits");
	jp->p += 4;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return jp_fail(jp, "lone low surrogate \\u%04x", hi);
	if (hi >= 0xd800 && hi <= 0xdbff) {
		if (jp->end - jp->p < 6 || jp->p[0] != '\\' || jp->p[1] != 'u' ||
		    (lo = hex4(jp->p + 2)) < 0 || lo < 0xdc00 || lo > 0xdfff)
			return jp_fail(jp, "high surrogate \\u%04x without its low half", hi);
		jp->p += 6;
		*cp = 0x10000 + (((unsigned long)hi - 0xd800) << 10) +
		      ((unsigned long)lo - 0xdc00);
		return true;
	}
	if (!hi)
		return jp_fail(jp, "\\u0000 in a string");
	*cp = (unsigned long)hi;
	return true;
}

/* Length of the valid UTF-8 sequence at q (0: invalid). */
static size_t utf8_len(const unsigned char *q, const unsigned char *end)
{
	unsigned long cp;
	size_t n, i;

	if (q[0] < 0x80)
		return 1;
	if (q[0] >= 0xc2 && q[0] <= 0xdf)
		n = 2, cp = q[0] & 0x1f;
	else if (q[0] >= 0xe0 && q[0] <= 0xef)
		n = 3, cp = q[0] & 0x0f;
	else if (q[0] >= 0xf0 && q[0] <= 0xf4)
		n = 4, cp = q[0] & 0x07;
	else
		return 0;
	if ((size_t)(end - q) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((q[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (q[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* A string at jp->p (the opening quote): its decoded value in *out. */
static bool parse_string(struct jp *jp, char **out)
{
	const char *q;
	char *buf, *o;

	/* the decoded string is never longer than its source */
	for (q = jp->p + 1; q < jp->end && *q != '"'; q++)
		if (*q == '\\' && q + 1 < jp->end)
			q++;
	if (q >= jp->end)
		return jp_fail(jp, "string not closed");
	buf = malloc((size_t)(q - jp->p));
	if (!buf)
		return oom(jp);
	o = buf;
	jp->p++;
	while (*jp->p != '"') {
		unsigned char c = (unsigned char)*jp->p;
		unsigned long cp = 0;
		size_t n;

		if (c < 0x20) {
			free(buf);
			return jp_fail(jp, "control character 0x%02x in a string", c);
		}
		if (c != '\\') {
			n = utf8_len((const unsigned char *)jp->p,
				     (const unsigned char *)jp->end);
			if (!n) {
				free(buf);
				return jp_fail(jp, "invalid UTF-8 in a string");
			}
			memcpy(o, jp->p, n);
			o += n;
			jp->p += n;
			continue;
		}
		jp->p++;
		switch (*jp->p++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			if (!unicode_escape(jp, &cp)) {
				free(buf);
				return false;
			}
			o += put_utf8(o, cp);
			break;
		default:
			jp->p--;
			free(buf);
			return jp_fail(jp, "unknown escape '\\%c'", *jp->p);
		}
	}
	jp->p++;
	*o = '\0';
	*out = buf;
	return true;
}

/* Room for one more element of an array or object being built. */
static bool grow(struct jp *jp, struct jv *v, size_t *cap)
{
	size_t ncap;
	struct jv *nv;

	if (v->n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 4;
	nv = realloc(v->v, ncap * sizeof(*nv));
	if (!nv)
		return oom(jp);
	v->v = nv;
	if (v->type == JV_OBJECT) {
		char **nk = realloc(v->k, ncap * sizeof(*nk));

		if (!nk)
			return oom(jp);
		v->k = nk;
	}
	*cap = ncap;
	return true;
}

static bool parse_container(struct jp *jp, struct jv *v, bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0;

	/* json.c writes JSON_MAX_DEPTH - 1 levels: what jv_write may meet */
	if (++jp->depth > JSON_MAX_DEPTH - 1)
		return jp_fail(jp, "nested deeper than %d levels",
			       JSON_MAX_DEPTH - 1);
	v->type = object ? JV_OBJECT : JV_ARRAY;
	jp->p++;
	skip_ws(jp);
	if (jp->p < jp->end && *jp->p == close) {
		jp->p++;
		jp->depth--;
		return true;
	}
	for (;;) {
		char *key = NULL;

		skip_ws(jp);
		if (object) {
			if (jp->p >= jp->end || *jp->p != '"')
				return jp_fail(jp, jp->p < jp->end ?
					       "expected a key (a string)" :
					       "document ends inside an object");
			if (!parse_string(jp, &key))
				return false;
			skip_ws(jp);
			if (jp->p >= jp->end || *jp->p != ':') {
				free(key);
				return jp_fail(jp, "expected ':' after a key");
			}
			jp->p++;
		}
		if (!grow(jp, v, &cap)) {
			free(key);
			return false;
		}
		memset(&v->v[v->n], 0, sizeof(v->v[v->n]));
		if (object)
			v->k[v->n] = key;
		v->n++;
		if (!parse_value(jp, &v->v[v->n - 1]))
			return false;
		skip_ws(jp);
		if (jp->p >= jp->end)
			return jp_fail(jp, object ? "document ends inside an object" :
				       "document ends inside an array");
		if (*jp->p == ',') {
			jp->p++;
			continue;
		}
		if (*jp->p == close) {
			jp->p++;
			jp->depth--;
			return true;
		}
		return jp_fail(jp, "expected ',' or '%c'", close);
	}
}

static bool parse_value(struct jp *jp, struct jv *v)
{
	skip_ws(jp);
	if (jp->p >= jp->end)
		return jp_fail(jp, "expected a value");
	switch (*jp->p) {
	case '{':
		return parse_container(jp, v, true);
	case '[':
		return parse_container(jp, v, false);
	case '"':
		v->type = JV_STRING;
		return parse_string(jp, &v->s);
	case 't':
		v->type = JV_BOOL;
		v->b = true;
		return literal(jp, "true");
	case 'f':
		v->type = JV_BOOL;
		return literal(jp, "false");
	case 'n':
		v->type = JV_NULL;
		return literal(jp, "null");
	default:
		if (*jp->p == '-' || is_digit(*jp->p))
			return parse_number(jp, v);
		if ((unsigned char)*jp->p >= 0x20 && (unsigned char)*jp->p < 0x7f)
			return jp_fail(jp, "unexpected '%c'", *jp->p);
		return jp_fail(jp, "unexpected byte 0x%02x",
			       (unsigned char)*jp->p);
	}
}

static void jv_clear(struct jv *v)
{
	size_t i;

	free(v->s);
	for (i = 0; i < v->n; i++) {
		jv_clear(&v->v[i]);
		if (v->type == JV_OBJECT)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
}

void jv_free(struct jv *v)
{
	if (!v)
		return;
	jv_clear(v);
	free(v);
}

struct jv *jv_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct jp jp = {
		.start = text, .p = text, .end = text + len,
		.err = err, .errlen = errlen,
	};
	struct jv *v = calloc(1, sizeof(*v));

	if (errlen)
		err[0] = '\0';
	if (!v) {
		if (errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_value(&jp, v)) {
		skip_ws(&jp);
		if (jp.p < jp.end)
			jp_fail(&jp, "data after the document");
	}
	if (jp.failed) {
		jv_free(v);
		return NULL;
	}
	return v;
}

const struct jv *jv_get(const struct jv *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != JV_OBJECT)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->k[i], key))
			return &obj->v[i];
	return NULL;
}

bool jv_u64(const struct jv *v, uint64_t *out)
{
	unsigned long long r;
	char *end;

	if (!v || v->type != JV_NUMBER || !is_digit(v->s[0]))
		return false;
	errno = 0;
	r = strtoull(v->s, &end, 10);
	if (errno || *end)
		return false;
	*out = r;
	return true;
}

const char *jv_type_name(enum jv_type t)
{
	switch (t) {
	case JV_NULL: return "null";
	case JV_BOOL: return "a boolean";
	case JV_NUMBER: return "a number";
	case JV_STRING: return "a string";
	case JV_ARRAY: return "an array";
	default: return "an object";
	}
}

void jv_write(struct json *j, const struct jv *v)
{
	size_t i;

	switch (v->type) {
	case JV_NULL:
		json_null(j);
		break;
	case JV_BOOL:
		json_bool(j, v->b);
		break;
	case JV_NUMBER:
		json_number(j, v->s);
		break;
	case JV_STRING:
		json_str(j, v->s);
		break;
	case JV_ARRAY:
		json_arr_open(j);
		for (i = 0; i < v->n; i++)
			jv_write(j, &v->v[i]);
		json_arr_close(j);
		break;
	case JV_OBJECT:
		json_obj_open(j);
		for (i = 0; i < v->n; i++) {
			json_key(j, v->k[i]);
			jv_write(j, &v->v[i]);
		}
		json_obj_close(j);
		break;
	}
}
