/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Cisco VPN Client's password obfuscation (enc_GroupPwd). It is not encryption: the key is
 * derived from bytes stored next to the ciphertext. Layout and derivation as described in
 * cisco_pwd.h; the checksum is compared in constant time although nothing secret depends on it,
 * because it is the project's rule for every hash comparison.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/bytes.h"
#include "profiles/cisco_pwd.h"
#include "profiles/secrets.h"
#include "lib/i18n.h"

#define SHA1_LEN 20
#define DES3_KEY 24
#define DES_BLOCK 8
#define HDR_LEN (2 * SHA1_LEN)

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int prof_cisco_decode(const char *hex, struct secret *out, char *err, size_t errlen)
{
	struct secret bin = {NULL, 0}, plain = {NULL, 0};
	uint8_t ht[SHA1_LEN], h2[SHA1_LEN], h3[SHA1_LEN], sum[SHA1_LEN], key[DES3_KEY];
	const uint8_t *h1, *h4, *enc;
	size_t n = strlen(hex), len, enc_len;
	int rc = -EINVAL;

	if (n % 2) {
		snprintf(err, errlen, _("the value has an odd number of hex digits (%zu)"), n);
		return -EINVAL;
	}
	len = n / 2;
	if (len < HDR_LEN + DES_BLOCK) {
		snprintf(err, errlen, _("the value is too short (%zu bytes; at least %d)"), len,
		         HDR_LEN + DES_BLOCK);
		return -EINVAL;
	}
	if (len > HDR_LEN + PROF_SECRET_MAX + DES_BLOCK) {
		snprintf(err, errlen, _("the value is too long (%zu bytes)"), len);
		return -EINVAL;
	}
	if ((len - HDR_LEN) % DES_BLOCK) {
		snprintf(err, errlen,
		         _("the encrypted part has %zu bytes, not a whole number of 8-byte blocks"),
		         len - HDR_LEN);
		return -EINVAL;
	}
	if (secret_alloc(&bin, len) != 0) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			snprintf(err, errlen, _("character %zu is not a hex digit"),
			         2 * i + (hi < 0 ? 1 : 2));
			goto out;
		}
		bin.p[i] = (uint8_t)(hi << 4 | lo);
	}

	struct rd r = rd_init(bin.p, bin.len);
	enc_len = len - HDR_LEN;
	if (!rd_ptr(&r, SHA1_LEN, &h1) || !rd_ptr(&r, SHA1_LEN, &h4) ||
	    !rd_ptr(&r, enc_len, &enc)) {
		snprintf(err, errlen, _("the value is too short"));
		goto out;
	}

	struct crypto_iov whole = {enc, enc_len};
	if (crypto_hash_v(HASH_SHA1, &whole, 1, sum) != 0) {
		snprintf(err, errlen, _("SHA-1 is not available"));
		rc = -EIO;
		goto out;
	}
	if (!crypto_ct_equal(sum, h4, SHA1_LEN)) {
		snprintf(err, errlen,
		         _("the checksum does not match: the value is damaged or was not "
		           "written by the Cisco VPN Client"));
		goto out;
	}

	memcpy(ht, h1, SHA1_LEN);
	struct crypto_iov iv_ht = {ht, SHA1_LEN};
	ht[SHA1_LEN - 1] = (uint8_t)(ht[SHA1_LEN - 1] + 1);
	rc = crypto_hash_v(HASH_SHA1, &iv_ht, 1, h2);
	ht[SHA1_LEN - 1] = (uint8_t)(ht[SHA1_LEN - 1] + 2);
	if (!rc)
		rc = crypto_hash_v(HASH_SHA1, &iv_ht, 1, h3);
	if (rc) {
		snprintf(err, errlen, _("SHA-1 is not available"));
		rc = -EIO;
		goto out;
	}
	memcpy(key, h2, SHA1_LEN);
	memcpy(key + SHA1_LEN, h3, DES3_KEY - SHA1_LEN);

	if (secret_alloc(&plain, enc_len) != 0) {
		snprintf(err, errlen, _("out of memory"));
		rc = -ENOMEM;
		goto out;
	}
	if (crypto_cbc(CIPHER_3DES, key, DES3_KEY, h1, false, enc, plain.p, enc_len) != 0) {
		snprintf(err, errlen, _("3DES is not available"));
		rc = -EIO;
		goto out;
	}
	rc = -EINVAL;
	uint8_t pad = plain.p[enc_len - 1];
	if (pad == 0 || pad > DES_BLOCK) {
		snprintf(err, errlen,
		         _("the padding is invalid (last byte %u): the value is damaged"), pad);
		goto out;
	}
	size_t plen = enc_len - pad;
	const uint8_t *nul = memchr(plain.p, '\0', plen);
	if (nul)
		plen = (size_t)(nul - plain.p);
	if (!plen) {
		snprintf(err, errlen, _("the value decodes to an empty password"));
		goto out;
	}
	rc = secret_alloc(out, plen + 1);
	if (rc) {
		snprintf(err, errlen, _("out of memory"));
		goto out;
	}
	memcpy(out->p, plain.p, plen);
	out->len = plen;
out:
	mem_wipe(ht, sizeof(ht));
	mem_wipe(h2, sizeof(h2));
	mem_wipe(h3, sizeof(h3));
	mem_wipe(key, sizeof(key));
	secret_clear(&bin);
	secret_clear(&plain);
	return rc;
}
