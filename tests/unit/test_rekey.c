/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rekeying of the ESP SA pairs under one IKE SA, in memory: the client rekeys before the time
 * lifetime and before the volume lifetime; the gateway rekeys when its mark comes first and
 * the client answers a quick mode it did not start; the new pair is up before the old one
 * goes, and the old one goes only after the overlap; a rekey that nobody answers, or that
 * the peer refuses, leaves the tunnel up until its hard limit; collisions, PFS, absurd
 * lifetimes and DELETEs for unknown SPIs.
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
#include "ike/ike.h"
#include "ike/isakmp.h"
#include "ike_oracle.h"

static void established(struct rig *r)
{
	assert_true(rig_start(r));
	assert_int_equal(r->c.children_up, 1);
	assert_int_equal(r->s.children_up, 1);
	assert_true(rig_mirrored(r));
}

static size_t live(const struct ike_sa *sa, uint64_t now, struct ike_child_status *st)
{
	return ike_sa_child_status(sa, now, st, 16);
}

/* Advances the clock tick by tick, checking that both sides always hold a pair. */
static void run_checking_overlap(struct rig *r, uint64_t until)
{
	struct ike_child_status st[16];
	while (r->now < until) {
		uint64_t t = ike_next_timeout(r->c.sa);
		if (ike_next_timeout(r->s.sa) < t)
			t = ike_next_timeout(r->s.sa);
		if (t == UINT64_MAX || t > until) {
			r->now = until; /* nothing due before then: the clock still moves */
			break;
		}
		r->now = t > r->now ? t : r->now + 1;
		ike_tick(r->c.sa, r->now);
		ike_tick(r->s.sa, r->now);
		assert_true(rig_pump(r));
		assert_true(live(r->c.sa, r->now, st) >= 1);
		assert_true(live(r->s.sa, r->now, st) >= 1);
	}
}

/* The client rekeys between 85% and 90% of the time lifetime; the old pair goes after the
 * overlap; keys of the new pair match on both sides. */
static void test_client_rekeys_before_time_lifetime(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv_p2[0].life_s = 1000;
	established(&r);
	uint64_t up = r.now;
	uint32_t old_in = r.c.child.spi_in;
	run_checking_overlap(&r, up + 849 * 1000ull);
	assert_int_equal(r.c.children_up, 1);
	/* tick by tick until the new pair is up: by 90% of the lifetime */
	struct ike_child_status st[16];
	while (r.c.children_up < 2 && r.now < up + 901 * 1000ull)
		run_checking_overlap(&r, r.now + 1000);
	assert_int_equal(r.c.children_up, 2);
	assert_int_equal(r.s.children_up, 2);
	assert_true(rig_mirrored(&r));
	assert_int_not_equal(r.c.child.spi_in, old_in);
	assert_true(rig_logged(&r.c, "rekeying IPsec SA"));
	/* the old pair is still there during the overlap, gone after it */
	assert_int_equal(live(r.c.sa, r.now, st), 2);
	assert_int_equal(live(r.s.sa, r.now, st), 2);
	run_checking_overlap(&r, r.now + 8000);
	assert_int_equal(live(r.c.sa, r.now, st), 2);
	run_checking_overlap(&r, r.now + 3000);
	assert_int_equal(live(r.c.sa, r.now, st), 1);
	assert_int_equal(live(r.s.sa, r.now, st), 1);
	assert_int_equal(r.c.children_down, 1);
	assert_int_equal(r.s.children_down, 1);
	assert_int_equal(st[0].spi_in, r.s.child.spi_in);
	/* and again, a lifetime later */
	run_checking_overlap(&r, r.now + 1000 * 1000ull);
	assert_int_equal(r.c.children_up, 3);
	assert_false(r.c.failed || r.s.failed || r.c.closed || r.s.closed);
	rig_free(&r);
}

/* The volume soft mark reported by the datapath starts a rekey; the hard mark ends a pair. */
static void test_volume_marks(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv_p2[0].life_s = 0;
	established(&r);
	assert_int_equal(r.c.child.life_kb, 4608000);
	uint32_t first = r.c.child.spi_in;
	ike_child_volume(r.c.sa, r.now, first, false);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.children_up, 2);
	assert_true(rig_mirrored(&r));
	/* a soft mark for a pair already replaced starts nothing */
	ike_child_volume(r.c.sa, r.now, first, false);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.children_up, 2);
	/* the new pair used up: it ends at once, with a DELETE the gateway follows */
	uint32_t second = r.c.child.spi_in;
	ike_child_volume(r.c.sa, r.now, second, true);
	assert_true(rig_pump(&r));
	assert_true(rig_logged(&r.c, "used up its lifetime"));
	assert_int_equal(r.s.children_down, 1);
	/* an SPI that does not exist is ignored */
	ike_child_volume(r.c.sa, r.now, 0x12345678u, true);
	assert_true(rig_pump(&r));
	rig_free(&r);
}

/* The gateway rekeys (its mark came first): the client answers as quick-mode responder,
 * its side of the selectors is its assigned address, and the keys match. */
static void test_gateway_starts_rekey(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	established(&r);
	uint32_t old_srv = r.s.child.spi_in;
	ike_child_volume(r.s.sa, r.now, old_srv, false);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.children_up, 2);
	assert_int_equal(r.c.children_up, 2);
	assert_true(rig_mirrored(&r));
	assert_int_equal(r.c.child.local_ts.addr, RIG_POOL_ADDR);
	assert_int_equal(r.c.child.local_ts.mask, 0xffffffffu);
	assert_int_equal(r.c.child.remote_ts.mask, 0);
	assert_int_equal(r.s.child.remote_ts.addr, RIG_POOL_ADDR);
	/* the gateway deletes the pair it replaced after the overlap */
	rig_run_timers(&r, r.now + 11000);
	assert_int_equal(r.s.children_down, 1);
	assert_int_equal(r.c.children_down, 1);
	assert_false(r.c.closed || r.c.failed);
	rig_free(&r);
}

/* A gateway may not put the client's side on another address in its quick mode. */
static void test_gateway_rekey_for_other_address_refused(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	established(&r);
	uint8_t msg[4096];
	/* a validly hashed QM1 from the gateway whose IDcr (the client's side) is not ours */
	struct ike_p2_prop p = {ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA256, 0, 0, 0};
	struct evc_net ci = {0, 0}, cr = {0x0a62000bu, 0xffffffffu};
	size_t n = ike_oracle_qm1(r.c.sa, 0x4d4d4d4d, &p, IPSEC_ENCAP_TUNNEL, 0x7777, &ci, &cr, msg,
	                          sizeof(msg));
	assert_true(n > 0);
	rig_inject(&r, RIG_S2C, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_true(rig_logged(&r.c, "refused quick mode"));
	assert_false(r.c.failed);
	rig_free(&r);
}

/* Nobody answers the rekey: the tunnel stays, the rekey is tried again, and at the hard
 * limit the pair ends cleanly. */
static enum rig_verdict lose_rekeys(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                    size_t *len, size_t cap, void *arg)
{
	(void)dir, (void)index, (void)cap, (void)arg;
	if (*len >= ISAKMP_HDR_LEN && buf[18] == ISAKMP_EXCH_QUICK && r->c.children_up > 0)
		return RIG_DROP;
	return RIG_PASS;
}

static void test_unanswered_rekey(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv_p2[0].life_s = 600;
	established(&r);
	uint64_t up = r.now;
	r.tamper = lose_rekeys;
	rig_run_timers(&r, up + 599 * 1000ull);
	assert_true(rig_logged(&r.c, "given up: no answer"));
	assert_false(r.c.failed || r.c.closed);
	assert_int_equal(r.c.children_up, 1);
	rig_run_timers(&r, up + 601 * 1000ull);
	assert_int_equal(r.c.children_down, 1);
	assert_true(r.c.closed);
	assert_false(r.c.failed);
	rig_free(&r);
}

/* The gateway answers the rekey with NO-PROPOSAL-CHOSEN: given up, the tunnel stays. */
static enum rig_verdict refuse_rekey(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                     size_t *len, size_t cap, void *arg)
{
	bool *sent = arg;
	(void)index;
	if (dir != RIG_C2S || *len < ISAKMP_HDR_LEN || buf[18] != ISAKMP_EXCH_QUICK ||
	    r->c.children_up == 0 || *sent)
		return RIG_PASS;
	/* answer in the gateway's place: an encrypted NO-PROPOSAL-CHOSEN notify */
	uint8_t body[256], msg[512];
	struct wr w = wr_init(body, sizeof(body));
	size_t hl = ike_oracle_hash_len(r->c.sa);
	wr_u8(&w, ISAKMP_PL_N);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl));
	wr_zero(&w, hl);
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, 12);
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ESP);
	wr_u8(&w, 0);
	wr_u16(&w, ISAKMP_N_NO_PROPOSAL_CHOSEN);
	struct isakmp_hdr h;
	ike_oracle_hdr(r->c.sa, &h, ISAKMP_EXCH_INFO, ISAKMP_PL_HASH, 0x6e6f7065);
	size_t n = ike_oracle_seal(r->c.sa, &h, body, w.len, ORACLE_HASH_1, msg, sizeof(msg));
	assert_true(n > 0);
	*sent = true;
	rig_inject(r, RIG_S2C, msg, n);
	(void)cap;
	return RIG_DROP;
}

static void test_refused_rekey(void **state)
{
	(void)state;
	struct rig r;
	bool sent = false;
	rig_init(&r);
	established(&r);
	r.tamper = refuse_rekey;
	r.tamper_arg = &sent;
	ike_child_volume(r.c.sa, r.now, r.c.child.spi_in, false);
	assert_true(rig_pump(&r));
	assert_true(sent);
	assert_true(rig_logged(&r.c, "NO-PROPOSAL-CHOSEN"));
	assert_true(rig_logged(&r.c, "given up"));
	assert_false(r.c.failed || r.c.closed);
	assert_true(ike_sa_established(r.c.sa));
	/* tried again later, and this time it goes through */
	r.tamper = NULL;
	rig_run_timers(&r, r.now + 31000);
	assert_int_equal(r.c.children_up, 2);
	assert_true(rig_mirrored(&r));
	rig_free(&r);
}

/* Both sides reach their mark at once: one quick mode is given up, the tunnel goes on. */
static void test_collision(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	established(&r);
	/* both QM1s leave before either arrives */
	struct ike_child_status cs[4], ss[4];
	live(r.c.sa, r.now, cs);
	live(r.s.sa, r.now, ss);
	ike_child_volume(r.c.sa, r.now, cs[0].spi_in, false);
	ike_child_volume(r.s.sa, r.now, ss[0].spi_in, false);
	assert_true(rig_pump(&r));
	rig_run_timers(&r, r.now + 60000);
	assert_false(r.c.failed || r.s.failed || r.c.closed || r.s.closed);
	/* exactly one rekey completed: the client's */
	assert_int_equal(r.c.children_up, 2);
	assert_int_equal(r.s.children_up, 2);
	assert_true(rig_mirrored(&r));
	assert_true(rig_logged(&r.s, "the client's rekey goes first"));
	struct ike_child_status st[16];
	assert_true(live(r.c.sa, r.now, st) >= 1);
	rig_free(&r);
}

/* With PFS the rekey runs a new DH exchange and still mirrors. */
static void test_rekey_with_pfs(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv.pfs = true;
	r.srv_p2[0].pfs_group = 2;
	established(&r);
	ike_child_volume(r.c.sa, r.now, r.c.child.spi_in, false);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.children_up, 2);
	assert_true(rig_mirrored(&r));
	rig_free(&r);
}

/* Lifetimes: very short ones are raised; the status shows what is left. */
static void test_lifetime_floor_and_status(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv_p2[0].life_s = 1;
	established(&r);
	assert_int_equal(r.c.child.life_s, 10);
	assert_true(rig_logged(&r.c, "raised to 10 s"));
	struct ike_child_status st[16];
	assert_int_equal(live(r.c.sa, r.now, st), 1);
	assert_int_equal(st[0].life_s, 10);
	assert_true(st[0].remaining_s >= 9 && st[0].remaining_s <= 10);
	rig_free(&r);
}

/* A DELETE for an SPI that does not exist changes nothing. */
static void test_delete_unknown_spi(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	established(&r);
	uint8_t body[128], msg[256];
	size_t hl = ike_oracle_hash_len(r.c.sa);
	struct wr w = wr_init(body, sizeof(body));
	wr_u8(&w, ISAKMP_PL_D);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl));
	wr_zero(&w, hl);
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, 16);
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ESP);
	wr_u8(&w, 4);
	wr_u16(&w, 1);
	wr_u32(&w, 0xdeadbeef);
	struct isakmp_hdr h;
	ike_oracle_hdr(r.c.sa, &h, ISAKMP_EXCH_INFO, ISAKMP_PL_HASH, 0x64656c31);
	size_t n = ike_oracle_seal(r.c.sa, &h, body, w.len, ORACLE_HASH_1, msg, sizeof(msg));
	assert_true(n > 0);
	rig_inject(&r, RIG_S2C, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.children_down, 0);
	assert_true(ike_sa_established(r.c.sa));
	assert_true(rig_logged(&r.c, "ignored a DELETE for IPsec SA deadbeef: no such SA"));
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_client_rekeys_before_time_lifetime),
	    cmocka_unit_test(test_volume_marks),
	    cmocka_unit_test(test_gateway_starts_rekey),
	    cmocka_unit_test(test_gateway_rekey_for_other_address_refused),
	    cmocka_unit_test(test_unanswered_rekey),
	    cmocka_unit_test(test_refused_rekey),
	    cmocka_unit_test(test_collision),
	    cmocka_unit_test(test_rekey_with_pfs),
	    cmocka_unit_test(test_lifetime_floor_and_status),
	    cmocka_unit_test(test_delete_unknown_spi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
