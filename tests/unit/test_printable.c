/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text from the gateway (banner, XAUTH message, notify text inside log lines) reaches the
 * user's terminal only as printable text: no ESC sequences, no CR to overwrite a line, no C0
 * or C1 controls, no invalid UTF-8; the banner keeps its line breaks and tabs.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/printable.h"

static char *through(const char *in, bool multiline)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	evc_fput_printable(f, in, multiline);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void expect(const char *in, bool multiline, const char *want)
{
	char *got = through(in, multiline);
	assert_string_equal(got, want);
	free(got);
}

static void test_plain_text_unchanged(void **state)
{
	(void)state;
	expect("Welcome to quizware, authorised users only.", false,
	       "Welcome to quizware, authorised users only.");
	expect("", false, "");
	/* UTF-8 letters stay */
	expect("Willkommen, Gr\xc3\xbc\xc3\x9f"
	       "e \xe2\x82\xac",
	       false,
	       "Willkommen, Gr\xc3\xbc\xc3\x9f"
	       "e \xe2\x82\xac");
}

static void test_escapes_removed(void **state)
{
	(void)state;
	/* an ANSI sequence that would clear the screen and retitle the terminal */
	expect("hi\x1b[2J\x1b]0;owned\x07!", true, "hi?[2J?]0;owned?!");
	/* CR would let the gateway overwrite what evc printed */
	expect("password ok\rpassword WRONG", true, "password ok?password WRONG");
	/* C1 controls: CSI as one byte (invalid UTF-8) and as U+009B in UTF-8 */
	expect("a\x9b"
	       "31mb",
	       false, "a?31mb");
	expect("a\xc2\x9b"
	       "31mb",
	       false, "a?31mb");
	/* DEL, NUL is the end, backspace, bell */
	expect("x\x7fy\bz\a", true, "x?y?z?");
	/* a truncated or overlong UTF-8 sequence */
	expect("end\xe2\x82", false, "end??");
	expect("\xc0\xaf", false, "??");
}

static void test_line_breaks(void **state)
{
	(void)state;
	expect("line 1\n\tline 2\n", true, "line 1\n\tline 2\n");
	/* a log line or an XAUTH user name stays one line */
	expect("line 1\n\tline 2\n", false, "line 1  line 2 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text_unchanged),
	    cmocka_unit_test(test_escapes_removed),
	    cmocka_unit_test(test_line_breaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
