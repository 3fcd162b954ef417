/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Process hardening and capabilities; see privs.h. */
#include "platform/privs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

int plat_no_core_dumps(char *err, size_t errlen)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		int rc = -errno;

		snprintf(err, errlen, "cannot make the process non-dumpable: %s", strerror(errno));
		return rc;
	}
	return 0;
}
