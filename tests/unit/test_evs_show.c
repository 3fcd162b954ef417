/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The show and clear commands of the evs control socket (server/core/show.c), asked of a
 * daemon that real client engines connected to through an in-memory network (the rig of
 * test_evs_daemon.c): Example 20-1 for `show crypto dynamic-map`, IOS's `show crypto isakmp
 * sa` and `show crypto session [detail]`, the --json forms, `clear crypto session`, and the
 * reload of the configuration (evs_daemon_reload, reload.c).
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

#include "ike/driver.h"
#include "server/core/config.h"
#include "server/core/daemon.h"

#include "evs_net.h"
#include "server/core/reload.h"

static int setup(void **state)
{
	return evs_net_setup_conf(state, EVC_SOURCE_DIR "/server/evs.conf");
}

/* ---- the show and clear commands ---- */

static size_t ask(struct evs_net *n, const char *cmd, char *out, size_t cap)
{
	size_t len = evs_daemon_control(n->d, cmd, out, cap);
	assert_true(len < cap);
	out[len] = 0;
	if (getenv("EVS_TEST_VERBOSE"))
		fprintf(stderr, "%s:\n%s\n", cmd, out);
	return len;
}

static void connect_two(struct evs_net *n, struct evs_cli **r, struct evs_cli **na)
{
	*r = evs_net_client_new(n, "richard", "richard-pw-1");
	*na = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true((*r)->up);
	assert_true((*na)->up);
	assert_int_equal(evs_daemon_count(n->d), 2);
}

/* Example 20-1 for the sample's dynamic map, the tag filter and the JSON form. */
static void test_dynamic_map(void **state)
{
	struct evs_net *n = *state;
	char out[4096];
	ask(n, "show crypto dynamic-map", out, sizeof(out));
	assert_non_null(strstr(out, "Crypto Map Template \"EASYVPN\" 10\n"));
	assert_non_null(strstr(out, "\tNo matching address list set.\n"));
	assert_non_null(strstr(out, "\tSecurity association lifetime: 4608000 kilobytes/3600 "
	                            "seconds\n"));
	assert_non_null(strstr(out, "\tPFS (Y/N): N\n"));
	assert_non_null(
	    strstr(out, "\tTransform sets={ trans-aes256, trans-aes128, trans-3des, }\n"));
	assert_non_null(strstr(out, "\tReverse Route Injection Enabled\n"));
	ask(n, "show crypto dynamic-map tag EASYVPN", out, sizeof(out));
	assert_non_null(strstr(out, "Crypto Map Template \"EASYVPN\" 10\n"));
	ask(n, "show crypto dynamic-map tag NOPE", out, sizeof(out));
	assert_string_equal(out, "% No dynamic crypto map named \"NOPE\"\n");
	ask(n, "show crypto dynamic-map --json", out, sizeof(out));
	assert_string_equal(out, "[{\"name\":\"EASYVPN\",\"seq\":10,\"lifetime_kb\":4608000,"
	                         "\"lifetime_s\":3600,\"pfs\":false,\"pfs_group\":0,"
	                         "\"transform_sets\":[\"trans-aes256\",\"trans-aes128\","
	                         "\"trans-3des\"],\"reverse_route\":\"client\"}]\n");
}

/* The chapter's Tasks 3-5 with its names: Example 20-1 word for word (IOS's tabs aside). */
static void test_dynamic_map_seed(void **state)
{
	(void)state;
	static const char conf[] =
	    "aaa new-model\n"
	    "aaa authentication login vpn-users local\n"
	    "aaa authorization network quizware local\n"
	    "username richard secret richard-pw-1\n"
	    "crypto isakmp client configuration group quizware\n"
	    " key groupsecret\n"
	    "crypto isakmp policy 10\n"
	    " encryption aes 256\n"
	    " authentication pre-share\n"
	    " group 2\n"
	    "crypto ipsec transform-set transdynamic-1 esp-aes 256 esp-sha-hmac\n"
	    "crypto ipsec transform-set transdynamic-2 esp-3des esp-sha-hmac\n"
	    "crypto dynamic-map EASYVPN 900\n"
	    " set transform-set transdynamic-1 transdynamic-2\n"
	    "crypto map VPNMAP client authentication list vpn-users\n"
	    "crypto map VPNMAP isakmp authorization list quizware\n"
	    "crypto map VPNMAP client configuration address respond\n"
	    "crypto map VPNMAP 65535 ipsec-isakmp dynamic EASYVPN\n"
	    "interface eth0\n"
	    " ip address 198.51.100.1 255.255.255.0\n"
	    " crypto map VPNMAP\n";
	struct evs_config *cfg = evs_config_parse("seed.conf", conf, strlen(conf), NULL, NULL);
	assert_non_null(cfg);
	static const uint32_t listen[] = {SRV_IP};
	struct evs_net *n = calloc(1, sizeof(*n));
	assert_non_null(n);
	struct evs_daemon_io io = evs_net_io;
	io.ctx = n;
	struct evs_daemon_opts o = {.cfg = cfg, .listen = listen, .n_listen = 1, .io = &io};
	char err[256], out[2048];
	assert_int_equal(evs_daemon_new(&n->d, &o, 1000, err, sizeof(err)), 0);
	ask(n, "show crypto dynamic-map", out, sizeof(out));
	assert_string_equal(out, "Crypto Map Template \"EASYVPN\" 900\n"
	                         "\tNo matching address list set.\n"
	                         "\tCurrent peer:\n"
	                         "\tSecurity association lifetime: 4608000 kilobytes/3600 seconds\n"
	                         "\tPFS (Y/N): N\n"
	                         "\tTransform sets={ transdynamic-1, transdynamic-2, }\n"
	                         "\n");
	evs_daemon_free(n->d);
	evs_config_free(cfg);
	free(n);
}

static void test_isakmp_sa(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	char out[4096];
	ask(n, "show crypto isakmp sa", out, sizeof(out));
	assert_string_equal(out, "IPv4 Crypto ISAKMP SA\n"
	                         "dst             src             state          conn-id status\n");
	connect_two(n, &r, &na);
	ask(n, "show crypto isakmp sa", out, sizeof(out));
	assert_non_null(
	    strstr(out, "198.51.100.1    203.0.113.1     QM_IDLE           1001 ACTIVE\n"));
	assert_non_null(
	    strstr(out, "198.51.100.1    203.0.113.2     QM_IDLE           1002 ACTIVE\n"));
	ask(n, "show crypto isakmp sa --json", out, sizeof(out));
	assert_non_null(strstr(out,
	                       "{\"dst\":\"198.51.100.1\",\"src\":\"203.0.113.1\",\"src_port\":500,"
	                       "\"state\":\"QM_IDLE\",\"conn_id\":1001,\"status\":\"ACTIVE\","
	                       "\"group\":\"quizware\",\"user\":\"richard\"}"));
	assert_true(out[0] == '[' && strstr(out, "]\n"));
}

/* detail: the negotiated policy of each IKE SA; ipsec sa: each pair's transform and whether
 * it is UDP-encapsulated, as IOS prints them. */
static void test_isakmp_sa_detail(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	char out[8192];
	connect_two(n, &r, &na);
	ask(n, "show crypto isakmp sa detail", out, sizeof(out));
	print_message("%s", out);
	assert_non_null(strstr(out, "C-id  Local           Remote          I-VRF  Status Encr Hash "
	                            "  Auth DH Lifetime Cap.\n\n"));
	assert_non_null(strstr(out, "1001  198.51.100.1    203.0.113.1            ACTIVE "));
	assert_non_null(strstr(out, "       Engine-id:Conn-id =  SW:1002\n"));
	ask(n, "show crypto isakmp sa detail --json", out, sizeof(out));
	print_message("%s", out);
	assert_non_null(strstr(out, "\"conn_id\":1001,\"local\":\"198.51.100.1\",\"remote\":"
	                            "\"203.0.113.1\",\"status\":\"ACTIVE\",\"encr\":"));
	ask(n, "show crypto ipsec sa", out, sizeof(out));
	print_message("%s", out);
	assert_non_null(strstr(out, "        transform: esp-"));
	assert_non_null(strstr(out, "        in use settings ={Tunnel"));
	ask(n, "show crypto ipsec sa --json", out, sizeof(out));
	assert_non_null(strstr(out, "\"transform\":\"esp-"));
}

static void test_session(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	char out[8192];
	connect_two(n, &r, &na);
	n->now += 65000;
	evs_daemon_tick(n->d, n->now);
	ask(n, "show crypto session", out, sizeof(out));
	assert_non_null(strstr(out, "Crypto session current status\n"));
	assert_non_null(strstr(out,
	                       "\nInterface: eth0\nUsername: richard\nGroup: quizware\n"
	                       "Assigned address: 10.98.0.10\nSession status: UP-ACTIVE\n"
	                       "Peer: 203.0.113.1 port 500\n"
	                       "  IKE SA: local 198.51.100.1/500 remote 203.0.113.1/500 Active\n"
	                       "  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 host 10.98.0.10\n"
	                       "        Active SAs: 2, origin: dynamic crypto map\n"));
	assert_non_null(strstr(out, "Username: natalie\n"));
	assert_null(strstr(out, "Uptime"));
	ask(n, "show crypto session detail", out, sizeof(out));
	assert_non_null(strstr(out, "Uptime: 00:01:05\n"));
	assert_non_null(strstr(out, "  Phase1_id: quizware\n"));
	assert_non_null(strstr(out, "          connid:1001\n"));
	assert_non_null(
	    strstr(out, "        Inbound:  #pkts dec'ed 0 drop 0 life (KB/Sec) 4608000/"));
	ask(n, "show crypto session --json", out, sizeof(out));
	assert_non_null(strstr(out,
	                       "{\"interface\":\"eth0\",\"user\":\"richard\",\"group\":"
	                       "\"quizware\",\"assigned\":\"10.98.0.10\",\"status\":\"UP-ACTIVE\","
	                       "\"peer\":\"203.0.113.1\",\"peer_port\":500,\"local\":"
	                       "\"198.51.100.1\",\"local_port\":500,\"conn_id\":1001,"
	                       "\"uptime_s\":65,\"ipsec_sas\":[{\"spi_in\":"));
	ask(n, "show crypto session summary --json", out, sizeof(out));
	assert_string_equal(out,
	                    "[{\"group\":\"quizware\",\"connections\":2,\"users\":[{\"user\":"
	                    "\"richard\",\"logins\":1},{\"user\":\"natalie\",\"logins\":1}]}]\n");
	ask(n, "show crypto session group --json", out, sizeof(out));
	assert_string_equal(out, "[{\"group\":\"quizware\",\"connections\":2}]\n");
	ask(n, "show crypto ipsec sa --json", out, sizeof(out));
	assert_non_null(strstr(out, "{\"interface\":\"evs0\",\"peers\":[{\"peer\":\"203.0.113.1\","
	                            "\"peer_port\":500,\"user\":\"richard\",\"group\":\"quizware\","
	                            "\"remote_ident\":\"10.98.0.10\",\"sas\":[{\"spi_in\":"));
	/* the text forms daemon.c answers are unchanged */
	ask(n, "show crypto session group", out, sizeof(out));
	assert_non_null(strstr(out, " quizware: 2"));
}

/* `clear crypto session username U` sends U's client a DELETE and leaves the others. */
static void test_clear(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	char out[1024];
	connect_two(n, &r, &na);
	ask(n, "clear crypto session username RICHARD", out, sizeof(out)); /* `local`: any case */
	assert_string_equal(out, "cleared 1 session(s) of user RICHARD\n");
	assert_true(evs_net_pump(n));
	assert_true(r->closed);
	assert_false(na->closed);
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_int_equal(n->child_dels, 1);
	ask(n, "show crypto session summary", out, sizeof(out));
	assert_null(strstr(out, "richard"));
	assert_non_null(strstr(out, "natalie"));
	ask(n, "clear crypto session username nobody", out, sizeof(out));
	assert_string_equal(out, "cleared 0 session(s) of user nobody\n");
	ask(n, "clear crypto session", out, sizeof(out));
	assert_string_equal(out, "cleared 1 session(s)\n");
	assert_true(evs_net_pump(n));
	assert_true(na->closed);
	assert_int_equal(evs_daemon_count(n->d), 0);
}

static void test_invalid(void **state)
{
	struct evs_net *n = *state;
	char out[1024];
	static const char *const bad[] = {
	    "show crypto",
	    "show crypto dynamic-map tag",
	    "show crypto session detail extra",
	    "clear crypto session --json",
	    "clear crypto session username",
	    "show crypto dynamic-map tag a b",
	    "show a b c d e f g h i j k",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ask(n, bad[i], out, sizeof(out));
		assert_non_null(strstr(out, "% Invalid input"));
	}
	/* a small buffer gets what fits, never an overrun, and a length above its size that
	 * tells the control socket to say the answer was cut (lib/control.h) */
	char small[16];
	size_t len = evs_daemon_control(n->d, "show crypto dynamic-map", small, sizeof(small));
	assert_true(len > sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* ---- reload ---- */

/* server/evs.conf with a piece of text replaced everywhere (asserted present). */
static char *conf_variant(const char *from, const char *to)
{
	FILE *f = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r");
	static char text[16384];
	assert_non_null(f);
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[len] = 0;
	assert_non_null(strstr(text, from));
	char *out = malloc(sizeof(text) * 2);
	assert_non_null(out);
	out[0] = 0;
	/* every occurrence, so that a renamed group stays consistent with its lists */
	for (char *p = text, *at; *p; p = at + strlen(from)) {
		at = strstr(p, from);
		if (!at) {
			strcat(out, p);
			break;
		}
		strncat(out, p, (size_t)(at - p));
		strcat(out, to);
	}
	return out;
}

static void reload_to(struct evs_net *n, const char *from, const char *to)
{
	char err[256];
	char *text = conf_variant(from, to);
	n->cfg2 = evs_config_parse("evs.conf", text, strlen(text), NULL, NULL);
	free(text);
	assert_non_null(n->cfg2);
	assert_int_equal(evs_daemon_reload(n->d, n->cfg2, n->now, err, sizeof(err)), 0);
}

/* A reload that keeps the group keeps its sessions and their addresses; the new
 * configuration's changes apply to the next client. */
static void test_reload_keeps_sessions(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	char out[4096];
	connect_two(n, &r, &na);
	reload_to(n, " dns 10.99.0.53\n", " dns 10.99.0.54\n max-users 3\n");
	assert_true(evs_net_pump(n));
	assert_false(r->closed);
	assert_false(na->closed);
	assert_int_equal(evs_daemon_count(n->d), 2);
	ask(n, "show crypto session summary", out, sizeof(out));
	assert_non_null(strstr(out, "Group quizware has 2 connections"));
	/* a third login: the next free address, the new DNS server */
	struct evs_cli *c = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	assert_int_equal(c->policy.addr, 0x0a62000c);
	assert_int_equal(c->policy.dns[0], 0x0a630036);
	/* the sessions still end cleanly */
	ike_close(r->sa, n->now);
	ike_drive(r->sa, &evs_net_cli_ops, r);
	assert_true(evs_net_pump(n));
	assert_int_equal(evs_daemon_count(n->d), 2);
}

/* A reload that drops the group closes its sessions with a DELETE. */
static void test_reload_group_gone(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	char out[4096];
	connect_two(n, &r, &na);
	reload_to(n, "aaa authorization network quizware local\n",
	          "aaa authorization network quizware local\n"
	          "crypto isakmp client configuration group engineers\n key other\n");
	/* still there: the group quizware; now rename it away */
	assert_int_equal(evs_daemon_count(n->d), 2);
	char *text = conf_variant("quizware", "quizware2");
	struct evs_config *c3 = evs_config_parse("evs.conf", text, strlen(text), NULL, NULL);
	free(text);
	assert_non_null(c3);
	char err[256];
	assert_int_equal(evs_daemon_reload(n->d, c3, n->now, err, sizeof(err)), 0);
	evs_config_free(n->cfg2);
	n->cfg2 = c3;
	assert_true(evs_net_pump(n));
	assert_true(r->closed);
	assert_true(na->closed);
	assert_int_equal(evs_daemon_count(n->d), 0);
	ask(n, "show crypto session summary", out, sizeof(out));
	assert_null(strstr(out, "richard"));
	assert_non_null(strstr(out, "Group quizware2 has 0 connections"));
}

/* The host routed the pools (or not) at start: a reload does not switch the daemon between
 * per-client reverse routes and whole-pool routes. */
static void test_reload_keeps_route_mode(void **state)
{
	struct evs_net *n = *state;
	assert_false(evs_daemon_rri_pools(n->d)); /* the sample has reverse-route */
	reload_to(n, " reverse-route\n", "");
	assert_false(evs_daemon_rri_pools(n->d));
}

/* A changed pool does not hand out an address a kept session still has. */
static void test_reload_pool_changed(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_int_equal(r->policy.addr, 0x0a62000a);
	reload_to(n, "10.98.0.10 10.98.0.100", "10.98.0.10 10.98.0.200");
	struct evs_cli *na = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(na->up);
	assert_int_equal(na->policy.addr, 0x0a62000b);
	assert_false(r->closed);
}

struct logbuf {
	char text[8192];
	size_t len;
};

static void log_into(void *ctx, enum ike_log_level level, const char *msg)
{
	struct logbuf *b = ctx;
	(void)level;
	int k = snprintf(b->text + b->len, sizeof(b->text) - b->len, "%s\n", msg);
	if (k > 0 && (size_t)k < sizeof(b->text) - b->len)
		b->len += (size_t)k;
}

/* The file is re-read; a broken one is refused with its error in the log and the old
 * configuration keeps serving. */
static void test_reload_file(void **state)
{
	struct evs_net *n = *state;
	struct evs_cli *r, *na;
	struct logbuf lb = {0};
	char path[] = "/tmp/evs-reload-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	char *bad = conf_variant(" hash sha\n", " hash sha7\n");
	assert_true(write(fd, bad, strlen(bad)) == (ssize_t)strlen(bad));
	close(fd);
	free(bad);
	connect_two(n, &r, &na);
	struct evs_reload *rl = evs_reload_new(path, n->cfg, log_into, &lb);
	assert_non_null(rl);
	assert_true(evs_reload_run(rl, n->d, n->now) < 0);
	assert_non_null(strstr(lb.text, "reload refused"));
	assert_non_null(strstr(lb.text, ":27: "));
	assert_non_null(strstr(lb.text, "sha7"));
	assert_int_equal(evs_daemon_count(n->d), 2);
	struct evs_cli *c = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(c->up);
	/* fixed: taken, and the daemon lives on it */
	char *good = conf_variant(" dns 10.99.0.53\n", " dns 10.99.0.55\n");
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(good, f);
	fclose(f);
	free(good);
	lb.len = 0;
	assert_int_equal(evs_reload_run(rl, n->d, n->now), 0);
	assert_non_null(strstr(lb.text, "reload: now running /tmp/evs-reload-"));
	assert_int_equal(evs_daemon_count(n->d), 3);
	struct evs_cli *c2 = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(c2->up);
	assert_int_equal(c2->policy.dns[0], 0x0a630037);
	/* the daemon goes before the configuration the reloader owns */
	evs_daemon_free(n->d);
	n->d = NULL;
	evs_reload_free(rl);
	unlink(path);
}

/* ---- group limits ---- */

/* max-logins 1: a second login of the same user is refused at once with the reason, the
 * first keeps running. */
static void test_max_logins(void **state)
{
	struct evs_net *n = *state;
	reload_to(n, " dns 10.99.0.53\n", " dns 10.99.0.53\n max-logins 1\n");
	struct evs_cli *r = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(r->up);
	struct evs_cli *r2 =
	    evs_net_client_new(n, "RICHARD", "richard-pw-1"); /* `local`: the same user */
	assert_true(evs_net_pump(n));
	assert_false(r2->up);
	assert_true(r2->failed);
	assert_int_equal(r2->prompts, 1); /* no second prompt: the password was right */
	assert_string_equal(
	    r2->why, "step 4 (XAUTH): the gateway refused user RICHARD: user RICHARD has reached "
	             "the max-logins of group quizware: 1 session(s) open "
	             "already; end one first");
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_false(r->closed);
	/* a different user is not limited by max-logins */
	struct evs_cli *na = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(na->up);
}

static void test_max_users(void **state)
{
	struct evs_net *n = *state;
	reload_to(n, " dns 10.99.0.53\n", " dns 10.99.0.53\n max-users 1\n");
	struct evs_cli *r = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(r->up);
	struct evs_cli *na = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(na->failed);
	assert_string_equal(
	    na->why, "step 4 (XAUTH): the gateway refused user natalie: group quizware has reached "
	             "its max-users: 1 users are connected; try again later");
	assert_int_equal(evs_daemon_count(n->d), 1);
	/* a wrong password is still asked again, not refused for the limit */
	struct evs_cli *bad = evs_net_client_new(n, "natalie", "wrong");
	assert_true(evs_net_pump(n));
	assert_false(bad->up);
	assert_int_equal(bad->prompts, 2); /* the rig's client gives up at the second prompt */
	assert_null(strstr(bad->why, "max-users"));
	/* when richard leaves, natalie gets in */
	ike_close(r->sa, n->now);
	ike_drive(r->sa, &evs_net_cli_ops, r);
	assert_true(evs_net_pump(n));
	struct evs_cli *na2 = evs_net_client_new(n, "natalie", "natalie-pw-2");
	assert_true(evs_net_pump(n));
	assert_true(na2->up);
}

/* access-restrict: a group's clients connect only through the interfaces it names, told by
 * the address they came to. */
static void test_access_restrict(void **state)
{
	struct evs_net *n = *state;
	char out[4096];
	reload_to(n, " crypto map VPNMAP\n",
	          " crypto map VPNMAP\ninterface eth1\n ip address 198.51.100.254 255.255.255.0\n"
	          " crypto map VPNMAP\ncrypto isakmp client configuration group quizware\n"
	          " access-restrict eth1\n");
	struct evs_cli *r = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_false(r->up);
	assert_true(r->failed);
	assert_int_equal(r->prompts, 1);
	assert_string_equal(r->why, "step 4 (XAUTH): the gateway refused user richard: group "
	                            "quizware may connect only through interface eth1 "
	                            "(access-restrict), not eth0");
	assert_int_equal(evs_daemon_count(n->d), 0);
	ask(n, "show crypto session summary", out, sizeof(out));
	assert_non_null(strstr(out, "Group quizware has 0 connections"));
	/* naming eth0 as well lets them in */
	struct evs_config *old = n->cfg2;
	n->cfg2 = NULL;
	reload_to(n, " crypto map VPNMAP\n",
	          " crypto map VPNMAP\ninterface eth1\n ip address 198.51.100.254 255.255.255.0\n"
	          " crypto map VPNMAP\ncrypto isakmp client configuration group quizware\n"
	          " access-restrict eth1\n access-restrict eth0\n");
	evs_config_free(old);
	struct evs_cli *r2 = evs_net_client_new(n, "richard", "richard-pw-1");
	assert_true(evs_net_pump(n));
	assert_true(r2->up);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dynamic_map, setup, evs_net_teardown),
	    cmocka_unit_test(test_dynamic_map_seed),
	    cmocka_unit_test_setup_teardown(test_isakmp_sa, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_isakmp_sa_detail, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_session, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_clear, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_invalid, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_reload_keeps_sessions, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_reload_group_gone, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_reload_pool_changed, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_reload_keeps_route_mode, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_reload_file, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_max_logins, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_max_users, setup, evs_net_teardown),
	    cmocka_unit_test_setup_teardown(test_access_restrict, setup, evs_net_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
