/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An `ip local pool` range: hands out inside addresses to clients and takes them back. A
 * user who reconnects gets the address they had last time if it is still free, so that
 * their sessions, logs and RRI routes keep the same address across short outages.
 */
#ifndef EVC_SERVER_POOL_H
#define EVC_SERVER_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVS_POOL_MAX_ADDRS 65536

struct evs_pool;

/* first..last inclusive, host byte order. NULL when last < first, the range holds more than
 * EVS_POOL_MAX_ADDRS addresses, or memory runs out. */
struct evs_pool *evs_pool_new(uint32_t first, uint32_t last);
void evs_pool_free(struct evs_pool *pool);

/*
 * Takes a free address for owner (a user name, may be NULL): the one owner had last if it
 * is free, else one never handed out, else the one released longest ago. 0 and *addr set,
 * -ENOSPC when every address is in use, -ENOMEM.
 */
int evs_pool_alloc(struct evs_pool *pool, const char *owner, uint32_t *addr);
/* Gives addr back. 0, or -ENOENT when addr is not an address of this pool in use. */
int evs_pool_release(struct evs_pool *pool, uint32_t addr);

/* Marks addr in use by owner (may be NULL), for an address a session kept across a reload of
 * the configuration. 0, -ENOENT when addr is not in the pool, -EBUSY when in use, -ENOMEM. */
int evs_pool_claim(struct evs_pool *pool, uint32_t addr, const char *owner);
bool evs_pool_contains(const struct evs_pool *pool, uint32_t addr);
size_t evs_pool_size(const struct evs_pool *pool);
size_t evs_pool_in_use(const struct evs_pool *pool);

#endif
