/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs checks that no other test reached (tests/mutation/checks.txt names them): the length
 * half of the password comparison, and the payload counts and sizes a first message must
 * have before evs makes an SA for it.
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

#include "ike/isakmp.h"
#include "server/core/children.h"
#include "server/core/config.h"
#include "server/core/firstmsg.h"
#include "server/core/srclimit.h"
#include "server/core/state.h"
#include "vectors.h"

static void report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	(void)ctx, (void)sev, (void)line;
	print_message("%s\n", msg);
}

/* password-length: the comparison is over a fixed width of 128 bytes; a longer answer whose
 * first 128 bytes are the password is still wrong. */
static void test_password_longer_than_width(void **state)
{
	(void)state;
	char pw[129], answer[131], conf[1536];
	memset(pw, 'p', 128);
	pw[128] = '\0';
	snprintf(conf, sizeof(conf),
	         "aaa new-model\n"
	         "aaa authentication login vpn-users local\n"
	         "aaa authorization network quizware local\n"
	         "username richard secret %s\n"
	         "ip local pool small 10.98.0.1 10.98.0.3\n"
	         "crypto isakmp client configuration group quizware\n"
	         " key groupsecret\n"
	         " pool small\n"
	         "crypto isakmp policy 10\n"
	         " encryption aes 256\n"
	         " authentication pre-share\n"
	         " group 2\n"
	         "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	         "crypto dynamic-map D 10\n"
	         " set transform-set T\n"
	         "crypto map M client authentication list vpn-users\n"
	         "crypto map M isakmp authorization list quizware\n"
	         "crypto map M client configuration address respond\n"
	         "crypto map M 10 ipsec-isakmp dynamic D\n"
	         "interface eth0\n"
	         " ip address 198.51.100.1 255.255.255.0\n"
	         " crypto map M\n",
	         pw);
	struct evs_config *c = evs_config_parse("long.conf", conf, strlen(conf), report, NULL);
	assert_non_null(c);
	struct evs_state *st = evs_state_new(c);
	assert_non_null(st);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", pw), EVS_AAA_OK);
	snprintf(answer, sizeof(answer), "%sx", pw);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", answer), EVS_AAA_BAD_CREDENTIALS);
	pw[127] = '\0';
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", pw), EVS_AAA_BAD_CREDENTIALS);
	evs_state_free(st);
	evs_config_free(c);
}

/* vpnc's recorded first message, rebuilt with payload `type` replaced by body (or, when
 * dup is set, present twice). */
static size_t rebuilt_am1(uint8_t *out, size_t cap, uint8_t type, const uint8_t *body, size_t len,
                          bool dup)
{
	struct vec_set *v = vec_load(VEC_S1);
	const struct vec_msg *m = vec_msg(v, 1);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	assert_non_null(m);
	assert_true(isakmp_hdr_parse(m->data.p, m->data.len, &h, &why));
	assert_true(
	    isakmp_chain_parse(m->data.p + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why));
	struct isakmp_builder b;
	h.np = 0;
	isakmp_build_start(&b, out, cap, &h);
	for (size_t i = 0; i < c.n; i++) {
		if (c.pl[i].type != type) {
			isakmp_build_payload(&b, c.pl[i].type, c.pl[i].body, c.pl[i].len);
			continue;
		}
		isakmp_build_payload(&b, type, body ? body : c.pl[i].body,
		                     body ? len : c.pl[i].len);
		if (dup)
			isakmp_build_payload(&b, type, c.pl[i].body, c.pl[i].len);
	}
	size_t n = isakmp_build_finish(&b);
	vec_free(v);
	assert_true(n > 0);
	return n;
}

static void refused(const uint8_t *msg, size_t len, const char *reason)
{
	const char *why = NULL;
	assert_false(evs_first_msg_check(msg, len, &why));
	assert_non_null(why);
	if (!strstr(why, reason))
		fail_msg("refused for \"%s\", expected \"%s\"", why, reason);
}

/* first-msg-payloads, -ke-len, -nonce-len */
static void test_first_msg_payloads_and_sizes(void **state)
{
	(void)state;
	static uint8_t msg[8192];
	const char *why = NULL;
	size_t n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_SA, NULL, 0, false);
	assert_true(evs_first_msg_check(msg, n, &why)); /* the rebuilt original passes */

	n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_SA, NULL, 0, true);
	refused(msg, n, "exactly one SA");
	n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_NONCE, NULL, 0, true);
	refused(msg, n, "exactly one SA");

	uint8_t ke[100];
	memset(ke, 0x5a, sizeof(ke));
	n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_KE, ke, sizeof(ke), false);
	refused(msg, n, "KE length");

	uint8_t nonce[300];
	memset(nonce, 0x33, sizeof(nonce));
	n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_NONCE, nonce, 4, false);
	refused(msg, n, "nonce");
	n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_NONCE, nonce, sizeof(nonce), false);
	refused(msg, n, "nonce");
	n = rebuilt_am1(msg, sizeof(msg), ISAKMP_PL_NONCE, nonce, 256, false);
	assert_true(evs_first_msg_check(msg, n, &why)); /* 256 is still allowed */
}

/* children-own-addr: in client mode an ESP SA is only for exactly the assigned address,
 * not for an address nobody holds, nor a subnet around its own. */
static void test_child_only_for_own_address(void **state)
{
	(void)state;
	struct evs_children *t = evs_children_new();
	const char *why = NULL;
	assert_non_null(t);
	assert_int_equal(evs_children_set_assigned(t, 1, 0x0a62000au), 0); /* 10.98.0.10 */
	struct evc_net own = {0x0a62000au, 0xffffffffu}, free_host = {0x0a620063u, 0xffffffffu},
	               around = {0x0a620000u, 0xffffff00u};
	assert_int_equal(evs_children_check(t, 1, &own, true, &why), 0);
	assert_int_equal(evs_children_check(t, 1, &free_host, true, &why), -EPERM);
	assert_non_null(strstr(why, "not the address this client was assigned"));
	assert_int_equal(evs_children_check(t, 1, &around, true, &why), -EPERM);
	evs_children_free(t);
}

/* children-other-assigned: without the own-address rule (network extension), a subnet
 * that covers another client's assigned address is still refused. */
static void test_child_not_over_other_clients_address(void **state)
{
	(void)state;
	struct evs_children *t = evs_children_new();
	const char *why = NULL;
	assert_non_null(t);
	assert_int_equal(evs_children_set_assigned(t, 1, 0x0a62000au), 0); /* 10.98.0.10 */
	struct evc_net over = {0x0a620000u, 0xffffff00u}, beside = {0x0a630000u, 0xffffff00u};
	assert_int_equal(evs_children_check(t, 2, &over, false, &why), -EPERM);
	assert_non_null(strstr(why, "assigned to another client"));
	assert_int_equal(evs_children_check(t, 2, &beside, false, &why), 0);
	evs_children_free(t);
}

/* srclimit-burst-cap: a bucket refills up to its burst and no further, even when the time
 * since the last take would pay for more. */
static void test_srclimit_refill_capped(void **state)
{
	(void)state;
	struct evs_srclimit *l = evs_srclimit_new(16, 2, 10); /* burst 2, 10 per second */
	const uint32_t a = 0xcb007107u;
	assert_non_null(l);
	assert_true(evs_srclimit_take(l, a, 1000));
	/* 1.999 s later: 1 + 19.99 tokens earned, 2 kept */
	assert_true(evs_srclimit_take(l, a, 2999));
	assert_true(evs_srclimit_take(l, a, 2999));
	assert_false(evs_srclimit_take(l, a, 2999));
	evs_srclimit_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_longer_than_width),
	    cmocka_unit_test(test_first_msg_payloads_and_sizes),
	    cmocka_unit_test(test_child_only_for_own_address),
	    cmocka_unit_test(test_child_not_over_other_clients_address),
	    cmocka_unit_test(test_srclimit_refill_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
