/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet buffers for the datapath. Each buffer reserves headroom in front of the payload slot
 * (room for the ESP header and IV, so encapsulation never moves the payload) and tailroom
 * behind it (padding, pad length, next header and ICV). Buffers come from a pool that is
 * allocated once, so nothing is allocated per packet.
 *
 * struct pkt is public because the hot path reads data/len directly; change them only through
 * the helpers below, which check the bounds.
 */
#ifndef EVC_TUN_PKT_H
#define EVC_TUN_PKT_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ESP header (8) + IV (16) fits with room to spare; 64 keeps the payload cache-line aligned. */
#define PKT_HEADROOM 64u
/* Largest inner packet (TUN MTU) the datapath carries. */
#define PKT_MTU_MAX 2048u
/* Padding (< 16) + pad length + next header + ICV (<= 32), rounded up. */
#define PKT_TAILROOM 64u
#define PKT_BUFSZ (PKT_HEADROOM + PKT_MTU_MAX + PKT_TAILROOM)

struct pkt {
	uint8_t *data;        /* first valid byte, inside buf */
	size_t len;           /* valid bytes from data */
	struct pkt *pkt_next; /* free list link while in the pool */
	alignas(64) uint8_t buf[PKT_BUFSZ];
};

/* Empties the packet and places data `headroom` bytes into buf (clamped to PKT_BUFSZ). */
void pkt_reset(struct pkt *p, size_t headroom);
size_t pkt_headroom(const struct pkt *p);
size_t pkt_tailroom(const struct pkt *p);
/* Grows the packet by n bytes at the front; returns the new data pointer or NULL (no room). */
uint8_t *pkt_push(struct pkt *p, size_t n);
/* Grows the packet by n bytes at the end; returns a pointer to them or NULL (no room). */
uint8_t *pkt_append(struct pkt *p, size_t n);
/* Drops n bytes from the front; false if the packet is shorter. */
bool pkt_pull(struct pkt *p, size_t n);
/* Shortens the packet to len bytes; false if it is already shorter. */
bool pkt_trim(struct pkt *p, size_t len);
/* Replaces the content with a copy of src (placed after the standard headroom). */
bool pkt_set(struct pkt *p, const void *src, size_t len);

struct pkt_pool;

/* n buffers in one allocation. NULL on allocation failure. */
struct pkt_pool *pkt_pool_new(size_t n);
void pkt_pool_free(struct pkt_pool *pool);
/* A reset buffer, or NULL when all are in use (the caller drops: that is the backpressure). */
struct pkt *pkt_alloc(struct pkt_pool *pool);
void pkt_release(struct pkt_pool *pool, struct pkt *p);
size_t pkt_pool_avail(const struct pkt_pool *pool);

#endif
