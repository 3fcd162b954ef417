/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evs, the bundled minimal EasyVPN server: `evs --config FILE` runs the daemon (one engine
 * per client in the responder role, one TUN device for all of them), `evs check` validates a
 * configuration, and `evs show crypto session summary|group` asks the running daemon over
 * its control socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "ike/driver.h"
#include "ike/isakmp.h"
#include "platform/apply.h"
#include "platform/netcfg.h"
#include "server/core/admit.h"
#include "server/core/children.h"
#include "server/core/show_cmd.h"
#include "server/core/config.h"
#include "server/core/state.h"
#include "server/core/xauth_judge.h"
#include "tun/control.h"
#include "tun/datapath.h"
#include "tun/sock.h"
#include "tun/timer.h"
#include "tun/tundev.h"

#define EVS_DEFAULT_CONFIG "/etc/evs/evs.conf"
#define EVS_DEFAULT_CONTROL "/run/evs/evs.sock"
#define EVS_MAX_LISTEN 8
#define EVS_MAX_CONNS 4096

enum ev_kind { EV_IKE, EV_NATT, EV_ESP, EV_TUN, EV_TIMER, EV_SIGNAL, EV_CONTROL };

struct listener {
	uint32_t addr;
	int sock_ike;
	int sock_natt;
};

struct evs;

struct conn {
	struct evs *e;
	struct ike_sa *sa;
	uint64_t id;    /* never 0 */
	bool half_open; /* counted by e->admit */
	size_t li;      /* listener */
	uint32_t session_id;
	uint32_t rri_addr;
	struct ike_endpoint natt_peer;
	bool natt;
	bool dead;
};

struct evs {
	const struct evs_config *cfg;
	struct evs_state *st;
	struct dp *dp;
	struct plat_nl *nl;
	struct plat_journal *journal;
	struct listener lst[EVS_MAX_LISTEN];
	size_t n_lst;
	int ep, sock_esp, tun, timer, sigfd, ctl;
	char ifname[TUN_NAME_MAX];
	char control_path[108];
	struct conn **conns;
	size_t n_conns, cap_conns;
	struct ike_p1_prop p1[64];
	size_t n_p1;
	struct ike_p2_prop p2[32];
	size_t n_p2;
	unsigned dpd_s, dpd_retry_s, xauth_s, natt_keepalive_s;
	uint64_t keepalive_at;
	bool rri_pools; /* routes for whole pools (no reverse-route configured) */
	int verbose;
	bool stopping;
	bool push; /* mode-config: initiate (SET) rather than respond */
	struct evs_admit *admit;
	struct evs_children *kids; /* every ESP SA installed, by IKE SA (conn id) */
	struct evs_xauth *xauth;
	uint64_t next_id;
};

static void logf_(struct evs *e, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_(struct evs *e, enum ike_log_level lvl, const char *fmt, ...)
{
	int show = IKE_LOG_INFO + e->verbose;
	if ((int)lvl > show)
		return;
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "evs: %s%s\n",
	        lvl == IKE_LOG_ERR    ? "error: "
	        : lvl == IKE_LOG_WARN ? "warning: "
	                              : "",
	        msg);
}

static void ipstr(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* ---- connections ---- */

/*
 * An established SA is found by both cookies wherever the datagram came from (the client's
 * NAT mapping may have changed; the engine checks the HASH before it follows); a first
 * message, which has no responder cookie yet, by the initiator cookie and the address.
 */
static struct conn *conn_find(struct evs *e, const uint8_t icky[8], const uint8_t rcky[8],
                              uint32_t peer)
{
	static const uint8_t zero[8];
	uint8_t ic[8], rc[8];
	bool have_rcky = memcmp(rcky, zero, 8) != 0;
	for (size_t i = 0; i < e->n_conns; i++) {
		struct conn *c = e->conns[i];
		if (c->dead)
			continue;
		ike_sa_cookies(c->sa, ic, rc);
		if (memcmp(ic, icky, 8) != 0)
			continue;
		if (have_rcky ? memcmp(rc, rcky, 8) == 0 : ike_sa_peer(c->sa).addr == peer)
			return c;
	}
	return NULL;
}

static struct conn *conn_new(struct evs *e, size_t li, const struct ike_endpoint *from)
{
	if (e->n_conns >= EVS_MAX_CONNS)
		return NULL;
	if (e->n_conns == e->cap_conns) {
		size_t cap = e->cap_conns ? e->cap_conns * 2 : 16;
		struct conn **n = realloc(e->conns, cap * sizeof(*n));
		if (!n)
			return NULL;
		e->conns = n;
		e->cap_conns = cap;
	}
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	struct ike_config ic = {0};
	const char *why = NULL;
	ic.role = IKE_ROLE_RESPONDER;
	ic.local = (struct ike_endpoint){e->lst[li].addr, IKE_PORT};
	ic.peer = *from;
	ic.srv_p1 = e->p1;
	ic.n_srv_p1 = e->n_p1;
	ic.srv_p2 = e->p2;
	ic.n_srv_p2 = e->n_p2;
	ic.ops = evs_server_ops(e->st);
	ic.srv_xauth = true;
	ic.srv_push = e->push;
	ic.xauth_timeout_s = e->xauth_s;
	ic.dpd_idle_s = e->dpd_s;
	ic.dpd_retry_s = e->dpd_retry_s;
	c->sa = ike_sa_new(&ic, mono_ms(), &why);
	if (!c->sa) {
		logf_(e, IKE_LOG_ERR, "cannot create an IKE SA: %s", why);
		free(c);
		return NULL;
	}
	c->e = e;
	c->li = li;
	c->id = ++e->next_id;
	c->half_open = evs_admit_opened(e->admit, c->id, from->addr) == 0;
	e->conns[e->n_conns++] = c;
	return c;
}

static void conn_free(struct evs *e, struct conn *c)
{
	char err[256];
	if (c->half_open)
		evs_admit_done(e->admit, c->id);
	uint32_t spi;
	while (evs_children_pop(e->kids, c->id, &spi))
		dp_del_child(e->dp, spi);
	evs_children_forget(e->kids, c->id);
	if (c->rri_addr && !e->rri_pools)
		plat_rri_del(e->journal, e->nl, e->ifname, c->rri_addr, 32, err, sizeof(err));
	if (c->session_id)
		evs_sessions_remove(evs_state_sessions(e->st), c->session_id);
	ike_sa_free(c->sa);
	free(c);
}

static void reap(struct evs *e)
{
	size_t k = 0;
	for (size_t i = 0; i < e->n_conns; i++) {
		if (e->conns[i]->dead)
			conn_free(e, e->conns[i]);
		else
			e->conns[k++] = e->conns[i];
	}
	e->n_conns = k;
}

/* ---- actions ---- */

static void act_send(void *ctx, const uint8_t *msg, size_t len, const struct ike_endpoint *to,
                     uint16_t from_port)
{
	struct conn *c = ctx;
	const struct listener *l = &c->e->lst[c->li];
	int rc = sock_send_ike(l->sock_ike, l->sock_natt, from_port, msg, len, to->addr, to->port);
	if (rc < 0)
		logf_(c->e, IKE_LOG_WARN, "cannot send to a client: %s", strerror(-rc));
}

static void act_log(void *ctx, enum ike_log_level level, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	ipstr(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	logf_(c->e, level == IKE_LOG_INFO ? IKE_LOG_DEBUG : level, "%s: %s", peer, text);
}

static void act_status(void *ctx, enum ike_step step, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	(void)step;
	ipstr(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	logf_(c->e, IKE_LOG_INFO, "%s: %s", peer, text);
}

static void act_verify(void *ctx, const char *group, const char *user, const char *password)
{
	struct conn *c = ctx;
	struct evs *e = c->e;
	uint8_t ic[8], rc[8];
	struct ike_endpoint p = ike_sa_peer(c->sa);
	ike_sa_cookies(c->sa, ic, rc);
	bool ok =
	    evs_xauth_judge(e->xauth, group, user, password, &p, ic, rc, mono_ms(), &c->session_id);
	ike_xauth_verdict(c->sa, mono_ms(), ok);
}

static void act_policy(void *ctx, const struct evc_policy *pol)
{
	struct conn *c = ctx;
	struct evs *e = c->e;
	if (evs_children_set_assigned(e->kids, c->id, pol->have & EVC_HAVE_ADDR ? pol->addr : 0) !=
	    0)
		c->dead = true; /* out of memory: no child could be allowed */
	if (c->session_id) {
		struct evs_session *s = evs_sessions_get(evs_state_sessions(e->st), c->session_id);
		if (s)
			s->assigned = pol->addr;
	}
}

static void act_child_up(void *ctx, const struct ike_child *ch)
{
	struct conn *c = ctx;
	struct evs *e = c->e;
	const char *why = NULL;
	char err[256], a[20];
	/* client mode (the group has a pool): only for the address mode-config gave this SA */
	int gi = evs_config_group_find(e->cfg, ike_sa_group(c->sa));
	bool need_addr = gi < 0 || evs_config_group_pool(e->cfg, (size_t)gi) >= 0;
	ipstr(ike_sa_peer(c->sa).addr, a, sizeof(a));
	if (evs_children_check(e->kids, c->id, &ch->remote_ts, need_addr, &why) != 0) {
		logf_(e, IKE_LOG_WARN,
		      "%s: user %s of group %s: refused to install an IPsec SA: %s", a,
		      ike_sa_user(c->sa), ike_sa_group(c->sa), why);
		return;
	}
	if (dp_add_child(e->dp, ch, &why) != 0) {
		logf_(e, IKE_LOG_ERR, "cannot install an IPsec SA: %s", why ? why : "?");
		return;
	}
	if (evs_children_add(e->kids, c->id, ch->spi_in, &ch->remote_ts) != 0) {
		logf_(e, IKE_LOG_ERR, "out of memory: IPsec SA not installed");
		dp_del_child(e->dp, ch->spi_in);
		return;
	}
	if (ch->udp_encap) {
		c->natt = true;
		c->natt_peer = ch->peer;
	}
	/* step 6: a route to the client's inside address through the tunnel (RRI) */
	uint32_t addr = ch->remote_ts.addr;
	ipstr(addr, a, sizeof(a));
	if (!e->rri_pools && ch->remote_ts.mask == 0xffffffffu && !c->rri_addr) {
		if (plat_rri_add(e->journal, e->nl, e->ifname, addr, 32, err, sizeof(err)) == 0) {
			c->rri_addr = addr;
			logf_(e, IKE_LOG_INFO, "[6/7] reverse route %s/32 via %s", a, e->ifname);
		} else {
			logf_(e, IKE_LOG_WARN, "reverse route for %s: %s", a, err);
		}
	}
	if (c->session_id) {
		struct evs_session *s = evs_sessions_get(evs_state_sessions(e->st), c->session_id);
		if (s)
			s->assigned = addr;
	}
}

static void act_child_down(void *ctx, const struct ike_child *ch)
{
	struct conn *c = ctx;
	dp_del_child(c->e->dp, ch->spi_in);
	evs_children_remove(c->e->kids, ch->spi_in);
}

static void act_peer_moved(void *ctx, const struct ike_endpoint *peer)
{
	struct conn *c = ctx;
	uint32_t spis[EVS_CHILDREN_MAX_PER_SA];
	size_t n = evs_children_spis(c->e->kids, c->id, spis, EVS_CHILDREN_MAX_PER_SA);
	for (size_t i = 0; i < n && i < EVS_CHILDREN_MAX_PER_SA; i++)
		dp_set_peer(c->e->dp, spis[i], peer);
	if (c->natt)
		c->natt_peer = *peer;
}

static void act_failed(void *ctx, enum ike_step step, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	(void)step;
	ipstr(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	logf_(c->e, IKE_LOG_WARN, "%s: %s", peer, text);
	c->dead = true;
}

static void act_closed(void *ctx, const char *text)
{
	struct conn *c = ctx;
	char peer[20];
	ipstr(ike_sa_peer(c->sa).addr, peer, sizeof(peer));
	logf_(c->e, IKE_LOG_INFO, "%s: %s", peer, text);
	c->dead = true;
}

/* XAUTH prompts and banners are for the initiator; evs ignores them. */
static const struct ike_driver_ops conn_ops = {
    .send = act_send,
    .log = act_log,
    .status = act_status,
    .xauth_verify = act_verify,
    .policy = act_policy,
    .child_up = act_child_up,
    .child_down = act_child_down,
    .peer_moved = act_peer_moved,
    .failed = act_failed,
    .closed = act_closed,
};

static void handle_actions(struct evs *e, struct conn *c)
{
	ike_drive(c->sa, &conn_ops, c);
	if (c->half_open && (c->dead || ike_sa_authenticated(c->sa))) {
		evs_admit_done(e->admit, c->id);
		c->half_open = false;
	}
}

/* Ends a half-open SA without a word, to make room for a new first message. */
static void evict(struct evs *e, uint64_t id)
{
	for (size_t i = 0; i < e->n_conns; i++) {
		struct conn *c = e->conns[i];
		if (c->id == id && !c->dead) {
			c->dead = true;
			evs_admit_done(e->admit, c->id);
			c->half_open = false;
			return;
		}
	}
	evs_admit_done(e->admit, id);
}

static void ike_packet(struct evs *e, size_t li, const uint8_t *msg, size_t len,
                       const struct ike_endpoint *from, uint16_t local_port)
{
	struct isakmp_hdr h;
	const char *why;
	if (!isakmp_hdr_parse(msg, len, &h, &why)) {
		char s[20];
		ipstr(from->addr, s, sizeof(s));
		logf_(e, IKE_LOG_DEBUG, "dropped malformed datagram from %s: %s", s, why);
		return;
	}
	struct conn *c = conn_find(e, h.icky, h.rcky, from->addr);
	if (!c) {
		uint64_t victim;
		if (e->stopping ||
		    !evs_admit_first(e->admit, msg, len, from->addr, mono_ms(), &victim))
			return; /* not the start of a connection, or not now */
		if (victim)
			evict(e, victim);
		c = conn_new(e, li, from);
		if (!c)
			return;
	}
	struct ike_endpoint to = {e->lst[li].addr, local_port};
	ike_input(c->sa, mono_ms(), msg, len, from, &to);
	handle_actions(e, c);
}

static void dp_ike(void *ctx, int fd, const uint8_t *msg, size_t len,
                   const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct evs *e = ctx;
	(void)to;
	for (size_t i = 0; i < e->n_lst; i++)
		if (e->lst[i].sock_natt == fd)
			ike_packet(e, i, msg, len, from, IKE_NATT_PORT);
}

static void dp_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct evs *e = ctx;
	logf_(e, level, "%s", msg);
}

struct ike500 {
	struct evs *e;
	size_t li;
};

static void on_ike500(void *ctx, const uint8_t *msg, size_t len, uint32_t from_addr,
                      uint16_t from_port)
{
	struct ike500 *r = ctx;
	struct ike_endpoint f = {from_addr, from_port};
	ike_packet(r->e, r->li, msg, len, &f, IKE_PORT);
}

static void read_ike500(struct evs *e, size_t li)
{
	struct ike500 r = {e, li};
	sock_recv_ike(e->lst[li].sock_ike, 32, on_ike500, &r);
}

/* ---- control socket ---- */

static void control(struct evs *e)
{
	char cmd[256], out[65536];
	size_t len;
	int fd = ctl_accept(e->ctl, cmd, sizeof(cmd));
	if (fd < 0)
		return;
	if (strcmp(cmd, "show crypto session summary") == 0)
		len = evs_show_session_summary(evs_state_sessions(e->st), e->cfg, out, sizeof(out));
	else if (strcmp(cmd, "show crypto session group") == 0)
		len = evs_show_session_group(evs_state_sessions(e->st), e->cfg, out, sizeof(out));
	else
		len = (size_t)snprintf(out, sizeof(out),
		                       "%% Invalid input: '%s'; evs answers 'show crypto session "
		                       "summary' and 'show crypto session group'\n",
		                       cmd);
	if (len >= sizeof(out))
		len = sizeof(out) - 1;
	ctl_answer(fd, out, len);
}

static int control_listen(struct evs *e, char *err, size_t errlen)
{
	e->ctl = ctl_listen(e->control_path, err, errlen);
	return e->ctl < 0 ? e->ctl : 0;
}

/* ---- set-up and loop ---- */

static void report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	(void)ctx;
	(void)line;
	fprintf(stderr, "evs: %s%s\n", sev == EVS_CONFIG_ERROR ? "" : "warning: ", msg);
}

static int add_ev(struct evs *e, int fd, uint32_t kind, uint32_t idx)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)kind << 32 | idx};
	return epoll_ctl(e->ep, EPOLL_CTL_ADD, fd, &ev);
}

static int setup(struct evs *e, const char *ifname, const char *state_path, char *err,
                 size_t errlen)
{
	char perr[512] = "", state[256];
	struct evc_net listen_on[EVS_MAX_LISTEN];
	int rc;

	e->n_p1 = evs_config_p1(e->cfg, e->p1, 64);
	e->n_p2 = evs_config_p2(e->cfg, e->p2, 32);
	if (e->n_p1 > 64)
		e->n_p1 = 64;
	if (e->n_p2 > 32)
		e->n_p2 = 32;
	bool periodic;
	evs_config_keepalive(e->cfg, &e->dpd_s, &e->dpd_retry_s, &periodic);
	e->xauth_s = evs_config_xauth_timeout(e->cfg);
	e->natt_keepalive_s = evs_config_nat_keepalive(e->cfg);
	/* `initiate` alone: push the policy; with `respond` too, answer clients that ask (the
	 * chapter's advice for mixed clients) */
	e->push = evs_config_modecfg_initiate(e->cfg) && !evs_config_modecfg_respond(e->cfg);
	e->st = evs_state_new(e->cfg);
	e->admit = evs_admit_new(NULL, dp_log, e);
	e->kids = evs_children_new();
	e->xauth = e->st ? evs_xauth_new(e->st, evs_config_users_nocase(e->cfg), dp_log, e) : NULL;
	if (!e->st || !e->admit || !e->kids || !e->xauth) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e->tun = tun_open(ifname, e->ifname);
	if (e->tun < 0) {
		snprintf(err, errlen, "cannot create the TUN device: %s", strerror(-e->tun));
		return e->tun;
	}
	tun_disable_ipv6(e->ifname); /* before the link comes up and the kernel speaks IPv6 */
	if (state_path)
		snprintf(state, sizeof(state), "%s", state_path);
	else
		snprintf(state, sizeof(state), "/run/evs/%s.state", e->ifname);
	rc = plat_journal_recover(state, perr, sizeof(perr));
	if (!rc)
		rc = plat_nl_new(&e->nl, perr, sizeof(perr));
	if (!rc)
		rc = plat_journal_new(&e->journal, state, perr, sizeof(perr));
	int ifindex = 0;
	if (!rc)
		rc = plat_link_index(e->nl, e->ifname, &ifindex, perr, sizeof(perr));
	if (!rc)
		rc = plat_link_set(e->nl, ifindex, 1400, true, perr, sizeof(perr));
	if (!rc)
		rc = plat_ip_forward_enable(e->journal, NULL, perr, sizeof(perr));
	if (rc) {
		snprintf(err, errlen, "cannot configure the host: %s", perr);
		return rc;
	}
	/* without reverse-route the pools are routed into the tunnel as a whole */
	e->rri_pools = true;
	for (size_t i = 0; i < e->n_p2; i++)
		if (evs_config_rri(e->cfg, e->p2[i].esp, e->p2[i].key_bits, e->p2[i].auth) !=
		    EVS_RRI_NONE)
			e->rri_pools = false;
	if (e->rri_pools) {
		for (size_t i = 0; i < evs_config_n_pools(e->cfg); i++) {
			uint32_t first, last;
			evs_config_pool_range(e->cfg, i, &first, &last);
			for (uint32_t a = first; a <= last && a != 0; a++) {
				if (plat_rri_add(e->journal, e->nl, e->ifname, a, 32, perr,
				                 sizeof(perr)) != 0) {
					snprintf(err, errlen, "cannot route pool %s: %s",
					         evs_config_pool_name(e->cfg, i), perr);
					return -EIO;
				}
				if (a == 0xffffffffu)
					break;
			}
		}
	}

	e->sock_esp = sock_esp_raw(err, errlen);
	if (e->sock_esp < 0)
		return e->sock_esp;
	tun_set_txqueuelen(e->ifname, TUN_TXQUEUELEN);
	e->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	e->ep = epoll_create1(EPOLL_CLOEXEC);
	if (e->sock_esp < 0 || e->timer < 0 || e->ep < 0) {
		snprintf(err, errlen, "cannot create sockets: %s", strerror(errno));
		return -errno;
	}
	size_t n = evs_config_listen(e->cfg, listen_on, EVS_MAX_LISTEN);
	if (n > EVS_MAX_LISTEN)
		n = EVS_MAX_LISTEN;
	for (size_t i = 0; i < n; i++) {
		struct listener *l = &e->lst[e->n_lst];
		l->addr = listen_on[i].addr;
		l->sock_ike = sock_udp_bind(l->addr, IKE_PORT, err, errlen);
		if (l->sock_ike < 0)
			return l->sock_ike;
		l->sock_natt = sock_udp_bind(l->addr, IKE_NATT_PORT, err, errlen);
		if (l->sock_natt < 0) {
			close(l->sock_ike);
			return l->sock_natt;
		}
		if (add_ev(e, l->sock_ike, EV_IKE, (uint32_t)e->n_lst) ||
		    add_ev(e, l->sock_natt, EV_NATT, (uint32_t)e->n_lst))
			return -errno;
		e->n_lst++;
	}
	struct dp_config dc = {
	    .tun_fd = e->tun,
	    .udp_fd = e->lst[0].sock_natt,
	    .esp_fd = e->sock_esp,
	    .ike_input = dp_ike,
	    .log = dp_log,
	    .ctx = e,
	};
	e->dp = dp_new(&dc);
	if (!e->dp) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = control_listen(e, err, errlen);
	if (rc)
		return rc;
	if (add_ev(e, e->sock_esp, EV_ESP, 0) || add_ev(e, e->tun, EV_TUN, 0) ||
	    add_ev(e, e->timer, EV_TIMER, 0) || add_ev(e, e->sigfd, EV_SIGNAL, 0) ||
	    add_ev(e, e->ctl, EV_CONTROL, 0)) {
		snprintf(err, errlen, "cannot watch the sockets: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

static void arm_timer(struct evs *e)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < e->n_conns; i++) {
		uint64_t x = ike_next_timeout(e->conns[i]->sa);
		if (x < t)
			t = x;
	}
	if (e->natt_keepalive_s && e->keepalive_at < t)
		t = e->keepalive_at;
	timerfd_arm_ms(e->timer, t);
}

static void on_timer(struct evs *e)
{
	uint64_t exp, now = mono_ms();
	if (read(e->timer, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		return;
	for (size_t i = 0; i < e->n_conns; i++) {
		struct conn *c = e->conns[i];
		if (ike_next_timeout(c->sa) <= now) {
			ike_tick(c->sa, now);
			handle_actions(e, c);
		}
	}
	if (e->natt_keepalive_s && now >= e->keepalive_at) {
		for (size_t i = 0; i < e->n_conns; i++)
			if (e->conns[i]->natt)
				dp_send_keepalive(e->lst[e->conns[i]->li].sock_natt,
				                  &e->conns[i]->natt_peer);
		e->keepalive_at = now + (uint64_t)e->natt_keepalive_s * 1000;
	}
}

static void stop_all(struct evs *e)
{
	e->stopping = true;
	for (size_t i = 0; i < e->n_conns; i++) {
		ike_close(e->conns[i]->sa, mono_ms());
		handle_actions(e, e->conns[i]);
		e->conns[i]->dead = true;
	}
	reap(e);
}

static int run(struct evs *e)
{
	struct epoll_event evs[16];
	e->keepalive_at = mono_ms() + (uint64_t)e->natt_keepalive_s * 1000;
	logf_(e, IKE_LOG_INFO,
	      "listening on %zu address(es), TUN %s, %zu isakmp policies, %zu "
	      "transforms",
	      e->n_lst, e->ifname, e->n_p1, e->n_p2);
	while (!e->stopping) {
		arm_timer(e);
		int n = epoll_wait(e->ep, evs, 16, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			uint32_t kind = (uint32_t)(evs[i].data.u64 >> 32);
			uint32_t idx = (uint32_t)evs[i].data.u64;
			switch (kind) {
			case EV_IKE:
				read_ike500(e, idx);
				break;
			case EV_NATT:
				dp_on_udp_readable(e->dp, e->lst[idx].sock_natt);
				break;
			case EV_ESP:
				dp_on_esp_readable(e->dp);
				break;
			case EV_TUN:
				dp_on_tun_readable(e->dp);
				break;
			case EV_TIMER:
				on_timer(e);
				break;
			case EV_CONTROL:
				control(e);
				break;
			case EV_SIGNAL: {
				struct signalfd_siginfo si;
				if (read(e->sigfd, &si, sizeof(si)) == sizeof(si))
					logf_(e, IKE_LOG_INFO,
					      "signal %u: closing %zu connection(s)", si.ssi_signo,
					      e->n_conns);
				stop_all(e);
				break;
			}
			}
		}
		reap(e);
	}
	return 0;
}

static void teardown(struct evs *e)
{
	char err[512];
	stop_all(e);
	free(e->conns);
	if (e->journal) {
		if (plat_journal_undo(e->journal, err, sizeof(err)) != 0)
			logf_(e, IKE_LOG_ERR, "could not restore all routes: %s", err);
		plat_journal_free(e->journal);
	}
	plat_nl_free(e->nl);
	dp_free(e->dp);
	evs_admit_free(e->admit);
	evs_children_free(e->kids);
	evs_xauth_free(e->xauth);
	evs_state_free(e->st);
	for (size_t i = 0; i < e->n_lst; i++) {
		close(e->lst[i].sock_ike);
		close(e->lst[i].sock_natt);
	}
	int fds[] = {e->ep, e->sock_esp, e->tun, e->timer, e->ctl};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (e->ctl >= 0)
		unlink(e->control_path);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: evs [--config FILE] [--control SOCKET] [--ifname NAME] "
	           "[--state-file FILE] [-v]\n"
	           "       evs check [--config FILE]\n"
	           "       evs show crypto session summary|group [--control SOCKET]\n"
	           "defaults: --config " EVS_DEFAULT_CONFIG ", --control " EVS_DEFAULT_CONTROL
	           ", --ifname evs0\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"control", required_argument, NULL, 'C'},
	    {"ifname", required_argument, NULL, 'i'},
	    {"state-file", required_argument, NULL, 's'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	const char *config = EVS_DEFAULT_CONFIG, *ifname = "evs0", *state = NULL;
	struct evs e = {.ep = -1, .sock_esp = -1, .tun = -1, .timer = -1, .sigfd = -1, .ctl = -1};
	bool check = false;
	int opt;

	/* keys and passwords in memory: no core file, no ptrace or /proc/PID/mem by our user */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		fprintf(stderr, "evs: warning: cannot make the process non-dumpable: %s\n",
		        strerror(errno));
	snprintf(e.control_path, sizeof(e.control_path), "%s", EVS_DEFAULT_CONTROL);
	if (argc > 1 && strcmp(argv[1], "show") == 0)
		return evs_show_cmd(argc - 1, argv + 1, EVS_DEFAULT_CONTROL);
	if (argc > 1 && strcmp(argv[1], "check") == 0) {
		check = true;
		argv++;
		argc--;
	}
	while ((opt = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			if (strlen(optarg) >= sizeof(e.control_path)) {
				fprintf(stderr, "evs: --control: path too long\n");
				return 2;
			}
			snprintf(e.control_path, sizeof(e.control_path), "%s", optarg);
			break;
		case 'i':
			ifname = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'v':
			e.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	struct evs_config *cfg = evs_config_load(config, report, NULL);
	if (!cfg) {
		fprintf(stderr, "evs: %s is not a usable configuration (see above)\n", config);
		return 2;
	}
	struct stat cst;
	if (stat(config, &cst) == 0 && (cst.st_mode & (S_IRWXG | S_IRWXO)))
		fprintf(stderr,
		        "evs: warning: %s holds group keys and user passwords and is readable "
		        "by other users; chmod 600 it\n",
		        config);
	if (check) {
		printf("%s: configuration OK\n", config);
		evs_config_free(cfg);
		return 0;
	}
	e.cfg = cfg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	e.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	char err[1024] = "";
	int rc = e.sigfd < 0 ? -errno : setup(&e, ifname, state, err, sizeof(err));
	if (rc == 0)
		rc = run(&e);
	else
		fprintf(stderr, "evs: %s\n", err[0] ? err : strerror(-rc));
	teardown(&e);
	if (e.sigfd >= 0)
		close(e.sigfd);
	evs_config_free(cfg);
	return rc == 0 ? 0 : 1;
}
