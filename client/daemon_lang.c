/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc daemon`: the caller's language. A member of the socket's group whose desktop speaks
 * German should read the daemon's sentences in German even though the daemon, started by
 * systemd, runs in English. The daemon answers one command at a time in one thread, so it
 * switches gettext's language around that one answer (LANGUAGE, and LC_MESSAGES off "C",
 * where glibc ignores LANGUAGE) and switches back before anything else runs. Translating in
 * the client instead (a message id and its arguments) would put printf formats on the wire,
 * which a client would have to trust, and leave scripts that read "error" with ids.
 *
 * setenv is unsafe while another thread may read the environment, so the switch is made only
 * when the process has a single thread (a library that started one, say GLib's D-Bus worker,
 * leaves the answers in the daemon's language rather than risk that).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/daemon_int.h"
#include "lib/i18n.h"

static bool single_threaded(void)
{
	char line[128];
	bool one = false;
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Threads:", 8) == 0) {
			one = strtol(line + 8, NULL, 10) == 1;
			break;
		}
	fclose(f);
	return one;
}

void evd_lang_enter(struct evd_lang *s, const char *lang)
{
	const char *cur = getenv("LANGUAGE"), *msgs = setlocale(LC_MESSAGES, NULL);
	memset(s, 0, sizeof(*s));
	if (!lang || !lang[0] || !ctlp_lang_ok(lang) || !msgs || !single_threaded())
		return;
	s->had = cur != NULL;
	if (snprintf(s->language, sizeof(s->language), "%s", cur ? cur : "") >=
	        (int)sizeof(s->language) ||
	    snprintf(s->messages, sizeof(s->messages), "%s", msgs) >= (int)sizeof(s->messages))
		return;
	if ((strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0) &&
	    !setlocale(LC_MESSAGES, "C.UTF-8"))
		return;
	if (setenv("LANGUAGE", lang, 1) != 0) {
		setlocale(LC_MESSAGES, s->messages);
		return;
	}
	/* gettext caches what it found; naming the domain again tells it the language changed */
	textdomain(EVC_TEXTDOMAIN);
	s->on = true;
}

void evd_lang_leave(struct evd_lang *s)
{
	if (!s->on)
		return;
	if (s->had)
		setenv("LANGUAGE", s->language, 1);
	else
		unsetenv("LANGUAGE");
	setlocale(LC_MESSAGES, s->messages);
	textdomain(EVC_TEXTDOMAIN);
	s->on = false;
}

void evd_lang_remember(struct evd *d, uint64_t id, const char *lang)
{
	struct evd_peer_lang *slot = NULL;
	for (size_t i = 0; i < CTL_MAX_CONNS; i++) {
		struct evd_peer_lang *p = &d->langs[i];
		if (p->id == id) {
			slot = p;
			break;
		}
		/* ids are never reused: a closed session's entry is free */
		if (!slot && (!p->id || !ctl_srv_session(d->ctl, p->id, NULL)))
			slot = p;
	}
	if (!slot)
		return;
	slot->id = id;
	snprintf(slot->lang, sizeof(slot->lang), "%s", lang);
}

const char *evd_lang_of(const struct evd *d, uint64_t id)
{
	for (size_t i = 0; id && i < CTL_MAX_CONNS; i++)
		if (d->langs[i].id == id)
			return d->langs[i].lang;
	return NULL;
}
