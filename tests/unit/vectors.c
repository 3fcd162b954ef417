/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vectors.h"

static FILE *open_in(const struct vec_set *v, const char *file)
{
	char path[768];
	snprintf(path, sizeof(path), "%s/%s", v->dir, file);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open test vector file %s", path);
	return f;
}

long vec_unhex(const char *hex, uint8_t **out)
{
	size_t n = strlen(hex);
	if (n % 2)
		return -1;
	uint8_t *p = malloc(n / 2 + 1);
	if (!p)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned b;
		if (!isxdigit((unsigned char)hex[2 * i]) ||
		    !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &b) != 1) {
			free(p);
			return -1;
		}
		p[i] = (uint8_t)b;
	}
	*out = p;
	return (long)(n / 2);
}

static struct vec_bytes unhex_or_fail(const char *hex, const char *what)
{
	struct vec_bytes b = {NULL, 0};
	if (strcmp(hex, "-") == 0)
		return b;
	long n = vec_unhex(hex, &b.p);
	if (n < 0)
		fail_msg("bad hex in %s", what);
	b.len = (size_t)n;
	return b;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static void load_keys(struct vec_set *v)
{
	FILE *f = open_in(v, "keys.txt");
	char line[8192];
	while (fgets(line, sizeof(line), f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *eq = strchr(line, '=');
		if (!eq)
			continue;
		*eq = '\0';
		char *name = trim(line), *val = trim(eq + 1);
		if (!*name)
			continue;
		v->names = realloc(v->names, (v->nkeys + 1) * sizeof(char *));
		v->values = realloc(v->values, (v->nkeys + 1) * sizeof(char *));
		assert_non_null(v->names);
		assert_non_null(v->values);
		v->names[v->nkeys] = strdup(name);
		v->values[v->nkeys] = strdup(val);
		v->nkeys++;
	}
	fclose(f);
}

static int parse_dir(const char *s)
{
	return strcmp(s, "I2R") == 0;
}

static void load_msgs(struct vec_set *v)
{
	FILE *f = open_in(v, "messages.txt");
	static char line[1 << 17];
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || isspace((unsigned char)line[0]))
			continue;
		unsigned num, sp, dp;
		char dir[8], exch[32], mid[16];
		static char hex[1 << 17];
		if (sscanf(line, "%u %7s %u %u %31s %15s %131071s", &num, dir, &sp, &dp, exch, mid,
		           hex) != 7)
			fail_msg("bad messages.txt line in %s", v->dir);
		v->msgs = realloc(v->msgs, (v->nmsgs + 1) * sizeof(*v->msgs));
		assert_non_null(v->msgs);
		struct vec_msg *m = &v->msgs[v->nmsgs++];
		memset(m, 0, sizeof(*m));
		m->num = num;
		m->i2r = parse_dir(dir);
		m->sport = sp;
		m->dport = dp;
		snprintf(m->exch, sizeof(m->exch), "%s", exch);
		m->msgid = (uint32_t)strtoul(mid, NULL, 16);
		m->data = unhex_or_fail(hex, "messages.txt");
	}
	fclose(f);
}

static void load_decs(struct vec_set *v)
{
	FILE *f = open_in(v, "decrypted.txt");
	static char line[1 << 17];
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || isspace((unsigned char)line[0]))
			continue;
		unsigned num;
		char dir[8], exch[32], mid[16], iv[40];
		static char pl[1 << 17], pad[256];
		if (sscanf(line, "%u %7s %31s %15s %39s %131071s %255s", &num, dir, exch, mid, iv,
		           pl, pad) != 7)
			fail_msg("bad decrypted.txt line in %s", v->dir);
		v->decs = realloc(v->decs, (v->ndecs + 1) * sizeof(*v->decs));
		assert_non_null(v->decs);
		struct vec_dec *d = &v->decs[v->ndecs++];
		memset(d, 0, sizeof(*d));
		d->num = num;
		d->i2r = parse_dir(dir);
		snprintf(d->exch, sizeof(d->exch), "%s", exch);
		d->msgid = (uint32_t)strtoul(mid, NULL, 16);
		struct vec_bytes ivb = unhex_or_fail(iv, "decrypted.txt iv");
		assert_true(ivb.len <= sizeof(d->iv));
		memcpy(d->iv, ivb.p, ivb.len);
		d->iv_len = ivb.len;
		free(ivb.p);
		d->payloads = unhex_or_fail(pl, "decrypted.txt payloads");
		d->padding = unhex_or_fail(pad, "decrypted.txt padding");
	}
	fclose(f);
}

static void load_esps(struct vec_set *v)
{
	FILE *f = open_in(v, "esp.txt");
	static char line[1 << 17];
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#' || isspace((unsigned char)line[0]))
			continue;
		unsigned frame, sp, dp;
		char dir[8];
		static char hex[1 << 17];
		if (sscanf(line, "%u %7s %u %u %131071s", &frame, dir, &sp, &dp, hex) != 5)
			fail_msg("bad esp.txt line in %s", v->dir);
		v->esps = realloc(v->esps, (v->nesps + 1) * sizeof(*v->esps));
		assert_non_null(v->esps);
		struct vec_esp *e = &v->esps[v->nesps++];
		e->frame = frame;
		e->i2r = parse_dir(dir);
		e->sport = sp;
		e->dport = dp;
		e->data = unhex_or_fail(hex, "esp.txt");
	}
	fclose(f);
}

struct vec_set *vec_load(const char *name)
{
	struct vec_set *v = calloc(1, sizeof(*v));
	assert_non_null(v);
	snprintf(v->dir, sizeof(v->dir), "%s/%s", EVC_VECTORS_DIR, name);
	load_keys(v);
	load_msgs(v);
	load_decs(v);
	load_esps(v);
	return v;
}

/* Decoded keys are cached in a side list so the caller never frees them. */
struct hexcache {
	struct hexcache *next;
	struct vec_bytes b;
};

static struct hexcache **cache_of(struct vec_set *v)
{
	return &v->hex_cache;
}

void vec_free(struct vec_set *v)
{
	if (!v)
		return;
	struct hexcache *c = *cache_of(v);
	while (c) {
		struct hexcache *n = c->next;
		free(c->b.p);
		free(c);
		c = n;
	}
	for (size_t i = 0; i < v->nkeys; i++) {
		free(v->names[i]);
		free(v->values[i]);
	}
	free(v->names);
	free(v->values);
	for (size_t i = 0; i < v->nmsgs; i++)
		free(v->msgs[i].data.p);
	free(v->msgs);
	for (size_t i = 0; i < v->ndecs; i++) {
		free(v->decs[i].payloads.p);
		free(v->decs[i].padding.p);
	}
	free(v->decs);
	for (size_t i = 0; i < v->nesps; i++)
		free(v->esps[i].data.p);
	free(v->esps);
	free(v);
}

const char *vec_str(const struct vec_set *v, const char *key)
{
	for (size_t i = 0; i < v->nkeys; i++)
		if (strcmp(v->names[i], key) == 0)
			return v->values[i];
	return NULL;
}

struct vec_bytes vec_hex(struct vec_set *v, const char *key)
{
	const char *s = vec_str(v, key);
	if (!s)
		fail_msg("key %s missing in %s/keys.txt", key, v->dir);
	struct vec_bytes b = unhex_or_fail(s, key);
	struct hexcache *c = calloc(1, sizeof(*c));
	assert_non_null(c);
	c->b = b;
	struct hexcache **head = cache_of(v);
	c->next = *head;
	*head = c;
	return b;
}

unsigned long vec_num(const struct vec_set *v, const char *key)
{
	const char *s = vec_str(v, key);
	if (!s)
		fail_msg("key %s missing", key);
	return strtoul(s, NULL, 0);
}

const struct vec_msg *vec_msg(const struct vec_set *v, unsigned num)
{
	for (size_t i = 0; i < v->nmsgs; i++)
		if (v->msgs[i].num == num)
			return &v->msgs[i];
	return NULL;
}

const struct vec_dec *vec_dec(const struct vec_set *v, unsigned num)
{
	for (size_t i = 0; i < v->ndecs; i++)
		if (v->decs[i].num == num)
			return &v->decs[i];
	return NULL;
}
