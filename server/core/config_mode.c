/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sub-modes of the configuration: opening one, the commands each holds (for the "indent it"
 * hint), and the answer to a global command no handler took. The command handlers call it;
 * it calls only the diagnostics and the small helpers, never a handler.
 */
#include <stdbool.h>
#include <stddef.h>

#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])

/* IOS commands an EasyVPN configuration may contain that evs deliberately lacks. */
struct unsupported {
	const char *w1, *w2, *w3; /* the words that identify the command (NULL: any) */
	bool warn;                /* harmless: warn instead of failing */
	const char *why;
};

static const struct unsupported unsupported_cmds[] = {
    {"tacacs-server", NULL, NULL, false,
     "TACACS+ is not supported by evs (Debian 12 has no TACACS+ server to test it "
     "against); use RADIUS ('radius-server host') or the local 'username' database"},
    {"aaa", "group", NULL, false,
     "AAA server groups are not supported by evs; 'group radius' uses every "
     "'radius-server host' and 'radius server' in order"},
    {"aaa", "session-id", NULL, true, "'aaa session-id' has no effect in evs; ignored"},
    {"aaa", "accounting", NULL, false, "AAA accounting is not supported by evs"},
    {"crypto", "isakmp", "enable", true,
     "IKE is always enabled on the crypto map interface in evs; ignored"},
    {"crypto", "isakmp", "identity", false,
     "'crypto isakmp identity' is not supported by evs (it identifies itself by address)"},
    {"crypto", "isakmp", "profile", false, "isakmp profiles are not supported by evs"},
    {"crypto", "pki", NULL, false,
     "certificates ('crypto pki') are not supported by evs; use pre-share policies"},
    {"crypto", "ca", NULL, false,
     "certificates ('crypto ca') are not supported by evs; use pre-share policies"},
    {"crypto", "key", NULL, false,
     "RSA key generation ('crypto key') is not supported by evs; use pre-share policies"},
    {"ip", "route", NULL, false,
     "static routes are not managed by evs; reverse-route adds the routes to clients"},
    {"no", NULL, NULL, false,
     "'no' forms are not supported by evs; delete the command from the file instead"},
    {"version", NULL, NULL, true, "'version' has no effect in evs; ignored"},
    {"service", NULL, NULL, false, "'service' commands are not supported by evs"},
    {"enable", NULL, NULL, false, "'enable' passwords are not supported by evs"},
    {"line", NULL, NULL, false, "terminal lines are not supported by evs"},
    {"router", NULL, NULL, false, "routing protocols are not supported by evs"},
    {"boot-start-marker", NULL, NULL, true, "ignored"},
    {"boot-end-marker", NULL, NULL, true, "ignored"},
};

static bool match_unsupported(struct cfg_parser *p, const struct cfg_toks *tk)
{
	for (size_t i = 0; i < sizeof(unsupported_cmds) / sizeof(unsupported_cmds[0]); i++) {
		const struct unsupported *u = &unsupported_cmds[i];

		if (!cfg_kw(T(tk, 0), u->w1))
			continue;
		if (u->w2 && (N(tk) < 2 || !cfg_kw(T(tk, 1), u->w2)))
			continue;
		if (u->w3 && (N(tk) < 3 || !cfg_kw(T(tk, 2), u->w3)))
			continue;
		if (u->warn)
			cfg_warn(p, p->lineno, "%s", u->why);
		else
			cfg_error(p, p->lineno, "%s", u->why);
		return true;
	}
	return false;
}

void cfg_unknown_global(struct cfg_parser *p, const struct cfg_toks *tk)
{
	if (match_unsupported(p, tk))
		return;
	if (p->closed_mode != CFG_MODE_NONE && cfg_mode_has(p->closed_mode, T(tk, 0))) {
		cfg_error(p, p->lineno,
		          "'%s' is a command of '%s' (line %u) but is not indented below it",
		          T(tk, 0), cfg_mode_opener(p->closed_mode), p->closed_line);
		return;
	}
	cfg_error(p, p->lineno, "unknown command '%s'", T(tk, 0));
}

void cfg_open_mode(struct cfg_parser *p, enum cfg_mode m, size_t idx)
{
	p->mode = m;
	p->mode_idx = idx;
	p->mode_line = p->lineno;
	p->closed_mode = CFG_MODE_NONE;
}

static const char *const group_cmds[] = {
    "key",
    "pool",
    "domain",
    "dns",
    "wins",
    "split-dns",
    "acl",
    "include-local-lan",
    "firewall",
    "save-password",
    "banner",
    "backup-gateway",
    "pfs",
    "max-users",
    "max-logins",
    "netmask",
    "access-restrict",
    "nem",
    "ipsec-udp",
    NULL,
};
static const char *const isakmp_cmds[] = {"encryption", "hash",     "authentication",
                                          "group",      "lifetime", NULL};
static const char *const tset_cmds[] = {"mode", NULL};
static const char *const dmap_cmds[] = {"set", "reverse-route", "match", NULL};
static const char *const iface_cmds[] = {"ip", "shutdown", "description", NULL};
static const char *const acl_cmds[] = {"permit", "deny", "remark", NULL};
static const char *const radius_cmds[] = {"address", "key", "timeout", "retransmit", NULL};

bool cfg_mode_has(enum cfg_mode m, const char *kw)
{
	const char *const *v = NULL;

	switch (m) {
	case CFG_MODE_GROUP:
		v = group_cmds;
		break;
	case CFG_MODE_ISAKMP:
		v = isakmp_cmds;
		break;
	case CFG_MODE_TSET:
		v = tset_cmds;
		break;
	case CFG_MODE_DMAP:
		v = dmap_cmds;
		break;
	case CFG_MODE_IFACE:
		v = iface_cmds;
		break;
	case CFG_MODE_ACL:
		v = acl_cmds;
		break;
	case CFG_MODE_RADIUS:
		v = radius_cmds;
		break;
	case CFG_MODE_NONE:
	case CFG_MODE_SKIP:
		return false;
	}
	for (; *v; v++)
		if (cfg_kw(kw, *v))
			return true;
	return false;
}

const char *cfg_mode_opener(enum cfg_mode m)
{
	switch (m) {
	case CFG_MODE_GROUP:
		return "crypto isakmp client configuration group";
	case CFG_MODE_ISAKMP:
		return "crypto isakmp policy";
	case CFG_MODE_TSET:
		return "crypto ipsec transform-set";
	case CFG_MODE_DMAP:
		return "crypto dynamic-map";
	case CFG_MODE_IFACE:
		return "interface";
	case CFG_MODE_ACL:
		return "ip access-list";
	case CFG_MODE_RADIUS:
		return "radius server";
	case CFG_MODE_NONE:
	case CFG_MODE_SKIP:
		break;
	}
	return "";
}
