/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OpenSSL 3 back-end of crypto.h for the IKE side: hashes, the HMAC prf, one-shot CBC,
 * randomness and MODP Diffie-Hellman. The per-SA ESP contexts live in crypto_ossl_esp.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "lib/crypto.h"
#include "lib/crypto_int.h"

/* ---- algorithm tables ---- */

static const char *hash_fetch_name(enum hash_alg h)
{
	switch (h) {
	case HASH_MD5:
		return "MD5";
	case HASH_SHA1:
		return "SHA1";
	case HASH_SHA256:
		return "SHA2-256";
	case HASH_SHA384:
		return "SHA2-384";
	case HASH_SHA512:
		return "SHA2-512";
	}
	return NULL;
}

size_t crypto_hash_len(enum hash_alg h)
{
	switch (h) {
	case HASH_MD5:
		return 16;
	case HASH_SHA1:
		return 20;
	case HASH_SHA256:
		return 32;
	case HASH_SHA384:
		return 48;
	case HASH_SHA512:
		return 64;
	}
	return 0;
}

const char *crypto_hash_name(enum hash_alg h)
{
	const char *n = hash_fetch_name(h);

	return n ? n : "unsupported hash";
}

size_t crypto_cipher_block(enum cipher_alg e)
{
	switch (e) {
	case CIPHER_DES:
	case CIPHER_3DES:
		return 8;
	case CIPHER_AES_CBC:
		return 16;
	}
	return 0;
}

const char *crypto_cipher_name(enum cipher_alg e)
{
	switch (e) {
	case CIPHER_DES:
		return "DES-CBC";
	case CIPHER_3DES:
		return "3DES-CBC";
	case CIPHER_AES_CBC:
		return "AES-CBC";
	}
	return "unsupported cipher";
}

bool crypto_cipher_keylen_ok(enum cipher_alg e, unsigned key_bits)
{
	switch (e) {
	case CIPHER_DES:
		return key_bits == 64;
	case CIPHER_3DES:
		return key_bits == 192;
	case CIPHER_AES_CBC:
		return key_bits == 128 || key_bits == 192 || key_bits == 256;
	}
	return false;
}

static const char *cbc_fetch_name(enum cipher_alg e, size_t klen)
{
	if (!crypto_cipher_keylen_ok(e, (unsigned)(klen * 8)))
		return NULL;
	switch (e) {
	case CIPHER_DES:
		return "DES-CBC";
	case CIPHER_3DES:
		return "DES-EDE3-CBC";
	case CIPHER_AES_CBC:
		return klen == 16 ? "AES-128-CBC" : klen == 24 ? "AES-192-CBC" : "AES-256-CBC";
	}
	return NULL;
}

int crypto_ossl_cipher_fetch(const char *name, struct ossl_cipher *f)
{
	*f = (struct ossl_cipher){0};
	if (strcmp(name, "DES-CBC") != 0) {
		f->cipher = EVP_CIPHER_fetch(NULL, name, NULL);
		return f->cipher ? 0 : -ENOTSUP;
	}
	/*
	 * OpenSSL 3 keeps single DES in its legacy provider. It is loaded only here, when a
	 * profile or configuration asked for DES, into a library context of its own that lives
	 * as long as the cipher: nothing else in the process gets legacy algorithms, and nothing
	 * global is left behind.
	 */
	f->lctx = OSSL_LIB_CTX_new();
	if (f->lctx)
		f->prov = OSSL_PROVIDER_load(f->lctx, "legacy");
	if (f->prov)
		f->cipher = EVP_CIPHER_fetch(f->lctx, name, NULL);
	if (f->cipher)
		return 0;
	ERR_clear_error();
	crypto_ossl_cipher_release(f);
	return -ENOTSUP;
}

void crypto_ossl_cipher_release(struct ossl_cipher *f)
{
	EVP_CIPHER_free(f->cipher);
	if (f->prov)
		OSSL_PROVIDER_unload(f->prov);
	OSSL_LIB_CTX_free(f->lctx);
	*f = (struct ossl_cipher){0};
}

/* ---- hash, prf ---- */

int crypto_hash_v(enum hash_alg h, const struct crypto_iov *iov, size_t n, uint8_t *out)
{
	const char *name = hash_fetch_name(h);
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *md = NULL;
	unsigned outl = 0;
	int ret = -EIO;
	size_t i;

	if (!name || !out || (n && !iov))
		return -EINVAL;
	md = EVP_MD_fetch(NULL, name, NULL);
	ctx = EVP_MD_CTX_new();
	if (!md || !ctx || !EVP_DigestInit_ex2(ctx, md, NULL))
		goto out;
	for (i = 0; i < n; i++) {
		if (iov[i].len && !EVP_DigestUpdate(ctx, iov[i].p, iov[i].len))
			goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, out, &outl) || outl != crypto_hash_len(h))
		goto out;
	ret = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return ret;
}

int crypto_prf_v(enum hash_alg h, const uint8_t *key, size_t klen, const struct crypto_iov *iov,
                 size_t n, uint8_t *out)
{
	static const uint8_t empty_key[1];
	const char *name = hash_fetch_name(h);
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac = NULL;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int ret = -EIO;
	size_t i;

	if (!name || !out || (klen && !key) || (n && !iov))
		return -EINVAL;
	/* HMAC treats a NULL key as "keep the old key"; an empty key must be explicit. */
	if (!klen)
		key = empty_key;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		goto out;
	ctx = EVP_MAC_CTX_new(mac);
	if (!ctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)name, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, klen, params))
		goto out;
	for (i = 0; i < n; i++) {
		if (iov[i].len && !EVP_MAC_update(ctx, iov[i].p, iov[i].len))
			goto out;
	}
	if (!EVP_MAC_final(ctx, out, &outl, crypto_hash_len(h)) || outl != crypto_hash_len(h))
		goto out;
	ret = 0;
out:
	/* Frees the keyed pads with a cleanse. */
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

/* ---- one-shot CBC ---- */

int crypto_cbc(enum cipher_alg e, const uint8_t *key, size_t klen, const uint8_t *iv, bool encrypt,
               const uint8_t *in, uint8_t *out, size_t len)
{
	const char *name = cbc_fetch_name(e, klen);
	size_t bs = crypto_cipher_block(e);
	EVP_CIPHER_CTX *ctx = NULL;
	struct ossl_cipher f = {0};
	int outl = 0, fin = 0;
	int ret = -EIO;

	if (!name || !key || !iv || (len && (!in || !out)) || len % bs || len > INT_MAX)
		return -EINVAL;
	if (crypto_ossl_cipher_fetch(name, &f) != 0)
		goto out;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		goto out;
	if (!EVP_CipherInit_ex2(ctx, f.cipher, key, iv, encrypt ? 1 : 0, NULL))
		goto out;
	/* IKE pads with its own zero bytes and has no pad-length byte. */
	if (!EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto out;
	if (len && !EVP_CipherUpdate(ctx, out, &outl, in, (int)len))
		goto out;
	if (!EVP_CipherFinal_ex(ctx, out + outl, &fin) || (size_t)(outl + fin) != len)
		goto out;
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	crypto_ossl_cipher_release(&f);
	return ret;
}

/* ---- randomness, comparison ---- */

int crypto_random(void *p, size_t n)
{
	uint8_t *b = p;

	if (n && !p)
		return -EINVAL;
	while (n) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(b, chunk) != 1)
			return -EIO;
		b += chunk;
		n -= (size_t)chunk;
	}
	return 0;
}

bool crypto_ct_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_thread_end(void)
{
	OPENSSL_thread_stop();
}

/* ---- Diffie-Hellman: MODP and ECP ---- */

struct crypto_dh {
	unsigned dh_group;
	size_t dh_len; /* KE payload bytes */
	bool dh_ecp;
	EVP_PKEY *dh_key;
};

static bool is_ecp(unsigned group)
{
	return group == 19 || group == 20;
}

size_t crypto_dh_len(unsigned group)
{
	switch (group) {
	case 1:
		return 96;
	case 2:
		return 128;
	case 5:
		return 192;
	case 14:
		return 256;
	case 15:
		return 384;
	case 16:
		return 512;
	case 19:
		return 64;
	case 20:
		return 96;
	}
	return 0;
}

const char *crypto_dh_name(unsigned group)
{
	switch (group) {
	case 1:
		return "modp768";
	case 2:
		return "modp1024";
	case 5:
		return "modp1536";
	case 14:
		return "modp2048";
	case 15:
		return "modp3072";
	case 16:
		return "modp4096";
	case 19:
		return "ecp256";
	case 20:
		return "ecp384";
	}
	return "unsupported group";
}

static const char *dh_group_name(unsigned group)
{
	switch (group) {
	case 5:
		return "modp_1536";
	case 14:
		return "modp_2048";
	case 15:
		return "modp_3072";
	case 16:
		return "modp_4096";
	case 19:
		return "P-256";
	case 20:
		return "P-384";
	}
	return NULL;
}

static BIGNUM *dh_prime(unsigned group)
{
	switch (group) {
	case 1:
		return BN_get_rfc2409_prime_768(NULL);
	case 2:
		return BN_get_rfc2409_prime_1024(NULL);
	case 5:
		return BN_get_rfc3526_prime_1536(NULL);
	case 14:
		return BN_get_rfc3526_prime_2048(NULL);
	case 15:
		return BN_get_rfc3526_prime_3072(NULL);
	case 16:
		return BN_get_rfc3526_prime_4096(NULL);
	}
	return NULL;
}

/*
 * OpenSSL 3.0 has no named group for the RFC 2409 primes (groups 1 and 2), so their domain
 * parameters are built by hand from p and g. q = (p-1)/2 is deliberately left out: OpenSSL 3.0
 * then runs the FIPS 186-4 (L, N) size check on p and q, which a safe prime fails, and key
 * generation errors out. Without q the peer check is the range check in dh_check_peer().
 */
static EVP_PKEY *dh_params_rfc2409(unsigned group)
{
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *p = NULL;

	p = dh_prime(group);
	bld = OSSL_PARAM_BLD_new();
	if (!p || !bld)
		goto out;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) ||
	    !OSSL_PARAM_BLD_push_uint(bld, OSSL_PKEY_PARAM_FFC_G, 2))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
	if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEY_PARAMETERS, params) <= 0)
		pkey = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	return pkey;
}

static EVP_PKEY *dh_keygen(unsigned group)
{
	const char *name = dh_group_name(group);
	EVP_PKEY *params = NULL, *key = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM p[2];

	if (group == 1 || group == 2) {
		params = dh_params_rfc2409(group);
		if (!params)
			goto out;
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
		if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0)
			goto out;
	} else if (name) {
		ctx = EVP_PKEY_CTX_new_from_name(NULL, is_ecp(group) ? "EC" : "DH", NULL);
		if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0)
			goto out;
		p[0] =
		    OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)name, 0);
		p[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_set_params(ctx, p) <= 0)
			goto out;
	} else {
		goto out;
	}
	if (EVP_PKEY_generate(ctx, &key) <= 0)
		key = NULL;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return key;
}

struct crypto_dh *crypto_dh_new(unsigned group)
{
	struct crypto_dh *dh;

	if (!crypto_dh_len(group))
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh)
		return NULL;
	dh->dh_group = group;
	dh->dh_len = crypto_dh_len(group);
	dh->dh_ecp = is_ecp(group);
	dh->dh_key = dh_keygen(group);
	if (!dh->dh_key) {
		free(dh);
		return NULL;
	}
	return dh;
}

void crypto_dh_free(struct crypto_dh *dh)
{
	if (!dh)
		return;
	/* EVP_PKEY_free clears the private exponent. */
	EVP_PKEY_free(dh->dh_key);
	free(dh);
}

unsigned crypto_dh_group(const struct crypto_dh *dh)
{
	return dh ? dh->dh_group : 0;
}

int crypto_dh_public(const struct crypto_dh *dh, uint8_t *out, size_t len)
{
	BIGNUM *pub = NULL, *y = NULL;
	int ret = -EIO;

	if (!dh || !out || len != dh->dh_len)
		return -EINVAL;
	if (dh->dh_ecp) {
		/* RFC 5903 7: x | y, each padded to the field size; no point-format byte */
		int half = (int)(len / 2);
		if (!EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_EC_PUB_X, &pub) ||
		    !EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
		    BN_bn2binpad(pub, out, half) != half ||
		    BN_bn2binpad(y, out + half, half) != half)
			goto out;
		ret = 0;
		goto out;
	}
	if (!EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_PUB_KEY, &pub))
		goto out;
	/* The KE payload always carries the full prime length. */
	if (BN_bn2binpad(pub, out, (int)len) != (int)len)
		goto out;
	ret = 0;
out:
	BN_free(pub);
	BN_free(y);
	return ret;
}

/*
 * The peer's ECP public value as a key: OpenSSL decodes the uncompressed point (0x04 | x | y)
 * and refuses one that is not on the curve; the point at infinity has no such encoding. NULL
 * for a bad point.
 */
static EVP_PKEY *ecp_peer_key(unsigned group, const uint8_t *peer, size_t plen)
{
	uint8_t enc[1 + 2 * 48];
	OSSL_PARAM p[3];
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *pk = NULL;

	if (plen != crypto_dh_len(group) || plen + 1 > sizeof(enc))
		return NULL;
	enc[0] = 0x04;
	memcpy(enc + 1, peer, plen);
	p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	                                        (char *)dh_group_name(group), 0);
	p[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, enc, plen + 1);
	p[2] = OSSL_PARAM_construct_end();
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, p) <= 0) {
		pk = NULL;
		goto out;
	}
	/* on the curve, not infinity, right order: SP 800-56A 5.6.2.3.3 */
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	if (!chk || EVP_PKEY_public_check(chk) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* RFC 2631 2.1.5 / SP 800-56A: reject 0, 1, p-1 and anything >= p before OpenSSL sees it. */
static int dh_check_peer(const struct crypto_dh *dh, const uint8_t *peer, size_t plen)
{
	BIGNUM *p = NULL, *y = NULL;
	int ret = -EINVAL;

	if (plen != dh->dh_len)
		return -EINVAL;
	y = BN_bin2bn(peer, (int)plen, NULL);
	if (!y || !EVP_PKEY_get_bn_param(dh->dh_key, OSSL_PKEY_PARAM_FFC_P, &p) ||
	    !BN_sub_word(p, 1)) {
		ret = -EIO;
		goto out;
	}
	/* now p holds p-1: require 1 < y < p-1 */
	if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, p) >= 0)
		goto out;
	ret = 0;
out:
	BN_free(p);
	BN_free(y);
	return ret;
}

bool crypto_dh_peer_ok(unsigned group, const uint8_t *peer, size_t plen)
{
	BIGNUM *p = NULL, *y = NULL;
	bool ok = false;
	if (!peer || !crypto_dh_len(group) || plen != crypto_dh_len(group))
		return false;
	if (is_ecp(group)) {
		EVP_PKEY *pk = ecp_peer_key(group, peer, plen);
		EVP_PKEY_free(pk);
		return pk != NULL;
	}
	p = dh_prime(group);
	y = BN_bin2bn(peer, (int)plen, NULL);
	if (!p || !y || !BN_sub_word(p, 1))
		goto out;
	ok = BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, p) < 0;
out:
	BN_free(p);
	BN_free(y);
	return ok;
}

/* The peer's public value as a key of our group, or NULL (*ret says why). */
static EVP_PKEY *peer_key(const struct crypto_dh *dh, const uint8_t *peer, size_t plen, int *ret)
{
	EVP_PKEY *pk;

	if (dh->dh_ecp) {
		pk = ecp_peer_key(dh->dh_group, peer, plen);
		*ret = pk ? 0 : -EINVAL;
		return pk;
	}
	*ret = dh_check_peer(dh, peer, plen);
	if (*ret)
		return NULL;
	*ret = -EIO;
	pk = EVP_PKEY_new();
	if (!pk || EVP_PKEY_copy_parameters(pk, dh->dh_key) <= 0)
		goto fail;
	if (EVP_PKEY_set1_encoded_public_key(pk, peer, plen) <= 0) {
		*ret = -EINVAL;
		goto fail;
	}
	*ret = 0;
	return pk;
fail:
	EVP_PKEY_free(pk);
	return NULL;
}

int crypto_dh_derive(struct crypto_dh *dh, const uint8_t *peer, size_t plen, struct secret *gxy)
{
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	struct secret s = {NULL, 0};
	size_t outl = 0;
	/* ECP: the x coordinate, as long as the field */
	size_t want;
	int ret;

	if (!dh || !peer || !gxy)
		return -EINVAL;
	want = dh->dh_ecp ? dh->dh_len / 2 : dh->dh_len;
	pk = peer_key(dh, peer, plen, &ret);
	if (!pk)
		return ret;
	ret = -EIO;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->dh_key, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	/* Without this a secret with leading zero bytes comes out short (about 1 in 256). */
	if (!dh->dh_ecp && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0)
		goto out;
	/* OpenSSL validates the peer again here (for the named groups also y^q = 1). */
	if (EVP_PKEY_derive_set_peer(ctx, pk) <= 0) {
		ret = -EINVAL;
		goto out;
	}
	if (EVP_PKEY_derive(ctx, NULL, &outl) <= 0 || outl != want)
		goto out;
	ret = secret_alloc(&s, outl);
	if (ret)
		goto out;
	ret = -EIO;
	if (EVP_PKEY_derive(ctx, s.p, &outl) <= 0 || outl != want) {
		ret = -EINVAL;
		goto out;
	}
	secret_clear(gxy);
	*gxy = s;
	s.p = NULL;
	s.len = 0;
	ret = 0;
out:
	ERR_clear_error();
	secret_clear(&s);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return ret;
}
