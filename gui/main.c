/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui: the desktop's window onto the evc daemon. It runs as the user, never speaks IKE
 * and holds no privilege: it drives `evc daemon` over its control socket (gui/core), and keeps
 * profiles and secrets where `evc profile` keeps them. One window per session: a second start
 * raises the first (GtkApplication's single instance on the session bus).
 *
 * usage: evc-gui [--socket PATH] [--profile-dir DIR] [-v]
 * -v says on standard error what the window shows (its state, a dialog) once it is painted
 * and the X server has it, e.g. for screenshots taken by tests/e2e/gui.sh.
 */
#include <stdio.h>
#include <string.h>

#include "gui/window.h"
#include "lib/i18n.h"

struct app_args {
	const char *socket_path, *profile_dir;
	bool verbose;
	struct gui_win *w;
};

static void activate(GtkApplication *app, gpointer data)
{
	struct app_args *a = data;
	if (a->w) {
		gui_win_raise(a->w); /* a second start: this window again */
		return;
	}
	a->w = gui_win_new(app, a->socket_path, a->profile_dir, a->verbose);
}

int main(int argc, char **argv)
{
	struct app_args a = {.socket_path = GUI_DAEMON_SOCKET};
	int rc;

	evc_i18n_init();
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			a.socket_path = argv[++i];
		} else if (strcmp(argv[i], "--profile-dir") == 0 && i + 1 < argc) {
			a.profile_dir = argv[++i];
		} else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			a.verbose = true;
		} else {
			fprintf(stderr,
			        _("usage: evc-gui [--socket PATH] [--profile-dir DIR] [-v]\n"));
			return 2;
		}
	}
	GtkApplication *app = gtk_application_new("org.evc.Gui", G_APPLICATION_DEFAULT_FLAGS);
	g_signal_connect(app, "activate", G_CALLBACK(activate), &a);
	char *args[] = {argv[0], NULL};
	rc = g_application_run(G_APPLICATION(app), 1, args);
	gui_win_free(a.w);
	g_object_unref(app);
	return rc;
}
