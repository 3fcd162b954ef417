/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `evc daemon`: a profile of the user's own, sent in the connect command as its lines
 * ("profile_lines", what `evc profile export` writes: secret references made `prompt`). It is
 * parsed by the same parser as a file of the daemon's store, so every key that shapes the
 * connection is honoured (backups, proposals, DH and PFS groups, NAT-T, mode and networks,
 * DNS handling, MTU, DPD, interface, exchange), and then held to what the root daemon may do
 * for a member of the socket's group:
 *  - no file of the user's choosing is read, written or run as root: a certificate, its key
 *    or CA file, a vpnc-script, a resolver or state file are refused with the reason;
 *  - no secret is read from anywhere: the profile's references must say `prompt`, and the
 *    group key and password come in the command (or the password as a prompt's answer). So
 *    nothing stored by the daemon can go to the gateways such a profile names
 *    (client/core/secret_use.h guards the store's profiles).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/daemon_int.h"
#include "lib/i18n.h"
#include "lib/secret.h"

struct first_error {
	char *err;
	size_t errlen;
	bool seen;
};

static void report(void *ctx, const struct prof_msg *m)
{
	struct first_error *f = ctx;
	if (m->sev != PROF_ERROR || f->seen)
		return;
	f->seen = true;
	snprintf(f->err, f->errlen, "%s", m->text);
}

/* The keys that would have root open a path the user chose. */
static const char *const path_keys[] = {"cert",   "cert_key",    "ca_cert",
                                        "script", "resolv_conf", "state_file"};

static int hold_to_trust(const struct evc_profile *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(path_keys) / sizeof(path_keys[0]); i++) {
		if (!prof_is_set(p, path_keys[i]))
			continue;
		snprintf(err, errlen,
		         _("your profile's key '%s' names a file, and the evc daemon runs as root: "
		           "it does not read, write or run files a user chooses (have an "
		           "administrator put the profile in /etc/evc, or use `evc connect` as "
		           "root)"),
		         path_keys[i]);
		return -EPERM;
	}
	static const struct {
		enum prof_secret_kind kind;
		const char *key;
	} refs[] = {{PROF_SECRET_GROUP_KEY, "group_key"}, {PROF_SECRET_PASSWORD, "password"}};
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		if (prof_secret_ref(p, refs[i].kind, NULL) == PROF_REF_PROMPT)
			continue;
		snprintf(
		    err, errlen,
		    _("your profile's key '%s' points at a stored secret, which the evc daemon "
		      "does not read for a user: send the secret in the connect command "
		      "(evc-gui does), and the profile as `evc profile export` writes it"),
		    refs[i].key);
		return -EPERM;
	}
	return 0;
}

bool evd_user_profile_sent(const struct ctlp_msg *m)
{
	return ctlp_get(m, "profile_lines") != NULL;
}

int evd_user_profile(const struct ctlp_msg *m, const char *name, struct evc_profile **out,
                     char *err, size_t errlen)
{
	size_t n = 0, len = 0;
	const char *const *lines = ctlp_strs(m, "profile_lines", &n);
	struct first_error fe = {err, errlen, false};
	char *text = NULL;
	int rc;

	*out = NULL;
	if (!lines) {
		snprintf(
		    err, errlen, "%s",
		    _("\"profile_lines\" is an array of the profile's lines, \"key = value\""));
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		/* one line each: an item with a line break would smuggle in lines of its own */
		if (strpbrk(lines[i], "\r\n")) {
			snprintf(
			    err, errlen,
			    _("line %zu of \"profile_lines\" holds a line break; send one line "
			      "per item"),
			    i + 1);
			return -EINVAL;
		}
		len += strlen(lines[i]) + 1;
	}
	text = malloc(len + 1);
	if (!text) {
		snprintf(err, errlen, "%s", _("out of memory"));
		return -ENOMEM;
	}
	len = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(lines[i]);
		memcpy(text + len, lines[i], k);
		text[len + k] = '\n';
		len += k + 1;
	}
	text[len] = '\0';
	rc = prof_parse(text, len, name, name, report, &fe, out);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s", _("out of memory"));
	else if (rc && !fe.seen)
		snprintf(err, errlen, _("your profile '%s' does not parse"), name);
	if (!rc)
		rc = hold_to_trust(*out, err, errlen);
	if (rc) {
		prof_free(*out);
		*out = NULL;
	}
	mem_wipe(text, len);
	free(text);
	return rc;
}
