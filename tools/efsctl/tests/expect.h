/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unit tests' checks (tests/unit.c, apply_unit.c, cluster_unit.c: one
 * translation unit each): EXPECT* mark the running case failed and say
 * where; run() runs a case and prints "PASS|FAIL name" (also to results,
 * if the test opened it).
 */
#ifndef EFSCTL_TESTS_EXPECT_H
#define EFSCTL_TESTS_EXPECT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int failures;
static bool case_ok;
static FILE *results;

#define EXPECT(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: expected %s\n", __FILE__,	\
			__LINE__, #cond);				\
		case_ok = false;					\
	}								\
} while (0)

#define EXPECT_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (strcmp(g_, w_)) {						\
		fprintf(stderr, "  %s:%d: got '%s', want '%s'\n",	\
			__FILE__, __LINE__, g_, w_);			\
		case_ok = false;					\
	}								\
} while (0)

/* sub must occur in text; on failure show the text */
#define EXPECT_IN(text, sub) do {					\
	if (!strstr((text), (sub))) {					\
		fprintf(stderr, "  %s:%d: missing '%s' in:\n%s\n",	\
			__FILE__, __LINE__, (sub), (text));		\
		case_ok = false;					\
	}								\
} while (0)

static void run(const char *name, void (*fn)(void))
{
	case_ok = true;
	fn();
	printf("%s %s\n", case_ok ? "PASS" : "FAIL", name);
	if (results)
		fprintf(results, "%s %s\n", case_ok ? "PASS" : "FAIL", name);
	if (!case_ok)
		failures++;
}

#endif /* EFSCTL_TESTS_EXPECT_H */
