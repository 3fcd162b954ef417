/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The verdict evs gives on an XAUTH answer (IKE_ACT_XAUTH_VERIFY -> ike_xauth_verdict): the
 * local AAA check, the session record on success, and a back-off against password guessing.
 * After EVS_XAUTH_FREE_USER failed passwords for one user (EVS_XAUTH_FREE_ADDR from one source
 * address, which may be a NAT with many users behind it), every further failure makes that
 * user or address wait twice as long as the last before its next password is even looked at,
 * from EVS_XAUTH_WAIT_FIRST_MS up to EVS_XAUTH_WAIT_MAX_MS; answers that come sooner are
 * refused unchecked, each with a log line saying why and for how long. A success resets the
 * user and the address; a record with no failure for EVS_XAUTH_FORGET_MS is dropped. The
 * table is fixed in size (the records with the oldest failures make room).
 */
#ifndef EVC_SERVER_XAUTH_JUDGE_H
#define EVC_SERVER_XAUTH_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "ike/ike.h"
#include "server/core/state.h"

#define EVS_XAUTH_FREE_USER 3
#define EVS_XAUTH_FREE_ADDR 10
#define EVS_XAUTH_WAIT_FIRST_MS 2000
#define EVS_XAUTH_WAIT_MAX_MS 300000
#define EVS_XAUTH_FORGET_MS 900000
#define EVS_XAUTH_RECORDS 1024

struct evs_xauth;

/* st is borrowed. users_nocase: user names compare case-insensitively (as the AAA does).
 * log may be NULL. NULL when memory runs out. */
struct evs_xauth *evs_xauth_new(struct evs_state *st, bool users_nocase,
                                void (*log)(void *ctx, enum ike_log_level lvl, const char *msg),
                                void *ctx);
void evs_xauth_free(struct evs_xauth *x);

/*
 * One XAUTH answer from peer on the IKE SA with these cookies: true when the user is let in,
 * and then the session is recorded and *session_id set.
 */
bool evs_xauth_judge(struct evs_xauth *x, const char *group, const char *user, const char *password,
                     const struct ike_endpoint *peer, const uint8_t icky[8], const uint8_t rcky[8],
                     uint64_t now_ms, uint32_t *session_id);

/*
 * For a password checked elsewhere (RADIUS, in the background): before asking, whether the
 * user and the address may have a password checked now (false, logged, while they wait after
 * failed ones); with the answer, evs_xauth_conclude: good false counts a failed password
 * (why says whose verdict, for the log), good true goes on to the group's limits and records
 * the session, as evs_xauth_judge does.
 */
bool evs_xauth_may_check(struct evs_xauth *x, const char *group, const char *user,
                         const struct ike_endpoint *peer, uint64_t now_ms);
bool evs_xauth_conclude(struct evs_xauth *x, const char *group, const char *user, bool good,
                        const char *why, const struct ike_endpoint *peer, const uint8_t icky[8],
                        const uint8_t rcky[8], uint64_t now_ms, uint32_t *session_id);

/*
 * Why the last evs_xauth_judge refused the user when another password would not help (the
 * group's max-users or the user's max-logins are used up): a sentence for the client. NULL
 * after a success or a refused password.
 */
const char *evs_xauth_refusal(const struct evs_xauth *x);

#endif
