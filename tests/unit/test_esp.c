/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP against the recorded vpnc/strongSwan traffic: every captured packet must authenticate
 * and decrypt to the expected ping, and re-encrypting the plaintext with the captured IV must
 * give back the captured bytes. Then round trips for every cipher x MAC, and the failure
 * paths: flipped bits, replays, truncation, bad padding, other next headers.
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

#include "lib/crypto.h"
#include "tun/esp.h"
#include "tun/pkt.h"
#include "vectors.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define CLIENT_ADDR IP4(10, 98, 0, 1) /* mode-config address vpnc/charon got */
#define LAN_HOST IP4(10, 99, 0, 2)    /* the ping target behind the server */

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* An IV source that replays a fixed byte stream (the IVs of captured packets). */
struct stream {
	const uint8_t *p;
	size_t len, off;
};

static int stream_rand(void *rctx, void *buf, size_t n)
{
	struct stream *s = rctx;
	uint8_t *b = buf;
	memset(b, 0, n);
	for (size_t i = 0; i < n && s->off < s->len; i++)
		b[i] = s->p[s->off++];
	return 0;
}

static enum esp_auth_id auth_by_name(const char *name)
{
	if (strcmp(name, "hmac-sha1-96") == 0)
		return ESP_AUTH_HMAC_SHA1;
	if (strcmp(name, "hmac-sha256-128") == 0)
		return ESP_AUTH_HMAC_SHA256;
	if (strcmp(name, "hmac-md5-96") == 0)
		return ESP_AUTH_HMAC_MD5;
	fail_msg("unknown integrity algorithm %s in keys.txt", name);
	return 0;
}

/* The SA for direction dir ("I2R"/"R2I") from keys.txt. */
static struct esp_sa *vec_sa(struct vec_set *v, const char *dir, bool outbound, struct stream *ivs)
{
	char k[64];
	snprintf(k, sizeof(k), "esp.%s.spi", dir);
	struct vec_bytes spi = vec_hex(v, k);
	assert_int_equal(spi.len, 4);
	snprintf(k, sizeof(k), "esp.%s.encr_key", dir);
	struct vec_bytes ek = vec_hex(v, k);
	snprintf(k, sizeof(k), "esp.%s.integ_key", dir);
	struct vec_bytes ak = vec_hex(v, k);
	snprintf(k, sizeof(k), "esp.%s.integ", dir);
	const char *integ = vec_str(v, k);
	assert_non_null(integ);
	snprintf(k, sizeof(k), "esp.%s.icv_len", dir);
	enum esp_auth_id auth = auth_by_name(integ);
	assert_int_equal(vec_num(v, k), esp_auth_icvlen(auth));

	struct esp_sa_params prm = {
	    .spi = be32(spi.p),
	    .outbound = outbound,
	    .encr = ESP_ENCR_AES_CBC,
	    .key_bits = (unsigned)ek.len * 8,
	    .auth = auth,
	    .enc_key = ek.p,
	    .enc_key_len = ek.len,
	    .auth_key = ak.p,
	    .auth_key_len = ak.len,
	    .rand = ivs ? stream_rand : NULL,
	    .rctx = ivs,
	};
	const char *why = NULL;
	struct esp_sa *sa = esp_sa_new(&prm, &why);
	if (!sa)
		fail_msg("esp_sa_new(%s): %s", dir, why);
	return sa;
}

static struct pkt *new_pkt(void)
{
	struct pkt *p = aligned_alloc(64, sizeof(struct pkt));
	assert_non_null(p);
	pkt_reset(p, PKT_HEADROOM);
	return p;
}

/* Checks the decrypted ping: IPv4 ICMP echo between the pool address and the LAN host. */
static void check_ping(const struct pkt *p, bool i2r, unsigned frame)
{
	if (p->len < 28 || (p->data[0] >> 4) != 4)
		fail_msg("frame %u: inner packet is not IPv4", frame);
	assert_int_equal((p->data[0] & 0x0f) * 4, 20);
	assert_int_equal(((unsigned)p->data[2] << 8) | p->data[3], p->len);
	assert_int_equal(p->data[9], 1 /* ICMP */);
	uint32_t src = be32(p->data + 12), dst = be32(p->data + 16);
	assert_int_equal(src, i2r ? CLIENT_ADDR : LAN_HOST);
	assert_int_equal(dst, i2r ? LAN_HOST : CLIENT_ADDR);
	/* echo request from the client, reply from the LAN host */
	assert_int_equal(p->data[20], i2r ? 8 : 0);
}

/* s1 frame 14: vpnc sent an IPv6 router solicitation from its tun with next header 4. */
static void check_router_solicitation(const struct pkt *p)
{
	assert_true(p->len >= 48);
	assert_int_equal(p->data[0] >> 4, 6);
	assert_int_equal(p->data[6], 58 /* ICMPv6 */);
	static const uint8_t all_routers[16] = {0xff, 0x02, [15] = 0x02};
	assert_memory_equal(p->data + 24, all_routers, 16);
	assert_int_equal(p->data[40], 133 /* router solicitation */);
}

static void decap_scenario(const char *name)
{
	struct vec_set *v = vec_load(name);
	struct esp_sa *in_i2r = vec_sa(v, "I2R", false, NULL);
	struct esp_sa *in_r2i = vec_sa(v, "R2I", false, NULL);
	struct pkt *p = new_pkt();
	unsigned n_i2r = 0, n_r2i = 0, checked = 0;

	assert_true(v->nesps >= 8);
	for (size_t i = 0; i < v->nesps; i++) {
		const struct vec_esp *e = &v->esps[i];
		struct esp_sa *sa = e->i2r ? in_i2r : in_r2i;
		unsigned *n = e->i2r ? &n_i2r : &n_r2i;
		uint8_t nh = 0;
		assert_true(pkt_set(p, e->data.p, e->data.len));
		enum esp_result r = esp_decap(sa, p, &nh);
		if (r != ESP_OK)
			fail_msg("%s frame %u: decap failed: %s", name, e->frame,
			         esp_result_name(r));
		(*n)++;
		/* Sequence numbers of each direction run 1, 2, 3, ... in the capture. */
		struct esp_sa_stats st;
		esp_sa_stats(sa, &st);
		assert_int_equal(st.seq, *n);
		assert_int_equal(st.packets, *n);
		assert_int_equal(nh, ESP_NH_IPV4);
		if (strcmp(name, VEC_S1) == 0 && e->frame == 14)
			check_router_solicitation(p);
		else
			check_ping(p, e->i2r, e->frame);
		checked++;
	}
	assert_int_equal(checked, v->nesps);
	assert_true(n_i2r >= 4 && n_r2i >= 4);
	free(p);
	esp_sa_free(in_i2r);
	esp_sa_free(in_r2i);
	vec_free(v);
}

static void decap_s1(void **state)
{
	(void)state;
	decap_scenario(VEC_S1);
}

static void decap_s2(void **state)
{
	(void)state;
	decap_scenario(VEC_S2);
}

static void decap_s3(void **state)
{
	(void)state;
	decap_scenario(VEC_S3);
}

/*
 * Known answer for encapsulation: feed the captured IVs as the IV source and encapsulate the
 * decrypted packets of one direction in order; the result must equal the capture byte for
 * byte (same 1,2,3.. padding, same sequence numbers, same ICV).
 */
static void reencrypt_dir(struct vec_set *v, const char *name, const char *dir, bool i2r)
{
	uint8_t ivbuf[64 * 16];
	struct stream ivs = {ivbuf, 0, 0};
	struct pkt *p = new_pkt();

	for (size_t i = 0; i < v->nesps; i++) {
		if (v->esps[i].i2r != i2r)
			continue;
		assert_true(ivs.len + 16 <= sizeof(ivbuf));
		memcpy(ivbuf + ivs.len, v->esps[i].data.p + 8, 16);
		ivs.len += 16;
	}
	struct esp_sa *in = vec_sa(v, dir, false, NULL);
	struct esp_sa *out = vec_sa(v, dir, true, &ivs);
	for (size_t i = 0; i < v->nesps; i++) {
		const struct vec_esp *e = &v->esps[i];
		uint8_t nh;
		if (e->i2r != i2r)
			continue;
		assert_true(pkt_set(p, e->data.p, e->data.len));
		assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
		/* Move the plaintext to a fresh buffer with the standard headroom. */
		uint8_t inner[PKT_MTU_MAX];
		size_t ilen = p->len;
		memcpy(inner, p->data, ilen);
		assert_true(pkt_set(p, inner, ilen));
		assert_int_equal(esp_encap(out, p, nh), ESP_OK);
		assert_int_equal(p->len, e->data.len);
		if (memcmp(p->data, e->data.p, e->data.len) != 0)
			fail_msg("%s frame %u: re-encrypted packet differs from the capture", name,
			         e->frame);
	}
	free(p);
	esp_sa_free(in);
	esp_sa_free(out);
}

static void reencrypt(void **state)
{
	(void)state;
	const char *names[] = {VEC_S1, VEC_S2, VEC_S3};
	for (size_t i = 0; i < 3; i++) {
		struct vec_set *v = vec_load(names[i]);
		reencrypt_dir(v, names[i], "I2R", true);
		reencrypt_dir(v, names[i], "R2I", false);
		vec_free(v);
	}
}

/* ---- round trips ---- */

struct algo {
	enum esp_encr_id encr;
	unsigned bits;
	size_t iv; /* = block */
};

static const struct algo ciphers[] = {
    {ESP_ENCR_3DES, 0, 8},       {ESP_ENCR_3DES, 192, 8},     {ESP_ENCR_AES_CBC, 128, 16},
    {ESP_ENCR_AES_CBC, 192, 16}, {ESP_ENCR_AES_CBC, 256, 16}, {ESP_ENCR_NULL, 0, 0},
    {ESP_ENCR_DES, 0, 8},
};
static const enum esp_auth_id macs[] = {ESP_AUTH_HMAC_MD5, ESP_AUTH_HMAC_SHA1,
                                        ESP_AUTH_HMAC_SHA256};

static const uint8_t key_bytes[36] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe,
                                      0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10, 0x0f, 0x1e,
                                      0x2d, 0x3c, 0x4b, 0x5a, 0x69, 0x78, 0x87, 0x96, 0xa5,
                                      0xb4, 0xc3, 0xd2, 0xe1, 0xf0, 0x5a, 0x17, 0xc0, 0xde};
static const uint8_t mac_key[32] = "0123456789abcdefghijklmnopqrstu";

static struct esp_sa *make_sa(const struct algo *a, enum esp_auth_id m, uint32_t spi, bool outbound)
{
	struct esp_sa_params prm = {
	    .spi = spi,
	    .outbound = outbound,
	    .encr = a->encr,
	    .key_bits = a->bits,
	    .auth = m,
	    .enc_key = key_bytes,
	    .enc_key_len = esp_encr_keylen(a->encr, a->bits),
	    .auth_key = mac_key,
	    .auth_key_len = esp_auth_keylen(m),
	};
	const char *why = NULL;
	struct esp_sa *sa = esp_sa_new(&prm, &why);
	if (!sa)
		fail_msg("esp_sa_new(encr %d/%u, auth %d): %s", a->encr, a->bits, m, why);
	return sa;
}

static void fill_payload(uint8_t *b, size_t len, unsigned salt)
{
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(i * 7 + salt);
}

static void round_trip_all(void **state)
{
	(void)state;
	static const size_t lens[] = {0,  1,  13, 14, 15,   16,   20,
	                              62, 63, 64, 65, 1400, 1500, PKT_MTU_MAX};
	uint8_t plain[PKT_MTU_MAX];
	struct pkt *p = new_pkt();

	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		for (size_t m = 0; m < 3; m++) {
			const struct algo *a = &ciphers[c];
			struct esp_sa *out = make_sa(a, macs[m], 0x11223344, true);
			struct esp_sa *in = make_sa(a, macs[m], 0x11223344, false);
			size_t icv = esp_auth_icvlen(macs[m]);
			size_t align = a->iv ? a->iv : 4;
			uint32_t seq = 0;
			for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
				uint8_t nh = (l % 2) ? ESP_NH_IPV6 : ESP_NH_IPV4, got_nh = 0;
				fill_payload(plain, lens[l], (unsigned)(c * 3 + m));
				assert_true(pkt_set(p, plain, lens[l]));
				assert_int_equal(esp_encap(out, p, nh), ESP_OK);
				seq++;
				size_t body = (lens[l] + 2 + align - 1) / align * align;
				assert_int_equal(p->len, 8 + a->iv + body + icv);
				assert_int_equal(esp_overhead(out, lens[l]), p->len - lens[l]);
				assert_int_equal(be32(p->data), 0x11223344);
				assert_int_equal(be32(p->data + 4), seq);
				if (a->encr == ESP_ENCR_NULL) {
					/* cleartext payload, then the trailer
					 * 1,2,..,padlen,padlen,nh */
					assert_memory_equal(p->data + 8, plain, lens[l]);
					size_t pad = body - lens[l] - 2;
					for (size_t i = 0; i < pad; i++)
						assert_int_equal(p->data[8 + lens[l] + i], i + 1);
					assert_int_equal(p->data[8 + body - 2], pad);
					assert_int_equal(p->data[8 + body - 1], nh);
				} else if (lens[l] >= 16) {
					assert_memory_not_equal(p->data + 8 + a->iv, plain, 16);
				}
				enum esp_result r = esp_decap(in, p, &got_nh);
				if (r != ESP_OK)
					fail_msg("cipher %zu mac %zu len %zu: %s", c, m, lens[l],
					         esp_result_name(r));
				assert_int_equal(got_nh, nh);
				assert_int_equal(p->len, lens[l]);
				assert_memory_equal(p->data, plain, lens[l]);
			}
			struct esp_sa_stats st;
			esp_sa_stats(in, &st);
			assert_int_equal(st.seq, seq);
			assert_int_equal(st.packets, seq);
			esp_sa_free(out);
			esp_sa_free(in);
		}
	}
	free(p);
}

static void flip_every_bit(struct esp_sa *in, const uint8_t *pk, size_t len);

/*
 * AES-GCM-16 (RFC 4106): an 8-byte IV (the sequence number, unique per key as GCM needs),
 * payload and trailer padded to 4 bytes, a 16-byte ICV over SPI | seq as AAD and the
 * ciphertext; every flipped bit of a packet is refused, and the replay window is untouched.
 */
static void gcm_round_trip(void **state)
{
	(void)state;
	static const size_t lens[] = {0, 1, 2, 3, 14, 62, 63, 1400, PKT_MTU_MAX};
	static const unsigned bits[] = {128, 192, 256};
	uint8_t plain[PKT_MTU_MAX], copy[PKT_BUFSZ];
	struct pkt *p = new_pkt();

	for (size_t b = 0; b < 3; b++) {
		const struct algo a = {ESP_ENCR_AES_GCM16, bits[b], 8};
		struct esp_sa *out = make_sa(&a, ESP_AUTH_NONE, 0x51525354, true);
		struct esp_sa *in = make_sa(&a, ESP_AUTH_NONE, 0x51525354, false);
		for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			uint8_t nh = 0;
			fill_payload(plain, lens[l], (unsigned)(b + l));
			assert_true(pkt_set(p, plain, lens[l]));
			assert_int_equal(esp_encap(out, p, ESP_NH_IPV4), ESP_OK);
			size_t body = (lens[l] + 2 + 3) / 4 * 4;
			assert_int_equal(p->len, 8 + 8 + body + 16);
			assert_int_equal(esp_overhead(out, lens[l]), p->len - lens[l]);
			assert_int_equal(be32(p->data + 4), l + 1);
			/* the IV is the 64-bit sequence number */
			assert_int_equal(be32(p->data + 8), 0);
			assert_int_equal(be32(p->data + 12), l + 1);
			if (lens[l] >= 16)
				assert_memory_not_equal(p->data + 16, plain, 16);
			if (l == 0) {
				memcpy(copy, p->data, p->len);
				size_t len = p->len;
				flip_every_bit(in, copy, len);
				continue; /* flip_every_bit took it */
			}
			assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
			assert_int_equal(nh, ESP_NH_IPV4);
			assert_int_equal(p->len, lens[l]);
			assert_memory_equal(p->data, plain, lens[l]);
		}
		/* an HMAC with GCM is a configuration error */
		struct esp_sa_params prm = {
		    .spi = 9,
		    .encr = ESP_ENCR_AES_GCM16,
		    .key_bits = bits[b],
		    .auth = ESP_AUTH_HMAC_SHA1,
		    .enc_key = key_bytes,
		    .enc_key_len = esp_encr_keylen(ESP_ENCR_AES_GCM16, bits[b]),
		    .auth_key = mac_key,
		    .auth_key_len = 20,
		};
		const char *why = NULL;
		assert_null(esp_sa_new(&prm, &why));
		assert_non_null(strstr(why, "GCM"));
		esp_sa_free(out);
		esp_sa_free(in);
	}
	free(p);
}

/* Two packets with the same payload must not share an IV (the IV pool must advance). */
static void ivs_differ(void **state)
{
	(void)state;
	struct esp_sa *out = make_sa(&ciphers[2], ESP_AUTH_HMAC_SHA1, 7, true);
	uint8_t seen[300][16];
	uint8_t plain[40] = {0x45};
	struct pkt *p = new_pkt();
	for (size_t i = 0; i < 300; i++) {
		assert_true(pkt_set(p, plain, sizeof(plain)));
		assert_int_equal(esp_encap(out, p, ESP_NH_IPV4), ESP_OK);
		memcpy(seen[i], p->data + 8, 16);
		for (size_t j = 0; j < i; j++)
			assert_memory_not_equal(seen[i], seen[j], 16);
	}
	free(p);
	esp_sa_free(out);
}

/* ---- failure paths ---- */

static void flip_every_bit(struct esp_sa *in, const uint8_t *pk, size_t len)
{
	struct pkt *p = new_pkt();
	struct esp_replay before = *esp_sa_replay(in);
	uint8_t nh;

	for (size_t bit = 0; bit < len * 8; bit++) {
		assert_true(pkt_set(p, pk, len));
		p->data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		enum esp_result want = ESP_E_AUTH;
		if (bit < 32)
			want = ESP_E_SPI;
		else if (bit < 64 && be32(p->data + 4) == 0)
			want = ESP_E_REPLAY;
		enum esp_result r = esp_decap(in, p, &nh);
		if (r != want)
			fail_msg("bit %zu flipped: got %s, want %s", bit, esp_result_name(r),
			         esp_result_name(want));
		assert_memory_equal(esp_sa_replay(in), &before, sizeof(before));
	}
	/* The intact packet still goes through, so the failures above were the flips. */
	assert_true(pkt_set(p, pk, len));
	assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
	free(p);
}

static void flipped_bits(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S1);
	struct esp_sa *in = vec_sa(v, "R2I", false, NULL);
	const struct vec_esp *e = NULL;
	for (size_t i = 0; i < v->nesps && !e; i++)
		if (!v->esps[i].i2r)
			e = &v->esps[i];
	assert_non_null(e);
	assert_int_equal(be32(e->data.p + 4), 1); /* so flipping bit 0 of seq gives 0 */
	flip_every_bit(in, e->data.p, e->data.len);
	esp_sa_free(in);
	vec_free(v);

	/* 3DES (8-byte blocks) with MD5 and the NULL cipher with SHA-256 as well. */
	const struct algo *pick[] = {&ciphers[0], &ciphers[5]};
	const enum esp_auth_id mac[] = {ESP_AUTH_HMAC_MD5, ESP_AUTH_HMAC_SHA256};
	for (size_t k = 0; k < 2; k++) {
		struct esp_sa *o = make_sa(pick[k], mac[k], 0xabcdef01, true);
		struct esp_sa *i = make_sa(pick[k], mac[k], 0xabcdef01, false);
		struct pkt *p = new_pkt();
		uint8_t plain[57], copy[PKT_BUFSZ];
		fill_payload(plain, sizeof(plain), 3);
		assert_true(pkt_set(p, plain, sizeof(plain)));
		assert_int_equal(esp_encap(o, p, ESP_NH_IPV4), ESP_OK);
		size_t len = p->len;
		memcpy(copy, p->data, len);
		flip_every_bit(i, copy, len);
		free(p);
		esp_sa_free(o);
		esp_sa_free(i);
	}
}

static void replayed(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S2);
	struct esp_sa *in = vec_sa(v, "I2R", false, NULL);
	struct pkt *p = new_pkt();
	const struct vec_esp *pk[8];
	size_t n = 0;
	uint8_t nh;
	for (size_t i = 0; i < v->nesps && n < 8; i++)
		if (v->esps[i].i2r)
			pk[n++] = &v->esps[i];
	assert_true(n >= 3);

	/* second packet first, then the first (late, inside the window), then both again */
	assert_true(pkt_set(p, pk[1]->data.p, pk[1]->data.len));
	assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
	assert_true(pkt_set(p, pk[0]->data.p, pk[0]->data.len));
	assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
	for (size_t k = 0; k < 2; k++) {
		struct esp_replay before = *esp_sa_replay(in);
		assert_true(pkt_set(p, pk[k]->data.p, pk[k]->data.len));
		assert_int_equal(esp_decap(in, p, &nh), ESP_E_REPLAY);
		/* rejected before the ICV: the buffer is still the ciphertext */
		assert_memory_equal(p->data, pk[k]->data.p, pk[k]->data.len);
		assert_memory_equal(esp_sa_replay(in), &before, sizeof(before));
	}
	assert_true(pkt_set(p, pk[2]->data.p, pk[2]->data.len));
	assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
	free(p);
	esp_sa_free(in);
	vec_free(v);
}

static void truncated(void **state)
{
	(void)state;
	struct vec_set *v = vec_load(VEC_S3);
	struct esp_sa *in = vec_sa(v, "R2I", false, NULL);
	struct pkt *p = new_pkt();
	const struct vec_esp *e = NULL;
	uint8_t nh;
	for (size_t i = 0; i < v->nesps && !e; i++)
		if (!v->esps[i].i2r)
			e = &v->esps[i];
	assert_non_null(e);
	struct esp_replay before = *esp_sa_replay(in);
	for (size_t len = 0; len < e->data.len; len++) {
		assert_true(pkt_set(p, e->data.p, len));
		enum esp_result r = esp_decap(in, p, &nh);
		/* header + IV + one block + ICV(16) = 56 bytes is the minimum for AES/SHA-256 */
		enum esp_result want = len < 8 + 16 + 16 + 16     ? ESP_E_SHORT
		                       : (len - 8 - 16 - 16) % 16 ? ESP_E_LEN
		                                                  : ESP_E_AUTH;
		if (r != want)
			fail_msg("truncated to %zu bytes: got %s, want %s", len, esp_result_name(r),
			         esp_result_name(want));
		assert_memory_equal(esp_sa_replay(in), &before, sizeof(before));
	}
	/* A byte too many is as bad as one too few. */
	assert_true(pkt_set(p, e->data.p, e->data.len));
	assert_non_null(pkt_append(p, 1));
	assert_int_equal(esp_decap(in, p, &nh), ESP_E_LEN);
	free(p);
	esp_sa_free(in);
	vec_free(v);
}

/*
 * Builds an AES-128/SHA1 ESP packet by hand, straight from crypto.h, with an arbitrary
 * (possibly wrong) trailer, to reach the checks behind the ICV.
 */
static size_t handmade(uint8_t *out, uint32_t seq, const uint8_t *body, size_t blen)
{
	static const uint8_t iv[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6};
	uint8_t mac[HASH_MAX_LEN];
	assert_int_equal(blen % 16, 0);
	out[0] = 0x11, out[1] = 0x22, out[2] = 0x33, out[3] = 0x44;
	out[4] = (uint8_t)(seq >> 24), out[5] = (uint8_t)(seq >> 16);
	out[6] = (uint8_t)(seq >> 8), out[7] = (uint8_t)seq;
	memcpy(out + 8, iv, 16);
	struct cipher_ctx *c = cipher_ctx_new(ESP_ENCR_AES_CBC, key_bytes, 16, true);
	struct mac_ctx *m = mac_ctx_new(ESP_AUTH_HMAC_SHA1, mac_key, 20);
	assert_non_null(c);
	assert_non_null(m);
	assert_int_equal(cipher_ctx_run(c, iv, body, out + 24, blen), 0);
	assert_int_equal(mac_ctx_run(m, out, 24 + blen, NULL, 0, mac), 0);
	memcpy(out + 24 + blen, mac, 12);
	cipher_ctx_free(c);
	mac_ctx_free(m);
	return 24 + blen + 12;
}

static void trailer_checks(void **state)
{
	(void)state;
	struct esp_sa *in = make_sa(&ciphers[2], ESP_AUTH_HMAC_SHA1, 0x11223344, false);
	struct pkt *p = new_pkt();
	uint8_t body[32], wire[128], nh = 0;
	struct {
		const char *what;
		uint8_t pad[14];
		uint8_t padlen, next;
		enum esp_result want;
		bool commits;
	} cases[] = {
	    {"good 14-byte padding",
	     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
	     14,
	     4,
	     ESP_OK,
	     true},
	    {"pad byte 7 wrong",
	     {1, 2, 3, 4, 5, 6, 0, 8, 9, 10, 11, 12, 13, 14},
	     14,
	     4,
	     ESP_E_PAD,
	     false},
	    {"zero padding (IKE style)", {0}, 14, 4, ESP_E_PAD, false},
	    {"pad length past the start", {0}, 31, 4, ESP_E_PAD, false},
	    {"next header UDP",
	     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
	     14,
	     17,
	     ESP_E_NEXT_HDR,
	     false},
	    {"dummy packet",
	     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14},
	     14,
	     59,
	     ESP_E_DUMMY,
	     true},
	    {"IPv6 inner", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}, 14, 41, ESP_OK, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t seq = (uint32_t)i + 1;
		fill_payload(body, 16, 5);
		memcpy(body + 16, cases[i].pad, 14);
		body[30] = cases[i].padlen;
		body[31] = cases[i].next;
		size_t len = handmade(wire, seq, body, 32);
		assert_true(pkt_set(p, wire, len));
		enum esp_result r = esp_decap(in, p, &nh);
		if (r != cases[i].want)
			fail_msg("%s: got %s", cases[i].what, esp_result_name(r));
		if (r == ESP_OK) {
			assert_int_equal(p->len, 16);
			assert_memory_equal(p->data, body, 16);
			assert_int_equal(nh, cases[i].next);
		}
		/* Only accepted (or authentic dummy) packets may move the window. */
		assert_int_equal(esp_replay_check(esp_sa_replay(in), seq), !cases[i].commits);
	}
	free(p);
	esp_sa_free(in);
}

static void direction_and_room(void **state)
{
	(void)state;
	struct esp_sa *out = make_sa(&ciphers[4], ESP_AUTH_HMAC_SHA256, 5, true);
	struct esp_sa *in = make_sa(&ciphers[4], ESP_AUTH_HMAC_SHA256, 5, false);
	struct pkt *p = new_pkt();
	uint8_t nh, buf[64] = {0x45};
	assert_true(pkt_set(p, buf, sizeof(buf)));
	assert_int_equal(esp_encap(in, p, 4), ESP_E_DIR);
	assert_int_equal(esp_decap(out, p, &nh), ESP_E_DIR);
	/* no headroom for SPI, seq and IV: refused, packet untouched */
	pkt_reset(p, 0);
	memcpy(pkt_append(p, sizeof(buf)), buf, sizeof(buf));
	assert_int_equal(esp_encap(out, p, 4), ESP_E_NOROOM);
	assert_int_equal(p->len, sizeof(buf));
	assert_ptr_equal(p->data, p->buf);
	/* no tailroom for the trailer and ICV */
	pkt_reset(p, PKT_BUFSZ - 20);
	assert_non_null(pkt_append(p, 20));
	assert_int_equal(esp_encap(out, p, 4), ESP_E_NOROOM);
	struct esp_sa_stats st;
	esp_sa_stats(out, &st);
	assert_int_equal(st.seq, 0); /* failures consume no sequence number */
	free(p);
	esp_sa_free(out);
	esp_sa_free(in);
}

static void bad_params(void **state)
{
	(void)state;
	uint8_t k[32] = {0};
	struct esp_sa_params base = {
	    .spi = 1,
	    .encr = ESP_ENCR_AES_CBC,
	    .key_bits = 128,
	    .auth = ESP_AUTH_HMAC_SHA1,
	    .enc_key = k,
	    .enc_key_len = 16,
	    .auth_key = k,
	    .auth_key_len = 20,
	};
	const char *why = NULL;
	struct esp_sa *sa = esp_sa_new(&base, &why);
	assert_non_null(sa);
	esp_sa_free(sa);
	esp_sa_free(NULL);

	struct esp_sa_params b;
	b = base, b.spi = 0;
	assert_null(esp_sa_new(&b, &why));
	b = base, b.key_bits = 160;
	assert_null(esp_sa_new(&b, &why));
	b = base, b.enc_key_len = 32;
	assert_null(esp_sa_new(&b, &why));
	b = base, b.auth_key_len = 16;
	assert_null(esp_sa_new(&b, &why));
	b = base, b.encr = 4; /* RC5 */
	why = NULL;
	assert_null(esp_sa_new(&b, &why));
	assert_non_null(why);
	assert_non_null(strstr(why, "unsupported ESP cipher"));
	b = base, b.encr = ESP_ENCR_DES, b.key_bits = 0; /* single DES: 8-byte key */
	assert_null(esp_sa_new(&b, &why));
	b.enc_key_len = 8;
	sa = esp_sa_new(&b, &why);
	assert_non_null(sa);
	esp_sa_free(sa);
	b = base, b.auth = ESP_AUTH_NONE, b.auth_key_len = 0; /* CBC needs an HMAC */
	assert_null(esp_sa_new(&b, &why));
	b = base, b.auth = 3; /* DES-MAC */
	assert_null(esp_sa_new(&b, &why));
	b = base, b.encr = ESP_ENCR_3DES, b.key_bits = 0, b.enc_key_len = 24;
	sa = esp_sa_new(&b, &why);
	assert_non_null(sa);
	esp_sa_free(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(decap_s1),           cmocka_unit_test(decap_s2),
	    cmocka_unit_test(decap_s3),           cmocka_unit_test(reencrypt),
	    cmocka_unit_test(round_trip_all),     cmocka_unit_test(ivs_differ),
	    cmocka_unit_test(flipped_bits),       cmocka_unit_test(replayed),
	    cmocka_unit_test(truncated),          cmocka_unit_test(trailer_checks),
	    cmocka_unit_test(direction_and_room), cmocka_unit_test(bad_params),
	    cmocka_unit_test(gcm_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
