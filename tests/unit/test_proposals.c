/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The proposals: what evc offers (every permutation, strongest first, weak ones only when
 * asked, in the attribute order strict servers read), and a matrix of client proposal sets
 * against evs configurations, each row saying which proposal wins and why: evs picks by its
 * own `crypto isakmp policy` priority (lowest number first) and by the order of its dynamic
 * map's transform sets, never by the client's order; evc falls back through the DH groups
 * when a gateway refuses one or does not answer at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ike/sa_int.h"
#include "server/core/config.h"
#include "tests/support/engine_rig.h"

#define assert_up(r)                                                                               \
	do {                                                                                       \
		if ((r)->c.failed)                                                                 \
			fail_msg("the client failed: %s", (r)->c.fail_text);                       \
		assert_int_equal((r)->c.children_up, 1);                                           \
	} while (0)

/* ---- the lists ---- */

static int cipher_rank(const struct ike_p1_prop *p)
{
	if (p->encr == CIPHER_AES_CBC)
		return p->key_bits == 256 ? 0 : p->key_bits == 192 ? 1 : 2;
	return p->encr == CIPHER_3DES ? 3 : 4;
}

static int hash_rank(uint8_t h)
{
	switch (h) {
	case HASH_SHA512:
		return 0;
	case HASH_SHA384:
		return 1;
	case HASH_SHA256:
		return 2;
	case HASH_SHA1:
		return 3;
	}
	return 4;
}

static void test_p1_lists(void **state)
{
	(void)state;
	struct ike_p1_prop p[IKE_MAX_P1 + 8];
	/* AES-256/192/128, 3DES x SHA-512/384/256/1 x XAUTH-PSK/PSK */
	size_t n = ike_proposals_p1(14, 0, p, sizeof(p) / sizeof(p[0]));
	assert_int_equal(n, 32);
	char s[64];
	assert_string_equal(ike_p1_str(&p[0], s, sizeof(s)), "AES-256/SHA2-512/modp2048/XAUTH-PSK");
	assert_string_equal(ike_p1_str(&p[1], s, sizeof(s)), "AES-256/SHA2-512/modp2048/PSK");
	assert_string_equal(ike_p1_str(&p[n - 1], s, sizeof(s)), "3DES-CBC/SHA1/modp2048/PSK");
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(p[i].encr, CIPHER_DES);
		assert_int_not_equal(p[i].hash, HASH_MD5);
		assert_int_equal(p[i].group, 14);
		/* strongest first: the cipher, then the hash never gets stronger */
		if (i) {
			int a = cipher_rank(&p[i - 1]) * 8 + hash_rank(p[i - 1].hash);
			int b = cipher_rank(&p[i]) * 8 + hash_rank(p[i].hash);
			assert_true(a <= b);
		}
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(&p[i], &p[j], sizeof(p[i]));
	}
	/* with weak algorithms: DES and MD5 too, still within one SA payload's 64 */
	n = ike_proposals_p1(2, IKE_PROP_WEAK, p, sizeof(p) / sizeof(p[0]));
	assert_int_equal(n, 50);
	assert_true(n <= IKE_MAX_P1);
	assert_string_equal(ike_p1_str(&p[n - 1], s, sizeof(s)), "DES-CBC/MD5/modp1024/PSK");
	/* certificates: the RSA methods instead of the group key's */
	n = ike_proposals_p1(5, IKE_PROP_CERT, p, sizeof(p) / sizeof(p[0]));
	assert_int_equal(n, 32);
	assert_int_equal(p[0].auth, IKE_AUTH_XAUTH_INIT_RSA);
	assert_int_equal(p[1].auth, IKE_AUTH_RSA_SIG);
	/* the default list is the one without flags */
	assert_int_equal(ike_default_p1(14, p, sizeof(p) / sizeof(p[0])), 32);
	/* a short buffer is filled, never overrun */
	assert_int_equal(ike_proposals_p1(14, 0, p, 3), 3);
}

static void test_p2_lists(void **state)
{
	(void)state;
	struct ike_p2_prop p[IKE_MAX_P2];
	char s[64];
	/* GCM-16 x 3 key sizes, then AES-256/192/128 and 3DES x SHA-256/SHA-1 */
	size_t n = ike_proposals_p2(0, 0, p, IKE_MAX_P2);
	assert_int_equal(n, 11);
	assert_string_equal(ike_p2_str(&p[0], s, sizeof(s)), "ESP-AES-GCM-256");
	assert_string_equal(ike_p2_str(&p[3], s, sizeof(s)), "ESP-AES-256/HMAC-SHA256-128");
	assert_string_equal(ike_p2_str(&p[n - 1], s, sizeof(s)), "ESP-3DES/HMAC-SHA1-96");
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(p[i].auth, ESP_AUTH_HMAC_MD5);
		assert_int_equal(p[i].auth == ESP_AUTH_NONE, p[i].esp == ESP_ENCR_AES_GCM16);
	}
	/* weak: DES and HMAC-MD5 as well */
	n = ike_proposals_p2(14, IKE_PROP_WEAK, p, IKE_MAX_P2);
	assert_int_equal(n, 18);
	assert_string_equal(ike_p2_str(&p[n - 1], s, sizeof(s)),
	                    "ESP-DES/HMAC-MD5-96/PFS-modp2048");
	assert_int_equal(ike_default_p2(0, p, IKE_MAX_P2), 11);
}

static void test_dh_order(void **state)
{
	(void)state;
	static const unsigned want[] = {14, 2, 5, 15, 16, 19, 20};
	unsigned g = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		g = ike_dh_next_group(g, 0);
		assert_int_equal(g, want[i]);
		assert_int_equal(ike_dh_auto_groups[i], want[i]);
	}
	assert_int_equal(ike_dh_next_group(20, 0), 0);
	/* group 1 only when weak algorithms are allowed, and last */
	assert_int_equal(ike_dh_next_group(20, IKE_PROP_WEAK), 1);
	assert_int_equal(ike_dh_next_group(1, IKE_PROP_WEAK), 0);
	assert_int_equal(ike_dh_next_group(7, 0), 0);
}

/* Hybrid proposals match a server's hybrid policy (an rsa-sig one evs offers as hybrid) only
 * with XAUTH users, and never a plain rsa-sig or pre-share policy. */
static void test_hybrid_match(void **state)
{
	(void)state;
	struct ike_p1_prop p[64];
	uint8_t buf[4096];
	size_t n = ike_proposals_p1(14, IKE_PROP_HYBRID, p, 64);
	struct wr w = wr_init(buf, sizeof(buf));
	prop_write_p1(&w, p, n);
	assert_false(w.err);
	struct isakmp_sa sa;
	const char *why = NULL;
	assert_true(isakmp_sa_parse(buf, w.len, &sa, &why));
	struct ike_p1_prop srv = {CIPHER_AES_CBC,           256, HASH_SHA256,
	                          IKE_AUTH_HYBRID_INIT_RSA, 14,  0};
	struct ike_p1_prop chosen;
	assert_true(prop_choose_p1(&sa, &srv, 1, 14, true, &chosen) >= 0);
	assert_int_equal(chosen.auth, IKE_AUTH_HYBRID_INIT_RSA);
	assert_int_equal(prop_choose_p1(&sa, &srv, 1, 14, false, &chosen), -1);
	srv.auth = IKE_AUTH_RSA_SIG;
	assert_int_equal(prop_choose_p1(&sa, &srv, 1, 14, true, &chosen), -1);
	srv.auth = IKE_AUTH_PSK;
	assert_int_equal(prop_choose_p1(&sa, &srv, 1, 14, true, &chosen), -1);
}

/*
 * Every transform written has its key length right after the encryption attribute (Cisco
 * reads it there), and reads back to the same proposal.
 */
static void test_attr_order(void **state)
{
	(void)state;
	struct ike_p1_prop p[64];
	uint8_t buf[4096];
	size_t n = ike_proposals_p1(20, IKE_PROP_WEAK, p, 64);
	for (size_t i = 0; i < n; i++)
		p[i].life_s = 28800;
	struct wr w = wr_init(buf, sizeof(buf));
	prop_write_p1(&w, p, n);
	assert_false(w.err);
	struct isakmp_sa sa;
	const char *why = NULL;
	assert_true(isakmp_sa_parse(buf, w.len, &sa, &why));
	assert_int_equal(sa.nt, n);
	for (size_t i = 0; i < n; i++) {
		struct rd r = rd_init(sa.t[i].attrs, sa.t[i].attrs_len);
		struct isakmp_attr a;
		uint16_t prev = 0;
		int k = 0;
		while (isakmp_attr_next(&r, &a) == 1) {
			if (k == 0)
				assert_int_equal(a.type, IKE_ATTR_ENCR);
			if (a.type == IKE_ATTR_KEY_LENGTH)
				assert_int_equal(prev, IKE_ATTR_ENCR);
			if (a.type == IKE_ATTR_LIFE_DURATION)
				assert_int_equal(prev, IKE_ATTR_LIFE_TYPE);
			prev = a.type;
			k++;
		}
		struct ike_p1_prop back;
		assert_true(prop_read_p1(&sa.t[i], &back));
		assert_memory_equal(&back, &p[i], sizeof(back));
	}
}

/* ---- the matrix ---- */

static void collect(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	(void)ctx;
	if (sev == EVS_CONFIG_ERROR)
		print_message("evs.conf:%u: %s\n", line, msg);
}

/* An evs configuration around the given policies and transform sets. */
static struct evs_config *evs_conf(const char *crypto)
{
	char text[4096];
	snprintf(text, sizeof(text),
	         "aaa new-model\n"
	         "aaa authentication login U local\n"
	         "aaa authorization network quizware local\n"
	         "username richard secret richard-pw-1\n"
	         "ip local pool P 10.98.0.10 10.98.0.20\n"
	         "crypto isakmp client configuration group quizware\n"
	         " key groupsecret\n"
	         " pool P\n"
	         "%s"
	         "crypto map M client authentication list U\n"
	         "crypto map M isakmp authorization list quizware\n"
	         "crypto map M client configuration address respond\n"
	         "crypto map M 65535 ipsec-isakmp dynamic D\n"
	         "interface eth0\n"
	         " ip address 198.51.100.1 255.255.255.0\n"
	         " crypto map M\n",
	         crypto);
	struct evs_config *c = evs_config_parse("evs.conf", text, strlen(text), collect, NULL);
	assert_non_null(c);
	return c;
}

struct row {
	const char *why;     /* what the row shows */
	const char *crypto;  /* evs: policies, transform sets, dynamic map */
	unsigned dh;         /* client: 0 automatic, else pinned */
	unsigned flags;      /* client: IKE_PROP_* */
	bool pfs;            /* the gateway asks for PFS (mode-config) */
	const char *p1;      /* the winner of phase 1, as evc reports it; NULL: refused */
	const char *p2;      /* the winner of quick mode */
	const char *logged;  /* also in the client's log (the fallback that led there) */
	const char *failure; /* with p1 NULL: in the client's failure */
};

#define DMAP(ts) "crypto dynamic-map D 10\n set transform-set " ts "\n"
#define TS_AES "crypto ipsec transform-set A esp-aes 256 esp-sha-hmac\n"

static const struct row rows[] = {
    {"the client's first choice when evs has it", /* */
     "crypto isakmp policy 10\n encryption aes 256\n hash sha512\n authentication pre-share\n"
     " group 14\n" TS_AES DMAP("A"),
     0, 0, false, "AES-256/SHA2-512/modp2048/XAUTH-PSK", "ESP-AES-256/HMAC-SHA1-96", NULL, NULL},
    {"evs's priority, not the client's order: policy 5 (3DES) beats policy 10 (AES-256)",
     "crypto isakmp policy 10\n encryption aes 256\n hash sha512\n authentication pre-share\n"
     " group 14\ncrypto isakmp policy 5\n encryption 3des\n hash sha\n"
     " authentication pre-share\n group 14\n" TS_AES DMAP("A"),
     0, 0, false, "3DES-CBC/SHA1/modp2048/XAUTH-PSK", "ESP-AES-256/HMAC-SHA1-96", NULL, NULL},
    {"policy numbers sort as numbers: 9 before 10 before 100",
     "crypto isakmp policy 100\n encryption aes 128\n hash sha\n authentication pre-share\n"
     " group 14\ncrypto isakmp policy 10\n encryption aes 192\n hash sha256\n"
     " authentication pre-share\n group 14\ncrypto isakmp policy 9\n encryption aes\n"
     " hash sha384\n authentication pre-share\n group 14\n" TS_AES DMAP("A"),
     0, 0, false, "AES-128/SHA2-384/modp2048/XAUTH-PSK", NULL, NULL, NULL},
    {"only group 5 (aes256-sha1-modp1536): 14 and 2 refused, then 5",
     "crypto isakmp policy 10\n encryption aes 256\n hash sha\n authentication pre-share\n"
     " group 5\n" TS_AES DMAP("A"),
     0, 0, false, "AES-256/SHA1/modp1536/XAUTH-PSK", NULL, "refused DH group 2 modp1024", NULL},
    {"only ECP 384: every MODP group refused, then 19, then 20",
     "crypto isakmp policy 10\n encryption aes 256\n hash sha384\n authentication pre-share\n"
     " group 20\n" TS_AES DMAP("A"),
     0, 0, false, "AES-256/SHA2-384/ecp384/XAUTH-PSK", NULL, "refused DH group 19 ecp256", NULL},
    {"a pinned group is the only one offered: no fallback to the group evs has",
     "crypto isakmp policy 10\n encryption aes 128\n hash sha256\n authentication pre-share\n"
     " group 14\n" TS_AES DMAP("A"),
     5, 0, false, NULL, NULL, NULL, "NO-PROPOSAL-CHOSEN"},
    {"an MD5 policy is not offered unless weak algorithms are allowed",
     "crypto isakmp policy 10\n encryption 3des\n hash md5\n authentication pre-share\n"
     " group 2\n" TS_AES DMAP("A"),
     0, 0, false, NULL, NULL, NULL, "DH groups 14, 2, 5, 15, 16, 19, 20"},
    {"... and is, when they are",
     "crypto isakmp policy 10\n encryption 3des\n hash md5\n authentication pre-share\n"
     " group 2\n" TS_AES DMAP("A"),
     0, IKE_PROP_WEAK, false, "3DES-CBC/MD5/modp1024/XAUTH-PSK", NULL, "they are broken", NULL},
    {"evs's transform-set order: the first set of the dynamic map wins (3DES over AES)",
     "crypto isakmp policy 10\n encryption aes 256\n hash sha\n authentication pre-share\n"
     " group 14\ncrypto ipsec transform-set T3 esp-3des esp-sha256-hmac\n" TS_AES
     "crypto ipsec transform-set G esp-gcm 256\n" DMAP("T3 A G"),
     0, 0, false, NULL, "ESP-3DES/HMAC-SHA256-128", NULL, NULL},
    {"AES-GCM-16 when it comes first at evs",
     "crypto isakmp policy 10\n encryption aes 256\n hash sha\n authentication pre-share\n"
     " group 14\ncrypto ipsec transform-set G esp-gcm 128\n" TS_AES DMAP("G A"),
     0, 0, false, NULL, "ESP-AES-GCM-128", NULL, NULL},
    {"PFS asked by the gateway: the phase-1 group in quick mode",
     "crypto isakmp policy 10\n encryption aes 256\n hash sha\n authentication pre-share\n"
     " group 14\n" TS_AES "crypto dynamic-map D 10\n set transform-set A\n set pfs group14\n",
     0, 0, true, NULL, "ESP-AES-256/HMAC-SHA1-96/PFS-modp2048", NULL, NULL},
    {"ECP 256 with PFS",
     "crypto isakmp policy 10\n encryption aes 128\n hash sha256\n"
     " authentication pre-share\n group 19\ncrypto ipsec transform-set G "
     "esp-gcm 256\ncrypto dynamic-map D 10\n set transform-set G\n set "
     "pfs group19\n",
     0, 0, true, "AES-128/SHA2-256/ecp256/XAUTH-PSK", "ESP-AES-GCM-256/PFS-ecp256", NULL, NULL},
};

static void run_row(const struct row *w)
{
	struct rig r;
	rig_init(&r);
	struct evs_config *c = evs_conf(w->crypto);
	r.n_srv_p1 = evs_config_p1(c, r.srv_p1, 16);
	r.n_srv_p2 = evs_config_p2(c, r.srv_p2, 16);
	assert_true(r.n_srv_p1 <= 16 && r.n_srv_p2 <= 16);
	evs_config_free(c);
	r.dh = w->dh;
	r.prop_flags = w->flags;
	r.srv.pfs = w->pfs;
	print_message("row: %s\n", w->why);
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 60000);
	if (!w->p1 && !w->p2) {
		assert_true(r.c.failed);
		assert_non_null(strstr(r.c.fail_text, w->failure));
		assert_int_equal(r.c.children_up, 0);
	} else {
		if (r.c.failed)
			fail_msg("%s: %s", w->why, r.c.fail_text);
		assert_int_equal(r.c.children_up, 1);
		char want[128];
		if (w->p1) {
			snprintf(want, sizeof(want), "phase 1 established: %s", w->p1);
			if (!rig_logged(&r.c, want) || !rig_logged(&r.s, w->p1))
				fail_msg("%s: no '%s' in the logs", w->why, want);
		}
		if (w->p2) {
			char got[64];
			struct ike_p2_prop q = {.esp = r.c.child.esp,
			                        .key_bits = r.c.child.key_bits,
			                        .auth = r.c.child.auth};
			ike_p2_str(&q, got, sizeof(got));
			/* the PFS group shows in the status line */
			if (!rig_logged(&r.c, w->p2) || strncmp(w->p2, got, strlen(got)) != 0)
				fail_msg("%s: quick mode chose %s, not %s", w->why, got, w->p2);
		}
		if (w->logged)
			assert_true(rig_logged(&r.c, w->logged));
	}
	rig_free(&r);
}

static void test_matrix(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i]);
}

/*
 * Policies evs does not offer (single DES, DH group 1) are reached only by a client that
 * allows weak algorithms; the engine itself negotiates them (for gateways that know nothing
 * else).
 */
static void test_weak_only_when_asked(void **state)
{
	(void)state;
	for (int weak = 0; weak < 2; weak++) {
		struct rig r;
		rig_init(&r);
		r.dh = 0;
		r.prop_flags = weak ? IKE_PROP_WEAK : 0;
		r.srv_p1[0] = (struct ike_p1_prop){CIPHER_DES, 0, HASH_SHA1, IKE_AUTH_PSK, 1, 0};
		r.n_srv_p1 = 1;
		r.srv_p2[0] = (struct ike_p2_prop){ESP_ENCR_DES, 0, ESP_AUTH_HMAC_MD5, 0, 3600, 0};
		r.n_srv_p2 = 1;
		assert_true(rig_start(&r));
		if (!weak) {
			assert_true(r.c.failed);
			assert_non_null(
			    strstr(r.c.fail_text, "DH groups 14, 2, 5, 15, 16, 19, 20;"));
		} else {
			assert_up(&r);
			assert_true(rig_logged(&r.c, "phase 1 established: DES-CBC/SHA1/modp768"));
			assert_true(rig_logged(&r.c, "refused DH group 20 ecp384"));
			assert_true(rig_logged(&r.c, "they are broken"));
			assert_int_equal(r.c.child.esp, ESP_ENCR_DES);
			assert_int_equal(r.c.child.enc_key_len, 8);
		}
		rig_free(&r);
	}
	/* a pinned group 1 without weak algorithms is a configuration error */
	struct rig r;
	rig_init(&r);
	r.dh = 1;
	assert_false(rig_new_client(&r));
	r.prop_flags = IKE_PROP_WEAK;
	assert_true(rig_new_client(&r));
	rig_free(&r);
}

/* Drops every first message whose KE is not `arg` bytes: a gateway that ignores groups it
 * does not take instead of refusing them. */
static enum rig_verdict silent_unless(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                      size_t *len, size_t cap, void *arg)
{
	(void)r, (void)index, (void)cap;
	size_t want = *(const size_t *)arg;
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	if (dir != RIG_C2S || !isakmp_hdr_parse(buf, *len, &h, &why) ||
	    h.exch != ISAKMP_EXCH_AGGRESSIVE || (h.flags & ISAKMP_FLAG_E))
		return RIG_PASS;
	if (!isakmp_chain_parse(buf + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why))
		return RIG_PASS;
	const struct isakmp_pl *ke = isakmp_chain_find(&c, ISAKMP_PL_KE, 0);
	return ke && ke->len != want ? RIG_DROP : RIG_PASS;
}

/*
 * A gateway that never answers groups 14 and 2: evc moves on by itself and connects with group
 * 5, within the time one unanswered group would have taken before.
 */
static void test_silent_fallback(void **state)
{
	(void)state;
	struct rig r;
	size_t ke5 = 192;
	rig_init(&r);
	r.dh = 0;
	r.srv_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 5, 0};
	r.tamper = silent_unless;
	r.tamper_arg = &ke5;
	uint64_t t0 = r.now;
	assert_true(rig_start(&r));
	/* rig_run_timers stops at the last timer before its limit: step the clock to it */
	for (uint64_t until = t0 + 100; !r.c.children_up && !r.c.failed && until < t0 + 60000;
	     until += 100) {
		rig_run_timers(&r, until);
		if (r.now < until)
			r.now = until;
	}
	assert_up(&r);
	assert_true(rig_logged(&r.c, "no answer to DH group 14 modp2048"));
	assert_true(rig_logged(&r.c, "no answer to DH group 2 modp1024"));
	assert_true(rig_logged(&r.c, "phase 1 established: AES-256/SHA1/modp1536"));
	/* 31 s is how long one group's retransmissions wait; 7 groups share that */
	print_message("connected after %llu ms\n", (unsigned long long)(r.now - t0));
	assert_true(r.now - t0 < 31000);
	rig_free(&r);
}

/* Nobody answers at all: one failure naming every group, within the usual timeout. */
static void test_silent_everywhere(void **state)
{
	(void)state;
	struct rig r;
	size_t none = 1;
	rig_init(&r);
	r.dh = 0;
	r.tamper = silent_unless;
	r.tamper_arg = &none;
	uint64_t t0 = r.now;
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 120000);
	assert_true(r.c.failed);
	assert_int_equal(r.c.fail_step, IKE_STEP_PROPOSALS);
	assert_non_null(strstr(r.c.fail_text, "DH groups 14, 2, 5, 15, 16, 19, 20 within 31 s"));
	assert_true(r.now - t0 <= 31000);
	rig_free(&r);
}

/*
 * Bad input: a gateway choosing a proposal evc never offered, and a client offering 300
 * transforms. Each a clear error naming the step.
 */
static enum rig_verdict swap_choice(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                    size_t *len, size_t cap, void *arg)
{
	(void)r, (void)cap, (void)arg;
	struct isakmp_hdr h;
	struct isakmp_chain c;
	const char *why;
	(void)index;
	if (dir != RIG_S2C || !isakmp_hdr_parse(buf, *len, &h, &why) ||
	    h.exch != ISAKMP_EXCH_AGGRESSIVE || (h.flags & ISAKMP_FLAG_E) ||
	    !isakmp_chain_parse(buf + ISAKMP_HDR_LEN, h.len - ISAKMP_HDR_LEN, h.np, &c, &why))
		return RIG_PASS;
	const struct isakmp_pl *sa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
	/* the chosen transform's first attribute is the cipher: make it DES */
	uint8_t *t = (uint8_t *)sa->body + 8 + 8 + 8;
	if (t[0] == 0x80 && t[1] == IKE_ATTR_ENCR)
		t[3] = CIPHER_DES;
	return RIG_PASS;
}

static void test_choice_never_offered(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.tamper = swap_choice;
	assert_true(rig_start(&r));
	rig_run_timers(&r, r.now + 60000);
	if (!r.c.failed || !strstr(r.c.fail_text, "a proposal evc did not offer"))
		fail_msg("failed %d: %s", r.c.failed, r.c.fail_text);
	assert_int_equal(r.c.fail_step, IKE_STEP_PHASE1);
	rig_free(&r);
}

static void test_300_transforms(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	struct ike_endpoint from = {RIG_CLIENT_IP, IKE_PORT}, to = {RIG_SERVER_IP, IKE_PORT};
	assert_true(rig_new_server(&r, &from));
	/* SA: one proposal whose transform count says 300 mod 256, then 300 transforms */
	static uint8_t msg[20000];
	struct isakmp_hdr h = {
	    .np = ISAKMP_PL_SA, .version = ISAKMP_VERSION, .exch = ISAKMP_EXCH_AGGRESSIVE};
	memset(h.icky, 0x11, 8);
	struct isakmp_builder b;
	uint8_t body[16000];
	struct wr w = wr_init(body, sizeof(body));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u32(&w, ISAKMP_SIT_IDENTITY_ONLY);
	size_t prop_at = w.len;
	wr_u8(&w, 0), wr_u8(&w, 0), wr_u16(&w, 0);
	wr_u8(&w, 1), wr_u8(&w, ISAKMP_PROTO_ISAKMP), wr_u8(&w, 0), wr_u8(&w, 300 & 255);
	for (int i = 0; i < 300; i++) {
		size_t t_at = w.len;
		wr_u8(&w, i + 1 < 300 ? ISAKMP_PL_T : 0), wr_u8(&w, 0), wr_u16(&w, 0);
		wr_u8(&w, (uint8_t)i), wr_u8(&w, ISAKMP_KEY_IKE), wr_u16(&w, 0);
		isakmp_attr_write_tv(&w, IKE_ATTR_ENCR, CIPHER_AES_CBC);
		isakmp_attr_write_tv(&w, IKE_ATTR_KEY_LENGTH, 128);
		isakmp_attr_write_tv(&w, IKE_ATTR_HASH, HASH_SHA1);
		isakmp_attr_write_tv(&w, IKE_ATTR_AUTH, IKE_AUTH_XAUTH_INIT_PSK);
		isakmp_attr_write_tv(&w, IKE_ATTR_GROUP, 2);
		wr_put_u16(&w, t_at + 2, (uint16_t)(w.len - t_at));
	}
	wr_put_u16(&w, prop_at + 2, (uint16_t)(w.len - prop_at));
	assert_false(w.err);
	uint8_t ke[128], nonce[20] = {1}, id[] = {ISAKMP_ID_KEY_ID, 17, 1, 244, 'q'};
	memset(ke, 0x42, sizeof(ke));
	isakmp_build_start(&b, msg, sizeof(msg), &h);
	isakmp_build_payload(&b, ISAKMP_PL_SA, body, w.len);
	isakmp_build_payload(&b, ISAKMP_PL_KE, ke, sizeof(ke));
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	isakmp_build_payload(&b, ISAKMP_PL_ID, id, sizeof(id));
	size_t n = isakmp_build_finish(&b);
	assert_true(n > 8000);
	ike_input(r.s.sa, r.now, msg, n, &from, &to);
	assert_true(rig_pump(&r));
	if (!r.s.failed)
		fail_msg("%s", r.s.log);
	assert_int_equal(r.s.fail_step, IKE_STEP_PROPOSALS);
	print_message("%s\n", r.s.fail_text);
	assert_non_null(strstr(r.s.fail_text, "the proposals from 198.51.100.2 take"));
	assert_non_null(strstr(r.s.fail_text, "fewer transforms"));
	rig_free(&r);

	/* 200 transforms without attributes fit in the bytes, but not in the parser's table */
	rig_init(&r);
	assert_true(rig_new_server(&r, &from));
	w = wr_init(body, sizeof(body));
	wr_u32(&w, ISAKMP_DOI_IPSEC);
	wr_u32(&w, ISAKMP_SIT_IDENTITY_ONLY);
	wr_u8(&w, 0), wr_u8(&w, 0), wr_u16(&w, 8 + 200 * 8);
	wr_u8(&w, 1), wr_u8(&w, ISAKMP_PROTO_ISAKMP), wr_u8(&w, 0), wr_u8(&w, 200);
	for (int i = 0; i < 200; i++) {
		wr_u8(&w, i + 1 < 200 ? ISAKMP_PL_T : 0), wr_u8(&w, 0), wr_u16(&w, 8);
		wr_u8(&w, (uint8_t)i), wr_u8(&w, ISAKMP_KEY_IKE), wr_u16(&w, 0);
	}
	isakmp_build_start(&b, msg, sizeof(msg), &h);
	isakmp_build_payload(&b, ISAKMP_PL_SA, body, w.len);
	isakmp_build_payload(&b, ISAKMP_PL_KE, ke, sizeof(ke));
	isakmp_build_payload(&b, ISAKMP_PL_NONCE, nonce, sizeof(nonce));
	isakmp_build_payload(&b, ISAKMP_PL_ID, id, sizeof(id));
	n = isakmp_build_finish(&b);
	ike_input(r.s.sa, r.now, msg, n, &from, &to);
	assert_true(rig_pump(&r));
	print_message("%s\n", r.s.fail_text);
	assert_true(r.s.failed);
	assert_non_null(strstr(r.s.fail_text, "malformed proposals from 198.51.100.2"));
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_p1_lists),
	    cmocka_unit_test(test_p2_lists),
	    cmocka_unit_test(test_dh_order),
	    cmocka_unit_test(test_attr_order),
	    cmocka_unit_test(test_hybrid_match),
	    cmocka_unit_test(test_matrix),
	    cmocka_unit_test(test_weak_only_when_asked),
	    cmocka_unit_test(test_silent_fallback),
	    cmocka_unit_test(test_silent_everywhere),
	    cmocka_unit_test(test_choice_never_offered),
	    cmocka_unit_test(test_300_transforms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
