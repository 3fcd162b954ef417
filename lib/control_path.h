/* SPDX-License-Identifier: GPL-2.0-or-later */
/* For control.c: where its listening socket lives and who may reach it. */
#ifndef EVC_LIB_CONTROL_PATH_H
#define EVC_LIB_CONTROL_PATH_H

#include <stddef.h>
#include <sys/types.h>

/* The listening socket at path, with the checks control.h describes: its directory made 0700
 * when missing, another process answering there refused, and only a dead daemon's socket
 * replaced (a file or link someone put there is refused, not deleted). fd or -errno. */
int ctl_path_listen(const char *path, char *err, size_t errlen);

/*
 * The group must reach the socket: a directory of our own that it cannot search (ctl_srv_new
 * makes a missing one 0700) becomes the group's, searchable but not readable (0710), so its
 * members find the socket without listing what else is there. A directory of someone else's,
 * or one anyone may write (/tmp), is left as it is. 0 or -errno.
 */
int ctl_path_open_dir(const char *path, gid_t gid, const char *group, char *err, size_t errlen);

#endif
