/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table of profile keys: for each key a parser that checks a value and writes its
 * canonical text (what prof_to_text writes back) and the typed value the getters return.
 * Parsers write into a caller's copy of the typed values, so a rejected value changes
 * nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/crypto.h"
#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "lib/i18n.h"

#define TEXT_MAX 255

void prof_typed_defaults(struct prof_typed *t)
{
	memset(t, 0, sizeof(*t));
	t->auth = PROF_AUTH_PSK;
	t->ref[PROF_SECRET_GROUP_KEY] = PROF_REF_PROMPT;
	t->ref[PROF_SECRET_PASSWORD] = PROF_REF_PROMPT;
	t->dh = PROF_DEFAULT_DH;
	t->pfs = PROF_PFS_SERVER;
	t->natt = PROF_NATT_AUTO;
	t->mode = PROF_MODE_CLIENT;
	t->local_lan = true;
	t->save_password = -1;
	t->dns = PROF_DNS_RESOLV_CONF;
	t->dpd = PROF_DEFAULT_DPD;
}

/* ---- value parsers: v is trimmed and non-empty; write canonical text to c ---- */

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return -EINVAL;                                                                    \
	} while (0)

struct pctx {
	struct prof_typed *t;
	char *c; /* canonical text out, PROF_LINE_MAX + 1 bytes */
	char *err;
	size_t errlen;
};

typedef int (*parse_fn)(const char *v, struct pctx *x);

static int canon(struct pctx *x, const char *v)
{
	snprintf(x->c, PROF_LINE_MAX + 1, "%s", v);
	return 0;
}

static int p_text(const char *v, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	if (strlen(v) > TEXT_MAX)
		FAIL(_("the value has %zu bytes; at most %d are allowed"), strlen(v), TEXT_MAX);
	if (prof_has_ctrl(v))
		FAIL(_("the value holds a control character (a tab?)"));
	if (!prof_utf8_valid(v))
		FAIL(_("the value is not valid UTF-8"));
	return canon(x, v);
}

static int p_host(const char *v, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	if (!prof_host_valid(v))
		FAIL(_("'%.100s' is neither a host name nor an IPv4 address"), v);
	return canon(x, v);
}

/* Splits a comma-separated list into trimmed items; calls item() for each. */
static int each_item(const char *v, struct pctx *x, int (*item)(char *s, size_t i, struct pctx *x),
                     size_t max, const char *what)
{
	char buf[PROF_LINE_MAX + 1], *save = NULL, *s;
	size_t n = 0;
	char *err = x->err;
	size_t errlen = x->errlen;
	int rc;

	snprintf(buf, sizeof(buf), "%s", v);
	if (buf[0] == ',' || buf[strlen(buf) - 1] == ',' || strstr(buf, ",,"))
		FAIL(_("the list has an empty item; separate %s with single commas"), what);
	for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		s = prof_trim(s);
		if (!*s)
			FAIL(_("the list has an empty item; separate %s with single commas"), what);
		if (n == max)
			FAIL(_("more than %zu %s"), max, what);
		rc = item(s, n++, x);
		if (rc)
			return rc;
	}
	return 0;
}

/* backup_gateways and pushed_backup_gateways: the same list into their own arrays */
static int host_item(char (*list)[254], size_t *n, char *s, size_t i, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	if (!prof_host_valid(s))
		FAIL(_("'%.100s' is neither a host name nor an IPv4 address"), s);
	for (size_t k = 0; k < i; k++)
		if (strcasecmp(list[k], s) == 0)
			FAIL(_("'%.100s' is listed twice"), s);
	snprintf(list[i], sizeof(list[i]), "%s", s);
	*n = i + 1;
	return 0;
}

static int backup_item(char *s, size_t i, struct pctx *x)
{
	return host_item(x->t->backup, &x->t->n_backup, s, i, x);
}

static int pushed_item(char *s, size_t i, struct pctx *x)
{
	return host_item(x->t->pushed, &x->t->n_pushed, s, i, x);
}

static void join_hosts(struct pctx *x, char (*list)[254], size_t n)
{
	size_t off = 0;
	x->c[0] = '\0';
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(x->c + off, PROF_LINE_MAX + 1 - off, "%s%s", i ? ", " : "",
		                        list[i]);
}

static int p_backups(const char *v, struct pctx *x)
{
	x->t->n_backup = 0;
	int rc = each_item(v, x, backup_item, PROF_MAX_BACKUPS, "backup gateways");
	if (rc)
		return rc;
	join_hosts(x, x->t->backup, x->t->n_backup);
	return 0;
}

static int p_pushed(const char *v, struct pctx *x)
{
	x->t->n_pushed = 0;
	int rc = each_item(v, x, pushed_item, PROF_MAX_BACKUPS, "backup gateways");
	if (rc)
		return rc;
	join_hosts(x, x->t->pushed, x->t->n_pushed);
	return 0;
}

struct choice {
	const char *name;
	int value;
};

static int pick(const char *v, const struct choice *ch, size_t n, int *out, struct pctx *x)
{
	char list[200] = "";
	size_t off = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(v, ch[i].name) == 0) {
			*out = ch[i].value;
			return canon(x, ch[i].name);
		}
	}
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s",
		                        i == 0       ? ""
		                        : i + 1 == n ? " or "
		                                     : ", ",
		                        ch[i].name);
	snprintf(x->err, x->errlen, _("'%.60s' is not one of %s"), v, list);
	return -EINVAL;
}

static const struct choice auth_ch[] = {
    {"psk", PROF_AUTH_PSK}, {"cert", PROF_AUTH_CERT}, {"hybrid", PROF_AUTH_HYBRID}};
static const struct choice natt_ch[] = {{"auto", PROF_NATT_AUTO},
                                        {"force", PROF_NATT_FORCE},
                                        {"off", PROF_NATT_OFF},
                                        {"cisco-udp", PROF_NATT_CISCO_UDP}};
static const struct choice mode_ch[] = {{"client", PROF_MODE_CLIENT},
                                        {"network-extension", PROF_MODE_NETWORK_EXTENSION}};
static const struct choice dns_ch[] = {{"resolv-conf", PROF_DNS_RESOLV_CONF},
                                       {"replace-symlink", PROF_DNS_REPLACE_SYMLINK},
                                       {"off", PROF_DNS_OFF}};
static const struct choice bool_ch[] = {{"yes", 1}, {"no", 0}};

static int p_auth(const char *v, struct pctx *x)
{
	int val;
	int rc = pick(v, auth_ch, sizeof(auth_ch) / sizeof(auth_ch[0]), &val, x);
	if (!rc)
		x->t->auth = (enum prof_auth)val;
	return rc;
}
static int p_natt(const char *v, struct pctx *x)
{
	int val;
	int rc = pick(v, natt_ch, sizeof(natt_ch) / sizeof(natt_ch[0]), &val, x);
	if (!rc)
		x->t->natt = (enum prof_natt)val;
	return rc;
}
static int p_exchange(const char *v, struct pctx *x)
{
	static const struct choice exch_ch[] = {{"aggressive", 0}, {"main", 1}};
	int val;
	int rc = pick(v, exch_ch, sizeof(exch_ch) / sizeof(exch_ch[0]), &val, x);
	if (!rc)
		x->t->main_mode = val == 1;
	return rc;
}
static int p_mode(const char *v, struct pctx *x)
{
	int val;
	int rc = pick(v, mode_ch, sizeof(mode_ch) / sizeof(mode_ch[0]), &val, x);
	if (!rc)
		x->t->mode = (enum prof_mode)val;
	return rc;
}
static int p_dns(const char *v, struct pctx *x)
{
	int val;
	int rc = pick(v, dns_ch, sizeof(dns_ch) / sizeof(dns_ch[0]), &val, x);
	if (!rc)
		x->t->dns = (enum prof_dns_mode)val;
	return rc;
}
static int p_save_password(const char *v, struct pctx *x)
{
	int val;
	int rc = pick(v, bool_ch, sizeof(bool_ch) / sizeof(bool_ch[0]), &val, x);
	if (!rc)
		x->t->save_password = val;
	return rc;
}
static int p_local_lan(const char *v, struct pctx *x)
{
	int val;
	int rc = pick(v, bool_ch, sizeof(bool_ch) / sizeof(bool_ch[0]), &val, x);
	if (!rc)
		x->t->local_lan = (bool)val;
	return rc;
}

static int p_ref(const char *v, struct pctx *x, enum prof_secret_kind kind)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	/* Never echo the value: a literal secret typed here must not reach a log. */
	if (strcmp(v, "prompt") == 0) {
		x->t->ref[kind] = PROF_REF_PROMPT;
		return canon(x, v);
	}
	if (strcmp(v, "secret:libsecret") == 0) {
		x->t->ref[kind] = PROF_REF_LIBSECRET;
		return canon(x, v);
	}
	if (strncmp(v, "file:", 5) == 0) {
		if (!prof_is_abs_path(v + 5))
			FAIL(_("file: needs an absolute path, e.g. file:/etc/evc/secrets/NAME.%s"),
			     kind == PROF_SECRET_GROUP_KEY ? "group-key" : "password");
		x->t->ref[kind] = PROF_REF_FILE;
		return canon(x, v);
	}
	if (strncmp(v, "secret:", 7) == 0)
		FAIL(_("unknown secret store; evc knows secret:libsecret"));
	FAIL(_("secrets are not written into profiles: use prompt, secret:libsecret or "
	       "file:/PATH (a file only its owner can read)"));
}

static int p_group_key(const char *v, struct pctx *x)
{
	return p_ref(v, x, PROF_SECRET_GROUP_KEY);
}
static int p_password(const char *v, struct pctx *x)
{
	return p_ref(v, x, PROF_SECRET_PASSWORD);
}

static int p_path(const char *v, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	if (!prof_is_abs_path(v) || !prof_utf8_valid(v))
		FAIL(_("'%.100s' is not an absolute path"), v);
	return canon(x, v);
}

static const struct {
	const char *name;
	uint8_t id;
	uint16_t bits;
} ike_ciphers[] = {
    {"aes128", CIPHER_AES_CBC, 128},
    {"aes192", CIPHER_AES_CBC, 192},
    {"aes256", CIPHER_AES_CBC, 256},
    {"3des", CIPHER_3DES, 0},
};
static const struct {
	const char *name;
	uint8_t ike, esp; /* 0: not for that phase */
} hashes[] = {
    {"md5", HASH_MD5, ESP_AUTH_HMAC_MD5},
    {"sha1", HASH_SHA1, ESP_AUTH_HMAC_SHA1},
    {"sha256", HASH_SHA256, ESP_AUTH_HMAC_SHA256},
    {"sha384", HASH_SHA384, 0},
    {"sha512", HASH_SHA512, 0},
};

/* "aes256-sha1" into cipher and hash table indexes. */
static int split_prop(const char *s, bool esp, size_t *ci, size_t *hi, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	const char *dash = strchr(s, '-');
	size_t clen = dash ? (size_t)(dash - s) : 0;

	if (!dash)
		FAIL(_("'%.60s' is not CIPHER-HASH, e.g. aes256-sha1"), s);
	for (*ci = 0; *ci < sizeof(ike_ciphers) / sizeof(ike_ciphers[0]); (*ci)++)
		if (strlen(ike_ciphers[*ci].name) == clen &&
		    strncasecmp(s, ike_ciphers[*ci].name, clen) == 0)
			break;
	if (*ci == sizeof(ike_ciphers) / sizeof(ike_ciphers[0]))
		FAIL(_("'%.60s': the cipher must be aes128, aes192, aes256 or 3des"), s);
	for (*hi = 0; *hi < sizeof(hashes) / sizeof(hashes[0]); (*hi)++)
		if (strcasecmp(dash + 1, hashes[*hi].name) == 0 &&
		    (esp ? hashes[*hi].esp : hashes[*hi].ike))
			break;
	if (*hi == sizeof(hashes) / sizeof(hashes[0]))
		FAIL(_("'%.60s': the hash must be %s"), s,
		     esp ? "md5, sha1 or sha256" : "md5, sha1, sha256, sha384 or sha512");
	return 0;
}

static int ike_item(char *s, size_t i, struct pctx *x)
{
	size_t ci, hi;
	int rc = split_prop(s, false, &ci, &hi, x);
	if (rc)
		return rc;
	struct prof_p1 p = {ike_ciphers[ci].id, ike_ciphers[ci].bits, hashes[hi].ike};
	for (size_t k = 0; k < i; k++)
		if (x->t->ike[k].encr == p.encr && x->t->ike[k].bits == p.bits &&
		    x->t->ike[k].hash == p.hash) {
			snprintf(x->err, x->errlen, _("'%.60s' is listed twice"), s);
			return -EINVAL;
		}
	x->t->ike[i] = p;
	x->t->n_ike = i + 1;
	return 0;
}

static int esp_item(char *s, size_t i, struct pctx *x)
{
	size_t ci, hi;
	int rc = split_prop(s, true, &ci, &hi, x);
	if (rc)
		return rc;
	struct prof_p2 p = {ike_ciphers[ci].id == CIPHER_3DES ? ESP_ENCR_3DES : ESP_ENCR_AES_CBC,
	                    ike_ciphers[ci].bits, hashes[hi].esp};
	for (size_t k = 0; k < i; k++)
		if (x->t->esp[k].esp == p.esp && x->t->esp[k].bits == p.bits &&
		    x->t->esp[k].auth == p.auth) {
			snprintf(x->err, x->errlen, _("'%.60s' is listed twice"), s);
			return -EINVAL;
		}
	x->t->esp[i] = p;
	x->t->n_esp = i + 1;
	return 0;
}

static const char *cipher_name(uint16_t bits)
{
	return bits == 128 ? "aes128" : bits == 192 ? "aes192" : bits == 256 ? "aes256" : "3des";
}

static const char *hash_name(uint8_t id, bool esp)
{
	for (size_t i = 0; i < sizeof(hashes) / sizeof(hashes[0]); i++)
		if ((esp ? hashes[i].esp : hashes[i].ike) == id)
			return hashes[i].name;
	return "?";
}

static int p_ike(const char *v, struct pctx *x)
{
	size_t off = 0;
	x->t->n_ike = 0;
	int rc = each_item(v, x, ike_item, PROF_MAX_PROPS, "proposals");
	if (rc)
		return rc;
	for (size_t i = 0; i < x->t->n_ike; i++)
		off += (size_t)snprintf(x->c + off, PROF_LINE_MAX + 1 - off, "%s%s-%s",
		                        i ? ", " : "", cipher_name(x->t->ike[i].bits),
		                        hash_name(x->t->ike[i].hash, false));
	return 0;
}

static int p_esp(const char *v, struct pctx *x)
{
	size_t off = 0;
	x->t->n_esp = 0;
	int rc = each_item(v, x, esp_item, PROF_MAX_PROPS, "transforms");
	if (rc)
		return rc;
	for (size_t i = 0; i < x->t->n_esp; i++)
		off += (size_t)snprintf(x->c + off, PROF_LINE_MAX + 1 - off, "%s%s-%s",
		                        i ? ", " : "", cipher_name(x->t->esp[i].bits),
		                        hash_name(x->t->esp[i].auth, true));
	return 0;
}

/* Group 1 (768-bit) is broken: the crypto library has it for --weak, profiles do not. */
static bool dh_ok(unsigned long g)
{
	return g <= 255 && g != 1 && crypto_dh_len((unsigned)g) != 0;
}

static int p_dh(const char *v, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	unsigned long g;
	if (strcasecmp(v, "auto") == 0) {
		x->t->dh = 0;
		return canon(x, "auto");
	}
	if (!prof_parse_uint(v, 255, &g) || !dh_ok(g))
		FAIL(_("'%.60s': evc supports DH groups auto, 2, 5, 14, 15, 16, 19 and 20"), v);
	x->t->dh = (unsigned)g;
	snprintf(x->c, PROF_LINE_MAX + 1, "%lu", g);
	return 0;
}

static int p_pfs(const char *v, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	unsigned long g;
	if (strcasecmp(v, "off") == 0) {
		x->t->pfs = PROF_PFS_OFF;
		return canon(x, "off");
	}
	if (strcasecmp(v, "server") == 0) {
		x->t->pfs = PROF_PFS_SERVER;
		return canon(x, "server");
	}
	if (!prof_parse_uint(v, 255, &g) || !dh_ok(g))
		FAIL(_("'%.60s' is not off, server, 2, 5, 14, 15 or 16"), v);
	x->t->pfs = (int)g;
	snprintf(x->c, PROF_LINE_MAX + 1, "%lu", g);
	return 0;
}

static int lan_item(char *s, size_t i, struct pctx *x)
{
	const char *why;
	struct evc_net n;
	if (prof_parse_net(s, &n, &why) != 0) {
		snprintf(x->err, x->errlen, "'%.60s': %s", s, why);
		return -EINVAL;
	}
	for (size_t k = 0; k < i; k++)
		if (x->t->lan[k].addr == n.addr && x->t->lan[k].mask == n.mask) {
			snprintf(x->err, x->errlen, _("'%.60s' is listed twice"), s);
			return -EINVAL;
		}
	x->t->lan[i] = n;
	x->t->n_lan = i + 1;
	return 0;
}

static int p_lan(const char *v, struct pctx *x)
{
	size_t off = 0;
	char net[32];
	x->t->n_lan = 0;
	int rc = each_item(v, x, lan_item, PROF_MAX_LAN, "networks");
	if (rc)
		return rc;
	for (size_t i = 0; i < x->t->n_lan; i++) {
		prof_fmt_net(&x->t->lan[i], net, sizeof(net));
		off += (size_t)snprintf(x->c + off, PROF_LINE_MAX + 1 - off, "%s%s", i ? ", " : "",
		                        net);
	}
	return 0;
}

static int p_uint(const char *v, struct pctx *x, unsigned long lo, unsigned long hi,
                  unsigned long *out)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	if (!prof_parse_uint(v, hi, out) || *out < lo)
		FAIL(_("'%.60s' is not a whole number from %lu to %lu"), v, lo, hi);
	snprintf(x->c, PROF_LINE_MAX + 1, "%lu", *out);
	return 0;
}

static int p_mtu(const char *v, struct pctx *x)
{
	unsigned long n;
	int rc = p_uint(v, x, 576, 9000, &n);
	if (!rc)
		x->t->mtu = (unsigned)n;
	return rc;
}

static int p_dpd(const char *v, struct pctx *x)
{
	unsigned long n;
	int rc = p_uint(v, x, 0, 86400, &n);
	if (!rc)
		x->t->dpd = (unsigned)n;
	return rc;
}

static int p_local_port(const char *v, struct pctx *x)
{
	unsigned long n;
	int rc = p_uint(v, x, 1, 65535, &n);
	if (!rc && n == PROF_NATT_PORT) {
		snprintf(x->err, x->errlen, _("port 4500 is the NAT-T port; choose another"));
		return -EINVAL;
	}
	if (!rc)
		x->t->local_port = (uint16_t)n;
	return rc;
}

static int p_ifname(const char *v, struct pctx *x)
{
	char *err = x->err;
	size_t errlen = x->errlen;
	size_t n = strlen(v);
	if (n >= 16)
		FAIL(_("'%.60s' is longer than the 15 characters a Linux interface name may have"),
		     v);
	if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-%") != n ||
	    strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		FAIL(
		    _("'%.60s' is not an interface name (letters, digits, '_', '.', '-', and %%d)"),
		    v);
	return canon(x, v);
}

static const struct key {
	const char *name;
	parse_fn parse;
	const char *help;
} keys[K_COUNT] = {
    [K_DESCRIPTION] = {"description", p_text, "free text shown in lists"},
    [K_GATEWAY] = {"gateway", p_host, "host name or IPv4 address of the EasyVPN server"},
    [K_BACKUP] = {"backup_gateways", p_backups, "comma-separated hosts tried when gateway fails"},
    [K_PUSHED_BACKUP] = {"pushed_backup_gateways", p_pushed,
                         "the gateway's backup servers, learnt when connecting; tried after "
                         "backup_gateways"},
    [K_GROUP] = {"group", p_text, "IPsec group name"},
    [K_USERNAME] = {"username", p_text, "XAUTH user name (asked for when not set)"},
    [K_AUTH] = {"auth", p_auth, "psk, cert or hybrid"},
    [K_GROUP_KEY] = {"group_key", p_group_key, "prompt, secret:libsecret or file:/PATH"},
    [K_PASSWORD] = {"password", p_password, "prompt, secret:libsecret or file:/PATH"},
    [K_CERT] = {"cert", p_path, "client certificate (PEM), absolute path"},
    [K_CERT_KEY] = {"cert_key", p_path, "private key of cert (PEM), absolute path"},
    [K_CA_CERT] = {"ca_cert", p_path, "CA certificate (PEM) for the gateway, absolute path"},
    [K_IKE] = {"ike", p_ike, "phase-1 proposals, e.g. aes256-sha1, aes128-sha1"},
    [K_ESP] = {"esp", p_esp, "phase-2 transforms, e.g. aes256-sha1, 3des-md5"},
    [K_DH] = {"dh", p_dh, "phase-1 DH group: auto, 2, 5, 14, 15 or 16"},
    [K_PFS] = {"pfs", p_pfs, "off, server or a DH group"},
    [K_NATT] = {"natt", p_natt, "auto, force, off or cisco-udp"},
    [K_MODE] = {"mode", p_mode, "client or network-extension"},
    [K_LAN] = {"lan", p_lan, "networks behind this host, a.b.c.d/len, comma-separated"},
    [K_LOCAL_LAN] = {"local_lan", p_local_lan, "yes or no: keep local LANs out of the tunnel"},
    [K_SCRIPT] = {"script", p_path, "vpnc-script to run instead of evc's host setup"},
    [K_DNS] = {"dns", p_dns, "resolv-conf, replace-symlink or off"},
    [K_RESOLV_CONF] = {"resolv_conf", p_path, "resolver file to rewrite"},
    [K_STATE_FILE] = {"state_file", p_path, "journal of host changes"},
    [K_MTU] = {"mtu", p_mtu, "TUN MTU, 576 to 9000"},
    [K_DPD] = {"dpd", p_dpd, "seconds idle before a DPD probe, 0 for none"},
    [K_LOCAL_PORT] = {"local_port", p_local_port, "local IKE port (not 4500)"},
    [K_IFNAME] = {"ifname", p_ifname, "TUN device name or pattern (evc%d)"},
    [K_APP_VERSION] = {"app_version", p_text, "APPLICATION_VERSION sent to the gateway"},
    [K_SAVE_PASSWORD] = {"save_password", p_save_password,
                         "yes or no: the gateway's save-password, learnt when connecting"},
    [K_EXCHANGE] = {"exchange", p_exchange,
                    "aggressive, or main: main mode with the group key (--exchange)"},
};

int prof_key_id(const char *name)
{
	for (int i = 0; i < K_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

size_t prof_key_count(void)
{
	return K_COUNT;
}

const char *prof_key_name(size_t i)
{
	return i < K_COUNT ? keys[i].name : NULL;
}

const char *prof_key_help(size_t i)
{
	return i < K_COUNT ? keys[i].help : NULL;
}

int prof_key_parse(int k, const char *v, struct prof_typed *t, char *canon_out, char *err,
                   size_t errlen)
{
	struct pctx x = {t, canon_out, err, errlen};
	if (k < 0 || k >= K_COUNT)
		return -ENOENT;
	canon_out[0] = '\0';
	return keys[k].parse(v, &x);
}
