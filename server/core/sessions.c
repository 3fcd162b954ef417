/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session table (an array in login order) and its `show crypto session` views. Ids are
 * handed out in ascending order, so the array is also sorted by id and a session is found by
 * binary search (evs looks one up per login and logout, with up to 5,000 of them); only after
 * the id counter wrapped (2^32 logins) does it fall back to a scan until the table empties.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/core/sessions.h"

struct evs_sessions {
	struct evs_session *v;
	size_t n, cap;
	uint32_t next_id;
	bool by_id; /* v is sorted by id (the counter has not wrapped since it was empty) */
};

struct evs_sessions *evs_sessions_new(void)
{
	struct evs_sessions *s = calloc(1, sizeof(*s));

	if (s) {
		s->next_id = 1;
		s->by_id = true;
	}
	return s;
}

void evs_sessions_free(struct evs_sessions *s)
{
	if (!s)
		return;
	free(s->v);
	free(s);
}

static bool name_ok(const char *n)
{
	return n && *n && strlen(n) <= EVS_SESSION_NAME_MAX;
}

static size_t index_of(const struct evs_sessions *s, uint32_t id)
{
	if (s->by_id) {
		size_t lo = 0, hi = s->n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (s->v[mid].id < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		return lo < s->n && s->v[lo].id == id ? lo : s->n;
	}
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].id == id)
			return i;
	return s->n;
}

static bool id_taken(const struct evs_sessions *s, uint32_t id)
{
	return index_of(s, id) != s->n;
}

int evs_sessions_add(struct evs_sessions *s, const char *group, const char *user,
                     const struct ike_endpoint *peer, const uint8_t icky[8], const uint8_t rcky[8],
                     uint64_t now_ms, uint32_t *id)
{
	struct evs_session *e;

	if (!name_ok(group) || !name_ok(user))
		return -EINVAL;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct evs_session *nv;

		if (nc > SIZE_MAX / sizeof(*nv))
			return -ENOMEM;
		nv = realloc(s->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = nc;
	}
	/* ids wrap after 2^32 logins; skip 0 and any id still in use */
	while (s->next_id == 0 || id_taken(s, s->next_id))
		s->next_id++;
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->id = s->next_id++;
	if (s->n > 1 && e->id < s->v[s->n - 2].id)
		s->by_id = false; /* the counter wrapped */
	memcpy(e->group, group, strlen(group) + 1);
	memcpy(e->user, user, strlen(user) + 1);
	if (peer)
		e->peer = *peer;
	if (icky)
		memcpy(e->icky, icky, 8);
	if (rcky)
		memcpy(e->rcky, rcky, 8);
	e->start_ms = now_ms;
	*id = e->id;
	return 0;
}

int evs_sessions_remove(struct evs_sessions *s, uint32_t id)
{
	size_t i = index_of(s, id);

	if (i == s->n)
		return -ENOENT;
	memmove(&s->v[i], &s->v[i + 1], (s->n - i - 1) * sizeof(*s->v));
	s->n--;
	if (s->n == 0)
		s->by_id = true;
	return 0;
}

struct evs_session *evs_sessions_get(struct evs_sessions *s, uint32_t id)
{
	size_t i = index_of(s, id);

	return i == s->n ? NULL : &s->v[i];
}

struct evs_session *evs_sessions_find_cookies(struct evs_sessions *s, const uint8_t icky[8],
                                              const uint8_t rcky[8])
{
	for (size_t i = 0; i < s->n; i++)
		if (memcmp(s->v[i].icky, icky, 8) == 0 && memcmp(s->v[i].rcky, rcky, 8) == 0)
			return &s->v[i];
	return NULL;
}

size_t evs_sessions_count(const struct evs_sessions *s)
{
	return s->n;
}

const struct evs_session *evs_sessions_at(const struct evs_sessions *s, size_t i)
{
	return i < s->n ? &s->v[i] : NULL;
}

size_t evs_sessions_group_count(const struct evs_sessions *s, const char *group)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += !s->v[i].held && strcmp(s->v[i].group, group) == 0;
	return n;
}

static bool same_user(const char *a, const char *b, bool nocase)
{
	return nocase ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

size_t evs_sessions_user_count(const struct evs_sessions *s, const char *group, const char *user,
                               bool nocase)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		n += !s->v[i].held && strcmp(s->v[i].group, group) == 0 &&
		     same_user(s->v[i].user, user, nocase);
	return n;
}

int evs_sessions_hold(struct evs_sessions *s, uint32_t id, bool held)
{
	struct evs_session *e = evs_sessions_get(s, id);

	if (!e)
		return -ENOENT;
	e->held = held;
	return 0;
}

/* ---- show crypto session ---- */

struct out {
	char *buf;
	size_t len, pos;
};

static void __attribute__((format(printf, 2, 3))) out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(o->pos < o->len ? o->buf + o->pos : NULL,
	              o->pos < o->len ? o->len - o->pos : 0, fmt, ap);
	va_end(ap);
	if (w > 0)
		o->pos += (size_t)w;
}

/* A session of one group, for sorting by user: the user's sessions come together, in login
 * order. */
struct by_user {
	const char *user;
	size_t i;
};

static int cmp_user(const struct by_user *a, const struct by_user *b, bool nocase)
{
	int c = nocase ? strcasecmp(a->user, b->user) : strcmp(a->user, b->user);
	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

static int cmp_case(const void *a, const void *b)
{
	return cmp_user(a, b, false);
}

static int cmp_nocase(const void *a, const void *b)
{
	return cmp_user(a, b, true);
}

size_t evs_sessions_group_users(const struct evs_sessions *s, const char *group, bool nocase,
                                size_t *logins)
{
	struct by_user *v = s->n ? malloc(s->n * sizeof(*v)) : NULL;
	size_t m = 0, users = 0;
	if (s->n && !v)
		return SIZE_MAX;
	for (size_t i = 0; i < s->n; i++) {
		logins[i] = 0;
		if (strcmp(s->v[i].group, group) == 0)
			v[m++] = (struct by_user){s->v[i].user, i};
	}
	/* sorted, one pass per user: O(n log n), where asking each user's count and whether
	 * it came before took O(n^2), most of a second at 5,000 sessions */
	qsort(v, m, sizeof(*v), nocase ? cmp_nocase : cmp_case);
	for (size_t a = 0, b; a < m; a = b) {
		size_t n = 0;
		for (b = a; b < m && same_user(v[b].user, v[a].user, nocase); b++)
			n += !s->v[v[b].i].held;
		logins[v[a].i] = n ? n : SIZE_MAX;
		users++;
	}
	free(v);
	return users;
}

static void summary_group(const struct evs_sessions *s, const char *group, bool nocase,
                          struct out *o)
{
	size_t n = evs_sessions_group_count(s, group);

	out_printf(o, " Group %s has %zu connections\n", group, n);
	if (n == 0)
		return;
	out_printf(o, "  User (Logins)\n");
	size_t *logins = malloc(s->n * sizeof(*logins));
	if (!logins || evs_sessions_group_users(s, group, nocase, logins) == SIZE_MAX) {
		out_printf(o, "  %% the users are not listed: out of memory\n");
		free(logins);
		return;
	}
	for (size_t i = 0; i < s->n; i++)
		if (logins[i])
			out_printf(o, "  %s (%zu)\n", s->v[i].user,
			           logins[i] == SIZE_MAX ? 0 : logins[i]);
	free(logins);
}

static void group_line(const struct evs_sessions *s, const char *group, bool nocase, struct out *o)
{
	size_t n = evs_sessions_group_count(s, group);

	if (n)
		out_printf(o, " %s: %zu\n", group, n);
}

/* Calls fn for the configured groups, then for the groups only sessions still name. */
static void each_group(const struct evs_sessions *s, const struct evs_config *cfg,
                       void (*fn)(const struct evs_sessions *, const char *, bool, struct out *),
                       struct out *o)
{
	bool nocase = cfg ? evs_config_users_nocase(cfg) : true;
	size_t ng = cfg ? evs_config_n_groups(cfg) : 0;

	for (size_t i = 0; i < ng; i++)
		fn(s, evs_config_group_name(cfg, i), nocase, o);
	for (size_t i = 0; i < s->n; i++) {
		const char *g = s->v[i].group;
		bool seen = cfg && evs_config_group_find(cfg, g) >= 0;

		for (size_t k = 0; k < i && !seen; k++)
			seen = strcmp(s->v[k].group, g) == 0;
		if (!seen)
			fn(s, g, nocase, o);
	}
}

static size_t finish(struct out *o)
{
	if (o->len && o->pos < o->len)
		o->buf[o->pos] = '\0';
	return o->pos;
}

size_t evs_show_session_summary(const struct evs_sessions *s, const struct evs_config *cfg,
                                char *buf, size_t len)
{
	struct out o = {buf, len, 0};

	if (len)
		buf[0] = '\0';
	each_group(s, cfg, summary_group, &o);
	return finish(&o);
}

size_t evs_show_session_group(const struct evs_sessions *s, const struct evs_config *cfg, char *buf,
                              size_t len)
{
	struct out o = {buf, len, 0};

	if (len)
		buf[0] = '\0';
	out_printf(&o, " Group:    Connections\n");
	each_group(s, cfg, group_line, &o);
	return finish(&o);
}
