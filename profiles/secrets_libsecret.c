/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The user's keyring through libsecret's synchronous password API. Each call connects to the
 * session bus on its own, so nothing is kept between calls and nothing is global but the
 * schema description, which is constant.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libsecret/secret.h>

#include "lib/secret.h"
#include "profiles/prof_int.h"
#include "profiles/secrets.h"
#include "lib/i18n.h"

static const SecretSchema *schema(void)
{
	static const SecretSchema s = {
	    .name = PROF_SECRET_SCHEMA,
	    .flags = SECRET_SCHEMA_NONE,
	    .attributes =
	        {
	            {.name = "profile", .type = SECRET_SCHEMA_ATTRIBUTE_STRING},
	            {.name = "kind", .type = SECRET_SCHEMA_ATTRIBUTE_STRING},
	        },
	};
	return &s;
}

/*
 * Errors of the transport (no session bus, "Cannot autolaunch D-Bus without X11 $DISPLAY", no
 * Secret Service on the bus) mean nobody is there to ask: -ENOTCONN, on which a user store
 * falls back to owner-only files (secrets.c). What the keyring itself answers (locked, a
 * prompt dismissed) is -EIO: the keyring is there and said no.
 */
static bool unreachable(const GError *e)
{
	if (!e)
		return false;
	if (e->domain == G_DBUS_ERROR)
		return e->code != G_DBUS_ERROR_ACCESS_DENIED && e->code != G_DBUS_ERROR_AUTH_FAILED;
	return e->domain == G_IO_ERROR && e->code != G_IO_ERROR_CANCELLED;
}

static int fail(GError *e, const char *what, char *err, size_t errlen)
{
	int rc = unreachable(e) ? -ENOTCONN : -EIO;

	snprintf(err, errlen,
	         _("the keyring (Secret Service) could not %s: %s; is a keyring running in this "
	           "session? Profiles of the daemon (/etc/evc) keep secrets in files instead"),
	         what, e && e->message ? e->message : "unknown error");
	if (e)
		g_error_free(e);
	return rc;
}

int prof_ls_store(const char *name, const char *kind, const struct secret *value, char *err,
                  size_t errlen)
{
	struct secret text = {NULL, 0};
	char label[160];
	GError *e = NULL;

	/* libsecret takes a C string: copy into a wiped buffer with room for the NUL. */
	if (secret_alloc(&text, value->len + 1) != 0) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	memcpy(text.p, value->p, value->len);
	snprintf(label, sizeof(label), _("evc profile %s: %s"), name,
	         strcmp(kind, "group-key") == 0 ? _("group key") : _("password"));
	gboolean ok = secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label,
	                                         (const gchar *)text.p, NULL, &e, "profile", name,
	                                         "kind", kind, NULL);
	secret_clear(&text);
	if (!ok)
		return fail(e, _("store the secret"), err, errlen);
	return 0;
}

int prof_ls_lookup(const char *name, const char *kind, struct secret *out, char *err, size_t errlen)
{
	GError *e = NULL;
	gchar *pw =
	    secret_password_lookup_sync(schema(), NULL, &e, "profile", name, "kind", kind, NULL);
	int rc = 0;

	if (e) {
		secret_password_free(pw);
		return fail(e, _("look up the secret"), err, errlen);
	}
	if (!pw) {
		snprintf(err, errlen, _("the keyring holds no %s for profile '%s'"), kind, name);
		return -ENOENT;
	}
	size_t len = strlen(pw);
	if (!len || len > PROF_SECRET_MAX) {
		snprintf(err, errlen, _("the keyring's %s for profile '%s' is empty or too long"),
		         kind, name);
		rc = -EINVAL;
	} else if (secret_alloc(out, len + 1) != 0) {
		snprintf(err, errlen, _("out of memory"));
		rc = -ENOMEM;
	} else {
		memcpy(out->p, pw, len);
		out->len = len;
	}
	secret_password_free(pw); /* wipes */
	return rc;
}

int prof_ls_clear(const char *name, const char *kind, char *err, size_t errlen)
{
	GError *e = NULL;
	secret_password_clear_sync(schema(), NULL, &e, "profile", name, "kind", kind, NULL);
	if (e)
		return fail(e, _("remove the secret"), err, errlen);
	return 0;
}
