/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/if_tun.h>

#include "tun/tundev.h"

_Static_assert(TUN_NAME_MAX == IFNAMSIZ, "TUN_NAME_MAX must match IFNAMSIZ");

int tun_open(const char *name, char name_out[TUN_NAME_MAX])
{
	struct ifreq ifr;
	int fd, ret;

	if (name && strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (name && *name)
		memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	memcpy(name_out, ifr.ifr_name, IFNAMSIZ);
	name_out[IFNAMSIZ - 1] = '\0';
	return fd;
}

int tun_set_mtu(const char *ifname, unsigned mtu)
{
	struct ifreq ifr;
	int s, ret = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if (mtu < 68 || mtu > 65535)
		return -EINVAL;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		ret = -errno;
	close(s);
	return ret;
}

int tun_set_txqueuelen(const char *ifname, unsigned qlen)
{
	struct ifreq ifr;
	int s, ret = 0;

	if (strlen(ifname) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	ifr.ifr_qlen = (int)qlen;
	if (ioctl(s, SIOCSIFTXQLEN, &ifr) < 0)
		ret = -errno;
	close(s);
	return ret;
}

int tun_disable_ipv6(const char *ifname)
{
	char path[96];
	if (strlen(ifname) >= IFNAMSIZ || strchr(ifname, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno; /* no IPv6 in this kernel: nothing to disable */
	int ret = write(fd, "1", 1) == 1 ? 0 : -errno;
	close(fd);
	return ret;
}
