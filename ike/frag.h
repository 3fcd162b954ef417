/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cisco IKE fragmentation for IKEv1 (as Cisco IOS and strongSwan do it; no RFC): a message too
 * long for a path that drops IP fragments (main mode with certificates) goes as several
 * datagrams, each the original ISAKMP header with next payload 132 and one fragment payload:
 *
 *   next payload (0) | reserved | payload length (16) | fragment ID (16) | number (8, from 1)
 *   | flags (8: 0x01 = last) | data
 *
 * The data of fragments 1..last, in order, is the original datagram. Both sides announce it
 * with the vendor ID "FRAGMENTATION" (MD5 of the name, then 4 bytes of capability flags).
 *
 * Reassembly is bounded: at most IKE_FRAG_MAX fragments and max_total bytes of data, one
 * message at a time (a new fragment ID starts over), and a message still incomplete
 * IKE_FRAG_TIMEOUT_MS after its first fragment is dropped. Protocol only: no SA, no I/O.
 */
#ifndef EVC_IKE_FRAG_H
#define EVC_IKE_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IKE_FRAG_MAX 32
#define IKE_FRAG_TIMEOUT_MS 15000
#define IKE_FRAG_HDR_LEN 8 /* the fragment payload's own header */
#define IKE_FRAG_FLAG_LAST 0x01
/* bytes of ISAKMP datagram when nothing else is set: IP packets of 1280 bytes, as strongSwan */
#define IKE_FRAG_DEFAULT_SIZE 1252
#define IKE_FRAG_MIN_SIZE 128

/* The vendor ID we send (Cisco's, as the brief and IOS have it); a peer's matches on the
 * first 16 bytes (the MD5 of "FRAGMENTATION"), its flags vary. */
extern const uint8_t ike_frag_vid[20];
bool ike_frag_vid_match(const uint8_t *vid, size_t len);

struct ike_frag_rx;

/* max_total: the largest reassembled message accepted. NULL when memory runs out. */
struct ike_frag_rx *ike_frag_rx_new(size_t max_total);
void ike_frag_rx_free(struct ike_frag_rx *r);

/*
 * One fragment datagram (ISAKMP header with next payload 132, then the fragment payload).
 * 1: the message is complete: *msg (valid until the next call or free) holds *msg_len bytes,
 * and the reassembler is empty again. 0: kept, more to come (or a duplicate). -EINVAL: a
 * malformed fragment, ignored; -E2BIG: the message would exceed IKE_FRAG_MAX fragments or
 * max_total bytes, or two fragments claim to be last: everything of it is dropped. *why says
 * what was wrong.
 */
int ike_frag_rx_add(struct ike_frag_rx *r, uint64_t now_ms, const uint8_t *pkt, size_t len,
                    const uint8_t **msg, size_t *msg_len, const char **why);
/* Fragments held for an incomplete message (0: none). */
size_t ike_frag_rx_pending(const struct ike_frag_rx *r);

/*
 * Splits the ISAKMP datagram msg into fragment datagrams of at most size bytes each, with
 * fragment ID id, written one after the other into out (cap bytes); *lens gets each one's
 * length. Returns how many (>= 1), or -EMSGSIZE when they would be more than IKE_FRAG_MAX or
 * do not fit in out, -EINVAL for a bad msg or a size below IKE_FRAG_MIN_SIZE.
 */
int ike_frag_split(const uint8_t *msg, size_t len, size_t size, uint16_t id, uint8_t *out,
                   size_t cap, size_t lens[IKE_FRAG_MAX]);

#endif
