/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The request for network extension in mode-config (ike/modecfg.c): a hardware client in
 * network-extension mode asks for it, evs answers with its group's word (`nem enable`) and
 * says why it refuses, and evc stops at step 5 with that reason instead of going on to a
 * quick mode the gateway will refuse. A software client does not ask; a gateway that does
 * not answer leaves the decision to quick mode. Real engines against the evs daemon on the
 * in-memory network of tests/support/evs_net.c.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/core/settings.h"
#include "ike/isakmp.h"
#include "ike/sa_int.h" /* modecfg_parse, modecfg_write */
#include "lib/bytes.h"

#include "evs_net.h"

static const struct evc_net lan = {0xc0a80a00u, 0xffffff00u}; /* 192.168.10.0/24 */

static int setup(void **state)
{
	return evs_net_setup_conf(state, EVC_SOURCE_DIR "/server/evs.conf");
}

/* The sample configuration with `nem enable` in group quizware. */
static int setup_nem(void **state)
{
	char path[] = "/tmp/evs-nem-modecfg-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	bool added = false;
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0) {
			fputs(" nem enable\n", out);
			added = true;
		}
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_true(added);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	return rc;
}

/* evc's settings for a router in network-extension mode with the LAN above. */
static void nem_settings(struct evc_settings *s)
{
	struct evc_overrides o;
	char err[256] = "";
	evc_overrides_init(&o);
	o.gateway = "198.51.100.1";
	o.group = "quizware";
	assert_int_equal(evc_overrides_set(&o, "mode", "network-extension", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "lan", "192.168.10.0/24", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
}

/* A group with `nem enable`: the client asked, the gateway said yes, the LAN's pair is up. */
static void test_granted(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new_lan(n, "richard", "richard-pw-1", &lan, 1);
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_true(c->policy.have & EVC_HAVE_NETWORK_EXTENSION);
	assert_true(c->policy.network_extension);
	assert_null(strstr(n->warnings, "asked for network extension"));

	struct evc_settings s;
	char err[256] = "";
	nem_settings(&s);
	assert_int_equal(evc_settings_check_policy(&s, &c->policy, SRV_IP, err, sizeof(err)), 0);
}

/* A group without it: evs answers no and logs why; evc's check turns the answer into the
 * refusal that ends the connection at step 5 (and is not retried: -EPERM). */
static void test_refused(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new_lan(n, "richard", "richard-pw-1", &lan, 1);
	assert_true(evs_net_pump(n));
	assert_true(c->policy.have & EVC_HAVE_NETWORK_EXTENSION);
	assert_false(c->policy.network_extension);
	assert_non_null(strstr(n->warnings,
	                       "user richard of group quizware asked for network extension: "
	                       "refused, the group does not allow network extension ('nem "
	                       "enable')"));

	struct evc_settings s;
	char err[256] = "";
	nem_settings(&s);
	assert_int_equal(evc_settings_check_policy(&s, &c->policy, SRV_IP, err, sizeof(err)),
	                 -EPERM);
	assert_non_null(strstr(err, "the gateway refuses network extension for group quizware"));
	assert_non_null(strstr(err, "use --mode client"));

	/* the same answer means nothing to a client in client mode */
	struct evc_overrides o;
	evc_overrides_init(&o);
	o.gateway = "198.51.100.1";
	o.group = "quizware";
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(evc_settings_check_policy(&s, &c->policy, SRV_IP, err, sizeof(err)), 0);
}

/* A software client does not ask, so evs neither answers nor complains. */
static void test_client_mode_does_not_ask(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_false(c->policy.have & EVC_HAVE_NETWORK_EXTENSION);
	assert_null(strstr(n->warnings, "network extension"));
}

/* The wire form: TV, 1 or 0 as the policy says, only when asked; a gateway that does not
 * answer (one that does not know the attribute) leaves the decision to quick mode; a value
 * other than 0 or 1 is a malformed answer, named. */
static void test_wire(void **state)
{
	(void)state;
	uint8_t req[16], rep[512];
	struct wr rw = wr_init(req, sizeof(req));
	isakmp_attr_write_tv(&rw, CFG_EVC_NETWORK_EXTENSION, 1);
	struct evc_policy pol, back;
	const char *why = NULL;
	memset(&pol, 0, sizeof(pol));
	pol.addr = 0x0a62000au;
	for (int yes = 0; yes < 2; yes++) {
		pol.network_extension = yes;
		struct wr w = wr_init(rep, sizeof(rep));
		modecfg_write(&w, &pol, req, rw.len);
		assert_false(w.err);
		/* INTERNAL_IP4_ADDRESS (8 bytes), then the answer: 0xFFE0 (AF bit), value */
		assert_int_equal(w.len, 12);
		assert_int_equal(rep[8], 0xff);
		assert_int_equal(rep[9], 0xe0);
		assert_int_equal(rep[11], yes);
		assert_true(modecfg_parse(rep, w.len, &back, &why));
		assert_true(back.have & EVC_HAVE_NETWORK_EXTENSION);
		assert_int_equal(back.network_extension, yes);
	}
	/* not asked: not answered */
	struct wr w = wr_init(rep, sizeof(rep));
	modecfg_write(&w, &pol, NULL, 0);
	assert_int_equal(w.len, 8);
	assert_true(modecfg_parse(rep, w.len, &back, &why));
	assert_false(back.have & EVC_HAVE_NETWORK_EXTENSION);
	struct evc_settings s;
	char err[256] = "";
	nem_settings(&s);
	assert_int_equal(evc_settings_check_policy(&s, &back, SRV_IP, err, sizeof(err)), 0);

	/* a value the attribute does not have */
	w = wr_init(rep, sizeof(rep));
	isakmp_attr_write_tv(&w, CFG_EVC_NETWORK_EXTENSION, 2);
	assert_false(modecfg_parse(rep, w.len, &back, &why));
	assert_string_equal(why, "EVC_NETWORK_EXTENSION");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_granted, setup_nem, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_refused, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_client_mode_does_not_ask, setup, evs_net_teardown),
	    cmocka_unit_test(test_wire),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
