/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Address pools: one slot per address, remembering its last owner for sticky reuse.
 *
 * Addresses never handed out are always the tail [fresh, size) of the range, because they
 * are taken lowest first; a bitmap marks the free addresses handed out before. A lookup thus
 * visits only those (64 at a time), so a full 65536-address pool costs about a thousand word
 * tests per connection rather than a walk over every slot.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/pool.h"

struct pool_slot {
	char *owner;   /* who had (or has) it; NULL: no named owner */
	uint32_t hash; /* of owner, to skip most string comparisons */
	bool used;
	uint64_t released; /* release stamp, for least-recently-released reuse */
};

struct evs_pool {
	uint32_t first;
	size_t size, in_use;
	size_t fresh;    /* slots from here on were never handed out */
	uint64_t *avail; /* bit i: slot i is free and was handed out before */
	uint64_t stamp;
	struct pool_slot *slots;
};

static uint32_t owner_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct evs_pool *evs_pool_new(uint32_t first, uint32_t last)
{
	struct evs_pool *pool;

	if (last < first || (uint64_t)last - first + 1 > EVS_POOL_MAX_ADDRS)
		return NULL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	pool->first = first;
	pool->size = (size_t)(last - first) + 1;
	pool->slots = calloc(pool->size, sizeof(*pool->slots));
	pool->avail = calloc((pool->size + 63) / 64, sizeof(*pool->avail));
	if (!pool->slots || !pool->avail) {
		evs_pool_free(pool);
		return NULL;
	}
	return pool;
}

void evs_pool_free(struct evs_pool *pool)
{
	if (!pool)
		return;
	if (pool->slots)
		for (size_t i = 0; i < pool->size; i++)
			free(pool->slots[i].owner);
	free(pool->slots);
	free(pool->avail);
	free(pool);
}

/*
 * The slot to hand out to owner: the free one owner had, else a fresh one, else the one
 * released longest ago; pool->size when none is free.
 */
static size_t pick(const struct evs_pool *pool, const char *owner)
{
	uint32_t h = owner ? owner_hash(owner) : 0;
	size_t oldest = pool->size;

	for (size_t w = 0; w * 64 < pool->fresh; w++) {
		for (uint64_t bits = pool->avail[w]; bits; bits &= bits - 1) {
			size_t i = w * 64 + (size_t)__builtin_ctzll(bits);
			const struct pool_slot *s = &pool->slots[i];

			if (owner && s->owner && s->hash == h && strcmp(s->owner, owner) == 0)
				return i;
			if (oldest == pool->size || s->released < pool->slots[oldest].released)
				oldest = i;
		}
	}
	return pool->fresh < pool->size ? pool->fresh : oldest;
}

int evs_pool_alloc(struct evs_pool *pool, const char *owner, uint32_t *addr)
{
	struct pool_slot *s;
	size_t i;

	if (pool->in_use == pool->size)
		return -ENOSPC;
	i = pick(pool, owner);
	if (i == pool->size)
		return -ENOSPC;
	s = &pool->slots[i];
	if (!owner) {
		/* the previous owner's claim ends when someone else gets the address */
		free(s->owner);
		s->owner = NULL;
	} else if (!(s->owner && strcmp(s->owner, owner) == 0)) {
		char *o = strdup(owner);

		if (!o)
			return -ENOMEM;
		free(s->owner);
		s->owner = o;
		s->hash = owner_hash(owner);
	}
	if (i == pool->fresh)
		pool->fresh++;
	else
		pool->avail[i / 64] &= ~(UINT64_C(1) << (i % 64));
	s->used = true;
	pool->in_use++;
	*addr = pool->first + (uint32_t)i;
	return 0;
}

int evs_pool_claim(struct evs_pool *pool, uint32_t addr, const char *owner)
{
	if (!evs_pool_contains(pool, addr))
		return -ENOENT;
	size_t i = addr - pool->first;
	struct pool_slot *s = &pool->slots[i];
	if (s->used)
		return -EBUSY;
	char *o = owner ? strdup(owner) : NULL;
	if (owner && !o)
		return -ENOMEM;
	free(s->owner);
	s->owner = o;
	s->hash = o ? owner_hash(o) : 0;
	/* the never-handed-out slots skipped on the way become free ones handed out before */
	for (; pool->fresh <= i; pool->fresh++)
		pool->avail[pool->fresh / 64] |= UINT64_C(1) << (pool->fresh % 64);
	pool->avail[i / 64] &= ~(UINT64_C(1) << (i % 64));
	s->used = true;
	pool->in_use++;
	return 0;
}

bool evs_pool_contains(const struct evs_pool *pool, uint32_t addr)
{
	return addr >= pool->first && (uint64_t)(addr - pool->first) < pool->size;
}

int evs_pool_release(struct evs_pool *pool, uint32_t addr)
{
	struct pool_slot *s;
	size_t i;

	if (!evs_pool_contains(pool, addr))
		return -ENOENT;
	i = addr - pool->first;
	s = &pool->slots[i];
	if (!s->used)
		return -ENOENT;
	s->used = false;
	s->released = ++pool->stamp;
	pool->avail[i / 64] |= UINT64_C(1) << (i % 64);
	pool->in_use--;
	return 0;
}

size_t evs_pool_size(const struct evs_pool *pool)
{
	return pool->size;
}

size_t evs_pool_in_use(const struct evs_pool *pool)
{
	return pool->in_use;
}
