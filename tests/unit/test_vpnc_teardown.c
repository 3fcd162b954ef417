/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vpnc's teardown as evs receives it, in memory: the DELETEs Debian's vpnc sends on SIGTERM,
 * byte for byte as vpnc builds them. vpnc draws each DELETE's message ID from a one-byte
 * nonce, so now and then the ID is 0, or both DELETEs share one; and vpnc encrypts every
 * informational, message ID 0 included, with the IV of a new exchange, hash(P1L | M-ID),
 * where our engine's rule for ID 0 is the phase-1 chain. Either left evs holding a session
 * its client had closed (interop-vpnc-evs-natt, 1 run in about 128). The server engine must
 * take both, and still drop what is not the peer's: a wrong HASH, an exact replay.
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
#include "ike/ike.h"
#include "ike/isakmp.h"
#include "ike_oracle.h"
#include "lib/bytes.h"

enum iv_rule {
	IV_VPNC,   /* hash(P1L | M-ID) for any message ID, as vpnc does */
	IV_ENGINE, /* what the receiving engine itself picks (phase-1 chain for ID 0) */
};

static void established(struct rig *r)
{
	rig_init(r);
	r->natt = IKE_NATT_FORCE;
	assert_true(rig_start(r));
	assert_int_equal(r->c.children_up, 1);
	assert_int_equal(r->s.children_up, 1);
	assert_true(ike_sa_established(r->s.sa));
}

/* HASH(1) placeholder (rehashed by the oracle), then one payload of type pl. */
static size_t hashed_body(const struct rig *r, uint8_t pl, const uint8_t *p, size_t plen,
                          uint8_t *body, size_t cap)
{
	size_t hl = ike_oracle_hash_len(r->s.sa);
	struct wr w = wr_init(body, cap);
	wr_u8(&w, pl);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl));
	wr_zero(&w, hl);
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + plen));
	wr_bytes(&w, p, plen);
	assert_false(w.err);
	return w.len;
}

/* Client -> server informational with message ID msgid, sealed by rule; returns its length. */
static size_t forge(const struct rig *r, uint8_t pl, const uint8_t *p, size_t plen, uint32_t msgid,
                    enum iv_rule rule, enum oracle_hash mode, uint8_t *out, size_t cap)
{
	uint8_t body[256];
	size_t n = hashed_body(r, pl, p, plen, body, sizeof(body));
	struct isakmp_hdr h;
	ike_oracle_hdr(r->s.sa, &h, ISAKMP_EXCH_INFO, ISAKMP_PL_HASH, msgid);
	size_t len = rule == IV_VPNC ? ike_oracle_seal_derived(r->s.sa, &h, body, n, mode, out, cap)
	                             : ike_oracle_seal(r->s.sa, &h, body, n, mode, out, cap);
	assert_true(len > 0);
	return len;
}

static void send_c2s(struct rig *r, const uint8_t *msg, size_t len)
{
	rig_inject(r, RIG_C2S, msg, len);
	assert_true(rig_pump(r));
}

/* vpnc's send_delete_ipsec: one DELETE naming both SPIs of the pair, its inbound one first. */
static void delete_esp(struct rig *r, uint32_t msgid, enum iv_rule rule)
{
	uint8_t d[32], msg[512];
	struct wr w = wr_init(d, sizeof(d));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ESP);
	wr_u8(&w, 4);
	wr_u16(&w, 2);
	wr_u32(&w, r->c.child.spi_in);
	wr_u32(&w, r->c.child.spi_out);
	size_t n = forge(r, ISAKMP_PL_D, d, w.len, msgid, rule, ORACLE_HASH_1, msg, sizeof(msg));
	send_c2s(r, msg, n);
}

/* vpnc's send_delete_isakmp_cookie: the ISAKMP SA by its two cookies. */
static size_t delete_isakmp(struct rig *r, uint32_t msgid, enum iv_rule rule, enum oracle_hash mode,
                            uint8_t *msg, size_t cap)
{
	uint8_t d[32], icky[8], rcky[8];
	ike_sa_cookies(r->s.sa, icky, rcky);
	struct wr w = wr_init(d, sizeof(d));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 16);
	wr_u16(&w, 1);
	wr_bytes(&w, icky, 8);
	wr_bytes(&w, rcky, 8);
	return forge(r, ISAKMP_PL_D, d, w.len, msgid, rule, mode, msg, cap);
}

static void assert_closed_by_client(struct rig *r)
{
	assert_true(r->s.closed);
	assert_false(r->s.failed);
	assert_int_equal(r->s.children_down, r->s.children_up);
}

/* The CI failure: the ISAKMP SA's DELETE with message ID 0, vpnc's IV. */
static void test_delete_msgid0_vpnc_iv(void **state)
{
	(void)state;
	struct rig r;
	uint8_t msg[512];
	established(&r);
	delete_esp(&r, 5, IV_VPNC);
	assert_int_equal(r.s.children_down, 1);
	/* one pair named twice, not a second SA that is missing */
	assert_false(rig_logged(&r.s, "no such SA"));
	size_t n = delete_isakmp(&r, 0, IV_VPNC, ORACLE_HASH_1, msg, sizeof(msg));
	send_c2s(&r, msg, n);
	assert_false(rig_logged(&r.s, "dropped malformed"));
	assert_closed_by_client(&r);
	rig_free(&r);
}

/* The IPsec SA's DELETE with message ID 0: the pair goes, the tunnel with the next one. */
static void test_delete_esp_msgid0_vpnc_iv(void **state)
{
	(void)state;
	struct rig r;
	uint8_t msg[512];
	established(&r);
	delete_esp(&r, 0, IV_VPNC);
	assert_int_equal(r.s.children_down, 1);
	size_t n = delete_isakmp(&r, 0x9c, IV_VPNC, ORACLE_HASH_1, msg, sizeof(msg));
	send_c2s(&r, msg, n);
	assert_closed_by_client(&r);
	rig_free(&r);
}

/* Both DELETEs under one message ID (1 in 256 of vpnc's teardowns): different messages. */
static void test_deletes_share_msgid(void **state)
{
	(void)state;
	struct rig r;
	uint8_t msg[512];
	established(&r);
	delete_esp(&r, 7, IV_VPNC);
	size_t n = delete_isakmp(&r, 7, IV_VPNC, ORACLE_HASH_1, msg, sizeof(msg));
	send_c2s(&r, msg, n);
	assert_false(rig_logged(&r.s, "replayed informational"));
	assert_closed_by_client(&r);
	rig_free(&r);
}

/* A peer that continues the phase-1 chain for message ID 0 is still understood. */
static void test_delete_msgid0_phase1_chain(void **state)
{
	(void)state;
	struct rig r;
	uint8_t msg[512];
	established(&r);
	size_t n = delete_isakmp(&r, 0, IV_ENGINE, ORACLE_HASH_1, msg, sizeof(msg));
	send_c2s(&r, msg, n);
	assert_closed_by_client(&r);
	rig_free(&r);
}

/* Message ID 0 with a HASH that is not the peer's: dropped under either IV. */
static void test_msgid0_wrong_hash_dropped(void **state)
{
	(void)state;
	for (int rule = IV_VPNC; rule <= IV_ENGINE; rule++) {
		struct rig r;
		uint8_t msg[512];
		established(&r);
		/* KEEP: the HASH stays the zeros of the placeholder */
		size_t n =
		    delete_isakmp(&r, 0, (enum iv_rule)rule, ORACLE_HASH_KEEP, msg, sizeof(msg));
		send_c2s(&r, msg, n);
		assert_false(r.s.closed);
		assert_true(ike_sa_established(r.s.sa));
		assert_int_equal(r.s.children_down, 0);
		rig_free(&r);
	}
}

/* R-U-THERE from the client, sequence number seq. */
static size_t r_u_there(const struct rig *r, uint32_t msgid, uint32_t seq, uint8_t *msg, size_t cap)
{
	uint8_t n[64], icky[8], rcky[8];
	ike_sa_cookies(r->s.sa, icky, rcky);
	struct wr w = wr_init(n, sizeof(n));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 16);
	wr_u16(&w, ISAKMP_N_R_U_THERE);
	wr_bytes(&w, icky, 8);
	wr_bytes(&w, rcky, 8);
	wr_u32(&w, seq);
	return forge(r, ISAKMP_PL_N, n, w.len, msgid, IV_VPNC, ORACLE_HASH_1, msg, cap);
}

/* An earlier informational sent again is a replay and stays unanswered, message ID 0 too; a
 * new message of the peer under an ID it used before is answered. (An exact copy of the
 * last request is a retransmission and gets the same answer again, engine.c.) */
static void test_replay_still_dropped(void **state)
{
	(void)state;
	for (uint32_t id = 0; id <= 0x42; id += 0x42) {
		struct rig r;
		uint8_t a[512], b[512], c[512];
		established(&r);
		size_t na = r_u_there(&r, id, 1000, a, sizeof(a));
		size_t nc = r_u_there(&r, 0x4242, 1001, c, sizeof(c));
		size_t nb = r_u_there(&r, id, 1002, b, sizeof(b));
		int sends = r.s.sends;
		send_c2s(&r, a, na);
		assert_int_equal(r.s.sends, sends + 1);
		send_c2s(&r, c, nc);
		assert_int_equal(r.s.sends, sends + 2);
		send_c2s(&r, a, na);
		assert_int_equal(r.s.sends, sends + 2);
		assert_true(rig_logged(&r.s, "replayed informational"));
		send_c2s(&r, b, nb);
		assert_int_equal(r.s.sends, sends + 3);
		rig_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_delete_msgid0_vpnc_iv),
	    cmocka_unit_test(test_delete_esp_msgid0_vpnc_iv),
	    cmocka_unit_test(test_deletes_share_msgid),
	    cmocka_unit_test(test_delete_msgid0_phase1_chain),
	    cmocka_unit_test(test_msgid0_wrong_hash_dropped),
	    cmocka_unit_test(test_replay_still_dropped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
