/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Profiles: every key's accepted and rejected values and its canonical text, the typed
 * getters and the proposal arrays handed to the engine, the file format (exact bytes written,
 * round trip, every parse error with its line and key), whole-profile validation, export, and
 * the store (directories, 0600 atomic files, list, load, find by group, remove) in a
 * temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "ike/isakmp.h"
#include "profiles/profile.h"
#include "profiles/store.h"

/* ---- collected messages ---- */

#define MAXMSG 64
#include "prof_diag.h"

static void expect(const struct diag *d, enum prof_sev sev, unsigned line, const char *key,
                   const char *fragment)
{
	if (find(d, sev, line, key, fragment) < 0) {
		print_error("no %s at line %u for key '%s' saying '%s'; got:\n", prof_sev_name(sev),
		            line, key, fragment);
		dump(d);
		fail();
	}
}

static struct evc_profile *parse(const char *text, struct diag *d, int want_rc)
{
	struct evc_profile *p = NULL;
	memset(d, 0, sizeof(*d));
	int rc = prof_parse(text, strlen(text), "t.profile", "t", collect, d, &p);
	if (rc != want_rc) {
		print_error("prof_parse returned %d, wanted %d\n", rc, want_rc);
		dump(d);
	}
	assert_int_equal(rc, want_rc);
	if (rc)
		assert_null(p);
	return p;
}

/* ---- keys ---- */

static const struct {
	const char *key, *in, *canon;
} good[] = {
    {"description", "  Quizware office  ", "Quizware office"},
    {"description", "B\xc3\xbcro #2", "B\xc3\xbcro #2"},
    {"gateway", "vpn.example.com", "vpn.example.com"},
    {"gateway", "203.0.113.9", "203.0.113.9"},
    {"gateway", "vpn.example.com.", "vpn.example.com."},
    {"backup_gateways", "b1.example.com,203.0.113.7 ,  b3", "b1.example.com, 203.0.113.7, b3"},
    {"pushed_backup_gateways", "198.51.100.2,vpn3.example.com", "198.51.100.2, vpn3.example.com"},
    {"save_password", "No", "no"},
    {"exchange", "Aggressive", "aggressive"},
    {"group", "quizware", "quizware"},
    {"username", "alice@example.com", "alice@example.com"},
    {"auth", "PSK", "psk"},
    {"auth", "cert", "cert"},
    {"group_key", "prompt", "prompt"},
    {"group_key", "secret:libsecret", "secret:libsecret"},
    {"password", "file:/etc/evc/secrets/t.password", "file:/etc/evc/secrets/t.password"},
    {"cert", "/etc/evc/certs/alice.pem", "/etc/evc/certs/alice.pem"},
    {"ike", "AES256-SHA1,aes128-sha256 , 3des-md5, aes192-sha512",
     "aes256-sha1, aes128-sha256, 3des-md5, aes192-sha512"},
    {"esp", "aes256-sha1, 3des-md5, aes128-sha256", "aes256-sha1, 3des-md5, aes128-sha256"},
    {"dh", "14", "14"},
    {"pfs", "Server", "server"},
    {"pfs", "off", "off"},
    {"pfs", "5", "5"},
    {"natt", "force", "force"},
    {"natt", "cisco-udp", "cisco-udp"},
    {"mode", "network-extension", "network-extension"},
    {"lan", "10.1.0.0/16, 192.168.7.0/255.255.255.0", "10.1.0.0/16, 192.168.7.0/24"},
    {"local_lan", "NO", "no"},
    {"script", "/usr/share/vpnc-scripts/vpnc-script", "/usr/share/vpnc-scripts/vpnc-script"},
    {"dns", "replace-symlink", "replace-symlink"},
    {"resolv_conf", "/run/resolv.conf", "/run/resolv.conf"},
    {"state_file", "/run/evc/x.state", "/run/evc/x.state"},
    {"mtu", "576", "576"},
    {"mtu", "9000", "9000"},
    {"dpd", "0", "0"},
    {"local_port", "10500", "10500"},
    {"ifname", "evc%d", "evc%d"},
    {"ifname", "tun-quiz.0", "tun-quiz.0"},
    {"app_version", "Cisco Systems VPN Client 5.0.07:WinNT",
     "Cisco Systems VPN Client 5.0.07:WinNT"},
};

static void test_good_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct evc_profile *p = prof_new("t");
		char err[600] = "";
		int rc = prof_set(p, good[i].key, good[i].in, err, sizeof(err));
		if (rc)
			print_error("%s = %s: %s\n", good[i].key, good[i].in, err);
		assert_int_equal(rc, 0);
		assert_string_equal(prof_get(p, good[i].key), good[i].canon);
		prof_free(p);
	}
}

static const struct {
	const char *key, *in, *fragment;
} bad[] = {
    {"gateway", "vpn example", "neither a host name nor an IPv4 address"},
    {"gateway", "300.1.1.1", "neither a host name"},
    {"gateway", "1.2.3", "neither a host name"},
    {"gateway", "-vpn.example.com", "neither"},
    {"backup_gateways", "a,,b", "empty item"},
    {"backup_gateways", "a, b, a", "'a' is listed twice"},
    {"pushed_backup_gateways", "a, b, a", "'a' is listed twice"},
    {"save_password", "maybe", "yes"},
    {"exchange", "quick", "aggressive or main"},
    {"backup_gateways", "a1,a2,a3,a4,a5,a6,a7,a8,a9,a10,a11", "more than 10 backup gateways"},
    {"auth", "both", "'both' is not one of psk, cert or hybrid"},
    {"group_key", "/etc/evc/secrets/x", "secrets are not written into profiles"},
    {"group_key", "secret:kwallet", "unknown secret store"},
    {"password", "file:relative/path", "file: needs an absolute path"},
    {"cert", "certs/alice.pem", "is not an absolute path"},
    {"ike", "aes256", "is not CIPHER-HASH"},
    {"ike", "des-sha1", "the cipher must be aes128, aes192, aes256 or 3des"},
    {"ike", "aes256-sha1, aes256-sha1", "'aes256-sha1' is listed twice"},
    {"esp", "aes256-sha512", "the hash must be md5, sha1 or sha256"},
    {"dh", "1", "evc supports DH groups auto, 2, 5, 14, 15, 16, 19 and 20"},
    {"dh", "17", "evc supports DH groups"},
    {"dh", "two", "evc supports DH groups"},
    {"pfs", "dh2", "is not off, server, 2, 5, 14, 15 or 16"},
    {"natt", "yes", "'yes' is not one of auto, force, off or cisco-udp"},
    {"mode", "nem", "is not one of client or network-extension"},
    {"lan", "10.1.0.1/16", "host bits are set"},
    {"lan", "10.1.0.0", "write a network as a.b.c.d/len"},
    {"lan", "10.1.0.0/33", "prefix length must be 0 to 32"},
    {"lan", "10.1.0.0/255.0.255.0", "netmask is not contiguous"},
    {"local_lan", "maybe", "is not one of yes or no"},
    {"dns", "systemd", "is not one of resolv-conf, replace-symlink or off"},
    {"mtu", "575", "is not a whole number from 576 to 9000"},
    {"mtu", "-1", "is not a whole number"},
    {"dpd", "86401", "from 0 to 86400"},
    {"local_port", "4500", "NAT-T port"},
    {"local_port", "0", "from 1 to 65535"},
    {"ifname", "averyveryverylongname", "longer than the 15 characters"},
    {"ifname", "a/b", "is not an interface name"},
    {"description", "tab\there", "control character"},
    {"description", "\xff\xfe", "not valid UTF-8"},
    {"group", "   ", "the value is empty"},
};

static void test_bad_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct evc_profile *p = prof_new("t");
		char err[600] = "";
		assert_int_equal(prof_set(p, "gateway", "before.example", err, sizeof(err)), 0);
		int rc = prof_set(p, bad[i].key, bad[i].in, err, sizeof(err));
		if (rc != -22 || !strstr(err, bad[i].fragment))
			print_error("%s = %s: rc %d, '%s'\n", bad[i].key, bad[i].in, rc, err);
		assert_int_equal(rc, -22);
		assert_non_null(strstr(err, bad[i].fragment));
		/* a rejected value changes nothing */
		assert_string_equal(prof_gateway(p), "before.example");
		if (strcmp(bad[i].key, "gateway") != 0)
			assert_null(prof_get(p, bad[i].key));
		prof_free(p);
	}
}

static void test_unknown_key_and_names(void **state)
{
	(void)state;
	struct evc_profile *p = prof_new("t");
	char err[600];
	assert_int_equal(prof_set(p, "gatway", "x", err, sizeof(err)), -2 /* ENOENT */);
	assert_non_null(strstr(err, "unknown key 'gatway'; the keys are description, gateway"));
	assert_int_equal(prof_unset(p, "nope"), -2);
	prof_free(p);

	assert_true(prof_name_valid("office"));
	assert_true(prof_name_valid("Office-2.v4_x"));
	assert_true(prof_name_valid("0"));
	assert_false(prof_name_valid(""));
	assert_false(prof_name_valid(".hidden"));
	assert_false(prof_name_valid("-x"));
	assert_false(prof_name_valid("a b"));
	assert_false(prof_name_valid("a/b"));
	assert_false(prof_name_valid(".."));
	assert_false(prof_name_valid(NULL));
	char longname[80];
	memset(longname, 'a', 65);
	longname[65] = '\0';
	assert_false(prof_name_valid(longname));
	longname[64] = '\0';
	assert_true(prof_name_valid(longname));
	assert_null(prof_new("bad name"));
	p = prof_new("x");
	assert_int_equal(prof_set_name(p, "../etc"), -22);
	assert_string_equal(prof_name(p), "x");
	prof_free(p);
	prof_free(NULL);
}

static void test_defaults_and_getters(void **state)
{
	(void)state;
	struct evc_profile *p = prof_new("t");
	char err[600];
	const char *path = "unset";

	assert_null(prof_gateway(p));
	assert_null(prof_group(p));
	assert_null(prof_username(p));
	assert_int_equal(prof_auth(p), PROF_AUTH_PSK);
	assert_int_equal(prof_secret_ref(p, PROF_SECRET_GROUP_KEY, &path), PROF_REF_PROMPT);
	assert_null(path);
	assert_int_equal(prof_dh(p), 0); /* automatic */
	assert_int_equal(prof_pfs(p), PROF_PFS_SERVER);
	assert_int_equal(prof_natt(p), PROF_NATT_AUTO);
	assert_int_equal(prof_mode(p), PROF_MODE_CLIENT);
	assert_true(prof_local_lan(p));
	assert_int_equal(prof_dns(p), PROF_DNS_RESOLV_CONF);
	assert_int_equal(prof_mtu(p), 0);
	assert_int_equal(prof_dpd(p), 30);
	assert_int_equal(prof_local_port(p), 0);
	assert_int_equal(prof_ike_list(p, NULL, 0), 0);
	assert_int_equal(prof_esp_list(p, NULL, 0), 0);
	assert_int_equal(prof_owner(p), (uid_t)-1);

	static const char *const kv[][2] = {
	    {"gateway", "vpn.example.com"},
	    {"backup_gateways", "b1, b2"},
	    {"group", "quizware"},
	    {"username", "alice"},
	    {"group_key", "file:/etc/evc/secrets/t.group-key"},
	    {"password", "secret:libsecret"},
	    {"dh", "5"},
	    {"pfs", "14"},
	    {"natt", "off"},
	    {"mode", "network-extension"},
	    {"lan", "10.9.0.0/16"},
	    {"local_lan", "no"},
	    {"dns", "off"},
	    {"mtu", "1300"},
	    {"dpd", "45"},
	    {"local_port", "501"},
	    {"ifname", "vpn0"},
	    {"app_version", "x 1"},
	};
	for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
		assert_int_equal(prof_set(p, kv[i][0], kv[i][1], err, sizeof(err)), 0);
	assert_string_equal(prof_gateway(p), "vpn.example.com");
	assert_int_equal(prof_backup_count(p), 2);
	assert_string_equal(prof_backup(p, 1), "b2");
	assert_null(prof_backup(p, 2));
	assert_string_equal(prof_group(p), "quizware");
	assert_string_equal(prof_username(p), "alice");
	assert_int_equal(prof_secret_ref(p, PROF_SECRET_GROUP_KEY, &path), PROF_REF_FILE);
	assert_string_equal(path, "/etc/evc/secrets/t.group-key");
	assert_int_equal(prof_secret_ref(p, PROF_SECRET_PASSWORD, NULL), PROF_REF_LIBSECRET);
	assert_int_equal(prof_dh(p), 5);
	assert_int_equal(prof_pfs(p), 14);
	assert_int_equal(prof_natt(p), PROF_NATT_OFF);
	assert_int_equal(prof_mode(p), PROF_MODE_NETWORK_EXTENSION);
	assert_int_equal(prof_lan_count(p), 1);
	assert_int_equal(prof_lan(p, 0).addr, 0x0a090000u);
	assert_int_equal(prof_lan(p, 0).mask, 0xffff0000u);
	assert_false(prof_local_lan(p));
	assert_int_equal(prof_dns(p), PROF_DNS_OFF);
	assert_int_equal(prof_mtu(p), 1300);
	assert_int_equal(prof_dpd(p), 45);
	assert_int_equal(prof_local_port(p), 501);
	assert_string_equal(prof_ifname(p), "vpn0");
	assert_string_equal(prof_app_version(p), "x 1");
	assert_int_equal(prof_validate(p, NULL, NULL), 0);

	/* unset restores the default and leaves the other keys alone */
	assert_int_equal(prof_unset(p, "dh"), 0);
	assert_int_equal(prof_dh(p), 0);
	assert_int_equal(prof_pfs(p), 14);
	assert_int_equal(prof_unset(p, "backup_gateways"), 0);
	assert_int_equal(prof_backup_count(p), 0);
	assert_false(prof_is_set(p, "backup_gateways"));
	assert_int_equal(prof_unset(p, "local_lan"), 0);
	assert_true(prof_local_lan(p));

	/* a copy is independent */
	struct evc_profile *c = prof_dup(p);
	assert_int_equal(prof_set(c, "gateway", "other.example", err, sizeof(err)), 0);
	assert_string_equal(prof_gateway(p), "vpn.example.com");
	assert_int_equal(prof_pfs(c), 14);
	prof_free(c);
	prof_free(p);
}

static void test_proposals(void **state)
{
	(void)state;
	struct evc_profile *p = prof_new("t");
	struct prof_p1 p1[8];
	struct prof_p2 p2[8];
	char err[600];

	assert_int_equal(prof_set(p, "ike", "aes256-sha1, 3des-md5", err, sizeof(err)), 0);
	assert_int_equal(prof_ike_list(p, NULL, 0), 2);
	assert_int_equal(prof_ike_list(p, p1, 8), 2);
	assert_int_equal(p1[0].encr, CIPHER_AES_CBC);
	assert_int_equal(p1[0].bits, 256);
	assert_int_equal(p1[0].hash, HASH_SHA1);
	assert_int_equal(p1[1].encr, CIPHER_3DES);
	assert_int_equal(p1[1].bits, 0);
	assert_int_equal(p1[1].hash, HASH_MD5);
	/* a short array gets what fits, the count stays the full one */
	memset(p1, 0xaa, sizeof(p1));
	assert_int_equal(prof_ike_list(p, p1, 1), 2);
	assert_int_equal(p1[1].encr, 0xaa);

	assert_int_equal(prof_set(p, "esp", "aes128-sha256, 3des-sha1", err, sizeof(err)), 0);
	assert_int_equal(prof_esp_list(p, p2, 8), 2);
	assert_int_equal(p2[0].esp, ESP_ENCR_AES_CBC);
	assert_int_equal(p2[0].bits, 128);
	assert_int_equal(p2[0].auth, ESP_AUTH_HMAC_SHA256);
	assert_int_equal(p2[1].esp, ESP_ENCR_3DES);
	assert_int_equal(p2[1].auth, ESP_AUTH_HMAC_SHA1);
	prof_free(p);
}

/* ---- the file ---- */

/* Every key, in an order and spelling unlike the canonical one. */
static const char full_in[] = "; a comment\n"
                              "app_version=evc-test 1\n"
                              "  # another comment\n"
                              "ifname = vpn%d\n"
                              "local_port = 10500\n"
                              "dpd = 60\n"
                              "mtu = 1300\n"
                              "state_file = /run/evc/q.state\n"
                              "resolv_conf = /etc/resolv.conf\n"
                              "dns = OFF\n"
                              "script = /etc/evc/script\n"
                              "\n"
                              "local_lan = no\r\n"
                              "lan = 10.9.0.0/255.255.0.0,10.10.0.0/16\n"
                              "mode = network-extension\n"
                              "natt = force\n"
                              "pfs = server\n"
                              "dh = 14\n"
                              "esp = AES256-SHA1\n"
                              "ike = aes256-sha1,aes128-sha1\n"
                              "ca_cert = /etc/evc/ca.pem\n"
                              "cert_key = /etc/evc/alice.key\n"
                              "cert = /etc/evc/alice.pem\n"
                              "password = secret:libsecret\n"
                              "group_key = file:/etc/evc/secrets/q.group-key\n"
                              "auth = cert\n"
                              "username = alice\n"
                              "group = quizware\n"
                              "backup_gateways = b1.example.com,b2.example.com\n"
                              "gateway = vpn.example.com\n"
                              "description = Quizware # office\n"
                              "pushed_backup_gateways = p1.example.com,198.51.100.2\n"
                              "save_password = YES\n"
                              "exchange = MAIN\n";

static const char full_out[] = "# evc profile 't'\n"
                               "description = Quizware # office\n"
                               "gateway = vpn.example.com\n"
                               "backup_gateways = b1.example.com, b2.example.com\n"
                               "pushed_backup_gateways = p1.example.com, 198.51.100.2\n"
                               "group = quizware\n"
                               "username = alice\n"
                               "auth = cert\n"
                               "group_key = file:/etc/evc/secrets/q.group-key\n"
                               "password = secret:libsecret\n"
                               "cert = /etc/evc/alice.pem\n"
                               "cert_key = /etc/evc/alice.key\n"
                               "ca_cert = /etc/evc/ca.pem\n"
                               "ike = aes256-sha1, aes128-sha1\n"
                               "esp = aes256-sha1\n"
                               "dh = 14\n"
                               "pfs = server\n"
                               "natt = force\n"
                               "mode = network-extension\n"
                               "lan = 10.9.0.0/16, 10.10.0.0/16\n"
                               "local_lan = no\n"
                               "script = /etc/evc/script\n"
                               "dns = off\n"
                               "resolv_conf = /etc/resolv.conf\n"
                               "state_file = /run/evc/q.state\n"
                               "mtu = 1300\n"
                               "dpd = 60\n"
                               "local_port = 10500\n"
                               "ifname = vpn%d\n"
                               "app_version = evc-test 1\n"
                               "save_password = yes\n"
                               "exchange = main\n";

static void test_parse_write_round_trip(void **state)
{
	(void)state;
	struct diag d;
	struct evc_profile *p = parse(full_in, &d, 0);
	assert_int_equal(prof_key_count(), 31);
	/* script with dns/resolv_conf set: both are reported as unused, with their lines */
	expect(&d, PROF_WARNING, 10, "dns", "not used when script is set");
	expect(&d, PROF_WARNING, 9, "resolv_conf", "not used when script is set");
	assert_int_equal(d.count[PROF_ERROR], 0);
	char *text = prof_to_text(p);
	assert_string_equal(text, full_out);
	/* what was written parses to the same text again */
	struct evc_profile *q = parse(text, &d, 0);
	char *again = prof_to_text(q);
	assert_string_equal(again, full_out);
	free(again);
	free(text);

	text = prof_export_text(p);
	assert_non_null(strstr(text, "\ngroup_key = prompt\npassword = prompt\n"));
	assert_null(strstr(text, "secret:"));
	assert_null(strstr(text, "file:"));
	free(text);
	prof_free(q);
	prof_free(p);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct diag d;
	static const char text[] = "gateway = vpn.example.com\n" /* 1 */
	                           "group = quizware\n"          /* 2 */
	                           "Gateway = other\n"           /* 3 */
	                           "gatway = x\n"                /* 4 */
	                           "group = again\n"             /* 5 */
	                           "just words\n"                /* 6 */
	                           "= value\n"                   /* 7 */
	                           "mtu =\n"                     /* 8 */
	                           "dh = 3\n"                    /* 9 */
	                           "group_key = hunter2\n"       /* 10 */
	                           "natt = sometimes\n";         /* 11 */
	parse(text, &d, -22);
	expect(&d, PROF_ERROR, 3, "Gateway", "keys are lower case: write 'gateway'");
	expect(&d, PROF_ERROR, 4, "gatway", "unknown key; the keys are description, gateway");
	expect(&d, PROF_ERROR, 5, "group", "set twice, on lines 2 and 5; keep one");
	expect(&d, PROF_ERROR, 6, "", "the line has no '='");
	expect(&d, PROF_ERROR, 7, "", "no key before '='");
	expect(&d, PROF_ERROR, 8, "mtu", "the value is empty");
	expect(&d, PROF_ERROR, 9, "dh",
	       "'3': evc supports DH groups auto, 2, 5, 14, 15, 16, 19 and 20");
	expect(&d, PROF_ERROR, 10, "group_key", "secrets are not written into profiles");
	expect(&d, PROF_ERROR, 11, "natt",
	       "'sometimes' is not one of auto, force, off or cisco-udp");
	assert_int_equal(d.count[PROF_ERROR], 9);
	/* the full message form, and no secret in any message */
	int i = find(&d, PROF_ERROR, 9, "dh", "");
	assert_true(i >= 0);
	assert_string_equal(d.text[i], "t.profile:9: key 'dh': '3': evc supports DH groups auto, "
	                               "2, 5, 14, 15, 16, 19 and 20");
	for (size_t k = 0; k < d.n; k++)
		assert_null(strstr(d.text[k], "hunter2"));
}

static void test_parse_bad_bytes(void **state)
{
	(void)state;
	struct diag d;
	struct evc_profile *p = NULL;

	/* invalid UTF-8 on line 2 */
	memset(&d, 0, sizeof(d));
	static const char latin1[] = "gateway = a.example\ndescription = B\xfcro\n";
	assert_int_equal(prof_parse(latin1, sizeof(latin1) - 1, "t.profile", "t", collect, &d, &p),
	                 -22);
	expect(&d, PROF_ERROR, 2, "", "is not valid UTF-8");
	/* NUL on line 3 */
	memset(&d, 0, sizeof(d));
	static const char nul[] = "gateway = a.example\ngroup = g\nde\0scription = x\n";
	assert_int_equal(prof_parse(nul, sizeof(nul) - 1, "t.profile", "t", collect, &d, &p), -22);
	expect(&d, PROF_ERROR, 3, "", "NUL character");
	/* an over-long line */
	char *big = malloc(PROF_LINE_MAX + 100);
	snprintf(big, PROF_LINE_MAX + 100, "gateway = a.example\ngroup = g\ndescription = ");
	size_t n = strlen(big);
	memset(big + n, 'x', PROF_LINE_MAX);
	big[n + PROF_LINE_MAX] = '\0';
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_parse(big, strlen(big), "t.profile", "t", collect, &d, &p), -22);
	expect(&d, PROF_ERROR, 3, "", "longer than 4096 bytes");
	free(big);
	/* UTF-8 BOM and CRLF are fine */
	memset(&d, 0, sizeof(d));
	static const char bom[] = "\xef\xbb\xbfgateway = a.example\r\ngroup = g\r\n";
	assert_int_equal(prof_parse(bom, sizeof(bom) - 1, "t.profile", "t", collect, &d, &p), 0);
	assert_string_equal(prof_gateway(p), "a.example");
	assert_string_equal(prof_group(p), "g");
	prof_free(p);
	/* a bad profile name */
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_parse(bom, sizeof(bom) - 1, "t.profile", "a b", collect, &d, &p),
	                 -22);
	expect(&d, PROF_ERROR, 0, "", "'a b' is not a profile name");
}

static void test_validation(void **state)
{
	(void)state;
	struct diag d;

	parse("group = g\n", &d, -22);
	expect(&d, PROF_ERROR, 0, "gateway", "missing: a profile needs the gateway");
	parse("gateway = a.example\n", &d, -22);
	expect(&d, PROF_ERROR, 0, "group", "missing: auth = psk needs the group name");
	parse("gateway = a.example\ngroup = g\nmode = network-extension\n", &d, -22);
	expect(&d, PROF_ERROR, 3, "lan", "network-extension mode needs the networks");

	struct evc_profile *p = parse("gateway = a.example\n"
	                              "group = g\n"
	                              "lan = 10.0.0.0/8\n"
	                              "cert = /x.pem\n"
	                              "backup_gateways = b.example, A.example\n",
	                              &d, 0);
	expect(&d, PROF_WARNING, 3, "lan", "used only with mode = network-extension");
	expect(&d, PROF_WARNING, 4, "cert", "used only with auth = cert");
	expect(&d, PROF_WARNING, 5, "backup_gateways", "'A.example' is the gateway itself");
	prof_free(p);

	p = parse("gateway = a.example\nauth = cert\ngroup_key = secret:libsecret\n", &d, 0);
	expect(&d, PROF_WARNING, 2, "cert", "cannot connect without the client certificate");
	expect(&d, PROF_WARNING, 3, "group_key", "not used with auth = cert");
	/* prof_validate on its own names the profile when it has no file */
	struct evc_profile *m = prof_new("mem");
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_validate(m, collect, &d), 2);
	expect(&d, PROF_ERROR, 0, "gateway", "profile 'mem': key 'gateway': missing");
	prof_free(m);
	prof_free(p);
}

/* ---- the store ---- */

struct tmp {
	char dir[64];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/evc-test-profile-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	int rc = system(cmd);
	free(t);
	return rc == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct evc_profile *make(const char *name, const char *group)
{
	struct evc_profile *p = prof_new(name);
	char err[600];
	assert_int_equal(prof_set(p, "gateway", "vpn.example.com", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "group", group, err, sizeof(err)), 0);
	return p;
}

static void test_default_dirs(void **state)
{
	(void)state;
	char buf[256], err[300];
	char *old_xdg = getenv("XDG_CONFIG_HOME") ? strdup(getenv("XDG_CONFIG_HOME")) : NULL;
	char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

	setenv("XDG_CONFIG_HOME", "/x/config", 1);
	assert_int_equal(
	    prof_store_default_dir(PROF_SCOPE_USER, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "/x/config/evc");
	setenv("XDG_CONFIG_HOME", "relative", 1); /* invalid per the XDG spec: ignored */
	setenv("HOME", "/home/alice", 1);
	assert_int_equal(
	    prof_store_default_dir(PROF_SCOPE_USER, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "/home/alice/.config/evc");
	unsetenv("XDG_CONFIG_HOME");
	assert_int_equal(
	    prof_store_default_dir(PROF_SCOPE_SYSTEM, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "/etc/evc");
	assert_int_equal(prof_store_default_dir(PROF_SCOPE_USER, buf, 10, err, sizeof(err)),
	                 -36 /* ENAMETOOLONG */);

	if (old_xdg)
		setenv("XDG_CONFIG_HOME", old_xdg, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_xdg);
	free(old_home);
}

static void test_store(void **state)
{
	struct tmp *t = *state;
	char dir[128], path[256], err[600];
	struct diag d;
	struct stat sb;

	snprintf(dir, sizeof(dir), "%s/config/evc", t->dir);
	struct prof_store *st = prof_store_new(dir);
	assert_string_equal(prof_store_dir(st), dir);

	/* a missing directory holds no profiles */
	char **names = NULL;
	size_t n = 99;
	assert_int_equal(prof_store_list(st, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	prof_names_free(names, n);

	/* save creates the directories 0700 and the file 0600 */
	struct evc_profile *p = make("office", "quizware");
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_store_save(st, p, false, collect, &d, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/office.profile", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(prof_store_exists(st, "office"));
	/* exists: refused without replace, accepted with */
	assert_int_equal(prof_store_save(st, p, false, collect, &d, err, sizeof(err)),
	                 -17 /* EEXIST */);
	assert_non_null(strstr(err, "profile 'office' already exists"));
	assert_int_equal(prof_set(p, "dh", "5", err, sizeof(err)), 0);
	assert_int_equal(prof_store_save(st, p, true, collect, &d, err, sizeof(err)), 0);
	prof_free(p);
	/* an invalid profile is not written */
	p = prof_new("broken");
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_store_save(st, p, false, collect, &d, err, sizeof(err)), -22);
	assert_non_null(strstr(err, "key 'gateway': missing"));
	assert_false(prof_store_exists(st, "broken"));
	prof_free(p);

	p = make("home", "quizware");
	assert_int_equal(prof_store_save(st, p, false, NULL, NULL, err, sizeof(err)), 0);
	prof_free(p);
	p = make("Lab-2", "lab");
	assert_int_equal(prof_store_save(st, p, false, NULL, NULL, err, sizeof(err)), 0);
	prof_free(p);
	/* files that are not profiles are skipped by list; a broken profile is listed */
	snprintf(path, sizeof(path), "%s/README", dir);
	write_file(path, "not a profile\n");
	snprintf(path, sizeof(path), "%s/bad name.profile", dir);
	write_file(path, "gateway = x\n");
	snprintf(path, sizeof(path), "%s/.hidden.profile", dir);
	write_file(path, "gateway = x\n");
	snprintf(path, sizeof(path), "%s/zz.profile", dir);
	write_file(path, "gateway = x\ngroup = lab\nbogus = 1\n");

	assert_int_equal(prof_store_list(st, &names, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], "Lab-2");
	assert_string_equal(names[1], "home");
	assert_string_equal(names[2], "office");
	assert_string_equal(names[3], "zz");
	prof_names_free(names, n);

	/* load: source, owner, content */
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_store_load(st, "office", collect, &d, &p, err, sizeof(err)), 0);
	assert_int_equal(prof_dh(p), 5);
	snprintf(path, sizeof(path), "%s/office.profile", dir);
	assert_string_equal(prof_source(p), path);
	assert_int_equal(prof_owner(p), getuid());
	prof_free(p);
	assert_int_equal(prof_store_load(st, "nothere", collect, &d, &p, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "there is no profile 'nothere' in"));
	assert_int_equal(prof_store_load(st, "../x", collect, &d, &p, err, sizeof(err)), -22);
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_store_load(st, "zz", collect, &d, &p, err, sizeof(err)), -22);
	snprintf(path, sizeof(path), "%s/zz.profile", dir);
	expect(&d, PROF_ERROR, 3, "bogus", "unknown key");
	assert_non_null(strstr(d.text[0], path));

	/* find by group: one, none, several (named), and the broken one reported */
	memset(&d, 0, sizeof(d));
	assert_int_equal(prof_store_find_group(st, "lab", collect, &d, &p, err, sizeof(err)), 0);
	assert_string_equal(prof_name(p), "Lab-2");
	expect(&d, PROF_ERROR, 3, "bogus", "unknown key");
	prof_free(p);
	assert_int_equal(prof_store_find_group(st, "nope", NULL, NULL, &p, err, sizeof(err)), -2);
	assert_non_null(strstr(err, "no readable profile in"));
	assert_non_null(strstr(err, "has group 'nope' (1 could not be read"));
	assert_int_equal(prof_store_find_group(st, "quizware", NULL, NULL, &p, err, sizeof(err)),
	                 -17);
	assert_null(p);
	assert_non_null(strstr(err, "profiles home, office all use group 'quizware'; choose one "
	                            "with --profile NAME"));
	assert_int_equal(prof_store_find_group(st, "QUIZWARE", NULL, NULL, &p, err, sizeof(err)),
	                 -2);

	/* remove */
	assert_int_equal(prof_store_remove(st, "home", err, sizeof(err)), 0);
	assert_false(prof_store_exists(st, "home"));
	assert_int_equal(prof_store_remove(st, "home", err, sizeof(err)), -2);
	assert_non_null(strstr(err, "there is no profile 'home'"));
	assert_int_equal(prof_store_find_group(st, "quizware", NULL, NULL, &p, err, sizeof(err)),
	                 0);
	assert_string_equal(prof_name(p), "office");
	prof_free(p);

	/* the file on disk is exactly what prof_to_text writes */
	assert_int_equal(prof_store_load(st, "Lab-2", NULL, NULL, &p, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/Lab-2.profile", dir);
	FILE *f = fopen(path, "r");
	char buf[512];
	size_t got = fread(buf, 1, sizeof(buf) - 1, f);
	buf[got] = '\0';
	fclose(f);
	assert_string_equal(buf, "# evc profile 'Lab-2'\ngateway = vpn.example.com\ngroup = lab\n");
	prof_free(p);

	/* prof_load names the profile after its file */
	assert_int_equal(prof_load(path, NULL, NULL, NULL, &p), 0);
	assert_string_equal(prof_name(p), "Lab-2");
	prof_free(p);
	prof_store_free(st);
	prof_store_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_values),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_unknown_key_and_names),
	    cmocka_unit_test(test_defaults_and_getters),
	    cmocka_unit_test(test_proposals),
	    cmocka_unit_test(test_parse_write_round_trip),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_parse_bad_bytes),
	    cmocka_unit_test(test_validation),
	    cmocka_unit_test(test_default_dirs),
	    cmocka_unit_test_setup_teardown(test_store, tmp_setup, tmp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
