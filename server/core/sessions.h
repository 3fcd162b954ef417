/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of live remote-access sessions of evs and the `show crypto session` views of the
 * chapter (Examples 20-2 and 20-3). A session is one logged-in user (XAUTH passed) on one
 * IKE SA; the table keeps them in login order.
 */
#ifndef EVC_SERVER_SESSIONS_H
#define EVC_SERVER_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "server/core/config.h"

#define EVS_SESSION_NAME_MAX 64

struct evs_session {
	uint32_t id; /* never 0 */
	char group[EVS_SESSION_NAME_MAX + 1];
	char user[EVS_SESSION_NAME_MAX + 1];
	struct ike_endpoint peer; /* public address and port */
	uint32_t assigned;        /* inside address from the pool; 0: none yet */
	uint8_t icky[8], rcky[8]; /* IKE SA cookies */
	uint64_t start_ms;
	uint64_t bytes_in, bytes_out, pkts_in, pkts_out; /* updated by the datapath owner */
	/* a newer IKE SA of this user and address is being authenticated (a phase-1 rekey, or
	 * a reconnect with INITIAL-CONTACT): not counted against max-users and max-logins */
	bool held;
};

struct evs_sessions;

struct evs_sessions *evs_sessions_new(void);
void evs_sessions_free(struct evs_sessions *s);

/*
 * Records a login. 0 and *id set; -EINVAL for an empty or over-long (> EVS_SESSION_NAME_MAX)
 * group or user; -ENOMEM.
 */
int evs_sessions_add(struct evs_sessions *s, const char *group, const char *user,
                     const struct ike_endpoint *peer, const uint8_t icky[8], const uint8_t rcky[8],
                     uint64_t now_ms, uint32_t *id);
/* 0, or -ENOENT for an unknown id. Keeps the login order of the others. */
int evs_sessions_remove(struct evs_sessions *s, uint32_t id);
/* NULL when unknown. The pointer is valid until the next add or remove. */
struct evs_session *evs_sessions_get(struct evs_sessions *s, uint32_t id);
struct evs_session *evs_sessions_find_cookies(struct evs_sessions *s, const uint8_t icky[8],
                                              const uint8_t rcky[8]);

/* Marks a session held (see struct evs_session) or not. 0, or -ENOENT. */
int evs_sessions_hold(struct evs_sessions *s, uint32_t id, bool held);

/* All sessions in login order, for iteration: i < evs_sessions_count(). */
size_t evs_sessions_count(const struct evs_sessions *s);
const struct evs_session *evs_sessions_at(const struct evs_sessions *s, size_t i);
/* Sessions of group / of user in group (user compared case-insensitively when nocase), the
 * held ones left out. */
size_t evs_sessions_group_count(const struct evs_sessions *s, const char *group);
size_t evs_sessions_user_count(const struct evs_sessions *s, const char *group, const char *user,
                               bool nocase);
/*
 * The users of group, each once, at its first session in login order: logins (room for
 * evs_sessions_count entries) gets at that session's index the user's session count (held
 * ones left out; SIZE_MAX for a user whose sessions are all held), 0 elsewhere. Returns how
 * many users, or SIZE_MAX when memory ran out. O(n log n), for the summaries at 5,000.
 */
size_t evs_sessions_group_users(const struct evs_sessions *s, const char *group, bool nocase,
                                size_t *logins);

/*
 * `show crypto session summary` (Example 20-3): for every configured group, in
 * configuration order, " Group NAME has N connections", then, when N > 0, "  User (Logins)"
 * and "  USER (LOGINS)" per user in first-login order. Groups with sessions that the
 * configuration no longer has follow, in first-login order. snprintf conventions: writes at
 * most len bytes including the NUL and returns the length of the whole text.
 */
size_t evs_show_session_summary(const struct evs_sessions *s, const struct evs_config *cfg,
                                char *buf, size_t len);
/*
 * `show crypto session group` (Example 20-2): " Group:    Connections", then " NAME: N" for
 * every group with at least one connection ("the groups that are currently active"), in the
 * same order as the summary.
 */
size_t evs_show_session_group(const struct evs_sessions *s, const struct evs_config *cfg, char *buf,
                              size_t len);

#endif
