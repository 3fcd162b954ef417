/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What `show crypto dynamic-map` and `show crypto session` need from the configuration. */
#ifndef EVC_SERVER_CONFIG_SHOW_H
#define EVC_SERVER_CONFIG_SHOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/core/config.h"

struct evs_dmap_info {
	const char *name;
	unsigned seq;
	uint32_t life_s, life_kb; /* the entry's, else the global `security-association lifetime` */
	uint8_t pfs_group;        /* 0: no `set pfs` */
	enum evs_rri rri;
	const char *const *tsets; /* in listed order */
	size_t n_tsets;
};

/* Dynamic-map entries in configuration order. */
size_t evs_config_n_dmaps(const struct evs_config *cfg);
void evs_config_dmap(const struct evs_config *cfg, size_t i, struct evs_dmap_info *out);

/* The name of the interface that carries the applied crypto map with address addr, else of
 * the first one that carries it; "" when there is none. */
const char *evs_config_iface_for(const struct evs_config *cfg, uint32_t addr);

/* An interface that carries the applied crypto map, in configuration order. */
struct evs_listen_iface {
	const char *name;
	const char *cmap;
	unsigned line;  /* of its `interface` command */
	bool have_addr; /* `ip address` given; else evs listens on what the host interface has */
	uint32_t addr, mask;
};
/* Writes at most max; returns how many there are. */
size_t evs_config_listen_ifaces(const struct evs_config *cfg, struct evs_listen_iface *out,
                                size_t max);

/*
 * access-restrict: whether a client of group that came to local address local may connect.
 * True when the group has no access-restrict (or is unknown); else only when local is the
 * `ip address` of one of the interfaces it names, and otherwise why says so (for the client).
 */
bool evs_config_group_iface_ok(const struct evs_config *cfg, const char *group, uint32_t local,
                               char *why, size_t len);

#endif
