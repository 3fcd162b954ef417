/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Secret stores (files here, libsecret in secrets_libsecret.c) and reading references. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profiles/prof_int.h"
#include "profiles/secrets.h"
#include "lib/i18n.h"

enum backend {
	BACKEND_LIBSECRET,
	BACKEND_FILES,
};

struct prof_secret_store {
	enum backend backend;
	char *dir; /* files; for libsecret, where to fall back (NULL: never) */
	bool fell_back;
	char note[600];
};

static struct prof_secret_store *store_new(enum backend b, const char *dir)
{
	struct prof_secret_store *ss = calloc(1, sizeof(*ss));
	if (!ss)
		return NULL;
	ss->backend = b;
	if (dir && !(ss->dir = strdup(dir))) {
		free(ss);
		return NULL;
	}
	return ss;
}

struct prof_secret_store *prof_secrets_libsecret_new(void)
{
	return store_new(BACKEND_LIBSECRET, NULL);
}

struct prof_secret_store *prof_secrets_user_new(const char *fallback_dir)
{
	return store_new(BACKEND_LIBSECRET, fallback_dir);
}

const char *prof_secrets_note(const struct prof_secret_store *ss)
{
	return ss->fell_back ? ss->note : NULL;
}

struct prof_secret_store *prof_secrets_files_new(const char *dir)
{
	return store_new(BACKEND_FILES, dir ? dir : PROF_SECRETS_DIR);
}

void prof_secrets_free(struct prof_secret_store *ss)
{
	if (!ss)
		return;
	free(ss->dir);
	free(ss);
}

const char *prof_secret_kind_name(enum prof_secret_kind kind)
{
	return kind == PROF_SECRET_GROUP_KEY ? "group-key" : "password";
}

static const char *kind_text(enum prof_secret_kind kind)
{
	return kind == PROF_SECRET_GROUP_KEY ? _("group key") : _("password");
}

/* Once a user store fell back to files, it is a file store for everything after. */
static bool use_files(const struct prof_secret_store *ss)
{
	return ss->backend == BACKEND_FILES || ss->fell_back;
}

static int file_path(const struct prof_secret_store *ss, const char *name,
                     enum prof_secret_kind kind, char *buf, size_t len)
{
	if (!prof_name_valid(name))
		return -EINVAL;
	int n = snprintf(buf, len, "%s/%s.%s", ss->dir, name, prof_secret_kind_name(kind));
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int prof_secrets_ref(const struct prof_secret_store *ss, const char *name,
                     enum prof_secret_kind kind, char *buf, size_t len)
{
	char path[4200];
	int rc;

	if (!use_files(ss)) {
		if (!prof_name_valid(name))
			return -EINVAL;
		return snprintf(buf, len, "secret:libsecret") >= (int)len ? -ENAMETOOLONG : 0;
	}
	rc = file_path(ss, name, kind, path, sizeof(path));
	if (rc)
		return rc;
	return snprintf(buf, len, "file:%s", path) >= (int)len ? -ENAMETOOLONG : 0;
}

static int check_value(const struct secret *v, enum prof_secret_kind kind, char *err, size_t errlen)
{
	if (!v->p || !v->len || v->len > PROF_SECRET_MAX) {
		snprintf(err, errlen, _("a %s must have 1 to %d bytes"), kind_text(kind),
		         PROF_SECRET_MAX);
		return -EINVAL;
	}
	if (memchr(v->p, '\0', v->len) || memchr(v->p, '\n', v->len) ||
	    memchr(v->p, '\r', v->len)) {
		snprintf(err, errlen, _("a %s cannot hold NUL or line-break characters"),
		         kind_text(kind));
		return -EINVAL;
	}
	return 0;
}

/* Creates dir (and missing parents) 0700; refuses one that others may write into. */
static int secrets_dir(const char *dir, char *err, size_t errlen)
{
	struct stat sb;
	int rc = prof_mkdirs(dir, err, errlen);

	if (rc)
		return rc;
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, _("%s is not a directory"), dir);
		return -ENOTDIR;
	}
	if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
		         _("refusing to keep secrets in %s: others may write into it "
		           "(mode %04o); chmod 700 it"),
		         dir, (unsigned)(sb.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int prof_secrets_put(struct prof_secret_store *ss, const char *name, enum prof_secret_kind kind,
                     const struct secret *value, char *err, size_t errlen)
{
	struct secret line = {NULL, 0};
	char path[4200];
	int rc;

	if (!prof_name_valid(name)) {
		snprintf(err, errlen, _("'%.80s' is not a profile name"), name);
		return -EINVAL;
	}
	rc = check_value(value, kind, err, errlen);
	if (rc)
		return rc;
	if (!use_files(ss)) {
		rc = prof_ls_store(name, prof_secret_kind_name(kind), value, err, errlen);
		if (rc != -ENOTCONN || !ss->dir)
			return rc;
		/* No Secret Service at all (a root shell, a headless machine): the user's own
		 * files, which the user's profiles refer to by path from now on. */
		ss->fell_back = true;
		snprintf(
		    ss->note, sizeof(ss->note),
		    _("no keyring (Secret Service) is reachable here, so the secrets of profile "
		      "'%s' are kept in owner-only files in %s"),
		    name, ss->dir);
	}

	rc = file_path(ss, name, kind, path, sizeof(path));
	if (rc) {
		snprintf(err, errlen, _("the secrets directory path is too long"));
		return rc;
	}
	rc = secrets_dir(ss->dir, err, errlen);
	if (rc)
		return rc;
	rc = secret_alloc(&line, value->len + 1);
	if (rc) {
		snprintf(err, errlen, _("out of memory"));
		return rc;
	}
	memcpy(line.p, value->p, value->len);
	line.p[value->len] = '\n';
	rc = prof_write_atomic(path, line.p, line.len, err, errlen);
	secret_clear(&line);
	return rc;
}

int prof_secrets_get(struct prof_secret_store *ss, const char *name, enum prof_secret_kind kind,
                     struct secret *out, char *err, size_t errlen)
{
	char path[4200];
	int rc;

	if (!prof_name_valid(name)) {
		snprintf(err, errlen, _("'%.80s' is not a profile name"), name);
		return -EINVAL;
	}
	if (!use_files(ss))
		return prof_ls_lookup(name, prof_secret_kind_name(kind), out, err, errlen);
	rc = file_path(ss, name, kind, path, sizeof(path));
	if (rc) {
		snprintf(err, errlen, _("the secrets directory path is too long"));
		return rc;
	}
	return prof_secret_read_file(path, out, err, errlen);
}

int prof_secrets_clear(struct prof_secret_store *ss, const char *name, enum prof_secret_kind kind,
                       char *err, size_t errlen)
{
	char path[4200];
	int rc;

	if (!prof_name_valid(name)) {
		snprintf(err, errlen, _("'%.80s' is not a profile name"), name);
		return -EINVAL;
	}
	if (!use_files(ss))
		return prof_ls_clear(name, prof_secret_kind_name(kind), err, errlen);
	rc = file_path(ss, name, kind, path, sizeof(path));
	if (rc) {
		snprintf(err, errlen, _("the secrets directory path is too long"));
		return rc;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		rc = -errno;
		snprintf(err, errlen, _("cannot remove %s: %s"), path, strerror(errno));
		return rc;
	}
	return 0;
}

int prof_secret_read_file(const char *path, struct secret *out, char *err, size_t errlen)
{
	uint8_t buf[PROF_SECRET_MAX + 2];
	size_t got = 0;
	struct stat sb;
	int rc = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		rc = -errno;
		if (errno == ELOOP)
			snprintf(err, errlen,
			         _("refusing to read the secret file %s: it is a "
			           "symbolic link; point the profile at the file itself"),
			         path);
		else if (errno == ENOENT)
			snprintf(err, errlen, _("the secret file %s does not exist"), path);
		else
			snprintf(err, errlen, _("cannot open the secret file %s: %s"), path,
			         strerror(errno));
		return rc;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, _("refusing to read %s: not a regular file"), path);
		rc = -EINVAL;
		goto out;
	}
	if (sb.st_uid != 0 && sb.st_uid != geteuid()) {
		snprintf(err, errlen,
		         _("refusing to read the secret file %s: it belongs to uid %u, "
		           "neither root nor you; chown it"),
		         path, (unsigned)sb.st_uid);
		rc = -EPERM;
		goto out;
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
		         _("refusing to read the secret file %s: group or others may "
		           "access it (mode %04o); chmod 600 it"),
		         path, (unsigned)(sb.st_mode & 07777));
		rc = -EPERM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + got, sizeof(buf) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			snprintf(err, errlen, _("cannot read %s: %s"), path, strerror(errno));
			goto out;
		}
		if (n == 0 || (got += (size_t)n) == sizeof(buf) || memchr(buf, '\n', got))
			break;
	}
	size_t len = 0;
	while (len < got && buf[len] != '\n' && buf[len] != '\r')
		len++;
	if (len > PROF_SECRET_MAX) {
		snprintf(err, errlen, _("the first line of %s is longer than %d bytes"), path,
		         PROF_SECRET_MAX);
		rc = -EINVAL;
		goto out;
	}
	if (!len || memchr(buf, '\0', len)) {
		snprintf(err, errlen, _("the first line of %s holds no usable secret"), path);
		rc = -EINVAL;
		goto out;
	}
	rc = secret_alloc(out, len + 1);
	if (rc) {
		snprintf(err, errlen, _("out of memory"));
		goto out;
	}
	memcpy(out->p, buf, len);
	out->len = len; /* the NUL after it is part of the allocation, zeroed by calloc */
out:
	mem_wipe(buf, sizeof(buf));
	close(fd);
	return rc;
}

int prof_secret_fetch(const struct evc_profile *p, enum prof_secret_kind kind, struct secret *out,
                      char *err, size_t errlen)
{
	const char *path;
	struct prof_secret_store *ss;
	int rc;

	switch (prof_secret_ref(p, kind, &path)) {
	case PROF_REF_PROMPT:
		snprintf(err, errlen, _("profile '%s' asks for the %s when connecting"),
		         prof_name(p), kind_text(kind));
		return -EAGAIN;
	case PROF_REF_FILE:
		return prof_secret_read_file(path, out, err, errlen);
	case PROF_REF_LIBSECRET:
		break;
	}
	ss = prof_secrets_libsecret_new();
	if (!ss) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	rc = prof_secrets_get(ss, prof_name(p), kind, out, err, errlen);
	if (rc == -ENOENT)
		snprintf(
		    err, errlen,
		    _("your keyring holds no %s for profile '%s': import the profile again, or "
		      "set %s = prompt"),
		    kind_text(kind), prof_name(p),
		    kind == PROF_SECRET_GROUP_KEY ? "group_key" : "password");
	prof_secrets_free(ss);
	return rc;
}

int prof_secrets_forget(const struct evc_profile *p, const char *files_dir, char *err,
                        size_t errlen)
{
	struct prof_secret_store *ls = prof_secrets_libsecret_new();
	struct prof_secret_store *fs = prof_secrets_files_new(files_dir);
	int rc = 0;

	if (!ls || !fs) {
		snprintf(err, errlen, _("out of memory"));
		rc = -ENOMEM;
		goto out;
	}
	for (int k = PROF_SECRET_GROUP_KEY; k <= PROF_SECRET_PASSWORD && !rc; k++) {
		const char *path;
		char mine[4200];
		switch (prof_secret_ref(p, (enum prof_secret_kind)k, &path)) {
		case PROF_REF_PROMPT:
			break;
		case PROF_REF_LIBSECRET:
			rc = prof_secrets_clear(ls, prof_name(p), (enum prof_secret_kind)k, err,
			                        errlen);
			break;
		case PROF_REF_FILE:
			if (file_path(fs, prof_name(p), (enum prof_secret_kind)k, mine,
			              sizeof(mine)) == 0 &&
			    strcmp(mine, path) == 0)
				rc = prof_secrets_clear(fs, prof_name(p), (enum prof_secret_kind)k,
				                        err, errlen);
			break;
		}
	}
out:
	prof_secrets_free(ls);
	prof_secrets_free(fs);
	return rc;
}

int prof_may_reveal(const struct evc_profile *p, char *err, size_t errlen)
{
	uid_t me = geteuid();
	if (me == 0 || !prof_source(p) || prof_owner(p) == me)
		return 0;
	snprintf(err, errlen,
	         _("only root or the owner of %s (uid %u) may see the secrets of profile '%s'"),
	         prof_source(p), (unsigned)prof_owner(p), prof_name(p));
	return -EPERM;
}

int prof_show(const struct evc_profile *p, bool reveal, FILE *out, char *err, size_t errlen)
{
	char *text = prof_to_text(p);
	int rc = 0;

	if (!text) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	fputs(text, out);
	free(text);
	if (!reveal)
		return 0;
	rc = prof_may_reveal(p, err, errlen);
	if (rc)
		return rc;
	for (int k = PROF_SECRET_GROUP_KEY; k <= PROF_SECRET_PASSWORD; k++) {
		struct secret s = {NULL, 0};
		if (prof_secret_ref(p, (enum prof_secret_kind)k, NULL) == PROF_REF_PROMPT)
			continue;
		rc = prof_secret_fetch(p, (enum prof_secret_kind)k, &s, err, errlen);
		if (rc)
			return rc;
		fprintf(out, "# %s (revealed) = ",
		        k == PROF_SECRET_GROUP_KEY ? "group_key" : "password");
		fwrite(s.p, 1, s.len, out);
		fputc('\n', out);
		secret_clear(&s);
	}
	return 0;
}
