/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The three gates in front of a new IKE SA, and their rate-limited log lines. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "server/core/admit.h"
#include "server/core/firstmsg.h"
#include "server/core/halfopen.h"
#include "server/core/srclimit.h"
#include "lib/ipv4.h"

struct evs_admit {
	struct evs_halfopen *ho;
	struct evs_srclimit *rl;
	struct evs_admit_limits lim;
	void (*log)(void *ctx, enum ike_log_level lvl, const char *msg);
	void *ctx;
	struct evs_admit_stats st;
	uint64_t rate_logged_at, evict_logged_at;
	bool rate_logged, evict_logged;
};

struct evs_admit *evs_admit_new(const struct evs_admit_limits *lim,
                                void (*log)(void *ctx, enum ike_log_level lvl, const char *msg),
                                void *ctx)
{
	static const struct evs_admit_limits def = {
	    EVS_ADMIT_HALF_OPEN, EVS_ADMIT_HALF_OPEN_PER_PEER, EVS_ADMIT_SOURCES, EVS_ADMIT_BURST,
	    EVS_ADMIT_PER_S,
	};
	struct evs_admit *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->lim = lim ? *lim : def;
	a->log = log;
	a->ctx = ctx;
	a->ho = evs_halfopen_new(a->lim.half_open, a->lim.half_open_per_peer);
	a->rl = evs_srclimit_new(a->lim.sources, a->lim.burst, a->lim.per_s);
	if (!a->ho || !a->rl) {
		evs_admit_free(a);
		return NULL;
	}
	return a;
}

void evs_admit_free(struct evs_admit *a)
{
	if (!a)
		return;
	evs_halfopen_free(a->ho);
	evs_srclimit_free(a->rl);
	free(a);
}

/* At most one line per EVS_ADMIT_LOG_MS for each kind of event (*at, *done). */
static void __attribute__((format(printf, 6, 7)))
logrl(struct evs_admit *a, enum ike_log_level lvl, uint64_t now, uint64_t *at, bool *done,
      const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	if (!a->log || (*done && now - *at < EVS_ADMIT_LOG_MS))
		return;
	*at = now;
	*done = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->log(a->ctx, lvl, msg);
}

bool evs_admit_first(struct evs_admit *a, const uint8_t *msg, size_t len, uint32_t peer,
                     uint64_t now_ms, uint64_t *evict)
{
	const char *why = NULL;
	char s[20];

	*evict = 0;
	ipv4_str(peer, s, sizeof(s));
	if (!evs_first_msg_check(msg, len, &why)) {
		a->st.not_first++;
		if (a->log) {
			char m[200];
			snprintf(m, sizeof(m), "dropped a datagram from %s that starts no SA: %s",
			         s, why);
			a->log(a->ctx, IKE_LOG_DEBUG, m);
		}
		return false;
	}
	if (!evs_srclimit_take(a->rl, peer, now_ms)) {
		a->st.rate++;
		logrl(
		    a, IKE_LOG_WARN, now_ms, &a->rate_logged_at, &a->rate_logged,
		    "rate-limiting first messages from %s (more than %u at once or %u per second; "
		    "%llu dropped so far)",
		    s, a->lim.burst, a->lim.per_s, (unsigned long long)a->st.rate);
		return false;
	}
	*evict = evs_halfopen_victim(a->ho, peer);
	if (*evict) {
		size_t same = evs_halfopen_count_peer(a->ho, peer), all = evs_halfopen_count(a->ho);
		a->st.evicted++;
		logrl(
		    a, IKE_LOG_WARN, now_ms, &a->evict_logged_at, &a->evict_logged,
		    "%zu half-open SAs from %s, %zu in all (limits %zu and %zu): ending the oldest "
		    "%s to admit a new first message (%llu ended so far)",
		    same, s, all, a->lim.half_open_per_peer, a->lim.half_open,
		    same >= a->lim.half_open_per_peer ? "of that sender" : "of all",
		    (unsigned long long)a->st.evicted);
	}
	return true;
}

int evs_admit_opened(struct evs_admit *a, uint64_t key, uint32_t peer)
{
	return evs_halfopen_add(a->ho, key, peer);
}

void evs_admit_done(struct evs_admit *a, uint64_t key)
{
	evs_halfopen_remove(a->ho, key);
}

void evs_admit_stats(const struct evs_admit *a, struct evs_admit_stats *out)
{
	*out = a->st;
	out->half_open = evs_halfopen_count(a->ho);
}
