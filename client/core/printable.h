/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Text that came from the gateway (its banner, XAUTH messages, notify text quoted in log
 * lines, error sentences that quote it) is written to the terminal through this, so that a
 * hostile gateway cannot send terminal escape sequences (clear the screen, retitle the window,
 * rewrite what evc printed with CR, answerback tricks).
 */
#ifndef EVC_CLIENT_PRINTABLE_H
#define EVC_CLIENT_PRINTABLE_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Writes s to f with every C0 control (ESC, CR, BEL, ...), DEL, C1 control (U+0080..U+009F)
 * and every byte that is not part of valid UTF-8 replaced by '?'. With multiline, '\n' and
 * '\t' are kept; without, each becomes a space so the text stays on one line.
 */
void evc_fput_printable(FILE *f, const char *s, bool multiline);

#endif
