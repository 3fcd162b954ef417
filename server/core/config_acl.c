/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IP access lists: `access-list NUMBER ...` and `ip access-list standard|extended NAME` with
 * its entries. evs uses them for split tunnelling only (the group's `acl`), so entries must
 * describe whole networks: protocol `ip` and contiguous IOS wildcards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])
#define ACL_SEQ_MAX 2147483647ul

/* The kind of a numbered list, false when the number is not an IPv4 access list. */
static bool number_kind(unsigned long n, bool *standard)
{
	if ((n >= 1 && n <= 99) || (n >= 1300 && n <= 1999)) {
		*standard = true;
		return true;
	}
	if ((n >= 100 && n <= 199) || (n >= 2000 && n <= 2699)) {
		*standard = false;
		return true;
	}
	return false;
}

static struct cfg_acl *acl_get(struct cfg_parser *p, const char *name, bool standard)
{
	struct cfg_acl *a = cfg_find_acl(p->cfg, name);

	if (a) {
		if (a->standard != standard) {
			cfg_error(p, p->lineno, "access-list %s is %s (line %u), not %s", name,
			          a->standard ? "standard" : "extended", a->line,
			          standard ? "standard" : "extended");
			return NULL;
		}
		return a;
	}
	if (!cfg_name_ok(p, "access-list", name))
		return NULL;
	a = CFG_PUSH(p->cfg->acls);
	if (!a)
		return cfg_nomem(p);
	a->name = cfg_strdup(p, name);
	a->standard = standard;
	a->line = p->lineno;
	return a;
}

/* `any`, `host A` or `A WILDCARD` (standard lists: `A` alone is a host) at tk[*i]. */
static bool parse_addr(struct cfg_parser *p, const struct cfg_toks *tk, size_t *i,
                       bool wildcard_optional, struct evc_net *net)
{
	uint32_t a, w = 0;

	if (*i >= N(tk)) {
		cfg_error(p, p->lineno, "an address ('any', 'host A' or 'A WILDCARD') is missing");
		return false;
	}
	if (cfg_kw(T(tk, *i), "any")) {
		net->addr = 0;
		net->mask = 0;
		(*i)++;
		return true;
	}
	if (cfg_kw(T(tk, *i), "host")) {
		if (*i + 1 >= N(tk) || !cfg_parse_ipv4(T(tk, *i + 1), &a)) {
			cfg_error(p, p->lineno, "'host' must be followed by an IPv4 address");
			return false;
		}
		net->addr = a;
		net->mask = 0xffffffffu;
		*i += 2;
		return true;
	}
	if (!cfg_parse_ipv4(T(tk, *i), &a)) {
		cfg_error(p, p->lineno, "'%s' is not an IPv4 address, 'any' or 'host'", T(tk, *i));
		return false;
	}
	(*i)++;
	if (*i < N(tk) && cfg_parse_ipv4(T(tk, *i), &w)) {
		(*i)++;
	} else if (!wildcard_optional) {
		cfg_error(p, p->lineno, "the wildcard mask after %s is missing (e.g. 0.0.0.255)",
		          T(tk, *i - 1));
		return false;
	}
	if (!cfg_wildcard_to_mask(w, &net->mask)) {
		char ws[16];

		cfg_fmt_ipv4(w, ws);
		cfg_error(
		    p, p->lineno,
		    "wildcard %s is not contiguous; evs turns permit entries into split-tunnel "
		    "networks, which need a netmask (use e.g. 0.0.0.255)",
		    ws);
		return false;
	}
	if (a & ~net->mask) {
		char as[16], ns[16];

		cfg_fmt_ipv4(a & net->mask, ns);
		cfg_fmt_ipv4(a, as);
		cfg_warn(p, p->lineno, "%s has host bits outside the wildcard; %s is used", as, ns);
	}
	net->addr = a & net->mask;
	return true;
}

static bool insert_ace(struct cfg_parser *p, struct cfg_acl *a, const struct cfg_ace *e)
{
	struct cfg_ace *slot;
	size_t pos = a->n;

	for (size_t k = 0; k < a->n; k++) {
		if (a->v[k].seq == e->seq) {
			cfg_error(p, p->lineno, "sequence number %u is already used on line %u",
			          (unsigned)e->seq, a->v[k].line);
			return false;
		}
		if (a->v[k].seq > e->seq && pos == a->n)
			pos = k;
	}
	slot = cfg_vec_push(&a->v, &a->n, &a->cap, sizeof(*a->v));
	if (!slot) {
		cfg_nomem(p);
		return false;
	}
	memmove(&a->v[pos + 1], &a->v[pos], (a->n - 1 - pos) * sizeof(*a->v));
	a->v[pos] = *e;
	return true;
}

/* `permit|deny ...` starting at tk[i]; seq 0 means "after the last entry". */
static void parse_ace(struct cfg_parser *p, const struct cfg_toks *tk, size_t i, struct cfg_acl *a,
                      uint32_t seq)
{
	struct cfg_ace e = {.seq = seq, .line = p->lineno};

	e.permit = cfg_kw(T(tk, i), "permit");
	if (!e.permit && !cfg_kw(T(tk, i), "deny")) {
		cfg_error(p, p->lineno, "expected 'permit', 'deny' or 'remark', not '%s'",
		          T(tk, i));
		return;
	}
	i++;
	if (!a->standard) {
		if (i >= N(tk)) {
			cfg_usage(p, "permit ip SOURCE WILDCARD DESTINATION WILDCARD");
			return;
		}
		if (!cfg_kw(T(tk, i), "ip")) {
			cfg_error(p, p->lineno,
			          "only 'ip' entries are supported by evs (split tunnelling covers "
			          "whole networks), not '%s'",
			          T(tk, i));
			return;
		}
		i++;
	}
	if (!parse_addr(p, tk, &i, a->standard, &e.src))
		return;
	if (!a->standard && !parse_addr(p, tk, &i, false, &e.dst))
		return;
	for (; i < N(tk); i++) {
		if (cfg_kw(T(tk, i), "log") || cfg_kw(T(tk, i), "log-input")) {
			cfg_warn(p, p->lineno, "evs does not log access-list matches; '%s' ignored",
			         T(tk, i));
			continue;
		}
		cfg_error(p, p->lineno, "unexpected '%s' in an access-list entry", T(tk, i));
		return;
	}
	if (!e.seq)
		e.seq = a->n ? a->v[a->n - 1].seq + 10 : 10;
	if (e.seq > ACL_SEQ_MAX) {
		cfg_error(p, p->lineno, "the access list has run out of sequence numbers");
		return;
	}
	insert_ace(p, a, &e);
}

void cfg_cmd_access_list(struct cfg_parser *p, struct cfg_toks *tk)
{
	unsigned long num;
	bool standard;
	struct cfg_acl *a;
	char name[16];

	if (N(tk) < 3) {
		cfg_usage(p, "access-list NUMBER {permit | deny | remark} ...");
		return;
	}
	if (!cfg_parse_uint(T(tk, 1), 1, 2699, &num) || !number_kind(num, &standard)) {
		cfg_error(p, p->lineno,
		          "'%s' is not an IP access-list number (1-99 and 1300-1999 standard, "
		          "100-199 and 2000-2699 extended)",
		          T(tk, 1));
		return;
	}
	snprintf(name, sizeof(name), "%lu", num);
	a = acl_get(p, name, standard);
	if (!a || cfg_kw(T(tk, 2), "remark"))
		return;
	parse_ace(p, tk, 2, a, 0);
}

void cfg_cmd_ip_access_list(struct cfg_parser *p, struct cfg_toks *tk)
{
	unsigned long num;
	bool standard, numbered_std;
	struct cfg_acl *a;

	if (N(tk) != 4 || !(cfg_kw(T(tk, 2), "standard") || cfg_kw(T(tk, 2), "extended"))) {
		cfg_usage(p, "ip access-list {standard | extended} NAME");
		return;
	}
	standard = cfg_kw(T(tk, 2), "standard");
	if (cfg_parse_uint(T(tk, 3), 0, ACL_SEQ_MAX, &num) &&
	    (!number_kind(num, &numbered_std) || numbered_std != standard)) {
		cfg_error(p, p->lineno, "%s is not a valid number for %s access list", T(tk, 3),
		          standard ? "a standard" : "an extended");
		return;
	}
	a = acl_get(p, T(tk, 3), standard);
	if (!a)
		return;
	cfg_open_mode(p, CFG_MODE_ACL, (size_t)(a - p->cfg->acls.v));
}

void cfg_cmd_acl(struct cfg_parser *p, struct cfg_toks *tk)
{
	struct cfg_acl *a = &p->cfg->acls.v[p->mode_idx];
	unsigned long seq = 0;
	size_t i = 0;

	if (T(tk, 0)[0] >= '0' && T(tk, 0)[0] <= '9') {
		if (!cfg_parse_uint(T(tk, 0), 1, ACL_SEQ_MAX, &seq) || N(tk) < 2) {
			cfg_usage(p, "[SEQUENCE] {permit | deny} ...");
			return;
		}
		i = 1;
	}
	if (cfg_kw(T(tk, i), "remark"))
		return;
	parse_ace(p, tk, i, a, (uint32_t)seq);
}
