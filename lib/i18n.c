// SPDX-License-Identifier: GPL-2.0-or-later
#define _GNU_SOURCE /* secure_getenv */
#include "lib/i18n.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

#ifndef EVC_LOCALEDIR
#error "EVC_LOCALEDIR must name the installed catalogue directory (lib/CMakeLists.txt sets it)"
#endif

const char *evc_i18n_localedir(void)
{
	const char *dir = secure_getenv("EVC_LOCALEDIR");

	return dir && dir[0] == '/' ? dir : EVC_LOCALEDIR;
}

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && v[0];
}

void evc_i18n_init(void)
{
	const char *msgs = setlocale(LC_MESSAGES, "");

	setlocale(LC_CTYPE, "");
	/*
	 * glibc ignores LANGUAGE while LC_MESSAGES is "C". A minimal system
	 * (a container, a root shell over ssh) often has no LANG at all, and
	 * there `LANGUAGE=de evc ...` should still speak German: when nothing
	 * but LANGUAGE says what the user wants, take C.UTF-8, which keeps
	 * everything else as the C locale has it.
	 */
	if (env_set("LANGUAGE") && !env_set("LC_ALL") && !env_set("LC_MESSAGES") &&
	    !env_set("LANG") && (!msgs || !strcmp(msgs, "C") || !strcmp(msgs, "POSIX"))) {
		if (setlocale(LC_MESSAGES, "C.UTF-8"))
			setlocale(LC_CTYPE, "C.UTF-8");
	}
	bindtextdomain(EVC_TEXTDOMAIN, evc_i18n_localedir());
	bind_textdomain_codeset(EVC_TEXTDOMAIN, "UTF-8");
	textdomain(EVC_TEXTDOMAIN);
}
