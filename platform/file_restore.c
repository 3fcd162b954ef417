/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* asprintf */
/* Putting back a file the journal recorded as replaced (resolv.conf today): its own file so the
 * journal can undo a file change without depending on the code that made it. */
#include "platform/plat_int.h"
#include "platform/trust.h"
#include "lib/i18n.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int restore_link(const char *path, const char *target, char *err, size_t errlen)
{
	char *tmp = NULL;
	int rc = 0;

	if (asprintf(&tmp, "%s.evc-link-%ld", path, (long)getpid()) < 0)
		return plat_fail(err, errlen, -ENOMEM, _("cannot restore symlink %s"), path);
	unlink(tmp);
	if (symlink(target, tmp) < 0 || rename(tmp, path) < 0) {
		rc = plat_fail(err, errlen, -errno, _("cannot restore symlink %s -> %s"), path,
		               target);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int plat_file_restore(const struct plat_jentry *e, char *err, size_t errlen)
{
	char *data = NULL;
	size_t len;
	int rc;

	switch (e->kind) {
	case PF_ABSENT:
		if (unlink(e->path) < 0 && errno != ENOENT)
			return plat_fail(err, errlen, -errno, _("cannot remove %s"), e->path);
		return 0;
	case PF_SYMLINK:
		return restore_link(e->path, e->aux, err, errlen);
	case PF_REGULAR:
		rc = plat_path_trusted(e->aux, _("backup"), false, err, errlen);
		if (rc == -EPERM)
			return rc;
		rc = plat_file_read(e->aux, PLAT_FILE_BACKUP_MAX, &data, &len, NULL, 0);
		if (rc < 0)
			return plat_fail(
			    err, errlen, rc,
			    _("cannot restore %s: its backup %s is unreadable, so it was "
			      "left as it is"),
			    e->path, e->aux);
		/* never set-id or group/world-writable, whatever the state file says */
		rc = plat_file_replace(e->path, data, len, e->mode & 0755, e->uid, e->gid, err,
		                       errlen);
		free(data);
		if (rc < 0)
			return rc;
		if (unlink(e->aux) < 0 && errno != ENOENT)
			return plat_fail(err, errlen, -errno, _("cannot remove backup %s"), e->aux);
		return 0;
	}
	return plat_failx(err, errlen, -EINVAL, _("unknown kind of file change for %s"), e->path);
}
