/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Peer text onto the terminal; see printable.h. */
#include "client/core/printable.h"

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (2..4), or 0 (overlong, surrogate, truncated). */
static size_t utf8_len(const unsigned char *s, uint32_t *cp)
{
	size_t n;
	uint32_t c, min;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, c = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, c = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* also stops at the NUL */
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

void evc_fput_printable(FILE *f, const char *s, bool multiline)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		uint32_t cp;
		size_t n;

		if (*p == '\n' || *p == '\t') {
			fputc(multiline ? *p : ' ', f);
			p++;
		} else if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
		} else if (*p >= 0x80 && (n = utf8_len(p, &cp)) != 0) {
			if (cp <= 0x9f)
				fputc('?', f); /* C1 control */
			else
				fwrite(p, 1, n, f);
			p += n;
		} else {
			fputc('?', f);
			p++;
		}
	}
}
