/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sockets of evc and evs: UDP for IKE (500) and RFC 3948 traffic (4500), and the raw
 * socket for ESP (IP protocol 50). Non-blocking and close-on-exec, with IP_PKTINFO so the
 * datapath learns the local address each datagram arrived on.
 */
#ifndef EVC_TUN_SOCK_H
#define EVC_TUN_SOCK_H

#include <stddef.h>
#include <stdint.h>

/* A UDP socket bound to ip:port (host order). fd, or a negative errno with err saying why. */
int sock_udp_bind(uint32_t ip, uint16_t port, char *err, size_t errlen);
/* The raw ESP socket, with datapath-sized buffers. fd, or a negative errno with err. */
int sock_esp_raw(char *err, size_t errlen);

#endif
