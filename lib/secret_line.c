/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A password line assembled in wiped memory; see secret_line.h. */
#include "lib/secret_line.h"

#include <errno.h>
#include <string.h>

#define EOT 0x04

int secret_line_init(struct secret_line *l, size_t max)
{
	memset(l, 0, sizeof(*l));
	if (max >= SIZE_MAX)
		return -EINVAL;
	l->max = max;
	return secret_alloc(&l->buf, max + 1);
}

int secret_line_feed(struct secret_line *l, const void *p, size_t n)
{
	const unsigned char *in = p;
	if (l->state || !l->buf.p)
		return l->buf.p ? l->state : -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '\n' || in[i] == '\r') {
			l->buf.p[l->len] = '\0';
			return l->state = 1;
		}
		if (in[i] == EOT) {
			/* as a canonical terminal does: Ctrl-D ends input only on an empty line */
			if (l->len == 0)
				return l->state = -ECANCELED;
			continue;
		}
		if (l->len == l->max) {
			secret_wipe(&l->buf);
			l->len = 0;
			return l->state = -EMSGSIZE;
		}
		l->buf.p[l->len++] = in[i];
	}
	return 0;
}

const char *secret_line_str(const struct secret_line *l)
{
	return l->state == 1 ? (const char *)l->buf.p : "";
}

void secret_line_clear(struct secret_line *l)
{
	secret_clear(&l->buf);
	memset(l, 0, sizeof(*l));
}
