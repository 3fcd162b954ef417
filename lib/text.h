/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Text from the other side of a connection, made safe to print on a terminal or in a log. */
#ifndef EVC_LIB_TEXT_H
#define EVC_LIB_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copies peer text into dst (cap bytes, NUL-terminated) as something safe to print: valid
 * UTF-8 without C0 or C1 controls or DEL. CR LF becomes LF, a lone CR is dropped, a tab is
 * kept; a newline is kept when multiline (else a space); anything else becomes '?'. A NUL
 * ends the text. Returns the number of bytes replaced.
 */
size_t text_clean(char *dst, size_t cap, const uint8_t *src, size_t len, bool multiline);

#endif
