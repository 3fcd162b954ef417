/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc daemon`: whose connection it is. Any member of the socket's group may watch the state,
 * but the gateway's questions (the XAUTH password, the banner) are the business of the user
 * who asked for the connection: a broadcast prompt would let another user answer it, or phish
 * the password with a look-alike window. The owner is a user (a window and a script of the
 * same user are one person, and both may show and answer), plus the one session root (or
 * the daemon's user) attached. See daemon_int.h and "Whose connection" in
 * docs/control-protocol.md.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client/daemon_int.h"
#include "lib/i18n.h"
#include "lib/timer.h"

void evd_own(struct evd *d, uint64_t id, long uid)
{
	d->owner = id;
	d->owner_uid = uid;
	d->orphan_at = 0;
}

static bool owns(const struct evd *d, uint64_t id, long uid)
{
	return (d->owner_uid >= 0 && uid == d->owner_uid) || (d->owner && id == d->owner);
}

/* Calls each open session that owns the connection; how many there are. */
static size_t each_owner(struct evd *d, const char *line, size_t len)
{
	uint64_t ids[CTL_MAX_CONNS];
	long uids[CTL_MAX_CONNS];
	size_t n = d->ctl ? ctl_srv_sessions(d->ctl, ids, uids, CTL_MAX_CONNS) : 0, found = 0;
	for (size_t i = 0; i < n && i < CTL_MAX_CONNS; i++) {
		if (!owns(d, ids[i], uids[i]))
			continue;
		found++;
		if (line)
			ctl_srv_send(d->ctl, ids[i], line, len);
	}
	return found;
}

bool evd_owner_here(struct evd *d)
{
	return each_owner(d, NULL, 0) > 0;
}

void evd_ask(struct evd *d, struct ctlp_wr *w)
{
	size_t n = ctlp_wr_end(w);
	if (n)
		each_owner(d, d->ev, n);
}

/* root and the daemon's own user may do anything with it anyway */
static bool privileged(long uid)
{
	return uid == 0 || uid == (long)geteuid();
}

int evd_may_answer(struct evd *d, char *err, size_t errlen)
{
	long uid = ctl_srv_peer_uid(d->ctl);
	if (owns(d, ctl_srv_peer_id(d->ctl), uid))
		return 0;
	if (privileged(uid))
		snprintf(err, errlen,
		         _("this connection belongs to uid %ld: only that user answers the "
		           "gateway's questions (send {\"cmd\":\"attach\"} in a session to take it "
		           "over)"),
		         d->owner_uid);
	else
		snprintf(err, errlen,
		         _("this connection belongs to uid %ld: only that user answers the "
		           "gateway's questions"),
		         d->owner_uid);
	return -EPERM;
}

int evd_may_steer(struct evd *d, bool disconnect, char *err, size_t errlen)
{
	long uid = ctl_srv_peer_uid(d->ctl);
	if (d->a->profile || d->owner_uid < 0 || owns(d, ctl_srv_peer_id(d->ctl), uid) ||
	    privileged(uid))
		return 0;
	snprintf(err, errlen,
	         disconnect ? _("the connection belongs to uid %ld: only that user or root may "
	                        "disconnect it")
	                    : _("the connection belongs to uid %ld: only that user or root may "
	                        "connect it again"),
	         d->owner_uid);
	return -EPERM;
}

int evd_attach(struct evd *d, char *err, size_t errlen)
{
	uint64_t id = ctl_srv_peer_id(d->ctl);
	long uid = ctl_srv_peer_uid(d->ctl);
	if (!ctl_srv_session(d->ctl, id, NULL)) {
		snprintf(err, errlen, "%s",
		         _("attach needs a session: send hello (or subscribe) first"));
		return -EINVAL;
	}
	if (!d->client) {
		snprintf(err, errlen, "%s", _("there is no connection to take over"));
		return -ENOENT;
	}
	if (!owns(d, id, uid) && !privileged(uid)) {
		snprintf(err, errlen,
		         _("the connection belongs to uid %ld: only that user or root may take "
		           "it over"),
		         d->owner_uid);
		return -EPERM;
	}
	/* the owner's user stays the owner; root's session is added (one at a time) */
	evd_own(d, id, d->owner_uid < 0 ? uid : d->owner_uid);
	fprintf(stderr, _("evc: the control session of uid %ld took the connection over\n"), uid);
	return 0;
}

void evd_prompt_event(struct evd *d, struct ctlp_wr *w)
{
	ctlp_wr_begin(w, d->ev, sizeof(d->ev));
	ctlp_wr_str(w, "event", "prompt");
	ctlp_wr_str(w, "kind", "password");
	ctlp_wr_str(w, "user", d->prompt_user);
	ctlp_wr_bool(w, "retry", d->prompt_retry);
}

size_t evd_pending(struct evd *d, char *out, size_t cap)
{
	struct ctlp_wr w;
	size_t n = 0;
	if (!owns(d, ctl_srv_peer_id(d->ctl), ctl_srv_peer_uid(d->ctl)))
		return 0;
	if (d->banner_waiting) {
		ctlp_wr_begin(&w, out, cap);
		ctlp_wr_str(&w, "event", "banner");
		ctlp_wr_str(&w, "text", d->banner);
		n += ctlp_wr_end(&w);
	}
	if (d->prompt_waiting && cap > n) {
		evd_prompt_event(d, &w);
		size_t k = ctlp_wr_end(&w);
		if (k && k <= cap - n) {
			memcpy(out + n, d->ev, k);
			n += k;
		}
	}
	return n;
}
