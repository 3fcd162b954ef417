/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `show crypto ipsec sa` of evs, as IOS prints it and as JSON: see show.h. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ike/isakmp.h"
#include "lib/crypto.h"
#include "lib/ipv4.h"
#include "server/core/daemon.h"
#include "server/core/show.h"
#include "server/core/show_int.h"

/* ---- JSON of `show crypto ipsec sa` ---- */

const char *show_transform(const struct ike_child_status *c, char *buf, size_t len)
{
	const char *mac = c->auth == ESP_AUTH_HMAC_MD5      ? " esp-md5-hmac"
	                  : c->auth == ESP_AUTH_HMAC_SHA1   ? " esp-sha-hmac"
	                  : c->auth == ESP_AUTH_HMAC_SHA256 ? " esp-sha256-hmac"
	                                                    : "";
	switch (c->esp) {
	case ESP_ENCR_AES_GCM16:
		snprintf(buf, len, "esp-gcm %u", c->key_bits);
		break;
	case ESP_ENCR_AES_CBC:
		snprintf(buf, len, "esp-%u-aes%s", c->key_bits, mac);
		break;
	case ESP_ENCR_3DES:
		snprintf(buf, len, "esp-3des%s", mac);
		break;
	case ESP_ENCR_DES:
		snprintf(buf, len, "esp-des%s", mac);
		break;
	default:
		snprintf(buf, len, "esp-null%s", mac);
		break;
	}
	return buf;
}

static void ipsec_one(void *ctx, const struct evs_sa_view *v)
{
	struct sa_walk *k = ctx;
	struct wb *w = k->w;
	char tf[48];
	struct ike_child_status cs[SHOW_MAX_CHILDREN];
	if (!ike_sa_established(v->sa))
		return;
	size_t nc = ike_sa_child_status(v->sa, evs_daemon_now(k->d), cs, SHOW_MAX_CHILDREN);
	if (nc > SHOW_MAX_CHILDREN)
		nc = SHOW_MAX_CHILDREN;
	struct ike_endpoint p = ike_sa_peer(v->sa);
	show_add(w, "%s{\"peer\":", k->n++ ? "," : "");
	show_jaddr(w, p.addr);
	show_add(w, ",\"peer_port\":%u,\"user\":", p.port);
	show_jstr(w, ike_sa_user(v->sa));
	show_add(w, ",\"group\":");
	show_jstr(w, ike_sa_group(v->sa));
	show_add(w, ",\"remote_ident\":");
	show_jaddr(w, v->assigned);
	show_add(w, ",\"sas\":[");
	for (size_t i = 0; i < nc; i++) {
		struct evs_child_counters ct;
		evs_daemon_child_stats(k->d, cs[i].spi_in, &ct);
		show_add(
		    w,
		    "%s{\"spi_in\":%u,\"spi_out\":%u,\"pkts_encaps\":%llu,\"pkts_decaps\":%llu,"
		    "\"bytes_in\":%llu,\"bytes_out\":%llu,\"life_kb\":%u,\"remaining_s\":%lld,"
		    "\"replaced\":%s,\"transform\":\"%s\",\"udp_encap\":%s}",
		    i ? "," : "", cs[i].spi_in, cs[i].spi_out, (unsigned long long)ct.packets_out,
		    (unsigned long long)ct.packets_in, (unsigned long long)ct.bytes_in,
		    (unsigned long long)ct.bytes_out, cs[i].life_kb, (long long)cs[i].remaining_s,
		    cs[i].replaced ? "true" : "false", show_transform(&cs[i], tf, sizeof(tf)),
		    cs[i].udp_encap ? "true" : "false");
	}
	show_add(w, "]}");
}

void show_ipsec_json(struct wb *w, struct evs_daemon *d)
{
	show_add(w, "{\"interface\":");
	show_jstr(w, evs_daemon_ifname(d));
	show_add(w, ",\"peers\":[");
	show_walk(w, d, ipsec_one, true, false, "]}\n");
}

static void ipsec_sa_one(void *ctx, const struct evs_sa_view *v)
{
	struct sa_walk *sw = ctx;
	struct wb *w = sw->w;
	struct ike_child_status cs[8];
	if (!ike_sa_established(v->sa))
		return;
	size_t k = ike_sa_child_status(v->sa, evs_daemon_now(sw->d), cs, 8);
	struct ike_endpoint p = ike_sa_peer(v->sa);
	char peer[IPV4_STR_MAX], addr[IPV4_STR_MAX];
	ipv4_str(p.addr, peer, sizeof(peer));
	ipv4_str(v->assigned, addr, sizeof(addr));
	show_add(w, "\n   remote ident (addr/mask/prot/port): (%s/255.255.255.255/0/0)\n", addr);
	show_add(w, "   current_peer %s port %u (user %s, group %s)\n", peer, p.port,
	         ike_sa_user(v->sa), ike_sa_group(v->sa));
	for (size_t i = 0; i < k && i < 8; i++) {
		struct evs_child_counters ct = {0};
		evs_daemon_child_stats(sw->d, cs[i].spi_in, &ct);
		uint64_t used = (ct.bytes_in > ct.bytes_out ? ct.bytes_in : ct.bytes_out) / 1024;
		char kb[24] = "-", sec[24] = "-", tf[48];
		if (cs[i].life_kb)
			snprintf(
			    kb, sizeof(kb), "%llu",
			    (unsigned long long)(used < cs[i].life_kb ? cs[i].life_kb - used : 0));
		if (cs[i].remaining_s >= 0)
			snprintf(sec, sizeof(sec), "%lld", (long long)cs[i].remaining_s);
		show_transform(&cs[i], tf, sizeof(tf));
		show_add(w, "    #pkts encaps: %llu, #pkts decaps: %llu\n",
		         (unsigned long long)ct.packets_out, (unsigned long long)ct.packets_in);
		for (int out = 0; out < 2; out++) {
			uint32_t spi = out ? cs[i].spi_out : cs[i].spi_in;
			show_add(w, "     %s esp sas:\n      spi: 0x%08X(%u)%s\n",
			         out ? "outbound" : "inbound", spi, spi,
			         !out && cs[i].replaced ? " (replaced by a rekey)" : "");
			show_add(w,
			         "        transform: %s ,\n        in use settings ={Tunnel%s, }\n",
			         tf, cs[i].udp_encap ? " UDP-Encaps" : "");
			show_add(w, "        sa timing: remaining key lifetime (k/sec): (%s/%s)\n",
			         kb, sec);
		}
	}
}

/* `show crypto ipsec sa`: each client's ESP SA pairs as IOS prints them, with the remaining
 * key lifetime in kilobytes and seconds. */
size_t show_ipsec_text(struct evs_daemon *d, char *out, size_t cap)
{
	struct wb w = {.out = out, .cap = cap};
	show_add(&w, "\ninterface: %s\n", evs_daemon_ifname(d));
	show_walk(&w, d, ipsec_sa_one, false, false, "");
	return w.n;
}
