// SPDX-License-Identifier: GPL-2.0-or-later
/* What evc asks of systemd-resolved for a policy (resolved.h): a pure function, in every build. */
#include "platform/resolved.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/i18n.h"

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

/* A DNS name as resolved takes it: letters, digits, '-', '_', labels of 1..63, at most 253. */
static bool dns_name_ok(const char *d, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = d[i];
		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_') ||
		    ++label > 63)
			return false;
	}
	return true;
}

static void add_domain(struct plat_resolved_plan *out, const char *name, size_t n, bool route_only)
{
	for (size_t i = 0; i < out->n_domains; i++)
		if (strlen(out->domains[i].name) == n &&
		    !strncasecmp(out->domains[i].name, name, n))
			return; /* once, as the first time named (the search domain wins) */
	if (out->n_domains == PLAT_RESOLVED_MAX_DOMAINS)
		return;
	snprintf(out->domains[out->n_domains].name, sizeof(out->domains[0].name), "%.*s", (int)n,
	         name);
	out->domains[out->n_domains++].route_only = route_only;
}

void plat_resolved_plan(const struct evc_policy *pol, bool full_tunnel,
                        struct plat_resolved_plan *out, void (*note)(void *arg, const char *msg),
                        void *note_arg)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < pol->n_dns && i < EVC_POLICY_MAX_DNS; i++)
		out->dns[out->n_dns++] = pol->dns[i];
	if ((pol->have & EVC_HAVE_DOMAIN) && pol->domain[0]) {
		size_t n = strnlen(pol->domain, sizeof(pol->domain));
		if (n && pol->domain[n - 1] == '.')
			n--;
		if (dns_name_ok(pol->domain, n))
			add_domain(out, pol->domain, n, false);
		else
			notef(
			    note, note_arg,
			    _("the gateway's default domain is not a domain name; it is not used"));
	}
	if ((pol->have & EVC_HAVE_SPLIT_DNS) && pol->split_dns[0]) {
		const char *s = pol->split_dns;
		while (*s) {
			size_t n = strcspn(s, ", ");
			size_t len = n && s[n - 1] == '.' ? n - 1 : n;
			if (n && dns_name_ok(s, len) &&
			    out->n_domains < PLAT_RESOLVED_MAX_DOMAINS - 1)
				add_domain(out, s, len, true);
			else if (n)
				notef(note, note_arg,
				      _("the gateway's split-dns entry '%.*s' is not a domain "
				        "name; it "
				        "is not used"),
				      (int)(n > 80 ? 80 : n), s);
			s += n;
			s += strspn(s, ", ");
		}
	}
	if (full_tunnel)
		add_domain(out, ".", 1, true);
	out->default_route = full_tunnel;
}
