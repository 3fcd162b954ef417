/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Import of Cisco .pcf and vpnc .conf files. The test writes its corpus into a temporary
 * directory: .pcf files with every key the Cisco client writes, in UTF-16LE with BOM and CRLF
 * (as the Cisco client on Windows wrote them), UTF-16BE, UTF-16 without BOM, UTF-8 with and
 * without BOM and Windows-1252; vpnc files with every directive; and broken files (truncated
 * and invalid UTF-16, no [main], bad values, duplicate keys, damaged enc_GroupPwd, ...). Each
 * import is checked for the profile it yields (exact text), the secrets it found, and every
 * message: severity, line, key.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "profiles/import.h"
#include "profiles/profile.h"
#include "profiles/secrets.h"
#include "profiles/store.h"

/* Known answers from test_profile_cisco.c (checked there against vpnc's cisco-decrypt). */
#define ENC_PASS                                                                                   \
	"E180CA93100A3E7EB93A25C83767A2D674D8705ABFFAE80E9F6F7EA98AF02089C9163B365CBC71D752D1A78"  \
	"0D0F173E8F220155BA8E0CC94" /* p@ss w0rd!#;= */
#define ENC_FIFTEEN                                                                                \
	"0F3533640FD21DF2BC3A2D779E30BAC3118CAFF79A1D13C9B3753FB8156DE0B3BF626A6C3B66F9EDC605A9C"  \
	"B3EBA6D6620EB89E8E71973F538D33C3BC666672C" /* fifteen-chars!! */
#define ENC_1234567                                                                                \
	"385F43D205B8157B8CD2FC0F3E036150C642BD56300070265A1B6E03E64C3677BC390826CB1C7ECB35A0C94"  \
	"543E176D11CA695852308EA86" /* 1234567 */

/* ---- messages ---- */

#define MAXMSG 640
#include "prof_diag.h"

/* Checks the message exists and has the "FILE:LINE: key 'KEY': " form. */
static void expect(const struct diag *d, const char *file, enum prof_sev sev, unsigned line,
                   const char *key, const char *fragment)
{
	int i = find(d, sev, line, key, fragment);
	if (i < 0) {
		print_error("no %s at line %u for key '%s' saying '%s'; got:\n", prof_sev_name(sev),
		            line, key, fragment);
		dump(d);
		fail();
	}
	char head[512];
	if (line && *key)
		snprintf(head, sizeof(head), "%s:%u: key '%s': ", file, line, key);
	else if (line)
		snprintf(head, sizeof(head), "%s:%u: ", file, line);
	else if (*key)
		snprintf(head, sizeof(head), "%s: key '%s': ", file, key);
	else
		snprintf(head, sizeof(head), "%s: ", file);
	if (strncmp(d->text[i], head, strlen(head)) != 0) {
		print_error("'%s' does not start with '%s'\n", d->text[i], head);
		fail();
	}
}

/* ---- the corpus directory ---- */

struct corpus {
	char dir[64];
	char path[256];
	struct diag d;
	struct prof_import imp;
};

static int setup(void **state)
{
	struct corpus *c = calloc(1, sizeof(*c));
	snprintf(c->dir, sizeof(c->dir), "/tmp/evc-test-import-XXXXXX");
	if (!mkdtemp(c->dir))
		return -1;
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct corpus *c = *state;
	char cmd[128];
	prof_import_clear(&c->imp);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
	int rc = system(cmd);
	free(c);
	return rc == 0 ? 0 : -1;
}

static const char *put_bytes(struct corpus *c, const char *name, const void *data, size_t len)
{
	snprintf(c->path, sizeof(c->path), "%s/%s", c->dir, name);
	FILE *f = fopen(c->path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	return c->path;
}

/* lines joined with eol */
static char *join(const char *const *lines, size_t n, const char *eol)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(lines[i]) + strlen(eol);
	char *s = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(s, lines[i]);
		strcat(s, eol);
	}
	return s;
}

/* UTF-8 text to UTF-16 (to = "UTF-16LE" / "UTF-16BE"), with a BOM if asked. */
static uint8_t *utf16(const char *text, const char *to, bool bom, size_t *outlen)
{
	size_t in = strlen(text), cap = in * 4 + 4;
	uint8_t *buf = calloc(1, cap);
	char *ip = (char *)text, *op = (char *)buf;
	size_t il = in, ol = cap;
	if (bom) {
		uint16_t b = 0xfeff;
		bool le = strcmp(to, "UTF-16LE") == 0;
		*op++ = (char)(le ? b & 0xff : b >> 8);
		*op++ = (char)(le ? b >> 8 : b & 0xff);
		ol -= 2;
	}
	iconv_t cd = iconv_open(to, "UTF-8");
	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
	iconv_close(cd);
	*outlen = (size_t)((uint8_t *)op - buf);
	return buf;
}

static int import(struct corpus *c, const char *path, const char *name)
{
	prof_import_clear(&c->imp);
	memset(&c->d, 0, sizeof(c->d));
	int rc = prof_import_file(path, name, PROF_FMT_AUTO, collect, &c->d, &c->imp);
	if (rc && c->d.count[PROF_ERROR] == 0)
		print_message("import of %s failed (%d) without an error message\n", path, rc);
	if (getenv("EVC_TEST_VERBOSE"))
		dump(&c->d);
	return rc;
}

static void expect_text(struct corpus *c, const char *want)
{
	char *text = prof_to_text(c->imp.prof);
	if (strcmp(text, want) != 0)
		print_error("got:\n%s\nwanted:\n%s\n", text, want);
	assert_string_equal(text, want);
	free(text);
}

static void expect_secret(const struct secret *s, const char *want)
{
	if (!want) {
		assert_null(s->p);
		assert_int_equal(s->len, 0);
		return;
	}
	assert_non_null(s->p);
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->p, want, s->len);
}

/* ---- .pcf: every key, UTF-16LE with BOM and CRLF ---- */

static const char *const pcf_full[] = {
    "[main]",                                          /* 1 */
    "!Description=Quizware office (B\xc3\xbcro)",      /* 2 */
    "!Host=vpn.quizware.example",                      /* 3 */
    "AuthType=1",                                      /* 4 */
    "!GroupName=quizware",                             /* 5 */
    "GroupPwd=",                                       /* 6 */
    "enc_GroupPwd=" ENC_PASS,                          /* 7 */
    "EnableISPConnect=0",                              /* 8 */
    "ISPConnectType=0",                                /* 9 */
    "ISPConnect=",                                     /* 10 */
    "ISPCommand=",                                     /* 11 */
    "Username=alice",                                  /* 12 */
    "SaveUserPassword=1",                              /* 13 */
    "UserPassword=",                                   /* 14 */
    "enc_UserPassword=" ENC_FIFTEEN,                   /* 15 */
    "NTDomain=QUIZ",                                   /* 16 */
    "EnableBackup=1",                                  /* 17 */
    "BackupServer=vpn2.quizware.example,198.51.100.7", /* 18 */
    "EnableMSLogon=1",                                 /* 19 */
    "MSLogonType=0",                                   /* 20 */
    "EnableNat=1",                                     /* 21 */
    "TunnelingMode=0",                                 /* 22 */
    "TcpTunnelingPort=10000",                          /* 23 */
    "CertStore=0",                                     /* 24 */
    "CertName=",                                       /* 25 */
    "CertPath=",                                       /* 26 */
    "CertSubjectName=",                                /* 27 */
    "CertSerialHash=00000000000000000000000000000000", /* 28 */
    "SendCertChain=0",                                 /* 29 */
    "PeerTimeout=90",                                  /* 30 */
    "EnableLocalLAN=0",                                /* 31 */
    "DHGroup=14",                                      /* 32 */
    "ForceKeepAlives=1",                               /* 33 */
    "EnableSplitDNS=1",                                /* 34 */
    "ISPPhonebook=",                                   /* 35 */
    "VerifyCertDN=",                                   /* 36 */
    "RadiusSDI=0",                                     /* 37 */
    "SDIUseHardwareToken=0",                           /* 38 */
    "UseLegacyIKEPort=1",                              /* 39 */
    "SingleDES=0",                                     /* 40 */
};

static const char pcf_full_profile[] = "# evc profile 'office'\n"
                                       "description = Quizware office (B\xc3\xbcro)\n"
                                       "gateway = vpn.quizware.example\n"
                                       "backup_gateways = vpn2.quizware.example, 198.51.100.7\n"
                                       "group = quizware\n"
                                       "username = alice\n"
                                       "dh = 14\n"
                                       "natt = auto\n"
                                       "local_lan = no\n"
                                       "dpd = 90\n";

static void test_pcf_full_utf16le(void **state)
{
	struct corpus *c = *state;
	char *text = join(pcf_full, sizeof(pcf_full) / sizeof(pcf_full[0]), "\r\n");
	size_t len;
	uint8_t *u16 = utf16(text, "UTF-16LE", true, &len);
	const char *path = put_bytes(c, "office.pcf", u16, len);
	free(text);
	free(u16);

	assert_int_equal(import(c, path, NULL), 0);
	assert_int_equal(c->imp.format, PROF_FMT_PCF);
	assert_string_equal(c->imp.encoding, "UTF-16LE");
	assert_string_equal(prof_name(c->imp.prof), "office");
	expect_text(c, pcf_full_profile);
	expect_secret(&c->imp.group_key, "p@ss w0rd!#;=");
	expect_secret(&c->imp.password, "fifteen-chars!!");

	/* everything not translated one-to-one, with its line */
	expect(&c->d, path, PROF_NOTE, 2, "Description", "read-only with '!'");
	expect(&c->d, path, PROF_NOTE, 3, "Host", "read-only with '!'");
	expect(&c->d, path, PROF_NOTE, 5, "GroupName", "read-only with '!'");
	expect(&c->d, path, PROF_UNSUPPORTED, 16, "NTDomain", "does not send an XAUTH domain");
	expect(&c->d, path, PROF_UNSUPPORTED, 19, "EnableMSLogon", "Windows-only");
	expect(&c->d, path, PROF_NOTE, 21, "EnableNat", "becomes NAT-T");
	expect(&c->d, path, PROF_NOTE, 23, "TcpTunnelingPort", "used only for IPsec over TCP");
	expect(&c->d, path, PROF_NOTE, 30, "PeerTimeout", "becomes dpd = 90");
	expect(&c->d, path, PROF_NOTE, 33, "ForceKeepAlives", "keepalives");
	expect(&c->d, path, PROF_UNSUPPORTED, 34, "EnableSplitDNS", "split DNS is not available");
	assert_int_equal(c->d.count[PROF_ERROR], 0);
	assert_int_equal(c->d.count[PROF_WARNING], 0);
	assert_int_equal(c->d.count[PROF_UNSUPPORTED], 3);
	assert_int_equal(c->d.count[PROF_NOTE], 7);
	/* the secrets appear in no message */
	for (size_t i = 0; i < c->d.n; i++) {
		assert_null(strstr(c->d.text[i], "w0rd"));
		assert_null(strstr(c->d.text[i], ENC_PASS));
	}
}

/* ---- .pcf: the other half of the keys' values, UTF-8 with BOM, LF, odd key case ---- */

static const char *const pcf_other[] = {
    "[main]",                               /* 1 */
    "description=Lab",                      /* 2 */
    "HOST=lab.quizware.example",            /* 3 */
    "authtype=3",                           /* 4 */
    "GroupName=",                           /* 5 */
    "GroupPwd=plain group key",             /* 6 */
    "enc_GroupPwd=" ENC_1234567,            /* 7 */
    "EnableISPConnect=1",                   /* 8 */
    "ISPConnectType=1",                     /* 9 */
    "ISPConnect=MyISP",                     /* 10 */
    "ISPCommand=c:\\dial.exe",              /* 11 */
    "SaveUserPassword=0",                   /* 12 */
    "UserPassword=unsaved-pw-77",           /* 13 */
    "EnableBackup=0",                       /* 14 */
    "BackupServer=b.example",               /* 15 */
    "EnableMSLogon=0",                      /* 16 */
    "MSLogonType=1",                        /* 17 */
    "EnableNat=1",                          /* 18 */
    "TunnelingMode=1",                      /* 19 */
    "TcpTunnelingPort=443",                 /* 20 */
    "CertStore=1",                          /* 21 */
    "CertName=alice.pem",                   /* 22 */
    "CertPath=/etc/evc/certs",              /* 23 */
    "CertSubjectName=CN=alice",             /* 24 */
    "CertSerialHash=0123456789ABCDEF",      /* 25 */
    "SendCertChain=1",                      /* 26 */
    "VerifyCertDN=CN=vpn.quizware.example", /* 27 */
    "DHGroup=1",                            /* 28 */
    "ForceKeepAlives=0",                    /* 29 */
    "EnableLocalLAN=1",                     /* 30 */
    "EnableSplitDNS=0",                     /* 31 */
    "SingleDES=1",                          /* 32 */
    "RadiusSDI=1",                          /* 33 */
    "SDIUseHardwareToken=1",                /* 34 */
    "UseLegacyIKEPort=0",                   /* 35 */
    "X-NM-Routes=10.0.0.0/8",               /* 36 */
    "X-NM-Use-NAT-T=1",                     /* 37 */
    "X-NM-Force-NAT-T=1",                   /* 38 */
    "FooBar=1",                             /* 39 */
    "no equals sign here",                  /* 40 */
    "[Other]",                              /* 41 */
    "Host=elsewhere.example",               /* 42 */
    "SPPhonebook=book",                     /* 43 */
};

static void test_pcf_other_values_utf8(void **state)
{
	struct corpus *c = *state;
	char *text = join(pcf_other, sizeof(pcf_other) / sizeof(pcf_other[0]), "\n");
	char *bom = malloc(strlen(text) + 4);
	snprintf(bom, strlen(text) + 4, "\xef\xbb\xbf%s", text);
	const char *path = put_bytes(c, "lab.pcf", bom, strlen(bom));
	free(text);
	free(bom);

	assert_int_equal(import(c, path, "lab"), 0);
	assert_string_equal(c->imp.encoding, "UTF-8");
	expect_text(c, "# evc profile 'lab'\n"
	               "description = Lab\n"
	               "gateway = lab.quizware.example\n"
	               "auth = cert\n"
	               "cert = /etc/evc/certs/alice.pem\n"
	               "natt = force\n"
	               "local_lan = yes\n");
	/* GroupPwd wins over a differing enc_GroupPwd; the password is not saved */
	expect_secret(&c->imp.group_key, "plain group key");
	expect_secret(&c->imp.password, NULL);

	const char *p = path;
	expect(&c->d, p, PROF_NOTE, 4, "authtype", "recorded as auth = cert (main mode");
	expect(&c->d, p, PROF_WARNING, 7, "enc_GroupPwd", "differs from GroupPwd");
	expect(&c->d, p, PROF_UNSUPPORTED, 8, "EnableISPConnect", "Windows feature");
	expect(&c->d, p, PROF_UNSUPPORTED, 9, "ISPConnectType", "Windows dial-up");
	expect(&c->d, p, PROF_UNSUPPORTED, 10, "ISPConnect", "Windows dial-up");
	expect(&c->d, p, PROF_UNSUPPORTED, 11, "ISPCommand", "Windows dial-up");
	expect(&c->d, p, PROF_WARNING, 13, "UserPassword", "SaveUserPassword is not 1");
	expect(&c->d, p, PROF_NOTE, 15, "BackupServer", "EnableBackup is not 1");
	expect(&c->d, p, PROF_NOTE, 17, "MSLogonType", "EnableMSLogon is not 1");
	expect(&c->d, p, PROF_UNSUPPORTED, 19, "TunnelingMode", "IPsec over TCP");
	expect(&c->d, p, PROF_UNSUPPORTED, 20, "TcpTunnelingPort",
	       "Cisco TCP tunnelling is not supported, so port 443 is not used");
	expect(&c->d, p, PROF_UNSUPPORTED, 24, "CertSubjectName", "not by its subject");
	expect(&c->d, p, PROF_UNSUPPORTED, 25, "CertSerialHash", "serial number");
	expect(&c->d, p, PROF_UNSUPPORTED, 26, "SendCertChain", "chain");
	expect(&c->d, p, PROF_UNSUPPORTED, 27, "VerifyCertDN", "subject is not supported");
	/* the profile keeps dh = auto, so the message names what evc offers then */
	expect(&c->d, p, PROF_UNSUPPORTED, 28, "DHGroup",
	       "DH group 1 (768-bit) is too weak and not supported; the profile keeps dh = auto: "
	       "evc offers group 14, then 2 and 5");
	expect(&c->d, p, PROF_UNSUPPORTED, 32, "SingleDES", "single DES is insecure");
	expect(&c->d, p, PROF_UNSUPPORTED, 33, "RadiusSDI", "SecurID");
	expect(&c->d, p, PROF_UNSUPPORTED, 34, "SDIUseHardwareToken", "SoftID");
	expect(&c->d, p, PROF_NOTE, 35, "UseLegacyIKEPort", "evc uses 500");
	expect(&c->d, p, PROF_UNSUPPORTED, 36, "X-NM-Routes", "static routes");
	expect(&c->d, p, PROF_UNSUPPORTED, 39, "FooBar", "not a key the Cisco VPN Client writes");
	expect(&c->d, p, PROF_WARNING, 40, "", "not a key=value line");
	expect(&c->d, p, PROF_UNSUPPORTED, 42, "Host", "outside the [main] section");
	expect(&c->d, p, PROF_UNSUPPORTED, 43, "SPPhonebook", "outside the [main] section");
	assert_int_equal(c->d.count[PROF_ERROR], 0);
	/* reported in file order, although the keys are judged in another order */
	for (size_t i = 1; i < c->d.n; i++)
		assert_true(c->d.line[i] == 0 || c->d.line[i - 1] <= c->d.line[i]);
	for (size_t i = 0; i < c->d.n; i++) {
		assert_null(strstr(c->d.text[i], "plain group key"));
		assert_null(strstr(c->d.text[i], "unsaved-pw-77"));
	}
}

/* ---- encodings ---- */

static void test_pcf_encodings(void **state)
{
	struct corpus *c = *state;
	static const char body[] = "[main]\r\nDescription=B\xc3\xbcro\r\nHost=vpn.example.com\r\n"
	                           "GroupName=g\r\n";
	static const struct {
		const char *name, *to, *enc;
		bool bom;
	} forms[] = {
	    {"le-bom.pcf", "UTF-16LE", "UTF-16LE", true},
	    {"be-bom.pcf", "UTF-16BE", "UTF-16BE", true},
	    {"le-nobom.pcf", "UTF-16LE", "UTF-16LE", false},
	    {"be-nobom.pcf", "UTF-16BE", "UTF-16BE", false},
	};
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t len;
		uint8_t *u = utf16(body, forms[i].to, forms[i].bom, &len);
		const char *path = put_bytes(c, forms[i].name, u, len);
		free(u);
		assert_int_equal(import(c, path, "x"), 0);
		assert_string_equal(c->imp.encoding, forms[i].enc);
		assert_string_equal(prof_description(c->imp.prof), "B\xc3\xbcro");
		assert_string_equal(prof_group(c->imp.prof), "g");
	}
	/* UTF-8 without BOM, LF only */
	static const char plain[] = "[main]\nHost=vpn.example.com\nGroupName=g\n";
	const char *path = put_bytes(c, "plain.pcf", plain, sizeof(plain) - 1);
	assert_int_equal(import(c, path, "x"), 0);
	assert_string_equal(c->imp.encoding, "UTF-8");
	assert_string_equal(prof_gateway(c->imp.prof), "vpn.example.com");
	/* the Windows ANSI code page: 0xFC is u-umlaut, 0x80 the euro sign */
	static const char ansi[] = "[main]\r\nDescription=B\xfcro \x80\r\nHost=vpn.example.com\r\n"
	                           "GroupName=g\r\n";
	path = put_bytes(c, "ansi.pcf", ansi, sizeof(ansi) - 1);
	assert_int_equal(import(c, path, "x"), 0);
	assert_string_equal(c->imp.encoding, "WINDOWS-1252");
	assert_string_equal(prof_description(c->imp.prof), "B\xc3\xbcro \xe2\x82\xac");
}

/* ---- broken .pcf files ---- */

static void test_pcf_broken_encoding(void **state)
{
	struct corpus *c = *state;
	size_t len;
	uint8_t *u = utf16("[main]\r\nHost=vpn.example.com\r\nGroupName=quizware\r\n", "UTF-16LE",
	                   true, &len);
	/* cut in the middle of the last character of line 3 */
	const char *path = put_bytes(c, "truncated.pcf", u, len - 3);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 3, "", "ends in the middle of a UTF-16LE character");
	assert_null(c->imp.prof);
	/* a lone surrogate on line 2 */
	u[2 + 2 * 10] = 0x00;
	u[2 + 2 * 10 + 1] = 0xdc;
	path = put_bytes(c, "surrogate.pcf", u, len);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 2, "", "is not valid UTF-16LE");
	free(u);
	/* a NUL in UTF-8 text */
	path = put_bytes(c, "nul.pcf", "[main]\nHost=a\0b\n", 16);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 2, "", "NUL character");
	/* empty file */
	path = put_bytes(c, "empty.pcf", "", 0);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 0, "", "no [main] section");
}

static void test_pcf_broken_content(void **state)
{
	struct corpus *c = *state;
	static const char nomain[] = "Host=a.example\n[other]\nGroupName=g\n";
	const char *path = put_bytes(c, "nomain.pcf", nomain, sizeof(nomain) - 1);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_WARNING, 1, "", "a line before any [section]");
	expect(&c->d, path, PROF_UNSUPPORTED, 3, "GroupName", "outside the [main] section");
	expect(&c->d, path, PROF_ERROR, 0, "", "no [main] section: this is not a Cisco VPN Client");

	static const char *const bad[] = {
	    "[main]",                    /* 1 */
	    "Host=bad host!",            /* 2 */
	    "AuthType=7",                /* 3 */
	    "GroupName=quizware",        /* 4 */
	    "DHGroup=3",                 /* 5 */
	    "EnableNat=2",               /* 6 */
	    "PeerTimeout=ninety",        /* 7 */
	    "TunnelingMode=5",           /* 8 */
	    "GroupName=quizware",        /* 9: same value again */
	    "Username=alice",            /* 10 */
	    "Username=bob",              /* 11: a different value */
	    "EnableLocalLAN=yes",        /* 12 */
	    "CertStore=4",               /* 13 */
	    "[main",                     /* 14 */
	    "EnableBackup=1",            /* 15 */
	    "BackupServer=ok.example,,", /* 16 */
	};
	char *text = join(bad, sizeof(bad) / sizeof(bad[0]), "\r\n");
	path = put_bytes(c, "bad.pcf", text, strlen(text));
	free(text);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 2, "Host",
	       "cannot be imported as gateway: 'bad host!' is neither a host name");
	expect(&c->d, path, PROF_ERROR, 3, "AuthType", "'7' is not 1 (group), 3 (certificate)");
	expect(&c->d, path, PROF_ERROR, 5, "DHGroup", "'3' is not a DH group evc knows");
	expect(&c->d, path, PROF_ERROR, 6, "EnableNat", "'2' is not 0 or 1");
	expect(&c->d, path, PROF_ERROR, 7, "PeerTimeout", "'ninety' is not a number");
	expect(&c->d, path, PROF_WARNING, 9, "GroupName", "repeats line 4 with the same value");
	expect(&c->d, path, PROF_ERROR, 11, "Username", "also set on line 10, to 'alice'");
	expect(&c->d, path, PROF_ERROR, 12, "EnableLocalLAN", "'yes' is not 0 or 1");
	expect(&c->d, path, PROF_ERROR, 13, "CertStore", "'4' is not 0 (none), 1 (Cisco)");
	expect(&c->d, path, PROF_ERROR, 14, "", "a section header must be [NAME]");
	assert_null(c->imp.prof);
	/* the lines after the broken header are outside [main] */
	expect(&c->d, path, PROF_UNSUPPORTED, 15, "EnableBackup", "outside the [main] section");

	static const char *const enc[] = {
	    "[main]", "Host=a.example", "GroupName=g",
	    "enc_GroupPwd=" ENC_PASS "0", /* odd length */
	};
	text = join(enc, 4, "\n");
	path = put_bytes(c, "odd.pcf", text, strlen(text));
	free(text);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 4, "enc_GroupPwd", "odd number of hex digits");

	char damaged[300];
	snprintf(damaged, sizeof(damaged), "[main]\nHost=a.example\nGroupName=g\nenc_GroupPwd=%s\n",
	         ENC_PASS);
	damaged[strlen(damaged) - 2] ^= 1; /* flips a bit of the last ciphertext digit */
	path = put_bytes(c, "damaged.pcf", damaged, strlen(damaged));
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 4, "enc_GroupPwd", "checksum does not match");

	/* with GroupPwd in clear text a damaged enc_GroupPwd is only a warning */
	snprintf(damaged, sizeof(damaged),
	         "[main]\nHost=a.example\nGroupName=g\nGroupPwd=clear\nenc_GroupPwd=%s0\n",
	         ENC_PASS);
	path = put_bytes(c, "damaged-but-clear.pcf", damaged, strlen(damaged));
	assert_int_equal(import(c, path, "x"), 0);
	expect(&c->d, path, PROF_WARNING, 5, "enc_GroupPwd",
	       "odd number of hex digits (113); "
	       "GroupPwd is used");
	expect_secret(&c->imp.group_key, "clear");

	static const char conflict[] = "[main]\nHost=a.example\nGroupName=g\nGroupPwd=one\n"
	                               "GroupPwd=two\n";
	path = put_bytes(c, "conflict.pcf", conflict, sizeof(conflict) - 1);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 5, "GroupPwd", "also set on line 4, to a different value");
	for (size_t i = 0; i < c->d.n; i++)
		assert_null(strstr(c->d.text[i], "two"));

	static const char cr[] = "[main]\r\nHost=a.example\r\nGroupName=g\r\nGroupPwd=a\rb\r\n";
	path = put_bytes(c, "cr.pcf", cr, sizeof(cr) - 1);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 4, "GroupPwd", "holds a line break");

	static const char nohost[] = "[main]\nHost=\n";
	path = put_bytes(c, "nohost.pcf", nohost, sizeof(nohost) - 1);
	assert_int_equal(import(c, path, "x"), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 2, "Host", "empty: the profile needs the gateway");
	expect(&c->d, path, PROF_ERROR, 0, "GroupName", "missing: group authentication needs");
}

/* ---- vpnc ---- */

static const char *const vpnc_full[] = {
    "# vpnc configuration for quizware",                         /* 1 */
    "IPSec gateway vpn.quizware.example",                        /* 2 */
    "IPSec ID quizware",                                         /* 3 */
    "IPSec obfuscated secret " ENC_1234567,                      /* 4 */
    "Xauth username alice",                                      /* 5 */
    "Xauth password s3cret pass",                                /* 6 */
    "IKE DH Group dh5",                                          /* 7 */
    "Perfect Forward Secrecy nopfs",                             /* 8 */
    "NAT Traversal Mode force-natt",                             /* 9 */
    "Local Port 10500",                                          /* 10 */
    "DPD idle timeout (our side) 120",                           /* 11 */
    "Interface name vpn0",                                       /* 12 */
    "Interface MTU 1300",                                        /* 13 */
    "Script /usr/share/vpnc-scripts/vpnc-script",                /* 14 */
    "Application version Cisco Systems VPN Client 5.0.07:Linux", /* 15 */
    "Domain QUIZ",                                               /* 16 */
    "Vendor cisco",                                              /* 17 */
    "Enable Single DES",                                         /* 18 */
    "Enable weak authentication",                                /* 19 */
    "Xauth interactive",                                         /* 20 */
    "IKE Authmode psk",                                          /* 21 */
    "Interface mode tun",                                        /* 22 */
    "Debug 1",                                                   /* 23 */
    "No Detach",                                                 /* 24 */
    "Pidfile /run/vpnc.pid",                                     /* 25 */
    "Local Addr 0.0.0.0",                                        /* 26 */
    "Cisco UDP Encapsulation Port 10000",                        /* 27 */
    "Noninteractive",                                            /* 28 */
    "CA-Dir /etc/ssl/certs",                                     /* 29 */
    "IPSEC target network 10.0.0.0/8",                           /* 30 */
    "Password helper /usr/bin/askpass",                          /* 31 */
    "Enable weak encryption",                                    /* 32 */
    "Enable no encryption",                                      /* 33 */
};

static void test_vpnc_full(void **state)
{
	struct corpus *c = *state;
	char *text = join(vpnc_full, sizeof(vpnc_full) / sizeof(vpnc_full[0]), "\n");
	const char *path = put_bytes(c, "quiz.conf", text, strlen(text));
	free(text);

	assert_int_equal(import(c, path, NULL), 0);
	assert_int_equal(c->imp.format, PROF_FMT_VPNC);
	expect_text(c, "# evc profile 'quiz'\n"
	               "gateway = vpn.quizware.example\n"
	               "group = quizware\n"
	               "username = alice\n"
	               "dh = 5\n"
	               "pfs = off\n"
	               "natt = force\n"
	               "script = /usr/share/vpnc-scripts/vpnc-script\n"
	               "mtu = 1300\n"
	               "dpd = 120\n"
	               "local_port = 10500\n"
	               "ifname = vpn0\n"
	               "app_version = Cisco Systems VPN Client 5.0.07:Linux\n");
	expect_secret(&c->imp.group_key, "1234567");
	expect_secret(&c->imp.password, "s3cret pass");

	expect(&c->d, path, PROF_UNSUPPORTED, 16, "Domain", "XAUTH domain");
	expect(&c->d, path, PROF_UNSUPPORTED, 18, "Enable Single DES", "single DES is insecure");
	expect(&c->d, path, PROF_NOTE, 19, "Enable weak authentication", "MD5");
	expect(&c->d, path, PROF_NOTE, 20, "Xauth interactive", "challenge and response");
	expect(&c->d, path, PROF_UNSUPPORTED, 23, "Debug", "-v, -vv");
	expect(&c->d, path, PROF_NOTE, 24, "No Detach", "foreground");
	expect(&c->d, path, PROF_UNSUPPORTED, 25, "Pidfile", "no pid file");
	expect(&c->d, path, PROF_NOTE, 27, "Cisco UDP Encapsulation Port", "only with");
	expect(&c->d, path, PROF_NOTE, 28, "Noninteractive", "asks only on a terminal");
	expect(&c->d, path, PROF_NOTE, 29, "CA-Dir", "not used");
	expect(&c->d, path, PROF_UNSUPPORTED, 30, "IPSEC target network", "split-tunnel policy");
	expect(&c->d, path, PROF_UNSUPPORTED, 31, "Password helper", "not from a helper program");
	expect(&c->d, path, PROF_UNSUPPORTED, 32, "Enable weak encryption", "3DES");
	expect(&c->d, path, PROF_UNSUPPORTED, 33, "Enable no encryption", "without encryption");
	assert_int_equal(c->d.count[PROF_ERROR], 0);
	assert_int_equal(c->d.count[PROF_WARNING], 0);
	for (size_t i = 0; i < c->d.n; i++)
		assert_null(strstr(c->d.text[i], "s3cret"));
}

static void test_vpnc_other_values(void **state)
{
	struct corpus *c = *state;
	static const char *const other[] = {
	    "ipsec GATEWAY 203.0.113.5",          /* 1: vpnc matches case-insensitively */
	    "IPSec ID lab",                       /* 2 */
	    "IPSec secret clear key",             /* 3 */
	    "IPSec obfuscated secret 00",         /* 4: ignored, the clear one wins */
	    "NAT Traversal Mode cisco-udp",       /* 5 */
	    "Cisco UDP Encapsulation Port 10001", /* 6 */
	    "IKE DH Group dh17",                  /* 7 */
	    "Perfect Forward Secrecy dh2",        /* 8 */
	    "Vendor netscreen",                   /* 9 */
	    "Local Port 0",                       /* 10 */
	    "Interface mode tap",                 /* 11 */
	    "Interface MTU 0",                    /* 12 */
	    "Script vpnc-script --with args",     /* 13 */
	    "Local Addr 198.51.100.1",            /* 14 */
	    "IKE Authmode hybrid",                /* 15 */
	    "Frobnicate yes",                     /* 16 */
	    "No Detach please",                   /* 17 */
	    "   # an indented comment",           /* 18 */
	    "CA-File /etc/ssl/ca.pem",            /* 19 */
	};
	char *text = join(other, sizeof(other) / sizeof(other[0]), "\r\n");
	const char *path = put_bytes(c, "lab.conf", text, strlen(text));
	free(text);
	assert_int_equal(import(c, path, NULL), 0);
	expect_text(c, "# evc profile 'lab'\n"
	               "gateway = 203.0.113.5\n"
	               "group = lab\n"
	               "auth = hybrid\n"
	               "ca_cert = /etc/ssl/ca.pem\n"
	               "pfs = 2\n"
	               "natt = cisco-udp\n");
	expect_secret(&c->imp.group_key, "clear key");
	expect(&c->d, path, PROF_WARNING, 4, "IPSec obfuscated secret", "given in clear text too");
	/* evc's own end of IPsec over UDP is the gateway's port */
	expect(&c->d, path, PROF_UNSUPPORTED, 6, "Cisco UDP Encapsulation Port",
	       "port 10001 is not used as its own");
	expect(&c->d, path, PROF_UNSUPPORTED, 7, "IKE DH Group",
	       "DH group 17 is not supported by evc (it offers 2, 5, 14, 15 and 16); the profile "
	       "keeps dh = auto: evc offers group 14, then 2 and 5");
	expect(&c->d, path, PROF_UNSUPPORTED, 9, "Vendor", "Cisco EasyVPN dialect only");
	expect(&c->d, path, PROF_UNSUPPORTED, 10, "Local Port", "random local port");
	expect(&c->d, path, PROF_UNSUPPORTED, 11, "Interface mode", "TUN device, not TAP");
	expect(&c->d, path, PROF_NOTE, 12, "Interface MTU", "automatic");
	expect(&c->d, path, PROF_UNSUPPORTED, 13, "Script", "absolute path, without arguments");
	expect(&c->d, path, PROF_UNSUPPORTED, 14, "Local Addr", "chosen local address");
	expect(&c->d, path, PROF_UNSUPPORTED, 16, "Frobnicate", "not a vpnc directive");
	expect(&c->d, path, PROF_WARNING, 17, "No Detach", "takes no value");
	assert_int_equal(c->d.count[PROF_ERROR], 0);
}

/* AuthType=5 (mutual group authentication) is hybrid, as vpnc's pcf2vpnc maps it: the group
 * key is kept (its hash goes into AM3) and the missing CA is named. */
static void test_pcf_mutual_group(void **state)
{
	struct corpus *c = *state;
	static const char *const mg[] = {
	    "[main]",                    /* 1 */
	    "Host=vpn.quizware.example", /* 2 */
	    "AuthType=5",                /* 3 */
	    "GroupName=quizware",        /* 4 */
	    "GroupPwd=clear key",        /* 5 */
	};
	char *text = join(mg, sizeof(mg) / sizeof(mg[0]), "\r\n");
	const char *path = put_bytes(c, "mg.pcf", text, strlen(text));
	free(text);
	assert_int_equal(import(c, path, "mg"), 0);
	expect_text(c, "# evc profile 'mg'\n"
	               "gateway = vpn.quizware.example\n"
	               "group = quizware\n"
	               "auth = hybrid\n");
	expect_secret(&c->imp.group_key, "clear key");
	expect(&c->d, path, PROF_NOTE, 3, "AuthType", "recorded as auth = hybrid");
	expect(&c->d, path, PROF_WARNING, 0, "ca_cert", "auth = hybrid cannot connect without");
	assert_int_equal(c->d.count[PROF_ERROR], 0);
}

static void test_vpnc_broken(void **state)
{
	struct corpus *c = *state;
	static const char *const bad[] = {
	    "IPSec ID a",                          /* 1 */
	    "IPSec ID b",                          /* 2 */
	    "NAT Traversal Mode bogus",            /* 3 */
	    "IPSec obfuscated secret 00FF",        /* 4 */
	    "Xauth username",                      /* 5 */
	    "IKE DH Group 2",                      /* 6 */
	    "DPD idle timeout (our side) forever", /* 7 */
	    "Vendor juniper",                      /* 8 */
	    "Interface mode tunnel",               /* 9 */
	};
	char *text = join(bad, sizeof(bad) / sizeof(bad[0]), "\n");
	const char *path = put_bytes(c, "bad.conf", text, strlen(text));
	free(text);
	assert_int_equal(import(c, path, NULL), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 0, "IPSec gateway", "missing");
	expect(&c->d, path, PROF_ERROR, 2, "IPSec ID", "also set on line 1, to 'a'");
	expect(&c->d, path, PROF_ERROR, 3, "NAT Traversal Mode", "'bogus' is not natt, none");
	expect(&c->d, path, PROF_ERROR, 4, "IPSec obfuscated secret", "too short");
	expect(&c->d, path, PROF_ERROR, 5, "Xauth username", "needs a value");
	expect(&c->d, path, PROF_ERROR, 6, "IKE DH Group", "'2' is not a DH group such as dh2");
	expect(&c->d, path, PROF_ERROR, 7, "DPD idle timeout (our side)", "'forever'");
	expect(&c->d, path, PROF_ERROR, 8, "Vendor", "'juniper' is not cisco");
	expect(&c->d, path, PROF_ERROR, 9, "Interface mode", "not tun or tap");
}

/* ---- names, detection, evc's own format ---- */

static void test_names_and_detection(void **state)
{
	struct corpus *c = *state;
	char name[80], err[300];
	assert_int_equal(
	    prof_import_default_name("/a/b/office.pcf", name, sizeof(name), err, sizeof(err)), 0);
	assert_string_equal(name, "office");
	assert_int_equal(
	    prof_import_default_name("office.v2.conf", name, sizeof(name), err, sizeof(err)), 0);
	assert_string_equal(name, "office.v2");
	assert_int_equal(
	    prof_import_default_name("/x/Quiz Office.pcf", name, sizeof(name), err, sizeof(err)),
	    -EINVAL);
	assert_non_null(strstr(err, "give --name NAME"));
	static const char small[] = "[main]\nHost=a.example\nGroupName=g\n";
	const char *path = put_bytes(c, "bad name.pcf", small, sizeof(small) - 1);
	assert_int_equal(import(c, path, NULL), -EINVAL);
	expect(&c->d, path, PROF_ERROR, 0, "", "give --name NAME");
	assert_int_equal(import(c, path, "good"), 0);
	assert_string_equal(prof_name(c->imp.prof), "good");

	/* without a telling extension the content decides */
	static const char pcf[] = "\n[Main]\nHost=a.example\nGroupName=g\n";
	path = put_bytes(c, "a.txt", pcf, sizeof(pcf) - 1);
	assert_int_equal(import(c, path, "a"), 0);
	assert_int_equal(c->imp.format, PROF_FMT_PCF);
	static const char conf[] = "# x\nIPSec gateway a.example\nIPSec ID g\n";
	path = put_bytes(c, "b.txt", conf, sizeof(conf) - 1);
	assert_int_equal(import(c, path, "b"), 0);
	assert_int_equal(c->imp.format, PROF_FMT_VPNC);
	static const char own[] = "gateway = a.example\ngroup = g\ngroup_key = secret:libsecret\n";
	path = put_bytes(c, "c.profile", own, sizeof(own) - 1);
	assert_int_equal(import(c, path, NULL), 0);
	assert_int_equal(c->imp.format, PROF_FMT_EVC);
	assert_string_equal(prof_name(c->imp.prof), "c");
	assert_null(c->imp.group_key.p);
	/* a thousand bad lines give 500 messages and a summary */
	char *many = calloc(1, 40 + 1000 * 5);
	strcpy(many, "[main]\nHost=a.example\nGroupName=g\n");
	for (int i = 0; i < 1000; i++)
		strcat(many, "junk\n");
	path = put_bytes(c, "many.pcf", many, strlen(many));
	free(many);
	assert_int_equal(import(c, path, "many"), 0);
	assert_int_equal(c->d.count[PROF_WARNING], 501);
	expect(&c->d, path, PROF_WARNING, 4, "", "not a key=value line");
	expect(&c->d, path, PROF_WARNING, 503, "", "not a key=value line");
	expect(&c->d, path, PROF_WARNING, 0, "", "500 more messages are not shown");

	/* a file that is too large */
	char *big = calloc(1, PROF_FILE_MAX + 1);
	memset(big, '#', PROF_FILE_MAX + 1);
	path = put_bytes(c, "big.conf", big, PROF_FILE_MAX + 1);
	free(big);
	assert_int_equal(import(c, path, NULL), -EFBIG);
	expect(&c->d, path, PROF_ERROR, 0, "", "at most 262144 are read");
	assert_int_equal(import(c, "/nonexistent/x.pcf", NULL), -ENOENT);
	expect(&c->d, "/nonexistent/x.pcf", PROF_ERROR, 0, "", "cannot open");
}

/* ---- import into a store, secrets into root-only files ---- */

static void test_import_save(void **state)
{
	struct corpus *c = *state;
	char dir[128], sdir[128], err[600], path[256];
	struct stat sb;

	char *text = join(pcf_full, sizeof(pcf_full) / sizeof(pcf_full[0]), "\r\n");
	const char *src = put_bytes(c, "office.pcf", text, strlen(text));
	free(text);
	assert_int_equal(import(c, src, NULL), 0);

	snprintf(dir, sizeof(dir), "%s/etc-evc", c->dir);
	snprintf(sdir, sizeof(sdir), "%s/etc-evc/secrets", c->dir);
	struct prof_store *st = prof_store_new(dir);
	struct prof_secret_store *ss = prof_secrets_files_new(sdir);
	/* the secrets need a store */
	assert_int_equal(
	    prof_import_save(st, NULL, &c->imp, false, collect, &c->d, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "no secret store"));
	assert_false(prof_store_exists(st, "office"));

	assert_int_equal(prof_import_save(st, ss, &c->imp, false, collect, &c->d, err, sizeof(err)),
	                 0);
	snprintf(path, sizeof(path), "%s/office.group-key", sdir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(stat(sdir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);

	struct evc_profile *p = NULL;
	assert_int_equal(prof_store_load(st, "office", collect, &c->d, &p, err, sizeof(err)), 0);
	const char *ref;
	assert_int_equal(prof_secret_ref(p, PROF_SECRET_GROUP_KEY, &ref), PROF_REF_FILE);
	assert_string_equal(ref, path);
	struct secret s = {NULL, 0};
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_GROUP_KEY, &s, err, sizeof(err)), 0);
	expect_secret(&s, "p@ss w0rd!#;=");
	secret_clear(&s);
	assert_int_equal(prof_secret_fetch(p, PROF_SECRET_PASSWORD, &s, err, sizeof(err)), 0);
	expect_secret(&s, "fifteen-chars!!");
	secret_clear(&s);
	/* the profile file holds references only */
	snprintf(path, sizeof(path), "%s/office.profile", dir);
	FILE *f = fopen(path, "r");
	char buf[2048];
	size_t got = fread(buf, 1, sizeof(buf) - 1, f);
	buf[got] = '\0';
	fclose(f);
	assert_null(strstr(buf, "w0rd"));
	assert_non_null(strstr(buf, "\ngroup_key = file:"));
	assert_non_null(strstr(buf, "/secrets/office.group-key\npassword = file:"));

	/* a second import of the same name is refused unless replacing */
	assert_int_equal(prof_import_save(st, ss, &c->imp, false, collect, &c->d, err, sizeof(err)),
	                 -EEXIST);
	assert_int_equal(prof_import_save(st, ss, &c->imp, true, collect, &c->d, err, sizeof(err)),
	                 0);

	/* remove with its secrets: the files go, a file elsewhere stays */
	assert_int_equal(prof_secrets_forget(p, sdir, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/office.group-key", sdir);
	assert_int_equal(stat(path, &sb), -1);
	prof_free(p);
	prof_store_free(st);
	prof_secrets_free(ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_pcf_full_utf16le, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pcf_other_values_utf8, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pcf_encodings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pcf_mutual_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pcf_broken_encoding, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pcf_broken_content, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vpnc_full, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vpnc_other_values, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vpnc_broken, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_names_and_detection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_import_save, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
