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

/* IKE phase-1 encryption attribute values. Single DES is broken (56-bit keys) and OpenSSL 3
 * keeps it in its legacy provider, which is loaded the first time DES is used. */
enum cipher_alg {
	CIPHER_DES = 1,
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
/* Whether key_bits is valid for e (DES: 64 only, 3DES: 192 only; AES: 128/192/256). */
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

/* Frees the calling thread's OpenSSL state (its random generators) before the thread ends,
 * so that none is left behind when the process exits while the thread is finishing. */
void crypto_thread_end(void);

/*
 * ---- Diffie-Hellman: MODP groups 1, 2, 5, 14, 15, 16 (generator 2) and the ECP groups 19
 * (P-256) and 20 (P-384) of RFC 5903 ----
 * For an ECP group the public value is x | y of the point, each as long as the field, and the
 * shared secret is the x coordinate of the product alone (RFC 5903 7, as strongSwan does).
 */
struct crypto_dh;

/* Length in bytes of the KE payload (MODP: the prime; ECP: twice the field), 0 if
 * unsupported. */
size_t crypto_dh_len(unsigned group);
/* "modp1024", "ecp256", ...; "unsupported group" otherwise. */
const char *crypto_dh_name(unsigned group);
/* Generates a fresh key pair. NULL for an unsupported group or on failure. */
struct crypto_dh *crypto_dh_new(unsigned group);
void crypto_dh_free(struct crypto_dh *dh);
unsigned crypto_dh_group(const struct crypto_dh *dh);
/* Our public value, left-padded to crypto_dh_len() (ECP: x | y); out must hold that many
 * bytes. */
int crypto_dh_public(const struct crypto_dh *dh, uint8_t *out, size_t len);
/*
 * g^xy from the peer's public value (which must be exactly crypto_dh_len() bytes and lie in
 * [2, p-2], or for ECP be a point on the curve), left-padded to the prime length (ECP: the x
 * coordinate, the field length). Returns 0, -EINVAL for a bad peer value.
 */
int crypto_dh_derive(struct crypto_dh *dh, const uint8_t *peer, size_t plen, struct secret *gxy);
/*
 * The same range check on a peer's public value without a key pair: a responder runs it
 * before it spends a key generation (or a group lookup) on an unverified first message.
 */
bool crypto_dh_peer_ok(unsigned group, const uint8_t *peer, size_t plen);

/* ---- Reusable contexts for the ESP datapath: keyed once per SA, no allocation per packet ---- */

/* ESP transform IDs (RFC 2407 4.4.4, RFC 4106 for GCM) and IPsec auth algorithm attribute
 * values. AES-GCM-16 is an AEAD with its own 16-byte ICV: it goes with ESP_AUTH_NONE. */
enum esp_encr_id {
	ESP_ENCR_DES = 2,
	ESP_ENCR_3DES = 3,
	ESP_ENCR_NULL = 11,
	ESP_ENCR_AES_CBC = 12,
	ESP_ENCR_AES_GCM16 = 20,
};
enum esp_auth_id {
	ESP_AUTH_NONE = 0,
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

/*
 * AES-GCM for ESP (RFC 4106): the key is followed by a 4-byte salt, the nonce is salt | the
 * 8-byte IV of the packet, the ICV is 16 bytes. Keyed once per SA like the others.
 */
#define ESP_GCM_SALT 4
#define ESP_GCM_IV 8
#define ESP_GCM_ICV 16
struct aead_ctx;
/* key is the KEYMAT slice: AES key then salt (klen 20, 28 or 36). */
struct aead_ctx *aead_ctx_new(enum esp_encr_id e, const uint8_t *key, size_t klen, bool encrypt);
void aead_ctx_free(struct aead_ctx *a);
/* Encrypts buf[0..len) in place and writes the ICV; aad is authenticated only. */
int aead_ctx_seal(struct aead_ctx *a, const uint8_t iv[ESP_GCM_IV], const uint8_t *aad,
                  size_t aadlen, uint8_t *buf, size_t len, uint8_t icv[ESP_GCM_ICV]);
/* Checks the ICV and decrypts in place: 0, -EBADMSG when it does not verify (buf is then
 * garbage), -EIO/-EINVAL on other errors. */
int aead_ctx_open(struct aead_ctx *a, const uint8_t iv[ESP_GCM_IV], const uint8_t *aad,
                  size_t aadlen, uint8_t *buf, size_t len, const uint8_t icv[ESP_GCM_ICV]);

/* ESP key sizes in bytes for KEYMAT (0 for unsupported ids / NULL cipher; GCM: key + salt). */
size_t esp_encr_keylen(enum esp_encr_id e, unsigned key_bits);
size_t esp_auth_keylen(enum esp_auth_id a);
/* Truncated ICV length (12, 12, 16; 0 for ESP_AUTH_NONE). */
size_t esp_auth_icvlen(enum esp_auth_id a);

#endif
