/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv4 addresses (host byte order) as text, for messages and status lines. */
#ifndef EVC_LIB_IPV4_H
#define EVC_LIB_IPV4_H

#include <stddef.h>
#include <stdint.h>

#define IPV4_STR_MAX 16 /* "255.255.255.255" and its NUL */

/* Writes a.b.c.d into buf (len bytes, IPV4_STR_MAX is enough) and returns buf. */
const char *ipv4_str(uint32_t addr, char *buf, size_t len);

#endif
