/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `evc daemon`: the client's callbacks, and the events of the control protocol they become
 * (docs/control-protocol.md); see daemon_int.h. */
#include <stdio.h>
#include <string.h>

#include "client/daemon_int.h"
#include "lib/i18n.h"
#include "lib/ipv4.h"
#include "lib/timer.h"

void evd_send(struct evd *d, struct ctlp_wr *w)
{
	size_t n = ctlp_wr_end(w);
	if (n && d->ctl)
		ctl_srv_broadcast(d->ctl, d->ev, n);
}

void evd_begin(struct evd *d, struct ctlp_wr *w, const char *name)
{
	ctlp_wr_begin(w, d->ev, sizeof(d->ev));
	ctlp_wr_str(w, "event", name);
}

void evd_text(struct evd *d, const char *name, const char *key, const char *text)
{
	struct ctlp_wr w;
	evd_begin(d, &w, name);
	ctlp_wr_str(&w, key, text);
	evd_send(d, &w);
}

void evd_status(const struct evd *d, struct evc_client_status *st)
{
	if (d->client)
		evc_client_status(d->client, st);
	else
		*st = d->last;
}

void evd_policy_fields(const struct evd *d, struct ctlp_wr *w)
{
	ctlp_wr_str(w, "profile", d->profile);
	if (!d->have_policy)
		return;
	ctlp_wr_strs_begin(w, "networks");
	for (size_t i = 0; i < d->n_nets; i++)
		ctlp_wr_item(w, d->nets[i]);
	ctlp_wr_strs_end(w);
	ctlp_wr_strs_begin(w, "dns");
	for (size_t i = 0; i < d->n_dns; i++)
		ctlp_wr_item(w, d->dns[i]);
	ctlp_wr_strs_end(w);
	ctlp_wr_bool(w, "save_password", d->save_password);
}

/* A state event when the state changed, and the counters once a second while up. */
void evd_progress(struct evd *d)
{
	struct evc_client_status st;
	struct ctlp_wr w;
	if (!d->ctl || !ctl_srv_kept(d->ctl))
		return;
	evd_status(d, &st);
	uint64_t now = mono_ms();
	if (st.state != d->shown) {
		d->shown = st.state;
		evd_begin(d, &w, "state");
		evc_client_status_fields(&st, &w);
		evd_policy_fields(d, &w);
		evd_send(d, &w);
	} else if (st.state == EVC_STATE_CONNECTED && now >= d->counters_at) {
		d->counters_at = now + COUNTERS_MS;
		evd_begin(d, &w, "counters");
		ctlp_wr_uint(&w, "bytes_in", st.bytes_in);
		ctlp_wr_uint(&w, "bytes_out", st.bytes_out);
		ctlp_wr_uint(&w, "packets_in", st.packets_in);
		ctlp_wr_uint(&w, "packets_out", st.packets_out);
		ctlp_wr_uint(&w, "uptime_s", st.uptime_s);
		ctlp_wr_uint(&w, "sas", st.n_sas);
		evd_send(d, &w);
	}
}

/* ---- the client's callbacks: the terminal's (the journal), and the sessions' events ---- */

static void cb_log(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct evd *d = ctx;
	struct ctlp_wr w;
	term_ops.log(ctx, lvl, msg);
	if (lvl == IKE_LOG_DEBUG)
		return; /* protocol detail stays in the journal */
	evd_begin(d, &w, "log");
	ctlp_wr_str(&w, "level",
	            lvl == IKE_LOG_ERR    ? "error"
	            : lvl == IKE_LOG_WARN ? "warning"
	                                  : "info");
	ctlp_wr_str(&w, "text", msg);
	evd_send(d, &w);
}

static void cb_step(void *ctx, enum ike_step step, const char *msg)
{
	struct evd *d = ctx;
	struct ctlp_wr w;
	term_ops.step(ctx, step, msg);
	evd_begin(d, &w, "step");
	ctlp_wr_int(&w, "step", step);
	ctlp_wr_int(&w, "of", 7);
	ctlp_wr_str(&w, "name", ike_step_name(step));
	ctlp_wr_str(&w, "text", msg);
	evd_send(d, &w);
}

/* The banner goes to the owner's sessions alone, which accept or decline it; without one
 * (nobody asked on the socket, or a profile's daemon nobody attached to) it is accepted, as
 * the CLI does (asking for the connection was the acceptance). */
static void cb_banner(void *ctx, const char *text)
{
	struct evd *d = ctx;
	printf(_("---- message from the gateway ----\n%s\n----------------------------------\n"),
	       text);
	fflush(stdout);
	if (!evd_owner_here(d)) {
		evc_client_answer_banner(d->client, true);
		return;
	}
	snprintf(d->banner, sizeof(d->banner), "%s", text);
	d->banner_waiting = true;
	struct ctlp_wr w;
	evd_begin(d, &w, "banner");
	ctlp_wr_str(&w, "text", text);
	evd_ask(d, &w);
}

static void cb_prompt(void *ctx, const struct evc_prompt *p)
{
	struct evd *d = ctx;
	struct ctlp_wr w;
	if (!evd_owner_here(d)) {
		evc_client_answer(d->client, NULL, NULL); /* nobody to ask */
		return;
	}
	d->prompt_waiting = true;
	d->prompt_retry = p->retry;
	snprintf(d->prompt_user, sizeof(d->prompt_user), "%s", p->user ? p->user : "");
	evd_prompt_event(d, &w);
	ctlp_wr_str(&w, "message", p->message ? p->message : "");
	evd_ask(d, &w); /* the owner's alone: no other user may see or answer it */
}

static void cb_failover(void *ctx, const char *why, const char *next)
{
	char m[1400];
	term_ops.failover(ctx, why, next);
	snprintf(m, sizeof(m), _("%s; trying the backup gateway %s"), why, next);
	evd_text(ctx, "log", "text", m);
}

static void cb_reconnecting(void *ctx, const char *why, const char *gw, unsigned ms, unsigned n)
{
	struct evd *d = ctx;
	term_ops.reconnecting(ctx, why, gw, ms, n);
	evd_error(d, why, false);
}

static void cb_connected(void *ctx, const struct evc_policy *pol, const char *ifname)
{
	struct evd *d = ctx;
	term_ops.connected(ctx, pol, ifname);
	d->n_nets = d->n_dns = 0;
	for (size_t i = 0; i < pol->n_split_include && i < EVC_POLICY_MAX_NETS; i++) {
		char a[16];
		int len = 0;
		for (uint32_t m = pol->split_include[i].mask; m & 0x80000000u; m <<= 1)
			len++;
		ipv4_str(pol->split_include[i].addr, a, sizeof(a));
		snprintf(d->nets[d->n_nets++], sizeof(d->nets[0]), "%s/%d", a, len);
	}
	for (size_t i = 0; i < pol->n_dns && i < EVC_POLICY_MAX_DNS; i++)
		ipv4_str(pol->dns[i], d->dns[d->n_dns++], sizeof(d->dns[0]));
	d->save_password = pol->save_passwd;
	d->have_policy = true;
	d->shown = EVC_STATE_IDLE; /* the state event carries the policy */
}

void evd_ops(struct evc_client_ops *ops)
{
	*ops = term_ops;
	ops->log = cb_log;
	ops->step = cb_step;
	ops->banner = cb_banner;
	ops->prompt = cb_prompt;
	ops->failover = cb_failover;
	ops->reconnecting = cb_reconnecting;
	ops->connected = cb_connected;
}

void evd_error(struct evd *d, const char *text, bool final)
{
	struct ctlp_wr w;
	evd_begin(d, &w, "error");
	ctlp_wr_str(&w, "text", text);
	ctlp_wr_bool(&w, "final", final);
	evd_send(d, &w);
}

void evd_log(struct evd *d, enum ike_log_level lvl, const char *msg)
{
	cb_log(d, lvl, msg);
}

void evd_orphans(struct evd *d)
{
	if (!d->client || !(d->banner_waiting || d->prompt_waiting) || evd_owner_here(d)) {
		d->orphan_at = 0;
		return;
	}
	uint64_t now = mono_ms();
	if (!d->orphan_at) {
		d->orphan_at = now + EVD_ORPHAN_MS;
		return;
	}
	if (now < d->orphan_at)
		return;
	d->orphan_at = 0;
	/* nobody saw the banner: declined, as its owner could not accept it */
	if (d->banner_waiting) {
		d->banner_waiting = false;
		evd_log(d, IKE_LOG_WARN,
		        _("nobody who owns the connection is on the control socket any more: the "
		          "banner is declined"));
		evc_client_answer_banner(d->client, false);
	}
	if (d->prompt_waiting) {
		d->prompt_waiting = false;
		evd_log(d, IKE_LOG_WARN,
		        _("nobody who owns the connection is on the control socket any more: the "
		          "password prompt is given up"));
		evc_client_answer(d->client, NULL, NULL);
	}
}
