/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc profile import FILE [--name NAME]`: Cisco VPN Client .pcf files, vpnc .conf files and
 * evc's own profiles (as written by `evc profile export`).
 *
 * .pcf: a Windows INI file with a [main] section, in UTF-16 (LE or BE, with or without BOM),
 * UTF-8 (with or without BOM) or the Windows ANSI code page (read as Windows-1252), with CRLF
 * or LF line ends. Keys are case-insensitive as the Cisco client reads them; a leading '!'
 * (the Cisco GUI's read-only mark) is dropped. enc_GroupPwd and enc_UserPassword are decoded
 * (prof_cisco_decode, cisco_pwd.h).
 * .conf: vpnc's "Directive value" lines, directives case-insensitive as vpnc reads them;
 * "IPSec obfuscated secret" and "Xauth obfuscated password" are decoded.
 *
 * Every key of the source file ends in one of three ways, each reported through the callback
 * with the source key and line, never dropped in silence:
 *   - translated into a profile key (a PROF_NOTE says how when it is not one-to-one; a key
 *     whose value asks for nothing evc lacks, such as EnableISPConnect=0, needs no message);
 *   - PROF_UNSUPPORTED: evc cannot honour it, and the message says why and what evc does
 *     instead (e.g. TcpTunnelingPort: IPsec over TCP is not supported, NAT-T is used);
 *   - PROF_ERROR: a value that cannot be right (bad host, unknown AuthType, damaged
 *     enc_GroupPwd, conflicting duplicate keys, no [main] section); the import fails.
 * Secrets found in the file (GroupPwd, enc_GroupPwd, UserPassword, IPSec secret, ...) are
 * returned in struct prof_import, never put into the profile; prof_import_save() moves them
 * into a secret store and points the profile at them.
 *
 * The CLI's sequence:
 *   prof_import_file(path, name_or_NULL, PROF_FMT_AUTO, report, ctx, &imp);
 *   prof_import_save(store, secrets, &imp, replace, report, ctx, err, sizeof(err));
 *   prof_import_clear(&imp);
 * with secrets = prof_secrets_libsecret_new() for a user and prof_secrets_files_new(NULL)
 * for the system store (/etc/evc).
 */
#ifndef EVC_PROFILES_IMPORT_H
#define EVC_PROFILES_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/secret.h"
#include "profiles/cisco_pwd.h"
#include "profiles/profile.h"
#include "profiles/secrets.h"
#include "profiles/store.h"

enum prof_format {
	PROF_FMT_AUTO, /* by extension (.pcf, .conf, .profile), else by content */
	PROF_FMT_PCF,
	PROF_FMT_VPNC,
	PROF_FMT_EVC,
};

struct prof_import {
	struct evc_profile *prof;
	struct secret group_key; /* {NULL, 0} when the file had none */
	struct secret password;
	enum prof_format format; /* what was read */
	const char *encoding;    /* "UTF-8", "UTF-16LE", "UTF-16BE", "WINDOWS-1252" */
};

/* Wipes the secrets and frees the profile; leaves *imp zeroed. */
void prof_import_clear(struct prof_import *imp);

/* The default profile name: the file name without directory and extension. -EINVAL when that
 * is not a valid profile name (err says to give --name). */
int prof_import_default_name(const char *path, char *buf, size_t len, char *err, size_t errlen);

/*
 * Parses buf[0..len) (any bytes, at most PROF_FILE_MAX) as fmt; fname names it in messages
 * and decides PROF_FMT_AUTO by its extension. Returns 0 with out filled (the profile passes
 * prof_validate), or -EINVAL when an error was reported (out left cleared), -ENOMEM.
 */
int prof_import_buf(const uint8_t *buf, size_t len, enum prof_format fmt, const char *fname,
                    const char *name, prof_report_fn report, void *ctx, struct prof_import *out);

/* Reads path and calls prof_import_buf; name NULL: prof_import_default_name(path). */
int prof_import_file(const char *path, const char *name, enum prof_format fmt,
                     prof_report_fn report, void *ctx, struct prof_import *out);

/*
 * Stores the imported secrets in ss under the profile's name, sets group_key / password to
 * their references, and saves the profile in st (prof_store_save). Secrets already stored
 * are removed again when saving fails. ss may be NULL when the import holds no secret. A
 * profile that exists is replaced only when replace is true (-EEXIST otherwise).
 */
int prof_import_save(const struct prof_store *st, struct prof_secret_store *ss,
                     struct prof_import *imp, bool replace, prof_report_fn report, void *ctx,
                     char *err, size_t errlen);

#endif
