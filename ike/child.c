/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESP SA pairs an IKE SA negotiated: the engine keeps what a DELETE and a lifetime need
 * (never the keys), reports every pair that goes down, and ends each one at its negotiated
 * lifetime. When the IKE SA ends, all of its pairs go down with it, so no ESP SA outlives the
 * connection it belongs to.
 */
#include <string.h>

#include "ike/sa_int.h"

bool sa_child_add(struct ike_sa *sa, const struct ike_child *ch)
{
	if (sa->n_children == IKE_MAX_CHILDREN)
		return false;
	struct ike_child_rec *r = &sa->children[sa->n_children++];
	memset(r, 0, sizeof(*r));
	r->ch = *ch;
	ike_wipe(r->ch.enc_in, sizeof(r->ch.enc_in));
	ike_wipe(r->ch.auth_in, sizeof(r->ch.auth_in));
	ike_wipe(r->ch.enc_out, sizeof(r->ch.enc_out));
	ike_wipe(r->ch.auth_out, sizeof(r->ch.auth_out));
	r->up_at = sa->now;
	r->expires_at = ch->life_s ? sa->now + (uint64_t)ch->life_s * 1000 : 0;
	return true;
}

static void report_down(struct ike_sa *sa, const struct ike_child *ch)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_CHILD_DOWN);
	if (n && sa_own(n, ch, sizeof(*ch), false))
		n->act.u.child = (const struct ike_child *)(const void *)n->buf;
}

void sa_child_drop(struct ike_sa *sa, size_t i)
{
	if (i >= sa->n_children)
		return;
	report_down(sa, &sa->children[i].ch);
	sa->children[i] = sa->children[--sa->n_children];
	memset(&sa->children[sa->n_children], 0, sizeof(sa->children[0]));
}

void sa_children_end(struct ike_sa *sa)
{
	while (sa->n_children)
		sa_child_drop(sa, sa->n_children - 1);
}

uint64_t sa_children_next(const struct ike_sa *sa)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < sa->n_children; i++)
		if (sa->children[i].expires_at && sa->children[i].expires_at < t)
			t = sa->children[i].expires_at;
	return t;
}
