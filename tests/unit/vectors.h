/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loader for the recorded vpnc/strongSwan exchanges in tests/vectors/ (see shared/vectors
 * README): keys.txt values, messages.txt datagrams, decrypted.txt plaintexts, esp.txt packets.
 * Test-only code: it aborts the test (via cmocka's fail) on a missing file or key.
 */
#ifndef EVC_TESTS_VECTORS_H
#define EVC_TESTS_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define VEC_S1 "s1-vpnc-aggressive-psk-xauth"
#define VEC_S2 "s2-strongswan-aggressive-psk-xauth-modp2048"
#define VEC_S3 "s3-strongswan-main-rsa-xauth"

struct hexcache;

struct vec_bytes {
	uint8_t *p;
	size_t len;
};

struct vec_msg {
	unsigned num;
	int i2r; /* 1: initiator -> responder */
	unsigned sport, dport;
	char exch[32]; /* "AGGRESSIVE", "TRANSACTION", "QUICK/FRAG", ... */
	uint32_t msgid;
	struct vec_bytes data;
};

struct vec_dec {
	unsigned num;
	int i2r;
	char exch[32];
	uint32_t msgid;
	uint8_t iv[16];
	size_t iv_len;
	struct vec_bytes payloads; /* decrypted body, padding excluded */
	struct vec_bytes padding;
};

struct vec_esp {
	unsigned frame;
	int i2r;
	unsigned sport, dport;
	struct vec_bytes data;
};

struct vec_set {
	char dir[512];
	/* keys.txt: name -> raw value text (without comment) */
	char **names;
	char **values;
	size_t nkeys;
	struct vec_msg *msgs;
	size_t nmsgs;
	struct vec_dec *decs;
	size_t ndecs;
	struct vec_esp *esps;
	size_t nesps;
	struct hexcache *hex_cache; /* decoded keys handed out by vec_hex */
};

/* Loads every file of scenario `name` (VEC_S1 ...); fails the test if any is missing. */
struct vec_set *vec_load(const char *name);
void vec_free(struct vec_set *v);

/* keys.txt value as text ("aggressive", "32"), NULL if absent. */
const char *vec_str(const struct vec_set *v, const char *key);
/* keys.txt value decoded from hex; fails the test if absent or not hex. Owned by v. */
struct vec_bytes vec_hex(struct vec_set *v, const char *key);
/* keys.txt value as an unsigned number. */
unsigned long vec_num(const struct vec_set *v, const char *key);

/* The message / decrypted plaintext with this NUM, NULL if absent. */
const struct vec_msg *vec_msg(const struct vec_set *v, unsigned num);
const struct vec_dec *vec_dec(const struct vec_set *v, unsigned num);

/* Decodes hex text into a fresh buffer (free with free()); returns length or -1. */
long vec_unhex(const char *hex, uint8_t **out);

#endif
