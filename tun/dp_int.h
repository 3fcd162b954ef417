/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The datapath's private state, shared by its packet paths (datapath.c) and its SA table
 * management (dp_sa.c) and nothing else. */
#ifndef EVC_TUN_DP_INT_H
#define EVC_TUN_DP_INT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include "lib/ratelimit.h"
#include "tun/datapath.h"
#include "tun/pkt.h"
#include "tun/satable.h"

#define NAT_KEEPALIVE 0xff
#define IPPROTO_ESP_NUM 50
/* Room for an IP_PKTINFO control message per received datagram. */
#define DP_CMSG_SPACE CMSG_SPACE(sizeof(struct in_pktinfo))

/* One direction of a batch: the buffers and the message vectors recvmmsg/sendmmsg use. */
struct batch {
	struct pkt *p[DP_BATCH];
	struct mmsghdr msg[DP_BATCH];
	struct iovec iov[DP_BATCH];
	struct sockaddr_in addr[DP_BATCH];
	size_t n;
	int fd; /* sending: the socket every queued packet leaves from */
};

struct dp {
	struct dp_config cfg;
	struct pkt_pool *pool;
	struct satab *tab;
	struct dp_stats st;
	struct ratelimit rl;
	struct batch rx, tx_udp, tx_esp;
	/* SA pairs with a volume lifetime that the current batch used, checked once after it */
	struct sa_entry *touched[2 * DP_BATCH];
	size_t n_touched;
	uint64_t batch_no;
	union {
		struct cmsghdr align;
		uint8_t buf[DP_CMSG_SPACE];
	} cmsg[DP_BATCH];
};

/* Rate-limited only where peers trigger it (drops); SA events log through here directly. */
void dp_log(struct dp *dp, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An SA pair's ESP contexts and memory (keys wiped). */
void dp_entry_free(struct sa_entry *e);

#endif
