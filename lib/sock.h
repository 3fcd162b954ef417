/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sockets of evc and evs: UDP for IKE (500) and RFC 3948 traffic (4500), and the raw
 * socket for ESP (IP protocol 50). Non-blocking and close-on-exec, with IP_PKTINFO so the
 * datapath learns the local address each datagram arrived on.
 */
#ifndef EVC_LIB_SOCK_H
#define EVC_LIB_SOCK_H

#include <stddef.h>
#include <stdint.h>

/* A UDP socket bound to ip:port (host order). fd, or a negative errno with err saying why. */
int sock_udp_bind(uint32_t ip, uint16_t port, char *err, size_t errlen);
/* The raw ESP socket, with datapath-sized buffers. fd, or a negative errno with err. */
int sock_esp_raw(char *err, size_t errlen);

/*
 * Sends one ISAKMP message to to_addr:to_port (host order) from the local port the engine
 * chose: from 500 on fd_ike as is; from 4500 on fd_natt behind the RFC 3948 2.2 non-ESP
 * marker (four zero bytes), which is what tells it apart from ESP in UDP. 0, or a negative
 * errno.
 */
int sock_send_ike(int fd_ike, int fd_natt, uint16_t from_port, const uint8_t *msg, size_t len,
                  uint32_t to_addr, uint16_t to_port);

/* Gets one datagram read from port 500; from_* in host order. */
typedef void (*sock_ike_fn)(void *ctx, const uint8_t *msg, size_t len, uint32_t from_addr,
                            uint16_t from_port);
/*
 * Reads at most max datagrams from the non-blocking port-500 socket fd and hands each to fn,
 * so that one busy socket cannot starve the rest of the event loop. Returns how many were read.
 */
size_t sock_recv_ike(int fd, unsigned max, sock_ike_fn fn, void *ctx);

/*
 * Gives a socket carrying ESP receive and send buffers of `bytes` (SOCK_ESP_BUFFER): the
 * datapath sends in batches of 32, and with the default 208 KiB the receiver's kernel
 * drops bursts whenever its process is briefly descheduled (measured: about 15% of packets
 * at 400 Mbit/s on two cores). 0 or a negative errno.
 */
#define SOCK_ESP_BUFFER (4 * 1024 * 1024)
int sock_tune_buffers(int fd, int bytes);

#endif
