/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's RADIUS questions through radius.c: see host_aaa.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/timer.h"
#include "server/core/daemon_aaa.h"
#include "server/core/host_aaa.h"
#include "server/core/radius.h"

struct host_aaa {
	struct evs_daemon *d;
	struct evs_radius *r;
};

static int ask(void *ctx, const struct evs_aaa_req *req)
{
	struct host_aaa *h = ctx;
	return evs_radius_ask(h->r, req);
}

int host_aaa_new(struct host_aaa **out, struct evs_daemon *d, char *err, size_t errlen)
{
	struct host_aaa *h = calloc(1, sizeof(*h));
	int rc;

	*out = NULL;
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = evs_radius_new(&h->r, err, errlen);
	if (rc) {
		free(h);
		return rc;
	}
	h->d = d;
	evs_daemon_set_aaa(d, ask, h);
	*out = h;
	return 0;
}

void host_aaa_free(struct host_aaa *h)
{
	if (!h)
		return;
	evs_daemon_set_aaa(h->d, NULL, NULL);
	evs_radius_free(h->r);
	free(h);
}

int host_aaa_fd(const struct host_aaa *h)
{
	return evs_radius_fd(h->r);
}

void host_aaa_dispatch(struct host_aaa *h)
{
	struct evs_aaa_result *res = malloc(sizeof(*res));

	if (!res)
		return; /* the descriptor stays readable: tried again on the next turn */
	while (evs_radius_next(h->r, res))
		evs_daemon_aaa_done(h->d, res, mono_ms());
	free(res);
}
