/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * platform/: policy onto the host and back, checked against the kernel's own tables.
 *
 * Runs as root in a network namespace of its own (unshare at start), so nothing reaches the
 * host and everything disappears with the process. Fixture per test: a TUN device "evtun0"
 * (down, MTU 1500) and a scratch directory holding resolv.conf and the state file. Shared by
 * all tests: a veth "up0" (198.51.100.2/24, peer up0p) with a default route via 198.51.100.1,
 * standing in for the uplink (this kernel has no dummy driver).
 *
 * The namespace is compared before and after through independent libnl dumps (every IPv4
 * route in every table, every IPv4 address, every link with MTU and up flag).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/route.h>

#include <cmocka.h>

#include "platform/apply.h"
#include "platform/netcfg.h"
#include "platform/trust.h"

#define TUN "evtun0"
#define UPLINK "up0"
#define GW_PUBLIC 0xcb00710au /* 203.0.113.10 */
#define IP(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

static const char orig_resolv[] = "# the host's own\nnameserver 198.51.100.53\noptions edns0\n";

struct fx {
	int tun_fd;
	int tun_index;
	char dir[64];
	char resolv[128];
	char state[128];
	char notes[4096];
	struct plat_nl *nl;
};

static void collect_note(void *arg, const char *msg)
{
	struct fx *f = arg;
	size_t used = strlen(f->notes);

	snprintf(f->notes + used, sizeof(f->notes) - used, "%s\n", msg);
}

/* ---- independent views of the namespace ---- */

struct lines {
	char **v;
	size_t n, cap;
};

static void lines_add(struct lines *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		assert_non_null(l->v);
	}
	l->v[l->n] = strdup(s);
	assert_non_null(l->v[l->n]);
	l->n++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_free(struct lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char *addr_str(struct nl_addr *a, char *buf, size_t len)
{
	if (!a || nl_addr_get_len(a) != 4) {
		snprintf(buf, len, "-");
		return buf;
	}
	inet_ntop(AF_INET, nl_addr_get_binary_addr(a), buf, (socklen_t)len);
	return buf;
}

static void name_of(int ifindex, char *buf)
{
	if (ifindex <= 0 || !if_indextoname((unsigned)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
}

static struct nl_sock *sock(void)
{
	struct nl_sock *sk = nl_socket_alloc();

	assert_non_null(sk);
	assert_int_equal(nl_connect(sk, NETLINK_ROUTE), 0);
	return sk;
}

/* "T254 10.99.0.0/24 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -" */
static void routes(struct lines *out, uint32_t only_table)
{
	struct nl_sock *sk = sock();
	struct nl_cache *c = NULL;

	assert_int_equal(rtnl_route_alloc_cache(sk, AF_INET, 0, &c), 0);
	for (struct nl_object *o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct rtnl_route *r = (struct rtnl_route *)o;
		struct rtnl_nexthop *nh =
		    rtnl_route_get_nnexthops(r) ? rtnl_route_nexthop_n(r, 0) : NULL;
		struct nl_addr *dst = rtnl_route_get_dst(r);
		char d[16] = "0.0.0.0", gw[16], src[16], dev[IF_NAMESIZE], line[200];

		if (only_table && rtnl_route_get_table(r) != only_table)
			continue;
		if (nl_addr_get_len(dst) == 4)
			addr_str(dst, d, sizeof(d));
		name_of(nh ? rtnl_route_nh_get_ifindex(nh) : 0, dev);
		snprintf(line, sizeof(line),
		         "T%u %s/%u via %s dev %s proto %u scope %u type %u metric %u src %s",
		         rtnl_route_get_table(r), d, nl_addr_get_prefixlen(dst),
		         addr_str(nh ? rtnl_route_nh_get_gateway(nh) : NULL, gw, sizeof(gw)), dev,
		         rtnl_route_get_protocol(r), rtnl_route_get_scope(r),
		         rtnl_route_get_type(r), rtnl_route_get_priority(r),
		         addr_str(rtnl_route_get_pref_src(r), src, sizeof(src)));
		lines_add(out, line);
	}
	nl_cache_free(c);
	nl_socket_free(sk);
	qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static void addrs(struct lines *out, const char *ifname)
{
	struct nl_sock *sk = sock();
	struct nl_cache *c = NULL;

	assert_int_equal(rtnl_addr_alloc_cache(sk, &c), 0);
	for (struct nl_object *o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct rtnl_addr *a = (struct rtnl_addr *)o;
		char ip[16], dev[IF_NAMESIZE], line[80];

		if (rtnl_addr_get_family(a) != AF_INET)
			continue;
		name_of(rtnl_addr_get_ifindex(a), dev);
		if (ifname && strcmp(dev, ifname))
			continue;
		snprintf(line, sizeof(line), "%s %s/%d", dev,
		         addr_str(rtnl_addr_get_local(a), ip, sizeof(ip)),
		         rtnl_addr_get_prefixlen(a));
		lines_add(out, line);
	}
	nl_cache_free(c);
	nl_socket_free(sk);
	qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static void links(struct lines *out)
{
	struct nl_sock *sk = sock();
	struct nl_cache *c = NULL;

	assert_int_equal(rtnl_link_alloc_cache(sk, AF_UNSPEC, &c), 0);
	for (struct nl_object *o = nl_cache_get_first(c); o; o = nl_cache_get_next(o)) {
		struct rtnl_link *l = (struct rtnl_link *)o;
		char line[80];

		snprintf(line, sizeof(line), "%s mtu %u %s", rtnl_link_get_name(l),
		         rtnl_link_get_mtu(l), (rtnl_link_get_flags(l) & IFF_UP) ? "up" : "down");
		lines_add(out, line);
	}
	nl_cache_free(c);
	nl_socket_free(sk);
	qsort(out->v, out->n, sizeof(*out->v), cmp_str);
}

static char *join(const struct lines *l)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i]) + 1;
	s = calloc(1, len);
	assert_non_null(s);
	for (size_t i = 0; i < l->n; i++) {
		strcat(s, l->v[i]);
		strcat(s, "\n");
	}
	return s;
}

/* Everything undo must give back, as one string. */
static char *snapshot(void)
{
	struct lines r = {0}, a = {0}, k = {0};
	char *sr, *sa, *sk, *all;

	routes(&r, 0);
	addrs(&a, NULL);
	links(&k);
	sr = join(&r);
	sa = join(&a);
	sk = join(&k);
	assert_true(asprintf(&all, "routes:\n%saddrs:\n%slinks:\n%s", sr, sa, sk) > 0);
	free(sr);
	free(sa);
	free(sk);
	lines_free(&r);
	lines_free(&a);
	lines_free(&k);
	return all;
}

static bool in(const struct lines *l, const char *s)
{
	return bsearch(&s, l->v, l->n, sizeof(*l->v), cmp_str) != NULL;
}

/* Main-table routes added (and removed) since `before`, sorted, one per line. */
static void main_diff(const struct lines *before, char **added, char **removed)
{
	struct lines now = {0}, add = {0}, rem = {0};

	routes(&now, RT_TABLE_MAIN);
	for (size_t i = 0; i < now.n; i++)
		if (!in(before, now.v[i]))
			lines_add(&add, now.v[i]);
	for (size_t i = 0; i < before->n; i++)
		if (!in(&now, before->v[i]))
			lines_add(&rem, before->v[i]);
	*added = join(&add);
	*removed = join(&rem);
	lines_free(&now);
	lines_free(&add);
	lines_free(&rem);
}

static char *slurp(const char *path)
{
	char *buf = calloc(1, 65536);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	assert_non_null(buf);
	assert_true(fd >= 0);
	n = read(fd, buf, 65535);
	assert_true(n >= 0);
	close(fd);
	return buf;
}

static void spit(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Entries in dir, to catch leftover backups and temporaries. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* ---- fixture ---- */

static int group_setup(void **state)
{
	struct nl_sock *sk = sock();
	struct plat_nl *nl;
	struct plat_route def = {.gateway = IP(198, 51, 100, 1)};
	char err[256];
	int up, peer;

	if (rtnl_link_veth_add(sk, UPLINK, UPLINK "p", getpid()) < 0)
		return -1;
	nl_socket_free(sk);
	if (plat_nl_new(&nl, err, sizeof(err)) < 0 ||
	    plat_link_index(nl, UPLINK, &up, err, sizeof(err)) < 0 ||
	    plat_link_index(nl, UPLINK "p", &peer, err, sizeof(err)) < 0 ||
	    plat_link_set(nl, peer, 0, true, err, sizeof(err)) < 0 ||
	    plat_link_set(nl, up, 0, true, err, sizeof(err)) < 0 ||
	    plat_addr_add(nl, up, IP(198, 51, 100, 2), 24, err, sizeof(err)) < 0) {
		fprintf(stderr, "uplink setup: %s\n", err);
		return -1;
	}
	def.ifindex = up;
	if (plat_route_add(nl, &def, err, sizeof(err)) < 0) {
		fprintf(stderr, "uplink setup: %s\n", err);
		return -1;
	}
	plat_nl_free(nl);
	return 0;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct ifreq ifr = {0};
	char err[256];

	if (!f)
		return -1;
	f->tun_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (f->tun_fd < 0)
		return -1;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", TUN);
	if (ioctl(f->tun_fd, TUNSETIFF, &ifr) < 0)
		return -1;
	f->tun_index = (int)if_nametoindex(TUN);
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-plat-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->resolv, sizeof(f->resolv), "%s/resolv.conf", f->dir);
	snprintf(f->state, sizeof(f->state), "%s/run/" TUN ".state", f->dir);
	spit(f->resolv, orig_resolv);
	if (plat_nl_new(&f->nl, err, sizeof(err)) < 0)
		return -1;
	*state = f;
	return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static int teardown(void **state)
{
	struct fx *f = *state;

	plat_nl_free(f->nl);
	if (f->tun_fd >= 0)
		close(f->tun_fd); /* the TUN device and whatever was on it go with it */
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct evc_policy split_policy(void)
{
	struct evc_policy p = {0};

	p.have = EVC_HAVE_ADDR | EVC_HAVE_NETMASK | EVC_HAVE_DOMAIN;
	p.addr = IP(10, 98, 0, 5);
	p.netmask = 0xffffff00u;
	p.dns[0] = IP(10, 99, 0, 53);
	p.dns[1] = IP(10, 99, 0, 54);
	p.n_dns = 2;
	snprintf(p.domain, sizeof(p.domain), "corp.example");
	p.split_include[0] = (struct evc_net){IP(10, 99, 0, 0), 0xffffff00u};
	p.split_include[1] = (struct evc_net){IP(172, 16, 0, 0), 0xffff0000u};
	p.n_split_include = 2;
	return p;
}

static struct plat_client_opts opts_for(struct fx *f)
{
	return (struct plat_client_opts){
	    .ifname = TUN,
	    .gateway = GW_PUBLIC,
	    .resolv_conf = f->resolv,
	    .note = collect_note,
	    .note_arg = f,
	};
}

static const char vpn_resolv[] =
    "# Written by evc for " TUN "; the previous file comes back on disconnect.\n"
    "search corp.example\n"
    "nameserver 10.99.0.53\n"
    "nameserver 10.99.0.54\n";

/* ---- tests ---- */

static void test_masks(void **state)
{
	static const struct {
		uint32_t mask;
		int prefix;
	} t[] = {
	    {0, 0},
	    {0x80000000u, 1},
	    {0xffffff00u, 24},
	    {0xfffffffeu, 31},
	    {0xffffffffu, 32},
	    {0xff00ff00u, -1},
	    {0x7fffffffu, -1},
	    {0x00000001u, -1},
	};
	struct plat_route r = {.dst = IP(10, 99, 0, 0), .prefixlen = 24, .ifindex = 999999};
	char buf[96];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(plat_mask_to_prefix(t[i].mask), t[i].prefix);
		if (t[i].prefix >= 0)
			assert_int_equal(plat_prefix_to_mask((unsigned)t[i].prefix), t[i].mask);
	}
	assert_string_equal(plat_route_str(&r, buf, sizeof(buf)),
	                    "10.99.0.0/24 via ifindex 999999");
	r.gateway = IP(198, 51, 100, 1);
	assert_string_equal(plat_route_str(&r, buf, sizeof(buf)),
	                    "10.99.0.0/24 via 198.51.100.1 dev ifindex 999999");
}

static void test_netcfg(void **state)
{
	struct fx *f = *state;
	struct plat_route r;
	struct plat_link l;
	char err[256];
	int up = (int)if_nametoindex(UPLINK);

	assert_int_equal(plat_link_get(f->nl, "nosuchdev0", &l, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, "cannot find interface nosuchdev0: No such device");
	assert_int_equal(plat_link_get(f->nl, TUN, &l, err, sizeof(err)), 0);
	assert_int_equal(l.ifindex, f->tun_index);
	assert_int_equal(l.mtu, 1500);
	assert_false(l.flags & IFF_UP);

	/* The resolved path and the matching table entry for an "internet" address. */
	assert_int_equal(plat_route_get(f->nl, GW_PUBLIC, false, &r, err, sizeof(err)), 0);
	assert_int_equal(r.gateway, IP(198, 51, 100, 1));
	assert_int_equal(r.ifindex, up);
	assert_int_equal(r.prefsrc, IP(198, 51, 100, 2));
	assert_int_equal(r.type, RTN_UNICAST);
	assert_int_equal(plat_route_get(f->nl, GW_PUBLIC, true, &r, err, sizeof(err)), 0);
	assert_int_equal(r.prefixlen, 0);
	assert_int_equal(plat_route_get(f->nl, IP(198, 51, 100, 77), true, &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.dst, IP(198, 51, 100, 0));
	assert_int_equal(r.prefixlen, 24);
	assert_int_equal(r.gateway, 0);
	assert_int_equal(r.ifindex, up);

	/* Deleting a route that is not there says so. */
	r = (struct plat_route){
	    .dst = IP(10, 77, 0, 0), .prefixlen = 16, .ifindex = up, .protocol = PLAT_RTPROT_EVC};
	assert_int_equal(plat_route_del(f->nl, &r, err, sizeof(err)), -ESRCH);
	assert_string_equal(err,
	                    "cannot remove route 10.77.0.0/16 via " UPLINK ": No such process");
}

static void test_split_tunnel(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	struct lines before = {0}, a = {0};
	char err[256] = "", *snap0, *snap1, *added, *removed, *s, *got;
	struct plat_link l;
	struct stat st;

	snap0 = snapshot();
	routes(&before, RT_TABLE_MAIN);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	assert_string_equal(f->notes, "");
	assert_int_equal(plat_journal_count(j), 5); /* link, address, 2 routes, resolv.conf */

	/* Exactly the prefix route of the address and one route per split network; the
	 * gateway is outside both, so no host route is pinned. */
	main_diff(&before, &added, &removed);
	assert_string_equal(
	    added, "T254 10.98.0.0/24 via - dev evtun0 proto 2 scope 253 type 1 metric 0 src "
	           "10.98.0.5\n"
	           "T254 10.99.0.0/24 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -\n"
	           "T254 172.16.0.0/16 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src "
	           "-\n");
	assert_string_equal(removed, "");
	addrs(&a, TUN);
	s = join(&a);
	assert_string_equal(s, "evtun0 10.98.0.5/24\n");
	assert_int_equal(plat_link_get(f->nl, TUN, &l, err, sizeof(err)), 0);
	assert_int_equal(l.mtu, PLAT_DEFAULT_MTU);
	assert_true(l.flags & IFF_UP);

	got = slurp(f->resolv);
	assert_string_equal(got, vpn_resolv);
	free(got);
	assert_int_equal(stat(f->state, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	got = slurp(f->state);
	assert_non_null(strstr(got, "route evtun0 "));
	assert_non_null(strstr(got, " 10.99.0.0 24 0.0.0.0 0 236 0\n"));
	free(got);

	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_count(j), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	got = slurp(f->resolv);
	assert_string_equal(got, orig_resolv);
	free(got);
	assert_int_equal(stat(f->resolv, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_false(exists(f->state));
	/* No backup or temporary left: the directory holds resolv.conf and run/ only. */
	assert_int_equal(count_entries(f->dir), 2);
	plat_journal_free(j);
	free(snap0);
	free(snap1);
	free(added);
	free(removed);
	free(s);
	lines_free(&before);
	lines_free(&a);
}

static void test_full_tunnel(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = {0};
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	struct lines before = {0}, a = {0};
	char err[256] = "", *snap0, *snap1, *added, *removed, *s, *got;
	struct plat_route r;

	pol.have = EVC_HAVE_ADDR | EVC_HAVE_DOMAIN;
	pol.addr = IP(10, 98, 0, 5);
	pol.dns[0] = IP(10, 99, 0, 53);
	pol.n_dns = 1;
	snprintf(pol.domain, sizeof(pol.domain), "corp.example");
	/* One local LAN reached via the default route, one directly connected. */
	pol.local_lan[0] = (struct evc_net){IP(192, 168, 77, 0), 0xffffff00u};
	pol.local_lan[1] = (struct evc_net){IP(198, 51, 100, 0), 0xffffff00u};
	pol.n_local_lan = 2;
	o.dns = PLAT_DNS_OFF;
	o.mtu = 1360;

	snap0 = snapshot();
	routes(&before, RT_TABLE_MAIN);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	assert_string_equal(f->notes, "the server sent no netmask; evtun0 gets 10.98.0.5/32\n");

	main_diff(&before, &added, &removed);
	assert_string_equal(
	    added,
	    "T254 0.0.0.0/1 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -\n"
	    "T254 128.0.0.0/1 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -\n"
	    "T254 192.168.77.0/24 via 198.51.100.1 dev up0 proto 236 scope 0 type 1 metric 0 "
	    "src -\n"
	    "T254 203.0.113.10/32 via 198.51.100.1 dev up0 proto 236 scope 0 type 1 metric 0 "
	    "src -\n");
	assert_string_equal(removed, ""); /* the default route is untouched */
	addrs(&a, TUN);
	s = join(&a);
	assert_string_equal(s, "evtun0 10.98.0.5/32\n");

	/* What the kernel now does: IKE/ESP to the gateway and the LANs outside, the rest in. */
	assert_int_equal(plat_route_get(f->nl, GW_PUBLIC, false, &r, err, sizeof(err)), 0);
	assert_int_equal(r.ifindex, (int)if_nametoindex(UPLINK));
	assert_int_equal(r.gateway, IP(198, 51, 100, 1));
	assert_int_equal(plat_route_get(f->nl, IP(203, 0, 113, 99), false, &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.ifindex, f->tun_index);
	assert_int_equal(r.prefsrc, IP(10, 98, 0, 5));
	assert_int_equal(plat_route_get(f->nl, IP(198, 51, 100, 77), false, &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.ifindex, (int)if_nametoindex(UPLINK));
	assert_int_equal(plat_route_get(f->nl, IP(192, 168, 77, 9), false, &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.ifindex, (int)if_nametoindex(UPLINK));

	got = slurp(f->resolv); /* DNS off: untouched */
	assert_string_equal(got, orig_resolv);
	free(got);

	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	assert_false(exists(f->state));
	plat_journal_free(j);
	free(snap0);
	free(snap1);
	free(added);
	free(removed);
	free(s);
	lines_free(&before);
	lines_free(&a);
}

static void test_crash_recovery(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL, *j2 = NULL;
	struct plat_route r = {.dst = IP(172, 16, 0, 0),
	                       .prefixlen = 16,
	                       .ifindex = f->tun_index,
	                       .protocol = PLAT_RTPROT_EVC};
	char err[256] = "", *snap0, *snap1, *got;

	snap0 = snapshot();
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	plat_journal_free(j); /* the process "dies": host changes and state file stay */
	assert_true(exists(f->state));
	got = slurp(f->resolv);
	assert_string_equal(got, vpn_resolv);
	free(got);

	/* A new session on the same interface must not start over the leftovers. */
	assert_int_equal(plat_journal_new(&j2, f->state, err, sizeof(err)), -EEXIST);
	assert_null(j2);
	assert_non_null(strstr(err, "did not undo its changes; recover them first"));

	/* Somebody already removed one route by hand: recovery must not mind. */
	assert_int_equal(plat_route_del(f->nl, &r, err, sizeof(err)), 0);

	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	got = slurp(f->resolv);
	assert_string_equal(got, orig_resolv);
	free(got);
	assert_false(exists(f->state));
	assert_int_equal(count_entries(f->dir), 2);
	/* Nothing left to recover is not an error. */
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), 0);
	free(snap0);
	free(snap1);
}

/* The usual crash: the process dies, its TUN device with it. Recovery must still remove what
 * lives elsewhere (the pinned gateway route, local-LAN routes, resolv.conf). */
static void test_crash_tun_gone(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	struct lines r0 = {0}, r1 = {0};
	char err[256] = "", *s0, *s1, *got;

	pol.n_split_include = 0;
	pol.local_lan[0] = (struct evc_net){IP(192, 168, 77, 0), 0xffffff00u};
	pol.n_local_lan = 1;
	routes(&r0, 0);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_count(j), 7); /* link, addr, pin, LAN, 0/1, 128/1, DNS */
	plat_journal_free(j);
	close(f->tun_fd);
	f->tun_fd = -1;
	assert_int_equal(if_nametoindex(TUN), 0);

	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), 0);
	routes(&r1, 0);
	s0 = join(&r0);
	s1 = join(&r1);
	assert_string_equal(s1, s0);
	got = slurp(f->resolv);
	assert_string_equal(got, orig_resolv);
	free(got);
	assert_false(exists(f->state));
	free(s0);
	free(s1);
	lines_free(&r0);
	lines_free(&r1);
}

static void test_damaged_state_file(void **state)
{
	struct fx *f = *state;
	char err[256] = "", run[96];

	snprintf(run, sizeof(run), "%s/run", f->dir);
	assert_int_equal(mkdir(run, 0700), 0);
	spit(f->state, "evc-platform-journal 1\nroute evtun0 5 10.99.0.0 24\n");
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 2 is damaged; nothing was undone"));
	assert_true(exists(f->state));
	/* recovery deletes only a PAT table of evc's own (evc_<tun>), never one named in a
	 * state file someone else could have written */
	spit(f->state, "evc-platform-journal 1\nnft filter\n");
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 2 is damaged; nothing was undone"));
	spit(f->state, "evc-platform-journal 1\nnft evc_a;b\n");
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EINVAL);
	assert_true(exists(f->state));
}

static void test_transactional(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	struct plat_route theirs = {
	    .dst = IP(172, 16, 0, 0),
	    .prefixlen = 16,
	    .gateway = IP(198, 51, 100, 1),
	    .ifindex = (int)if_nametoindex(UPLINK),
	};
	char err[256] = "", fwd[128], *snap0, *snap1, *got;

	snprintf(fwd, sizeof(fwd), "%s", PLAT_IP_FORWARD_PATH);
	spit(fwd, "0\n"); /* our own namespace: a known starting value */
	assert_int_equal(plat_link_set(f->nl, f->tun_index, 0, true, err, sizeof(err)), 0);
	/* Somebody else's route for the second split network, through the uplink. */
	assert_int_equal(plat_route_add(f->nl, &theirs, err, sizeof(err)), 0);

	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_ip_forward_enable(j, NULL, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_count(j), 1);
	snap0 = snapshot();

	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), -EEXIST);
	assert_string_equal(err, "cannot add route 172.16.0.0/16 via evtun0: File exists");
	/* The link, address and first route were taken back; the earlier change and the
	 * foreign route stay. */
	assert_int_equal(plat_journal_count(j), 1);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	got = slurp(f->resolv);
	assert_string_equal(got, orig_resolv);
	free(got);
	got = slurp(fwd);
	assert_string_equal(got, "1\n");
	free(got);
	got = slurp(f->state);
	assert_string_equal(got,
	                    "evc-platform-journal 1\nsysctl /proc/sys/net/ipv4/ip_forward 0\n");
	free(got);

	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	got = slurp(fwd);
	assert_string_equal(got, "0\n");
	free(got);
	theirs.protocol = RTPROT_BOOT;
	assert_int_equal(plat_route_del(f->nl, &theirs, err, sizeof(err)), 0);
	plat_journal_free(j);
	free(snap0);
	free(snap1);
}

static void test_bad_policy(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	char err[256] = "", *snap0, *snap1;

	snap0 = snapshot();
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	pol.split_include[1].mask = 0xff00ff00u;
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "the server pushed split-include network 172.16.0.0 with netmask "
	                         "255.0.255.0, which is not a prefix");
	pol = split_policy();
	pol.have &= ~EVC_HAVE_ADDR;
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "the server assigned no address; evtun0 cannot be configured");
	assert_int_equal(plat_journal_count(j), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	plat_journal_free(j); /* empty: removes its state file */
	assert_false(exists(f->state));
	free(snap0);
	free(snap1);
}

/* A pushed policy that makes no sense for a client is refused before anything changes, with
 * one sentence that names the bad value. */
static void test_policy_sanity(void **state)
{
	static const struct {
		const char *what;
		uint32_t addr, mask;
		uint32_t dns, wins;
		struct evc_net inc;
		const char *err;
	} t[] = {
	    {"loopback address",
	     IP(127, 0, 0, 5),
	     0,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 127.0.0.5, a loopback address"},
	    {"multicast address",
	     IP(224, 0, 0, 5),
	     0,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 224.0.0.5, a multicast address"},
	    {"broadcast address",
	     IP(255, 255, 255, 255),
	     0,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 255.255.255.255, the broadcast address"},
	    {"this-network address",
	     IP(0, 1, 2, 3),
	     0,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 0.1.2.3, an address of 0.0.0.0/8"},
	    {"the gateway itself",
	     GW_PUBLIC,
	     0,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 203.0.113.10, the VPN gateway's own address"},
	    {"netmask shorter than /8",
	     IP(10, 98, 0, 5),
	     0xfe000000u,
	     0,
	     0,
	     {0, 0},
	     "the server pushed netmask 254.0.0.0 (/7) for address 10.98.0.5; a client "
	     "network cannot be wider than /8"},
	    {"subnet broadcast",
	     IP(10, 98, 0, 255),
	     0xffffff00u,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 10.98.0.255, the broadcast address of 10.98.0.0/24"},
	    {"subnet network address",
	     IP(10, 98, 0, 0),
	     0xffffff00u,
	     0,
	     0,
	     {0, 0},
	     "the server pushed address 10.98.0.0, the network address of 10.98.0.0/24"},
	    {"loopback DNS server",
	     IP(10, 98, 0, 5),
	     0,
	     IP(127, 0, 0, 1),
	     0,
	     {0, 0},
	     "the server pushed DNS server 127.0.0.1, a loopback address"},
	    {"multicast DNS server",
	     IP(10, 98, 0, 5),
	     0,
	     IP(239, 1, 2, 3),
	     0,
	     {0, 0},
	     "the server pushed DNS server 239.1.2.3, a multicast address"},
	    {"unspecified DNS server",
	     IP(10, 98, 0, 5),
	     0,
	     IP(0, 0, 0, 0),
	     0,
	     {0, 0},
	     "the server pushed DNS server 0.0.0.0, an address of 0.0.0.0/8"},
	    {"multicast WINS server",
	     IP(10, 98, 0, 5),
	     0,
	     0,
	     IP(224, 0, 0, 1),
	     {0, 0},
	     "the server pushed WINS server 224.0.0.1, a multicast address"},
	    {"loopback split network",
	     IP(10, 98, 0, 5),
	     0,
	     0,
	     0,
	     {IP(127, 0, 0, 0), 0xff000000u},
	     "the server pushed split-include network 127.0.0.0/8, a loopback network"},
	    {"multicast split network",
	     IP(10, 98, 0, 5),
	     0,
	     0,
	     0,
	     {IP(224, 0, 0, 0), 0xf0000000u},
	     "the server pushed split-include network 224.0.0.0/4, a multicast network"},
	};
	struct fx *f = *state;
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	char err[512] = "", *snap0, *snap1, *got;

	snap0 = snapshot();
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct evc_policy pol = split_policy();

		pol.addr = t[i].addr;
		if (t[i].mask)
			pol.netmask = t[i].mask;
		else
			pol.have &= ~EVC_HAVE_NETMASK;
		if (t[i].dns || strstr(t[i].what, "unspecified DNS"))
			pol.dns[1] = t[i].dns;
		if (t[i].wins) {
			pol.wins[0] = t[i].wins;
			pol.n_wins = 1;
		}
		if (t[i].inc.mask)
			pol.split_include[1] = t[i].inc;
		err[0] = '\0';
		if (plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)) != -EINVAL)
			fail_msg("a policy with a %s was not refused (err '%s')", t[i].what, err);
		if (!strstr(err, t[i].err))
			fail_msg("%s: the message '%s' lacks '%s'", t[i].what, err, t[i].err);
		assert_int_equal(plat_journal_count(j), 0);
	}
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	got = slurp(f->resolv);
	assert_string_equal(got, orig_resolv);
	free(got);
	/* /8 is still fine */
	struct evc_policy ok = split_policy();
	ok.netmask = 0xff000000u;
	assert_int_equal(plat_apply_client_policy(j, f->nl, &ok, &o, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	plat_journal_free(j);
	free(snap0);
	free(snap1);
}

/* The assigned prefix contains the gateway: its prefix route would pull IKE and ESP into the
 * tunnel, so the gateway is pinned to its physical path, before the address goes on. */
static void test_gateway_in_own_prefix(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	struct plat_route r;
	char err[256] = "", *snap0, *snap1;

	pol.addr = IP(203, 0, 113, 50); /* 203.0.113.0/24 holds GW_PUBLIC */
	pol.n_split_include = 1;
	o.dns = PLAT_DNS_OFF;
	snap0 = snapshot();
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	assert_int_equal(plat_route_get(f->nl, GW_PUBLIC, false, &r, err, sizeof(err)), 0);
	assert_int_equal(r.ifindex, (int)if_nametoindex(UPLINK));
	assert_int_equal(r.gateway, IP(198, 51, 100, 1));
	/* the rest of the prefix does go through the tunnel */
	assert_int_equal(plat_route_get(f->nl, IP(203, 0, 113, 99), false, &r, err, sizeof(err)),
	                 0);
	assert_int_equal(r.ifindex, f->tun_index);
	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	plat_journal_free(j);
	free(snap0);
	free(snap1);
}

/* A root evc trusts no state file, backup or directory that another user could have written:
 * recovery refuses, names the file and what is wrong, and changes nothing. */
static void test_untrusted_state(void **state)
{
	struct fx *f = *state;
	struct plat_journal *j = NULL;
	char err[512] = "", run[96], victim[128], backup[160], text[512], *got;
	struct stat st;

	snprintf(run, sizeof(run), "%s/run", f->dir);
	assert_int_equal(mkdir(run, 0700), 0);
	snprintf(victim, sizeof(victim), "%s/victim", f->dir);
	spit(victim, "original\n");

	/* the state directory belongs to somebody else */
	assert_int_equal(chown(run, 1000, 1000), 0);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), -EPERM);
	assert_null(j);
	assert_non_null(strstr(err, run));
	assert_non_null(strstr(err, "owned by uid 1000, not root"));
	assert_false(exists(f->state));
	assert_int_equal(chown(run, 0, 0), 0);

	/* a state file others may write: not recovered, left for the administrator */
	snprintf(text, sizeof(text), "evc-platform-journal 1\nfile %s absent 644 0 0 -\n", victim);
	spit(f->state, text);
	assert_int_equal(chmod(f->state, 0666), 0);
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, f->state));
	assert_non_null(strstr(err, "writable by group or others (mode 0666)"));
	assert_true(exists(victim));
	assert_true(exists(f->state));
	/* owned by another user */
	assert_int_equal(chmod(f->state, 0600), 0);
	assert_int_equal(chown(f->state, 1000, 1000), 0);
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "owned by uid 1000, not root"));
	assert_true(exists(victim));
	assert_int_equal(chown(f->state, 0, 0), 0);

	/* a "backup" that is not the journal's own (here the shadow file of this test) */
	snprintf(backup, sizeof(backup), "%s/elsewhere", f->dir);
	spit(backup, "root::0:0:owned\n");
	snprintf(text, sizeof(text), "evc-platform-journal 1\nfile %s regular 644 0 0 %s\n", victim,
	         backup);
	spit(f->state, text);
	assert_int_equal(chmod(f->state, 0600), 0);
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "is not beside the state file"));
	got = slurp(victim);
	assert_string_equal(got, "original\n");
	free(got);

	/* the journal's own backup, but writable by others */
	snprintf(backup, sizeof(backup), "%s.dns0", f->state);
	spit(backup, "tampered\n");
	assert_int_equal(chmod(backup, 0666), 0);
	snprintf(text, sizeof(text), "evc-platform-journal 1\nfile %s regular 644 0 0 %s\n", victim,
	         backup);
	spit(f->state, text);
	assert_int_equal(chmod(f->state, 0600), 0);
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, backup));
	assert_non_null(strstr(err, "writable by group or others"));
	got = slurp(victim);
	assert_string_equal(got, "original\n");
	free(got);

	/* a trusted backup with a setuid, world-writable mode: restored, but with a safe mode */
	assert_int_equal(chmod(backup, 0600), 0);
	snprintf(text, sizeof(text), "evc-platform-journal 1\nfile %s regular 6777 0 0 %s\n",
	         victim, backup);
	spit(f->state, text);
	assert_int_equal(chmod(f->state, 0600), 0);
	assert_int_equal(plat_journal_recover(f->state, err, sizeof(err)), 0);
	got = slurp(victim);
	assert_string_equal(got, "tampered\n");
	free(got);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_false(exists(f->state));
	assert_false(exists(backup));
}

/* A resolv.conf (or its directory) that another user controls is not rewritten by root. */
static void test_untrusted_resolv_conf(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	char err[512] = "", *snap0, *snap1, *got;

	snap0 = snapshot();
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(chown(f->resolv, 1000, 1000), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, f->resolv));
	assert_non_null(strstr(err, "owned by uid 1000, not root"));
	assert_int_equal(plat_journal_count(j), 0);
	assert_int_equal(chown(f->resolv, 0, 0), 0);
	assert_int_equal(chmod(f->resolv, 0646), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others (mode 0646)"));
	assert_int_equal(plat_journal_count(j), 0);
	assert_int_equal(chmod(f->resolv, 0644), 0);
	/* its directory */
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, f->dir));
	assert_int_equal(chmod(f->dir, 0700), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	got = slurp(f->resolv);
	assert_string_equal(got, orig_resolv);
	free(got);
	plat_journal_free(j);
	free(snap0);
	free(snap1);
}

/* The check itself: every directory above, sticky directories as in /tmp, symlinks. */
static void test_path_trusted(void **state)
{
	struct fx *f = *state;
	char err[512] = "", sub[96], file[128], link[128];

	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	snprintf(file, sizeof(file), "%s/sub/x.profile", f->dir);
	snprintf(link, sizeof(link), "%s/link", f->dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	spit(file, "group = g\n");
	assert_int_equal(plat_path_trusted(file, "profile", false, err, sizeof(err)), 0);
	/* world-writable /tmp: accepted above (sticky, as for f->dir), refused as the target */
	assert_int_equal(plat_path_trusted("/tmp", "directory", false, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "writable by group or others"));
	/* a group-writable directory in the middle */
	assert_int_equal(chmod(sub, 0775), 0);
	assert_int_equal(plat_path_trusted(file, "profile", false, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "refusing to use the profile"));
	assert_non_null(strstr(err, sub));
	assert_int_equal(chmod(sub, 0755), 0);
	/* missing: fine only when allowed */
	assert_int_equal(unlink(file), 0);
	assert_int_equal(plat_path_trusted(file, "state file", true, err, sizeof(err)), 0);
	assert_int_equal(plat_path_trusted(file, "profile", false, err, sizeof(err)), -ENOENT);
	/* a symlink is judged by its owner, then by where it points */
	spit(file, "group = g\n");
	assert_int_equal(symlink(file, link), 0);
	assert_int_equal(plat_path_trusted(link, "resolver file", false, err, sizeof(err)), 0);
	assert_int_equal(lchown(link, 1000, 1000), 0);
	assert_int_equal(plat_path_trusted(link, "resolver file", false, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "owned by uid 1000, not root"));
	assert_int_equal(lchown(link, 0, 0), 0);
	assert_int_equal(chmod(file, 0666), 0);
	assert_int_equal(plat_path_trusted(link, "resolver file", false, err, sizeof(err)), -EPERM);
}

static void test_dns_symlink(void **state)
{
	struct fx *f = *state;
	struct evc_policy pol = split_policy();
	struct plat_client_opts o = opts_for(f);
	struct plat_journal *j = NULL;
	char err[256] = "", real[160], target[160], *got;
	ssize_t n;

	pol.n_split_include = 0;
	snprintf(real, sizeof(real), "%s/stub-resolv.conf", f->dir);
	spit(real, "nameserver 127.0.0.53\n");
	assert_int_equal(unlink(f->resolv), 0);
	assert_int_equal(symlink("stub-resolv.conf", f->resolv), 0);

	/* Default mode: a symlink is not written through, and the user is told. */
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	assert_non_null(strstr(f->notes, "DNS servers were NOT applied"));
	assert_non_null(strstr(f->notes, "is a symlink to stub-resolv.conf"));
	assert_int_equal(plat_journal_count(j), 5); /* link, address, gateway, 0/1, 128/1 */
	n = readlink(f->resolv, target, sizeof(target) - 1);
	assert_int_equal(n, 16);
	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);

	/* Replace mode: a file while connected, the link again afterwards. */
	o.dns = PLAT_DNS_REPLACE_SYMLINK;
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	assert_int_equal(readlink(f->resolv, target, sizeof(target)), -1);
	got = slurp(f->resolv);
	assert_string_equal(got, vpn_resolv);
	free(got);
	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	n = readlink(f->resolv, target, sizeof(target) - 1);
	assert_int_equal(n, 16);
	target[n] = '\0';
	assert_string_equal(target, "stub-resolv.conf");
	got = slurp(real);
	assert_string_equal(got, "nameserver 127.0.0.53\n");
	free(got);

	/* No resolv.conf at all: created while connected, gone afterwards. */
	assert_int_equal(unlink(f->resolv), 0);
	o.dns = PLAT_DNS_RESOLV_CONF;
	assert_int_equal(plat_apply_client_policy(j, f->nl, &pol, &o, err, sizeof(err)), 0);
	got = slurp(f->resolv);
	assert_string_equal(got, vpn_resolv);
	free(got);
	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	assert_false(exists(f->resolv));
	plat_journal_free(j);
}

static void test_server_side(void **state)
{
	struct fx *f = *state;
	struct plat_journal *j = NULL;
	struct lines before = {0};
	char err[256] = "", *snap0, *snap1, *added, *removed, *got;

	spit(PLAT_IP_FORWARD_PATH, "0\n");
	assert_int_equal(plat_link_set(f->nl, f->tun_index, 0, true, err, sizeof(err)), 0);
	snap0 = snapshot();
	routes(&before, RT_TABLE_MAIN);
	assert_int_equal(plat_journal_new(&j, f->state, err, sizeof(err)), 0);
	assert_int_equal(plat_ip_forward_enable(j, NULL, err, sizeof(err)), 0);
	got = slurp(PLAT_IP_FORWARD_PATH);
	assert_string_equal(got, "1\n");
	free(got);
	/* Already on: nothing more to record. */
	assert_int_equal(plat_ip_forward_enable(j, NULL, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_count(j), 1);

	assert_int_equal(plat_rri_add(j, f->nl, TUN, IP(10, 98, 0, 7), 32, err, sizeof(err)), 0);
	assert_int_equal(plat_rri_add(j, f->nl, TUN, IP(10, 98, 1, 9), 24, err, sizeof(err)), 0);
	assert_int_equal(plat_rri_add(j, f->nl, TUN, IP(10, 98, 0, 7), 32, err, sizeof(err)),
	                 -EEXIST);
	assert_string_equal(err, "cannot add route 10.98.0.7/32 via evtun0: File exists");
	assert_int_equal(plat_journal_count(j), 3);
	main_diff(&before, &added, &removed);
	assert_string_equal(
	    added,
	    "T254 10.98.0.7/32 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -\n"
	    "T254 10.98.1.0/24 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -\n");
	free(added);
	free(removed);

	assert_int_equal(plat_rri_del(j, f->nl, TUN, IP(10, 98, 0, 7), 32, err, sizeof(err)), 0);
	assert_int_equal(plat_journal_count(j), 2);
	main_diff(&before, &added, &removed);
	assert_string_equal(
	    added,
	    "T254 10.98.1.0/24 via - dev evtun0 proto 236 scope 253 type 1 metric 0 src -\n");
	/* Removing what is not there (client already gone) is fine. */
	assert_int_equal(plat_rri_del(j, f->nl, TUN, IP(10, 98, 0, 7), 32, err, sizeof(err)), 0);

	assert_int_equal(plat_journal_undo(j, err, sizeof(err)), 0);
	snap1 = snapshot();
	assert_string_equal(snap1, snap0);
	got = slurp(PLAT_IP_FORWARD_PATH);
	assert_string_equal(got, "0\n");
	free(got);
	plat_journal_free(j);
	free(snap0);
	free(snap1);
	free(added);
	free(removed);
	lines_free(&before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_masks),
	    cmocka_unit_test_setup_teardown(test_netcfg, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_tunnel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_full_tunnel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_recovery, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crash_tun_gone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_damaged_state_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transactional, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_policy, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_policy_sanity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gateway_in_own_prefix, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_untrusted_state, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_untrusted_resolv_conf, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_path_trusted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dns_symlink, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_server_side, setup, teardown),
	};

	/* A namespace of our own: nothing below can touch the host's interfaces, routes or
	 * sysctls, and all of it vanishes when the process exits, even on a crash. */
	if (unshare(CLONE_NEWNET) < 0) {
		fprintf(stderr,
		        "test_platform must run as root (CAP_SYS_ADMIN) to create a network "
		        "namespace: %s\n",
		        strerror(errno));
		return 1;
	}
	return cmocka_run_group_tests(tests, group_setup, NULL);
}
