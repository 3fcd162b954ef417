/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reusable ESP cipher and MAC contexts. Each SA keys one EVP_CIPHER_CTX and one EVP_MAC_CTX
 * once; per packet only the IV is set or the MAC is restarted with the stored key, so the
 * datapath neither re-runs the key schedule nor allocates a fresh context per packet.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "lib/crypto.h"
#include "lib/crypto_int.h"

struct cipher_ctx {
	EVP_CIPHER_CTX *cc_ctx;
	struct ossl_cipher cc_cipher;
	size_t cc_block;
	size_t cc_ivlen;
};

struct mac_ctx {
	EVP_MAC_CTX *mc_ctx;
	size_t mc_len;
};

size_t esp_encr_keylen(enum esp_encr_id e, unsigned key_bits)
{
	switch (e) {
	case ESP_ENCR_DES:
		return (key_bits == 0 || key_bits == 64) ? 8 : 0;
	case ESP_ENCR_3DES:
		/* 3DES has no Key Length attribute; 0 means "not sent". */
		return (key_bits == 0 || key_bits == 192) ? 24 : 0;
	case ESP_ENCR_AES_GCM16:
		if (key_bits == 128 || key_bits == 192 || key_bits == 256)
			return key_bits / 8 + ESP_GCM_SALT;
		return 0;
	case ESP_ENCR_AES_CBC:
		if (key_bits == 128 || key_bits == 192 || key_bits == 256)
			return key_bits / 8;
		return 0;
	case ESP_ENCR_NULL:
		return 0;
	}
	return 0;
}

size_t esp_auth_keylen(enum esp_auth_id a)
{
	switch (a) {
	case ESP_AUTH_NONE:
		return 0;
	case ESP_AUTH_HMAC_MD5:
		return 16;
	case ESP_AUTH_HMAC_SHA1:
		return 20;
	case ESP_AUTH_HMAC_SHA256:
		return 32;
	}
	return 0;
}

size_t esp_auth_icvlen(enum esp_auth_id a)
{
	switch (a) {
	case ESP_AUTH_NONE:
		return 0;
	case ESP_AUTH_HMAC_MD5:
	case ESP_AUTH_HMAC_SHA1:
		return 12; /* RFC 2403, RFC 2404 */
	case ESP_AUTH_HMAC_SHA256:
		return 16; /* RFC 4868 */
	}
	return 0;
}

static const char *esp_cipher_name(enum esp_encr_id e, size_t klen)
{
	switch (e) {
	case ESP_ENCR_DES:
		return klen == 8 ? "DES-CBC" : NULL;
	case ESP_ENCR_3DES:
		return klen == 24 ? "DES-EDE3-CBC" : NULL;
	case ESP_ENCR_AES_GCM16:
		switch (klen) {
		case 16:
			return "AES-128-GCM";
		case 24:
			return "AES-192-GCM";
		case 32:
			return "AES-256-GCM";
		}
		return NULL;
	case ESP_ENCR_AES_CBC:
		switch (klen) {
		case 16:
			return "AES-128-CBC";
		case 24:
			return "AES-192-CBC";
		case 32:
			return "AES-256-CBC";
		}
		return NULL;
	case ESP_ENCR_NULL:
		return NULL;
	}
	return NULL;
}

static const char *esp_digest_name(enum esp_auth_id a)
{
	switch (a) {
	case ESP_AUTH_NONE:
		return NULL;
	case ESP_AUTH_HMAC_MD5:
		return "MD5";
	case ESP_AUTH_HMAC_SHA1:
		return "SHA1";
	case ESP_AUTH_HMAC_SHA256:
		return "SHA256";
	}
	return NULL;
}

struct cipher_ctx *cipher_ctx_new(enum esp_encr_id e, const uint8_t *key, size_t klen, bool encrypt)
{
	const char *name = e == ESP_ENCR_AES_GCM16 ? NULL : esp_cipher_name(e, klen);
	struct cipher_ctx *c = NULL;
	EVP_CIPHER *cipher;
	int ok = 0;

	if (!name || !key)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (crypto_ossl_cipher_fetch(name, &c->cc_cipher) != 0)
		goto out;
	cipher = c->cc_cipher.cipher;
	c->cc_ctx = EVP_CIPHER_CTX_new();
	if (!c->cc_ctx)
		goto out;
	if (EVP_CIPHER_get_key_length(cipher) != (int)klen)
		goto out;
	/* The key schedule runs here, once per SA; the IV comes with every packet. */
	if (!EVP_CipherInit_ex2(c->cc_ctx, cipher, key, NULL, encrypt ? 1 : 0, NULL))
		goto out;
	/* ESP builds its own trailer, so OpenSSL must neither add nor strip padding. */
	if (!EVP_CIPHER_CTX_set_padding(c->cc_ctx, 0))
		goto out;
	c->cc_block = (size_t)EVP_CIPHER_get_block_size(cipher);
	c->cc_ivlen = (size_t)EVP_CIPHER_get_iv_length(cipher);
	ok = 1;
out:
	if (!ok) {
		cipher_ctx_free(c);
		return NULL;
	}
	return c;
}

void cipher_ctx_free(struct cipher_ctx *c)
{
	if (!c)
		return;
	/* EVP_CIPHER_CTX_free cleanses the key schedule held by the provider. */
	EVP_CIPHER_CTX_free(c->cc_ctx);
	crypto_ossl_cipher_release(&c->cc_cipher);
	free(c);
}

size_t cipher_ctx_block(const struct cipher_ctx *c)
{
	return c ? c->cc_block : 0;
}

int cipher_ctx_run(struct cipher_ctx *c, const uint8_t *iv, const uint8_t *in, uint8_t *out,
                   size_t len)
{
	int outl = 0;

	if (!c || !iv || (len && (!in || !out)) || len % c->cc_block || len > INT32_MAX)
		return -EINVAL;
	/* NULL cipher and key keep the key schedule; enc -1 keeps the direction. */
	if (!EVP_CipherInit_ex2(c->cc_ctx, NULL, NULL, iv, -1, NULL))
		return -EIO;
	if (len == 0)
		return 0;
	if (!EVP_CipherUpdate(c->cc_ctx, out, &outl, in, (int)len) || (size_t)outl != len)
		return -EIO;
	return 0;
}

struct mac_ctx *mac_ctx_new(enum esp_auth_id a, const uint8_t *key, size_t klen)
{
	const char *digest = esp_digest_name(a);
	struct mac_ctx *m = NULL;
	OSSL_PARAM params[2];
	EVP_MAC *mac = NULL;
	int ok = 0;

	if (!digest || !key || klen == 0)
		return NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		goto out;
	m->mc_ctx = EVP_MAC_CTX_new(mac);
	if (!m->mc_ctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(m->mc_ctx, key, klen, params))
		goto out;
	m->mc_len = EVP_MAC_CTX_get_mac_size(m->mc_ctx);
	ok = m->mc_len > 0 && m->mc_len <= HASH_MAX_LEN;
out:
	EVP_MAC_free(mac);
	if (!ok) {
		mac_ctx_free(m);
		return NULL;
	}
	return m;
}

void mac_ctx_free(struct mac_ctx *m)
{
	if (!m)
		return;
	EVP_MAC_CTX_free(m->mc_ctx);
	free(m);
}

size_t mac_ctx_len(const struct mac_ctx *m)
{
	return m ? m->mc_len : 0;
}

int mac_ctx_run(struct mac_ctx *m, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2,
                uint8_t *out)
{
	size_t outl = 0;

	if (!m || !out || (l1 && !p1) || (l2 && !p2))
		return -EINVAL;
	/* A NULL key restarts HMAC from the stored inner/outer pads: no key setup per packet. */
	if (!EVP_MAC_init(m->mc_ctx, NULL, 0, NULL))
		return -EIO;
	if (l1 && !EVP_MAC_update(m->mc_ctx, p1, l1))
		return -EIO;
	if (l2 && !EVP_MAC_update(m->mc_ctx, p2, l2))
		return -EIO;
	if (!EVP_MAC_final(m->mc_ctx, out, &outl, m->mc_len) || outl != m->mc_len)
		return -EIO;
	return 0;
}

/* ---- AES-GCM (RFC 4106) ---- */

struct aead_ctx {
	EVP_CIPHER_CTX *ac_ctx;
	uint8_t ac_salt[ESP_GCM_SALT];
	bool ac_encrypt;
};

struct aead_ctx *aead_ctx_new(enum esp_encr_id e, const uint8_t *key, size_t klen, bool encrypt)
{
	struct aead_ctx *a = NULL;
	EVP_CIPHER *cipher = NULL;
	OSSL_PARAM p[2];
	size_t ivlen = ESP_GCM_SALT + ESP_GCM_IV;
	const char *name;
	int ok = 0;

	if (e != ESP_ENCR_AES_GCM16 || !key || klen <= ESP_GCM_SALT)
		return NULL;
	name = esp_cipher_name(e, klen - ESP_GCM_SALT);
	if (!name)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->ac_encrypt = encrypt;
	memcpy(a->ac_salt, key + klen - ESP_GCM_SALT, ESP_GCM_SALT);
	cipher = EVP_CIPHER_fetch(NULL, name, NULL);
	a->ac_ctx = EVP_CIPHER_CTX_new();
	if (!cipher || !a->ac_ctx)
		goto out;
	/* 12-byte nonce (salt | IV), the GCM default, set once with the key */
	p[0] = OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &ivlen);
	p[1] = OSSL_PARAM_construct_end();
	if (!EVP_CipherInit_ex2(a->ac_ctx, cipher, key, NULL, encrypt ? 1 : 0, p))
		goto out;
	ok = 1;
out:
	EVP_CIPHER_free(cipher);
	if (!ok) {
		aead_ctx_free(a);
		return NULL;
	}
	return a;
}

void aead_ctx_free(struct aead_ctx *a)
{
	if (!a)
		return;
	EVP_CIPHER_CTX_free(a->ac_ctx);
	OPENSSL_cleanse(a->ac_salt, sizeof(a->ac_salt));
	free(a);
}

/* Sets the nonce and feeds the AAD; the key schedule stays. */
static int aead_begin(struct aead_ctx *a, const uint8_t iv[ESP_GCM_IV], const uint8_t *aad,
                      size_t aadlen)
{
	uint8_t nonce[ESP_GCM_SALT + ESP_GCM_IV];
	int outl = 0;

	memcpy(nonce, a->ac_salt, ESP_GCM_SALT);
	memcpy(nonce + ESP_GCM_SALT, iv, ESP_GCM_IV);
	if (!EVP_CipherInit_ex2(a->ac_ctx, NULL, NULL, nonce, -1, NULL))
		return -EIO;
	if (aadlen && !EVP_CipherUpdate(a->ac_ctx, NULL, &outl, aad, (int)aadlen))
		return -EIO;
	return 0;
}

int aead_ctx_seal(struct aead_ctx *a, const uint8_t iv[ESP_GCM_IV], const uint8_t *aad,
                  size_t aadlen, uint8_t *buf, size_t len, uint8_t icv[ESP_GCM_ICV])
{
	int outl = 0, fin = 0;

	if (!a || !a->ac_encrypt || !iv || !icv || (len && !buf) || (aadlen && !aad) ||
	    len > INT32_MAX || aadlen > INT32_MAX)
		return -EINVAL;
	if (aead_begin(a, iv, aad, aadlen) != 0)
		return -EIO;
	if (len && (!EVP_CipherUpdate(a->ac_ctx, buf, &outl, buf, (int)len) || (size_t)outl != len))
		return -EIO;
	if (!EVP_CipherFinal_ex(a->ac_ctx, buf + outl, &fin) || fin != 0)
		return -EIO;
	if (EVP_CIPHER_CTX_ctrl(a->ac_ctx, EVP_CTRL_AEAD_GET_TAG, ESP_GCM_ICV, icv) <= 0)
		return -EIO;
	return 0;
}

int aead_ctx_open(struct aead_ctx *a, const uint8_t iv[ESP_GCM_IV], const uint8_t *aad,
                  size_t aadlen, uint8_t *buf, size_t len, const uint8_t icv[ESP_GCM_ICV])
{
	uint8_t tag[ESP_GCM_ICV];
	int outl = 0, fin = 0;

	if (!a || a->ac_encrypt || !iv || !icv || (len && !buf) || (aadlen && !aad) ||
	    len > INT32_MAX || aadlen > INT32_MAX)
		return -EINVAL;
	if (aead_begin(a, iv, aad, aadlen) != 0)
		return -EIO;
	if (len && (!EVP_CipherUpdate(a->ac_ctx, buf, &outl, buf, (int)len) || (size_t)outl != len))
		return -EIO;
	memcpy(tag, icv, sizeof(tag));
	if (EVP_CIPHER_CTX_ctrl(a->ac_ctx, EVP_CTRL_AEAD_SET_TAG, ESP_GCM_ICV, tag) <= 0)
		return -EIO;
	/* the final step compares the tag (in constant time inside OpenSSL) */
	if (EVP_CipherFinal_ex(a->ac_ctx, buf + outl, &fin) <= 0)
		return -EBADMSG;
	return 0;
}
