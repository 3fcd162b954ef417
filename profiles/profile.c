/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile object. It keeps the canonical text of every key that is set (that is what gets
 * written back) and the typed values the getters return (keys.c parses one into the other).
 * prof_set() parses into a copy of the typed values and commits only on success, so a
 * rejected value leaves the profile unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiles/prof_int.h"
#include "profiles/prof_keys.h"
#include "lib/i18n.h"

struct evc_profile {
	char name[PROF_NAME_MAX + 1];
	char *val[K_COUNT]; /* canonical text of each key that is set, else NULL */
	unsigned line[K_COUNT];
	struct prof_typed t;
	char *source;
	uid_t owner;
};

/* ---- the object ---- */

bool prof_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (!n || n > PROF_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z') ||
	      (name[0] >= '0' && name[0] <= '9')))
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
	       n;
}

struct evc_profile *prof_new(const char *name)
{
	if (!prof_name_valid(name))
		return NULL;
	struct evc_profile *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	prof_typed_defaults(&p->t);
	p->owner = (uid_t)-1;
	return p;
}

void prof_free(struct evc_profile *p)
{
	if (!p)
		return;
	for (int i = 0; i < K_COUNT; i++)
		free(p->val[i]);
	free(p->source);
	free(p);
}

struct evc_profile *prof_dup(const struct evc_profile *p)
{
	struct evc_profile *d = prof_new(p->name);
	if (!d)
		return NULL;
	d->t = p->t;
	d->owner = p->owner;
	memcpy(d->line, p->line, sizeof(d->line));
	for (int i = 0; i < K_COUNT; i++)
		if (p->val[i] && !(d->val[i] = strdup(p->val[i])))
			goto fail;
	if (p->source && !(d->source = strdup(p->source)))
		goto fail;
	return d;
fail:
	prof_free(d);
	return NULL;
}

const char *prof_name(const struct evc_profile *p)
{
	return p->name;
}

int prof_set_name(struct evc_profile *p, const char *name)
{
	if (!prof_name_valid(name))
		return -EINVAL;
	snprintf(p->name, sizeof(p->name), "%s", name);
	return 0;
}

int prof_set_id(struct evc_profile *p, int k, const char *value, unsigned line, char *err,
                size_t errlen)
{
	char vbuf[PROF_LINE_MAX + 1], cbuf[PROF_LINE_MAX + 1];
	struct prof_typed t = p->t;
	int rc;

	if (k < 0 || k >= K_COUNT)
		return -ENOENT;
	if (!value || strlen(value) > PROF_LINE_MAX) {
		snprintf(err, errlen, _("the value is longer than %d bytes"), PROF_LINE_MAX);
		return -EINVAL;
	}
	snprintf(vbuf, sizeof(vbuf), "%s", value);
	char *v = prof_trim(vbuf);
	if (!*v) {
		snprintf(err, errlen, _("the value is empty; remove the line to use the default"));
		return -EINVAL;
	}
	if (strchr(v, '\n') || strchr(v, '\r')) {
		snprintf(err, errlen, _("the value spans lines"));
		return -EINVAL;
	}
	rc = prof_key_parse(k, v, &t, cbuf, err, errlen);
	if (rc)
		return rc;
	char *c = strdup(cbuf);
	if (!c) {
		snprintf(err, errlen, _("out of memory"));
		return -ENOMEM;
	}
	free(p->val[k]);
	p->val[k] = c;
	p->line[k] = line;
	p->t = t;
	return 0;
}

static void unknown_key(const char *key, char *err, size_t errlen)
{
	size_t off = (size_t)snprintf(err, errlen, "unknown key '%.60s'; the keys are", key);
	for (size_t i = 0; i < prof_key_count() && off < errlen; i++)
		off += (size_t)snprintf(err + off, errlen - off, "%s %s", i ? "," : "",
		                        prof_key_name(i));
}

int prof_set(struct evc_profile *p, const char *key, const char *value, char *err, size_t errlen)
{
	int k = key ? prof_key_id(key) : -1;
	if (k < 0) {
		unknown_key(key ? key : "", err, errlen);
		return -ENOENT;
	}
	return prof_set_id(p, k, value, 0, err, errlen);
}

int prof_unset(struct evc_profile *p, const char *key)
{
	char cbuf[PROF_LINE_MAX + 1], err[256];
	int k = key ? prof_key_id(key) : -1;
	if (k < 0)
		return -ENOENT;
	free(p->val[k]);
	p->val[k] = NULL;
	p->line[k] = 0;
	/* Rebuild the typed values from the keys still set; each of them parsed before. */
	struct prof_typed t;
	prof_typed_defaults(&t);
	for (int i = 0; i < K_COUNT; i++)
		if (p->val[i])
			prof_key_parse(i, p->val[i], &t, cbuf, err, sizeof(err));
	p->t = t;
	return 0;
}

const char *prof_get(const struct evc_profile *p, const char *key)
{
	int k = key ? prof_key_id(key) : -1;
	return k < 0 ? NULL : p->val[k];
}

bool prof_is_set(const struct evc_profile *p, const char *key)
{
	return prof_get(p, key) != NULL;
}

const char *prof_val(const struct evc_profile *p, int k)
{
	return p->val[k];
}

unsigned prof_line(const struct evc_profile *p, int k)
{
	return p->line[k];
}

const struct prof_typed *prof_typed(const struct evc_profile *p)
{
	return &p->t;
}

int prof_set_source(struct evc_profile *p, const char *source, uid_t owner)
{
	char *s = source ? strdup(source) : NULL;
	if (source && !s)
		return -ENOMEM;
	free(p->source);
	p->source = s;
	p->owner = owner;
	return 0;
}

/* ---- typed getters ---- */

const char *prof_description(const struct evc_profile *p)
{
	return p->val[K_DESCRIPTION];
}
const char *prof_gateway(const struct evc_profile *p)
{
	return p->val[K_GATEWAY];
}
size_t prof_backup_count(const struct evc_profile *p)
{
	return p->t.n_backup;
}
const char *prof_backup(const struct evc_profile *p, size_t i)
{
	return i < p->t.n_backup ? p->t.backup[i] : NULL;
}
size_t prof_pushed_backup_count(const struct evc_profile *p)
{
	return p->t.n_pushed;
}
const char *prof_pushed_backup(const struct evc_profile *p, size_t i)
{
	return i < p->t.n_pushed ? p->t.pushed[i] : NULL;
}
int prof_save_password(const struct evc_profile *p)
{
	return p->t.save_password;
}
const char *prof_group(const struct evc_profile *p)
{
	return p->val[K_GROUP];
}
const char *prof_username(const struct evc_profile *p)
{
	return p->val[K_USERNAME];
}
enum prof_auth prof_auth(const struct evc_profile *p)
{
	return p->t.auth;
}

enum prof_ref_type prof_secret_ref(const struct evc_profile *p, enum prof_secret_kind kind,
                                   const char **path)
{
	int k = kind == PROF_SECRET_GROUP_KEY ? K_GROUP_KEY : K_PASSWORD;
	enum prof_ref_type t =
	    p->t.ref[kind == PROF_SECRET_GROUP_KEY ? PROF_SECRET_GROUP_KEY : PROF_SECRET_PASSWORD];
	if (path)
		*path = t == PROF_REF_FILE ? p->val[k] + 5 : NULL;
	return t;
}

const char *prof_cert(const struct evc_profile *p)
{
	return p->val[K_CERT];
}
const char *prof_cert_key(const struct evc_profile *p)
{
	return p->val[K_CERT_KEY];
}
const char *prof_ca_cert(const struct evc_profile *p)
{
	return p->val[K_CA_CERT];
}

size_t prof_ike_list(const struct evc_profile *p, struct prof_p1 *out, size_t max)
{
	for (size_t i = 0; i < p->t.n_ike && i < max; i++)
		out[i] = p->t.ike[i];
	return p->t.n_ike;
}

size_t prof_esp_list(const struct evc_profile *p, struct prof_p2 *out, size_t max)
{
	for (size_t i = 0; i < p->t.n_esp && i < max; i++)
		out[i] = p->t.esp[i];
	return p->t.n_esp;
}

unsigned prof_dh(const struct evc_profile *p)
{
	return p->t.dh;
}
int prof_pfs(const struct evc_profile *p)
{
	return p->t.pfs;
}
enum prof_natt prof_natt(const struct evc_profile *p)
{
	return p->t.natt;
}
bool prof_main_mode(const struct evc_profile *p)
{
	return p->t.main_mode;
}
enum prof_mode prof_mode(const struct evc_profile *p)
{
	return p->t.mode;
}
size_t prof_lan_count(const struct evc_profile *p)
{
	return p->t.n_lan;
}
struct evc_net prof_lan(const struct evc_profile *p, size_t i)
{
	struct evc_net none = {0, 0};
	return i < p->t.n_lan ? p->t.lan[i] : none;
}
bool prof_local_lan(const struct evc_profile *p)
{
	return p->t.local_lan;
}
const char *prof_script(const struct evc_profile *p)
{
	return p->val[K_SCRIPT];
}
enum prof_dns_mode prof_dns(const struct evc_profile *p)
{
	return p->t.dns;
}
const char *prof_resolv_conf(const struct evc_profile *p)
{
	return p->val[K_RESOLV_CONF];
}
const char *prof_state_file(const struct evc_profile *p)
{
	return p->val[K_STATE_FILE];
}
unsigned prof_mtu(const struct evc_profile *p)
{
	return p->t.mtu;
}
unsigned prof_dpd(const struct evc_profile *p)
{
	return p->t.dpd;
}
uint16_t prof_local_port(const struct evc_profile *p)
{
	return p->t.local_port;
}
const char *prof_ifname(const struct evc_profile *p)
{
	return p->val[K_IFNAME];
}
const char *prof_app_version(const struct evc_profile *p)
{
	return p->val[K_APP_VERSION];
}
const char *prof_source(const struct evc_profile *p)
{
	return p->source;
}
uid_t prof_owner(const struct evc_profile *p)
{
	return p->owner;
}
