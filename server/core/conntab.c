/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evs's SA table: see conntab.h. Chained hashing over one array of entries and a free list. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/secret.h"
#include "server/core/conntab.h"

#define NIL (-1)

struct entry {
	uint8_t icky[8], rcky[8];
	uint32_t peer;
	void *v;            /* NULL: free */
	int32_t next_full;  /* chain of the cookie index; free list when free */
	int32_t next_first; /* chain of the first-message index */
	int32_t bucket_full, bucket_first;
};

struct evs_conntab {
	struct entry *e;
	size_t max, count;
	int32_t *full, *first; /* bucket heads, nb of each */
	size_t mask;           /* nb - 1 */
	int32_t free_head;
	uint64_t k0, k1;
};

/* ---- SipHash-2-4 (Aumasson and Bernstein), for inputs of whole 8-byte words ---- */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sipround(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = ROTL(v[1], 13);
	v[1] ^= v[0];
	v[0] = ROTL(v[0], 32);
	v[2] += v[3];
	v[3] = ROTL(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = ROTL(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = ROTL(v[1], 17);
	v[1] ^= v[2];
	v[2] = ROTL(v[2], 32);
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t x = 0;
	for (int i = 7; i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

static uint64_t siphash(const struct evs_conntab *t, const uint64_t *w, size_t n)
{
	uint64_t v[4] = {t->k0 ^ 0x736f6d6570736575ull, t->k1 ^ 0x646f72616e646f6dull,
	                 t->k0 ^ 0x6c7967656e657261ull, t->k1 ^ 0x7465646279746573ull};
	for (size_t i = 0; i < n; i++) {
		v[3] ^= w[i];
		sipround(v);
		sipround(v);
		v[0] ^= w[i];
	}
	uint64_t last = (uint64_t)(n * 8) << 56;
	v[3] ^= last;
	sipround(v);
	sipround(v);
	v[0] ^= last;
	v[2] ^= 0xff;
	for (int i = 0; i < 4; i++)
		sipround(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

static size_t hash_full(const struct evs_conntab *t, const uint8_t icky[8], const uint8_t rcky[8])
{
	uint64_t w[2] = {le64(icky), le64(rcky)};
	return (size_t)siphash(t, w, 2) & t->mask;
}

static size_t hash_first(const struct evs_conntab *t, const uint8_t icky[8], uint32_t peer)
{
	uint64_t w[2] = {le64(icky), peer};
	return (size_t)siphash(t, w, 2) & t->mask;
}

/* ---- table ---- */

struct evs_conntab *evs_conntab_new(size_t max, const uint8_t key[16])
{
	struct evs_conntab *t = NULL;
	size_t nb = 1;

	if (max < 1 || max > (size_t)1 << 20)
		return NULL;
	while (nb < max * 2) /* load factor at most 1/2 */
		nb <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->e = calloc(max, sizeof(*t->e));
	t->full = malloc(nb * sizeof(*t->full));
	t->first = malloc(nb * sizeof(*t->first));
	if (!t->e || !t->full || !t->first) {
		evs_conntab_free(t);
		return NULL;
	}
	for (size_t i = 0; i < nb; i++)
		t->full[i] = t->first[i] = NIL;
	for (size_t i = 0; i < max; i++)
		t->e[i].next_full = i + 1 < max ? (int32_t)(i + 1) : NIL;
	t->free_head = 0;
	t->max = max;
	t->mask = nb - 1;
	t->k0 = le64(key);
	t->k1 = le64(key + 8);
	return t;
}

void evs_conntab_free(struct evs_conntab *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->full);
	free(t->first);
	mem_wipe(t, sizeof(*t)); /* the hash key */
	free(t);
}

static void unlink_chain(struct evs_conntab *t, int32_t *head, int32_t slot, bool full)
{
	int32_t *p = head;
	while (*p != NIL) {
		struct entry *x = &t->e[*p];
		if (*p == slot) {
			*p = full ? x->next_full : x->next_first;
			return;
		}
		p = full ? &x->next_full : &x->next_first;
	}
}

/* Files e under its keys: at the tail of each chain, so that the oldest is found first. */
static void file_entry(struct evs_conntab *t, int32_t slot)
{
	struct entry *e = &t->e[slot];
	int32_t *p;

	e->bucket_full = (int32_t)hash_full(t, e->icky, e->rcky);
	e->bucket_first = (int32_t)hash_first(t, e->icky, e->peer);
	e->next_full = e->next_first = NIL;
	for (p = &t->full[e->bucket_full]; *p != NIL; p = &t->e[*p].next_full)
		;
	*p = slot;
	for (p = &t->first[e->bucket_first]; *p != NIL; p = &t->e[*p].next_first)
		;
	*p = slot;
}

static void unfile_entry(struct evs_conntab *t, int32_t slot)
{
	struct entry *e = &t->e[slot];
	unlink_chain(t, &t->full[e->bucket_full], slot, true);
	unlink_chain(t, &t->first[e->bucket_first], slot, false);
}

int evs_conntab_add(struct evs_conntab *t, const uint8_t icky[8], const uint8_t rcky[8],
                    uint32_t peer, void *v)
{
	if (t->free_head == NIL || !v)
		return -ENOSPC;
	int32_t slot = t->free_head;
	struct entry *e = &t->e[slot];
	t->free_head = e->next_full;
	memcpy(e->icky, icky, 8);
	memcpy(e->rcky, rcky, 8);
	e->peer = peer;
	e->v = v;
	file_entry(t, slot);
	t->count++;
	return slot;
}

static bool valid(const struct evs_conntab *t, int slot)
{
	return slot >= 0 && (size_t)slot < t->max && t->e[slot].v;
}

bool evs_conntab_keyed(const struct evs_conntab *t, int slot, const uint8_t icky[8],
                       const uint8_t rcky[8], uint32_t peer)
{
	if (!valid(t, slot))
		return false;
	const struct entry *e = &t->e[slot];
	return e->peer == peer && memcmp(e->icky, icky, 8) == 0 && memcmp(e->rcky, rcky, 8) == 0;
}

void evs_conntab_rekey(struct evs_conntab *t, int slot, const uint8_t icky[8],
                       const uint8_t rcky[8], uint32_t peer)
{
	if (!valid(t, slot))
		return;
	struct entry *e = &t->e[slot];
	unfile_entry(t, slot);
	memcpy(e->icky, icky, 8);
	memcpy(e->rcky, rcky, 8);
	e->peer = peer;
	file_entry(t, slot);
}

void evs_conntab_del(struct evs_conntab *t, int slot)
{
	if (!valid(t, slot))
		return;
	struct entry *e = &t->e[slot];
	unfile_entry(t, slot);
	memset(e, 0, sizeof(*e));
	e->next_full = t->free_head;
	t->free_head = slot;
	t->count--;
}

void *evs_conntab_find(const struct evs_conntab *t, const uint8_t icky[8], const uint8_t rcky[8],
                       uint32_t peer)
{
	static const uint8_t zero[8];
	int32_t i;

	if (memcmp(rcky, zero, 8) != 0) {
		for (i = t->full[hash_full(t, icky, rcky)]; i != NIL; i = t->e[i].next_full)
			if (memcmp(t->e[i].icky, icky, 8) == 0 &&
			    memcmp(t->e[i].rcky, rcky, 8) == 0)
				return t->e[i].v;
		return NULL;
	}
	for (i = t->first[hash_first(t, icky, peer)]; i != NIL; i = t->e[i].next_first)
		if (t->e[i].peer == peer && memcmp(t->e[i].icky, icky, 8) == 0)
			return t->e[i].v;
	return NULL;
}

size_t evs_conntab_count(const struct evs_conntab *t)
{
	return t->count;
}

size_t evs_conntab_max(const struct evs_conntab *t)
{
	return t->max;
}
