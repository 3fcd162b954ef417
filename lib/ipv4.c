/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdio.h>

#include "lib/ipv4.h"

const char *ipv4_str(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	return buf;
}
