/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Diagnostics and small string helpers for every parser of profiles/. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/prof_int.h"
#include "lib/i18n.h"

const char *prof_sev_name(enum prof_sev s)
{
	switch (s) {
	case PROF_ERROR:
		return "error";
	case PROF_WARNING:
		return "warning";
	case PROF_UNSUPPORTED:
		return "not honoured";
	case PROF_NOTE:
		return "note";
	}
	return "?";
}

void prof_emit(struct prof_diag *d, enum prof_sev sev, unsigned line, const char *key,
               const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prof_vemit(d, sev, line, key, fmt, ap);
	va_end(ap);
}

void prof_vemit(struct prof_diag *d, enum prof_sev sev, unsigned line, const char *key,
                const char *fmt, va_list ap)
{
	char what[1024], msg[1400], where[24] = "";

	if ((unsigned)sev < 4)
		d->n[sev]++;
	if (!d->report)
		return;
	vsnprintf(what, sizeof(what), fmt, ap);
	if (line)
		snprintf(where, sizeof(where), ":%u", line);
	if (key)
		snprintf(msg, sizeof(msg), _("%s%s: key '%.200s': %s"), d->file, where, key, what);
	else
		snprintf(msg, sizeof(msg), _("%s%s: %s"), d->file, where, what);
	/* Values quoted from a file may carry control bytes; a terminal must not see them. */
	for (char *c = msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	struct prof_msg m = {.sev = sev, .file = d->file, .line = line, .key = key, .text = msg};
	d->report(d->ctx, &m);
}

int prof_next_line(struct prof_lines *l, char *buf, size_t cap)
{
	if (!l->left)
		return 0;
	const char *nl = memchr(l->p, '\n', l->left);
	size_t len = nl ? (size_t)(nl - l->p) : l->left;
	size_t adv = nl ? len + 1 : len;
	const char *s = l->p;

	l->p += adv;
	l->left -= adv;
	l->no++;
	if (len && s[len - 1] == '\r')
		len--;
	if (len >= cap || len > PROF_LINE_MAX)
		return -E2BIG;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 1;
}

char *prof_trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

bool prof_has_ctrl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

bool prof_is_abs_path(const char *s)
{
	return s[0] == '/' && !prof_has_ctrl(s) && strlen(s) < 4096;
}

bool prof_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 10)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

bool prof_parse_ipv4(const char *s, uint32_t *out)
{
	struct in_addr a;

	/* inet_pton accepts exactly four decimal parts without leading zeros. */
	if (inet_pton(AF_INET, s, &a) != 1)
		return false;
	*out = ntohl(a.s_addr);
	return true;
}

static int mask_len(uint32_t mask)
{
	int n = 0;
	while (mask & 0x80000000u) {
		n++;
		mask <<= 1;
	}
	return mask ? -1 : n;
}

int prof_parse_net(const char *s, struct evc_net *out, const char **why)
{
	char addr[32];
	const char *slash = strchr(s, '/');
	unsigned long plen;
	uint32_t a, m;

	if (!slash || (size_t)(slash - s) >= sizeof(addr)) {
		*why = "write a network as a.b.c.d/len, e.g. 192.168.1.0/24";
		return -EINVAL;
	}
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	if (!prof_parse_ipv4(addr, &a)) {
		*why = "the network address is not a dotted IPv4 address";
		return -EINVAL;
	}
	if (prof_parse_uint(slash + 1, 32, &plen)) {
		m = plen ? 0xffffffffu << (32 - plen) : 0;
	} else if (prof_parse_ipv4(slash + 1, &m)) {
		if (mask_len(m) < 0) {
			*why = "the netmask is not contiguous";
			return -EINVAL;
		}
	} else {
		*why = "the prefix length must be 0 to 32 (or a dotted netmask)";
		return -EINVAL;
	}
	if (a & ~m) {
		*why = "host bits are set: give the network address (e.g. 10.1.0.0/16)";
		return -EINVAL;
	}
	out->addr = a;
	out->mask = m;
	return 0;
}

void prof_fmt_net(const struct evc_net *n, char *buf, size_t len)
{
	uint32_t a = n->addr;
	snprintf(buf, len, "%u.%u.%u.%u/%d", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
	         mask_len(n->mask));
}

bool prof_host_valid(const char *s)
{
	size_t n = strlen(s), label = 0;
	uint32_t a;

	if (prof_parse_ipv4(s, &a))
		return true;
	if (!n || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (!label || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '-' || c == '_';
		if (!ok || (c == '-' && !label) || ++label > 63)
			return false;
	}
	if (s[n - 1] == '.')
		n--;
	if (!n || s[n - 1] == '-')
		return false;
	/* A last label of digits only is a mistyped address (1.2.3, 300.1.1.1), not a name. */
	size_t i = n;
	while (i && s[i - 1] != '.')
		i--;
	return strspn(s + i, "0123456789") != n - i;
}

void prof_buf_add(struct prof_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? room : 0, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->p && (size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap * 2 : 1024;
		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
}

void prof_buf_free(struct prof_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
