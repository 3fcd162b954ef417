/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for evs's RADIUS reply handling (server/core/radius_pkt.c): the bytes are a
 * whole reply datagram. So that the fuzzer gets past the authenticators to the attribute
 * parser, the target first signs the datagram as a server with the key would: the
 * Message-Authenticator, when the attributes hold one where the walk finds it, and the
 * Response Authenticator over the length the header gives. Then evs_radius_check must take it
 * (any code but Accept, Reject and Challenge aside), evs_radius_reply_pairs reads it, and the
 * pairs go through the attribute mapping (aaa_attrs.c) as the daemon would. The datagram
 * as it came is checked too, for the paths that end before the authenticators match.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/crypto.h"
#include "server/core/aaa_attrs.h"
#include "server/core/radius_pkt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[] = "fuzz-key";
static const uint8_t ra[RADIUS_AUTH_LEN] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

/* Where the first Message-Authenticator value is, 0 when the walk finds none. */
static size_t ma_at(const uint8_t *p, size_t len)
{
	struct rd r = rd_init(p + RADIUS_HDR_LEN, len - RADIUS_HDR_LEN);

	while (r.left) {
		size_t off = len - r.left;
		uint8_t type, alen;
		if (!rd_u8(&r, &type) || !rd_u8(&r, &alen) || alen < 2 || !rd_skip(&r, alen - 2u))
			return 0;
		if (type == RADIUS_A_MESSAGE_AUTHENTICATOR && alen == 18)
			return off + 2;
	}
	return 0;
}

static void sign(uint8_t *p, size_t len)
{
	uint8_t md[HASH_MAX_LEN];
	size_t ma = ma_at(p, len);

	memcpy(p + 4, ra, RADIUS_AUTH_LEN);
	if (ma) {
		struct crypto_iov v = {p, len};
		memset(p + ma, 0, 16);
		if (crypto_prf_v(HASH_MD5, key, sizeof(key) - 1, &v, 1, md) != 0)
			abort();
		memcpy(p + ma, md, 16);
	}
	struct crypto_iov v[2] = {{p, len}, {key, sizeof(key) - 1}};
	if (crypto_hash_v(HASH_MD5, v, 2, md) != 0)
		abort();
	memcpy(p + 4, md, RADIUS_AUTH_LEN);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[RADIUS_MAX_LEN + 16];
	static struct evs_aaa_result res;
	struct evs_aaa_attrs a;
	enum evs_radius_verdict v;
	char why[256];
	size_t plen;

	if (size < RADIUS_HDR_LEN || size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	/* unsigned as it came: the header checks and a failing MD5 comparison */
	(void)evs_radius_check(buf, size, buf[1], ra, key, sizeof(key) - 1, false);
	plen = (size_t)buf[2] << 8 | buf[3];
	if (plen < RADIUS_HDR_LEN || plen > size || plen > RADIUS_MAX_LEN)
		return 0;
	sign(buf, plen);
	/* a byte past the length (ignored by the check) says whether to insist on the MA */
	v = evs_radius_check(buf, size, buf[1], ra, key, sizeof(key) - 1,
	                     plen < size && (data[size - 1] & 1));
	if (v == EVS_RADIUS_V_BAD_AUTH)
		abort(); /* signed with the key: the Response Authenticator verifies */
	if (v != EVS_RADIUS_V_ACCEPT)
		return 0;
	memset(&res, 0, sizeof(res));
	why[0] = '\0';
	if (evs_radius_reply_pairs(buf, size, &res, why, sizeof(why)) != 0) {
		if (!why[0])
			abort(); /* a refusal says why */
		return 0;
	}
	if (res.n_pairs > EVS_AAA_MAX_PAIRS)
		abort();
	for (size_t i = 0; i < res.n_pairs; i++)
		if (strnlen(res.pairs[i].text, sizeof(res.pairs[i].text)) > EVS_AAA_VALUE_MAX)
			abort();
	why[0] = '\0';
	if (evs_aaa_attrs_parse(res.pairs, res.n_pairs, &a, why, sizeof(why)) != 0 && !why[0])
		abort();
	return 0;
}
