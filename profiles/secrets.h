/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the secrets a profile refers to are kept (profile.h: group_key, password).
 *
 * Two stores:
 *  - libsecret: the user's keyring through the Secret Service (D-Bus). One item per secret,
 *    schema "org.evc.Profile", attributes profile=NAME and kind=group-key|password, in the
 *    default collection. A profile refers to it as `secret:libsecret`.
 *  - files: for the daemon, DIR/NAME.group-key and DIR/NAME.password (DIR /etc/evc/secrets by
 *    default), directory 0700, files 0600, the secret on the first line. A profile refers to
 *    one as `file:DIR/NAME.KIND`.
 * Reading any secret file (a file: reference may name any path) refuses a file that is not a
 * regular file, is a symbolic link, is not owned by root or the caller, or that group or
 * others may read or write; the message says what to chmod or chown.
 *
 * Values travel in struct secret (wiped on clear). Secrets handed out are NUL-terminated
 * for convenience (p[len] == 0; len excludes the NUL). A secret is 1..PROF_SECRET_MAX bytes
 * without NUL, CR or LF. Functions return 0 or a negative errno with err filled.
 */
#ifndef EVC_PROFILES_SECRETS_H
#define EVC_PROFILES_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "lib/secret.h"
#include "profiles/profile.h"

#define PROF_SECRETS_DIR "/etc/evc/secrets"
#define PROF_SECRET_SCHEMA "org.evc.Profile"
#define PROF_SECRET_MAX 1024

struct prof_secret_store;

/* The user's keyring; nothing is contacted until the first put/get/clear. */
struct prof_secret_store *prof_secrets_libsecret_new(void);
/*
 * A user's store: the keyring, and where no Secret Service can be reached at all (no D-Bus
 * session, a root shell, a headless machine) owner-only files in fallback_dir (directory
 * 0700, files 0600), as the files store keeps them. The first put that cannot reach the
 * keyring switches the store to files for good; prof_secrets_note() then holds the one line
 * that says so, for the caller to print. fallback_dir NULL: never fall back.
 */
struct prof_secret_store *prof_secrets_user_new(const char *fallback_dir);
/* NULL, or the sentence saying that secrets went to files instead of the keyring. */
const char *prof_secrets_note(const struct prof_secret_store *ss);
/* Root-only files in dir (NULL: PROF_SECRETS_DIR). */
struct prof_secret_store *prof_secrets_files_new(const char *dir);
void prof_secrets_free(struct prof_secret_store *ss);

/* "kind" attribute / file suffix: "group-key" or "password". */
const char *prof_secret_kind_name(enum prof_secret_kind kind);

/* The reference a profile must hold to reach what ss keeps for (name, kind). */
int prof_secrets_ref(const struct prof_secret_store *ss, const char *name,
                     enum prof_secret_kind kind, char *buf, size_t len);
/* Stores (replaces) the secret of profile name. */
int prof_secrets_put(struct prof_secret_store *ss, const char *name, enum prof_secret_kind kind,
                     const struct secret *value, char *err, size_t errlen);
/* -ENOENT when nothing is stored. */
int prof_secrets_get(struct prof_secret_store *ss, const char *name, enum prof_secret_kind kind,
                     struct secret *out, char *err, size_t errlen);
/* Nothing stored is not an error. */
int prof_secrets_clear(struct prof_secret_store *ss, const char *name, enum prof_secret_kind kind,
                       char *err, size_t errlen);

/* Reads a secret file (first line) with the checks described above. */
int prof_secret_read_file(const char *path, struct secret *out, char *err, size_t errlen);

/*
 * The secret p refers to, for `evc connect`: -EAGAIN when the reference is `prompt` (ask the
 * user), -ENOENT when the keyring or file holds nothing (err says how to store it).
 */
int prof_secret_fetch(const struct evc_profile *p, enum prof_secret_kind kind, struct secret *out,
                      char *err, size_t errlen);

/*
 * For `evc profile remove`: deletes the keyring items p refers to, and the files it refers
 * to inside files_dir (NULL: PROF_SECRETS_DIR) that are named for this profile. A file:
 * reference elsewhere is the administrator's and is left alone.
 */
int prof_secrets_forget(const struct evc_profile *p, const char *files_dir, char *err,
                        size_t errlen);

/* 0 when the caller may see p's secrets: root, or the owner of the profile's file. */
int prof_may_reveal(const struct evc_profile *p, char *err, size_t errlen);

/*
 * For `evc profile show`: the profile text; with reveal (after prof_may_reveal), a comment
 * line "# KEY (revealed) = VALUE" for each stored secret it refers to. Without reveal no
 * secret is read at all.
 */
int prof_show(const struct evc_profile *p, bool reveal, FILE *out, char *err, size_t errlen);

#endif
