/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A replayed informational must not move the peer, even with bytes changed that its HASH(1)
 * does not cover. The engine knows informationals it took by a digest (bf353cd, for vpnc's
 * one-byte DELETE IDs); a digest of the whole datagram let a third party who saw one DPD
 * probe replay it with the ISAKMP minor version, a flag or an extra cipher block of padding
 * changed, from an address of its choice, and the gateway sent the tunnel there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "ike/ike.h"
#include "ike/isakmp.h"

struct capture {
	uint8_t msg[RIG_MAX_MSG];
	size_t len;
	enum rig_dir dir;
	bool first; /* keep the first one, not the last */
};

/* Keeps the last encrypted informational sent in cap->dir. */
static enum rig_verdict keep_info(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                  size_t *len, size_t cap, void *arg)
{
	(void)r, (void)index, (void)cap;
	struct capture *cap_ = arg;
	if (dir == cap_->dir && !(cap_->first && cap_->len) && *len > ISAKMP_HDR_LEN &&
	    buf[18] == ISAKMP_EXCH_INFO && (buf[19] & ISAKMP_FLAG_E)) {
		memcpy(cap_->msg, buf, *len);
		cap_->len = *len;
	}
	return RIG_PASS;
}

enum change {
	CH_NONE,    /* the exact bytes */
	CH_MINOR,   /* the ISAKMP minor version */
	CH_FLAGS,   /* the commit flag */
	CH_PADDING, /* one more cipher block at the end, taken as padding */
};

/* A datagram of the peer (RIG_C2S), or the gateway's own sent back to it (RIG_S2C: HASH(1) is
 * keyed alike both ways, so its own message verifies too), arrives again at the gateway from
 * another address. */
static void replay_moves_nothing(enum change ch, enum rig_dir dir, uint64_t wait_ms,
                                 bool srv_probes)
{
	struct rig r;
	struct capture *cap = calloc(1, sizeof(*cap));
	assert_non_null(cap);
	cap->dir = dir;
	cap->first = wait_ms != 0;
	rig_init(&r);
	r.natt = IKE_NATT_FORCE;
	r.tamper = keep_info;
	r.tamper_arg = cap;
	if (srv_probes) {
		/* the gateway probes, the client does not: its first informational is a probe */
		r.srv_dpd_idle = 10;
		r.dpd_idle = 3600;
	}
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	uint16_t port = ike_sa_peer(r.s.sa).port;

	/* a DPD probe of the client and the gateway's answer, as anyone on the path sees them */
	rig_run_timers(&r, r.now + 11000);
	assert_false(r.s.failed);
	assert_true(cap->len > ISAKMP_HDR_LEN);
	if (wait_ms)
		rig_run_timers(&r, r.now + wait_ms);
	assert_false(r.s.failed);
	assert_int_equal(r.s.moved, 0);

	size_t len = cap->len;
	switch (ch) {
	case CH_NONE:
		break;
	case CH_MINOR:
		cap->msg[17] ^= 0x01;
		break;
	case CH_FLAGS:
		cap->msg[19] |= ISAKMP_FLAG_C;
		break;
	case CH_PADDING:
		memset(cap->msg + len, 0xa5, 16);
		len += 16;
		cap->msg[24] = (uint8_t)(len >> 24);
		cap->msg[25] = (uint8_t)(len >> 16);
		cap->msg[26] = (uint8_t)(len >> 8);
		cap->msg[27] = (uint8_t)len;
		break;
	}
	struct ike_endpoint attacker = {0xcb007105u /* 203.0.113.5 */, 31337};
	struct ike_endpoint srv = {RIG_SERVER_IP, IKE_NATT_PORT};
	ike_input(r.s.sa, r.now, cap->msg, len, &attacker, &srv);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.moved, 0);
	/* within the replay memory it is known for what it is (so a reflected message of ours
	 * is not acted on either); the exact copy of the last one as a retransmission */
	if (!wait_ms)
		assert_true(rig_logged(&r.s, "dropped replayed informational") ||
		            rig_logged(&r.s, "retransmitted INFORMATIONAL request"));
	assert_int_equal(ike_sa_peer(r.s.sa).addr, RIG_CLIENT_IP);
	assert_int_equal(ike_sa_peer(r.s.sa).port, port);
	assert_false(r.s.failed);
	rig_free(&r);
	free(cap);
}

static void test_exact_replay(void **state)
{
	(void)state;
	replay_moves_nothing(CH_NONE, RIG_C2S, 0, false);
}

static void test_replay_minor_version(void **state)
{
	(void)state;
	replay_moves_nothing(CH_MINOR, RIG_C2S, 0, false);
}

static void test_replay_commit_flag(void **state)
{
	(void)state;
	replay_moves_nothing(CH_FLAGS, RIG_C2S, 0, false);
}

static void test_replay_more_padding(void **state)
{
	(void)state;
	replay_moves_nothing(CH_PADDING, RIG_C2S, 0, false);
}

/* the gateway's R-U-THERE-ACK reflected to it */
static void test_reflected_own(void **state)
{
	(void)state;
	replay_moves_nothing(CH_NONE, RIG_S2C, 0, false);
}

/* the client's first DPD probe, sent again after many more informationals than the replay
 * memory holds: its DPD sequence number is old */
static void test_replay_after_memory(void **state)
{
	(void)state;
	replay_moves_nothing(CH_NONE, RIG_C2S, 600000, false);
}

/* the gateway's own first probe sent back to it after its replay memory rolled over */
static void test_reflected_own_after_memory(void **state)
{
	(void)state;
	replay_moves_nothing(CH_NONE, RIG_S2C, 600000, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exact_replay),
	    cmocka_unit_test(test_replay_minor_version),
	    cmocka_unit_test(test_replay_commit_flag),
	    cmocka_unit_test(test_replay_more_padding),
	    cmocka_unit_test(test_reflected_own),
	    cmocka_unit_test(test_replay_after_memory),
	    cmocka_unit_test(test_reflected_own_after_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
