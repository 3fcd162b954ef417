/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/secret.h"
#include "tun/esp.h"

/* 128 AES IVs or 256 3DES IVs per refill. */
#define ESP_IV_POOL 2048u

struct esp_sa {
	uint32_t spi;
	bool outbound;
	enum esp_encr_id encr;
	enum esp_auth_id auth;
	struct cipher_ctx *cipher; /* NULL for ESP_NULL and GCM */
	struct mac_ctx *mac;       /* NULL for GCM */
	struct aead_ctx *aead;     /* GCM only */
	size_t ivlen;              /* = cipher block size, 0 for ESP_NULL, 8 for GCM */
	size_t align;              /* payload + trailer is padded to a multiple of this */
	size_t icvlen;             /* truncated ICV */
	uint32_t seq;              /* outbound: last sent */
	struct esp_replay replay;
	struct esp_sa_stats st;
	int (*rand)(void *rctx, void *buf, size_t n);
	void *rctx;
	size_t iv_off;
	/* outbound only: an inbound SA takes its IVs from the packets (2 KiB less per client
	 * on evs, which holds thousands) */
	uint8_t iv_pool[];
};

static const char *const result_names[ESP_RESULT_COUNT] = {
    [ESP_OK] = "ok",
    [ESP_E_SHORT] = "short",
    [ESP_E_LEN] = "length",
    [ESP_E_SPI] = "spi",
    [ESP_E_REPLAY] = "replay",
    [ESP_E_AUTH] = "auth",
    [ESP_E_PAD] = "padding",
    [ESP_E_NEXT_HDR] = "next_header",
    [ESP_E_DUMMY] = "dummy",
    [ESP_E_SEQ_EXHAUSTED] = "seq_exhausted",
    [ESP_E_NOROOM] = "no_room",
    [ESP_E_CRYPTO] = "crypto",
    [ESP_E_DIR] = "direction",
};

const char *esp_result_name(enum esp_result r)
{
	if ((unsigned)r >= ESP_RESULT_COUNT)
		return "unknown";
	return result_names[r];
}

static int default_rand(void *rctx, void *buf, size_t n)
{
	(void)rctx;
	return crypto_random(buf, n);
}

static const char *check_encr(const struct esp_sa_params *prm, size_t *klen)
{
	switch (prm->encr) {
	case ESP_ENCR_DES:
		if (prm->key_bits != 0 && prm->key_bits != 64)
			return "DES takes a 64-bit key";
		*klen = esp_encr_keylen(ESP_ENCR_DES, 64);
		break;
	case ESP_ENCR_3DES:
		if (prm->key_bits != 0 && prm->key_bits != 192)
			return "3DES takes a 192-bit key";
		*klen = esp_encr_keylen(ESP_ENCR_3DES, 192);
		break;
	case ESP_ENCR_AES_GCM16:
		if (prm->key_bits != 128 && prm->key_bits != 192 && prm->key_bits != 256)
			return "AES-GCM key length must be 128, 192 or 256 bits";
		*klen = esp_encr_keylen(ESP_ENCR_AES_GCM16, prm->key_bits);
		break;
	case ESP_ENCR_AES_CBC:
		if (prm->key_bits != 128 && prm->key_bits != 192 && prm->key_bits != 256)
			return "AES-CBC key length must be 128, 192 or 256 bits";
		*klen = esp_encr_keylen(ESP_ENCR_AES_CBC, prm->key_bits);
		break;
	case ESP_ENCR_NULL:
		*klen = 0;
		return NULL;
	default:
		return "unsupported ESP cipher (supported: DES, 3DES, AES-CBC, AES-GCM-16, NULL)";
	}
	if (*klen == 0)
		return "the crypto library does not support this ESP cipher";
	return NULL;
}

struct esp_sa *esp_sa_new(const struct esp_sa_params *prm, const char **why)
{
	const char *err = NULL;
	size_t klen = 0, alen;
	struct esp_sa *sa = NULL;

	if (prm->spi == 0) {
		err = "SPI 0 is reserved";
		goto out;
	}
	err = check_encr(prm, &klen);
	if (err)
		goto out;
	if (prm->enc_key_len != klen) {
		err = "ESP encryption key has the wrong length for the cipher";
		goto out;
	}
	bool aead = prm->encr == ESP_ENCR_AES_GCM16;
	alen = esp_auth_keylen(prm->auth);
	if (aead && prm->auth != ESP_AUTH_NONE) {
		err = "AES-GCM authenticates by itself: no HMAC goes with it";
		goto out;
	}
	if (!aead && (alen == 0 || esp_auth_icvlen(prm->auth) == 0)) {
		err = "unsupported ESP integrity algorithm (supported: HMAC-MD5, SHA1, SHA-256)";
		goto out;
	}
	if (prm->auth_key_len != alen) {
		err = "ESP integrity key has the wrong length for the algorithm";
		goto out;
	}
	sa = calloc(1, sizeof(*sa) + (prm->outbound ? ESP_IV_POOL : 0));
	if (!sa) {
		err = "out of memory";
		goto out;
	}
	sa->spi = prm->spi;
	sa->outbound = prm->outbound;
	if (prm->outbound)
		sa->seq = prm->seq_used;
	sa->encr = prm->encr;
	sa->auth = prm->auth;
	sa->icvlen = esp_auth_icvlen(prm->auth);
	sa->rand = prm->rand ? prm->rand : default_rand;
	sa->rctx = prm->rctx;
	sa->iv_off = ESP_IV_POOL;
	esp_replay_init(&sa->replay);
	if (aead) {
		/* RFC 4106: an 8-byte IV, 4-byte alignment, a 16-byte ICV */
		sa->aead = aead_ctx_new(prm->encr, prm->enc_key, prm->enc_key_len, prm->outbound);
		if (!sa->aead) {
			err = "cannot set up AES-GCM";
			goto out;
		}
		sa->ivlen = ESP_GCM_IV;
		sa->align = 4;
		sa->icvlen = ESP_GCM_ICV;
		goto out;
	}
	sa->mac = mac_ctx_new(prm->auth, prm->auth_key, prm->auth_key_len);
	if (!sa->mac || mac_ctx_len(sa->mac) < sa->icvlen) {
		err = "cannot set up the ESP integrity algorithm";
		goto out;
	}
	if (prm->encr == ESP_ENCR_NULL) {
		sa->ivlen = 0;
		sa->align = 4;
	} else {
		sa->cipher =
		    cipher_ctx_new(prm->encr, prm->enc_key, prm->enc_key_len, prm->outbound);
		if (!sa->cipher) {
			err = "cannot set up the ESP cipher";
			goto out;
		}
		sa->ivlen = cipher_ctx_block(sa->cipher);
		if (sa->ivlen == 0 || sa->ivlen > CIPHER_BLOCK_MAX || ESP_IV_POOL % sa->ivlen) {
			err = "ESP cipher reports an unusable block size";
			goto out;
		}
		sa->align = sa->ivlen;
	}
out:
	if (err) {
		esp_sa_free(sa);
		sa = NULL;
		if (why)
			*why = err;
	}
	return sa;
}

void esp_sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	cipher_ctx_free(sa->cipher);
	mac_ctx_free(sa->mac);
	aead_ctx_free(sa->aead);
	mem_wipe(sa, sizeof(*sa) + (sa->outbound ? ESP_IV_POOL : 0));
	free(sa);
}

uint32_t esp_sa_spi(const struct esp_sa *sa)
{
	return sa->spi;
}

void esp_sa_stats(const struct esp_sa *sa, struct esp_sa_stats *out)
{
	*out = sa->st;
	out->seq = sa->outbound ? sa->seq : esp_replay_top(&sa->replay);
}

const struct esp_replay *esp_sa_replay(const struct esp_sa *sa)
{
	return &sa->replay;
}

static size_t pad_len(const struct esp_sa *sa, size_t len)
{
	return (sa->align - (len + 2) % sa->align) % sa->align;
}

size_t esp_overhead(const struct esp_sa *sa, size_t len)
{
	return ESP_HDR_LEN + sa->ivlen + pad_len(sa, len) + 2 + sa->icvlen;
}

static int take_iv(struct esp_sa *sa, uint8_t *iv)
{
	if (sa->iv_off + sa->ivlen > ESP_IV_POOL) {
		if (sa->rand(sa->rctx, sa->iv_pool, ESP_IV_POOL) != 0)
			return -1;
		sa->iv_off = 0;
	}
	memcpy(iv, sa->iv_pool + sa->iv_off, sa->ivlen);
	sa->iv_off += sa->ivlen;
	return 0;
}

enum esp_result esp_encap(struct esp_sa *sa, struct pkt *p, uint8_t next_header)
{
	uint8_t iv[CIPHER_BLOCK_MAX], mac[HASH_MAX_LEN];

	if (!sa->outbound)
		return ESP_E_DIR;
	if (sa->seq == UINT32_MAX)
		return ESP_E_SEQ_EXHAUSTED;
	size_t plen = p->len, padlen = pad_len(sa, plen);
	size_t ctlen = plen + padlen + 2, hlen = ESP_HDR_LEN + sa->ivlen;
	if (pkt_headroom(p) < hlen || pkt_tailroom(p) < padlen + 2 + sa->icvlen)
		return ESP_E_NOROOM;
	uint32_t seq = sa->seq + 1;
	if (sa->aead) {
		/* GCM needs a unique IV, not an unpredictable one: the sequence number (RFC 4106
		 * 3.1), which never repeats under one key */
		struct wr vw = wr_init(iv, ESP_GCM_IV);
		wr_u32(&vw, 0);
		wr_u32(&vw, seq);
	} else if (sa->ivlen && take_iv(sa, iv) != 0) {
		return ESP_E_CRYPTO;
	}

	/* Trailer: self-describing padding 1, 2, 3, ... (RFC 4303 2.4), length, next header. */
	struct wr tw = wr_init(p->data + plen, padlen + 2);
	for (size_t i = 1; i <= padlen; i++)
		wr_u8(&tw, (uint8_t)i);
	wr_u8(&tw, (uint8_t)padlen);
	wr_u8(&tw, next_header);

	uint8_t *hdr = p->data - hlen;
	struct wr hw = wr_init(hdr, hlen);
	wr_u32(&hw, sa->spi);
	wr_u32(&hw, seq);
	wr_bytes(&hw, iv, sa->ivlen);
	if (tw.err || hw.err)
		return ESP_E_NOROOM;

	if (sa->aead) {
		/* AAD: SPI | sequence number (no ESN) */
		if (aead_ctx_seal(sa->aead, iv, hdr, ESP_HDR_LEN, p->data, ctlen, mac) != 0)
			return ESP_E_CRYPTO;
	} else {
		if (sa->cipher && cipher_ctx_run(sa->cipher, iv, p->data, p->data, ctlen) != 0)
			return ESP_E_CRYPTO;
		if (mac_ctx_run(sa->mac, hdr, hlen + ctlen, NULL, 0, mac) != 0)
			return ESP_E_CRYPTO;
	}
	struct wr iw = wr_init(p->data + ctlen, sa->icvlen);
	wr_bytes(&iw, mac, sa->icvlen);

	p->data = hdr;
	p->len = hlen + ctlen + sa->icvlen;
	sa->seq = seq;
	sa->st.packets++;
	sa->st.bytes += plen;
	return ESP_OK;
}

/* Pad bytes must read 1, 2, 3, ...; senders that use other padding are rejected (vpnc too). */
static bool pad_ok(const uint8_t *pad, size_t padlen)
{
	struct rd r = rd_init(pad, padlen);
	uint8_t b, bad = 0;
	for (size_t i = 1; i <= padlen; i++) {
		if (!rd_u8(&r, &b))
			return false;
		bad |= (uint8_t)(b ^ (uint8_t)i);
	}
	return bad == 0;
}

enum esp_result esp_decap(struct esp_sa *sa, struct pkt *p, uint8_t *next_header)
{
	uint8_t mac[HASH_MAX_LEN];
	uint32_t spi, seq;
	const uint8_t *iv, *icv;
	uint8_t padlen, nh;

	if (sa->outbound)
		return ESP_E_DIR;
	/* CBC needs one whole block; ESP_NULL and GCM at least the two trailer bytes. */
	size_t min_ct = sa->ivlen && !sa->aead ? sa->ivlen : 2;
	size_t hlen = ESP_HDR_LEN + sa->ivlen;
	if (p->len < hlen + min_ct + sa->icvlen)
		return ESP_E_SHORT;
	size_t ctlen = p->len - hlen - sa->icvlen;
	if (sa->ivlen && ctlen % sa->align)
		return ESP_E_LEN;

	struct rd r = rd_init(p->data, p->len);
	if (!rd_u32(&r, &spi) || !rd_u32(&r, &seq) || !rd_ptr(&r, sa->ivlen, &iv) ||
	    !rd_skip(&r, ctlen) || !rd_ptr(&r, sa->icvlen, &icv))
		return ESP_E_SHORT;
	if (spi != sa->spi)
		return ESP_E_SPI;
	if (!esp_replay_check(&sa->replay, seq))
		return ESP_E_REPLAY;
	uint8_t *ct = p->data + hlen;
	if (sa->aead) {
		/* authenticates and decrypts in one pass; a forgery leaves garbage in the
		 * packet, which is dropped anyway */
		int rc = aead_ctx_open(sa->aead, iv, p->data, ESP_HDR_LEN, ct, ctlen, icv);
		if (rc == -EBADMSG)
			return ESP_E_AUTH;
		if (rc != 0)
			return ESP_E_CRYPTO;
	} else {
		if (mac_ctx_run(sa->mac, p->data, hlen + ctlen, NULL, 0, mac) != 0)
			return ESP_E_CRYPTO;
		if (!crypto_ct_equal(mac, icv, sa->icvlen))
			return ESP_E_AUTH;
		if (sa->cipher && cipher_ctx_run(sa->cipher, iv, ct, ct, ctlen) != 0)
			return ESP_E_CRYPTO;
	}
	struct rd tr = rd_init(ct + ctlen - 2, 2);
	if (!rd_u8(&tr, &padlen) || !rd_u8(&tr, &nh))
		return ESP_E_SHORT;
	if ((size_t)padlen + 2 > ctlen || !pad_ok(ct + ctlen - 2 - padlen, padlen))
		return ESP_E_PAD;
	if (nh == ESP_NH_NONE) {
		esp_replay_commit(&sa->replay, seq);
		return ESP_E_DUMMY;
	}
	if (nh != ESP_NH_IPV4 && nh != ESP_NH_IPV6)
		return ESP_E_NEXT_HDR;
	if (!esp_replay_commit(&sa->replay, seq))
		return ESP_E_REPLAY;

	p->data = ct;
	p->len = ctlen - padlen - 2;
	*next_header = nh;
	sa->st.packets++;
	sa->st.bytes += p->len;
	return ESP_OK;
}
