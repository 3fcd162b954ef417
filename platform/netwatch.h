/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching the host's own network for a client that must follow it: the kernel's address and
 * route events (rtnetlink multicast), and the path to the gateway they may have changed. A
 * client snapshots the path once its tunnel is up; after an event it takes another and, when
 * the source address, the next hop or the default route differ, its tunnel runs over a path
 * that is gone and it reconnects.
 *
 * Reading events and routes needs no privilege. Functions return 0 or a negative errno with
 * err holding one sentence.
 */
#ifndef EVC_PLATFORM_NETWATCH_H
#define EVC_PLATFORM_NETWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct plat_netwatch;

/* How packets to the gateway leave the host, and the default route (host order). */
struct plat_path {
	bool reachable;   /* the kernel has a route to the gateway */
	uint32_t src;     /* the source address it would use */
	int ifindex;      /* the interface */
	uint32_t nexthop; /* 0: the gateway is on the link */
	bool have_default;
	uint32_t def_gw; /* the main table's default route of the lowest metric */
	int def_ifindex;
};

/* Subscribes to IPv4 address, route and link events in the current network namespace. */
int plat_netwatch_new(struct plat_netwatch **out, char *err, size_t errlen);
void plat_netwatch_free(struct plat_netwatch *w);
/* Readable when events are waiting; then call plat_netwatch_drain. */
int plat_netwatch_fd(const struct plat_netwatch *w);
/* Reads every waiting event without blocking. True when anything arrived (or events were
 * lost because too many came at once): the path may have changed. */
bool plat_netwatch_drain(struct plat_netwatch *w);

/*
 * The path to gateway now. Routes through skip_ifindex (the tunnel's own device; 0: none) do
 * not count as the default route. 0 with out->reachable false when there is no route.
 */
int plat_path_get(struct plat_netwatch *w, uint32_t gateway, int skip_ifindex,
                  struct plat_path *out, char *err, size_t errlen);
bool plat_path_equal(const struct plat_path *a, const struct plat_path *b);
/* "from 203.0.113.2 dev up0 via 203.0.113.1, default via 203.0.113.1 dev up0", for messages. */
const char *plat_path_str(const struct plat_path *p, char *buf, size_t len);

#endif
