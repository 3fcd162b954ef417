/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile + overrides + defaults -> struct evc_settings; see settings.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "client/core/settings.h"
#include "lib/crypto.h"
#include "lib/ipv4.h"
#include "profiles/secrets.h"
#include "ike/isakmp.h"
#include "lib/i18n.h"

/* a profile's NAT-T setting is handed to the engine as it is */
_Static_assert((int)PROF_NATT_AUTO == (int)IKE_NATT_AUTO &&
                   (int)PROF_NATT_FORCE == (int)IKE_NATT_FORCE &&
                   (int)PROF_NATT_OFF == (int)IKE_NATT_DISABLE,
               "enum prof_natt and enum ike_natt_mode must agree");

_Static_assert((int)PROF_DNS_RESOLV_CONF == (int)PLAT_DNS_RESOLV_CONF &&
                   (int)PROF_DNS_REPLACE_SYMLINK == (int)PLAT_DNS_REPLACE_SYMLINK &&
                   (int)PROF_DNS_OFF == (int)PLAT_DNS_OFF,
               "profile and platform DNS modes convert by value");
_Static_assert((int)EVC_SECRET_GROUP_KEY == (int)PROF_SECRET_GROUP_KEY &&
                   (int)EVC_SECRET_PASSWORD == (int)PROF_SECRET_PASSWORD,
               "secret kinds convert by value");

#define DEFAULT_DPD_S 30

void evc_overrides_init(struct evc_overrides *o)
{
	*o = (struct evc_overrides){.dh = -1,
	                            .dpd = -1,
	                            .frag_size = -1,
	                            .mtu = -1,
	                            .local_port = -1,
	                            .natt = -1,
	                            .dns = -1,
	                            .reconnect = -1,
	                            .weak = -1,
	                            .mode = -1,
	                            .exchange = -1};
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || !*s || *s == '-' || *s == '+' || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* One of the words of names (NULL-terminated), by index; -1 when none matches. */
static int word(const char *v, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

int evc_overrides_set(struct evc_overrides *o, const char *name, const char *v, char *err,
                      size_t errlen)
{
	static const char *const natt[] = {"auto", "force", "off", "cisco-udp", NULL};
	static const int natt_val[] = {IKE_NATT_AUTO, IKE_NATT_FORCE, IKE_NATT_DISABLE,
	                               PROF_NATT_CISCO_UDP};
	static const char *const dns[] = {"resolv-conf", "replace-symlink", "off", NULL};
	static const int dns_val[] = {PLAT_DNS_RESOLV_CONF, PLAT_DNS_REPLACE_SYMLINK, PLAT_DNS_OFF};
	struct {
		const char *name;
		const char **field;
	} const text[] = {
	    {"gateway", &o->gateway},
	    {"group", &o->group},
	    {"user", &o->user},
	    {"resolv-conf", &o->resolv_conf},
	    {"script", &o->script},
	    {"state-file", &o->state_path},
	    {"control", &o->control_path},
	    {"run-as", &o->run_as},
	    {"cert", &o->cert},
	    {"key", &o->key},
	    {"ca-file", &o->ca_file},
	    {"crl-file", &o->crl_file},
	};
	unsigned long n;
	int i;

	for (size_t k = 0; k < sizeof(text) / sizeof(text[0]); k++)
		if (strcmp(name, text[k].name) == 0) {
			*text[k].field = v;
			return 0;
		}
	if (strcmp(name, "dh") == 0) {
		if (!parse_uint(v, 255, &n) || !crypto_dh_len((unsigned)n))
			return bad(
			    err, errlen,
			    _("--dh %s: evc supports DH groups 2, 5, 14, 15, 16, 19 and 20 (1 "
			      "with --weak)"),
			    v);
		o->dh = (long)n;
	} else if (strcmp(name, "natt") == 0) {
		if ((i = word(v, natt)) < 0)
			return bad(err, errlen, _("--natt %s: use auto, force, off or cisco-udp"),
			           v);
		o->natt = natt_val[i];
	} else if (strcmp(name, "dpd") == 0) {
		if (!parse_uint(v, 86400, &n))
			return bad(err, errlen, _("--dpd %s: give seconds (0 to 86400)"), v);
		o->dpd = (long)n;
	} else if (strcmp(name, "ike-frag-size") == 0) {
		if (!parse_uint(v, 16412, &n) || (n && n < 128))
			return bad(err, errlen,
			           _("--ike-frag-size %s: give bytes (128 to 16412; 0 for 1252)"),
			           v);
		o->frag_size = (long)n;
	} else if (strcmp(name, "ifname") == 0) {
		if (strlen(v) >= EVC_IFNAME_MAX)
			return bad(err, errlen, _("--ifname %s: at most %d characters"), v,
			           EVC_IFNAME_MAX - 1);
		o->ifname = v;
	} else if (strcmp(name, "mtu") == 0) {
		if (!parse_uint(v, 9000, &n) || n < 576)
			return bad(err, errlen, _("--mtu %s: give 576 to 9000"), v);
		o->mtu = (long)n;
	} else if (strcmp(name, "dns") == 0) {
		if ((i = word(v, dns)) < 0)
			return bad(err, errlen,
			           _("--dns %s: use resolv-conf, replace-symlink or off"), v);
		o->dns = dns_val[i];
	} else if (strcmp(name, "local-port") == 0) {
		if (!parse_uint(v, 65535, &n) || n == IKE_NATT_PORT)
			return bad(err, errlen,
			           _("--local-port %s: give a UDP port other than 4500"), v);
		o->local_port = (long)n;
	} else if (strcmp(name, "reconnect") == 0) {
		static const char *const yn[] = {"no", "yes", NULL};
		if ((i = word(v, yn)) < 0)
			return bad(err, errlen, _("reconnect %s: use yes or no"), v);
		o->reconnect = i;
	} else if (strcmp(name, "mode") == 0) {
		static const char *const modes[] = {"client", "network-extension", NULL};
		if ((i = word(v, modes)) < 0)
			return bad(err, errlen, _("--mode %s: use client or network-extension"), v);
		o->mode = i;
	} else if (strcmp(name, "lan") == 0) {
		const char *why = NULL;
		if (o->n_lan >= IKE_MAX_LAN)
			return bad(err, errlen, _("--lan %s: evc carries at most %d LAN networks"),
			           v, IKE_MAX_LAN);
		if (prof_parse_net(v, &o->lan[o->n_lan], &why) != 0)
			return bad(err, errlen, _("--lan %s: %s"), v, why);
		o->n_lan++;
	} else if (strcmp(name, "exchange") == 0) {
		static const char *const ex[] = {"aggressive", "main", NULL};
		if ((i = word(v, ex)) < 0)
			return bad(err, errlen, _("--exchange %s: use aggressive or main"), v);
		o->exchange = i;
	} else if (strcmp(name, "weak") == 0) {
		static const char *const yn[] = {"no", "yes", NULL};
		if ((i = word(v, yn)) < 0)
			return bad(err, errlen, _("weak %s: use yes or no"), v);
		o->weak = i;
	} else {
		return -ENOENT;
	}
	return 0;
}

/* Copies text into a fixed field; a value that does not fit is an error, never cut short. */
static int put(char *dst, size_t cap, const char *src, const char *what, char *err, size_t errlen)
{
	if (!src) {
		dst[0] = '\0';
		return 0;
	}
	if (strlen(src) >= cap)
		return bad(err, errlen, _("the %s '%.40s...' is longer than %zu characters"), what,
		           src, cap - 1);
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static void note(evc_note_fn fn, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void note(evc_note_fn fn, void *ctx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(ctx, msg);
}

/* --run-as NAME (or a numeric uid): the user's uid and primary group. */
static int run_as(struct evc_settings *s, const char *name, char *err, size_t errlen)
{
	const struct passwd *pw;
	unsigned long n;
	if (!name)
		return 0;
	errno = 0;
	pw = getpwnam(name);
	if (!pw && parse_uint(name, 0xfffffffeul, &n))
		pw = getpwuid((uid_t)n);
	if (!pw)
		return bad(err, errlen, _("--run-as %s: no such user%s%s"), name, errno ? ": " : "",
		           errno ? strerror(errno) : "");
	if (pw->pw_uid == 0)
		return bad(err, errlen,
		           _("--run-as %s: that is root; name an unprivileged user (e.g. nobody)"),
		           name);
	s->run_as_uid = (unsigned)pw->pw_uid;
	s->run_as_gid = (unsigned)pw->pw_gid;
	return put(s->run_as_user, sizeof(s->run_as_user), name, "--run-as user", err, errlen);
}

/* What only a profile has: refusals, notes, PFS and proposals. */
static int from_profile(struct evc_settings *s, const struct evc_profile *p, unsigned dh,
                        evc_note_fn fn, void *ctx, char *err, size_t errlen)
{
	if (prof_pfs(p) == PROF_PFS_OFF)
		note(fn, ctx,
		     _("profile '%s' sets pfs = off; evc proposes no PFS, but uses it when the "
		       "gateway's policy asks for it"),
		     prof_name(p));
	s->pfs_group = prof_pfs(p) > 0 ? (unsigned)prof_pfs(p) : 0;
	struct prof_p1 l1[PROF_MAX_PROPS];
	struct prof_p2 l2[PROF_MAX_PROPS];
	size_t n1 = prof_ike_list(p, l1, PROF_MAX_PROPS), n2 = prof_esp_list(p, l2, PROF_MAX_PROPS);
	if (n1 > PROF_MAX_PROPS || 2 * n1 > EVC_MAX_P1 || n2 > PROF_MAX_PROPS || n2 > EVC_MAX_P2) {
		snprintf(err, errlen, _("profile '%s' lists more proposals than evc can offer"),
		         prof_name(p));
		return -E2BIG;
	}
	/* each `ike` entry with XAUTH first and the plain method second, as ike_default_p1
	 * offers them; one DH group at a time (aggressive mode commits to one, main mode falls
	 * back like it), so all carry --dh */
	static const uint16_t psk[2] = {IKE_AUTH_XAUTH_INIT_PSK, IKE_AUTH_PSK};
	static const uint16_t rsa[2] = {IKE_AUTH_XAUTH_INIT_RSA, IKE_AUTH_RSA_SIG};
	/* hybrid alone: without XAUTH nothing would authenticate us */
	static const uint16_t hybrid[1] = {IKE_AUTH_HYBRID_INIT_RSA};
	const uint16_t *auths = prof_auth(p) == PROF_AUTH_CERT     ? rsa
	                        : prof_auth(p) == PROF_AUTH_HYBRID ? hybrid
	                                                           : psk;
	size_t n_auths = prof_auth(p) == PROF_AUTH_HYBRID ? 1 : 2;
	s->n_p1 = 0;
	for (size_t i = 0; i < n1; i++)
		for (size_t a = 0; a < n_auths; a++)
			s->p1[s->n_p1++] = (struct ike_p1_prop){
			    .encr = l1[i].encr,
			    .key_bits = l1[i].bits,
			    .hash = l1[i].hash,
			    .auth = auths[a],
			    .group = (uint8_t)dh,
			};
	s->n_p2 = n2;
	for (size_t i = 0; i < n2; i++)
		s->p2[i] = (struct ike_p2_prop){
		    .esp = l2[i].esp,
		    .key_bits = l2[i].bits,
		    .auth = l2[i].auth,
		    .pfs_group = (uint8_t)s->pfs_group,
		};
	return 0;
}

/*
 * Main mode with RSA signatures: --cert, --key and --ca-file over a certificate profile's.
 * All three or none; the files are read when connecting, so that a renewed certificate is
 * taken by the next connection. --ca-file alone (or auth = hybrid with ca_cert) is hybrid
 * authentication: the gateway's certificate is checked, XAUTH authenticates us.
 */
static int certificate(struct evc_settings *s, const struct evc_profile *p,
                       const struct evc_overrides *o, char *err, size_t errlen)
{
	bool prof_cert_auth = p && prof_auth(p) == PROF_AUTH_CERT;
	bool prof_hybrid = p && prof_auth(p) == PROF_AUTH_HYBRID;
	const char *cert = o->cert ? o->cert : prof_cert_auth ? prof_cert(p) : NULL;
	const char *key = o->key ? o->key : prof_cert_auth ? prof_cert_key(p) : NULL;
	const char *ca = o->ca_file                      ? o->ca_file
	                 : prof_cert_auth || prof_hybrid ? prof_ca_cert(p)
	                                                 : NULL;
	cert = cert && *cert ? cert : NULL;
	key = key && *key ? key : NULL;
	ca = ca && *ca ? ca : NULL;
	if (prof_hybrid && !ca && !cert && !key)
		return bad(err, errlen,
		           _("profile '%s' says auth = hybrid but names no CA for the gateway's "
		             "certificate: set ca_cert = /PATH.pem in it, or give --ca-file FILE"),
		           prof_name(p));
	if (o->crl_file && !ca)
		return bad(err, errlen,
		           _("--crl-file checks the gateway's certificate: it needs --ca-file FILE "
		             "(or a certificate profile)"));
	if (o->crl_file &&
	    put(s->crl_path, sizeof(s->crl_path), o->crl_file, "CRL file name", err, errlen))
		return -EINVAL;
	if (!cert && !key && !ca)
		return 0;
	if (ca && !cert && !key) {
		s->hybrid = true;
		s->prop_flags |= IKE_PROP_HYBRID;
		return put(s->ca_path, sizeof(s->ca_path), ca, "CA file name", err, errlen);
	}
	if (!cert || !key || !ca)
		return bad(err, errlen,
		           _("main mode with a certificate needs all of --cert FILE (ours), --key "
		             "FILE (its private key) and --ca-file FILE (the CA of the gateway's "
		             "certificate); %s is missing"),
		           !cert  ? "--cert"
		           : !key ? "--key"
		                  : "--ca-file");
	s->prop_flags |= IKE_PROP_CERT;
	int rc =
	    put(s->cert_path, sizeof(s->cert_path), cert, "certificate file name", err, errlen);
	if (!rc)
		rc = put(s->key_path, sizeof(s->key_path), key, "key file name", err, errlen);
	if (!rc)
		rc = put(s->ca_path, sizeof(s->ca_path), ca, "CA file name", err, errlen);
	return rc;
}

static bool overlap(const struct evc_net *x, const struct evc_net *y)
{
	uint32_t m = x->mask & y->mask;
	return (x->addr & m) == (y->addr & m);
}

static const char *net_str(const struct evc_net *n, char *buf, size_t len)
{
	char a[20];
	ipv4_str(n->addr, a, sizeof(a));
	snprintf(buf, len, "%s/%d", a, __builtin_popcount(n->mask));
	return buf;
}

/*
 * The mode and its LANs: --mode and --lan over the profile's mode and lan. A LAN must not
 * overlap another or hold a gateway given as an address (its packets to the gateway would
 * be routed to the LAN); names are resolved later and checked there.
 */
static int lans(struct evc_settings *s, const struct evc_profile *p, const struct evc_overrides *o,
                char *err, size_t errlen)
{
	char x[40], y[40];
	bool from_cli = o->n_lan > 0;
	s->mode = o->mode >= 0                                       ? (enum evc_mode)o->mode
	          : p && prof_mode(p) == PROF_MODE_NETWORK_EXTENSION ? EVC_MODE_NETWORK_EXTENSION
	                                                             : EVC_MODE_CLIENT;
	if (from_cli) {
		memcpy(s->lan, o->lan, o->n_lan * sizeof(o->lan[0]));
		s->n_lan = o->n_lan;
	} else if (p) {
		if (prof_lan_count(p) > IKE_MAX_LAN)
			return bad(err, errlen,
			           _("profile '%s' lists %zu LAN networks; evc carries at most %d"),
			           prof_name(p), prof_lan_count(p), IKE_MAX_LAN);
		for (size_t i = 0; i < prof_lan_count(p); i++)
			s->lan[s->n_lan++] = prof_lan(p, i);
	}
	const char *src = from_cli ? "--lan" : "lan";
	if (s->mode == EVC_MODE_NETWORK_EXTENSION && !s->n_lan)
		return bad(err, errlen,
		           _("network-extension mode needs the networks behind this host: give "
		             "--lan a.b.c.d/len (or lan = in the profile)"));
	for (size_t i = 0; i < s->n_lan; i++) {
		if (!s->lan[i].mask)
			return bad(
			    err, errlen,
			    _("%s 0.0.0.0/0: a LAN cannot be every address; give the network "
			      "behind this host"),
			    src);
		for (size_t k = 0; k < i; k++)
			if (overlap(&s->lan[i], &s->lan[k]))
				return bad(err, errlen,
				           _("%s %s overlaps %s: give each network once"), src,
				           net_str(&s->lan[i], x, sizeof(x)),
				           net_str(&s->lan[k], y, sizeof(y)));
		for (size_t g = 0; g < s->n_gateways; g++) {
			struct in_addr in;
			if (inet_pton(AF_INET, s->gateways[g], &in) != 1)
				continue;
			struct evc_net gw = {ntohl(in.s_addr), 0xffffffffu};
			if (overlap(&s->lan[i], &gw))
				return bad(err, errlen,
				           _("%s %s holds the gateway %s: the tunnel's own packets "
				             "would be "
				             "routed into it"),
				           src, net_str(&s->lan[i], x, sizeof(x)), s->gateways[g]);
		}
	}
	return 0;
}

int evc_settings_check_policy(const struct evc_settings *s, const struct evc_policy *pol,
                              uint32_t gw, char *err, size_t errlen)
{
	char x[40], y[40];
	for (size_t i = 0; i < s->n_lan; i++) {
		const struct evc_net *lan = &s->lan[i];
		struct evc_net host = {gw, 0xffffffffu};
		if (overlap(lan, &host))
			return bad(
			    err, errlen,
			    _("LAN %s holds the gateway's address %s: the tunnel's own packets "
			      "would be routed into it"),
			    net_str(lan, x, sizeof(x)), ipv4_str(gw, y, sizeof(y)));
		host.addr = pol->addr;
		if ((pol->have & EVC_HAVE_ADDR) && overlap(lan, &host))
			return bad(err, errlen,
			           _("LAN %s holds the address %s the gateway assigned"),
			           net_str(lan, x, sizeof(x)), ipv4_str(pol->addr, y, sizeof(y)));
		for (size_t k = 0; k < pol->n_split_include; k++)
			if (overlap(lan, &pol->split_include[k]))
				return bad(
				    err, errlen,
				    _("LAN %s overlaps %s, a network the gateway routes through "
				      "the "
				      "tunnel: hosts there would be unreachable from one side"),
				    net_str(lan, x, sizeof(x)),
				    net_str(&pol->split_include[k], y, sizeof(y)));
	}
	/* after the LAN checks: those name a mistake in evc's own settings */
	if (s->mode == EVC_MODE_NETWORK_EXTENSION && (pol->have & EVC_HAVE_NETWORK_EXTENSION) &&
	    !pol->network_extension) {
		bad(err, errlen,
		    _("the gateway refuses network extension for group %s: the group does not "
		      "allow it ('nem enable' in its group policy); use --mode client, or allow "
		      "network extension on the gateway"),
		    s->group);
		return -EPERM;
	}
	return 0;
}

int evc_settings_check_path(const struct evc_settings *s, uint32_t local, char *err, size_t errlen)
{
	char x[40], y[40];
	struct evc_net host = {local, 0xffffffffu};
	for (size_t i = 0; i < s->n_lan; i++)
		if (overlap(&s->lan[i], &host))
			return bad(
			    err, errlen,
			    _("LAN %s holds %s, this host's own address towards the gateway: "
			      "the gateway would route the tunnel's own packets for this host "
			      "into the tunnel; change --lan"),
			    net_str(&s->lan[i], x, sizeof(x)), ipv4_str(local, y, sizeof(y)));
	return 0;
}

/* The gateway, then (only when the gateway is the profile's) the profile's backups. */
static int gateways(struct evc_settings *s, const struct evc_profile *p,
                    const struct evc_overrides *o, char *err, size_t errlen)
{
	const char *gw = o->gateway ? o->gateway : p ? prof_gateway(p) : NULL;
	if (!gw || !*gw) {
		if (p)
			snprintf(err, errlen, _("profile '%s' has no gateway"), prof_name(p));
		else
			snprintf(err, errlen, _("no gateway: give --gateway HOST"));
		return -EINVAL;
	}
	int rc = put(s->gateways[0], EVC_HOST_MAX, gw, "gateway", err, errlen);
	s->n_gateways = 1;
	for (size_t i = 0; !rc && p && !o->gateway && i < prof_backup_count(p) &&
	                   s->n_gateways < EVC_MAX_GATEWAYS;
	     i++)
		rc = put(s->gateways[s->n_gateways++], EVC_HOST_MAX, prof_backup(p, i),
		         "backup gateway", err, errlen);
	/* then those the gateway pushed last time (profiles/learn.h), each host once */
	for (size_t i = 0; !rc && p && !o->gateway && i < prof_pushed_backup_count(p) &&
	                   s->n_gateways < EVC_MAX_GATEWAYS;
	     i++) {
		const char *h = prof_pushed_backup(p, i);
		bool seen = false;
		for (size_t k = 0; k < s->n_gateways && !seen; k++)
			seen = strcasecmp(s->gateways[k], h) == 0;
		if (!seen)
			rc = put(s->gateways[s->n_gateways++], EVC_HOST_MAX, h, "backup gateway",
			         err, errlen);
	}
	return rc;
}

int evc_settings_build(struct evc_settings *s, const struct evc_profile *p,
                       const struct evc_overrides *o, evc_note_fn fn, void *ctx, char *err,
                       size_t errlen)
{
	int rc;
	*s = (struct evc_settings){0};
	/* each value: the override, else the profile's, else the default */
	s->dh_group = o->dh >= 0 ? (unsigned)o->dh : p ? prof_dh(p) : PROF_DEFAULT_DH;
	int natt = o->natt >= 0 ? (int)o->natt : p ? (int)prof_natt(p) : (int)IKE_NATT_AUTO;
	/* cisco-udp is not NAT-T but its alternative: no NAT-T vendor IDs, as vpnc's */
	s->cisco_udp = natt == PROF_NATT_CISCO_UDP;
	s->natt = s->cisco_udp ? IKE_NATT_DISABLE : (enum ike_natt_mode)natt;
	s->dpd_idle_s = o->dpd >= 0 ? (unsigned)o->dpd : p ? prof_dpd(p) : DEFAULT_DPD_S;
	s->frag_size = o->frag_size > 0 ? (unsigned)o->frag_size : 0;
	/* with a certificate main mode is the only exchange; this chooses for the group key */
	s->psk_main = o->exchange >= 0 ? o->exchange == 1 : p && prof_main_mode(p);
	s->mtu = o->mtu >= 0 ? (unsigned)o->mtu : p ? prof_mtu(p) : 0;
	s->dns = o->dns >= 0 ? (enum plat_dns_mode)o->dns
	         : p         ? (enum plat_dns_mode)prof_dns(p)
	                     : PLAT_DNS_RESOLV_CONF;
	s->local_port = o->local_port >= 0 ? (uint16_t)o->local_port : p ? prof_local_port(p) : 0;
	s->reconnect = o->reconnect != 0;
	s->prop_flags = o->weak == 1 ? IKE_PROP_WEAK : 0;
	if (s->dh_group == 1 && !(s->prop_flags & IKE_PROP_WEAK)) {
		snprintf(
		    err, errlen,
		    _("--dh 1: DH group 1 (768-bit) is broken; add --weak to offer it anyway"));
		rc = -EINVAL;
		goto out;
	}
	if (p && (rc = from_profile(s, p, s->dh_group, fn, ctx, err, errlen)) != 0)
		goto out;
	if ((rc = certificate(s, p, o, err, errlen)) != 0)
		goto out;
	const char *group = o->group ? o->group : p ? prof_group(p) : NULL;
	if (s->cert_path[0] && (!group || !*group))
		group = ""; /* the gateway takes it from the certificate's OU */
	else if (!group || !*group) {
		if (p)
			snprintf(err, errlen, _("profile '%s' has no group"), prof_name(p));
		else
			snprintf(err, errlen, _("no group: give --group NAME"));
		rc = -EINVAL;
		goto out;
	}
	if ((rc = gateways(s, p, o, err, errlen)) != 0 || (rc = lans(s, p, o, err, errlen)) != 0 ||
	    (rc = put(s->group, sizeof(s->group), group, "group name", err, errlen)) != 0 ||
	    (rc = put(s->user, sizeof(s->user),
	              o->user ? o->user
	              : p     ? prof_username(p)
	                      : NULL,
	              "username", err, errlen)) != 0 ||
	    (rc = put(s->ifname, sizeof(s->ifname),
	              o->ifname ? o->ifname
	              : p       ? prof_ifname(p)
	                        : NULL,
	              "interface name", err, errlen)) != 0 ||
	    (rc = put(s->script, sizeof(s->script),
	              o->script ? o->script
	              : p       ? prof_script(p)
	                        : NULL,
	              "vpnc-script path", err, errlen)) != 0 ||
	    (rc = put(s->resolv_conf, sizeof(s->resolv_conf),
	              o->resolv_conf ? o->resolv_conf
	              : p            ? prof_resolv_conf(p)
	                             : NULL,
	              "resolver file name", err, errlen)) != 0 ||
	    (rc = put(s->state_path, sizeof(s->state_path),
	              o->state_path ? o->state_path
	              : p           ? prof_state_file(p)
	                            : NULL,
	              "state file name", err, errlen)) != 0 ||
	    (rc = put(s->control_path, sizeof(s->control_path), o->control_path,
	              "control socket path", err, errlen)) != 0 ||
	    (rc = run_as(s, o->run_as, err, errlen)) != 0)
		goto out;
	/* the script configures the host: evc's PAT and network extension would not be there */
	if (s->script[0] && s->n_lan)
		rc =
		    bad(err, errlen,
		        _("--script and --lan: the vpnc-script configures the host, so evc sets up "
		          "neither PAT nor network extension for a LAN; leave one out"));
out:
	if (rc)
		*s = (struct evc_settings){0};
	return rc;
}

static struct secret *secret_of(struct evc_settings *s, enum evc_secret_kind kind)
{
	return kind == EVC_SECRET_GROUP_KEY ? &s->group_key : &s->password;
}

int evc_settings_set_secret(struct evc_settings *s, enum evc_secret_kind kind, const char *text)
{
	struct secret *sec = secret_of(s, kind);
	size_t len = strlen(text);
	int rc = secret_alloc(sec, len + 1);
	if (rc)
		return rc;
	memcpy(sec->p, text, len);
	sec->len = len; /* the NUL after it belongs to the allocation */
	return 0;
}

int evc_settings_fetch_secret(struct evc_settings *s, const struct evc_profile *prof,
                              enum evc_secret_kind kind, char *err, size_t errlen)
{
	struct secret got = {NULL, 0};
	int rc = prof_secret_fetch(prof, (enum prof_secret_kind)kind, &got, err, errlen);
	if (rc == 0)
		rc = evc_settings_set_secret(s, kind, (const char *)got.p);
	secret_clear(&got);
	return rc;
}

int evc_settings_copy(struct evc_settings *dst, const struct evc_settings *src)
{
	*dst = *src;
	dst->group_key = (struct secret){NULL, 0};
	dst->password = (struct secret){NULL, 0};
	if ((src->group_key.p &&
	     evc_settings_set_secret(dst, EVC_SECRET_GROUP_KEY, (const char *)src->group_key.p)) ||
	    (src->password.p &&
	     evc_settings_set_secret(dst, EVC_SECRET_PASSWORD, (const char *)src->password.p))) {
		evc_settings_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

void evc_settings_clear(struct evc_settings *s)
{
	secret_clear(&s->group_key);
	secret_clear(&s->password);
}
