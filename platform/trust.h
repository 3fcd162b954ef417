/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether evc may trust a file another user might control: a profile, a state file or its
 * backups, the resolver file it rewrites. The file and every directory above it must belong
 * to root and must not be writable by group or others; a sticky directory above (as /tmp) is
 * accepted, since nobody else can replace what root put in it. A symlink is judged by its
 * owner and then by what it points to. An evc that is not root holds capabilities too
 * (CAP_NET_ADMIN, from systemd or setpriv) and acts on these files with them: it is held to
 * the same rule, except that files and directories of its own effective uid count as root's.
 */
#ifndef EVC_PLATFORM_TRUST_H
#define EVC_PLATFORM_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * 0 when path may be trusted; -EPERM with err "refusing to use the WHAT PATH: DIR is owned by
 * uid 1000, not root" (when not root: "..., neither root nor evc's own uid 65534"), or "... is
 * writable by group or others (mode 0666); chmod go-w it"; -ENOENT when path does not exist
 * and missing_ok is false (its directory is still checked).
 */
int plat_path_trusted(const char *path, const char *what, bool missing_ok, char *err,
                      size_t errlen);

/* The same test for an open file's fstat, for files read through a descriptor. */
int plat_stat_trusted(const struct stat *st, const char *path, const char *what, char *err,
                      size_t errlen);

#endif
