/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Randomness for an SA (cookies, nonces, SPIs, message IDs, rekey jitter): the configured
 * source, so that tests can make a handshake deterministic. */
#include <stdlib.h>

#include "ike/sa_int.h"

void sa_rand(struct ike_sa *sa, void *buf, size_t n)
{
	if (sa->cfg.rand) {
		sa->cfg.rand(sa->cfg.rctx, buf, n);
		return;
	}
	if (crypto_random(buf, n) != 0)
		abort(); /* no randomness: nothing secure can be done, and it is not peer input */
}

uint32_t sa_new_msgid(struct ike_sa *sa)
{
	uint32_t id = 0;
	while (id == 0 || id == sa->xauth_msgid || id == sa->cfg_msgid || id == sa->qm.msgid)
		sa_rand(sa, &id, sizeof(id));
	return id;
}
