/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libsecret side of secrets.h in a build without it (-DEVC_LIBSECRET=OFF, the router
 * build, which links no GLib): there is no keyring to reach, so every call says so, as
 * secrets_libsecret.c does when no Secret Service answers (-ENOTCONN). The user's store then
 * falls back to owner-only files, and the daemon's store never calls here (root-only files in
 * /etc/evc/secrets).
 */
#include <errno.h>
#include <stdio.h>

#include "profiles/prof_int.h"
#include "lib/i18n.h"

static int none(const char *what, char *err, size_t errlen)
{
	snprintf(
	    err, errlen,
	    _("the keyring (Secret Service) could not %s: this evc was built without keyring "
	      "support (-DEVC_LIBSECRET=OFF, the router build); profiles keep secrets in files "
	      "instead (file:/PATH, or /etc/evc/secrets with evc profile import --system)"),
	    what);
	return -ENOTCONN;
}

int prof_ls_store(const char *name, const char *kind, const struct secret *value, char *err,
                  size_t errlen)
{
	(void)name, (void)kind, (void)value;
	return none(_("store the secret"), err, errlen);
}

int prof_ls_lookup(const char *name, const char *kind, struct secret *out, char *err, size_t errlen)
{
	(void)name, (void)kind, (void)out;
	return none(_("look up the secret"), err, errlen);
}

int prof_ls_clear(const char *name, const char *kind, char *err, size_t errlen)
{
	(void)name, (void)kind;
	return none(_("remove the secret"), err, errlen);
}
