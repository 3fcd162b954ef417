/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reload on SIGHUP: re-reads the configuration file and moves the daemon to it
 * (evs_daemon_reload), or, when the file has any error, logs every diagnostic and keeps the
 * running configuration. Owns each configuration it loaded, until the next one replaces it.
 */
#ifndef EVC_SERVER_RELOAD_H
#define EVC_SERVER_RELOAD_H

#include <stdint.h>

#include "ike/ike.h"
#include "server/core/config.h"
#include "server/core/daemon.h"

typedef void (*evs_reload_log_fn)(void *ctx, enum ike_log_level level, const char *msg);

struct evs_reload;

/* path: the file to re-read; running: the configuration the daemon started with (borrowed,
 * never freed here). NULL when out of memory. */
struct evs_reload *evs_reload_new(const char *path, const struct evs_config *running,
                                  evs_reload_log_fn log, void *ctx);
/* Frees the configuration it loaded last: call after the daemon is gone. NULL is a no-op. */
void evs_reload_free(struct evs_reload *r);

/* Re-reads the file and moves d to it. 0, or a negative errno (the old configuration kept);
 * either way the log says what happened. */
int evs_reload_run(struct evs_reload *r, struct evs_daemon *d, uint64_t now);

#endif
