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

#include "ike/crypto.h"
#include "ike/ike.h"
#include "ike/isakmp.h"
#include "vectors.h"

#define CLIENT_IP 0xc6336402u /* 198.51.100.2 */
#define SERVER_IP 0xc6336401u /* 198.51.100.1 */

struct srv_ctx {
	const char *group;
	const char *psk;
	bool pfs;
	int assigned;
	int released;
};

static int srv_group_psk(void *ctx, const char *group, struct ike_secret *psk)
{
	struct srv_ctx *s = ctx;
	if (strcmp(group, s->group) != 0)
		return -ENOENT;
	return ike_secret_set(psk, s->psk, strlen(s->psk));
}

static int srv_assign(void *ctx, const char *group, const char *user, struct evc_policy *pol)
{
	struct srv_ctx *s = ctx;
	(void)group;
	(void)user;
	memset(pol, 0, sizeof(*pol));
	pol->have = EVC_HAVE_ADDR | EVC_HAVE_DOMAIN | EVC_HAVE_BANNER | EVC_HAVE_PFS;
	pol->addr = 0x0a62000a; /* 10.98.0.10 */
	pol->dns[0] = 0x0a630035;
	pol->n_dns = 1;
	snprintf(pol->domain, sizeof(pol->domain), "quizware.com");
	snprintf(pol->banner, sizeof(pol->banner), "Welcome to quizware\nAuthorized use only");
	pol->split_include[0].addr = 0x0a630000;
	pol->split_include[0].mask = 0xffffff00;
	pol->n_split_include = 1;
	pol->pfs = s->pfs;
	s->assigned++;
	return 0;
}

static void srv_release(void *ctx, const char *group, const char *user,
                        const struct evc_policy *pol)
{
	struct srv_ctx *s = ctx;
	(void)group;
	(void)user;
	(void)pol;
	s->released++;
}

struct side {
	struct ike_sa *sa;
	bool up, failed, closed, prompted_retry, banner;
	enum ike_step fail_step;
	char fail_text[1024];
	struct ike_child child;
	struct evc_policy policy;
	int prompts;
	int sends;
};

struct rig {
	struct srv_ctx srv;
	struct ike_server_ops ops;
	struct ike_p1_prop srv_p1[4];
	size_t n_srv_p1;
	struct ike_p2_prop srv_p2[4];
	size_t n_srv_p2;
	struct side c, s;
	const char *passwords[4];
	int n_passwords;
	int next_password;
	enum ike_natt_mode natt;
	int drop_server_sends; /* drop this many server datagrams (loss) */
	bool no_server;
	uint64_t now;
	const char *psk;
	const char *group;
	unsigned dh;
	unsigned dpd_retry;
	bool push;
	uint16_t client_nat_port;  /* non-zero: the client's datagrams arrive from this port */
	struct ike_endpoint moved; /* the server's last IKE_ACT_PEER_MOVED */
	struct ike_endpoint last_to_client;
};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->srv.group = "quizware";
	r->srv.psk = "groupsecret";
	r->ops.ctx = &r->srv;
	r->ops.group_psk = srv_group_psk;
	r->ops.assign_policy = srv_assign;
	r->ops.release_policy = srv_release;
	r->srv_p1[0] =
	    (struct ike_p1_prop){IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, 2, 86400};
	r->srv_p1[1] = (struct ike_p1_prop){IKE_ENCR_3DES, 0, IKE_HASH_MD5, IKE_AUTH_PSK, 5, 0};
	r->n_srv_p1 = 2;
	r->srv_p2[0] =
	    (struct ike_p2_prop){ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA256, 0, 3600, 4608000};
	r->n_srv_p2 = 1;
	r->passwords[0] = "richard-pw-1";
	r->n_passwords = 1;
	r->psk = "groupsecret";
	r->group = "quizware";
	r->dh = 2;
	r->now = 1000;
}

static void new_client(struct rig *r)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = (struct ike_endpoint){CLIENT_IP, IKE_PORT};
	cfg.peer = (struct ike_endpoint){SERVER_IP, IKE_PORT};
	cfg.group = r->group;
	cfg.psk = (const uint8_t *)r->psk;
	cfg.psk_len = strlen(r->psk);
	cfg.username = "richard";
	cfg.dh_group = r->dh;
	cfg.natt = r->natt;
	cfg.dpd_idle_s = 10;
	cfg.dpd_retry_s = r->dpd_retry;
	r->c.sa = ike_sa_new(&cfg, r->now, &why);
	assert_non_null(r->c.sa);
}

static void new_server(struct rig *r, const struct ike_endpoint *from)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_RESPONDER;
	cfg.local = (struct ike_endpoint){SERVER_IP, IKE_PORT};
	cfg.peer = *from;
	cfg.srv_p1 = r->srv_p1;
	cfg.n_srv_p1 = r->n_srv_p1;
	cfg.srv_p2 = r->srv_p2;
	cfg.n_srv_p2 = r->n_srv_p2;
	cfg.ops = &r->ops;
	cfg.srv_xauth = true;
	cfg.srv_push = r->push;
	cfg.xauth_tries = 3;
	r->s.sa = ike_sa_new(&cfg, r->now, &why);
	assert_non_null(r->s.sa);
}

static void deliver(struct rig *r, struct side *to_side, const struct ike_action *a,
                    uint32_t from_ip)
{
	struct ike_endpoint from = {from_ip, a->u.send.from_port};
	struct ike_endpoint to = a->u.send.to;
	if (to_side == &r->s && r->client_nat_port)
		from.port = r->client_nat_port;
	if (to_side == &r->c)
		r->last_to_client = to;
	if (to_side == &r->s && !r->s.sa) {
		if (r->no_server)
			return;
		new_server(r, &from);
	}
	ike_input(to_side->sa, r->now, a->u.send.data, a->u.send.len, &from, &to);
}

/* Drains one side; returns the number of actions handled. */
static int drain(struct rig *r, struct side *me, struct side *peer, uint32_t my_ip)
{
	struct ike_action a;
	int n = 0;
	if (!me->sa)
		return 0;
	while (ike_next_action(me->sa, &a)) {
		n++;
		switch (a.type) {
		case IKE_ACT_SEND:
			me->sends++;
			if (me == &r->s && r->drop_server_sends > 0) {
				r->drop_server_sends--;
				break;
			}
			/* copy: delivering may queue actions on the same SA */
			{
				uint8_t buf[16384];
				struct ike_action copy = a;
				assert_true(a.u.send.len <= sizeof(buf));
				memcpy(buf, a.u.send.data, a.u.send.len);
				copy.u.send.data = buf;
				deliver(r, peer, &copy, my_ip);
			}
			break;
		case IKE_ACT_XAUTH_PROMPT:
			me->prompts++;
			me->prompted_retry |= a.u.xauth.retry;
			if (r->next_password < r->n_passwords) {
				const char *pw = r->passwords[r->next_password++];
				ike_xauth_answer(me->sa, r->now, "richard", pw);
			}
			break;
		case IKE_ACT_XAUTH_VERIFY:
			ike_xauth_verdict(me->sa, r->now,
			                  strcmp(a.u.xauth.user, "richard") == 0 &&
			                      strcmp(a.u.xauth.password, "richard-pw-1") == 0);
			break;
		case IKE_ACT_CHILD_UP:
			me->up = true;
			me->child = *a.u.child;
			break;
		case IKE_ACT_POLICY:
			me->policy = *a.u.policy;
			break;
		case IKE_ACT_BANNER:
			me->banner = true;
			break;
		case IKE_ACT_FAILED:
			me->failed = true;
			me->fail_step = a.u.fail.step;
			snprintf(me->fail_text, sizeof(me->fail_text), "%s", a.u.fail.text);
			break;
		case IKE_ACT_CLOSED:
			me->closed = true;
			break;
		case IKE_ACT_PEER_MOVED:
			if (me == &r->s)
				r->moved = a.u.peer;
			break;
		default:
			break;
		}
	}
	return n;
}

static void pump(struct rig *r)
{
	for (int i = 0; i < 200; i++) {
		int n = drain(r, &r->c, &r->s, CLIENT_IP) + drain(r, &r->s, &r->c, SERVER_IP);
		if (n == 0)
			return;
	}
	fail_msg("handshake did not settle");
}

/* Runs the clock forward through retransmissions until nothing is pending. */
static void run_timers(struct rig *r, uint64_t until)
{
	while (r->now < until) {
		uint64_t t = ike_next_timeout(r->c.sa);
		if (r->s.sa) {
			uint64_t ts = ike_next_timeout(r->s.sa);
			if (ts < t)
				t = ts;
		}
		if (t == UINT64_MAX || t > until)
			break;
		r->now = t > r->now ? t : r->now + 1;
		ike_tick(r->c.sa, r->now);
		if (r->s.sa)
			ike_tick(r->s.sa, r->now);
		pump(r);
	}
}

static void rig_free(struct rig *r)
{
	ike_sa_free(r->c.sa);
	ike_sa_free(r->s.sa);
}

static void start(struct rig *r)
{
	new_client(r);
	ike_start(r->c.sa, r->now);
	pump(r);
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
	assert_true(r.c.up);
	assert_true(r.s.up);
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
	assert_true(r.c.banner);
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
	assert_true(r.c.up);
	assert_true(r.s.up);
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
	assert_true(r.c.up);
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
	assert_true(r.c.up);
	assert_true(r.s.up);
	assert_mirrored(&r.c.child, &r.s.child);
	rig_free(&r);
}

static void test_dh14_aes128(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dh = 14;
	r.srv_p1[0] =
	    (struct ike_p1_prop){IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA256, IKE_AUTH_PSK, 14, 0};
	r.n_srv_p1 = 1;
	r.srv_p2[0] = (struct ike_p2_prop){ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_MD5, 0, 0, 0};
	start(&r);
	assert_true(r.c.up);
	assert_int_equal(r.c.child.esp, ESP_ENCR_3DES);
	assert_int_equal(r.c.child.enc_key_len, 24);
	assert_int_equal(r.c.child.auth_key_len, 16);
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
	assert_true(r.c.failed);
	assert_false(r.c.up);
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
	assert_true(r.c.up);
	assert_true(r.s.up);
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
	r.drop_server_sends = 1; /* AM2 is lost */
	start(&r);
	assert_false(r.c.up);
	run_timers(&r, r.now + 60000);
	assert_true(r.c.up);
	assert_true(r.s.up);
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
	run_timers(&r, r.now + 600000);
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
	assert_true(r.c.up);
	int sends = r.c.sends;
	/* idle past the DPD interval: the client probes and the server answers */
	run_timers(&r, r.now + 11000);
	assert_true(r.c.sends > sends);
	assert_false(r.c.failed);
	/* server gone: probes go unanswered and the client declares it dead */
	ike_sa_free(r.s.sa);
	r.s.sa = NULL;
	r.no_server = true;
	run_timers(&r, r.now + 600000);
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
	assert_true(r.c.up);
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
	/* 4 ciphers x 3 hashes x 2 auth methods; 4 ciphers x 3 MACs */
	assert_int_equal(n1, 24);
	assert_int_equal(n2, 12);
	for (size_t i = 0; i < n1; i++)
		for (size_t j = i + 1; j < n1; j++)
			assert_memory_not_equal(&p1[i], &p1[j], sizeof(p1[i]));
	assert_int_equal(p1[0].encr, IKE_ENCR_AES_CBC);
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
	new_server(&r, &from);
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
		struct ike_rd rd = ike_rd_init(sa.t[0].attrs, sa.t[0].attrs_len);
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
	struct ike_p1_prop p = {IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, IKE_AUTH_PSK, 2, 0};
	check_recorded_am1(VEC_S1, &p, IKE_ENCR_AES_CBC, 256, IKE_HASH_SHA1, 2);
}

static void test_recorded_strongswan_am1(void **state)
{
	(void)state;
	struct ike_p1_prop p = {IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA256, IKE_AUTH_PSK, 14, 0};
	check_recorded_am1(VEC_S2, &p, IKE_ENCR_AES_CBC, 128, IKE_HASH_SHA256, 14);
}

/* Unanswered probes are spaced by dpd_retry_s (IOS `crypto isakmp keepalive 10 3`). */
static void test_dpd_retry_interval(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r);
	r.dpd_retry = 3;
	start(&r);
	assert_true(r.c.up);
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
	assert_true(r.c.up);
	assert_true(r.s.up);
	assert_int_equal(r.c.policy.addr, 0x0a62000a);
	assert_string_equal(r.c.policy.domain, "quizware.com");
	assert_int_equal(r.c.policy.n_split_include, 1);
	assert_true(r.c.banner);
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
	assert_true(r.c.up);
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
	assert_int_equal(r.moved.port, 0);

	/* the client's next DPD probe comes through the new mapping */
	r.client_nat_port = 31337;
	run_timers(&r, r.now + 11000);
	assert_false(r.c.failed);
	assert_false(r.s.failed);
	assert_int_equal(r.moved.addr, CLIENT_IP);
	assert_int_equal(r.moved.port, 31337);
	assert_int_equal(ike_sa_peer(r.s.sa).port, 31337);
	/* and the gateway's answer went there */
	assert_int_equal(r.last_to_client.port, 31337);
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
