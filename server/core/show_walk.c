/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bounded writer of a show answer and the walk over the SAs (show_int.h), shared by show.c
 * and show_ipsec.c; here so that neither of those depends on the other for them.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/control.h"
#include "lib/ipv4.h"
#include "server/core/daemon.h"
#include "server/core/show_int.h"

void show_add(struct wb *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(w->n < w->cap ? w->out + w->n : NULL, w->n < w->cap ? w->cap - w->n : 0,
	                  fmt, ap);
	va_end(ap);
	if (k > 0)
		w->n += (size_t)k;
}

void show_jstr(struct wb *w, const char *s)
{
	show_add(w, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			show_add(w, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			show_add(w, "\\u%04x", *p);
		else
			show_add(w, "%c", *p);
	}
	show_add(w, "\"");
}

void show_jaddr(struct wb *w, uint32_t a)
{
	char s[20];
	ipv4_str(a, s, sizeof(s));
	show_jstr(w, s);
}

/*
 * A walk over the SAs answered a part at a time (ctl_srv_more): at 5,000 sessions the detail
 * is megabytes and takes tens of milliseconds to format, too long for one turn of the loop
 * that carries the datapath and IKE. Each part is the SAs from the cursor on that fit whole.
 */
struct sa_cursor {
	struct evs_daemon *d;
	evs_sa_fn one;
	const char *tail; /* what ends the answer: "]\n" of a JSON list, ... */
	bool json, detail;
	size_t slot, n;
};

static size_t cursor_part(void *state, char *out, size_t cap, bool *done)
{
	struct sa_cursor *c = state;
	struct wb w = {.out = out, .cap = cap};
	struct sa_walk k = {.w = &w, .d = c->d, .json = c->json, .detail = c->detail, .n = c->n};
	struct evs_sa_view v;
	size_t room = cap - strlen(c->tail) - 1, slot = c->slot;
	while (evs_daemon_next_sa(c->d, &slot, &v)) {
		size_t before = w.n, n_before = k.n;
		c->one(&k, &v);
		if (w.n > room && before) {
			w.n = before; /* this SA goes whole into the next part */
			k.n = n_before;
			c->n = k.n;
			return w.n;
		}
		c->slot = slot;
	}
	c->n = k.n;
	show_add(&w, "%s", c->tail);
	*done = true;
	return w.n;
}

void show_walk(struct wb *w, struct evs_daemon *d, evs_sa_fn one, bool json, bool detail,
               const char *tail)
{
	struct sa_cursor proto = {d, one, tail, json, detail, 0, 0};
	struct ctl_srv *srv = evs_daemon_control_srv(d);
	struct sa_cursor *c = srv ? malloc(sizeof(*c)) : NULL;
	if (c) {
		*c = proto;
		if (ctl_srv_more(srv, cursor_part, c, free) == 0)
			return;
		free(c); /* not answering a control client: all at once */
	}
	struct sa_walk k = {.w = w, .d = d, .json = json, .detail = detail};
	evs_daemon_each_sa(d, one, &k);
	show_add(w, "%s", tail);
}
