/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Control sockets; see control.h. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <grp.h>
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
#include "lib/control_path.h"
#include "lib/secret.h"
#include "lib/timer.h"

enum { TAG_LISTEN, TAG_TIMER, TAG_CONN };

struct ctl_conn {
	int fd; /* -1: free slot */
	uint64_t deadline;
	size_t in_len;
	char in[CTL_CMD_MAX];
	char *out; /* what waits while the client reads slowly */
	size_t out_len, out_off;
	bool kept;     /* a session: more commands, and events (ctl_srv_keep) */
	bool answered; /* one-shot: the answer is out, the connection closes once it is sent */
	uid_t uid;     /* the peer's, from SO_PEERCRED */
	uint64_t id;   /* ctl_srv_peer_id: never reused, so a closed session's id names nobody */
	/* a long answer (ctl_srv_more): its next part is made only once the last one is sent,
	 * so a client that does not read costs no formatting, and never more than one part */
	ctl_more_fn more;
	void *more_state;
	void (*more_free)(void *state);
	size_t total; /* bytes of this answer so far, against CTL_ANSWER_CEIL */
};

struct ctl_srv {
	int lfd, ep, tfd;
	char *path;
	ctl_handler handler;
	void *ctx;
	char *answer; /* a part's scratch: CTL_ANSWER_MAX bytes and the cut note */
	struct ctl_conn conns[CTL_MAX_CONNS];
	struct ctl_conn *cur; /* the connection whose command the handler is answering */
	uint64_t last_id;
	bool have_gid; /* ctl_srv_allow_group */
	gid_t gid;
	char group[64];
};

/* ---- the non-blocking server ---- */

static void more_end(struct ctl_conn *c)
{
	if (c->more && c->more_free)
		c->more_free(c->more_state);
	c->more = NULL;
	c->more_state = NULL;
	c->more_free = NULL;
}

static void conn_close(struct ctl_srv *srv, struct ctl_conn *c)
{
	more_end(c);
	if (c->fd < 0)
		return;
	epoll_ctl(srv->ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	mem_wipe(c->in, sizeof(c->in)); /* a password answer may have passed through */
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

static void arm_deadline(struct ctl_srv *srv)
{
	uint64_t next = UINT64_MAX;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		if (srv->conns[i].fd >= 0 && !srv->conns[i].kept && srv->conns[i].deadline < next)
			next = srv->conns[i].deadline;
	timerfd_arm_ms(srv->tfd, next);
}

/*
 * Sends what the client will take now; 1 when all is sent, 0 to wait, -1 on error. A one-shot
 * client that takes bytes gets CTL_CONN_MS more: a long answer read at a pager's pace is not
 * cut, while one that stops reading is dropped CTL_CONN_MS after it stopped.
 */
static int conn_flush(struct ctl_conn *c)
{
	bool moved = false;
	while (c->out_off < c->out_len) {
		ssize_t w = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w > 0)
			moved = true;
		if (w < 0) {
			if (moved && !c->kept)
				c->deadline = mono_ms() + CTL_CONN_MS;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		c->out_off += (size_t)w;
	}
	if (moved && !c->kept)
		c->deadline = mono_ms() + CTL_CONN_MS;
	c->out_len = c->out_off = 0;
	return 1;
}

static int conn_watch(struct ctl_srv *srv, struct ctl_conn *c)
{
	uint32_t want =
	    (c->out_len > c->out_off || c->more ? EPOLLOUT : 0) | (c->kept ? EPOLLIN : 0);
	if (!c->kept && !(want & EPOLLOUT))
		want = EPOLLIN;
	struct epoll_event ev = {.events = want, .data.u32 = TAG_CONN + (uint32_t)(c - srv->conns)};
	return epoll_ctl(srv->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* The line that ends an answer the control socket had to cut; always in its own line. */
#define CUT_NOTE_MAX 200

/*
 * Queues n bytes for c. A one-shot answer's part may be up to CTL_ANSWER_MAX (and the line
 * saying it was cut); what waits for a kept connection at most CTL_QUEUE_MAX: a subscriber
 * that does not read is dropped rather than let it hold memory or the loop. 0, or -1 when c
 * was closed.
 */
static int conn_queue(struct ctl_srv *srv, struct ctl_conn *c, const char *p, size_t n)
{
	size_t limit = c->kept ? CTL_QUEUE_MAX : CTL_ANSWER_MAX + CUT_NOTE_MAX;
	size_t pending = c->out_len - c->out_off;
	if (pending + n > limit)
		goto drop;
	if (!c->out && !(c->out = malloc(limit)))
		goto drop;
	if (c->out_off) {
		memmove(c->out, c->out + c->out_off, pending);
		c->out_len = pending;
		c->out_off = 0;
	}
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	if (conn_flush(c) < 0 || conn_watch(srv, c) != 0)
		goto drop;
	return 0;
drop:
	conn_close(srv, c);
	return -1;
}

/*
 * A part of n bytes in srv->answer (n > CTL_ANSWER_MAX: the writer ran out of room) made to
 * fit: never longer than CTL_ANSWER_MAX, nor than what CTL_ANSWER_CEIL leaves of the answer,
 * and when it had to be cut it ends with a line saying so. Cutting ends the answer.
 */
static size_t part_fit(struct ctl_srv *srv, struct ctl_conn *c, size_t n)
{
	const char *why = NULL;
	if (n > CTL_ANSWER_MAX) {
		n = CTL_ANSWER_MAX - 1; /* a snprintf-style writer's NUL */
		why = "a part of it did not fit the 64 KiB the control socket takes at once (a "
		      "fault of this command's handler)";
	}
	if (c->total + n > CTL_ANSWER_CEIL) {
		n = CTL_ANSWER_CEIL - c->total;
		why = "it reached the 16 MiB ceiling the control socket sends for one command";
	}
	c->total += n;
	if (why) {
		int k = snprintf(srv->answer + n, CTL_ANSWER_MAX + CUT_NOTE_MAX - n,
		                 "%s%% answer cut after %zu bytes: %s\n",
		                 n && srv->answer[n - 1] != '\n' ? "\n" : "", c->total, why);
		if (k > 0)
			n += (size_t)k;
		more_end(c);
	}
	return n;
}

/* At most this many parts of a long answer per event: the loop is shared, and a part is
 * more than the socket takes at once (16 KiB) anyway; the next waits for the next turn. */
#define PARTS_PER_EVENT 1

/*
 * Sends what waits for c and, for a long answer, makes and sends its next parts while the
 * client takes them. Closes c once a one-shot answer is complete and sent.
 */
static void conn_pump(struct ctl_srv *srv, struct ctl_conn *c)
{
	for (int i = 0;; i++) {
		int rc = conn_flush(c);
		if (rc < 0 || (rc > 0 && c->answered && !c->more)) {
			conn_close(srv, c);
			return;
		}
		if (rc == 0 || !c->more || i == PARTS_PER_EVENT)
			break;
		bool done = false;
		size_t n =
		    part_fit(srv, c, c->more(c->more_state, srv->answer, CTL_ANSWER_MAX, &done));
		if (done)
			more_end(c);
		if (n && conn_queue(srv, c, srv->answer, n) != 0)
			return;
	}
	if (conn_watch(srv, c) != 0)
		conn_close(srv, c);
}

/* One command line (NUL-terminated, without its line end): the handler's answer is queued. */
static void conn_line(struct ctl_srv *srv, struct ctl_conn *c, char *line)
{
	size_t n;
	c->total = 0;
	srv->cur = c;
	n = srv->handler(srv->ctx, line, srv->answer, CTL_ANSWER_MAX);
	srv->cur = NULL;
	if (c->fd < 0)
		return;
	n = part_fit(srv, c, n);
	if (n && conn_queue(srv, c, srv->answer, n) != 0)
		return;
	if (!c->kept) {
		c->answered = true;
		conn_pump(srv, c); /* closes c once all is sent: one command, one answer */
	}
}

/* The complete lines in c->in, in order; what follows the last one stays for later. */
static void conn_lines(struct ctl_srv *srv, struct ctl_conn *c, bool eof)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->in_len);
		size_t take;
		if (nl) {
			*nl = '\0';
			take = (size_t)(nl - c->in) + 1;
		} else if (c->in_len && (eof || c->in_len == sizeof(c->in) - 1) && !c->kept) {
			/* the client's end of sending, or as much as a command may be */
			c->in[c->in_len] = '\0';
			take = c->in_len;
		} else if (c->in_len == sizeof(c->in) - 1) {
			static const char msg[] = "{\"reply\":\"error\",\"ok\":false,\"error\":\"a "
			                          "command line longer than the control socket "
			                          "takes\"}\n";
			conn_queue(srv, c, msg, sizeof(msg) - 1);
			conn_close(srv, c);
			return;
		} else {
			return;
		}
		c->in[strcspn(c->in, "\r")] = '\0';
		conn_line(srv, c, c->in);
		if (c->fd < 0)
			return;
		memmove(c->in, c->in + take, c->in_len - take);
		mem_wipe(c->in + c->in_len - take, take);
		c->in_len -= take;
		if (!c->kept)
			return;
	}
}

static void conn_event(struct ctl_srv *srv, struct ctl_conn *c)
{
	if (c->fd < 0)
		return;
	if (c->out_len > c->out_off || c->more) {
		conn_pump(srv, c);
		if (c->fd < 0)
			return;
	}
	if (c->answered)
		return;
	for (;;) {
		ssize_t n =
		    recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 || (n == 0 && (c->in_len == 0 || c->kept))) {
			conn_close(srv, c);
			return;
		}
		c->in_len += (size_t)n;
		conn_lines(srv, c, n == 0);
		if (c->fd < 0 || c->answered || n == 0)
			return;
	}
}

/* Root, this process's own user, or a member of the allowed group (SO_PEERCRED and
 * SO_PEERGROUPS: the peer process's credentials at connect, not what it claims). */
static bool peer_allowed(const struct ctl_srv *srv, int fd, struct ucred *cr)
{
	socklen_t len = sizeof(*cr);
	gid_t groups[256];
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cr, &len) != 0)
		return false;
	if (cr->uid == 0 || cr->uid == geteuid())
		return true;
	if (!srv->have_gid)
		return false;
	if (cr->gid == srv->gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0)
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == srv->gid)
			return true;
	return false;
}

static void refuse(const struct ctl_srv *srv, int fd, const struct ucred *cr)
{
	char msg[256];
	int n = snprintf(msg, sizeof(msg),
	                 "{\"reply\":\"refused\",\"ok\":false,\"error\":\"uid %u is not allowed "
	                 "on this control socket: only root%s%s are\"}\n",
	                 (unsigned)cr->uid, srv->have_gid ? " and members of group " : "",
	                 srv->have_gid ? srv->group : "");
	/* one try, never waiting: the socket is fresh, its buffer empty */
	if (n > 0 && send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		return;
}

static void accept_all(struct ctl_srv *srv)
{
	for (;;) {
		int fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ucred cr = {0};
		if (fd < 0)
			return;
		if (!peer_allowed(srv, fd, &cr)) {
			refuse(srv, fd, &cr);
			close(fd);
			continue;
		}
		/* a free slot, else the oldest one-shot client makes room; subscribers stay */
		struct ctl_conn *slot = NULL;
		for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
			struct ctl_conn *c = &srv->conns[i];
			if (c->fd < 0) {
				slot = c;
				break;
			}
			if (!c->kept && (!slot || c->deadline < slot->deadline))
				slot = c;
		}
		if (!slot) {
			close(fd);
			continue;
		}
		/* a small send buffer bounds what a client that never reads pins in the kernel */
		int sndbuf = 16 * 1024;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		conn_close(srv, slot);
		slot->fd = fd;
		slot->uid = cr.uid;
		slot->id = ++srv->last_id;
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
		if (srv->conns[i].fd >= 0 && !srv->conns[i].kept && srv->conns[i].deadline <= now)
			conn_close(srv, &srv->conns[i]);
}

int ctl_srv_keep(struct ctl_srv *srv)
{
	size_t kept = 0;
	if (!srv->cur)
		return -EINVAL;
	if (srv->cur->kept)
		return 0;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		kept += srv->conns[i].fd >= 0 && srv->conns[i].kept;
	if (kept >= CTL_MAX_KEPT)
		return -EUSERS;
	if (srv->cur->more)
		return -EINVAL; /* a session's queue is bounded: no long answers there */
	srv->cur->kept = true;
	return 0;
}

int ctl_srv_more(struct ctl_srv *srv, ctl_more_fn fn, void *state, void (*free_state)(void *))
{
	if (!srv->cur || srv->cur->kept || srv->cur->more || !fn)
		return -EINVAL;
	srv->cur->more = fn;
	srv->cur->more_state = state;
	srv->cur->more_free = free_state;
	return 0;
}

/* ctl_srv_more_buf: a finished text sent a part at a time. */
struct more_buf {
	char *p;
	size_t len, off;
};

static size_t more_buf_part(void *state, char *out, size_t cap, bool *done)
{
	struct more_buf *b = state;
	size_t n = b->len - b->off < cap ? b->len - b->off : cap;
	memcpy(out, b->p + b->off, n);
	b->off += n;
	*done = b->off == b->len;
	return n;
}

static void more_buf_free(void *state)
{
	struct more_buf *b = state;
	free(b->p);
	free(b);
}

int ctl_srv_more_buf(struct ctl_srv *srv, char *buf, size_t len)
{
	struct more_buf *b = malloc(sizeof(*b));
	if (!b) {
		free(buf);
		return -ENOMEM;
	}
	*b = (struct more_buf){buf, len, 0};
	int rc = ctl_srv_more(srv, more_buf_part, b, more_buf_free);
	if (rc != 0)
		more_buf_free(b);
	return rc;
}

size_t ctl_srv_broadcast(struct ctl_srv *srv, const char *line, size_t len)
{
	size_t sent = 0;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct ctl_conn *c = &srv->conns[i];
		if (c->fd >= 0 && c->kept && conn_queue(srv, c, line, len) == 0)
			sent++;
	}
	return sent;
}

long ctl_srv_peer_uid(const struct ctl_srv *srv)
{
	return srv->cur ? (long)srv->cur->uid : -1;
}

uint64_t ctl_srv_peer_id(const struct ctl_srv *srv)
{
	return srv->cur ? srv->cur->id : 0;
}

static struct ctl_conn *session_of(const struct ctl_srv *srv, uint64_t id)
{
	for (size_t i = 0; id && i < CTL_MAX_CONNS; i++) {
		const struct ctl_conn *c = &srv->conns[i];
		if (c->fd >= 0 && c->kept && c->id == id)
			return (struct ctl_conn *)c;
	}
	return NULL;
}

bool ctl_srv_session(const struct ctl_srv *srv, uint64_t id, long *uid)
{
	const struct ctl_conn *c = session_of(srv, id);
	if (c && uid)
		*uid = (long)c->uid;
	return c != NULL;
}

size_t ctl_srv_sessions(const struct ctl_srv *srv, uint64_t *ids, long *uids, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		const struct ctl_conn *c = &srv->conns[i];
		if (c->fd < 0 || !c->kept)
			continue;
		if (n < max) {
			ids[n] = c->id;
			uids[n] = (long)c->uid;
		}
		n++;
	}
	return n;
}

int ctl_srv_send(struct ctl_srv *srv, uint64_t id, const char *line, size_t len)
{
	struct ctl_conn *c = session_of(srv, id);
	if (!c)
		return -ENOENT;
	return conn_queue(srv, c, line, len) ? -EPIPE : 0;
}

size_t ctl_srv_kept(const struct ctl_srv *srv)
{
	size_t kept = 0;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++)
		kept += srv->conns[i].fd >= 0 && srv->conns[i].kept;
	return kept;
}

int ctl_srv_allow_group(struct ctl_srv *srv, const char *group, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char buf[4096];
	int rc = getgrnam_r(group, &gr, buf, sizeof(buf), &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "there is no group '%s' for the control socket %s", group,
		         srv->path);
		return -ENOENT;
	}
	if (chown(srv->path, (uid_t)-1, res->gr_gid) != 0 || chmod(srv->path, 0660) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot give the control socket %s to group %s: %s",
		         srv->path, group, strerror(errno));
		return rc;
	}
	if ((rc = ctl_path_open_dir(srv->path, res->gr_gid, group, err, errlen)) != 0)
		return rc;
	srv->gid = res->gr_gid;
	srv->have_gid = true;
	snprintf(srv->group, sizeof(srv->group), "%s", group);
	return 0;
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
	if (!(srv->path = strdup(path)) || !(srv->answer = malloc(CTL_ANSWER_MAX + CUT_NOTE_MAX))) {
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
	srv->lfd = ctl_path_listen(path, err, errlen);
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
