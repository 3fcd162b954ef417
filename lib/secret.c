/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Wiped heap secrets; see secret.h.
 *
 * Each secret lives in its own anonymous mapping marked MADV_DONTDUMP, so a core dump (or a
 * crash reporter that ignores PR_SET_DUMPABLE) never carries key material, and
 * MADV_WIPEONFORK, so a child never inherits it. A small header in front of the data records
 * the mapping's size: callers may shorten len (to hide a NUL terminator), and the whole
 * mapping is still wiped and unmapped. mlock is not used: RLIMIT_MEMLOCK (64 KiB for ordinary
 * users) would make key derivation fail under load, whereas DONTDUMP has no limit. The cost is
 * one page per live secret, about eight per IKE SA.
 */
#include "lib/secret.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>

/* In front of the data; 16 bytes keep the data as aligned as malloc's. */
struct secret_hdr {
	size_t map_len;
	size_t cap;
};
_Static_assert(sizeof(struct secret_hdr) == 16, "header keeps 16-byte alignment");

void mem_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

static struct secret_hdr *hdr_of(const struct secret *s)
{
	return (struct secret_hdr *)(void *)(s->p - sizeof(struct secret_hdr));
}

/* Zeroed memory for at least len bytes (one byte when len is 0, so p is always usable). */
static uint8_t *secret_map(size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), need, map_len;
	struct secret_hdr *h;
	void *m;

	if (len > SIZE_MAX / 2)
		return NULL;
	need = sizeof(*h) + (len ? len : 1);
	map_len = (need + page - 1) / page * page;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	/* Best effort on old kernels: the data must still be usable if either is unknown. */
	(void)madvise(m, map_len, MADV_DONTDUMP);
#ifdef MADV_WIPEONFORK
	(void)madvise(m, map_len, MADV_WIPEONFORK);
#endif
	h = m;
	h->map_len = map_len;
	h->cap = map_len - sizeof(*h);
	return (uint8_t *)m + sizeof(*h);
}

void secret_wipe(struct secret *s)
{
	if (s && s->p)
		mem_wipe(s->p, hdr_of(s)->cap);
}

void secret_clear(struct secret *s)
{
	if (!s)
		return;
	if (s->p) {
		struct secret_hdr *h = hdr_of(s);
		size_t map_len = h->map_len;

		mem_wipe(s->p, h->cap);
		munmap(h, map_len);
	}
	s->p = NULL;
	s->len = 0;
}

int secret_alloc(struct secret *s, size_t len)
{
	uint8_t *p = secret_map(len);

	if (!p)
		return -ENOMEM;
	secret_clear(s);
	s->p = p;
	s->len = len;
	return 0;
}

int secret_set(struct secret *s, const void *p, size_t len)
{
	uint8_t *n;

	if (!p && len)
		return -EINVAL;
	n = secret_map(len);
	if (!n)
		return -ENOMEM;
	if (len)
		memcpy(n, p, len);
	/* Copy first, then clear: p may point into s itself. */
	secret_clear(s);
	s->p = n;
	s->len = len;
	return 0;
}
