/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ESP throughput per cipher x MAC on one core: packets/s and MB/s (payload bytes, 10^6) for
 * encapsulation alone and for encapsulation followed by decapsulation (what one packet costs
 * the two ends together). Packets go through the same struct pkt path the datapath uses, with
 * the same per-SA contexts; only the sockets and the TUN are left out.
 *
 * usage: esp_bench [payload-bytes (default 1400) [seconds per algorithm (default 1)]]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/crypto.h"
#include "tun/esp.h"
#include "tun/pkt.h"

struct cipher {
	const char *name;
	enum esp_encr_id id;
	unsigned bits;
};

struct mac {
	const char *name;
	enum esp_auth_id id;
};

static const struct cipher ciphers[] = {
    {"AES-128-CBC", ESP_ENCR_AES_CBC, 128},
    {"AES-256-CBC", ESP_ENCR_AES_CBC, 256},
    {"AES-192-CBC", ESP_ENCR_AES_CBC, 192},
    {"3DES-CBC", ESP_ENCR_3DES, 192},
    {"NULL", ESP_ENCR_NULL, 0},
};

static const struct mac macs[] = {
    {"HMAC-SHA1-96", ESP_AUTH_HMAC_SHA1},
    {"HMAC-SHA-256-128", ESP_AUTH_HMAC_SHA256},
    {"HMAC-MD5-96", ESP_AUTH_HMAC_MD5},
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct esp_sa *make_sa(const struct cipher *c, const struct mac *m, bool outbound)
{
	static const uint8_t key[32] = "benchmark key, not a secret....";
	struct esp_sa_params prm = {
	    .spi = 0x0badcafe,
	    .outbound = outbound,
	    .encr = c->id,
	    .key_bits = c->bits,
	    .auth = m->id,
	    .enc_key = key,
	    .enc_key_len = esp_encr_keylen(c->id, c->bits),
	    .auth_key = key,
	    .auth_key_len = esp_auth_keylen(m->id),
	};
	const char *why = "?";
	struct esp_sa *sa = esp_sa_new(&prm, &why);
	if (!sa)
		fprintf(stderr, "esp_bench: %s/%s: %s\n", c->name, m->name, why);
	return sa;
}

/* Runs for about `secs` seconds; returns packets per second. */
static double run(struct esp_sa *out, struct esp_sa *in, struct pkt *p, const uint8_t *payload,
                  size_t size, double secs, bool decap)
{
	uint64_t n = 0;
	double t0 = now_s(), t;
	uint8_t nh;
	do {
		for (int i = 0; i < 256; i++) {
			pkt_set(p, payload, size);
			if (esp_encap(out, p, ESP_NH_IPV4) != ESP_OK)
				return -1;
			if (decap && (esp_decap(in, p, &nh) != ESP_OK || p->len != size))
				return -1;
		}
		n += 256;
		t = now_s() - t0;
	} while (t < secs);
	return (double)n / t;
}

int main(int argc, char **argv)
{
	size_t size = argc > 1 ? strtoul(argv[1], NULL, 10) : 1400;
	double secs = argc > 2 ? strtod(argv[2], NULL) : 1.0;
	int ret = 0;

	if (size == 0 || size > PKT_MTU_MAX || !(secs > 0)) {
		fprintf(stderr, "usage: esp_bench [payload-bytes 1..%u [seconds]]\n", PKT_MTU_MAX);
		return 2;
	}
	struct pkt *p = aligned_alloc(64, sizeof(*p));
	uint8_t *payload = malloc(size);
	if (!p || !payload)
		return 1;
	for (size_t i = 0; i < size; i++)
		payload[i] = (uint8_t)(i * 31 + 7);
	payload[0] = 0x45;

	printf("%-12s %-17s %5s %12s %10s %14s %12s\n", "cipher", "integrity", "bytes",
	       "encap pkt/s", "encap MB/s", "enc+dec pkt/s", "enc+dec MB/s");
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++) {
		for (size_t m = 0; m < sizeof(macs) / sizeof(macs[0]); m++) {
			struct esp_sa *out = make_sa(&ciphers[c], &macs[m], true);
			struct esp_sa *in = make_sa(&ciphers[c], &macs[m], false);
			if (!out || !in) {
				ret = 1;
			} else {
				double e = run(out, in, p, payload, size, secs / 2, false);
				/* fresh pair: the encap-only run moved the outbound sequence */
				esp_sa_free(out);
				out = make_sa(&ciphers[c], &macs[m], true);
				double r =
				    out ? run(out, in, p, payload, size, secs / 2, true) : -1;
				if (e < 0 || r < 0) {
					fprintf(stderr, "esp_bench: %s/%s: round trip failed\n",
					        ciphers[c].name, macs[m].name);
					ret = 1;
				} else {
					printf("%-12s %-17s %5zu %12.0f %10.1f %14.0f %12.1f\n",
					       ciphers[c].name, macs[m].name, size, e,
					       e * (double)size / 1e6, r, r * (double)size / 1e6);
					fflush(stdout);
				}
			}
			esp_sa_free(out);
			esp_sa_free(in);
		}
	}
	free(payload);
	free(p);
	return ret;
}
