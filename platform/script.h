/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A vpnc-script instead of evc's own host configuration (`evc connect --script PATH`), with the
 * environment vpnc and OpenConnect give it, so Debian's /usr/share/vpnc-scripts/vpnc-script
 * works unchanged:
 *
 *   reason                      pre-init, connect, disconnect
 *   VPNGATEWAY                  the gateway's address
 *   VPNPID                      evc's pid at connect time (the script names its backups after it,
 *                               so disconnect, also after a crash, passes the same one)
 *   TUNDEV                      the TUN device
 *   INTERNAL_IP4_ADDRESS        the assigned address
 *   INTERNAL_IP4_MTU            the TUN device's MTU
 *   INTERNAL_IP4_NETMASK, INTERNAL_IP4_NETMASKLEN, INTERNAL_IP4_NETADDR   when pushed
 *   INTERNAL_IP4_DNS, INTERNAL_IP4_NBNS      servers separated by spaces, when pushed
 *   CISCO_DEF_DOMAIN            the default domain(s), when pushed, separated by spaces
 *   CISCO_BANNER                the banner, made printable (connect only)
 *   CISCO_SPLIT_DNS             the split-DNS domains, comma-separated as Unity sends them
 *   CISCO_SPLIT_INC             the number of split-include networks, each as
 *                               CISCO_SPLIT_INC_%d_ADDR, _MASK, _MASKLEN, _PROTOCOL, _SPORT,
 *                               _DPORT (0 for the last three: the gateway sends no more)
 *   CISCO_SPLIT_EXC             the same for the local LANs the gateway lets stay outside
 *                               (include-local-lan), CISCO_SPLIT_EXC_%d_...
 *   PATH                        /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
 * and nothing else of evc's environment.
 *
 * The scripts use the domains unquoted (resolv.conf lines, resolvectl arguments), so of what
 * the gateway sent, CISCO_DEF_DOMAIN (entries separated by blanks or commas) and
 * CISCO_SPLIT_DNS (by commas or blanks) keep only the entries made of letters, digits, '-'
 * and '.', not led by '-'; each entry left out is named to a note, and a variable with no
 * entry left is not set. A text with a control character (which the engine refuses already)
 * is left out whole. The rest is formatted by evc (addresses, numbers, the TUN device's name)
 * or made printable and quoted by the scripts (the banner).
 *
 * The script itself must be trusted as every file evc acts on as root (platform/trust.h), be a
 * regular file and executable. The client runs it with pre-init (plat_script_pre_init) before
 * it creates the TUN device, as vpnc and OpenConnect do; plat_apply_client_policy runs it with
 * connect when opts->script is set, and journals it: undo and crash recovery run it with
 * disconnect and the environment connect had (without the banner).
 */
#ifndef EVC_PLATFORM_SCRIPT_H
#define EVC_PLATFORM_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "lib/policy.h"

/* The longest a script may run before evc gives up on it (and kills it). */
#define PLAT_SCRIPT_TIMEOUT_MS 30000

/*
 * The environment for reason, as a NULL-terminated array of "NAME=VALUE" strings (free with
 * plat_script_env_free). ifname, gateway (host order), mtu and pid as described above; note
 * (may be NULL) hears of each domain entry left out. NULL when out of memory. A pure
 * function: it reads nothing but its arguments.
 */
char **plat_script_env(const char *reason, const struct evc_policy *pol, const char *ifname,
                       uint32_t gateway, unsigned mtu, long pid,
                       void (*note)(void *arg, const char *msg), void *note_arg);
void plat_script_env_free(char **env);

/*
 * pre-init: path checked (plat_script_check) and run before the TUN device exists, with
 * reason, VPNGATEWAY (gateway, host order; left out when 0), VPNPID (pid) and PATH, the
 * environment pre-init has with vpnc and OpenConnect. Nothing to undo and not journalled. 0,
 * or a negative errno with err.
 */
int plat_script_pre_init(const char *path, uint32_t gateway, long pid, char *err, size_t errlen);

/*
 * Whether path may be run as a vpnc-script: trusted (platform/trust.h), a regular file,
 * executable. 0, or a negative errno with err naming the file and what is wrong.
 */
int plat_script_check(const char *path, char *err, size_t errlen);

/*
 * Runs path with env (and no arguments), standard input from /dev/null, standard output and
 * error as evc's; waits at most PLAT_SCRIPT_TIMEOUT_MS. 0 when it exits 0; otherwise a negative
 * errno with err naming the script, the reason and its exit status or signal.
 */
int plat_script_run(const char *path, char *const env[], char *err, size_t errlen);

#endif
