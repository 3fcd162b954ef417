/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Who the control socket serves (lib/control.c, SO_PEERCRED and SO_PEERGROUPS): a process of
 * another user in the socket's group is answered; one outside it is refused with one line
 * naming its uid, and its command never reaches the handler, even when the socket's mode
 * would let it in. The peers are child processes that drop to nobody, so this needs root
 * (skipped otherwise) and the group nogroup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/control.h"
#include "lib/timer.h"

#define NOBODY 65534

struct fx {
	char dir[64], run[80], path[128];
	unsigned calls;
	struct ctl_srv *srv;
};

static size_t handler(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct fx *f = ctx;
	(void)cmd;
	f->calls++;
	return (size_t)snprintf(out, cap, "pong");
}

/* In a child: become uid/gid (no other groups), send one command, write the answer to fd. */
static void peer_main(const char *path, uid_t uid, gid_t gid, int fd)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char buf[512];
	ssize_t n;
	int s;
	if (setgroups(0, NULL) || setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
		_exit(2);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) != 0) {
		dprintf(fd, "connect: %s", strerror(errno));
		_exit(3);
	}
	/* a refused peer's connection may be closed before it sends: the refusal line waits
	 * to be read all the same */
	(void)send(s, "status\n", 7, MSG_NOSIGNAL);
	while ((n = read(s, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			_exit(5);
	_exit(0);
}

/* What the peer uid/gid got back, the daemon side served meanwhile (at most 5 s). */
static void ask_as(struct fx *f, uid_t uid, gid_t gid, char *got, size_t cap)
{
	int p[2];
	size_t len = 0;
	int status = -1;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		peer_main(f->path, uid, gid, p[1]);
	}
	close(p[1]);
	uint64_t end = mono_ms() + 5000;
	for (;;) {
		struct pollfd pf[2] = {{ctl_srv_fd(f->srv), POLLIN, 0}, {p[0], POLLIN, 0}};
		uint64_t now = mono_ms();
		assert_true(now < end);
		assert_true(poll(pf, 2, (int)(end - now)) >= 0);
		if (pf[0].revents)
			ctl_srv_dispatch(f->srv);
		ctl_srv_dispatch(f->srv); /* the accepted connection's command, its answer */
		if (pf[1].revents) {
			ssize_t n = read(p[0], got + len, cap - 1 - len);
			if (n <= 0)
				break;
			len += (size_t)n;
		}
	}
	got[len] = '\0';
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_peers(void **state)
{
	struct fx f = {0};
	struct group *g = getgrnam("nogroup");
	char err[256], got[512];
	(void)state;
	if (geteuid() != 0)
		skip(); /* the peers must be of another user */
	if (!g)
		skip();
	snprintf(f.dir, sizeof(f.dir), "/tmp/evc-ctlpeer.XXXXXX");
	assert_non_null(mkdtemp(f.dir));
	assert_int_equal(chmod(f.dir, 0755), 0);
	snprintf(f.run, sizeof(f.run), "%s/run", f.dir);
	snprintf(f.path, sizeof(f.path), "%s/s.sock", f.run);
	assert_int_equal(ctl_srv_new(&f.srv, f.path, handler, &f, err, sizeof(err)), 0);
	assert_int_equal(ctl_srv_allow_group(f.srv, "nogroup", err, sizeof(err)), 0);

	/* nobody in the group: served */
	ask_as(&f, NOBODY, g->gr_gid, got, sizeof(got));
	assert_string_equal(got, "pong");
	assert_int_equal(f.calls, 1);

	/* nobody outside it, with a mode that would let anyone in: refused by its credentials */
	assert_int_equal(chmod(f.run, 0711), 0);
	assert_int_equal(chmod(f.path, 0666), 0);
	gid_t other = g->gr_gid == 1 ? 2 : 1;
	ask_as(&f, NOBODY, other, got, sizeof(got));
	assert_non_null(strstr(got, "\"reply\":\"refused\""));
	assert_non_null(strstr(got, "uid 65534 is not allowed on this control socket: only root "
	                            "and members of group nogroup are"));
	assert_int_equal(f.calls, 1);

	ctl_srv_free(f.srv);
	unlink(f.path);
	rmdir(f.run);
	rmdir(f.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
