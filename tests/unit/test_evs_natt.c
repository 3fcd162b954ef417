/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `crypto ipsec nat-transparency` as IOS writes it: NAT traversal (ESP in UDP 4500, RFC 3947
 * and its drafts) is on by default and with `crypto ipsec nat-transparency udp-encapsulation`,
 * off with its `no` form, in which case evs offers no NAT-T vendor ID and a client that
 * claims a NAT still gets raw ESP; spi-matching (for ESP through an IOS NAT router) is refused
 * with the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/core/config.h"
#include "server/core/daemon.h"

#include "evs_net.h"

/* The sample configuration with extra appended, in a temporary file: its path in path. */
static void write_conf(char *path, const char *extra)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in))
		if (strcmp(line, "end\n") != 0)
			fputs(line, out);
	fputs(extra, out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

struct diag {
	unsigned errors;
	char last[512];
};

static void collect(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct diag *d = ctx;
	(void)line;
	if (sev == EVS_CONFIG_ERROR)
		d->errors++;
	snprintf(d->last, sizeof(d->last), "%s", msg);
}

/* Loads the sample with extra: the configuration, or NULL with d telling why. */
static struct evs_config *load(const char *extra, struct diag *d)
{
	char path[] = "/tmp/evs-natt-XXXXXX";
	write_conf(path, extra);
	memset(d, 0, sizeof(*d));
	struct evs_config *c = evs_config_load(path, collect, d);
	unlink(path);
	return c;
}

static void parse(void **state)
{
	struct diag d;
	struct evs_config *c;
	(void)state;
	c = load("", &d);
	assert_non_null(c);
	assert_true(evs_config_natt(c));
	evs_config_free(c);
	c = load("crypto ipsec nat-transparency udp-encapsulation\n", &d);
	assert_non_null(c);
	assert_int_equal(d.errors, 0);
	assert_true(evs_config_natt(c));
	evs_config_free(c);
	c = load("no crypto ipsec nat-transparency udp-encapsulation\n", &d);
	assert_non_null(c);
	assert_int_equal(d.errors, 0);
	assert_false(evs_config_natt(c));
	evs_config_free(c);
	c = load("crypto ipsec nat-transparency spi-matching\n", &d);
	assert_null(c);
	assert_non_null(strstr(d.last, "spi-matching' is for ESP through an IOS NAT router"));
	c = load("no crypto ipsec nat-transparency udp-encaps\n", &d);
	assert_null(c);
	assert_non_null(strstr(d.last, "nat-transparency {udp-encapsulation | spi-matching}"));
}

/* A client that claims a NAT (as evc --natt force does): ESP in UDP unless evs has NAT-T off. */
static void forced_client(const char *extra, bool want_udp)
{
	char path[] = "/tmp/evs-natt-XXXXXX";
	void *state = NULL;
	write_conf(path, extra);
	assert_int_equal(evs_net_setup_conf(&state, path), 0);
	unlink(path);
	struct evs_net *n = state;
	n->cli_natt = IKE_NATT_FORCE;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_int_equal(c->child.udp_encap, want_udp);
	assert_int_equal(c->child.peer.port, want_udp ? IKE_NATT_PORT : IKE_PORT);
	evs_net_teardown(&state);
}

static void natt_on_by_default(void **state)
{
	(void)state;
	forced_client("", true);
	forced_client("crypto ipsec nat-transparency udp-encapsulation\n", true);
}

static void natt_off(void **state)
{
	(void)state;
	forced_client("no crypto ipsec nat-transparency udp-encapsulation\n", false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse),
	    cmocka_unit_test(natt_on_by_default),
	    cmocka_unit_test(natt_off),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
