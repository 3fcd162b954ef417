/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The datapath's SA pairs: installing, moving and removing them, and their counters. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipv4.h"
#include "lib/secret.h"
#include "tun/dp_int.h"
#include "tun/esp.h"

static void vlog(struct dp *dp, enum ike_log_level lvl, const char *fmt, va_list ap)
{
	char msg[320];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	dp->cfg.log(dp->cfg.ctx, lvl, msg);
}

void dp_log(struct dp *dp, enum ike_log_level lvl, const char *fmt, ...)
{
	va_list ap;
	if (!dp->cfg.log)
		return;
	va_start(ap, fmt);
	vlog(dp, lvl, fmt, ap);
	va_end(ap);
}

void dp_entry_free(struct sa_entry *e)
{
	if (!e)
		return;
	esp_sa_free(e->in);
	esp_sa_free(e->out);
	free(e);
}

static const char *check_child(const struct dp *dp, const struct ike_child *c, int udp_fd)
{
	if (c->spi_in == 0 || c->spi_out == 0)
		return "ESP SPI 0 is reserved";
	if (satab_prefix_len(c->remote_ts.mask) < 0 || satab_prefix_len(c->local_ts.mask) < 0)
		return "traffic selector netmask is not contiguous";
	if (c->peer.addr == 0)
		return "ESP peer address is 0.0.0.0";
	if (c->udp_encap && udp_fd < 0)
		return "SA uses ESP in UDP but the datapath has no UDP socket";
	if (!c->udp_encap && dp->cfg.esp_fd < 0)
		return "SA uses raw ESP but the datapath has no raw ESP socket (needs CAP_NET_RAW)";
	return NULL;
}

int dp_add_child(struct dp *dp, const struct ike_child *c, const char **why)
{
	return dp_add_child_fd(dp, c, -1, why);
}

int dp_add_child_fd(struct dp *dp, const struct ike_child *c, int udp_fd, const char **why)
{
	if (udp_fd < 0)
		udp_fd = dp->cfg.udp_fd;
	const char *err = check_child(dp, c, udp_fd);
	struct sa_entry *e = NULL;
	int ret = -EINVAL;

	if (err)
		goto out;
	if (satab_by_spi(dp->tab, c->spi_in)) {
		err = "inbound SPI already installed";
		ret = -EEXIST;
		goto out;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		err = "out of memory";
		ret = -ENOMEM;
		goto out;
	}
	struct esp_sa_params in = {
	    .spi = c->spi_in,
	    .outbound = false,
	    .encr = (enum esp_encr_id)c->esp,
	    .key_bits = c->key_bits,
	    .auth = (enum esp_auth_id)c->auth,
	    .enc_key = c->enc_in,
	    .enc_key_len = c->enc_key_len,
	    .auth_key = c->auth_in,
	    .auth_key_len = c->auth_key_len,
	};
	struct esp_sa_params out = in;
	out.spi = c->spi_out;
	out.outbound = true;
	out.enc_key = c->enc_out;
	out.auth_key = c->auth_out;
	if (c->enc_key_len > sizeof(c->enc_in) || c->auth_key_len > sizeof(c->auth_in)) {
		err = "ESP key longer than struct ike_child holds";
		goto out;
	}
	e->in = esp_sa_new(&in, &err);
	if (!e->in)
		goto out;
	e->out = esp_sa_new(&out, &err);
	if (!e->out)
		goto out;
	e->spi_in = c->spi_in;
	e->udp_encap = c->udp_encap;
	e->udp_fd = udp_fd;
	e->peer = c->peer;
	if (e->udp_encap && e->peer.port == 0)
		e->peer.port = IKE_NATT_PORT;
	e->local_ts = (struct evc_net){c->local_ts.addr & c->local_ts.mask, c->local_ts.mask};
	e->remote_ts = (struct evc_net){c->remote_ts.addr & c->remote_ts.mask, c->remote_ts.mask};
	e->life_kb = c->life_kb;
	if (e->life_kb) {
		unsigned pm = dp->cfg.soft_permille ? dp->cfg.soft_permille : 850;
		e->hard_bytes = (uint64_t)e->life_kb * 1024u;
		e->soft_bytes = e->hard_bytes / 1000u * pm;
	}
	ret = satab_insert(dp->tab, e);
	if (ret) {
		err = ret == -EEXIST ? "inbound SPI already installed" : "out of memory";
		goto out;
	}
	char pa[INET_ADDRSTRLEN], ta[INET_ADDRSTRLEN];
	dp_log(dp, IKE_LOG_INFO,
	       "ESP SA in 0x%08x / out 0x%08x with %s:%u (%s) for %s/%d installed", c->spi_in,
	       c->spi_out, ipv4_str(e->peer.addr, pa, sizeof(pa)), e->peer.port,
	       e->udp_encap ? "UDP-encapsulated" : "raw ESP",
	       ipv4_str(e->remote_ts.addr, ta, sizeof(ta)), satab_prefix_len(e->remote_ts.mask));
	e = NULL;
	ret = 0;
	err = NULL;
out:
	dp_entry_free(e);
	if (err && why)
		*why = err;
	return ret;
}

int dp_set_peer(struct dp *dp, uint32_t spi_in, const struct ike_endpoint *peer)
{
	struct sa_entry *e = satab_by_spi(dp->tab, spi_in);
	char a[INET_ADDRSTRLEN];
	if (!e)
		return -ENOENT;
	e->peer = *peer;
	if (e->udp_encap && e->peer.port == 0)
		e->peer.port = IKE_NATT_PORT;
	dp_log(dp, IKE_LOG_INFO, "ESP SA in 0x%08x now sends to %s:%u", spi_in,
	       ipv4_str(e->peer.addr, a, sizeof(a)), e->peer.port);
	return 0;
}

int dp_del_child(struct dp *dp, uint32_t spi_in)
{
	struct sa_entry *e = satab_remove(dp->tab, spi_in);
	if (!e)
		return -ENOENT;
	dp_log(dp, IKE_LOG_INFO, "ESP SA in 0x%08x removed", spi_in);
	/* an IKE message inside a batch may remove an SA that batch already used */
	for (size_t i = 0; i < dp->n_touched; i++)
		if (dp->touched[i] == e)
			dp->touched[i--] = dp->touched[--dp->n_touched];
	dp_entry_free(e);
	return 0;
}

size_t dp_child_count(const struct dp *dp)
{
	return satab_count(dp->tab);
}

int dp_child_stats(const struct dp *dp, uint32_t spi_in, struct dp_child_stats *out)
{
	const struct sa_entry *e = satab_by_spi(dp->tab, spi_in);
	if (!e)
		return -ENOENT;
	esp_sa_stats(e->in, &out->in);
	esp_sa_stats(e->out, &out->out);
	out->expired = e->expired;
	return 0;
}
