/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A mode-config policy onto the host (client), reverse routes and forwarding (server). */
#include "platform/apply.h"
#include "platform/plat_int.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/rtnetlink.h>

struct net {
	uint32_t addr;
	unsigned plen;
};

/* Everything the client configuration will do, decided before the first change. */
struct plan {
	struct plat_link tun;
	unsigned plen, mtu;
	struct net own; /* the assigned prefix: the kernel routes it via the TUN device */
	bool have_pin;
	struct plat_route pin;
	struct plat_route lan[EVC_POLICY_MAX_NETS];
	size_t n_lan;
	struct net tnl[EVC_POLICY_MAX_NETS + 1];
	size_t n_tnl;
};

static void notef(const struct plat_client_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void notef(const struct plat_client_opts *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!o->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->note(o->note_arg, msg);
}

static const char *net_str(const struct net *n, char *buf, size_t len)
{
	char ip[16];

	snprintf(buf, len, "%s/%u", ipv4_str(n->addr, ip, sizeof(ip)), n->plen);
	return buf;
}

static int norm_net(const struct evc_net *in, const char *what, struct net *out, char *err,
                    size_t errlen)
{
	char a[16], m[16];
	int p = plat_mask_to_prefix(in->mask);

	if (p < 0)
		return plat_failx(
		    err, errlen, -EINVAL,
		    _("the server pushed %s %s with netmask %s, which is not a prefix"), what,
		    ipv4_str(in->addr, a, sizeof(a)), ipv4_str(in->mask, m, sizeof(m)));
	out->plen = (unsigned)p;
	out->addr = in->addr & plat_prefix_to_mask(out->plen);
	return 0;
}

static bool net_contains(const struct net *n, uint32_t a)
{
	return (a & plat_prefix_to_mask(n->plen)) == n->addr;
}

static bool net_in(const struct net *set, size_t n, const struct net *x)
{
	for (size_t i = 0; i < n; i++)
		if (set[i].addr == x->addr && set[i].plen == x->plen)
			return true;
	return false;
}

static void add_tnl(struct plan *p, uint32_t addr, unsigned plen)
{
	struct net n = {addr, plen};

	if (!net_in(p->tnl, p->n_tnl, &n) && p->n_tnl < sizeof(p->tnl) / sizeof(p->tnl[0]))
		p->tnl[p->n_tnl++] = n;
}

static int plan_lan(struct plat_nl *nl, const struct evc_policy *pol,
                    const struct plat_client_opts *o, struct plan *p, struct net *lans,
                    size_t *n_lans, char *err, size_t errlen)
{
	struct plat_route fm, res;
	char s[32];
	int rc;

	*n_lans = 0;
	for (size_t i = 0; i < pol->n_local_lan && i < EVC_POLICY_MAX_NETS; i++) {
		struct net n = {0};

		rc = norm_net(&pol->local_lan[i], "local-LAN network", &n, err, errlen);
		if (rc < 0)
			return rc;
		if (n.plen == 0 || net_in(lans, *n_lans, &n))
			continue;
		lans[(*n_lans)++] = n;
		rc = plat_route_get(nl, n.addr, true, &fm, err, errlen);
		if (rc == -ENETUNREACH) {
			notef(o,
			      "local LAN %s has no route on this host; nothing to keep out of the "
			      "tunnel",
			      net_str(&n, s, sizeof(s)));
			continue;
		}
		if (rc < 0)
			return rc;
		/* Routed at least as specifically as the LAN itself (a directly connected LAN):
		 * the tunnel routes cannot pull it in. */
		if (fm.prefixlen >= n.plen)
			continue;
		rc = plat_route_get(nl, n.addr, false, &res, err, errlen);
		if (rc < 0)
			return rc;
		if (res.type != RTN_UNICAST || res.ifindex <= 0 || res.ifindex == p->tun.ifindex)
			continue;
		p->lan[p->n_lan++] = (struct plat_route){
		    .dst = n.addr,
		    .prefixlen = (uint8_t)n.plen,
		    .gateway = res.gateway,
		    .ifindex = res.ifindex,
		    .protocol = PLAT_RTPROT_EVC,
		};
	}
	return 0;
}

static int plan_gateway(struct plat_nl *nl, const struct plat_client_opts *o, struct plan *p,
                        char *err, size_t errlen)
{
	struct plat_route res, fm;
	bool covered = false;
	char gw[16];
	int rc;

	for (size_t i = 0; i < p->n_tnl; i++)
		covered |= net_contains(&p->tnl[i], o->gateway);
	covered |= p->own.plen < 32 && net_contains(&p->own, o->gateway);
	if (!covered)
		return 0;
	if (!o->gateway)
		return plat_failx(
		    err, errlen, -EINVAL,
		    _("the VPN gateway's address is needed to keep IKE and ESP out of "
		      "the tunnel"));
	ipv4_str(o->gateway, gw, sizeof(gw));
	rc = plat_route_get(nl, o->gateway, false, &res, err, errlen);
	if (rc < 0)
		return rc;
	if (res.type == RTN_LOCAL)
		return 0;
	if (res.ifindex == p->tun.ifindex)
		return plat_failx(err, errlen, -ELOOP,
		                  _("packets to the VPN gateway %s already go through %s; undo the "
		                    "earlier configuration first"),
		                  gw, o->ifname);
	rc = plat_route_get(nl, o->gateway, true, &fm, err, errlen);
	if (rc < 0)
		return rc;
	if (fm.prefixlen == 32)
		return 0; /* a host route already wins over anything evc adds */
	p->have_pin = true;
	p->pin = (struct plat_route){
	    .dst = o->gateway,
	    .prefixlen = 32,
	    .gateway = res.gateway,
	    .ifindex = res.ifindex,
	    .protocol = PLAT_RTPROT_EVC,
	};
	return 0;
}

static int plan_client(struct plat_nl *nl, const struct evc_policy *pol,
                       const struct plat_client_opts *o, struct plan *p, char *err, size_t errlen)
{
	struct net lans[EVC_POLICY_MAX_NETS], n = {0}, own;
	size_t n_lans = 0;
	char a[16], s[32];
	int rc;

	memset(p, 0, sizeof(*p));
	if (!(pol->have & EVC_HAVE_ADDR) || !pol->addr)
		return plat_failx(err, errlen, -EINVAL,
		                  _("the server assigned no address; %s cannot be configured"),
		                  o->ifname);
	rc = plat_policy_check(pol, o->gateway, err, errlen);
	if (rc < 0)
		return rc;
	if ((pol->have & EVC_HAVE_NETMASK) && pol->netmask) {
		rc = plat_mask_to_prefix(pol->netmask);
		if (rc < 0)
			return plat_failx(err, errlen, -EINVAL,
			                  _("the server pushed netmask %s, which is not a prefix"),
			                  ipv4_str(pol->netmask, a, sizeof(a)));
		p->plen = (unsigned)rc;
	} else {
		p->plen = 32;
		notef(o, "the server sent no netmask; %s gets %s/32", o->ifname,
		      ipv4_str(pol->addr, a, sizeof(a)));
	}
	p->mtu = o->mtu ? o->mtu : PLAT_DEFAULT_MTU;
	if (p->mtu < 576 || p->mtu > 65535)
		return plat_failx(err, errlen, -EINVAL, _("MTU %u is out of range (576-65535)"),
		                  p->mtu);
	rc = plat_link_get(nl, o->ifname, &p->tun, err, errlen);
	if (rc < 0)
		return rc;

	rc = plan_lan(nl, pol, o, p, lans, &n_lans, err, errlen);
	if (rc < 0)
		return rc;

	/* The prefix route that comes with the address already goes via the TUN device. */
	own.plen = p->plen;
	own.addr = pol->addr & plat_prefix_to_mask(p->plen);
	p->own = own;
	for (size_t i = 0; i < pol->n_split_include && i < EVC_POLICY_MAX_NETS; i++) {
		rc = norm_net(&pol->split_include[i], "split-include network", &n, err, errlen);
		if (rc < 0)
			return rc;
		if (n.plen == 0) {
			add_tnl(p, 0, 1);
			add_tnl(p, 0x80000000u, 1);
		} else if (net_in(lans, n_lans, &n)) {
			notef(o,
			      "%s is both a split-include and a local-LAN network; it stays local",
			      net_str(&n, s, sizeof(s)));
		} else if (!(own.plen < 32 && n.addr == own.addr && n.plen == own.plen)) {
			add_tnl(p, n.addr, n.plen);
		}
	}
	if (pol->n_split_include == 0) {
		add_tnl(p, 0, 1);
		add_tnl(p, 0x80000000u, 1);
	}
	return plan_gateway(nl, o, p, err, errlen);
}

/* Records the route (write-ahead), then adds it; a route that could not be added is forgotten
 * again, so undo never deletes a route someone else owns. */
static int journal_route(struct plat_journal *j, struct plat_nl *nl, const char *ifname,
                         const struct plat_route *r, char *err, size_t errlen)
{
	struct plat_jentry e = {.type = PJ_ROUTE, .ifindex = r->ifindex, .rt = *r};
	int rc;

	if (ifname)
		snprintf(e.ifname, sizeof(e.ifname), "%s", ifname);
	else if (!if_indextoname((unsigned)r->ifindex, e.ifname))
		return plat_fail(err, errlen, -errno, _("cannot name interface %d"), r->ifindex);
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		return rc;
	rc = plat_route_add(nl, r, err, errlen);
	if (rc < 0)
		plat_journal_forget(j, plat_journal_count(j) - 1, NULL, 0);
	return rc;
}

static int execute(struct plat_journal *j, struct plat_nl *nl, const struct evc_policy *pol,
                   const struct plat_client_opts *o, const struct plan *p, char *err, size_t errlen)
{
	struct plat_jentry e = {.ifindex = p->tun.ifindex};
	int rc;

	snprintf(e.ifname, sizeof(e.ifname), "%s", o->ifname);
	e.type = PJ_LINK;
	e.mtu = p->tun.mtu;
	e.up = p->tun.flags & IFF_UP;
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		return rc;
	rc = plat_link_set(nl, p->tun.ifindex, p->mtu, true, err, errlen);
	if (rc < 0) {
		plat_journal_forget(j, plat_journal_count(j) - 1, NULL, 0);
		return rc;
	}

	/* The gateway first, before the address brings its prefix route: IKE and ESP must
	 * never be routed into the tunnel, not even for the moment between two changes. */
	if (p->have_pin) {
		rc = journal_route(j, nl, NULL, &p->pin, err, errlen);
		if (rc < 0)
			return rc;
	}

	e.type = PJ_ADDR;
	e.addr = pol->addr;
	e.plen = p->plen;
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		return rc;
	rc = plat_addr_add(nl, p->tun.ifindex, pol->addr, p->plen, err, errlen);
	if (rc < 0) {
		plat_journal_forget(j, plat_journal_count(j) - 1, NULL, 0);
		return rc;
	}

	for (size_t i = 0; i < p->n_lan; i++) {
		rc = journal_route(j, nl, NULL, &p->lan[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	for (size_t i = 0; i < p->n_tnl; i++) {
		struct plat_route r = {
		    .dst = p->tnl[i].addr,
		    .prefixlen = (uint8_t)p->tnl[i].plen,
		    .ifindex = p->tun.ifindex,
		    .protocol = PLAT_RTPROT_EVC,
		};

		rc = journal_route(j, nl, o->ifname, &r, err, errlen);
		if (rc < 0)
			return rc;
	}
	rc = plat_pat_add(j, o->ifname, pol->addr, o->pat_lan, o->n_pat_lan, err, errlen);
	if (rc < 0)
		return rc;
	return plat_dns_apply(j, pol, o->resolv_conf, o->dns, o->ifname, o->note, o->note_arg, err,
	                      errlen);
}

int plat_apply_client_policy(struct plat_journal *j, struct plat_nl *nl,
                             const struct evc_policy *pol, const struct plat_client_opts *o,
                             char *err, size_t errlen)
{
	struct plan *p;
	size_t mark;
	int rc;

	if (!j || !nl || !pol || !o || !o->ifname)
		return plat_failx(err, errlen, -EINVAL, _("no journal, policy or interface given"));
	p = malloc(sizeof(*p));
	if (!p)
		return plat_fail(err, errlen, -ENOMEM, _("cannot configure %s"), o->ifname);
	if (o->script) {
		/* the script configures the host; evc's own plan is not made at all */
		rc = plat_policy_check(pol, o->gateway, err, errlen);
		if (rc < 0)
			goto out;
		mark = plat_journal_count(j);
		rc = plat_script_apply(j, pol, o, err, errlen);
	} else {
		rc = plan_client(nl, pol, o, p, err, errlen);
		if (rc < 0)
			goto out;
		mark = plat_journal_count(j);
		rc = execute(j, nl, pol, o, p, err, errlen);
	}
	if (rc < 0) {
		char undo_err[256];
		int urc = plat_journal_undo_to(j, mark, undo_err, sizeof(undo_err));

		if (urc < 0 && err && errlen) {
			size_t used = strlen(err);

			snprintf(err + used, errlen - used, _("; rolling back also failed: %s"),
			         undo_err);
		}
	}
out:
	free(p);
	return rc;
}

int plat_rri_add(struct plat_journal *j, struct plat_nl *nl, const char *ifname, uint32_t addr,
                 unsigned prefixlen, char *err, size_t errlen)
{
	struct plat_route r = {.prefixlen = (uint8_t)prefixlen, .protocol = PLAT_RTPROT_EVC};
	int rc;

	if (prefixlen > 32)
		return plat_failx(err, errlen, -EINVAL, _("prefix length %u is out of range"),
		                  prefixlen);
	rc = plat_link_index(nl, ifname, &r.ifindex, err, errlen);
	if (rc < 0)
		return rc;
	r.dst = addr & plat_prefix_to_mask(prefixlen);
	return journal_route(j, nl, ifname, &r, err, errlen);
}

int plat_rri_del(struct plat_journal *j, struct plat_nl *nl, const char *ifname, uint32_t addr,
                 unsigned prefixlen, char *err, size_t errlen)
{
	struct plat_route r = {.prefixlen = (uint8_t)prefixlen, .protocol = PLAT_RTPROT_EVC};
	long i;
	int rc;

	if (prefixlen > 32)
		return plat_failx(err, errlen, -EINVAL, _("prefix length %u is out of range"),
		                  prefixlen);
	r.dst = addr & plat_prefix_to_mask(prefixlen);
	rc = plat_link_index(nl, ifname, &r.ifindex, err, errlen);
	if (rc == 0)
		rc = plat_route_del(nl, &r, err, errlen);
	if (rc < 0 && rc != -ESRCH && rc != -ENODEV)
		return rc;
	i = plat_journal_find_route(j, ifname, r.dst, prefixlen);
	if (i >= 0)
		return plat_journal_forget(j, (size_t)i, err, errlen);
	return 0;
}

int plat_ip_forward_enable(struct plat_journal *j, const char *proc_path, char *err, size_t errlen)
{
	struct plat_jentry e = {.type = PJ_SYSCTL};
	char *old = NULL;
	size_t len;
	int rc;

	if (!proc_path)
		proc_path = PLAT_IP_FORWARD_PATH;
	rc = plat_file_read(proc_path, 64, &old, &len, err, errlen);
	if (rc < 0)
		return rc;
	while (len && (old[len - 1] == '\n' || old[len - 1] == ' '))
		old[--len] = '\0';
	if (!strcmp(old, "1"))
		goto out;
	if (len == 0) {
		rc = plat_failx(err, errlen, -EINVAL, _("%s is empty"), proc_path);
		goto out;
	}
	e.path = (char *)proc_path;
	e.aux = old;
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		goto out;
	rc = plat_sysctl_write(proc_path, "1", err, errlen);
	if (rc < 0)
		plat_journal_forget(j, plat_journal_count(j) - 1, NULL, 0);
out:
	free(old);
	return rc;
}
