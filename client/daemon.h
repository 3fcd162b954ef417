/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc daemon`: a client (client/core/client.h) behind the control socket, which this file
 * serves itself with the control protocol of lib/ctlproto.h (docs/control-protocol.md) and
 * the older one-line text commands (`status`, `status json`, `disconnect`, `connect`).
 *
 * Two ways to run it:
 *  - with a profile (`evc daemon --profile NAME`, evc@.service): that profile connects at
 *    once with the secrets of its store, reconnects, and the daemon ends with it;
 *  - without one (the desktop's daemon, driven by evc-gui): idle until a `connect` command
 *    names a profile of its store (or brings gateway, group, username and secrets), one
 *    connection at a time, asking the sessions on the socket for the password and for the
 *    banner's acceptance; it stays up when a connection ends.
 */
#ifndef EVC_CLIENT_DAEMON_H
#define EVC_CLIENT_DAEMON_H

#include <stddef.h>

#include "client/core/settings.h"
#include "client/term.h"
#include "profiles/profile.h"

struct evc_daemon_args {
	const char *profile;     /* NULL: the desktop's daemon */
	const char *profile_dir; /* NULL: /etc/evc */
	const char *group;       /* the control socket's group; NULL: "evc" if it exists */
	const struct evc_overrides *ov;
	struct term *t;
};

/*
 * Runs until SIGTERM (or, with a profile, until its client ends). set and prof: the profile's
 * settings and secrets, ready (with a profile), else NULL; set is wiped here. 0, or a
 * negative errno with err.
 */
int evc_daemon_run(const struct evc_daemon_args *a, struct evc_settings *set, const char *ctl_path,
                   char *err, size_t errlen);

#endif
