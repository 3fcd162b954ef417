/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the engine's own parsing of peer data, above the codec: mode-config
 * attributes, phase-1/phase-2 proposal reading and the responder's choice, and whole
 * cleartext datagrams fed to a fresh responder (as a first aggressive-mode message) and to an
 * initiator waiting for the second one. The first input byte picks the path. Whatever the
 * input, the engine must neither crash nor leak, and its actions must be well formed.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/sa_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static void det_rand(void *ctx, void *buf, size_t n)
{
	uint32_t *state = ctx;
	uint8_t *p = buf;
	for (size_t i = 0; i < n; i++) {
		*state = *state * 1103515245u + 12345u;
		p[i] = (uint8_t)(*state >> 16);
	}
}

static int psk(void *ctx, const char *group, struct secret *out)
{
	(void)ctx;
	if (strcmp(group, "quizware") != 0)
		return -ENOENT;
	return secret_set(out, "groupsecret", 11);
}

static int assign(void *ctx, const char *group, const char *user, struct evc_policy *pol)
{
	(void)ctx;
	(void)group;
	(void)user;
	memset(pol, 0, sizeof(*pol));
	pol->have = EVC_HAVE_ADDR;
	pol->addr = 0x0a62000a;
	return 0;
}

static const struct ike_p1_prop srv_p1[] = {
    {CIPHER_AES_CBC, 256, HASH_SHA1, IKE_AUTH_PSK, 2, 0},
    {CIPHER_3DES, 0, HASH_MD5, IKE_AUTH_PSK, 14, 86400},
};
static const struct ike_p2_prop srv_p2[] = {
    {ESP_ENCR_AES_CBC, 128, ESP_AUTH_HMAC_SHA1, 0, 3600, 0},
    {ESP_ENCR_3DES, 0, ESP_AUTH_HMAC_MD5, 2, 0, 4608000},
};

static void drain(struct ike_sa *sa)
{
	struct ike_action a;
	while (ike_next_action(sa, &a)) {
		switch (a.type) {
		case IKE_ACT_SEND:
			CHECK(a.u.send.data && a.u.send.len >= ISAKMP_HDR_LEN);
			break;
		case IKE_ACT_LOG:
			CHECK(a.u.log.text != NULL);
			break;
		case IKE_ACT_FAILED:
			CHECK(a.u.fail.text && a.u.fail.text[0]);
			break;
		default:
			break;
		}
	}
}

static void fuzz_proposals(const uint8_t *d, size_t n)
{
	struct isakmp_sa sa;
	const char *why;
	if (!isakmp_sa_parse(d, n, &sa, &why))
		return;
	for (size_t i = 0; i < sa.nt; i++) {
		struct ike_p1_prop p1;
		struct ike_p2_prop p2;
		uint16_t encap;
		if (prop_read_p1(&sa.t[i], &p1))
			CHECK(crypto_hash_len(p1.hash) && crypto_dh_len(p1.group));
		if (prop_read_p2(&sa.t[i], sa.t[i].id, &p2, &encap))
			CHECK(esp_auth_keylen(p2.auth) && esp_encr_keylen(p2.esp, p2.key_bits));
	}
	struct ike_p1_prop c1;
	int t = prop_choose_p1(&sa, srv_p1, 2, 2, true, &c1);
	if (t >= 0) {
		uint8_t buf[1024];
		struct wr w = wr_init(buf, sizeof(buf));
		prop_write_p1_choice(&w, &sa, t);
		struct isakmp_sa back;
		CHECK(w.err || isakmp_sa_parse(buf, w.len, &back, &why));
	}
	struct ike_p2_prop c2;
	uint16_t encap;
	uint32_t spi;
	size_t pi;
	t = prop_choose_p2(&sa, srv_p2, 2, 2, &c2, &encap, &spi, &pi);
	if (t >= 0)
		CHECK(pi < sa.np);
}

static void fuzz_responder(const uint8_t *d, size_t n)
{
	uint32_t seed = 1;
	struct ike_server_ops ops = {.ctx = NULL, .group_psk = psk, .assign_policy = assign};
	struct ike_config cfg = {
	    .role = IKE_ROLE_RESPONDER,
	    .local = {0xc6336401, IKE_PORT},
	    .peer = {0xc6336402, IKE_PORT},
	    .srv_p1 = srv_p1,
	    .n_srv_p1 = 2,
	    .srv_p2 = srv_p2,
	    .n_srv_p2 = 2,
	    .ops = &ops,
	    .srv_xauth = true,
	    .rand = det_rand,
	    .rctx = &seed,
	};
	struct ike_sa *sa = ike_sa_new(&cfg, 0, NULL);
	CHECK(sa != NULL);
	struct ike_endpoint from = {0xc6336402, IKE_PORT}, to = {0xc6336401, IKE_PORT};
	ike_input(sa, 1, d, n, &from, &to);
	drain(sa);
	/* the same datagram again: a retransmission or a replay */
	ike_input(sa, 2, d, n, &from, &to);
	drain(sa);
	ike_tick(sa, 100000);
	drain(sa);
	ike_sa_free(sa);
}

static void fuzz_initiator(const uint8_t *d, size_t n)
{
	uint32_t seed = 7;
	struct ike_config cfg = {
	    .role = IKE_ROLE_INITIATOR,
	    .local = {0xc6336402, IKE_PORT},
	    .peer = {0xc6336401, IKE_PORT},
	    .group = "quizware",
	    .psk = (const uint8_t *)"groupsecret",
	    .psk_len = 11,
	    .username = "richard",
	    .rand = det_rand,
	    .rctx = &seed,
	};
	struct ike_sa *sa = ike_sa_new(&cfg, 0, NULL);
	CHECK(sa != NULL);
	ike_start(sa, 0);
	drain(sa);
	uint8_t *m = malloc(n ? n : 1);
	CHECK(m != NULL);
	memcpy(m, d, n);
	/* our cookie, so the answer reaches the aggressive-mode code */
	uint8_t icky[8], rcky[8];
	ike_sa_cookies(sa, icky, rcky);
	if (n >= 8)
		memcpy(m, icky, 8);
	struct ike_endpoint from = {0xc6336401, IKE_PORT}, to = {0xc6336402, IKE_PORT};
	ike_input(sa, 1, m, n, &from, &to);
	drain(sa);
	ike_close(sa, 2);
	drain(sa);
	ike_sa_free(sa);
	free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *d = data + 1;
	size_t n = size - 1;
	switch (data[0] & 3) {
	case 0: {
		struct evc_policy pol;
		const char *why = NULL;
		if (!modecfg_parse(d, n, &pol, &why))
			CHECK(why != NULL);
		else
			CHECK(pol.n_dns <= EVC_POLICY_MAX_DNS &&
			      pol.n_split_include <= EVC_POLICY_MAX_NETS &&
			      memchr(pol.banner, 0, sizeof(pol.banner)) != NULL &&
			      pol.udp_encap_port != IKE_PORT &&
			      pol.udp_encap_port != IKE_NATT_PORT);
		break;
	}
	case 1:
		fuzz_proposals(d, n);
		break;
	case 2:
		fuzz_responder(d, n);
		break;
	default:
		fuzz_initiator(d, n);
		break;
	}
	return 0;
}
