/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks shared by the importer fuzz targets (fuzz_pcf, fuzz_vpnc_conf): besides
 * sanitizer findings they abort when a promise breaks: every message starts with the file
 * name and holds no control bytes; an import fails exactly when an error was reported; an
 * imported profile passes validation and its text parses back to the same text.
 */
#ifndef EVC_TESTS_FUZZ_IMPORT_H
#define EVC_TESTS_FUZZ_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/import.h"
#include "profiles/profile.h"

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

struct seen {
	const char *name;
	unsigned errors;
};

static void report(void *ctx, const struct prof_msg *m)
{
	struct seen *s = ctx;
	CHECK(strncmp(m->text, s->name, strlen(s->name)) == 0);
	CHECK(m->file && strcmp(m->file, s->name) == 0);
	for (const char *q = m->text; *q; q++)
		CHECK((unsigned char)*q >= 0x20 && *q != 0x7f);
	CHECK((unsigned)m->sev <= PROF_NOTE);
	if (m->sev == PROF_ERROR)
		s->errors++;
}

static void round_trip(const struct evc_profile *p)
{
	struct evc_profile *q = NULL;
	char *t = prof_to_text(p), *t2;
	CHECK(t);
	CHECK(prof_validate(p, NULL, NULL) == 0);
	CHECK(prof_parse(t, strlen(t), "again", prof_name(p), NULL, NULL, &q) == 0);
	t2 = prof_to_text(q);
	CHECK(t2 && strcmp(t, t2) == 0);
	free(t);
	free(t2);
	prof_free(q);
}

/* Imports data as fmt under the file name name, and checks the importer's promises. */
static void fuzz_import(const uint8_t *data, size_t size, enum prof_format fmt, const char *name)
{
	struct seen seen = {name, 0};
	struct prof_import imp;
	int rc = prof_import_buf(data, size, fmt, name, "fuzz", report, &seen, &imp);
	if (rc) {
		CHECK(seen.errors > 0);
		CHECK(!imp.prof && !imp.group_key.p && !imp.password.p);
		return;
	}
	CHECK(seen.errors == 0 && imp.prof);
	CHECK(imp.group_key.len <= 1024 && imp.password.len <= 1024);
	round_trip(imp.prof);
	prof_import_clear(&imp);
}

/* The input as is, and behind head (so the mapping runs when mutation removed the header). */
static void fuzz_import_twice(const uint8_t *data, size_t size, enum prof_format fmt,
                              const char *name, const char *head)
{
	size_t hl = strlen(head);
	fuzz_import(data, size, fmt, name);
	uint8_t *buf = malloc(size + hl);
	if (buf) {
		memcpy(buf, head, hl);
		memcpy(buf + hl, data, size);
		fuzz_import(buf, size + hl, fmt, name);
		free(buf);
	}
}

#endif
