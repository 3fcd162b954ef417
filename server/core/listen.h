/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where evs listens: the `ip address` of each interface that carries the crypto map, or, for
 * an interface written as in the chapter's Task 5 without one (on a router the interface has
 * its address already), the IPv4 addresses the host interface of that name has.
 */
#ifndef EVC_SERVER_LISTEN_H
#define EVC_SERVER_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

#include "ike/ike.h"
#include "lib/policy.h"
#include "server/core/config.h"

typedef void (*evs_listen_log_fn)(void *ctx, enum ike_log_level level, const char *msg);

/*
 * Fills out (at most max, duplicates dropped) and *n (at least 1 on success). Says in the
 * log which addresses an interface without `ip address` gave. 0, or a negative errno with
 * err naming the interface and what to do: -ENODEV when the host has no interface of that
 * name, -EADDRNOTAVAIL when it has no IPv4 address.
 */
int evs_listen_resolve(const struct evs_config *cfg, struct evc_net *out, size_t max, size_t *n,
                       evs_listen_log_fn log, void *ctx, char *err, size_t errlen);

/* Whether an interface of the crypto map has no `ip address`, so that its addresses are the
 * host's and evs follows them (host.c). */
bool evs_listen_follows(const struct evs_config *cfg);

/* Cisco IPsec over UDP: the distinct ports of the groups with `ipsec-udp`, on which evs opens a
 * socket on every address it listens on. Returns how many there are (more than max: the
 * rest are not filled in). */
#define EVS_MAX_UDP_PORTS 4
size_t evs_listen_udp_ports(const struct evs_config *cfg, uint16_t *out, size_t max);

#endif
