/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Regression tests for the engine holes of the security audit (issue "Security: close the
 * holes an audit found"). Each drives a client and a server engine through the in-memory rig
 * and attacks one of them the way a datagram from the network could: oversized encrypted
 * messages, a first message whose choice does not fit, quick modes for another user's
 * address, more quick modes than an IKE SA may hold, replayed informationals from a new
 * address, bad KE values, retransmission to unverified sources, control characters from the
 * peer, and lifetimes that nobody enforced.
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

#define OTHER_USER_ADDR 0x0a62000bu /* 10.98.0.11: someone else's pool address */

/* ---- tamper helpers ---- */

struct match {
	enum rig_dir dir;
	uint8_t exch;
	unsigned skip;  /* matching datagrams to let through first */
	unsigned count; /* how many to act on (0: all) */
	enum rig_verdict verdict;
	uint8_t captured[RIG_MAX_MSG];
	size_t captured_len;
	unsigned hits;
};

static bool exch_of(const uint8_t *buf, size_t len, uint8_t *exch)
{
	if (len < ISAKMP_HDR_LEN)
		return false;
	*exch = buf[18];
	return true;
}

/* Applies m->verdict to the matching datagrams and keeps a copy of the last one. */
static enum rig_verdict on_match(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                 size_t *len, size_t cap, void *arg)
{
	struct match *m = arg;
	uint8_t exch;
	(void)r, (void)index, (void)cap;
	if (dir != m->dir || !exch_of(buf, *len, &exch) || exch != m->exch)
		return RIG_PASS;
	if (m->skip) {
		m->skip--;
		return RIG_PASS;
	}
	if (m->count && m->hits >= m->count)
		return RIG_PASS;
	m->hits++;
	memcpy(m->captured, buf, *len);
	m->captured_len = *len;
	return m->verdict;
}

static void established(struct rig *r)
{
	rig_init(r);
	assert_true(rig_start(r));
	assert_true(r->c.children_up == 1 && r->s.children_up == 1);
}

/* ---- 1: oversized encrypted datagrams ---- */

static void fill_oversized(uint8_t *msg, size_t len, const struct ike_sa *sa, uint8_t exch)
{
	uint8_t icky[8], rcky[8];
	ike_sa_cookies(sa, icky, rcky);
	for (size_t i = 0; i < len; i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	memcpy(msg, icky, 8);
	memcpy(msg + 8, rcky, 8);
	msg[16] = ISAKMP_PL_HASH;
	msg[17] = ISAKMP_VERSION;
	msg[18] = exch;
	msg[19] = ISAKMP_FLAG_E;
	memset(msg + 20, 0, 4);
	msg[20] = exch == ISAKMP_EXCH_AGGRESSIVE ? 0 : 0x11;
	msg[24] = (uint8_t)(len >> 24);
	msg[25] = (uint8_t)(len >> 16);
	msg[26] = (uint8_t)(len >> 8);
	msg[27] = (uint8_t)len;
}

/* The server after AM1, waiting for AM3: its keys exist, the peer proved nothing yet. */
static void test_oversized_encrypted_to_server(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_AGGRESSIVE, .skip = 1, .verdict = RIG_DROP};
	m.hits = 0;
	rig_init(&r);
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	assert_int_equal(m.hits, 1); /* AM3 lost: the server waits with its keys derived */
	static uint8_t big[30000];
	fill_oversized(big, sizeof(big), r.s.sa, ISAKMP_EXCH_AGGRESSIVE);
	rig_inject(&r, RIG_C2S, big, sizeof(big));
	fill_oversized(big, sizeof(big), r.s.sa, ISAKMP_EXCH_TRANSACTION);
	rig_inject(&r, RIG_C2S, big, sizeof(big));
	assert_true(rig_pump(&r));
	assert_false(r.s.failed);
	assert_true(rig_logged(&r.s, "larger than"));
	/* the genuine AM3 still completes the handshake */
	r.tamper = NULL;
	rig_inject(&r, RIG_C2S, m.captured, m.captured_len);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_int_equal(r.s.children_up, 1);
	rig_free(&r);
}

/* The client with a live SA: its cookies are in every IKE header, in clear. */
static void test_oversized_encrypted_to_client(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	static uint8_t big[60000];
	uint8_t exch[] = {ISAKMP_EXCH_INFO, ISAKMP_EXCH_QUICK, ISAKMP_EXCH_TRANSACTION};
	for (size_t i = 0; i < sizeof(exch); i++) {
		fill_oversized(big, sizeof(big), r.c.sa, exch[i]);
		rig_inject(&r, RIG_S2C, big, sizeof(big));
	}
	assert_true(rig_pump(&r));
	assert_false(r.c.failed);
	assert_true(rig_logged(&r.c, "larger than"));
	assert_true(ike_sa_established(r.c.sa));
	rig_free(&r);
}

/* ---- 2: every exit of the first message ends the SA; every responder SA has a deadline */

/* An AM1 whose single transform carries `pad` bytes of repeated lifetime attributes. */
static size_t bloated_am1(const uint8_t *real, size_t real_len, size_t pad, uint8_t *out,
                          size_t cap)
{
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	assert_true(isakmp_hdr_parse(real, real_len, &h, &why));
	assert_true(
	    isakmp_chain_parse(real + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why));
	uint8_t sab[4096];
	struct wr w = wr_init(sab, sizeof(sab));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u32(&w, ISAKMP_SIT_IDENTITY_ONLY);
	size_t prop_at = w.len;
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u8(&w, 1);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 0);
	wr_u8(&w, 1);
	size_t t_at = w.len;
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_u8(&w, 1);
	wr_u8(&w, ISAKMP_KEY_IKE);
	wr_u16(&w, 0);
	isakmp_attr_write_tv(&w, IKE_ATTR_ENCR, CIPHER_AES_CBC);
	isakmp_attr_write_tv(&w, IKE_ATTR_KEY_LENGTH, 256);
	isakmp_attr_write_tv(&w, IKE_ATTR_HASH, HASH_SHA1);
	isakmp_attr_write_tv(&w, IKE_ATTR_AUTH, IKE_AUTH_XAUTH_INIT_PSK);
	isakmp_attr_write_tv(&w, IKE_ATTR_GROUP, 2);
	for (size_t n = 0; n < pad; n += 8) {
		isakmp_attr_write_tv(&w, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_attr_write_tv(&w, IKE_ATTR_LIFE_DURATION, 28800);
	}
	wr_put_u16(&w, t_at + 2, (uint16_t)(w.len - t_at));
	wr_put_u16(&w, prop_at + 2, (uint16_t)(w.len - prop_at));
	assert_false(w.err);

	struct isakmp_builder b;
	h.np = 0;
	isakmp_build_start(&b, out, cap, &h);
	for (size_t i = 0; i < c.n; i++) {
		if (c.pl[i].type == ISAKMP_PL_SA)
			isakmp_build_payload(&b, ISAKMP_PL_SA, sab, w.len);
		else
			isakmp_build_payload(&b, c.pl[i].type, c.pl[i].body, c.pl[i].len);
	}
	return isakmp_build_finish(&b);
}

static void test_am1_choice_too_large(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_AGGRESSIVE, .count = 1, .verdict = RIG_DROP};
	m.hits = 0;
	rig_init(&r);
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	assert_int_equal(m.hits, 1);
	assert_null(r.s.sa);
	static uint8_t am1[8192];
	size_t n = bloated_am1(m.captured, m.captured_len, 1100, am1, sizeof(am1));
	assert_true(n > 0);
	r.tamper = NULL;
	ike_sa_free(r.c.sa); /* the client has nothing more to say */
	r.c.sa = NULL;
	rig_inject(&r, RIG_C2S, am1, n);
	assert_true(rig_pump(&r));
	assert_non_null(r.s.sa);
	/* either answered or ended, never left idle without a timer */
	rig_run_timers(&r, r.now + 10 * 60 * 1000);
	assert_true(r.s.failed);
	assert_true(ike_next_timeout(r.s.sa) == UINT64_MAX);
	rig_free(&r);
}

/* A client that stops after XAUTH (never asks for its policy) is dropped by a deadline. */
static void test_responder_setup_deadline(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_TRANSACTION, .skip = 2, .verdict = RIG_DROP};
	m.hits = 0;
	rig_init(&r);
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	/* XAUTH REPLY and the STATUS ACK went through; the mode-config request did not */
	assert_true(m.hits >= 1);
	assert_string_equal(ike_sa_user(r.s.sa), "richard");
	ike_sa_free(r.c.sa);
	r.c.sa = NULL;
	rig_run_timers(&r, r.now + 60 * 60 * 1000);
	assert_true(r.s.failed);
	assert_int_equal(r.srv.assigned, r.srv.released);
	rig_free(&r);
}

/* ---- 3: quick mode only for the address this IKE SA was given ---- */

static const struct ike_p2_prop srv_transform = {
    ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA256, 0, 0, 0};

/* Sends a forged but validly hashed QM1 (and the QM3 if the server answers); returns whether
 * the server brought an ESP SA up for it. */
static bool forged_quick_mode(struct rig *r, uint32_t msgid, uint32_t ci_addr, uint32_t ci_mask)
{
	static uint8_t msg[4096];
	struct evc_net ci = {ci_addr, ci_mask}, cr = {0, 0};
	int before = r->s.children_up;
	static struct match m;
	memset(&m, 0, sizeof(m));
	m.dir = RIG_S2C;
	m.exch = ISAKMP_EXCH_QUICK;
	m.verdict = RIG_DROP;
	r->tamper = on_match;
	r->tamper_arg = &m;
	size_t n = ike_oracle_qm1(r->s.sa, msgid, &srv_transform, IPSEC_ENCAP_TUNNEL,
	                          0x1000 + msgid, &ci, &cr, msg, sizeof(msg));
	assert_true(n > 0);
	rig_inject(r, RIG_C2S, msg, n);
	assert_true(rig_pump(r));
	if (m.hits) {
		n = ike_oracle_qm3(r->s.sa, msgid, msg, sizeof(msg));
		assert_true(n > 0);
		rig_inject(r, RIG_C2S, msg, n);
		assert_true(rig_pump(r));
	}
	r->tamper = NULL;
	return r->s.children_up > before;
}

/* `respond` mode: the client skips mode-config and asks for another user's address. */
static void test_quick_mode_before_policy(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_TRANSACTION, .skip = 2, .verdict = RIG_DROP};
	m.hits = 0;
	rig_init(&r);
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	assert_int_equal(r.srv.assigned, 0);
	assert_false(forged_quick_mode(&r, 0x5151, OTHER_USER_ADDR, 0xffffffffu));
	assert_false(forged_quick_mode(&r, 0x5152, RIG_POOL_ADDR, 0xffffffffu));
	assert_int_equal(r.s.children_up, 0);
	rig_free(&r);
}

/* `initiate` mode: the client withholds the ACK of the XAUTH status, so nothing is pushed. */
static void test_quick_mode_without_status_ack(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_TRANSACTION, .skip = 1, .verdict = RIG_DROP};
	m.hits = 0;
	rig_init(&r);
	r.push = true;
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	assert_string_equal(ike_sa_user(r.s.sa), "richard");
	assert_false(forged_quick_mode(&r, 0x6161, OTHER_USER_ADDR, 0xffffffffu));
	assert_int_equal(r.s.children_up, 0);
	rig_free(&r);
}

/* After mode-config: only exactly the assigned address, never a subnet or 0.0.0.0/0. */
static void test_quick_mode_identity_after_policy(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	assert_false(forged_quick_mode(&r, 0x7171, OTHER_USER_ADDR, 0xffffffffu));
	assert_false(forged_quick_mode(&r, 0x7172, 0, 0));
	assert_false(forged_quick_mode(&r, 0x7173, 0x0a620000u, 0xffffff00u));
	assert_int_equal(r.s.children_up, 1);
	/* the assigned address itself is fine (a second SA pair, as a rekey makes) */
	assert_true(forged_quick_mode(&r, 0x7174, RIG_POOL_ADDR, 0xffffffffu));
	rig_free(&r);
}

/* ---- 4: children are capped per IKE SA, and all of them go with it ---- */

static void test_children_capped_and_all_deleted(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	for (uint32_t i = 0; i < 40; i++)
		forged_quick_mode(&r, 0x8000 + i, RIG_POOL_ADDR, 0xffffffffu);
	assert_true(r.s.children_up < 16);
	assert_true(rig_logged(&r.s, "too many IPsec SAs"));
	int up = r.s.children_up;
	ike_close(r.s.sa, r.now);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.children_down, up);
	rig_free(&r);
}

/* The client's side: when its IKE SA fails, every ESP SA it reported goes down too. */
static void test_client_children_down_on_failure(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	ike_sa_free(r.s.sa);
	r.s.sa = NULL;
	r.no_server = true;
	rig_run_timers(&r, r.now + 10 * 60 * 1000);
	assert_true(r.c.failed);
	assert_int_equal(r.c.children_down, r.c.children_up);
	rig_free(&r);
}

/* ---- 5: only fresh messages move the peer ---- */

static void test_replayed_info_does_not_move_peer(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_INFO, .count = 1, .verdict = RIG_PASS};
	m.hits = 0;
	rig_init(&r);
	r.natt = IKE_NATT_FORCE;
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 11000); /* the client's first DPD probe, answered */
	assert_int_equal(m.hits, 1);
	rig_run_timers(&r, r.now + 11000); /* and a second one: the first is old now */
	assert_false(r.c.failed);
	/* an attacker replays the old probe from a third address */
	r.client_src_ip = 0xcb007109u; /* 203.0.113.9 */
	int sends = r.s.sends;
	rig_inject(&r, RIG_C2S, m.captured, m.captured_len);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.moved, 0);
	assert_int_equal(ike_sa_peer(r.s.sa).addr, RIG_CLIENT_IP);
	/* ... nor is it taken again from the client's own address */
	r.client_src_ip = 0;
	rig_inject(&r, RIG_C2S, m.captured, m.captured_len);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.sends, sends);
	assert_true(rig_logged(&r.s, "replayed informational"));
	rig_free(&r);
}

/* ---- 6: validate before work; retransmit little to unverified sources ---- */

static void test_bad_ke_checked_before_lookup(void **state)
{
	(void)state;
	static const uint8_t bad_fill[] = {0x00, 0xff};
	for (size_t k = 0; k < sizeof(bad_fill); k++) {
		struct rig r;
		static struct match m = {.dir = RIG_C2S,
		                         .exch = ISAKMP_EXCH_AGGRESSIVE,
		                         .count = 1,
		                         .verdict = RIG_DROP};
		m.hits = 0;
		rig_init(&r);
		r.tamper = on_match;
		r.tamper_arg = &m;
		assert_true(rig_start(&r));
		struct isakmp_hdr h;
		struct isakmp_chain c;
		const char *why;
		assert_true(isakmp_hdr_parse(m.captured, m.captured_len, &h, &why));
		assert_true(isakmp_chain_parse(m.captured + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN,
		                               h.np, &c, &why));
		const struct isakmp_pl *ke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
		assert_non_null(ke);
		memset((uint8_t *)ke->body, bad_fill[k], ke->len); /* 0 and p+something */
		r.tamper = NULL;
		rig_inject(&r, RIG_C2S, m.captured, m.captured_len);
		assert_true(rig_pump(&r));
		assert_true(r.s.failed);
		assert_int_equal(r.srv.psk_lookups, 0);
		rig_free(&r);
	}
}

static void test_am2_retransmitted_little(void **state)
{
	(void)state;
	struct rig r;
	static struct match m = {
	    .dir = RIG_C2S, .exch = ISAKMP_EXCH_AGGRESSIVE, .count = 1, .verdict = RIG_DROP};
	m.hits = 0;
	rig_init(&r);
	r.tamper = on_match;
	r.tamper_arg = &m;
	assert_true(rig_start(&r));
	ike_sa_free(r.c.sa); /* a spoofed first message: nobody will answer AM2 */
	r.c.sa = NULL;
	r.tamper = NULL;
	rig_inject(&r, RIG_C2S, m.captured, m.captured_len);
	assert_true(rig_pump(&r));
	rig_run_timers(&r, r.now + 120 * 1000);
	assert_true(r.s.failed);
	assert_true(r.s.sends <= 3);
	rig_free(&r);
}

/* ---- 9: only printable text from the peer ---- */

static bool has_controls(const char *s, bool allow_newline)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p == '\n' && allow_newline) || *p == '\t')
			continue;
		if (*p < 0x20 || *p == 0x7f)
			return true;
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return true; /* a C1 control in UTF-8 */
	}
	return false;
}

static void test_banner_sanitised(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv.banner = "Welcome\x1b]0;owned\x07\r\nline two\xc2\x9b"
	               "2J end\tok";
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_int_equal(r.c.banners, 1);
	assert_false(has_controls(r.c.banner, true));
	assert_non_null(strstr(r.c.banner, "Welcome"));
	assert_non_null(strstr(r.c.banner, "\nline two"));
	assert_false(has_controls(r.c.policy.banner, true));
	rig_free(&r);
}

static void test_xauth_user_name_sanitised(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.user = "rich\x1b[31mard\r";
	r.passwords[1] = r.passwords[2] = "x";
	r.n_passwords = 3;
	assert_true(rig_start(&r));
	assert_false(has_controls(r.s.log, true));
	assert_int_equal(r.s.verifies, 0);
	assert_int_equal(r.c.children_up, 0);
	rig_free(&r);
}

/* The server's XAUTH request rewritten in flight (validly hashed) to carry a hostile message
 * or another XAUTH type: the prompt shows clean text, and an unsupported type sends nothing. */
struct xauth_rewrite {
	const uint8_t *attrs;
	size_t len;
	bool done;
};

static enum rig_verdict rewrite_xauth_request(struct rig *r, enum rig_dir dir, unsigned index,
                                              uint8_t *buf, size_t *len, size_t cap, void *arg)
{
	struct xauth_rewrite *x = arg;
	uint8_t plain[4096], body[4096];
	struct isakmp_hdr h;
	(void)index;
	if (dir != RIG_S2C || x->done || *len < ISAKMP_HDR_LEN ||
	    buf[18] != ISAKMP_EXCH_TRANSACTION)
		return RIG_PASS;
	int n = ike_oracle_open(r->c.sa, buf, *len, &h, plain, sizeof(plain));
	assert_true(n > 0);
	size_t hl = ike_oracle_hash_len(r->c.sa);
	/* HASH payload, then an ATTR payload: REQUEST with our attributes */
	struct wr w = wr_init(body, sizeof(body));
	wr_bytes(&w, plain, 4 + hl);
	body[0] = ISAKMP_PL_ATTR;
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(8 + 4 * 2 + x->len));
	wr_u8(&w, ISAKMP_CFG_REQUEST);
	wr_u8(&w, 0);
	wr_u16(&w, 0x4242);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_NAME, NULL, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_PASSWORD, NULL, 0);
	wr_bytes(&w, x->attrs, x->len);
	assert_false(w.err);
	size_t out = ike_oracle_seal(r->c.sa, &h, body, w.len, ORACLE_HASH_1, buf, cap);
	assert_true(out > 0);
	*len = out;
	x->done = true;
	return RIG_PASS;
}

static void test_xauth_message_sanitised(void **state)
{
	(void)state;
	uint8_t attrs[128];
	struct wr w = wr_init(attrs, sizeof(attrs));
	static const char msg[] = "Enter \x1b[8mPIN\r\x7f\xc2\x9b"
	                          "1m now";
	isakmp_attr_write_tlv(&w, CFG_XAUTH_MESSAGE, msg, sizeof(msg) - 1);
	struct xauth_rewrite x = {attrs, w.len, false};
	struct rig r;
	rig_init(&r);
	r.n_passwords = 0; /* look at the prompt only */
	r.tamper = rewrite_xauth_request;
	r.tamper_arg = &x;
	assert_true(rig_start(&r));
	assert_true(x.done);
	assert_int_equal(r.c.prompts, 1);
	assert_non_null(strstr(r.c.xauth_message, "Enter"));
	assert_false(has_controls(r.c.xauth_message, false));
	rig_free(&r);
}

static void test_xauth_other_type_sends_no_password(void **state)
{
	(void)state;
	uint8_t attrs[16];
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tv(&w, CFG_XAUTH_TYPE, 1); /* RADIUS-CHAP */
	struct xauth_rewrite x = {attrs, w.len, false};
	struct rig r;
	rig_init(&r);
	r.tamper = rewrite_xauth_request;
	r.tamper_arg = &x;
	assert_true(rig_start(&r));
	assert_true(x.done);
	assert_int_equal(r.c.prompts, 0);
	assert_int_equal(r.c.answers, 0);
	assert_true(r.c.failed);
	assert_int_equal(r.c.fail_step, IKE_STEP_XAUTH);
	assert_non_null(strstr(r.c.fail_text, "XAUTH type 1"));
	rig_free(&r);
}

/* ---- 10: negotiated lifetimes are enforced ---- */

/* Loses every quick-mode message after the first exchange: no rekey can succeed. */
static enum rig_verdict no_rekey(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                 size_t *len, size_t cap, void *arg)
{
	(void)index, (void)cap, (void)arg, (void)dir;
	if (*len >= ISAKMP_HDR_LEN && buf[18] == ISAKMP_EXCH_QUICK && r->c.children_up > 0 &&
	    r->s.children_up > 0)
		return RIG_DROP;
	return RIG_PASS;
}

/* A pair that nobody manages to rekey ends at its hard lifetime on both sides. */
static void test_child_lifetime_enforced(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	r.tamper = no_rekey;
	assert_int_equal(r.c.child.life_s, 3600);
	uint64_t up = r.now;
	rig_run_timers(&r, up + 3590 * 1000ull);
	assert_int_equal(r.s.children_down, 0);
	assert_int_equal(r.c.children_down, 0);
	rig_run_timers(&r, up + 3610 * 1000ull);
	assert_int_equal(r.s.children_down, 1);
	assert_int_equal(r.c.children_down, 1);
	assert_true(r.c.closed); /* no pair left: the client says so and ends */
	rig_free(&r);
}

static void test_ike_lifetime_enforced(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv_p2[0].life_s = 0; /* only the phase-1 lifetime is left to end it */
	r.srv_p1[0].life_s = 600;
	assert_true(rig_start(&r));
	assert_int_equal(r.s.children_up, 1);
	uint64_t up = r.now;
	rig_run_timers(&r, up + 590 * 1000ull);
	assert_false(r.s.closed || r.s.failed);
	rig_run_timers(&r, up + 620 * 1000ull);
	assert_true(r.s.closed || r.s.failed);
	assert_int_equal(r.srv.assigned, r.srv.released);
	assert_int_equal(r.s.children_down, 1);
	assert_true(r.c.closed || r.c.failed);
	rig_free(&r);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]); /* one test by name, for bisecting a fix */
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_oversized_encrypted_to_server),
	    cmocka_unit_test(test_oversized_encrypted_to_client),
	    cmocka_unit_test(test_am1_choice_too_large),
	    cmocka_unit_test(test_responder_setup_deadline),
	    cmocka_unit_test(test_quick_mode_before_policy),
	    cmocka_unit_test(test_quick_mode_without_status_ack),
	    cmocka_unit_test(test_quick_mode_identity_after_policy),
	    cmocka_unit_test(test_children_capped_and_all_deleted),
	    cmocka_unit_test(test_client_children_down_on_failure),
	    cmocka_unit_test(test_replayed_info_does_not_move_peer),
	    cmocka_unit_test(test_bad_ke_checked_before_lookup),
	    cmocka_unit_test(test_am2_retransmitted_little),
	    cmocka_unit_test(test_banner_sanitised),
	    cmocka_unit_test(test_xauth_user_name_sanitised),
	    cmocka_unit_test(test_xauth_message_sanitised),
	    cmocka_unit_test(test_xauth_other_type_sends_no_password),
	    cmocka_unit_test(test_child_lifetime_enforced),
	    cmocka_unit_test(test_ike_lifetime_enforced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
