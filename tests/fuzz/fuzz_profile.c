/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for evc's own profile format: any bytes as a NAME.profile file. Every
 * input is parsed twice: as is, and behind a gateway and a group line, so that inputs whose
 * other keys are fine are not all rejected for lacking those two. Seeds: mkcorpus.py kind
 * "profile".
 *
 * Besides sanitizer findings it aborts when a promise breaks: every message starts with the
 * file name and holds no control bytes; parsing fails exactly when an error was reported; a
 * parsed profile validates, writes text that parses back to the same text, its export parses
 * too, and each key's canonical text is accepted by prof_set unchanged.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define NAME "fuzz.profile"

struct seen {
	unsigned errors;
};

static void report(void *ctx, const struct prof_msg *m)
{
	struct seen *s = ctx;
	CHECK(strncmp(m->text, NAME, strlen(NAME)) == 0);
	for (const char *q = m->text; *q; q++)
		CHECK((unsigned char)*q >= 0x20 && *q != 0x7f);
	if (m->sev == PROF_ERROR)
		s->errors++;
}

static void check_profile(const struct evc_profile *p)
{
	struct evc_profile *q = NULL, *e = NULL, *c = prof_new("copy");
	char *t = prof_to_text(p), *t2, *x;
	char err[600];

	CHECK(prof_validate(p, NULL, NULL) == 0);
	CHECK(t && prof_parse(t, strlen(t), "again", prof_name(p), NULL, NULL, &q) == 0);
	t2 = prof_to_text(q);
	CHECK(t2 && strcmp(t, t2) == 0);
	x = prof_export_text(p);
	CHECK(x && prof_parse(x, strlen(x), "export", "x", NULL, NULL, &e) == 0);
	CHECK(c);
	for (size_t i = 0; i < prof_key_count(); i++) {
		const char *v = prof_get(p, prof_key_name(i));
		if (!v)
			continue;
		CHECK(prof_set(c, prof_key_name(i), v, err, sizeof(err)) == 0);
		CHECK(strcmp(prof_get(c, prof_key_name(i)), v) == 0);
	}
	CHECK(prof_ike_list(p, NULL, 0) <= PROF_MAX_PROPS);
	CHECK(prof_lan_count(p) <= PROF_MAX_LAN && prof_backup_count(p) <= PROF_MAX_BACKUPS);
	free(t);
	free(t2);
	free(x);
	prof_free(q);
	prof_free(e);
	prof_free(c);
}

static void run(const char *text, size_t size)
{
	struct seen seen = {0};
	struct evc_profile *p = NULL;
	int rc = prof_parse(text, size, NAME, "fuzz", report, &seen, &p);
	if (rc) {
		CHECK(seen.errors > 0 && !p);
		return;
	}
	CHECK(seen.errors == 0 && p);
	check_profile(p);
	prof_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "gateway = vpn.example.com\ngroup = g\n";
	char *buf;

	if (size > 64 * 1024)
		return 0;
	run((const char *)data, size);
	buf = malloc(size + sizeof(head));
	if (buf) {
		memcpy(buf, head, sizeof(head) - 1);
		memcpy(buf + sizeof(head) - 1, data, size);
		run(buf, size + sizeof(head) - 1);
		free(buf);
	}
	return 0;
}
