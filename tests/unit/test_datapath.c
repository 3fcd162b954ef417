/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The datapath with real sockets and a real TUN device, inside a private network namespace
 * made by this process (unshare(CLONE_NEWNET)), so nothing leaks to the host and everything
 * disappears when the test exits. Those tests need root: they are the part "root", its own
 * ctest entry unit/test_datapath/root, which is reported as skipped without root
 * (unit_parts.h). The limiter and the drop names need nothing and run without an argument.
 *
 *   app socket --(route 10/8)--> TUN --dp--> ESP --lo 127.0.0.1 -> 127.0.0.2--> hand-driven peer
 *   app socket <----------------- TUN <-dp-- ESP <-------------------------------- (esp.h SAs)
 *
 * The peer is built from tun/esp.h directly, so the test checks the datapath against the ESP
 * code that test_esp checks against the recorded captures. Child A uses ESP in UDP 4500 for
 * 10.99.0.0/16, child B raw ESP (protocol 50) for 10.77.0.0/16.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_parts.h"

#include "tun/datapath.h"
#include "tun/esp.h"
#include "lib/ratelimit.h"
#include "tun/tundev.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))
#define TUN_ADDR IP4(10, 98, 0, 1)
#define DP_ADDR IP4(127, 0, 0, 1)
#define PEER_ADDR IP4(127, 0, 0, 2)
#define UDP_HOST IP4(10, 99, 0, 2) /* behind child A (UDP encapsulation) */
#define RAW_HOST IP4(10, 77, 0, 2) /* behind child B (raw ESP) */

#define SPI_A_IN 0x1000a001u
#define SPI_A_OUT 0x2000a002u
#define SPI_B_IN 0x3000b001u
#define SPI_B_OUT 0x4000b002u

struct peer_sa {
	struct esp_sa *to_dp;   /* encrypts with the dp's inbound SPI and keys */
	struct esp_sa *from_dp; /* decrypts what the dp sends */
};

struct fx {
	int tun, udp, esp; /* the datapath's descriptors */
	int peer_udp, peer_esp;
	char ifname[TUN_NAME_MAX];
	struct dp *dp;
	struct ike_child a, b;
	struct peer_sa pa, pb;
	/* ike_input callback capture */
	unsigned ike_calls;
	uint8_t ike_msg[64];
	size_t ike_len;
	struct ike_endpoint ike_from, ike_to;
	unsigned logs;
	/* volume callback capture */
	unsigned vol_soft, vol_hard;
	uint32_t vol_spi;
};

static uint32_t be32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static struct sockaddr_in sin4(uint32_t addr, uint16_t port)
{
	struct sockaddr_in s = {.sin_family = AF_INET, .sin_port = htons(port)};
	s.sin_addr.s_addr = htonl(addr);
	return s;
}

static bool wait_readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, ms) == 1;
}

static int ifreq_ioctl(const char *name, unsigned long req, struct ifreq *ifr)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", name);
	int ret = ioctl(s, req, ifr) < 0 ? -errno : 0;
	close(s);
	return ret;
}

static int if_up(const char *name)
{
	struct ifreq ifr = {0};
	int ret = ifreq_ioctl(name, SIOCGIFFLAGS, &ifr);
	if (ret)
		return ret;
	ifr.ifr_flags |= IFF_UP;
	return ifreq_ioctl(name, SIOCSIFFLAGS, &ifr);
}

static int if_addr(const char *name, uint32_t addr, uint32_t mask)
{
	struct ifreq ifr = {0};
	struct sockaddr_in a = sin4(addr, 0), m = sin4(mask, 0);
	memcpy(&ifr.ifr_addr, &a, sizeof(a));
	int ret = ifreq_ioctl(name, SIOCSIFADDR, &ifr);
	if (ret)
		return ret;
	memcpy(&ifr.ifr_netmask, &m, sizeof(m));
	return ifreq_ioctl(name, SIOCSIFNETMASK, &ifr);
}

/* Keeps router solicitations and MLD reports out of the TUN so packet counts are exact. */
static void disable_ipv6(const char *ifname)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* no IPv6 in this kernel: nothing to silence */
	assert_int_equal(write(fd, "1", 1), 1);
	close(fd);
}

static int udp_socket(uint32_t addr, uint16_t port)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = sin4(addr, port);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	return s;
}

static int esp_socket(uint32_t addr)
{
	int s = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ESP);
	struct sockaddr_in a = sin4(addr, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	return s;
}

static void on_ike(void *ctx, int fd, const uint8_t *msg, size_t len,
                   const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct fx *f = ctx;
	(void)fd;
	f->ike_calls++;
	f->ike_len = len < sizeof(f->ike_msg) ? len : sizeof(f->ike_msg);
	memcpy(f->ike_msg, msg, f->ike_len);
	f->ike_from = *from;
	f->ike_to = *to;
}

static void on_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct fx *f = ctx;
	(void)level;
	(void)msg;
	f->logs++;
}

static void make_child(struct ike_child *c, uint32_t in, uint32_t out, bool udp, uint32_t net,
                       uint8_t keyseed)
{
	memset(c, 0, sizeof(*c));
	c->spi_in = in;
	c->spi_out = out;
	c->esp = ESP_ENCR_AES_CBC;
	c->key_bits = 128;
	c->auth = ESP_AUTH_HMAC_SHA1;
	c->enc_key_len = 16;
	c->auth_key_len = 20;
	for (int i = 0; i < 32; i++) {
		c->enc_in[i] = (uint8_t)(keyseed + i);
		c->auth_in[i] = (uint8_t)(keyseed + 2 * i);
		c->enc_out[i] = (uint8_t)(keyseed ^ (3 * i));
		c->auth_out[i] = (uint8_t)(keyseed ^ (5 * i + 1));
	}
	c->udp_encap = udp;
	c->peer = (struct ike_endpoint){PEER_ADDR, udp ? 4500 : 0};
	c->local_port = 4500;
	c->local_ts = (struct evc_net){TUN_ADDR, 0xffffffffu};
	c->remote_ts = (struct evc_net){net, 0xffff0000u};
}

/* The peer's view of a child: its outbound is our inbound and vice versa. */
static void make_peer(struct peer_sa *p, const struct ike_child *c)
{
	struct esp_sa_params to = {
	    .spi = c->spi_in,
	    .outbound = true,
	    .encr = c->esp,
	    .key_bits = c->key_bits,
	    .auth = c->auth,
	    .enc_key = c->enc_in,
	    .enc_key_len = c->enc_key_len,
	    .auth_key = c->auth_in,
	    .auth_key_len = c->auth_key_len,
	};
	struct esp_sa_params from = to;
	from.spi = c->spi_out;
	from.outbound = false;
	from.enc_key = c->enc_out;
	from.auth_key = c->auth_out;
	p->to_dp = esp_sa_new(&to, NULL);
	p->from_dp = esp_sa_new(&from, NULL);
	assert_non_null(p->to_dp);
	assert_non_null(p->from_dp);
}

static void on_volume(void *ctx, uint32_t spi_in, bool hard)
{
	struct fx *f = ctx;
	f->vol_spi = spi_in;
	if (hard)
		f->vol_hard++;
	else
		f->vol_soft++;
}

static int group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	f->tun = f->udp = f->esp = f->peer_udp = f->peer_esp = -1;
	/* main() made this process a network namespace of its own: it is empty but for lo. */
	assert_int_equal(if_up("lo"), 0);
	f->tun = tun_open("evt%d", f->ifname);
	if (f->tun < 0)
		fail_msg("tun_open: %s", strerror(-f->tun));
	assert_int_equal(strncmp(f->ifname, "evt", 3), 0);
	assert_int_equal(tun_set_mtu(f->ifname, 1400), 0);
	struct ifreq ifr = {0};
	assert_int_equal(ifreq_ioctl(f->ifname, SIOCGIFMTU, &ifr), 0);
	assert_int_equal(ifr.ifr_mtu, 1400);
	disable_ipv6(f->ifname);
	/* 10.98.0.1/8: the connected route sends both 10.99/16 and 10.77/16 into the TUN. */
	assert_int_equal(if_addr(f->ifname, TUN_ADDR, 0xff000000u), 0);
	assert_int_equal(if_up(f->ifname), 0);

	f->udp = udp_socket(DP_ADDR, 4500);
	int one = 1;
	assert_int_equal(setsockopt(f->udp, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)), 0);
	f->esp = esp_socket(DP_ADDR);
	f->peer_udp = udp_socket(PEER_ADDR, 4500);
	f->peer_esp = esp_socket(PEER_ADDR);

	struct dp_config cfg = {
	    .tun_fd = f->tun,
	    .udp_fd = f->udp,
	    .esp_fd = f->esp,
	    .ike_input = on_ike,
	    .log = on_log,
	    .volume = on_volume,
	    .soft_permille = 500,
	    .ctx = f,
	};
	f->dp = dp_new(&cfg);
	assert_non_null(f->dp);
	make_child(&f->a, SPI_A_IN, SPI_A_OUT, true, IP4(10, 99, 0, 0), 0x10);
	make_child(&f->b, SPI_B_IN, SPI_B_OUT, false, IP4(10, 77, 0, 0), 0x60);
	const char *why = NULL;
	if (dp_add_child(f->dp, &f->a, &why) != 0)
		fail_msg("dp_add_child A: %s", why);
	if (dp_add_child(f->dp, &f->b, &why) != 0)
		fail_msg("dp_add_child B: %s", why);
	make_peer(&f->pa, &f->a);
	make_peer(&f->pb, &f->b);
	return 0;
}

static int group_teardown(void **state)
{
	struct fx *f = *state;
	dp_free(f->dp);
	esp_sa_free(f->pa.to_dp);
	esp_sa_free(f->pa.from_dp);
	esp_sa_free(f->pb.to_dp);
	esp_sa_free(f->pb.from_dp);
	int fds[] = {f->tun, f->udp, f->esp, f->peer_udp, f->peer_esp};
	for (size_t i = 0; i < 5; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(f);
	return 0;
}

/* Runs the datapath's TUN handler until the TUN is drained. */
static int pump_tun(struct fx *f)
{
	int total = 0, n;
	while (wait_readable(f->tun, 200) && (n = dp_on_tun_readable(f->dp)) > 0)
		total += n;
	return total;
}

/*
 * Receives what the datapath sent to the peer over `udp` or raw ESP and decapsulates it with
 * `sa`; skips packets the datapath may legitimately send that are not the one sought (none
 * expected, but IPv6 noise from the TUN is dropped before it gets here anyway).
 */
static bool peer_receive(struct fx *f, bool udp, struct esp_sa *sa, struct pkt *p,
                         uint32_t *spi_seen)
{
	int fd = udp ? f->peer_udp : f->peer_esp;
	if (!wait_readable(fd, 1000))
		return false;
	pkt_reset(p, 0);
	ssize_t n = recv(fd, p->buf, PKT_BUFSZ, 0);
	assert_true(n > 0);
	p->len = (size_t)n;
	if (!udp) {
		/* raw socket: the IPv4 header is included */
		assert_int_equal(p->data[0] >> 4, 4);
		assert_int_equal(p->data[9], IPPROTO_ESP);
		assert_true(pkt_pull(p, (size_t)(p->data[0] & 0x0f) * 4));
	}
	*spi_seen = be32(p->data);
	uint8_t nh;
	enum esp_result r = esp_decap(sa, p, &nh);
	if (r != ESP_OK)
		fail_msg("peer could not decapsulate the datapath's packet: %s",
		         esp_result_name(r));
	assert_int_equal(nh, ESP_NH_IPV4);
	return true;
}

static uint16_t ip_csum(const uint8_t *h, size_t len)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		s += ((uint32_t)h[i] << 8) | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4/UDP packet (UDP checksum 0 = none, allowed for IPv4). */
static size_t build_udp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                        const char *payload)
{
	size_t pl = strlen(payload), len = 28 + pl;
	memset(b, 0, 28);
	b[0] = 0x45;
	b[2] = (uint8_t)(len >> 8), b[3] = (uint8_t)len;
	b[8] = 64, b[9] = IPPROTO_UDP;
	for (int i = 0; i < 4; i++) {
		b[12 + i] = (uint8_t)(src >> (24 - 8 * i));
		b[16 + i] = (uint8_t)(dst >> (24 - 8 * i));
	}
	uint16_t c = ip_csum(b, 20);
	b[10] = (uint8_t)(c >> 8), b[11] = (uint8_t)c;
	b[20] = (uint8_t)(sport >> 8), b[21] = (uint8_t)sport;
	b[22] = (uint8_t)(dport >> 8), b[23] = (uint8_t)dport;
	b[24] = (uint8_t)((8 + pl) >> 8), b[25] = (uint8_t)(8 + pl);
	memcpy(b + 28, payload, pl);
	return len;
}

/* The peer encapsulates an inner packet and sends it to the datapath. */
static void peer_send(struct fx *f, bool udp, struct esp_sa *sa, const uint8_t *inner, size_t len,
                      uint8_t *wire, size_t *wire_len)
{
	struct pkt *p = aligned_alloc(64, sizeof(*p));
	assert_non_null(p);
	assert_true(pkt_set(p, inner, len));
	assert_int_equal(esp_encap(sa, p, ESP_NH_IPV4), ESP_OK);
	struct sockaddr_in to = sin4(DP_ADDR, udp ? 4500 : 0);
	ssize_t n = sendto(udp ? f->peer_udp : f->peer_esp, p->data, p->len, 0,
	                   (struct sockaddr *)&to, sizeof(to));
	assert_int_equal(n, (ssize_t)p->len);
	if (wire) {
		memcpy(wire, p->data, p->len);
		*wire_len = p->len;
	}
	free(p);
}

static int app_socket(uint16_t *port)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = sin4(TUN_ADDR, 0);
	socklen_t l = sizeof(a);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return s;
}

static void both_directions(struct fx *f, bool udp)
{
	struct peer_sa *ps = udp ? &f->pa : &f->pb;
	uint32_t host = udp ? UDP_HOST : RAW_HOST;
	uint32_t spi_out = udp ? SPI_A_OUT : SPI_B_OUT;
	uint16_t aport;
	int app = app_socket(&aport);
	struct pkt *p = aligned_alloc(64, sizeof(*p));
	assert_non_null(p);
	struct dp_stats before, after;
	dp_stats(f->dp, &before);

	/* app -> TUN -> dp -> ESP -> peer */
	const char *msg = udp ? "hello through UDP 4500" : "hello through raw ESP";
	struct sockaddr_in to = sin4(host, 7777);
	assert_int_equal(sendto(app, msg, strlen(msg), 0, (struct sockaddr *)&to, sizeof(to)),
	                 (ssize_t)strlen(msg));
	assert_true(pump_tun(f) >= 1);
	uint32_t spi = 0;
	assert_true(peer_receive(f, udp, ps->from_dp, p, &spi));
	assert_int_equal(spi, spi_out);
	assert_int_equal(p->data[0], 0x45);
	assert_int_equal(p->data[9], IPPROTO_UDP);
	assert_int_equal(be32(p->data + 12), TUN_ADDR);
	assert_int_equal(be32(p->data + 16), host);
	assert_int_equal(((unsigned)p->data[22] << 8) | p->data[23], 7777);
	assert_int_equal(p->len, 28 + strlen(msg));
	assert_memory_equal(p->data + 28, msg, strlen(msg));

	/* peer -> ESP -> dp -> TUN -> app */
	uint8_t inner[256], wire[512];
	size_t wlen;
	const char *reply = udp ? "reply via UDP 4500" : "reply via raw ESP";
	size_t ilen = build_udp(inner, host, TUN_ADDR, 7, aport, reply);
	peer_send(f, udp, ps->to_dp, inner, ilen, wire, &wlen);
	int dfd = udp ? f->udp : f->esp;
	assert_true(wait_readable(dfd, 1000));
	assert_int_equal(udp ? dp_on_udp_readable(f->dp, f->udp) : dp_on_esp_readable(f->dp), 1);
	assert_true(wait_readable(app, 1000));
	char got[128];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(app, got, sizeof(got), 0, (struct sockaddr *)&from, &fl);
	assert_int_equal(n, (ssize_t)strlen(reply));
	assert_memory_equal(got, reply, strlen(reply));
	assert_int_equal(ntohl(from.sin_addr.s_addr), host);
	assert_int_equal(ntohs(from.sin_port), 7);

	/* the same datagram again: a replay, dropped and counted */
	struct sockaddr_in dst = sin4(DP_ADDR, udp ? 4500 : 0);
	assert_int_equal(sendto(udp ? f->peer_udp : f->peer_esp, wire, wlen, 0,
	                        (struct sockaddr *)&dst, sizeof(dst)),
	                 (ssize_t)wlen);
	assert_true(wait_readable(dfd, 1000));
	assert_int_equal(udp ? dp_on_udp_readable(f->dp, f->udp) : dp_on_esp_readable(f->dp), 1);
	assert_false(wait_readable(app, 100));

	dp_stats(f->dp, &after);
	assert_int_equal(after.drop[DP_DROP_REPLAY], before.drop[DP_DROP_REPLAY] + 1);
	assert_int_equal(after.tun_tx, before.tun_tx + 1);
	assert_int_equal(after.esp_tx, before.esp_tx + 1);
	assert_int_equal(after.esp_rx, before.esp_rx + 2);
	struct dp_child_stats cs;
	assert_int_equal(dp_child_stats(f->dp, udp ? SPI_A_IN : SPI_B_IN, &cs), 0);
	assert_int_equal(cs.in.packets, 1);
	assert_int_equal(cs.in.bytes, ilen);
	assert_int_equal(cs.in.seq, 1);
	assert_int_equal(cs.out.packets, 1);
	assert_int_equal(cs.out.bytes, 28 + strlen(msg));
	assert_int_equal(cs.out.seq, 1);
	assert_false(cs.expired);
	free(p);
	close(app);
}

static void udp_encap_both_ways(void **state)
{
	struct fx *f = *state;
	both_directions(f, true);
}

static void raw_esp_both_ways(void **state)
{
	struct fx *f = *state;
	both_directions(f, false);
}

/* RFC 3948 demultiplexing on the 4500 socket: marker -> IKE, 0xFF -> keepalive. */
static void marker_and_keepalive(void **state)
{
	struct fx *f = *state;
	struct dp_stats before, after;
	dp_stats(f->dp, &before);
	static const uint8_t ike[] = {0, 0, 0, 0, 'I', 'S', 'A', 'K', 'M', 'P'};
	struct sockaddr_in to = sin4(DP_ADDR, 4500);
	assert_int_equal(
	    sendto(f->peer_udp, ike, sizeof(ike), 0, (struct sockaddr *)&to, sizeof(to)),
	    (ssize_t)sizeof(ike));
	struct ike_endpoint dpend = {DP_ADDR, 4500};
	assert_int_equal(dp_send_keepalive(f->peer_udp, &dpend), 0);
	assert_true(wait_readable(f->udp, 1000));
	usleep(20000);
	assert_int_equal(dp_on_udp_readable(f->dp, f->udp), 2);
	dp_stats(f->dp, &after);
	assert_int_equal(f->ike_calls, 1);
	assert_int_equal(f->ike_len, 6);
	assert_memory_equal(f->ike_msg, "ISAKMP", 6);
	assert_int_equal(f->ike_from.addr, PEER_ADDR);
	assert_int_equal(f->ike_from.port, 4500);
	assert_int_equal(f->ike_to.addr, DP_ADDR);
	assert_int_equal(f->ike_to.port, 4500);
	assert_int_equal(after.ike_rx, before.ike_rx + 1);
	assert_int_equal(after.keepalive_rx, before.keepalive_rx + 1);
	assert_int_equal(after.esp_rx, before.esp_rx);
}

/* Drops with named counters, none of them fatal; logging stays rate-limited. */
static void drops_are_counted(void **state)
{
	struct fx *f = *state;
	struct dp_stats before, after;
	dp_stats(f->dp, &before);
	struct sockaddr_in to = sin4(DP_ADDR, 4500);
	uint8_t junk[64];
	memset(junk, 0x5a, sizeof(junk)); /* SPI 0x5a5a5a5a: unknown */
	unsigned logs0 = f->logs;
	for (int i = 0; i < 50; i++)
		assert_int_equal(
		    sendto(f->peer_udp, junk, sizeof(junk), 0, (struct sockaddr *)&to, sizeof(to)),
		    (ssize_t)sizeof(junk));
	static const uint8_t shorty[3] = {1, 2, 3};
	assert_int_equal(sendto(f->peer_udp, shorty, 3, 0, (struct sockaddr *)&to, sizeof(to)), 3);
	/* An authentic packet whose inner source is outside child A's 10.99.0.0/16. */
	uint8_t inner[128];
	size_t ilen = build_udp(inner, RAW_HOST, TUN_ADDR, 7, 9, "spoofed source");
	peer_send(f, true, f->pa.to_dp, inner, ilen, NULL, NULL);
	/* A datagram marked as IKE but empty. */
	static const uint8_t marker_only[4] = {0};
	assert_int_equal(sendto(f->peer_udp, marker_only, 4, 0, (struct sockaddr *)&to, sizeof(to)),
	                 4);
	usleep(50000);
	int total = 0, n;
	while (wait_readable(f->udp, 100) && (n = dp_on_udp_readable(f->dp, f->udp)) > 0) {
		assert_true(n <= DP_BATCH);
		total += n;
	}
	assert_int_equal(total, 53);
	dp_stats(f->dp, &after);
	assert_int_equal(after.drop[DP_DROP_NO_SA], before.drop[DP_DROP_NO_SA] + 50);
	assert_int_equal(after.drop[DP_DROP_SHORT], before.drop[DP_DROP_SHORT] + 2);
	assert_int_equal(after.drop[DP_DROP_POLICY], before.drop[DP_DROP_POLICY] + 1);
	assert_int_equal(after.tun_tx, before.tun_tx);
	assert_true(f->logs - logs0 <= RATELIMIT_BURST);

	/* Outbound: a destination no SA covers. */
	uint16_t port;
	int app = app_socket(&port);
	struct sockaddr_in nowhere = sin4(IP4(10, 55, 0, 1), 9);
	assert_int_equal(sendto(app, "x", 1, 0, (struct sockaddr *)&nowhere, sizeof(nowhere)), 1);
	assert_true(pump_tun(f) >= 1);
	dp_stats(f->dp, &after);
	assert_true(after.drop[DP_DROP_NO_ROUTE] >= before.drop[DP_DROP_NO_ROUTE] + 1);
	assert_false(wait_readable(f->peer_udp, 100));
	close(app);
}

/* 100 packets from the app leave in batches of DP_BATCH and all arrive. */
static void batching(void **state)
{
	struct fx *f = *state;
	uint16_t port;
	int app = app_socket(&port);
	struct sockaddr_in to = sin4(UDP_HOST, 5000);
	for (int i = 0; i < 100; i++) {
		char m[16];
		int l = snprintf(m, sizeof(m), "pkt %03d", i);
		assert_int_equal(sendto(app, m, (size_t)l, 0, (struct sockaddr *)&to, sizeof(to)),
		                 l);
	}
	assert_true(wait_readable(f->tun, 1000));
	assert_int_equal(dp_on_tun_readable(f->dp), DP_BATCH);
	int total = DP_BATCH + pump_tun(f);
	assert_int_equal(total, 100);
	struct pkt *p = aligned_alloc(64, sizeof(*p));
	assert_non_null(p);
	for (int i = 0; i < 100; i++) {
		uint32_t spi;
		char m[16];
		int l = snprintf(m, sizeof(m), "pkt %03d", i);
		assert_true(peer_receive(f, true, f->pa.from_dp, p, &spi));
		assert_int_equal(p->len, 28 + (size_t)l);
		assert_memory_equal(p->data + 28, m, (size_t)l);
	}
	free(p);
	close(app);
}

/*
 * Rekey: a new child for the same selector takes over sending at once; the old inbound SA
 * keeps working until it is deleted.
 */
static void rekey_replaces_outbound(void **state)
{
	struct fx *f = *state;
	struct ike_child a2;
	struct peer_sa p2;
	make_child(&a2, 0x5000a001u, 0x6000a002u, true, IP4(10, 99, 0, 0), 0x33);
	make_peer(&p2, &a2);
	const char *why = NULL;
	assert_int_equal(dp_add_child(f->dp, &a2, &why), 0);
	assert_int_equal(dp_child_count(f->dp), 3);
	assert_int_equal(dp_add_child(f->dp, &a2, &why), -EEXIST);
	assert_non_null(why);

	uint16_t aport;
	int app = app_socket(&aport);
	struct sockaddr_in to = sin4(UDP_HOST, 7777);
	assert_int_equal(sendto(app, "new", 3, 0, (struct sockaddr *)&to, sizeof(to)), 3);
	assert_true(pump_tun(f) >= 1);
	struct pkt *p = aligned_alloc(64, sizeof(*p));
	assert_non_null(p);
	uint32_t spi = 0;
	assert_true(peer_receive(f, true, p2.from_dp, p, &spi));
	assert_int_equal(spi, 0x6000a002u);

	/* old inbound SA still accepted */
	uint8_t inner[128];
	size_t ilen = build_udp(inner, UDP_HOST, TUN_ADDR, 7, aport, "old sa");
	peer_send(f, true, f->pa.to_dp, inner, ilen, NULL, NULL);
	assert_true(wait_readable(f->udp, 1000));
	assert_int_equal(dp_on_udp_readable(f->dp, f->udp), 1);
	assert_true(wait_readable(app, 1000));
	char got[32];
	assert_int_equal(recv(app, got, sizeof(got), 0), 6);

	/* deleted: now unknown */
	assert_int_equal(dp_del_child(f->dp, SPI_A_IN), 0);
	assert_int_equal(dp_del_child(f->dp, SPI_A_IN), -ENOENT);
	struct dp_stats before, after;
	dp_stats(f->dp, &before);
	ilen = build_udp(inner, UDP_HOST, TUN_ADDR, 7, aport, "old sa");
	peer_send(f, true, f->pa.to_dp, inner, ilen, NULL, NULL);
	assert_true(wait_readable(f->udp, 1000));
	assert_int_equal(dp_on_udp_readable(f->dp, f->udp), 1);
	dp_stats(f->dp, &after);
	assert_int_equal(after.drop[DP_DROP_NO_SA], before.drop[DP_DROP_NO_SA] + 1);
	assert_false(wait_readable(app, 100));

	/* the new inbound SA works */
	ilen = build_udp(inner, UDP_HOST, TUN_ADDR, 7, aport, "new sa");
	peer_send(f, true, p2.to_dp, inner, ilen, NULL, NULL);
	assert_true(wait_readable(f->udp, 1000));
	assert_int_equal(dp_on_udp_readable(f->dp, f->udp), 1);
	assert_true(wait_readable(app, 1000));
	assert_int_equal(recv(app, got, sizeof(got), 0), 6);
	assert_memory_equal(got, "new sa", 6);

	free(p);
	close(app);
	esp_sa_free(p2.to_dp);
	esp_sa_free(p2.from_dp);
}

static void bad_children(void **state)
{
	struct fx *f = *state;
	struct ike_child c;
	const char *why;
	make_child(&c, 0x7001, 0x7002, true, IP4(10, 1, 0, 0), 1);
	c.remote_ts.mask = 0xff00ff00u;
	why = NULL;
	assert_int_equal(dp_add_child(f->dp, &c, &why), -EINVAL);
	assert_non_null(strstr(why, "contiguous"));
	make_child(&c, 0, 0x7002, true, IP4(10, 1, 0, 0), 1);
	assert_int_equal(dp_add_child(f->dp, &c, &why), -EINVAL);
	make_child(&c, 0x7001, 0x7002, true, IP4(10, 1, 0, 0), 1);
	c.enc_key_len = 24; /* AES-128 with a 192-bit key */
	why = NULL;
	assert_int_equal(dp_add_child(f->dp, &c, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(dp_child_stats(f->dp, 0x7001, &(struct dp_child_stats){0}), -ENOENT);
}

/* The limiter on its own, with a synthetic clock. */
static void ratelimit_burst(void **state)
{
	(void)state;
	struct ratelimit rl = {0};
	uint64_t missed;
	for (unsigned i = 0; i < RATELIMIT_BURST; i++)
		assert_true(ratelimit_allow(&rl, 1000, &missed));
	for (unsigned i = 0; i < 7; i++)
		assert_false(ratelimit_allow(&rl, 1000 + RATELIMIT_INTERVAL_MS - 1, &missed));
	assert_true(ratelimit_allow(&rl, 1000 + RATELIMIT_INTERVAL_MS, &missed));
	assert_int_equal(missed, 7);
	assert_true(ratelimit_allow(&rl, 1000 + RATELIMIT_INTERVAL_MS, &missed));
	assert_int_equal(missed, 0);
}

static void drop_names(void **state)
{
	(void)state;
	for (int d = 0; d < DP_DROP_COUNT; d++) {
		const char *n = dp_drop_name((enum dp_drop)d);
		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		for (int e = 0; e < d; e++)
			assert_string_not_equal(n, dp_drop_name((enum dp_drop)e));
	}
	assert_string_equal(dp_drop_name(DP_DROP_AUTH), "auth");
	assert_string_equal(dp_drop_name(DP_DROP_COUNT), "unknown");
}

/*
 * A child whose KB lifetime is used up is marked expired: it takes no more inbound packets
 * and carries no more outbound ones (tests/mutation/checks.txt: dp-lifetime-kb, dp-expired,
 * satab-route-expired).
 */
static void kb_lifetime(void **state)
{
	struct fx *f = *state;
	struct ike_child c;
	struct peer_sa ps;
	const uint32_t host = IP4(10, 55, 0, 2);
	make_child(&c, 0x5000c001u, 0x6000c002u, false, IP4(10, 55, 0, 0), 0x33);
	c.life_kb = 1;
	const char *why = NULL;
	if (dp_add_child(f->dp, &c, &why) != 0)
		fail_msg("dp_add_child C: %s", why);
	make_peer(&ps, &c);
	char payload[701];
	memset(payload, 'k', sizeof(payload) - 1);
	payload[sizeof(payload) - 1] = '\0';
	uint8_t inner[1024];
	size_t ilen = build_udp(inner, host, TUN_ADDR, 7, 9, payload);
	struct dp_stats before, after;
	struct dp_child_stats cs;
	dp_stats(f->dp, &before);
	f->vol_soft = f->vol_hard = 0;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(dp_child_stats(f->dp, c.spi_in, &cs), 0);
		assert_int_equal(cs.expired, i == 2); /* 2 x 729 bytes >= 1 KB */
		/* the owner heard the soft mark (50% here) after the first packet's batch, the
		 * hard one after the second, each once */
		assert_int_equal(f->vol_soft, i >= 1 ? 1 : 0);
		assert_int_equal(f->vol_hard, i >= 2 ? 1 : 0);
		peer_send(f, false, ps.to_dp, inner, ilen, NULL, NULL);
		assert_true(wait_readable(f->esp, 1000));
		assert_int_equal(dp_on_esp_readable(f->dp), 1);
	}
	dp_stats(f->dp, &after);
	assert_int_equal(f->vol_spi, c.spi_in);
	assert_int_equal(f->vol_soft, 1);
	assert_int_equal(f->vol_hard, 1);
	assert_int_equal(after.tun_tx, before.tun_tx + 2);
	assert_int_equal(after.drop[DP_DROP_EXPIRED], before.drop[DP_DROP_EXPIRED] + 1);
	/* nor does it carry anything out: no route to its network is left */
	uint16_t aport;
	int app = app_socket(&aport);
	struct sockaddr_in to = sin4(host, 7777);
	assert_int_equal(sendto(app, "late", 4, 0, (struct sockaddr *)&to, sizeof(to)), 4);
	pump_tun(f);
	dp_stats(f->dp, &after);
	assert_true(after.drop[DP_DROP_NO_ROUTE] >= before.drop[DP_DROP_NO_ROUTE] + 1);
	assert_int_equal(after.esp_tx, before.esp_tx);
	close(app);
	assert_int_equal(dp_del_child(f->dp, c.spi_in), 0);
	esp_sa_free(ps.to_dp);
	esp_sa_free(ps.from_dp);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest plain[] = {
	    cmocka_unit_test(ratelimit_burst),
	    cmocka_unit_test(drop_names),
	};
	const struct CMUnitTest root[] = {
	    cmocka_unit_test(udp_encap_both_ways),
	    cmocka_unit_test(raw_esp_both_ways),
	    cmocka_unit_test(marker_and_keepalive),
	    cmocka_unit_test(drops_are_counted),
	    cmocka_unit_test(batching),
	    cmocka_unit_test(rekey_replaces_outbound),
	    cmocka_unit_test(bad_children),
	    cmocka_unit_test(kb_lifetime),
	};
	if (!unit_part(argc, argv, "root"))
		return unit_result(cmocka_run_group_tests_name("datapath", plain, NULL, NULL));
	if (geteuid() != 0)
		return unit_skip(
		    "the datapath tests need root (a network namespace and a TUN device)");
	if (access("/dev/net/tun", R_OK | W_OK) != 0)
		return unit_skip("the datapath tests need /dev/net/tun");
	if (unshare(CLONE_NEWNET) != 0) {
		char why[160];
		snprintf(why, sizeof(why), "cannot make a network namespace (unshare: %s)",
		         strerror(errno));
		return unit_skip(why);
	}
	return unit_result(
	    cmocka_run_group_tests_name("datapath (root)", root, group_setup, group_teardown));
}
