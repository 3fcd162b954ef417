/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What main mode with RSA signatures adds to the payloads (RFC 2409 5.1): CERTREQ naming the
 * CAs we trust, our identity as the DER subject name (ID_DER_ASN1_DN), our certificate, and
 * the signature over HASH_I or HASH_R. With a pre-shared key (RFC 2409 5.4) the identity is
 * our IPv4 address (ID_IPV4_ADDR, as IOS and strongSwan key main mode by address: the key
 * must be known before the identity arrives) and HASH_I or HASH_R itself is the proof. With
 * hybrid authentication the responder signs as above and the initiator sends its group
 * (ID_KEY_ID) and HASH_I, under a SKEYID made as for signatures: it proves nothing about the
 * initiator, whom XAUTH then authenticates.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/p1auth.h"
#include "ike/sa_int.h"

/* RSA keys beyond 8192 bits are not used for IKE */
#define MM_SIG_MAX 1024
/* Main-mode messages whose signature does not verify that an SA drops before it ends: each
 * costs an RSA verification with a key the sender chose, so the peer that did the DH
 * exchange (no credential needed so far) must not get them without limit. */
#define MM_BAD_SIGS_MAX 3

void mm_write_certreqs(struct ike_sa *sa, struct isakmp_builder *b)
{
	for (size_t i = 0; sa->cfg.trust && i < x509_trust_count(sa->cfg.trust); i++) {
		const uint8_t *der;
		size_t len;
		x509_trust_ca_name(sa->cfg.trust, i, &der, &len);
		isakmp_build_open(b, ISAKMP_PL_CR);
		wr_u8(&b->w, ISAKMP_CERT_X509_SIG);
		wr_bytes(&b->w, der, len);
		isakmp_build_close(b);
	}
}

void mm_note_certreqs(struct ike_sa *sa, const struct isakmp_chain *c)
{
	const char *why = NULL;
	for (size_t i = 0; i < c->n; i++) {
		struct isakmp_cert cr;
		if (c->pl[i].type != ISAKMP_PL_CR)
			continue;
		if (!isakmp_certreq_parse(c->pl[i].body, c->pl[i].len, &cr, &why))
			sa_log(sa, IKE_LOG_DEBUG, "ignored a malformed CERTREQ: %s", why);
		else if (cr.enc != ISAKMP_CERT_X509_SIG)
			sa_log(sa, IKE_LOG_WARN,
			       "the %s asks for a certificate of type %u; evc and evs send X.509 "
			       "signature certificates (type 4) only",
			       sa->role == IKE_ROLE_INITIATOR ? "gateway" : "client", cr.enc);
	}
}

size_t mm_id_body(const struct ike_sa *sa, uint8_t *buf, size_t cap)
{
	const uint8_t *dn;
	size_t dn_len;
	struct wr w = wr_init(buf, cap);
	if (!p1_we_sign(sa) && p1_auth_is_hybrid(sa->p1.auth)) {
		/* hybrid: the group by name as in aggressive mode, for the gateway to find it */
		wr_u8(&w, ISAKMP_ID_KEY_ID);
		wr_u8(&w, 17);
		wr_u16(&w, IKE_PORT);
		wr_bytes(&w, sa->group, strlen(sa->group));
		return w.err ? 0 : w.len;
	}
	if (!p1_we_sign(sa)) {
		/* 17/500 as IOS sends its address identity */
		wr_u8(&w, ISAKMP_ID_IPV4_ADDR);
		wr_u8(&w, 17);
		wr_u16(&w, IKE_PORT);
		wr_u32(&w, sa->local.addr);
		return w.err ? 0 : w.len;
	}
	x509_cred_subject(sa->cfg.cert, &dn, &dn_len);
	/* protocol and port 0: the identity is the name, not an endpoint (RFC 2407 4.6.2) */
	wr_u8(&w, ISAKMP_ID_DER_ASN1_DN);
	wr_u8(&w, 0);
	wr_u16(&w, 0);
	wr_bytes(&w, dn, dn_len);
	return w.err ? 0 : w.len;
}

bool mm_write_auth(struct ike_sa *sa, struct isakmp_builder *b, const uint8_t *id, size_t id_len,
                   const uint8_t *hash, bool ask)
{
	uint8_t sig[MM_SIG_MAX];
	const uint8_t *der;
	size_t der_len;
	if (!p1_we_sign(sa)) {
		isakmp_build_payload(b, ISAKMP_PL_ID, id, id_len);
		if (ask && !sa->cfg.p1_rekey)
			info_send_initial_contact(sa, b);
		if (ask) /* MM5 with hybrid and a group key: prove it, as in AM3 */
			p1_write_psk_hash(sa, b);
		/* the hash last, as the signature below: HASH_I does not cover the notify, so a
		 * damaged tail must fall in what is checked */
		isakmp_build_payload(b, ISAKMP_PL_HASH, hash, sa->hlen);
		return true;
	}
	int n = x509_cred_sign(sa->cfg.cert, hash, sa->hlen, sig, sizeof(sig));
	if (n <= 0)
		return false;
	x509_cred_der(sa->cfg.cert, &der, &der_len);
	isakmp_build_payload(b, ISAKMP_PL_ID, id, id_len);
	isakmp_build_open(b, ISAKMP_PL_CERT);
	wr_u8(&b->w, ISAKMP_CERT_X509_SIG);
	wr_bytes(&b->w, der, der_len);
	isakmp_build_close(b);
	/* our intermediates after our own, as IOS and strongSwan send them: a peer that trusts
	 * only the root needs them to reach it */
	for (size_t i = 0; i < x509_cred_chain_count(sa->cfg.cert); i++) {
		x509_cred_chain_der(sa->cfg.cert, i, &der, &der_len);
		isakmp_build_open(b, ISAKMP_PL_CERT);
		wr_u8(&b->w, ISAKMP_CERT_X509_SIG);
		wr_bytes(&b->w, der, der_len);
		isakmp_build_close(b);
	}
	if (ask) {
		/* some gateways send their certificate only when asked in MM5 */
		mm_write_certreqs(sa, b);
		/* not when this SA replaces one of ours: the gateway must keep its ESP SAs */
		if (!sa->cfg.p1_rekey)
			info_send_initial_contact(sa, b);
	}
	/* the signature last: a damaged tail then fails its check instead of passing unseen */
	isakmp_build_payload(b, ISAKMP_PL_SIG, sig, (size_t)n);
	return true;
}

int64_t mm_wall(const struct ike_sa *sa)
{
	return sa->cfg.wall_s + (int64_t)((sa->now - sa->born_ms) / 1000);
}

/* The peer's ID and HASH with a pre-shared key: a wrong hash is a damaged copy or a peer
 * holding another key, which cannot be told apart; counted as bad signatures are. */
/* The HASH the peer must have made (HASH_R for an initiator, HASH_I for a responder), over
 * the identity it sent. */
static int peer_hash(struct ike_sa *sa, bool initiator, const struct isakmp_pl *pid,
                     uint8_t hash[HASH_MAX_LEN])
{
	if (initiator)
		return ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxr, sa->g_len, sa->gxi,
		                     sa->g_len, sa->rcky, sa->icky, sa->sai_b, sa->sai_len,
		                     pid->body, pid->len, hash);
	return ike_hash_auth(sa->p1.hash, &sa->skeyid, sa->gxi, sa->g_len, sa->gxr, sa->g_len,
	                     sa->icky, sa->rcky, sa->sai_b, sa->sai_len, pid->body, pid->len, hash);
}

static int check_psk(struct ike_sa *sa, const struct isakmp_chain *c, struct mm_err *e)
{
	const char *why = NULL;
	struct isakmp_id id;
	uint8_t hash[HASH_MAX_LEN];
	bool initiator = sa->role == IKE_ROLE_INITIATOR;
	const char *peer = initiator ? "the gateway" : "the client";
	int rc;

	const struct isakmp_pl *pid = isakmp_chain_find(c, ISAKMP_PL_ID, 0);
	const struct isakmp_pl *ph = isakmp_chain_find(c, ISAKMP_PL_HASH, 0);
	if (!pid || !ph || pid->len > sizeof(sa->idi_b) ||
	    !isakmp_id_parse(pid->body, pid->len, &id, &why)) {
		snprintf(e->text, sizeof(e->text), "%s sent no usable identity or hash", peer);
		return -EINVAL;
	}
	rc = peer_hash(sa, initiator, pid, hash);
	if (rc || ph->len != sa->hlen || !crypto_ct_equal(hash, ph->body, sa->hlen)) {
		snprintf(e->text, sizeof(e->text),
		         p1_auth_is_hybrid(sa->p1.auth)
		             ? "the %s of %s (hybrid) does not match: the message was damaged"
		             : "the %s of %s does not match: it holds another pre-shared key than "
		               "ours, or the message was damaged",
		         initiator ? "HASH_R" : "HASH_I", peer);
		if (++sa->bad_sigs >= MM_BAD_SIGS_MAX) {
			size_t l = strlen(e->text);
			snprintf(e->text + l, sizeof(e->text) - l, " (%u times: given up)",
			         sa->bad_sigs);
			e->notify = ISAKMP_N_AUTHENTICATION_FAILED;
			return -EKEYREJECTED;
		}
		return -EBADMSG;
	}
	if (initiator) {
		memcpy(sa->idr_b, pid->body, pid->len);
		sa->idr_len = pid->len;
	} else {
		memcpy(sa->idi_b, pid->body, pid->len);
		sa->idi_len = pid->len;
	}
	return 0;
}

int mm_check_auth(struct ike_sa *sa, const struct isakmp_chain *c, struct x509_peer **out,
                  struct mm_err *e)
{
	uint8_t hash[HASH_MAX_LEN];
	bool initiator = sa->role == IKE_ROLE_INITIATOR;
	int rc;

	*out = NULL;
	e->notify = 0;
	e->text[0] = '\0';
	if (!p1_peer_signs(sa))
		return check_psk(sa, c, e);
	const struct isakmp_pl *pid = isakmp_chain_find(c, ISAKMP_PL_ID, 0);
	if (!pid || pid->len > sizeof(sa->idi_b)) {
		snprintf(e->text, sizeof(e->text), "%s sent no usable identity or signature",
		         initiator ? "the gateway" : "the client");
		return -EINVAL; /* damaged or forged: dropped */
	}
	rc = peer_hash(sa, initiator, pid, hash);
	if (rc) {
		snprintf(e->text, sizeof(e->text), "cannot compute the hash to check");
		return -EINVAL;
	}
	rc = p1_check_signed(sa, c, pid, hash, sa->hlen, out, e);
	if (rc == 0 && initiator) {
		memcpy(sa->idr_b, pid->body, pid->len);
		sa->idr_len = pid->len;
	} else if (rc == 0) {
		memcpy(sa->idi_b, pid->body, pid->len);
		sa->idi_len = pid->len;
	}
	return rc;
}

/* The X.509 CERT payloads after the peer's own (at index first): its intermediate CAs, for
 * the chain to reach ours. Other encodings (a CRL, PKCS#7) are not used. */
static int add_intermediates(const struct isakmp_chain *c, size_t first, struct x509_peer *p,
                             char *err, size_t errlen)
{
	const char *why = NULL;
	for (size_t i = first + 1; i < c->n; i++) {
		struct isakmp_cert ca;
		if (c->pl[i].type != ISAKMP_PL_CERT ||
		    !isakmp_cert_parse(c->pl[i].body, c->pl[i].len, &ca, &why) ||
		    ca.enc != ISAKMP_CERT_X509_SIG)
			continue;
		int rc = x509_peer_add_ca(p, ca.data, ca.len, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int p1_check_signed(struct ike_sa *sa, const struct isakmp_chain *c, const struct isakmp_pl *pid,
                    const uint8_t *hash, size_t hlen, struct x509_peer **out, struct mm_err *e)
{
	const char *why = NULL;
	struct isakmp_id id;
	struct isakmp_cert cert = {0, NULL, 0};
	char err[512];
	bool initiator = sa->role == IKE_ROLE_INITIATOR;
	const char *peer = initiator ? "the gateway" : "the client";
	struct x509_peer *p = NULL;
	int rc = -EINVAL;

	*out = NULL;
	e->notify = 0;
	e->text[0] = '\0';
	const struct isakmp_pl *psig = isakmp_chain_find(c, ISAKMP_PL_SIG, 0);
	if (!psig || !isakmp_id_parse(pid->body, pid->len, &id, &why)) {
		snprintf(e->text, sizeof(e->text), "%s sent no usable identity or signature", peer);
		return -EINVAL; /* damaged or forged: dropped */
	}
	/* the first X.509 one is the peer's own; the others are its intermediates (taken once
	 * the signature verified) */
	size_t first = c->n;
	for (size_t i = 0; i < c->n && !cert.data; i++) {
		if (c->pl[i].type != ISAKMP_PL_CERT)
			continue;
		if (!isakmp_cert_parse(c->pl[i].body, c->pl[i].len, &cert, &why) ||
		    cert.enc != ISAKMP_CERT_X509_SIG)
			cert.data = NULL;
		else
			first = i;
	}
	/* nothing before the signature is proven: whatever fails up to there may be a damaged
	 * copy and is dropped, so that the genuine one can still follow */
	if (!cert.data) {
		snprintf(e->text, sizeof(e->text),
		         "%s sent no X.509 certificate; authentication with RSA signatures needs "
		         "one",
		         peer);
		return -EINVAL;
	}
	if (x509_peer_parse(cert.data, cert.len, &p, err, sizeof(err)) != 0) {
		snprintf(e->text, sizeof(e->text), "%s's certificate cannot be read: %s", peer,
		         err);
		return -EINVAL;
	}
	rc = x509_peer_check_sig(p, hash, hlen, psig->body, psig->len);
	if (rc) {
		snprintf(e->text, sizeof(e->text),
		         "the signature of %s ('%s') does not verify: its private key does not "
		         "match its certificate, or the message was damaged",
		         peer, x509_peer_subject(p));
		rc = -EBADMSG;
		if (++sa->bad_sigs >= MM_BAD_SIGS_MAX) {
			/* no longer a damaged copy: a peer that keeps sending them ends the SA */
			size_t l = strlen(e->text);
			snprintf(e->text + l, sizeof(e->text) - l, " (%u times: given up)",
			         sa->bad_sigs);
			e->notify = ISAKMP_N_AUTHENTICATION_FAILED;
			rc = -EKEYREJECTED;
		}
		goto out;
	}
	/* signed by the holder of that certificate's key: from here on a refusal is final */
	if (id.type == ISAKMP_ID_DER_ASN1_DN && !x509_peer_subject_is(p, id.data, id.len)) {
		e->notify = ISAKMP_N_INVALID_ID_INFORMATION;
		snprintf(e->text, sizeof(e->text),
		         "%s names itself with another subject than its certificate's ('%s')", peer,
		         x509_peer_subject(p));
		rc = -EKEYREJECTED;
		goto out;
	}
	rc = add_intermediates(c, first, p, err, sizeof(err));
	if (!rc)
		rc = x509_peer_chain(sa->cfg.trust, p, mm_wall(sa), err, sizeof(err));
	if (rc) {
		e->notify = ISAKMP_N_INVALID_CERTIFICATE;
		snprintf(e->text, sizeof(e->text), "%s's certificate is refused: %s", peer, err);
		goto out;
	}
	*out = p;
	p = NULL;
out:
	x509_peer_free(p);
	return rc;
}
