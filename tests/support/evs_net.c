/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The in-memory network between an evs daemon and real client engines (evs_net.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "evs_net.h"

static void enqueue(struct evs_net *n, bool to_daemon, const struct ike_endpoint *from,
                    const struct ike_endpoint *to, uint16_t port, const uint8_t *msg, size_t len)
{
	assert_true(n->nq < MAX_QUEUED);
	struct evs_dgram *g = &n->q[n->nq++];
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
	struct evs_net *n = ctx;
	struct ike_endpoint from = {SRV_IP, from_port};
	assert_int_equal(li, 0);
	n->daemon_sends++;
	enqueue(n, false, &from, to, from_port, msg, len);
}

static void io_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct evs_net *n = ctx;
	size_t have = strlen(n->warnings);
	if (level <= IKE_LOG_WARN && have < sizeof(n->warnings))
		snprintf(n->warnings + have, sizeof(n->warnings) - have, "%s\n", msg);
	if (getenv("EVS_TEST_VERBOSE") || level <= IKE_LOG_ERR)
		fprintf(stderr, "evs: %s\n", msg);
}

static int io_child_add(void *ctx, size_t li, const struct ike_child *ch, const char **why)
{
	struct evs_net *n = ctx;
	(void)why;
	assert_int_equal(li, 0);
	for (size_t i = 0; i < MAX_CHILDREN; i++)
		if (!n->child_spi[i]) {
			n->child_spi[i] = ch->spi_in;
			n->child_adds++;
			n->srv_child = *ch;
			return 0;
		}
	fail_msg("datapath full");
	return -1;
}

static void io_child_del(void *ctx, uint32_t spi_in)
{
	struct evs_net *n = ctx;
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
	struct evs_net *n = ctx;
	(void)li;
	(void)peer;
	n->keepalives++;
}

static int io_route_add(void *ctx, const struct evc_net *net, char *err, size_t errlen)
{
	struct evs_net *n = ctx;
	(void)err;
	(void)errlen;
	assert_true(n->routes < MAX_CHILDREN);
	n->route[n->routes] = *net;
	n->route_addr[n->routes++] = net->addr;
	return 0;
}

static void io_route_del(void *ctx, const struct evc_net *net)
{
	struct evs_net *n = ctx;
	assert_true(n->route_dels < MAX_CHILDREN);
	n->route_del[n->route_dels++] = *net;
}

/* ---- a client, driven as evc drives its engine ---- */

static void c_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                   uint16_t from_port)
{
	struct evs_cli *c = ctx;
	struct ike_endpoint from = {c->addr.addr, from_port};
	enqueue(c->net, true, &from, to, to->port, msg, len);
}

static void c_prompt(void *ctx, const char *message, bool retry)
{
	struct evs_cli *c = ctx;
	(void)message;
	c->prompts++;
	if (retry)
		ike_close(c->sa, c->net->now);
	else
		ike_xauth_answer(c->sa, c->net->now, c->user, c->password);
}

static void c_policy(void *ctx, const struct evc_policy *pol)
{
	struct evs_cli *c = ctx;
	c->policy = *pol;
}

static void c_child_up(void *ctx, const struct ike_child *ch)
{
	struct evs_cli *c = ctx;
	c->child = *ch;
	c->up = true;
}

static void c_failed(void *ctx, enum ike_step step, const char *text)
{
	struct evs_cli *c = ctx;
	(void)step;
	if (getenv("EVS_TEST_VERBOSE"))
		fprintf(stderr, "client: %s\n", text);
	c->failed = true;
	snprintf(c->why, sizeof(c->why), "%s", text);
}

static void c_closed(void *ctx, const char *text)
{
	struct evs_cli *c = ctx;
	(void)text;
	c->closed = true;
}

const struct ike_driver_ops evs_net_cli_ops = {
    .send = c_send,
    .xauth_prompt = c_prompt,
    .policy = c_policy,
    .child_up = c_child_up,
    .failed = c_failed,
    .closed = c_closed,
};

/* A hardware client in network-extension mode with these networks behind it (n_lan 0: a
 * software client). */
struct evs_cli *evs_net_client_new_lan(struct evs_net *n, const char *user, const char *password,
                                       const struct evc_net *lan, size_t n_lan)
{
	assert_true(n->ncli < MAX_CLIENTS);
	struct evs_cli *c = &n->cli[n->ncli];
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
	cfg.natt = n->cli_natt;
	cfg.cisco_udp = n->cli_cisco_udp;
	cfg.psk_main = n->cli_main;
	if (n_lan)
		memcpy(cfg.lan, lan, n_lan * sizeof(*lan));
	cfg.n_lan = n_lan;
	c->sa = ike_sa_new(&cfg, n->now, &why);
	assert_non_null(c->sa);
	n->ncli++;
	ike_start(c->sa, n->now);
	ike_drive(c->sa, &evs_net_cli_ops, c);
	return c;
}

struct evs_cli *evs_net_client_new(struct evs_net *n, const char *user, const char *password)
{
	return evs_net_client_new_lan(n, user, password, NULL, 0);
}

static struct evs_cli *client_at(struct evs_net *n, uint32_t addr)
{
	for (size_t i = 0; i < n->ncli; i++)
		if (n->cli[i].addr.addr == addr)
			return &n->cli[i];
	return NULL;
}

bool evs_net_pump(struct evs_net *n)
{
	for (unsigned rounds = 0; rounds < 100000; rounds++) {
		if (!n->nq)
			return true;
		struct evs_dgram g = n->q[0];
		memmove(n->q, n->q + 1, (n->nq - 1) * sizeof(n->q[0]));
		n->nq--;
		if (g.to_daemon) {
			evs_daemon_input(n->d, 0, g.port, g.data, g.len, &g.from, n->now);
		} else {
			struct evs_cli *c = client_at(n, g.to.addr);
			if (c && c->sa) {
				ike_input(c->sa, n->now, g.data, g.len, &g.from, &c->addr);
				ike_drive(c->sa, &evs_net_cli_ops, c);
			}
		}
		free(g.data);
	}
	return false;
}

const struct evs_daemon_io evs_net_io = {
    .send = io_send,
    .log = io_log,
    .child_add = io_child_add,
    .child_del = io_child_del,
    .keepalive = io_keepalive,
    .route_add = io_route_add,
    .route_del = io_route_del,
};

int evs_net_setup_conf(void **state, const char *conf)
{
	struct evs_net *n = calloc(1, sizeof(*n));
	static const uint32_t listen[] = {SRV_IP};
	static const uint8_t key[16] = {1, 2, 3};
	char err[256];
	assert_non_null(n);
	n->now = 1000;
	n->cfg = evs_config_load(conf, NULL, NULL);
	assert_non_null(n->cfg);
	struct evs_daemon_io io = evs_net_io;
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

int evs_net_teardown(void **state)
{
	struct evs_net *n = *state;
	evs_daemon_free(n->d);
	evs_config_free(n->cfg2);
	for (size_t i = 0; i < n->ncli; i++)
		ike_sa_free(n->cli[i].sa);
	for (size_t i = 0; i < n->nq; i++)
		free(n->q[i].data);
	evs_config_free(n->cfg);
	free(n);
	return 0;
}
