/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process hardening and capabilities; see privs.h. libcap-ng rather than raw capset(2): it
 * handles the bounding and ambient sets and the kernel's capability versions in one place,
 * and it is what the field's daemons (strongSwan's charon, NetworkManager, iked ports,
 * audit) use for exactly this.
 */
#include "platform/privs.h"

#include <cap-ng.h>
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

int plat_privs_drop(bool keep_setup, char *err, size_t errlen)
{
	bool bounds;
	int rc;

	if (capng_get_caps_process() != 0) {
		snprintf(err, errlen, "cannot read the process's capabilities");
		return -EIO;
	}
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		snprintf(err, errlen, "cannot keep CAP_NET_ADMIN: the process does not have it");
		return -EPERM;
	}
	/* the bounding set can only be changed with CAP_SETPCAP (root has it) */
	bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_ALL);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
	             CAP_NET_ADMIN);
	if (keep_setup)
		capng_updatev(CAPNG_ADD, CAPNG_PERMITTED | CAPNG_BOUNDING_SET, CAP_NET_BIND_SERVICE,
		              CAP_NET_RAW, -1);
	rc = capng_apply(bounds ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS);
	if (rc != 0) {
		snprintf(err, errlen, "cannot drop capabilities (libcap-ng error %d)", rc);
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return rc;
	}
	return 0;
}

int plat_privs_raise_setup(char *err, size_t errlen)
{
	static const unsigned caps[] = {CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW};

	if (capng_get_caps_process() != 0) {
		snprintf(err, errlen, "cannot read the process's capabilities");
		return -EIO;
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (capng_have_capability(CAPNG_PERMITTED, caps[i]))
			capng_update(CAPNG_ADD, CAPNG_EFFECTIVE, caps[i]);
	if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
		snprintf(err, errlen, "cannot raise the capabilities to open the next connection");
		return -EPERM;
	}
	return 0;
}
