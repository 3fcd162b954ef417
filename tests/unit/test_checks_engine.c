/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Engine checks that no other test reached: each test here fails when the check it names in
 * tests/mutation/checks.txt is disabled (tests/mutation/mutate.py proves it). They drive a
 * client and a server engine through the in-memory rig and send what a real peer never does:
 * phase-1 messages with payloads of the wrong size, replays of phase-1 messages after the SA
 * is up, unencrypted notifies, DPD and DELETEs, a client that skips XAUTH, messages forged
 * with the live keys (a peer that knows the group key, or the gateway itself) in the wrong
 * state, and quick modes for a subnet of the assigned address.
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
#include "ike/sa_int.h" /* modecfg_parse */
#include "ike_oracle.h"

#define THIRD_PARTY_IP 0xcb007105u /* 203.0.113.5 */

/* ---- catching and rewriting datagrams ---- */

/* Matches datagrams of one direction and exchange; acts on the (skip+1)-th one. */
struct grab {
	enum rig_dir dir;
	uint8_t exch;
	unsigned skip;
	enum rig_verdict verdict;
	/* optional rewrite of the matched datagram, before the verdict applies */
	size_t (*rewrite)(struct rig *r, uint8_t *buf, size_t len, size_t cap, void *arg);
	void *arg;
	bool hit;
	uint8_t copy[RIG_MAX_MSG];
	size_t copy_len;
};

static enum rig_verdict grab_hook(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                  size_t *len, size_t cap, void *arg)
{
	struct grab *g = arg;
	(void)index;
	if (g->hit || dir != g->dir || *len < ISAKMP_HDR_LEN || buf[18] != g->exch)
		return RIG_PASS;
	if (g->skip) {
		g->skip--;
		return RIG_PASS;
	}
	g->hit = true;
	memcpy(g->copy, buf, *len);
	g->copy_len = *len;
	if (g->rewrite) {
		size_t n = g->rewrite(r, buf, *len, cap, g->arg);
		assert_true(n > 0);
		*len = n;
	}
	return g->verdict;
}

static void grab_on(struct rig *r, struct grab *g, enum rig_dir dir, uint8_t exch, unsigned skip,
                    enum rig_verdict v)
{
	memset(g, 0, sizeof(*g));
	g->dir = dir;
	g->exch = exch;
	g->skip = skip;
	g->verdict = v;
	r->tamper = grab_hook;
	r->tamper_arg = g;
}

/* A payload replacement for a message in clear: the first payload of `type` gets `body`. */
struct swap {
	uint8_t type;
	const uint8_t *body;
	size_t len;
};

static size_t swap_payload(struct rig *r, uint8_t *buf, size_t len, size_t cap, void *arg)
{
	const struct swap *s = arg;
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	static uint8_t in[RIG_MAX_MSG];
	(void)r;
	memcpy(in, buf, len);
	assert_true(isakmp_hdr_parse(in, len, &h, &why));
	assert_false(h.flags & ISAKMP_FLAG_E);
	assert_true(
	    isakmp_chain_parse(in + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why));
	struct isakmp_builder b;
	bool done = false;
	h.np = 0;
	isakmp_build_start(&b, buf, cap, &h);
	for (size_t i = 0; i < c.n; i++) {
		if (c.pl[i].type == s->type && !done) {
			isakmp_build_payload(&b, s->type, s->body, s->len);
			done = true;
		} else {
			isakmp_build_payload(&b, c.pl[i].type, c.pl[i].body, c.pl[i].len);
		}
	}
	assert_true(done);
	return isakmp_build_finish(&b);
}

/* Runs a handshake in which the (skip+1)-th `exch` datagram of `dir` has payload `type`
 * replaced by body/len; the genuine datagram is kept in g->copy. */
static void start_swapped(struct rig *r, struct grab *g, enum rig_dir dir, unsigned skip,
                          struct swap *s)
{
	grab_on(r, g, dir, ISAKMP_EXCH_AGGRESSIVE, skip, RIG_PASS);
	g->rewrite = swap_payload;
	g->arg = s;
	assert_true(rig_start(r));
	assert_true(g->hit);
	r->tamper = NULL;
}

/* The genuine datagram still completes the handshake afterwards: the bad one was dropped
 * without harm. */
static void genuine_completes(struct rig *r, enum rig_dir dir, const struct grab *g)
{
	rig_inject(r, dir, g->copy, g->copy_len);
	assert_true(rig_pump(r));
	assert_int_equal(r->c.children_up, 1);
	assert_int_equal(r->s.children_up, 1);
	assert_true(rig_mirrored(r));
}

static void established(struct rig *r)
{
	rig_init(r);
	assert_true(rig_start(r));
	assert_int_equal(r->c.children_up, 1);
	assert_int_equal(r->s.children_up, 1);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* ---- forging with the receiver's keys ---- */

/* HASH(hl) then one payload of `type`; returns the body length. */
static size_t hashed_body(uint8_t *out, size_t cap, size_t hl, uint8_t type, const uint8_t *pl,
                          size_t pl_len)
{
	struct wr w = wr_init(out, cap);
	wr_u8(&w, type);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl));
	wr_zero(&w, hl);
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + pl_len));
	wr_bytes(&w, pl, pl_len);
	assert_false(w.err);
	return w.len;
}

/* An encrypted, validly hashed (HASH(1)) message of exchange exch for rx. */
static size_t forge(const struct ike_sa *rx, uint8_t exch, uint32_t msgid, uint8_t type,
                    const uint8_t *pl, size_t pl_len, uint8_t *out, size_t cap)
{
	uint8_t body[4096];
	struct isakmp_hdr h;
	assert_true(ike_oracle_keyed(rx));
	size_t n = hashed_body(body, sizeof(body), ike_oracle_hash_len(rx), type, pl, pl_len);
	ike_oracle_hdr(rx, &h, exch, ISAKMP_PL_HASH, msgid);
	size_t len = ike_oracle_seal(rx, &h, body, n, ORACLE_HASH_1, out, cap);
	assert_true(len > 0);
	return len;
}

/* A transaction message: ATTR payload of cfg type `type`, identifier id, attributes. */
static size_t forge_txn(const struct ike_sa *rx, uint32_t msgid, uint8_t type, uint16_t id,
                        const uint8_t *attrs, size_t alen, uint8_t *out, size_t cap)
{
	uint8_t pl[2048];
	struct wr w = wr_init(pl, sizeof(pl));
	wr_u8(&w, type);
	wr_u8(&w, 0);
	wr_u16(&w, id);
	wr_bytes(&w, attrs, alen);
	assert_false(w.err);
	return forge(rx, ISAKMP_EXCH_TRANSACTION, msgid, ISAKMP_PL_ATTR, pl, w.len, out, cap);
}

/* A notify body about rx's IKE SA (protocol ISAKMP, the cookies as SPI). */
static size_t notify_body(const struct ike_sa *rx, uint16_t type, const uint8_t *data, size_t dlen,
                          uint8_t *out, size_t cap)
{
	uint8_t icky[8], rcky[8];
	ike_sa_cookies(rx, icky, rcky);
	struct wr w = wr_init(out, cap);
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 16);
	wr_u16(&w, type);
	wr_bytes(&w, icky, 8);
	wr_bytes(&w, rcky, 8);
	wr_bytes(&w, data, dlen);
	assert_false(w.err);
	return w.len;
}

/* An informational in clear with rx's cookies and one payload. */
static size_t plain_info(const struct ike_sa *rx, uint8_t type, const uint8_t *pl, size_t pl_len,
                         uint8_t *out, size_t cap)
{
	struct isakmp_hdr h;
	struct isakmp_builder b;
	memset(&h, 0, sizeof(h));
	ike_sa_cookies(rx, h.icky, h.rcky);
	h.version = ISAKMP_VERSION;
	h.exch = ISAKMP_EXCH_INFO;
	isakmp_build_start(&b, out, cap, &h);
	isakmp_build_payload(&b, type, pl, pl_len);
	size_t n = isakmp_build_finish(&b);
	assert_true(n > 0);
	return n;
}

/* ==== phase 1: sizes in the gateway's AM2 ==== */

/* am2-ke-len: a KE shorter than the group's is named, not read past its end. */
static void test_am2_short_ke(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t ke[64];
	fill(ke, sizeof(ke), 3);
	struct swap s = {ISAKMP_PL_KE, ke, sizeof(ke)};
	rig_init(&r);
	start_swapped(&r, &g, RIG_S2C, 0, &s);
	/* dropped or failed, but named for what it is, and never taken */
	assert_true(rig_logged(&r.c, "64 bytes") || rig_logged(&r.c, "64-byte"));
	assert_int_equal(r.c.prompts, 0);
	assert_false(ike_sa_authenticated(r.c.sa));
	rig_free(&r);
}

/* am2-nonce-len: a 100-byte nonce would overflow sa->nr; the message is dropped. */
static void test_am2_long_nonce(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t nonce[100];
	fill(nonce, sizeof(nonce), 5);
	struct swap s = {ISAKMP_PL_NONCE, nonce, sizeof(nonce)};
	rig_init(&r);
	start_swapped(&r, &g, RIG_S2C, 0, &s);
	assert_false(r.c.failed);
	assert_true(rig_logged(&r.c, "100-byte nonce"));
	genuine_completes(&r, RIG_S2C, &g);
	rig_free(&r);
}

/* am2-id-len: an ID payload larger than sa->idr_b is dropped. */
static void test_am2_long_id(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t id[300];
	memset(id, 'a', sizeof(id));
	id[0] = ISAKMP_ID_FQDN;
	id[1] = 17;
	id[2] = 0x01;
	id[3] = 0xf4;
	struct swap s = {ISAKMP_PL_ID, id, sizeof(id)};
	rig_init(&r);
	start_swapped(&r, &g, RIG_S2C, 0, &s);
	assert_false(r.c.failed);
	assert_true(rig_logged(&r.c, "bad ID or cookie"));
	genuine_completes(&r, RIG_S2C, &g);
	rig_free(&r);
}

/* An SA payload choosing one ISAKMP transform. */
static size_t p1_choice(uint8_t *out, size_t cap, uint16_t encr, uint16_t bits, uint16_t hash,
                        uint16_t auth, uint16_t group)
{
	struct wr w = wr_init(out, cap);
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u32(&w, ISAKMP_SIT_IDENTITY_ONLY);
	size_t p_at = w.len;
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
	isakmp_attr_write_tv(&w, IKE_ATTR_ENCR, encr);
	if (bits)
		isakmp_attr_write_tv(&w, IKE_ATTR_KEY_LENGTH, bits);
	isakmp_attr_write_tv(&w, IKE_ATTR_HASH, hash);
	isakmp_attr_write_tv(&w, IKE_ATTR_AUTH, auth);
	isakmp_attr_write_tv(&w, IKE_ATTR_GROUP, group);
	wr_put_u16(&w, t_at + 2, (uint16_t)(w.len - t_at));
	wr_put_u16(&w, p_at + 2, (uint16_t)(w.len - p_at));
	assert_false(w.err);
	return w.len;
}

/* am2-offered: HASH_R does not cover the gateway's choice, so a man in the middle can change
 * it; the client takes only what it offered. */
static void test_am2_choice_not_offered(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t sab[256];
	size_t n =
	    p1_choice(sab, sizeof(sab), CIPHER_3DES, 0, HASH_SHA1, IKE_AUTH_XAUTH_INIT_PSK, 2);
	struct swap s = {ISAKMP_PL_SA, sab, n};
	rig_init(&r);
	r.cli_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_XAUTH_INIT_PSK, 2, 0};
	r.n_cli_p1 = 1;
	start_swapped(&r, &g, RIG_S2C, 0, &s);
	/* dropped or failed, for that reason, and never taken */
	assert_false(ike_sa_authenticated(r.c.sa));
	assert_true(rig_logged(&r.c, "did not offer"));
	assert_int_equal(r.c.prompts, 0);
	rig_free(&r);
}

/* ==== phase 1: sizes and names in the client's AM1 ==== */

/* The server's SA from a rewritten AM1; the client is gone (it cannot follow). */
static void am1_swapped(struct rig *r, struct swap *s)
{
	struct grab g;
	rig_init(r);
	grab_on(r, &g, RIG_C2S, ISAKMP_EXCH_AGGRESSIVE, 0, RIG_DROP);
	assert_true(rig_start(r));
	assert_true(g.hit);
	r->tamper = NULL;
	ike_sa_free(r->c.sa);
	r->c.sa = NULL;
	static uint8_t msg[RIG_MAX_MSG];
	memcpy(msg, g.copy, g.copy_len);
	size_t n = swap_payload(r, msg, g.copy_len, sizeof(msg), s);
	rig_inject(r, RIG_C2S, msg, n);
	assert_true(rig_pump(r));
	assert_non_null(r->s.sa);
}

/* am1-lengths-nonce: a 100-byte nonce (RFC 2409 allows 256; sa->ni holds 64) ends the SA. */
static void test_am1_long_nonce(void **state)
{
	(void)state;
	struct rig r;
	uint8_t nonce[100];
	fill(nonce, sizeof(nonce), 9);
	struct swap s = {ISAKMP_PL_NONCE, nonce, sizeof(nonce)};
	am1_swapped(&r, &s);
	assert_true(r.s.failed);
	assert_non_null(strstr(r.s.fail_text, "too large"));
	assert_int_equal(r.srv.psk_lookups, 0);
	rig_free(&r);
}

/* am1-lengths-id: an ID payload larger than sa->idi_b ends the SA with that reason. */
static void test_am1_long_id(void **state)
{
	(void)state;
	struct rig r;
	uint8_t id[300];
	memset(id, 'q', sizeof(id));
	id[0] = ISAKMP_ID_KEY_ID;
	id[1] = 17;
	id[2] = 0x01;
	id[3] = 0xf4;
	struct swap s = {ISAKMP_PL_ID, id, sizeof(id)};
	am1_swapped(&r, &s);
	assert_true(r.s.failed);
	assert_non_null(strstr(r.s.fail_text, "too large"));
	assert_int_equal(r.srv.psk_lookups, 0);
	rig_free(&r);
}

/* am1-group-printable: a group name with a control byte is refused before any lookup. */
static void test_am1_group_with_control_byte(void **state)
{
	(void)state;
	struct rig r;
	static const uint8_t id[] = {
	    ISAKMP_ID_KEY_ID, 17, 0x01, 0xf4, 'q', 'u', 'i', 'z', 0x1b, 'w', 'a', 'r', 'e'};
	struct swap s = {ISAKMP_PL_ID, id, sizeof(id)};
	am1_swapped(&r, &s);
	assert_true(r.s.failed);
	assert_non_null(strstr(r.s.fail_text, "not a group name"));
	assert_int_equal(r.srv.psk_lookups, 0);
	rig_free(&r);
}

/* am1-ke-group: a KE whose length is not the offered group's is named as such. */
static void test_am1_ke_wrong_size(void **state)
{
	(void)state;
	struct rig r;
	uint8_t ke[96];
	fill(ke, sizeof(ke), 11);
	struct swap s = {ISAKMP_PL_KE, ke, sizeof(ke)};
	am1_swapped(&r, &s);
	assert_true(r.s.failed);
	assert_non_null(strstr(r.s.fail_text, "KE of the wrong size"));
	assert_int_equal(r.srv.psk_lookups, 0);
	rig_free(&r);
}

/* p1-xauth-required: a client that offers only plain PSK cannot skip XAUTH. */
static void test_client_cannot_skip_xauth(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.cli_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 2, 0};
	r.n_cli_p1 = 1;
	assert_true(rig_start(&r));
	assert_true(r.s.failed);
	assert_non_null(strstr(r.s.fail_text, "matches a crypto isakmp policy"));
	assert_int_equal(r.srv.assigned, 0);
	assert_int_equal(r.s.children_up, 0);
	rig_free(&r);
}

/* ==== phase 1: replays and broken messages later on ==== */

/* am2-state: the gateway's AM2 replayed once the tunnel is up changes nothing. */
static void test_am2_replayed_when_up(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_AGGRESSIVE, 0, RIG_PASS);
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_int_equal(r.c.children_up, 1);
	r.tamper = NULL;
	int sends = r.c.sends;
	rig_inject(&r, RIG_S2C, g.copy, g.copy_len);
	assert_true(rig_pump(&r));
	assert_false(r.c.failed);
	assert_int_equal(r.c.sends, sends);
	assert_true(ike_sa_established(r.c.sa));
	assert_true(rig_logged(&r.c, "ignored aggressive-mode message in state ESTABLISHED"));
	rig_free(&r);
}

/* Keeps the cleartext of the client's AM3 as a clear AM3 (RFC 2409 draws it so). */
static uint8_t clear_am3[RIG_MAX_MSG];
static size_t clear_am3_len;

static size_t keep_clear_am3(struct rig *r, uint8_t *buf, size_t len, size_t cap, void *arg)
{
	uint8_t plain[4096];
	struct isakmp_hdr h;
	(void)cap, (void)arg;
	int n = ike_oracle_open(r->s.sa, buf, len, &h, plain, sizeof(plain));
	assert_true(n > 0);
	h.flags &= (uint8_t)~ISAKMP_FLAG_E;
	struct isakmp_chain c;
	const char *why;
	assert_true(isakmp_chain_parse(plain, (size_t)n, h.np, &c, &why));
	/* the payloads without the CBC padding */
	size_t body = (size_t)(c.pl[c.n - 1].raw + c.pl[c.n - 1].raw_len - plain);
	h.len = (uint32_t)(ISAKMP_HDR_LEN + body);
	struct wr w = wr_init(clear_am3, sizeof(clear_am3));
	isakmp_hdr_write(&w, &h);
	wr_bytes(&w, plain, body);
	assert_false(w.err);
	clear_am3_len = w.len;
	return len;
}

/* am3-state: a client's AM3 (here in clear, as RFC 2409 clients send it) replayed once the
 * tunnel is up changes nothing; acted on, it would take the SA back to phase 1. */
static void test_am3_replayed_when_up(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	rig_init(&r);
	grab_on(&r, &g, RIG_C2S, ISAKMP_EXCH_AGGRESSIVE, 1, RIG_PASS);
	g.rewrite = keep_clear_am3;
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_int_equal(r.s.children_up, 1);
	r.tamper = NULL;
	int sends = r.s.sends;
	rig_inject(&r, RIG_C2S, clear_am3, clear_am3_len);
	assert_true(rig_pump(&r));
	assert_false(r.s.failed);
	assert_int_equal(r.s.sends, sends);
	assert_true(ike_sa_established(r.s.sa));
	rig_free(&r);
}

/* am3-decrypt: an encrypted AM3 too short to hold one block is dropped; the real one still
 * completes phase 1. */
static void test_am3_not_decryptable(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	rig_init(&r);
	grab_on(&r, &g, RIG_C2S, ISAKMP_EXCH_AGGRESSIVE, 1, RIG_DROP);
	assert_true(rig_start(&r));
	assert_true(g.hit);
	r.tamper = NULL;
	uint8_t bad[ISAKMP_HDR_LEN + 7];
	memcpy(bad, g.copy, sizeof(bad));
	bad[24] = bad[25] = bad[26] = 0;
	bad[27] = sizeof(bad);
	rig_inject(&r, RIG_C2S, bad, sizeof(bad));
	assert_true(rig_pump(&r));
	assert_false(r.s.failed);
	assert_true(rig_logged(&r.s, "does not decrypt"));
	genuine_completes(&r, RIG_C2S, &g);
	rig_free(&r);
}

/* ==== who may speak: cookies and addresses ==== */

/* The client waits for AM2 (lost); an unencrypted error notify would still be believed. */
static void client_waiting_for_am2(struct rig *r)
{
	struct grab g;
	rig_init(r);
	grab_on(r, &g, RIG_S2C, ISAKMP_EXCH_AGGRESSIVE, 0, RIG_DROP);
	assert_true(rig_start(r));
	assert_true(g.hit);
	r->tamper = NULL;
	assert_false(r->c.failed);
}

/* sa-cookie: a notify for another initiator cookie is not about this SA. */
static void test_notify_for_other_cookie(void **state)
{
	(void)state;
	struct rig r;
	uint8_t n[64], msg[256];
	client_waiting_for_am2(&r);
	size_t nl = notify_body(r.c.sa, ISAKMP_N_NO_PROPOSAL_CHOSEN, NULL, 0, n, sizeof(n));
	size_t len = plain_info(r.c.sa, ISAKMP_PL_N, n, nl, msg, sizeof(msg));
	msg[0] ^= 0x5a; /* another initiator's cookie */
	rig_inject(&r, RIG_S2C, msg, len);
	assert_true(rig_pump(&r));
	assert_false(r.c.failed);
	/* the same notify for this SA is believed: the test above tested the cookie */
	msg[0] ^= 0x5a;
	rig_inject(&r, RIG_S2C, msg, len);
	assert_true(rig_pump(&r));
	assert_true(r.c.failed);
	rig_free(&r);
}

/* sa-from-peer: an unencrypted notify from an address that is not the gateway's. */
static void test_notify_from_other_address(void **state)
{
	(void)state;
	struct rig r;
	uint8_t n[64], msg[256];
	client_waiting_for_am2(&r);
	size_t nl = notify_body(r.c.sa, ISAKMP_N_NO_PROPOSAL_CHOSEN, NULL, 0, n, sizeof(n));
	size_t len = plain_info(r.c.sa, ISAKMP_PL_N, n, nl, msg, sizeof(msg));
	struct ike_endpoint from = {THIRD_PARTY_IP, IKE_PORT}, to = {RIG_CLIENT_IP, IKE_PORT};
	ike_input(r.c.sa, r.now, msg, len, &from, &to);
	assert_true(rig_pump(&r));
	assert_false(r.c.failed);
	assert_true(rig_logged(&r.c, "not the peer"));
	rig_free(&r);
}

/* ==== informational exchange ==== */

/* info-plain-notify: after phase 1 an unencrypted error notify is ignored. */
static void test_plain_notify_after_phase1(void **state)
{
	(void)state;
	struct rig r;
	uint8_t n[64], msg[256];
	established(&r);
	size_t nl = notify_body(r.c.sa, ISAKMP_N_NO_PROPOSAL_CHOSEN, NULL, 0, n, sizeof(n));
	size_t len = plain_info(r.c.sa, ISAKMP_PL_N, n, nl, msg, sizeof(msg));
	rig_inject(&r, RIG_S2C, msg, len);
	assert_true(rig_pump(&r));
	assert_false(r.c.failed);
	assert_true(ike_sa_established(r.c.sa));
	assert_true(rig_logged(&r.c, "ignored unauthenticated"));
	rig_free(&r);
}

/* info-plain-dpd: an unencrypted R-U-THERE gets no answer (no reflection). */
static void test_plain_dpd_ignored(void **state)
{
	(void)state;
	struct rig r;
	uint8_t n[64], msg[256];
	static const uint8_t seq[4] = {0, 0, 0x12, 0x34};
	established(&r);
	size_t nl = notify_body(r.c.sa, ISAKMP_N_R_U_THERE, seq, sizeof(seq), n, sizeof(n));
	size_t len = plain_info(r.c.sa, ISAKMP_PL_N, n, nl, msg, sizeof(msg));
	int sends = r.c.sends;
	rig_inject(&r, RIG_S2C, msg, len);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.sends, sends);
	rig_free(&r);
}

/* info-plain-delete: an unencrypted DELETE of the IKE SA does not end it. */
static void test_plain_delete_ignored(void **state)
{
	(void)state;
	struct rig r;
	uint8_t d[32], msg[256];
	established(&r);
	uint8_t icky[8], rcky[8];
	ike_sa_cookies(r.c.sa, icky, rcky);
	struct wr w = wr_init(d, sizeof(d));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 16);
	wr_u16(&w, 1);
	wr_bytes(&w, icky, 8);
	wr_bytes(&w, rcky, 8);
	assert_false(w.err);
	size_t len = plain_info(r.c.sa, ISAKMP_PL_D, d, w.len, msg, sizeof(msg));
	rig_inject(&r, RIG_S2C, msg, len);
	assert_true(rig_pump(&r));
	assert_false(r.c.closed);
	assert_int_equal(r.c.children_down, 0);
	assert_true(ike_sa_established(r.c.sa));
	rig_free(&r);
}

/* info-dpd-ack-seq: ACKs that do not carry the pending probe's number do not keep a dead
 * gateway alive. */
static void test_dpd_ack_wrong_seq(void **state)
{
	(void)state;
	struct rig r;
	uint8_t n[64], msg[512];
	static const uint8_t seq[4] = {0xfe, 0xdc, 0xba, 0x98}; /* probes count up from < 2^31 */
	established(&r);
	ike_sa_free(r.s.sa);
	r.s.sa = NULL;
	r.no_server = true;
	size_t nl = notify_body(r.c.sa, ISAKMP_N_R_U_THERE_ACK, seq, sizeof(seq), n, sizeof(n));
	for (uint32_t i = 0; i < 40 && !r.c.failed; i++) {
		uint64_t t = ike_next_timeout(r.c.sa);
		assert_true(t != UINT64_MAX);
		rig_run_timers(&r, t);
		if (r.c.failed)
			break;
		size_t len = forge(r.c.sa, ISAKMP_EXCH_INFO, 0x7e000000u + i, ISAKMP_PL_N, n, nl,
		                   msg, sizeof(msg));
		rig_inject(&r, RIG_S2C, msg, len);
		assert_true(rig_pump(&r));
	}
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "dead peer detection"));
	rig_free(&r);
}

/* sa-check-hash-first: a HASH payload longer than the PRF output is refused even when it
 * starts with the right value (the check compares exactly hlen bytes of exactly hlen). */
static void test_hash_payload_wrong_length(void **state)
{
	(void)state;
	struct rig r;
	uint8_t n[64], msg[512], plain[512], body[512];
	static const uint8_t seq[4] = {0, 0, 0x43, 0x21};
	struct isakmp_hdr h;
	established(&r);
	const struct ike_sa *rx = r.s.sa;
	size_t hl = ike_oracle_hash_len(rx);
	size_t nl = notify_body(rx, ISAKMP_N_R_U_THERE, seq, sizeof(seq), n, sizeof(n));
	/* the right HASH(1) for this notify and message ID, from a correctly built message */
	size_t len = forge(rx, ISAKMP_EXCH_INFO, 0x6a6a6a6au, ISAKMP_PL_N, n, nl, msg, sizeof(msg));
	assert_true(ike_oracle_open(rx, msg, len, &h, plain, sizeof(plain)) > 0);
	struct wr w = wr_init(body, sizeof(body));
	wr_u8(&w, ISAKMP_PL_N);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl + 4));
	wr_bytes(&w, plain + 4, hl);
	wr_zero(&w, 4);
	wr_u8(&w, 0);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + nl));
	wr_bytes(&w, n, nl);
	assert_false(w.err);
	len = ike_oracle_seal(rx, &h, body, w.len, ORACLE_HASH_KEEP, msg, sizeof(msg));
	assert_true(len > 0);
	int sends = r.s.sends;
	rig_inject(&r, RIG_C2S, msg, len);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.sends, sends);
	assert_true(rig_logged(&r.s, "informational with a wrong HASH"));
	rig_free(&r);
}

/* sa-rexmit-dedup: a retransmitted QM1 gets the stored QM2 again, byte for byte; processed
 * again it would get a new SPI, nonce and IV. */
struct two_answers {
	unsigned seen;
	uint8_t first[RIG_MAX_MSG];
	size_t first_len;
	uint8_t second[RIG_MAX_MSG];
	size_t second_len;
};

static enum rig_verdict lose_first_qm2(struct rig *r, enum rig_dir dir, unsigned index,
                                       uint8_t *buf, size_t *len, size_t cap, void *arg)
{
	struct two_answers *t = arg;
	(void)r, (void)index, (void)cap;
	if (dir != RIG_S2C || *len < ISAKMP_HDR_LEN || buf[18] != ISAKMP_EXCH_QUICK)
		return RIG_PASS;
	if (t->seen++ == 0) {
		memcpy(t->first, buf, *len);
		t->first_len = *len;
		return RIG_DROP;
	}
	if (t->seen == 2) {
		memcpy(t->second, buf, *len);
		t->second_len = *len;
	}
	return RIG_PASS;
}

static void test_retransmitted_request_answered_again(void **state)
{
	(void)state;
	struct rig r;
	static struct two_answers t;
	memset(&t, 0, sizeof(t));
	rig_init(&r);
	r.tamper = lose_first_qm2;
	r.tamper_arg = &t;
	assert_true(rig_start(&r));
	assert_int_equal(t.seen, 1);
	rig_run_timers(&r, r.now + 5000); /* the client repeats QM1 */
	assert_true(t.seen >= 2);
	assert_int_equal(t.second_len, t.first_len);
	assert_memory_equal(t.second, t.first, t.first_len);
	assert_true(rig_logged(&r.s, "answering again"));
	assert_int_equal(r.c.children_up, 1);
	assert_int_equal(r.s.children_up, 1);
	assert_true(rig_mirrored(&r));
	rig_free(&r);
}

/* ==== timers ==== */

/* sa-xauth-deadline: a client that never answers XAUTH is dropped at the XAUTH timeout,
 * not only at the later setup deadline. */
static void test_xauth_timeout(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.n_passwords = 0;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.prompts, 1);
	uint64_t t0 = r.now;
	rig_run_timers(&r, t0 + 61 * 1000);
	assert_true(r.s.failed);
	assert_int_equal(r.s.fail_step, IKE_STEP_XAUTH);
	assert_non_null(strstr(r.s.fail_text, "did not answer the XAUTH request"));
	rig_free(&r);
}

/* ==== XAUTH ==== */

/* A rewrite of an encrypted transaction message: same message ID and identifier, the given
 * type and attributes, re-hashed with the receiver's keys. */
struct txn_rewrite {
	uint8_t type;
	const uint8_t *attrs;
	size_t len;
	uint32_t msgid; /* out: the message ID it had */
	uint16_t id;    /* out: the identifier it had */
};

static size_t rewrite_txn(struct rig *r, uint8_t *buf, size_t len, size_t cap, void *arg)
{
	struct txn_rewrite *t = arg;
	uint8_t plain[4096];
	struct isakmp_hdr h;
	struct ike_sa *rx = r->c.sa; /* S2C only */
	int n = ike_oracle_open(rx, buf, len, &h, plain, sizeof(plain));
	assert_true(n > 0);
	struct isakmp_chain c;
	const char *why;
	assert_true(isakmp_chain_parse(plain, (size_t)n, h.np, &c, &why));
	const struct isakmp_pl *a = isakmp_chain_find(&c, ISAKMP_PL_ATTR, 0);
	assert_non_null(a);
	t->msgid = h.msgid;
	t->id = (uint16_t)(a->body[2] << 8 | a->body[3]);
	return forge_txn(rx, h.msgid, t->type, t->id, t->attrs, t->len, buf, cap);
}

/* xauth-token: asked for a token code, the client fails and sends no password. */
static void test_xauth_token_request(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t attrs[32];
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_NAME, NULL, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_PASSWORD, NULL, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_PASSCODE, NULL, 0);
	struct txn_rewrite t = {ISAKMP_CFG_REQUEST, attrs, w.len, 0, 0};
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_TRANSACTION, 0, RIG_PASS);
	g.rewrite = rewrite_txn;
	g.arg = &t;
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "token code"));
	assert_int_equal(r.c.answers, 0);
	assert_int_equal(r.c.prompts, 0);
	rig_free(&r);
}

/* xauth-set-needs-status: an XAUTH SET without a status is no verdict: dropped, not taken as
 * a rejection; the genuine SET still completes the connection. */
static void test_xauth_set_without_status(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t attrs[32];
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_XAUTH_MESSAGE, "hello", 5);
	struct txn_rewrite t = {ISAKMP_CFG_SET, attrs, w.len, 0, 0};
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_TRANSACTION, 1, RIG_PASS);
	g.rewrite = rewrite_txn;
	g.arg = &t;
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_false(r.c.failed);
	assert_true(rig_logged(&r.c, "without a status"));
	assert_int_equal(r.c.policies, 0);
	rig_free(&r);
}

static void xauth_reply_attrs(uint8_t *attrs, size_t cap, size_t *len, const char *pw)
{
	struct wr w = wr_init(attrs, cap);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_NAME, "richard", 7);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_PASSWORD, pw, strlen(pw));
	assert_false(w.err);
	*len = w.len;
}

/* xauth-server-once: after a user is authenticated, another REPLY (on the message ID of the
 * status) is not verified again. */
static void test_xauth_reply_after_success(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t attrs[64], msg[1024];
	size_t alen;
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_TRANSACTION, 1, RIG_PASS); /* the status SET */
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_int_equal(r.s.children_up, 1);
	r.tamper = NULL;
	uint32_t status_msgid = (uint32_t)g.copy[20] << 24 | (uint32_t)g.copy[21] << 16 |
	                        (uint32_t)g.copy[22] << 8 | g.copy[23];
	xauth_reply_attrs(attrs, sizeof(attrs), &alen, "richard-pw-1");
	size_t n = forge_txn(r.s.sa, status_msgid, ISAKMP_CFG_REPLY, 0x1234, attrs, alen, msg,
	                     sizeof(msg));
	int verifies = r.s.verifies, sends = r.s.sends;
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.verifies, verifies);
	assert_int_equal(r.s.sends, sends);
	rig_free(&r);
}

/* xauth-server-msgid: a REPLY that does not answer the server's request (another message
 * ID) is not verified. */
static void test_xauth_reply_other_msgid(void **state)
{
	(void)state;
	struct rig r;
	uint8_t attrs[64], msg[1024];
	size_t alen;
	rig_init(&r);
	r.n_passwords = 0; /* the user does not answer */
	assert_true(rig_start(&r));
	assert_int_equal(r.c.prompts, 1);
	xauth_reply_attrs(attrs, sizeof(attrs), &alen, "richard-pw-1");
	size_t n =
	    forge_txn(r.s.sa, 0x5eed0001u, ISAKMP_CFG_REPLY, 0x1234, attrs, alen, msg, sizeof(msg));
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.verifies, 0);
	assert_string_equal(ike_sa_user(r.s.sa), "");
	rig_free(&r);
}

/* ==== mode-config ==== */

static void policy_attrs(uint8_t *attrs, size_t cap, size_t *len, uint32_t addr)
{
	uint8_t ip[4] = {(uint8_t)(addr >> 24), (uint8_t)(addr >> 16), (uint8_t)(addr >> 8),
	                 (uint8_t)addr};
	struct wr w = wr_init(attrs, cap);
	isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_ADDRESS, ip, 4);
	assert_false(w.err);
	*len = w.len;
}

/* modecfg-client-after-xauth: a pushed policy before XAUTH completed is not taken. */
static void test_client_policy_before_xauth(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t attrs[64], msg[1024];
	size_t alen;
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_TRANSACTION, 0, RIG_DROP); /* the XAUTH request */
	assert_true(rig_start(&r));
	assert_true(g.hit);
	r.tamper = NULL;
	policy_attrs(attrs, sizeof(attrs), &alen, 0x0a620063u);
	size_t n =
	    forge_txn(r.c.sa, 0x5eed0002u, ISAKMP_CFG_SET, 0x77, attrs, alen, msg, sizeof(msg));
	rig_inject(&r, RIG_S2C, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.policies, 0);
	assert_true(rig_logged(&r.c, "mode-config message before XAUTH"));
	rig_free(&r);
}

/* modecfg-client-once: a second SET does not change the policy the client took. */
static void test_client_policy_taken_once(void **state)
{
	(void)state;
	struct rig r;
	uint8_t attrs[64], msg[1024];
	size_t alen;
	established(&r);
	assert_int_equal(r.c.policies, 1);
	policy_attrs(attrs, sizeof(attrs), &alen, 0x0a620063u);
	size_t n =
	    forge_txn(r.c.sa, 0x5eed0003u, ISAKMP_CFG_SET, 0x77, attrs, alen, msg, sizeof(msg));
	rig_inject(&r, RIG_S2C, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.c.policies, 1);
	assert_int_equal(r.c.policy.addr, RIG_POOL_ADDR);
	rig_free(&r);
}

/* modecfg-client-addr: a policy without an address is refused (nothing to bind quick mode
 * and the tunnel to). */
static void test_client_policy_without_address(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t attrs[32];
	static const uint8_t dns[4] = {10, 99, 0, 53};
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_DNS, dns, 4);
	struct txn_rewrite t = {ISAKMP_CFG_REPLY, attrs, w.len, 0, 0};
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_TRANSACTION, 2, RIG_PASS); /* the policy REPLY */
	g.rewrite = rewrite_txn;
	g.arg = &t;
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "assigned no address"));
	assert_int_equal(r.c.policies, 0);
	assert_int_equal(r.c.children_up, 0);
	rig_free(&r);
}

static size_t modecfg_request(const struct ike_sa *rx, uint32_t msgid, uint8_t *msg, size_t cap)
{
	uint8_t attrs[16];
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_ADDRESS, NULL, 0);
	return forge_txn(rx, msgid, ISAKMP_CFG_REQUEST, 0x99, attrs, w.len, msg, cap);
}

/* modecfg-server-after-xauth: a client that skips XAUTH gets no pool address. */
static void test_server_policy_before_xauth(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t msg[1024];
	rig_init(&r);
	grab_on(&r, &g, RIG_C2S, ISAKMP_EXCH_TRANSACTION, 0, RIG_DROP); /* the XAUTH reply */
	assert_true(rig_start(&r));
	assert_true(g.hit);
	r.tamper = NULL;
	size_t n = modecfg_request(r.s.sa, 0x5eed0004u, msg, sizeof(msg));
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.srv.assigned, 0);
	assert_true(rig_logged(&r.s, "mode-config request before XAUTH"));
	rig_free(&r);
}

/* modecfg-server-state: a mode-config request once the tunnel is up changes nothing (acted
 * on, it would take the SA back to MODECFG). */
static void test_server_modecfg_when_up(void **state)
{
	(void)state;
	struct rig r;
	uint8_t msg[1024];
	established(&r);
	int sends = r.s.sends;
	size_t n = modecfg_request(r.s.sa, 0x5eed0005u, msg, sizeof(msg));
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_true(ike_sa_established(r.s.sa));
	assert_int_equal(r.s.sends, sends);
	assert_int_equal(r.srv.assigned, 1);
	rig_free(&r);
}

/* modecfg-policy-once: asking again before quick mode hands out no second pool address. */
static void test_server_one_address_per_sa(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	uint8_t msg[1024];
	rig_init(&r);
	grab_on(&r, &g, RIG_C2S, ISAKMP_EXCH_QUICK, 0, RIG_DROP); /* QM1 lost */
	assert_true(rig_start(&r));
	assert_true(g.hit);
	r.tamper = NULL;
	assert_int_equal(r.srv.assigned, 1);
	size_t n = modecfg_request(r.s.sa, 0x5eed0006u, msg, sizeof(msg));
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_int_equal(r.srv.assigned, 1);
	rig_free(&r);
}

/* modecfg-nets-cap, -dns-cap, -str-len: what a policy holds is bounded by its arrays. */
static void test_modecfg_parse_bounds(void **state)
{
	(void)state;
	static uint8_t attrs[8192];
	struct evc_policy pol;
	const char *why = NULL;
	uint8_t nets[14 * 80];
	for (size_t i = 0; i < 80; i++) {
		uint8_t *e = nets + 14 * i;
		memset(e, 0, 14);
		e[0] = 10, e[1] = (uint8_t)i, e[4] = e[5] = e[6] = 255;
	}
	static const uint8_t dns[4] = {10, 99, 0, 53};
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_UNITY_SPLIT_INCLUDE, nets, sizeof(nets));
	for (int i = 0; i < EVC_POLICY_MAX_DNS + 3; i++)
		isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_DNS, dns, 4);
	assert_false(w.err);
	assert_true(modecfg_parse(attrs, w.len, &pol, &why));
	assert_int_equal(pol.n_split_include, EVC_POLICY_MAX_NETS);
	assert_int_equal(pol.n_dns, EVC_POLICY_MAX_DNS);
	/* a domain longer than its field is refused, not cut or overflowed */
	char big[sizeof(pol.domain) + 16];
	memset(big, 'd', sizeof(big));
	w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_UNITY_DEF_DOMAIN, big, sizeof(big));
	assert_false(modecfg_parse(attrs, w.len, &pol, &why));
}

/* ==== quick mode ==== */

static const struct ike_p2_prop srv_transform = {
    ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA256, 0, 0, 0};

/* Sends a QM1 (and a QM3 when the server answers with a QM2); returns whether the server
 * brought an ESP SA up for it. */
static bool quick_mode(struct rig *r, uint32_t msgid, const uint8_t *qm1, size_t n)
{
	static uint8_t msg[4096];
	struct grab g;
	int before = r->s.children_up;
	grab_on(r, &g, RIG_S2C, ISAKMP_EXCH_QUICK, 0, RIG_DROP);
	rig_inject(r, RIG_C2S, qm1, n);
	assert_true(rig_pump(r));
	if (g.hit) {
		n = ike_oracle_qm3(r->s.sa, msgid, msg, sizeof(msg));
		assert_true(n > 0);
		rig_inject(r, RIG_C2S, msg, n);
		assert_true(rig_pump(r));
	}
	r->tamper = NULL;
	return r->s.children_up > before;
}

static bool oracle_quick_mode(struct rig *r, uint32_t msgid, uint16_t encap, uint32_t ci_addr,
                              uint32_t ci_mask)
{
	static uint8_t msg[4096];
	struct evc_net ci = {ci_addr, ci_mask}, cr = {0, 0};
	size_t n = ike_oracle_qm1(r->s.sa, msgid, &srv_transform, encap, 0x1000 + msgid, &ci, &cr,
	                          msg, sizeof(msg));
	assert_true(n > 0);
	return quick_mode(r, msgid, msg, n);
}

/* qm1-after-policy: before mode-config there is no address to hold the client to: even
 * 0.0.0.0/32, which equals the unset address, gets no quick mode. */
static void test_quick_mode_before_policy_unset_address(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	rig_init(&r);
	grab_on(&r, &g, RIG_C2S, ISAKMP_EXCH_TRANSACTION, 2, RIG_DROP); /* mode-config request */
	assert_true(rig_start(&r));
	assert_true(g.hit);
	r.tamper = NULL;
	assert_int_equal(r.srv.assigned, 0);
	assert_false(oracle_quick_mode(&r, 0x4141, IPSEC_ENCAP_TUNNEL, 0, 0xffffffffu));
	assert_int_equal(r.s.children_up, 0);
	assert_true(rig_logged(&r.s, "before the client took its policy"));
	rig_free(&r);
}

/* qm1-idci-mask: a subnet that holds the assigned address is still not the address. */
static void test_quick_mode_subnet_of_own_address(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	assert_false(oracle_quick_mode(&r, 0x4242, IPSEC_ENCAP_TUNNEL, RIG_POOL_ADDR, 0xffffff00u));
	assert_false(oracle_quick_mode(&r, 0x4243, IPSEC_ENCAP_TUNNEL, RIG_POOL_ADDR, 0xfffffffeu));
	assert_int_equal(r.s.children_up, 1);
	/* the address itself still works: the refusals above were the mask's */
	assert_true(oracle_quick_mode(&r, 0x4244, IPSEC_ENCAP_TUNNEL, RIG_POOL_ADDR, 0xffffffffu));
	rig_free(&r);
}

/* qm1-encap: without a NAT, ESP in UDP is not what NAT detection decided. */
static void test_quick_mode_wrong_encapsulation(void **state)
{
	(void)state;
	struct rig r;
	established(&r);
	assert_false(r.s.child.udp_encap);
	assert_false(
	    oracle_quick_mode(&r, 0x4343, IPSEC_ENCAP_UDP_TUNNEL, RIG_POOL_ADDR, 0xffffffffu));
	assert_int_equal(r.s.children_up, 1);
	rig_free(&r);
}

/* qm1-nonce-len: a QM1 whose nonce does not fit sa->qm.ni is dropped. */
static void test_quick_mode_long_nonce(void **state)
{
	(void)state;
	struct rig r;
	uint8_t body[2048], msg[4096], nonce[100], sab[256], id1[8], id2[12];
	established(&r);
	const struct ike_sa *rx = r.s.sa;
	size_t hl = ike_oracle_hash_len(rx);
	fill(nonce, sizeof(nonce), 13);
	struct wr w = wr_init(sab, sizeof(sab));
	prop_write_p2(&w, &srv_transform, 1, 0x4444, IPSEC_ENCAP_TUNNEL);
	assert_false(w.err);
	size_t sa_len = w.len;
	static const uint8_t ci[8] = {ISAKMP_ID_IPV4_ADDR, 0, 0, 0, 10, 98, 0, 10};
	static const uint8_t cr[12] = {ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
	memcpy(id1, ci, sizeof(id1));
	memcpy(id2, cr, sizeof(id2));
	const struct {
		uint8_t type;
		const uint8_t *p;
		size_t len;
	} pl[] = {{ISAKMP_PL_SA, sab, sa_len},
	          {ISAKMP_PL_NONCE, nonce, sizeof(nonce)},
	          {ISAKMP_PL_ID, id1, sizeof(id1)},
	          {ISAKMP_PL_ID, id2, sizeof(id2)}};
	w = wr_init(body, sizeof(body));
	wr_u8(&w, ISAKMP_PL_SA);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl));
	wr_zero(&w, hl);
	for (size_t i = 0; i < sizeof(pl) / sizeof(pl[0]); i++) {
		wr_u8(&w, i + 1 < sizeof(pl) / sizeof(pl[0]) ? pl[i + 1].type : 0);
		wr_u8(&w, 0);
		wr_u16(&w, (uint16_t)(4 + pl[i].len));
		wr_bytes(&w, pl[i].p, pl[i].len);
	}
	assert_false(w.err);
	struct isakmp_hdr h;
	ike_oracle_hdr(rx, &h, ISAKMP_EXCH_QUICK, ISAKMP_PL_HASH, 0x4444);
	size_t n = ike_oracle_seal(rx, &h, body, w.len, ORACLE_HASH_1, msg, sizeof(msg));
	assert_true(n > 0);
	assert_false(quick_mode(&r, 0x4444, msg, n));
	assert_true(rig_logged(&r.s, "dropped malformed quick mode"));
	assert_int_equal(r.s.children_up, 1);
	rig_free(&r);
}

/* Re-seals an encrypted message for the client with payload s->type replaced, re-hashed as
 * HASH(2) (the gateway's QM2). */
static size_t swap_qm2(struct rig *r, uint8_t *buf, size_t len, size_t cap, void *arg)
{
	const struct swap *s = arg;
	uint8_t plain[4096], body[4096];
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	int n = ike_oracle_open(r->c.sa, buf, len, &h, plain, sizeof(plain));
	assert_true(n > 0);
	assert_true(isakmp_chain_parse(plain, (size_t)n, h.np, &c, &why));
	assert_true(c.n > 1 && c.pl[0].type == ISAKMP_PL_HASH);
	struct wr w = wr_init(body, sizeof(body));
	bool done = false;
	for (size_t i = 0; i < c.n; i++) {
		const uint8_t *p = c.pl[i].body;
		size_t pl = c.pl[i].len;
		if (c.pl[i].type == s->type && !done) {
			p = s->body, pl = s->len, done = true;
		}
		wr_u8(&w, i + 1 < c.n ? c.pl[i + 1].type : 0);
		wr_u8(&w, 0);
		wr_u16(&w, (uint16_t)(4 + pl));
		wr_bytes(&w, p, pl);
	}
	assert_true(done);
	assert_false(w.err);
	size_t out = ike_oracle_seal(r->c.sa, &h, body, w.len, ORACLE_HASH_QM2, buf, cap);
	assert_true(out > 0);
	return out;
}

static void start_qm2_swapped(struct rig *r, struct swap *s)
{
	struct grab g;
	grab_on(r, &g, RIG_S2C, ISAKMP_EXCH_QUICK, 0, RIG_PASS);
	g.rewrite = swap_qm2;
	g.arg = s;
	assert_true(rig_start(r));
	assert_true(g.hit);
	r->tamper = NULL;
}

/* qm2-offered: the gateway's IPsec choice must be one the client offered (HMAC-MD5 is not). */
static void test_qm2_choice_not_offered(void **state)
{
	(void)state;
	struct rig r;
	uint8_t sab[256];
	static const struct ike_p2_prop md5 = {ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_MD5, 0, 0, 0};
	struct wr w = wr_init(sab, sizeof(sab));
	prop_write_p2(&w, &md5, 1, 0x5151, IPSEC_ENCAP_TUNNEL);
	assert_false(w.err);
	struct swap s = {ISAKMP_PL_SA, sab, w.len};
	rig_init(&r);
	start_qm2_swapped(&r, &s);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "did not offer"));
	assert_int_equal(r.c.children_up, 0);
	rig_free(&r);
}

/* qm2-nonce-len: a QM2 nonce that does not fit sa->qm.nr is refused. */
static void test_qm2_long_nonce(void **state)
{
	(void)state;
	struct rig r;
	uint8_t nonce[100];
	fill(nonce, sizeof(nonce), 17);
	struct swap s = {ISAKMP_PL_NONCE, nonce, sizeof(nonce)};
	rig_init(&r);
	start_qm2_swapped(&r, &s);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "malformed"));
	assert_int_equal(r.c.children_up, 0);
	rig_free(&r);
}

/* qm2-pfs-ke-len: with PFS, a KE of the wrong length is named, not copied. */
static void test_qm2_pfs_short_ke(void **state)
{
	(void)state;
	struct rig r;
	uint8_t ke[64];
	fill(ke, sizeof(ke), 19);
	struct swap s = {ISAKMP_PL_KE, ke, sizeof(ke)};
	rig_init(&r);
	r.srv.pfs = true;
	r.srv_p2[0].pfs_group = 2;
	start_qm2_swapped(&r, &s);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "PFS key is missing or the wrong size"));
	assert_int_equal(r.c.children_up, 0);
	rig_free(&r);
}

/* natd-len: NAT-D payloads of the wrong length are not compared (as if none came): no NAT
 * is detected and ESP stays ESP. */
static size_t short_natd(struct rig *r, uint8_t *buf, size_t len, size_t cap, void *arg)
{
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	static uint8_t in[RIG_MAX_MSG];
	static const uint8_t four[4] = {1, 2, 3, 4};
	size_t natd = 0;
	(void)r, (void)arg;
	memcpy(in, buf, len);
	assert_true(isakmp_hdr_parse(in, len, &h, &why));
	assert_true(
	    isakmp_chain_parse(in + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why));
	struct isakmp_builder b;
	h.np = 0;
	isakmp_build_start(&b, buf, cap, &h);
	for (size_t i = 0; i < c.n; i++) {
		bool is_natd =
		    c.pl[i].type == ISAKMP_PL_NATD || c.pl[i].type == ISAKMP_PL_NATD_DRAFT;
		natd += is_natd;
		isakmp_build_payload(&b, c.pl[i].type, is_natd ? four : c.pl[i].body,
		                     is_natd ? sizeof(four) : c.pl[i].len);
	}
	assert_int_equal(natd, 2);
	return isakmp_build_finish(&b);
}

static void test_natd_wrong_length(void **state)
{
	(void)state;
	struct rig r;
	struct grab g;
	rig_init(&r);
	grab_on(&r, &g, RIG_S2C, ISAKMP_EXCH_AGGRESSIVE, 0, RIG_PASS);
	g.rewrite = short_natd;
	assert_true(rig_start(&r));
	assert_true(g.hit);
	assert_false(rig_logged(&r.c, "NAT detected"));
	assert_int_equal(r.c.children_up, 1);
	assert_false(r.c.child.udp_encap);
	rig_free(&r);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_am2_short_ke),
	    cmocka_unit_test(test_am2_long_nonce),
	    cmocka_unit_test(test_am2_long_id),
	    cmocka_unit_test(test_am2_choice_not_offered),
	    cmocka_unit_test(test_am1_long_nonce),
	    cmocka_unit_test(test_am1_long_id),
	    cmocka_unit_test(test_am1_group_with_control_byte),
	    cmocka_unit_test(test_am1_ke_wrong_size),
	    cmocka_unit_test(test_client_cannot_skip_xauth),
	    cmocka_unit_test(test_am2_replayed_when_up),
	    cmocka_unit_test(test_am3_replayed_when_up),
	    cmocka_unit_test(test_am3_not_decryptable),
	    cmocka_unit_test(test_notify_for_other_cookie),
	    cmocka_unit_test(test_notify_from_other_address),
	    cmocka_unit_test(test_plain_notify_after_phase1),
	    cmocka_unit_test(test_plain_dpd_ignored),
	    cmocka_unit_test(test_plain_delete_ignored),
	    cmocka_unit_test(test_dpd_ack_wrong_seq),
	    cmocka_unit_test(test_hash_payload_wrong_length),
	    cmocka_unit_test(test_retransmitted_request_answered_again),
	    cmocka_unit_test(test_xauth_timeout),
	    cmocka_unit_test(test_xauth_token_request),
	    cmocka_unit_test(test_xauth_set_without_status),
	    cmocka_unit_test(test_xauth_reply_after_success),
	    cmocka_unit_test(test_xauth_reply_other_msgid),
	    cmocka_unit_test(test_client_policy_before_xauth),
	    cmocka_unit_test(test_client_policy_taken_once),
	    cmocka_unit_test(test_client_policy_without_address),
	    cmocka_unit_test(test_server_policy_before_xauth),
	    cmocka_unit_test(test_server_modecfg_when_up),
	    cmocka_unit_test(test_server_one_address_per_sa),
	    cmocka_unit_test(test_modecfg_parse_bounds),
	    cmocka_unit_test(test_quick_mode_before_policy_unset_address),
	    cmocka_unit_test(test_quick_mode_subnet_of_own_address),
	    cmocka_unit_test(test_quick_mode_wrong_encapsulation),
	    cmocka_unit_test(test_quick_mode_long_nonce),
	    cmocka_unit_test(test_qm2_choice_not_offered),
	    cmocka_unit_test(test_qm2_long_nonce),
	    cmocka_unit_test(test_qm2_pfs_short_ke),
	    cmocka_unit_test(test_natd_wrong_length),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
