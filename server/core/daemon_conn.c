/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's connections: one engine SA each, created for a first message, driven through
 * ike/driver.h (the actions: sends, logs, XAUTH verdicts, policies, ESP SAs with the checks of
 * children.c, reverse routes), refiled in the SA table and the deadline heap, and freed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "lib/crypto.h"
#include "ike/driver.h"
#include "ike/isakmp.h"
#include "ike/xauth_refuse.h"
#include "lib/secret.h"
#include "server/core/admit.h"
#include "server/core/children.h"
#include "server/core/config_show.h"
#include "server/core/conntab.h"
#include "server/core/daemon.h"
#include "server/core/daemon_aaa.h"
#include "server/core/sessions.h"
#include "server/core/show.h"
#include "server/core/state.h"
#include "server/core/timeq.h"
#include "server/core/xauth_judge.h"
#include "lib/ipv4.h"
#include "server/core/daemon_int.h"

/* ---- connections ---- */

/* Takes c out of every index now; its resources go in reap, after the actions are drained. */
void conn_kill(struct conn *c)
{
	struct evs_daemon *d = c->d;
	if (c->dead)
		return;
	c->dead = true;
	evs_conntab_del(d->tab, c->slot);
	evs_timeq_set(d->timers, (size_t)c->slot, UINT64_MAX);
	d->by_slot[c->slot] = NULL;
	d->dead[d->n_dead++] = c; /* every conn dies once, and reap runs after each call */
}

struct conn *conn_new(struct evs_daemon *d, size_t li, const uint8_t icky[8],
                      const struct ike_endpoint *from, uint64_t now)
{
	static const uint8_t zero[8];
	struct ike_config ic = {0};
	const char *why = NULL;
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	ic.role = IKE_ROLE_RESPONDER;
	ic.local = (struct ike_endpoint){d->listen[li], IKE_PORT};
	ic.peer = *from;
	ic.srv_p1 = d->p1;
	ic.n_srv_p1 = d->n_p1;
	ic.srv_p2 = d->p2;
	ic.n_srv_p2 = d->n_p2;
	c->d = d;
	ic.ops = conn_aaa_ops(c); /* the group's, with a RADIUS user's attributes */
	ic.srv_xauth = true;
	ic.srv_push = d->push;
	ic.xauth_timeout_s = d->xauth_s;
	ic.frag_size = d->frag_size;
	ic.dpd_idle_s = d->dpd_s;
	ic.dpd_retry_s = d->dpd_retry_s;
	ic.natt = d->natt ? IKE_NATT_AUTO : IKE_NATT_DISABLE;
	ic.cert = d->cert;
	ic.trust = d->trust;
	ic.wall_s = (int64_t)time(NULL); /* certificates have dates; the engine reads no clock */
	c->sa = ike_sa_new(&ic, now, &why);
	if (!c->sa) {
		dlog(d, IKE_LOG_ERR, "cannot create an IKE SA: %s", why);
		free(c);
		return NULL;
	}
	c->slot = evs_conntab_add(d->tab, icky, zero, from->addr, c);
	if (c->slot < 0) {
		ike_sa_free(c->sa);
		free(c);
		return NULL;
	}
	c->d = d;
	c->li = li;
	c->id = ++d->next_id << CONN_SLOT_BITS | (uint64_t)c->slot;
	d->by_slot[c->slot] = c;
	c->half_open = evs_admit_opened(d->admit, c->id, from->addr) == 0;
	return c;
}

void conn_free(struct evs_daemon *d, struct conn *c)
{
	if (c->half_open)
		evs_admit_done(d->admit, c->id);
	uint32_t spi;
	while (evs_children_pop(d->kids, c->id, &spi))
		if (d->io.child_del)
			d->io.child_del(d->io.ctx, spi);
	evs_children_forget(d->kids, c->id);
	for (size_t i = 0; i < c->n_rri && d->io.route_del; i++)
		d->io.route_del(d->io.ctx, &c->rri[i]);
	if (c->session_id)
		evs_sessions_remove(evs_state_sessions(d->st), c->session_id);
	ike_sa_free(c->sa);
	conn_aaa_free(c);
	free(c);
}

void conn_reap(struct evs_daemon *d)
{
	for (size_t i = 0; i < d->n_dead; i++)
		conn_free(d, d->dead[i]);
	d->n_dead = 0;
}

/* ---- actions ---- */

static void act_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                     uint16_t from_port)
{
	struct conn *c = ctx;
	c->d->io.send(c->d->io.ctx, c->li, from_port, msg, len, to);
}

static void act_log(void *ctx, enum ike_log_level level, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	ipv4_str(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	dlog(c->d, level == IKE_LOG_INFO ? IKE_LOG_DEBUG : level, "%s: %s", peer, text);
}

static void act_status(void *ctx, enum ike_step step, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	(void)step;
	ipv4_str(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	dlog(c->d, IKE_LOG_INFO, "%s: %s", peer, text);
}

/* The live connections of user in group from the address of c (same_port: and the same
 * port, so from the same socket of the same client even behind a NAT), other than c, with
 * their sessions; returns how many (at most max). */
static size_t same_login(struct conn *c, const char *group, const char *user, bool same_port,
                         struct conn **out, size_t max)
{
	struct ike_endpoint p = ike_sa_peer(c->sa);
	struct evs_daemon *d = c->d;
	struct evs_sessions *ss = evs_state_sessions(d->st);
	bool nocase = evs_config_users_nocase(d->cfg);
	size_t n = 0;
	for (size_t i = 0; i < evs_sessions_count(ss) && n < max; i++) {
		const struct evs_session *e = evs_sessions_at(ss, i);
		if (e->peer.addr != p.addr || strcmp(e->group, group) != 0 ||
		    (nocase ? strcasecmp(e->user, user) : strcmp(e->user, user)) != 0)
			continue;
		struct conn *o = evs_conntab_find(d->tab, e->icky, e->rcky, e->peer.addr);
		if (o && o != c && !o->dead && o->session_id == e->id &&
		    (!same_port || ike_sa_peer(o->sa).port == p.port))
			out[n++] = o;
	}
	return n;
}

/*
 * Phase-1 rekey (the client sent no INITIAL-CONTACT): c takes over the ESP SAs, routes and
 * session of old, which is left with nothing but its IKE SA for the client to delete. The
 * login counts once: the session record XAUTH made for c goes, old's moves to c.
 */
static void take_over(struct conn *c, struct conn *old)
{
	struct evs_daemon *d = c->d;
	struct evs_sessions *ss = evs_state_sessions(d->st);
	const char *why = NULL;
	char a[20];
	ipv4_str(ike_sa_peer(c->sa).addr, a, sizeof(a));
	if (ike_sa_take_over(c->sa, old->sa, d->now, &why) != 0) {
		dlog(d, IKE_LOG_WARN, "%s: a second login of user %s, not a phase-1 rekey: %s", a,
		     ike_sa_user(c->sa), why);
		return;
	}
	evs_sessions_remove(ss, c->session_id);
	c->session_id = old->session_id;
	old->session_id = 0;
	struct evs_session *e = evs_sessions_get(ss, c->session_id);
	if (e) {
		ike_sa_cookies(c->sa, e->icky, e->rcky);
		e->peer = ike_sa_peer(c->sa);
	}
	evs_children_move(d->kids, old->id, c->id);
	memcpy(c->rri, old->rri, sizeof(c->rri));
	c->n_rri = old->n_rri;
	old->n_rri = 0;
	c->addr = old->addr;
	c->nem = old->nem;
	c->natt = old->natt;
	c->natt_peer = old->natt_peer;
	dlog(d, IKE_LOG_INFO, "%s: user %s of group %s: phase 1 rekeyed, the IPsec SAs stay", a,
	     ike_sa_user(c->sa), ike_sa_group(c->sa));
	conn_settle(old);
}

static bool judge_local(struct conn *c, void *arg)
{
	const char **v = arg; /* group, user, password */
	uint8_t ic[8], rc[8];
	struct ike_endpoint p = ike_sa_peer(c->sa);
	ike_sa_cookies(c->sa, ic, rc);
	return evs_xauth_judge(c->d->xauth, v[0], v[1], v[2], &p, ic, rc, c->d->now,
	                       &c->session_id);
}

void conn_xauth_judged(struct conn *c, const char *group, const char *user,
                       bool (*judge)(struct conn *c, void *arg), void *arg, bool restrict_ifaces)
{
	struct ike_endpoint p = ike_sa_peer(c->sa);
	uint64_t now = c->d->now;
	struct evs_sessions *ss = evs_state_sessions(c->d->st);
	/* the older sessions of this user from this address: with INITIAL-CONTACT stale ones
	 * (the client restarted), without it the one this IKE SA rekeys, which came from the
	 * same port too (another device of the user behind the same NAT has a port of its
	 * own, and is a second login). Either way they do not count against max-logins while
	 * the password is judged. */
	struct conn *olds[8];
	bool initial = ike_sa_initial_contact(c->sa);
	size_t n_old = same_login(c, group, user, !initial, olds, 8);
	if (!initial && n_old > 1) {
		olds[0] = olds[n_old - 1]; /* the newest is the one being rekeyed */
		n_old = 1;
	}
	if (!initial && n_old && !ike_sa_established(olds[0]->sa))
		n_old = 0; /* no tunnel to take over: held out, a client could finish both */
	for (size_t i = 0; i < n_old; i++)
		evs_sessions_hold(ss, olds[i]->session_id, true);
	bool ok = judge(c, arg);
	for (size_t i = 0; i < n_old; i++)
		evs_sessions_hold(ss, olds[i]->session_id, false);
	const char *why = ok ? NULL : evs_xauth_refusal(c->d->xauth);
	char restricted[256];
	if (ok && restrict_ifaces &&
	    !evs_config_group_iface_ok(c->d->cfg, group, c->d->listen[c->li], restricted,
	                               sizeof(restricted))) {
		char a[20];
		ipv4_str(p.addr, a, sizeof(a));
		dlog(c->d, IKE_LOG_WARN, "%s: XAUTH for user %s refused: %s", a, user, restricted);
		evs_sessions_remove(evs_state_sessions(c->d->st), c->session_id);
		c->session_id = 0;
		why = restricted;
	}
	if (why)
		ike_xauth_refuse(c->sa, now, why); /* max-users, max-logins: no second prompt */
	else
		ike_xauth_verdict(c->sa, now, ok);
	if (!ok || why || !n_old)
		return;
	if (!initial) {
		take_over(c, olds[0]);
		return;
	}
	for (size_t i = 0; i < n_old; i++) {
		char a[20];
		ipv4_str(p.addr, a, sizeof(a));
		dlog(c->d, IKE_LOG_INFO,
		     "%s: INITIAL-CONTACT from user %s of group %s: its older session (IKE SA "
		     "%016llx) is stale, ended",
		     a, user, group, (unsigned long long)olds[i]->id);
		conn_kill(olds[i]); /* the client forgot it: no DELETE to send */
	}
}

static void act_verify(void *ctx, const char *group, const char *user, const char *password)
{
	struct conn *c = ctx;
	const char *v[3] = {group, user, password};
	struct conn_judge j;
	if (conn_aaa_remote(c, group, user, password, &j)) {
		/* RADIUS: judged when its answer comes (evs_daemon_aaa_done), unless it failed */
		if (j.due)
			conn_xauth_judged(c, j.group, j.user, j.judge, j.arg, j.restrict_ifaces);
		conn_aaa_wipe(c);
		return;
	}
	conn_xauth_judged(c, group, user, judge_local, v, true);
}

static void set_assigned(struct conn *c, uint32_t addr)
{
	if (!c->session_id)
		return;
	struct evs_session *s = evs_sessions_get(evs_state_sessions(c->d->st), c->session_id);
	if (s)
		s->assigned = addr;
}

static void act_policy(void *ctx, const struct evc_policy *pol)
{
	struct conn *c = ctx;
	c->addr = pol->have & EVC_HAVE_ADDR ? pol->addr : 0;
	c->nem = pol->network_extension;
	if (evs_children_set_assigned(c->d->kids, c->id,
	                              pol->have & EVC_HAVE_ADDR ? pol->addr : 0) != 0)
		conn_kill(c); /* out of memory: no child could be allowed */
	set_assigned(c, pol->addr);
}

/* Step 6: a route to the client's inside address, or to its LAN, through the tunnel (RRI);
 * a rekey's new SA pair finds its route there already. */
static void reverse_route(struct conn *c, const struct ike_child *ch)
{
	struct evs_daemon *d = c->d;
	char err[256], a[20];
	struct evc_net net = {ch->remote_ts.addr & ch->remote_ts.mask, ch->remote_ts.mask};
	if (d->rri_pools || !d->io.route_add || c->n_rri >= EVS_CHILDREN_MAX_PER_SA)
		return;
	for (size_t i = 0; i < c->n_rri; i++)
		if (c->rri[i].addr == net.addr && c->rri[i].mask == net.mask)
			return;
	ipv4_str(net.addr, a, sizeof(a));
	err[0] = 0;
	if (d->io.route_add(d->io.ctx, &net, err, sizeof(err)) == 0) {
		c->rri[c->n_rri++] = net;
		dlog(d, IKE_LOG_INFO, "[6/7] reverse route %s/%d via %s", a,
		     __builtin_popcount(net.mask), d->ifname);
	} else {
		dlog(d, IKE_LOG_WARN, "reverse route for %s/%d: %s", a,
		     __builtin_popcount(net.mask), err);
	}
}

/* The route to net goes with the last SA pair of c that carries it. */
static void reverse_route_gone(struct conn *c, const struct evc_net *sel)
{
	struct evs_daemon *d = c->d;
	struct evc_net net = {sel->addr & sel->mask, sel->mask};
	if (evs_children_has(d->kids, c->id, &net))
		return;
	for (size_t i = 0; i < c->n_rri; i++) {
		if (c->rri[i].addr != net.addr || c->rri[i].mask != net.mask)
			continue;
		if (d->io.route_del)
			d->io.route_del(d->io.ctx, &net);
		c->rri[i] = c->rri[--c->n_rri];
		return;
	}
}

static void act_child_up(void *ctx, const struct ike_child *ch)
{
	struct conn *c = ctx;
	struct evs_daemon *d = c->d;
	const char *why = NULL;
	char a[20];
	/* client mode (the group has a pool): only for the address mode-config gave this SA;
	 * network extension (the group allows it): also a network of the client's own, which
	 * the checks keep clear of every other client's address and SAs */
	int gi = evs_config_group_find(d->cfg, ike_sa_group(c->sa));
	bool own = ch->remote_ts.mask == 0xffffffffu && ch->remote_ts.addr == c->addr;
	bool need_addr =
	    (gi < 0 || evs_config_group_pool(d->cfg, (size_t)gi) >= 0) && !(c->nem && !own);
	ipv4_str(ike_sa_peer(c->sa).addr, a, sizeof(a));
	if (evs_children_check(d->kids, c->id, &ch->remote_ts, need_addr, &why) != 0) {
		dlog(d, IKE_LOG_WARN, "%s: user %s of group %s: refused to install an IPsec SA: %s",
		     a, ike_sa_user(c->sa), ike_sa_group(c->sa), why);
		return;
	}
	if (d->io.child_add && d->io.child_add(d->io.ctx, c->li, ch, &why) != 0) {
		dlog(d, IKE_LOG_ERR, "cannot install an IPsec SA: %s", why ? why : "?");
		return;
	}
	if (evs_children_add(d->kids, c->id, ch->spi_in, &ch->remote_ts) != 0) {
		dlog(d, IKE_LOG_ERR, "out of memory: IPsec SA not installed");
		if (d->io.child_del)
			d->io.child_del(d->io.ctx, ch->spi_in);
		return;
	}
	/* NAT-T's keepalives go from 4500; a client of IPsec over UDP sends its own */
	if (ch->udp_encap && (ch->local_port == IKE_NATT_PORT || ch->local_port == IKE_PORT)) {
		c->natt = true;
		c->natt_peer = ch->peer;
	}
	reverse_route(c, ch);
	if (own)
		set_assigned(c, ch->remote_ts.addr);
}

static void act_child_down(void *ctx, const struct ike_child *ch)
{
	struct conn *c = ctx;
	if (c->d->io.child_del)
		c->d->io.child_del(c->d->io.ctx, ch->spi_in);
	if (evs_children_remove(c->d->kids, ch->spi_in) == 0)
		reverse_route_gone(c, &ch->remote_ts);
}

static void act_peer_moved(void *ctx, const struct ike_endpoint *peer)
{
	struct conn *c = ctx;
	struct evs_daemon *d = c->d;
	uint32_t spis[EVS_CHILDREN_MAX_PER_SA];
	size_t n = evs_children_spis(d->kids, c->id, spis, EVS_CHILDREN_MAX_PER_SA);
	for (size_t i = 0; i < n && i < EVS_CHILDREN_MAX_PER_SA && d->io.child_peer; i++)
		d->io.child_peer(d->io.ctx, spis[i], peer);
	if (c->natt)
		c->natt_peer = *peer;
}

static void act_failed(void *ctx, enum ike_step step, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	(void)step;
	ipv4_str(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	dlog(c->d, IKE_LOG_WARN, "%s: %s", peer, text);
	conn_kill(c);
}

static void act_closed(void *ctx, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	ipv4_str(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	dlog(c->d, IKE_LOG_INFO, "%s: %s", peer, text);
	conn_kill(c);
}

/* XAUTH prompts and banners are for the initiator; evs ignores them. */
static const struct ike_driver_ops conn_ops = {
    .send = act_send,
    .log = act_log,
    .status = act_status,
    .xauth_verify = act_verify,
    .policy = act_policy,
    .child_up = act_child_up,
    .child_down = act_child_down,
    .peer_moved = act_peer_moved,
    .failed = act_failed,
    .closed = act_closed,
};

/* After the engine ran: perform its actions, then refile c under what the SA now knows. */
void conn_settle(struct conn *c)
{
	struct evs_daemon *d = c->d;
	uint8_t ic[8], rc[8];

	ike_drive(c->sa, &conn_ops, c);
	if (c->half_open && (c->dead || ike_sa_authenticated(c->sa))) {
		evs_admit_done(d->admit, c->id);
		c->half_open = false;
	}
	if (c->dead)
		return;
	ike_sa_cookies(c->sa, ic, rc);
	uint32_t peer = ike_sa_peer(c->sa).addr;
	if (!evs_conntab_keyed(d->tab, c->slot, ic, rc, peer))
		evs_conntab_rekey(d->tab, c->slot, ic, rc, peer);
	evs_timeq_set(d->timers, (size_t)c->slot, ike_next_timeout(c->sa));
}

/* Ends a half-open SA without a word, to make room for a new first message. */
void conn_evict(struct evs_daemon *d, uint64_t id)
{
	size_t slot = (size_t)(id & ((1u << CONN_SLOT_BITS) - 1));
	struct conn *c = slot < d->max ? d->by_slot[slot] : NULL;
	if (c && c->id == id) {
		conn_kill(c);
		evs_admit_done(d->admit, c->id);
		c->half_open = false;
		return;
	}
	evs_admit_done(d->admit, id);
}

/* A RADIUS answer (daemon_aaa.h): for the connection whose ticket it carries, if it waits. */
void evs_daemon_aaa_done(struct evs_daemon *d, const struct evs_aaa_result *res, uint64_t now)
{
	size_t slot = (size_t)(res->ticket & ((1u << CONN_SLOT_BITS) - 1));
	struct conn *c = slot < d->max ? d->by_slot[slot] : NULL;

	d->now = now;
	if (!c || c->id != res->ticket || c->dead || !conn_aaa_waiting(c)) {
		dlog(d, IKE_LOG_DEBUG, "a RADIUS answer (%s) for a client that is gone",
		     evs_aaa_outcome_str(res->outcome));
		return;
	}
	struct conn_judge j;
	conn_aaa_answer(c, res, &j);
	if (j.due)
		conn_xauth_judged(c, j.group, j.user, j.judge, j.arg, j.restrict_ifaces);
	conn_aaa_wipe(c);
	conn_settle(c);
	conn_reap(d);
}
