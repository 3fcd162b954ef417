/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a server pushes to a client in mode-config, as data. The engine fills it from the
 * wire (client) or from the group configuration (server); platform/ applies it to the host.
 * Addresses are IPv4 in host byte order.
 */
#ifndef EVC_LIB_POLICY_H
#define EVC_LIB_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVC_POLICY_MAX_DNS 4
#define EVC_POLICY_MAX_WINS 4
#define EVC_POLICY_MAX_NETS 64

struct evc_net {
	uint32_t addr;
	uint32_t mask;
};

/* Which fields the server sent. */
enum evc_policy_have {
	EVC_HAVE_ADDR = 1u << 0,
	EVC_HAVE_NETMASK = 1u << 1,
	EVC_HAVE_DOMAIN = 1u << 2,
	EVC_HAVE_BANNER = 1u << 3,
	EVC_HAVE_SAVE_PASSWD = 1u << 4,
	EVC_HAVE_PFS = 1u << 5,
	EVC_HAVE_SPLIT_DNS = 1u << 6,
	EVC_HAVE_BACKUP = 1u << 7,
	EVC_HAVE_FW_TYPE = 1u << 8,
	EVC_HAVE_NETWORK_EXTENSION = 1u << 9, /* the gateway answered the request for it */
	EVC_HAVE_UDP_ENCAP_PORT = 1u << 10,   /* Cisco IPsec over UDP: udp_encap_port */
};

struct evc_policy {
	uint32_t have; /* enum evc_policy_have bits */
	uint32_t addr;
	uint32_t netmask;
	uint32_t dns[EVC_POLICY_MAX_DNS];
	size_t n_dns;
	uint32_t wins[EVC_POLICY_MAX_WINS];
	size_t n_wins;
	char domain[256];
	char banner[2048];
	char split_dns[1024];      /* comma-separated domains, as Unity sends them */
	char backup_servers[1024]; /* as Unity sends them */
	struct evc_net split_include[EVC_POLICY_MAX_NETS];
	size_t n_split_include;
	struct evc_net local_lan[EVC_POLICY_MAX_NETS];
	size_t n_local_lan;
	bool save_passwd;
	bool pfs;
	/*
	 * Network extension (a hardware client's LAN, routed by its own addresses): on the
	 * server, the client's group allows it (`nem enable`), so a quick mode may name one of
	 * the client's networks instead of its assigned address. On the wire only as the answer
	 * to a client that asks (CFG_EVC_NETWORK_EXTENSION); the client then has
	 * EVC_HAVE_NETWORK_EXTENSION and the gateway's word here.
	 */
	bool network_extension;
	/*
	 * Cisco IPsec over UDP (Unity UDP_ENCAP_PORT, CFG_UNITY_NATT_PORT): ESP goes in UDP to and
	 * from this port, IKE stays on 500, no NAT-T. On the server the group's port (`ipsec-udp`),
	 * kept for an SA only when its client asked for it; on the client the gateway's answer to
	 * its request. 0: not used.
	 */
	uint16_t udp_encap_port;
};

#endif
