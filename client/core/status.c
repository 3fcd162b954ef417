/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The client's status as text for `evc status` and as JSON for scripts (`--json`). */
#include <stdio.h>
#include <string.h>

#include "client/core/client.h"
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

/* A JSON string: quotes, backslashes and control characters escaped. */
static size_t json_str(char *out, size_t cap, const char *v)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)v; *p && n + 8 < cap; p++) {
		if (*p == '"' || *p == '\\') {
			out[n++] = '\\';
			out[n++] = (char)*p;
		} else if (*p < 0x20 || *p == 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", *p);
		} else {
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return n;
}

size_t evc_client_status_json(const struct evc_client_status *st, char *out, size_t cap)
{
	char gw[20], addr[20] = "", q[3][EVC_HOST_MAX * 2], err[2100];
	size_t n = 0;
	if (cap < 3)
		return 0;
	ipv4_str(st->gateway_addr, gw, sizeof(gw));
	if (st->addr)
		ipv4_str(st->addr, addr, sizeof(addr));
	json_str(q[0], sizeof(q[0]), st->gateway_addr ? gw : st->gateway);
	json_str(q[1], sizeof(q[1]), st->group);
	json_str(q[2], sizeof(q[2]), st->user);
	json_str(err, sizeof(err), st->last_error);
	/* leave room to close the object whatever happens */
	size_t room = cap - 3;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n < room) {                                                                    \
			int k_ = snprintf(out + n, room - n, __VA_ARGS__);                         \
			n += k_ > 0 ? (size_t)k_ : 0;                                              \
			if (n > room)                                                              \
				n = room - 1;                                                      \
		}                                                                                  \
	} while (0)
	ADD("{\"state\":\"%s\",\"gateway\":\"%s\",\"group\":\"%s\",\"user\":\"%s\","
	    "\"interface\":\"%s\",\"address\":\"%s\",\"mode\":\"%s\",\"sas\":%u",
	    evc_state_name(st->state), q[0], q[1], q[2], st->ifname, addr,
	    st->mode == EVC_MODE_CLIENT ? "client" : "network-extension", st->n_sas);
	if (st->n_sas)
		ADD(",\"esp\":\"%s\",\"spi_in\":\"%08x\",\"spi_out\":\"%08x\","
		    "\"packets_in\":%llu,\"packets_out\":%llu,\"bytes_in\":%llu,"
		    "\"bytes_out\":%llu,\"uptime_s\":%llu",
		    st->udp_encap ? "udp-4500" : "ip-50", st->spi_in, st->spi_out,
		    (unsigned long long)st->packets_in, (unsigned long long)st->packets_out,
		    (unsigned long long)st->bytes_in, (unsigned long long)st->bytes_out,
		    (unsigned long long)st->uptime_s);
	ADD(",\"reconnects\":%u", st->reconnects);
	if (st->state == EVC_STATE_RECONNECTING)
		ADD(",\"next_attempt_ms\":%llu", (unsigned long long)st->retry_in_ms);
	ADD(",\"last_error\":\"%s\"", err);
#undef ADD
	n += (size_t)snprintf(out + n, cap - n, "}\n");
	return n < cap ? n : cap - 1;
}
