/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs's daemon answering main mode with a pre-shared key (tests/support/evs_net.c): the key
 * comes from `crypto isakmp key ... address` for the client's address, the session's group is
 * the one with the same key (its mode-config policy reaches the client), and a client whose
 * address has no key gets NO-PROPOSAL-CHOSEN with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/core/config.h"

#include "evs_net.h"

/* The sample configuration with `add` after its isakmp timers. */
static int setup_with(void **state, const char *add)
{
	char path[] = "/tmp/evs-mm-psk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	bool added = false;
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, "crypto isakmp nat keepalive 20\n") == 0) {
			fputs(add, out);
			added = true;
		}
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_true(added);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	return rc;
}

/* the second client of the net, 203.0.113.2, has a key; the first, 203.0.113.1, none */
static int setup_second(void **state)
{
	return setup_with(state, "crypto isakmp key groupsecret address 203.0.113.2\n");
}

static int setup_wildcard(void **state)
{
	return setup_with(state, "crypto isakmp key groupsecret address 0.0.0.0 0.0.0.0\n");
}

static void keyed_by_address(void **state)
{
	struct evs_net *n = *state;
	n->cli_main = true;
	struct evs_cli *a = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_false(a->up);
	assert_true(a->failed);
	assert_non_null(strstr(a->why, "NO-PROPOSAL-CHOSEN"));

	struct evs_cli *b = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	if (!b->up)
		print_message("why: %s\nwarnings: %s\n", b->why, n->warnings);
	assert_true(b->up);
	/* group quizware's mode-config: its domain and an address of its pool */
	assert_true(b->policy.have & EVC_HAVE_DOMAIN);
	assert_string_equal(b->policy.domain, "quizware.com");
	assert_int_equal(b->policy.addr & 0xffffff00u, 0x0a620000u); /* 10.98.0.0/24 */
}

static void wildcard_and_aggressive(void **state)
{
	struct evs_net *n = *state;
	n->cli_main = true;
	struct evs_cli *a = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(a->up);
	/* aggressive mode with the group key goes on as before */
	n->cli_main = false;
	struct evs_cli *b = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(b->up);
	assert_int_not_equal(a->policy.addr, b->policy.addr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(keyed_by_address, setup_second, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(wildcard_and_aggressive, setup_wildcard,
	                                    evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
