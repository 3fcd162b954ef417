/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKEv1 key derivations (RFC 2409 section 5 and appendix B). Pure functions of their inputs,
 * each checked with known answers from recorded vpnc/strongSwan exchanges.
 * All return 0, or -EINVAL for an unsupported algorithm or a length that does not fit.
 */
#ifndef EVC_IKE_KEYS_H
#define EVC_IKE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto.h"
#include "lib/secret.h"

/* SKEYID = prf(PSK, Ni_b | Nr_b). */
int ike_skeyid_psk(enum hash_alg h, const uint8_t *psk, size_t psk_len, const uint8_t *ni,
                   size_t ni_len, const uint8_t *nr, size_t nr_len, struct secret *skeyid);
/* SKEYID = prf(Ni_b | Nr_b, g^xy) (signature authentication). */
int ike_skeyid_sig(enum hash_alg h, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
                   size_t nr_len, const struct secret *gxy, struct secret *skeyid);
/*
 * SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 * SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 * SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 */
int ike_skeyid_children(enum hash_alg h, const struct secret *skeyid, const struct secret *gxy,
                        const uint8_t icky[8], const uint8_t rcky[8], struct secret *d,
                        struct secret *a, struct secret *e);
/* Ka: the first keylen bytes of SKEYID_e, expanded with K1 = prf(e, 0), Kn+1 = prf(e, Kn). */
int ike_ka(enum hash_alg h, const struct secret *skeyid_e, size_t keylen, struct secret *ka);
/* IV for the first encrypted phase-1 message: hash(g^xi | g^xr) truncated to bs. */
int ike_iv_phase1(enum hash_alg h, const uint8_t *gxi, size_t gxi_len, const uint8_t *gxr,
                  size_t gxr_len, size_t bs, uint8_t *iv);
/* IV for the first message of a new exchange: hash(P1L | M-ID) truncated to bs. */
int ike_iv_exchange(enum hash_alg h, const uint8_t *p1_last, size_t bs, uint32_t msgid,
                    uint8_t *iv);
/*
 * HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b); HASH_R is the same
 * function called with (g^xr, g^xi, CKY-R, CKY-I, SAi_b, IDir_b). out holds crypto_hash_len(h).
 */
int ike_hash_auth(enum hash_alg h, const struct secret *skeyid, const uint8_t *ga, size_t ga_len,
                  const uint8_t *gb, size_t gb_len, const uint8_t ca[8], const uint8_t cb[8],
                  const uint8_t *sa_b, size_t sa_len, const uint8_t *id_b, size_t id_len,
                  uint8_t *out);
/*
 * The HASH of phase-2-type messages: prf(SKEYID_a, [0x00 |] M-ID | [Ni_b |] [Nr_b |] rest).
 * zero_prefix adds the leading 0 byte (QM HASH(3)); ni/nr may be NULL.
 */
int ike_hash_p2(enum hash_alg h, const struct secret *skeyid_a, int zero_prefix, uint32_t msgid,
                const uint8_t *ni, size_t ni_len, const uint8_t *nr, size_t nr_len,
                const uint8_t *rest, size_t rest_len, uint8_t *out);
/*
 * KEYMAT = K1 | K2 | ... with K1 = prf(SKEYID_d, [g(qm)^xy |] proto | SPI | Ni_b | Nr_b) and
 * Kn+1 = prf(SKEYID_d, Kn | [g(qm)^xy |] proto | SPI | Ni_b | Nr_b), truncated to out_len.
 * spi is in host byte order; gxy may be NULL (no PFS).
 */
int ike_keymat(enum hash_alg h, const struct secret *skeyid_d, const struct secret *gxy,
               uint8_t proto, uint32_t spi, const uint8_t *ni, size_t ni_len, const uint8_t *nr,
               size_t nr_len, uint8_t *out, size_t out_len);
/* NAT-D = hash(CKY-I | CKY-R | IPv4 | port); addr and port in host byte order. */
int ike_natd(enum hash_alg h, const uint8_t icky[8], const uint8_t rcky[8], uint32_t addr,
             uint16_t port, uint8_t *out);

#endif
