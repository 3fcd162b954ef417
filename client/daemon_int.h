/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside `evc daemon` (client/daemon.h): the daemon's state, shared by daemon.c (commands,
 * connecting, the loop) and daemon_ev.c (the client's callbacks and the events they become).
 */
#ifndef EVC_CLIENT_DAEMON_INT_H
#define EVC_CLIENT_DAEMON_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "client/core/client.h"
#include "client/daemon.h"
#include "lib/control.h"
#include "lib/ctlproto.h"
#include "lib/policy.h"

#define COUNTERS_MS 1000

/* the language a session stated in its hello (daemon_lang.c) */
struct evd_peer_lang {
	uint64_t id;
	char lang[CTLP_LANG_MAX];
};

/* what evd_lang_enter changed, for evd_lang_leave */
struct evd_lang {
	bool on, had;
	char language[256];
	char messages[64];
};

struct evd {
	struct term t; /* first: term_ops' callbacks take the daemon as their struct term */
	const struct evc_daemon_args *a;
	struct evc_client *client; /* NULL while idle */
	struct ctl_srv *ctl;
	int ep;
	bool stopping;
	int rc; /* the last client's result */
	char profile[PROF_NAME_MAX];
	struct evc_client_status last; /* of the last client that ended */
	enum evc_state shown;          /* the state last sent as an event */
	uint64_t counters_at;
	/* what the gateway pushed, for status and the connected event */
	char nets[EVC_POLICY_MAX_NETS][32];
	size_t n_nets;
	char dns[EVC_POLICY_MAX_DNS][16];
	size_t n_dns;
	bool have_policy, save_password;
	/* questions waiting for a session's answer */
	bool banner_waiting, prompt_waiting, prompt_retry;
	char banner[2048];
	char prompt_user[EVC_NAME_MAX];
	/* whose connection it is (docs/control-protocol.md, "Whose connection"): the gateway's
	 * questions go to the owner's sessions alone, and only they answer them */
	uint64_t owner;     /* the session that asked for the connection or attached; 0: none */
	long owner_uid;     /* the user who asked for it; with root, may reconnect, disconnect */
	uint64_t orphan_at; /* a question waits and the owner is gone: given up then */
	struct evd_peer_lang langs[CTL_MAX_CONNS];
	int call_version; /* the protocol version of the command being answered */
	/* a connect accepted, started once its reply is out (so the steps follow the reply) */
	bool start_pending;
	struct evc_settings pending;
	char ev[CTLP_LINE_MAX];
	struct ctlp_msg msg;
};

/* An event: begin, fields (lib/ctlproto.h), send to every session. */
void evd_begin(struct evd *d, struct ctlp_wr *w, const char *name);
void evd_send(struct evd *d, struct ctlp_wr *w);
void evd_text(struct evd *d, const char *name, const char *key, const char *text);
/* An error event: the sentence the CLI prints; final false while evc tries again. */
void evd_error(struct evd *d, const char *text, bool final);
/* The password prompt that waits, as an event being written. */
void evd_prompt_event(struct evd *d, struct ctlp_wr *w);
/* The status now: the client's, or the last one's when idle. */
void evd_status(const struct evd *d, struct evc_client_status *st);
/* The profile and what the gateway pushed, as status fields. */
void evd_policy_fields(const struct evd *d, struct ctlp_wr *w);
/* A state event when the state changed; the counters once a second while up. */
void evd_progress(struct evd *d);
/* A log line, to the journal and the sessions. */
void evd_log(struct evd *d, enum ike_log_level lvl, const char *msg);
/* ---- whose connection it is (daemon_own.c) ---- */
#define EVD_ORPHAN_MS 60000 /* how long a question waits for an attach once its owner left */
/* The connection now belongs to user uid (-1: nobody) and session id (0: none). */
void evd_own(struct evd *d, uint64_t id, long uid);
/* Whether a session of the owner is open, to be asked the gateway's questions. */
bool evd_owner_here(struct evd *d);
/* An event being written (w), to the owner's sessions alone. */
void evd_ask(struct evd *d, struct ctlp_wr *w);
/* Whether the peer of the command being handled may answer a question: the owner's user or
 * the session root attached. 0, or -EPERM with err. */
int evd_may_answer(struct evd *d, char *err, size_t errlen);
/* Whether that peer may reconnect or disconnect the desktop's connection: the owner's user or
 * root. 0, or -EPERM with err. */
int evd_may_steer(struct evd *d, bool disconnect, char *err, size_t errlen);
/* `attach`: the peer's session takes the connection over. 0, or a negative errno with err. */
int evd_attach(struct evd *d, char *err, size_t errlen);
/* After subscribe or attach: the questions that wait, when the peer owns the connection. */
size_t evd_pending(struct evd *d, char *out, size_t cap);
/* Each turn of the loop: a question whose owner left is given up after EVD_ORPHAN_MS. */
void evd_orphans(struct evd *d);
/* ---- a profile of the user's own (daemon_uprof.c) ---- */
/* Whether the connect command m brings the user's profile ("profile_lines"). */
bool evd_user_profile_sent(const struct ctlp_msg *m);
/* That profile, called name, parsed and held to what root may do for a user. 0 and *out, or
 * a negative errno with err naming the key or line. */
int evd_user_profile(const struct ctlp_msg *m, const char *name, struct evc_profile **out,
                     char *err, size_t errlen);

/* ---- the caller's language (daemon_lang.c) ---- */
/* gettext speaks lang (a ctlp_lang_ok value; NULL or "": no change) until evd_lang_leave. */
void evd_lang_enter(struct evd_lang *s, const char *lang);
void evd_lang_leave(struct evd_lang *s);
/* The language session id stated, or NULL. */
void evd_lang_remember(struct evd *d, uint64_t id, const char *lang);
const char *evd_lang_of(const struct evd *d, uint64_t id);
/* The client's callbacks: the terminal's (the journal) and the sessions' events. */
void evd_ops(struct evc_client_ops *ops);

#endif
