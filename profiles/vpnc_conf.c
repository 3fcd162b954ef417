/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vpnc configuration files: "Directive value" lines, the directive matched
 * case-insensitively at the start of the line as vpnc does, '#' comments. The directive list
 * is vpnc 0.5.3's (vpnc --long-help). As for .pcf files, lines are collected first and
 * translated afterwards, so related directives are judged together.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/secret.h"
#include "profiles/cisco_pwd.h"
#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "lib/i18n.h"

enum vpnc_key {
	V_GATEWAY,
	V_ID,
	V_SECRET,
	V_SECRET_OBF,
	V_USERNAME,
	V_PASSWORD,
	V_PASSWORD_OBF,
	V_DOMAIN,
	V_XAUTH_INTER,
	V_VENDOR,
	V_NATT_MODE,
	V_SCRIPT,
	V_DH,
	V_PFS,
	V_SINGLE_DES,
	V_WEAK_ENC,
	V_NO_ENC,
	V_WEAK_AUTH,
	V_APP_VERSION,
	V_IFNAME,
	V_IFMODE,
	V_IFMTU,
	V_DEBUG,
	V_NO_DETACH,
	V_PIDFILE,
	V_LOCAL_ADDR,
	V_LOCAL_PORT,
	V_UDP_PORT,
	V_DPD,
	V_NONINTER,
	V_AUTHMODE,
	V_CA_FILE,
	V_CA_DIR,
	V_TARGET,
	V_PW_HELPER,
	V_COUNT
};

static const struct {
	const char *name;
	bool arg; /* takes a value; the others are flags */
} dirs[V_COUNT] = {
    [V_GATEWAY] = {"IPSec gateway", true},
    [V_ID] = {"IPSec ID", true},
    [V_SECRET] = {"IPSec secret", true},
    [V_SECRET_OBF] = {"IPSec obfuscated secret", true},
    [V_USERNAME] = {"Xauth username", true},
    [V_PASSWORD] = {"Xauth password", true},
    [V_PASSWORD_OBF] = {"Xauth obfuscated password", true},
    [V_DOMAIN] = {"Domain", true},
    [V_XAUTH_INTER] = {"Xauth interactive", false},
    [V_VENDOR] = {"Vendor", true},
    [V_NATT_MODE] = {"NAT Traversal Mode", true},
    [V_SCRIPT] = {"Script", true},
    [V_DH] = {"IKE DH Group", true},
    [V_PFS] = {"Perfect Forward Secrecy", true},
    [V_SINGLE_DES] = {"Enable Single DES", false},
    [V_WEAK_ENC] = {"Enable weak encryption", false},
    [V_NO_ENC] = {"Enable no encryption", false},
    [V_WEAK_AUTH] = {"Enable weak authentication", false},
    [V_APP_VERSION] = {"Application version", true},
    [V_IFNAME] = {"Interface name", true},
    [V_IFMODE] = {"Interface mode", true},
    [V_IFMTU] = {"Interface MTU", true},
    [V_DEBUG] = {"Debug", true},
    [V_NO_DETACH] = {"No Detach", false},
    [V_PIDFILE] = {"Pidfile", true},
    [V_LOCAL_ADDR] = {"Local Addr", true},
    [V_LOCAL_PORT] = {"Local Port", true},
    [V_UDP_PORT] = {"Cisco UDP Encapsulation Port", true},
    [V_DPD] = {"DPD idle timeout (our side)", true},
    [V_NONINTER] = {"Noninteractive", false},
    [V_AUTHMODE] = {"IKE Authmode", true},
    [V_CA_FILE] = {"CA-File", true},
    [V_CA_DIR] = {"CA-Dir", true},
    [V_TARGET] = {"IPSEC target network", true},
    [V_PW_HELPER] = {"Password helper", true},
};

static bool is_secret(int id)
{
	return id == V_SECRET || id == V_SECRET_OBF || id == V_PASSWORD || id == V_PASSWORD_OBF;
}

struct entry {
	char *v; /* NULL: absent; "" for a flag that is present */
	unsigned line;
};

struct vpnc {
	struct prof_diag *d;
	struct secret *group_key, *password; /* filled from the file, wiped by the caller */
	struct evc_profile *p;
	struct entry e[V_COUNT];
};

static void say(struct vpnc *c, int id, enum prof_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(struct vpnc *c, int id, enum prof_sev sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prof_vemit(c->d, sev, c->e[id].line, dirs[id].name, fmt, ap);
	va_end(ap);
}

static const char *val(const struct vpnc *c, int id)
{
	return c->e[id].v;
}

static bool put(struct vpnc *c, int id, int k, const char *v, enum prof_sev sev)
{
	return prof_imp_set(c->d, c->p, k, v, c->e[id].line, dirs[id].name, sev);
}

/* The directive a line starts with: the longest name followed by a blank or the end. */
static int match(const char *s, const char **rest)
{
	int best = -1;
	size_t best_len = 0;
	for (int i = 0; i < V_COUNT; i++) {
		size_t n = strlen(dirs[i].name);
		if (n > best_len && strncasecmp(s, dirs[i].name, n) == 0 &&
		    (s[n] == '\0' || s[n] == ' ' || s[n] == '\t')) {
			best = i;
			best_len = n;
		}
	}
	if (best >= 0)
		*rest = s + best_len;
	return best;
}

static void add_line(struct vpnc *c, char *s, unsigned no)
{
	const char *rest;
	int id = match(s, &rest);

	if (id < 0) {
		char word[48];
		snprintf(word, sizeof(word), "%.*s", (int)strcspn(s, " \t"), s);
		prof_emit(c->d, PROF_UNSUPPORTED, no, word,
		          _("not a vpnc directive; vpnc warns about it and ignores it, and so does "
		            "evc"));
		return;
	}
	char vbuf[PROF_LINE_MAX + 1];
	snprintf(vbuf, sizeof(vbuf), "%s", rest);
	char *v = prof_trim(vbuf);
	if (dirs[id].arg && !*v) {
		prof_emit(c->d, PROF_ERROR, no, dirs[id].name, _("needs a value"));
		return;
	}
	if (!dirs[id].arg && *v) {
		prof_emit(c->d, PROF_WARNING, no, dirs[id].name,
		          _("takes no value; the rest of the line is ignored"));
		v[0] = '\0';
	}
	struct entry *e = &c->e[id];
	if (e->v) {
		/* vpnc keeps the first value; a differing second one is a mistake to point at. */
		if (strcmp(e->v, v) == 0)
			prof_emit(c->d, PROF_WARNING, no, dirs[id].name,
			          _("repeats line %u with the same value"), e->line);
		else if (is_secret(id))
			prof_emit(c->d, PROF_ERROR, no, dirs[id].name,
			          _("also set on line %u, to a different value; keep one"),
			          e->line);
		else
			prof_emit(c->d, PROF_ERROR, no, dirs[id].name,
			          _("also set on line %u, to '%.60s'; keep one"), e->line, e->v);
		mem_wipe(vbuf, sizeof(vbuf));
		return;
	}
	e->v = strdup(v);
	e->line = no;
	mem_wipe(vbuf, sizeof(vbuf));
	if (!e->v)
		prof_emit(c->d, PROF_ERROR, no, dirs[id].name, _("out of memory"));
}

static void collect(struct vpnc *c, const char *text, size_t len)
{
	char line[PROF_LINE_MAX + 1];
	struct prof_lines l = prof_lines_init(text, len);
	int rc;

	while ((rc = prof_next_line(&l, line, sizeof(line))) != 0) {
		if (rc < 0) {
			prof_emit(c->d, PROF_ERROR, l.no, NULL,
			          _("the line is longer than %d bytes"), PROF_LINE_MAX);
			continue;
		}
		char *s = prof_trim(line);
		if (*s && *s != '#')
			add_line(c, s, l.no);
	}
	mem_wipe(line, sizeof(line));
}

/* "dh2" -> 2; evc's groups only, others reported. */
static bool dh_group(struct vpnc *c, int id, unsigned long *g)
{
	const char *v = val(c, id);
	if (strncasecmp(v, "dh", 2) != 0 || !prof_parse_uint(v + 2, 255, g)) {
		say(c, id, PROF_ERROR, "'%.40s' is not a DH group such as dh2", v);
		return false;
	}
	if (*g == 2 || *g == 5 || *g == 14 || *g == 15 || *g == 16)
		return true;
	if (*g == 1 || *g == 17 || *g == 18)
		say(c, id, PROF_UNSUPPORTED,
		    "DH group %lu is not supported by evc (it offers 2, 5, "
		    "14, 15 and 16); %s",
		    *g,
		    id == V_DH ? "the profile keeps dh = auto: evc offers group 14, then 2 and 5"
		               : "the profile uses pfs = server");
	else
		say(c, id, PROF_ERROR, "'%.40s' is not a DH group vpnc knows", v);
	return false;
}

static void map_identity(struct vpnc *c)
{
	struct secret dec = {NULL, 0};
	char err[300];
	bool cert = false, hybrid = false;

	if (!val(c, V_GATEWAY))
		prof_emit(c->d, PROF_ERROR, 0, dirs[V_GATEWAY].name,
		          _("missing: the profile needs the gateway to connect to"));
	else
		put(c, V_GATEWAY, K_GATEWAY, val(c, V_GATEWAY), PROF_ERROR);

	if (val(c, V_AUTHMODE)) {
		const char *m = val(c, V_AUTHMODE);
		if (strcasecmp(m, "cert") == 0) {
			cert = put(c, V_AUTHMODE, K_AUTH, "cert", PROF_ERROR);
			say(c, V_AUTHMODE, PROF_NOTE,
			    "certificate authentication is recorded as auth = cert (main mode with "
			    "RSA signatures, which vpnc itself lacks); add cert and cert_key, the "
			    "PEM "
			    "files of our certificate and its key");
		} else if (strcasecmp(m, "hybrid") == 0) {
			hybrid = put(c, V_AUTHMODE, K_AUTH, "hybrid", PROF_ERROR);
		} else if (strcasecmp(m, "psk") != 0) {
			say(c, V_AUTHMODE, PROF_ERROR, "'%.40s' is not psk, cert or hybrid", m);
		}
	}
	if (val(c, V_ID))
		put(c, V_ID, K_GROUP, val(c, V_ID), PROF_ERROR);
	else if (!cert)
		prof_emit(c->d, PROF_ERROR, 0, dirs[V_ID].name,
		          _("missing: group authentication needs the group name"));
	if (val(c, V_USERNAME))
		put(c, V_USERNAME, K_USERNAME, val(c, V_USERNAME), PROF_WARNING);

	static const struct {
		int clear, obf;
		bool group;
	} pairs[] = {{V_SECRET, V_SECRET_OBF, true}, {V_PASSWORD, V_PASSWORD_OBF, false}};
	for (size_t i = 0; i < 2; i++) {
		struct secret *dst = pairs[i].group ? c->group_key : c->password;
		int cl = pairs[i].clear, ob = pairs[i].obf;
		if (val(c, cl)) {
			if (val(c, ob))
				say(c, ob, PROF_WARNING,
				    "ignored: %s is given in clear text too, and vpnc uses that",
				    dirs[cl].name);
			prof_imp_secret(c->d, dst, val(c, cl), c->e[cl].line, dirs[cl].name);
		} else if (val(c, ob)) {
			if (prof_cisco_decode(val(c, ob), &dec, err, sizeof(err)) != 0)
				say(c, ob, PROF_ERROR, "cannot be decoded: %s", err);
			else
				prof_imp_secret(c->d, dst, (const char *)dec.p, c->e[ob].line,
				                dirs[ob].name);
			secret_clear(&dec);
		}
	}
	if (val(c, V_XAUTH_INTER))
		say(c, V_XAUTH_INTER, PROF_NOTE,
		    "evc asks again whenever the gateway does (challenge and response)");
	if (val(c, V_DOMAIN))
		say(c, V_DOMAIN, PROF_UNSUPPORTED,
		    "evc does not send an XAUTH domain; if the gateway needs it, use DOMAIN\\user "
		    "as the user name");
	if (val(c, V_PW_HELPER))
		say(c, V_PW_HELPER, PROF_UNSUPPORTED,
		    "evc takes the password from the keyring, a root-only file or a prompt, not "
		    "from a helper program");
	if (val(c, V_CA_FILE))
		put(c, V_CA_FILE, K_CA_CERT, val(c, V_CA_FILE), PROF_WARNING);
	if (val(c, V_CA_DIR))
		say(c, V_CA_DIR, cert || hybrid ? PROF_UNSUPPORTED : PROF_NOTE,
		    cert || hybrid ? "evc takes one CA file (ca_cert), not a directory"
		                   : "not used: the profile authenticates with the group key");
	if (hybrid && !val(c, V_CA_FILE))
		say(c, V_AUTHMODE, PROF_WARNING,
		    "hybrid needs the CA of the gateway's certificate: add ca_cert = its PEM "
		    "file (vpnc's CA-File)");
}

static void map_crypto(struct vpnc *c)
{
	unsigned long g;
	char buf[24];

	if (val(c, V_VENDOR) && strcasecmp(val(c, V_VENDOR), "cisco") != 0) {
		if (strcasecmp(val(c, V_VENDOR), "netscreen") == 0 ||
		    strcasecmp(val(c, V_VENDOR), "fortigate") == 0)
			say(c, V_VENDOR, PROF_UNSUPPORTED,
			    "evc speaks the Cisco EasyVPN dialect only; a %s gateway may not "
			    "accept it",
			    val(c, V_VENDOR));
		else
			say(c, V_VENDOR, PROF_ERROR, "'%.40s' is not cisco, netscreen or fortigate",
			    val(c, V_VENDOR));
	}
	if (val(c, V_DH) && dh_group(c, V_DH, &g)) {
		snprintf(buf, sizeof(buf), "%lu", g);
		put(c, V_DH, K_DH, buf, PROF_ERROR);
	}
	if (val(c, V_PFS)) {
		const char *v = val(c, V_PFS);
		if (strcasecmp(v, "nopfs") == 0)
			put(c, V_PFS, K_PFS, "off", PROF_ERROR);
		else if (strcasecmp(v, "server") == 0)
			put(c, V_PFS, K_PFS, "server", PROF_ERROR);
		else if (dh_group(c, V_PFS, &g)) {
			snprintf(buf, sizeof(buf), "%lu", g);
			put(c, V_PFS, K_PFS, buf, PROF_ERROR);
		}
	}
	if (val(c, V_SINGLE_DES))
		say(c, V_SINGLE_DES, PROF_UNSUPPORTED,
		    "single DES is insecure and not offered; evc offers AES and 3DES");
	if (val(c, V_WEAK_ENC))
		say(c, V_WEAK_ENC, PROF_UNSUPPORTED,
		    "single DES is not offered; 3DES, which vpnc also counts as weak, is offered "
		    "anyway");
	if (val(c, V_NO_ENC))
		say(c, V_NO_ENC, PROF_UNSUPPORTED, "ESP without encryption is not offered");
	if (val(c, V_WEAK_AUTH))
		say(c, V_WEAK_AUTH, PROF_NOTE, "evc offers MD5 anyway, after SHA-2 and SHA-1");
	if (val(c, V_APP_VERSION))
		put(c, V_APP_VERSION, K_APP_VERSION, val(c, V_APP_VERSION), PROF_WARNING);
}

static void map_transport(struct vpnc *c)
{
	unsigned long n;
	bool cisco_udp = false;
	char buf[24];

	if (val(c, V_NATT_MODE)) {
		const char *m = val(c, V_NATT_MODE);
		if (strcasecmp(m, "natt") == 0)
			put(c, V_NATT_MODE, K_NATT, "auto", PROF_ERROR);
		else if (strcasecmp(m, "none") == 0)
			put(c, V_NATT_MODE, K_NATT, "off", PROF_ERROR);
		else if (strcasecmp(m, "force-natt") == 0)
			put(c, V_NATT_MODE, K_NATT, "force", PROF_ERROR);
		else if (strcasecmp(m, "cisco-udp") == 0) {
			cisco_udp = true;
			put(c, V_NATT_MODE, K_NATT, "cisco-udp", PROF_ERROR);
		} else
			say(c, V_NATT_MODE, PROF_ERROR,
			    "'%.40s' is not natt, none, force-natt or cisco-udp", m);
	}
	/* vpnc's own end of IPsec over UDP; evc uses the gateway's port on both ends, which
	 * is vpnc's default 10000 against a gateway with the default */
	if (val(c, V_UDP_PORT) && !cisco_udp)
		say(c, V_UDP_PORT, PROF_NOTE, "used only with NAT Traversal Mode cisco-udp");
	else if (val(c, V_UDP_PORT) && !prof_parse_uint(val(c, V_UDP_PORT), 65535, &n))
		say(c, V_UDP_PORT, PROF_ERROR, "'%.40s' is not a port number", val(c, V_UDP_PORT));
	else if (val(c, V_UDP_PORT))
		say(c, V_UDP_PORT, n == 10000 ? PROF_NOTE : PROF_UNSUPPORTED,
		    "evc sends IPsec over UDP from the port the gateway gives, so port %lu is not "
		    "used as its own",
		    n);
	if (val(c, V_LOCAL_ADDR) && strcmp(val(c, V_LOCAL_ADDR), "0.0.0.0") != 0)
		say(c, V_LOCAL_ADDR, PROF_UNSUPPORTED,
		    "evc does not bind to a chosen local address; the route to the gateway picks "
		    "it");
	if (val(c, V_LOCAL_PORT)) {
		if (!prof_parse_uint(val(c, V_LOCAL_PORT), 65535, &n))
			say(c, V_LOCAL_PORT, PROF_ERROR, "'%.40s' is not a port number",
			    val(c, V_LOCAL_PORT));
		else if (n == 0)
			say(c, V_LOCAL_PORT, PROF_UNSUPPORTED,
			    "a random local port is not supported; evc uses 500");
		else
			put(c, V_LOCAL_PORT, K_LOCAL_PORT, val(c, V_LOCAL_PORT), PROF_ERROR);
	}
	if (val(c, V_DPD)) {
		if (!prof_parse_uint(val(c, V_DPD), 86400, &n))
			say(c, V_DPD, PROF_ERROR, "'%.40s' is not 0 or 10 to 86400 seconds",
			    val(c, V_DPD));
		else {
			snprintf(buf, sizeof(buf), "%lu", n);
			put(c, V_DPD, K_DPD, buf, PROF_ERROR);
		}
	}
	if (val(c, V_TARGET) && strcmp(val(c, V_TARGET), "0.0.0.0/0.0.0.0") != 0 &&
	    strcmp(val(c, V_TARGET), "0.0.0.0/0") != 0)
		say(c, V_TARGET, PROF_UNSUPPORTED,
		    "evc takes the networks to tunnel from the gateway's split-tunnel policy");
}

static void map_host(struct vpnc *c)
{
	unsigned long n;

	if (val(c, V_SCRIPT)) {
		const char *s = val(c, V_SCRIPT);
		if (s[0] == '/' && !strpbrk(s, " \t"))
			put(c, V_SCRIPT, K_SCRIPT, s, PROF_WARNING);
		else
			say(c, V_SCRIPT, PROF_UNSUPPORTED,
			    "evc runs a script given by its absolute path, without arguments or a "
			    "shell; set script = /PATH");
	}
	if (val(c, V_IFNAME))
		put(c, V_IFNAME, K_IFNAME, val(c, V_IFNAME), PROF_WARNING);
	if (val(c, V_IFMODE) && strcasecmp(val(c, V_IFMODE), "tun") != 0)
		say(c, V_IFMODE,
		    strcasecmp(val(c, V_IFMODE), "tap") == 0 ? PROF_UNSUPPORTED : PROF_ERROR,
		    strcasecmp(val(c, V_IFMODE), "tap") == 0 ? "evc uses a TUN device, not TAP"
		                                             : "not tun or tap");
	if (val(c, V_IFMTU)) {
		if (!prof_parse_uint(val(c, V_IFMTU), 65535, &n))
			say(c, V_IFMTU, PROF_ERROR, "'%.40s' is not a number", val(c, V_IFMTU));
		else if (n == 0)
			say(c, V_IFMTU, PROF_NOTE, "0 (automatic): evc uses its default MTU");
		else
			put(c, V_IFMTU, K_MTU, val(c, V_IFMTU), PROF_WARNING);
	}
	if (val(c, V_DEBUG) && strcmp(val(c, V_DEBUG), "0") != 0)
		say(c, V_DEBUG, PROF_UNSUPPORTED,
		    "debugging is chosen when running evc (-v, -vv), not in the profile");
	if (val(c, V_PIDFILE))
		say(c, V_PIDFILE, PROF_UNSUPPORTED,
		    "evc stays in the foreground and writes no pid file; a service manager keeps "
		    "track of it");
	if (val(c, V_NO_DETACH))
		say(c, V_NO_DETACH, PROF_NOTE, "evc stays in the foreground anyway");
	if (val(c, V_NONINTER))
		say(c, V_NONINTER, PROF_NOTE,
		    "evc asks only on a terminal; without one, missing secrets are an error");
}

int prof_import_vpnc(const char *text, size_t len, struct prof_diag *d, struct evc_profile *p,
                     struct secret *group_key, struct secret *password)
{
	struct vpnc c = {.d = d, .group_key = group_key, .password = password, .p = p};

	collect(&c, text, len);
	map_identity(&c);
	map_crypto(&c);
	map_transport(&c);
	map_host(&c);
	for (int i = 0; i < V_COUNT; i++) {
		if (c.e[i].v)
			mem_wipe(c.e[i].v, strlen(c.e[i].v));
		free(c.e[i].v);
	}
	return d->n[PROF_ERROR] ? -EINVAL : 0;
}
