/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which authentication methods each exchange may choose, and main mode with a pre-shared key,
 * both roles back to back in the engine rig.
 *
 * Aggressive mode in evc and evs is only ever done with a group key: a responder that chose
 * an RSA policy for an aggressive-mode offer would be answering with a method whose proof
 * (a signature, a certificate) aggressive mode here never carries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "lib/crypto.h"

/* A client offering XAUTH-RSA in aggressive mode against a server whose only matching
 * policy is rsa-sig: NO-PROPOSAL-CHOSEN, never an RSA choice. */
static void test_am_never_chooses_rsa(void **state)
{
	struct rig r;
	(void)state;
	rig_init(&r);
	r.srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_RSA_SIG, 2, 86400};
	r.srv_p1[1] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_PSK, 14, 0};
	r.n_srv_p1 = 2;
	r.cli_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_XAUTH_INIT_RSA, 2, 0};
	r.n_cli_p1 = 1;
	r.dh = 2;
	rig_start(&r);
	rig_run_timers(&r, r.now + 60000);
	assert_true(r.c.failed);
	assert_int_equal(r.c.children_up, 0);
	assert_non_null(strstr(r.c.fail_text, "NO-PROPOSAL-CHOSEN"));
	assert_false(rig_logged(&r.s, "XAUTH-RSA"));
	assert_true(rig_logged(&r.s, "pre-shared"));
	rig_free(&r);
}

/* ... and the same server still answers a PSK offer in aggressive mode. */
static void test_am_chooses_psk_beside_rsa(void **state)
{
	struct rig r;
	(void)state;
	rig_init(&r);
	r.srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_RSA_SIG, 2, 86400};
	r.srv_p1[1] = (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 2, 0};
	r.n_srv_p1 = 2;
	r.cli_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_XAUTH_INIT_RSA, 2, 0};
	r.cli_p1[1] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_XAUTH_INIT_PSK, 2, 0};
	r.n_cli_p1 = 2;
	r.dh = 2;
	assert_true(rig_start(&r));
	assert_false(r.c.failed);
	assert_true(rig_mirrored(&r));
	struct ike_p1_prop p;
	int64_t left;
	assert_true(ike_sa_p1_chosen(r.s.sa, r.now, &p, &left));
	assert_int_equal(p.auth, IKE_AUTH_XAUTH_INIT_PSK);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_am_never_chooses_rsa),
	    cmocka_unit_test(test_am_chooses_psk_beside_rsa),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
