/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IKE fragmentation where it matters: main mode with RSA-2048 certificates, whose fifth and
 * sixth messages (certificate, signature, ID) are about 1170 bytes. Certificates are
 * made here with the openssl command. At fragment sizes of 576 and 1000 both
 * sides send those messages in fragments, nothing longer than the size goes whole after the
 * first message, and the connection comes up with mirrored keys (at the default size of
 * 1252, certificates of RSA-2048 still fit whole); a peer that does not take
 * fragments (its vendor ID removed on the way) gets whole messages only.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_rig.h"
#include "ike/frag.h"
#include "ike/isakmp.h"
#include "lib/crypto.h"
#include "lib/x509.h"

static char tmp[64];

static void sh(const char *cmd_fmt, const char *dir)
{
	char cmd[2048];
	snprintf(cmd, sizeof(cmd), cmd_fmt, dir);
	if (system(cmd) != 0)
		fail_msg("failed: %s", cmd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/evc-mmfrag-XXXXXX");
	if (!mkdtemp(tmp))
		return -1;
	sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
	   "-days 3650 -subj '/O=Test/CN=Test CA' 2>/dev/null && "
	   "printf 'subjectAltName=DNS:vpn.example.test,IP:198.51.100.1\\n' > san.ext && "
	   "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
	   "-subj '/O=Test/CN=vpn.example.test' 2>/dev/null && openssl x509 -req -in server.csr "
	   "-CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 3650 -extfile san.ext "
	   "2>/dev/null && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
	   "-subj '/O=Test/OU=quizware/CN=richard' 2>/dev/null && openssl x509 -req -in "
	   "client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 30 "
	   "2>/dev/null",
	   tmp);
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

static void rig_mm(struct rig *r, struct creds *k)
{
	char c[128], key[128], s[128], skey[128], ca[128], err[512];
	snprintf(c, sizeof(c), "%s/client.pem", tmp);
	snprintf(key, sizeof(key), "%s/client.key", tmp);
	snprintf(s, sizeof(s), "%s/server.pem", tmp);
	snprintf(skey, sizeof(skey), "%s/server.key", tmp);
	snprintf(ca, sizeof(ca), "%s/ca.pem", tmp);
	if (x509_cred_load(c, key, &k->cli, err, sizeof(err)) ||
	    x509_cred_load(s, skey, &k->srv, err, sizeof(err)) ||
	    x509_trust_load(ca, &k->trust, err, sizeof(err)))
		fail_msg("%s", err);
	rig_init(r);
	r->srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 86400};
	r->n_srv_p1 = 1;
	r->dh = 14;
	r->cli_cert = k->cli;
	r->cli_trust = k->trust;
	r->srv_cert = k->srv;
	r->srv_trust = k->trust;
}

static void finish(struct rig *r, struct creds *k)
{
	rig_free(r);
	x509_cred_free(k->cli);
	x509_cred_free(k->srv);
	x509_trust_free(k->trust);
}

struct seen {
	unsigned frags[2], whole_big[2], main_big[2];
	size_t size;
	bool strip_vid; /* blank the server's FRAGMENTATION vendor ID on the way */
};

static enum rig_verdict watch(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                              size_t *len, size_t cap, void *arg)
{
	struct seen *w = arg;
	(void)r;
	(void)cap;
	if (*len < ISAKMP_HDR_LEN)
		return RIG_PASS;
	if (buf[16] == ISAKMP_PL_FRAG) {
		w->frags[dir]++;
		return RIG_PASS;
	}
	if (*len > w->size && index > 0)
		w->whole_big[dir]++;
	if (getenv("MMFRAG_DEBUG"))
		fprintf(stderr, "%s #%u: %zu bytes, exch %u np %u\n",
		        dir == RIG_C2S ? "c>s" : "s>c", index, *len, buf[18], buf[16]);
	if (*len > 1000 && buf[18] == ISAKMP_EXCH_MAIN && index > 0)
		w->main_big[dir]++;
	if (w->strip_vid && dir == RIG_S2C && index == 0)
		for (size_t i = ISAKMP_HDR_LEN; i + 16 <= *len; i++)
			if (memcmp(buf + i, ike_frag_vid, 16) == 0)
				buf[i] ^= 0xff; /* MM2 is not authenticated by a hash of its VIDs */
	return RIG_PASS;
}

static void run(size_t frag_size, size_t expect_size)
{
	struct rig r;
	struct creds k;
	struct seen w = {.size = expect_size};
	rig_mm(&r, &k);
	r.frag_size = (unsigned)frag_size;
	r.tamper = watch;
	r.tamper_arg = &w;
	assert_true(rig_start(&r));
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_true(rig_mirrored(&r));
	/* MM5 and MM6 each in at least two fragments, nothing long sent whole after MM1 */
	assert_true(w.frags[RIG_C2S] >= 2);
	assert_true(w.frags[RIG_S2C] >= 2);
	assert_int_equal(w.whole_big[RIG_C2S], 0);
	assert_int_equal(w.whole_big[RIG_S2C], 0);
	assert_int_equal(w.main_big[RIG_C2S] + w.main_big[RIG_S2C], 0);
	finish(&r, &k);
}

static void test_1000(void **state)
{
	(void)state;
	run(1000, 1000);
}

/* At the default (1252) messages with RSA-2048 certificates (about 1170 bytes) fit whole;
 * nothing longer than 1252 goes whole after the first message. */
static void test_default_size(void **state)
{
	(void)state;
	struct rig r;
	struct creds k;
	struct seen w = {.size = IKE_FRAG_DEFAULT_SIZE};
	rig_mm(&r, &k);
	r.tamper = watch;
	r.tamper_arg = &w;
	assert_true(rig_start(&r));
	assert_true(rig_mirrored(&r));
	assert_int_equal(w.whole_big[RIG_C2S] + w.whole_big[RIG_S2C], 0);
	finish(&r, &k);
}

static void test_576(void **state)
{
	(void)state;
	run(576, 576);
}

/* The client never learns that the server takes fragments: its MM5 goes whole (and so do
 * the server's, which learned it from MM1). */
static void test_peer_without_fragmentation(void **state)
{
	(void)state;
	struct rig r;
	struct creds k;
	struct seen w = {.size = 576, .strip_vid = true};
	rig_mm(&r, &k);
	r.frag_size = 576;
	r.tamper = watch;
	r.tamper_arg = &w;
	assert_true(rig_start(&r));
	assert_false(r.c.failed);
	assert_true(rig_mirrored(&r));
	assert_int_equal(w.frags[RIG_C2S], 0);
	assert_true(w.main_big[RIG_C2S] >= 1);
	finish(&r, &k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_size),
	    cmocka_unit_test(test_576),
	    cmocka_unit_test(test_1000),
	    cmocka_unit_test(test_peer_without_fragmentation),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
