/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * XAUTH through RADIUS in the evs daemon (daemon_aaa.c), with the RADIUS client answered in
 * memory: a client's XAUTH answer waits while another client is judged and connects; the
 * Access-Accept's attributes make the first one's policy; a reject is final (no local
 * fallback); no answer falls back to `local` when it follows, else refuses with the reason;
 * an answer for a client that is gone is dropped; a RADIUS user keeps save-password and a
 * local-fallback user does not.
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

#include "server/core/daemon_aaa.h"

#include "evs_net.h"

struct fake {
	struct evs_aaa_req q[8];
	size_t n;
};
static struct fake fake;

static int ask(void *ctx, const struct evs_aaa_req *req)
{
	struct fake *f = ctx;
	assert_true(f->n < 8);
	f->q[f->n++] = *req;
	return 0;
}

/* The sample with RADIUS first (then `local` unless radius_only), save-password in the group. */
static int setup_with(void **state, bool radius_only)
{
	char path[] = "/tmp/evs-radius-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		if (strcmp(line, "aaa authentication login vpn-users local\n") == 0)
			fputs(radius_only
			          ? "aaa authentication login vpn-users group radius\n"
			          : "aaa authentication login vpn-users group radius local\n",
			      out);
		else if (strcmp(line, "aaa authorization network quizware local\n") == 0)
			fputs("aaa authorization network quizware group radius local\n"
			      "radius-server host 127.0.0.1 auth-port 1812 key s3cret\n",
			      out);
		else
			fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0)
			fputs(" save-password\n", out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	if (rc == 0) {
		memset(&fake, 0, sizeof(fake));
		evs_daemon_set_aaa(((struct evs_net *)*state)->d, ask, &fake);
	}
	return rc;
}

static int setup(void **state)
{
	return setup_with(state, false);
}

static int setup_radius_only(void **state)
{
	return setup_with(state, true);
}

static void answer(struct evs_net *n, size_t i, enum evs_aaa_outcome o,
                   const struct evs_aaa_pair *pairs, size_t n_pairs)
{
	struct evs_aaa_result *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_true(i < fake.n);
	r->ticket = fake.q[i].ticket;
	r->outcome = o;
	snprintf(r->why, sizeof(r->why), "RADIUS server 127.0.0.1:1812 (in memory): %s",
	         evs_aaa_outcome_str(o));
	if (n_pairs)
		memcpy(r->pairs, pairs, n_pairs * sizeof(*pairs));
	r->n_pairs = n_pairs;
	evs_daemon_aaa_done(n->d, r, n->now);
	free(r);
	assert_true(evs_net_pump(n));
}

static void waits_while_another_connects(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *a = evs_net_client_new(n, "alice", "alice-pw");
	assert_true(evs_net_pump(n));
	assert_int_equal(fake.n, 1);
	assert_string_equal(fake.q[0].user, "alice");
	assert_string_equal(fake.q[0].password, "alice-pw");
	assert_int_equal(fake.q[0].n_servers, 1);
	assert_int_equal(fake.q[0].servers[0].port, 1812);
	assert_int_equal(fake.q[0].nas_addr, SRV_IP);
	assert_false(a->up || a->failed || a->closed);

	struct evs_cli *b = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_int_equal(fake.n, 2);
	answer(n, 1, EVS_AAA_ACCEPT, NULL, 0);
	assert_true(b->up); /* judged and connected while alice's question is out */
	assert_false(a->up || a->failed);
	/* a RADIUS user keeps the group's save-password */
	assert_true(b->policy.save_passwd);

	struct evs_aaa_pair p[2] = {
	    {.type = 8, .is_num = true, .num = 0x0a62004d}, /* Framed-IP-Address 10.98.0.77 */
	    {.vendor = EVS_AAA_VENDOR_CISCO, .type = EVS_AAA_CISCO_AVPAIR},
	};
	snprintf(p[1].text, sizeof(p[1].text), "ipsec:default-domain=radius.example");
	answer(n, 0, EVS_AAA_ACCEPT, p, 2);
	assert_true(a->up);
	assert_int_equal(a->policy.addr, 0x0a62004d);
	assert_string_equal(a->policy.domain, "radius.example");
}

static void reject_is_final(void **state)
{
	struct evs_net *n = *state;
	/* richard is a local user, but RADIUS's reject stands */
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	answer(n, 0, EVS_AAA_REJECT, NULL, 0);
	assert_false(c->up);
	assert_true(c->closed || c->failed); /* asked again, and the client gives up */
	assert_true(c->prompts >= 2);
	assert_null(strstr(n->warnings, "checking the local user database instead"));
}

static void no_answer_falls_back_to_local(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	answer(n, 0, EVS_AAA_NO_ANSWER, NULL, 0);
	assert_true(c->up);
	assert_non_null(strstr(n->warnings, "checking the local user database instead"));
	/* save-password is for RADIUS users */
	assert_false(c->policy.save_passwd);

	/* the local database still judges the password */
	struct evs_cli *d = evs_net_client_new(n, "natalie", "wrong");
	assert_true(evs_net_pump(n));
	answer(n, 1, EVS_AAA_NO_ANSWER, NULL, 0);
	assert_false(d->up);
}

static void no_answer_without_local_refuses(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	answer(n, 0, EVS_AAA_NO_ANSWER, NULL, 0);
	assert_false(c->up);
	assert_true(c->failed);
	assert_non_null(strstr(c->why, "the gateway's RADIUS server does not answer"));
	assert_int_equal(c->prompts, 1); /* no second prompt: another password would not help */
}

static void bad_attribute_refuses(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "alice", "alice-pw");
	assert_true(evs_net_pump(n));
	struct evs_aaa_pair p = {.vendor = EVS_AAA_VENDOR_CISCO, .type = EVS_AAA_CISCO_AVPAIR};
	snprintf(p.text, sizeof(p.text), "ipsec:addr-pool=nosuch");
	answer(n, 0, EVS_AAA_ACCEPT, &p, 1);
	assert_false(c->up);
	assert_true(c->failed);
	assert_non_null(strstr(c->why, "pool nosuch (ipsec:addr-pool)"));
}

static void answer_for_a_client_gone(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "alice", "alice-pw");
	assert_true(evs_net_pump(n));
	ike_close(c->sa, n->now);
	assert_true(evs_net_pump(n));
	n->now += 120000; /* past every deadline: the daemon forgets it */
	evs_daemon_tick(n->d, n->now);
	assert_true(evs_net_pump(n));
	answer(n, 0, EVS_AAA_ACCEPT, NULL, 0);
	assert_false(c->up);
	assert_int_equal(evs_daemon_count(n->d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(waits_while_another_connects, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(reject_is_final, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(no_answer_falls_back_to_local, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(no_answer_without_local_refuses, setup_radius_only,
	                                    evs_net_teardown),
	    cmocka_unit_test_setup_teardown(bad_attribute_refuses, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(answer_for_a_client_gone, setup, evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
