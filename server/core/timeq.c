/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Deadlines of evs's IKE SAs: see timeq.h. */
#include <stdlib.h>

#include "server/core/timeq.h"

#define NOWHERE SIZE_MAX

struct evs_timeq {
	size_t max, n;
	size_t *heap; /* ids, earliest first */
	size_t *pos;  /* id -> index in heap, or NOWHERE */
	uint64_t *at; /* id -> deadline */
};

struct evs_timeq *evs_timeq_new(size_t max)
{
	struct evs_timeq *q = calloc(1, sizeof(*q));
	if (!q || !max)
		goto fail;
	q->heap = calloc(max, sizeof(*q->heap));
	q->pos = calloc(max, sizeof(*q->pos));
	q->at = calloc(max, sizeof(*q->at));
	if (!q->heap || !q->pos || !q->at)
		goto fail;
	for (size_t i = 0; i < max; i++)
		q->pos[i] = NOWHERE;
	q->max = max;
	return q;
fail:
	evs_timeq_free(q);
	return NULL;
}

void evs_timeq_free(struct evs_timeq *q)
{
	if (!q)
		return;
	free(q->heap);
	free(q->pos);
	free(q->at);
	free(q);
}

static void place(struct evs_timeq *q, size_t i, size_t id)
{
	q->heap[i] = id;
	q->pos[id] = i;
}

static void sift_up(struct evs_timeq *q, size_t i)
{
	size_t id = q->heap[i];
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (q->at[q->heap[parent]] <= q->at[id])
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, id);
}

static void sift_down(struct evs_timeq *q, size_t i)
{
	size_t id = q->heap[i];
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->n)
			break;
		if (c + 1 < q->n && q->at[q->heap[c + 1]] < q->at[q->heap[c]])
			c++;
		if (q->at[id] <= q->at[q->heap[c]])
			break;
		place(q, i, q->heap[c]);
		i = c;
	}
	place(q, i, id);
}

static void take_out(struct evs_timeq *q, size_t id)
{
	size_t i = q->pos[id];
	q->pos[id] = NOWHERE;
	q->n--;
	if (i == q->n)
		return;
	size_t moved = q->heap[q->n];
	place(q, i, moved);
	sift_up(q, i);
	if (q->pos[moved] == i)
		sift_down(q, i);
}

void evs_timeq_set(struct evs_timeq *q, size_t id, uint64_t at)
{
	if (id >= q->max)
		return;
	if (at == UINT64_MAX) {
		if (q->pos[id] != NOWHERE)
			take_out(q, id);
		return;
	}
	q->at[id] = at;
	if (q->pos[id] == NOWHERE) {
		place(q, q->n++, id);
		sift_up(q, q->n - 1);
		return;
	}
	sift_up(q, q->pos[id]);
	sift_down(q, q->pos[id]);
}

uint64_t evs_timeq_peek(const struct evs_timeq *q, size_t *id)
{
	if (!q->n)
		return UINT64_MAX;
	if (id)
		*id = q->heap[0];
	return q->at[q->heap[0]];
}
