/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "lib/sock.h"

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
		sock_tune_buffers(fd, SOCK_ESP_BUFFER); /* 4500 carries ESP too */
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
	sock_tune_buffers(fd, SOCK_ESP_BUFFER);
	return fd;
}

int sock_send_ike(int fd_ike, int fd_natt, uint16_t from_port, const uint8_t *msg, size_t len,
                  uint32_t to_addr, uint16_t to_port)
{
	static const uint8_t non_esp[4];
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(to_port)};
	to.sin_addr.s_addr = htonl(to_addr);
	struct iovec iov[2] = {
	    {.iov_base = (void *)non_esp, .iov_len = sizeof(non_esp)},
	    {.iov_base = (void *)msg, .iov_len = len},
	};
	struct msghdr mh = {
	    .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = iov, .msg_iovlen = 2};
	int fd = fd_ike;
	if (from_port == 4500) {
		fd = fd_natt;
	} else {
		mh.msg_iov = &iov[1];
		mh.msg_iovlen = 1;
	}
	if (sendmsg(fd, &mh, 0) < 0)
		return -errno;
	return 0;
}

size_t sock_recv_ike(int fd, unsigned max, sock_ike_fn fn, void *ctx)
{
	uint8_t buf[65536];
	size_t n = 0;
	while (n < max) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t r = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (r < 0)
			break;
		n++;
		if (fl < sizeof(from) || from.sin_family != AF_INET)
			continue;
		fn(ctx, buf, (size_t)r, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port));
	}
	return n;
}

int sock_tune_buffers(int fd, int bytes)
{
	int rc = 0;
	/* The FORCE variants pass net.core.rmem_max/wmem_max (root only); without them the
	 * kernel silently caps the size, which is still better than the default. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) != 0)
		rc = -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bytes, sizeof(bytes)) != 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes)) != 0)
		rc = -errno;
	return rc;
}
