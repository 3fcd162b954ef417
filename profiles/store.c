/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A directory of NAME.profile files; see store.h. */
#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/prof_int.h"
#include "profiles/store.h"
#include "lib/i18n.h"

struct prof_store {
	char *dir;
	prof_file_check_fn check;
	void *check_ctx;
};

void prof_store_set_check(struct prof_store *st, prof_file_check_fn check, void *ctx)
{
	st->check = check;
	st->check_ctx = ctx;
}

int prof_store_default_dir(enum prof_scope scope, char *buf, size_t len, char *err, size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (scope == PROF_SCOPE_SYSTEM) {
		n = snprintf(buf, len, "%s", PROF_SYSTEM_DIR);
	} else if (xdg && xdg[0] == '/') {
		/* The XDG spec says relative values are invalid and must be ignored. */
		n = snprintf(buf, len, "%s/evc", xdg);
	} else {
		if (!home || home[0] != '/') {
			struct passwd *pw = getpwuid(getuid());
			home = pw ? pw->pw_dir : NULL;
		}
		if (!home || home[0] != '/') {
			snprintf(err, errlen,
			         _("no home directory is known: set HOME or "
			           "XDG_CONFIG_HOME"));
			return -ENOENT;
		}
		n = snprintf(buf, len, "%s/.config/evc", home);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, _("the profile directory path is too long"));
		return -ENAMETOOLONG;
	}
	return 0;
}

struct prof_store *prof_store_new(const char *dir)
{
	struct prof_store *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->dir = strdup(dir);
	if (!st->dir) {
		free(st);
		return NULL;
	}
	return st;
}

void prof_store_free(struct prof_store *st)
{
	if (!st)
		return;
	free(st->dir);
	free(st);
}

const char *prof_store_dir(const struct prof_store *st)
{
	return st->dir;
}

int prof_store_path(const struct prof_store *st, const char *name, char *buf, size_t len)
{
	if (!prof_name_valid(name))
		return -EINVAL;
	int n = snprintf(buf, len, "%s/%s%s", st->dir, name, PROF_SUFFIX);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool prof_store_exists(const struct prof_store *st, const char *name)
{
	char path[4200];
	struct stat sb;
	return prof_store_path(st, name, path, sizeof(path)) == 0 && lstat(path, &sb) == 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void prof_names_free(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

int prof_store_list(const struct prof_store *st, char ***names, size_t *n, char *err, size_t errlen)
{
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *e;
	int rc = 0;
	DIR *d = opendir(st->dir);

	*names = NULL;
	*n = 0;
	if (!d) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errlen, _("cannot read the profile directory %s: %s"), st->dir,
		         strerror(errno));
		return rc;
	}
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name), sl = strlen(PROF_SUFFIX);
		if (len <= sl || strcmp(e->d_name + len - sl, PROF_SUFFIX) != 0)
			continue;
		char stem[PROF_NAME_MAX + 1];
		if (len - sl > PROF_NAME_MAX)
			continue;
		memcpy(stem, e->d_name, len - sl);
		stem[len - sl] = '\0';
		if (!prof_name_valid(stem))
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(v, nc * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
			cap = nc;
		}
		if (!(v[cnt] = strdup(stem)))
			goto nomem;
		cnt++;
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_names);
	*names = v;
	*n = cnt;
	return 0;
nomem:
	closedir(d);
	prof_names_free(v, cnt);
	snprintf(err, errlen, _("out of memory listing %s"), st->dir);
	return -ENOMEM;
}

int prof_store_load(const struct prof_store *st, const char *name, prof_report_fn report, void *ctx,
                    struct evc_profile **out, char *err, size_t errlen)
{
	char path[4200];
	struct stat sb;
	int rc;

	*out = NULL;
	if (!prof_name_valid(name)) {
		snprintf(err, errlen,
		         _("'%.80s' is not a profile name (letters, digits, '.', '_', '-')"), name);
		return -EINVAL;
	}
	rc = prof_store_path(st, name, path, sizeof(path));
	if (rc) {
		snprintf(err, errlen, _("the path of profile '%s' is too long"), name);
		return rc;
	}
	if (stat(path, &sb) != 0 && errno == ENOENT) {
		snprintf(err, errlen,
		         _("there is no profile '%s' in %s; `evc profile list` shows "
		           "the profiles"),
		         name, st->dir);
		return -ENOENT;
	}
	if (st->check) {
		rc = st->check(st->check_ctx, path, err, errlen);
		if (rc)
			return rc < 0 ? rc : -EPERM;
	}
	rc = prof_load(path, name, report, ctx, out);
	if (rc)
		snprintf(err, errlen, _("profile '%s' (%s) cannot be used: see the messages above"),
		         name, path);
	return rc;
}

int prof_store_find_group(const struct prof_store *st, const char *group, prof_report_fn report,
                          void *ctx, struct evc_profile **out, char *err, size_t errlen)
{
	char **names = NULL, lerr[600], list[1024] = "";
	size_t n = 0, matches = 0, broken = 0, off = 0;
	struct evc_profile *found = NULL;
	int rc;

	*out = NULL;
	rc = prof_store_list(st, &names, &n, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct evc_profile *p = NULL;
		int lrc = prof_store_load(st, names[i], report, ctx, &p, lerr, sizeof(lerr));
		if (lrc == -EPERM && report) {
			/* refused before reading: say why, as for a file with errors */
			struct prof_msg m = {.sev = PROF_ERROR, .file = names[i], .text = lerr};
			report(ctx, &m);
		}
		if (lrc != 0) {
			broken++;
			continue;
		}
		if (!prof_group(p) || strcmp(prof_group(p), group) != 0) {
			prof_free(p);
			continue;
		}
		matches++;
		if (off < sizeof(list))
			off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
			                        matches > 1 ? ", " : "", names[i]);
		if (!found)
			found = p;
		else
			prof_free(p);
	}
	prof_names_free(names, n);
	if (matches == 1) {
		*out = found;
		return 0;
	}
	prof_free(found);
	if (matches > 1) {
		snprintf(err, errlen,
		         _("profiles %s all use group '%s'; choose one with --profile NAME"), list,
		         group);
		return -EEXIST;
	}
	if (broken)
		snprintf(err, errlen,
		         _("no readable profile in %s has group '%s' (%zu could not be read: see "
		           "above)"),
		         st->dir, group, broken);
	else
		snprintf(err, errlen, _("no profile in %s has group '%s'"), st->dir, group);
	return -ENOENT;
}

struct first_error {
	prof_report_fn report;
	void *ctx;
	char text[600];
};

static void keep_first_error(void *ctx, const struct prof_msg *m)
{
	struct first_error *f = ctx;
	if (m->sev == PROF_ERROR && !f->text[0])
		snprintf(f->text, sizeof(f->text), "%s", m->text);
	if (f->report)
		f->report(f->ctx, m);
}

int prof_store_save(const struct prof_store *st, const struct evc_profile *p, bool replace,
                    prof_report_fn report, void *ctx, char *err, size_t errlen)
{
	struct first_error fe = {report, ctx, ""};
	char path[4200];
	char *text = NULL;
	int rc;

	rc = prof_store_path(st, prof_name(p), path, sizeof(path));
	if (rc) {
		snprintf(err, errlen, _("the path of profile '%s' is too long"), prof_name(p));
		return rc;
	}
	if (prof_validate(p, keep_first_error, &fe) != 0) {
		snprintf(err, errlen, "%s", fe.text);
		return -EINVAL;
	}
	if (!replace && prof_store_exists(st, prof_name(p))) {
		snprintf(err, errlen,
		         _("profile '%s' already exists in %s; replace it (--replace) or choose "
		           "another name"),
		         prof_name(p), st->dir);
		return -EEXIST;
	}
	rc = prof_mkdirs(st->dir, err, errlen);
	if (rc)
		return rc;
	text = prof_to_text(p);
	if (!text) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	rc = prof_write_atomic(path, text, strlen(text), err, errlen);
	free(text);
	return rc;
}

int prof_store_remove(const struct prof_store *st, const char *name, char *err, size_t errlen)
{
	char path[4200];
	int rc = prof_store_path(st, name, path, sizeof(path));
	if (rc) {
		snprintf(err, errlen, _("'%.80s' is not a profile name"), name);
		return rc;
	}
	if (unlink(path) != 0) {
		rc = -errno;
		if (errno == ENOENT)
			snprintf(err, errlen, _("there is no profile '%s' in %s"), name, st->dir);
		else
			snprintf(err, errlen, _("cannot remove %s: %s"), path, strerror(errno));
		return rc;
	}
	return 0;
}
