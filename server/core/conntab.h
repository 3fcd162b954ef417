/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs's IKE SA table: finds the SA a datagram belongs to in O(1) however many clients there
 * are. Two hashed indexes over the same bounded set of entries:
 *  - by both cookies, for every message after the first (wherever it came from: a client's
 *    NAT mapping may change, and the engine checks the HASH before it follows);
 *  - by the initiator cookie and the sender's address, for a first message (and its
 *    retransmissions), which has no responder cookie yet.
 * The hash is SipHash-2-4 under a key the caller draws at random, since initiator cookies and
 * source addresses are the peer's choice: a peer that cannot guess the key cannot pile its SAs
 * into one bucket. Entries are named by a slot number that stays valid until removed.
 */
#ifndef EVC_SERVER_CONNTAB_H
#define EVC_SERVER_CONNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evs_conntab;

/* A table for at most max entries (1 .. 1<<20). NULL on a bad max or no memory. */
struct evs_conntab *evs_conntab_new(size_t max, const uint8_t key[16]);
void evs_conntab_free(struct evs_conntab *t);

/* Adds v (not NULL) under its cookies and peer address: the slot (>= 0), or -ENOSPC. */
int evs_conntab_add(struct evs_conntab *t, const uint8_t icky[8], const uint8_t rcky[8],
                    uint32_t peer, void *v);
/* Files slot under new cookies and peer address (the SA learned them); v stays. */
void evs_conntab_rekey(struct evs_conntab *t, int slot, const uint8_t icky[8],
                       const uint8_t rcky[8], uint32_t peer);
/* Whether slot is filed under exactly these keys (cheap: lets callers skip a rekey). */
bool evs_conntab_keyed(const struct evs_conntab *t, int slot, const uint8_t icky[8],
                       const uint8_t rcky[8], uint32_t peer);
void evs_conntab_del(struct evs_conntab *t, int slot);

/*
 * The entry for a datagram with these cookies from peer: with a responder cookie, the entry
 * with both cookies; without (all zero), the oldest entry with icky from peer. NULL if none.
 */
void *evs_conntab_find(const struct evs_conntab *t, const uint8_t icky[8], const uint8_t rcky[8],
                       uint32_t peer);
size_t evs_conntab_count(const struct evs_conntab *t);
size_t evs_conntab_max(const struct evs_conntab *t);

#endif
