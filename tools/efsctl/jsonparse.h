/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small JSON reader (RFC 8259) into a tree, for documents efsctl reads
 * back: efs-clusterd's status file. Strict: one value, no trailing data,
 * no comments, numbers and strings as the RFC writes them, valid UTF-8,
 * at most JSON_MAX_DEPTH - 1 levels of nesting (what json.c writes).
 * Strings are decoded to UTF-8 (a \u0000 escape is refused: values are C
 * strings); numbers keep their text. The tree can be written again
 * through json.c (jv_write).
 */
#ifndef EFSCTL_JSONPARSE_H
#define EFSCTL_JSONPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"

enum jv_type { JV_NULL, JV_BOOL, JV_NUMBER, JV_STRING, JV_ARRAY, JV_OBJECT };

struct jv {
	enum jv_type type;
	bool b;			/* JV_BOOL */
	char *s;		/* JV_STRING: the value; JV_NUMBER: its text */
	size_t n;		/* JV_ARRAY, JV_OBJECT: elements */
	struct jv *v;		/* the elements (values of an object) */
	char **k;		/* JV_OBJECT: the keys, in document order */
};

/*
 * Parse len bytes. NULL on error, with "line L, column C: problem" in err
 * (also for "out of memory").
 */
struct jv *jv_parse(const char *text, size_t len, char *err, size_t errlen);
void jv_free(struct jv *v);

/* An object's member (the first of that name), NULL if none or not an object. */
const struct jv *jv_get(const struct jv *obj, const char *key);
/* A number without sign, fraction or exponent that fits 64 bits. */
bool jv_u64(const struct jv *v, uint64_t *out);
const char *jv_type_name(enum jv_type t);

/* Write v (keys in their order) as one value through j. */
void jv_write(struct json *j, const struct jv *v);

#endif
