/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control sockets; see control.h. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/control.h"
#include "lib/timer.h"

enum { TAG_LISTEN, TAG_TIMER, TAG_CONN };

struct ctl_conn {
	int fd; /* -1: free slot */
	uint64_t deadline;
	size_t in_len;
	char in[CTL_CMD_MAX];
	char *out; /* the rest of the answer while the client reads slowly */
	size_t out_len, out_off;
};

struct ctl_srv {
	int lfd, ep, tfd;
	char *path;
	ctl_handler handler;
	void *ctx;
	char *answer; /* CTL_ANSWER_MAX bytes of scratch for the handler */
	struct ctl_conn conns[CTL_MAX_CONNS];
};

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

/* The listening socket of ctl_srv_new, with the checks control.h describes. */
static int listen_at(const char *path, char *err, size_t errlen)
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

/* ---- the non-blocking server ---- */

static void conn_close(struct ctl_srv *srv, struct ctl_conn *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(srv->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void arm_deadline(struct ctl_srv *srv)
{
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		if (srv->conns[i].fd >= 0 && srv->conns[i].deadline < next)
			next = srv->conns[i].deadline;
	timerfd_arm_ms(srv->tfd, next);
}

/* Sends what the client will take now; 1 when all is sent, 0 to wait, -1 on error. */
static int conn_flush(struct ctl_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->out_off += (size_t)w;
	}
	return 1;
}

static void conn_answer(struct ctl_srv *srv, struct ctl_conn *c)
{
	size_t n;

	c->in[c->in_len < sizeof(c->in) ? c->in_len : sizeof(c->in) - 1] = '\0';
	c->in[strcspn(c->in, "\r\n")] = '\0';
	n = srv->handler(srv->ctx, c->in, srv->answer, CTL_ANSWER_MAX);
	if (n > CTL_ANSWER_MAX)
		n = CTL_ANSWER_MAX;
	c->out = malloc(n ? n : 1);
	if (!c->out) {
		conn_close(srv, c);
		return;
	}
	memcpy(c->out, srv->answer, n);
	c->out_len = n;
	int rc = conn_flush(c);
	if (rc != 0) {
		conn_close(srv, c);
		return;
	}
	/* the client reads slowly: go on when it has room, until the deadline */
	struct epoll_event ev = {.events = EPOLLOUT,
	                         .data.u32 = TAG_CONN + (uint32_t)(c - srv->conns)};
	if (epoll_ctl(srv->ep, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		conn_close(srv, c);
}

static void conn_event(struct ctl_srv *srv, struct ctl_conn *c)
{
	if (c->fd < 0)
		return;
	if (c->out) {
		if (conn_flush(c) != 0)
			conn_close(srv, c);
		return;
	}
	for (;;) {
		ssize_t n =
		    recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 || (n == 0 && c->in_len == 0)) {
			conn_close(srv, c);
			return;
		}
		c->in_len += (size_t)n;
		/* a whole line, the client's end of sending, or as much as a command may be */
		if (n == 0 || memchr(c->in, '\n', c->in_len) || c->in_len == sizeof(c->in) - 1) {
			conn_answer(srv, c);
			return;
		}
	}
}

static void accept_all(struct ctl_srv *srv)
{
	for (;;) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct ctl_conn *slot = NULL;
		for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
			struct ctl_conn *c = &srv->conns[i];
			if (c->fd < 0) {
				slot = c;
				break;
			}
			if (!slot || c->deadline < slot->deadline)
				slot = c;
		}
		/* a small send buffer bounds what a client that never reads pins in the kernel */
		int sndbuf = 16 * 1024;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		conn_close(srv, slot); /* all busy: the oldest makes room */
		slot->fd = fd;
		slot->deadline = mono_ms() + CTL_CONN_MS;
		struct epoll_event ev = {.events = EPOLLIN,
		                         .data.u32 = TAG_CONN + (uint32_t)(slot - srv->conns)};
		if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
			conn_close(srv, slot);
	}
}

static void expire(struct ctl_srv *srv)
{
	uint64_t exp, now = mono_ms();
	if (read(srv->tfd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		return;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		if (srv->conns[i].fd >= 0 && srv->conns[i].deadline <= now)
			conn_close(srv, &srv->conns[i]);
}

void ctl_srv_dispatch(struct ctl_srv *srv)
{
	struct epoll_event evs[CTL_MAX_CONNS + 2];
	int n = epoll_wait(srv->ep, evs, CTL_MAX_CONNS + 2, 0);

	for (int i = 0; i < n; i++) {
		uint32_t tag = evs[i].data.u32;
		if (tag == TAG_LISTEN)
			accept_all(srv);
		else if (tag == TAG_TIMER)
			expire(srv);
		else if (tag - TAG_CONN < CTL_MAX_CONNS)
			conn_event(srv, &srv->conns[tag - TAG_CONN]);
	}
	arm_deadline(srv);
}

int ctl_srv_fd(const struct ctl_srv *srv)
{
	return srv->ep;
}

int ctl_srv_new(struct ctl_srv **out, const char *path, ctl_handler handler, void *ctx, char *err,
                size_t errlen)
{
	struct ctl_srv *srv = calloc(1, sizeof(*srv));
	int rc;

	*out = NULL;
	if (!srv) {
		snprintf(err, errlen, "cannot create the control socket: out of memory");
		return -ENOMEM;
	}
	srv->lfd = srv->ep = srv->tfd = -1;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		srv->conns[i].fd = -1;
	if (!(srv->path = strdup(path)) || !(srv->answer = malloc(CTL_ANSWER_MAX))) {
		rc = -ENOMEM;
		snprintf(err, errlen, "cannot create the control socket: out of memory");
		goto fail;
	}
	srv->handler = handler;
	srv->ctx = ctx;
	srv->ep = epoll_create1(EPOLL_CLOEXEC);
	srv->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (srv->ep < 0 || srv->tfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create the control socket: %s", strerror(errno));
		goto fail;
	}
	srv->lfd = listen_at(path, err, errlen);
	if (srv->lfd < 0) {
		rc = srv->lfd;
		free(srv->path);
		srv->path = NULL; /* not ours: nothing to unlink */
		goto fail;
	}
	struct epoll_event el = {.events = EPOLLIN, .data.u32 = TAG_LISTEN};
	struct epoll_event et = {.events = EPOLLIN, .data.u32 = TAG_TIMER};
	if (epoll_ctl(srv->ep, EPOLL_CTL_ADD, srv->lfd, &el) != 0 ||
	    epoll_ctl(srv->ep, EPOLL_CTL_ADD, srv->tfd, &et) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot watch the control socket: %s", strerror(errno));
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	ctl_srv_free(srv);
	return rc;
}

void ctl_srv_free(struct ctl_srv *srv)
{
	if (!srv)
		return;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		conn_close(srv, &srv->conns[i]);
	if (srv->lfd >= 0) {
		close(srv->lfd);
		if (srv->path)
			unlink(srv->path);
	}
	if (srv->ep >= 0)
		close(srv->ep);
	if (srv->tfd >= 0)
		close(srv->tfd);
	free(srv->answer);
	free(srv->path);
	free(srv);
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
