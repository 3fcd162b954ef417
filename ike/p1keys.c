/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Phase-1 keys shared by aggressive and main mode: computed into a candidate from one message
 * and committed to the SA only once that message is accepted, so a rejected one leaves the
 * SA unchanged. SKEYID is prf(PSK, Ni_b | Nr_b) with a pre-shared key and prf(Ni_b | Nr_b,
 * g^xy) with signatures and with hybrid authentication (RFC 2409 5).
 */
#include <string.h>

#include "ike/p1auth.h"
#include "ike/sa_int.h"

void p1_keys_clear(struct p1_keys *k)
{
	secret_clear(&k->gxy);
	secret_clear(&k->skeyid);
	secret_clear(&k->skeyid_d);
	secret_clear(&k->skeyid_a);
	secret_clear(&k->skeyid_e);
	secret_clear(&k->ka);
	mem_wipe(k->iv, sizeof(k->iv));
}

int p1_keys_derive(const struct ike_sa *sa, const struct ike_p1_prop *p, const uint8_t *peer_ke,
                   const uint8_t *gxi, const uint8_t *gxr, const uint8_t *ni, size_t ni_len,
                   const uint8_t *nr, size_t nr_len, const uint8_t rcky[8], struct p1_keys *k)
{
	memset(k, 0, sizeof(*k));
	int rc = crypto_dh_derive(sa->dh, peer_ke, sa->g_len, &k->gxy);
	if (rc != 0)
		goto out;
	k->hlen = crypto_hash_len(p->hash);
	k->bs = crypto_cipher_block(p->encr);
	size_t klen = p->encr == CIPHER_3DES ? 24 : p->encr == CIPHER_DES ? 8 : p->key_bits / 8u;
	if (p1_skeyid_sig(p->auth))
		rc = ike_skeyid_sig(p->hash, ni, ni_len, nr, nr_len, &k->gxy, &k->skeyid);
	else
		rc = ike_skeyid_psk(p->hash, sa->psk.p, sa->psk.len, ni, ni_len, nr, nr_len,
		                    &k->skeyid);
	if (!rc)
		rc = ike_skeyid_children(p->hash, &k->skeyid, &k->gxy, sa->icky, rcky, &k->skeyid_d,
		                         &k->skeyid_a, &k->skeyid_e);
	if (!rc)
		rc = ike_ka(p->hash, &k->skeyid_e, klen, &k->ka);
	if (!rc)
		rc = ike_iv_phase1(p->hash, gxi, sa->g_len, gxr, sa->g_len, k->bs, k->iv);
out:
	if (rc)
		p1_keys_clear(k);
	return rc;
}

void p1_keys_commit(struct ike_sa *sa, struct p1_keys *k)
{
	sa->gxy = k->gxy;
	sa->skeyid = k->skeyid;
	sa->skeyid_d = k->skeyid_d;
	sa->skeyid_a = k->skeyid_a;
	sa->skeyid_e = k->skeyid_e;
	sa->ka = k->ka;
	sa->hlen = k->hlen;
	sa->bs = k->bs;
	memcpy(sa->iv, k->iv, sizeof(sa->iv));
	memcpy(sa->p1_last, k->iv, sizeof(sa->p1_last));
	mem_wipe(k, sizeof(*k)); /* the SA owns the secrets now */
}

bool p1_offered(const struct ike_sa *sa, const struct ike_p1_prop *p)
{
	for (size_t i = 0; i < sa->n_p1_offer; i++) {
		const struct ike_p1_prop *o = &sa->p1_offer[i];
		if (o->encr == p->encr && o->key_bits == p->key_bits && o->hash == p->hash &&
		    o->auth == p->auth && o->group == p->group)
			return true;
	}
	return false;
}

bool p1_pending(const struct ike_sa *sa)
{
	return sa->state == IKE_S_AM_SENT || sa->state == IKE_S_MM_SA || sa->state == IKE_S_MM_KE ||
	       sa->state == IKE_S_MM_AUTH;
}
