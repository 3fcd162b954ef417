/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client's status as text for `evc status` and as the control protocol's JSON fields
 * (lib/ctlproto.h) for `evc status --json`, scripts and evc-gui. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core/client.h"
#include "lib/ctlproto.h"
#include "lib/ipv4.h"

const char *evc_state_name(enum evc_state st)
{
	static const char *const names[] = {
	    [EVC_STATE_IDLE] = "idle",
	    [EVC_STATE_CONNECTING] = "connecting",
	    [EVC_STATE_CONNECTED] = "connected",
	    [EVC_STATE_DISCONNECTING] = "disconnecting",
	    [EVC_STATE_DISCONNECTED] = "disconnected",
	    [EVC_STATE_FAILED] = "failed",
	    [EVC_STATE_RECONNECTING] = "reconnecting",
	};
	return (size_t)st < sizeof(names) / sizeof(names[0]) ? names[st] : "?";
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
		if (st->udp_encap)
			ADD("esp: udp-%u\n", st->udp_port ? st->udp_port : 4500u);
		else
			ADD("esp: ip-50\n");
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
	if (st->reconnects)
		ADD("reconnects: %u\n", st->reconnects);
	if (st->state == EVC_STATE_RECONNECTING)
		ADD("next-attempt: %llu.%llu s\n", (unsigned long long)(st->retry_in_ms / 1000),
		    (unsigned long long)(st->retry_in_ms % 1000 / 100));
	if (st->last_error[0])
		ADD("last-error: %s\n", st->last_error);
#undef ADD
	return n < cap ? n : cap - 1;
}

void evc_client_status_fields(const struct evc_client_status *st, struct ctlp_wr *w)
{
	char gw[20], addr[20] = "", spi[12];
	ipv4_str(st->gateway_addr, gw, sizeof(gw));
	if (st->addr)
		ipv4_str(st->addr, addr, sizeof(addr));
	ctlp_wr_str(w, "state", evc_state_name(st->state));
	ctlp_wr_int(w, "step", st->step);
	ctlp_wr_str(w, "gateway", st->gateway_addr ? gw : st->gateway);
	ctlp_wr_str(w, "group", st->group);
	ctlp_wr_str(w, "user", st->user);
	ctlp_wr_str(w, "interface", st->ifname);
	ctlp_wr_str(w, "address", addr);
	ctlp_wr_str(w, "mode", st->mode == EVC_MODE_CLIENT ? "client" : "network-extension");
	ctlp_wr_uint(w, "sas", st->n_sas);
	if (st->n_sas) {
		char esp[16] = "ip-50";
		if (st->udp_encap)
			snprintf(esp, sizeof(esp), "udp-%u", st->udp_port ? st->udp_port : 4500u);
		ctlp_wr_str(w, "esp", esp);
		snprintf(spi, sizeof(spi), "%08x", st->spi_in);
		ctlp_wr_str(w, "spi_in", spi);
		snprintf(spi, sizeof(spi), "%08x", st->spi_out);
		ctlp_wr_str(w, "spi_out", spi);
		ctlp_wr_uint(w, "packets_in", st->packets_in);
		ctlp_wr_uint(w, "packets_out", st->packets_out);
		ctlp_wr_uint(w, "bytes_in", st->bytes_in);
		ctlp_wr_uint(w, "bytes_out", st->bytes_out);
		ctlp_wr_uint(w, "uptime_s", st->uptime_s);
	}
	ctlp_wr_uint(w, "reconnects", st->reconnects);
	if (st->state == EVC_STATE_RECONNECTING)
		ctlp_wr_uint(w, "next_attempt_ms", st->retry_in_ms);
	ctlp_wr_str(w, "last_error", st->last_error);
}

size_t evc_client_status_json(const struct evc_client_status *st, char *out, size_t cap)
{
	struct ctlp_wr w;
	ctlp_wr_begin(&w, out, cap);
	evc_client_status_fields(st, &w);
	return ctlp_wr_end(&w);
}

size_t evc_client_status_reply(const struct evc_client_status *st, const char *line, char *out,
                               size_t cap)
{
	struct ctlp_msg *m = malloc(sizeof(*m));
	struct ctlp_wr w;
	char err[256] = "";
	const char *cmd = NULL;
	int rc = m ? ctlp_parse(m, line, strlen(line), err, sizeof(err)) : -ENOMEM;
	if (!rc)
		cmd = ctlp_str(m, "cmd");
	if (!rc && (!cmd || strcmp(cmd, "status") != 0)) {
		snprintf(err, sizeof(err),
		         "`evc connect` answers the status command of the control protocol; the "
		         "others are evc daemon's");
		rc = -EINVAL;
	}
	ctlp_wr_begin(&w, out, cap);
	ctlp_wr_str(&w, "reply", rc ? "error" : "status");
	ctlp_wr_bool(&w, "ok", rc == 0);
	if (rc)
		ctlp_wr_str(&w, "error", err[0] ? err : "out of memory");
	else
		evc_client_status_fields(st, &w);
	if (m)
		ctlp_msg_wipe(m);
	free(m);
	return ctlp_wr_end(&w);
}
