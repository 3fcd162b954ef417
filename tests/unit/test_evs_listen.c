/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Task 5 as the chapter writes it: `interface NAME` with `crypto map NAME` and no `ip
 * address`. The configuration is accepted, and evs listens on the IPv4 addresses the host
 * interface of that name has (read over rtnetlink); a name the host does not have, or one
 * Linux cannot have, is a clear error.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "server/core/config.h"
#include "server/core/listen.h"

#define BASE                                                                                       \
	"aaa new-model\n"                                                                          \
	"aaa authentication login vpn-users local\n"                                               \
	"aaa authorization network quizware local\n"                                               \
	"username richard secret richard-pw-1\n"                                                   \
	"crypto isakmp client configuration group quizware\n"                                      \
	" key groupsecret\n"                                                                       \
	"crypto isakmp policy 10\n"                                                                \
	" encryption aes 256\n"                                                                    \
	" authentication pre-share\n"                                                              \
	" group 2\n"                                                                               \
	"crypto ipsec transform-set transdynamic-1 esp-aes 256 esp-sha-hmac\n"                     \
	"crypto dynamic-map EASYVPN 900\n"                                                         \
	" set transform-set transdynamic-1\n"                                                      \
	"crypto map VPNMAP client authentication list vpn-users\n"                                 \
	"crypto map VPNMAP isakmp authorization list quizware\n"                                   \
	"crypto map VPNMAP client configuration address respond\n"                                 \
	"crypto map VPNMAP 65535 ipsec-isakmp dynamic EASYVPN\n"

struct diag {
	char text[4096];
	size_t len;
};

static void collect(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct diag *d = ctx;
	(void)sev;
	(void)line;
	int k = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s\n", msg);
	if (k > 0 && (size_t)k < sizeof(d->text) - d->len)
		d->len += (size_t)k;
}

static void log_into(void *ctx, enum ike_log_level level, const char *msg)
{
	struct diag *d = ctx;
	(void)level;
	int k = snprintf(d->text + d->len, sizeof(d->text) - d->len, "%s\n", msg);
	if (k > 0 && (size_t)k < sizeof(d->text) - d->len)
		d->len += (size_t)k;
}

static struct evs_config *parse(const char *tail, struct diag *dg)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s", BASE, tail);
	return evs_config_parse("t5.conf", text, strlen(text), collect, dg);
}

/* The loopback interface exists everywhere with 127.0.0.1. */
static void test_host_interface(void **state)
{
	(void)state;
	struct diag dg = {0}, lg = {0};
	struct evs_config *cfg = parse("interface lo\n crypto map VPNMAP\n", &dg);
	if (!cfg)
		fail_msg("Task 5 as written refused: %s", dg.text);
	struct evc_net a[8];
	size_t n = 0;
	char err[512] = "";
	int rc = evs_listen_resolve(cfg, a, 8, &n, log_into, &lg, err, sizeof(err));
	if (rc)
		fail_msg("%s", err);
	bool lo = false;
	for (size_t i = 0; i < n && i < 8; i++)
		lo |= a[i].addr == 0x7f000001u && a[i].mask == 0xff000000u;
	assert_true(lo);
	assert_non_null(strstr(lg.text,
	                       "interface lo has no 'ip address' in the configuration: "
	                       "listening on the address(es) the host gives it: 127.0.0.1"));
	evs_config_free(cfg);
}

static void test_missing_interface(void **state)
{
	(void)state;
	struct diag dg = {0}, lg = {0};
	struct evs_config *cfg = parse("interface evsnosuch9\n crypto map VPNMAP\n", &dg);
	assert_non_null(cfg);
	struct evc_net a[8];
	size_t n = 0;
	char err[512] = "";
	assert_int_equal(evs_listen_resolve(cfg, a, 8, &n, log_into, &lg, err, sizeof(err)),
	                 -ENODEV);
	assert_non_null(strstr(err, "interface evsnosuch9 carries crypto map VPNMAP without an "
	                            "'ip address'"));
	assert_non_null(strstr(err, "this host has no interface named evsnosuch9"));
	evs_config_free(cfg);
}

/* `interface FastEthernet0/0` (15 characters) is a valid name; one longer than Linux allows
 * is refused when the file is read, naming the line. */
static void test_name_too_long(void **state)
{
	(void)state;
	struct diag dg = {0};
	struct evs_config *cfg = parse("interface GigabitEthernet0/0/0\n crypto map VPNMAP\n", &dg);
	assert_null(cfg);
	assert_non_null(strstr(dg.text, "t5.conf:18: "));
	assert_non_null(strstr(dg.text, "at most 15 characters"));
	cfg = parse("interface FastEthernet0/0\n crypto map VPNMAP\n", &dg);
	assert_non_null(cfg);
	evs_config_free(cfg);
}

/* With `ip address` nothing is asked of the host. */
static void test_configured_address(void **state)
{
	(void)state;
	struct diag dg = {0}, lg = {0};
	struct evs_config *cfg =
	    parse("interface evsnosuch9\n ip address 198.51.100.1 255.255.255.0\n crypto map "
	          "VPNMAP\n",
	          &dg);
	assert_non_null(cfg);
	struct evc_net a[8];
	size_t n = 0;
	char err[512] = "";
	assert_int_equal(evs_listen_resolve(cfg, a, 8, &n, log_into, &lg, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].addr, 0xc6336401u);
	assert_int_equal(lg.len, 0);
	evs_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_interface),
	    cmocka_unit_test(test_missing_interface),
	    cmocka_unit_test(test_name_too_long),
	    cmocka_unit_test(test_configured_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
