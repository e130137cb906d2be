/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One code path prints text or JSON (in the manner of ethtool's and
 * iproute2's print_*() helpers): each call names a JSON key and a text
 * format. In JSON mode the key and value are written (key NULL: the bare
 * value, for array elements); in text mode the format is printed with the
 * value rendered for people as its only "%s" argument (fmt NULL: nothing).
 * Text-only pieces go through out_text(), JSON-only ones pass fmt NULL.
 */
#ifndef EFSCTL_OUTPUT_H
#define EFSCTL_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

struct out {
	FILE *f;
	bool json;
	struct json j;
};

void out_init(struct out *o, FILE *f, bool json, bool pretty);
/* End of a JSON document (newline); text mode: nothing. */
void out_doc_end(struct out *o);

/* JSON structure; key is NULL at the top level and inside arrays. */
void out_obj_open(struct out *o, const char *key);
void out_obj_close(struct out *o);
void out_arr_open(struct out *o, const char *key);
void out_arr_close(struct out *o);

void out_str(struct out *o, const char *key, const char *fmt, const char *v);
void out_u64(struct out *o, const char *key, const char *fmt, uint64_t v);
/* text: "yes"/"no" */
void out_bool(struct out *o, const char *key, const char *fmt, bool v);
/* a number already formatted as valid JSON ("2.5") */
void out_num(struct out *o, const char *key, const char *fmt,
	     const char *num);
/* JSON: number of bytes; text: "2.1 TiB" */
void out_bytes(struct out *o, const char *key, const char *fmt, uint64_t v);
/* JSON: bytes/s; text: "1.0 MiB/s" */
void out_rate(struct out *o, const char *key, const char *fmt, uint64_t v);
/* JSON only */
void out_null(struct out *o, const char *key);
/* text only */
void out_text(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
