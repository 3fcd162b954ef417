// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The vpnc-script as a journalled host change: connect runs it and records what disconnect
 * (also crash recovery) needs to run it again. Apart from script.c so that the journal, which
 * calls plat_script_revert, and the script runner do not depend on each other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/i18n.h"
#include "platform/plat_int.h"
#include "platform/script.h"

/* The journal keeps connect's environment, one variable per line, without reason and banner. */
static char *env_saved(char *const env[])
{
	size_t len = 1;
	char *s, *o;

	for (size_t i = 0; env[i]; i++)
		len += strlen(env[i]) + 1;
	s = o = malloc(len);
	if (!s)
		return NULL;
	for (size_t i = 0; env[i]; i++) {
		if (!strncmp(env[i], "reason=", 7) || !strncmp(env[i], "CISCO_BANNER=", 13))
			continue;
		o += sprintf(o, "%s%s", o == s ? "" : "\n", env[i]);
	}
	*o = '\0';
	return s;
}

int plat_script_apply(struct plat_journal *j, const struct evc_policy *pol,
                      const struct plat_client_opts *o, char *err, size_t errlen)
{
	struct plat_jentry e = {.type = PJ_SCRIPT};
	long pid = (long)getpid();
	char **env = NULL;
	int rc = plat_script_check(o->script, err, errlen);

	if (rc)
		return rc;
	/* pre-init ran before the TUN device was made (plat_script_pre_init) */
	env = plat_script_env("connect", pol, o->ifname, o->gateway, o->mtu, pid, o->note,
	                      o->note_arg);
	e.path = (char *)o->script;
	e.aux = env ? env_saved(env) : NULL;
	if (!e.aux) {
		rc = plat_fail(err, errlen, -ENOMEM, _("cannot run the vpnc-script %s"), o->script);
		goto out;
	}
	/* journalled first: whatever connect did half, disconnect takes back */
	rc = plat_journal_record(j, &e, err, errlen);
	if (!rc)
		rc = plat_script_run(o->script, env, err, errlen);
out:
	free(e.aux);
	plat_script_env_free(env);
	return rc;
}
