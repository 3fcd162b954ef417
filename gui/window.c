/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evc-gui's main window and its dialogs; see window.h. */
#include <errno.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gui/window.h"
#include "gui/secret_buffer.h"
#include "lib/i18n.h"
#include "lib/secret.h"
#include "profiles/secrets.h"
#include "profiles/store.h"

#define RETRY_MS 3000 /* a daemon that is not there yet: try again this often */

static const char *const detail_names[] = {
    N_("Gateway"),  N_("Address"), N_("Networks"),      N_("Connected for"),
    N_("Received"), N_("Sent"),    N_("Profile, user"),
};

/* The model's new log lines (a full ring has moved under us: show it again). */
static void sync_log(struct gui_win *w)
{
	if (w->log_shown > w->model.log_count || w->model.log_count == GUI_LOG_LINES) {
		gtk_text_buffer_set_text(w->log, "", 0);
		w->log_shown = 0;
	}
	GtkTextIter end;
	for (; w->log_shown < w->model.log_count; w->log_shown++) {
		gtk_text_buffer_get_end_iter(w->log, &end);
		gtk_text_buffer_insert(w->log, &end, gui_model_log_line(&w->model, w->log_shown),
		                       -1);
		gtk_text_buffer_insert(w->log, &end, "\n", 1);
	}
}

static void gui_win_log(struct gui_win *w, const char *text)
{
	gui_model_log(&w->model, text);
	sync_log(w);
}

static void announce(struct gui_win *w, GtkWidget *top, const char *what);

static void gui_win_error(struct gui_win *w, const char *text)
{
	char what[GUI_TEXT_MAX + 8];
	gtk_label_set_text(w->error_label, text);
	gtk_widget_show(GTK_WIDGET(w->error_bar));
	gui_win_log(w, text);
	snprintf(what, sizeof(what), "error: %s", text);
	announce(w, GTK_WIDGET(w->win), what);
}

/* Whether the gateway of profile allowed save-password the last time; false when unknown. */
static bool gui_win_save_allowed(struct gui_win *w, const char *profile)
{
	return g_key_file_get_boolean(w->state, profile, "save-password-allowed", NULL);
}

/* ---- showing the model ---- */

struct shown_ctx {
	struct gui_win *w;
	char what[GUI_TEXT_MAX + 8];
	gulong id;
	GdkFrameClock *clock;
};

static void after_paint(GdkFrameClock *clock, gpointer data)
{
	struct shown_ctx *c = data;
	/* the X server has drawn what it was sent once this returns */
	gdk_display_sync(gdk_display_get_default());
	fprintf(stderr, "evc-gui: shown: %s\n", c->what);
	g_signal_handler_disconnect(clock, c->id);
	g_free(c);
}

/* -v: "shown: WHAT" once top's next frame is painted. */
static void announce(struct gui_win *w, GtkWidget *top, const char *what)
{
	GdkWindow *gw = gtk_widget_get_window(top);
	GdkFrameClock *clock = gw ? gdk_window_get_frame_clock(gw) : NULL;
	if (!w->verbose || !clock)
		return;
	struct shown_ctx *c = g_new0(struct shown_ctx, 1);
	c->w = w;
	snprintf(c->what, sizeof(c->what), "%s", what);
	c->id = g_signal_connect(clock, "after-paint", G_CALLBACK(after_paint), c);
	gtk_widget_queue_draw(top);
}

static void show_status(struct gui_win *w)
{
	const struct gui_model *m = &w->model;
	char s[GUI_TEXT_MAX], a[64], b[64];
	gui_fmt_state(m, s, sizeof(s));
	gtk_label_set_text(w->state_label, s);
	for (int i = 1; i <= GUI_STEPS; i++) {
		const char *t = m->step_text[i];
		/* step 6 (routes) is the gateway's: done on its side once step 7 began */
		if (i == 6 && !t[0] && m->step >= 7 && m->step_text[7][0])
			t = _("the gateway's routes (on its side)");
		char line[GUI_TEXT_MAX + 16];
		snprintf(line, sizeof(line), "%s %d/7  %s", t[0] ? "✔" : "·", i, t[0] ? t : "");
		gtk_label_set_text(GTK_LABEL(w->steps[i]), line);
	}
	GString *nets = g_string_new(NULL);
	for (size_t i = 0; i < m->n_nets; i++)
		g_string_append_printf(nets, "%s%s", i ? ", " : "", m->nets[i]);
	if (!m->n_nets && gui_model_connected(m))
		g_string_assign(nets, _("all traffic (full tunnel)"));
	gtk_label_set_text(w->detail[0], m->gateway);
	gtk_label_set_text(w->detail[1], m->address);
	gtk_label_set_text(w->detail[2], nets->str);
	g_string_free(nets, TRUE);
	gui_fmt_duration(m->uptime_s, a, sizeof(a));
	gtk_label_set_text(w->detail[3], gui_model_connected(m) ? a : "");
	gui_fmt_bytes(m->bytes_in, a, sizeof(a));
	gui_fmt_bytes(m->bytes_out, b, sizeof(b));
	gtk_label_set_text(w->detail[4], gui_model_connected(m) ? a : "");
	gtk_label_set_text(w->detail[5], gui_model_connected(m) ? b : "");
	snprintf(s, sizeof(s), "%s%s%s", m->profile, m->user[0] ? ", " : "", m->user);
	gtk_label_set_text(w->detail[6], s);
	gtk_widget_set_sensitive(w->disconnect_button, w->conn && gui_model_busy(m));
	gtk_widget_set_sensitive(w->connect_button, w->conn && !gui_model_busy(m));
	gui_fmt_state(m, s, sizeof(s));
	if (strcmp(s, w->shown) != 0) {
		g_strlcpy(w->shown, s, sizeof(w->shown));
		announce(w, GTK_WIDGET(w->win), s);
	}
}

static void send_failed(struct gui_win *w, const char *err);

/*
 * The banner and the password prompt are shown without a nested main loop: the window goes
 * on following the daemon while they are open, and closes them when the question went away
 * (answered in another session, the connection ended).
 */
static void banner_response(GtkDialog *d, gint response, gpointer data)
{
	struct gui_win *w = data;
	char err[512];
	gtk_widget_hide(GTK_WIDGET(d));
	if (!w->banner_shown)
		return;
	w->banner_shown = false;
	w->model.banner_waiting = false;
	/* closing the dialog is no acceptance */
	if (w->conn &&
	    gui_conn_answer_banner(w->conn, response == GTK_RESPONSE_ACCEPT, err, sizeof(err)))
		send_failed(w, err);
}

static void show_banner(struct gui_win *w)
{
	GtkWidget *d = GTK_WIDGET(gtk_builder_get_object(w->b, "banner_dialog"));
	GtkTextView *v = GTK_TEXT_VIEW(gtk_builder_get_object(w->b, "banner_view"));
	gtk_text_buffer_set_text(gtk_text_view_get_buffer(v), w->model.banner, -1);
	gtk_window_set_transient_for(GTK_WINDOW(d), w->win);
	w->banner_shown = true;
	gtk_window_present(GTK_WINDOW(d));
	gtk_widget_realize(d);
	announce(w, d, "banner");
}

static void prompt_response(GtkDialog *d, gint response, gpointer data)
{
	struct gui_win *w = data;
	char err[512];
	const char *pw = gtk_entry_get_text(w->prompt_entry);
	gtk_widget_hide(GTK_WIDGET(d));
	if (w->prompt_shown) {
		bool ok = response == GTK_RESPONSE_OK;
		w->prompt_shown = false;
		w->model.prompt_waiting = false;
		if (ok && w->save_wanted && secret_set(&w->pending_password, pw, strlen(pw)))
			gui_win_error(w, _("out of memory: the password will not be saved"));
		/* no password: the user gave up, and the daemon ends the attempt saying so */
		if (w->conn &&
		    gui_conn_answer_password(w->conn, NULL, ok ? pw : NULL, err, sizeof(err)))
			send_failed(w, err);
	}
	gtk_editable_delete_text(GTK_EDITABLE(w->prompt_entry), 0, -1);
}

/* The gateway asks (again) for the password: the first one went with connect. */
static void show_prompt(struct gui_win *w)
{
	char q[512];
	snprintf(q, sizeof(q),
	         w->model.prompt_retry ? _("The gateway rejected the password of %s. Try again:")
	                               : _("The gateway asks for the password of %s:"),
	         w->model.prompt_user);
	gtk_message_dialog_set_markup(GTK_MESSAGE_DIALOG(w->prompt), "");
	g_object_set(w->prompt, "text", q, NULL);
	gtk_editable_delete_text(GTK_EDITABLE(w->prompt_entry), 0, -1);
	w->prompt_shown = true;
	gtk_window_present(GTK_WINDOW(w->prompt));
	gtk_widget_grab_focus(GTK_WIDGET(w->prompt_entry));
	announce(w, w->prompt, "password prompt");
}

static void build_prompt(struct gui_win *w)
{
	w->prompt =
	    gtk_message_dialog_new(w->win, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
	                           GTK_MESSAGE_QUESTION, GTK_BUTTONS_OK_CANCEL, "%s", "");
	gtk_window_set_title(GTK_WINDOW(w->prompt), _("Password"));
	w->prompt_entry = GTK_ENTRY(gtk_entry_new());
	evc_secret_buffer_attach(w->prompt_entry); /* the typed password: secret memory */
	gtk_entry_set_visibility(w->prompt_entry, FALSE);
	gtk_entry_set_input_purpose(w->prompt_entry, GTK_INPUT_PURPOSE_PASSWORD);
	gtk_entry_set_activates_default(w->prompt_entry, TRUE);
	gtk_dialog_set_default_response(GTK_DIALOG(w->prompt), GTK_RESPONSE_OK);
	gtk_container_add(
	    GTK_CONTAINER(gtk_message_dialog_get_message_area(GTK_MESSAGE_DIALOG(w->prompt))),
	    GTK_WIDGET(w->prompt_entry));
	gtk_widget_show(GTK_WIDGET(w->prompt_entry));
	g_signal_connect(w->prompt, "response", G_CALLBACK(prompt_response), w);
	g_signal_connect(w->prompt, "delete-event", G_CALLBACK(gtk_widget_hide_on_delete), NULL);
	GObject *b = gtk_builder_get_object(w->b, "banner_dialog");
	g_signal_connect(b, "response", G_CALLBACK(banner_response), w);
	g_signal_connect(b, "delete-event", G_CALLBACK(gtk_widget_hide_on_delete), NULL);
}

/* The questions the model has now: shown when new, closed when gone. */
static void sync_questions(struct gui_win *w)
{
	if (w->model.banner_waiting && !w->banner_shown)
		show_banner(w);
	else if (!w->model.banner_waiting && w->banner_shown) {
		w->banner_shown = false;
		gtk_widget_hide(GTK_WIDGET(gtk_builder_get_object(w->b, "banner_dialog")));
	}
	if (w->model.prompt_waiting && !w->prompt_shown)
		show_prompt(w);
	else if (!w->model.prompt_waiting && w->prompt_shown) {
		w->prompt_shown = false;
		gtk_widget_hide(w->prompt);
	}
}

static void forget_pending(struct gui_win *w)
{
	secret_clear(&w->pending_password);
}

/* What the gateway allowed, remembered per profile; the typed password saved if allowed. */
static void remember_policy(struct gui_win *w)
{
	const struct gui_model *m = &w->model;
	GError *e = NULL;
	if (!m->have_save_password || !m->profile[0])
		return;
	g_key_file_set_boolean(w->state, m->profile, "save-password-allowed", m->save_password);
	if (!g_key_file_save_to_file(w->state, w->state_path, &e)) {
		gui_win_log(w, e->message);
		g_error_free(e);
	}
	if (w->pending_password.p && strcmp(w->connecting, m->profile) == 0) {
		if (m->save_password)
			gui_profiles_save_password(w->pp, m->profile, &w->pending_password);
		else
			gui_win_error(w, _("the gateway does not allow saving the password "
			                   "(save-password); it was not saved"));
	}
	forget_pending(w);
}

/* ---- the daemon ---- */

static gboolean try_daemon(gpointer data);

static void drop_daemon(struct gui_win *w, const char *why)
{
	if (w->conn_watch)
		g_source_remove(w->conn_watch);
	w->conn_watch = 0;
	gui_conn_free(w->conn);
	w->conn = NULL;
	gui_model_init(&w->model);
	sync_questions(w); /* nobody left to answer them */
	w->log_shown = 0;
	gtk_text_buffer_set_text(w->log, "", 0);
	gui_win_error(w, why);
	show_status(w);
	if (!w->retry_source)
		w->retry_source = g_timeout_add(RETRY_MS, try_daemon, w);
}

static void send_failed(struct gui_win *w, const char *err)
{
	drop_daemon(w, err);
}

static gboolean on_daemon(gint fd, GIOCondition cond, gpointer data)
{
	struct gui_win *w = data;
	char err[1024];
	unsigned all = 0;
	for (;;) {
		int rc = gui_conn_read(w->conn, &w->msg, err, sizeof(err));
		if (rc == 0)
			break;
		if (rc < 0) {
			/* a refusal said why before the daemon closed: that, not the close */
			if (w->model.error[0] && strcmp(w->model.last_reply, "refused") == 0)
				snprintf(err, sizeof(err), "%s", w->model.error);
			w->conn_watch = 0; /* removed by returning FALSE */
			drop_daemon(w, err);
			return G_SOURCE_REMOVE;
		}
		unsigned ch = gui_model_apply(&w->model, &w->msg);
		ctlp_msg_wipe(&w->msg);
		all |= ch;
		if ((ch & GUI_CH_STATE) && w->model.have_save_password)
			remember_policy(w);
		if (ch & GUI_CH_ERROR)
			gui_win_error(w, w->model.error);
	}
	sync_log(w);
	if (all & (GUI_CH_STATE | GUI_CH_STEPS | GUI_CH_COUNTERS | GUI_CH_REPLY))
		show_status(w);
	if ((all & GUI_CH_STATE) && gui_model_connected(&w->model))
		gtk_widget_hide(GTK_WIDGET(w->error_bar));
	if ((all & GUI_CH_STATE) && !gui_model_busy(&w->model))
		forget_pending(w);
	sync_questions(w);
	return G_SOURCE_CONTINUE;
}

static gboolean try_daemon(gpointer data)
{
	struct gui_win *w = data;
	char err[1024];
	w->conn = gui_conn_open(w->socket_path, err, sizeof(err));
	if (!w->conn) {
		/* said once, then quietly retried */
		if (strcmp(gtk_label_get_text(w->error_label), err) != 0)
			gui_win_error(w, err);
		show_status(w);
		return G_SOURCE_CONTINUE;
	}
	w->retry_source = 0;
	gtk_widget_hide(GTK_WIDGET(w->error_bar));
	gtk_label_set_text(w->error_label, "");
	w->conn_watch =
	    g_unix_fd_add(gui_conn_fd(w->conn), G_IO_IN | G_IO_HUP | G_IO_ERR, on_daemon, w);
	show_status(w);
	return G_SOURCE_REMOVE;
}

/* ---- the buttons ---- */

static void dialog_entry(struct gui_win *w, const char *id, const char *text)
{
	gtk_entry_set_text(GTK_ENTRY(gtk_builder_get_object(w->b, id)), text ? text : "");
}

static const char *dialog_text(struct gui_win *w, const char *id)
{
	return gtk_entry_get_text(GTK_ENTRY(gtk_builder_get_object(w->b, id)));
}

static void on_connect(GtkButton *button, gpointer data)
{
	struct gui_win *w = data;
	GtkDialog *d = GTK_DIALOG(gtk_builder_get_object(w->b, "connect_dialog"));
	GtkWidget *save = GTK_WIDGET(gtk_builder_get_object(w->b, "c_save"));
	char *name = gui_profiles_selected(w->pp), err[1024];
	struct evc_profile *p;
	if (!name) {
		gui_win_error(w, _("select a profile to connect"));
		return;
	}
	if (!(p = gui_profiles_load(w->pp, name))) {
		g_free(name);
		return;
	}
	struct secret stored = {0}, key = {0};
	char *text = NULL;
	bool have_stored = gui_profiles_secret(w->pp, p, PROF_SECRET_PASSWORD, &stored) == 0;
	bool allowed = gui_win_save_allowed(w, name);
	dialog_entry(w, "c_gateway", prof_gateway(p));
	dialog_entry(w, "c_group", prof_group(p));
	dialog_entry(w, "c_user", prof_username(p));
	dialog_entry(w, "c_password", have_stored ? (const char *)stored.p : NULL);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(save), have_stored);
	gtk_widget_set_sensitive(save, allowed);
	gtk_label_set_text(GTK_LABEL(gtk_builder_get_object(w->b, "c_save_why")),
	                   allowed ? ""
	                           : _("The gateway did not allow saving the password the last "
	                               "time (or was never reached)."));
	gtk_window_set_transient_for(GTK_WINDOW(d), w->win);
	gtk_widget_realize(GTK_WIDGET(d));
	announce(w, GTK_WIDGET(d), "connect dialog");
	int r = gtk_dialog_run(d);
	gtk_widget_hide(GTK_WIDGET(d));
	if (r == GTK_RESPONSE_OK && w->conn) {
		bool have_key = gui_profiles_secret(w->pp, p, PROF_SECRET_GROUP_KEY, &key) == 0;
		/* the whole profile, so that the daemon honours every key of it (backups, dh,
		 * natt, ...); its secrets stay out of it ("prompt") and go as fields */
		text = prof_export_text(p);
		struct gui_connect a = {.profile = name,
		                        .gateway = dialog_text(w, "c_gateway"),
		                        .group = dialog_text(w, "c_group"),
		                        .user = dialog_text(w, "c_user"),
		                        .password = dialog_text(w, "c_password"),
		                        .group_key = have_key ? (const char *)key.p : NULL,
		                        .profile_text = text};
		snprintf(w->connecting, sizeof(w->connecting), "%s", name);
		w->save_wanted = allowed && gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(save));
		forget_pending(w);
		if (w->save_wanted && a.password[0] &&
		    (!have_stored || strcmp((const char *)stored.p, a.password)) &&
		    secret_set(&w->pending_password, a.password, strlen(a.password)))
			gui_win_error(w, _("out of memory: the password will not be saved"));
		if (gui_conn_connect(w->conn, &a, err, sizeof(err)))
			send_failed(w, err);
	}
	/* the typed password leaves the dialog's buffer now */
	gtk_editable_delete_text(GTK_EDITABLE(gtk_builder_get_object(w->b, "c_password")), 0, -1);
	secret_clear(&stored);
	secret_clear(&key);
	free(text);
	prof_free(p);
	g_free(name);
}

/* Enter (or a double click) on a profile: its connect dialog. (Connected swapped, on_connect
 * took the tree path for the window and read freed memory.) */
static void on_row_activated(GtkTreeView *v, GtkTreePath *path, GtkTreeViewColumn *col,
                             gpointer data)
{
	on_connect(NULL, data);
}

static void on_disconnect(GtkButton *button, gpointer data)
{
	struct gui_win *w = data;
	char err[512];
	if (w->conn && gui_conn_disconnect(w->conn, err, sizeof(err)))
		send_failed(w, err);
}

static void on_error_close(GtkInfoBar *bar, gint response, gpointer data)
{
	gtk_widget_hide(GTK_WIDGET(bar));
}

/* Once a second: the time connected moves even between the daemon's counters. */
static gboolean tick(gpointer data)
{
	struct gui_win *w = data;
	if (gui_model_connected(&w->model))
		show_status(w);
	return G_SOURCE_CONTINUE;
}

static void build_status(struct gui_win *w)
{
	GtkBox *steps = GTK_BOX(gtk_builder_get_object(w->b, "steps_box"));
	GtkGrid *grid = GTK_GRID(gtk_builder_get_object(w->b, "details_grid"));
	for (int i = 1; i <= GUI_STEPS; i++) {
		w->steps[i] = gtk_label_new("");
		gtk_label_set_xalign(GTK_LABEL(w->steps[i]), 0);
		gtk_label_set_ellipsize(GTK_LABEL(w->steps[i]), PANGO_ELLIPSIZE_END);
		gtk_box_pack_start(steps, w->steps[i], FALSE, FALSE, 0);
	}
	for (int i = 0; i < 7; i++) {
		GtkWidget *k = gtk_label_new(_(detail_names[i])), *v = gtk_label_new("");
		gtk_label_set_xalign(GTK_LABEL(k), 1);
		gtk_label_set_xalign(GTK_LABEL(v), 0);
		gtk_label_set_selectable(GTK_LABEL(v), TRUE);
		gtk_label_set_line_wrap(GTK_LABEL(v), TRUE);
		gtk_style_context_add_class(gtk_widget_get_style_context(k), "dim-label");
		gtk_grid_attach(grid, k, 0, i, 1, 1);
		gtk_grid_attach(grid, v, 1, i, 1, 1);
		w->detail[i] = GTK_LABEL(v);
	}
	gtk_widget_show_all(GTK_WIDGET(steps));
	gtk_widget_show_all(GTK_WIDGET(grid));
}

void gui_win_raise(struct gui_win *w)
{
	/* a second start in the same session: this window stays the one, nothing of it lost */
	gui_win_log(w, _("evc-gui was started again in this session: this is its window"));
	gtk_window_present(w->win);
	announce(w, GTK_WIDGET(w->win), "raised");
}

/* What the profile page says, in this window. */
static void host_error(void *ctx, const char *text)
{
	gui_win_error(ctx, text);
}

static void host_log(void *ctx, const char *text)
{
	gui_win_log(ctx, text);
}

static void host_shown(void *ctx, GtkWidget *top, const char *what)
{
	announce(ctx, top, what);
}

struct gui_win *gui_win_new(GtkApplication *app, const char *socket_path, const char *profile_dir,
                            bool verbose)
{
	struct gui_win *w = g_new0(struct gui_win, 1);
	char err[512];
	GError *e = NULL;

	w->app = app;
	w->verbose = verbose;
	gui_model_init(&w->model);
	snprintf(w->socket_path, sizeof(w->socket_path), "%s", socket_path);
	w->b = gtk_builder_new_from_resource("/org/evc/gui/evc-gui.ui");
#define OBJ(id) gtk_builder_get_object(w->b, id)
	w->win = GTK_WINDOW(OBJ("main_window"));
	w->list = GTK_TREE_VIEW(OBJ("profile_view"));
	w->state_label = GTK_LABEL(OBJ("state_label"));
	w->error_label = GTK_LABEL(OBJ("error_label"));
	w->error_bar = GTK_INFO_BAR(OBJ("error_bar"));
	w->connect_button = GTK_WIDGET(OBJ("connect_button"));
	w->disconnect_button = GTK_WIDGET(OBJ("disconnect_button"));
	w->log = gtk_text_view_get_buffer(GTK_TEXT_VIEW(OBJ("log_view")));
	gtk_window_set_application(w->win, app);
	build_status(w);
	build_prompt(w);
	/* the password typed in the connect dialog: secret memory, not GLib's heap */
	evc_secret_buffer_attach(GTK_ENTRY(OBJ("c_password")));
	g_signal_connect(w->connect_button, "clicked", G_CALLBACK(on_connect), w);
	g_signal_connect(w->disconnect_button, "clicked", G_CALLBACK(on_disconnect), w);
	g_signal_connect(w->error_bar, "response", G_CALLBACK(on_error_close), w);
	g_signal_connect(w->list, "row-activated", G_CALLBACK(on_row_activated), w);
#undef OBJ
	/* the profiles: --profile-dir, else the user's own directory, as `evc profile` */
	if (profile_dir)
		snprintf(w->profile_dir, sizeof(w->profile_dir), "%s", profile_dir);
	else if (prof_store_default_dir(PROF_SCOPE_USER, w->profile_dir, sizeof(w->profile_dir),
	                                err, sizeof(err)) != 0)
		gui_win_error(w, err);
	const struct gui_profiles_host host = {
	    .ctx = w, .error = host_error, .log = host_log, .shown = host_shown};
	w->pp = gui_profiles_new(w->b, w->win, w->profile_dir, &host);
	w->state = g_key_file_new();
	snprintf(w->state_path, sizeof(w->state_path), "%s/evc-gui.ini", w->profile_dir);
	if (!g_key_file_load_from_file(w->state, w->state_path, G_KEY_FILE_NONE, &e) &&
	    !g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT))
		gui_win_log(w, e->message); /* a broken file: start afresh, say so */
	g_clear_error(&e);
	show_status(w);
	gtk_widget_show(GTK_WIDGET(w->win));
	announce(w, GTK_WIDGET(w->win), w->shown); /* the first screen, once painted */
	if (try_daemon(w) == G_SOURCE_CONTINUE)
		w->retry_source = g_timeout_add(RETRY_MS, try_daemon, w);
	w->tick_source = g_timeout_add_seconds(1, tick, w);
	return w;
}

void gui_win_free(struct gui_win *w)
{
	if (!w)
		return;
	if (w->conn_watch)
		g_source_remove(w->conn_watch);
	if (w->retry_source)
		g_source_remove(w->retry_source);
	if (w->tick_source)
		g_source_remove(w->tick_source);
	gui_conn_free(w->conn);
	forget_pending(w);
	ctlp_msg_wipe(&w->msg);
	gui_profiles_free(w->pp);
	g_key_file_free(w->state);
	g_object_unref(w->b);
	g_free(w);
}
