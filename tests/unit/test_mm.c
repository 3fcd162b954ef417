/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Main mode with RSA signatures, both roles back to back in the engine rig, with a CA and
 * certificates made here by the openssl command: the whole connection (main mode, XAUTH-RSA,
 * mode-config, quick mode), and each refusal with its reason: a damaged signature, a
 * certificate from another CA, an expired one, a gateway whose certificate names another
 * host, a client whose OU names no group, a server without a certificate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "lib/crypto.h"
#include "lib/x509.h"

static char tmp[64];

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

/* A client certificate with subject subj issued by ca (30 days). */
static void client_cert(const char *name, const char *subj, const char *ca)
{
	sh("cd %s && openssl req -newkey rsa:2048 -nodes -keyout %s.key -out %s.csr -subj '%s' "
	   "2>/dev/null && openssl x509 -req -in %s.csr -CA %s.pem -CAkey %s.key "
	   "-CAcreateserial -out %s.pem -days 30 2>/dev/null",
	   tmp, name, name, subj, name, ca, ca, name);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/evc-mm-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
	   "-days 3650 -subj '/O=Test/CN=Test CA' 2>/dev/null",
	   tmp);
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem "
	   "-days 3650 -subj '/O=Other/CN=Other CA' 2>/dev/null",
	   tmp);
	/* the server's lasts ten years, so that only the client's expires in the test */
	sh("cd %s && printf 'subjectAltName=DNS:vpn.example.test,IP:198.51.100.1\\n' > san.ext && "
	   "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
	   "-subj '/O=Test/CN=vpn.example.test' 2>/dev/null && openssl x509 -req -in "
	   "server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 3650 "
	   "-extfile san.ext 2>/dev/null",
	   tmp);
	client_cert("client", "/O=Test/OU=quizware/CN=richard", "ca");
	client_cert("stray", "/O=Other/OU=quizware/CN=mallory", "other");
	client_cert("nogroup", "/O=Test/OU=marketing/CN=bob", "ca");
	client_cert("noou", "/O=Test/CN=carol", "ca");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sh("rm -rf %s", tmp);
	return 0;
}

struct creds {
	struct x509_cred *cli, *srv;
	struct x509_trust *trust;
};

static void load(struct creds *k, const char *client)
{
	char c[128], key[128], s[128], skey[128], ca[128], err[512];
	snprintf(c, sizeof(c), "%s/%s.pem", tmp, client);
	snprintf(key, sizeof(key), "%s/%s.key", tmp, client);
	snprintf(s, sizeof(s), "%s/server.pem", tmp);
	snprintf(skey, sizeof(skey), "%s/server.key", tmp);
	snprintf(ca, sizeof(ca), "%s/ca.pem", tmp);
	if (x509_cred_load(c, key, &k->cli, err, sizeof(err)) ||
	    x509_cred_load(s, skey, &k->srv, err, sizeof(err)) ||
	    x509_trust_load(ca, &k->trust, err, sizeof(err)))
		fail_msg("%s", err);
}

static void unload(struct creds *k)
{
	x509_cred_free(k->cli);
	x509_cred_free(k->srv);
	x509_trust_free(k->trust);
}

/* The rig in main mode: RSA policies on the server, certificates on both sides. */
static void rig_mm(struct rig *r, struct creds *k, const char *client)
{
	load(k, client);
	rig_init(r);
	r->srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 86400};
	r->srv_p1[1] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA1, IKE_AUTH_PSK, 14, 0};
	r->n_srv_p1 = 2;
	r->dh = 14;
	r->cli_cert = k->cli;
	r->cli_trust = k->trust;
	r->srv_cert = k->srv;
	r->srv_trust = k->trust;
}

static void finish(struct rig *r, struct creds *k)
{
	rig_free(r);
	unload(k);
}

static void test_connect(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "client");
	assert_true(rig_start(&r));
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_true(rig_mirrored(&r));
	/* XAUTH-RSA: the user still logs in, the group comes from the OU */
	assert_int_equal(r.c.answers, 1);
	assert_string_equal(ike_sa_group(r.s.sa), "quizware");
	assert_string_equal(ike_sa_user(r.s.sa), "richard");
	assert_true(rig_logged(&r.c, "main mode, certificate 'O = Test, CN = vpn.example.test'"));
	assert_true(rig_logged(&r.s, "authenticated with certificate"));
	assert_int_equal(r.c.policy.addr, RIG_POOL_ADDR);
	struct ike_p1_prop p;
	int64_t left;
	assert_true(ike_sa_p1_chosen(r.s.sa, r.now, &p, &left));
	assert_int_equal(p.auth, IKE_AUTH_XAUTH_INIT_RSA);
	finish(&r, &k);
}

static void test_gateway_by_name(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "client");
	r.gw_name = "vpn.example.test";
	assert_true(rig_start(&r));
	assert_true(rig_mirrored(&r));
	finish(&r, &k);
}

static void test_wrong_gateway(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "client");
	r.gw_name = "vpn.other.test";
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_int_equal(r.c.children_up, 0);
	assert_true(rig_logged(&r.c, "does not name vpn.other.test"));
	assert_true(rig_logged(&r.c, "check --gateway"));
	finish(&r, &k);
}

static void test_other_ca(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "stray");
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.s, "not issued by a trusted CA"));
	assert_true(rig_logged(&r.s, "mallory"));
	/* the client is told, with a reason it can act on */
	assert_true(rig_logged(&r.c, "does not trust our certificate"));
	assert_int_equal(r.c.children_up, 0);
	finish(&r, &k);
}

static void test_expired(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "client");
	r.wall = (int64_t)time(NULL) + 60 * 86400; /* the client's 30 days are over */
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "expired on"));
	assert_true(rig_logged(&r.c, "does not trust our certificate"));
	finish(&r, &k);
}

static void test_no_group(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "nogroup");
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "names group 'marketing' (its OU), which is not configured"));
	assert_true(rig_logged(&r.c, "knows no group named by the OU of our certificate"));
	assert_int_equal(r.srv.assigned, 0);
	finish(&r, &k);
}

static void test_no_ou(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "noou");
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "has no OU"));
	finish(&r, &k);
}

/* Flips a bit inside the signature of every copy of one main-mode message (MM5: C2S 2, MM6:
 * S2C 2): CBC garbles two blocks of the signature and leaves the payloads intact. */
struct flip {
	enum rig_dir dir;
	size_t from_end;
	bool once;
	int done;
};

static enum rig_verdict flip_sig(struct rig *r, enum rig_dir dir, unsigned n, uint8_t *buf,
                                 size_t *len, size_t cap, void *arg)
{
	struct flip *f = arg;
	(void)r, (void)cap;
	if (dir != f->dir || *len < 400 || buf[18] != ISAKMP_EXCH_MAIN || !(buf[19] & 1) ||
	    (f->once && f->done))
		return RIG_PASS;
	(void)n;
	buf[*len - f->from_end] ^= 0x40;
	f->done++;
	return RIG_PASS;
}

static void test_bad_signature_client(void **state)
{
	struct rig r;
	struct creds k;
	struct flip f = {RIG_C2S, 200, false, 0};
	(void)state;
	rig_mm(&r, &k, "client");
	r.tamper = flip_sig;
	r.tamper_arg = &f;
	r.frag_size = 16000; /* whole messages: the bit to flip is found from the end */
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(f.done > 0);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "the signature of the client ('O = Test, OU = quizware, CN = "
	                             "richard') does not verify"));
	assert_int_equal(r.c.children_up, 0);
	finish(&r, &k);
}

static void test_bad_signature_server(void **state)
{
	struct rig r;
	struct creds k;
	struct flip f = {RIG_S2C, 100, false, 0};
	(void)state;
	rig_mm(&r, &k, "client");
	r.tamper = flip_sig;
	r.tamper_arg = &f;
	r.frag_size = 16000; /* whole messages: the bit to flip is found from the end */
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(f.done > 0);
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, "the signature of the gateway"));
	assert_true(rig_logged(&r.c, "does not verify"));
	assert_int_equal(r.c.children_up, 0);
	finish(&r, &k);
}

/* One damaged copy is dropped; the retransmission of the genuine one connects. */
static void test_damaged_once(void **state)
{
	for (int d = 0; d < 2; d++) {
		struct rig r;
		struct creds k;
		struct flip f = {d ? RIG_S2C : RIG_C2S, d ? 100 : 200, true, 0};
		(void)state;
		rig_mm(&r, &k, "client");
		r.tamper = flip_sig;
		r.tamper_arg = &f;
		r.frag_size = 16000;
		rig_start(&r);
		rig_run_timers(&r, r.now + 30000);
		assert_int_equal(f.done, 1);
		assert_false(r.c.failed);
		assert_true(rig_mirrored(&r));
		finish(&r, &k);
	}
}

/* Drops everything the client sends under its first cookie: a gateway silent to group 14. */
struct first_cookie {
	uint8_t icky[8];
	bool seen;
	int dropped;
};

static enum rig_verdict silent_first(struct rig *r, enum rig_dir dir, unsigned n, uint8_t *buf,
                                     size_t *len, size_t cap, void *arg)
{
	struct first_cookie *f = arg;
	(void)r, (void)n, (void)cap;
	if (dir != RIG_C2S || *len < 8)
		return RIG_PASS;
	if (!f->seen) {
		memcpy(f->icky, buf, 8);
		f->seen = true;
	}
	if (memcmp(f->icky, buf, 8) != 0)
		return RIG_PASS;
	f->dropped++;
	return RIG_DROP;
}

/* Main mode falls back to the next DH group when the gateway refuses one, and when it does
 * not answer within that group's share of the timeout. */
static void test_group_fallback(void **state)
{
	struct rig r;
	struct creds k;
	struct first_cookie f = {{0}, false, 0};
	(void)state;
	rig_mm(&r, &k, "client");
	r.dh = 0; /* automatic: 14 first, then 2 */
	r.srv_p1[0].group = 2;
	r.srv_p1[1].group = 2;
	rig_start(&r);
	rig_run_timers(&r, r.now + 60000);
	assert_false(r.c.failed);
	assert_true(rig_mirrored(&r));
	assert_true(
	    rig_logged(&r.c, "the gateway refused DH group 14 modp2048 (NO-PROPOSAL-CHOSEN)"));
	finish(&r, &k);

	rig_mm(&r, &k, "client");
	r.dh = 0;
	r.srv_p1[0].group = 2;
	r.srv_p1[1].group = 2;
	r.tamper = silent_first;
	r.tamper_arg = &f;
	rig_start(&r);
	rig_run_timers(&r, r.now + 60000);
	assert_true(f.dropped >= 1);
	assert_false(r.c.failed);
	assert_true(rig_mirrored(&r));
	assert_true(rig_logged(&r.c, "no answer to DH group 14 modp2048"));
	finish(&r, &k);
}

/* The gateway's CERTREQ (MM4) asks for another certificate type: said, and no obstacle. */
static enum rig_verdict certreq_type(struct rig *r, enum rig_dir dir, unsigned n, uint8_t *buf,
                                     size_t *len, size_t cap, void *arg)
{
	struct isakmp_chain c;
	const char *why;
	int *done = arg;
	(void)r, (void)cap;
	if (dir != RIG_S2C || n != 1 || *len < ISAKMP_HDR_LEN ||
	    !isakmp_chain_parse(buf + ISAKMP_HDR_LEN, *len - ISAKMP_HDR_LEN, buf[16], &c, &why))
		return RIG_PASS;
	const struct isakmp_pl *cr = isakmp_chain_find(&c, ISAKMP_PL_CR, 0);
	if (cr && cr->len) {
		buf[cr->body - buf] = 1; /* PKCS #7 wrapped X.509 */
		(*done)++;
	}
	return RIG_PASS;
}

static void test_certreq_other_type(void **state)
{
	struct rig r;
	struct creds k;
	int done = 0;
	(void)state;
	rig_mm(&r, &k, "client");
	r.tamper = certreq_type;
	r.tamper_arg = &done;
	assert_true(rig_start(&r));
	assert_int_equal(done, 1);
	assert_true(rig_logged(&r.c, "the gateway asks for a certificate of type 1"));
	assert_true(rig_mirrored(&r));
	finish(&r, &k);
}

static void test_server_without_cert(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "client");
	r.srv_cert = NULL;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "asked for main mode, which needs a certificate"));
	assert_true(r.c.failed);
	assert_true(rig_logged(&r.c, "NO-PROPOSAL-CHOSEN"));
	finish(&r, &k);
}

/* Only pre-share policies: a main-mode client is refused, saying why. */
static void test_no_rsa_policy(void **state)
{
	struct rig r;
	struct creds k;
	(void)state;
	rig_mm(&r, &k, "client");
	r.srv_p1[0].auth = IKE_AUTH_PSK;
	rig_start(&r);
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.s.failed);
	assert_true(rig_logged(&r.s, "with 'authentication rsa-sig' (0 such policies"));
	assert_true(r.c.failed);
	finish(&r, &k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect),
	    cmocka_unit_test(test_gateway_by_name),
	    cmocka_unit_test(test_wrong_gateway),
	    cmocka_unit_test(test_other_ca),
	    cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_no_group),
	    cmocka_unit_test(test_no_ou),
	    cmocka_unit_test(test_bad_signature_client),
	    cmocka_unit_test(test_bad_signature_server),
	    cmocka_unit_test(test_damaged_once),
	    cmocka_unit_test(test_group_fallback),
	    cmocka_unit_test(test_certreq_other_type),
	    cmocka_unit_test(test_server_without_cert),
	    cmocka_unit_test(test_no_rsa_policy),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
