/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Cisco VPN Client profiles (.pcf). The file is read in two passes: first every [main] line
 * is collected per key (so that keys which only make sense together, such as EnableBackup and
 * BackupServer or EnableNat, TunnelingMode and TcpTunnelingPort, can be judged together and
 * in any order), then each key is translated or reported. The key list is the one the Cisco
 * client 4.x/5.x wrote, plus the keys NetworkManager-vpnc adds to the .pcf files it exports.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/crypto.h"
#include "lib/secret.h"
#include "profiles/cisco_pwd.h"
#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "lib/i18n.h"

enum pcf_key {
	C_DESCRIPTION,
	C_HOST,
	C_AUTHTYPE,
	C_GROUPNAME,
	C_GROUPPWD,
	C_ENC_GROUPPWD,
	C_ENABLEISPCONNECT,
	C_ISPCONNECTTYPE,
	C_ISPCONNECT,
	C_ISPCOMMAND,
	C_ISPPHONEBOOK,
	C_SPPHONEBOOK,
	C_USERNAME,
	C_SAVEUSERPASSWORD,
	C_USERPASSWORD,
	C_ENC_USERPASSWORD,
	C_NTDOMAIN,
	C_ENABLEBACKUP,
	C_BACKUPSERVER,
	C_ENABLEMSLOGON,
	C_MSLOGONTYPE,
	C_ENABLENAT,
	C_TUNNELINGMODE,
	C_TCPTUNNELINGPORT,
	C_CERTSTORE,
	C_CERTNAME,
	C_CERTPATH,
	C_CERTSUBJECTNAME,
	C_CERTSERIALHASH,
	C_CERTMATCHDN,
	C_SENDCERTCHAIN,
	C_VERIFYCERTDN,
	C_DHGROUP,
	C_FORCEKEEPALIVES,
	C_PEERTIMEOUT,
	C_ENABLELOCALLAN,
	C_ENABLESPLITDNS,
	C_SINGLEDES,
	C_RADIUSSDI,
	C_SDIUSEHARDWARETOKEN,
	C_USELEGACYIKEPORT,
	C_NM_ROUTES,
	C_NM_USE_NATT,
	C_NM_FORCE_NATT,
	C_COUNT
};

static const char *const names[C_COUNT] = {
    [C_DESCRIPTION] = "Description",
    [C_HOST] = "Host",
    [C_AUTHTYPE] = "AuthType",
    [C_GROUPNAME] = "GroupName",
    [C_GROUPPWD] = "GroupPwd",
    [C_ENC_GROUPPWD] = "enc_GroupPwd",
    [C_ENABLEISPCONNECT] = "EnableISPConnect",
    [C_ISPCONNECTTYPE] = "ISPConnectType",
    [C_ISPCONNECT] = "ISPConnect",
    [C_ISPCOMMAND] = "ISPCommand",
    [C_ISPPHONEBOOK] = "ISPPhonebook",
    [C_SPPHONEBOOK] = "SPPhonebook",
    [C_USERNAME] = "Username",
    [C_SAVEUSERPASSWORD] = "SaveUserPassword",
    [C_USERPASSWORD] = "UserPassword",
    [C_ENC_USERPASSWORD] = "enc_UserPassword",
    [C_NTDOMAIN] = "NTDomain",
    [C_ENABLEBACKUP] = "EnableBackup",
    [C_BACKUPSERVER] = "BackupServer",
    [C_ENABLEMSLOGON] = "EnableMSLogon",
    [C_MSLOGONTYPE] = "MSLogonType",
    [C_ENABLENAT] = "EnableNat",
    [C_TUNNELINGMODE] = "TunnelingMode",
    [C_TCPTUNNELINGPORT] = "TcpTunnelingPort",
    [C_CERTSTORE] = "CertStore",
    [C_CERTNAME] = "CertName",
    [C_CERTPATH] = "CertPath",
    [C_CERTSUBJECTNAME] = "CertSubjectName",
    [C_CERTSERIALHASH] = "CertSerialHash",
    [C_CERTMATCHDN] = "CertMatchDN",
    [C_SENDCERTCHAIN] = "SendCertChain",
    [C_VERIFYCERTDN] = "VerifyCertDN",
    [C_DHGROUP] = "DHGroup",
    [C_FORCEKEEPALIVES] = "ForceKeepAlives",
    [C_PEERTIMEOUT] = "PeerTimeout",
    [C_ENABLELOCALLAN] = "EnableLocalLAN",
    [C_ENABLESPLITDNS] = "EnableSplitDNS",
    [C_SINGLEDES] = "SingleDES",
    [C_RADIUSSDI] = "RadiusSDI",
    [C_SDIUSEHARDWARETOKEN] = "SDIUseHardwareToken",
    [C_USELEGACYIKEPORT] = "UseLegacyIKEPort",
    [C_NM_ROUTES] = "X-NM-Routes",
    [C_NM_USE_NATT] = "X-NM-Use-NAT-T",
    [C_NM_FORCE_NATT] = "X-NM-Force-NAT-T",
};

/* Keys whose values are secrets: never quoted in messages, wiped after use. */
static bool is_secret(int id)
{
	return id == C_GROUPPWD || id == C_ENC_GROUPPWD || id == C_USERPASSWORD ||
	       id == C_ENC_USERPASSWORD;
}

struct entry {
	char *v; /* NULL: not in the file */
	unsigned line;
	char key[64]; /* as written, without '!' */
};

struct pcf {
	struct prof_diag *d;
	struct secret *group_key, *password; /* filled from the file, wiped by the caller */
	struct evc_profile *p;
	struct entry e[C_COUNT];
	bool saw_main;
};

static void say(struct pcf *c, int id, enum prof_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void say(struct pcf *c, int id, enum prof_sev sev, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prof_vemit(c->d, sev, c->e[id].line, c->e[id].v ? c->e[id].key : names[id], fmt, ap);
	va_end(ap);
}

/* Present with a non-empty value. */
static const char *val(const struct pcf *c, int id)
{
	return c->e[id].v && c->e[id].v[0] ? c->e[id].v : NULL;
}

/* 0/1 keys: *on gets the value; absent or empty leaves *on alone. false on a bad value. */
static bool flag(struct pcf *c, int id, bool *on)
{
	const char *v = val(c, id);
	if (!v)
		return true;
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
		say(c, id, PROF_ERROR, "'%.40s' is not 0 or 1", v);
		return false;
	}
	*on = v[0] == '1';
	return true;
}

static bool number(struct pcf *c, int id, unsigned long max, unsigned long *out)
{
	const char *v = val(c, id);
	if (!v)
		return false;
	if (!prof_parse_uint(v, max, out)) {
		say(c, id, PROF_ERROR, "'%.40s' is not a number from 0 to %lu", v, max);
		return false;
	}
	return true;
}

static bool put(struct pcf *c, int id, int k, const char *v, enum prof_sev sev)
{
	return prof_imp_set(c->d, c->p, k, v, c->e[id].line, c->e[id].v ? c->e[id].key : names[id],
	                    sev);
}

static void add_line(struct pcf *c, char *line, unsigned no, bool in_main)
{
	char *eq = strchr(line, '=');
	if (!eq) {
		prof_emit(c->d, PROF_WARNING, no, NULL,
		          _("not a key=value line; the Cisco client ignores it, and so does evc"));
		return;
	}
	*eq = '\0';
	char *key = prof_trim(line), *v = prof_trim(eq + 1);
	bool ro = false;
	while (*key == '!') {
		key++;
		ro = true;
	}
	if (!*key) {
		prof_emit(c->d, PROF_WARNING, no, NULL,
		          _("the line has no key before '='; ignored"));
		return;
	}
	if (!in_main) {
		prof_emit(c->d, PROF_UNSUPPORTED, no, key,
		          _("outside the [main] section; the Cisco client reads only [main]"));
		return;
	}
	int id;
	for (id = 0; id < C_COUNT; id++)
		if (strcasecmp(key, names[id]) == 0)
			break;
	if (id == C_COUNT) {
		prof_emit(
		    c->d, PROF_UNSUPPORTED, no, key,
		    _("not a key the Cisco VPN Client writes; evc does not know what it means "
		      "and ignores it"));
		return;
	}
	struct entry *e = &c->e[id];
	if (e->v) {
		if (strcmp(e->v, v) == 0) {
			prof_emit(c->d, PROF_WARNING, no, key,
			          _("repeats line %u with the same value"), e->line);
		} else if (is_secret(id)) {
			prof_emit(c->d, PROF_ERROR, no, key,
			          _("also set on line %u, to a different value; keep one"),
			          e->line);
		} else {
			prof_emit(c->d, PROF_ERROR, no, key,
			          _("also set on line %u, to '%.60s'; keep one"), e->line, e->v);
		}
		return;
	}
	e->v = strdup(v);
	if (!e->v) {
		prof_emit(c->d, PROF_ERROR, no, key, _("out of memory"));
		return;
	}
	e->line = no;
	snprintf(e->key, sizeof(e->key), "%s", key);
	if (ro)
		prof_emit(c->d, PROF_NOTE, no, key,
		          _("marked read-only with '!' for the Cisco GUI; evc imports it as an "
		            "ordinary key"));
}

static void collect(struct pcf *c, const char *text, size_t len)
{
	char line[PROF_LINE_MAX + 1];
	struct prof_lines l = prof_lines_init(text, len);
	bool in_main = false, in_any = false;
	int rc;

	while ((rc = prof_next_line(&l, line, sizeof(line))) != 0) {
		if (rc < 0) {
			prof_emit(c->d, PROF_ERROR, l.no, NULL,
			          _("the line is longer than %d bytes"), PROF_LINE_MAX);
			continue;
		}
		char *s = prof_trim(line);
		if (!*s || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || prof_trim(end + 1)[0]) {
				prof_emit(c->d, PROF_ERROR, l.no, NULL,
				          _("a section header must be [NAME] alone on its line"));
				in_main = false;
				continue;
			}
			*end = '\0';
			in_main = strcasecmp(prof_trim(s + 1), "main") == 0;
			in_any = true;
			if (in_main && c->saw_main)
				prof_emit(
				    c->d, PROF_WARNING, l.no, NULL,
				    _("a second [main] section; its keys join the first one's"));
			c->saw_main |= in_main;
			continue;
		}
		if (!in_any) {
			prof_emit(c->d, PROF_WARNING, l.no, NULL,
			          _("a line before any [section]; the Cisco client ignores it"));
			continue;
		}
		add_line(c, s, l.no, in_main);
	}
	mem_wipe(line, sizeof(line));
}

static void map_identity(struct pcf *c, enum prof_auth *auth)
{
	unsigned long at = 1;

	if (!val(c, C_HOST))
		say(c, C_HOST, PROF_ERROR, "%s: the profile needs the gateway to connect to",
		    c->e[C_HOST].v ? "empty" : "missing");
	else
		put(c, C_HOST, K_GATEWAY, val(c, C_HOST), PROF_ERROR);
	if (val(c, C_DESCRIPTION))
		put(c, C_DESCRIPTION, K_DESCRIPTION, val(c, C_DESCRIPTION), PROF_WARNING);

	if (val(c, C_AUTHTYPE) && number(c, C_AUTHTYPE, 255, &at)) {
		if (at == 3) {
			put(c, C_AUTHTYPE, K_AUTH, "cert", PROF_ERROR);
			say(c, C_AUTHTYPE, PROF_NOTE,
			    "certificate authentication is recorded as auth = cert (main mode with "
			    "RSA signatures); add cert_key and ca_cert, the PEM files of the "
			    "certificate's key and of the gateway's CA, which a .pcf does not "
			    "name");
		} else if (at == 5) {
			/* vpnc's pcf2vpnc maps it to its hybrid mode, which also hashes the
			 * group key into AM3 (PRESHARED_KEY_HASH), as evc does */
			put(c, C_AUTHTYPE, K_AUTH, "hybrid", PROF_ERROR);
			say(c, C_AUTHTYPE, PROF_NOTE,
			    "mutual group authentication is recorded as auth = hybrid (the "
			    "gateway's certificate, the group key's hash, then XAUTH); the .pcf "
			    "names no CA: add ca_cert = the PEM file of the CA that issued the "
			    "gateway's certificate");
		} else if (at != 1) {
			say(c, C_AUTHTYPE, PROF_ERROR,
			    "'%lu' is not 1 (group), 3 (certificate) or 5 (mutual group)", at);
		}
	}
	*auth = at == 3 ? PROF_AUTH_CERT : at == 5 ? PROF_AUTH_HYBRID : PROF_AUTH_PSK;

	if (val(c, C_GROUPNAME))
		put(c, C_GROUPNAME, K_GROUP, val(c, C_GROUPNAME), PROF_ERROR);
	else if (*auth != PROF_AUTH_CERT)
		say(c, C_GROUPNAME, PROF_ERROR, "%s: group authentication needs the group name",
		    c->e[C_GROUPNAME].v ? "empty" : "missing");
	if (val(c, C_USERNAME))
		put(c, C_USERNAME, K_USERNAME, val(c, C_USERNAME), PROF_WARNING);
}

static void map_group_key(struct pcf *c)
{
	struct secret dec = {NULL, 0};
	char err[300];
	const char *clear = val(c, C_GROUPPWD), *enc = val(c, C_ENC_GROUPPWD);

	if (enc && prof_cisco_decode(enc, &dec, err, sizeof(err)) != 0) {
		/* With the clear text at hand a damaged copy costs nothing; alone it is fatal. */
		say(c, C_ENC_GROUPPWD, clear ? PROF_WARNING : PROF_ERROR, "cannot be decoded: %s%s",
		    err, clear ? "; GroupPwd is used" : "");
		enc = NULL;
		if (!clear)
			return;
	}
	if (clear) {
		if (enc && (dec.len != strlen(clear) || !crypto_ct_equal(dec.p, clear, dec.len)))
			say(c, C_ENC_GROUPPWD, PROF_WARNING,
			    "differs from GroupPwd; GroupPwd is used, as the Cisco client does");
		prof_imp_secret(c->d, c->group_key, clear, c->e[C_GROUPPWD].line,
		                c->e[C_GROUPPWD].key);
	} else if (enc) {
		prof_imp_secret(c->d, c->group_key, (const char *)dec.p, c->e[C_ENC_GROUPPWD].line,
		                c->e[C_ENC_GROUPPWD].key);
	}
	secret_clear(&dec);
}

static void map_password(struct pcf *c)
{
	struct secret dec = {NULL, 0};
	char err[300];
	bool save = false;
	const char *clear = val(c, C_USERPASSWORD), *enc = val(c, C_ENC_USERPASSWORD);

	if (!flag(c, C_SAVEUSERPASSWORD, &save))
		return;
	if (!save) {
		if (clear || enc)
			say(c, clear ? C_USERPASSWORD : C_ENC_USERPASSWORD, PROF_WARNING,
			    "the file holds a password, but SaveUserPassword is not 1: it is not "
			    "saved, and evc will ask for it");
		return;
	}
	if (clear) {
		prof_imp_secret(c->d, c->password, clear, c->e[C_USERPASSWORD].line,
		                c->e[C_USERPASSWORD].key);
	} else if (enc) {
		if (prof_cisco_decode(enc, &dec, err, sizeof(err)) != 0)
			say(c, C_ENC_USERPASSWORD, PROF_UNSUPPORTED,
			    "cannot be decoded (%s); newer Cisco clients tie it to the Windows "
			    "account. evc will ask for the password",
			    err);
		else
			prof_imp_secret(c->d, c->password, (const char *)dec.p,
			                c->e[C_ENC_USERPASSWORD].line,
			                c->e[C_ENC_USERPASSWORD].key);
	} else {
		say(c, C_SAVEUSERPASSWORD, PROF_NOTE,
		    "no password in the file: evc will ask for it");
	}
	secret_clear(&dec);
}

static void map_windows_only(struct pcf *c)
{
	bool isp = false, mslogon = false;

	if (flag(c, C_ENABLEISPCONNECT, &isp) && isp)
		say(c, C_ENABLEISPCONNECT, PROF_UNSUPPORTED,
		    "dialing an ISP connection before the VPN is a Windows feature; connect to "
		    "the internet first");
	static const int isp_keys[] = {C_ISPCONNECTTYPE, C_ISPCONNECT, C_ISPCOMMAND, C_ISPPHONEBOOK,
	                               C_SPPHONEBOOK};
	for (size_t i = 0; i < sizeof(isp_keys) / sizeof(isp_keys[0]); i++) {
		const char *v = val(c, isp_keys[i]);
		if (!v || (isp_keys[i] == C_ISPCONNECTTYPE && strcmp(v, "0") == 0))
			continue;
		if (isp)
			say(c, isp_keys[i], PROF_UNSUPPORTED,
			    "part of the Windows dial-up connection, which evc does not make");
		else
			say(c, isp_keys[i], PROF_NOTE, "not used: EnableISPConnect is not 1");
	}
	if (flag(c, C_ENABLEMSLOGON, &mslogon) && mslogon)
		say(c, C_ENABLEMSLOGON, PROF_UNSUPPORTED,
		    "logging on to a Microsoft network through the tunnel is Windows-only");
	if (val(c, C_MSLOGONTYPE) && strcmp(val(c, C_MSLOGONTYPE), "0") != 0)
		say(c, C_MSLOGONTYPE, mslogon ? PROF_UNSUPPORTED : PROF_NOTE,
		    mslogon ? "Microsoft network logon is Windows-only"
		            : "not used: EnableMSLogon is not 1");
	if (val(c, C_NTDOMAIN))
		say(c, C_NTDOMAIN, PROF_UNSUPPORTED,
		    "evc does not send an XAUTH domain; if the gateway needs it, use DOMAIN\\user "
		    "as the user name");

	static const struct {
		int id;
		const char *why;
	} off_only[] = {
	    {C_ENABLESPLITDNS, "split DNS is not available: with resolv.conf every name is "
	                       "resolved through the VPN's DNS servers when the gateway pushes "
	                       "them"},
	    {C_SINGLEDES, "single DES is insecure and not offered; evc offers AES and 3DES"},
	    {C_RADIUSSDI, "RSA SecurID prompts (new PIN, next tokencode) are not supported; a "
	                  "plain passcode typed as the password may work"},
	    {C_SDIUSEHARDWARETOKEN, "RSA SoftID integration is Windows-only"},
	};
	for (size_t i = 0; i < sizeof(off_only) / sizeof(off_only[0]); i++) {
		bool on = false;
		if (flag(c, off_only[i].id, &on) && on)
			say(c, off_only[i].id, PROF_UNSUPPORTED, "%s", off_only[i].why);
	}
}

static void map_backup(struct pcf *c)
{
	bool on = false;
	if (!flag(c, C_ENABLEBACKUP, &on))
		return;
	if (on && val(c, C_BACKUPSERVER))
		put(c, C_BACKUPSERVER, K_BACKUP, val(c, C_BACKUPSERVER), PROF_ERROR);
	else if (on)
		say(c, C_ENABLEBACKUP, PROF_WARNING, "no BackupServer is listed");
	else if (val(c, C_BACKUPSERVER))
		say(c, C_BACKUPSERVER, PROF_NOTE, "not used: EnableBackup is not 1");
}

static void map_transport(struct pcf *c)
{
	bool nat = true, tcp = false, nm_use = true, nm_force = false;
	unsigned long mode = 0, n;

	if (!flag(c, C_ENABLENAT, &nat))
		return;
	if (val(c, C_ENABLENAT)) {
		put(c, C_ENABLENAT, K_NATT, nat ? "auto" : "off", PROF_ERROR);
		if (nat)
			say(c, C_ENABLENAT, PROF_NOTE,
			    "transparent tunnelling becomes NAT-T (RFC 3947, natt = auto); for "
			    "Cisco's own IPsec over UDP instead (a gateway with ipsec-udp and no "
			    "NAT-T) set natt = cisco-udp");
	}
	if (val(c, C_TUNNELINGMODE) && number(c, C_TUNNELINGMODE, 255, &mode)) {
		if (mode > 1)
			say(c, C_TUNNELINGMODE, PROF_ERROR, "'%lu' is not 0 (UDP) or 1 (TCP)",
			    mode);
		tcp = mode == 1;
		if (tcp && nat)
			say(c, C_TUNNELINGMODE, PROF_UNSUPPORTED,
			    "IPsec over TCP (Cisco TCP tunnelling) is not supported; evc uses "
			    "NAT-T over UDP 4500, which the gateway must allow");
		else if (tcp)
			say(c, C_TUNNELINGMODE, PROF_NOTE, "not used: EnableNat is 0");
	}
	if (val(c, C_TCPTUNNELINGPORT)) {
		if (!number(c, C_TCPTUNNELINGPORT, 65535, &n))
			;
		else if (tcp && nat)
			say(c, C_TCPTUNNELINGPORT, PROF_UNSUPPORTED,
			    "Cisco TCP tunnelling is not supported, so port %lu is not used", n);
		else
			say(c, C_TCPTUNNELINGPORT, PROF_NOTE,
			    "used only for IPsec over TCP, which this profile does not ask for");
	}
	if (flag(c, C_NM_USE_NATT, &nm_use) && val(c, C_NM_USE_NATT))
		put(c, C_NM_USE_NATT, K_NATT, nm_use ? "auto" : "off", PROF_ERROR);
	if (flag(c, C_NM_FORCE_NATT, &nm_force) && nm_force)
		put(c, C_NM_FORCE_NATT, K_NATT, "force", PROF_ERROR);
	if (val(c, C_NM_ROUTES))
		say(c, C_NM_ROUTES, PROF_UNSUPPORTED,
		    "static routes from NetworkManager are not supported; evc routes what the "
		    "gateway's split-tunnel policy lists");

	bool legacy = true;
	if (flag(c, C_USELEGACYIKEPORT, &legacy) && !legacy)
		say(c, C_USELEGACYIKEPORT, PROF_NOTE,
		    "the Cisco client would pick a random local port; evc uses 500 (set "
		    "local_port to change it)");
}

static void map_cert(struct pcf *c, enum prof_auth auth)
{
	unsigned long store = 0;
	bool cert = auth == PROF_AUTH_CERT, chain = false;
	const char *name = val(c, C_CERTNAME), *path = val(c, C_CERTPATH);

	if (val(c, C_CERTSTORE) && number(c, C_CERTSTORE, 255, &store) && store > 2)
		say(c, C_CERTSTORE, PROF_ERROR, "'%lu' is not 0 (none), 1 (Cisco) or 2 (Microsoft)",
		    store);
	if (!cert) {
		static const int unused[] = {C_CERTNAME, C_CERTPATH, C_CERTSUBJECTNAME,
		                             C_CERTMATCHDN};
		for (size_t i = 0; i < sizeof(unused) / sizeof(unused[0]); i++)
			if (val(c, unused[i]))
				say(c, unused[i], PROF_NOTE,
				    "not used: AuthType is not 3 (certificate)");
	} else if (store == 2) {
		say(c, C_CERTSTORE, PROF_UNSUPPORTED,
		    "the Microsoft certificate store is Windows-only: export the certificate and "
		    "key as PEM files and set cert and cert_key");
	} else if (name && path && path[0] == '/') {
		char full[PROF_LINE_MAX + 1];
		snprintf(full, sizeof(full), "%s/%s", path, name);
		put(c, C_CERTPATH, K_CERT, full, PROF_WARNING);
	} else if (name || path) {
		say(c, path ? C_CERTPATH : C_CERTNAME, PROF_UNSUPPORTED,
		    "the certificate is in the Cisco client's Windows store; copy it here as a PEM "
		    "file and set cert = /PATH");
	}
	if (cert && (val(c, C_CERTSUBJECTNAME) || val(c, C_CERTMATCHDN)))
		say(c, val(c, C_CERTSUBJECTNAME) ? C_CERTSUBJECTNAME : C_CERTMATCHDN,
		    PROF_UNSUPPORTED,
		    "evc takes the certificate from the file named by cert, not "
		    "by its subject");
	const char *hash = val(c, C_CERTSERIALHASH);
	if (hash && strspn(hash, "0") != strlen(hash))
		say(c, C_CERTSERIALHASH, cert ? PROF_UNSUPPORTED : PROF_NOTE,
		    cert ? "evc takes the certificate from the file named by cert, not by its "
		           "serial number"
		         : "not used: AuthType is not 3 (certificate)");
	if (flag(c, C_SENDCERTCHAIN, &chain) && chain)
		say(c, C_SENDCERTCHAIN, cert ? PROF_UNSUPPORTED : PROF_NOTE,
		    cert ? "sending the certificate chain is not supported"
		         : "not used: AuthType is not 3 (certificate)");
	if (val(c, C_VERIFYCERTDN))
		say(c, C_VERIFYCERTDN, PROF_UNSUPPORTED,
		    "matching the gateway certificate's subject is not supported");
}

static void map_timers(struct pcf *c)
{
	unsigned long n;
	char buf[24];
	bool on = false;

	if (val(c, C_DHGROUP) && number(c, C_DHGROUP, 255, &n)) {
		if (n == 1)
			say(c, C_DHGROUP, PROF_UNSUPPORTED,
			    "DH group 1 (768-bit) is too weak and not supported; the profile keeps "
			    "dh = auto: evc offers group 14, then 2 and 5, and the gateway must "
			    "accept one of them");
		else if (n == 2 || n == 5 || n == 14 || n == 15 || n == 16) {
			snprintf(buf, sizeof(buf), "%lu", n);
			put(c, C_DHGROUP, K_DH, buf, PROF_ERROR);
		} else
			say(c, C_DHGROUP, PROF_ERROR,
			    "'%lu' is not a DH group evc knows (2, 5, 14, 15, 16)", n);
	}
	if (val(c, C_PEERTIMEOUT) && number(c, C_PEERTIMEOUT, 86400, &n)) {
		snprintf(buf, sizeof(buf), "%lu", n);
		if (put(c, C_PEERTIMEOUT, K_DPD, buf, PROF_ERROR))
			say(c, C_PEERTIMEOUT, PROF_NOTE,
			    "how long the Cisco client waits for a silent gateway becomes "
			    "dpd = %lu, the seconds of silence before evc probes it",
			    n);
	}
	if (flag(c, C_FORCEKEEPALIVES, &on) && on)
		say(c, C_FORCEKEEPALIVES, PROF_NOTE,
		    "evc sends NAT-T keepalives and DPD probes anyway (unless dpd = 0)");
	on = true;
	if (flag(c, C_ENABLELOCALLAN, &on) && val(c, C_ENABLELOCALLAN))
		put(c, C_ENABLELOCALLAN, K_LOCAL_LAN, on ? "yes" : "no", PROF_ERROR);
}

int prof_import_pcf(const char *text, size_t len, struct prof_diag *d, struct evc_profile *p,
                    struct secret *group_key, struct secret *password)
{
	struct pcf c = {.d = d, .group_key = group_key, .password = password, .p = p};
	enum prof_auth auth;

	collect(&c, text, len);
	if (!c.saw_main) {
		prof_emit(d, PROF_ERROR, 0, NULL,
		          _("no [main] section: this is not a Cisco VPN Client profile"));
		goto out;
	}
	map_identity(&c, &auth);
	map_group_key(&c);
	map_password(&c);
	map_windows_only(&c);
	map_backup(&c);
	map_transport(&c);
	map_cert(&c, auth);
	map_timers(&c);
out:
	for (int i = 0; i < C_COUNT; i++) {
		if (c.e[i].v)
			mem_wipe(c.e[i].v, strlen(c.e[i].v));
		free(c.e[i].v);
	}
	return d->n[PROF_ERROR] ? -EINVAL : 0;
}
