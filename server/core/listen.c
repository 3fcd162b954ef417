/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where evs listens: see listen.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipv4.h"
#include "platform/ifaddrs.h"
#include "server/core/config_show.h"
#include "server/core/daemon.h"
#include "server/core/listen.h"

#define LISTEN_MAX_IFACES 32

static void add(struct evc_net *out, size_t max, size_t *n, const struct evc_net *a)
{
	for (size_t i = 0; i < *n && i < max; i++)
		if (out[i].addr == a->addr)
			return;
	if (*n < max)
		out[*n] = *a;
	(*n)++;
}

int evs_listen_resolve(const struct evs_config *cfg, struct evc_net *out, size_t max, size_t *n,
                       evs_listen_log_fn log, void *ctx, char *err, size_t errlen)
{
	struct evs_listen_iface f[LISTEN_MAX_IFACES];
	size_t nf = evs_config_listen_ifaces(cfg, f, LISTEN_MAX_IFACES);
	*n = 0;
	if (nf > LISTEN_MAX_IFACES)
		nf = LISTEN_MAX_IFACES;
	for (size_t i = 0; i < nf; i++) {
		struct evc_net a[EVS_MAX_LISTEN];
		size_t na = 0;
		char why[256], msg[512], s[20];
		if (f[i].have_addr) {
			add(out, max, n, &(struct evc_net){f[i].addr, f[i].mask});
			continue;
		}
		int rc = plat_if_addrs(f[i].name, a, EVS_MAX_LISTEN, &na, why, sizeof(why));
		if (rc == -ENODEV) {
			snprintf(
			    err, errlen,
			    "interface %s carries crypto map %s without an 'ip address', so evs "
			    "listens on the addresses of the host's interface %s, but %s (see "
			    "'ip link'); name an existing interface or give it an 'ip address'",
			    f[i].name, f[i].cmap, f[i].name, why);
			return rc;
		}
		if (rc < 0) {
			snprintf(err, errlen, "interface %s: %s", f[i].name, why);
			return rc;
		}
		if (na == 0) {
			snprintf(
			    err, errlen,
			    "interface %s carries crypto map %s without an 'ip address', and the "
			    "host's interface %s has no IPv4 address to listen on; give it one "
			    "or an 'ip address' in the configuration",
			    f[i].name, f[i].cmap, f[i].name);
			return -EADDRNOTAVAIL;
		}
		int len = snprintf(msg, sizeof(msg),
		                   "interface %s has no 'ip address' in the configuration: "
		                   "listening on the address(es) the host gives it:",
		                   f[i].name);
		for (size_t k = 0; k < na && k < EVS_MAX_LISTEN; k++) {
			add(out, max, n, &a[k]);
			ipv4_str(a[k].addr, s, sizeof(s));
			if (len > 0 && (size_t)len < sizeof(msg))
				len += snprintf(msg + len, sizeof(msg) - (size_t)len, " %s", s);
		}
		log(ctx, IKE_LOG_INFO, msg);
	}
	if (*n > max) {
		snprintf(err, errlen,
		         "the crypto map's interfaces have %zu addresses; evs listens on "
		         "at most %zu",
		         *n, max);
		return -E2BIG;
	}
	if (*n == 0) {
		snprintf(err, errlen, "no interface carries the crypto map");
		return -EADDRNOTAVAIL;
	}
	return 0;
}

bool evs_listen_follows(const struct evs_config *cfg)
{
	struct evs_listen_iface f[LISTEN_MAX_IFACES];
	size_t nf = evs_config_listen_ifaces(cfg, f, LISTEN_MAX_IFACES);
	for (size_t i = 0; i < nf && i < LISTEN_MAX_IFACES; i++)
		if (!f[i].have_addr)
			return true;
	return false;
}

size_t evs_listen_udp_ports(const struct evs_config *cfg, uint16_t *out, size_t max)
{
	size_t n = 0;
	struct evc_policy *pol = malloc(sizeof(*pol)); /* 6 KiB: not on the stack */
	if (!pol)
		return 0;
	for (size_t i = 0; i < evs_config_n_groups(cfg); i++) {
		evs_config_group_policy(cfg, i, pol);
		if (!(pol->have & EVC_HAVE_UDP_ENCAP_PORT) || !pol->udp_encap_port)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && k < max; k++)
			seen |= out[k] == pol->udp_encap_port;
		if (seen)
			continue;
		if (n < max)
			out[n] = pol->udp_encap_port;
		n++;
	}
	free(pol);
	return n;
}
