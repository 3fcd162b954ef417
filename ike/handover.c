/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Phase-1 rekey: a new IKE SA takes over an established one. Cisco clients rekey phase 1 by
 * a fresh aggressive mode with XAUTH (re-authentication), not by rekeying the keys in place;
 * the ESP SA pairs must survive it, so they change owner instead of being negotiated again:
 * the new SA gets the old one's pair records (lifetimes, rekey marks), its policy (the pool
 * address the responder assigned goes with it) and DPD, and the old SA is left with nothing
 * to delete but itself. The datapath never sees a change, so no packet is lost.
 */
#include <errno.h>
#include <string.h>

#include "ike/sa_int.h"

bool ike_sa_handover_ready(const struct ike_sa *sa)
{
	if (sa->state == IKE_S_DEAD || sa->state < IKE_S_P1_DONE ||
	    sa->state == IKE_S_ESTABLISHED || (sa->facts & F_REPLACED))
		return false;
	if (sa->facts & (F_PROMPTING | F_VERIFYING))
		return false;
	if ((sa->facts & F_NEED_XAUTH) && !(sa->facts & F_XAUTH_DONE))
		return false;
	/* an initiator only hands over when it was started for that; a responder cannot know
	 * before XAUTH names the user, and evs decides then */
	return sa->role == IKE_ROLE_RESPONDER || sa->cfg.p1_rekey;
}

static int refuse(const char **why, const char *text)
{
	if (why)
		*why = text;
	return -EINVAL;
}

int ike_sa_take_over(struct ike_sa *sa, struct ike_sa *old, uint64_t now_ms, const char **why)
{
	sa->now = now_ms;
	old->now = now_ms;
	if (!ike_sa_handover_ready(sa))
		return refuse(why, "the new IKE SA has not completed phase 1 and XAUTH");
	if (old == sa || old->state != IKE_S_ESTABLISHED || (old->facts & F_REPLACED))
		return refuse(why, "the IKE SA to replace is not established");
	if (old->role != sa->role || old->peer.addr != sa->peer.addr ||
	    strcmp(old->group, sa->group) != 0 || strcmp(old->user, sa->user) != 0)
		return refuse(why, "the two IKE SAs are not of the same peer, group and user");
	if (old->n_children > IKE_MAX_CHILDREN - sa->n_children)
		return refuse(why, "the new IKE SA has no room for the IPsec SAs");

	/* a quick mode under the old SA would finish under keys about to be deleted */
	if (old->qm.active)
		qm_abandon(old, "its IKE SA is being replaced");
	for (size_t i = 0; i < old->n_children; i++) {
		struct ike_child_rec r = old->children[i];
		if (r.rekeying) {
			/* the new SA rekeys it at once, with its own keys */
			r.rekeying = false;
			r.rekey_due = true;
		}
		sa->children[sa->n_children++] = r;
	}
	size_t moved = old->n_children;
	memset(old->children, 0, sizeof(old->children));
	old->n_children = 0;

	sa->policy = old->policy;
	if (old->facts & F_POLICY_TAKEN) {
		/* the address goes with the session: released when the new SA ends */
		sa->facts |= F_POLICY_TAKEN;
		old->facts &= ~F_POLICY_TAKEN;
	}
	sa->facts |= F_MODECFG_DONE | F_MODECFG_ASKED;
	sa->setup_deadline = 0;
	sa->xauth_deadline = 0;
	sa_set_state(sa, IKE_S_ESTABLISHED);
	if (sa->cfg.dpd_idle_s && (sa->facts & F_PEER_DPD))
		sa->dpd_next = now_ms + (uint64_t)sa->cfg.dpd_idle_s * 1000;
	sa->last_rx = now_ms;

	old->facts |= F_REPLACED;
	old->p1_rekey_at = 0;
	old->dpd_next = 0;
	old->dpd_pending = 0;
	sa_log(sa, IKE_LOG_INFO, "phase 1 rekeyed: the new IKE SA took over %zu IPsec SA pair%s",
	       moved, moved == 1 ? "" : "s");
	sa_log(old, IKE_LOG_INFO, "replaced by a new IKE SA");
	seq_advance(sa);
	return 0;
}

/* a new IKE SA that failed is started again this much later, if it can still finish (the
 * margin) before the old one ends */
#define P1_REKEY_RETRY_MS 10000
#define P1_REKEY_MARGIN_MS 5000

bool ike_sa_p1_rekey_retry(struct ike_sa *sa, uint64_t now_ms)
{
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_INITIATOR || sa->state != IKE_S_ESTABLISHED ||
	    (sa->facts & F_REPLACED) || !sa->p1_expires_at)
		return false;
	uint64_t t = now_ms + P1_REKEY_RETRY_MS;
	if (t + P1_REKEY_MARGIN_MS >= sa->p1_expires_at)
		return false;
	sa->p1_rekey_at = t;
	return true;
}

bool ike_sa_initial_contact(const struct ike_sa *sa)
{
	return sa->role == IKE_ROLE_RESPONDER && (sa->facts & F_PEER_INITIAL_CONTACT);
}
