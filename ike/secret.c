/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Wiped heap secrets; see secret.h. */
#include "ike/secret.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

void ike_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

void ike_secret_clear(struct ike_secret *s)
{
	if (!s)
		return;
	ike_wipe(s->p, s->len);
	free(s->p);
	s->p = NULL;
	s->len = 0;
}

int ike_secret_alloc(struct ike_secret *s, size_t len)
{
	uint8_t *p;

	/* calloc(0) may return NULL legitimately; keep one byte so p is always usable. */
	p = calloc(1, len ? len : 1);
	if (!p)
		return -ENOMEM;
	ike_secret_clear(s);
	s->p = p;
	s->len = len;
	return 0;
}

int ike_secret_set(struct ike_secret *s, const void *p, size_t len)
{
	uint8_t *n;

	if (!p && len)
		return -EINVAL;
	n = calloc(1, len ? len : 1);
	if (!n)
		return -ENOMEM;
	if (len)
		memcpy(n, p, len);
	/* Copy first, then clear: p may point into s itself. */
	ike_secret_clear(s);
	s->p = n;
	s->len = len;
	return 0;
}
