/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control sockets of evc and evs: a unix stream socket, mode 0600, where a local tool
 * (`evs show ...`, `evc status`, later the GUI) sends one command line and reads the answer
 * until the daemon closes the connection.
 */
#ifndef EVC_TUN_CONTROL_H
#define EVC_TUN_CONTROL_H

#include <stddef.h>
#include <stdio.h>

/*
 * Listens on path (its directory is created 0700 if missing). A stale socket of a dead
 * process is replaced; a live one is refused with -EADDRINUSE. fd, or a negative errno with
 * err saying why.
 */
int ctl_listen(const char *path, char *err, size_t errlen);
/* Accepts one client and reads its command line (no line end) into cmd. The connected fd,
 * or a negative errno. Reads are bounded by a 1 s timeout so a silent client cannot stall
 * the event loop for long. */
int ctl_accept(int lfd, char *cmd, size_t len);
/* Writes text to the client and closes the connection. */
void ctl_answer(int fd, const char *text, size_t len);
/* Client side: sends cmd to the socket at path, copies the answer to out. 0, or a negative
 * errno with err saying why (no daemon there, ...). */
int ctl_request(const char *path, const char *cmd, FILE *out, char *err, size_t errlen);

#endif
