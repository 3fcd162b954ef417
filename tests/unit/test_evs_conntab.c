/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs's SA table (server/core/conntab.c) and deadline queue (server/core/timeq.c): lookups by
 * both cookies and by initiator cookie and address, collisions, removal in every position of
 * a chain, the bound, and a model check of both against plain arrays.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/core/conntab.h"
#include "server/core/timeq.h"

static const uint8_t key[16] = {0x10, 0x20, 0x30};
static const uint8_t zero[8];

static void cookie(uint8_t c[8], uint64_t v)
{
	for (int i = 0; i < 8; i++)
		c[i] = (uint8_t)(v >> (8 * i));
}

static void test_basic(void **state)
{
	(void)state;
	struct evs_conntab *t = evs_conntab_new(16, key);
	uint8_t i1[8], r1[8], i2[8], r2[8];
	int a, b;
	assert_non_null(t);
	cookie(i1, 0x1111);
	cookie(r1, 0xaaaa);
	cookie(i2, 0x2222);
	cookie(r2, 0xbbbb);
	a = evs_conntab_add(t, i1, zero, 0x01020304, &a);
	assert_true(a >= 0);
	/* a first message: no responder cookie yet, found by cookie and address only */
	assert_ptr_equal(evs_conntab_find(t, i1, zero, 0x01020304), &a);
	assert_null(evs_conntab_find(t, i1, zero, 0x01020305));
	assert_null(evs_conntab_find(t, i2, zero, 0x01020304));
	/* the SA chose its responder cookie: then both cookies find it from anywhere */
	evs_conntab_rekey(t, a, i1, r1, 0x01020304);
	assert_true(evs_conntab_keyed(t, a, i1, r1, 0x01020304));
	assert_false(evs_conntab_keyed(t, a, i1, r1, 0x01020305));
	assert_ptr_equal(evs_conntab_find(t, i1, r1, 0x09090909), &a);
	assert_null(evs_conntab_find(t, i1, r2, 0x01020304));
	assert_ptr_equal(evs_conntab_find(t, i1, zero, 0x01020304), &a); /* a retransmitted first */
	b = evs_conntab_add(t, i2, r2, 0x05060708, &b);
	assert_true(b >= 0 && b != a);
	assert_int_equal(evs_conntab_count(t), 2);
	assert_ptr_equal(evs_conntab_find(t, i2, r2, 0), &b);
	/* the peer moved: the first-message index follows */
	evs_conntab_rekey(t, b, i2, r2, 0x0a0b0c0d);
	assert_null(evs_conntab_find(t, i2, zero, 0x05060708));
	assert_ptr_equal(evs_conntab_find(t, i2, zero, 0x0a0b0c0d), &b);
	evs_conntab_del(t, a);
	assert_null(evs_conntab_find(t, i1, r1, 0));
	assert_null(evs_conntab_find(t, i1, zero, 0x01020304));
	assert_ptr_equal(evs_conntab_find(t, i2, r2, 0), &b);
	assert_int_equal(evs_conntab_count(t), 1);
	evs_conntab_del(t, a); /* twice: nothing */
	evs_conntab_del(t, 999);
	assert_int_equal(evs_conntab_count(t), 1);
	evs_conntab_free(t);
	evs_conntab_free(NULL);
	assert_null(evs_conntab_new(0, key));
}

/* The bound: max entries, then -ENOSPC; a removal makes room again. */
static void test_full(void **state)
{
	(void)state;
	int v[8], slot[8];
	uint8_t ic[8], rc[8];
	struct evs_conntab *t = evs_conntab_new(8, key);
	assert_non_null(t);
	for (int i = 0; i < 8; i++) {
		cookie(ic, (uint64_t)i + 1);
		cookie(rc, (uint64_t)i + 100);
		slot[i] = evs_conntab_add(t, ic, rc, 1, &v[i]);
		assert_true(slot[i] >= 0);
	}
	cookie(ic, 50);
	assert_int_equal(evs_conntab_add(t, ic, zero, 1, &v[0]), -ENOSPC);
	evs_conntab_del(t, slot[3]);
	assert_true(evs_conntab_add(t, ic, zero, 1, &v[3]) >= 0);
	assert_int_equal(evs_conntab_count(t), 8);
	assert_int_equal(evs_conntab_max(t), 8);
	evs_conntab_free(t);
}

/*
 * Collisions: entries with one initiator cookie and one address all share a bucket of the
 * first-message index (as a peer that repeats its cookie would make them), so removing the
 * head, the middle and the tail of that chain is exercised. (test_model covers chains of the
 * cookie index: 4,096 entries in 8,192 buckets share many.)
 */
static void test_collisions(void **state)
{
	(void)state;
	enum { N = 6 };
	int v[N], slot[N];
	uint8_t ic[8], rc[N][8];
	struct evs_conntab *t = evs_conntab_new(N, key);
	assert_non_null(t);
	cookie(ic, 0x4242);
	for (int i = 0; i < N; i++) {
		cookie(rc[i], (uint64_t)i + 1);
		slot[i] = evs_conntab_add(t, ic, rc[i], 0x7f000001, &v[i]);
		assert_true(slot[i] >= 0);
	}
	for (int i = 0; i < N; i++)
		assert_ptr_equal(evs_conntab_find(t, ic, rc[i], 0), &v[i]);
	/* the oldest answers a first message */
	assert_ptr_equal(evs_conntab_find(t, ic, zero, 0x7f000001), &v[0]);
	evs_conntab_del(t, slot[0]); /* head */
	assert_ptr_equal(evs_conntab_find(t, ic, zero, 0x7f000001), &v[1]);
	evs_conntab_del(t, slot[3]);     /* middle */
	evs_conntab_del(t, slot[N - 1]); /* tail */
	for (int i = 0; i < N; i++) {
		bool gone = i == 0 || i == 3 || i == N - 1;
		void *f = evs_conntab_find(t, ic, rc[i], 0);
		if (gone)
			assert_null(f);
		else
			assert_ptr_equal(f, &v[i]);
	}
	assert_ptr_equal(evs_conntab_find(t, ic, zero, 0x7f000001), &v[1]);
	evs_conntab_del(t, slot[1]);
	evs_conntab_del(t, slot[2]);
	evs_conntab_del(t, slot[4]);
	assert_null(evs_conntab_find(t, ic, zero, 0x7f000001));
	assert_int_equal(evs_conntab_count(t), 0);
	evs_conntab_free(t);
}

/* Thousands of entries, random adds, removals and rekeys, checked against a plain array. */
static void test_model(void **state)
{
	(void)state;
	enum { MAX = 4096, STEPS = 40000 };
	struct model {
		bool used;
		int slot;
		uint8_t ic[8], rc[8];
		uint32_t peer;
	} *m = calloc(MAX, sizeof(*m));
	struct evs_conntab *t = evs_conntab_new(MAX, key);
	uint64_t x = 88172645463325252ull;
	size_t live = 0;
	assert_non_null(m);
	assert_non_null(t);
	for (int step = 0; step < STEPS; step++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		struct model *e = &m[x % MAX];
		uint64_t r = x >> 20;
		if (!e->used) {
			cookie(e->ic, r);
			cookie(e->rc, r * 7 + 1);
			e->peer = (uint32_t)(r % 64); /* few addresses: chains share them */
			e->slot = evs_conntab_add(t, e->ic, e->rc, e->peer, e);
			assert_true(e->slot >= 0);
			e->used = true;
			live++;
		} else if (r % 3 == 0) {
			cookie(e->rc, r);
			e->peer = (uint32_t)(r % 97);
			evs_conntab_rekey(t, e->slot, e->ic, e->rc, e->peer);
		} else {
			evs_conntab_del(t, e->slot);
			e->used = false;
			live--;
		}
		assert_int_equal(evs_conntab_count(t), live);
	}
	for (size_t i = 0; i < MAX; i++) {
		if (m[i].used) {
			assert_ptr_equal(evs_conntab_find(t, m[i].ic, m[i].rc, 0), &m[i]);
			struct model *f = evs_conntab_find(t, m[i].ic, zero, m[i].peer);
			assert_non_null(f);
			assert_memory_equal(f->ic, m[i].ic, 8);
			assert_int_equal(f->peer, m[i].peer);
		} else {
			assert_null(evs_conntab_find(t, m[i].ic, m[i].rc, 0));
		}
	}
	evs_conntab_free(t);
	free(m);
}

/* The deadline queue always yields the earliest deadline, as a scan of an array would. */
static void test_timeq(void **state)
{
	(void)state;
	enum { MAX = 500 };
	uint64_t at[MAX];
	struct evs_timeq *q = evs_timeq_new(MAX);
	uint64_t x = 2463534242ull;
	size_t id;
	assert_non_null(q);
	assert_int_equal(evs_timeq_peek(q, &id), UINT64_MAX);
	for (size_t i = 0; i < MAX; i++)
		at[i] = UINT64_MAX;
	for (int step = 0; step < 20000; step++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t i = x % MAX;
		uint64_t t = (x >> 16) % 7 == 0 ? UINT64_MAX : (x >> 16) % 100000;
		evs_timeq_set(q, i, t);
		at[i] = t;
		uint64_t min = UINT64_MAX;
		for (size_t k = 0; k < MAX; k++)
			if (at[k] < min)
				min = at[k];
		uint64_t got = evs_timeq_peek(q, &id);
		assert_int_equal(got, min);
		if (got != UINT64_MAX)
			assert_int_equal(at[id], min);
	}
	evs_timeq_set(q, MAX, 5); /* out of range: ignored */
	evs_timeq_free(q);
	evs_timeq_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),      cmocka_unit_test(test_full),
	    cmocka_unit_test(test_collisions), cmocka_unit_test(test_model),
	    cmocka_unit_test(test_timeq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
