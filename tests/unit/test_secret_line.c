/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/secret_line: the password that `evc connect` reads from its terminal inside the event
 * loop arrives in pieces; the line is complete at its newline (or CR), Ctrl-D on an empty
 * line declines, a line longer than the buffer is refused and wiped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/secret_line.h"

static void test_pieces(void **state)
{
	struct secret_line l;
	(void)state;
	assert_int_equal(secret_line_init(&l, 64), 0);
	assert_int_equal(secret_line_feed(&l, "ric", 3), 0);
	assert_string_equal(secret_line_str(&l), ""); /* nothing until the line is complete */
	assert_int_equal(secret_line_feed(&l, "", 0), 0);
	assert_int_equal(secret_line_feed(&l, "hard-pw", 7), 0);
	assert_int_equal(secret_line_feed(&l, "-1\nignored", 10), 1);
	assert_string_equal(secret_line_str(&l), "richard-pw-1");
	/* ended: later input changes nothing */
	assert_int_equal(secret_line_feed(&l, "more\n", 5), 1);
	assert_string_equal(secret_line_str(&l), "richard-pw-1");
	secret_line_clear(&l);
	assert_null(l.buf.p);
}

static void test_ends(void **state)
{
	struct secret_line l;
	(void)state;
	/* a raw terminal sends CR for Enter */
	assert_int_equal(secret_line_init(&l, 16), 0);
	assert_int_equal(secret_line_feed(&l, "pw\r\n", 4), 1);
	assert_string_equal(secret_line_str(&l), "pw");
	secret_line_clear(&l);
	/* an empty password is a line too: the gateway decides */
	assert_int_equal(secret_line_init(&l, 16), 0);
	assert_int_equal(secret_line_feed(&l, "\n", 1), 1);
	assert_string_equal(secret_line_str(&l), "");
	secret_line_clear(&l);
}

static void test_ctrl_d(void **state)
{
	struct secret_line l;
	(void)state;
	assert_int_equal(secret_line_init(&l, 16), 0);
	assert_int_equal(secret_line_feed(&l, "\x04", 1), -ECANCELED);
	assert_int_equal(secret_line_feed(&l, "pw\n", 3), -ECANCELED);
	assert_string_equal(secret_line_str(&l), "");
	secret_line_clear(&l);
	/* inside a line Ctrl-D is no end of input (as on a canonical terminal) */
	assert_int_equal(secret_line_init(&l, 16), 0);
	assert_int_equal(secret_line_feed(&l, "p\x04w\n", 4), 1);
	assert_string_equal(secret_line_str(&l), "pw");
	secret_line_clear(&l);
}

static void test_too_long(void **state)
{
	struct secret_line l;
	(void)state;
	assert_int_equal(secret_line_init(&l, 4), 0);
	assert_int_equal(secret_line_feed(&l, "abcd", 4), 0); /* exactly max fits */
	assert_int_equal(secret_line_feed(&l, "e", 1), -EMSGSIZE);
	/* what was typed is wiped, and the line never completes */
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(l.buf.p[i], 0);
	assert_int_equal(secret_line_feed(&l, "\n", 1), -EMSGSIZE);
	assert_string_equal(secret_line_str(&l), "");
	secret_line_clear(&l);
	assert_int_equal(secret_line_init(&l, 4), 0);
	assert_int_equal(secret_line_feed(&l, "abcd\n", 5), 1);
	assert_string_equal(secret_line_str(&l), "abcd");
	secret_line_clear(&l);
	/* clearing a line never initialised is fine */
	memset(&l, 0, sizeof(l));
	secret_line_clear(&l);
	assert_int_equal(secret_line_feed(&l, "x", 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pieces),
	    cmocka_unit_test(test_ends),
	    cmocka_unit_test(test_ctrl_d),
	    cmocka_unit_test(test_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
