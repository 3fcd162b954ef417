/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key table's ids and the typed values behind the getters, shared by profile.c (the
 * model), keyfile.c (parse, validate, write) and the importers.
 */
#ifndef EVC_PROFILES_PROF_KEYS_H
#define EVC_PROFILES_PROF_KEYS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "profiles/profile.h"

/* File order: prof_to_text() writes keys in this order. */
enum prof_key_id {
	K_DESCRIPTION,
	K_GATEWAY,
	K_BACKUP,
	K_PUSHED_BACKUP,
	K_GROUP,
	K_USERNAME,
	K_AUTH,
	K_GROUP_KEY,
	K_PASSWORD,
	K_CERT,
	K_CERT_KEY,
	K_CA_CERT,
	K_IKE,
	K_ESP,
	K_DH,
	K_PFS,
	K_NATT,
	K_MODE,
	K_LAN,
	K_LOCAL_LAN,
	K_SCRIPT,
	K_DNS,
	K_RESOLV_CONF,
	K_STATE_FILE,
	K_MTU,
	K_DPD,
	K_LOCAL_PORT,
	K_IFNAME,
	K_APP_VERSION,
	K_SAVE_PASSWORD,
	K_EXCHANGE,
	K_COUNT
};

struct prof_typed {
	enum prof_auth auth;
	enum prof_ref_type ref[2]; /* by enum prof_secret_kind */
	char backup[PROF_MAX_BACKUPS][254];
	size_t n_backup;
	char pushed[PROF_MAX_BACKUPS][254]; /* the gateway's, learnt at the last connection */
	size_t n_pushed;
	int save_password; /* -1 unknown, 0/1 the gateway's save-password last time */
	struct prof_p1 ike[PROF_MAX_PROPS];
	size_t n_ike;
	struct prof_p2 esp[PROF_MAX_PROPS];
	size_t n_esp;
	unsigned dh;
	int pfs;
	enum prof_natt natt;
	bool main_mode; /* exchange = main: main mode with the group key */
	enum prof_mode mode;
	struct evc_net lan[PROF_MAX_LAN];
	size_t n_lan;
	bool local_lan;
	enum prof_dns_mode dns;
	unsigned mtu, dpd;
	uint16_t local_port;
};

/* -1 for an unknown key. */
int prof_key_id(const char *name);
void prof_typed_defaults(struct prof_typed *t);
/*
 * Checks value v (trimmed, non-empty) for key k, updates *t and writes the canonical text into
 * canon (PROF_LINE_MAX + 1 bytes). -EINVAL with err on a bad value; *t may then be half
 * updated, so callers pass a copy.
 */
int prof_key_parse(int k, const char *v, struct prof_typed *t, char *canon, char *err,
                   size_t errlen);
/* prof_set() by id, remembering the file line the value came from (0: none). */
int prof_set_id(struct evc_profile *p, int k, const char *value, unsigned line, char *err,
                size_t errlen);
const char *prof_val(const struct evc_profile *p, int k);
unsigned prof_line(const struct evc_profile *p, int k);
const struct prof_typed *prof_typed(const struct evc_profile *p);
int prof_set_source(struct evc_profile *p, const char *source, uid_t owner);
/* prof_validate() into an existing diagnostics run (messages name that run's file). */
struct prof_diag;
unsigned prof_validate_diag(const struct evc_profile *p, struct prof_diag *d);

#endif
