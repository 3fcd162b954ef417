/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hybrid authentication on the gateway: the client proves the key of the group it names
 * (Cisco's PRESHARED_KEY_HASH notify, 40503) in AM3 or MM5, when that group has a key. Both
 * roles back to back in the engine rig, as in test_hybrid.c (which this continues: that file
 * is full).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "lib/crypto.h"
#include "lib/x509.h"

/* 2027-01-01: inside the s3 certificates' validity, whatever the machine's clock says */
#define TEST_WALL 1798761600
#define PKI EVC_VECTORS_DIR "/s3-strongswan-main-rsa-xauth/pki"

struct pki {
	struct x509_cred *srv;
	struct x509_trust *trust;
};

/* The rig of test_hybrid.c: an rsa-sig policy and the certificate on the server, XAUTH
 * users; the client with the CA and the group's key. */
static void rig_hybrid(struct rig *r, struct pki *k, bool main_mode)
{
	char err[512];
	if (x509_cred_load(PKI "/server.pem", PKI "/server.key", &k->srv, err, sizeof(err)) ||
	    x509_trust_load(PKI "/ca.pem", &k->trust, err, sizeof(err)))
		fail_msg("%s", err);
	rig_init(r);
	r->srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 86400};
	r->n_srv_p1 = 1;
	r->dh = 14;
	r->hybrid = true;
	r->psk = r->srv.psk;
	r->psk_main = main_mode;
	r->cli_trust = k->trust;
	r->srv_cert = k->srv;
	r->srv_trust = k->trust;
	r->wall = TEST_WALL;
}

static void finish(struct rig *r, struct pki *k)
{
	rig_free(r);
	x509_cred_free(k->srv);
	x509_trust_free(k->trust);
}

/* Nothing of the tunnel on either side: no address assigned, no ESP SA. */
static void assert_nothing_given(const struct rig *r)
{
	assert_int_equal(r->srv.assigned, 0);
	assert_int_equal(r->s.children_up, 0);
	assert_int_equal(r->c.children_up, 0);
	assert_int_equal(r->c.policies, 0);
}

/*
 * A hybrid client must prove the key of the group it names (PRESHARED_KEY_HASH): else any
 * user with XAUTH credentials takes any group's policy. Without the notify, with a wrong
 * key, or naming another group with the key of its own, phase 1 fails on the gateway before
 * XAUTH is asked, and nothing is given.
 */
static void group_key_refused(bool main_mode, const char *srv_group, const char *srv_key,
                              const char *cli_key)
{
	struct rig r;
	struct pki k;
	char want[128];
	rig_hybrid(&r, &k, main_mode);
	r.group = srv_group;
	r.srv.group = srv_group;
	r.srv.psk = srv_key;
	r.psk = cli_key;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	snprintf(want, sizeof(want), "did not prove the group key of group %s", srv_group);
	assert_true(rig_logged(&r.s, want));
	assert_int_equal(r.c.prompts, 0);
	assert_int_equal(r.c.answers, 0);
	assert_nothing_given(&r);
	/* the gateway's refusal comes in the clear (in aggressive mode after the client took
	 * phase 1 as done: not believed then), and the client's last word names it and the
	 * group key instead of "no answer" */
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "AUTHENTICATION-FAILED"));
	assert_non_null(strstr(r.c.fail_text, "group key"));
	if (!main_mode)
		assert_non_null(strstr(r.c.fail_text, "unauthenticated"));
	finish(&r, &k);
}

static void test_group_key_missing(void **state)
{
	(void)state;
	group_key_refused(false, "quizware", "groupsecret", "");
	group_key_refused(true, "quizware", "groupsecret", "");
}

static void test_group_key_wrong(void **state)
{
	(void)state;
	group_key_refused(false, "quizware", "groupsecret", "groupsecreT");
	group_key_refused(true, "quizware", "groupsecret", "groupsecreT");
}

/* richard knows the key of his group (groupsecret) and names group admins, whose key is
 * another: he does not get in */
static void test_other_group(void **state)
{
	(void)state;
	group_key_refused(false, "admins", "adminsecret", "groupsecret");
	group_key_refused(true, "admins", "adminsecret", "groupsecret");
}

/* The right key in main mode too (aggressive mode: test_am_connect), proven in MM5. */
static void test_group_key_right(void **state)
{
	struct rig r;
	struct pki k;
	(void)state;
	for (int mm = 0; mm < 2; mm++) {
		rig_hybrid(&r, &k, mm);
		r.srv.psk = "another key";
		r.psk = "another key";
		assert_true(rig_start(&r));
		assert_false(r.s.failed);
		assert_int_equal(r.c.answers, 1);
		assert_int_equal(r.c.policy.addr, RIG_POOL_ADDR);
		finish(&r, &k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_group_key_missing),
	    cmocka_unit_test(test_group_key_wrong),
	    cmocka_unit_test(test_other_group),
	    cmocka_unit_test(test_group_key_right),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
