/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is a pushed policy something a client can sensibly apply? The server is authenticated, but
 * a misconfigured or hostile one must not be able to put a loopback or broadcast address on
 * the TUN device, point DNS at this host's own loopback resolver, or claim half the internet
 * as the client's subnet. Checked before the first change, so nothing is half-applied.
 */
#include "platform/apply.h"
#include "platform/plat_int.h"
#include "lib/ipv4.h"
#include "lib/i18n.h"

#include <errno.h>
#include <stdio.h>

/* What makes a as a host address unusable, or NULL. */
static const char *bad_host(uint32_t a)
{
	if (a >> 24 == 127)
		return "a loopback address";
	if (a >> 28 == 0xe)
		return "a multicast address";
	if (a == 0xffffffffu)
		return "the broadcast address";
	if (a >> 28 == 0xf)
		return "a reserved (class E) address";
	if (a >> 24 == 0)
		return "an address of 0.0.0.0/8 (\"this network\")";
	return NULL;
}

/* Networks that can never be reached through a tunnel. */
static const char *bad_net(uint32_t base, unsigned plen)
{
	if (plen >= 8 && base >> 24 == 127)
		return "a loopback network";
	if (plen >= 4 && base >> 28 == 0xe)
		return "a multicast network";
	return NULL;
}

static int check_servers(const uint32_t *a, size_t n, size_t max, const char *what, char *err,
                         size_t errlen)
{
	char ip[16];

	for (size_t i = 0; i < n && i < max; i++) {
		const char *why = bad_host(a[i]);
		if (why)
			return plat_failx(err, errlen, -EINVAL, _("the server pushed %s %s, %s"),
			                  what, ipv4_str(a[i], ip, sizeof(ip)), why);
	}
	return 0;
}

static int check_address(const struct evc_policy *pol, uint32_t gateway, char *err, size_t errlen)
{
	char a[16], m[16], n[16];
	const char *why = bad_host(pol->addr);
	int plen = 32;

	if (why)
		return plat_failx(err, errlen, -EINVAL, _("the server pushed address %s, %s"),
		                  ipv4_str(pol->addr, a, sizeof(a)), why);
	if (gateway && pol->addr == gateway)
		return plat_failx(err, errlen, -EINVAL,
		                  _("the server pushed address %s, the VPN gateway's own address"),
		                  ipv4_str(pol->addr, a, sizeof(a)));
	if ((pol->have & EVC_HAVE_NETMASK) && pol->netmask)
		plen = plat_mask_to_prefix(pol->netmask);
	if (plen < 0)
		return 0; /* not a prefix: apply.c says so */
	if (plen < 8)
		return plat_failx(err, errlen, -EINVAL,
		                  _("the server pushed netmask %s (/%d) for address %s; a client "
		                    "network cannot be wider than /8"),
		                  ipv4_str(pol->netmask, m, sizeof(m)), plen,
		                  ipv4_str(pol->addr, a, sizeof(a)));
	if (plen <= 30) {
		uint32_t mask = plat_prefix_to_mask((unsigned)plen), net = pol->addr & mask;

		if (pol->addr == net || pol->addr == (net | ~mask))
			return plat_failx(
			    err, errlen, -EINVAL,
			    _("the server pushed address %s, the %s address of %s/%d"),
			    ipv4_str(pol->addr, a, sizeof(a)),
			    pol->addr == net ? "network" : "broadcast", ipv4_str(net, n, sizeof(n)),
			    plen);
	}
	return 0;
}

int plat_policy_check(const struct evc_policy *pol, uint32_t gateway, char *err, size_t errlen)
{
	char a[16];
	int rc;

	if ((pol->have & EVC_HAVE_ADDR) && pol->addr) {
		rc = check_address(pol, gateway, err, errlen);
		if (rc)
			return rc;
	}
	rc = check_servers(pol->dns, pol->n_dns, EVC_POLICY_MAX_DNS, "DNS server", err, errlen);
	if (!rc)
		rc = check_servers(pol->wins, pol->n_wins, EVC_POLICY_MAX_WINS, "WINS server", err,
		                   errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < pol->n_split_include && i < EVC_POLICY_MAX_NETS; i++) {
		const struct evc_net *n = &pol->split_include[i];
		int plen = plat_mask_to_prefix(n->mask);
		const char *why;

		if (plen < 0)
			continue; /* not a prefix: apply.c says so */
		why = bad_net(n->addr & n->mask, (unsigned)plen);
		if (why)
			return plat_failx(err, errlen, -EINVAL,
			                  _("the server pushed split-include network %s/%d, %s"),
			                  ipv4_str(n->addr & n->mask, a, sizeof(a)), plen, why);
	}
	return 0;
}
