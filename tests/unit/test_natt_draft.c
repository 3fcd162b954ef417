/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NAT traversal with peers that speak the drafts before RFC 3947 (older Cisco IOS and
 * concentrators, Windows): the vendor IDs are the MD5 of the draft names (known answers,
 * as vpnc, strongSwan and ike-scan list them), the responder answers in the name of the
 * latest draft the initiator gave, and with a draft NAT-D is payload 130 instead of 20 and
 * the tunnel still comes up in UDP. The initiator's first message is altered on the way so
 * that the responder sees only the vendor IDs of one draft, as from such a client.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "ike/isakmp.h"
#include "lib/crypto.h"

enum nat_vid { V_RFC, V_03, V_02N, V_02, V_COUNT };

/* MD5 of each name, as vpnc's and strongSwan's vendor-ID tables and ike-scan print them */
static const char *const names[V_COUNT] = {
    "RFC 3947",
    "draft-ietf-ipsec-nat-t-ike-03",
    "draft-ietf-ipsec-nat-t-ike-02\n",
    "draft-ietf-ipsec-nat-t-ike-02",
};
static const uint8_t known[V_COUNT][16] = {
    {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45, 0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45,
     0x2f},
    {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f, 0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d,
     0x56},
    {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e, 0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b,
     0x1f},
    {0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8, 0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4,
     0x48},
};

struct seen {
	bool vid[V_COUNT];
	int order[V_COUNT]; /* position among the NAT-T vendor IDs, -1: absent */
	size_t n_natt;
	uint8_t natd_type[4];
	size_t n_natd;
};

struct tam {
	unsigned keep; /* bit per enum nat_vid: which NAT-T vendor IDs of AM1 reach the server */
	struct seen am1, am2;
};

static int which(const struct isakmp_pl *p)
{
	for (int v = 0; v < V_COUNT; v++)
		if (p->len == 16 && memcmp(p->body, known[v], 16) == 0)
			return v;
	return -1;
}

/* Notes the NAT-T vendor IDs and NAT-D payloads of buf; in AM1, spoils those not kept. */
static void look(uint8_t *buf, size_t len, struct seen *s, unsigned keep, bool spoil)
{
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	assert_true(isakmp_hdr_parse(buf, len, &h, &why));
	assert_true(
	    isakmp_chain_parse(buf + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why));
	for (int v = 0; v < V_COUNT; v++)
		s->order[v] = -1;
	for (size_t i = 0; i < c.n; i++) {
		const struct isakmp_pl *p = &c.pl[i];
		if (p->type == ISAKMP_PL_NATD || p->type == ISAKMP_PL_NATD_DRAFT) {
			assert_true(s->n_natd < 4);
			s->natd_type[s->n_natd++] = p->type;
		}
		int v = p->type == ISAKMP_PL_VID ? which(p) : -1;
		if (v < 0)
			continue;
		s->vid[v] = true;
		s->order[v] = (int)s->n_natt++;
		if (spoil && !(keep & (1u << v)))
			buf[(size_t)(p->body - buf) + 15] ^= 0xff; /* an unknown vendor ID now */
	}
}

static enum rig_verdict tamper(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                               size_t *len, size_t cap, void *arg)
{
	struct tam *t = arg;
	(void)r, (void)cap;
	if (index == 0)
		look(buf, *len, dir == RIG_C2S ? &t->am1 : &t->am2, t->keep, dir == RIG_C2S);
	return RIG_PASS;
}

static void known_answers(void **state)
{
	(void)state;
	for (int v = 0; v < V_COUNT; v++) {
		uint8_t md5[16];
		struct crypto_iov iov = {names[v], strlen(names[v])};
		assert_int_equal(crypto_hash_v(HASH_MD5, &iov, 1, md5), 0);
		assert_memory_equal(md5, known[v], 16);
	}
}

/* Connects with the client's AM1 reduced to the NAT-T vendor IDs in keep; returns the rig. */
static void connect_with(struct rig *r, struct tam *t, unsigned keep, enum ike_natt_mode natt)
{
	memset(t, 0, sizeof(*t));
	t->keep = keep;
	rig_init(r);
	r->natt = natt;
	r->tamper = tamper;
	r->tamper_arg = t;
	assert_true(rig_start(r));
	assert_true(r->c.children_up > 0);
	assert_true(r->s.children_up > 0);
}

/* evc offers every variant, newest first, so that an old server finds the one it knows */
static void initiator_offers_all(void **state)
{
	struct rig r;
	struct tam t;
	(void)state;
	connect_with(&r, &t, 0xf, IKE_NATT_AUTO);
	assert_int_equal(t.am1.n_natt, V_COUNT);
	for (int v = 0; v < V_COUNT; v++)
		assert_int_equal(t.am1.order[v], v);
	assert_int_equal(t.am1.n_natd, 0); /* NAT-D comes with AM2 and AM3 */
	rig_free(&r);
}

/* with the RFC on both sides: its vendor ID alone and NAT-D as payload 20 */
static void responder_rfc(void **state)
{
	struct rig r;
	struct tam t;
	(void)state;
	connect_with(&r, &t, 0xf, IKE_NATT_FORCE);
	assert_true(t.am2.vid[V_RFC]);
	assert_int_equal(t.am2.n_natt, 1);
	assert_int_equal(t.am2.n_natd, 2);
	assert_int_equal(t.am2.natd_type[0], ISAKMP_PL_NATD);
	assert_int_equal(t.am2.natd_type[1], ISAKMP_PL_NATD);
	assert_true(r.c.child.udp_encap && r.s.child.udp_encap);
	rig_free(&r);
}

/* a client of one draft: the answer names that draft, NAT-D is payload 130, and with a NAT
 * (forced) the ESP SAs are still ESP in UDP on both sides */
static void responder_draft(enum nat_vid only, enum ike_natt_mode natt)
{
	struct rig r;
	struct tam t;
	connect_with(&r, &t, 1u << only, natt);
	assert_int_equal(t.am2.n_natt, 1);
	assert_true(t.am2.vid[only]);
	assert_int_equal(t.am2.n_natd, 2);
	assert_int_equal(t.am2.natd_type[0], ISAKMP_PL_NATD_DRAFT);
	assert_int_equal(t.am2.natd_type[1], ISAKMP_PL_NATD_DRAFT);
	bool udp = natt == IKE_NATT_FORCE;
	assert_int_equal(r.c.child.udp_encap, udp);
	assert_int_equal(r.s.child.udp_encap, udp);
	rig_free(&r);
}

static void responder_draft03(void **state)
{
	(void)state;
	responder_draft(V_03, IKE_NATT_FORCE);
}

static void responder_draft02n(void **state)
{
	(void)state;
	responder_draft(V_02N, IKE_NATT_FORCE);
}

static void responder_draft02(void **state)
{
	(void)state;
	responder_draft(V_02, IKE_NATT_FORCE);
	responder_draft(V_02, IKE_NATT_AUTO); /* no NAT: NAT-D 130 all the same, raw ESP */
}

/* both drafts 02 and 03 offered (no RFC): the later one is answered */
static void responder_prefers_03(void **state)
{
	struct rig r;
	struct tam t;
	(void)state;
	connect_with(&r, &t, (1u << V_03) | (1u << V_02N) | (1u << V_02), IKE_NATT_FORCE);
	assert_int_equal(t.am2.n_natt, 1);
	assert_true(t.am2.vid[V_03]);
	assert_int_equal(t.am2.natd_type[0], ISAKMP_PL_NATD_DRAFT);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(known_answers),        cmocka_unit_test(initiator_offers_all),
	    cmocka_unit_test(responder_rfc),        cmocka_unit_test(responder_draft03),
	    cmocka_unit_test(responder_draft02n),   cmocka_unit_test(responder_draft02),
	    cmocka_unit_test(responder_prefers_03),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
