/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc-gui's profile list: the user's store (~/.config/evc, or --profile-dir) through
 * profiles/, the same files and secret store `evc profile` uses: new, edit, import (.pcf and
 * vpnc .conf through the importers of profiles/import.h) and delete. Every refusal of the
 * profile code reaches the window as its own sentence.
 */
#include <errno.h>
#include <string.h>

#include "gui/window.h"
#include "lib/i18n.h"
#include "lib/secret.h"
#include "profiles/import.h"
#include "profiles/secrets.h"

enum { COL_NAME, COL_GATEWAY, COL_GROUP };

static void report(void *ctx, const struct prof_msg *m)
{
	struct gui_win *w = ctx;
	char line[600];
	snprintf(line, sizeof(line), "%s: %s", prof_sev_name(m->sev), m->text);
	gui_win_log(w, line);
}

/* The secret store beside the profiles: the keyring (owner-only files where no Secret
 * Service answers) for the user's own directory, files for a --profile-dir. */
static struct prof_secret_store *secret_store(struct gui_win *w, bool custom)
{
	char dir[300];
	snprintf(dir, sizeof(dir), "%s/secrets", w->profile_dir);
	return custom ? prof_secrets_files_new(dir) : prof_secrets_user_new(dir);
}

static bool custom_dir(struct gui_win *w)
{
	char def[300], err[256];
	return prof_store_default_dir(PROF_SCOPE_USER, def, sizeof(def), err, sizeof(err)) != 0 ||
	       strcmp(def, w->profile_dir) != 0;
}

void gui_profiles_reload(struct gui_win *w)
{
	char **names = NULL, err[512];
	size_t n = 0;
	gtk_list_store_clear(w->store);
	if (prof_store_list(w->profiles, &names, &n, err, sizeof(err)) != 0) {
		gui_win_error(w, err);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct evc_profile *p = NULL;
		GtkTreeIter it;
		/* a profile edited into nonsense stays listed, with why it cannot be used */
		int rc = prof_store_load(w->profiles, names[i], report, w, &p, err, sizeof(err));
		gtk_list_store_append(w->store, &it);
		gtk_list_store_set(w->store, &it, COL_NAME, names[i], COL_GATEWAY,
		                   rc ? _("(does not load: see the log)")
		                      : (prof_gateway(p) ? prof_gateway(p) : ""),
		                   COL_GROUP, !rc && prof_group(p) ? prof_group(p) : "", -1);
		if (rc)
			gui_win_log(w, err);
		prof_free(p);
	}
	prof_names_free(names, n);
}

struct evc_profile *gui_profiles_load(struct gui_win *w, const char *name)
{
	struct evc_profile *p = NULL;
	char err[512];
	if (prof_store_load(w->profiles, name, report, w, &p, err, sizeof(err)) != 0) {
		gui_win_error(w, err);
		return NULL;
	}
	return p;
}

char *gui_profiles_secret(struct gui_win *w, const struct evc_profile *p, int kind)
{
	struct secret s = {0};
	char err[512];
	char *out = NULL;
	int rc = prof_secret_fetch(p, (enum prof_secret_kind)kind, &s, err, sizeof(err));
	if (rc == 0 && s.len) {
		out = g_malloc0(s.len + 1);
		memcpy(out, s.p, s.len);
	} else if (rc != 0 && rc != -EAGAIN && rc != -ENOENT) {
		gui_win_log(w, err);
	}
	secret_clear(&s);
	return out;
}

void gui_profiles_save_password(struct gui_win *w, const char *name, const char *password)
{
	struct prof_secret_store *ss = secret_store(w, custom_dir(w));
	struct evc_profile *p = gui_profiles_load(w, name);
	struct secret s = {0};
	char err[512], ref[400];
	int rc = p && ss ? secret_set(&s, password, strlen(password)) : -ENOMEM;
	if (!rc)
		rc = prof_secrets_put(ss, name, PROF_SECRET_PASSWORD, &s, err, sizeof(err));
	if (!rc)
		rc = prof_secrets_ref(ss, name, PROF_SECRET_PASSWORD, ref, sizeof(ref));
	if (!rc)
		rc = prof_set(p, "password", ref, err, sizeof(err));
	if (!rc)
		rc = prof_store_save(w->profiles, p, true, report, w, err, sizeof(err));
	if (rc)
		gui_win_error(w, err);
	else
		gui_win_log(w, ss && prof_secrets_note(ss) ? prof_secrets_note(ss)
		                                           : _("the password is saved"));
	secret_clear(&s);
	prof_secrets_free(ss);
	prof_free(p);
}

/* ---- the buttons ---- */

static void entry_set(struct gui_win *w, const char *id, const char *text)
{
	gtk_entry_set_text(GTK_ENTRY(gtk_builder_get_object(w->b, id)), text ? text : "");
}

static const char *entry_get(struct gui_win *w, const char *id)
{
	return gtk_entry_get_text(GTK_ENTRY(gtk_builder_get_object(w->b, id)));
}

/* The dialog's fields into p; 0, or a negative errno with err naming the field. */
static int fields_to_profile(struct gui_win *w, struct evc_profile *p, char *err, size_t errlen)
{
	static const struct {
		const char *id, *key;
	} f[] = {{"p_gateway", "gateway"},
	         {"p_group", "group"},
	         {"p_user", "username"},
	         {"p_desc", "description"}};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *v = entry_get(w, f[i].id);
		int rc =
		    v[0] ? prof_set(p, f[i].key, v, err, errlen) : (prof_unset(p, f[i].key), 0);
		if (rc)
			return rc;
	}
	return 0;
}

/* New (name NULL) or edit: the dialog until it is saved or cancelled. */
static void edit(struct gui_win *w, const char *name)
{
	GtkDialog *d = GTK_DIALOG(gtk_builder_get_object(w->b, "profile_dialog"));
	struct evc_profile *p = name ? gui_profiles_load(w, name) : NULL;
	char err[512];
	if (name && !p)
		return;
	entry_set(w, "p_name", name);
	entry_set(w, "p_gateway", p ? prof_gateway(p) : NULL);
	entry_set(w, "p_group", p ? prof_group(p) : NULL);
	entry_set(w, "p_user", p ? prof_username(p) : NULL);
	entry_set(w, "p_desc", p ? prof_description(p) : NULL);
	entry_set(w, "p_key", NULL);
	gtk_widget_set_sensitive(GTK_WIDGET(gtk_builder_get_object(w->b, "p_name")), !name);
	gtk_window_set_transient_for(GTK_WINDOW(d), w->win);
	while (gtk_dialog_run(d) == GTK_RESPONSE_OK) {
		const char *nm = entry_get(w, "p_name"), *key = entry_get(w, "p_key");
		struct evc_profile *q = p ? prof_dup(p) : prof_new(nm);
		int rc = q ? 0 : -EINVAL;
		if (!q)
			snprintf(err, sizeof(err),
			         _("'%s' is not a profile name: use letters, digits, '.', '_' and "
			           "'-'"),
			         nm);
		if (!rc)
			rc = fields_to_profile(w, q, err, sizeof(err));
		if (!rc && key[0]) {
			struct prof_import imp = {.prof = q};
			struct prof_secret_store *ss = secret_store(w, custom_dir(w));
			rc = secret_set(&imp.group_key, key, strlen(key));
			if (!rc)
				rc = prof_import_save(w->profiles, ss, &imp, p != NULL, report, w,
				                      err, sizeof(err));
			secret_clear(&imp.group_key);
			prof_secrets_free(ss);
		} else if (!rc) {
			rc =
			    prof_store_save(w->profiles, q, p != NULL, report, w, err, sizeof(err));
		}
		prof_free(q);
		entry_set(w, "p_key", NULL);
		if (!rc)
			break;
		gui_win_error(w, err); /* the dialog stays, with what was typed */
	}
	gtk_widget_hide(GTK_WIDGET(d));
	prof_free(p);
	gui_profiles_reload(w);
}

static void on_new(GtkButton *b, gpointer data)
{
	edit(data, NULL);
}

static void on_edit(GtkButton *b, gpointer data)
{
	struct gui_win *w = data;
	char *name = gui_win_selected(w);
	if (!name) {
		gui_win_error(w, _("select a profile first"));
		return;
	}
	edit(w, name);
	g_free(name);
}

static void on_import(GtkButton *b, gpointer data)
{
	struct gui_win *w = data;
	GtkFileChooserNative *fc =
	    gtk_file_chooser_native_new(_("Import a profile"), w->win, GTK_FILE_CHOOSER_ACTION_OPEN,
	                                _("_Import"), _("_Cancel"));
	GtkFileFilter *f = gtk_file_filter_new();
	gtk_file_filter_set_name(f, _("Cisco VPN Client (.pcf) and vpnc (.conf) profiles"));
	gtk_file_filter_add_pattern(f, "*.pcf");
	gtk_file_filter_add_pattern(f, "*.conf");
	gtk_file_filter_add_pattern(f, "*.profile");
	gtk_file_chooser_add_filter(GTK_FILE_CHOOSER(fc), f);
	if (gtk_native_dialog_run(GTK_NATIVE_DIALOG(fc)) == GTK_RESPONSE_ACCEPT) {
		char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(fc));
		struct prof_import imp = {0};
		char err[512];
		int rc = prof_import_file(path, NULL, PROF_FMT_AUTO, report, w, &imp);
		if (rc) {
			snprintf(err, sizeof(err),
			         _("%s was not imported: the log says what is wrong in it"), path);
		} else {
			struct prof_secret_store *ss = secret_store(w, custom_dir(w));
			rc = prof_import_save(w->profiles, ss, &imp, false, report, w, err,
			                      sizeof(err));
			if (!rc && prof_secrets_note(ss))
				gui_win_log(w, prof_secrets_note(ss));
			prof_secrets_free(ss);
		}
		if (rc)
			gui_win_error(w, err);
		prof_import_clear(&imp);
		g_free(path);
		gui_profiles_reload(w);
	}
	g_object_unref(fc);
}

static void on_delete(GtkButton *b, gpointer data)
{
	struct gui_win *w = data;
	char *name = gui_win_selected(w), err[512], dir[300];
	if (!name) {
		gui_win_error(w, _("select a profile first"));
		return;
	}
	GtkWidget *q = gtk_message_dialog_new(
	    w->win, GTK_DIALOG_MODAL, GTK_MESSAGE_QUESTION, GTK_BUTTONS_YES_NO,
	    _("Delete the profile %s and its saved secrets?"), name);
	gtk_window_set_title(GTK_WINDOW(q), _("Delete"));
	if (gtk_dialog_run(GTK_DIALOG(q)) == GTK_RESPONSE_YES) {
		struct evc_profile *p = gui_profiles_load(w, name);
		snprintf(dir, sizeof(dir), "%s/secrets", w->profile_dir);
		if (p && prof_secrets_forget(p, dir, err, sizeof(err)) != 0)
			gui_win_log(w, err);
		if (prof_store_remove(w->profiles, name, err, sizeof(err)) != 0)
			gui_win_error(w, err);
		prof_free(p);
		gui_profiles_reload(w);
	}
	gtk_widget_destroy(q);
	g_free(name);
}

void gui_profiles_init(struct gui_win *w)
{
	static const struct {
		const char *id;
		GCallback cb;
	} buttons[] = {{"new_button", G_CALLBACK(on_new)},
	               {"edit_button", G_CALLBACK(on_edit)},
	               {"import_button", G_CALLBACK(on_import)},
	               {"delete_button", G_CALLBACK(on_delete)}};
	for (size_t i = 0; i < sizeof(buttons) / sizeof(buttons[0]); i++)
		g_signal_connect(gtk_builder_get_object(w->b, buttons[i].id), "clicked",
		                 buttons[i].cb, w);
	gui_profiles_reload(w);
}
