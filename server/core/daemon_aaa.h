/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * XAUTH in the daemon with the methods of the crypto map's client authentication list:
 * `local` at once; `group radius` in the background, with the XAUTH answer held (the
 * engine's verifying state) until evs_daemon_aaa_done brings the RADIUS verdict, so that
 * other clients go on meanwhile. A later method is used only when RADIUS gave no valid
 * answer (IOS): a reject is final. RADIUS attributes (aaa_attrs.h) shape that user's policy
 * when the isakmp authorization list has `group radius`.
 */
#ifndef EVC_SERVER_DAEMON_AAA_H
#define EVC_SERVER_DAEMON_AAA_H

#include <stdint.h>

#include "server/core/aaa.h"
#include "server/core/daemon.h"

/* How the daemon asks RADIUS (radius.h's evs_radius_ask in evs): 0, or negative when the
 * question cannot be asked (then the next method, or a refusal saying so). Without it, a
 * RADIUS method counts as a server that does not answer. */
typedef int (*evs_aaa_ask_fn)(void *ctx, const struct evs_aaa_req *req);
void evs_daemon_set_aaa(struct evs_daemon *d, evs_aaa_ask_fn ask, void *ctx);

/* The answer to a question asked through ask; one for a client that is gone is dropped. */
void evs_daemon_aaa_done(struct evs_daemon *d, const struct evs_aaa_result *res, uint64_t now);

#endif
