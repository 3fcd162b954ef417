/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Peer text made safe to print. Banners, XAUTH messages and user names come from the other
 * side of the connection and end up on terminals and in logs, where an ESC or a C1 CSI could
 * rewrite the screen or forge log lines.
 */
#include "lib/text.h"

/* Length of the UTF-8 sequence at s (n bytes left) and its code point, or 0 if invalid. */
static size_t utf8_seq(const uint8_t *s, size_t n, uint32_t *cp)
{
	size_t len;
	uint32_t c = s[0], min;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0)
		len = 2, c &= 0x1f, min = 0x80;
	else if ((c & 0xf0) == 0xe0)
		len = 3, c &= 0x0f, min = 0x800;
	else if ((c & 0xf8) == 0xf0)
		len = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

size_t text_clean(char *dst, size_t cap, const uint8_t *src, size_t len, bool multiline)
{
	size_t k = 0, bad = 0;
	if (!cap)
		return 0;
	for (size_t i = 0; i < len && src[i];) {
		uint32_t cp;
		size_t n = utf8_seq(src + i, len - i, &cp);
		const uint8_t *out = src + i;
		size_t out_len = n;
		char subst;
		if (n == 0) {
			subst = '?';
			n = 1;
			out_len = 0;
		} else if (cp == '\r') {
			i += n; /* CR LF is LF; a lone CR only moves the cursor */
			continue;
		} else if (cp == '\n') {
			subst = multiline ? '\n' : ' ';
			out_len = 0;
		} else if (cp == '\t') {
			subst = '\t';
			out_len = 0;
		} else if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			subst = '?';
			out_len = 0;
		} else {
			subst = 0;
		}
		if (subst == '?')
			bad++;
		size_t need = out_len ? out_len : 1;
		if (k + need >= cap)
			break; /* never split a sequence */
		if (out_len)
			for (size_t j = 0; j < out_len; j++)
				dst[k++] = (char)out[j];
		else
			dst[k++] = subst;
		i += n;
	}
	dst[k] = '\0';
	return bad;
}
