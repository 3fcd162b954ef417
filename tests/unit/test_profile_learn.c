// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a connection teaches a profile (profiles/learn.h): the gateway's backup servers
 * remembered and tried after the profile's own, save-password recorded, and a stored
 * password deleted when the gateway does not allow saving it (and kept when it does).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "client/core/settings.h"
#include "lib/secret.h"
#include "profiles/learn.h"
#include "profiles/secrets.h"
#include "profiles/store.h"

struct notes {
	char text[8][600];
	size_t n;
};

static void take_note(void *ctx, const char *text)
{
	struct notes *n = ctx;
	if (n->n < 8)
		snprintf(n->text[n->n++], sizeof(n->text[0]), "%s", text);
}

static bool noted(const struct notes *n, const char *part)
{
	for (size_t i = 0; i < n->n; i++)
		if (strstr(n->text[i], part))
			return true;
	return false;
}

static void test_backups_text(void **state)
{
	char out[512];
	struct notes n = {0};
	(void)state;

	/* evs joins with commas; other gateways use blanks or line breaks */
	assert_int_equal(prof_learn_backups("198.51.100.2,vpn3.example.com", "198.51.100.1", out,
	                                    sizeof(out), take_note, &n),
	                 2);
	assert_string_equal(out, "198.51.100.2, vpn3.example.com");
	assert_int_equal(n.n, 0);
	/* the gateway itself and repeats are dropped silently, nonsense with a note */
	assert_int_equal(prof_learn_backups("vpn.example.com 203.0.113.9\n203.0.113.9, bad!host",
	                                    "VPN.example.com", out, sizeof(out), take_note, &n),
	                 1);
	assert_string_equal(out, "203.0.113.9");
	assert_true(noted(&n, "'bad!host' that is neither a host name nor an IPv4 address"));
	/* none at all */
	assert_int_equal(prof_learn_backups(NULL, "g", out, sizeof(out), NULL, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(prof_learn_backups(" , ", "g", out, sizeof(out), NULL, NULL), 0);
	/* at most PROF_MAX_BACKUPS */
	char many[400] = "";
	for (int i = 1; i <= PROF_MAX_BACKUPS + 2; i++) {
		size_t l = strlen(many);
		snprintf(many + l, sizeof(many) - l, "198.51.100.%d,", i);
	}
	n.n = 0;
	assert_int_equal(prof_learn_backups(many, "g", out, sizeof(out), take_note, &n),
	                 PROF_MAX_BACKUPS);
	assert_true(noted(&n, "more than 10 backup servers"));
}

struct fix {
	char dir[64], sdir[128];
	struct prof_store *st;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/evc-test-learn-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->sdir, sizeof(f->sdir), "%s/secrets", f->dir);
	f->st = prof_store_new(f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;
	char cmd[128];
	prof_store_free(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	int rc = system(cmd);
	free(f);
	return rc == 0 ? 0 : -1;
}

/* Saves profile "office" with a password in the store's own secret file; returns it loaded. */
static struct evc_profile *office(struct fix *f, const char *pw_ref)
{
	struct prof_secret_store *ss = prof_secrets_files_new(f->sdir);
	struct secret v = {NULL, 0};
	char err[600], ref[300];
	struct evc_profile *p = prof_new("office"), *loaded = NULL;

	assert_int_equal(prof_set(p, "gateway", "198.51.100.1", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "backup_gateways", "198.51.100.7", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "group", "quizware", err, sizeof(err)), 0);
	assert_int_equal(prof_set(p, "username", "richard", err, sizeof(err)), 0);
	assert_int_equal(secret_set(&v, "the password", 12), 0);
	assert_int_equal(prof_secrets_put(ss, "office", PROF_SECRET_PASSWORD, &v, err, sizeof(err)),
	                 0);
	assert_int_equal(prof_secrets_ref(ss, "office", PROF_SECRET_PASSWORD, ref, sizeof(ref)), 0);
	assert_int_equal(prof_set(p, "password", pw_ref ? pw_ref : ref, err, sizeof(err)), 0);
	assert_int_equal(prof_store_save(f->st, p, true, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(prof_store_load(f->st, "office", NULL, NULL, &loaded, err, sizeof(err)),
	                 0);
	secret_clear(&v);
	prof_secrets_free(ss);
	prof_free(p);
	return loaded;
}

static struct evc_profile *reload(struct fix *f)
{
	struct evc_profile *p = NULL;
	char err[600];
	assert_int_equal(prof_store_load(f->st, "office", NULL, NULL, &p, err, sizeof(err)), 0);
	return p;
}

static void test_save_password_refused(void **state)
{
	struct fix *f = *state;
	struct evc_policy pol = {.have = EVC_HAVE_BACKUP};
	struct notes n = {0};
	char err[600], pwfile[256];
	struct stat sb;

	snprintf(pol.backup_servers, sizeof(pol.backup_servers), "198.51.100.2,vpn3.example.com");
	snprintf(pwfile, sizeof(pwfile), "%s/office.password", f->sdir);
	struct evc_profile *p = office(f, NULL);
	assert_int_equal(stat(pwfile, &sb), 0);
	assert_int_equal(prof_save_password(p), -1); /* not known before the first connection */

	assert_int_equal(prof_learn_policy(p, &pol, NULL, take_note, &n, err, sizeof(err)), 0);
	assert_int_equal(stat(pwfile, &sb), -1); /* deleted */
	assert_true(noted(&n, "the gateway does not let group quizware save its password"));
	assert_true(noted(&n, "the stored password of profile 'office' was deleted"));
	assert_true(noted(&n, "198.51.100.2, vpn3.example.com"));
	struct evc_profile *q = reload(f);
	assert_int_equal(prof_secret_ref(q, PROF_SECRET_PASSWORD, NULL), PROF_REF_PROMPT);
	assert_int_equal(prof_save_password(q), 0);
	assert_int_equal(prof_pushed_backup_count(q), 2);
	assert_string_equal(prof_pushed_backup(q, 1), "vpn3.example.com");

	/* used like the profile's own backups, after them */
	struct evc_settings s = {0};
	struct evc_overrides o;
	evc_overrides_init(&o);
	assert_int_equal(evc_settings_build(&s, q, &o, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(s.n_gateways, 4);
	assert_string_equal(s.gateways[0], "198.51.100.1");
	assert_string_equal(s.gateways[1], "198.51.100.7");
	assert_string_equal(s.gateways[2], "198.51.100.2");
	assert_string_equal(s.gateways[3], "vpn3.example.com");
	evc_settings_clear(&s);

	/* nothing new: the file is not rewritten, nothing said */
	struct stat before, after;
	char path[256];
	snprintf(path, sizeof(path), "%s/office.profile", f->dir);
	assert_int_equal(stat(path, &before), 0);
	n.n = 0;
	assert_int_equal(prof_learn_policy(q, &pol, NULL, take_note, &n, err, sizeof(err)), 0);
	assert_int_equal(n.n, 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);

	/* the gateway stops pushing backup servers: they are forgotten */
	pol.have = 0;
	assert_int_equal(prof_learn_policy(q, &pol, NULL, take_note, &n, err, sizeof(err)), 0);
	struct evc_profile *r = reload(f);
	assert_int_equal(prof_pushed_backup_count(r), 0);
	prof_free(r);
	prof_free(q);
	prof_free(p);
}

static void test_save_password_allowed(void **state)
{
	struct fix *f = *state;
	struct evc_policy pol = {.have = EVC_HAVE_SAVE_PASSWD, .save_passwd = true};
	struct notes n = {0};
	char err[600], pwfile[256];
	struct stat sb;

	snprintf(pwfile, sizeof(pwfile), "%s/office.password", f->sdir);
	struct evc_profile *p = office(f, NULL);
	assert_int_equal(prof_learn_policy(p, &pol, NULL, take_note, &n, err, sizeof(err)), 0);
	assert_int_equal(stat(pwfile, &sb), 0); /* kept */
	assert_int_equal(n.n, 0);
	struct evc_profile *q = reload(f);
	assert_int_equal(prof_save_password(q), 1);
	assert_int_equal(prof_secret_ref(q, PROF_SECRET_PASSWORD, NULL), PROF_REF_FILE);
	/* then the gateway stops allowing it */
	pol.save_passwd = false;
	assert_int_equal(prof_learn_policy(q, &pol, NULL, take_note, &n, err, sizeof(err)), 0);
	assert_int_equal(stat(pwfile, &sb), -1);
	prof_free(q);
	q = reload(f);
	assert_int_equal(prof_save_password(q), 0);
	assert_int_equal(prof_secret_ref(q, PROF_SECRET_PASSWORD, NULL), PROF_REF_PROMPT);
	prof_free(q);
	prof_free(p);
}

/* A password file evc did not write is the administrator's: left, and said so. */
static void test_foreign_password_file(void **state)
{
	struct fix *f = *state;
	struct evc_policy pol = {0};
	struct notes n = {0};
	char err[600], other[256], ref[300];
	struct stat sb;

	snprintf(other, sizeof(other), "%s/admin.password", f->dir);
	FILE *w = fopen(other, "w");
	assert_non_null(w);
	fputs("admin pw\n", w);
	fclose(w);
	assert_int_equal(chmod(other, 0600), 0);
	snprintf(ref, sizeof(ref), "file:%s", other);
	struct evc_profile *p = office(f, ref);
	assert_int_equal(prof_learn_policy(p, &pol, NULL, take_note, &n, err, sizeof(err)), 0);
	assert_int_equal(stat(other, &sb), 0);
	assert_true(noted(&n, "which evc did not write: it is left alone"));
	struct evc_profile *q = reload(f);
	assert_int_equal(prof_secret_ref(q, PROF_SECRET_PASSWORD, NULL), PROF_REF_FILE);
	prof_free(q);
	prof_free(p);
}

/* A profile that was not loaded from a file has nowhere to go back to. */
static void test_not_from_a_file(void **state)
{
	struct evc_policy pol = {0};
	char err[600];
	(void)state;
	struct evc_profile *p = prof_new("loose");
	assert_int_equal(prof_learn_policy(p, &pol, NULL, NULL, NULL, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "was not loaded from a profile directory"));
	prof_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_backups_text),
	    cmocka_unit_test_setup_teardown(test_save_password_refused, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_save_password_allowed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_foreign_password_file, setup, teardown),
	    cmocka_unit_test(test_not_from_a_file),
	};
	return cmocka_run_group_tests_name("profile learn", tests, NULL, NULL);
}
