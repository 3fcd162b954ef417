/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client side of the control sockets (ctl_request); see control.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/control.h"

int ctl_request(const char *path, const char *cmd, FILE *out, char *err, size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int rc;
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
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
	/* All of it first, then out: a pager that waits for its reader (`evs show ... | less`)
	 * must not hold the daemon's side past its CTL_CONN_MS and have the answer cut. */
	size_t cap = 64 * 1024, len = 0, most = CTL_ANSWER_CEIL + 4096;
	char *buf = malloc(cap);
	ssize_t r = 0;
	while (buf && len < most) {
		r = recv(fd, buf + len, cap - len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == cap && cap < most) {
			char *nb = realloc(buf, cap * 2 < most ? cap * 2 : most);
			if (!nb)
				break;
			buf = nb;
			cap = cap * 2 < most ? cap * 2 : most;
		}
	}
	int e = errno;
	close(fd);
	if (!buf || r < 0 || (len == cap && cap < most)) {
		snprintf(err, errlen, "cannot read the answer from %s: %s", path,
		         !buf || r >= 0 ? "out of memory" : strerror(e));
		free(buf);
		return !buf || r >= 0 ? -ENOMEM : -EIO;
	}
	fwrite(buf, 1, len, out);
	free(buf);
	return 0;
}
