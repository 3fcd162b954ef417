/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Table tests of the bounded reader/writer: every accessor at every remaining length around
 * its size, checking the value read, the cursor on success and an untouched cursor on failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/bytes.h"

static const uint8_t src[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xfe, 0xff};

enum op { OP_U8, OP_U16, OP_U32, OP_COPY, OP_PTR, OP_SUB, OP_SKIP };

struct rd_case {
	enum op op;
	size_t n;     /* bytes the accessor needs */
	size_t avail; /* bytes the reader holds */
	size_t start; /* offset into src where the reader begins */
	bool ok;
	uint32_t value; /* for the integer readers */
};

static const struct rd_case rd_cases[] = {
    {OP_U8, 1, 0, 0, false, 0},           {OP_U8, 1, 1, 0, true, 0x01},
    {OP_U8, 1, 2, 8, true, 0xfe},         {OP_U16, 2, 0, 0, false, 0},
    {OP_U16, 2, 1, 0, false, 0},          {OP_U16, 2, 2, 0, true, 0x0102},
    {OP_U16, 2, 2, 8, true, 0xfeff},      {OP_U16, 2, 3, 1, true, 0x0203},
    {OP_U32, 4, 0, 0, false, 0},          {OP_U32, 4, 1, 0, false, 0},
    {OP_U32, 4, 2, 0, false, 0},          {OP_U32, 4, 3, 0, false, 0},
    {OP_U32, 4, 4, 0, true, 0x01020304},  {OP_U32, 4, 4, 6, true, 0x0708feff},
    {OP_U32, 4, 10, 4, true, 0x05060708}, {OP_COPY, 0, 0, 0, true, 0},
    {OP_COPY, 3, 2, 0, false, 0},         {OP_COPY, 3, 3, 2, true, 0},
    {OP_COPY, 10, 10, 0, true, 0},        {OP_COPY, 11, 10, 0, false, 0},
    {OP_PTR, 0, 0, 0, true, 0},           {OP_PTR, 1, 0, 0, false, 0},
    {OP_PTR, 5, 4, 0, false, 0},          {OP_PTR, 5, 5, 5, true, 0},
    {OP_SUB, 0, 3, 0, true, 0},           {OP_SUB, 4, 3, 0, false, 0},
    {OP_SUB, 4, 6, 2, true, 0},           {OP_SKIP, 0, 0, 0, true, 0},
    {OP_SKIP, 7, 6, 0, false, 0},         {OP_SKIP, 7, 7, 1, true, 0},
    {OP_SKIP, SIZE_MAX, 10, 0, false, 0}, {OP_COPY, SIZE_MAX, 10, 0, false, 0},
    {OP_PTR, SIZE_MAX, 10, 0, false, 0},  {OP_SUB, SIZE_MAX, 10, 0, false, 0},
};

static void test_reader_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rd_cases) / sizeof(rd_cases[0]); i++) {
		const struct rd_case *c = &rd_cases[i];
		struct rd r = rd_init(src + c->start, c->avail);
		const struct rd before = r;
		uint8_t u8 = 0xaa, out[16];
		uint16_t u16 = 0xaaaa;
		uint32_t u32 = 0xaaaaaaaa, got = 0;
		const uint8_t *p = NULL;
		struct rd sub = {NULL, 0};
		bool ok = false;

		memset(out, 0xaa, sizeof(out));
		switch (c->op) {
		case OP_U8:
			ok = rd_u8(&r, &u8);
			got = u8;
			break;
		case OP_U16:
			ok = rd_u16(&r, &u16);
			got = u16;
			break;
		case OP_U32:
			ok = rd_u32(&r, &u32);
			got = u32;
			break;
		case OP_COPY:
			ok = rd_copy(&r, out, c->n);
			break;
		case OP_PTR:
			ok = rd_ptr(&r, c->n, &p);
			break;
		case OP_SUB:
			ok = rd_sub(&r, c->n, &sub);
			break;
		case OP_SKIP:
			ok = rd_skip(&r, c->n);
			break;
		}
		if (ok != c->ok)
			fail_msg("case %zu: op %d n %zu avail %zu returned %d", i, (int)c->op, c->n,
			         c->avail, ok);
		if (!ok) {
			/* the cursor and the outputs stay as they were */
			assert_ptr_equal(r.p, before.p);
			assert_int_equal(r.left, before.left);
			assert_int_equal(u8, 0xaa);
			assert_int_equal(u16, 0xaaaa);
			assert_int_equal(u32, 0xaaaaaaaa);
			assert_null(p);
			assert_null(sub.p);
			for (size_t k = 0; k < sizeof(out); k++)
				assert_int_equal(out[k], 0xaa);
			continue;
		}
		assert_ptr_equal(r.p, before.p + c->n);
		assert_int_equal(r.left, before.left - c->n);
		switch (c->op) {
		case OP_U8:
		case OP_U16:
		case OP_U32:
			if (got != c->value)
				fail_msg("case %zu: read 0x%x, want 0x%x", i, got, c->value);
			break;
		case OP_COPY:
			if (c->n)
				assert_memory_equal(out, src + c->start, c->n);
			if (c->n < sizeof(out))
				assert_int_equal(out[c->n], 0xaa);
			break;
		case OP_PTR:
			assert_ptr_equal(p, src + c->start);
			break;
		case OP_SUB:
			assert_ptr_equal(sub.p, src + c->start);
			assert_int_equal(sub.left, c->n);
			break;
		case OP_SKIP:
			break;
		}
	}
}

/* A reader over nothing (NULL, 0) must still answer zero-length requests and refuse the rest. */
static void test_reader_empty_null(void **state)
{
	(void)state;
	struct rd r = rd_init(NULL, 0);
	const uint8_t *p = src;
	struct rd sub;
	uint8_t v;

	assert_true(rd_copy(&r, NULL, 0));
	assert_true(rd_ptr(&r, 0, &p));
	assert_null(p);
	assert_true(rd_sub(&r, 0, &sub));
	assert_int_equal(sub.left, 0);
	assert_true(rd_skip(&r, 0));
	assert_false(rd_u8(&r, &v));
	assert_null(r.p);
	assert_int_equal(r.left, 0);
}

/* A sequence like a payload parser does: mixed widths, a failure in the middle, then recovery
 * with a shorter read from the unchanged cursor. */
static void test_reader_sequence(void **state)
{
	(void)state;
	struct rd r = rd_init(src, sizeof(src));
	uint8_t b;
	uint16_t h;
	uint32_t w;
	struct rd sub;
	uint8_t tail[2];

	assert_true(rd_u8(&r, &b));
	assert_int_equal(b, 0x01);
	assert_true(rd_u16(&r, &h));
	assert_int_equal(h, 0x0203);
	assert_true(rd_sub(&r, 4, &sub));
	assert_true(rd_u32(&sub, &w));
	assert_int_equal(w, 0x04050607);
	assert_false(rd_u8(&sub, &b));
	assert_int_equal(r.left, 3);
	assert_false(rd_u32(&r, &w));
	assert_int_equal(r.left, 3);
	assert_true(rd_u8(&r, &b));
	assert_int_equal(b, 0x08);
	assert_false(rd_copy(&r, tail, 3));
	assert_true(rd_copy(&r, tail, 2));
	assert_int_equal(tail[0], 0xfe);
	assert_int_equal(tail[1], 0xff);
	assert_int_equal(r.left, 0);
	assert_true(rd_skip(&r, 0));
	assert_false(rd_skip(&r, 1));
}

static void test_writer_known_bytes(void **state)
{
	(void)state;
	static const uint8_t want[] = {0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01,
	                               0x02, 0x00, 0x00, 0x00, 0x00, 0xff, 0xfe};
	uint8_t buf[32];
	struct wr w = wr_init(buf, sizeof(buf));

	memset(buf, 0x55, sizeof(buf));
	wr_u8(&w, 0xab);
	wr_u16(&w, 0x1234);
	wr_u32(&w, 0xdeadbeef);
	wr_bytes(&w, "\x01\x02", 2);
	wr_bytes(&w, NULL, 0);
	wr_zero(&w, 4);
	wr_zero(&w, 0);
	wr_u16(&w, 0xfffe);
	assert_false(w.err);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(buf[sizeof(want)], 0x55);

	/* patches inside what was written */
	wr_put_u16(&w, 1, 0xa1b2);
	wr_put_u32(&w, 11, 0xc1d2e3f4);
	assert_false(w.err);
	assert_int_equal(buf[1], 0xa1);
	assert_int_equal(buf[2], 0xb2);
	assert_int_equal(buf[11], 0xc1);
	assert_int_equal(buf[14], 0xf4);
	assert_int_equal(w.len, sizeof(want));
}

struct wr_case {
	size_t cap;
	size_t used; /* bytes written before the step */
	size_t n;    /* size of the step */
	bool ok;
};

static const struct wr_case wr_cases[] = {
    {0, 0, 1, false}, {1, 0, 1, true},  {1, 1, 1, false},        {2, 1, 2, false},
    {3, 1, 2, true},  {4, 1, 4, false}, {5, 1, 4, true},         {8, 8, 0, true},
    {8, 7, 2, false}, {8, 0, 9, false}, {8, 4, SIZE_MAX, false},
};

/* Each width at every fill level: an overflow sets err, writes nothing and is sticky. */
static void test_writer_overflow_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(wr_cases) / sizeof(wr_cases[0]); i++) {
		const struct wr_case *c = &wr_cases[i];
		for (int kind = 0; kind < 5; kind++) {
			static const size_t width[] = {1, 2, 4};
			uint8_t buf[16];
			struct wr w = wr_init(buf, c->cap);

			/* the fixed-width writers only run on the rows of their own width */
			if (kind < 3 && width[kind] != c->n)
				continue;
			memset(buf, 0x77, sizeof(buf));
			wr_zero(&w, c->used);
			assert_false(w.err);
			switch (kind) {
			case 0:
				wr_u8(&w, 0x11);
				break;
			case 1:
				wr_u16(&w, 0x1122);
				break;
			case 2:
				wr_u32(&w, 0x11223344);
				break;
			case 3:
				/* src is never read when n does not fit (all such rows exceed cap)
				 */
				wr_bytes(&w, c->n <= sizeof(src) ? src : NULL, c->n);
				break;
			default:
				wr_zero(&w, c->n);
				break;
			}
			bool ok = !w.err;
			if (ok != c->ok)
				fail_msg("case %zu kind %d: cap %zu used %zu n %zu err %d", i, kind,
				         c->cap, c->used, c->n, w.err);
			if (!ok) {
				assert_int_equal(w.len, c->used);
				for (size_t k = c->used; k < sizeof(buf); k++)
					assert_int_equal(buf[k], 0x77);
				/* sticky: even a write that would fit is ignored now */
				wr_zero(&w, 0);
				wr_u8(&w, 1);
				assert_true(w.err);
				assert_int_equal(w.len, c->used);
			} else {
				assert_int_equal(w.len, c->used + c->n);
				if (kind == 3 && c->n)
					assert_memory_equal(buf + c->used, src, c->n);
			}
		}
	}
}

static void test_writer_put_bounds(void **state)
{
	(void)state;
	uint8_t buf[8];
	struct wr w;

	/* offsets beyond what was written are an error even if the buffer is large enough */
	w = wr_init(buf, sizeof(buf));
	wr_zero(&w, 3);
	wr_put_u16(&w, 1, 0x0102);
	assert_false(w.err);
	wr_put_u16(&w, 2, 0x0304);
	assert_true(w.err);

	w = wr_init(buf, sizeof(buf));
	wr_zero(&w, 4);
	wr_put_u32(&w, 0, 0x01020304);
	assert_false(w.err);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[3], 4);
	wr_put_u32(&w, 1, 0);
	assert_true(w.err);

	w = wr_init(buf, sizeof(buf));
	wr_zero(&w, 4);
	wr_put_u32(&w, SIZE_MAX - 1, 0);
	assert_true(w.err);

	w = wr_init(buf, sizeof(buf));
	wr_zero(&w, 2);
	wr_put_u16(&w, SIZE_MAX, 0);
	assert_true(w.err);

	/* a writer with no buffer at all only accepts nothing */
	w = wr_init(NULL, 0);
	wr_bytes(&w, NULL, 0);
	assert_false(w.err);
	wr_u8(&w, 0);
	assert_true(w.err);
	assert_int_equal(w.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reader_table),          cmocka_unit_test(test_reader_empty_null),
	    cmocka_unit_test(test_reader_sequence),       cmocka_unit_test(test_writer_known_bytes),
	    cmocka_unit_test(test_writer_overflow_table), cmocka_unit_test(test_writer_put_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
