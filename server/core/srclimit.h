/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A token bucket per source address for the first messages evs answers. Each answered first
 * message costs a DH key pair and an answer about ten times its size, so a sender, or a
 * forger using someone's address, gets a small burst and then a steady trickle; a real client
 * whose first message was dropped gets in with its retransmission a second later.
 *
 * The table has a fixed number of slots, made once: a flood from many addresses reuses the
 * least recently used slots instead of growing it, and nothing is allocated per packet.
 */
#ifndef EVC_SERVER_SRCLIMIT_H
#define EVC_SERVER_SRCLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evs_srclimit;

/* slots addresses remembered, burst tokens at most, per_s tokens added per second.
 * NULL when an argument is 0 or memory runs out. */
struct evs_srclimit *evs_srclimit_new(size_t slots, unsigned burst, unsigned per_s);
void evs_srclimit_free(struct evs_srclimit *l);

/* Takes a token for addr at now_ms (a monotonic clock): true when one was there. A source
 * not seen before (or forgotten) starts with a full bucket. */
bool evs_srclimit_take(struct evs_srclimit *l, uint32_t addr, uint64_t now_ms);

#endif
