/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One ESP SA direction (RFC 4303, tunnel mode, no ESN): encapsulation for outbound SAs,
 * decapsulation with anti-replay for inbound ones. The cipher and MAC contexts are keyed once
 * in esp_sa_new and only re-IV'd per packet, and packets are transformed in place inside their
 * struct pkt, so the per-packet path allocates nothing.
 *
 *   SPI(4) | seq(4) | IV | CBC( payload | 1,2,3.. | pad length | next header ) | ICV
 *
 * Supported: DES-CBC (weak, on request), 3DES-CBC, AES-CBC 128/192/256 and ESP_NULL, each with
 * HMAC-MD5-96, HMAC-SHA1-96 or HMAC-SHA-256-128; and AES-GCM-16 128/192/256 (RFC 4106), whose
 * 8-byte IV is the sequence number, whose AAD is SPI | seq, and which carries its own 16-byte
 * ICV.
 *
 * IVs: RFC 3602 asks for unpredictable CBC IVs. An outbound SA draws them from the CSPRNG
 * (crypto_random, OpenSSL's DRBG) in 2 KiB refills, so every IV is fresh CSPRNG output while the
 * RNG is entered once per 128 AES packets rather than once per packet. The buffer is wiped
 * when the SA is freed, so unused IVs never outlive it.
 */
#ifndef EVC_TUN_ESP_H
#define EVC_TUN_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/crypto.h"
#include "tun/pkt.h"
#include "tun/replay.h"

/* Next header values carried in the ESP trailer. */
#define ESP_NH_IPV4 4
#define ESP_NH_IPV6 41
#define ESP_NH_NONE 59 /* dummy packet (RFC 4303 2.6): authenticated, then discarded */

#define ESP_HDR_LEN 8

enum esp_result {
	ESP_OK = 0,
	ESP_E_SHORT,         /* shorter than header + IV + one block + ICV */
	ESP_E_LEN,           /* ciphertext not a whole number of cipher blocks */
	ESP_E_SPI,           /* SPI is not this SA's */
	ESP_E_REPLAY,        /* sequence number 0, already seen, or older than the window */
	ESP_E_AUTH,          /* ICV mismatch */
	ESP_E_PAD,           /* pad length beyond the payload, or pad bytes not 1,2,3.. */
	ESP_E_NEXT_HDR,      /* next header neither IPv4 nor IPv6 */
	ESP_E_DUMMY,         /* next header 59: a valid dummy packet to be discarded */
	ESP_E_SEQ_EXHAUSTED, /* outbound: 2^32-1 packets sent; the SA must be rekeyed */
	ESP_E_NOROOM,        /* outbound: packet too large for the buffer's head/tailroom */
	ESP_E_CRYPTO,        /* the crypto library or the RNG failed */
	ESP_E_DIR,           /* encap on an inbound SA or decap on an outbound one */
	ESP_RESULT_COUNT
};

/* Short lower-case name ("replay", "auth", ...) for counters and logs. */
const char *esp_result_name(enum esp_result r);

struct esp_sa_params {
	uint32_t spi;
	bool outbound;
	enum esp_encr_id encr;
	unsigned key_bits; /* AES: 128/192/256; 3DES: 0 or 192; NULL: 0 */
	enum esp_auth_id auth;
	const uint8_t *enc_key; /* esp_encr_keylen(encr, key_bits) bytes; copied */
	size_t enc_key_len;
	const uint8_t *auth_key; /* esp_auth_keylen(auth) bytes; copied */
	size_t auth_key_len;
	/* IV source; NULL: crypto_random. Tests plug a fixed stream here to reproduce captures.
	 * Returns 0 on success. */
	int (*rand)(void *rctx, void *buf, size_t n);
	void *rctx;
	/* outbound: the sequence number already used (0: the first packet gets 1). Only tests
	 * start elsewhere, near the end of the space, to reach its exhaustion. */
	uint32_t seq_used;
};

struct esp_sa_stats {
	uint64_t packets; /* packets encapsulated / accepted */
	uint64_t bytes;   /* inner (payload) bytes of those packets */
	uint32_t seq;     /* outbound: last sequence number sent; inbound: highest accepted */
};

struct esp_sa;

/* NULL on an unsupported algorithm, a wrong key length or allocation failure (*why says). */
struct esp_sa *esp_sa_new(const struct esp_sa_params *prm, const char **why);
void esp_sa_free(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
void esp_sa_stats(const struct esp_sa *sa, struct esp_sa_stats *out);
/* Inbound SAs: the replay window (for tests and diagnostics). */
const struct esp_replay *esp_sa_replay(const struct esp_sa *sa);
/* Bytes esp_encap adds around a payload of len bytes (header, IV, trailer, ICV). */
size_t esp_overhead(const struct esp_sa *sa, size_t len);

/*
 * Encapsulates p (an inner IP packet) in place: on ESP_OK p holds the whole ESP packet.
 * next_header is ESP_NH_IPV4 or ESP_NH_IPV6. On failure p is unchanged.
 */
enum esp_result esp_encap(struct esp_sa *sa, struct pkt *p, uint8_t next_header);

/*
 * Decapsulates p (an ESP packet starting at the SPI) in place, in this order: length sanity,
 * SPI, replay check, ICV (constant time), decrypt, pad bytes, next header, replay commit.
 * On ESP_OK p holds the inner packet and *next_header its type. Nothing before the ICV check
 * changes p or the SA; a packet failing later checks may be left decrypted but the window is
 * not moved. ESP_E_DUMMY also commits the sequence number (the packet was authentic).
 */
enum esp_result esp_decap(struct esp_sa *sa, struct pkt *p, uint8_t *next_header);

#endif
