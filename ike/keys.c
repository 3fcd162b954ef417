/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IKEv1 key derivations, RFC 2409 section 5 and appendix B; see keys.h. */
#include "ike/keys.h"

#include <errno.h>
#include <string.h>

static void put_be32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static bool secret_ok(const struct secret *s)
{
	return s && s->p && s->len;
}

int ike_skeyid_psk(enum hash_alg h, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
                   size_t ni_len, const uint8_t *nr, size_t nr_len, struct secret *skeyid)
{
	struct crypto_iov iov[2] = {{ni, ni_len}, {nr, nr_len}};
	uint8_t out[HASH_MAX_LEN];
	size_t hl = crypto_hash_len(h);
	int ret;

	if (!hl || !skeyid || (psk_len && !psk) || !ni || !nr)
		return -EINVAL;
	ret = crypto_prf_v(h, psk, psk_len, iov, 2, out);
	if (ret)
		goto out;
	ret = secret_set(skeyid, out, hl);
out:
	mem_wipe(out, sizeof(out));
	return ret;
}

int ike_skeyid_sig(enum hash_alg h, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
                   size_t nr_len, const struct secret *gxy, struct secret *skeyid)
{
	struct secret key = {NULL, 0};
	uint8_t out[HASH_MAX_LEN];
	size_t hl = crypto_hash_len(h);
	struct crypto_iov iov;
	int ret;

	if (!hl || !skeyid || !ni || !nr || !secret_ok(gxy))
		return -EINVAL;
	/* The prf key is Ni_b | Nr_b, which needs one contiguous buffer. */
	ret = secret_alloc(&key, ni_len + nr_len);
	if (ret)
		goto out;
	memcpy(key.p, ni, ni_len);
	memcpy(key.p + ni_len, nr, nr_len);
	iov.p = gxy->p;
	iov.len = gxy->len;
	ret = crypto_prf_v(h, key.p, key.len, &iov, 1, out);
	if (ret)
		goto out;
	ret = secret_set(skeyid, out, hl);
out:
	secret_clear(&key);
	mem_wipe(out, sizeof(out));
	return ret;
}

int ike_skeyid_children(enum hash_alg h, const struct secret *skeyid, const struct secret *gxy,
                        const uint8_t icky[8], const uint8_t rcky[8], struct secret *d,
                        struct secret *a, struct secret *e)
{
	struct secret nd = {NULL, 0}, na = {NULL, 0}, ne = {NULL, 0};
	uint8_t kd[HASH_MAX_LEN], ka[HASH_MAX_LEN], ke[HASH_MAX_LEN];
	size_t hl = crypto_hash_len(h);
	uint8_t c0 = 0, c1 = 1, c2 = 2;
	struct crypto_iov iov[5];
	int ret;

	if (!hl || !secret_ok(skeyid) || !secret_ok(gxy) || !icky || !rcky || !d || !a || !e)
		return -EINVAL;
	/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0) */
	iov[0] = (struct crypto_iov){gxy->p, gxy->len};
	iov[1] = (struct crypto_iov){icky, 8};
	iov[2] = (struct crypto_iov){rcky, 8};
	iov[3] = (struct crypto_iov){&c0, 1};
	ret = crypto_prf_v(h, skeyid->p, skeyid->len, iov, 4, kd);
	if (ret)
		goto out;
	/* SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1) */
	iov[0] = (struct crypto_iov){kd, hl};
	iov[1] = (struct crypto_iov){gxy->p, gxy->len};
	iov[2] = (struct crypto_iov){icky, 8};
	iov[3] = (struct crypto_iov){rcky, 8};
	iov[4] = (struct crypto_iov){&c1, 1};
	ret = crypto_prf_v(h, skeyid->p, skeyid->len, iov, 5, ka);
	if (ret)
		goto out;
	/* SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
	iov[0] = (struct crypto_iov){ka, hl};
	iov[4] = (struct crypto_iov){&c2, 1};
	ret = crypto_prf_v(h, skeyid->p, skeyid->len, iov, 5, ke);
	if (ret)
		goto out;
	ret = secret_set(&nd, kd, hl);
	if (!ret)
		ret = secret_set(&na, ka, hl);
	if (!ret)
		ret = secret_set(&ne, ke, hl);
	if (ret)
		goto out;
	/* Commit all three only when every step succeeded. */
	secret_clear(d);
	secret_clear(a);
	secret_clear(e);
	*d = nd;
	*a = na;
	*e = ne;
	nd = na = ne = (struct secret){NULL, 0};
out:
	secret_clear(&nd);
	secret_clear(&na);
	secret_clear(&ne);
	mem_wipe(kd, sizeof(kd));
	mem_wipe(ka, sizeof(ka));
	mem_wipe(ke, sizeof(ke));
	return ret;
}

int ike_ka(enum hash_alg h, const struct secret *skeyid_e, size_t keylen, struct secret *ka)
{
	struct secret out = {NULL, 0};
	uint8_t k[HASH_MAX_LEN];
	size_t hl = crypto_hash_len(h);
	size_t done = 0;
	uint8_t zero = 0;
	struct crypto_iov iov;
	int ret;

	if (!hl || !secret_ok(skeyid_e) || !ka || keylen == 0 || keylen > 64)
		return -EINVAL;
	ret = secret_alloc(&out, keylen);
	if (ret)
		goto out;
	if (skeyid_e->len >= keylen) {
		memcpy(out.p, skeyid_e->p, keylen);
	} else {
		/* Appendix B: Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn+1 = prf(SKEYID_e, Kn)
		 */
		iov = (struct crypto_iov){&zero, 1};
		while (done < keylen) {
			size_t n = keylen - done < hl ? keylen - done : hl;

			ret = crypto_prf_v(h, skeyid_e->p, skeyid_e->len, &iov, 1, k);
			if (ret)
				goto out;
			memcpy(out.p + done, k, n);
			done += n;
			iov = (struct crypto_iov){k, hl};
		}
	}
	secret_clear(ka);
	*ka = out;
	out = (struct secret){NULL, 0};
	ret = 0;
out:
	secret_clear(&out);
	mem_wipe(k, sizeof(k));
	return ret;
}

int ike_iv_phase1(enum hash_alg h, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
                  size_t gxr_len, size_t bs, uint8_t *iv)
{
	struct crypto_iov iov[2] = {{gxi, gxi_len}, {gxr, gxr_len}};
	uint8_t out[HASH_MAX_LEN];
	int ret;

	if (!crypto_hash_len(h) || !gxi || !gxr || !iv || bs == 0 || bs > CIPHER_BLOCK_MAX ||
	    bs > crypto_hash_len(h))
		return -EINVAL;
	ret = crypto_hash_v(h, iov, 2, out);
	if (!ret)
		memcpy(iv, out, bs);
	return ret;
}

int ike_iv_exchange(enum hash_alg h, const uint8_t *p1_last, size_t bs, uint32_t msgid, uint8_t *iv)
{
	uint8_t mid[4], out[HASH_MAX_LEN];
	struct crypto_iov iov[2] = {{p1_last, bs}, {mid, 4}};
	int ret;

	if (!crypto_hash_len(h) || !p1_last || !iv || bs == 0 || bs > CIPHER_BLOCK_MAX ||
	    bs > crypto_hash_len(h))
		return -EINVAL;
	put_be32(mid, msgid);
	ret = crypto_hash_v(h, iov, 2, out);
	if (!ret)
		memcpy(iv, out, bs);
	return ret;
}

int ike_hash_auth(enum hash_alg h, const struct secret *skeyid, const uint8_t *ga, size_t ga_len,
                  const uint8_t *gb, size_t gb_len, const uint8_t ca[8], const uint8_t cb[8],
                  const uint8_t *sa_b, size_t sa_len, const uint8_t *id_b, size_t id_len,
                  uint8_t *out)
{
	struct crypto_iov iov[6] = {{ga, ga_len}, {gb, gb_len},   {ca, 8},
	                            {cb, 8},      {sa_b, sa_len}, {id_b, id_len}};

	if (!crypto_hash_len(h) || !secret_ok(skeyid) || !ga || !gb || !ca || !cb || !sa_b ||
	    !id_b || !out)
		return -EINVAL;
	return crypto_prf_v(h, skeyid->p, skeyid->len, iov, 6, out);
}

int ike_hash_p2(enum hash_alg h, const struct secret *skeyid_a, int zero_prefix, uint32_t msgid,
                const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                const uint8_t *rest, size_t rest_len, uint8_t *out)
{
	struct crypto_iov iov[5];
	uint8_t zero = 0, mid[4];
	size_t n = 0;

	if (!crypto_hash_len(h) || !secret_ok(skeyid_a) || !out || (rest_len && !rest))
		return -EINVAL;
	put_be32(mid, msgid);
	if (zero_prefix)
		iov[n++] = (struct crypto_iov){&zero, 1};
	iov[n++] = (struct crypto_iov){mid, 4};
	if (ni)
		iov[n++] = (struct crypto_iov){ni, ni_len};
	if (nr)
		iov[n++] = (struct crypto_iov){nr, nr_len};
	if (rest_len)
		iov[n++] = (struct crypto_iov){rest, rest_len};
	return crypto_prf_v(h, skeyid_a->p, skeyid_a->len, iov, n, out);
}

int ike_keymat(enum hash_alg h, const struct secret *skeyid_d, const struct secret *gxy,
               uint8_t proto, uint32_t spi, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
               size_t nr_len, uint8_t *out, size_t out_len)
{
	uint8_t k[HASH_MAX_LEN], spib[4];
	size_t hl = crypto_hash_len(h);
	struct crypto_iov iov[6];
	size_t n, base, done = 0;
	int ret = 0;

	if (!hl || !secret_ok(skeyid_d) || (gxy && !secret_ok(gxy)) || !ni || !nr ||
	    (out_len && !out))
		return -EINVAL;
	put_be32(spib, spi);
	/* iov[0] is the previous block Kn, absent for K1. */
	base = 1;
	if (gxy)
		iov[base++] = (struct crypto_iov){gxy->p, gxy->len};
	iov[base++] = (struct crypto_iov){&proto, 1};
	iov[base++] = (struct crypto_iov){spib, 4};
	iov[base++] = (struct crypto_iov){ni, ni_len};
	iov[base++] = (struct crypto_iov){nr, nr_len};
	while (done < out_len) {
		n = out_len - done < hl ? out_len - done : hl;
		if (done == 0)
			ret = crypto_prf_v(h, skeyid_d->p, skeyid_d->len, iov + 1, base - 1, k);
		else
			ret = crypto_prf_v(h, skeyid_d->p, skeyid_d->len, iov, base, k);
		if (ret)
			goto out;
		memcpy(out + done, k, n);
		done += n;
		iov[0] = (struct crypto_iov){k, hl};
	}
out:
	if (ret && out_len)
		mem_wipe(out, out_len);
	mem_wipe(k, sizeof(k));
	return ret;
}

int ike_natd(enum hash_alg h, const uint8_t icky[8], const uint8_t rcky[8], uint32_t addr,
             uint16_t port, uint8_t *out)
{
	uint8_t a[4], p[2];
	struct crypto_iov iov[4] = {{icky, 8}, {rcky, 8}, {a, 4}, {p, 2}};

	if (!crypto_hash_len(h) || !icky || !rcky || !out)
		return -EINVAL;
	put_be32(a, addr);
	p[0] = (uint8_t)(port >> 8);
	p[1] = (uint8_t)port;
	return crypto_hash_v(h, iov, 4, out);
}
