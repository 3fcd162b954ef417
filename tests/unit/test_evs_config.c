/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs configuration: the sample server/evs.conf parses and maps to known proposal arrays and
 * group policy values; every command family; IOS defaults; each error path reports the
 * right line and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "lib/crypto.h"
#include "ike/isakmp.h"
#include "server/core/config.h"

#define SAMPLE EVC_SOURCE_DIR "/server/evs.conf"
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

struct diag {
	size_t n, n_err, n_warn;
	unsigned line[64];
	enum evs_config_severity sev[64];
	char msg[64][1100];
};

static void collect(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct diag *d = ctx;

	if (sev == EVS_CONFIG_ERROR)
		d->n_err++;
	else
		d->n_warn++;
	if (d->n == 64)
		return;
	d->line[d->n] = line;
	d->sev[d->n] = sev;
	snprintf(d->msg[d->n], sizeof(d->msg[0]), "%s", msg);
	d->n++;
}

static struct evs_config *parse(const char *text, struct diag *d)
{
	memset(d, 0, sizeof(*d));
	return evs_config_parse("evs.conf", text, strlen(text), collect, d);
}

static void dump(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  [%s] %s\n", d->sev[i] == EVS_CONFIG_ERROR ? "E" : "W", d->msg[i]);
}

/* A small valid configuration; BASE_LINES lines, so appended text starts on line 23. */
static const char *const base_lines[] = {
    "aaa new-model",                                         /* 1 */
    "aaa authentication login U local",                      /* 2 */
    "aaa authorization network G local",                     /* 3 */
    "username u secret p",                                   /* 4 */
    "ip local pool P 10.0.0.10 10.0.0.20",                   /* 5 */
    "crypto isakmp client configuration group G",            /* 6 */
    " key k",                                                /* 7 */
    " pool P",                                               /* 8 */
    "crypto isakmp policy 10",                               /* 9 */
    " encryption aes 256",                                   /* 10 */
    " authentication pre-share",                             /* 11 */
    " group 2",                                              /* 12 */
    "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac", /* 13 */
    "crypto dynamic-map D 10",                               /* 14 */
    " set transform-set T",                                  /* 15 */
    "crypto map M client authentication list U",             /* 16 */
    "crypto map M isakmp authorization list G",              /* 17 */
    "crypto map M client configuration address respond",     /* 18 */
    "crypto map M 65535 ipsec-isakmp dynamic D",             /* 19 */
    "interface eth0",                                        /* 20 */
    " ip address 198.51.100.1 255.255.255.0",                /* 21 */
    " crypto map M",                                         /* 22 */
};
#define BASE_LINES 22

/* The base with line `replace` (1-based, 0: none) swapped for `with`, then `extra`. */
static char *build(unsigned replace, const char *with, const char *extra)
{
	size_t cap = 8192;
	char *s = malloc(cap);
	size_t o = 0;

	assert_non_null(s);
	for (unsigned i = 0; i < BASE_LINES; i++) {
		const char *l = (i + 1 == replace) ? with : base_lines[i];

		o += (size_t)snprintf(s + o, cap - o, "%s\n", l);
	}
	o += (size_t)snprintf(s + o, cap - o, "%s", extra ? extra : "");
	assert_true(o < cap);
	return s;
}

static struct evs_config *parse_built(unsigned replace, const char *with, const char *extra,
                                      struct diag *d)
{
	char *text = build(replace, with, extra);
	struct evs_config *c = parse(text, d);

	free(text);
	return c;
}

/* One configuration that must be refused with exactly one error. */
struct err_case {
	enum { PART, WHOLE } match; /* msg is part of the message, or all of it */
	unsigned replace;           /* base line swapped for `with` (0: none) */
	const char *with;
	const char *extra; /* appended to the base, so from line 23 on */
	unsigned line;     /* the line the error names; 0: the whole file */
	const char *msg;
};

/* Whether k gives exactly one error, on its line and with its message; prints why not. */
static bool error_case_holds(const struct err_case *k, size_t idx)
{
	struct diag d;
	struct evs_config *c = parse_built(k->replace, k->with, k->extra, &d);
	char prefix[32];
	bool ok = !c && d.n_err == 1;

	snprintf(prefix, sizeof(prefix), "evs.conf:%u: ", k->line);
	for (size_t i = 0; ok && i < d.n; i++) {
		if (d.sev[i] != EVS_CONFIG_ERROR)
			continue;
		if (k->match == WHOLE)
			ok = d.line[i] == k->line && strcmp(d.msg[i], k->msg) == 0;
		else
			ok = d.line[i] == k->line && strstr(d.msg[i], k->msg) &&
			     (!k->line || strncmp(d.msg[i], prefix, strlen(prefix)) == 0);
	}
	if (!ok) {
		print_message("case %zu: wanted exactly one error, on line %u, %s:\n  %s\n"
		              "got %s and %zu error(s):\n",
		              idx, k->line, k->match == WHOLE ? "reading" : "containing", k->msg,
		              c ? "a configuration" : "no configuration", d.n_err);
		dump(&d);
	}
	evs_config_free(c);
	return ok;
}

static struct evs_config *expect_ok(unsigned replace, const char *with, const char *extra,
                                    struct diag *d)
{
	struct evs_config *c = parse_built(replace, with, extra, d);

	if (!c || d->n_err)
		dump(d);
	assert_non_null(c);
	return c;
}

/* ---- The sample configuration ---- */

static void sample_parses_and_maps(void **state)
{
	struct diag d = {0};
	struct evs_config *c = evs_config_load(SAMPLE, collect, &d);
	static const struct ike_p1_prop want_p1[] = {
	    {CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 2, 86400},
	    {CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_PSK, 2, 86400},
	    {CIPHER_3DES, 0, HASH_SHA1, IKE_AUTH_PSK, 2, 28800},
	};
	static const struct ike_p2_prop want_p2[] = {
	    {ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1, 0, 3600, 4608000},
	    {ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA1, 0, 3600, 4608000},
	    {ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_SHA1, 0, 3600, 4608000},
	};
	struct ike_p1_prop p1[8];
	struct ike_p2_prop p2[8];
	struct evc_net listen[4];
	unsigned secs, retry;
	bool periodic;

	(void)state;
	dump(&d);
	assert_non_null(c);
	assert_int_equal(d.n, 0); /* not even a warning */

	assert_int_equal(evs_config_p1(c, p1, 8), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(p1[i].encr, want_p1[i].encr);
		assert_int_equal(p1[i].key_bits, want_p1[i].key_bits);
		assert_int_equal(p1[i].hash, want_p1[i].hash);
		assert_int_equal(p1[i].auth, want_p1[i].auth);
		assert_int_equal(p1[i].group, want_p1[i].group);
		assert_int_equal(p1[i].life_s, want_p1[i].life_s);
	}
	assert_int_equal(evs_config_p2(c, p2, 8), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(p2[i].esp, want_p2[i].esp);
		assert_int_equal(p2[i].key_bits, want_p2[i].key_bits);
		assert_int_equal(p2[i].auth, want_p2[i].auth);
		assert_int_equal(p2[i].pfs_group, want_p2[i].pfs_group);
		assert_int_equal(p2[i].life_s, want_p2[i].life_s);
		assert_int_equal(p2[i].life_kb, want_p2[i].life_kb);
	}
	/* sizing call and a short array */
	assert_int_equal(evs_config_p1(c, NULL, 0), 3);
	memset(p2, 0xee, sizeof(p2));
	assert_int_equal(evs_config_p2(c, p2, 1), 3);
	assert_int_equal(p2[1].esp, 0xee);

	evs_config_keepalive(c, &secs, &retry, &periodic);
	assert_int_equal(secs, 60);
	assert_int_equal(retry, 10);
	assert_false(periodic);
	assert_int_equal(evs_config_xauth_timeout(c), 60);
	assert_int_equal(evs_config_nat_keepalive(c), 20);
	assert_true(evs_config_modecfg_respond(c));
	assert_false(evs_config_modecfg_initiate(c));
	assert_int_equal(evs_config_rri(c, ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1),
	                 EVS_RRI_CLIENT);
	assert_int_equal(evs_config_rri(c, ESP_ENCR_AES_CBC, 192, ESP_AUTH_HMAC_SHA1),
	                 EVS_RRI_NONE);
	assert_int_equal(evs_config_listen(c, listen, 4), 1);
	assert_int_equal(listen[0].addr, IP(198, 51, 100, 1));
	assert_int_equal(listen[0].mask, IP(255, 255, 255, 0));
	evs_config_free(c);
}

static void sample_group_policy(void **state)
{
	struct diag d = {0};
	struct evs_config *c = evs_config_load(SAMPLE, collect, &d);
	struct evc_policy pol;
	uint32_t first, last;
	const char *key;
	size_t len;

	(void)state;
	assert_non_null(c);
	assert_int_equal(evs_config_n_groups(c), 1);
	assert_string_equal(evs_config_group_name(c, 0), "quizware");
	assert_null(evs_config_group_name(c, 1));
	assert_int_equal(evs_config_group_find(c, "quizware"), 0);
	assert_int_equal(evs_config_group_find(c, "QUIZWARE"), -2 /* -ENOENT */);
	key = evs_config_group_key(c, 0, &len);
	assert_int_equal(len, 11);
	assert_memory_equal(key, "groupsecret", 11);
	assert_int_equal(evs_config_group_max_users(c, 0), 0);
	assert_int_equal(evs_config_group_max_logins(c, 0), 0);

	assert_int_equal(evs_config_n_pools(c), 1);
	assert_string_equal(evs_config_pool_name(c, 0), "quizware-pool");
	evs_config_pool_range(c, 0, &first, &last);
	assert_int_equal(first, IP(10, 98, 0, 10));
	assert_int_equal(last, IP(10, 98, 0, 100));
	assert_int_equal(evs_config_group_pool(c, 0), 0);

	evs_config_group_policy(c, 0, &pol);
	assert_int_equal(pol.have, EVC_HAVE_ADDR | EVC_HAVE_NETMASK | EVC_HAVE_DOMAIN |
	                               EVC_HAVE_SAVE_PASSWD | EVC_HAVE_PFS);
	assert_int_equal(pol.addr, 0);
	assert_int_equal(pol.netmask, 0xffffffffu);
	assert_int_equal(pol.n_dns, 1);
	assert_int_equal(pol.dns[0], IP(10, 99, 0, 53));
	assert_int_equal(pol.n_wins, 0);
	assert_string_equal(pol.domain, "quizware.com");
	assert_string_equal(pol.banner, "");
	assert_int_equal(pol.n_split_include, 1);
	assert_int_equal(pol.split_include[0].addr, IP(10, 99, 0, 0));
	assert_int_equal(pol.split_include[0].mask, IP(255, 255, 255, 0));
	assert_int_equal(pol.n_local_lan, 0);
	assert_false(pol.save_passwd);
	assert_false(pol.pfs);
	assert_false(pol.network_extension); /* only where a group says `nem enable` */

	assert_true(evs_config_check_password(c, "richard", "richard-pw-1"));
	assert_true(evs_config_check_password(c, "natalie", "natalie-pw-2"));
	assert_true(evs_config_check_password(c, "Richard", "richard-pw-1")); /* `local` */
	assert_false(evs_config_check_password(c, "richard", "natalie-pw-2"));
	assert_false(evs_config_check_password(c, "richard", "richard-pw-"));
	assert_false(evs_config_check_password(c, "richard", "richard-pw-12"));
	assert_false(evs_config_check_password(c, "richard", ""));
	assert_false(evs_config_check_password(c, "nobody", ""));
	assert_false(evs_config_check_password(c, "nobody", "richard-pw-1"));
	assert_true(evs_config_users_nocase(c));
	evs_config_free(c);
}

/* The same text from a buffer, with CRLF line ends and no final newline. */
static void sample_crlf_buffer(void **state)
{
	FILE *f = fopen(SAMPLE, "rb");
	char *text = calloc(1, 65536), *crlf = calloc(1, 131072);
	size_t n, o = 0;
	struct diag d;
	struct evs_config *c;

	(void)state;
	assert_non_null(f);
	n = fread(text, 1, 65535, f);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\n')
			crlf[o++] = '\r';
		crlf[o++] = text[i];
	}
	o -= 2; /* drop the final CRLF */
	memset(&d, 0, sizeof(d));
	c = evs_config_parse("evs.conf", crlf, o, collect, &d);
	assert_non_null(c);
	assert_int_equal(d.n, 0);
	assert_int_equal(evs_config_p1(c, NULL, 0), 3);
	evs_config_free(c);
	free(text);
	free(crlf);
}

/* ---- Defaults and each command family ---- */

static void base_is_clean(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL, NULL, &d);
	struct ike_p1_prop p1;
	struct ike_p2_prop p2;
	unsigned secs, retry;
	bool periodic;

	(void)state;
	assert_int_equal(d.n, 0);
	/* IOS defaults: hash sha, lifetime 86400; IPsec 3600 s / 4608000 KB */
	assert_int_equal(evs_config_p1(c, &p1, 1), 1);
	assert_int_equal(p1.hash, HASH_SHA1);
	assert_int_equal(p1.life_s, 86400);
	assert_int_equal(p1.auth, IKE_AUTH_PSK);
	assert_int_equal(evs_config_p2(c, &p2, 1), 1);
	assert_int_equal(p2.life_s, 3600);
	assert_int_equal(p2.life_kb, 4608000);
	assert_int_equal(p2.pfs_group, 0);
	/* no keepalive, xauth timeout 60, no NAT keepalive, no RRI */
	evs_config_keepalive(c, &secs, &retry, &periodic);
	assert_int_equal(secs, 0);
	assert_int_equal(evs_config_xauth_timeout(c), 60);
	assert_int_equal(evs_config_nat_keepalive(c), 0);
	assert_int_equal(evs_config_frag_size(c), 0);
	assert_int_equal(evs_config_rri(c, ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1),
	                 EVS_RRI_NONE);
	evs_config_free(c);
}

static void isakmp_policies_in_priority_order(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL,
	                                 "crypto isakmp policy 30\n"
	                                 " encryption 3des\n"
	                                 " hash md5\n"
	                                 " authentication pre-share\n"
	                                 " group 5\n"
	                                 " lifetime 3600\n"
	                                 "crypto isakmp policy 5\n"
	                                 " encryption aes\n"
	                                 " hash sha256\n"
	                                 " authentication rsa-sig\n"
	                                 " group 14\n"
	                                 "crypto isakmp policy 20\n"
	                                 " encryption aes 192\n"
	                                 " hash sha512\n"
	                                 " group 16\n"
	                                 " authentication pre-share\n"
	                                 "crypto isakmp policy 5\n" /* re-entered: edits policy 5 */
	                                 " lifetime 600\n",
	                                 &d);
	struct ike_p1_prop p1[8];

	(void)state;
	assert_int_equal(d.n, 0);
	assert_int_equal(evs_config_p1(c, p1, 8), 4);
	assert_int_equal(p1[0].encr, CIPHER_AES_CBC);
	assert_int_equal(p1[0].key_bits, 128);
	assert_int_equal(p1[0].hash, HASH_SHA256);
	assert_int_equal(p1[0].auth, IKE_AUTH_RSA_SIG);
	assert_int_equal(p1[0].group, 14);
	assert_int_equal(p1[0].life_s, 600);
	assert_int_equal(p1[1].key_bits, 256); /* policy 10 of the base */
	assert_int_equal(p1[1].group, 2);
	assert_int_equal(p1[2].key_bits, 192);
	assert_int_equal(p1[2].hash, HASH_SHA512);
	assert_int_equal(p1[2].group, 16);
	assert_int_equal(p1[3].encr, CIPHER_3DES);
	assert_int_equal(p1[3].key_bits, 0);
	assert_int_equal(p1[3].hash, HASH_MD5);
	assert_int_equal(p1[3].group, 5);
	assert_int_equal(p1[3].life_s, 3600);
	evs_config_free(c);
}

static void isakmp_default_auth_is_rsa_sig(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL,
	                                 "crypto isakmp policy 50\n"
	                                 " encryption aes\n"
	                                 " group 2\n",
	                                 &d);
	struct ike_p1_prop p1[2];

	(void)state;
	assert_int_equal(d.n_warn, 1);
	assert_int_equal(d.line[0], 23);
	assert_string_equal(d.msg[0],
	                    "evs.conf:23: warning: policy 50 has no 'authentication', so the IOS "
	                    "default rsa-sig applies; EasyVPN clients with a group key need "
	                    "'authentication pre-share' in 'crypto isakmp policy 50'");
	assert_int_equal(evs_config_p1(c, p1, 2), 2);
	assert_int_equal(p1[1].auth, IKE_AUTH_RSA_SIG);
	assert_int_equal(p1[1].hash, HASH_SHA1);
	evs_config_free(c);
}

static void timers_and_lifetimes(void **state)
{
	struct diag d;
	struct evs_config *c =
	    expect_ok(15, " set transform-set T T2",
	              "crypto isakmp keepalive 3600 2 periodic\n"
	              "crypto isakmp xauth timeout 5\n"
	              "crypto isakmp nat keepalive 3600\n"
	              "crypto isakmp fragmentation\n"
	              "crypto isakmp fragmentation mtu 576\n"
	              "crypto ipsec security-association lifetime seconds 1800\n"
	              "crypto ipsec security-association lifetime kilobytes 2560\n"
	              "crypto ipsec transform-set T2 esp-sha256-hmac esp-null\n"
	              "crypto dynamic-map D 5\n"
	              " set transform-set T\n"
	              " set security-association lifetime seconds 120\n"
	              " set pfs group14\n"
	              " reverse-route remote-peer\n"
	              "crypto isakmp client configuration group G\n"
	              " pfs\n",
	              &d);
	struct ike_p2_prop p2[8];
	unsigned secs, retry;
	bool periodic;

	(void)state;
	assert_int_equal(d.n, 0);
	evs_config_keepalive(c, &secs, &retry, &periodic);
	assert_int_equal(secs, 3600);
	assert_int_equal(retry, 2);
	assert_true(periodic);
	assert_int_equal(evs_config_xauth_timeout(c), 5);
	assert_int_equal(evs_config_nat_keepalive(c), 3600);
	assert_int_equal(evs_config_frag_size(c), 576);
	/* entry 5 first (sequence order), then entry 10 with T and T2 */
	assert_int_equal(evs_config_p2(c, p2, 8), 3);
	assert_int_equal(p2[0].esp, ESP_ENCR_AES_CBC);
	assert_int_equal(p2[0].pfs_group, 14);
	assert_int_equal(p2[0].life_s, 120);
	assert_int_equal(p2[0].life_kb, 2560);
	assert_int_equal(p2[1].esp, ESP_ENCR_AES_CBC);
	assert_int_equal(p2[1].pfs_group, 0);
	assert_int_equal(p2[1].life_s, 1800);
	assert_int_equal(p2[2].esp, ESP_ENCR_NULL);
	assert_int_equal(p2[2].key_bits, 0);
	assert_int_equal(p2[2].auth, ESP_AUTH_HMAC_SHA256);
	/* RRI follows the first entry that offers the transform */
	assert_int_equal(evs_config_rri(c, ESP_ENCR_AES_CBC, 256, ESP_AUTH_HMAC_SHA1),
	                 EVS_RRI_REMOTE_PEER);
	assert_int_equal(evs_config_rri(c, ESP_ENCR_NULL, 0, ESP_AUTH_HMAC_SHA256), EVS_RRI_NONE);
	evs_config_free(c);
}

static void keepalive_default_retry(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL, "crypto isakmp keepalive 10\n", &d);
	unsigned secs, retry;
	bool periodic;

	(void)state;
	evs_config_keepalive(c, &secs, &retry, &periodic);
	assert_int_equal(secs, 10);
	assert_int_equal(retry, 2);
	assert_false(periodic);
	evs_config_free(c);
}

static void transform_sets_and_duplicates(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(15, " set transform-set T A B C A",
	                                 "crypto ipsec transform-set A esp-3des esp-md5-hmac\n"
	                                 " mode tunnel\n"
	                                 "crypto ipsec transform-set B esp-sha-hmac esp-aes 192\n"
	                                 "crypto ipsec transform-set C esp-aes 256 esp-sha-hmac\n"
	                                 "crypto dynamic-map D 20\n"
	                                 " set transform-set B\n",
	                                 &d);
	struct ike_p2_prop p2[8];

	(void)state;
	/* T, A, B (C repeats T, the second A repeats A, entry 20's B repeats B) */
	assert_int_equal(evs_config_p2(c, p2, 8), 3);
	assert_int_equal(p2[0].key_bits, 256);
	assert_int_equal(p2[1].esp, ESP_ENCR_3DES);
	assert_int_equal(p2[1].auth, ESP_AUTH_HMAC_MD5);
	assert_int_equal(p2[2].esp, ESP_ENCR_AES_CBC);
	assert_int_equal(p2[2].key_bits, 192);
	assert_int_equal(p2[2].auth, ESP_AUTH_HMAC_SHA1);
	evs_config_free(c);
}

static void group_commands(void **state)
{
	struct diag d;
	struct evs_config *c =
	    expect_ok(6, "crypto isakmp client configuration group G max-users 20 max-logins 2",
	              "crypto isakmp client configuration group G\n"
	              " dns 10.1.1.1 10.1.1.2\n"
	              " wins 10.1.1.3\n"
	              " domain example.com\n"
	              " split-dns example.com\n"
	              " split-dns corp.example.net\n"
	              " acl SPLIT\n"
	              " include-local-lan\n"
	              " save-password\n"
	              " nem enable\n"
	              " backup-gateway 198.51.100.2\n"
	              " backup-gateway vpn3.example.com\n"
	              " netmask 255.255.255.0\n"
	              " banner #\n"
	              "Welcome to the VPN.\n"
	              "  Second line.\n"
	              "#\n"
	              " max-logins 3\n"
	              "ip access-list extended SPLIT\n"
	              " 30 permit ip host 10.5.5.5 any\n"
	              " 10 permit ip 10.2.0.0 0.0.255.255 any\n"
	              " remark the central site\n"
	              " 20 permit ip any any log\n",
	              &d);
	struct evc_policy pol;
	int g = evs_config_group_find(c, "G");

	(void)state;
	assert_int_equal(g, 0);
	assert_int_equal(d.n_warn, 2); /* the ignored `log`, and RADIUS on IOS */
	assert_int_equal(d.line[0], 45);
	assert_int_equal(d.line[1], 6);
	assert_non_null(strstr(d.msg[1], "evs.conf:6: warning: group G: include-local-lan and "
	                                 "save-password on IOS take effect only for users "
	                                 "authenticated through RADIUS; the client authentication "
	                                 "list has no 'group radius', so evs applies them to its "
	                                 "local users"));
	assert_int_equal(evs_config_group_max_users(c, 0), 20);
	assert_int_equal(evs_config_group_max_logins(c, 0), 3);
	evs_config_group_policy(c, 0, &pol);
	assert_int_equal(pol.have, EVC_HAVE_ADDR | EVC_HAVE_NETMASK | EVC_HAVE_DOMAIN |
	                               EVC_HAVE_BANNER | EVC_HAVE_SAVE_PASSWD | EVC_HAVE_PFS |
	                               EVC_HAVE_SPLIT_DNS | EVC_HAVE_BACKUP);
	assert_int_equal(pol.netmask, IP(255, 255, 255, 0));
	assert_int_equal(pol.n_dns, 2);
	assert_int_equal(pol.dns[0], IP(10, 1, 1, 1));
	assert_int_equal(pol.dns[1], IP(10, 1, 1, 2));
	assert_int_equal(pol.n_wins, 1);
	assert_int_equal(pol.wins[0], IP(10, 1, 1, 3));
	assert_string_equal(pol.domain, "example.com");
	assert_string_equal(pol.split_dns, "example.com,corp.example.net");
	assert_string_equal(pol.backup_servers, "198.51.100.2,vpn3.example.com");
	assert_string_equal(pol.banner, "Welcome to the VPN.\n  Second line.");
	assert_true(pol.save_passwd);
	assert_false(pol.pfs);
	assert_true(pol.network_extension);
	/* sequence order 10, 20, 30 */
	assert_int_equal(pol.n_split_include, 3);
	assert_int_equal(pol.split_include[0].addr, IP(10, 2, 0, 0));
	assert_int_equal(pol.split_include[0].mask, IP(255, 255, 0, 0));
	assert_int_equal(pol.split_include[1].addr, 0);
	assert_int_equal(pol.split_include[1].mask, 0);
	assert_int_equal(pol.split_include[2].addr, IP(10, 5, 5, 5));
	assert_int_equal(pol.split_include[2].mask, 0xffffffffu);
	assert_int_equal(pol.n_local_lan, 1);
	assert_int_equal(pol.local_lan[0].addr, 0);
	assert_int_equal(pol.local_lan[0].mask, 0xffffffffu);
	evs_config_free(c);
}

static void group_banner_forms(void **state)
{
	struct diag d;
	struct evs_config *c;
	struct evc_policy pol;

	(void)state;
	c = expect_ok(0, NULL,
	              "crypto isakmp client configuration group G\n"
	              " banner c Hello world! c\n",
	              &d);
	evs_config_group_policy(c, 0, &pol);
	assert_string_equal(pol.banner, "Hello world!");
	evs_config_free(c);

	/* `show running-config` prints the delimiter as ^C */
	c = expect_ok(0, NULL,
	              "crypto isakmp client configuration group G\n"
	              " banner ^C\n"
	              "Authorised use only.\n"
	              "^C\n"
	              " dns 10.0.0.53\n",
	              &d);
	evs_config_group_policy(c, 0, &pol);
	assert_string_equal(pol.banner, "Authorised use only.");
	assert_int_equal(pol.n_dns, 1); /* the group sub-mode continues after the banner */
	evs_config_free(c);
}

static void firewall_is_flagged(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL,
	                                 "crypto isakmp client configuration group G\n"
	                                 " firewall are-u-there\n",
	                                 &d);
	struct evc_policy pol;

	(void)state;
	assert_int_equal(d.n_warn, 0); /* evs checks what the client reports */
	evs_config_group_policy(c, 0, &pol);
	assert_true(pol.have & EVC_HAVE_FW_TYPE);
	evs_config_free(c);
}

static void standard_and_numbered_acls(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL,
	                                 "crypto isakmp client configuration group G\n"
	                                 " acl 10\n"
	                                 "access-list 10 remark inside networks\n"
	                                 "access-list 10 permit 10.7.0.0 0.0.255.255\n"
	                                 "access-list 10 deny 10.8.0.0 0.0.255.255\n"
	                                 "access-list 10 permit 10.9.9.9\n"
	                                 "access-list 10 permit 10.10.10.77 0.0.0.255\n",
	                                 &d);
	struct evc_policy pol;

	(void)state;
	/* the deny entry and the host bits are warnings */
	assert_int_equal(d.n_warn, 2);
	evs_config_group_policy(c, 0, &pol);
	assert_int_equal(pol.n_split_include, 3);
	assert_int_equal(pol.split_include[0].addr, IP(10, 7, 0, 0));
	assert_int_equal(pol.split_include[0].mask, IP(255, 255, 0, 0));
	assert_int_equal(pol.split_include[1].addr, IP(10, 9, 9, 9));
	assert_int_equal(pol.split_include[1].mask, 0xffffffffu);
	assert_int_equal(pol.split_include[2].addr, IP(10, 10, 10, 0));
	assert_int_equal(pol.split_include[2].mask, IP(255, 255, 255, 0));
	evs_config_free(c);
}

static void users_and_aaa(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(2, "aaa authentication login U local-case",
	                                 "username Bob password 0 two words  \n"
	                                 "username carol privilege 15 secret 0 c-pw\n"
	                                 "username u secret newer\n",
	                                 &d);

	(void)state;
	assert_false(evs_config_users_nocase(c));
	assert_true(evs_config_check_password(c, "Bob", "two words"));
	assert_false(evs_config_check_password(c, "bob", "two words")); /* local-case */
	assert_true(evs_config_check_password(c, "carol", "c-pw"));
	assert_true(evs_config_check_password(c, "u", "newer"));
	assert_false(evs_config_check_password(c, "u", "p"));
	/* privilege ignored, user u replaced */
	assert_int_equal(d.n_warn, 2);
	assert_int_equal(d.line[0], 24);
	assert_int_equal(d.line[1], 25);
	assert_string_equal(d.msg[1], "evs.conf:25: warning: replaces user 'u' of line 4 in "
	                              "'username u secret <hidden>'");
	evs_config_free(c);
}

static void layout_comments_exit_end(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL,
	                                 "!\n"
	                                 "   ! an indented comment\n"
	                                 "\n"
	                                 "crypto isakmp client configuration group G\n"
	                                 "\n"
	                                 " ! blank lines and comments keep the sub-mode open\n"
	                                 "\t wins 10.3.3.3\n"
	                                 " exit\n"
	                                 "interface FastEthernet 0/1\n"
	                                 " description inside\n"
	                                 " no ip address\n"
	                                 " shutdown\n"
	                                 "hostname evs\n"
	                                 "end\n"
	                                 "\n"
	                                 "! comments after end are fine\n",
	                                 &d);
	struct evc_policy pol;
	struct evc_net l[2];

	(void)state;
	assert_int_equal(d.n_warn, 1);
	assert_string_equal(d.msg[0],
	                    "evs.conf:35: warning: evs does not use 'hostname' (it "
	                    "names the router in IOS prompts); ignored in 'hostname evs'");
	evs_config_group_policy(c, 0, &pol);
	assert_int_equal(pol.n_wins, 1);
	assert_int_equal(evs_config_listen(c, l, 2), 1);
	evs_config_free(c);
}

/* `crypto isakmp key`: the longest mask wins, 0.0.0.0 0.0.0.0 is every address, the group is
 * the one with the same key, and the keys are wiped from the token copies. */
static void isakmp_address_keys(void **state)
{
	struct diag d;
	struct evs_config *c = expect_ok(0, NULL,
	                                 "crypto isakmp key k address 203.0.113.0 "
	                                 "255.255.255.0\n"
	                                 "crypto isakmp key 0 other address 203.0.113.9\n"
	                                 "crypto isakmp key k address 0.0.0.0 0.0.0.0\n"
	                                 "crypto isakmp client configuration group H\n"
	                                 " key other\n",
	                                 &d);
	const char *key;
	size_t g, len;
	uint32_t a;

	(void)state;
	assert_int_equal(d.n_err, 0);
	a = IP(203, 0, 113, 9);
	assert_int_equal(evs_config_addr_psk(c, a, &g, &key, &len), 0);
	assert_string_equal(evs_config_group_name(c, g), "H");
	assert_int_equal(len, 5);
	assert_memory_equal(key, "other", 5);
	a = IP(203, 0, 113, 10);
	assert_int_equal(evs_config_addr_psk(c, a, &g, &key, &len), 0);
	assert_string_equal(evs_config_group_name(c, g), "G");
	assert_int_equal(len, 1);
	assert_memory_equal(key, "k", 1);
	a = IP(198, 51, 100, 7);
	assert_int_equal(evs_config_addr_psk(c, a, &g, &key, &len), 0);
	assert_string_equal(evs_config_group_name(c, g), "G");
	evs_config_free(c);

	/* without the wildcard, an address no line covers has no key */
	c = expect_ok(0, NULL, "crypto isakmp key k address 203.0.113.9\n", &d);
	a = IP(203, 0, 113, 8);
	assert_int_equal(evs_config_addr_psk(c, a, &g, &key, &len), -ENOENT);
	evs_config_free(c);
}

/* ---- Parse errors: line number and message ---- */

/* Each refused with exactly one error: base line to replace, its replacement, text appended
 * after the base (line 23 on), the line the error names, and its message. */
static const struct err_case err_cases[] = {
    /* ---- Whole messages: the line quoted, secrets hidden, the IOS command to use ---- */
    {WHOLE, 10, " encryption des", NULL, 10,
     "evs.conf:10: DES is not supported by evs (56-bit keys are broken); use 'encryption aes "
     "256' in 'encryption des'"},
    {WHOLE, 12, " group 1", NULL, 12,
     "evs.conf:12: DH group 1 (768-bit MODP) is not supported by evs (nor by Cisco EasyVPN "
     "servers for Cisco clients); use 'group 2' or stronger in 'group 1'"},
    {WHOLE, 10, "!", NULL, 9,
     "evs.conf:9: policy 10 has no 'encryption', and the IOS default des is not supported by "
     "evs; add 'encryption aes 256' in 'crypto isakmp policy 10'"},
    {WHOLE, 12, "!", NULL, 9,
     "evs.conf:9: policy 10 has no 'group', and the IOS default group 1 is not supported by "
     "evs; add 'group 2' or stronger in 'crypto isakmp policy 10'"},
    {WHOLE, 0, NULL, "bogus command here\n", 23,
     "evs.conf:23: unknown command 'bogus' in 'bogus command here'"},
    {WHOLE, 0, NULL, "  dns 10.0.0.1\n", 23,
     "evs.conf:23: 'dns' is not supported by evs on an interface in 'dns 10.0.0.1'"},
    {WHOLE, 8, "pool P", NULL, 8,
     "evs.conf:8: 'pool' is a command of 'crypto isakmp client configuration group' (line 6) "
     "but is not indented below it in 'pool P'"},
    {WHOLE, 13, "crypto ipsec transform-set T esp-des esp-sha-hmac", NULL, 13,
     "evs.conf:13: esp-des is not supported by evs (56-bit keys are broken); use esp-aes 256 "
     "in 'crypto ipsec transform-set T esp-des esp-sha-hmac'"},
    {WHOLE, 0, NULL, "radius-server host 10.0.0.5 key 7 0822455D0A16\n", 23,
     "evs.conf:23: an encrypted (type 7) RADIUS key cannot be used by evs; write the key "
     "itself as 'key 0 KEY' in 'radius-server host 10.0.0.5 key <hidden>'"},
    {WHOLE, 0, NULL, "tacacs-server host 10.0.0.5 key s3cret\n", 23,
     "evs.conf:23: TACACS+ is not supported by evs (Debian 12 has no TACACS+ server to test "
     "it against); use RADIUS ('radius-server host') or the local 'username' database in "
     "'tacacs-server host 10.0.0.5 key <hidden>'"},
    {WHOLE, 0, NULL, "end\ncrypto isakmp nat keepalive 20\n", 24,
     "evs.conf:24: text after 'end'; delete it or the 'end' line in 'crypto isakmp nat "
     "keepalive 20'"},
    /* ---- Syntax and ranges ---- */
    {PART, 0, NULL, "aaa new-model\n key x\n", 24, "indented line outside a sub-mode"},
    {PART, 0, NULL, "crypto isakmp xauth timeout 4\n", 23,
     "malformed command; the syntax is 'crypto isakmp xauth timeout <5-90>'"},
    {PART, 0, NULL, "crypto isakmp xauth timeout 91\n", 23, "<5-90>"},
    {PART, 0, NULL, "crypto isakmp keepalive 9 2\n", 23, "<10-3600>"},
    {PART, 0, NULL, "crypto isakmp keepalive 10 61\n", 23, "<2-60>"},
    {PART, 0, NULL, "crypto isakmp nat keepalive 4\n", 23, "<5-3600>"},
    {PART, 0, NULL, "crypto isakmp fragmentation mtu 127\n", 23, "[mtu <128-16000>]"},
    {PART, 0, NULL, "crypto isakmp fragmentation mtu 16001\n", 23, "[mtu <128-16000>]"},
    {PART, 0, NULL, "crypto isakmp fragmentation 576\n", 23,
     "malformed command; the syntax is 'crypto isakmp fragmentation [mtu <128-16000>]'"},
    {PART, 0, NULL, "crypto isakmp policy 0\n", 23, "<1-10000>"},
    {PART, 0, NULL, "crypto isakmp policy 11\n encryption aes 512\n group 2\n", 24,
     "AES key size must be 128, 192 or 256, not '512'"},
    {PART, 0, NULL, "crypto isakmp policy 11\n hash sha1\n", 24,
     "hash {md5 | sha | sha256 | sha384 | sha512}"},
    {PART, 0, NULL, "crypto isakmp policy 11\n lifetime 59\n", 24, "lifetime <60-86400>"},
    {PART, 0, NULL, "crypto isakmp policy 11\n group 17\n", 24,
     "DH group 17 is not supported by evs"},
    {PART, 11, " authentication rsa-encr", NULL, 11,
     "authentication rsa-encr is not supported by evs"},
    {PART, 0, NULL, "crypto isakmp policy 11\n prf sha\n", 24,
     "unknown command 'prf' in 'crypto isakmp policy 11'"},
    {PART, 0, NULL, "ip local pool Q 10.1.0.9 10.1.0.1\n", 23,
     "the pool ends (10.1.0.1) before it starts (10.1.0.9)"},
    {PART, 0, NULL, "ip local pool Q 10.1.0.0 10.2.0.0\n", 23,
     "the pool has 65537 addresses; evs allows at most 65536"},
    {PART, 0, NULL, "ip local pool Q 10.1.0.256\n", 23, "'10.1.0.256' is not an IPv4 address"},
    {PART, 0, NULL, "ip local pool P 10.1.0.1 10.1.0.2\n", 23,
     "pool 'P' is already defined on line 5"},
    {PART, 0, NULL, "crypto isakmp client configuration group G max-users 5001\n", 23,
     "max-users must be between 1 and 5000, not '5001'"},
    /* the indented lines below a rejected command are not reported again */
    {PART, 0, NULL, "crypto isakmp client configuration group G max-users 0\n key x\n dns 1\n", 23,
     "max-users must be between 1 and 5000, not '0'"},
    {PART, 0, NULL, "crypto isakmp client configuration group G max-logins 11\n", 23,
     "max-logins must be between 1 and 10, not '11'"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n dns 1 2 3\n", 24,
     "'dns' takes one or two server addresses"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n wins 10.0.0.x\n", 24,
     "'10.0.0.x' is not an IPv4 address"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n domain a b\n", 24,
     "'domain' takes one argument"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n split-dns a/b\n", 24,
     "'a/b' is not a valid domain name"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n netmask 255.0.255.0\n", 24,
     "'255.0.255.0' is not a netmask"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n save-password now\n", 24,
     "'save-password' takes no arguments"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n nem\n", 24,
     "'nem' takes one argument: 'nem enable' allows the group's hardware clients "
     "network-extension mode"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n access-restrict e0\n", 24,
     "access-restrict e0: no such interface; it carries no crypto map"},
    {PART, 0, NULL,
     "interface eth1\n crypto map M\ncrypto isakmp client configuration group G\n "
     "access-restrict eth1\n",
     26, "interface eth1 needs an 'ip address'"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n access-restrict\n", 24,
     "the syntax is 'access-restrict INTERFACE'"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n firewall policy x\n", 24,
     "only 'firewall are-u-there' is supported by evs in a group"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n auto-update\n", 24,
     "'auto-update' is not supported by evs in a group"},
    {PART, 0, NULL, "interface eth1\n ip address dhcp\n", 24,
     "evs needs a fixed address to listen on"},
    {PART, 0, NULL, "interface eth1\n ip address 10.0.0.1 255.0.255.0\n", 24,
     "'255.0.255.0' is not a netmask such as 255.255.255.0"},
    {PART, 0, NULL, "crypto map M foo\n", 23, "crypto map NAME ..."},
    {PART, 22, "crypto map M", NULL, 22,
     "'crypto map M' applies the map to an interface: indent it below 'interface' (line 20)"},
    {PART, 0, NULL, "crypto isakmp policy 11\nencryption aes\n", 24,
     "'encryption' is a command of 'crypto isakmp policy' (line 23) but is not indented below "
     "it"},
    {PART, 0, NULL, "crypto map M client configuration address both\n", 23,
     "crypto map NAME client configuration address {initiate | respond}"},
    {PART, 0, NULL, "crypto map M 10 ipsec-isakmp\n", 23,
     "static crypto map entries (LAN-to-LAN) are not supported by evs"},
    {PART, 0, NULL, "crypto map M local-address eth0\n", 23,
     "'crypto map M local-address' is not supported by evs"},
    {PART, 0, NULL, "crypto dynamic-map D 0\n", 23, "crypto dynamic-map NAME <1-65535>"},
    {PART, 0, NULL, "crypto dynamic-map D 10\n set pfs\n", 24,
     "'set pfs' without a group means the IOS default group1"},
    {PART, 0, NULL, "crypto dynamic-map D 10\n set pfs group1\n", 24,
     "PFS group1 is not supported by evs"},
    {PART, 0, NULL, "crypto dynamic-map D 10\n set peer 203.0.113.5\n", 24,
     "'set peer' is not supported by evs"},
    {PART, 0, NULL, "crypto dynamic-map D 10\n match address 101\n", 24,
     "'match address' is not supported by evs"},
    {PART, 0, NULL, "crypto dynamic-map D 10\n reverse-route static\n", 24,
     "reverse-route [remote-peer]"},
    {PART, 0, NULL, "crypto dynamic-map D 10\n set security-association lifetime seconds 119\n", 24,
     "set security-association lifetime"},
    {PART, 0, NULL, "crypto ipsec security-association lifetime kilobytes 2559\n", 23,
     "crypto ipsec security-association lifetime"},
    {PART, 0, NULL, "crypto ipsec df-bit clear\n", 23,
     "'crypto ipsec df-bit' is not supported by evs"},
    {PART, 0, NULL, "no ip domain-lookup\n", 23, "'no' forms are not supported by evs"},
    /* ---- Transform sets ---- */
    {PART, 13, "crypto ipsec transform-set T ah-sha-hmac esp-aes", NULL, 13,
     "AH is not supported by evs"},
    {PART, 13, "crypto ipsec transform-set T esp-aes", NULL, 13,
     "evs requires an ESP authentication transform"},
    {PART, 13, "crypto ipsec transform-set T esp-sha-hmac", NULL, 13,
     "the transform set has no ESP encryption transform"},
    {PART, 13, "crypto ipsec transform-set T esp-aes esp-3des esp-sha-hmac", NULL, 13,
     "more than one ESP encryption transform"},
    {PART, 13, "crypto ipsec transform-set T esp-aes esp-md5-hmac esp-sha-hmac", NULL, 13,
     "more than one ESP authentication transform"},
    {PART, 13, "crypto ipsec transform-set T esp-gcm 256 esp-sha-hmac", NULL, 13,
     "esp-gcm authenticates by itself: remove the esp-sha-hmac transform"},
    {PART, 13, "crypto ipsec transform-set T esp-gmac 256", NULL, 13,
     "transform 'esp-gmac' is not supported by evs"},
    {PART, 12, " group 21", NULL, 12,
     "DH group 21 is not supported by evs; use group 2, 5, 14, 15, 16, 19 or 20"},
    {PART, 13, "crypto ipsec transform-set T esp-aes 512 esp-sha-hmac", NULL, 13,
     "AES key size must be 128, 192 or 256, not '512'"},
    {PART, 13, "crypto ipsec transform-set T esp-aes comp-lzs", NULL, 13,
     "IP compression is not supported by evs"},
    {PART, 13, "crypto ipsec transform-set T esp-aes esp-sha-hmac foo", NULL, 13,
     "'foo' is not a transform"},
    {PART, 0, NULL, "crypto ipsec transform-set T esp-aes esp-sha-hmac\n mode transport\n", 24,
     "transport mode is not supported by evs"},
    /* ---- Access lists ---- */
    {PART, 0, NULL, "access-list 101 permit ip 10.0.0.0 0.255.0.255 any\n", 23,
     "wildcard 0.255.0.255 is not contiguous"},
    {PART, 0, NULL, "access-list 101 permit ip any 10.0.0.0 0.0.0.254\n", 23,
     "wildcard 0.0.0.254 is not contiguous"},
    {PART, 0, NULL, "access-list 101 permit tcp any any eq 443\n", 23,
     "only 'ip' entries are supported by evs"},
    {PART, 0, NULL, "access-list 101 permit ip 10.0.0.0 any\n", 23,
     "the wildcard mask after 10.0.0.0 is missing (e.g. 0.0.0.255)"},
    {PART, 0, NULL, "access-list 101 permit ip any 10.0.0.x 0.0.0.255\n", 23,
     "'10.0.0.x' is not an IPv4 address, 'any' or 'host'"},
    {PART, 0, NULL, "access-list 101 permit ip 10.0.0.0\n", 23,
     "the wildcard mask after 10.0.0.0 is missing"},
    {PART, 0, NULL, "access-list 101 permit ip any any established\n", 23,
     "unexpected 'established' in an access-list entry"},
    {PART, 0, NULL, "access-list 300 permit ip any any\n", 23,
     "'300' is not an IP access-list number"},
    {PART, 0, NULL, "access-list 10 allow any\n", 23,
     "expected 'permit', 'deny' or 'remark', not 'allow'"},
    {PART, 0, NULL, "access-list 10 permit host\n", 23,
     "'host' must be followed by an IPv4 address"},
    {PART, 0, NULL, "ip access-list extended 10\n", 23,
     "10 is not a valid number for an extended access list"},
    {PART, 0, NULL, "ip access-list standard S\nip access-list extended S\n", 24,
     "access-list S is standard (line 23), not extended"},
    {PART, 0, NULL, "ip access-list extended S\n 10 permit ip any any\n 10 deny ip any any\n", 25,
     "sequence number 10 is already used on line 24"},
    {PART, 0, NULL, "ip access-list extended S\n permit ip\n", 24,
     "an address ('any', 'host A' or 'A WILDCARD') is missing"},
    /* ---- Users, and secrets hidden in the quoted line ---- */
    {WHOLE, 0, NULL, "username bob secret 5 $1$mERr$hx5rVt7rPNoS4wqbXKX7m0\n", 23,
     "evs.conf:23: encrypted secret type 5 cannot be checked by evs (XAUTH needs the password "
     "itself); write it as 'secret 0 PASSWORD' in 'username bob secret <hidden>'"},
    {WHOLE, 0, NULL, "username bob secret two words\n", 23,
     "evs.conf:23: a secret is one word; use 'password 0' for a password with spaces in "
     "'username bob secret <hidden>'"},
    {PART, 0, NULL, "username bob password 7 0822455D0A16\n", 23,
     "encrypted password type 7 cannot be checked by evs"},
    {PART, 0, NULL, "username bob nopassword\n", 23, "users without a password cannot pass XAUTH"},
    {PART, 0, NULL, "username bob\n", 23, "username NAME secret [0] PASSWORD"},
    {PART, 0, NULL, "username bob privilege 16 secret x\n", 23, "privilege <0-15>"},
    {PART, 0, NULL,
     "username bob secret "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
     23, "the password is longer than 128 characters"},
    {WHOLE, 7, " key k extra", NULL, 7,
     "evs.conf:7: malformed command; the syntax is 'key PRE-SHARED-KEY' in 'key <hidden>'"},
    /* ---- crypto isakmp key: main mode's key by address ---- */
    {WHOLE, 0, NULL, "crypto isakmp key secretkey address 203.0.113.9\n", 23,
     "evs.conf:23: no 'crypto isakmp client configuration group' has this key; the main-mode "
     "clients it admits take the group whose 'key' is the same in 'crypto isakmp key "
     "<hidden>'"},
    {WHOLE, 0, NULL, "crypto isakmp key k address 203.0.113.9 no-xauth\n", 23,
     "evs.conf:23: 'no-xauth' is not supported by evs: every client authenticates its user "
     "with XAUTH in 'crypto isakmp key <hidden>'"},
    {PART, 0, NULL, "crypto isakmp key k address 203.0.113.9 255.255.255.255 no-xauth\n", 23,
     "'no-xauth' is not supported by evs"},
    {PART, 0, NULL, "crypto isakmp key k hostname gw.example\n", 23,
     "'crypto isakmp key ... hostname' is not supported by evs"},
    {PART, 0, NULL, "crypto isakmp key k ipv6 2001:db8::1/128\n", 23,
     "'crypto isakmp key ... ipv6' is not supported by evs"},
    {PART, 0, NULL, "crypto isakmp key k address 203.0.113.300\n", 23,
     "'203.0.113.300' is not an IPv4 address"},
    {PART, 0, NULL, "crypto isakmp key k address 203.0.113.0 255.0.255.0\n", 23,
     "'255.0.255.0' is not a netmask"},
    {PART, 0, NULL, "crypto isakmp key k address 203.0.113.9 255.255.255.0\n", 23,
     "the address has bits outside its mask"},
    {PART, 0, NULL, "crypto isakmp key k address 203.0.113.9 255.255.255.255 extra\n", 23,
     "the syntax is 'crypto isakmp key [0] KEY address A.B.C.D [MASK]'"},
    {PART, 0, NULL, "crypto isakmp key k\n", 23,
     "the syntax is 'crypto isakmp key [0] KEY address A.B.C.D [MASK]'"},
    {PART, 0, NULL, "crypto isakmp key k address\n", 23,
     "the syntax is 'crypto isakmp key [0] KEY address A.B.C.D [MASK]'"},
    {PART, 0, NULL, "crypto isakmp key 6 AbCdEf address 203.0.113.9\n", 23,
     "encrypted key type 6 cannot be read by evs"},
    {PART, 0, NULL,
     "crypto isakmp key "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx address 203.0.113.9\n",
     23, "the key is longer than 128 characters"},
    {PART, 0, NULL,
     "crypto isakmp key k address 203.0.113.9\ncrypto isakmp key k address 203.0.113.9\n", 24,
     "a key for this address and mask is already on line 23"},
    {PART, 0, NULL,
     "crypto isakmp client configuration group H\n key k\ncrypto isakmp key k address "
     "0.0.0.0 0.0.0.0\n",
     25, "groups 'G' and 'H' both have this key"},
    {PART, 0, NULL,
     "crypto isakmp client configuration group "
     "a2345678901234567890123456789012345678901234567890123456789012345\n",
     23, "group name is longer than 64 characters"},
    /* ---- AAA ---- */
    {PART, 0, NULL, "aaa authentication login R group radius\n", 23,
     "list R uses 'group radius' but no RADIUS server is configured"},
    {PART, 0, NULL, "aaa authentication login R local group radius\n", 23,
     "'group radius' after 'local' would never be tried"},
    {PART, 0, NULL, "aaa authentication login R group tacacs+ local\n", 23,
     "method 'group tacacs+': TACACS+ is not supported by evs"},
    {PART, 0, NULL, "aaa authentication login R group staff\n", 23,
     "method 'group staff': AAA server groups are not supported by evs"},
    {PART, 0, NULL, "aaa authentication login R group\n", 23, "'group' needs a server group"},
    {PART, 0, NULL, "aaa authentication login R group radius local local-case\n", 23,
     "method 'local-case' is listed twice"},
    {PART, 0, NULL, "aaa authentication login R group radius group radius\n", 23,
     "method 'radius' is listed twice"},
    {PART, 0, NULL, "aaa authentication login R none\n", 23,
     "method 'none' is not supported by evs"},
    {PART, 0, NULL, "aaa authorization network G local-case\n", 23,
     "method 'local-case' is not supported by evs; use 'group radius' and/or 'local'"},
    /* ---- RADIUS servers ---- */
    {PART, 0, NULL, "radius-server host radius.example.com key k\n", 23,
     "'radius.example.com' is not an IPv4 address (evs does not look up host names)"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 auth-port 0 key k\n", 23,
     "'0' is not a port number (1-65535)"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 auth-port\n", 23, "'auth-port' needs a value"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 timeout 0 key k\n", 23,
     "'0' is not a timeout in seconds (1-1000)"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 retransmit x key k\n", 23,
     "'x' is not a number of retransmissions (0-100)"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 source eth0 key k\n", 23,
     "'source' is not an option evs knows here"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 key\n", 23,
     "'key' needs the shared secret of the RADIUS server"},
    {PART, 0, NULL,
     "radius-server host 10.0.0.5 key "
     "k2345678901234567890123456789012345678901234567890123456789012345\n",
     23, "the RADIUS key is longer than 64 characters"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 key two words\n", 23,
     "a RADIUS key with blanks or commas cannot be passed to radcli"},
    {PART, 0, NULL, "radius-server host 10.0.0.5\n", 23,
     "RADIUS server 10.0.0.5 has no key; add 'key KEY'"},
    {PART, 0, NULL, "radius-server host 10.0.0.5 key a\nradius-server host 10.0.0.5 key b\n", 24,
     "RADIUS server 10.0.0.5 is already defined on line 23"},
    {PART, 0, NULL, "radius-server attribute 8 include-in-access-req\n", 23,
     "'radius-server attribute' is not supported by evs (host, key, timeout, retransmit, "
     "message-authenticator required|optional)"},
    {PART, 0, NULL, "radius server R1\n key k\n", 23,
     "radius server R1 has no 'address ipv4 ADDRESS'"},
    {PART, 0, NULL, "radius server R1\n address ipv6 ::1\n", 24,
     "malformed command; the syntax is 'address ipv4 ADDRESS [auth-port N] [acct-port N]'"},
    {PART, 0, NULL, "radius server R1\n address ipv4 10.0.0.5 timeout 3\n", 24,
     "'timeout' is not an option evs knows here (auth-port, acct-port)"},
    {PART, 0, NULL, "radius server R1\n address ipv4 10.0.0.5\n key k\n automate-tester\n", 26,
     "'automate-tester' is not supported by evs in 'radius server'"},
    {PART, 0, NULL, "radius server\n", 23, "the syntax is 'radius server NAME'"},
    {PART, 0, NULL, "radius server R1\naddress ipv4 10.0.0.5\n", 24,
     "'address' is a command of 'radius server' (line 23) but is not indented below it"},
    {PART, 18, "crypto map M client configuration address initiate",
     "crypto isakmp client configuration group G\n firewall are-u-there\n", 24,
     "evs checks 'firewall are-u-there' in the client's mode-config request"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n firewall\n", 24,
     "only 'firewall are-u-there' is supported by evs in a group"},
    {PART, 0, NULL,
     "radius-server key k\nradius-server host 10.0.0.1\nradius-server host 10.0.0.2\n"
     "radius-server host 10.0.0.3\nradius-server host 10.0.0.4\nradius-server host "
     "10.0.0.5\nradius-server host 10.0.0.6\nradius-server host 10.0.0.7\nradius-server "
     "host 10.0.0.8\nradius-server host 10.0.0.9\n",
     32, "more than 8 RADIUS servers"},
    {PART, 0, NULL, "aaa group server radius R\n", 23,
     "AAA server groups are not supported by evs"},
    {PART, 0, NULL, "aaa authentication enable default enable\n", 23,
     "only 'aaa authentication login' (XAUTH) is supported by evs"},
    {PART, 0, NULL, "aaa accounting network A start-stop group radius\n", 23,
     "AAA accounting is not supported by evs"},
    /* ---- Banners ---- */
    {PART, 0, NULL,
     "crypto isakmp client configuration group G\n"
     " banner %\n"
     "never closed\n",
     24, "the banner is not closed by its delimiter '%' before the end of the file"},
    {PART, 0, NULL,
     "crypto isakmp client configuration group G\n"
     " banner c hi c trailing\n",
     24, "text after the closing banner delimiter 'c'"},
    {PART, 0, NULL,
     "crypto isakmp client configuration group G\n"
     " banner\n",
     24, "a banner needs a delimiter and text"},
    /* a router banner is refused, and its body is not read as commands */
    {PART, 0, NULL,
     "banner motd ^C\n"
     "unknown words here\n"
     "^C\n",
     23, "router banners are not supported by evs"},
    /* ---- Cross-references, checked once the whole file is read ---- */
    {WHOLE, 8, " pool NOPE", NULL, 8,
     "evs.conf:8: pool 'NOPE' is not defined (add 'ip local pool NOPE FIRST LAST') in 'pool "
     "NOPE'"},
    {PART, 0, NULL, "crypto isakmp client configuration group G\n acl 150\n", 24,
     "access-list '150' is not defined"},
    {PART, 15, " set transform-set T NOPE", NULL, 15, "transform set 'NOPE' is not defined"},
    {PART, 15, "!", NULL, 14,
     "dynamic-map D 10 has no 'set transform-set', the one required command"},
    {PART, 19, "crypto map M 65535 ipsec-isakmp dynamic NOPE", NULL, 19,
     "dynamic-map 'NOPE' is not defined"},
    {PART, 19, "!", NULL, 16,
     "crypto map M has no 'crypto map M 65535 ipsec-isakmp dynamic DYNAMIC-MAP' entry"},
    {PART, 22, "!", NULL, 16,
     "crypto map M is not applied to an interface; add 'crypto map M' under the public "
     "interface"},
    {PART, 22, " crypto map X", NULL, 22, "crypto map 'X' is not defined"},
    /* without `ip address` evs listens on the host interface's addresses (listen.c) */
    {PART, 0, NULL, "interface GigabitEthernet0/0/0\n crypto map M\n", 23,
     "Linux interface names have at most 15 characters"},
    {PART, 0, NULL, "interface eth0\n shutdown\n", 20,
     "interface eth0 carries crypto map M but is shut down"},
    {PART, 16, "crypto map M client authentication list NOPE", NULL, 16,
     "authentication list 'NOPE' is not defined (add 'aaa authentication login NOPE local')"},
    {PART, 16, "!", NULL, 17, "crypto map M has no 'crypto map M client authentication list LIST'"},
    {PART, 17, "crypto map M isakmp authorization list NOPE", NULL, 17,
     "authorization list 'NOPE' is not defined"},
    {PART, 17, "!", NULL, 16, "crypto map M has no 'crypto map M isakmp authorization list LIST'"},
    {PART, 18, "!", NULL, 16,
     "crypto map M has no 'crypto map M client configuration address respond'"},
    {PART, 0, NULL, "aaa authorization network OTHER local\n", 23,
     "no group is named 'OTHER': the authorization list name must match a 'crypto isakmp "
     "client configuration group OTHER'"},
    {PART, 0, NULL, "crypto map N client configuration address respond\n", 23,
     "evs supports one crypto map; 'M' was already defined on line 16"},
    {PART, 4, "!", NULL, 2, "XAUTH uses the local user database but no 'username' is configured"},
    {PART, 7, "!", NULL, 6, "group G has no 'key', but every isakmp policy uses pre-share"},
    {PART, 0, NULL, "ip local pool Q 10.0.0.20 10.0.0.30\n", 23, "pool Q overlaps pool P (line 5)"},
    {PART, 0, NULL, "ip local pool Q 198.51.100.1 198.51.100.9\n", 23,
     "pool Q contains the address of interface eth0 (line 20)"},
    /* ---- Bytes ---- */
    /* control bytes in a quoted line are shown as '?' */
    {WHOLE, 0, NULL, "bogus\x1b[31m\n", 23,
     "evs.conf:23: unknown command 'bogus?[31m' in 'bogus?[31m'"},
};

static void error_cases(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		failed += !error_case_holds(&err_cases[i], i);
	assert_int_equal(failed, 0);
}

static void error_aaa_before_new_model(void **state)
{
	struct diag d;

	(void)state;
	assert_null(parse_built(1, "!", "aaa new-model\n", &d));
	assert_int_equal(d.n_err, 2);
	assert_int_equal(d.line[0], 2);
	assert_int_equal(d.line[1], 3);
	assert_string_equal(d.msg[0], "evs.conf:2: 'aaa new-model' must come before aaa "
	                              "authentication and authorization commands (IOS rejects "
	                              "them without it) in 'aaa authentication login U local'");
}

static void error_bytes(void **state)
{
	struct diag d;
	static const char nul[] = "hostname a\0b\n";
	char *text, *longline;
	struct evs_config *c;

	(void)state;
	text = build(0, NULL, NULL);
	longline = malloc(strlen(text) + 5000);
	assert_non_null(longline);
	strcpy(longline, text);
	memset(longline + strlen(text), 'a', 4097);
	strcpy(longline + strlen(text) + 4097, "\n");
	c = parse(longline, &d);
	assert_null(c);
	assert_int_equal(d.n_err, 1);
	assert_int_equal(d.line[0], 23);
	assert_non_null(strstr(d.msg[0], "the line is longer than 4096 characters"));
	/* the quoted line is cut short in the message */
	assert_true(strlen(d.msg[0]) < 400);

	strcpy(longline, text);
	memcpy(longline + strlen(text), nul, sizeof(nul));
	memset(&d, 0, sizeof(d));
	c = evs_config_parse("evs.conf", longline, strlen(text) + sizeof(nul) - 1, collect, &d);
	assert_null(c);
	assert_int_equal(d.n_err, 1);
	assert_int_equal(d.line[0], 23);
	assert_non_null(strstr(d.msg[0], "the line contains a NUL byte"));
	free(longline);
	free(text);
}

/* ---- Cross-reference errors ---- */

/* A file-level error (line 0) has no quoted line. */
static void error_without_line(void **state)
{
	struct diag d;
	char *text = build(9, "!", NULL);
	struct evs_config *c;

	(void)state;
	/* drop the whole policy: lines 9-12 */
	memset(strstr(text, " encryption aes 256"), ' ', strlen(" encryption aes 256"));
	memset(strstr(text, " authentication pre-share"), ' ', strlen(" authentication pre-share"));
	memset(strstr(text, " group 2"), ' ', strlen(" group 2"));
	c = parse(text, &d);
	free(text);
	assert_null(c);
	assert_int_equal(d.n_err, 1);
	assert_int_equal(d.line[0], 0);
	assert_string_equal(d.msg[0],
	                    "evs.conf: no 'crypto isakmp policy' is configured; add one, e.g. "
	                    "'crypto isakmp policy 10' with 'encryption aes 256', 'hash sha', "
	                    "'authentication pre-share', 'group 2'");

	memset(&d, 0, sizeof(d));
	c = evs_config_load("/nonexistent/evs.conf", collect, &d);
	assert_null(c);
	assert_int_equal(d.n_err, 1);
	assert_int_equal(d.line[0], 0);
	assert_string_equal(d.msg[0], "/nonexistent/evs.conf: cannot open the configuration: No "
	                              "such file or directory");

	/* an empty file reports every missing piece and no crash; NULL report is allowed */
	memset(&d, 0, sizeof(d));
	assert_null(evs_config_parse("evs.conf", "", 0, collect, &d));
	assert_true(d.n_err >= 3);
	assert_null(evs_config_parse("evs.conf", "", 0, NULL, NULL));
	evs_config_free(NULL);
}

/* Every parse error is reported, not only the first. */
static void errors_are_all_reported(void **state)
{
	struct diag d;
	struct evs_config *c = parse_built(0, NULL,
	                                   "bogus1\n"
	                                   "crypto isakmp policy 20\n"
	                                   " encryption des\n"
	                                   " group 1\n"
	                                   "bogus2\n",
	                                   &d);

	(void)state;
	assert_null(c);
	assert_int_equal(d.n_err, 4);
	assert_int_equal(d.line[0], 23);
	assert_int_equal(d.line[1], 25);
	assert_int_equal(d.line[2], 26);
	assert_int_equal(d.line[3], 27);

	/* only the lines right below a rejected command are passed over */
	c = parse_built(0, NULL, "crypto isakmp policy 0\n key x\naaa new-model\n key y\n", &d);
	assert_null(c);
	assert_int_equal(d.n_err, 2);
	assert_int_equal(d.line[0], 23);
	assert_int_equal(d.line[1], 26);
}

static void acl_limits(void **state)
{
	char extra[8192];
	size_t o = 0;

	(void)state;
	o += (size_t)snprintf(extra + o, sizeof(extra) - o,
	                      "crypto isakmp client configuration group G\n acl 101\n");
	for (int i = 0; i < 65; i++)
		o += (size_t)snprintf(extra + o, sizeof(extra) - o,
		                      "access-list 101 permit ip 10.%d.0.0 0.0.255.255 any\n", i);
	const struct err_case k = {
	    .match = PART,
	    .extra = extra,
	    .line = 24,
	    .msg = "access-list 101 has 65 permit entries; evs can send at most 64 split-tunnel "
	           "networks",
	};
	assert_true(error_case_holds(&k, 0));
}

/* The fuzzing seeds stay what they claim: one valid file of every feature, one of errors. */
static void fuzz_seed_configs(void **state)
{
	struct diag d = {0};
	struct evs_config *c;
	struct ike_p2_prop p2[8];
	struct evc_policy pol;

	(void)state;
	c = evs_config_load(EVC_SOURCE_DIR "/tests/fuzz/evs_config/features.conf", collect, &d);
	if (!c)
		dump(&d);
	assert_non_null(c);
	assert_int_equal(d.n_err, 0);
	assert_int_equal(evs_config_p1(c, NULL, 0), 3);
	assert_int_equal(evs_config_p2(c, p2, 8), 4);
	assert_int_equal(p2[0].pfs_group, 14);
	assert_int_equal(p2[0].life_s, 1800);
	assert_int_equal(p2[0].life_kb, 100000);
	assert_int_equal(p2[3].esp, ESP_ENCR_NULL);
	assert_int_equal(p2[3].life_s, 7200);
	assert_int_equal(p2[3].life_kb, 4608000);
	assert_true(evs_config_modecfg_initiate(c));
	assert_true(evs_config_check_password(c, "natalie", "natalie pw 2"));
	evs_config_group_policy(c, 0, &pol);
	assert_string_equal(pol.banner, "Welcome to quizware.\nAuthorised users only.");
	assert_int_equal(pol.n_split_include, 2);
	assert_true(pol.pfs);
	evs_config_group_policy(c, 1, &pol);
	assert_string_equal(pol.banner, "Hi");
	assert_int_equal(pol.netmask, IP(255, 255, 255, 192));
	{
		const char *key;
		size_t g, len;

		assert_int_equal(evs_config_addr_psk(c, IP(203, 0, 113, 7), &g, &key, &len), 0);
		assert_string_equal(evs_config_group_name(c, g), "hardware");
		assert_int_equal(evs_config_addr_psk(c, IP(203, 0, 113, 8), &g, &key, &len), 0);
		assert_string_equal(evs_config_group_name(c, g), "quizware");
	}
	evs_config_free(c);

	memset(&d, 0, sizeof(d));
	c = evs_config_load(EVC_SOURCE_DIR "/tests/fuzz/evs_config/limits.conf", collect, &d);
	assert_non_null(c);
	evs_config_free(c);

	memset(&d, 0, sizeof(d));
	c = evs_config_load(EVC_SOURCE_DIR "/tests/fuzz/evs_config/errors.conf", collect, &d);
	assert_null(c);
	assert_int_equal(d.n_err, 25);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sample_parses_and_maps),
	    cmocka_unit_test(sample_group_policy),
	    cmocka_unit_test(sample_crlf_buffer),
	    cmocka_unit_test(base_is_clean),
	    cmocka_unit_test(isakmp_policies_in_priority_order),
	    cmocka_unit_test(isakmp_default_auth_is_rsa_sig),
	    cmocka_unit_test(timers_and_lifetimes),
	    cmocka_unit_test(keepalive_default_retry),
	    cmocka_unit_test(transform_sets_and_duplicates),
	    cmocka_unit_test(group_commands),
	    cmocka_unit_test(group_banner_forms),
	    cmocka_unit_test(firewall_is_flagged),
	    cmocka_unit_test(standard_and_numbered_acls),
	    cmocka_unit_test(users_and_aaa),
	    cmocka_unit_test(layout_comments_exit_end),
	    cmocka_unit_test(isakmp_address_keys),
	    cmocka_unit_test(error_cases),
	    cmocka_unit_test(error_aaa_before_new_model),
	    cmocka_unit_test(error_bytes),
	    cmocka_unit_test(error_without_line),
	    cmocka_unit_test(errors_are_all_reported),
	    cmocka_unit_test(acl_limits),
	    cmocka_unit_test(fuzz_seed_configs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
