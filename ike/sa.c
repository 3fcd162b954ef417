/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IKE SA object and the machinery every exchange shares: lifetime, the state function,
 * logs and failures, sending and retransmission, encryption and IV chains, the phase-2-style
 * HASH. It calls no exchange: engine.c drives them, the exchanges call down into here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/p1auth.h"
#include "ike/sa_int.h"

static const char *const state_names[] = {
    [IKE_S_IDLE] = "IDLE",       [IKE_S_AM_SENT] = "AM_SENT",
    [IKE_S_MM_SA] = "MM_SA",     [IKE_S_MM_KE] = "MM_KE",
    [IKE_S_MM_AUTH] = "MM_AUTH", [IKE_S_P1_DONE] = "P1_DONE",
    [IKE_S_XAUTH] = "XAUTH",     [IKE_S_MODECFG] = "MODECFG",
    [IKE_S_QUICK] = "QUICK",     [IKE_S_ESTABLISHED] = "ESTABLISHED",
    [IKE_S_DEAD] = "DEAD",
};

const char *sa_state_name(enum ike_state st)
{
	if ((size_t)st < sizeof(state_names) / sizeof(state_names[0]) && state_names[st])
		return state_names[st];
	return "?";
}

const char *ike_step_name(enum ike_step s)
{
	switch (s) {
	case IKE_STEP_INIT:
		return "step 1 (initiating)";
	case IKE_STEP_PROPOSALS:
		return "step 2 (phase-1 proposals)";
	case IKE_STEP_PHASE1:
		return "step 3 (phase 1)";
	case IKE_STEP_XAUTH:
		return "step 4 (XAUTH)";
	case IKE_STEP_MODECFG:
		return "step 5 (mode-config)";
	case IKE_STEP_RRI:
		return "step 6 (routes)";
	case IKE_STEP_QUICK:
		return "step 7 (quick mode)";
	case IKE_STEP_ESTABLISHED:
		return "established";
	case IKE_STEP_TEARDOWN:
		return "teardown";
	}
	return "?";
}

/*
 * The legal transitions. DEAD is reachable from everywhere; everything else moves forward
 * only, except ESTABLISHED -> QUICK for a further quick mode under the same IKE SA.
 */
static bool transition_ok(enum ike_state from, enum ike_state to)
{
	if (to == IKE_S_DEAD)
		return true;
	switch (from) {
	case IKE_S_IDLE:
		return to == IKE_S_AM_SENT || to == IKE_S_MM_SA;
	case IKE_S_AM_SENT:
	case IKE_S_MM_SA:
		/* back to IDLE: the initiator starts again with another DH group */
		return to == IKE_S_P1_DONE || to == IKE_S_IDLE || to == IKE_S_MM_KE;
	case IKE_S_MM_KE:
		/* the responder's phase 1 ends with MM6 sent */
		return to == IKE_S_MM_AUTH || to == IKE_S_P1_DONE;
	case IKE_S_MM_AUTH:
		return to == IKE_S_P1_DONE;
	/* ESTABLISHED straight after phase 1 or XAUTH: a phase-1 rekey took over the pairs */
	case IKE_S_P1_DONE:
		return to == IKE_S_XAUTH || to == IKE_S_MODECFG || to == IKE_S_QUICK ||
		       to == IKE_S_ESTABLISHED;
	case IKE_S_XAUTH:
		return to == IKE_S_MODECFG || to == IKE_S_QUICK || to == IKE_S_ESTABLISHED;
	case IKE_S_MODECFG:
		return to == IKE_S_QUICK;
	case IKE_S_QUICK:
		return to == IKE_S_ESTABLISHED;
	case IKE_S_ESTABLISHED:
		return to == IKE_S_QUICK;
	case IKE_S_DEAD:
		return false;
	}
	return false;
}

void sa_set_state(struct ike_sa *sa, enum ike_state st)
{
	if (sa->state == st)
		return;
	if (!transition_ok(sa->state, st)) {
		/* A programming error in the engine, never peer-triggered: the callers check the
		 * state before acting on a message. */
		sa_log(sa, IKE_LOG_ERR, "internal: illegal state change %s -> %s",
		       sa_state_name(sa->state), sa_state_name(st));
		abort();
	}
	sa_log(sa, IKE_LOG_DEBUG, "state %s -> %s", sa_state_name(sa->state), sa_state_name(st));
	sa->state = st;
}

static void release_policy(struct ike_sa *sa)
{
	if ((sa->facts & F_POLICY_TAKEN) && sa->cfg.ops && sa->cfg.ops->release_policy)
		sa->cfg.ops->release_policy(sa->cfg.ops->ctx, sa->group, sa->user, &sa->policy);
	sa->facts &= ~F_POLICY_TAKEN;
}

void sa_fail(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
{
	if (sa->state == IKE_S_DEAD)
		return;
	struct ike_act_node *n = sa_push(sa, IKE_ACT_FAILED);
	char text[1024];
	/* every failure names its step first, so no caller can forget it */
	int k = snprintf(text, sizeof(text), "%s: ", ike_step_name(step));
	if (k < 0 || (size_t)k >= sizeof(text))
		k = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text + k, sizeof(text) - (size_t)k, fmt, ap);
	va_end(ap);
	if (n) {
		sa_own(n, text, strlen(text), false);
		n->act.u.fail.step = step;
		n->act.u.fail.text = n->buf ? (const char *)n->buf : "";
	}
	sa_rexmit_stop(sa);
	sa_children_end(sa);
	release_policy(sa);
	sa_set_state(sa, IKE_S_DEAD);
}

enum ike_verdict sa_drop(struct ike_sa *sa, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* a peer, or anyone who can send it datagrams, triggers these at will: not a warning;
	 * what matters reaches the user through sa_explain when the SA gives up */
	sa_log(sa, IKE_LOG_INFO, "%s", text);
	return IKE_V_DROP;
}

void sa_explain(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
{
	va_list ap;
	sa->last_drop_step = step;
	va_start(ap, fmt);
	vsnprintf(sa->last_drop, sizeof(sa->last_drop), fmt, ap);
	va_end(ap);
}

void sa_closed(struct ike_sa *sa, const char *fmt, ...)
{
	if (sa->state == IKE_S_DEAD)
		return;
	struct ike_act_node *n = sa_push(sa, IKE_ACT_CLOSED);
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n) {
		sa_own(n, text, strlen(text), false);
		n->act.u.text = n->buf ? (const char *)n->buf : "";
	}
	sa_rexmit_stop(sa);
	sa_children_end(sa);
	release_policy(sa);
	sa_set_state(sa, IKE_S_DEAD);
}

void sa_hdr(const struct ike_sa *sa, struct isakmp_hdr *h, uint8_t exch, uint8_t flags,
            uint32_t msgid)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->icky, sa->icky, 8);
	memcpy(h->rcky, sa->rcky, 8);
	h->version = ISAKMP_VERSION;
	h->exch = exch;
	h->flags = flags;
	h->msgid = msgid;
}

uint64_t sa_rexmit_budget(const struct ike_sa *sa)
{
	/* as ike_tick schedules them: 1, 2, 4, 8, 8, ... times retransmit_ms, and one more wait
	 * after the last */
	uint64_t t = sa->cfg.retransmit_ms;
	for (unsigned k = 1; k <= sa->cfg.retransmit_max; k++)
		t += (uint64_t)sa->cfg.retransmit_ms << (k < 3 ? k : 3);
	return t;
}

void sa_rexmit_stop(struct ike_sa *sa)
{
	free(sa->rx.msg);
	memset(&sa->rx, 0, sizeof(sa->rx));
}

void sa_send(struct ike_sa *sa, const uint8_t *msg, size_t len, bool expect_reply, bool as_reply,
             enum ike_step step)
{
	sa_emit_send(sa, msg, len, sa->peer, sa->local.port);
	if (expect_reply) {
		sa_rexmit_stop(sa);
		sa->rx.msg = malloc(len);
		if (sa->rx.msg) {
			memcpy(sa->rx.msg, msg, len);
			sa->rx.len = len;
			sa->rx.to = sa->peer;
			sa->rx.from_port = sa->local.port;
			sa->rx.next_at = sa->now + sa->cfg.retransmit_ms;
			sa->rx.tries = 0;
			sa->rx.max = sa->cfg.retransmit_max;
			sa->rx.step = step;
		}
	}
	if (as_reply) {
		free(sa->last_reply);
		sa->last_reply = malloc(len);
		if (sa->last_reply) {
			memcpy(sa->last_reply, msg, len);
			sa->last_reply_len = len;
			sa->last_reply_port = sa->local.port;
			memcpy(sa->last_rx_hash, sa->cur_rx_hash, sizeof(sa->last_rx_hash));
			sa->have_last_rx = sa->cur_rx_valid;
		}
	}
}

/* ---- IV chains and encryption ---- */

static const struct ike_ivchain *chain_find_c(const struct ike_sa *sa, uint32_t msgid)
{
	for (size_t i = 0; i < IKE_MAX_EXCH; i++)
		if (sa->chains[i].used && sa->chains[i].msgid == msgid)
			return &sa->chains[i];
	return NULL;
}

static struct ike_ivchain *chain_find(struct ike_sa *sa, uint32_t msgid)
{
	return (struct ike_ivchain *)chain_find_c(sa, msgid);
}

/* The IV for the next message of exchange msgid (phase 1: the running chain). */
int sa_iv_for(const struct ike_sa *sa, uint8_t exch, uint32_t msgid, uint8_t iv[CIPHER_BLOCK_MAX])
{
	if (msgid == 0) {
		memcpy(iv, sa->iv, sa->bs);
		return 0;
	}
	if (exch != ISAKMP_EXCH_INFO) {
		const struct ike_ivchain *c = chain_find_c(sa, msgid);
		if (c) {
			memcpy(iv, c->iv, sa->bs);
			return 0;
		}
	}
	return ike_iv_exchange(sa->p1.hash, sa->p1_last, sa->bs, msgid, iv);
}

void sa_commit_iv(struct ike_sa *sa, uint8_t exch, uint32_t msgid,
                  const uint8_t iv[CIPHER_BLOCK_MAX])
{
	if (msgid == 0) {
		memcpy(sa->iv, iv, sa->bs);
		return;
	}
	/* Informational exchanges never advance any chain (RFC 2409 appendix B as vpnc and
	 * strongSwan implement it). */
	if (exch == ISAKMP_EXCH_INFO)
		return;
	struct ike_ivchain *c = chain_find(sa, msgid);
	if (!c) {
		c = &sa->chains[0];
		for (size_t i = 0; i < IKE_MAX_EXCH; i++) {
			if (!sa->chains[i].used) {
				c = &sa->chains[i];
				break;
			}
			if (sa->chains[i].used < c->used)
				c = &sa->chains[i];
		}
		c->msgid = msgid;
	}
	memcpy(c->iv, iv, sa->bs);
	c->used = ++sa->chain_clock;
}

size_t sa_encrypt(struct ike_sa *sa, uint8_t *msg, size_t len, size_t cap, uint8_t exch,
                  uint32_t msgid)
{
	uint8_t iv[CIPHER_BLOCK_MAX];
	size_t body = len - ISAKMP_HDR_LEN;
	size_t padded = (body + sa->bs - 1) / sa->bs * sa->bs;
	if (ISAKMP_HDR_LEN + padded > cap || padded == 0)
		return 0;
	memset(msg + len, 0, padded - body);
	if (sa_iv_for(sa, exch, msgid, iv) != 0)
		return 0;
	if (crypto_cbc(sa->p1.encr, sa->ka.p, sa->ka.len, iv, true, msg + ISAKMP_HDR_LEN,
	               msg + ISAKMP_HDR_LEN, padded) != 0)
		return 0;
	size_t total = ISAKMP_HDR_LEN + padded;
	msg[19] |= ISAKMP_FLAG_E;
	struct wr w = wr_init(msg, cap);
	w.len = total;
	wr_put_u32(&w, 24, (uint32_t)total);
	sa_commit_iv(sa, exch, msgid, msg + total - sa->bs);
	return total;
}

static int decrypt(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct isakmp_hdr *h,
                   bool derived, uint8_t *out, size_t cap, uint8_t new_iv[CIPHER_BLOCK_MAX])
{
	uint8_t iv[CIPHER_BLOCK_MAX];
	if (!sa->ka.p)
		return -EINVAL;
	size_t body = h->len - ISAKMP_HDR_LEN;
	/* Some gateways send a length that is not a block multiple; the excess is not
	 * ciphertext (vpnc trims it too). */
	body -= body % sa->bs;
	if (body == 0 || len < ISAKMP_HDR_LEN + body)
		return -EINVAL;
	if (body > cap)
		return -EMSGSIZE;
	if ((derived ? ike_iv_exchange(sa->p1.hash, sa->p1_last, sa->bs, h->msgid, iv)
	             : sa_iv_for(sa, h->exch, h->msgid, iv)) != 0)
		return -EINVAL;
	if (crypto_cbc(sa->p1.encr, sa->ka.p, sa->ka.len, iv, false, msg + ISAKMP_HDR_LEN, out,
	               body) != 0)
		return -EINVAL;
	memcpy(new_iv, msg + ISAKMP_HDR_LEN + body - sa->bs, sa->bs);
	return (int)body;
}

int sa_decrypt(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct isakmp_hdr *h,
               uint8_t *out, size_t cap, uint8_t new_iv[CIPHER_BLOCK_MAX])
{
	return decrypt(sa, msg, len, h, false, out, cap, new_iv);
}

int sa_decrypt_derived(struct ike_sa *sa, const uint8_t *msg, size_t len,
                       const struct isakmp_hdr *h, uint8_t *out, size_t cap,
                       uint8_t new_iv[CIPHER_BLOCK_MAX])
{
	if (sa->state < IKE_S_P1_DONE)
		return -EINVAL; /* no P1L yet */
	return decrypt(sa, msg, len, h, true, out, cap, new_iv);
}

size_t sa_build_hashed(struct ike_sa *sa, uint8_t exch, uint32_t msgid, const uint8_t *ni,
                       size_t ni_len, sa_body_fn fn, void *arg, uint8_t *out, size_t cap)
{
	struct isakmp_hdr h;
	struct isakmp_builder b;
	sa_hdr(sa, &h, exch, 0, msgid);
	isakmp_build_start(&b, out, cap, &h);
	isakmp_build_open(&b, ISAKMP_PL_HASH);
	size_t hash_at = b.w.len;
	wr_zero(&b.w, sa->hlen);
	isakmp_build_close(&b);
	size_t rest_at = b.w.len;
	fn(sa, &b, arg);
	size_t len = isakmp_build_finish(&b);
	if (len == 0)
		return 0;
	if (ike_hash_p2(sa->p1.hash, &sa->skeyid_a, 0, msgid, ni, ni_len, NULL, 0, out + rest_at,
	                len - rest_at, out + hash_at) != 0)
		return 0;
	/* HASH(1) is keyed alike both ways: our own informational sent back to us verifies */
	if (exch == ISAKMP_EXCH_INFO)
		sa_info_remember(sa, out + hash_at);
	return sa_encrypt(sa, out, len, cap, exch, msgid);
}

bool sa_info_seen(const struct ike_sa *sa, const uint8_t *hash1)
{
	for (size_t i = 0; i < sa->info_seen_n; i++)
		if (memcmp(sa->info_seen[i], hash1, sizeof(sa->info_seen[i])) == 0)
			return true;
	return false;
}

void sa_info_remember(struct ike_sa *sa, const uint8_t *hash1)
{
	memcpy(sa->info_seen[sa->info_seen_next], hash1, sizeof(sa->info_seen[0]));
	sa->info_seen_next = (sa->info_seen_next + 1) % IKE_INFO_SEEN;
	if (sa->info_seen_n < IKE_INFO_SEEN)
		sa->info_seen_n++;
}

bool sa_check_hash(struct ike_sa *sa, const struct isakmp_chain *c, uint32_t msgid,
                   const uint8_t *ni, size_t ni_len, const uint8_t *body, size_t body_len)
{
	uint8_t want[HASH_MAX_LEN];
	if (c->n == 0 || c->pl[0].type != ISAKMP_PL_HASH || c->pl[0].len != sa->hlen)
		return false;
	const uint8_t *rest = c->pl[0].raw + c->pl[0].raw_len;
	const uint8_t *end = rest;
	if (c->n > 1)
		end = c->pl[c->n - 1].raw + c->pl[c->n - 1].raw_len;
	if (rest < body || end > body + body_len)
		return false;
	if (ike_hash_p2(sa->p1.hash, &sa->skeyid_a, 0, msgid, ni, ni_len, NULL, 0, rest,
	                (size_t)(end - rest), want) != 0)
		return false;
	return crypto_ct_equal(want, c->pl[0].body, sa->hlen);
}

/* ---- lifetime ---- */

static size_t copy_str(char *dst, size_t cap, const char *src)
{
	if (!src)
		src = "";
	size_t n = strlen(src);
	if (n >= cap)
		return SIZE_MAX;
	memcpy(dst, src, n + 1);
	return n;
}

struct ike_sa *ike_sa_new(const struct ike_config *cfg, uint64_t now_ms, const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	*why = NULL;
	if (cfg->n_lan > IKE_MAX_LAN) {
		*why = "more LAN networks than one IKE SA carries (" IKE_MAX_LAN_STR ")";
		return NULL;
	}
	struct ike_sa *sa = calloc(1, sizeof(*sa));
	if (!sa) {
		*why = "out of memory";
		return NULL;
	}
	sa->cfg = *cfg;
	sa->role = cfg->role;
	sa->now = now_ms;
	sa->local = cfg->local;
	sa->peer = cfg->peer;
	if (!sa->cfg.retransmit_ms)
		sa->cfg.retransmit_ms = 1000;
	if (!sa->cfg.retransmit_max)
		sa->cfg.retransmit_max = 5;
	if (!sa->cfg.xauth_timeout_s)
		sa->cfg.xauth_timeout_s = 60;
	if (!sa->cfg.xauth_tries)
		sa->cfg.xauth_tries = 3;
	if (cfg->frag_size &&
	    (cfg->frag_size < IKE_FRAG_MIN_SIZE || cfg->frag_size > IKE_MAX_MSG)) {
		*why = "the IKE fragment size must be between 128 and 16412 bytes";
		goto fail;
	}
	/* nothing in cfg may be referenced after this function returns */
	sa->cfg.group = sa->cfg.username = sa->cfg.app_version = sa->cfg.hostname = NULL;
	sa->cfg.psk = NULL;
	sa->cfg.p1 = sa->cfg.srv_p1 = NULL;
	sa->cfg.p2 = sa->cfg.srv_p2 = NULL;
	sa->cfg.peer_name = NULL;
	sa->born_ms = now_ms;
	if ((cfg->cert || cfg->hybrid) && (!cfg->trust || cfg->wall_s <= 0)) {
		*why = "a certificate needs the CAs to check the peer's and the date";
		goto fail;
	}
	if (cfg->cert)
		sa->cfg.prop_flags |= IKE_PROP_CERT;
	else if (cfg->hybrid)
		sa->cfg.prop_flags |= IKE_PROP_HYBRID;

	if (copy_str(sa->app_version, sizeof(sa->app_version),
	             cfg->app_version ? cfg->app_version : "evc " EVC_VERSION_STRING) == SIZE_MAX ||
	    copy_str(sa->hostname, sizeof(sa->hostname), cfg->hostname) == SIZE_MAX) {
		*why = "application version or host name too long";
		goto fail;
	}

	if (cfg->role == IKE_ROLE_INITIATOR && p1_initiator_ident(sa, cfg, why) != 0)
		goto fail;
	if (cfg->role == IKE_ROLE_INITIATOR) {
		sa->dh_auto = cfg->dh_group == 0;
		if (sa->dh_auto)
			sa->cfg.dh_group = ike_dh_next_group(0, sa->cfg.prop_flags);
		if (!crypto_dh_len(sa->cfg.dh_group)) {
			*why = "unsupported DH group (evc supports 2, 5, 14, 15, 16, 19 and 20)";
			goto fail;
		}
		if (sa->cfg.dh_group == 1 && !(sa->cfg.prop_flags & IKE_PROP_WEAK)) {
			*why = "DH group 1 (768-bit MODP) is broken; it is offered only when weak "
			       "algorithms are allowed";
			goto fail;
		}
		if (cfg->p1 && cfg->n_p1) {
			if (cfg->n_p1 > IKE_MAX_P1) {
				*why = "too many phase-1 proposals";
				goto fail;
			}
			memcpy(sa->p1_offer, cfg->p1, cfg->n_p1 * sizeof(*cfg->p1));
			sa->n_p1_offer = cfg->n_p1;
			/* a gateway may choose any proposal offered: one with another method
			 * than ours would skip the check of the gateway we were asked for (a
			 * pre-shared-key one with the empty key of a hybrid client) */
			for (size_t i = 0; i < sa->n_p1_offer; i++)
				if (!p1_auth_fits(cfg, sa->p1_offer[i].auth)) {
					*why =
					    "a phase-1 proposal with a pre-shared key where the "
					    "gateway's certificate is to be checked (a certificate "
					    "or hybrid): give the profile's ike lines auth = cert "
					    "or hybrid";
					goto fail;
				}
			for (size_t i = 0; i < sa->n_p1_offer; i++)
				if (sa->dh_auto)
					sa->p1_offer[i].group = (uint8_t)sa->cfg.dh_group;
				else if (sa->p1_offer[i].group != sa->cfg.dh_group) {
					*why = "in aggressive mode every proposal must use the one "
					       "DH group sent in the first message";
					goto fail;
				}
		} else {
			sa->n_p1_offer = ike_proposals_p1(sa->cfg.dh_group, sa->cfg.prop_flags,
			                                  sa->p1_offer, IKE_MAX_P1);
		}
		if (cfg->p2 && cfg->n_p2) {
			if (cfg->n_p2 > IKE_MAX_P2) {
				*why = "too many phase-2 proposals";
				goto fail;
			}
			memcpy(sa->p2_offer, cfg->p2, cfg->n_p2 * sizeof(*cfg->p2));
			sa->n_p2_offer = cfg->n_p2;
		} else {
			sa->n_p2_offer =
			    ike_proposals_p2(0, sa->cfg.prop_flags, sa->p2_offer, IKE_MAX_P2);
		}
		sa_rand(sa, sa->icky, 8);
		while (sa->icky[0] == 0 && sa->icky[7] == 0)
			sa_rand(sa, sa->icky, 8);
	} else {
		if (!cfg->ops || !cfg->ops->group_psk || !cfg->ops->assign_policy) {
			*why = "responder without group lookups";
			goto fail;
		}
		if (!cfg->srv_p1 || !cfg->n_srv_p1 || cfg->n_srv_p1 > IKE_MAX_P1 || !cfg->srv_p2 ||
		    !cfg->n_srv_p2 || cfg->n_srv_p2 > IKE_MAX_P2) {
			*why = "responder needs 1..64 isakmp policies and 1..32 transforms";
			goto fail;
		}
		memcpy(sa->p1_offer, cfg->srv_p1, cfg->n_srv_p1 * sizeof(*cfg->srv_p1));
		sa->n_p1_offer = cfg->n_srv_p1;
		memcpy(sa->p2_offer, cfg->srv_p2, cfg->n_srv_p2 * sizeof(*cfg->srv_p2));
		sa->n_p2_offer = cfg->n_srv_p2;
		/* a half-open or stalled client holds a slot and maybe a pool address: it gets
		 * the XAUTH timeout and a grace period to be connected, then it goes */
		sa->setup_deadline =
		    now_ms + ((uint64_t)sa->cfg.xauth_timeout_s + IKE_SETUP_GRACE_S) * 1000;
	}
	sa->last_rx = now_ms;
	return sa;
fail:
	ike_sa_free(sa);
	return NULL;
}

void ike_sa_free(struct ike_sa *sa)
{
	if (!sa)
		return;
	release_policy(sa);
	sa_actions_free(sa);
	sa_rexmit_stop(sa);
	free(sa->last_reply);
	free(sa->sai_b);
	crypto_dh_free(sa->dh);
	crypto_dh_free(sa->qm.dh);
	ike_frag_rx_free(sa->frag_rx);
	secret_clear(&sa->psk);
	x509_peer_free(sa->peer_cert);
	secret_clear(&sa->gxy);
	secret_clear(&sa->skeyid);
	secret_clear(&sa->skeyid_d);
	secret_clear(&sa->skeyid_a);
	secret_clear(&sa->skeyid_e);
	secret_clear(&sa->ka);
	mem_wipe(sa, sizeof(*sa));
	free(sa);
}

void sa_peer_seen(struct ike_sa *sa)
{
	const struct ike_endpoint *f = &sa->cur_from;
	if (!f->addr || (f->addr == sa->peer.addr && f->port == sa->peer.port))
		return;
	/* before the float to 4500 the port change is the float itself, handled in am.c */
	if (!(sa->facts & F_FLOATED) && f->addr == sa->peer.addr)
		return;
	sa_log(sa, IKE_LOG_INFO, "peer moved from %u.%u.%u.%u:%u to %u.%u.%u.%u:%u (NAT mapping)",
	       sa->peer.addr >> 24, (sa->peer.addr >> 16) & 255, (sa->peer.addr >> 8) & 255,
	       sa->peer.addr & 255, sa->peer.port, f->addr >> 24, (f->addr >> 16) & 255,
	       (f->addr >> 8) & 255, f->addr & 255, f->port);
	sa->peer = *f;
	if (sa->rx.msg)
		sa->rx.to = *f;
	if (sa->cur_to.port)
		sa->local.port = sa->cur_to.port;
	for (size_t i = 0; i < sa->n_children; i++)
		sa->children[i].ch.peer = *f;
	struct ike_act_node *n = sa_push(sa, IKE_ACT_PEER_MOVED);
	if (n)
		n->act.u.peer = *f;
}

void ike_sa_cookies(const struct ike_sa *sa, uint8_t icky[8], uint8_t rcky[8])
{
	memcpy(icky, sa->icky, 8);
	memcpy(rcky, sa->rcky, 8);
}

const char *ike_sa_group(const struct ike_sa *sa)
{
	return sa->group;
}

const char *ike_sa_user(const struct ike_sa *sa)
{
	return (sa->facts & F_XAUTH_DONE) ? sa->user : "";
}

bool ike_sa_established(const struct ike_sa *sa)
{
	return sa->state == IKE_S_ESTABLISHED;
}

bool ike_sa_authenticated(const struct ike_sa *sa)
{
	return sa->state >= IKE_S_P1_DONE && sa->state != IKE_S_DEAD;
}

struct ike_endpoint ike_sa_peer(const struct ike_sa *sa)
{
	return sa->peer;
}
