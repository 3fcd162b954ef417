/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "tun/pkt.h"

struct pkt_pool {
	struct pkt *free;
	size_t avail;
	size_t n;
	struct pkt *mem;
};

void pkt_reset(struct pkt *p, size_t headroom)
{
	if (headroom > PKT_BUFSZ)
		headroom = PKT_BUFSZ;
	p->data = p->buf + headroom;
	p->len = 0;
}

size_t pkt_headroom(const struct pkt *p)
{
	return (size_t)(p->data - p->buf);
}

size_t pkt_tailroom(const struct pkt *p)
{
	return PKT_BUFSZ - pkt_headroom(p) - p->len;
}

uint8_t *pkt_push(struct pkt *p, size_t n)
{
	if (n > pkt_headroom(p))
		return NULL;
	p->data -= n;
	p->len += n;
	return p->data;
}

uint8_t *pkt_append(struct pkt *p, size_t n)
{
	if (n > pkt_tailroom(p))
		return NULL;
	uint8_t *t = p->data + p->len;
	p->len += n;
	return t;
}

bool pkt_pull(struct pkt *p, size_t n)
{
	if (n > p->len)
		return false;
	p->data += n;
	p->len -= n;
	return true;
}

bool pkt_trim(struct pkt *p, size_t len)
{
	if (len > p->len)
		return false;
	p->len = len;
	return true;
}

bool pkt_set(struct pkt *p, const void *src, size_t len)
{
	pkt_reset(p, PKT_HEADROOM);
	uint8_t *d = pkt_append(p, len);
	if (!d)
		return false;
	memcpy(d, src, len);
	return true;
}

struct pkt_pool *pkt_pool_new(size_t n)
{
	struct pkt_pool *pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	if (n) {
		pool->mem = aligned_alloc(alignof(struct pkt), n * sizeof(struct pkt));
		if (!pool->mem) {
			free(pool);
			return NULL;
		}
	}
	pool->n = n;
	for (size_t i = 0; i < n; i++) {
		pool->mem[i].pkt_next = pool->free;
		pool->free = &pool->mem[i];
	}
	pool->avail = n;
	return pool;
}

void pkt_pool_free(struct pkt_pool *pool)
{
	if (!pool)
		return;
	free(pool->mem);
	free(pool);
}

struct pkt *pkt_alloc(struct pkt_pool *pool)
{
	struct pkt *p = pool->free;
	if (!p)
		return NULL;
	pool->free = p->pkt_next;
	pool->avail--;
	p->pkt_next = NULL;
	pkt_reset(p, PKT_HEADROOM);
	return p;
}

void pkt_release(struct pkt_pool *pool, struct pkt *p)
{
	if (!p)
		return;
	p->pkt_next = pool->free;
	pool->free = p;
	pool->avail++;
}

size_t pkt_pool_avail(const struct pkt_pool *pool)
{
	return pool->avail;
}
