/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a mode-config policy to the host, and taking it back exactly.
 *
 * Every change goes through a journal: the change is first appended to the journal in memory
 * and to its state file (written atomically, mode 0600), then made. Undo walks the journal
 * backwards. If the process dies, the state file stays behind and plat_journal_recover()
 * reverts what it lists; anything already gone (a route that died with its TUN device, an
 * address removed by hand) counts as reverted.
 *
 * Routes evc installs carry rtm_protocol PLAT_RTPROT_EVC, so undo can only ever remove routes
 * it created. Functions return 0 or a negative errno and, on failure, write a message naming
 * what failed into err (may be NULL). Nothing here is global; a journal is one session.
 */
#ifndef EVC_PLATFORM_APPLY_H
#define EVC_PLATFORM_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"
#include "platform/netcfg.h"

#define PLAT_DEFAULT_MTU 1400
#define PLAT_DEFAULT_RESOLV_CONF "/etc/resolv.conf"
#define PLAT_STATE_DIR "/run/evc"
#define PLAT_IP_FORWARD_PATH "/proc/sys/net/ipv4/ip_forward"

struct plat_journal;

/* "/run/evc/<ifname>.state" into buf; -ENAMETOOLONG if it does not fit. */
int plat_state_path_default(char *buf, size_t len, const char *ifname);

/*
 * Starts an empty journal whose state file is state_path (its directory is created 0700 if
 * missing). -EEXIST if the state file is already there: an earlier session did not clean up
 * and must be recovered first. Files next to it named "<state_path>.*" belong to the journal.
 */
int plat_journal_new(struct plat_journal **out, const char *state_path, char *err, size_t errlen);

/*
 * Frees the memory only. The host keeps every change still listed and so does the state file,
 * exactly as after a crash; an empty journal removes its state file.
 */
void plat_journal_free(struct plat_journal *j);

/* Number of changes currently recorded. */
size_t plat_journal_count(const struct plat_journal *j);

/*
 * Reverts every recorded change, newest first. Changes that could not be reverted stay in the
 * journal (and its state file) so a later undo or recover can retry; the first failure is
 * returned. On success the state file is removed.
 */
int plat_journal_undo(struct plat_journal *j, char *err, size_t errlen);

/* Reverts what a dead process left in state_path and removes it. No file: 0, nothing done. */
int plat_journal_recover(const char *state_path, char *err, size_t errlen);

enum plat_dns_mode {
	/* Rewrite resolv.conf if it is a regular file (or missing). A symlink, as left by
	 * systemd-resolved or resolvconf, is not written through: DNS is not applied and a
	 * note says so. */
	PLAT_DNS_RESOLV_CONF = 0,
	/* As above, but a symlink is replaced by a regular file; undo puts the link back. */
	PLAT_DNS_REPLACE_SYMLINK,
	/* Leave DNS alone. */
	PLAT_DNS_OFF,
};

struct plat_client_opts {
	const char *ifname;      /* the TUN device, already created */
	uint32_t gateway;        /* the VPN server's public address, host order */
	unsigned mtu;            /* 0: PLAT_DEFAULT_MTU */
	enum plat_dns_mode dns;  /* PLAT_DNS_RESOLV_CONF when zeroed */
	const char *resolv_conf; /* NULL: PLAT_DEFAULT_RESOLV_CONF */
	/* client mode with a LAN behind this host: its connections into the tunnel are
	 * translated to the assigned address (PAT, platform/pat.c); n_pat_lan 0: none */
	const struct evc_net *pat_lan;
	size_t n_pat_lan;
	/* A vpnc-script (platform/script.h) that configures the host instead of all of the
	 * above; NULL: evc does it itself. */
	const char *script;
	/* Things the user should know that are not errors (no netmask pushed, DNS not
	 * applied, a local LAN left alone). May be NULL. */
	void (*note)(void *arg, const char *msg);
	void *note_arg;
};

/*
 * Client side: configures ifname from the policy, in this order, each step journalled:
 *  - MTU, link up;
 *  - when packets to the gateway would otherwise enter the tunnel (full tunnel, a split
 *    network that contains it, or the assigned prefix itself), a /32 route to the gateway
 *    pinned to the path it takes now, before the address goes on;
 *  - the assigned address with the pushed netmask (/32 if none was sent);
 *  - local-LAN networks through the path they take now, unless already routed more
 *    specifically (a directly connected LAN needs nothing);
 *  - a route via ifname per split-include network, or 0.0.0.0/1 and 128.0.0.0/1 when there are
 *    none. The existing default route is never touched;
 *  - DNS servers and the default domain into resolv.conf, per opts->dns.
 * With opts->script, the script does all of that instead (pre-init, then connect; undo runs
 * it with disconnect).
 * The policy is checked first (plat_policy_check), and all lookups happen before the first
 * change. The call is transactional: on failure, whatever
 * it changed is undone and changes recorded earlier in j stay as they were.
 */
int plat_apply_client_policy(struct plat_journal *j, struct plat_nl *nl,
                             const struct evc_policy *pol, const struct plat_client_opts *opts,
                             char *err, size_t errlen);

/*
 * 0 when a client can apply pol; otherwise -EINVAL and one sentence naming the bad value:
 * an address that is loopback, multicast, broadcast (also of its own prefix), in 0.0.0.0/8,
 * class E, or the gateway's own; a netmask wider than /8; a DNS or WINS server that is not a
 * unicast host; a loopback or multicast split-include network. plat_apply_client_policy
 * checks this before its first change.
 */
int plat_policy_check(const struct evc_policy *pol, uint32_t gateway, char *err, size_t errlen);

/*
 * Server side, reverse-route injection: a route for addr/prefixlen (32 for a client's pool
 * address) via ifname. plat_rri_del removes it and its journal entry; a route that is already
 * gone is not an error.
 */
int plat_rri_add(struct plat_journal *j, struct plat_nl *nl, const char *ifname, uint32_t addr,
                 unsigned prefixlen, char *err, size_t errlen);
int plat_rri_del(struct plat_journal *j, struct plat_nl *nl, const char *ifname, uint32_t addr,
                 unsigned prefixlen, char *err, size_t errlen);

/*
 * Turns IPv4 forwarding on in the current network namespace by writing "1" to proc_path
 * (NULL: PLAT_IP_FORWARD_PATH); undo writes back the old value. Already on: nothing recorded.
 */
/*
 * PAT for the networks lan[0..n) leaving through ifname: an nftables table "evc_<ifname>"
 * that rewrites their source to addr and drops connections the tunnel opens towards them,
 * journalled (undo and crash recovery delete the table). 0, or negative with err.
 */
int plat_pat_add(struct plat_journal *j, const char *ifname, uint32_t addr,
                 const struct evc_net *lan, size_t n, char *err, size_t errlen);

int plat_ip_forward_enable(struct plat_journal *j, const char *proc_path, char *err, size_t errlen);

#endif
