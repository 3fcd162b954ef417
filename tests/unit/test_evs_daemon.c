/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evs daemon (server/core/daemon.c) with no socket, no TUN device and no root: real
 * client engines, driven through ike_drive like evc drives its own, connect to a daemon made
 * from the sample configuration server/evs.conf, through an in-memory network that stands in
 * for the daemon's I/O. Whole handshakes, many clients at once, the control commands, the
 * half-open timeout, DELETEs at stop, and garbage that must not make an SA.
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

#define SRV_IP 0xc6336401u /* 198.51.100.1, the sample's `interface eth0` address */
#define CLI_IP 0xcb007100u /* 203.0.113.0 + client number */
#define MAX_CLIENTS 64
#define MAX_QUEUED 512
#define MAX_CHILDREN 256

struct dgram {
	bool to_daemon;
	struct ike_endpoint from, to;
	uint16_t port; /* to the daemon: the local port it arrived on */
	size_t len;
	uint8_t *data;
};

struct cli {
	struct ike_sa *sa;
	struct net *net;
	struct ike_endpoint addr;
	const char *user, *password;
	bool up, failed, closed;
	struct ike_child child;
	struct evc_policy policy;
};

struct net {
	struct evs_daemon *d;
	struct evs_config *cfg;
	uint64_t now;
	struct dgram q[MAX_QUEUED];
	size_t nq;
	struct cli cli[MAX_CLIENTS];
	size_t ncli;
	uint32_t child_spi[MAX_CHILDREN]; /* what the datapath holds; 0: free */
	int child_adds, child_dels, routes, route_dels, keepalives, daemon_sends;
	uint32_t route_addr[MAX_CHILDREN];
	struct evc_net route[MAX_CHILDREN], route_del[MAX_CHILDREN];
	char warnings[4096]; /* every warning the daemon logged, one a line */
};

static void enqueue(struct net *n, bool to_daemon, const struct ike_endpoint *from,
                    const struct ike_endpoint *to, uint16_t port, const uint8_t *msg, size_t len)
{
	assert_true(n->nq < MAX_QUEUED);
	struct dgram *g = &n->q[n->nq++];
	g->to_daemon = to_daemon;
	g->from = *from;
	g->to = *to;
	g->port = port;
	g->len = len;
	g->data = malloc(len ? len : 1);
	assert_non_null(g->data);
	memcpy(g->data, msg, len);
}

/* ---- the daemon's I/O, in memory ---- */

static void io_send(void *ctx, size_t li, uint16_t from_port, const uint8_t *msg, size_t len,
                    const struct ike_endpoint *to)
{
	struct net *n = ctx;
	struct ike_endpoint from = {SRV_IP, from_port};
	assert_int_equal(li, 0);
	n->daemon_sends++;
	enqueue(n, false, &from, to, from_port, msg, len);
}

static void io_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct net *n = ctx;
	size_t have = strlen(n->warnings);
	if (level <= IKE_LOG_WARN && have < sizeof(n->warnings))
		snprintf(n->warnings + have, sizeof(n->warnings) - have, "%s\n", msg);
	if (getenv("EVS_TEST_VERBOSE") || level <= IKE_LOG_ERR)
		fprintf(stderr, "evs: %s\n", msg);
}

static int io_child_add(void *ctx, const struct ike_child *ch, const char **why)
{
	struct net *n = ctx;
	(void)why;
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (!n->child_spi[i]) {
			n->child_spi[i] = ch->spi_in;
			n->child_adds++;
			return 0;
		}
	fail_msg("datapath full");
	return -1;
}

static void io_child_del(void *ctx, uint32_t spi_in)
{
	struct net *n = ctx;
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (n->child_spi[i] == spi_in) {
			n->child_spi[i] = 0;
			n->child_dels++;
			return;
		}
	fail_msg("deleted an SPI %08x the datapath does not hold", spi_in);
}

static void io_keepalive(void *ctx, size_t li, const struct ike_endpoint *peer)
{
	struct net *n = ctx;
	(void)li;
	(void)peer;
	n->keepalives++;
}

static int io_route_add(void *ctx, const struct evc_net *net, char *err, size_t errlen)
{
	struct net *n = ctx;
	(void)err;
	(void)errlen;
	assert_true(n->routes < MAX_CHILDREN);
	n->route[n->routes] = *net;
	n->route_addr[n->routes++] = net->addr;
	return 0;
}

static void io_route_del(void *ctx, const struct evc_net *net)
{
	struct net *n = ctx;
	assert_true(n->route_dels < MAX_CHILDREN);
	n->route_del[n->route_dels++] = *net;
}

/* ---- a client, driven as evc drives its engine ---- */

static void c_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                   uint16_t from_port)
{
	struct cli *c = ctx;
	struct ike_endpoint from = {c->addr.addr, from_port};
	enqueue(c->net, true, &from, to, to->port, msg, len);
}

static void c_prompt(void *ctx, const char *message, bool retry)
{
	struct cli *c = ctx;
	(void)message;
	if (retry)
		ike_close(c->sa, c->net->now);
	else
		ike_xauth_answer(c->sa, c->net->now, c->user, c->password);
}

static void c_policy(void *ctx, const struct evc_policy *pol)
{
	struct cli *c = ctx;
	c->policy = *pol;
}

static void c_child_up(void *ctx, const struct ike_child *ch)
{
	struct cli *c = ctx;
	c->child = *ch;
	c->up = true;
}

static void c_failed(void *ctx, enum ike_step step, const char *text)
{
	struct cli *c = ctx;
	(void)step;
	if (getenv("EVS_TEST_VERBOSE"))
		fprintf(stderr, "client: %s\n", text);
	c->failed = true;
}

static void c_closed(void *ctx, const char *text)
{
	struct cli *c = ctx;
	(void)text;
	c->closed = true;
}

static const struct ike_driver_ops cli_ops = {
    .send = c_send,
    .xauth_prompt = c_prompt,
    .policy = c_policy,
    .child_up = c_child_up,
    .failed = c_failed,
    .closed = c_closed,
};

/* A hardware client in network-extension mode with these networks behind it (n_lan 0: a
 * software client). */
static struct cli *client_new_lan(struct net *n, const char *user, const char *password,
                                  const struct evc_net *lan, size_t n_lan)
{
	assert_true(n->ncli < MAX_CLIENTS);
	struct cli *c = &n->cli[n->ncli];
	struct ike_config cfg = {0};
	const char *why = NULL;
	c->net = n;
	c->addr = (struct ike_endpoint){CLI_IP + 1 + (uint32_t)n->ncli, IKE_PORT};
	c->user = user;
	c->password = password;
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = c->addr;
	cfg.peer = (struct ike_endpoint){SRV_IP, IKE_PORT};
	cfg.group = "quizware";
	cfg.psk = (const uint8_t *)"groupsecret";
	cfg.psk_len = strlen("groupsecret");
	cfg.dh_group = 2;
	if (n_lan)
		memcpy(cfg.lan, lan, n_lan * sizeof(*lan));
	cfg.n_lan = n_lan;
	c->sa = ike_sa_new(&cfg, n->now, &why);
	assert_non_null(c->sa);
	n->ncli++;
	ike_start(c->sa, n->now);
	ike_drive(c->sa, &cli_ops, c);
	return c;
}

static struct cli *client_new(struct net *n, const char *user, const char *password)
{
	return client_new_lan(n, user, password, NULL, 0);
}

static struct cli *client_at(struct net *n, uint32_t addr)
{
	for (size_t i = 0; i < n->ncli; i++)
		if (n->cli[i].addr.addr == addr)
			return &n->cli[i];
	return NULL;
}

/* Delivers datagrams until none is left; false if it did not settle. */
static bool pump(struct net *n)
{
	for (unsigned rounds = 0; rounds < 100000; rounds++) {
		if (!n->nq)
			return true;
		struct dgram g = n->q[0];
		memmove(n->q, n->q + 1, (n->nq - 1) * sizeof(n->q[0]));
		n->nq--;
		if (g.to_daemon) {
			evs_daemon_input(n->d, 0, g.port, g.data, g.len, &g.from, n->now);
		} else {
			struct cli *c = client_at(n, g.to.addr);
			if (c && c->sa) {
				ike_input(c->sa, n->now, g.data, g.len, &g.from, &c->addr);
				ike_drive(c->sa, &cli_ops, c);
			}
		}
		free(g.data);
	}
	return false;
}

static const struct evs_daemon_io net_io = {
    .send = io_send,
    .log = io_log,
    .child_add = io_child_add,
    .child_del = io_child_del,
    .keepalive = io_keepalive,
    .route_add = io_route_add,
    .route_del = io_route_del,
};

static int setup_conf(void **state, const char *conf)
{
	struct net *n = calloc(1, sizeof(*n));
	static const uint32_t listen[] = {SRV_IP};
	static const uint8_t key[16] = {1, 2, 3};
	char err[256];
	assert_non_null(n);
	n->now = 1000;
	n->cfg = evs_config_load(conf, NULL, NULL);
	assert_non_null(n->cfg);
	struct evs_daemon_io io = net_io;
	io.ctx = n;
	struct evs_daemon_opts o = {
	    .cfg = n->cfg,
	    .listen = listen,
	    .n_listen = 1,
	    .ifname = "evs0",
	    .io = &io,
	    .hash_key = key,
	};
	assert_int_equal(evs_daemon_new(&n->d, &o, n->now, err, sizeof(err)), 0);
	*state = n;
	return 0;
}

static int setup(void **state)
{
	return setup_conf(state, EVC_SOURCE_DIR "/server/evs.conf");
}

/* The sample configuration with `nem enable` in group quizware. */
static int setup_nem(void **state)
{
	char path[] = "/tmp/evs-nem-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *in = fopen(EVC_SOURCE_DIR "/server/evs.conf", "r"), *out = fdopen(fd, "w");
	assert_non_null(in);
	assert_non_null(out);
	char line[512];
	while (fgets(line, sizeof(line), in)) {
		fputs(line, out);
		if (strcmp(line, " acl 101\n") == 0)
			fputs(" nem enable\n", out);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	int rc = setup_conf(state, path);
	unlink(path);
	return rc;
}

static int teardown(void **state)
{
	struct net *n = *state;
	evs_daemon_free(n->d);
	for (size_t i = 0; i < n->ncli; i++)
		ike_sa_free(n->cli[i].sa);
	for (size_t i = 0; i < n->nq; i++)
		free(n->q[i].data);
	evs_config_free(n->cfg);
	free(n);
	return 0;
}

/* One client through aggressive mode, XAUTH, mode-config and quick mode, then a DELETE. */
static void test_handshake(void **state)
{
	struct net *n = *state;
	char out[4096];
	struct cli *c = client_new(n, "richard", "richard-pw-1");
	assert_true(pump(n));
	assert_true(c->up);
	assert_false(c->failed);
	assert_int_equal(evs_daemon_count(n->d), 1);
	/* the daemon installed the mirror image of the client's ESP SA pair */
	assert_int_equal(n->child_adds, 1);
	assert_int_equal(n->child_spi[0], c->child.spi_out);
	/* an address from quizware-pool, and a reverse route to it (the sample has reverse-route)
	 */
	assert_true(c->policy.have & EVC_HAVE_ADDR);
	assert_int_equal(c->policy.addr, 0x0a62000a);
	assert_int_equal(n->routes, 1);
	assert_int_equal(n->route_addr[0], 0x0a62000a);
	size_t len = evs_daemon_control(n->d, "show crypto session summary", out, sizeof(out));
	assert_true(len > 0 && len < sizeof(out));
	assert_non_null(strstr(out, "richard"));
	len = evs_daemon_control(n->d, "show me everything", out, sizeof(out));
	assert_non_null(strstr(out, "Invalid input"));

	ike_close(c->sa, n->now);
	ike_drive(c->sa, &cli_ops, c);
	assert_true(pump(n));
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->child_dels, 1);
	assert_int_equal(n->route_dels, 1);
	len = evs_daemon_control(n->d, "show crypto session summary", out, sizeof(out));
	assert_null(strstr(out, "richard"));
}

static const struct evc_net lans[2] = {{0xc0a80a00u, 0xffffff00u},  /* 192.168.10.0/24 */
                                       {0xc0a81400u, 0xfffffe00u}}; /* 192.168.20.0/23 */

/* A hardware client in network-extension mode whose group allows it (`nem enable`): one
 * ESP SA pair per LAN, and a reverse route to each LAN (not to the pool address) that goes
 * when the pair goes. */
static void test_nem_lans(void **state)
{
	struct net *n = *state;
	struct cli *c = client_new_lan(n, "richard", "richard-pw-1", lans, 2);
	assert_true(pump(n));
	assert_true(c->up);
	assert_false(c->failed);
	assert_int_equal(n->child_adds, 2);
	assert_int_equal(n->routes, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(n->route[i].addr, lans[i].addr);
		assert_int_equal(n->route[i].mask, lans[i].mask);
	}
	/* the second LAN's pair is the last one up on the client */
	assert_int_equal(c->child.local_ts.addr, lans[1].addr);
	assert_int_equal(c->child.local_ts.mask, lans[1].mask);

	ike_close(c->sa, n->now);
	ike_drive(c->sa, &cli_ops, c);
	assert_true(pump(n));
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->child_dels, 2);
	assert_int_equal(n->route_dels, 2);
	for (size_t i = 0; i < 2; i++) {
		bool found = false;
		for (size_t k = 0; k < 2; k++)
			found |= n->route_del[k].addr == lans[i].addr &&
			         n->route_del[k].mask == lans[i].mask;
		assert_true(found);
	}
}

/* Both LAN pairs live past their lifetime (3600 s in the sample): each is rekeyed under the
 * same IKE SA by whichever side comes first, the new pair finds its LAN's route in place,
 * and the old pairs go without taking the routes with them. */
static void test_nem_rekey(void **state)
{
	struct net *n = *state;
	struct cli *c = client_new_lan(n, "richard", "richard-pw-1", lans, 2);
	assert_true(pump(n));
	assert_int_equal(n->child_adds, 2);
	for (int s = 0; s < 3700 && !c->failed && !c->closed; s += 5) {
		n->now += 5000;
		ike_tick(c->sa, n->now);
		ike_drive(c->sa, &cli_ops, c);
		evs_daemon_tick(n->d, n->now);
		assert_true(pump(n));
	}
	assert_false(c->failed);
	assert_false(c->closed);
	assert_int_equal(evs_daemon_count(n->d), 1);
	assert_int_equal(n->child_adds, 4);
	assert_int_equal(n->child_dels, 2);
	assert_int_equal(n->routes, 2);
	assert_int_equal(n->route_dels, 0);
}

/* The same client in a group without `nem enable`: refused, with the reason, and nothing
 * installed or routed. */
static void test_nem_refused(void **state)
{
	struct net *n = *state;
	struct cli *c = client_new_lan(n, "richard", "richard-pw-1", lans, 1);
	assert_true(pump(n));
	assert_false(c->up);
	assert_int_equal(n->child_adds, 0);
	assert_int_equal(n->routes, 0);
	assert_non_null(strstr(n->warnings, "192.168.10.0/255.255.255.0"));
	assert_non_null(strstr(n->warnings, "does not allow network extension ('nem enable')"));
}

/* With `nem enable`, a client still may not claim 0.0.0.0/0 or a network with host bits,
 * nor a LAN that covers another client's pool address. */
static void test_nem_bad_lans(void **state)
{
	struct net *n = *state;
	struct cli *a = client_new(n, "natalie", "natalie-pw-2");
	assert_true(pump(n));
	assert_true(a->up);
	static const struct evc_net all = {0, 0}, hostbits = {0xc0a80a01u, 0xffffff00u},
	                            pool = {0x0a620000u, 0xffff0000u}; /* 10.98.0.0/16 */
	struct cli *b = client_new_lan(n, "richard", "richard-pw-1", &all, 1);
	assert_true(pump(n));
	assert_false(b->up);
	assert_non_null(strstr(n->warnings, "not 0.0.0.0/0"));
	struct cli *c = client_new_lan(n, "richard", "richard-pw-1", &hostbits, 1);
	assert_true(pump(n));
	assert_false(c->up);
	struct cli *d = client_new_lan(n, "richard", "richard-pw-1", &pool, 1);
	assert_true(pump(n));
	assert_int_equal(n->child_adds, 1); /* only natalie's */
	assert_int_equal(n->routes, 1);
	assert_non_null(strstr(n->warnings, "covers an address assigned to another client"));
	(void)d;
}

/* Many clients in parallel, their messages interleaved: each finds its own SA. */
static void test_many_clients(void **state)
{
	struct net *n = *state;
	const size_t count = 40;
	for (size_t i = 0; i < count; i++)
		client_new(n, i % 2 ? "natalie" : "richard",
		           i % 2 ? "natalie-pw-2" : "richard-pw-1");
	assert_true(pump(n));
	for (size_t i = 0; i < count; i++) {
		assert_true(n->cli[i].up);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(n->cli[i].policy.addr, n->cli[j].policy.addr);
	}
	assert_int_equal(evs_daemon_count(n->d), count);
	assert_int_equal(n->child_adds, (int)count);
	/* stopping says DELETE to every client and forgets every SA */
	evs_daemon_stop(n->d, n->now);
	assert_true(pump(n));
	for (size_t i = 0; i < count; i++)
		assert_true(n->cli[i].closed);
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->child_dels, (int)count);
	/* and admits nobody new */
	client_new(n, "richard", "richard-pw-1");
	assert_true(pump(n));
	assert_int_equal(evs_daemon_count(n->d), 0);
}

/* A wrong password: the client is told, no ESP SA and no route appear. */
static void test_bad_password(void **state)
{
	struct net *n = *state;
	struct cli *c = client_new(n, "richard", "wrong");
	assert_true(pump(n));
	/* the daemon makes a rejected client wait before it answers */
	for (int i = 0; i < 20 && !c->closed && !c->failed; i++) {
		n->now = evs_daemon_next_timeout(n->d) < UINT64_MAX ? evs_daemon_next_timeout(n->d)
		                                                    : n->now + 1000;
		evs_daemon_tick(n->d, n->now);
		assert_true(pump(n));
	}
	assert_true(c->closed || c->failed);
	assert_false(c->up);
	assert_int_equal(n->child_adds, 0);
	assert_int_equal(n->routes, 0);
}

/* A client that sends its first message and is never heard again: its half-open SA has a
 * deadline, and ticking past it ends the SA. */
static void test_half_open_expires(void **state)
{
	struct net *n = *state;
	struct cli *c = client_new(n, "richard", "richard-pw-1");
	assert_int_equal(n->nq, 1);
	struct dgram g = n->q[0];
	n->nq = 0;
	evs_daemon_input(n->d, 0, g.port, g.data, g.len, &g.from, n->now);
	free(g.data);
	assert_int_equal(evs_daemon_count(n->d), 1);
	/* its retransmissions find the same SA */
	ike_tick(c->sa, n->now + 1500);
	ike_drive(c->sa, &cli_ops, c);
	for (size_t i = 0; i < n->nq; i++)
		if (n->q[i].to_daemon)
			evs_daemon_input(n->d, 0, n->q[i].port, n->q[i].data, n->q[i].len,
			                 &n->q[i].from, n->now);
	assert_int_equal(evs_daemon_count(n->d), 1);
	uint64_t t = evs_daemon_next_timeout(n->d);
	assert_true(t > n->now && t < n->now + 10 * 60 * 1000);
	for (int i = 0; i < 100 && evs_daemon_count(n->d); i++) {
		t = evs_daemon_next_timeout(n->d);
		assert_true(t < UINT64_MAX);
		n->now = t > n->now ? t : n->now + 1;
		evs_daemon_tick(n->d, n->now);
	}
	assert_int_equal(evs_daemon_count(n->d), 0);
}

/* Datagrams that are not the start of a connection make no SA. */
static void test_garbage(void **state)
{
	struct net *n = *state;
	uint8_t junk[300];
	struct ike_endpoint from = {CLI_IP + 99, 500};
	for (size_t len = 0; len < sizeof(junk); len += 7) {
		for (size_t i = 0; i < len; i++)
			junk[i] = (uint8_t)(i * 131 + len);
		evs_daemon_input(n->d, 0, IKE_PORT, junk, len, &from, n->now);
	}
	evs_daemon_input(n->d, 5, IKE_PORT, junk, sizeof(junk), &from, n->now); /* no listener 5 */
	assert_int_equal(evs_daemon_count(n->d), 0);
	assert_int_equal(n->daemon_sends, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_many_clients, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_password, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_half_open_expires, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nem_lans, setup_nem, teardown),
	    cmocka_unit_test_setup_teardown(test_nem_rekey, setup_nem, teardown),
	    cmocka_unit_test_setup_teardown(test_nem_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_nem_bad_lans, setup_nem, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
