/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The anti-replay window as a numbered table: each row runs on the window the rows before it
 * left behind, so a failure names the row. Then a long random run against a naive model.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tun/replay.h"

#define W ESP_REPLAY_WINDOW

enum op { CHECK, COMMIT };

struct row {
	unsigned num;
	enum op op;
	uint32_t seq;
	bool accept;
	const char *what;
};

static const struct row rows[] = {
    {1, CHECK, 0, false, "seq 0 is never valid, even on a fresh window"},
    {2, COMMIT, 0, false, "seq 0 cannot be committed"},
    {3, CHECK, 1, true, "first packet"},
    {4, COMMIT, 1, true, "first packet committed"},
    {5, COMMIT, 1, false, "duplicate of the top"},
    {6, COMMIT, 2, true, "in order"},
    {7, COMMIT, 3, true, "in order"},
    {8, COMMIT, 5, true, "gap of one"},
    {9, COMMIT, 4, true, "late but inside the window"},
    {10, COMMIT, 4, false, "duplicate of a late one"},
    {11, COMMIT, 2, false, "duplicate below the top"},
    {12, CHECK, 0, false, "seq 0 after traffic"},
    {13, CHECK, 6, true, "check alone does not record"},
    {14, CHECK, 6, true, "so checking twice still accepts"},
    {15, COMMIT, 1000, true, "jump forward"},
    {16, COMMIT, 1000 - W + 1, true, "oldest number still inside the window"},
    {17, COMMIT, 1000 - W, false, "first number outside the window"},
    {18, COMMIT, 1000 - W + 1, false, "duplicate at the window's far edge"},
    {19, COMMIT, 6, false, "never seen but older than the window"},
    {20, COMMIT, 999, true, "just behind the top"},
    {21, COMMIT, 1000 + 3 * ESP_REPLAY_BITS, true, "jump beyond the whole ring"},
    {22, COMMIT, 999, false, "old top now far outside"},
    {23, COMMIT, 1000 + 3 * ESP_REPLAY_BITS - 1, true, "ring cleared by the jump: no stale bit"},
    {24, COMMIT, 1000 + 3 * ESP_REPLAY_BITS - 1, false, "duplicate after the jump"},
    {25, COMMIT, 4095, true, "last bit of a word"},
    {26, COMMIT, 4096, true, "first bit of the next word"},
    {27, COMMIT, 4097, true, "second bit of that word"},
    {28, COMMIT, 4096 + ESP_REPLAY_BITS - 64, true, "jump to the ring's last word"},
    {29, COMMIT, 4097, false, "replay exactly at the far edge (distance W - 1)"},
    {30, COMMIT, 4096, false, "distance W: outside"},
    {31, COMMIT, 4096 + ESP_REPLAY_BITS + 1, true, "top moves onto 4096's ring word"},
    {32, COMMIT, 4096 + ESP_REPLAY_BITS, true, "same ring bit as 4096: cleared, not a replay"},
    {33, COMMIT, 4096 + ESP_REPLAY_BITS, false, "now it is a replay"},
    {34, COMMIT, 0xfffffffeu, true, "near the 32-bit end"},
    {35, COMMIT, 0xffffffffu, true, "the very last sequence number"},
    {36, COMMIT, 0xffffffffu, false, "duplicate of the last"},
    {37, COMMIT, 0xfffffffeu, false, "duplicate just below the last"},
    {38, COMMIT, 1, false, "no wrap to 1 without ESN"},
    {39, COMMIT, 0, false, "and never 0"},
    {40, COMMIT, 0xffffffffu - W + 1, true, "far edge at the 32-bit end"},
    {41, COMMIT, 0xffffffffu - W, false, "outside the window at the 32-bit end"},
};

static void table(void **state)
{
	(void)state;
	struct esp_replay r;
	esp_replay_init(&r);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *c = &rows[i];
		struct esp_replay before = r;
		bool got =
		    c->op == CHECK ? esp_replay_check(&r, c->seq) : esp_replay_commit(&r, c->seq);
		if (got != c->accept)
			fail_msg("case %u (%s seq %u, %s): got %s", c->num,
			         c->op == CHECK ? "check" : "commit", c->seq, c->what,
			         got ? "accept" : "reject");
		if ((c->op == CHECK || !got) && memcmp(&before, &r, sizeof(r)) != 0)
			fail_msg("case %u: a check or a rejected commit changed the window",
			         c->num);
	}
	assert_int_equal(esp_replay_top(&r), 0xffffffffu);
}

/* Reference: remembers every committed number explicitly. */
struct model {
	uint32_t top;
	uint8_t *seen; /* indexed by seq, range is small in this test */
};

static bool model_check(const struct model *m, uint32_t seq)
{
	if (seq == 0)
		return false;
	if (seq > m->top)
		return true;
	if (m->top - seq >= W)
		return false;
	return !m->seen[seq];
}

static void random_vs_model(void **state)
{
	(void)state;
	enum { RANGE = 200000, STEPS = 300000 };
	struct model m = {0, calloc(RANGE + 1, 1)};
	struct esp_replay r;
	uint32_t x = 12345, base = 1;
	assert_non_null(m.seen);
	esp_replay_init(&r);
	for (unsigned i = 0; i < STEPS; i++) {
		x = x * 1103515245u + 12345u;
		/* Mostly near the top, sometimes far behind or far ahead: every branch runs. */
		uint32_t off = (x >> 8) % (2 * ESP_REPLAY_BITS);
		uint32_t seq = (x & 0x80) ? base + off : (base > off ? base - off : 0);
		if ((x & 0x7f) == 0)
			seq = base + 3 * ESP_REPLAY_BITS + off;
		if (seq > RANGE)
			break;
		bool want = model_check(&m, seq);
		if (esp_replay_check(&r, seq) != want)
			fail_msg("step %u: check(%u) with top %u disagrees with the model", i, seq,
			         m.top);
		if (esp_replay_commit(&r, seq) != want)
			fail_msg("step %u: commit(%u) disagrees with the model", i, seq);
		if (want) {
			m.seen[seq] = 1;
			if (seq > m.top)
				m.top = seq;
		}
		if (m.top > base)
			base = m.top;
	}
	assert_true(m.top > 10 * ESP_REPLAY_BITS);
	free(m.seen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table),
	    cmocka_unit_test(random_vs_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
