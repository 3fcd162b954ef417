/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Translations through gettext (libintl is part of glibc). evc and evs call
 * evc_i18n_init() once at the start of main; every user-visible string is
 * marked with _() where it is printed, or N_() where it sits in a table and
 * is translated later with _(). The catalogues live in po/ (text domain "evc").
 */
#ifndef EVC_LIB_I18N_H
#define EVC_LIB_I18N_H

#include <libintl.h>

#define EVC_TEXTDOMAIN "evc"

#define _(s) gettext(s)
#define N_(s) (s)
/* ngettext(singular, plural, n) comes from libintl.h as it is. */

/*
 * Sets LC_MESSAGES and LC_CTYPE from the environment (not LC_NUMERIC: numbers
 * in files and on the wire are read and written the C way) and binds the text
 * domain to the catalogue directory: EVC_LOCALEDIR from the environment when
 * the process is not set-id (tests and uninstalled builds), else the one
 * CMake compiled in. Never fails: without a catalogue the text stays English.
 */
void evc_i18n_init(void);

/* The catalogue directory evc_i18n_init() chose (for diagnostics and tests). */
const char *evc_i18n_localedir(void);

#endif
