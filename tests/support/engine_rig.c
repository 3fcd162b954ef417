/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test support: see engine_rig.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_rig.h"
#include "lib/crypto.h"

static int srv_group_psk(void *ctx, const char *group, struct secret *psk)
{
	struct rig_srv *s = ctx;
	s->psk_lookups++;
	if (strcmp(group, s->group) != 0)
		return -ENOENT;
	return secret_set(psk, s->psk, strlen(s->psk));
}

/* Main mode with a pre-shared key: the key set for one address (psk_addr), group s->group. */
static int srv_addr_psk(void *ctx, uint32_t addr, char *group, size_t group_len, struct secret *psk)
{
	struct rig_srv *s = ctx;
	const char *key = s->addr_key ? s->addr_key : s->psk;
	if (!s->psk_addr || addr != s->psk_addr || strlen(s->group) >= group_len)
		return -ENOENT;
	memcpy(group, s->group, strlen(s->group) + 1);
	return secret_set(psk, key, strlen(key));
}

static int srv_assign(void *ctx, const char *group, const char *user, struct evc_policy *pol)
{
	struct rig_srv *s = ctx;
	(void)group;
	(void)user;
	memset(pol, 0, sizeof(*pol));
	pol->have = EVC_HAVE_ADDR | EVC_HAVE_DOMAIN | EVC_HAVE_BANNER | EVC_HAVE_PFS;
	pol->addr = RIG_POOL_ADDR;
	pol->dns[0] = 0x0a630035;
	pol->n_dns = 1;
	snprintf(pol->domain, sizeof(pol->domain), "quizware.com");
	snprintf(pol->banner, sizeof(pol->banner), "%s",
	         s->banner ? s->banner : "Welcome to quizware\nAuthorized use only");
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
	struct rig_srv *s = ctx;
	(void)group;
	(void)user;
	(void)pol;
	s->released++;
}

void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->srv.group = "quizware";
	r->srv.psk = "groupsecret";
	r->ops.ctx = &r->srv;
	r->ops.group_psk = srv_group_psk;
	r->ops.addr_psk = srv_addr_psk;
	r->ops.assign_policy = srv_assign;
	r->ops.release_policy = srv_release;
	r->srv_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 2, 86400};
	r->srv_p1[1] = (struct ike_p1_prop){CIPHER_3DES, 0, HASH_MD5, IKE_AUTH_PSK, 5, 0};
	r->n_srv_p1 = 2;
	r->srv_p2[0] =
	    (struct ike_p2_prop){ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA256, 0, 3600, 4608000};
	r->n_srv_p2 = 1;
	r->passwords[0] = "richard-pw-1";
	r->n_passwords = 1;
	r->psk = "groupsecret";
	r->group = "quizware";
	r->user = "richard";
	r->dh = 2;
	r->now = 1000;
}

bool rig_new_client(struct rig *r)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_INITIATOR;
	cfg.local = (struct ike_endpoint){RIG_CLIENT_IP, IKE_PORT};
	cfg.peer = (struct ike_endpoint){RIG_SERVER_IP, IKE_PORT};
	cfg.group = r->group;
	cfg.psk = (const uint8_t *)r->psk;
	cfg.psk_len = strlen(r->psk);
	cfg.username = r->user;
	cfg.dh_group = r->dh;
	cfg.prop_flags = r->prop_flags;
	cfg.pfs_group = r->pfs_group;
	cfg.natt = r->natt;
	cfg.dpd_idle_s = r->dpd_idle ? r->dpd_idle : 10;
	cfg.dpd_retry_s = r->dpd_retry;
	cfg.frag_size = r->frag_size;
	cfg.cert = r->cli_cert;
	cfg.trust = r->cli_trust;
	cfg.psk_main = r->psk_main;
	cfg.hybrid = r->hybrid;
	cfg.peer_name = r->gw_name ? r->gw_name : "198.51.100.1";
	cfg.wall_s = r->wall ? r->wall : (int64_t)time(NULL);
	if (r->n_cli_p1) {
		cfg.p1 = r->cli_p1;
		cfg.n_p1 = r->n_cli_p1;
	}
	r->c.sa = ike_sa_new(&cfg, r->now, &why);
	return r->c.sa != NULL;
}

bool rig_new_server(struct rig *r, const struct ike_endpoint *from)
{
	struct ike_config cfg = {0};
	const char *why = NULL;
	cfg.role = IKE_ROLE_RESPONDER;
	cfg.local = (struct ike_endpoint){RIG_SERVER_IP, IKE_PORT};
	cfg.peer = *from;
	cfg.srv_p1 = r->srv_p1;
	cfg.n_srv_p1 = r->n_srv_p1;
	cfg.srv_p2 = r->srv_p2;
	cfg.n_srv_p2 = r->n_srv_p2;
	cfg.ops = &r->ops;
	cfg.srv_xauth = !r->no_xauth;
	cfg.srv_push = r->push;
	cfg.xauth_tries = 3;
	cfg.dpd_idle_s = r->srv_dpd_idle;
	cfg.frag_size = r->frag_size;
	cfg.cert = r->srv_cert;
	cfg.trust = r->srv_trust;
	cfg.wall_s = r->wall ? r->wall : (int64_t)time(NULL);
	r->s.sa = ike_sa_new(&cfg, r->now, &why);
	return r->s.sa != NULL;
}

static void deliver(struct rig *r, enum rig_dir dir, const uint8_t *data, size_t len,
                    uint16_t from_port, struct ike_endpoint to)
{
	struct rig_side *side = dir == RIG_C2S ? &r->s : &r->c;
	struct ike_endpoint from = {dir == RIG_C2S ? RIG_CLIENT_IP : RIG_SERVER_IP, from_port};
	if (dir == RIG_C2S && r->client_nat_port)
		from.port = r->client_nat_port;
	if (dir == RIG_C2S && r->client_src_ip)
		from.addr = r->client_src_ip;
	if (dir == RIG_S2C)
		r->last_to_client = to;
	if (dir == RIG_C2S && r->s.sa && (r->s.failed || r->s.closed) && len >= 8) {
		/* a first message with a new cookie after the server's SA ended: a real server
		 * gives it a new SA, as evs does */
		uint8_t icky[8], rcky[8];
		ike_sa_cookies(r->s.sa, icky, rcky);
		if (memcmp(icky, data, 8) != 0) {
			ike_sa_free(r->s.sa);
			memset(&r->s, 0, sizeof(r->s));
		}
	}
	if (dir == RIG_C2S && !r->s.sa) {
		if (r->no_server || !rig_new_server(r, &from))
			return;
	}
	if (side->sa)
		ike_input(side->sa, r->now, data, len, &from, &to);
}

void rig_inject(struct rig *r, enum rig_dir dir, const uint8_t *data, size_t len)
{
	struct ike_endpoint to = {dir == RIG_C2S ? RIG_SERVER_IP : RIG_CLIENT_IP, IKE_PORT};
	struct ike_sa *from_sa = dir == RIG_C2S ? r->c.sa : r->s.sa;
	uint16_t port = IKE_PORT;
	if (from_sa) {
		struct ike_endpoint peer = ike_sa_peer(from_sa);
		to.port = peer.port;
		port = peer.port; /* both sides float together */
	}
	deliver(r, dir, data, len, port, to);
}

static void hold(struct rig *r, enum rig_dir dir, const uint8_t *data, size_t len)
{
	if (r->n_held == RIG_MAX_HELD)
		return; /* a lost datagram, then */
	r->held[r->n_held].data = malloc(len ? len : 1);
	if (!r->held[r->n_held].data)
		return;
	memcpy(r->held[r->n_held].data, data, len);
	r->held[r->n_held].len = len;
	r->held[r->n_held].dir = dir;
	r->n_held++;
}

static void release_dir(struct rig *r, enum rig_dir dir, uint16_t from_port, struct ike_endpoint to)
{
	size_t k = 0;
	for (size_t i = 0; i < r->n_held; i++) {
		if (r->held[i].dir != dir) {
			r->held[k++] = r->held[i];
			continue;
		}
		deliver(r, dir, r->held[i].data, r->held[i].len, from_port, to);
		free(r->held[i].data);
	}
	r->n_held = k;
}

void rig_release_held(struct rig *r)
{
	while (r->n_held) {
		enum rig_dir dir = r->held[0].dir;
		struct ike_sa *from_sa = dir == RIG_C2S ? r->c.sa : r->s.sa;
		struct ike_endpoint to = {dir == RIG_C2S ? RIG_SERVER_IP : RIG_CLIENT_IP, IKE_PORT};
		if (from_sa)
			to.port = ike_sa_peer(from_sa).port;
		release_dir(r, dir, to.port, to);
	}
}

static void on_send(struct rig *r, struct rig_side *me, const struct ike_action *a)
{
	static const size_t cap = RIG_MAX_MSG;
	enum rig_dir dir = me == &r->c ? RIG_C2S : RIG_S2C;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return;
	size_t len = a->u.send.len <= cap ? a->u.send.len : cap;
	memcpy(buf, a->u.send.data, len);
	struct ike_endpoint to = a->u.send.to;
	uint16_t from_port = a->u.send.from_port;
	unsigned index = r->sent[dir]++;
	enum rig_verdict v = RIG_PASS;
	if (r->tamper)
		v = r->tamper(r, dir, index, buf, &len, cap, r->tamper_arg);
	if (len > cap)
		len = cap;
	switch (v) {
	case RIG_DROP:
		break;
	case RIG_HOLD:
		hold(r, dir, buf, len);
		break;
	case RIG_DUP:
		deliver(r, dir, buf, len, from_port, to);
		/* fall through */
	case RIG_PASS:
		deliver(r, dir, buf, len, from_port, to);
		release_dir(r, dir, from_port, to);
		break;
	}
	free(buf);
}

static void copy_text(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

static void log_line(struct rig_side *me, const char *text)
{
	size_t n = strlen(text);
	if (me->log_len + n + 2 > sizeof(me->log))
		return; /* the first lines are the ones tests look for */
	memcpy(me->log + me->log_len, text, n);
	me->log_len += n;
	me->log[me->log_len++] = '\n';
	me->log[me->log_len] = '\0';
}

bool rig_logged(const struct rig_side *side, const char *needle)
{
	return side->log_len && strstr(side->log, needle) != NULL;
}

/* Drains one side; returns the number of actions handled. */
static int drain(struct rig *r, struct rig_side *me)
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
			on_send(r, me, &a);
			break;
		case IKE_ACT_XAUTH_PROMPT:
			me->prompts++;
			me->prompted_retry |= a.u.xauth.retry;
			copy_text(me->xauth_message, sizeof(me->xauth_message), a.u.xauth.message);
			if (r->next_password < r->n_passwords) {
				const char *pw = r->passwords[r->next_password++];
				me->answers++;
				ike_xauth_answer(me->sa, r->now, r->user ? r->user : "richard", pw);
			}
			break;
		case IKE_ACT_XAUTH_VERIFY:
			me->verifies++;
			ike_xauth_verdict(me->sa, r->now,
			                  strcmp(a.u.xauth.user, "richard") == 0 &&
			                      strcmp(a.u.xauth.password, "richard-pw-1") == 0);
			break;
		case IKE_ACT_CHILD_UP:
			if (me->children_up < RIG_MAX_CHILDREN)
				me->up_spi_in[me->children_up] = a.u.child->spi_in;
			me->children_up++;
			me->child = *a.u.child;
			break;
		case IKE_ACT_CHILD_DOWN:
			me->children_down++;
			break;
		case IKE_ACT_POLICY:
			me->policies++;
			me->policy = *a.u.policy;
			break;
		case IKE_ACT_BANNER:
			me->banners++;
			copy_text(me->banner, sizeof(me->banner), a.u.text);
			break;
		case IKE_ACT_LOG:
			log_line(me, a.u.log.text);
			break;
		case IKE_ACT_STATUS:
			log_line(me, a.u.status.text);
			break;
		case IKE_ACT_FAILED:
			log_line(me, a.u.fail.text);
			me->failed = true;
			me->fail_step = a.u.fail.step;
			copy_text(me->fail_text, sizeof(me->fail_text), a.u.fail.text);
			break;
		case IKE_ACT_CLOSED:
			me->closed = true;
			break;
		case IKE_ACT_PEER_MOVED:
			me->moved++;
			me->moved_to = a.u.peer;
			break;
		default:
			break;
		}
	}
	return n;
}

bool rig_pump(struct rig *r)
{
	for (int i = 0; i < 400; i++) {
		int n = drain(r, &r->c) + drain(r, &r->s);
		if (n == 0)
			return r->settled = true;
	}
	return r->settled = false;
}

void rig_run_timers(struct rig *r, uint64_t until)
{
	while (r->now < until) {
		uint64_t t = r->c.sa ? ike_next_timeout(r->c.sa) : UINT64_MAX;
		if (r->s.sa) {
			uint64_t ts = ike_next_timeout(r->s.sa);
			if (ts < t)
				t = ts;
		}
		if (t == UINT64_MAX || t > until)
			break;
		r->now = t > r->now ? t : r->now + 1;
		if (r->c.sa)
			ike_tick(r->c.sa, r->now);
		if (r->s.sa)
			ike_tick(r->s.sa, r->now);
		if (!rig_pump(r))
			break;
	}
}

bool rig_start(struct rig *r)
{
	if (!rig_new_client(r))
		return false;
	ike_start(r->c.sa, r->now);
	return rig_pump(r);
}

void rig_free(struct rig *r)
{
	ike_sa_free(r->c.sa);
	ike_sa_free(r->s.sa);
	r->c.sa = r->s.sa = NULL;
	for (size_t i = 0; i < r->n_held; i++)
		free(r->held[i].data);
	r->n_held = 0;
}

bool rig_mirrored(const struct rig *r)
{
	const struct ike_child *c = &r->c.child, *s = &r->s.child;
	return r->c.children_up > 0 && r->s.children_up > 0 && c->spi_in == s->spi_out &&
	       c->spi_out == s->spi_in && c->enc_key_len == s->enc_key_len &&
	       c->auth_key_len == s->auth_key_len &&
	       memcmp(c->enc_out, s->enc_in, c->enc_key_len) == 0 &&
	       memcmp(c->auth_out, s->auth_in, c->auth_key_len) == 0 &&
	       memcmp(c->enc_in, s->enc_out, c->enc_key_len) == 0 &&
	       memcmp(c->auth_in, s->auth_out, c->auth_key_len) == 0 &&
	       memcmp(c->enc_in, c->enc_out, c->enc_key_len) != 0 && c->udp_encap == s->udp_encap;
}
