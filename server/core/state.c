/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Pools, sessions and the engine's group callbacks for one evs configuration. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/secret.h"
#include "server/core/state.h"

struct evs_state {
	const struct evs_config *cfg;
	struct evs_pool **pools; /* parallel to the configuration's pools */
	size_t n_pools;
	struct evs_sessions *sessions;
	struct ike_server_ops ops;
};

static int ops_group_psk(void *ctx, const char *group, struct secret *psk)
{
	struct evs_state *st = ctx;
	int gi = evs_config_group_find(st->cfg, group);
	const char *key;
	size_t len;

	if (gi < 0)
		return -ENOENT;
	key = evs_config_group_key(st->cfg, (size_t)gi, &len);
	if (!key)
		return -ENOENT; /* a group without a key cannot use pre-share */
	return secret_set(psk, key, len);
}

/* Main mode with a pre-shared key: `crypto isakmp key ... address`, its group the one
 * with the same key (config_peerkey.c). */
static int ops_addr_psk(void *ctx, uint32_t addr, char *group, size_t group_len, struct secret *psk)
{
	struct evs_state *st = ctx;
	const char *key, *name;
	size_t gi, len;

	if (evs_config_addr_psk(st->cfg, addr, &gi, &key, &len) < 0)
		return -ENOENT;
	name = evs_config_group_name(st->cfg, gi);
	if (strlen(name) >= group_len)
		return -ENOENT;
	memcpy(group, name, strlen(name) + 1);
	return secret_set(psk, key, len);
}

/*
 * The pool owner of user: users compare case-insensitively with method `local`, so
 * "Richard" gets richard's address back. NULL when the name does not fit.
 */
static const char *owner_key(const struct evs_state *st, const char *user, char *buf, size_t len)
{
	size_t n = strlen(user);

	if (!evs_config_users_nocase(st->cfg))
		return user;
	if (n >= len)
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = (char)tolower((unsigned char)user[i]);
	return buf;
}

static int ops_assign_policy(void *ctx, const char *group, const char *user, struct evc_policy *pol)
{
	struct evs_state *st = ctx;
	int gi = evs_config_group_find(st->cfg, group), pi;
	char buf[EVS_SESSION_NAME_MAX + 1];
	uint32_t addr;
	int rc;

	if (gi < 0)
		return -ENOENT;
	evs_config_group_policy(st->cfg, (size_t)gi, pol);
	pi = evs_config_group_pool(st->cfg, (size_t)gi);
	if (pi < 0)
		return 0;
	rc = evs_pool_alloc(st->pools[pi], owner_key(st, user, buf, sizeof(buf)), &addr);
	if (rc < 0) {
		pol->have &= ~(uint32_t)(EVC_HAVE_ADDR | EVC_HAVE_NETMASK);
		return rc;
	}
	pol->addr = addr;
	return 0;
}

static void ops_release_policy(void *ctx, const char *group, const char *user,
                               const struct evc_policy *pol)
{
	struct evs_state *st = ctx;

	if (!(pol->have & EVC_HAVE_ADDR))
		return;
	/* pools never overlap (checked at load), so the address names its pool */
	for (size_t i = 0; i < st->n_pools; i++) {
		if (evs_pool_contains(st->pools[i], pol->addr)) {
			evs_pool_release(st->pools[i], pol->addr);
			return;
		}
	}
}

struct evs_state *evs_state_new(const struct evs_config *cfg)
{
	struct evs_state *st = calloc(1, sizeof(*st));
	size_t n = evs_config_n_pools(cfg);

	if (!st)
		return NULL;
	st->cfg = cfg;
	st->sessions = evs_sessions_new();
	st->pools = calloc(n ? n : 1, sizeof(*st->pools));
	if (!st->sessions || !st->pools)
		goto fail;
	for (; st->n_pools < n; st->n_pools++) {
		uint32_t first, last;

		evs_config_pool_range(cfg, st->n_pools, &first, &last);
		st->pools[st->n_pools] = evs_pool_new(first, last);
		if (!st->pools[st->n_pools])
			goto fail;
	}
	st->ops.ctx = st;
	st->ops.group_psk = ops_group_psk;
	st->ops.addr_psk = ops_addr_psk;
	st->ops.assign_policy = ops_assign_policy;
	st->ops.release_policy = ops_release_policy;
	return st;
fail:
	evs_state_free(st);
	return NULL;
}

void evs_state_free(struct evs_state *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n_pools; i++)
		evs_pool_free(st->pools[i]);
	free(st->pools);
	evs_sessions_free(st->sessions);
	free(st);
}

/* The pool index of the old configuration with the same name and range as pool i of cfg. */
static int same_pool(const struct evs_state *st, const struct evs_config *cfg, size_t i,
                     const bool *taken)
{
	uint32_t f, l, of, ol;
	evs_config_pool_range(cfg, i, &f, &l);
	for (size_t j = 0; j < st->n_pools; j++) {
		evs_config_pool_range(st->cfg, j, &of, &ol);
		if (!taken[j] && f == of && l == ol &&
		    strcmp(evs_config_pool_name(cfg, i), evs_config_pool_name(st->cfg, j)) == 0)
			return (int)j;
	}
	return -1;
}

int evs_state_reconfigure(struct evs_state *st, const struct evs_config *cfg)
{
	size_t n = evs_config_n_pools(cfg);
	struct evs_pool **pools = calloc(n ? n : 1, sizeof(*pools));
	bool *taken = calloc(st->n_pools ? st->n_pools : 1, sizeof(*taken));
	int *from = calloc(n ? n : 1, sizeof(*from));
	char buf[EVS_SESSION_NAME_MAX + 1];
	int rc = -ENOMEM;
	if (!pools || !taken || !from)
		goto out;
	for (size_t i = 0; i < n; i++) {
		from[i] = same_pool(st, cfg, i, taken);
		if (from[i] >= 0) {
			taken[from[i]] = true;
			continue;
		}
		uint32_t first, last;
		evs_config_pool_range(cfg, i, &first, &last);
		if (!(pools[i] = evs_pool_new(first, last)))
			goto out;
		for (size_t k = 0; k < evs_sessions_count(st->sessions); k++) {
			const struct evs_session *s = evs_sessions_at(st->sessions, k);
			if (s->assigned && evs_pool_contains(pools[i], s->assigned) &&
			    evs_pool_claim(pools[i], s->assigned,
			                   owner_key(st, s->user, buf, sizeof(buf))) == -ENOMEM)
				goto out;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (from[i] >= 0)
			pools[i] = st->pools[from[i]];
	for (size_t j = 0; j < st->n_pools; j++)
		if (!taken[j])
			evs_pool_free(st->pools[j]);
	free(st->pools);
	st->pools = pools;
	st->n_pools = n;
	st->cfg = cfg;
	pools = NULL;
	rc = 0;
out:
	for (size_t i = 0; pools && i < n; i++)
		if (from && from[i] < 0)
			evs_pool_free(pools[i]);
	free(pools);
	free(taken);
	free(from);
	return rc;
}

const struct ike_server_ops *evs_server_ops(struct evs_state *st)
{
	return &st->ops;
}

struct evs_sessions *evs_state_sessions(struct evs_state *st)
{
	return st->sessions;
}

const struct evs_config *evs_state_config(const struct evs_state *st)
{
	return st->cfg;
}

struct evs_pool *evs_state_pool(struct evs_state *st, size_t i)
{
	return i < st->n_pools ? st->pools[i] : NULL;
}

enum evs_aaa_verdict evs_aaa_check(struct evs_state *st, const char *group, const char *user,
                                   const char *password)
{
	int gi = evs_config_group_find(st->cfg, group);
	unsigned max;

	if (gi < 0)
		return EVS_AAA_UNKNOWN_GROUP;
	/* credentials before limits, so that the limits are not disclosed to strangers */
	if (!evs_config_check_password(st->cfg, user, password))
		return EVS_AAA_BAD_CREDENTIALS;
	max = evs_config_group_max_users(st->cfg, (size_t)gi);
	if (max && evs_sessions_group_count(st->sessions, group) >= max)
		return EVS_AAA_MAX_USERS;
	max = evs_config_group_max_logins(st->cfg, (size_t)gi);
	if (max && evs_sessions_user_count(st->sessions, group, user,
	                                   evs_config_users_nocase(st->cfg)) >= max)
		return EVS_AAA_MAX_LOGINS;
	return EVS_AAA_OK;
}

const char *evs_aaa_verdict_str(enum evs_aaa_verdict v)
{
	switch (v) {
	case EVS_AAA_OK:
		return "user authenticated";
	case EVS_AAA_UNKNOWN_GROUP:
		return "no such group in the configuration";
	case EVS_AAA_BAD_CREDENTIALS:
		return "unknown user or wrong password";
	case EVS_AAA_MAX_USERS:
		return "the group has reached its max-users connections";
	case EVS_AAA_MAX_LOGINS:
		return "the user has reached max-logins for the group";
	}
	return "unknown verdict";
}
