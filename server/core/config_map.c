/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read access to a parsed configuration: engine proposals, timers, groups, pools, users. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/crypto.h"
#include "lib/secret.h"
#include "server/core/config_int.h"

size_t evs_config_p1(const struct evs_config *c, struct ike_p1_prop *out, size_t max)
{
	for (size_t i = 0; i < c->n_p1 && i < max; i++)
		out[i] = c->p1[i];
	return c->n_p1;
}

size_t evs_config_p2(const struct evs_config *c, struct ike_p2_prop *out, size_t max)
{
	for (size_t i = 0; i < c->n_p2 && i < max; i++)
		out[i] = c->p2[i];
	return c->n_p2;
}

enum evs_rri evs_config_rri(const struct evs_config *c, uint8_t esp, uint16_t key_bits,
                            uint8_t auth)
{
	for (size_t i = 0; i < c->n_p2; i++) {
		const struct ike_p2_prop *q = &c->p2[i];

		if (q->esp == esp && q->key_bits == key_bits && q->auth == auth)
			return c->p2_entry[i]->rri;
	}
	return EVS_RRI_NONE;
}

void evs_config_keepalive(const struct evs_config *c, unsigned *secs, unsigned *retry,
                          bool *periodic)
{
	*secs = c->ka_secs;
	*retry = c->ka_retry;
	*periodic = c->ka_periodic;
}

unsigned evs_config_xauth_timeout(const struct evs_config *c)
{
	return c->xauth_timeout;
}

unsigned evs_config_frag_size(const struct evs_config *c)
{
	return c->frag_size;
}

unsigned evs_config_nat_keepalive(const struct evs_config *c)
{
	return c->nat_ka;
}

bool evs_config_natt(const struct evs_config *c)
{
	return !c->natt_off;
}

bool evs_config_modecfg_initiate(const struct evs_config *c)
{
	return c->map->initiate;
}

bool evs_config_modecfg_respond(const struct evs_config *c)
{
	return c->map->respond;
}

size_t evs_config_listen(const struct evs_config *c, struct evc_net *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->ifaces.n; i++) {
		const struct cfg_iface *f = &c->ifaces.v[i];

		if (!f->cmap || strcmp(f->cmap, c->map->name) != 0)
			continue;
		if (n < max) {
			out[n].addr = f->addr;
			out[n].mask = f->mask;
		}
		n++;
	}
	return n;
}

size_t evs_config_n_groups(const struct evs_config *c)
{
	return c->groups.n;
}

const char *evs_config_group_name(const struct evs_config *c, size_t i)
{
	return i < c->groups.n ? c->groups.v[i].name : NULL;
}

int evs_config_group_find(const struct evs_config *c, const char *name)
{
	const struct cfg_group *g = cfg_find_group(c, name);

	return g ? (int)(g - c->groups.v) : -ENOENT;
}

unsigned evs_config_group_max_users(const struct evs_config *c, size_t i)
{
	return c->groups.v[i].max_users;
}

unsigned evs_config_group_max_logins(const struct evs_config *c, size_t i)
{
	return c->groups.v[i].max_logins;
}

const char *evs_config_group_key(const struct evs_config *c, size_t i, size_t *len)
{
	*len = c->groups.v[i].key_len;
	return c->groups.v[i].key;
}

int evs_config_group_pool(const struct evs_config *c, size_t i)
{
	const struct cfg_group *g = &c->groups.v[i];
	const struct cfg_pool *pl;

	if (!g->pool || !(pl = cfg_find_pool(c, g->pool)))
		return -ENOENT;
	return (int)(pl - c->pools.v);
}

static void join(const struct cfg_strv *sv, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sv->n; i++) {
		int w = snprintf(out + o, outlen - o, "%s%s", i ? "," : "", sv->v[i]);

		if (w < 0 || (size_t)w >= outlen - o)
			return; /* cannot happen: cfg_check bounded the total */
		o += (size_t)w;
	}
}

static void split_include(const struct evs_config *c, const struct cfg_group *g,
                          struct evc_policy *pol)
{
	const struct cfg_acl *a = g->acl ? cfg_find_acl(c, g->acl) : NULL;

	if (!a)
		return;
	for (size_t i = 0; i < a->n && pol->n_split_include < EVC_POLICY_MAX_NETS; i++) {
		if (!a->v[i].permit)
			continue;
		pol->split_include[pol->n_split_include++] = a->v[i].src;
	}
}

void evs_config_group_policy(const struct evs_config *c, size_t i, struct evc_policy *pol)
{
	const struct cfg_group *g = &c->groups.v[i];

	memset(pol, 0, sizeof(*pol));
	if (g->pool) {
		pol->have |= EVC_HAVE_ADDR | EVC_HAVE_NETMASK;
		/* a host mask: the client reaches the other pool addresses through the tunnel */
		pol->netmask = g->netmask ? g->netmask : 0xffffffffu;
	}
	memcpy(pol->dns, g->dns, g->n_dns * sizeof(g->dns[0]));
	pol->n_dns = g->n_dns;
	memcpy(pol->wins, g->wins, g->n_wins * sizeof(g->wins[0]));
	pol->n_wins = g->n_wins;
	if (g->domain) {
		pol->have |= EVC_HAVE_DOMAIN;
		snprintf(pol->domain, sizeof(pol->domain), "%s", g->domain);
	}
	if (g->banner) {
		pol->have |= EVC_HAVE_BANNER;
		snprintf(pol->banner, sizeof(pol->banner), "%s", g->banner);
	}
	/* always answered, so that a client asking for them learns "no" explicitly */
	pol->have |= EVC_HAVE_SAVE_PASSWD | EVC_HAVE_PFS;
	pol->save_passwd = g->save_password;
	pol->pfs = g->pfs;
	pol->network_extension = g->nem;
	if (g->udp_port) {
		pol->have |= EVC_HAVE_UDP_ENCAP_PORT;
		pol->udp_encap_port = g->udp_port;
	}
	if (g->split_dns.n) {
		pol->have |= EVC_HAVE_SPLIT_DNS;
		join(&g->split_dns, pol->split_dns, sizeof(pol->split_dns));
	}
	if (g->backup.n) {
		pol->have |= EVC_HAVE_BACKUP;
		join(&g->backup, pol->backup_servers, sizeof(pol->backup_servers));
	}
	split_include(c, g, pol);
	if (g->include_local_lan) {
		/* Cisco's "local LAN" entry: host 0.0.0.0 stands for the client's own LAN */
		pol->local_lan[0].addr = 0;
		pol->local_lan[0].mask = 0xffffffffu;
		pol->n_local_lan = 1;
	}
	if (g->fw_ayt)
		pol->have |= EVC_HAVE_FW_TYPE;
}

size_t evs_config_n_pools(const struct evs_config *c)
{
	return c->pools.n;
}

const char *evs_config_pool_name(const struct evs_config *c, size_t i)
{
	return i < c->pools.n ? c->pools.v[i].name : NULL;
}

void evs_config_pool_range(const struct evs_config *c, size_t i, uint32_t *first, uint32_t *last)
{
	*first = c->pools.v[i].first;
	*last = c->pools.v[i].last;
}

bool evs_config_users_nocase(const struct evs_config *c)
{
	return !(c->authen && c->authen->local_case);
}

bool evs_config_check_password(const struct evs_config *c, const char *user, const char *password)
{
	static const uint8_t nobody[CFG_PASSWORD_MAX];
	uint8_t given[CFG_PASSWORD_MAX] = {0};
	const struct cfg_user *u = NULL;
	bool nocase = evs_config_users_nocase(c), ok;
	size_t glen = strnlen(password, CFG_PASSWORD_MAX + 1);

	for (size_t i = 0; i < c->users.n && !u; i++) {
		const char *name = c->users.v[i].name;

		if (nocase ? strcasecmp(name, user) == 0 : strcmp(name, user) == 0)
			u = &c->users.v[i];
	}
	memcpy(given, password, glen < CFG_PASSWORD_MAX ? glen : CFG_PASSWORD_MAX);
	/*
	 * Both sides are zero-padded to the same width, so the time taken depends neither on
	 * where the passwords differ nor on whether the user exists. The lengths are compared
	 * too, because an answer longer than the width was cut to fit it.
	 */
	ok = crypto_ct_equal(given, u ? u->pw : nobody, CFG_PASSWORD_MAX);
	ok = ok && u && glen == u->pw_len;
	mem_wipe(given, sizeof(given));
	return ok;
}
