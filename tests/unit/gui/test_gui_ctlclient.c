/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's protocol client (gui/core/ctlclient.c) against a real control socket
 * (lib/control.c) in this process: what it sends (hello and subscribe first, then each
 * command as one line with its secrets), lines read whole however the bytes arrive, and the
 * sentences a user sees when there is no daemon or the daemon refuses.
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
#include <unistd.h>

#include <cmocka.h>

#include "gui/core/ctlclient.h"
#include "lib/control.h"
#include "lib/timer.h"

struct fx {
	char dir[64], path[128];
	struct ctl_srv *srv;
	char lines[8][512];
	size_t n;
};

static size_t handler(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct fx *f = ctx;
	if (f->n < 8)
		snprintf(f->lines[f->n++], sizeof(f->lines[0]), "%s", cmd);
	if (strstr(cmd, "\"hello\""))
		ctl_srv_keep(f->srv);
	/* an answer and an event in one write, the event split over two lines' worth */
	return (size_t)snprintf(
	    out, cap, "{\"reply\":\"x\",\"ok\":true}\n{\"event\":\"log\",\"text\":\"a\"}\n");
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-guic-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/d.sock", f->dir);
	if (ctl_srv_new(&f->srv, f->path, handler, f, err, sizeof(err)) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	ctl_srv_free(f->srv);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Serves the socket until the client has want messages (or 2 s passed). */
static size_t pump(struct fx *f, struct gui_conn *c, struct ctlp_msg *msgs, size_t want)
{
	size_t got = 0;
	char err[256];
	uint64_t end = mono_ms() + 2000;
	while (got < want && mono_ms() < end) {
		struct pollfd p[2] = {{ctl_srv_fd(f->srv), POLLIN, 0}, {gui_conn_fd(c), POLLIN, 0}};
		poll(p, 2, 20);
		if (p[0].revents)
			ctl_srv_dispatch(f->srv);
		int rc;
		while (got < want && (rc = gui_conn_read(c, &msgs[got], err, sizeof(err))) == 1)
			got++;
	}
	return got;
}

static void test_session(void **state)
{
	struct fx *f = *state;
	static struct ctlp_msg m[8];
	char err[256];
	struct gui_conn *c = gui_conn_open(f->path, err, sizeof(err));
	assert_non_null(c);
	/* hello, then subscribe: two answers and two events */
	assert_int_equal(pump(f, c, m, 4), 4);
	char hello[128];
	const char *lang = ctlp_caller_lang();
	snprintf(hello, sizeof(hello), "{\"cmd\":\"hello\",\"version\":%d%s%s%s}", CTLP_VERSION,
	         lang ? ",\"lang\":\"" : "", lang ? lang : "", lang ? "\"" : "");
	assert_string_equal(f->lines[0], hello);
	assert_string_equal(f->lines[1], "{\"cmd\":\"subscribe\"}");
	assert_string_equal(ctlp_str(&m[0], "reply"), "x");
	assert_string_equal(ctlp_str(&m[1], "event"), "log");
	/* a connect with secrets, as one line; fields left empty are left out */
	struct gui_connect a = {.profile = "office",
	                        .gateway = "198.51.100.1",
	                        .user = "",
	                        .password = "pw \"quoted\"",
	                        .group_key = "k"};
	assert_int_equal(gui_conn_connect(c, &a, err, sizeof(err)), 0);
	assert_int_equal(gui_conn_answer_banner(c, false, err, sizeof(err)), 0);
	assert_int_equal(gui_conn_answer_password(c, "richard", NULL, err, sizeof(err)), 0);
	assert_int_equal(gui_conn_disconnect(c, err, sizeof(err)), 0);
	assert_int_equal(pump(f, c, m, 8), 8);
	assert_string_equal(f->lines[2], "{\"cmd\":\"connect\",\"profile\":\"office\",\"gateway\":"
	                                 "\"198.51.100.1\",\"password\":\"pw \\\"quoted\\\"\","
	                                 "\"group_key\":\"k\"}");
	assert_string_equal(f->lines[3],
	                    "{\"cmd\":\"answer\",\"prompt\":\"banner\",\"accept\":false}");
	/* no password: the user gave up, and the daemon is told so by its absence */
	assert_string_equal(f->lines[4],
	                    "{\"cmd\":\"answer\",\"prompt\":\"password\",\"user\":\"richard\"}");
	assert_string_equal(f->lines[5], "{\"cmd\":\"disconnect\"}");
	gui_conn_free(c);
}

static void test_no_daemon(void **state)
{
	struct fx *f = *state;
	char err[512], path[160];
	snprintf(path, sizeof(path), "%s/none.sock", f->dir);
	assert_null(gui_conn_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "the evc daemon is not running"));
	assert_non_null(strstr(err, path));
}

static void test_daemon_gone(void **state)
{
	struct fx *f = *state;
	static struct ctlp_msg m[4];
	char err[256];
	struct gui_conn *c = gui_conn_open(f->path, err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(pump(f, c, m, 4), 4);
	ctl_srv_free(f->srv);
	f->srv = NULL;
	int rc;
	uint64_t end = mono_ms() + 2000;
	while ((rc = gui_conn_read(c, &m[0], err, sizeof(err))) == 0 && mono_ms() < end)
		poll(NULL, 0, 10);
	assert_int_equal(rc, -ECONNRESET);
	assert_non_null(strstr(err, "closed the control socket"));
	gui_conn_free(c);
	char e2[256];
	assert_int_equal(ctl_srv_new(&f->srv, f->path, handler, f, e2, sizeof(e2)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_daemon, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_daemon_gone, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
