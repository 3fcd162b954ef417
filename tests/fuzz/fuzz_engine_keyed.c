/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for everything behind decryption. A client and a server engine are driven
 * in memory (tests/support/engine_rig.h) to a stage of a real handshake; then the fuzzer's
 * bytes become the cleartext of a message that the oracle encrypts with the receiver's live
 * keys and IV chain, optionally under a valid HASH, and the message is fed to that side: the
 * third aggressive-mode message, transaction (XAUTH, mode-config), quick mode and
 * informational, to the responder and to the initiator. No fuzzer that only feeds datagrams
 * in clear can reach those parsers.
 *
 * Afterwards the peer is taken away and the clock runs: every SA must end within its
 * deadlines (setup deadline, XAUTH timeout, DPD, lifetimes) and nothing may crash or leak.
 *
 * Input: stage, exchange, hash mode, message ID (4 bytes), first payload type, then the
 * payloads (after the HASH payload when a hash is recomputed).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine_rig.h"
#include "ike/isakmp.h"
#include "ike_oracle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

enum stage {
	ST_SERVER_AWAITS_AM3, /* responder after AM1: keys derived, nothing proven */
	ST_SERVER_IN_XAUTH,   /* responder after AM3, XAUTH request out */
	ST_SERVER_UP,         /* responder established */
	ST_CLIENT_AWAITS_XAUTH,
	ST_CLIENT_UP,
	ST_COUNT,
};

struct stop_at {
	enum rig_dir dir;
	uint8_t exch;
	unsigned skip;
	bool hit;
};

/* Loses every datagram from the first matching one on, so the handshake stops there. */
static enum rig_verdict stop_hook(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                  size_t *len, size_t cap, void *arg)
{
	struct stop_at *s = arg;
	(void)r, (void)index, (void)cap;
	if (s->hit)
		return RIG_DROP;
	if (dir != s->dir || *len < ISAKMP_HDR_LEN || buf[18] != s->exch)
		return RIG_PASS;
	if (s->skip) {
		s->skip--;
		return RIG_PASS;
	}
	s->hit = true;
	return RIG_DROP;
}

static const uint8_t exchanges[] = {ISAKMP_EXCH_AGGRESSIVE, ISAKMP_EXCH_TRANSACTION,
                                    ISAKMP_EXCH_QUICK, ISAKMP_EXCH_INFO};
static const enum oracle_hash modes[] = {ORACLE_HASH_1, ORACLE_HASH_KEEP, ORACLE_HASH_QM2,
                                         ORACLE_HASH_QM3};

static bool reach(struct rig *r, enum stage st)
{
	static struct stop_at stop;
	memset(&stop, 0, sizeof(stop));
	switch (st) {
	case ST_SERVER_AWAITS_AM3:
		stop = (struct stop_at){RIG_C2S, ISAKMP_EXCH_AGGRESSIVE, 1, false};
		break;
	case ST_SERVER_IN_XAUTH:
	case ST_CLIENT_AWAITS_XAUTH:
		stop = (struct stop_at){RIG_C2S, ISAKMP_EXCH_TRANSACTION, 0, false};
		break;
	default:
		break;
	}
	if (stop.exch) {
		r->tamper = stop_hook;
		r->tamper_arg = &stop;
	}
	bool ok = rig_start(r);
	r->tamper = NULL;
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t body[16384], msg[RIG_MAX_MSG];
	struct rig r;
	if (size < 8)
		return 0;
	enum stage st = (enum stage)(data[0] % ST_COUNT);
	uint8_t exch = exchanges[data[1] % sizeof(exchanges)];
	enum oracle_hash mode = modes[data[2] % (sizeof(modes) / sizeof(modes[0]))];
	uint32_t msgid =
	    (uint32_t)data[3] << 24 | (uint32_t)data[4] << 16 | (uint32_t)data[5] << 8 | data[6];
	uint8_t np = data[7];
	data += 8;
	size -= 8;

	rig_init(&r);
	r.srv_dpd_idle = 10;
	if (!reach(&r, st))
		goto out;
	bool to_server = st <= ST_SERVER_UP;
	struct ike_sa *rx = to_server ? r.s.sa : r.c.sa;
	if (!rx || !ike_oracle_keyed(rx))
		goto out;
	if (exch == ISAKMP_EXCH_AGGRESSIVE)
		msgid = 0;

	/* the body: a HASH payload to be recomputed, then the fuzzer's payloads */
	size_t hl = ike_oracle_hash_len(rx), n = 0;
	uint8_t first = np;
	if (mode != ORACLE_HASH_KEEP) {
		if (4 + hl + size > sizeof(body))
			goto out;
		body[0] = np;
		body[1] = 0;
		body[2] = (uint8_t)((4 + hl) >> 8);
		body[3] = (uint8_t)(4 + hl);
		memset(body + 4, 0, hl);
		n = 4 + hl;
		first = ISAKMP_PL_HASH;
	}
	if (n + size > sizeof(body))
		goto out;
	memcpy(body + n, data, size);
	n += size;

	struct isakmp_hdr h;
	ike_oracle_hdr(rx, &h, exch, first, msgid);
	size_t len = ike_oracle_seal(rx, &h, body, n, mode, msg, sizeof(msg));
	if (!len)
		goto out;
	rig_inject(&r, to_server ? RIG_C2S : RIG_S2C, msg, len);
	CHECK(rig_pump(&r));

	/* the peer vanishes: every SA still ends by itself */
	if (to_server) {
		ike_sa_free(r.c.sa);
		r.c.sa = NULL;
	} else {
		ike_sa_free(r.s.sa);
		r.s.sa = NULL;
		r.no_server = true;
	}
	/* beyond the longest phase-1 lifetime (24 h, IOS's ceiling too): an SA that waits for a
	 * person (an XAUTH prompt) has no other deadline, and still ends at that lifetime */
	rig_run_timers(&r, r.now + 25ull * 3600 * 1000);
	CHECK(r.settled);
	CHECK(!rx || ike_next_timeout(rx) == UINT64_MAX);
out:
	rig_free(&r);
	return 0;
}
