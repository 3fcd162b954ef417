/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a connection teaches about the profile it used, written back to the profile's file:
 *  - pushed_backup_gateways: the backup servers the gateway pushed (Unity BACKUP_SERVERS),
 *    replaced at every connection (removed when it pushes none); evc connect tries them after
 *    the profile's own backup_gateways (client/core/settings.c);
 *  - save_password: whether the gateway's group allows saving the XAUTH password (IOS
 *    save-password), for evc-gui to offer "save password" only when it did last time;
 *  - without save-password, a password the profile keeps in the keyring or in a file of its
 *    own store (SECRETS_DIR/NAME.password) is deleted and the profile asks for it again
 *    (password = prompt). A file: reference elsewhere is the administrator's: left alone.
 * The profile is rewritten (atomically, prof_store_save) only when something changed.
 */
#ifndef EVC_PROFILES_LEARN_H
#define EVC_PROFILES_LEARN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/policy.h"
#include "profiles/profile.h"

/* One sentence for the user about a change (the backup servers, a deleted password). */
typedef void (*prof_learn_note_fn)(void *ctx, const char *text);

/*
 * Splits the gateway's backup-server text (hosts separated by commas, blanks or line breaks)
 * into canonical "a, b" form into out, dropping the gateway itself, repeats and what is not a
 * host name or IPv4 address (each dropped item is noted), at most PROF_MAX_BACKUPS. Returns
 * the number kept.
 */
size_t prof_learn_backups(const char *pushed, const char *gateway, char *out, size_t outlen,
                          prof_learn_note_fn note, void *ctx);

/*
 * Learns from pol about p, which was loaded from a file (prof_source); secrets_dir is where
 * the profile's store keeps secret files (NULL: DIR/secrets, or PROF_SECRETS_DIR for
 * /etc/evc). 0, or a negative errno with err (the profile is then unchanged on disk).
 */
int prof_learn_policy(const struct evc_profile *p, const struct evc_policy *pol,
                      const char *secrets_dir, prof_learn_note_fn note, void *ctx, char *err,
                      size_t errlen);

#endif
