/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "lib/bytes.h"
#include "tun/ip.h"

#define IPV6_HDR_LEN 40

static bool parse_v4(struct rd *r, uint8_t vihl, size_t len, struct ip_info *out)
{
	uint8_t tos, ttl;
	uint16_t total, id, frag, csum;

	out->hdr_len = (size_t)(vihl & 0x0f) * 4;
	if (out->hdr_len < 20)
		return false;
	if (!rd_u8(r, &tos) || !rd_u16(r, &total) || !rd_u16(r, &id) || !rd_u16(r, &frag) ||
	    !rd_u8(r, &ttl) || !rd_u8(r, &out->proto) || !rd_u16(r, &csum) ||
	    !rd_u32(r, &out->src) || !rd_u32(r, &out->dst))
		return false;
	if (total < out->hdr_len || total > len)
		return false;
	out->total_len = total;
	return true;
}

static bool parse_v6(struct rd *r, size_t len, struct ip_info *out)
{
	uint8_t b;
	uint16_t flow, plen;

	/* rest of version/traffic class/flow label, payload length, next header */
	if (!rd_u8(r, &b) || !rd_u16(r, &flow) || !rd_u16(r, &plen) || !rd_u8(r, &out->proto) ||
	    !rd_skip(r, IPV6_HDR_LEN - 7))
		return false;
	out->hdr_len = IPV6_HDR_LEN;
	out->total_len = IPV6_HDR_LEN + (size_t)plen;
	if (out->total_len > len)
		return false;
	out->src = out->dst = 0;
	return true;
}

bool ip_parse(const uint8_t *p, size_t len, struct ip_info *out)
{
	struct rd r = rd_init(p, len);
	uint8_t vihl;

	if (!rd_u8(&r, &vihl))
		return false;
	out->version = vihl >> 4;
	if (out->version == 4)
		return parse_v4(&r, vihl, len, out);
	if (out->version == 6)
		return parse_v6(&r, len, out);
	return false;
}
