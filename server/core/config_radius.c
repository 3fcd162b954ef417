/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS servers in the configuration: `radius-server host|key|timeout|retransmit`, the
 * `radius server NAME` block, their checks against the AAA method lists, and what the
 * daemon reads of them (config_aaa.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/secret.h"
#include "server/core/config_aaa.h"
#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])

#define IOS_RADIUS_AUTH_PORT 1645 /* IOS's default, not RFC 2865's 1812 */
#define IOS_RADIUS_TIMEOUT 5
#define IOS_RADIUS_RETRANSMIT 3

bool cfg_aaa_has(const struct cfg_aaa_list *l, enum cfg_aaa_method m)
{
	for (size_t i = 0; l && i < l->n_m; i++)
		if (l->m[i] == m)
			return true;
	return false;
}

void cfg_radius_free(struct evs_config *c)
{
	for (size_t i = 0; i < c->radius.n; i++) {
		struct cfg_radius *r = &c->radius.v[i];
		free(r->name);
		if (r->key)
			mem_wipe(r->key, r->key_len);
		free(r->key);
	}
	free(c->radius.v);
	if (c->radius_key)
		mem_wipe(c->radius_key, c->radius_key_len);
	free(c->radius_key);
}

/* `key [0|7] TEXT` from tk[i]: the rest of the line, as IOS takes it. */
static bool parse_key(struct cfg_parser *p, const struct cfg_toks *tk, size_t i, char **key,
                      size_t *key_len)
{
	char buf[EVS_RADIUS_KEY_MAX + 2];
	size_t len;
	bool ok = false;

	if (i + 1 < N(tk) && strlen(T(tk, i)) == 1 && (T(tk, i)[0] == '0' || T(tk, i)[0] == '7')) {
		if (T(tk, i)[0] == '7') {
			cfg_error(
			    p, p->lineno,
			    "an encrypted (type 7) RADIUS key cannot be used by evs; write the "
			    "key itself as 'key 0 KEY'");
			return false;
		}
		i++;
	}
	if (i >= N(tk)) {
		cfg_error(p, p->lineno, "'key' needs the shared secret of the RADIUS server");
		return false;
	}
	if (!cfg_rest(tk, i, buf, sizeof(buf)) || (len = strlen(buf)) > EVS_RADIUS_KEY_MAX) {
		cfg_error(p, p->lineno, "the RADIUS key is longer than %d characters",
		          EVS_RADIUS_KEY_MAX);
		goto out;
	}
	if (strpbrk(buf, " \t\v\f\r,")) {
		cfg_error(p, p->lineno,
		          "a RADIUS key with blanks or commas cannot be passed to radcli, evs's "
		          "RADIUS library; choose a key without them");
		goto out;
	}
	if (*key) {
		mem_wipe(*key, *key_len);
		free(*key);
	}
	*key = cfg_strdup(p, buf);
	*key_len = *key ? len : 0;
	ok = *key != NULL;
out:
	mem_wipe(buf, sizeof(buf));
	return ok;
}

static bool parse_port(struct cfg_parser *p, const char *s, unsigned *port)
{
	unsigned long v;

	if (!cfg_parse_uint(s, 1, 65535, &v)) {
		cfg_error(p, p->lineno, "'%s' is not a port number (1-65535)", s);
		return false;
	}
	*port = (unsigned)v;
	return true;
}

static bool parse_timeout(struct cfg_parser *p, const char *s, unsigned *t)
{
	unsigned long v;

	if (!cfg_parse_uint(s, 1, 1000, &v)) {
		cfg_error(p, p->lineno, "'%s' is not a timeout in seconds (1-1000)", s);
		return false;
	}
	*t = (unsigned)v;
	return true;
}

static bool parse_retransmit(struct cfg_parser *p, const char *s, unsigned *r)
{
	unsigned long v;

	if (!cfg_parse_uint(s, 0, 100, &v)) {
		cfg_error(p, p->lineno, "'%s' is not a number of retransmissions (0-100)", s);
		return false;
	}
	*r = (unsigned)v;
	return true;
}

static struct cfg_radius *new_server(struct cfg_parser *p)
{
	struct cfg_radius *r = CFG_PUSH(p->cfg->radius);

	if (!r)
		return cfg_nomem(p);
	r->auth_port = IOS_RADIUS_AUTH_PORT;
	r->retransmit = UINT_MAX;
	r->line = p->lineno;
	return r;
}

/*
 * The options after the address of `radius-server host` and `address ipv4`: auth-port,
 * acct-port (accepted, evs sends no accounting), and for the former timeout, retransmit,
 * key (the rest of the line).
 */
static bool host_options(struct cfg_parser *p, const struct cfg_toks *tk, size_t i,
                         struct cfg_radius *r, bool more)
{
	for (; i < N(tk); i++) {
		const char *w = T(tk, i);
		unsigned port;

		if (more && cfg_kw(w, "key"))
			return parse_key(p, tk, i + 1, &r->key, &r->key_len);
		if (i + 1 >= N(tk)) {
			cfg_error(p, p->lineno, "'%s' needs a value", w);
			return false;
		}
		if (cfg_kw(w, "auth-port")) {
			if (!parse_port(p, T(tk, ++i), &r->auth_port))
				return false;
		} else if (cfg_kw(w, "acct-port")) {
			if (!parse_port(p, T(tk, ++i), &port))
				return false;
		} else if (more && cfg_kw(w, "timeout")) {
			if (!parse_timeout(p, T(tk, ++i), &r->timeout))
				return false;
		} else if (more && cfg_kw(w, "retransmit")) {
			if (!parse_retransmit(p, T(tk, ++i), &r->retransmit))
				return false;
		} else {
			cfg_error(p, p->lineno, "'%s' is not an option evs knows here%s", w,
			          more ? " (auth-port, acct-port, timeout, retransmit, key)"
			               : " (auth-port, acct-port)");
			return false;
		}
	}
	return true;
}

static void radius_host(struct cfg_parser *p, const struct cfg_toks *tk)
{
	struct cfg_radius *r;
	uint32_t a;

	if (N(tk) < 3) {
		cfg_usage(p, "radius-server host ADDRESS [auth-port N] [acct-port N] [timeout S] "
		             "[retransmit N] [key KEY]");
		return;
	}
	if (!cfg_parse_ipv4(T(tk, 2), &a)) {
		cfg_error(p, p->lineno,
		          "'%s' is not an IPv4 address (evs does not look up host names)",
		          T(tk, 2));
		return;
	}
	for (size_t i = 0; i < p->cfg->radius.n; i++) {
		const struct cfg_radius *o = &p->cfg->radius.v[i];
		if (!o->name && o->addr == a) {
			cfg_error(p, p->lineno, "RADIUS server %s is already defined on line %u",
			          T(tk, 2), o->line);
			return;
		}
	}
	r = new_server(p);
	if (!r)
		return;
	r->addr = a;
	r->have_addr = true;
	if (!host_options(p, tk, 3, r, true))
		r->have_addr = false; /* reported; the checks do not add a second message */
}

void cfg_cmd_radius_server(struct cfg_parser *p, const struct cfg_toks *tk)
{
	struct evs_config *c = p->cfg;

	if (N(tk) >= 2 && cfg_kw(T(tk, 1), "host")) {
		radius_host(p, tk);
	} else if (N(tk) >= 2 && cfg_kw(T(tk, 1), "key")) {
		parse_key(p, tk, 2, &c->radius_key, &c->radius_key_len);
	} else if (N(tk) == 3 && cfg_kw(T(tk, 1), "timeout")) {
		parse_timeout(p, T(tk, 2), &c->radius_timeout);
	} else if (N(tk) == 3 && cfg_kw(T(tk, 1), "retransmit")) {
		unsigned r;
		if (parse_retransmit(p, T(tk, 2), &r))
			c->radius_retransmit = r + 1; /* 0 stays "not configured" */
	} else if (N(tk) == 3 && cfg_kw(T(tk, 1), "message-authenticator") &&
	           (cfg_kw(T(tk, 2), "optional") || cfg_kw(T(tk, 2), "required"))) {
		c->radius_ma_optional = cfg_kw(T(tk, 2), "optional");
		if (c->radius_ma_optional)
			cfg_warn(
			    p, p->lineno,
			    "RADIUS replies without a Message-Authenticator are taken: anyone on "
			    "the path who can forge one with an MD5 collision (BlastRADIUS, "
			    "CVE-2024-3596) can log in as any RADIUS user; make the servers sign "
			    "their replies (FreeRADIUS 3.2.1: 'update reply { "
			    "&Message-Authenticator := 0x00 }' in post-auth) and remove this line");
	} else if (N(tk) >= 3 && cfg_kw(T(tk, 1), "vsa") && cfg_kw(T(tk, 2), "send")) {
		cfg_warn(p, p->lineno,
		         "evs always reads the Cisco AV pairs of RADIUS answers; ignored");
	} else if (N(tk) >= 2 && cfg_kw(T(tk, 1), "deadtime")) {
		cfg_warn(p, p->lineno,
		         "evs asks every RADIUS server in order each time; 'deadtime' ignored");
	} else {
		cfg_error(p, p->lineno,
		          "'radius-server %s' is not supported by evs (host, key, timeout, "
		          "retransmit, message-authenticator required|optional)",
		          N(tk) > 1 ? T(tk, 1) : "");
	}
}

void cfg_cmd_radius_open(struct cfg_parser *p, const struct cfg_toks *tk)
{
	struct cfg_radius *r;

	if (N(tk) != 3) {
		cfg_usage(p, "radius server NAME");
		return;
	}
	if (!cfg_name_ok(p, "RADIUS server", T(tk, 2)))
		return;
	for (size_t i = 0; i < p->cfg->radius.n; i++) {
		if (p->cfg->radius.v[i].name && strcmp(p->cfg->radius.v[i].name, T(tk, 2)) == 0) {
			cfg_open_mode(p, CFG_MODE_RADIUS, i);
			return;
		}
	}
	r = new_server(p);
	if (!r)
		return;
	r->name = cfg_strdup(p, T(tk, 2));
	cfg_open_mode(p, CFG_MODE_RADIUS, p->cfg->radius.n - 1);
}

void cfg_cmd_radius(struct cfg_parser *p, const struct cfg_toks *tk)
{
	struct cfg_radius *r = &p->cfg->radius.v[p->mode_idx];
	const char *c = T(tk, 0);

	if (cfg_kw(c, "address")) {
		uint32_t a;
		if (N(tk) < 3 || !cfg_kw(T(tk, 1), "ipv4")) {
			cfg_usage(p, "address ipv4 ADDRESS [auth-port N] [acct-port N]");
			return;
		}
		if (!cfg_parse_ipv4(T(tk, 2), &a)) {
			cfg_error(p, p->lineno,
			          "'%s' is not an IPv4 address (evs does not look up host names)",
			          T(tk, 2));
			return;
		}
		r->addr = a;
		r->have_addr = host_options(p, tk, 3, r, false);
	} else if (cfg_kw(c, "key")) {
		parse_key(p, tk, 1, &r->key, &r->key_len);
	} else if (cfg_kw(c, "timeout") && N(tk) == 2) {
		parse_timeout(p, T(tk, 1), &r->timeout);
	} else if (cfg_kw(c, "retransmit") && N(tk) == 2) {
		parse_retransmit(p, T(tk, 1), &r->retransmit);
	} else {
		cfg_error(p, p->lineno,
		          "'%s' is not supported by evs in 'radius server' (address ipv4, key, "
		          "timeout, retransmit)",
		          c);
	}
}

/* Called by cfg_check: servers complete, lists that use RADIUS have one. */
void cfg_check_radius(struct cfg_parser *p)
{
	const struct evs_config *c = p->cfg;
	size_t usable = 0;

	for (size_t i = 0; i < c->radius.n; i++) {
		const struct cfg_radius *r = &c->radius.v[i];
		char a[16];
		if (!r->name && !r->have_addr)
			continue; /* its line was reported */
		if (r->name && !r->have_addr) {
			cfg_error(p, r->line, "radius server %s has no 'address ipv4 ADDRESS'",
			          r->name);
			continue;
		}
		if (!r->key && !c->radius_key) {
			cfg_fmt_ipv4(r->addr, a);
			cfg_error(p, r->line,
			          "RADIUS server %s has no key; add 'key KEY' (or a global "
			          "'radius-server key KEY')",
			          r->name ? r->name : a);
			continue;
		}
		usable++;
	}
	for (size_t i = 0; i < c->aaa.n; i++) {
		const struct cfg_aaa_list *l = &c->aaa.v[i];
		if (cfg_aaa_has(l, CFG_M_RADIUS) && !c->radius.n)
			cfg_error(p, l->line,
			          "list %s uses 'group radius' but no RADIUS server is configured "
			          "(add 'radius-server host ADDRESS key KEY')",
			          l->name);
	}
	if (usable && usable == c->radius.n) {
		/* every server silent: the client must still be there for the next method */
		struct evs_radius_server v[EVS_RADIUS_MAX_SERVERS];
		size_t n = evs_config_radius(c, v, EVS_RADIUS_MAX_SERVERS);
		unsigned long total = 0;
		for (size_t i = 0; i < n && i < EVS_RADIUS_MAX_SERVERS; i++)
			total += (unsigned long)v[i].timeout_s * (v[i].retries + 1);
		if (n > EVS_RADIUS_MAX_SERVERS)
			cfg_error(p, c->radius.v[EVS_RADIUS_MAX_SERVERS].line,
			          "more than %d RADIUS servers", EVS_RADIUS_MAX_SERVERS);
		else if (total >= c->xauth_timeout)
			cfg_warn(
			    p, c->radius.v[0].line,
			    "RADIUS servers that do not answer take %lu s in all (timeout x "
			    "(retransmit + 1) each), not less than the XAUTH timeout of %u s: a "
			    "client is dropped before the next method is tried",
			    total, c->xauth_timeout);
	}
	if (c->radius.n && usable == c->radius.n) {
		bool used = false;
		for (size_t i = 0; i < c->aaa.n; i++)
			used |= cfg_aaa_has(&c->aaa.v[i], CFG_M_RADIUS);
		if (!used)
			cfg_warn(
			    p, c->radius.v[0].line,
			    "RADIUS servers are configured but no aaa list uses 'group radius'");
	}
}

/* ---- what the daemon reads (config_aaa.h) ---- */

size_t evs_config_radius(const struct evs_config *c, struct evs_radius_server *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->radius.n; i++) {
		const struct cfg_radius *r = &c->radius.v[i];
		const char *key = r->key ? r->key : c->radius_key;
		size_t key_len = r->key ? r->key_len : c->radius_key_len;

		if (!r->have_addr || !key)
			continue;
		if (n < max) {
			struct evs_radius_server *s = &out[n];
			memset(s, 0, sizeof(*s));
			snprintf(s->name, sizeof(s->name), "%s", r->name ? r->name : "");
			s->addr = r->addr;
			s->port = (uint16_t)r->auth_port;
			memcpy(s->key, key, key_len);
			s->key[key_len] = '\0';
			s->timeout_s = r->timeout          ? r->timeout
			               : c->radius_timeout ? c->radius_timeout
			                                   : IOS_RADIUS_TIMEOUT;
			s->retries = r->retransmit != UINT_MAX ? r->retransmit
			             : c->radius_retransmit    ? c->radius_retransmit - 1
			                                       : IOS_RADIUS_RETRANSMIT;
			s->ma_optional = c->radius_ma_optional;
		}
		n++;
	}
	return n;
}

static size_t methods(const struct cfg_aaa_list *l, enum evs_aaa_method *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; l && i < l->n_m; i++) {
		if (n < max)
			out[n] = l->m[i] == CFG_M_RADIUS ? EVS_AAA_M_RADIUS : EVS_AAA_M_LOCAL;
		n++;
	}
	return n;
}

size_t evs_config_authen_methods(const struct evs_config *c, enum evs_aaa_method *out, size_t max)
{
	return methods(c->authen, out, max);
}

bool evs_config_author_radius(const struct evs_config *c)
{
	return c->map && c->map->author_list &&
	       cfg_aaa_has(cfg_find_aaa(c, CFG_AAA_AUTHOR, c->map->author_list), CFG_M_RADIUS);
}

int evs_config_pool_find(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->pools.n; i++)
		if (strcmp(c->pools.v[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

bool evs_config_acl_split(const struct evs_config *c, const char *name, struct evc_policy *pol)
{
	const struct cfg_acl *a = cfg_find_acl(c, name);

	if (!a)
		return false;
	pol->n_split_include = 0;
	for (size_t i = 0; i < a->n && pol->n_split_include < EVC_POLICY_MAX_NETS; i++)
		if (a->v[i].permit)
			pol->split_include[pol->n_split_include++] = a->v[i].src;
	return true;
}
