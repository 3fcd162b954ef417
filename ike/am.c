/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Aggressive mode with a group pre-shared key (RFC 2409 5.4), both roles:
 *   AM1 I->R  SA, KE, Ni, IDii(KEY_ID group), VIDs
 *   AM2 R->I  SA(choice), KE, Nr, IDir, HASH_R, VIDs, NAT-D x2
 *   AM3 I->R  HDR*, HASH_I, N(INITIAL-CONTACT), NAT-D x2
 * With hybrid authentication (draft-ietf-ipsec-isakmp-hybrid-auth-05, as vpnc does it) AM2
 * carries IDir (the gateway's subject), CERT and SIG_R instead of HASH_R, SKEYID is made as
 * with signatures, and HASH_I in AM3 proves nothing: the XAUTH that must follow does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/p1auth.h"
#include "ike/sa_int.h"
#include "lib/ipv4.h"

void am_start(struct ike_sa *sa)
{
	char gw[32], first[64];
	struct isakmp_hdr h;
	struct isakmp_builder b;
	uint8_t sa_body[4096];

	ipv4_str(sa->peer.addr, gw, sizeof(gw));
	if (!sa->dh_tried[0]) {
		sa_status(sa, IKE_STEP_INIT, "connecting to %s port %u as group %s", gw,
		          sa->peer.port, sa->group);
		if (sa->cfg.prop_flags & IKE_PROP_WEAK)
			sa_log(sa, IKE_LOG_WARN,
			       "offering single DES, MD5 and DH group 1 as asked: they are broken "
			       "and give no real protection; use them only for a gateway that "
			       "knows nothing else");
	}
	p1_group_timing(sa);
	size_t tl = strlen(sa->dh_tried);
	snprintf(sa->dh_tried + tl, sizeof(sa->dh_tried) - tl, "%s%u", tl ? ", " : "",
	         sa->cfg.dh_group);
	sa->dh = crypto_dh_new(sa->cfg.dh_group);
	if (!sa->dh) {
		sa_fail(sa, IKE_STEP_INIT, "cannot create a DH group %u key", sa->cfg.dh_group);
		return;
	}
	sa->g_len = crypto_dh_len(sa->cfg.dh_group);
	crypto_dh_public(sa->dh, sa->gxi, sa->g_len);
	sa->ni_len = IKE_NONCE_LEN;
	sa_rand(sa, sa->ni, sa->ni_len);

	struct wr sw = wr_init(sa_body, sizeof(sa_body));
	prop_write_p1(&sw, sa->p1_offer, sa->n_p1_offer);
	if (sw.err)
		goto overflow;
	free(sa->sai_b);
	sa->sai_b = malloc(sw.len);
	if (!sa->sai_b)
		goto overflow;
	memcpy(sa->sai_b, sa_body, sw.len);
	sa->sai_len = sw.len;

	/* Cisco clients name the group as ID_KEY_ID; 17/500 as vpnc sends it */
	struct wr iw = wr_init(sa->idi_b, sizeof(sa->idi_b));
	wr_u8(&iw, ISAKMP_ID_KEY_ID);
	wr_u8(&iw, 17);
	wr_u16(&iw, IKE_PORT);
	wr_bytes(&iw, sa->group, strlen(sa->group));
	if (iw.err)
		goto overflow;
	sa->idi_len = iw.len;

	sa_hdr(sa, &h, ISAKMP_EXCH_AGGRESSIVE, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &h);
	isakmp_build_payload(&b, ISAKMP_PL_SA, sa->sai_b, sa->sai_len);
	isakmp_build_payload(&b, ISAKMP_PL_KE, sa->gxi, sa->g_len);
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, sa->ni, sa->ni_len);
	isakmp_build_payload(&b, ISAKMP_PL_ID, sa->idi_b, sa->idi_len);
	/* hybrid: the CAs whose certificate we take from the gateway (none with a group key) */
	mm_write_certreqs(sa, &b);
	natt_write_vids(sa, &b);
	size_t len = isakmp_build_finish(&b);
	if (!len)
		goto overflow;
	sa_set_state(sa, IKE_S_AM_SENT);
	sa_status(sa, IKE_STEP_PROPOSALS,
	          "sent %zu phase-1 proposals (aggressive mode, DH group %u %s, first %s)",
	          sa->n_p1_offer, sa->cfg.dh_group, crypto_dh_name(sa->cfg.dh_group),
	          ike_p1_str(&sa->p1_offer[0], first, sizeof(first)));
	sa_send(sa, sa->tx, len, true, false, IKE_STEP_PROPOSALS);
	return;
overflow:
	sa_fail(sa, IKE_STEP_INIT, "the first message does not fit in %zu bytes", sizeof(sa->tx));
}

/* Starts again with DH group next (a new cookie, a new key pair). */
static void restart_with(struct ike_sa *sa, unsigned next)
{
	sa_rexmit_stop(sa);
	crypto_dh_free(sa->dh);
	sa->dh = NULL;
	sa->cfg.dh_group = next;
	for (size_t k = 0; k < sa->n_p1_offer; k++)
		sa->p1_offer[k].group = (uint8_t)next;
	/* a new initiator cookie: the gateway may still hold the refused attempt under the old */
	do
		sa_rand(sa, sa->icky, 8);
	while (sa->icky[0] == 0 && sa->icky[7] == 0);
	sa->have_last_rx = false;
	sa_set_state(sa, IKE_S_IDLE);
	if (sa->cfg.cert || sa->cfg.psk_main)
		mm_start(sa);
	else
		am_start(sa);
}

bool am_fallback(struct ike_sa *sa, uint16_t notify)
{
	/* main mode offers one group at a time too, so a refusal of MM1 falls back the same way */
	if (sa->role != IKE_ROLE_INITIATOR ||
	    (sa->state != IKE_S_AM_SENT && sa->state != IKE_S_MM_SA) || !sa->dh_auto ||
	    (notify != ISAKMP_N_NO_PROPOSAL_CHOSEN && notify != ISAKMP_N_INVALID_KEY_INFORMATION))
		return false;
	unsigned next = ike_dh_next_group(sa->cfg.dh_group, sa->cfg.prop_flags);
	if (!next)
		return false;
	/* The notify is unauthenticated, so a forged one can only move evc down this list, to
	 * groups the configuration allows anyway. */
	sa_status(sa, IKE_STEP_PROPOSALS,
	          "the gateway refused DH group %u %s (%s); trying group %u %s", sa->cfg.dh_group,
	          crypto_dh_name(sa->cfg.dh_group), isakmp_notify_name(notify), next,
	          crypto_dh_name(next));
	restart_with(sa, next);
	return true;
}

void am_tick(struct ike_sa *sa)
{
	if (sa->role != IKE_ROLE_INITIATOR ||
	    (sa->state != IKE_S_AM_SENT && sa->state != IKE_S_MM_SA) || !sa->p1_group_deadline ||
	    sa->now < sa->p1_group_deadline)
		return;
	/* the gateway did answer, with something unusable (a wrong HASH_R): the
	 * retransmissions end that with the explanation, not another group */
	if (sa->last_drop[0])
		return;
	unsigned next = ike_dh_next_group(sa->cfg.dh_group, sa->cfg.prop_flags);
	struct ike_endpoint p = sa->peer;
	if (!next || sa->now >= sa->p1_give_up_at) {
		sa_fail(sa, IKE_STEP_PROPOSALS,
		        "no answer from the gateway %u.%u.%u.%u port %u to %s mode in DH groups "
		        "%s within %llu s; check the gateway address and that UDP ports 500 and "
		        "4500 reach it",
		        p.addr >> 24, (p.addr >> 16) & 255, (p.addr >> 8) & 255, p.addr & 255,
		        p.port, sa->cfg.cert || sa->cfg.psk_main ? "main" : "aggressive",
		        sa->dh_tried, (unsigned long long)(sa_rexmit_budget(sa) + 999) / 1000);
		return;
	}
	/* some gateways drop a first message whose group they do not take instead of refusing
	 * it */
	sa_status(sa, IKE_STEP_PROPOSALS,
	          "no answer to DH group %u %s after %u tries; trying group %u %s",
	          sa->cfg.dh_group, crypto_dh_name(sa->cfg.dh_group), sa->rx.tries + 1, next,
	          crypto_dh_name(next));
	restart_with(sa, next);
}

static void send_am3(struct ike_sa *sa, const uint8_t *hash_i)
{
	struct isakmp_hdr h;
	struct isakmp_builder b;

	if (natt_use_udp(sa)) {
		/* RFC 3947 4: float to 4500 with the third message */
		sa->facts |= F_FLOATED;
		sa->local.port = IKE_NATT_PORT;
		sa->peer.port = IKE_NATT_PORT;
	}
	sa_hdr(sa, &h, ISAKMP_EXCH_AGGRESSIVE, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &h);
	isakmp_build_payload(&b, ISAKMP_PL_HASH, hash_i, sa->hlen);
	/* INITIAL-CONTACT: the gateway may drop stale SAs of this identity (not when this SA
	 * replaces one of ours: the gateway must keep its ESP SAs) */
	if (!sa->cfg.p1_rekey)
		info_send_initial_contact(sa, &b);
	p1_write_psk_hash(sa, &b);
	natt_write_natd(sa, &b, &sa->peer, &sa->local);
	size_t len = isakmp_build_finish(&b);
	if (len)
		len = sa_encrypt(sa, sa->tx, len, sizeof(sa->tx), ISAKMP_EXCH_AGGRESSIVE, 0);
	if (!len) {
		sa_fail(sa, IKE_STEP_PHASE1, "cannot build the third message");
		return;
	}
	memcpy(sa->p1_last, sa->iv, sa->bs);
	/* The gateway's first XAUTH request is the only acknowledgement of AM3. */
	sa_send(sa, sa->tx, len, (sa->facts & F_NEED_XAUTH) != 0, false, IKE_STEP_PHASE1);
}

static void phase1_done_status(struct ike_sa *sa)
{
	char p[64];
	if (sa->peer_cert)
		sa_status(sa, IKE_STEP_PHASE1,
		          "phase 1 established: %s, hybrid, gateway certificate '%s'%s",
		          ike_p1_str(&sa->p1, p, sizeof(p)), x509_peer_subject(sa->peer_cert),
		          natt_use_udp(sa) ? ", NAT-T (UDP 4500)" : "");
	else
		sa_status(sa, IKE_STEP_PHASE1, "phase 1 established: %s%s%s",
		          ike_p1_str(&sa->p1, p, sizeof(p)),
		          p1_auth_is_hybrid(sa->p1.auth) ? ", hybrid (XAUTH must follow)" : "",
		          natt_use_udp(sa) ? ", NAT-T (UDP 4500)" : "");
}

/* Hybrid: a damaged or forged AM2 is dropped; the genuine one may still come, in two more
 * tries (as for a wrong HASH_R). */
static enum ike_verdict am2_drop_auth(struct ike_sa *sa, struct p1_keys *k, const char *text)
{
	p1_keys_clear(k);
	sa_explain(sa, IKE_STEP_PHASE1, "%s", text);
	if (sa->rx.max > sa->rx.tries + 2)
		sa->rx.max = sa->rx.tries + 2;
	return sa_drop(sa, "dropped second message: %s", text);
}

/* Hybrid: AM2's SIG_R over hash with the gateway's certificate, then its chain and name.
 * 0 with *out the certificate; IKE_V_DROP or IKE_V_FATAL as the verdict otherwise. */
static int am2_check_sig(struct ike_sa *sa, const struct isakmp_chain *c,
                         const struct isakmp_pl *pid, const uint8_t *hash, struct p1_keys *k,
                         struct x509_peer **out, enum ike_verdict *v)
{
	struct mm_err e;
	int rc = p1_check_signed(sa, c, pid, hash, k->hlen, out, &e);
	if (rc == -EINVAL || rc == -EBADMSG) {
		*v = am2_drop_auth(sa, k, e.text);
		return rc;
	}
	if (!rc && (rc = p1_check_gateway_name(sa, *out, &e)) != 0) {
		x509_peer_free(*out);
		*out = NULL;
	}
	if (rc) {
		p1_keys_clear(k);
		if (e.notify)
			info_send_plain_notify(sa, e.notify);
		sa_fail(sa, IKE_STEP_PHASE1, "%s", e.text);
		*v = IKE_V_FATAL;
	}
	return rc;
}
/*
 * AM2 proves nothing until HASH_R verifies, so everything is computed into locals and the SA
 * is changed only after that: a forged or damaged answer is dropped and the SA keeps waiting
 * for the genuine one (the retransmission of AM1 asks for it again). Only when no answer
 * verifies before the retransmissions run out does the SA fail, with the explanation.
 */
static enum ike_verdict am2_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct isakmp_chain c;
	struct isakmp_sa sap;
	const char *why = NULL;
	uint8_t hash[HASH_MAX_LEN];
	struct p1_keys k;
	char ps[64];

	if (h->flags & ISAKMP_FLAG_E)
		return sa_drop(sa, "dropped encrypted second aggressive-mode message");
	if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h->np, &c, &why))
		return sa_drop(sa, "dropped malformed second message: %s", why);
	const struct isakmp_pl *psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	const struct isakmp_pl *pke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
	const struct isakmp_pl *pn = isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0);
	const struct isakmp_pl *pid = isakmp_chain_find(&c, ISAKMP_PL_ID, 0);
	const struct isakmp_pl *ph = isakmp_chain_find(&c, ISAKMP_PL_HASH, 0);
	if (!psa || !pke || !pn || !pid)
		return sa_drop(sa, "dropped second message without SA, KE, nonce or ID");
	if (!isakmp_sa_parse(psa->body, psa->len, &sap, &why)) {
		sa_explain(sa, IKE_STEP_PHASE1, "the gateway's chosen proposal is malformed (%s)",
		           why);
		return sa_drop(sa, "dropped second message: malformed proposal (%s)", why);
	}
	struct ike_p1_prop chosen;
	if (sap.np != 1 || sap.nt != 1 || sap.p[0].proto != ISAKMP_PROTO_ISAKMP ||
	    !prop_read_p1(&sap.t[0], &chosen) || !p1_offered(sa, &chosen)) {
		sa_explain(sa, IKE_STEP_PHASE1,
		           "the gateway answered with a proposal evc did not offer");
		return sa_drop(sa, "dropped second message: a proposal evc did not offer");
	}
	if (pke->len != sa->g_len)
		return sa_drop(sa,
		               "dropped second message: a %zu-byte DH value, group %u needs %zu",
		               pke->len, chosen.group, sa->g_len);
	if (pn->len < 8 || pn->len > IKE_MAX_NONCE)
		return sa_drop(sa, "dropped second message with a %zu-byte nonce", pn->len);
	if (pid->len > sizeof(sa->idr_b) || h->rcky[0] + h->rcky[1] + h->rcky[2] + h->rcky[3] +
	                                            h->rcky[4] + h->rcky[5] + h->rcky[6] +
	                                            h->rcky[7] ==
	                                        0)
		return sa_drop(sa, "dropped second message with a bad ID or cookie");

	if (p1_keys_derive(sa, &chosen, pke->body, sa->gxi, pke->body, sa->ni, sa->ni_len, pn->body,
	                   pn->len, h->rcky, &k) != 0)
		return sa_drop(sa, "dropped second message: its DH value is invalid for group %u",
		               chosen.group);
	bool ok =
	    ike_hash_auth(chosen.hash, &k.skeyid, pke->body, sa->g_len, sa->gxi, sa->g_len, h->rcky,
	                  sa->icky, sa->sai_b, sa->sai_len, pid->body, pid->len, hash) == 0;
	struct x509_peer *gw_cert = NULL;
	enum ike_verdict v = IKE_V_DROP;
	if (ok && p1_auth_is_hybrid(chosen.auth)) {
		if (am2_check_sig(sa, &c, pid, hash, &k, &gw_cert, &v) != 0)
			return v;
	} else if (!ok || !ph || ph->len != k.hlen || !crypto_ct_equal(hash, ph->body, k.hlen)) {
		p1_keys_clear(&k);
		sa_explain(sa, IKE_STEP_PHASE1,
		           "the gateway's authentication hash does not verify; the group key for "
		           "group %s is wrong (check --group-key-file), or the gateway is not the "
		           "one you meant",
		           sa->group);
		/* a genuine answer would have come by now: two more tries, not five */
		if (sa->rx.max > sa->rx.tries + 2)
			sa->rx.max = sa->rx.tries + 2;
		return sa_drop(sa, "dropped second message whose HASH_R does not verify");
	}

	/* authenticated: commit */
	sa->peer_cert = gw_cert;
	memcpy(sa->rcky, h->rcky, 8);
	info_read_p1_lifetime(sa, &c, &chosen);
	sa->p1 = chosen;
	sa->auth = chosen.auth;
	memcpy(sa->gxr, pke->body, sa->g_len);
	memcpy(sa->nr, pn->body, pn->len);
	sa->nr_len = pn->len;
	memcpy(sa->idr_b, pid->body, pid->len);
	sa->idr_len = pid->len;
	p1_keys_commit(sa, &k);
	sa_rexmit_stop(sa);
	sa->p1_group_deadline = 0;
	natt_read_vids(sa, &c);
	natt_check_natd(sa, &c, from, to);
	if (p1_auth_needs_xauth(sa->p1.auth))
		sa->facts |= F_NEED_XAUTH;

	if (ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxi, sa->g_len, sa->gxr, sa->g_len,
	                  sa->icky, sa->rcky, sa->sai_b, sa->sai_len, sa->idi_b, sa->idi_len,
	                  hash) != 0) {
		sa_fail(sa, IKE_STEP_PHASE1, "cannot compute HASH_I");
		return IKE_V_FATAL;
	}
	sa_set_state(sa, IKE_S_P1_DONE);
	sa_p1_life_start(sa);
	send_am3(sa, hash);
	if (sa->state == IKE_S_DEAD)
		return IKE_V_FATAL;
	sa_log(sa, IKE_LOG_DEBUG, "phase 1 with %s", ike_p1_str(&sa->p1, ps, sizeof(ps)));
	phase1_done_status(sa);
	if (sa->facts & F_NEED_XAUTH)
		sa_status(sa, IKE_STEP_XAUTH, "waiting for the gateway's XAUTH request");
	return IKE_V_OK;
}

/* ---- responder ---- */

/* Why a first message ended its SA, and the notify (if any) that tells the sender. */
struct am1_err {
	enum ike_step step;
	uint16_t notify;
	char text[256];
};

static void __attribute__((format(printf, 4, 5)))
am1_err_set(struct am1_err *e, enum ike_step step, uint16_t notify, const char *fmt, ...)
{
	va_list ap;
	e->step = step;
	e->notify = notify;
	va_start(ap, fmt);
	vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
}

/*
 * The responder's answer to AM1. Every check that a datagram can fail runs before anything
 * costly (group lookup, key generation); every way out that does not send AM2 ends the SA,
 * so no half-open SA is left without a timer.
 */
static enum ike_verdict am1_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct p1_keys k;
	struct isakmp_chain c;
	struct isakmp_sa sap;
	const char *why = NULL;
	uint8_t hash[HASH_MAX_LEN];
	uint8_t choice[IKE_MAX_SA_PAYLOAD];
	char peer[32], ps[64];
	struct isakmp_hdr rh;
	struct isakmp_builder b;
	struct am1_err e = {IKE_STEP_PROPOSALS, 0, ""};

	ipv4_str(from->addr, peer, sizeof(peer));
	memcpy(sa->icky, h->icky, 8);
	sa->peer = *from;
	sa->local = *to;
	if (h->flags & ISAKMP_FLAG_E) {
		am1_err_set(&e, IKE_STEP_PROPOSALS, 0, "encrypted first message from %s", peer);
		goto fail;
	}
	if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h->np, &c, &why)) {
		am1_err_set(&e, IKE_STEP_PROPOSALS, 0, "malformed first message from %s: %s", peer,
		            why);
		goto fail;
	}
	const struct isakmp_pl *psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	const struct isakmp_pl *pke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
	const struct isakmp_pl *pn = isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0);
	const struct isakmp_pl *pid = isakmp_chain_find(&c, ISAKMP_PL_ID, 0);
	if (psa && psa->len > IKE_MAX_SA_PAYLOAD - 64) {
		/* hundreds of transforms: more than any client needs (evc sends at most 64) */
		am1_err_set(&e, IKE_STEP_PROPOSALS, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		            "the proposals from %s take %zu bytes, more than the %u evs reads; "
		            "the client must offer fewer transforms",
		            peer, psa->len, (unsigned)(IKE_MAX_SA_PAYLOAD - 64));
		goto fail;
	}
	if (!psa || !pke || !pn || !pid || pn->len < 8 || pn->len > IKE_MAX_NONCE ||
	    pid->len > sizeof(sa->idi_b)) {
		am1_err_set(&e, IKE_STEP_PROPOSALS, 0,
		            "first message from %s lacks SA, KE, nonce or ID, or one is too large",
		            peer);
		goto fail;
	}
	if (!p1_id_group(pid->body, pid->len, sa->group, sizeof(sa->group))) {
		am1_err_set(&e, IKE_STEP_PROPOSALS, ISAKMP_N_INVALID_ID_INFORMATION,
		            "%s sent an identity that is not a group name", peer);
		goto fail;
	}
	if (!isakmp_sa_parse(psa->body, psa->len, &sap, &why) || sap.nt == 0) {
		am1_err_set(&e, IKE_STEP_PROPOSALS, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		            "malformed proposals from %s: %s", peer, why ? why : "no transform");
		goto fail;
	}
	/* In aggressive mode the KE fixes the group: the one all offered transforms carry. */
	unsigned ke_group = 0;
	for (size_t i = 0; i < sap.nt && !ke_group; i++) {
		struct ike_p1_prop t;
		if (prop_read_p1(&sap.t[i], &t))
			ke_group = t.group;
	}
	if (!ke_group || crypto_dh_len(ke_group) != pke->len) {
		am1_err_set(&e, IKE_STEP_PROPOSALS,
		            ke_group ? ISAKMP_N_INVALID_KEY_INFORMATION
		                     : ISAKMP_N_NO_PROPOSAL_CHOSEN,
		            "%s offered no usable DH group, or a KE of the wrong size", peer);
		goto fail;
	}
	if (!crypto_dh_peer_ok(ke_group, pke->body, pke->len)) {
		am1_err_set(&e, IKE_STEP_PHASE1, ISAKMP_N_INVALID_KEY_INFORMATION,
		            "invalid DH public value from %s", peer);
		goto fail;
	}
	/* Aggressive mode is done with a group key, or hybrid (only we sign, in AM2): a client
	 * certificate would need a fourth message, so plain rsa-sig is never chosen for it. */
	struct ike_p1_prop pol[2 * IKE_MAX_P1];
	size_t n_pol = p1_server_policies(sa, true, false, pol);
	int ti =
	    n_pol ? prop_choose_p1(&sap, pol, n_pol, ke_group, sa->cfg.srv_xauth, &sa->p1) : -1;
	if (ti < 0) {
		am1_err_set(&e, IKE_STEP_PHASE1, ISAKMP_N_NO_PROPOSAL_CHOSEN,
		            "none of the %zu proposals of %s (group %s) matches a crypto isakmp "
		            "policy with 'authentication pre-share' (aggressive mode is only done "
		            "with a pre-shared key, or hybrid with 'rsa-sig', --cert and XAUTH)",
		            sap.nt, peer, sa->group);
		goto fail;
	}
	struct wr cw = wr_init(choice, sizeof(choice));
	prop_write_p1_choice(&cw, &sap, ti);
	if (cw.err) {
		am1_err_set(&e, IKE_STEP_PHASE1, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		            "the chosen proposal of %s does not fit in an answer", peer);
		goto fail;
	}
	/* hybrid: the group's key, if it has one, is not in SKEYID but AM3 must prove it (see
	 * p1_check_psk_hash); -ENOENT for a known group is one without a key */
	int grc = sa->cfg.ops->group_psk(sa->cfg.ops->ctx, sa->group, &sa->psk);
	if (p1_auth_is_hybrid(sa->p1.auth) && grc == -ENOENT && p1_group_exists(sa, sa->group))
		grc = 0;
	if (grc != 0) {
		am1_err_set(&e, IKE_STEP_PHASE1, ISAKMP_N_INVALID_ID_INFORMATION,
		            "%s asked for unknown group %s", peer, sa->group);
		goto fail;
	}
	sa->auth = sa->p1.auth;
	sa->g_len = pke->len;
	memcpy(sa->gxi, pke->body, sa->g_len);
	memcpy(sa->ni, pn->body, pn->len);
	sa->ni_len = pn->len;
	memcpy(sa->idi_b, pid->body, pid->len);
	sa->idi_len = pid->len;
	free(sa->sai_b);
	sa->sai_b = malloc(psa->len);
	if (!sa->sai_b) {
		am1_err_set(&e, IKE_STEP_PHASE1, 0, "out of memory for the first message of %s",
		            peer);
		goto fail;
	}
	memcpy(sa->sai_b, psa->body, psa->len);
	sa->sai_len = psa->len;

	natt_read_vids(sa, &c);
	sa_rand(sa, sa->rcky, 8);
	sa->dh = crypto_dh_new(ke_group);
	sa->nr_len = 32;
	sa_rand(sa, sa->nr, sa->nr_len);
	if (!sa->dh || crypto_dh_public(sa->dh, sa->gxr, sa->g_len) != 0 ||
	    p1_keys_derive(sa, &sa->p1, sa->gxi, sa->gxi, sa->gxr, sa->ni, sa->ni_len, sa->nr,
	                   sa->nr_len, sa->rcky, &k) != 0) {
		am1_err_set(&e, IKE_STEP_PHASE1, ISAKMP_N_INVALID_KEY_INFORMATION,
		            "invalid DH public value from %s", peer);
		goto fail;
	}
	p1_keys_commit(sa, &k); /* this SA exists for this message alone */
	sa->idr_len = mm_id_body(sa, sa->idr_b, sizeof(sa->idr_b));
	if (!sa->idr_len || ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxr, sa->g_len, sa->gxi,
	                                  sa->g_len, sa->rcky, sa->icky, sa->sai_b, sa->sai_len,
	                                  sa->idr_b, sa->idr_len, hash) != 0) {
		am1_err_set(&e, IKE_STEP_PHASE1, 0, "cannot compute HASH_R for %s", peer);
		goto fail;
	}

	sa_hdr(sa, &rh, ISAKMP_EXCH_AGGRESSIVE, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &rh);
	isakmp_build_payload(&b, ISAKMP_PL_SA, choice, cw.len);
	isakmp_build_payload(&b, ISAKMP_PL_KE, sa->gxr, sa->g_len);
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, sa->nr, sa->nr_len);
	/* ID and HASH_R, or with hybrid ID, CERT and SIG_R */
	bool signed_ok = mm_write_auth(sa, &b, sa->idr_b, sa->idr_len, hash, false);
	info_write_p1_lifetime(sa, &b, &sap.t[ti]);
	natt_write_vids(sa, &b);
	natt_write_natd(sa, &b, from, to);
	size_t n = signed_ok ? isakmp_build_finish(&b) : 0;
	if (!n) {
		am1_err_set(&e, IKE_STEP_PHASE1, 0, "the answer to %s does not fit in %zu bytes",
		            peer, sizeof(sa->tx));
		goto fail;
	}
	if (p1_auth_needs_xauth(sa->p1.auth))
		sa->facts |= F_NEED_XAUTH;
	sa_log(sa, IKE_LOG_INFO, "%s group %s: chose %s", peer, sa->group,
	       ike_p1_str(&sa->p1, ps, sizeof(ps)));
	sa_set_state(sa, IKE_S_AM_SENT);
	sa_send(sa, sa->tx, n, true, true, IKE_STEP_PHASE1);
	/* the source is not verified until AM3: a spoofed AM1 earns few repeats */
	sa->rx.max = IKE_UNAUTH_RETRANSMITS;
	return IKE_V_OK;
fail:
	/* the KE's key pair, if any, dies with the SA; a repeat of this AM1 starts afresh */
	if (e.notify)
		info_send_plain_notify(sa, e.notify);
	sa_fail(sa, e.step, "%s", e.text);
	return IKE_V_FATAL;
}
/*
 * AM3 authenticates the client: a third message whose HASH_I does not verify is dropped (it
 * may be forged) and the SA waits for the genuine one until AM2's retransmissions run out.
 * The IV chain is committed only for the message that verified.
 */
static enum ike_verdict am3_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct isakmp_chain c;
	const char *why = NULL;
	uint8_t hash[HASH_MAX_LEN];
	uint8_t new_iv[CIPHER_BLOCK_MAX];
	const uint8_t *body = pkt + ISAKMP_HDR_LEN;
	size_t body_len = len - ISAKMP_HDR_LEN;
	bool enc = (h->flags & ISAKMP_FLAG_E) != 0;

	/* RFC 2409 draws AM3 in clear, vpnc encrypts it: accept both. */
	if (enc) {
		int n = sa_decrypt(sa, pkt, len, h, sa->rxbuf, sizeof(sa->rxbuf), new_iv);
		if (n < 0)
			return sa_drop(sa, "dropped third message that does not decrypt");
		body = sa->rxbuf;
		body_len = (size_t)n;
	}
	if (!isakmp_chain_parse(body, body_len, h->np, &c, &why))
		return sa_drop(sa, "dropped malformed third message: %s", why);
	const struct isakmp_pl *ph = isakmp_chain_find(&c, ISAKMP_PL_HASH, 0);
	if (!ph || ph->len != sa->hlen ||
	    ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxi, sa->g_len, sa->gxr, sa->g_len,
	                  sa->icky, sa->rcky, sa->sai_b, sa->sai_len, sa->idi_b, sa->idi_len,
	                  hash) != 0 ||
	    !crypto_ct_equal(hash, ph->body, sa->hlen)) {
		char peer[32];
		ipv4_str(from->addr, peer, sizeof(peer));
		sa_explain(sa, IKE_STEP_PHASE1,
		           "the authentication hash of %s (group %s) does not verify: the client "
		           "uses a different group key",
		           peer, sa->group);
		return sa_drop(sa, "dropped third message from %s whose HASH_I does not verify",
		               peer);
	}
	if (!p1_check_psk_hash(sa, &c)) {
		/* HASH_I verified, so this is the client that did the exchange, not a forger:
		 * end here, before XAUTH is asked and before any policy is taken */
		char peer[32];
		ipv4_str(from->addr, peer, sizeof(peer));
		info_send_plain_notify(sa, ISAKMP_N_AUTHENTICATION_FAILED);
		sa_fail(sa, IKE_STEP_PHASE1,
		        "hybrid client %s did not prove the group key of group %s (no or a wrong "
		        "PRESHARED_KEY_HASH notify in its third message; give the client the "
		        "group's key)",
		        peer, sa->group);
		return IKE_V_FATAL;
	}
	if (enc) {
		sa_commit_iv(sa, h->exch, 0, new_iv);
		sa->facts |= F_AM3_ENCRYPTED;
	}
	memcpy(sa->p1_last, sa->iv, sa->bs);
	sa_rexmit_stop(sa);
	/* the client may have floated to 4500 (and a NAT may have changed its port) */
	sa->peer = *from;
	sa->local = *to;
	if (to->port == IKE_NATT_PORT)
		sa->facts |= F_FLOATED;
	natt_check_natd(sa, &c, from, to);
	sa_set_state(sa, IKE_S_P1_DONE);
	sa_p1_life_start(sa);
	info_read_initial_contact(sa, &c);
	phase1_done_status(sa);
	return IKE_V_OK;
}
enum ike_verdict am_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                          size_t len, const struct ike_endpoint *from,
                          const struct ike_endpoint *to)
{
	if (h->msgid != 0)
		return sa_drop(sa, "dropped aggressive-mode message with message ID %08x",
		               h->msgid);
	if (sa->role == IKE_ROLE_INITIATOR && sa->state == IKE_S_AM_SENT)
		return am2_input(sa, h, pkt, len, from, to);
	if (sa->role == IKE_ROLE_RESPONDER && sa->state == IKE_S_IDLE)
		return am1_input(sa, h, pkt, len, from, to);
	if (sa->role == IKE_ROLE_RESPONDER && sa->state == IKE_S_AM_SENT)
		return am3_input(sa, h, pkt, len, from, to);
	sa_log(sa, IKE_LOG_DEBUG, "ignored aggressive-mode message in state %s",
	       sa_state_name(sa->state));
	return IKE_V_DROP;
}
