/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a profile's stored secrets may go (client/core/secret_use.c), the check behind the
 * control socket's `connect`: a member of the socket's group who names another gateway for a
 * system profile is refused, unless the command brings every secret the profile stores, or
 * the gateway is one of the profile's own (backups and remembered pushed backups included);
 * root may. The e2e side is tests/e2e/control.sh.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/secret_use.h"

static const char *const own[] = {"vpn.example.com", "203.0.113.7", "198.51.100.9"};

/* A member of group evc connecting the PSK profile office, which stores both secrets. */
static struct evc_secret_use member(const char *gateway)
{
	return (struct evc_secret_use){
	    .profile = "office",
	    .gateway = gateway,
	    .own = own,
	    .n_own = sizeof(own) / sizeof(own[0]),
	    .stored_group_key = true,
	    .stored_password = true,
	};
}

static void test_no_override(void **state)
{
	char err[512] = "";
	struct evc_secret_use u = member(NULL);
	(void)state;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	u.gateway = "";
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	u.cert = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
}

static void test_foreign_gateway_refused(void **state)
{
	char err[512] = "";
	struct evc_secret_use u = member("198.51.100.66");
	(void)state;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "profile 'office'"));
	assert_non_null(strstr(err, "198.51.100.66"));
	assert_non_null(strstr(err, "send both in the connect command"));
	/* one secret of two in the command is not enough: the other would still go */
	u.gives_group_key = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), -EPERM);
	u.gives_group_key = false;
	u.gives_password = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), -EPERM);
	/* a name that only looks like an own gateway */
	u = member("vpn.example.com.evil.test");
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), -EPERM);
}

static void test_own_gateways_allowed(void **state)
{
	char err[512] = "";
	(void)state;
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		struct evc_secret_use u = member(own[i]);
		assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	}
	struct evc_secret_use u = member("VPN.Example.COM"); /* DNS names have no case */
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	u.cert = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
}

static void test_all_secrets_given(void **state)
{
	char err[512] = "";
	struct evc_secret_use u = member("198.51.100.66");
	(void)state;
	u.gives_group_key = u.gives_password = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	/* a profile that stores only the group key: the password is the caller's to type */
	u = member("198.51.100.66");
	u.stored_password = false;
	u.gives_group_key = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	u.gives_group_key = false;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), -EPERM);
	/* nothing stored at all: nothing to protect */
	u.stored_group_key = false;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
}

static void test_cert_profile(void **state)
{
	char err[512] = "";
	struct evc_secret_use u = member("198.51.100.66");
	(void)state;
	u.cert = true;
	u.stored_group_key = false;
	/* the certificate's key cannot come with the command */
	u.gives_password = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "certificate key"));
	assert_non_null(strstr(err, "198.51.100.66"));
}

static void test_privileged(void **state)
{
	char err[512] = "";
	struct evc_secret_use u = member("198.51.100.66");
	(void)state;
	u.privileged = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
	u.cert = true;
	assert_int_equal(evc_secret_use_check(&u, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_override),
	    cmocka_unit_test(test_foreign_gateway_refused),
	    cmocka_unit_test(test_own_gateways_allowed),
	    cmocka_unit_test(test_all_secrets_given),
	    cmocka_unit_test(test_cert_profile),
	    cmocka_unit_test(test_privileged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
