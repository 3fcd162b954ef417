/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Informational exchange: error notifies, DELETE (teardown), and dead peer detection
 * (RFC 3706). After phase 1 every informational is encrypted with HASH(1) first.
 */
#include <stdio.h>
#include <string.h>

#include "ike/sa_int.h"

struct info_body {
	uint8_t type; /* ISAKMP_PL_N or ISAKMP_PL_D */
	const uint8_t *body;
	size_t len;
};

static void write_info(struct ike_sa *sa, struct isakmp_builder *b, void *arg)
{
	const struct info_body *i = arg;
	(void)sa;
	isakmp_build_payload(b, i->type, i->body, i->len);
}

static void send_encrypted(struct ike_sa *sa, uint8_t type, const uint8_t *body, size_t len,
                           bool as_reply)
{
	struct info_body i = {type, body, len};
	uint32_t msgid = sa_new_msgid(sa);
	size_t n = sa_build_hashed(sa, ISAKMP_EXCH_INFO, msgid, NULL, 0, write_info, &i, sa->tx,
	                           sizeof(sa->tx));
	if (!n) {
		sa_log(sa, IKE_LOG_ERR, "cannot build an informational message");
		return;
	}
	sa_send(sa, sa->tx, n, false, as_reply, IKE_STEP_TEARDOWN);
}

static size_t notify_body(const struct ike_sa *sa, uint8_t *buf, size_t cap, uint16_t type,
                          const void *data, size_t dlen)
{
	struct wr w = wr_init(buf, cap);
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 16);
	wr_u16(&w, type);
	wr_bytes(&w, sa->icky, 8);
	wr_bytes(&w, sa->rcky, 8);
	wr_bytes(&w, data, dlen);
	return w.err ? 0 : w.len;
}

void info_send_plain_notify(struct ike_sa *sa, uint16_t type)
{
	uint8_t body[64];
	size_t len = notify_body(sa, body, sizeof(body), type, NULL, 0);
	if (!len)
		return;
	/* a main-mode initiator refusing MM6: the gateway holds phase 1 done and believes only
	 * an encrypted notify */
	if (sa->ka.p && (sa->state >= IKE_S_P1_DONE || sa->state == IKE_S_MM_AUTH)) {
		send_encrypted(sa, ISAKMP_PL_N, body, len, true);
		return;
	}
	/* before phase-1 keys exist the notify can only go in clear */
	struct isakmp_hdr h;
	struct isakmp_builder b;
	sa_hdr(sa, &h, ISAKMP_EXCH_INFO, 0, 0);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &h);
	isakmp_build_payload(&b, ISAKMP_PL_N, body, len);
	size_t n = isakmp_build_finish(&b);
	if (n)
		sa_send(sa, sa->tx, n, false, true, IKE_STEP_PHASE1);
}

void info_send_delete_child(struct ike_sa *sa, const struct ike_child *ch)
{
	uint8_t body[16];
	struct wr w = wr_init(body, sizeof(body));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ESP);
	wr_u8(&w, 4);
	wr_u16(&w, 1);
	wr_u32(&w, ch->spi_in); /* our inbound SPI (RFC 2408 3.15) */
	send_encrypted(sa, ISAKMP_PL_D, body, w.len, false);
}

void info_send_delete_ike(struct ike_sa *sa)
{
	uint8_t body[32];
	struct wr w = wr_init(body, sizeof(body));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u8(&w, ISAKMP_PROTO_ISAKMP);
	wr_u8(&w, 16);
	wr_u16(&w, 1);
	wr_bytes(&w, sa->icky, 8);
	wr_bytes(&w, sa->rcky, 8);
	send_encrypted(sa, ISAKMP_PL_D, body, w.len, false);
}

static void send_dpd(struct ike_sa *sa, uint16_t type, uint32_t seq)
{
	uint8_t body[64], s[4];
	struct wr w = wr_init(s, sizeof(s));
	wr_u32(&w, seq);
	size_t len = notify_body(sa, body, sizeof(body), type, s, sizeof(s));
	if (len)
		send_encrypted(sa, ISAKMP_PL_N, body, len, type == ISAKMP_N_R_U_THERE_ACK);
}

void dpd_tick(struct ike_sa *sa)
{
	uint64_t idle = (uint64_t)sa->cfg.dpd_idle_s * 1000;
	if (!sa->dpd_next || sa->now < sa->dpd_next || sa->state != IKE_S_ESTABLISHED)
		return;
	if (!sa->dpd_pending && sa->now < sa->last_rx + idle) {
		sa->dpd_next = sa->last_rx + idle;
		return;
	}
	if (sa->dpd_tries >= sa->cfg.retransmit_max) {
		sa_fail(sa, IKE_STEP_ESTABLISHED,
		        "the %s stopped answering dead peer detection after %u probes",
		        sa->role == IKE_ROLE_INITIATOR ? "gateway" : "client", sa->dpd_tries);
		return;
	}
	if (!sa->dpd_seq) {
		sa_rand(sa, &sa->dpd_seq, sizeof(sa->dpd_seq));
		sa->dpd_seq &= 0x7fffffffu; /* RFC 3706 6.2: leave room before wrapping */
		sa->dpd_seq_first = sa->dpd_seq;
	}
	if (!sa->dpd_pending || sa->dpd_tries > 0)
		sa->dpd_seq++;
	sa->dpd_pending = sa->dpd_seq;
	sa->dpd_tries++;
	send_dpd(sa, ISAKMP_N_R_U_THERE, sa->dpd_seq);
	sa->dpd_next = sa->now + (sa->cfg.dpd_retry_s ? (uint64_t)sa->cfg.dpd_retry_s * 1000
	                                              : sa->cfg.retransmit_ms);
}

static const char *notify_advice(uint16_t type)
{
	switch (type) {
	case ISAKMP_N_NO_PROPOSAL_CHOSEN:
		return "the gateway accepted none of the proposals; check its crypto isakmp policy "
		       "(or try another DH group with --dh)";
	case ISAKMP_N_INVALID_ID_INFORMATION:
		return "the gateway does not know this group name; check --group";
	case ISAKMP_N_AUTHENTICATION_FAILED:
		return "the gateway rejected the authentication; check the group key";
	case ISAKMP_N_INVALID_KEY_INFORMATION:
		return "the gateway rejected our DH key; check the DH group (--dh)";
	case ISAKMP_N_INVALID_HASH_INFORMATION:
		return "the gateway could not verify our hash; check the group key";
	default:
		return "the gateway refused the connection";
	}
}

/* Main mode with a certificate: the group and the authentication come from it. */
static const char *cert_advice(uint16_t type)
{
	switch (type) {
	case ISAKMP_N_INVALID_ID_INFORMATION:
		return "the gateway knows no group named by the OU of our certificate";
	case ISAKMP_N_INVALID_CERTIFICATE:
	case ISAKMP_N_INVALID_CERT_AUTHORITY:
		return "the gateway does not trust our certificate (expired, or not issued by a "
		       "CA it trusts); check --cert and the gateway's CA";
	case ISAKMP_N_AUTHENTICATION_FAILED:
		return "the gateway rejected our signature; check that --key belongs to --cert";
	default:
		return notify_advice(type);
	}
}

/* Hybrid: the gateway signs; we only name the group (and may hash a group key). */
static const char *hybrid_advice(uint16_t type)
{
	switch (type) {
	case ISAKMP_N_NO_PROPOSAL_CHOSEN:
		return "the gateway accepted none of the hybrid proposals: it may not do hybrid "
		       "authentication (it needs its certificate and XAUTH users; on evs an "
		       "rsa-sig policy), or it wants another DH group (--dh)";
	case ISAKMP_N_AUTHENTICATION_FAILED:
	case ISAKMP_N_INVALID_HASH_INFORMATION:
		return "the gateway rejected our hash; with hybrid it may want the group key's "
		       "hash too (Cisco's mutual group authentication: --group-key-file)";
	default:
		return notify_advice(type);
	}
}

static enum ike_step step_of(const struct ike_sa *sa)
{
	switch (sa->state) {
	case IKE_S_IDLE:
	case IKE_S_AM_SENT:
	case IKE_S_MM_SA:
	case IKE_S_MM_KE:
	case IKE_S_MM_AUTH:
		return IKE_STEP_PHASE1;
	case IKE_S_P1_DONE:
	case IKE_S_XAUTH:
		return IKE_STEP_XAUTH;
	case IKE_S_MODECFG:
		return IKE_STEP_MODECFG;
	case IKE_S_QUICK:
		return IKE_STEP_QUICK;
	default:
		return IKE_STEP_ESTABLISHED;
	}
}
/* Returns IKE_V_REFUSED when an initiator was refused (sa->refused_with), else IKE_V_OK or
 * IKE_V_DROP. */
static enum ike_verdict notify_input(struct ike_sa *sa, const struct isakmp_notify *n,
                                     bool encrypted)
{
	if (n->type == ISAKMP_N_R_U_THERE || n->type == ISAKMP_N_R_U_THERE_ACK) {
		struct rd r = rd_init(n->data, n->data_len);
		uint32_t seq;
		if (!encrypted || !rd_u32(&r, &seq))
			return IKE_V_DROP; /* RFC 3706: unencrypted DPD is ignored */
		if (n->type == ISAKMP_N_R_U_THERE) {
			/* only a probe newer than the last, or the answer to ours, shows the peer
			 * where it is now: the replay memory is finite, and an older copy
			 * would move it to whoever sent it again; nor does one of our own
			 * numbers (a probe of ours sent back: HASH(1) is alike both ways) */
			bool ours = sa->dpd_seq &&
			            seq - sa->dpd_seq_first <= sa->dpd_seq - sa->dpd_seq_first;
			if (!ours && (!sa->dpd_rx_any || (int32_t)(seq - sa->dpd_rx_seq) > 0)) {
				sa->dpd_rx_seq = seq;
				sa->dpd_rx_any = true;
				sa_peer_seen(sa);
			}
			send_dpd(sa, ISAKMP_N_R_U_THERE_ACK, seq);
		} else if (sa->dpd_pending && seq == sa->dpd_pending) {
			sa_peer_seen(sa);
			sa_log(sa, IKE_LOG_DEBUG, "the %s answered R-U-THERE %u",
			       sa->role == IKE_ROLE_INITIATOR ? "gateway" : "client", seq);
			sa->dpd_pending = 0;
			sa->dpd_tries = 0;
			sa->last_rx = sa->now;
			sa->dpd_next = sa->now + (uint64_t)sa->cfg.dpd_idle_s * 1000;
		}
		return IKE_V_OK;
	}
	if (n->type >= 16384) {
		if (n->type == ISAKMP_N_INITIAL_CONTACT && encrypted &&
		    sa->role == IKE_ROLE_RESPONDER)
			sa->facts |= F_PEER_INITIAL_CONTACT;
		sa_log(sa, IKE_LOG_DEBUG, "notify %s", isakmp_notify_name(n->type));
		return IKE_V_OK;
	}
	/* Unauthenticated errors are believed only while nothing is authenticated yet, like
	 * vpnc does; afterwards only encrypted ones count. */
	if (!encrypted && !p1_pending(sa)) {
		/* not believed, but if nothing else comes it is the likeliest reason: a gateway
		 * refusing our AM3 or MM5 (evs: a hybrid client without its group's key) answers
		 * only in the clear. The attempt still runs its course; only its last word says so.
		 */
		if (sa->role == IKE_ROLE_INITIATOR && sa->state < IKE_S_ESTABLISHED)
			sa_explain(sa, step_of(sa),
			           "the gateway's only answer was an unauthenticated %s notify "
			           "(not believed: anyone could send one): %s",
			           isakmp_notify_name(n->type),
			           sa->cfg.cert     ? cert_advice(n->type)
			           : sa->cfg.hybrid ? hybrid_advice(n->type)
			                            : notify_advice(n->type));
		return sa_drop(sa, "ignored unauthenticated %s notify",
		               isakmp_notify_name(n->type));
	}
	if (sa->state == IKE_S_ESTABLISHED) {
		/* over a working tunnel an error answers our quick mode (a rekey): give that up,
		 * the tunnel stays until its lifetime */
		sa_log(sa, IKE_LOG_WARN, "the %s reported %s",
		       sa->role == IKE_ROLE_INITIATOR ? "gateway" : "client",
		       isakmp_notify_name(n->type));
		sa->refused_with = n->type;
		return IKE_V_REFUSED;
	}
	if (sa->role != IKE_ROLE_INITIATOR) {
		sa_log(sa, IKE_LOG_WARN, "the client reported %s", isakmp_notify_name(n->type));
		/* before the tunnel is up an authenticated error ends the attempt (a client that
		 * refused our certificate in MM6): its slot and pool address go back at once */
		if (encrypted && sa->state < IKE_S_ESTABLISHED) {
			sa_fail(sa, step_of(sa), "the client refused the connection (%s)",
			        isakmp_notify_name(n->type));
			return IKE_V_FATAL;
		}
		return IKE_V_OK;
	}
	sa->refused_with = n->type;
	return IKE_V_REFUSED;
}

void info_fail_refused(struct ike_sa *sa)
{
	uint16_t type = sa->refused_with;
	enum ike_step st = step_of(sa);
	if (sa->dh_auto && (sa->state == IKE_S_AM_SENT || sa->state == IKE_S_MM_SA) &&
	    (type == ISAKMP_N_NO_PROPOSAL_CHOSEN || type == ISAKMP_N_INVALID_KEY_INFORMATION)) {
		sa_fail(sa, st,
		        "the gateway accepted none of the proposals in DH groups %s; check its "
		        "crypto isakmp policy, or pin another group with --dh (%s)",
		        sa->dh_tried, isakmp_notify_name(type));
		return;
	}
	if (st == IKE_STEP_QUICK) {
		/* phase 1, XAUTH and mode-config are done: the gateway holds a session for us
		 * that no pair will use; end it too */
		for (size_t i = 0; i < sa->n_children; i++)
			info_send_delete_child(sa, &sa->children[i].ch);
		info_send_delete_ike(sa);
	}
	if (st == IKE_STEP_QUICK && type == ISAKMP_N_INVALID_ID_INFORMATION) {
		/* our quick mode's identity: the assigned address, or one of our LANs */
		uint32_t a = sa->qm.idci.addr;
		sa_fail(sa, st,
		        "the gateway refused the quick mode for %u.%u.%u.%u/%d (%s): it does not "
		        "carry that address or network for us (its log says why)",
		        a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
		        __builtin_popcount(sa->qm.idci.mask), isakmp_notify_name(type));
		return;
	}
	if (sa->cfg.cert)
		sa_fail(sa, st, "%s (%s)", cert_advice(type), isakmp_notify_name(type));
	else if (sa->cfg.hybrid)
		sa_fail(sa, st, "%s (%s)", hybrid_advice(type), isakmp_notify_name(type));
	else
		sa_fail(sa, st, "%s (%s)", notify_advice(type), isakmp_notify_name(type));
}

static void delete_input(struct ike_sa *sa, const struct isakmp_delete *d)
{
	if (d->proto == ISAKMP_PROTO_ISAKMP) {
		sa_closed(sa, "the %s closed the connection",
		          sa->role == IKE_ROLE_INITIATOR ? "gateway" : "client");
		return;
	}
	if (d->proto != ISAKMP_PROTO_ESP || d->spi_size != 4)
		return;
	struct rd r = rd_init(d->spis, (size_t)d->nspi * 4);
	uint32_t spi, gone_in = 0, gone_out = 0;
	while (rd_u32(&r, &spi)) {
		bool found = false;
		/* vpnc names both SPIs of a pair in one DELETE: the second is of the pair the
		 * first took away */
		if (gone_in && (spi == gone_in || spi == gone_out))
			continue;
		for (size_t i = 0; i < sa->n_children && !found; i++) {
			const struct ike_child *ch = &sa->children[i].ch;
			/* some gateways name the receiver's SPI instead of their own: accept both
			 */
			if (ch->spi_out != spi && ch->spi_in != spi)
				continue;
			sa_log(sa, IKE_LOG_INFO, "IPsec SA %08x/%08x deleted by the peer",
			       ch->spi_in, ch->spi_out);
			gone_in = ch->spi_in;
			gone_out = ch->spi_out;
			sa_child_drop(sa, i);
			found = true;
		}
		if (!found)
			sa_log(sa, IKE_LOG_INFO,
			       "ignored a DELETE for IPsec SA %08x: no such SA (already gone?)",
			       spi);
	}
	if (sa->n_children == 0 && sa->role == IKE_ROLE_INITIATOR && sa->state == IKE_S_ESTABLISHED)
		sa_closed(sa, "the gateway deleted the tunnel");
}
enum ike_verdict info_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *body,
                            size_t body_len, const struct isakmp_chain *c, bool encrypted)
{
	const char *why;
	enum ike_verdict v = IKE_V_DROP;
	if (encrypted) {
		if (!sa_check_hash(sa, c, h->msgid, NULL, 0, body, body_len))
			return sa_drop(sa, "dropped informational with a wrong HASH");
		/* Informationals have no exchange to bind them to: a message taken before is a
		 * replay, and only a fresh DPD message may move the peer to a new address
		 * (notify_input). Known by
		 * its HASH(1), prf(SKEYID_a, M-ID | payloads), not by its ID alone (vpnc draws
		 * its DELETEs' IDs from one byte) nor by the datagram's bytes: a copy with its
		 * minor version, a flag or its padding changed still verifies and would look
		 * fresh, and move the peer wherever it came from. Ours are remembered too
		 * (sa_build_hashed): sent back to us, they would verify. */
		const uint8_t *hash1 = c->pl[0].body; /* sa_check_hash: HASH first, hlen >= 16 */
		if (sa_info_seen(sa, hash1)) {
			sa_log(sa, IKE_LOG_DEBUG, "dropped replayed informational %08x", h->msgid);
			return IKE_V_DROP;
		}
		sa_info_remember(sa, hash1);
		sa->last_rx = sa->now;
		v = IKE_V_OK;
	}
	for (size_t i = 0; i < c->n && sa->state != IKE_S_DEAD; i++) {
		const struct isakmp_pl *p = &c->pl[i];
		if (p->type == ISAKMP_PL_N) {
			struct isakmp_notify n;
			if (!isakmp_notify_parse(p->body, p->len, &n, &why))
				continue;
			enum ike_verdict nv = notify_input(sa, &n, encrypted);
			if (nv == IKE_V_REFUSED)
				return nv;
			if (nv == IKE_V_OK)
				v = IKE_V_OK;
		} else if (p->type == ISAKMP_PL_D) {
			struct isakmp_delete d;
			if (encrypted && isakmp_delete_parse(p->body, p->len, &d, &why))
				delete_input(sa, &d);
		}
	}
	return sa->state == IKE_S_DEAD ? IKE_V_FATAL : v;
}

void info_send_initial_contact(struct ike_sa *sa, struct isakmp_builder *b)
{
	uint8_t body[64];
	size_t len = notify_body(sa, body, sizeof(body), ISAKMP_N_INITIAL_CONTACT, NULL, 0);
	if (len)
		isakmp_build_payload(b, ISAKMP_PL_N, body, len);
}

void info_write_p1_lifetime(struct ike_sa *sa, struct isakmp_builder *b,
                            const struct isakmp_transform *t)
{
	struct ike_p1_prop offered;
	uint8_t attrs[16], body[64];
	if (!sa->p1.life_s || !prop_read_p1(t, &offered))
		return;
	if (offered.life_s && offered.life_s <= sa->p1.life_s)
		return;
	/* the attributes of the SA the notify is about: phase-1 ones for the ISAKMP SA */
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tv(&w, IKE_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
	isakmp_attr_write_int(&w, IKE_ATTR_LIFE_DURATION, sa->p1.life_s);
	size_t len =
	    w.err ? 0
	          : notify_body(sa, body, sizeof(body), ISAKMP_N_RESPONDER_LIFETIME, attrs, w.len);
	if (len)
		isakmp_build_payload(b, ISAKMP_PL_N, body, len);
}

void info_read_p1_lifetime(struct ike_sa *sa, const struct isakmp_chain *c, struct ike_p1_prop *p)
{
	for (size_t i = 0; i < c->n; i++) {
		struct isakmp_notify n;
		const char *why;
		if (c->pl[i].type != ISAKMP_PL_N ||
		    !isakmp_notify_parse(c->pl[i].body, c->pl[i].len, &n, &why) ||
		    n.type != ISAKMP_N_RESPONDER_LIFETIME || n.proto != ISAKMP_PROTO_ISAKMP)
			continue;
		struct rd r = rd_init(n.data, n.data_len);
		struct isakmp_attr a;
		unsigned type = 0;
		/* IKE attribute numbers as IOS sends them; the IPsec ones as some others do */
		while (isakmp_attr_next(&r, &a) == 1 && a.value_ok) {
			if (a.type == IKE_ATTR_LIFE_TYPE || a.type == IPSEC_ATTR_LIFE_TYPE)
				type = a.value;
			else if ((a.type == IKE_ATTR_LIFE_DURATION ||
			          a.type == IPSEC_ATTR_LIFE_DURATION) &&
			         type == IKE_LIFE_SECONDS && a.value &&
			         (!p->life_s || a.value < p->life_s)) {
				sa_log(
				    sa, IKE_LOG_INFO,
				    "the gateway's RESPONDER-LIFETIME sets the IKE SA's lifetime "
				    "to %u s",
				    a.value);
				p->life_s = a.value;
			}
		}
	}
}

void info_read_initial_contact(struct ike_sa *sa, const struct isakmp_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		struct isakmp_notify n;
		const char *why;
		if (c->pl[i].type == ISAKMP_PL_N &&
		    isakmp_notify_parse(c->pl[i].body, c->pl[i].len, &n, &why) &&
		    n.type == ISAKMP_N_INITIAL_CONTACT) {
			sa->facts |= F_PEER_INITIAL_CONTACT;
			sa_log(sa, IKE_LOG_DEBUG, "the client sent INITIAL-CONTACT");
		}
	}
}
