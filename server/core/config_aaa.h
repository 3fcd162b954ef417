/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the daemon reads of the AAA part of a configuration (config_radius.c): the RADIUS
 * servers, the methods of the crypto map's client authentication list, whether its isakmp
 * authorization list takes attributes from RADIUS, and the lookups that RADIUS attributes
 * name (pools, split-tunnel ACLs).
 */
#ifndef EVC_SERVER_CONFIG_AAA_H
#define EVC_SERVER_CONFIG_AAA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"
#include "server/core/config.h"

#define EVS_RADIUS_KEY_MAX 64
#define EVS_RADIUS_MAX_SERVERS 8

struct evs_radius_server {
	char name[65]; /* `radius server NAME`; "" for `radius-server host` */
	uint32_t addr; /* host byte order */
	uint16_t port; /* auth-port, IOS default 1645 */
	char key[EVS_RADIUS_KEY_MAX + 1];
	unsigned timeout_s; /* per try, IOS default 5 */
	unsigned retries;   /* retransmissions after the first try, IOS default 3 */
	bool ma_optional;   /* replies without a Message-Authenticator are taken */
};

/* The usable RADIUS servers in configuration order; count as evs_config_p1. */
size_t evs_config_radius(const struct evs_config *cfg, struct evs_radius_server *out, size_t max);

enum evs_aaa_method {
	EVS_AAA_M_LOCAL,  /* the `username` database */
	EVS_AAA_M_RADIUS, /* `group radius` */
};
/* The methods of the crypto map's client authentication list, in order. */
size_t evs_config_authen_methods(const struct evs_config *cfg, enum evs_aaa_method *out,
                                 size_t max);
/* The crypto map's isakmp authorization list has `group radius`: the attributes of a
 * RADIUS Access-Accept shape the user's policy. */
bool evs_config_author_radius(const struct evs_config *cfg);

/* Index of the `ip local pool` named name, or -ENOENT. */
int evs_config_pool_find(const struct evs_config *cfg, const char *name);
/* Replaces pol's split-include networks with the permit entries of access list name;
 * false when there is no such list. */
bool evs_config_acl_split(const struct evs_config *cfg, const char *name, struct evc_policy *pol);

#endif
