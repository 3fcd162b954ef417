/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cisco IKE fragmentation: splitting and bounded reassembly (see frag.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ike/frag.h"
#include "ike/isakmp.h"
#include "lib/bytes.h"

const uint8_t ike_frag_vid[20] = {0x40, 0x48, 0xb7, 0xd5, 0x6e, 0xbc, 0xe8, 0x85, 0x25, 0xe7,
                                  0xde, 0x7f, 0x00, 0xd6, 0xc2, 0xd3, 0xc0, 0x00, 0x00, 0x00};

bool ike_frag_vid_match(const uint8_t *vid, size_t len)
{
	return len >= 16 && len <= sizeof(ike_frag_vid) && memcmp(vid, ike_frag_vid, 16) == 0;
}

struct piece {
	uint8_t *data; /* NULL: not received */
	size_t len;
};

struct ike_frag_rx {
	size_t max_total;
	uint16_t id;
	unsigned last; /* number of the last fragment, 0: not seen yet */
	unsigned have;
	unsigned maxnum; /* the highest number received */
	size_t total;
	uint64_t first_at;
	struct piece p[IKE_FRAG_MAX];
	uint8_t *whole; /* the last reassembled message */
};

struct ike_frag_rx *ike_frag_rx_new(size_t max_total)
{
	struct ike_frag_rx *r = calloc(1, sizeof(*r));
	if (r)
		r->max_total = max_total;
	return r;
}

static void reset(struct ike_frag_rx *r)
{
	for (size_t i = 0; i < IKE_FRAG_MAX; i++) {
		free(r->p[i].data);
		r->p[i] = (struct piece){NULL, 0};
	}
	r->last = 0;
	r->have = 0;
	r->maxnum = 0;
	r->total = 0;
}

void ike_frag_rx_free(struct ike_frag_rx *r)
{
	if (!r)
		return;
	reset(r);
	free(r->whole);
	free(r);
}

size_t ike_frag_rx_pending(const struct ike_frag_rx *r)
{
	return r->have;
}

static int refuse(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

int ike_frag_rx_add(struct ike_frag_rx *r, uint64_t now_ms, const uint8_t *pkt, size_t len,
                    const uint8_t **msg, size_t *msg_len, const char **why)
{
	struct isakmp_hdr h;
	uint8_t np, reserved, num, flags;
	uint16_t plen, id;
	const uint8_t *data;

	if (!isakmp_hdr_parse(pkt, len, &h, why))
		return -EINVAL;
	struct rd rd = rd_init(pkt + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN);
	if (h.np != ISAKMP_PL_FRAG)
		return refuse(why, "not a fragment", -EINVAL);
	if (!rd_u8(&rd, &np) || !rd_u8(&rd, &reserved) || !rd_u16(&rd, &plen) ||
	    !rd_u16(&rd, &id) || !rd_u8(&rd, &num) || !rd_u8(&rd, &flags))
		return refuse(why, "fragment payload shorter than its 8-byte header", -EINVAL);
	if (plen <= IKE_FRAG_HDR_LEN || plen != h.len - ISAKMP_HDR_LEN)
		return refuse(why, "fragment payload length does not match the datagram", -EINVAL);
	if (np != ISAKMP_PL_NONE)
		return refuse(why, "fragment payload followed by another payload", -EINVAL);
	if (num == 0 || num > IKE_FRAG_MAX)
		return refuse(why, "fragment number outside 1..32", -E2BIG);
	size_t dlen = plen - IKE_FRAG_HDR_LEN;
	if (!rd_ptr(&rd, dlen, &data))
		return refuse(why, "fragment data cut short", -EINVAL);

	/* a new message, or the old one took too long: start over */
	if (r->have && (id != r->id || now_ms - r->first_at > IKE_FRAG_TIMEOUT_MS))
		reset(r);
	if (!r->have) {
		r->id = id;
		r->first_at = now_ms;
	}
	struct piece *p = &r->p[num - 1];
	if (p->data)
		return 0; /* a repeat */
	if ((flags & IKE_FRAG_FLAG_LAST) && r->last && r->last != num) {
		reset(r);
		return refuse(why, "two fragments claim to be the last", -E2BIG);
	}
	if ((flags & IKE_FRAG_FLAG_LAST) ? num < r->maxnum : (r->last && num > r->last)) {
		reset(r);
		return refuse(why, "a fragment numbered after the last one", -E2BIG);
	}
	if (dlen > r->max_total - r->total) {
		reset(r);
		return refuse(why, "the fragments exceed the largest message accepted", -E2BIG);
	}
	p->data = malloc(dlen);
	if (!p->data)
		return refuse(why, "out of memory for a fragment", -ENOMEM);
	memcpy(p->data, data, dlen);
	p->len = dlen;
	r->have++;
	r->total += dlen;
	if (num > r->maxnum)
		r->maxnum = num;
	if (flags & IKE_FRAG_FLAG_LAST)
		r->last = num;
	if (!r->last || r->have != r->last)
		return 0;

	/* all of 1..last are here (each number once, none beyond last) */
	free(r->whole);
	r->whole = malloc(r->total);
	if (!r->whole) {
		reset(r);
		return refuse(why, "out of memory for a reassembled message", -ENOMEM);
	}
	size_t off = 0;
	for (unsigned i = 0; i < r->last; i++) {
		memcpy(r->whole + off, r->p[i].data, r->p[i].len);
		off += r->p[i].len;
	}
	*msg = r->whole;
	*msg_len = off;
	reset(r);
	return 1;
}

int ike_frag_split(const uint8_t *msg, size_t len, size_t size, uint16_t id, uint8_t *out,
                   size_t cap, size_t lens[IKE_FRAG_MAX])
{
	struct isakmp_hdr h;
	const char *why;
	if (size < IKE_FRAG_MIN_SIZE || !isakmp_hdr_parse(msg, len, &h, &why) || h.len != len)
		return -EINVAL;
	size_t chunk = size - ISAKMP_HDR_LEN - IKE_FRAG_HDR_LEN;
	size_t n = (len + chunk - 1) / chunk;
	if (n > IKE_FRAG_MAX)
		return -EMSGSIZE;
	struct wr w = wr_init(out, cap);
	for (size_t i = 0; i < n; i++) {
		size_t start = w.len;
		size_t dlen = i + 1 < n ? chunk : len - i * chunk;
		struct isakmp_hdr fh = h;
		fh.np = ISAKMP_PL_FRAG;
		fh.flags = 0;
		fh.len = (uint32_t)(ISAKMP_HDR_LEN + IKE_FRAG_HDR_LEN + dlen);
		isakmp_hdr_write(&w, &fh);
		wr_u8(&w, ISAKMP_PL_NONE);
		wr_u8(&w, 0);
		wr_u16(&w, (uint16_t)(IKE_FRAG_HDR_LEN + dlen));
		wr_u16(&w, id);
		wr_u8(&w, (uint8_t)(i + 1));
		wr_u8(&w, i + 1 == n ? IKE_FRAG_FLAG_LAST : 0);
		wr_bytes(&w, msg + i * chunk, dlen);
		if (w.err)
			return -EMSGSIZE;
		lens[i] = w.len - start;
	}
	return (int)n;
}
