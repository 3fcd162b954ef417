/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "tun/control.h"

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

int ctl_listen(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a;
	char dir[sizeof(a.sun_path)];
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
	unlink(path);
	mode_t old = umask(077);
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

int ctl_accept(int lfd, char *cmd, size_t len)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct timeval tv = {1, 0};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = recv(fd, cmd, len - 1, 0);
	if (n <= 0) {
		close(fd);
		return -EIO;
	}
	cmd[n] = '\0';
	cmd[strcspn(cmd, "\r\n")] = '\0';
	return fd;
}

void ctl_answer(int fd, const char *text, size_t len)
{
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
}

int ctl_request(const char *path, const char *cmd, FILE *out, char *err, size_t errlen)
{
	struct sockaddr_un a;
	int rc = fill_addr(&a, path, err, errlen);
	if (rc)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		rc = -errno;
		snprintf(err, errlen, "nothing answers on %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	char line[300];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);
	if (n < 0 || (size_t)n >= sizeof(line) || send(fd, line, (size_t)n, MSG_NOSIGNAL) < 0) {
		snprintf(err, errlen, "cannot send the command to %s", path);
		close(fd);
		return -EIO;
	}
	char buf[4096];
	ssize_t r;
	while ((r = recv(fd, buf, sizeof(buf), 0)) > 0)
		fwrite(buf, 1, (size_t)r, out);
	close(fd);
	return 0;
}
