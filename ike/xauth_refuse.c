/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A responder's final XAUTH refusal with a reason: see xauth_refuse.h. */
#include <string.h>

#include "ike/isakmp.h"
#include "ike/sa_int.h"
#include "ike/xauth_refuse.h"

void ike_xauth_refuse(struct ike_sa *sa, uint64_t now_ms, const char *reason)
{
	uint8_t attrs[8 + 4 + 255];
	sa->now = now_ms;
	if (sa->role != IKE_ROLE_RESPONDER || !(sa->facts & F_VERIFYING))
		return;
	sa->facts &= ~F_VERIFYING;
	struct wr w = wr_init(attrs, sizeof(attrs));
	isakmp_attr_write_tv(&w, CFG_XAUTH_STATUS, 0);
	isakmp_attr_write_tlv(&w, CFG_XAUTH_MESSAGE, reason, strnlen(reason, 255));
	sa->xauth_msgid = sa_new_msgid(sa);
	txn_send(sa, sa->xauth_msgid, ISAKMP_CFG_SET, sa->xauth_id, attrs, w.len, false, false,
	         IKE_STEP_XAUTH);
	if (sa->state != IKE_S_DEAD)
		info_send_delete_ike(sa);
	sa_fail(sa, IKE_STEP_XAUTH, "user %s of group %s refused: %s", sa->user, sa->group, reason);
	seq_advance(sa);
}
