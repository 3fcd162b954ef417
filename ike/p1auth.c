/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Phase-1 authentication methods by side: see p1auth.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/p1auth.h"

bool p1_auth_is_rsa(uint16_t auth)
{
	return auth == IKE_AUTH_RSA_SIG || auth == IKE_AUTH_XAUTH_INIT_RSA;
}

bool p1_auth_is_hybrid(uint16_t auth)
{
	return auth == IKE_AUTH_HYBRID_INIT_RSA;
}

bool p1_skeyid_sig(uint16_t auth)
{
	return p1_auth_is_rsa(auth) || p1_auth_is_hybrid(auth);
}

bool p1_we_sign(const struct ike_sa *sa)
{
	return p1_auth_is_rsa(sa->p1.auth) ||
	       (p1_auth_is_hybrid(sa->p1.auth) && sa->role == IKE_ROLE_RESPONDER);
}

bool p1_peer_signs(const struct ike_sa *sa)
{
	return p1_auth_is_rsa(sa->p1.auth) ||
	       (p1_auth_is_hybrid(sa->p1.auth) && sa->role == IKE_ROLE_INITIATOR);
}

bool p1_auth_needs_xauth(uint16_t auth)
{
	return auth == IKE_AUTH_XAUTH_INIT_PSK || auth == IKE_AUTH_XAUTH_INIT_RSA ||
	       p1_auth_is_hybrid(auth);
}

bool p1_auth_fits(const struct ike_config *cfg, uint16_t auth)
{
	/* a connection that checks the gateway's certificate offers no method without its
	 * signature */
	return !(cfg->cert || cfg->hybrid) || p1_skeyid_sig(auth);
}

size_t p1_server_policies(const struct ike_sa *sa, bool psk, bool rsa, struct ike_p1_prop *out)
{
	/* hybrid needs no CA (the client sends no certificate), only our key, and XAUTH users */
	bool hybrid = sa->cfg.cert && sa->cfg.srv_xauth;
	size_t n = 0;
	for (size_t i = 0; i < sa->n_p1_offer; i++) {
		const struct ike_p1_prop *p = &sa->p1_offer[i];
		if (!p1_auth_is_rsa(p->auth)) {
			if (psk)
				out[n++] = *p;
			continue;
		}
		if (rsa)
			out[n++] = *p;
		if (hybrid) {
			out[n] = *p;
			out[n++].auth = IKE_AUTH_HYBRID_INIT_RSA;
		}
	}
	return n;
}

bool p1_id_group(const uint8_t *body, size_t len, char *out, size_t cap)
{
	struct isakmp_id id;
	const char *why;
	if (!isakmp_id_parse(body, len, &id, &why))
		return false;
	if (id.type != ISAKMP_ID_KEY_ID && id.type != ISAKMP_ID_FQDN &&
	    id.type != ISAKMP_ID_USER_FQDN)
		return false;
	if (id.len == 0 || id.len >= cap)
		return false;
	for (size_t i = 0; i < id.len; i++)
		if (id.data[i] < 0x20 || id.data[i] > 0x7e)
			return false;
	memcpy(out, id.data, id.len);
	out[id.len] = '\0';
	return true;
}

bool p1_group_exists(const struct ike_sa *sa, const char *group)
{
	const struct ike_server_ops *ops = sa->cfg.ops;
	struct secret psk = {NULL, 0};
	if (ops->group_exists)
		return ops->group_exists(ops->ctx, group) == 0;
	bool ok = ops->group_psk(ops->ctx, group, &psk) == 0;
	secret_clear(&psk);
	return ok;
}

static bool copy(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;
	if (n >= cap)
		return false;
	memcpy(dst, src ? src : "", n + 1);
	return true;
}

int p1_initiator_ident(struct ike_sa *sa, const struct ike_config *cfg, const char **why)
{
	if ((cfg->cert || cfg->hybrid) &&
	    (!cfg->peer_name || !*cfg->peer_name ||
	     !copy(sa->peer_name, sizeof(sa->peer_name), cfg->peer_name))) {
		*why = "no gateway name to check the gateway's certificate against";
		return -EINVAL;
	}
	if (!copy(sa->user, sizeof(sa->user), cfg->username)) {
		*why = "user name longer than 127 bytes";
		return -EINVAL;
	}
	if (cfg->cert) {
		/* main mode: the gateway takes the group from the certificate's OU */
		if (!copy(sa->group, sizeof(sa->group), x509_cred_ou(cfg->cert))) {
			*why = "the certificate's OU is longer than 127 bytes";
			return -EINVAL;
		}
		return 0;
	}
	if (!cfg->group || !*cfg->group) {
		*why = "no group name given";
		return -EINVAL;
	}
	if (!copy(sa->group, sizeof(sa->group), cfg->group)) {
		*why = "group name longer than 127 bytes";
		return -EINVAL;
	}
	/* hybrid: the gateway's signature authenticates it, XAUTH us; a group key is only
	 * hashed into AM3 for gateways that check it (Cisco's mutual group authentication) */
	if (cfg->hybrid && (!cfg->psk || !cfg->psk_len))
		return 0;
	if (!cfg->psk || !cfg->psk_len) {
		*why = "no group key given";
		return -EINVAL;
	}
	if (secret_set(&sa->psk, cfg->psk, cfg->psk_len) != 0) {
		*why = "out of memory";
		return -EINVAL;
	}
	return 0;
}

void p1_write_psk_hash(struct ike_sa *sa, struct isakmp_builder *b)
{
	uint8_t hash[HASH_MAX_LEN];
	if (!p1_auth_is_hybrid(sa->p1.auth) || !sa->psk.len)
		return;
	struct crypto_iov iov = {sa->psk.p, sa->psk.len};
	if (crypto_prf_v(sa->p1.hash, sa->skeyid.p, sa->skeyid.len, &iov, 1, hash) != 0)
		return;
	isakmp_build_open(b, ISAKMP_PL_N);
	wr_u32(&b->w, ISAKMP_DOI_IPSEC);
	wr_u8(&b->w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&b->w, 16);
	wr_u16(&b->w, ISAKMP_N_CISCO_PSK_HASH);
	wr_bytes(&b->w, sa->icky, 8);
	wr_bytes(&b->w, sa->rcky, 8);
	wr_bytes(&b->w, hash, sa->hlen);
	isakmp_build_close(b);
	mem_wipe(hash, sizeof(hash));
}

bool p1_check_psk_hash(const struct ike_sa *sa, const struct isakmp_chain *c)
{
	uint8_t want[HASH_MAX_LEN];
	bool ok = false;
	if (!p1_auth_is_hybrid(sa->p1.auth) || !sa->psk.len)
		return true;
	struct crypto_iov iov = {sa->psk.p, sa->psk.len};
	if (crypto_prf_v(sa->p1.hash, sa->skeyid.p, sa->skeyid.len, &iov, 1, want) != 0)
		goto out;
	/* every notify is looked at, so that a bogus first one cannot hide a good second one
	 * nor the reverse: one right hash is the proof */
	for (const struct isakmp_pl *pn = isakmp_chain_find(c, ISAKMP_PL_N, 0); pn;
	     pn = isakmp_chain_find(c, ISAKMP_PL_N, (size_t)(pn - c->pl) + 1)) {
		struct isakmp_notify n;
		const char *why;
		if (!isakmp_notify_parse(pn->body, pn->len, &n, &why) ||
		    n.type != ISAKMP_N_CISCO_PSK_HASH || n.data_len != sa->hlen)
			continue;
		if (crypto_ct_equal(n.data, want, sa->hlen))
			ok = true;
	}
out:
	mem_wipe(want, sizeof(want));
	return ok;
}

int p1_check_gateway_name(const struct ike_sa *sa, const struct x509_peer *p, struct mm_err *e)
{
	if (x509_peer_names(p, sa->peer_name))
		return 0;
	snprintf(e->text, sizeof(e->text),
	         "the gateway's certificate '%s' does not name %s (neither in its "
	         "subjectAltName nor as its CN): it is not the gateway you asked for; check "
	         "--gateway",
	         x509_peer_subject(p), sa->peer_name);
	e->notify = ISAKMP_N_AUTHENTICATION_FAILED;
	return -EKEYREJECTED;
}
