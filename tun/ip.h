/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The few IP header fields the datapath needs: the inner version and addresses (routing to an
 * SA, traffic-selector check) and the outer IPv4 header a raw ESP socket delivers.
 */
#ifndef EVC_TUN_IP_H
#define EVC_TUN_IP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ip_info {
	uint8_t version;   /* 4 or 6 */
	uint8_t proto;     /* IPv4 protocol / IPv6 next header */
	size_t hdr_len;    /* IPv4: IHL * 4; IPv6: 40 */
	size_t total_len;  /* from the header; <= the buffer length */
	uint32_t src, dst; /* IPv4 only, host byte order */
};

/*
 * Parses the IPv4 or IPv6 header at the start of p. False when the buffer is shorter than the
 * header or the length it declares, or the version/IHL is invalid.
 */
bool ip_parse(const uint8_t *p, size_t len, struct ip_info *out);

#endif
