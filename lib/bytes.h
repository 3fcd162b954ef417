/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one bounded reader and writer for all wire data. Every accessor checks the bytes left
 * and leaves the cursor untouched on failure, so a short or lying length is a false return,
 * never an out-of-bounds access. All integers are big-endian.
 */
#ifndef EVC_LIB_BYTES_H
#define EVC_LIB_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rd {
	const uint8_t *p;
	size_t left;
};

static inline struct rd rd_init(const void *p, size_t len)
{
	struct rd r = {(const uint8_t *)p, len};
	return r;
}

bool rd_u8(struct rd *r, uint8_t *v);
bool rd_u16(struct rd *r, uint16_t *v);
bool rd_u32(struct rd *r, uint32_t *v);
/* Copies n bytes into out. */
bool rd_copy(struct rd *r, void *out, size_t n);
/* Points *p at the next n bytes and consumes them. */
bool rd_ptr(struct rd *r, size_t n, const uint8_t **p);
/* Splits off the next n bytes as a reader of their own. */
bool rd_sub(struct rd *r, size_t n, struct rd *sub);
bool rd_skip(struct rd *r, size_t n);

/*
 * Writer over a caller-owned buffer. On overflow it sets err and ignores further writes, so
 * a builder checks once at the end instead of after every field.
 */
struct wr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool err;
};

static inline struct wr wr_init(void *buf, size_t cap)
{
	struct wr w = {(uint8_t *)buf, cap, 0, false};
	return w;
}

void wr_u8(struct wr *w, uint8_t v);
void wr_u16(struct wr *w, uint16_t v);
void wr_u32(struct wr *w, uint32_t v);
void wr_bytes(struct wr *w, const void *p, size_t n);
void wr_zero(struct wr *w, size_t n);
/* Overwrites an already written big-endian u16/u32 at offset off (for length fields). */
void wr_put_u16(struct wr *w, size_t off, uint16_t v);
void wr_put_u32(struct wr *w, size_t off, uint32_t v);

#endif
