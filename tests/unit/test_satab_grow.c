/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's SA table with evs's numbers of clients: its buckets double as SAs are added
 * (a datagram's lookup stays a step or two), every SA is found by its SPI and by its client's
 * address after each doubling, and a client whose pair was rekeyed before the table grew
 * still sends with the newer pair (the order of a chain survives the move).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>

#include <cmocka.h>

#include "tun/satable.h"

#define N 5000
#define REKEYED 100

static void host_entry(struct sa_entry *e, uint32_t spi, uint32_t addr)
{
	e->spi_in = spi;
	e->remote_ts = (struct evc_net){addr, UINT32_MAX};
	e->local_ts = (struct evc_net){0, 0};
}

static void grows_and_keeps_order(void **state)
{
	struct satab *t = satab_new();
	struct sa_entry *e = calloc(N + REKEYED, sizeof(*e));
	(void)state;
	assert_non_null(t);
	assert_non_null(e);
	/* the first clients, then a rekey of each, then the rest: the table doubles many times
	 * after the rekeys went in */
	for (uint32_t i = 0; i < REKEYED; i++) {
		host_entry(&e[i], 0x1000 + i, 0x0a620000u + i);
		assert_int_equal(satab_insert(t, &e[i]), 0);
	}
	for (uint32_t i = 0; i < REKEYED; i++) {
		host_entry(&e[N + i], 0x900000 + i, 0x0a620000u + i);
		assert_int_equal(satab_insert(t, &e[N + i]), 0);
	}
	for (uint32_t i = REKEYED; i < N; i++) {
		host_entry(&e[i], 0x1000 + i, 0x0a620000u + i);
		assert_int_equal(satab_insert(t, &e[i]), 0);
	}
	assert_int_equal(satab_count(t), N + REKEYED);
	assert_int_equal(satab_insert(t, &e[7]), -EEXIST);
	for (uint32_t i = 0; i < N; i++) {
		assert_ptr_equal(satab_by_spi(t, 0x1000 + i), &e[i]);
		struct sa_entry *want = i < REKEYED ? &e[N + i] : &e[i];
		assert_ptr_equal(satab_route(t, 0x0a630001u, 0x0a620000u + i), want);
	}
	assert_null(satab_route(t, 0x0a630001u, 0x0a620000u + N));
	/* the rekeyed pairs' old halves go; the new ones still send */
	for (uint32_t i = 0; i < REKEYED; i++)
		assert_ptr_equal(satab_remove(t, 0x1000 + i), &e[i]);
	for (uint32_t i = 0; i < REKEYED; i++)
		assert_ptr_equal(satab_route(t, 0, 0x0a620000u + i), &e[N + i]);
	while (satab_any(t))
		assert_non_null(satab_remove(t, satab_any(t)->spi_in));
	assert_int_equal(satab_count(t), 0);
	satab_free(t);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(grows_and_keeps_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
