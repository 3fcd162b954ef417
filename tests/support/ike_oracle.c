/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: see ike_oracle.h. Reads the engine's private SA through sa_int.h on purpose. */
#include <string.h>

#include "ike/sa_int.h"
#include "ike_oracle.h"

bool ike_oracle_keyed(const struct ike_sa *rx)
{
	return rx && rx->ka.p && rx->bs && rx->hlen;
}

size_t ike_oracle_hash_len(const struct ike_sa *rx)
{
	return ike_oracle_keyed(rx) ? rx->hlen : 0;
}

int ike_oracle_open(const struct ike_sa *rx, const uint8_t *msg, size_t len, struct isakmp_hdr *h,
                    uint8_t *out, size_t cap)
{
	const char *why;
	uint8_t iv[CIPHER_BLOCK_MAX];
	if (!ike_oracle_keyed(rx) || !isakmp_hdr_parse(msg, len, h, &why) ||
	    !(h->flags & ISAKMP_FLAG_E))
		return -1;
	size_t body = h->len - ISAKMP_HDR_LEN;
	body -= body % rx->bs;
	if (body == 0 || body > cap || sa_iv_for(rx, h->exch, h->msgid, iv) != 0)
		return -1;
	if (crypto_cbc(rx->p1.encr, rx->ka.p, rx->ka.len, iv, false, msg + ISAKMP_HDR_LEN, out,
	               body) != 0)
		return -1;
	return (int)body;
}

static int rehash(const struct ike_sa *rx, uint32_t msgid, enum oracle_hash mode, uint8_t *body,
                  size_t len)
{
	if (mode == ORACLE_HASH_KEEP)
		return 0;
	if (len < ISAKMP_GEN_LEN + rx->hlen)
		return -1;
	uint8_t *hash = body + ISAKMP_GEN_LEN;
	const uint8_t *rest = hash + rx->hlen;
	size_t rest_len = len - ISAKMP_GEN_LEN - rx->hlen;
	switch (mode) {
	case ORACLE_HASH_1:
		return ike_hash_p2(rx->p1.hash, &rx->skeyid_a, 0, msgid, NULL, 0, NULL, 0, rest,
		                   rest_len, hash);
	case ORACLE_HASH_QM2:
		return ike_hash_p2(rx->p1.hash, &rx->skeyid_a, 0, msgid, rx->qm.ni, rx->qm.ni_len,
		                   NULL, 0, rest, rest_len, hash);
	case ORACLE_HASH_QM3:
		return ike_hash_p2(rx->p1.hash, &rx->skeyid_a, 1, msgid, rx->qm.ni, rx->qm.ni_len,
		                   rx->qm.nr, rx->qm.nr_len, NULL, 0, hash);
	default:
		return -1;
	}
}

static size_t seal(const struct ike_sa *rx, const struct isakmp_hdr *h, const uint8_t *body,
                   size_t body_len, enum oracle_hash mode, bool derived, uint8_t *out, size_t cap)
{
	uint8_t iv[CIPHER_BLOCK_MAX];
	if (!ike_oracle_keyed(rx))
		return 0;
	size_t padded = (body_len + rx->bs - 1) / rx->bs * rx->bs;
	if (padded == 0)
		padded = rx->bs;
	if (ISAKMP_HDR_LEN + padded > cap)
		return 0;
	struct isakmp_hdr hh = *h;
	hh.flags |= ISAKMP_FLAG_E;
	hh.len = (uint32_t)(ISAKMP_HDR_LEN + padded);
	struct wr w = wr_init(out, cap);
	isakmp_hdr_write(&w, &hh);
	if (w.err)
		return 0;
	uint8_t *b = out + ISAKMP_HDR_LEN;
	memcpy(b, body, body_len);
	memset(b + body_len, 0, padded - body_len);
	if (rehash(rx, h->msgid, mode, b, body_len) != 0 ||
	    (derived ? ike_iv_exchange(rx->p1.hash, rx->p1_last, rx->bs, h->msgid, iv)
	             : sa_iv_for(rx, h->exch, h->msgid, iv)) != 0 ||
	    crypto_cbc(rx->p1.encr, rx->ka.p, rx->ka.len, iv, true, b, b, padded) != 0)
		return 0;
	return ISAKMP_HDR_LEN + padded;
}

size_t ike_oracle_seal(const struct ike_sa *rx, const struct isakmp_hdr *h, const uint8_t *body,
                       size_t body_len, enum oracle_hash mode, uint8_t *out, size_t cap)
{
	return seal(rx, h, body, body_len, mode, false, out, cap);
}

size_t ike_oracle_seal_derived(const struct ike_sa *rx, const struct isakmp_hdr *h,
                               const uint8_t *body, size_t body_len, enum oracle_hash mode,
                               uint8_t *out, size_t cap)
{
	return seal(rx, h, body, body_len, mode, true, out, cap);
}

void ike_oracle_hdr(const struct ike_sa *rx, struct isakmp_hdr *h, uint8_t exch, uint8_t np,
                    uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icky, rx->icky, 8);
	memcpy(h->rcky, rx->rcky, 8);
	h->version = ISAKMP_VERSION;
	h->exch = exch;
	h->np = np;
	h->msgid = msgid;
}

static void write_id(struct wr *w, const struct evc_net *n)
{
	bool host = n->mask == 0xffffffffu;
	wr_u8(w, host ? ISAKMP_ID_IPV4_ADDR : ISAKMP_ID_IPV4_ADDR_SUBNET);
	wr_u8(w, 0);
	wr_u16(w, 0);
	wr_u32(w, n->addr);
	if (!host)
		wr_u32(w, n->mask);
}

size_t ike_oracle_qm1(const struct ike_sa *rx, uint32_t msgid, const struct ike_p2_prop *p,
                      uint16_t encap, uint32_t spi, const struct evc_net *ci,
                      const struct evc_net *cr, uint8_t *out, size_t cap)
{
	uint8_t body[2048], nonce[20];
	struct isakmp_hdr h;
	struct isakmp_builder b;
	if (!ike_oracle_keyed(rx))
		return 0;
	memset(nonce, 0x4e, sizeof(nonce));
	/* build with a throwaway header so the payload chain links are written for us */
	ike_oracle_hdr(rx, &h, ISAKMP_EXCH_QUICK, 0, msgid);
	isakmp_build_start(&b, body, sizeof(body), &h);
	isakmp_build_open(&b, ISAKMP_PL_HASH);
	wr_zero(&b.w, rx->hlen);
	isakmp_build_close(&b);
	isakmp_build_open(&b, ISAKMP_PL_SA);
	prop_write_p2(&b.w, p, 1, spi, encap);
	isakmp_build_close(&b);
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	isakmp_build_open(&b, ISAKMP_PL_ID);
	write_id(&b.w, ci);
	isakmp_build_close(&b);
	isakmp_build_open(&b, ISAKMP_PL_ID);
	write_id(&b.w, cr);
	isakmp_build_close(&b);
	size_t len = isakmp_build_finish(&b);
	if (!len)
		return 0;
	h.np = ISAKMP_PL_HASH;
	return ike_oracle_seal(rx, &h, body + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, ORACLE_HASH_1,
	                       out, cap);
}

size_t ike_oracle_qm3(const struct ike_sa *rx, uint32_t msgid, uint8_t *out, size_t cap)
{
	uint8_t body[4 + HASH_MAX_LEN];
	struct isakmp_hdr h;
	if (!ike_oracle_keyed(rx))
		return 0;
	body[0] = ISAKMP_PL_NONE;
	body[1] = 0;
	body[2] = (uint8_t)((4 + rx->hlen) >> 8);
	body[3] = (uint8_t)(4 + rx->hlen);
	memset(body + 4, 0, rx->hlen);
	ike_oracle_hdr(rx, &h, ISAKMP_EXCH_QUICK, ISAKMP_PL_HASH, msgid);
	return ike_oracle_seal(rx, &h, body, 4 + rx->hlen, ORACLE_HASH_QM3, out, cap);
}
