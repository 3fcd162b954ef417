/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where a profile's stored secrets may go; see secret_use.h. */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "client/core/secret_use.h"
#include "lib/i18n.h"

bool evc_secret_use_own_gateway(const struct evc_secret_use *u)
{
	for (size_t i = 0; i < u->n_own; i++)
		if (u->own[i] && strcasecmp(u->own[i], u->gateway) == 0)
			return true;
	return false;
}

int evc_secret_use_check(const struct evc_secret_use *u, char *err, size_t errlen)
{
	if (!u->gateway || !u->gateway[0] || u->privileged || evc_secret_use_own_gateway(u))
		return 0;
	if (u->cert) {
		snprintf(err, errlen,
		         _("profile '%s' signs with a stored certificate key, which goes to the "
		           "profile's own gateways only, not to %s: only root may connect it "
		           "elsewhere"),
		         u->profile, u->gateway);
		return -EPERM;
	}
	if ((u->stored_group_key && !u->gives_group_key) ||
	    (u->stored_password && !u->gives_password)) {
		snprintf(err, errlen,
		         _("profile '%s' keeps its stored group key and password for its own "
		           "gateways, not for %s: send both in the connect command, or leave the "
		           "gateway as the profile has it"),
		         u->profile, u->gateway);
		return -EPERM;
	}
	return 0;
}
