/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control protocol's messages: a bounded parser and a writer; see ctlproto.h. */
#include <errno.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/ctlproto.h"
#include "lib/secret.h"

struct parser {
	struct rd r;
	size_t len; /* of the whole line, for offsets */
	struct ctlp_msg *m;
	char *err;
	size_t errlen;
};

static size_t offset(const struct parser *p)
{
	return p->len - p->r.left;
}

static int fail(struct parser *p, const char *fmt, ...)
{
	char what[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "control message, byte %zu: %s", offset(p), what);
	return -EINVAL;
}

/* The next byte without consuming it; false at the end. */
static bool peek(const struct parser *p, uint8_t *c)
{
	struct rd r = p->r;
	return rd_u8(&r, c);
}

static void skip_ws(struct parser *p)
{
	uint8_t c;
	while (peek(p, &c) && (c == ' ' || c == '\t' || c == '\r' || c == '\n'))
		rd_skip(&p->r, 1);
}

static bool expect(struct parser *p, uint8_t want)
{
	uint8_t c;
	skip_ws(p);
	if (!peek(p, &c) || c != want)
		return false;
	rd_skip(&p->r, 1);
	return true;
}

static bool arena_put(struct ctlp_msg *m, uint8_t c)
{
	if (m->used >= sizeof(m->arena))
		return false;
	m->arena[m->used++] = (char)c;
	return true;
}

static int hex4(struct parser *p, unsigned *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		uint8_t c;
		if (!rd_u8(&p->r, &c))
			return fail(p, "the line ends inside a \\u escape");
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
		             : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a') + 10u
		             : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A') + 10u
		                                    : 16u;
		if (d > 15)
			return fail(p, "'%c' is not a hex digit of a \\u escape", c);
		*v = *v * 16 + d;
	}
	return 0;
}

/* \uXXXX into UTF-8: the basic plane only, without NUL and surrogates (nothing of ours needs
 * them, and a NUL inside a C string would cut a name short without anyone noticing). */
static int unicode(struct parser *p, struct ctlp_msg *m)
{
	unsigned u;
	int rc = hex4(p, &u);
	if (rc)
		return rc;
	if (u == 0 || (u >= 0xd800 && u <= 0xdfff))
		return fail(p, "\\u%04x is not accepted (no NUL, no surrogates)", u);
	bool ok = u < 0x80    ? arena_put(m, (uint8_t)u)
	          : u < 0x800 ? arena_put(m, (uint8_t)(0xc0 | u >> 6)) &&
	                            arena_put(m, (uint8_t)(0x80 | (u & 0x3f)))
	                      : arena_put(m, (uint8_t)(0xe0 | u >> 12)) &&
	                            arena_put(m, (uint8_t)(0x80 | (u >> 6 & 0x3f))) &&
	                            arena_put(m, (uint8_t)(0x80 | (u & 0x3f)));
	return ok ? 0 : fail(p, "too much text");
}

/* A string after its opening quote, decoded into the arena; *out points at it. */
static int string(struct parser *p, const char **out)
{
	struct ctlp_msg *m = p->m;
	size_t start = m->used;
	for (;;) {
		uint8_t c;
		if (!rd_u8(&p->r, &c))
			return fail(p, "the line ends inside a string");
		if (c == '"')
			break;
		if (c < 0x20)
			return fail(p, "control byte 0x%02x inside a string (escape it)", c);
		if (c == '\\') {
			if (!rd_u8(&p->r, &c))
				return fail(p, "the line ends inside an escape");
			static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
			const char *k = c ? strchr(from, c) : NULL;
			if (c == 'u') {
				int rc = unicode(p, m);
				if (rc)
					return rc;
				continue;
			}
			if (!k)
				return fail(p, "unknown escape \\%c",
				            c >= 0x20 && c < 0x7f ? c : '?');
			c = (uint8_t)to[k - from];
		}
		if (!arena_put(m, c))
			return fail(p, "too much text");
	}
	if (!arena_put(m, 0))
		return fail(p, "too much text");
	*out = m->arena + start;
	return 0;
}

static int key(struct parser *p, struct ctlp_field *f)
{
	size_t n = 0;
	uint8_t c;
	if (!expect(p, '"'))
		return fail(p, "expected a key in quotes");
	for (;;) {
		if (!rd_u8(&p->r, &c))
			return fail(p, "the line ends inside a key");
		if (c == '"')
			break;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return fail(p, "keys are of a-z, 0-9 and _");
		if (n + 1 >= sizeof(f->key))
			return fail(p, "a key longer than %d bytes", CTLP_KEY_MAX - 1);
		f->key[n++] = (char)c;
	}
	f->key[n] = '\0';
	if (!n)
		return fail(p, "an empty key");
	for (size_t i = 0; i < p->m->n; i++)
		if (strcmp(p->m->f[i].key, f->key) == 0)
			return fail(p, "the key \"%s\" is there twice", f->key);
	return 0;
}

static int number(struct parser *p, int64_t *v)
{
	uint8_t c;
	bool neg = false;
	uint64_t u = 0;
	size_t digits = 0;
	if (peek(p, &c) && c == '-') {
		neg = true;
		rd_skip(&p->r, 1);
	}
	while (peek(p, &c) && c >= '0' && c <= '9') {
		if (digits == 1 && u == 0)
			return fail(p, "a number with a leading zero");
		if (u > (UINT64_C(1) << 63) / 10 ||
		    u * 10 + (c - '0') > (UINT64_C(1) << 63) - (neg ? 0 : 1))
			return fail(p, "a number out of range");
		u = u * 10 + (c - '0');
		digits++;
		rd_skip(&p->r, 1);
	}
	if (!digits)
		return fail(p, "expected a value (a string, an integer, true, false, null or an "
		               "array of strings)");
	if (peek(p, &c) && (c == '.' || c == 'e' || c == 'E'))
		return fail(p, "only integers are accepted");
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

static bool word(struct parser *p, const char *w)
{
	size_t n = strlen(w);
	const uint8_t *q;
	struct rd r = p->r;
	if (!rd_ptr(&r, n, &q) || memcmp(q, w, n) != 0)
		return false;
	p->r = r;
	return true;
}

static int array(struct parser *p, struct ctlp_field *f)
{
	struct ctlp_msg *m = p->m;
	f->type = CTLP_STRS;
	f->first = m->n_items;
	f->n = 0;
	if (expect(p, ']'))
		return 0;
	for (;;) {
		const char *s;
		int rc;
		if (!expect(p, '"'))
			return fail(p, "arrays hold strings only");
		if ((rc = string(p, &s)))
			return rc;
		if (m->n_items >= CTLP_MAX_ITEMS)
			return fail(p, "more than %d array items", CTLP_MAX_ITEMS);
		m->items[m->n_items++] = s;
		f->n++;
		if (expect(p, ']'))
			return 0;
		if (!expect(p, ','))
			return fail(p, "expected , or ] in an array");
	}
}

static int value(struct parser *p, struct ctlp_field *f)
{
	uint8_t c;
	skip_ws(p);
	if (!peek(p, &c))
		return fail(p, "the line ends before a value");
	if (c == '"') {
		rd_skip(&p->r, 1);
		f->type = CTLP_STR;
		return string(p, &f->str);
	}
	if (c == '[') {
		rd_skip(&p->r, 1);
		return array(p, f);
	}
	if (c == '{')
		return fail(p, "nested objects are not part of the protocol");
	if (word(p, "true") || word(p, "false")) {
		f->type = CTLP_BOOL;
		f->b = c == 't';
		return 0;
	}
	if (word(p, "null")) {
		f->type = CTLP_NULL;
		return 0;
	}
	f->type = CTLP_INT;
	return number(p, &f->num);
}

int ctlp_parse(struct ctlp_msg *m, const char *line, size_t len, char *err, size_t errlen)
{
	struct parser p = {rd_init(line, len), len, m, err, errlen};
	int rc;

	ctlp_msg_wipe(m);
	if (len > CTLP_LINE_MAX) {
		snprintf(err, errlen, "control message of %zu bytes: at most %d are accepted", len,
		         CTLP_LINE_MAX);
		return -E2BIG;
	}
	if (!expect(&p, '{'))
		return fail(&p, "a message is one JSON object, starting with {");
	if (expect(&p, '}'))
		goto end;
	for (;;) {
		struct ctlp_field f = {0};
		if (m->n >= CTLP_MAX_FIELDS)
			return fail(&p, "more than %d keys", CTLP_MAX_FIELDS);
		if ((rc = key(&p, &f)))
			goto out;
		if (!expect(&p, ':')) {
			rc = fail(&p, "expected : after the key \"%s\"", f.key);
			goto out;
		}
		if ((rc = value(&p, &f)))
			goto out;
		m->f[m->n++] = f;
		if (expect(&p, '}'))
			break;
		if (!expect(&p, ',')) {
			rc = fail(&p, "expected , or } after a value");
			goto out;
		}
	}
end:
	skip_ws(&p);
	if (p.r.left) {
		rc = fail(&p, "text after the end of the object");
		goto out;
	}
	return 0;
out:
	ctlp_msg_wipe(m);
	return rc;
}

void ctlp_msg_wipe(struct ctlp_msg *m)
{
	mem_wipe(m->arena, m->used);
	m->used = 0;
	m->n = 0;
	m->n_items = 0;
}

const struct ctlp_field *ctlp_get(const struct ctlp_msg *m, const char *k)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->f[i].key, k) == 0)
			return &m->f[i];
	return NULL;
}

const char *ctlp_str(const struct ctlp_msg *m, const char *k)
{
	const struct ctlp_field *f = ctlp_get(m, k);
	return f && f->type == CTLP_STR ? f->str : NULL;
}

bool ctlp_int(const struct ctlp_msg *m, const char *k, int64_t *v)
{
	const struct ctlp_field *f = ctlp_get(m, k);
	if (!f || f->type != CTLP_INT)
		return false;
	*v = f->num;
	return true;
}

bool ctlp_bool(const struct ctlp_msg *m, const char *k, bool *v)
{
	const struct ctlp_field *f = ctlp_get(m, k);
	if (!f || f->type != CTLP_BOOL)
		return false;
	*v = f->b;
	return true;
}

const char *const *ctlp_strs(const struct ctlp_msg *m, const char *k, size_t *n)
{
	const struct ctlp_field *f = ctlp_get(m, k);
	if (!f || f->type != CTLP_STRS) {
		*n = 0;
		return NULL;
	}
	*n = f->n;
	return m->items + f->first;
}

/* ---- writing ---- */

static void put(struct ctlp_wr *w, const char *s, size_t n)
{
	if (w->err || n >= w->cap - w->len) {
		w->err = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void put_str(struct ctlp_wr *w, const char *v)
{
	put(w, "\"", 1);
	for (const unsigned char *c = (const unsigned char *)(v ? v : ""); *c; c++) {
		char e[8];
		if (*c == '"' || *c == '\\') {
			e[0] = '\\';
			e[1] = (char)*c;
			put(w, e, 2);
		} else if (*c && strchr("\b\f\n\r\t", *c)) {
			/* the short escapes: what is written is never longer than what was read */
			e[0] = '\\';
			e[1] = "bfnrt"[strchr("\b\f\n\r\t", *c) - "\b\f\n\r\t"];
			put(w, e, 2);
		} else if (*c < 0x20) {
			snprintf(e, sizeof(e), "\\u%04x", *c);
			put(w, e, 6);
		} else {
			put(w, (const char *)c, 1);
		}
	}
	put(w, "\"", 1);
}

static void put_key(struct ctlp_wr *w, const char *k)
{
	if (!w->first)
		put(w, ",", 1);
	w->first = false;
	put_str(w, k);
	put(w, ":", 1);
}

void ctlp_wr_begin(struct ctlp_wr *w, char *buf, size_t cap)
{
	*w = (struct ctlp_wr){.buf = buf, .cap = cap, .first = true, .err = cap < 4};
	if (!w->err)
		put(w, "{", 1);
}

void ctlp_wr_str(struct ctlp_wr *w, const char *k, const char *v)
{
	put_key(w, k);
	put_str(w, v);
}

void ctlp_wr_int(struct ctlp_wr *w, const char *k, int64_t v)
{
	char s[24];
	put_key(w, k);
	put(w, s, (size_t)snprintf(s, sizeof(s), "%lld", (long long)v));
}

void ctlp_wr_uint(struct ctlp_wr *w, const char *k, uint64_t v)
{
	/* the parser reads signed 64-bit integers: keep what is written readable */
	ctlp_wr_int(w, k, v > INT64_MAX ? INT64_MAX : (int64_t)v);
}

void ctlp_wr_bool(struct ctlp_wr *w, const char *k, bool v)
{
	put_key(w, k);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void ctlp_wr_strs_begin(struct ctlp_wr *w, const char *k)
{
	put_key(w, k);
	put(w, "[", 1);
	w->in_array = true;
	w->first_item = true;
}

void ctlp_wr_item(struct ctlp_wr *w, const char *v)
{
	if (!w->in_array) {
		w->err = true;
		return;
	}
	if (!w->first_item)
		put(w, ",", 1);
	w->first_item = false;
	put_str(w, v);
}

void ctlp_wr_strs_end(struct ctlp_wr *w)
{
	put(w, "]", 1);
	w->in_array = false;
}

size_t ctlp_wr_end(struct ctlp_wr *w)
{
	put(w, "}\n", 2);
	if (w->err || w->in_array) {
		if (w->cap)
			w->buf[0] = '\0';
		return 0;
	}
	return w->len;
}

bool ctlp_lang_ok(const char *lang)
{
	size_t n = lang ? strlen(lang) : 0;
	if (n == 0 || n >= CTLP_LANG_MAX || strchr(".:-", lang[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = lang[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("_.@:-", c)))
			return false;
	}
	return true;
}

bool ctlp_text_cmd(const char *line, char *cmd, size_t cmdcap, char *lang, size_t langcap)
{
	const char *tag = strstr(line, " lang=");
	size_t n = tag ? (size_t)(tag - line) : strlen(line);
	if (cmdcap == 0 || langcap == 0)
		return false;
	lang[0] = '\0';
	snprintf(cmd, cmdcap, "%s", line);
	if (!tag)
		return n < cmdcap;
	if (n >= cmdcap || strlen(tag + 6) >= langcap || !ctlp_lang_ok(tag + 6))
		return false;
	memcpy(cmd, line, n);
	cmd[n] = '\0';
	snprintf(lang, langcap, "%s", tag + 6);
	return true;
}

const char *ctlp_caller_lang(void)
{
	const char *lang = getenv("LANGUAGE"), *msgs = setlocale(LC_MESSAGES, NULL);
	if (!msgs || strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0)
		return NULL;
	if (lang && lang[0])
		return ctlp_lang_ok(lang) ? lang : NULL;
	/* C.UTF-8 is English as C is */
	if (strncmp(msgs, "C.", 2) == 0)
		return NULL;
	return ctlp_lang_ok(msgs) ? msgs : NULL;
}
