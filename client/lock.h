/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One evc daemon per profile: an exclusive flock on a lock file next to its control socket,
 * held for the daemon's life (the kernel drops it when the process dies, however it dies), so
 * a second daemon for the same profile is refused before it touches the host or the network.
 */
#ifndef EVC_CLIENT_LOCK_H
#define EVC_CLIENT_LOCK_H

#include <stddef.h>

/*
 * Takes the lock at path (its directory is created 0700 if missing) and writes this process's
 * PID into it. The descriptor (close-on-exec) is the lock: keep it open. -EBUSY with err
 * naming the PID that holds it; another negative errno with err otherwise.
 */
int evc_lock_take(const char *path, const char *what, int *fd, char *err, size_t errlen);

#endif
