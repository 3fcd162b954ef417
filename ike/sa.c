/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IKE SA object: lifetime, the action queue, the state function, encryption and IV
 * chains, retransmission and duplicate handling, and the entry points of ike.h. The
 * exchanges themselves live in am.c, xauth.c, modecfg.c, qm.c and info.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"

static const char *const state_names[] = {
    [IKE_S_IDLE] = "IDLE",
    [IKE_S_AM_SENT] = "AM_SENT",
    [IKE_S_P1_DONE] = "P1_DONE",
    [IKE_S_XAUTH] = "XAUTH",
    [IKE_S_MODECFG] = "MODECFG",
    [IKE_S_QUICK] = "QUICK",
    [IKE_S_ESTABLISHED] = "ESTABLISHED",
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
		return to == IKE_S_AM_SENT;
	case IKE_S_AM_SENT:
		/* back to IDLE: the initiator starts again with another DH group */
		return to == IKE_S_P1_DONE || to == IKE_S_IDLE;
	case IKE_S_P1_DONE:
		return to == IKE_S_XAUTH || to == IKE_S_MODECFG || to == IKE_S_QUICK;
	case IKE_S_XAUTH:
		return to == IKE_S_MODECFG || to == IKE_S_QUICK;
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

struct ike_act_node *sa_push(struct ike_sa *sa, enum ike_act_type t)
{
	struct ike_act_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->act.type = t;
	if (sa->q_tail)
		sa->q_tail->next = n;
	else
		sa->q_head = n;
	sa->q_tail = n;
	return n;
}

uint8_t *sa_own(struct ike_act_node *n, const void *p, size_t len, bool secret)
{
	n->buf = malloc(len + 1);
	if (!n->buf)
		return NULL;
	if (len)
		memcpy(n->buf, p, len);
	n->buf[len] = '\0';
	n->buf_len = len + 1;
	n->secret = secret;
	return n->buf;
}

static void node_free(struct ike_act_node *n)
{
	if (!n)
		return;
	if (n->buf) {
		if (n->secret)
			ike_wipe(n->buf, n->buf_len);
		free(n->buf);
	}
	free(n);
}

static void vpush_text(struct ike_sa *sa, struct ike_act_node *n, const char *fmt, va_list ap)
{
	char text[1024];
	int k = snprintf(text, sizeof(text), "[%02x%02x%02x%02x] ", sa->icky[0], sa->icky[1],
	                 sa->icky[2], sa->icky[3]);
	if (k < 0)
		k = 0;
	vsnprintf(text + k, sizeof(text) - (size_t)k, fmt, ap);
	sa_own(n, text, strlen(text), false);
}

void sa_log(struct ike_sa *sa, enum ike_log_level lvl, const char *fmt, ...)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_LOG);
	if (!n)
		return;
	va_list ap;
	va_start(ap, fmt);
	vpush_text(sa, n, fmt, ap);
	va_end(ap);
	n->act.u.log.level = lvl;
	n->act.u.log.text = n->buf ? (const char *)n->buf : "";
}

void sa_status(struct ike_sa *sa, enum ike_step step, const char *fmt, ...)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_STATUS);
	if (!n)
		return;
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sa_own(n, text, strlen(text), false);
	n->act.u.status.step = step;
	n->act.u.status.text = n->buf ? (const char *)n->buf : "";
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
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
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

void sa_rand(struct ike_sa *sa, void *buf, size_t n)
{
	if (sa->cfg.rand) {
		sa->cfg.rand(sa->cfg.rctx, buf, n);
		return;
	}
	if (ike_random(buf, n) != 0)
		abort(); /* no randomness: nothing secure can be done, and it is not peer input */
}

uint32_t sa_new_msgid(struct ike_sa *sa)
{
	uint32_t id = 0;
	while (id == 0 || id == sa->xauth_msgid || id == sa->cfg_msgid || id == sa->qm.msgid)
		sa_rand(sa, &id, sizeof(id));
	return id;
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

static void emit_send(struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_endpoint to,
                      uint16_t from_port)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_SEND);
	if (!n || !sa_own(n, msg, len, false))
		return;
	n->act.u.send.data = n->buf;
	n->act.u.send.len = len;
	n->act.u.send.to = to;
	n->act.u.send.from_port = from_port;
}

void sa_rexmit_stop(struct ike_sa *sa)
{
	free(sa->rx.msg);
	memset(&sa->rx, 0, sizeof(sa->rx));
}

void sa_send(struct ike_sa *sa, const uint8_t *msg, size_t len, bool expect_reply, bool as_reply,
             enum ike_step step)
{
	emit_send(sa, msg, len, sa->peer, sa->local.port);
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
int sa_iv_for(const struct ike_sa *sa, uint8_t exch, uint32_t msgid, uint8_t iv[IKE_BLOCK_MAX])
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

void sa_commit_iv(struct ike_sa *sa, uint8_t exch, uint32_t msgid, const uint8_t iv[IKE_BLOCK_MAX])
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
	uint8_t iv[IKE_BLOCK_MAX];
	size_t body = len - ISAKMP_HDR_LEN;
	size_t padded = (body + sa->bs - 1) / sa->bs * sa->bs;
	if (ISAKMP_HDR_LEN + padded > cap || padded == 0)
		return 0;
	memset(msg + len, 0, padded - body);
	if (sa_iv_for(sa, exch, msgid, iv) != 0)
		return 0;
	if (ike_cbc(sa->p1.encr, sa->ka.p, sa->ka.len, iv, true, msg + ISAKMP_HDR_LEN,
	            msg + ISAKMP_HDR_LEN, padded) != 0)
		return 0;
	size_t total = ISAKMP_HDR_LEN + padded;
	msg[19] |= ISAKMP_FLAG_E;
	struct ike_wr w = ike_wr_init(msg, cap);
	w.len = total;
	ike_wr_put_u32(&w, 24, (uint32_t)total);
	sa_commit_iv(sa, exch, msgid, msg + total - sa->bs);
	return total;
}

int sa_decrypt(struct ike_sa *sa, const uint8_t *msg, size_t len, const struct isakmp_hdr *h,
               uint8_t *out, size_t cap, uint8_t new_iv[IKE_BLOCK_MAX])
{
	uint8_t iv[IKE_BLOCK_MAX];
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
	if (sa_iv_for(sa, h->exch, h->msgid, iv) != 0)
		return -EINVAL;
	if (ike_cbc(sa->p1.encr, sa->ka.p, sa->ka.len, iv, false, msg + ISAKMP_HDR_LEN, out,
	            body) != 0)
		return -EINVAL;
	memcpy(new_iv, msg + ISAKMP_HDR_LEN + body - sa->bs, sa->bs);
	return (int)body;
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
	ike_wr_zero(&b.w, sa->hlen);
	isakmp_build_close(&b);
	size_t rest_at = b.w.len;
	fn(sa, &b, arg);
	size_t len = isakmp_build_finish(&b);
	if (len == 0)
		return 0;
	if (ike_hash_p2(sa->p1.hash, &sa->skeyid_a, 0, msgid, ni, ni_len, NULL, 0, out + rest_at,
	                len - rest_at, out + hash_at) != 0)
		return 0;
	return sa_encrypt(sa, out, len, cap, exch, msgid);
}

bool sa_check_hash(struct ike_sa *sa, const struct isakmp_chain *c, uint32_t msgid,
                   const uint8_t *ni, size_t ni_len, const uint8_t *body, size_t body_len)
{
	uint8_t want[IKE_HASH_MAX];
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
	return ike_ct_equal(want, c->pl[0].body, sa->hlen);
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
	/* nothing in cfg may be referenced after this function returns */
	sa->cfg.group = sa->cfg.username = sa->cfg.app_version = sa->cfg.hostname = NULL;
	sa->cfg.psk = NULL;
	sa->cfg.p1 = sa->cfg.srv_p1 = NULL;
	sa->cfg.p2 = sa->cfg.srv_p2 = NULL;

	if (copy_str(sa->app_version, sizeof(sa->app_version),
	             cfg->app_version ? cfg->app_version : "evc " EVC_VERSION_STRING) == SIZE_MAX ||
	    copy_str(sa->hostname, sizeof(sa->hostname), cfg->hostname) == SIZE_MAX) {
		*why = "application version or host name too long";
		goto fail;
	}

	if (cfg->role == IKE_ROLE_INITIATOR) {
		if (!cfg->group || !*cfg->group) {
			*why = "no group name given";
			goto fail;
		}
		if (copy_str(sa->group, sizeof(sa->group), cfg->group) == SIZE_MAX) {
			*why = "group name longer than 127 bytes";
			goto fail;
		}
		if (copy_str(sa->user, sizeof(sa->user), cfg->username) == SIZE_MAX) {
			*why = "user name longer than 127 bytes";
			goto fail;
		}
		if (!cfg->psk || !cfg->psk_len) {
			*why = "no group key given";
			goto fail;
		}
		if (ike_secret_set(&sa->psk, cfg->psk, cfg->psk_len) != 0) {
			*why = "out of memory";
			goto fail;
		}
		sa->dh_auto = cfg->dh_group == 0;
		if (sa->dh_auto)
			sa->cfg.dh_group = ike_dh_auto_groups[0];
		if (!ike_dh_len(sa->cfg.dh_group)) {
			*why = "unsupported DH group (evc supports 2, 5, 14, 15 and 16)";
			goto fail;
		}
		if (cfg->p1 && cfg->n_p1) {
			if (cfg->n_p1 > IKE_MAX_P1) {
				*why = "too many phase-1 proposals";
				goto fail;
			}
			memcpy(sa->p1_offer, cfg->p1, cfg->n_p1 * sizeof(*cfg->p1));
			sa->n_p1_offer = cfg->n_p1;
			for (size_t i = 0; i < sa->n_p1_offer; i++)
				if (sa->dh_auto)
					sa->p1_offer[i].group = (uint8_t)sa->cfg.dh_group;
				else if (sa->p1_offer[i].group != sa->cfg.dh_group) {
					*why = "in aggressive mode every proposal must use the one "
					       "DH group sent in the first message";
					goto fail;
				}
		} else {
			sa->n_p1_offer = ike_default_p1(sa->cfg.dh_group, sa->p1_offer, IKE_MAX_P1);
		}
		if (cfg->p2 && cfg->n_p2) {
			if (cfg->n_p2 > IKE_MAX_P2) {
				*why = "too many phase-2 proposals";
				goto fail;
			}
			memcpy(sa->p2_offer, cfg->p2, cfg->n_p2 * sizeof(*cfg->p2));
			sa->n_p2_offer = cfg->n_p2;
		} else {
			sa->n_p2_offer = ike_default_p2(0, sa->p2_offer, IKE_MAX_P2);
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
	struct ike_act_node *n = sa->q_head;
	while (n) {
		struct ike_act_node *next = n->next;
		node_free(n);
		n = next;
	}
	node_free(sa->q_cur);
	sa_rexmit_stop(sa);
	free(sa->last_reply);
	free(sa->sai_b);
	ike_dh_free(sa->dh);
	ike_dh_free(sa->qm.dh);
	ike_secret_clear(&sa->psk);
	ike_secret_clear(&sa->password);
	ike_secret_clear(&sa->gxy);
	ike_secret_clear(&sa->skeyid);
	ike_secret_clear(&sa->skeyid_d);
	ike_secret_clear(&sa->skeyid_a);
	ike_secret_clear(&sa->skeyid_e);
	ike_secret_clear(&sa->ka);
	ike_wipe(sa, sizeof(*sa));
	free(sa);
}

void ike_start(struct ike_sa *sa, uint64_t now_ms)
{
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_INITIATOR || sa->state != IKE_S_IDLE)
		return;
	am_start(sa);
}

static bool from_peer(const struct ike_sa *sa, const struct ike_endpoint *from)
{
	return from->addr == sa->peer.addr;
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

void ike_input(struct ike_sa *sa, uint64_t now_ms, const uint8_t *pkt, size_t len,
               const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct isakmp_hdr h;
	const char *why = NULL;
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
		; /* the first message: AM1 decides */
	else if (!from_peer(sa, from) && !(h.flags & ISAKMP_FLAG_E)) {
		/* an encrypted one may come through a new NAT mapping: its HASH decides */
		sa_log(sa, IKE_LOG_WARN, "dropped message from an address that is not the peer");
		return;
	}
	sa->cur_from = *from;
	sa->cur_to = *to;
	/* A retransmitted request gets our previous answer again, byte for byte: recomputing
	 * it would change IVs and nonces. */
	struct ike_iov iov = {pkt, h.len};
	sa->cur_rx_valid = ike_hash_v(IKE_HASH_SHA1, &iov, 1, sa->cur_rx_hash) == 0;
	if (sa->cur_rx_valid && sa->have_last_rx &&
	    memcmp(sa->cur_rx_hash, sa->last_rx_hash, sizeof(sa->last_rx_hash)) == 0) {
		if (sa->last_reply) {
			sa_log(sa, IKE_LOG_DEBUG, "retransmitted %s request, answering again",
			       isakmp_exch_name(h.exch));
			emit_send(sa, sa->last_reply, sa->last_reply_len, sa->peer,
			          sa->last_reply_port);
		}
		return;
	}

	if (h.exch == ISAKMP_EXCH_AGGRESSIVE) {
		am_input(sa, &h, pkt, h.len, from, to);
		goto out;
	}
	if (h.exch == ISAKMP_EXCH_INFO && !(h.flags & ISAKMP_FLAG_E)) {
		struct isakmp_chain c;
		if (!isakmp_chain_parse(pkt + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c,
		                        &why)) {
			sa_log(sa, IKE_LOG_WARN, "dropped malformed informational: %s", why);
			goto out;
		}
		info_input(sa, &h, pkt, h.len, pkt + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, &c,
		           false);
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

	uint8_t new_iv[IKE_BLOCK_MAX];
	int body_len = sa_decrypt(sa, pkt, h.len, &h, sa->rxbuf, sizeof(sa->rxbuf), new_iv);
	if (body_len < 0) {
		sa_log(sa, IKE_LOG_WARN, "dropped %s message that does not decrypt",
		       isakmp_exch_name(h.exch));
		goto out;
	}
	struct isakmp_chain c;
	if (!isakmp_chain_parse(sa->rxbuf, (size_t)body_len, h.np, &c, &why)) {
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
		txn_input(sa, &h, &c, &cfgp);
		break;
	}
	case ISAKMP_EXCH_QUICK:
		/* committed by qm.c once the message is authenticated, before it answers */
		memcpy(sa->qm_rx_iv, new_iv, sizeof(sa->qm_rx_iv));
		sa->last_rx = now_ms;
		qm_input(sa, &h, sa->rxbuf, (size_t)body_len, &c);
		break;
	case ISAKMP_EXCH_INFO:
		info_input(sa, &h, pkt, h.len, sa->rxbuf, (size_t)body_len, &c, true);
		break;
	default:
		sa_log(sa, IKE_LOG_WARN, "dropped unexpected %s exchange",
		       isakmp_exch_name(h.exch));
		break;
	}
out:
	sa->cur_rx_valid = false;
}

void ike_tick(struct ike_sa *sa, uint64_t now_ms)
{
	sa->now = now_ms;
	if (sa->state == IKE_S_DEAD)
		return;
	if (sa->rx.msg && now_ms >= sa->rx.next_at) {
		if (sa->rx.tries >= sa->rx.max && !sa->rx.patient) {
			struct ike_endpoint p = sa->rx.to;
			if (sa->role == IKE_ROLE_INITIATOR)
				sa_fail(
				    sa, sa->rx.step,
				    "%s: no answer from the gateway %u.%u.%u.%u port %u after %u "
				    "tries; check the gateway address and that UDP ports 500 "
				    "and 4500 reach it",
				    ike_step_name(sa->rx.step), p.addr >> 24, (p.addr >> 16) & 255,
				    (p.addr >> 8) & 255, p.addr & 255, p.port, sa->rx.tries + 1);
			else
				sa_fail(
				    sa, sa->rx.step,
				    "%s: the client %u.%u.%u.%u stopped answering after %u tries",
				    ike_step_name(sa->rx.step), p.addr >> 24, (p.addr >> 16) & 255,
				    (p.addr >> 8) & 255, p.addr & 255, sa->rx.tries + 1);
			return;
		}
		sa->rx.tries++;
		sa_log(sa, IKE_LOG_DEBUG, "retransmitting (try %u)", sa->rx.tries + 1);
		emit_send(sa, sa->rx.msg, sa->rx.len, sa->rx.to, sa->rx.from_port);
		/* 1, 2, 4, 8, 8 s: an unreachable gateway is reported after about half a minute */
		uint64_t backoff = (uint64_t)sa->cfg.retransmit_ms
		                   << (sa->rx.tries < 3 ? sa->rx.tries : 3);
		sa->rx.next_at = now_ms + backoff;
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
	if (sa->p1_expires_at && now_ms >= sa->p1_expires_at) {
		sa_log(sa, IKE_LOG_INFO, "the IKE SA reached its lifetime of %u s", sa->p1.life_s);
		ike_close(sa, now_ms);
		return;
	}
	sa_children_tick(sa);
	if (sa->state == IKE_S_DEAD)
		return;
	if (sa->role == IKE_ROLE_RESPONDER && sa->xauth_deadline && now_ms >= sa->xauth_deadline &&
	    (sa->state == IKE_S_XAUTH || sa->state == IKE_S_P1_DONE)) {
		sa_fail(sa, IKE_STEP_XAUTH,
		        "%s: the client did not answer the XAUTH request within %u seconds",
		        ike_step_name(IKE_STEP_XAUTH), sa->cfg.xauth_timeout_s);
		return;
	}
	dpd_tick(sa);
}

uint64_t ike_next_timeout(const struct ike_sa *sa)
{
	uint64_t t = UINT64_MAX;
	if (sa->state == IKE_S_DEAD)
		return t;
	if (sa->rx.msg && sa->rx.next_at < t)
		t = sa->rx.next_at;
	if (sa->xauth_deadline && sa->xauth_deadline < t)
		t = sa->xauth_deadline;
	if (sa->dpd_next && sa->dpd_next < t)
		t = sa->dpd_next;
	if (sa->setup_deadline && sa->setup_deadline < t && sa->state != IKE_S_ESTABLISHED)
		t = sa->setup_deadline;
	if (sa->p1_expires_at && sa->p1_expires_at < t)
		t = sa->p1_expires_at;
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
}

void ike_xauth_verdict(struct ike_sa *sa, uint64_t now_ms, bool ok)
{
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_RESPONDER || !(sa->facts & F_VERIFYING))
		return;
	xauth_verdict(sa, ok);
}

bool ike_next_action(struct ike_sa *sa, struct ike_action *out)
{
	node_free(sa->q_cur);
	sa->q_cur = sa->q_head;
	if (!sa->q_cur)
		return false;
	sa->q_head = sa->q_cur->next;
	if (!sa->q_head)
		sa->q_tail = NULL;
	*out = sa->q_cur->act;
	return true;
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
