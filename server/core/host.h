/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs in the real world: the TUN device, the sockets, the datapath, the routes (with their
 * journal, undone at exit and after a crash), the control socket and the event loop (epoll and
 * a timerfd) around one struct evs_daemon.
 */
#ifndef EVC_SERVER_HOST_H
#define EVC_SERVER_HOST_H

#include <stddef.h>

#include "server/core/config.h"

struct evs_host_opts {
	const char *ifname;       /* TUN device name */
	const char *state_path;   /* NULL: /run/evs/IFNAME.state */
	const char *control_path; /* the control socket */
	int verbose;              /* 0: info; 1: debug */
	int sigfd; /* signalfd of SIGINT/SIGTERM (close every SA and return) and SIGHUP */
	const char *config_path; /* re-read on SIGHUP; NULL: SIGHUP stops evs as SIGTERM */
	/* main mode with RSA signatures (--cert, --key, --ca-file); NULL: none */
	const struct x509_cred *cert;
	const struct x509_trust *trust;
};

/* Sets up, runs until a signal, and undoes what it changed on the host. 0, or a negative
 * errno with err saying why. */
int evs_host_run(const struct evs_config *cfg, const struct evs_host_opts *o, char *err,
                 size_t errlen);

#endif
