/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's private state, shared by its entry points (daemon.c) and its connections with
 * their engine actions (daemon_conn.c), and nothing else.
 */
#ifndef EVC_SERVER_DAEMON_INT_H
#define EVC_SERVER_DAEMON_INT_H

#include "ike/ike.h"
#include "server/core/children.h"
#include "server/core/daemon.h"

struct conn_aaa;
struct evs_aaa_req;
struct evs_aaa_result;

struct conn {
	struct evs_daemon *d;
	struct ike_sa *sa;
	uint64_t id;    /* never 0; the low CONN_SLOT_BITS are the slot */
	int slot;       /* in d->tab and d->timers */
	bool half_open; /* counted by d->admit */
	size_t li;      /* listener */
	uint32_t session_id;
	/* reverse routes it holds: its address (client mode) or its LANs (network extension) */
	struct evc_net rri[EVS_CHILDREN_MAX_PER_SA];
	size_t n_rri;
	uint32_t addr; /* the address its policy assigned */
	bool nem;      /* its group allows network extension */
	struct ike_endpoint natt_peer;
	bool natt;
	bool dead;                 /* out of the table already; freed by reap */
	struct ike_server_ops ops; /* the group callbacks, with this user's RADIUS attributes */
	struct conn_aaa *aaa;      /* XAUTH through RADIUS: waiting, or its attributes */
};

#define CONN_SLOT_BITS 20 /* evs_conntab_new allows at most 1 << 20 */

struct evs_daemon {
	const struct evs_config *cfg;
	struct evs_daemon_io io;
	uint32_t listen[EVS_MAX_LISTEN];
	size_t n_listen;
	char ifname[64];
	struct evs_state *st;
	struct evs_admit *admit;
	struct evs_children *kids; /* every ESP SA installed, by IKE SA (conn id) */
	struct evs_xauth *xauth;
	struct evs_conntab *tab;
	struct evs_timeq *timers;
	struct conn **by_slot; /* max entries */
	struct ctl_srv *ctl;   /* evs_daemon_set_control; NULL: answers made at once */
	size_t max;
	struct conn **dead; /* waiting for reap */
	size_t n_dead;
	struct ike_p1_prop p1[64];
	size_t n_p1;
	struct ike_p2_prop p2[32];
	size_t n_p2;
	/* main mode with RSA signatures (--cert, --key, --ca-file); NULL: refused */
	const struct x509_cred *cert;
	const struct x509_trust *trust;
	unsigned dpd_s, dpd_retry_s, xauth_s, natt_keepalive_s;
	unsigned frag_size; /* `crypto isakmp fragmentation mtu`; 0: the engine's default */
	uint64_t keepalive_at;
	bool rri_pools; /* routes for whole pools (no reverse-route configured) */
	bool push;      /* mode-config: initiate (SET) rather than respond */
	bool natt;      /* NAT traversal offered (`crypto ipsec nat-transparency`) */
	bool stopping;
	uint64_t next_id;
	uint64_t now;                                             /* of the entry point running */
	int (*aaa_ask)(void *ctx, const struct evs_aaa_req *req); /* daemon_aaa.h */
	void *aaa_ctx;
};

void dlog(struct evs_daemon *d, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A new SA for the first message from `from` (NULL when the table is full). */
struct conn *conn_new(struct evs_daemon *d, size_t li, const uint8_t icky[8],
                      const struct ike_endpoint *from, uint64_t now);
/* Out of the tables now, freed by reap. */
void conn_kill(struct conn *c);
void conn_free(struct evs_daemon *d, struct conn *c);
void conn_reap(struct evs_daemon *d);
/* After the engine ran: perform its actions, then refile c under what the SA now knows. */
void conn_settle(struct conn *c);
/* Ends a half-open SA without a word, to make room for a new first message. */
void conn_evict(struct evs_daemon *d, uint64_t id);

/*
 * The verdict on c's XAUTH answer, given by judge (evs_xauth_judge with the local database,
 * or evs_xauth_conclude with a RADIUS answer): the older sessions of the same login are held
 * out of max-logins meanwhile; then the group's access-restrict (when restrict_ifaces), the
 * verdict or the refusal to the client, and a phase-1 rekey's take-over or the end of the
 * sessions INITIAL-CONTACT made stale.
 */
void conn_xauth_judged(struct conn *c, const char *group, const char *user,
                       bool (*judge)(struct conn *c, void *arg), void *arg, bool restrict_ifaces);
/*
 * A verdict daemon_aaa.c leaves to conn_xauth_judged (due): it judges with judge(c, arg)
 * (the local database, or RADIUS's answer), group and user pointing into c's AAA state.
 * Handed back rather than called, so that AAA needs nothing of the connection's life.
 */
struct conn_judge {
	bool due;
	const char *group, *user;
	bool (*judge)(struct conn *c, void *arg);
	void *arg;
	bool restrict_ifaces;
};
/* XAUTH of c when the authentication list asks RADIUS first (daemon_aaa.c): true when it
 * took the answer (judged later, refused now, or j due now); false: the local database
 * judges. */
bool conn_aaa_remote(struct conn *c, const char *group, const char *user, const char *password,
                     struct conn_judge *j);
/* RADIUS's answer for c: refused now, or j due. conn_aaa_wipe after judging: the password
 * waited for a local fallback. */
void conn_aaa_answer(struct conn *c, const struct evs_aaa_result *res, struct conn_judge *j);
void conn_aaa_wipe(struct conn *c);
/* A RADIUS question for c is out. */
bool conn_aaa_waiting(const struct conn *c);
/* c's group callbacks (set before its SA is created), and what conn_free drops. */
const struct ike_server_ops *conn_aaa_ops(struct conn *c);
void conn_aaa_free(struct conn *c);

#endif
