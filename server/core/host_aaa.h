/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The real daemon's RADIUS client: the daemon's questions go to radius.c's threads, their
 * answers come back on a descriptor the event loop watches (host.c).
 */
#ifndef EVC_SERVER_HOST_AAA_H
#define EVC_SERVER_HOST_AAA_H

#include <stddef.h>

#include "server/core/daemon.h"

struct host_aaa;

/* Wires d's RADIUS questions to a new RADIUS client. 0, or negative with err. */
int host_aaa_new(struct host_aaa **out, struct evs_daemon *d, char *err, size_t errlen);
void host_aaa_free(struct host_aaa *h);
int host_aaa_fd(const struct host_aaa *h);
/* The descriptor is readable: every waiting answer to the daemon. */
void host_aaa_dispatch(struct host_aaa *h);

#endif
