/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Address and route events, and the path to the gateway; see netwatch.h. */
#include "platform/netwatch.h"
#include "platform/netcfg.h"
#include "platform/plat_int.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/rtnetlink.h>
#include <netlink/cache.h>
#include <netlink/netlink.h>
#include <netlink/route/route.h>

struct plat_netwatch {
	struct nl_sock *mon; /* the multicast groups: only read and drained */
	struct nl_sock *dump;
	struct plat_nl *query; /* route lookups */
};

void plat_netwatch_free(struct plat_netwatch *w)
{
	if (!w)
		return;
	if (w->mon)
		nl_socket_free(w->mon);
	if (w->dump)
		nl_socket_free(w->dump);
	plat_nl_free(w->query);
	free(w);
}

int plat_netwatch_new(struct plat_netwatch **out, char *err, size_t errlen)
{
	struct plat_netwatch *w = calloc(1, sizeof(*w));
	int rc = -ENOMEM;

	*out = NULL;
	if (!w)
		return plat_fail(err, errlen, rc, _("cannot watch the host's network"));
	w->mon = nl_socket_alloc();
	w->dump = nl_socket_alloc();
	if (!w->mon || !w->dump)
		goto fail;
	nl_socket_disable_seq_check(w->mon);
	if (nl_connect(w->mon, NETLINK_ROUTE) < 0 || nl_connect(w->dump, NETLINK_ROUTE) < 0 ||
	    nl_socket_add_memberships(w->mon, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_LINK,
	                              0) < 0 ||
	    nl_socket_set_nonblocking(w->mon) < 0) {
		rc = -EIO;
		goto fail;
	}
	rc = plat_nl_new(&w->query, err, errlen);
	if (rc)
		goto out;
	*out = w;
	return 0;
fail:
	plat_fail(err, errlen, rc, _("cannot subscribe to the host's address and route events"));
out:
	plat_netwatch_free(w);
	return rc;
}

int plat_netwatch_fd(const struct plat_netwatch *w)
{
	return nl_socket_get_fd(w->mon);
}

bool plat_netwatch_drain(struct plat_netwatch *w)
{
	/* the contents do not matter: any event means "look at the path again" */
	char buf[8192];
	bool any = false;
	for (;;) {
		ssize_t n = recv(nl_socket_get_fd(w->mon), buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			any = true;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == ENOBUFS) {
			any = true; /* events lost: assume the worst */
			continue;
		}
		return any;
	}
}

struct best_default {
	int skip;
	bool found;
	uint32_t metric;
	uint32_t gw;
	int ifindex;
};

static void default_of(struct nl_object *obj, void *arg)
{
	struct rtnl_route *r = (struct rtnl_route *)obj;
	struct best_default *b = arg;
	struct nl_addr *dst = rtnl_route_get_dst(r);
	struct rtnl_nexthop *nh;
	uint32_t gw = 0;

	if (rtnl_route_get_table(r) != RT_TABLE_MAIN || rtnl_route_get_type(r) != RTN_UNICAST ||
	    rtnl_route_get_protocol(r) == PLAT_RTPROT_EVC || (dst && nl_addr_get_prefixlen(dst)) ||
	    rtnl_route_get_nnexthops(r) < 1)
		return;
	nh = rtnl_route_nexthop_n(r, 0);
	if (!nh || rtnl_route_nh_get_ifindex(nh) == b->skip)
		return;
	if (b->found && rtnl_route_get_priority(r) >= b->metric)
		return;
	struct nl_addr *g = rtnl_route_nh_get_gateway(nh);
	if (g && nl_addr_get_len(g) == 4) {
		const uint8_t *p = nl_addr_get_binary_addr(g);
		gw = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	}
	b->found = true;
	b->metric = rtnl_route_get_priority(r);
	b->gw = gw;
	b->ifindex = rtnl_route_nh_get_ifindex(nh);
}

int plat_path_get(struct plat_netwatch *w, uint32_t gateway, int skip_ifindex,
                  struct plat_path *out, char *err, size_t errlen)
{
	struct plat_route r;
	struct nl_cache *cache = NULL;
	struct best_default b = {.skip = skip_ifindex};
	int rc;

	*out = (struct plat_path){0};
	rc = plat_route_get(w->query, gateway, false, &r, NULL, 0);
	if (rc == 0) {
		out->reachable = true;
		out->src = r.prefsrc;
		out->ifindex = r.ifindex;
		out->nexthop = r.gateway;
	} else if (rc != -ENETUNREACH && rc != -EHOSTUNREACH) {
		return plat_fail(err, errlen, rc, _("cannot look up the route to the gateway"));
	}
	rc = rtnl_route_alloc_cache(w->dump, AF_INET, 0, &cache);
	if (rc < 0)
		return plat_fail(err, errlen, -EIO, _("cannot read the routing table: %s"),
		                 nl_geterror(rc));
	nl_cache_foreach(cache, default_of, &b);
	nl_cache_free(cache);
	out->have_default = b.found;
	out->def_gw = b.gw;
	out->def_ifindex = b.ifindex;
	return 0;
}

bool plat_path_equal(const struct plat_path *a, const struct plat_path *b)
{
	return a->reachable == b->reachable && a->src == b->src && a->ifindex == b->ifindex &&
	       a->nexthop == b->nexthop && a->have_default == b->have_default &&
	       a->def_gw == b->def_gw && a->def_ifindex == b->def_ifindex;
}

const char *plat_path_str(const struct plat_path *p, char *buf, size_t len)
{
	char src[16], nh[16], dev[32], dgw[16], ddev[32], def[80] = "no default route";

	if (p->have_default)
		snprintf(def, sizeof(def), "default via %s dev %s",
		         p->def_gw ? ipv4_str(p->def_gw, dgw, sizeof(dgw)) : "the link",
		         plat_ifname_str(p->def_ifindex, ddev, sizeof(ddev)));
	if (!p->reachable)
		snprintf(buf, len, "no route, %s", def);
	else
		snprintf(buf, len, "from %s dev %s via %s, %s", ipv4_str(p->src, src, sizeof(src)),
		         plat_ifname_str(p->ifindex, dev, sizeof(dev)),
		         p->nexthop ? ipv4_str(p->nexthop, nh, sizeof(nh)) : "the link", def);
	return buf;
}
