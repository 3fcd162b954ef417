/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sequencer: the one place that decides which exchange comes next, from the facts an SA
 * has learned. Exchange handlers only take their message and record what they learned; none
 * of them starts another exchange. The order is the seed's seven steps: phase 1, XAUTH
 * (driven by the gateway), mode-config (pulled by the client or pushed by the gateway), then
 * quick mode (started by the client); then, while the tunnel is up, a rekey of each ESP SA
 * pair before its lifetime ends, by whichever side reaches its soft mark first.
 */
#include "ike/sa_int.h"

static void advance_initiator(struct ike_sa *sa)
{
	if (sa->state < IKE_S_P1_DONE)
		return;
	/* the gateway leads XAUTH: wait for its request and its status */
	if ((sa->facts & F_NEED_XAUTH) && !(sa->facts & F_XAUTH_DONE))
		return;
	/* a phase-1 rekey asks for nothing: ike_sa_take_over brings the policy and the pairs */
	if (sa->cfg.p1_rekey && sa->state != IKE_S_ESTABLISHED)
		return;
	if (!(sa->facts & F_MODECFG_DONE)) {
		if (!(sa->facts & F_MODECFG_ASKED))
			modecfg_client_start(sa);
		return;
	}
	if (sa->qm.active)
		return;
	/* network extension: one pair per network, each started when the one before is up */
	if ((sa->n_children == 0 && sa->state != IKE_S_ESTABLISHED) ||
	    (sa->cfg.n_lan && qm_next_lan(sa) < sa->cfg.n_lan && sa->n_children < IKE_MAX_CHILDREN))
		qm_start(sa, 0);
}

/* Either side rekeys a pair at its soft mark, by a quick mode under the same IKE SA. */
static void rekey(struct ike_sa *sa)
{
	if (sa->state != IKE_S_ESTABLISHED || sa->qm.active || sa->n_children >= IKE_MAX_CHILDREN)
		return;
	struct ike_child_rec *r = sa_child_rekey_due(sa);
	if (!r)
		return;
	r->rekeying = true;
	qm_start(sa, r->ch.spi_in);
}

static void advance_responder(struct ike_sa *sa)
{
	if (sa->state < IKE_S_P1_DONE)
		return;
	if (sa->facts & F_NEED_XAUTH) {
		if (!(sa->facts & F_XAUTH_STARTED)) {
			xauth_server_start(sa);
			return;
		}
		/* `initiate` pushes once the client acknowledged the XAUTH status */
		if (!(sa->facts & F_XAUTH_ACKED))
			return;
	}
	if (sa->cfg.srv_push && !(sa->facts & F_MODECFG_DONE))
		modecfg_server_push(sa);
}

void seq_advance(struct ike_sa *sa)
{
	if (sa->state == IKE_S_DEAD)
		return;
	if (sa->role == IKE_ROLE_INITIATOR)
		advance_initiator(sa);
	else
		advance_responder(sa);
	rekey(sa);
}
