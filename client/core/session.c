/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's event loop: epoll over the IKE sockets (500, 4500), the raw ESP socket, the
 * TUN device, a timerfd for the engine's timers and NAT keepalives, and the stop descriptor.
 * Engine actions are performed here; nothing below this file knows about the others.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "client/core/session.h"
#include "ike/secret.h"
#include "platform/apply.h"
#include "platform/netcfg.h"
#include "platform/trust.h"
#include "tun/control.h"
#include "tun/datapath.h"
#include "tun/sock.h"
#include "tun/timer.h"
#include "tun/tundev.h"

#define NATT_KEEPALIVE_MS 20000

enum ev_tag { EV_IKE, EV_NATT, EV_ESP, EV_TUN, EV_TIMER, EV_STOP, EV_CTL };

struct session {
	const struct evc_session_cfg *cfg;
	struct ike_sa *sa;
	struct dp *dp;
	struct plat_nl *nl;
	struct plat_journal *journal;
	int ep, sock_ike, sock_natt, sock_esp, tun, timer;
	struct ctl_srv *ctl;
	char control_path[108];
	struct ike_child child; /* the current ESP SA pair, keys wiped */
	bool have_child;
	uint64_t up_since;
	char ifname[TUN_NAME_MAX];
	uint32_t local_ip;
	struct evc_policy policy;
	bool have_policy;
	bool applied;
	bool connected;
	bool done;
	bool stopping;
	int rc;
	char *err;
	size_t errlen;
	struct ike_endpoint natt_peer;
	uint64_t keepalive_at;
	uint64_t tun_tx_seen;
	unsigned reprompts;
};

static void slog(struct session *s, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void slog(struct session *s, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->cfg->cbs.log)
		s->cfg->cbs.log(s->cfg->cbs.ctx, lvl, msg);
}

static void fail(struct session *s, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct session *s, int rc, const char *fmt, ...)
{
	if (s->rc == 0) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
		s->rc = rc;
	}
	s->done = true;
}

/* The address the kernel would use towards the gateway. */
static int local_address(const struct ike_endpoint *gw, uint32_t *ip, char *err, size_t errlen)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(gw->port)};
	socklen_t len = sizeof(a);
	a.sin_addr.s_addr = htonl(gw->addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		int e = errno;
		snprintf(err, errlen,
		         "step 1 (initiating): no route to the gateway %u.%u.%u.%u: %s; check the "
		         "address and this host's network",
		         gw->addr >> 24, (gw->addr >> 16) & 255, (gw->addr >> 8) & 255,
		         gw->addr & 255, strerror(e));
		if (fd >= 0)
			close(fd);
		return -e;
	}
	close(fd);
	*ip = ntohl(a.sin_addr.s_addr);
	return 0;
}

static void send_ike(struct session *s, const struct ike_action *a)
{
	uint8_t buf[4 + 16384];
	size_t off = 0;
	int fd = s->sock_ike;
	if (a->u.send.from_port == IKE_NATT_PORT) {
		/* RFC 3948 2.2: non-ESP marker */
		memset(buf, 0, 4);
		off = 4;
		fd = s->sock_natt;
	}
	if (a->u.send.len > sizeof(buf) - off)
		return;
	memcpy(buf + off, a->u.send.data, a->u.send.len);
	struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(a->u.send.to.port)};
	to.sin_addr.s_addr = htonl(a->u.send.to.addr);
	if (sendto(fd, buf, off + a->u.send.len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		slog(s, IKE_LOG_WARN, "cannot send to the gateway: %s", strerror(errno));
}

static void note(void *arg, const char *msg)
{
	struct session *s = arg;
	slog(s, IKE_LOG_INFO, "%s", msg);
}

static void apply_policy(struct session *s)
{
	char e[512] = "";
	struct plat_client_opts o = {
	    .ifname = s->ifname,
	    .gateway = s->cfg->gateway.addr,
	    .mtu = s->cfg->mtu,
	    .dns = s->cfg->dns,
	    .resolv_conf = s->cfg->resolv_conf,
	    .note = note,
	    .note_arg = s,
	};
	int rc = plat_apply_client_policy(s->journal, s->nl, &s->policy, &o, e, sizeof(e));
	if (rc != 0) {
		fail(s, rc, "step 5 (mode-config): cannot apply the group policy to this host: %s",
		     e);
		return;
	}
	s->applied = true;
}

static void child_up(struct session *s, const struct ike_child *c)
{
	const char *why = NULL;
	int rc = dp_add_child(s->dp, c, &why);
	if (rc != 0) {
		fail(s, rc, "step 7 (quick mode): cannot install the IPsec SA: %s",
		     why ? why : strerror(-rc));
		return;
	}
	if (c->udp_encap) {
		s->natt_peer = c->peer;
		s->keepalive_at = mono_ms() + NATT_KEEPALIVE_MS;
	}
	if (!s->applied && s->have_policy)
		apply_policy(s);
	if (s->done)
		return;
	if (!s->connected && s->cfg->cbs.connected)
		s->cfg->cbs.connected(s->cfg->cbs.ctx, &s->policy, c, s->ifname);
	if (!s->connected)
		s->up_since = mono_ms();
	s->connected = true;
	s->child = *c;
	ike_wipe(s->child.enc_in, sizeof(s->child.enc_in));
	ike_wipe(s->child.auth_in, sizeof(s->child.auth_in));
	ike_wipe(s->child.enc_out, sizeof(s->child.enc_out));
	ike_wipe(s->child.auth_out, sizeof(s->child.auth_out));
	s->have_child = true;
}

static void answer_prompt(struct session *s, const struct ike_action *a, uint64_t now)
{
	const struct evc_session_cfg *cfg = s->cfg;
	if (!a->u.xauth.retry) {
		if (!cfg->user || !cfg->password || !cfg->password->p) {
			fail(s, -EINVAL,
			     "step 4 (XAUTH): the gateway asks for a username and "
			     "password, and none was given");
			ike_close(s->sa, now);
			return;
		}
		ike_xauth_answer(s->sa, now, cfg->user, (const char *)cfg->password->p);
		return;
	}
	char user[128];
	struct ike_secret pw = {NULL, 0};
	snprintf(user, sizeof(user), "%s", cfg->user ? cfg->user : "");
	if (!cfg->cbs.reprompt || s->reprompts >= 5 ||
	    cfg->cbs.reprompt(cfg->cbs.ctx, a->u.xauth.message, user, sizeof(user), &pw) != 0 ||
	    !pw.p) {
		ike_secret_clear(&pw);
		fail(s, -EACCES,
		     "step 4 (XAUTH): the gateway rejected the username or password of user %s; "
		     "check the password (and the user's group on the gateway)",
		     cfg->user ? cfg->user : "");
		ike_close(s->sa, now);
		return;
	}
	s->reprompts++;
	ike_xauth_answer(s->sa, now, user, (const char *)pw.p);
	ike_secret_clear(&pw);
}

static void handle_actions(struct session *s)
{
	struct ike_action a;
	uint64_t now = mono_ms();
	while (ike_next_action(s->sa, &a)) {
		switch (a.type) {
		case IKE_ACT_SEND:
			send_ike(s, &a);
			break;
		case IKE_ACT_LOG:
			slog(s, a.u.log.level, "%s", a.u.log.text);
			break;
		case IKE_ACT_STATUS:
			if (s->cfg->cbs.status)
				s->cfg->cbs.status(s->cfg->cbs.ctx, a.u.status.step,
				                   a.u.status.text);
			break;
		case IKE_ACT_XAUTH_PROMPT:
			answer_prompt(s, &a, now);
			break;
		case IKE_ACT_BANNER:
			if (s->cfg->cbs.banner)
				s->cfg->cbs.banner(s->cfg->cbs.ctx, a.u.text);
			break;
		case IKE_ACT_POLICY:
			s->policy = *a.u.policy;
			s->have_policy = true;
			break;
		case IKE_ACT_CHILD_UP:
			child_up(s, a.u.child);
			if (s->done && !s->stopping) {
				s->stopping = true;
				ike_close(s->sa, now);
			}
			break;
		case IKE_ACT_CHILD_DOWN:
			dp_del_child(s->dp, a.u.child->spi_in);
			break;
		case IKE_ACT_PEER_MOVED:
			if (s->have_child) {
				s->child.peer = a.u.peer;
				dp_set_peer(s->dp, s->child.spi_in, &a.u.peer);
			}
			if (s->keepalive_at)
				s->natt_peer = a.u.peer;
			break;
		case IKE_ACT_FAILED:
			/* nobody answered the first message: the caller may try a backup gateway */
			fail(s, a.u.fail.step == IKE_STEP_PROPOSALS ? -EHOSTUNREACH : -EPROTO, "%s",
			     a.u.fail.text);
			break;
		case IKE_ACT_CLOSED:
			if (!s->stopping)
				fail(s, -ECONNRESET, "%s", a.u.text);
			s->done = true;
			break;
		case IKE_ACT_XAUTH_VERIFY:
			break; /* responder only */
		}
	}
}

static void arm_timer(struct session *s)
{
	uint64_t t = ike_next_timeout(s->sa);
	if (s->keepalive_at && s->keepalive_at < t)
		t = s->keepalive_at;
	timerfd_arm_ms(s->timer, t);
}

static void dp_ike_input(void *ctx, int fd, const uint8_t *msg, size_t len,
                         const struct ike_endpoint *from, const struct ike_endpoint *to)
{
	struct session *s = ctx;
	(void)fd;
	struct ike_endpoint local = {s->local_ip, to->port ? to->port : IKE_NATT_PORT};
	ike_input(s->sa, mono_ms(), msg, len, from, &local);
}

static void dp_log(void *ctx, enum ike_log_level level, const char *msg)
{
	struct session *s = ctx;
	slog(s, level, "%s", msg);
}

static void read_ike500(struct session *s)
{
	uint8_t buf[65536];
	for (int i = 0; i < 32; i++) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n =
		    recvfrom(s->sock_ike, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		struct ike_endpoint f = {ntohl(from.sin_addr.s_addr), ntohs(from.sin_port)};
		struct ike_endpoint to = {s->local_ip,
		                          s->cfg->local_port ? s->cfg->local_port : IKE_PORT};
		ike_input(s->sa, mono_ms(), buf, (size_t)n, &f, &to);
	}
}

static int add_ev(struct session *s, int fd, enum ev_tag tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};
	return epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev);
}

static void note_traffic(struct session *s)
{
	struct dp_stats st;
	dp_stats(s->dp, &st);
	if (st.tun_tx != s->tun_tx_seen) {
		s->tun_tx_seen = st.tun_tx;
		ike_note_traffic(s->sa, mono_ms());
	}
}

static void ipstr(uint32_t a, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
}

/* `evc status`: one "key: value" per line, for people and for scripts. */
static size_t status_text(struct session *s, char *out, size_t cap)
{
	char gw[20], addr[20] = "-";
	size_t n = 0;
	ipstr(s->cfg->gateway.addr, gw, sizeof(gw));
	if (s->have_policy)
		ipstr(s->policy.addr, addr, sizeof(addr));
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < cap)                                                                       \
			n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);                      \
	} while (0)
	ADD("state: %s\n", s->connected  ? "connected"
	                   : s->stopping ? "disconnecting"
	                                 : "connecting");
	ADD("gateway: %s\n", gw);
	ADD("group: %s\n", s->cfg->group);
	ADD("user: %s\n", s->cfg->user ? s->cfg->user : "");
	ADD("interface: %s\n", s->ifname);
	ADD("address: %s\n", addr);
	if (s->have_child) {
		struct dp_child_stats cs;
		ADD("esp: %s\n", s->child.udp_encap ? "udp-4500" : "ip-50");
		ADD("spi-in: %08x\nspi-out: %08x\n", s->child.spi_in, s->child.spi_out);
		if (dp_child_stats(s->dp, s->child.spi_in, &cs) == 0)
			ADD("packets-in: %llu\npackets-out: %llu\nbytes-in: %llu\nbytes-out: "
			    "%llu\n",
			    (unsigned long long)cs.in.packets, (unsigned long long)cs.out.packets,
			    (unsigned long long)cs.in.bytes, (unsigned long long)cs.out.bytes);
		ADD("uptime: %llu s\n", (unsigned long long)((mono_ms() - s->up_since) / 1000));
	}
#undef ADD
	return n < cap ? n : cap - 1;
}

/* One command from the control socket (tun/control.c keeps slow clients off the loop). */
static size_t control(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct session *s = ctx;
	int k;

	if (strcmp(cmd, "status") == 0)
		return status_text(s, out, cap);
	if (strcmp(cmd, "disconnect") == 0) {
		if (!s->stopping) {
			s->stopping = true;
			slog(s, IKE_LOG_INFO, "disconnecting (asked on the control socket)");
			ike_close(s->sa, mono_ms());
		}
		k = snprintf(out, cap, "disconnecting\n");
	} else {
		k = snprintf(out, cap,
		             "unknown command '%s'; evc answers 'status' and 'disconnect'\n", cmd);
	}
	return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

static void loop(struct session *s)
{
	struct epoll_event evs[8];
	while (!s->done) {
		handle_actions(s);
		if (s->done)
			break;
		arm_timer(s);
		int n = epoll_wait(s->ep, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail(s, -errno, "event loop failed: %s", strerror(errno));
			break;
		}
		for (int i = 0; i < n && !s->done; i++) {
			switch (evs[i].data.u32) {
			case EV_IKE:
				read_ike500(s);
				break;
			case EV_NATT:
				dp_on_udp_readable(s->dp, s->sock_natt);
				note_traffic(s);
				break;
			case EV_ESP:
				dp_on_esp_readable(s->dp);
				note_traffic(s);
				break;
			case EV_TUN:
				dp_on_tun_readable(s->dp);
				break;
			case EV_TIMER: {
				uint64_t exp;
				if (read(s->timer, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
					break;
				uint64_t now = mono_ms();
				if (s->keepalive_at && now >= s->keepalive_at) {
					dp_send_keepalive(s->sock_natt, &s->natt_peer);
					s->keepalive_at = now + NATT_KEEPALIVE_MS;
				}
				ike_tick(s->sa, now);
				break;
			}
			case EV_CTL:
				ctl_srv_dispatch(s->ctl);
				break;
			case EV_STOP:
				if (!s->stopping) {
					s->stopping = true;
					slog(s, IKE_LOG_INFO, "disconnecting");
					ike_close(s->sa, mono_ms());
				}
				break;
			}
		}
	}
	handle_actions(s); /* the DELETEs of a close */
}

static int setup(struct session *s)
{
	const struct evc_session_cfg *cfg = s->cfg;
	char e[512] = "", state[256];
	int rc;

	rc = local_address(&cfg->gateway, &s->local_ip, s->err, s->errlen);
	if (rc)
		return rc;
	s->tun = tun_open(cfg->ifname ? cfg->ifname : "evc%d", s->ifname);
	if (s->tun < 0) {
		snprintf(s->err, s->errlen, "cannot create the TUN device: %s%s", strerror(-s->tun),
		         s->tun == -EPERM ? " (evc needs root or CAP_NET_ADMIN)" : "");
		return s->tun;
	}
	if (cfg->state_path)
		snprintf(state, sizeof(state), "%s", cfg->state_path);
	else if (plat_state_path_default(state, sizeof(state), s->ifname) != 0)
		return -ENAMETOOLONG;
	/* an earlier evc that died left its changes: take them back first */
	rc = plat_journal_recover(state, e, sizeof(e));
	if (rc) {
		snprintf(s->err, s->errlen, "cannot undo what an earlier evc left in %s: %s", state,
		         e);
		return rc;
	}
	/* refused now rather than after the handshake (resolv.c checks again when writing) */
	if (cfg->dns != PLAT_DNS_OFF) {
		rc = plat_path_trusted(cfg->resolv_conf ? cfg->resolv_conf
		                                        : PLAT_DEFAULT_RESOLV_CONF,
		                       "resolver file", true, s->err, s->errlen);
		if (rc)
			return rc;
	}
	rc = plat_nl_new(&s->nl, e, sizeof(e));
	if (!rc)
		rc = plat_journal_new(&s->journal, state, e, sizeof(e));
	if (rc) {
		snprintf(s->err, s->errlen, "cannot prepare the host configuration: %s", e);
		return rc;
	}
	s->sock_ike = sock_udp_bind(s->local_ip, cfg->local_port ? cfg->local_port : IKE_PORT,
	                            s->err, s->errlen);
	if (s->sock_ike < 0)
		return s->sock_ike;
	if (cfg->natt != IKE_NATT_DISABLE) {
		s->sock_natt = sock_udp_bind(s->local_ip, IKE_NATT_PORT, s->err, s->errlen);
		if (s->sock_natt < 0)
			return s->sock_natt;
	}
	s->sock_esp = sock_esp_raw(s->err, s->errlen);
	if (s->sock_esp < 0)
		return s->sock_esp;
	tun_set_txqueuelen(s->ifname, TUN_TXQUEUELEN);
	tun_disable_ipv6(s->ifname);
	s->timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->timer < 0 || s->ep < 0) {
		snprintf(s->err, s->errlen, "cannot create the event loop: %s", strerror(errno));
		return -errno;
	}
	struct dp_config dc = {
	    .tun_fd = s->tun,
	    .udp_fd = s->sock_natt,
	    .esp_fd = s->sock_esp,
	    .ike_input = dp_ike_input,
	    .log = dp_log,
	    .ctx = s,
	};
	s->dp = dp_new(&dc);
	if (!s->dp) {
		snprintf(s->err, s->errlen, "cannot create the datapath: out of memory");
		return -ENOMEM;
	}
	if (cfg->control_path)
		snprintf(s->control_path, sizeof(s->control_path), "%s", cfg->control_path);
	else
		snprintf(s->control_path, sizeof(s->control_path), "/run/evc/%s.sock", s->ifname);
	rc = ctl_srv_new(&s->ctl, s->control_path, control, s, s->err, s->errlen);
	if (rc)
		return rc;
	if (add_ev(s, ctl_srv_fd(s->ctl), EV_CTL) || add_ev(s, s->sock_ike, EV_IKE) ||
	    (s->sock_natt >= 0 && add_ev(s, s->sock_natt, EV_NATT)) ||
	    add_ev(s, s->sock_esp, EV_ESP) || add_ev(s, s->tun, EV_TUN) ||
	    add_ev(s, s->timer, EV_TIMER) ||
	    (cfg->stop_fd >= 0 && add_ev(s, cfg->stop_fd, EV_STOP))) {
		snprintf(s->err, s->errlen, "cannot watch the sockets: %s", strerror(errno));
		return -errno;
	}

	struct ike_config ic = {0};
	const char *why = NULL;
	ic.role = IKE_ROLE_INITIATOR;
	ic.local = (struct ike_endpoint){s->local_ip, cfg->local_port ? cfg->local_port : IKE_PORT};
	ic.peer = cfg->gateway;
	ic.group = cfg->group;
	ic.psk = cfg->group_key->p;
	ic.psk_len = cfg->group_key->len;
	ic.username = cfg->user;
	ic.dh_group = cfg->dh_group;
	ic.pfs_group = cfg->pfs_group;
	ic.p1 = cfg->p1;
	ic.n_p1 = cfg->n_p1;
	ic.p2 = cfg->p2;
	ic.n_p2 = cfg->n_p2;
	ic.natt = cfg->natt;
	ic.dpd_idle_s = cfg->dpd_idle_s;
	ic.retransmit_ms = cfg->retransmit_ms;
	s->sa = ike_sa_new(&ic, mono_ms(), &why);
	if (!s->sa) {
		snprintf(s->err, s->errlen, "cannot start: %s", why);
		return -EINVAL;
	}
	return 0;
}

static void teardown(struct session *s)
{
	char e[512] = "";
	if (s->journal) {
		if (plat_journal_undo(s->journal, e, sizeof(e)) != 0)
			slog(s, IKE_LOG_ERR,
			     "could not restore all network settings: %s (they are listed in the "
			     "state file and undone on the next start)",
			     e);
		plat_journal_free(s->journal);
	}
	plat_nl_free(s->nl);
	dp_free(s->dp);
	ike_sa_free(s->sa);
	ctl_srv_free(s->ctl);
	ike_wipe(&s->child, sizeof(s->child));
	int fds[] = {s->ep, s->sock_ike, s->sock_natt, s->sock_esp, s->tun, s->timer};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	ike_wipe(&s->policy, sizeof(s->policy));
}

int evc_session_run(const struct evc_session_cfg *cfg, char *err, size_t errlen)
{
	struct session s = {
	    .cfg = cfg,
	    .ep = -1,
	    .sock_ike = -1,
	    .sock_natt = -1,
	    .sock_esp = -1,
	    .tun = -1,
	    .timer = -1,
	    .err = err,
	    .errlen = errlen,
	};
	err[0] = '\0';
	if (!cfg->group || !cfg->group_key || !cfg->group_key->p) {
		snprintf(err, errlen, "no group name or group key");
		return -EINVAL;
	}
	int rc = setup(&s);
	if (rc == 0 && cfg->cbs.setup_done)
		rc = cfg->cbs.setup_done(cfg->cbs.ctx, err, errlen);
	if (rc == 0) {
		ike_start(s.sa, mono_ms());
		loop(&s);
		rc = s.rc;
	}
	teardown(&s);
	return rc;
}
