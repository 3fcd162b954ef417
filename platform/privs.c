/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Process hardening and capabilities; see privs.h. libcap-ng rather than raw capset(2): it
 * handles the bounding and ambient sets and the kernel's capability versions in one place,
 * and it is what the field's daemons (strongSwan's charon, NetworkManager, iked ports,
 * audit) use for exactly this.
 */
#define _GNU_SOURCE /* getresuid */
#include "platform/privs.h"
#include "lib/i18n.h"

#include <cap-ng.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define UNPRIV_PORT_START "/proc/sys/net/ipv4/ip_unprivileged_port_start"

int plat_no_core_dumps(char *err, size_t errlen)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
		int rc = -errno;

		snprintf(err, errlen, _("cannot make the process non-dumpable: %s"),
		         strerror(errno));
		return rc;
	}
	return 0;
}

/* libcap-ng's state becomes: CAP_NET_ADMIN only; nothing inheritable or ambient. */
static void keep_only(void)
{
	capng_clear(CAPNG_SELECT_ALL);
	capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
	             CAP_NET_ADMIN);
}

static int no_new_privs(char *err, size_t errlen)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		int rc = -errno;

		snprintf(err, errlen, _("cannot set no_new_privs: %s"), strerror(errno));
		return rc;
	}
	return 0;
}

/* libcap-ng's view of the process, which must hold CAP_NET_ADMIN to keep it. */
static int read_caps_with_net_admin(char *err, size_t errlen)
{
	if (capng_get_caps_process() != 0) {
		snprintf(err, errlen, _("cannot read the process's capabilities"));
		return -EIO;
	}
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN)) {
		snprintf(err, errlen, _("cannot keep CAP_NET_ADMIN: the process does not have it"));
		return -EPERM;
	}
	return 0;
}

int plat_privs_drop(char *err, size_t errlen)
{
	bool bounds;
	int rc;

	rc = read_caps_with_net_admin(err, errlen);
	if (rc)
		return rc;
	/* the bounding set can only be changed with CAP_SETPCAP (root has it) */
	bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	keep_only();
	rc = capng_apply(bounds ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS);
	if (rc != 0) {
		snprintf(err, errlen, _("cannot drop capabilities (libcap-ng error %d)"), rc);
		return -EPERM;
	}
	return no_new_privs(err, errlen);
}

int plat_privs_keep_for_connecting(bool switch_user, char *err, size_t errlen)
{
	static const unsigned net[] = {CAP_NET_ADMIN, CAP_NET_BIND_SERVICE, CAP_NET_RAW};
	static const unsigned ids[] = {CAP_SETUID, CAP_SETGID, CAP_SETPCAP};
	bool have[6] = {false}, bounds;
	unsigned all[6];
	size_t n = 0;
	int rc;

	rc = read_caps_with_net_admin(err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < 3; i++)
		all[n++] = net[i];
	for (size_t i = 0; switch_user && i < 3; i++)
		all[n++] = ids[i];
	for (size_t i = 0; i < n; i++)
		have[i] = capng_have_capability(CAPNG_PERMITTED, all[i]);
	bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	capng_clear(CAPNG_SELECT_ALL);
	for (size_t i = 0; i < n; i++)
		if (have[i])
			capng_update(CAPNG_ADD,
			             CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			             all[i]);
	rc = capng_apply(bounds ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS);
	if (rc != 0) {
		snprintf(err, errlen, _("cannot drop capabilities (libcap-ng error %d)"), rc);
		return -EPERM;
	}
	return no_new_privs(err, errlen);
}

/* The first port an unprivileged process may bind; the kernel's default when unreadable. */
static unsigned unpriv_port_start(void)
{
	unsigned v = 1024;
	FILE *f = fopen(UNPRIV_PORT_START, "re");

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 1024;
		fclose(f);
	}
	return v;
}

int plat_privs_check_connect(unsigned ike_port, bool raw_esp, bool switch_user, char *err,
                             size_t errlen)
{
	unsigned first = unpriv_port_start(), euid = (unsigned)geteuid();

	if (capng_get_caps_process() != 0) {
		snprintf(err, errlen, _("cannot read the process's capabilities"));
		return -EIO;
	}
	if (switch_user) {
		if (euid != 0) {
			snprintf(
			    err, errlen,
			    _("--run-as needs evc started as root; it runs as uid %u (start it as "
			      "that user with the capabilities instead)"),
			    euid);
			return -EPERM;
		}
		if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID) ||
		    !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID) ||
		    !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP)) {
			snprintf(
			    err, errlen,
			    _("--run-as needs CAP_SETUID, CAP_SETGID and CAP_SETPCAP to switch "
			      "to the user and keep CAP_NET_ADMIN; this root process lacks one"));
			return -EPERM;
		}
	}
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN)) {
		snprintf(err, errlen,
		         _("evc connect needs CAP_NET_ADMIN (for its TUN device, addresses, routes "
		           "and the resolver) and runs as uid %u without it: start it as root, or "
		           "give it the capability (systemd: AmbientCapabilities=CAP_NET_ADMIN; "
		           "setpriv --inh-caps=+net_admin --ambient-caps=+net_admin)"),
		         euid);
		return -EPERM;
	}
	if (ike_port < first && !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_BIND_SERVICE)) {
		snprintf(
		    err, errlen,
		    _("evc connect needs CAP_NET_BIND_SERVICE to use UDP port %u (ports below %u "
		      "are privileged): give it the capability, or use --local-port above %u "
		      "if the gateway accepts it"),
		    ike_port, first, first - 1);
		return -EPERM;
	}
	if (raw_esp && !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW)) {
		snprintf(
		    err, errlen,
		    _("evc connect needs CAP_NET_RAW to send ESP as IP protocol 50 (--natt auto "
		      "or off): give it the capability, or use --natt force (ESP in UDP 4500 "
		      "needs no CAP_NET_RAW)"));
		return -EPERM;
	}
	return 0;
}

int plat_privs_switch_user(unsigned uid, unsigned gid, char *err, size_t errlen)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	int rc;

	if (capng_get_caps_process() != 0) {
		snprintf(err, errlen, _("cannot read the process's capabilities"));
		return -EIO;
	}
	if (uid == 0) {
		snprintf(err, errlen, _("refusing to switch to uid 0: name an unprivileged user"));
		return -EINVAL;
	}
	keep_only();
	/* the bounding set first, while CAP_SETPCAP is still effective */
	rc = capng_apply(CAPNG_SELECT_BOUNDS);
	if (rc == 0)
		rc = capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_AMBIENT);
	if (rc != 0) {
		snprintf(
		    err, errlen,
		    _("cannot switch to uid %u gid %u keeping CAP_NET_ADMIN (libcap-ng error %d)"),
		    uid, gid, rc);
		return -EPERM;
	}
	/* no saved uid 0 to go back to, whatever the library did */
	if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 || ru != uid ||
	    eu != uid || su != uid || rg != gid || eg != gid || sg != gid) {
		snprintf(err, errlen, _("the switch to uid %u gid %u left other ids behind"), uid,
		         gid);
		return -EPERM;
	}
	if (capng_get_caps_process() != 0 ||
	    !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN) ||
	    capng_have_capability(CAPNG_PERMITTED, CAP_SETUID) ||
	    capng_have_capability(CAPNG_PERMITTED, CAP_SETPCAP)) {
		snprintf(
		    err, errlen,
		    _("after the switch to uid %u the capabilities are not CAP_NET_ADMIN alone"),
		    uid);
		return -EPERM;
	}
	return no_new_privs(err, errlen);
}
