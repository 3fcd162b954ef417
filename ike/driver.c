/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ike/driver.h"

static void dispatch(const struct ike_driver_ops *o, void *ctx, const struct ike_action *a)
{
	switch (a->type) {
	case IKE_ACT_SEND:
		if (o->send)
			o->send(ctx, a->u.send.data, a->u.send.len, &a->u.send.to,
			        a->u.send.from_port);
		break;
	case IKE_ACT_LOG:
		if (o->log)
			o->log(ctx, a->u.log.level, a->u.log.text);
		break;
	case IKE_ACT_STATUS:
		if (o->status)
			o->status(ctx, a->u.status.step, a->u.status.text);
		break;
	case IKE_ACT_XAUTH_PROMPT:
		if (o->xauth_prompt)
			o->xauth_prompt(ctx, a->u.xauth.message, a->u.xauth.retry);
		break;
	case IKE_ACT_XAUTH_VERIFY:
		if (o->xauth_verify)
			o->xauth_verify(ctx, a->u.xauth.group, a->u.xauth.user,
			                a->u.xauth.password);
		break;
	case IKE_ACT_BANNER:
		if (o->banner)
			o->banner(ctx, a->u.text);
		break;
	case IKE_ACT_POLICY:
		if (o->policy)
			o->policy(ctx, a->u.policy);
		break;
	case IKE_ACT_CHILD_UP:
		if (o->child_up)
			o->child_up(ctx, a->u.child);
		break;
	case IKE_ACT_CHILD_DOWN:
		if (o->child_down)
			o->child_down(ctx, a->u.child);
		break;
	case IKE_ACT_PEER_MOVED:
		if (o->peer_moved)
			o->peer_moved(ctx, &a->u.peer);
		break;
	case IKE_ACT_P1_REKEY:
		if (o->p1_rekey)
			o->p1_rekey(ctx);
		break;
	case IKE_ACT_FAILED:
		if (o->failed)
			o->failed(ctx, a->u.fail.step, a->u.fail.text);
		break;
	case IKE_ACT_CLOSED:
		if (o->closed)
			o->closed(ctx, a->u.text);
		break;
	}
}

size_t ike_drive(struct ike_sa *sa, const struct ike_driver_ops *ops, void *ctx)
{
	struct ike_action a;
	size_t n = 0;
	while (ike_next_action(sa, &a)) {
		dispatch(ops, ctx, &a);
		n++;
	}
	return n;
}
