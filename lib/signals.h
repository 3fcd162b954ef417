/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The signals that ask a daemon to stop, as a descriptor its event loop can wait on. */
#ifndef EVC_LIB_SIGNALS_H
#define EVC_LIB_SIGNALS_H

/* Blocks SIGINT, SIGTERM and SIGHUP and returns a non-blocking signalfd for them (SIGPIPE is
 * ignored: a peer that closes a socket must not end the process); -errno on failure. */
int signals_stop_fd(void);

#endif
