/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Main mode with RSA signatures (RFC 2409 5.1), both roles:
 *   MM1 I->R  SA, VIDs
 *   MM2 R->I  SA(choice), VIDs
 *   MM3 I->R  KE, Ni, CERTREQ, NAT-D x2
 *   MM4 R->I  KE, Nr, CERTREQ, NAT-D x2
 *   MM5 I->R  HDR*, IDii(DN), CERT, CERTREQ, N(INITIAL-CONTACT), SIG_I
 *   MM6 R->I  HDR*, IDir(DN), CERT, SIG_R
 * SKEYID = prf(Ni_b | Nr_b, g^xy); SIG_x is the PKCS#1 signature of HASH_x. The group of a
 * client is its certificate's OU (seed 000, Task 2). XAUTH, mode-config and quick mode follow
 * as after aggressive mode.
 * With a pre-shared key (RFC 2409 5.4) MM5 and MM6 carry ID (ID_IPV4_ADDR) and HASH_I or
 * HASH_R instead of ID, CERT and SIG, and SKEYID = prf(PSK, Ni_b | Nr_b): the responder must
 * know the key from MM1, so it is the one configured for the client's address, which also
 * names the client's group.
 * With hybrid authentication MM5 carries ID (ID_KEY_ID, the group) and HASH_I, MM6 ID, CERT and
 * SIG_R, SKEYID as with signatures; the client is authenticated by the XAUTH that must follow.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/p1auth.h"
#include "ike/sa_int.h"
#include "lib/ipv4.h"

static void phase1_done(struct ike_sa *sa)
{
	char p[64];
	sa_set_state(sa, IKE_S_P1_DONE);
	sa_p1_life_start(sa);
	if (p1_auth_needs_xauth(sa->p1.auth))
		sa->facts |= F_NEED_XAUTH;
	if (p1_auth_is_hybrid(sa->p1.auth) && !sa->peer_cert)
		sa_status(sa, IKE_STEP_PHASE1,
		          "phase 1 established: %s, main mode, hybrid (the client has no "
		          "certificate: XAUTH must authenticate it)%s",
		          ike_p1_str(&sa->p1, p, sizeof(p)),
		          natt_use_udp(sa) ? ", NAT-T (UDP 4500)" : "");
	else if (sa->peer_cert)
		sa_status(
		    sa, IKE_STEP_PHASE1, "phase 1 established: %s, main mode, %scertificate '%s'%s",
		    ike_p1_str(&sa->p1, p, sizeof(p)),
		    p1_auth_is_hybrid(sa->p1.auth) ? "hybrid, gateway " : "",
		    x509_peer_subject(sa->peer_cert), natt_use_udp(sa) ? ", NAT-T (UDP 4500)" : "");
	else
		sa_status(sa, IKE_STEP_PHASE1,
		          "phase 1 established: %s, main mode, pre-shared key%s",
		          ike_p1_str(&sa->p1, p, sizeof(p)),
		          natt_use_udp(sa) ? ", NAT-T (UDP 4500)" : "");
}

/* ---- initiator ---- */

void mm_start(struct ike_sa *sa)
{
	char gw[32], first[64];
	struct isakmp_hdr h;
	struct isakmp_builder b;
	uint8_t sa_body[4096];

	ipv4_str(sa->peer.addr, gw, sizeof(gw));
	if (!sa->dh_tried[0] && sa->cfg.cert)
		sa_status(sa, IKE_STEP_INIT, "connecting to %s port %u with certificate '%s'", gw,
		          sa->peer.port, x509_cred_name(sa->cfg.cert));
	else if (!sa->dh_tried[0])
		sa_status(sa, IKE_STEP_INIT,
		          "connecting to %s port %u in main mode with the group key", gw,
		          sa->peer.port);
	p1_group_timing(sa);
	size_t tl = strlen(sa->dh_tried);
	snprintf(sa->dh_tried + tl, sizeof(sa->dh_tried) - tl, "%s%u", tl ? ", " : "",
	         sa->cfg.dh_group);
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

	sa_hdr(sa, &h, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &h);
	isakmp_build_payload(&b, ISAKMP_PL_SA, sa->sai_b, sa->sai_len);
	natt_write_vids(sa, &b);
	size_t len = isakmp_build_finish(&b);
	if (!len)
		goto overflow;
	sa_set_state(sa, IKE_S_MM_SA);
	sa_status(sa, IKE_STEP_PROPOSALS,
	          "sent %zu phase-1 proposals (main mode, DH group %u %s, first %s)",
	          sa->n_p1_offer, sa->cfg.dh_group, crypto_dh_name(sa->cfg.dh_group),
	          ike_p1_str(&sa->p1_offer[0], first, sizeof(first)));
	sa_send(sa, sa->tx, len, true, false, IKE_STEP_PROPOSALS);
	return;
overflow:
	sa_fail(sa, IKE_STEP_INIT, "the first message does not fit in %zu bytes", sizeof(sa->tx));
}

static bool cookie_set(const uint8_t c[8])
{
	uint8_t any = 0;
	for (size_t i = 0; i < 8; i++)
		any |= c[i];
	return any != 0;
}

/* MM2: the gateway's choice. Nothing is authenticated in main mode before MM6, so this is
 * taken as it comes; a forged choice only leads to a signature that never verifies. */
static enum ike_verdict mm2_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len)
{
	struct isakmp_chain c;
	struct isakmp_sa sap;
	const char *why = NULL;
	struct ike_p1_prop chosen;

	if (h->flags & ISAKMP_FLAG_E)
		return sa_drop(sa, "dropped encrypted second main-mode message");
	if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h->np, &c, &why))
		return sa_drop(sa, "dropped malformed second message: %s", why);
	const struct isakmp_pl *psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	if (!psa || !cookie_set(h->rcky))
		return sa_drop(sa, "dropped second main-mode message without SA or cookie");
	if (!isakmp_sa_parse(psa->body, psa->len, &sap, &why) || sap.np != 1 || sap.nt != 1 ||
	    sap.p[0].proto != ISAKMP_PROTO_ISAKMP || !prop_read_p1(&sap.t[0], &chosen) ||
	    !p1_offered(sa, &chosen)) {
		sa_explain(sa, IKE_STEP_PHASE1,
		           "the gateway answered with a proposal evc did not offer");
		return sa_drop(sa, "dropped second message: a proposal evc did not offer");
	}
	crypto_dh_free(sa->dh);
	sa->dh = crypto_dh_new(chosen.group);
	sa->g_len = crypto_dh_len(chosen.group);
	if (!sa->dh || crypto_dh_public(sa->dh, sa->gxi, sa->g_len) != 0) {
		sa_fail(sa, IKE_STEP_PHASE1, "cannot create a DH group %u key", chosen.group);
		return IKE_V_FATAL;
	}
	info_read_p1_lifetime(sa, &c, &chosen);
	memcpy(sa->rcky, h->rcky, 8);
	sa->p1 = chosen;
	sa->auth = chosen.auth;
	sa->hlen = crypto_hash_len(chosen.hash);
	sa->p1_group_deadline = 0;
	natt_read_vids(sa, &c);
	sa->ni_len = IKE_NONCE_LEN;
	sa_rand(sa, sa->ni, sa->ni_len);

	struct isakmp_hdr rh;
	struct isakmp_builder b;
	sa_hdr(sa, &rh, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &rh);
	isakmp_build_payload(&b, ISAKMP_PL_KE, sa->gxi, sa->g_len);
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, sa->ni, sa->ni_len);
	mm_write_certreqs(sa, &b);
	natt_write_natd(sa, &b, &sa->peer, &sa->local);
	size_t n = isakmp_build_finish(&b);
	if (!n) {
		sa_fail(sa, IKE_STEP_PHASE1, "cannot build the third message");
		return IKE_V_FATAL;
	}
	sa_set_state(sa, IKE_S_MM_KE);
	sa_send(sa, sa->tx, n, true, false, IKE_STEP_PHASE1);
	return IKE_V_OK;
}

/* MM4: the gateway's KE and nonce; the keys follow, and MM5 carries our signature. */
static enum ike_verdict mm4_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct isakmp_chain c;
	const char *why = NULL;
	struct p1_keys k;
	uint8_t hash[HASH_MAX_LEN];

	if (h->flags & ISAKMP_FLAG_E)
		return sa_drop(sa, "dropped encrypted fourth main-mode message");
	if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h->np, &c, &why))
		return sa_drop(sa, "dropped malformed fourth message: %s", why);
	const struct isakmp_pl *pke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
	const struct isakmp_pl *pn = isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0);
	if (!pke || !pn || pke->len != sa->g_len || pn->len < 8 || pn->len > IKE_MAX_NONCE)
		return sa_drop(sa, "dropped fourth message without a KE of %zu bytes or a nonce",
		               sa->g_len);
	if (p1_keys_derive(sa, &sa->p1, pke->body, sa->gxi, pke->body, sa->ni, sa->ni_len, pn->body,
	                   pn->len, sa->rcky, &k) != 0)
		return sa_drop(sa, "dropped fourth message: its DH value is invalid for group %u",
		               sa->p1.group);
	memcpy(sa->gxr, pke->body, sa->g_len);
	memcpy(sa->nr, pn->body, pn->len);
	sa->nr_len = pn->len;
	p1_keys_commit(sa, &k);
	natt_check_natd(sa, &c, from, to);
	mm_note_certreqs(sa, &c);

	sa->idi_len = mm_id_body(sa, sa->idi_b, sizeof(sa->idi_b));
	if (!sa->idi_len || ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxi, sa->g_len, sa->gxr,
	                                  sa->g_len, sa->icky, sa->rcky, sa->sai_b, sa->sai_len,
	                                  sa->idi_b, sa->idi_len, hash) != 0) {
		sa_fail(sa, IKE_STEP_PHASE1,
		        "cannot compute HASH_I (is the subject name too long?)");
		return IKE_V_FATAL;
	}
	if (natt_use_udp(sa)) {
		/* RFC 3947 4: float to 4500 with the fifth message */
		sa->facts |= F_FLOATED;
		sa->local.port = IKE_NATT_PORT;
		sa->peer.port = IKE_NATT_PORT;
	}
	struct isakmp_hdr rh;
	struct isakmp_builder b;
	sa_hdr(sa, &rh, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &rh);
	bool ok = mm_write_auth(sa, &b, sa->idi_b, sa->idi_len, hash, true);
	size_t n = ok ? isakmp_build_finish(&b) : 0;
	if (n)
		n = sa_encrypt(sa, sa->tx, n, sizeof(sa->tx), ISAKMP_EXCH_MAIN, 0);
	if (!n) {
		sa_fail(sa, IKE_STEP_PHASE1,
		        ok ? "the fifth message does not fit in %zu bytes"
		           : "cannot sign with the private key (%zu-byte buffer)",
		        sizeof(sa->tx));
		return IKE_V_FATAL;
	}
	sa_set_state(sa, IKE_S_MM_AUTH);
	sa_send(sa, sa->tx, n, true, false, IKE_STEP_PHASE1);
	return IKE_V_OK;
}

/* Decrypts MM5 or MM6 into sa->rxbuf and parses it; false (logged) when it cannot. */
static bool mm_open(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt, size_t len,
                    struct isakmp_chain *c, uint8_t new_iv[CIPHER_BLOCK_MAX], const char *which)
{
	const char *why = NULL;
	if (!(h->flags & ISAKMP_FLAG_E)) {
		sa_drop(sa, "dropped unencrypted %s main-mode message", which);
		return false;
	}
	int n = sa_decrypt(sa, pkt, len, h, sa->rxbuf, sizeof(sa->rxbuf), new_iv);
	if (n < 0) {
		sa_drop(sa, "dropped %s main-mode message that does not decrypt", which);
		return false;
	}
	if (!isakmp_chain_parse(sa->rxbuf, (size_t)n, h->np, c, &why)) {
		sa_explain(sa, IKE_STEP_PHASE1,
		           "the %s main-mode message does not decrypt to payloads (%s)", which,
		           why);
		sa_drop(sa, "dropped malformed %s main-mode message: %s", which, why);
		return false;
	}
	return true;
}

/* A certificate refused for what it is (not a damaged copy): the SA ends, the peer is told. */
static enum ike_verdict refuse(struct ike_sa *sa, const struct mm_err *e)
{
	if (e->notify)
		info_send_plain_notify(sa, e->notify);
	sa_fail(sa, IKE_STEP_PHASE1, "%s", e->text);
	return IKE_V_FATAL;
}

/* A damaged or forged copy: dropped, the genuine one may follow; when none does, the
 * retransmissions end with this reason (two more tries, not five). */
static enum ike_verdict drop_auth(struct ike_sa *sa, const struct mm_err *e)
{
	sa_explain(sa, IKE_STEP_PHASE1, "%s", e->text);
	if (sa->rx.msg && sa->rx.max > sa->rx.tries + 2)
		sa->rx.max = sa->rx.tries + 2;
	return sa_drop(sa, "dropped main-mode message: %s", e->text);
}

static enum ike_verdict mm6_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len)
{
	struct isakmp_chain c;
	uint8_t new_iv[CIPHER_BLOCK_MAX];
	struct x509_peer *p = NULL;
	struct mm_err e;

	if (!mm_open(sa, h, pkt, len, &c, new_iv, "sixth"))
		return IKE_V_DROP;
	int rc = mm_check_auth(sa, &c, &p, &e);
	if (rc == -EINVAL || rc == -EBADMSG)
		return drop_auth(sa, &e);
	/* from here on the SA ends or is up: the gateway's IV chain, as for its view of phase
	 * 1, so that a refusal reaches it encrypted */
	sa_commit_iv(sa, h->exch, 0, new_iv);
	memcpy(sa->p1_last, sa->iv, sa->bs);
	if (rc)
		return refuse(sa, &e);
	if (p && p1_check_gateway_name(sa, p, &e) != 0) {
		x509_peer_free(p);
		return refuse(sa, &e);
	}
	sa->peer_cert = p;
	sa_rexmit_stop(sa);
	phase1_done(sa);
	if (sa->facts & F_NEED_XAUTH)
		sa_status(sa, IKE_STEP_XAUTH, "waiting for the gateway's XAUTH request");
	return IKE_V_OK;
}

/* ---- responder ---- */

static enum ike_verdict __attribute__((format(printf, 4, 5)))
fail_first(struct ike_sa *sa, enum ike_step step, uint16_t notify, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (notify)
		info_send_plain_notify(sa, notify);
	sa_fail(sa, step, "%s", text);
	return IKE_V_FATAL;
}

/* The server's policies that main mode can use with this client, in their priority order:
 * those with RSA signatures when we have a certificate, those with a pre-shared key when a
 * key is configured for the client's address (then in sa->psk, its group in sa->group). */
static size_t mm_policies(struct ike_sa *sa, uint32_t addr, struct ike_p1_prop *out)
{
	const struct ike_server_ops *ops = sa->cfg.ops;
	bool rsa = sa->cfg.cert && sa->cfg.trust;
	bool psk = ops->addr_psk &&
	           ops->addr_psk(ops->ctx, addr, sa->group, sizeof(sa->group), &sa->psk) == 0;
	return p1_server_policies(sa, psk, rsa, out);
}

/* MM1: every way out that does not send MM2 ends the SA, so no half-open SA is left. */
static enum ike_verdict mm1_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct isakmp_chain c;
	struct isakmp_sa sap;
	const char *why = NULL;
	uint8_t choice[IKE_MAX_SA_PAYLOAD];
	struct ike_p1_prop pol[2 * IKE_MAX_P1];
	char peer[32], ps[64];

	ipv4_str(from->addr, peer, sizeof(peer));
	memcpy(sa->icky, h->icky, 8);
	sa->peer = *from;
	sa->local = *to;
	if (h->flags & ISAKMP_FLAG_E)
		return fail_first(sa, IKE_STEP_PROPOSALS, 0, "encrypted first message from %s",
		                  peer);
	if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h->np, &c, &why))
		return fail_first(sa, IKE_STEP_PROPOSALS, 0, "malformed first message from %s: %s",
		                  peer, why);
	const struct isakmp_pl *psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	if (!psa || psa->len > IKE_MAX_SA_PAYLOAD - 64)
		return fail_first(sa, IKE_STEP_PROPOSALS, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		                  "the first main-mode message from %s has no SA payload, or one "
		                  "larger than the %u bytes evs reads",
		                  peer, (unsigned)(IKE_MAX_SA_PAYLOAD - 64));
	if (!isakmp_sa_parse(psa->body, psa->len, &sap, &why) || sap.nt == 0)
		return fail_first(sa, IKE_STEP_PROPOSALS, ISAKMP_N_BAD_PROPOSAL_SYNTAX,
		                  "malformed proposals from %s: %s", peer,
		                  why ? why : "no transform");
	size_t n_pol = mm_policies(sa, from->addr, pol);
	if (!n_pol && (!sa->cfg.cert || !sa->cfg.trust))
		return fail_first(sa, IKE_STEP_PROPOSALS, ISAKMP_N_NO_PROPOSAL_CHOSEN,
		                  "%s asked for main mode, which needs a certificate, its key and "
		                  "the CA file (--cert, --key, --ca-file), or a pre-shared key for "
		                  "its address; evs has neither, so only aggressive mode with a "
		                  "group key works",
		                  peer);
	int ti = n_pol ? prop_choose_p1(&sap, pol, n_pol, 0, sa->cfg.srv_xauth, &sa->p1) : -1;
	if (ti < 0)
		return fail_first(
		    sa, IKE_STEP_PHASE1, ISAKMP_N_NO_PROPOSAL_CHOSEN,
		    "none of the %zu main-mode proposals of %s matches a crypto "
		    "isakmp policy with 'authentication rsa-sig' (%zu such policies, hybrid "
		    "ones counted, which need XAUTH users; %s)",
		    sap.nt, peer, n_pol,
		    sa->psk.len ? "'pre-share' ones count too: a key is set for its "
		                  "address"
		                : "no pre-shared key is set for its address");
	if (p1_skeyid_sig(sa->p1.auth)) {
		/* the group comes from the certificate's OU in MM5, or with hybrid its ID */
		secret_clear(&sa->psk);
		sa->group[0] = '\0';
	}
	struct wr cw = wr_init(choice, sizeof(choice));
	prop_write_p1_choice(&cw, &sap, ti);
	free(sa->sai_b);
	sa->sai_b = malloc(psa->len);
	if (cw.err || !sa->sai_b)
		return fail_first(sa, IKE_STEP_PHASE1, 0, "cannot answer the proposals of %s",
		                  peer);
	memcpy(sa->sai_b, psa->body, psa->len);
	sa->sai_len = psa->len;
	sa->auth = sa->p1.auth;
	sa->hlen = crypto_hash_len(sa->p1.hash);
	natt_read_vids(sa, &c);
	sa_rand(sa, sa->rcky, 8);

	struct isakmp_hdr rh;
	struct isakmp_builder b;
	sa_hdr(sa, &rh, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &rh);
	isakmp_build_payload(&b, ISAKMP_PL_SA, choice, cw.len);
	info_write_p1_lifetime(sa, &b, &sap.t[ti]);
	natt_write_vids(sa, &b);
	size_t n = isakmp_build_finish(&b);
	if (!n)
		return fail_first(sa, IKE_STEP_PHASE1, 0, "the answer to %s does not fit", peer);
	sa_log(sa, IKE_LOG_INFO, "%s main mode: chose %s", peer,
	       ike_p1_str(&sa->p1, ps, sizeof(ps)));
	sa_set_state(sa, IKE_S_MM_SA);
	sa_send(sa, sa->tx, n, true, true, IKE_STEP_PHASE1);
	/* the source is not verified until MM5: a spoofed MM1 earns few repeats */
	sa->rx.max = IKE_UNAUTH_RETRANSMITS;
	return IKE_V_OK;
}

/* MM3: the client's KE and nonce. The KE is checked before any key is made, and the keys are
 * committed only with MM4 built. */
static enum ike_verdict mm3_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct isakmp_chain c;
	const char *why = NULL;
	struct p1_keys k;
	size_t g_len = crypto_dh_len(sa->p1.group);

	if (h->flags & ISAKMP_FLAG_E)
		return sa_drop(sa, "dropped encrypted third main-mode message");
	if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, len - ISAKMP_HDR_LEN, h->np, &c, &why))
		return sa_drop(sa, "dropped malformed third message: %s", why);
	const struct isakmp_pl *pke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
	const struct isakmp_pl *pn = isakmp_chain_find(&c, ISAKMP_PL_NONCE, 0);
	if (!pke || !pn || pke->len != g_len || pn->len < 8 || pn->len > IKE_MAX_NONCE ||
	    !crypto_dh_peer_ok(sa->p1.group, pke->body, pke->len))
		return sa_drop(sa, "dropped third message without a valid group %u KE or a nonce",
		               sa->p1.group);
	sa->dh = crypto_dh_new(sa->p1.group);
	sa->g_len = g_len;
	memcpy(sa->gxi, pke->body, g_len);
	memcpy(sa->ni, pn->body, pn->len);
	sa->ni_len = pn->len;
	sa->nr_len = 32;
	sa_rand(sa, sa->nr, sa->nr_len);
	if (!sa->dh || crypto_dh_public(sa->dh, sa->gxr, g_len) != 0 ||
	    p1_keys_derive(sa, &sa->p1, sa->gxi, sa->gxi, sa->gxr, sa->ni, sa->ni_len, sa->nr,
	                   sa->nr_len, sa->rcky, &k) != 0)
		return fail_first(sa, IKE_STEP_PHASE1, ISAKMP_N_INVALID_KEY_INFORMATION,
		                  "cannot make phase-1 keys with the client's DH value");
	p1_keys_commit(sa, &k);
	natt_check_natd(sa, &c, from, to);
	mm_note_certreqs(sa, &c);

	struct isakmp_hdr rh;
	struct isakmp_builder b;
	sa_hdr(sa, &rh, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &rh);
	isakmp_build_payload(&b, ISAKMP_PL_KE, sa->gxr, sa->g_len);
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, sa->nr, sa->nr_len);
	mm_write_certreqs(sa, &b);
	natt_write_natd(sa, &b, from, to);
	size_t n = isakmp_build_finish(&b);
	if (!n)
		return fail_first(sa, IKE_STEP_PHASE1, 0, "cannot build the fourth message");
	sa_set_state(sa, IKE_S_MM_KE);
	sa_send(sa, sa->tx, n, true, true, IKE_STEP_PHASE1);
	sa->rx.max = IKE_UNAUTH_RETRANSMITS;
	return IKE_V_OK;
}

/* MM5 authenticates the client and names its group (the certificate's OU). */
static enum ike_verdict mm5_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                                  size_t len, const struct ike_endpoint *from,
                                  const struct ike_endpoint *to)
{
	struct isakmp_chain c;
	uint8_t new_iv[CIPHER_BLOCK_MAX], hash[HASH_MAX_LEN];
	struct x509_peer *p = NULL;
	struct mm_err e;
	char peer[32];

	ipv4_str(from->addr, peer, sizeof(peer));
	if (!mm_open(sa, h, pkt, len, &c, new_iv, "fifth"))
		return IKE_V_DROP;
	int rc = mm_check_auth(sa, &c, &p, &e);
	if (rc == -EINVAL || rc == -EBADMSG)
		return drop_auth(sa, &e);
	if (rc)
		return refuse(sa, &e);
	if (p1_auth_is_hybrid(sa->p1.auth) &&
	    (!p1_id_group(sa->idi_b, sa->idi_len, sa->group, sizeof(sa->group)) ||
	     !p1_group_exists(sa, sa->group))) {
		snprintf(e.text, sizeof(e.text),
		         "%s (hybrid) names no configured group with its identity (the group name "
		         "as ID_KEY_ID; crypto isakmp client configuration group)",
		         peer);
		e.notify = ISAKMP_N_INVALID_ID_INFORMATION;
		return refuse(sa, &e);
	}
	if (p1_auth_is_hybrid(sa->p1.auth)) {
		/* the group's key, if it has one (-ENOENT: none), must be proven as in AM3 */
		const struct ike_server_ops *ops = sa->cfg.ops;
		int grc = ops->group_psk(ops->ctx, sa->group, &sa->psk);
		if (grc != 0 && grc != -ENOENT)
			return fail_first(sa, IKE_STEP_PHASE1, 0,
			                  "cannot look up the key of group %s for %s", sa->group,
			                  peer);
		if (!p1_check_psk_hash(sa, &c)) {
			snprintf(
			    e.text, sizeof(e.text),
			    "hybrid client %s did not prove the group key of group %s (no or a "
			    "wrong PRESHARED_KEY_HASH notify in its fifth message; give the "
			    "client the group's key)",
			    peer, sa->group);
			e.notify = ISAKMP_N_AUTHENTICATION_FAILED;
			return refuse(sa, &e);
		}
	}
	const char *ou = p ? x509_peer_ou(p) : sa->group;
	if (p && (!*ou || strlen(ou) >= sizeof(sa->group) || !p1_group_exists(sa, ou))) {
		snprintf(e.text, sizeof(e.text),
		         *ou ? "the certificate '%s' of %s names group '%s' (its OU), which is not "
		               "configured (crypto isakmp client configuration group)"
		             : "the certificate '%s' of %s has no OU%s to name its group",
		         x509_peer_subject(p), peer, ou);
		e.notify = ISAKMP_N_INVALID_ID_INFORMATION;
		x509_peer_free(p);
		return refuse(sa, &e);
	}
	if (p)
		snprintf(sa->group, sizeof(sa->group), "%s", ou);
	sa->peer_cert = p;
	info_read_initial_contact(sa, &c);
	sa_commit_iv(sa, h->exch, 0, new_iv);
	sa_rexmit_stop(sa);
	/* the client may have floated to 4500 (and a NAT may have changed its port) */
	sa->peer = *from;
	sa->local = *to;
	if (to->port == IKE_NATT_PORT)
		sa->facts |= F_FLOATED;

	sa->idr_len = mm_id_body(sa, sa->idr_b, sizeof(sa->idr_b));
	if (!sa->idr_len || ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxr, sa->g_len, sa->gxi,
	                                  sa->g_len, sa->rcky, sa->icky, sa->sai_b, sa->sai_len,
	                                  sa->idr_b, sa->idr_len, hash) != 0)
		return fail_first(sa, IKE_STEP_PHASE1, 0, "cannot compute HASH_R for %s", peer);
	struct isakmp_hdr rh;
	struct isakmp_builder b;
	sa_hdr(sa, &rh, ISAKMP_EXCH_MAIN, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &rh);
	bool ok = mm_write_auth(sa, &b, sa->idr_b, sa->idr_len, hash, false);
	size_t n = ok ? isakmp_build_finish(&b) : 0;
	if (n)
		n = sa_encrypt(sa, sa->tx, n, sizeof(sa->tx), ISAKMP_EXCH_MAIN, 0);
	if (!n)
		return fail_first(sa, IKE_STEP_PHASE1, 0,
		                  ok ? "the sixth message to %s does not fit"
		                     : "cannot sign the sixth message to %s with the private key",
		                  peer);
	memcpy(sa->p1_last, sa->iv, sa->bs);
	if (p)
		sa_log(sa, IKE_LOG_INFO, "%s authenticated with certificate '%s', group %s", peer,
		       x509_peer_subject(p), sa->group);
	else if (p1_auth_is_hybrid(sa->p1.auth))
		sa_log(sa, IKE_LOG_INFO,
		       "%s in group %s, hybrid: not authenticated until XAUTH succeeds", peer,
		       sa->group);
	else
		sa_log(sa, IKE_LOG_INFO,
		       "%s authenticated with the pre-shared key of its address, group %s", peer,
		       sa->group);
	phase1_done(sa);
	/* MM6 ends phase 1; a repeated MM5 gets it again, the XAUTH request acknowledges it */
	sa_send(sa, sa->tx, n, false, true, IKE_STEP_PHASE1);
	return IKE_V_OK;
}

enum ike_verdict mm_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *pkt,
                          size_t len, const struct ike_endpoint *from,
                          const struct ike_endpoint *to)
{
	if (h->msgid != 0)
		return sa_drop(sa, "dropped main-mode message with message ID %08x", h->msgid);
	bool ini = sa->role == IKE_ROLE_INITIATOR;
	if (!ini && sa->state == IKE_S_IDLE)
		return mm1_input(sa, h, pkt, len, from, to);
	if (ini && sa->state == IKE_S_MM_SA)
		return mm2_input(sa, h, pkt, len);
	if (!ini && sa->state == IKE_S_MM_SA)
		return mm3_input(sa, h, pkt, len, from, to);
	if (ini && sa->state == IKE_S_MM_KE)
		return mm4_input(sa, h, pkt, len, from, to);
	if (!ini && sa->state == IKE_S_MM_KE)
		return mm5_input(sa, h, pkt, len, from, to);
	if (ini && sa->state == IKE_S_MM_AUTH)
		return mm6_input(sa, h, pkt, len);
	sa_log(sa, IKE_LOG_DEBUG, "ignored main-mode message in state %s",
	       sa_state_name(sa->state));
	return IKE_V_DROP;
}
