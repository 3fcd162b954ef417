/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The userspace IPsec datapath shared by evc (one SA pair) and evs (one per client): packets
 * read from the TUN device are routed by inner destination to an SA, encapsulated and sent as
 * ESP in UDP (RFC 3948) or raw ESP (IP protocol 50); ESP received on those sockets is
 * authenticated, decrypted, checked against the SA's traffic selector and written to the TUN.
 *
 * The caller owns the event loop and the file descriptors: it opens the TUN device, the UDP
 * socket (normally bound to port 4500) and, if raw ESP is used, a SOCK_RAW/IPPROTO_ESP socket,
 * all non-blocking, and calls dp_on_*_readable when epoll reports them readable. Each call
 * handles up to DP_BATCH packets with one recvmmsg and one sendmmsg per socket, so with
 * level-triggered epoll the loop stays fair between the TUN and the sockets.
 *
 * Nothing here allocates per packet: buffers come from a pool made in dp_new, and each SA's
 * cipher and MAC contexts are made in dp_add_child. When a socket's send buffer is full, the
 * rest of the batch is dropped and counted (DP_DROP_SEND), like a full device queue.
 *
 * Every dropped packet increments a named counter (dp_drop_name) and is logged through the
 * log callback at most RATELIMIT_BURST times per 5 s in total, since peers can trigger drops.
 */
#ifndef EVC_TUN_DATAPATH_H
#define EVC_TUN_DATAPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "tun/esp.h"

#define DP_BATCH 32

enum dp_drop {
	DP_DROP_SHORT,         /* ESP (or marker-only IKE) shorter than its headers */
	DP_DROP_LENGTH,        /* ESP ciphertext not a whole number of blocks */
	DP_DROP_NO_SA,         /* inbound SPI unknown */
	DP_DROP_REPLAY,        /* sequence number 0, repeated or too old */
	DP_DROP_AUTH,          /* ICV mismatch */
	DP_DROP_PADDING,       /* bad pad length or pad bytes */
	DP_DROP_NEXT_HEADER,   /* next header not IPv4/IPv6 */
	DP_DROP_DUMMY,         /* authentic dummy packet (next header 59), discarded by design */
	DP_DROP_INNER,         /* decrypted payload is not a well-formed IP packet */
	DP_DROP_POLICY,        /* inner source outside the SA's remote traffic selector */
	DP_DROP_NOT_IPV4,      /* TUN packet is not IPv4 (selectors are IPv4 only) */
	DP_DROP_NO_ROUTE,      /* TUN packet for a destination no SA covers */
	DP_DROP_TOO_BIG,       /* larger than PKT_MTU_MAX, or truncated by recvmmsg */
	DP_DROP_SEQ_EXHAUSTED, /* outbound SA sent 2^32-1 packets and was not rekeyed */
	DP_DROP_EXPIRED,       /* SA byte lifetime (life_kb) used up and not rekeyed */
	DP_DROP_CRYPTO,        /* crypto library or RNG failure */
	DP_DROP_NO_BUFFER,     /* packet pool empty */
	DP_DROP_SEND,          /* socket send failed or would block */
	DP_DROP_TUN_WRITE,     /* TUN write failed or would block */
	DP_DROP_BAD_OUTER,     /* raw socket: outer IPv4 header malformed or not ESP */
	DP_DROP_COUNT
};

/* Counter name, e.g. "auth", "replay", "no_sa". */
const char *dp_drop_name(enum dp_drop d);

struct dp_stats {
	uint64_t tun_rx;       /* packets read from the TUN device */
	uint64_t esp_tx;       /* ESP packets handed to the kernel */
	uint64_t esp_rx;       /* datagrams that looked like ESP */
	uint64_t tun_tx;       /* decrypted packets written to the TUN device */
	uint64_t ike_rx;       /* marker-prefixed datagrams passed to ike_input */
	uint64_t keepalive_rx; /* NAT keepalives (0xFF) seen and ignored */
	uint64_t drop[DP_DROP_COUNT];
};

struct dp_child_stats {
	struct esp_sa_stats in;  /* packets/bytes accepted, highest sequence number */
	struct esp_sa_stats out; /* packets/bytes sent, last sequence number */
	bool expired;            /* life_kb used up in either direction */
};

struct dp_config {
	int tun_fd; /* required */
	int udp_fd; /* ESP-in-UDP sends go out here; -1 if unused */
	int esp_fd; /* raw IPPROTO_ESP socket; -1 if unused */
	/*
	 * A datagram on a UDP socket that began with the 4-byte non-ESP marker: an IKE message,
	 * marker removed. `to` is our address (0 unless IP_PKTINFO is enabled on the socket)
	 * and port. NULL: such datagrams are counted in ike_rx and ignored.
	 */
	void (*ike_input)(void *ctx, int fd, const uint8_t *msg, size_t len,
	                  const struct ike_endpoint *from, const struct ike_endpoint *to);
	/* Drop and SA event messages; NULL: silent. */
	void (*log)(void *ctx, enum ike_log_level level, const char *msg);
	/*
	 * The SA pair with inbound SPI spi_in carried more than soft_permille per mille of its
	 * volume lifetime (life_kb) in one direction (hard false, once), or all of it (hard
	 * true, once; the pair is then no longer used). Checked after each batch, not per
	 * packet. Called after the batch is done, so the callback may remove SAs. NULL: none.
	 */
	void (*volume)(void *ctx, uint32_t spi_in, bool hard);
	unsigned soft_permille; /* 0: 850 */
	void *ctx;
};

struct dp;

/* Copies cfg. NULL when cfg->tun_fd < 0 or memory is short. */
struct dp *dp_new(const struct dp_config *cfg);
/* Frees every SA (keys wiped). Does not close the caller's descriptors. */
void dp_free(struct dp *dp);

/*
 * Installs the ESP SA pair of an established child: inbound keyed by c->spi_in, outbound
 * used for inner destinations inside c->remote_ts. If another child has the same remote_ts
 * (a rekey), the newer one sends from now on and the older one keeps accepting packets until
 * dp_del_child removes it. Returns 0, or -EINVAL/-EEXIST/-ENOMEM with *why (may be NULL) set
 * to a sentence saying what is wrong.
 */
int dp_add_child(struct dp *dp, const struct ike_child *c, const char **why);
/*
 * The same, with ESP in UDP sent from udp_fd instead of the configuration's udp_fd (-1: that
 * one): a server with several addresses or ports (evs: one socket per listener and port)
 * answers each client from the address and port its SA was negotiated on, which is where
 * the client and its NAT expect it.
 */
int dp_add_child_fd(struct dp *dp, const struct ike_child *c, int udp_fd, const char **why);
/* The peer of the pair whose inbound SPI is spi_in moved (a NAT mapping changed): outbound
 * ESP goes to peer from now on. 0 or -ENOENT. */
int dp_set_peer(struct dp *dp, uint32_t spi_in, const struct ike_endpoint *peer);
/* Removes the pair whose inbound SPI is spi_in. 0 or -ENOENT. */
int dp_del_child(struct dp *dp, uint32_t spi_in);

/*
 * Event handlers. Each returns the number of packets (datagrams) taken from the descriptor,
 * which is less than DP_BATCH once it is drained, or a negative errno when the descriptor
 * itself failed (not for dropped packets).
 */
int dp_on_tun_readable(struct dp *dp);
/* fd: any UDP socket carrying RFC 3948 traffic (IKE with marker, keepalives, ESP). */
int dp_on_udp_readable(struct dp *dp, int fd);
/* The raw ESP socket from the configuration; the outer IPv4 header is stripped. */
int dp_on_esp_readable(struct dp *dp);

void dp_stats(const struct dp *dp, struct dp_stats *out);
/* Per-SA counters for lifetimes and `show` output. 0 or -ENOENT. */
int dp_child_stats(const struct dp *dp, uint32_t spi_in, struct dp_child_stats *out);
/* Number of installed SA pairs. */
size_t dp_child_count(const struct dp *dp);

/* Sends an RFC 3948 NAT keepalive (one byte 0xFF) to peer from fd. 0 or a negative errno. */
int dp_send_keepalive(int fd, const struct ike_endpoint *peer);

#endif
