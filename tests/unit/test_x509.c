/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/x509: a CA, a client (OU=quizware) and a server certificate made here with the openssl
 * command, and the recorded strongSwan certificates of tests/vectors/s3: loading, chain
 * verification at a given time (valid, expired, not yet valid, untrusted), the OU and the
 * names, and IKEv1's raw PKCS#1 signatures both ways.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "ike/isakmp.h"
#include "ike/keys.h"
#include "lib/crypto.h"
#include "lib/x509.h"
#include "vectors.h"

static char dir[64];

static void sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static const char *path(const char *name)
{
	static char buf[8][128];
	static int i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return buf[i];
}

/* ca, client (OU=quizware, 30 days), server (SAN vpn.example.test and 198.51.100.1), and a
 * second CA that issued nothing we trust */
static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/evc-x509-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
	   "-days 3650 -subj '/O=Test/CN=Test CA' 2>/dev/null",
	   dir);
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem "
	   "-days 3650 -subj '/O=Other/CN=Other CA' 2>/dev/null",
	   dir);
	sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
	   "-subj '/O=Test/OU=quizware/CN=richard' 2>/dev/null && openssl x509 -req -in "
	   "client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 30 "
	   "2>/dev/null",
	   dir);
	sh("cd %s && printf 'subjectAltName=DNS:vpn.example.test,IP:198.51.100.1\\n' > san.ext && "
	   "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
	   "-subj '/O=Test/CN=vpn.example.test' 2>/dev/null && openssl x509 -req -in "
	   "server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 30 "
	   "-extfile san.ext 2>/dev/null",
	   dir);
	sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout stray.key -out stray.csr "
	   "-subj '/O=Other/OU=quizware/CN=mallory' 2>/dev/null && openssl x509 -req -in "
	   "stray.csr -CA other.pem -CAkey other.key -CAcreateserial -out stray.pem -days 30 "
	   "2>/dev/null",
	   dir);
	sh("cd %s && openssl ecparam -name prime256v1 -genkey -noout -out ec.key", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	return 0;
}

static struct x509_peer *verify_file(const struct x509_trust *t, const char *cert, const char *key,
                                     int64_t now, int want, char *err, size_t errlen)
{
	struct x509_cred *c = NULL;
	struct x509_peer *p = NULL;
	const uint8_t *der;
	size_t len;
	assert_int_equal(x509_cred_load(cert, key, &c, err, errlen), 0);
	x509_cred_der(c, &der, &len);
	int rc = x509_peer_verify(t, der, len, now, &p, err, errlen);
	if (rc != want)
		fail_msg("%s: %d, want %d: %s", cert, rc, want, err);
	x509_cred_free(c);
	return p;
}

static void test_chain_and_names(void **state)
{
	(void)state;
	struct x509_trust *t = NULL;
	char err[512];
	int64_t now = time(NULL);
	assert_int_equal(x509_trust_load(path("ca.pem"), &t, err, sizeof(err)), 0);

	struct x509_peer *p =
	    verify_file(t, path("client.pem"), path("client.key"), now, 0, err, sizeof(err));
	assert_string_equal(x509_peer_ou(p), "quizware");
	assert_non_null(strstr(x509_peer_subject(p), "CN = richard"));
	x509_peer_free(p);

	p = verify_file(t, path("server.pem"), path("server.key"), now, 0, err, sizeof(err));
	assert_string_equal(x509_peer_ou(p), "");
	assert_true(x509_peer_names(p, "198.51.100.1"));
	assert_true(x509_peer_names(p, "vpn.example.test"));
	assert_false(x509_peer_names(p, "198.51.100.9"));
	assert_false(x509_peer_names(p, "other.example.test"));
	x509_peer_free(p);

	/* expired (40 days on), not yet valid (a day ago), untrusted: each says why */
	p = verify_file(t, path("client.pem"), path("client.key"), now + 40 * 86400, -EKEYEXPIRED,
	                err, sizeof(err));
	assert_null(p);
	assert_non_null(strstr(err, "the certificate 'O = Test, OU = quizware, CN = richard'"));
	assert_non_null(strstr(err, "expired on "));
	p = verify_file(t, path("client.pem"), path("client.key"), now - 86400, -EKEYEXPIRED, err,
	                sizeof(err));
	assert_non_null(strstr(err, "is not valid before"));
	p = verify_file(t, path("stray.pem"), path("stray.key"), now, -EKEYREJECTED, err,
	                sizeof(err));
	assert_non_null(
	    strstr(err, "not issued by a trusted CA (issuer 'O = Other, CN = Other CA'"));
	/* a CA certificate presented as the peer's is not trusted by itself either */
	p = verify_file(t, path("other.pem"), path("other.key"), now, -EKEYREJECTED, err,
	                sizeof(err));

	/* garbage, a truncated certificate, an absurd size */
	static const uint8_t junk[] = {0x30, 0x82, 0x01, 0x00, 0x01};
	struct x509_cred *c = NULL;
	const uint8_t *der;
	size_t len;
	assert_int_equal(x509_peer_verify(t, junk, sizeof(junk), now, &p, err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(
	    x509_cred_load(path("client.pem"), path("client.key"), &c, err, sizeof(err)), 0);
	x509_cred_der(c, &der, &len);
	assert_int_equal(x509_peer_verify(t, der, len - 1, now, &p, err, sizeof(err)), -EINVAL);
	assert_int_equal(x509_peer_verify(t, der, 100000, now, &p, err, sizeof(err)), -EMSGSIZE);
	assert_null(p);
	x509_cred_free(c);
	x509_trust_free(t);
}

static void test_load_errors(void **state)
{
	(void)state;
	struct x509_cred *c = NULL;
	struct x509_trust *t = NULL;
	char err[512];
	assert_int_equal(x509_cred_load(path("nope.pem"), path("client.key"), &c, err, sizeof(err)),
	                 -ENOENT);
	assert_non_null(strstr(err, "nope.pem"));
	assert_int_equal(
	    x509_cred_load(path("client.key"), path("client.key"), &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "holds no PEM certificate"));
	assert_int_equal(
	    x509_cred_load(path("client.pem"), path("server.key"), &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not belong to"));
	assert_int_equal(x509_cred_load(path("client.pem"), path("ec.key"), &c, err, sizeof(err)),
	                 -ENOTSUP);
	assert_non_null(strstr(err, "not an RSA key"));
	assert_null(c);
	assert_int_equal(x509_trust_load(path("client.key"), &t, err, sizeof(err)), -EINVAL);
	assert_int_equal(x509_trust_load(path("nope.pem"), &t, err, sizeof(err)), -EINVAL);
	assert_null(t);
}

/* IKEv1 signatures: ours verify with the certificate's key, a changed hash or signature does
 * not, and the recorded server signature of s3 is reproduced byte for byte (PKCS#1 v1.5 is
 * deterministic). */
static void test_signatures(void **state)
{
	(void)state;
	struct x509_trust *t = NULL;
	struct x509_cred *c = NULL;
	char err[512];
	uint8_t hash[32], sig[512];
	for (size_t i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(x509_trust_load(path("ca.pem"), &t, err, sizeof(err)), 0);
	assert_int_equal(
	    x509_cred_load(path("client.pem"), path("client.key"), &c, err, sizeof(err)), 0);
	int n = x509_cred_sign(c, hash, sizeof(hash), sig, sizeof(sig));
	assert_int_equal(n, 256);
	assert_int_equal(x509_cred_sign(c, hash, sizeof(hash), sig, 100), -ENOSPC);
	const uint8_t *der;
	size_t len;
	x509_cred_der(c, &der, &len);
	struct x509_peer *p = NULL;
	assert_int_equal(x509_peer_verify(t, der, len, time(NULL), &p, err, sizeof(err)), 0);
	assert_int_equal(x509_peer_check_sig(p, hash, sizeof(hash), sig, (size_t)n), 0);
	hash[0] ^= 1;
	assert_int_equal(x509_peer_check_sig(p, hash, sizeof(hash), sig, (size_t)n), -EBADMSG);
	hash[0] ^= 1;
	sig[100] ^= 1;
	assert_int_equal(x509_peer_check_sig(p, hash, sizeof(hash), sig, (size_t)n), -EBADMSG);
	assert_int_equal(x509_peer_check_sig(p, hash, sizeof(hash), sig, 10), -EBADMSG);
	/* the subject DN as an ID_DER_ASN1_DN identity */
	const uint8_t *subj;
	size_t slen;
	x509_cred_subject(c, &subj, &slen);
	assert_true(x509_peer_subject_is(p, subj, slen));
	assert_false(x509_peer_subject_is(p, subj, slen - 1));
	x509_peer_free(p);
	x509_cred_free(c);
	x509_trust_free(t);
}

/* The recorded strongSwan PKI: the client's certificate chains to the CA at the time of the
 * capture, its OU is the group, and the server's names the gateway. */
static void test_s3_pki(void **state)
{
	(void)state;
	char ca[512], cl[512], ck[512], sv[512], sk[512], err[512];
	snprintf(ca, sizeof(ca), "%s/%s/pki/ca.pem", EVC_VECTORS_DIR, VEC_S3);
	snprintf(cl, sizeof(cl), "%s/%s/pki/client.pem", EVC_VECTORS_DIR, VEC_S3);
	snprintf(ck, sizeof(ck), "%s/%s/pki/client.key", EVC_VECTORS_DIR, VEC_S3);
	snprintf(sv, sizeof(sv), "%s/%s/pki/server.pem", EVC_VECTORS_DIR, VEC_S3);
	snprintf(sk, sizeof(sk), "%s/%s/pki/server.key", EVC_VECTORS_DIR, VEC_S3);
	struct x509_trust *t = NULL;
	assert_int_equal(x509_trust_load(ca, &t, err, sizeof(err)), 0);
	int64_t capture =
	    1795651200; /* 2026-11-26 00:00 UTC, the day after the vectors were made */
	struct x509_peer *p = verify_file(t, cl, ck, capture, 0, err, sizeof(err));
	assert_string_equal(x509_peer_ou(p), "quizware");
	x509_peer_free(p);
	p = verify_file(t, sv, sk, capture, 0, err, sizeof(err));
	assert_true(x509_peer_names(p, "198.51.100.1"));
	x509_peer_free(p);
	x509_trust_free(t);
}

/*
 * Main mode of s3, key by key past SKEYID: HASH_I and HASH_R computed from the recorded
 * exchange (RFC 2409 5: SKEYID = prf(Ni_b | Nr_b, g^xy) for signatures), the SIG of message 6
 * (the client's, after its two fragments were joined and decrypted) and of message 8 (the
 * server's) verified with the certificate each sent in its CERT payload, that certificate
 * verified against the CA with the client's OU as its group, and each signature reproduced
 * byte for byte with the recorded private keys.
 */
static void check_mm_sig(struct vec_set *v, const struct secret *skeyid, unsigned num,
                         const struct x509_trust *t, const char *key_file)
{
	const struct vec_dec *d = vec_dec(v, num);
	assert_non_null(d);
	struct isakmp_chain c;
	const char *why = NULL;
	assert_true(isakmp_chain_parse(d->payloads.p, d->payloads.len, ISAKMP_PL_ID, &c, &why));
	const struct isakmp_pl *id = isakmp_chain_find(&c, ISAKMP_PL_ID, 0);
	const struct isakmp_pl *cert = isakmp_chain_find(&c, ISAKMP_PL_CERT, 0);
	const struct isakmp_pl *sig = isakmp_chain_find(&c, ISAKMP_PL_SIG, 0);
	assert_non_null(id);
	assert_non_null(cert);
	assert_non_null(sig);
	/* ID_DER_ASN1_DN, protocol and port, then the subject DN */
	assert_int_equal(id->body[0], ISAKMP_ID_DER_ASN1_DN);
	/* CERT: encoding 4 (X.509 signature) and the DER */
	assert_int_equal(cert->body[0], 4);
	struct x509_peer *p = NULL;
	char err[512];
	assert_int_equal(
	    x509_peer_verify(t, cert->body + 1, cert->len - 1, 1795651200, &p, err, sizeof(err)),
	    0);
	assert_true(x509_peer_subject_is(p, id->body + 4, id->len - 4));

	struct vec_bytes gxi = vec_hex(v, "g_xi"), gxr = vec_hex(v, "g_xr");
	struct vec_bytes cki = vec_hex(v, "CKY_I"), ckr = vec_hex(v, "CKY_R");
	const struct vec_msg *m1 = vec_msg(v, 1);
	struct isakmp_chain c1;
	assert_true(isakmp_chain_parse(m1->data.p + ISAKMP_HDR_LEN, m1->data.len - ISAKMP_HDR_LEN,
	                               ISAKMP_PL_SA, &c1, &why));
	const struct isakmp_pl *sai = isakmp_chain_find(&c1, ISAKMP_PL_SA, 0);
	uint8_t hash[HASH_MAX_LEN];
	bool i2r = d->i2r != 0;
	/* HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b), HASH_R swaps */
	assert_int_equal(ike_hash_auth(HASH_SHA256, skeyid, i2r ? gxi.p : gxr.p, gxi.len,
	                               i2r ? gxr.p : gxi.p, gxr.len, i2r ? cki.p : ckr.p,
	                               i2r ? ckr.p : cki.p, sai->body, sai->len, id->body, id->len,
	                               hash),
	                 0);
	assert_int_equal(x509_peer_check_sig(p, hash, 32, sig->body, sig->len), 0);
	hash[31] ^= 1;
	assert_int_equal(x509_peer_check_sig(p, hash, 32, sig->body, sig->len), -EBADMSG);
	hash[31] ^= 1;
	if (i2r)
		assert_string_equal(x509_peer_ou(p), "quizware");
	x509_peer_free(p);

	/* and signed here with the recorded key: the same bytes */
	char cpath[512], kpath[512];
	snprintf(cpath, sizeof(cpath), "%s/%s/pki/%s.pem", EVC_VECTORS_DIR, VEC_S3, key_file);
	snprintf(kpath, sizeof(kpath), "%s/%s/pki/%s.key", EVC_VECTORS_DIR, VEC_S3, key_file);
	struct x509_cred *cr = NULL;
	uint8_t mine[512];
	assert_int_equal(x509_cred_load(cpath, kpath, &cr, err, sizeof(err)), 0);
	int n = x509_cred_sign(cr, hash, 32, mine, sizeof(mine));
	assert_int_equal(n, sig->len);
	assert_memory_equal(mine, sig->body, sig->len);
	/* the CERT payload carried exactly our certificate file */
	const uint8_t *der;
	size_t dlen;
	x509_cred_der(cr, &der, &dlen);
	assert_int_equal(dlen, cert->len - 1);
	assert_memory_equal(der, cert->body + 1, dlen);
	x509_cred_free(cr);
}

static void test_s3_main_mode_signatures(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S3);
	struct vec_bytes ni = vec_hex(v, "Ni_b"), nr = vec_hex(v, "Nr_b"), gxy = vec_hex(v, "g_xy");
	struct vec_bytes want = vec_hex(v, "SKEYID");
	struct secret g = {NULL, 0}, skeyid = {NULL, 0};
	char ca[512], err[512];
	assert_int_equal(secret_set(&g, gxy.p, gxy.len), 0);
	assert_int_equal(ike_skeyid_sig(HASH_SHA256, ni.p, ni.len, nr.p, nr.len, &g, &skeyid), 0);
	assert_int_equal(skeyid.len, want.len);
	assert_memory_equal(skeyid.p, want.p, want.len);
	snprintf(ca, sizeof(ca), "%s/%s/pki/ca.pem", EVC_VECTORS_DIR, VEC_S3);
	struct x509_trust *t = NULL;
	assert_int_equal(x509_trust_load(ca, &t, err, sizeof(err)), 0);
	check_mm_sig(v, &skeyid, 6, t, "client");
	check_mm_sig(v, &skeyid, 8, t, "server");
	x509_trust_free(t);
	secret_clear(&g);
	secret_clear(&skeyid);
	vec_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_and_names),
	    cmocka_unit_test(test_load_errors),
	    cmocka_unit_test(test_signatures),
	    cmocka_unit_test(test_s3_pki),
	    cmocka_unit_test(test_s3_main_mode_signatures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
