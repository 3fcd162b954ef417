/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ESP SA pairs an IKE SA negotiated: the engine keeps what a DELETE, a lifetime and a
 * rekey need (never the keys), reports every pair that goes down, and when the IKE SA ends,
 * all of its pairs go down with it, so no ESP SA outlives the connection it belongs to.
 *
 * Rekey timing: a pair is rekeyed at a soft mark before its time lifetime (85-90% of it for
 * the IKE initiator, 92-95% for the responder, so the client normally goes first and both
 * rarely start at once), or when the datapath reports its volume soft mark. The pair it
 * replaces keeps accepting packets for IKE_REKEY_OVERLAP_MS, then the side that rekeyed
 * deletes it; the other side waits for that DELETE, or its own hard limit.
 */
#include <string.h>

#include "ike/sa_int.h"

static uint64_t soft_mark(struct ike_sa *sa, uint32_t life_s)
{
	uint16_t r;
	sa_rand(sa, &r, sizeof(r));
	/* per mille of the lifetime: 850..900 (initiator) or 920..950 (responder) */
	unsigned base = sa->role == IKE_ROLE_INITIATOR ? 850 : 920;
	unsigned span = sa->role == IKE_ROLE_INITIATOR ? 50 : 30;
	uint64_t pm = base + r % (span + 1);
	return sa->now + (uint64_t)life_s * pm;
}

static bool same_ts(const struct evc_net *a, const struct evc_net *b)
{
	return a->addr == b->addr && a->mask == b->mask;
}

struct ike_child_rec *sa_child_find(struct ike_sa *sa, uint32_t spi_in)
{
	if (!spi_in)
		return NULL;
	for (size_t i = 0; i < sa->n_children; i++)
		if (sa->children[i].ch.spi_in == spi_in)
			return &sa->children[i];
	return NULL;
}

bool sa_child_add(struct ike_sa *sa, const struct ike_child *ch, uint32_t replaces)
{
	if (sa->n_children == IKE_MAX_CHILDREN)
		return false;
	/* the older pairs for the same selectors are replaced by this one; the one this side
	 * rekeyed is deleted after the overlap, the others when the peer deletes them */
	for (size_t i = 0; i < sa->n_children; i++) {
		struct ike_child_rec *o = &sa->children[i];
		if (o->replaced || !same_ts(&o->ch.local_ts, &ch->local_ts) ||
		    !same_ts(&o->ch.remote_ts, &ch->remote_ts))
			continue;
		o->replaced = true;
		o->rekeying = false;
		if (o->ch.spi_in == replaces) {
			o->delete_at = sa->now + IKE_REKEY_OVERLAP_MS;
			if (o->expires_at && o->expires_at < o->delete_at)
				o->delete_at = o->expires_at;
		}
	}
	struct ike_child_rec *r = &sa->children[sa->n_children++];
	memset(r, 0, sizeof(*r));
	r->ch = *ch;
	mem_wipe(r->ch.enc_in, sizeof(r->ch.enc_in));
	mem_wipe(r->ch.auth_in, sizeof(r->ch.auth_in));
	mem_wipe(r->ch.enc_out, sizeof(r->ch.enc_out));
	mem_wipe(r->ch.auth_out, sizeof(r->ch.auth_out));
	r->up_at = sa->now;
	r->expires_at = ch->life_s ? sa->now + (uint64_t)ch->life_s * 1000 : 0;
	r->rekey_at = ch->life_s ? soft_mark(sa, ch->life_s) : 0;
	return true;
}

void sa_child_retry_later(struct ike_sa *sa, struct ike_child_rec *r)
{
	r->rekeying = false;
	r->rekey_due = false;
	uint64_t t = sa->now + IKE_REKEY_RETRY_MS;
	/* no retry that could not finish before the hard limit */
	r->rekey_at = !r->expires_at || t + IKE_REKEY_RETRY_MS < r->expires_at ? t : 0;
	if (!r->expires_at && !r->rekey_at)
		r->rekey_at = t;
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

struct ike_child_rec *sa_child_rekey_due(struct ike_sa *sa)
{
	for (size_t i = 0; i < sa->n_children; i++) {
		struct ike_child_rec *r = &sa->children[i];
		if (r->replaced || r->rekeying)
			continue;
		if (r->rekey_due || (r->rekey_at && sa->now >= r->rekey_at))
			return r;
	}
	return NULL;
}

uint64_t sa_children_next(const struct ike_sa *sa)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < sa->n_children; i++) {
		const struct ike_child_rec *r = &sa->children[i];
		if (r->expires_at && r->expires_at < t)
			t = r->expires_at;
		if (r->delete_at && r->delete_at < t)
			t = r->delete_at;
		if (!r->replaced && !r->rekeying && r->rekey_at && r->rekey_at < t)
			t = r->rekey_at;
	}
	return t;
}

void sa_p1_life_start(struct ike_sa *sa)
{
	sa->p1_expires_at = 0;
	sa->p1_rekey_at = 0;
	if (!sa->p1.life_s)
		return;
	if (sa->p1.life_s < IKE_MIN_LIFE_S) {
		sa_log(sa, IKE_LOG_WARN, "IKE SA lifetime of %u s raised to %u s", sa->p1.life_s,
		       IKE_MIN_LIFE_S);
		sa->p1.life_s = IKE_MIN_LIFE_S;
	}
	sa->p1_expires_at = sa->now + (uint64_t)sa->p1.life_s * 1000;
	/* only the initiator can rekey phase 1: a responder cannot start an aggressive mode
	 * with XAUTH towards a client; it waits for the client's, or for the hard limit */
	if (sa->role == IKE_ROLE_INITIATOR)
		sa->p1_rekey_at = soft_mark(sa, sa->p1.life_s);
}

void sa_p1_rekey_tick(struct ike_sa *sa)
{
	if (!sa->p1_rekey_at || sa->now < sa->p1_rekey_at)
		return;
	sa->p1_rekey_at = 0;
	if (sa->state != IKE_S_ESTABLISHED || (sa->facts & F_REPLACED))
		return;
	sa_log(sa, IKE_LOG_INFO, "the IKE SA ends in %llu s (lifetime %u s): starting a new one",
	       (unsigned long long)((sa->p1_expires_at - sa->now) / 1000), sa->p1.life_s);
	sa_push(sa, IKE_ACT_P1_REKEY);
}
