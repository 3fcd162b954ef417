/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every datagram an SA sends leaves through sa_emit_send, as an IKE_ACT_SEND action: whole,
 * or, when the peer announced Cisco IKE fragmentation and the datagram is longer than the
 * configured size, in fragments (frag.h).
 */
#include <stdlib.h>

#include "ike/sa_int.h"

static void emit_one(struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_endpoint to,
                     uint16_t from_port)
{
	struct ike_act_node *n = sa_push(sa, IKE_ACT_SEND);
	if (!n || !sa_own(n, msg, len, false))
		return;
	n->act.u.send.data = n->buf;
	n->act.u.send.len = len;
	n->act.u.send.to = to;
	n->act.u.send.from_port = from_port;
}

/* Cisco IKE fragmentation (frag.h): false when the message cannot be cut in few enough
 * pieces, and then it goes whole. */
static bool emit_fragments(struct ike_sa *sa, const uint8_t *msg, size_t len,
                           struct ike_endpoint to, uint16_t from_port, size_t size)
{
	size_t lens[IKE_FRAG_MAX], cap = IKE_FRAG_MAX * size;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return false;
	int n = ike_frag_split(msg, len, size, ++sa->frag_id, buf, cap, lens);
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		emit_one(sa, buf + off, lens[i], to, from_port);
		off += lens[i];
	}
	free(buf);
	return n > 0;
}

void sa_emit_send(struct ike_sa *sa, const uint8_t *msg, size_t len, struct ike_endpoint to,
                  uint16_t from_port)
{
	size_t size = sa->cfg.frag_size ? sa->cfg.frag_size : IKE_FRAG_DEFAULT_SIZE;
	if ((sa->facts & F_PEER_FRAG) && len > size &&
	    emit_fragments(sa, msg, len, to, from_port, size))
		return;
	emit_one(sa, msg, len, to, from_port);
}
