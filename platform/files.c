/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include "lib/file.h"
#include "platform/plat_int.h"
#include "lib/i18n.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int plat_file_read(const char *path, size_t max, char **data, size_t *len, char *err, size_t errlen)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *nbuf;
	int fd, rc = 0;

	*data = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return plat_fail(err, errlen, -errno, _("cannot read %s"), path);
	buf = malloc(cap + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= max) {
				rc = -EFBIG;
				goto out;
			}
			cap = cap * 2 > max ? max : cap * 2;
			nbuf = realloc(buf, cap + 1);
			if (!nbuf) {
				rc = -ENOMEM;
				goto out;
			}
			buf = nbuf;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot read %s"), path);
	return 0;
}

/* A bind-mounted file (resolv.conf in most containers) cannot be renamed over: write in place. */
static int replace_in_place(const char *path, const void *data, size_t len)
{
	int fd, rc;

	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, data, len);
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
int plat_file_replace(const char *path, const void *data, size_t len, unsigned mode, unsigned uid,
                      unsigned gid, char *err, size_t errlen)
{
	int rc = file_write_atomic(path, data, len, (mode_t)mode,
	                           uid != geteuid() ? (uid_t)uid : (uid_t)-1,
	                           gid != getegid() ? (gid_t)gid : (gid_t)-1, NULL, 0);
	/* a bind-mounted file (resolv.conf in a container) cannot be renamed over */
	if (rc == -EBUSY)
		rc = replace_in_place(path, data, len);
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot write %s"), path);
	return 0;
}

int plat_sysctl_write(const char *path, const char *value, char *err, size_t errlen)
{
	int fd, rc;

	fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return plat_fail(err, errlen, -errno, _("cannot write %s"), path);
	rc = write_all(fd, value, strlen(value));
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0)
		return plat_fail(err, errlen, rc, _("cannot write \"%s\" to %s"), value, path);
	return 0;
}
