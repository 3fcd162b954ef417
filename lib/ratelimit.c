/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lib/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ms, uint64_t *missed)
{
	*missed = 0;
	if (!rl->started || now_ms - rl->start_ms >= RATELIMIT_INTERVAL_MS) {
		rl->started = true;
		rl->start_ms = now_ms;
		rl->used = 0;
	}
	if (rl->used >= RATELIMIT_BURST) {
		rl->missed++;
		return false;
	}
	rl->used++;
	*missed = rl->missed;
	rl->missed = 0;
	return true;
}
