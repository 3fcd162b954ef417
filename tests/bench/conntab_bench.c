/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What finding a datagram's IKE SA costs evs as the number of clients grows: the SA table
 * (server/core/conntab.c) holding 10, 100, 1,000, 5,000 and 16,000 SAs, looked up by both
 * cookies (every message after the first) and by the initiator cookie and source address (a
 * first message), and the deadline heap (timeq.c) moved once per message; and the
 * datapath's ESP SA table (tun/satable.c) with as many client SA pairs, looked up by inbound
 * SPI (an ESP datagram) and by inner destination (a packet to a client). The figures must
 * stay flat: a lookup that grew with the table would be a linear scan.
 *
 * usage: conntab_bench [lookups per size (default 2,000,000)]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/core/conntab.h"
#include "server/core/timeq.h"
#include "tun/satable.h"

struct key {
	uint8_t icky[8], rcky[8];
	uint32_t peer;
};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* xorshift: reproducible keys and orders, no libc rand state */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int bench(size_t n, size_t lookups)
{
	static const uint8_t hkey[16] = "bench hash key.";
	static const uint8_t zero[8];
	const size_t max = 16384;
	struct evs_conntab *t = evs_conntab_new(max, hkey);
	struct evs_timeq *q = evs_timeq_new(max);
	struct satab *sat = satab_new();
	struct sa_entry *sae = calloc(n, sizeof(*sae));
	struct key *k = calloc(n, sizeof(*k));
	uint32_t *order = calloc(lookups, sizeof(*order));
	int *slot = calloc(n, sizeof(*slot));
	uint64_t s = 0x9e3779b97f4a7c15ull ^ n;
	size_t found = 0;
	int rc = 1;
	if (!t || !q || !sat || !sae || !k || !order || !slot)
		goto out;
	for (size_t i = 0; i < n; i++) {
		uint64_t a = next(&s), b = next(&s);
		memcpy(k[i].icky, &a, 8);
		memcpy(k[i].rcky, &b, 8);
		k[i].peer = 0xc6336400u | (uint32_t)(i % 240 + 10); /* 240 sources, as the rig */
		slot[i] = evs_conntab_add(t, k[i].icky, k[i].rcky, k[i].peer, &k[i]);
		if (slot[i] < 0)
			goto out;
		evs_timeq_set(q, (size_t)slot[i], 1000 + next(&s) % 60000);
		sae[i].spi_in = (uint32_t)next(&s) | 1;
		sae[i].remote_ts = (struct evc_net){0x0a620000u + (uint32_t)i, UINT32_MAX};
		if (satab_insert(sat, &sae[i]) != 0)
			goto out;
	}
	for (size_t i = 0; i < lookups; i++)
		order[i] = (uint32_t)(next(&s) % n);

	double t0 = now_ns();
	for (size_t i = 0; i < lookups; i++) {
		const struct key *x = &k[order[i]];
		found += evs_conntab_find(t, x->icky, x->rcky, x->peer) == x;
	}
	double t1 = now_ns();
	for (size_t i = 0; i < lookups; i++) {
		const struct key *x = &k[order[i]];
		/* a retransmitted first message: no responder cookie yet */
		found += evs_conntab_find(t, x->icky, zero, x->peer) != NULL;
	}
	double t2 = now_ns();
	for (size_t i = 0; i < lookups; i++)
		evs_timeq_set(q, (size_t)slot[order[i]], 1000 + next(&s) % 60000);
	double t3 = now_ns();
	for (size_t i = 0; i < lookups; i++)
		found += satab_by_spi(sat, sae[order[i]].spi_in) == &sae[order[i]];
	double t4 = now_ns();
	for (size_t i = 0; i < lookups; i++)
		found += satab_route(sat, 0, sae[order[i]].remote_ts.addr) == &sae[order[i]];
	double t5 = now_ns();
	if (found != 4 * lookups) {
		fprintf(stderr, "conntab_bench: %zu of %zu lookups found their SA\n", found,
		        4 * lookups);
		goto out;
	}
	printf("%6zu SAs: %5.1f ns by both cookies, %5.1f ns by cookie and address, %5.1f ns to "
	       "move a deadline; ESP: %5.1f ns by SPI, %5.1f ns by destination\n",
	       n, (t1 - t0) / (double)lookups, (t2 - t1) / (double)lookups,
	       (t3 - t2) / (double)lookups, (t4 - t3) / (double)lookups,
	       (t5 - t4) / (double)lookups);
	rc = 0;
out:
	while (sat && satab_any(sat))
		satab_remove(sat, satab_any(sat)->spi_in);
	satab_free(sat);
	free(sae);
	evs_conntab_free(t);
	evs_timeq_free(q);
	free(k);
	free(order);
	free(slot);
	return rc;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {10, 100, 1000, 5000, 16000};
	size_t lookups = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
	if (lookups == 0)
		lookups = 1;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (bench(sizes[i], lookups) != 0)
			return 1;
	return 0;
}
