/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS Access-Requests for XAUTH (RFC 2865) off the event loop, over evs's own client
 * (radius_pkt.h says why not radcli). A question blocks for up to timeout x (retransmit + 1)
 * per server, so each one runs in a thread of its own (at most EVS_RADIUS_MAX_INFLIGHT at once); a
 * finished one is queued and the descriptor evs_radius_fd becomes readable. A slow or dead server
 * therefore holds up only the clients that wait for it.
 *
 * Servers are asked one after the other in configuration order; the next one only when the
 * one before gave no valid answer (silence, or answers that do not verify with the key),
 * as IOS does. A reject is final. Each server is asked over a UDP socket connect()ed to it,
 * so that datagrams from any other address or port never reach evs, and a reply counts only
 * when its Response Authenticator and Message-Authenticator verify with the key.
 */
#ifndef EVC_SERVER_RADIUS_H
#define EVC_SERVER_RADIUS_H

#include <stdbool.h>

#include "server/core/aaa.h"

#define EVS_RADIUS_MAX_INFLIGHT 64

struct evs_radius;

/* 0, or a negative errno with err saying why. */
int evs_radius_new(struct evs_radius **out, char *err, size_t errlen);
/*
 * Gives up on the questions still running: their threads finish on their own (each within
 * its servers' timeouts) and drop their answers. NULL is a no-op.
 */
void evs_radius_free(struct evs_radius *r);
/* Readable while answers wait to be taken with evs_radius_next. */
int evs_radius_fd(const struct evs_radius *r);

/*
 * Asks the servers of req in the background (req is copied; the copy's password is wiped
 * when the thread is done). 0; -EBUSY when EVS_RADIUS_MAX_INFLIGHT questions are running;
 * -ENOMEM, -EAGAIN (no thread).
 */
int evs_radius_ask(struct evs_radius *r, const struct evs_aaa_req *req);
/* Takes one finished answer: true and *out filled, false when none is waiting. */
bool evs_radius_next(struct evs_radius *r, struct evs_aaa_result *out);

/* Asks now, in the calling thread (what each background thread runs). */
void evs_radius_query(const struct evs_aaa_req *req, struct evs_aaa_result *out);

#endif
