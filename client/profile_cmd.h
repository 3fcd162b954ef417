/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The profile commands of the evc CLI. */
#ifndef EVC_CLIENT_PROFILE_CMD_H
#define EVC_CLIENT_PROFILE_CMD_H

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

#endif
