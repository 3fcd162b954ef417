/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/x509 with intermediate CAs and CRLs, on a PKI made here with the openssl command:
 * root -> intermediate -> leaf (and a second leaf, revoked). A leaf verifies against the root
 * only with the intermediate its peer sent; our own file's intermediates come out in order;
 * the bounds on intermediates hold; with --crl-file's CRLs a revoked leaf (or a revoked
 * intermediate) is refused as "revoked", a missing or stale CRL is named.
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

#include "lib/x509.h"

static char dir[64];

static void sh(const char *fmt, ...)
{
	char cmd[4096];
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

/* The DER of a PEM certificate file's first certificate. */
static uint8_t *der_of(const char *name, size_t *len)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "openssl x509 -in %s -outform DER -out %s.der", path(name),
	         path(name));
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.der", path(name));
	FILE *f = fopen(cmd, "rb");
	assert_non_null(f);
	uint8_t *buf = malloc(16384);
	assert_non_null(buf);
	*len = fread(buf, 1, 16384, f);
	fclose(f);
	return buf;
}

/* An openssl ca configuration for the CA named n (its own database), for -revoke and
 * -gencrl. */
static void ca_conf(const char *n)
{
	sh("cd %s && : > %s.idx && echo 01 > %s.crlnum && printf '[ca]\\ndefault_ca=d\\n[d]\\n"
	   "database=%s/%s.idx\\ncrlnumber=%s/%s.crlnum\\ndefault_md=sha256\\n"
	   "default_crl_days=30\\n' > %s.cnf",
	   dir, n, n, dir, n, dir, n, n);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/evc-x509c-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	sh("cd %s && printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,"
	   "cRLSign\\n' > ca.ext && openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key "
	   "-out root.pem -days 3650 -subj '/O=Test/CN=Root CA' 2>/dev/null",
	   dir);
	sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout inter.key -out inter.csr "
	   "-subj '/O=Test/CN=Intermediate CA' 2>/dev/null && openssl x509 -req -in inter.csr "
	   "-CA root.pem -CAkey root.key -CAcreateserial -out inter.pem -days 365 -extfile "
	   "ca.ext 2>/dev/null",
	   dir);
	for (int i = 0; i < 2; i++)
		sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout leaf%d.key -out "
		   "leaf%d.csr "
		   "-subj '/O=Test/OU=quizware/CN=leaf%d' 2>/dev/null && openssl x509 -req -in "
		   "leaf%d.csr -CA inter.pem -CAkey inter.key -CAcreateserial -out leaf%d.pem "
		   "-days 30 2>/dev/null && cat leaf%d.pem inter.pem > leaf%d-chain.pem",
		   dir, i, i, i, i, i, i, i);
	ca_conf("root");
	ca_conf("inter");
	/* leaf1 revoked by the intermediate; the root revokes nothing */
	sh("cd %s && openssl ca -config inter.cnf -keyfile inter.key -cert inter.pem -revoke "
	   "leaf1.pem 2>/dev/null && openssl ca -config inter.cnf -keyfile inter.key -cert "
	   "inter.pem -gencrl -out inter.crl 2>/dev/null && openssl ca -config root.cnf -keyfile "
	   "root.key -cert root.pem -gencrl -out root.crl 2>/dev/null && cat root.crl inter.crl "
	   "> both.crl",
	   dir);
	/* the root revoking the intermediate itself */
	sh("cd %s && openssl ca -config root.cnf -keyfile root.key -cert root.pem -revoke "
	   "inter.pem 2>/dev/null && openssl ca -config root.cnf -keyfile root.key -cert root.pem "
	   "-gencrl -out root-revokes.crl 2>/dev/null && cat root-revokes.crl inter.crl > "
	   "inter-revoked.crl && echo garbage > bad.crl",
	   dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", dir);
	return 0;
}

/* Verifies leaf (DER of name) against root.pem at now, with the intermediate when with_inter
 * and the CRLs of crl (NULL: none); returns the errno and leaves the reason in err. */
static int verify(const char *name, bool with_inter, const char *crl, char *err, size_t errlen)
{
	struct x509_trust *t = NULL;
	struct x509_peer *p = NULL;
	size_t len, ilen;
	uint8_t *der = der_of(name, &len), *ider = der_of("inter.pem", &ilen);
	err[0] = '\0';
	assert_int_equal(x509_trust_load(path("root.pem"), &t, err, errlen), 0);
	if (crl)
		assert_int_equal(x509_trust_load_crls(t, path(crl), err, errlen), 0);
	assert_int_equal(x509_peer_parse(der, len, &p, err, errlen), 0);
	if (with_inter)
		assert_int_equal(x509_peer_add_ca(p, ider, ilen, err, errlen), 0);
	int rc = x509_peer_chain(t, p, (int64_t)time(NULL), err, errlen);
	x509_peer_free(p);
	x509_trust_free(t);
	free(der);
	free(ider);
	return rc;
}

static void test_through_intermediate(void **state)
{
	char err[512];
	(void)state;
	assert_int_equal(verify("leaf0.pem", true, NULL, err, sizeof(err)), 0);
	/* without the intermediate the root alone cannot reach the leaf */
	assert_int_equal(verify("leaf0.pem", false, NULL, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "not issued by a trusted CA"));
	assert_non_null(strstr(err, "Intermediate CA"));
}

static void test_cred_chain(void **state)
{
	struct x509_cred *c = NULL;
	char err[512];
	const uint8_t *der;
	size_t len, ilen;
	(void)state;
	assert_int_equal(
	    x509_cred_load(path("leaf0-chain.pem"), path("leaf0.key"), &c, err, sizeof(err)), 0);
	assert_int_equal(x509_cred_chain_count(c), 1);
	uint8_t *ider = der_of("inter.pem", &ilen);
	x509_cred_chain_der(c, 0, &der, &len);
	assert_int_equal(len, ilen);
	assert_memory_equal(der, ider, ilen);
	x509_cred_chain_der(c, 1, &der, &len);
	assert_null(der);
	free(ider);
	x509_cred_free(c);
	/* one certificate alone: no chain */
	assert_int_equal(x509_cred_load(path("leaf0.pem"), path("leaf0.key"), &c, err, sizeof(err)),
	                 0);
	assert_int_equal(x509_cred_chain_count(c), 0);
	x509_cred_free(c);
	/* five intermediates after ours: refused at load, naming the bound */
	sh("cd %s && cat leaf0.pem inter.pem inter.pem inter.pem inter.pem inter.pem > long.pem",
	   dir);
	assert_int_equal(x509_cred_load(path("long.pem"), path("leaf0.key"), &c, err, sizeof(err)),
	                 -E2BIG);
	assert_null(c);
	assert_non_null(strstr(err, "at most 4"));
	/* a damaged second certificate is named, not silently dropped */
	sh("cd %s && cp leaf0.pem torn.pem && head -c 300 inter.pem >> torn.pem && echo >> "
	   "torn.pem && echo '-----END CERTIFICATE-----' >> torn.pem",
	   dir);
	assert_int_equal(x509_cred_load(path("torn.pem"), path("leaf0.key"), &c, err, sizeof(err)),
	                 -EINVAL);
	assert_non_null(strstr(err, "certificate 2"));
}

static void test_peer_ca_bounds(void **state)
{
	struct x509_peer *p = NULL;
	char err[512];
	size_t len, ilen;
	(void)state;
	uint8_t *der = der_of("leaf0.pem", &len), *ider = der_of("inter.pem", &ilen);
	assert_int_equal(x509_peer_parse(der, len, &p, err, sizeof(err)), 0);
	assert_int_equal(x509_peer_add_ca(p, ider, ilen - 1, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not valid DER"));
	assert_int_equal(x509_peer_add_ca(p, ider, 0, err, sizeof(err)), -EMSGSIZE);
	assert_int_equal(x509_peer_add_ca(p, ider, 16385, err, sizeof(err)), -EMSGSIZE);
	for (int i = 0; i < 4; i++)
		assert_int_equal(x509_peer_add_ca(p, ider, ilen, err, sizeof(err)), 0);
	assert_int_equal(x509_peer_add_ca(p, ider, ilen, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "more than 4"));
	x509_peer_free(p);
	free(der);
	free(ider);
}

static void test_crl(void **state)
{
	char err[512];
	(void)state;
	assert_int_equal(verify("leaf0.pem", true, "both.crl", err, sizeof(err)), 0);
	assert_int_equal(verify("leaf1.pem", true, "both.crl", err, sizeof(err)), -EKEYREVOKED);
	assert_non_null(strstr(err, "'O = Test, OU = quizware, CN = leaf1' is revoked"));
	/* without CRLs the same certificate passes: the check is --crl-file's */
	assert_int_equal(verify("leaf1.pem", true, NULL, err, sizeof(err)), 0);
	/* CRL_CHECK_ALL: the root's CRL is needed too, and a revoked intermediate revokes all */
	assert_int_equal(verify("leaf0.pem", true, "inter.crl", err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "no CRL of 'O = Test, CN = Root CA'"));
	assert_int_equal(verify("leaf0.pem", true, "inter-revoked.crl", err, sizeof(err)),
	                 -EKEYREVOKED);
	assert_non_null(strstr(err, "Intermediate CA' is revoked"));
}

static void test_crl_file_errors(void **state)
{
	struct x509_trust *t = NULL;
	char err[512];
	(void)state;
	assert_int_equal(x509_trust_load(path("root.pem"), &t, err, sizeof(err)), 0);
	assert_int_equal(x509_trust_load_crls(t, path("missing.crl"), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.crl"));
	assert_int_equal(x509_trust_load_crls(t, path("bad.crl"), err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "holds no PEM CRL"));
	/* a certificate where a CRL belongs */
	assert_int_equal(x509_trust_load_crls(t, path("root.pem"), err, sizeof(err)), -EINVAL);
	x509_trust_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_through_intermediate), cmocka_unit_test(test_cred_chain),
	    cmocka_unit_test(test_peer_ca_bounds),       cmocka_unit_test(test_crl),
	    cmocka_unit_test(test_crl_file_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
