// SPDX-License-Identifier: GPL-2.0-or-later
/* What a connection teaches about its profile (learn.h). */
#include "profiles/learn.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "profiles/prof_int.h"
#include "profiles/secrets.h"
#include "profiles/store.h"
#include "lib/i18n.h"

static void say(prof_learn_note_fn note, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(prof_learn_note_fn note, void *ctx, const char *fmt, ...)
{
	char text[600];
	va_list ap;

	if (!note)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	note(ctx, text);
}

size_t prof_learn_backups(const char *pushed, const char *gateway, char *out, size_t outlen,
                          prof_learn_note_fn note, void *ctx)
{
	char buf[sizeof(((struct evc_policy *)0)->backup_servers)], *save = NULL;
	const char *kept[PROF_MAX_BACKUPS];
	size_t n = 0, off = 0;

	out[0] = '\0';
	snprintf(buf, sizeof(buf), "%s", pushed ? pushed : "");
	for (char *s = strtok_r(buf, ", \t\r\n;", &save); s;
	     s = strtok_r(NULL, ", \t\r\n;", &save)) {
		bool repeat = gateway && strcasecmp(s, gateway) == 0;
		for (size_t i = 0; i < n && !repeat; i++)
			repeat = strcasecmp(kept[i], s) == 0;
		if (repeat)
			continue;
		if (!prof_host_valid(s)) {
			say(note, ctx,
			    _("the gateway pushed a backup server '%.80s' that is neither a host "
			      "name nor an IPv4 address; it is not used"),
			    s);
			continue;
		}
		if (n == PROF_MAX_BACKUPS) {
			say(note, ctx,
			    _("the gateway pushed more than %d backup servers; the rest are "
			      "not used"),
			    PROF_MAX_BACKUPS);
			break;
		}
		kept[n++] = s;
		int w = snprintf(out + off, outlen - off, "%s%s", off ? ", " : "", s);
		if (w < 0 || (size_t)w >= outlen - off) {
			out[off] = '\0';
			n--;
			break;
		}
		off += (size_t)w;
	}
	return n;
}

/* The profile's own store directory, and where it keeps secret files. */
static int store_dirs(const struct evc_profile *p, const char *secrets_dir, char *dir, size_t dlen,
                      char *sdir, size_t slen, char *err, size_t errlen)
{
	const char *src = prof_source(p);
	const char *slash = src ? strrchr(src, '/') : NULL;
	int n;

	if (!slash || slash == src) {
		snprintf(err, errlen, _("profile '%s' was not loaded from a profile directory"),
		         prof_name(p));
		return -EINVAL;
	}
	n = snprintf(dir, dlen, "%.*s", (int)(slash - src), src);
	if (n < 0 || (size_t)n >= dlen)
		goto long_name;
	if (secrets_dir)
		n = snprintf(sdir, slen, "%s", secrets_dir);
	else if (strcmp(dir, PROF_SYSTEM_DIR) == 0)
		n = snprintf(sdir, slen, "%s", PROF_SECRETS_DIR);
	else
		n = snprintf(sdir, slen, "%s/secrets", dir);
	if (n >= 0 && (size_t)n < slen)
		return 0;
long_name:
	snprintf(err, errlen, _("the directory of profile '%s' has too long a name"), prof_name(p));
	return -ENAMETOOLONG;
}

/*
 * The gateway does not allow saving the password: the store that holds the one q keeps (a new
 * store in *ss, NULL when there is none of evc's), with q asking for it from now on. The
 * secret itself is deleted only once the profile no longer refers to it.
 */
static int drop_password(struct evc_profile *q, const char *group, const char *sdir,
                         struct prof_secret_store **ss, prof_learn_note_fn note, void *ctx,
                         char *err, size_t errlen)
{
	const char *path = NULL;
	char mine[4200];
	int n;

	*ss = NULL;
	switch (prof_secret_ref(q, PROF_SECRET_PASSWORD, &path)) {
	case PROF_REF_PROMPT:
		return 0;
	case PROF_REF_LIBSECRET:
		*ss = prof_secrets_libsecret_new();
		break;
	case PROF_REF_FILE:
		n = snprintf(mine, sizeof(mine), "%s/%s.password", sdir, prof_name(q));
		if (n < 0 || (size_t)n >= sizeof(mine) || strcmp(mine, path) != 0) {
			say(note, ctx,
			    _("the gateway does not let group %s save its password "
			      "(save-password), "
			      "but profile '%s' reads it from %s, which evc did not write: it is "
			      "left "
			      "alone"),
			    group, prof_name(q), path);
			return 0;
		}
		*ss = prof_secrets_files_new(sdir);
		break;
	}
	if (!*ss) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	return prof_set(q, "password", "prompt", err, errlen);
}

int prof_learn_policy(const struct evc_profile *p, const struct evc_policy *pol,
                      const char *secrets_dir, prof_learn_note_fn note, void *ctx, char *err,
                      size_t errlen)
{
	char dir[4096], sdir[4200], backups[PROF_LINE_MAX + 1];
	struct evc_profile *q = NULL;
	struct prof_store *st = NULL;
	struct prof_secret_store *ss = NULL;
	char *before = NULL, *after = NULL;
	bool allowed = (pol->have & EVC_HAVE_SAVE_PASSWD) && pol->save_passwd;
	const char *group = prof_group(p) ? prof_group(p) : prof_name(p);
	int rc = store_dirs(p, secrets_dir, dir, sizeof(dir), sdir, sizeof(sdir), err, errlen);

	if (rc)
		return rc;
	q = prof_dup(p);
	st = prof_store_new(dir);
	before = prof_to_text(p);
	if (!q || !st || !before) {
		snprintf(err, errlen, _("out of memory"));
		rc = -ENOMEM;
		goto out;
	}
	size_t n = prof_learn_backups((pol->have & EVC_HAVE_BACKUP) ? pol->backup_servers : NULL,
	                              prof_gateway(p), backups, sizeof(backups), note, ctx);
	if (n)
		rc = prof_set(q, "pushed_backup_gateways", backups, err, errlen);
	else
		rc = prof_unset(q, "pushed_backup_gateways");
	if (!rc)
		rc = prof_set(q, "save_password", allowed ? "yes" : "no", err, errlen);
	if (!rc && !allowed)
		rc = drop_password(q, group, sdir, &ss, note, ctx, err, errlen);
	if (rc)
		goto out;
	after = prof_to_text(q);
	if (!after) {
		snprintf(err, errlen, _("out of memory"));
		rc = -ENOMEM;
		goto out;
	}
	if (strcmp(before, after) == 0)
		goto out;
	rc = prof_store_save(st, q, true, NULL, NULL, err, errlen);
	if (rc)
		goto out;
	if (ss) {
		rc = prof_secrets_clear(ss, prof_name(p), PROF_SECRET_PASSWORD, err, errlen);
		if (rc)
			goto out;
		say(note, ctx,
		    _("the gateway does not let group %s save its password (save-password): the "
		      "stored password of profile '%s' was deleted, and evc asks for it from now "
		      "on"),
		    group, prof_name(p));
	}
	const char *old = prof_get(p, "pushed_backup_gateways");
	if (n && (!old || strcmp(old, backups) != 0))
		say(note, ctx, _("profile '%s' now also tries the gateway's backup servers %s"),
		    prof_name(p), backups);
out:
	free(before);
	free(after);
	prof_secrets_free(ss);
	prof_store_free(st);
	prof_free(q);
	return rc;
}
