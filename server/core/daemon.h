/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evs daemon without its I/O: one engine per client in the responder role, found through
 * the SA table (conntab.h), admitted by the half-open limiter (admit.h), judged at XAUTH
 * (xauth_judge.h), its ESP SAs checked against what it was assigned (children.h), and the
 * `show crypto session` commands. The caller feeds it datagrams, clock ticks and control
 * commands; everything it does to the world goes through struct evs_daemon_io, which the real
 * daemon (host.c) wires to sockets, the datapath and the routing table, and a unit test to
 * memory. It reads no clock: every entry point takes now (monotonic milliseconds).
 */
#ifndef EVC_SERVER_DAEMON_H
#define EVC_SERVER_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "server/core/config.h"

/* IKE SAs at once, half-open ones included: room for 5,000 sessions (the max-users ceiling)
 * with the half-open SAs (admit.h) on top; the tables are made once, so it is a bound */
#define EVS_MAX_CONNS 8192
#define EVS_MAX_LISTEN 8

struct evs_child_counters {
	uint64_t packets_in, bytes_in, packets_out, bytes_out;
};

/* What the daemon does to the world. Only log and send are required; NULL skips the rest. */
struct evs_daemon_io {
	void *ctx;
	/* an ISAKMP message from listener li, port from_port (4500: behind the non-ESP marker) */
	void (*send)(void *ctx, size_t li, uint16_t from_port, const uint8_t *msg, size_t len,
	             const struct ike_endpoint *to);
	void (*log)(void *ctx, enum ike_log_level level, const char *msg);
	/* the datapath: install an ESP SA pair (0, or negative with *why) negotiated through
	 * listener li (ESP in UDP leaves from li's socket for ch->local_port), remove one, move
	 * one */
	int (*child_add)(void *ctx, size_t li, const struct ike_child *ch, const char **why);
	void (*child_del)(void *ctx, uint32_t spi_in);
	void (*child_peer)(void *ctx, uint32_t spi_in, const struct ike_endpoint *peer);
	/* a NAT-T keepalive to peer from listener li's port 4500 */
	void (*keepalive)(void *ctx, size_t li, const struct ike_endpoint *peer);
	/* a route to a client's address (/32) or LAN into the tunnel (reverse route
	 * injection), tagged for a routing daemon to redistribute; 0 or negative, err */
	int (*route_add)(void *ctx, const struct evc_net *net, char *err, size_t errlen);
	void (*route_del)(void *ctx, const struct evc_net *net);
	/* the datapath's counters of an ESP SA pair, for `show crypto ipsec sa`; 0 or -ENOENT */
	int (*child_stats)(void *ctx, uint32_t spi_in, struct evs_child_counters *out);
};

struct evs_daemon_opts {
	const struct evs_config *cfg; /* borrowed; outlives the daemon */
	const uint32_t *listen;       /* local address of each listener, by index */
	size_t n_listen;              /* 1 .. EVS_MAX_LISTEN */
	const char *ifname;           /* the TUN device, for messages */
	size_t max_conns;             /* 0: EVS_MAX_CONNS */
	const uint8_t *hash_key;      /* 16 bytes for the SA table; NULL: drawn at random */
	const struct evs_daemon_io *io;
	/* main mode with RSA signatures: evs's certificate and key, and the CAs of the clients'
	 * certificates; borrowed, outlive the daemon. NULL: main mode is refused. */
	const struct x509_cred *cert;
	const struct x509_trust *trust;
};

struct evs_daemon;

/* 0, or a negative errno with err saying why. */
int evs_daemon_new(struct evs_daemon **out, const struct evs_daemon_opts *o, uint64_t now,
                   char *err, size_t errlen);
/* Frees every SA without a word (call evs_daemon_stop first for DELETEs). NULL is a no-op. */
void evs_daemon_free(struct evs_daemon *d);

/* A datagram (without the non-ESP marker) that arrived on listener li's port local_port. */
void evs_daemon_input(struct evs_daemon *d, size_t li, uint16_t local_port, const uint8_t *msg,
                      size_t len, const struct ike_endpoint *from, uint64_t now);
/* Runs every deadline up to now: SA timers (retransmits, DPD, lifetimes), NAT keepalives. */
void evs_daemon_tick(struct evs_daemon *d, uint64_t now);
/* When evs_daemon_tick should run next; UINT64_MAX: nothing pending. */
uint64_t evs_daemon_next_timeout(const struct evs_daemon *d);
/* The datapath counted the volume lifetime of the ESP SA pair with inbound SPI spi_in past
 * its soft mark (the engine rekeys it) or used it up (hard: the pair ends). */
void evs_daemon_volume(struct evs_daemon *d, uint32_t spi_in, bool hard, uint64_t now);
/* Closes every SA (DELETE to each client) and admits no new one. */
void evs_daemon_stop(struct evs_daemon *d, uint64_t now);

/* Answers one control command into out (cap bytes); a ctl_handler (lib/control.h): a long
 * answer goes on in parts (ctl_srv_more) when evs_daemon_set_control named the server. */
size_t evs_daemon_control(void *d, const char *cmd, char *out, size_t cap);

size_t evs_daemon_count(const struct evs_daemon *d);
/* The isakmp policies and transforms the daemon offers. */
void evs_daemon_proposals(const struct evs_daemon *d, size_t *n_p1, size_t *n_p2);
/* No reverse-route configured: the caller routes the pools into the tunnel as a whole. */
bool evs_daemon_rri_pools(const struct evs_daemon *d);

/* ---- for the show and clear commands (show.c) ---- */

/* One live IKE SA as `show crypto isakmp sa` and `show crypto session` see it. */
struct evs_sa_view {
	const struct ike_sa *sa;
	uint32_t conn_id;    /* as IOS numbers them: 1001, 1002, ... in order of creation */
	uint32_t local;      /* the listener's address */
	uint32_t assigned;   /* the inside address its policy gave; 0: none */
	uint32_t session_id; /* in evs_daemon_sessions; 0: not logged in */
	bool natt;
};
typedef void (*evs_sa_fn)(void *ctx, const struct evs_sa_view *v);
/* Calls fn for every live SA, in slot order. */
void evs_daemon_each_sa(const struct evs_daemon *d, evs_sa_fn fn, void *ctx);
/* A cursor for the same walk a part at a time (start with *slot 0): the next live SA at or
 * after *slot into v, *slot moved past it; false when none is left. Between two calls SAs may
 * come and go: a gone one is not shown, a new one is if its slot is still ahead. */
bool evs_daemon_next_sa(const struct evs_daemon *d, size_t *slot, struct evs_sa_view *v);
struct ctl_srv;
/* The control server whose handler is evs_daemon_control (host.c), for answers given in parts
 * (ctl_srv_more); without one (NULL, the unit tests) every answer is made at once. */
void evs_daemon_set_control(struct evs_daemon *d, struct ctl_srv *srv);
struct ctl_srv *evs_daemon_control_srv(const struct evs_daemon *d);
const struct evs_config *evs_daemon_config(const struct evs_daemon *d);
struct evs_sessions *evs_daemon_sessions(const struct evs_daemon *d);
/* The time of the last entry point (the control commands take none). */
uint64_t evs_daemon_now(const struct evs_daemon *d);
const char *evs_daemon_ifname(const struct evs_daemon *d);
/* The datapath's counters of the ESP SA pair spi_in; zeros when unknown. */
void evs_daemon_child_stats(const struct evs_daemon *d, uint32_t spi_in,
                            struct evs_child_counters *out);
/* Closes (DELETE to the client) every logged-in SA, or those of user (compared as the
 * configuration compares user names) when user is not NULL. Returns how many. */
size_t evs_daemon_clear(struct evs_daemon *d, const char *user);

/*
 * Moves the daemon to cfg (SIGHUP; cfg must outlive the daemon, the old configuration may go
 * after the call): new SAs use its policies, transforms and timers (an SA keeps the ones it
 * was created with, also for its rekeys); SAs of groups cfg still has keep running, the
 * others are closed with a DELETE. Listeners and the way the pools are routed (reverse-route
 * or not, see evs_daemon_rri_pools) do not change.
 * 0, or a negative errno with err saying why and the daemon still on the old configuration.
 */
int evs_daemon_reload(struct evs_daemon *d, const struct evs_config *cfg, uint64_t now, char *err,
                      size_t errlen);

/* Listener li now has address addr (its host interface moved): for the SAs to come. */
void evs_daemon_set_listen(struct evs_daemon *d, size_t li, uint32_t addr);

#endif
