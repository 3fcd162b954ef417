/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's SA table (internal to tun/): inbound lookup by our SPI, outbound lookup by
 * the inner destination against each SA's remote traffic selector, longest prefix first and,
 * among equal prefixes, the newest SA (so a rekeyed SA takes over sending while the old one
 * still accepts packets until it is deleted); among those, the first whose local selector
 * covers the inner source (a router's LANs each have a pair with the same remote selector).
 *
 * Host selectors (/32, the usual case for evs clients) sit in a hash; wider ones in an array
 * kept sorted by prefix length, which stays short (evc has one, evs a few for NEM clients).
 */
#ifndef EVC_TUN_SATABLE_H
#define EVC_TUN_SATABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "tun/esp.h"

struct sa_entry {
	uint32_t spi_in;
	uint64_t gen; /* insertion order; larger is newer */
	struct esp_sa *in, *out;
	bool udp_encap;
	int udp_fd; /* ESP in UDP leaves from this socket (the port the SA was set up on) */
	struct ike_endpoint peer;
	struct evc_net local_ts, remote_ts; /* addr already masked */
	uint32_t life_kb;                   /* 0: no byte limit */
	uint64_t soft_bytes, hard_bytes;    /* the volume marks in bytes (0: none) */
	bool soft_reported;                 /* the owner was told the soft mark passed */
	bool expired;                       /* life_kb reached: no longer used */
	uint64_t touched;                   /* the batch that last used it (lifetime checks) */
	struct sa_entry *spi_next, *host_next;
};

struct satab;

struct satab *satab_new(void);
/* Frees the table, not the entries (take them out with satab_remove first). */
void satab_free(struct satab *t);
/* 0, -EEXIST for a duplicate inbound SPI, -ENOMEM. Sets e->gen. */
int satab_insert(struct satab *t, struct sa_entry *e);
/* Unlinks and returns the entry with this inbound SPI, NULL if none. */
struct sa_entry *satab_remove(struct satab *t, uint32_t spi_in);
struct sa_entry *satab_by_spi(const struct satab *t, uint32_t spi_in);
/* The SA to send a packet from src to dst with: the remote selector covers dst, and among
 * equal ones the one whose local selector covers src; expired SAs are skipped. NULL when none
 * matches. */
struct sa_entry *satab_route(const struct satab *t, uint32_t src, uint32_t dst);
/* Some entry, NULL when empty (for teardown). */
struct sa_entry *satab_any(const struct satab *t);
size_t satab_count(const struct satab *t);
/* Prefix length of a contiguous mask, -1 for a non-contiguous one. */
int satab_prefix_len(uint32_t mask);

#endif
