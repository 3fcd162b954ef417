/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's log line (daemon_int.h), for every file of the daemon. */
#include <stdarg.h>
#include <stdio.h>

#include "server/core/daemon_int.h"

void dlog(struct evs_daemon *d, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	d->io.log(d->io.ctx, lvl, msg);
}
