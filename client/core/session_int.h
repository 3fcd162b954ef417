/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside a session: its state, shared by session.c (driving the engine, the answers) and
 * session_io.c (the descriptors, setup and teardown, status). Nothing outside these two
 * files includes this.
 */
#ifndef EVC_CLIENT_SESSION_INT_H
#define EVC_CLIENT_SESSION_INT_H

#include "client/core/host.h"
#include "client/core/session.h"
#include "tun/datapath.h"
#include "tun/tundev.h"

#define NATT_KEEPALIVE_MS 20000
#define MAX_REPROMPTS 5

enum banner_state { BANNER_NONE, BANNER_WAITING, BANNER_ACCEPTED };

/* One connection attempt: see session.h. */
struct evc_session {
	const struct evc_settings *set;
	struct evc_session_hooks hooks;
	uint32_t gw_addr;
	char gw_name[256]; /* as configured: a gateway's certificate must name it */
	/* main mode: our certificate and the CAs, for the IKE SAs of this session */
	struct x509_cred *cred;
	struct x509_trust *trust;
	struct ike_sa *sa;
	/* a phase-1 rekey under way: the new IKE SA, until it takes over sa's ESP SAs */
	struct ike_sa *sa_next;
	bool next_dead;      /* sa_next failed or closed: freed after its actions */
	bool next_prompting; /* the waiting prompt is sa_next's (the gateway asks again) */
	bool next_retry;     /* sa_next got no answer: the engine asks for another in 10 s */
	/* the XAUTH password typed at a prompt, for a phase-1 rekey: used only where the
	 * gateway's group policy allows save-password, wiped with the session */
	struct secret typed_pw;
	char typed_user[128];
	struct dp *dp;
	struct evc_hostd *hostd;           /* the client's root helper (--run-as), or NULL */
	struct evc_host *host;             /* the journal of host changes, here or in the helper */
	int ep;                            /* the client's; not ours to close */
	int sock_ike, sock_natt, sock_esp; /* the client's (struct evc_shared), watched by us */
	int tun, timer;
	int sock_cudp; /* Cisco IPsec over UDP on cudp_port: the session's own, or -1 */
	uint16_t cudp_port;
	bool watching;          /* the shared sockets are in the epoll */
	struct ike_child child; /* the current ESP SA pair, keys wiped */
	bool have_child;
	/* what the pairs that are gone carried: the totals survive rekeys */
	uint64_t gone_packets_in, gone_packets_out, gone_bytes_in, gone_bytes_out;
	uint64_t up_since;
	char ifname[TUN_NAME_MAX];
	uint32_t local_ip;
	struct evc_policy policy;
	bool have_policy;
	bool applied;
	bool held; /* the ESP SA is up, the host waits for the banner's acceptance */
	bool connected;
	bool done;
	bool stopping;
	bool driving; /* inside ike_drive: what a callback queues is drained there */
	bool prompting;
	bool prompt_retry; /* the waiting prompt follows a rejected answer */
	enum banner_state banner;
	int rc;
	char err[1024];
	struct ike_endpoint natt_peer;
	uint64_t keepalive_at;
	uint64_t tun_tx_seen;
	unsigned reprompts;
};

void evc_session_log(struct evc_session *s, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Ends the session with rc and the sentence (the first failure wins). */
void evc_session_fail(struct evc_session *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A failure that still owes the gateway its DELETEs. */
void evc_session_give_up(struct evc_session *s);
/* A new IKE SA with the session's settings (session_open.c); p1_rekey: it replaces s->sa, in
 * the DH group s->sa negotiated. NULL with s->err set. */
struct ike_sa *evc_session_new_sa(struct evc_session *s, bool p1_rekey);
/* The IKE SA a datagram is for: sa_next when it carries sa_next's initiator cookie. */
struct ike_sa *evc_session_sa_for(struct evc_session *s, const uint8_t *msg, size_t len);
/* Ticks both IKE SAs. */
void evc_session_tick(struct evc_session *s, uint64_t now);

/* fd in the session's epoll, tagged (EPOLLIN); -1 with errno. */
int evc_session_watch(struct evc_session *s, int fd, enum evc_tag tag);

/* Cisco IPsec over UDP: the session's socket on the gateway's port (opened on first use, as
 * vpnc uses the same port on both ends), or a negative errno with err. */
int evc_session_cudp(struct evc_session *s, uint16_t port, char *err, size_t errlen);

#endif
