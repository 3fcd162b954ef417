/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * max-logins against a user who opens a second IKE SA while the first one is held back
 * before it is established (XAUTH passed, its ACK and mode-config withheld). The second one
 * is not the phase-1 rekey of an established session, so it cannot take that session over:
 * it must count as a second login and be refused, not be let in beside the first (which the
 * client may then complete: two tunnels with max-logins 1).
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

#include "evs_net.h"
#include "ike/driver.h"
#include "ike/ike.h"
#include "server/core/daemon.h"
#include "server/core/sessions.h"

static int setup_logins(void **state)
{
	char path[] = "/tmp/evs-maxlogins-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0)
			fputs(" max-logins 1\n", out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	return rc;
}

/* Delivers everything, except what c sends once its XAUTH is over (its ACK, mode-config). */
static void pump_holding_back(struct evs_net *n, struct evs_cli *c)
{
	for (unsigned rounds = 0; n->nq && rounds < 10000; rounds++) {
		struct evs_dgram g = n->q[0];
		memmove(n->q, n->q + 1, (n->nq - 1) * sizeof(n->q[0]));
		n->nq--;
		bool held = g.to_daemon && g.from.addr == c->addr.addr && ike_sa_user(c->sa)[0];
		if (g.to_daemon && !held) {
			evs_daemon_input(n->d, 0, g.port, g.data, g.len, &g.from, n->now);
		} else if (!g.to_daemon && g.to.addr == c->addr.addr) {
			ike_input(c->sa, n->now, g.data, g.len, &g.from, &c->addr);
			ike_drive(c->sa, &evs_net_cli_ops, c);
		}
		free(g.data);
	}
	assert_int_equal(n->nq, 0);
}

/* A second client engine from c's address, without INITIAL-CONTACT (a phase-1 rekey's). */
static struct ike_sa *second_engine(struct evs_net *n, struct evs_cli *c)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = c->addr;
	cfg.peer = (struct ike_endpoint){SRV_IP, IKE_PORT};
	cfg.group = "quizware";
	cfg.psk = (const uint8_t *)"groupsecret";
	cfg.psk_len = strlen("groupsecret");
	cfg.dh_group = 2;
	cfg.p1_rekey = true;
	struct ike_sa *first = c->sa;
	c->sa = ike_sa_new(&cfg, n->now, &why);
	assert_non_null(c->sa);
	c->up = false;
	ike_start(c->sa, n->now);
	ike_drive(c->sa, &evs_net_cli_ops, c);
	return first;
}

static void test_second_login_beside_unestablished_one(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	pump_holding_back(n, c);
	assert_string_equal(ike_sa_user(c->sa), "richard"); /* XAUTH passed */
	assert_false(c->up);
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);

	n->now += 1000;
	struct ike_sa *first = second_engine(n, c);
	assert_true(evs_net_pump(n));
	/* refused for max-logins, not let in as a "rekey" of a session that has no tunnel */
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);
	assert_true(c->failed);
	assert_non_null(strstr(c->why, "max-logins"));
	ike_sa_free(first);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_second_login_beside_unestablished_one,
	                                    setup_logins, evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
