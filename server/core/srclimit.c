/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-source token buckets in a fixed open-addressing table. */
#include <stdlib.h>

#include "server/core/srclimit.h"

/* Slots looked at for one address: its own place and the next ones. */
#define SRCLIMIT_PROBE 8
/* Tokens are counted in thousandths so that per_s refills smoothly by the millisecond. */
#define SRCLIMIT_MILLI 1000u

struct bucket {
	uint32_t addr;
	bool used;
	uint64_t milli; /* tokens x 1000 */
	uint64_t at_ms; /* when milli was last brought up to date */
};

struct evs_srclimit {
	struct bucket *b;
	size_t n;
	uint64_t cap_milli;
	unsigned per_s;
};

struct evs_srclimit *evs_srclimit_new(size_t slots, unsigned burst, unsigned per_s)
{
	struct evs_srclimit *l;

	if (!slots || !burst || !per_s)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->b = calloc(slots, sizeof(*l->b));
	if (!l->b) {
		free(l);
		return NULL;
	}
	l->n = slots;
	l->cap_milli = (uint64_t)burst * SRCLIMIT_MILLI;
	l->per_s = per_s;
	return l;
}

void evs_srclimit_free(struct evs_srclimit *l)
{
	if (!l)
		return;
	free(l->b);
	free(l);
}

static size_t home(const struct evs_srclimit *l, uint32_t addr)
{
	return (size_t)((addr * 2654435761u) >> 8) % l->n;
}

static void refill(const struct evs_srclimit *l, struct bucket *b, uint64_t now_ms)
{
	if (now_ms <= b->at_ms)
		return;
	uint64_t dt = now_ms - b->at_ms;
	/* a bucket idle long enough is full; this also keeps the product below from overflowing */
	if (dt >= l->cap_milli)
		b->milli = l->cap_milli;
	else if ((b->milli += dt * l->per_s) > l->cap_milli)
		b->milli = l->cap_milli;
	b->at_ms = now_ms;
}

/*
 * The slot of addr, or the slot it takes over: an empty one, else the one whose bucket holds
 * the most tokens. A full bucket is no loss (its address would
 * start full anyway), while an emptied one is the memory of a sender being limited: a flood
 * from many addresses must not wash it out.
 */
static struct bucket *slot(struct evs_srclimit *l, uint32_t addr, uint64_t now_ms)
{
	struct bucket *victim = NULL;
	size_t h = home(l, addr);

	for (size_t i = 0; i < SRCLIMIT_PROBE && i < l->n; i++) {
		struct bucket *b = &l->b[(h + i) % l->n];
		if (b->used && b->addr == addr)
			return b;
		if (!b->used) {
			if (!victim || victim->used)
				victim = b;
			continue;
		}
		if (victim && !victim->used)
			continue;
		refill(l, b, now_ms);
		if (!victim || b->milli > victim->milli)
			victim = b;
	}
	*victim =
	    (struct bucket){.addr = addr, .used = true, .milli = l->cap_milli, .at_ms = now_ms};
	return victim;
}

bool evs_srclimit_take(struct evs_srclimit *l, uint32_t addr, uint64_t now_ms)
{
	struct bucket *b = slot(l, addr, now_ms);

	refill(l, b, now_ms);
	if (b->milli < SRCLIMIT_MILLI)
		return false;
	b->milli -= SRCLIMIT_MILLI;
	return true;
}
