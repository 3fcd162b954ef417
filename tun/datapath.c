/* SPDX-License-Identifier: GPL-2.0-or-later */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/bytes.h"
#include "tun/datapath.h"
#include "tun/dp_int.h"
#include "tun/ip.h"
#include "tun/pkt.h"
#include "lib/ratelimit.h"
#include "tun/satable.h"
#include "lib/ipv4.h"

static const char *const drop_names[DP_DROP_COUNT] = {
    [DP_DROP_SHORT] = "short",
    [DP_DROP_LENGTH] = "length",
    [DP_DROP_NO_SA] = "no_sa",
    [DP_DROP_REPLAY] = "replay",
    [DP_DROP_AUTH] = "auth",
    [DP_DROP_PADDING] = "padding",
    [DP_DROP_NEXT_HEADER] = "next_header",
    [DP_DROP_DUMMY] = "dummy",
    [DP_DROP_INNER] = "inner",
    [DP_DROP_POLICY] = "policy",
    [DP_DROP_NOT_IPV4] = "not_ipv4",
    [DP_DROP_NO_ROUTE] = "no_route",
    [DP_DROP_TOO_BIG] = "too_big",
    [DP_DROP_SEQ_EXHAUSTED] = "seq_exhausted",
    [DP_DROP_EXPIRED] = "expired",
    [DP_DROP_CRYPTO] = "crypto",
    [DP_DROP_NO_BUFFER] = "no_buffer",
    [DP_DROP_SEND] = "send",
    [DP_DROP_TUN_WRITE] = "tun_write",
    [DP_DROP_BAD_OUTER] = "bad_outer",
};

const char *dp_drop_name(enum dp_drop d)
{
	if ((unsigned)d >= DP_DROP_COUNT)
		return "unknown";
	return drop_names[d];
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Counts a drop and logs it, rate-limited because peers decide how often this runs. */
static void drop(struct dp *dp, enum dp_drop why, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void drop(struct dp *dp, enum dp_drop why, const char *fmt, ...)
{
	uint64_t missed;
	char msg[256];
	va_list ap;

	dp->st.drop[why]++;
	if (!dp->cfg.log || !ratelimit_allow(&dp->rl, now_ms(), &missed))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (missed)
		dp_log(dp, IKE_LOG_DEBUG, "%s [drop:%s] (%llu earlier drop messages suppressed)",
		       msg, dp_drop_name(why), (unsigned long long)missed);
	else
		dp_log(dp, IKE_LOG_DEBUG, "%s [drop:%s]", msg, dp_drop_name(why));
}

static enum dp_drop drop_of(enum esp_result r)
{
	switch (r) {
	case ESP_E_SHORT:
		return DP_DROP_SHORT;
	case ESP_E_LEN:
		return DP_DROP_LENGTH;
	case ESP_E_SPI:
		return DP_DROP_NO_SA;
	case ESP_E_REPLAY:
		return DP_DROP_REPLAY;
	case ESP_E_AUTH:
		return DP_DROP_AUTH;
	case ESP_E_PAD:
		return DP_DROP_PADDING;
	case ESP_E_NEXT_HDR:
		return DP_DROP_NEXT_HEADER;
	case ESP_E_DUMMY:
		return DP_DROP_DUMMY;
	case ESP_E_SEQ_EXHAUSTED:
		return DP_DROP_SEQ_EXHAUSTED;
	case ESP_E_NOROOM:
		return DP_DROP_TOO_BIG;
	default:
		return DP_DROP_CRYPTO;
	}
}

static const char *esp_why(enum esp_result r)
{
	switch (r) {
	case ESP_E_SHORT:
		return "too short for this SA's header, IV and ICV";
	case ESP_E_LEN:
		return "ciphertext is not a whole number of cipher blocks";
	case ESP_E_REPLAY:
		return "sequence number replayed or older than the window";
	case ESP_E_AUTH:
		return "integrity check failed (wrong keys or a forged/corrupted packet)";
	case ESP_E_PAD:
		return "bad padding after decryption";
	case ESP_E_NEXT_HDR:
		return "next header is neither IPv4 nor IPv6";
	case ESP_E_DUMMY:
		return "dummy packet (next header 59)";
	case ESP_E_SEQ_EXHAUSTED:
		return "sequence numbers exhausted; the SA needs a rekey";
	case ESP_E_NOROOM:
		return "packet too large for the buffer";
	default:
		return "crypto library failure";
	}
}

struct dp *dp_new(const struct dp_config *cfg)
{
	struct dp *dp;

	if (cfg->tun_fd < 0)
		return NULL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return NULL;
	dp->cfg = *cfg;
	/* One batch in flight per direction; the handlers never hold buffers across calls. */
	dp->pool = pkt_pool_new(2 * DP_BATCH);
	dp->tab = satab_new();
	if (!dp->pool || !dp->tab) {
		dp_free(dp);
		return NULL;
	}
	return dp;
}

void dp_free(struct dp *dp)
{
	if (!dp)
		return;
	if (dp->tab) {
		struct sa_entry *e;
		while ((e = satab_any(dp->tab)) != NULL)
			dp_entry_free(satab_remove(dp->tab, e->spi_in));
	}
	satab_free(dp->tab);
	pkt_pool_free(dp->pool);
	free(dp);
}

void dp_stats(const struct dp *dp, struct dp_stats *out)
{
	*out = dp->st;
}

/* Per packet only this: remember the SA if its volume is limited (once per batch). */
static void touch(struct dp *dp, struct sa_entry *e)
{
	if (!e->life_kb || e->touched == dp->batch_no || dp->n_touched == 2 * DP_BATCH)
		return;
	e->touched = dp->batch_no;
	dp->touched[dp->n_touched++] = e;
}

/*
 * After a batch: the volume marks of the SAs it used. The soft mark asks the owner to rekey;
 * the hard mark retires the SA (a batch may overshoot it by at most DP_BATCH packets). The
 * owner hears of both only after the loop, since it may remove SAs in its callback.
 */
static void check_lifetimes(struct dp *dp)
{
	struct {
		uint32_t spi;
		bool hard;
	} ev[2 * DP_BATCH];
	size_t n_ev = 0;
	for (size_t i = 0; i < dp->n_touched; i++) {
		struct sa_entry *e = dp->touched[i];
		struct esp_sa_stats in, out;
		if (e->expired)
			continue;
		esp_sa_stats(e->in, &in);
		esp_sa_stats(e->out, &out);
		uint64_t used = in.bytes > out.bytes ? in.bytes : out.bytes;
		if (used >= e->hard_bytes) {
			e->expired = true;
			dp_log(
			    dp, IKE_LOG_WARN,
			    "ESP SA in 0x%08x used up its lifetime of %u KB and is no longer used",
			    e->spi_in, e->life_kb);
			ev[n_ev++].spi = e->spi_in, ev[n_ev - 1].hard = true;
		} else if (used >= e->soft_bytes && !e->soft_reported) {
			e->soft_reported = true;
			ev[n_ev++].spi = e->spi_in, ev[n_ev - 1].hard = false;
		}
	}
	dp->n_touched = 0;
	dp->batch_no++;
	for (size_t i = 0; i < n_ev && dp->cfg.volume; i++)
		dp->cfg.volume(dp->cfg.ctx, ev[i].spi, ev[i].hard);
}

/* ---- TUN -> ESP ---- */

static void batch_reset(struct batch *b)
{
	b->n = 0;
}

static void queue_tx(struct batch *b, struct pkt *p, const struct ike_endpoint *to)
{
	size_t i = b->n++;
	b->p[i] = p;
	b->addr[i] = (struct sockaddr_in){
	    .sin_family = AF_INET,
	    .sin_port = htons(to->port),
	    .sin_addr.s_addr = htonl(to->addr),
	};
	b->iov[i] = (struct iovec){p->data, p->len};
	b->msg[i].msg_hdr = (struct msghdr){
	    .msg_name = &b->addr[i],
	    .msg_namelen = sizeof(b->addr[i]),
	    .msg_iov = &b->iov[i],
	    .msg_iovlen = 1,
	};
}

static void flush_tx(struct dp *dp, int fd, struct batch *b)
{
	size_t done = 0;
	char pa[INET_ADDRSTRLEN];

	while (done < b->n) {
		int r = sendmmsg(fd, b->msg + done, (unsigned)(b->n - done), MSG_DONTWAIT);
		if (r > 0) {
			done += (size_t)r;
			dp->st.esp_tx += (uint64_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		int err = r < 0 ? errno : EIO;
		const struct sockaddr_in *to = &b->addr[done];
		if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS) {
			/* Socket buffer full: the rest of the batch shares the fate. */
			size_t left = b->n - done;
			dp->st.drop[DP_DROP_SEND] += left - 1;
			drop(dp, DP_DROP_SEND, "ESP send: %s; %zu packets dropped", strerror(err),
			     left);
			break;
		}
		/* One destination failing (unreachable, too big) must not stop the others. */
		drop(dp, DP_DROP_SEND, "ESP send to %s: %s",
		     ipv4_str(ntohl(to->sin_addr.s_addr), pa, sizeof(pa)), strerror(err));
		done++;
	}
	for (size_t i = 0; i < b->n; i++)
		pkt_release(dp->pool, b->p[i]);
	batch_reset(b);
}

/* Takes ownership of p: queues it for sending or releases it. */
static void tun_packet(struct dp *dp, struct pkt *p)
{
	struct ip_info ip;
	char da[INET_ADDRSTRLEN];

	if (!ip_parse(p->data, p->len, &ip) || ip.version != 4) {
		/* IPv6 from the host's stack lands here too (router solicitations, MLD). */
		drop(dp, DP_DROP_NOT_IPV4, "TUN packet is not a well-formed IPv4 packet");
		goto release;
	}
	struct sa_entry *e = satab_route(dp->tab, ip.src, ip.dst);
	if (!e) {
		drop(dp, DP_DROP_NO_ROUTE, "TUN packet to %s: no ESP SA covers it",
		     ipv4_str(ip.dst, da, sizeof(da)));
		goto release;
	}
	enum esp_result r = esp_encap(e->out, p, ESP_NH_IPV4);
	if (r != ESP_OK) {
		drop(dp, drop_of(r), "ESP SA out 0x%08x: %s", esp_sa_spi(e->out), esp_why(r));
		goto release;
	}
	touch(dp, e);
	if (e->udp_encap) {
		/* one batch per socket: another SA's socket sends what is queued first */
		if (dp->tx_udp.n && dp->tx_udp.fd != e->udp_fd)
			flush_tx(dp, dp->tx_udp.fd, &dp->tx_udp);
		dp->tx_udp.fd = e->udp_fd;
	}
	queue_tx(e->udp_encap ? &dp->tx_udp : &dp->tx_esp, p, &e->peer);
	return;
release:
	pkt_release(dp->pool, p);
}

int dp_on_tun_readable(struct dp *dp)
{
	int count = 0, ret = 0;

	for (int i = 0; i < DP_BATCH; i++) {
		struct pkt *p = pkt_alloc(dp->pool);
		if (!p) {
			drop(dp, DP_DROP_NO_BUFFER, "packet pool empty");
			break;
		}
		/* One byte more than the largest packet tells a too-big one from a fitting one. */
		ssize_t n = read(dp->cfg.tun_fd, p->data, PKT_MTU_MAX + 1);
		if (n <= 0) {
			int err = n < 0 ? errno : 0;
			pkt_release(dp->pool, p);
			if (err == EINTR) {
				i--;
				continue;
			}
			if (err && err != EAGAIN && err != EWOULDBLOCK)
				ret = -err;
			break;
		}
		count++;
		dp->st.tun_rx++;
		if ((size_t)n > PKT_MTU_MAX) {
			drop(dp, DP_DROP_TOO_BIG, "TUN packet longer than %u bytes; lower the MTU",
			     PKT_MTU_MAX);
			pkt_release(dp->pool, p);
			continue;
		}
		p->len = (size_t)n;
		tun_packet(dp, p);
	}
	if (dp->tx_udp.n)
		flush_tx(dp, dp->tx_udp.fd, &dp->tx_udp);
	if (dp->tx_esp.n)
		flush_tx(dp, dp->cfg.esp_fd, &dp->tx_esp);
	check_lifetimes(dp);
	return ret ? ret : count;
}

/* ---- ESP -> TUN ---- */

static void esp_packet(struct dp *dp, struct pkt *p, const struct sockaddr_in *from)
{
	struct rd r = rd_init(p->data, p->len);
	char fa[INET_ADDRSTRLEN], sa[INET_ADDRSTRLEN];
	uint32_t spi;
	uint8_t nh;
	struct ip_info ip;

	ipv4_str(ntohl(from->sin_addr.s_addr), fa, sizeof(fa));
	dp->st.esp_rx++;
	if (!rd_u32(&r, &spi) || p->len < ESP_HDR_LEN) {
		drop(dp, DP_DROP_SHORT, "ESP from %s: %zu bytes is shorter than the ESP header", fa,
		     p->len);
		return;
	}
	struct sa_entry *e = satab_by_spi(dp->tab, spi);
	if (!e) {
		drop(dp, DP_DROP_NO_SA, "ESP from %s: unknown SPI 0x%08x", fa, spi);
		return;
	}
	if (e->expired) {
		drop(dp, DP_DROP_EXPIRED, "ESP from %s: SA 0x%08x has expired", fa, spi);
		return;
	}
	enum esp_result res = esp_decap(e->in, p, &nh);
	if (res != ESP_OK) {
		drop(dp, drop_of(res), "ESP from %s SPI 0x%08x: %s", fa, spi, esp_why(res));
		return;
	}
	touch(dp, e);
	if (!ip_parse(p->data, p->len, &ip)) {
		drop(dp, DP_DROP_INNER, "ESP from %s SPI 0x%08x: payload is not a valid IP packet",
		     fa, spi);
		return;
	}
	if (ip.version != 4 || (ip.src & e->remote_ts.mask) != e->remote_ts.addr) {
		drop(dp, DP_DROP_POLICY,
		     "ESP from %s SPI 0x%08x: inner source %s is outside the SA's traffic "
		     "selector",
		     fa, spi, ip.version == 4 ? ipv4_str(ip.src, sa, sizeof(sa)) : "(IPv6)");
		return;
	}
	/* Anything after the IP packet is TFC padding (RFC 4303 2.7). */
	pkt_trim(p, ip.total_len);
	if (write(dp->cfg.tun_fd, p->data, p->len) != (ssize_t)p->len) {
		drop(dp, DP_DROP_TUN_WRITE, "TUN write: %s", strerror(errno));
		return;
	}
	dp->st.tun_tx++;
}

static void ike_packet(struct dp *dp, int fd, struct pkt *p, const struct msghdr *mh)
{
	const struct sockaddr_in *from = mh->msg_name;
	struct ike_endpoint f = {ntohl(from->sin_addr.s_addr), ntohs(from->sin_port)};
	struct ike_endpoint to = {0, 0};
	struct sockaddr_in local;
	socklen_t llen = sizeof(local);

	dp->st.ike_rx++;
	if (!dp->cfg.ike_input)
		return;
	if (getsockname(fd, (struct sockaddr *)&local, &llen) == 0 && local.sin_family == AF_INET) {
		to.addr = ntohl(local.sin_addr.s_addr);
		to.port = ntohs(local.sin_port);
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR((struct msghdr *)mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			to.addr = ntohl(pi.ipi_addr.s_addr);
		}
	}
	dp->cfg.ike_input(dp->cfg.ctx, fd, p->data, p->len, &f, &to);
}

/* RFC 3948 2.2: four zero bytes are the non-ESP marker, a lone 0xFF a NAT keepalive. */
static void udp_packet(struct dp *dp, int fd, struct pkt *p, const struct msghdr *mh)
{
	struct rd r = rd_init(p->data, p->len);
	uint32_t marker;
	uint8_t b;

	if (p->len == 1 && rd_u8(&r, &b) && b == NAT_KEEPALIVE) {
		dp->st.keepalive_rx++;
		return;
	}
	if (rd_u32(&r, &marker) && marker == 0) {
		if (p->len == 4) {
			drop(dp, DP_DROP_SHORT, "UDP 4500: non-ESP marker without an IKE message");
			return;
		}
		pkt_pull(p, 4);
		ike_packet(dp, fd, p, mh);
		return;
	}
	esp_packet(dp, p, mh->msg_name);
}

/* Strips the IPv4 header a raw socket delivers; false (and counted) if it is not sane. */
static bool strip_outer(struct dp *dp, struct pkt *p)
{
	struct ip_info ip;
	if (!ip_parse(p->data, p->len, &ip) || ip.version != 4 || ip.proto != IPPROTO_ESP_NUM) {
		drop(dp, DP_DROP_BAD_OUTER, "raw ESP socket: malformed outer IPv4 header");
		return false;
	}
	pkt_trim(p, ip.total_len);
	pkt_pull(p, ip.hdr_len);
	return true;
}

static int rx_batch(struct dp *dp, int fd, bool raw)
{
	struct batch *b = &dp->rx;
	size_t n = 0;
	int got;

	for (; n < DP_BATCH; n++) {
		struct pkt *p = pkt_alloc(dp->pool);
		if (!p)
			break;
		/* Received at the start of the buffer: decapsulation only ever shrinks. */
		pkt_reset(p, 0);
		b->p[n] = p;
		b->iov[n] = (struct iovec){p->buf, PKT_BUFSZ};
		b->msg[n].msg_hdr = (struct msghdr){
		    .msg_name = &b->addr[n],
		    .msg_namelen = sizeof(b->addr[n]),
		    .msg_iov = &b->iov[n],
		    .msg_iovlen = 1,
		    .msg_control = raw ? NULL : dp->cmsg[n].buf,
		    .msg_controllen = raw ? 0 : sizeof(dp->cmsg[n].buf),
		};
	}
	b->n = n;
	if (n == 0) {
		drop(dp, DP_DROP_NO_BUFFER, "packet pool empty");
		return 0;
	}
	do
		got = recvmmsg(fd, b->msg, (unsigned)n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	int ret = got < 0 && errno != EAGAIN && errno != EWOULDBLOCK ? -errno : 0;

	for (int i = 0; i < got; i++) {
		struct pkt *p = b->p[i];
		struct msghdr *mh = &b->msg[i].msg_hdr;
		p->len = b->msg[i].msg_len;
		if (mh->msg_flags & MSG_TRUNC) {
			drop(dp, DP_DROP_TOO_BIG, "datagram larger than %u bytes", PKT_BUFSZ);
			continue;
		}
		if (raw) {
			if (strip_outer(dp, p))
				esp_packet(dp, p, mh->msg_name);
		} else {
			udp_packet(dp, fd, p, mh);
		}
	}
	for (size_t i = 0; i < n; i++)
		pkt_release(dp->pool, b->p[i]);
	batch_reset(b);
	check_lifetimes(dp);
	return ret ? ret : (got > 0 ? got : 0);
}

int dp_on_udp_readable(struct dp *dp, int fd)
{
	return rx_batch(dp, fd, false);
}

int dp_on_esp_readable(struct dp *dp)
{
	if (dp->cfg.esp_fd < 0)
		return -EBADF;
	return rx_batch(dp, dp->cfg.esp_fd, true);
}

int dp_send_keepalive(int fd, const struct ike_endpoint *peer)
{
	const uint8_t ka = NAT_KEEPALIVE;
	struct sockaddr_in to = {
	    .sin_family = AF_INET,
	    .sin_port = htons(peer->port),
	    .sin_addr.s_addr = htonl(peer->addr),
	};
	if (sendto(fd, &ka, 1, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to)) != 1)
		return -errno;
	return 0;
}
