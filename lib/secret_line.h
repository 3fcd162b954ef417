/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A line typed on a terminal (a password), assembled in a secret buffer (lib/secret.h) from
 * the pieces that non-blocking reads return, so that an event loop can read it byte by byte
 * without a copy that is not wiped.
 */
#ifndef EVC_LIB_SECRET_LINE_H
#define EVC_LIB_SECRET_LINE_H

#include <stddef.h>

#include "lib/secret.h"

struct secret_line {
	struct secret buf; /* max + 1 bytes: the line and its NUL */
	size_t len, max;
	int state; /* what secret_line_feed last returned, once the line has ended */
};

/* An empty line of at most max bytes; 0 or -ENOMEM. */
int secret_line_init(struct secret_line *l, size_t max);
/*
 * Takes n more bytes read from the terminal: 1 when the line is complete (a newline or a
 * carriage return ends it; what follows is ignored), 0 when more is to come, -ECANCELED on
 * Ctrl-D (EOT) before anything was typed (a non-canonical terminal delivers it as a byte; a
 * canonical one makes read return 0, which the caller reports the same way), -EMSGSIZE
 * when the line is longer than max (the bytes read are wiped). Once it has returned non-zero
 * it returns the same for every later call.
 */
int secret_line_feed(struct secret_line *l, const void *p, size_t n);
/* The line, NUL-terminated, without its end. Valid until the next feed or clear. */
const char *secret_line_str(const struct secret_line *l);
/* Wipes and frees; {0} afterwards. Accepts a line never initialised (all zero). */
void secret_line_clear(struct secret_line *l);

#endif
