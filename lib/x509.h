/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * X.509 for main mode with RSA signatures (RFC 2409 5.1), through OpenSSL: our certificate and
 * private key, the CAs we trust, and a peer's certificate once its chain verified. Knows no
 * protocol: the engine hands it DER bytes and hashes.
 *
 * IKEv1 RSA signatures are PKCS#1 v1.5 (block type 1) over the raw HASH_I or HASH_R, without a
 * DigestInfo (RFC 2409 5.1 leaves the encoding to the algorithm; every implementation,
 * strongSwan's SIGN_RSA_EMSA_PKCS1_NULL among them, signs the bare hash).
 */
#ifndef EVC_LIB_X509_H
#define EVC_LIB_X509_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define X509_NAME_MAX 256

/* Our certificate (PEM, the first one in the file) and its RSA private key (PEM). */
struct x509_cred;
/* 0, or a negative errno with err naming the file and what is wrong with it (missing,
 * not PEM, not RSA, the key does not belong to the certificate). */
int x509_cred_load(const char *cert_path, const char *key_path, struct x509_cred **out, char *err,
                   size_t errlen);
void x509_cred_free(struct x509_cred *c);
/* The certificate as DER, for a CERT payload; valid as long as c. */
void x509_cred_der(const struct x509_cred *c, const uint8_t **der, size_t *len);
/* The CA certificates that follow ours in its file (intermediates, at most 4: more is a load
 * error), as DER for the CERT payloads after ours; valid as long as c. */
size_t x509_cred_chain_count(const struct x509_cred *c);
void x509_cred_chain_der(const struct x509_cred *c, size_t i, const uint8_t **der, size_t *len);
/* Our subject name as DER, for an ID_DER_ASN1_DN identity; valid as long as c. */
void x509_cred_subject(const struct x509_cred *c, const uint8_t **der, size_t *len);
/* The first OU of our subject ("" when none): the group a server takes from it. */
const char *x509_cred_ou(const struct x509_cred *c);
/* Our subject as one line, for logs. */
const char *x509_cred_name(const struct x509_cred *c);
/* Signs hash[0..hlen) into sig (room for cap bytes); returns the signature length, or a
 * negative errno. */
int x509_cred_sign(const struct x509_cred *c, const uint8_t *hash, size_t hlen, uint8_t *sig,
                   size_t cap);

/* The CAs a peer's certificate must chain to (a PEM file of one or more certificates). */
struct x509_trust;
int x509_trust_load(const char *ca_path, struct x509_trust **out, char *err, size_t errlen);
void x509_trust_free(struct x509_trust *t);
/* Adds the CRLs of a PEM file (one or more) to t and from then on checks every certificate of
 * a chain against its issuer's CRL (OpenSSL's CRL_CHECK | CRL_CHECK_ALL): a revoked one is
 * refused with "revoked", and one whose issuer has no CRL in the file too. No OCSP. */
int x509_trust_load_crls(struct x509_trust *t, const char *crl_path, char *err, size_t errlen);
/* How many CA certificates t holds, and the subject name (DER) of the i-th, for a CERTREQ;
 * valid as long as t. */
size_t x509_trust_count(const struct x509_trust *t);
void x509_trust_ca_name(const struct x509_trust *t, size_t i, const uint8_t **der, size_t *len);

/* A peer's certificate whose chain verified. */
struct x509_peer;
/*
 * Parses der (at most 16 KiB) and verifies it against t at the time now (seconds since the
 * epoch): a valid chain, not expired or not yet valid, an RSA key. 0, or a negative errno with
 * err saying why in words a user can act on ("expired on ...", "not issued by a trusted CA
 * (issuer: ...)").
 */
int x509_peer_verify(const struct x509_trust *t, const uint8_t *der, size_t len, int64_t now,
                     struct x509_peer **out, char *err, size_t errlen);
/* The two halves of x509_peer_verify, for a caller that checks a signature with the
 * certificate's key before it judges the certificate: x509_peer_parse takes the DER (at most
 * 16 KiB, an RSA key of at most 8192 bits) without any chain check, x509_peer_chain then verifies
 * it against t at now. Same errors as x509_peer_verify. */
int x509_peer_parse(const uint8_t *der, size_t len, struct x509_peer **out, char *err,
                    size_t errlen);
int x509_peer_chain(const struct x509_trust *t, const struct x509_peer *p, int64_t now, char *err,
                    size_t errlen);
/* Adds a CA certificate (DER, at most 16 KiB) the peer sent after its own, an intermediate
 * x509_peer_chain may go through to reach t; it proves nothing by itself. At most 4: the
 * fifth is -E2BIG. */
int x509_peer_add_ca(struct x509_peer *p, const uint8_t *der, size_t len, char *err, size_t errlen);
void x509_peer_free(struct x509_peer *p);
/* The first OU of the subject ("" when none): the EasyVPN group of a client certificate. */
const char *x509_peer_ou(const struct x509_peer *p);
/* The subject as one line ("C=XX, O=..., OU=quizware, CN=richard"). */
const char *x509_peer_subject(const struct x509_peer *p);
/* The subject name as DER, to compare with an ID_DER_ASN1_DN payload. */
bool x509_peer_subject_is(const struct x509_peer *p, const uint8_t *der, size_t len);
/* Whether the certificate names host (a DNS name or dotted IPv4) in its subjectAltName, or,
 * without one, as its CN. */
bool x509_peer_names(const struct x509_peer *p, const char *host);
/* 0 when sig is the peer's signature over hash, -EBADMSG when not, another errno on errors. */
int x509_peer_check_sig(const struct x509_peer *p, const uint8_t *hash, size_t hlen,
                        const uint8_t *sig, size_t siglen);

#endif
