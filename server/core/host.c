/* SPDX-License-Identifier: GPL-2.0-or-later */
/* evs in the real world: see host.h. */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "platform/apply.h"
#include "platform/netcfg.h"
#include "platform/netwatch.h"
#include "server/core/daemon.h"
#include "server/core/host.h"
#include "server/core/host_aaa.h"
#include "server/core/listen.h"
#include "server/core/reload.h"
#include "lib/control.h"
#include "lib/ipv4.h"
#include "tun/datapath.h"
#include "lib/sock.h"
#include "lib/timer.h"
#include "tun/tundev.h"

enum ev_kind {
	EV_IKE,
	EV_NATT,
	EV_ESP,
	EV_TUN,
	EV_TIMER,
	EV_SIGNAL,
	EV_CONTROL,
	EV_NETWATCH,
	EV_AAA,  /* RADIUS answers */
	EV_CUDP, /* Cisco IPsec over UDP: idx is listener * EVS_MAX_UDP_PORTS + port */
};

struct listener {
	uint32_t addr;
	int sock_ike;
	int sock_natt;
	int sock_udp[EVS_MAX_UDP_PORTS]; /* one per host.udp_ports */
};

struct host {
	const struct evs_host_opts *o;
	struct evs_daemon *d;
	struct host_aaa *aaa; /* RADIUS for XAUTH, off the loop */
	struct dp *dp;
	struct plat_nl *nl;
	struct plat_journal *journal;
	struct ctl_srv *ctl;
	struct evs_reload *rl;        /* SIGHUP */
	const struct evs_config *cfg; /* the one evs started with: where it listens */
	struct plat_netwatch *nw;     /* address events, when an interface has no `ip address` */
	bool follow_warned;           /* said that the listeners cannot follow the change */
	struct listener lst[EVS_MAX_LISTEN];
	size_t n_lst;
	uint16_t udp_ports[EVS_MAX_UDP_PORTS]; /* the groups' `ipsec-udp` ports */
	size_t n_udp;
	int ep, sock_esp, tun, timer;
	char ifname[TUN_NAME_MAX];
	int tun_index;
	bool stopping;
};

static void hlog(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct host *h = ctx;
	if ((int)lvl > IKE_LOG_INFO + h->o->verbose)
		return;
	fprintf(stderr, "evs: %s%s\n",
	        lvl == IKE_LOG_ERR    ? "error: "
	        : lvl == IKE_LOG_WARN ? "warning: "
	                              : "",
	        msg);
}

static void hlogf(struct host *h, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void hlogf(struct host *h, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	hlog(h, lvl, msg);
}

/* ---- what the daemon does to the world ---- */

static void io_send(void *ctx, size_t li, uint16_t from_port, const uint8_t *msg, size_t len,
                    const struct ike_endpoint *to)
{
	struct host *h = ctx;
	const struct listener *l = &h->lst[li];
	int rc = sock_send_ike(l->sock_ike, l->sock_natt, from_port, msg, len, to->addr, to->port);
	if (rc < 0)
		hlogf(h, IKE_LOG_WARN, "cannot send to a client: %s", strerror(-rc));
}

/* ESP in UDP answers from the listener and port the client negotiated with, not from the
 * first listener: a client (and its NAT) only take it from there. */
static int io_child_add(void *ctx, size_t li, const struct ike_child *ch, const char **why)
{
	struct host *h = ctx;
	int fd = ch->udp_encap ? h->lst[li].sock_natt : -1;
	if (ch->udp_encap && ch->local_port != IKE_NATT_PORT && ch->local_port != IKE_PORT) {
		/* IPsec over UDP: from the group's port on that address */
		fd = -1;
		for (size_t k = 0; k < h->n_udp; k++)
			if (h->udp_ports[k] == ch->local_port)
				fd = h->lst[li].sock_udp[k];
		if (fd < 0) {
			*why = "evs has no socket on the group's ipsec-udp port (a reload enabled "
			       "a new port: restart evs to open it)";
			return -ENOENT;
		}
	}
	return dp_add_child_fd(h->dp, ch, fd, why);
}

static void io_child_del(void *ctx, uint32_t spi_in)
{
	struct host *h = ctx;
	dp_del_child(h->dp, spi_in);
}

static void io_child_peer(void *ctx, uint32_t spi_in, const struct ike_endpoint *peer)
{
	struct host *h = ctx;
	dp_set_peer(h->dp, spi_in, peer);
}

static void io_keepalive(void *ctx, size_t li, const struct ike_endpoint *peer)
{
	struct host *h = ctx;
	dp_send_keepalive(h->lst[li].sock_natt, peer);
}

/*
 * A client's reverse route goes through evs's own TUN device, which the kernel takes away with
 * every route through it when evs ends, crashed or not: unlike the host changes of setup_host
 * it needs no journal entry. Journalling it cost a rewrite of the whole journal per client
 * connecting and leaving (measured: most of evs's time at 5,000 clients).
 */
static struct plat_route rri_route(const struct host *h, const struct evc_net *net)
{
	return (struct plat_route){.dst = net->addr & net->mask,
	                           .prefixlen = (uint8_t)__builtin_popcount(net->mask),
	                           .ifindex = h->tun_index,
	                           .protocol = PLAT_RTPROT_EVC};
}

static int io_route_add(void *ctx, const struct evc_net *net, char *err, size_t errlen)
{
	struct host *h = ctx;
	struct plat_route r = rri_route(h, net);
	return plat_route_add(h->nl, &r, err, errlen);
}

static void io_route_del(void *ctx, const struct evc_net *net)
{
	struct host *h = ctx;
	struct plat_route r = rri_route(h, net);
	char err[256];
	plat_route_del(h->nl, &r, err, sizeof(err));
}

static int io_child_stats(void *ctx, uint32_t spi_in, struct evs_child_counters *out)
{
	struct host *h = ctx;
	struct dp_child_stats cs;
	int rc = dp_child_stats(h->dp, spi_in, &cs);
	if (rc == 0)
		*out = (struct evs_child_counters){cs.in.packets, cs.in.bytes, cs.out.packets,
		                                   cs.out.bytes};
	return rc;
}

/* The datapath counted an SA's volume lifetime past a mark (after its batch). */
static void dp_volume(void *ctx, uint32_t spi_in, bool hard)
{
	struct host *h = ctx;
	evs_daemon_volume(h->d, spi_in, hard, mono_ms());
}

static const struct evs_daemon_io host_io = {
    .send = io_send,
    .log = hlog,
    .child_add = io_child_add,
    .child_del = io_child_del,
    .child_peer = io_child_peer,
    .keepalive = io_keepalive,
    .route_add = io_route_add,
    .route_del = io_route_del,
    .child_stats = io_child_stats,
};

/* ESP-in-UDP's port also carries IKE, behind the non-ESP marker: the datapath hands it here. */
static void dp_ike(void *ctx, int fd, const uint8_t *msg, size_t len,
                   const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct host *h = ctx;
	(void)to;
	for (size_t i = 0; i < h->n_lst; i++)
		if (h->lst[i].sock_natt == fd)
			evs_daemon_input(h->d, i, IKE_NATT_PORT, msg, len, from, mono_ms());
}

struct ike500 {
	struct host *h;
	size_t li;
};

static void on_ike500(void *ctx, const uint8_t *msg, size_t len, uint32_t from_addr,
                      uint16_t from_port)
{
	struct ike500 *r = ctx;
	struct ike_endpoint f = {from_addr, from_port};
	evs_daemon_input(r->h->d, r->li, IKE_PORT, msg, len, &f, mono_ms());
}

/* ---- set-up ---- */

static int add_ev(struct host *h, int fd, uint32_t kind, uint32_t idx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)kind << 32 | idx};
	return epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* The TUN device up, forwarding on, and without reverse-route the pools routed as a whole. */
static int setup_host(struct host *h, const struct evs_config *cfg, char *err, size_t errlen)
{
	char perr[512] = "", state[256];
	int rc, ifindex = 0;

	if (h->o->state_path)
		snprintf(state, sizeof(state), "%s", h->o->state_path);
	else
		snprintf(state, sizeof(state), "/run/evs/%s.state", h->ifname);
	rc = plat_journal_recover(state, perr, sizeof(perr));
	if (!rc)
		rc = plat_nl_new(&h->nl, perr, sizeof(perr));
	if (!rc)
		rc = plat_journal_new(&h->journal, state, perr, sizeof(perr));
	if (!rc)
		rc = plat_link_index(h->nl, h->ifname, &ifindex, perr, sizeof(perr));
	h->tun_index = ifindex;
	if (!rc)
		rc = plat_link_set(h->nl, ifindex, 1400, true, perr, sizeof(perr));
	if (!rc)
		rc = plat_ip_forward_enable(h->journal, NULL, perr, sizeof(perr));
	if (rc) {
		snprintf(err, errlen, "cannot configure the host: %s", perr);
		return rc;
	}
	if (!evs_daemon_rri_pools(h->d))
		return 0;
	for (size_t i = 0; i < evs_config_n_pools(cfg); i++) {
		uint32_t first, last;
		evs_config_pool_range(cfg, i, &first, &last);
		/* the fewest prefixes that cover the range exactly, not one /32 per address: a
		 * pool of 5,000 addresses is a dozen routes and journal entries, not 5,000 */
		for (uint64_t a = first; a <= last;) {
			unsigned plen = 32;
			while (plen > 0 && (a & ((1ull << (33 - plen)) - 1)) == 0 &&
			       a + (1ull << (33 - plen)) - 1 <= last)
				plen--;
			if (plat_rri_add(h->journal, h->nl, h->ifname, (uint32_t)a, plen, perr,
			                 sizeof(perr)) != 0) {
				snprintf(err, errlen, "cannot route pool %s: %s",
				         evs_config_pool_name(cfg, i), perr);
				return -EIO;
			}
			a += 1ull << (32 - plen);
		}
	}
	return 0;
}

static int setup_sockets(struct host *h, const struct evc_net *listen_on, size_t n, char *err,
                         size_t errlen)
{
	for (size_t i = 0; i < EVS_MAX_LISTEN; i++)
		for (size_t k = 0; k < EVS_MAX_UDP_PORTS; k++)
			h->lst[i].sock_udp[k] = -1;
	h->n_udp = evs_listen_udp_ports(h->cfg, h->udp_ports, EVS_MAX_UDP_PORTS);
	if (h->n_udp > EVS_MAX_UDP_PORTS) {
		snprintf(err, errlen,
		         "the groups' ipsec-udp commands name %zu different ports; evs opens at "
		         "most %d",
		         h->n_udp, EVS_MAX_UDP_PORTS);
		return -E2BIG;
	}
	h->sock_esp = sock_esp_raw(err, errlen);
	if (h->sock_esp < 0)
		return h->sock_esp;
	tun_set_txqueuelen(h->ifname, TUN_TXQUEUELEN);
	h->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	if (h->timer < 0 || h->ep < 0) {
		snprintf(err, errlen, "cannot create sockets: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < n; i++) {
		struct listener *l = &h->lst[h->n_lst];
		l->addr = listen_on[i].addr;
		l->sock_ike = sock_udp_bind(l->addr, IKE_PORT, err, errlen);
		if (l->sock_ike < 0)
			return l->sock_ike;
		l->sock_natt = sock_udp_bind(l->addr, IKE_NATT_PORT, err, errlen);
		if (l->sock_natt < 0) {
			close(l->sock_ike);
			return l->sock_natt;
		}
		h->n_lst++;
		for (size_t k = 0; k < h->n_udp; k++) {
			l->sock_udp[k] = sock_udp_bind(l->addr, h->udp_ports[k], err, errlen);
			if (l->sock_udp[k] < 0)
				return l->sock_udp[k];
			sock_tune_buffers(l->sock_udp[k], SOCK_ESP_BUFFER);
			if (add_ev(h, l->sock_udp[k], EV_CUDP,
			           (uint32_t)(i * EVS_MAX_UDP_PORTS + k)))
				return -errno;
		}
		/* thousands of clients answer a DPD round or send their DELETEs in bursts: the
		 * default 208 KiB holds about 280 datagrams and the rest would be lost */
		sock_tune_buffers(l->sock_ike, SOCK_ESP_BUFFER);
		if (add_ev(h, l->sock_ike, EV_IKE, (uint32_t)i) ||
		    add_ev(h, l->sock_natt, EV_NATT, (uint32_t)i))
			return -errno;
	}
	return 0;
}

static int setup(struct host *h, const struct evs_config *cfg, char *err, size_t errlen)
{
	struct evc_net listen_on[EVS_MAX_LISTEN];
	uint32_t addrs[EVS_MAX_LISTEN];
	size_t n;
	int rc = evs_listen_resolve(cfg, listen_on, EVS_MAX_LISTEN, &n, hlog, h, err, errlen);

	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		addrs[i] = listen_on[i].addr;
	h->tun = tun_open(h->o->ifname, h->ifname);
	if (h->tun < 0) {
		snprintf(err, errlen, "cannot create the TUN device: %s", strerror(-h->tun));
		return h->tun;
	}
	tun_disable_ipv6(h->ifname); /* before the link comes up and the kernel speaks IPv6 */
	struct evs_daemon_io io = host_io;
	io.ctx = h;
	struct evs_daemon_opts dopts = {
	    .cfg = cfg,
	    .listen = addrs,
	    .n_listen = n,
	    .ifname = h->ifname, /* the name the kernel gave */
	    .io = &io,
	    .cert = h->o->cert,
	    .trust = h->o->trust,
	};
	rc = evs_daemon_new(&h->d, &dopts, mono_ms(), err, errlen);
	if (!rc)
		rc = host_aaa_new(&h->aaa, h->d, err, errlen);
	if (!rc)
		rc = setup_host(h, cfg, err, errlen);
	if (!rc)
		rc = setup_sockets(h, listen_on, n, err, errlen);
	if (rc)
		return rc;
	struct dp_config dc = {
	    .tun_fd = h->tun,
	    .udp_fd = h->lst[0].sock_natt,
	    .esp_fd = h->sock_esp,
	    .ike_input = dp_ike,
	    .log = hlog,
	    .volume = dp_volume,
	    /* later than evc's 850: the client normally rekeys, evs only when it does not */
	    .soft_permille = 920,
	    .ctx = h,
	};
	h->dp = dp_new(&dc);
	if (!h->dp) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* non-blocking: a control client that never reads cannot hold up IKE */
	rc = ctl_srv_new(&h->ctl, h->o->control_path, evs_daemon_control, h->d, err, errlen);
	if (rc)
		return rc;
	evs_daemon_set_control(h->d, h->ctl);
	if (add_ev(h, h->sock_esp, EV_ESP, 0) || add_ev(h, h->tun, EV_TUN, 0) ||
	    add_ev(h, h->timer, EV_TIMER, 0) || add_ev(h, h->o->sigfd, EV_SIGNAL, 0) ||
	    add_ev(h, ctl_srv_fd(h->ctl), EV_CONTROL, 0) ||
	    add_ev(h, host_aaa_fd(h->aaa), EV_AAA, 0)) {
		snprintf(err, errlen, "cannot watch the sockets: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* ---- loop ---- */

static void on_timer(struct host *h)
{
	uint64_t exp;
	if (read(h->timer, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		return;
	evs_daemon_tick(h->d, mono_ms());
}

static void quiet(void *ctx, enum ike_log_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

/* The IPsec over UDP sockets of listener i follow it to addr, on the same descriptors. */
static void rebind_udp(struct host *h, size_t i, uint32_t addr)
{
	struct listener *l = &h->lst[i];
	char err[256];
	for (size_t k = 0; k < h->n_udp; k++) {
		int fd = sock_udp_bind(addr, h->udp_ports[k], err, sizeof(err));
		if (fd < 0 || dup2(fd, l->sock_udp[k]) < 0) {
			hlogf(h, IKE_LOG_WARN, "cannot move ipsec-udp port %u: %s", h->udp_ports[k],
			      fd < 0 ? err : strerror(errno));
			if (fd >= 0)
				close(fd);
			continue;
		}
		close(fd);
		fcntl(l->sock_udp[k], F_SETFD, FD_CLOEXEC);
		if (add_ev(h, l->sock_udp[k], EV_CUDP, (uint32_t)(i * EVS_MAX_UDP_PORTS + k)))
			hlogf(h, IKE_LOG_ERR, "cannot watch ipsec-udp port %u: %s", h->udp_ports[k],
			      strerror(errno));
	}
}

/* Listener i moves to addr: new sockets on the same descriptor numbers, which the datapath
 * (the ESP SAs negotiated through it send from them) and the epoll set then refer to. */
static void rebind(struct host *h, size_t i, uint32_t addr)
{
	struct listener *l = &h->lst[i];
	char err[256], was[20], now[20];
	int ike = sock_udp_bind(addr, IKE_PORT, err, sizeof(err));
	int natt = ike < 0 ? -1 : sock_udp_bind(addr, IKE_NATT_PORT, err, sizeof(err));
	ipv4_str(l->addr, was, sizeof(was));
	ipv4_str(addr, now, sizeof(now));
	if (natt < 0 || dup2(ike, l->sock_ike) < 0 || dup2(natt, l->sock_natt) < 0) {
		if (natt >= 0)
			snprintf(err, sizeof(err), "%s", strerror(errno));
		hlogf(h, IKE_LOG_WARN, "cannot listen on %s, the interface's new address: %s", now,
		      err);
		if (ike >= 0)
			close(ike);
		if (natt >= 0)
			close(natt);
		return;
	}
	close(ike);
	close(natt);
	rebind_udp(h, i, addr);
	sock_tune_buffers(l->sock_ike, SOCK_ESP_BUFFER);
	fcntl(l->sock_ike, F_SETFD, FD_CLOEXEC); /* dup2 does not keep it */
	fcntl(l->sock_natt, F_SETFD, FD_CLOEXEC);
	if (add_ev(h, l->sock_ike, EV_IKE, (uint32_t)i) ||
	    add_ev(h, l->sock_natt, EV_NATT, (uint32_t)i))
		hlogf(h, IKE_LOG_ERR, "cannot watch the sockets on %s: %s", now, strerror(errno));
	l->addr = addr;
	evs_daemon_set_listen(h->d, i, addr);
	hlogf(h, IKE_LOG_INFO, "the interface's address changed: listening on %s (was %s)", now,
	      was);
}

/* An address event: the interfaces without `ip address` may have new addresses to follow. */
static void on_netwatch(struct host *h)
{
	struct evc_net now[EVS_MAX_LISTEN];
	size_t n;
	char err[512];
	if (!plat_netwatch_drain(h->nw))
		return;
	if (evs_listen_resolve(h->cfg, now, EVS_MAX_LISTEN, &n, quiet, h, err, sizeof(err)) != 0) {
		if (!h->follow_warned)
			hlogf(h, IKE_LOG_WARN, "%s; evs keeps its sockets and follows when it can",
			      err);
		h->follow_warned = true;
		return;
	}
	if (n != h->n_lst) {
		if (!h->follow_warned)
			hlogf(
			    h, IKE_LOG_WARN,
			    "the crypto map's interfaces have %zu address(es) now, evs listens on "
			    "%zu; restart evs to listen on all of them",
			    n, h->n_lst);
		h->follow_warned = true;
		return;
	}
	h->follow_warned = false;
	for (size_t i = 0; i < n; i++)
		if (now[i].addr != h->lst[i].addr)
			rebind(h, i, now[i].addr);
}

static void on_signal(struct host *h)
{
	struct signalfd_siginfo si;
	bool got = read(h->o->sigfd, &si, sizeof(si)) == sizeof(si);
	if (got && si.ssi_signo == SIGHUP && h->rl) {
		evs_reload_run(h->rl, h->d, mono_ms());
		return;
	}
	if (got)
		hlogf(h, IKE_LOG_INFO, "signal %u: closing %zu connection(s)", si.ssi_signo,
		      evs_daemon_count(h->d));
	evs_daemon_stop(h->d, mono_ms());
	h->stopping = true;
}

static void dispatch(struct host *h, uint32_t kind, uint32_t idx)
{
	switch (kind) {
	case EV_IKE: {
		struct ike500 r = {h, idx};
		sock_recv_ike(h->lst[idx].sock_ike, 32, on_ike500, &r);
		break;
	}
	case EV_NATT:
		dp_on_udp_readable(h->dp, h->lst[idx].sock_natt);
		break;
	case EV_ESP:
		dp_on_esp_readable(h->dp);
		break;
	case EV_TUN:
		dp_on_tun_readable(h->dp);
		break;
	case EV_TIMER:
		on_timer(h);
		break;
	case EV_CONTROL:
		ctl_srv_dispatch(h->ctl);
		break;
	case EV_SIGNAL:
		on_signal(h);
		break;
	case EV_NETWATCH:
		on_netwatch(h);
		break;
	case EV_AAA:
		host_aaa_dispatch(h->aaa);
		break;
	case EV_CUDP:
		/* ESP as on 4500; what comes with the non-ESP marker (vpnc's keepalive, 4 zero
		 * bytes and 0xFF) reaches dp_ike, which takes IKE only from port 4500 */
		dp_on_udp_readable(
		    h->dp, h->lst[idx / EVS_MAX_UDP_PORTS].sock_udp[idx % EVS_MAX_UDP_PORTS]);
		break;
	}
}

static int run(struct host *h)
{
	struct epoll_event evs[16];
	size_t n_p1, n_p2;
	evs_daemon_proposals(h->d, &n_p1, &n_p2);
	hlogf(h, IKE_LOG_INFO,
	      "listening on %zu address(es), TUN %s, %zu isakmp policies, %zu transforms", h->n_lst,
	      h->ifname, n_p1, n_p2);
	for (size_t k = 0; k < h->n_udp; k++)
		hlogf(h, IKE_LOG_INFO, "ipsec-udp: ESP in UDP on port %u", h->udp_ports[k]);
	while (!h->stopping) {
		timerfd_arm_ms(h->timer, evs_daemon_next_timeout(h->d));
		int n = epoll_wait(h->ep, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++)
			dispatch(h, (uint32_t)(evs[i].data.u64 >> 32), (uint32_t)evs[i].data.u64);
	}
	return 0;
}

static void teardown(struct host *h)
{
	char err[512];
	if (h->d)
		evs_daemon_stop(h->d, mono_ms());
	host_aaa_free(h->aaa); /* RADIUS questions still out finish on their own */
	evs_daemon_free(h->d); /* its SAs leave the datapath and the routing table */
	ctl_srv_free(h->ctl);
	if (h->journal) {
		if (plat_journal_undo(h->journal, err, sizeof(err)) != 0)
			hlogf(h, IKE_LOG_ERR, "could not restore all routes: %s", err);
		plat_journal_free(h->journal);
	}
	plat_netwatch_free(h->nw);
	plat_nl_free(h->nl);
	dp_free(h->dp);
	for (size_t i = 0; i < h->n_lst; i++) {
		close(h->lst[i].sock_ike);
		close(h->lst[i].sock_natt);
		for (size_t k = 0; k < h->n_udp; k++)
			if (h->lst[i].sock_udp[k] >= 0)
				close(h->lst[i].sock_udp[k]);
	}
	int fds[] = {h->ep, h->sock_esp, h->tun, h->timer};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

int evs_host_run(const struct evs_config *cfg, const struct evs_host_opts *o, char *err,
                 size_t errlen)
{
	struct host h = {.o = o, .ep = -1, .sock_esp = -1, .tun = -1, .timer = -1};
	/*
	 * A client's IKE SA is a 47 KiB block, mostly message buffers of which a session writes
	 * a few KiB. From the heap, calloc clears (and so makes resident) all of it whenever it
	 * reuses freed memory; mmap gives zero pages that stay unbacked until written.
	 * Measured at 1,000 clients: 82 KiB resident per session before, 65 KiB after.
	 */
	mallopt(M_MMAP_THRESHOLD, 32 * 1024);
	if (o->config_path && !(h.rl = evs_reload_new(o->config_path, cfg, hlog, &h))) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	h.cfg = cfg;
	int rc = setup(&h, cfg, err, errlen);
	/* an interface without `ip address`: follow its addresses (subscribed before the loop
	 * runs, so no change in between is missed) */
	if (rc == 0 && evs_listen_follows(cfg)) {
		rc = plat_netwatch_new(&h.nw, err, errlen);
		if (rc == 0 && add_ev(&h, plat_netwatch_fd(h.nw), EV_NETWATCH, 0) != 0)
			rc = -errno;
	}
	if (rc == 0)
		rc = run(&h);
	teardown(&h);
	evs_reload_free(h.rl); /* the configuration the daemon ran on last */
	return rc;
}
