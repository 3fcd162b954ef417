// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --script in the settings: the path reaches struct evc_settings from the command line or the
 * profile's script key (the command line first), and a LAN with it is refused (the vpnc-script
 * configures the host; evc's PAT and network extension would not be there).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/settings.h"

static void test_script_from_profile_and_command_line(void **state)
{
	(void)state;
	struct evc_settings s = {0};
	struct evc_overrides o;
	char err[512];
	struct evc_profile *p = prof_new("office");
	assert_int_equal(prof_set(p, "gateway", "198.51.100.1", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "group", "quizware", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "script", "/etc/vpnc/vpnc-script", err, sizeof(err)), 0);

	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(s.script, "/etc/vpnc/vpnc-script");
	evc_settings_clear(&s);

	assert_int_equal(evc_overrides_set(&o, "script", "/usr/share/vpnc-scripts/vpnc-script", err,
	                                   sizeof(err)),
	                 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(s.script, "/usr/share/vpnc-scripts/vpnc-script");
	evc_settings_clear(&s);

	/* with a LAN: refused, naming both */
	assert_int_equal(evc_overrides_set(&o, "lan", "192.168.1.0/24", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--script and --lan: the vpnc-script configures the host"));
	prof_free(p);
}

static void test_no_script(void **state)
{
	(void)state;
	struct evc_settings s = {0};
	struct evc_overrides o;
	char err[512];
	evc_overrides_init(&o);
	assert_int_equal(evc_overrides_set(&o, "gateway", "198.51.100.1", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "group", "quizware", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(s.script, "");
	evc_settings_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_script_from_profile_and_command_line),
	    cmocka_unit_test(test_no_script),
	};
	return cmocka_run_group_tests_name("settings: --script", tests, NULL, NULL);
}
