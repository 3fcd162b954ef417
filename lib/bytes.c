/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounded big-endian reader and writer (see rd.h). Every reader checks the length before it
 * moves, so a failed read leaves the cursor where it was and the caller can report the exact
 * field that did not fit.
 */
#include <string.h>

#include "lib/bytes.h"

/* Never adds to a NULL pointer: an empty reader may be built from (NULL, 0). */
static void rd_advance(struct rd *r, size_t n)
{
	if (n) {
		r->p += n;
		r->left -= n;
	}
}

bool rd_u8(struct rd *r, uint8_t *v)
{
	if (r->left < 1)
		return false;
	*v = r->p[0];
	rd_advance(r, 1);
	return true;
}

bool rd_u16(struct rd *r, uint16_t *v)
{
	if (r->left < 2)
		return false;
	*v = (uint16_t)((unsigned)r->p[0] << 8 | r->p[1]);
	rd_advance(r, 2);
	return true;
}

bool rd_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return false;
	*v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 |
	     (uint32_t)r->p[3];
	rd_advance(r, 4);
	return true;
}

bool rd_copy(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return false;
	/* memcpy with a NULL pointer is undefined even for n == 0 */
	if (n)
		memcpy(out, r->p, n);
	rd_advance(r, n);
	return true;
}

bool rd_ptr(struct rd *r, size_t n, const uint8_t **p)
{
	if (r->left < n)
		return false;
	*p = r->p;
	rd_advance(r, n);
	return true;
}

bool rd_sub(struct rd *r, size_t n, struct rd *sub)
{
	if (r->left < n)
		return false;
	*sub = rd_init(r->p, n);
	rd_advance(r, n);
	return true;
}

bool rd_skip(struct rd *r, size_t n)
{
	if (r->left < n)
		return false;
	rd_advance(r, n);
	return true;
}

/* Reserves n bytes at the end; NULL (and err set) when they do not fit or an earlier write
 * already failed, so one overflow poisons the whole message. n == 0 gives NULL without error. */
static uint8_t *wr_reserve(struct wr *w, size_t n)
{
	if (w->err || n == 0)
		return NULL;
	if (n > w->cap - w->len) {
		w->err = true;
		return NULL;
	}
	uint8_t *p = w->buf + w->len;
	w->len += n;
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *p = wr_reserve(w, 1);
	if (p)
		p[0] = v;
}

void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *p = wr_reserve(w, 2);
	if (p)
		put16(p, v);
}

void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *p = wr_reserve(w, 4);
	if (p)
		put32(p, v);
}

void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *p = wr_reserve(w, n);
	if (p)
		memcpy(p, src, n);
}

void wr_zero(struct wr *w, size_t n)
{
	uint8_t *p = wr_reserve(w, n);
	if (p)
		memset(p, 0, n);
}

/* Patching is only allowed inside what was already written: a length field that was never
 * reserved means the builder lost track, which must not pass silently. */
void wr_put_u16(struct wr *w, size_t off, uint16_t v)
{
	if (w->err)
		return;
	if (off > w->len || w->len - off < 2) {
		w->err = true;
		return;
	}
	put16(w->buf + off, v);
}

void wr_put_u32(struct wr *w, size_t off, uint32_t v)
{
	if (w->err)
		return;
	if (off > w->len || w->len - off < 4) {
		w->err = true;
		return;
	}
	put32(w->buf + off, v);
}
