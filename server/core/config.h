/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs configuration: the Cisco IOS commands of an EasyVPN server (AAA, group policies, IKE
 * policies, transform sets, dynamic and static crypto maps, the public interface), read from
 * an IOS-style file and mapped onto what the ike/ engine and the mode-config policy need.
 *
 * Syntax: one command per line; sub-mode commands (group policy, isakmp policy, transform
 * set, dynamic-map entry, interface, named ACL) are the indented lines below the command that
 * opens the sub-mode; `!` starts a comment line; `exit` closes a sub-mode, `end` the file.
 * Keywords are case-insensitive, names are case-sensitive.
 *
 * Every problem is reported as "NAME:LINE: what is wrong in 'the line'" (secrets in the
 * quoted line are written as <hidden>). A configuration with any error is rejected as a
 * whole; warnings are for things that are harmless to evs (e.g. `hostname`).
 */
#ifndef EVC_SERVER_CONFIG_H
#define EVC_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "lib/policy.h"

struct evs_config;

enum evs_config_severity {
	EVS_CONFIG_ERROR,
	EVS_CONFIG_WARNING,
};

/*
 * Receives each diagnostic as a complete message. line is 1-based, 0 for problems of the
 * file as a whole (e.g. "no crypto isakmp policy"); msg is valid during the call only.
 */
typedef void (*evs_config_report_fn)(void *ctx, enum evs_config_severity sev, unsigned line,
                                     const char *msg);

/*
 * Parses text[0..len) (need not be NUL-terminated; may hold any bytes). name is used as the
 * file name in messages. Returns NULL when any error was reported (or on allocation failure,
 * also reported). report may be NULL to discard diagnostics.
 */
struct evs_config *evs_config_parse(const char *name, const char *text, size_t len,
                                    evs_config_report_fn report, void *ctx);
/* Reads and parses the file at path; messages name the file as path. */
struct evs_config *evs_config_load(const char *path, evs_config_report_fn report, void *ctx);
/* Wipes the secrets (group keys, user passwords) and frees. NULL is a no-op. */
void evs_config_free(struct evs_config *cfg);

/* ---- Mapping onto the engine ---- */

/*
 * Phase-1 proposals: the isakmp policies, lowest policy number (highest priority) first.
 * pre-share maps to IKE_AUTH_PSK, rsa-sig to IKE_AUTH_RSA_SIG. Writes at most max entries and
 * returns how many there are (call with max 0 to size the array).
 */
size_t evs_config_p1(const struct evs_config *cfg, struct ike_p1_prop *out, size_t max);
/*
 * Phase-2 proposals: for each `crypto map ... ipsec-isakmp dynamic` entry of the applied
 * crypto map (sequence order), each entry of that dynamic map (sequence order), each of its
 * transform sets (listed order), with that entry's PFS group and lifetimes (or the global
 * `crypto ipsec security-association lifetime`, IOS default 3600 s / 4608000 KB). Exact
 * duplicates are dropped. Same counting convention as evs_config_p1.
 */
size_t evs_config_p2(const struct evs_config *cfg, struct ike_p2_prop *out, size_t max);

enum evs_rri {
	EVS_RRI_NONE,        /* no reverse-route */
	EVS_RRI_CLIENT,      /* reverse-route: a route to the client's inside address */
	EVS_RRI_REMOTE_PEER, /* reverse-route remote-peer: also to its public address */
};
/*
 * The reverse-route setting of the first dynamic-map entry (in evs_config_p2 order) whose
 * transform sets contain the negotiated transform; EVS_RRI_NONE if none does.
 */
enum evs_rri evs_config_rri(const struct evs_config *cfg, uint8_t esp, uint16_t key_bits,
                            uint8_t auth);

/* `crypto isakmp keepalive SECONDS RETRY [periodic|on-demand]`; secs 0: DPD not configured. */
void evs_config_keepalive(const struct evs_config *cfg, unsigned *secs, unsigned *retry,
                          bool *periodic);
/* `crypto isakmp xauth timeout`, 60 when not configured. */
unsigned evs_config_xauth_timeout(const struct evs_config *cfg);
/* `crypto isakmp fragmentation mtu N`: the largest IKE datagram evs sends whole to a client
 * that takes Cisco IKE fragments; 0 (the engine's 1252) when not configured. */
unsigned evs_config_frag_size(const struct evs_config *cfg);
/* `crypto isakmp nat keepalive`, 0 (no NAT keepalives) when not configured. */
unsigned evs_config_nat_keepalive(const struct evs_config *cfg);
/* NAT traversal (ESP in UDP 4500): on unless `no crypto ipsec nat-transparency
 * udp-encapsulation`. */
bool evs_config_natt(const struct evs_config *cfg);
/* `crypto map M client configuration address initiate` (push) / `respond` (pull). */
bool evs_config_modecfg_initiate(const struct evs_config *cfg);
bool evs_config_modecfg_respond(const struct evs_config *cfg);

/*
 * Where evs listens: the `ip address` of the interfaces that carry the crypto map, in
 * configuration order (host byte order). Returns how many there are (at least 1 in a parsed
 * configuration), writing at most max.
 */
size_t evs_config_listen(const struct evs_config *cfg, struct evc_net *out, size_t max);

/* ---- Groups, pools and users (for evs_state and `show`) ---- */

/* Groups in configuration order. */
size_t evs_config_n_groups(const struct evs_config *cfg);
const char *evs_config_group_name(const struct evs_config *cfg, size_t i);
/* Index of the group named name (case-sensitive, as IOS), or -ENOENT. */
int evs_config_group_find(const struct evs_config *cfg, const char *name);
/* max-users / max-logins of group i; 0 = unlimited. */
unsigned evs_config_group_max_users(const struct evs_config *cfg, size_t i);
unsigned evs_config_group_max_logins(const struct evs_config *cfg, size_t i);
/* Main mode with a pre-shared key: the `crypto isakmp key` for addr (the longest mask
 * wins), with *group the index of the group whose key is the same; or -ENOENT. */
int evs_config_addr_psk(const struct evs_config *cfg, uint32_t addr, size_t *group,
                        const char **key, size_t *len);
/* The pre-shared key of group i (NULL, *len 0 when the group has none). */
const char *evs_config_group_key(const struct evs_config *cfg, size_t i, size_t *len);
/* Index of the `ip local pool` group i draws from, or -ENOENT when it has no pool. */
int evs_config_group_pool(const struct evs_config *cfg, size_t i);
/*
 * The mode-config policy of group i, without an address: netmask (`netmask`, else
 * 255.255.255.255), dns, wins, domain, banner, save-password, pfs, split-dns, backup-gateway,
 * split-include networks (the source side of the permit entries of the group's ACL),
 * include-local-lan (the Cisco convention: one local-LAN entry 0.0.0.0/255.255.255.255),
 * firewall are-u-there (EVC_HAVE_FW_TYPE). EVC_HAVE_ADDR/NETMASK are set when the group has
 * a pool; the caller fills addr.
 */
void evs_config_group_policy(const struct evs_config *cfg, size_t i, struct evc_policy *pol);

/* `ip local pool` ranges in configuration order (host byte order). */
size_t evs_config_n_pools(const struct evs_config *cfg);
const char *evs_config_pool_name(const struct evs_config *cfg, size_t i);
void evs_config_pool_range(const struct evs_config *cfg, size_t i, uint32_t *first, uint32_t *last);

/*
 * XAUTH against the local user database of the crypto map's `client authentication list`:
 * true when user exists and password matches. The comparison runs in constant time over a
 * fixed-size buffer (crypto_ct_equal), also for unknown users. Usernames are case-insensitive
 * with method `local` and case-sensitive with `local-case`, as in IOS.
 */
bool evs_config_check_password(const struct evs_config *cfg, const char *user,
                               const char *password);
/* Whether user names compare case-insensitively (method `local`). */
bool evs_config_users_nocase(const struct evs_config *cfg);

#endif
