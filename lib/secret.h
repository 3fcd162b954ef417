/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key material and passwords: a buffer of its own, left out of core dumps (MADV_DONTDUMP) and
 * wiped with OPENSSL_cleanse before it is released. Only these functions may allocate or free
 * p; callers may shorten len (the whole buffer is still wiped). SKEYID and its children, g^xy, the
 * PSK and the XAUTH password all use this type, so that forgetting to wipe is a type error rather
 * than a review finding.
 */
#ifndef EVC_LIB_SECRET_H
#define EVC_LIB_SECRET_H

#include <stddef.h>
#include <stdint.h>

struct secret {
	uint8_t *p;
	size_t len;
};

/* Allocates len bytes (zeroed); returns 0 or -ENOMEM. Any previous content is wiped first. */
int secret_alloc(struct secret *s, size_t len);
/* Replaces the content with a copy of p[0..len). */
int secret_set(struct secret *s, const void *p, size_t len);
/* Zeroes the whole buffer and keeps it (p and len unchanged). */
void secret_wipe(struct secret *s);
/* Wipes and frees; leaves {NULL, 0}. Accepts an empty secret. */
void secret_clear(struct secret *s);
/* Wipes a stack buffer (thin wrapper so callers need no OpenSSL header). */
void mem_wipe(void *p, size_t len);

#endif
