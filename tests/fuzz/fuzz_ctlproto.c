/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target for the control protocol's parser (lib/ctlproto.c): any bytes as one line
 * from a client of the control socket (or, for evc-gui, from the daemon). Seeds: mkcorpus.py
 * kind "ctlproto" (every command and event of docs/control-protocol.md, and broken ones).
 *
 * Besides sanitizer findings it aborts when a promise breaks: a refused line says why with
 * its byte offset; a parsed message has keys of [a-z0-9_] without duplicates, strings without
 * NUL bytes inside the arena; written back by ctlp_wr it parses to the same fields; and
 * ctlp_msg_wipe leaves the arena zeroed. The same bytes as a one-line text command go through
 * ctlp_text_cmd (the caller's language after it): what it splits off joins back to the line,
 * a language it returns is ctlp_lang_ok, and a refused line is kept whole (cut to fit).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ctlproto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static struct ctlp_msg a, b;
static char out[CTLP_LINE_MAX * 8];

static void write_back(const struct ctlp_msg *m, struct ctlp_wr *w)
{
	ctlp_wr_begin(w, out, sizeof(out));
	for (size_t i = 0; i < m->n; i++) {
		const struct ctlp_field *f = &m->f[i];
		switch (f->type) {
		case CTLP_STR:
			ctlp_wr_str(w, f->key, f->str);
			break;
		case CTLP_INT:
			ctlp_wr_int(w, f->key, f->num);
			break;
		case CTLP_BOOL:
			ctlp_wr_bool(w, f->key, f->b);
			break;
		case CTLP_NULL:
			break; /* the writer has no null: left out, checked below */
		case CTLP_STRS:
			ctlp_wr_strs_begin(w, f->key);
			for (size_t k = 0; k < f->n; k++)
				ctlp_wr_item(w, m->items[f->first + k]);
			ctlp_wr_strs_end(w);
			break;
		}
	}
}

static void text_cmd(const uint8_t *data, size_t size)
{
	char line[CTLP_LINE_MAX], cmd[64], lang[CTLP_LANG_MAX],
	    joined[sizeof(cmd) + 8 + sizeof(lang)];
	size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	if (ctlp_text_cmd(line, cmd, sizeof(cmd), lang, sizeof(lang))) {
		CHECK(lang[0] == '\0' || ctlp_lang_ok(lang));
		snprintf(joined, sizeof(joined), "%s%s%s", cmd, lang[0] ? " lang=" : "", lang);
		CHECK(strcmp(joined, line) == 0);
	} else {
		CHECK(strncmp(cmd, line, strlen(cmd)) == 0);
		CHECK(lang[0] == '\0');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256] = "";
	struct ctlp_wr w;
	text_cmd(data, size);
	if (ctlp_parse(&a, (const char *)data, size, err, sizeof(err)) != 0) {
		CHECK(strncmp(err, "control message", 15) == 0);
		CHECK(a.used == 0 && a.n == 0);
		return 0;
	}
	size_t nulls = 0;
	for (size_t i = 0; i < a.n; i++) {
		const struct ctlp_field *f = &a.f[i];
		CHECK(f->key[0] &&
		      strspn(f->key, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(f->key));
		for (size_t k = 0; k < i; k++)
			CHECK(strcmp(a.f[k].key, f->key) != 0);
		CHECK(ctlp_get(&a, f->key) == f);
		nulls += f->type == CTLP_NULL;
	}
	write_back(&a, &w);
	size_t n = ctlp_wr_end(&w);
	CHECK(n > 0);
	/* without the newline: a line at the limit without one stays within it */
	CHECK(ctlp_parse(&b, out, n - 1, err, sizeof(err)) == 0);
	CHECK(b.n + nulls == a.n);
	for (size_t i = 0; i < b.n; i++) {
		const struct ctlp_field *f = &b.f[i], *g = ctlp_get(&a, f->key);
		CHECK(g && g->type == f->type);
		if (f->type == CTLP_STR)
			CHECK(strcmp(f->str, g->str) == 0);
		if (f->type == CTLP_INT)
			CHECK(f->num == g->num);
		if (f->type == CTLP_BOOL)
			CHECK(f->b == g->b);
		if (f->type == CTLP_STRS) {
			CHECK(f->n == g->n);
			for (size_t k = 0; k < f->n; k++)
				CHECK(strcmp(b.items[f->first + k], a.items[g->first + k]) == 0);
		}
	}
	size_t used = a.used;
	ctlp_msg_wipe(&a);
	for (size_t i = 0; i < used; i++)
		CHECK(a.arena[i] == 0);
	ctlp_msg_wipe(&b);
	return 0;
}
