/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Global commands of the configuration: dispatch, AAA and users (`aaa`, `username`),
 * address pools, interfaces. The crypto commands live in config_crypto.c, group policies in
 * config_group.c, access lists in config_acl.c, sub-modes and what evs refuses in
 * config_mode.c.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/secret.h"
#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])

/* ---- aaa, username ---- */

/* One method word (two for `group radius`) at tk[*i]; false after reporting what is wrong. */
static bool aaa_method(struct cfg_parser *p, const struct cfg_toks *tk, size_t *i,
                       enum cfg_aaa_kind k, enum cfg_aaa_method *m)
{
	const char *w = T(tk, *i);

	if (cfg_kw(w, "group")) {
		if (*i + 1 >= N(tk)) {
			cfg_error(p, p->lineno, "'group' needs a server group: 'group radius'");
			return false;
		}
		w = T(tk, ++*i);
		if (cfg_kw(w, "radius")) {
			*m = CFG_M_RADIUS;
			return true;
		}
		if (cfg_kw(w, "tacacs+") || cfg_kw(w, "tacacs")) {
			cfg_error(
			    p, p->lineno,
			    "method 'group %s': TACACS+ is not supported by evs (Debian 12 has "
			    "no TACACS+ server to test it against); use 'group radius' or "
			    "'local'",
			    w);
			return false;
		}
		cfg_error(p, p->lineno,
		          "method 'group %s': AAA server groups are not supported by evs; use "
		          "'group radius' (every RADIUS server in order) or 'local'",
		          w);
		return false;
	}
	if (cfg_kw(w, "local")) {
		*m = CFG_M_LOCAL;
		return true;
	}
	if (k == CFG_AAA_AUTHEN && cfg_kw(w, "local-case")) {
		*m = CFG_M_LOCAL_CASE;
		return true;
	}
	cfg_error(p, p->lineno,
	          "method '%s' is not supported by evs; use 'group radius' and/or 'local'%s", w,
	          k == CFG_AAA_AUTHEN ? " (or 'local-case')" : "");
	return false;
}

/*
 * `aaa authentication login LIST METHOD...` / `aaa authorization network LIST METHOD...`.
 * As in IOS, a later method is tried only when the one before gives no answer (a RADIUS
 * server that is down), never when it refuses. The local database answers every user, so
 * it can only come last.
 */
static void cmd_aaa_list(struct cfg_parser *p, const struct cfg_toks *tk, enum cfg_aaa_kind k)
{
	const char *syntax =
	    k == CFG_AAA_AUTHEN ? "aaa authentication login LIST {group radius|local|local-case}..."
	                        : "aaa authorization network LIST {group radius|local}...";
	enum cfg_aaa_method m[CFG_AAA_MAX_METHODS];
	size_t n = 0;
	struct cfg_aaa_list *l;

	if (N(tk) < 5) {
		cfg_usage(p, syntax);
		return;
	}
	if (!p->cfg->aaa_new_model_line) {
		cfg_error(p, p->lineno,
		          "'aaa new-model' must come before aaa authentication and authorization "
		          "commands (IOS rejects them without it)");
		return;
	}
	size_t prev = 0;
	for (size_t i = 4; i < N(tk); i++) {
		size_t at = i;
		if (n == CFG_AAA_MAX_METHODS) {
			cfg_error(p, p->lineno, "more than %d methods", CFG_AAA_MAX_METHODS);
			return;
		}
		if (!aaa_method(p, tk, &i, k, &m[n]))
			return;
		for (size_t j = 0; j < n; j++) {
			if ((m[j] == CFG_M_RADIUS) == (m[n] == CFG_M_RADIUS)) {
				cfg_error(p, p->lineno, "method '%s' is listed twice", T(tk, i));
				return;
			}
		}
		if (n && m[n - 1] != CFG_M_RADIUS) {
			cfg_error(p, p->lineno,
			          "'%s%s%s' after '%s' would never be tried: the local database "
			          "answers every user (a refusal is final); put 'local' last",
			          T(tk, at), at != i ? " " : "", at != i ? T(tk, i) : "",
			          T(tk, prev));
			return;
		}
		prev = at;
		n++;
	}
	if (!cfg_name_ok(p, "list", T(tk, 3)))
		return;
	l = cfg_find_aaa(p->cfg, k, T(tk, 3));
	if (!l) {
		l = CFG_PUSH(p->cfg->aaa);
		if (!l) {
			cfg_nomem(p);
			return;
		}
		l->kind = k;
		l->name = cfg_strdup(p, T(tk, 3));
	}
	memcpy(l->m, m, n * sizeof(m[0]));
	l->n_m = n;
	l->local_case = false;
	for (size_t j = 0; j < n; j++)
		l->local_case |= m[j] == CFG_M_LOCAL_CASE;
	l->line = p->lineno;
}

static void cmd_aaa(struct cfg_parser *p, const struct cfg_toks *tk)
{
	if (N(tk) == 2 && cfg_kw(T(tk, 1), "new-model")) {
		if (!p->cfg->aaa_new_model_line)
			p->cfg->aaa_new_model_line = p->lineno;
		return;
	}
	if (N(tk) >= 2 && cfg_kw(T(tk, 1), "authentication")) {
		if (N(tk) >= 3 && cfg_kw(T(tk, 2), "login"))
			cmd_aaa_list(p, tk, CFG_AAA_AUTHEN);
		else
			cfg_error(p, p->lineno,
			          "only 'aaa authentication login' (XAUTH) is supported by evs");
		return;
	}
	if (N(tk) >= 2 && cfg_kw(T(tk, 1), "authorization")) {
		if (N(tk) >= 3 && cfg_kw(T(tk, 2), "network"))
			cmd_aaa_list(p, tk, CFG_AAA_AUTHOR);
		else
			cfg_error(p, p->lineno,
			          "only 'aaa authorization network' is supported by evs");
		return;
	}
	cfg_unknown_global(p, tk);
}

static void cmd_username(struct cfg_parser *p, const struct cfg_toks *tk)
{
	static const char syntax[] = "username NAME secret [0] PASSWORD";
	char pw[CFG_PASSWORD_MAX + 2];
	struct cfg_user *u = NULL;
	size_t i = 2, len;
	bool secret;

	if (N(tk) == 3 && cfg_kw(T(tk, 2), "nopassword")) {
		cfg_error(p, p->lineno,
		          "users without a password cannot pass XAUTH; give '%s' a secret",
		          T(tk, 1));
		return;
	}
	if (N(tk) < 4) {
		cfg_usage(p, syntax);
		return;
	}
	if (!cfg_name_ok(p, "user", T(tk, 1)))
		return;
	if (cfg_kw(T(tk, 2), "privilege")) {
		unsigned long lvl;

		if (N(tk) < 6 || !cfg_parse_uint(T(tk, 3), 0, 15, &lvl)) {
			cfg_usage(p, "username NAME privilege <0-15> secret [0] PASSWORD");
			return;
		}
		cfg_warn(p, p->lineno, "privilege levels do not apply to VPN users; ignored");
		i = 4;
	}

	secret = cfg_kw(T(tk, i), "secret");
	if (!secret && !cfg_kw(T(tk, i), "password")) {
		cfg_usage(p, syntax);
		return;
	}
	i++;
	if (i + 1 < N(tk) && strlen(T(tk, i)) == 1 && T(tk, i)[0] >= '0' && T(tk, i)[0] <= '9') {
		if (T(tk, i)[0] != '0') {
			cfg_error(p, p->lineno,
			          "encrypted %s type %s cannot be checked by evs (XAUTH needs the "
			          "password itself); write it as '%s 0 PASSWORD'",
			          secret ? "secret" : "password", T(tk, i),
			          secret ? "secret" : "password");
			return;
		}
		i++;
	}
	if (i >= N(tk)) {
		cfg_usage(p, syntax);
		return;
	}
	/* IOS takes one word for secret and the rest of the line for password */
	if (secret && i + 1 != N(tk)) {
		cfg_error(p, p->lineno,
		          "a secret is one word; use 'password 0' for a password with spaces");
		return;
	}
	if (!cfg_rest(tk, i, pw, sizeof(pw)) || (len = strlen(pw)) > CFG_PASSWORD_MAX) {
		cfg_error(p, p->lineno, "the password is longer than %d characters",
		          CFG_PASSWORD_MAX);
		goto out;
	}
	for (size_t k = 0; k < p->cfg->users.n; k++) {
		if (strcmp(p->cfg->users.v[k].name, T(tk, 1)) == 0) {
			u = &p->cfg->users.v[k];
			cfg_warn(p, p->lineno, "replaces user '%s' of line %u", u->name, u->line);
			break;
		}
	}
	if (!u) {
		u = CFG_PUSH(p->cfg->users);
		if (!u) {
			cfg_nomem(p);
			goto out;
		}
		u->name = cfg_strdup(p, T(tk, 1));
	}
	memset(u->pw, 0, sizeof(u->pw));
	memcpy(u->pw, pw, len);
	u->pw_len = len;
	u->line = p->lineno;
out:
	mem_wipe(pw, sizeof(pw));
}

static void cmd_ip_local_pool(struct cfg_parser *p, const struct cfg_toks *tk)
{
	static const char syntax[] = "ip local pool NAME FIRST-ADDRESS [LAST-ADDRESS]";
	uint32_t first, last;
	struct cfg_pool *pl;

	if (N(tk) < 5 || N(tk) > 6) {
		cfg_usage(p, syntax);
		return;
	}
	if (!cfg_name_ok(p, "pool", T(tk, 3)))
		return;
	if (!cfg_parse_ipv4(T(tk, 4), &first)) {
		cfg_error(p, p->lineno, "'%s' is not an IPv4 address", T(tk, 4));
		return;
	}
	last = first;
	if (N(tk) == 6 && !cfg_parse_ipv4(T(tk, 5), &last)) {
		cfg_error(p, p->lineno, "'%s' is not an IPv4 address", T(tk, 5));
		return;
	}
	if (last < first) {
		cfg_error(p, p->lineno, "the pool ends (%s) before it starts (%s)", T(tk, 5),
		          T(tk, 4));
		return;
	}
	if (last - first >= CFG_POOL_MAX_ADDRS) {
		cfg_error(p, p->lineno, "the pool has %lu addresses; evs allows at most %d",
		          (unsigned long)(last - first) + 1, CFG_POOL_MAX_ADDRS);
		return;
	}
	pl = cfg_find_pool(p->cfg, T(tk, 3));
	if (pl) {
		cfg_error(p, p->lineno,
		          "pool '%s' is already defined on line %u; evs supports one range per "
		          "pool",
		          pl->name, pl->line);
		return;
	}
	pl = CFG_PUSH(p->cfg->pools);
	if (!pl) {
		cfg_nomem(p);
		return;
	}
	pl->name = cfg_strdup(p, T(tk, 3));
	pl->first = first;
	pl->last = last;
	pl->line = p->lineno;
}

/* ---- Interfaces ---- */

static void cmd_interface(struct cfg_parser *p, const struct cfg_toks *tk)
{
	char name[CFG_NAME_MAX + 1];
	size_t len = 0, i;
	struct cfg_iface *f = NULL;

	if (N(tk) < 2) {
		cfg_usage(p, "interface NAME");
		return;
	}
	/* IOS accepts "interface FastEthernet 0/0" for FastEthernet0/0 */
	for (i = 1; i < N(tk); i++) {
		size_t l = strlen(T(tk, i));

		if (len + l > CFG_NAME_MAX) {
			cfg_error(p, p->lineno, "interface name is longer than %d characters",
			          CFG_NAME_MAX);
			return;
		}
		memcpy(name + len, T(tk, i), l);
		len += l;
	}
	name[len] = '\0';
	for (i = 0; i < p->cfg->ifaces.n; i++) {
		if (strcmp(p->cfg->ifaces.v[i].name, name) == 0) {
			f = &p->cfg->ifaces.v[i];
			break;
		}
	}
	if (!f) {
		f = CFG_PUSH(p->cfg->ifaces);
		if (!f) {
			cfg_nomem(p);
			return;
		}
		i = p->cfg->ifaces.n - 1;
		f->name = cfg_strdup(p, name);
		f->line = p->lineno;
	}
	cfg_open_mode(p, CFG_MODE_IFACE, i);
}

static void iface_ip(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_iface *f)
{
	uint32_t a, m;

	if (N(tk) < 3 || !cfg_kw(T(tk, 1), "address")) {
		cfg_error(p, p->lineno, "'ip %s' is not supported by evs on an interface",
		          N(tk) > 1 ? T(tk, 1) : "");
		return;
	}
	if (cfg_kw(T(tk, 2), "dhcp") || cfg_kw(T(tk, 2), "negotiated")) {
		cfg_error(p, p->lineno,
		          "evs needs a fixed address to listen on; write 'ip address ADDRESS "
		          "MASK'");
		return;
	}
	if (N(tk) == 5 && cfg_kw(T(tk, 4), "secondary")) {
		cfg_error(p, p->lineno, "secondary addresses are not supported by evs");
		return;
	}
	if (N(tk) != 4) {
		cfg_usage(p, "ip address ADDRESS MASK");
		return;
	}
	if (!cfg_parse_ipv4(T(tk, 2), &a)) {
		cfg_error(p, p->lineno, "'%s' is not an IPv4 address", T(tk, 2));
		return;
	}
	if (!cfg_parse_netmask(T(tk, 3), &m)) {
		cfg_error(p, p->lineno, "'%s' is not a netmask such as 255.255.255.0", T(tk, 3));
		return;
	}
	f->addr = a;
	f->mask = m;
	f->have_addr = true;
}

void cfg_cmd_iface(struct cfg_parser *p, struct cfg_toks *tk)
{
	struct cfg_iface *f = &p->cfg->ifaces.v[p->mode_idx];
	const char *c = T(tk, 0);

	if (cfg_kw(c, "ip")) {
		iface_ip(p, tk, f);
	} else if (cfg_kw(c, "crypto")) {
		if (N(tk) != 3 || !cfg_kw(T(tk, 1), "map")) {
			cfg_usage(p, "crypto map NAME");
			return;
		}
		if (cfg_set_str(p, &f->cmap, T(tk, 2)))
			f->cmap_line = p->lineno;
	} else if (cfg_kw(c, "no") && N(tk) == 3 && cfg_kw(T(tk, 1), "ip") &&
	           cfg_kw(T(tk, 2), "address")) {
		f->have_addr = false;
	} else if (cfg_kw(c, "no") && N(tk) == 2 && cfg_kw(T(tk, 1), "shutdown")) {
		f->shutdown = false;
	} else if (cfg_kw(c, "shutdown") && N(tk) == 1) {
		f->shutdown = true;
	} else if (cfg_kw(c, "description")) {
		return;
	} else if (cfg_kw(c, "duplex") || cfg_kw(c, "speed") || cfg_kw(c, "media-type") ||
	           cfg_kw(c, "negotiation")) {
		cfg_warn(p, p->lineno, "link settings are left to the host; ignored");
	} else {
		cfg_error(p, p->lineno, "'%s' is not supported by evs on an interface", c);
	}
}

/* ---- Dispatch ---- */

static void cmd_banner_global(struct cfg_parser *p, const struct cfg_toks *tk)
{
	static const char *const kinds[] = {"motd", "login", "exec", "incoming", "slip-ppp", NULL};
	size_t skip = 0;

	cfg_error(p, p->lineno,
	          "router banners are not supported by evs; give the group a 'banner' to show "
	          "it to VPN users");
	if (N(tk) < 2)
		return;
	for (const char *const *k = kinds; *k; k++)
		if (cfg_kw(T(tk, 1), *k))
			skip = 1;
	/* swallow the banner body so that its lines are not read as commands */
	cfg_banner_start(p, tk->raw + (T(tk, skip) - tk->base) + strlen(T(tk, skip)), SIZE_MAX);
}

void cfg_cmd_global(struct cfg_parser *p, struct cfg_toks *tk)
{
	const char *c = T(tk, 0);

	if (cfg_kw(c, "aaa")) {
		cmd_aaa(p, tk);
	} else if (cfg_kw(c, "username")) {
		cmd_username(p, tk);
	} else if (cfg_kw(c, "radius-server")) {
		cfg_cmd_radius_server(p, tk);
	} else if (cfg_kw(c, "radius") && N(tk) >= 2 && cfg_kw(T(tk, 1), "server")) {
		cfg_cmd_radius_open(p, tk);
	} else if (cfg_kw(c, "ip") && N(tk) >= 3 && cfg_kw(T(tk, 1), "local") &&
	           cfg_kw(T(tk, 2), "pool")) {
		cmd_ip_local_pool(p, tk);
	} else if (cfg_kw(c, "ip") && N(tk) >= 2 && cfg_kw(T(tk, 1), "access-list")) {
		cfg_cmd_ip_access_list(p, tk);
	} else if (cfg_kw(c, "access-list")) {
		cfg_cmd_access_list(p, tk);
	} else if (cfg_kw(c, "crypto")) {
		cfg_cmd_crypto(p, tk);
	} else if (cfg_kw(c, "no") && N(tk) >= 4 && cfg_kw(T(tk, 1), "crypto") &&
	           cfg_kw(T(tk, 2), "ipsec") && cfg_kw(T(tk, 3), "nat-transparency")) {
		struct cfg_toks rest = *tk; /* the command without its "no" */
		rest.n--;
		memmove(rest.t, rest.t + 1, rest.n * sizeof(rest.t[0]));
		cfg_cmd_nat_transparency(p, &rest, 3, false);
	} else if (cfg_kw(c, "interface")) {
		cmd_interface(p, tk);
	} else if (cfg_kw(c, "hostname")) {
		if (N(tk) != 2)
			cfg_usage(p, "hostname NAME");
		else
			cfg_warn(p, p->lineno,
			         "evs does not use 'hostname' (it names the router in IOS "
			         "prompts); ignored");
	} else if (cfg_kw(c, "banner")) {
		cmd_banner_global(p, tk);
	} else {
		cfg_unknown_global(p, tk);
	}
}
