/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which authentication methods each exchange may choose, and main mode with a pre-shared key,
 * both roles back to back in the engine rig.
 *
 * Aggressive mode in evc and evs is only ever done with a group key: a responder that chose
 * an RSA policy for an aggressive-mode offer would be answering with a method whose proof
 * (a signature, a certificate) aggressive mode here never carries.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/settings.h"
#include "profiles/profile.h"
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

/* The rig in main mode with the group key, keyed by the client's address at the server. */
static void rig_psk_main(struct rig *r)
{
	rig_init(r);
	r->psk_main = true;
	r->srv.psk_addr = RIG_CLIENT_IP;
}

static void test_psk_main_connect(void **state)
{
	struct rig r;
	(void)state;
	rig_psk_main(&r);
	assert_true(rig_start(&r));
	if (r.c.failed)
		fail_msg("%s", r.c.fail_text);
	assert_false(r.s.failed);
	assert_true(rig_mirrored(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_int_equal(r.c.answers, 1);
	assert_true(rig_logged(&r.c, "main mode with the group key"));
	assert_true(rig_logged(&r.c, "main mode, pre-shared key"));
	assert_true(rig_logged(&r.s, "authenticated with the pre-shared key of its address"));
	assert_string_equal(ike_sa_group(r.s.sa), "quizware");
	assert_string_equal(ike_sa_user(r.s.sa), "richard");
	struct ike_p1_prop p;
	int64_t left;
	assert_true(ike_sa_p1_chosen(r.s.sa, r.now, &p, &left));
	assert_int_equal(p.auth, IKE_AUTH_XAUTH_INIT_PSK);
	assert_int_equal(r.c.policy.addr, RIG_POOL_ADDR);
	rig_free(&r);
}

/* Main mode falls back through the DH groups as aggressive mode does. */
static void test_psk_main_group_fallback(void **state)
{
	struct rig r;
	(void)state;
	rig_psk_main(&r);
	r.srv_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA256, IKE_AUTH_PSK, 5, 0};
	r.n_srv_p1 = 1;
	r.dh = 0;
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 60000);
	if (r.c.failed)
		fail_msg("%s", r.c.fail_text);
	assert_int_equal(r.c.children_up, 1);
	assert_true(rig_logged(&r.c, "refused DH group 14"));
	assert_true(rig_logged(&r.c, "AES-128/SHA2-256/modp1536/XAUTH-PSK"));
	rig_free(&r);
}

/* No key for the client's address: refused at the first message, said on both sides. */
static void test_psk_main_no_key(void **state)
{
	struct rig r;
	(void)state;
	rig_psk_main(&r);
	r.srv.psk_addr = 0xc6336409u; /* another client */
	rig_start(&r);
	rig_run_timers(&r, r.now + 60000);
	assert_true(r.c.failed);
	assert_true(r.s.failed);
	assert_non_null(strstr(r.c.fail_text, "NO-PROPOSAL-CHOSEN"));
	assert_true(rig_logged(&r.s, "or a pre-shared key for its address"));
	assert_int_equal(r.c.children_up, 0);
	rig_free(&r);
}

/* A server whose key for the address differs: never up, both sides end, nothing crashes. */
static void test_psk_main_wrong_key(void **state)
{
	struct rig r;
	(void)state;
	rig_psk_main(&r);
	r.srv.addr_key = "another-secret";
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_int_equal(r.c.children_up, 0);
	assert_int_equal(r.s.children_up, 0);
	assert_int_equal(r.c.answers, 0); /* no password to a gateway that never proved the key */
	/* the server could not read the client's MM5 (other keys), or its HASH_I did not match */
	assert_true(rig_logged(&r.s, "fifth main-mode message") || rig_logged(&r.s, "HASH_I"));
	assert_non_null(strstr(r.c.fail_text, "is not our group key"));
	rig_free(&r);
}

/* MM2 is authenticated only by MM5/MM6: a choice the client never offered (the cipher made
 * single DES on the way) is refused at MM2 and said so, not found out later as a key that
 * does not decrypt. */
static enum rig_verdict mm2_des_choice(struct rig *r, enum rig_dir dir, unsigned index,
                                       uint8_t *buf, size_t *len, size_t cap, void *arg)
{
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	(void)r, (void)index, (void)cap, (void)arg;
	if (dir != RIG_S2C || !isakmp_hdr_parse(buf, *len, &h, &why) ||
	    h.exch != ISAKMP_EXCH_MAIN || (h.flags & ISAKMP_FLAG_E) ||
	    !isakmp_chain_parse(buf + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why))
		return RIG_PASS;
	const struct isakmp_pl *sa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	if (!sa || sa->len < 8 + 8 + 8 + 4)
		return RIG_PASS;
	/* the chosen transform's first attribute is the cipher */
	uint8_t *t = (uint8_t *)sa->body + 8 + 8 + 8;
	if (t[0] == 0x80 && t[1] == IKE_ATTR_ENCR)
		t[3] = CIPHER_DES;
	return RIG_PASS;
}

static void test_psk_main_choice_not_offered(void **state)
{
	struct rig r;
	(void)state;
	rig_psk_main(&r);
	r.tamper = mm2_des_choice;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_int_equal(r.c.children_up, 0);
	assert_true(rig_logged(&r.c, "a proposal evc did not offer"));
	rig_free(&r);
}

struct flip {
	enum rig_dir dir;
	unsigned index;
	size_t at;
};

static enum rig_verdict flip_one(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                 size_t *len, size_t cap, void *arg)
{
	struct flip *f = arg;
	(void)r;
	(void)cap;
	if (dir == f->dir && index == f->index && *len > 28)
		buf[28 + f->at % (*len - 28)] ^= 0x5a;
	return RIG_PASS;
}

/* Each of the six main-mode messages with one byte changed (past the header): the connection
 * is either up with mirrored keys (the copy was dropped and the retransmission taken, or the
 * byte did not matter) or ends on both sides; it never comes up on one side only. */
static void test_psk_main_tamper(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 6; i++) {
		for (size_t at = 0; at < 96; at += 13) {
			struct rig r;
			struct flip f = {i % 2 ? RIG_S2C : RIG_C2S, i / 2, at};
			rig_psk_main(&r);
			r.tamper = flip_one;
			r.tamper_arg = &f;
			rig_start(&r);
			rig_run_timers(&r, r.now + 120000);
			if (r.c.children_up)
				assert_true(rig_mirrored(&r));
			else
				assert_true(r.c.failed || r.c.closed);
			rig_free(&r);
		}
	}
}

/* evc's --exchange: aggressive by default, main on request, anything else named. */
static void test_exchange_option(void **state)
{
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	(void)state;
	evc_overrides_init(&o);
	o.gateway = "198.51.100.1";
	o.group = "quizware";
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_false(s.psk_main);
	evc_settings_clear(&s);
	assert_int_equal(evc_overrides_set(&o, "exchange", "sideways", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--exchange sideways: use aggressive or main"));
	assert_int_equal(evc_overrides_set(&o, "exchange", "main", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_true(s.psk_main);
	evc_settings_clear(&s);

	/* a profile's exchange = main, which --exchange aggressive overrides */
	struct evc_profile *p = prof_new("office");
	assert_non_null(p);
	assert_int_equal(prof_set(p, "exchange", "sideways", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "aggressive or main"));
	assert_int_equal(prof_set(p, "exchange", "Main", err, sizeof(err)), 0);
	assert_string_equal(prof_get(p, "exchange"), "main");
	assert_int_equal(prof_set(p, "gateway", "198.51.100.1", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "group", "quizware", err, sizeof(err)), 0);
	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_true(s.psk_main);
	evc_settings_clear(&s);
	assert_int_equal(evc_overrides_set(&o, "exchange", "aggressive", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_false(s.psk_main);
	evc_settings_clear(&s);
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_am_never_chooses_rsa),
	    cmocka_unit_test(test_am_chooses_psk_beside_rsa),
	    cmocka_unit_test(test_psk_main_connect),
	    cmocka_unit_test(test_psk_main_group_fallback),
	    cmocka_unit_test(test_psk_main_no_key),
	    cmocka_unit_test(test_psk_main_wrong_key),
	    cmocka_unit_test(test_psk_main_tamper),
	    cmocka_unit_test(test_psk_main_choice_not_offered),
	    cmocka_unit_test(test_exchange_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
