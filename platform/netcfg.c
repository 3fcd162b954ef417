/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "platform/netcfg.h"
#include "platform/plat_int.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/route.h>

struct plat_nl {
	struct nl_sock *sk;
};

int plat_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		int n;

		va_start(ap, fmt);
		n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < errlen && rc < 0)
			snprintf(err + n, errlen - (size_t)n, ": %s", strerror(-rc));
	}
	return rc;
}

int plat_failx(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;

		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

const char *plat_ifname_str(int ifindex, char *buf, size_t len)
{
	char name[IF_NAMESIZE];

	if (ifindex > 0 && if_indextoname((unsigned)ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "ifindex %d", ifindex);
	return buf;
}

const char *plat_route_str(const struct plat_route *r, char *buf, size_t len)
{
	char dst[16], gw[16], dev[IF_NAMESIZE + 16];

	ipv4_str(r->dst, dst, sizeof(dst));
	plat_ifname_str(r->ifindex, dev, sizeof(dev));
	if (r->gateway)
		snprintf(buf, len, "%s/%u via %s dev %s", dst, r->prefixlen,
		         ipv4_str(r->gateway, gw, sizeof(gw)), dev);
	else
		snprintf(buf, len, "%s/%u via %s", dst, r->prefixlen, dev);
	return buf;
}

int plat_mask_to_prefix(uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	if (n < 32 && (mask << n) != 0)
		return -1;
	return n;
}

uint32_t plat_prefix_to_mask(unsigned prefixlen)
{
	if (prefixlen == 0)
		return 0;
	if (prefixlen >= 32)
		return 0xffffffffu;
	return ~(0xffffffffu >> prefixlen);
}

/* libnl reports socket-level failures as NLE_* codes; only these two have a useful errno. */
static int nle_to_errno(int nle)
{
	if (nle == -NLE_NOMEM)
		return -ENOMEM;
	if (nle == -NLE_PERM)
		return -EPERM;
	return -EIO;
}

int plat_nl_new(struct plat_nl **out, char *err, size_t errlen)
{
	struct plat_nl *nl;
	int rc;

	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return plat_fail(err, errlen, -ENOMEM, _("cannot open a netlink socket"));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		free(nl);
		return plat_fail(err, errlen, -ENOMEM, _("cannot open a netlink socket"));
	}
	rc = nl_connect(nl->sk, NETLINK_ROUTE);
	if (rc < 0) {
		plat_fail(err, errlen, 0, _("cannot open a netlink socket: %s"), nl_geterror(rc));
		nl_socket_free(nl->sk);
		free(nl);
		return nle_to_errno(rc);
	}
	*out = nl;
	return 0;
}

void plat_nl_free(struct plat_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* One request, its replies (handed to valid) and the kernel's ack or error. */
struct talk {
	int error;
	int done;
	int (*valid)(struct nlmsghdr *h, void *arg);
	void *arg;
};

static int talk_valid(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	if (t->valid)
		return t->valid(nlmsg_hdr(msg), t->arg);
	return NL_OK;
}

static int talk_ack(struct nl_msg *msg, void *arg)
{
	struct talk *t = arg;

	t->done = 1;
	return NL_STOP;
}

static int talk_err(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct talk *t = arg;

	t->error = e->error;
	t->done = 1;
	return NL_STOP;
}

static int nl_talk(struct plat_nl *nl, struct nl_msg *msg, int (*valid)(struct nlmsghdr *, void *),
                   void *arg)
{
	struct talk t = {.valid = valid, .arg = arg};
	struct nl_cb *cb;
	int rc;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, talk_valid, &t);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, talk_ack, &t);
	nl_cb_err(cb, NL_CB_CUSTOM, talk_err, &t);
	rc = nl_send_auto(nl->sk, msg);
	if (rc < 0) {
		rc = nle_to_errno(rc);
		goto out;
	}
	rc = 0;
	while (!t.done) {
		int r = nl_recvmsgs(nl->sk, cb);

		if (t.done)
			break;
		if (r < 0) {
			rc = nle_to_errno(r);
			goto out;
		}
	}
	rc = t.error;
out:
	nl_cb_put(cb);
	return rc;
}

struct link_reply {
	struct plat_link *out;
	int seen;
};

static int attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (!a || nla_len(a) < 4)
		return 0;
	*v = nla_get_u32((struct nlattr *)a);
	return 1;
}

static int attr_ip(const struct nlattr *a, uint32_t *v)
{
	uint32_t be;

	if (!a || nla_len(a) < 4)
		return 0;
	memcpy(&be, nla_data(a), 4);
	*v = ntohl(be);
	return 1;
}

static int parse_link(struct nlmsghdr *h, void *arg)
{
	struct link_reply *lr = arg;
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	uint32_t mtu = 0;

	if (h->nlmsg_type != RTM_NEWLINK || nlmsg_datalen(h) < (int)sizeof(*ifi))
		return NL_SKIP;
	if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return NL_SKIP;
	ifi = nlmsg_data(h);
	lr->out->ifindex = ifi->ifi_index;
	lr->out->flags = ifi->ifi_flags;
	attr_u32(tb[IFLA_MTU], &mtu);
	lr->out->mtu = mtu;
	lr->seen = 1;
	return NL_OK;
}

int plat_link_get(struct plat_nl *nl, const char *ifname, struct plat_link *out, char *err,
                  size_t errlen)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct link_reply lr = {.out = out};
	struct nl_msg *msg = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return plat_failx(err, errlen, -EINVAL, _("invalid interface name \"%s\""),
		                  ifname ? ifname : "");
	msg = nlmsg_alloc_simple(RTM_GETLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    nla_put_string(msg, IFLA_IFNAME, ifname) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	rc = nl_talk(nl, msg, parse_link, &lr);
	if (rc == 0 && !lr.seen)
		rc = -ENODEV;
out:
	nlmsg_free(msg);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot find interface %s"), ifname);
	return 0;
}

int plat_link_index(struct plat_nl *nl, const char *ifname, int *ifindex, char *err, size_t errlen)
{
	struct plat_link l;
	int rc;

	rc = plat_link_get(nl, ifname, &l, err, errlen);
	*ifindex = rc < 0 ? 0 : l.ifindex;
	return rc;
}

int plat_link_set(struct plat_nl *nl, int ifindex, unsigned mtu, bool up, char *err, size_t errlen)
{
	struct ifinfomsg ifi = {
	    .ifi_family = AF_UNSPEC,
	    .ifi_index = ifindex,
	    .ifi_flags = up ? IFF_UP : 0,
	    .ifi_change = IFF_UP,
	};
	char dev[IF_NAMESIZE + 16];
	struct nl_msg *msg;
	int rc;

	msg = nlmsg_alloc_simple(RTM_SETLINK, 0);
	if (!msg || nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
	    (mtu && nla_put_u32(msg, IFLA_MTU, mtu) < 0)) {
		rc = -ENOMEM;
		goto out;
	}
	rc = nl_talk(nl, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	if (rc < 0) {
		plat_ifname_str(ifindex, dev, sizeof(dev));
		if (mtu)
			return plat_fail(err, errlen, rc,
			                 _("cannot set MTU %u on %s and bring it %s"), mtu, dev,
			                 up ? "up" : "down");
		return plat_fail(err, errlen, rc, _("cannot bring %s %s"), dev, up ? "up" : "down");
	}
	return 0;
}

static struct nl_addr *ip_addr(uint32_t addr, unsigned prefixlen)
{
	uint32_t be = htonl(addr);
	struct nl_addr *a;

	a = nl_addr_build(AF_INET, &be, sizeof(be));
	if (a)
		nl_addr_set_prefixlen(a, (int)prefixlen);
	return a;
}

static int addr_change(struct plat_nl *nl, bool add, int ifindex, uint32_t addr, unsigned prefixlen,
                       char *err, size_t errlen)
{
	char ip[16], dev[IF_NAMESIZE + 16];
	struct rtnl_addr *a = NULL;
	struct nl_addr *local = NULL;
	struct nl_msg *msg = NULL;
	int rc = -ENOMEM;

	if (prefixlen > 32) {
		rc = -EINVAL;
		goto out;
	}
	a = rtnl_addr_alloc();
	local = ip_addr(addr, prefixlen);
	if (!a || !local)
		goto out;
	rtnl_addr_set_ifindex(a, ifindex);
	rtnl_addr_set_family(a, AF_INET);
	if (rtnl_addr_set_local(a, local) < 0)
		goto out;
	rtnl_addr_set_prefixlen(a, (int)prefixlen);
	if (add)
		rc = rtnl_addr_build_add_request(a, NLM_F_EXCL, &msg);
	else
		rc = rtnl_addr_build_delete_request(a, 0, &msg);
	if (rc < 0) {
		rc = nle_to_errno(rc);
		goto out;
	}
	rc = nl_talk(nl, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	nl_addr_put(local);
	rtnl_addr_put(a);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot %s address %s/%u %s %s"),
		                 add ? "add" : "remove", ipv4_str(addr, ip, sizeof(ip)), prefixlen,
		                 add ? "to" : "from", plat_ifname_str(ifindex, dev, sizeof(dev)));
	return 0;
}

int plat_addr_add(struct plat_nl *nl, int ifindex, uint32_t addr, unsigned prefixlen, char *err,
                  size_t errlen)
{
	return addr_change(nl, true, ifindex, addr, prefixlen, err, errlen);
}

int plat_addr_del(struct plat_nl *nl, int ifindex, uint32_t addr, unsigned prefixlen, char *err,
                  size_t errlen)
{
	return addr_change(nl, false, ifindex, addr, prefixlen, err, errlen);
}

static int route_change(struct plat_nl *nl, bool add, const struct plat_route *r, char *err,
                        size_t errlen)
{
	struct rtnl_route *route = NULL;
	struct rtnl_nexthop *nh = NULL;
	struct nl_addr *dst = NULL, *gw = NULL;
	struct nl_msg *msg = NULL;
	char what[96];
	int rc = -ENOMEM;

	if (r->prefixlen > 32 || r->ifindex <= 0) {
		rc = -EINVAL;
		goto out;
	}
	route = rtnl_route_alloc();
	dst = ip_addr(r->dst & plat_prefix_to_mask(r->prefixlen), r->prefixlen);
	if (!route || !dst)
		goto out;
	rtnl_route_set_family(route, AF_INET);
	if (rtnl_route_set_dst(route, dst) < 0)
		goto out;
	rtnl_route_set_table(route, r->table ? r->table : RT_TABLE_MAIN);
	/* libnl defaults to RTPROT_STATIC; a delete with 0 must match any protocol. */
	if (add)
		rtnl_route_set_protocol(route, r->protocol ? r->protocol : RTPROT_BOOT);
	else
		rtnl_route_set_protocol(route, r->protocol);
	rtnl_route_set_type(route, r->type ? r->type : RTN_UNICAST);
	/* The kernel deletes only on an exact scope match, so add and delete compute it alike. */
	rtnl_route_set_scope(route, r->gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
	rtnl_route_set_priority(route, r->metric);
	nh = rtnl_route_nh_alloc();
	if (!nh)
		goto out;
	rtnl_route_nh_set_ifindex(nh, r->ifindex);
	if (r->gateway) {
		gw = ip_addr(r->gateway, 32);
		if (!gw)
			goto out;
		rtnl_route_nh_set_gateway(nh, gw);
	}
	rtnl_route_add_nexthop(route, nh);
	nh = NULL; /* owned by route now */
	if (add)
		rc = rtnl_route_build_add_request(route, NLM_F_EXCL, &msg);
	else
		rc = rtnl_route_build_del_request(route, 0, &msg);
	if (rc < 0) {
		rc = nle_to_errno(rc);
		goto out;
	}
	rc = nl_talk(nl, msg, NULL, NULL);
out:
	nlmsg_free(msg);
	nl_addr_put(gw);
	nl_addr_put(dst);
	if (nh)
		rtnl_route_nh_free(nh);
	rtnl_route_put(route);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot %s route %s"), add ? "add" : "remove",
		                 plat_route_str(r, what, sizeof(what)));
	return 0;
}

int plat_route_add(struct plat_nl *nl, const struct plat_route *r, char *err, size_t errlen)
{
	return route_change(nl, true, r, err, errlen);
}

int plat_route_del(struct plat_nl *nl, const struct plat_route *r, char *err, size_t errlen)
{
	return route_change(nl, false, r, err, errlen);
}

struct route_reply {
	struct plat_route *out;
	int seen;
};

/* A multipath entry (fib_match on an ECMP route) reports its first next hop. */
static void first_nexthop(const struct nlattr *mp, struct plat_route *out)
{
	const struct rtnexthop *nh = nla_data(mp);
	int len = nla_len(mp);
	struct nlattr *tb[RTA_MAX + 1];

	if (len < (int)sizeof(*nh) || nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > len)
		return;
	out->ifindex = nh->rtnh_ifindex;
	if (nla_parse(tb, RTA_MAX, (struct nlattr *)RTNH_DATA(nh),
	              nh->rtnh_len - (int)RTNH_LENGTH(0), NULL) == 0)
		attr_ip(tb[RTA_GATEWAY], &out->gateway);
}

static int parse_route(struct nlmsghdr *h, void *arg)
{
	struct route_reply *rr = arg;
	struct plat_route *out = rr->out;
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;
	uint32_t oif = 0;

	if (h->nlmsg_type != RTM_NEWROUTE || nlmsg_datalen(h) < (int)sizeof(*rtm))
		return NL_SKIP;
	if (nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return NL_SKIP;
	rtm = nlmsg_data(h);
	memset(out, 0, sizeof(*out));
	out->prefixlen = rtm->rtm_dst_len;
	out->type = rtm->rtm_type;
	out->protocol = rtm->rtm_protocol;
	out->table = rtm->rtm_table;
	attr_u32(tb[RTA_TABLE], &out->table);
	attr_ip(tb[RTA_DST], &out->dst);
	attr_ip(tb[RTA_GATEWAY], &out->gateway);
	attr_ip(tb[RTA_PREFSRC], &out->prefsrc);
	attr_u32(tb[RTA_PRIORITY], &out->metric);
	if (attr_u32(tb[RTA_OIF], &oif))
		out->ifindex = (int)oif;
	else if (tb[RTA_MULTIPATH])
		first_nexthop(tb[RTA_MULTIPATH], out);
	rr->seen = 1;
	return NL_OK;
}

int plat_route_get(struct plat_nl *nl, uint32_t dst, bool fib_match, struct plat_route *out,
                   char *err, size_t errlen)
{
	struct rtmsg rtm = {
	    .rtm_family = AF_INET,
	    .rtm_dst_len = 32,
	    .rtm_flags = fib_match ? RTM_F_FIB_MATCH : 0,
	};
	struct route_reply rr = {.out = out};
	uint32_t be = htonl(dst);
	struct nl_msg *msg;
	char ip[16];
	int rc;

	memset(out, 0, sizeof(*out));
	msg = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	if (!msg || nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, sizeof(be), &be) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	rc = nl_talk(nl, msg, parse_route, &rr);
	if (rc == 0 && !rr.seen)
		rc = -ENETUNREACH;
out:
	nlmsg_free(msg);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot look up the route to %s"),
		                 ipv4_str(dst, ip, sizeof(ip)));
	return 0;
}
