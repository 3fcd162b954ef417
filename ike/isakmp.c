/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ISAKMP codec (RFC 2408, RFC 2407, draft-dukes-ike-mode-cfg-02). Each parser first checks the
 * declared lengths against the bytes it was given, then fills a typed struct whose pointers
 * alias the input. All reads go through struct rd; a failure names the field that did not
 * fit so a log line says what the peer got wrong.
 */
#include <stdint.h>
#include <string.h>

#include "ike/isakmp.h"

static bool fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return false;
}

/* ---- header ----
 *                      1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Initiator                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Responder                            !
 * !                            Cookie                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !  Next Payload ! MjVer ! MnVer ! Exchange Type !     Flags     !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                          Message ID                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                            Length                             !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
bool isakmp_hdr_parse(const uint8_t *pkt, size_t len, struct isakmp_hdr *h, const char **why)
{
	struct rd r = rd_init(pkt, len);
	struct isakmp_hdr t;

	if (!rd_copy(&r, t.icky, sizeof(t.icky)) || !rd_copy(&r, t.rcky, sizeof(t.rcky)) ||
	    !rd_u8(&r, &t.np) || !rd_u8(&r, &t.version) || !rd_u8(&r, &t.exch) ||
	    !rd_u8(&r, &t.flags) || !rd_u32(&r, &t.msgid) || !rd_u32(&r, &t.len))
		return fail(why, "datagram shorter than the 28-byte ISAKMP header");
	if ((t.version >> 4) != (ISAKMP_VERSION >> 4))
		return fail(why, "ISAKMP major version is not 1 (IKEv2 or garbage?)");
	if (t.len < ISAKMP_HDR_LEN)
		return fail(why, "ISAKMP header length field is below the 28-byte header");
	if (t.len > len)
		return fail(why, "ISAKMP header length field exceeds the datagram size");
	*h = t;
	return true;
}

void isakmp_hdr_write(struct wr *w, const struct isakmp_hdr *h)
{
	wr_bytes(w, h->icky, sizeof(h->icky));
	wr_bytes(w, h->rcky, sizeof(h->rcky));
	wr_u8(w, h->np);
	wr_u8(w, h->version);
	wr_u8(w, h->exch);
	wr_u8(w, h->flags);
	wr_u32(w, h->msgid);
	wr_u32(w, h->len);
}

/* ---- payload chain ----
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ! Next Payload  !   RESERVED    !         Payload Length        !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
struct gen_hdr {
	uint8_t np;
	uint8_t reserved;
	uint16_t len;
};

enum gen_err {
	GEN_OK,
	GEN_TRUNC,   /* fewer than 4 bytes left */
	GEN_SHORT,   /* declared length below the minimum for this payload */
	GEN_OVERRUN, /* declared length beyond the bytes left */
};

/* Reads a generic header and splits its body off r; r is unchanged on failure so the caller
 * can word the error for the payload it expected. */
static enum gen_err gen_split(struct rd *r, struct gen_hdr *g, size_t min_len, struct rd *body)
{
	struct rd t = *r;

	if (!rd_u8(&t, &g->np) || !rd_u8(&t, &g->reserved) || !rd_u16(&t, &g->len))
		return GEN_TRUNC;
	if (g->len < min_len)
		return GEN_SHORT;
	if (!rd_sub(&t, g->len - ISAKMP_GEN_LEN, body))
		return GEN_OVERRUN;
	*r = t;
	return GEN_OK;
}

bool isakmp_chain_parse(const uint8_t *body, size_t len, uint8_t first_np, struct isakmp_chain *c,
                        const char **why)
{
	struct rd r = rd_init(body, len);
	uint8_t np = first_np;

	c->n = 0;
	while (np != ISAKMP_PL_NONE) {
		struct gen_hdr g;
		struct rd b;
		const uint8_t *raw = r.p;

		if (c->n == ISAKMP_MAX_PAYLOADS)
			return fail(why, "more than 48 payloads in one message");
		switch (gen_split(&r, &g, ISAKMP_GEN_LEN, &b)) {
		case GEN_OK:
			break;
		case GEN_TRUNC:
			return fail(why,
			            "payload generic header truncated (fewer than 4 bytes left)");
		case GEN_SHORT:
			return fail(why, "payload length below its 4-byte generic header");
		case GEN_OVERRUN:
			return fail(why, "payload length exceeds the bytes left in the message");
		}
		c->pl[c->n].type = np;
		c->pl[c->n].raw = raw;
		c->pl[c->n].raw_len = g.len;
		c->pl[c->n].body = b.p;
		c->pl[c->n].len = b.left;
		c->n++;
		np = g.np;
	}
	return true;
}

const struct isakmp_pl *isakmp_chain_find(const struct isakmp_chain *c, uint8_t t, size_t from)
{
	for (size_t i = from; i < c->n; i++)
		if (c->pl[i].type == t)
			return &c->pl[i];
	return NULL;
}

size_t isakmp_chain_count(const struct isakmp_chain *c, uint8_t t)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		if (c->pl[i].type == t)
			n++;
	return n;
}

/* ---- data attributes ----
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !A!       Attribute Type        !    AF=0  Attribute Length     !
 * !F!                             !    AF=1  Attribute Value      !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * .                   AF=0  Attribute Value                       .
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
#define ATTR_AF 0x8000

enum attr_err {
	ATTR_ERR_NONE,
	ATTR_ERR_TRUNC,
	ATTR_ERR_OVERRUN,
};

static int attr_read(struct rd *r, struct isakmp_attr *a, enum attr_err *err)
{
	struct rd t = *r;
	uint16_t type, v;

	*err = ATTR_ERR_NONE;
	if (t.left == 0)
		return 0;
	if (!rd_u16(&t, &type) || !rd_u16(&t, &v)) {
		*err = ATTR_ERR_TRUNC;
		return -1;
	}
	memset(a, 0, sizeof(*a));
	a->type = type & (uint16_t)~ATTR_AF;
	if (type & ATTR_AF) {
		a->tv = true;
		a->value = v;
		a->value_ok = true;
	} else {
		if (!rd_ptr(&t, v, &a->data)) {
			*err = ATTR_ERR_OVERRUN;
			return -1;
		}
		a->len = v;
		if (v >= 1 && v <= 4) {
			struct rd d = rd_init(a->data, a->len);
			uint8_t b;

			while (rd_u8(&d, &b))
				a->value = a->value << 8 | b;
			a->value_ok = true;
		}
	}
	*r = t;
	return 1;
}

int isakmp_attr_next(struct rd *r, struct isakmp_attr *a)
{
	enum attr_err err;

	return attr_read(r, a, &err);
}

/* Walks a whole attribute list so callers can later iterate it without error handling. */
static bool attrs_check(const uint8_t *p, size_t len, const char *trunc, const char *overrun,
                        const char **why)
{
	struct rd r = rd_init(p, len);
	struct isakmp_attr a;
	enum attr_err err;
	int rc;

	while ((rc = attr_read(&r, &a, &err)) > 0)
		;
	if (rc < 0)
		return fail(why, err == ATTR_ERR_TRUNC ? trunc : overrun);
	return true;
}

void isakmp_attr_write_tv(struct wr *w, uint16_t type, uint16_t value)
{
	wr_u16(w, (uint16_t)(type | ATTR_AF));
	wr_u16(w, value);
}

void isakmp_attr_write_tlv(struct wr *w, uint16_t type, const void *data, size_t len)
{
	/* a TLV longer than its 16-bit length field cannot be encoded: poison the message */
	if (len > UINT16_MAX) {
		w->err = true;
		return;
	}
	wr_u16(w, (uint16_t)(type & (uint16_t)~ATTR_AF));
	wr_u16(w, (uint16_t)len);
	wr_bytes(w, data, len);
}

void isakmp_attr_write_int(struct wr *w, uint16_t type, uint32_t value)
{
	if (value <= UINT16_MAX) {
		isakmp_attr_write_tv(w, type, (uint16_t)value);
		return;
	}
	wr_u16(w, (uint16_t)(type & (uint16_t)~ATTR_AF));
	wr_u16(w, 4);
	wr_u32(w, value);
}

/* ---- SA / proposal / transform ----
 * SA body:
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !              Domain of Interpretation  (DOI)                  !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * !                           Situation                           !
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * Proposal (after its generic header, next payload 2 or 0):
 * !  Proposal #   !  Protocol-Id  !    SPI Size   !# of Transforms!
 * !                        SPI (variable)                         !
 * Transform (after its generic header, next payload 3 or 0):
 * !  Transform #  !  Transform-Id !           RESERVED2           !
 * !                        SA Attributes                          !
 */
#define ISAKMP_PROP_HDR 8
#define ISAKMP_TRANS_HDR 8

static bool transform_parse(struct rd *pr, bool last, struct isakmp_sa *sa, const char **why)
{
	struct gen_hdr g;
	struct rd b;
	struct isakmp_transform *t;
	uint16_t reserved;

	if (sa->nt == ISAKMP_MAX_TRANSFORMS)
		return fail(why, "SA payload has more than 128 transforms in total");
	switch (gen_split(pr, &g, ISAKMP_TRANS_HDR, &b)) {
	case GEN_OK:
		break;
	case GEN_TRUNC:
		return fail(why, "proposal ends before its declared number of transforms");
	case GEN_SHORT:
		return fail(why, "transform length below its 8-byte header");
	case GEN_OVERRUN:
		return fail(why, "transform length exceeds the proposal");
	}
	if (last && g.np != ISAKMP_PL_NONE)
		return fail(why,
		            "last transform of a proposal has a next payload other than 0 (more "
		            "transforms than the proposal declares?)");
	if (!last && g.np != ISAKMP_PL_T)
		return fail(why,
		            "transform next payload is not 3 (T) although the proposal declares "
		            "more transforms");
	t = &sa->t[sa->nt];
	if (!rd_u8(&b, &t->num) || !rd_u8(&b, &t->id) || !rd_u16(&b, &reserved))
		return fail(why, "transform header truncated");
	t->attrs = b.p;
	t->attrs_len = b.left;
	if (!attrs_check(t->attrs, t->attrs_len,
	                 "transform attribute truncated (fewer than 4 bytes left in the transform)",
	                 "transform attribute length exceeds the transform", why))
		return false;
	sa->nt++;
	return true;
}

static bool proposal_parse(struct rd *r, uint8_t *np, struct isakmp_sa *sa, const char **why)
{
	struct gen_hdr g;
	struct rd b;
	struct isakmp_proposal *p;
	uint8_t ntrans;

	if (sa->np == ISAKMP_MAX_PROPOSALS)
		return fail(why, "SA payload has more than 32 proposals");
	switch (gen_split(r, &g, ISAKMP_PROP_HDR, &b)) {
	case GEN_OK:
		break;
	case GEN_TRUNC:
		return fail(why, "SA payload ends inside a proposal generic header");
	case GEN_SHORT:
		return fail(why, "proposal length below its 8-byte header");
	case GEN_OVERRUN:
		return fail(why, "proposal length exceeds the SA payload");
	}
	p = &sa->p[sa->np];
	memset(p, 0, sizeof(*p));
	if (!rd_u8(&b, &p->num) || !rd_u8(&b, &p->proto) || !rd_u8(&b, &p->spi_size) ||
	    !rd_u8(&b, &ntrans))
		return fail(why, "proposal header truncated");
	if (p->spi_size > sizeof(p->spi))
		return fail(why, "proposal SPI size above 16 bytes");
	if (!rd_copy(&b, p->spi, p->spi_size))
		return fail(why, "proposal SPI exceeds the proposal length");
	if (ntrans == 0)
		return fail(why, "proposal declares no transforms");
	p->first = sa->nt;
	for (unsigned i = 0; i < ntrans; i++)
		if (!transform_parse(&b, i + 1u == ntrans, sa, why))
			return false;
	if (b.left)
		return fail(why, "proposal has bytes after its declared number of transforms");
	p->count = ntrans;
	sa->np++;
	*np = g.np;
	return true;
}

bool isakmp_sa_parse(const uint8_t *body, size_t len, struct isakmp_sa *sa, const char **why)
{
	struct rd r = rd_init(body, len);
	uint8_t np;

	sa->np = 0;
	sa->nt = 0;
	if (!rd_u32(&r, &sa->doi) || !rd_u32(&r, &sa->situation))
		return fail(why, "SA payload shorter than its DOI and situation");
	if (sa->doi != ISAKMP_DOI_IPSEC)
		return fail(why, "SA DOI is not 1 (IPsec)");
	if (sa->situation != ISAKMP_SIT_IDENTITY_ONLY)
		return fail(why, "SA situation is not 1 (SIT_IDENTITY_ONLY)");
	if (r.left == 0)
		return fail(why, "SA payload has no proposal");
	do {
		if (!proposal_parse(&r, &np, sa, why))
			return false;
		if (np != ISAKMP_PL_NONE && np != ISAKMP_PL_P)
			return fail(why, "proposal next payload is neither 2 (P) nor 0");
		if (np == ISAKMP_PL_P && r.left == 0)
			return fail(why,
			            "proposal announces another proposal but the SA payload ends");
	} while (np == ISAKMP_PL_P);
	if (r.left)
		return fail(why, "SA payload has bytes after its last proposal");
	return true;
}

/* ---- simple bodies ---- */

/* ID (RFC 2407 4.6.2):
 * !   ID Type     !  Protocol ID  !             Port              !
 * !                     Identification Data                       !
 */
bool isakmp_id_parse(const uint8_t *body, size_t len, struct isakmp_id *id, const char **why)
{
	struct rd r = rd_init(body, len);
	struct isakmp_id t;

	if (!rd_u8(&r, &t.type) || !rd_u8(&r, &t.proto) || !rd_u16(&r, &t.port))
		return fail(why, "ID payload shorter than its 4-byte header");
	t.data = r.p;
	t.len = r.left;
	if (t.type == ISAKMP_ID_IPV4_ADDR && t.len != 4)
		return fail(why, "ID_IPV4_ADDR data is not 4 bytes");
	if (t.type == ISAKMP_ID_IPV4_ADDR_SUBNET && t.len != 8)
		return fail(why, "ID_IPV4_ADDR_SUBNET data is not 8 bytes (address and mask)");
	*id = t;
	return true;
}

/* Notification (RFC 2408 3.14):
 * !              Domain of Interpretation  (DOI)                  !
 * !  Protocol-ID  !   SPI Size    !      Notify Message Type      !
 * !                Security Parameter Index (SPI)                 !
 * !                       Notification Data                       !
 */
bool isakmp_notify_parse(const uint8_t *body, size_t len, struct isakmp_notify *n, const char **why)
{
	struct rd r = rd_init(body, len);
	struct isakmp_notify t;

	if (!rd_u32(&r, &t.doi) || !rd_u8(&r, &t.proto) || !rd_u8(&r, &t.spi_size) ||
	    !rd_u16(&r, &t.type))
		return fail(why, "notification shorter than its 8-byte header");
	if (!rd_ptr(&r, t.spi_size, &t.spi))
		return fail(why, "notification SPI size exceeds the payload");
	t.data = r.p;
	t.data_len = r.left;
	*n = t;
	return true;
}

/* Delete (RFC 2408 3.15):
 * !              Domain of Interpretation  (DOI)                  !
 * !  Protocol-Id  !   SPI Size    !           # of SPIs           !
 * !               Security Parameter Index(es) (SPI)              !
 */
bool isakmp_delete_parse(const uint8_t *body, size_t len, struct isakmp_delete *d, const char **why)
{
	struct rd r = rd_init(body, len);
	struct isakmp_delete t;

	if (!rd_u32(&r, &t.doi) || !rd_u8(&r, &t.proto) || !rd_u8(&r, &t.spi_size) ||
	    !rd_u16(&r, &t.nspi))
		return fail(why, "delete payload shorter than its 8-byte header");
	if (!rd_ptr(&r, (size_t)t.nspi * t.spi_size, &t.spis))
		return fail(why, "delete payload SPI count times SPI size exceeds the payload");
	if (r.left)
		return fail(why, "delete payload has bytes after its SPIs");
	*d = t;
	return true;
}

/* Attribute payload (mode-cfg-02 3.2):
 * !     Type      !   RESERVED    !           Identifier          !
 * !                     Data Attributes                           !
 */
bool isakmp_cfg_parse(const uint8_t *body, size_t len, struct isakmp_cfg *c, const char **why)
{
	struct rd r = rd_init(body, len);
	struct isakmp_cfg t;
	uint8_t reserved;

	if (!rd_u8(&r, &t.type) || !rd_u8(&r, &reserved) || !rd_u16(&r, &t.id))
		return fail(why, "mode-config ATTR payload shorter than its 4-byte header");
	t.attrs = r.p;
	t.attrs_len = r.left;
	if (!attrs_check(t.attrs, t.attrs_len,
	                 "mode-config attribute truncated (fewer than 4 bytes left in the payload)",
	                 "mode-config attribute length exceeds the ATTR payload", why))
		return false;
	*c = t;
	return true;
}

/* ---- message builder ---- */
#define ISAKMP_HDR_NP_OFF 16
#define ISAKMP_HDR_LEN_OFF 24

/* Next-payload bytes are single bytes inside what was already written; out of range means
 * the builder state is corrupt, which poisons the message like an overflow. */
static void wr_patch_u8(struct wr *w, size_t off, uint8_t v)
{
	if (w->err)
		return;
	if (off >= w->len) {
		w->err = true;
		return;
	}
	w->buf[off] = v;
}

void isakmp_build_start(struct isakmp_builder *b, void *buf, size_t cap, const struct isakmp_hdr *h)
{
	struct isakmp_hdr t = *h;

	t.np = ISAKMP_PL_NONE;
	t.len = 0;
	b->w = wr_init(buf, cap);
	b->np_off = ISAKMP_HDR_NP_OFF;
	b->pl_off = SIZE_MAX;
	isakmp_hdr_write(&b->w, &t);
}

void isakmp_build_open(struct isakmp_builder *b, uint8_t t)
{
	/* payloads do not nest at this level: an open one ends where the next begins */
	if (b->pl_off != SIZE_MAX)
		isakmp_build_close(b);
	wr_patch_u8(&b->w, b->np_off, t);
	b->np_off = b->w.len;
	b->pl_off = b->w.len;
	wr_u8(&b->w, ISAKMP_PL_NONE);
	wr_u8(&b->w, 0);
	wr_u16(&b->w, 0);
}

void isakmp_build_close(struct isakmp_builder *b)
{
	if (b->pl_off == SIZE_MAX) {
		b->w.err = true;
		return;
	}
	size_t len = b->w.len - b->pl_off;
	if (len > UINT16_MAX)
		b->w.err = true;
	else
		wr_put_u16(&b->w, b->pl_off + 2, (uint16_t)len);
	b->pl_off = SIZE_MAX;
}

void isakmp_build_payload(struct isakmp_builder *b, uint8_t t, const void *body, size_t len)
{
	isakmp_build_open(b, t);
	wr_bytes(&b->w, body, len);
	isakmp_build_close(b);
}

size_t isakmp_build_finish(struct isakmp_builder *b)
{
	if (b->pl_off != SIZE_MAX)
		isakmp_build_close(b);
	if (b->w.len > ISAKMP_MAX_MSG)
		b->w.err = true;
	wr_put_u32(&b->w, ISAKMP_HDR_LEN_OFF, (uint32_t)b->w.len);
	return b->w.err ? 0 : b->w.len;
}

/* ---- names for logs ---- */
struct name {
	unsigned v;
	const char *s;
};

static const char *lookup(const struct name *t, size_t n, unsigned v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].s;
	return "UNKNOWN";
}

#define LOOKUP(table, v) lookup(table, sizeof(table) / sizeof(table[0]), v)

const char *isakmp_exch_name(unsigned e)
{
	static const struct name t[] = {
	    {ISAKMP_EXCH_MAIN, "MAIN"},          {ISAKMP_EXCH_AGGRESSIVE, "AGGRESSIVE"},
	    {ISAKMP_EXCH_INFO, "INFORMATIONAL"}, {ISAKMP_EXCH_TRANSACTION, "TRANSACTION"},
	    {ISAKMP_EXCH_QUICK, "QUICK"},        {33, "NEW-GROUP"},
	};
	return LOOKUP(t, e);
}

const char *isakmp_pl_name(unsigned p)
{
	static const struct name t[] = {
	    {ISAKMP_PL_NONE, "NONE"},
	    {ISAKMP_PL_SA, "SA"},
	    {ISAKMP_PL_P, "P"},
	    {ISAKMP_PL_T, "T"},
	    {ISAKMP_PL_KE, "KE"},
	    {ISAKMP_PL_ID, "ID"},
	    {ISAKMP_PL_CERT, "CERT"},
	    {ISAKMP_PL_CR, "CR"},
	    {ISAKMP_PL_HASH, "HASH"},
	    {ISAKMP_PL_SIG, "SIG"},
	    {ISAKMP_PL_NONCE, "NONCE"},
	    {ISAKMP_PL_N, "N"},
	    {ISAKMP_PL_D, "D"},
	    {ISAKMP_PL_VID, "VID"},
	    {ISAKMP_PL_ATTR, "ATTR"},
	    {ISAKMP_PL_NATD, "NAT-D"},
	    {ISAKMP_PL_NATOA, "NAT-OA"},
	    {ISAKMP_PL_NATD_DRAFT, "NAT-D-DRAFT"},
	    {ISAKMP_PL_NATOA_DRAFT, "NAT-OA-DRAFT"},
	    {ISAKMP_PL_FRAG, "FRAG"},
	};
	return LOOKUP(t, p);
}

const char *isakmp_notify_name(unsigned n)
{
	/* RFC 2408 3.14.1 errors, RFC 2407 4.6.3 status, RFC 3706 DPD, Cisco Unity */
	static const struct name t[] = {
	    {1, "INVALID-PAYLOAD-TYPE"},
	    {2, "DOI-NOT-SUPPORTED"},
	    {3, "SITUATION-NOT-SUPPORTED"},
	    {4, "INVALID-COOKIE"},
	    {5, "INVALID-MAJOR-VERSION"},
	    {6, "INVALID-MINOR-VERSION"},
	    {7, "INVALID-EXCHANGE-TYPE"},
	    {8, "INVALID-FLAGS"},
	    {9, "INVALID-MESSAGE-ID"},
	    {10, "INVALID-PROTOCOL-ID"},
	    {11, "INVALID-SPI"},
	    {12, "INVALID-TRANSFORM-ID"},
	    {13, "ATTRIBUTES-NOT-SUPPORTED"},
	    {14, "NO-PROPOSAL-CHOSEN"},
	    {15, "BAD-PROPOSAL-SYNTAX"},
	    {16, "PAYLOAD-MALFORMED"},
	    {17, "INVALID-KEY-INFORMATION"},
	    {18, "INVALID-ID-INFORMATION"},
	    {19, "INVALID-CERT-ENCODING"},
	    {20, "INVALID-CERTIFICATE"},
	    {21, "CERT-TYPE-UNSUPPORTED"},
	    {22, "INVALID-CERT-AUTHORITY"},
	    {23, "INVALID-HASH-INFORMATION"},
	    {24, "AUTHENTICATION-FAILED"},
	    {25, "INVALID-SIGNATURE"},
	    {26, "ADDRESS-NOTIFICATION"},
	    {27, "NOTIFY-SA-LIFETIME"},
	    {28, "CERTIFICATE-UNAVAILABLE"},
	    {29, "UNSUPPORTED-EXCHANGE-TYPE"},
	    {30, "UNEQUAL-PAYLOAD-LENGTHS"},
	    {ISAKMP_N_CONNECTED, "CONNECTED"},
	    {ISAKMP_N_RESPONDER_LIFETIME, "RESPONDER-LIFETIME"},
	    {ISAKMP_N_REPLAY_STATUS, "REPLAY-STATUS"},
	    {ISAKMP_N_INITIAL_CONTACT, "INITIAL-CONTACT"},
	    {ISAKMP_N_R_U_THERE, "R-U-THERE"},
	    {ISAKMP_N_R_U_THERE_ACK, "R-U-THERE-ACK"},
	    {ISAKMP_N_UNITY_LOAD_BALANCE, "UNITY-LOAD-BALANCE"},
	};
	return LOOKUP(t, n);
}

const char *isakmp_cfg_attr_name(unsigned a)
{
	static const struct name t[] = {
	    {CFG_INTERNAL_IP4_ADDRESS, "INTERNAL_IP4_ADDRESS"},
	    {CFG_INTERNAL_IP4_NETMASK, "INTERNAL_IP4_NETMASK"},
	    {CFG_INTERNAL_IP4_DNS, "INTERNAL_IP4_DNS"},
	    {CFG_INTERNAL_IP4_NBNS, "INTERNAL_IP4_NBNS"},
	    {CFG_INTERNAL_ADDRESS_EXPIRY, "INTERNAL_ADDRESS_EXPIRY"},
	    {6, "INTERNAL_IP4_DHCP"},
	    {CFG_APPLICATION_VERSION, "APPLICATION_VERSION"},
	    {8, "INTERNAL_IP6_ADDRESS"},
	    {9, "INTERNAL_IP6_NETMASK"},
	    {10, "INTERNAL_IP6_DNS"},
	    {11, "INTERNAL_IP6_NBNS"},
	    {12, "INTERNAL_IP6_DHCP"},
	    {CFG_INTERNAL_IP4_SUBNET, "INTERNAL_IP4_SUBNET"},
	    {CFG_SUPPORTED_ATTRIBUTES, "SUPPORTED_ATTRIBUTES"},
	    {15, "INTERNAL_IP6_SUBNET"},
	    {CFG_XAUTH_TYPE, "XAUTH_TYPE"},
	    {CFG_XAUTH_USER_NAME, "XAUTH_USER_NAME"},
	    {CFG_XAUTH_USER_PASSWORD, "XAUTH_USER_PASSWORD"},
	    {CFG_XAUTH_PASSCODE, "XAUTH_PASSCODE"},
	    {CFG_XAUTH_MESSAGE, "XAUTH_MESSAGE"},
	    {CFG_XAUTH_CHALLENGE, "XAUTH_CHALLENGE"},
	    {CFG_XAUTH_DOMAIN, "XAUTH_DOMAIN"},
	    {CFG_XAUTH_STATUS, "XAUTH_STATUS"},
	    {CFG_XAUTH_NEXT_PIN, "XAUTH_NEXT_PIN"},
	    {CFG_XAUTH_ANSWER, "XAUTH_ANSWER"},
	    {CFG_UNITY_BANNER, "UNITY_BANNER"},
	    {CFG_UNITY_SAVE_PASSWD, "UNITY_SAVE_PASSWD"},
	    {CFG_UNITY_DEF_DOMAIN, "UNITY_DEF_DOMAIN"},
	    {CFG_UNITY_SPLIT_DNS, "UNITY_SPLIT_DNS"},
	    {CFG_UNITY_SPLIT_INCLUDE, "UNITY_SPLIT_INCLUDE"},
	    {CFG_UNITY_NATT_PORT, "UNITY_NATT_PORT"},
	    {CFG_UNITY_LOCAL_LAN, "UNITY_LOCAL_LAN"},
	    {CFG_UNITY_PFS, "UNITY_PFS"},
	    {CFG_UNITY_FW_TYPE, "UNITY_FW_TYPE"},
	    {CFG_UNITY_BACKUP_SERVERS, "UNITY_BACKUP_SERVERS"},
	    {CFG_UNITY_DDNS_HOSTNAME, "UNITY_DDNS_HOSTNAME"},
	    {CFG_EVC_NETWORK_EXTENSION, "EVC_NETWORK_EXTENSION"},
	};
	return LOOKUP(t, a);
}
