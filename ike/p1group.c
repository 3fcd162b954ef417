/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The initiator's time for each automatic DH group, shared by aggressive and main mode (both
 * offer one group at a time): the whole phase 1 has the usual retransmission budget, and each
 * group still to try gets an even share of what is left, so that a gateway that drops a group
 * in silence still leaves time for the next. Its own module so that am.c (which restarts
 * either mode with the next group) and mm.c both use it without using each other.
 */
#include "ike/sa_int.h"

void p1_group_timing(struct ike_sa *sa)
{
	if (!sa->dh_tried[0])
		sa->p1_give_up_at = sa->now + sa_rexmit_budget(sa);
	/* a silent gateway: each group left gets an even share of the time left */
	sa->p1_group_deadline = 0;
	if (sa->dh_auto &&
	    (sa->dh_tried[0] || ike_dh_next_group(sa->cfg.dh_group, sa->cfg.prop_flags))) {
		size_t left = 1;
		for (unsigned g = ike_dh_next_group(sa->cfg.dh_group, sa->cfg.prop_flags); g;
		     g = ike_dh_next_group(g, sa->cfg.prop_flags))
			left++;
		uint64_t rest = sa->p1_give_up_at > sa->now ? sa->p1_give_up_at - sa->now : 0;
		sa->p1_group_deadline = sa->now + rest / left;
		if (sa->p1_group_deadline <= sa->now)
			sa->p1_group_deadline = sa->now + 1;
	}
}
