/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which datagrams may start an IKE SA in evs. A datagram that matches no SA passes three
 * gates before the daemon makes one: it must be a well-formed first message (firstmsg.h), its
 * sender must have a token (srclimit.h), and it must find a half-open slot, ending the
 * sender's oldest half-open SA (or the oldest of all) when the limits are reached
 * (halfopen.h). Refusals and evictions are logged at most once per EVS_ADMIT_LOG_MS each,
 * with running counts, since peers trigger them.
 */
#ifndef EVC_SERVER_ADMIT_H
#define EVC_SERVER_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

#define EVS_ADMIT_HALF_OPEN 256        /* half-open SAs in all */
#define EVS_ADMIT_HALF_OPEN_PER_PEER 8 /* per source address */
#define EVS_ADMIT_SOURCES 4096         /* source addresses the rate limiter remembers */
#define EVS_ADMIT_BURST 16             /* first messages a source may send at once */
#define EVS_ADMIT_PER_S 4              /* and per second after that */
#define EVS_ADMIT_LOG_MS 5000

struct evs_admit_limits {
	size_t half_open, half_open_per_peer, sources;
	unsigned burst, per_s;
};

struct evs_admit;

/* lim NULL: the EVS_ADMIT_* defaults. log may be NULL. NULL on a bad limit or no memory. */
struct evs_admit *evs_admit_new(const struct evs_admit_limits *lim,
                                void (*log)(void *ctx, enum ike_log_level lvl, const char *msg),
                                void *ctx);
void evs_admit_free(struct evs_admit *a);

/*
 * A datagram from peer that matched no SA: true when the caller may make an SA for it. Then
 * *evict is 0, or the key of a half-open SA the caller must end (and report with
 * evs_admit_done) before it calls evs_admit_opened for the new one.
 */
bool evs_admit_first(struct evs_admit *a, const uint8_t *msg, size_t len, uint32_t peer,
                     uint64_t now_ms, uint64_t *evict);
/* The caller made SA key (never 0) for peer. 0 or a negative errno (see halfopen.h). */
int evs_admit_opened(struct evs_admit *a, uint64_t key, uint32_t peer);
/* SA key finished phase 1 or ended: it no longer counts as half-open. */
void evs_admit_done(struct evs_admit *a, uint64_t key);

struct evs_admit_stats {
	uint64_t not_first; /* datagrams that were not a first message */
	uint64_t rate;      /* first messages over their sender's rate */
	uint64_t evicted;   /* half-open SAs ended to make room */
	size_t half_open;
};
void evs_admit_stats(const struct evs_admit *a, struct evs_admit_stats *out);

#endif
