/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hardware client's LAN that evs will not carry (it covers another client's address, or
 * overlaps another client's SA) is refused in the quick mode itself, with the reason, so
 * the client ends instead of keeping an SA pair the server never installed; a router whose
 * second LAN is refused ends as a whole and evs keeps nothing of it. Real engines against
 * the evs daemon (`nem enable`) on the in-memory network of tests/support/evs_net.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/core/daemon.h"

#include "evs_net.h"

static int setup_nem(void **state)
{
	char path[] = "/tmp/evs-nem-lans-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	bool added = false;
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0) {
			fputs(" nem enable\n", out);
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

static bool routed(const struct evs_net *n, const struct evc_net *net)
{
	int live = 0;
	for (int i = 0; i < n->routes; i++)
		if (n->route[i].addr == net->addr && n->route[i].mask == net->mask)
			live++;
	for (int i = 0; i < n->route_dels; i++)
		if (n->route_del[i].addr == net->addr && n->route_del[i].mask == net->mask)
			live--;
	return live > 0;
}

/* A LAN that covers another client's pool address: refused on the wire with the reason. */
static void test_lan_covers_another_clients_address(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *a = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(a->up);
	static const struct evc_net pool = {0x0a620000u, 0xffff0000u}; /* 10.98.0.0/16 */
	struct evs_cli *b = evs_net_client_new_lan(n, "richard", "richard-pw-1", &pool, 1);
	assert_true(evs_net_pump(n));
	assert_false(b->up);
	assert_true(b->failed);
	assert_non_null(strstr(b->why, "step 7 (quick mode): the gateway refused the quick mode "
	                               "for 10.98.0.0/16 (INVALID-ID-INFORMATION)"));
	assert_non_null(strstr(n->warnings, "covers an address assigned to another client"));
	assert_int_equal(n->child_adds, 1); /* natalie's only */
	assert_false(routed(n, &pool));
	assert_true(a->up);
}

/* Router B's second LAN overlaps router A's: B ends as a whole, A goes on untouched. */
static void test_second_lan_refused(void **state)
{
	struct evs_net *n = *state;
	static const struct evc_net lan_a = {0xc0a80a00u, 0xffffff00u}; /* 192.168.10.0/24 */
	static const struct evc_net lans_b[2] = {
	    {0xc0a81400u, 0xffffff00u},  /* 192.168.20.0/24 */
	    {0xc0a80a00u, 0xffffff80u}}; /* 192.168.10.0/25, inside A's */
	struct evs_cli *a = evs_net_client_new_lan(n, "richard", "richard-pw-1", &lan_a, 1);
	assert_true(evs_net_pump(n));
	assert_true(a->up);
	assert_true(routed(n, &lan_a));

	struct evs_cli *b = evs_net_client_new_lan(n, "natalie", "natalie-pw-2", lans_b, 2);
	assert_true(evs_net_pump(n));
	assert_true(b->failed);
	assert_non_null(strstr(b->why, "INVALID-ID-INFORMATION"));
	assert_non_null(
	    strstr(n->warnings, "overlaps the traffic selector of another client's IPsec SA"));
	assert_non_null(strstr(b->why, "the gateway refused the quick mode for 192.168.10.0/25"));
	/* evs installed B's first pair, never the second, and B's DELETEs took the first one
	 * and its route away again; A and its route are untouched */
	assert_int_equal(n->child_adds, 2);
	assert_int_equal(n->child_dels, 1);
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_false(routed(n, &lans_b[0]));
	assert_false(routed(n, &lans_b[1]));
	assert_true(routed(n, &lan_a));
	assert_false(a->failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_lan_covers_another_clients_address, setup_nem,
	                                    evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_second_lan_refused, setup_nem, evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
