/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the vpnc .conf importer: any bytes as a vpnc configuration file (in
 * any encoding the importer sniffs). Every input is imported twice: as is, and behind a
 * gateway and a group line, so that the mapping of the other directives runs even when those
 * two were mutated away. Seeds: mkcorpus.py kind "vpnc".
 *
 * Besides sanitizer findings it aborts when a promise breaks: every message starts with the
 * file name and holds no control bytes; an import fails exactly when an error was reported;
 * an imported profile passes validation and its text parses back to the same text.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/import.h"
#include "profiles/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define NAME "fuzz.conf"

struct seen {
	unsigned errors;
};

static void report(void *ctx, const struct prof_msg *m)
{
	struct seen *s = ctx;
	CHECK(strncmp(m->text, NAME, strlen(NAME)) == 0);
	CHECK(m->file && strcmp(m->file, NAME) == 0);
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

static void run(const uint8_t *data, size_t size)
{
	struct seen seen = {0};
	struct prof_import imp;
	int rc = prof_import_buf(data, size, PROF_FMT_VPNC, NAME, "fuzz", report, &seen, &imp);
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "IPSec gateway vpn.example.com\nIPSec ID g\n";
	uint8_t *buf;

	if (size > 64 * 1024)
		return 0;
	run(data, size);
	buf = malloc(size + sizeof(head));
	if (buf) {
		memcpy(buf, head, sizeof(head) - 1);
		memcpy(buf + sizeof(head) - 1, data, size);
		run(buf, size + sizeof(head) - 1);
		free(buf);
	}
	return 0;
}
