/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cisco IPsec over UDP (ike/modecfg.c, `ipsec-udp` in server/core/config_group.c): a client
 * that asks (evc --natt cisco-udp, vpnc's cisco-udp) with an empty UDP_ENCAP_PORT gets the
 * group's port as a TV attribute, and both ends' ESP SA pairs then go in UDP between that port
 * on both sides; a client that does not ask, or a group without the command, keeps raw ESP.
 * Real engines against the evs daemon on the in-memory network of tests/support/evs_net.c, the
 * attribute's wire form both ways, and the command's errors with their line.
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

#include "client/core/settings.h"
#include "ike/isakmp.h"
#include "ike/sa_int.h" /* modecfg_parse, modecfg_write */
#include "lib/bytes.h"
#include "server/core/config.h"

#include "evs_net.h"

/* The sample configuration with `line` added to group quizware. */
static int setup_with(void **state, const char *add)
{
	char path[] = "/tmp/evs-cisco-udp-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	bool added = false;
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (add && strcmp(line, " acl 101\n") == 0) {
			fputs(add, out);
			added = true;
		}
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_true(added || !add);
	int rc = evs_net_setup_conf(state, path);
	unlink(path);
	return rc;
}

static int setup_udp(void **state)
{
	return setup_with(state, " ipsec-udp\n");
}

static int setup_udp_port(void **state)
{
	return setup_with(state, " ipsec-udp port 12000\n");
}

static int setup_plain(void **state)
{
	return setup_with(state, NULL);
}

static struct evs_cli *connect_client(struct evs_net *n, bool cisco_udp)
{
	n->cli_natt = cisco_udp ? IKE_NATT_DISABLE : IKE_NATT_AUTO;
	n->cli_cisco_udp = cisco_udp;
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	return c;
}

static void expect_udp(const struct evs_net *n, const struct evs_cli *c, uint16_t port)
{
	assert_true(c->policy.have & EVC_HAVE_UDP_ENCAP_PORT);
	assert_int_equal(c->policy.udp_encap_port, port);
	/* the client sends from and to the port */
	assert_true(c->child.udp_encap);
	assert_int_equal(c->child.local_port, port);
	assert_int_equal(c->child.peer.port, port);
	/* and so does evs, to the client's address */
	assert_true(n->srv_child.udp_encap);
	assert_int_equal(n->srv_child.local_port, port);
	assert_int_equal(n->srv_child.peer.port, port);
	assert_int_equal(n->srv_child.peer.addr, c->addr.addr);
	assert_int_equal(n->srv_child.spi_in, c->child.spi_out);
}

static void expect_raw(const struct evs_net *n, const struct evs_cli *c)
{
	assert_false(c->policy.have & EVC_HAVE_UDP_ENCAP_PORT);
	assert_int_equal(c->policy.udp_encap_port, 0);
	assert_false(c->child.udp_encap);
	assert_false(n->srv_child.udp_encap);
}

/* `ipsec-udp`: the ASA's default port 10000. */
static void test_default_port(void **state)
{
	struct evs_net *n = *state;
	expect_udp(n, connect_client(n, true), 10000);
}

static void test_given_port(void **state)
{
	struct evs_net *n = *state;
	expect_udp(n, connect_client(n, true), 12000);
}

/* The group enables it but the client did not ask: it would not know, so raw ESP. */
static void test_not_asked(void **state)
{
	struct evs_net *n = *state;
	expect_raw(n, connect_client(n, false));
}

/* The client asks a group without the command: no port, raw ESP. */
static void test_group_off(void **state)
{
	struct evs_net *n = *state;
	expect_raw(n, connect_client(n, true));
}

/* The wire form: the empty request answered by a TV port, read back; only when asked; 0 reads
 * as "off"; 500 and 4500 are not ports IPsec over UDP can use and the answer is named. */
static void test_wire(void **state)
{
	(void)state;
	uint8_t req[16], rep[512];
	struct wr rw = wr_init(req, sizeof(req));
	isakmp_attr_write_tlv(&rw, CFG_UNITY_NATT_PORT, NULL, 0);
	assert_int_equal(rw.len, 4); /* 0x7005, length 0: as vpnc asks */
	assert_int_equal(req[0], 0x70);
	assert_int_equal(req[1], 0x05);
	struct evc_policy pol, back;
	const char *why = NULL;
	memset(&pol, 0, sizeof(pol));
	pol.addr = 0x0a62000au;
	pol.have = EVC_HAVE_UDP_ENCAP_PORT;
	pol.udp_encap_port = 10000;
	struct wr w = wr_init(rep, sizeof(rep));
	modecfg_write(&w, &pol, req, rw.len);
	assert_false(w.err);
	/* INTERNAL_IP4_ADDRESS (8 bytes), then 0xF005 (AF bit), 10000 = 0x2710 */
	assert_int_equal(w.len, 12);
	static const uint8_t want[] = {0xf0, 0x05, 0x27, 0x10};
	assert_memory_equal(rep + 8, want, sizeof(want));
	assert_true(modecfg_parse(rep, w.len, &back, &why));
	assert_true(back.have & EVC_HAVE_UDP_ENCAP_PORT);
	assert_int_equal(back.udp_encap_port, 10000);

	/* not asked: not answered */
	w = wr_init(rep, sizeof(rep));
	modecfg_write(&w, &pol, NULL, 0);
	assert_int_equal(w.len, 8);
	/* a group without it: not answered although asked */
	pol.have = 0;
	pol.udp_encap_port = 0;
	w = wr_init(rep, sizeof(rep));
	modecfg_write(&w, &pol, req, rw.len);
	assert_int_equal(w.len, 8);

	w = wr_init(rep, sizeof(rep));
	isakmp_attr_write_tv(&w, CFG_UNITY_NATT_PORT, 0);
	assert_true(modecfg_parse(rep, w.len, &back, &why));
	assert_int_equal(back.udp_encap_port, 0);

	static const uint16_t bad[] = {500, 4500};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		w = wr_init(rep, sizeof(rep));
		isakmp_attr_write_tv(&w, CFG_UNITY_NATT_PORT, bad[i]);
		why = NULL;
		assert_false(modecfg_parse(rep, w.len, &back, &why));
		assert_string_equal(why, "UNITY_NATT_PORT");
	}
	/* a TLV value is taken as a number too (isakmp_attr_next), but not past 16 bits */
	uint8_t four[4] = {0, 0, 0x27, 0x10}, big[4] = {0, 1, 0, 0}, five[5] = {0};
	w = wr_init(rep, sizeof(rep));
	isakmp_attr_write_tlv(&w, CFG_UNITY_NATT_PORT, four, sizeof(four));
	assert_true(modecfg_parse(rep, w.len, &back, &why));
	assert_int_equal(back.udp_encap_port, 10000);
	w = wr_init(rep, sizeof(rep));
	isakmp_attr_write_tlv(&w, CFG_UNITY_NATT_PORT, big, sizeof(big));
	assert_false(modecfg_parse(rep, w.len, &back, &why));
	w = wr_init(rep, sizeof(rep));
	isakmp_attr_write_tlv(&w, CFG_UNITY_NATT_PORT, five, sizeof(five));
	assert_false(modecfg_parse(rep, w.len, &back, &why));
}

/* ---- the command ---- */

struct diag {
	unsigned n_err, line;
	char msg[1100];
};

static void collect(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct diag *d = ctx;
	if (sev != EVS_CONFIG_ERROR || d->n_err++)
		return;
	d->line = line;
	snprintf(d->msg, sizeof(d->msg), "%s", msg);
}

static const char conf_head[] = "aaa new-model\n"                              /* 1 */
                                "aaa authentication login U local\n"           /* 2 */
                                "aaa authorization network G local\n"          /* 3 */
                                "username u secret p\n"                        /* 4 */
                                "ip local pool P 10.0.0.10 10.0.0.20\n"        /* 5 */
                                "crypto isakmp client configuration group G\n" /* 6 */
                                " key k\n"                                     /* 7 */
                                " pool P\n";                                   /* 8 */
static const char conf_tail[] = "crypto isakmp policy 10\n"                    /* 10 */
                                " encryption aes 256\n"                        /* 11 */
                                " authentication pre-share\n"                  /* 12 */
                                " group 2\n"                                   /* 13 */
                                "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
                                "crypto dynamic-map D 10\n"
                                " set transform-set T\n"
                                "crypto map M client authentication list U\n"
                                "crypto map M isakmp authorization list G\n"
                                "crypto map M client configuration address respond\n"
                                "crypto map M 65535 ipsec-isakmp dynamic D\n"
                                "interface eth0\n"
                                " ip address 198.51.100.1 255.255.255.0\n"
                                " crypto map M\n";

/* The configuration with `cmd` on line 9, in group G; NULL when it was refused. */
static struct evs_config *parse_cmd(const char *cmd, struct diag *d)
{
	char text[4096];
	snprintf(text, sizeof(text), "%s%s\n%s", conf_head, cmd, conf_tail);
	memset(d, 0, sizeof(*d));
	return evs_config_parse("evs.conf", text, strlen(text), collect, d);
}

static uint16_t group_port(const struct evs_config *cfg)
{
	struct evc_policy *pol = calloc(1, sizeof(*pol));
	assert_non_null(pol);
	evs_config_group_policy(cfg, 0, pol);
	uint16_t port = (pol->have & EVC_HAVE_UDP_ENCAP_PORT) ? pol->udp_encap_port : 0;
	free(pol);
	return port;
}

static void test_command(void **state)
{
	(void)state;
	struct diag d;
	static const struct {
		const char *cmd;
		uint16_t port;
	} ok[] = {
	    {" ipsec-udp", 10000},
	    {" ipsec-udp port 4001", 4001},
	    {" ipsec-udp port 49151", 49151},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct evs_config *cfg = parse_cmd(ok[i].cmd, &d);
		if (!cfg)
			fail_msg("'%s' refused: %s", ok[i].cmd, d.msg);
		assert_int_equal(group_port(cfg), ok[i].port);
		evs_config_free(cfg);
	}
	/* without the command: off */
	struct evs_config *cfg = parse_cmd(" save-password", &d);
	assert_non_null(cfg);
	assert_int_equal(group_port(cfg), 0);
	evs_config_free(cfg);

	static const struct {
		const char *cmd, *msg;
	} bad[] = {
	    {" ipsec-udp port 4000", "ipsec-udp port must be between 4001 and 49151, not '4000'"},
	    {" ipsec-udp port 49152", "ipsec-udp port must be between 4001 and 49151, not '49152'"},
	    {" ipsec-udp port ten", "ipsec-udp port must be between 4001 and 49151, not 'ten'"},
	    {" ipsec-udp port 4500", "ipsec-udp port 4500 is NAT-T's port"},
	    {" ipsec-udp port", "ipsec-udp [port <4001-49151>]"},
	    {" ipsec-udp enable", "ipsec-udp [port <4001-49151>]"},
	    {" ipsec-udp port 10000 extra", "ipsec-udp [port <4001-49151>]"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = parse_cmd(bad[i].cmd, &d);
		if (cfg || !strstr(d.msg, bad[i].msg) || d.line != 9)
			fail_msg("'%s': line %u '%s', expected line 9 '%s'", bad[i].cmd, d.line,
			         d.msg, bad[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_default_port, setup_udp, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_given_port, setup_udp_port, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_not_asked, setup_udp, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_group_off, setup_plain, evs_net_teardown),
	    cmocka_unit_test(test_wire),
	    cmocka_unit_test(test_command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
