/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The OpenSSL back-end of x509.h: PEM loading, chain verification at a given time, the
 * subject's OU and names, and the raw PKCS#1 v1.5 signatures of IKEv1.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "lib/x509.h"

#define X509_DER_MAX 16384 /* bytes of a peer's certificate we parse */
/* intermediate CAs sent with our certificate or taken from a peer's: IOS and strongSwan chains
 * have one or two; each costs a parse and a signature check of the peer's choosing */
#define X509_CHAIN_MAX 4
/* bits of a peer's RSA key: what IKE uses; a larger one would only make each signature check
 * (done before the chain is judged) cost more */
#define X509_RSA_BITS_MAX 8192

struct x509_cred {
	X509 *cert;
	EVP_PKEY *key;
	uint8_t *der, *subject;
	size_t der_len, subject_len;
	uint8_t *chain[X509_CHAIN_MAX]; /* the intermediates after ours in the file, as DER */
	size_t chain_len[X509_CHAIN_MAX];
	size_t n_chain;
	char ou[X509_NAME_MAX];
	char name[X509_NAME_MAX * 2];
};

#define X509_TRUST_NAMES 8 /* CA names a CERTREQ lists at most */

struct x509_trust {
	X509_STORE *store;
	uint8_t *names[X509_TRUST_NAMES];
	size_t name_len[X509_TRUST_NAMES];
	size_t n_names;
};

struct x509_peer {
	X509 *cert;
	EVP_PKEY *key;
	STACK_OF(X509) *
	    extra; /* intermediates the peer sent, untrusted until the chain verifies */
	char ou[X509_NAME_MAX];
	char subject[X509_NAME_MAX * 2];
};

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;
	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();
	return rc;
}

/* i2d into a fresh buffer. */
static int der_of(int (*i2d)(const void *, unsigned char **), const void *obj, uint8_t **out,
                  size_t *len)
{
	int n = i2d(obj, NULL);
	unsigned char *p;
	if (n <= 0)
		return -EINVAL;
	*out = malloc((size_t)n);
	if (!*out)
		return -ENOMEM;
	p = *out;
	if (i2d(obj, &p) != n) {
		free(*out);
		*out = NULL;
		return -EIO;
	}
	*len = (size_t)n;
	return 0;
}

static int i2d_cert(const void *o, unsigned char **p)
{
	return i2d_X509((X509 *)o, p);
}

static int i2d_name(const void *o, unsigned char **p)
{
	return i2d_X509_NAME((X509_NAME *)o, p);
}

static void name_line(X509_NAME *n, char *out, size_t cap);
static void first_ou(X509_NAME *n, char *out, size_t cap);

/* The certificates after ours in its file: the intermediates up to (not needing) the root,
 * sent after ours so that a peer trusting only the root can verify us. */
static int read_chain(struct x509_cred *c, BIO *b, const char *cert_path, char *err, size_t errlen)
{
	X509 *x;
	int rc;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		if (c->n_chain == X509_CHAIN_MAX) {
			X509_free(x);
			return fail(err, errlen, -E2BIG,
			            "%s holds more than %d CA certificates after its own (at most "
			            "%d intermediates are sent)",
			            cert_path, X509_CHAIN_MAX, X509_CHAIN_MAX);
		}
		rc = der_of(i2d_cert, x, &c->chain[c->n_chain], &c->chain_len[c->n_chain]);
		X509_free(x);
		if (rc)
			return fail(err, errlen, rc, "cannot encode a CA certificate of %s",
			            cert_path);
		c->n_chain++;
	}
	/* the end of the file is an error on OpenSSL's queue; anything else is damage */
	unsigned long e = ERR_peek_last_error();
	if (e && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE))
		return fail(err, errlen, -EINVAL,
		            "%s: certificate %zu of the file is not valid PEM", cert_path,
		            c->n_chain + 2);
	ERR_clear_error();
	return 0;
}

int x509_cred_load(const char *cert_path, const char *key_path, struct x509_cred **out, char *err,
                   size_t errlen)
{
	struct x509_cred *c = calloc(1, sizeof(*c));
	BIO *b = NULL;
	int rc;
	*out = NULL;
	if (!c)
		return fail(err, errlen, -ENOMEM, "out of memory");
	b = BIO_new_file(cert_path, "r");
	if (!b) {
		rc = fail(err, errlen, -ENOENT, "cannot read the certificate %s: %s", cert_path,
		          strerror(errno ? errno : ENOENT));
		goto out;
	}
	c->cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	if (!c->cert) {
		BIO_free(b);
		rc = fail(err, errlen, -EINVAL, "%s holds no PEM certificate", cert_path);
		goto out;
	}
	rc = read_chain(c, b, cert_path, err, errlen);
	BIO_free(b);
	if (rc)
		goto out;
	b = BIO_new_file(key_path, "r");
	if (!b) {
		rc = fail(err, errlen, -ENOENT, "cannot read the private key %s: %s", key_path,
		          strerror(errno ? errno : ENOENT));
		goto out;
	}
	/* no passphrase callback: an encrypted key is refused rather than prompted for here */
	c->key = PEM_read_bio_PrivateKey(b, NULL, NULL, (void *)"");
	BIO_free(b);
	if (!c->key) {
		rc = fail(err, errlen, -EINVAL,
		          "%s holds no unencrypted PEM private key (an encrypted key needs to be "
		          "decrypted first, e.g. with 'openssl pkey')",
		          key_path);
		goto out;
	}
	if (!EVP_PKEY_is_a(c->key, "RSA")) {
		rc = fail(err, errlen, -ENOTSUP,
		          "%s is not an RSA key; EasyVPN main mode uses RSA signatures", key_path);
		goto out;
	}
	if (X509_check_private_key(c->cert, c->key) != 1) {
		rc = fail(err, errlen, -EINVAL, "the private key %s does not belong to %s",
		          key_path, cert_path);
		goto out;
	}
	if ((rc = der_of(i2d_cert, c->cert, &c->der, &c->der_len)) != 0 ||
	    (rc = der_of(i2d_name, X509_get_subject_name(c->cert), &c->subject, &c->subject_len)) !=
	        0) {
		rc = fail(err, errlen, rc, "cannot encode %s", cert_path);
		goto out;
	}
	name_line(X509_get_subject_name(c->cert), c->name, sizeof(c->name));
	first_ou(X509_get_subject_name(c->cert), c->ou, sizeof(c->ou));
	*out = c;
	return 0;
out:
	x509_cred_free(c);
	return rc;
}

void x509_cred_free(struct x509_cred *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	/* clears the private key's numbers */
	EVP_PKEY_free(c->key);
	free(c->der);
	free(c->subject);
	for (size_t i = 0; i < c->n_chain; i++)
		free(c->chain[i]);
	free(c);
}

size_t x509_cred_chain_count(const struct x509_cred *c)
{
	return c->n_chain;
}

void x509_cred_chain_der(const struct x509_cred *c, size_t i, const uint8_t **der, size_t *len)
{
	*der = i < c->n_chain ? c->chain[i] : NULL;
	*len = i < c->n_chain ? c->chain_len[i] : 0;
}

void x509_cred_der(const struct x509_cred *c, const uint8_t **der, size_t *len)
{
	*der = c->der;
	*len = c->der_len;
}

const char *x509_cred_ou(const struct x509_cred *c)
{
	return c->ou;
}

const char *x509_cred_name(const struct x509_cred *c)
{
	return c->name;
}

void x509_cred_subject(const struct x509_cred *c, const uint8_t **der, size_t *len)
{
	*der = c->subject;
	*len = c->subject_len;
}

int x509_cred_sign(const struct x509_cred *c, const uint8_t *hash, size_t hlen, uint8_t *sig,
                   size_t cap)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, c->key, NULL);
	size_t n = cap;
	int rc = -EIO;
	/* no signature digest: PKCS#1 block type 1 over the bare hash */
	if (!ctx || EVP_PKEY_sign_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	if (EVP_PKEY_sign(ctx, NULL, &n, hash, hlen) <= 0 || n > cap || n > INT_MAX) {
		rc = -ENOSPC;
		goto out;
	}
	if (EVP_PKEY_sign(ctx, sig, &n, hash, hlen) <= 0)
		goto out;
	rc = (int)n;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

int x509_trust_load(const char *ca_path, struct x509_trust **out, char *err, size_t errlen)
{
	struct x509_trust *t = calloc(1, sizeof(*t));
	*out = NULL;
	if (!t)
		return fail(err, errlen, -ENOMEM, "out of memory");
	t->store = X509_STORE_new();
	if (!t->store || X509_STORE_load_file(t->store, ca_path) != 1) {
		x509_trust_free(t);
		return fail(err, errlen, -EINVAL,
		            "cannot read CA certificates from %s (a PEM file of one or more "
		            "certificates)",
		            ca_path);
	}
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(t->store);
	if (!objs || sk_X509_OBJECT_num(objs) == 0) {
		x509_trust_free(t);
		return fail(err, errlen, -EINVAL, "%s holds no CA certificate", ca_path);
	}
	for (int i = 0; i < sk_X509_OBJECT_num(objs) && t->n_names < X509_TRUST_NAMES; i++) {
		X509 *ca = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		if (!ca)
			continue;
		if (der_of(i2d_name, X509_get_subject_name(ca), &t->names[t->n_names],
		           &t->name_len[t->n_names]) != 0) {
			x509_trust_free(t);
			return fail(err, errlen, -ENOMEM, "cannot encode the CA names of %s",
			            ca_path);
		}
		t->n_names++;
	}
	*out = t;
	return 0;
}

int x509_trust_load_crls(struct x509_trust *t, const char *crl_path, char *err, size_t errlen)
{
	BIO *b = BIO_new_file(crl_path, "r");
	X509_CRL *crl;
	int n = 0, rc = 0;
	if (!b)
		return fail(err, errlen, -ENOENT, "cannot read the CRL file %s: %s", crl_path,
		            strerror(errno ? errno : ENOENT));
	while ((crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) != NULL) {
		int ok = X509_STORE_add_crl(t->store, crl);
		X509_CRL_free(crl);
		if (ok != 1) {
			rc = fail(err, errlen, -ENOMEM, "cannot add CRL %d of %s", n + 1, crl_path);
			goto out;
		}
		n++;
	}
	unsigned long e = ERR_peek_last_error();
	if (e && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
		rc = fail(err, errlen, -EINVAL, "%s: CRL %d is not valid PEM", crl_path, n + 1);
		goto out;
	}
	if (!n) {
		rc = fail(err, errlen, -EINVAL,
		          "%s holds no PEM CRL (-----BEGIN X509 CRL-----; convert a DER one with "
		          "'openssl crl -inform DER')",
		          crl_path);
		goto out;
	}
	/* every certificate of the chain, not only the peer's: a revoked intermediate CA
	 * revokes what it issued */
	X509_STORE_set_flags(t->store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
out:
	ERR_clear_error();
	BIO_free(b);
	return rc;
}

void x509_trust_free(struct x509_trust *t)
{
	if (!t)
		return;
	X509_STORE_free(t->store);
	for (size_t i = 0; i < t->n_names; i++)
		free(t->names[i]);
	free(t);
}

size_t x509_trust_count(const struct x509_trust *t)
{
	return t->n_names;
}

void x509_trust_ca_name(const struct x509_trust *t, size_t i, const uint8_t **der, size_t *len)
{
	*der = i < t->n_names ? t->names[i] : NULL;
	*len = i < t->n_names ? t->name_len[i] : 0;
}

static void name_line(X509_NAME *n, char *out, size_t cap)
{
	BIO *b = BIO_new(BIO_s_mem());
	int len;
	out[0] = '\0';
	if (!b)
		return;
	/* RFC 2253 escaping keeps control bytes of a hostile name out of the logs */
	if (X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		len = BIO_read(b, out, (int)cap - 1);
		out[len > 0 ? len : 0] = '\0';
	}
	BIO_free(b);
}

static void first_ou(X509_NAME *n, char *out, size_t cap)
{
	int i = X509_NAME_get_index_by_NID(n, NID_organizationalUnitName, -1);
	unsigned char *u = NULL;
	int len;
	out[0] = '\0';
	if (i < 0)
		return;
	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	if (len > 0 && (size_t)len < cap) {
		/* a group name: printable ASCII only, as an ID_KEY_ID group would be */
		bool ok = true;
		for (int k = 0; k < len; k++)
			ok = ok && u[k] >= 0x20 && u[k] < 0x7f;
		if (ok) {
			memcpy(out, u, (size_t)len);
			out[len] = '\0';
		}
	}
	OPENSSL_free(u);
}

static void asn1_time_str(const ASN1_TIME *t, char *out, size_t cap)
{
	struct tm tm;
	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || !strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(out, cap, "an unreadable date");
}

int x509_peer_parse(const uint8_t *der, size_t len, struct x509_peer **out, char *err,
                    size_t errlen)
{
	struct x509_peer *p = NULL;
	const unsigned char *q = der;
	int rc;
	*out = NULL;
	if (!len || len > X509_DER_MAX)
		return fail(err, errlen, -EMSGSIZE, "a %zu-byte certificate (at most %u are read)",
		            len, X509_DER_MAX);
	p = calloc(1, sizeof(*p));
	if (!p)
		return fail(err, errlen, -ENOMEM, "out of memory");
	p->cert = d2i_X509(NULL, &q, (long)len);
	if (!p->cert || q != der + len) {
		rc = fail(err, errlen, -EINVAL, "the certificate is not valid DER");
		goto out;
	}
	name_line(X509_get_subject_name(p->cert), p->subject, sizeof(p->subject));
	first_ou(X509_get_subject_name(p->cert), p->ou, sizeof(p->ou));
	p->key = X509_get_pubkey(p->cert);
	if (!p->key || !EVP_PKEY_is_a(p->key, "RSA")) {
		rc = fail(err, errlen, -ENOTSUP, "the certificate '%s' has no RSA key", p->subject);
		goto out;
	}
	if (EVP_PKEY_get_bits(p->key) > X509_RSA_BITS_MAX) {
		rc = fail(err, errlen, -EMSGSIZE,
		          "the certificate '%s' has a %d-bit RSA key (at most %d bits are used)",
		          p->subject, EVP_PKEY_get_bits(p->key), X509_RSA_BITS_MAX);
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	ERR_clear_error();
	x509_peer_free(p);
	return rc;
}

int x509_peer_add_ca(struct x509_peer *p, const uint8_t *der, size_t len, char *err, size_t errlen)
{
	const unsigned char *q = der;
	X509 *x = NULL;
	int rc;
	if (p->extra && sk_X509_num(p->extra) >= X509_CHAIN_MAX)
		return fail(err, errlen, -E2BIG,
		            "more than %d CA certificates come with '%s' (at most %d are taken)",
		            X509_CHAIN_MAX, p->subject, X509_CHAIN_MAX);
	if (!len || len > X509_DER_MAX)
		return fail(err, errlen, -EMSGSIZE,
		            "a %zu-byte CA certificate with '%s' (at most %u are read)", len,
		            p->subject, X509_DER_MAX);
	x = d2i_X509(NULL, &q, (long)len);
	if (!x || q != der + len) {
		rc = fail(err, errlen, -EINVAL, "a CA certificate sent with '%s' is not valid DER",
		          p->subject);
		goto out;
	}
	if (!p->extra && !(p->extra = sk_X509_new_null())) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	if (!sk_X509_push(p->extra, x)) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	x = NULL;
	rc = 0;
out:
	X509_free(x);
	ERR_clear_error();
	return rc;
}

/* Why X509_verify_cert refused, about the certificate it was judging (the peer's own or one
 * of the CAs it sent), in words a user can act on. */
static int chain_error(X509_STORE_CTX *ctx, const struct x509_peer *p, char *err, size_t errlen)
{
	int e = X509_STORE_CTX_get_error(ctx);
	X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
	char when[64], issuer[X509_NAME_MAX * 2], subj[X509_NAME_MAX * 2];
	if (!cur)
		cur = p->cert;
	name_line(X509_get_subject_name(cur), subj, sizeof(subj));
	name_line(X509_get_issuer_name(cur), issuer, sizeof(issuer));
	switch (e) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		asn1_time_str(X509_get0_notAfter(cur), when, sizeof(when));
		return fail(err, errlen, -EKEYEXPIRED, "the certificate '%s' expired on %s", subj,
		            when);
	case X509_V_ERR_CERT_NOT_YET_VALID:
		asn1_time_str(X509_get0_notBefore(cur), when, sizeof(when));
		return fail(err, errlen, -EKEYEXPIRED,
		            "the certificate '%s' is not valid before %s (check the clock)", subj,
		            when);
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		return fail(err, errlen, -EKEYREJECTED,
		            "the certificate '%s' is not issued by a trusted CA (issuer '%s'; "
		            "check --ca-file, and that the peer sends its intermediate CAs)",
		            subj, issuer);
	case X509_V_ERR_CERT_REVOKED:
		return fail(err, errlen, -EKEYREVOKED,
		            "the certificate '%s' is revoked (by the CRL of '%s' in --crl-file)",
		            subj, issuer);
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		return fail(err, errlen, -EKEYREJECTED,
		            "no CRL of '%s' in --crl-file, so the revocation of '%s' cannot be "
		            "checked (with --crl-file every CA of the chain needs its CRL there)",
		            issuer, subj);
	case X509_V_ERR_CRL_HAS_EXPIRED:
		return fail(err, errlen, -EKEYEXPIRED,
		            "the CRL of '%s' in --crl-file is out of date (past its next update): "
		            "fetch a fresh one",
		            issuer);
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return fail(err, errlen, -EKEYEXPIRED,
		            "the CRL of '%s' in --crl-file is not valid yet (check the clock)",
		            issuer);
	default:
		return fail(err, errlen, -EKEYREJECTED, "the certificate '%s' does not verify: %s",
		            subj, X509_verify_cert_error_string(e));
	}
}

int x509_peer_chain(const struct x509_trust *t, const struct x509_peer *p, int64_t now, char *err,
                    size_t errlen)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = 0;
	if (!ctx || X509_STORE_CTX_init(ctx, t->store, p->cert, p->extra) != 1) {
		rc = fail(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	X509_STORE_CTX_set_time(ctx, 0, (time_t)now);
	if (X509_verify_cert(ctx) != 1)
		rc = chain_error(ctx, p, err, errlen);
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	return rc;
}

int x509_peer_verify(const struct x509_trust *t, const uint8_t *der, size_t len, int64_t now,
                     struct x509_peer **out, char *err, size_t errlen)
{
	struct x509_peer *p = NULL;
	int rc = x509_peer_parse(der, len, &p, err, errlen);
	if (!rc)
		rc = x509_peer_chain(t, p, now, err, errlen);
	if (rc) {
		x509_peer_free(p);
		p = NULL;
	}
	*out = p;
	return rc;
}

void x509_peer_free(struct x509_peer *p)
{
	if (!p)
		return;
	X509_free(p->cert);
	EVP_PKEY_free(p->key);
	sk_X509_pop_free(p->extra, X509_free);
	free(p);
}

const char *x509_peer_ou(const struct x509_peer *p)
{
	return p->ou;
}

const char *x509_peer_subject(const struct x509_peer *p)
{
	return p->subject;
}

bool x509_peer_subject_is(const struct x509_peer *p, const uint8_t *der, size_t len)
{
	const unsigned char *q = der;
	X509_NAME *n = d2i_X509_NAME(NULL, &q, (long)len);
	bool same = n && q == der + len && X509_NAME_cmp(n, X509_get_subject_name(p->cert)) == 0;
	X509_NAME_free(n);
	ERR_clear_error();
	return same;
}

bool x509_peer_names(const struct x509_peer *p, const char *host)
{
	bool ok = X509_check_ip_asc(p->cert, host, 0) == 1 ||
	          X509_check_host(p->cert, host, strlen(host), 0, NULL) == 1;
	ERR_clear_error();
	return ok;
}

int x509_peer_check_sig(const struct x509_peer *p, const uint8_t *hash, size_t hlen,
                        const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, p->key, NULL);
	int rc = -EIO;
	if (!ctx || EVP_PKEY_verify_init(ctx) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0)
		goto out;
	rc = EVP_PKEY_verify(ctx, sig, siglen, hash, hlen) == 1 ? 0 : -EBADMSG;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	return rc;
}
