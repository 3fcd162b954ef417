/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tun/datapath.h"
#include "tun/sock.h"

int sock_udp_bind(uint32_t ip, uint16_t port, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot create a UDP socket: %s", strerror(e));
		return -e;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(ip);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		int e = errno;
		snprintf(err, errlen, "cannot use UDP port %u on %u.%u.%u.%u: %s%s", port, ip >> 24,
		         (ip >> 16) & 255, (ip >> 8) & 255, ip & 255, strerror(e),
		         e == EADDRINUSE      ? " (is another IKE daemon running?)"
		         : e == EADDRNOTAVAIL ? " (no interface here has that address)"
		                              : "");
		close(fd);
		return -e;
	}
	if (port != 500)
		dp_tune_socket(fd, DP_SOCKET_BUFFER); /* 4500 carries ESP too */
	return fd;
}

int sock_esp_raw(char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open a raw ESP socket: %s%s", strerror(e),
		         e == EPERM ? " (needs root or CAP_NET_RAW)" : "");
		return -e;
	}
	dp_tune_socket(fd, DP_SOCKET_BUFFER);
	return fd;
}
