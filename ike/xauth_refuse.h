/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A responder's XAUTH refusal that another password would not change. */
#ifndef EVC_IKE_XAUTH_REFUSE_H
#define EVC_IKE_XAUTH_REFUSE_H

#include <stdint.h>

#include "ike/ike.h"

/*
 * Responder, in place of ike_xauth_verdict(false) while an answer is being verified: the
 * user is refused for reason (e.g. the group's max-users are connected), so there is no new
 * prompt. Sends XAUTH status "fail" with reason as its XAUTH_MESSAGE (at most 255 bytes),
 * which the client shows, then a DELETE, and fails the SA.
 */
void ike_xauth_refuse(struct ike_sa *sa, uint64_t now_ms, const char *reason);

#endif
