/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's view as JSON (the shape `efsctl cluster status --json` will
 * print, issue 26 item 7, plus the lease details): written atomically to
 * the status file every second.
 */
#ifndef ECL_STATUS_H
#define ECL_STATUS_H

#include <stdio.h>

#include "conf.h"
#include "node.h"

void ecl_status_json(FILE *f, const struct ecl_conf *conf,
		     const struct ecl_node *n, uint32_t detect_ms,
		     uint64_t now_us);
int ecl_status_write(const char *path, const struct ecl_conf *conf,
		     const struct ecl_node *n, uint32_t detect_ms,
		     uint64_t now_us);

#endif /* ECL_STATUS_H */
