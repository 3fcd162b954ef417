/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's lock file; see lock.h. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/lock.h"
#include "lib/i18n.h"

int evc_lock_take(const char *path, const char *what, int *out, char *err, size_t errlen)
{
	char dir[4096], pid[32] = "";
	int fd, rc;
	ssize_t n;

	*out = -1;
	snprintf(dir, sizeof(dir), "%s", path);
	if (mkdir(dirname(dir), 0700) != 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, _("cannot create the directory of %s: %s"), path,
		         strerror(-rc));
		return rc;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, _("cannot open the lock file %s: %s"), path, strerror(-rc));
		return rc;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (rc == -EBUSY)
			snprintf(err, errlen,
			         _("%s is already running (pid %s, lock %s); `evc status` asks it, "
			           "`systemctl stop` or SIGTERM ends it"),
			         what, pid[0] ? pid : "?", path);
		else
			snprintf(err, errlen, _("cannot lock %s: %s"), path, strerror(-rc));
		close(fd);
		return rc;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
		/* the lock holds without the PID; it only makes the message better */
	}
	*out = fd;
	return 0;
}
