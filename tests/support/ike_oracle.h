/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test support only, never linked into evc or evs: reads and forges ISAKMP messages with the
 * live keys of an engine SA, exactly as that SA would decrypt them. Tests use it to tamper
 * with the cleartext of an encrypted message and re-seal it with a valid HASH, and the keyed
 * fuzzer uses it to reach the parsers behind decryption.
 *
 * Every function takes the SA that is to RECEIVE the message: its IV chains say which IV the
 * sender used. Nothing in the SA changes.
 */
#ifndef EVC_TESTS_IKE_ORACLE_H
#define EVC_TESTS_IKE_ORACLE_H

#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/isakmp.h"

enum oracle_hash {
	ORACLE_HASH_KEEP, /* leave the first payload as it is */
	ORACLE_HASH_1,    /* HASH(1): prf(SKEYID_a, M-ID | rest): transaction, info, QM1 */
	ORACLE_HASH_QM2,  /* HASH(2): prf(SKEYID_a, M-ID | Ni_b | rest), the receiver's Ni */
	ORACLE_HASH_QM3,  /* HASH(3): prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b) */
};

/* True once rx has phase-1 keys (an encrypted message can be forged for it). */
bool ike_oracle_keyed(const struct ike_sa *rx);
/* Length of rx's phase-1 PRF output (the HASH payload's length), 0 before phase 1. */
size_t ike_oracle_hash_len(const struct ike_sa *rx);

/*
 * Decrypts an encrypted message addressed to rx into out; returns the body length (padding
 * included) or -1. *h gets the parsed header.
 */
int ike_oracle_open(const struct ike_sa *rx, const uint8_t *msg, size_t len, struct isakmp_hdr *h,
                    uint8_t *out, size_t cap);

/*
 * Builds the encrypted message hdr + body for rx: the header's np, exch, msgid and cookies are
 * taken from *h (length patched), the body is padded and encrypted with rx's IV for that
 * exchange. With a hash mode other than KEEP, the body must start with a HASH payload of
 * ike_oracle_hash_len(rx) bytes, which is recomputed over the rest. Returns the length or 0.
 */
size_t ike_oracle_seal(const struct ike_sa *rx, const struct isakmp_hdr *h, const uint8_t *body,
                       size_t body_len, enum oracle_hash mode, uint8_t *out, size_t cap);

/*
 * The same, always with the IV of RFC 2409 appendix B for a new exchange, hash(P1L | M-ID),
 * whatever rx would pick for that message ID: what vpnc does for every informational, message
 * ID 0 included, where rx's own rule is the phase-1 chain.
 */
size_t ike_oracle_seal_derived(const struct ike_sa *rx, const struct isakmp_hdr *h,
                               const uint8_t *body, size_t body_len, enum oracle_hash mode,
                               uint8_t *out, size_t cap);

/* A header for a message of rx's IKE SA (rx's cookies). */
void ike_oracle_hdr(const struct ike_sa *rx, struct isakmp_hdr *h, uint8_t exch, uint8_t np,
                    uint32_t msgid);

/*
 * A complete, validly hashed first quick-mode message for rx (the responder): one ESP
 * proposal p with SPI spi and encapsulation encap, a fixed nonce, IDci ci and IDcr cr.
 */
size_t ike_oracle_qm1(const struct ike_sa *rx, uint32_t msgid, const struct ike_p2_prop *p,
                      uint16_t encap, uint32_t spi, const struct evc_net *ci,
                      const struct evc_net *cr, uint8_t *out, size_t cap);
/* The third quick-mode message answering rx's open quick mode msgid. */
size_t ike_oracle_qm3(const struct ike_sa *rx, uint32_t msgid, uint8_t *out, size_t cap);

#endif
