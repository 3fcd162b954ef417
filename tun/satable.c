/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tun/satable.h"

/* 256 buckets to start (evc has one or a few SAs), doubled whenever the SAs outnumber them,
 * so that a datagram's lookup stays a step or two with evs's thousands of clients. */
#define SATAB_MIN_BITS 8u
#define SATAB_MAX_BITS 20u

struct satab {
	struct sa_entry **spi_bucket, **host_bucket; /* 1 << bits each */
	unsigned bits;
	struct sa_entry **nets; /* sorted: longer prefix first, then newer first */
	size_t n_nets, cap_nets;
	size_t count;
	uint64_t next_gen;
};

/* Multiplicative hashing; the top bits are the well-mixed ones. */
static unsigned bucket(const struct satab *t, uint32_t key)
{
	return (unsigned)((key * 2654435761u) >> (32 - t->bits));
}

int satab_prefix_len(uint32_t mask)
{
	uint32_t inv = ~mask;
	if (inv & (inv + 1))
		return -1;
	return __builtin_popcount(mask);
}

static bool is_host(const struct sa_entry *e)
{
	return e->remote_ts.mask == UINT32_MAX;
}

/* True when a should come before b in the prefix array. */
static bool net_before(const struct sa_entry *a, const struct sa_entry *b)
{
	int la = satab_prefix_len(a->remote_ts.mask), lb = satab_prefix_len(b->remote_ts.mask);
	if (la != lb)
		return la > lb;
	return a->gen > b->gen;
}

struct satab *satab_new(void)
{
	struct satab *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->next_gen = 1;
	t->bits = SATAB_MIN_BITS;
	t->spi_bucket = calloc((size_t)1 << t->bits, sizeof(*t->spi_bucket));
	t->host_bucket = calloc((size_t)1 << t->bits, sizeof(*t->host_bucket));
	if (!t->spi_bucket || !t->host_bucket) {
		satab_free(t);
		return NULL;
	}
	return t;
}

void satab_free(struct satab *t)
{
	if (!t)
		return;
	free(t->spi_bucket);
	free(t->host_bucket);
	free(t->nets);
	free(t);
}

/*
 * Twice the buckets. A host chain keeps its order (newest first: a rekey's SA sends), so each
 * entry is appended behind the ones moved before it from the same old chain. Without memory
 * for the bigger table the old one stays, only slower.
 */
static void grow(struct satab *t)
{
	unsigned bits = t->bits + 1;
	size_t nb = (size_t)1 << bits, ob = (size_t)1 << t->bits;
	struct sa_entry **spi = calloc(nb, sizeof(*spi)), **host = calloc(nb, sizeof(*host));
	struct sa_entry ***tail = calloc(nb, sizeof(*tail));
	if (!spi || !host || !tail)
		goto out;
	struct satab n = {.bits = bits};
	for (size_t b = 0; b < nb; b++)
		tail[b] = &host[b];
	for (size_t b = 0; b < ob; b++) {
		struct sa_entry *e, *next;
		for (e = t->spi_bucket[b]; e; e = next) {
			unsigned h = bucket(&n, e->spi_in);
			next = e->spi_next;
			e->spi_next = spi[h];
			spi[h] = e;
		}
		for (e = t->host_bucket[b]; e; e = next) {
			unsigned h = bucket(&n, e->remote_ts.addr);
			next = e->host_next;
			e->host_next = NULL;
			*tail[h] = e;
			tail[h] = &e->host_next;
		}
	}
	free(t->spi_bucket);
	free(t->host_bucket);
	t->spi_bucket = spi;
	t->host_bucket = host;
	t->bits = bits;
	spi = host = NULL;
out:
	free(spi);
	free(host);
	free(tail);
}

struct sa_entry *satab_by_spi(const struct satab *t, uint32_t spi_in)
{
	for (struct sa_entry *e = t->spi_bucket[bucket(t, spi_in)]; e; e = e->spi_next)
		if (e->spi_in == spi_in)
			return e;
	return NULL;
}

static int nets_insert(struct satab *t, struct sa_entry *e)
{
	if (t->n_nets == t->cap_nets) {
		size_t cap = t->cap_nets ? 2 * t->cap_nets : 8;
		struct sa_entry **n = realloc(t->nets, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		t->nets = n;
		t->cap_nets = cap;
	}
	size_t i = 0;
	while (i < t->n_nets && net_before(t->nets[i], e))
		i++;
	memmove(&t->nets[i + 1], &t->nets[i], (t->n_nets - i) * sizeof(*t->nets));
	t->nets[i] = e;
	t->n_nets++;
	return 0;
}

int satab_insert(struct satab *t, struct sa_entry *e)
{
	if (satab_by_spi(t, e->spi_in))
		return -EEXIST;
	if (t->count >= ((size_t)1 << t->bits) && t->bits < SATAB_MAX_BITS)
		grow(t);
	e->gen = t->next_gen++;
	if (is_host(e)) {
		/* Newest first, so the head of a chain is the SA a rekey installed last. */
		unsigned h = bucket(t, e->remote_ts.addr);
		e->host_next = t->host_bucket[h];
		t->host_bucket[h] = e;
	} else {
		int ret = nets_insert(t, e);
		if (ret)
			return ret;
	}
	unsigned b = bucket(t, e->spi_in);
	e->spi_next = t->spi_bucket[b];
	t->spi_bucket[b] = e;
	t->count++;
	return 0;
}

static void unlink_route(struct satab *t, struct sa_entry *e)
{
	if (is_host(e)) {
		struct sa_entry **pp = &t->host_bucket[bucket(t, e->remote_ts.addr)];
		while (*pp && *pp != e)
			pp = &(*pp)->host_next;
		if (*pp)
			*pp = e->host_next;
		return;
	}
	for (size_t i = 0; i < t->n_nets; i++) {
		if (t->nets[i] == e) {
			memmove(&t->nets[i], &t->nets[i + 1],
			        (t->n_nets - i - 1) * sizeof(*t->nets));
			t->n_nets--;
			return;
		}
	}
}

struct sa_entry *satab_remove(struct satab *t, uint32_t spi_in)
{
	struct sa_entry **pp = &t->spi_bucket[bucket(t, spi_in)];
	while (*pp && (*pp)->spi_in != spi_in)
		pp = &(*pp)->spi_next;
	struct sa_entry *e = *pp;
	if (!e)
		return NULL;
	*pp = e->spi_next;
	unlink_route(t, e);
	e->spi_next = e->host_next = NULL;
	t->count--;
	return e;
}

static bool covers(const struct evc_net *n, uint32_t a)
{
	return (a & n->mask) == n->addr;
}

struct sa_entry *satab_route(const struct satab *t, uint32_t src, uint32_t dst)
{
	for (struct sa_entry *e = t->host_bucket[bucket(t, dst)]; e; e = e->host_next)
		if (e->remote_ts.addr == dst && !e->expired)
			return e;
	/* A router in network-extension mode has one pair per LAN, all with the same remote
	 * selector: the source picks the LAN's pair. A source no selector covers keeps the old
	 * choice (the first by destination), which the peer judges. */
	struct sa_entry *first = NULL;
	for (size_t i = 0; i < t->n_nets; i++) {
		struct sa_entry *e = t->nets[i];
		if (!covers(&e->remote_ts, dst) || e->expired)
			continue;
		if (covers(&e->local_ts, src))
			return e;
		if (!first)
			first = e;
	}
	return first;
}

struct sa_entry *satab_any(const struct satab *t)
{
	for (size_t b = 0; b < ((size_t)1 << t->bits); b++)
		if (t->spi_bucket[b])
			return t->spi_bucket[b];
	return NULL;
}

size_t satab_count(const struct satab *t)
{
	return t->count;
}
