/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISAKMP codec against the recorded exchanges: every message of the three scenarios and every
 * decrypted body is parsed down to its typed payloads and checked against values read off the
 * vectors (keys.txt, the README's message flow); messages are rebuilt byte for byte; and each
 * class of malformed input is rejected with a reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike/isakmp.h"
#include "vectors.h"

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

#define MUST(expr, why)                                                                            \
	do {                                                                                       \
		if (!(expr))                                                                       \
			fail_msg("%s failed: %s", #expr, (why) ? (why) : "(no reason)");           \
	} while (0)

/* Rejected, and for the reason the test constructed. */
#define REJECT(expr, why, want)                                                                    \
	do {                                                                                       \
		(why) = NULL;                                                                      \
		if (expr)                                                                          \
			fail_msg("%s accepted malformed input", #expr);                            \
		assert_non_null(why);                                                              \
		assert_string_equal((why), (want));                                                \
	} while (0)

static void assert_bytes(const uint8_t *p, size_t len, struct vec_bytes want)
{
	assert_int_equal(len, want.len);
	assert_memory_equal(p, want.p, len);
}

static void assert_str(const uint8_t *p, size_t len, const char *want)
{
	assert_int_equal(len, strlen(want));
	assert_memory_equal(p, want, len);
}

/* ---- attribute helpers ---- */

/* Every attribute of a list, in order; fails the test if the list is malformed. */
static size_t attrs_all(const uint8_t *p, size_t len, struct isakmp_attr *out, size_t max)
{
	struct rd r = rd_init(p, len);
	size_t n = 0;
	int rc;

	while ((rc = isakmp_attr_next(&r, &out[n < max ? n : max - 1])) == 1)
		n++;
	assert_int_equal(rc, 0);
	assert_int_equal(r.left, 0);
	assert_true(n <= max);
	return n;
}

static bool attr_find(const uint8_t *p, size_t len, uint16_t type, struct isakmp_attr *a)
{
	struct rd r = rd_init(p, len);

	while (isakmp_attr_next(&r, a) == 1)
		if (a->type == type)
			return true;
	return false;
}

static uint32_t attr_int(const uint8_t *p, size_t len, uint16_t type)
{
	struct isakmp_attr a;

	if (!attr_find(p, len, type, &a))
		fail_msg("attribute %u missing", type);
	assert_true(a.value_ok);
	return a.value;
}

static struct isakmp_attr attr_get(const uint8_t *p, size_t len, uint16_t type)
{
	struct isakmp_attr a;

	if (!attr_find(p, len, type, &a))
		fail_msg("attribute %s (%u) missing", isakmp_cfg_attr_name(type), type);
	return a;
}

/* ---- parsing helpers ---- */

static void check_types(const struct isakmp_chain *c, const uint8_t *types, size_t n)
{
	if (c->n != n)
		fail_msg("chain has %zu payloads, want %zu", c->n, n);
	for (size_t i = 0; i < n; i++)
		if (c->pl[i].type != types[i])
			fail_msg("payload %zu is %s, want %s", i, isakmp_pl_name(c->pl[i].type),
			         isakmp_pl_name(types[i]));
}

/* Parses the body of every payload with its typed parser and walks every attribute list to
 * its end: the invariant "a chain that parses has bodies that parse" for real traffic. */
static void check_bodies(const struct isakmp_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct isakmp_pl *pl = &c->pl[i];
		const char *why = NULL;
		struct isakmp_attr attrs[64];

		assert_int_equal(pl->raw_len, pl->len + ISAKMP_GEN_LEN);
		assert_ptr_equal(pl->body, pl->raw + ISAKMP_GEN_LEN);
		switch (pl->type) {
		case ISAKMP_PL_SA: {
			struct isakmp_sa sa;
			MUST(isakmp_sa_parse(pl->body, pl->len, &sa, &why), why);
			assert_true(sa.np >= 1);
			for (size_t k = 0; k < sa.np; k++) {
				assert_true(sa.p[k].count >= 1);
				assert_int_equal(sa.p[k].first + sa.p[k].count,
				                 k + 1 < sa.np ? sa.p[k + 1].first : sa.nt);
			}
			for (size_t k = 0; k < sa.nt; k++)
				assert_true(attrs_all(sa.t[k].attrs, sa.t[k].attrs_len, attrs,
				                      N_ELEM(attrs)) >= 1);
			break;
		}
		case ISAKMP_PL_ID: {
			struct isakmp_id id;
			MUST(isakmp_id_parse(pl->body, pl->len, &id, &why), why);
			assert_int_equal(id.len + 4, pl->len);
			break;
		}
		case ISAKMP_PL_N: {
			struct isakmp_notify n;
			MUST(isakmp_notify_parse(pl->body, pl->len, &n, &why), why);
			assert_int_equal(n.doi, ISAKMP_DOI_IPSEC);
			assert_int_equal(8 + n.spi_size + n.data_len, pl->len);
			break;
		}
		case ISAKMP_PL_D: {
			struct isakmp_delete d;
			MUST(isakmp_delete_parse(pl->body, pl->len, &d, &why), why);
			assert_int_equal(d.doi, ISAKMP_DOI_IPSEC);
			assert_int_equal(8 + (size_t)d.nspi * d.spi_size, pl->len);
			break;
		}
		case ISAKMP_PL_ATTR: {
			struct isakmp_cfg cfg;
			MUST(isakmp_cfg_parse(pl->body, pl->len, &cfg, &why), why);
			assert_true(cfg.type >= ISAKMP_CFG_REQUEST && cfg.type <= ISAKMP_CFG_ACK);
			attrs_all(cfg.attrs, cfg.attrs_len, attrs, N_ELEM(attrs));
			break;
		}
		default:
			/* opaque bodies (KE, NONCE, HASH, SIG, VID, NAT-D, CERT, CR, FRAG) */
			assert_true(pl->len > 0);
			break;
		}
	}
}

/* Rebuilds a chain with the builder payload by payload and checks that the header and every
 * byte come out as they went in (all recorded generic headers have reserved 0). */
static void check_rebuild(const struct isakmp_hdr *h, const struct isakmp_chain *c,
                          const uint8_t *want, size_t want_len)
{
	uint8_t *buf = malloc(want_len + ISAKMP_HDR_LEN);
	struct isakmp_builder b;
	struct isakmp_hdr h2;
	const char *why = NULL;

	assert_non_null(buf);
	isakmp_build_start(&b, buf, want_len + ISAKMP_HDR_LEN, h);
	for (size_t i = 0; i < c->n; i++)
		isakmp_build_payload(&b, c->pl[i].type, c->pl[i].body, c->pl[i].len);
	size_t n = isakmp_build_finish(&b);
	assert_int_equal(n, want_len);
	assert_memory_equal(buf, want, want_len);
	MUST(isakmp_hdr_parse(buf, n, &h2, &why), why);
	assert_int_equal(h2.len, n);
	free(buf);
}

static const char *exch_prefix(const char *s, char *out, size_t cap)
{
	size_t n = strcspn(s, "/");
	if (n >= cap)
		n = cap - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static bool is_frag(const struct vec_msg *m)
{
	return strstr(m->exch, "/FRAG") != NULL;
}

struct frag {
	uint16_t id;
	uint8_t num;
	uint8_t flags;
	const uint8_t *data;
	size_t len;
};

/* Cisco/strongSwan IKE fragment body: id(2) number(1) flags(1, 1 = last) data. */
static void frag_parse(const struct vec_msg *m, struct frag *f)
{
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why = NULL;

	MUST(isakmp_hdr_parse(m->data.p, m->data.len, &h, &why), why);
	assert_int_equal(h.np, ISAKMP_PL_FRAG);
	MUST(isakmp_chain_parse(m->data.p + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why),
	     why);
	assert_int_equal(c.n, 1);
	struct rd r = rd_init(c.pl[0].body, c.pl[0].len);
	assert_true(rd_u16(&r, &f->id) && rd_u8(&r, &f->num) && rd_u8(&r, &f->flags));
	f->data = r.p;
	f->len = r.left;
}

/* Reassembles the fragmented message whose last fragment is message `last` and returns the
 * reassembled header (its np is the first payload of the decrypted body). */
static struct isakmp_hdr reassemble(struct vec_set *v, unsigned last, size_t *ct_len)
{
	struct frag f;
	const struct vec_msg *m = vec_msg(v, last);
	uint8_t *buf;
	size_t len = 0;
	struct isakmp_hdr h;
	const char *why = NULL;

	frag_parse(m, &f);
	assert_int_equal(f.flags & 1, 1);
	unsigned count = f.num, first = last + 1 - count;
	uint16_t id = f.id;
	buf = malloc(65536);
	assert_non_null(buf);
	for (unsigned k = 0; k < count; k++) {
		frag_parse(vec_msg(v, first + k), &f);
		assert_int_equal(f.num, k + 1);
		assert_int_equal(f.id, id);
		assert_int_equal(f.flags & 1, k + 1 == count);
		assert_true(len + f.len <= 65536);
		memcpy(buf + len, f.data, f.len);
		len += f.len;
	}
	MUST(isakmp_hdr_parse(buf, len, &h, &why), why);
	assert_int_equal(h.len, len);
	assert_true(h.flags & ISAKMP_FLAG_E);
	*ct_len = len - ISAKMP_HDR_LEN;
	free(buf);
	return h;
}

/* The chain of message `num`, unencrypted. */
static void msg_chain(struct vec_set *v, unsigned num, struct isakmp_hdr *h, struct isakmp_chain *c)
{
	const struct vec_msg *m = vec_msg(v, num);
	const char *why = NULL;

	assert_non_null(m);
	MUST(isakmp_hdr_parse(m->data.p, m->data.len, h, &why), why);
	assert_false(h->flags & ISAKMP_FLAG_E);
	MUST(
	    isakmp_chain_parse(m->data.p + ISAKMP_HDR_LEN, h->len - ISAKMP_HDR_LEN, h->np, c, &why),
	    why);
}

/* First next-payload of decrypted message `num`: the header's, or for a fragmented message
 * the reassembled header's. */
static uint8_t dec_first_np(struct vec_set *v, unsigned num)
{
	const struct vec_msg *m = vec_msg(v, num);
	struct isakmp_hdr h;
	const char *why = NULL;
	size_t ct_len;

	assert_non_null(m);
	if (is_frag(m)) {
		h = reassemble(v, num, &ct_len);
		const struct vec_dec *d = vec_dec(v, num);
		assert_int_equal(ct_len, d->payloads.len + d->padding.len);
		return h.np;
	}
	MUST(isakmp_hdr_parse(m->data.p, m->data.len, &h, &why), why);
	return h.np;
}

/* The chain of decrypted message `num` (padding excluded, as in decrypted.txt). */
static void dec_chain(struct vec_set *v, unsigned num, struct isakmp_chain *c)
{
	const struct vec_dec *d = vec_dec(v, num);
	const char *why = NULL;

	assert_non_null(d);
	MUST(isakmp_chain_parse(d->payloads.p, d->payloads.len, dec_first_np(v, num), c, &why),
	     why);
}

/* ---- every message of a scenario ---- */

static void check_scenario(const char *name)
{
	struct vec_set *v = vec_load(name);
	struct vec_bytes icky = vec_hex(v, "CKY_I"), rcky = vec_hex(v, "CKY_R");
	size_t nenc = 0, nplain = 0, nfrag = 0;

	assert_true(v->nmsgs > 0);
	for (size_t i = 0; i < v->nmsgs; i++) {
		const struct vec_msg *m = &v->msgs[i];
		struct isakmp_hdr h;
		struct isakmp_chain c;
		const char *why = NULL;
		char exch[32];

		MUST(isakmp_hdr_parse(m->data.p, m->data.len, &h, &why), why);
		assert_int_equal(h.len, m->data.len);
		assert_int_equal(h.version, ISAKMP_VERSION);
		assert_int_equal(h.msgid, m->msgid);
		assert_string_equal(isakmp_exch_name(h.exch),
		                    exch_prefix(m->exch, exch, sizeof(exch)));
		assert_bytes(h.icky, sizeof(h.icky), icky);
		if (m->num == 1) {
			static const uint8_t zero[8];
			assert_memory_equal(h.rcky, zero, 8);
		} else {
			assert_bytes(h.rcky, sizeof(h.rcky), rcky);
		}
		/* encrypted exactly when decrypted.txt has its plaintext (fragments: the inner
		 * message is encrypted, the fragment carrier is not) */
		if (h.flags & ISAKMP_FLAG_E) {
			assert_non_null(vec_dec(v, m->num));
			nenc++;
			continue;
		}
		if (is_frag(m) && vec_dec(v, m->num))
			nfrag++;
		MUST(isakmp_chain_parse(m->data.p + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np,
		                        &c, &why),
		     why);
		size_t sum = 0;
		for (size_t k = 0; k < c.n; k++)
			sum += c.pl[k].raw_len;
		assert_int_equal(sum + ISAKMP_HDR_LEN, h.len);
		check_bodies(&c);
		check_rebuild(&h, &c, m->data.p, m->data.len);
		nplain++;
	}
	assert_true(nplain >= 2);

	for (size_t i = 0; i < v->ndecs; i++) {
		const struct vec_dec *d = &v->decs[i];
		const struct vec_msg *m = vec_msg(v, d->num);
		struct isakmp_hdr h;
		struct isakmp_chain c, c2;
		const char *why = NULL;

		assert_non_null(m);
		assert_int_equal(d->msgid, m->msgid);
		dec_chain(v, d->num, &c);
		size_t sum = 0;
		for (size_t k = 0; k < c.n; k++)
			sum += c.pl[k].raw_len;
		assert_int_equal(sum, d->payloads.len);
		/* every message after phase 1 starts with HASH (RFC 2409 5.5, mode-cfg-02 3.1) */
		if (strcmp(d->exch, "AGGRESSIVE") != 0 && strcmp(d->exch, "MAIN") != 0)
			assert_int_equal(c.pl[0].type, ISAKMP_PL_HASH);
		check_bodies(&c);

		/* with the encryption padding behind it the chain is the same */
		size_t all = d->payloads.len + d->padding.len;
		uint8_t *buf = malloc(all + 1);
		assert_non_null(buf);
		memcpy(buf, d->payloads.p, d->payloads.len);
		if (d->padding.len)
			memcpy(buf + d->payloads.len, d->padding.p, d->padding.len);
		MUST(isakmp_chain_parse(buf, all, dec_first_np(v, d->num), &c2, &why), why);
		assert_int_equal(c2.n, c.n);
		for (size_t k = 0; k < c.n; k++) {
			assert_int_equal(c2.pl[k].type, c.pl[k].type);
			assert_int_equal(c2.pl[k].len, c.pl[k].len);
		}
		free(buf);

		/* rebuilt with a synthetic header: the body bytes are the same */
		memset(&h, 0, sizeof(h));
		h.version = ISAKMP_VERSION;
		h.exch = ISAKMP_EXCH_INFO;
		h.msgid = d->msgid;
		uint8_t *want = malloc(ISAKMP_HDR_LEN + d->payloads.len);
		assert_non_null(want);
		struct wr w = wr_init(want, ISAKMP_HDR_LEN + d->payloads.len);
		h.np = c.pl[0].type;
		h.len = (uint32_t)(ISAKMP_HDR_LEN + d->payloads.len);
		isakmp_hdr_write(&w, &h);
		wr_bytes(&w, d->payloads.p, d->payloads.len);
		assert_false(w.err);
		check_rebuild(&h, &c, want, w.len);
		free(want);
	}
	assert_int_equal(nenc + nfrag, v->ndecs);
	vec_free(v);
}

static void test_all_s1(void **state)
{
	(void)state;
	check_scenario(VEC_S1);
}

static void test_all_s2(void **state)
{
	(void)state;
	check_scenario(VEC_S2);
}

static void test_all_s3(void **state)
{
	(void)state;
	check_scenario(VEC_S3);
}

/* ---- s1: vpnc -> strongSwan, concrete values ---- */

static void test_s1_am1(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	struct isakmp_sa sa;
	struct isakmp_id id;
	const char *why = NULL;
	static const uint8_t types[] = {
	    ISAKMP_PL_SA,  ISAKMP_PL_KE,  ISAKMP_PL_NONCE, ISAKMP_PL_ID,  ISAKMP_PL_VID,
	    ISAKMP_PL_VID, ISAKMP_PL_VID, ISAKMP_PL_VID,   ISAKMP_PL_VID, ISAKMP_PL_VID,
	    ISAKMP_PL_VID, ISAKMP_PL_VID, ISAKMP_PL_VID,
	};
	static const uint8_t xauth_vid[] = {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12};
	static const uint8_t unity_vid[] = {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
	                                    0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00};

	msg_chain(v, 1, &h, &c);
	assert_int_equal(h.exch, ISAKMP_EXCH_AGGRESSIVE);
	assert_int_equal(h.len, 1304);
	check_types(&c, types, N_ELEM(types));
	assert_int_equal(isakmp_chain_count(&c, ISAKMP_PL_VID), 9);
	assert_ptr_equal(isakmp_chain_find(&c, ISAKMP_PL_VID, 0), &c.pl[4]);
	assert_ptr_equal(isakmp_chain_find(&c, ISAKMP_PL_VID, 5), &c.pl[5]);
	assert_null(isakmp_chain_find(&c, ISAKMP_PL_HASH, 0));
	assert_null(isakmp_chain_find(&c, ISAKMP_PL_SA, 1));

	/* vpnc: one proposal (numbered 0) with its 24 IKE transforms */
	MUST(isakmp_sa_parse(c.pl[0].body, c.pl[0].len, &sa, &why), why);
	assert_int_equal(sa.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(sa.situation, ISAKMP_SIT_IDENTITY_ONLY);
	assert_int_equal(sa.np, 1);
	assert_int_equal(sa.p[0].num, 0);
	assert_int_equal(sa.p[0].proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(sa.p[0].spi_size, 0);
	assert_int_equal(sa.p[0].first, 0);
	assert_int_equal(sa.p[0].count, 24);
	assert_int_equal(sa.nt, 24);
	for (size_t i = 0; i < sa.nt; i++) {
		const struct isakmp_transform *t = &sa.t[i];
		assert_int_equal(t->num, i);
		assert_int_equal(t->id, ISAKMP_KEY_IKE);
		assert_int_equal(attr_int(t->attrs, t->attrs_len, IKE_ATTR_GROUP), 2);
		assert_int_equal(attr_int(t->attrs, t->attrs_len, IKE_ATTR_AUTH),
		                 i < 12 ? IKE_AUTH_XAUTH_INIT_PSK : IKE_AUTH_PSK);
		assert_int_equal(attr_int(t->attrs, t->attrs_len, IKE_ATTR_LIFE_TYPE),
		                 IKE_LIFE_SECONDS);
		/* life duration as a 4-byte TLV: 2147483 s */
		struct isakmp_attr a = attr_get(t->attrs, t->attrs_len, IKE_ATTR_LIFE_DURATION);
		assert_false(a.tv);
		assert_int_equal(a.len, 4);
		assert_true(a.value_ok);
		assert_int_equal(a.value, 2147483);
	}
	/* transform 0: AES-256 / SHA1, in vpnc's attribute order */
	struct isakmp_attr attrs[16];
	size_t na = attrs_all(sa.t[0].attrs, sa.t[0].attrs_len, attrs, N_ELEM(attrs));
	static const uint16_t order[] = {IKE_ATTR_KEY_LENGTH,   IKE_ATTR_ENCR, IKE_ATTR_HASH,
	                                 IKE_ATTR_GROUP,        IKE_ATTR_AUTH, IKE_ATTR_LIFE_TYPE,
	                                 IKE_ATTR_LIFE_DURATION};
	static const uint32_t values[] = {256, 7, 2, 2, 65001, 1, 2147483};
	assert_int_equal(na, N_ELEM(order));
	for (size_t i = 0; i < na; i++) {
		assert_int_equal(attrs[i].type, order[i]);
		assert_int_equal(attrs[i].value, values[i]);
		assert_int_equal(attrs[i].tv, i + 1 != na);
	}
	/* transform 6: 3DES (no key length), transform 23: vpnc's last, hash MD5 */
	assert_int_equal(attr_int(sa.t[6].attrs, sa.t[6].attrs_len, IKE_ATTR_ENCR), 5);
	assert_false(attr_find(sa.t[6].attrs, sa.t[6].attrs_len, IKE_ATTR_KEY_LENGTH, &attrs[0]));
	assert_int_equal(attr_int(sa.t[23].attrs, sa.t[23].attrs_len, IKE_ATTR_HASH), 1);

	assert_bytes(c.pl[1].body, c.pl[1].len, vec_hex(v, "g_xi"));
	assert_int_equal(c.pl[1].len, 128); /* modp1024 */
	assert_bytes(c.pl[2].body, c.pl[2].len, vec_hex(v, "Ni_b"));

	MUST(isakmp_id_parse(c.pl[3].body, c.pl[3].len, &id, &why), why);
	assert_int_equal(id.type, ISAKMP_ID_KEY_ID);
	assert_int_equal(id.proto, 17);
	assert_int_equal(id.port, 500);
	assert_str(id.data, id.len, "quizware");

	assert_memory_equal(c.pl[4].body, xauth_vid, sizeof(xauth_vid));
	assert_int_equal(c.pl[4].len, sizeof(xauth_vid));
	assert_int_equal(c.pl[5].len, sizeof(unity_vid));
	assert_memory_equal(c.pl[5].body, unity_vid, sizeof(unity_vid));
	vec_free(v);
}

static void test_s1_am2(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	struct isakmp_sa sa;
	struct isakmp_id id;
	const char *why = NULL;
	static const uint8_t types[] = {
	    ISAKMP_PL_SA,   ISAKMP_PL_KE,   ISAKMP_PL_NONCE, ISAKMP_PL_ID,
	    ISAKMP_PL_VID,  ISAKMP_PL_VID,  ISAKMP_PL_VID,   ISAKMP_PL_VID,
	    ISAKMP_PL_NATD, ISAKMP_PL_NATD, ISAKMP_PL_HASH,
	};
	static const uint8_t server_ip[] = {198, 51, 100, 1};

	msg_chain(v, 2, &h, &c);
	check_types(&c, types, N_ELEM(types));
	assert_bytes(h.rcky, 8, vec_hex(v, "CKY_R"));

	/* the chosen transform: one proposal, one transform */
	MUST(isakmp_sa_parse(c.pl[0].body, c.pl[0].len, &sa, &why), why);
	assert_int_equal(sa.np, 1);
	assert_int_equal(sa.nt, 1);
	assert_int_equal(sa.p[0].num, 1);
	assert_int_equal(sa.p[0].count, 1);
	assert_int_equal(sa.t[0].num, 1);
	assert_int_equal(sa.t[0].id, ISAKMP_KEY_IKE);
	const uint8_t *a = sa.t[0].attrs;
	size_t al = sa.t[0].attrs_len;
	assert_int_equal(attr_int(a, al, IKE_ATTR_ENCR), 7);
	assert_int_equal(attr_int(a, al, IKE_ATTR_KEY_LENGTH), 256);
	assert_int_equal(attr_int(a, al, IKE_ATTR_HASH), 2);
	assert_int_equal(attr_int(a, al, IKE_ATTR_GROUP), 2);
	assert_int_equal(attr_int(a, al, IKE_ATTR_AUTH), IKE_AUTH_XAUTH_INIT_PSK);
	assert_int_equal(attr_int(a, al, IKE_ATTR_LIFE_DURATION), 2147483);

	assert_bytes(c.pl[1].body, c.pl[1].len, vec_hex(v, "g_xr"));
	assert_bytes(c.pl[2].body, c.pl[2].len, vec_hex(v, "Nr_b"));
	MUST(isakmp_id_parse(c.pl[3].body, c.pl[3].len, &id, &why), why);
	assert_int_equal(id.type, ISAKMP_ID_IPV4_ADDR);
	assert_int_equal(id.proto, 0);
	assert_int_equal(id.port, 0);
	assert_memory_equal(id.data, server_ip, 4);
	assert_int_equal(c.pl[8].len, 20); /* SHA1 NAT-D */
	assert_int_equal(c.pl[9].len, 20);
	assert_int_equal(c.pl[10].len, 20); /* HASH_R */
	vec_free(v);
}

static void test_s1_am3(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_chain c;
	struct isakmp_notify n;
	const char *why = NULL;
	static const uint8_t types[] = {ISAKMP_PL_HASH, ISAKMP_PL_N,    ISAKMP_PL_VID,
	                                ISAKMP_PL_VID,  ISAKMP_PL_NATD, ISAKMP_PL_NATD};

	dec_chain(v, 3, &c);
	check_types(&c, types, N_ELEM(types));
	MUST(isakmp_notify_parse(c.pl[1].body, c.pl[1].len, &n, &why), why);
	assert_int_equal(n.type, ISAKMP_N_INITIAL_CONTACT);
	assert_string_equal(isakmp_notify_name(n.type), "INITIAL-CONTACT");
	assert_int_equal(n.proto, ISAKMP_PROTO_ISAKMP);
	assert_int_equal(n.spi_size, 16);
	struct vec_bytes ci = vec_hex(v, "CKY_I"), cr = vec_hex(v, "CKY_R");
	assert_memory_equal(n.spi, ci.p, 8);
	assert_memory_equal(n.spi + 8, cr.p, 8);
	assert_int_equal(n.data_len, 0);
	vec_free(v);
}

/* The ATTR payload of transaction message `num` (after HASH). */
static struct isakmp_cfg cfg_of(struct vec_set *v, unsigned num)
{
	struct isakmp_chain c;
	struct isakmp_cfg cfg;
	const char *why = NULL;
	static const uint8_t types[] = {ISAKMP_PL_HASH, ISAKMP_PL_ATTR};

	dec_chain(v, num, &c);
	check_types(&c, types, N_ELEM(types));
	MUST(isakmp_cfg_parse(c.pl[1].body, c.pl[1].len, &cfg, &why), why);
	return cfg;
}

/* XAUTH REQUEST / REPLY / SET / ACK, the same in every scenario. */
static void check_xauth(struct vec_set *v, unsigned req, bool ack_status_tv)
{
	struct isakmp_attr a[8];
	size_t n;
	struct isakmp_cfg cfg;

	cfg = cfg_of(v, req);
	assert_int_equal(cfg.type, ISAKMP_CFG_REQUEST);
	assert_int_equal(cfg.id, 0);
	n = attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a));
	assert_int_equal(n, 2);
	assert_int_equal(a[0].type, CFG_XAUTH_USER_NAME);
	assert_false(a[0].tv);
	assert_int_equal(a[0].len, 0);
	assert_false(a[0].value_ok);
	assert_non_null(a[0].data);
	assert_int_equal(a[1].type, CFG_XAUTH_USER_PASSWORD);
	assert_int_equal(a[1].len, 0);

	cfg = cfg_of(v, req + 1);
	assert_int_equal(cfg.type, ISAKMP_CFG_REPLY);
	n = attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a));
	assert_int_equal(n, 2);
	assert_int_equal(a[0].type, CFG_XAUTH_USER_NAME);
	assert_str(a[0].data, a[0].len, "richard");
	assert_false(a[0].value_ok); /* 7 bytes: not an integer */
	assert_int_equal(a[1].type, CFG_XAUTH_USER_PASSWORD);
	assert_bytes(a[1].data, a[1].len, vec_hex(v, "XAUTH_PASSWORD"));
	assert_bytes(a[0].data, a[0].len, vec_hex(v, "XAUTH_USER"));

	cfg = cfg_of(v, req + 2);
	assert_int_equal(cfg.type, ISAKMP_CFG_SET);
	n = attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a));
	assert_int_equal(n, 1);
	assert_int_equal(a[0].type, CFG_XAUTH_STATUS);
	assert_true(a[0].tv);
	assert_null(a[0].data);
	assert_int_equal(a[0].value, 1);

	cfg = cfg_of(v, req + 3);
	assert_int_equal(cfg.type, ISAKMP_CFG_ACK);
	n = attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a));
	assert_int_equal(n, 1);
	assert_int_equal(a[0].type, CFG_XAUTH_STATUS);
	/* vpnc echoes STATUS=1, strongSwan sends it empty */
	assert_int_equal(a[0].tv, ack_status_tv);
	if (ack_status_tv)
		assert_int_equal(a[0].value, 1);
	else
		assert_int_equal(a[0].len, 0);
}

/* The mode-config REPLY: 10.98.0.1, DNS 10.99.0.53, split-include 10.99.0.0/24. */
static void check_modecfg_reply(struct vec_set *v, unsigned num, uint16_t id)
{
	struct isakmp_cfg cfg = cfg_of(v, num);
	struct isakmp_attr a[8];
	static const uint8_t split[] = {10, 99, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0};

	assert_int_equal(cfg.type, ISAKMP_CFG_REPLY);
	assert_int_equal(cfg.id, id);
	assert_int_equal(attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a)), 3);
	assert_int_equal(a[0].type, CFG_INTERNAL_IP4_ADDRESS);
	assert_true(a[0].value_ok);
	assert_int_equal(a[0].value, 0x0a620001);
	assert_int_equal(a[1].type, CFG_INTERNAL_IP4_DNS);
	assert_int_equal(a[1].value, 0x0a630035);
	assert_int_equal(a[2].type, CFG_UNITY_SPLIT_INCLUDE);
	assert_false(a[2].value_ok);
	assert_int_equal(a[2].len, 14);
	assert_memory_equal(a[2].data, split, sizeof(split));
}

static void test_s1_transaction(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_attr a[16];
	static const uint16_t req[] = {
	    CFG_INTERNAL_IP4_ADDRESS,
	    CFG_INTERNAL_IP4_NETMASK,
	    CFG_INTERNAL_IP4_DNS,
	    CFG_INTERNAL_IP4_NBNS,
	    CFG_UNITY_DEF_DOMAIN,
	    CFG_UNITY_FW_TYPE,
	    CFG_UNITY_PFS,
	    CFG_UNITY_BANNER,
	    CFG_UNITY_SAVE_PASSWD,
	    CFG_UNITY_SPLIT_INCLUDE,
	    CFG_UNITY_SPLIT_DNS,
	    CFG_UNITY_DDNS_HOSTNAME,
	    CFG_APPLICATION_VERSION,
	};
	static const uint8_t fw[] = {0x80, 0x01, 0x00, 0x01, 0x80, 0x02,
	                             0x00, 0x01, 0x80, 0x03, 0x00, 0x02};

	check_xauth(v, 4, true);

	/* vpnc's mode-config REQUEST: identifier 20, 13 attributes */
	struct isakmp_cfg cfg = cfg_of(v, 8);
	assert_int_equal(cfg.type, ISAKMP_CFG_REQUEST);
	assert_int_equal(cfg.id, 20);
	size_t n = attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a));
	assert_int_equal(n, N_ELEM(req));
	for (size_t i = 0; i < n; i++)
		if (a[i].type != req[i])
			fail_msg("attribute %zu is %s, want %s", i, isakmp_cfg_attr_name(a[i].type),
			         isakmp_cfg_attr_name(req[i]));
	assert_int_equal(a[0].len, 0);
	assert_memory_equal(a[5].data, fw, sizeof(fw));
	assert_int_equal(a[5].len, sizeof(fw));
	assert_int_equal(a[11].len, 2); /* hostname "vm" */
	assert_true(a[11].value_ok);
	assert_int_equal(a[11].value, ('v' << 8) | 'm');
	assert_true(a[12].len > 30);
	assert_memory_equal(a[12].data, "Cisco Systems VPN Client 0.5.3", 30);

	check_modecfg_reply(v, 9, 20);
	vec_free(v);
}

/* Quick mode: SA with `nprop` ESP proposals each carrying spi, then NONCE, [KE], IDci, IDcr. */
static void check_qm(struct vec_set *v, unsigned num, const char *spi_key, size_t nprop, bool pfs,
                     struct isakmp_sa *sa)
{
	struct isakmp_chain c;
	struct isakmp_id id;
	const char *why = NULL;
	static const uint8_t client[] = {10, 98, 0, 1};
	static const uint8_t any[8];
	struct vec_bytes spi = vec_hex(v, spi_key);
	size_t k = 0;

	dec_chain(v, num, &c);
	assert_int_equal(c.n, pfs ? 6 : 5);
	assert_int_equal(c.pl[k++].type, ISAKMP_PL_HASH);
	assert_int_equal(c.pl[k].type, ISAKMP_PL_SA);
	MUST(isakmp_sa_parse(c.pl[k].body, c.pl[k].len, sa, &why), why);
	k++;
	assert_int_equal(sa->np, nprop);
	assert_int_equal(sa->nt, nprop);
	for (size_t i = 0; i < sa->np; i++) {
		assert_int_equal(sa->p[i].proto, ISAKMP_PROTO_ESP);
		assert_int_equal(sa->p[i].spi_size, 4);
		assert_bytes(sa->p[i].spi, 4, spi);
		assert_int_equal(sa->p[i].count, 1);
		assert_int_equal(sa->p[i].first, i);
		const struct isakmp_transform *t = &sa->t[i];
		assert_int_equal(attr_int(t->attrs, t->attrs_len, IPSEC_ATTR_ENCAP),
		                 IPSEC_ENCAP_UDP_TUNNEL);
	}
	/* the quick-mode nonce is the one keys.txt lists for this exchange and direction */
	const struct vec_dec *d = vec_dec(v, num);
	char key[64];
	snprintf(key, sizeof(key), "qm.%08x.%s", d->msgid, d->i2r ? "Ni_b" : "Nr_b");
	assert_int_equal(c.pl[k].type, ISAKMP_PL_NONCE);
	assert_bytes(c.pl[k].body, c.pl[k].len, vec_hex(v, key));
	k++;
	if (pfs) {
		assert_int_equal(c.pl[k].type, ISAKMP_PL_KE);
		assert_int_equal(c.pl[k++].len, 256);
	}
	assert_int_equal(c.pl[k].type, ISAKMP_PL_ID);
	MUST(isakmp_id_parse(c.pl[k].body, c.pl[k].len, &id, &why), why);
	k++;
	assert_int_equal(id.type, ISAKMP_ID_IPV4_ADDR);
	assert_memory_equal(id.data, client, 4);
	assert_int_equal(c.pl[k].type, ISAKMP_PL_ID);
	MUST(isakmp_id_parse(c.pl[k].body, c.pl[k].len, &id, &why), why);
	assert_int_equal(id.type, ISAKMP_ID_IPV4_ADDR_SUBNET);
	assert_int_equal(id.proto, 0);
	assert_int_equal(id.port, 0);
	assert_memory_equal(id.data, any, 8);
}

static void check_delete(struct vec_set *v, unsigned num, uint8_t proto, uint8_t spi_size,
                         const uint8_t *spis, uint16_t nspi)
{
	struct isakmp_chain c;
	struct isakmp_delete d;
	const char *why = NULL;
	static const uint8_t types[] = {ISAKMP_PL_HASH, ISAKMP_PL_D};

	dec_chain(v, num, &c);
	check_types(&c, types, N_ELEM(types));
	MUST(isakmp_delete_parse(c.pl[1].body, c.pl[1].len, &d, &why), why);
	assert_int_equal(d.doi, ISAKMP_DOI_IPSEC);
	assert_int_equal(d.proto, proto);
	assert_int_equal(d.spi_size, spi_size);
	assert_int_equal(d.nspi, nspi);
	assert_memory_equal(d.spis, spis, (size_t)nspi * spi_size);
}

static void cookies(struct vec_set *v, uint8_t out[16])
{
	struct vec_bytes ci = vec_hex(v, "CKY_I"), cr = vec_hex(v, "CKY_R");
	memcpy(out, ci.p, 8);
	memcpy(out + 8, cr.p, 8);
}

static void test_s1_quick_info(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_sa sa;
	struct isakmp_chain c;
	struct isakmp_notify n;
	const char *why = NULL;
	uint8_t ck[16], spis[8];

	/* vpnc offers 12 ESP proposals, numbered from 0, all with its inbound SPI */
	check_qm(v, 10, "esp.R2I.spi", 12, false, &sa);
	static const uint8_t ids[] = {12, 12, 12, 12, 12, 12, 3, 3, 2, 2, 11, 11};
	static const uint32_t keylen[] = {256, 256, 192, 192, 128, 128};
	for (size_t i = 0; i < 12; i++) {
		const struct isakmp_transform *t = &sa.t[i];
		assert_int_equal(sa.p[i].num, i);
		assert_int_equal(t->id, ids[i]);
		assert_int_equal(attr_int(t->attrs, t->attrs_len, IPSEC_ATTR_AUTH), i % 2 ? 1 : 2);
		assert_int_equal(attr_int(t->attrs, t->attrs_len, IPSEC_ATTR_LIFE_DURATION),
		                 2147483);
		if (i < 6)
			assert_int_equal(attr_int(t->attrs, t->attrs_len, IPSEC_ATTR_KEY_LENGTH),
			                 keylen[i]);
	}
	/* the server's choice: ESP_AES-256 / HMAC-SHA1 with its inbound SPI */
	check_qm(v, 11, "esp.I2R.spi", 1, false, &sa);
	assert_int_equal(sa.p[0].num, 1);
	assert_int_equal(sa.t[0].id, 12);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_KEY_LENGTH), 256);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_AUTH), 2);

	dec_chain(v, 12, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pl[0].type, ISAKMP_PL_HASH);

	/* DPD R-U-THERE / ACK with the same sequence number */
	cookies(v, ck);
	for (unsigned num = 13; num <= 14; num++) {
		static const uint8_t seq[] = {0x02, 0x64, 0x65, 0x90};
		dec_chain(v, num, &c);
		assert_int_equal(c.n, 2);
		assert_int_equal(c.pl[1].type, ISAKMP_PL_N);
		MUST(isakmp_notify_parse(c.pl[1].body, c.pl[1].len, &n, &why), why);
		assert_int_equal(n.type, num == 13 ? ISAKMP_N_R_U_THERE : ISAKMP_N_R_U_THERE_ACK);
		assert_int_equal(n.spi_size, 16);
		assert_memory_equal(n.spi, ck, 16);
		assert_int_equal(n.data_len, 4);
		assert_memory_equal(n.data, seq, 4);
	}

	/* DELETE of both ESP SPIs in one payload, then of the IKE SA */
	memcpy(spis, vec_hex(v, "esp.R2I.spi").p, 4);
	memcpy(spis + 4, vec_hex(v, "esp.I2R.spi").p, 4);
	check_delete(v, 15, ISAKMP_PROTO_ESP, 4, spis, 2);
	check_delete(v, 16, ISAKMP_PROTO_ISAKMP, 16, ck, 1);
	vec_free(v);
}

/* ---- s2: strongSwan client, PFS ---- */

static void test_s2_values(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S2);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	struct isakmp_sa sa;
	struct isakmp_id id;
	struct isakmp_attr a[8];
	const char *why = NULL;
	uint8_t ck[16];

	msg_chain(v, 1, &h, &c);
	assert_int_equal(c.n, 10);
	assert_int_equal(isakmp_chain_count(&c, ISAKMP_PL_VID), 6);
	MUST(isakmp_sa_parse(c.pl[0].body, c.pl[0].len, &sa, &why), why);
	assert_int_equal(sa.np, 1);
	assert_int_equal(sa.nt, 1);
	const uint8_t *t = sa.t[0].attrs;
	size_t tl = sa.t[0].attrs_len;
	assert_int_equal(attr_int(t, tl, IKE_ATTR_ENCR), 7);
	assert_int_equal(attr_int(t, tl, IKE_ATTR_KEY_LENGTH), 128);
	assert_int_equal(attr_int(t, tl, IKE_ATTR_HASH), 4);
	assert_int_equal(attr_int(t, tl, IKE_ATTR_GROUP), 14);
	assert_int_equal(attr_int(t, tl, IKE_ATTR_AUTH), IKE_AUTH_XAUTH_INIT_PSK);
	assert_bytes(c.pl[1].body, c.pl[1].len, vec_hex(v, "g_xi"));
	assert_int_equal(c.pl[1].len, 256);
	assert_bytes(c.pl[2].body, c.pl[2].len, vec_hex(v, "Ni_b"));
	MUST(isakmp_id_parse(c.pl[3].body, c.pl[3].len, &id, &why), why);
	assert_int_equal(id.type, ISAKMP_ID_KEY_ID);
	assert_int_equal(id.proto, 0);
	assert_int_equal(id.port, 0);
	assert_str(id.data, id.len, "quizware");

	msg_chain(v, 2, &h, &c);
	assert_int_equal(isakmp_chain_count(&c, ISAKMP_PL_NATD), 2);
	assert_int_equal(isakmp_chain_find(&c, ISAKMP_PL_NATD, 0)->len, 32); /* SHA-256 */
	assert_int_equal(isakmp_chain_find(&c, ISAKMP_PL_HASH, 0)->len, 32);
	assert_bytes(isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0)->body,
	             isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0)->len, vec_hex(v, "Nr_b"));

	dec_chain(v, 3, &c);
	static const uint8_t am3[] = {ISAKMP_PL_HASH, ISAKMP_PL_NATD, ISAKMP_PL_NATD};
	check_types(&c, am3, N_ELEM(am3));

	check_xauth(v, 4, false);
	struct isakmp_cfg cfg = cfg_of(v, 8);
	assert_int_equal(cfg.type, ISAKMP_CFG_REQUEST);
	assert_int_equal(attrs_all(cfg.attrs, cfg.attrs_len, a, N_ELEM(a)), 4);
	assert_int_equal(a[0].type, CFG_INTERNAL_IP4_ADDRESS);
	assert_int_equal(a[1].type, CFG_UNITY_SPLIT_INCLUDE);
	assert_int_equal(a[2].type, CFG_UNITY_LOCAL_LAN);
	assert_int_equal(a[3].type, CFG_INTERNAL_IP4_DNS);
	check_modecfg_reply(v, 9, 0);

	/* PFS: KE in quick mode, group 14 in the ESP transform */
	check_qm(v, 10, "esp.R2I.spi", 1, true, &sa);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_GROUP), 14);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_AUTH), 5);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_KEY_LENGTH), 128);
	check_qm(v, 11, "esp.I2R.spi", 1, true, &sa);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_LIFE_DURATION),
	                 28800);
	dec_chain(v, 11, &c);
	assert_bytes(c.pl[3].body, c.pl[3].len, vec_hex(v, "qm.324b73a0.g_xr"));
	assert_bytes(c.pl[2].body, c.pl[2].len, vec_hex(v, "qm.324b73a0.Nr_b"));

	check_delete(v, 13, ISAKMP_PROTO_ESP, 4, vec_hex(v, "esp.R2I.spi").p, 1);
	cookies(v, ck);
	check_delete(v, 14, ISAKMP_PROTO_ISAKMP, 16, ck, 1);
	vec_free(v);
}

/* ---- s3: main mode, certificates, IKE fragments ---- */

static void test_s3_values(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S3);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	struct isakmp_sa sa;
	struct isakmp_id id;
	struct isakmp_notify n;
	const char *why = NULL;
	uint8_t ck[16];
	struct frag f;

	msg_chain(v, 1, &h, &c);
	assert_int_equal(h.exch, ISAKMP_EXCH_MAIN);
	MUST(isakmp_sa_parse(c.pl[0].body, c.pl[0].len, &sa, &why), why);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IKE_ATTR_AUTH),
	                 IKE_AUTH_XAUTH_INIT_RSA);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IKE_ATTR_KEY_LENGTH), 256);

	msg_chain(v, 3, &h, &c);
	static const uint8_t mm3[] = {ISAKMP_PL_KE, ISAKMP_PL_NONCE, ISAKMP_PL_NATD,
	                              ISAKMP_PL_NATD};
	check_types(&c, mm3, N_ELEM(mm3));
	assert_bytes(c.pl[0].body, c.pl[0].len, vec_hex(v, "g_xi"));
	msg_chain(v, 4, &h, &c);
	static const uint8_t mm4[] = {ISAKMP_PL_KE, ISAKMP_PL_CR, ISAKMP_PL_NATD};
	assert_int_equal(c.n, 5);
	assert_int_equal(c.pl[0].type, mm4[0]);
	assert_int_equal(c.pl[2].type, mm4[1]);
	assert_int_equal(c.pl[4].type, mm4[2]);
	assert_bytes(c.pl[1].body, c.pl[1].len, vec_hex(v, "Nr_b"));

	/* MM5 in two fragments, the second one last */
	frag_parse(vec_msg(v, 5), &f);
	assert_int_equal(f.num, 1);
	assert_int_equal(f.flags, 0);
	frag_parse(vec_msg(v, 6), &f);
	assert_int_equal(f.num, 2);
	assert_int_equal(f.flags, 1);
	size_t ct;
	h = reassemble(v, 6, &ct);
	assert_int_equal(h.np, ISAKMP_PL_ID);
	assert_int_equal(h.exch, ISAKMP_EXCH_MAIN);

	dec_chain(v, 6, &c);
	static const uint8_t mm5[] = {ISAKMP_PL_ID, ISAKMP_PL_CERT, ISAKMP_PL_SIG, ISAKMP_PL_CR,
	                              ISAKMP_PL_N};
	check_types(&c, mm5, N_ELEM(mm5));
	MUST(isakmp_id_parse(c.pl[0].body, c.pl[0].len, &id, &why), why);
	assert_int_equal(id.type, ISAKMP_ID_DER_ASN1_DN);
	assert_int_equal(c.pl[2].len, 256); /* RSA-2048 signature */
	MUST(isakmp_notify_parse(c.pl[4].body, c.pl[4].len, &n, &why), why);
	assert_int_equal(n.type, ISAKMP_N_INITIAL_CONTACT);
	cookies(v, ck);
	assert_memory_equal(n.spi, ck, 16);

	dec_chain(v, 8, &c);
	static const uint8_t mm6[] = {ISAKMP_PL_ID, ISAKMP_PL_CERT, ISAKMP_PL_SIG};
	check_types(&c, mm6, N_ELEM(mm6));

	check_xauth(v, 9, false);
	check_modecfg_reply(v, 14, 0);
	check_qm(v, 15, "esp.R2I.spi", 1, false, &sa);
	check_qm(v, 16, "esp.I2R.spi", 1, false, &sa);
	assert_int_equal(attr_int(sa.t[0].attrs, sa.t[0].attrs_len, IPSEC_ATTR_KEY_LENGTH), 256);
	check_delete(v, 18, ISAKMP_PROTO_ESP, 4, vec_hex(v, "esp.R2I.spi").p, 1);
	check_delete(v, 19, ISAKMP_PROTO_ISAKMP, 16, ck, 1);
	vec_free(v);
}

/* ---- round trip with the builder from typed values ---- */

/* Writes an SA payload from a parsed isakmp_sa, attribute by attribute. */
static void build_sa(struct isakmp_builder *b, const struct isakmp_sa *sa)
{
	struct wr *w = &b->w;

	isakmp_build_open(b, ISAKMP_PL_SA);
	wr_u32(w, sa->doi);
	wr_u32(w, sa->situation);
	for (size_t i = 0; i < sa->np; i++) {
		const struct isakmp_proposal *p = &sa->p[i];
		size_t poff = w->len;

		wr_u8(w, i + 1 < sa->np ? ISAKMP_PL_P : ISAKMP_PL_NONE);
		wr_u8(w, 0);
		wr_u16(w, 0);
		wr_u8(w, p->num);
		wr_u8(w, p->proto);
		wr_u8(w, p->spi_size);
		wr_u8(w, (uint8_t)p->count);
		wr_bytes(w, p->spi, p->spi_size);
		for (size_t k = 0; k < p->count; k++) {
			const struct isakmp_transform *t = &sa->t[p->first + k];
			size_t toff = w->len;
			struct rd r = rd_init(t->attrs, t->attrs_len);
			struct isakmp_attr a;

			wr_u8(w, k + 1 < p->count ? ISAKMP_PL_T : ISAKMP_PL_NONE);
			wr_u8(w, 0);
			wr_u16(w, 0);
			wr_u8(w, t->num);
			wr_u8(w, t->id);
			wr_u16(w, 0);
			while (isakmp_attr_next(&r, &a) == 1) {
				if (a.tv)
					isakmp_attr_write_tv(w, a.type, (uint16_t)a.value);
				else if (a.type == IKE_ATTR_LIFE_DURATION)
					isakmp_attr_write_int(w, a.type, a.value);
				else
					isakmp_attr_write_tlv(w, a.type, a.data, a.len);
			}
			wr_put_u16(w, toff + 2, (uint16_t)(w->len - toff));
		}
		wr_put_u16(w, poff + 2, (uint16_t)(w->len - poff));
	}
	isakmp_build_close(b);
}

static void test_roundtrip_s1_am1(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	const struct vec_msg *m = vec_msg(v, 1);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	struct isakmp_sa sa;
	struct isakmp_id id;
	struct isakmp_builder b;
	const char *why = NULL;
	uint8_t buf[2048], idb[32];

	msg_chain(v, 1, &h, &c);
	MUST(isakmp_sa_parse(c.pl[0].body, c.pl[0].len, &sa, &why), why);
	MUST(isakmp_id_parse(c.pl[3].body, c.pl[3].len, &id, &why), why);

	isakmp_build_start(&b, buf, sizeof(buf), &h);
	build_sa(&b, &sa);
	isakmp_build_payload(&b, ISAKMP_PL_KE, vec_hex(v, "g_xi").p, vec_hex(v, "g_xi").len);
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, vec_hex(v, "Ni_b").p, vec_hex(v, "Ni_b").len);
	struct wr iw = wr_init(idb, sizeof(idb));
	wr_u8(&iw, ISAKMP_ID_KEY_ID);
	wr_u8(&iw, 17);
	wr_u16(&iw, 500);
	wr_bytes(&iw, "quizware", 8);
	assert_false(iw.err);
	isakmp_build_payload(&b, ISAKMP_PL_ID, idb, iw.len);
	for (size_t i = 4; i < c.n; i++) {
		/* open/close around raw writes, the way a builder of a VID list would */
		isakmp_build_open(&b, ISAKMP_PL_VID);
		wr_bytes(&b.w, c.pl[i].body, c.pl[i].len);
		isakmp_build_close(&b);
	}
	size_t n = isakmp_build_finish(&b);
	assert_int_equal(n, m->data.len);
	assert_memory_equal(buf, m->data.p, n);

	/* one byte less room: the overflow is reported, not truncated */
	uint8_t *small = malloc(m->data.len - 1);
	assert_non_null(small);
	isakmp_build_start(&b, small, m->data.len - 1, &h);
	build_sa(&b, &sa);
	for (size_t i = 1; i < c.n; i++)
		isakmp_build_payload(&b, c.pl[i].type, c.pl[i].body, c.pl[i].len);
	assert_int_equal(isakmp_build_finish(&b), 0);
	assert_true(b.w.err);
	free(small);
	vec_free(v);
}

/* The XAUTH REPLY and the mode-config REPLY of s1 rebuilt from values with the attribute
 * writers. */
static void test_roundtrip_attrs(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_chain c;
	uint8_t buf[256];
	struct wr w;
	static const uint8_t addr[] = {10, 98, 0, 1}, dns[] = {10, 99, 0, 53};
	static const uint8_t split[] = {10, 99, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0};

	w = wr_init(buf, sizeof(buf));
	wr_u8(&w, ISAKMP_CFG_REPLY);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_NAME, "richard", 7);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_PASSWORD, "richard-pw-1", 12);
	assert_false(w.err);
	dec_chain(v, 5, &c);
	assert_int_equal(w.len, c.pl[1].len);
	assert_memory_equal(buf, c.pl[1].body, w.len);

	w = wr_init(buf, sizeof(buf));
	wr_u8(&w, ISAKMP_CFG_REPLY);
	wr_u8(&w, 0);
	wr_u16(&w, 20);
	isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_ADDRESS, addr, 4);
	isakmp_attr_write_tlv(&w, CFG_INTERNAL_IP4_DNS, dns, 4);
	isakmp_attr_write_tlv(&w, CFG_UNITY_SPLIT_INCLUDE, split, sizeof(split));
	assert_false(w.err);
	dec_chain(v, 9, &c);
	assert_int_equal(w.len, c.pl[1].len);
	assert_memory_equal(buf, c.pl[1].body, w.len);

	w = wr_init(buf, sizeof(buf));
	wr_u8(&w, ISAKMP_CFG_SET);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	isakmp_attr_write_int(&w, CFG_XAUTH_STATUS, 1);
	dec_chain(v, 6, &c);
	assert_int_equal(w.len, c.pl[1].len);
	assert_memory_equal(buf, c.pl[1].body, w.len);
	vec_free(v);
}

static void test_attr_writers(void **state)
{
	(void)state;
	uint8_t buf[16];
	struct wr w = wr_init(buf, sizeof(buf));
	static const uint8_t want[] = {0x80, 0x0b, 0x00, 0x01, 0x80, 0x0c, 0xff, 0xff,
	                               0x00, 0x0c, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00};
	struct rd r;
	struct isakmp_attr a;

	isakmp_attr_write_int(&w, IKE_ATTR_LIFE_TYPE, 1);
	isakmp_attr_write_int(&w, IKE_ATTR_LIFE_DURATION, 65535);
	isakmp_attr_write_int(&w, IKE_ATTR_LIFE_DURATION, 65536);
	assert_false(w.err);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	r = rd_init(buf, w.len);
	assert_int_equal(isakmp_attr_next(&r, &a), 1);
	assert_true(a.tv && a.value == 1 && a.type == IKE_ATTR_LIFE_TYPE);
	assert_int_equal(isakmp_attr_next(&r, &a), 1);
	assert_true(a.tv && a.value == 65535);
	assert_int_equal(isakmp_attr_next(&r, &a), 1);
	assert_true(!a.tv && a.len == 4 && a.value_ok && a.value == 65536);
	assert_int_equal(isakmp_attr_next(&r, &a), 0);
	assert_int_equal(isakmp_attr_next(&r, &a), 0);

	/* TLV of 1..4 bytes gives an integer, 5 bytes does not */
	static const uint8_t tlv[] = {0x00, 0x05, 0x00, 0x03, 0x01, 0x02, 0x03, 0x00,
	                              0x06, 0x00, 0x05, 1,    2,    3,    4,    5};
	r = rd_init(tlv, sizeof(tlv));
	assert_int_equal(isakmp_attr_next(&r, &a), 1);
	assert_true(a.value_ok);
	assert_int_equal(a.value, 0x010203);
	assert_int_equal(isakmp_attr_next(&r, &a), 1);
	assert_false(a.value_ok);
	assert_int_equal(a.len, 5);
	assert_int_equal(isakmp_attr_next(&r, &a), 0);

	/* a TLV longer than 65535 bytes cannot be encoded */
	static uint8_t big[65536], out[70000];
	w = wr_init(out, sizeof(out));
	isakmp_attr_write_tlv(&w, CFG_UNITY_BANNER, big, sizeof(big));
	assert_true(w.err);
	w = wr_init(out, sizeof(out));
	isakmp_attr_write_tlv(&w, CFG_UNITY_BANNER, big, sizeof(big) - 1);
	assert_false(w.err);
	assert_int_equal(w.len, 4 + 65535);
}

/* ---- malformed input ---- */

static void test_bad_header(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	const struct vec_msg *m = vec_msg(v, 2);
	struct isakmp_hdr h;
	const char *why;
	uint8_t *p = malloc(m->data.len + 16);

	assert_non_null(p);
	memcpy(p, m->data.p, m->data.len);
	REJECT(isakmp_hdr_parse(p, 0, &h, &why), why,
	       "datagram shorter than the 28-byte ISAKMP header");
	REJECT(isakmp_hdr_parse(NULL, 0, &h, &why), why,
	       "datagram shorter than the 28-byte ISAKMP header");
	REJECT(isakmp_hdr_parse(p, 27, &h, &why), why,
	       "datagram shorter than the 28-byte ISAKMP header");

	/* declared length one byte beyond the datagram */
	REJECT(isakmp_hdr_parse(p, m->data.len - 1, &h, &why), why,
	       "ISAKMP header length field exceeds the datagram size");

	/* old Cisco clients append bytes past the declared length: ignored */
	memset(p + m->data.len, 0, 16);
	MUST(isakmp_hdr_parse(p, m->data.len + 16, &h, &why), why);
	assert_int_equal(h.len, m->data.len);

	/* declared length below the header */
	p[24] = p[25] = p[26] = 0;
	p[27] = 27;
	REJECT(isakmp_hdr_parse(p, m->data.len, &h, &why), why,
	       "ISAKMP header length field is below the 28-byte header");
	p[27] = 28;
	MUST(isakmp_hdr_parse(p, m->data.len, &h, &why), why);
	assert_int_equal(h.len, 28);

	/* IKEv2 */
	p[17] = 0x20;
	REJECT(isakmp_hdr_parse(p, m->data.len, &h, &why), why,
	       "ISAKMP major version is not 1 (IKEv2 or garbage?)");
	p[17] = 0x11; /* a minor version is tolerated */
	MUST(isakmp_hdr_parse(p, m->data.len, &h, &why), why);
	assert_int_equal(h.version, 0x11);
	free(p);
	vec_free(v);
}

/* A body of n VID payloads of 4 bytes each. */
static size_t vids(uint8_t *buf, size_t cap, size_t n)
{
	struct wr w = wr_init(buf, cap);
	for (size_t i = 0; i < n; i++) {
		wr_u8(&w, i + 1 < n ? ISAKMP_PL_VID : ISAKMP_PL_NONE);
		wr_u8(&w, 0);
		wr_u16(&w, 8);
		wr_u32(&w, (uint32_t)i);
	}
	assert_false(w.err);
	return w.len;
}

static void test_bad_chain(void **state)
{
	(void)state;
	struct isakmp_chain c;
	const char *why;
	uint8_t buf[1024];
	size_t len;

	/* payload length 0..3 */
	for (uint8_t l = 0; l < 4; l++) {
		const uint8_t body[] = {0, 0, 0, l, 0, 0, 0, 0};
		REJECT(isakmp_chain_parse(body, sizeof(body), ISAKMP_PL_VID, &c, &why), why,
		       "payload length below its 4-byte generic header");
	}
	/* length 4 (empty body) is fine */
	const uint8_t empty[] = {0, 0, 0, 4};
	MUST(isakmp_chain_parse(empty, sizeof(empty), ISAKMP_PL_VID, &c, &why), why);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.pl[0].len, 0);

	/* length one past the end, and the generic header itself cut short */
	len = vids(buf, sizeof(buf), 3);
	REJECT(isakmp_chain_parse(buf, len - 1, ISAKMP_PL_VID, &c, &why), why,
	       "payload length exceeds the bytes left in the message");
	REJECT(isakmp_chain_parse(buf, 16 + 3, ISAKMP_PL_VID, &c, &why), why,
	       "payload generic header truncated (fewer than 4 bytes left)");
	REJECT(isakmp_chain_parse(buf, 0, ISAKMP_PL_VID, &c, &why), why,
	       "payload generic header truncated (fewer than 4 bytes left)");
	/* a length lie in the middle */
	buf[8 + 3] = 200;
	REJECT(isakmp_chain_parse(buf, len, ISAKMP_PL_VID, &c, &why), why,
	       "payload length exceeds the bytes left in the message");
	buf[8 + 3] = 8;
	/* a non-zero reserved byte is tolerated, trailing bytes (padding) ignored */
	buf[1] = 0xff;
	MUST(isakmp_chain_parse(buf, len + 7, ISAKMP_PL_VID, &c, &why), why);
	assert_int_equal(c.n, 3);
	/* no payload at all */
	MUST(isakmp_chain_parse(buf, len, ISAKMP_PL_NONE, &c, &why), why);
	assert_int_equal(c.n, 0);

	/* exactly ISAKMP_MAX_PAYLOADS is fine, one more is not */
	len = vids(buf, sizeof(buf), ISAKMP_MAX_PAYLOADS);
	MUST(isakmp_chain_parse(buf, len, ISAKMP_PL_VID, &c, &why), why);
	assert_int_equal(c.n, ISAKMP_MAX_PAYLOADS);
	assert_int_equal(isakmp_chain_count(&c, ISAKMP_PL_VID), ISAKMP_MAX_PAYLOADS);
	len = vids(buf, sizeof(buf), ISAKMP_MAX_PAYLOADS + 1);
	REJECT(isakmp_chain_parse(buf, len, ISAKMP_PL_VID, &c, &why), why,
	       "more than 48 payloads in one message");

	/* a length lie in a real message: s1 AM1's ID payload claims one byte more */
	struct vec_set *v = vec_load(VEC_S1);
	const struct vec_msg *m = vec_msg(v, 1);
	struct isakmp_hdr h;
	MUST(isakmp_hdr_parse(m->data.p, m->data.len, &h, &why), why);
	uint8_t *p = malloc(m->data.len);
	assert_non_null(p);
	memcpy(p, m->data.p, m->data.len);
	MUST(isakmp_chain_parse(p + 28, h.len - 28, h.np, &c, &why), why);
	size_t last = (size_t)(c.pl[c.n - 1].raw - (p + 28));
	p[28 + last + 3] += 1;
	REJECT(isakmp_chain_parse(p + 28, h.len - 28, h.np, &c, &why), why,
	       "payload length exceeds the bytes left in the message");
	free(p);
	vec_free(v);
}

static void test_bad_attrs(void **state)
{
	(void)state;
	struct isakmp_cfg cfg;
	struct isakmp_attr a;
	const char *why;

	/* TLV claims 5 bytes, 4 follow */
	const uint8_t overrun[] = {0x00, 0x01, 0x00, 0x05, 10, 98, 0, 1};
	struct rd r = rd_init(overrun, sizeof(overrun));
	assert_int_equal(isakmp_attr_next(&r, &a), -1);
	assert_ptr_equal(r.p, overrun);
	assert_int_equal(r.left, sizeof(overrun));

	/* header cut after 2 bytes, following a good TV */
	const uint8_t trunc[] = {0xc0, 0x8f, 0x00, 0x01, 0x40, 0x89};
	r = rd_init(trunc, sizeof(trunc));
	assert_int_equal(isakmp_attr_next(&r, &a), 1);
	assert_int_equal(a.type, CFG_XAUTH_STATUS);
	assert_int_equal(isakmp_attr_next(&r, &a), -1);
	assert_int_equal(r.left, 2);

	const uint8_t cfg_over[] = {2, 0, 0, 20, 0x00, 0x01, 0x00, 0x05, 10, 98, 0, 1};
	REJECT(isakmp_cfg_parse(cfg_over, sizeof(cfg_over), &cfg, &why), why,
	       "mode-config attribute length exceeds the ATTR payload");
	const uint8_t cfg_trunc[] = {2, 0, 0, 20, 0x80, 0x01, 0x00, 0x05, 0x00};
	REJECT(isakmp_cfg_parse(cfg_trunc, sizeof(cfg_trunc), &cfg, &why), why,
	       "mode-config attribute truncated (fewer than 4 bytes left in the payload)");
	REJECT(isakmp_cfg_parse(cfg_over, 3, &cfg, &why), why,
	       "mode-config ATTR payload shorter than its 4-byte header");
	MUST(isakmp_cfg_parse(cfg_over, 4, &cfg, &why), why);
	assert_int_equal(cfg.attrs_len, 0);
}

/* A small valid SA: one proposal (ESP, SPI 4) with two transforms. */
static size_t make_sa(uint8_t *buf, size_t cap, uint8_t declared_transforms)
{
	struct wr w = wr_init(buf, cap);

	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u32(&w, ISAKMP_SIT_IDENTITY_ONLY);
	wr_u8(&w, ISAKMP_PL_NONE);
	wr_u8(&w, 0);
	wr_u16(&w, 8 + 4 + 12 + 16);
	wr_u8(&w, 1);
	wr_u8(&w, ISAKMP_PROTO_ESP);
	wr_u8(&w, 4);
	wr_u8(&w, declared_transforms);
	wr_u32(&w, 0x11223344);
	/* transform 1: TV encap */
	wr_u8(&w, ISAKMP_PL_T);
	wr_u8(&w, 0);
	wr_u16(&w, 12);
	wr_u8(&w, 1);
	wr_u8(&w, 12);
	wr_u16(&w, 0);
	isakmp_attr_write_tv(&w, IPSEC_ATTR_ENCAP, 3);
	/* transform 2: TV encap + TLV life */
	wr_u8(&w, ISAKMP_PL_NONE);
	wr_u8(&w, 0);
	wr_u16(&w, 16);
	wr_u8(&w, 2);
	wr_u8(&w, 3);
	wr_u16(&w, 0);
	isakmp_attr_write_int(&w, IPSEC_ATTR_LIFE_DURATION, 100000);
	assert_false(w.err);
	return w.len;
}

#define SA_PROP 8 /* offset of the proposal generic header */
#define SA_T1 20  /* offset of transform 1 */
#define SA_T2 32  /* offset of transform 2 */
#define SA_LEN 48

static void test_bad_sa(void **state)
{
	(void)state;
	struct isakmp_sa sa;
	uint8_t buf[256], b2[256];
	const char *why;
	size_t len = make_sa(buf, sizeof(buf), 2);

	assert_int_equal(len, SA_LEN);
	MUST(isakmp_sa_parse(buf, len, &sa, &why), why);
	assert_int_equal(sa.np, 1);
	assert_int_equal(sa.nt, 2);
	assert_int_equal(sa.t[1].id, 3);
	assert_int_equal(attr_int(sa.t[1].attrs, sa.t[1].attrs_len, IPSEC_ATTR_LIFE_DURATION),
	                 100000);

	memcpy(b2, buf, len);
	b2[3] = 2;
	REJECT(isakmp_sa_parse(b2, len, &sa, &why), why, "SA DOI is not 1 (IPsec)");
	memcpy(b2, buf, len);
	b2[7] = 2;
	REJECT(isakmp_sa_parse(b2, len, &sa, &why), why,
	       "SA situation is not 1 (SIT_IDENTITY_ONLY)");
	REJECT(isakmp_sa_parse(buf, 7, &sa, &why), why,
	       "SA payload shorter than its DOI and situation");
	REJECT(isakmp_sa_parse(buf, 8, &sa, &why), why, "SA payload has no proposal");
	REJECT(isakmp_sa_parse(buf, 11, &sa, &why), why,
	       "SA payload ends inside a proposal generic header");

	/* transform count mismatch both ways */
	len = make_sa(buf, sizeof(buf), 3);
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "transform next payload is not 3 (T) although the proposal declares more "
	       "transforms");
	len = make_sa(buf, sizeof(buf), 1);
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "last transform of a proposal has a next payload other than 0 (more transforms "
	       "than the proposal declares?)");
	/* ... also when the next-payload fields agree with the wrong count */
	len = make_sa(buf, sizeof(buf), 3);
	buf[SA_T2] = ISAKMP_PL_T;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "proposal ends before its declared number of transforms");
	len = make_sa(buf, sizeof(buf), 1);
	buf[SA_T1] = ISAKMP_PL_NONE;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "proposal has bytes after its declared number of transforms");
	len = make_sa(buf, sizeof(buf), 0);
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why, "proposal declares no transforms");

	/* proposal length lies */
	len = make_sa(buf, sizeof(buf), 2);
	buf[SA_PROP + 3] += 1;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why, "proposal length exceeds the SA payload");
	buf[SA_PROP + 2] = 0;
	buf[SA_PROP + 3] = 7;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "proposal length below its 8-byte header");
	len = make_sa(buf, sizeof(buf), 2);
	buf[SA_PROP] = ISAKMP_PL_P;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "proposal announces another proposal but the SA payload ends");
	buf[SA_PROP] = ISAKMP_PL_KE;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "proposal next payload is neither 2 (P) nor 0");
	len = make_sa(buf, sizeof(buf), 2);
	buf[len] = 0;
	REJECT(isakmp_sa_parse(buf, len + 1, &sa, &why), why,
	       "SA payload has bytes after its last proposal");

	/* SPI sizes */
	len = make_sa(buf, sizeof(buf), 2);
	buf[SA_PROP + 6] = 17;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why, "proposal SPI size above 16 bytes");
	static const uint8_t short_spi[] = {0, 0,  0, 1, 0,  0, 0, 1, 0, 0,
	                                    0, 12, 1, 3, 16, 1, 1, 2, 3, 4};
	REJECT(isakmp_sa_parse(short_spi, sizeof(short_spi), &sa, &why), why,
	       "proposal SPI exceeds the proposal length");

	/* transform length lies */
	len = make_sa(buf, sizeof(buf), 2);
	buf[SA_T2 + 3] = 7;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "transform length below its 8-byte header");
	buf[SA_T2 + 3] = 17;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why, "transform length exceeds the proposal");

	/* attribute TLV overrun inside a transform: the life TLV claims 5 bytes */
	len = make_sa(buf, sizeof(buf), 2);
	buf[SA_T2 + 8 + 3] = 5;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "transform attribute length exceeds the transform");
	/* and a transform whose attributes stop mid-header */
	len = make_sa(buf, sizeof(buf), 2);
	buf[SA_T1 + 3] = 10;
	REJECT(isakmp_sa_parse(buf, len, &sa, &why), why,
	       "transform attribute truncated (fewer than 4 bytes left in the transform)");

	/* the real AM1 SA with a DOI of 2 */
	struct vec_set *v = vec_load(VEC_S1);
	struct isakmp_hdr h;
	struct isakmp_chain c;
	msg_chain(v, 1, &h, &c);
	uint8_t *p = malloc(c.pl[0].len);
	assert_non_null(p);
	memcpy(p, c.pl[0].body, c.pl[0].len);
	MUST(isakmp_sa_parse(p, c.pl[0].len, &sa, &why), why);
	p[3] = 2;
	REJECT(isakmp_sa_parse(p, c.pl[0].len, &sa, &why), why, "SA DOI is not 1 (IPsec)");
	p[3] = 1;
	p[8 + 7] = 23; /* 24 transforms present, 23 declared */
	REJECT(isakmp_sa_parse(p, c.pl[0].len, &sa, &why), why,
	       "last transform of a proposal has a next payload other than 0 (more transforms "
	       "than the proposal declares?)");
	p[8 + 7] = 25;
	REJECT(isakmp_sa_parse(p, c.pl[0].len, &sa, &why), why,
	       "transform next payload is not 3 (T) although the proposal declares more "
	       "transforms");
	free(p);
	vec_free(v);
}

static void test_sa_limits(void **state)
{
	(void)state;
	static uint8_t buf[16384];
	struct isakmp_sa sa;
	const char *why;

	/* n proposals of one transform each */
	for (size_t n = ISAKMP_MAX_PROPOSALS; n <= ISAKMP_MAX_PROPOSALS + 1; n++) {
		struct wr w = wr_init(buf, sizeof(buf));
		wr_u32(&w, 1);
		wr_u32(&w, 1);
		for (size_t i = 0; i < n; i++) {
			wr_u8(&w, i + 1 < n ? ISAKMP_PL_P : ISAKMP_PL_NONE);
			wr_u8(&w, 0);
			wr_u16(&w, 16);
			wr_u32(&w, 0x00010001 | (uint32_t)i << 24);
			wr_u32(&w, 0x00000008);
			wr_u32(&w, 0x00000000);
		}
		assert_false(w.err);
		if (n == ISAKMP_MAX_PROPOSALS) {
			MUST(isakmp_sa_parse(buf, w.len, &sa, &why), why);
			assert_int_equal(sa.np, n);
			assert_int_equal(sa.p[n - 1].num, n - 1);
			assert_int_equal(sa.t[n - 1].attrs_len, 0);
		} else {
			REJECT(isakmp_sa_parse(buf, w.len, &sa, &why), why,
			       "SA payload has more than 32 proposals");
		}
	}
	/* 2 proposals of 64 transforms, then of 65: the total is capped */
	for (size_t per = 64; per <= 65; per++) {
		struct wr w = wr_init(buf, sizeof(buf));
		wr_u32(&w, 1);
		wr_u32(&w, 1);
		for (size_t i = 0; i < 2; i++) {
			wr_u8(&w, i == 0 ? ISAKMP_PL_P : ISAKMP_PL_NONE);
			wr_u8(&w, 0);
			wr_u16(&w, (uint16_t)(8 + per * 8));
			wr_u8(&w, (uint8_t)i);
			wr_u8(&w, 1);
			wr_u8(&w, 0);
			wr_u8(&w, (uint8_t)per);
			for (size_t k = 0; k < per; k++) {
				wr_u8(&w, k + 1 < per ? ISAKMP_PL_T : ISAKMP_PL_NONE);
				wr_u8(&w, 0);
				wr_u16(&w, 8);
				wr_u32(&w, (uint32_t)k << 24 | 1u << 16);
			}
		}
		assert_false(w.err);
		if (per == 64) {
			MUST(isakmp_sa_parse(buf, w.len, &sa, &why), why);
			assert_int_equal(sa.nt, ISAKMP_MAX_TRANSFORMS);
			assert_int_equal(sa.p[1].first, 64);
			assert_int_equal(sa.t[127].num, 63);
		} else {
			REJECT(isakmp_sa_parse(buf, w.len, &sa, &why), why,
			       "SA payload has more than 128 transforms in total");
		}
	}
}

static void test_bad_simple_bodies(void **state)
{
	(void)state;
	struct isakmp_id id;
	struct isakmp_notify n;
	struct isakmp_delete d;
	const char *why;

	const uint8_t idv4[] = {ISAKMP_ID_IPV4_ADDR, 17, 0x01, 0xf4, 10, 98, 0, 1, 0};
	REJECT(isakmp_id_parse(idv4, 3, &id, &why), why,
	       "ID payload shorter than its 4-byte header");
	REJECT(isakmp_id_parse(idv4, 7, &id, &why), why, "ID_IPV4_ADDR data is not 4 bytes");
	REJECT(isakmp_id_parse(idv4, 9, &id, &why), why, "ID_IPV4_ADDR data is not 4 bytes");
	MUST(isakmp_id_parse(idv4, 8, &id, &why), why);
	assert_int_equal(id.port, 500);
	const uint8_t idnet[] = {ISAKMP_ID_IPV4_ADDR_SUBNET, 0, 0, 0, 10, 99, 0, 0, 255, 255, 255};
	REJECT(isakmp_id_parse(idnet, sizeof(idnet), &id, &why), why,
	       "ID_IPV4_ADDR_SUBNET data is not 8 bytes (address and mask)");
	REJECT(isakmp_id_parse(idnet, 4, &id, &why), why,
	       "ID_IPV4_ADDR_SUBNET data is not 8 bytes (address and mask)");

	const uint8_t nt[] = {0, 0, 0, 1, 1, 16, 0x5f, 0xa2, 1, 2, 3, 4};
	REJECT(isakmp_notify_parse(nt, 7, &n, &why), why,
	       "notification shorter than its 8-byte header");
	REJECT(isakmp_notify_parse(nt, sizeof(nt), &n, &why), why,
	       "notification SPI size exceeds the payload");
	const uint8_t nt0[] = {0, 0, 0, 1, 3, 0, 0x00, 0x0e, 0xaa};
	MUST(isakmp_notify_parse(nt0, sizeof(nt0), &n, &why), why);
	assert_int_equal(n.type, ISAKMP_N_NO_PROPOSAL_CHOSEN);
	assert_int_equal(n.spi_size, 0);
	assert_int_equal(n.data_len, 1);
	assert_int_equal(n.data[0], 0xaa);

	const uint8_t del[] = {0, 0, 0, 1, 3, 4, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	REJECT(isakmp_delete_parse(del, 7, &d, &why), why,
	       "delete payload shorter than its 8-byte header");
	REJECT(isakmp_delete_parse(del, 15, &d, &why), why,
	       "delete payload SPI count times SPI size exceeds the payload");
	REJECT(isakmp_delete_parse(del, 17, &d, &why), why,
	       "delete payload has bytes after its SPIs");
	MUST(isakmp_delete_parse(del, 16, &d, &why), why);
	assert_int_equal(d.nspi, 2);
	assert_int_equal(d.spis[7], 8);
	/* 65535 SPIs of 255 bytes: the product does not wrap */
	const uint8_t huge[] = {0, 0, 0, 1, 3, 0xff, 0xff, 0xff};
	REJECT(isakmp_delete_parse(huge, sizeof(huge), &d, &why), why,
	       "delete payload SPI count times SPI size exceeds the payload");

	/* why may be NULL */
	assert_false(isakmp_delete_parse(del, 7, &d, NULL));
}

static void test_builder_misuse(void **state)
{
	(void)state;
	uint8_t buf[64];
	struct isakmp_builder b;
	struct isakmp_hdr h = {
	    .version = ISAKMP_VERSION, .exch = ISAKMP_EXCH_INFO, .np = 99, .len = 12345};
	struct isakmp_hdr got;
	struct isakmp_chain c;
	const char *why = NULL;

	/* no payload: np 0, length 28, whatever the template said */
	isakmp_build_start(&b, buf, sizeof(buf), &h);
	assert_int_equal(isakmp_build_finish(&b), 28);
	MUST(isakmp_hdr_parse(buf, 28, &got, &why), why);
	assert_int_equal(got.np, 0);
	assert_int_equal(got.len, 28);

	/* an open payload is closed by the next open and by finish */
	isakmp_build_start(&b, buf, sizeof(buf), &h);
	isakmp_build_open(&b, ISAKMP_PL_HASH);
	wr_u32(&b.w, 0xdeadbeef);
	isakmp_build_open(&b, ISAKMP_PL_N);
	wr_u32(&b.w, 1);
	size_t n = isakmp_build_finish(&b);
	assert_int_equal(n, 28 + 8 + 8);
	MUST(isakmp_hdr_parse(buf, n, &got, &why), why);
	assert_int_equal(got.np, ISAKMP_PL_HASH);
	MUST(isakmp_chain_parse(buf + 28, n - 28, got.np, &c, &why), why);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.pl[1].type, ISAKMP_PL_N);
	assert_int_equal(c.pl[0].len, 4);

	/* close without open poisons the message */
	isakmp_build_start(&b, buf, sizeof(buf), &h);
	isakmp_build_close(&b);
	assert_int_equal(isakmp_build_finish(&b), 0);

	/* overflow in the header itself and in a payload */
	isakmp_build_start(&b, buf, 27, &h);
	assert_int_equal(isakmp_build_finish(&b), 0);
	isakmp_build_start(&b, buf, 40, &h);
	isakmp_build_payload(&b, ISAKMP_PL_VID, buf, 9);
	assert_int_equal(isakmp_build_finish(&b), 0);
	isakmp_build_start(&b, buf, 40, &h);
	isakmp_build_payload(&b, ISAKMP_PL_VID, "12345678", 8);
	assert_int_equal(isakmp_build_finish(&b), 40);
	/* after an overflow, opening more payloads stays an error */
	isakmp_build_start(&b, buf, 30, &h);
	isakmp_build_payload(&b, ISAKMP_PL_VID, "12345678", 8);
	isakmp_build_open(&b, ISAKMP_PL_VID);
	assert_int_equal(isakmp_build_finish(&b), 0);

	/* a payload longer than its 16-bit length field, a message longer than 65535 */
	static uint8_t big[2 * 65536], body[65536];
	isakmp_build_start(&b, big, sizeof(big), &h);
	isakmp_build_payload(&b, ISAKMP_PL_CERT, body, 65531);
	assert_false(b.w.err);                        /* the payload fits its length field ... */
	assert_int_equal(isakmp_build_finish(&b), 0); /* ... the message does not */
	isakmp_build_start(&b, big, sizeof(big), &h);
	isakmp_build_payload(&b, ISAKMP_PL_CERT, body, 65535 - 28 - 4);
	assert_int_equal(isakmp_build_finish(&b), 65535);
	isakmp_build_start(&b, big, sizeof(big), &h);
	isakmp_build_payload(&b, ISAKMP_PL_CERT, body, 65532);
	assert_true(b.w.err);
	isakmp_build_start(&b, big, sizeof(big), &h);
	isakmp_build_payload(&b, ISAKMP_PL_CERT, body, 40000);
	isakmp_build_payload(&b, ISAKMP_PL_CERT, body, 40000);
	assert_false(b.w.err);
	assert_int_equal(isakmp_build_finish(&b), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(isakmp_exch_name(ISAKMP_EXCH_AGGRESSIVE), "AGGRESSIVE");
	assert_string_equal(isakmp_exch_name(ISAKMP_EXCH_QUICK), "QUICK");
	assert_string_equal(isakmp_exch_name(99), "UNKNOWN");
	assert_string_equal(isakmp_pl_name(ISAKMP_PL_NATD), "NAT-D");
	assert_string_equal(isakmp_pl_name(ISAKMP_PL_FRAG), "FRAG");
	assert_string_equal(isakmp_pl_name(255), "UNKNOWN");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_NO_PROPOSAL_CHOSEN), "NO-PROPOSAL-CHOSEN");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_R_U_THERE_ACK), "R-U-THERE-ACK");
	assert_string_equal(isakmp_notify_name(ISAKMP_N_UNITY_LOAD_BALANCE), "UNITY-LOAD-BALANCE");
	assert_string_equal(isakmp_notify_name(0), "UNKNOWN");
	assert_string_equal(isakmp_cfg_attr_name(CFG_UNITY_SPLIT_INCLUDE), "UNITY_SPLIT_INCLUDE");
	assert_string_equal(isakmp_cfg_attr_name(CFG_XAUTH_STATUS), "XAUTH_STATUS");
	assert_string_equal(isakmp_cfg_attr_name(CFG_INTERNAL_IP4_ADDRESS), "INTERNAL_IP4_ADDRESS");
	assert_string_equal(isakmp_cfg_attr_name(0x7fff), "UNKNOWN");
	/* the tables name exactly the values the header defines (plus the RFC 2408 errors and
	 * the IPv6/DHCP mode-config numbers), each with a name of its own */
	static const struct {
		const char *(*fn)(unsigned);
		unsigned limit, known;
	} tables[] = {
	    {isakmp_exch_name, 256, 6},
	    {isakmp_pl_name, 256, 20},
	    {isakmp_notify_name, 65536, 37},
	    {isakmp_cfg_attr_name, 65536, 37},
	};
	for (size_t t = 0; t < N_ELEM(tables); t++) {
		const char *seen[64];
		unsigned n = 0;
		for (unsigned x = 0; x < tables[t].limit; x++) {
			const char *s = tables[t].fn(x);
			assert_non_null(s);
			if (strcmp(s, "UNKNOWN") == 0)
				continue;
			for (unsigned k = 0; k < n; k++)
				if (strcmp(seen[k], s) == 0)
					fail_msg("table %zu: name %s used twice", t, s);
			assert_true(n < N_ELEM(seen));
			seen[n++] = s;
		}
		assert_int_equal(n, tables[t].known);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_s1),
	    cmocka_unit_test(test_all_s2),
	    cmocka_unit_test(test_all_s3),
	    cmocka_unit_test(test_s1_am1),
	    cmocka_unit_test(test_s1_am2),
	    cmocka_unit_test(test_s1_am3),
	    cmocka_unit_test(test_s1_transaction),
	    cmocka_unit_test(test_s1_quick_info),
	    cmocka_unit_test(test_s2_values),
	    cmocka_unit_test(test_s3_values),
	    cmocka_unit_test(test_roundtrip_s1_am1),
	    cmocka_unit_test(test_roundtrip_attrs),
	    cmocka_unit_test(test_attr_writers),
	    cmocka_unit_test(test_bad_header),
	    cmocka_unit_test(test_bad_chain),
	    cmocka_unit_test(test_bad_attrs),
	    cmocka_unit_test(test_bad_sa),
	    cmocka_unit_test(test_sa_limits),
	    cmocka_unit_test(test_bad_simple_bodies),
	    cmocka_unit_test(test_builder_misuse),
	    cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
