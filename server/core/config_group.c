/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `crypto isakmp client configuration group NAME` and the policy commands below it, including IOS
 * delimiter banners that may span several lines.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/policy.h"
#include "lib/secret.h"
#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])

#define BANNER_MAX (sizeof(((struct evc_policy *)0)->banner) - 1)
#define DOMAIN_MAX (sizeof(((struct evc_policy *)0)->domain) - 1)
#define PSK_MAX 128

static bool parse_limit(struct cfg_parser *p, const char *kw, const char *val, unsigned *out)
{
	unsigned long v;

	if (cfg_kw(kw, "max-users")) {
		if (!cfg_parse_uint(val, 1, 5000, &v)) {
			cfg_error(p, p->lineno, "max-users must be between 1 and 5000, not '%s'",
			          val);
			return false;
		}
	} else if (!cfg_parse_uint(val, 1, 10, &v)) {
		cfg_error(p, p->lineno, "max-logins must be between 1 and 10, not '%s'", val);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

void cfg_cmd_group_open(struct cfg_parser *p, const struct cfg_toks *tk)
{
	static const char syntax[] = "crypto isakmp client configuration group NAME "
	                             "[max-users <1-5000>] [max-logins <1-10>]";
	unsigned users = 0, logins = 0;
	struct cfg_group *g;
	size_t i;

	if (N(tk) < 6 || N(tk) % 2 != 0) {
		cfg_usage(p, syntax);
		return;
	}
	if (!cfg_name_ok(p, "group", T(tk, 5)))
		return;
	for (i = 6; i < N(tk); i += 2) {
		if (cfg_kw(T(tk, i), "max-users")) {
			if (!parse_limit(p, T(tk, i), T(tk, i + 1), &users))
				return;
		} else if (cfg_kw(T(tk, i), "max-logins")) {
			if (!parse_limit(p, T(tk, i), T(tk, i + 1), &logins))
				return;
		} else {
			cfg_usage(p, syntax);
			return;
		}
	}
	g = cfg_find_group(p->cfg, T(tk, 5));
	if (!g) {
		g = CFG_PUSH(p->cfg->groups);
		if (!g) {
			cfg_nomem(p);
			return;
		}
		g->name = cfg_strdup(p, T(tk, 5));
		g->line = p->lineno;
	}
	if (users)
		g->max_users = users;
	if (logins)
		g->max_logins = logins;
	cfg_open_mode(p, CFG_MODE_GROUP, (size_t)(g - p->cfg->groups.v));
}

static void group_key(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_group *g)
{
	size_t len;
	char *k;

	if (N(tk) != 2) {
		cfg_usage(p, "key PRE-SHARED-KEY");
		return;
	}
	len = strlen(T(tk, 1));
	if (len > PSK_MAX) {
		cfg_error(p, p->lineno, "the key is longer than %d characters", PSK_MAX);
		return;
	}
	k = cfg_strdup(p, T(tk, 1));
	if (!k)
		return;
	if (g->key) {
		mem_wipe(g->key, g->key_len);
		free(g->key);
	}
	g->key = k;
	g->key_len = len;
	mem_wipe(T(tk, 1), len); /* the token copy */
}

static bool parse_servers(struct cfg_parser *p, const struct cfg_toks *tk, uint32_t out[2],
                          size_t *n)
{
	uint32_t a[2];

	if (N(tk) < 2 || N(tk) > 3) {
		cfg_error(p, p->lineno, "'%s' takes one or two server addresses", T(tk, 0));
		return false;
	}
	for (size_t i = 1; i < N(tk); i++) {
		if (!cfg_parse_ipv4(T(tk, i), &a[i - 1])) {
			cfg_error(p, p->lineno, "'%s' is not an IPv4 address", T(tk, i));
			return false;
		}
	}
	memcpy(out, a, sizeof(a));
	*n = N(tk) - 1;
	return true;
}

/* A DNS name as clients accept it in UNITY_DEF_DOMAIN / SPLIT_DNS / backup servers. */
static bool dns_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 253)
		return false;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.' || c == '_'))
			return false;
	}
	return true;
}

static void group_name_list(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_strv *sv,
                            unsigned *line, const char *what)
{
	if (N(tk) != 2) {
		cfg_error(p, p->lineno, "'%s' takes one %s; repeat the command for more", T(tk, 0),
		          what);
		return;
	}
	if (!dns_name_ok(T(tk, 1))) {
		cfg_error(p, p->lineno, "'%s' is not a valid %s", T(tk, 1), what);
		return;
	}
	size_t max = cfg_kw(T(tk, 0), "split-dns") ? CFG_MAX_SPLIT_DNS : CFG_MAX_BACKUP;

	if (sv->n >= max) {
		cfg_error(p, p->lineno, "more than %zu '%s' entries in one group (the IOS limit)",
		          max, T(tk, 0));
		return;
	}
	if (cfg_strv_push(p, sv, T(tk, 1)) && !*line)
		*line = p->lineno;
}

/* Group commands that take a single name or number. */
static void group_simple(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_group *g)
{
	const char *c = T(tk, 0);

	if (N(tk) != 2) {
		cfg_error(p, p->lineno, "'%s' takes one argument", c);
		return;
	}
	if (cfg_kw(c, "pool")) {
		if (cfg_name_ok(p, "pool", T(tk, 1)) && cfg_set_str(p, &g->pool, T(tk, 1)))
			g->pool_line = p->lineno;
	} else if (cfg_kw(c, "acl")) {
		if (cfg_name_ok(p, "access-list", T(tk, 1)) && cfg_set_str(p, &g->acl, T(tk, 1)))
			g->acl_line = p->lineno;
	} else if (cfg_kw(c, "domain")) {
		if (!dns_name_ok(T(tk, 1)) || strlen(T(tk, 1)) > DOMAIN_MAX)
			cfg_error(p, p->lineno, "'%s' is not a valid domain name", T(tk, 1));
		else
			cfg_set_str(p, &g->domain, T(tk, 1));
	} else if (cfg_kw(c, "netmask")) {
		if (!cfg_parse_netmask(T(tk, 1), &g->netmask))
			cfg_error(p, p->lineno, "'%s' is not a netmask such as 255.255.255.0",
			          T(tk, 1));
	} else {
		parse_limit(p, c, T(tk, 1),
		            cfg_kw(c, "max-users") ? &g->max_users : &g->max_logins);
	}
}

static bool group_flag(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_group *g)
{
	const char *c = T(tk, 0);
	bool *flag;

	if (cfg_kw(c, "include-local-lan")) {
		flag = &g->include_local_lan;
	} else if (cfg_kw(c, "save-password")) {
		flag = &g->save_password;
	} else if (cfg_kw(c, "pfs")) {
		flag = &g->pfs;
		g->pfs_line = p->lineno;
	} else if (cfg_kw(c, "nem")) {
		/* IOS groups have no such command (IOS accepts network extension from any
		 * group); Cisco's other head-end names it `nem enable` in a group policy, and evs
		 * allows it only where a group says so */
		if (N(tk) != 2 || !cfg_kw(T(tk, 1), "enable"))
			cfg_error(
			    p, p->lineno,
			    "'nem' takes one argument: 'nem enable' allows the group's hardware "
			    "clients network-extension mode");
		else
			g->nem = true;
		return true;
	} else if (cfg_kw(c, "firewall")) {
		if (N(tk) != 2 || !cfg_kw(T(tk, 1), "are-u-there")) {
			cfg_error(p, p->lineno,
			          "only 'firewall are-u-there' is supported by evs in a group");
			return true;
		}
		g->fw_ayt = true;
		g->fw_line = p->lineno;
		return true;
	} else {
		return false;
	}
	if (N(tk) != 1)
		cfg_error(p, p->lineno, "'%s' takes no arguments", c);
	else
		*flag = true;
	return true;
}

/*
 * `ipsec-udp [port <4001-49151>]`: Cisco IPsec over UDP for the group's clients that ask for it
 * (an evs extension: IOS has no such command; the ASA's group-policy has `ipsec-udp enable` and
 * `ipsec-udp-port`, whose default and range these are). 4500 is NAT-T's own port.
 */
static void group_ipsec_udp(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_group *g)
{
	unsigned long port = EVS_IPSEC_UDP_PORT;
	if ((N(tk) != 1 && N(tk) != 3) || (N(tk) == 3 && !cfg_kw(T(tk, 1), "port"))) {
		cfg_usage(p, "ipsec-udp [port <4001-49151>]");
		return;
	}
	if (N(tk) == 3 && !cfg_parse_uint(T(tk, 2), 4001, 49151, &port)) {
		cfg_error(p, p->lineno, "ipsec-udp port must be between 4001 and 49151, not '%s'",
		          T(tk, 2));
		return;
	}
	if (port == 4500) {
		cfg_error(p, p->lineno,
		          "ipsec-udp port 4500 is NAT-T's port (RFC 3948); choose another, e.g. "
		          "the default 10000");
		return;
	}
	g->udp_port = (uint16_t)port;
}

void cfg_cmd_group(struct cfg_parser *p, struct cfg_toks *tk, const char *raw)
{
	struct cfg_group *g = &p->cfg->groups.v[p->mode_idx];
	const char *c = T(tk, 0);

	if (cfg_kw(c, "key")) {
		group_key(p, tk, g);
	} else if (cfg_kw(c, "dns")) {
		parse_servers(p, tk, g->dns, &g->n_dns);
	} else if (cfg_kw(c, "wins")) {
		parse_servers(p, tk, g->wins, &g->n_wins);
	} else if (cfg_kw(c, "split-dns")) {
		group_name_list(p, tk, &g->split_dns, &g->split_dns_line, "domain name");
	} else if (cfg_kw(c, "backup-gateway")) {
		group_name_list(p, tk, &g->backup, &g->backup_line, "gateway address or name");
	} else if (cfg_kw(c, "pool") || cfg_kw(c, "acl") || cfg_kw(c, "domain") ||
	           cfg_kw(c, "netmask") || cfg_kw(c, "max-users") || cfg_kw(c, "max-logins")) {
		group_simple(p, tk, g);
	} else if (group_flag(p, tk, g)) {
		return;
	} else if (cfg_kw(c, "ipsec-udp")) {
		group_ipsec_udp(p, tk, g);
	} else if (cfg_kw(c, "banner")) {
		cfg_banner_start(p, raw + strlen(c), p->mode_idx);
	} else if (cfg_kw(c, "access-restrict")) {
		/* repeatable, one interface each, as IOS */
		if (N(tk) != 2)
			cfg_error(p, p->lineno,
			          "malformed command; the syntax is 'access-restrict "
			          "INTERFACE'");
		else if (cfg_name_ok(p, "interface", T(tk, 1)) &&
		         cfg_strv_push(p, &g->restrict_ifaces, T(tk, 1)) && !g->restrict_line)
			g->restrict_line = p->lineno;
	} else {
		cfg_error(p, p->lineno, "'%s' is not supported by evs in a group", c);
	}
}

/* ---- Banners ---- */

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void banner_append(struct cfg_parser *p, const char *s, size_t len)
{
	char *nb;

	/* keep a little more than fits, so that the length check still fires */
	if (p->banner_len > BANNER_MAX + 1)
		return;
	if (len > BANNER_MAX + 2)
		len = BANNER_MAX + 2;
	nb = realloc(p->banner, p->banner_len + len + 1);
	if (!nb) {
		cfg_nomem(p);
		return;
	}
	memcpy(nb + p->banner_len, s, len);
	p->banner_len += len;
	nb[p->banner_len] = '\0';
	p->banner = nb;
}

static void banner_done(struct cfg_parser *p, const char *after)
{
	size_t start = 0, end = p->banner_len;
	struct cfg_group *g;

	p->in_banner = false;
	while (*after && is_ws(*after))
		after++;
	if (*after)
		cfg_error(p, p->lineno, "text after the closing banner delimiter '%s'", p->delim);
	if (p->banner_group == SIZE_MAX)
		goto out;
	while (start < end && is_ws(p->banner[start]))
		start++;
	while (end > start && is_ws(p->banner[end - 1]))
		end--;
	if (end - start > BANNER_MAX) {
		cfg_error(p, p->banner_line, "the banner is longer than %zu characters",
		          BANNER_MAX);
		goto out;
	}
	g = &p->cfg->groups.v[p->banner_group];
	free(g->banner);
	g->banner = malloc(end - start + 1);
	if (!g->banner) {
		cfg_nomem(p);
		goto out;
	}
	memcpy(g->banner, p->banner + start, end - start);
	g->banner[end - start] = '\0';
out:
	free(p->banner);
	p->banner = NULL;
	p->banner_len = 0;
}

/* Looks for the delimiter in s: appends the text before it and closes the banner. */
static void banner_scan(struct cfg_parser *p, const char *s, bool first)
{
	const char *end = strstr(s, p->delim);

	if (end) {
		banner_append(p, s, (size_t)(end - s));
		banner_done(p, end + strlen(p->delim));
		return;
	}
	if (!first || *s)
		banner_append(p, s, strlen(s));
	banner_append(p, "\n", 1);
}

void cfg_banner_start(struct cfg_parser *p, const char *text, size_t group)
{
	while (*text && is_ws(*text))
		text++;
	if (!*text) {
		if (group != SIZE_MAX)
			cfg_error(
			    p, p->lineno,
			    "a banner needs a delimiter and text, as in 'banner c Welcome c'");
		return;
	}
	if (text[0] == '^' && (text[1] == 'C' || text[1] == 'c')) {
		memcpy(p->delim, text, 2);
		p->delim[2] = '\0';
	} else {
		p->delim[0] = text[0];
		p->delim[1] = '\0';
	}
	free(p->banner);
	p->banner = NULL;
	p->banner_len = 0;
	p->banner_group = group;
	p->banner_line = p->lineno;
	p->in_banner = true;
	banner_scan(p, text + strlen(p->delim), true);
}

void cfg_banner_line(struct cfg_parser *p, const char *raw)
{
	banner_scan(p, raw, false);
}

void cfg_banner_eof(struct cfg_parser *p)
{
	if (p->banner_group != SIZE_MAX)
		cfg_error(p, p->banner_line,
		          "the banner is not closed by its delimiter '%s' before the end of the "
		          "file",
		          p->delim);
	p->in_banner = false;
}
