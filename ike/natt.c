/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Vendor IDs (capabilities) and NAT traversal detection (RFC 3947): which extensions the
 * peer speaks, whether a NAT sits between us, and so whether ESP goes in UDP 4500.
 *
 * Older Cisco servers and clients speak draft-ietf-ipsec-nat-t-ike-02/-03 instead of the RFC:
 * the same exchange with NAT-D as payload 130 (NAT-OA 131) instead of 20 (21) and the
 * UDP-encapsulated modes 61443/61444 instead of 3/4. Each draft names itself with the MD5 of
 * its name as vendor ID (draft-02 twice: with and without a trailing newline, which IOS and
 * Windows send); the RFC wins when both sides know it, and a responder answers in the name
 * of the latest draft the initiator gave.
 */
#include <string.h>

#include "ike/sa_int.h"

static const uint8_t vid_xauth[] = {0x09, 0x00, 0x26, 0x89, 0xdf, 0xd6, 0xb7, 0x12};
/* Unity: MD5("CISCO-UNITY") with the last two bytes replaced by version 1.0 */
static const uint8_t vid_unity[] = {0x12, 0xf5, 0xf2, 0x8c, 0x45, 0x71, 0x68, 0xa9,
                                    0x70, 0x2d, 0x9f, 0xe2, 0x74, 0xcc, 0x01, 0x00};
static const uint8_t vid_dpd[] = {0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
                                  0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00};
static const uint8_t vid_natt_rfc[] = {0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
                                       0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f};
static const uint8_t vid_natt_02n[] = {0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
                                       0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f};
static const uint8_t vid_natt_02[] = {0xcd, 0x60, 0x46, 0x43, 0x35, 0xdf, 0x21, 0xf8,
                                      0x7c, 0xfd, 0xb2, 0xfc, 0x68, 0xb6, 0xa4, 0x48};
static const uint8_t vid_natt_03[] = {0x7d, 0x94, 0x19, 0xa6, 0x53, 0x10, 0xca, 0x6f,
                                      0x2c, 0x17, 0x9d, 0x92, 0x15, 0x52, 0x9d, 0x56};

bool natt_enabled(const struct ike_sa *sa)
{
	return sa->cfg.natt != IKE_NATT_DISABLE &&
	       (sa->facts & (F_PEER_NATT_RFC | F_PEER_NATT_DRAFT));
}

bool natt_use_udp(const struct ike_sa *sa)
{
	return natt_enabled(sa) && (sa->facts & (F_NAT_LOCAL | F_NAT_PEER));
}

uint16_t natt_encap_mode(const struct ike_sa *sa)
{
	if (!natt_use_udp(sa))
		return IPSEC_ENCAP_TUNNEL;
	return (sa->facts & F_PEER_NATT_RFC) ? IPSEC_ENCAP_UDP_TUNNEL
	                                     : IPSEC_ENCAP_UDP_TUNNEL_DRAFT;
}

void natt_write_vids(struct ike_sa *sa, struct isakmp_builder *b)
{
	isakmp_build_payload(b, ISAKMP_PL_VID, ike_frag_vid, sizeof(ike_frag_vid));
	isakmp_build_payload(b, ISAKMP_PL_VID, vid_xauth, sizeof(vid_xauth));
	isakmp_build_payload(b, ISAKMP_PL_VID, vid_unity, sizeof(vid_unity));
	isakmp_build_payload(b, ISAKMP_PL_VID, vid_dpd, sizeof(vid_dpd));
	if (sa->cfg.natt == IKE_NATT_DISABLE)
		return;
	if (sa->role == IKE_ROLE_INITIATOR) {
		isakmp_build_payload(b, ISAKMP_PL_VID, vid_natt_rfc, sizeof(vid_natt_rfc));
		isakmp_build_payload(b, ISAKMP_PL_VID, vid_natt_03, sizeof(vid_natt_03));
		isakmp_build_payload(b, ISAKMP_PL_VID, vid_natt_02n, sizeof(vid_natt_02n));
		isakmp_build_payload(b, ISAKMP_PL_VID, vid_natt_02, sizeof(vid_natt_02));
	} else if (sa->facts & F_PEER_NATT_RFC) {
		isakmp_build_payload(b, ISAKMP_PL_VID, vid_natt_rfc, sizeof(vid_natt_rfc));
	} else if (sa->facts & F_PEER_NATT_DRAFT) {
		/* the latest draft the client named: a client that knows only draft-02 (without
		 * the newline) may not recognise an answer in another draft's name */
		const uint8_t *v = (sa->facts & F_PEER_NATT_D03)    ? vid_natt_03
		                   : (sa->facts & F_PEER_NATT_D02N) ? vid_natt_02n
		                                                    : vid_natt_02;
		isakmp_build_payload(b, ISAKMP_PL_VID, v, 16);
	}
}

static bool vid_is(const struct isakmp_pl *p, const uint8_t *v, size_t cmp_len, size_t min_len)
{
	return p->len >= min_len && p->len >= cmp_len && memcmp(p->body, v, cmp_len) == 0;
}

void natt_read_vids(struct ike_sa *sa, const struct isakmp_chain *c)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct isakmp_pl *p = &c->pl[i];
		if (p->type != ISAKMP_PL_VID)
			continue;
		if (vid_is(p, vid_xauth, sizeof(vid_xauth), sizeof(vid_xauth)))
			sa->facts |= F_PEER_XAUTH;
		else if (vid_is(p, vid_unity, 14, 16)) /* version bytes vary */
			sa->facts |= F_PEER_UNITY;
		else if (vid_is(p, vid_dpd, 14, 16))
			sa->facts |= F_PEER_DPD;
		else if (vid_is(p, vid_natt_rfc, 16, 16))
			sa->facts |= F_PEER_NATT_RFC;
		else if (vid_is(p, vid_natt_03, 16, 16))
			sa->facts |= F_PEER_NATT_DRAFT | F_PEER_NATT_D03;
		else if (vid_is(p, vid_natt_02n, 16, 16))
			sa->facts |= F_PEER_NATT_DRAFT | F_PEER_NATT_D02N;
		else if (vid_is(p, vid_natt_02, 16, 16))
			sa->facts |= F_PEER_NATT_DRAFT;
		else if (ike_frag_vid_match(p->body, p->len))
			sa->facts |= F_PEER_FRAG;
	}
}

static uint8_t natd_type(const struct ike_sa *sa)
{
	return (sa->facts & F_PEER_NATT_RFC) ? ISAKMP_PL_NATD : ISAKMP_PL_NATD_DRAFT;
}

void natt_write_natd(struct ike_sa *sa, struct isakmp_builder *b, const struct ike_endpoint *to,
                     const struct ike_endpoint *from)
{
	uint8_t h[HASH_MAX_LEN];
	if (!natt_enabled(sa))
		return;
	if (ike_natd(sa->p1.hash, sa->icky, sa->rcky, to->addr, to->port, h) == 0)
		isakmp_build_payload(b, natd_type(sa), h, sa->hlen);
	if (ike_natd(sa->p1.hash, sa->icky, sa->rcky, from->addr, from->port, h) == 0) {
		/* Forcing: a deliberately wrong hash of our own address makes the peer believe
		 * in a NAT, so ESP goes in UDP 4500 (what vpnc's force-natt does). */
		if (sa->cfg.natt == IKE_NATT_FORCE)
			h[0] ^= 0x01;
		isakmp_build_payload(b, natd_type(sa), h, sa->hlen);
	}
}

void natt_check_natd(struct ike_sa *sa, const struct isakmp_chain *c,
                     const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	uint8_t me[HASH_MAX_LEN], them[HASH_MAX_LEN];
	size_t seen = 0;
	bool peer_ok = false;
	if (!natt_enabled(sa))
		return;
	if (ike_natd(sa->p1.hash, sa->icky, sa->rcky, to->addr, to->port, me) != 0 ||
	    ike_natd(sa->p1.hash, sa->icky, sa->rcky, from->addr, from->port, them) != 0)
		return;
	for (size_t i = 0; i < c->n; i++) {
		const struct isakmp_pl *p = &c->pl[i];
		if (p->type != ISAKMP_PL_NATD && p->type != ISAKMP_PL_NATD_DRAFT)
			continue;
		if (p->len != sa->hlen)
			continue;
		if (seen++ == 0) {
			/* the first one is us, as the peer sees us */
			if (!crypto_ct_equal(p->body, me, sa->hlen))
				sa->facts |= F_NAT_LOCAL;
		} else if (crypto_ct_equal(p->body, them, sa->hlen)) {
			peer_ok = true;
		}
	}
	if (seen == 0)
		return; /* peer did not do NAT-D: assume no NAT */
	if (seen > 1 && !peer_ok)
		sa->facts |= F_NAT_PEER;
	if (sa->cfg.natt == IKE_NATT_FORCE)
		sa->facts |= F_NAT_LOCAL;
	if (sa->facts & (F_NAT_LOCAL | F_NAT_PEER))
		sa_log(sa, IKE_LOG_INFO, "NAT detected (%s%s%s): ESP goes in UDP 4500",
		       (sa->facts & F_NAT_LOCAL) ? "this end" : "",
		       (sa->facts & F_NAT_LOCAL) && (sa->facts & F_NAT_PEER) ? ", " : "",
		       (sa->facts & F_NAT_PEER) ? "peer" : "");
}
