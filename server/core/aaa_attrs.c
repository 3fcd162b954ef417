/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS reply attributes onto a user's policy: see aaa_attrs.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/ipv4.h"
#include "server/core/aaa_attrs.h"
#include "server/core/config_aaa.h"

#define RADIUS_FRAMED_IP_ADDRESS 8
#define RADIUS_FRAMED_IP_NETMASK 9
#define FRAMED_NAS_CHOOSES 0xfffffffeu /* RFC 2865 5.8 */
#define FRAMED_USER_CHOOSES 0xffffffffu

/* A dotted quad into host byte order; 0 or -EINVAL. */
static int ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

static void note_ignored(struct evs_aaa_attrs *out, const char *name, size_t len)
{
	size_t n = strlen(out->ignored);

	if (n + len + 3 >= sizeof(out->ignored))
		return;
	snprintf(out->ignored + n, sizeof(out->ignored) - n, "%s%.*s", n ? ", " : "", (int)len,
	         name);
}

/* "1", "true", "yes" / "0", "false", "no" (IOS writes 1 and 0). */
static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "1") || !strcasecmp(v, "true") || !strcasecmp(v, "yes"))
		*out = true;
	else if (!strcmp(v, "0") || !strcasecmp(v, "false") || !strcasecmp(v, "no"))
		*out = false;
	else
		return false;
	return true;
}

/* Up to max addresses separated by blanks or commas. */
static bool parse_addrs(const char *v, uint32_t *out, size_t max, size_t *n)
{
	char buf[EVS_AAA_VALUE_MAX + 1], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", v);
	*n = 0;
	for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		if (*n == max || ipv4_parse(t, &out[*n]) != 0)
			return false;
		(*n)++;
	}
	return *n > 0;
}

/* Names separated by blanks or commas, rewritten comma-separated. */
static bool parse_names(const char *v, char *out, size_t outlen)
{
	char buf[EVS_AAA_VALUE_MAX + 1], *save = NULL;
	size_t o = 0;

	snprintf(buf, sizeof(buf), "%s", v);
	out[0] = '\0';
	for (char *t = strtok_r(buf, " \t,", &save); t; t = strtok_r(NULL, " \t,", &save)) {
		int w = snprintf(out + o, outlen - o, "%s%s", o ? "," : "", t);
		if (w < 0 || (size_t)w >= outlen - o)
			return false;
		o += (size_t)w;
	}
	return o > 0;
}

static bool printable(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return false;
	return true;
}

static bool copy_name(const char *v, char *out, size_t outlen)
{
	size_t n = strlen(v);

	if (!n || n >= outlen || strpbrk(v, " \t,"))
		return false;
	memcpy(out, v, n + 1);
	return true;
}

/* One "ipsec:NAME=VALUE"; 0, or -EINVAL with why. */
static int avpair(const char *text, struct evs_aaa_attrs *a, char *why, size_t whylen)
{
	const char *name = text + 6, *sep = name + strcspn(name, "=*"), *v;
	size_t nlen = (size_t)(sep - name);
	bool ok = true;

	if (!*sep) {
		note_ignored(a, text, strlen(text));
		return 0;
	}
	v = sep + 1;
#define IS(s) (nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	if (!printable(v)) {
		ok = false;
	} else if (IS("addr-pool")) {
		ok = copy_name(v, a->pool, sizeof(a->pool));
		a->have |= EVS_ATTR_POOL;
	} else if (IS("dns-servers")) {
		ok = parse_addrs(v, a->dns, EVS_ATTR_MAX_SERVERS, &a->n_dns);
		a->have |= EVS_ATTR_DNS;
	} else if (IS("wins-servers")) {
		ok = parse_addrs(v, a->wins, EVS_ATTR_MAX_SERVERS, &a->n_wins);
		a->have |= EVS_ATTR_WINS;
	} else if (IS("default-domain")) {
		ok = copy_name(v, a->domain, sizeof(a->domain));
		a->have |= EVS_ATTR_DOMAIN;
	} else if (IS("split-dns")) {
		ok = parse_names(v, a->split_dns, sizeof(a->split_dns));
		a->have |= EVS_ATTR_SPLIT_DNS;
	} else if (IS("inacl")) {
		ok = copy_name(v, a->acl, sizeof(a->acl));
		a->have |= EVS_ATTR_ACL;
	} else if (IS("include-local-lan") || IS("user-include-local-lan")) {
		ok = parse_bool(v, &a->local_lan);
		a->have |= EVS_ATTR_LOCAL_LAN;
	} else if (IS("save-password") || IS("user-save-password")) {
		ok = parse_bool(v, &a->save_password);
		a->have |= EVS_ATTR_SAVE_PASSWORD;
	} else if (IS("pfs")) {
		ok = parse_bool(v, &a->pfs);
		a->have |= EVS_ATTR_PFS;
	} else if (IS("banner")) {
		snprintf(a->banner, sizeof(a->banner), "%s", v);
		a->have |= EVS_ATTR_BANNER;
	} else if (IS("ipsec-backup-gateway") || IS("backup-gateway")) {
		/* one pair per gateway, added up */
		uint32_t addr;
		size_t n = strlen(a->backup);
		ok = ipv4_parse(v, &addr) == 0 && n + strlen(v) + 2 < sizeof(a->backup);
		if (ok)
			snprintf(a->backup + n, sizeof(a->backup) - n, "%s%s", n ? "," : "", v);
		a->have |= EVS_ATTR_BACKUP;
	} else if (IS("user-vpn-group")) {
		ok = copy_name(v, a->vpn_group, sizeof(a->vpn_group));
		a->have |= EVS_ATTR_VPN_GROUP;
	} else {
		note_ignored(a, text, (size_t)(sep - text));
		return 0;
	}
#undef IS
	if (!ok) {
		snprintf(why, whylen,
		         "the RADIUS server's attribute %.*s has a value evs cannot use: \"%.64s\"",
		         (int)(sep - text), text, v);
		return -EINVAL;
	}
	return 0;
}

int evs_aaa_attrs_parse(const struct evs_aaa_pair *pairs, size_t n, struct evs_aaa_attrs *out,
                        char *why, size_t whylen)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		const struct evs_aaa_pair *p = &pairs[i];
		if (p->vendor == 0 && p->type == RADIUS_FRAMED_IP_ADDRESS && p->is_num) {
			if (p->num == FRAMED_NAS_CHOOSES || p->num == FRAMED_USER_CHOOSES)
				continue; /* the pool chooses */
			if (p->num == 0) {
				snprintf(why, whylen,
				         "the RADIUS server's Framed-IP-Address is 0.0.0.0");
				return -EINVAL;
			}
			out->addr = p->num;
			out->have |= EVS_ATTR_ADDR;
		} else if (p->vendor == 0 && p->type == RADIUS_FRAMED_IP_NETMASK && p->is_num) {
			uint32_t m = p->num;
			if (m == 0 || (~m & (~m + 1)) != 0) {
				snprintf(why, whylen,
				         "the RADIUS server's Framed-IP-Netmask is not a netmask");
				return -EINVAL;
			}
			out->netmask = m;
			out->have |= EVS_ATTR_NETMASK;
		} else if (p->vendor == EVS_AAA_VENDOR_CISCO && p->type == EVS_AAA_CISCO_AVPAIR &&
		           !p->is_num && strncasecmp(p->text, "ipsec:", 6) == 0) {
			int rc = avpair(p->text, out, why, whylen);
			if (rc)
				return rc;
		} else if (p->vendor == EVS_AAA_VENDOR_CISCO && !p->is_num) {
			note_ignored(out, p->text, strcspn(p->text, "=*"));
		} else {
			char name[32];
			int w = snprintf(name, sizeof(name), "attribute %u%s", p->type,
			                 p->vendor ? " (vendor)" : "");
			note_ignored(out, name, (size_t)(w > 0 ? w : 0));
		}
	}
	return 0;
}

static int pool_of(const struct evs_config *cfg, uint32_t addr)
{
	for (size_t i = 0; i < evs_config_n_pools(cfg); i++) {
		uint32_t first, last;
		evs_config_pool_range(cfg, i, &first, &last);
		if (addr >= first && addr <= last)
			return (int)i;
	}
	return -1;
}

int evs_aaa_attrs_apply(const struct evs_aaa_attrs *a, const struct evs_config *cfg,
                        struct evc_policy *pol, int *pool_idx, char *why, size_t whylen)
{
	if (a->have & EVS_ATTR_POOL) {
		int pi = evs_config_pool_find(cfg, a->pool);
		if (pi < 0) {
			snprintf(why, whylen,
			         "the RADIUS server names pool %s (ipsec:addr-pool), which the "
			         "configuration does not have",
			         a->pool);
			return -ENOENT;
		}
		*pool_idx = pi;
	}
	if (a->have & EVS_ATTR_ADDR) {
		*pool_idx = pool_of(cfg, a->addr); /* an address outside the pools is the user's */
		pol->addr = a->addr;
	}
	if (a->have & (EVS_ATTR_ADDR | EVS_ATTR_POOL)) {
		pol->have |= EVC_HAVE_ADDR | EVC_HAVE_NETMASK;
		if (!pol->netmask)
			pol->netmask = 0xffffffffu;
	}
	if ((a->have & EVS_ATTR_NETMASK) && (pol->have & EVC_HAVE_ADDR))
		pol->netmask = a->netmask;
	if ((a->have & EVS_ATTR_ACL) && !evs_config_acl_split(cfg, a->acl, pol)) {
		snprintf(why, whylen,
		         "the RADIUS server names access list %s (ipsec:inacl), which the "
		         "configuration does not have",
		         a->acl);
		return -ENOENT;
	}
	if (a->have & EVS_ATTR_DNS) {
		memcpy(pol->dns, a->dns, a->n_dns * sizeof(a->dns[0]));
		pol->n_dns = a->n_dns;
	}
	if (a->have & EVS_ATTR_WINS) {
		memcpy(pol->wins, a->wins, a->n_wins * sizeof(a->wins[0]));
		pol->n_wins = a->n_wins;
	}
	if (a->have & EVS_ATTR_DOMAIN) {
		pol->have |= EVC_HAVE_DOMAIN;
		snprintf(pol->domain, sizeof(pol->domain), "%s", a->domain);
	}
	if (a->have & EVS_ATTR_SPLIT_DNS) {
		pol->have |= EVC_HAVE_SPLIT_DNS;
		snprintf(pol->split_dns, sizeof(pol->split_dns), "%s", a->split_dns);
	}
	if (a->have & EVS_ATTR_BANNER) {
		pol->have |= EVC_HAVE_BANNER;
		snprintf(pol->banner, sizeof(pol->banner), "%s", a->banner);
	}
	if (a->have & EVS_ATTR_BACKUP) {
		pol->have |= EVC_HAVE_BACKUP;
		snprintf(pol->backup_servers, sizeof(pol->backup_servers), "%s", a->backup);
	}
	if (a->have & EVS_ATTR_SAVE_PASSWORD) {
		pol->have |= EVC_HAVE_SAVE_PASSWD;
		pol->save_passwd = a->save_password;
	}
	if (a->have & EVS_ATTR_PFS) {
		pol->have |= EVC_HAVE_PFS;
		pol->pfs = a->pfs;
	}
	if (a->have & EVS_ATTR_LOCAL_LAN) {
		/* Cisco's "local LAN" entry: host 0.0.0.0 stands for the client's own LAN */
		pol->n_local_lan = a->local_lan ? 1 : 0;
		pol->local_lan[0].addr = 0;
		pol->local_lan[0].mask = a->local_lan ? 0xffffffffu : 0;
	}
	return 0;
}
