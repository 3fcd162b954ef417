/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Driving an engine: ike_drive drains the actions an SA has queued and hands each to the
 * callback of its kind, so evc and evs share one dispatch and differ only in what they do
 * with a datagram to send, a new ESP SA or a failure. No I/O happens here; the callbacks do
 * it. A callback may call back into the engine (ike_xauth_answer, ike_xauth_verdict,
 * ike_close): what that queues is drained in the same call.
 *
 * The pointers a callback receives live until it returns; copy what must outlive it.
 */
#ifndef EVC_IKE_DRIVER_H
#define EVC_IKE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"

/* One callback per action kind; a NULL callback ignores that kind. */
struct ike_driver_ops {
	/* msg without the non-ESP marker; from_port is 500 or 4500 (then prepend the marker,
	 * sock_send_ike does) */
	void (*send)(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
	             uint16_t from_port);
	void (*log)(void *ctx, enum ike_log_level level, const char *text);
	void (*status)(void *ctx, enum ike_step step, const char *text);
	/* initiator: answer with ike_xauth_answer (or ike_close) */
	void (*xauth_prompt)(void *ctx, const char *message, bool retry);
	/* responder: judge with ike_xauth_verdict */
	void (*xauth_verify)(void *ctx, const char *group, const char *user, const char *password);
	void (*banner)(void *ctx, const char *text);
	void (*policy)(void *ctx, const struct evc_policy *pol);
	void (*child_up)(void *ctx, const struct ike_child *child);
	void (*child_down)(void *ctx, const struct ike_child *child); /* SPIs only */
	void (*peer_moved)(void *ctx, const struct ike_endpoint *peer);
	/* initiator: time for a phase-1 rekey (ike.h, IKE_ACT_P1_REKEY) */
	void (*p1_rekey)(void *ctx);
	/* the SA is dead: free it after ike_drive returns */
	void (*failed)(void *ctx, enum ike_step step, const char *text);
	void (*closed)(void *ctx, const char *text); /* clean end: free it after ike_drive */
};

/* Drains every queued action of sa through ops; returns how many there were. */
size_t ike_drive(struct ike_sa *sa, const struct ike_driver_ops *ops, void *ctx);

#endif
