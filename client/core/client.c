/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client handle: one session at a time, the gateway and then its backups in order, one
 * epoll for all of them (so the caller's event loop watches one descriptor), the control
 * socket's commands and the status. See client.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "client/core/client.h"
#include "client/core/host.h"
#include "client/core/session.h"
#include "lib/control.h"
#include "lib/ipv4.h"

enum { TAG_STOP = EVC_TAG_CLIENT, TAG_KICK };

struct evc_client {
	struct evc_settings set;
	struct evc_client_ops ops;
	void *ctx;
	int ep;
	int kick;    /* an eventfd: "look at the session", after an answer or a stop */
	int stop_fd; /* evc_client_run's, while it runs */
	struct evc_session *sess;
	struct evc_hostd *hostd; /* --run-as: the root helper that keeps the host's files */
	size_t gw;               /* index into set.gateways */
	uint32_t gw_addr;
	enum ike_step step;
	bool started, stopping, ended;
	int rc;
	char err[1024];
};

const char *evc_state_name(enum evc_state st)
{
	static const char *const names[] = {
	    [EVC_STATE_IDLE] = "idle",
	    [EVC_STATE_CONNECTING] = "connecting",
	    [EVC_STATE_CONNECTED] = "connected",
	    [EVC_STATE_DISCONNECTING] = "disconnecting",
	    [EVC_STATE_DISCONNECTED] = "disconnected",
	    [EVC_STATE_FAILED] = "failed",
	};
	return (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
}

/* ---- what the session reports, passed on ---- */

static void h_log(void *ctx, enum ike_log_level lvl, const char *msg)
{
	struct evc_client *c = ctx;
	if (c->ops.log)
		c->ops.log(c->ctx, lvl, msg);
}

static void h_step(void *ctx, enum ike_step step, const char *msg)
{
	struct evc_client *c = ctx;
	c->step = step;
	if (c->ops.step)
		c->ops.step(c->ctx, step, msg);
}

static void h_banner(void *ctx, const char *text)
{
	struct evc_client *c = ctx;
	if (c->ops.banner)
		c->ops.banner(c->ctx, text);
	else
		evc_session_answer_banner(c->sess, true);
}

static void h_prompt(void *ctx, const struct evc_prompt *p)
{
	struct evc_client *c = ctx;
	if (c->ops.prompt)
		c->ops.prompt(c->ctx, p);
	else
		evc_session_answer(c->sess, NULL, NULL);
}

static void h_connected(void *ctx, const struct evc_policy *pol, const char *ifname)
{
	struct evc_client *c = ctx;
	if (c->ops.connected)
		c->ops.connected(c->ctx, pol, ifname);
}

/* The control socket: `evc status` and `evc disconnect` (tun/control.c keeps slow clients
 * off the loop). */
static size_t h_control(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct evc_client *c = ctx;
	int k;
	if (strcmp(cmd, "status") == 0) {
		struct evc_client_status st;
		evc_client_status(c, &st);
		return evc_client_status_text(&st, out, cap);
	}
	if (strcmp(cmd, "disconnect") == 0) {
		if (!c->stopping)
			h_log(c, IKE_LOG_INFO, "disconnect asked for on the control socket");
		evc_client_stop(c);
		k = snprintf(out, cap, "disconnecting\n");
	} else {
		k = snprintf(out, cap,
		             "unknown command '%s'; evc answers 'status' and 'disconnect'\n", cmd);
	}
	return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

/* ---- the gateways in turn ---- */

static int resolve(const char *host, uint32_t *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "cannot resolve the gateway %s: %s", host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	*addr = ntohl(((struct sockaddr_in *)(void *)res->ai_addr)->sin_addr.s_addr);
	freeaddrinfo(res);
	return 0;
}

/* A gateway that did not answer, has no route or no address: a backup may do better. */
static bool unreachable(int rc)
{
	return rc == -EHOSTUNREACH || rc == -ENETUNREACH;
}

static void end(struct evc_client *c, int rc, const char *err)
{
	c->ended = true;
	c->rc = rc;
	snprintf(c->err, sizeof(c->err), "%s", rc ? err : "");
}

/* Opens a session to the current gateway, or to the next ones while they are unreachable.
 * 0 when one runs; otherwise the client has ended. */
static int open_gateway(struct evc_client *c)
{
	const struct evc_session_hooks hooks = {
	    .ctx = c,
	    .log = h_log,
	    .step = h_step,
	    .banner = h_banner,
	    .prompt = h_prompt,
	    .connected = h_connected,
	    .control = h_control,
	};
	char e[1024];
	int rc;
	for (;;) {
		bool more = c->gw + 1 < c->set.n_gateways;
		c->gw_addr = 0;
		if (c->gw > 0 && c->ops.setup_again &&
		    (rc = c->ops.setup_again(c->ctx, e, sizeof(e))))
			break;
		rc = resolve(c->set.gateways[c->gw], &c->gw_addr, e, sizeof(e));
		if (!rc)
			rc = evc_session_new(&c->sess, &c->set, c->gw_addr, c->ep, c->hostd, &hooks,
			                     e, sizeof(e));
		if (!rc && c->ops.setup_done &&
		    (rc = c->ops.setup_done(c->ctx, more, e, sizeof(e)))) {
			evc_session_free(c->sess);
			c->sess = NULL;
		}
		if (!rc) {
			evc_session_start(c->sess);
			return 0;
		}
		if (!unreachable(rc) || !more || c->stopping)
			break;
		c->gw++;
		if (c->ops.failover)
			c->ops.failover(c->ctx, e, c->set.gateways[c->gw]);
	}
	end(c, rc, e);
	return rc;
}

/* After events: a session that ended is closed (the host restored); a gateway that did not
 * answer hands over to the next. */
static int settle(struct evc_client *c)
{
	int rc;
	const char *err;
	if (c->sess && evc_session_done(c->sess, &rc, &err)) {
		char e[1024];
		snprintf(e, sizeof(e), "%s", err);
		evc_session_free(c->sess);
		c->sess = NULL;
		if (unreachable(rc) && c->gw + 1 < c->set.n_gateways && !c->stopping) {
			c->gw++;
			if (c->ops.failover)
				c->ops.failover(c->ctx, e, c->set.gateways[c->gw]);
			open_gateway(c);
		} else {
			end(c, rc, e);
		}
	}
	return c->ended ? c->rc : -EINPROGRESS;
}

static void kick(struct evc_client *c)
{
	uint64_t one = 1;
	if (write(c->kick, &one, sizeof(one)) < 0) {
		/* the counter is non-zero already: a wake-up is pending anyway */
	}
}

/* ---- the public API ---- */

struct evc_client *evc_client_new(const struct evc_settings *set, const struct evc_client_ops *ops,
                                  void *ctx, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_KICK};
	struct evc_client *c;
	if (!set->n_gateways || set->n_gateways > EVC_MAX_GATEWAYS || !set->group[0] ||
	    !set->group_key.p) {
		snprintf(err, errlen, "no %s",
		         !set->n_gateways || set->n_gateways > EVC_MAX_GATEWAYS ? "gateway"
		         : !set->group[0]                                       ? "group name"
		                                                                : "group key");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c || evc_settings_copy(&c->set, set) != 0) {
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->ops = ops ? *ops : (struct evc_client_ops){0};
	c->ctx = ctx;
	c->stop_fd = -1;
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->ep < 0 || c->kick < 0 || epoll_ctl(c->ep, EPOLL_CTL_ADD, c->kick, &ev) != 0) {
		snprintf(err, errlen, "cannot create the event loop: %s", strerror(errno));
		evc_client_free(c);
		return NULL;
	}
	return c;
}

void evc_client_free(struct evc_client *c)
{
	if (!c)
		return;
	evc_session_free(c->sess);
	evc_hostd_stop(c->hostd); /* after the session: it restored the host through it */
	if (c->kick >= 0)
		close(c->kick);
	if (c->ep >= 0)
		close(c->ep);
	evc_settings_clear(&c->set);
	free(c);
}

int evc_client_start(struct evc_client *c)
{
	if (c->started)
		return -EALREADY;
	c->started = true;
	/* forked while still root, before anything is opened: see host.h */
	if (c->set.run_as_user[0]) {
		char e[1024];
		int rc = evc_hostd_start(&c->hostd, &c->set, e, sizeof(e));
		if (rc) {
			end(c, rc, e);
			return rc;
		}
	}
	if (open_gateway(c) != 0)
		return c->rc;
	kick(c); /* the first step looks at what start set off */
	return 0;
}

int evc_client_fd(const struct evc_client *c)
{
	return c->ep;
}

static int step_wait(struct evc_client *c, int timeout_ms)
{
	struct epoll_event evs[16];
	if (!c->started)
		return -EINVAL;
	if (c->ended)
		return c->rc;
	int n = epoll_wait(c->ep, evs, 16, timeout_ms);
	if (n < 0 && errno != EINTR) {
		int rc = -errno;
		char e[128];
		snprintf(e, sizeof(e), "event loop failed: %s", strerror(errno));
		evc_session_free(c->sess);
		c->sess = NULL;
		end(c, rc, e);
		return rc;
	}
	for (int i = 0; i < n; i++) {
		uint64_t v;
		switch (evs[i].data.u32) {
		case TAG_KICK:
			if (read(c->kick, &v, sizeof(v)) < 0) {
				/* EAGAIN: already read */
			}
			break;
		case TAG_STOP:
			/* level-triggered: without this a stop would be seen on every wait */
			epoll_ctl(c->ep, EPOLL_CTL_DEL, c->stop_fd, NULL);
			evc_client_stop(c);
			break;
		default:
			if (c->sess)
				evc_session_dispatch(c->sess, evs[i].data.u32);
			break;
		}
	}
	if (c->sess)
		evc_session_flush(c->sess);
	return settle(c);
}

int evc_client_step(struct evc_client *c)
{
	return step_wait(c, 0);
}

int evc_client_run(struct evc_client *c, int stop_fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_STOP};
	int rc;
	if (stop_fd >= 0 && epoll_ctl(c->ep, EPOLL_CTL_ADD, stop_fd, &ev) == 0)
		c->stop_fd = stop_fd;
	do
		rc = step_wait(c, -1);
	while (rc == -EINPROGRESS);
	if (c->stop_fd >= 0)
		epoll_ctl(c->ep, EPOLL_CTL_DEL, c->stop_fd, NULL);
	c->stop_fd = -1;
	return rc;
}

void evc_client_stop(struct evc_client *c)
{
	c->stopping = true;
	if (!c->started) {
		c->started = true;
		end(c, 0, "");
	}
	if (c->sess)
		evc_session_stop(c->sess);
	kick(c);
}

int evc_client_answer(struct evc_client *c, const char *user, const char *password)
{
	int rc = c->sess ? evc_session_answer(c->sess, user, password) : -EALREADY;
	kick(c);
	return rc;
}

int evc_client_answer_banner(struct evc_client *c, bool accept)
{
	int rc = c->sess ? evc_session_answer_banner(c->sess, accept) : -EALREADY;
	kick(c);
	return rc;
}

void evc_client_status(const struct evc_client *c, struct evc_client_status *st)
{
	*st = (struct evc_client_status){0};
	st->state = !c->started ? EVC_STATE_IDLE
	            : c->ended  ? (c->rc ? EVC_STATE_FAILED : EVC_STATE_DISCONNECTED)
	                        : EVC_STATE_CONNECTING;
	st->step = c->step;
	snprintf(st->gateway, sizeof(st->gateway), "%s", c->set.gateways[c->gw]);
	st->gateway_addr = c->gw_addr;
	st->gateway_index = c->gw;
	snprintf(st->group, sizeof(st->group), "%s", c->set.group);
	snprintf(st->user, sizeof(st->user), "%s", c->set.user);
	st->mode = EVC_MODE_CLIENT;
	st->error = c->rc;
	snprintf(st->last_error, sizeof(st->last_error), "%s", c->err);
	if (c->sess && !c->ended)
		evc_session_status(c->sess, st);
}

size_t evc_client_status_text(const struct evc_client_status *st, char *out, size_t cap)
{
	char gw[20], addr[20] = "-";
	size_t n = 0;
	if (!cap)
		return 0;
	out[0] = '\0';
	ipv4_str(st->gateway_addr, gw, sizeof(gw));
	if (st->addr)
		ipv4_str(st->addr, addr, sizeof(addr));
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < cap)                                                                       \
			n += (size_t)snprintf(out + n, cap - n, __VA_ARGS__);                      \
	} while (0)
	ADD("state: %s\n", evc_state_name(st->state));
	ADD("gateway: %s\n", st->gateway_addr ? gw : st->gateway);
	ADD("group: %s\n", st->group);
	ADD("user: %s\n", st->user);
	ADD("interface: %s\n", st->ifname);
	ADD("address: %s\n", addr);
	ADD("mode: %s\n", st->mode == EVC_MODE_CLIENT ? "client" : "network-extension");
	ADD("sas: %u\n", st->n_sas);
	if (st->n_sas) {
		ADD("esp: %s\n", st->udp_encap ? "udp-4500" : "ip-50");
		ADD("spi-in: %08x\nspi-out: %08x\n", st->spi_in, st->spi_out);
		ADD("packets-in: %llu\npackets-out: %llu\nbytes-in: %llu\nbytes-out: %llu\n",
		    (unsigned long long)st->packets_in, (unsigned long long)st->packets_out,
		    (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out);
		ADD("uptime: %llu s\n", (unsigned long long)st->uptime_s);
		for (size_t i = 0; i < st->n_sa_info && i < EVC_STATUS_MAX_SAS; i++) {
			const struct evc_sa_info *a = &st->sa[i];
			char left[40] = "no time limit", vol[64] = "no volume limit";
			if (a->remaining_s >= 0)
				snprintf(left, sizeof(left), "%lld of %u s left",
				         (long long)a->remaining_s, a->life_s);
			if (a->life_kb)
				snprintf(vol, sizeof(vol), "%llu of %u KB used",
				         (unsigned long long)a->kb_used, a->life_kb);
			ADD("sa: in %08x out %08x, %s, %s%s\n", a->spi_in, a->spi_out, left, vol,
			    a->replaced ? " (replaced by a rekey)" : "");
		}
	}
	if (st->last_error[0])
		ADD("last-error: %s\n", st->last_error);
#undef ADD
	return n < cap ? n : cap - 1;
}
