/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test helper shared by the profile tests: collects the messages a parser reports so that a
 * test can look for one by severity, line, key and text. Define MAXMSG before including it
 * to change how many are kept. Include after <cmocka.h> and "profiles/profile.h".
 */
#ifndef EVC_TESTS_PROF_DIAG_H
#define EVC_TESTS_PROF_DIAG_H

#include <stdio.h>
#include <string.h>

#ifndef MAXMSG
#define MAXMSG 640
#endif

struct diag {
	size_t n;
	unsigned count[4];
	enum prof_sev sev[MAXMSG];
	unsigned line[MAXMSG];
	char key[MAXMSG][64];
	char text[MAXMSG][1400];
};

static inline void collect(void *ctx, const struct prof_msg *m)
{
	struct diag *d = ctx;
	d->count[m->sev]++;
	if (d->n == MAXMSG)
		return;
	d->sev[d->n] = m->sev;
	d->line[d->n] = m->line;
	snprintf(d->key[d->n], sizeof(d->key[0]), "%s", m->key ? m->key : "");
	snprintf(d->text[d->n], sizeof(d->text[0]), "%s", m->text);
	d->n++;
}

static inline void dump(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		print_message("  [%s] %s\n", prof_sev_name(d->sev[i]), d->text[i]);
}

static inline int find(const struct diag *d, enum prof_sev sev, unsigned line, const char *key,
                       const char *fragment)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->sev[i] == sev && d->line[i] == line && strcmp(d->key[i], key) == 0 &&
		    strstr(d->text[i], fragment))
			return (int)i;
	return -1;
}

#endif
