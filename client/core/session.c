/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One connection attempt, its protocol side: what the engine asks for (through ike_drive),
 * the answers to prompts and the banner, stopping. session_io.c owns the descriptors.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "client/core/session_int.h"
#include "ike/driver.h"
#include "lib/secret.h"
#include "platform/apply.h"
#include "lib/sock.h"
#include "lib/timer.h"
#include "lib/i18n.h"

void evc_session_log(struct evc_session *s, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->hooks.log)
		s->hooks.log(s->hooks.ctx, lvl, msg);
}

void evc_session_fail(struct evc_session *s, int rc, const char *fmt, ...)
{
	if (s->rc == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->err, sizeof(s->err), fmt, ap);
		va_end(ap);
		s->rc = rc;
	}
	s->done = true;
}

/* A failure that still owes the gateway its DELETEs. */
void evc_session_give_up(struct evc_session *s)
{
	if (!s->stopping) {
		s->stopping = true;
		ike_close(s->sa, mono_ms());
		if (s->sa_next)
			ike_close(s->sa_next, mono_ms());
	}
}

/* ---- what the engine asks for (ike_driver_ops) ---- */

static void on_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                    uint16_t from_port)
{
	struct evc_session *s = ctx;
	int rc = sock_send_ike(s->sock_ike, s->sock_natt, from_port, msg, len, to->addr, to->port);
	if (rc)
		evc_session_log(s, IKE_LOG_WARN, _("cannot send to the gateway: %s"),
		                strerror(-rc));
}

static void on_log(void *ctx, enum ike_log_level level, const char *text)
{
	evc_session_log(ctx, level, "%s", text);
}

static void on_status(void *ctx, enum ike_step step, const char *text)
{
	struct evc_session *s = ctx;
	if (s->hooks.step)
		s->hooks.step(s->hooks.ctx, step, text);
}

static void note(void *arg, const char *msg)
{
	evc_session_log(arg, IKE_LOG_INFO, "%s", msg);
}

static void apply_policy(struct evc_session *s)
{
	char e[1024] = "";
	int rc = evc_host_apply(s->host, &s->policy, s->gw_addr, note, s, e, sizeof(e));
	if (rc != 0) {
		evc_session_fail(
		    s, rc,
		    _("step 5 (mode-config): cannot apply the group policy to this host: %s"), e);
		return;
	}
	s->applied = true;
}

/* The ESP SA is installed and the banner accepted: configure the host, tell the client. */
static void finish_connect(struct evc_session *s)
{
	s->held = false;
	if (!s->applied && s->have_policy)
		apply_policy(s);
	if (s->done) {
		evc_session_give_up(s);
		return;
	}
	if (!s->connected) {
		s->connected = true;
		s->up_since = mono_ms();
		if (s->hooks.connected)
			s->hooks.connected(s->hooks.ctx, &s->policy, s->ifname);
	}
}

static void on_child_up(void *ctx, const struct ike_child *c)
{
	struct evc_session *s = ctx;
	const char *why = NULL;
	char cerr[256];
	int fd = -1, rc = 0;
	if (c->udp_encap && c->local_port != IKE_NATT_PORT && c->local_port != IKE_PORT) {
		fd = rc = evc_session_cudp(s, c->local_port, cerr, sizeof(cerr));
		why = cerr;
	}
	if (rc >= 0)
		rc = dp_add_child_fd(s->dp, c, fd, &why);
	if (rc != 0) {
		evc_session_fail(s, rc, _("step 7 (quick mode): cannot install the IPsec SA: %s"),
		                 why ? why : strerror(-rc));
		evc_session_give_up(s);
		return;
	}
	if (c->udp_encap) {
		s->natt_peer = c->peer;
		s->keepalive_at = mono_ms() + NATT_KEEPALIVE_MS;
	}
	s->child = *c;
	mem_wipe(s->child.enc_in, sizeof(s->child.enc_in));
	mem_wipe(s->child.auth_in, sizeof(s->child.auth_in));
	mem_wipe(s->child.enc_out, sizeof(s->child.enc_out));
	mem_wipe(s->child.auth_out, sizeof(s->child.auth_out));
	s->have_child = true;
	if (s->banner == BANNER_WAITING)
		s->held = true; /* evc_session_answer_banner finishes */
	else
		finish_connect(s);
}

static void on_child_down(void *ctx, const struct ike_child *c)
{
	struct evc_session *s = ctx;
	struct dp_child_stats cs;
	if (dp_child_stats(s->dp, c->spi_in, &cs) == 0) {
		s->gone_packets_in += cs.in.packets;
		s->gone_packets_out += cs.out.packets;
		s->gone_bytes_in += cs.in.bytes;
		s->gone_bytes_out += cs.out.bytes;
	}
	dp_del_child(s->dp, c->spi_in);
}

static void on_prompt(void *ctx, const char *message, bool retry)
{
	struct evc_session *s = ctx;
	const struct evc_settings *set = s->set;
	if (!retry && set->user[0] && set->password.p) {
		ike_xauth_answer(s->sa, mono_ms(), set->user, (const char *)set->password.p);
		return;
	}
	s->prompting = true;
	s->prompt_retry = retry;
	if (!s->hooks.prompt || (retry && s->reprompts >= MAX_REPROMPTS)) {
		evc_session_answer(s, NULL, NULL);
		return;
	}
	if (retry)
		s->reprompts++;
	s->hooks.prompt(s->hooks.ctx, &(struct evc_prompt){
	                                  .message = message, .user = set->user, .retry = retry});
}

static void on_banner(void *ctx, const char *text)
{
	struct evc_session *s = ctx;
	s->banner = BANNER_WAITING;
	if (s->hooks.banner)
		s->hooks.banner(s->hooks.ctx, text);
	else
		s->banner = BANNER_ACCEPTED;
}

static void on_policy(void *ctx, const struct evc_policy *pol)
{
	struct evc_session *s = ctx;
	/* a daemon's password is a saved one: the gateway's group must allow that (IOS
	 * save-password), or a person has to type it each time */
	if (s->set->daemon && !((pol->have & EVC_HAVE_SAVE_PASSWD) && pol->save_passwd)) {
		evc_session_fail(
		    s, -EACCES,
		    _("step 5 (mode-config): the gateway does not let group %s save its "
		      "password (no save-password in its group policy), so the daemon "
		      "cannot use the stored one: it needs an interactive password; run "
		      "`evc connect` on a terminal, or allow save-password on the gateway"),
		    s->set->group);
		evc_session_give_up(s);
		return;
	}
	char err[256];
	int rc = evc_settings_check_policy(s->set, pol, s->gw_addr, err, sizeof(err));
	if (rc == -EPERM) {
		evc_session_fail(s, -EACCES, _("step 5 (mode-config): %s"), err);
		evc_session_give_up(s);
		return;
	}
	if (rc != 0) {
		evc_session_fail(s, -EINVAL, _("step 5 (mode-config): %s; change --lan"), err);
		evc_session_give_up(s);
		return;
	}
	s->policy = *pol;
	s->have_policy = true;
}

static void on_peer_moved(void *ctx, const struct ike_endpoint *peer)
{
	struct evc_session *s = ctx;
	if (s->have_child)
		s->child.peer = *peer;
	/* every pair follows, the one a rekey replaced too */
	struct ike_child_status cs[8];
	size_t n = ike_sa_child_status(s->sa, mono_ms(), cs, 8);
	for (size_t i = 0; i < n && i < 8; i++)
		dp_set_peer(s->dp, cs[i].spi_in, peer);
	if (s->keepalive_at)
		s->natt_peer = *peer;
}

static void on_failed(void *ctx, enum ike_step step, const char *text)
{
	/* nobody answered the first message: the client may try a backup gateway */
	evc_session_fail(ctx, step == IKE_STEP_PROPOSALS ? -EHOSTUNREACH : -EPROTO, "%s", text);
}

static void on_closed(void *ctx, const char *text)
{
	struct evc_session *s = ctx;
	if (!s->stopping)
		evc_session_fail(s, -ECONNRESET, "%s", text);
	s->done = true;
}

/* ---- phase-1 rekey: a new IKE SA takes over before the old one's lifetime ends ---- */

static const struct ike_driver_ops rekey_ops;
static const struct ike_driver_ops driver_ops;

static void on_p1_rekey(void *ctx)
{
	struct evc_session *s = ctx;
	if (s->sa_next || s->stopping || s->done)
		return;
	s->sa_next = evc_session_new_sa(s, true);
	if (!s->sa_next) {
		evc_session_log(s, IKE_LOG_WARN, _("phase-1 rekey: %s"), s->err);
		s->err[0] = '\0';
		return;
	}
	s->next_dead = false;
	s->next_retry = false;
	evc_session_log(s, IKE_LOG_INFO, _("phase-1 rekey: starting a new IKE SA"));
	ike_start(s->sa_next, mono_ms());
}

static void remember_password(struct evc_session *s, const char *user, const char *password)
{
	secret_clear(&s->typed_pw);
	size_t n = strlen(password);
	if (secret_alloc(&s->typed_pw, n + 1) != 0)
		return;
	memcpy(s->typed_pw.p, password, n + 1);
	snprintf(s->typed_user, sizeof(s->typed_user), "%s", user);
}

/* Seconds until the IKE SA ends, for the messages of a rekey that cannot finish. */
static long long ike_left_s(struct evc_session *s)
{
	struct ike_p1_prop p;
	int64_t left = -1;
	return ike_sa_p1_chosen(s->sa, mono_ms(), &p, &left) ? (long long)left : -1;
}

static void rekey_give_up(struct evc_session *s, const char *why)
{
	evc_session_log(s, IKE_LOG_WARN,
	                _("phase-1 rekey: %s; the tunnel stays up until the IKE SA ends in %lld s"),
	                why, ike_left_s(s));
	if (s->sa_next)
		ike_close(s->sa_next, mono_ms());
}

static void rekey_answer(struct evc_session *s, const char *user, const char *password)
{
	s->next_prompting = false;
	if (!s->sa_next)
		return;
	if (!password) {
		rekey_give_up(s, _("the gateway requires the password again and none was given"));
		return;
	}
	remember_password(s, user ? user : s->set->user, password);
	ike_xauth_answer(s->sa_next, mono_ms(), user ? user : s->set->user, password);
}

/* The new IKE SA's XAUTH: the saved credentials only where the gateway's group policy
 * allows saving the password (IOS save-password), else a person must answer again. */
static void on_rekey_prompt(void *ctx, const char *message, bool retry)
{
	struct evc_session *s = ctx;
	const struct evc_settings *set = s->set;
	bool may_save =
	    s->have_policy && (s->policy.have & EVC_HAVE_SAVE_PASSWD) && s->policy.save_passwd;
	const char *user = s->typed_pw.p ? s->typed_user : set->user;
	const char *pw =
	    s->typed_pw.p ? (const char *)s->typed_pw.p : (const char *)set->password.p;
	if (!retry && may_save && pw && user[0]) {
		ike_xauth_answer(s->sa_next, mono_ms(), user, pw);
		return;
	}
	if (retry && may_save) {
		rekey_give_up(s, _("the gateway rejected the saved password"));
		return;
	}
	if (!s->hooks.prompt || s->prompting) {
		rekey_give_up(s, _("the gateway requires the password again (its group policy does "
		                   "not allow save-password) and nobody can be asked"));
		return;
	}
	evc_session_log(s, IKE_LOG_WARN,
	                _("phase-1 rekey: the gateway requires the password again (its group "
	                  "policy does not allow save-password)"));
	s->prompting = true;
	s->next_prompting = true;
	s->prompt_retry = retry;
	/* whoever answers should know why the gateway asks in the middle of a connection */
	char why[640];
	snprintf(why, sizeof(why), "%s%s%s",
	         _("The gateway requires the password again to renew the IKE SA."),
	         *message ? "\n" : "", message);
	s->hooks.prompt(s->hooks.ctx,
	                &(struct evc_prompt){.message = why, .user = user, .retry = retry});
}

static void on_rekey_status(void *ctx, enum ike_step step, const char *text)
{
	(void)step;
	evc_session_log(ctx, IKE_LOG_DEBUG, _("phase-1 rekey: %s"), text);
}

static void on_rekey_failed(void *ctx, enum ike_step step, const char *text)
{
	struct evc_session *s = ctx;
	if (!s->next_dead && !s->stopping)
		evc_session_log(s, IKE_LOG_WARN,
		                _("phase-1 rekey failed: %s; the tunnel stays up until the IKE SA "
		                  "ends in %lld s"),
		                text, ike_left_s(s));
	/* a gateway that did not answer may next time; a refused password would be refused
	 * again */
	s->next_retry = step <= IKE_STEP_PHASE1 && !s->stopping;
	s->next_dead = true;
}

static void on_rekey_closed(void *ctx, const char *text)
{
	struct evc_session *s = ctx;
	(void)text;
	s->next_dead = true;
}

static void on_rekey_policy(void *ctx, const struct evc_policy *pol)
{
	(void)pol;
	/* the tunnel keeps the policy it runs with; the host is not touched again */
	evc_session_log(ctx, IKE_LOG_DEBUG, _("phase-1 rekey: the gateway sent its policy again"));
}

static const struct ike_driver_ops rekey_ops = {
    .send = on_send,
    .log = on_log,
    .status = on_rekey_status,
    .xauth_prompt = on_rekey_prompt,
    .policy = on_rekey_policy,
    .child_up = on_child_up,
    .child_down = on_child_down,
    .failed = on_rekey_failed,
    .closed = on_rekey_closed,
};

/* What the replaced IKE SA still says: its DELETE, then nothing. */
static const struct ike_driver_ops retired_ops = {
    .send = on_send,
    .log = on_log,
};

/* The new IKE SA is authenticated: it takes over the ESP SAs, the old one is deleted. */
static void handover(struct evc_session *s)
{
	const char *why = NULL;
	struct ike_sa *old = s->sa;
	uint64_t now = mono_ms();
	if (ike_sa_take_over(s->sa_next, old, now, &why) != 0) {
		rekey_give_up(s, why);
		return;
	}
	s->sa = s->sa_next;
	s->sa_next = NULL;
	ike_close(old, now); /* only the IKE SA's DELETE: its pairs moved */
	ike_drive(old, &retired_ops, s);
	ike_sa_free(old);
	evc_session_log(s, IKE_LOG_INFO,
	                _("phase 1 rekeyed: the tunnel goes on under the new IKE SA"));
}

static void drive_next(struct evc_session *s)
{
	if (!s->sa_next)
		return;
	ike_drive(s->sa_next, &rekey_ops, s);
	if (s->next_dead) {
		if (s->next_prompting) {
			s->next_prompting = false;
			s->prompting = false;
		}
		ike_sa_free(s->sa_next);
		s->sa_next = NULL;
		if (s->next_retry && ike_sa_p1_rekey_retry(s->sa, mono_ms()))
			evc_session_log(s, IKE_LOG_INFO, _("phase-1 rekey: trying again in 10 s"));
		s->next_retry = false;
		return;
	}
	if (!s->stopping && ike_sa_handover_ready(s->sa_next)) {
		handover(s);
		ike_drive(s->sa, &driver_ops, s);
	}
}

struct ike_sa *evc_session_sa_for(struct evc_session *s, const uint8_t *msg, size_t len)
{
	uint8_t ic[8], rc[8];
	if (s->sa_next && len >= 8) {
		ike_sa_cookies(s->sa_next, ic, rc);
		if (memcmp(msg, ic, 8) == 0)
			return s->sa_next;
	}
	return s->sa;
}

void evc_session_tick(struct evc_session *s, uint64_t now)
{
	ike_tick(s->sa, now);
	if (s->sa_next)
		ike_tick(s->sa_next, now);
}

static const struct ike_driver_ops driver_ops = {
    .send = on_send,
    .log = on_log,
    .status = on_status,
    .xauth_prompt = on_prompt,
    .banner = on_banner,
    .policy = on_policy,
    .child_up = on_child_up,
    .child_down = on_child_down,
    .peer_moved = on_peer_moved,
    .p1_rekey = on_p1_rekey,
    .failed = on_failed,
    .closed = on_closed,
};

void evc_session_flush(struct evc_session *s)
{
	if (s->driving)
		return; /* the ike_drive under us picks it up */
	s->driving = true;
	ike_drive(s->sa, &driver_ops, s);
	drive_next(s);
	s->driving = false;
	if (s->done)
		return;
	uint64_t t = ike_next_timeout(s->sa);
	if (s->sa_next && ike_next_timeout(s->sa_next) < t)
		t = ike_next_timeout(s->sa_next);
	if (s->keepalive_at && s->keepalive_at < t)
		t = s->keepalive_at;
	timerfd_arm_ms(s->timer, t);
}

/* ---- answers from the client ---- */

int evc_session_answer(struct evc_session *s, const char *user, const char *password)
{
	if (!s->prompting || s->done)
		return -EALREADY;
	s->prompting = false;
	if (s->next_prompting) {
		rekey_answer(s, user, password);
		evc_session_flush(s);
		return 0;
	}
	if (password)
		remember_password(s, user ? user : s->set->user, password);
	if (!password) {
		if (!s->prompt_retry)
			evc_session_fail(
			    s, -EINVAL,
			    _("step 4 (XAUTH): the gateway asks for a username and password, and "
			      "none was given"));
		else
			evc_session_fail(
			    s, -EACCES,
			    _("step 4 (XAUTH): the gateway rejected the username or password of "
			      "user "
			      "%s; check the password (and the user's group on the gateway)"),
			    s->set->user);
		evc_session_give_up(s);
	} else {
		ike_xauth_answer(s->sa, mono_ms(), user ? user : s->set->user, password);
	}
	evc_session_flush(s);
	return 0;
}

int evc_session_answer_banner(struct evc_session *s, bool accept)
{
	if (s->banner != BANNER_WAITING)
		return -EALREADY;
	s->banner = BANNER_ACCEPTED;
	if (!accept) {
		evc_session_log(s, IKE_LOG_INFO,
		                _("the gateway's banner was declined; disconnecting"));
		evc_session_fail(s, -ECANCELED,
		                 _("the gateway's banner was declined; disconnected"));
		evc_session_give_up(s);
	} else if (s->held) {
		finish_connect(s);
	}
	evc_session_flush(s);
	return 0;
}

void evc_session_stop(struct evc_session *s)
{
	if (s->stopping || s->done)
		return;
	evc_session_log(s, IKE_LOG_INFO, "disconnecting");
	evc_session_give_up(s);
	evc_session_flush(s);
}

void evc_session_start(struct evc_session *s)
{
	ike_start(s->sa, mono_ms());
	evc_session_flush(s);
}
