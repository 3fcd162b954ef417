/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The profile commands of the evc CLI. */
#ifndef EVC_CLIENT_PROFILE_CMD_H
#define EVC_CLIENT_PROFILE_CMD_H

#include <stdbool.h>
#include <stddef.h>

#include "profiles/profile.h"

/* `evc profile ...`; argv[0] is "profile". Returns the exit status. */
int evc_profile_main(int argc, char **argv);

/*
 * The profile for `evc connect`: by name, or the one whose group is group; in dir, or else in
 * the user's profiles and then the system's. 0, -ENOENT, -EEXIST (several share the group)
 * or -EINVAL (a broken file, reported on stderr); err says what to do.
 */
int evc_profile_find(const char *name, const char *group, const char *dir, struct evc_profile **out,
                     char *err, size_t errlen);

/*
 * After a connection through profile p: what the gateway's policy says about it (backup
 * servers, save-password) is written back to the profile (profiles/learn.h), each change said
 * in one line on standard output unless quiet; a failure is a warning, never the end of the
 * tunnel.
 */
struct evc_policy;
void evc_profile_learn(const struct evc_profile *p, const struct evc_policy *pol, bool quiet);

#endif
