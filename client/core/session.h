/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One evc connection: sockets, the TUN device, the engine, the datapath and the host
 * configuration, driven by one epoll loop until the user disconnects or the connection fails.
 * The core never prints, never reads the terminal and never exits: the CLI, the daemon and
 * the GUI's helper plug in callbacks.
 */
#ifndef EVC_CLIENT_SESSION_H
#define EVC_CLIENT_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "platform/apply.h"

struct evc_session_cbs {
	void *ctx;
	void (*log)(void *ctx, enum ike_log_level lvl, const char *msg);
	/* One of the seven steps began or completed. */
	void (*status)(void *ctx, enum ike_step step, const char *msg);
	void (*banner)(void *ctx, const char *text);
	/*
	 * The gateway asks again after rejecting a password: fill user/password and return 0,
	 * or return -ECANCELED to give up (non-interactive use). password is a wiped secret.
	 */
	int (*reprompt)(void *ctx, const char *message, char *user, size_t user_cap,
	                struct ike_secret *password);
	/*
	 * The TUN device, the sockets and the journal are open, nothing has been sent: the
	 * moment to give up privileges. Non-zero ends the session with err. May be NULL.
	 */
	int (*setup_done)(void *ctx, char *err, size_t errlen);
	/* The tunnel is up and the host configured. */
	void (*connected)(void *ctx, const struct evc_policy *pol, const struct ike_child *child,
	                  const char *ifname);
};

struct evc_session_cfg {
	struct ike_endpoint gateway; /* port 500 normally */
	uint16_t local_port;         /* 0: 500 */
	const char *group;
	const struct ike_secret *group_key;
	const char *user;
	const struct ike_secret *password;
	unsigned dh_group;            /* 0: automatic (14, then 2 and 5 when refused) */
	unsigned pfs_group;           /* propose PFS with this group (0: when the gateway asks) */
	const struct ike_p1_prop *p1; /* NULL: every supported permutation */
	size_t n_p1;
	const struct ike_p2_prop *p2; /* NULL: every supported ESP transform */
	size_t n_p2;
	enum ike_natt_mode natt;
	unsigned dpd_idle_s;
	const char *ifname; /* TUN name or pattern; NULL: "evc%d" */
	unsigned mtu;
	enum plat_dns_mode dns;
	const char *resolv_conf;
	const char *state_path; /* NULL: /run/evc/<ifname>.state */
	/* Readable means: disconnect (a signalfd, a pipe from a GUI helper). -1: none. */
	int stop_fd;
	/* The control socket (`evc status`, `evc disconnect`); NULL: /run/evc/<ifname>.sock. */
	const char *control_path;
	/* Seconds to wait for a reply to each step before retrying; 0: engine default. */
	unsigned retransmit_ms;
	struct evc_session_cbs cbs;
};

/*
 * Connects and runs until disconnected. Returns 0 after a disconnect asked for through
 * stop_fd, or a negative errno with err holding one sentence that names the failed step and
 * what to check; -EHOSTUNREACH means the gateway never answered (a backup gateway may).
 * Whatever it changed on the host is undone before it returns.
 */
int evc_session_run(const struct evc_session_cfg *cfg, char *err, size_t errlen);

#endif
