// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * resolved.h in a build without libsystemd (-DEVC_RESOLVED=OFF, the router and arm64 builds):
 * there is no systemd-resolved to ask, so evc manages resolv.conf, as it does on a host where
 * resolved does not run.
 */
#include <errno.h>

#include "lib/i18n.h"
#include "platform/plat_int.h"
#include "platform/resolved.h"

int plat_resolved_set(const char *bus_address, int ifindex, const struct plat_resolved_plan *p,
                      char *err, size_t errlen)
{
	(void)bus_address, (void)ifindex, (void)p;
	return plat_failx(err, errlen, -ENOENT,
	                  _("this evc was built without systemd-resolved support (libsystemd)"));
}

int plat_resolved_revert(const char *bus_address, int ifindex, char *err, size_t errlen)
{
	(void)bus_address, (void)ifindex, (void)err, (void)errlen;
	return 0;
}

int plat_resolved_apply(struct plat_journal *j, const struct evc_policy *pol, const char *ifname,
                        void (*note)(void *arg, const char *msg), void *note_arg, char *err,
                        size_t errlen)
{
	(void)j, (void)pol, (void)ifname, (void)note, (void)note_arg;
	return plat_resolved_set(NULL, 0, NULL, err, errlen);
}

int plat_resolved_undo(const struct plat_jentry *e, char *err, size_t errlen)
{
	(void)e, (void)err, (void)errlen;
	return 0; /* never recorded by this build; a state file of another build: nothing to ask */
}
