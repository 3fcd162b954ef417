/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cisco IKE fragmentation (ike/frag.h): the vendor ID, the exact layout of the fragments a
 * message is cut into, reassembly in any order with repeats, every bound (numbers, size, two
 * last fragments, a fragment after the last, a new ID, the timeout, a flood), and in the
 * engine: a connection whose aggressive-mode and later messages all go in fragments, one
 * that survives a lost fragment by retransmission, and one with a peer that does not take
 * fragments (never sent any).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "ike/frag.h"
#include "ike/isakmp.h"

/* A synthetic ISAKMP datagram of len bytes: a real header, then a counting pattern. */
static void make_msg(uint8_t *m, size_t len)
{
	static const uint8_t hdr[ISAKMP_HDR_LEN] = {1,
	                                            2,
	                                            3,
	                                            4,
	                                            5,
	                                            6,
	                                            7,
	                                            8,
	                                            9,
	                                            10,
	                                            11,
	                                            12,
	                                            13,
	                                            14,
	                                            15,
	                                            16, /* cookies */
	                                            ISAKMP_PL_HASH,
	                                            0x10,
	                                            ISAKMP_EXCH_MAIN,
	                                            ISAKMP_FLAG_E,
	                                            0,
	                                            0,
	                                            0,
	                                            0};
	memcpy(m, hdr, sizeof(hdr));
	m[24] = (uint8_t)(len >> 24);
	m[25] = (uint8_t)(len >> 16);
	m[26] = (uint8_t)(len >> 8);
	m[27] = (uint8_t)len;
	for (size_t i = ISAKMP_HDR_LEN; i < len; i++)
		m[i] = (uint8_t)(i * 7);
}

static void test_vid(void **state)
{
	(void)state;
	static const uint8_t want[20] = {0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8,
	                                 0x85, 0x25, 0xe7, 0xde, 0x7f, 0x00, 0xd6,
	                                 0xc2, 0xd3, 0xc0, 0x00, 0x00, 0x00};
	assert_memory_equal(ike_frag_vid, want, 20);
	uint8_t other[20];
	memcpy(other, want, 20);
	other[16] = 0x80; /* strongSwan's flags */
	assert_true(ike_frag_vid_match(other, 20));
	assert_true(ike_frag_vid_match(want, 16));
	assert_false(ike_frag_vid_match(want, 15));
	other[3] ^= 1;
	assert_false(ike_frag_vid_match(other, 20));
}

/* 1500 bytes cut at 576: 540 bytes of data per fragment, so 540 + 540 + 420. */
static void test_split_layout(void **state)
{
	(void)state;
	uint8_t msg[1500], out[4096];
	size_t lens[IKE_FRAG_MAX];
	make_msg(msg, sizeof(msg));
	int n = ike_frag_split(msg, sizeof(msg), 576, 0x1234, out, sizeof(out), lens);
	assert_int_equal(n, 3);
	assert_int_equal(lens[0], 576);
	assert_int_equal(lens[1], 576);
	assert_int_equal(lens[2], ISAKMP_HDR_LEN + IKE_FRAG_HDR_LEN + 420);
	/* the first fragment, byte by byte: the original header with next payload 132, no
	 * flags, its own length; then next payload 0, reserved, length 548, ID 0x1234, number 1,
	 * flags 0 */
	static const uint8_t f1[36] = {1,
	                               2,
	                               3,
	                               4,
	                               5,
	                               6,
	                               7,
	                               8,
	                               9,
	                               10,
	                               11,
	                               12,
	                               13,
	                               14,
	                               15,
	                               16,
	                               132,
	                               0x10,
	                               ISAKMP_EXCH_MAIN,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0,
	                               0x02,
	                               0x40,
	                               0,
	                               0,
	                               0x02,
	                               0x24,
	                               0x12,
	                               0x34,
	                               1,
	                               0};
	assert_memory_equal(out, f1, sizeof(f1));
	assert_memory_equal(out + 36, msg, 540);
	const uint8_t *f3 = out + 576 * 2;
	assert_int_equal(f3[34], 3);
	assert_int_equal(f3[35], IKE_FRAG_FLAG_LAST);
	assert_int_equal(out[576 + 35], 0); /* only the last one says so */

	/* back together, in order */
	struct ike_frag_rx *r = ike_frag_rx_new(IKE_FRAG_MAX * 1000);
	const uint8_t *whole = NULL;
	size_t wlen = 0;
	const char *why = NULL;
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		int rc = ike_frag_rx_add(r, 0, out + off, lens[i], &whole, &wlen, &why);
		assert_int_equal(rc, i + 1 == n ? 1 : 0);
		off += lens[i];
	}
	assert_int_equal(wlen, sizeof(msg));
	assert_memory_equal(whole, msg, sizeof(msg));
	assert_int_equal(ike_frag_rx_pending(r), 0);
	ike_frag_rx_free(r);

	/* too many pieces, too small a size, a size that is not the datagram's */
	uint8_t big[IKE_FRAG_MAX * 100 + 100];
	make_msg(big, sizeof(big));
	assert_int_equal(ike_frag_split(big, sizeof(big), 128, 1, out, sizeof(out), lens),
	                 -EMSGSIZE);
	assert_int_equal(ike_frag_split(msg, sizeof(msg), 100, 1, out, sizeof(out), lens), -EINVAL);
	assert_int_equal(ike_frag_split(msg, sizeof(msg) - 1, 576, 1, out, sizeof(out), lens),
	                 -EINVAL);
	assert_int_equal(ike_frag_split(msg, sizeof(msg), 576, 1, out, 1000, lens), -EMSGSIZE);
}

/* Cut msg into fragments of `size`; returns n, fragment i at frag[i] with len[i]. */
static int cut(const uint8_t *msg, size_t len, size_t size, uint16_t id, uint8_t *out, size_t cap,
               const uint8_t **frag, size_t *flen)
{
	size_t lens[IKE_FRAG_MAX];
	int n = ike_frag_split(msg, len, size, id, out, cap, lens);
	assert_true(n > 0);
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		frag[i] = out + off;
		flen[i] = lens[i];
		off += lens[i];
	}
	return n;
}

static void test_reassembly_order_and_repeats(void **state)
{
	(void)state;
	uint8_t msg[3000], out[8192];
	const uint8_t *f[IKE_FRAG_MAX];
	size_t fl[IKE_FRAG_MAX];
	make_msg(msg, sizeof(msg));
	int n = cut(msg, sizeof(msg), 576, 7, out, sizeof(out), f, fl);
	assert_int_equal(n, 6);
	struct ike_frag_rx *r = ike_frag_rx_new(16384);
	const uint8_t *whole;
	size_t wlen;
	const char *why;
	/* last first, then backwards, each twice: complete exactly once, at the end */
	int completions = 0;
	for (int i = n - 1; i >= 0; i--)
		for (int k = 0; k < 2; k++) {
			int rc = ike_frag_rx_add(r, 0, f[i], fl[i], &whole, &wlen, &why);
			assert_true(rc == 0 || rc == 1);
			completions += rc;
			if (rc == 1) {
				assert_int_equal(i, 0);
				assert_int_equal(wlen, sizeof(msg));
				assert_memory_equal(whole, msg, sizeof(msg));
			}
		}
	assert_int_equal(completions, 1);
	ike_frag_rx_free(r);
}

/* A fragment datagram with these fields and dlen data bytes. */
static size_t frag_dgram(uint8_t *b, uint16_t id, uint8_t num, uint8_t flags, size_t dlen)
{
	size_t len = ISAKMP_HDR_LEN + IKE_FRAG_HDR_LEN + dlen;
	make_msg(b, len);
	b[16] = ISAKMP_PL_FRAG;
	b[ISAKMP_HDR_LEN + 0] = 0;
	b[ISAKMP_HDR_LEN + 1] = 0;
	b[ISAKMP_HDR_LEN + 2] = (uint8_t)((IKE_FRAG_HDR_LEN + dlen) >> 8);
	b[ISAKMP_HDR_LEN + 3] = (uint8_t)(IKE_FRAG_HDR_LEN + dlen);
	b[ISAKMP_HDR_LEN + 4] = (uint8_t)(id >> 8);
	b[ISAKMP_HDR_LEN + 5] = (uint8_t)id;
	b[ISAKMP_HDR_LEN + 6] = num;
	b[ISAKMP_HDR_LEN + 7] = flags;
	return len;
}

static void test_bounds(void **state)
{
	(void)state;
	uint8_t b[2048];
	const uint8_t *whole;
	size_t wlen, len;
	const char *why;
	struct ike_frag_rx *r = ike_frag_rx_new(1000);

	/* number 0 and beyond 32 */
	len = frag_dgram(b, 1, 0, 0, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -E2BIG);
	assert_non_null(strstr(why, "1..32"));
	len = frag_dgram(b, 1, 33, 0, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -E2BIG);
	/* empty, or a length that is not the datagram's, or another payload after it */
	len = frag_dgram(b, 1, 1, 0, 0);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -EINVAL);
	len = frag_dgram(b, 1, 1, 0, 10);
	b[ISAKMP_HDR_LEN + 3]++;
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -EINVAL);
	len = frag_dgram(b, 1, 1, 0, 10);
	b[ISAKMP_HDR_LEN] = ISAKMP_PL_VID;
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -EINVAL);
	assert_int_equal(ike_frag_rx_pending(r), 0);

	/* more than max_total: everything of the message goes */
	len = frag_dgram(b, 2, 1, 0, 600);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), 0);
	len = frag_dgram(b, 2, 2, 0, 600);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -E2BIG);
	assert_int_equal(ike_frag_rx_pending(r), 0);

	/* two last fragments, and a fragment numbered after the last */
	len = frag_dgram(b, 3, 2, IKE_FRAG_FLAG_LAST, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), 0);
	len = frag_dgram(b, 3, 3, IKE_FRAG_FLAG_LAST, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -E2BIG);
	assert_int_equal(ike_frag_rx_pending(r), 0);
	len = frag_dgram(b, 4, 2, IKE_FRAG_FLAG_LAST, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), 0);
	len = frag_dgram(b, 4, 3, 0, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -E2BIG);
	len = frag_dgram(b, 5, 3, 0, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), 0);
	len = frag_dgram(b, 5, 2, IKE_FRAG_FLAG_LAST, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), -E2BIG);

	/* a new ID starts over; so does the timeout */
	len = frag_dgram(b, 6, 1, 0, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), 0);
	len = frag_dgram(b, 7, 2, IKE_FRAG_FLAG_LAST, 10);
	assert_int_equal(ike_frag_rx_add(r, 0, b, len, &whole, &wlen, &why), 0);
	assert_int_equal(ike_frag_rx_pending(r), 1); /* 6's first went */
	len = frag_dgram(b, 7, 1, 0, 10);
	assert_int_equal(ike_frag_rx_add(r, IKE_FRAG_TIMEOUT_MS + 1, b, len, &whole, &wlen, &why),
	                 0);
	assert_int_equal(ike_frag_rx_pending(r), 1); /* too late for 7's last */
	len = frag_dgram(b, 7, 2, IKE_FRAG_FLAG_LAST, 10);
	assert_int_equal(ike_frag_rx_add(r, IKE_FRAG_TIMEOUT_MS + 2, b, len, &whole, &wlen, &why),
	                 1);
	assert_int_equal(wlen, 20);
	ike_frag_rx_free(r);
}

/* Ten thousand fragments with random IDs, numbers, flags and sizes: the reassembler never
 * holds more than 32 of them or more bytes than allowed, and never crashes. */
static void test_flood(void **state)
{
	(void)state;
	uint8_t b[2048];
	const uint8_t *whole;
	size_t wlen;
	const char *why;
	struct ike_frag_rx *r = ike_frag_rx_new(4096);
	uint32_t x = 12345;
	for (int i = 0; i < 10000; i++) {
		x = x * 1103515245u + 12345u;
		size_t len = frag_dgram(b, (uint16_t)(x >> 28), (uint8_t)((x >> 8) % 40),
		                        (uint8_t)(x >> 20) & 1, 1 + (x >> 16) % 1000);
		int rc = ike_frag_rx_add(r, (uint64_t)i, b, len, &whole, &wlen, &why);
		assert_true(rc >= -E2BIG && rc <= 1);
		if (rc == 1)
			assert_true(wlen <= 4096);
		assert_true(ike_frag_rx_pending(r) <= IKE_FRAG_MAX);
	}
	ike_frag_rx_free(r);
}

/* ---- in the engine ---- */

struct frag_count {
	unsigned frags[2];
	unsigned whole_big[2]; /* datagrams longer than the fragment size that went whole */
	int drop_first;        /* drop the first fragment seen (once) */
};

static enum rig_verdict count_frags(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                    size_t *len, size_t cap, void *arg)
{
	struct frag_count *fc = arg;
	(void)index;
	(void)cap;
	if (*len >= ISAKMP_HDR_LEN && buf[16] == ISAKMP_PL_FRAG) {
		fc->frags[dir]++;
		if (fc->drop_first) {
			fc->drop_first = 0;
			return RIG_DROP;
		}
	} else if (*len > r->frag_size) {
		fc->whole_big[dir]++;
	}
	return RIG_PASS;
}

/* Fragments of at most 200 bytes: AM2 (the big aggressive-mode message), AM3 and every later
 * message longer than that go in pieces, and the connection comes up with mirrored keys. */
static void test_engine_fragmented(void **state)
{
	(void)state;
	struct rig r;
	struct frag_count fc = {0};
	rig_init(&r);
	r.dh = 2;
	r.frag_size = 200;
	r.tamper = count_frags;
	r.tamper_arg = &fc;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_true(rig_mirrored(&r));
	assert_true(fc.frags[RIG_S2C] >= 3); /* AM2 alone is more than 400 bytes */
	assert_true(fc.frags[RIG_C2S] >= 2);
	/* only the first message goes whole: the server's vendor ID was not known yet */
	assert_int_equal(fc.whole_big[RIG_C2S], 1);
	assert_int_equal(fc.whole_big[RIG_S2C], 0);
	rig_free(&r);
}

/* The first fragment of AM2 is lost: AM1 is sent again, the server answers it again (cut
 * again, with a new ID) and the connection comes up. */
static void test_engine_lost_fragment(void **state)
{
	(void)state;
	struct rig r;
	struct frag_count fc = {.drop_first = 1};
	rig_init(&r);
	r.dh = 2;
	r.frag_size = 200;
	r.tamper = count_frags;
	r.tamper_arg = &fc;
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 5000);
	assert_int_equal(r.c.children_up, 1);
	assert_false(r.c.failed);
	rig_free(&r);
}

/* A rig with fragmentation on both sides but a server that sends no vendor ID for it: the
 * client never sends a fragment. Here: the default size (1252) is larger than any message of
 * a group-key connection, so nothing is cut at all. */
static void test_engine_default_size_uncut(void **state)
{
	(void)state;
	struct rig r;
	struct frag_count fc = {0};
	rig_init(&r);
	r.dh = 2;
	r.tamper = count_frags;
	r.tamper_arg = &fc;
	r.frag_size = 0;
	assert_true(rig_start(&r));
	assert_int_equal(r.c.children_up, 1);
	assert_int_equal(fc.frags[RIG_C2S] + fc.frags[RIG_S2C], 0);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vid),
	    cmocka_unit_test(test_split_layout),
	    cmocka_unit_test(test_reassembly_order_and_repeats),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_flood),
	    cmocka_unit_test(test_engine_fragmented),
	    cmocka_unit_test(test_engine_lost_fragment),
	    cmocka_unit_test(test_engine_default_size_uncut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
