/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for Cisco IKE fragmentation (ike/frag.h). The input is read two ways:
 *  - as one ISAKMP datagram: when it splits, its fragments reassemble to exactly it, in order
 *    and backwards;
 *  - as a stream of records (1 byte clock step in seconds, 2 bytes length, that many bytes of
 *    datagram) fed to one reassembler with a 4096-byte limit: a refusal always says why, a
 *    message is never longer than the limit, and at most IKE_FRAG_MAX fragments are held.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/frag.h"
#include "ike/isakmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static void round_trip(const uint8_t *data, size_t size)
{
	static uint8_t out[IKE_FRAG_MAX * 600];
	size_t lens[IKE_FRAG_MAX], off[IKE_FRAG_MAX];
	size_t fsize = 128 + (size ? data[size - 1] : 0) * 2;
	int n = ike_frag_split(data, size, fsize, 9, out, sizeof(out), lens);
	if (n <= 0)
		return;
	size_t o = 0;
	for (int i = 0; i < n; i++) {
		CHECK(lens[i] <= fsize);
		off[i] = o;
		o += lens[i];
	}
	for (int dir = 0; dir < 2; dir++) {
		struct ike_frag_rx *r = ike_frag_rx_new(IKE_FRAG_MAX * 600);
		CHECK(r != NULL);
		const uint8_t *whole = NULL;
		size_t wlen = 0;
		const char *why = NULL;
		int done = 0;
		for (int k = 0; k < n; k++) {
			int i = dir ? n - 1 - k : k;
			int rc = ike_frag_rx_add(r, 0, out + off[i], lens[i], &whole, &wlen, &why);
			CHECK(rc == 0 || rc == 1);
			done += rc;
		}
		CHECK(done == 1);
		CHECK(wlen == size && memcmp(whole, data, size) == 0);
		ike_frag_rx_free(r);
	}
}

static void stream(const uint8_t *data, size_t size)
{
	struct ike_frag_rx *r = ike_frag_rx_new(4096);
	uint64_t now = 0;
	size_t i = 0;
	CHECK(r != NULL);
	while (i + 3 <= size) {
		now += (uint64_t)data[i] * 1000;
		size_t len = (size_t)data[i + 1] << 8 | data[i + 2];
		i += 3;
		if (len > size - i)
			len = size - i;
		const uint8_t *whole = NULL;
		size_t wlen = 0;
		const char *why = NULL;
		int rc = ike_frag_rx_add(r, now, data + i, len, &whole, &wlen, &why);
		if (rc < 0)
			CHECK(why != NULL && why[0] != '\0');
		if (rc == 1)
			CHECK(whole != NULL && wlen > 0 && wlen <= 4096);
		CHECK(ike_frag_rx_pending(r) <= IKE_FRAG_MAX);
		i += len;
	}
	ike_frag_rx_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size);
	stream(data, size);
	return 0;
}
