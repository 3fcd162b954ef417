/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evs daemon (server/core/daemon.c) with no socket, no TUN device and no root: real
 * client engines, driven through ike_drive like evc drives its own, connect to a daemon made
 * from the sample configuration server/evs.conf, through an in-memory network that stands in
 * for the daemon's I/O. Whole handshakes, many clients at once, the control commands, the
 * half-open timeout, DELETEs at stop, and garbage that must not make an SA.
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

#include "ike/driver.h"
#include "server/core/config.h"
#include "server/core/daemon.h"

#include "evs_net.h"

static int setup(void **state)
{
	return evs_net_setup_conf(state, EVC_SOURCE_DIR "/server/evs.conf");
}

/* The sample configuration with `nem enable` in group quizware. */
static int setup_nem(void **state)
{
	char path[] = "/tmp/evs-nem-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0)
			fputs(" nem enable\n", out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	return rc;
}

/* One client through aggressive mode, XAUTH, mode-config and quick mode, then a DELETE. */
static void test_handshake(void **state)
{
	struct evs_net *n = *state;
	char out[4096];
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_false(c->failed);
	assert_int_equal(evs_daemon_count(n->d), 1);
	/* the daemon installed the mirror image of the client's ESP SA pair */
	assert_int_equal(n->child_adds, 1);
	assert_int_equal(n->child_spi[0], c->child.spi_out);
	/* an address from quizware-pool, and a reverse route to it (the sample has reverse-route)
	 */
	assert_true(c->policy.have & EVC_HAVE_ADDR);
	assert_int_equal(c->policy.addr, 0x0a62000a);
	assert_int_equal(n->routes, 1);
	assert_int_equal(n->route_addr[0], 0x0a62000a);
	size_t len = evs_daemon_control(n->d, "show crypto session summary", out, sizeof(out));
	assert_true(len > 0 && len < sizeof(out));
	assert_non_null(strstr(out, "richard"));
	len = evs_daemon_control(n->d, "show me everything", out, sizeof(out));
	assert_non_null(strstr(out, "Invalid input"));

	ike_close(c->sa, n->now);
	ike_drive(c->sa, &evs_net_cli_ops, c);
	assert_true(evs_net_pump(n));
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->child_dels, 1);
	assert_int_equal(n->route_dels, 1);
	len = evs_daemon_control(n->d, "show crypto session summary", out, sizeof(out));
	assert_null(strstr(out, "richard"));
}

static const struct evc_net lans[2] = {{0xc0a80a00u, 0xffffff00u},  /* 192.168.10.0/24 */
                                       {0xc0a81400u, 0xfffffe00u}}; /* 192.168.20.0/23 */

/* A hardware client in network-extension mode whose group allows it (`nem enable`): one
 * ESP SA pair per LAN, and a reverse route to each LAN (not to the pool address) that goes
 * when the pair goes. */
static void test_nem_lans(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new_lan(n, "richard", "richard-pw-1", lans, 2);
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_false(c->failed);
	assert_int_equal(n->child_adds, 2);
	assert_int_equal(n->routes, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(n->route[i].addr, lans[i].addr);
		assert_int_equal(n->route[i].mask, lans[i].mask);
	}
	/* the second LAN's pair is the last one up on the client */
	assert_int_equal(c->child.local_ts.addr, lans[1].addr);
	assert_int_equal(c->child.local_ts.mask, lans[1].mask);

	ike_close(c->sa, n->now);
	ike_drive(c->sa, &evs_net_cli_ops, c);
	assert_true(evs_net_pump(n));
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->child_dels, 2);
	assert_int_equal(n->route_dels, 2);
	for (size_t i = 0; i < 2; i++) {
		bool found = false;
		for (size_t k = 0; k < 2; k++)
			found |= n->route_del[k].addr == lans[i].addr &&
			         n->route_del[k].mask == lans[i].mask;
		assert_true(found);
	}
}

/* Both LAN pairs live past their lifetime (3600 s in the sample): each is rekeyed under the
 * same IKE SA by whichever side comes first, the new pair finds its LAN's route in place,
 * and the old pairs go without taking the routes with them. */
static void test_nem_rekey(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new_lan(n, "richard", "richard-pw-1", lans, 2);
	assert_true(evs_net_pump(n));
	assert_int_equal(n->child_adds, 2);
	for (int s = 0; s < 3700 && !c->failed && !c->closed; s += 5) {
		n->now += 5000;
		ike_tick(c->sa, n->now);
		ike_drive(c->sa, &evs_net_cli_ops, c);
		evs_daemon_tick(n->d, n->now);
		assert_true(evs_net_pump(n));
	}
	assert_false(c->failed);
	assert_false(c->closed);
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_int_equal(n->child_adds, 4);
	assert_int_equal(n->child_dels, 2);
	assert_int_equal(n->routes, 2);
	assert_int_equal(n->route_dels, 0);
}

/* The same client in a group without `nem enable`: refused, with the reason, and nothing
 * installed or routed. */
static void test_nem_refused(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new_lan(n, "richard", "richard-pw-1", lans, 1);
	assert_true(evs_net_pump(n));
	assert_false(c->up);
	assert_int_equal(n->child_adds, 0);
	assert_int_equal(n->routes, 0);
	assert_non_null(strstr(n->warnings, "192.168.10.0/255.255.255.0"));
	assert_non_null(strstr(n->warnings, "does not allow network extension ('nem enable')"));
}

/* With `nem enable`, a client still may not claim 0.0.0.0/0 or a network with host bits,
 * nor a LAN that covers another client's pool address. */
static void test_nem_bad_lans(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *a = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(a->up);
	static const struct evc_net all = {0, 0}, hostbits = {0xc0a80a01u, 0xffffff00u},
	                            pool = {0x0a620000u, 0xffff0000u}; /* 10.98.0.0/16 */
	struct evs_cli *b = evs_net_client_new_lan(n, "richard", "richard-pw-1", &all, 1);
	assert_true(evs_net_pump(n));
	assert_false(b->up);
	assert_non_null(strstr(n->warnings, "not 0.0.0.0/0"));
	struct evs_cli *c = evs_net_client_new_lan(n, "richard", "richard-pw-1", &hostbits, 1);
	assert_true(evs_net_pump(n));
	assert_false(c->up);
	struct evs_cli *d = evs_net_client_new_lan(n, "richard", "richard-pw-1", &pool, 1);
	assert_true(evs_net_pump(n));
	assert_int_equal(n->child_adds, 1); /* only natalie's */
	assert_int_equal(n->routes, 1);
	assert_non_null(strstr(n->warnings, "covers an address assigned to another client"));
	(void)d;
}

/* Many clients in parallel, their messages interleaved: each finds its own SA. */
static void test_many_clients(void **state)
{
	struct evs_net *n = *state;
	const size_t count = 40;
	for (size_t i = 0; i < count; i++)
		evs_net_client_new(n, i % 2 ? "natalie" : "richard",
		                   i % 2 ? "natalie-pw-2" : "richard-pw-1");
	assert_true(evs_net_pump(n));
	for (size_t i = 0; i < count; i++) {
		assert_true(n->cli[i].up);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(n->cli[i].policy.addr, n->cli[j].policy.addr);
	}
	assert_int_equal(evs_daemon_count(n->d), count);
	assert_int_equal(n->child_adds, (int)count);
	/* stopping says DELETE to every client and forgets every SA */
	evs_daemon_stop(n->d, n->now);
	assert_true(evs_net_pump(n));
	for (size_t i = 0; i < count; i++)
		assert_true(n->cli[i].closed);
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->child_dels, (int)count);
	/* and admits nobody new */
	evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_int_equal(evs_daemon_count(n->d), 0);
}

/* A wrong password: the client is told, no ESP SA and no route appear. */
static void test_bad_password(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "wrong");
	assert_true(evs_net_pump(n));
	/* the daemon makes a rejected client wait before it answers */
	for (int i = 0; i < 20 && !c->closed && !c->failed; i++) {
		n->now = evs_daemon_next_timeout(n->d) < UINT64_MAX ? evs_daemon_next_timeout(n->d)
		                                                    : n->now + 1000;
		evs_daemon_tick(n->d, n->now);
		assert_true(evs_net_pump(n));
	}
	assert_true(c->closed || c->failed);
	assert_false(c->up);
	assert_int_equal(n->child_adds, 0);
	assert_int_equal(n->routes, 0);
}

/* A client that sends its first message and is never heard again: its half-open SA has a
 * deadline, and ticking past it ends the SA. */
static void test_half_open_expires(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_int_equal(n->nq, 1);
	struct evs_dgram g = n->q[0];
	n->nq = 0;
	evs_daemon_input(n->d, 0, g.port, g.data, g.len, &g.from, n->now);
	free(g.data);
	assert_int_equal(evs_daemon_count(n->d), 1);
	/* its retransmissions find the same SA */
	ike_tick(c->sa, n->now + 1500);
	ike_drive(c->sa, &evs_net_cli_ops, c);
	for (size_t i = 0; i < n->nq; i++)
		if (n->q[i].to_daemon)
			evs_daemon_input(n->d, 0, n->q[i].port, n->q[i].data, n->q[i].len,
			                 &n->q[i].from, n->now);
	assert_int_equal(evs_daemon_count(n->d), 1);
	uint64_t t = evs_daemon_next_timeout(n->d);
	assert_true(t > n->now && t < n->now + 10 * 60 * 1000);
	for (int i = 0; i < 100 && evs_daemon_count(n->d); i++) {
		t = evs_daemon_next_timeout(n->d);
		assert_true(t < UINT64_MAX);
		n->now = t > n->now ? t : n->now + 1;
		evs_daemon_tick(n->d, n->now);
	}
	assert_int_equal(evs_daemon_count(n->d), 0);
}

/* Datagrams that are not the start of a connection make no SA. */
static void test_garbage(void **state)
{
	struct evs_net *n = *state;
	uint8_t junk[300];
	struct ike_endpoint from = {CLI_IP + 99, 500};
	for (size_t len = 0; len < sizeof(junk); len += 7) {
		for (size_t i = 0; i < len; i++)
			junk[i] = (uint8_t)(i * 131 + len);
		evs_daemon_input(n->d, 0, IKE_PORT, junk, len, &from, n->now);
	}
	evs_daemon_input(n->d, 5, IKE_PORT, junk, sizeof(junk), &from, n->now); /* no listener 5 */
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->daemon_sends, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_handshake, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_many_clients, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_bad_password, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_half_open_expires, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_garbage, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_nem_lans, setup_nem, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_nem_rekey, setup_nem, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_nem_refused, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_nem_bad_lans, setup_nem, evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
