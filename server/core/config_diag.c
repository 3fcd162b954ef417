/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics of the configuration parser: every message as "NAME:LINE: what in 'line'" with
 * secrets hidden and control bytes replaced. Every other config_*.c file reports through it,
 * and it calls none of them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/core/config_int.h"

#define CFG_QUOTE_MAX 160

/* Byte offset in s at which a secret starts, or strlen(s) when the line holds none. */
static size_t secret_offset(const char *s)
{
	const char *tok[8];
	size_t n = 0, i;
	const char *q = s;

	while (n < 8) {
		while (*q && cfg_is_blank(*q))
			q++;
		if (!*q)
			break;
		tok[n++] = q;
		while (*q && !cfg_is_blank(*q))
			q++;
	}
#define TOK_IS(k, kw)                                                                              \
	(strncasecmp(tok[k], kw, strlen(kw)) == 0 &&                                               \
	 (!tok[k][strlen(kw)] || cfg_is_blank(tok[k][strlen(kw)])))
	if (n >= 2 && TOK_IS(0, "key"))
		return (size_t)(tok[1] - s);
	if (n >= 4 && TOK_IS(0, "crypto") && TOK_IS(1, "isakmp") && TOK_IS(2, "key"))
		return (size_t)(tok[3] - s);
	if (n >= 3 && (TOK_IS(0, "radius-server") || TOK_IS(0, "tacacs-server"))) {
		for (i = 1; i + 1 < n; i++)
			if (TOK_IS(i, "key"))
				return (size_t)(tok[i + 1] - s);
		if (n == 8) /* the key may lie beyond the 8 tokens looked at */
			return (size_t)(tok[1] - s);
	}
	if (n >= 3 && TOK_IS(0, "username")) {
		for (i = 2; i + 1 < n; i++) {
			if (TOK_IS(i, "secret") || TOK_IS(i, "password"))
				return (size_t)(tok[i + 1] - s);
		}
		/* the secret may lie beyond the 8 tokens looked at: hide everything after the name
		 */
		if (n == 8)
			return (size_t)(tok[2] - s);
	}
#undef TOK_IS
	return strlen(s);
}

/* The line as shown in messages: trimmed, secrets hidden, control bytes as '?', bounded. */
static void quote_line(const char *raw, char *out, size_t outlen)
{
	size_t len, cut, o = 0;

	while (*raw && cfg_is_blank(*raw))
		raw++;
	len = strlen(raw);
	while (len && cfg_is_blank(raw[len - 1]))
		len--;
	cut = secret_offset(raw);
	if (cut > len)
		cut = len;
	for (size_t i = 0; i < cut && o + 4 < outlen; i++) {
		unsigned char c = (unsigned char)raw[i];

		if (o >= CFG_QUOTE_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	out[o] = '\0';
	if (cut < len)
		snprintf(out + o, outlen - o, "<hidden>");
}

static void vreport(struct cfg_parser *p, enum evs_config_severity sev, unsigned line,
                    const char *fmt, va_list ap)
{
	char what[512], quoted[CFG_QUOTE_MAX + 16], msg[1024];
	const char *tag = sev == EVS_CONFIG_WARNING ? "warning: " : "";

	if (sev == EVS_CONFIG_ERROR)
		p->errors++;
	if (!p->report)
		return;
	vsnprintf(what, sizeof(what), fmt, ap);
	if (line == 0 || line > p->n_lines) {
		snprintf(msg, sizeof(msg), "%s: %s%s", p->name, tag, what);
	} else {
		quote_line(p->lines[line - 1], quoted, sizeof(quoted));
		snprintf(msg, sizeof(msg), "%s:%u: %s%s in '%s'", p->name, line, tag, what, quoted);
	}
	/* names and words from the file may hold control bytes: keep them off the terminal */
	for (char *q = msg; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	p->report(p->ctx, sev, line, msg);
}

void cfg_error(struct cfg_parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, EVS_CONFIG_ERROR, line, fmt, ap);
	va_end(ap);
}

void cfg_warn(struct cfg_parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(p, EVS_CONFIG_WARNING, line, fmt, ap);
	va_end(ap);
}

void *cfg_nomem(struct cfg_parser *p)
{
	if (!p->oom) {
		p->oom = true;
		cfg_error(p, 0, "out of memory while reading the configuration");
	}
	return NULL;
}
