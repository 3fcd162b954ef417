/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * XAUTH (draft-beaulieu-ike-xauth-02) over the transaction exchange, both roles:
 *   S->C REQUEST(USER-NAME, USER-PASSWORD)  C->S REPLY(values)   (repeated on a retry)
 *   S->C SET(STATUS)                         C->S ACK
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ike/sa_int.h"

bool xauth_has_attrs(const struct isakmp_cfg *cfg)
{
	struct rd r = rd_init(cfg->attrs, cfg->attrs_len);
	struct isakmp_attr a;
	while (isakmp_attr_next(&r, &a) == 1)
		if (a.type >= CFG_XAUTH_TYPE && a.type <= CFG_XAUTH_ANSWER)
			return true;
	return false;
}

/* ---- client ---- */

enum ike_verdict xauth_client_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                    const struct isakmp_cfg *cfg)
{
	struct rd r = rd_init(cfg->attrs, cfg->attrs_len);
	struct isakmp_attr a;
	bool want_user = false, want_pass = false, have_status = false;
	uint32_t status = 0;
	char message[256] = "";

	sa_rexmit_stop(sa); /* any transaction message acknowledges AM3 */
	while (isakmp_attr_next(&r, &a) == 1) {
		switch (a.type) {
		case CFG_XAUTH_TYPE:
			if (!a.value_ok || a.value != 0) {
				sa_fail(sa, IKE_STEP_XAUTH,
				        "the gateway asks for XAUTH type %u; evc supports only "
				        "generic username/password",
				        a.value);
				return IKE_V_FATAL;
			}
			if (cfg->type == ISAKMP_CFG_REQUEST)
				sa->xauth_type_requested = true;
			break;
		case CFG_XAUTH_USER_NAME:
			want_user = true;
			break;
		case CFG_XAUTH_USER_PASSWORD:
			want_pass = true;
			break;
		case CFG_XAUTH_MESSAGE:
			if (!a.tv)
				text_clean(message, sizeof(message), a.data, a.len, true);
			break;
		case CFG_XAUTH_STATUS:
			have_status = a.value_ok;
			status = a.value;
			break;
		case CFG_XAUTH_PASSCODE:
		case CFG_XAUTH_NEXT_PIN:
		case CFG_XAUTH_ANSWER:
			if (cfg->type == ISAKMP_CFG_REQUEST) {
				sa_fail(sa, IKE_STEP_XAUTH,
				        "the gateway asks for a token code or PIN, which evc "
				        "does not support yet");
				return IKE_V_FATAL;
			}
			break;
		default:
			break; /* Cisco sends private extras; they carry nothing we need */
		}
	}

	if (cfg->type == ISAKMP_CFG_SET) {
		if (!have_status)
			return sa_drop(sa, "dropped XAUTH SET without a status");
		if (status == 1 && sa->p1.auth == IKE_AUTH_HYBRID_INIT_RSA && !sa->xauth_tries) {
			/* hybrid: XAUTH alone authenticates us, so a gateway that claims it done
			 * without asking is not doing what we agreed; nothing more goes to it */
			sa_fail(
			    sa, IKE_STEP_XAUTH,
			    "the gateway says XAUTH succeeded without asking for a password; with "
			    "hybrid authentication evc requires XAUTH and stops here");
			return IKE_V_FATAL;
		}
		uint8_t ack[8];
		struct wr w = wr_init(ack, sizeof(ack));
		isakmp_attr_write_tv(&w, CFG_XAUTH_STATUS, (uint16_t)status);
		if (!txn_send(sa, h->msgid, ISAKMP_CFG_ACK, cfg->id, ack, w.len, false, true,
		              IKE_STEP_XAUTH))
			return IKE_V_FATAL;
		if (status != 1) {
			/* with a message the gateway says why (evs: max-users, max-logins) */
			if (*message)
				sa_fail(sa, IKE_STEP_XAUTH, "the gateway refused user %s: %s",
				        sa->user, message);
			else
				sa_fail(sa, IKE_STEP_XAUTH,
				        "the gateway rejected the username or password of user %s",
				        sa->user);
			return IKE_V_FATAL;
		}
		sa->facts |= F_XAUTH_DONE;
		if (sa->state == IKE_S_P1_DONE)
			sa_set_state(sa, IKE_S_XAUTH);
		sa_status(sa, IKE_STEP_XAUTH, "user %s authenticated", sa->user);
		return IKE_V_OK;
	}

	/* REQUEST */
	if ((sa->facts & F_PROMPTING) && h->msgid == sa->xauth_msgid)
		return IKE_V_DROP; /* the gateway repeats itself while the user types */
	if (!want_user || !want_pass) {
		sa_fail(sa, IKE_STEP_XAUTH,
		        "the gateway's XAUTH request does not ask for a username and password");
		return IKE_V_FATAL;
	}
	if (sa->state == IKE_S_P1_DONE)
		sa_set_state(sa, IKE_S_XAUTH);
	bool retry = sa->xauth_tries > 0;
	sa->xauth_msgid = h->msgid;
	sa->xauth_id = cfg->id;
	memcpy(sa->pending_rx_hash, sa->cur_rx_hash, sizeof(sa->pending_rx_hash));
	snprintf(sa->xauth_message, sizeof(sa->xauth_message), "%s", message);
	sa->facts |= F_PROMPTING;
	struct ike_act_node *n = sa_push(sa, IKE_ACT_XAUTH_PROMPT);
	if (n) {
		sa_own(n, sa->xauth_message, strlen(sa->xauth_message), false);
		n->act.u.xauth.message = (const char *)n->buf;
		n->act.u.xauth.retry = retry;
		n->act.u.xauth.group = sa->group;
		n->act.u.xauth.user = sa->user;
		n->act.u.xauth.password = NULL;
	}
	sa_status(sa, IKE_STEP_XAUTH, "%s",
	          retry ? "the gateway asks again for username and password"
	                : "the gateway asks for username and password");
	return IKE_V_OK;
}

void xauth_answer(struct ike_sa *sa, const char *user, const char *password)
{
	uint8_t attrs[600];
	struct wr w = wr_init(attrs, sizeof(attrs));
	size_t ul = strlen(user), pl = strlen(password);
	if (ul == 0 || ul >= sizeof(sa->user) || pl > 255) {
		sa_fail(sa, IKE_STEP_XAUTH,
		        "the username must have 1..127 bytes and the "
		        "password at most 255");
		return;
	}
	memcpy(sa->user, user, ul + 1);
	sa->facts &= ~F_PROMPTING;
	if (sa->xauth_type_requested)
		isakmp_attr_write_tv(&w, CFG_XAUTH_TYPE, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_NAME, user, ul);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_PASSWORD, password, pl);
	sa->xauth_tries++;
	/* expect an answer (STATUS or a new REQUEST): a gateway that dies now is noticed */
	bool ok = !w.err && txn_send(sa, sa->xauth_msgid, ISAKMP_CFG_REPLY, sa->xauth_id, attrs,
	                             w.len, true, true, IKE_STEP_XAUTH);
	mem_wipe(attrs, sizeof(attrs));
	mem_wipe(sa->rxbuf, sizeof(sa->rxbuf));
	if (!ok)
		return;
	/* the answer belongs to the request that prompted it, not to the latest input */
	memcpy(sa->last_rx_hash, sa->pending_rx_hash, sizeof(sa->last_rx_hash));
	sa->have_last_rx = true;
}

/* ---- server ---- */

static void send_request(struct ike_sa *sa, const char *message)
{
	uint8_t attrs[320];
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_NAME, NULL, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_USER_PASSWORD, NULL, 0);
	if (message)
		isakmp_attr_write_tlv(&w, CFG_XAUTH_MESSAGE, message, strlen(message));
	sa->xauth_msgid = sa_new_msgid(sa);
	sa_rand(sa, &sa->xauth_id, sizeof(sa->xauth_id));
	if (!txn_send(sa, sa->xauth_msgid, ISAKMP_CFG_REQUEST, sa->xauth_id, attrs, w.len, true,
	              false, IKE_STEP_XAUTH))
		return;
	/* the user is typing: keep repeating until the XAUTH timeout, not the retry count */
	sa->rx.patient = true;
}

void xauth_server_start(struct ike_sa *sa)
{
	sa->facts |= F_XAUTH_STARTED;
	sa_set_state(sa, IKE_S_XAUTH);
	sa->xauth_deadline = sa->now + (uint64_t)sa->cfg.xauth_timeout_s * 1000;
	send_request(sa, NULL);
}

static void send_status(struct ike_sa *sa, bool ok)
{
	uint8_t attrs[8];
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tv(&w, CFG_XAUTH_STATUS, ok ? 1 : 0);
	sa->xauth_msgid = sa_new_msgid(sa);
	txn_send(sa, sa->xauth_msgid, ISAKMP_CFG_SET, sa->xauth_id, attrs, w.len, ok, false,
	         IKE_STEP_XAUTH);
}

enum ike_verdict xauth_server_input(struct ike_sa *sa, const struct isakmp_hdr *h,
                                    const struct isakmp_cfg *cfg)
{
	if (cfg->type == ISAKMP_CFG_ACK) {
		if (!(sa->facts & F_XAUTH_DONE))
			return IKE_V_DROP;
		sa_rexmit_stop(sa);
		sa->facts |= F_XAUTH_ACKED;
		return IKE_V_OK;
	}
	if (sa->facts & (F_VERIFYING | F_XAUTH_DONE))
		return IKE_V_DROP;
	struct rd r = rd_init(cfg->attrs, cfg->attrs_len);
	struct isakmp_attr a;
	char user[128] = "";
	bool have_user = false, have_pass = false;
	struct secret pass = {NULL, 0};
	while (isakmp_attr_next(&r, &a) == 1) {
		if (a.tv)
			continue;
		if (a.type == CFG_XAUTH_USER_NAME && a.len > 0 && a.len < sizeof(user)) {
			/* a name with control bytes is no account's: refuse it, and log only
			 * its printable form */
			text_clean(user, sizeof(user), a.data, a.len, false);
			have_user = strlen(user) == a.len && memcmp(user, a.data, a.len) == 0;
			if (!have_user)
				sa_log(sa, IKE_LOG_WARN,
				       "XAUTH user name \"%s\" has control characters or is not "
				       "UTF-8",
				       user);
		} else if (a.type == CFG_XAUTH_USER_PASSWORD && a.len <= 255) {
			have_pass = secret_alloc(&pass, a.len + 1) == 0;
			if (have_pass)
				memcpy(pass.p, a.data, a.len);
		}
	}
	sa_rexmit_stop(sa);
	if (!have_user || !have_pass) {
		secret_clear(&pass);
		sa_log(sa, IKE_LOG_WARN, "XAUTH reply without username or password");
		xauth_verdict(sa, false);
		return sa->state == IKE_S_DEAD ? IKE_V_FATAL : IKE_V_OK;
	}
	memcpy(sa->user, user, strlen(user) + 1);
	sa->facts |= F_VERIFYING;
	struct ike_act_node *n = sa_push(sa, IKE_ACT_XAUTH_VERIFY);
	if (n && sa_own(n, pass.p, pass.len, true)) {
		n->act.u.xauth.message = "";
		n->act.u.xauth.retry = sa->xauth_tries > 0;
		n->act.u.xauth.group = sa->group;
		n->act.u.xauth.user = sa->user;
		n->act.u.xauth.password = (const char *)n->buf;
	}
	secret_clear(&pass);
	/* the password came in this message, whose body is shorter than the message: wiping no
	 * more leaves the rest of the 16 KiB buffer untouched, not resident (evs: per client) */
	mem_wipe(sa->rxbuf, h->len < sizeof(sa->rxbuf) ? h->len : sizeof(sa->rxbuf));
	return IKE_V_OK;
}

void xauth_verdict(struct ike_sa *sa, bool ok)
{
	sa->facts &= ~F_VERIFYING;
	if (ok) {
		sa->facts |= F_XAUTH_DONE;
		sa->xauth_deadline = 0;
		sa_status(sa, IKE_STEP_XAUTH, "user %s of group %s authenticated", sa->user,
		          sa->group);
		send_status(sa, true);
		return;
	}
	sa->xauth_tries++;
	if (sa->xauth_tries < sa->cfg.xauth_tries) {
		sa_log(sa, IKE_LOG_INFO, "user %s of group %s: wrong password (try %u of %u)",
		       sa->user, sa->group, sa->xauth_tries, sa->cfg.xauth_tries);
		send_request(sa, "Authentication failed, please try again");
		return;
	}
	send_status(sa, false);
	if (sa->state != IKE_S_DEAD)
		info_send_delete_ike(sa);
	sa_fail(sa, IKE_STEP_XAUTH, "user %s of group %s failed authentication %u times", sa->user,
	        sa->group, sa->xauth_tries);
}
