/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc daemon`: whose connection it is. Any member of the socket's group may watch the state,
 * but the gateway's questions (the XAUTH password, the banner) are the business of the one
 * control client that asked for the connection: a broadcast prompt would let another user
 * answer it, or phish the password with a look-alike window. See daemon_int.h and "Whose
 * connection" in docs/control-protocol.md.
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

bool evd_owner_here(const struct evd *d)
{
	return d->ctl && ctl_srv_session(d->ctl, d->owner, NULL);
}

void evd_ask(struct evd *d, struct ctlp_wr *w)
{
	size_t n = ctlp_wr_end(w);
	if (n && d->ctl)
		ctl_srv_send(d->ctl, d->owner, d->ev, n);
}

/* root and the daemon's own user may do anything with it anyway */
static bool privileged(long uid)
{
	return uid == 0 || uid == (long)geteuid();
}

int evd_may_answer(struct evd *d, char *err, size_t errlen)
{
	long uid = ctl_srv_peer_uid(d->ctl);
	if (d->owner && ctl_srv_peer_id(d->ctl) == d->owner)
		return 0;
	if (uid == d->owner_uid || privileged(uid))
		snprintf(err, errlen,
		         _("this connection belongs to another control client: only it answers "
		           "the gateway's questions (send {\"cmd\":\"attach\"} in a session to "
		           "take it over)"));
	else
		snprintf(err, errlen,
		         _("this connection belongs to uid %ld: only its control client answers "
		           "the gateway's questions"),
		         d->owner_uid);
	return -EPERM;
}

int evd_may_steer(struct evd *d, bool disconnect, char *err, size_t errlen)
{
	long uid = ctl_srv_peer_uid(d->ctl);
	if (d->a->profile || d->owner_uid < 0 || uid == d->owner_uid || privileged(uid))
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
	uint64_t id = ctl_srv_peer_id(d->ctl), old = d->owner;
	long uid = ctl_srv_peer_uid(d->ctl);
	struct ctlp_wr w;
	if (!ctl_srv_session(d->ctl, id, NULL)) {
		snprintf(err, errlen, "%s",
		         _("attach needs a session: send hello (or subscribe) first"));
		return -EINVAL;
	}
	if (!d->client) {
		snprintf(err, errlen, "%s", _("there is no connection to take over"));
		return -ENOENT;
	}
	if (uid != d->owner_uid && !privileged(uid)) {
		snprintf(err, errlen,
		         _("the connection belongs to uid %ld: only that user or root may take "
		           "it over"),
		         d->owner_uid);
		return -EPERM;
	}
	evd_own(d, id, d->owner_uid < 0 ? uid : d->owner_uid);
	if (old && old != id) {
		/* the window that had it learns why its questions stopped */
		ctlp_wr_begin(&w, d->ev, sizeof(d->ev));
		ctlp_wr_str(&w, "event", "detached");
		ctlp_wr_str(&w, "text",
		            _("another control client of the same user took this connection over"));
		size_t n = ctlp_wr_end(&w);
		if (n)
			ctl_srv_send(d->ctl, old, d->ev, n);
	}
	fprintf(stderr, _("evc: the control session of uid %ld took the connection over\n"), uid);
	return 0;
}

size_t evd_pending(struct evd *d, char *out, size_t cap)
{
	struct ctlp_wr w;
	size_t n = 0;
	if (!d->owner || ctl_srv_peer_id(d->ctl) != d->owner)
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

void evd_orphans(struct evd *d)
{
	if (!d->client || !(d->banner_waiting || d->prompt_waiting) || evd_owner_here(d)) {
		d->orphan_at = 0;
		return;
	}
	uint64_t now = mono_ms();
	if (!d->orphan_at) {
		d->orphan_at = now + EVD_ORPHAN_MS;
		return;
	}
	if (now < d->orphan_at)
		return;
	d->orphan_at = 0;
	/* nobody saw the banner: declined, as its owner could not accept it */
	if (d->banner_waiting) {
		d->banner_waiting = false;
		evd_log(d, IKE_LOG_WARN,
		        _("the control client that owns the connection left and nobody took it "
		          "over: the banner is declined"));
		evc_client_answer_banner(d->client, false);
	}
	if (d->prompt_waiting) {
		d->prompt_waiting = false;
		evd_log(d, IKE_LOG_WARN,
		        _("the control client that owns the connection left and nobody took it "
		          "over: the password prompt is given up"));
		evc_client_answer(d->client, NULL, NULL);
	}
}
