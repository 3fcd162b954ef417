// SPDX-License-Identifier: GPL-2.0-or-later
/* Split DNS through systemd-resolved's D-Bus API with sd-bus (resolved.h). */
#define _GNU_SOURCE
#include "platform/resolved.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <systemd/sd-bus.h>

#include "platform/plat_int.h"
#include "lib/i18n.h"

#define RESOLVE1 "org.freedesktop.resolve1"
#define RESOLVE1_PATH "/org/freedesktop/resolve1"
#define RESOLVE1_MANAGER "org.freedesktop.resolve1.Manager"
#define CALL_TIMEOUT_US (5 * 1000 * 1000)

static void notef(void (*note)(void *, const char *), void *arg, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void notef(void (*note)(void *, const char *), void *arg, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	note(arg, msg);
}

static int open_bus(const char *address, sd_bus **bus, char *err, size_t errlen)
{
	int rc;

	if (!address) {
		rc = sd_bus_open_system(bus);
	} else {
		rc = sd_bus_new(bus);
		if (rc >= 0)
			rc = sd_bus_set_address(*bus, address);
		if (rc >= 0)
			rc = sd_bus_set_bus_client(*bus, 1);
		if (rc >= 0)
			rc = sd_bus_start(*bus);
	}
	if (rc < 0) {
		*bus = sd_bus_flush_close_unref(*bus);
		return plat_failx(err, errlen, -ENOENT,
		                  _("no D-Bus system bus (%s), so no systemd-resolved"),
		                  strerror(-rc));
	}
	/* only a resolved that runs: never start one by asking */
	sd_bus_message *reply = NULL;
	int owned = 0;
	rc =
	    sd_bus_call_method(*bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
	                       "org.freedesktop.DBus", "NameHasOwner", NULL, &reply, "s", RESOLVE1);
	if (rc >= 0)
		rc = sd_bus_message_read(reply, "b", &owned);
	sd_bus_message_unref(reply);
	if (rc < 0 || !owned) {
		*bus = sd_bus_flush_close_unref(*bus);
		return plat_failx(err, errlen, -ENOENT, _("systemd-resolved does not run"));
	}
	return 0;
}

static int call(sd_bus *bus, sd_bus_message *m, const char *what, int ifindex, char *err,
                size_t errlen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int rc = sd_bus_call(bus, m, CALL_TIMEOUT_US, &e, &reply);

	if (rc < 0)
		plat_failx(err, errlen, rc, _("systemd-resolved refused %s for link %d: %s"), what,
		           ifindex, e.message ? e.message : strerror(-rc));
	sd_bus_error_free(&e);
	sd_bus_message_unref(reply);
	return rc < 0 ? rc : 0;
}

static int set_dns(sd_bus *bus, int ifindex, const struct plat_resolved_plan *p, char *err,
                   size_t errlen)
{
	sd_bus_message *m = NULL;
	int rc = sd_bus_message_new_method_call(bus, &m, RESOLVE1, RESOLVE1_PATH, RESOLVE1_MANAGER,
	                                        "SetLinkDNS");
	if (rc >= 0)
		rc = sd_bus_message_append(m, "i", ifindex);
	if (rc >= 0)
		rc = sd_bus_message_open_container(m, 'a', "(iay)");
	for (size_t i = 0; rc >= 0 && i < p->n_dns; i++) {
		uint32_t be = htonl(p->dns[i]);
		rc = sd_bus_message_open_container(m, 'r', "iay");
		if (rc >= 0)
			rc = sd_bus_message_append(m, "i", AF_INET);
		if (rc >= 0)
			rc = sd_bus_message_append_array(m, 'y', &be, sizeof(be));
		if (rc >= 0)
			rc = sd_bus_message_close_container(m);
	}
	if (rc >= 0)
		rc = sd_bus_message_close_container(m);
	if (rc >= 0)
		rc = call(bus, m, "the DNS servers", ifindex, err, errlen);
	else
		plat_fail(err, errlen, rc, _("cannot build the D-Bus call SetLinkDNS"));
	sd_bus_message_unref(m);
	return rc < 0 ? rc : 0;
}

static int set_domains(sd_bus *bus, int ifindex, const struct plat_resolved_plan *p, char *err,
                       size_t errlen)
{
	sd_bus_message *m = NULL;
	int rc = sd_bus_message_new_method_call(bus, &m, RESOLVE1, RESOLVE1_PATH, RESOLVE1_MANAGER,
	                                        "SetLinkDomains");
	if (rc >= 0)
		rc = sd_bus_message_append(m, "i", ifindex);
	if (rc >= 0)
		rc = sd_bus_message_open_container(m, 'a', "(sb)");
	for (size_t i = 0; rc >= 0 && i < p->n_domains; i++)
		rc = sd_bus_message_append(m, "(sb)", p->domains[i].name,
		                           (int)p->domains[i].route_only);
	if (rc >= 0)
		rc = sd_bus_message_close_container(m);
	if (rc >= 0)
		rc = call(bus, m, "the domains", ifindex, err, errlen);
	else
		plat_fail(err, errlen, rc, _("cannot build the D-Bus call SetLinkDomains"));
	sd_bus_message_unref(m);
	return rc < 0 ? rc : 0;
}

static int simple(sd_bus *bus, const char *method, const char *sig, int ifindex, int b, char *err,
                  size_t errlen)
{
	sd_bus_message *m = NULL;
	int rc = sd_bus_message_new_method_call(bus, &m, RESOLVE1, RESOLVE1_PATH, RESOLVE1_MANAGER,
	                                        method);
	if (rc >= 0)
		rc = strcmp(sig, "ib") == 0 ? sd_bus_message_append(m, "ib", ifindex, b)
		                            : sd_bus_message_append(m, "i", ifindex);
	if (rc >= 0)
		rc = call(bus, m, method, ifindex, err, errlen);
	else
		plat_fail(err, errlen, rc, _("cannot build the D-Bus call %s"), method);
	sd_bus_message_unref(m);
	return rc < 0 ? rc : 0;
}

int plat_resolved_set(const char *bus_address, int ifindex, const struct plat_resolved_plan *p,
                      char *err, size_t errlen)
{
	sd_bus *bus = NULL;
	int rc = open_bus(bus_address, &bus, err, errlen);

	if (rc < 0)
		return rc;
	rc = set_dns(bus, ifindex, p, err, errlen);
	if (!rc)
		rc = set_domains(bus, ifindex, p, err, errlen);
	if (!rc)
		rc = simple(bus, "SetLinkDefaultRoute", "ib", ifindex, p->default_route, err,
		            errlen);
	sd_bus_flush_close_unref(bus);
	return rc;
}

int plat_resolved_revert(const char *bus_address, int ifindex, char *err, size_t errlen)
{
	sd_bus *bus = NULL;
	int rc = open_bus(bus_address, &bus, err, errlen);

	if (rc == -ENOENT)
		return 0; /* resolved is gone, and with it what it knew of the link */
	if (rc < 0)
		return rc;
	rc = simple(bus, "RevertLink", "i", ifindex, 0, err, errlen);
	sd_bus_flush_close_unref(bus);
	/* the link went away (its TUN device with it): resolved has forgotten it already */
	if (rc == -ENXIO || rc == -ENODEV || rc == -ENOENT)
		rc = 0;
	return rc;
}

int plat_resolved_apply(struct plat_journal *j, const struct evc_policy *pol, const char *ifname,
                        void (*note)(void *arg, const char *msg), void *note_arg, char *err,
                        size_t errlen)
{
	struct plat_resolved_plan p;
	struct plat_jentry e = {.type = PJ_RESOLVED};
	int ifindex = (int)if_nametoindex(ifname);
	int rc;

	if (!ifindex)
		return plat_fail(err, errlen, -errno, _("cannot find interface %s"), ifname);
	plat_resolved_plan(pol, pol->n_split_include == 0, &p, note, note_arg);
	snprintf(e.ifname, sizeof(e.ifname), "%s", ifname);
	e.ifindex = ifindex;
	/* journalled first: a half-done set is reverted as a whole */
	rc = plat_journal_record(j, &e, err, errlen);
	if (rc < 0)
		return rc;
	rc = plat_resolved_set(NULL, ifindex, &p, err, errlen);
	if (rc == -ENOENT) {
		/* nobody to ask: nothing was changed, resolv.conf it is */
		char ignore[64];
		plat_journal_forget(j, plat_journal_count(j) - 1, ignore, sizeof(ignore));
		return -ENOENT;
	}
	if (!rc)
		notef(note, note_arg,
		      _("DNS through systemd-resolved on %s: %zu server(s), %zu domain(s)%s"),
		      ifname, p.n_dns, p.n_domains,
		      p.default_route ? ", the default route for all names" : ", split DNS");
	return rc;
}

int plat_resolved_undo(const struct plat_jentry *e, char *err, size_t errlen)
{
	/* the same device, or it is gone and resolved forgot it */
	if ((int)if_nametoindex(e->ifname) != e->ifindex)
		return 0;
	return plat_resolved_revert(NULL, e->ifindex, err, errlen);
}
