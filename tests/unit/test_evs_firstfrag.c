/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A first main-mode message in Cisco IKE fragments, as a client forcing fragmentation would
 * send it: evs's admission check refuses it with a reason that says so (evs reassembles
 * fragments only for an SA that exists), rather than as a message without an SA payload; the
 * same message whole passes.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ike/frag.h"
#include "ike/isakmp.h"
#include "server/core/firstmsg.h"

/* MM1: an SA payload (DOI IPsec, SIT_IDENTITY_ONLY, one proposal, one transform of 3DES,
 * SHA1, RSA signatures, group 2) padded with a long vendor ID, as a certificate-laden
 * client's first message could be; len its length. */
static size_t mm1(uint8_t *buf, size_t cap)
{
	static const uint8_t sa[] = {
	    0,    0, 0, 1,  0,    0,  0, 1,                    /* DOI, situation */
	    0,    0, 0, 40, 1,    1,  0, 1,                    /* proposal 1, ISAKMP, 1 transform */
	    0,    0, 0, 32, 1,    1,  0, 0,                    /* transform 1, KEY_IKE */
	    0x80, 1, 0, 5,  0x80, 2,  0, 2, 0x80, 3,  0,    3, /* 3DES, SHA1, RSA-SIG */
	    0x80, 4, 0, 2,  0x80, 11, 0, 1, 0x80, 12, 0x70, 0x80, /* group 2, 28800 s */
	};
	static uint8_t vid[900];
	struct isakmp_hdr h = {.version = 0x10, .exch = ISAKMP_EXCH_MAIN};
	struct isakmp_builder b;
	memset(h.icky, 0x11, sizeof(h.icky));
	isakmp_build_start(&b, buf, cap, &h);
	isakmp_build_payload(&b, ISAKMP_PL_SA, sa, sizeof(sa));
	isakmp_build_payload(&b, ISAKMP_PL_VID, vid, sizeof(vid));
	return isakmp_build_finish(&b);
}

static void test_fragmented_first(void **state)
{
	uint8_t msg[2048], out[4096];
	size_t lens[IKE_FRAG_MAX];
	const char *why = NULL;
	(void)state;
	size_t len = mm1(msg, sizeof(msg));
	assert_true(len > 900);
	bool whole = evs_first_msg_check(msg, len, &why);
	if (!whole)
		print_message("%s\n", why);
	assert_true(whole);
	int n = ike_frag_split(msg, len, 300, 1, out, sizeof(out), lens);
	assert_true(n >= 4);
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		why = NULL;
		assert_false(evs_first_msg_check(out + off, lens[i], &why));
		assert_non_null(why);
		assert_non_null(strstr(why, "first message in IKE fragments"));
		off += lens[i];
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fragmented_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
