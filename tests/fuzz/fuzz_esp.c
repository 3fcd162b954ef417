/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for ESP decapsulation with the two SAs of scenario s1 (vpnc <-> strongSwan,
 * AES-256-CBC + HMAC-SHA1-96; keys from tests/vectors/s1-.../keys.txt). The seed corpus is the
 * captured ESP packets (mkcorpus.py kind "esp").
 *
 * Every input runs twice on fresh SAs:
 *  1. as is: only inputs that keep a valid ICV get past the integrity check;
 *  2. re-signed: the SPI is set to one of the SAs and the ICV recomputed, so that mutated
 *     ciphertext reaches decryption, the padding and next-header checks and the inner IP
 *     parser, which a MAC would otherwise shield from the fuzzer.
 * Besides sanitizer findings it aborts when a promise breaks: a rejected packet never moves the
 * replay window, an accepted one always does (the same packet again is a replay), the inner
 * packet lies inside the input, and a correctly signed packet is never an ICV failure.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "tun/esp.h"
#include "tun/ip.h"
#include "tun/pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

struct vec_sa {
	uint32_t spi;
	uint8_t enc[32];
	uint8_t auth[20];
};

/* esp.I2R.* and esp.R2I.* of s1 */
static const struct vec_sa s1_sas[2] = {
    {0x685d37dc,
     {0xa3, 0xe1, 0x8e, 0x27, 0x55, 0xe5, 0x31, 0x29, 0x37, 0xac, 0xe7,
      0x92, 0x2c, 0xbb, 0xa4, 0x7a, 0xc0, 0xda, 0xf0, 0x96, 0x5d, 0x0c,
      0x4a, 0x08, 0xfb, 0x27, 0x19, 0xff, 0x61, 0x5e, 0x8c, 0x8f},
     {0x39, 0x1d, 0xd1, 0xc9, 0xd9, 0x77, 0xd0, 0xa4, 0xe6, 0xed,
      0xae, 0x73, 0x6e, 0x87, 0xb1, 0xf8, 0xd2, 0x63, 0x7f, 0x65}},
    {0x816a8ab8,
     {0x71, 0x54, 0xe0, 0x66, 0x97, 0x36, 0x2a, 0x64, 0x79, 0x81, 0x25,
      0x95, 0x14, 0x7e, 0x68, 0xff, 0x73, 0x16, 0xec, 0x26, 0x55, 0xd8,
      0x85, 0x27, 0xa5, 0x06, 0x42, 0x39, 0x57, 0x3b, 0x7e, 0xaa},
     {0x7a, 0x90, 0xd3, 0xb5, 0x66, 0xe3, 0xa8, 0x17, 0xf7, 0x69,
      0xe1, 0x72, 0xfb, 0xe1, 0x07, 0xb4, 0x13, 0xc1, 0xe5, 0x4b}},
};

#define ICV_LEN 12

static struct esp_sa *sa_new(const struct vec_sa *v)
{
	struct esp_sa_params prm = {
	    .spi = v->spi,
	    .outbound = false,
	    .encr = ESP_ENCR_AES_CBC,
	    .key_bits = 256,
	    .auth = ESP_AUTH_HMAC_SHA1,
	    .enc_key = v->enc,
	    .enc_key_len = sizeof(v->enc),
	    .auth_key = v->auth,
	    .auth_key_len = sizeof(v->auth),
	};
	struct esp_sa *sa = esp_sa_new(&prm, NULL);
	CHECK(sa != NULL);
	return sa;
}

static uint32_t spi_of(const uint8_t *p, size_t len)
{
	if (len < 4)
		return 0;
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static bool fresh(const struct esp_sa *sa)
{
	return esp_replay_top(esp_sa_replay(sa)) == 0;
}

/* Decapsulates buf on sa and checks the promises; returns the verdict. */
static enum esp_result run(struct esp_sa *sa, struct pkt *p, const uint8_t *buf, size_t len)
{
	uint8_t nh = 0;
	struct ip_info ip;

	CHECK(pkt_set(p, buf, len));
	enum esp_result r = esp_decap(sa, p, &nh);
	CHECK(r < ESP_RESULT_COUNT);
	if (r != ESP_OK && r != ESP_E_DUMMY) {
		CHECK(fresh(sa));
		return r;
	}
	CHECK(!fresh(sa));
	if (r == ESP_OK) {
		CHECK(nh == ESP_NH_IPV4 || nh == ESP_NH_IPV6);
		CHECK(pkt_headroom(p) >= PKT_HEADROOM + 8 + 16);
		CHECK(p->len + 8 + 16 + 2 + ICV_LEN <= len);
		if (ip_parse(p->data, p->len, &ip))
			CHECK(ip.total_len <= p->len && ip.hdr_len <= ip.total_len);
	}
	/* Accepted once, so the very same bytes are now a replay. */
	CHECK(pkt_set(p, buf, len));
	CHECK(esp_decap(sa, p, &nh) == ESP_E_REPLAY);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pkt *p;
	uint8_t *copy;
	struct ip_info ip;

	if (size > PKT_MTU_MAX)
		return 0;
	/* The raw-socket path parses the outer IPv4 header with the same parser. */
	if (ip_parse(data, size, &ip))
		CHECK(ip.hdr_len <= ip.total_len && ip.total_len <= size);

	p = aligned_alloc(64, sizeof(*p));
	copy = malloc(size + 1);
	CHECK(p && copy);
	memcpy(copy, data, size);

	/* Pass 1: as received. */
	uint32_t spi = spi_of(data, size);
	int which = spi == s1_sas[1].spi ? 1 : 0;
	struct esp_sa *sa = sa_new(&s1_sas[which]);
	enum esp_result r = run(sa, p, copy, size);
	if (spi != s1_sas[which].spi)
		CHECK(r == ESP_E_SHORT || r == ESP_E_LEN || r == ESP_E_SPI);
	esp_sa_free(sa);

	/* Pass 2: addressed to an SA and correctly signed. */
	if (size >= 8 + ICV_LEN) {
		uint8_t mac[HASH_MAX_LEN];
		which = spi == s1_sas[1].spi ? 1 : (spi == s1_sas[0].spi ? 0 : (int)(size & 1));
		const struct vec_sa *v = &s1_sas[which];
		copy[0] = (uint8_t)(v->spi >> 24), copy[1] = (uint8_t)(v->spi >> 16);
		copy[2] = (uint8_t)(v->spi >> 8), copy[3] = (uint8_t)v->spi;
		struct mac_ctx *m = mac_ctx_new(ESP_AUTH_HMAC_SHA1, v->auth, sizeof(v->auth));
		CHECK(m != NULL);
		CHECK(mac_ctx_run(m, copy, size - ICV_LEN, NULL, 0, mac) == 0);
		memcpy(copy + size - ICV_LEN, mac, ICV_LEN);
		mac_ctx_free(m);
		sa = sa_new(v);
		r = run(sa, p, copy, size);
		CHECK(r != ESP_E_AUTH && r != ESP_E_SPI && r != ESP_E_CRYPTO);
		esp_sa_free(sa);
	}
	free(copy);
	free(p);
	return 0;
}
