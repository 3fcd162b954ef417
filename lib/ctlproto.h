/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol of `evc daemon`, version 1: one JSON object per line in each direction
 * over the control socket (lib/control.h). evc (the daemon and `evc status --json`) and
 * evc-gui both speak it through this module; docs/control-protocol.md describes every
 * command, reply and event for people writing scripts.
 *
 * A message is a flat JSON object: keys of [a-z0-9_] (at most CTLP_KEY_MAX - 1 bytes), values
 * that are strings, integers, true/false/null, or arrays of strings (split networks, DNS
 * servers). Nesting, floating point and duplicate keys are refused with the byte offset and
 * what was expected, so a script that sends something else learns why at once. A line holds
 * at most CTLP_LINE_MAX bytes.
 *
 * Commands (client to daemon) carry "cmd"; their answers "reply" (the command's name) with
 * "ok" and, when not ok, "error" (a sentence); events (daemon to subscribers) carry "event".
 * The first command of a connection may be {"cmd":"hello","version":N}: the daemon answers
 * with the version it speaks to that client (N itself, from CTLP_VERSION_MIN to
 * CTLP_VERSION), and refuses a version it does not know.
 *
 * The caller's language (version 2): "lang" in hello (for the session) or in any command, a
 * value as LANGUAGE takes it ("de", "fr:es", "de_DE.UTF-8"); the one-line text commands carry
 * it after a space as "lang=VALUE" ("disconnect lang=de").
 *
 * Secrets (a password in "connect" or "answer") are decoded into the message's own arena:
 * ctlp_msg_wipe wipes it, and every user of a message that may carry one calls it.
 */
#ifndef EVC_LIB_CTLPROTO_H
#define EVC_LIB_CTLPROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Version 2 adds "lang" (the caller's language, in hello or any command) and "attach"; a
 * version-1 client is answered as before. */
#define CTLP_VERSION 2
#define CTLP_VERSION_MIN 1
#define CTLP_LANG_MAX 64   /* a language value, with its NUL */
#define CTLP_LINE_MAX 8192 /* one message, its newline included */
#define CTLP_KEY_MAX 32
#define CTLP_MAX_FIELDS 48
#define CTLP_MAX_ITEMS 96 /* array items over the whole message */

enum ctlp_type { CTLP_STR, CTLP_INT, CTLP_BOOL, CTLP_NULL, CTLP_STRS };

struct ctlp_field {
	char key[CTLP_KEY_MAX];
	enum ctlp_type type;
	const char *str; /* CTLP_STR: NUL-terminated, in the arena (may hold no NUL itself) */
	int64_t num;     /* CTLP_INT */
	bool b;          /* CTLP_BOOL */
	size_t first, n; /* CTLP_STRS: items[first .. first + n) */
};

struct ctlp_msg {
	size_t n;
	struct ctlp_field f[CTLP_MAX_FIELDS];
	size_t n_items;
	const char *items[CTLP_MAX_ITEMS];
	size_t used;
	char arena[CTLP_LINE_MAX]; /* decoded strings; wiped by ctlp_msg_wipe */
};

/*
 * Parses one line (len bytes, the newline optional) into m. 0, or -EINVAL with err naming the
 * byte offset and what was expected there (-E2BIG for a line above CTLP_LINE_MAX).
 */
int ctlp_parse(struct ctlp_msg *m, const char *line, size_t len, char *err, size_t errlen);
/* Wipes the arena (secrets) and empties m. */
void ctlp_msg_wipe(struct ctlp_msg *m);

/* The field key, or NULL. */
const struct ctlp_field *ctlp_get(const struct ctlp_msg *m, const char *key);
/* A string field's value, or NULL when absent or not a string. */
const char *ctlp_str(const struct ctlp_msg *m, const char *key);
/* An integer or boolean field; false (v untouched) when absent or of another type. */
bool ctlp_int(const struct ctlp_msg *m, const char *key, int64_t *v);
bool ctlp_bool(const struct ctlp_msg *m, const char *key, bool *v);
/* A string array's items (NULL, 0 when absent or another type). */
const char *const *ctlp_strs(const struct ctlp_msg *m, const char *key, size_t *n);

/* Whether lang is a language value: 1 to CTLP_LANG_MAX - 1 bytes of [A-Za-z0-9_.@:-], not
 * starting with '.', ':' or '-' (nothing that names a path). */
bool ctlp_lang_ok(const char *lang);
/*
 * The language this process speaks, for a daemon to answer in: LANGUAGE where gettext heeds it
 * (not under the C locale), else LC_MESSAGES's locale; NULL for the C locale's English or a
 * value that is not ctlp_lang_ok. Call after setlocale (evc_i18n_init).
 */
const char *ctlp_caller_lang(void);
/*
 * A one-line text command, with the caller's language after it or not ("status",
 * "disconnect lang=de"): the command alone into cmd and the language into lang ("" when
 * none). false when either does not fit or the language is not ctlp_lang_ok: then cmd
 * holds the line as it came (cut to fit), for the "unknown command" answer.
 */
bool ctlp_text_cmd(const char *line, char *cmd, size_t cmdcap, char *lang, size_t langcap);

/*
 * Writing a message: begin, fields, end. On overflow the writer marks itself failed and
 * ctlp_wr_end returns 0, so a caller checks once. Strings are escaped as JSON needs; bytes of
 * 0x80 and above pass as they are (the texts are UTF-8 or made printable before).
 */
struct ctlp_wr {
	char *buf;
	size_t cap, len;
	bool err, first, in_array, first_item;
};

void ctlp_wr_begin(struct ctlp_wr *w, char *buf, size_t cap);
void ctlp_wr_str(struct ctlp_wr *w, const char *key, const char *v);
void ctlp_wr_int(struct ctlp_wr *w, const char *key, int64_t v);
void ctlp_wr_uint(struct ctlp_wr *w, const char *key, uint64_t v);
void ctlp_wr_bool(struct ctlp_wr *w, const char *key, bool v);
void ctlp_wr_strs_begin(struct ctlp_wr *w, const char *key);
void ctlp_wr_item(struct ctlp_wr *w, const char *v);
void ctlp_wr_strs_end(struct ctlp_wr *w);
/* Closes the object and adds the newline; the length, or 0 when it did not fit. */
size_t ctlp_wr_end(struct ctlp_wr *w);

#endif
