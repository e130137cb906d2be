/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny streaming JSON writer: objects, arrays, strings (escaped), numbers.
 * Commas and (optionally) indentation are handled here so callers only say
 * what to write, in order.
 */
#ifndef EFSCTL_JSON_H
#define EFSCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *f;
	bool pretty;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
};

void json_init(struct json *j, FILE *f, bool pretty);
/* Finish a top-level document: writes the final newline. */
void json_end(struct json *j);

void json_obj_open(struct json *j);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j);
void json_arr_close(struct json *j);
void json_key(struct json *j, const char *key);

void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A number already formatted by the caller (e.g. "2.5"); must be valid JSON. */
void json_number(struct json *j, const char *text);

/* Write s as a JSON string literal (with quotes). Invalid UTF-8 -> U+FFFD. */
void json_escape(FILE *f, const char *s);

#endif
