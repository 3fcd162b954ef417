/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hybrid client must check the gateway's signature before XAUTH, whatever proposals it was
 * given. A profile's `ike` lines carry its own auth method (pre-shared key unless it says
 * hybrid), and --ca-file over such a profile makes evc hybrid without a group key: the engine
 * offered those pre-shared-key proposals, a gateway chose one, "verified" its HASH_R with the
 * empty key anyone can compute, and got the user's password without any certificate.
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
#include "ike/isakmp.h"
#include "lib/crypto.h"
#include "lib/x509.h"

#define TEST_WALL 1798761600
#define PKI EVC_VECTORS_DIR "/s3-strongswan-main-rsa-xauth/pki"

/* The client hybrid (the CA, no group key) with a profile's pre-shared-key proposal first;
 * the gateway with no certificate, only a pre-shared-key policy and key key. */
static void downgrade(bool main_mode, const char *key)
{
	char err[512];
	struct x509_trust *trust = NULL;
	if (x509_trust_load(PKI "/ca.pem", &trust, err, sizeof(err)))
		fail_msg("%s", err);
	struct rig r;
	rig_init(&r);
	r.srv_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_PSK, 14, 0};
	r.n_srv_p1 = 1;
	r.srv.psk = key;
	r.srv.psk_addr = RIG_CLIENT_IP; /* main mode: the key for the client's address */
	r.dh = 14;
	r.cli_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_XAUTH_INIT_PSK, 14, 0};
	r.cli_p1[1] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_HYBRID_INIT_RSA, 14, 0};
	r.n_cli_p1 = 2;
	r.hybrid = true;
	r.psk = key;
	r.psk_main = main_mode;
	r.cli_trust = trust;
	r.wall = TEST_WALL;
	r.gw_name = "vpn.example.test";
	if (rig_new_client(&r)) {
		ike_start(r.c.sa, r.now);
		(void)rig_pump(&r);
		assert_int_equal(r.c.answers, 0);
		assert_int_equal(r.c.prompts, 0);
		assert_int_equal(r.c.policies, 0);
		assert_int_equal(r.c.children_up, 0);
	}
	rig_free(&r);
	x509_trust_free(trust);
}

static void test_am_no_key(void **state)
{
	(void)state;
	downgrade(false, "");
}

static void test_mm_no_key(void **state)
{
	(void)state;
	downgrade(true, "");
}

/* with a group key too: hybrid was asked for, the gateway's certificate is what counts */
static void test_am_group_key(void **state)
{
	(void)state;
	downgrade(false, "groupsecret");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_am_no_key),
	    cmocka_unit_test(test_mm_no_key),
	    cmocka_unit_test(test_am_group_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
