/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small helpers of the configuration parser: vectors, strings, numbers, addresses, lookups. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/core/config_int.h"

bool cfg_kw(const char *tok, const char *kw)
{
	return tok && strcasecmp(tok, kw) == 0;
}

/*
 * vecp points at a `T *` member; the pointer is read and written through memcpy so that
 * one helper serves every element type without type-punned pointer access.
 */
void *cfg_vec_push(void *vecp, size_t *n, size_t *cap, size_t elem)
{
	void *v;

	memcpy(&v, vecp, sizeof(v));
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		void *nv;

		if (nc > SIZE_MAX / elem)
			return NULL;
		nv = realloc(v, nc * elem);
		if (!nv)
			return NULL;
		v = nv;
		*cap = nc;
		memcpy(vecp, &v, sizeof(v));
	}
	v = (char *)v + *n * elem;
	memset(v, 0, elem);
	(*n)++;
	return v;
}

char *cfg_strdup(struct cfg_parser *p, const char *s)
{
	char *d = strdup(s);

	if (!d)
		return cfg_nomem(p);
	return d;
}

bool cfg_set_str(struct cfg_parser *p, char **dst, const char *s)
{
	char *d = cfg_strdup(p, s);

	if (!d)
		return false;
	free(*dst);
	*dst = d;
	return true;
}

bool cfg_strv_push(struct cfg_parser *p, struct cfg_strv *sv, const char *s)
{
	char **slot;
	char *d = cfg_strdup(p, s);

	if (!d)
		return false;
	slot = cfg_vec_push(&sv->v, &sv->n, &sv->cap, sizeof(*sv->v));
	if (!slot) {
		free(d);
		cfg_nomem(p);
		return false;
	}
	*slot = d;
	return true;
}

void cfg_strv_free(struct cfg_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

bool cfg_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		unsigned long d = (unsigned long)(*s - '0');

		if (v > (ULONG_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool cfg_parse_ipv4(const char *s, uint32_t *addr)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s - '0');
			s++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return false;
		a = a << 8 | v;
		if (i < 3 && *s++ != '.')
			return false;
	}
	if (*s)
		return false;
	*addr = a;
	return true;
}

bool cfg_wildcard_to_mask(uint32_t wildcard, uint32_t *mask)
{
	/* contiguous wildcards are 2^k - 1: adding one leaves no bit in common */
	if ((wildcard & (wildcard + 1)) != 0)
		return false;
	*mask = ~wildcard;
	return true;
}

bool cfg_parse_netmask(const char *s, uint32_t *mask)
{
	uint32_t m;

	if (!cfg_parse_ipv4(s, &m))
		return false;
	if (!cfg_wildcard_to_mask(~m, mask))
		return false;
	return true;
}

void cfg_fmt_ipv4(uint32_t a, char out[16])
{
	snprintf(out, 16, "%u.%u.%u.%u", (unsigned)(a >> 24), (unsigned)(a >> 16 & 0xff),
	         (unsigned)(a >> 8 & 0xff), (unsigned)(a & 0xff));
}

struct cfg_group *cfg_find_group(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->groups.n; i++)
		if (strcmp(c->groups.v[i].name, name) == 0)
			return &c->groups.v[i];
	return NULL;
}

struct cfg_pool *cfg_find_pool(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->pools.n; i++)
		if (strcmp(c->pools.v[i].name, name) == 0)
			return &c->pools.v[i];
	return NULL;
}

struct cfg_acl *cfg_find_acl(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->acls.n; i++)
		if (strcmp(c->acls.v[i].name, name) == 0)
			return &c->acls.v[i];
	return NULL;
}

struct cfg_tset *cfg_find_tset(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->tsets.n; i++)
		if (strcmp(c->tsets.v[i].name, name) == 0)
			return &c->tsets.v[i];
	return NULL;
}

struct cfg_aaa_list *cfg_find_aaa(const struct evs_config *c, enum cfg_aaa_kind k, const char *name)
{
	for (size_t i = 0; i < c->aaa.n; i++)
		if (c->aaa.v[i].kind == k && strcmp(c->aaa.v[i].name, name) == 0)
			return &c->aaa.v[i];
	return NULL;
}

struct cfg_cmap *cfg_find_cmap(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->cmaps.n; i++)
		if (strcmp(c->cmaps.v[i].name, name) == 0)
			return &c->cmaps.v[i];
	return NULL;
}

bool cfg_dmap_exists(const struct evs_config *c, const char *name)
{
	for (size_t i = 0; i < c->dmaps.n; i++)
		if (strcmp(c->dmaps.v[i].name, name) == 0)
			return true;
	return false;
}

bool cfg_name_ok(struct cfg_parser *p, const char *what, const char *name)
{
	if (strlen(name) > CFG_NAME_MAX) {
		cfg_error(p, p->lineno, "%s name is longer than %d characters", what, CFG_NAME_MAX);
		return false;
	}
	return true;
}

void cfg_usage(struct cfg_parser *p, const char *syntax)
{
	cfg_error(p, p->lineno, "malformed command; the syntax is '%s'", syntax);
}

bool cfg_rest(const struct cfg_toks *tk, size_t i, char *out, size_t outlen)
{
	const char *s = tk->raw + (tk->t[i] - tk->base);
	size_t len = strlen(s);

	while (len && cfg_is_blank(s[len - 1]))
		len--;
	if (len >= outlen)
		return false;
	memcpy(out, s, len);
	out[len] = '\0';
	return true;
}
