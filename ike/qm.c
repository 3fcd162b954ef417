/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Quick mode (RFC 2409 5.5), step 7 of the seed, both roles:
 *   QM1 I->R HASH(1), SA, Ni [, KE], IDci, IDcr
 *   QM2 R->I HASH(2), SA(choice), Nr [, KE], IDci, IDcr
 *   QM3 I->R HASH(3)
 * and the KEYMAT of the two ESP SAs handed to the datapath.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ike/sa_int.h"

static uint32_t new_spi(struct ike_sa *sa)
{
	uint32_t spi = 0;
	/* SPIs 1..255 are reserved by IANA (RFC 4303 2.1) */
	while (spi < 256)
		sa_rand(sa, &spi, sizeof(spi));
	return spi;
}

static void write_id(struct wr *w, const struct evc_net *n)
{
	if (n->mask == 0xffffffffu) {
		wr_u8(w, ISAKMP_ID_IPV4_ADDR);
		wr_u8(w, 0);
		wr_u16(w, 0);
		wr_u32(w, n->addr);
	} else {
		wr_u8(w, ISAKMP_ID_IPV4_ADDR_SUBNET);
		wr_u8(w, 0);
		wr_u16(w, 0);
		wr_u32(w, n->addr);
		wr_u32(w, n->mask);
	}
}

static bool read_id(const struct isakmp_pl *p, struct evc_net *n)
{
	struct isakmp_id id;
	const char *why;
	struct rd r;
	if (!p || !isakmp_id_parse(p->body, p->len, &id, &why))
		return false;
	r = rd_init(id.data, id.len);
	if (id.type == ISAKMP_ID_IPV4_ADDR && id.len == 4) {
		n->mask = 0xffffffffu;
		return rd_u32(&r, &n->addr);
	}
	if (id.type == ISAKMP_ID_IPV4_ADDR_SUBNET && id.len == 8)
		return rd_u32(&r, &n->addr) && rd_u32(&r, &n->mask);
	return false;
}

/* The payloads of a quick-mode message; IDci and IDcr are the first two ID payloads. */
struct qm_payloads {
	const struct isakmp_pl *sa, *nonce, *ke, *id1, *id2;
};

static void qm_find(const struct isakmp_chain *c, struct qm_payloads *q)
{
	q->sa = isakmp_chain_find(c, ISAKMP_PL_SA, 0);
	q->nonce = isakmp_chain_find(c, ISAKMP_PL_NONCE, 0);
	q->ke = isakmp_chain_find(c, ISAKMP_PL_KE, 0);
	q->id1 = isakmp_chain_find(c, ISAKMP_PL_ID, 0);
	q->id2 = q->id1 ? isakmp_chain_find(c, ISAKMP_PL_ID, (size_t)(q->id1 - c->pl) + 1) : NULL;
}

struct qm1_arg {
	uint16_t encap;
	uint8_t pfs;
};

static void write_qm1(struct ike_sa *sa, struct isakmp_builder *b, void *arg)
{
	const struct qm1_arg *q = arg;
	struct ike_p2_prop offer[IKE_MAX_P2];
	for (size_t i = 0; i < sa->n_p2_offer; i++) {
		offer[i] = sa->p2_offer[i];
		offer[i].pfs_group = q->pfs;
	}
	isakmp_build_open(b, ISAKMP_PL_SA);
	prop_write_p2(&b->w, offer, sa->n_p2_offer, sa->qm.spi_in, q->encap);
	isakmp_build_close(b);
	isakmp_build_payload(b, ISAKMP_PL_NONCE, sa->qm.ni, sa->qm.ni_len);
	if (q->pfs) {
		uint8_t ke[IKE_MAX_DH];
		size_t len = crypto_dh_len(q->pfs);
		crypto_dh_public(sa->qm.dh, ke, len);
		isakmp_build_payload(b, ISAKMP_PL_KE, ke, len);
	}
	isakmp_build_open(b, ISAKMP_PL_ID);
	write_id(&b->w, &sa->qm.idci);
	isakmp_build_close(b);
	isakmp_build_open(b, ISAKMP_PL_ID);
	write_id(&b->w, &sa->qm.idcr);
	isakmp_build_close(b);
}
size_t qm_next_lan(const struct ike_sa *sa)
{
	size_t i = 0;
	for (; i < sa->cfg.n_lan; i++) {
		bool paired = false;
		for (size_t k = 0; k < sa->n_children && !paired; k++)
			paired = sa->children[k].ch.local_ts.addr == sa->cfg.lan[i].addr &&
			         sa->children[k].ch.local_ts.mask == sa->cfg.lan[i].mask;
		if (!paired)
			break;
	}
	return i;
}

void qm_start(struct ike_sa *sa, uint32_t rekey_of)
{
	struct qm1_arg q = {natt_encap_mode(sa), 0};
	const struct ike_child_rec *old = sa_child_find(sa, rekey_of);
	crypto_dh_free(sa->qm.dh);
	memset(&sa->qm, 0, sizeof(sa->qm));
	if (sa->policy.pfs || sa->cfg.pfs_group) {
		/* the group policy wants PFS (UNITY_PFS): the phase-1 group; or our own choice */
		q.pfs = sa->policy.pfs ? sa->p1.group : (uint8_t)sa->cfg.pfs_group;
		sa->qm.dh = crypto_dh_new(q.pfs);
		if (!sa->qm.dh) {
			qm_failed(sa, "cannot create a DH key for PFS");
			return;
		}
	}
	sa->qm.we_started = true;
	sa->qm.rekey_of = old ? rekey_of : 0;
	sa->qm.msgid = sa_new_msgid(sa);
	sa->qm.spi_in = new_spi(sa);
	sa->qm.ni_len = IKE_NONCE_LEN;
	sa_rand(sa, sa->qm.ni, sa->qm.ni_len);
	if (old) {
		/* a rekey keeps the traffic selectors of the pair it replaces */
		sa->qm.idci = old->ch.local_ts;
		sa->qm.idcr = old->ch.remote_ts;
	} else if (sa->cfg.n_lan) {
		/* network extension: the first of our networks without a pair yet */
		sa->qm.idci = sa->cfg.lan[qm_next_lan(sa)];
		sa->qm.idcr.addr = 0;
		sa->qm.idcr.mask = 0;
	} else {
		sa->qm.idci.addr = sa->policy.addr;
		sa->qm.idci.mask = 0xffffffffu;
		sa->qm.idcr.addr = 0;
		sa->qm.idcr.mask = 0; /* 0.0.0.0/0: split tunnelling is done by routing */
	}
	sa->qm.encap = q.encap;
	sa->qm.active = true;
	size_t n = sa_build_hashed(sa, ISAKMP_EXCH_QUICK, sa->qm.msgid, NULL, 0, write_qm1, &q,
	                           sa->tx, sizeof(sa->tx));
	if (!n) {
		qm_failed(sa, "cannot build the first quick-mode message");
		return;
	}
	if (sa->state != IKE_S_ESTABLISHED)
		sa_set_state(sa, IKE_S_QUICK);
	if (old)
		sa_log(sa, IKE_LOG_INFO, "rekeying IPsec SA %08x/%08x (quick mode %08x)",
		       old->ch.spi_in, old->ch.spi_out, sa->qm.msgid);
	else
		sa_status(sa, IKE_STEP_QUICK, "offering %zu IPsec transforms%s", sa->n_p2_offer,
		          q.pfs ? " with PFS" : "");
	sa_send(sa, sa->tx, n, true, false, IKE_STEP_QUICK);
}

void qm_abandon(struct ike_sa *sa, const char *why)
{
	struct ike_child_rec *old = sa_child_find(sa, sa->qm.rekey_of);
	if (!sa->qm.active)
		return;
	if (sa->rx.msg && sa->rx.step == IKE_STEP_QUICK)
		sa_rexmit_stop(sa);
	sa_log(sa, IKE_LOG_WARN, "quick mode %08x given up: %s", sa->qm.msgid, why);
	crypto_dh_free(sa->qm.dh);
	sa->qm.dh = NULL;
	sa->qm.active = false;
	if (old)
		sa_child_retry_later(sa, old);
}

void qm_failed(struct ike_sa *sa, const char *fmt, ...)
{
	char text[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* a working tunnel is not torn down for a failed extra quick mode; but a network of
	 * ours the gateway will not carry ends the whole connection rather than leaving it
	 * half up */
	bool lan_pair = sa->cfg.n_lan && sa->qm.we_started && !sa->qm.rekey_of;
	if (sa->state == IKE_S_ESTABLISHED && sa->n_children > 0 && !lan_pair) {
		qm_abandon(sa, text);
		return;
	}
	if (sa->state == IKE_S_ESTABLISHED) {
		/* the pairs of our other LANs are up: DELETEs, so that the gateway keeps no part
		 * of this router either */
		for (size_t i = 0; i < sa->n_children; i++)
			info_send_delete_child(sa, &sa->children[i].ch);
		info_send_delete_ike(sa);
	}
	sa_fail(sa, IKE_STEP_QUICK, "%s", text);
}

/* KEYMAT for both directions and the child handed to the datapath. */
static int make_child(struct ike_sa *sa, uint32_t spi_out, struct ike_child *ch)
{
	uint8_t km[64];
	struct secret gxy = {NULL, 0};
	int rc = -EINVAL;
	memset(ch, 0, sizeof(*ch));
	ch->spi_in = sa->qm.spi_in;
	ch->spi_out = spi_out;
	ch->esp = sa->qm.chosen.esp;
	ch->key_bits = sa->qm.chosen.key_bits;
	ch->auth = sa->qm.chosen.auth;
	ch->enc_key_len = (uint8_t)esp_encr_keylen(ch->esp, ch->key_bits);
	ch->auth_key_len = (uint8_t)esp_auth_keylen(ch->auth);
	size_t need = (size_t)ch->enc_key_len + ch->auth_key_len;
	if (!ch->enc_key_len || (!ch->auth_key_len && ch->auth != ESP_AUTH_NONE) ||
	    (ch->esp == ESP_ENCR_AES_GCM16) != (ch->auth == ESP_AUTH_NONE) || need > sizeof(km) ||
	    ch->enc_key_len > sizeof(ch->enc_in))
		goto out;
	if (sa->qm.dh && crypto_dh_derive(sa->qm.dh, sa->qm.gxr, sa->qm.g_len, &gxy) != 0)
		goto out;
	const struct secret *g = sa->qm.dh ? &gxy : NULL;
	const uint8_t *ni = sa->qm.ni, *nr = sa->qm.nr;
	size_t nil = sa->qm.ni_len, nrl = sa->qm.nr_len;
	/* each direction's KEYMAT uses the SPI its receiver chose */
	if (ike_keymat(sa->p1.hash, &sa->skeyid_d, g, ISAKMP_PROTO_ESP, ch->spi_in, ni, nil, nr,
	               nrl, km, need) != 0)
		goto out;
	memcpy(ch->enc_in, km, ch->enc_key_len);
	memcpy(ch->auth_in, km + ch->enc_key_len, ch->auth_key_len);
	if (ike_keymat(sa->p1.hash, &sa->skeyid_d, g, ISAKMP_PROTO_ESP, ch->spi_out, ni, nil, nr,
	               nrl, km, need) != 0)
		goto out;
	memcpy(ch->enc_out, km, ch->enc_key_len);
	memcpy(ch->auth_out, km + ch->enc_key_len, ch->auth_key_len);
	ch->udp_encap = sa->qm.encap != IPSEC_ENCAP_TUNNEL;
	ch->peer = sa->peer;
	ch->local_port = sa->local.port;
	modecfg_child_encap(sa, ch);
	/* IDci is the side of whoever started this quick mode, which after a rekey by the
	 * other side is not the IKE initiator */
	if (sa->qm.we_started) {
		ch->local_ts = sa->qm.idci;
		ch->remote_ts = sa->qm.idcr;
	} else {
		ch->local_ts = sa->qm.idcr;
		ch->remote_ts = sa->qm.idci;
	}
	ch->life_s = sa->qm.chosen.life_s;
	ch->life_kb = sa->qm.chosen.life_kb;
	if (ch->life_s && ch->life_s < IKE_MIN_LIFE_S) {
		/* a rekey every few seconds would be all the tunnel does */
		sa_log(sa, IKE_LOG_WARN, "IPsec SA lifetime of %u s raised to %u s", ch->life_s,
		       IKE_MIN_LIFE_S);
		ch->life_s = IKE_MIN_LIFE_S;
	}
	rc = 0;
out:
	mem_wipe(km, sizeof(km));
	secret_clear(&gxy);
	return rc;
}

/* IPsec over UDP names its own port; NAT-T's is 4500 */
static const char *encap_str(const struct ike_sa *sa, const struct ike_child *ch, char *buf,
                             size_t len)
{
	if (!ch->udp_encap)
		return "ESP (IP protocol 50)";
	snprintf(buf, len, "ESP in UDP %u",
	         sa->policy.udp_encap_port ? sa->policy.udp_encap_port : IKE_NATT_PORT);
	return buf;
}

static void child_up(struct ike_sa *sa, const struct ike_child *ch)
{
	char p[64], e[32];
	bool rekey = sa->state == IKE_S_ESTABLISHED;
	sa->qm.active = false;
	if (!sa_child_add(sa, ch, sa->qm.we_started ? sa->qm.rekey_of : 0)) {
		/* qm1_input and qm_start refuse a quick mode when the table is full */
		sa_log(sa, IKE_LOG_ERR, "internal: no room for IPsec SA %08x", ch->spi_in);
		return;
	}
	sa->setup_deadline = 0;
	crypto_dh_free(sa->qm.dh);
	sa->qm.dh = NULL;
	sa_set_state(sa, IKE_S_ESTABLISHED);
	if (sa->cfg.dpd_idle_s && (sa->facts & F_PEER_DPD))
		sa->dpd_next = sa->now + (uint64_t)sa->cfg.dpd_idle_s * 1000;
	if (rekey)
		sa_log(sa, IKE_LOG_INFO, "new IPsec SA %s, SPI in %08x out %08x",
		       ike_p2_str(&sa->qm.chosen, p, sizeof(p)), ch->spi_in, ch->spi_out);
	else
		sa_status(sa, IKE_STEP_ESTABLISHED, "tunnel up: %s, SPI in %08x out %08x, %s",
		          ike_p2_str(&sa->qm.chosen, p, sizeof(p)), ch->spi_in, ch->spi_out,
		          encap_str(sa, ch, e, sizeof(e)));
	struct ike_act_node *n = sa_push(sa, IKE_ACT_CHILD_UP);
	if (n && sa_own(n, ch, sizeof(*ch), true))
		n->act.u.child = (const struct ike_child *)(const void *)n->buf;
}

/* Client: the gateway's RESPONDER-LIFETIME shortens what was negotiated. */
static void read_lifetime_notify(const struct isakmp_chain *c, struct ike_p2_prop *p)
{
	for (size_t i = 0; i < c->n; i++) {
		struct isakmp_notify n;
		const char *why;
		if (c->pl[i].type != ISAKMP_PL_N ||
		    !isakmp_notify_parse(c->pl[i].body, c->pl[i].len, &n, &why) ||
		    n.type != ISAKMP_N_RESPONDER_LIFETIME)
			continue;
		struct rd r = rd_init(n.data, n.data_len);
		struct isakmp_attr a;
		unsigned type = 0;
		while (isakmp_attr_next(&r, &a) == 1) {
			if (!a.value_ok)
				break;
			if (a.type == IPSEC_ATTR_LIFE_TYPE)
				type = a.value;
			else if (a.type == IPSEC_ATTR_LIFE_DURATION && a.value == 0)
				continue; /* no lifetime is not a shorter one */
			else if (a.type == IPSEC_ATTR_LIFE_DURATION && type == IKE_LIFE_SECONDS &&
			         (!p->life_s || a.value < p->life_s))
				p->life_s = a.value;
			else if (a.type == IPSEC_ATTR_LIFE_DURATION && type == IKE_LIFE_KILOBYTES &&
			         (!p->life_kb || a.value < p->life_kb))
				p->life_kb = a.value;
		}
	}
}

static enum ike_verdict qm2_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                  const uint8_t *body, size_t len, const struct isakmp_chain *c)
{
	struct isakmp_sa sap;
	const char *why = NULL;
	struct ike_child ch;
	uint8_t hash3[HASH_MAX_LEN];

	if (!sa_check_hash(sa, c, h->msgid, sa->qm.ni, sa->qm.ni_len, body, len)) {
		sa_log(sa, IKE_LOG_WARN, "dropped quick-mode answer with a wrong HASH(2)");
		return IKE_V_DROP;
	}
	sa_peer_seen(sa);
	struct qm_payloads qp;
	qm_find(c, &qp);
	const struct isakmp_pl *psa = qp.sa, *pn = qp.nonce, *pke = qp.ke, *pid1 = qp.id1,
	                       *pid2 = qp.id2;
	struct ike_p2_prop chosen;
	uint16_t encap;
	if (!psa || !pn || pn->len < 8 || pn->len > IKE_MAX_NONCE ||
	    !isakmp_sa_parse(psa->body, psa->len, &sap, &why) || sap.np != 1 || sap.nt != 1 ||
	    sap.p[0].proto != ISAKMP_PROTO_ESP || sap.p[0].spi_size != 4 ||
	    !prop_read_p2(&sap.t[0], sap.t[0].id, &chosen, &encap)) {
		qm_failed(sa, "the peer's IPsec answer is malformed");
		return IKE_V_FATAL;
	}
	bool ok = false;
	for (size_t i = 0; i < sa->n_p2_offer; i++) {
		const struct ike_p2_prop *o = &sa->p2_offer[i];
		ok |= o->esp == chosen.esp && o->key_bits == chosen.key_bits &&
		      o->auth == chosen.auth;
	}
	uint8_t want_pfs = sa->qm.dh ? (uint8_t)crypto_dh_group(sa->qm.dh) : 0;
	if (!ok || chosen.pfs_group != want_pfs || encap != sa->qm.encap) {
		qm_failed(sa, "the gateway chose an IPsec transform evc did not offer");
		return IKE_V_FATAL;
	}
	if (want_pfs) {
		if (!pke || pke->len != crypto_dh_len(want_pfs)) {
			qm_failed(sa, "the gateway's PFS key is missing or the "
			              "wrong size");
			return IKE_V_FATAL;
		}
		memcpy(sa->qm.gxr, pke->body, pke->len);
		sa->qm.g_len = pke->len;
	}
	if (pid1 && pid2) {
		struct evc_net ci, cr;
		if (!read_id(pid1, &ci) || !read_id(pid2, &cr)) {
			qm_failed(sa, "the gateway's traffic selectors are not "
			              "IPv4 addresses or subnets");
			return IKE_V_FATAL;
		}
		/* the gateway may narrow the remote side (strongSwan does) */
		sa->qm.idcr = cr;
		sa->qm.idci = ci;
	}
	read_lifetime_notify(c, &chosen);
	sa_rexmit_stop(sa);
	memcpy(sa->qm.nr, pn->body, pn->len);
	sa->qm.nr_len = pn->len;
	sa->qm.chosen = chosen;
	uint32_t spi_out = (uint32_t)sap.p[0].spi[0] << 24 | (uint32_t)sap.p[0].spi[1] << 16 |
	                   (uint32_t)sap.p[0].spi[2] << 8 | sap.p[0].spi[3];

	/* QM3: HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
	struct isakmp_hdr hh;
	struct isakmp_builder b;
	if (ike_hash_p2(sa->p1.hash, &sa->skeyid_a, 1, h->msgid, sa->qm.ni, sa->qm.ni_len,
	                sa->qm.nr, sa->qm.nr_len, NULL, 0, hash3) != 0) {
		qm_failed(sa, "cannot compute HASH(3)");
		return IKE_V_FATAL;
	}
	sa_hdr(sa, &hh, ISAKMP_EXCH_QUICK, 0, h->msgid);
	isakmp_build_start(&b, sa->tx, sizeof(sa->tx), &hh);
	isakmp_build_payload(&b, ISAKMP_PL_HASH, hash3, sa->hlen);
	size_t n = isakmp_build_finish(&b);
	/* QM2's IV chain must be committed before QM3 is encrypted */
	sa_commit_iv(sa, ISAKMP_EXCH_QUICK, h->msgid, sa->qm_rx_iv);
	if (n)
		n = sa_encrypt(sa, sa->tx, n, sizeof(sa->tx), ISAKMP_EXCH_QUICK, h->msgid);
	if (!n || make_child(sa, spi_out, &ch) != 0) {
		qm_failed(sa, "cannot derive the IPsec keys");
		return IKE_V_FATAL;
	}
	sa_send(sa, sa->tx, n, false, true, IKE_STEP_QUICK);
	child_up(sa, &ch);
	mem_wipe(&ch, sizeof(ch));
	return IKE_V_OK;
}

struct qm2_arg {
	const struct isakmp_sa *sap;
	size_t prop_index;
	size_t t_index;
	const struct isakmp_pl *id1, *id2;
	bool lifetime_notify;
};

/* RESPONDER-LIFETIME (RFC 2407 4.6.3.1): the client proposed no or a longer lifetime. */
static void write_lifetime_notify(struct ike_sa *sa, struct isakmp_builder *b)
{
	isakmp_build_open(b, ISAKMP_PL_N);
	wr_u32(&b->w, ISAKMP_DOI_IPSEC);
	wr_u8(&b->w, ISAKMP_PROTO_ESP);
	wr_u8(&b->w, 4);
	wr_u16(&b->w, ISAKMP_N_RESPONDER_LIFETIME);
	wr_u32(&b->w, sa->qm.spi_in);
	if (sa->qm.chosen.life_s) {
		isakmp_attr_write_tv(&b->w, IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_SECONDS);
		isakmp_attr_write_int(&b->w, IPSEC_ATTR_LIFE_DURATION, sa->qm.chosen.life_s);
	}
	if (sa->qm.chosen.life_kb) {
		isakmp_attr_write_tv(&b->w, IPSEC_ATTR_LIFE_TYPE, IKE_LIFE_KILOBYTES);
		isakmp_attr_write_int(&b->w, IPSEC_ATTR_LIFE_DURATION, sa->qm.chosen.life_kb);
	}
	isakmp_build_close(b);
}

static void write_qm2(struct ike_sa *sa, struct isakmp_builder *b, void *arg)
{
	const struct qm2_arg *q = arg;
	isakmp_build_open(b, ISAKMP_PL_SA);
	prop_write_p2_choice(&b->w, q->sap, q->prop_index, q->t_index, sa->qm.spi_in);
	isakmp_build_close(b);
	isakmp_build_payload(b, ISAKMP_PL_NONCE, sa->qm.nr, sa->qm.nr_len);
	if (sa->qm.dh) {
		uint8_t ke[IKE_MAX_DH];
		size_t len = crypto_dh_len(crypto_dh_group(sa->qm.dh));
		crypto_dh_public(sa->qm.dh, ke, len);
		isakmp_build_payload(b, ISAKMP_PL_KE, ke, len);
	}
	isakmp_build_payload(b, ISAKMP_PL_ID, q->id1->body, q->id1->len);
	isakmp_build_payload(b, ISAKMP_PL_ID, q->id2->body, q->id2->len);
	if (q->lifetime_notify)
		write_lifetime_notify(sa, b);
}

/*
 * Network extension: may the client's side of a quick mode be net, one of the client's own
 * networks rather than its assigned address? NULL when it may, else the reason it may not,
 * appended to the refusal. The server allows it per group (policy.network_extension); the
 * daemon above checks that the network claims no other client's traffic.
 */
static const char *lan_refusal(const struct ike_sa *sa, const struct evc_net *net, char *buf,
                               size_t len)
{
	if (sa->role != IKE_ROLE_RESPONDER) {
		/* the gateway rekeys one of our own networks' pairs */
		for (size_t i = 0; i < sa->cfg.n_lan; i++)
			if (sa->cfg.lan[i].addr == net->addr && sa->cfg.lan[i].mask == net->mask)
				return NULL;
		return "";
	}
	if (!sa->policy.network_extension)
		return ", and its group does not allow network extension ('nem enable')";
	uint32_t host = ~net->mask;
	if (net->mask == 0 || (host & (host + 1)) != 0 || (net->addr & host) != 0)
		return "; network extension needs a network a.b.c.d/len with no host bits, "
		       "not 0.0.0.0/0";
	const char *why = NULL;
	if (sa->cfg.ops && sa->cfg.ops->lan_allowed &&
	    sa->cfg.ops->lan_allowed(sa->cfg.ops->ctx, net, &why) != 0) {
		snprintf(buf, len, "; %s", why ? why : "the server does not carry that network");
		return buf;
	}
	return NULL;
}

static enum ike_verdict qm1_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                  const uint8_t *body, size_t len, const struct isakmp_chain *c)
{
	struct isakmp_sa sap;
	const char *why = NULL;

	bool server = sa->role == IKE_ROLE_RESPONDER;
	if ((sa->facts & F_NEED_XAUTH) && !(sa->facts & F_XAUTH_DONE)) {
		sa_log(sa, IKE_LOG_WARN, "dropped quick mode before XAUTH completed");
		return IKE_V_DROP;
	}
	/* The address this IKE SA may use is the one its policy assigned: without a policy
	 * there is no address to hold the client to, so there is no quick mode either. The
	 * client answers one (a gateway's rekey) only over a tunnel that is up. */
	if ((server && !(sa->facts & F_POLICY_TAKEN)) || !(sa->facts & F_MODECFG_DONE) ||
	    (!server && sa->state != IKE_S_ESTABLISHED)) {
		sa_log(sa, IKE_LOG_WARN, "dropped quick mode before the client took its policy");
		return IKE_V_DROP;
	}
	if (!sa_check_hash(sa, c, h->msgid, NULL, 0, body, len)) {
		sa_log(sa, IKE_LOG_WARN, "dropped quick mode with a wrong HASH(1)");
		return IKE_V_DROP;
	}
	if (sa->n_children >= IKE_MAX_CHILDREN) {
		sa_log(sa, IKE_LOG_WARN,
		       "refused quick mode of user %s: too many IPsec SAs (%u) under one IKE SA",
		       sa->user, (unsigned)IKE_MAX_CHILDREN);
		info_send_plain_notify(sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return IKE_V_DROP;
	}
	struct qm_payloads qp;
	qm_find(c, &qp);
	const struct isakmp_pl *psa = qp.sa, *pn = qp.nonce, *pke = qp.ke, *pid1 = qp.id1,
	                       *pid2 = qp.id2;
	struct evc_net ci, cr;
	if (!psa || !pn || pn->len < 8 || pn->len > IKE_MAX_NONCE || !pid1 || !pid2 ||
	    !read_id(pid1, &ci) || !read_id(pid2, &cr) ||
	    !isakmp_sa_parse(psa->body, psa->len, &sap, &why)) {
		sa_log(sa, IKE_LOG_WARN, "dropped malformed quick mode: %s",
		       why ? why : "missing SA, nonce or IPv4 identities");
		return IKE_V_DROP;
	}
	/* client mode: the client's side is exactly the address it was given (RRI routes it,
	 * the SA table maps it to this client); a subnet or 0.0.0.0/0 would claim other
	 * users' traffic. The client's side is IDci when the client started this quick mode,
	 * IDcr when the gateway did. */
	struct evc_net client_side = server ? ci : cr;
	char lan_why[200];
	const char *no_lan = lan_refusal(sa, &client_side, lan_why, sizeof(lan_why));
	if ((client_side.mask != 0xffffffffu || client_side.addr != sa->policy.addr) && no_lan) {
		ci = client_side;
		sa_log(sa, IKE_LOG_WARN,
		       "refused quick mode of user %s for %u.%u.%u.%u/%u.%u.%u.%u: it was assigned "
		       "%u.%u.%u.%u%s",
		       sa->user, ci.addr >> 24, (ci.addr >> 16) & 255, (ci.addr >> 8) & 255,
		       ci.addr & 255, ci.mask >> 24, (ci.mask >> 16) & 255, (ci.mask >> 8) & 255,
		       ci.mask & 255, sa->policy.addr >> 24, (sa->policy.addr >> 16) & 255,
		       (sa->policy.addr >> 8) & 255, sa->policy.addr & 255, no_lan);
		info_send_plain_notify(sa, ISAKMP_N_INVALID_ID_INFORMATION);
		return IKE_V_DROP;
	}
	/* the KE's length alone does not name a group (ECP 384 and MODP 768 are both 96 bytes):
	 * the group attribute of the chosen transform does, and must fit the KE */
	size_t ke_len = pke ? pke->len : 0;
	struct ike_p2_prop chosen;
	uint16_t encap;
	uint32_t spi_out;
	size_t pi;
	int ti = prop_choose_p2(&sap, sa->p2_offer, sa->n_p2_offer, ke_len, &chosen, &encap,
	                        &spi_out, &pi);
	bool want_udp = natt_use_udp(sa);
	bool is_udp = encap == IPSEC_ENCAP_UDP_TUNNEL || encap == IPSEC_ENCAP_UDP_TUNNEL_DRAFT;
	if (ti < 0 || is_udp != want_udp || (chosen.pfs_group && !pke)) {
		sa_log(sa, IKE_LOG_WARN, "none of the %zu IPsec proposals %s matches %s", sap.nt,
		       server ? "of the client" : "of the gateway",
		       server ? "the transform sets" : "what evc offers");
		info_send_plain_notify(sa, ISAKMP_N_NO_PROPOSAL_CHOSEN);
		return IKE_V_DROP;
	}
	if (sa->qm.active && sa->qm.we_started) {
		/* Both sides rekey at once, and one quick mode at a time fits in the SA: the IKE
		 * initiator's wins, on both sides, so exactly one completes. */
		if (!server)
			return sa_drop(sa,
			               "dropped the gateway's quick mode %08x: our own rekey "
			               "is under way",
			               h->msgid);
		qm_abandon(sa, "the client's rekey goes first");
	}
	crypto_dh_free(sa->qm.dh);
	memset(&sa->qm, 0, sizeof(sa->qm));
	sa->qm.msgid = h->msgid;
	sa->qm.spi_in = new_spi(sa);
	memcpy(sa->qm.ni, pn->body, pn->len);
	sa->qm.ni_len = pn->len;
	sa->qm.nr_len = 32;
	sa_rand(sa, sa->qm.nr, sa->qm.nr_len);
	sa->qm.chosen = chosen;
	sa->qm.encap = encap;
	sa->qm.idci = ci;
	sa->qm.idcr = cr;
	if (chosen.pfs_group) {
		sa->qm.dh = crypto_dh_new(chosen.pfs_group);
		if (!sa->qm.dh || pke->len > sizeof(sa->qm.gxr)) {
			qm_failed(sa, "cannot create a DH group %u key for PFS", chosen.pfs_group);
			return IKE_V_FATAL;
		}
		memcpy(sa->qm.gxr, pke->body, pke->len);
		sa->qm.g_len = pke->len;
	}
	sa->qm.active = true;
	sa->qm.spi_out = spi_out;

	struct ike_p2_prop proposed;
	uint16_t e2;
	prop_read_p2(&sap.t[ti], sap.t[ti].id, &proposed, &e2);
	struct qm2_arg q = {
	    &sap, pi,   (size_t)ti,
	    pid1, pid2, proposed.life_s != chosen.life_s || proposed.life_kb != chosen.life_kb};
	sa_commit_iv(sa, ISAKMP_EXCH_QUICK, h->msgid, sa->qm_rx_iv);
	size_t n = sa_build_hashed(sa, ISAKMP_EXCH_QUICK, h->msgid, sa->qm.ni, sa->qm.ni_len,
	                           write_qm2, &q, sa->tx, sizeof(sa->tx));
	if (!n) {
		qm_failed(sa, "cannot build the second quick-mode message");
		return IKE_V_FATAL;
	}
	if (sa->state != IKE_S_QUICK && sa->state != IKE_S_ESTABLISHED)
		sa_set_state(sa, IKE_S_QUICK);
	sa_send(sa, sa->tx, n, true, true, IKE_STEP_QUICK);
	return IKE_V_OK;
}

static enum ike_verdict qm3_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                  const struct isakmp_chain *c)
{
	uint8_t want[HASH_MAX_LEN];
	struct ike_child ch;
	if (c->n < 1 || c->pl[0].type != ISAKMP_PL_HASH || c->pl[0].len != sa->hlen ||
	    ike_hash_p2(sa->p1.hash, &sa->skeyid_a, 1, h->msgid, sa->qm.ni, sa->qm.ni_len,
	                sa->qm.nr, sa->qm.nr_len, NULL, 0, want) != 0 ||
	    !crypto_ct_equal(want, c->pl[0].body, sa->hlen)) {
		sa_log(sa, IKE_LOG_WARN, "dropped quick mode with a wrong HASH(3)");
		return IKE_V_DROP;
	}
	sa_peer_seen(sa);
	sa_rexmit_stop(sa);
	if (make_child(sa, sa->qm.spi_out, &ch) != 0) {
		qm_failed(sa, "cannot derive the IPsec keys");
		return IKE_V_FATAL;
	}
	child_up(sa, &ch);
	mem_wipe(&ch, sizeof(ch));
	return IKE_V_OK;
}
enum ike_verdict qm_input(struct ike_sa *sa, const struct isakmp_hdr *h, const uint8_t *body,
                          size_t len, const struct isakmp_chain *c)
{
	if (sa->qm.active && h->msgid == sa->qm.msgid)
		return sa->qm.we_started ? qm2_input(sa, h, body, len, c) : qm3_input(sa, h, c);
	if (sa->role == IKE_ROLE_INITIATOR && sa->state != IKE_S_ESTABLISHED) {
		sa_log(sa, IKE_LOG_DEBUG, "ignored quick mode %08x before the tunnel is up",
		       h->msgid);
		return IKE_V_DROP;
	}
	if (sa->state == IKE_S_MODECFG || sa->state == IKE_S_P1_DONE || sa->state == IKE_S_XAUTH ||
	    sa->state == IKE_S_ESTABLISHED)
		return qm1_input(sa, h, body, len, c);
	return IKE_V_DROP;
}
