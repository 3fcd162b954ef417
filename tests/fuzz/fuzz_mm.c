/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for main mode with RSA signatures (ike/mm.c, mm_auth.c, isakmp_cert.c and
 * lib/x509 behind them), both roles. A client and a server engine with the certificates of
 * tests/vectors/s3 are driven in memory (tests/support/engine_rig.h) to the message under test,
 * which is then replaced by the fuzzer's: MM1 to a fresh responder, MM2 to the initiator, MM3
 * and MM4 in clear, and MM5 and MM6 as the cleartext the oracle encrypts with the receiver's
 * live phase-1 keys and IV, so that the ID, CERT, CERTREQ and SIG parsing and the chain and
 * signature checks are reached. Afterwards the peer is taken away and the clock runs: every
 * SA must end by itself, and nothing may crash or leak.
 *
 * Input: the message (0 MM1 .. 5 MM6), its first payload type, then its payloads. For MM5
 * and MM6, first byte values 6 and 7 (and up, modulo 12) build the message from the sender's
 * real identity and certificate and take the fuzzer's bytes as its signature; 8 and 9 as its
 * certificate (with a real identity), so that the certificate parser and the signature check
 * are reached without the fuzzer having to find the payload layout first.
 * 12 to 17 are MM1 to MM6 of main mode with a pre-shared key (the server keys the client's
 * address), 18 and 19 its MM5 and MM6 built from the sender's real ID (its address) with the
 * fuzzer's bytes as HASH_I or HASH_R.
 * 20 to 23 are hybrid authentication (the client has no certificate, the server signs): 20
 * MM5 and 21 MM6 as the fuzzer's payloads, 22 MM6 with the server's real identity and
 * certificate and the fuzzer's bytes as its signature, 23 with them as its certificate.
 */
#include <libgen.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_rig.h"
#include "ike/isakmp.h"
#include "ike_oracle.h"
#include "lib/crypto.h"
#include "lib/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

/* 2027-01-01: inside the s3 certificates' validity, whatever the machine's clock says */
#define FUZZ_WALL 1798761600

struct pki {
	struct x509_cred *cli, *srv;
	struct x509_trust *trust;
};

static const struct pki *pki(void)
{
	static struct pki k;
	static bool done;
	char src[4096], d[4096 + 64], c[8192], key[8192], err[512];
	if (done)
		return &k;
	done = true;
	snprintf(src, sizeof(src), "%s", __FILE__);
	snprintf(d, sizeof(d), "%s/../vectors/s3-strongswan-main-rsa-xauth/pki", dirname(src));
	snprintf(c, sizeof(c), "%s/client.pem", d);
	snprintf(key, sizeof(key), "%s/client.key", d);
	CHECK(x509_cred_load(c, key, &k.cli, err, sizeof(err)) == 0);
	snprintf(c, sizeof(c), "%s/server.pem", d);
	snprintf(key, sizeof(key), "%s/server.key", d);
	CHECK(x509_cred_load(c, key, &k.srv, err, sizeof(err)) == 0);
	snprintf(c, sizeof(c), "%s/ca.pem", d);
	CHECK(x509_trust_load(c, &k.trust, err, sizeof(err)) == 0);
	return &k;
}

/* Loses the index-th datagram of dir and everything after it, both ways. */
struct stop_at {
	enum rig_dir dir;
	unsigned index;
	bool hit;
};

static enum rig_verdict stop_hook(struct rig *r, enum rig_dir dir, unsigned index, uint8_t *buf,
                                  size_t *len, size_t cap, void *arg)
{
	struct stop_at *s = arg;
	(void)r, (void)buf, (void)len, (void)cap;
	if (!s->hit && dir == s->dir && index >= s->index)
		s->hit = true;
	return s->hit ? RIG_DROP : RIG_PASS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[RIG_MAX_MSG];
	const struct pki *k = pki();
	struct rig r;
	struct stop_at stop = {RIG_C2S, 0, false};
	if (size < 2)
		return 0;
	unsigned mode = data[0] % 24;
	bool hybrid = mode >= 20;
	bool psk = mode >= 12 && !hybrid;
	unsigned which = hybrid ? (mode == 20 ? 4 : 5)
	                 : psk  ? (mode < 18 ? mode - 12 : 4 + mode % 2)
	                        : (mode < 6 ? mode : 4 + mode % 2); /* MM1 .. MM6 */
	bool as_sig = mode == 6 || mode == 7 || mode == 22;
	bool as_cert = mode == 8 || mode == 9 || mode == 23;
	bool as_hash = mode == 18 || mode == 19;
	uint8_t np = data[1];
	data += 2;
	size -= 2;
	if (size > sizeof(msg) - ISAKMP_HDR_LEN - 64)
		return 0;

	rig_init(&r);
	r.srv_p1[0] =
	    (struct ike_p1_prop){CIPHER_AES_CBC, 256, HASH_SHA256, IKE_AUTH_RSA_SIG, 14, 0};
	r.n_srv_p1 = 1;
	r.dh = 14;
	r.cli_cert = k->cli;
	r.cli_trust = k->trust;
	r.srv_cert = k->srv;
	r.srv_trust = k->trust;
	r.wall = FUZZ_WALL;
	r.frag_size = 16000;
	if (psk) {
		r.srv_p1[0] = (struct ike_p1_prop){CIPHER_AES_CBC,          256, HASH_SHA256,
		                                   IKE_AUTH_XAUTH_INIT_PSK, 14,  0};
		r.cli_cert = r.srv_cert = NULL;
		r.cli_trust = r.srv_trust = NULL;
		r.psk_main = true;
		r.srv.psk_addr = RIG_CLIENT_IP;
	}
	if (hybrid) {
		r.cli_cert = NULL;
		r.hybrid = true;
		r.psk = "";
		r.psk_main = true;
	}
	bool to_server = which % 2 == 0;
	if (which == 1)
		r.no_server = true; /* MM1 lost: the initiator waits for MM2 */
	if (which >= 2) {
		/* MM3/MM4 are each direction's second datagram, MM5/MM6 its third */
		stop = (struct stop_at){to_server ? RIG_C2S : RIG_S2C, which / 2, false};
		r.tamper = stop_hook;
		r.tamper_arg = &stop;
	}
	if (which != 0 && !rig_start(&r))
		goto out;
	r.tamper = NULL;
	struct ike_sa *rx = to_server ? r.s.sa : r.c.sa;
	if (which != 0 && !rx)
		goto out;

	struct isakmp_hdr h;
	size_t len = 0;
	if (which == 0) {
		/* a first message: any initiator cookie, no responder cookie */
		h = (struct isakmp_hdr){.icky = {1, 2, 3, 4, 5, 6, 7, 8},
		                        .np = np,
		                        .version = ISAKMP_VERSION,
		                        .exch = ISAKMP_EXCH_MAIN};
	} else {
		ike_oracle_hdr(rx, &h, ISAKMP_EXCH_MAIN, np, 0);
		if (which == 1)
			memcpy(h.rcky, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	}
	if (which >= 4) {
		if (!ike_oracle_keyed(rx))
			goto out;
		static uint8_t body[RIG_MAX_MSG];
		const uint8_t *b = data;
		size_t n = size;
		if (as_hash) {
			/* ID (the sender's address, as the engine sends it), HASH (the input) */
			struct wr w = wr_init(body, sizeof(body));
			wr_u8(&w, ISAKMP_PL_HASH);
			wr_u8(&w, 0);
			wr_u16(&w, 12);
			wr_u8(&w, ISAKMP_ID_IPV4_ADDR);
			wr_u8(&w, 17);
			wr_u16(&w, IKE_PORT);
			wr_u32(&w, to_server ? RIG_CLIENT_IP : RIG_SERVER_IP);
			wr_u8(&w, 0);
			wr_u8(&w, 0);
			wr_u16(&w, (uint16_t)(4 + size));
			wr_bytes(&w, data, size);
			if (w.err || 4 + size > 0xffff)
				goto out;
			b = body;
			n = w.len;
			h.np = ISAKMP_PL_ID;
		} else if (as_sig || as_cert) {
			/* ID (the sender's subject), CERT (its certificate or the input), SIG (the
			 * input or nothing much) */
			const struct x509_cred *from = to_server ? k->cli : k->srv;
			const uint8_t *dn, *der;
			size_t dn_len, der_len;
			x509_cred_subject(from, &dn, &dn_len);
			x509_cred_der(from, &der, &der_len);
			if (as_cert) {
				der = data;
				der_len = size;
			}
			struct wr w = wr_init(body, sizeof(body));
			wr_u8(&w, ISAKMP_PL_CERT);
			wr_u8(&w, 0);
			wr_u16(&w, (uint16_t)(8 + dn_len));
			wr_u8(&w, ISAKMP_ID_DER_ASN1_DN);
			wr_u8(&w, 0);
			wr_u16(&w, 0);
			wr_bytes(&w, dn, dn_len);
			wr_u8(&w, ISAKMP_PL_SIG);
			wr_u8(&w, 0);
			wr_u16(&w, (uint16_t)(5 + der_len));
			wr_u8(&w, ISAKMP_CERT_X509_SIG);
			wr_bytes(&w, der, der_len);
			wr_u8(&w, 0);
			wr_u8(&w, 0);
			wr_u16(&w, (uint16_t)(4 + (as_sig ? size : 256)));
			if (as_sig)
				wr_bytes(&w, data, size);
			else
				wr_zero(&w, 256);
			if (w.err || 5 + der_len > 0xffff || 4 + size > 0xffff)
				goto out;
			b = body;
			n = w.len;
			h.np = ISAKMP_PL_ID;
		}
		len = ike_oracle_seal(rx, &h, b, n, ORACLE_HASH_KEEP, msg, sizeof(msg));
	} else {
		struct wr w = wr_init(msg, sizeof(msg));
		h.len = (uint32_t)(ISAKMP_HDR_LEN + size);
		isakmp_hdr_write(&w, &h);
		wr_bytes(&w, data, size);
		len = w.err ? 0 : w.len;
	}
	if (!len)
		goto out;
	rig_inject(&r, to_server ? RIG_C2S : RIG_S2C, msg, len);
	CHECK(rig_pump(&r));
	rx = to_server ? r.s.sa : r.c.sa;

	/* the peer vanishes: every SA still ends by itself */
	if (to_server) {
		ike_sa_free(r.c.sa);
		r.c.sa = NULL;
	} else {
		ike_sa_free(r.s.sa);
		r.s.sa = NULL;
		r.no_server = true;
	}
	rig_run_timers(&r, r.now + 2ull * 3600 * 1000);
	CHECK(r.settled);
	CHECK(!rx || ike_next_timeout(rx) == UINT64_MAX);
out:
	rig_free(&r);
	return 0;
}
