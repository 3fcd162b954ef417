/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's profile list (see profiles_page.h): the user's store (~/.config/evc, or
 * --profile-dir) through profiles/, the same files and secret store `evc profile` uses: new,
 * edit, import (.pcf and vpnc .conf through the importers of profiles/import.h) and delete.
 * Every refusal of the profile code reaches the window as its own sentence.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "gui/profiles_page.h"
#include "gui/secret_buffer.h"
#include "lib/i18n.h"
#include "profiles/import.h"
#include "profiles/secrets.h"
#include "profiles/store.h"

struct gui_profiles {
	struct gui_profiles_host host;
	GtkBuilder *b;
	GtkWindow *parent;
	GtkListStore *store;
	GtkTreeView *list;
	struct prof_store *profiles;
	char dir[256];
	GtkWidget *chooser; /* the import dialog, made at its first use */
	/* the first error of an import, for the window's bar (the log has them all) */
	char first_error[512];
};

static void say_error(struct gui_profiles *pp, const char *text)
{
	pp->host.error(pp->host.ctx, text);
}

static void say_log(struct gui_profiles *pp, const char *text)
{
	pp->host.log(pp->host.ctx, text);
}

enum { COL_NAME, COL_GATEWAY, COL_GROUP };

static void report(void *ctx, const struct prof_msg *m)
{
	struct gui_profiles *pp = ctx;
	char line[600];
	snprintf(line, sizeof(line), "%s: %s", prof_sev_name(m->sev), m->text);
	say_log(pp, line);
}

/* The secret store beside the profiles: the keyring (owner-only files where no Secret
 * Service answers) for the user's own directory, files for a --profile-dir. */
static struct prof_secret_store *secret_store(struct gui_profiles *pp, bool custom)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/secrets", pp->dir);
	return custom ? prof_secrets_files_new(dir) : prof_secrets_user_new(dir);
}

static bool custom_dir(struct gui_profiles *pp)
{
	char def[300], err[256];
	return prof_store_default_dir(PROF_SCOPE_USER, def, sizeof(def), err, sizeof(err)) != 0 ||
	       strcmp(def, pp->dir) != 0;
}

void gui_profiles_reload(struct gui_profiles *pp)
{
	char **names = NULL, err[512];
	size_t n = 0;
	gtk_list_store_clear(pp->store);
	if (prof_store_list(pp->profiles, &names, &n, err, sizeof(err)) != 0) {
		say_error(pp, err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct evc_profile *p = NULL;
		GtkTreeIter it;
		/* a profile edited into nonsense stays listed, with why it cannot be used */
		int rc = prof_store_load(pp->profiles, names[i], report, pp, &p, err, sizeof(err));
		gtk_list_store_append(pp->store, &it);
		gtk_list_store_set(pp->store, &it, COL_NAME, names[i], COL_GATEWAY,
		                   rc ? _("(does not load: see the log)")
		                      : (prof_gateway(p) ? prof_gateway(p) : ""),
		                   COL_GROUP, !rc && prof_group(p) ? prof_group(p) : "", -1);
		if (rc)
			say_log(pp, err);
		prof_free(p);
	}
	prof_names_free(names, n);
}

struct evc_profile *gui_profiles_load(struct gui_profiles *pp, const char *name)
{
	struct evc_profile *p = NULL;
	char err[512];
	if (prof_store_load(pp->profiles, name, report, pp, &p, err, sizeof(err)) != 0) {
		say_error(pp, err);
		return NULL;
	}
	return p;
}

int gui_profiles_secret(struct gui_profiles *pp, const struct evc_profile *p, int kind,
                        struct secret *out)
{
	struct secret s = {0};
	char err[512];
	int rc = prof_secret_fetch(p, (enum prof_secret_kind)kind, &s, err, sizeof(err));
	if (rc == 0 && !s.len)
		rc = -ENOENT;
	if (rc == 0) {
		/* NUL-terminated for the entry; len stays the text's */
		rc = secret_alloc(out, s.len + 1);
		if (rc == 0) {
			memcpy(out->p, s.p, s.len);
			out->len = s.len;
		}
	} else if (rc != -EAGAIN && rc != -ENOENT) {
		say_log(pp, err);
	}
	secret_clear(&s);
	return rc == -EAGAIN ? -ENOENT : rc;
}

void gui_profiles_save_password(struct gui_profiles *pp, const char *name,
                                const struct secret *password)
{
	struct prof_secret_store *ss = secret_store(pp, custom_dir(pp));
	struct evc_profile *p = gui_profiles_load(pp, name);
	char err[512] = "", ref[400];
	int rc = p && ss ? 0 : -ENOMEM;
	if (!p)
		goto out; /* gui_profiles_load said why */
	if (!ss)
		snprintf(err, sizeof(err), "%s",
		         _("out of memory: the password will not be saved"));
	if (!rc)
		rc = prof_secrets_put(ss, name, PROF_SECRET_PASSWORD, password, err, sizeof(err));
	if (!rc)
		rc = prof_secrets_ref(ss, name, PROF_SECRET_PASSWORD, ref, sizeof(ref));
	if (!rc)
		rc = prof_set(p, "password", ref, err, sizeof(err));
	if (!rc)
		rc = prof_store_save(pp->profiles, p, true, report, pp, err, sizeof(err));
	if (rc)
		say_error(pp, err);
	else
		say_log(pp,
		        prof_secrets_note(ss) ? prof_secrets_note(ss) : _("the password is saved"));
out:
	prof_secrets_free(ss);
	prof_free(p);
}

/* ---- the buttons ---- */

static void entry_set(struct gui_profiles *pp, const char *id, const char *text)
{
	gtk_entry_set_text(GTK_ENTRY(gtk_builder_get_object(pp->b, id)), text ? text : "");
}

static const char *entry_get(struct gui_profiles *pp, const char *id)
{
	return gtk_entry_get_text(GTK_ENTRY(gtk_builder_get_object(pp->b, id)));
}

/* The dialog's fields into p; 0, or a negative errno with err naming the field. */
static int fields_to_profile(struct gui_profiles *pp, struct evc_profile *p, char *err,
                             size_t errlen)
{
	static const struct {
		const char *id, *key;
	} f[] = {{"p_gateway", "gateway"},
	         {"p_group", "group"},
	         {"p_user", "username"},
	         {"p_desc", "description"}};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v = entry_get(pp, f[i].id);
		int rc =
		    v[0] ? prof_set(p, f[i].key, v, err, errlen) : (prof_unset(p, f[i].key), 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* New (name NULL) or edit: the dialog until it is saved or cancelled. */
static void edit(struct gui_profiles *pp, const char *name)
{
	GtkDialog *d = GTK_DIALOG(gtk_builder_get_object(pp->b, "profile_dialog"));
	struct evc_profile *p = name ? gui_profiles_load(pp, name) : NULL;
	char err[512];
	if (name && !p)
		return;
	entry_set(pp, "p_name", name);
	entry_set(pp, "p_gateway", p ? prof_gateway(p) : NULL);
	entry_set(pp, "p_group", p ? prof_group(p) : NULL);
	entry_set(pp, "p_user", p ? prof_username(p) : NULL);
	entry_set(pp, "p_desc", p ? prof_description(p) : NULL);
	entry_set(pp, "p_key", NULL);
	gtk_widget_set_sensitive(GTK_WIDGET(gtk_builder_get_object(pp->b, "p_name")), !name);
	gtk_window_set_transient_for(GTK_WINDOW(d), pp->parent);
	/* the first field that can be typed into: the name, or the gateway when editing */
	gtk_widget_grab_focus(
	    GTK_WIDGET(gtk_builder_get_object(pp->b, name ? "p_gateway" : "p_name")));
	gtk_widget_realize(GTK_WIDGET(d));
	pp->host.shown(pp->host.ctx, GTK_WIDGET(d), name ? "edit dialog" : "new dialog");
	while (gtk_dialog_run(d) == GTK_RESPONSE_OK) {
		const char *nm = entry_get(pp, "p_name"), *key = entry_get(pp, "p_key");
		struct evc_profile *q = p ? prof_dup(p) : prof_new(nm);
		int rc = q ? 0 : -EINVAL;
		if (!q)
			snprintf(err, sizeof(err),
			         _("'%s' is not a profile name: use letters, digits, '.', '_' and "
			           "'-'"),
			         nm);
		if (!rc)
			rc = fields_to_profile(pp, q, err, sizeof(err));
		if (!rc && key[0]) {
			struct prof_import imp = {.prof = q};
			struct prof_secret_store *ss = secret_store(pp, custom_dir(pp));
			rc = secret_set(&imp.group_key, key, strlen(key));
			if (!rc)
				rc = prof_import_save(pp->profiles, ss, &imp, p != NULL, report, pp,
				                      err, sizeof(err));
			secret_clear(&imp.group_key);
			prof_secrets_free(ss);
		} else if (!rc) {
			rc = prof_store_save(pp->profiles, q, p != NULL, report, pp, err,
			                     sizeof(err));
		}
		prof_free(q);
		entry_set(pp, "p_key", NULL);
		if (!rc)
			break;
		say_error(pp, err); /* the dialog stays, with what was typed */
	}
	gtk_widget_hide(GTK_WIDGET(d));
	prof_free(p);
	gui_profiles_reload(pp);
}

static void on_new(GtkButton *b, gpointer data)
{
	edit(data, NULL);
}

static void on_edit(GtkButton *b, gpointer data)
{
	struct gui_profiles *pp = data;
	char *name = gui_profiles_selected(pp);
	if (!name) {
		say_error(pp, _("select a profile first"));
		return;
	}
	edit(pp, name);
	g_free(name);
}

/* The importer's messages in the log, its first error kept for the window's bar. */
static void import_report(void *ctx, const struct prof_msg *m)
{
	struct gui_profiles *pp = ctx;
	if (m->sev == PROF_ERROR && !pp->first_error[0])
		snprintf(pp->first_error, sizeof(pp->first_error), "%s", m->text);
	report(ctx, m);
}

static void import_path(struct gui_profiles *pp, const char *path)
{
	struct prof_import imp = {0};
	char err[1024];
	pp->first_error[0] = '\0';
	int rc = prof_import_file(path, NULL, PROF_FMT_AUTO, import_report, pp, &imp);
	if (rc) {
		snprintf(err, sizeof(err), _("%s was not imported: %s"), path,
		         pp->first_error[0] ? pp->first_error : strerror(-rc));
	} else {
		struct prof_secret_store *ss = secret_store(pp, custom_dir(pp));
		rc = prof_import_save(pp->profiles, ss, &imp, false, report, pp, err, sizeof(err));
		if (!rc)
			say_log(pp, prof_secrets_note(ss) ? prof_secrets_note(ss)
			                                  : _("the profile is imported"));
		prof_secrets_free(ss);
	}
	if (rc)
		say_error(pp, err);
	prof_import_clear(&imp);
	gui_profiles_reload(pp);
}

/*
 * GTK's own file chooser dialog rather than GtkFileChooserNative: it is the same dialog
 * where no portal is used, and a widget of ours can say when it is on the screen and be
 * reached from the keyboard (Ctrl+L, a path, Enter). Made once and hidden after use: the
 * release of the key that answered it still finds it there.
 */
/* GTK sizes its chooser for a desktop's screen when it maps it: the main window's size is
 * enough, and keeps the dialog on a small screen. */
static void fit_chooser(GtkWidget *fc, gpointer data)
{
	struct gui_profiles *pp = data;
	int w = 0, h = 0, x = 0, y = 0;
	gtk_window_get_size(pp->parent, &w, &h);
	gtk_window_get_position(pp->parent, &x, &y);
	gtk_window_resize(GTK_WINDOW(fc), w > 200 ? w - 40 : 720, h > 200 ? h - 40 : 460);
	gtk_window_move(GTK_WINDOW(fc), x + 20, y + 20);
}

/* -v: the file the chooser has taken in, once painted (GTK resolves a typed path in the
 * background, and Enter before that is not yet an answer). */
static void chooser_selection(GtkFileChooser *fc, gpointer data)
{
	struct gui_profiles *pp = data;
	char *f = gtk_file_chooser_get_filename(fc), what[400];
	if (f && gtk_widget_get_visible(GTK_WIDGET(fc))) {
		snprintf(what, sizeof(what), "import file: %s", f); /* i18n: no (-v, for tests) */
		pp->host.shown(pp->host.ctx, GTK_WIDGET(fc), what);
	}
	g_free(f);
}

static GtkWidget *import_dialog(struct gui_profiles *pp)
{
	if (pp->chooser)
		return pp->chooser;
	GtkWidget *fc = gtk_file_chooser_dialog_new(
	    _("Import a profile"), pp->parent, GTK_FILE_CHOOSER_ACTION_OPEN, _("_Cancel"),
	    GTK_RESPONSE_CANCEL, _("_Import"), GTK_RESPONSE_ACCEPT, NULL);
	GtkFileFilter *f = gtk_file_filter_new();
	gtk_file_filter_set_name(f, _("Cisco VPN Client (.pcf) and vpnc (.conf) profiles"));
	gtk_file_filter_add_pattern(f, "*.pcf");
	gtk_file_filter_add_pattern(f, "*.conf");
	gtk_file_filter_add_pattern(f, "*.profile");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(fc), f);
	gtk_dialog_set_default_response(GTK_DIALOG(fc), GTK_RESPONSE_ACCEPT);
	gtk_window_set_modal(GTK_WINDOW(fc), TRUE);
	g_signal_connect(fc, "delete-event", G_CALLBACK(gtk_widget_hide_on_delete), NULL);
	g_signal_connect_after(fc, "map", G_CALLBACK(fit_chooser), pp);
	g_signal_connect(fc, "selection-changed", G_CALLBACK(chooser_selection), pp);
	pp->chooser = fc;
	return fc;
}

static void on_import(GtkButton *b, gpointer data)
{
	struct gui_profiles *pp = data;
	GtkWidget *fc = import_dialog(pp);
	gtk_widget_realize(fc);
	pp->host.shown(pp->host.ctx, fc, "import dialog");
	int r = gtk_dialog_run(GTK_DIALOG(fc));
	gtk_widget_hide(fc);
	if (r == GTK_RESPONSE_ACCEPT) {
		char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(fc));
		if (path)
			import_path(pp, path);
		else
			say_error(pp, _("choose a local file to import"));
		g_free(path);
	}
}

static void on_delete(GtkButton *b, gpointer data)
{
	struct gui_profiles *pp = data;
	char *name = gui_profiles_selected(pp), err[512], dir[300];
	if (!name) {
		say_error(pp, _("select a profile first"));
		return;
	}
	GtkWidget *q = gtk_message_dialog_new(
	    pp->parent, GTK_DIALOG_MODAL, GTK_MESSAGE_QUESTION, GTK_BUTTONS_YES_NO,
	    _("Delete the profile %s and its saved secrets?"), name);
	gtk_window_set_title(GTK_WINDOW(q), _("Delete"));
	gtk_widget_realize(q);
	pp->host.shown(pp->host.ctx, q, "delete dialog");
	if (gtk_dialog_run(GTK_DIALOG(q)) == GTK_RESPONSE_YES) {
		struct evc_profile *p = gui_profiles_load(pp, name);
		snprintf(dir, sizeof(dir), "%s/secrets", pp->dir);
		if (p && prof_secrets_forget(p, dir, err, sizeof(err)) != 0)
			say_log(pp, err);
		if (prof_store_remove(pp->profiles, name, err, sizeof(err)) != 0)
			say_error(pp, err);
		prof_free(p);
		gui_profiles_reload(pp);
	}
	gtk_widget_destroy(q);
	g_free(name);
}

/* -v: the profile now selected, once painted (the list's search selects as it is typed) */
static void on_selection(GtkTreeSelection *sel, gpointer data)
{
	struct gui_profiles *pp = data;
	char *name = gui_profiles_selected(pp), what[300];
	if (name) {
		snprintf(what, sizeof(what), "selected: %s", name); /* i18n: no (-v, for tests) */
		pp->host.shown(pp->host.ctx, GTK_WIDGET(pp->parent), what);
	}
	g_free(name);
}

char *gui_profiles_selected(struct gui_profiles *pp)
{
	GtkTreeModel *m;
	GtkTreeIter it;
	char *name = NULL;
	if (gtk_tree_selection_get_selected(gtk_tree_view_get_selection(pp->list), &m, &it))
		gtk_tree_model_get(m, &it, COL_NAME, &name, -1);
	return name;
}

struct gui_profiles *gui_profiles_new(GtkBuilder *b, GtkWindow *parent, const char *dir,
                                      const struct gui_profiles_host *host)
{
	static const struct {
		const char *id;
		GCallback cb;
	} buttons[] = {{"new_button", G_CALLBACK(on_new)},
	               {"edit_button", G_CALLBACK(on_edit)},
	               {"import_button", G_CALLBACK(on_import)},
	               {"delete_button", G_CALLBACK(on_delete)}};
	struct gui_profiles *pp = g_new0(struct gui_profiles, 1);
	pp->host = *host;
	pp->b = b;
	pp->parent = parent;
	pp->store = GTK_LIST_STORE(gtk_builder_get_object(b, "profile_store"));
	pp->list = GTK_TREE_VIEW(gtk_builder_get_object(b, "profile_view"));
	snprintf(pp->dir, sizeof(pp->dir), "%s", dir);
	if (g_mkdir_with_parents(pp->dir, 0700) != 0) {
		char err[400];
		snprintf(err, sizeof(err), _("cannot create the profile directory %s: %s"), pp->dir,
		         g_strerror(errno));
		say_error(pp, err);
	}
	pp->profiles = prof_store_new(pp->dir);
	/* the group key typed in the profile dialog: secret memory, not GLib's heap */
	evc_secret_buffer_attach(GTK_ENTRY(gtk_builder_get_object(b, "p_key")));
	g_signal_connect(gtk_tree_view_get_selection(pp->list), "changed", G_CALLBACK(on_selection),
	                 pp);
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		g_signal_connect(gtk_builder_get_object(b, buttons[i].id), "clicked", buttons[i].cb,
		                 pp);
	gui_profiles_reload(pp);
	return pp;
}

void gui_profiles_free(struct gui_profiles *pp)
{
	if (!pp)
		return;
	if (pp->chooser)
		gtk_widget_destroy(pp->chooser);
	prof_store_free(pp->profiles);
	g_free(pp);
}
