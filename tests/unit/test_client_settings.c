/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * client/core/settings: each value is the command line's, else the profile's, else evc's
 * default; a gateway on the command line replaces the profile's and its backups; bad values
 * and profiles evc cannot serve are refused with a sentence that names what is wrong.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "client/core/settings.h"
#include "ike/isakmp.h"
#include "lib/crypto.h"

static struct evc_profile *profile(const char *const *kv)
{
	char err[256];
	struct evc_profile *p = prof_new("office");
	assert_non_null(p);
	for (; kv[0]; kv += 2) {
		int rc = prof_set(p, kv[0], kv[1], err, sizeof(err));
		if (rc)
			fail_msg("prof_set %s = %s: %s", kv[0], kv[1], err);
	}
	return p;
}

struct notes {
	int n;
	char last[512];
};

static void note(void *ctx, const char *msg)
{
	struct notes *ns = ctx;
	ns->n++;
	snprintf(ns->last, sizeof(ns->last), "%s", msg);
}

static void test_cli_only_defaults(void **state)
{
	(void)state;
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	o.gateway = "198.51.100.1";
	o.group = "quizware";
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.n_gateways, 1);
	assert_string_equal(s.gateways[0], "198.51.100.1");
	assert_string_equal(s.group, "quizware");
	assert_string_equal(s.user, ""); /* asked for */
	assert_int_equal(s.dh_group, 0); /* automatic */
	assert_int_equal(s.natt, IKE_NATT_AUTO);
	assert_int_equal(s.dpd_idle_s, 30);
	assert_int_equal(s.mtu, 0);
	assert_int_equal(s.dns, PLAT_DNS_RESOLV_CONF);
	assert_int_equal(s.local_port, 0);
	assert_int_equal(s.n_p1, 0); /* the engine's full list */
	assert_int_equal(s.n_p2, 0);
	assert_int_equal(s.pfs_group, 0);
	assert_string_equal(s.ifname, "");
	assert_string_equal(s.state_path, "");
	assert_string_equal(s.control_path, "");
	assert_null(s.group_key.p);
	assert_null(s.password.p);
}

static void test_profile_values_and_defaults(void **state)
{
	(void)state;
	static const char *const kv[] = {"gateway",
	                                 "vpn.example.com",
	                                 "backup_gateways",
	                                 "198.51.100.7,198.51.100.8",
	                                 "group",
	                                 "quizware",
	                                 "username",
	                                 "richard",
	                                 "dh",
	                                 "2",
	                                 "natt",
	                                 "force",
	                                 "dpd",
	                                 "10",
	                                 "mtu",
	                                 "1300",
	                                 "dns",
	                                 "off",
	                                 "ifname",
	                                 "office0",
	                                 "local_port",
	                                 "4501",
	                                 "ike",
	                                 "aes256-sha1,3des-sha1",
	                                 "esp",
	                                 "aes128-sha1",
	                                 "pfs",
	                                 "5",
	                                 "state_file",
	                                 "/run/evc/office.state",
	                                 NULL};
	struct evc_profile *p = profile(kv);
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.n_gateways, 3);
	assert_string_equal(s.gateways[0], "vpn.example.com");
	assert_string_equal(s.gateways[1], "198.51.100.7");
	assert_string_equal(s.gateways[2], "198.51.100.8");
	assert_string_equal(s.group, "quizware");
	assert_string_equal(s.user, "richard");
	assert_int_equal(s.dh_group, 2);
	assert_int_equal(s.natt, IKE_NATT_FORCE);
	assert_int_equal(s.dpd_idle_s, 10);
	assert_int_equal(s.mtu, 1300);
	assert_int_equal(s.dns, PLAT_DNS_OFF);
	assert_string_equal(s.ifname, "office0");
	assert_int_equal(s.local_port, 4501);
	assert_int_equal(s.pfs_group, 5);
	assert_string_equal(s.state_path, "/run/evc/office.state");
	assert_string_equal(s.resolv_conf, ""); /* the default */
	assert_true(s.n_p1 >= 2);
	for (size_t i = 0; i < s.n_p1; i++)
		assert_int_equal(s.p1[i].group, 2);
	assert_int_equal(s.n_p2, 1);
	prof_free(p);
}

static void test_cli_overrides_profile(void **state)
{
	(void)state;
	static const char *const kv[] = {"gateway",
	                                 "vpn.example.com",
	                                 "backup_gateways",
	                                 "198.51.100.7",
	                                 "group",
	                                 "quizware",
	                                 "username",
	                                 "richard",
	                                 "dh",
	                                 "2",
	                                 "ike",
	                                 "aes256-sha1",
	                                 "dpd",
	                                 "10",
	                                 "mtu",
	                                 "1300",
	                                 NULL};
	struct evc_profile *p = profile(kv);
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	assert_int_equal(evc_overrides_set(&o, "dh", "14", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "dpd", "0", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "mtu", "1400", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "user", "natalie", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "control", "/tmp/x.sock", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.dh_group, 14);
	for (size_t i = 0; i < s.n_p1; i++)
		assert_int_equal(s.p1[i].group, 14); /* the proposals follow --dh */
	assert_int_equal(s.dpd_idle_s, 0);
	assert_int_equal(s.mtu, 1400);
	assert_string_equal(s.user, "natalie");
	assert_string_equal(s.control_path, "/tmp/x.sock");
	assert_int_equal(s.n_gateways, 2); /* the profile's gateway keeps its backup */

	/* a gateway on the command line is a different server: the backups are not its */
	assert_int_equal(evc_overrides_set(&o, "gateway", "203.0.113.5", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.n_gateways, 1);
	assert_string_equal(s.gateways[0], "203.0.113.5");
	prof_free(p);
}

static void test_override_values(void **state)
{
	(void)state;
	static const struct {
		const char *name, *value;
		int rc;
		const char *says; /* part of the error */
	} cases[] = {
	    {"dh", "2", 0, NULL},
	    {"dh", "16", 0, NULL},
	    {"dh", "7", -EINVAL, "--dh 7: evc supports DH groups 2, 5, 14, 15, 16, 19 and 20"},
	    {"dh", "20", 0, NULL},
	    {"weak", "yes", 0, NULL},
	    {"weak", "maybe", -EINVAL, "weak maybe: use yes or no"},
	    {"dh", "", -EINVAL, "--dh"},
	    {"dh", "-14", -EINVAL, "--dh -14"},
	    {"natt", "force", 0, NULL},
	    {"natt", "maybe", -EINVAL, "--natt maybe: use auto, force, off or cisco-udp"},
	    {"dpd", "86400", 0, NULL},
	    {"dpd", "86401", -EINVAL, "--dpd 86401: give seconds"},
	    {"mtu", "575", -EINVAL, "--mtu 575: give 576 to 9000"},
	    {"mtu", "9001", -EINVAL, "--mtu 9001"},
	    {"mtu", "12x", -EINVAL, "--mtu 12x"},
	    {"dns", "replace-symlink", 0, NULL},
	    {"dns", "systemd", -EINVAL, "--dns systemd: use resolv-conf, replace-symlink or off"},
	    {"local-port", "4500", -EINVAL, "--local-port 4500: give a UDP port other than 4500"},
	    {"local-port", "65536", -EINVAL, "--local-port 65536"},
	    {"local-port", "501", 0, NULL},
	    {"ifname", "0123456789abcde", 0, NULL},
	    {"ifname", "0123456789abcdef", -EINVAL, "at most 15 characters"},
	    {"password", "x", -ENOENT, NULL}, /* not a setting: secrets never are */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evc_overrides o;
		char err[256] = "";
		evc_overrides_init(&o);
		int rc = evc_overrides_set(&o, cases[i].name, cases[i].value, err, sizeof(err));
		if (rc != cases[i].rc)
			fail_msg("%s %s: got %d, want %d", cases[i].name, cases[i].value, rc,
			         cases[i].rc);
		if (cases[i].says && !strstr(err, cases[i].says))
			fail_msg("%s %s: '%s' lacks '%s'", cases[i].name, cases[i].value, err,
			         cases[i].says);
	}
}

static void expect_refused(const char *const *kv, const struct evc_overrides *o, int want,
                           const char *says)
{
	struct evc_profile *p = kv ? profile(kv) : NULL;
	struct evc_settings s;
	char err[256] = "";
	int rc = evc_settings_build(&s, p, o, NULL, NULL, err, sizeof(err));
	if (rc != want || !strstr(err, says))
		fail_msg("got %d '%s', want %d '%s'", rc, err, want, says);
	assert_int_equal(s.n_gateways, 0); /* cleared */
	prof_free(p);
}

static void test_refusals(void **state)
{
	(void)state;
	static const char *const cert[] = {
	    "gateway",  "vpn.example.com", "auth", "cert", "cert", "/etc/evc/me.pem",
	    "cert_key", "/etc/evc/me.key", NULL};
	static const char *const nogw[] = {"group", "quizware", NULL};
	static const char *const nogroup[] = {"gateway", "vpn.example.com", NULL};
	struct evc_overrides o, cli_nogw, long_gw;
	char name[300];
	evc_overrides_init(&o);
	/* a certificate without the CA of the gateway's: main mode cannot check the gateway */
	expect_refused(cert, &o, -EINVAL, "--ca-file is missing");
	expect_refused(nogw, &o, -EINVAL, "profile 'office' has no gateway");
	expect_refused(nogroup, &o, -EINVAL, "profile 'office' has no group");
	evc_overrides_init(&cli_nogw);
	cli_nogw.group = "quizware";
	expect_refused(NULL, &cli_nogw, -EINVAL, "no gateway: give --gateway HOST");
	evc_overrides_init(&long_gw);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	long_gw.gateway = name;
	long_gw.group = "quizware";
	expect_refused(NULL, &long_gw, -EINVAL, "is longer than 255 characters");
}

/* Main mode: a certificate profile, or --cert/--key/--ca-file over it; no group needed. */
static void test_certificate(void **state)
{
	(void)state;
	static const char *const cert[] = {
	    "gateway", "vpn.example.com", "auth",     "cert",
	    "cert",    "/etc/evc/me.pem", "cert_key", "/etc/evc/me.key",
	    "ca_cert", "/etc/evc/ca.pem", NULL};
	struct evc_profile *p = profile(cert);
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(s.cert_path, "/etc/evc/me.pem");
	assert_string_equal(s.key_path, "/etc/evc/me.key");
	assert_string_equal(s.ca_path, "/etc/evc/ca.pem");
	assert_true(s.prop_flags & IKE_PROP_CERT);
	assert_string_equal(s.group, "");
	evc_settings_clear(&s);
	/* the command line's files win */
	o.cert = "/tmp/other.pem";
	o.ca_file = "/tmp/ca2.pem";
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(s.cert_path, "/tmp/other.pem");
	assert_string_equal(s.key_path, "/etc/evc/me.key");
	assert_string_equal(s.ca_path, "/tmp/ca2.pem");
	evc_settings_clear(&s);
	prof_free(p);
	/* without a profile: all three, and the gateway */
	evc_overrides_init(&o);
	o.gateway = "vpn.example.com";
	o.cert = "/tmp/me.pem";
	o.key = "/tmp/me.key";
	expect_refused(NULL, &o, -EINVAL, "--ca-file is missing");
	o.key = NULL;
	o.ca_file = "/tmp/ca.pem";
	expect_refused(NULL, &o, -EINVAL, "--key is missing");
	o.cert = NULL;
	/* --ca-file alone is hybrid: the group is named, no group key is needed */
	expect_refused(NULL, &o, -EINVAL, "no group");
	o.group = "quizware";
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_true(s.hybrid);
	assert_true(s.prop_flags & IKE_PROP_HYBRID);
	assert_false(s.prop_flags & IKE_PROP_CERT);
	assert_string_equal(s.ca_path, "/tmp/ca.pem");
	assert_string_equal(s.cert_path, "");
	assert_string_equal(s.group, "quizware");
	evc_settings_clear(&s);
	o.cert = "/tmp/me.pem";
	o.key = "/tmp/me.key";
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_true(s.prop_flags & IKE_PROP_CERT);
	assert_string_equal(s.crl_path, "");
	evc_settings_clear(&s);
	/* --crl-file goes with the CA file, and alone is refused */
	assert_int_equal(evc_overrides_set(&o, "crl-file", "/tmp/crl.pem", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_string_equal(s.crl_path, "/tmp/crl.pem");
	evc_settings_clear(&s);
	o.cert = o.key = o.ca_file = NULL;
	expect_refused(NULL, &o, -EINVAL, "--crl-file checks the gateway's certificate");
}

/* --mode and --lan, and a profile's mode and lan: what is kept, and every refusal. */
static void test_modes(void **state)
{
	(void)state;
	static const char *const ne[] = {
	    "gateway", "203.0.113.5",       "group", "quizware",
	    "mode",    "network-extension", "lan",   "192.168.1.0/24,192.168.2.0/24",
	    NULL};
	struct evc_profile *p = profile(ne);
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	/* two LANs in network-extension mode: one ESP SA pair each (the datapath picks the
	 * pair by source among equal destinations) */
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.mode, EVC_MODE_NETWORK_EXTENSION);
	assert_int_equal(s.n_lan, 2);
	assert_int_equal(s.lan[0].addr, 0xc0a80100u);
	assert_int_equal(s.lan[1].addr, 0xc0a80200u);
	/* in client mode both are translated (PAT) */
	assert_int_equal(evc_overrides_set(&o, "mode", "client", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.mode, EVC_MODE_CLIENT);
	assert_int_equal(s.n_lan, 2);
	assert_int_equal(s.lan[1].addr, 0xc0a80200u);
	assert_int_equal(s.lan[1].mask, 0xffffff00u);
	o.mode = -1;
	/* --lan replaces the profile's networks */
	assert_int_equal(evc_overrides_set(&o, "lan", "10.20.0.0/16", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.mode, EVC_MODE_NETWORK_EXTENSION);
	assert_int_equal(s.n_lan, 1);
	assert_int_equal(s.lan[0].addr, 0x0a140000u);
	prof_free(p);

	/* option values */
	evc_overrides_init(&o);
	assert_int_equal(evc_overrides_set(&o, "mode", "bridge", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--mode bridge: use client or network-extension");
	assert_int_equal(evc_overrides_set(&o, "lan", "192.168.1.1/24", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--lan 192.168.1.1/24: host bits are set"));
	assert_int_equal(evc_overrides_set(&o, "lan", "192.168.1.0", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "a.b.c.d/len"));
	for (int i = 0; i < IKE_MAX_LAN; i++) {
		char net[32];
		snprintf(net, sizeof(net), "10.%d.0.0/16", i);
		assert_int_equal(evc_overrides_set(&o, "lan", net, err, sizeof(err)), 0);
	}
	assert_int_equal(evc_overrides_set(&o, "lan", "10.9.0.0/16", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "at most 4 LAN networks"));

	/* combinations refused by the build, with nothing kept */
	static const struct {
		const char *mode, *lan1, *lan2, *says;
	} bad[] = {
	    {"network-extension", NULL, NULL, "network-extension mode needs the networks"},
	    {"network-extension", "0.0.0.0/0", NULL, "a LAN cannot be every address"},
	    {"client", "192.168.0.0/16", "192.168.7.0/24",
	     "--lan 192.168.7.0/24 overlaps 192.168.0.0/16"},
	    {"network-extension", "203.0.113.0/24", NULL,
	     "--lan 203.0.113.0/24 holds the gateway 203.0.113.5"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		evc_overrides_init(&o);
		o.gateway = "203.0.113.5";
		o.group = "quizware";
		assert_int_equal(evc_overrides_set(&o, "mode", bad[i].mode, err, sizeof(err)), 0);
		if (bad[i].lan1)
			assert_int_equal(
			    evc_overrides_set(&o, "lan", bad[i].lan1, err, sizeof(err)), 0);
		if (bad[i].lan2)
			assert_int_equal(
			    evc_overrides_set(&o, "lan", bad[i].lan2, err, sizeof(err)), 0);
		expect_refused(NULL, &o, -EINVAL, bad[i].says);
	}
}

/* Network extension against what the gateway pushes: a LAN that overlaps a split-include
 * network, the assigned address or the gateway (known only by then) is refused. */
static void test_lan_against_policy(void **state)
{
	(void)state;
	struct evc_overrides o;
	struct evc_settings s;
	struct evc_policy pol = {.have = EVC_HAVE_ADDR, .addr = 0x0a62000au}; /* 10.98.0.10 */
	char err[256] = "";
	const uint32_t gw = 0xc6336401u; /* 198.51.100.1 */
	evc_overrides_init(&o);
	o.gateway = "vpn.example.com";
	o.group = "quizware";
	assert_int_equal(evc_overrides_set(&o, "mode", "network-extension", err, sizeof(err)), 0);
	assert_int_equal(evc_overrides_set(&o, "lan", "10.99.0.0/16", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(evc_settings_check_policy(&s, &pol, gw, err, sizeof(err)), 0);
	pol.split_include[pol.n_split_include++] = (struct evc_net){0x0a630000u, 0xffffff00u};
	assert_int_equal(evc_settings_check_policy(&s, &pol, gw, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "LAN 10.99.0.0/16 overlaps 10.99.0.0/24, a network the gateway "
	                         "routes through the tunnel: hosts there would be unreachable "
	                         "from one side");
	pol.n_split_include = 0;
	assert_int_equal(evc_settings_check_policy(&s, &pol, 0x0a630101u, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "holds the gateway's address 10.99.1.1"));
	s.lan[0] = (struct evc_net){0x0a620000u, 0xffff0000u};
	assert_int_equal(evc_settings_check_policy(&s, &pol, gw, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "LAN 10.98.0.0/16 holds the address 10.98.0.10 the gateway "
	                         "assigned");
	/* client mode: the LAN translated to the assigned address may not hold it either */
	s.mode = EVC_MODE_CLIENT;
	assert_int_equal(evc_settings_check_policy(&s, &pol, gw, err, sizeof(err)), -EINVAL);
	s.n_lan = 0;
	assert_int_equal(evc_settings_check_policy(&s, &pol, gw, err, sizeof(err)), 0);
	/* the gateway's path back: a LAN may not hold this host's own address towards it */
	s.lan[0] = (struct evc_net){0xc6336400u, 0xfffffffcu}; /* 198.51.100.0/30 */
	s.n_lan = 1;
	assert_int_equal(evc_settings_check_path(&s, 0xc6336405u, err, sizeof(err)), 0);
	assert_int_equal(evc_settings_check_path(&s, 0xc6336402u, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "LAN 198.51.100.0/30 holds 198.51.100.2, this host's own "
	                            "address towards the gateway"));
}

static void test_notes(void **state)
{
	(void)state;
	static const char *const kv[] = {"gateway", "vpn.example.com",       "group", "quizware",
	                                 "script",  "/etc/vpnc/vpnc-script", "pfs",   "off",
	                                 NULL};
	struct evc_profile *p = profile(kv);
	struct evc_overrides o;
	struct evc_settings s;
	struct notes ns = {0};
	char err[256] = "";
	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, p, &o, note, &ns, err, sizeof(err)), 0);
	/* the script is run now (26aa11f), so only pfs = off is worth a note */
	assert_int_equal(ns.n, 1);
	assert_non_null(strstr(ns.last, "pfs = off"));
	prof_free(p);
}

static void test_secrets_copied_and_wiped(void **state)
{
	(void)state;
	struct evc_settings a = {0}, b;
	assert_int_equal(evc_settings_set_secret(&a, EVC_SECRET_GROUP_KEY, "not-the-seed"), 0);
	assert_int_equal(evc_settings_set_secret(&a, EVC_SECRET_PASSWORD, "pw"), 0);
	assert_int_equal(a.group_key.len, strlen("not-the-seed"));
	assert_string_equal((const char *)a.group_key.p, "not-the-seed");
	assert_int_equal(evc_settings_copy(&b, &a), 0);
	assert_ptr_not_equal(b.group_key.p, a.group_key.p);
	assert_string_equal((const char *)b.password.p, "pw");
	evc_settings_clear(&a);
	assert_null(a.group_key.p);
	assert_null(a.password.p);
	assert_string_equal((const char *)b.group_key.p, "not-the-seed"); /* its own copy */
	evc_settings_clear(&b);
	evc_settings_clear(&b); /* twice is harmless */
}

/* A profile's `ike` entries become proposals with XAUTH first and the plain method second,
 * all in the one DH group; `esp` entries become transforms with the profile's PFS group. */
static void test_profile_proposals(void **state)
{
	(void)state;
	static const char *const kv[] = {"gateway", "198.51.100.1",
	                                 "group",   "quizware",
	                                 "ike",     "aes256-sha1, 3des-md5",
	                                 "dh",      "14",
	                                 "esp",     "aes128-sha256, 3des-sha1",
	                                 "pfs",     "5",
	                                 NULL};
	struct evc_profile *p = profile(kv);
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.n_p1, 4);
	assert_int_equal(s.p1[0].encr, CIPHER_AES_CBC);
	assert_int_equal(s.p1[0].key_bits, 256);
	assert_int_equal(s.p1[0].hash, HASH_SHA1);
	assert_int_equal(s.p1[0].auth, IKE_AUTH_XAUTH_INIT_PSK);
	assert_int_equal(s.p1[0].group, 14);
	assert_int_equal(s.p1[1].auth, IKE_AUTH_PSK);
	assert_int_equal(s.p1[2].encr, CIPHER_3DES);
	assert_int_equal(s.p1[2].hash, HASH_MD5);
	assert_int_equal(s.p1[3].auth, IKE_AUTH_PSK);
	assert_int_equal(s.p1[3].group, 14);
	assert_int_equal(s.n_p2, 2);
	assert_int_equal(s.p2[0].esp, ESP_ENCR_AES_CBC);
	assert_int_equal(s.p2[0].key_bits, 128);
	assert_int_equal(s.p2[0].auth, ESP_AUTH_HMAC_SHA256);
	assert_int_equal(s.p2[0].pfs_group, 5);
	assert_int_equal(s.p2[1].esp, ESP_ENCR_3DES);
	/* --dh on the command line moves every proposal to its group */
	o.dh = 2;
	evc_settings_clear(&s);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.p1[0].group, 2);
	assert_int_equal(s.p1[3].group, 2);
	evc_settings_clear(&s);
	/* certificates: the RSA methods */
	assert_int_equal(prof_set(p, "auth", "cert", err, sizeof(err)), 0);
	o.dh = -1;
	if (evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)) == 0) {
		assert_int_equal(s.p1[0].auth, IKE_AUTH_XAUTH_INIT_RSA);
		assert_int_equal(s.p1[1].auth, IKE_AUTH_RSA_SIG);
		evc_settings_clear(&s);
	} else {
		assert_non_null(strstr(err, "cert")); /* refused while main mode is missing */
	}
	/* hybrid: HybridInitRSA alone for each ike entry; no CA is refused by name */
	assert_int_equal(prof_set(p, "auth", "hybrid", err, sizeof(err)), 0);
	assert_int_not_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "names no CA"));
	assert_int_equal(prof_set(p, "ca_cert", "/etc/evc/ca.pem", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, p, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_true(s.hybrid);
	assert_string_equal(s.ca_path, "/etc/evc/ca.pem");
	for (size_t i = 0; i < s.n_p1; i++)
		assert_int_equal(s.p1[i].auth, IKE_AUTH_HYBRID_INIT_RSA);
	assert_int_equal(s.n_p1, 2);
	evc_settings_clear(&s);
	prof_free(p);
}

/* --weak: single DES, MD5 and DH group 1 are offered only when asked; --dh 1 needs it. */
static void test_weak(void **state)
{
	(void)state;
	struct evc_overrides o;
	struct evc_settings s;
	char err[256] = "";
	evc_overrides_init(&o);
	o.gateway = "198.51.100.1";
	o.group = "quizware";
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.prop_flags, 0);
	evc_settings_clear(&s);
	assert_int_equal(evc_overrides_set(&o, "dh", "1", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--dh 1: DH group 1 (768-bit) is broken; add --weak"));
	assert_int_equal(evc_overrides_set(&o, "weak", "yes", err, sizeof(err)), 0);
	assert_int_equal(evc_settings_build(&s, NULL, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.prop_flags, IKE_PROP_WEAK);
	assert_int_equal(s.dh_group, 1);
	evc_settings_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cli_only_defaults),
	    cmocka_unit_test(test_profile_values_and_defaults),
	    cmocka_unit_test(test_cli_overrides_profile),
	    cmocka_unit_test(test_override_values),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_certificate),
	    cmocka_unit_test(test_modes),
	    cmocka_unit_test(test_lan_against_policy),
	    cmocka_unit_test(test_notes),
	    cmocka_unit_test(test_secrets_copied_and_wiped),
	    cmocka_unit_test(test_profile_proposals),
	    cmocka_unit_test(test_weak),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
