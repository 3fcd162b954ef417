/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every message of every exchange, tampered with on the way: a byte of its HASH flipped (the
 * message re-encrypted so that only the hash is wrong), a byte of another payload flipped
 * (likewise), a byte of the ciphertext flipped, the message truncated. A real peer never
 * sends such a message, so only this table reaches the checks that guard against it.
 *
 * For each case the genuine message is held back and the tampered one delivered first. The
 * receiver must drop it and act on nothing (no datagram sent, no prompt, no password, no
 * verification, no policy taken, no pool address, no ESP keys, no close, no failure: even a
 * phase-1 message whose authentication hash does not verify may be forged), after which the
 * genuine message still completes the exchange with mirrored keys.
 *
 * The conversation is recorded once untampered (aggressive mode, XAUTH, mode-config pulled
 * and pushed, quick mode, DPD, DELETE; and once more with main mode and the certificates of
 * tests/vectors/s3, and with hybrid authentication in aggressive and in main mode, where only
 * the gateway has a certificate), so every message it contains gets its rows.
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
#include "lib/x509.h"

enum variant {
	V_HASH,   /* one byte of the HASH payload (re-sealed) */
	V_BODY,   /* one byte of the last payload (re-sealed; the hash no longer matches) */
	V_CIPHER, /* one byte of the first ciphertext block */
	V_TRUNC,  /* the datagram cut short by 8 bytes */
	V_COUNT,
};

static const char *const variant_name[] = {"hash byte", "body byte", "ciphertext byte",
                                           "truncated"};

#define MAX_MSGS 32

struct recorded {
	enum rig_dir dir;
	unsigned index;
	uint8_t exch;
	bool encrypted;
};

struct tamper_case {
	unsigned target_dir, target_index;
	enum variant v;
	bool armed;      /* the target was seen and held back */
	bool injected;   /* the tampered copy and the genuine one were delivered */
	bool applicable; /* the variant makes sense for this message */
	uint8_t genuine[RIG_MAX_MSG], forged[RIG_MAX_MSG];
	size_t genuine_len, forged_len;
	uint8_t exch;
	/* recording mode */
	bool record;
	struct recorded msgs[MAX_MSGS];
	size_t n_msgs;
};

/* What the receiver did: any change is acting on the tampered message. */
struct counters {
	int sends, prompts, answers, verifies, policies, children_up, children_down, banners;
	int moved, assigned;
	bool closed;
};

static struct counters snap(const struct rig *r, const struct rig_side *s)
{
	struct counters c;
	memset(&c, 0, sizeof(c)); /* padding too: the snapshots are compared whole */
	c.sends = s->sends;
	c.prompts = s->prompts;
	c.answers = s->answers;
	c.verifies = s->verifies;
	c.policies = s->policies;
	c.children_up = s->children_up;
	c.children_down = s->children_down;
	c.banners = s->banners;
	c.moved = s->moved;
	c.assigned = r->srv.assigned;
	c.closed = s->closed;
	return c;
}

/* Flips one byte of payload `which` (0: the first, -1: the last) of a cleartext body. */
static bool flip_payload(uint8_t *body, size_t len, uint8_t np, int which)
{
	struct isakmp_chain c;
	const char *why;
	if (!isakmp_chain_parse(body, len, np, &c, &why) || c.n == 0)
		return false;
	const struct isakmp_pl *p = &c.pl[which < 0 ? c.n - 1 : (size_t)which];
	if (p->len == 0)
		return false;
	body[(size_t)(p->body - body) + p->len / 2] ^= 0x40;
	return true;
}

static bool forge(struct rig *r, struct tamper_case *t, const uint8_t *buf, size_t len)
{
	struct rig_side *rx = t->target_dir == RIG_C2S ? &r->s : &r->c;
	struct isakmp_hdr h;
	const char *why;
	uint8_t plain[RIG_MAX_MSG];
	memcpy(t->forged, buf, len);
	t->forged_len = len;
	if (!isakmp_hdr_parse(buf, len, &h, &why))
		return false;
	bool enc = (h.flags & ISAKMP_FLAG_E) != 0;
	switch (t->v) {
	case V_TRUNC:
		t->forged_len = len - 8;
		return true;
	case V_CIPHER:
		if (!enc)
			return false;
		/* the first block: it garbles the HASH payload (the last blocks may hold only
		 * padding, which no IKEv1 hash covers) */
		t->forged[ISAKMP_HDR_LEN + 5] ^= 0x01;
		return true;
	case V_HASH:
	case V_BODY:
		break;
	default:
		return false;
	}
	/* main mode proves nothing before MM5 and MM6: a changed KE or nonce in clear only makes
	 * keys that the signatures then expose, so those rows have nothing to check */
	if (!enc && h.exch == ISAKMP_EXCH_MAIN)
		return false;
	if (!enc) {
		/* phase-1 messages in clear: only AM2 carries a hash (HASH_R) */
		struct isakmp_chain c;
		if (!isakmp_chain_parse(t->forged + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h.np, &c,
		                        &why))
			return false;
		const struct isakmp_pl *p =
		    isakmp_chain_find(&c, t->v == V_HASH ? ISAKMP_PL_HASH : ISAKMP_PL_NONCE, 0);
		/* hybrid: AM2 is signed instead (SIG_R over HASH_R) */
		if (!p && t->v == V_HASH)
			p = isakmp_chain_find(&c, ISAKMP_PL_SIG, 0);
		if (!p || t->target_dir != RIG_S2C)
			return false; /* AM1 has no hash: its nonce only changes the keys */
		((uint8_t *)p->body)[p->len / 2] ^= 0x40;
		return true;
	}
	/* HASH_I covers the phase-1 exchange, not the NAT-D and INITIAL-CONTACT payloads that
	 * travel with it in AM3 (RFC 2409 5.4, RFC 3947 3.2): there the body row has nothing to
	 * check that the protocol defines */
	if (t->v == V_BODY && h.exch == ISAKMP_EXCH_AGGRESSIVE)
		return false;
	if (!rx->sa)
		return false;
	int n = ike_oracle_open(rx->sa, buf, len, &h, plain, sizeof(plain));
	if (n <= 0)
		return false;
	if (!flip_payload(plain, (size_t)n, h.np, t->v == V_HASH ? 0 : -1))
		return false;
	size_t out = ike_oracle_seal(rx->sa, &h, plain, (size_t)n, ORACLE_HASH_KEEP, t->forged,
	                             sizeof(t->forged));
	if (!out)
		return false;
	t->forged_len = out;
	return true;
}

static enum rig_verdict hook(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                             size_t *len, size_t cap, void *arg)
{
	struct tamper_case *t = arg;
	(void)cap;
	if (t->record) {
		if (t->n_msgs < MAX_MSGS && *len >= ISAKMP_HDR_LEN)
			t->msgs[t->n_msgs++] =
			    (struct recorded){dir, index, buf[18], (buf[19] & ISAKMP_FLAG_E) != 0};
		return RIG_PASS;
	}
	if (t->armed || dir != t->target_dir || index != t->target_index)
		return RIG_PASS;
	t->armed = true;
	t->exch = *len >= ISAKMP_HDR_LEN ? buf[18] : 0;
	memcpy(t->genuine, buf, *len);
	t->genuine_len = *len;
	t->applicable = forge(r, t, buf, *len);
	return RIG_DROP;
}

/* Delivers the tampered copy, checks the receiver, then the genuine one. */
static void inject(struct rig *r, struct tamper_case *t, const char *label)
{
	if (!t->armed || t->injected)
		return;
	t->injected = true;
	struct rig_side *rx = t->target_dir == RIG_C2S ? &r->s : &r->c;
	if (t->applicable) {
		struct counters before = snap(r, rx);
		rig_inject(r, t->target_dir, t->forged, t->forged_len);
		assert_true(rig_pump(r));
		struct counters after = snap(r, rx);
		/* a message that does not verify may be forged: it must not end anything */
		if (rx->failed)
			fail_msg("%s: the receiver failed with \"%s\"", label, rx->fail_text);
		if (memcmp(&before, &after, sizeof(before)) != 0)
			fail_msg(
			    "%s: the receiver acted on it (sends %d->%d, prompts %d->%d, "
			    "answers %d->%d, verifies %d->%d, policies %d->%d, children %d->%d, "
			    "down %d->%d, assigned %d->%d, closed %d->%d)",
			    label, before.sends, after.sends, before.prompts, after.prompts,
			    before.answers, after.answers, before.verifies, after.verifies,
			    before.policies, after.policies, before.children_up, after.children_up,
			    before.children_down, after.children_down, before.assigned,
			    after.assigned, before.closed, after.closed);
	}
	rig_inject(r, t->target_dir, t->genuine, t->genuine_len);
	assert_true(rig_pump(r));
}

/* One tick of whichever timer comes first (no retransmission can sneak in between). */
static void tick_once(struct rig *r)
{
	uint64_t t = ike_next_timeout(r->c.sa);
	if (r->s.sa && ike_next_timeout(r->s.sa) < t)
		t = ike_next_timeout(r->s.sa);
	assert_true(t != UINT64_MAX);
	r->now = t > r->now ? t : r->now + 1;
	ike_tick(r->c.sa, r->now);
	if (r->s.sa)
		ike_tick(r->s.sa, r->now);
	assert_true(rig_pump(r));
}

/* The conversation: connect, one DPD round trip, disconnect. */
static void converse(struct rig *r, struct tamper_case *t, const char *label)
{
	assert_true(rig_start(r));
	inject(r, t, label);
	if (r->c.failed || r->s.failed)
		return;
	/* main mode: the gateway's XAUTH request follows MM6 at once, so while MM6 is held back
	 * the request overtakes it and is lost; its retransmission brings it again */
	if (r->c.children_up == 0)
		rig_run_timers(r, r->now + 5000);
	assert_int_equal(r->c.children_up, 1);
	assert_int_equal(r->s.children_up, 1);
	assert_true(rig_mirrored(r));
	/* idle for 11 s: the client's DPD probe and the server's answer */
	uint64_t until = r->now + 11000;
	for (;;) {
		uint64_t next = ike_next_timeout(r->c.sa);
		if (ike_next_timeout(r->s.sa) < next)
			next = ike_next_timeout(r->s.sa);
		if (next > until)
			break;
		tick_once(r);
		inject(r, t, label);
	}
	assert_false(r->c.failed);
	assert_false(r->s.failed);
	ike_close(r->c.sa, r->now);
	assert_true(rig_pump(r));
	inject(r, t, label);
	assert_true(r->s.closed);
}

/* Main mode with RSA signatures: the s3 certificates, at a date inside their validity. */
struct mm_pki {
	struct x509_cred *cli, *srv;
	struct x509_trust *trust;
};

static void mm_load(struct mm_pki *k)
{
	char c[512], key[512], err[512];
	const char *d = EVC_VECTORS_DIR "/s3-strongswan-main-rsa-xauth/pki";
	snprintf(c, sizeof(c), "%s/client.pem", d);
	snprintf(key, sizeof(key), "%s/client.key", d);
	if (x509_cred_load(c, key, &k->cli, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(c, sizeof(c), "%s/server.pem", d);
	snprintf(key, sizeof(key), "%s/server.key", d);
	if (x509_cred_load(c, key, &k->srv, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(c, sizeof(c), "%s/ca.pem", d);
	if (x509_trust_load(c, &k->trust, err, sizeof(err)))
		fail_msg("%s", err);
}

/* With k: main mode with certificates on both sides, or with hybrid (only the gateway's;
 * main_mode picks main or aggressive mode for it). */
enum p1_auth {
	P1_PSK,
	P1_CERT,
	P1_HYBRID_AM,
	P1_HYBRID_MM,
};

static void rig_setup(struct rig *r, bool push, const struct mm_pki *k, enum p1_auth a)
{
	rig_init(r);
	r->push = push;
	if (!k || a == P1_PSK)
		return;
	r->srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 86400};
	r->n_srv_p1 = 1;
	r->dh = 14;
	r->cli_cert = k->cli;
	r->cli_trust = k->trust;
	r->srv_cert = k->srv;
	r->srv_trust = k->trust;
	r->wall = 1798761600; /* 2027-01-01 */
	r->frag_size = 16000; /* whole messages: each is tampered with as one */
	if (a == P1_HYBRID_AM || a == P1_HYBRID_MM) {
		r->cli_cert = NULL;
		r->hybrid = true;
		r->psk = r->srv.psk; /* the group has a key: the client proves it */
		r->psk_main = a == P1_HYBRID_MM;
	}
}

static void run_table(bool push, const struct mm_pki *k, enum p1_auth a)
{
	static struct tamper_case t;
	struct rig r;

	memset(&t, 0, sizeof(t));
	t.record = true;
	rig_setup(&r, push, k, a);
	r.tamper = hook;
	r.tamper_arg = &t;
	converse(&r, &t, "recording");
	rig_free(&r);
	assert_true(t.n_msgs >= 12);

	size_t n_msgs = t.n_msgs, checked = 0;
	struct recorded msgs[MAX_MSGS];
	memcpy(msgs, t.msgs, sizeof(msgs));
	for (size_t i = 0; i < n_msgs; i++) {
		for (int v = 0; v < V_COUNT; v++) {
			char label[160];
			snprintf(label, sizeof(label), "%s message %u (%s%s), %s%s",
			         msgs[i].dir == RIG_C2S ? "client" : "server", msgs[i].index,
			         isakmp_exch_name(msgs[i].exch),
			         msgs[i].encrypted ? ", encrypted" : "", variant_name[v],
			         push ? ", policy pushed" : "");
			memset(&t, 0, sizeof(t));
			t.target_dir = msgs[i].dir;
			t.target_index = msgs[i].index;
			t.v = (enum variant)v;
			rig_setup(&r, push, k, a);
			r.tamper = hook;
			r.tamper_arg = &t;
			converse(&r, &t, label);
			if (!t.armed)
				fail_msg("%s: the message never came", label);
			checked += t.applicable;
			rig_free(&r);
		}
	}
	/* every encrypted message got its hash, body and ciphertext rows */
	assert_true(checked >= 3 * (n_msgs - 2));
	print_message("tampered %zu messages x %d ways: %zu cases applied\n", n_msgs, V_COUNT,
	              checked);
}

static void test_tamper_pulled_policy(void **state)
{
	(void)state;
	run_table(false, NULL, P1_PSK);
}

static void test_tamper_pushed_policy(void **state)
{
	(void)state;
	run_table(true, NULL, P1_PSK);
}

static void test_tamper_main_mode(void **state)
{
	struct mm_pki k = {NULL, NULL, NULL};
	(void)state;
	mm_load(&k);
	run_table(false, &k, P1_CERT);
	x509_cred_free(k.cli);
	x509_cred_free(k.srv);
	x509_trust_free(k.trust);
}

/* Hybrid: the gateway's signature in AM2 or MM6, the client's HASH_I proving nothing until
 * XAUTH; every message of both modes tampered with like the others. */
static void test_tamper_hybrid(void **state)
{
	struct mm_pki k = {NULL, NULL, NULL};
	(void)state;
	mm_load(&k);
	run_table(false, &k, P1_HYBRID_AM);
	run_table(false, &k, P1_HYBRID_MM);
	x509_cred_free(k.cli);
	x509_cred_free(k.srv);
	x509_trust_free(k.trust);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tamper_pulled_policy),
	    cmocka_unit_test(test_tamper_pushed_policy),
	    cmocka_unit_test(test_tamper_main_mode),
	    cmocka_unit_test(test_tamper_hybrid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
