/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process hardening for evc (and evs): no core dumps of a process that holds keys, and no
 * capability beyond CAP_NET_ADMIN once the TUN device and the sockets are open.
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
 * no_new_privs is set. With keep_setup, CAP_NET_BIND_SERVICE and CAP_NET_RAW stay permitted
 * (not effective) so that plat_privs_raise_setup() can open another set of sockets for a
 * backup gateway. A process that has no CAP_NET_ADMIN to keep is refused (-EPERM).
 */
int plat_privs_drop(bool keep_setup, char *err, size_t errlen);

/* Makes the permitted capabilities effective again, before opening the next TUN and sockets. */
int plat_privs_raise_setup(char *err, size_t errlen);

#endif
