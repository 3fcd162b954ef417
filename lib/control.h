/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control sockets of evc and evs: a unix stream socket, mode 0600, where a local tool
 * (`evs show ...`, `evc status`, later the GUI) sends one command line and reads the answer
 * until the daemon closes the connection.
 *
 * The daemon side is struct ctl_srv: one pollable descriptor for the event loop, behind which
 * every client connection is non-blocking with a deadline, so a client that never sends, or
 * never reads its answer, costs the event loop nothing but a file descriptor for at most
 * CTL_CONN_MS. At most CTL_MAX_CONNS clients are served at once; beyond that the oldest is
 * dropped.
 */
#ifndef EVC_LIB_CONTROL_H
#define EVC_LIB_CONTROL_H

#include <stddef.h>
#include <stdio.h>

#define CTL_CMD_MAX 256            /* longest command line, with its NUL */
#define CTL_ANSWER_MAX (64 * 1024) /* longest answer */
#define CTL_MAX_CONNS 8
#define CTL_CONN_MS 2000 /* a client has this long to send its command and read the answer */

struct ctl_srv;

/* Writes the answer to cmd (no line end) into out, at most cap bytes; returns its length. */
typedef size_t (*ctl_handler)(void *ctx, const char *cmd, char *out, size_t cap);

/*
 * Listens on path (its directory is created 0700 if missing). A stale socket of a dead process
 * is replaced; a live one is refused with -EADDRINUSE; anything at path that is not a socket
 * (a file, a symlink, a directory) is left alone and refused with -EEXIST. 0, or a negative
 * errno with err saying why.
 */
int ctl_srv_new(struct ctl_srv **out, const char *path, ctl_handler handler, void *ctx, char *err,
                size_t errlen);
/* The descriptor to watch for EPOLLIN; then call ctl_srv_dispatch. */
int ctl_srv_fd(const struct ctl_srv *srv);
/* Accepts, reads, answers and expires whatever is ready, without ever blocking. */
void ctl_srv_dispatch(struct ctl_srv *srv);
/* Closes every connection and the socket, and removes the socket file. NULL is a no-op. */
void ctl_srv_free(struct ctl_srv *srv);

/* Client side: sends cmd to the socket at path, copies the answer to out. 0, or a negative
 * errno with err saying why (no daemon there, ...). */
int ctl_request(const char *path, const char *cmd, FILE *out, char *err, size_t errlen);

#endif
