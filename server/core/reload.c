/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reload of the configuration on SIGHUP: see reload.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/core/config_show.h"
#include "server/core/reload.h"

struct evs_reload {
	char *path;
	const struct evs_config *running;
	struct evs_config *owned; /* running, when a reload loaded it */
	evs_reload_log_fn log;
	void *ctx;
	unsigned errors;
};

static void rlog(struct evs_reload *r, enum ike_log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void rlog(struct evs_reload *r, enum ike_log_level lvl, const char *fmt, ...)
{
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->log(r->ctx, lvl, msg);
}

static void report(void *ctx, enum evs_config_severity sev, unsigned line, const char *msg)
{
	struct evs_reload *r = ctx;
	(void)line; /* msg names FILE:LINE already */
	if (sev == EVS_CONFIG_ERROR)
		r->errors++;
	rlog(r, sev == EVS_CONFIG_ERROR ? IKE_LOG_ERR : IKE_LOG_WARN, "reload: %s", msg);
}

struct evs_reload *evs_reload_new(const char *path, const struct evs_config *running,
                                  evs_reload_log_fn log, void *ctx)
{
	struct evs_reload *r = calloc(1, sizeof(*r));
	if (!r || !(r->path = strdup(path))) {
		free(r);
		return NULL;
	}
	r->running = running;
	r->log = log;
	r->ctx = ctx;
	return r;
}

void evs_reload_free(struct evs_reload *r)
{
	if (!r)
		return;
	evs_config_free(r->owned);
	free(r->path);
	free(r);
}

static bool same_listen(const struct evs_config *a, const struct evs_config *b)
{
	struct evs_listen_iface la[EVS_MAX_LISTEN], lb[EVS_MAX_LISTEN];
	size_t na = evs_config_listen_ifaces(a, la, EVS_MAX_LISTEN);
	size_t nb = evs_config_listen_ifaces(b, lb, EVS_MAX_LISTEN);
	if (na != nb)
		return false;
	for (size_t i = 0; i < na && i < EVS_MAX_LISTEN; i++)
		if (la[i].have_addr != lb[i].have_addr || la[i].addr != lb[i].addr ||
		    strcmp(la[i].name, lb[i].name) != 0)
			return false;
	return true;
}

/* Whether cfg routes the pools into the tunnel as a whole (no reverse-route), as
 * evs_daemon_rri_pools tells of the running daemon. */
static bool pool_routes_of(const struct evs_config *cfg)
{
	struct ike_p2_prop p2[32];
	size_t n = evs_config_p2(cfg, p2, 32);
	for (size_t i = 0; i < n && i < 32; i++)
		if (evs_config_rri(cfg, p2[i].esp, p2[i].key_bits, p2[i].auth) != EVS_RRI_NONE)
			return false;
	return true;
}

static bool same_pools(const struct evs_config *a, const struct evs_config *b)
{
	if (evs_config_n_pools(a) != evs_config_n_pools(b))
		return false;
	for (size_t i = 0; i < evs_config_n_pools(a); i++) {
		uint32_t fa, la, fb, lb;
		evs_config_pool_range(a, i, &fa, &la);
		evs_config_pool_range(b, i, &fb, &lb);
		if (fa != fb || la != lb)
			return false;
	}
	return true;
}

int evs_reload_run(struct evs_reload *r, struct evs_daemon *d, uint64_t now)
{
	char err[512];
	bool pool_routes = evs_daemon_rri_pools(d);
	rlog(r, IKE_LOG_INFO, "SIGHUP: reading %s", r->path);
	r->errors = 0;
	struct evs_config *cfg = evs_config_load(r->path, report, r);
	if (!cfg) {
		rlog(r, IKE_LOG_ERR,
		     "reload refused: %s is not a usable configuration (%u error(s) above); evs "
		     "keeps running with the previous one",
		     r->path, r->errors);
		return -EINVAL;
	}
	int rc = evs_daemon_reload(d, cfg, now, err, sizeof(err));
	if (rc != 0) {
		rlog(r, IKE_LOG_ERR,
		     "reload refused: %s; evs keeps running with the previous "
		     "configuration",
		     err);
		evs_config_free(cfg);
		return rc;
	}
	if (!same_listen(r->running, cfg))
		rlog(r, IKE_LOG_WARN,
		     "reload: the interfaces of the crypto map or their addresses "
		     "changed; evs still listens on the old ones until it is restarted");
	if (pool_routes != pool_routes_of(cfg) || (pool_routes && !same_pools(r->running, cfg)))
		rlog(r, IKE_LOG_WARN,
		     "reload: turning reverse-route on or off, and the routes of the address "
		     "pools, change only when evs is restarted");
	rlog(r, IKE_LOG_INFO, "reload: now running %s", r->path);
	evs_config_free(r->owned);
	r->owned = cfg;
	r->running = cfg;
	return 0;
}
