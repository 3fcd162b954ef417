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
#include "server/core/daemon_int.h"
#include "server/core/sessions.h"
#include "server/core/show.h"
#include "server/core/state.h"
#include "server/core/timeq.h"
#include "server/core/xauth_judge.h"
#include "lib/ipv4.h"

/* The daemon's parts (admission, XAUTH judging) log through the daemon's own log. */
static void part_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct evs_daemon *d = ctx;
	d->io.log(d->io.ctx, level, msg);
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
			conn_evict(d, victim);
		c = conn_new(d, li, h.icky, from, now);
		if (!c)
			goto out;
	}
	struct ike_endpoint to = {d->listen[c->li], local_port};
	ike_input(c->sa, now, msg, len, from, &to);
	conn_settle(c);
out:
	conn_reap(d);
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
		conn_settle(c);
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
	conn_reap(d);
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
		conn_settle(c);
		conn_kill(c);
	}
	conn_reap(d);
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
	conn_settle(c);
	conn_reap(d);
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
	d->frag_size = evs_config_frag_size(cfg);
	d->natt = evs_config_natt(cfg);
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
	d->cert = o->cert;
	d->trust = o->trust;
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
		conn_reap(d);
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

bool evs_daemon_next_sa(const struct evs_daemon *d, size_t *slot, struct evs_sa_view *v)
{
	for (; *slot < d->max; ++*slot) {
		const struct conn *c = d->by_slot[*slot];
		if (!c || c->dead)
			continue;
		*v = (struct evs_sa_view){
		    .sa = c->sa,
		    .conn_id = (uint32_t)(1000 + (c->id >> CONN_SLOT_BITS)),
		    .local = d->listen[c->li],
		    .assigned = c->addr,
		    .session_id = c->session_id,
		    .natt = c->natt,
		};
		++*slot;
		return true;
	}
	return false;
}

void evs_daemon_each_sa(const struct evs_daemon *d, evs_sa_fn fn, void *ctx)
{
	struct evs_sa_view v;
	for (size_t slot = 0; evs_daemon_next_sa(d, &slot, &v);)
		fn(ctx, &v);
}

void evs_daemon_set_control(struct evs_daemon *d, struct ctl_srv *srv)
{
	d->ctl = srv;
}

struct ctl_srv *evs_daemon_control_srv(const struct evs_daemon *d)
{
	return d->ctl;
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
		conn_settle(c);
		conn_kill(c);
		n++;
	}
	conn_reap(d);
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
		conn_settle(c);
		conn_kill(c);
		closed++;
	}
	conn_reap(d);
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
