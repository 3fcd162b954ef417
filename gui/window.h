/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's main window: the widgets of evc-gui.ui bound once (gui_win_new), the daemon's
 * session (gui/core/ctlclient.h) watched from GLib's main loop and applied to the model
 * (gui/core/model.h), whose texts the widgets then show. profiles_page.c fills and edits the
 * profile list; window.c does the rest.
 */
#ifndef EVC_GUI_WINDOW_H
#define EVC_GUI_WINDOW_H

#include <gtk/gtk.h>

#include "gui/core/ctlclient.h"
#include "gui/core/model.h"
#include "profiles/store.h"

struct gui_win {
	GtkApplication *app;
	GtkBuilder *b;
	GtkWindow *win;
	GtkListStore *store;
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
	struct prof_store *profiles;
	char profile_dir[256];
	char connecting[64]; /* the profile being connected, for save-password */
	bool save_wanted;
	char *pending_password; /* to save once the gateway said it may be saved; wiped */
	GKeyFile *state;        /* what the gateways allowed last time, per profile */
	char state_path[300];
};

struct gui_win *gui_win_new(GtkApplication *app, const char *socket_path, const char *profile_dir,
                            bool verbose);
void gui_win_free(struct gui_win *w);

/* An error in the window's bar and the log, in plain language. */
void gui_win_error(struct gui_win *w, const char *text);
/* A line in the log view. */
void gui_win_log(struct gui_win *w, const char *text);
/* The selected profile's name (g_free it), or NULL. */
char *gui_win_selected(struct gui_win *w);
/* Whether the gateway of profile allowed save-password the last time; false when unknown. */
bool gui_win_save_allowed(struct gui_win *w, const char *profile);

/* profiles_page.c */
void gui_profiles_init(struct gui_win *w);
void gui_profiles_reload(struct gui_win *w);
/* The connect dialog's start: loads profile name (NULL with an error shown when it does not
 * load). */
struct evc_profile *gui_profiles_load(struct gui_win *w, const char *name);
/* The secret of kind for profile p from the user's store, or NULL (g_free after wiping). */
char *gui_profiles_secret(struct gui_win *w, const struct evc_profile *p, int kind);
/* Stores the password of profile name in the user's store and points the profile at it. */
void gui_profiles_save_password(struct gui_win *w, const char *name, const char *password);

#endif
