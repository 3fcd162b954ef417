/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath's outbound choice for a router in network-extension mode with several LANs:
 * every LAN has its own ESP SA pair, all with the same remote selector (the corporate
 * networks), so the packet's source decides which pair carries it; the gateway would drop
 * a LAN's packet that arrived on another LAN's SA.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>

#include <cmocka.h>

#include "tun/satable.h"

#define LAN1 0x0a1e0000u /* 10.30.0.0/24 */
#define LAN2 0x0a200000u /* 10.32.0.0/24 */
#define MASK24 0xffffff00u

static void test_source_picks_the_lans_pair(void **state)
{
	(void)state;
	struct satab *t = satab_new();
	assert_non_null(t);
	struct sa_entry a = {.spi_in = 1, .local_ts = {LAN1, MASK24}, .remote_ts = {0, 0}};
	struct sa_entry b = {.spi_in = 2, .local_ts = {LAN2, MASK24}, .remote_ts = {0, 0}};
	assert_int_equal(satab_insert(t, &a), 0);
	assert_int_equal(satab_insert(t, &b), 0);

	uint32_t corp = 0x0a630005u; /* 10.99.0.5 */
	assert_ptr_equal(satab_route(t, LAN1 | 10, corp), &a);
	assert_ptr_equal(satab_route(t, LAN2 | 10, corp), &b);
	/* b is newer, so b comes first among equal remote selectors: the source, not the
	 * order, chose a above; a source no pair covers keeps the first by destination */
	assert_ptr_equal(satab_route(t, 0xc0a80101u, corp), &b);

	/* an expired pair is skipped: the LAN's packets fall back, and the peer judges them */
	a.expired = true;
	assert_ptr_equal(satab_route(t, LAN1 | 10, corp), &b);
	a.expired = false;

	/* a rekey of LAN1 (newer, same selectors) takes over LAN1's traffic only */
	struct sa_entry a2 = {.spi_in = 3, .local_ts = {LAN1, MASK24}, .remote_ts = {0, 0}};
	assert_int_equal(satab_insert(t, &a2), 0);
	assert_ptr_equal(satab_route(t, LAN1 | 10, corp), &a2);
	assert_ptr_equal(satab_route(t, LAN2 | 10, corp), &b);

	assert_ptr_equal(satab_remove(t, 3), &a2);
	assert_ptr_equal(satab_remove(t, 2), &b);
	assert_ptr_equal(satab_remove(t, 1), &a);
	satab_free(t);
}

/* Both selectors decide: among the pairs that cover source and destination, the longest
 * remote selector wins (split networks, as before); a pair covers a packet only when it
 * covers both ends, so another LAN's narrower pair does not take this LAN's packet. */
static void test_both_selectors(void **state)
{
	(void)state;
	struct satab *t = satab_new();
	assert_non_null(t);
	struct sa_entry wide = {.spi_in = 1, .local_ts = {LAN1, MASK24}, .remote_ts = {0, 0}};
	struct sa_entry split1 = {
	    .spi_in = 2, .local_ts = {LAN1, MASK24}, .remote_ts = {0x0a630000u, MASK24}};
	struct sa_entry split2 = {
	    .spi_in = 3, .local_ts = {LAN2, MASK24}, .remote_ts = {0x0a630000u, MASK24}};
	assert_int_equal(satab_insert(t, &wide), 0);
	assert_int_equal(satab_insert(t, &split2), 0);
	assert_ptr_equal(satab_route(t, LAN1 | 1, 0x0a630001u), &wide);
	assert_ptr_equal(satab_route(t, LAN2 | 1, 0x0a630001u), &split2);
	assert_int_equal(satab_insert(t, &split1), 0);
	assert_ptr_equal(satab_route(t, LAN1 | 1, 0x0a630001u), &split1);
	assert_ptr_equal(satab_route(t, LAN1 | 1, 0x0a640001u), &wide);
	assert_ptr_equal(satab_route(t, LAN2 | 1, 0x0a630001u), &split2);
	assert_ptr_equal(satab_remove(t, 1), &wide);
	assert_ptr_equal(satab_remove(t, 2), &split1);
	assert_ptr_equal(satab_remove(t, 3), &split2);
	satab_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_source_picks_the_lans_pair),
	    cmocka_unit_test(test_both_selectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
