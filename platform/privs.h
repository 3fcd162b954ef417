/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process hardening for evc (and evs): no core dumps of a process that holds keys, and no
 * capability beyond CAP_NET_ADMIN once the TUN device and the sockets are open; the
 * capabilities `evc connect` needs, checked before anything is opened so that a missing one is
 * named; and the switch to another user (--run-as) that keeps CAP_NET_ADMIN alone.
 *
 * What a connected evc still does, and why CAP_NET_ADMIN alone is enough: routes, addresses
 * and links (rtnetlink) need CAP_NET_ADMIN; the sockets (UDP 500/4500, raw ESP) are already
 * open and sending on them needs nothing; the journal's state file, its backups and
 * resolv.conf are root's files in root's directories (platform/trust.h refuses anything
 * else), which uid 0 may write as their owner without CAP_DAC_OVERRIDE. evc keeps uid 0 for
 * that, but loses every other capability also from its bounding set and sets no_new_privs,
 * so a compromised evc cannot load modules, trace processes, mount, read other users' files,
 * or get anything back through execve.
 *
 * The same holds for an evc that is not root: started with the capabilities it needs (ambient
 * capabilities from systemd or setpriv, or file capabilities), it keeps CAP_NET_ADMIN alone
 * in the same way, and writes only files it owns (platform/trust.h). With --run-as, root's
 * evc switches to the user with plat_privs_switch_user() instead of plat_privs_drop().
 *
 * Functions return 0 or a negative errno with err holding one sentence.
 */
#ifndef EVC_PLATFORM_PRIVS_H
#define EVC_PLATFORM_PRIVS_H

#include <stdbool.h>
#include <stddef.h>

/*
 * PR_SET_DUMPABLE 0: no core file, and processes of other users (even of the same uid after
 * evc drops privileges) cannot ptrace it or read its /proc/PID/mem. Call first thing in main.
 */
int plat_no_core_dumps(char *err, size_t errlen);

/*
 * Effective, permitted and bounding sets become CAP_NET_ADMIN only (ambient: none), and
 * no_new_privs is set. evc opens its sockets once and keeps them for backup gateways and
 * reconnections, so nothing else is needed later. A process that has no CAP_NET_ADMIN to keep
 * is refused (-EPERM).
 */
int plat_privs_drop(char *err, size_t errlen);

/*
 * The desktop's daemon (`evc daemon` without a profile), once its control socket is open: it
 * opens a TUN device and sockets for every connection it will make, so it keeps what that
 * takes and nothing else, in its effective, permitted and bounding sets (no ambient ones;
 * no_new_privs, so a vpnc-script it runs gets no more either):
 *  - CAP_NET_ADMIN: the TUN device, addresses, routes, nftables (PAT), systemd-resolved;
 *  - CAP_NET_BIND_SERVICE: UDP 500 and 4500, below the first unprivileged port;
 *  - CAP_NET_RAW: ESP as IP protocol 50 (a raw socket);
 *  - with switch_user (root gave it --run-as): CAP_SETUID, CAP_SETGID, CAP_SETPCAP.
 * Its files (state, resolv.conf, /etc/evc) are root's, which uid 0 writes as their owner. A
 * capability of the list the process does not have stays missing (plat_privs_check_connect
 * names it at the next connect); without CAP_NET_ADMIN it is refused (-EPERM).
 */
int plat_privs_keep_for_connecting(bool switch_user, char *err, size_t errlen);

/*
 * Whether this process may connect, before anything is opened: CAP_NET_ADMIN always (TUN
 * device, addresses, routes); CAP_NET_BIND_SERVICE when ike_port is below the kernel's first
 * unprivileged port (net.ipv4.ip_unprivileged_port_start, 1024); CAP_NET_RAW when raw_esp
 * (ESP as IP protocol 50, i.e. unless NAT-T is forced); with switch_user, euid 0 with
 * CAP_SETUID, CAP_SETGID and CAP_SETPCAP. -EPERM with err naming the missing capability, what
 * it is for and how to do without it or give it.
 */
int plat_privs_check_connect(unsigned ike_port, bool raw_esp, bool switch_user, char *err,
                             size_t errlen);

/*
 * Root becomes uid/gid (no supplementary groups) keeping CAP_NET_ADMIN alone in its
 * effective, permitted and bounding sets, no ambient capabilities, no_new_privs.
 * The real, effective and saved ids all change, so there is no way back to uid 0.
 */
int plat_privs_switch_user(unsigned uid, unsigned gid, char *err, size_t errlen);

#endif
