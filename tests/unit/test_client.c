/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client/core/client: the handle `evc connect`, `evc daemon` and the control socket share.
 * Without privileges: what a client refuses, its status before and after it ran, answers
 * nobody asked for. Part "netns" (a network namespace of its own, so no gateway has a
 * route): an early setup failure fails over to the backup gateway, ends with the last
 * gateway's sentence, and closes no descriptor it did not open. An earlier session started
 * its control socket as fd 0 and closed standard input (and unlinked "") on exactly this path.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/core/client.h"
#include "unit_parts.h"

struct seen {
	int failovers, setup_done, setup_again, steps, logs;
	char why[1024], next[EVC_HOST_MAX];
};

static void on_log(void *ctx, enum ike_log_level lvl, const char *msg)
{
	(void)lvl;
	(void)msg;
	((struct seen *)ctx)->logs++;
}

static void on_step(void *ctx, enum ike_step step, const char *msg)
{
	(void)step;
	(void)msg;
	((struct seen *)ctx)->steps++;
}

static void on_failover(void *ctx, const char *why, const char *next)
{
	struct seen *s = ctx;
	s->failovers++;
	snprintf(s->why, sizeof(s->why), "%s", why);
	snprintf(s->next, sizeof(s->next), "%s", next);
}

static int on_setup_done(void *ctx, bool more, char *err, size_t errlen)
{
	(void)more;
	(void)err;
	(void)errlen;
	((struct seen *)ctx)->setup_done++;
	return 0;
}

static int on_setup_again(void *ctx, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	((struct seen *)ctx)->setup_again++;
	return 0;
}

static const struct evc_client_ops ops = {
    .log = on_log,
    .step = on_step,
    .failover = on_failover,
    .setup_done = on_setup_done,
    .setup_again = on_setup_again,
};

static void settings(struct evc_settings *s, const char *const *gateways)
{
	struct evc_overrides o;
	char err[256];
	evc_overrides_init(&o);
	o.gateway = gateways[0];
	o.group = "quizware";
	o.user = "richard";
	assert_int_equal(evc_settings_build(s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	for (size_t i = 1; gateways[i]; i++)
		snprintf(s->gateways[s->n_gateways++], EVC_HOST_MAX, "%s", gateways[i]);
	assert_int_equal(evc_settings_set_secret(s, EVC_SECRET_GROUP_KEY, "group-key"), 0);
	assert_int_equal(evc_settings_set_secret(s, EVC_SECRET_PASSWORD, "password"), 0);
	/* nothing of the host's: a state file and socket under /tmp if it ever got that far */
	snprintf(s->state_path, sizeof(s->state_path), "/tmp/test_client.%d.state", (int)getpid());
	snprintf(s->control_path, sizeof(s->control_path), "/tmp/test_client.%d.sock",
	         (int)getpid());
}

static void test_refuses_incomplete_settings(void **state)
{
	(void)state;
	static const char *const gw[] = {"198.51.100.1", NULL};
	struct evc_settings s;
	char err[256] = "";
	settings(&s, gw);
	ike_secret_clear(&s.group_key);
	assert_null(evc_client_new(&s, &ops, NULL, err, sizeof(err)));
	assert_string_equal(err, "no group key");
	s.n_gateways = 0;
	assert_null(evc_client_new(&s, &ops, NULL, err, sizeof(err)));
	assert_string_equal(err, "no gateway");
	evc_settings_clear(&s);
}

static void test_status_idle_and_stopped(void **state)
{
	(void)state;
	static const char *const gw[] = {"vpn.example.com", "198.51.100.7", NULL};
	struct evc_settings s;
	struct evc_client_status st;
	struct seen seen = {0};
	char err[256], text[2048];
	settings(&s, gw);
	struct evc_client *c = evc_client_new(&s, &ops, &seen, err, sizeof(err));
	assert_non_null(c);
	evc_settings_clear(&s); /* the client keeps its own copy */
	assert_true(evc_client_fd(c) >= 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_IDLE);
	assert_string_equal(st.gateway, "vpn.example.com");
	assert_int_equal(st.gateway_index, 0);
	assert_string_equal(st.group, "quizware");
	assert_string_equal(st.user, "richard");
	assert_int_equal(st.n_sas, 0);
	evc_client_status_text(&st, text, sizeof(text));
	assert_non_null(strstr(text, "state: idle\ngateway: vpn.example.com\ngroup: quizware\n"
	                             "user: richard\ninterface: \naddress: -\nmode: client\n"
	                             "sas: 0\n"));
	assert_null(strstr(text, "last-error"));
	/* nobody asked */
	assert_int_equal(evc_client_answer(c, NULL, "pw"), -EALREADY);
	assert_int_equal(evc_client_answer_banner(c, true), -EALREADY);
	assert_int_equal(evc_client_step(c), -EINVAL); /* not started */
	/* stopped before it started: a clean end, nothing opened */
	evc_client_stop(c);
	assert_int_equal(evc_client_step(c), 0);
	assert_int_equal(evc_client_run(c, -1), 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_DISCONNECTED);
	assert_int_equal(evc_client_start(c), -EALREADY);
	assert_int_equal(seen.setup_done + seen.failovers, 0);
	evc_client_free(c);
	evc_client_free(NULL);
}

static void test_status_text_bounded(void **state)
{
	(void)state;
	struct evc_client_status st = {.state = EVC_STATE_CONNECTED,
	                               .n_sas = 1,
	                               .udp_encap = true,
	                               .gateway_addr = 0xc6336401u,
	                               .addr = 0x0a62000au,
	                               .spi_in = 0x87d14b3au,
	                               .packets_in = 3};
	char text[4096], small[40];
	snprintf(st.last_error, sizeof(st.last_error), "step 4 (XAUTH): rejected");
	size_t n = evc_client_status_text(&st, text, sizeof(text));
	assert_int_equal(n, strlen(text));
	assert_non_null(strstr(text, "state: connected\ngateway: 198.51.100.1\n"));
	assert_non_null(strstr(text, "address: 10.98.0.10\n"));
	assert_non_null(strstr(text, "esp: udp-4500\nspi-in: 87d14b3a\n"));
	assert_non_null(strstr(text, "packets-in: 3\n"));
	assert_non_null(strstr(text, "last-error: step 4 (XAUTH): rejected\n"));
	n = evc_client_status_text(&st, small, sizeof(small));
	assert_int_equal(n, sizeof(small) - 1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* The open descriptors, as a string of their numbers and targets. */
static void fd_table(char *out, size_t cap)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t n = 0;
	assert_non_null(d);
	out[0] = '\0';
	while ((e = readdir(d))) {
		char path[300], target[256] = "";
		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		ssize_t k = readlink(path, target, sizeof(target) - 1);
		target[k > 0 ? k : 0] = '\0';
		n += (size_t)snprintf(out + n, cap - n, "%s->%s ", e->d_name, target);
		assert_true(n < cap);
	}
	closedir(d);
}

static void test_no_route_fails_over_and_closes_only_its_own(void **state)
{
	(void)state;
	static const char *const gw[] = {"203.0.113.1", "203.0.113.2", NULL};
	struct evc_settings s;
	struct evc_client_status st;
	struct seen seen = {0};
	char err[256], before[4096], after[4096];
	int p[2];
	/* standard input is a descriptor the client did not open: make it a real one */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	settings(&s, gw);
	struct evc_client *c = evc_client_new(&s, &ops, &seen, err, sizeof(err));
	assert_non_null(c);
	evc_settings_clear(&s);
	fd_table(before, sizeof(before));

	assert_int_equal(evc_client_start(c), -ENETUNREACH);
	assert_int_equal(evc_client_step(c), -ENETUNREACH); /* ended: the same result */
	assert_int_equal(evc_client_run(c, -1), -ENETUNREACH);
	assert_int_equal(seen.failovers, 1);
	assert_non_null(strstr(seen.why, "no route to the gateway 203.0.113.1"));
	assert_string_equal(seen.next, "203.0.113.2");
	assert_int_equal(seen.setup_again, 1);
	assert_int_equal(seen.setup_done, 0);
	assert_int_equal(seen.steps, 0);
	evc_client_status(c, &st);
	assert_int_equal(st.state, EVC_STATE_FAILED);
	assert_int_equal(st.error, -ENETUNREACH);
	assert_int_equal(st.gateway_index, 1);
	assert_string_equal(st.gateway, "203.0.113.2");
	assert_non_null(strstr(st.last_error, "step 1 (initiating): no route to the gateway "
	                                      "203.0.113.2"));

	fd_table(after, sizeof(after));
	assert_string_equal(before, after);
	assert_true(fcntl(STDIN_FILENO, F_GETFD) >= 0);
	assert_int_equal(write(p[1], "x", 1), 1); /* its read end is still open */
	evc_client_free(c);
	close(p[1]);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(test_refuses_incomplete_settings),
	    cmocka_unit_test(test_status_idle_and_stopped),
	    cmocka_unit_test(test_status_text_bounded),
	};
	const struct CMUnitTest netns[] = {
	    cmocka_unit_test(test_no_route_fails_over_and_closes_only_its_own),
	};
	const char *part = unit_part(argc, argv, "netns");
	if (!part)
		return unit_result(cmocka_run_group_tests(plain, NULL, NULL));
	/* a namespace with only a loopback that is down: every gateway lacks a route */
	if (unshare(CLONE_NEWNET) != 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0)
		return unit_skip(
		    "cannot create a network namespace (needs root or user namespaces)");
	return unit_result(cmocka_run_group_tests(netns, NULL, NULL));
}
