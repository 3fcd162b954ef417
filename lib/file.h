/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Replacing a file atomically: readers see the old file or the new one, never half of either. */
#ifndef EVC_LIB_FILE_H
#define EVC_LIB_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Writes data to a new file next to path (created 0600, then given mode and, when they are
 * not -1, uid and gid), syncs it and renames it over path. 0, or a negative errno with err
 * naming the file and what failed; -EBUSY means path is a mount point (a bind-mounted
 * resolv.conf, say) that cannot be renamed over, and nothing was changed.
 */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode, uid_t uid,
                      gid_t gid, char *err, size_t errlen);

#endif
