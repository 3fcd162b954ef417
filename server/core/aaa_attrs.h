/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The attributes of a RADIUS Access-Accept that shape a user's policy, as IOS Easy VPN takes
 * them: Framed-IP-Address and Framed-IP-Netmask, and the Cisco AV pairs (vendor 9,
 * attribute 1) "ipsec:NAME=VALUE" (or "ipsec:NAME*VALUE", optional): addr-pool, dns-servers,
 * wins-servers, default-domain, split-dns, inacl (the split-tunnel ACL), include-local-lan,
 * save-password, pfs, banner, ipsec-backup-gateway, user-vpn-group, user-include-local-lan,
 * user-save-password. A value that is malformed refuses the user (the reason names the
 * attribute); attributes evs does not use are listed for the log and otherwise ignored, as
 * IOS ignores the ones it does not know.
 */
#ifndef EVC_SERVER_AAA_ATTRS_H
#define EVC_SERVER_AAA_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"
#include "server/core/aaa.h"
#include "server/core/config.h"

enum evs_aaa_have {
	EVS_ATTR_ADDR = 1u << 0,
	EVS_ATTR_NETMASK = 1u << 1,
	EVS_ATTR_POOL = 1u << 2,
	EVS_ATTR_DNS = 1u << 3,
	EVS_ATTR_WINS = 1u << 4,
	EVS_ATTR_DOMAIN = 1u << 5,
	EVS_ATTR_SPLIT_DNS = 1u << 6,
	EVS_ATTR_ACL = 1u << 7,
	EVS_ATTR_LOCAL_LAN = 1u << 8,
	EVS_ATTR_SAVE_PASSWORD = 1u << 9,
	EVS_ATTR_PFS = 1u << 10,
	EVS_ATTR_BANNER = 1u << 11,
	EVS_ATTR_BACKUP = 1u << 12,
	EVS_ATTR_VPN_GROUP = 1u << 13,
};

#define EVS_ATTR_MAX_SERVERS 2 /* dns and wins servers: two each, as IOS's group policy */

struct evs_aaa_attrs {
	uint32_t have; /* enum evs_aaa_have */
	uint32_t addr, netmask;
	char pool[EVS_AAA_NAME_MAX + 1];
	uint32_t dns[EVS_ATTR_MAX_SERVERS];
	size_t n_dns;
	uint32_t wins[EVS_ATTR_MAX_SERVERS];
	size_t n_wins;
	char domain[EVS_AAA_VALUE_MAX + 1];
	char split_dns[EVS_AAA_VALUE_MAX + 1]; /* comma-separated, as Unity sends them */
	char acl[EVS_AAA_NAME_MAX + 1];
	bool local_lan, save_password, pfs;
	char banner[EVS_AAA_VALUE_MAX + 1];
	char backup[EVS_AAA_VALUE_MAX + 1]; /* comma-separated */
	char vpn_group[EVS_AAA_NAME_MAX + 1];
	char ignored[256]; /* names of the attributes not used, for the log; "" for none */
};

/* 0, or -EINVAL with why saying which attribute is malformed and how. */
int evs_aaa_attrs_parse(const struct evs_aaa_pair *pairs, size_t n, struct evs_aaa_attrs *out,
                        char *why, size_t whylen);

/*
 * Lays a over pol (the group's policy from the configuration). The pool, address and ACL
 * are checked against cfg: *pool_idx is the pool to draw from (-1: none, or a's address
 * outside every pool), unchanged unless a names one. 0, or -ENOENT with why when a pool or
 * access list that a names does not exist.
 */
int evs_aaa_attrs_apply(const struct evs_aaa_attrs *a, const struct evs_config *cfg,
                        struct evc_policy *pol, int *pool_idx, char *why, size_t whylen);

#endif
