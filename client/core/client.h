/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The evc client behind a handle: `evc connect`, `evc daemon` and the control socket all
 * drive a connection through this API. A client connects to the settings' gateway, and to
 * its backup gateways in order when one does not answer (or has no route); with
 * settings.reconnect, a tunnel that went down by itself (dead peer detection, the gateway's
 * DELETE, the host's address or default route changed) is torn down and set up again with
 * back-off (1 s doubling to 60 s, with jitter), the gateway first and then its backups; it
 * runs from the
 * caller's event loop (evc_client_fd + evc_client_step) or blocks (evc_client_run); it
 * reports progress, prompts, the banner and log lines through callbacks, and answers status
 * queries at any time.
 *
 * The core never prints, never reads the terminal and never exits. Every callback may call
 * back into the client (evc_client_answer, evc_client_answer_banner, evc_client_stop,
 * evc_client_status) but must not free it.
 */
#ifndef EVC_CLIENT_CLIENT_H
#define EVC_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/core/settings.h"
#include "ike/ike.h"

struct evc_client;

enum evc_state {
	EVC_STATE_IDLE,          /* created, not started */
	EVC_STATE_CONNECTING,    /* the seven steps */
	EVC_STATE_CONNECTED,     /* the tunnel is up and the host configured */
	EVC_STATE_DISCONNECTING, /* DELETEs sent, restoring the host */
	EVC_STATE_DISCONNECTED,  /* ended as asked; the host is restored */
	EVC_STATE_FAILED,        /* ended by a failure (last_error); the host is restored */
	EVC_STATE_RECONNECTING,  /* the tunnel went down (last_error); waiting to try again */
};
const char *evc_state_name(enum evc_state st);

#define EVC_STATUS_MAX_SAS 4

struct evc_client_status {
	enum evc_state state;
	enum ike_step step;         /* the last step reported; 0 before the first */
	char gateway[EVC_HOST_MAX]; /* the gateway in use, as named in the settings */
	uint32_t gateway_addr;      /* host order; 0 until resolved */
	size_t gateway_index;       /* 0: the first; 1, 2, ...: a backup */
	char group[EVC_NAME_MAX];
	char user[EVC_NAME_MAX];
	char ifname[EVC_IFNAME_MAX]; /* "" until the TUN device exists */
	uint32_t addr;               /* the assigned address (host order); 0 until mode-config */
	enum evc_mode mode;
	unsigned n_sas;    /* ESP SA pairs up */
	bool udp_encap;    /* ESP in UDP 4500, else IP protocol 50 */
	uint16_t udp_port; /* with udp_encap: IPsec over UDP's port (0: NAT-T's 4500) */
	uint32_t spi_in;   /* of the current pair, when n_sas */
	uint32_t spi_out;
	uint64_t packets_in, packets_out, bytes_in, bytes_out; /* all pairs, rekeys included */
	uint64_t uptime_s;                                     /* since the tunnel came up */
	/* each ESP SA pair: during a rekey the old one is still there, marked replaced */
	struct evc_sa_info {
		uint32_t spi_in, spi_out;
		uint32_t life_s, life_kb; /* 0: no such limit */
		int64_t remaining_s;      /* of the time lifetime, -1: none */
		uint64_t kb_used;         /* the larger direction */
		bool replaced;
	} sa[EVC_STATUS_MAX_SAS];
	size_t n_sa_info;
	int error; /* 0, or the negative errno of last_error */
	char last_error[1024];
	unsigned reconnects;  /* tunnels set up again after one went down */
	uint64_t retry_in_ms; /* EVC_STATE_RECONNECTING: until the next attempt */
};

/* A question for the user; answer with evc_client_answer, now or later. */
struct evc_prompt {
	const char *message; /* the gateway's text (may be ""): print it as untrusted text */
	const char *user;    /* the username the client would send; may be "" */
	bool retry;          /* the gateway rejected the previous answer */
};

struct evc_client_ops {
	/* A log line; at IKE_LOG_DEBUG protocol detail. May quote the gateway. */
	void (*log)(void *ctx, enum ike_log_level level, const char *msg);
	/* One of the seven steps began or completed. */
	void (*step)(void *ctx, enum ike_step step, const char *msg);
	/*
	 * The gateway's banner, before the tunnel is used. Accept or decline with
	 * evc_client_answer_banner, now or later: until accepted the host is not configured,
	 * and declining disconnects. NULL: accepted.
	 */
	void (*banner)(void *ctx, const char *text);
	/*
	 * The gateway asks for the XAUTH username and password: the settings hold none, or it
	 * rejected them (p->retry). NULL: the client gives up (non-interactive use).
	 */
	void (*prompt)(void *ctx, const struct evc_prompt *p);
	/* The gateway did not answer (why); the client tries the backup gateway next. */
	void (*failover)(void *ctx, const char *why, const char *next);
	/*
	 * The tunnel went down (why) or could not be set up again: the client tries gateway
	 * after delay_ms, its attempt-th try since the tunnel was last up. May be NULL.
	 */
	void (*reconnecting)(void *ctx, const char *why, const char *gateway, unsigned delay_ms,
	                     unsigned attempt);
	/*
	 * The TUN device, the sockets and the journal are open and nothing has been sent: the
	 * moment to give up privileges. The sockets are opened once and serve every later
	 * session (backup gateways, reconnections), so only CAP_NET_ADMIN (for the next TUN
	 * device and the host's configuration) is needed afterwards. Called once. Non-zero
	 * ends the client with err. May be NULL.
	 */
	int (*setup_done)(void *ctx, char *err, size_t errlen);
	/* The tunnel is up and the host configured. */
	void (*connected)(void *ctx, const struct evc_policy *pol, const char *ifname);
};

/*
 * A client for settings (copied, secrets included; the caller may clear its own copy). ops
 * is copied too; ctx is handed to every callback. NULL on failure (out of memory, settings
 * without a gateway, group or group key) with err saying why.
 */
struct evc_client *evc_client_new(const struct evc_settings *settings,
                                  const struct evc_client_ops *ops, void *ctx, char *err,
                                  size_t errlen);
/* Stops without DELETEs if still running (call evc_client_stop and run it out first), restores
 * the host, closes everything. NULL is a no-op. */
void evc_client_free(struct evc_client *c);

/*
 * Resolves the gateway, opens the TUN device, the sockets and the journal, and sends the
 * first message; on a gateway without a route, moves on to the backups. 0 when running, or
 * the final result (as evc_client_step returns it) when every gateway failed at setup.
 * Resolving a gateway name blocks (getaddrinfo).
 */
int evc_client_start(struct evc_client *c);

/* Readable whenever evc_client_step has something to do (timers included). Stable for the
 * client's lifetime. */
int evc_client_fd(const struct evc_client *c);
/*
 * Handles whatever is ready, without blocking. -EINPROGRESS while the client runs; then its
 * result: 0 after a disconnect asked for with evc_client_stop (or on the control socket), or
 * a negative errno with last_error naming the failed step and what to check; -EHOSTUNREACH
 * when no gateway answered. The host is restored before a result is returned.
 */
int evc_client_step(struct evc_client *c);
/* Runs until the client ends and returns its result; stop_fd (-1: none) readable means
 * evc_client_stop (a signalfd, a pipe). */
int evc_client_run(struct evc_client *c, int stop_fd);

/* Disconnects cleanly: DELETEs, then the host is restored; no further gateway is tried. */
void evc_client_stop(struct evc_client *c);
/*
 * The control socket's `disconnect` and `connect` for a daemon (settings.daemon): takes the
 * tunnel down and keeps the client (and its control socket) waiting; or sets the tunnel up
 * now: at once when it waits (down, or between two attempts), by tearing it down and setting
 * it up again when it is up. -EALREADY when there is nothing to do.
 */
int evc_client_pause(struct evc_client *c);
int evc_client_reconnect_now(struct evc_client *c);

/*
 * Answers a prompt: the username (NULL: the settings' username) and password, both copied (the
 * password into wiped memory). password NULL gives up: the client ends with an XAUTH error.
 * -EALREADY when no prompt is waiting.
 */
int evc_client_answer(struct evc_client *c, const char *user, const char *password);
/* Accepts or declines the banner; -EALREADY when none is waiting. */
int evc_client_answer_banner(struct evc_client *c, bool accept);

void evc_client_status(const struct evc_client *c, struct evc_client_status *st);
/* `evc status`: one "key: value" per line, for people and scripts. Returns the length. */
size_t evc_client_status_text(const struct evc_client_status *st, char *out, size_t cap);
/* `evc status --json`: one JSON object with the same keys (texts escaped) and a newline.
 * Returns the length (0 when it does not fit cap). */
size_t evc_client_status_json(const struct evc_client_status *st, char *out, size_t cap);
/* The same keys as fields of a control-protocol message being written (lib/ctlproto.h). */
struct ctlp_wr;
void evc_client_status_fields(const struct evc_client_status *st, struct ctlp_wr *w);
/* The answer to a control-protocol line on `evc connect`'s own socket: the status command's
 * reply, or an error reply naming what only `evc daemon` answers. */
size_t evc_client_status_reply(const struct evc_client_status *st, const char *line, char *out,
                               size_t cap);

#endif
