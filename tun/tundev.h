/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TUN device: layer-3 packets without the packet-information prefix, non-blocking, so the
 * datapath reads an IP packet straight into a buffer's payload slot. Addresses and routes are
 * platform/'s business; only the MTU is set here because the datapath depends on it.
 */
#ifndef EVC_TUN_TUNDEV_H
#define EVC_TUN_TUNDEV_H

#define TUN_NAME_MAX 16 /* IFNAMSIZ, including the terminating NUL */

/*
 * Opens /dev/net/tun as IFF_TUN | IFF_NO_PI with O_NONBLOCK and O_CLOEXEC. name is the wanted
 * interface name (a pattern such as "evc%d" is allowed) or NULL/"" to let the kernel choose;
 * the actual name is written to name_out. Returns the fd or a negative errno (-EPERM without
 * CAP_NET_ADMIN, -ENOENT when the tun module is missing, -EBUSY for a name in use).
 */
int tun_open(const char *name, char name_out[TUN_NAME_MAX]);

/* Sets the interface MTU (SIOCSIFMTU). Returns 0 or a negative errno. */
int tun_set_mtu(const char *ifname, unsigned mtu);

/*
 * Sets the queue of packets the kernel holds for the reader (SIOCSIFTXQLEN). The default 500
 * overflows when the datapath is descheduled for a moment at a few hundred Mbit/s.
 */
#define TUN_TXQUEUELEN 4096
int tun_set_txqueuelen(const char *ifname, unsigned qlen);

/*
 * The tunnel carries IPv4 only: without this the kernel sends router solicitations and other
 * link-local IPv6 into it, which the datapath can only drop (and count) on both ends.
 */
int tun_disable_ipv6(const char *ifname);

#endif
