/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's profile list (profiles_page.c): the list view and its buttons (new, edit, import,
 * delete) over the user's store, and what the connect dialog needs from it (the selected
 * profile, loaded, with its secrets). It knows nothing of the window around it: what it has
 * to say goes through the host's callbacks, so that window.c depends on it and not the
 * other way round.
 */
#ifndef EVC_GUI_PROFILES_PAGE_H
#define EVC_GUI_PROFILES_PAGE_H

#include <gtk/gtk.h>

#include "lib/secret.h"
#include "profiles/profile.h"

/* What the page needs of the window: ctx is passed back to each. */
struct gui_profiles_host {
	void *ctx;
	/* an error in the window's bar (and the log), in plain language */
	void (*error)(void *ctx, const char *text);
	/* a line in the log view */
	void (*log)(void *ctx, const char *text);
	/* top (a dialog of the page's) is on the screen, showing what (evc-gui -v) */
	void (*shown)(void *ctx, GtkWidget *top, const char *what);
};

struct gui_profiles;

/*
 * The page over b's profile_store, profile_view, its buttons and profile_dialog, for the
 * store in dir (made 0700 when missing: a failure is said through host->error); parent is
 * the dialogs' parent.
 */
struct gui_profiles *gui_profiles_new(GtkBuilder *b, GtkWindow *parent, const char *dir,
                                      const struct gui_profiles_host *host);
void gui_profiles_free(struct gui_profiles *pp);
void gui_profiles_reload(struct gui_profiles *pp);
/* The selected profile's name (g_free it), or NULL. */
char *gui_profiles_selected(struct gui_profiles *pp);
/* Loads profile name (NULL, with the error shown, when it does not load). */
struct evc_profile *gui_profiles_load(struct gui_profiles *pp, const char *name);
/* The secret of kind (enum prof_secret_kind) for p from the user's store into out: 0, or
 * -ENOENT when there is none (out left empty; other errors are logged). */
int gui_profiles_secret(struct gui_profiles *pp, const struct evc_profile *p, int kind,
                        struct secret *out);
/* Stores the password of profile name in the user's store and points the profile at it. */
void gui_profiles_save_password(struct gui_profiles *pp, const char *name,
                                const struct secret *password);

#endif
