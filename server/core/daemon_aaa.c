/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XAUTH through the authentication list's methods, RADIUS in the background: see daemon_aaa.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/xauth_refuse.h"
#include "lib/ipv4.h"
#include "lib/secret.h"
#include "server/core/aaa_attrs.h"
#include "server/core/config_aaa.h"
#include "server/core/daemon_aaa.h"
#include "server/core/daemon_int.h"
#include "server/core/pool.h"
#include "server/core/sessions.h"
#include "server/core/state.h"
#include "server/core/xauth_judge.h"

struct conn_aaa {
	bool waiting;   /* a RADIUS question is out */
	bool by_radius; /* RADIUS accepted the user */
	bool have_attrs;
	struct evs_aaa_attrs attrs;
	char group[EVS_AAA_NAME_MAX + 1];
	char user[EVS_AAA_NAME_MAX + 1];
	char password[EVS_AAA_PASSWORD_MAX + 1]; /* while waiting: for the local fallback */
};

void evs_daemon_set_aaa(struct evs_daemon *d, evs_aaa_ask_fn ask, void *ctx)
{
	d->aaa_ask = ask;
	d->aaa_ctx = ctx;
}

void conn_aaa_free(struct conn *c)
{
	if (!c->aaa)
		return;
	mem_wipe(c->aaa, sizeof(*c->aaa));
	free(c->aaa);
	c->aaa = NULL;
}

/* ---- the group callbacks, with the user's RADIUS attributes ---- */

static const struct ike_server_ops *base_ops(const struct conn *c)
{
	return evs_server_ops(c->d->st);
}

static int ops_psk(void *ctx, const char *group, struct secret *psk)
{
	const struct ike_server_ops *b = base_ops(ctx);
	return b->group_psk(b->ctx, group, psk);
}

static int ops_addr_psk(void *ctx, uint32_t addr, char *group, size_t group_len, struct secret *psk)
{
	const struct ike_server_ops *b = base_ops(ctx);
	return b->addr_psk(b->ctx, addr, group, group_len, psk);
}

static int ops_group_exists(void *ctx, const char *group)
{
	const struct conn *c = ctx;
	return evs_config_group_find(c->d->cfg, group) >= 0 ? 0 : -ENOENT;
}

static void ops_release(void *ctx, const char *group, const char *user,
                        const struct evc_policy *pol)
{
	const struct ike_server_ops *b = base_ops(ctx);
	b->release_policy(b->ctx, group, user, pol);
}

static bool list_has_radius(const struct evs_config *cfg)
{
	enum evs_aaa_method m[8];
	size_t n = evs_config_authen_methods(cfg, m, 8);

	for (size_t i = 0; i < n && i < 8; i++)
		if (m[i] == EVS_AAA_M_RADIUS)
			return true;
	return false;
}

/*
 * include-local-lan, save-password and access-restrict take effect only for users that
 * RADIUS authenticated (IOS, the chapter's Task 2) when the authentication list asks RADIUS;
 * with a local-only list evs applies them to its local users (and warns when it loads).
 */
static bool radius_only_ok(const struct conn *c)
{
	return (c->aaa && c->aaa->by_radius) || !list_has_radius(c->d->cfg);
}

/* The group's policy with the attributes laid over it; *pool the pool to draw from. */
static int attrs_policy(const struct evs_config *cfg, const struct evs_aaa_attrs *a,
                        const char *group, struct evc_policy *pol, int *pool, char *why,
                        size_t whylen)
{
	int gi = evs_config_group_find(cfg, group);

	if (gi < 0) {
		snprintf(why, whylen, "group %s is not in the configuration", group);
		return -ENOENT;
	}
	evs_config_group_policy(cfg, (size_t)gi, pol);
	*pool = evs_config_group_pool(cfg, (size_t)gi);
	return evs_aaa_attrs_apply(a, cfg, pol, pool, why, whylen);
}

static int ops_assign(void *ctx, const char *group, const char *user, struct evc_policy *pol)
{
	struct conn *c = ctx;
	const struct ike_server_ops *b = base_ops(c);
	const struct evs_config *cfg = c->d->cfg;
	char why[256], owner[EVS_SESSION_NAME_MAX + 1];
	struct evs_pool *pl;
	int pool, rc;

	if (!c->aaa || !c->aaa->have_attrs) {
		rc = b->assign_policy(b->ctx, group, user, pol);
		if (rc == 0 && !radius_only_ok(c) && (pol->n_local_lan || pol->save_passwd)) {
			/* as on IOS (the chapter's Task 2): for RADIUS users only */
			dlog(c->d, IKE_LOG_INFO,
			     "user %s of group %s: include-local-lan and save-password left out: "
			     "the local database let this user in, and they are for users RADIUS "
			     "authenticated",
			     user, group);
			pol->n_local_lan = 0;
			pol->save_passwd = false;
		}
		return rc;
	}
	rc = attrs_policy(cfg, &c->aaa->attrs, group, pol, &pool, why, sizeof(why));
	if (rc) {
		dlog(c->d, IKE_LOG_WARN, "user %s of group %s: %s", user, group, why);
		return rc;
	}
	snprintf(owner, sizeof(owner), "%s", user);
	if (evs_config_users_nocase(cfg))
		for (char *p = owner; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	pl = pool >= 0 ? evs_state_pool(c->d->st, (size_t)pool) : NULL;
	if (c->aaa->attrs.have & EVS_ATTR_ADDR) {
		/* Framed-IP-Address: from its pool when it lies in one, else the user's own,
		 * which no pool tracks: then no other session may hold it (children.h) */
		struct evc_net host = {pol->addr, 0xffffffffu};
		const char *taken = NULL;
		if ((pl && evs_pool_claim(pl, pol->addr, owner) != 0) ||
		    (!pl && evs_children_check(c->d->kids, c->id, &host, false, &taken) != 0)) {
			char a[20];
			ipv4_str(pol->addr, a, sizeof(a));
			dlog(c->d, IKE_LOG_WARN,
			     "user %s of group %s: the RADIUS server's Framed-IP-Address %s is in "
			     "use",
			     user, group, a);
			return -EADDRINUSE;
		}
		return 0;
	}
	if (!pl) {
		pol->have &= ~(uint32_t)(EVC_HAVE_ADDR | EVC_HAVE_NETMASK);
		return 0;
	}
	rc = evs_pool_alloc(pl, owner, &pol->addr);
	if (rc < 0)
		pol->have &= ~(uint32_t)(EVC_HAVE_ADDR | EVC_HAVE_NETMASK);
	return rc;
}

/* A hardware client's LAN, asked before its quick mode is answered: the same rules as when
 * its SA pair is installed (children.c), so that a refusal reaches the client. */
static int ops_lan_allowed(void *ctx, const struct evc_net *net, const char **why)
{
	struct conn *c = ctx;
	/* the client's own address as evs sees it (behind a NAT, the NAT's, which the client
	 * cannot know): a reverse route for it would carry the tunnel's own packets, this
	 * client's and every other's behind that address, into the tunnel */
	uint32_t peer = ike_sa_peer(c->sa).addr;
	if ((peer & net->mask) == (net->addr & net->mask)) {
		*why = "the network holds the address the client's packets come from: routed "
		       "into the tunnel, it would carry the tunnel's own packets";
		return -EPERM;
	}
	/* nor another client's: its tunnel would go into this one (rare, so a walk is enough) */
	for (size_t i = 0; i < c->d->max; i++) {
		const struct conn *o = c->d->by_slot[i];
		if (!o || o == c || o->dead)
			continue;
		peer = ike_sa_peer(o->sa).addr;
		if ((peer & net->mask) == (net->addr & net->mask)) {
			*why = "the network holds the address another client's packets come from: "
			       "routed into this tunnel, it would take that client's";
			return -EPERM;
		}
	}
	return evs_children_check(c->d->kids, c->id, net, false, why);
}

const struct ike_server_ops *conn_aaa_ops(struct conn *c)
{
	c->ops.lan_allowed = ops_lan_allowed;
	c->ops.ctx = c;
	c->ops.group_psk = ops_psk;
	c->ops.addr_psk = ops_addr_psk;
	c->ops.group_exists = ops_group_exists;
	c->ops.assign_policy = ops_assign;
	c->ops.release_policy = ops_release;
	return &c->ops;
}

/* ---- verdicts ---- */

static void peer_str(const struct conn *c, char a[20])
{
	ipv4_str(ike_sa_peer(c->sa).addr, a, 20);
}

static bool judge_password(struct conn *c, void *arg)
{
	const char *password = arg;
	struct conn_aaa *x = c->aaa;
	uint8_t ic[8], rc[8];
	struct ike_endpoint p = ike_sa_peer(c->sa);
	ike_sa_cookies(c->sa, ic, rc);
	return evs_xauth_judge(c->d->xauth, x->group, x->user, password, &p, ic, rc, c->d->now,
	                       &c->session_id);
}

/* RADIUS's verdict: arg is NULL for an accept, its reason for a reject. */
static bool judge_radius(struct conn *c, void *arg)
{
	struct conn_aaa *x = c->aaa;
	uint8_t ic[8], rc[8];
	struct ike_endpoint p = ike_sa_peer(c->sa);
	ike_sa_cookies(c->sa, ic, rc);
	return evs_xauth_conclude(c->d->xauth, x->group, x->user, arg == NULL, arg, &p, ic, rc,
	                          c->d->now, &c->session_id);
}

static void judge_later(struct conn_judge *j, struct conn *c,
                        bool (*judge)(struct conn *c, void *arg), void *arg, bool restrict_ifaces)
{
	*j = (struct conn_judge){true, c->aaa->group, c->aaa->user, judge, arg, restrict_ifaces};
}

static void local_verify(struct conn *c, struct conn_judge *j)
{
	judge_later(j, c, judge_password, c->aaa->password, radius_only_ok(c));
}

static bool has_local_after_radius(const struct evs_config *cfg)
{
	enum evs_aaa_method m[8];
	size_t n = evs_config_authen_methods(cfg, m, 8);

	for (size_t i = 1; i < n && i < 8; i++)
		if (m[i] == EVS_AAA_M_LOCAL && m[i - 1] == EVS_AAA_M_RADIUS)
			return true;
	return false;
}

/* Access-Accept: the attributes (when authorization asks RADIUS), then limits and session. */
static void accepted(struct conn *c, const struct evs_aaa_result *res, struct conn_judge *j)
{
	struct evs_daemon *d = c->d;
	struct conn_aaa *x = c->aaa;
	char why[320], a[20];

	peer_str(c, a);
	x->by_radius = true;
	if (evs_config_author_radius(d->cfg)) {
		struct evc_policy pol;
		int pool;
		if (evs_aaa_attrs_parse(res->pairs, res->n_pairs, &x->attrs, why, sizeof(why)) ||
		    attrs_policy(d->cfg, &x->attrs, x->group, &pol, &pool, why, sizeof(why))) {
			dlog(d, IKE_LOG_WARN, "%s: XAUTH for user %s of group %s refused: %s", a,
			     x->user, x->group, why);
			ike_xauth_refuse(c->sa, d->now, why);
			return;
		}
		if ((x->attrs.have & EVS_ATTR_VPN_GROUP) && strcmp(x->attrs.vpn_group, x->group)) {
			snprintf(why, sizeof(why),
			         "user %s may connect only with group %s (RADIUS "
			         "ipsec:user-vpn-group), not %s",
			         x->user, x->attrs.vpn_group, x->group);
			dlog(d, IKE_LOG_WARN, "%s: XAUTH refused: %s", a, why);
			ike_xauth_refuse(c->sa, d->now, why);
			return;
		}
		x->have_attrs = true;
		if (x->attrs.ignored[0])
			dlog(d, IKE_LOG_DEBUG,
			     "%s: user %s: RADIUS attributes evs does not use: %s", a, x->user,
			     x->attrs.ignored);
	} else if (res->n_pairs) {
		dlog(d, IKE_LOG_DEBUG,
		     "%s: user %s: the RADIUS answer's attributes are not used (the crypto map's "
		     "isakmp authorization list has no 'group radius')",
		     a, x->user);
	}
	judge_later(j, c, judge_radius, NULL, radius_only_ok(c));
}

/* No valid answer: the next method (local) or a refusal saying why. */
static void unanswered(struct conn *c, const struct evs_aaa_result *res, struct conn_judge *j)
{
	struct evs_daemon *d = c->d;
	struct conn_aaa *x = c->aaa;
	const char *reason;
	char a[20];

	peer_str(c, a);
	if (has_local_after_radius(d->cfg)) {
		dlog(d, IKE_LOG_WARN,
		     "%s: user %s of group %s: %s; checking the local user database instead", a,
		     x->user, x->group, res->why);
		local_verify(c, j);
		return;
	}
	reason = res->outcome == EVS_AAA_BAD_ANSWER
	             ? "the gateway's RADIUS server answered with a key that does not match; "
	               "tell the gateway's administrator"
	         : res->outcome == EVS_AAA_FAILED
	             ? "the gateway could not ask its RADIUS server; try again later"
	             : "the gateway's RADIUS server does not answer; try again later";
	dlog(d, IKE_LOG_WARN, "%s: XAUTH for user %s of group %s refused: %s", a, x->user, x->group,
	     res->why);
	ike_xauth_refuse(c->sa, d->now, reason);
}

void conn_aaa_answer(struct conn *c, const struct evs_aaa_result *res, struct conn_judge *j)
{
	struct conn_aaa *x = c->aaa;

	*j = (struct conn_judge){0};
	x->waiting = false;
	switch (res->outcome) {
	case EVS_AAA_ACCEPT:
		dlog(c->d, IKE_LOG_INFO, "user %s of group %s: %s", x->user, x->group, res->why);
		accepted(c, res, j);
		break;
	case EVS_AAA_REJECT:
		judge_later(j, c, judge_radius, (void *)res->why, false);
		break;
	case EVS_AAA_NO_ANSWER:
	case EVS_AAA_BAD_ANSWER:
	case EVS_AAA_FAILED:
		unanswered(c, res, j);
		break;
	}
}

bool conn_aaa_waiting(const struct conn *c)
{
	return c->aaa && c->aaa->waiting;
}

void conn_aaa_wipe(struct conn *c)
{
	if (c->aaa && !c->aaa->waiting) /* still waiting: kept for the local fallback */
		mem_wipe(c->aaa->password, sizeof(c->aaa->password));
}

bool conn_aaa_remote(struct conn *c, const char *group, const char *user, const char *password,
                     struct conn_judge *j)
{
	*j = (struct conn_judge){0};
	struct evs_daemon *d = c->d;
	enum evs_aaa_method m[8];
	size_t n = evs_config_authen_methods(d->cfg, m, 8);
	struct ike_endpoint p = ike_sa_peer(c->sa);
	struct evs_aaa_req *q;
	int rc = -ENOMEM;

	if (c->aaa && c->aaa->waiting)
		return true; /* the client repeated its answer: the first is being checked */
	if (n == 0 || m[0] == EVS_AAA_M_LOCAL)
		return false;
	if (!evs_xauth_may_check(d->xauth, group, user, &p, d->now)) {
		ike_xauth_verdict(c->sa, d->now, false);
		return true;
	}
	if (strlen(user) > EVS_AAA_NAME_MAX || strlen(password) > EVS_AAA_PASSWORD_MAX ||
	    strlen(group) > EVS_AAA_NAME_MAX) {
		char a[20];
		peer_str(c, a);
		dlog(d, IKE_LOG_WARN,
		     "%s: XAUTH for user %.64s refused: the name or password is longer than "
		     "RADIUS carries",
		     a, user);
		ike_xauth_verdict(c->sa, d->now, false);
		return true;
	}
	conn_aaa_free(c);
	c->aaa = calloc(1, sizeof(*c->aaa));
	q = calloc(1, sizeof(*q));
	if (c->aaa && q) {
		snprintf(c->aaa->group, sizeof(c->aaa->group), "%s", group);
		snprintf(c->aaa->user, sizeof(c->aaa->user), "%s", user);
		snprintf(c->aaa->password, sizeof(c->aaa->password), "%s", password);
		q->ticket = c->id;
		q->n_servers = evs_config_radius(d->cfg, q->servers, EVS_RADIUS_MAX_SERVERS);
		if (q->n_servers > EVS_RADIUS_MAX_SERVERS)
			q->n_servers = EVS_RADIUS_MAX_SERVERS;
		snprintf(q->user, sizeof(q->user), "%s", user);
		snprintf(q->password, sizeof(q->password), "%s", password);
		q->nas_addr = d->listen[c->li];
		q->peer_addr = p.addr;
		rc = d->aaa_ask ? d->aaa_ask(d->aaa_ctx, q) : -ENOSYS;
	}
	if (q) {
		mem_wipe(q, sizeof(*q));
		free(q);
	}
	if (!c->aaa) {
		ike_xauth_refuse(c->sa, d->now, "the gateway is out of memory; try again later");
		return true;
	}
	if (rc < 0) {
		struct evs_aaa_result r = {.outcome = EVS_AAA_FAILED};
		snprintf(r.why, sizeof(r.why), "RADIUS could not be asked: %s",
		         rc == -EBUSY    ? "too many questions are waiting for RADIUS servers"
		         : rc == -ENOSYS ? "evs runs without a RADIUS client"
		                         : strerror(-rc));
		conn_aaa_answer(c, &r, j);
		return true;
	}
	c->aaa->waiting = true;
	dlog(d, IKE_LOG_DEBUG, "user %s of group %s: asking RADIUS", user, group);
	return true;
}
