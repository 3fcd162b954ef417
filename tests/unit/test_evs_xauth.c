/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs's XAUTH verdicts (security issue, item 15): a back-off per user and per source address
 * after failed passwords, with a log line, reset by a success; driven with a fake clock on the
 * sample configuration (richard / richard-pw-1, natalie / natalie-pw-2, group quizware).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "server/core/config.h"
#include "server/core/sessions.h"
#include "server/core/state.h"
#include "server/core/xauth_judge.h"

#define SAMPLE EVC_SOURCE_DIR "/server/evs.conf"
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const uint8_t ic[8] = {1, 2, 3, 4, 5, 6, 7, 8}, rc[8] = {8, 7, 6, 5, 4, 3, 2, 1};

struct rig {
	struct evs_config *cfg;
	struct evs_state *st;
	struct evs_xauth *x;
	int warns;
	char last[400];
};

static void report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	(void)ctx;
	(void)sev;
	(void)line;
	print_message("%s\n", msg);
}

static void collect(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct rig *r = ctx;

	if (lvl <= IKE_LOG_WARN)
		r->warns++;
	snprintf(r->last, sizeof(r->last), "%s", msg);
}

static int setup(void **state)
{
	static struct rig r;

	memset(&r, 0, sizeof(r));
	r.cfg = evs_config_load(SAMPLE, report, NULL);
	assert_non_null(r.cfg);
	r.st = evs_state_new(r.cfg);
	assert_non_null(r.st);
	r.x = evs_xauth_new(r.st, evs_config_users_nocase(r.cfg), collect, &r);
	assert_non_null(r.x);
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	evs_xauth_free(r->x);
	evs_state_free(r->st);
	evs_config_free(r->cfg);
	return 0;
}

static bool try(struct rig *r, const char *user, const char *pw, uint32_t addr, uint64_t now)
{
	struct ike_endpoint p = {addr, 500};
	uint32_t id = 0;
	bool ok = evs_xauth_judge(r->x, "quizware", user, pw, &p, ic, rc, now, &id);

	if (ok) {
		assert_int_not_equal(id, 0);
		evs_sessions_remove(evs_state_sessions(r->st), id); /* max-logins stays out of it */
	}
	return ok;
}

/* The free failures, then waits that double: the right password is not even looked at while
 * the user must wait, and a clear line says so. */
static void test_user_backoff(void **state)
{
	struct rig *r = *state;
	uint64_t t = 1000000;
	uint32_t a = IP(198, 51, 100, 2), b = IP(203, 0, 113, 9);

	assert_true(try(r, "richard", "richard-pw-1", a, t));
	for (int i = 0; i < EVS_XAUTH_FREE_USER; i++)
		assert_false(try(r, "richard", "guess", a, t));
	/* the third failure started a wait of EVS_XAUTH_WAIT_FIRST_MS: from any address */
	assert_false(try(r, "richard", "richard-pw-1", b, t + 1));
	assert_non_null(strstr(r->last, "richard"));
	assert_non_null(strstr(r->last, "without checking"));
	/* another user is not affected */
	assert_true(try(r, "natalie", "natalie-pw-2", a, t + 1));
	/* after the wait a guess is checked again, fails, and the next wait is twice as long */
	t += EVS_XAUTH_WAIT_FIRST_MS;
	assert_false(try(r, "richard", "guess", a, t));
	assert_false(try(r, "richard", "richard-pw-1", a, t + 2 * EVS_XAUTH_WAIT_FIRST_MS - 1));
	t += 2 * EVS_XAUTH_WAIT_FIRST_MS;
	/* the right password after the wait: in, and everything is forgotten */
	assert_true(try(r, "richard", "richard-pw-1", a, t));
	for (int i = 0; i < EVS_XAUTH_FREE_USER - 1; i++)
		assert_false(try(r, "richard", "guess", a, t));
	assert_true(try(r, "richard", "richard-pw-1", a, t));
}

/* User names compare as the AAA compares them (case-insensitively in the sample). */
static void test_user_case(void **state)
{
	struct rig *r = *state;
	uint64_t t = 2000000;
	uint32_t a = IP(198, 51, 100, 2);

	for (int i = 0; i < EVS_XAUTH_FREE_USER; i++)
		assert_false(try(r, i % 2 ? "RICHARD" : "Richard", "guess", a + (uint32_t)i, t));
	assert_false(try(r, "richard", "richard-pw-1", IP(198, 51, 100, 99), t + 1));
}

/* The wait grows to its cap and no further; a long quiet time forgets the failures. */
static void test_wait_capped_and_forgotten(void **state)
{
	struct rig *r = *state;
	uint64_t t = 3000000;

	for (int i = 0; i < 40; i++) {
		assert_false(try(r, "natalie", "guess", IP(10, 0, 0, 1) + (uint32_t)i, t));
		t += EVS_XAUTH_WAIT_MAX_MS; /* always long enough */
	}
	assert_false(try(r, "natalie", "natalie-pw-2", IP(198, 51, 100, 2), t - 1));
	assert_true(try(r, "natalie", "natalie-pw-2", IP(198, 51, 100, 2), t));
	for (int i = 0; i < EVS_XAUTH_FREE_USER; i++)
		assert_false(try(r, "natalie", "guess", IP(10, 1, 0, 1), t));
	t += EVS_XAUTH_FORGET_MS + EVS_XAUTH_WAIT_MAX_MS;
	/* forgotten: free failures again */
	assert_false(try(r, "natalie", "guess", IP(10, 1, 0, 1), t));
	assert_true(try(r, "natalie", "natalie-pw-2", IP(10, 1, 0, 1), t));
}

/* One address guessing at many users: the address must wait too. */
static void test_address_backoff(void **state)
{
	struct rig *r = *state;
	uint64_t t = 4000000;
	uint32_t a = IP(203, 0, 113, 66);
	char user[32];

	for (int i = 0; i < EVS_XAUTH_FREE_ADDR; i++) {
		snprintf(user, sizeof(user), "nobody%d", i);
		assert_false(try(r, user, "guess", a, t));
	}
	/* a real password from that address waits as well; from elsewhere it does not */
	assert_false(try(r, "richard", "richard-pw-1", a, t + 1));
	assert_non_null(strstr(r->last, "203.0.113.66"));
	assert_true(try(r, "richard", "richard-pw-1", IP(198, 51, 100, 2), t + 1));
	assert_true(try(r, "richard", "richard-pw-1", a, t + EVS_XAUTH_WAIT_FIRST_MS));
}

/* Many users and addresses: the table stays bounded and keeps working. */
static void test_table_bounded(void **state)
{
	struct rig *r = *state;
	uint64_t t = 5000000;
	char user[32];

	for (uint32_t i = 0; i < 5000; i++) {
		snprintf(user, sizeof(user), "u%u", i);
		assert_false(try(r, user, "guess", IP(172, 16, 0, 0) + i, t));
	}
	assert_true(try(r, "richard", "richard-pw-1", IP(198, 51, 100, 2), t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_user_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_user_case, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wait_capped_and_forgotten, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_address_backoff, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_table_bounded, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
