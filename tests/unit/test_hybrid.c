/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hybrid authentication (draft-ietf-ipsec-isakmp-hybrid-auth-05, HybridInitRSA 64221), both
 * roles back to back in the engine rig: the gateway signs with its certificate, the client has
 * none and is authenticated by XAUTH alone. In aggressive mode (as vpnc does it) and in main
 * mode. What must hold: the client sends no password to a gateway whose signature, chain or
 * name does not check out; the server gives no address and no ESP SA to a client that has
 * not passed XAUTH, however it behaves; neither side goes on without XAUTH.
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
#include "ike_oracle.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/x509.h"

/* 2027-01-01: inside the s3 certificates' validity, whatever the machine's clock says */
#define TEST_WALL 1798761600
#define PKI EVC_VECTORS_DIR "/s3-strongswan-main-rsa-xauth/pki"

struct pki {
	struct x509_cred *srv;
	struct x509_trust *trust;
};

static void pki_load(struct pki *k, const char *ca)
{
	char err[512];
	if (x509_cred_load(PKI "/server.pem", PKI "/server.key", &k->srv, err, sizeof(err)) ||
	    x509_trust_load(ca, &k->trust, err, sizeof(err)))
		fail_msg("%s", err);
}

/* The rig for hybrid: an rsa-sig policy and the certificate on the server, XAUTH users; the
 * client with the CA only and no group key. */
static void rig_hybrid(struct rig *r, struct pki *k, bool main_mode)
{
	pki_load(k, PKI "/ca.pem");
	rig_init(r);
	r->srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 86400};
	r->srv_p1[1] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_PSK, 14, 0};
	r->n_srv_p1 = 2;
	r->dh = 14;
	r->hybrid = true;
	r->psk = r->srv.psk; /* the group has a key: the client must prove it */
	r->psk_main = main_mode;
	r->cli_trust = k->trust;
	r->srv_cert = k->srv;
	r->srv_trust = k->trust;
	r->wall = TEST_WALL;
}

static void finish(struct rig *r, struct pki *k)
{
	rig_free(r);
	x509_cred_free(k->srv);
	x509_trust_free(k->trust);
}

/* Nothing of the tunnel on either side: no address assigned, no ESP SA. */
static void assert_nothing_given(const struct rig *r)
{
	assert_int_equal(r->srv.assigned, 0);
	assert_int_equal(r->s.children_up, 0);
	assert_int_equal(r->c.children_up, 0);
	assert_int_equal(r->c.policies, 0);
}

static void connect_ok(bool main_mode)
{
	struct rig r;
	struct pki k;
	rig_hybrid(&r, &k, main_mode);
	assert_true(rig_start(&r));
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_true(rig_mirrored(&r));
	assert_int_equal(r.c.answers, 1);
	assert_string_equal(ike_sa_group(r.s.sa), "quizware");
	assert_string_equal(ike_sa_user(r.s.sa), "richard");
	assert_int_equal(r.c.policy.addr, RIG_POOL_ADDR);
	struct ike_p1_prop p;
	int64_t left;
	assert_true(ike_sa_p1_chosen(r.s.sa, r.now, &p, &left));
	assert_int_equal(p.auth, IKE_AUTH_HYBRID_INIT_RSA);
	assert_true(ike_sa_p1_chosen(r.c.sa, r.now, &p, &left));
	assert_int_equal(p.auth, IKE_AUTH_HYBRID_INIT_RSA);
	assert_true(rig_logged(&r.c, "CN = vpn.example.test"));
	assert_true(rig_logged(&r.s, "hybrid"));
	finish(&r, &k);
}

static void test_am_connect(void **state)
{
	(void)state;
	connect_ok(false);
}

static void test_mm_connect(void **state)
{
	(void)state;
	connect_ok(true);
}

/* evc offers HybridInitRSA alone: no plain variant, since without XAUTH nothing would
 * authenticate it. */
static void test_proposals(void **state)
{
	struct ike_p1_prop h[64], d[64];
	(void)state;
	size_t nh = ike_proposals_p1(14, IKE_PROP_HYBRID, h, 64);
	size_t nd = ike_proposals_p1(14, 0, d, 64);
	assert_int_equal(nh * 2, nd);
	for (size_t i = 0; i < nh; i++)
		assert_int_equal(h[i].auth, IKE_AUTH_HYBRID_INIT_RSA);
	char buf[64];
	assert_non_null(strstr(ike_p1_str(&h[0], buf, sizeof(buf)), "HYBRID-RSA"));
}

/* A server without XAUTH users has nothing to authenticate a hybrid client with. */
static void no_xauth_users(bool main_mode)
{
	struct rig r;
	struct pki k;
	rig_hybrid(&r, &k, main_mode);
	r.no_xauth = true;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.s, "none of the"));
	assert_true(rig_logged(&r.c, "none of the hybrid proposals"));
	assert_int_equal(r.c.answers, 0);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_no_xauth_users(void **state)
{
	(void)state;
	no_xauth_users(false);
	no_xauth_users(true);
}

/* A client that never answers XAUTH: phase 1 is up, yet it gets nothing and the server ends
 * the SA at the XAUTH timeout. */
static void never_answers(bool main_mode)
{
	struct rig r;
	struct pki k;
	rig_hybrid(&r, &k, main_mode);
	r.n_passwords = 0;
	rig_start(&r);
	assert_true(r.c.prompts >= 1);
	rig_run_timers(&r, r.now + 200000);
	assert_true(r.s.failed);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_never_answers(void **state)
{
	(void)state;
	never_answers(false);
	never_answers(true);
}

/* Three wrong passwords: no address, no SA. */
static void wrong_password(bool main_mode)
{
	struct rig r;
	struct pki k;
	rig_hybrid(&r, &k, main_mode);
	r.passwords[0] = "guess-1";
	r.passwords[1] = "guess-2";
	r.passwords[2] = "guess-3";
	r.n_passwords = 3;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "failed authentication 3 times"));
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_wrong_password(void **state)
{
	(void)state;
	wrong_password(false);
	wrong_password(true);
}

/* ---- forging with the receiver's keys ---- */

static size_t forge_txn(const struct ike_sa *rx, uint32_t msgid, uint8_t type, const uint8_t *attrs,
                        size_t alen, uint8_t *out, size_t cap)
{
	uint8_t body[1024];
	size_t hl = ike_oracle_hash_len(rx);
	struct wr w = wr_init(body, sizeof(body));
	struct isakmp_hdr h;
	wr_u8(&w, ISAKMP_PL_ATTR);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + hl));
	wr_zero(&w, hl);
	wr_u8(&w, ISAKMP_PL_NONE);
	wr_u8(&w, 0);
	wr_u16(&w, (uint16_t)(4 + 4 + alen));
	wr_u8(&w, type);
	wr_u8(&w, 0);
	wr_u16(&w, 0x77);
	wr_bytes(&w, attrs, alen);
	assert_false(w.err);
	ike_oracle_hdr(rx, &h, ISAKMP_EXCH_TRANSACTION, ISAKMP_PL_HASH, msgid);
	size_t n = ike_oracle_seal(rx, &h, body, w.len, ORACLE_HASH_1, out, cap);
	assert_true(n > 0);
	return n;
}

/* A client with the phase-1 keys (which hybrid hands to anyone) that skips XAUTH and asks
 * for an address and an ESP SA pair directly: the server drops both. */
static void skip_to_modecfg(bool main_mode)
{
	struct rig r;
	struct pki k;
	uint8_t attrs[16], msg[2048];
	rig_hybrid(&r, &k, main_mode);
	r.n_passwords = 0;
	rig_start(&r);
	assert_true(ike_oracle_keyed(r.s.sa));
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_ADDRESS, NULL, 0);
	size_t n =
	    forge_txn(r.s.sa, 0x5eed0001u, ISAKMP_CFG_REQUEST, attrs, w.len, msg, sizeof(msg));
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_true(rig_logged(&r.s, "mode-config request before XAUTH"));
	struct ike_p2_prop p2 = r.srv_p2[0];
	struct evc_net ci = {RIG_POOL_ADDR, 0xffffffffu}, cr = {0, 0};
	n = ike_oracle_qm1(r.s.sa, 0x5eed0002u, &p2, 1, 0x11223344u, &ci, &cr, msg, sizeof(msg));
	assert_true(n > 0);
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	assert_true(rig_logged(&r.s, "quick mode before XAUTH"));
	/* a forged XAUTH status from the client side means nothing to the server either */
	w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tv(&w, CFG_XAUTH_STATUS, 1);
	n = forge_txn(r.s.sa, 0x5eed0003u, ISAKMP_CFG_ACK, attrs, w.len, msg, sizeof(msg));
	rig_inject(&r, RIG_C2S, msg, n);
	assert_true(rig_pump(&r));
	rig_run_timers(&r, r.now + 200000);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_skip_to_modecfg(void **state)
{
	(void)state;
	skip_to_modecfg(false);
	skip_to_modecfg(true);
}

/* Drops the gateway's first transaction message (its XAUTH request). */
static enum rig_verdict drop_xauth_request(struct rig *r, enum rig_dir dir, unsigned index,
                                           uint8_t *buf, size_t *len, size_t cap, void *arg)
{
	(void)r, (void)index, (void)cap, (void)arg;
	if (dir == RIG_S2C && *len > 18 && buf[18] == ISAKMP_EXCH_TRANSACTION)
		return RIG_DROP;
	return RIG_PASS;
}

/* A gateway that says XAUTH succeeded without asking for a password: with hybrid that is
 * the only authentication of the client, so evc stops instead of going on. */
static void test_gateway_skips_xauth(void **state)
{
	struct rig r;
	struct pki k;
	uint8_t attrs[16], msg[2048];
	(void)state;
	rig_hybrid(&r, &k, false);
	r.tamper = drop_xauth_request;
	rig_start(&r);
	r.tamper = NULL;
	assert_int_equal(r.c.prompts, 0);
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tv(&w, CFG_XAUTH_STATUS, 1);
	size_t n = forge_txn(r.c.sa, 0x5eed0004u, ISAKMP_CFG_SET, attrs, w.len, msg, sizeof(msg));
	rig_inject(&r, RIG_S2C, msg, n);
	rig_pump(&r);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, "without asking for a password"));
	assert_int_equal(r.c.policies, 0);
	assert_int_equal(r.c.children_up, 0);
	finish(&r, &k);
}

/* ---- the gateway's signature ---- */

/* The offset of the first payload of type t in a cleartext message, and of the next-payload
 * byte that names it; false if none. */
static bool find_payload(const uint8_t *buf, size_t len, uint8_t t, size_t *at, size_t *np_at)
{
	size_t off = ISAKMP_HDR_LEN, prev = 16;
	uint8_t np = buf[16];
	while (np != ISAKMP_PL_NONE && off + 4 <= len) {
		size_t plen = ((size_t)buf[off + 2] << 8) | buf[off + 3];
		if (plen < 4 || off + plen > len)
			return false;
		if (np == t) {
			*at = off;
			*np_at = prev;
			return true;
		}
		prev = off;
		np = buf[off];
		off += plen;
	}
	return false;
}

enum am2_damage { AM2_UNSIGNED, AM2_BAD_SIG, AM2_NO_CERT };

/* Damages every AM2 (each retransmission too) in the way arg says. */
static enum rig_verdict damage_am2(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                   size_t *len, size_t cap, void *arg)
{
	enum am2_damage d = *(enum am2_damage *)arg;
	size_t at, np_at;
	(void)r, (void)index, (void)cap;
	if (dir != RIG_S2C || *len < ISAKMP_HDR_LEN || buf[18] != ISAKMP_EXCH_AGGRESSIVE)
		return RIG_PASS;
	if (d == AM2_NO_CERT) {
		if (find_payload(buf, *len, ISAKMP_PL_CERT, &at, &np_at))
			buf[at + 4] = 99; /* an encoding that is not X.509 */
		return RIG_PASS;
	}
	if (!find_payload(buf, *len, ISAKMP_PL_SIG, &at, &np_at))
		return RIG_PASS;
	if (d == AM2_UNSIGNED)
		buf[np_at] = ISAKMP_PL_HASH; /* the signature's bytes as if they were HASH_R */
	else
		buf[at + 20] ^= 0x40;
	return RIG_PASS;
}

/* An AM2 that is not validly signed gets no password and no further message. */
static void am2_damaged(enum am2_damage d, const char *why)
{
	struct rig r;
	struct pki k;
	rig_hybrid(&r, &k, false);
	r.frag_size = 16000; /* AM2 whole, not in IKE fragments, for the hook to change */
	r.tamper = damage_am2;
	r.tamper_arg = &d;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, why));
	assert_int_equal(r.c.answers, 0);
	assert_int_equal(r.c.prompts, 0);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_am2_unsigned(void **state)
{
	(void)state;
	am2_damaged(AM2_UNSIGNED, "no usable identity or signature");
}

static void test_am2_bad_signature(void **state)
{
	(void)state;
	am2_damaged(AM2_BAD_SIG, "does not verify");
}

static void test_am2_no_certificate(void **state)
{
	(void)state;
	am2_damaged(AM2_NO_CERT, "sent no X.509 certificate");
}

/* MM6 resealed with the client's keys, its SIG changed (bad) or relabelled HASH (unsigned). */
struct mm6_damage {
	bool unsigned_;
};

static enum rig_verdict damage_mm6(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                   size_t *len, size_t cap, void *arg)
{
	struct mm6_damage *d = arg;
	uint8_t body[RIG_MAX_MSG];
	struct isakmp_hdr h;
	size_t at, np_at;
	(void)index;
	if (dir != RIG_S2C || *len < ISAKMP_HDR_LEN || buf[18] != ISAKMP_EXCH_MAIN ||
	    !(buf[19] & ISAKMP_FLAG_E) || !r->c.sa || !ike_oracle_keyed(r->c.sa))
		return RIG_PASS;
	int n = ike_oracle_open(r->c.sa, buf, *len, &h, body + ISAKMP_HDR_LEN,
	                        sizeof(body) - ISAKMP_HDR_LEN);
	if (n < 0)
		return RIG_PASS;
	memcpy(body, buf, ISAKMP_HDR_LEN);
	if (find_payload(body, ISAKMP_HDR_LEN + (size_t)n, ISAKMP_PL_SIG, &at, &np_at)) {
		if (d->unsigned_)
			body[np_at] = ISAKMP_PL_HASH;
		else
			body[at + 20] ^= 0x40;
		if (np_at == 16)
			h.np = body[16];
	}
	size_t out = ike_oracle_seal(r->c.sa, &h, body + ISAKMP_HDR_LEN, (size_t)n,
	                             ORACLE_HASH_KEEP, buf, cap);
	if (out)
		*len = out;
	return RIG_PASS;
}

static void mm6_damaged(bool unsigned_, const char *why)
{
	struct rig r;
	struct pki k;
	struct mm6_damage d = {unsigned_};
	rig_hybrid(&r, &k, true);
	r.frag_size = 16000;
	r.tamper = damage_mm6;
	r.tamper_arg = &d;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, why));
	assert_int_equal(r.c.answers, 0);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_mm6_unsigned(void **state)
{
	(void)state;
	mm6_damaged(true, "no usable identity or signature");
}

static void test_mm6_bad_signature(void **state)
{
	(void)state;
	mm6_damaged(false, "does not verify");
}

/* The gateway's certificate must name the host asked for, and chain to --ca-file. */
static void test_wrong_gateway(void **state)
{
	struct rig r;
	struct pki k;
	(void)state;
	rig_hybrid(&r, &k, false);
	r.gw_name = "vpn.other.test";
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, "does not name vpn.other.test"));
	assert_int_equal(r.c.answers, 0);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_untrusted_gateway(void **state)
{
	struct rig r;
	struct pki k, other;
	(void)state;
	rig_hybrid(&r, &k, true);
	pki_load(&other, PKI "/client.pem"); /* a CA file without the gateway's issuer */
	r.cli_trust = other.trust;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, "certificate is refused"));
	assert_int_equal(r.c.answers, 0);
	assert_nothing_given(&r);
	finish(&r, &k);
	x509_cred_free(other.srv);
	x509_trust_free(other.trust);
}

/* The group comes from the client's identity; one the server does not know is refused. */
static void unknown_group(bool main_mode)
{
	struct rig r;
	struct pki k;
	rig_hybrid(&r, &k, main_mode);
	r.group = "nosuchgroup";
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, main_mode ? "names no configured group" : "unknown group"));
	assert_int_equal(r.c.answers, 0);
	assert_nothing_given(&r);
	finish(&r, &k);
}

static void test_unknown_group(void **state)
{
	(void)state;
	unknown_group(false);
	unknown_group(true);
}

/* Catches AM3 (the client's second datagram) in clear with the server's keys. */
struct am3_seen {
	bool psk_hash;
	size_t data_len;
};

static enum rig_verdict open_am3(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                 size_t *len, size_t cap, void *arg)
{
	struct am3_seen *a = arg;
	uint8_t body[RIG_MAX_MSG];
	struct isakmp_hdr h;
	size_t at, np_at;
	(void)cap;
	if (dir != RIG_C2S || index != 1 || !r->s.sa)
		return RIG_PASS;
	int n = ike_oracle_open(r->s.sa, buf, *len, &h, body + ISAKMP_HDR_LEN,
	                        sizeof(body) - ISAKMP_HDR_LEN);
	assert_true(n > 0);
	memcpy(body, buf, ISAKMP_HDR_LEN);
	size_t end = ISAKMP_HDR_LEN + (size_t)n, from = 0;
	/* every notify: INITIAL-CONTACT comes first */
	while (find_payload(body + from, end - from, ISAKMP_PL_N, &at, &np_at)) {
		at += from;
		size_t plen = ((size_t)body[at + 2] << 8) | body[at + 3];
		uint16_t type = (uint16_t)(body[at + 10] << 8 | body[at + 11]);
		if (type == ISAKMP_N_CISCO_PSK_HASH) {
			a->psk_hash = true;
			a->data_len = plen - 12 - body[at + 9];
		}
		/* go on after this payload: a fake header whose next payload is this one's */
		from = at + plen - ISAKMP_HDR_LEN;
		body[from + 16] = body[at];
	}
	return RIG_PASS;
}

/* With a group key (Cisco's mutual group authentication) AM3 carries PRESHARED_KEY_HASH as
 * vpnc sends it; without one it does not, and a group without a key does not ask for it. */
static void test_psk_hash_notify(void **state)
{
	struct rig r;
	struct pki k;
	(void)state;
	for (int with_key = 0; with_key < 2; with_key++) {
		struct am3_seen a = {false, 0};
		rig_hybrid(&r, &k, false);
		r.frag_size = 16000;
		r.psk = with_key ? "groupsecret" : "";
		r.srv.psk = r.psk;
		r.tamper = open_am3;
		r.tamper_arg = &a;
		assert_true(rig_start(&r));
		assert_true(rig_mirrored(&r));
		assert_int_equal(a.psk_hash, with_key);
		if (with_key)
			assert_int_equal(a.data_len, 32); /* prf SHA2-256 */
		finish(&r, &k);
	}
}

/* A phase-1 rekey with hybrid: the new IKE SA authenticates the gateway by its signature
 * again and the client by XAUTH again (the password goes out a second time), and only then
 * takes over the ESP SA pair, on both sides, none going down. */
static void rekey_hybrid(bool main_mode)
{
	struct rig r;
	struct pki k;
	struct ike_child_status st[4];
	const char *why = NULL;
	rig_hybrid(&r, &k, main_mode);
	r.passwords[1] = "richard-pw-1";
	r.n_passwords = 2;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	uint32_t spi_in = r.c.child.spi_in;
	struct ike_sa *old_c = r.c.sa, *old_s = r.s.sa;
	memset(&r.c, 0, sizeof(r.c));
	memset(&r.s, 0, sizeof(r.s));
	struct ike_config cfg = {0};
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = (struct ike_endpoint){RIG_CLIENT_IP, IKE_PORT};
	cfg.peer = (struct ike_endpoint){RIG_SERVER_IP, IKE_PORT};
	cfg.group = r.group;
	cfg.username = r.user;
	cfg.dh_group = r.dh;
	cfg.dpd_idle_s = 10;
	cfg.hybrid = true;
	cfg.psk = (const uint8_t *)r.psk; /* the new SA proves the group key again */
	cfg.psk_len = strlen(r.psk);
	cfg.psk_main = main_mode;
	cfg.trust = r.cli_trust;
	cfg.peer_name = "198.51.100.1";
	cfg.wall_s = r.wall;
	cfg.frag_size = 16000;
	cfg.p1_rekey = true;
	r.c.sa = ike_sa_new(&cfg, r.now, &why);
	assert_non_null(r.c.sa);
	ike_start(r.c.sa, r.now);
	assert_true(rig_pump(&r));
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_int_equal(r.c.answers, 1); /* XAUTH again */
	assert_int_equal(r.c.children_up, 0);
	assert_true(ike_sa_handover_ready(r.c.sa));
	assert_true(ike_sa_handover_ready(r.s.sa));
	assert_int_equal(ike_sa_take_over(r.s.sa, old_s, r.now, &why), 0);
	assert_int_equal(ike_sa_take_over(r.c.sa, old_c, r.now, &why), 0);
	assert_true(ike_sa_established(r.c.sa));
	assert_int_equal(ike_sa_child_status(r.c.sa, r.now, st, 4), 1);
	assert_int_equal(st[0].spi_in, spi_in);
	ike_sa_free(old_c);
	ike_sa_free(old_s);
	assert_int_equal(r.c.children_down, 0);
	assert_int_equal(r.s.children_down, 0);
	finish(&r, &k);
}

static void test_p1_rekey(void **state)
{
	(void)state;
	rekey_hybrid(false);
	rekey_hybrid(true);
}

/* The engine refuses a hybrid configuration without what checking the gateway needs. */
static void test_config(void **state)
{
	struct rig r;
	struct pki k;
	(void)state;
	rig_hybrid(&r, &k, false);
	r.cli_trust = NULL;
	assert_false(rig_new_client(&r));
	r.cli_trust = k.trust;
	r.group = "";
	assert_false(rig_new_client(&r));
	r.group = "quizware";
	r.gw_name = "";
	assert_false(rig_new_client(&r));
	r.gw_name = NULL;
	assert_true(rig_new_client(&r)); /* no group key needed */
	finish(&r, &k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_am_connect),
	    cmocka_unit_test(test_mm_connect),
	    cmocka_unit_test(test_proposals),
	    cmocka_unit_test(test_no_xauth_users),
	    cmocka_unit_test(test_never_answers),
	    cmocka_unit_test(test_wrong_password),
	    cmocka_unit_test(test_skip_to_modecfg),
	    cmocka_unit_test(test_gateway_skips_xauth),
	    cmocka_unit_test(test_am2_unsigned),
	    cmocka_unit_test(test_am2_bad_signature),
	    cmocka_unit_test(test_am2_no_certificate),
	    cmocka_unit_test(test_mm6_unsigned),
	    cmocka_unit_test(test_mm6_bad_signature),
	    cmocka_unit_test(test_wrong_gateway),
	    cmocka_unit_test(test_untrusted_gateway),
	    cmocka_unit_test(test_unknown_group),
	    cmocka_unit_test(test_config),
	    cmocka_unit_test(test_psk_hash_notify),
	    cmocka_unit_test(test_p1_rekey),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
