/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol (lib/ctlproto.c): what the parser accepts and how it refuses the rest,
 * the writer's escapes and bounds; and the sessions of lib/control.c that carry it: a kept
 * connection gets several answers and every broadcast event, a subscriber that never reads
 * is dropped without stalling the loop, and nobody else is disturbed by it.
 */
#define _GNU_SOURCE
#include <errno.h>
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
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/control.h"
#include "lib/ctlproto.h"
#include "lib/timer.h"

static struct ctlp_msg msg;

static int parse(const char *line, char *err, size_t errlen)
{
	return ctlp_parse(&msg, line, strlen(line), err, errlen);
}

static void test_parse_command(void **state)
{
	char err[256];
	size_t n;
	int64_t v;
	bool b;
	(void)state;
	assert_int_equal(parse(" {\"cmd\" : \"connect\", \"profile\":\"office\",\"version\":1,"
	                       "\"accept\":false,\"x\":null,\"nets\":[\"10.1.0.0/16\", \"a\"],"
	                       "\"pw\":\"p\\u00e4\\\"\\\\\\n\\/\",\"neg\":-42}\r\n",
	                       err, sizeof(err)),
	                 0);
	assert_string_equal(ctlp_str(&msg, "cmd"), "connect");
	assert_string_equal(ctlp_str(&msg, "profile"), "office");
	assert_true(ctlp_int(&msg, "version", &v));
	assert_int_equal(v, 1);
	assert_true(ctlp_int(&msg, "neg", &v));
	assert_int_equal(v, -42);
	assert_true(ctlp_bool(&msg, "accept", &b));
	assert_false(b);
	assert_int_equal(ctlp_get(&msg, "x")->type, CTLP_NULL);
	const char *const *it = ctlp_strs(&msg, "nets", &n);
	assert_int_equal(n, 2);
	assert_string_equal(it[0], "10.1.0.0/16");
	assert_string_equal(it[1], "a");
	assert_string_equal(ctlp_str(&msg, "pw"), "p\xc3\xa4\"\\\n/");
	/* wrong types and absent keys are not values */
	assert_null(ctlp_str(&msg, "version"));
	assert_false(ctlp_int(&msg, "cmd", &v));
	assert_null(ctlp_str(&msg, "missing"));
	/* the limits of int64 */
	assert_int_equal(
	    parse("{\"a\":9223372036854775807,\"b\":-9223372036854775808}", err, sizeof(err)), 0);
	assert_true(ctlp_int(&msg, "b", &v));
	assert_true(v == INT64_MIN);
}

static void test_parse_refusals(void **state)
{
	static const struct {
		const char *line, *says;
	} bad[] = {
	    {"", "byte 0: a message is one JSON object"},
	    {"[1]", "byte 0: a message is one JSON object"},
	    {"{\"a\":1", "byte 6: expected , or }"},
	    {"{\"a\":01}", "byte 6: a number with a leading zero"},
	    {"{\"a\":1.5}", "byte 6: only integers"},
	    {"{\"a\":9223372036854775808}", "out of range"},
	    {"{\"a\":{\"b\":1}}", "byte 5: nested objects"},
	    {"{\"a\":[1]}", "arrays hold strings only"},
	    {"{\"a\":1,\"a\":2}", "the key \"a\" is there twice"},
	    {"{\"A\":1}", "keys are of a-z, 0-9 and _"},
	    {"{\"\":1}", "an empty key"},
	    {"{\"a\":\"x\"} y", "byte 10: text after the end"},
	    {"{\"a\":\"unterminated", "the line ends inside a string"},
	    {"{\"a\":\"\\u0000\"}", "no NUL"},
	    {"{\"a\":\"\\ud800\"}", "no surrogates"},
	    {"{\"a\":\"\\q\"}", "unknown escape \\q"},
	    {"{\"a\":\"\x01\"}", "control byte 0x01"},
	    {"{\"a\":tru}", "expected a value"},
	    {"{\"abcdefghijklmnopqrstuvwxyz0123456\":1}", "a key longer than 31 bytes"},
	};
	char err[256];
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(bad[i].line, err, sizeof(err)), -EINVAL);
		if (!strstr(err, bad[i].says))
			fail_msg("case %zu '%s': wanted '%s' in '%s'", i, bad[i].line, bad[i].says,
			         err);
		assert_int_equal(msg.n, 0);
		assert_int_equal(msg.used, 0);
	}
	/* too many keys, too long a line */
	static char big[CTLP_LINE_MAX + 16];
	size_t n = 0;
	big[n++] = '{';
	for (int i = 0; i <= CTLP_MAX_FIELDS; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "%s\"k%d\":1", i ? "," : "", i);
	big[n++] = '}';
	big[n] = '\0';
	assert_int_equal(parse(big, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 48 keys"));
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(parse(big, err, sizeof(err)), -E2BIG);
}

static void test_wipe(void **state)
{
	char err[64];
	(void)state;
	assert_int_equal(parse("{\"password\":\"hunter2\"}", err, sizeof(err)), 0);
	const char *pw = ctlp_str(&msg, "password");
	size_t off = (size_t)(pw - msg.arena);
	ctlp_msg_wipe(&msg);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(msg.arena[off + i], 0);
	assert_null(ctlp_str(&msg, "password"));
}

static void test_writer(void **state)
{
	char buf[256], err[64];
	struct ctlp_wr w;
	(void)state;
	ctlp_wr_begin(&w, buf, sizeof(buf));
	ctlp_wr_str(&w, "event", "banner");
	ctlp_wr_str(&w, "text", "a\"b\\c\nd\te\x01");
	ctlp_wr_int(&w, "n", -3);
	ctlp_wr_uint(&w, "big", UINT64_MAX);
	ctlp_wr_bool(&w, "ok", true);
	ctlp_wr_strs_begin(&w, "nets");
	ctlp_wr_item(&w, "10.0.0.0/8");
	ctlp_wr_item(&w, "x");
	ctlp_wr_strs_end(&w);
	size_t n = ctlp_wr_end(&w);
	assert_string_equal(buf, "{\"event\":\"banner\",\"text\":\"a\\\"b\\\\c\\nd\\te\\u0001\","
	                         "\"n\":-3,\"big\":9223372036854775807,\"ok\":true,"
	                         "\"nets\":[\"10.0.0.0/8\",\"x\"]}\n");
	assert_int_equal(n, strlen(buf));
	assert_int_equal(ctlp_parse(&msg, buf, n, err, sizeof(err)), 0);
	assert_string_equal(ctlp_str(&msg, "text"), "a\"b\\c\nd\te\x01");
	/* what does not fit is no message at all, never a cut one */
	char small[16];
	ctlp_wr_begin(&w, small, sizeof(small));
	ctlp_wr_str(&w, "event", "a long event name");
	assert_int_equal(ctlp_wr_end(&w), 0);
	assert_string_equal(small, "");
}

/* ---- sessions on a real control socket ---- */

struct fx {
	char dir[64], path[128];
	struct ctl_srv *srv;
	unsigned calls;
	uint64_t ids[4]; /* the peer ids of the subscribes, in order */
	size_t n_ids;
};

static size_t handler(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct fx *f = ctx;
	f->calls++;
	if (strcmp(cmd, "{\"cmd\":\"subscribe\"}") == 0 && f->n_ids < 4)
		f->ids[f->n_ids++] = ctl_srv_peer_id(f->srv);
	if (strcmp(cmd, "{\"cmd\":\"subscribe\"}") == 0)
		return (size_t)snprintf(out, cap, "%s\n", ctl_srv_keep(f->srv) ? "full" : "kept");
	return (size_t)snprintf(out, cap, "answer %u to %s\n", f->calls, cmd);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-ctlp-XXXXXX");
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

static int client(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memcpy(a.sun_path, path, strlen(path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Serves until fd has want bytes (or closed), within 2 s; each dispatch at most 5 ms. */
static size_t pump_read(struct fx *f, int fd, char *buf, size_t want)
{
	size_t got = 0;
	uint64_t end = mono_ms() + 2000;
	while (got < want && mono_ms() < end) {
		struct pollfd p[2] = {{ctl_srv_fd(f->srv), POLLIN, 0}, {fd, POLLIN, 0}};
		poll(p, 2, 20);
		if (p[0].revents) {
			uint64_t t0 = mono_ms();
			ctl_srv_dispatch(f->srv);
			if (mono_ms() - t0 > 5)
				fail_msg("a dispatch blocked the loop");
		}
		if (p[1].revents) {
			ssize_t n = recv(fd, buf + got, want - got, MSG_DONTWAIT);
			if (n == 0)
				break;
			if (n > 0)
				got += (size_t)n;
		}
	}
	buf[got] = '\0';
	return got;
}

static void test_session(void **state)
{
	struct fx *f = *state;
	char buf[512];
	int fd = client(f->path);
	(void)state;
	/* two commands in one write: both answered in order, the connection stays */
	const char *cmds = "{\"cmd\":\"subscribe\"}\n{\"cmd\":\"status\"}\n";
	assert_int_equal(send(fd, cmds, strlen(cmds), 0), (ssize_t)strlen(cmds));
	const char *want = "kept\nanswer 2 to {\"cmd\":\"status\"}\n";
	assert_int_equal(pump_read(f, fd, buf, strlen(want)), strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(ctl_srv_kept(f->srv), 1);
	/* past the one-shot deadline, the session still gets events */
	uint64_t until = mono_ms() + CTL_CONN_MS + 200;
	while (mono_ms() < until) {
		struct pollfd p = {ctl_srv_fd(f->srv), POLLIN, 0};
		poll(&p, 1, 50);
		ctl_srv_dispatch(f->srv);
	}
	assert_int_equal(ctl_srv_broadcast(f->srv, "{\"event\":\"x\"}\n", 14), 1);
	assert_int_equal(pump_read(f, fd, buf, 14), 14);
	assert_string_equal(buf, "{\"event\":\"x\"}\n");
	/* a one-shot client alongside is answered and closed as before */
	int one = client(f->path);
	assert_int_equal(send(one, "status\n", 7, 0), 7);
	assert_true(pump_read(f, one, buf, sizeof(buf) - 1) > 0);
	assert_non_null(strstr(buf, "to status"));
	close(one);
	close(fd);
}

/* A line for one session reaches it alone (the owner's questions in evc daemon); a closed
 * session's id names nobody, not the next connection. */
static void test_send_to_one(void **state)
{
	struct fx *f = *state;
	char buf[128];
	const char *sub = "{\"cmd\":\"subscribe\"}\n";
	int a = client(f->path), b = client(f->path);
	long uid = -1;
	assert_int_equal(send(a, sub, strlen(sub), 0), (ssize_t)strlen(sub));
	assert_int_equal(pump_read(f, a, buf, 5), 5);
	assert_int_equal(send(b, sub, strlen(sub), 0), (ssize_t)strlen(sub));
	assert_int_equal(pump_read(f, b, buf, 5), 5);
	assert_int_equal(f->n_ids, 2);
	assert_true(f->ids[0] != 0 && f->ids[1] != 0 && f->ids[0] != f->ids[1]);
	assert_int_equal(ctl_srv_peer_id(f->srv), 0); /* outside a handler call */
	assert_true(ctl_srv_session(f->srv, f->ids[0], &uid));
	assert_int_equal(uid, (long)geteuid());
	assert_int_equal(ctl_srv_send(f->srv, f->ids[0], "{\"event\":\"prompt\"}\n", 19), 0);
	assert_int_equal(ctl_srv_broadcast(f->srv, "{\"event\":\"x\"}\n", 14), 2);
	assert_int_equal(pump_read(f, a, buf, 19 + 14), 19 + 14);
	assert_string_equal(buf, "{\"event\":\"prompt\"}\n{\"event\":\"x\"}\n");
	/* b's first line is the broadcast: the prompt never went its way */
	assert_int_equal(pump_read(f, b, buf, 14), 14);
	assert_string_equal(buf, "{\"event\":\"x\"}\n");
	close(a);
	uint64_t end = mono_ms() + 2000;
	while (ctl_srv_session(f->srv, f->ids[0], NULL) && mono_ms() < end) {
		struct pollfd p = {ctl_srv_fd(f->srv), POLLIN, 0};
		poll(&p, 1, 20);
		ctl_srv_dispatch(f->srv);
	}
	assert_false(ctl_srv_session(f->srv, f->ids[0], NULL));
	assert_int_equal(ctl_srv_send(f->srv, f->ids[0], "{}\n", 3), -ENOENT);
	int c = client(f->path);
	assert_int_equal(send(c, sub, strlen(sub), 0), (ssize_t)strlen(sub));
	assert_int_equal(pump_read(f, c, buf, 5), 5);
	assert_int_equal(f->n_ids, 3);
	assert_true(f->ids[2] != f->ids[0] && f->ids[2] != f->ids[1]);
	assert_int_equal(ctl_srv_send(f->srv, f->ids[0], "{}\n", 3), -ENOENT);
	close(b);
	close(c);
}

/* The caller's language after a text command, and what a language value may be. */
static void test_text_lang(void **state)
{
	char cmd[32], lang[CTLP_LANG_MAX];
	(void)state;
	assert_true(ctlp_text_cmd("status", cmd, sizeof(cmd), lang, sizeof(lang)));
	assert_string_equal(cmd, "status");
	assert_string_equal(lang, "");
	assert_true(
	    ctlp_text_cmd("status json lang=de_DE.UTF-8", cmd, sizeof(cmd), lang, sizeof(lang)));
	assert_string_equal(cmd, "status json");
	assert_string_equal(lang, "de_DE.UTF-8");
	assert_true(ctlp_text_cmd("disconnect lang=fr:es", cmd, sizeof(cmd), lang, sizeof(lang)));
	assert_string_equal(cmd, "disconnect");
	assert_string_equal(lang, "fr:es");
	/* not a language: the whole line stays, for the "unknown command" answer */
	assert_false(ctlp_text_cmd("status lang=../../x", cmd, sizeof(cmd), lang, sizeof(lang)));
	assert_string_equal(cmd, "status lang=../../x");
	assert_false(ctlp_text_cmd("status lang=", cmd, sizeof(cmd), lang, sizeof(lang)));
	assert_false(ctlp_text_cmd("status lang=de fr", cmd, sizeof(cmd), lang, sizeof(lang)));
	assert_false(ctlp_text_cmd("a very long command that does not fit", cmd, sizeof(cmd), lang,
	                           sizeof(lang)));
	assert_true(ctlp_lang_ok("de"));
	assert_true(ctlp_lang_ok("sr@latin"));
	assert_false(ctlp_lang_ok(""));
	assert_false(ctlp_lang_ok(NULL));
	assert_false(ctlp_lang_ok("-de"));
	assert_false(ctlp_lang_ok("de/../x"));
	assert_false(ctlp_lang_ok("de fr"));
	char big[CTLP_LANG_MAX + 1];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(ctlp_lang_ok(big));
	big[CTLP_LANG_MAX - 1] = '\0';
	assert_true(ctlp_lang_ok(big));
}

static void test_subscriber_that_never_reads(void **state)
{
	struct fx *f = *state;
	char buf[512], ev[1024];
	int lazy = client(f->path), good = client(f->path);
	assert_int_equal(send(lazy, "{\"cmd\":\"subscribe\"}\n", 20, 0), 20);
	assert_int_equal(send(good, "{\"cmd\":\"subscribe\"}\n", 20, 0), 20);
	assert_int_equal(pump_read(f, good, buf, 5), 5);
	assert_int_equal(ctl_srv_kept(f->srv), 2);
	memset(ev, 'e', sizeof(ev) - 1);
	ev[sizeof(ev) - 1] = '\n';
	/* the good one reads everything; the lazy one fills its queue and is dropped */
	size_t total = 0, rounds = (CTL_QUEUE_MAX + 64 * 1024) / sizeof(ev) + 8;
	for (size_t i = 0; i < rounds; i++) {
		uint64_t t0 = mono_ms();
		ctl_srv_broadcast(f->srv, ev, sizeof(ev));
		if (mono_ms() - t0 > 5)
			fail_msg("a broadcast blocked the loop");
		total += pump_read(f, good, buf, sizeof(buf) - 1);
		total += pump_read(f, good, buf, sizeof(buf) - 1);
	}
	assert_int_equal(ctl_srv_kept(f->srv), 1);
	while (total < rounds * sizeof(ev)) {
		size_t n = pump_read(f, good, buf, sizeof(buf) - 1);
		if (!n)
			break;
		total += n;
	}
	assert_int_equal(total, rounds * sizeof(ev));
	/* the lazy one finds its connection closed once it reads */
	char sink[4096];
	ssize_t r;
	while ((r = recv(lazy, sink, sizeof(sink), MSG_DONTWAIT)) > 0)
		;
	assert_int_equal(r, 0);
	close(lazy);
	close(good);
}

static void test_session_limit(void **state)
{
	struct fx *f = *state;
	char buf[64];
	int fds[CTL_MAX_KEPT + 1];
	for (size_t i = 0; i <= CTL_MAX_KEPT; i++) {
		fds[i] = client(f->path);
		assert_int_equal(send(fds[i], "{\"cmd\":\"subscribe\"}\n", 20, 0), 20);
		assert_int_equal(pump_read(f, fds[i], buf, 5), 5);
		assert_string_equal(buf, i < CTL_MAX_KEPT ? "kept\n" : "full\n");
	}
	assert_int_equal(ctl_srv_kept(f->srv), CTL_MAX_KEPT);
	for (size_t i = 0; i <= CTL_MAX_KEPT; i++)
		close(fds[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_command),
	    cmocka_unit_test(test_parse_refusals),
	    cmocka_unit_test(test_wipe),
	    cmocka_unit_test(test_writer),
	    cmocka_unit_test_setup_teardown(test_session, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_send_to_one, setup, teardown),
	    cmocka_unit_test(test_text_lang),
	    cmocka_unit_test_setup_teardown(test_subscriber_that_never_reads, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_session_limit, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
