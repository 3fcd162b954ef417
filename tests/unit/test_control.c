/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket (lib/control.c): what is at its path and is not a socket is never
 * deleted, no client (silent, never reading, or too many of them) can hold up the event loop
 * that serves it for more than a few milliseconds, and an answer of any length up to
 * CTL_ANSWER_CEIL arrives whole, made a part at a time as the client reads; one cut ends with
 * a line saying so.
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
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
	size_t long_len; /* > 0: the answer goes on in parts (ctl_srv_more) to this length */
	bool endless;    /* the parts never end */
	bool overflow;   /* the handler says its answer did not fit */
	size_t made;     /* bytes of the answer made so far */
	unsigned parts;  /* calls of more_part */
	unsigned freed;  /* calls of more_free */
	struct ctl_srv *srv;
};

/* The byte at offset i of every test answer. */
static char pat(size_t i)
{
	return (char)('a' + i % 26);
}

static size_t more_part(void *state, char *out, size_t cap, bool *done)
{
	struct fx *f = state;
	size_t n = f->endless || f->long_len - f->made > cap ? cap : f->long_len - f->made;
	static char run[CTL_ANSWER_MAX + 26]; /* the pattern from each phase: a quick copy */
	if (!run[0])
		for (size_t i = 0; i < sizeof(run); i++)
			run[i] = pat(i);
	f->parts++;
	memcpy(out, run + f->made % 26, n);
	f->made += n;
	*done = !f->endless && f->made == f->long_len;
	return n;
}

static void more_free(void *state)
{
	struct fx *f = state;
	f->freed++;
}

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
		out[i] = pat(i);
	if (f->overflow)
		return cap + 100; /* as snprintf says it: the answer was longer */
	if (f->long_len || f->endless) {
		f->made = n;
		assert_int_equal(ctl_srv_more(f->srv, more_part, f, more_free), 0);
		/* one continuation per answer */
		assert_int_equal(ctl_srv_more(f->srv, more_part, f, more_free), -EINVAL);
	}
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

static uint64_t cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static long waits(void)
{
	struct rusage ru;
	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_nvcsw;
}

/*
 * One dispatch, timed; fails the test when it took longer than STALL_MS, in work done or in
 * waiting for something (a voluntary context switch: a blocking call). Time the scheduler
 * gave to other processes on a busy machine (an involuntary switch) is not the loop's fault.
 */
static void dispatch_quickly(struct ctl_srv *srv)
{
	uint64_t t0 = mono_ms(), c0 = cpu_us();
	long w0 = waits();
	ctl_srv_dispatch(srv);
	uint64_t took = mono_ms() - t0, cpu = cpu_us() - c0;
	if (cpu > STALL_MS * 1000u || (took > STALL_MS && waits() != w0))
		fail_msg("ctl_srv_dispatch blocked the loop for %llu ms (%llu us of work)",
		         (unsigned long long)took, (unsigned long long)cpu);
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

/* An answer of 1 MiB, in parts: it arrives whole, no dispatch holding up the loop. */
static void test_long_answer_whole(void **state)
{
	struct fx *f = *state;
	char err[512] = "";
	size_t cap = 2u << 20;
	char *buf = malloc(cap);
	assert_non_null(buf);
	f->answer_len = 1000;
	f->long_len = 1u << 20;
	assert_int_equal(ctl_srv_new(&f->srv, f->path, handler, f, err, sizeof(err)), 0);
	/* outside a handler call there is nothing to go on with */
	assert_int_equal(ctl_srv_more(f->srv, more_part, f, more_free), -EINVAL);
	int fd = client(f->path);
	assert_int_equal(send(fd, "show big\n", 9, 0), 9);
	assert_int_equal(read_all(f->srv, fd, buf, cap), 1u << 20);
	for (size_t i = 0; i < 1u << 20; i++)
		if (buf[i] != pat(i))
			fail_msg("byte %zu of the answer is wrong", i);
	assert_int_equal(f->freed, 1);
	assert_true(f->parts >= (1u << 20) / CTL_ANSWER_MAX);
	close(fd);
	ctl_srv_free(f->srv);
	free(buf);
}

/* A client that asks for a long answer and never reads: a part waits for it, no more is made,
 * others are served, and it is dropped CTL_CONN_MS after it stopped, its state freed. */
static void test_long_answer_never_read(void **state)
{
	struct fx *f = *state;
	char err[512] = "", buf[64];
	f->long_len = 8u << 20;
	assert_int_equal(ctl_srv_new(&f->srv, f->path, handler, f, err, sizeof(err)), 0);
	int lazy = client(f->path);
	int small = 4096;
	assert_int_equal(setsockopt(lazy, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)), 0);
	assert_int_equal(send(lazy, "show big\n", 9, 0), 9);
	uint64_t t0 = mono_ms(), end = t0 + 300;
	while (mono_ms() < end) {
		struct pollfd p = {ctl_srv_fd(f->srv), POLLIN, 0};
		if (poll(&p, 1, 20) == 1)
			dispatch_quickly(f->srv);
	}
	assert_int_equal(f->calls, 1);
	assert_true(f->parts <= 1); /* the first part fills the buffers; nothing more is made */
	assert_true(f->made <= 2 * CTL_ANSWER_MAX);
	unsigned parts = f->parts;
	/* others are still served meanwhile */
	f->long_len = 0;
	int fd = client(f->path);
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_int_equal(read_all(f->srv, fd, buf, sizeof(buf)), 6);
	close(fd);
	/* dropped at its deadline, with its continuation freed and never called again */
	end = t0 + CTL_CONN_MS + 1000;
	while (mono_ms() < end && !f->freed) {
		struct pollfd p = {ctl_srv_fd(f->srv), POLLIN, 0};
		if (poll(&p, 1, 20) == 1)
			dispatch_quickly(f->srv);
	}
	assert_int_equal(f->freed, 1);
	assert_int_equal(f->parts, parts);
	assert_true(mono_ms() - t0 <= CTL_CONN_MS + 300);
	close(lazy);
	ctl_srv_free(f->srv);
}

/* An answer that never ends stops at CTL_ANSWER_CEIL with a line saying it was cut there. */
static void test_answer_ceiling(void **state)
{
	struct fx *f = *state;
	char err[512] = "";
	size_t cap = CTL_ANSWER_CEIL + 4096;
	char *buf = malloc(cap);
	assert_non_null(buf);
	f->endless = true;
	assert_int_equal(ctl_srv_new(&f->srv, f->path, handler, f, err, sizeof(err)), 0);
	int fd = client(f->path);
	assert_int_equal(send(fd, "show endless\n", 13, 0), 13);
	size_t got = read_all(f->srv, fd, buf, cap);
	static const char note[] = "\n% answer cut after 16777216 bytes: it reached the 16 MiB "
	                           "ceiling the control socket sends for one command\n";
	assert_int_equal(got, CTL_ANSWER_CEIL + sizeof(note) - 1);
	assert_memory_equal(buf + CTL_ANSWER_CEIL, note, sizeof(note) - 1);
	for (size_t i = 0; i < CTL_ANSWER_CEIL; i++)
		if (buf[i] != pat(i))
			fail_msg("byte %zu of the answer is wrong", i);
	assert_int_equal(f->freed, 1);
	close(fd);
	ctl_srv_free(f->srv);
	free(buf);
}

/* A handler whose answer did not fit: what fit is sent, then a line saying it was cut. */
static void test_overflow_said(void **state)
{
	struct fx *f = *state;
	char err[512] = "";
	static char buf[CTL_ANSWER_MAX + 1024];
	f->answer_len = CTL_ANSWER_MAX;
	f->overflow = true;
	assert_int_equal(ctl_srv_new(&f->srv, f->path, handler, f, err, sizeof(err)), 0);
	int fd = client(f->path);
	assert_int_equal(send(fd, "show\n", 5, 0), 5);
	size_t got = read_all(f->srv, fd, buf, sizeof(buf));
	buf[got] = 0;
	assert_true(got > CTL_ANSWER_MAX);
	assert_non_null(strstr(buf + CTL_ANSWER_MAX - 1, "\n% answer cut after 65535 bytes: a part "
	                                                 "of it did not fit"));
	assert_int_equal(buf[got - 1], '\n');
	close(fd);
	ctl_srv_free(f->srv);
}

/* `evs show ... | less` with the pager waiting: ctl_request takes the whole answer at once, so
 * the daemon's side is not held past CTL_CONN_MS and the answer is not cut. */
static void test_request_paused_reader(void **state)
{
	struct fx *f = *state;
	char err[512] = "";
	int p[2];
	size_t want = 1u << 20, got = 0;
	char *buf = malloc(want + 1);
	assert_non_null(buf);
	f->answer_len = 100;
	f->long_len = want;
	assert_int_equal(ctl_srv_new(&f->srv, f->path, handler, f, err, sizeof(err)), 0);
	assert_int_equal(pipe(p), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		FILE *out = fdopen(p[1], "w");
		char e[256];
		_exit(out && ctl_request(f->path, "show big", out, e, sizeof(e)) == 0 &&
		              fclose(out) == 0
		          ? 0
		          : 1);
	}
	close(p[1]);
	/* the pager reads nothing for longer than the daemon waits for a reader */
	uint64_t end = mono_ms() + CTL_CONN_MS + 500;
	while (mono_ms() < end) {
		struct pollfd pf = {ctl_srv_fd(f->srv), POLLIN, 0};
		if (poll(&pf, 1, 20) == 1)
			dispatch_quickly(f->srv);
	}
	assert_int_equal(f->freed, 1);
	for (ssize_t n; (n = read(p[0], buf + got, want + 1 - got)) > 0;)
		got += (size_t)n;
	close(p[0]);
	int status = -1;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(got, want);
	for (size_t i = 0; i < want; i++)
		if (buf[i] != pat(i))
			fail_msg("byte %zu of the answer is wrong", i);
	ctl_srv_free(f->srv);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_not_a_socket_left_alone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_and_live_socket, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_silent_client, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_client_never_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_many_clients, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_answer_whole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_answer_never_read, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_answer_ceiling, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overflow_said, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_request_paused_reader, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
