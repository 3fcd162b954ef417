/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The half-open IKE SAs of evs: first message answered, phase 1 not finished. Each costs a
 * DH computation and memory until it times out, so there may be only a few per sender and a
 * bounded number in all. When a limit is reached a new first message does not get refused:
 * it takes the place of the oldest half-open SA of the same sender (or, at the global limit,
 * the oldest of all). A sender that never finishes phase 1 thus only ever competes with
 * itself, and a real client behind an address that someone floods gets in on its first try.
 *
 * SAs are named by a key of the caller's (never 0). Fixed size, made once.
 */
#ifndef EVC_SERVER_HALFOPEN_H
#define EVC_SERVER_HALFOPEN_H

#include <stddef.h>
#include <stdint.h>

struct evs_halfopen;

/* NULL when a limit is 0, per_peer > total, or memory runs out. */
struct evs_halfopen *evs_halfopen_new(size_t total, size_t per_peer);
void evs_halfopen_free(struct evs_halfopen *h);

/*
 * Before a new SA for a first message from peer: 0 when there is room, else the key of the SA
 * to end first (that peer's oldest when it is at its limit, else the oldest of all).
 */
uint64_t evs_halfopen_victim(const struct evs_halfopen *h, uint32_t peer);
/* Records SA key from peer. 0, -EINVAL for key 0, -EEXIST for a key already there, -ENOSPC when
 * full (end the victim first). */
int evs_halfopen_add(struct evs_halfopen *h, uint64_t key, uint32_t peer);
/* The SA finished phase 1 or ended. Unknown keys are ignored. */
void evs_halfopen_remove(struct evs_halfopen *h, uint64_t key);

size_t evs_halfopen_count(const struct evs_halfopen *h);
size_t evs_halfopen_count_peer(const struct evs_halfopen *h, uint32_t peer);

#endif
