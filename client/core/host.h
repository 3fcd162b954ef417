/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside client/core: the host side of one session, behind one interface. Opening it undoes
 * what an earlier evc left in the state file, checks the resolver file and starts the journal
 * (platform/apply.h); then the policy is applied through it, and closing it takes every change
 * back and removes the state file.
 *
 * Where that happens:
 *  - here, in the evc process, as root (which keeps only CAP_NET_ADMIN once its sockets are
 *    open) or as a user started with the capabilities (its own state file and resolver file);
 *  - with --run-as, in a helper process that evc forks while it is still root, before any
 *    session: the helper stays uid 0 with CAP_NET_ADMIN alone, no_new_privs, no other
 *    descriptor than its end of a socketpair, and does exactly these three things when evc
 *    (now running as the user) asks. When evc ends, even by SIGKILL, the helper reads end of
 *    file, takes back whatever is still applied and exits.
 *
 * Why a helper rather than handing the files to the user or opening them before the switch:
 * the state file is replaced (a new file renamed over it) on every change, so that a crash
 * never leaves half a journal; /etc/resolv.conf is replaced the same way, in /etc, and its
 * backup is created only when the policy arrives. A user can do neither in root's
 * directories, and a descriptor opened beforehand would only allow rewriting in place
 * (no longer crash-safe) and no backup. Handing them to the user is worse: root's next evc
 * would undo, as root, a journal the user (a compromised evc) could have written; item 8
 * refuses exactly that. The helper keeps the files root's, in root's directories, written the
 * usual way; what the user's evc can ask of it is bounded: the paths are the helper's own
 * settings (the state file, the resolver file, the control socket), the interface name is
 * checked, and a policy goes through plat_policy_check like one from the gateway.
 *
 * Every function returns 0 or a negative errno with err holding one sentence.
 */
#ifndef EVC_CLIENT_HOST_H
#define EVC_CLIENT_HOST_H

#include <stdint.h>

#include "client/core/settings.h"
#include "lib/policy.h"

struct evc_hostd; /* the root helper of a --run-as client */
struct evc_host;  /* one session's host configuration */

/*
 * Forks the helper for set (run_as_user set, process still root). The helper's copy of the
 * settings loses its secrets at once. 0 when the helper runs with its privileges reduced.
 */
int evc_hostd_start(struct evc_hostd **out, struct evc_settings *set, char *err, size_t errlen);
/* Ends the helper (it takes back anything still applied) and waits for it. NULL: no-op. */
void evc_hostd_stop(struct evc_hostd *hd);

typedef void (*evc_host_note_fn)(void *arg, const char *msg);

/*
 * The host side for the session on TUN device ifname: in this process when hd is NULL, else
 * through the helper. Recovers the state file, checks the resolver file (a user's evc must own
 * it and be able to replace it), starts the journal.
 */
int evc_host_open(struct evc_host **out, struct evc_hostd *hd, const struct evc_settings *set,
                  const char *ifname, char *err, size_t errlen);
/* plat_apply_client_policy for pol; notes (not errors) go to note. */
int evc_host_apply(struct evc_host *h, const struct evc_policy *pol, uint32_t gateway,
                   evc_host_note_fn note, void *arg, char *err, size_t errlen);
/* Takes every change back, removes the state file, frees h. NULL: 0. */
int evc_host_close(struct evc_host *h, char *err, size_t errlen);

#endif
