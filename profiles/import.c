/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Import: pick the format, decode the text, run the importer, and store the result. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profiles/import.h"
#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "lib/i18n.h"

void prof_import_clear(struct prof_import *imp)
{
	if (!imp)
		return;
	prof_free(imp->prof);
	secret_clear(&imp->group_key);
	secret_clear(&imp->password);
	memset(imp, 0, sizeof(*imp));
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

static const char *extension(const char *path)
{
	const char *dot = strrchr(base_name(path), '.');
	return dot ? dot : "";
}

int prof_import_default_name(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	const char *b = base_name(path);
	size_t n = strlen(b) - strlen(extension(path));

	if (n >= len || n > PROF_NAME_MAX) {
		snprintf(err, errlen,
		         _("the file name %s is too long for a profile name; give --name"), b);
		return -EINVAL;
	}
	memcpy(buf, b, n);
	buf[n] = '\0';
	if (!prof_name_valid(buf)) {
		snprintf(
		    err, errlen,
		    _("'%.80s' (from the file name) is not a profile name: give --name NAME with "
		      "letters, digits, '.', '_' or '-'"),
		    buf);
		return -EINVAL;
	}
	return 0;
}

/*
 * Messages are held back and passed on sorted by line (whole-file messages last), so that the
 * user reads them in file order although keys are judged in the order their meaning needs.
 */
struct held {
	enum prof_sev sev;
	unsigned line;
	size_t seq;
	char *key, *text;
};

#define HELD_MAX 500 /* a file of 100000 bad lines needs no 100000 messages */

struct holder {
	struct held *v;
	size_t n, cap;
	size_t dropped;
	bool dropped_error;
};

static void hold(void *ctx, const struct prof_msg *m)
{
	struct holder *h = ctx;
	if (h->n == HELD_MAX) {
		h->dropped++;
		h->dropped_error |= m->sev == PROF_ERROR;
		return;
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 32;
		struct held *v = realloc(h->v, cap * sizeof(*v));
		if (!v)
			return;
		h->v = v;
		h->cap = cap;
	}
	struct held *e = &h->v[h->n];
	e->sev = m->sev;
	e->line = m->line;
	e->seq = h->n;
	e->key = m->key ? strdup(m->key) : NULL;
	e->text = strdup(m->text);
	if (!e->text || (m->key && !e->key)) {
		free(e->key);
		free(e->text);
		return;
	}
	h->n++;
}

static int by_line(const void *a, const void *b)
{
	const struct held *x = a, *y = b;
	unsigned lx = x->line ? x->line : UINT_MAX, ly = y->line ? y->line : UINT_MAX;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void release(struct holder *h, const char *file, prof_report_fn report, void *ctx)
{
	if (h->n)
		qsort(h->v, h->n, sizeof(*h->v), by_line);
	for (size_t i = 0; i < h->n; i++) {
		struct prof_msg m = {h->v[i].sev, file, h->v[i].line, h->v[i].key, h->v[i].text};
		if (report)
			report(ctx, &m);
		free(h->v[i].key);
		free(h->v[i].text);
	}
	if (h->dropped && report) {
		char text[300];
		snprintf(text, sizeof(text), _("%s: %zu more messages are not shown%s"), file,
		         h->dropped, h->dropped_error ? ", errors among them" : "");
		struct prof_msg m = {h->dropped_error ? PROF_ERROR : PROF_WARNING, file, 0, NULL,
		                     text};
		report(ctx, &m);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* From the extension, else from the text: a [main] header means .pcf, a vpnc directive
 * vpnc, anything else evc's own format. */
static enum prof_format detect(const char *fname, const char *text)
{
	const char *ext = extension(fname ? fname : "");
	if (strcasecmp(ext, ".pcf") == 0)
		return PROF_FMT_PCF;
	if (strcasecmp(ext, ".conf") == 0)
		return PROF_FMT_VPNC;
	if (strcasecmp(ext, ".profile") == 0)
		return PROF_FMT_EVC;
	for (const char *s = text; s && *s;) {
		s += strspn(s, " \t\r\n");
		if (strncasecmp(s, "[main]", 6) == 0)
			return PROF_FMT_PCF;
		if (strncasecmp(s, "IPSec gateway", 13) == 0 || strncasecmp(s, "IPSec ID", 8) == 0)
			return PROF_FMT_VPNC;
		s = strchr(s, '\n');
	}
	return PROF_FMT_EVC;
}

int prof_import_buf(const uint8_t *buf, size_t len, enum prof_format fmt, const char *fname,
                    const char *name, prof_report_fn report, void *ctx, struct prof_import *out)
{
	struct holder h = {NULL, 0, 0, 0, false};
	struct prof_diag d = prof_diag_init(fname, hold, &h);
	char *text = NULL;
	size_t tlen = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!prof_name_valid(name)) {
		prof_emit(&d, PROF_ERROR, 0, NULL,
		          _("'%.80s' is not a profile name: use 1 to %d letters, digits, '.', '_' "
		            "or '-', starting with a letter or digit"),
		          name ? name : "", PROF_NAME_MAX);
		rc = -EINVAL;
		goto out;
	}
	rc = prof_text_decode(buf, len, PROF_TEXT_UTF16 | PROF_TEXT_CP1252, &d, &text, &tlen,
	                      &out->encoding);
	if (rc)
		goto out;
	if (fmt == PROF_FMT_AUTO)
		fmt = detect(fname, text);
	out->format = fmt;
	if (fmt == PROF_FMT_EVC) {
		/* evc's own format is UTF-8 only; re-check the raw bytes rather than the
		 * decoded text, which may have come from another encoding. */
		rc = prof_parse((const char *)buf, len, fname, name, hold, &h, &out->prof);
		goto out;
	}
	out->prof = prof_new(name);
	if (!out->prof) {
		rc = -ENOMEM;
		goto out;
	}
	rc = fmt == PROF_FMT_PCF
	         ? prof_import_pcf(text, tlen, &d, out->prof, &out->group_key, &out->password)
	         : prof_import_vpnc(text, tlen, &d, out->prof, &out->group_key, &out->password);
	if (!rc && prof_validate_diag(out->prof, &d) != 0)
		rc = -EINVAL;
out:
	if (text) {
		mem_wipe(text, tlen);
		free(text);
	}
	release(&h, d.file, report, ctx);
	if (rc) {
		enum prof_format f = out->format;
		prof_import_clear(out);
		out->format = f;
	}
	return rc;
}

int prof_import_file(const char *path, const char *name, enum prof_format fmt,
                     prof_report_fn report, void *ctx, struct prof_import *out)
{
	struct prof_diag d = prof_diag_init(path, report, ctx);
	char nbuf[PROF_NAME_MAX + 1], err[600];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!name) {
		rc = prof_import_default_name(path, nbuf, sizeof(nbuf), err, sizeof(err));
		if (rc) {
			prof_emit(&d, PROF_ERROR, 0, NULL, "%s", err);
			return rc;
		}
		name = nbuf;
	}
	rc = prof_read_file(path, PROF_FILE_MAX, &buf, &len, NULL, err, sizeof(err));
	if (rc) {
		prof_emit(&d, PROF_ERROR, 0, NULL, "%s", err);
		return rc;
	}
	rc = prof_import_buf(buf, len, fmt, path, name, report, ctx, out);
	mem_wipe(buf, len);
	free(buf);
	return rc;
}

int prof_import_save(const struct prof_store *st, struct prof_secret_store *ss,
                     struct prof_import *imp, bool replace, prof_report_fn report, void *ctx,
                     char *err, size_t errlen)
{
	static const struct {
		enum prof_secret_kind kind;
		const char *key;
	} kinds[] = {{PROF_SECRET_GROUP_KEY, "group_key"}, {PROF_SECRET_PASSWORD, "password"}};
	struct evc_profile *p = NULL;
	bool stored[2] = {false, false};
	char ref[4300];
	int rc = 0;

	if (!imp->prof) {
		snprintf(err, errlen, _("nothing was imported"));
		return -EINVAL;
	}
	if (!replace && prof_store_exists(st, prof_name(imp->prof))) {
		snprintf(err, errlen,
		         _("profile '%s' already exists in %s; give --replace to overwrite it, or "
		           "--name to import it under another name"),
		         prof_name(imp->prof), prof_store_dir(st));
		return -EEXIST;
	}
	/* Work on a copy: on failure the caller's import is unchanged and can be retried. */
	p = prof_dup(imp->prof);
	if (!p) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	for (size_t i = 0; i < 2; i++) {
		const struct secret *s =
		    kinds[i].kind == PROF_SECRET_GROUP_KEY ? &imp->group_key : &imp->password;
		if (!s->len)
			continue;
		if (!ss) {
			snprintf(err, errlen,
			         _("the file holds a %s, but no secret store was given"),
			         kinds[i].kind == PROF_SECRET_GROUP_KEY ? "group key" : "password");
			rc = -EINVAL;
			goto fail;
		}
		rc = prof_secrets_put(ss, prof_name(p), kinds[i].kind, s, err, errlen);
		if (rc)
			goto fail;
		stored[i] = true;
		rc = prof_secrets_ref(ss, prof_name(p), kinds[i].kind, ref, sizeof(ref));
		if (!rc)
			rc = prof_set(p, kinds[i].key, ref, err, errlen);
		if (rc)
			goto fail;
	}
	rc = prof_store_save(st, p, replace, report, ctx, err, errlen);
	if (rc)
		goto fail;
	prof_free(p);
	return 0;
fail:
	for (size_t i = 0; i < 2; i++) {
		char ignore[200];
		if (stored[i])
			prof_secrets_clear(ss, prof_name(p), kinds[i].kind, ignore, sizeof(ignore));
	}
	prof_free(p);
	return rc;
}
