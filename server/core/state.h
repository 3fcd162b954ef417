/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The run-time state of evs around one configuration: the address pools, the session table,
 * the group lookups the engine calls (struct ike_server_ops) and the local AAA check.
 *
 * Flow in the daemon: IKE_ACT_XAUTH_VERIFY -> evs_aaa_check(); on EVS_AAA_OK add the session
 * (evs_sessions_add) and answer ike_xauth_verdict(true). The engine then calls
 * assign_policy (pool address) and, when the SA ends, release_policy; the daemon removes
 * the session.
 */
#ifndef EVC_SERVER_STATE_H
#define EVC_SERVER_STATE_H

#include "ike/ike.h"
#include "server/core/config.h"
#include "server/core/pool.h"
#include "server/core/sessions.h"

struct evs_state;

/* cfg is borrowed and must outlive the state. NULL on allocation failure. */
struct evs_state *evs_state_new(const struct evs_config *cfg);
void evs_state_free(struct evs_state *st);

/*
 * Moves st to cfg (a reload; cfg must outlive st, the old one may go after the call): pools
 * with the same name and range are kept as they are; new or changed ones start with the
 * addresses of the live sessions that fall in them marked in use. Sessions are kept. 0, or
 * -ENOMEM with st unchanged.
 */
int evs_state_reconfigure(struct evs_state *st, const struct evs_config *cfg);

/* The responder callbacks; ctx is st. Valid as long as st. */
const struct ike_server_ops *evs_server_ops(struct evs_state *st);
struct evs_sessions *evs_state_sessions(struct evs_state *st);
/* The configuration st runs on now (the last evs_state_reconfigure's). */
const struct evs_config *evs_state_config(const struct evs_state *st);
/* The pool of `ip local pool` number i (configuration order), NULL when out of range. */
struct evs_pool *evs_state_pool(struct evs_state *st, size_t i);

enum evs_aaa_verdict {
	EVS_AAA_OK,
	EVS_AAA_UNKNOWN_GROUP,
	EVS_AAA_BAD_CREDENTIALS, /* unknown user or wrong password: deliberately the same */
	EVS_AAA_MAX_USERS,       /* the group's max-users connections are in use */
	EVS_AAA_MAX_LOGINS,      /* the user has max-logins sessions in the group already */
};

/*
 * XAUTH with the local database: the password first (constant time), then the group's
 * max-users and the user's max-logins against the live sessions. Does not add a session.
 */
enum evs_aaa_verdict evs_aaa_check(struct evs_state *st, const char *group, const char *user,
                                   const char *password);
/* A sentence for logs, e.g. "user has reached max-logins for the group". */
const char *evs_aaa_verdict_str(enum evs_aaa_verdict v);

#endif
