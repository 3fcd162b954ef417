/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IPv4 addresses of one interface: see ifaddrs.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include "platform/ifaddrs.h"
#include "lib/i18n.h"

struct collect {
	int ifindex;
	struct evc_net *out;
	size_t max, n;
};

static void one(struct nl_object *obj, void *arg)
{
	struct collect *c = arg;
	struct rtnl_addr *a = (struct rtnl_addr *)obj;
	struct nl_addr *local = rtnl_addr_get_local(a);
	uint32_t be;
	if (rtnl_addr_get_family(a) != AF_INET || rtnl_addr_get_ifindex(a) != c->ifindex ||
	    !local || nl_addr_get_len(local) != sizeof(be))
		return;
	memcpy(&be, nl_addr_get_binary_addr(local), sizeof(be));
	int plen = rtnl_addr_get_prefixlen(a);
	if (c->n < c->max) {
		c->out[c->n].addr = ntohl(be);
		c->out[c->n].mask = plen <= 0    ? 0
		                    : plen >= 32 ? 0xffffffffu
		                                 : ~(0xffffffffu >> plen);
	}
	c->n++;
}

int plat_if_addrs(const char *ifname, struct evc_net *out, size_t max, size_t *n, char *err,
                  size_t errlen)
{
	struct collect c = {.out = out, .max = max};
	struct nl_cache *cache = NULL;
	struct nl_sock *sk = NULL;
	int rc;

	*n = 0;
	if (strlen(ifname) >= IF_NAMESIZE || !(c.ifindex = (int)if_nametoindex(ifname))) {
		snprintf(err, errlen, _("this host has no interface named %s"), ifname);
		return -ENODEV;
	}
	sk = nl_socket_alloc();
	if (!sk) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	rc = nl_connect(sk, NETLINK_ROUTE);
	if (rc == 0)
		rc = rtnl_addr_alloc_cache(sk, &cache);
	if (rc < 0) {
		snprintf(err, errlen, _("cannot read the addresses of %s: %s"), ifname,
		         nl_geterror(rc));
		rc = -EIO;
		goto out;
	}
	nl_cache_foreach(cache, one, &c);
	*n = c.n;
	rc = 0;
out:
	nl_cache_free(cache);
	nl_socket_free(sk);
	return rc;
}
