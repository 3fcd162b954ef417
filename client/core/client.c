/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client handle: one session at a time, the gateway and then its backups in order, one
 * epoll for all of them (so the caller's event loop watches one descriptor), reconnecting with
 * back-off when a tunnel goes down by itself or the host's path to the gateway changes, the
 * control socket's commands and the status. See client.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <net/if.h>
#include <time.h>
#include <unistd.h>

#include "client/core/client.h"
#include "client/core/host.h"
#include "client/core/session.h"
#include "lib/control.h"
#include "lib/crypto.h"
#include "lib/ctlproto.h"
#include "lib/ipv4.h"
#include "lib/timer.h"
#include "platform/netwatch.h"
#include "lib/i18n.h"

enum { TAG_STOP = EVC_TAG_CLIENT, TAG_KICK, TAG_RETRY, TAG_NETWATCH, TAG_CTL };

#define RETRY_FIRST_MS 1000
#define RETRY_MAX_MS 60000

struct evc_client {
	struct evc_settings set;
	struct evc_client_ops ops;
	void *ctx;
	int ep;
	int kick;    /* an eventfd: "look at the session", after an answer or a stop */
	int stop_fd; /* evc_client_run's, while it runs */
	struct evc_session *sess;
	struct evc_hostd *hostd; /* --run-as: the root helper that keeps the host's files */
	struct evc_shared io;    /* sockets and control socket, across sessions */
	bool privs_dropped;      /* setup_done was called */
	bool ctl_watched;
	size_t gw; /* index into set.gateways */
	uint32_t gw_addr;
	enum ike_step step;
	bool started, stopping, ended;
	/* reconnecting */
	int retry_timer;
	uint64_t retry_at; /* mono_ms of the next attempt while waiting */
	bool waiting;      /* between two attempts: no session */
	bool paused;       /* a daemon's tunnel taken down on the control socket */
	bool restarting;   /* the session is being torn down to set the tunnel up again */
	bool restart_now;  /* ... without back-off */
	bool up;           /* the current session's tunnel is up */
	bool was_up;       /* a tunnel was up once */
	unsigned attempt;  /* since the tunnel was last up */
	unsigned reconnects;
	char restart_why[512];
	struct plat_netwatch *watch;
	struct plat_path path; /* to the gateway, when the tunnel came up */
	int tun_ifindex;
	int rc;
	char err[1024];
};

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
	char e[256];
	c->up = true;
	if (c->was_up)
		c->reconnects++;
	c->was_up = true;
	c->attempt = 0;
	c->err[0] = '\0';
	c->rc = 0;
	/* the path the tunnel runs over now, its own device aside: an event that changes it
	 * (check_path) means this tunnel is on a path that is gone */
	c->tun_ifindex = (int)if_nametoindex(ifname);
	if (c->watch &&
	    plat_path_get(c->watch, c->gw_addr, c->tun_ifindex, &c->path, e, sizeof(e)) != 0) {
		h_log(c, IKE_LOG_WARN, e);
		plat_netwatch_free(c->watch);
		c->watch = NULL;
	}
	if (c->ops.connected)
		c->ops.connected(c->ctx, pol, ifname);
}

/* The control socket: `evc status [json]`, `evc disconnect`, `evc connect` (tun/control.c
 * keeps slow clients off the loop). */
static size_t h_control(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct evc_client *c = ctx;
	char word[64], lang[CTLP_LANG_MAX];
	int k;
	/* "disconnect lang=de" from a newer evc: these answers stay English (the daemon's follow
	 * the caller's language) */
	if (cmd[0] != '{' && ctlp_text_cmd(cmd, word, sizeof(word), lang, sizeof(lang)))
		cmd = word;
	if (cmd[0] == '{') { /* the control protocol (lib/ctlproto.h): `evc status --json` */
		struct evc_client_status st;
		evc_client_status(c, &st);
		return evc_client_status_reply(&st, cmd, out, cap);
	}
	if (strcmp(cmd, "status") == 0 || strcmp(cmd, "status json") == 0) {
		struct evc_client_status st;
		evc_client_status(c, &st);
		return cmd[6] ? evc_client_status_json(&st, out, cap)
		              : evc_client_status_text(&st, out, cap);
	}
	if (strcmp(cmd, "disconnect") == 0) {
		if (!c->stopping && !c->paused)
			h_log(c, IKE_LOG_INFO, "disconnect asked for on the control socket");
		if (c->set.daemon) {
			k = snprintf(out, cap, "%s\n",
			             evc_client_pause(c) == 0
			                 ? "disconnecting; `evc connect` sets the "
			                   "tunnel up again"
			                 : "already disconnected");
		} else {
			evc_client_stop(c);
			k = snprintf(out, cap, "disconnecting\n");
		}
	} else if (strcmp(cmd, "connect") == 0) {
		if (!c->set.daemon && !c->set.reconnect)
			k = snprintf(out, cap, "this evc does not reconnect (--no-reconnect)\n");
		else if (evc_client_reconnect_now(c) == 0)
			k = snprintf(out, cap, "connecting to %s\n", c->set.gateways[0]);
		else
			k = snprintf(out, cap, "already connecting\n");
	} else {
		k = snprintf(out, cap,
		             "unknown command '%s'; evc answers 'status', 'status json', "
		             "'disconnect' and 'connect'\n",
		             cmd);
	}
	return k < 0 ? 0 : (size_t)k < cap ? (size_t)k : cap - 1;
}

/* ---- the gateways in turn ---- */

static int resolve(const char *host, uint32_t *addr, char *err, size_t errlen)
{
	struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM}, *res = NULL;
	int rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, _("cannot resolve the gateway %s: %s"), host,
		         gai_strerror(rc));
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

/*
 * What the network did, which may be better later: no answer or no route, the gateway's
 * DELETE, dead peer detection or a protocol failure. Not retried: what needs a person (a
 * password the gateway asks for or rejected, a declined banner) or this host (privileges,
 * files), so that a daemon says so once instead of looping.
 */
static bool retryable(const struct evc_client *c, int rc)
{
	if (!c->set.reconnect || c->stopping || (!c->was_up && !c->set.daemon))
		return false;
	return unreachable(rc) || rc == -ECONNRESET || rc == -EPROTO || rc == -ETIMEDOUT ||
	       rc == -ENETDOWN;
}

static void end(struct evc_client *c, int rc, const char *err)
{
	c->ended = true;
	c->waiting = false;
	c->rc = rc;
	snprintf(c->err, sizeof(c->err), "%s", rc ? err : "");
	/* nobody is left to serve: the sockets go with the last session */
	if (c->ctl_watched)
		epoll_ctl(c->ep, EPOLL_CTL_DEL, ctl_srv_fd(c->io.ctl), NULL);
	c->ctl_watched = false;
	evc_shared_close(&c->io);
	plat_netwatch_free(c->watch); /* closing takes it out of the epoll */
	c->watch = NULL;
	timerfd_arm_ms(c->retry_timer, UINT64_MAX);
}

/* Waits before the next attempt, the gateway first: 1 s doubling to 60 s, up to a fifth less
 * at random, so that clients that lost one gateway together do not come back together. */
static void schedule(struct evc_client *c, int rc, const char *why, bool now)
{
	uint32_t r = 0;
	unsigned delay = 0;
	if (!now) {
		delay = c->attempt >= 6 ? RETRY_MAX_MS : RETRY_FIRST_MS << c->attempt;
		if (delay > RETRY_MAX_MS)
			delay = RETRY_MAX_MS;
		crypto_random(&r, sizeof(r));
		delay -= r % (delay / 5 + 1);
	}
	c->attempt++;
	c->gw = 0;
	c->gw_addr = 0;
	c->waiting = true;
	c->rc = rc;
	if (why != c->err)
		snprintf(c->err, sizeof(c->err), "%s", why);
	c->retry_at = mono_ms() + delay;
	timerfd_arm_ms(c->retry_timer, c->retry_at);
	if (c->ops.reconnecting)
		c->ops.reconnecting(c->ctx, why, c->set.gateways[0], delay, c->attempt);
}

static int open_gateway(struct evc_client *c);

/* The current gateway failed (at setup or later): the next one, a later attempt, or the end. */
static void next_attempt(struct evc_client *c, int rc, const char *why)
{
	if (!c->stopping && unreachable(rc) && c->gw + 1 < c->set.n_gateways) {
		c->gw++;
		if (c->ops.failover)
			c->ops.failover(c->ctx, why, c->set.gateways[c->gw]);
		open_gateway(c);
	} else if (retryable(c, rc)) {
		schedule(c, rc, why, false);
	} else {
		end(c, rc, why);
	}
}

/* Opens a session to the current gateway, or to the next ones while they are unreachable.
 * 0 when one runs; otherwise the client waits for a later attempt or has ended. */
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
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_CTL};
	char e[1024];
	int rc;
	c->waiting = false;
	c->gw_addr = 0;
	rc = resolve(c->set.gateways[c->gw], &c->gw_addr, e, sizeof(e));
	if (!rc)
		rc = evc_session_new(&c->sess, &c->set, c->gw_addr, c->set.gateways[c->gw], c->ep,
		                     c->hostd, &c->io, &hooks, e, sizeof(e));
	if (!rc && !c->privs_dropped && c->ops.setup_done) {
		c->privs_dropped = true;
		if ((rc = c->ops.setup_done(c->ctx, e, sizeof(e))) != 0) {
			evc_session_free(c->sess);
			c->sess = NULL;
			end(c, rc, e);
			return rc;
		}
	}
	if (!rc && c->io.ctl && !c->ctl_watched) {
		if (epoll_ctl(c->ep, EPOLL_CTL_ADD, ctl_srv_fd(c->io.ctl), &ev) != 0) {
			rc = -errno;
			snprintf(e, sizeof(e), _("cannot watch the control socket: %s"),
			         strerror(errno));
			evc_session_free(c->sess);
			c->sess = NULL;
			end(c, rc, e);
			return rc;
		}
		c->ctl_watched = true;
	}
	if (!rc) {
		evc_session_start(c->sess);
		return 0;
	}
	next_attempt(c, rc, e);
	return c->ended ? c->rc : 0;
}

/* After events: a session that ended is closed (the host restored); a gateway that did not
 * answer hands over to the next; a tunnel that went down is set up again. */
static int settle(struct evc_client *c)
{
	int rc;
	const char *err;
	if (c->sess && evc_session_done(c->sess, &rc, &err)) {
		char e[1024];
		snprintf(e, sizeof(e), "%s", err);
		evc_session_free(c->sess);
		c->sess = NULL;
		c->up = false;
		if (c->stopping) {
			end(c, rc, e);
		} else if (c->paused) {
			c->rc = 0;
			snprintf(c->err, sizeof(c->err), _("disconnected on the control socket"));
		} else if (c->restarting) {
			c->restarting = false;
			schedule(c, 0, c->restart_why, c->restart_now);
		} else {
			next_attempt(c, rc, e);
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

/* Tears the tunnel down (DELETEs, the host restored) to set it up again: after back-off, or
 * at once when asked for on the control socket (now). */
static void restart(struct evc_client *c, const char *why, bool now)
{
	if (!c->sess || c->restarting || c->stopping)
		return;
	c->restarting = true;
	c->restart_now = now;
	snprintf(c->restart_why, sizeof(c->restart_why), "%s", why);
	evc_session_stop(c->sess);
	kick(c);
}

/* Address and route events: has the path to the gateway of an up tunnel changed? */
static void check_path(struct evc_client *c)
{
	struct plat_path now;
	char e[256], was[200], is[200], why[512];
	if (!plat_netwatch_drain(c->watch) || !c->up || !c->sess || c->restarting)
		return;
	if (plat_path_get(c->watch, c->gw_addr, c->tun_ifindex, &now, e, sizeof(e)) != 0) {
		h_log(c, IKE_LOG_WARN, e);
		return;
	}
	if (plat_path_equal(&now, &c->path))
		return;
	snprintf(why, sizeof(why),
	         _("this host's path to the gateway changed (was %s; now %s); the tunnel is "
	           "set up again"),
	         plat_path_str(&c->path, was, sizeof(was)), plat_path_str(&now, is, sizeof(is)));
	restart(c, why, false); /* the reconnecting callback tells why */
}

/* ---- the public API ---- */

struct evc_client *evc_client_new(const struct evc_settings *set, const struct evc_client_ops *ops,
                                  void *ctx, char *err, size_t errlen)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_KICK};
	struct evc_client *c;
	/* with a certificate (main mode) the gateway takes the group from it: no group key */
	if (!set->n_gateways || set->n_gateways > EVC_MAX_GATEWAYS ||
	    (!set->cert_path[0] && (!set->group[0] || (!set->group_key.p && !set->hybrid)))) {
		snprintf(err, errlen, _("no %s"),
		         !set->n_gateways || set->n_gateways > EVC_MAX_GATEWAYS ? "gateway"
		         : !set->group[0]                                       ? "group name"
		                                                                : "group key");
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c)
		c->kick = c->ep = c->retry_timer = -1;
	if (!c || evc_settings_copy(&c->set, set) != 0) {
		free(c);
		snprintf(err, errlen, _("out of memory"));
		return NULL;
	}
	c->ops = ops ? *ops : (struct evc_client_ops){0};
	c->ctx = ctx;
	c->stop_fd = -1;
	c->io = (struct evc_shared){.sock_ike = -1, .sock_natt = -1, .sock_esp = -1};
	c->ep = epoll_create1(EPOLL_CLOEXEC);
	c->kick = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->retry_timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct epoll_event rev = {.events = EPOLLIN, .data.u32 = TAG_RETRY};
	if (c->ep < 0 || c->kick < 0 || c->retry_timer < 0 ||
	    epoll_ctl(c->ep, EPOLL_CTL_ADD, c->kick, &ev) != 0 ||
	    epoll_ctl(c->ep, EPOLL_CTL_ADD, c->retry_timer, &rev) != 0) {
		snprintf(err, errlen, _("cannot create the event loop: %s"), strerror(errno));
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
	evc_shared_close(&c->io);
	evc_hostd_stop(c->hostd); /* after the session: it restored the host through it */
	plat_netwatch_free(c->watch);
	if (c->retry_timer >= 0)
		close(c->retry_timer);
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
	/* the host's address and route events, to follow a path that changes under the tunnel */
	if (c->set.reconnect) {
		char e[256];
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = TAG_NETWATCH};
		if (plat_netwatch_new(&c->watch, e, sizeof(e)) != 0 ||
		    epoll_ctl(c->ep, EPOLL_CTL_ADD, plat_netwatch_fd(c->watch), &ev) != 0) {
			h_log(c, IKE_LOG_WARN, e);
			h_log(c, IKE_LOG_WARN,
			      "a change of this host's address or default route is noticed only "
			      "by dead peer detection");
			plat_netwatch_free(c->watch);
			c->watch = NULL;
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
		snprintf(e, sizeof(e), _("event loop failed: %s"), strerror(errno));
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
		case TAG_RETRY:
			if (read(c->retry_timer, &v, sizeof(v)) < 0) {
				/* EAGAIN: disarmed since */
			}
			if (c->waiting && !c->sess && !c->ended && mono_ms() >= c->retry_at)
				open_gateway(c);
			break;
		case TAG_NETWATCH:
			if (c->watch)
				check_path(c);
			break;
		case TAG_CTL:
			if (c->io.ctl)
				ctl_srv_dispatch(c->io.ctl);
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
	else if (!c->ended)
		end(c, 0, ""); /* waiting between attempts, or paused: nothing to take down */
	kick(c);
}

int evc_client_pause(struct evc_client *c)
{
	if (c->ended || c->stopping || c->paused)
		return -EALREADY;
	c->paused = true;
	c->restarting = false;
	if (c->sess) {
		evc_session_stop(c->sess);
	} else {
		c->waiting = false;
		timerfd_arm_ms(c->retry_timer, UINT64_MAX);
		c->rc = 0;
		snprintf(c->err, sizeof(c->err), _("disconnected on the control socket"));
	}
	kick(c);
	return 0;
}

int evc_client_reconnect_now(struct evc_client *c)
{
	if (c->ended || c->stopping || c->restarting)
		return -EALREADY;
	if (c->paused && c->sess)
		return -EALREADY; /* still taking the tunnel down */
	c->paused = false;
	if (c->sess) {
		if (!c->up)
			return -EALREADY; /* connecting */
		restart(c, "reconnect asked for on the control socket", true);
		return 0;
	}
	c->attempt = 0;
	schedule(c, 0, "connect asked for on the control socket", true);
	kick(c);
	return 0;
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
	st->state = !c->started             ? EVC_STATE_IDLE
	            : c->ended              ? (c->rc ? EVC_STATE_FAILED : EVC_STATE_DISCONNECTED)
	            : c->waiting            ? EVC_STATE_RECONNECTING
	            : c->paused && !c->sess ? EVC_STATE_DISCONNECTED
	                                    : EVC_STATE_CONNECTING;
	st->step = c->step;
	snprintf(st->gateway, sizeof(st->gateway), "%s", c->set.gateways[c->gw]);
	st->gateway_addr = c->gw_addr;
	st->gateway_index = c->gw;
	/* main mode: the group is the OU of the certificate, known once the session read it */
	snprintf(st->group, sizeof(st->group), "%s",
	         c->set.group[0] || !c->sess ? c->set.group : evc_session_group(c->sess));
	snprintf(st->user, sizeof(st->user), "%s", c->set.user);
	st->mode = c->set.mode;
	st->error = c->rc;
	snprintf(st->last_error, sizeof(st->last_error), "%s", c->err);
	st->reconnects = c->reconnects;
	if (c->waiting) {
		uint64_t now = mono_ms();
		st->retry_in_ms = c->retry_at > now ? c->retry_at - now : 0;
	}
	if (c->sess && !c->ended)
		evc_session_status(c->sess, st);
}
