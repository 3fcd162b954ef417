/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crypto commands of the configuration: `crypto isakmp policy` and the isakmp timers,
 * `crypto ipsec transform-set`, `crypto dynamic-map`, and the static `crypto map`.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/crypto.h"
#include "ike/frag.h"
#include "ike/isakmp.h"
#include "server/core/config_int.h"

#define N(tk) ((tk)->n)
#define T(tk, i) ((tk)->t[i])

/* ---- crypto isakmp: IKE phase 1 ---- */

static void cmd_isakmp_policy_open(struct cfg_parser *p, const struct cfg_toks *tk)
{
	unsigned long prio;
	struct cfg_ikepol *pol = NULL;
	size_t i;

	if (N(tk) != 4 || !cfg_parse_uint(T(tk, 3), 1, 10000, &prio)) {
		cfg_usage(p, "crypto isakmp policy <1-10000>");
		return;
	}
	for (i = 0; i < p->cfg->ikepols.n; i++) {
		if (p->cfg->ikepols.v[i].prio == prio) {
			pol = &p->cfg->ikepols.v[i];
			break;
		}
	}
	if (!pol) {
		pol = CFG_PUSH(p->cfg->ikepols);
		if (!pol) {
			cfg_nomem(p);
			return;
		}
		i = p->cfg->ikepols.n - 1;
		pol->prio = (unsigned)prio;
		pol->line = p->lineno;
	}
	cfg_open_mode(p, CFG_MODE_ISAKMP, i);
}

static void isakmp_encryption(struct cfg_parser *p, const struct cfg_toks *tk,
                              struct cfg_ikepol *pol)
{
	static const char syntax[] = "encryption {3des | aes [128 | 192 | 256]}";
	unsigned long bits = 128;

	if (N(tk) < 2 || N(tk) > 3) {
		cfg_usage(p, syntax);
		return;
	}
	if (cfg_kw(T(tk, 1), "des")) {
		cfg_error(p, p->lineno,
		          "DES is not supported by evs (56-bit keys are broken); use 'encryption "
		          "aes 256'");
		return;
	}
	if (cfg_kw(T(tk, 1), "3des") && N(tk) == 2) {
		pol->encr = CIPHER_3DES;
		pol->key_bits = 0;
		return;
	}
	if (!cfg_kw(T(tk, 1), "aes")) {
		cfg_usage(p, syntax);
		return;
	}
	if (N(tk) == 3 && (!cfg_parse_uint(T(tk, 2), 128, 256, &bits) ||
	                   (bits != 128 && bits != 192 && bits != 256))) {
		cfg_error(p, p->lineno, "AES key size must be 128, 192 or 256, not '%s'", T(tk, 2));
		return;
	}
	pol->encr = CIPHER_AES_CBC;
	pol->key_bits = (uint16_t)bits;
}

static void isakmp_hash(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_ikepol *pol)
{
	static const struct {
		const char *kw;
		uint8_t h;
	} hashes[] = {
	    {"md5", HASH_MD5},       {"sha", HASH_SHA1},      {"sha256", HASH_SHA256},
	    {"sha384", HASH_SHA384}, {"sha512", HASH_SHA512},
	};

	if (N(tk) == 2) {
		for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++) {
			if (cfg_kw(T(tk, 1), hashes[i].kw)) {
				pol->hash = hashes[i].h;
				return;
			}
		}
	}
	cfg_usage(p, "hash {md5 | sha | sha256 | sha384 | sha512}");
}

static void isakmp_auth(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_ikepol *pol)
{
	if (N(tk) == 2 && cfg_kw(T(tk, 1), "pre-share")) {
		pol->auth = IKE_AUTH_PSK;
	} else if (N(tk) == 2 && cfg_kw(T(tk, 1), "rsa-sig")) {
		pol->auth = IKE_AUTH_RSA_SIG;
	} else if (N(tk) == 2 && (cfg_kw(T(tk, 1), "rsa-encr") || cfg_kw(T(tk, 1), "ecdsa-sig"))) {
		cfg_error(p, p->lineno,
		          "authentication %s is not supported by evs (nor by Cisco EasyVPN "
		          "clients); use 'authentication pre-share'",
		          T(tk, 1));
	} else {
		cfg_usage(p, "authentication {pre-share | rsa-sig}");
	}
}

/* MODP 2, 5, 14, 15, 16 and the ECP groups 19 (256-bit) and 20 (384-bit) of RFC 5903 */
static bool dh_group_ok(unsigned long g)
{
	return g == 2 || g == 5 || g == 14 || g == 15 || g == 16 || g == 19 || g == 20;
}

static void isakmp_group(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_ikepol *pol)
{
	unsigned long g;

	if (N(tk) != 2 || !cfg_parse_uint(T(tk, 1), 1, 32, &g)) {
		cfg_usage(p, "group {2 | 5 | 14 | 15 | 16 | 19 | 20}");
		return;
	}
	if (g == 1) {
		cfg_error(p, p->lineno,
		          "DH group 1 (768-bit MODP) is not supported by evs (nor by Cisco "
		          "EasyVPN servers for Cisco clients); use 'group 2' or stronger");
		return;
	}
	if (!dh_group_ok(g)) {
		cfg_error(p, p->lineno,
		          "DH group %lu is not supported by evs; use group 2, 5, 14, 15, 16, 19 "
		          "or 20",
		          g);
		return;
	}
	pol->group = (uint8_t)g;
}

void cfg_cmd_isakmp_policy(struct cfg_parser *p, struct cfg_toks *tk)
{
	struct cfg_ikepol *pol = &p->cfg->ikepols.v[p->mode_idx];
	unsigned long life;

	if (cfg_kw(T(tk, 0), "encryption")) {
		isakmp_encryption(p, tk, pol);
	} else if (cfg_kw(T(tk, 0), "hash")) {
		isakmp_hash(p, tk, pol);
	} else if (cfg_kw(T(tk, 0), "authentication")) {
		isakmp_auth(p, tk, pol);
	} else if (cfg_kw(T(tk, 0), "group")) {
		isakmp_group(p, tk, pol);
	} else if (cfg_kw(T(tk, 0), "lifetime")) {
		if (N(tk) != 2 || !cfg_parse_uint(T(tk, 1), 60, 86400, &life)) {
			cfg_usage(p, "lifetime <60-86400>");
			return;
		}
		pol->life = (uint32_t)life;
	} else {
		cfg_error(p, p->lineno, "unknown command '%s' in 'crypto isakmp policy %u'",
		          T(tk, 0), pol->prio);
	}
}

static void cmd_crypto_isakmp(struct cfg_parser *p, const struct cfg_toks *tk)
{
	unsigned long a, b;
	const char *w = N(tk) > 2 ? T(tk, 2) : "";

	if (cfg_kw(w, "policy")) {
		cmd_isakmp_policy_open(p, tk);
	} else if (cfg_kw(w, "client") && N(tk) >= 5 && cfg_kw(T(tk, 3), "configuration") &&
	           cfg_kw(T(tk, 4), "group")) {
		cfg_cmd_group_open(p, tk);
	} else if (cfg_kw(w, "client") && N(tk) >= 5 && cfg_kw(T(tk, 3), "configuration") &&
	           cfg_kw(T(tk, 4), "address-pool")) {
		cfg_error(p, p->lineno,
		          "a global address pool is not supported by evs; give each group its "
		          "pool with 'pool' under the group");
	} else if (cfg_kw(w, "keepalive")) {
		size_t n = N(tk);
		bool periodic = false;

		if (n >= 4 &&
		    (cfg_kw(T(tk, n - 1), "periodic") || cfg_kw(T(tk, n - 1), "on-demand"))) {
			periodic = cfg_kw(T(tk, n - 1), "periodic");
			n--;
		}
		b = 2; /* IOS default retry interval */
		if (n < 4 || n > 5 || !cfg_parse_uint(T(tk, 3), 10, 3600, &a) ||
		    (n == 5 && !cfg_parse_uint(T(tk, 4), 2, 60, &b))) {
			cfg_usage(p, "crypto isakmp keepalive <10-3600> [<2-60>] [periodic | "
			             "on-demand]");
			return;
		}
		p->cfg->ka_secs = (unsigned)a;
		p->cfg->ka_retry = (unsigned)b;
		p->cfg->ka_periodic = periodic;
	} else if (cfg_kw(w, "key")) {
		cfg_cmd_isakmp_key(p, tk);
	} else if (cfg_kw(w, "xauth")) {
		if (N(tk) != 5 || !cfg_kw(T(tk, 3), "timeout") ||
		    !cfg_parse_uint(T(tk, 4), 5, 90, &a)) {
			cfg_usage(p, "crypto isakmp xauth timeout <5-90>");
			return;
		}
		p->cfg->xauth_timeout = (unsigned)a;
	} else if (cfg_kw(w, "fragmentation")) {
		/* IOS's command turns fragmentation on, which evs always has; the mtu form is
		 * evs's own (IOS has it for IKEv2 only): the datagram size above which a message
		 * goes in fragments, for paths that drop IP fragments below 1280 bytes */
		if (N(tk) == 3)
			return;
		if (N(tk) != 5 || !cfg_kw(T(tk, 3), "mtu") ||
		    !cfg_parse_uint(T(tk, 4), IKE_FRAG_MIN_SIZE, 16000, &a)) {
			cfg_usage(p, "crypto isakmp fragmentation [mtu <128-16000>]");
			return;
		}
		p->cfg->frag_size = (unsigned)a;
	} else if (cfg_kw(w, "nat")) {
		if (N(tk) != 5 || !cfg_kw(T(tk, 3), "keepalive") ||
		    !cfg_parse_uint(T(tk, 4), 5, 3600, &a)) {
			cfg_usage(p, "crypto isakmp nat keepalive <5-3600>");
			return;
		}
		p->cfg->nat_ka = (unsigned)a;
	} else {
		cfg_unknown_global(p, tk);
	}
}

/* ---- crypto ipsec transform-set, crypto dynamic-map ---- */

static bool parse_transforms(struct cfg_parser *p, const struct cfg_toks *tk, size_t i,
                             struct cfg_tset *ts)
{
	bool have_enc = false, have_auth = false;

	for (; i < N(tk); i++) {
		const char *t = T(tk, i);
		unsigned long bits = 128;
		uint8_t auth = 0;

		if (cfg_kw(t, "esp-3des") || cfg_kw(t, "esp-aes") || cfg_kw(t, "esp-null") ||
		    cfg_kw(t, "esp-gcm")) {
			if (have_enc) {
				cfg_error(p, p->lineno, "more than one ESP encryption transform");
				return false;
			}
			have_enc = true;
			ts->key_bits = 0;
			bool gcm = cfg_kw(t, "esp-gcm");
			if (cfg_kw(t, "esp-3des")) {
				ts->esp = ESP_ENCR_3DES;
			} else if (cfg_kw(t, "esp-null")) {
				ts->esp = ESP_ENCR_NULL;
			} else {
				if (i + 1 < N(tk) &&
				    cfg_parse_uint(T(tk, i + 1), 0, 65535, &bits)) {
					if (bits != 128 && bits != 192 && bits != 256) {
						cfg_error(
						    p, p->lineno,
						    "AES key size must be 128, 192 or 256, not "
						    "'%s'",
						    T(tk, i + 1));
						return false;
					}
					i++;
				}
				/* IOS: esp-gcm takes 128 (the default), 192 or 256 */
				ts->esp = gcm ? ESP_ENCR_AES_GCM16 : ESP_ENCR_AES_CBC;
				ts->key_bits = (uint16_t)bits;
			}
			continue;
		}
		if (cfg_kw(t, "esp-md5-hmac"))
			auth = ESP_AUTH_HMAC_MD5;
		else if (cfg_kw(t, "esp-sha-hmac"))
			auth = ESP_AUTH_HMAC_SHA1;
		else if (cfg_kw(t, "esp-sha256-hmac"))
			auth = ESP_AUTH_HMAC_SHA256;
		if (auth) {
			if (have_auth) {
				cfg_error(p, p->lineno,
				          "more than one ESP authentication transform");
				return false;
			}
			have_auth = true;
			ts->auth = auth;
			continue;
		}
		if (cfg_kw(t, "esp-des")) {
			cfg_error(p, p->lineno,
			          "esp-des is not supported by evs (56-bit keys are broken); use "
			          "esp-aes 256");
		} else if (strncasecmp(t, "ah-", 3) == 0) {
			cfg_error(p, p->lineno,
			          "AH is not supported by evs (EasyVPN clients use ESP only); use "
			          "'esp-aes 256 esp-sha-hmac'");
		} else if (cfg_kw(t, "comp-lzs")) {
			cfg_error(p, p->lineno, "IP compression is not supported by evs");
		} else if (strncasecmp(t, "esp-", 4) == 0) {
			cfg_error(
			    p, p->lineno,
			    "transform '%s' is not supported by evs; use esp-gcm [128|192|256] "
			    "alone, or esp-aes [128|192|256], esp-3des or esp-null with "
			    "esp-sha-hmac, esp-sha256-hmac or esp-md5-hmac",
			    t);
		} else {
			cfg_error(p, p->lineno, "'%s' is not a transform", t);
		}
		return false;
	}
	if (!have_enc) {
		cfg_error(p, p->lineno,
		          "the transform set has no ESP encryption transform (esp-gcm, esp-aes, "
		          "esp-3des or esp-null)");
		return false;
	}
	if (ts->esp == ESP_ENCR_AES_GCM16) {
		if (have_auth) {
			cfg_error(p, p->lineno,
			          "esp-gcm authenticates by itself: remove the %s transform",
			          ts->auth == ESP_AUTH_HMAC_MD5      ? "esp-md5-hmac"
			          : ts->auth == ESP_AUTH_HMAC_SHA256 ? "esp-sha256-hmac"
			                                             : "esp-sha-hmac");
			return false;
		}
		ts->auth = ESP_AUTH_NONE;
		return true;
	}
	if (!have_auth) {
		cfg_error(p, p->lineno,
		          "evs requires an ESP authentication transform (esp-sha-hmac, "
		          "esp-sha256-hmac or esp-md5-hmac) in every transform set");
		return false;
	}
	return true;
}

static void cmd_transform_set(struct cfg_parser *p, const struct cfg_toks *tk)
{
	struct cfg_tset tmp = {0}, *ts;

	if (N(tk) < 5) {
		cfg_usage(p, "crypto ipsec transform-set NAME TRANSFORM1 [TRANSFORM2 ...]");
		return;
	}
	if (!cfg_name_ok(p, "transform set", T(tk, 3)) || !parse_transforms(p, tk, 4, &tmp))
		return;
	ts = cfg_find_tset(p->cfg, T(tk, 3));
	if (!ts) {
		ts = CFG_PUSH(p->cfg->tsets);
		if (!ts) {
			cfg_nomem(p);
			return;
		}
		ts->name = cfg_strdup(p, T(tk, 3));
		ts->line = p->lineno;
	}
	ts->esp = tmp.esp;
	ts->key_bits = tmp.key_bits;
	ts->auth = tmp.auth;
	cfg_open_mode(p, CFG_MODE_TSET, (size_t)(ts - p->cfg->tsets.v));
}

void cfg_cmd_tset(struct cfg_parser *p, struct cfg_toks *tk)
{
	if (cfg_kw(T(tk, 0), "mode")) {
		if (N(tk) == 2 && cfg_kw(T(tk, 1), "tunnel"))
			return;
		if (N(tk) == 2 && cfg_kw(T(tk, 1), "transport")) {
			cfg_error(p, p->lineno,
			          "transport mode is not supported by evs (EasyVPN uses tunnel "
			          "mode); use 'mode tunnel'");
			return;
		}
		cfg_usage(p, "mode tunnel");
		return;
	}
	cfg_error(p, p->lineno, "unknown command '%s' in a transform set", T(tk, 0));
}

/* `seconds N` / `kilobytes N` at tk[i], IOS ranges. */
static bool parse_sa_lifetime(struct cfg_parser *p, const struct cfg_toks *tk, size_t i,
                              uint32_t *secs, uint32_t *kb)
{
	unsigned long v;

	if (N(tk) == i + 2 && cfg_kw(T(tk, i), "seconds") &&
	    cfg_parse_uint(T(tk, i + 1), 120, 86400, &v)) {
		*secs = (uint32_t)v;
		return true;
	}
	if (N(tk) == i + 2 && cfg_kw(T(tk, i), "kilobytes") &&
	    cfg_parse_uint(T(tk, i + 1), 2560, 4294967295ul, &v)) {
		*kb = (uint32_t)v;
		return true;
	}
	return false;
}

static void cmd_crypto_ipsec(struct cfg_parser *p, const struct cfg_toks *tk)
{
	const char *w = N(tk) > 2 ? T(tk, 2) : "";

	if (cfg_kw(w, "transform-set")) {
		cmd_transform_set(p, tk);
	} else if (cfg_kw(w, "nat-transparency")) {
		cfg_cmd_nat_transparency(p, tk, 3, true);
	} else if (cfg_kw(w, "security-association") && N(tk) > 3 && cfg_kw(T(tk, 3), "lifetime")) {
		if (!parse_sa_lifetime(p, tk, 4, &p->cfg->ipsec_life_s, &p->cfg->ipsec_life_kb))
			cfg_usage(p, "crypto ipsec security-association lifetime {seconds "
			             "<120-86400> | kilobytes <2560-4294967295>}");
	} else {
		cfg_error(p, p->lineno, "'crypto ipsec %s' is not supported by evs", w);
	}
}

/* IOS: NAT traversal (RFC 3947 and its drafts) is on unless `no crypto ipsec nat-transparency
 * udp-encapsulation` turns it off; spi-matching is for IOS's own NAT, not a VPN server. */
void cfg_cmd_nat_transparency(struct cfg_parser *p, const struct cfg_toks *tk, size_t at, bool on)
{
	if (N(tk) != at + 1 ||
	    !(cfg_kw(T(tk, at), "udp-encapsulation") || cfg_kw(T(tk, at), "spi-matching"))) {
		cfg_usage(p, "[no] crypto ipsec nat-transparency {udp-encapsulation | "
		             "spi-matching}");
		return;
	}
	if (cfg_kw(T(tk, at), "spi-matching")) {
		cfg_error(p, p->lineno,
		          "'crypto ipsec nat-transparency spi-matching' is for ESP through an IOS "
		          "NAT router, which evs is not; NAT traversal in UDP is on by default");
		return;
	}
	p->cfg->natt_off = !on;
}

static void cmd_dynamic_map_open(struct cfg_parser *p, const struct cfg_toks *tk)
{
	unsigned long seq;
	struct cfg_dmap *d = NULL;
	size_t i;

	if (N(tk) != 4 || !cfg_parse_uint(T(tk, 3), 1, 65535, &seq)) {
		cfg_usage(p, "crypto dynamic-map NAME <1-65535>");
		return;
	}
	if (!cfg_name_ok(p, "dynamic-map", T(tk, 2)))
		return;
	for (i = 0; i < p->cfg->dmaps.n; i++) {
		d = &p->cfg->dmaps.v[i];
		if (d->seq == seq && strcmp(d->name, T(tk, 2)) == 0)
			break;
	}
	if (i == p->cfg->dmaps.n) {
		d = CFG_PUSH(p->cfg->dmaps);
		if (!d) {
			cfg_nomem(p);
			return;
		}
		d->name = cfg_strdup(p, T(tk, 2));
		d->seq = (unsigned)seq;
		d->line = p->lineno;
	}
	cfg_open_mode(p, CFG_MODE_DMAP, i);
}

static void dmap_set(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_dmap *d)
{
	const char *w = N(tk) > 1 ? T(tk, 1) : "";
	unsigned long g;

	if (cfg_kw(w, "transform-set")) {
		if (N(tk) < 3 || N(tk) > 8) {
			cfg_usage(p, "set transform-set NAME1 [NAME2 ... NAME6]");
			return;
		}
		cfg_strv_free(&d->tsets);
		for (size_t i = 2; i < N(tk); i++)
			if (!cfg_strv_push(p, &d->tsets, T(tk, i)))
				return;
		d->tsets_line = p->lineno;
	} else if (cfg_kw(w, "security-association") && N(tk) > 2 && cfg_kw(T(tk, 2), "lifetime")) {
		if (!parse_sa_lifetime(p, tk, 3, &d->life_s, &d->life_kb))
			cfg_usage(p, "set security-association lifetime {seconds <120-86400> | "
			             "kilobytes <2560-4294967295>}");
	} else if (cfg_kw(w, "pfs")) {
		if (N(tk) == 2) {
			cfg_error(p, p->lineno,
			          "'set pfs' without a group means the IOS default group1, which "
			          "evs does not support; write 'set pfs group2'");
			return;
		}
		if (N(tk) != 3 || strncasecmp(T(tk, 2), "group", 5) != 0 ||
		    !cfg_parse_uint(T(tk, 2) + 5, 1, 32, &g)) {
			cfg_usage(p, "set pfs {group2 | group5 | group14 | group15 | group16 | "
			             "group19 | group20}");
			return;
		}
		if (!dh_group_ok(g)) {
			cfg_error(p, p->lineno,
			          "PFS %s is not supported by evs; use group2, group5, group14, "
			          "group15, group16, group19 or group20",
			          T(tk, 2));
			return;
		}
		d->pfs_group = (uint8_t)g;
		d->pfs_line = p->lineno;
	} else if (cfg_kw(w, "peer")) {
		cfg_error(p, p->lineno,
		          "'set peer' is not supported by evs: a dynamic map learns the peer when "
		          "the client connects");
	} else {
		cfg_error(p, p->lineno, "'set %s' is not supported by evs in a dynamic map", w);
	}
}

void cfg_cmd_dmap(struct cfg_parser *p, struct cfg_toks *tk)
{
	struct cfg_dmap *d = &p->cfg->dmaps.v[p->mode_idx];

	if (cfg_kw(T(tk, 0), "set")) {
		dmap_set(p, tk, d);
	} else if (cfg_kw(T(tk, 0), "reverse-route")) {
		if (N(tk) == 1)
			d->rri = EVS_RRI_CLIENT;
		else if (N(tk) == 2 && cfg_kw(T(tk, 1), "remote-peer"))
			d->rri = EVS_RRI_REMOTE_PEER;
		else
			cfg_usage(p, "reverse-route [remote-peer]");
	} else if (cfg_kw(T(tk, 0), "match")) {
		cfg_error(p, p->lineno,
		          "'match address' is not supported by evs: the client's address is only "
		          "known at connection time");
	} else if (cfg_kw(T(tk, 0), "description")) {
		return;
	} else {
		cfg_error(p, p->lineno, "unknown command '%s' in 'crypto dynamic-map %s %u'",
		          T(tk, 0), d->name, d->seq);
	}
}

/* ---- crypto map: the static crypto map ---- */

static struct cfg_cmap *cmap_get(struct cfg_parser *p, const char *name)
{
	struct cfg_cmap *m = cfg_find_cmap(p->cfg, name);

	if (m || !cfg_name_ok(p, "crypto map", name))
		return m;
	m = CFG_PUSH(p->cfg->cmaps);
	if (!m)
		return cfg_nomem(p);
	m->name = cfg_strdup(p, name);
	m->line = p->lineno;
	return m;
}

static void cmap_entry(struct cfg_parser *p, const struct cfg_toks *tk, struct cfg_cmap *m)
{
	unsigned long seq;
	struct cfg_cmap_entry *e = NULL;

	if (!cfg_parse_uint(T(tk, 3), 1, 65535, &seq) || N(tk) < 5) {
		cfg_usage(p, "crypto map NAME <1-65535> ipsec-isakmp dynamic DYNAMIC-MAP");
		return;
	}
	if (!cfg_kw(T(tk, 4), "ipsec-isakmp") ||
	    (N(tk) == 5 || (N(tk) >= 6 && !cfg_kw(T(tk, 5), "dynamic")))) {
		cfg_error(p, p->lineno,
		          "static crypto map entries (LAN-to-LAN) are not supported by evs; use "
		          "'crypto map %s %lu ipsec-isakmp dynamic DYNAMIC-MAP'",
		          m->name, seq);
		return;
	}
	if (N(tk) != 7) {
		cfg_usage(p, "crypto map NAME <1-65535> ipsec-isakmp dynamic DYNAMIC-MAP");
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].seq == seq)
			e = &m->v[i];
	if (!e) {
		e = cfg_vec_push(&m->v, &m->n, &m->cap, sizeof(*m->v));
		if (!e) {
			cfg_nomem(p);
			return;
		}
	}
	e->seq = (unsigned)seq;
	e->line = p->lineno;
	cfg_set_str(p, &e->dyn, T(tk, 6));
}

static void cmd_crypto_map(struct cfg_parser *p, const struct cfg_toks *tk)
{
	struct cfg_cmap *m;

	if (N(tk) == 3 && p->closed_mode == CFG_MODE_IFACE) {
		cfg_error(p, p->lineno,
		          "'crypto map %s' applies the map to an interface: indent it below "
		          "'interface' (line %u)",
		          T(tk, 2), p->closed_line);
		return;
	}
	if (N(tk) < 5) {
		cfg_usage(p, "crypto map NAME ...");
		return;
	}
	m = cmap_get(p, T(tk, 2));
	if (!m)
		return;
	if (cfg_kw(T(tk, 3), "client") && cfg_kw(T(tk, 4), "authentication")) {
		if (N(tk) != 7 || !cfg_kw(T(tk, 5), "list")) {
			cfg_usage(p, "crypto map NAME client authentication list LIST");
			return;
		}
		if (cfg_set_str(p, &m->authen_list, T(tk, 6)))
			m->authen_line = p->lineno;
	} else if (cfg_kw(T(tk, 3), "isakmp") && cfg_kw(T(tk, 4), "authorization")) {
		if (N(tk) != 7 || !cfg_kw(T(tk, 5), "list")) {
			cfg_usage(p, "crypto map NAME isakmp authorization list LIST");
			return;
		}
		if (cfg_set_str(p, &m->author_list, T(tk, 6)))
			m->author_line = p->lineno;
	} else if (cfg_kw(T(tk, 3), "client") && cfg_kw(T(tk, 4), "configuration")) {
		if (N(tk) != 7 || !cfg_kw(T(tk, 5), "address") ||
		    !(cfg_kw(T(tk, 6), "initiate") || cfg_kw(T(tk, 6), "respond"))) {
			cfg_usage(p, "crypto map NAME client configuration address {initiate | "
			             "respond}");
			return;
		}
		if (cfg_kw(T(tk, 6), "initiate"))
			m->initiate = true;
		else
			m->respond = true;
		if (!m->address_line)
			m->address_line = p->lineno;
	} else if (T(tk, 3)[0] >= '0' && T(tk, 3)[0] <= '9') {
		cmap_entry(p, tk, m);
	} else {
		cfg_error(p, p->lineno, "'crypto map %s %s' is not supported by evs", m->name,
		          T(tk, 3));
	}
}

void cfg_cmd_crypto(struct cfg_parser *p, const struct cfg_toks *tk)
{
	const char *w = N(tk) > 1 ? T(tk, 1) : "";

	if (cfg_kw(w, "isakmp"))
		cmd_crypto_isakmp(p, tk);
	else if (cfg_kw(w, "ipsec"))
		cmd_crypto_ipsec(p, tk);
	else if (cfg_kw(w, "dynamic-map"))
		cmd_dynamic_map_open(p, tk);
	else if (cfg_kw(w, "map"))
		cmd_crypto_map(p, tk);
	else
		cfg_unknown_global(p, tk);
}
