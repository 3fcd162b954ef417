/* SPDX-License-Identifier: GPL-2.0-or-later */
/* XAUTH verdicts with a back-off per user and per source address (a fixed table). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/xauth_judge.h"
#include "lib/ipv4.h"

#define KEY_MAX (2 * EVS_SESSION_NAME_MAX + 2)

struct record {
	bool used;
	bool is_addr;
	uint32_t addr;
	char key[KEY_MAX]; /* group, unit separator, user (lower case when users_nocase) */
	unsigned fails;
	uint64_t last_ms;  /* last failure */
	uint64_t until_ms; /* no password is checked before this */
};

struct evs_xauth {
	struct evs_state *st;
	bool nocase;
	void (*log)(void *ctx, enum ike_log_level lvl, const char *msg);
	void *ctx;
	struct record r[EVS_XAUTH_RECORDS];
	char refusal[256]; /* evs_xauth_refusal; "" for none */
};

struct evs_xauth *evs_xauth_new(struct evs_state *st, bool users_nocase,
                                void (*log)(void *ctx, enum ike_log_level lvl, const char *msg),
                                void *ctx)
{
	struct evs_xauth *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->st = st;
	x->nocase = users_nocase;
	x->log = log;
	x->ctx = ctx;
	return x;
}

void evs_xauth_free(struct evs_xauth *x)
{
	free(x);
}

static void __attribute__((format(printf, 3, 4)))
logx(struct evs_xauth *x, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	if (!x->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->log(x->ctx, lvl, msg);
}

static void user_key(const struct evs_xauth *x, const char *group, const char *user,
                     char key[KEY_MAX])
{
	snprintf(key, KEY_MAX, "%s\x1f%s", group, user);
	if (x->nocase)
		for (char *p = strchr(key, '\x1f'); p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
}

/* A record whose last failure is old enough and whose wait is over counts for nothing. */
static bool stale(const struct record *r, uint64_t now)
{
	return !r->used ||
	       (now >= r->until_ms && now - r->last_ms >= (uint64_t)EVS_XAUTH_FORGET_MS);
}

static struct record *find(struct evs_xauth *x, bool is_addr, uint32_t addr, const char *key,
                           uint64_t now)
{
	for (size_t i = 0; i < EVS_XAUTH_RECORDS; i++) {
		struct record *r = &x->r[i];
		if (!r->used || r->is_addr != is_addr)
			continue;
		if (is_addr ? r->addr != addr : strcmp(r->key, key) != 0)
			continue;
		if (stale(r, now)) {
			r->used = false;
			return NULL;
		}
		return r;
	}
	return NULL;
}

/* A new record: a free or stale slot, else the one with the oldest failure. */
static struct record *take(struct evs_xauth *x, bool is_addr, uint32_t addr, const char *key,
                           uint64_t now)
{
	struct record *v = &x->r[0];

	for (size_t i = 0; i < EVS_XAUTH_RECORDS; i++) {
		struct record *r = &x->r[i];
		if (stale(r, now)) {
			v = r;
			break;
		}
		if (r->last_ms < v->last_ms)
			v = r;
	}
	memset(v, 0, sizeof(*v));
	v->used = true;
	v->is_addr = is_addr;
	v->addr = addr;
	if (key)
		snprintf(v->key, sizeof(v->key), "%s", key);
	return v;
}

/* Counts a failure; returns the wait it starts (0: still among the free ones). */
static uint64_t failed(struct evs_xauth *x, bool is_addr, uint32_t addr, const char *key,
                       unsigned free_fails, uint64_t now)
{
	struct record *r = find(x, is_addr, addr, key, now);
	uint64_t wait = EVS_XAUTH_WAIT_FIRST_MS;

	if (!r)
		r = take(x, is_addr, addr, key, now);
	if (r->fails < UINT32_MAX)
		r->fails++;
	r->last_ms = now;
	if (r->fails < free_fails)
		return 0;
	for (unsigned i = free_fails; i < r->fails && wait < EVS_XAUTH_WAIT_MAX_MS; i++)
		wait *= 2;
	if (wait > EVS_XAUTH_WAIT_MAX_MS)
		wait = EVS_XAUTH_WAIT_MAX_MS;
	r->until_ms = now + wait;
	return wait;
}

/* The user or the address still waits after failed passwords: logged, false. */
static bool gate(struct evs_xauth *x, const char *group, const char *user, const char *key,
                 const struct ike_endpoint *peer, uint64_t now_ms, struct record **ru,
                 struct record **ra)
{
	char a[20];

	ipv4_str(peer->addr, a, sizeof(a));
	*ru = find(x, false, 0, key, now_ms);
	*ra = find(x, true, peer->addr, NULL, now_ms);
	if ((*ru && now_ms < (*ru)->until_ms) || (*ra && now_ms < (*ra)->until_ms)) {
		const struct record *r = *ru && now_ms < (*ru)->until_ms ? *ru : *ra;
		uint64_t left = r->until_ms - now_ms;
		logx(x, IKE_LOG_WARN,
		     "%s: XAUTH for user %s of group %s refused without checking the password: "
		     "%u failed passwords %s %s, next check in %llu.%03llu s",
		     a, user, group, r->fails, r == *ru ? "for user" : "from address",
		     r == *ru ? user : a, (unsigned long long)(left / 1000),
		     (unsigned long long)(left % 1000));
		return false;
	}
	return true;
}

/* A wrong password (or unknown user): counted, logged with the wait it starts. */
static void bad_password(struct evs_xauth *x, const char *group, const char *user, const char *key,
                         const struct ike_endpoint *peer, uint64_t now_ms, const char *why)
{
	char a[20];
	uint64_t wu = failed(x, false, 0, key, EVS_XAUTH_FREE_USER, now_ms);
	uint64_t wa = failed(x, true, peer->addr, NULL, EVS_XAUTH_FREE_ADDR, now_ms);
	uint64_t w = wu > wa ? wu : wa;

	ipv4_str(peer->addr, a, sizeof(a));
	if (w)
		logx(x, IKE_LOG_WARN,
		     "%s: XAUTH for user %s of group %s refused: %s; too many failed "
		     "passwords %s %s: the next one is checked in %llu s at the earliest",
		     a, user, group, why, wu >= wa ? "for user" : "from address",
		     wu >= wa ? user : a, (unsigned long long)((w + 999) / 1000));
	else
		logx(x, IKE_LOG_WARN, "%s: XAUTH for user %s of group %s refused: %s", a, user,
		     group, why);
}

/* The password was good: the group's limits, then the session. */
static bool admit(struct evs_xauth *x, enum evs_aaa_verdict v, const char *group, const char *user,
                  const struct ike_endpoint *peer, const uint8_t icky[8], const uint8_t rcky[8],
                  uint64_t now_ms, uint32_t *session_id, struct record *ru, struct record *ra)
{
	char a[20];

	ipv4_str(peer->addr, a, sizeof(a));
	if (v != EVS_AAA_OK) {
		logx(x, IKE_LOG_WARN, "%s: XAUTH for user %s of group %s refused: %s", a, user,
		     group, evs_aaa_verdict_str(v));
		const struct evs_sessions *ss = evs_state_sessions(x->st);
		if (v == EVS_AAA_MAX_USERS)
			snprintf(x->refusal, sizeof(x->refusal),
			         "group %s has reached its max-users: %zu users are connected; try "
			         "again later",
			         group, evs_sessions_group_count(ss, group));
		else if (v == EVS_AAA_MAX_LOGINS)
			snprintf(x->refusal, sizeof(x->refusal),
			         "user %s has reached the max-logins of group %s: %zu session(s) "
			         "open already; end one first",
			         user, group, evs_sessions_user_count(ss, group, user, x->nocase));
		return false;
	}
	if (evs_sessions_add(evs_state_sessions(x->st), group, user, peer, icky, rcky, now_ms,
	                     session_id) != 0)
		return false;
	/* a success wipes the slate for this user and this address */
	if (ru)
		ru->used = false;
	if (ra)
		ra->used = false;
	return true;
}

bool evs_xauth_judge(struct evs_xauth *x, const char *group, const char *user, const char *password,
                     const struct ike_endpoint *peer, const uint8_t icky[8], const uint8_t rcky[8],
                     uint64_t now_ms, uint32_t *session_id)
{
	char key[KEY_MAX];
	struct record *ru, *ra;
	enum evs_aaa_verdict v;

	x->refusal[0] = 0;
	user_key(x, group, user, key);
	if (!gate(x, group, user, key, peer, now_ms, &ru, &ra))
		return false;
	v = evs_aaa_check(x->st, group, user, password);
	if (v == EVS_AAA_BAD_CREDENTIALS) {
		bad_password(x, group, user, key, peer, now_ms, evs_aaa_verdict_str(v));
		return false;
	}
	return admit(x, v, group, user, peer, icky, rcky, now_ms, session_id, ru, ra);
}

bool evs_xauth_may_check(struct evs_xauth *x, const char *group, const char *user,
                         const struct ike_endpoint *peer, uint64_t now_ms)
{
	char key[KEY_MAX];
	struct record *ru, *ra;

	x->refusal[0] = 0;
	user_key(x, group, user, key);
	return gate(x, group, user, key, peer, now_ms, &ru, &ra);
}

/* The limits of evs_aaa_check without the password. */
static enum evs_aaa_verdict limits(struct evs_xauth *x, const char *group, const char *user)
{
	const struct evs_config *cfg = evs_state_config(x->st);
	const struct evs_sessions *ss = evs_state_sessions(x->st);
	int gi = evs_config_group_find(cfg, group);
	unsigned max;

	if (gi < 0)
		return EVS_AAA_UNKNOWN_GROUP;
	max = evs_config_group_max_users(cfg, (size_t)gi);
	if (max && evs_sessions_group_count(ss, group) >= max)
		return EVS_AAA_MAX_USERS;
	max = evs_config_group_max_logins(cfg, (size_t)gi);
	if (max && evs_sessions_user_count(ss, group, user, x->nocase) >= max)
		return EVS_AAA_MAX_LOGINS;
	return EVS_AAA_OK;
}

bool evs_xauth_conclude(struct evs_xauth *x, const char *group, const char *user, bool good,
                        const char *why, const struct ike_endpoint *peer, const uint8_t icky[8],
                        const uint8_t rcky[8], uint64_t now_ms, uint32_t *session_id)
{
	char key[KEY_MAX];
	struct record *ru, *ra;

	x->refusal[0] = 0;
	user_key(x, group, user, key);
	ru = find(x, false, 0, key, now_ms);
	ra = find(x, true, peer->addr, NULL, now_ms);
	if (!good) {
		bad_password(x, group, user, key, peer, now_ms, why);
		return false;
	}
	return admit(x, limits(x, group, user), group, user, peer, icky, rcky, now_ms, session_id,
	             ru, ra);
}

const char *evs_xauth_refusal(const struct evs_xauth *x)
{
	return x->refusal[0] ? x->refusal : NULL;
}
