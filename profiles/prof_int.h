/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internals shared by the files of profiles/: diagnostics, text decoding, line splitting and
 * small string helpers. Nothing here is part of the public API.
 */
#ifndef EVC_PROFILES_PROF_INT_H
#define EVC_PROFILES_PROF_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "profiles/profile.h"

/* One run of a parser or validator: where messages go and how many of each kind went. */
struct prof_diag {
	const char *file; /* as shown in messages */
	prof_report_fn report;
	void *ctx;
	unsigned n[4]; /* per enum prof_sev */
};

static inline struct prof_diag prof_diag_init(const char *file, prof_report_fn report, void *ctx)
{
	struct prof_diag d = {file ? file : "profile", report, ctx, {0, 0, 0, 0}};
	return d;
}

/*
 * Formats "FILE:LINE: key 'KEY': what" (no ":LINE" when line is 0, no "key 'KEY': " when key
 * is NULL), replaces control bytes with '?', counts it and hands it to the report callback.
 * Callers never pass secret values in fmt's arguments.
 */
void prof_emit(struct prof_diag *d, enum prof_sev sev, unsigned line, const char *key,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void prof_vemit(struct prof_diag *d, enum prof_sev sev, unsigned line, const char *key,
                const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* ---- text ---- */

enum prof_text_flags {
	PROF_TEXT_UTF16 = 1u << 0,  /* accept UTF-16LE/BE (with a BOM, or sniffed without) */
	PROF_TEXT_CP1252 = 1u << 1, /* bytes that are not UTF-8 are read as Windows-1252 */
};

/*
 * Decodes a whole file into NUL-terminated UTF-8 without BOM. Rejects (with an error naming
 * the line) truncated or invalid UTF-16, invalid UTF-8 when CP1252 is not allowed, and NUL
 * bytes. *encoding names what was found ("UTF-8", "UTF-16LE", ...). Returns 0 or -EINVAL /
 * -ENOMEM / -EFBIG (over PROF_FILE_MAX).
 */
int prof_text_decode(const uint8_t *buf, size_t len, unsigned flags, struct prof_diag *d,
                     char **out, size_t *outlen, const char **encoding);

/* A cursor over decoded text, one line at a time (LF or CRLF; a trailing CR is dropped). */
struct prof_lines {
	const char *p;
	size_t left;
	unsigned no; /* number of the line last returned, 1-based */
};

static inline struct prof_lines prof_lines_init(const char *text, size_t len)
{
	struct prof_lines l = {text, len, 0};
	return l;
}

/*
 * Copies the next line into buf (NUL-terminated, at most PROF_LINE_MAX bytes). Returns 1 for a
 * line, 0 at the end, -E2BIG for an over-long line (reported by the caller; the cursor has
 * moved past it).
 */
int prof_next_line(struct prof_lines *l, char *buf, size_t cap);

/* Removes leading and trailing blanks (space, tab) in place; returns s advanced. */
char *prof_trim(char *s);
bool prof_has_ctrl(const char *s);
/* Strict UTF-8 (no overlong forms, surrogates or code points past U+10FFFF). */
bool prof_utf8_valid(const char *s);
bool prof_is_abs_path(const char *s);
/* Strict decimal: digits only, no sign, at most max. */
bool prof_parse_uint(const char *s, unsigned long max, unsigned long *out);
/* "a.b.c.d" in host byte order; strict (no leading zeros beyond "0", four parts). */
bool prof_parse_ipv4(const char *s, uint32_t *out);
void prof_fmt_net(const struct evc_net *n, char *buf, size_t len);
/* A DNS name or a dotted IPv4 address, as a gateway can be written. */
bool prof_host_valid(const char *s);

/*
 * Reads a whole regular file of at most max bytes into a fresh buffer; err names the path.
 * st (may be NULL) gets the file's status.
 */
int prof_read_file(const char *path, size_t max, uint8_t **out, size_t *len, struct stat *st,
                   char *err, size_t errlen);
/* mkdir -p, with mode 0700 for every directory it creates. */
int prof_mkdirs(const char *dir, char *err, size_t errlen);
/*
 * Writes data to path atomically with mode 0600: a temporary file in the same directory,
 * fsync, rename. Returns 0 or a negative errno with err filled.
 */
int prof_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/*
 * The libsecret side of secrets.h (secrets_libsecret.c): items of schema PROF_SECRET_SCHEMA
 * with attributes profile=name, kind=kind. lookup returns -ENOENT when there is none; clear
 * succeeds when there is none. -ENOTCONN: no Secret Service could be reached at all (no session
 * bus, none on it); -EIO: the keyring answered with an error.
 */
struct secret;
int prof_ls_store(const char *name, const char *kind, const struct secret *value, char *err,
                  size_t errlen);
int prof_ls_lookup(const char *name, const char *kind, struct secret *out, char *err,
                   size_t errlen);
int prof_ls_clear(const char *name, const char *kind, char *err, size_t errlen);

/* ---- import internals (import.c calls pcf.c and vpnc_conf.c; they use import_value.c) ---- */

/* Fill p (already created with its name), group_key and password (left {NULL, 0} when the
 * file holds none; the caller wipes them). */
int prof_import_pcf(const char *text, size_t len, struct prof_diag *d, struct evc_profile *p,
                    struct secret *group_key, struct secret *password);
int prof_import_vpnc(const char *text, size_t len, struct prof_diag *d, struct evc_profile *p,
                     struct secret *group_key, struct secret *password);
/*
 * Sets profile key k (enum prof_key_id) from an imported value; on failure reports at sev
 * "cannot be imported: REASON" naming the source key and line. Returns true on success.
 */
bool prof_imp_set(struct prof_diag *d, struct evc_profile *p, int k, const char *v, unsigned line,
                  const char *srckey, enum prof_sev sev);
/* Copies a secret found in a file into dst after checking it fits secrets.h's rules. */
bool prof_imp_secret(struct prof_diag *d, struct secret *dst, const char *v, unsigned line,
                     const char *srckey);

/* Appends to a growing heap string; on allocation failure it sets *failed and stops. */
struct prof_buf {
	char *p;
	size_t len, cap;
	bool failed;
};
void prof_buf_add(struct prof_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void prof_buf_free(struct prof_buf *b);

#endif
