/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP anti-replay window (RFC 4303 3.4.3), as a ring of 64-bit words in the style of RFC 6479:
 * advancing the window clears whole words instead of shifting a bitmap, so a jump costs at
 * most ESP_REPLAY_WORDS stores whatever its size.
 *
 * The split into check and commit is the point: esp_replay_check() is cheap and runs before
 * the ICV is computed, so replays are dropped without spending a MAC; esp_replay_commit() runs
 * only after the packet authenticated, so a forged packet can never move the window.
 *
 * Sequence numbers are 32 bits (no ESN). 0 is never valid: senders start at 1.
 * The struct is public only so that an SA can embed it without an allocation; its fields are
 * private to replay.c.
 */
#ifndef EVC_TUN_REPLAY_H
#define EVC_TUN_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define ESP_REPLAY_WORDS 16u
#define ESP_REPLAY_BITS (ESP_REPLAY_WORDS * 64u)
/*
 * How far behind the highest accepted number a packet may arrive. One word is kept out of the
 * window so that the word being cleared on advance never holds live bits.
 */
#define ESP_REPLAY_WINDOW (ESP_REPLAY_BITS - 64u)

struct esp_replay {
	uint32_t top; /* highest committed sequence number, 0 before the first packet */
	uint64_t ring[ESP_REPLAY_WORDS];
};

void esp_replay_init(struct esp_replay *r);
/* True when seq is acceptable: not 0, not seen, not older than the window. */
bool esp_replay_check(const struct esp_replay *r, uint32_t seq);
/*
 * Marks seq as seen and slides the window forward if seq is new. Checks again and returns
 * false (leaving the window unchanged) if seq is no longer acceptable, so that a caller that
 * checked long before committing cannot record a duplicate twice.
 */
bool esp_replay_commit(struct esp_replay *r, uint32_t seq);
/* Highest committed sequence number (0 before the first packet). */
uint32_t esp_replay_top(const struct esp_replay *r);

#endif
