/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs's record of the ESP SAs each IKE SA installed (security issue, items 3 and 4): a child
 * only for the inner address the IKE SA was assigned and never for one another IKE SA owns
 * (the session hijack), and every installed SPI leaves with its IKE SA, however many there
 * were (ESP SAs outliving the connection from the 5th quick mode on).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "server/core/children.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static const struct evc_net richard = {IP(10, 98, 0, 10), 0xffffffffu};
static const struct evc_net natalie = {IP(10, 98, 0, 11), 0xffffffffu};
static const struct evc_net any = {0, 0};

enum { SA_RICHARD = 1, SA_NATALIE = 2, SA_NEM = 3, SA_NEM2 = 4 };

static struct evs_children *two_users(void)
{
	struct evs_children *t = evs_children_new();

	assert_non_null(t);
	assert_int_equal(evs_children_set_assigned(t, SA_RICHARD, richard.addr), 0);
	assert_int_equal(evs_children_set_assigned(t, SA_NATALIE, natalie.addr), 0);
	assert_int_equal(evs_children_check(t, SA_RICHARD, &richard, true, &(const char *){0}), 0);
	assert_int_equal(evs_children_add(t, SA_RICHARD, 0x1001, &richard), 0);
	return t;
}

/* Item 3: natalie's IKE SA asks for a child for richard's address, or for everything. */
static void test_hijack_refused(void **state)
{
	(void)state;
	struct evs_children *t = two_users();
	const char *why = NULL;

	assert_int_equal(evs_children_check(t, SA_NATALIE, &richard, true, &why), -EPERM);
	assert_non_null(why);
	why = NULL;
	assert_int_equal(evs_children_check(t, SA_NATALIE, &any, true, &why), -EPERM);
	assert_non_null(why);
	/* her own address is fine */
	assert_int_equal(evs_children_check(t, SA_NATALIE, &natalie, true, &why), 0);
	evs_children_free(t);
}

/* Item 3: a client-mode IKE SA that skipped mode-config has no address: no child at all,
 * neither for an unowned address of the pool nor for another user's. */
static void test_no_child_before_assignment(void **state)
{
	(void)state;
	struct evs_children *t = two_users();
	const struct evc_net free_addr = {IP(10, 98, 0, 12), 0xffffffffu};
	const char *why = NULL;

	assert_int_equal(evs_children_check(t, 7, &free_addr, true, &why), -EPERM);
	assert_non_null(why);
	assert_int_equal(evs_children_check(t, 7, &richard, true, &why), -EPERM);
	/* a client-mode SA asking for a subnet around its own address */
	const struct evc_net wide = {IP(10, 98, 0, 0), 0xffffff00u};
	assert_int_equal(evs_children_check(t, SA_NATALIE, &wide, true, &why), -EPERM);
	evs_children_free(t);
}

/* Network-extension clients (no pool): their networks must not overlap another IKE SA's. */
static void test_nem_overlap_refused(void **state)
{
	(void)state;
	struct evs_children *t = two_users();
	const struct evc_net branch = {IP(10, 50, 1, 0), 0xffffff00u};
	const struct evc_net branch_host = {IP(10, 50, 1, 7), 0xffffffffu};
	const struct evc_net other = {IP(10, 50, 2, 0), 0xffffff00u};
	const char *why = NULL;

	assert_int_equal(evs_children_check(t, SA_NEM, &branch, false, &why), 0);
	assert_int_equal(evs_children_add(t, SA_NEM, 0x3001, &branch), 0);
	/* a rekey of the same network by the same IKE SA */
	assert_int_equal(evs_children_check(t, SA_NEM, &branch, false, &why), 0);
	/* another IKE SA: not inside it, not around it, not around a client's address */
	assert_int_equal(evs_children_check(t, SA_NEM2, &branch_host, false, &why), -EPERM);
	assert_int_equal(evs_children_check(t, SA_NEM2, &any, false, &why), -EPERM);
	assert_int_equal(evs_children_check(t, SA_NEM2, &richard, false, &why), -EPERM);
	assert_int_equal(evs_children_check(t, SA_NEM2, &other, false, &why), 0);
	/* once the first IKE SA is gone, the network is free */
	uint32_t spi;
	while (evs_children_pop(t, SA_NEM, &spi))
		;
	evs_children_forget(t, SA_NEM);
	assert_int_equal(evs_children_check(t, SA_NEM2, &branch_host, false, &why), 0);
	evs_children_free(t);
}

/* Item 4: ten quick modes on one IKE SA; all ten SPIs leave with it, none of another's. */
static void test_every_spi_removed(void **state)
{
	(void)state;
	struct evs_children *t = two_users();
	uint32_t spis[32], spi;
	size_t n = 0;
	const char *why;

	assert_int_equal(evs_children_add(t, SA_NATALIE, 0x2000, &natalie), 0);
	for (uint32_t i = 1; i < 10; i++) {
		assert_int_equal(evs_children_check(t, SA_RICHARD, &richard, true, &why), 0);
		assert_int_equal(evs_children_add(t, SA_RICHARD, 0x1001 + i, &richard), 0);
	}
	assert_int_equal(evs_children_spis(t, SA_RICHARD, spis, 32), 10);
	/* one deleted by the peer on the way */
	assert_int_equal(evs_children_remove(t, 0x1005), 0);
	assert_int_equal(evs_children_remove(t, 0x1005), -ENOENT);
	while (evs_children_pop(t, SA_RICHARD, &spi)) {
		assert_true(spi >= 0x1001 && spi <= 0x100a && spi != 0x1005);
		n++;
	}
	assert_int_equal(n, 9);
	assert_int_equal(evs_children_spis(t, SA_RICHARD, spis, 32), 0);
	assert_int_equal(evs_children_spis(t, SA_NATALIE, spis, 32), 1);
	assert_int_equal(spis[0], 0x2000);
	assert_int_equal(evs_children_add(t, SA_NATALIE, 0x2000, &natalie), -EEXIST);
	evs_children_free(t);
	evs_children_free(NULL);
}

/* A bounded number of children per IKE SA: one that keeps opening quick modes is refused. */
static void test_children_capped(void **state)
{
	(void)state;
	struct evs_children *t = two_users();
	const char *why = NULL;

	for (uint32_t i = 1; i < EVS_CHILDREN_MAX_PER_SA; i++)
		assert_int_equal(evs_children_add(t, SA_RICHARD, 0x1001 + i, &richard), 0);
	assert_int_equal(evs_children_check(t, SA_RICHARD, &richard, true, &why), -EPERM);
	assert_non_null(why);
	assert_int_equal(evs_children_remove(t, 0x1001), 0);
	assert_int_equal(evs_children_check(t, SA_RICHARD, &richard, true, &why), 0);
	evs_children_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hijack_refused),
	    cmocka_unit_test(test_no_child_before_assignment),
	    cmocka_unit_test(test_nem_overlap_refused),
	    cmocka_unit_test(test_every_spi_removed),
	    cmocka_unit_test(test_children_capped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
