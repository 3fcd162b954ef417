/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs run-time state: address pools (allocation, exhaustion, sticky reuse), local AAA
 * (passwords, max-users, max-logins), the engine callbacks, the session table and the
 * `show crypto session` output of the chapter's Examples 20-2 and 20-3, byte for byte.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/secret.h"
#include "server/core/config.h"
#include "server/core/pool.h"
#include "server/core/sessions.h"
#include "server/core/state.h"

#define SAMPLE EVC_SOURCE_DIR "/server/evs.conf"
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const uint8_t cky_a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t cky_b[8] = {8, 7, 6, 5, 4, 3, 2, 1};

static void fail_report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	(void)ctx;
	(void)line;
	print_message("%s\n", msg);
}

static struct evs_config *load_sample(void)
{
	struct evs_config *c = evs_config_load(SAMPLE, fail_report, NULL);

	assert_non_null(c);
	return c;
}

/* The sample's AAA with two groups, limits and a three-address pool. */
static const char limits_conf[] = "aaa new-model\n"
                                  "aaa authentication login vpn-users local\n"
                                  "aaa authorization network quizware local\n"
                                  "username richard secret richard-pw-1\n"
                                  "username natalie secret natalie-pw-2\n"
                                  "username oscar secret oscar-pw-3\n"
                                  "ip local pool small 10.98.0.1 10.98.0.3\n"
                                  "ip local pool other 10.97.0.1 10.97.0.9\n"
                                  "crypto isakmp client configuration group quizware max-users 2 "
                                  "max-logins 1\n"
                                  " key groupsecret\n"
                                  " pool small\n"
                                  "crypto isakmp client configuration group hardware\n"
                                  " key hwsecret\n"
                                  " pool small\n"
                                  " save-password\n"
                                  "crypto isakmp client configuration group nopool\n"
                                  " key npsecret\n"
                                  "crypto isakmp policy 10\n"
                                  " encryption aes 256\n"
                                  " authentication pre-share\n"
                                  " group 2\n"
                                  "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
                                  "crypto dynamic-map D 10\n"
                                  " set transform-set T\n"
                                  "crypto map M client authentication list vpn-users\n"
                                  "crypto map M isakmp authorization list quizware\n"
                                  "crypto map M client configuration address respond\n"
                                  "crypto map M 10 ipsec-isakmp dynamic D\n"
                                  "interface eth0\n"
                                  " ip address 198.51.100.1 255.255.255.0\n"
                                  " crypto map M\n";

static struct evs_config *load_limits(void)
{
	struct evs_config *c =
	    evs_config_parse("limits.conf", limits_conf, strlen(limits_conf), fail_report, NULL);

	assert_non_null(c);
	return c;
}

/* ---- Pools ---- */

static void pool_allocation_and_exhaustion(void **state)
{
	struct evs_pool *p = evs_pool_new(IP(10, 0, 0, 1), IP(10, 0, 0, 3));
	uint32_t a, b, c, d;

	(void)state;
	assert_non_null(p);
	assert_int_equal(evs_pool_size(p), 3);
	assert_int_equal(evs_pool_alloc(p, "a", &a), 0);
	assert_int_equal(evs_pool_alloc(p, "b", &b), 0);
	assert_int_equal(evs_pool_alloc(p, "c", &c), 0);
	assert_int_equal(a, IP(10, 0, 0, 1));
	assert_int_equal(b, IP(10, 0, 0, 2));
	assert_int_equal(c, IP(10, 0, 0, 3));
	assert_int_equal(evs_pool_in_use(p), 3);
	assert_int_equal(evs_pool_alloc(p, "d", &d), -ENOSPC);
	/* the only free address goes to whoever asks */
	assert_int_equal(evs_pool_release(p, b), 0);
	assert_int_equal(evs_pool_alloc(p, "d", &d), 0);
	assert_int_equal(d, IP(10, 0, 0, 2));
	/* bad releases */
	assert_int_equal(evs_pool_release(p, IP(10, 0, 0, 4)), -ENOENT);
	assert_int_equal(evs_pool_release(p, IP(10, 0, 0, 0)), -ENOENT);
	assert_int_equal(evs_pool_release(p, a), 0);
	assert_int_equal(evs_pool_release(p, a), -ENOENT); /* twice */
	assert_true(evs_pool_contains(p, IP(10, 0, 0, 3)));
	assert_false(evs_pool_contains(p, IP(10, 0, 0, 4)));
	evs_pool_free(p);
	evs_pool_free(NULL);
}

static void pool_reuse_for_returning_user(void **state)
{
	struct evs_pool *p = evs_pool_new(IP(10, 0, 0, 1), IP(10, 0, 0, 4));
	uint32_t r, n, o, x;

	(void)state;
	assert_int_equal(evs_pool_alloc(p, "richard", &r), 0);
	assert_int_equal(evs_pool_alloc(p, "natalie", &n), 0);
	assert_int_equal(evs_pool_release(p, r), 0);
	/* a new user gets a never-used address, not richard's */
	assert_int_equal(evs_pool_alloc(p, "oscar", &o), 0);
	assert_int_equal(o, IP(10, 0, 0, 3));
	/* richard comes back to his address */
	assert_int_equal(evs_pool_alloc(p, "richard", &x), 0);
	assert_int_equal(x, r);
	/* everyone leaves; with every address used once, the one released longest ago is
	 * handed to a newcomer, keeping the recent ones for their owners */
	assert_int_equal(evs_pool_alloc(p, "anon", &x), 0);
	assert_int_equal(x, IP(10, 0, 0, 4));
	assert_int_equal(evs_pool_release(p, IP(10, 0, 0, 2)), 0); /* natalie, first */
	assert_int_equal(evs_pool_release(p, IP(10, 0, 0, 1)), 0); /* richard */
	assert_int_equal(evs_pool_release(p, IP(10, 0, 0, 3)), 0); /* oscar */
	assert_int_equal(evs_pool_alloc(p, "zoe", &x), 0);
	assert_int_equal(x, IP(10, 0, 0, 2));
	assert_int_equal(evs_pool_alloc(p, "oscar", &x), 0);
	assert_int_equal(x, IP(10, 0, 0, 3));
	/* an anonymous taker ends the previous owner's claim */
	assert_int_equal(evs_pool_alloc(p, NULL, &x), 0);
	assert_int_equal(x, IP(10, 0, 0, 1));
	assert_int_equal(evs_pool_release(p, x), 0);
	assert_int_equal(evs_pool_release(p, IP(10, 0, 0, 4)), 0);
	assert_int_equal(evs_pool_alloc(p, "richard", &x), 0);
	assert_int_equal(x, IP(10, 0, 0, 1)); /* oldest release, not "his" any more */
	evs_pool_free(p);
}

static void pool_bounds(void **state)
{
	struct evs_pool *p;
	uint32_t a;

	(void)state;
	assert_null(evs_pool_new(IP(10, 0, 0, 2), IP(10, 0, 0, 1)));
	assert_null(evs_pool_new(IP(10, 0, 0, 0), IP(10, 1, 0, 0)));
	p = evs_pool_new(IP(10, 0, 0, 0), IP(10, 0, 255, 255));
	assert_non_null(p);
	assert_int_equal(evs_pool_size(p), 65536);
	evs_pool_free(p);
	p = evs_pool_new(0xffffffffu, 0xffffffffu);
	assert_non_null(p);
	assert_int_equal(evs_pool_alloc(p, "x", &a), 0);
	assert_int_equal(a, 0xffffffffu);
	assert_int_equal(evs_pool_alloc(p, "y", &a), -ENOSPC);
	evs_pool_free(p);
}

/* ---- AAA ---- */

static void aaa_passwords(void **state)
{
	struct evs_config *c = load_sample();
	struct evs_state *st = evs_state_new(c);

	(void)state;
	assert_non_null(st);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "richard-pw-1"), EVS_AAA_OK);
	assert_int_equal(evs_aaa_check(st, "quizware", "natalie", "natalie-pw-2"), EVS_AAA_OK);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "natalie-pw-2"),
	                 EVS_AAA_BAD_CREDENTIALS);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", ""), EVS_AAA_BAD_CREDENTIALS);
	assert_int_equal(evs_aaa_check(st, "quizware", "mallory", "richard-pw-1"),
	                 EVS_AAA_BAD_CREDENTIALS);
	assert_int_equal(evs_aaa_check(st, "quizware", "", ""), EVS_AAA_BAD_CREDENTIALS);
	assert_int_equal(evs_aaa_check(st, "Quizware", "richard", "richard-pw-1"),
	                 EVS_AAA_UNKNOWN_GROUP);
	/* `local`: user names are case-insensitive, passwords are not */
	assert_int_equal(evs_aaa_check(st, "quizware", "RICHARD", "richard-pw-1"), EVS_AAA_OK);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "RICHARD-PW-1"),
	                 EVS_AAA_BAD_CREDENTIALS);
	assert_string_equal(evs_aaa_verdict_str(EVS_AAA_BAD_CREDENTIALS),
	                    "unknown user or wrong password");
	evs_state_free(st);
	evs_state_free(NULL);
	evs_config_free(c);
}

static uint32_t login(struct evs_state *st, const char *group, const char *user)
{
	struct ike_endpoint peer = {IP(203, 0, 113, 7), 500};
	uint32_t id = 0;

	assert_int_equal(
	    evs_sessions_add(evs_state_sessions(st), group, user, &peer, cky_a, cky_b, 1000, &id),
	    0);
	return id;
}

static void aaa_max_logins_and_max_users(void **state)
{
	struct evs_config *c = load_limits();
	struct evs_state *st = evs_state_new(c);
	uint32_t r, n;

	(void)state;
	/* max-logins 1: richard's second login is refused, natalie is not affected */
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "richard-pw-1"), EVS_AAA_OK);
	r = login(st, "quizware", "richard");
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "richard-pw-1"),
	                 EVS_AAA_MAX_LOGINS);
	assert_int_equal(evs_aaa_check(st, "quizware", "Richard", "richard-pw-1"),
	                 EVS_AAA_MAX_LOGINS);
	/* the limits are not disclosed to a wrong password */
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "guess"),
	                 EVS_AAA_BAD_CREDENTIALS);
	assert_int_equal(evs_aaa_check(st, "quizware", "natalie", "natalie-pw-2"), EVS_AAA_OK);
	n = login(st, "quizware", "natalie");
	/* max-users 2: a third user is refused */
	assert_int_equal(evs_aaa_check(st, "quizware", "oscar", "oscar-pw-3"), EVS_AAA_MAX_USERS);
	/* other groups have their own counts and no limits */
	assert_int_equal(evs_aaa_check(st, "hardware", "richard", "richard-pw-1"), EVS_AAA_OK);
	login(st, "hardware", "richard");
	assert_int_equal(evs_aaa_check(st, "hardware", "richard", "richard-pw-1"), EVS_AAA_OK);
	/* a logout frees the slot */
	assert_int_equal(evs_sessions_remove(evs_state_sessions(st), n), 0);
	assert_int_equal(evs_aaa_check(st, "quizware", "oscar", "oscar-pw-3"), EVS_AAA_OK);
	assert_int_equal(evs_sessions_remove(evs_state_sessions(st), r), 0);
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "richard-pw-1"), EVS_AAA_OK);
	evs_state_free(st);
	evs_config_free(c);
}

/* ---- The engine callbacks ---- */

static void ops_psk_and_policy(void **state)
{
	struct evs_config *c = load_sample();
	struct evs_state *st = evs_state_new(c);
	const struct ike_server_ops *ops = evs_server_ops(st);
	struct secret psk = {0};
	struct evc_policy pr, pn, px;

	(void)state;
	assert_ptr_equal(ops->ctx, st);
	assert_int_equal(ops->group_psk(ops->ctx, "quizware", &psk), 0);
	assert_int_equal(psk.len, 11);
	assert_memory_equal(psk.p, "groupsecret", 11);
	secret_clear(&psk);
	assert_int_equal(ops->group_psk(ops->ctx, "nogroup", &psk), -ENOENT);
	assert_null(psk.p);

	assert_int_equal(ops->assign_policy(ops->ctx, "quizware", "richard", &pr), 0);
	assert_int_equal(pr.addr, IP(10, 98, 0, 10));
	assert_int_equal(pr.netmask, 0xffffffffu);
	assert_true(pr.have & EVC_HAVE_ADDR);
	assert_int_equal(pr.n_dns, 1);
	assert_int_equal(pr.dns[0], IP(10, 99, 0, 53));
	assert_string_equal(pr.domain, "quizware.com");
	assert_int_equal(pr.n_split_include, 1);
	assert_int_equal(pr.split_include[0].addr, IP(10, 99, 0, 0));
	assert_int_equal(pr.split_include[0].mask, IP(255, 255, 255, 0));
	assert_int_equal(ops->assign_policy(ops->ctx, "quizware", "natalie", &pn), 0);
	assert_int_equal(pn.addr, IP(10, 98, 0, 11));
	assert_int_equal(ops->assign_policy(ops->ctx, "nogroup", "natalie", &px), -ENOENT);
	assert_int_equal(evs_pool_in_use(evs_state_pool(st, 0)), 2);

	/* richard reconnects (as "Richard": `local` is case-insensitive) and gets .10 back */
	ops->release_policy(ops->ctx, "quizware", "richard", &pr);
	assert_int_equal(evs_pool_in_use(evs_state_pool(st, 0)), 1);
	assert_int_equal(ops->assign_policy(ops->ctx, "quizware", "Richard", &px), 0);
	assert_int_equal(px.addr, IP(10, 98, 0, 10));
	ops->release_policy(ops->ctx, "quizware", "richard", &px);
	ops->release_policy(ops->ctx, "quizware", "natalie", &pn);
	assert_int_equal(evs_pool_in_use(evs_state_pool(st, 0)), 0);
	assert_null(evs_state_pool(st, 1));
	evs_state_free(st);
	evs_config_free(c);
}

static void ops_pool_exhaustion(void **state)
{
	struct evs_config *c = load_limits();
	struct evs_state *st = evs_state_new(c);
	const struct ike_server_ops *ops = evs_server_ops(st);
	struct evc_policy p[4];

	(void)state;
	/* two groups share the three-address pool "small" */
	assert_int_equal(ops->assign_policy(ops->ctx, "quizware", "richard", &p[0]), 0);
	assert_int_equal(ops->assign_policy(ops->ctx, "hardware", "natalie", &p[1]), 0);
	assert_true(p[1].save_passwd);
	assert_int_equal(ops->assign_policy(ops->ctx, "hardware", "oscar", &p[2]), 0);
	assert_int_equal(p[2].addr, IP(10, 98, 0, 3));
	assert_int_equal(ops->assign_policy(ops->ctx, "quizware", "zoe", &p[3]), -ENOSPC);
	assert_false(p[3].have & EVC_HAVE_ADDR);
	/* a group without a pool gets its policy and no address */
	assert_int_equal(ops->assign_policy(ops->ctx, "nopool", "zoe", &p[3]), 0);
	assert_false(p[3].have & EVC_HAVE_ADDR);
	ops->release_policy(ops->ctx, "nopool", "zoe", &p[3]); /* nothing to give back */
	ops->release_policy(ops->ctx, "hardware", "natalie", &p[1]);
	assert_int_equal(ops->assign_policy(ops->ctx, "quizware", "zoe", &p[3]), 0);
	assert_int_equal(p[3].addr, IP(10, 98, 0, 2));
	evs_state_free(st);
	evs_config_free(c);
}

/* ---- Session table ---- */

static void sessions_add_remove_lookup(void **state)
{
	struct evs_sessions *s = evs_sessions_new();
	struct ike_endpoint peer = {IP(203, 0, 113, 9), 4500};
	uint32_t a, b, c;
	struct evs_session *e;
	char longname[EVS_SESSION_NAME_MAX + 2];

	(void)state;
	assert_int_equal(evs_sessions_add(s, "quizware", "richard", &peer, cky_a, cky_b, 5000, &a),
	                 0);
	assert_int_equal(evs_sessions_add(s, "quizware", "natalie", NULL, cky_b, cky_a, 6000, &b),
	                 0);
	assert_int_equal(evs_sessions_add(s, "quizware", "oscar", NULL, NULL, NULL, 7000, &c), 0);
	assert_true(a != 0 && a != b && b != c);
	assert_int_equal(evs_sessions_count(s), 3);
	e = evs_sessions_get(s, a);
	assert_non_null(e);
	assert_string_equal(e->group, "quizware");
	assert_string_equal(e->user, "richard");
	assert_int_equal(e->peer.addr, IP(203, 0, 113, 9));
	assert_int_equal(e->peer.port, 4500);
	assert_int_equal(e->start_ms, 5000);
	assert_int_equal(e->assigned, 0);
	e->assigned = IP(10, 98, 0, 10);
	e->bytes_in += 1500;
	assert_int_equal(evs_sessions_get(s, a)->bytes_in, 1500);
	assert_ptr_equal(evs_sessions_find_cookies(s, cky_b, cky_a), evs_sessions_get(s, b));
	assert_null(evs_sessions_find_cookies(s, cky_a, cky_a));
	assert_int_equal(evs_sessions_remove(s, b), 0);
	assert_int_equal(evs_sessions_remove(s, b), -ENOENT);
	assert_null(evs_sessions_get(s, b));
	/* login order is kept */
	assert_int_equal(evs_sessions_count(s), 2);
	assert_string_equal(evs_sessions_at(s, 0)->user, "richard");
	assert_string_equal(evs_sessions_at(s, 1)->user, "oscar");
	assert_null(evs_sessions_at(s, 2));
	assert_int_equal(evs_sessions_group_count(s, "quizware"), 2);
	assert_int_equal(evs_sessions_user_count(s, "quizware", "RICHARD", true), 1);
	assert_int_equal(evs_sessions_user_count(s, "quizware", "RICHARD", false), 0);
	/* names must fit the record */
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(evs_sessions_add(s, longname, "u", NULL, NULL, NULL, 0, &c), -EINVAL);
	assert_int_equal(evs_sessions_add(s, "g", "", NULL, NULL, NULL, 0, &c), -EINVAL);
	longname[EVS_SESSION_NAME_MAX] = '\0';
	assert_int_equal(evs_sessions_add(s, longname, "u", NULL, NULL, NULL, 0, &c), 0);
	evs_sessions_free(s);
	evs_sessions_free(NULL);
}

/* ---- show crypto session: the chapter's examples ---- */

/* 5,000 logins (max-users' ceiling), every third logging out, in and out of order: each
 * remaining one is found by its id, the removed ones are not, login order is kept */
static void sessions_many(void **state)
{
	struct evs_sessions *s = evs_sessions_new();
	static uint32_t id[5000];
	char user[32];
	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < 5000; i++) {
		snprintf(user, sizeof(user), "u%zu", i);
		assert_int_equal(evs_sessions_add(s, "quizware", user, NULL, NULL, NULL, i, &id[i]),
		                 0);
	}
	for (size_t i = 0; i < 5000; i += 3)
		assert_int_equal(evs_sessions_remove(s, id[4999 - i]), 0);
	assert_int_equal(evs_sessions_remove(s, id[4999]), -ENOENT);
	for (size_t i = 0; i < 5000; i++) {
		const struct evs_session *e = evs_sessions_get(s, id[i]);
		if ((4999 - i) % 3 == 0) {
			assert_null(e);
			continue;
		}
		assert_non_null(e);
		snprintf(user, sizeof(user), "u%zu", i);
		assert_string_equal(e->user, user);
	}
	uint32_t prev = 0;
	for (size_t i = 0; i < evs_sessions_count(s); i++) {
		assert_true(evs_sessions_at(s, i)->id > prev);
		prev = evs_sessions_at(s, i)->id;
	}
	assert_int_equal(evs_sessions_group_count(s, "quizware"), 5000 - 1667);
	/* a new login gets a fresh id and is found too */
	uint32_t nid;
	assert_int_equal(evs_sessions_add(s, "quizware", "late", NULL, NULL, NULL, 1, &nid), 0);
	assert_string_equal(evs_sessions_get(s, nid)->user, "late");
	evs_sessions_free(s);
}

static void show_chapter_examples(void **state)
{
	struct evs_config *c = load_sample();
	struct evs_state *st = evs_state_new(c);
	struct evs_sessions *s = evs_state_sessions(st);
	char buf[1024];
	size_t n;

	(void)state;
	assert_int_equal(evs_aaa_check(st, "quizware", "richard", "richard-pw-1"), EVS_AAA_OK);
	login(st, "quizware", "richard");
	assert_int_equal(evs_aaa_check(st, "quizware", "natalie", "natalie-pw-2"), EVS_AAA_OK);
	login(st, "quizware", "natalie");

	/* Example 20-3 */
	n = evs_show_session_summary(s, c, buf, sizeof(buf));
	assert_string_equal(buf, " Group quizware has 2 connections\n"
	                         "  User (Logins)\n"
	                         "  richard (1)\n"
	                         "  natalie (1)\n");
	assert_int_equal(n, strlen(buf));
	/* Example 20-2 */
	n = evs_show_session_group(s, c, buf, sizeof(buf));
	assert_string_equal(buf, " Group:    Connections\n"
	                         " quizware: 2\n");
	assert_int_equal(n, strlen(buf));
	evs_state_free(st);
	evs_config_free(c);
}

static void show_counts_orders_and_idle_groups(void **state)
{
	struct evs_config *c = load_limits();
	struct evs_state *st = evs_state_new(c);
	struct evs_sessions *s = evs_state_sessions(st);
	char buf[1024];
	uint32_t first;

	(void)state;
	/* nobody connected: the summary lists every configured group ("each of the groups
	 * defined on the EVS"); the group view lists only active groups (none) */
	evs_show_session_summary(s, c, buf, sizeof(buf));
	assert_string_equal(buf, " Group quizware has 0 connections\n"
	                         " Group hardware has 0 connections\n"
	                         " Group nopool has 0 connections\n");
	evs_show_session_group(s, c, buf, sizeof(buf));
	assert_string_equal(buf, " Group:    Connections\n");

	/* hardware logs in first, but groups follow the configuration order; users follow
	 * their first login and count every login */
	first = login(st, "hardware", "oscar");
	login(st, "quizware", "natalie");
	login(st, "hardware", "richard");
	login(st, "hardware", "Oscar");
	login(st, "hardware", "richard");
	login(st, "retired", "zoe"); /* a group no longer in the configuration */
	evs_show_session_summary(s, c, buf, sizeof(buf));
	assert_string_equal(buf, " Group quizware has 1 connections\n"
	                         "  User (Logins)\n"
	                         "  natalie (1)\n"
	                         " Group hardware has 4 connections\n"
	                         "  User (Logins)\n"
	                         "  oscar (2)\n"
	                         "  richard (2)\n"
	                         " Group nopool has 0 connections\n"
	                         " Group retired has 1 connections\n"
	                         "  User (Logins)\n"
	                         "  zoe (1)\n");
	evs_show_session_group(s, c, buf, sizeof(buf));
	assert_string_equal(buf, " Group:    Connections\n"
	                         " quizware: 1\n"
	                         " hardware: 4\n"
	                         " retired: 1\n");
	/* oscar's first session ends: richard is now the earliest login of the group */
	assert_int_equal(evs_sessions_remove(s, first), 0);
	evs_show_session_summary(s, c, buf, sizeof(buf));
	assert_non_null(strstr(buf, " Group hardware has 3 connections\n"
	                            "  User (Logins)\n"
	                            "  richard (2)\n"
	                            "  Oscar (1)\n"));
	evs_state_free(st);
	evs_config_free(c);
}

static void show_truncates_like_snprintf(void **state)
{
	struct evs_config *c = load_sample();
	struct evs_state *st = evs_state_new(c);
	struct evs_sessions *s = evs_state_sessions(st);
	char buf[16];
	size_t n;

	(void)state;
	login(st, "quizware", "richard");
	n = evs_show_session_summary(s, c, buf, sizeof(buf));
	assert_int_equal(n, strlen(" Group quizware has 1 connections\n"
	                           "  User (Logins)\n"
	                           "  richard (1)\n"));
	assert_string_equal(buf, " Group quizware");
	assert_int_equal(evs_show_session_group(s, c, NULL, 0), strlen(" Group:    Connections\n"
	                                                               " quizware: 1\n"));
	/* without a configuration: the groups of the sessions */
	evs_show_session_group(s, NULL, buf, sizeof(buf));
	assert_string_equal(buf, " Group:    Conn");
	evs_state_free(st);
	evs_config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pool_allocation_and_exhaustion),
	    cmocka_unit_test(pool_reuse_for_returning_user),
	    cmocka_unit_test(pool_bounds),
	    cmocka_unit_test(aaa_passwords),
	    cmocka_unit_test(aaa_max_logins_and_max_users),
	    cmocka_unit_test(ops_psk_and_policy),
	    cmocka_unit_test(ops_pool_exhaustion),
	    cmocka_unit_test(sessions_add_remove_lookup),
	    cmocka_unit_test(sessions_many),
	    cmocka_unit_test(show_chapter_examples),
	    cmocka_unit_test(show_counts_orders_and_idle_groups),
	    cmocka_unit_test(show_truncates_like_snprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
