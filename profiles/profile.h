/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evc profiles: one connection per file, one format for the CLI, the GUI and the daemon.
 *
 * A profile lives in DIR/NAME.profile (see profiles/store.h for DIR: $XDG_CONFIG_HOME/evc
 * for users, /etc/evc for the daemon). The file is UTF-8 text, one `key = value` per line:
 *
 *   # comment lines start with '#' or ';' (only at the start of a line)
 *   gateway = vpn.example.com
 *   backup_gateways = vpn2.example.com, 203.0.113.7
 *   group = quizware
 *   username = alice
 *   auth = psk
 *   group_key = secret:libsecret
 *   password = prompt
 *   ike = aes256-sha1, aes128-sha1
 *   dh = 14
 *   natt = auto
 *
 * Blanks around keys and values are ignored; a value runs to the end of the line ('#' inside
 * a value is part of it). Keys are lower case; an unknown key, a repeated key, a line without
 * '=' and a value that does not fit its key are errors, each reported as
 * "FILE:LINE: key 'x': what is wrong". A file with any error is rejected as a whole.
 *
 * Keys (default in brackets; the CLI option each one stands for in braces):
 *   description      free text shown in lists
 *   gateway          host name or IPv4 address of the EasyVPN server            {--gateway}
 *   backup_gateways  comma-separated hosts tried in order when gateway fails (at most 10)
 *   pushed_backup_gateways  the backup servers the gateway pushed (Unity BACKUP_SERVERS) at
 *                    the last connection, written by evc; tried after backup_gateways
 *   group            the IPsec group name, sent as ID_KEY_ID                     {--group}
 *   username         the XAUTH user name [asked for]                             {--user}
 *   auth             psk | cert | hybrid [psk]
 *   group_key        secret reference, see below [prompt]               {--group-key-file}
 *   password         secret reference for the XAUTH password [prompt]    {--password-file}
 *   cert, cert_key, ca_cert   absolute paths of PEM files (auth = cert; ca_cert alone
 *                    with auth = hybrid)
 *   ike              phase-1 proposals offered, in order: ENC-HASH with ENC one of aes128,
 *                    aes192, aes256, 3des and HASH one of md5, sha1, sha256, sha384, sha512
 *                    [every supported pair; see `evc proposals`]
 *   esp              phase-2 transforms, ENC-HASH with HASH md5, sha1 or sha256 [all]
 *   dh               phase-1 DH group: auto, 2, 5, 14, 15, 16 [auto: 14 first, then 2
 *                    and 5 when the gateway refuses]                              {--dh}
 *   pfs              off | server | 2 | 5 | 14 | 15 | 16: PFS for quick mode; a group
 *                    makes evc propose PFS itself [server: when the gateway asks]
 *   natt             auto | force | off | cisco-udp [auto]                       {--natt}
 *   mode             client | network-extension [client]
 *   lan              comma-separated networks a.b.c.d/len behind this host; required in
 *                    network-extension mode
 *   local_lan        yes | no: keep the local LANs the gateway allows out of the tunnel [yes]
 *   script           absolute path of a vpnc-script to run instead of evc's own host setup
 *   dns              resolv-conf | replace-symlink | off [resolv-conf]           {--dns}
 *   resolv_conf      the resolver file to rewrite [/etc/resolv.conf]     {--resolv-conf}
 *   state_file       journal of host changes [/run/evc/IFNAME.state]      {--state-file}
 *   mtu              576..9000 [1400]                                             {--mtu}
 *   dpd              seconds of silence before a DPD probe, 0 for none [30]       {--dpd}
 *   local_port       local IKE port, not 4500 [500]                        {--local-port}
 *   ifname           TUN device name or pattern such as evc%d [evc%d]          {--ifname}
 *   app_version      APPLICATION_VERSION sent to the gateway [evc VERSION]
 *   save_password    yes | no: the gateway's save-password at the last connection, written
 *                    by evc (a stored password is deleted when it says no) [not known]
 * -v and -q have no key: they choose what the terminal shows, not how to connect.
 *
 * Secrets are never in a profile, only references to them:
 *   prompt              ask when connecting (the default)
 *   secret:libsecret    the user's keyring (Secret Service), item with the attributes
 *                       profile=NAME and kind=group-key|password (profiles/secrets.h)
 *   file:/ABSOLUTE/PATH a file of the daemon's, readable by its owner (root or the caller)
 *                       only; its first line is the secret
 * A literal secret as value is an error.
 *
 * Profiles are opaque; prof_set() takes every key as text exactly as a file line would, so
 * the file parser, the importers, the GUI and `evc connect --OPTION` overrides all share one
 * validation. Typed getters return defaults for keys that are not set.
 */
#ifndef EVC_PROFILES_PROFILE_H
#define EVC_PROFILES_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/policy.h"

#define PROF_NAME_MAX 64           /* bytes of a profile name */
#define PROF_FILE_MAX (256 * 1024) /* largest profile, .pcf or .conf file read */
#define PROF_LINE_MAX 4096         /* longest line of any of them */
#define PROF_MAX_BACKUPS 10        /* as the Cisco client's BackupServer list */
#define PROF_MAX_PROPS 16          /* entries of `ike` and of `esp` */
#define PROF_MAX_LAN EVC_POLICY_MAX_NETS
#define PROF_NATT_PORT 4500 /* a local_port of 4500 would collide with NAT-T */

/* How a profile wants NAT traversal; the values are the client's (and the engine's). */
enum prof_natt {
	PROF_NATT_AUTO,  /* ESP in UDP 4500 when a NAT is detected */
	PROF_NATT_FORCE, /* always ESP in UDP 4500 */
	PROF_NATT_OFF,   /* never */
	/* Cisco IPsec over UDP: no NAT-T; ESP in UDP on the port the gateway gives when asked
	 * (vpnc's cisco-udp, the Cisco client's transparent tunnelling over UDP) */
	PROF_NATT_CISCO_UDP,
};

/* One `ike` entry: a phase-1 cipher and hash (lib/crypto.h's enum cipher_alg, hash_alg). */
struct prof_p1 {
	uint8_t encr;
	uint16_t bits;
	uint8_t hash;
};

/* One `esp` entry: an ESP transform (lib/crypto.h's enum esp_encr_id, esp_auth_id). */
struct prof_p2 {
	uint8_t esp;
	uint16_t bits;
	uint8_t auth;
};

/* ---- diagnostics ---- */

enum prof_sev {
	PROF_ERROR,       /* the file is rejected */
	PROF_WARNING,     /* accepted, but probably not what was meant */
	PROF_UNSUPPORTED, /* an imported key evc cannot honour; the message says why */
	PROF_NOTE,        /* how an imported key was translated */
};

struct prof_msg {
	enum prof_sev sev;
	const char *file; /* as given to the parser (a path, or "profile 'NAME'") */
	unsigned line;    /* 1-based; 0 for the file or profile as a whole */
	const char *key;  /* the key as written in the file, or NULL */
	/* The complete message: "FILE:LINE: key 'x': what is wrong". Never holds a secret. */
	const char *text;
};

/* Receives each message; m and its strings are valid during the call only. */
typedef void (*prof_report_fn)(void *ctx, const struct prof_msg *m);
/* "error", "warning", "not honoured", "note". */
const char *prof_sev_name(enum prof_sev s);

/* ---- the model ---- */

enum prof_auth {
	PROF_AUTH_PSK,  /* group key, then XAUTH if the gateway asks */
	PROF_AUTH_CERT, /* RSA signatures: cert, cert_key and ca_cert, no group key */
	/* hybrid: the gateway's certificate checked against ca_cert, then XAUTH; the group
	 * named, a group key optional (Cisco's mutual group authentication sends its hash) */
	PROF_AUTH_HYBRID,
};

enum prof_secret_kind {
	PROF_SECRET_GROUP_KEY,
	PROF_SECRET_PASSWORD,
};

enum prof_ref_type {
	PROF_REF_PROMPT,
	PROF_REF_LIBSECRET,
	PROF_REF_FILE,
};

enum prof_mode {
	PROF_MODE_CLIENT,
	PROF_MODE_NETWORK_EXTENSION,
};

/* Same order as platform's enum plat_dns_mode, so the client can convert by value. */
enum prof_dns_mode {
	PROF_DNS_RESOLV_CONF,
	PROF_DNS_REPLACE_SYMLINK,
	PROF_DNS_OFF,
};

#define PROF_PFS_OFF 0
#define PROF_PFS_SERVER (-1) /* use PFS when the gateway's policy says so, with the dh group */

#define PROF_DEFAULT_DH 0 /* automatic: the engine's fallback order */
#define PROF_DEFAULT_DPD 30

struct evc_profile;

/* A profile with no key set. NULL if name fails prof_name_valid() or on ENOMEM. */
struct evc_profile *prof_new(const char *name);
void prof_free(struct evc_profile *p);
struct evc_profile *prof_dup(const struct evc_profile *p);

/* 1..PROF_NAME_MAX bytes of [A-Za-z0-9._-], starting with a letter or digit. */
bool prof_name_valid(const char *name);
const char *prof_name(const struct evc_profile *p);
/* -EINVAL for an invalid name. */
int prof_set_name(struct evc_profile *p, const char *name);

/*
 * Sets key from its text form, as in a file. Returns 0, -ENOENT for an unknown key (err lists
 * the known ones), -EINVAL for a bad value (err says what is wrong and what would be right),
 * -ENOMEM. err holds the reason without the key name.
 */
int prof_set(struct evc_profile *p, const char *key, const char *value, char *err, size_t errlen);
/* Back to the default. -ENOENT for an unknown key. */
int prof_unset(struct evc_profile *p, const char *key);
/* The canonical text of a key that is set, NULL if not set or unknown. */
const char *prof_get(const struct evc_profile *p, const char *key);
bool prof_is_set(const struct evc_profile *p, const char *key);

/* The keys in file order, for help texts and the GUI. */
size_t prof_key_count(void);
const char *prof_key_name(size_t i);
const char *prof_key_help(size_t i);

/* ---- typed getters (defaults when not set) ---- */

const char *prof_description(const struct evc_profile *p); /* NULL when not set */
const char *prof_gateway(const struct evc_profile *p);     /* NULL when not set */
size_t prof_backup_count(const struct evc_profile *p);
const char *prof_backup(const struct evc_profile *p, size_t i);
/* The backup servers the gateway pushed at the last connection (prof_learn_policy). */
size_t prof_pushed_backup_count(const struct evc_profile *p);
const char *prof_pushed_backup(const struct evc_profile *p, size_t i);
/* The gateway's save-password at the last connection: 1 allowed, 0 not, -1 not known yet. */
int prof_save_password(const struct evc_profile *p);
const char *prof_group(const struct evc_profile *p);    /* NULL when not set */
const char *prof_username(const struct evc_profile *p); /* NULL: ask */
enum prof_auth prof_auth(const struct evc_profile *p);
/* The reference of a secret; *path (may be NULL) gets the file for PROF_REF_FILE. */
enum prof_ref_type prof_secret_ref(const struct evc_profile *p, enum prof_secret_kind kind,
                                   const char **path);
const char *prof_cert(const struct evc_profile *p);
const char *prof_cert_key(const struct evc_profile *p);
const char *prof_ca_cert(const struct evc_profile *p);
/*
 * The `ike` entries, in order: the client turns each into proposals with the dh group and
 * the authentication methods. Returns how many there are (up to PROF_MAX_PROPS; call with
 * max 0 to size); 0 when `ike` is not set, meaning the client's default list.
 */
size_t prof_ike_list(const struct evc_profile *p, struct prof_p1 *out, size_t max);
/* The `esp` entries likewise; 0 when `esp` is not set. */
size_t prof_esp_list(const struct evc_profile *p, struct prof_p2 *out, size_t max);
unsigned prof_dh(const struct evc_profile *p);
int prof_pfs(const struct evc_profile *p); /* PROF_PFS_OFF, PROF_PFS_SERVER or a group */
enum prof_natt prof_natt(const struct evc_profile *p);
enum prof_mode prof_mode(const struct evc_profile *p);
/* exchange = main: main mode with the group key instead of aggressive mode */
bool prof_main_mode(const struct evc_profile *p);
/* A network as `lan =` takes it (and evc's --lan): "a.b.c.d/len" or "a.b.c.d/m.m.m.m"
 * (contiguous mask), host bits zero. 0, or -EINVAL with *why saying what is wrong. */
int prof_parse_net(const char *s, struct evc_net *out, const char **why);
size_t prof_lan_count(const struct evc_profile *p);
struct evc_net prof_lan(const struct evc_profile *p, size_t i);
bool prof_local_lan(const struct evc_profile *p);
const char *prof_script(const struct evc_profile *p); /* NULL: evc's own setup */
enum prof_dns_mode prof_dns(const struct evc_profile *p);
const char *prof_resolv_conf(const struct evc_profile *p); /* NULL: default */
const char *prof_state_file(const struct evc_profile *p);  /* NULL: default */
unsigned prof_mtu(const struct evc_profile *p);            /* 0: platform default */
unsigned prof_dpd(const struct evc_profile *p);
uint16_t prof_local_port(const struct evc_profile *p); /* 0: 500 */
const char *prof_ifname(const struct evc_profile *p);  /* NULL: evc%d */
const char *prof_app_version(const struct evc_profile *p);

/* Where it was loaded from (NULL for a profile built in memory) and the file's owner. */
const char *prof_source(const struct evc_profile *p);
uid_t prof_owner(const struct evc_profile *p); /* (uid_t)-1 when not loaded from a file */

/* ---- files ---- */

/*
 * Parses text[0..len) (any bytes; must be UTF-8) as a profile called name; fname names it in
 * messages. Checks the whole profile with prof_validate() too. Returns 0 and *out, or
 * -EINVAL when an error was reported (*out NULL), -ENOMEM. report may be NULL.
 */
int prof_parse(const char *text, size_t len, const char *fname, const char *name,
               prof_report_fn report, void *ctx, struct evc_profile **out);
/* Reads path (at most PROF_FILE_MAX bytes) and parses it; records source and owner. name
 * NULL: the file name without ".profile". I/O errors are reported as messages too. */
int prof_load(const char *path, const char *name, prof_report_fn report, void *ctx,
              struct evc_profile **out);
/*
 * Checks what single keys cannot. Errors: no gateway; no group with auth = psk;
 * network-extension mode without lan. Warnings: auth = cert without cert (the profile is kept
 * so the certificate can be added; it cannot connect yet), cert keys with auth = psk, a group
 * key with auth = cert, lan in client mode, a backup gateway equal to the gateway, dns or
 * resolv_conf next to script. Messages name the key and, for a loaded profile, its line.
 * Returns the number of errors (0: the profile may be saved).
 */
unsigned prof_validate(const struct evc_profile *p, prof_report_fn report, void *ctx);

/*
 * The file text: a comment header, then every key that is set, in key order, one canonical
 * `key = value` line each. Deterministic: the same profile always gives the same bytes.
 * Malloc'd; NULL on ENOMEM.
 */
char *prof_to_text(const struct evc_profile *p);

/*
 * `evc profile export`: the text of prof_to_text() with secret references that only make
 * sense on this machine (secret:libsecret, file:) replaced by `prompt`, so the file can be
 * handed to someone else and imported there.
 */
char *prof_export_text(const struct evc_profile *p);

#endif
