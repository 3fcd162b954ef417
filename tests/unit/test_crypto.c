/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Known answers for the crypto back-end: digests (FIPS 180 / RFC 1321 "abc"), HMAC (RFC 2202,
 * RFC 4231), AES-CBC (RFC 3602), 3DES-CBC (cross-checked with `openssl enc`), MODP DH
 * agreement and peer-value validation, and the reusable ESP contexts against the one-shot
 * functions and against the recorded ESP packets in tests/vectors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "lib/crypto.h"
#include "vectors.h"

/* Decodes a hex literal into out; the test fails on bad hex or overflow. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	uint8_t *p = NULL;
	long n = vec_unhex(hex, &p);

	assert_true(n >= 0);
	assert_true((size_t)n <= cap);
	memcpy(out, p, (size_t)n);
	free(p);
	return (size_t)n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t want[512];
	size_t n = unhex(hex, want, sizeof(want));

	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
}

/* ---- hashes ---- */

static void test_hash_abc(void **state)
{
	static const struct {
		enum hash_alg h;
		const char *md;
	} kat[] = {
	    {HASH_MD5, "900150983cd24fb0d6963f7d28e17f72"},
	    {HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
	    {HASH_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {HASH_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
	                  "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"},
	    {HASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	                  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
	};
	/* Split over three iovs (one empty) to exercise the gather path. */
	struct crypto_iov iov[3] = {{"a", 1}, {"", 0}, {"bc", 2}};
	uint8_t out[HASH_MAX_LEN];

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		memset(out, 0, sizeof(out));
		assert_int_equal(crypto_hash_v(kat[i].h, iov, 3, out), 0);
		assert_hex(out, crypto_hash_len(kat[i].h), kat[i].md);
	}
	assert_int_equal(crypto_hash_len((enum hash_alg)3), 0); /* Tiger: not supported */
	assert_int_equal(crypto_hash_v((enum hash_alg)3, iov, 3, out), -EINVAL);
}

/* ---- HMAC ---- */

struct hmac_kat {
	enum hash_alg h;
	uint8_t key_byte;
	size_t key_len;
	const char *key_str;
	const char *data;
	const char *mac;
};

static void test_hmac_rfc2202_4231(void **state)
{
	static const char big[] = "Test Using Larger Than Block-Size Key - Hash Key First";
	static const struct hmac_kat kat[] = {
	    /* RFC 2202 test cases 1, 2, 6 for HMAC-MD5 and HMAC-SHA1 */
	    {HASH_MD5, 0x0b, 16, NULL, "Hi There", "9294727a3638bb1c13f48ef8158bfc9d"},
	    {HASH_MD5, 0, 0, "Jefe", "what do ya want for nothing?",
	     "750c783e6ab0b503eaa86e310a5db738"},
	    {HASH_MD5, 0xaa, 80, NULL, big, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd"},
	    {HASH_SHA1, 0x0b, 20, NULL, "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
	    {HASH_SHA1, 0, 0, "Jefe", "what do ya want for nothing?",
	     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
	    {HASH_SHA1, 0xaa, 80, NULL, big, "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
	    /* RFC 4231 test cases 1, 2, 6 for HMAC-SHA-256, 2 for SHA-384/512 */
	    {HASH_SHA256, 0x0b, 20, NULL, "Hi There",
	     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	    {HASH_SHA256, 0, 0, "Jefe", "what do ya want for nothing?",
	     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	    {HASH_SHA256, 0xaa, 131, NULL, big,
	     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	    {HASH_SHA384, 0, 0, "Jefe", "what do ya want for nothing?",
	     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47"
	     "e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649"},
	    {HASH_SHA512, 0, 0, "Jefe", "what do ya want for nothing?",
	     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	     "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	};
	uint8_t key[160], out[HASH_MAX_LEN];

	for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		size_t klen = kat[i].key_str ? strlen(kat[i].key_str) : kat[i].key_len;
		size_t dlen = strlen(kat[i].data);
		/* Data split in two iovs at an odd offset. */
		struct crypto_iov iov[2] = {{kat[i].data, 3}, {kat[i].data + 3, dlen - 3}};

		if (kat[i].key_str)
			memcpy(key, kat[i].key_str, klen);
		else
			memset(key, kat[i].key_byte, klen);
		memset(out, 0, sizeof(out));
		assert_int_equal(crypto_prf_v(kat[i].h, key, klen, iov, 2, out), 0);
		assert_hex(out, crypto_hash_len(kat[i].h), kat[i].mac);
	}
}

/* ---- CBC ---- */

static void check_cbc(enum cipher_alg e, const char *key_hex, const char *iv_hex, const uint8_t *pt,
                      size_t len, const char *ct_hex)
{
	uint8_t key[32], iv[16], ct[128], buf[128];
	size_t klen = unhex(key_hex, key, sizeof(key));

	unhex(iv_hex, iv, sizeof(iv));
	assert_int_equal(unhex(ct_hex, ct, sizeof(ct)), len);
	assert_int_equal(crypto_cbc(e, key, klen, iv, true, pt, buf, len), 0);
	assert_memory_equal(buf, ct, len);
	/* In place, backwards. */
	assert_int_equal(crypto_cbc(e, key, klen, iv, false, buf, buf, len), 0);
	assert_memory_equal(buf, pt, len);
}

static void test_aes_cbc_rfc3602(void **state)
{
	uint8_t pt2[32], pt4[64];

	for (size_t i = 0; i < sizeof(pt2); i++)
		pt2[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(pt4); i++)
		pt4[i] = (uint8_t)(0xa0 + i);
	check_cbc(CIPHER_AES_CBC, "06a9214036b8a15b512e03d534120006",
	          "3dafba429d9eb430b422da802c9fac41", (const uint8_t *)"Single block msg", 16,
	          "e353779c1079aeb82708942dbe77181a");
	check_cbc(CIPHER_AES_CBC, "c286696d887c9aa0611bbb3e2025a45a",
	          "562e17996d093d28ddb3ba695a2e6f58", pt2, sizeof(pt2),
	          "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1");
	check_cbc(CIPHER_AES_CBC, "6c3ea0477630ce21a2ce334aa746c2cd",
	          "c782dc4c098c66cbd9cd27d825682c81",
	          (const uint8_t *)"This is a 48-byte message (exactly 3 AES blocks)", 48,
	          "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	          "021c19216bad525c8579695d83ba2684");
	check_cbc(CIPHER_AES_CBC, "56e47a38c5598974bc46903dba290349",
	          "8ce82eefbea0da3c44699ed7db51b7d9", pt4, sizeof(pt4),
	          "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	          "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55");
}

static void test_3des_cbc(void **state)
{
	uint8_t pt[32];

	/* SP 800-38A plaintext, SP 800-67-style 3-key bundle; ciphertext from `openssl enc`. */
	unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51", pt, sizeof(pt));
	check_cbc(CIPHER_3DES, "0123456789abcdef23456789abcdef01456789abcdef0123",
	          "f69f2445df4f9b17", pt, sizeof(pt),
	          "2079c3d53aa763e193b79e2569ab5262516570481f25b50f73c0bda85c8e0da7");
}

/* FIPS 81 appendix C (CBC): single DES, which OpenSSL 3 has only in its legacy provider. */
static void test_des_cbc(void **state)
{
	check_cbc(CIPHER_DES, "0123456789abcdef", "1234567890abcdef",
	          (const uint8_t *)"Now is the time for all ", 24,
	          "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
	assert_int_equal(crypto_cipher_block(CIPHER_DES), 8);
	assert_true(crypto_cipher_keylen_ok(CIPHER_DES, 64));
	assert_false(crypto_cipher_keylen_ok(CIPHER_DES, 192));
	assert_string_equal(crypto_cipher_name(CIPHER_DES), "DES-CBC");
}

static void test_cbc_rejects(void **state)
{
	uint8_t key[32] = {0}, iv[16] = {0}, buf[32] = {0};

	/* Not a block multiple: IKE pads itself, so this is a caller bug, not padding work. */
	assert_int_equal(crypto_cbc(CIPHER_AES_CBC, key, 16, iv, true, buf, buf, 17), -EINVAL);
	assert_int_equal(crypto_cbc(CIPHER_3DES, key, 24, iv, true, buf, buf, 12), -EINVAL);
	/* Wrong key sizes, and single DES (not supported). */
	assert_int_equal(crypto_cbc(CIPHER_AES_CBC, key, 20, iv, true, buf, buf, 16), -EINVAL);
	assert_int_equal(crypto_cbc(CIPHER_3DES, key, 16, iv, true, buf, buf, 16), -EINVAL);
	assert_int_equal(crypto_cbc(CIPHER_DES, key, 16, iv, true, buf, buf, 16), -EINVAL);
	assert_int_equal(crypto_cbc((enum cipher_alg)2, key, 8, iv, true, buf, buf, 16), -EINVAL);
	assert_int_equal(crypto_cipher_block(CIPHER_3DES), 8);
	assert_int_equal(crypto_cipher_block(CIPHER_AES_CBC), 16);
	assert_true(crypto_cipher_keylen_ok(CIPHER_3DES, 192));
	assert_false(crypto_cipher_keylen_ok(CIPHER_3DES, 128));
	assert_true(crypto_cipher_keylen_ok(CIPHER_AES_CBC, 192));
	assert_false(crypto_cipher_keylen_ok(CIPHER_AES_CBC, 512));
}

/* ---- random, ct_equal ---- */

static void test_random_and_ct_equal(void **state)
{
	uint8_t a[64] = {0}, b[64] = {0}, zero[64] = {0};

	assert_int_equal(crypto_random(a, sizeof(a)), 0);
	assert_int_equal(crypto_random(b, sizeof(b)), 0);
	/* 2^-512 chance of a false failure. */
	assert_false(crypto_ct_equal(a, zero, sizeof(a)));
	assert_false(crypto_ct_equal(a, b, sizeof(a)));
	memcpy(b, a, sizeof(a));
	assert_true(crypto_ct_equal(a, b, sizeof(a)));
	b[63] ^= 1;
	assert_false(crypto_ct_equal(a, b, sizeof(a)));
	assert_true(crypto_ct_equal(a, b, 63));
}

/* ---- secrets ---- */

static void test_secret(void **state)
{
	struct secret s = {NULL, 0};
	uint8_t self[4];

	assert_int_equal(secret_alloc(&s, 8), 0);
	assert_non_null(s.p);
	assert_int_equal(s.len, 8);
	for (size_t i = 0; i < s.len; i++)
		assert_int_equal(s.p[i], 0);
	assert_int_equal(secret_set(&s, "groupsecret", 11), 0);
	assert_int_equal(s.len, 11);
	assert_memory_equal(s.p, "groupsecret", 11);
	/* Setting from its own bytes must copy before the old buffer is wiped. */
	assert_int_equal(secret_set(&s, s.p + 5, 6), 0);
	assert_int_equal(s.len, 6);
	assert_memory_equal(s.p, "secret", 6);
	secret_clear(&s);
	assert_null(s.p);
	assert_int_equal(s.len, 0);
	secret_clear(&s); /* clearing twice is fine */
	memcpy(self, "abcd", 4);
	mem_wipe(self, sizeof(self));
	assert_memory_equal(self, "\0\0\0\0", 4);
}

/* ---- Diffie-Hellman ---- */

static void test_dh_agreement(void **state)
{
	static const unsigned groups[] = {1, 2, 5, 14, 15, 16};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned g = groups[i];
		size_t len = crypto_dh_len(g);
		struct crypto_dh *a = crypto_dh_new(g), *b = crypto_dh_new(g);
		struct secret sa = {NULL, 0}, sb = {NULL, 0};
		uint8_t pa[512], pb[512];

		assert_int_equal(len, g == 1    ? 96
		                      : g == 2  ? 128
		                      : g == 5  ? 192
		                      : g == 14 ? 256
		                      : g == 15 ? 384
		                                : 512);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(crypto_dh_group(a), g);
		assert_int_equal(crypto_dh_public(a, pa, len), 0);
		assert_int_equal(crypto_dh_public(b, pb, len), 0);
		assert_int_equal(crypto_dh_public(a, pa, len - 1), -EINVAL);
		assert_memory_not_equal(pa, pb, len);
		assert_int_equal(crypto_dh_derive(a, pb, len, &sa), 0);
		assert_int_equal(crypto_dh_derive(b, pa, len, &sb), 0);
		assert_int_equal(sa.len, len);
		assert_int_equal(sb.len, len);
		assert_memory_equal(sa.p, sb.p, len);
		secret_clear(&sa);
		secret_clear(&sb);
		crypto_dh_free(a);
		crypto_dh_free(b);
	}
	assert_null(crypto_dh_new(3));
	assert_null(crypto_dh_new(24));
	assert_int_equal(crypto_dh_len(3), 0);
	assert_int_equal(crypto_dh_len(21), 0);
	crypto_dh_free(NULL);
}

/*
 * ECP groups 19 and 20 (RFC 5903): the KE payload is x | y of the public point, each the
 * field size, and the shared secret is the x coordinate alone.
 */
static void test_ecp_agreement(void **state)
{
	static const struct {
		unsigned group;
		size_t ke, secret;
		const char *name;
	} groups[] = {{19, 64, 32, "ecp256"}, {20, 96, 48, "ecp384"}};

	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		unsigned g = groups[i].group;
		size_t len = groups[i].ke;
		struct crypto_dh *a = crypto_dh_new(g), *b = crypto_dh_new(g);
		struct secret sa = {NULL, 0}, sb = {NULL, 0};
		uint8_t pa[96], pb[96], bad[96], keep[48];

		assert_int_equal(crypto_dh_len(g), len);
		assert_string_equal(crypto_dh_name(g), groups[i].name);
		assert_non_null(a);
		assert_non_null(b);
		assert_int_equal(crypto_dh_public(a, pa, len), 0);
		assert_int_equal(crypto_dh_public(b, pb, len), 0);
		assert_true(crypto_dh_peer_ok(g, pa, len));
		assert_int_equal(crypto_dh_derive(a, pb, len, &sa), 0);
		assert_int_equal(crypto_dh_derive(b, pa, len, &sb), 0);
		assert_int_equal(sa.len, groups[i].secret);
		assert_memory_equal(sa.p, sb.p, sa.len);
		/* the secret is our x coordinate multiplied: not a copy of either public value */
		assert_memory_not_equal(sa.p, pa, sa.len);
		memcpy(keep, sa.p, sa.len);

		/* a point off the curve, the point at infinity (all zero) and wrong sizes are
		 * refused, and the earlier secret stays */
		memcpy(bad, pb, len);
		bad[len - 1] ^= 1;
		assert_false(crypto_dh_peer_ok(g, bad, len));
		assert_int_equal(crypto_dh_derive(a, bad, len, &sa), -EINVAL);
		memset(bad, 0, len);
		assert_false(crypto_dh_peer_ok(g, bad, len));
		assert_int_equal(crypto_dh_derive(a, bad, len, &sa), -EINVAL);
		assert_false(crypto_dh_peer_ok(g, pb, len - 1));
		assert_int_equal(crypto_dh_derive(a, pb, len - 1, &sa), -EINVAL);
		assert_memory_equal(sa.p, keep, sa.len);

		secret_clear(&sa);
		secret_clear(&sb);
		crypto_dh_free(a);
		crypto_dh_free(b);
	}
	assert_string_equal(crypto_dh_name(2), "modp1024");
	assert_string_equal(crypto_dh_name(14), "modp2048");
	assert_string_equal(crypto_dh_name(1), "modp768");
}

/* A secret with leading zero bytes must still come out full length: many trials at 1024. */
static void test_dh_full_length(void **state)
{
	struct crypto_dh *a = crypto_dh_new(2);
	uint8_t pb[128];
	int leading_zero = 0;

	assert_non_null(a);
	for (int i = 0; i < 600; i++) {
		struct crypto_dh *b = crypto_dh_new(2);
		struct secret s = {NULL, 0};

		assert_non_null(b);
		assert_int_equal(crypto_dh_public(b, pb, sizeof(pb)), 0);
		assert_int_equal(crypto_dh_derive(a, pb, sizeof(pb), &s), 0);
		assert_int_equal(s.len, 128);
		leading_zero += s.p[0] == 0;
		secret_clear(&s);
		crypto_dh_free(b);
	}
	/* About 2.3 expected; the point is that s.len stayed 128 every time. */
	print_message("secrets with a leading zero byte: %d of 600\n", leading_zero);
	crypto_dh_free(a);
}

/* p as big-endian bytes of len, from OpenSSL's copy of the RFC 2409/3526 primes. */
static void prime_bytes(unsigned group, uint8_t *out, size_t len)
{
	BIGNUM *p = group == 2 ? BN_get_rfc2409_prime_1024(NULL) : BN_get_rfc3526_prime_2048(NULL);

	assert_non_null(p);
	assert_int_equal(BN_bn2binpad(p, out, (int)len), (int)len);
	BN_free(p);
}

static void dec_be(uint8_t *v, size_t len)
{
	for (size_t i = len; i-- > 0;)
		if (v[i]-- != 0)
			break;
}

static void check_dh_scenario(const char *scenario, unsigned group)
{
	struct vec_set *v = vec_load(scenario);
	struct vec_bytes gxi = vec_hex(v, "g_xi"), gxr = vec_hex(v, "g_xr");
	size_t len = crypto_dh_len(group);
	struct crypto_dh *dh = crypto_dh_new(group);
	struct secret s = {NULL, 0};
	uint8_t y[512 + 1];

	assert_int_equal(vec_num(v, "ike.dh_group"), group);
	assert_non_null(dh);
	assert_int_equal(gxi.len, len);
	assert_int_equal(gxr.len, len);
	/* Real peers' values are accepted. */
	assert_int_equal(crypto_dh_derive(dh, gxi.p, gxi.len, &s), 0);
	assert_int_equal(s.len, len);
	assert_int_equal(crypto_dh_derive(dh, gxr.p, gxr.len, &s), 0);
	assert_int_equal(s.len, len);
	/* The generator itself is a legal (if silly) public value. */
	memset(y, 0, len);
	y[len - 1] = 2;
	assert_int_equal(crypto_dh_derive(dh, y, len, &s), 0);

	/* 0, 1, p-1, p, and p+1-ish values are rejected; the old secret stays untouched. */
	uint8_t keep[512];
	memcpy(keep, s.p, len);
	memset(y, 0, len);
	assert_int_equal(crypto_dh_derive(dh, y, len, &s), -EINVAL);
	y[len - 1] = 1;
	assert_int_equal(crypto_dh_derive(dh, y, len, &s), -EINVAL);
	prime_bytes(group, y, len);
	assert_int_equal(crypto_dh_derive(dh, y, len, &s), -EINVAL); /* p */
	dec_be(y, len);
	assert_int_equal(crypto_dh_derive(dh, y, len, &s), -EINVAL); /* p-1 */
	memset(y, 0xff, len);
	assert_int_equal(crypto_dh_derive(dh, y, len, &s), -EINVAL); /* > p */
	/* Wrong lengths, even when the number itself would be fine. */
	assert_int_equal(crypto_dh_derive(dh, gxr.p, len - 1, &s), -EINVAL);
	y[0] = 0;
	memcpy(y + 1, gxr.p, len);
	assert_int_equal(crypto_dh_derive(dh, y, len + 1, &s), -EINVAL);
	assert_int_equal(crypto_dh_derive(dh, gxr.p + 1, len - 1, &s), -EINVAL);
	assert_int_equal(s.len, len);
	assert_memory_equal(s.p, keep, len);

	secret_clear(&s);
	crypto_dh_free(dh);
	vec_free(v);
}

static void test_dh_vectors_and_rejects(void **state)
{
	check_dh_scenario(VEC_S1, 2);
	check_dh_scenario(VEC_S2, 14);
}

/* ---- ESP contexts ---- */

/*
 * AES-GCM as ESP uses it (RFC 4106): test cases 3 and 4 of the GCM specification (McGrew and
 * Viega), with the first 4 bytes of their 96-bit IV as the salt at the end of the key and the
 * other 8 as the packet's IV.
 */
static void test_aead_gcm(void **state)
{
	uint8_t key[20], iv[8], pt[64], ct[64], buf[64], aad[20], icv[16], want_icv[16];
	size_t klen = unhex("feffe9928665731c6d6a8f9467308308cafebabe", key, sizeof(key));
	size_t aadlen = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, sizeof(aad));
	unhex("facedbaddecaf888", iv, sizeof(iv));
	unhex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
	      "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
	      pt, sizeof(pt));
	unhex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
	      "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
	      ct, sizeof(ct));
	struct aead_ctx *enc = aead_ctx_new(ESP_ENCR_AES_GCM16, key, klen, true);
	struct aead_ctx *dec = aead_ctx_new(ESP_ENCR_AES_GCM16, key, klen, false);
	assert_non_null(enc);
	assert_non_null(dec);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_AES_GCM16, 128), 20);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_AES_GCM16, 256), 36);
	assert_int_equal(esp_auth_icvlen(ESP_AUTH_NONE), 0);

	/* case 3: no AAD; twice on the same context, as the datapath does per packet */
	for (int round = 0; round < 2; round++) {
		memcpy(buf, pt, 64);
		assert_int_equal(aead_ctx_seal(enc, iv, NULL, 0, buf, 64, icv), 0);
		assert_memory_equal(buf, ct, 64);
		assert_hex(icv, 16, "4d5c2af327cd64a62cf35abd2ba6fab4");
		assert_int_equal(aead_ctx_open(dec, iv, NULL, 0, buf, 64, icv), 0);
		assert_memory_equal(buf, pt, 64);
	}
	/* case 4: 20 bytes of AAD, 60 of plaintext */
	memcpy(buf, pt, 60);
	assert_int_equal(aead_ctx_seal(enc, iv, aad, aadlen, buf, 60, icv), 0);
	assert_memory_equal(buf, ct, 60);
	unhex("5bc94fbc3221a5db94fae95ae7121a47", want_icv, sizeof(want_icv));
	assert_memory_equal(icv, want_icv, 16);
	/* a flipped bit in the ciphertext, the AAD or the ICV does not open */
	buf[5] ^= 1;
	assert_int_equal(aead_ctx_open(dec, iv, aad, aadlen, buf, 60, icv), -EBADMSG);
	memcpy(buf, ct, 60);
	aad[0] ^= 1;
	assert_int_equal(aead_ctx_open(dec, iv, aad, aadlen, buf, 60, icv), -EBADMSG);
	aad[0] ^= 1;
	memcpy(buf, ct, 60);
	icv[15] ^= 1;
	assert_int_equal(aead_ctx_open(dec, iv, aad, aadlen, buf, 60, icv), -EBADMSG);
	icv[15] ^= 1;
	memcpy(buf, ct, 60);
	assert_int_equal(aead_ctx_open(dec, iv, aad, aadlen, buf, 60, icv), 0);
	assert_memory_equal(buf, pt, 60);
	/* the wrong direction and bad key sizes are refused */
	assert_int_equal(aead_ctx_open(enc, iv, NULL, 0, buf, 16, icv), -EINVAL);
	assert_null(aead_ctx_new(ESP_ENCR_AES_GCM16, key, 16, true));
	assert_null(aead_ctx_new(ESP_ENCR_AES_CBC, key, klen, true));
	assert_null(cipher_ctx_new(ESP_ENCR_AES_GCM16, key, 16, true));
	aead_ctx_free(enc);
	aead_ctx_free(dec);
}

/* Single DES in ESP: the per-SA context agrees with the one-shot CBC of FIPS 81. */
static void test_esp_des_ctx(void **state)
{
	uint8_t key[8], iv[8], buf[24];
	unhex("0123456789abcdef", key, sizeof(key));
	unhex("1234567890abcdef", iv, sizeof(iv));
	memcpy(buf, "Now is the time for all ", 24);
	struct cipher_ctx *c = cipher_ctx_new(ESP_ENCR_DES, key, 8, true);
	assert_non_null(c);
	assert_int_equal(cipher_ctx_block(c), 8);
	assert_int_equal(cipher_ctx_run(c, iv, buf, buf, 24), 0);
	assert_hex(buf, 24, "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6");
	cipher_ctx_free(c);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_DES, 0), 8);
}

static void test_esp_sizes(void **state)
{
	assert_int_equal(esp_encr_keylen(ESP_ENCR_3DES, 0), 24);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_3DES, 192), 24);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_AES_CBC, 128), 16);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_AES_CBC, 192), 24);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_AES_CBC, 256), 32);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_AES_CBC, 0), 0);
	assert_int_equal(esp_encr_keylen(ESP_ENCR_NULL, 0), 0);
	assert_int_equal(esp_auth_keylen(ESP_AUTH_HMAC_MD5), 16);
	assert_int_equal(esp_auth_keylen(ESP_AUTH_HMAC_SHA1), 20);
	assert_int_equal(esp_auth_keylen(ESP_AUTH_HMAC_SHA256), 32);
	assert_int_equal(esp_auth_icvlen(ESP_AUTH_HMAC_MD5), 12);
	assert_int_equal(esp_auth_icvlen(ESP_AUTH_HMAC_SHA1), 12);
	assert_int_equal(esp_auth_icvlen(ESP_AUTH_HMAC_SHA256), 16);
	assert_int_equal(esp_auth_keylen((enum esp_auth_id)3), 0);
}

static void test_mac_ctx_reuse(void **state)
{
	static const struct {
		enum esp_auth_id a;
		enum hash_alg h;
	} algs[] = {{ESP_AUTH_HMAC_MD5, HASH_MD5},
	            {ESP_AUTH_HMAC_SHA1, HASH_SHA1},
	            {ESP_AUTH_HMAC_SHA256, HASH_SHA256}};
	uint8_t key[32], pkt[1500], out[HASH_MAX_LEN], ref[HASH_MAX_LEN];

	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t klen = esp_auth_keylen(algs[i].a);
		struct mac_ctx *m = mac_ctx_new(algs[i].a, key, klen);

		assert_non_null(m);
		assert_int_equal(mac_ctx_len(m), crypto_hash_len(algs[i].h));
		for (unsigned n = 0; n < 200; n++) {
			size_t len = (n * 37u) % sizeof(pkt), split = len ? n % len : 0;
			struct crypto_iov iov = {pkt, len};

			assert_int_equal(crypto_random(pkt, len), 0);
			assert_int_equal(crypto_prf_v(algs[i].h, key, klen, &iov, 1, ref), 0);
			memset(out, 0, sizeof(out));
			/* Alternate between one piece and header | rest. */
			if (n % 2)
				assert_int_equal(mac_ctx_run(m, pkt, len, NULL, 0, out), 0);
			else
				assert_int_equal(
				    mac_ctx_run(m, pkt, split, pkt + split, len - split, out), 0);
			assert_memory_equal(out, ref, mac_ctx_len(m));
		}
		mac_ctx_free(m);
	}
	assert_null(mac_ctx_new((enum esp_auth_id)3, key, 20));
	mac_ctx_free(NULL);
}

static void test_cipher_ctx_reuse(void **state)
{
	static const struct {
		enum esp_encr_id esp;
		enum cipher_alg ike;
		unsigned bits;
	} algs[] = {{ESP_ENCR_3DES, CIPHER_3DES, 192},
	            {ESP_ENCR_AES_CBC, CIPHER_AES_CBC, 128},
	            {ESP_ENCR_AES_CBC, CIPHER_AES_CBC, 192},
	            {ESP_ENCR_AES_CBC, CIPHER_AES_CBC, 256}};
	uint8_t key[32], iv[16], pt[1504], ct[1504], ref[1504];

	assert_int_equal(crypto_random(key, sizeof(key)), 0);
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		size_t klen = esp_encr_keylen(algs[i].esp, algs[i].bits);
		size_t bs = crypto_cipher_block(algs[i].ike);
		struct cipher_ctx *enc = cipher_ctx_new(algs[i].esp, key, klen, true);
		struct cipher_ctx *dec = cipher_ctx_new(algs[i].esp, key, klen, false);

		assert_non_null(enc);
		assert_non_null(dec);
		assert_int_equal(cipher_ctx_block(enc), bs);
		for (unsigned n = 0; n < 100; n++) {
			size_t len = ((n * 53u) % (sizeof(pt) / bs)) * bs;

			assert_int_equal(crypto_random(iv, bs), 0);
			assert_int_equal(crypto_random(pt, len), 0);
			assert_int_equal(crypto_cbc(algs[i].ike, key, klen, iv, true, pt, ref, len),
			                 0);
			assert_int_equal(cipher_ctx_run(enc, iv, pt, ct, len), 0);
			assert_memory_equal(ct, ref, len);
			/* Decrypt in place, as the datapath does. */
			assert_int_equal(cipher_ctx_run(dec, iv, ct, ct, len), 0);
			assert_memory_equal(ct, pt, len);
		}
		assert_int_equal(cipher_ctx_run(enc, iv, pt, ct, bs + 1), -EINVAL);
		cipher_ctx_free(enc);
		cipher_ctx_free(dec);
	}
	/* A key of the wrong size for the cipher is refused. */
	assert_null(cipher_ctx_new(ESP_ENCR_AES_CBC, key, 20, true));
	assert_null(cipher_ctx_new(ESP_ENCR_3DES, key, 16, true));
	cipher_ctx_free(NULL);
}

static enum esp_auth_id auth_from_name(const char *s)
{
	if (strncmp(s, "hmac-sha1", 9) == 0)
		return ESP_AUTH_HMAC_SHA1;
	if (strncmp(s, "hmac-sha256", 11) == 0)
		return ESP_AUTH_HMAC_SHA256;
	if (strncmp(s, "hmac-md5", 8) == 0)
		return ESP_AUTH_HMAC_MD5;
	fail_msg("unknown integrity algorithm %s", s);
	return 0;
}

struct esp_dir {
	struct cipher_ctx *dec;
	struct mac_ctx *mac;
	uint32_t spi;
	size_t icv;
};

static void esp_dir_open(struct vec_set *v, const char *dir, struct esp_dir *d)
{
	char name[64];
	struct vec_bytes ek, ik, spi;
	enum esp_auth_id a;

	snprintf(name, sizeof(name), "esp.%s.integ", dir);
	a = auth_from_name(vec_str(v, name));
	snprintf(name, sizeof(name), "esp.%s.encr_key", dir);
	ek = vec_hex(v, name);
	snprintf(name, sizeof(name), "esp.%s.integ_key", dir);
	ik = vec_hex(v, name);
	snprintf(name, sizeof(name), "esp.%s.spi", dir);
	spi = vec_hex(v, name);
	assert_int_equal(spi.len, 4);
	assert_string_equal(vec_str(v, "esp.encr"), "aes-cbc");
	assert_int_equal(ek.len, esp_encr_keylen(ESP_ENCR_AES_CBC, (unsigned)ek.len * 8));
	assert_int_equal(ik.len, esp_auth_keylen(a));
	snprintf(name, sizeof(name), "esp.%s.icv_len", dir);
	assert_int_equal(vec_num(v, name), esp_auth_icvlen(a));
	d->dec = cipher_ctx_new(ESP_ENCR_AES_CBC, ek.p, ek.len, false);
	d->mac = mac_ctx_new(a, ik.p, ik.len);
	assert_non_null(d->dec);
	assert_non_null(d->mac);
	d->spi = (uint32_t)spi.p[0] << 24 | (uint32_t)spi.p[1] << 16 | (uint32_t)spi.p[2] << 8 |
	         spi.p[3];
	d->icv = esp_auth_icvlen(a);
}

/*
 * Every recorded ESP packet of a scenario through one pair of contexts per direction: the
 * ICV verifies (and fails with one bit flipped), and the plaintext ends in a valid RFC 4303
 * trailer (monotonic pad 1, 2, ..., pad length, next header 4 = IPv4).
 */
static void check_esp_scenario(const char *scenario)
{
	struct vec_set *v = vec_load(scenario);
	struct esp_dir dirs[2];
	unsigned checked = 0;

	esp_dir_open(v, "R2I", &dirs[0]);
	esp_dir_open(v, "I2R", &dirs[1]);
	assert_true(v->nesps > 0);
	for (size_t i = 0; i < v->nesps; i++) {
		const struct vec_esp *e = &v->esps[i];
		struct esp_dir *d = &dirs[e->i2r ? 1 : 0];
		uint8_t mac[HASH_MAX_LEN], pt[2048];
		size_t len = e->data.len, ctlen;
		const uint8_t *p = e->data.p;
		uint8_t padlen, nh;
		uint32_t spi;

		assert_true(len >= 8 + 16 + 16 + d->icv);
		ctlen = len - 8 - 16 - d->icv;
		assert_int_equal(ctlen % 16, 0);
		assert_true(ctlen <= sizeof(pt));
		spi = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		assert_int_equal(spi, d->spi);

		/* ICV = HMAC over SPI | seq | IV | ciphertext, truncated; header and body split. */
		assert_int_equal(mac_ctx_run(d->mac, p, 8, p + 8, len - 8 - d->icv, mac), 0);
		assert_true(crypto_ct_equal(mac, p + len - d->icv, d->icv));
		memcpy(pt, p, len - d->icv);
		pt[20] ^= 0x01;
		assert_int_equal(mac_ctx_run(d->mac, pt, len - d->icv, NULL, 0, mac), 0);
		assert_false(crypto_ct_equal(mac, p + len - d->icv, d->icv));

		assert_int_equal(cipher_ctx_run(d->dec, p + 8, p + 24, pt, ctlen), 0);
		padlen = pt[ctlen - 2];
		nh = pt[ctlen - 1];
		assert_int_equal(nh, 4);
		assert_true((size_t)padlen + 2 <= ctlen);
		for (unsigned k = 0; k < padlen; k++)
			assert_int_equal(pt[ctlen - 2 - padlen + k], k + 1);
		/* The inner packet is IPv4 (or, in s1 frame 14, vpnc's mislabelled IPv6 RS). */
		assert_true(pt[0] >> 4 == 4 || pt[0] >> 4 == 6);
		checked++;
	}
	print_message("%s: %u ESP packets verified and decrypted\n", scenario, checked);
	for (int k = 0; k < 2; k++) {
		cipher_ctx_free(dirs[k].dec);
		mac_ctx_free(dirs[k].mac);
	}
	vec_free(v);
}

/* The brief's exact case: the first packet of s1, I2R keys, HMAC-SHA1-96. */
static void test_esp_s1_first_packet(void **state)
{
	struct vec_set *v = vec_load(VEC_S1);
	struct esp_dir d;
	const struct vec_esp *e = &v->esps[0];
	uint8_t mac[HASH_MAX_LEN], pt[2048];
	size_t ctlen;

	assert_int_equal(e->frame, 14);
	assert_true(e->i2r);
	esp_dir_open(v, "I2R", &d);
	assert_int_equal(d.icv, 12);
	ctlen = e->data.len - 8 - 16 - 12;
	assert_int_equal(mac_ctx_run(d.mac, e->data.p, e->data.len - 12, NULL, 0, mac), 0);
	assert_true(crypto_ct_equal(mac, e->data.p + e->data.len - 12, 12));
	assert_int_equal(cipher_ctx_run(d.dec, e->data.p + 8, e->data.p + 24, pt, ctlen), 0);
	/* vpnc labels everything IPv4 (4) even though this one is an IPv6 router solicitation. */
	assert_int_equal(pt[ctlen - 1], 4);
	assert_int_equal(pt[0] >> 4, 6);
	assert_true(pt[ctlen - 2] + 2u <= ctlen);
	for (unsigned k = 0; k < pt[ctlen - 2]; k++)
		assert_int_equal(pt[ctlen - 2 - pt[ctlen - 2] + k], k + 1);
	cipher_ctx_free(d.dec);
	mac_ctx_free(d.mac);
	vec_free(v);
}

static void test_esp_all_packets(void **state)
{
	check_esp_scenario(VEC_S1);
	check_esp_scenario(VEC_S2);
	check_esp_scenario(VEC_S3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_abc),         cmocka_unit_test(test_hmac_rfc2202_4231),
	    cmocka_unit_test(test_aes_cbc_rfc3602),  cmocka_unit_test(test_3des_cbc),
	    cmocka_unit_test(test_des_cbc),          cmocka_unit_test(test_ecp_agreement),
	    cmocka_unit_test(test_aead_gcm),         cmocka_unit_test(test_esp_des_ctx),
	    cmocka_unit_test(test_cbc_rejects),      cmocka_unit_test(test_random_and_ct_equal),
	    cmocka_unit_test(test_secret),           cmocka_unit_test(test_dh_agreement),
	    cmocka_unit_test(test_dh_full_length),   cmocka_unit_test(test_dh_vectors_and_rejects),
	    cmocka_unit_test(test_esp_sizes),        cmocka_unit_test(test_mac_ctx_reuse),
	    cmocka_unit_test(test_cipher_ctx_reuse), cmocka_unit_test(test_esp_s1_first_packet),
	    cmocka_unit_test(test_esp_all_packets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
