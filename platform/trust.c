/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files evc may trust; see trust.h. */
#define _GNU_SOURCE /* asprintf */
#include "platform/trust.h"
#include "lib/i18n.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One component: owner root (or, for an evc that is not root, its own uid), no write for
 * group/other (a sticky directory above is fine). */
static int judge(const struct stat *st, const char *comp, bool above, const char *path,
                 const char *what, char *err, size_t errlen)
{
	uid_t me = geteuid();

	if (st->st_uid != 0 && st->st_uid != me) {
		if (me == 0)
			snprintf(err, errlen,
			         _("refusing to use the %s %s: %s is owned by uid %u, not root"),
			         what, path, strcmp(comp, path) ? comp : "it",
			         (unsigned)st->st_uid);
		else
			snprintf(
			    err, errlen,
			    _("refusing to use the %s %s: %s is owned by uid %u, neither root nor "
			      "evc's own uid %u"),
			    what, path, strcmp(comp, path) ? comp : "it", (unsigned)st->st_uid,
			    (unsigned)me);
		return -EPERM;
	}
	if (S_ISLNK(st->st_mode) || !(st->st_mode & (S_IWGRP | S_IWOTH)))
		return 0;
	if (above && S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX))
		return 0;
	snprintf(err, errlen,
	         _("refusing to use the %s %s: %s is writable by group or others (mode %04o); "
	           "chmod go-w it"),
	         what, path, strcmp(comp, path) ? comp : "it", (unsigned)(st->st_mode & 07777));
	return -EPERM;
}

int plat_stat_trusted(const struct stat *st, const char *path, const char *what, char *err,
                      size_t errlen)
{
	return judge(st, path, false, path, what, err, errlen);
}

/* Every directory of the canonical dir, from / down. */
static int check_dirs(const char *dir, const char *path, const char *what, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	struct stat st;
	size_t len = strlen(dir);
	int rc;

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	if (lstat("/", &st) != 0)
		return -errno;
	rc = judge(&st, "/", true, path, what, err, errlen);
	memcpy(buf, dir, len + 1);
	for (size_t e = 1; !rc && e <= len; e++) {
		if (e < len && buf[e] != '/')
			continue;
		buf[e] = '\0';
		if (lstat(buf, &st) != 0)
			return -errno;
		rc = judge(&st, buf, true, path, what, err, errlen);
		buf[e] = '/';
	}
	return rc;
}

int plat_path_trusted(const char *path, const char *what, bool missing_ok, char *err, size_t errlen)
{
	char *copy = NULL, *real = NULL, *target = NULL;
	struct stat st;
	int rc;

	if (!path || path[0] != '/') {
		snprintf(err, errlen, _("refusing to use the %s %s: the path must be absolute"),
		         what, path ? path : "");
		return -EINVAL;
	}
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	real = realpath(dirname(copy), NULL);
	if (!real && errno == ENOENT && missing_ok) {
		rc = 0; /* nothing there to read, and nothing is created in a missing directory */
		goto out;
	}
	if (!real) {
		rc = -errno;
		snprintf(err, errlen, _("cannot use the %s %s: %s"), what, path, strerror(errno));
		goto out;
	}
	rc = check_dirs(real, path, what, err, errlen);
	if (rc)
		goto out;
	if (lstat(path, &st) != 0) {
		rc = errno == ENOENT && missing_ok ? 0 : -errno;
		if (rc)
			snprintf(err, errlen, _("cannot use the %s %s: %s"), what, path,
			         strerror(errno));
		goto out;
	}
	rc = judge(&st, path, false, path, what, err, errlen);
	if (rc || !S_ISLNK(st.st_mode))
		goto out;
	/* a root-owned link: now what it points to, and the directories on the way */
	target = realpath(path, NULL);
	if (!target) {
		rc = errno == ENOENT && missing_ok ? 0 : -errno;
		if (rc)
			snprintf(err, errlen, _("cannot use the %s %s: %s"), what, path,
			         strerror(errno));
		goto out;
	}
	rc = plat_path_trusted(target, what, missing_ok, err, errlen);
out:
	free(copy);
	free(real);
	free(target);
	return rc;
}
