/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secrets stay out of core dumps: the process is made non-dumpable, and the memory of every
 * struct secret is excluded from dumps (VmFlags "dd" in /proc/self/smaps), usable, and
 * wiped before it is given back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <cmocka.h>

#include "lib/secret.h"
#include "platform/privs.h"

/* The VmFlags line of the mapping that holds p, from /proc/self/smaps. */
static bool vm_flags_of(const void *p, char *flags, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[512];
	bool in = false, found = false;
	uintptr_t a = (uintptr_t)p;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		/* a mapping's first line: "lo-hi perms offset dev inode path" */
		if (sscanf(line, "%lx-%lx %7s ", &lo, &hi, perms) == 3) {
			in = a >= lo && a < hi;
			continue;
		}
		if (in && strncmp(line, "VmFlags:", 8) == 0) {
			snprintf(flags, len, "%s", line + 8);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static bool has_flag(const char *flags, const char *flag)
{
	char padded[600];
	snprintf(padded, sizeof(padded), " %s ", flags);
	padded[strcspn(padded, "\n")] = ' ';
	char want[8];
	snprintf(want, sizeof(want), " %s ", flag);
	return strstr(padded, want) != NULL;
}

static void test_not_dumpable(void **state)
{
	char err[256] = "";

	(void)state;
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
	assert_int_equal(plat_no_core_dumps(err, sizeof(err)), 0);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
}

static void test_secret_dontdump(void **state)
{
	struct secret s = {NULL, 0}, t = {NULL, 0};
	char flags[512];

	(void)state;
	/* qemu-user takes madvise() as a hint it may ignore, and does: under it (the arm64
	 * cross build's tests) VmFlags cannot show MADV_DONTDUMP */
	if (getenv("EVC_TEST_EMULATED")) {
		print_message("skipped under emulation: qemu-user ignores MADV_DONTDUMP\n");
		skip();
	}
	assert_int_equal(secret_alloc(&s, 48), 0);
	assert_non_null(s.p);
	assert_int_equal(s.len, 48);
	for (size_t i = 0; i < 48; i++)
		assert_int_equal(s.p[i], 0);
	memset(s.p, 0xa5, 48);
	assert_true(vm_flags_of(s.p, flags, sizeof(flags)));
	assert_true(has_flag(flags, "dd"));

	/* set: a copy, also excluded; the old buffer may be the source */
	assert_int_equal(secret_set(&t, "group-key", 10), 0);
	assert_string_equal((const char *)t.p, "group-key");
	assert_true(vm_flags_of(t.p, flags, sizeof(flags)));
	assert_true(has_flag(flags, "dd"));
	assert_int_equal(secret_set(&t, t.p + 6, 4), 0);
	assert_string_equal((const char *)t.p, "key");

	/* large secrets (a DH shared secret of group 16 is 512 bytes; test more) */
	assert_int_equal(secret_alloc(&s, 10000), 0);
	s.p[9999] = 1;
	assert_true(vm_flags_of(s.p + 9999, flags, sizeof(flags)));
	assert_true(has_flag(flags, "dd"));
	secret_clear(&s);
	assert_null(s.p);
	assert_int_equal(s.len, 0);
	secret_clear(&t);
	secret_clear(&t); /* twice is fine */
}

/* Callers shorten len to hide a NUL terminator (profiles/, client/); the whole allocation is
 * still wiped and released. */
static void test_secret_len_changed(void **state)
{
	struct secret s = {NULL, 0};

	(void)state;
	assert_int_equal(secret_alloc(&s, 33), 0);
	memcpy(s.p, "0123456789abcdef0123456789abcdef", 33);
	s.len = 5;
	secret_clear(&s);
	assert_null(s.p);
	/* zero-length secrets still point at usable memory */
	assert_int_equal(secret_alloc(&s, 0), 0);
	assert_non_null(s.p);
	assert_int_equal(s.p[0], 0);
	secret_clear(&s);
	assert_int_equal(secret_set(&s, NULL, 0), 0);
	assert_non_null(s.p);
	secret_clear(&s);
	assert_int_equal(secret_set(&s, NULL, 3), -EINVAL);
}

/* The wipe covers the whole allocation, also when a caller shortened len. */
static void test_secret_wiped(void **state)
{
	struct secret s = {NULL, 0};

	(void)state;
	assert_int_equal(secret_alloc(&s, 64), 0);
	memset(s.p, 0x5a, 64);
	s.len = 7;
	secret_wipe(&s);
	assert_non_null(s.p);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(s.p[i], 0);
	secret_clear(&s);
	assert_null(s.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_dumpable),
	    cmocka_unit_test(test_secret_dontdump),
	    cmocka_unit_test(test_secret_len_changed),
	    cmocka_unit_test(test_secret_wiped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
