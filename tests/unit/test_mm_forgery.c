/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Main mode against a peer that does the Diffie-Hellman exchange itself (no credential is
 * needed up to MM4) and then sends forged fifth messages: what each one may cost evs.
 *
 * A signature that does not verify only drops the message (a damaged copy; the genuine one
 * may follow), so without a cap every forged MM5 costs one RSA verification with a key the
 * attacker chose. Each must stay cheap (the key size is bounded) and their number per SA
 * bounded (the SA ends after a few), while a genuine MM5 after a forged one still completes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include "engine_rig.h"
#include "ike/isakmp.h"
#include "ike_oracle.h"
#include "lib/bytes.h"
#include "lib/crypto.h"
#include "lib/x509.h"

/* 2027-01-01: inside the s3 certificates' validity, whatever the machine's clock says */
#define TEST_WALL 1798761600

struct pki {
	struct x509_cred *cli, *srv;
	struct x509_trust *trust;
};

static void pki_load(struct pki *k)
{
	const char *d = EVC_VECTORS_DIR "/s3-strongswan-main-rsa-xauth/pki";
	char c[512], key[512], err[512];
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

static void pki_free(struct pki *k)
{
	x509_cred_free(k->cli);
	x509_cred_free(k->srv);
	x509_trust_free(k->trust);
}

/* Keeps the client's MM5 (its third datagram) instead of delivering it. */
struct keep {
	uint8_t mm5[RIG_MAX_MSG];
	size_t len;
};

static enum rig_verdict keep_mm5(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                 size_t *len, size_t cap, void *arg)
{
	struct keep *k = arg;
	(void)r, (void)cap;
	if (dir != RIG_C2S || index != 2)
		return RIG_PASS;
	memcpy(k->mm5, buf, *len);
	k->len = *len;
	return RIG_DROP;
}

/* The rig up to the server waiting for MM5 (which k holds). */
static void rig_to_mm5(struct rig *r, const struct pki *p, struct keep *k)
{
	rig_init(r);
	r->srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 0};
	r->n_srv_p1 = 1;
	r->dh = 14;
	r->cli_cert = p->cli;
	r->cli_trust = p->trust;
	r->srv_cert = p->srv;
	r->srv_trust = p->trust;
	r->wall = TEST_WALL;
	r->tamper = keep_mm5;
	r->tamper_arg = k;
	assert_true(rig_start(r));
	r->tamper = NULL;
	assert_non_null(r->s.sa);
	assert_true(k->len > 0);
	assert_true(ike_oracle_keyed(r->s.sa));
}

static void payload(struct wr *w, uint8_t np, const uint8_t *a, size_t alen, const uint8_t *b,
                    size_t blen)
{
	wr_u8(w, np);
	wr_u8(w, 0);
	wr_u16(w, (uint16_t)(4 + alen + blen));
	wr_bytes(w, a, alen);
	wr_bytes(w, b, blen);
}

/* A fifth message sealed with the server's live keys: the client's identity, the
 * certificate der and a signature of siglen bytes of value fill that is not HASH_I's. */
static size_t forged_mm5(const struct rig *r, const struct pki *p, const uint8_t *der,
                         size_t der_len, size_t siglen, uint8_t fill, uint8_t *out, size_t cap)
{
	uint8_t body[RIG_MAX_MSG / 2], sig[2048];
	const uint8_t *dn;
	size_t dn_len;
	const uint8_t id_hdr[4] = {ISAKMP_ID_DER_ASN1_DN, 0, 0, 0};
	const uint8_t enc = ISAKMP_CERT_X509_SIG;
	struct wr w = wr_init(body, sizeof(body));
	struct isakmp_hdr h;

	assert_true(siglen <= sizeof(sig));
	memset(sig, fill, siglen);
	x509_cred_subject(p->cli, &dn, &dn_len);
	payload(&w, ISAKMP_PL_CERT, id_hdr, sizeof(id_hdr), dn, dn_len);
	payload(&w, ISAKMP_PL_SIG, &enc, 1, der, der_len);
	payload(&w, ISAKMP_PL_NONE, sig, siglen, NULL, 0);
	assert_false(w.err);
	ike_oracle_hdr(r->s.sa, &h, ISAKMP_EXCH_MAIN, ISAKMP_PL_ID, 0);
	return ike_oracle_seal(r->s.sa, &h, body, w.len, ORACLE_HASH_KEEP, out, cap);
}

static size_t cli_der(const struct pki *p, const uint8_t **der)
{
	size_t len;
	x509_cred_der(p->cli, der, &len);
	return len;
}

/* Forged fifth messages with the client's real certificate: after a few the SA ends, instead
 * of verifying every one the attacker sends. */
static void test_forged_mm5_bounded(void **state)
{
	(void)state;
	static struct keep k;
	static uint8_t msg[RIG_MAX_MSG];
	struct pki p;
	struct rig r;
	const uint8_t *der;
	size_t der_len;

	pki_load(&p);
	rig_to_mm5(&r, &p, &k);
	der_len = cli_der(&p, &der);
	int sent = 0;
	for (int i = 0; i < 50 && !r.s.failed; i++) {
		size_t n =
		    forged_mm5(&r, &p, der, der_len, 256, (uint8_t)(0x10 + i), msg, sizeof(msg));
		assert_true(n > 0);
		rig_inject(&r, RIG_C2S, msg, n);
		assert_true(rig_pump(&r));
		sent++;
	}
	assert_true(rig_logged(&r.s, "does not verify"));
	/* the SA ends after a handful, not after the fiftieth */
	assert_true(r.s.failed);
	assert_true(sent <= 4);
	rig_free(&r);
	pki_free(&p);
}

/* One forged fifth message does not end the SA: the genuine one still completes. */
static void test_genuine_after_forged(void **state)
{
	(void)state;
	static struct keep k;
	static uint8_t msg[RIG_MAX_MSG];
	struct pki p;
	struct rig r;
	const uint8_t *der;
	size_t der_len;

	pki_load(&p);
	rig_to_mm5(&r, &p, &k);
	der_len = cli_der(&p, &der);
	for (int i = 0; i < 2; i++) {
		size_t n =
		    forged_mm5(&r, &p, der, der_len, 256, (uint8_t)(0x40 + i), msg, sizeof(msg));
		rig_inject(&r, RIG_C2S, msg, n);
		assert_true(rig_pump(&r));
		assert_false(r.s.failed);
	}
	rig_inject(&r, RIG_C2S, k.mm5, k.len);
	assert_true(rig_pump(&r));
	assert_false(r.s.failed);
	assert_false(r.c.failed);
	assert_true(rig_logged(&r.s, "authenticated with certificate"));
	rig_free(&r);
	pki_free(&p);
}

/* A certificate (signed by a throw-away key: no chain is looked at before the signature)
 * whose RSA key has a modulus of bits bits, random, with public exponent e. */
static size_t big_key_cert(int bits, unsigned long e, uint8_t *out, size_t cap)
{
	EVP_PKEY *signer = EVP_RSA_gen(1024), *pub = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	BIGNUM *n = BN_new(), *be = BN_new();
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	size_t len = 0;

	assert_non_null(signer);
	assert_true(BN_rand(n, bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD) == 1);
	assert_true(BN_set_word(be, e) == 1);
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1);
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be) == 1);
	params = OSSL_PARAM_BLD_to_param(bld);
	assert_true(EVP_PKEY_fromdata_init(ctx) == 1);
	assert_true(EVP_PKEY_fromdata(ctx, &pub, EVP_PKEY_PUBLIC_KEY, params) == 1);
	X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)"quizware", -1,
	                           -1, 0);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"mallory", -1,
	                           -1, 0);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, pub);
	assert_true(X509_sign(x, signer, EVP_sha256()) > 0);
	int l = i2d_X509(x, NULL);
	assert_true(l > 0 && (size_t)l <= cap);
	unsigned char *q = out;
	len = (size_t)i2d_X509(x, &q);
	X509_NAME_free(name);
	X509_free(x);
	BN_free(n);
	BN_free(be);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(signer);
	return len;
}

/* A peer's certificate with an RSA key beyond the 8192 bits IKE uses is refused when read,
 * before any signature is checked with it (a 16384-bit key with a 64-bit exponent costs
 * milliseconds per verification). */
static void test_huge_key_refused(void **state)
{
	(void)state;
	static uint8_t der[8192];
	struct x509_peer *peer = NULL;
	char err[256];

	size_t len = big_key_cert(16384, 0xfffffffffffffffful, der, sizeof(der));
	int rc = x509_peer_parse(der, len, &peer, err, sizeof(err));
	assert_int_not_equal(rc, 0);
	assert_null(peer);
	assert_non_null(strstr(err, "bits"));
	/* 8192 bits is still read */
	len = big_key_cert(8192, 65537, der, sizeof(der));
	assert_int_equal(x509_peer_parse(der, len, &peer, err, sizeof(err)), 0);
	x509_peer_free(peer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_forged_mm5_bounded),
	    cmocka_unit_test(test_genuine_after_forged),
	    cmocka_unit_test(test_huge_key_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
