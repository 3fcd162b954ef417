/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the show commands share (show.c, show_ipsec.c): the bounded writer of an
 * answer and the walk over the SAs, which a control client gets a part at a time.
 */
#ifndef EVC_SERVER_SHOW_INT_H
#define EVC_SERVER_SHOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/core/daemon.h"

#define SHOW_MAX_CHILDREN 8

/* snprintf into a fixed buffer: n keeps counting past cap so the caller sees truncation. */
struct wb {
	char *out;
	size_t cap, n;
	bool oom; /* a part could not be made: the answer is an error instead */
};

void show_add(struct wb *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string: names come from the configuration and the clients, so escape them all. */
void show_jstr(struct wb *w, const char *s);
void show_jaddr(struct wb *w, uint32_t a);

/* What a per-SA formatter gets: where to write, and how many it wrote so far (commas). */
struct sa_walk {
	struct wb *w;
	struct evs_daemon *d;
	bool json, detail;
	size_t n;
};

/* The SAs through one (after what w has, the header), then tail: a part at a time when a
 * control client asks (ctl_srv_more), all at once otherwise. */
void show_walk(struct wb *w, struct evs_daemon *d, evs_sa_fn one, bool json, bool detail,
               const char *tail);

/* show_ipsec.c: `show crypto ipsec sa --json` and the IOS text of `show crypto ipsec sa`. */
void show_ipsec_json(struct wb *w, struct evs_daemon *d);
size_t show_ipsec_text(struct evs_daemon *d, char *out, size_t cap);

#endif
