/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside client/core: one connection attempt to one gateway address (struct evc_session):
 * sockets, the TUN device, the engine, the datapath and the host configuration. Its
 * descriptors live in the client's epoll, tagged with the values below; the client hands
 * each ready one back to evc_session_dispatch. Public users want client.h instead.
 */
#ifndef EVC_CLIENT_SESSION_H
#define EVC_CLIENT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/core/client.h"
#include "client/core/settings.h"
#include "ike/ike.h"
#include "lib/control.h"

/* epoll tags of a session's descriptors; the client's own start at EVC_TAG_CLIENT */
enum evc_tag {
	EVC_TAG_IKE = 1,
	EVC_TAG_NATT,
	EVC_TAG_ESP,
	EVC_TAG_TUN,
	EVC_TAG_TIMER,
	EVC_TAG_CUDP, /* Cisco IPsec over UDP */
	EVC_TAG_CLIENT = 100
};

/* What a session reports to its client. */
struct evc_session_hooks {
	void *ctx;
	void (*log)(void *ctx, enum ike_log_level lvl, const char *msg);
	void (*step)(void *ctx, enum ike_step step, const char *msg);
	void (*banner)(void *ctx, const char *text);
	void (*prompt)(void *ctx, const struct evc_prompt *p);
	void (*connected)(void *ctx, const struct evc_policy *pol, const char *ifname);
	ctl_handler control; /* the control socket's commands */
};

/*
 * What outlives one session, owned by the client: the IKE and ESP sockets, bound to every
 * local address so that they still serve after the host's address changed (and a reconnect
 * needs neither CAP_NET_BIND_SERVICE nor CAP_NET_RAW again), and the control socket, so that
 * `evc status` answers between two sessions. The first session opens them (-1, NULL: not yet);
 * each session watches the sockets in the epoll while it lives, the client the control socket.
 */
struct evc_shared {
	int sock_ike, sock_natt, sock_esp;
	struct ctl_srv *ctl;
};

struct evc_session;

struct evc_hostd;

/*
 * Opens everything for gateway gw_addr (port 500) and registers it in ep; sends nothing. The
 * host is configured through hostd, the client's root helper (client/core/host.h), or in
 * this process when it is NULL. The sockets and the control socket come from io, opened there
 * by the first session. 0, or a negative errno with err saying why, having closed exactly what
 * it opened besides io: -ENETUNREACH / -EHOSTUNREACH when there is no route to the gateway.
 */
int evc_session_new(struct evc_session **out, const struct evc_settings *set, uint32_t gw_addr,
                    const char *gw_name, int ep, struct evc_hostd *hostd, struct evc_shared *io,
                    const struct evc_session_hooks *hooks, char *err, size_t errlen);
/* Closes what io holds (after the last session). */
void evc_shared_close(struct evc_shared *io);
/* Sends the first message. */
void evc_session_start(struct evc_session *s);
/* One ready descriptor of this session (its epoll tag). */
void evc_session_dispatch(struct evc_session *s, uint32_t tag);
/* Performs what the engine asked for and re-arms the timer; call after anything that fed it. */
void evc_session_flush(struct evc_session *s);
/* True once it ended; *rc gets 0 (disconnected as asked) or a negative errno, err the sentence. */
bool evc_session_done(const struct evc_session *s, int *rc, const char **err);
void evc_session_stop(struct evc_session *s);
int evc_session_answer(struct evc_session *s, const char *user, const char *password);
int evc_session_answer_banner(struct evc_session *s, bool accept);
/* Fills the session's part of st (state, interface, address, SAs, counters, uptime). */
void evc_session_status(const struct evc_session *s, struct evc_client_status *st);
/* The TUN device's name ("" before it exists). */
const char *evc_session_ifname(const struct evc_session *s);
/* The group of this connection: the configured one, or in main mode the OU of our
 * certificate ("" before it is read). */
const char *evc_session_group(const struct evc_session *s);
/* Restores the host (journal undo), closes what it opened. NULL is a no-op. */
void evc_session_free(struct evc_session *s);

#endif
