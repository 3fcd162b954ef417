/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Thin rtnetlink layer for IPv4 host configuration: links, addresses, routes, route lookups.
 * Every call works in the network namespace the handle was created in, keeps no global state,
 * and returns 0 or a negative errno taken from the kernel's own answer (not libnl's lossy
 * NLE_* codes), so callers can tell "File exists" from "No such process".
 *
 * Addresses are IPv4 in host byte order, like struct evc_policy. Where a function takes
 * (char *err, size_t errlen), a failure writes a sentence naming what failed into err, e.g.
 * "cannot add route 10.99.0.0/24 via tun0: File exists"; err may be NULL.
 */
#ifndef EVC_PLATFORM_NETCFG_H
#define EVC_PLATFORM_NETCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* rtm_protocol of every route evc/evs installs, so deleting one never hits a route somebody
 * else created with the same prefix; unused in /etc/iproute2/rt_protos. */
#define PLAT_RTPROT_EVC 0xEC

struct plat_nl;

struct plat_link {
	int ifindex;
	unsigned mtu;
	unsigned flags; /* IFF_* */
};

struct plat_route {
	uint32_t dst;
	uint8_t prefixlen;
	uint32_t gateway; /* 0: directly on the device (scope link) */
	int ifindex;
	uint32_t prefsrc; /* filled by plat_route_get; ignored when adding */
	uint32_t table;   /* 0: main */
	uint8_t protocol; /* add: 0 means RTPROT_BOOT as with `ip route add`; del: 0 matches any */
	uint8_t type;     /* RTN_*; 0: unicast */
	uint32_t metric;
};

/* Opens a NETLINK_ROUTE socket in the caller's current network namespace. */
int plat_nl_new(struct plat_nl **out, char *err, size_t errlen);
void plat_nl_free(struct plat_nl *nl);

/* Index, MTU and flags of the interface called ifname; -ENODEV if there is none. */
int plat_link_get(struct plat_nl *nl, const char *ifname, struct plat_link *out, char *err,
                  size_t errlen);
int plat_link_index(struct plat_nl *nl, const char *ifname, int *ifindex, char *err, size_t errlen);

/* Sets the MTU (0: leave it) and brings the link up (up) or down (!up). */
int plat_link_set(struct plat_nl *nl, int ifindex, unsigned mtu, bool up, char *err, size_t errlen);

/* Adds addr/prefixlen to the interface; an address already present is -EEXIST. */
int plat_addr_add(struct plat_nl *nl, int ifindex, uint32_t addr, unsigned prefixlen, char *err,
                  size_t errlen);
int plat_addr_del(struct plat_nl *nl, int ifindex, uint32_t addr, unsigned prefixlen, char *err,
                  size_t errlen);

/* Adds a route exclusively: the same prefix/metric in the same table is -EEXIST. */
int plat_route_add(struct plat_nl *nl, const struct plat_route *r, char *err, size_t errlen);
/* Deletes the route plat_route_add(r) would have created (protocol 0 matches any); a
 * missing route is -ESRCH. */
int plat_route_del(struct plat_nl *nl, const struct plat_route *r, char *err, size_t errlen);

/*
 * Asks the kernel which path a packet to dst takes now (`ip route get`): out gets gateway,
 * ifindex, prefsrc, table, type. With fib_match the kernel instead returns the routing-table
 * entry that matched (`ip route get fibmatch`), so out->dst/prefixlen name that prefix.
 * No route is -ENETUNREACH.
 */
int plat_route_get(struct plat_nl *nl, uint32_t dst, bool fib_match, struct plat_route *out,
                   char *err, size_t errlen);

/* "10.99.0.0/24 via 198.51.100.1 dev eth0" into buf, for messages. */
const char *plat_route_str(const struct plat_route *r, char *buf, size_t len);

/* Prefix length of a contiguous netmask, or -1 if the mask has holes. */
int plat_mask_to_prefix(uint32_t mask);
uint32_t plat_prefix_to_mask(unsigned prefixlen);

#endif
