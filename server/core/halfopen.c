/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Half-open SAs in one array in arrival order (oldest first); it holds at most a few hundred. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/halfopen.h"

struct entry {
	uint64_t key;
	uint32_t peer;
};

struct evs_halfopen {
	struct entry *v;
	size_t n, total, per_peer;
};

struct evs_halfopen *evs_halfopen_new(size_t total, size_t per_peer)
{
	struct evs_halfopen *h;

	if (!total || !per_peer || per_peer > total)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->v = calloc(total, sizeof(*h->v));
	if (!h->v) {
		free(h);
		return NULL;
	}
	h->total = total;
	h->per_peer = per_peer;
	return h;
}

void evs_halfopen_free(struct evs_halfopen *h)
{
	if (!h)
		return;
	free(h->v);
	free(h);
}

size_t evs_halfopen_count(const struct evs_halfopen *h)
{
	return h->n;
}

size_t evs_halfopen_count_peer(const struct evs_halfopen *h, uint32_t peer)
{
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		n += h->v[i].peer == peer;
	return n;
}

uint64_t evs_halfopen_victim(const struct evs_halfopen *h, uint32_t peer)
{
	if (evs_halfopen_count_peer(h, peer) >= h->per_peer) {
		for (size_t i = 0; i < h->n; i++)
			if (h->v[i].peer == peer)
				return h->v[i].key;
	}
	return h->n >= h->total ? h->v[0].key : 0;
}

static size_t index_of(const struct evs_halfopen *h, uint64_t key)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].key == key)
			return i;
	return h->n;
}

int evs_halfopen_add(struct evs_halfopen *h, uint64_t key, uint32_t peer)
{
	if (!key)
		return -EINVAL;
	if (index_of(h, key) < h->n)
		return -EEXIST;
	if (h->n >= h->total || evs_halfopen_count_peer(h, peer) >= h->per_peer)
		return -ENOSPC;
	h->v[h->n++] = (struct entry){key, peer};
	return 0;
}

void evs_halfopen_remove(struct evs_halfopen *h, uint64_t key)
{
	size_t i = index_of(h, key);

	if (i == h->n)
		return;
	memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(*h->v));
	h->n--;
}
