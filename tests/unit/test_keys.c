/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known answers for the RFC 2409 derivations, from three recorded exchanges (tests/vectors):
 * s1 vpnc -> strongSwan (aggressive, PSK, AES-256/SHA1/group 2), s2 strongSwan -> strongSwan
 * (aggressive, PSK, AES-128/SHA-256/group 14, PFS), s3 strongSwan -> strongSwan (main mode,
 * RSA, AES-256/SHA-256/group 14, fragmented MM5/MM6). Every value the recorded peers logged
 * is recomputed here from the cleartext inputs, and every encrypted message is decrypted
 * along the IV chain to the recorded plaintext.
 *
 * The payload walker below is deliberately independent of the project's ISAKMP codec, so a
 * codec bug cannot hide a key-derivation bug or the other way round.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike/keys.h"
#include "lib/bytes.h"
#include "vectors.h"

#define PL_SA 1
#define PL_KE 4
#define PL_ID 5
#define PL_HASH 8
#define PL_NONCE 10
#define PL_NATD 20
#define PL_NATD_DRAFT 130
#define PL_FRAG 132

#define HDR_LEN 28

/* ---- scenario state: phase-1 keys derived (and checked) once per scenario ---- */

struct scen {
	struct vec_set *v;
	enum hash_alg h;
	enum cipher_alg encr;
	size_t hl, bs, keylen;
	uint8_t icky[8], rcky[8];
	struct secret gxy, skeyid, d, a, e, ka;
};

static enum hash_alg hash_of(const char *s)
{
	if (strcmp(s, "md5") == 0)
		return HASH_MD5;
	if (strcmp(s, "sha1") == 0)
		return HASH_SHA1;
	if (strcmp(s, "sha256") == 0)
		return HASH_SHA256;
	if (strcmp(s, "sha384") == 0)
		return HASH_SHA384;
	if (strcmp(s, "sha512") == 0)
		return HASH_SHA512;
	fail_msg("unknown ike.hash %s", s);
	return 0;
}

static enum cipher_alg encr_of(const char *s)
{
	if (strcmp(s, "aes-cbc") == 0)
		return CIPHER_AES_CBC;
	if (strcmp(s, "3des-cbc") == 0 || strcmp(s, "3des") == 0)
		return CIPHER_3DES;
	fail_msg("unknown ike.encr %s", s);
	return 0;
}

static void assert_bytes(const uint8_t *got, size_t len, struct vec_bytes want)
{
	assert_int_equal(len, want.len);
	assert_memory_equal(got, want.p, len);
}

static void assert_key(struct vec_set *v, const char *name, const uint8_t *got, size_t len)
{
	struct vec_bytes want = vec_hex(v, name);

	if (len != want.len || memcmp(got, want.p, len) != 0)
		fail_msg("%s: %s does not match keys.txt", v->dir, name);
}

static void set_secret(struct secret *s, struct vec_bytes b)
{
	assert_int_equal(secret_set(s, b.p, b.len), 0);
}

static struct scen *scen_load(const char *name)
{
	struct scen *s = calloc(1, sizeof(*s));
	struct vec_bytes cki, ckr;

	assert_non_null(s);
	s->v = vec_load(name);
	s->h = hash_of(vec_str(s->v, "ike.hash"));
	s->encr = encr_of(vec_str(s->v, "ike.encr"));
	s->hl = crypto_hash_len(s->h);
	s->bs = vec_num(s->v, "ike.encr.blocksize");
	s->keylen = vec_num(s->v, "ike.encr.keylen");
	assert_int_equal(s->bs, crypto_cipher_block(s->encr));
	assert_true(crypto_cipher_keylen_ok(s->encr, (unsigned)s->keylen * 8));
	cki = vec_hex(s->v, "CKY_I");
	ckr = vec_hex(s->v, "CKY_R");
	assert_int_equal(cki.len, 8);
	assert_int_equal(ckr.len, 8);
	memcpy(s->icky, cki.p, 8);
	memcpy(s->rcky, ckr.p, 8);
	set_secret(&s->gxy, vec_hex(s->v, "g_xy"));
	assert_int_equal(s->gxy.len, crypto_dh_len((unsigned)vec_num(s->v, "ike.dh_group")));
	return s;
}

/* SKEYID by the scenario's authentication method, then its children and Ka, all checked. */
static void scen_derive(struct scen *s)
{
	struct vec_bytes ni = vec_hex(s->v, "Ni_b"), nr = vec_hex(s->v, "Nr_b");
	const char *auth = vec_str(s->v, "ike.auth");

	if (strcmp(auth, "xauth-psk") == 0) {
		struct vec_bytes psk = vec_hex(s->v, "PSK");

		assert_int_equal(
		    ike_skeyid_psk(s->h, psk.p, psk.len, ni.p, ni.len, nr.p, nr.len, &s->skeyid),
		    0);
	} else {
		assert_string_equal(auth, "xauth-rsa");
		assert_int_equal(
		    ike_skeyid_sig(s->h, ni.p, ni.len, nr.p, nr.len, &s->gxy, &s->skeyid), 0);
	}
	assert_key(s->v, "SKEYID", s->skeyid.p, s->skeyid.len);
	assert_int_equal(
	    ike_skeyid_children(s->h, &s->skeyid, &s->gxy, s->icky, s->rcky, &s->d, &s->a, &s->e),
	    0);
	assert_key(s->v, "SKEYID_d", s->d.p, s->d.len);
	assert_key(s->v, "SKEYID_a", s->a.p, s->a.len);
	assert_key(s->v, "SKEYID_e", s->e.p, s->e.len);
	assert_int_equal(ike_ka(s->h, &s->e, s->keylen, &s->ka), 0);
	assert_key(s->v, "Ka", s->ka.p, s->ka.len);
}

static void scen_free(struct scen *s)
{
	if (!s)
		return;
	secret_clear(&s->gxy);
	secret_clear(&s->skeyid);
	secret_clear(&s->d);
	secret_clear(&s->a);
	secret_clear(&s->e);
	secret_clear(&s->ka);
	vec_free(s->v);
	free(s);
}

static struct scen *scen_open(const char *name)
{
	struct scen *s = scen_load(name);

	scen_derive(s);
	return s;
}

/* ---- a minimal payload walker over struct rd ---- */

/*
 * Finds the nth (0-based) payload of `type` in a chain whose first payload type is `first`;
 * *body gets its body (after the 4-byte generic header). Stops at next-payload 0 and ignores
 * trailing bytes (IKEv1 padding).
 */
static bool find_payload(const uint8_t *p, size_t len, uint8_t first, uint8_t type, unsigned nth,
                         struct rd *body)
{
	struct rd r = rd_init(p, len);
	uint8_t cur = first;

	while (cur != 0) {
		uint8_t next, res;
		uint16_t plen;
		struct rd b;

		if (!rd_u8(&r, &next) || !rd_u8(&r, &res) || !rd_u16(&r, &plen) || plen < 4 ||
		    !rd_sub(&r, plen - 4u, &b))
			return false;
		if (cur == type && nth-- == 0) {
			*body = b;
			return true;
		}
		cur = next;
	}
	return false;
}

/* Length of the whole payload chain (stops at next-payload 0). */
static size_t chain_len(const uint8_t *p, size_t len, uint8_t first)
{
	struct rd r = rd_init(p, len);
	uint8_t cur = first;

	while (cur != 0) {
		uint8_t next = 0, res = 0;
		uint16_t plen = 0;

		assert_true(rd_u8(&r, &next) && rd_u8(&r, &res) && rd_u16(&r, &plen));
		assert_true(plen >= 4 && rd_skip(&r, plen - 4u));
		cur = next;
	}
	return len - r.left;
}

/* ---- logical messages: fragments reassembled ---- */

struct lmsg {
	unsigned num;
	int i2r;
	char exch[32];
	uint32_t msgid;
	uint8_t *data;
	size_t len;
};

/*
 * IKEv1 fragments (payload 132: id(2) number(1) flags(1) data) carry slices of the whole
 * encrypted message, header included; the reassembled message takes the NUM of the last
 * fragment, as decrypted.txt and keys.txt do.
 */
static size_t logical_messages(const struct vec_set *v, struct lmsg *out, size_t cap)
{
	uint8_t *frag = NULL;
	size_t n = 0, flen = 0;
	unsigned expect = 1;

	for (size_t i = 0; i < v->nmsgs; i++) {
		const struct vec_msg *m = &v->msgs[i];
		bool is_frag = strstr(m->exch, "/FRAG") != NULL;

		assert_true(n < cap);
		if (!is_frag) {
			out[n].data = malloc(m->data.len);
			assert_non_null(out[n].data);
			memcpy(out[n].data, m->data.p, m->data.len);
			out[n].len = m->data.len;
		} else {
			struct rd r = rd_init(m->data.p, m->data.len), b;
			uint16_t id = 0;
			uint8_t num = 0, flags = 0;
			const uint8_t *d;

			assert_true(rd_skip(&r, 16));
			assert_true(find_payload(m->data.p + HDR_LEN, m->data.len - HDR_LEN,
			                         m->data.p[16], PL_FRAG, 0, &b));
			assert_true(rd_u16(&b, &id) && rd_u8(&b, &num) && rd_u8(&b, &flags));
			assert_int_equal(num, expect);
			frag = realloc(frag, flen + b.left);
			assert_non_null(frag);
			assert_true(rd_ptr(&b, b.left, &d));
			memcpy(frag + flen, d, (size_t)(b.p - d));
			flen += (size_t)(b.p - d);
			if (!(flags & 1)) {
				expect++;
				continue;
			}
			expect = 1;
			out[n].data = frag;
			out[n].len = flen;
			frag = NULL;
			flen = 0;
		}
		out[n].num = m->num;
		out[n].i2r = m->i2r;
		snprintf(out[n].exch, sizeof(out[n].exch), "%.*s", (int)strcspn(m->exch, "/"),
		         m->exch);
		out[n].msgid = m->msgid;
		/* Cookies and the header's own length field agree with what we rebuilt. */
		assert_true(out[n].len >= HDR_LEN);
		assert_int_equal((uint32_t)out[n].data[24] << 24 | (uint32_t)out[n].data[25] << 16 |
		                     (uint32_t)out[n].data[26] << 8 | out[n].data[27],
		                 out[n].len);
		n++;
	}
	assert_null(frag);
	return n;
}

static void lmsg_free(struct lmsg *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(m[i].data);
}

static bool is_phase1(const char *exch)
{
	return strcmp(exch, "MAIN") == 0 || strcmp(exch, "AGGRESSIVE") == 0;
}

/* ---- tests ---- */

static void test_phase1_keys(void **state)
{
	static const char *const names[] = {VEC_S1, VEC_S2, VEC_S3};

	for (size_t i = 0; i < 3; i++) {
		struct scen *s = scen_open(names[i]);
		uint8_t iv[CIPHER_BLOCK_MAX];
		struct vec_bytes gxi = vec_hex(s->v, "g_xi"), gxr = vec_hex(s->v, "g_xr");

		assert_int_equal(ike_iv_phase1(s->h, gxi.p, gxi.len, gxr.p, gxr.len, s->bs, iv), 0);
		assert_key(s->v, "IV_phase1", iv, s->bs);
		scen_free(s);
	}
}

/* s1 is the one scenario where Ka needs appendix-B expansion; pin both halves. */
static void test_ka_expansion(void **state)
{
	struct scen *s = scen_open(VEC_S1);
	struct secret ka = {NULL, 0};
	uint8_t k1[HASH_MAX_LEN], zero = 0;
	struct crypto_iov iov = {&zero, 1};

	assert_int_equal(s->e.len, 20);
	assert_int_equal(s->ka.len, 32);
	/* K1 = prf(SKEYID_e, 0): Ka does not start with SKEYID_e itself. */
	assert_int_equal(crypto_prf_v(s->h, s->e.p, s->e.len, &iov, 1, k1), 0);
	assert_memory_equal(s->ka.p, k1, 20);
	assert_memory_not_equal(s->ka.p, s->e.p, 20);
	/* Shorter keys are a prefix of SKEYID_e when it is long enough. */
	assert_int_equal(ike_ka(s->h, &s->e, 16, &ka), 0);
	assert_int_equal(ka.len, 16);
	assert_memory_equal(ka.p, s->e.p, 16);
	/* Longer than one block expands further, and is a prefix-extension of Ka. */
	assert_int_equal(ike_ka(s->h, &s->e, 24, &ka), 0);
	assert_memory_equal(ka.p, s->ka.p, 24);
	secret_clear(&ka);
	scen_free(s);
}

/*
 * The IV chain (RFC 2409 appendix B) over every encrypted message, checked against every
 * iv.msg<N>, exch.<MID>.iv and IV_phase1_last, and each message decrypted with Ka to exactly
 * the recorded payloads and padding.
 */
static void check_iv_chain(const char *name)
{
	struct scen *s = scen_open(name);
	struct lmsg msgs[64];
	size_t n = logical_messages(s->v, msgs, 64);
	struct {
		uint32_t msgid;
		uint8_t iv[CIPHER_BLOCK_MAX];
	} chains[32];
	size_t nchains = 0;
	uint8_t p1iv[CIPHER_BLOCK_MAX], p1l[CIPHER_BLOCK_MAX], iv[CIPHER_BLOCK_MAX];
	bool phase2_seen = false;
	unsigned decrypted = 0;
	char key[64];

	memcpy(p1iv, vec_hex(s->v, "IV_phase1").p, s->bs);
	memcpy(p1l, p1iv, s->bs);
	for (size_t i = 0; i < n; i++) {
		const struct lmsg *m = &msgs[i];
		const struct vec_dec *dec;
		const uint8_t *body = m->data + HDR_LEN;
		size_t blen = m->len - HDR_LEN;
		uint8_t *pt;
		size_t c = 0;

		if (!(m->data[19] & 0x01))
			continue; /* not encrypted */
		assert_int_equal(blen % s->bs, 0);
		if (is_phase1(m->exch)) {
			/* Phase 1 ends before any other exchange uses P1L. */
			assert_false(phase2_seen);
			memcpy(iv, p1iv, s->bs);
		} else {
			phase2_seen = true;
			for (c = 0; c < nchains && chains[c].msgid != m->msgid; c++)
				;
			if (c == nchains) {
				assert_true(nchains < 32);
				chains[c].msgid = m->msgid;
				assert_int_equal(
				    ike_iv_exchange(s->h, p1l, s->bs, m->msgid, chains[c].iv), 0);
				snprintf(key, sizeof(key), "exch.%08x.iv", m->msgid);
				assert_key(s->v, key, chains[c].iv, s->bs);
				nchains++;
			}
			memcpy(iv, chains[c].iv, s->bs);
		}
		snprintf(key, sizeof(key), "iv.msg%u", m->num);
		assert_key(s->v, key, iv, s->bs);

		dec = vec_dec(s->v, m->num);
		assert_non_null(dec);
		assert_int_equal(dec->iv_len, s->bs);
		assert_memory_equal(dec->iv, iv, s->bs);
		assert_int_equal(dec->msgid, m->msgid);
		pt = malloc(blen);
		assert_non_null(pt);
		assert_int_equal(crypto_cbc(s->encr, s->ka.p, s->ka.len, iv, false, body, pt, blen),
		                 0);
		assert_int_equal(dec->payloads.len + dec->padding.len, blen);
		assert_memory_equal(pt, dec->payloads.p, dec->payloads.len);
		if (dec->padding.len)
			assert_memory_equal(pt + dec->payloads.len, dec->padding.p,
			                    dec->padding.len);
		/* The payload chain ends exactly where the padding starts. */
		assert_int_equal(chain_len(pt, blen, m->data[16]), dec->payloads.len);
		free(pt);
		decrypted++;

		/* The next IV of this chain is the last ciphertext block of this message. */
		if (is_phase1(m->exch)) {
			memcpy(p1iv, body + blen - s->bs, s->bs);
			memcpy(p1l, p1iv, s->bs);
		} else if (strcmp(m->exch, "INFORMATIONAL") != 0) {
			memcpy(chains[c].iv, body + blen - s->bs, s->bs);
		}
	}
	assert_key(s->v, "IV_phase1_last", p1l, s->bs);
	assert_int_equal(decrypted, s->v->ndecs);
	print_message("%s: %u messages decrypted along the IV chain\n", name, decrypted);
	lmsg_free(msgs, n);
	scen_free(s);
}

static void test_iv_chain_s1(void **state)
{
	check_iv_chain(VEC_S1);
}

static void test_iv_chain_s2(void **state)
{
	check_iv_chain(VEC_S2);
}

static void test_iv_chain_s3(void **state)
{
	check_iv_chain(VEC_S3);
}

/* The responder's first NAT-D in s1 message 2 is the hash of the client's address/port. */
static void test_natd_s1(void **state)
{
	struct scen *s = scen_load(VEC_S1);
	const struct vec_msg *m2 = vec_msg(s->v, 2);
	uint8_t out[HASH_MAX_LEN];
	struct rd natd;
	const uint8_t *d;
	bool found;

	assert_non_null(m2);
	found = find_payload(m2->data.p + HDR_LEN, m2->data.len - HDR_LEN, m2->data.p[16], PL_NATD,
	                     0, &natd) ||
	        find_payload(m2->data.p + HDR_LEN, m2->data.len - HDR_LEN, m2->data.p[16],
	                     PL_NATD_DRAFT, 0, &natd);
	assert_true(found);
	assert_int_equal(natd.left, s->hl);
	assert_true(rd_ptr(&natd, s->hl, &d));
	/* 198.51.100.2:500 */
	assert_int_equal(ike_natd(s->h, s->icky, s->rcky, 0xc6336402u, 500, out), 0);
	assert_memory_equal(out, d, s->hl);
	/* And a different port gives a different hash. */
	assert_int_equal(ike_natd(s->h, s->icky, s->rcky, 0xc6336402u, 4500, out), 0);
	assert_memory_not_equal(out, d, s->hl);
	scen_free(s);
}

/* The quick-mode M-ID: the one qm.<MID>.Ni_b of the scenario. */
static const char *qm_mid(const struct vec_set *v, char mid[9])
{
	for (size_t i = 0; i < v->nkeys; i++) {
		const char *k = v->names[i];
		size_t l = strlen(k);

		if (strncmp(k, "qm.", 3) == 0 && l == 3 + 8 + 5 && strcmp(k + 11, ".Ni_b") == 0) {
			memcpy(mid, k + 3, 8);
			mid[8] = 0;
			return mid;
		}
	}
	fail_msg("%s: no qm.<MID>.Ni_b in keys.txt", v->dir);
	return NULL;
}

static void check_keymat(const char *name)
{
	static const char *const dirs[] = {"I2R", "R2I"};
	struct scen *s = scen_open(name);
	struct secret qgxy = {NULL, 0};
	struct vec_bytes ni, nr;
	char mid[9], key[64];
	bool pfs;

	qm_mid(s->v, mid);
	snprintf(key, sizeof(key), "qm.%s.Ni_b", mid);
	ni = vec_hex(s->v, key);
	snprintf(key, sizeof(key), "qm.%s.Nr_b", mid);
	nr = vec_hex(s->v, key);
	snprintf(key, sizeof(key), "qm.%s.g_xy", mid);
	pfs = vec_str(s->v, key) != NULL;
	assert_int_equal(pfs, strcmp(vec_str(s->v, "esp.pfs"), "none") != 0);
	if (pfs)
		set_secret(&qgxy, vec_hex(s->v, key));

	for (size_t i = 0; i < 2; i++) {
		struct vec_bytes spi, ek, ik;
		uint8_t km[128];
		uint32_t spi32;

		snprintf(key, sizeof(key), "esp.%s.spi", dirs[i]);
		spi = vec_hex(s->v, key);
		assert_int_equal(spi.len, 4);
		spi32 = (uint32_t)spi.p[0] << 24 | (uint32_t)spi.p[1] << 16 |
		        (uint32_t)spi.p[2] << 8 | spi.p[3];
		snprintf(key, sizeof(key), "esp.%s.encr_key", dirs[i]);
		ek = vec_hex(s->v, key);
		snprintf(key, sizeof(key), "esp.%s.integ_key", dirs[i]);
		ik = vec_hex(s->v, key);
		assert_true(ek.len + ik.len <= sizeof(km));
		/* Protocol 3 = ESP; the SA's own (receiver-chosen) SPI. */
		assert_int_equal(ike_keymat(s->h, &s->d, pfs ? &qgxy : NULL, 3, spi32, ni.p, ni.len,
		                            nr.p, nr.len, km, ek.len + ik.len),
		                 0);
		assert_memory_equal(km, ek.p, ek.len);
		assert_memory_equal(km + ek.len, ik.p, ik.len);
		/* PFS matters: leaving g(qm)^xy out (or in) changes everything. */
		if (pfs) {
			assert_int_equal(ike_keymat(s->h, &s->d, NULL, 3, spi32, ni.p, ni.len, nr.p,
			                            nr.len, km, ek.len),
			                 0);
			assert_memory_not_equal(km, ek.p, ek.len);
		}
	}
	secret_clear(&qgxy);
	scen_free(s);
}

static void test_keymat(void **state)
{
	check_keymat(VEC_S1);
	check_keymat(VEC_S2);
	check_keymat(VEC_S3);
}

/* The payloads of an aggressive-mode message, decrypted when it was sent encrypted. */
static const uint8_t *am_payloads(const struct scen *s, unsigned num, size_t *len, uint8_t *first)
{
	const struct vec_msg *m = vec_msg(s->v, num);

	assert_non_null(m);
	*first = m->data.p[16];
	if (m->data.p[19] & 0x01) {
		const struct vec_dec *d = vec_dec(s->v, num);

		assert_non_null(d);
		*len = d->payloads.len;
		return d->payloads.p;
	}
	*len = m->data.len - HDR_LEN;
	return m->data.p + HDR_LEN;
}

static void check_hash_auth(const char *name)
{
	struct scen *s = scen_open(name);
	struct vec_bytes gxi = vec_hex(s->v, "g_xi"), gxr = vec_hex(s->v, "g_xr");
	struct rd sa, idi, idr, ke, hr, hi;
	const uint8_t *p1, *p2, *p3;
	size_t l1, l2, l3;
	uint8_t f1, f2, f3, out[HASH_MAX_LEN];

	assert_string_equal(vec_str(s->v, "ike.mode"), "aggressive");
	p1 = am_payloads(s, 1, &l1, &f1);
	p2 = am_payloads(s, 2, &l2, &f2);
	p3 = am_payloads(s, 3, &l3, &f3);
	assert_true(find_payload(p1, l1, f1, PL_SA, 0, &sa));
	assert_true(find_payload(p1, l1, f1, PL_ID, 0, &idi));
	assert_true(find_payload(p1, l1, f1, PL_KE, 0, &ke));
	assert_bytes(ke.p, ke.left, gxi);
	assert_true(find_payload(p2, l2, f2, PL_ID, 0, &idr));
	assert_true(find_payload(p2, l2, f2, PL_KE, 0, &ke));
	assert_bytes(ke.p, ke.left, gxr);
	assert_true(find_payload(p2, l2, f2, PL_HASH, 0, &hr));
	assert_true(find_payload(p3, l3, f3, PL_HASH, 0, &hi));
	assert_int_equal(hr.left, s->hl);
	assert_int_equal(hi.left, s->hl);

	/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b) */
	assert_int_equal(ike_hash_auth(s->h, &s->skeyid, gxi.p, gxi.len, gxr.p, gxr.len, s->icky,
	                               s->rcky, sa.p, sa.left, idi.p, idi.left, out),
	                 0);
	assert_memory_equal(out, hi.p, s->hl);
	/* HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b) */
	assert_int_equal(ike_hash_auth(s->h, &s->skeyid, gxr.p, gxr.len, gxi.p, gxi.len, s->rcky,
	                               s->icky, sa.p, sa.left, idr.p, idr.left, out),
	                 0);
	assert_memory_equal(out, hr.p, s->hl);
	/* The initiator's ID in place of the responder's must not verify. */
	assert_int_equal(ike_hash_auth(s->h, &s->skeyid, gxr.p, gxr.len, gxi.p, gxi.len, s->rcky,
	                               s->icky, sa.p, sa.left, idi.p, idi.left, out),
	                 0);
	assert_false(crypto_ct_equal(out, hr.p, s->hl));
	scen_free(s);
}

static void test_hash_auth(void **state)
{
	check_hash_auth(VEC_S1);
	check_hash_auth(VEC_S2);
}

/*
 * The HASH payload of every transaction, informational and quick-mode message: HASH is the
 * first payload, "rest" is the decrypted body after it, padding excluded.
 */
static unsigned check_p2_hashes(const char *name, unsigned *quick)
{
	struct scen *s = scen_open(name);
	struct vec_bytes qni = {NULL, 0}, qnr = {NULL, 0};
	unsigned checked = 0, qm_index = 0;
	uint32_t qm_msgid = 0;
	char mid[9], key[64];

	qm_mid(s->v, mid);
	qm_msgid = (uint32_t)strtoul(mid, NULL, 16);
	snprintf(key, sizeof(key), "qm.%s.Ni_b", mid);
	qni = vec_hex(s->v, key);
	snprintf(key, sizeof(key), "qm.%s.Nr_b", mid);
	qnr = vec_hex(s->v, key);

	for (size_t i = 0; i < s->v->ndecs; i++) {
		const struct vec_dec *d = &s->v->decs[i];
		const struct vec_msg *m = vec_msg(s->v, d->num);
		const uint8_t *rest;
		size_t rest_len;
		uint8_t out[HASH_MAX_LEN];
		struct rd r, hash;
		uint8_t next = 0, res = 0;
		uint16_t plen = 0;

		if (is_phase1(d->exch))
			continue;
		assert_non_null(m);
		assert_int_equal(m->data.p[16], PL_HASH);
		r = rd_init(d->payloads.p, d->payloads.len);
		assert_true(rd_u8(&r, &next) && rd_u8(&r, &res) && rd_u16(&r, &plen));
		assert_true(rd_sub(&r, plen - 4u, &hash));
		assert_int_equal(hash.left, s->hl);
		rest = r.p;
		rest_len = r.left;

		if (strcmp(d->exch, "QUICK") == 0) {
			assert_int_equal(d->msgid, qm_msgid);
			switch (qm_index++) {
			case 0: { /* HASH(1) = prf(SKEYID_a, M-ID | rest); rest holds Ni */
				struct rd nonce;

				assert_true(
				    find_payload(rest, rest_len, next, PL_NONCE, 0, &nonce));
				assert_bytes(nonce.p, nonce.left, qni);
				assert_int_equal(ike_hash_p2(s->h, &s->a, 0, d->msgid, NULL, 0,
				                             NULL, 0, rest, rest_len, out),
				                 0);
				break;
			}
			case 1: { /* HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest); rest holds Nr */
				struct rd nonce;

				assert_true(
				    find_payload(rest, rest_len, next, PL_NONCE, 0, &nonce));
				assert_bytes(nonce.p, nonce.left, qnr);
				assert_int_equal(ike_hash_p2(s->h, &s->a, 0, d->msgid, qni.p,
				                             qni.len, NULL, 0, rest, rest_len, out),
				                 0);
				break;
			}
			default: /* HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b); no rest */
				assert_int_equal(rest_len, 0);
				assert_int_equal(ike_hash_p2(s->h, &s->a, 1, d->msgid, qni.p,
				                             qni.len, qnr.p, qnr.len, NULL, 0, out),
				                 0);
				break;
			}
		} else {
			/* Transaction and informational: prf(SKEYID_a, M-ID | rest) */
			assert_int_equal(ike_hash_p2(s->h, &s->a, 0, d->msgid, NULL, 0, NULL, 0,
			                             rest, rest_len, out),
			                 0);
		}
		if (!crypto_ct_equal(out, hash.p, s->hl))
			fail_msg("%s: HASH of message %u (%s) does not verify", name, d->num,
			         d->exch);
		checked++;
	}
	assert_int_equal(qm_index, 3);
	*quick = qm_index;
	print_message("%s: %u phase-2-type HASH payloads verified\n", name, checked);
	scen_free(s);
	return checked;
}

static void test_p2_hashes(void **state)
{
	unsigned q;

	/* s1: 6 transaction (4-9), 3 quick (10-12), 4 informational (13-16). */
	assert_int_equal(check_p2_hashes(VEC_S1, &q), 13);
	/* s2: 6 transaction, 3 quick, 2 informational; s3 likewise. */
	assert_int_equal(check_p2_hashes(VEC_S2, &q), 11);
	assert_int_equal(check_p2_hashes(VEC_S3, &q), 11);
}

/* Exactly the formulas, including the 0 prefix and the order of the optional parts. */
static void test_hash_p2_layout(void **state)
{
	struct scen *s = scen_open(VEC_S1);
	static const uint8_t ni[3] = {1, 2, 3}, nr[2] = {4, 5}, rest[5] = {6, 7, 8, 9, 10};
	static const uint8_t flat[] = {0, 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	uint8_t a[HASH_MAX_LEN], b[HASH_MAX_LEN];
	struct crypto_iov iov = {flat, sizeof(flat)};

	assert_int_equal(ike_hash_p2(s->h, &s->a, 1, 0x12345678, ni, 3, nr, 2, rest, 5, a), 0);
	assert_int_equal(crypto_prf_v(s->h, s->a.p, s->a.len, &iov, 1, b), 0);
	assert_memory_equal(a, b, s->hl);
	iov = (struct crypto_iov){flat + 1, sizeof(flat) - 1};
	assert_int_equal(ike_hash_p2(s->h, &s->a, 0, 0x12345678, ni, 3, nr, 2, rest, 5, a), 0);
	assert_int_equal(crypto_prf_v(s->h, s->a.p, s->a.len, &iov, 1, b), 0);
	assert_memory_equal(a, b, s->hl);
	scen_free(s);
}

static void test_rejects(void **state)
{
	struct secret sk = {NULL, 0}, d = {NULL, 0}, a = {NULL, 0}, e = {NULL, 0};
	uint8_t c[8] = {0}, out[HASH_MAX_LEN], n[16] = {0};

	assert_int_equal(ike_skeyid_psk((enum hash_alg)3, n, 4, n, 16, n, 16, &sk), -EINVAL);
	assert_null(sk.p);
	/* Children need a real SKEYID and g^xy. */
	assert_int_equal(ike_skeyid_children(HASH_SHA1, &sk, &sk, c, c, &d, &a, &e), -EINVAL);
	assert_int_equal(ike_ka(HASH_SHA1, &sk, 16, &d), -EINVAL);
	assert_int_equal(ike_iv_phase1(HASH_MD5, n, 16, n, 16, 32, out), -EINVAL);
	assert_int_equal(ike_iv_exchange(HASH_SHA1, n, 0, 1, out), -EINVAL);
	assert_int_equal(ike_natd((enum hash_alg)0, c, c, 1, 2, out), -EINVAL);
	assert_null(d.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_phase1_keys), cmocka_unit_test(test_ka_expansion),
	    cmocka_unit_test(test_iv_chain_s1), cmocka_unit_test(test_iv_chain_s2),
	    cmocka_unit_test(test_iv_chain_s3), cmocka_unit_test(test_natd_s1),
	    cmocka_unit_test(test_keymat),      cmocka_unit_test(test_hash_auth),
	    cmocka_unit_test(test_p2_hashes),   cmocka_unit_test(test_hash_p2_layout),
	    cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
