/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the Cisco .pcf importer: any bytes as a .pcf file (any encoding the
 * importer sniffs: UTF-16 with or without BOM, UTF-8, Windows-1252). Every input is imported
 * twice: as is, and behind a "[main]" header so that mutated keys reach the key mapping even
 * when the header was mutated away. The input is also fed to the enc_GroupPwd decoder as a
 * hex string. Seeds: mkcorpus.py kind "pcf".
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

#define NAME "fuzz.pcf"

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
	int rc = prof_import_buf(data, size, PROF_FMT_PCF, NAME, "fuzz", report, &seen, &imp);
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
	static const char head[] = "[main]\r\n";
	uint8_t *buf;
	char *hex;

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
	hex = malloc(size + 1);
	if (hex) {
		char err[300];
		struct ike_secret s = {NULL, 0};
		memcpy(hex, data, size);
		hex[size] = '\0';
		if (prof_cisco_decode(hex, &s, err, sizeof(err)) == 0)
			CHECK(s.len && s.len <= 1024 && s.p[s.len] == 0 && !memchr(s.p, 0, s.len));
		else
			CHECK(!s.p && err[0]);
		ike_secret_clear(&s);
		free(hex);
	}
	return 0;
}
