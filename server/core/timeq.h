/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * When each of evs's IKE SAs next needs a tick: a binary min-heap over ids 0..max-1 (the SA
 * table's slots), so that the event loop learns its next deadline in O(1) and moves one SA's
 * deadline in O(log n) instead of asking every SA on every wake-up.
 */
#ifndef EVC_SERVER_TIMEQ_H
#define EVC_SERVER_TIMEQ_H

#include <stddef.h>
#include <stdint.h>

struct evs_timeq;

struct evs_timeq *evs_timeq_new(size_t max);
void evs_timeq_free(struct evs_timeq *q);
/* id's deadline is now at (UINT64_MAX: none, id leaves the queue). Ids out of range are ignored. */
void evs_timeq_set(struct evs_timeq *q, size_t id, uint64_t at);
/* The earliest deadline and its id, or UINT64_MAX when the queue is empty. */
uint64_t evs_timeq_peek(const struct evs_timeq *q, size_t *id);

#endif
