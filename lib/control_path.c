/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's file and its directory (control_path.h), apart from the server loop. */
#include "lib/control_path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int fill_addr(struct sockaddr_un *a, const char *path, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(a->sun_path, path, strlen(path) + 1);
	return 0;
}

static const char *kind_of(mode_t m)
{
	return S_ISREG(m)    ? "a regular file"
	       : S_ISLNK(m)  ? "a symbolic link"
	       : S_ISDIR(m)  ? "a directory"
	       : S_ISFIFO(m) ? "a FIFO"
	                     : "not a socket";
}

int ctl_path_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a;
	char dir[sizeof(a.sun_path)];
	struct stat sb;
	int rc = fill_addr(&a, path, err, errlen);
	if (rc)
		return rc;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the control socket: %s", strerror(errno));
		return rc;
	}
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		close(fd);
		snprintf(err, errlen, "another process answers on %s", path);
		return -EADDRINUSE;
	}
	/* Only a dead daemon's socket may be replaced: a file or symlink someone put there (or
	 * a mistyped --control naming a real file) is not ours to delete. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			close(fd);
			snprintf(err, errlen,
			         "refusing to replace %s with the control socket: it is %s, not a "
			         "socket; remove it or choose another path",
			         path, kind_of(sb.st_mode));
			return -EEXIST;
		}
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = -errno;
			snprintf(err, errlen, "cannot remove the stale socket %s: %s", path,
			         strerror(errno));
			close(fd);
			return rc;
		}
	}
	mode_t old = umask(0177);
	rc = bind(fd, (struct sockaddr *)&a, sizeof(a));
	umask(old);
	if (rc != 0 || listen(fd, 8) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

int ctl_path_open_dir(const char *path, gid_t gid, const char *group, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat sb;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &sb) != 0 || sb.st_uid != geteuid() || (sb.st_mode & (S_IWOTH | S_ISVTX)) ||
	    (sb.st_mode & S_IXOTH) || (sb.st_gid == gid && (sb.st_mode & S_IXGRP)))
		return 0;
	if (chown(dir, (uid_t)-1, gid) != 0 || chmod(dir, (sb.st_mode & 0700) | 0010) != 0) {
		int rc = -errno;
		snprintf(err, errlen, "cannot let group %s reach the control socket in %s: %s",
		         group, dir, strerror(errno));
		return rc;
	}
	return 0;
}
