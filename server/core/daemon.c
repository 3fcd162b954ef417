/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The evs daemon without its I/O: see daemon.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
#include "server/core/sessions.h"
#include "server/core/show.h"
#include "server/core/state.h"
#include "server/core/timeq.h"
#include "server/core/xauth_judge.h"
#include "lib/ipv4.h"

struct conn {
	struct evs_daemon *d;
	struct ike_sa *sa;
	uint64_t id;    /* never 0; the low CONN_SLOT_BITS are the slot */
	int slot;       /* in d->tab and d->timers */
	bool half_open; /* counted by d->admit */
	size_t li;      /* listener */
	uint32_t session_id;
	/* reverse routes it holds: its address (client mode) or its LANs (network extension) */
	struct evc_net rri[EVS_CHILDREN_MAX_PER_SA];
	size_t n_rri;
	uint32_t addr; /* the address its policy assigned */
	bool nem;      /* its group allows network extension */
	struct ike_endpoint natt_peer;
	bool natt;
	bool dead; /* out of the table already; freed by reap */
};

#define CONN_SLOT_BITS 20 /* evs_conntab_new allows at most 1 << 20 */

struct evs_daemon {
	const struct evs_config *cfg;
	struct evs_daemon_io io;
	uint32_t listen[EVS_MAX_LISTEN];
	size_t n_listen;
	char ifname[64];
	struct evs_state *st;
	struct evs_admit *admit;
	struct evs_children *kids; /* every ESP SA installed, by IKE SA (conn id) */
	struct evs_xauth *xauth;
	struct evs_conntab *tab;
	struct evs_timeq *timers;
	struct conn **by_slot; /* max entries */
	size_t max;
	struct conn **dead; /* waiting for reap */
	size_t n_dead;
	struct ike_p1_prop p1[64];
	size_t n_p1;
	struct ike_p2_prop p2[32];
	size_t n_p2;
	unsigned dpd_s, dpd_retry_s, xauth_s, natt_keepalive_s;
	uint64_t keepalive_at;
	bool rri_pools; /* routes for whole pools (no reverse-route configured) */
	bool push;      /* mode-config: initiate (SET) rather than respond */
	bool stopping;
	uint64_t next_id;
	uint64_t now; /* of the entry point running */
};

static void dlog(struct evs_daemon *d, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void dlog(struct evs_daemon *d, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->io.log(d->io.ctx, lvl, msg);
}

static void part_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct evs_daemon *d = ctx;
	d->io.log(d->io.ctx, level, msg);
}

/* ---- connections ---- */

/* Takes c out of every index now; its resources go in reap, after the actions are drained. */
static void conn_kill(struct conn *c)
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

static struct conn *conn_new(struct evs_daemon *d, size_t li, const uint8_t icky[8],
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
	ic.ops = evs_server_ops(d->st);
	ic.srv_xauth = true;
	ic.srv_push = d->push;
	ic.xauth_timeout_s = d->xauth_s;
	ic.dpd_idle_s = d->dpd_s;
	ic.dpd_retry_s = d->dpd_retry_s;
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

static void conn_free(struct evs_daemon *d, struct conn *c)
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
	free(c);
}

static void reap(struct evs_daemon *d)
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

static void act_verify(void *ctx, const char *group, const char *user, const char *password)
{
	struct conn *c = ctx;
	uint8_t ic[8], rc[8];
	struct ike_endpoint p = ike_sa_peer(c->sa);
	uint64_t now = c->d->now;
	ike_sa_cookies(c->sa, ic, rc);
	bool ok =
	    evs_xauth_judge(c->d->xauth, group, user, password, &p, ic, rc, now, &c->session_id);
	const char *why = ok ? NULL : evs_xauth_refusal(c->d->xauth);
	char restricted[256];
	if (ok && !evs_config_group_iface_ok(c->d->cfg, group, c->d->listen[c->li], restricted,
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
	if (d->io.child_add && d->io.child_add(d->io.ctx, ch, &why) != 0) {
		dlog(d, IKE_LOG_ERR, "cannot install an IPsec SA: %s", why ? why : "?");
		return;
	}
	if (evs_children_add(d->kids, c->id, ch->spi_in, &ch->remote_ts) != 0) {
		dlog(d, IKE_LOG_ERR, "out of memory: IPsec SA not installed");
		if (d->io.child_del)
			d->io.child_del(d->io.ctx, ch->spi_in);
		return;
	}
	if (ch->udp_encap) {
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
static void settle(struct conn *c)
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
static void evict(struct evs_daemon *d, uint64_t id)
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

void evs_daemon_input(struct evs_daemon *d, size_t li, uint16_t local_port, const uint8_t *msg,
                      size_t len, const struct ike_endpoint *from, uint64_t now)
{
	struct isakmp_hdr h;
	const char *why;
	if (li >= d->n_listen)
		return;
	d->now = now;
	if (!isakmp_hdr_parse(msg, len, &h, &why)) {
		char s[20];
		ipv4_str(from->addr, s, sizeof(s));
		dlog(d, IKE_LOG_DEBUG, "dropped malformed datagram from %s: %s", s, why);
		return;
	}
	struct conn *c = evs_conntab_find(d->tab, h.icky, h.rcky, from->addr);
	if (!c) {
		uint64_t victim;
		if (d->stopping || !evs_admit_first(d->admit, msg, len, from->addr, now, &victim))
			return; /* not the start of a connection, or not now */
		if (victim)
			evict(d, victim);
		c = conn_new(d, li, h.icky, from, now);
		if (!c)
			goto out;
	}
	struct ike_endpoint to = {d->listen[c->li], local_port};
	ike_input(c->sa, now, msg, len, from, &to);
	settle(c);
out:
	reap(d);
}

void evs_daemon_tick(struct evs_daemon *d, uint64_t now)
{
	size_t id, n = evs_conntab_count(d->tab);
	d->now = now;
	/* each SA once: a deadline the tick leaves in the past waits for the next call */
	while (n-- > 0 && evs_timeq_peek(d->timers, &id) <= now) {
		struct conn *c = d->by_slot[id];
		if (!c) {
			evs_timeq_set(d->timers, id, UINT64_MAX);
			continue;
		}
		ike_tick(c->sa, now);
		settle(c);
		if (!c->dead && ike_next_timeout(c->sa) <= now)
			evs_timeq_set(d->timers, id, now + 1);
	}
	if (d->natt_keepalive_s && now >= d->keepalive_at) {
		for (size_t i = 0; i < d->max && d->io.keepalive; i++) {
			struct conn *c = d->by_slot[i];
			if (c && c->natt)
				d->io.keepalive(d->io.ctx, c->li, &c->natt_peer);
		}
		d->keepalive_at = now + (uint64_t)d->natt_keepalive_s * 1000;
	}
	reap(d);
}

uint64_t evs_daemon_next_timeout(const struct evs_daemon *d)
{
	uint64_t t = evs_timeq_peek(d->timers, NULL);
	if (d->natt_keepalive_s && d->keepalive_at < t)
		t = d->keepalive_at;
	return t;
}

void evs_daemon_stop(struct evs_daemon *d, uint64_t now)
{
	d->stopping = true;
	d->now = now;
	for (size_t i = 0; i < d->max; i++) {
		struct conn *c = d->by_slot[i];
		if (!c)
			continue;
		ike_close(c->sa, now);
		settle(c);
		conn_kill(c);
	}
	reap(d);
}

void evs_daemon_volume(struct evs_daemon *d, uint32_t spi_in, bool hard, uint64_t now)
{
	uint64_t owner;
	d->now = now;
	if (evs_children_owner(d->kids, spi_in, &owner) != 0)
		return;
	struct conn *c = d->by_slot[owner & ((1u << CONN_SLOT_BITS) - 1)];
	if (!c || c->id != owner || c->dead)
		return;
	ike_child_volume(c->sa, now, spi_in, hard);
	settle(c);
	reap(d);
}

/* `show crypto ipsec sa`: each client's ESP SA pairs as IOS prints them, with the remaining
 * key lifetime in kilobytes and seconds. */
static size_t show_ipsec_sa(struct evs_daemon *d, char *out, size_t cap)
{
	size_t n = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < cap)                                                                       \
			n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);                      \
	} while (0)
	ADD("\ninterface: %s\n", d->ifname);
	for (size_t slot = 0; slot < d->max; slot++) {
		struct conn *c = d->by_slot[slot];
		struct ike_child_status cs[8];
		if (!c || c->dead || !ike_sa_established(c->sa))
			continue;
		size_t k = ike_sa_child_status(c->sa, d->now, cs, 8);
		struct ike_endpoint p = ike_sa_peer(c->sa);
		char peer[20];
		ipv4_str(p.addr, peer, sizeof(peer));
		ADD("\n   remote ident (addr/mask/prot/port): (%u.%u.%u.%u/255.255.255.255/0/0)\n",
		    c->addr >> 24, (c->addr >> 16) & 255, (c->addr >> 8) & 255, c->addr & 255);
		ADD("   current_peer %s port %u (user %s, group %s)\n", peer, p.port,
		    ike_sa_user(c->sa), ike_sa_group(c->sa));
		for (size_t i = 0; i < k && i < 8; i++) {
			struct evs_child_counters ct = {0};
			if (d->io.child_stats)
				d->io.child_stats(d->io.ctx, cs[i].spi_in, &ct);
			uint64_t used =
			    (ct.bytes_in > ct.bytes_out ? ct.bytes_in : ct.bytes_out) / 1024;
			char kb[24] = "-", sec[24] = "-";
			if (cs[i].life_kb)
				snprintf(kb, sizeof(kb), "%llu",
				         (unsigned long long)(used < cs[i].life_kb
				                                  ? cs[i].life_kb - used
				                                  : 0));
			if (cs[i].remaining_s >= 0)
				snprintf(sec, sizeof(sec), "%lld", (long long)cs[i].remaining_s);
			ADD("    #pkts encaps: %llu, #pkts decaps: %llu\n",
			    (unsigned long long)ct.packets_out, (unsigned long long)ct.packets_in);
			char tf[48];
			show_transform(&cs[i], tf, sizeof(tf));
			ADD("     inbound esp sas:\n      spi: 0x%08X(%u)%s\n", cs[i].spi_in,
			    cs[i].spi_in, cs[i].replaced ? " (replaced by a rekey)" : "");
			ADD("        transform: %s ,\n        in use settings ={Tunnel%s, }\n", tf,
			    cs[i].udp_encap ? " UDP-Encaps" : "");
			ADD("        sa timing: remaining key lifetime (k/sec): (%s/%s)\n", kb,
			    sec);
			ADD("     outbound esp sas:\n      spi: 0x%08X(%u)\n", cs[i].spi_out,
			    cs[i].spi_out);
			ADD("        transform: %s ,\n        in use settings ={Tunnel%s, }\n", tf,
			    cs[i].udp_encap ? " UDP-Encaps" : "");
			ADD("        sa timing: remaining key lifetime (k/sec): (%s/%s)\n", kb,
			    sec);
		}
	}
#undef ADD
	return n;
}

size_t evs_daemon_control(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct evs_daemon *d = ctx;
	size_t len;
	if (!cap)
		return 0;
	if (strcmp(cmd, "show crypto session summary") == 0)
		len = evs_show_session_summary(evs_state_sessions(d->st), d->cfg, out, cap);
	else if (strcmp(cmd, "show crypto session group") == 0)
		len = evs_show_session_group(evs_state_sessions(d->st), d->cfg, out, cap);
	else if (strcmp(cmd, "show crypto ipsec sa") == 0)
		len = show_ipsec_sa(d, out, cap);
	else
		len = evs_show_control(d, cmd, out, cap);
	return len >= cap ? cap - 1 : len;
}

/* ---- life ---- */

static void configure(struct evs_daemon *d)
{
	const struct evs_config *cfg = d->cfg;
	bool periodic;
	d->n_p1 = evs_config_p1(cfg, d->p1, 64);
	d->n_p2 = evs_config_p2(cfg, d->p2, 32);
	if (d->n_p1 > 64)
		d->n_p1 = 64;
	if (d->n_p2 > 32)
		d->n_p2 = 32;
	evs_config_keepalive(cfg, &d->dpd_s, &d->dpd_retry_s, &periodic);
	d->xauth_s = evs_config_xauth_timeout(cfg);
	d->natt_keepalive_s = evs_config_nat_keepalive(cfg);
	/* `initiate` alone: push the policy; with `respond` too, answer clients that ask (the
	 * chapter's advice for mixed clients) */
	d->push = evs_config_modecfg_initiate(cfg) && !evs_config_modecfg_respond(cfg);
	/* without reverse-route the pools are routed into the tunnel as a whole */
	d->rri_pools = true;
	for (size_t i = 0; i < d->n_p2; i++)
		if (evs_config_rri(cfg, d->p2[i].esp, d->p2[i].key_bits, d->p2[i].auth) !=
		    EVS_RRI_NONE)
			d->rri_pools = false;
}

int evs_daemon_new(struct evs_daemon **out, const struct evs_daemon_opts *o, uint64_t now,
                   char *err, size_t errlen)
{
	uint8_t key[16];
	int rc = -ENOMEM;
	*out = NULL;
	if (!o->cfg || !o->io || !o->io->send || !o->io->log || o->n_listen < 1 ||
	    o->n_listen > EVS_MAX_LISTEN) {
		snprintf(err, errlen, "evs daemon: no configuration, I/O or listener");
		return -EINVAL;
	}
	struct evs_daemon *d = calloc(1, sizeof(*d));
	if (!d)
		goto fail;
	d->cfg = o->cfg;
	d->io = *o->io;
	memcpy(d->listen, o->listen, o->n_listen * sizeof(*d->listen));
	d->n_listen = o->n_listen;
	snprintf(d->ifname, sizeof(d->ifname), "%s", o->ifname ? o->ifname : "");
	d->max = o->max_conns ? o->max_conns : EVS_MAX_CONNS;
	configure(d);
	d->keepalive_at = now + (uint64_t)d->natt_keepalive_s * 1000;
	if (o->hash_key) {
		memcpy(key, o->hash_key, sizeof(key));
	} else if (crypto_random(key, sizeof(key)) != 0) {
		snprintf(err, errlen, "no random bytes for the SA table");
		rc = -EIO;
		goto fail;
	}
	d->tab = evs_conntab_new(d->max, key);
	mem_wipe(key, sizeof(key));
	d->timers = evs_timeq_new(d->max);
	d->by_slot = calloc(d->max, sizeof(*d->by_slot));
	d->dead = calloc(d->max + 1, sizeof(*d->dead)); /* + an evicted one */
	d->st = evs_state_new(d->cfg);
	d->admit = evs_admit_new(NULL, part_log, d);
	d->kids = evs_children_new();
	d->xauth =
	    d->st ? evs_xauth_new(d->st, evs_config_users_nocase(d->cfg), part_log, d) : NULL;
	if (!d->tab || !d->timers || !d->by_slot || !d->dead || !d->st || !d->admit || !d->kids ||
	    !d->xauth)
		goto fail;
	*out = d;
	return 0;
fail:
	if (rc == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	evs_daemon_free(d);
	return rc;
}

void evs_daemon_free(struct evs_daemon *d)
{
	if (!d)
		return;
	for (size_t i = 0; d->by_slot && i < d->max; i++)
		if (d->by_slot[i])
			conn_kill(d->by_slot[i]);
	if (d->dead)
		reap(d);
	evs_conntab_free(d->tab);
	evs_timeq_free(d->timers);
	free(d->by_slot);
	free(d->dead);
	evs_admit_free(d->admit);
	evs_children_free(d->kids);
	evs_xauth_free(d->xauth);
	evs_state_free(d->st);
	free(d);
}

size_t evs_daemon_count(const struct evs_daemon *d)
{
	return evs_conntab_count(d->tab);
}

void evs_daemon_proposals(const struct evs_daemon *d, size_t *n_p1, size_t *n_p2)
{
	*n_p1 = d->n_p1;
	*n_p2 = d->n_p2;
}

bool evs_daemon_rri_pools(const struct evs_daemon *d)
{
	return d->rri_pools;
}

/* ---- for show.c ---- */

void evs_daemon_each_sa(const struct evs_daemon *d, evs_sa_fn fn, void *ctx)
{
	for (size_t i = 0; i < d->max; i++) {
		const struct conn *c = d->by_slot[i];
		if (!c || c->dead)
			continue;
		struct evs_sa_view v = {
		    .sa = c->sa,
		    .conn_id = (uint32_t)(1000 + (c->id >> CONN_SLOT_BITS)),
		    .local = d->listen[c->li],
		    .assigned = c->addr,
		    .session_id = c->session_id,
		    .natt = c->natt,
		};
		fn(ctx, &v);
	}
}

const struct evs_config *evs_daemon_config(const struct evs_daemon *d)
{
	return d->cfg;
}

struct evs_sessions *evs_daemon_sessions(const struct evs_daemon *d)
{
	return evs_state_sessions(d->st);
}

uint64_t evs_daemon_now(const struct evs_daemon *d)
{
	return d->now;
}

const char *evs_daemon_ifname(const struct evs_daemon *d)
{
	return d->ifname;
}

void evs_daemon_child_stats(const struct evs_daemon *d, uint32_t spi_in,
                            struct evs_child_counters *out)
{
	*out = (struct evs_child_counters){0};
	if (d->io.child_stats)
		d->io.child_stats(d->io.ctx, spi_in, out);
}

size_t evs_daemon_clear(struct evs_daemon *d, const char *user)
{
	size_t n = 0;
	bool nocase = evs_config_users_nocase(d->cfg);
	for (size_t i = 0; i < d->max; i++) {
		struct conn *c = d->by_slot[i];
		if (!c || c->dead || !c->session_id)
			continue;
		const char *u = ike_sa_user(c->sa);
		if (user && (nocase ? strcasecmp(u, user) : strcmp(u, user)) != 0)
			continue;
		ike_close(c->sa, d->now);
		settle(c);
		conn_kill(c);
		n++;
	}
	reap(d);
	return n;
}

int evs_daemon_reload(struct evs_daemon *d, const struct evs_config *cfg, uint64_t now, char *err,
                      size_t errlen)
{
	size_t kept = 0, closed = 0;
	d->now = now;
	if (evs_state_reconfigure(d->st, cfg) != 0) {
		snprintf(err, errlen, "out of memory for the new address pools");
		return -ENOMEM;
	}
	bool rri_pools = d->rri_pools; /* the host routed the pools (or not) at start */
	d->cfg = cfg;
	configure(d);
	d->rri_pools = rri_pools;
	for (size_t i = 0; i < d->max; i++) {
		struct conn *c = d->by_slot[i];
		const char *g;
		if (!c || c->dead)
			continue;
		g = ike_sa_group(c->sa);
		if (!g[0] || evs_config_group_find(cfg, g) >= 0) {
			kept++;
			continue;
		}
		char a[20];
		ipv4_str(ike_sa_peer(c->sa).addr, a, sizeof(a));
		dlog(d, IKE_LOG_INFO,
		     "%s: group %s is no longer configured: closing the session of "
		     "user %s",
		     a, g, ike_sa_user(c->sa)[0] ? ike_sa_user(c->sa) : "(none yet)");
		ike_close(c->sa, now);
		settle(c);
		conn_kill(c);
		closed++;
	}
	reap(d);
	dlog(d, IKE_LOG_INFO,
	     "configuration reloaded: %zu isakmp policies, %zu transforms; %zu SA(s) kept, %zu "
	     "closed",
	     d->n_p1, d->n_p2, kept, closed);
	return 0;
}

void evs_daemon_set_listen(struct evs_daemon *d, size_t li, uint32_t addr)
{
	if (li < d->n_listen)
		d->listen[li] = addr;
}
