/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one bounded reader and writer for all wire data. Every accessor checks the bytes left
 * and leaves the cursor untouched on failure, so a short or lying length is a false return,
 * never an out-of-bounds access. All integers are big-endian.
 */
#ifndef EVC_IKE_RD_H
#define EVC_IKE_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ike_rd {
	const uint8_t *p;
	size_t left;
};

static inline struct ike_rd ike_rd_init(const void *p, size_t len)
{
	struct ike_rd r = {(const uint8_t *)p, len};
	return r;
}

bool ike_rd_u8(struct ike_rd *r, uint8_t *v);
bool ike_rd_u16(struct ike_rd *r, uint16_t *v);
bool ike_rd_u32(struct ike_rd *r, uint32_t *v);
/* Copies n bytes into out. */
bool ike_rd_copy(struct ike_rd *r, void *out, size_t n);
/* Points *p at the next n bytes and consumes them. */
bool ike_rd_ptr(struct ike_rd *r, size_t n, const uint8_t **p);
/* Splits off the next n bytes as a reader of their own. */
bool ike_rd_sub(struct ike_rd *r, size_t n, struct ike_rd *sub);
bool ike_rd_skip(struct ike_rd *r, size_t n);

/*
 * Writer over a caller-owned buffer. On overflow it sets err and ignores further writes, so
 * a builder checks once at the end instead of after every field.
 */
struct ike_wr {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool err;
};

static inline struct ike_wr ike_wr_init(void *buf, size_t cap)
{
	struct ike_wr w = {(uint8_t *)buf, cap, 0, false};
	return w;
}

void ike_wr_u8(struct ike_wr *w, uint8_t v);
void ike_wr_u16(struct ike_wr *w, uint16_t v);
void ike_wr_u32(struct ike_wr *w, uint32_t v);
void ike_wr_bytes(struct ike_wr *w, const void *p, size_t n);
void ike_wr_zero(struct ike_wr *w, size_t n);
/* Overwrites an already written big-endian u16/u32 at offset off (for length fields). */
void ike_wr_put_u16(struct ike_wr *w, size_t off, uint16_t v);
void ike_wr_put_u32(struct ike_wr *w, size_t off, uint32_t v);

#endif
