/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket (tun/control.c): what is at its path and is not a socket is never
 * deleted, and no client (silent, never reading, or too many of them) can hold up the event
 * loop that serves it for more than a few milliseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/control.h"
#include "lib/timer.h"

/* Longest any one dispatch may take: the datapath shares the loop. */
#define STALL_MS 5

struct fx {
	char dir[64];
	char path[128];
	unsigned calls;
	char last[CTL_CMD_MAX];
	size_t answer_len;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-ctl-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/evc0.sock", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static size_t handler(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct fx *f = ctx;
	size_t n = f->answer_len ? f->answer_len : 6;

	f->calls++;
	snprintf(f->last, sizeof(f->last), "%s", cmd);
	if (n > cap)
		n = cap;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)('a' + i % 26);
	return n;
}

static int client(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	size_t len = strlen(path);
	assert_true(len < sizeof(a.sun_path)); /* a cut path would name another socket */
	memcpy(a.sun_path, path, len + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* One dispatch, timed; fails the test when it took longer than STALL_MS. */
static void dispatch_quickly(struct ctl_srv *srv)
{
	uint64_t t0 = mono_ms();
	ctl_srv_dispatch(srv);
	uint64_t took = mono_ms() - t0;
	if (took > STALL_MS)
		fail_msg("ctl_srv_dispatch blocked the loop for %llu ms", (unsigned long long)took);
}

/* Runs the loop as evc does until fd has something to read (or a deadline and 1 s passed). */
static bool pump_until_readable(struct ctl_srv *srv, int fd)
{
	uint64_t end = mono_ms() + CTL_CONN_MS + 1000;
	while (mono_ms() < end) {
		struct pollfd p[2] = {{ctl_srv_fd(srv), POLLIN, 0}, {fd, POLLIN, 0}};
		poll(p, 2, 50);
		if (p[1].revents)
			return true;
		if (p[0].revents)
			dispatch_quickly(srv);
	}
	return false;
}

static size_t read_all(struct ctl_srv *srv, int fd, char *buf, size_t cap)
{
	size_t got = 0;
	for (;;) {
		if (!pump_until_readable(srv, fd))
			fail_msg("no answer in time");
		ssize_t n = recv(fd, buf + got, cap - got, MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN)
			continue;
		assert_true(n >= 0);
		if (n == 0)
			return got;
		got += (size_t)n;
		assert_true(got < cap);
	}
}

static void test_not_a_socket_left_alone(void **state)
{
	struct fx *f = *state;
	struct ctl_srv *srv = NULL;
	char err[512] = "", target[160], buf[32];
	struct stat sb;
	FILE *fp;

	/* a regular file: refused by name, content untouched */
	fp = fopen(f->path, "w");
	assert_non_null(fp);
	fputs("precious\n", fp);
	fclose(fp);
	assert_int_equal(ctl_srv_new(&srv, f->path, handler, f, err, sizeof(err)), -EEXIST);
	assert_null(srv);
	assert_non_null(strstr(err, f->path));
	assert_non_null(strstr(err, "a regular file, not a socket"));
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	fp = fopen(f->path, "r");
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "precious\n");

	/* a symbolic link (to a file elsewhere): neither is touched */
	snprintf(target, sizeof(target), "%s/target", f->dir);
	assert_int_equal(rename(f->path, target), 0);
	assert_int_equal(symlink(target, f->path), 0);
	assert_int_equal(ctl_srv_new(&srv, f->path, handler, f, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "a symbolic link, not a socket"));
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	assert_int_equal(lstat(target, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
}

static void test_stale_and_live_socket(void **state)
{
	struct fx *f = *state;
	struct ctl_srv *srv = NULL, *second = NULL;
	char err[512] = "", buf[64];
	struct stat sb;
	int fd;

	/* a dead daemon's socket is replaced */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	assert_true(strlen(f->path) < sizeof(a.sun_path));
	memcpy(a.sun_path, f->path, strlen(f->path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	close(fd);
	assert_int_equal(lstat(f->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(ctl_srv_new(&srv, f->path, handler, f, err, sizeof(err)), 0);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_true(S_ISSOCK(sb.st_mode));
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* a live one is not */
	assert_int_equal(ctl_srv_new(&second, f->path, handler, f, err, sizeof(err)), -EADDRINUSE);
	assert_non_null(strstr(err, "another process answers on"));
	fd = client(f->path);
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_int_equal(read_all(srv, fd, buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "abcdef", 6);
	assert_string_equal(f->last, "status");
	close(fd);
	ctl_srv_free(srv);
	assert_int_equal(lstat(f->path, &sb), -1); /* removed on free */
}

/* A client that connects and never sends, next to one that does. */
static void test_silent_client(void **state)
{
	struct fx *f = *state;
	struct ctl_srv *srv = NULL;
	char err[512] = "", buf[64];

	assert_int_equal(ctl_srv_new(&srv, f->path, handler, f, err, sizeof(err)), 0);
	int silent = client(f->path);
	struct pollfd p = {ctl_srv_fd(srv), POLLIN, 0};
	assert_int_equal(poll(&p, 1, 1000), 1);
	dispatch_quickly(srv);
	dispatch_quickly(srv);
	assert_int_equal(f->calls, 0);

	int fd = client(f->path);
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_int_equal(read_all(srv, fd, buf, sizeof(buf)), 6);
	assert_int_equal(f->calls, 1);
	close(fd);

	/* the silent one is dropped at its deadline */
	uint64_t t0 = mono_ms();
	assert_true(pump_until_readable(srv, silent));
	assert_int_equal(recv(silent, buf, sizeof(buf), MSG_DONTWAIT), 0);
	assert_true(mono_ms() - t0 <= CTL_CONN_MS + 100);
	close(silent);
	ctl_srv_free(srv);
}

/* A client that sends its command and never reads a long answer. */
static void test_client_never_reads(void **state)
{
	struct fx *f = *state;
	struct ctl_srv *srv = NULL;
	char err[512] = "";
	static char buf[CTL_ANSWER_MAX + 16];

	f->answer_len = CTL_ANSWER_MAX;
	assert_int_equal(ctl_srv_new(&srv, f->path, handler, f, err, sizeof(err)), 0);
	int lazy = client(f->path);
	int small = 4096;
	assert_int_equal(setsockopt(lazy, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	assert_int_equal(send(lazy, "show\n", 5, 0), 5);
	uint64_t end = mono_ms() + 200;
	while (mono_ms() < end) {
		struct pollfd p = {ctl_srv_fd(srv), POLLIN, 0};
		if (poll(&p, 1, 20) == 1)
			dispatch_quickly(srv);
	}
	assert_int_equal(f->calls, 1);
	/* others are still served meanwhile */
	f->answer_len = 6;
	int fd = client(f->path);
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_int_equal(read_all(srv, fd, buf, sizeof(buf)), 6);
	close(fd);
	/* and the slow reader still gets all of its answer when it reads at last */
	assert_int_equal(read_all(srv, lazy, buf, sizeof(buf)), CTL_ANSWER_MAX);
	for (size_t i = 0; i < CTL_ANSWER_MAX; i++)
		if (buf[i] != (char)('a' + i % 26))
			fail_msg("byte %zu of the answer is wrong", i);
	close(lazy);
	ctl_srv_free(srv);
}

/* More silent clients than slots: the oldest give way, a real client is answered. */
static void test_too_many_clients(void **state)
{
	struct fx *f = *state;
	struct ctl_srv *srv = NULL;
	char err[512] = "", buf[64];
	int silent[CTL_MAX_CONNS + 4];

	assert_int_equal(ctl_srv_new(&srv, f->path, handler, f, err, sizeof(err)), 0);
	for (size_t i = 0; i < CTL_MAX_CONNS + 4; i++) {
		silent[i] = client(f->path);
		dispatch_quickly(srv);
	}
	int fd = client(f->path);
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_int_equal(read_all(srv, fd, buf, sizeof(buf)), 6);
	close(fd);
	/* the first ones were closed to make room */
	assert_int_equal(recv(silent[0], buf, sizeof(buf), MSG_DONTWAIT), 0);
	for (size_t i = 0; i < CTL_MAX_CONNS + 4; i++)
		close(silent[i]);
	ctl_srv_free(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_not_a_socket_left_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_and_live_socket, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_silent_client, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_never_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
