/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's main window: the widgets of evc-gui.ui bound once (gui_win_new), the daemon's
 * session (gui/core/ctlclient.h) watched from GLib's main loop and applied to the model
 * (gui/core/model.h), whose texts the widgets then show. The profile list is profiles_page.h's,
 * which this window uses and which knows nothing of it.
 */
#ifndef EVC_GUI_WINDOW_H
#define EVC_GUI_WINDOW_H

#include <gtk/gtk.h>

#include "gui/core/ctlclient.h"
#include "gui/core/model.h"
#include "gui/profiles_page.h"
#include "lib/secret.h"

struct gui_win {
	GtkApplication *app;
	GtkBuilder *b;
	GtkWindow *win;
	GtkTreeView *list;
	GtkLabel *state_label, *error_label;
	GtkInfoBar *error_bar;
	GtkWidget *steps[GUI_STEPS + 1];
	GtkLabel *detail[7];
	GtkWidget *connect_button, *disconnect_button;
	GtkTextBuffer *log;
	GtkWidget *prompt; /* the password asked for again */
	GtkEntry *prompt_entry;
	bool banner_shown, prompt_shown;
	/* -v: what the window shows, said on stderr once it is on the screen */
	bool verbose;
	char shown[128];
	size_t log_shown; /* model lines already in the log view */
	/* the daemon */
	char socket_path[108];
	struct gui_conn *conn;
	guint conn_watch, retry_source, tick_source;
	struct gui_model model;
	struct ctlp_msg msg;
	/* the user's profiles */
	struct gui_profiles *pp;
	char profile_dir[256];
	char connecting[64]; /* the profile being connected, for save-password */
	bool save_wanted;
	struct secret pending_password; /* to save once the gateway said it may be saved */
	GKeyFile *state;                /* what the gateways allowed last time, per profile */
	char state_path[300];
};

struct gui_win *gui_win_new(GtkApplication *app, const char *socket_path, const char *profile_dir,
                            bool verbose);
void gui_win_free(struct gui_win *w);
/* A second start of evc-gui in the same session: this window to the front, said in its log. */
void gui_win_raise(struct gui_win *w);

#endif
