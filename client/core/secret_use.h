/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a profile's stored secrets may go. A system profile's group key, XAUTH password and
 * certificate key are root's, lent to the users of the control socket (group evc) so that
 * they can connect the profile; they are not lent for use with any gateway such a user
 * names. The group key is usually known to the whole group, so a gateway of the caller's
 * choosing can finish aggressive mode with it and collect the stored password.
 *
 * The rule: the stored secrets are used with the profile's own gateways only (its gateway,
 * its backups, the backup servers its gateway pushed and the profile remembered, or the
 * gateway root gave the daemon). A `connect` that names another gateway is refused unless
 * the caller is root (or the daemon's own user, who can read the secrets anyway), or the
 * command brings every secret the profile stores itself. A certificate key cannot travel in
 * a command, so a certificate profile goes to another gateway only for root. The group and
 * user names may still be overridden: they do not change where the secrets go.
 *
 * Nothing else a control client may send redirects the secrets: the gateway's port is
 * always 500/4500 and NAT-T is not among the command's fields (docs/control-protocol.md).
 */
#ifndef EVC_CLIENT_SECRET_USE_H
#define EVC_CLIENT_SECRET_USE_H

#include <stdbool.h>
#include <stddef.h>

struct evc_secret_use {
	const char *profile;    /* its name, for the message */
	const char *gateway;    /* the command's gateway; NULL or "": the profile's own */
	const char *const *own; /* the profile's own gateways, as the client would try them */
	size_t n_own;
	bool privileged;       /* the caller is root or the daemon's own user */
	bool cert;             /* the profile signs with a certificate's key */
	bool stored_group_key; /* the profile refers to a stored secret (not `prompt`) */
	bool stored_password;
	bool gives_group_key; /* the command brings it */
	bool gives_password;
};

/*
 * 0 when the connection may use the profile's stored secrets as it stands (the command's
 * own secrets are then taken first, as always); -EPERM with err naming the profile, the
 * gateway and what the command would have to bring otherwise.
 */
int evc_secret_use_check(const struct evc_secret_use *u, char *err, size_t errlen);

/* Whether u->gateway is one of u->own (host names compared without case). */
bool evc_secret_use_own_gateway(const struct evc_secret_use *u);

#endif
