/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The show and clear commands of the control socket: see show.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <stdlib.h>

#include "ike/isakmp.h"
#include "lib/control.h"
#include "lib/crypto.h"
#include "lib/ipv4.h"
#include "server/core/config_show.h"
#include "server/core/daemon.h"
#include "server/core/sessions.h"
#include "server/core/show.h"
#include "server/core/show_int.h"

#define SHOW_MAX_TOKENS 8

static const char *addr_str(uint32_t a, char *buf, size_t len)
{
	ipv4_str(a, buf, len);
	return buf;
}

/* ---- show crypto dynamic-map ---- */

static const char *rri_name(enum evs_rri r)
{
	return r == EVS_RRI_CLIENT ? "client" : r == EVS_RRI_REMOTE_PEER ? "remote-peer" : "none";
}

static void show_dmap(struct wb *w, const struct evs_config *cfg, const char *tag, bool json)
{
	size_t shown = 0;
	if (json)
		show_add(w, "[");
	for (size_t i = 0; i < evs_config_n_dmaps(cfg); i++) {
		struct evs_dmap_info m;
		evs_config_dmap(cfg, i, &m);
		if (tag && strcmp(tag, m.name) != 0)
			continue;
		if (json) {
			show_add(w, "%s{\"name\":", shown ? "," : "");
			show_jstr(w, m.name);
			show_add(w,
			         ",\"seq\":%u,\"lifetime_kb\":%u,\"lifetime_s\":%u,\"pfs\":%s,"
			         "\"pfs_group\":%u,\"transform_sets\":[",
			         m.seq, m.life_kb, m.life_s, m.pfs_group ? "true" : "false",
			         m.pfs_group);
			for (size_t t = 0; t < m.n_tsets; t++) {
				show_add(w, t ? "," : "");
				show_jstr(w, m.tsets[t]);
			}
			show_add(w, "],\"reverse_route\":\"%s\"}", rri_name(m.rri));
		} else {
			show_add(w, "Crypto Map Template \"%s\" %u\n", m.name, m.seq);
			show_add(w, "\tNo matching address list set.\n");
			show_add(w, "\tCurrent peer:\n");
			show_add(w, "\tSecurity association lifetime: %u kilobytes/%u seconds\n",
			         m.life_kb, m.life_s);
			show_add(w, "\tPFS (Y/N): %s\n", m.pfs_group ? "Y" : "N");
			if (m.pfs_group)
				show_add(w, "\tDH group:  group%u\n", m.pfs_group);
			show_add(w, "\tTransform sets={ ");
			for (size_t t = 0; t < m.n_tsets; t++)
				show_add(w, "%s, ", m.tsets[t]);
			show_add(w, "}\n");
			if (m.rri == EVS_RRI_CLIENT)
				show_add(w, "\tReverse Route Injection Enabled\n");
			else if (m.rri == EVS_RRI_REMOTE_PEER)
				show_add(w, "\tReverse Route Injection Enabled (remote-peer)\n");
			show_add(w, "\n");
		}
		shown++;
	}
	if (json)
		show_add(w, "]\n");
	else if (tag && !shown)
		show_add(w, "%% No dynamic crypto map named \"%s\"\n", tag);
	else if (!shown)
		show_add(w, "%% No dynamic crypto map configured\n");
}

/* ---- one line or block per IKE SA ---- */

/* The IOS aggressive-mode states an EasyVPN responder goes through. */
static const char *isakmp_state(const struct ike_sa *sa)
{
	if (ike_sa_established(sa))
		return "QM_IDLE";
	if (!ike_sa_authenticated(sa))
		return "AG_INIT_EXCH";
	return ike_sa_user(sa)[0] ? "CONF_ADDR" : "CONF_XAUTH";
}

/* IOS's names in `show crypto isakmp sa detail`. */
static const char *ios_encr(const struct ike_p1_prop *p, char *buf, size_t len)
{
	if (p->encr == CIPHER_AES_CBC && p->key_bits != 128)
		snprintf(buf, len, "aes%u", p->key_bits);
	else
		snprintf(buf, len, "%s",
		         p->encr == CIPHER_AES_CBC ? "aes"
		         : p->encr == CIPHER_3DES  ? "3des"
		                                   : "des");
	return buf;
}

static const char *ios_hash(uint8_t h)
{
	switch (h) {
	case HASH_MD5:
		return "md5";
	case HASH_SHA1:
		return "sha";
	case HASH_SHA256:
		return "sha256";
	case HASH_SHA384:
		return "sha384";
	case HASH_SHA512:
		return "sha512";
	}
	return "?";
}

/* hybrid is "rsig" too: evs signed; its client is authenticated by XAUTH (the X cap) */
static const char *ios_auth(uint16_t a)
{
	return a == IKE_AUTH_RSA_SIG || a == IKE_AUTH_XAUTH_INIT_RSA ||
	               a == IKE_AUTH_HYBRID_INIT_RSA
	           ? "rsig"
	           : "psk";
}

/* `show crypto isakmp sa detail`: the negotiated policy of each IKE SA, as IOS prints it. */
static void isakmp_detail_one(void *ctx, const struct evs_sa_view *v)
{
	struct sa_walk *k = ctx;
	struct ike_endpoint p = ike_sa_peer(v->sa);
	struct ike_p1_prop p1;
	int64_t left;
	char a[20], b[20], e[16], life[48] = "", cap[8] = "";
	if (!ike_sa_p1_chosen(v->sa, evs_daemon_now(k->d), &p1, &left))
		return;
	unsigned c = ike_sa_caps(v->sa);
	snprintf(cap, sizeof(cap), "%s%s%s%s", c & IKE_CAP_MODECFG ? "C" : "",
	         c & IKE_CAP_DPD ? "D" : "", c & IKE_CAP_NATT ? "N" : "",
	         c & IKE_CAP_XAUTH ? "X" : "");
	if (left >= 0)
		snprintf(life, sizeof(life), "%02lld:%02lld:%02lld", (long long)(left / 3600),
		         (long long)(left / 60 % 60), (long long)(left % 60));
	else
		snprintf(life, sizeof(life), "-");
	ios_encr(&p1, e, sizeof(e));
	if (k->json) {
		show_add(k->w, "%s{\"conn_id\":%u,\"local\":", k->n ? "," : "", v->conn_id);
		show_jaddr(k->w, v->local);
		show_add(k->w, ",\"remote\":");
		show_jaddr(k->w, p.addr);
		show_add(k->w,
		         ",\"status\":\"ACTIVE\",\"encr\":\"%s\",\"hash\":\"%s\",\"auth\":\"%s\","
		         "\"dh\":%u,\"lifetime_s\":%lld,\"cap\":\"%s\"}",
		         e, ios_hash(p1.hash), ios_auth(p1.auth), p1.group, (long long)left, cap);
	} else {
		show_add(k->w, "%-5u %-15s %-15s        ACTIVE %-4s %-6s %-4s %-2u %-8s %s\n",
		         v->conn_id, addr_str(v->local, a, sizeof(a)),
		         addr_str(p.addr, b, sizeof(b)), e, ios_hash(p1.hash), ios_auth(p1.auth),
		         p1.group, life, cap);
		show_add(k->w, "       Engine-id:Conn-id =  SW:%u\n\n", v->conn_id);
	}
	k->n++;
}

static void show_isakmp_detail(struct wb *w, struct evs_daemon *d, bool json)
{
	if (json)
		show_add(w, "[");
	else
		show_add(w,
		         "Codes: C - IKE configuration mode, D - Dead Peer Detection\n"
		         "       K - Keepalives, N - NAT-traversal\n"
		         "       X - IKE Extended Authentication\n"
		         "       psk - Preshared key, rsig - RSA signature\n"
		         "IPv4 Crypto ISAKMP SA\n\n"
		         "C-id  Local           Remote          I-VRF  Status Encr Hash   Auth DH "
		         "Lifetime Cap.\n\n");
	show_walk(w, d, isakmp_detail_one, json, true, json ? "]\n" : "");
}

static void isakmp_one(void *ctx, const struct evs_sa_view *v)
{
	struct sa_walk *k = ctx;
	struct ike_endpoint p = ike_sa_peer(v->sa);
	const char *st = isakmp_state(v->sa);
	const char *status = ike_sa_authenticated(v->sa) ? "ACTIVE" : "";
	char a[20], b[20];
	if (k->json) {
		show_add(k->w, "%s{\"dst\":", k->n ? "," : "");
		show_jaddr(k->w, v->local);
		show_add(k->w, ",\"src\":");
		show_jaddr(k->w, p.addr);
		show_add(
		    k->w,
		    ",\"src_port\":%u,\"state\":\"%s\",\"conn_id\":%u,\"status\":\"%s\",\"group\":",
		    p.port, st, v->conn_id, status);
		show_jstr(k->w, ike_sa_group(v->sa));
		show_add(k->w, ",\"user\":");
		show_jstr(k->w, ike_sa_user(v->sa));
		show_add(k->w, "}");
	} else {
		show_add(k->w, "%-15s %-15s %-14s %7u %s\n", addr_str(v->local, a, sizeof(a)),
		         addr_str(p.addr, b, sizeof(b)), st, v->conn_id, status);
	}
	k->n++;
}

static void show_isakmp(struct wb *w, struct evs_daemon *d, bool json)
{
	if (json)
		show_add(w, "[");
	else
		show_add(
		    w,
		    "IPv4 Crypto ISAKMP SA\ndst             src             state          conn-id "
		    "status\n");
	show_walk(w, d, isakmp_one, json, false, json ? "]\n" : "");
}

static const char *session_status(const struct ike_sa *sa, size_t n_children)
{
	if (!ike_sa_established(sa))
		return "DOWN-NEGOTIATING";
	return n_children ? "UP-ACTIVE" : "UP-IDLE";
}

static void fmt_uptime(uint64_t ms, char *out, size_t len)
{
	uint64_t s = ms / 1000;
	snprintf(out, len, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
	         (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

static void session_one(void *ctx, const struct evs_sa_view *v)
{
	struct sa_walk *k = ctx;
	struct wb *w = k->w;
	const struct evs_config *cfg = evs_daemon_config(k->d);
	uint64_t now = evs_daemon_now(k->d);
	struct ike_child_status cs[SHOW_MAX_CHILDREN];
	size_t nc = ike_sa_child_status(v->sa, now, cs, SHOW_MAX_CHILDREN);
	if (nc > SHOW_MAX_CHILDREN)
		nc = SHOW_MAX_CHILDREN;
	struct ike_endpoint p = ike_sa_peer(v->sa);
	const struct evs_session *s =
	    v->session_id ? evs_sessions_get(evs_daemon_sessions(k->d), v->session_id) : NULL;
	uint64_t up_ms = s && now > s->start_ms ? now - s->start_ms : 0;
	uint16_t lport = v->natt ? 4500 : 500;
	const char *ifn = evs_config_iface_for(cfg, v->local);
	const char *st = session_status(v->sa, nc);
	char a[20], b[20], up[32];
	if (k->json) {
		show_add(w, "%s{\"interface\":", k->n ? "," : "");
		show_jstr(w, ifn);
		show_add(w, ",\"user\":");
		show_jstr(w, ike_sa_user(v->sa));
		show_add(w, ",\"group\":");
		show_jstr(w, ike_sa_group(v->sa));
		show_add(w, ",\"assigned\":");
		if (v->assigned)
			show_jaddr(w, v->assigned);
		else
			show_add(w, "null");
		show_add(w, ",\"status\":\"%s\",\"peer\":", st);
		show_jaddr(w, p.addr);
		show_add(w, ",\"peer_port\":%u,\"local\":", p.port);
		show_jaddr(w, v->local);
		show_add(w, ",\"local_port\":%u,\"conn_id\":%u,\"uptime_s\":%llu,\"ipsec_sas\":[",
		         lport, v->conn_id, (unsigned long long)(up_ms / 1000));
		for (size_t i = 0; i < nc; i++) {
			struct evs_child_counters ct;
			evs_daemon_child_stats(k->d, cs[i].spi_in, &ct);
			show_add(
			    w,
			    "%s{\"spi_in\":%u,\"spi_out\":%u,\"pkts_in\":%llu,\"pkts_out\":%llu,"
			    "\"bytes_in\":%llu,\"bytes_out\":%llu,\"remaining_s\":%lld}",
			    i ? "," : "", cs[i].spi_in, cs[i].spi_out,
			    (unsigned long long)ct.packets_in, (unsigned long long)ct.packets_out,
			    (unsigned long long)ct.bytes_in, (unsigned long long)ct.bytes_out,
			    (long long)cs[i].remaining_s);
		}
		show_add(w, "]}");
		k->n++;
		return;
	}
	show_add(w, "\nInterface: %s\n", ifn);
	if (ike_sa_user(v->sa)[0])
		show_add(w, "Username: %s\n", ike_sa_user(v->sa));
	if (ike_sa_group(v->sa)[0])
		show_add(w, "Group: %s\n", ike_sa_group(v->sa));
	if (v->assigned)
		show_add(w, "Assigned address: %s\n", addr_str(v->assigned, a, sizeof(a)));
	if (k->detail && s) {
		fmt_uptime(up_ms, up, sizeof(up));
		show_add(w, "Uptime: %s\n", up);
	}
	show_add(w, "Session status: %s\n", st);
	show_add(w, "Peer: %s port %u\n", addr_str(p.addr, a, sizeof(a)), p.port);
	if (k->detail)
		show_add(w, "  Phase1_id: %s\n", ike_sa_group(v->sa));
	show_add(w, "  IKE SA: local %s/%u remote %s/%u %s\n", addr_str(v->local, a, sizeof(a)),
	         lport, addr_str(p.addr, b, sizeof(b)), p.port,
	         ike_sa_authenticated(v->sa) ? "Active" : "Inactive");
	if (k->detail)
		show_add(w, "          connid:%u\n", v->conn_id);
	if (!nc)
		return;
	if (v->assigned)
		show_add(w, "  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 host %s\n",
		         addr_str(v->assigned, a, sizeof(a)));
	else
		show_add(w, "  IPSEC FLOW: permit ip 0.0.0.0/0.0.0.0 (network extension)\n");
	show_add(w, "        Active SAs: %zu, origin: dynamic crypto map\n", 2 * nc);
	for (size_t i = 0; k->detail && i < nc; i++) {
		struct evs_child_counters ct;
		evs_daemon_child_stats(k->d, cs[i].spi_in, &ct);
		uint64_t used_in = ct.bytes_in / 1024, used_out = ct.bytes_out / 1024;
		char kin[24] = "-", kout[24] = "-", sec[24] = "-";
		if (cs[i].life_kb) {
			snprintf(kin, sizeof(kin), "%llu",
			         (unsigned long long)(used_in < cs[i].life_kb
			                                  ? cs[i].life_kb - used_in
			                                  : 0));
			snprintf(kout, sizeof(kout), "%llu",
			         (unsigned long long)(used_out < cs[i].life_kb
			                                  ? cs[i].life_kb - used_out
			                                  : 0));
		}
		if (cs[i].remaining_s >= 0)
			snprintf(sec, sizeof(sec), "%lld", (long long)cs[i].remaining_s);
		show_add(w, "        Inbound:  #pkts dec'ed %llu drop 0 life (KB/Sec) %s/%s\n",
		         (unsigned long long)ct.packets_in, kin, sec);
		show_add(w, "        Outbound: #pkts enc'ed %llu drop 0 life (KB/Sec) %s/%s\n",
		         (unsigned long long)ct.packets_out, kout, sec);
	}
}

static void show_session(struct wb *w, struct evs_daemon *d, bool detail, bool json)
{
	if (json)
		show_add(w, "[");
	else
		show_add(w, "Crypto session current status\n");
	show_walk(w, d, session_one, json, detail, json ? "]\n" : "\n");
}

/* ---- JSON of `show crypto session summary|group` ---- */

static bool group_seen_before(const struct evs_sessions *s, size_t i, const char *group)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(evs_sessions_at(s, j)->group, group) == 0)
			return true;
	return false;
}

static void json_group(struct wb *w, const struct evs_sessions *s, const char *g, bool users,
                       bool nocase, bool *first)
{
	show_add(w, "%s{\"group\":", *first ? "" : ",");
	*first = false;
	show_jstr(w, g);
	show_add(w, ",\"connections\":%zu", evs_sessions_group_count(s, g));
	if (users) {
		size_t shown = 0, n = evs_sessions_count(s);
		size_t *logins = malloc((n ? n : 1) * sizeof(*logins));
		show_add(w, ",\"users\":[");
		if (logins && evs_sessions_group_users(s, g, nocase, logins) != SIZE_MAX)
			for (size_t i = 0; i < n; i++) {
				if (!logins[i])
					continue;
				show_add(w, "%s{\"user\":", shown++ ? "," : "");
				show_jstr(w, evs_sessions_at(s, i)->user);
				show_add(w, ",\"logins\":%zu}",
				         logins[i] == SIZE_MAX ? 0 : logins[i]);
			}
		else
			w->oom = true;
		free(logins);
		show_add(w, "]");
	}
	show_add(w, "}");
}

/* summary: every configured group with its users; group: the groups with connections. */
static void json_groups(struct wb *w, struct evs_daemon *d, bool summary)
{
	const struct evs_config *cfg = evs_daemon_config(d);
	const struct evs_sessions *s = evs_daemon_sessions(d);
	bool nocase = evs_config_users_nocase(cfg), first = true;
	show_add(w, "[");
	for (size_t i = 0; i < evs_config_n_groups(cfg); i++) {
		const char *g = evs_config_group_name(cfg, i);
		if (summary || evs_sessions_group_count(s, g))
			json_group(w, s, g, summary, nocase, &first);
	}
	/* groups a reload removed whose sessions are still up */
	for (size_t i = 0; i < evs_sessions_count(s); i++) {
		const char *g = evs_sessions_at(s, i)->group;
		if (evs_config_group_find(cfg, g) < 0 && !group_seen_before(s, i, g))
			json_group(w, s, g, summary, nocase, &first);
	}
	show_add(w, "]\n");
}

/* ---- dispatch ---- */

static bool is(size_t n, char **t, size_t want, const char *const *words)
{
	if (n != want)
		return false;
	for (size_t i = 0; i < want; i++)
		if (strcmp(t[i], words[i]) != 0)
			return false;
	return true;
}

#define IS(...)                                                                                    \
	is(n, t, sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *),                \
	   (const char *const[]){__VA_ARGS__})

size_t evs_show_control(struct evs_daemon *d, const char *cmd, char *out, size_t cap)
{
	struct wb w = {.out = out, .cap = cap};
	char buf[512];
	char *t[SHOW_MAX_TOKENS];
	size_t n = 0;
	bool json = false;
	if (cap)
		out[0] = 0;
	snprintf(buf, sizeof(buf), "%s", cmd);
	for (char *sp, *tok = strtok_r(buf, " \t", &sp); tok; tok = strtok_r(NULL, " \t", &sp)) {
		if (strcmp(tok, "--json") == 0)
			json = true;
		else if (n < SHOW_MAX_TOKENS)
			t[n++] = tok;
		else
			goto invalid;
	}
	if (IS("show", "crypto", "dynamic-map"))
		show_dmap(&w, evs_daemon_config(d), NULL, json);
	else if (n == 5 && IS("show", "crypto", "dynamic-map", "tag", t[4]))
		show_dmap(&w, evs_daemon_config(d), t[4], json);
	else if (IS("show", "crypto", "isakmp", "sa"))
		show_isakmp(&w, d, json);
	else if (IS("show", "crypto", "isakmp", "sa", "detail"))
		show_isakmp_detail(&w, d, json);
	else if (IS("show", "crypto", "session"))
		show_session(&w, d, false, json);
	else if (IS("show", "crypto", "session", "detail"))
		show_session(&w, d, true, json);
	else if (json && IS("show", "crypto", "session", "summary"))
		json_groups(&w, d, true);
	else if (json && IS("show", "crypto", "session", "group"))
		json_groups(&w, d, false);
	else if (json && IS("show", "crypto", "ipsec", "sa"))
		show_ipsec_json(&w, d);
	else if (!json && IS("clear", "crypto", "session"))
		show_add(&w, "cleared %zu session(s)\n", evs_daemon_clear(d, NULL));
	else if (!json && n == 5 && IS("clear", "crypto", "session", "username", t[4]))
		show_add(&w, "cleared %zu session(s) of user %s\n", evs_daemon_clear(d, t[4]),
		         t[4]);
	else
		goto invalid;
	if (w.oom) {
		w.n = 0;
		show_add(&w, "%% the answer to '%s' could not be made: out of memory\n", cmd);
	}
	return w.n;
invalid:
	show_add(&w,
	         "%% Invalid input: '%s'; evs answers 'show crypto dynamic-map [tag NAME]', 'show "
	         "crypto isakmp sa [detail]', 'show crypto ipsec sa', 'show crypto session "
	         "[detail|summary|"
	         "group]' (each with --json) and 'clear crypto session [username USER]'\n",
	         cmd);
	return w.n;
}

static size_t answer(struct evs_daemon *d, const char *cmd, char *out, size_t cap)
{
	if (strcmp(cmd, "show crypto session summary") == 0)
		return evs_show_session_summary(evs_daemon_sessions(d), evs_daemon_config(d), out,
		                                cap);
	if (strcmp(cmd, "show crypto session group") == 0)
		return evs_show_session_group(evs_daemon_sessions(d), evs_daemon_config(d), out,
		                              cap);
	if (strcmp(cmd, "show crypto ipsec sa") == 0)
		return show_ipsec_text(d, out, cap);
	return evs_show_control(d, cmd, out, cap);
}

size_t evs_daemon_control(void *ctx, const char *cmd, char *out, size_t cap)
{
	struct evs_daemon *d = ctx;
	struct ctl_srv *srv = evs_daemon_control_srv(d);
	if (!cap)
		return 0;
	size_t len = answer(d, cmd, out, cap);
	if (len < cap)
		return len;
	/*
	 * Longer than one part and not made in parts (the session summaries, a few bytes a
	 * group and user, quick to format even at 5,000 sessions): made again whole into a
	 * buffer of its size, which the control socket sends as the client reads. Only a show
	 * command, which changes nothing, is asked twice.
	 */
	char *big = srv && strncmp(cmd, "show ", 5) == 0 ? malloc(len + 1) : NULL;
	if (big) {
		size_t again = answer(d, cmd, big, len + 1);
		if (again <= len && ctl_srv_more_buf(srv, big, again) == 0)
			return 0;
		if (again > len)
			free(big);
	}
	return cap + 1; /* cut, and the control socket says so at its end */
}
