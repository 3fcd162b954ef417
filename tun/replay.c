/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <string.h>

#include "tun/replay.h"

void esp_replay_init(struct esp_replay *r)
{
	memset(r, 0, sizeof(*r));
}

static unsigned word_of(uint32_t seq)
{
	return (seq / 64u) % ESP_REPLAY_WORDS;
}

static uint64_t bit_of(uint32_t seq)
{
	return 1ull << (seq % 64u);
}

bool esp_replay_check(const struct esp_replay *r, uint32_t seq)
{
	if (seq == 0)
		return false;
	if (seq > r->top)
		return true;
	if (r->top - seq >= ESP_REPLAY_WINDOW)
		return false;
	return !(r->ring[word_of(seq)] & bit_of(seq));
}

bool esp_replay_commit(struct esp_replay *r, uint32_t seq)
{
	if (!esp_replay_check(r, seq))
		return false;
	if (seq > r->top) {
		/* Clear the words the window slides over; beyond a full ring everything goes. */
		uint32_t old_word = r->top / 64u, new_word = seq / 64u;
		uint32_t steps = new_word - old_word;
		if (steps > ESP_REPLAY_WORDS)
			steps = ESP_REPLAY_WORDS;
		for (uint32_t i = 1; i <= steps; i++)
			r->ring[(old_word + i) % ESP_REPLAY_WORDS] = 0;
		r->top = seq;
	}
	r->ring[word_of(seq)] |= bit_of(seq);
	return true;
}

uint32_t esp_replay_top(const struct esp_replay *r)
{
	return r->top;
}
