/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's side of the control socket: one session with the evc daemon (hello, subscribe),
 * the commands as functions, and the daemon's lines read without blocking from any event loop
 * (GLib's in the window, poll in the tests). No GTK here.
 *
 * Commands that carry a secret (connect with a password or group key, the password answer)
 * build their line in a buffer that is wiped as soon as the line is written to the socket.
 */
#ifndef EVC_GUI_CTLCLIENT_H
#define EVC_GUI_CTLCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/ctlproto.h"

/* a directory of its own: /run/evc is root's alone (journals, the profile daemons' sockets) */
#define GUI_DAEMON_SOCKET "/run/evc-desktop/daemon.sock"

struct gui_conn;

/*
 * Connects to the daemon's socket at path and sends hello and subscribe. NULL with err in
 * plain language (the daemon is not running; this user may not use it: not in group evc).
 */
struct gui_conn *gui_conn_open(const char *path, char *err, size_t errlen);
void gui_conn_free(struct gui_conn *c);
/* Readable when gui_conn_read has lines for the caller. */
int gui_conn_fd(const struct gui_conn *c);

/*
 * Reads what is there without blocking and parses the next complete line into msg: 1 with a
 * message, 0 when none is complete yet, or a negative errno with err (the daemon closed the
 * socket, a line it sent does not parse). Call until it returns 0.
 */
int gui_conn_read(struct gui_conn *c, struct ctlp_msg *msg, char *err, size_t errlen);

/* The commands; 0, or a negative errno with err when the line could not be sent. Fields that
 * are NULL or "" are left out. */
struct gui_connect {
	const char *profile, *gateway, *group, *user, *password, *group_key;
	/* a profile of the user's own, whole: the lines of prof_export_text (comments may stay;
	 * they are left out), so the daemon honours every key of it; NULL: the daemon's store */
	const char *profile_text;
};
int gui_conn_connect(struct gui_conn *c, const struct gui_connect *a, char *err, size_t errlen);
int gui_conn_disconnect(struct gui_conn *c, char *err, size_t errlen);
int gui_conn_status(struct gui_conn *c, char *err, size_t errlen);
/* password NULL: the user gave up. */
int gui_conn_answer_password(struct gui_conn *c, const char *user, const char *password, char *err,
                             size_t errlen);
int gui_conn_answer_banner(struct gui_conn *c, bool accept, char *err, size_t errlen);

#endif
