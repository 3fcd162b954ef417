/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The IPv4 addresses an interface of the host has, read over rtnetlink (libnl). */
#ifndef EVC_PLATFORM_IFADDRS_H
#define EVC_PLATFORM_IFADDRS_H

#include <stddef.h>

#include "lib/policy.h"

/*
 * The IPv4 addresses (with their netmasks) of the interface named ifname in the caller's
 * network namespace, in the kernel's order. Writes at most max, sets *n to how many there
 * are (0 is not an error). -ENODEV when no interface has that name; another negative errno
 * with err saying why.
 */
int plat_if_addrs(const char *ifname, struct evc_net *out, size_t max, size_t *n, char *err,
                  size_t errlen);

#endif
