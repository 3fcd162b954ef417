/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Late copies of the peer's messages (ike/engine.c): under load a client retransmits its XAUTH
 * answer or its quick-mode message before the gateway's answer reaches it, and the copy
 * arrives after the exchange moved on. The gateway must take it for what it is, quietly (a
 * debug line), and act on nothing; a changed copy is still a forgery, reported and refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike/ike.h"
#include "engine_rig.h"

#define MAX_COPIES 32

struct copies {
	uint8_t *msg[MAX_COPIES];
	size_t len[MAX_COPIES];
	unsigned n;
};

/* Keeps a copy of every datagram of the client, and lets it through. */
static enum rig_verdict keep_client(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                    size_t *len, size_t cap, void *arg)
{
	struct copies *k = arg;
	(void)r, (void)index, (void)cap;
	if (dir == RIG_C2S && k->n < MAX_COPIES) {
		k->msg[k->n] = malloc(*len);
		assert_non_null(k->msg[k->n]);
		memcpy(k->msg[k->n], buf, *len);
		k->len[k->n++] = *len;
	}
	return RIG_PASS;
}

/* What the server did with one datagram. */
struct seen {
	int debug, louder; /* log lines at debug level, and above it */
	int sends, other;  /* datagrams sent, and any other action */
	char text[4096];   /* every log line */
};

/* Gives the server one datagram as the client's, and collects its actions with their levels
 * (the rig keeps only the text). */
static void deliver(struct rig *r, const uint8_t *m, size_t len, struct seen *s)
{
	struct ike_endpoint from = ike_sa_peer(r->s.sa);
	struct ike_endpoint to = {RIG_SERVER_IP, from.port}; /* both sides float together */
	struct ike_action a;
	memset(s, 0, sizeof(*s));
	ike_input(r->s.sa, r->now, m, len, &from, &to);
	while (ike_next_action(r->s.sa, &a)) {
		if (a.type == IKE_ACT_LOG) {
			if (a.u.log.level == IKE_LOG_DEBUG)
				s->debug++;
			else
				s->louder++;
			size_t l = strlen(s->text);
			snprintf(s->text + l, sizeof(s->text) - l, "%s\n", a.u.log.text);
		} else if (a.type == IKE_ACT_SEND) {
			s->sends++;
		} else {
			s->other++;
		}
	}
}

static void free_copies(struct copies *k)
{
	for (unsigned i = 0; i < k->n; i++)
		free(k->msg[i]);
}

/* Every message of the client, again after the tunnel is up: debug lines only, nothing done
 * but the saved answer to the very last request sent again. */
static void test_late_copies_quiet(void **state)
{
	(void)state;
	struct rig r;
	struct copies k = {0};
	struct seen s;
	rig_init(&r);
	r.tamper = keep_client;
	r.tamper_arg = &k;
	assert_true(rig_start(&r));
	assert_int_equal(r.s.children_up, 1);
	assert_int_equal(r.s.verifies, 1);
	/* AM1, AM3, the XAUTH answer and ACK, the mode-config request, QM1 and QM3 */
	assert_true(k.n >= 7);
	r.tamper = NULL;
	int children = r.s.children_up, policies = r.s.policies, verifies = r.s.verifies;
	unsigned late = 0, answered = 0;
	for (unsigned i = 0; i < k.n; i++) {
		deliver(&r, k.msg[i], k.len[i], &s);
		if (s.louder || s.other || s.sends > 1)
			fail_msg("copy %u of the client's messages was not taken quietly:\n%s", i,
			         s.text);
		assert_int_equal(s.debug, 1);
		if (i < 2) /* AM1, AM3: phase 1's state ignores them (am.c) */
			assert_non_null(strstr(s.text, "ignored aggressive-mode message"));
		else if (strstr(s.text, "dropped a late copy of a TRANSACTION message") ||
		         strstr(s.text, "dropped a late copy of a QUICK message"))
			late++;
		else if (strstr(s.text, "request, answering again"))
			answered += s.sends;
		else
			fail_msg("copy %u: %s", i, s.text);
	}
	/* the last request answered (QM1) gets its answer again; the rest are late copies */
	assert_true(late >= k.n - 3);
	assert_true(answered <= 1);
	assert_true(rig_pump(&r));
	assert_int_equal(r.s.children_up, children);
	assert_int_equal(r.s.policies, policies);
	assert_int_equal(r.s.verifies, verifies);
	assert_false(r.s.failed);
	assert_false(r.c.failed);
	free_copies(&k);
	rig_free(&r);
}

/* A copy with one byte changed matches nothing taken: judged as before, and reported. */
static void test_changed_copy_reported(void **state)
{
	(void)state;
	struct rig r;
	struct copies k = {0};
	struct seen s;
	rig_init(&r);
	r.tamper = keep_client;
	r.tamper_arg = &k;
	assert_true(rig_start(&r));
	r.tamper = NULL;
	assert_true(k.n >= 7);
	int children = r.s.children_up;
	for (unsigned i = 2; i < k.n; i++) { /* the encrypted ones */
		k.msg[i][k.len[i] - 1] ^= 0x01;
		deliver(&r, k.msg[i], k.len[i], &s);
		if (!s.louder || strstr(s.text, "late copy"))
			fail_msg("a changed copy %u was not reported:\n%s", i, s.text);
		assert_int_equal(s.other, 0);
		assert_int_equal(s.sends, 0);
	}
	assert_int_equal(r.s.children_up, children);
	free_copies(&k);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_late_copies_quiet),
	    cmocka_unit_test(test_changed_copy_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
