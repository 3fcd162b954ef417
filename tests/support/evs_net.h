/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An evs daemon (server/core/daemon.c) with no socket, no TUN device and no root, and real
 * client engines driven through ike_drive as evc drives its own, joined by an in-memory
 * network that stands in for the daemon's I/O. The unit tests of the daemon and of its show,
 * clear and reload commands share it; a cmocka assertion fails the test on any misuse.
 */
#ifndef EVC_TESTS_EVS_NET_H
#define EVC_TESTS_EVS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/driver.h"
#include "server/core/config.h"
#include "server/core/daemon.h"

#define SRV_IP 0xc6336401u /* 198.51.100.1, the sample's `interface eth0` address */
/* 203.0.113.0 + client number; past 254 it runs on into 203.0.114.0 and up, addresses of
 * this in-memory network only, never on a wire */
#define CLI_IP 0xcb007100u
#define MAX_CLIENTS 2048 /* test_evs_show_many: 2,000 sessions */
#define MAX_QUEUED 512
#define MAX_CHILDREN 4096

struct evs_dgram {
	bool to_daemon;
	struct ike_endpoint from, to;
	uint16_t port; /* to the daemon: the local port it arrived on */
	size_t len;
	uint8_t *data;
};

struct evs_cli {
	struct ike_sa *sa;
	struct evs_net *net;
	struct ike_endpoint addr;
	const char *user, *password;
	bool up, failed, closed;
	char why[512]; /* the failure's text */
	unsigned prompts;
	struct ike_child child;
	struct evc_policy policy;
};

struct evs_net {
	struct evs_daemon *d;
	struct evs_config *cfg;
	struct evs_config *cfg2; /* after a reload; freed by evs_net_teardown */
	uint64_t now;
	struct evs_dgram q[MAX_QUEUED];
	size_t nq;
	struct evs_cli cli[MAX_CLIENTS];
	size_t ncli;
	uint32_t child_spi[MAX_CHILDREN]; /* what the datapath holds; 0: free */
	int child_adds, child_dels, routes, route_dels, keepalives, daemon_sends;
	uint32_t route_addr[MAX_CHILDREN];
	struct evc_net route[MAX_CHILDREN], route_del[MAX_CHILDREN];
	char warnings[4096];         /* every warning the daemon logged, one a line */
	enum ike_natt_mode cli_natt; /* the NAT-T mode of clients made from now on */
	bool cli_cisco_udp;          /* ... and whether they ask for IPsec over UDP */
	bool cli_main;               /* ... and main mode with the group key */
	struct ike_child srv_child;  /* the last ESP SA pair the daemon installed */
};

/* The daemon's I/O (set .ctx to the net) and the clients' driver callbacks. */
extern const struct evs_daemon_io evs_net_io;
extern const struct ike_driver_ops evs_net_cli_ops;

/* A cmocka setup: a daemon made from the configuration file conf, listening on SRV_IP. */
int evs_net_setup_conf(void **state, const char *conf);
int evs_net_teardown(void **state);

/* A client that has sent its first message: a hardware client in network-extension mode with
 * these networks behind it, or (n_lan 0) a software client. Group quizware, key groupsecret. */
struct evs_cli *evs_net_client_new_lan(struct evs_net *n, const char *user, const char *password,
                                       const struct evc_net *lan, size_t n_lan);
struct evs_cli *evs_net_client_new(struct evs_net *n, const char *user, const char *password);

/* Delivers datagrams until none is left; false if it did not settle. */
bool evs_net_pump(struct evs_net *n);

#endif
