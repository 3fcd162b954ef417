/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evc-gui's control-socket client; see ctlclient.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "gui/core/ctlclient.h"
#include "lib/i18n.h"
#include "lib/secret.h"

#define SEND_MS 2000 /* the daemon reads at once; a stuck one is reported, not waited for */

struct gui_conn {
	int fd;
	size_t len;
	char in[CTLP_LINE_MAX * 2];
};

/* Writes all of p, waiting at most SEND_MS for room. */
static int send_all(struct gui_conn *c, const char *p, size_t n, char *err, size_t errlen)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = {.fd = c->fd, .events = POLLOUT};
			if (poll(&pf, 1, SEND_MS) <= 0) {
				snprintf(err, errlen, "%s",
				         _("the evc daemon does not read its "
				           "control socket"));
				return -ETIMEDOUT;
			}
			continue;
		}
		if (w < 0) {
			int e = errno;
			snprintf(err, errlen, _("lost the connection to the evc daemon: %s"),
			         strerror(e));
			return -e;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Ends the message in w and sends it; the buffer is wiped either way. */
static int send_msg(struct gui_conn *c, struct ctlp_wr *w, char *err, size_t errlen)
{
	size_t n = ctlp_wr_end(w);
	int rc = n ? send_all(c, w->buf, n, err, errlen) : -E2BIG;
	if (!n)
		snprintf(err, errlen, "%s", _("a command too long for the control socket"));
	mem_wipe(w->buf, w->cap);
	return rc;
}

/* After a failed send: the daemon's refusal line, if it sent one, into err. */
static void why(struct gui_conn *c, char *err, size_t errlen)
{
	struct pollfd pf = {.fd = c->fd, .events = POLLIN};
	struct ctlp_msg *m = malloc(sizeof(*m));
	char e[256];
	while (m && poll(&pf, 1, SEND_MS) > 0) {
		ssize_t r = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, MSG_DONTWAIT);
		if (r <= 0)
			break;
		c->len += (size_t)r;
		char *nl = memchr(c->in, '\n', c->len);
		if (!nl)
			continue;
		if (ctlp_parse(m, c->in, (size_t)(nl - c->in) + 1, e, sizeof(e)) == 0 &&
		    ctlp_str(m, "error"))
			snprintf(err, errlen, "%s", ctlp_str(m, "error"));
		break;
	}
	free(m);
}

struct gui_conn *gui_conn_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct gui_conn *c = calloc(1, sizeof(*c));
	char buf[128];
	struct ctlp_wr w;

	if (!c) {
		snprintf(err, errlen, "%s", strerror(ENOMEM));
		return NULL;
	}
	if (strlen(path) >= sizeof(a.sun_path)) {
		snprintf(err, errlen, _("the control socket path %s is too long"), path);
		goto fail;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		if (e == ENOENT || e == ECONNREFUSED)
			snprintf(
			    err, errlen,
			    _("the evc daemon is not running (nothing answers on %s); start "
			      "it with `systemctl start evc-desktop` (or `evc daemon` as root)"),
			    path);
		else if (e == EACCES || e == EPERM)
			snprintf(err, errlen,
			         _("you may not use the evc daemon's socket %s: ask an "
			           "administrator to add you to the group evc, then log in again"),
			         path);
		else
			snprintf(err, errlen, _("cannot reach the evc daemon on %s: %s"), path,
			         strerror(e));
		goto fail;
	}
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "cmd", "hello");
	ctlp_wr_int(&w, "version", CTLP_VERSION);
	if (ctlp_caller_lang()) /* the daemon's sentences in the window's language */
		ctlp_wr_str(&w, "lang", ctlp_caller_lang());
	if (send_msg(c, &w, err, errlen))
		goto refused;
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "cmd", "subscribe");
	if (send_msg(c, &w, err, errlen))
		goto refused;
	return c;
refused:
	/* a daemon that refuses this user says why in one line and closes; that line, not the
	 * broken pipe it left, is what the user needs to read */
	why(c, err, errlen);
fail:
	gui_conn_free(c);
	return NULL;
}

void gui_conn_free(struct gui_conn *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	mem_wipe(c->in, sizeof(c->in));
	free(c);
}

int gui_conn_fd(const struct gui_conn *c)
{
	return c->fd;
}

int gui_conn_read(struct gui_conn *c, struct ctlp_msg *msg, char *err, size_t errlen)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->len);
		if (nl) {
			size_t n = (size_t)(nl - c->in) + 1;
			int rc = ctlp_parse(msg, c->in, n, err, errlen);
			memmove(c->in, c->in + n, c->len - n);
			c->len -= n;
			return rc ? rc : 1;
		}
		if (c->len == sizeof(c->in)) {
			snprintf(err, errlen, "%s",
			         _("the evc daemon sent a line too long to read"));
			return -E2BIG;
		}
		ssize_t r = recv(c->fd, c->in + c->len, sizeof(c->in) - c->len, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (r <= 0) {
			snprintf(err, errlen, "%s",
			         r == 0 ? _("the evc daemon closed the control socket (it stopped, "
			                    "or refused this user)")
			                : strerror(errno));
			return r == 0 ? -ECONNRESET : -errno;
		}
		c->len += (size_t)r;
	}
}

static void opt(struct ctlp_wr *w, const char *key, const char *v)
{
	if (v && v[0])
		ctlp_wr_str(w, key, v);
}

int gui_conn_connect(struct gui_conn *c, const struct gui_connect *a, char *err, size_t errlen)
{
	char buf[CTLP_LINE_MAX];
	struct ctlp_wr w;
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "cmd", "connect");
	opt(&w, "profile", a->profile);
	opt(&w, "gateway", a->gateway);
	opt(&w, "group", a->group);
	opt(&w, "user", a->user);
	opt(&w, "password", a->password);
	opt(&w, "group_key", a->group_key);
	if (a->profile_text) {
		ctlp_wr_strs_begin(&w, "profile_lines");
		for (const char *p = a->profile_text; *p;) {
			size_t n = strcspn(p, "\n");
			char line[512];
			if (n >= sizeof(line)) {
				snprintf(err, errlen,
				         _("a line of profile '%s' is too long to send"),
				         a->profile ? a->profile : "");
				mem_wipe(buf, sizeof(buf)); /* the secrets are in it already */
				return -E2BIG;
			}
			if (n && *p != '#') {
				memcpy(line, p, n);
				line[n] = '\0';
				ctlp_wr_item(&w, line);
			}
			p += n + (p[n] == '\n');
		}
		ctlp_wr_strs_end(&w);
	}
	return send_msg(c, &w, err, errlen);
}

static int simple(struct gui_conn *c, const char *cmd, char *err, size_t errlen)
{
	char buf[64];
	struct ctlp_wr w;
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "cmd", cmd);
	return send_msg(c, &w, err, errlen);
}

int gui_conn_disconnect(struct gui_conn *c, char *err, size_t errlen)
{
	return simple(c, "disconnect", err, errlen);
}

int gui_conn_status(struct gui_conn *c, char *err, size_t errlen)
{
	return simple(c, "status", err, errlen);
}

int gui_conn_answer_password(struct gui_conn *c, const char *user, const char *password, char *err,
                             size_t errlen)
{
	char buf[2048];
	struct ctlp_wr w;
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "cmd", "answer");
	ctlp_wr_str(&w, "prompt", "password");
	opt(&w, "user", user);
	opt(&w, "password", password);
	return send_msg(c, &w, err, errlen);
}

int gui_conn_answer_banner(struct gui_conn *c, bool accept, char *err, size_t errlen)
{
	char buf[96];
	struct ctlp_wr w;
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "cmd", "answer");
	ctlp_wr_str(&w, "prompt", "banner");
	ctlp_wr_bool(&w, "accept", accept);
	return send_msg(c, &w, err, errlen);
}
