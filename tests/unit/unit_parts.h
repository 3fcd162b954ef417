/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Honest skips for unit test files whose tests partly need what a machine may lack (root, a
 * tool, a daemon). cmocka's skip() counts as a pass in ctest, so a run that could test nothing
 * would say "Passed". Instead such a file splits its tests into parts: run without an argument
 * it runs the tests that need nothing; run with a part's name it runs only that part.
 * tests/unit/CMakeLists.txt registers each part as its own entry, unit/<file>/<part>, with
 * SKIP_RETURN_CODE UNIT_SKIPPED. A part checks its need first, before any test runs, and
 * returns unit_skip() saying why when it is not met; past that check, whatever goes wrong is a
 * failure, never a skip.
 *
 *   int main(int argc, char **argv)
 *   {
 *           const char *part = unit_part(argc, argv, "root");
 *           if (!part)
 *                   return unit_result(cmocka_run_group_tests(plain, NULL, NULL));
 *           if (geteuid() != 0)
 *                   return unit_skip("needs root");
 *           return unit_result(cmocka_run_group_tests(root_tests, setup, teardown));
 *   }
 *
 * Include after <cmocka.h>.
 */
#ifndef EVC_TESTS_UNIT_PARTS_H
#define EVC_TESTS_UNIT_PARTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ctest's SKIP_RETURN_CODE for the parts (the automake convention) */
#define UNIT_SKIPPED 77

/*
 * The part named by argv[1] (one of the space-separated names in `known`), or NULL without an
 * argument. Anything else is a usage error: it exits 2 rather than run nothing and pass.
 */
static inline const char *unit_part(int argc, char **argv, const char *known)
{
	if (argc < 2)
		return NULL;
	size_t n = strlen(argv[1]);
	for (const char *k = known; argc == 2 && n > 0 && *k;) {
		size_t len = strcspn(k, " ");
		if (len == n && strncmp(k, argv[1], n) == 0)
			return argv[1];
		k += len;
		k += strspn(k, " ");
	}
	fprintf(stderr, "usage: %s [PART]  (parts: %s; none runs the tests that need nothing)\n",
	        argv[0], known);
	exit(2);
}

/* Says why on standard output (ctest shows it with --output-on-failure or -V). */
static inline int unit_skip(const char *why)
{
	printf("SKIP: %s\n", why);
	fflush(stdout);
	return UNIT_SKIPPED;
}

/* cmocka returns the number of failed tests: 77 of them must not read as a skip. */
static inline int unit_result(int failed)
{
	return failed == 0 ? 0 : 1;
}

#endif
