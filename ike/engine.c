/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's entry points (ike.h): a datagram is parsed, matched to this SA, checked for
 * being a retransmission, decrypted into the bounded receive buffer, handed to the exchange
 * it belongs to, and the handler's verdict is settled here, in one place; ticks run the
 * retransmissions, deadlines, lifetimes and DPD. After each, the sequencer (seq.c) starts
 * whatever comes next. The exchanges call down into sa.c; nothing calls back up into here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/sa_int.h"

/* What the engine does with a handler's verdict. */
static void settle(struct ike_sa *sa, enum ike_verdict v)
{
	switch (v) {
	case IKE_V_OK:
		sa->last_drop[0] = '\0';
		seq_advance(sa);
		break;
	case IKE_V_REFUSED:
		if (sa->state == IKE_S_ESTABLISHED) {
			/* over a working tunnel an error answers our quick mode: a rekey is given
			 * up (the tunnel stays until its lifetime); the first pair of one of our
			 * LANs ends the connection with the reason (qm_failed) rather than leaving
			 * that LAN half up and asking again at every tick */
			if (sa->qm.active && sa->qm.we_started) {
				uint32_t a = sa->qm.idci.addr;
				qm_failed(
				    sa,
				    "the gateway refused the quick mode for %u.%u.%u.%u/%d (%s)",
				    a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
				    __builtin_popcount(sa->qm.idci.mask),
				    isakmp_notify_name(sa->refused_with));
			}
		} else if (!am_fallback(sa, sa->refused_with)) {
			info_fail_refused(sa);
		}
		break;
	case IKE_V_DROP:
	case IKE_V_FATAL:
		break;
	}
}

/* ESP SA pairs past their lifetime, or replaced by our rekey and past the overlap, end with
 * a DELETE to the peer. */
static void children_tick(struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->n_children && sa->state != IKE_S_DEAD;) {
		struct ike_child_rec *r = &sa->children[i];
		bool expired = r->expires_at && sa->now >= r->expires_at;
		bool replaced = r->delete_at && sa->now >= r->delete_at;
		if (!expired && !replaced) {
			i++;
			continue;
		}
		if (replaced)
			sa_log(sa, IKE_LOG_INFO,
			       "IPsec SA %08x/%08x replaced by its rekey: deleted", r->ch.spi_in,
			       r->ch.spi_out);
		else
			sa_log(sa, IKE_LOG_INFO, "IPsec SA %08x/%08x reached its lifetime of %u s",
			       r->ch.spi_in, r->ch.spi_out, r->ch.life_s);
		if (sa->ka.p)
			info_send_delete_child(sa, &r->ch);
		sa_child_drop(sa, i);
	}
	if (sa->state == IKE_S_ESTABLISHED && sa->n_children == 0 && sa->role == IKE_ROLE_INITIATOR)
		sa_closed(sa, "the IPsec SA reached its lifetime and no new one replaced it");
}

/* Transaction messages: XAUTH or mode-config, by role, type and message ID. */
static enum ike_verdict txn_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                  const struct isakmp_cfg *cfg)
{
	if (sa->state < IKE_S_P1_DONE)
		return sa_drop(sa, "dropped transaction message before phase 1 completed");
	if (sa->role == IKE_ROLE_INITIATOR) {
		if (cfg->type == ISAKMP_CFG_REPLY && h->msgid == sa->cfg_msgid)
			return modecfg_client_input(sa, h, cfg);
		if ((cfg->type == ISAKMP_CFG_REQUEST ||
		     (cfg->type == ISAKMP_CFG_SET && xauth_has_attrs(cfg))) &&
		    !(sa->facts & F_XAUTH_DONE))
			return xauth_client_input(sa, h, cfg);
		if (cfg->type == ISAKMP_CFG_SET)
			return modecfg_client_input(sa, h, cfg);
		sa_log(sa, IKE_LOG_DEBUG, "ignored transaction message type %u", cfg->type);
		return IKE_V_DROP;
	}
	if ((cfg->type == ISAKMP_CFG_REPLY || cfg->type == ISAKMP_CFG_ACK) &&
	    h->msgid == sa->xauth_msgid)
		return xauth_server_input(sa, h, cfg);
	if (cfg->type == ISAKMP_CFG_ACK && sa->cfg_msgid && h->msgid == sa->cfg_msgid)
		return modecfg_server_ack(sa, h);
	if (cfg->type == ISAKMP_CFG_REQUEST)
		return modecfg_server_input(sa, h, cfg);
	sa_log(sa, IKE_LOG_DEBUG, "ignored transaction message type %u", cfg->type);
	return IKE_V_DROP;
}

void ike_start(struct ike_sa *sa, uint64_t now_ms)
{
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_INITIATOR || sa->state != IKE_S_IDLE)
		return;
	if (sa->cfg.cert || sa->cfg.psk_main)
		mm_start(sa);
	else
		am_start(sa);
}

/* Whether the message being handled is a copy of one of the peer's recently taken ones. */
static bool seen_before(const struct ike_sa *sa)
{
	static const uint8_t none[20];
	for (size_t i = 0; i < IKE_SEEN_RX; i++)
		if (memcmp(sa->seen_rx_hash[i], none, 20) != 0 &&
		    memcmp(sa->seen_rx_hash[i], sa->cur_rx_hash, 20) == 0)
			return true;
	return false;
}

/*
 * An informational with message ID 0 after phase 1 that the phase-1 chain's IV did not open:
 * vpnc encrypts it with the IV of a new exchange, hash(P1L | 0), as it does every
 * informational (its DELETEs' IDs come from one byte: 1 in 256 is 0). Taken under that IV
 * only if it parses and its HASH(1) verifies, so nothing unauthenticated gets through;
 * otherwise the first decryption is put back, to be reported as before. Returns whether
 * *c holds a parsed message, as isakmp_chain_parse does.
 */
static bool info0_other_iv(struct ike_sa *sa, const uint8_t *pkt, const struct isakmp_hdr *h,
                           struct isakmp_chain *c, int *body_len, const char **why,
                           uint8_t new_iv[CIPHER_BLOCK_MAX])
{
	const char *why2;
	int n = sa_decrypt_derived(sa, pkt, h->len, h, sa->rxbuf, sizeof(sa->rxbuf), new_iv);
	if (n >= 0 && isakmp_chain_parse(sa->rxbuf, (size_t)n, h->np, c, &why2) &&
	    sa_check_hash(sa, c, 0, NULL, 0, sa->rxbuf, (size_t)n)) {
		sa_log(sa, IKE_LOG_DEBUG,
		       "informational with message ID 0 under the IV of a new exchange (as vpnc "
		       "sends it)");
		*body_len = n;
		return true;
	}
	*body_len = sa_decrypt(sa, pkt, h->len, h, sa->rxbuf, sizeof(sa->rxbuf), new_iv);
	*why = "does not decrypt";
	return *body_len >= 0 && isakmp_chain_parse(sa->rxbuf, (size_t)*body_len, h->np, c, why);
}

static bool from_peer(const struct ike_sa *sa, const struct ike_endpoint *from)
{
	return from->addr == sa->peer.addr;
}

void ike_input(struct ike_sa *sa, uint64_t now_ms, const uint8_t *pkt, size_t len,
               const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct isakmp_hdr h;
	const char *why = NULL;
	enum ike_verdict v = IKE_V_DROP;
	sa->now = now_ms;
	if (sa->state == IKE_S_DEAD)
		return;
	if (!isakmp_hdr_parse(pkt, len, &h, &why)) {
		sa_log(sa, IKE_LOG_WARN, "dropped malformed ISAKMP message from %u.%u.%u.%u: %s",
		       from->addr >> 24, (from->addr >> 16) & 255, (from->addr >> 8) & 255,
		       from->addr & 255, why);
		return;
	}
	if (h.len > IKE_MAX_MSG) {
		sa_log(sa, IKE_LOG_WARN,
		       "dropped a %u-byte %s message from %u.%u.%u.%u: larger than the %u bytes "
		       "the engine accepts",
		       h.len, isakmp_exch_name(h.exch), from->addr >> 24, (from->addr >> 16) & 255,
		       (from->addr >> 8) & 255, from->addr & 255, (unsigned)IKE_MAX_MSG);
		return;
	}
	if (memcmp(h.icky, sa->icky, 8) != 0 && sa->state != IKE_S_IDLE) {
		sa_log(sa, IKE_LOG_DEBUG, "dropped message for another initiator cookie");
		return;
	}
	if (sa->role == IKE_ROLE_RESPONDER && sa->state == IKE_S_IDLE)
		; /* the first message: AM1 or MM1 decides */
	else if (!from_peer(sa, from) && !(h.flags & ISAKMP_FLAG_E)) {
		/* an encrypted one may come through a new NAT mapping: its HASH decides */
		sa_log(sa, IKE_LOG_WARN, "dropped message from an address that is not the peer");
		return;
	}
	if (h.np == ISAKMP_PL_FRAG) {
		/* Cisco IKE fragmentation (frag.h): the whole message, once here, goes on alone */
		const uint8_t *whole = NULL;
		size_t wlen = 0;
		if (!sa->frag_rx)
			sa->frag_rx = ike_frag_rx_new(IKE_MAX_MSG);
		int fr = sa->frag_rx
		             ? ike_frag_rx_add(sa->frag_rx, now_ms, pkt, h.len, &whole, &wlen, &why)
		             : -ENOMEM;
		if (fr < 0)
			sa_log(sa, IKE_LOG_WARN, "dropped an IKE fragment: %s",
			       fr == -ENOMEM ? "out of memory" : why);
		else if (fr == 1 && wlen >= ISAKMP_HDR_LEN && whole[16] != ISAKMP_PL_FRAG)
			ike_input(sa, now_ms, whole, wlen, from, to);
		return;
	}
	sa->cur_from = *from;
	sa->cur_to = *to;
	/* A retransmitted request gets our previous answer again, byte for byte: recomputing
	 * it would change IVs and nonces. */
	struct crypto_iov iov = {pkt, h.len};
	sa->cur_rx_valid = crypto_hash_v(HASH_SHA1, &iov, 1, sa->cur_rx_hash) == 0;
	if (sa->cur_rx_valid && sa->have_last_rx &&
	    memcmp(sa->cur_rx_hash, sa->last_rx_hash, sizeof(sa->last_rx_hash)) == 0) {
		if (sa->last_reply) {
			sa_log(sa, IKE_LOG_DEBUG, "retransmitted %s request, answering again",
			       isakmp_exch_name(h.exch));
			sa_emit_send(sa, sa->last_reply, sa->last_reply_len, sa->peer,
			             sa->last_reply_port);
		}
		return;
	}
	/* A copy of a message taken earlier, which the exchange has moved past (the peer
	 * retransmitted it before our answer reached it, and both arrived): its IV chain has
	 * moved on too, so it would no longer decrypt or verify and would look like a forgery.
	 * The same bytes as a message that was authenticated are no attack; a changed one
	 * matches nothing here and is judged (and reported) as before. */
	if (sa->cur_rx_valid && seen_before(sa)) {
		sa_log(sa, IKE_LOG_DEBUG,
		       "dropped a late copy of a %s message already taken (message ID %08x): a "
		       "retransmission of the peer",
		       isakmp_exch_name(h.exch), h.msgid);
		return;
	}

	if (h.exch == ISAKMP_EXCH_AGGRESSIVE) {
		v = am_input(sa, &h, pkt, h.len, from, to);
		goto out;
	}
	if (h.exch == ISAKMP_EXCH_MAIN) {
		v = mm_input(sa, &h, pkt, h.len, from, to);
		goto out;
	}
	if (h.exch == ISAKMP_EXCH_INFO && !(h.flags & ISAKMP_FLAG_E)) {
		struct isakmp_chain c;
		if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c,
		                        &why)) {
			sa_log(sa, IKE_LOG_WARN, "dropped malformed informational: %s", why);
			goto out;
		}
		v = info_input(sa, &h, pkt + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, &c, false);
		goto out;
	}
	if (!(h.flags & ISAKMP_FLAG_E) || !sa->ka.p) {
		sa_log(sa, IKE_LOG_WARN, "dropped unencrypted %s message",
		       isakmp_exch_name(h.exch));
		goto out;
	}
	if (h.msgid == 0 && h.exch != ISAKMP_EXCH_INFO) {
		sa_log(sa, IKE_LOG_WARN, "dropped %s message with message ID 0",
		       isakmp_exch_name(h.exch));
		goto out;
	}

	uint8_t new_iv[CIPHER_BLOCK_MAX];
	int body_len = sa_decrypt(sa, pkt, h.len, &h, sa->rxbuf, sizeof(sa->rxbuf), new_iv);
	if (body_len < 0) {
		sa_log(sa, IKE_LOG_WARN, "dropped %s message that does not decrypt",
		       isakmp_exch_name(h.exch));
		goto out;
	}
	struct isakmp_chain c;
	bool parsed = isakmp_chain_parse(sa->rxbuf, (size_t)body_len, h.np, &c, &why);
	if (h.exch == ISAKMP_EXCH_INFO && h.msgid == 0 &&
	    !(parsed && sa_check_hash(sa, &c, 0, NULL, 0, sa->rxbuf, (size_t)body_len)))
		parsed = info0_other_iv(sa, pkt, &h, &c, &body_len, &why, new_iv);
	if (!parsed) {
		sa_log(sa, IKE_LOG_WARN, "dropped malformed %s message: %s",
		       isakmp_exch_name(h.exch), why);
		goto out;
	}
	switch (h.exch) {
	case ISAKMP_EXCH_TRANSACTION: {
		if (!sa_check_hash(sa, &c, h.msgid, NULL, 0, sa->rxbuf, (size_t)body_len)) {
			sa_log(sa, IKE_LOG_WARN, "dropped transaction message with a wrong HASH");
			goto out;
		}
		const struct isakmp_pl *a = isakmp_chain_find(&c, ISAKMP_PL_ATTR, 0);
		struct isakmp_cfg cfgp;
		if (!a || !isakmp_cfg_parse(a->body, a->len, &cfgp, &why)) {
			sa_log(sa, IKE_LOG_WARN, "dropped transaction message: %s",
			       a ? why : "no attribute payload");
			goto out;
		}
		sa_commit_iv(sa, h.exch, h.msgid, new_iv);
		sa->last_rx = now_ms;
		/* no sa_peer_seen: a replayed transaction message is not proof of a new
		 * mapping; informationals with fresh IDs and quick-mode answers are */
		v = txn_input(sa, &h, &cfgp);
		break;
	}
	case ISAKMP_EXCH_QUICK:
		/* committed by qm.c once the message is authenticated, before it answers */
		memcpy(sa->qm_rx_iv, new_iv, sizeof(sa->qm_rx_iv));
		sa->last_rx = now_ms;
		v = qm_input(sa, &h, sa->rxbuf, (size_t)body_len, &c);
		break;
	case ISAKMP_EXCH_INFO:
		v = info_input(sa, &h, sa->rxbuf, (size_t)body_len, &c, true);
		break;
	default:
		sa_log(sa, IKE_LOG_WARN, "dropped unexpected %s exchange",
		       isakmp_exch_name(h.exch));
		break;
	}
out:
	/* Only the exchanges whose IV chain moves on with each message: a late copy of phase 1
	 * is ignored quietly by its state already (am.c, mm.c), and a replayed informational is
	 * reported (info.c). */
	if (v == IKE_V_OK && sa->cur_rx_valid &&
	    (h.exch == ISAKMP_EXCH_TRANSACTION || h.exch == ISAKMP_EXCH_QUICK)) {
		memcpy(sa->seen_rx_hash[sa->seen_rx_next], sa->cur_rx_hash, 20);
		sa->seen_rx_next = (sa->seen_rx_next + 1) % IKE_SEEN_RX;
	}
	sa->cur_rx_valid = false;
	settle(sa, v);
}

void ike_tick(struct ike_sa *sa, uint64_t now_ms)
{
	sa->now = now_ms;
	if (sa->state == IKE_S_DEAD)
		return;
	am_tick(sa);
	if (sa->state == IKE_S_DEAD)
		return;
	if (sa->rx.msg && now_ms >= sa->rx.next_at) {
		if (sa->rx.tries >= sa->rx.max && !sa->rx.patient &&
		    sa->state == IKE_S_ESTABLISHED && sa->rx.step == IKE_STEP_QUICK) {
			/* a rekey nobody answers: the tunnel goes on until its hard limit */
			qm_abandon(sa, "no answer");
		} else if (sa->rx.tries >= sa->rx.max && !sa->rx.patient) {
			struct ike_endpoint p = sa->rx.to;
			if (sa->last_drop[0])
				/* the peer did answer, with something we could not take */
				sa_fail(sa, sa->last_drop_step, "%s", sa->last_drop);
			else if (sa->role == IKE_ROLE_INITIATOR && sa->state == IKE_S_MM_AUTH &&
			         !p1_auth_is_rsa(sa->p1.auth) && !sa->cfg.hybrid)
				/* it answered the four messages before: it cannot read our MM5 */
				sa_fail(sa, sa->rx.step,
				        "the gateway answered main mode but not our identity (the "
				        "fifth message): its pre-shared key for our address is not "
				        "our group key (check --secret, or the key the gateway has "
				        "for this address)");
			else if (sa->role == IKE_ROLE_INITIATOR)
				sa_fail(sa, sa->rx.step,
				        "no answer from the gateway %u.%u.%u.%u port %u after %u "
				        "tries; check the gateway address and that UDP ports 500 "
				        "and 4500 reach it",
				        p.addr >> 24, (p.addr >> 16) & 255, (p.addr >> 8) & 255,
				        p.addr & 255, p.port, sa->rx.tries + 1);
			else
				sa_fail(sa, sa->rx.step,
				        "the client %u.%u.%u.%u stopped answering after %u tries",
				        p.addr >> 24, (p.addr >> 16) & 255, (p.addr >> 8) & 255,
				        p.addr & 255, sa->rx.tries + 1);
			return;
		} else {
			sa->rx.tries++;
			sa_log(sa, IKE_LOG_DEBUG, "retransmitting (try %u)", sa->rx.tries + 1);
			sa_emit_send(sa, sa->rx.msg, sa->rx.len, sa->rx.to, sa->rx.from_port);
			/* 1, 2, 4, 8, 8 s: an unreachable gateway is reported after about half a
			 * minute */
			uint64_t backoff = (uint64_t)sa->cfg.retransmit_ms
			                   << (sa->rx.tries < 3 ? sa->rx.tries : 3);
			sa->rx.next_at = now_ms + backoff;
		}
	}
	if (sa->setup_deadline && now_ms >= sa->setup_deadline && sa->state != IKE_S_ESTABLISHED) {
		struct ike_endpoint p = sa->peer;
		sa_fail(sa, IKE_STEP_INIT,
		        "the client %u.%u.%u.%u did not complete the connection within %u seconds "
		        "(stopped in state %s)",
		        p.addr >> 24, (p.addr >> 16) & 255, (p.addr >> 8) & 255, p.addr & 255,
		        sa->cfg.xauth_timeout_s + IKE_SETUP_GRACE_S, sa_state_name(sa->state));
		return;
	}
	sa_p1_rekey_tick(sa);
	if (sa->p1_expires_at && now_ms >= sa->p1_expires_at) {
		sa_log(sa, IKE_LOG_INFO, "the IKE SA reached its lifetime of %u s", sa->p1.life_s);
		ike_close(sa, now_ms);
		return;
	}
	children_tick(sa);
	if (sa->state == IKE_S_DEAD)
		return;
	if (sa->role == IKE_ROLE_RESPONDER && sa->xauth_deadline && now_ms >= sa->xauth_deadline &&
	    (sa->state == IKE_S_XAUTH || sa->state == IKE_S_P1_DONE)) {
		sa_fail(sa, IKE_STEP_XAUTH,
		        "the client did not answer the XAUTH request within %u seconds",
		        sa->cfg.xauth_timeout_s);
		return;
	}
	dpd_tick(sa);
	seq_advance(sa);
}

uint64_t ike_next_timeout(const struct ike_sa *sa)
{
	uint64_t t = UINT64_MAX;
	if (sa->state == IKE_S_DEAD)
		return t;
	if (sa->rx.msg && sa->rx.next_at < t)
		t = sa->rx.next_at;
	if (sa->p1_group_deadline && (sa->state == IKE_S_AM_SENT || sa->state == IKE_S_MM_SA) &&
	    sa->p1_group_deadline < t)
		t = sa->p1_group_deadline;
	if (sa->xauth_deadline && sa->xauth_deadline < t)
		t = sa->xauth_deadline;
	if (sa->dpd_next && sa->dpd_next < t)
		t = sa->dpd_next;
	if (sa->setup_deadline && sa->setup_deadline < t && sa->state != IKE_S_ESTABLISHED)
		t = sa->setup_deadline;
	if (sa->p1_expires_at && sa->p1_expires_at < t)
		t = sa->p1_expires_at;
	if (sa->p1_rekey_at && sa->p1_rekey_at < t)
		t = sa->p1_rekey_at;
	uint64_t c = sa_children_next(sa);
	return c < t ? c : t;
}

void ike_close(struct ike_sa *sa, uint64_t now_ms)
{
	sa->now = now_ms;
	if (sa->state == IKE_S_DEAD)
		return;
	if (sa->ka.p && sa->state >= IKE_S_P1_DONE) {
		for (size_t i = 0; i < sa->n_children; i++)
			info_send_delete_child(sa, &sa->children[i].ch);
		info_send_delete_ike(sa);
	}
	sa_closed(sa, "disconnected");
}

void ike_child_volume(struct ike_sa *sa, uint64_t now_ms, uint32_t spi_in, bool hard)
{
	sa->now = now_ms;
	if (sa->state == IKE_S_DEAD)
		return;
	struct ike_child_rec *r = sa_child_find(sa, spi_in);
	if (!r)
		return;
	if (hard) {
		sa_log(sa, IKE_LOG_INFO, "IPsec SA %08x/%08x used up its lifetime of %u KB",
		       r->ch.spi_in, r->ch.spi_out, r->ch.life_kb);
		r->expires_at = now_ms; /* ends with the next tick, like a time lifetime */
		children_tick(sa);
		return;
	}
	if (!r->replaced)
		r->rekey_due = true;
	seq_advance(sa);
}

size_t ike_sa_child_status(const struct ike_sa *sa, uint64_t now_ms, struct ike_child_status *out,
                           size_t max)
{
	for (size_t i = 0; i < sa->n_children && i < max; i++) {
		const struct ike_child_rec *r = &sa->children[i];
		out[i] = (struct ike_child_status){
		    .spi_in = r->ch.spi_in,
		    .spi_out = r->ch.spi_out,
		    .life_s = r->ch.life_s,
		    .life_kb = r->ch.life_kb,
		    .age_s = now_ms > r->up_at ? (now_ms - r->up_at) / 1000 : 0,
		    .remaining_s = !r->expires_at ? -1
		                   : now_ms >= r->expires_at
		                       ? 0
		                       : (int64_t)((r->expires_at - now_ms) / 1000),
		    .replaced = r->replaced,
		    .rekeying = r->rekeying,
		    .esp = r->ch.esp,
		    .key_bits = r->ch.key_bits,
		    .auth = r->ch.auth,
		    .udp_encap = r->ch.udp_encap,
		};
	}
	return sa->n_children;
}

bool ike_sa_p1_chosen(const struct ike_sa *sa, uint64_t now_ms, struct ike_p1_prop *p,
                      int64_t *remaining_s)
{
	if (sa->state < IKE_S_P1_DONE || sa->state == IKE_S_DEAD)
		return false;
	*p = sa->p1;
	*remaining_s = !sa->p1_expires_at ? -1
	               : now_ms >= sa->p1_expires_at
	                   ? 0
	                   : (int64_t)((sa->p1_expires_at - now_ms) / 1000);
	return true;
}

unsigned ike_sa_caps(const struct ike_sa *sa)
{
	unsigned c = 0;
	if (sa->facts & F_MODECFG_DONE)
		c |= IKE_CAP_MODECFG;
	if (sa->facts & F_PEER_DPD)
		c |= IKE_CAP_DPD;
	if (natt_use_udp(sa))
		c |= IKE_CAP_NATT;
	if (sa->facts & F_XAUTH_DONE)
		c |= IKE_CAP_XAUTH;
	return c;
}

void ike_note_traffic(struct ike_sa *sa, uint64_t now_ms)
{
	sa->last_rx = now_ms;
}

void ike_xauth_answer(struct ike_sa *sa, uint64_t now_ms, const char *user, const char *password)
{
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_INITIATOR || !(sa->facts & F_PROMPTING))
		return;
	xauth_answer(sa, user, password);
	seq_advance(sa);
}

void ike_xauth_verdict(struct ike_sa *sa, uint64_t now_ms, bool ok)
{
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_RESPONDER || !(sa->facts & F_VERIFYING))
		return;
	xauth_verdict(sa, ok);
	seq_advance(sa);
}
