/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Key material and passwords: a buffer of its own, left out of core dumps (MADV_DONTDUMP) and
 * wiped with OPENSSL_cleanse before it is released. Only these functions may allocate or free
 * p; callers may shorten len (the whole buffer is still wiped). SKEYID and its children, g^xy, the
 * PSK and the XAUTH password all use this type, so that forgetting to wipe is a type error rather
 * than a review finding.
 */
#ifndef EVC_IKE_SECRET_H
#define EVC_IKE_SECRET_H

#include <stddef.h>
#include <stdint.h>

struct ike_secret {
	uint8_t *p;
	size_t len;
};

/* Allocates len bytes (zeroed); returns 0 or -ENOMEM. Any previous content is wiped first. */
int ike_secret_alloc(struct ike_secret *s, size_t len);
/* Replaces the content with a copy of p[0..len). */
int ike_secret_set(struct ike_secret *s, const void *p, size_t len);
/* Zeroes the whole buffer and keeps it (p and len unchanged). */
void ike_secret_wipe(struct ike_secret *s);
/* Wipes and frees; leaves {NULL, 0}. Accepts an empty secret. */
void ike_secret_clear(struct ike_secret *s);
/* Wipes a stack buffer (thin wrapper so callers need no OpenSSL header). */
void ike_wipe(void *p, size_t len);

#endif
