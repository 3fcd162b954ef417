/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The line reader of the IOS-style configuration: splits the file into lines, tracks the
 * open sub-mode by indentation and hands each line to the command handlers. Diagnostics are
 * formatted in config_diag.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/secret.h"
#include "server/core/config_int.h"

#define CFG_FILE_MAX (4u << 20) /* far above any real configuration */

static bool tokenize(struct cfg_parser *p, const char *s, char *copy, struct cfg_toks *tk)
{
	char *q = copy;

	strcpy(copy, s);
	tk->n = 0;
	tk->raw = s;
	tk->base = copy;
	for (;;) {
		while (*q && cfg_is_blank(*q))
			q++;
		if (!*q)
			return true;
		if (tk->n == CFG_MAX_TOKENS) {
			cfg_error(p, p->lineno, "more than %d words on one line", CFG_MAX_TOKENS);
			return false;
		}
		tk->t[tk->n++] = q;
		while (*q && !cfg_is_blank(*q))
			q++;
		if (*q)
			*q++ = '\0';
	}
}

static void dispatch_submode(struct cfg_parser *p, struct cfg_toks *tk)
{
	switch (p->mode) {
	case CFG_MODE_GROUP:
		cfg_cmd_group(p, tk, tk->raw);
		break;
	case CFG_MODE_ISAKMP:
		cfg_cmd_isakmp_policy(p, tk);
		break;
	case CFG_MODE_TSET:
		cfg_cmd_tset(p, tk);
		break;
	case CFG_MODE_DMAP:
		cfg_cmd_dmap(p, tk);
		break;
	case CFG_MODE_IFACE:
		cfg_cmd_iface(p, tk);
		break;
	case CFG_MODE_ACL:
		cfg_cmd_acl(p, tk);
		break;
	case CFG_MODE_RADIUS:
		cfg_cmd_radius(p, tk);
		break;
	case CFG_MODE_NONE:
	case CFG_MODE_SKIP:
		break;
	}
}

static void parse_line(struct cfg_parser *p, const char *raw, bool has_nul)
{
	char copy[CFG_LINE_MAX + 1];
	struct cfg_toks tk;
	const char *s = raw;
	bool indented;

	if (has_nul) {
		cfg_error(p, p->lineno, "the line contains a NUL byte");
		return;
	}
	if (strlen(raw) > CFG_LINE_MAX) {
		cfg_error(p, p->lineno, "the line is longer than %d characters", CFG_LINE_MAX);
		return;
	}
	if (p->in_banner) {
		cfg_banner_line(p, raw);
		return;
	}
	while (*s && cfg_is_blank(*s))
		s++;
	indented = s != raw;
	/* blank and comment lines do not close a sub-mode, as in IOS `show running-config` */
	if (!*s || *s == '!')
		return;
	if (p->ended) {
		cfg_error(p, p->lineno, "text after 'end'; delete it or the 'end' line");
		return;
	}
	if (!tokenize(p, s, copy, &tk))
		goto out;
	if (tk.n == 1 && cfg_kw(tk.t[0], "end")) {
		p->ended = true;
		p->mode = CFG_MODE_NONE;
	} else if (tk.n == 1 && cfg_kw(tk.t[0], "exit")) {
		p->mode = CFG_MODE_NONE;
	} else if (indented && p->mode == CFG_MODE_NONE) {
		cfg_error(p, p->lineno,
		          "indented line outside a sub-mode (indentation marks the commands of the "
		          "group, policy, map or interface above it)");
	} else if (indented) {
		dispatch_submode(p, &tk);
	} else {
		unsigned errors = p->errors;

		if (p->mode == CFG_MODE_SKIP) {
			p->mode = CFG_MODE_NONE;
		} else if (p->mode != CFG_MODE_NONE) {
			p->closed_mode = p->mode;
			p->closed_line = p->mode_line;
			p->mode = CFG_MODE_NONE;
		}
		cfg_cmd_global(p, &tk);
		/* the "indent it" hint stays while the lines still look like the closed block */
		if (p->mode == CFG_MODE_NONE && !cfg_mode_has(p->closed_mode, tk.t[0]))
			p->closed_mode = CFG_MODE_NONE;
		/*
		 * A rejected command may have been meant to open a sub-mode: its indented lines
		 * would only repeat "outside a sub-mode", so they are passed over.
		 */
		if (p->mode == CFG_MODE_NONE && p->errors > errors)
			p->mode = CFG_MODE_SKIP;
	}
out:
	/* the copy may hold a key or a password */
	mem_wipe(copy, strlen(s) + 1);
}

/* Splits buf (NUL-terminated copy of the file) into p->lines in place. */
static bool split_lines(struct cfg_parser *p, char *buf, size_t len, bool **has_nul)
{
	size_t n = 1, i, k = 0;
	char *start = buf;

	for (i = 0; i < len; i++)
		n += buf[i] == '\n';
	if (len && buf[len - 1] == '\n')
		n--;
	p->lines = calloc(n ? n : 1, sizeof(*p->lines));
	*has_nul = calloc(n ? n : 1, sizeof(**has_nul));
	if (!p->lines || !*has_nul) {
		cfg_nomem(p);
		return false;
	}
	for (i = 0; i <= len && k < n; i++) {
		if (i < len && buf[i] != '\n')
			continue;
		buf[i] = '\0';
		(*has_nul)[k] = strlen(start) != (size_t)(buf + i - start);
		if (buf + i > start && buf[i - 1] == '\r')
			buf[i - 1] = '\0';
		p->lines[k++] = start;
		start = buf + i + 1;
	}
	p->n_lines = k;
	return true;
}

static void free_users(struct evs_config *c)
{
	for (size_t i = 0; i < c->users.n; i++) {
		mem_wipe(c->users.v[i].pw, sizeof(c->users.v[i].pw));
		free(c->users.v[i].name);
	}
	free(c->users.v);
}

static void free_groups(struct evs_config *c)
{
	for (size_t i = 0; i < c->groups.n; i++) {
		struct cfg_group *g = &c->groups.v[i];

		if (g->key) {
			mem_wipe(g->key, g->key_len);
			free(g->key);
		}
		free(g->name);
		free(g->pool);
		free(g->domain);
		free(g->acl);
		free(g->banner);
		cfg_strv_free(&g->split_dns);
		cfg_strv_free(&g->restrict_ifaces);
		cfg_strv_free(&g->backup);
	}
	free(c->groups.v);
}

void evs_config_free(struct evs_config *c)
{
	size_t i;

	if (!c)
		return;
	free_users(c);
	free_groups(c);
	cfg_free_peerkeys(c);
	for (i = 0; i < c->aaa.n; i++)
		free(c->aaa.v[i].name);
	free(c->aaa.v);
	for (i = 0; i < c->pools.n; i++)
		free(c->pools.v[i].name);
	free(c->pools.v);
	for (i = 0; i < c->acls.n; i++) {
		free(c->acls.v[i].name);
		free(c->acls.v[i].v);
	}
	free(c->acls.v);
	free(c->ikepols.v);
	for (i = 0; i < c->tsets.n; i++)
		free(c->tsets.v[i].name);
	free(c->tsets.v);
	for (i = 0; i < c->dmaps.n; i++) {
		free(c->dmaps.v[i].name);
		cfg_strv_free(&c->dmaps.v[i].tsets);
	}
	free(c->dmaps.v);
	for (i = 0; i < c->cmaps.n; i++) {
		struct cfg_cmap *m = &c->cmaps.v[i];

		free(m->name);
		free(m->authen_list);
		free(m->author_list);
		for (size_t j = 0; j < m->n; j++)
			free(m->v[j].dyn);
		free(m->v);
	}
	free(c->cmaps.v);
	for (i = 0; i < c->ifaces.n; i++) {
		free(c->ifaces.v[i].name);
		free(c->ifaces.v[i].cmap);
	}
	free(c->ifaces.v);
	cfg_radius_free(c);
	free(c->p1);
	free(c->p2);
	free(c->p2_entry);
	free(c);
}

struct evs_config *evs_config_parse(const char *name, const char *text, size_t len,
                                    evs_config_report_fn report, void *ctx)
{
	struct cfg_parser p = {.name = name ? name : "evs.conf", .report = report, .ctx = ctx};
	struct evs_config *c = NULL;
	bool *has_nul = NULL;
	char *buf = NULL;

	c = calloc(1, sizeof(*c));
	buf = malloc(len + 1);
	if (!c || !buf) {
		cfg_nomem(&p);
		goto out;
	}
	c->xauth_timeout = CFG_DEFAULT_XAUTH_TIMEOUT;
	c->ipsec_life_s = CFG_DEFAULT_P2_LIFE_S;
	c->ipsec_life_kb = CFG_DEFAULT_P2_LIFE_KB;
	p.cfg = c;
	if (len)
		memcpy(buf, text, len);
	buf[len] = '\0';
	if (!split_lines(&p, buf, len, &has_nul))
		goto out;
	for (size_t i = 0; i < p.n_lines && !p.oom; i++) {
		p.lineno = (unsigned)(i + 1);
		parse_line(&p, p.lines[i], has_nul[i]);
	}
	if (p.in_banner)
		cfg_banner_eof(&p);
	if (!p.errors)
		cfg_check(&p);
	if (!p.errors)
		cfg_finalize(&p);
out:
	free(p.banner);
	free(p.lines);
	free(has_nul);
	if (buf) {
		/* the copy holds the group keys and passwords in clear */
		mem_wipe(buf, len + 1);
		free(buf);
	}
	if (p.errors || p.oom) {
		evs_config_free(c);
		return NULL;
	}
	return c;
}

struct evs_config *evs_config_load(const char *path, evs_config_report_fn report, void *ctx)
{
	struct evs_config *c = NULL;
	char *buf = NULL, msg[512];
	size_t len = 0, cap = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f) {
		snprintf(msg, sizeof(msg), "%s: cannot open the configuration: %s", path,
		         strerror(errno));
		goto fail;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *nb;

			if (cap >= CFG_FILE_MAX) {
				snprintf(msg, sizeof(msg),
				         "%s: the file is larger than %u bytes; is it really an "
				         "evs configuration?",
				         path, CFG_FILE_MAX);
				goto fail;
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(msg, sizeof(msg), "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				snprintf(msg, sizeof(msg), "%s: cannot read the configuration: %s",
				         path, strerror(errno));
				goto fail;
			}
			break;
		}
	}
	c = evs_config_parse(path, buf, len, report, ctx);
	goto out;
fail:
	if (report)
		report(ctx, EVS_CONFIG_ERROR, 0, msg);
out:
	if (f)
		fclose(f);
	if (buf) {
		mem_wipe(buf, cap);
		free(buf);
	}
	return c;
}
