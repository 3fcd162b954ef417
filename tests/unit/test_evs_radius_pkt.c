/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs's RADIUS packets (server/core/radius_pkt.c) with known answers: the User-Password
 * hiding and the Response Authenticator of RFC 2865 7.1's worked example (secret
 * "xyzzy5461", user nemo, password arctangent), and, where RFCs give no example, values
 * computed outside evs with Python's hashlib and hmac step by step (the same steps checked on
 * 7.1's example first): a password of three blocks, a whole Access-Request with its
 * Message-Authenticator, and an Access-Accept with one. FreeRADIUS checks the same code live
 * in test_evs_aaa's part "freeradius".
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/core/aaa_attrs.h"
#include "server/core/radius_pkt.h"

#define KEY ((const uint8_t *)"xyzzy5461")
#define KEYLEN 9

static size_t unhex(const char *h, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; h[0] && h[1] && n < cap; h += 2) {
		unsigned v;
		assert_int_equal(sscanf(h, "%2x", &v), 1);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* RFC 2865 7.1: the Request Authenticator of the example Access-Request */
static const char rfc_ra[] = "0f403f9473978057bd83d5cb98f4227a";

static void password_hiding(void **state)
{
	(void)state;
	uint8_t ra[16], want[64], got[EVS_AAA_PASSWORD_MAX];
	static const char pw40[] = "a-password-of-forty-bytes-for-chaining!!";

	unhex(rfc_ra, ra, sizeof(ra));
	/* RFC 2865 7.1: "arctangent" hides as this */
	unhex("0dbe708d93d413ce3196e43f782a0aee", want, sizeof(want));
	assert_int_equal(
	    evs_radius_hide_password((const uint8_t *)"arctangent", 10, KEY, KEYLEN, ra, got), 16);
	assert_memory_equal(got, want, 16);
	/* three blocks, each chained on the one before (hashlib) */
	unhex("0de1639881c903c42d86c9501e076c81254e14aa72058555339ce0163314c947"
	      "b1993796e86c8edec618ac1d5bad14d0",
	      want, sizeof(want));
	assert_int_equal(evs_radius_hide_password((const uint8_t *)pw40, 40, KEY, KEYLEN, ra, got),
	                 48);
	assert_memory_equal(got, want, 48);
	/* the empty password is one block of zeros hidden; 128 bytes fit, 129 do not */
	assert_int_equal(evs_radius_hide_password(NULL, 0, KEY, KEYLEN, ra, got), 16);
	memset(want, 'p', sizeof(want));
	uint8_t big[EVS_AAA_PASSWORD_MAX + 1];
	memset(big, 'p', sizeof(big));
	assert_int_equal(evs_radius_hide_password(big, EVS_AAA_PASSWORD_MAX, KEY, KEYLEN, ra, got),
	                 EVS_AAA_PASSWORD_MAX);
	assert_int_equal(evs_radius_hide_password(big, sizeof(big), KEY, KEYLEN, ra, got), -EINVAL);
}

static void request_known_answer(void **state)
{
	(void)state;
	uint8_t ra[16], want[128], got[RADIUS_MAX_LEN];
	struct evs_aaa_req q = {.peer_addr = 0xc6336414u /* 198.51.100.20 */};
	char why[128] = "";
	size_t wl, len = 0;

	unhex(rfc_ra, ra, sizeof(ra));
	snprintf(q.user, sizeof(q.user), "nemo");
	snprintf(q.password, sizeof(q.password), "arctangent");
	/* Message-Authenticator first (its HMAC-MD5 over the packet with it zero), then
	 * User-Name, User-Password, Service-Type 1, NAS-Port-Type 5, Calling-Station-Id,
	 * NAS-IP-Address 192.168.1.16 (hashlib, hmac) */
	wl = unhex("012a005f0f403f9473978057bd83d5cb98f4227a50127d268ed9265cc47770871b5236be7bb7"
	           "01066e656d6f02120dbe708d93d413ce3196e43f782a0aee0606000000013d0600000005"
	           "1f0f3139382e35312e3130302e32300406c0a80110",
	           want, sizeof(want));
	assert_int_equal(evs_radius_build_request(got, sizeof(got), &len, 0x2a, ra, KEY, KEYLEN, &q,
	                                          0xc0a80110u, why, sizeof(why)),
	                 0);
	assert_int_equal(len, wl);
	assert_memory_equal(got, want, wl);

	q.user[0] = '\0';
	assert_int_equal(evs_radius_build_request(got, sizeof(got), &len, 1, ra, KEY, KEYLEN, &q, 0,
	                                          why, sizeof(why)),
	                 -EINVAL);
	assert_non_null(strstr(why, "user name is empty"));
}

static void reply_checks(void **state)
{
	(void)state;
	uint8_t ra[16], pkt[256];
	size_t n;
	struct evs_aaa_result res = {0};
	char why[128] = "";

	unhex(rfc_ra, ra, sizeof(ra));
	/* RFC 2865 7.1's Access-Accept: Response Authenticator right, no Message-Authenticator */
	n = unhex("0200002686fe220e7624ba2a1005f6bf9b55e0b20606000000010f06000000000e06c0a80103",
	          pkt, sizeof(pkt));
	assert_int_equal(evs_radius_check(pkt, n, 0, ra, KEY, KEYLEN, false), EVS_RADIUS_V_ACCEPT);
	assert_int_equal(evs_radius_check(pkt, n, 0, ra, KEY, KEYLEN, true), EVS_RADIUS_V_BAD_MA);
	assert_int_equal(evs_radius_check(pkt, n, 1, ra, KEY, KEYLEN, false), EVS_RADIUS_V_IGNORE);
	assert_int_equal(
	    evs_radius_check(pkt, n, 0, ra, (const uint8_t *)"xyzzy5462", KEYLEN, false),
	    EVS_RADIUS_V_BAD_AUTH);
	assert_int_equal(evs_radius_check(pkt, n - 1, 0, ra, KEY, KEYLEN, false),
	                 EVS_RADIUS_V_IGNORE); /* shorter than its length field */

	/* an Accept with a Message-Authenticator, Service-Type, Framed-IP-Address and a
	 * Cisco-AVPair, to ID 0x2a (hashlib, hmac) */
	n = unhex("022a005de0cad5a57d9b4480411748e490f120a65012675fcddec6314c66ae6a2322d38ecfac"
	          "06060000000108060a62004d1a2b00000009012569707365633a64656661756c742d646f6d"
	          "61696e3d7261646975732e6578616d706c65",
	          pkt, sizeof(pkt));
	assert_int_equal(evs_radius_check(pkt, n, 0x2a, ra, KEY, KEYLEN, true),
	                 EVS_RADIUS_V_ACCEPT);
	/* trailing octets beyond the length field do not count (RFC 2865 3) */
	pkt[n] = 0xee;
	assert_int_equal(evs_radius_check(pkt, n + 1, 0x2a, ra, KEY, KEYLEN, true),
	                 EVS_RADIUS_V_ACCEPT);
	assert_int_equal(evs_radius_reply_pairs(pkt, n, &res, why, sizeof(why)), 0);
	assert_int_equal(res.n_pairs, 3);
	assert_true(res.pairs[0].is_num && res.pairs[0].type == 6 && res.pairs[0].num == 1);
	assert_true(res.pairs[1].is_num && res.pairs[1].type == 8);
	assert_int_equal(res.pairs[1].num, 0x0a62004du);
	assert_int_equal(res.pairs[2].vendor, EVS_AAA_VENDOR_CISCO);
	assert_int_equal(res.pairs[2].type, EVS_AAA_CISCO_AVPAIR);
	assert_string_equal(res.pairs[2].text, "ipsec:default-domain=radius.example");
	/* one bit off in the Message-Authenticator: the Response Authenticator no longer
	 * verifies either, as it covers the attributes */
	pkt[30] ^= 1;
	assert_int_equal(evs_radius_check(pkt, n, 0x2a, ra, KEY, KEYLEN, true),
	                 EVS_RADIUS_V_BAD_AUTH);
	pkt[30] ^= 1;
	pkt[4] ^= 1;
	assert_int_equal(evs_radius_check(pkt, n, 0x2a, ra, KEY, KEYLEN, true),
	                 EVS_RADIUS_V_BAD_AUTH);
}

static void reply_attrs_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *attrs, *why;
	} bad[] = {
	    {"080500", "lengths do not add up"},    {"08050a0000", "number has 4"},
	    {"0101", "lengths do not add up"},      {"1a06000000", "lengths do not add up"},
	    {"1a0500000009", "has no vendor"},      {"1a070000000901", "Cisco vendor"},
	    {"1a0900000009010461", "Cisco vendor"}, {"1a0900000009010300", "NUL byte"},
	};
	uint8_t pkt[64] = {2, 1, 0, 24};
	struct evs_aaa_result res = {0};
	char why[128] = "";

	assert_int_equal(evs_radius_reply_pairs(pkt, 20, &res, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, "shorter than its header"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 20 + unhex(bad[i].attrs, pkt + 20, sizeof(pkt) - 20);
		pkt[3] = (uint8_t)n;
		why[0] = '\0';
		if (evs_radius_reply_pairs(pkt, n, &res, why, sizeof(why)) != -EINVAL)
			fail_msg("%zu: taken", i);
		if (!strstr(why, bad[i].why))
			fail_msg("%zu: \"%s\"", i, why);
	}
	/* a Cisco-AVPair with a NUL byte is refused, but Class is octets and may hold one */
	size_t n = 20 + unhex("1905006162", pkt + 20, sizeof(pkt) - 20);
	pkt[3] = (uint8_t)n;
	res.n_pairs = 0;
	assert_int_equal(evs_radius_reply_pairs(pkt, n, &res, why, sizeof(why)), 0);
	assert_int_equal(res.n_pairs, 1);
	assert_int_equal(res.pairs[0].type, 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(password_hiding),
	    cmocka_unit_test(request_known_answer),
	    cmocka_unit_test(reply_checks),
	    cmocka_unit_test(reply_attrs_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
