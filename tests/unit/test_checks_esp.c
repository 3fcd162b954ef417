/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP checks that no other test reached (tests/mutation/checks.txt names them): packets
 * built by hand with a valid ICV, so that only the check behind the ICV decides.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "tun/esp.h"
#include "tun/pkt.h"
#include "tun/satable.h"

static const uint8_t enc_key[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                    0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
static const uint8_t mac_key[20] = "0123456789abcdefghi";

#define SPI 0x11223344u

static struct esp_sa *inbound(void)
{
	struct esp_sa_params prm = {
	    .spi = SPI,
	    .outbound = false,
	    .encr = ESP_ENCR_AES_CBC,
	    .key_bits = 128,
	    .auth = ESP_AUTH_HMAC_SHA1,
	    .enc_key = enc_key,
	    .enc_key_len = sizeof(enc_key),
	    .auth_key = mac_key,
	    .auth_key_len = sizeof(mac_key),
	};
	const char *why = NULL;
	struct esp_sa *sa = esp_sa_new(&prm, &why);
	if (!sa)
		fail_msg("esp_sa_new: %s", why);
	return sa;
}

/* AES-128/HMAC-SHA1-96 ESP: SPI, seq, the given IV, body encrypted, ICV over all of it. */
static size_t seal(uint8_t *out, uint32_t seq, const uint8_t iv[16], const uint8_t *body,
                   size_t blen)
{
	uint8_t mac[HASH_MAX_LEN];
	assert_int_equal(blen % 16, 0);
	out[0] = (uint8_t)(SPI >> 24), out[1] = (uint8_t)(SPI >> 16);
	out[2] = (uint8_t)(SPI >> 8), out[3] = (uint8_t)SPI;
	out[4] = (uint8_t)(seq >> 24), out[5] = (uint8_t)(seq >> 16);
	out[6] = (uint8_t)(seq >> 8), out[7] = (uint8_t)seq;
	memcpy(out + 8, iv, 16);
	struct cipher_ctx *c = cipher_ctx_new(ESP_ENCR_AES_CBC, enc_key, 16, true);
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

/*
 * esp-pad-len: a pad length that points before the ciphertext is refused, even when the
 * bytes it would cover (the last IV byte, then the plaintext) read 1, 2, 3, ... as padding
 * must. Without the check the packet would come out with a length of (size_t)-1.
 */
static void test_pad_length_beyond_ciphertext(void **state)
{
	(void)state;
	static const uint8_t iv[16] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 1};
	uint8_t body[32], wire[128], nh = 0;
	for (size_t i = 0; i < 30; i++)
		body[i] = (uint8_t)(i + 2); /* with iv[15] == 1: 1, 2, ..., 31 */
	body[30] = 31;                      /* pad length: one more than the ciphertext allows */
	body[31] = 4;                       /* IPv4 */
	size_t n = seal(wire, 1, iv, body, sizeof(body));
	struct esp_sa *in = inbound();
	struct pkt *p = aligned_alloc(64, sizeof(struct pkt));
	assert_non_null(p);
	pkt_reset(p, PKT_HEADROOM);
	assert_true(pkt_set(p, wire, n));
	assert_int_equal(esp_decap(in, p, &nh), ESP_E_PAD);

	/* the same packet with a pad length that fits is taken: the refusal was the length's */
	body[30] = 29;
	for (size_t i = 0; i < 29; i++)
		body[i + 1] = (uint8_t)(i + 1);
	n = seal(wire, 2, iv, body, sizeof(body));
	assert_true(pkt_set(p, wire, n));
	assert_int_equal(esp_decap(in, p, &nh), ESP_OK);
	assert_int_equal(p->len, 1);
	free(p);
	esp_sa_free(in);
}

/* satab-dup-spi, satab-route-expired: an inbound SPI is installed once, so a second SA
 * cannot shadow the first; an expired SA is no route. */
static void test_satab_spi_once_and_expired_no_route(void **state)
{
	(void)state;
	struct satab *t = satab_new();
	assert_non_null(t);
	struct sa_entry a = {.spi_in = 0x1234, .remote_ts = {0x0a620001u, 0xffffffffu}};
	struct sa_entry b = {.spi_in = 0x1234, .remote_ts = {0x0a620002u, 0xffffffffu}};
	assert_int_equal(satab_insert(t, &a), 0);
	assert_int_equal(satab_insert(t, &b), -EEXIST);
	assert_ptr_equal(satab_by_spi(t, 0x1234), &a);
	assert_int_equal(satab_count(t), 1);
	assert_null(satab_route(t, 0, 0x0a620002u));
	assert_ptr_equal(satab_route(t, 0, 0x0a620001u), &a);
	a.expired = true;
	assert_null(satab_route(t, 0, 0x0a620001u));
	assert_ptr_equal(satab_remove(t, 0x1234), &a);
	satab_free(t);
}

/* An outbound SA never wraps its 32-bit sequence number: the packet that would need number
 * 2^32 is refused (checks.txt: esp-seq-exhausted). */
static void test_seq_exhausted(void **state)
{
	(void)state;
	struct esp_sa_params prm = {
	    .spi = SPI,
	    .outbound = true,
	    .encr = ESP_ENCR_AES_CBC,
	    .key_bits = 128,
	    .auth = ESP_AUTH_HMAC_SHA1,
	    .enc_key = enc_key,
	    .enc_key_len = sizeof(enc_key),
	    .auth_key = mac_key,
	    .auth_key_len = sizeof(mac_key),
	    .seq_used = UINT32_MAX - 1,
	};
	const char *why = NULL;
	struct esp_sa *sa = esp_sa_new(&prm, &why);
	if (!sa)
		fail_msg("esp_sa_new: %s", why);
	struct pkt *p = aligned_alloc(64, sizeof(struct pkt));
	assert_non_null(p);
	static const uint8_t inner[20] = {0x45, 0, 0, 20, 0, 0, 0, 0, 64, 1};
	struct esp_sa_stats st;
	pkt_reset(p, PKT_HEADROOM);
	assert_true(pkt_set(p, inner, sizeof(inner)));
	assert_int_equal(esp_encap(sa, p, ESP_NH_IPV4), ESP_OK); /* number 2^32-1, the last */
	esp_sa_stats(sa, &st);
	assert_int_equal(st.seq, UINT32_MAX);
	pkt_reset(p, PKT_HEADROOM);
	assert_true(pkt_set(p, inner, sizeof(inner)));
	assert_int_equal(esp_encap(sa, p, ESP_NH_IPV4), ESP_E_SEQ_EXHAUSTED);
	esp_sa_stats(sa, &st);
	assert_int_equal(st.packets, 1);
	free(p);
	esp_sa_free(sa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pad_length_beyond_ciphertext),
	    cmocka_unit_test(test_satab_spi_once_and_expired_no_route),
	    cmocka_unit_test(test_seq_exhausted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
