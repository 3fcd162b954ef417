/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The profile file: parse `key = value` lines, check the whole profile, write it back. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "lib/i18n.h"

static void report_unknown(struct prof_diag *d, unsigned line, const char *key)
{
	for (size_t i = 0; i < prof_key_count(); i++)
		if (strcasecmp(key, prof_key_name(i)) == 0) {
			prof_emit(d, PROF_ERROR, line, key, _("keys are lower case: write '%s'"),
			          prof_key_name(i));
			return;
		}
	char list[600];
	size_t off = 0;
	list[0] = '\0';
	for (size_t i = 0; i < prof_key_count() && off < sizeof(list); i++)
		off += (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", i ? ", " : "",
		                        prof_key_name(i));
	prof_emit(d, PROF_ERROR, line, key, _("unknown key; the keys are %s"), list);
}

static void parse_line(struct evc_profile *p, char *line, unsigned no, struct prof_diag *d)
{
	char err[512];
	char *s = prof_trim(line);

	if (!*s || *s == '#' || *s == ';')
		return;
	char *eq = strchr(s, '=');
	if (!eq) {
		prof_emit(d, PROF_ERROR, no, NULL,
		          _("the line has no '=': write key = value, or start a comment with #"));
		return;
	}
	*eq = '\0';
	char *key = prof_trim(s), *value = prof_trim(eq + 1);
	if (!*key) {
		prof_emit(d, PROF_ERROR, no, NULL, _("the line has no key before '='"));
		return;
	}
	int k = prof_key_id(key);
	if (k < 0) {
		report_unknown(d, no, key);
		return;
	}
	if (prof_line(p, k)) {
		prof_emit(d, PROF_ERROR, no, key, _("set twice, on lines %u and %u; keep one"),
		          prof_line(p, k), no);
		return;
	}
	if (!*value) {
		prof_emit(d, PROF_ERROR, no, key,
		          _("the value is empty; remove the line to use the default"));
		return;
	}
	if (prof_set_id(p, k, value, no, err, sizeof(err)) != 0)
		prof_emit(d, PROF_ERROR, no, key, "%s", err);
}

unsigned prof_validate_diag(const struct evc_profile *p, struct prof_diag *d)
{
	const struct prof_typed *t = prof_typed(p);
	unsigned before = d->n[PROF_ERROR];
#define LINE(k) prof_line(p, k)

	if (!prof_val(p, K_GATEWAY))
		prof_emit(d, PROF_ERROR, 0, "gateway",
		          _("missing: a profile needs the gateway to "
		            "connect to"));
	if (t->auth == PROF_AUTH_PSK && !prof_val(p, K_GROUP))
		prof_emit(d, PROF_ERROR, 0, "group", _("missing: auth = psk needs the group name"));
	if (t->auth == PROF_AUTH_HYBRID && !prof_val(p, K_GROUP))
		prof_emit(d, PROF_ERROR, 0, "group",
		          _("missing: auth = hybrid needs the group name"));
	if (t->auth == PROF_AUTH_HYBRID && !prof_val(p, K_CA_CERT))
		prof_emit(d, PROF_WARNING, LINE(K_AUTH), "ca_cert",
		          _("missing: auth = hybrid cannot connect without the CA of the gateway's "
		            "certificate (ca_cert = /PATH.pem)"));
	if (t->auth == PROF_AUTH_HYBRID)
		for (size_t i = 0; i < 2; i++)
			if (prof_val(p, i ? K_CERT_KEY : K_CERT))
				prof_emit(d, PROF_WARNING, LINE(i ? K_CERT_KEY : K_CERT),
				          prof_key_name(i ? K_CERT_KEY : K_CERT),
				          _("not used with auth = hybrid (the client has no "
				            "certificate); use auth = cert for main mode with it"));
	/* A warning, not an error: an imported certificate profile is kept so that the
	 * certificate can be added later, and connecting says what is missing. */
	if (t->auth == PROF_AUTH_CERT && !prof_val(p, K_CERT))
		prof_emit(d, PROF_WARNING, LINE(K_AUTH), "cert",
		          _("missing: auth = cert cannot connect without the client certificate "
		            "(cert = /PATH.pem)"));
	if (t->auth == PROF_AUTH_PSK) {
		static const int only_cert[] = {K_CERT, K_CERT_KEY, K_CA_CERT};
		for (size_t i = 0; i < 3; i++)
			if (prof_val(p, only_cert[i]))
				prof_emit(d, PROF_WARNING, LINE(only_cert[i]),
				          prof_key_name((size_t)only_cert[i]),
				          _("used only with auth = cert; this profile uses psk"));
	}
	if (t->auth == PROF_AUTH_CERT && t->ref[PROF_SECRET_GROUP_KEY] != PROF_REF_PROMPT)
		prof_emit(d, PROF_WARNING, LINE(K_GROUP_KEY), "group_key",
		          _("not used with auth = cert"));
	if (t->mode == PROF_MODE_NETWORK_EXTENSION && !t->n_lan)
		prof_emit(d, PROF_ERROR, LINE(K_MODE), "lan",
		          _("missing: network-extension mode needs the networks behind this host"));
	if (t->mode == PROF_MODE_CLIENT && t->n_lan)
		prof_emit(d, PROF_WARNING, LINE(K_LAN), "lan",
		          _("used only with mode = network-extension"));
	for (size_t i = 0; prof_val(p, K_GATEWAY) && i < t->n_backup; i++)
		if (strcasecmp(t->backup[i], prof_val(p, K_GATEWAY)) == 0)
			prof_emit(d, PROF_WARNING, LINE(K_BACKUP), "backup_gateways",
			          _("'%s' is the gateway itself"), t->backup[i]);
	if (prof_val(p, K_SCRIPT)) {
		static const int by_script[] = {K_DNS, K_RESOLV_CONF};
		for (size_t i = 0; i < 2; i++)
			if (prof_val(p, by_script[i]))
				prof_emit(
				    d, PROF_WARNING, LINE(by_script[i]),
				    prof_key_name((size_t)by_script[i]),
				    _("not used when script is set: the script configures DNS"));
	}
#undef LINE
	return d->n[PROF_ERROR] - before;
}

static const char *display_name(const struct evc_profile *p, char *buf, size_t len)
{
	if (prof_source(p))
		return prof_source(p);
	snprintf(buf, len, _("profile '%s'"), prof_name(p));
	return buf;
}

unsigned prof_validate(const struct evc_profile *p, prof_report_fn report, void *ctx)
{
	char buf[PROF_NAME_MAX + 16];
	struct prof_diag d = prof_diag_init(display_name(p, buf, sizeof(buf)), report, ctx);
	return prof_validate_diag(p, &d);
}

int prof_parse(const char *text, size_t len, const char *fname, const char *name,
               prof_report_fn report, void *ctx, struct evc_profile **out)
{
	struct prof_diag d = prof_diag_init(fname, report, ctx);
	struct evc_profile *p = NULL;
	char *utf8 = NULL, line[PROF_LINE_MAX + 1];
	size_t ulen;
	int rc;

	*out = NULL;
	if (!prof_name_valid(name)) {
		prof_emit(&d, PROF_ERROR, 0, NULL,
		          _("'%.80s' is not a profile name: use 1 to %d letters, digits, '.', '_' "
		            "or '-', starting with a letter or digit"),
		          name ? name : "", PROF_NAME_MAX);
		return -EINVAL;
	}
	rc = prof_text_decode((const uint8_t *)text, len, 0, &d, &utf8, &ulen, NULL);
	if (rc)
		return rc;
	p = prof_new(name);
	if (!p) {
		rc = -ENOMEM;
		goto out;
	}
	struct prof_lines l = prof_lines_init(utf8, ulen);
	while ((rc = prof_next_line(&l, line, sizeof(line))) != 0) {
		if (rc < 0) {
			prof_emit(&d, PROF_ERROR, l.no, NULL, _("the line is longer than %d bytes"),
			          PROF_LINE_MAX);
			continue;
		}
		parse_line(p, line, l.no, &d);
	}
	if (!d.n[PROF_ERROR])
		prof_validate_diag(p, &d);
	rc = d.n[PROF_ERROR] ? -EINVAL : 0;
out:
	free(utf8);
	if (rc) {
		prof_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int prof_load(const char *path, const char *name, prof_report_fn report, void *ctx,
              struct evc_profile **out)
{
	struct prof_diag d = prof_diag_init(path, report, ctx);
	char nbuf[PROF_NAME_MAX + 16], err[600];
	uint8_t *buf = NULL;
	size_t len;
	struct stat st;
	int rc;

	*out = NULL;
	if (!name) {
		const char *base = strrchr(path, '/');
		base = base ? base + 1 : path;
		size_t n = strlen(base);
		if (n > 8 && strcmp(base + n - 8, ".profile") == 0)
			n -= 8;
		if (n >= sizeof(nbuf))
			n = sizeof(nbuf) - 1;
		memcpy(nbuf, base, n);
		nbuf[n] = '\0';
		name = nbuf;
	}
	rc = prof_read_file(path, PROF_FILE_MAX, &buf, &len, &st, err, sizeof(err));
	if (rc) {
		prof_emit(&d, PROF_ERROR, 0, NULL, "%s", err);
		return rc;
	}
	rc = prof_parse((const char *)buf, len, path, name, report, ctx, out);
	free(buf);
	if (rc)
		return rc;
	rc = prof_set_source(*out, path, st.st_uid);
	if (rc) {
		prof_free(*out);
		*out = NULL;
	}
	return rc;
}

static char *to_text(const struct evc_profile *p, bool portable)
{
	struct prof_buf b = {0};

	prof_buf_add(&b, "# evc profile '%s'\n", prof_name(p));
	for (int k = 0; k < K_COUNT; k++) {
		const char *v = prof_val(p, k);
		if (!v)
			continue;
		if (portable && (k == K_GROUP_KEY || k == K_PASSWORD))
			v = "prompt";
		prof_buf_add(&b, "%s = %s\n", prof_key_name((size_t)k), v);
	}
	if (b.failed) {
		prof_buf_free(&b);
		return NULL;
	}
	return b.p;
}

char *prof_to_text(const struct evc_profile *p)
{
	return to_text(p, false);
}

char *prof_export_text(const struct evc_profile *p)
{
	return to_text(p, true);
}
