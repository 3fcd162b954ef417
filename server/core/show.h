/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The show and clear commands of the control socket beyond `show crypto session
 * summary|group` and `show crypto ipsec sa` (which daemon.c answers itself): `show crypto
 * dynamic-map [tag NAME]` (Example 20-1), `show crypto isakmp sa`, `show crypto session
 * [detail]` in the formats of IOS, each of them and the three of daemon.c with a trailing
 * `--json` for scripts, and `clear crypto session [username USER]`.
 */
#ifndef EVC_SERVER_SHOW_H
#define EVC_SERVER_SHOW_H

#include <stddef.h>

struct evs_daemon;

/* Answers cmd into out (at most cap bytes, NUL included) and returns the length of the whole
 * answer, snprintf-style; an unknown command gets a "% Invalid input" answer naming the
 * commands evs knows. */
size_t evs_show_control(struct evs_daemon *d, const char *cmd, char *out, size_t cap);

struct ike_child_status;
/* The transform of an ESP SA pair in IOS words ("esp-256-aes esp-sha-hmac", "esp-gcm 256"). */
const char *show_transform(const struct ike_child_status *c, char *buf, size_t len);

#endif
