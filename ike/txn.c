/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending in the transaction exchange (draft-dukes-ike-mode-cfg-02), which XAUTH and
 * mode-config share: HDR*, HASH(1), ATTR(type, identifier, attributes).
 */
#include "ike/sa_int.h"

struct txn_body {
	uint8_t type;
	uint16_t id;
	const uint8_t *attrs;
	size_t len;
};

static void write_txn(struct ike_sa *sa, struct isakmp_builder *b, void *arg)
{
	const struct txn_body *t = arg;
	(void)sa;
	isakmp_build_open(b, ISAKMP_PL_ATTR);
	wr_u8(&b->w, t->type);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, t->id);
	wr_bytes(&b->w, t->attrs, t->len);
	isakmp_build_close(b);
}

bool txn_send(struct ike_sa *sa, uint32_t msgid, uint8_t type, uint16_t id, const uint8_t *attrs,
              size_t len, bool expect_reply, bool as_reply, enum ike_step step)
{
	struct txn_body t = {type, id, attrs, len};
	size_t n = sa_build_hashed(sa, ISAKMP_EXCH_TRANSACTION, msgid, NULL, 0, write_txn, &t,
	                           sa->tx, sizeof(sa->tx));
	if (!n) {
		sa_fail(sa, step, "cannot build a transaction message");
		return false;
	}
	sa_send(sa, sa->tx, n, expect_reply, as_reply, step);
	return true;
}
