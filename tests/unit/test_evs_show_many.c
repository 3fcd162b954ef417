/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The show commands of evs at scale, through its real control socket (lib/control.c): 2,000
 * clients log in through the in-memory network of test_evs_show.c, and `show crypto session
 * detail`, its JSON form, `show crypto ipsec sa` and the summaries arrive whole, megabytes of
 * them, made a part at a time without holding up the loop, where they used to be cut at
 * 64 KiB without a word.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/control.h"
#include "lib/timer.h"
#include "server/core/daemon.h"

#include "evs_net.h"

#define CLIENTS 2000
#define BATCH 100 /* clients started at once: within the half-open limit of evs */
/*
 * The bounds on a dispatch are relative to the same answer made at once, measured in this run
 * on this machine: an absolute figure fails under qemu-user (the arm64 ctest) or a loaded
 * sanitizer build while proving nothing more. In parts, no dispatch may do more than a
 * quarter of the whole (measured: a tenth, natively and under qemu); a summary, made whole,
 * no more than the detail made whole (its O(n^2) counting took 20 times that).
 */
#define PART_SHARE 4

struct many {
	struct evs_net *n;
	struct ctl_srv *srv;
	char dir[64], path[128];
	uint64_t worst_us; /* the longest dispatch, in work done */
	unsigned dispatches;
};

/* server/evs.conf with a pool and users for CLIENTS clients, written to path. */
static void write_conf(const char *path)
{
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fopen(path, "w");
	char line[512];
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		if (strncmp(line, "ip local pool quizware-pool ", 28) == 0)
			snprintf(line, sizeof(line),
			         "ip local pool quizware-pool 10.98.0.10 "
			         "10.98.15.250\n");
		fputs(line, out);
		if (strncmp(line, "username natalie", 16) == 0)
			for (unsigned i = 0; i < CLIENTS; i++)
				fprintf(out, "username u%u secret pw-%u\n", i, i);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static int setup(void **state)
{
	struct many *m = calloc(1, sizeof(*m));
	char conf[160];
	void *net = NULL;
	assert_non_null(m);
	snprintf(m->dir, sizeof(m->dir), "/tmp/evs-many-XXXXXX");
	assert_non_null(mkdtemp(m->dir));
	snprintf(conf, sizeof(conf), "%s/evs.conf", m->dir);
	snprintf(m->path, sizeof(m->path), "%s/evs.sock", m->dir);
	write_conf(conf);
	assert_int_equal(evs_net_setup_conf(&net, conf), 0);
	m->n = net;
	unlink(conf);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct many *m = *state;
	void *net = m->n;
	ctl_srv_free(m->srv);
	evs_net_teardown(&net);
	rmdir(m->dir);
	free(m);
	return 0;
}

static char *users[CLIENTS], *passwords[CLIENTS];

/* CLIENTS clients up, BATCH at a time. */
static void log_in_all(struct many *m)
{
	char s[32];
	for (unsigned i = 0; i < CLIENTS; i++) {
		snprintf(s, sizeof(s), "u%u", i);
		users[i] = strdup(s);
		snprintf(s, sizeof(s), "pw-%u", i);
		passwords[i] = strdup(s);
		evs_net_client_new(m->n, users[i], passwords[i]);
		if ((i + 1) % BATCH == 0)
			assert_true(evs_net_pump(m->n));
	}
	assert_true(evs_net_pump(m->n));
	for (unsigned i = 0; i < CLIENTS; i++)
		if (!m->n->cli[i].up)
			fail_msg("client %u is not up: %s", i, m->n->cli[i].why);
	assert_int_equal(evs_daemon_count(m->n->d), CLIENTS);
}

static uint64_t cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One command through the control socket, read as `evs show` reads it; the answer's length. */
static size_t ask(struct many *m, const char *cmd, char **answer)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t cap = 1u << 20, got = 0;
	char *buf = malloc(cap);
	assert_non_null(buf);
	assert_true(fd >= 0);
	memcpy(a.sun_path, m->path, strlen(m->path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(dprintf(fd, "%s\n", cmd), (int)strlen(cmd) + 1);
	uint64_t end = mono_ms() + 60000;
	for (;;) {
		struct pollfd p[2] = {{ctl_srv_fd(m->srv), POLLIN, 0}, {fd, POLLIN, 0}};
		assert_true(mono_ms() < end);
		poll(p, 2, 100);
		if (p[0].revents) {
			uint64_t c0 = cpu_us();
			ctl_srv_dispatch(m->srv);
			uint64_t took = cpu_us() - c0;
			m->dispatches++;
			if (took > m->worst_us)
				m->worst_us = took;
		}
		if (!p[1].revents)
			continue;
		if (cap - got < 65536) {
			buf = realloc(buf, cap *= 2);
			assert_non_null(buf);
		}
		ssize_t r = recv(fd, buf + got, cap - got - 1, MSG_DONTWAIT);
		if (r < 0 && errno == EAGAIN)
			continue;
		assert_true(r >= 0);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	*answer = buf;
	return got;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Whether python3's json module takes text as a list of want entries (or an object whose
 * peers list has them). */
static void json_parses(struct many *m, const char *text, size_t len, const char *expr,
                        unsigned want)
{
	char file[160], cmd[512];
	snprintf(file, sizeof(file), "%s/answer.json", m->dir);
	FILE *f = fopen(file, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	snprintf(cmd, sizeof(cmd),
	         "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
	         "sys.exit(0 if len(%s) == %u else 1)' '%s'",
	         expr, want, file);
	int rc = system(cmd);
	unlink(file);
	if (rc != 0)
		fail_msg("the JSON answer (%zu bytes) does not parse to %u entries", len, want);
}

static void test_show_2000_sessions(void **state)
{
	struct many *m = *state;
	char err[256], *out;
	log_in_all(m);

	/* all at once, as the unit tests ask without a control socket: what one turn of the
	 * loop would cost without the parts */
	size_t big = 16u << 20;
	char *whole = malloc(big);
	assert_non_null(whole);
	uint64_t c0 = cpu_us();
	size_t len_whole = evs_daemon_control(m->n->d, "show crypto session detail", whole, big);
	uint64_t whole_us = cpu_us() - c0;
	assert_true(len_whole < big);

	assert_int_equal(
	    ctl_srv_new(&m->srv, m->path, evs_daemon_control, m->n->d, err, sizeof(err)), 0);
	evs_daemon_set_control(m->n->d, m->srv);

	size_t len = ask(m, "show crypto session detail", &out);
	assert_true(len > CTL_ANSWER_MAX * 4);
	assert_int_equal(count(out, "Session status: UP-ACTIVE\n"), CLIENTS);
	assert_int_equal(count(out, "\nInterface: "), CLIENTS);
	assert_null(strstr(out, "% answer cut"));
	assert_true(strncmp(out, "Crypto session current status\n", 30) == 0);
	assert_int_equal(out[len - 1], '\n');
	/* the same text as made at once: nothing lost or doubled between parts */
	assert_int_equal(len, len_whole);
	assert_memory_equal(out, whole, len);
	fprintf(stderr,
	        "show crypto session detail, %u sessions: %zu bytes; at once %llu us of work, "
	        "in parts the longest dispatch %llu us of %u\n",
	        CLIENTS, len, (unsigned long long)whole_us, (unsigned long long)m->worst_us,
	        m->dispatches);
	if (m->worst_us > whole_us / PART_SHARE)
		fail_msg("a dispatch took %llu us of work, more than a %uth of the %llu us of the "
		         "whole answer",
		         (unsigned long long)m->worst_us, PART_SHARE, (unsigned long long)whole_us);
	free(out);
	free(whole);

	len = ask(m, "show crypto session detail --json", &out);
	json_parses(m, out, len, "d", CLIENTS);
	free(out);
	len = ask(m, "show crypto ipsec sa --json", &out);
	json_parses(m, out, len, "d[\"peers\"]", CLIENTS);
	free(out);
	len = ask(m, "show crypto ipsec sa", &out);
	assert_int_equal(count(out, "   current_peer "), CLIENTS);
	assert_null(strstr(out, "% answer cut"));
	free(out);
	len = ask(m, "show crypto isakmp sa detail --json", &out);
	json_parses(m, out, len, "d", CLIENTS);
	free(out);

	/* the summaries: made whole (and sent in parts past 64 KiB) */
	m->worst_us = 0;
	len = ask(m, "show crypto session summary", &out);
	assert_null(strstr(out, "% answer cut"));
	assert_int_equal(count(out, " (1)\n"), CLIENTS);
	assert_int_equal(count(out, "  u1999 (1)\n"), 1);
	free(out);
	len = ask(m, "show crypto session summary --json", &out);
	json_parses(m, out, len, "d[0][\"users\"]", CLIENTS);
	free(out);
	fprintf(stderr, "session summaries: the longest dispatch %llu us of work\n",
	        (unsigned long long)m->worst_us);
	if (m->worst_us > whole_us)
		fail_msg(
		    "a summary dispatch took %llu us of work, more than the %llu us of the whole "
		    "detail",
		    (unsigned long long)m->worst_us, (unsigned long long)whole_us);
	for (unsigned i = 0; i < CLIENTS; i++) {
		free(users[i]);
		free(passwords[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_show_2000_sessions, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
