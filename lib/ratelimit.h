/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rate limit for log lines a peer can trigger (bad ICVs, replays, unknown SPIs): a burst of
 * RATELIMIT_BURST lines per RATELIMIT_INTERVAL_MS, then silence with a count of what was held
 * back. The clock is passed in so that the limiter is a pure function of its inputs.
 */
#ifndef EVC_LIB_RATELIMIT_H
#define EVC_LIB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_BURST 10u
#define RATELIMIT_INTERVAL_MS 5000u

struct ratelimit {
	uint64_t start_ms; /* beginning of the current interval */
	unsigned used;     /* lines let through in it */
	uint64_t missed;   /* lines held back since the last line let through */
	bool started;
};

/*
 * True when a line may be logged now. When it returns true after lines were held back,
 * *missed is their number (0 otherwise), so the caller can say "N similar lines suppressed".
 */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ms, uint64_t *missed);

#endif
