/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Split DNS through systemd-resolved, when it runs (org.freedesktop.resolve1 owned on the
 * system bus): the pushed DNS servers become the TUN link's own (SetLinkDNS), the default
 * domain its search domain, every pushed split-dns domain a routing-only domain ("~domain",
 * SetLinkDomains), so only those names go to the VPN's servers; a full tunnel adds "~." and
 * makes the link the default DNS route (SetLinkDefaultRoute), a split tunnel says it is not.
 * Undo (and crash recovery) calls RevertLink; a link that is gone has nothing left to revert.
 * When resolved does not run, platform/resolv.c manages resolv.conf as before.
 */
#ifndef EVC_PLATFORM_RESOLVED_H
#define EVC_PLATFORM_RESOLVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"

#define PLAT_RESOLVED_MAX_DOMAINS 34 /* the default domain, 32 split-dns domains, "." */

struct plat_resolved_domain {
	char name[254];  /* without a trailing dot; "." for the root */
	bool route_only; /* resolved's "~": queries go there, names are not completed with it */
};

/* What evc asks of resolved for one link: a pure description, built by plat_resolved_plan. */
struct plat_resolved_plan {
	uint32_t dns[EVC_POLICY_MAX_DNS]; /* host order */
	size_t n_dns;
	struct plat_resolved_domain domains[PLAT_RESOLVED_MAX_DOMAINS];
	size_t n_domains;
	bool default_route;
};

/*
 * The plan for pol: full_tunnel when everything goes through the tunnel (no split-include
 * networks). Split-dns items that are not domain names are left out, each said through note
 * (may be NULL). A pure function.
 */
void plat_resolved_plan(const struct evc_policy *pol, bool full_tunnel,
                        struct plat_resolved_plan *out, void (*note)(void *arg, const char *msg),
                        void *note_arg);

/*
 * Sends the plan for link ifindex to resolved on the bus at bus_address (NULL: the system
 * bus). -ENOENT when there is no such bus or nobody owns org.freedesktop.resolve1 on it (err
 * then says so, and the caller manages resolv.conf); another negative errno with err when
 * resolved refused.
 */
int plat_resolved_set(const char *bus_address, int ifindex, const struct plat_resolved_plan *p,
                      char *err, size_t errlen);
/* RevertLink(ifindex); a link resolved does not know is not an error. */
int plat_resolved_revert(const char *bus_address, int ifindex, char *err, size_t errlen);

#endif
