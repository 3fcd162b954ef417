/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The narrow crypto interface. All OpenSSL calls of the project live behind it in
 * crypto_ossl.c, so that key derivations can be tested with known answers and the
 * datapath keeps one context per SA instead of one per packet.
 *
 * Algorithm identifiers are the IKE attribute values (RFC 2409 appendix A) so that no
 * translation table sits between the wire and the crypto.
 */
#ifndef EVC_LIB_CRYPTO_H
#define EVC_LIB_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/secret.h"

/* IKE phase-1 hash attribute values; the prf is HMAC with the same hash. */
enum hash_alg {
	HASH_MD5 = 1,
	HASH_SHA1 = 2,
	HASH_SHA256 = 4,
	HASH_SHA384 = 5,
	HASH_SHA512 = 6,
};

/* IKE phase-1 encryption attribute values. */
enum cipher_alg {
	CIPHER_3DES = 5,
	CIPHER_AES_CBC = 7,
};

#define HASH_MAX_LEN 64 /* bytes, SHA-512 */
#define CIPHER_BLOCK_MAX 16

struct crypto_iov {
	const void *p;
	size_t len;
};

/* 0 for an unsupported hash. */
size_t crypto_hash_len(enum hash_alg h);
const char *crypto_hash_name(enum hash_alg h);
/* Block size, 0 when unsupported. */
size_t crypto_cipher_block(enum cipher_alg e);
const char *crypto_cipher_name(enum cipher_alg e);
/* Whether key_bits is valid for e (3DES: 192 only; AES: 128/192/256). */
bool crypto_cipher_keylen_ok(enum cipher_alg e, unsigned key_bits);

/* out = hash(iov...); out must hold crypto_hash_len(h). Returns 0 or -EINVAL/-EIO. */
int crypto_hash_v(enum hash_alg h, const struct crypto_iov *iov, size_t n, uint8_t *out);
/* out = HMAC-h(key, iov...). */
int crypto_prf_v(enum hash_alg h, const uint8_t *key, size_t klen, const struct crypto_iov *iov,
                 size_t n, uint8_t *out);

/*
 * One-shot CBC without padding (IKE pads itself); len must be a multiple of the block size.
 * in and out may be the same buffer.
 */
int crypto_cbc(enum cipher_alg e, const uint8_t *key, size_t klen, const uint8_t *iv, bool encrypt,
               const uint8_t *in, uint8_t *out, size_t len);

/* Cryptographically secure random bytes. Returns 0 or -EIO. */
int crypto_random(void *p, size_t n);

/* Constant-time comparison: true when equal. */
bool crypto_ct_equal(const void *a, const void *b, size_t n);

/* ---- MODP Diffie-Hellman (groups 2, 5, 14, 15, 16; generator 2) ---- */
struct crypto_dh;

/* Length in bytes of the group's prime (= KE payload length), 0 if unsupported. */
size_t crypto_dh_len(unsigned group);
/* Generates a fresh key pair. NULL for an unsupported group or on failure. */
struct crypto_dh *crypto_dh_new(unsigned group);
void crypto_dh_free(struct crypto_dh *dh);
unsigned crypto_dh_group(const struct crypto_dh *dh);
/* Our public value, left-padded to crypto_dh_len(); out must hold that many bytes. */
int crypto_dh_public(const struct crypto_dh *dh, uint8_t *out, size_t len);
/*
 * g^xy from the peer's public value (which must be exactly crypto_dh_len() bytes and lie in
 * [2, p-2]), left-padded to the prime length. Returns 0, -EINVAL for a bad peer value.
 */
int crypto_dh_derive(struct crypto_dh *dh, const uint8_t *peer, size_t plen, struct secret *gxy);
/*
 * The same range check on a peer's public value without a key pair: a responder runs it
 * before it spends a key generation (or a group lookup) on an unverified first message.
 */
bool crypto_dh_peer_ok(unsigned group, const uint8_t *peer, size_t plen);

/* ---- Reusable contexts for the ESP datapath: keyed once per SA, no allocation per packet ---- */

/* ESP transform IDs (RFC 2407 4.4.4) and IPsec auth algorithm attribute values. */
enum esp_encr_id {
	ESP_ENCR_3DES = 3,
	ESP_ENCR_NULL = 11,
	ESP_ENCR_AES_CBC = 12,
};
enum esp_auth_id {
	ESP_AUTH_HMAC_MD5 = 1,
	ESP_AUTH_HMAC_SHA1 = 2,
	ESP_AUTH_HMAC_SHA256 = 5,
};

struct cipher_ctx;
/* key is copied into the OpenSSL context; the caller wipes its own copy. */
struct cipher_ctx *cipher_ctx_new(enum esp_encr_id e, const uint8_t *key, size_t klen,
                                  bool encrypt);
void cipher_ctx_free(struct cipher_ctx *c);
size_t cipher_ctx_block(const struct cipher_ctx *c);
/* CBC over len bytes (a multiple of the block size) with a fresh IV; in may equal out. */
int cipher_ctx_run(struct cipher_ctx *c, const uint8_t *iv, const uint8_t *in, uint8_t *out,
                   size_t len);

struct mac_ctx;
struct mac_ctx *mac_ctx_new(enum esp_auth_id a, const uint8_t *key, size_t klen);
void mac_ctx_free(struct mac_ctx *m);
/* Full (untruncated) MAC length. */
size_t mac_ctx_len(const struct mac_ctx *m);
/* out = HMAC(key, p1[0..l1) | p2[0..l2)); out holds mac_ctx_len(). p2 may be NULL. */
int mac_ctx_run(struct mac_ctx *m, const uint8_t *p1, size_t l1, const uint8_t *p2, size_t l2,
                uint8_t *out);

/* ESP key sizes in bytes for KEYMAT (0 for unsupported ids / NULL cipher). */
size_t esp_encr_keylen(enum esp_encr_id e, unsigned key_bits);
size_t esp_auth_keylen(enum esp_auth_id a);
/* Truncated ICV length (12, 12, 16). */
size_t esp_auth_icvlen(enum esp_auth_id a);

#endif
