/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Phase-1 rekey and INITIAL-CONTACT, in memory. The engine: the phase-1 lifetime comes from
 * the gateway's RESPONDER-LIFETIME when it is shorter; the client asks for a rekey at its soft
 * mark; a new IKE SA (no INITIAL-CONTACT) takes over the ESP SA pairs on both sides without
 * any of them going down, the old IKE SA is deleted alone, and the pairs are rekeyed later
 * under the new one. The daemon: a second IKE SA of the same user from the same address is a
 * rekey, not a second login (max-logins 1), and the DELETE of the old one leaves the ESP SAs;
 * a fresh client with INITIAL-CONTACT ends the stale session of a client that died.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "evs_net.h"
#include "ike/driver.h"
#include "ike/ike.h"
#include "server/core/daemon.h"
#include "server/core/sessions.h"

/* ---- the engine, through the rig ---- */

static struct ike_sa *new_rekey_client(const struct rig *r, bool p1_rekey)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = (struct ike_endpoint){RIG_CLIENT_IP, IKE_PORT};
	cfg.peer = (struct ike_endpoint){RIG_SERVER_IP, IKE_PORT};
	cfg.group = r->group;
	cfg.psk = (const uint8_t *)r->psk;
	cfg.psk_len = strlen(r->psk);
	cfg.username = r->user;
	cfg.dh_group = 2;
	cfg.dpd_idle_s = 10;
	cfg.p1_rekey = p1_rekey;
	struct ike_sa *sa = ike_sa_new(&cfg, r->now, &why);
	assert_non_null(sa);
	return sa;
}

/* Counts what one SA reports, and hands its datagrams to `to` (NULL: lost). */
struct tally {
	int sends, downs, ups, closed, failed, rekeys;
};

static void drain_to(struct ike_sa *sa, struct ike_sa *to, uint64_t now, struct tally *t,
                     uint32_t from_addr)
{
	struct ike_action a;
	while (ike_next_action(sa, &a)) {
		switch (a.type) {
		case IKE_ACT_SEND:
			t->sends++;
			if (to) {
				uint8_t buf[RIG_MAX_MSG];
				memcpy(buf, a.u.send.data, a.u.send.len);
				struct ike_endpoint from = {from_addr, a.u.send.from_port};
				struct ike_endpoint dst = a.u.send.to;
				ike_input(to, now, buf, a.u.send.len, &from, &dst);
			}
			break;
		case IKE_ACT_CHILD_DOWN:
			t->downs++;
			break;
		case IKE_ACT_CHILD_UP:
			t->ups++;
			break;
		case IKE_ACT_CLOSED:
			t->closed++;
			break;
		case IKE_ACT_FAILED:
			t->failed++;
			break;
		case IKE_ACT_P1_REKEY:
			t->rekeys++;
			break;
		default:
			break;
		}
	}
}

static int64_t p1_left(const struct ike_sa *sa, uint64_t now)
{
	struct ike_p1_prop p;
	int64_t left = -2;
	assert_true(ike_sa_p1_chosen(sa, now, &p, &left));
	return left;
}

/* The client proposes no lifetime, or a longer one than the gateway's policy: the gateway
 * says RESPONDER-LIFETIME in AM2 and both sides end the IKE SA at the same time. Without a
 * lifetime on either side there is none. */
static void test_responder_lifetime(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 600;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_int_equal(p1_left(r.s.sa, r.now), 600);
	assert_int_equal(p1_left(r.c.sa, r.now), 600);
	assert_true(rig_logged(&r.c, "RESPONDER-LIFETIME sets the IKE SA's lifetime to 600 s"));
	rig_free(&r);

	/* a client proposing a day still gets the gateway's 600 s */
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 600;
	size_t n = ike_default_p1(2, r.cli_p1, 64);
	for (size_t i = 0; i < n; i++)
		r.cli_p1[i].life_s = 86400;
	r.n_cli_p1 = n;
	assert_true(rig_start(&r));
	assert_int_equal(p1_left(r.c.sa, r.now), 600);
	rig_free(&r);

	/* an absurdly short one is raised to 10 s on both sides, with a warning */
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 3;
	assert_true(rig_start(&r));
	assert_int_equal(p1_left(r.c.sa, r.now), 10);
	assert_int_equal(p1_left(r.s.sa, r.now), 10);
	assert_true(rig_logged(&r.c, "IKE SA lifetime of 3 s raised to 10 s"));
	rig_free(&r);

	/* no lifetime anywhere: no notify, no end */
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 0;
	assert_true(rig_start(&r));
	assert_int_equal(p1_left(r.c.sa, r.now), -1);
	assert_false(rig_logged(&r.c, "RESPONDER-LIFETIME"));
	rig_free(&r);
}

/*
 * The whole handover in the engine: at its soft mark (85-90% of 600 s) the client asks for a
 * rekey; a new client SA with p1_rekey runs aggressive mode and XAUTH against a new server
 * SA, without INITIAL-CONTACT and without mode-config or quick mode; both sides take over
 * the pair; the old client SA sends one DELETE (the IKE SA's) and the old server SA closes on
 * it; no pair ever goes down. Later the pair is rekeyed by quick mode under the new SAs.
 */
static void test_engine_handover(void **state)
{
	(void)state;
	struct rig r;
	struct ike_child_status st[16];
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 600;
	r.passwords[0] = "richard-pw-1";
	r.passwords[1] = "richard-pw-1";
	r.n_passwords = 2;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_true(ike_sa_initial_contact(r.s.sa)); /* a fresh connect sends it */
	uint32_t spi_in = r.c.child.spi_in, spi_out = r.c.child.spi_out;

	/* nothing before 85% of the lifetime; the request by 90% */
	struct tally oc = {0}, os = {0};
	uint64_t t0 = r.now;
	r.now = t0 + 509000;
	ike_tick(r.c.sa, r.now);
	drain_to(r.c.sa, NULL, r.now, &oc, RIG_CLIENT_IP);
	assert_int_equal(oc.rekeys, 0);
	r.now = t0 + 541000;
	ike_tick(r.c.sa, r.now);
	drain_to(r.c.sa, NULL, r.now, &oc, RIG_CLIENT_IP);
	assert_int_equal(oc.rekeys, 1);
	ike_tick(r.c.sa, r.now + 1000);
	drain_to(r.c.sa, NULL, r.now, &oc, RIG_CLIENT_IP);
	assert_int_equal(oc.rekeys, 1); /* asked once */

	/* the new pair of IKE SAs: the rig carries it, the old ones are set aside */
	struct ike_sa *old_c = r.c.sa, *old_s = r.s.sa;
	int verifies = r.s.verifies;
	memset(&r.c, 0, sizeof(r.c));
	memset(&r.s, 0, sizeof(r.s));
	r.c.sa = new_rekey_client(&r, true);
	ike_start(r.c.sa, r.now);
	assert_true(rig_pump(&r));
	assert_non_null(r.s.sa);
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_true(r.s.verifies >= 1 || verifies >= 1);
	assert_int_equal(r.c.answers, 1); /* re-authenticated with XAUTH */
	assert_false(ike_sa_initial_contact(r.s.sa));
	assert_int_equal(r.c.policies, 0);    /* no mode-config */
	assert_int_equal(r.c.children_up, 0); /* no quick mode of its own */
	assert_true(ike_sa_handover_ready(r.c.sa));
	assert_true(ike_sa_handover_ready(r.s.sa));
	assert_false(ike_sa_established(r.c.sa));

	const char *why = NULL;
	/* a client SA that was not started for a rekey cannot take over */
	struct ike_sa *stranger = new_rekey_client(&r, false);
	assert_int_equal(ike_sa_take_over(stranger, old_c, r.now, &why), -22);
	assert_non_null(why);
	ike_sa_free(stranger);

	assert_int_equal(ike_sa_take_over(r.s.sa, old_s, r.now, &why), 0);
	assert_int_equal(ike_sa_take_over(r.c.sa, old_c, r.now, &why), 0);
	assert_true(ike_sa_established(r.c.sa));
	assert_int_equal(ike_sa_child_status(r.c.sa, r.now, st, 16), 1);
	assert_int_equal(st[0].spi_in, spi_in);
	assert_int_equal(st[0].spi_out, spi_out);
	assert_int_equal(ike_sa_child_status(r.s.sa, r.now, st, 16), 1);
	assert_int_equal(st[0].spi_out, spi_in);
	assert_int_equal(ike_sa_child_status(old_c, r.now, st, 16), 0);
	assert_int_equal(ike_sa_child_status(old_s, r.now, st, 16), 0);
	/* taken over once only */
	assert_int_not_equal(ike_sa_take_over(r.c.sa, old_c, r.now, &why), 0);
	assert_true(rig_pump(&r));

	/* the old client SA deletes itself, and only itself */
	memset(&oc, 0, sizeof(oc));
	ike_close(old_c, r.now);
	drain_to(old_c, old_s, r.now, &oc, RIG_CLIENT_IP);
	assert_int_equal(oc.sends, 1);
	assert_int_equal(oc.downs, 0);
	assert_int_equal(oc.closed, 1);
	drain_to(old_s, NULL, r.now, &os, RIG_SERVER_IP);
	assert_int_equal(os.closed, 1);
	assert_int_equal(os.downs, 0);
	ike_sa_free(old_c);
	ike_sa_free(old_s);
	assert_int_equal(r.c.children_down, 0);
	assert_int_equal(r.s.children_down, 0);

	/* the pair's own lifetime (3600 s in the rig) still rekeys it, under the new SAs; the
	 * new IKE SA asks for its own phase-1 rekey in turn */
	rig_run_timers(&r, r.now + 600000);
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_true(rig_logged(&r.c, "starting a new one"));
	rig_free(&r);
}

/* Before its XAUTH succeeded a new IKE SA takes over nothing: here the user has not answered
 * the prompt yet, so neither the client's nor the server's new SA is ready. */
static void test_not_ready_before_xauth(void **state)
{
	(void)state;
	struct rig r;
	const char *why = NULL;
	rig_init(&r);
	r.dh = 2;
	r.passwords[0] = "richard-pw-1";
	r.n_passwords = 1;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	struct ike_sa *old_c = r.c.sa, *old_s = r.s.sa;
	memset(&r.c, 0, sizeof(r.c));
	memset(&r.s, 0, sizeof(r.s));
	r.c.sa = new_rekey_client(&r, true);
	ike_start(r.c.sa, r.now);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.prompts, 1); /* asked, no answer left */
	assert_true(ike_sa_authenticated(r.s.sa));
	assert_false(ike_sa_handover_ready(r.c.sa));
	assert_false(ike_sa_handover_ready(r.s.sa));
	assert_int_equal(ike_sa_take_over(r.s.sa, old_s, r.now, &why), -22);
	assert_int_equal(ike_sa_take_over(r.c.sa, old_c, r.now, &why), -22);
	assert_int_equal(ike_sa_child_status(old_s, r.now, NULL, 0), 1);
	ike_sa_free(old_c);
	ike_sa_free(old_s);
	rig_free(&r);
}

/* A rekey that failed is asked for again 10 s later, as long as that leaves 5 s before the
 * IKE SA ends; never by the responder. */
static void test_rekey_retry(void **state)
{
	(void)state;
	struct rig r;
	struct tally t = {0};
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 600;
	assert_true(rig_start(&r));
	uint64_t t0 = r.now;
	assert_false(ike_sa_p1_rekey_retry(r.s.sa, r.now));
	r.now = t0 + 541000;
	ike_tick(r.c.sa, r.now);
	drain_to(r.c.sa, NULL, r.now, &t, RIG_CLIENT_IP);
	assert_int_equal(t.rekeys, 1);
	assert_true(ike_sa_p1_rekey_retry(r.c.sa, r.now));
	assert_true(ike_next_timeout(r.c.sa) <= r.now + 10000);
	ike_tick(r.c.sa, r.now + 9999);
	drain_to(r.c.sa, NULL, r.now, &t, RIG_CLIENT_IP);
	assert_int_equal(t.rekeys, 1);
	r.now += 10000;
	ike_tick(r.c.sa, r.now);
	drain_to(r.c.sa, NULL, r.now, &t, RIG_CLIENT_IP);
	assert_int_equal(t.rekeys, 2);
	/* 585 s into 600: a retry at 595 s would leave no time */
	r.now = t0 + 585000;
	assert_false(ike_sa_p1_rekey_retry(r.c.sa, r.now));
	rig_free(&r);
}

/* The old IKE SA reaching its lifetime before any rekey finished ends the tunnel as before:
 * every pair goes down with a DELETE, and the client is closed. */
static void test_no_rekey_ends_at_lifetime(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 2;
	r.srv_p1[0].life_s = 600;
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 601000);
	assert_true(r.c.closed || r.c.failed);
	assert_true(r.c.children_down >= 1);
	rig_free(&r);
}

/* ---- the daemon, through the in-memory network ---- */

static int setup_logins(void **state)
{
	char path[] = "/tmp/evs-p1rekey-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0)
			fputs(" max-logins 1\n save-password\n", out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	return rc;
}

/* A new client engine on the same address as c (same struct: the network delivers there),
 * the old one returned. */
static struct ike_sa *swap_engine_port(struct evs_net *n, struct evs_cli *c, bool p1_rekey,
                                       uint16_t port)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = c->addr;
	cfg.local.port = port;
	cfg.peer = (struct ike_endpoint){SRV_IP, IKE_PORT};
	cfg.group = "quizware";
	cfg.psk = (const uint8_t *)"groupsecret";
	cfg.psk_len = strlen("groupsecret");
	cfg.dh_group = 2;
	cfg.p1_rekey = p1_rekey;
	struct ike_sa *old = c->sa;
	c->sa = ike_sa_new(&cfg, n->now, &why);
	assert_non_null(c->sa);
	c->up = false;
	ike_start(c->sa, n->now);
	ike_drive(c->sa, &evs_net_cli_ops, c);
	return old;
}

static struct ike_sa *swap_engine(struct evs_net *n, struct evs_cli *c, bool p1_rekey)
{
	return swap_engine_port(n, c, p1_rekey, c->addr.port);
}

static int installed(const struct evs_net *n)
{
	int k = 0;
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		k += n->child_spi[i] != 0;
	return k;
}

/* With max-logins 1, the client's second IKE SA is the rekey of its session, not a second
 * login; the daemon moves the ESP SA and the session to it, and the DELETE of the old IKE SA
 * takes nothing with it. */
static void test_daemon_rekey_not_a_second_login(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_int_equal(n->child_adds, 1);
	uint32_t spi = c->child.spi_in;

	n->now += 1000;
	struct ike_sa *old = swap_engine(n, c, true);
	assert_true(evs_net_pump(n));
	assert_false(c->failed);
	assert_true(ike_sa_handover_ready(c->sa));
	assert_int_equal(evs_daemon_count(n->d), 2);
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);
	assert_null(strstr(n->warnings, "max-logins"));

	const char *why = NULL;
	assert_int_equal(ike_sa_take_over(c->sa, old, n->now, &why), 0);
	ike_close(old, n->now);
	ike_drive(old, &evs_net_cli_ops, c);
	ike_sa_free(old);
	assert_true(c->closed); /* the old engine's CLOSED, reported through c */
	c->closed = false;
	assert_true(evs_net_pump(n));
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_int_equal(n->child_dels, 0);
	assert_int_equal(installed(n), 1);
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);

	/* the pair lives on under the new IKE SAs: its lifetime (3600 s) rekeys it there */
	for (int s = 0; s < 3700 && !c->failed && !c->closed; s += 5) {
		n->now += 5000;
		ike_tick(c->sa, n->now);
		ike_drive(c->sa, &evs_net_cli_ops, c);
		evs_daemon_tick(n->d, n->now);
		assert_true(evs_net_pump(n));
	}
	assert_false(c->failed);
	assert_false(c->closed);
	assert_int_not_equal(c->child.spi_in, spi);
	assert_int_equal(n->child_adds, 2);
	assert_int_equal(evs_daemon_count(n->d), 1);
}

/* A client killed without a word, and a new one from the same address with INITIAL-CONTACT:
 * with max-logins 1 it is let in, and the stale session goes at once with its ESP SA. */
static void test_daemon_initial_contact(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_int_equal(installed(n), 1);

	n->now += 1000;
	struct ike_sa *dead = swap_engine(n, c, false);
	ike_sa_free(dead); /* SIGKILL: no DELETE */
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_false(c->failed);
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_int_equal(n->child_dels, 1);
	assert_int_equal(installed(n), 1);
	assert_null(strstr(n->warnings, "max-logins"));
}

/* A second IKE SA of the same user from the same address but another port (another device
 * behind the same NAT) without INITIAL-CONTACT is not a rekey of the first: a second login,
 * refused with max-logins 1, and the first keeps its ESP SA. (With INITIAL-CONTACT, a fresh
 * connect, the older session of that user and address ends: test_daemon_initial_contact.) */
static void test_daemon_other_port_is_second_login(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	n->now += 1000;
	struct ike_sa *first = swap_engine_port(n, c, true, 4501);
	assert_true(evs_net_pump(n));
	assert_false(ike_sa_handover_ready(c->sa));
	assert_non_null(strstr(n->warnings, "max-logins"));
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);
	assert_int_equal(n->child_dels, 0);
	assert_int_equal(installed(n), 1);
	ike_sa_free(first);
}

/* Without INITIAL-CONTACT and with the old IKE SA alive, a rekey's XAUTH with a wrong
 * password is refused and the old session stays as it was. */
static void test_daemon_rekey_wrong_password(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	c->password = "wrong";
	n->now += 1000;
	struct ike_sa *old = swap_engine(n, c, true);
	assert_true(evs_net_pump(n));
	assert_false(ike_sa_handover_ready(c->sa));
	assert_int_equal(evs_sessions_count(evs_daemon_sessions(n->d)), 1);
	assert_int_equal(n->child_dels, 0);
	assert_int_equal(installed(n), 1);
	ike_sa_free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_responder_lifetime),
	    cmocka_unit_test(test_engine_handover),
	    cmocka_unit_test(test_no_rekey_ends_at_lifetime),
	    cmocka_unit_test(test_rekey_retry),
	    cmocka_unit_test(test_not_ready_before_xauth),
	    cmocka_unit_test_setup_teardown(test_daemon_rekey_not_a_second_login, setup_logins,
	                                    evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_initial_contact, setup_logins,
	                                    evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_rekey_wrong_password, setup_logins,
	                                    evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_other_port_is_second_login, setup_logins,
	                                    evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
