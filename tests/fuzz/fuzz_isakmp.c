/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the ISAKMP codec: header, payload chain, every body parser on every
 * payload found (and on the raw input), attribute lists to their end. Besides memory errors
 * (ASan/UBSan) it checks the codec's promises and aborts when one breaks: a rejection always
 * has a reason, accepted structures point inside the input, a validated attribute list
 * iterates cleanly, and what the builder writes from a parsed message parses back the same.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static bool inside(const uint8_t *p, size_t n, const uint8_t *base, size_t len)
{
	return p >= base && n <= len && (size_t)(p - base) <= len - n;
}

static void check_why(bool ok, const char *why)
{
	if (!ok)
		CHECK(why != NULL && why[0] != '\0');
}

/* Walks an attribute list; when `validated` the parser already accepted it, so it must end
 * cleanly. Every attribute is written back and must read back identically. */
static void walk_attrs(const uint8_t *p, size_t len, bool validated)
{
	struct rd r = rd_init(p, len);
	struct isakmp_attr a, b;
	int rc;

	while ((rc = isakmp_attr_next(&r, &a)) == 1) {
		uint8_t buf[4 + 65535];
		struct wr w = wr_init(buf, sizeof(buf));

		CHECK(a.type < 0x8000);
		if (a.tv) {
			CHECK(a.data == NULL && a.len == 0 && a.value_ok && a.value <= 0xffff);
			isakmp_attr_write_tv(&w, a.type, (uint16_t)a.value);
		} else {
			CHECK(inside(a.data, a.len, p, len));
			CHECK(a.value_ok == (a.len >= 1 && a.len <= 4));
			isakmp_attr_write_tlv(&w, a.type, a.data, a.len);
		}
		CHECK(!w.err);
		struct rd rr = rd_init(buf, w.len);
		CHECK(isakmp_attr_next(&rr, &b) == 1 && rr.left == 0);
		CHECK(b.type == a.type && b.tv == a.tv && b.value_ok == a.value_ok);
		CHECK(b.len == a.len && (!a.value_ok || b.value == a.value));
		CHECK(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
	}
	CHECK(rc == 0 || rc == -1);
	if (validated)
		CHECK(rc == 0 && r.left == 0);
	if (rc == -1) {
		/* a failing read leaves the cursor where it was */
		CHECK(r.left > 0 && inside(r.p, r.left, p, len));
		CHECK(isakmp_attr_next(&r, &a) == -1);
	}
}

/* Writes the SA back from its parsed form; it must parse again to the same structure. */
static void sa_rebuild(const struct isakmp_sa *sa, size_t orig_len)
{
	static uint8_t buf[65536];
	static struct isakmp_sa again;
	struct wr w = wr_init(buf, sizeof(buf));
	const char *why = NULL;

	wr_u32(&w, sa->doi);
	wr_u32(&w, sa->situation);
	for (size_t i = 0; i < sa->np; i++) {
		const struct isakmp_proposal *p = &sa->p[i];
		size_t poff = w.len;

		wr_u8(&w, i + 1 < sa->np ? ISAKMP_PL_P : ISAKMP_PL_NONE);
		wr_u8(&w, 0);
		wr_u16(&w, 0);
		wr_u8(&w, p->num);
		wr_u8(&w, p->proto);
		wr_u8(&w, p->spi_size);
		wr_u8(&w, (uint8_t)p->count);
		wr_bytes(&w, p->spi, p->spi_size);
		for (size_t k = 0; k < p->count; k++) {
			const struct isakmp_transform *t = &sa->t[p->first + k];
			size_t toff = w.len;

			wr_u8(&w, k + 1 < p->count ? ISAKMP_PL_T : ISAKMP_PL_NONE);
			wr_u8(&w, 0);
			wr_u16(&w, 0);
			wr_u8(&w, t->num);
			wr_u8(&w, t->id);
			wr_u16(&w, 0);
			wr_bytes(&w, t->attrs, t->attrs_len);
			wr_put_u16(&w, toff + 2, (uint16_t)(w.len - toff));
		}
		wr_put_u16(&w, poff + 2, (uint16_t)(w.len - poff));
	}
	CHECK(!w.err);
	CHECK(w.len == orig_len);
	CHECK(isakmp_sa_parse(buf, w.len, &again, &why));
	CHECK(again.np == sa->np && again.nt == sa->nt);
	for (size_t i = 0; i < sa->np; i++) {
		CHECK(again.p[i].num == sa->p[i].num && again.p[i].proto == sa->p[i].proto);
		CHECK(again.p[i].first == sa->p[i].first && again.p[i].count == sa->p[i].count);
		CHECK(memcmp(again.p[i].spi, sa->p[i].spi, sa->p[i].spi_size) == 0);
	}
	for (size_t k = 0; k < sa->nt; k++) {
		CHECK(again.t[k].id == sa->t[k].id && again.t[k].num == sa->t[k].num);
		CHECK(again.t[k].attrs_len == sa->t[k].attrs_len);
	}
}

/* Every body parser on one body, whatever its payload type claims. */
static void parse_bodies(const uint8_t *b, size_t len)
{
	static struct isakmp_sa sa;
	struct isakmp_id id;
	struct isakmp_notify n;
	struct isakmp_delete d;
	struct isakmp_cfg cfg;
	const char *why;
	bool ok;

	why = NULL;
	ok = isakmp_sa_parse(b, len, &sa, &why);
	check_why(ok, why);
	if (ok) {
		CHECK(sa.np >= 1 && sa.np <= ISAKMP_MAX_PROPOSALS);
		CHECK(sa.nt <= ISAKMP_MAX_TRANSFORMS);
		for (size_t i = 0; i < sa.np; i++) {
			CHECK(sa.p[i].spi_size <= sizeof(sa.p[i].spi));
			CHECK(sa.p[i].count >= 1 && sa.p[i].first + sa.p[i].count <= sa.nt);
		}
		for (size_t k = 0; k < sa.nt; k++) {
			CHECK(inside(sa.t[k].attrs, sa.t[k].attrs_len, b, len));
			walk_attrs(sa.t[k].attrs, sa.t[k].attrs_len, true);
		}
		sa_rebuild(&sa, len);
	}

	why = NULL;
	ok = isakmp_id_parse(b, len, &id, &why);
	check_why(ok, why);
	if (ok)
		CHECK(inside(id.data, id.len, b, len) && id.len + 4 == len);

	why = NULL;
	ok = isakmp_notify_parse(b, len, &n, &why);
	check_why(ok, why);
	if (ok) {
		CHECK(inside(n.spi, n.spi_size, b, len));
		CHECK(inside(n.data, n.data_len, b, len));
		CHECK(8 + (size_t)n.spi_size + n.data_len == len);
	}

	why = NULL;
	ok = isakmp_delete_parse(b, len, &d, &why);
	check_why(ok, why);
	if (ok)
		CHECK(inside(d.spis, (size_t)d.nspi * d.spi_size, b, len));

	why = NULL;
	ok = isakmp_cfg_parse(b, len, &cfg, &why);
	check_why(ok, why);
	if (ok) {
		CHECK(inside(cfg.attrs, cfg.attrs_len, b, len));
		walk_attrs(cfg.attrs, cfg.attrs_len, true);
	}

	/* raw attribute iteration, validated or not */
	walk_attrs(b, len, false);
}

/* The builder fed with the parsed payloads must produce a message that parses back to the
 * same header fields and payloads. */
static void rebuild_message(const struct isakmp_hdr *h, const struct isakmp_chain *c)
{
	static uint8_t buf[ISAKMP_MAX_MSG];
	static struct isakmp_chain c2;
	struct isakmp_builder b;
	struct isakmp_hdr h2;
	const char *why = NULL;
	size_t want = ISAKMP_HDR_LEN;

	for (size_t i = 0; i < c->n; i++)
		want += c->pl[i].raw_len;
	isakmp_build_start(&b, buf, sizeof(buf), h);
	for (size_t i = 0; i < c->n; i++)
		isakmp_build_payload(&b, c->pl[i].type, c->pl[i].body, c->pl[i].len);
	size_t n = isakmp_build_finish(&b);
	if (want > ISAKMP_MAX_MSG) {
		CHECK(n == 0);
		return;
	}
	CHECK(n == want);
	CHECK(isakmp_hdr_parse(buf, n, &h2, &why));
	CHECK(h2.len == n && h2.np == (c->n ? c->pl[0].type : ISAKMP_PL_NONE));
	CHECK(h2.exch == h->exch && h2.flags == h->flags && h2.msgid == h->msgid);
	CHECK(memcmp(h2.icky, h->icky, 8) == 0 && memcmp(h2.rcky, h->rcky, 8) == 0);
	CHECK(isakmp_chain_parse(buf + ISAKMP_HDR_LEN, n - ISAKMP_HDR_LEN, h2.np, &c2, &why));
	CHECK(c2.n == c->n);
	for (size_t i = 0; i < c->n; i++) {
		CHECK(c2.pl[i].type == c->pl[i].type && c2.pl[i].len == c->pl[i].len);
		CHECK(c->pl[i].len == 0 || memcmp(c2.pl[i].body, c->pl[i].body, c->pl[i].len) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct isakmp_chain c;
	struct isakmp_hdr h;
	const char *why = NULL;
	bool ok;

	ok = isakmp_hdr_parse(data, size, &h, &why);
	check_why(ok, why);
	if (ok) {
		const uint8_t *body = data + ISAKMP_HDR_LEN;
		size_t len = h.len - ISAKMP_HDR_LEN;

		CHECK(h.len >= ISAKMP_HDR_LEN && h.len <= size);
		why = NULL;
		ok = isakmp_chain_parse(body, len, h.np, &c, &why);
		check_why(ok, why);
		if (ok) {
			CHECK(c.n <= ISAKMP_MAX_PAYLOADS);
			CHECK(c.n > 0 || h.np == ISAKMP_PL_NONE);
			for (size_t i = 0; i < c.n; i++) {
				const struct isakmp_pl *pl = &c.pl[i];
				CHECK(inside(pl->raw, pl->raw_len, body, len));
				CHECK(pl->body == pl->raw + ISAKMP_GEN_LEN);
				CHECK(pl->len + ISAKMP_GEN_LEN == pl->raw_len);
				CHECK(isakmp_chain_find(&c, pl->type, 0) <= pl);
				CHECK(isakmp_chain_count(&c, pl->type) >= 1);
				CHECK(isakmp_pl_name(pl->type) != NULL);
				parse_bodies(pl->body, pl->len);
			}
			rebuild_message(&h, &c);
		}
		CHECK(isakmp_exch_name(h.exch) != NULL);
	}
	/* the body parsers straight on the input, without framing */
	parse_bodies(data, size);
	return 0;
}
