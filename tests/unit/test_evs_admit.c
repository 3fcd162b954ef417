/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What may start an IKE SA in evs (security issue, items 6 and 7): the structural check of a
 * first message, the per-source token bucket, the half-open table that ends a sender's oldest
 * SA instead of refusing it, and the three together, all driven with a fake clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/core/admit.h"
#include "server/core/firstmsg.h"
#include "server/core/halfopen.h"
#include "server/core/srclimit.h"
#include "vectors.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* ---- firstmsg ---- */

/* vpnc's recorded first message (s1), copied so that tests may alter it. */
static uint8_t *vpnc_am1(size_t *len)
{
	struct vec_set *v = vec_load(VEC_S1);
	const struct vec_msg *m = vec_msg(v, 1);
	uint8_t *p;

	assert_non_null(m);
	*len = m->data.len;
	p = malloc(*len);
	assert_non_null(p);
	memcpy(p, m->data.p, *len);
	vec_free(v);
	return p;
}

static void test_first_msg_real_am1(void **state)
{
	(void)state;
	/* vpnc's and strongSwan's recorded first messages */
	const char *scen[] = {VEC_S1, VEC_S2};
	for (size_t i = 0; i < 2; i++) {
		struct vec_set *v = vec_load(scen[i]);
		const struct vec_msg *m = vec_msg(v, 1);
		const char *why = "unset";
		assert_non_null(m);
		assert_true(evs_first_msg_check(m->data.p, m->data.len, &why));
		assert_null(why);
		vec_free(v);
	}
}

/* The garbage of item 7: a valid header for a first message, random bytes after it. */
static void test_first_msg_garbage_body(void **state)
{
	(void)state;
	uint8_t m[28 + 300];
	const char *why = NULL;
	unsigned seed = 1;

	for (int round = 0; round < 2000; round++) {
		size_t body = (size_t)(rand_r(&seed) % 300);
		for (size_t i = 0; i < sizeof(m); i++)
			m[i] = (uint8_t)rand_r(&seed);
		memset(m + 8, 0, 8); /* responder cookie */
		m[16] = 1;           /* SA first */
		m[17] = 0x10;
		m[18] = 4; /* aggressive */
		m[19] = 0;
		memset(m + 20, 0, 4);
		uint32_t l = (uint32_t)(28 + body);
		m[24] = 0;
		m[25] = 0;
		m[26] = (uint8_t)(l >> 8);
		m[27] = (uint8_t)l;
		why = NULL;
		assert_false(evs_first_msg_check(m, 28 + body, &why));
		assert_non_null(why);
	}
}

static void test_first_msg_altered(void **state)
{
	(void)state;
	size_t len;
	uint8_t *m = vpnc_am1(&len);
	uint8_t *c = malloc(len);
	const char *why;

	assert_non_null(c);
	/* each alteration alone makes it something other than a first message */
	struct {
		size_t off;
		uint8_t val;
	} alter[] = {
	    {8, 1},   /* responder cookie set */
	    {18, 2},  /* identity protection (main mode) */
	    {19, 1},  /* encrypted */
	    {23, 1},  /* message ID */
	    {16, 13}, /* chain starts with a vendor ID: the SA is not where it says */
	};
	for (size_t i = 0; i < sizeof(alter) / sizeof(alter[0]); i++) {
		memcpy(c, m, len);
		c[alter[i].off] = alter[i].val;
		why = NULL;
		assert_false(evs_first_msg_check(c, len, &why));
		assert_non_null(why);
	}
	/* truncated anywhere in the payloads (declared length adjusted) */
	for (size_t cut = 28; cut < len; cut += 7) {
		memcpy(c, m, cut);
		c[24] = (uint8_t)(cut >> 24);
		c[25] = (uint8_t)(cut >> 16);
		c[26] = (uint8_t)(cut >> 8);
		c[27] = (uint8_t)cut;
		assert_false(evs_first_msg_check(c, cut, &why));
	}
	assert_false(evs_first_msg_check(m, 27, &why));
	free(c);
	free(m);
}

/* A first main-mode message (RFC 2409 5.1) carries one SA and nothing else: vpnc's AM1 cut
 * down to its SA (then SA and KE, then two SAs), with the exchange set to main mode. */
static size_t mm1_from_am1(const uint8_t *am1, size_t am1_len, uint8_t *out, size_t cap, int shape)
{
	size_t sa_len = (size_t)am1[28 + 2] << 8 | am1[28 + 3];
	size_t ke_len = (size_t)am1[28 + sa_len + 2] << 8 | am1[28 + sa_len + 3];
	size_t len = 28 + sa_len;

	assert_int_equal(am1[16], 1); /* SA first */
	assert_int_equal(am1[28], 4); /* then KE */
	assert_true(28 + sa_len + ke_len <= am1_len);
	assert_true(28 + 2 * sa_len + ke_len <= cap);
	memcpy(out, am1, 28 + sa_len);
	out[18] = 2; /* identity protection (main mode) */
	out[28] = 0; /* the SA ends the chain */
	if (shape == 1) {
		out[28] = 4;
		memcpy(out + len, am1 + 28 + sa_len, ke_len);
		out[len] = 0;
		len += ke_len;
	} else if (shape == 2) {
		out[28] = 1;
		memcpy(out + len, out + 28, sa_len);
		out[len] = 0;
		len += sa_len;
	}
	out[24] = (uint8_t)(len >> 24);
	out[25] = (uint8_t)(len >> 16);
	out[26] = (uint8_t)(len >> 8);
	out[27] = (uint8_t)len;
	return len;
}

static void test_first_msg_main_mode_shape(void **state)
{
	(void)state;
	size_t len;
	uint8_t *m = vpnc_am1(&len);
	uint8_t c[4096];
	const char *why = "unset";

	size_t n = mm1_from_am1(m, len, c, sizeof(c), 0);
	assert_true(evs_first_msg_check(c, n, &why)); /* one SA alone: a main-mode first message */
	assert_null(why);
	n = mm1_from_am1(m, len, c, sizeof(c), 1);
	assert_false(evs_first_msg_check(c, n, &why)); /* with a KE */
	assert_non_null(why);
	n = mm1_from_am1(m, len, c, sizeof(c), 2);
	why = NULL;
	assert_false(evs_first_msg_check(c, n, &why)); /* two SAs */
	assert_non_null(why);
	free(m);
}

/* ---- srclimit ---- */

static void test_srclimit_burst_then_rate(void **state)
{
	(void)state;
	struct evs_srclimit *l = evs_srclimit_new(64, 16, 4);
	uint32_t a = IP(198, 51, 100, 2), b = IP(198, 51, 100, 3);
	uint64_t t = 1000000;

	assert_non_null(l);
	for (int i = 0; i < 16; i++)
		assert_true(evs_srclimit_take(l, a, t));
	assert_false(evs_srclimit_take(l, a, t));
	assert_false(evs_srclimit_take(l, a, t + 249));
	/* another source is not affected */
	assert_true(evs_srclimit_take(l, b, t));
	/* 4 per second: one token every 250 ms */
	assert_true(evs_srclimit_take(l, a, t + 250));
	assert_false(evs_srclimit_take(l, a, t + 260));
	/* a client retransmitting after a second gets in */
	assert_true(evs_srclimit_take(l, a, t + 1260));
	/* idle for long: a full burst again, and no more */
	t += 60000;
	for (int i = 0; i < 16; i++)
		assert_true(evs_srclimit_take(l, a, t));
	assert_false(evs_srclimit_take(l, a, t));
	/* a clock that goes nowhere (or backwards) adds nothing */
	assert_false(evs_srclimit_take(l, a, t - 5000));
	evs_srclimit_free(l);
	assert_null(evs_srclimit_new(0, 1, 1));
	assert_null(evs_srclimit_new(1, 0, 1));
	assert_null(evs_srclimit_new(1, 1, 0));
	evs_srclimit_free(NULL);
}

/* A flood from many addresses reuses the fixed table: the flooded source stays limited as
 * long as it keeps sending, and the table never grows. */
static void test_srclimit_many_sources(void **state)
{
	(void)state;
	struct evs_srclimit *l = evs_srclimit_new(1024, 4, 1);
	uint32_t victim = IP(198, 51, 100, 2);
	uint64_t t = 5000;

	assert_non_null(l);
	for (int i = 0; i < 4; i++)
		assert_true(evs_srclimit_take(l, victim, t));
	for (uint32_t i = 0; i < 100000; i++) {
		/* each new address starts with a full bucket */
		assert_true(evs_srclimit_take(l, IP(203, 0, 0, 0) + i, t));
		if (i % 1000 == 0)
			assert_false(evs_srclimit_take(l, victim, t)); /* keeps its place: recent */
	}
	evs_srclimit_free(l);
}

/* ---- halfopen ---- */

static void test_halfopen_per_peer_evicts_own_oldest(void **state)
{
	(void)state;
	struct evs_halfopen *h = evs_halfopen_new(256, 8);
	uint32_t a = IP(198, 51, 100, 2), b = IP(198, 51, 100, 3);

	assert_non_null(h);
	assert_int_equal(evs_halfopen_add(h, 100, b), 0);
	for (uint64_t k = 1; k <= 8; k++) {
		assert_int_equal(evs_halfopen_victim(h, a), 0);
		assert_int_equal(evs_halfopen_add(h, k, a), 0);
	}
	assert_int_equal(evs_halfopen_count_peer(h, a), 8);
	/* full for a: the new one would end a's oldest, never b's */
	assert_int_equal(evs_halfopen_add(h, 9, a), -ENOSPC);
	assert_int_equal(evs_halfopen_victim(h, a), 1);
	evs_halfopen_remove(h, 1);
	assert_int_equal(evs_halfopen_add(h, 9, a), 0);
	assert_int_equal(evs_halfopen_victim(h, a), 2);
	/* b has room */
	assert_int_equal(evs_halfopen_victim(h, b), 0);
	/* one finishing phase 1 makes room without an eviction */
	evs_halfopen_remove(h, 5);
	assert_int_equal(evs_halfopen_victim(h, a), 0);
	assert_int_equal(evs_halfopen_add(h, 9, a), -EEXIST);
	assert_int_equal(evs_halfopen_add(h, 0, a), -EINVAL);
	evs_halfopen_remove(h, 12345); /* unknown: ignored */
	assert_int_equal(evs_halfopen_count(h), 8);
	evs_halfopen_free(h);
	evs_halfopen_free(NULL);
	assert_null(evs_halfopen_new(4, 8));
	assert_null(evs_halfopen_new(0, 0));
}

static void test_halfopen_global_evicts_oldest(void **state)
{
	(void)state;
	struct evs_halfopen *h = evs_halfopen_new(16, 2);
	uint64_t k = 1;

	assert_non_null(h);
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(evs_halfopen_add(h, k++, IP(203, 0, 113, 1) + i), 0);
	/* a new sender at the global limit: the oldest of all goes */
	assert_int_equal(evs_halfopen_victim(h, IP(198, 51, 100, 2)), 1);
	evs_halfopen_remove(h, 1);
	assert_int_equal(evs_halfopen_add(h, k++, IP(198, 51, 100, 2)), 0);
	assert_int_equal(evs_halfopen_victim(h, IP(198, 51, 100, 9)), 2);
	evs_halfopen_free(h);
}

/* ---- admit: the three gates with a fake clock ---- */

struct logs {
	int warn, debug;
	char last[300];
};

static void collect(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct logs *l = ctx;

	if (lvl <= IKE_LOG_WARN)
		l->warn++;
	else
		l->debug++;
	strncpy(l->last, msg, sizeof(l->last) - 1);
}

/*
 * Item 7 as the daemon sees it: 2,000 datagrams from the client's address, half garbage, half
 * real-looking first messages, then the client's own first message: it is admitted (with its
 * retransmission a second later at worst), after ending one of the flood's SAs.
 */
static void test_admit_garbage_then_client(void **state)
{
	(void)state;
	struct logs lg = {0};
	struct evs_admit *a = evs_admit_new(NULL, collect, &lg);
	struct evs_admit_stats st;
	size_t len;
	uint8_t *am1 = vpnc_am1(&len), junk[200];
	uint32_t client = IP(198, 51, 100, 2);
	uint64_t now = 10000, key = 0, victim, admitted = 0;
	bool ok = false;

	assert_non_null(a);
	memset(junk, 0xa5, sizeof(junk));
	memcpy(junk, am1, 28);
	junk[27] = sizeof(junk);
	junk[26] = 0;
	for (int i = 0; i < 2000; i++, now += i % 100 == 0) {
		if (i % 2) {
			assert_false(evs_admit_first(a, junk, sizeof(junk), client, now, &victim));
			continue;
		}
		if (evs_admit_first(a, am1, len, client, now, &victim)) {
			if (victim)
				evs_admit_done(a, victim);
			assert_int_equal(evs_admit_opened(a, ++key, client), 0);
			admitted++;
		}
	}
	evs_admit_stats(a, &st);
	assert_int_equal(st.not_first, 1000);
	assert_int_equal(st.half_open, 8);
	assert_true(admitted <= 16 + 4 * 21);
	assert_int_equal(st.rate + admitted, 1000);
	/* the client: its first message now, or its retransmission one second later */
	for (uint64_t t = now; t <= now + 1000 && !ok; t += 1000)
		ok = evs_admit_first(a, am1, len, client, t, &victim);
	assert_true(ok);
	assert_int_not_equal(victim, 0); /* one of the flood's SAs makes room */
	evs_admit_done(a, victim);
	assert_int_equal(evs_admit_opened(a, ++key, client), 0);
	/* warnings are rate-limited: one for the rate, one for the evictions */
	assert_true(lg.warn <= 2);
	assert_int_equal(lg.debug, 1000);
	evs_admit_free(a);
	free(am1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_first_msg_real_am1),
	    cmocka_unit_test(test_first_msg_garbage_body),
	    cmocka_unit_test(test_first_msg_altered),
	    cmocka_unit_test(test_first_msg_main_mode_shape),
	    cmocka_unit_test(test_srclimit_burst_then_rate),
	    cmocka_unit_test(test_srclimit_many_sources),
	    cmocka_unit_test(test_halfopen_per_peer_evicts_own_oldest),
	    cmocka_unit_test(test_halfopen_global_evicts_oldest),
	    cmocka_unit_test(test_admit_garbage_then_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
