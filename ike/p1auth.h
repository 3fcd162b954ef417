/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each phase-1 authentication method asks of each side. With a group key both prove it
 * by a HASH; with RSA signatures (and XAUTH-RSA) both sign; with hybrid authentication
 * (draft-ietf-ipsec-isakmp-hybrid-auth-05, HybridInitRSA) only the responder signs and the
 * initiator sends a HASH under a SKEYID made as for signatures, which proves nothing about it:
 * XAUTH then authenticates it, so an SA with hybrid needs XAUTH before anything else.
 * Private to ike/.
 */
#ifndef EVC_IKE_P1AUTH_H
#define EVC_IKE_P1AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/sa_int.h"

bool p1_auth_is_hybrid(uint16_t auth);
/* SKEYID = prf(Ni_b | Nr_b, g^xy): signatures and hybrid (RFC 2409 5; the hybrid draft keeps it) */
bool p1_skeyid_sig(uint16_t auth);
/* Whether this SA sends ID, CERT and SIG for its negotiated method (else ID and HASH). */
bool p1_we_sign(const struct ike_sa *sa);
/* Whether the peer must send a signature for the negotiated method (else a HASH). */
bool p1_peer_signs(const struct ike_sa *sa);
/*
 * Initiator: whether it may offer a proposal with this method: with a certificate or hybrid
 * (the gateway's certificate is checked) only those where the gateway signs.
 */
bool p1_auth_fits(const struct ike_config *cfg, uint16_t auth);
/* The methods that need XAUTH: XAUTH-PSK, XAUTH-RSA and hybrid. */
bool p1_auth_needs_xauth(uint16_t auth);
/*
 * Responder: the server's policies a first message may match, in priority order, into out
 * (room for 2 * IKE_MAX_P1): the pre-shared-key ones when psk, the RSA-signature ones when
 * rsa, and when the SA has a certificate and XAUTH users, each RSA-signature policy once more
 * as hybrid (the client has no certificate; XAUTH authenticates it).
 */
size_t p1_server_policies(const struct ike_sa *sa, bool psk, bool rsa, struct ike_p1_prop *out);
/* The group an identity names (KEY_ID, FQDN or USER_FQDN, printable): false if none. */
bool p1_id_group(const uint8_t *body, size_t len, char *out, size_t cap);
/* Responder: whether group is configured (its key, if any, is not asked for). */
bool p1_group_exists(const struct ike_sa *sa, const char *group);
/* Initiator, from ike_sa_new: group, user, group key and the gateway's name by method; 0 or
 * -EINVAL with *why. */
int p1_initiator_ident(struct ike_sa *sa, const struct ike_config *cfg, const char **why);
/*
 * Initiator with hybrid and a group key: Cisco's PRESHARED_KEY_HASH notify (type 40503, no
 * RFC) into b, data prf(SKEYID, group key), as the Cisco client's mutual group authentication
 * and vpnc send it in AM3; nothing without a group key.
 */
void p1_write_psk_hash(struct ike_sa *sa, struct isakmp_builder *b);
/*
 * Responder with hybrid: whether the client proved its group's key by that notify in c (its
 * data prf(SKEYID, key) with the negotiated hash, compared in constant time). Without it
 * any user with XAUTH credentials could name another group and take its policy. True when
 * the group has no key (sa->psk empty: XAUTH alone decides) or the method is not hybrid.
 */
bool p1_check_psk_hash(const struct ike_sa *sa, const struct isakmp_chain *c);
/* Initiator: whether the gateway's verified certificate names the host we asked for; 0, or
 * -EKEYREJECTED with e set (AUTHENTICATION-FAILED). */
int p1_check_gateway_name(const struct ike_sa *sa, const struct x509_peer *p, struct mm_err *e);
/*
 * The CERT and SIG of a message whose ID is pid against hash (HASH_I or HASH_R, hlen bytes):
 * the signature with the certificate's key, then the ID against the certificate's subject,
 * then the chain against cfg.trust. Returns as mm_check_auth; *out the certificate on 0.
 */
int p1_check_signed(struct ike_sa *sa, const struct isakmp_chain *c, const struct isakmp_pl *pid,
                    const uint8_t *hash, size_t hlen, struct x509_peer **out, struct mm_err *e);

#endif
