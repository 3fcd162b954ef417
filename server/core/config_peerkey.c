/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `crypto isakmp key KEY address A.B.C.D [MASK]`: the pre-shared key of main mode (RFC 2409
 * 5.4), where the key must be chosen from the client's address before any identity arrives.
 *
 * The group: IOS takes a main-mode EasyVPN client's group from an isakmp profile, which evs
 * does not have. evs gives such a client the `crypto isakmp client configuration group` whose
 * `key` is the same as the address key; the load fails when no group or more than one group
 * has it, so the choice is never a guess.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/secret.h"
#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])
#define PEERKEY_MAX 128 /* as a group key */

static const char syntax[] = "crypto isakmp key [0] KEY address A.B.C.D [MASK]";

static bool parse_where(struct cfg_parser *p, const struct cfg_toks *tk, size_t i, uint32_t *addr,
                        uint32_t *mask)
{
	if (i < N(tk) && (cfg_kw(T(tk, i), "hostname") || cfg_kw(T(tk, i), "ipv6"))) {
		cfg_error(p, p->lineno,
		          "'crypto isakmp key ... %s' is not supported by evs; give the client's "
		          "IPv4 address with 'address A.B.C.D [MASK]'",
		          T(tk, i));
		return false;
	}
	if (i + 1 >= N(tk) || !cfg_kw(T(tk, i), "address")) {
		cfg_usage(p, syntax);
		return false;
	}
	if (!cfg_parse_ipv4(T(tk, i + 1), addr)) {
		cfg_error(p, p->lineno, "'%s' is not an IPv4 address", T(tk, i + 1));
		return false;
	}
	*mask = 0xffffffffu;
	i += 2;
	if (i < N(tk) && cfg_kw(T(tk, i), "no-xauth")) {
		cfg_error(p, p->lineno,
		          "'no-xauth' is not supported by evs: every client authenticates its user "
		          "with XAUTH");
		return false;
	}
	if (i < N(tk) && !cfg_parse_netmask(T(tk, i), mask)) {
		cfg_error(p, p->lineno, "'%s' is not a netmask such as 255.255.255.0", T(tk, i));
		return false;
	}
	if (i < N(tk))
		i++;
	if (i < N(tk) && cfg_kw(T(tk, i), "no-xauth")) {
		cfg_error(p, p->lineno,
		          "'no-xauth' is not supported by evs: every client authenticates its user "
		          "with XAUTH");
		return false;
	}
	if (i < N(tk)) {
		cfg_usage(p, syntax);
		return false;
	}
	if (*addr & ~*mask) {
		cfg_error(p, p->lineno, "the address has bits outside its mask");
		return false;
	}
	return true;
}

void cfg_cmd_isakmp_key(struct cfg_parser *p, const struct cfg_toks *tk)
{
	size_t k = 3; /* the key's token */
	uint32_t addr, mask;
	struct cfg_peerkey *pk;
	size_t len;

	if (N(tk) >= 5 && cfg_kw(T(tk, 3), "6") && !cfg_kw(T(tk, 4), "address")) {
		cfg_error(p, p->lineno,
		          "encrypted key type 6 cannot be read by evs; give the key in clear");
		return;
	}
	if (N(tk) >= 5 && cfg_kw(T(tk, 3), "0") && !cfg_kw(T(tk, 4), "address"))
		k = 4;
	if (N(tk) <= k + 1 || !parse_where(p, tk, k + 1, &addr, &mask)) {
		if (N(tk) <= k + 1)
			cfg_usage(p, syntax);
		return;
	}
	len = strlen(T(tk, k));
	if (len > PEERKEY_MAX) {
		cfg_error(p, p->lineno, "the key is longer than %d characters", PEERKEY_MAX);
		return;
	}
	for (size_t i = 0; i < p->cfg->peerkeys.n; i++) {
		const struct cfg_peerkey *o = &p->cfg->peerkeys.v[i];
		if (o->addr == addr && o->mask == mask) {
			cfg_error(p, p->lineno,
			          "a key for this address and mask is already on line %u", o->line);
			return;
		}
	}
	pk = CFG_PUSH(p->cfg->peerkeys);
	if (!pk) {
		cfg_nomem(p);
		return;
	}
	pk->key = cfg_strdup(p, T(tk, k));
	if (!pk->key) {
		p->cfg->peerkeys.n--;
		return;
	}
	pk->key_len = len;
	pk->addr = addr;
	pk->mask = mask;
	pk->line = p->lineno;
	mem_wipe(T(tk, k), len); /* the token copy */
}

/* Each address key names its group: the one group with the same key. */
void cfg_check_peerkeys(struct cfg_parser *p)
{
	struct evs_config *c = p->cfg;

	for (size_t i = 0; i < c->peerkeys.n; i++) {
		struct cfg_peerkey *pk = &c->peerkeys.v[i];
		size_t found = 0;

		for (size_t g = 0; g < c->groups.n; g++) {
			const struct cfg_group *gr = &c->groups.v[g];
			if (!gr->key || gr->key_len != pk->key_len ||
			    !crypto_ct_equal(gr->key, pk->key, pk->key_len))
				continue;
			if (found++) {
				cfg_error(
				    p, pk->line,
				    "groups '%s' and '%s' both have this key, so the group of "
				    "its main-mode clients is ambiguous; give one of them "
				    "another key",
				    c->groups.v[pk->group].name, gr->name);
				break;
			}
			pk->group = g;
		}
		if (!found)
			cfg_error(p, pk->line,
			          "no 'crypto isakmp client configuration group' has this key; the "
			          "main-mode clients it admits take the group whose 'key' is the "
			          "same");
	}
}

void cfg_free_peerkeys(struct evs_config *c)
{
	for (size_t i = 0; i < c->peerkeys.n; i++) {
		mem_wipe(c->peerkeys.v[i].key, c->peerkeys.v[i].key_len);
		free(c->peerkeys.v[i].key);
	}
	free(c->peerkeys.v);
}

int evs_config_addr_psk(const struct evs_config *c, uint32_t addr, size_t *group, const char **key,
                        size_t *len)
{
	const struct cfg_peerkey *best = NULL;

	for (size_t i = 0; i < c->peerkeys.n; i++) {
		const struct cfg_peerkey *pk = &c->peerkeys.v[i];
		if ((addr & pk->mask) == pk->addr && (!best || pk->mask > best->mask))
			best = pk; /* the longest mask wins, as IOS */
	}
	if (!best)
		return -ENOENT;
	*group = best->group;
	*key = best->key;
	*len = best->key_len;
	return 0;
}
