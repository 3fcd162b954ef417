/* SPDX-License-Identifier: GPL-2.0-or-later */
/* One value found by an importer (pcf.c, vpnc_conf.c) into the profile or a secret, with the
 * message that names the source key and line when it does not fit. */
#include <string.h>

#include "lib/secret.h"
#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "profiles/secrets.h"
#include "lib/i18n.h"

bool prof_imp_set(struct prof_diag *d, struct evc_profile *p, int k, const char *v, unsigned line,
                  const char *srckey, enum prof_sev sev)
{
	char err[512];
	if (prof_set_id(p, k, v, 0, err, sizeof(err)) == 0)
		return true;
	prof_emit(d, sev, line, srckey, _("cannot be imported as %s: %s"), prof_key_name((size_t)k),
	          err);
	return false;
}

bool prof_imp_secret(struct prof_diag *d, struct secret *dst, const char *v, unsigned line,
                     const char *srckey)
{
	size_t n = strlen(v);
	if (n > PROF_SECRET_MAX) {
		prof_emit(d, PROF_ERROR, line, srckey, _("the secret is longer than %d bytes"),
		          PROF_SECRET_MAX);
		return false;
	}
	if (strpbrk(v, "\r\n")) {
		prof_emit(d, PROF_ERROR, line, srckey,
		          _("the secret holds a line break, which no secret store can keep"));
		return false;
	}
	if (secret_alloc(dst, n + 1) != 0) {
		prof_emit(d, PROF_ERROR, line, srckey, _("out of memory"));
		return false;
	}
	memcpy(dst->p, v, n);
	dst->len = n;
	return true;
}
