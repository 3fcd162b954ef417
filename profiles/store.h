/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where profiles live: one directory holding NAME.profile files.
 *
 *   user scope    $XDG_CONFIG_HOME/evc, or ~/.config/evc when XDG_CONFIG_HOME is unset
 *   system scope  /etc/evc (the daemon's; secrets in /etc/evc/secrets, see secrets.h)
 *
 * Files are written atomically (temporary file, fsync, rename) with mode 0600; a directory
 * that is missing is created with mode 0700. Names are restricted by prof_name_valid(), so a
 * name can never climb out of the directory.
 *
 * How the CLI maps onto it:
 *   evc profile list               prof_store_list, then prof_store_load for each to show
 *                                  group and gateway
 *   evc profile show NAME          prof_store_load + prof_show (secrets.h)
 *   evc profile remove NAME        prof_store_load, prof_secrets_forget (secrets.h) for the
 *                                  secrets it references, prof_store_remove
 *   evc profile export NAME        prof_store_load + prof_export_text (profile.h)
 *   evc connect --profile NAME     prof_store_load
 *   evc connect --group G          prof_store_find_group (user scope first, then system)
 * Every function returns 0 or a negative errno and then fills err with one sentence that says
 * what to do; messages about the content of a file go to report (profile.h) as well.
 */
#ifndef EVC_PROFILES_STORE_H
#define EVC_PROFILES_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "profiles/profile.h"

#define PROF_SYSTEM_DIR "/etc/evc"
#define PROF_SUFFIX ".profile"

enum prof_scope {
	PROF_SCOPE_USER,
	PROF_SCOPE_SYSTEM,
};

struct prof_store;

/* The directory of a scope into buf (see above). -ENOENT when no home directory is known. */
int prof_store_default_dir(enum prof_scope scope, char *buf, size_t len, char *err, size_t errlen);

/* A store over dir; touches nothing on disk. NULL on ENOMEM. */
struct prof_store *prof_store_new(const char *dir);
void prof_store_free(struct prof_store *st);
const char *prof_store_dir(const struct prof_store *st);
/* DIR/NAME.profile into buf; -EINVAL for an invalid name, -ENAMETOOLONG. */
int prof_store_path(const struct prof_store *st, const char *name, char *buf, size_t len);
bool prof_store_exists(const struct prof_store *st, const char *name);

/*
 * Asks check(ctx, path, err, errlen) before any profile file of the store is read; a non-zero
 * answer refuses the file with that error. evc connect, as root, uses it to refuse profiles
 * another user could have written (platform/trust.h); profiles/ itself judges no owners.
 */
typedef int (*prof_file_check_fn)(void *ctx, const char *path, char *err, size_t errlen);
void prof_store_set_check(struct prof_store *st, prof_file_check_fn check, void *ctx);

/*
 * The profile names in the directory, sorted (bytewise). A directory that does not exist holds
 * no profiles (0 names, return 0). Files whose names are not NAME.profile are skipped.
 * Free with prof_names_free.
 */
int prof_store_list(const struct prof_store *st, char ***names, size_t *n, char *err,
                    size_t errlen);
void prof_names_free(char **names, size_t n);

/* Loads NAME. -ENOENT (err: no such profile, and where it looked) or -EINVAL (reported). */
int prof_store_load(const struct prof_store *st, const char *name, prof_report_fn report, void *ctx,
                    struct evc_profile **out, char *err, size_t errlen);

/*
 * The one profile whose group is group (exact match). -ENOENT when none has it, -EEXIST when
 * several do (err names them all and says to pick one with --profile NAME). Profiles that
 * cannot be read are reported and skipped.
 */
int prof_store_find_group(const struct prof_store *st, const char *group, prof_report_fn report,
                          void *ctx, struct evc_profile **out, char *err, size_t errlen);

/*
 * Validates and writes p as DIR/NAME.profile. -EEXIST when it exists and replace is false,
 * -EINVAL when validation fails (err holds the first error; all go to report).
 */
int prof_store_save(const struct prof_store *st, const struct evc_profile *p, bool replace,
                    prof_report_fn report, void *ctx, char *err, size_t errlen);

/* Deletes DIR/NAME.profile. -ENOENT when there is none. Secrets are not touched. */
int prof_store_remove(const struct prof_store *st, const char *name, char *err, size_t errlen);

#endif
