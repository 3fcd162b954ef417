/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-memory handshakes: a client engine and a server engine complete aggressive mode, XAUTH,
 * mode-config and quick mode with no sockets, and every failure path ends with the right
 * step and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "ike/ike.h"
#include "ike/isakmp.h"
#include "engine_rig.h"
#include "vectors.h"

#define CLIENT_IP RIG_CLIENT_IP
#define SERVER_IP RIG_SERVER_IP

/* Loses the first *arg datagrams of the server. */
static enum rig_verdict drop_server(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                    size_t *len, size_t cap, void *arg)
{
	unsigned *n = arg;
	(void)r, (void)index, (void)buf, (void)len, (void)cap;
	if (dir == RIG_S2C && *n > 0) {
		(*n)--;
		return RIG_DROP;
	}
	return RIG_PASS;
}

static void start(struct rig *r)
{
	assert_true(rig_start(r));
}

static void pump(struct rig *r)
{
	assert_true(rig_pump(r));
}

static void assert_mirrored(const struct ike_child *c, const struct ike_child *s)
{
	assert_int_equal(c->spi_in, s->spi_out);
	assert_int_equal(c->spi_out, s->spi_in);
	assert_int_equal(c->enc_key_len, s->enc_key_len);
	assert_int_equal(c->auth_key_len, s->auth_key_len);
	assert_memory_equal(c->enc_out, s->enc_in, c->enc_key_len);
	assert_memory_equal(c->auth_out, s->auth_in, c->auth_key_len);
	assert_memory_equal(c->enc_in, s->enc_out, c->enc_key_len);
	assert_memory_equal(c->auth_in, s->auth_out, c->auth_key_len);
	/* the two directions must not share keys */
	assert_memory_not_equal(c->enc_in, c->enc_out, c->enc_key_len);
	assert_int_equal(c->udp_encap, s->udp_encap);
}

static void test_full_handshake(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	start(&r);
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_true((r.c.children_up > 0));
	assert_true((r.s.children_up > 0));
	assert_true(ike_sa_established(r.c.sa));
	assert_true(ike_sa_established(r.s.sa));
	assert_mirrored(&r.c.child, &r.s.child);
	/* the server's first-priority policy: AES-256/SHA1/group 2, XAUTH */
	assert_int_equal(r.c.child.esp, ESP_ENCR_AES_CBC);
	assert_int_equal(r.c.child.key_bits, 128);
	assert_int_equal(r.c.child.auth, ESP_AUTH_HMAC_SHA256);
	assert_int_equal(r.c.child.auth_key_len, 32);
	assert_false(r.c.child.udp_encap); /* no NAT between them */
	assert_int_equal(r.c.child.life_s, 3600);
	/* policy pushed and taken */
	assert_int_equal(r.c.policy.addr, 0x0a62000a);
	assert_int_equal(r.c.policy.n_dns, 1);
	assert_int_equal(r.c.policy.dns[0], 0x0a630035);
	assert_string_equal(r.c.policy.domain, "quizware.com");
	assert_string_equal(r.c.policy.banner, "Welcome to quizware\nAuthorized use only");
	assert_int_equal(r.c.policy.n_split_include, 1);
	assert_int_equal(r.c.policy.split_include[0].addr, 0x0a630000);
	assert_int_equal(r.c.policy.split_include[0].mask, 0xffffff00);
	assert_true(r.c.banners > 0);
	/* traffic selectors: client address /32 <-> 0/0 */
	assert_int_equal(r.c.child.local_ts.addr, 0x0a62000a);
	assert_int_equal(r.c.child.local_ts.mask, 0xffffffff);
	assert_int_equal(r.s.child.remote_ts.addr, 0x0a62000a);
	assert_int_equal(r.c.child.remote_ts.mask, 0);
	assert_string_equal(ike_sa_user(r.s.sa), "richard");
	assert_string_equal(ike_sa_group(r.s.sa), "quizware");
	assert_int_equal(r.c.prompts, 1);
	assert_int_equal(r.srv.assigned, 1);

	/* clean teardown: DELETEs reach the server, which closes too */
	ike_close(r.c.sa, r.now);
	pump(&r);
	assert_true(r.c.closed);
	assert_true(r.s.closed);
	assert_int_equal(r.srv.released, 1);
	rig_free(&r);
}

static void test_natt_forced(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.natt = IKE_NATT_FORCE;
	start(&r);
	assert_true((r.c.children_up > 0));
	assert_true((r.s.children_up > 0));
	assert_mirrored(&r.c.child, &r.s.child);
	assert_true(r.c.child.udp_encap);
	assert_int_equal(r.c.child.peer.port, IKE_NATT_PORT);
	assert_int_equal(r.c.child.local_port, IKE_NATT_PORT);
	assert_int_equal(r.s.child.peer.port, IKE_NATT_PORT);
	assert_int_equal(ike_sa_peer(r.s.sa).port, IKE_NATT_PORT);
	rig_free(&r);
}

static void test_natt_disabled(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.natt = IKE_NATT_DISABLE;
	start(&r);
	assert_true((r.c.children_up > 0));
	assert_false(r.c.child.udp_encap);
	assert_int_equal(r.c.child.peer.port, IKE_PORT);
	rig_free(&r);
}

static void test_pfs(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv.pfs = true;
	r.srv_p2[0].pfs_group = 2;
	start(&r);
	assert_true((r.c.children_up > 0));
	assert_true((r.s.children_up > 0));
	assert_mirrored(&r.c.child, &r.s.child);
	rig_free(&r);
}

static void test_dh14_aes128(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 14;
	r.srv_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA256, IKE_AUTH_PSK, 14, 0};
	r.n_srv_p1 = 1;
	r.srv_p2[0] = (struct ike_p2_prop){ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_SHA1, 0, 0, 0};
	start(&r);
	assert_true((r.c.children_up > 0));
	assert_int_equal(r.c.child.esp, ESP_ENCR_3DES);
	assert_int_equal(r.c.child.enc_key_len, 24);
	assert_int_equal(r.c.child.auth_key_len, 20);
	assert_mirrored(&r.c.child, &r.s.child);
	rig_free(&r);
}

static void test_wrong_group_key(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.psk = "not-the-key";
	start(&r);
	/* an answer whose HASH_R does not verify might be forged: evc keeps waiting for the
	 * genuine one, but not for long once the gateway has answered */
	assert_false(r.c.failed);
	uint64_t t0 = r.now;
	rig_run_timers(&r, r.now + 60000);
	assert_true(r.c.failed);
	assert_true(r.now - t0 <= 8000);
	assert_false((r.c.children_up > 0));
	assert_int_equal(r.c.fail_step, IKE_STEP_PHASE1);
	assert_non_null(strstr(r.c.fail_text, "group key"));
	assert_non_null(strstr(r.c.fail_text, "quizware"));
	rig_free(&r);
}

static void test_unknown_group(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.group = "nosuchgroup";
	start(&r);
	assert_true(r.s.failed);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "group"));
	assert_non_null(strstr(r.c.fail_text, "INVALID-ID-INFORMATION"));
	assert_int_equal(r.srv.assigned, 0);
	rig_free(&r);
}

static void test_no_proposal(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.srv_p1[0].group = 5;
	r.srv_p1[1].group = 14;
	start(&r);
	assert_true(r.c.failed);
	assert_int_equal(r.c.fail_step, IKE_STEP_PHASE1);
	assert_non_null(strstr(r.c.fail_text, "NO-PROPOSAL-CHOSEN"));
	assert_non_null(strstr(r.c.fail_text, "--dh"));
	rig_free(&r);
}

static void test_wrong_password_then_right(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.passwords[0] = "wrong";
	r.passwords[1] = "richard-pw-1";
	r.n_passwords = 2;
	start(&r);
	assert_int_equal(r.c.prompts, 2);
	assert_true(r.c.prompted_retry);
	assert_true((r.c.children_up > 0));
	assert_true((r.s.children_up > 0));
	rig_free(&r);
}

static void test_wrong_password(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.passwords[0] = "wrong1";
	r.passwords[1] = "wrong2";
	r.passwords[2] = "wrong3";
	r.n_passwords = 3;
	start(&r);
	assert_int_equal(r.c.prompts, 3);
	assert_true(r.c.failed);
	assert_int_equal(r.c.fail_step, IKE_STEP_XAUTH);
	assert_non_null(strstr(r.c.fail_text, "richard"));
	assert_true(r.s.failed);
	assert_int_equal(r.srv.assigned, 0);
	rig_free(&r);
}

static void test_lost_answer_retransmitted(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	unsigned lose = 1; /* AM2 is lost */
	r.tamper = drop_server;
	r.tamper_arg = &lose;
	start(&r);
	assert_false((r.c.children_up > 0));
	rig_run_timers(&r, r.now + 60000);
	assert_true((r.c.children_up > 0));
	assert_true((r.s.children_up > 0));
	assert_mirrored(&r.c.child, &r.s.child);
	rig_free(&r);
}

static void test_unreachable_gateway(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.no_server = true;
	start(&r);
	rig_run_timers(&r, r.now + 600000);
	assert_true(r.c.failed);
	assert_int_equal(r.c.fail_step, IKE_STEP_PROPOSALS);
	assert_non_null(strstr(r.c.fail_text, "no answer from the gateway 198.51.100.1"));
	assert_true(ike_next_timeout(r.c.sa) == UINT64_MAX);
	rig_free(&r);
}

static void test_dpd(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	start(&r);
	assert_true((r.c.children_up > 0));
	int sends = r.c.sends;
	/* idle past the DPD interval: the client probes and the server answers */
	rig_run_timers(&r, r.now + 11000);
	assert_true(r.c.sends > sends);
	assert_false(r.c.failed);
	/* server gone: probes go unanswered and the client declares it dead */
	ike_sa_free(r.s.sa);
	r.s.sa = NULL;
	r.no_server = true;
	rig_run_timers(&r, r.now + 600000);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "dead peer"));
	rig_free(&r);
}

static void test_garbage_dropped(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	start(&r);
	assert_true((r.c.children_up > 0));
	uint8_t junk[300];
	struct ike_endpoint from = {SERVER_IP, IKE_PORT}, to = {CLIENT_IP, IKE_PORT};
	for (size_t len = 0; len < sizeof(junk); len += 7) {
		for (size_t i = 0; i < len; i++)
			junk[i] = (uint8_t)(i * 31 + len);
		ike_input(r.c.sa, r.now, junk, len, &from, &to);
	}
	pump(&r);
	assert_false(r.c.failed);
	assert_true(ike_sa_established(r.c.sa));
	rig_free(&r);
}

static void test_default_proposals(void **state)
{
	(void)state;
	struct ike_p1_prop p1[64];
	struct ike_p2_prop p2[32];
	size_t n1 = ike_default_p1(2, p1, 64);
	size_t n2 = ike_default_p2(0, p2, 32);
	/* 4 ciphers x 4 hashes x 2 auth methods; AES-GCM x 3 and 4 ciphers x 2 MACs: no MD5
	 * unless asked (tests/unit/test_proposals.c has the rest) */
	assert_int_equal(n1, 32);
	assert_int_equal(n2, 11);
	for (size_t i = 0; i < n1; i++)
		assert_int_not_equal(p1[i].hash, HASH_MD5);
	for (size_t i = 0; i < n2; i++)
		assert_int_not_equal(p2[i].auth, ESP_AUTH_HMAC_MD5);
	for (size_t i = 0; i < n1; i++)
		for (size_t j = i + 1; j < n1; j++)
			assert_memory_not_equal(&p1[i], &p1[j], sizeof(p1[i]));
	assert_int_equal(p1[0].encr, CIPHER_AES_CBC);
	assert_int_equal(p1[0].key_bits, 256);
	assert_int_equal(p1[0].auth, IKE_AUTH_XAUTH_INIT_PSK);
}

/* The first messages that vpnc (s1) and strongSwan (s2) really sent reach a choice. */
static void check_recorded_am1(const char *scen, const struct ike_p1_prop *srv, uint8_t want_encr,
                               uint16_t want_bits, uint8_t want_hash, uint8_t want_group)
{
	struct vec_set *v = vec_load(scen);
	const struct vec_msg *m = vec_msg(v, 1);
	assert_non_null(m);
	struct rig r;
	rig_init(&r);
	r.srv_p1[0] = *srv;
	r.n_srv_p1 = 1;
	struct ike_endpoint from = {CLIENT_IP, IKE_PORT}, to = {SERVER_IP, IKE_PORT};
	assert_true(rig_new_server(&r, &from));
	ike_input(r.s.sa, r.now, m->data.p, m->data.len, &from, &to);
	struct ike_action a;
	bool sent = false;
	while (ike_next_action(r.s.sa, &a)) {
		assert_int_not_equal(a.type, IKE_ACT_FAILED);
		if (a.type != IKE_ACT_SEND)
			continue;
		sent = true;
		struct isakmp_hdr h;
		struct isakmp_chain c;
		struct isakmp_sa sa;
		const char *why;
		assert_true(isakmp_hdr_parse(a.u.send.data, a.u.send.len, &h, &why));
		assert_int_equal(h.exch, ISAKMP_EXCH_AGGRESSIVE);
		assert_memory_equal(h.icky, m->data.p, 8);
		assert_true(isakmp_chain_parse(a.u.send.data + ISAKMP_HDR_LEN,
		                               a.u.send.len - ISAKMP_HDR_LEN, h.np, &c, &why));
		const struct isakmp_pl *psa = isakmp_chain_find(&c, ISAKMP_PL_SA, 0);
		assert_non_null(psa);
		assert_true(isakmp_sa_parse(psa->body, psa->len, &sa, &why));
		assert_int_equal(sa.np, 1);
		assert_int_equal(sa.nt, 1);
		struct rd rd = rd_init(sa.t[0].attrs, sa.t[0].attrs_len);
		struct isakmp_attr at;
		uint32_t encr = 0, bits = 0, hash = 0, group = 0, auth = 0;
		while (isakmp_attr_next(&rd, &at) == 1) {
			if (at.type == IKE_ATTR_ENCR)
				encr = at.value;
			else if (at.type == IKE_ATTR_KEY_LENGTH)
				bits = at.value;
			else if (at.type == IKE_ATTR_HASH)
				hash = at.value;
			else if (at.type == IKE_ATTR_GROUP)
				group = at.value;
			else if (at.type == IKE_ATTR_AUTH)
				auth = at.value;
		}
		assert_int_equal(encr, want_encr);
		assert_int_equal(bits, want_bits);
		assert_int_equal(hash, want_hash);
		assert_int_equal(group, want_group);
		assert_int_equal(auth, IKE_AUTH_XAUTH_INIT_PSK);
		/* HASH_R, NAT-D and the vendor IDs follow */
		assert_non_null(isakmp_chain_find(&c, ISAKMP_PL_HASH, 0));
		assert_int_equal(isakmp_chain_count(&c, ISAKMP_PL_NATD), 2);
	}
	assert_true(sent);
	assert_string_equal(ike_sa_group(r.s.sa), "quizware");
	rig_free(&r);
	vec_free(v);
}

static void test_recorded_vpnc_am1(void **state)
{
	(void)state;
	struct ike_p1_prop p = {CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 2, 0};
	check_recorded_am1(VEC_S1, &p, CIPHER_AES_CBC, 256, HASH_SHA1, 2);
}

static void test_recorded_strongswan_am1(void **state)
{
	(void)state;
	struct ike_p1_prop p = {CIPHER_AES_CBC, 128, HASH_SHA256, IKE_AUTH_PSK, 14, 0};
	check_recorded_am1(VEC_S2, &p, CIPHER_AES_CBC, 128, HASH_SHA256, 14);
}

/* Unanswered probes are spaced by dpd_retry_s (IOS `crypto isakmp keepalive 10 3`). */
static void test_dpd_retry_interval(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dpd_retry = 3;
	start(&r);
	assert_true((r.c.children_up > 0));
	uint64_t up_at = r.now;
	ike_sa_free(r.s.sa);
	r.s.sa = NULL;
	r.no_server = true;
	while (!r.c.failed && r.now < up_at + 600000) {
		uint64_t t = ike_next_timeout(r.c.sa);
		assert_true(t != UINT64_MAX);
		r.now = t;
		ike_tick(r.c.sa, r.now);
		pump(&r);
	}
	assert_true(r.c.failed);
	/* 10 s idle, then 5 probes 3 s apart, then one more interval */
	assert_true(r.now - up_at >= 10000 + 5 * 3000);
	assert_true(r.now - up_at <= 10000 + 6 * 3000);
	rig_free(&r);
}

/* `client configuration address initiate`: the gateway SETs the policy, the client ACKs. */
static void test_modecfg_push(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.push = true;
	start(&r);
	assert_false(r.c.failed);
	assert_true((r.c.children_up > 0));
	assert_true((r.s.children_up > 0));
	assert_int_equal(r.c.policy.addr, 0x0a62000a);
	assert_string_equal(r.c.policy.domain, "quizware.com");
	assert_int_equal(r.c.policy.n_split_include, 1);
	assert_true(r.c.banners > 0);
	assert_int_equal(r.srv.assigned, 1);
	assert_mirrored(&r.c.child, &r.s.child);
	/* nothing left to repeat: the client's own request was answered by the push */
	assert_true(ike_next_timeout(r.c.sa) > r.now + 5000);
	rig_free(&r);
}

/* The client's NAT mapping changes: the gateway follows only an authenticated message. */
static void test_nat_rebinding(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.natt = IKE_NATT_FORCE;
	start(&r);
	assert_true((r.c.children_up > 0));
	assert_int_equal(ike_sa_peer(r.s.sa).port, IKE_NATT_PORT);

	/* a forged datagram from the new mapping moves nothing */
	uint8_t junk[120];
	uint8_t icky[8], rcky[8];
	ike_sa_cookies(r.s.sa, icky, rcky);
	memset(junk, 0x5a, sizeof(junk));
	memcpy(junk, icky, 8);
	memcpy(junk + 8, rcky, 8);
	junk[16] = ISAKMP_PL_HASH;
	junk[17] = ISAKMP_VERSION;
	junk[18] = ISAKMP_EXCH_INFO;
	junk[19] = ISAKMP_FLAG_E;
	junk[24] = 0, junk[25] = 0, junk[26] = 0, junk[27] = (uint8_t)sizeof(junk);
	struct ike_endpoint nat = {CLIENT_IP, 31337}, srv = {SERVER_IP, IKE_NATT_PORT};
	ike_input(r.s.sa, r.now, junk, sizeof(junk), &nat, &srv);
	pump(&r);
	assert_int_equal(ike_sa_peer(r.s.sa).port, IKE_NATT_PORT);
	assert_int_equal(r.s.moved_to.port, 0);

	/* the client's next DPD probe comes through the new mapping */
	r.client_nat_port = 31337;
	rig_run_timers(&r, r.now + 11000);
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_int_equal(r.s.moved_to.addr, CLIENT_IP);
	assert_int_equal(r.s.moved_to.port, 31337);
	assert_int_equal(ike_sa_peer(r.s.sa).port, 31337);
	/* and the gateway's answer went there */
	assert_int_equal(r.last_to_client.port, 31337);
	rig_free(&r);
}

/* No --dh: group 14 first; a gateway that takes only group 2 refuses it, evc falls back. */
static void test_dh_auto_falls_back(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 0;
	start(&r);
	assert_int_equal(r.c.children_up, 1);
	assert_true(rig_logged(&r.c, "refused DH group 14"));
	assert_true(rig_logged(&r.c, "trying group 2"));
	assert_mirrored(&r.c.child, &r.s.child);
	rig_free(&r);
}

static void test_dh_auto_prefers_14(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 0;
	r.srv_p1[1] = (struct ike_p1_prop){CIPHER_AES_CBC, 128, HASH_SHA256, IKE_AUTH_PSK, 14, 0};
	start(&r);
	assert_int_equal(r.c.children_up, 1);
	assert_false(rig_logged(&r.c, "refused DH group"));
	assert_true(rig_logged(&r.c, "modp2048"));
	rig_free(&r);
}

/* Every automatic group refused: one sentence naming the groups tried. */
static void test_dh_auto_exhausted(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 0;
	r.srv_p1[0].group = 1; /* never offered unless asked */
	r.srv_p1[1].group = 1;
	start(&r);
	assert_true(r.c.failed);
	assert_non_null(strstr(r.c.fail_text, "DH groups 14, 2, 5, 15, 16, 19, 20;"));
	assert_non_null(strstr(r.c.fail_text, "NO-PROPOSAL-CHOSEN"));
	rig_free(&r);
}

/* A profile's pfs: PFS is proposed though the gateway did not ask for it. */
static void test_pfs_proposed_by_client(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.pfs_group = 2;
	r.srv_p2[0].pfs_group = 2;
	start(&r);
	assert_int_equal(r.c.children_up, 1);
	assert_true(rig_logged(&r.c, "with PFS"));
	assert_mirrored(&r.c.child, &r.s.child);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_proposals),
	    cmocka_unit_test(test_full_handshake),
	    cmocka_unit_test(test_modecfg_push),
	    cmocka_unit_test(test_natt_forced),
	    cmocka_unit_test(test_natt_disabled),
	    cmocka_unit_test(test_pfs),
	    cmocka_unit_test(test_dh14_aes128),
	    cmocka_unit_test(test_wrong_group_key),
	    cmocka_unit_test(test_unknown_group),
	    cmocka_unit_test(test_no_proposal),
	    cmocka_unit_test(test_wrong_password_then_right),
	    cmocka_unit_test(test_wrong_password),
	    cmocka_unit_test(test_lost_answer_retransmitted),
	    cmocka_unit_test(test_unreachable_gateway),
	    cmocka_unit_test(test_dpd),
	    cmocka_unit_test(test_dpd_retry_interval),
	    cmocka_unit_test(test_nat_rebinding),
	    cmocka_unit_test(test_garbage_dropped),
	    cmocka_unit_test(test_recorded_vpnc_am1),
	    cmocka_unit_test(test_recorded_strongswan_am1),
	    cmocka_unit_test(test_dh_auto_falls_back),
	    cmocka_unit_test(test_dh_auto_prefers_14),
	    cmocka_unit_test(test_dh_auto_exhausted),
	    cmocka_unit_test(test_pfs_proposed_by_client),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
